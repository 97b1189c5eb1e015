//! `clientele import`: order exports (and a customers file) into the store, a line on standard
//! error per file, and the rejected rows written aside or summarised.

use std::path::Path;

use anyhow::{Context, Result};
use clientele_app::database::open_store;
use clientele_app::import::{ImportEvent, import_files};
use clientele_ingest::pipeline::Reject;

use crate::args::store::ImportArgs;
use crate::runtime::runtime;

pub fn run(args: ImportArgs) -> Result<()> {
    let settings = args.settings()?;
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let rejects = import_files(&store, &settings, &mut print_event).await?;
        match &args.rejects {
            Some(out) => write_rejects(out, &rejects)?,
            None => print_rejects_summary(&rejects),
        }
        store.close().await;
        Ok(())
    })
}

/// The line of an import's step, on standard error.
pub fn print_event(event: ImportEvent<'_>) {
    match event {
        ImportEvent::File(f) => {
            let report = &f.report;
            eprintln!(
                "{}: {} rows, {} lines written, {} already stored, {} rejected, {} new customers ({:.2} s, {:.0} rows/s)",
                f.path.display(),
                report.rows,
                f.counts.inserted,
                f.counts.unchanged,
                report.rejected,
                f.counts.new_customers,
                f.seconds,
                report.rows as f64 / f.seconds.max(1e-9)
            );
        }
        ImportEvent::Customers {
            path,
            stored,
            rejected,
        } => {
            eprintln!(
                "{}: {stored} customers stored, {rejected} rejected",
                path.display()
            );
        }
    }
}

/// How many rows were rejected, and the first, on standard error.
pub fn print_rejects_summary(rejects: &[Reject]) {
    if let Some(first) = rejects.first() {
        eprintln!(
            "{} row(s) rejected; the first: {}, line {}, column '{}': {} (use --rejects FILE for all)",
            rejects.len(),
            first.file.display(),
            first.row.line,
            first.column,
            first.reason
        );
    }
}

fn write_rejects(path: &Path, rejects: &[Reject]) -> Result<()> {
    let mut w =
        csv::Writer::from_path(path).with_context(|| format!("creating {}", path.display()))?;
    w.write_record(["line", "column", "reason", "raw", "file"])?;
    for r in rejects {
        w.write_record([
            r.row.line.to_string(),
            r.column.clone(),
            r.reason.clone(),
            r.raw.clone(),
            r.file.display().to_string(),
        ])
        .with_context(|| format!("writing {}", path.display()))?;
    }
    w.flush()
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
