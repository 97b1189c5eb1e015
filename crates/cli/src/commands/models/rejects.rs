//! The rows an import of order exports did not use, told on standard error.

use clientele_ingest::pipeline::Reject;

/// Rows the import did not use, where and why, on standard error (standard output carries the
/// command's result): the first few in full, then how many more.
pub fn report_rejects(rejects: &[Reject]) {
    const SHOWN: usize = 10;
    if rejects.is_empty() {
        return;
    }
    eprintln!(
        "note: {} row(s) not used (a bad value, or a line exported twice):",
        rejects.len()
    );
    for r in rejects.iter().take(SHOWN) {
        let column = if r.column.is_empty() {
            String::new()
        } else {
            format!(", column '{}'", r.column)
        };
        eprintln!(
            "  {}, line {}{column}: {}",
            r.file.display(),
            r.row.line,
            r.reason
        );
    }
    if rejects.len() > SHOWN {
        eprintln!(
            "  and {} more: `clientele analyze … --out DIR` writes every one to DIR/rejects.csv; --strict refuses such files",
            rejects.len() - SHOWN
        );
    }
}
