//! Excel workbooks as rows of text, and telling containers (plain, gzip, xlsx) apart.
//!
//! Cells become the same text a CSV export of the sheet would hold, so one set of value parsers
//! serves both: numbers in Rust's shortest round-trip form (`1234.5`, never `1234.5000000001`
//! or `1.2345e3`), date cells as ISO dates, empty cells as "".

use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};

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
    #[error("the workbook has no sheets")]
    NoSheets,
    #[error("the workbook has no sheet '{name}'; its sheets are: {available}")]
    NoSuchSheet { name: String, available: String },
}

/// Reads one sheet (the first unless `sheet` names another) as rows of text. `rows[i][j]` is the
/// cell in sheet row `i + 1`, column `j + 1`, even when the sheet's used area starts lower or
/// further right, so row numbers and `--map` positions match what the user sees in Excel.
pub fn read_xlsx(path: &Path, sheet: Option<&str>) -> Result<Vec<Vec<String>>, XlsxError> {
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
    let range = workbook.worksheet_range(&name)?;
    let Some((row0, col0)) = range.start() else {
        return Ok(Vec::new());
    };
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); row0 as usize];
    for row in range.rows() {
        let mut out = vec![String::new(); col0 as usize];
        out.extend(row.iter().map(cell_text));
        // Trailing empty cells carry no information and would only widen the sample.
        while out.last().is_some_and(String::is_empty) {
            out.pop();
        }
        rows.push(out);
    }
    Ok(rows)
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

        let rows = read_xlsx(&path, None).unwrap();
        assert_eq!(rows[0], ["", "Клиент", "Дата", "Сумма"]);
        assert_eq!(rows[1], ["", "Иван", "2024-01-31", "1234.5"]);
        assert_eq!(
            rows[2],
            ["", "Анна", "2024-02-29 10:30:00", "42", "0.1", "TRUE"]
        );
        assert_eq!(
            read_xlsx(&path, Some("Лист1")).unwrap_err().to_string(),
            "the workbook has no sheet 'Лист1'; its sheets are: 'Продажи'"
        );
        assert_eq!(read_xlsx(&path, Some("продажи")).unwrap(), rows);

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
