//! Per-customer summary files for `models fit|score --summary`, read the way order exports are:
//! UTF-8 with or without a byte-order mark or Windows-1251, separated by `,`, `;`, tab or `|`,
//! with `.` or `,` as the decimal mark (told from the values, or `--decimal`). A summary saved by
//! Excel in a Russian locale is `;`-separated with decimal commas; one written by pandas is
//! comma-separated with exponents in small numbers. Every value that cannot be read, and every
//! row no model can use, is refused with its line.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clientele_ingest::encoding::{TextEncoding, decode_chunk};
use clientele_ingest::layout::{Layout, LayoutError, SAMPLE_LINES, detect_layout};
use clientele_ingest::values::{NumberFormat, detect_number_format, parse_decimal_f64};
use clientele_models::{DiscreteTriple, Triple};

use super::input::{CustomerRow, ModelData};

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
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        // The whole file is at hand, so UTF-8 is whatever validates as a whole, and anything
        // else is Windows-1251 (every byte decodes), as the importer reads exports.
        let mut text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => decode_chunk(e.as_bytes(), TextEncoding::Windows1251)
                .map_err(|e| anyhow::anyhow!("{}: not valid text: {e}", path.display()))?
                .into_owned(),
        };
        // A header named "\u{feff}x" would not be found.
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let delimiter = match detect_layout(&text, true) {
            Ok(Layout::Delimited { delimiter, .. }) => delimiter,
            Err(LayoutError::Empty) => bail!("{}: no rows", path.display()),
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
            .with_context(|| format!("{}: line 1", path.display()))?
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
            let record = record.with_context(|| format!("{}", self.path.display()))?;
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
        let line = || self.line(row);
        let v = read_number(text, format).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: line {}, column {name}: '{text}' is not a number",
                self.path.display(),
                line()
            )
        })?;
        if !v.is_finite() {
            bail!(
                "{}: line {}, column {name}: '{text}' is not a finite number",
                self.path.display(),
                line()
            );
        }
        Ok(v)
    }

    /// `number`, which must be a whole number of periods.
    fn whole(&self, row: &Row, col: usize, format: NumberFormat) -> Result<u32> {
        let v = self.number(row, col, format)?;
        if v < 0.0 || v.fract() != 0.0 || v > f64::from(u32::MAX) {
            bail!(
                "{}: line {}, column {}: {v} is not a whole number of periods",
                self.path.display(),
                self.line(row),
                self.headers[col]
            );
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

fn no_rows(path: &Path) -> anyhow::Error {
    anyhow::anyhow!("{}: no rows", path.display())
}

/// A summary for the continuous-time models and Gamma-Gamma: `x,t_x,T[,zbar]` or lifetimes'
/// `frequency,recency,T[,monetary_value]`, with an id column.
pub fn read_summary(path: &Path, decimal: Option<u8>) -> Result<ModelData> {
    let file = SummaryFile::open(path, decimal)?;
    let (x, t_x, t, value) = match (
        file.find(&["x"]),
        file.find(&["t_x"]),
        file.find(&["frequency"]),
        file.find(&["recency"]),
    ) {
        (Some(x), Some(t_x), _, _) => (x, t_x, file.find(&["T"]), file.find(&["zbar"])),
        (_, _, Some(f), Some(r)) => (f, r, file.find(&["T"]), file.find(&["monetary_value"])),
        _ => bail!(
            "{}: expected columns x,t_x,T[,zbar] or frequency,recency,T[,monetary_value] (separated by '{}'); found {}",
            path.display(),
            char::from(file.delimiter),
            file.headers.join(",")
        ),
    };
    let Some(t) = t else {
        bail!("{}: no T column (the tenure)", path.display());
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
        let triple = Triple::new(
            file.number(&row, x, format)?,
            file.number(&row, t_x, format)?,
            file.number(&row, t, format)?,
        );
        if let Err(reason) = triple.check() {
            bail!("{}: line {}: {reason}", path.display(), file.line(&row));
        }
        // lifetimes writes 0 for customers without repeat purchases; a mean that is not
        // positive is no spend to model, and Gamma-Gamma's count of customers says how many
        // had one.
        let mean_value = match value {
            Some(c) => Some(file.number(&row, c, format)?).filter(|&v| v > 0.0),
            None => None,
        };
        rows.push(CustomerRow {
            id: file.id(&row, id_col, i),
            triple,
            mean_value,
            margin: None,
            holdout: None,
            first_purchase: None,
            repeat_days: Vec::new(),
        });
    }
    if rows.is_empty() {
        return Err(no_rows(path));
    }
    Ok(ModelData::Customers { rows, split: None })
}

/// BG/BB's patterns: `frequency,recency,periods[,weights]`.
pub fn read_patterns(path: &Path, decimal: Option<u8>) -> Result<ModelData> {
    let file = SummaryFile::open(path, decimal)?;
    let col = |name: &str| {
        file.find(&[name]).ok_or_else(|| {
            anyhow::anyhow!(
                "{}: BG/BB needs columns frequency,recency,periods[,weights]; no '{name}' among {}",
                path.display(),
                file.headers.join(",")
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
        let pattern = DiscreteTriple {
            x: file.whole(&row, f, format)?,
            t_x: file.whole(&row, r, format)?,
            n: file.whole(&row, n, format)?,
        };
        let weight = match w {
            Some(c) => file.number(&row, c, format)?,
            None => 1.0,
        };
        rows.push((file.id(&row, id_col, i), pattern, weight));
    }
    if rows.is_empty() {
        return Err(no_rows(path));
    }
    Ok(ModelData::Patterns(rows))
}

/// sBG's survival counts: a column `alive` (customers still active at the start of each period).
pub fn read_survival(path: &Path, decimal: Option<u8>) -> Result<ModelData> {
    let file = SummaryFile::open(path, decimal)?;
    let Some(alive) = file.find(&["alive", "active", "customers"]) else {
        bail!(
            "{}: sBG needs a column 'alive' (customers still active at the start of each period); found {}",
            path.display(),
            file.headers.join(",")
        );
    };
    let format = file.number_format(&[alive]);
    let counts = file
        .rows()
        .map(|row| file.number(&row?, alive, format))
        .collect::<Result<Vec<f64>>>()?;
    if counts.is_empty() {
        return Err(no_rows(path));
    }
    Ok(ModelData::Survival(counts))
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
