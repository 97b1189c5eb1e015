//! Splitting one decoded block of whole records into rows of cells, with each row's line number
//! and raw text. The summarising pipeline (`pipeline.rs`) and the row streamer for the store
//! (`rows.rs`) both read blocks through this one function, so a file splits into the same rows,
//! with the same line numbers, whichever path reads it.

use crate::layout::{Layout, csv_reader_builder, split_line};
use crate::pipeline::Cells;

/// What a block's records are handed to.
pub(crate) trait RecordVisitor {
    /// One record: its cells, its text without the line end, and its 1-based line in the file.
    fn row<'a>(&mut self, cells: &impl Cells<'a>, raw: &str, line: u64);
    /// A record the csv reader could not split into fields (for example an unclosed quote).
    fn unsplittable(&mut self, line: u64, error: &csv::Error);
}

/// Hands every record of `text` (a block that starts at line `first_line` and ends at a record
/// boundary) to `visitor`, skipping the header row first when `skip_header` is set. Empty lines
/// are not records; a whitespace-only line is passed on and left to the visitor (the row
/// parsers ignore blank rows without counting them).
pub(crate) fn visit_records(
    text: &str,
    layout: &Layout,
    first_line: u64,
    mut skip_header: bool,
    record: &mut csv::StringRecord,
    visitor: &mut impl RecordVisitor,
) {
    let mut fields: Vec<&str> = Vec::new();
    if let Some(delimiter) = plain_delimited(layout, text.as_bytes()) {
        // No quotes and no bare carriage returns: a record is a line and a field is what lies
        // between delimiters, so the csv state machine (several times slower) is not needed.
        let bytes = text.as_bytes();
        let mut start = 0usize;
        let mut line = first_line;
        while start < bytes.len() {
            let end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |e| start + e);
            let raw = text[start..end]
                .strip_suffix('\r')
                .unwrap_or(&text[start..end]);
            let at = line;
            start = end + 1;
            line += 1;
            if raw.is_empty() {
                continue; // the csv reader skips empty lines too
            }
            fields.clear();
            let mut from = 0usize;
            for i in memchr::memchr_iter(delimiter, raw.as_bytes()) {
                fields.push(&raw[from..i]);
                from = i + 1;
            }
            fields.push(&raw[from..]);
            if skip_header && !(&fields.as_slice()).all_blank() {
                skip_header = false;
                continue;
            }
            visitor.row(&fields.as_slice(), raw, at);
        }
        return;
    }
    match csv_reader_builder(layout) {
        Some(builder) => {
            let mut rdr = builder.from_reader(text.as_bytes());
            let (mut lines_before, mut counted_to) = (0u64, 0usize);
            loop {
                match rdr.read_record(record) {
                    Ok(false) => break,
                    Ok(true) => {
                        // The reader's own line count is off by one after CRLF line ends, so
                        // count newlines up to the record's first byte ourselves.
                        let mut start = record.position().map_or(0, |p| p.byte() as usize);
                        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
                            start += 1;
                        }
                        lines_before += memchr::memchr_iter(
                            b'\n',
                            &text.as_bytes()[counted_to.min(start)..start],
                        )
                        .count() as u64;
                        counted_to = counted_to.max(start);
                        if skip_header && !(&*record).all_blank() {
                            skip_header = false;
                            continue;
                        }
                        let raw_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
                        let raw = text[start..raw_end].trim_end_matches('\r');
                        visitor.row(&&*record, raw, first_line + lines_before);
                    }
                    Err(e) => {
                        let line = e
                            .position()
                            .map_or(first_line, |p| first_line + p.line() - 1);
                        visitor.unsplittable(line, &e);
                    }
                }
            }
        }
        None => {
            for (i, raw) in text.split('\n').enumerate() {
                let raw = raw.trim_end_matches('\r');
                if raw.trim().is_empty() {
                    continue;
                }
                if skip_header {
                    skip_header = false;
                    continue;
                }
                fields.clear();
                split_line(raw, layout, &mut fields);
                visitor.row(&fields.as_slice(), raw, first_line + i as u64);
            }
        }
    }
}

/// The delimiter of a delimited layout when `bytes` can be split without a csv parser: no quote
/// character anywhere and every carriage return part of a CRLF line end.
fn plain_delimited(layout: &Layout, bytes: &[u8]) -> Option<u8> {
    let Layout::Delimited { delimiter, quote } = layout else {
        return None;
    };
    if quote.is_some_and(|q| memchr::memchr(q, bytes).is_some()) {
        return None;
    }
    let bare_cr = memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n'));
    (!bare_cr).then_some(*delimiter)
}
