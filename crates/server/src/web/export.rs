//! Lists as files a spreadsheet opens. Two CSV styles: plain (UTF-8, `,`, language-free codes
//! and `1234.50`, for scripts) and Excel's (a byte-order mark so Excel reads UTF-8, `;` as a
//! Russian Excel expects, words in the reader's language and the language's decimal mark), the
//! latter chosen when the reader works in Russian or asks with `?excel=1` (`?excel=0` asks for
//! the plain one). And `.xlsx`, with numbers as numbers: rows are written in batches as the
//! store reads them, through rust_xlsxwriter's constant-memory mode (rows go to a temporary
//! file, not the heap), so a list of any length keeps memory flat until the file is zipped.
//!
//! Text cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) get a leading
//! apostrophe in CSV; in `.xlsx` they are strings, which Excel never evaluates.

use axum::body::Body;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use clientele_core::Money;

use super::WebError;
use super::i18n::{Lang, Tr};

/// Which CSV a reader gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CsvStyle {
    /// UTF-8 without a mark, `,`, codes and `1234.50`.
    Plain,
    /// A byte-order mark, `;`, words in the reader's language, its decimal mark.
    Excel,
}

impl CsvStyle {
    /// Excel's style for Russian readers and for `?excel=1`; `?excel=0` is plain for anyone.
    pub fn choose(tr: &Tr, excel: Option<&str>) -> CsvStyle {
        match excel.map(str::trim) {
            Some("1" | "true" | "yes") => CsvStyle::Excel,
            Some("0" | "false" | "no") => CsvStyle::Plain,
            _ if tr.lang == Lang::Ru => CsvStyle::Excel,
            _ => CsvStyle::Plain,
        }
    }
}

/// One cell of an exported row.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Amount(Money),
    /// A share, 0..1: a percentage with one decimal in CSV, a number in `.xlsx`.
    Probability(f64),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    pub fn amount(m: Option<Money>) -> Cell {
        m.map_or(Cell::Empty, Cell::Amount)
    }
}

