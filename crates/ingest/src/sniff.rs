//! Works out how to read an export from a sample: encoding, layout, header, columns, date and
//! number formats, with a sentence per decision so the user can see (and correct) each guess.
//!
//! Detection is tolerant of a few garbage rows (a totals line, a stray note) but never guesses
//! where the data cannot tell: ambiguous slash dates and missing columns are errors that say
//! which flag settles them.

use crate::columns::{ColumnMap, ColumnRef, Field, MappingError, looks_like_header, map_columns};
use crate::encoding::{
    InvalidText, TextEncoding, count_lines_by_encoding, decode_chunk, detect_encoding, strip_bom,
};
use crate::layout::{
    Layout, LayoutError, SAMPLE_LINES, csv_reader_builder, detect_layout, sample_lines, split_line,
};
use crate::values::{
    DateFormat, DetectError, NumberFormat, detect_number_format, guess_date_format, parse_date,
    parse_money,
};

/// What the user said on the command line, overriding detection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SniffOverrides {
    /// `--map COLUMN=FIELD` pairs, see [`crate::columns::parse_map_arg`].
    pub map: Vec<(ColumnRef, Field)>,
    pub date_format: Option<DateFormat>,
    /// `b'.'` or `b','`.
    pub decimal: Option<u8>,
    /// Whether the first row is a header, when the user says so.
    pub has_header: Option<bool>,
}

/// How to read a text export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextFormat {
    pub encoding: TextEncoding,
    pub layout: Layout,
    /// Whether the first non-blank line is a header (the reader must skip it).
    pub has_header: bool,
    pub header: Option<Vec<String>>,
    pub n_columns: usize,
    pub columns: ColumnMap,
    pub date_format: DateFormat,
    pub number_format: NumberFormat,
    /// One short sentence per decision, in the order they were made.
    pub notes: Vec<String>,
}

