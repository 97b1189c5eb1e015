//! Per-customer summary files for the customer-base models (`clientele models fit|score
//! --summary`), read the way order exports are: UTF-8 with or without a byte-order mark or
//! Windows-1251, separated by `,`, `;`, tab or `|`, with `.` or `,` as the decimal mark (told from
//! the values, or given). A summary saved by Excel in a Russian locale is `;`-separated with
//! decimal commas; one written by pandas is comma-separated with exponents in small numbers.
//! Every value that cannot be read, and every row no model can use, is refused with its line.
//!
//! Three shapes: a continuous-time summary ([`read_summary`]: `x,t_x,T[,zbar]` or lifetimes'
//! `frequency,recency,T[,monetary_value]`), BG/BB's patterns ([`read_patterns`]) and sBG's
//! survival counts ([`read_survival`]). The rows are plain numbers: what a model makes of them is
//! the caller's (the reader of a continuous-time summary takes the caller's check of each row).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::encoding::{InvalidText, TextEncoding, decode_chunk};
use crate::layout::{Layout, LayoutError, SAMPLE_LINES, detect_layout};
use crate::values::{NumberFormat, detect_number_format, parse_decimal_f64};

/// Why a summary file cannot be read; every message names the file, and the line when one is at
/// fault.
#[derive(Debug, thiserror::Error)]
pub enum SummaryFileError {
    #[error("reading {}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not valid text: {error}", .path.display())]
    NotText { path: PathBuf, error: InvalidText },
    #[error("{}: no rows", .path.display())]
    NoRows { path: PathBuf },
    /// The header line is not a record the csv reader can read.
    #[error("{}: line 1", .path.display())]
    Header { path: PathBuf, source: csv::Error },
    /// A data record the csv reader cannot read (its error names the line).
    #[error("{}", .path.display())]
    Record { path: PathBuf, source: csv::Error },
    /// The columns the model needs are not in the header.
    #[error("{}: {message}", .path.display())]
    Columns { path: PathBuf, message: String },
    #[error("{}: line {line}, column {column}: '{text}' is not a number", .path.display())]
    NotANumber {
        path: PathBuf,
        line: u64,
        column: String,
        text: String,
    },
    #[error("{}: line {line}, column {column}: '{text}' is not a finite number", .path.display())]
    NotFinite {
        path: PathBuf,
        line: u64,
        column: String,
        text: String,
    },
    #[error("{}: line {line}, column {column}: {value} is not a whole number of periods", .path.display())]
    NotWhole {
        path: PathBuf,
        line: u64,
        column: String,
        value: f64,
    },
    /// A row the caller's check refused.
    #[error("{}: line {line}: {reason}", .path.display())]
    Row {
        path: PathBuf,
        line: u64,
        reason: String,
    },
}

type Result<T, E = SummaryFileError> = std::result::Result<T, E>;

/// One customer of a continuous-time summary: repeat purchases `x`, the time of the last one
/// `t_x` and the tenure `t`, in the file's time unit.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryCustomer {
    /// The id column's value, else the 1-based row number.
    pub id: String,
    pub x: f64,
    pub t_x: f64,
    pub t: f64,
    /// The mean value of the repeat purchases, when the file has one and it is positive.
    pub mean_value: Option<f64>,
}

/// One BG/BB pattern: purchases in `frequency` of `periods` opportunities, the last in period
/// `recency`, shared by `weight` customers.
#[derive(Clone, Debug, PartialEq)]
pub struct SummaryPattern {
    /// The id column's value, else the 1-based row number.
    pub id: String,
    pub frequency: u32,
    pub recency: u32,
    pub periods: u32,
    pub weight: f64,
}

/// A summary file decoded into text, with its separator and header.
struct SummaryFile {
    path: PathBuf,
    text: String,
    delimiter: u8,
    headers: Vec<String>,
    /// `--decimal`, when given; else the mark is told from the columns read.
    decimal: Option<u8>,
}