/// Text cells that a spreadsheet would run as a formula get a leading apostrophe.
pub fn guarded(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// One cell as CSV text in `style`.
fn csv_text(cell: &Cell, style: CsvStyle, tr: &Tr) -> String {
    let decimal = |s: String| match (style, tr.lang) {
        (CsvStyle::Excel, Lang::Ru) => s.replace('.', ","),
        _ => s,
    };
    match cell {
        Cell::Text(t) => guarded(t),
        Cell::Int(n) => n.to_string(),
        Cell::Amount(m) => decimal(m.to_string()),
        Cell::Probability(p) if p.is_finite() => decimal(format!("{p:.4}")),
        Cell::Probability(_) | Cell::Empty => String::new(),
    }
}

/// Rows as CSV bytes in `style`; with `header`, the file's start (the byte-order mark in
/// Excel's style, then the header).
pub fn csv_chunk(
    style: CsvStyle,
    tr: &Tr,
    header: Option<&[String]>,
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, csv::Error> {
    let delimiter = match style {
        CsvStyle::Plain => b',',
        CsvStyle::Excel => b';',
    };
    let mut out = Vec::with_capacity(rows.len() * 96 + 128);
    if header.is_some() && style == CsvStyle::Excel {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(out);
    if let Some(h) = header {
        w.write_record(h)?;
    }
    for row in rows {
        w.write_record(row.iter().map(|c| csv_text(c, style, tr)))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A CSV download of `name`.
pub fn csv_response(name: &str, body: Body) -> Response {
    download(name, "text/csv; charset=utf-8", body)
}

/// A file download: its type and the name the browser saves it under.
pub fn download(name: &str, content_type: &'static str, body: Body) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

/// The media type of `.xlsx` files.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// An `.xlsx` workbook of one sheet, written a batch of rows at a time.
pub struct XlsxWriter {
    workbook: rust_xlsxwriter::Workbook,
    next_row: u32,
    columns: u16,
    money: rust_xlsxwriter::Format,
    share: rust_xlsxwriter::Format,
}

/// The most rows a sheet holds, the header's included (Excel's limit).
pub const XLSX_MAX_ROWS: u32 = 1_048_576;

impl XlsxWriter {
    /// A workbook whose sheet is named `sheet` and starts with `header` in bold.
    pub fn new(sheet: &str, header: &[String]) -> Result<XlsxWriter, rust_xlsxwriter::XlsxError> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let bold = rust_xlsxwriter::Format::new().set_bold();
        let ws = workbook.add_worksheet_with_constant_memory();
        ws.set_name(sheet)?;
        for (i, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, h, &bold)?;
        }
        ws.set_freeze_panes(1, 0)?;
        Ok(XlsxWriter {
            workbook,
            next_row: 1,
            columns: header.len() as u16,
            money: rust_xlsxwriter::Format::new().set_num_format("#,##0.00"),
            share: rust_xlsxwriter::Format::new().set_num_format("0.00"),
        })
    }

    /// Appends rows; fails past Excel's row limit rather than cutting the list.
    pub fn rows(&mut self, rows: &[Vec<Cell>]) -> Result<(), rust_xlsxwriter::XlsxError> {
        if self.next_row as u64 + rows.len() as u64 > u64::from(XLSX_MAX_ROWS) {
            return Err(rust_xlsxwriter::XlsxError::RowColumnLimitError);
        }
        let ws = self.workbook.worksheet_from_index(0)?;
        for row in rows {
            for (i, cell) in row.iter().enumerate().take(self.columns as usize) {
                let col = i as u16;
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(self.next_row, col, t)?;
                    }
                    Cell::Int(n) => {
                        ws.write_number(self.next_row, col, *n as f64)?;
                    }
                    Cell::Amount(m) => {
                        ws.write_number_with_format(self.next_row, col, m.to_f64(), &self.money)?;
                    }
                    Cell::Probability(p) if p.is_finite() => {
                        ws.write_number_with_format(self.next_row, col, *p, &self.share)?;
                    }
                    Cell::Probability(_) | Cell::Empty => {}
                }
            }
            self.next_row += 1;
        }
        Ok(())
    }

    /// The finished file.
    pub fn finish(mut self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        self.workbook.save_to_buffer()
    }
}

/// An `.xlsx` that could not be written: a page saying so, not a broken file.
pub fn xlsx_failed(tr: Tr, e: impl std::fmt::Display) -> WebError {
    tracing::error!("writing an .xlsx: {e}");
    WebError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: tr.get("error-internal"),
        tr,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_csv_has_a_mark_semicolons_and_decimal_commas_in_russian() {
        let ru = Tr::new(Lang::Ru);
        let rows = vec![vec![
            Cell::text("=SUM(A1)"),
            Cell::Int(5),
            Cell::Amount(Money::from_units(12_345_000)),
            Cell::Probability(0.25),
            Cell::Empty,
        ]];
        let header = vec![
            "a".to_string(),
            "b;c".into(),
            "d".into(),
            "e".into(),
            "f".into(),
        ];
        let bytes = csv_chunk(CsvStyle::Excel, &ru, Some(&header), &rows).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\u{feff}a;\"b;c\";d;e;f\n'=SUM(A1);5;1234,50;0,2500;\n"
        );
        let plain = csv_chunk(CsvStyle::Plain, &ru, None, &rows).unwrap();
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            "'=SUM(A1),5,1234.50,0.2500,\n"
        );
        let en = Tr::new(Lang::En);
        assert_eq!(CsvStyle::choose(&en, None), CsvStyle::Plain);
        assert_eq!(CsvStyle::choose(&en, Some("1")), CsvStyle::Excel);
        assert_eq!(CsvStyle::choose(&ru, None), CsvStyle::Excel);
        assert_eq!(CsvStyle::choose(&ru, Some("0")), CsvStyle::Plain);
        // English Excel style keeps the decimal point.
        let en_excel = csv_chunk(CsvStyle::Excel, &en, None, &rows).unwrap();
        assert_eq!(
            String::from_utf8(en_excel).unwrap(),
            "'=SUM(A1);5;1234.50;0.2500;\n"
        );
    }
}
