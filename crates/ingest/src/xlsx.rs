//! Excel workbooks as rows of text, and telling containers (plain, gzip, xlsx) apart.
//!
//! Cells become the same text a CSV export of the sheet would hold, so one set of value parsers
//! serves both: numbers in Rust's shortest round-trip form (`1234.5`, never `1234.5000000001`
//! or `1.2345e3`), date cells as ISO dates, empty cells as "".

use std::io::Read;
use std::path::Path;

use calamine::{Data, DataRef, Reader, Xlsx, open_workbook};

use crate::limits::ImportLimits;

/// What wraps the bytes of an input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Plain,
    Gzip,
    Xlsx,
}

/// Tells the container from the first bytes (zip or gzip magic numbers), falling back to the
/// file extension when fewer than four bytes are available.
pub fn detect_container(first_bytes: &[u8], path: &Path) -> Container {
    if first_bytes.starts_with(b"PK\x03\x04") {
        return Container::Xlsx;
    }
    if first_bytes.starts_with(b"\x1f\x8b") {
        return Container::Gzip;
    }
    if first_bytes.len() < 4 {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("xlsx" | "xlsm") => return Container::Xlsx,
            Some("gz") => return Container::Gzip,
            _ => {}
        }
    }
    Container::Plain
}

#[derive(Debug, thiserror::Error)]
pub enum XlsxError {
    #[error("cannot read the workbook: {0}")]
    Open(#[from] calamine::XlsxError),
    #[error("cannot read the workbook: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("cannot read the workbook: {0}")]
    Io(#[from] std::io::Error),
    #[error("the workbook has no sheets")]
    NoSheets,
    #[error("the workbook has no sheet '{name}'; its sheets are: {available}")]
    NoSuchSheet { name: String, available: String },
    /// The spreadsheet reader failed on the workbook's XML.
    #[error("cannot read the workbook: its XML is malformed")]
    ReaderFailed,
    /// Beyond one of the [`ImportLimits`]; the message names the bound.
    #[error("{0}")]
    TooCostly(String),
}

/// Reads one sheet (the first unless `sheet` names another) as rows of text. `rows[i][j]` is the
/// cell in sheet row `i + 1`, column `j + 1`, even when the sheet's used area starts lower or
/// further right, so row numbers and `--map` positions match what the user sees in Excel.
///
/// What the workbook may cost is bounded by `limits` before anything is held: the parts'
/// expanded sizes (declared, and measured by inflating them once), the sheet's declared
/// dimension, and its cells as they are read (their rows, columns and the cells held), so a
/// sheet naming cell XFD1048576 is refused instead of making a range of 17 billion cells.
pub fn read_xlsx(
    path: &Path,
    sheet: Option<&str>,
    limits: &ImportLimits,
) -> Result<Vec<Vec<String>>, XlsxError> {
    // The zip and calamine crates parse what the file's author wrote; should one panic on some
    // of it (calamine reads cell references with unchecked arithmetic), the file is refused and
    // nothing else fails.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        check_expansion(path, limits)?;
        read_sheet(path, sheet, limits)
    }))
    .unwrap_or(Err(XlsxError::ReaderFailed))
}