/// One data row, and where it starts in the text (its line is counted only for a message).
struct Row {
    start: usize,
    record: csv::StringRecord,
}

impl SummaryFile {
    fn open(path: &Path, decimal: Option<u8>) -> Result<SummaryFile> {
        let bytes = std::fs::read(path).map_err(|source| SummaryFileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        // The whole file is at hand, so UTF-8 is whatever validates as a whole, and anything
        // else is Windows-1251 (every byte decodes), as the importer reads exports.
        let mut text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => decode_chunk(e.as_bytes(), TextEncoding::Windows1251)
                .map_err(|error| SummaryFileError::NotText {
                    path: path.to_path_buf(),
                    error,
                })?
                .into_owned(),
        };
        // A header named "\u{feff}x" would not be found.
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let delimiter = match detect_layout(&text, true) {
            Ok(Layout::Delimited { delimiter, .. }) => delimiter,
            Err(LayoutError::Empty) => return Err(no_rows(path)),
            // One column (sBG's `alive` alone) has no separator to find; a file split by spaces
            // is not a summary any tool writes, and its header will not match below.
            Ok(_) | Err(LayoutError::NoSeparator) => b',',
        };
        let mut file = SummaryFile {
            path: path.to_path_buf(),
            text,
            delimiter,
            headers: Vec::new(),
            decimal,
        };
        let mut reader = file.reader();
        file.headers = reader
            .headers()
            .map_err(|source| SummaryFileError::Header {
                path: path.to_path_buf(),
                source,
            })?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        Ok(file)
    }

    fn reader(&self) -> csv::Reader<&[u8]> {
        csv::ReaderBuilder::new()
            .delimiter(self.delimiter)
            .flexible(false)
            .from_reader(self.text.as_bytes())
    }

    /// The data rows.
    fn rows(&self) -> impl Iterator<Item = Result<Row>> + '_ {
        self.reader().into_records().map(move |record| {
            let record = record.map_err(|source| SummaryFileError::Record {
                path: self.path.clone(),
                source,
            })?;
            let start = record.position().map_or(0, |p| p.byte() as usize);
            Ok(Row { start, record })
        })
    }

    /// The 1-based line `row` starts on. Counted from the record's first byte rather than taken
    /// from its position: after a CRLF, the csv crate starts the next record at the `\n` and
    /// still counts the line before (the `\n` is counted here, being the record's first byte).
    fn line(&self, row: &Row) -> u64 {
        let through = (row.start + 1).min(self.text.len());
        1 + memchr::memchr_iter(b'\n', &self.text.as_bytes()[..through]).count() as u64
    }

    /// The position of the first column named any of `names` (case-insensitive).
    fn find(&self, names: &[&str]) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    }

    /// The decimal mark of the numeric `columns`, from the first rows' values unless `--decimal`
    /// gave it. A `;`-separated file whose values could be read either way gets the comma, as the
    /// importer assumes.
    fn number_format(&self, columns: &[usize]) -> NumberFormat {
        if let Some(decimal) = self.decimal {
            return NumberFormat { decimal };
        }
        let sample: Vec<csv::StringRecord> = self
            .reader()
            .into_records()
            .take(SAMPLE_LINES)
            .filter_map(Result::ok)
            .collect();
        let values: Vec<&str> = sample
            .iter()
            .flat_map(|r| columns.iter().filter_map(|&c| r.get(c)))
            .collect();
        detect_number_format(&values, Some(self.delimiter)).0
    }

    fn number(&self, row: &Row, col: usize, format: NumberFormat) -> Result<f64> {
        let text = row.record.get(col).unwrap_or("").trim();
        let name = &self.headers[col];
        let v = read_number(text, format).ok_or_else(|| SummaryFileError::NotANumber {
            path: self.path.clone(),
            line: self.line(row),
            column: name.clone(),
            text: text.to_string(),
        })?;
        if !v.is_finite() {
            return Err(SummaryFileError::NotFinite {
                path: self.path.clone(),
                line: self.line(row),
                column: name.clone(),
                text: text.to_string(),
            });
        }
        Ok(v)
    }

    /// `number`, which must be a whole number of periods.
    fn whole(&self, row: &Row, col: usize, format: NumberFormat) -> Result<u32> {
        let v = self.number(row, col, format)?;
        if v < 0.0 || v.fract() != 0.0 || v > f64::from(u32::MAX) {
            return Err(SummaryFileError::NotWhole {
                path: self.path.clone(),
                line: self.line(row),
                column: self.headers[col].clone(),
                value: v,
            });
        }
        Ok(v as u32)
    }

    fn id(&self, row: &Row, col: Option<usize>, index: usize) -> String {
        match col {
            Some(c) => row.record.get(c).unwrap_or("").trim().to_string(),
            None => (index + 1).to_string(),
        }
    }
}