/// How to read rows that are already split into cells (a spreadsheet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowsFormat {
    pub has_header: bool,
    pub header: Option<Vec<String>>,
    /// Index (into the rows given) of the first data row; rows before it are leading blank rows
    /// and the header. Blank rows further down must still be skipped by the reader.
    pub data_start: usize,
    pub n_columns: usize,
    pub columns: ColumnMap,
    pub date_format: DateFormat,
    pub number_format: NumberFormat,
    pub notes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SniffError {
    #[error("the file is not valid text: {0}")]
    Text(#[from] InvalidText),
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("the file has no rows")]
    NoRows,
    #[error("the file has a header row but no data rows")]
    NoDataRows,
    #[error(transparent)]
    Mapping(#[from] MappingError),
    #[error("{column}: {source}")]
    Dates { column: String, source: DetectError },
    #[error("the decimal mark must be '.' or ',', not '{}'", char::from(*.0))]
    BadDecimal(u8),
}

/// The note of a file with a price column and neither an amount nor a quantity column.
pub const PRICE_AS_AMOUNT: &str =
    "amount: no amount or quantity column, so each line's price is taken as its amount";

/// Sniffs a text export from its first bytes (about 64 KiB). `sample_is_whole_file` says whether
/// the sample ends where the file ends; otherwise its last line may be cut and is not used.
pub fn sniff_text(
    sample: &[u8],
    sample_is_whole_file: bool,
    overrides: &SniffOverrides,
) -> Result<TextFormat, SniffError> {
    let mut notes = Vec::new();
    let encoding = detect_encoding(sample);
    let (utf8_lines, other_lines) = match std::str::from_utf8(sample) {
        Ok(_) => (0, 0),
        Err(_) => count_lines_by_encoding(sample),
    };
    notes.push(match (encoding, other_lines, utf8_lines) {
        (TextEncoding::Utf8, 0, _) => "encoding: UTF-8".to_string(),
        (TextEncoding::Utf8Bom, 0, _) => "encoding: UTF-8 (with byte-order mark)".to_string(),
        (TextEncoding::Utf8 | TextEncoding::Utf8Bom, n, _) => format!(
            "encoding: UTF-8, though {n} line(s) of the first {} KiB are not: each such line is refused, named",
            sample.len() >> 10
        ),
        (TextEncoding::Windows1251, _, 0) => {
            "encoding: Windows-1251 (bytes are not valid UTF-8)".to_string()
        }
        (TextEncoding::Windows1251, _, n) => format!(
            "encoding: Windows-1251 (bytes are not valid UTF-8), though {n} line(s) of the first {} KiB are UTF-8: each such line is refused, named",
            sample.len() >> 10
        ),
    });
    let mut bytes = strip_bom(sample);
    if !sample_is_whole_file {
        // Cut at the last line end so no character or line is split.
        if let Some(end) = bytes.iter().rposition(|&b| b == b'\n') {
            bytes = &bytes[..=end];
        }
    }
    let text = match decode_chunk(bytes, encoding) {
        Ok(t) => t,
        // A single unfinished line whose last character is cut off.
        Err(e)
            if !sample_is_whole_file
                && std::str::from_utf8(&bytes[e.offset..])
                    .is_err_and(|cut| cut.error_len().is_none()) =>
        {
            decode_chunk(&bytes[..e.offset], encoding)?
        }
        // Lines in another encoding: shown replaced here, refused one by one when read.
        Err(_) => String::from_utf8_lossy(bytes),
    };
    let layout = detect_layout(&text, sample_is_whole_file)?;
    notes.push(match &layout {
        Layout::Delimited { .. } => format!("separator: {}", layout.describe()),
        _ => format!("fields: {}", layout.describe()),
    });

    let rows: Vec<Vec<String>> = match csv_reader_builder(&layout) {
        Some(builder) => {
            let mut reader = builder.from_reader(text.as_bytes());
            let mut rows = Vec::new();
            let mut complete = sample_is_whole_file || text.ends_with('\n');
            let records: Vec<csv::StringRecord> = reader.records().filter_map(Result::ok).collect();
            let n = records.len();
            for (i, rec) in records.into_iter().enumerate() {
                // The last record of a cut sample may be incomplete unless the text ended a line.
                if i + 1 == n && !complete && n > 1 {
                    complete = true;
                    continue;
                }
                if rec.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                rows.push(rec.iter().map(|f| f.trim().to_string()).collect());
                if rows.len() == SAMPLE_LINES {
                    break;
                }
            }
            rows
        }
        None => {
            let mut fields = Vec::new();
            sample_lines(&text, sample_is_whole_file)
                .into_iter()
                .map(|line| {
                    split_line(line, &layout, &mut fields);
                    fields.iter().map(|f| f.to_string()).collect()
                })
                .collect()
        }
    };
    let delimiter = match layout {
        Layout::Delimited { delimiter, .. } => Some(delimiter),
        _ => None,
    };
    let a = analyse(&rows, overrides, delimiter, false, &mut notes)?;
    let n_columns = match &layout {
        Layout::FixedWidth { columns } => columns.len().max(a.n_columns),
        _ => a.n_columns,
    };
    Ok(TextFormat {
        encoding,
        layout,
        has_header: a.has_header,
        header: a.header,
        n_columns,
        columns: a.columns,
        date_format: a.date_format,
        number_format: a.number_format,
        notes,
    })
}

/// Sniffs rows already split into cells (from [`crate::xlsx::read_xlsx`]). Leading blank rows are
/// skipped; spreadsheet day numbers are accepted as a date format.
pub fn sniff_rows(
    rows: &[Vec<String>],
    overrides: &SniffOverrides,
) -> Result<RowsFormat, SniffError> {
    let blank = |r: &Vec<String>| r.iter().all(|c| c.trim().is_empty());
    let first = rows
        .iter()
        .position(|r| !blank(r))
        .ok_or(SniffError::NoRows)?;
    let sample: Vec<Vec<String>> = rows[first..]
        .iter()
        .filter(|r| !blank(r))
        .take(SAMPLE_LINES)
        .cloned()
        .collect();
    let mut notes = Vec::new();
    let a = analyse(&sample, overrides, None, true, &mut notes)?;
    let data_start = if a.has_header {
        // The header is rows[first]; data starts at the next row (blank rows are skipped later).
        first + 1
    } else {
        first
    };
    Ok(RowsFormat {
        has_header: a.has_header,
        header: a.header,
        data_start,
        n_columns: a.n_columns,
        columns: a.columns,
        date_format: a.date_format,
        number_format: a.number_format,
        notes,
    })
}

struct Analysis {
    has_header: bool,
    header: Option<Vec<String>>,
    n_columns: usize,
    columns: ColumnMap,
    date_format: DateFormat,
    number_format: NumberFormat,
}

/// Header, columns, dates and numbers from sample rows (blank rows already removed).
fn analyse(
    rows: &[Vec<String>],
    overrides: &SniffOverrides,
    delimiter: Option<u8>,
    allow_serial: bool,
    notes: &mut Vec<String>,
) -> Result<Analysis, SniffError> {
    let rows: Vec<Vec<&str>> = rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    let Some(first) = rows.first() else {
        return Err(SniffError::NoRows);
    };
    let has_header = match overrides.has_header {
        Some(h) => {
            notes.push(format!(
                "header row: {} (as told)",
                if h { "yes" } else { "no" }
            ));
            h
        }
        None => {
            let h = looks_like_header(first, &rows[1..]);
            notes.push(format!("header row: {}", if h { "yes" } else { "no" }));
            h
        }
    };
    let header: Option<Vec<String>> =
        has_header.then(|| first.iter().map(|h| h.trim().to_string()).collect());
    let n_columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let header_refs: Option<Vec<&str>> = header
        .as_ref()
        .map(|h| h.iter().map(String::as_str).collect());
    let columns = map_columns(header_refs.as_deref(), n_columns, &overrides.map)?;
    notes.extend(columns.decisions.iter().map(|d| d.describe()));
    if columns.get(Field::Amount).is_none()
        && columns.get(Field::Price).is_some()
        && columns.get(Field::Quantity).is_none()
    {
        notes.push(PRICE_AS_AMOUNT.to_string());
    }

    let data = &rows[usize::from(has_header)..];
    if data.is_empty() {
        return Err(SniffError::NoDataRows);
    }
    let column_values = |c: usize| -> Vec<&str> {
        data.iter()
            .filter_map(|r| r.get(c).copied())
            .filter(|v| !v.trim().is_empty())
            .collect()
    };
    let column_name = |c: usize| match &header {
        Some(h) => format!("column '{}'", h[c]),
        None => format!("column {}", c + 1),
    };

    // The date column always exists: map_columns refuses mappings without one.
    let date_col = columns.get(Field::Date).unwrap_or(0);
    let dates = column_values(date_col);
    let date_format = match overrides.date_format {
        Some(f) => {
            let failed: Vec<&&str> = dates.iter().filter(|v| parse_date(v, f).is_err()).collect();
            notes.push(match failed.first() {
                None => format!("dates: {} (as told)", f.pattern()),
                Some(ex) => format!(
                    "dates: {} (as told; {} of {} sample values do not parse, e.g. '{ex}')",
                    f.pattern(),
                    failed.len(),
                    dates.len()
                ),
            });
            f
        }
        None => {
            let guess =
                guess_date_format(&dates, allow_serial).map_err(|source| SniffError::Dates {
                    column: column_name(date_col),
                    source,
                })?;
            notes.push(match &guess.first_failure {
                None => format!("dates: {}", guess.format.pattern()),
                Some(ex) => format!(
                    "dates: {} ({} of {} sample values do not parse, e.g. '{ex}')",
                    guess.format.pattern(),
                    guess.failed,
                    guess.failed + guess.parsed
                ),
            });
            guess.format
        }
    };

    let number_format = match overrides.decimal {
        Some(d @ (b'.' | b',')) => {
            notes.push(format!("decimal mark: '{}' (as told)", char::from(d)));
            NumberFormat { decimal: d }
        }
        Some(d) => return Err(SniffError::BadDecimal(d)),
        None => {
            let numeric: Vec<&str> = columns
                .fields()
                .filter(|(f, _)| f.is_numeric())
                .flat_map(|(_, c)| column_values(c))
                .collect();
            let (f, note) = detect_number_format(&numeric, delimiter);
            notes.push(note.unwrap_or_else(|| {
                format!(
                    "decimal mark: '{}' (no sample value has decimals)",
                    char::from(f.decimal)
                )
            }));
            f
        }
    };

    let amount_col = columns
        .get(Field::Amount)
        .or_else(|| columns.get(Field::Price))
        .unwrap_or(0);
    let amounts = column_values(amount_col);
    let bad: Vec<&&str> = amounts
        .iter()
        .filter(|v| parse_money(v, number_format).is_err())
        .collect();
    if let Some(ex) = bad.first() {
        notes.push(format!(
            "amounts: {} of {} sample values in {} are not amounts, e.g. '{ex}'",
            bad.len(),
            amounts.len(),
            column_name(amount_col)
        ));
    }
    Ok(Analysis {
        has_header,
        header,
        n_columns,
        columns,
        date_format,
        number_format,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn overrides(map: &[&str]) -> SniffOverrides {
        SniffOverrides {
            map: map
                .iter()
                .map(|m| crate::columns::parse_map_arg(m).unwrap())
                .collect(),
            ..SniffOverrides::default()
        }
    }

    const CDNOW_SAMPLE_HEAD: &str = " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n 00004 0001 19970802  1   14.96\r\n 00004 0001 19971212  2   26.48\r\n 00021 0002 19970101  3   63.34\r\n";
    const CDNOW_MASTER_HEAD: &str = " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n 00002 19970112  5   77.00\r\n 00003 19970102  2   20.76\r\n";

    #[test]
    fn cdnow_master() {
        let f = sniff_text(
            CDNOW_MASTER_HEAD.as_bytes(),
            false,
            &SniffOverrides::default(),
        )
        .unwrap();
        assert_eq!(f.layout, Layout::Whitespace);
        assert!(f.has_header);
        assert_eq!(f.n_columns, 4);
        assert_eq!(f.columns.get(Field::CustomerId), Some(0));
        assert_eq!(f.columns.get(Field::Quantity), Some(2));
        assert_eq!(f.columns.get(Field::Amount), Some(3));
        assert_eq!(f.date_format, DateFormat::Ymd8);
        assert_eq!(f.number_format, NumberFormat::POINT);
        assert_eq!(
            f.notes[..3],
            [
                "encoding: UTF-8",
                "fields: runs of spaces",
                "header row: yes"
            ]
        );
    }

    #[test]
    fn cdnow_sample_needs_map() {
        let err = sniff_text(
            CDNOW_SAMPLE_HEAD.as_bytes(),
            true,
            &SniffOverrides::default(),
        )
        .unwrap_err();
        assert!(matches!(err, SniffError::Mapping(MappingError::NoHeader)));
        let ov = overrides(&["2=customer_id", "3=date", "4=quantity", "5=amount"]);
        let f = sniff_text(CDNOW_SAMPLE_HEAD.as_bytes(), true, &ov).unwrap();
        assert!(!f.has_header);
        assert_eq!(f.n_columns, 5);
        assert_eq!(f.date_format, DateFormat::Ymd8);
        assert!(
            f.notes.contains(&"column 5 → amount (--map)".to_string()),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn windows_1251_semicolon_russian() {
        let text = "Номер заказа;Дата;Покупатель;Сумма, руб\r\nA-1;31.01.2024;ООО Ромашка;1 234,50\r\nA-2;01.02.2024;ИП Сидоров;99,90\r\nИтого;;;1 334,40\r\n";
        let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(text);
        let f = sniff_text(&bytes, true, &SniffOverrides::default()).unwrap();
        assert_eq!(f.encoding, TextEncoding::Windows1251);
        assert_eq!(
            f.layout,
            Layout::Delimited {
                delimiter: b';',
                quote: Some(b'"')
            }
        );
        assert_eq!(f.header.as_ref().unwrap()[3], "Сумма, руб");
        assert_eq!(f.columns.get(Field::OrderId), Some(0));
        assert_eq!(f.columns.get(Field::CustomerId), Some(2));
        assert_eq!(f.date_format, DateFormat::DmyDot);
        assert_eq!(f.number_format, NumberFormat::COMMA);
        for expected in [
            "encoding: Windows-1251 (bytes are not valid UTF-8)",
            "separator: ';'",
            "header row: yes",
            "column 'Сумма, руб' → amount (header name)",
            "dates: DD.MM.YYYY",
        ] {
            assert!(
                f.notes.iter().any(|n| n == expected),
                "{expected} not in {:?}",
                f.notes
            );
        }
        assert!(
            f.notes
                .iter()
                .any(|n| n.starts_with("decimal mark: ',' (seen in '1 234,50'")),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn garbage_row_tolerated_and_noted() {
        let text = "\u{feff}email,date,amount\na@x.ru,2024-01-05,10.5\nb@x.ru,2024-01-06,7\nTOTAL,,17.5\nc@x.ru,n/a,1\n";
        let f = sniff_text(text.as_bytes(), true, &SniffOverrides::default()).unwrap();
        assert_eq!(f.encoding, TextEncoding::Utf8Bom);
        assert_eq!(f.header.as_ref().unwrap()[0], "email");
        assert_eq!(f.date_format, DateFormat::Iso);
        assert!(
            f.notes
                .iter()
                .any(|n| n == "dates: YYYY-MM-DD (1 of 3 sample values do not parse, e.g. 'n/a')"),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn ambiguous_dates_refused_and_overridable() {
        let text = "client,date,amount\n1,01/02/2024,5\n2,03/04/2024,6\n";
        let err = sniff_text(text.as_bytes(), true, &SniffOverrides::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("column 'date': dates like '01/02/2024' could be"),
            "{err}"
        );
        let ov = SniffOverrides {
            date_format: Some(DateFormat::MdySlash),
            ..SniffOverrides::default()
        };
        assert_eq!(
            sniff_text(text.as_bytes(), true, &ov).unwrap().date_format,
            DateFormat::MdySlash
        );
    }

    #[test]
    fn cut_sample_ignores_last_partial_line() {
        let text = "client;date;amount\n1;2024-01-01;1,5\n2;2024-01-02;2,5\n3;2024-0";
        let f = sniff_text(text.as_bytes(), false, &SniffOverrides::default()).unwrap();
        assert_eq!(f.date_format, DateFormat::Iso);
        assert!(
            !f.notes.iter().any(|n| n.contains("do not parse")),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn rows_from_a_spreadsheet() {
        let rows: Vec<Vec<String>> = [
            vec![],
            vec!["", "Клиент", "Дата", "Сумма"],
            vec!["", "Иван", "45322", "1234.5"],
            vec!["", "Анна", "45323", "10"],
        ]
        .into_iter()
        .map(|r| r.into_iter().map(String::from).collect())
        .collect();
        let f = sniff_rows(&rows, &SniffOverrides::default()).unwrap();
        assert!(f.has_header);
        assert_eq!(f.data_start, 2);
        assert_eq!(f.columns.get(Field::Amount), Some(3));
        assert_eq!(f.date_format, DateFormat::ExcelSerial);
        assert_eq!(f.number_format, NumberFormat::POINT);
        assert_eq!(
            sniff_rows(&[vec![]], &SniffOverrides::default()).unwrap_err(),
            SniffError::NoRows
        );
    }
}