/// [`read_xlsx`] once the expansion is checked.
fn read_sheet(
    path: &Path,
    sheet: Option<&str>,
    limits: &ImportLimits,
) -> Result<Vec<Vec<String>>, XlsxError> {
    let mut workbook: Xlsx<_> = open_workbook(path)?;
    let names = workbook.sheet_names();
    let name = match sheet {
        None => names.first().cloned().ok_or(XlsxError::NoSheets)?,
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| {
                names
                    .iter()
                    .find(|n| n.trim().to_lowercase() == wanted.trim().to_lowercase())
            })
            .cloned()
            .ok_or_else(|| XlsxError::NoSuchSheet {
                name: wanted.to_string(),
                available: names
                    .iter()
                    .map(|n| format!("'{n}'"))
                    .collect::<Vec<_>>()
                    .join(", "),
            })?,
    };
    let mut cells = match workbook.worksheet_cells_reader(&name) {
        Ok(cells) => cells,
        // A chart sheet or the like: no cells, as calamine's own ranges have it.
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let declared = cells.dimensions();
    let (rows_declared, columns_declared) =
        (u64::from(declared.end.0) + 1, u64::from(declared.end.1) + 1);
    if rows_declared > u64::from(limits.max_xlsx_rows)
        || columns_declared > u64::from(limits.max_xlsx_columns)
    {
        return Err(too_costly(format!(
            "the sheet declares its cells to reach {} ({} rows, {} columns); at most {} rows and {} columns are read",
            cell_name(declared.end),
            rows_declared,
            columns_declared,
            limits.max_xlsx_rows,
            limits.max_xlsx_columns
        )));
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    // Every row up to the last one with a cell, each as wide as its last cell: what is held.
    let mut held = 0u64;
    while let Some(cell) = cells.next_cell()? {
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        if r >= limits.max_xlsx_rows || c >= limits.max_xlsx_columns {
            return Err(too_costly(format!(
                "the sheet has a cell at {}, beyond the {} rows and {} columns read",
                cell_name((r, c)),
                limits.max_xlsx_rows,
                limits.max_xlsx_columns
            )));
        }
        let (r, c) = (r as usize, c as usize);
        if rows.len() <= r {
            held += (r + 1 - rows.len()) as u64;
            rows.resize_with(r + 1, Vec::new);
        }
        let row = &mut rows[r];
        if row.len() <= c {
            held += (c + 1 - row.len()) as u64;
            if held > limits.max_xlsx_cells {
                return Err(too_costly(format!(
                    "the sheet's rows hold more than {} cells (the cell at {} passes it)",
                    limits.max_xlsx_cells,
                    cell_name((r as u32, c as u32))
                )));
            }
            row.resize(c + 1, String::new());
        }
        row[c] = cell_text(&Data::from(cell.get_value().clone()));
    }
    for row in &mut rows {
        // Trailing empty cells carry no information and would only widen the sample.
        while row.last().is_some_and(String::is_empty) {
            row.pop();
        }
    }
    Ok(rows)
}

fn too_costly(message: String) -> XlsxError {
    XlsxError::TooCostly(message)
}

/// A cell's name as Excel shows it: (0, 0) is A1, (1048575, 16383) is XFD1048576.
fn cell_name((row, column): (u32, u32)) -> String {
    let mut letters = Vec::new();
    let mut c = u64::from(column) + 1;
    while c > 0 {
        let digit = (c - 1) % 26;
        letters.push(b'A' + digit as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!(
        "{}{}",
        String::from_utf8(letters).expect("ASCII letters"),
        u64::from(row) + 1
    )
}

/// Refuses a workbook whose parts expand beyond the bounds: first by the sizes its zip directory
/// declares, then by inflating each part once and counting (declared sizes can lie; inflating
/// costs time bounded by the limit, never memory).
fn check_expansion(path: &Path, limits: &ImportLimits) -> Result<(), XlsxError> {
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(std::fs::File::open(path)?))?;
    let ratio_exceeded = |expanded: u64, compressed: u64| {
        expanded > limits.ratio_checked_from
            && expanded > compressed.saturating_mul(limits.max_xlsx_ratio)
    };
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i)?;
        declared = declared.saturating_add(part.size());
        if ratio_exceeded(part.size(), part.compressed_size()) {
            return Err(too_costly(format!(
                "the workbook's part {} declares {} bytes from {} compressed, more than {} times; refused as a compression bomb",
                part.name(),
                part.size(),
                part.compressed_size(),
                limits.max_xlsx_ratio
            )));
        }
    }
    if declared > limits.max_xlsx_bytes {
        return Err(too_costly(format!(
            "the workbook declares {declared} bytes once expanded; at most {} are read",
            limits.max_xlsx_bytes
        )));
    }
    let mut expanded = 0u64;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i)?;
        let compressed = part.compressed_size();
        let budget = limits.max_xlsx_bytes - expanded;
        let n = std::io::copy(&mut (&mut part).take(budget + 1), &mut std::io::sink())?;
        expanded += n;
        if n > budget {
            return Err(too_costly(format!(
                "the workbook expands to more than {} bytes; at most that is read",
                limits.max_xlsx_bytes
            )));
        }
        if ratio_exceeded(n, compressed) {
            return Err(too_costly(format!(
                "the workbook's part {} expands to {n} bytes from {compressed}, more than {} times; refused as a compression bomb",
                part.name(),
                limits.max_xlsx_ratio
            )));
        }
    }
    Ok(())
}

/// The text of one cell.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // `Display` for f64 is the shortest text that reads back as the same number and never
        // uses an exponent; whole numbers print without ".0".
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        // A duration is a number of days; keep its value.
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

    #[test]
    fn reads_back_a_written_workbook() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.xlsx");
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("Продажи").unwrap();
        let date_fmt = Format::new().set_num_format("dd.mm.yyyy");
        let dt_fmt = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
        ws.write_string(0, 1, "Клиент").unwrap();
        ws.write_string(0, 2, "Дата").unwrap();
        ws.write_string(0, 3, "Сумма").unwrap();
        ws.write_string(1, 1, "Иван").unwrap();
        ws.write_datetime_with_format(
            1,
            2,
            ExcelDateTime::from_ymd(2024, 1, 31).unwrap(),
            &date_fmt,
        )
        .unwrap();
        ws.write_number(1, 3, 1234.5).unwrap();
        ws.write_string(2, 1, "Анна").unwrap();
        let dt = ExcelDateTime::from_ymd(2024, 2, 29)
            .unwrap()
            .and_hms(10, 30, 0)
            .unwrap();
        ws.write_datetime_with_format(2, 2, dt, &dt_fmt).unwrap();
        ws.write_number(2, 3, 42.0).unwrap();
        ws.write_number(2, 4, 0.1).unwrap();
        ws.write_boolean(2, 5, true).unwrap();
        wb.save(&path).unwrap();

        let rows = read_xlsx(&path, None, &ImportLimits::default()).unwrap();
        assert_eq!(rows[0], ["", "Клиент", "Дата", "Сумма"]);
        assert_eq!(rows[1], ["", "Иван", "2024-01-31", "1234.5"]);
        assert_eq!(
            rows[2],
            ["", "Анна", "2024-02-29 10:30:00", "42", "0.1", "TRUE"]
        );
        assert_eq!(
            read_xlsx(&path, Some("Лист1"), &ImportLimits::default())
                .unwrap_err()
                .to_string(),
            "the workbook has no sheet 'Лист1'; its sheets are: 'Продажи'"
        );
        assert_eq!(
            read_xlsx(&path, Some("продажи"), &ImportLimits::default()).unwrap(),
            rows
        );

        let first = std::fs::read(&path).unwrap();
        assert_eq!(detect_container(&first[..8], &path), Container::Xlsx);
    }

    #[test]
    fn containers() {
        let p = Path::new("x.csv");
        assert_eq!(detect_container(b"\x1f\x8b\x08\x00", p), Container::Gzip);
        assert_eq!(detect_container(b"a,b,c\n", p), Container::Plain);
        assert_eq!(detect_container(b"", Path::new("x.XLSX")), Container::Xlsx);
        assert_eq!(
            detect_container(b"", Path::new("x.csv.gz")),
            Container::Gzip
        );
        assert_eq!(detect_container(b"", p), Container::Plain);
    }
}