/// `text` as a number in `format`. Plain numbers are read exactly as Rust reads them (the
/// shortest round-trip digits `models summary` writes, exponents as pandas writes them), with a
/// decimal comma taken for the point; anything else (thousands separators, `1 234,5`) the way
/// the importer reads amounts.
fn read_number(text: &str, format: NumberFormat) -> Option<f64> {
    let plain: Cow<str> = if format.decimal == b',' {
        if text.contains('.') {
            // A point beside a decimal comma groups thousands: not a plain number.
            Cow::Borrowed("")
        } else {
            Cow::Owned(text.replacen(',', ".", 1))
        }
    } else {
        Cow::Borrowed(text)
    };
    if let Ok(v) = plain.parse::<f64>() {
        return Some(v);
    }
    parse_decimal_f64(text, format).ok()
}

fn no_rows(path: &Path) -> SummaryFileError {
    SummaryFileError::NoRows {
        path: path.to_path_buf(),
    }
}

fn columns(path: &Path, message: String) -> SummaryFileError {
    SummaryFileError::Columns {
        path: path.to_path_buf(),
        message,
    }
}

/// A summary for the continuous-time models and Gamma-Gamma: `x,t_x,T[,zbar]` or lifetimes'
/// `frequency,recency,T[,monetary_value]`, with an id column. `decimal` is the decimal mark when
/// the caller knows it. `check_row` sees each row's `(x, t_x, T)` as soon as they are read, and
/// its refusal stops the reading with the row's line.
pub fn read_summary(
    path: &Path,
    decimal: Option<u8>,
    mut check_row: impl FnMut(f64, f64, f64) -> Result<(), String>,
) -> Result<Vec<SummaryCustomer>> {
    let file = SummaryFile::open(path, decimal)?;
    let (x, t_x, t, value) = match (
        file.find(&["x"]),
        file.find(&["t_x"]),
        file.find(&["frequency"]),
        file.find(&["recency"]),
    ) {
        (Some(x), Some(t_x), _, _) => (x, t_x, file.find(&["T"]), file.find(&["zbar"])),
        (_, _, Some(f), Some(r)) => (f, r, file.find(&["T"]), file.find(&["monetary_value"])),
        _ => {
            return Err(columns(
                path,
                format!(
                    "expected columns x,t_x,T[,zbar] or frequency,recency,T[,monetary_value] (separated by '{}'); found {}",
                    char::from(file.delimiter),
                    file.headers.join(",")
                ),
            ));
        }
    };
    let Some(t) = t else {
        return Err(columns(path, "no T column (the tenure)".to_string()));
    };
    let used = [Some(x), Some(t_x), Some(t), value];
    // The id: a column so named, else the first column the model does not use, else the line.
    let id_col = file
        .find(&["id", "customer_id", "customerid", "cust_id", ""])
        .or_else(|| (0..file.headers.len()).find(|i| !used.contains(&Some(*i))));
    let format = file.number_format(&used.into_iter().flatten().collect::<Vec<_>>());
    let mut rows = Vec::new();
    for (i, row) in file.rows().enumerate() {
        let row = row?;
        let (x, t_x, t) = (
            file.number(&row, x, format)?,
            file.number(&row, t_x, format)?,
            file.number(&row, t, format)?,
        );
        if let Err(reason) = check_row(x, t_x, t) {
            return Err(SummaryFileError::Row {
                path: path.to_path_buf(),
                line: file.line(&row),
                reason,
            });
        }
        // lifetimes writes 0 for customers without repeat purchases; a mean that is not
        // positive is no spend to model, and Gamma-Gamma's count of customers says how many
        // had one.
        let mean_value = match value {
            Some(c) => Some(file.number(&row, c, format)?).filter(|&v| v > 0.0),
            None => None,
        };
        rows.push(SummaryCustomer {
            id: file.id(&row, id_col, i),
            x,
            t_x,
            t,
            mean_value,
        });
    }
    if rows.is_empty() {
        return Err(no_rows(path));
    }
    Ok(rows)
}

