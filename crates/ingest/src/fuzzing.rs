//! Thin entry points into internals for the fuzz targets (`crates/ingest/fuzz`), which can only
//! call public functions. Not part of the crate's API: hidden from its documentation, and free to
//! change with the internals they expose.

use crate::encoding::TextEncoding;
use crate::layout::Layout;
use crate::records::{Cells, RecordVisitor, visit_block};

/// What splitting a block of records found: for each row its line and cells, for each record
/// that could not be split or decoded its line, and the lines of both in the order handed over.
#[derive(Debug, Default)]
pub struct SplitRecords {
    pub rows: Vec<(u64, Vec<String>)>,
    pub refused: Vec<u64>,
    pub order: Vec<u64>,
}

impl RecordVisitor for SplitRecords {
    fn row<'a>(&mut self, cells: &impl Cells<'a>, _raw: &str, line: u64) {
        let cells = (0..)
            .map_while(|i| cells.cell(i))
            .map(str::to_string)
            .collect();
        self.rows.push((line, cells));
        self.order.push(line);
    }

    fn unsplittable(&mut self, line: u64, _error: &csv::Error) {
        self.refused.push(line);
        self.order.push(line);
    }

    fn undecodable(&mut self, line: u64, _reason: &str, _raw: &str) {
        self.refused.push(line);
        self.order.push(line);
    }
}

/// Splits `bytes` (whole records, as a block of a file) into rows as the import does, in
/// `encoding` and `layout`, the header skipped when `skip_header`.
pub fn split_records(
    bytes: &[u8],
    encoding: TextEncoding,
    layout: &Layout,
    skip_header: bool,
) -> SplitRecords {
    let mut found = SplitRecords::default();
    let mut record = csv::StringRecord::new();
    visit_block(
        bytes,
        encoding,
        layout,
        1,
        skip_header,
        &mut record,
        &mut found,
    );
    found
}