/// BG/BB's patterns: `frequency,recency,periods[,weights]`.
pub fn read_patterns(path: &Path, decimal: Option<u8>) -> Result<Vec<SummaryPattern>> {
    let file = SummaryFile::open(path, decimal)?;
    let col = |name: &str| {
        file.find(&[name]).ok_or_else(|| {
            columns(
                path,
                format!(
                    "BG/BB needs columns frequency,recency,periods[,weights]; no '{name}' among {}",
                    file.headers.join(",")
                ),
            )
        })
    };
    let (f, r, n) = (col("frequency")?, col("recency")?, col("periods")?);
    let w = file.find(&["weights", "weight", "count"]);
    let id_col = file.find(&["id", "customer_id"]);
    let format = file.number_format(
        &[Some(f), Some(r), Some(n), w]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>(),
    );
    let mut rows = Vec::new();
    for (i, row) in file.rows().enumerate() {
        let row = row?;
        let (frequency, recency, periods) = (
            file.whole(&row, f, format)?,
            file.whole(&row, r, format)?,
            file.whole(&row, n, format)?,
        );
        let weight = match w {
            Some(c) => file.number(&row, c, format)?,
            None => 1.0,
        };
        rows.push(SummaryPattern {
            id: file.id(&row, id_col, i),
            frequency,
            recency,
            periods,
            weight,
        });
    }
    if rows.is_empty() {
        return Err(no_rows(path));
    }
    Ok(rows)
}

/// sBG's survival counts: a column `alive` (customers still active at the start of each period).
pub fn read_survival(path: &Path, decimal: Option<u8>) -> Result<Vec<f64>> {
    let file = SummaryFile::open(path, decimal)?;
    let Some(alive) = file.find(&["alive", "active", "customers"]) else {
        return Err(columns(
            path,
            format!(
                "sBG needs a column 'alive' (customers still active at the start of each period); found {}",
                file.headers.join(",")
            ),
        ));
    };
    let format = file.number_format(&[alive]);
    let counts = file
        .rows()
        .map(|row| file.number(&row?, alive, format))
        .collect::<Result<Vec<f64>>>()?;
    if counts.is_empty() {
        return Err(no_rows(path));
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_in_either_decimal_mark() {
        let point = NumberFormat::POINT;
        let comma = NumberFormat::COMMA;
        assert_eq!(read_number("30.43", point), Some(30.43));
        assert_eq!(read_number("1.5e-05", point), Some(1.5e-5));
        assert_eq!(read_number("1,234.5", point), Some(1234.5));
        assert_eq!(read_number("30,43", comma), Some(30.43));
        assert_eq!(read_number("1 234,5", comma), Some(1234.5));
        assert_eq!(read_number("1.234,5", comma), Some(1234.5));
        assert_eq!(read_number("-2", comma), Some(-2.0));
        assert_eq!(read_number("two", point), None);
        assert_eq!(read_number("", comma), None);
        // A decimal comma read with the point is refused, not misread as thousands.
        assert_eq!(read_number("30,43", point), None);
    }
}
