//! How the lines of a text export split into fields: a delimiter, runs of spaces, or fixed columns.
//!
//! Detection looks at a decoded sample of the file's first lines. A delimiter must give the same
//! number of fields on (nearly) every line; otherwise space-aligned files (the CDNOW logs, report
//! printouts) are split on whitespace when that is consistent, or cut at fixed column positions.

use std::ops::Range;

/// How one line of text splits into fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Separated by `delimiter`, with fields optionally quoted by `quote` (parse with the csv crate).
    Delimited { delimiter: u8, quote: Option<u8> },
    /// Separated by runs of spaces or tabs; leading and trailing whitespace is ignored.
    Whitespace,
    /// Columns at fixed character positions (Unicode scalar values, not bytes).
    FixedWidth { columns: Vec<Range<usize>> },
}

impl Layout {
    /// Short description for notes: `';'`, `tab`, `runs of spaces`, `fixed-width columns`.
    pub fn describe(&self) -> String {
        match self {
            Layout::Delimited {
                delimiter: b'\t', ..
            } => "tab".to_string(),
            Layout::Delimited { delimiter, .. } => format!("'{}'", char::from(*delimiter)),
            Layout::Whitespace => "runs of spaces".to_string(),
            Layout::FixedWidth { columns } => format!("{} fixed-width columns", columns.len()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutError {
    #[error("the file has no non-blank lines")]
    Empty,
    #[error(
        "cannot tell how fields are separated: no ',', ';', tab or '|' gives the same number of fields on every line, and the lines do not split into columns on spaces"
    )]
    NoSeparator,
}

/// Delimiters tried, in order of preference when two are equally good.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Lines looked at.
pub const SAMPLE_LINES: usize = 200;
/// Share of records that must have the most common field count for a delimiter to qualify.
const MIN_CONSISTENCY: f64 = 0.8;

/// The non-blank lines of a sample (CR stripped), at most [`SAMPLE_LINES`]. Unless the sample is
/// the whole file, its last line may be cut short and is dropped (when it is not the only one).
pub fn sample_lines(text: &str, sample_is_whole_file: bool) -> Vec<&str> {
    let last_is_cut = !sample_is_whole_file && !text.ends_with('\n');
    // Lazily: the text may be a whole file of millions of lines (a summary file), of which
    // only the first few hundred are wanted.
    let mut pieces = text.split('\n').enumerate().peekable();
    let mut lines = Vec::new();
    while let Some((i, line)) = pieces.next() {
        if last_is_cut && i > 0 && pieces.peek().is_none() {
            break;
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !line.trim().is_empty() {
            lines.push(line);
            if lines.len() == SAMPLE_LINES {
                break;
            }
        }
    }
    lines
}

/// Detects the layout of a decoded sample (the first ~64 KiB of the file).
pub fn detect_layout(sample: &str, sample_is_whole_file: bool) -> Result<Layout, LayoutError> {
    let lines = sample_lines(sample, sample_is_whole_file);
    if lines.is_empty() {
        return Err(LayoutError::Empty);
    }
    if let Some(delimiter) = best_delimiter(&lines) {
        return Ok(Layout::Delimited {
            delimiter,
            quote: Some(b'"'),
        });
    }
    let counts: Vec<usize> = lines
        .iter()
        .map(|l| l.split_ascii_whitespace().count())
        .collect();
    if counts[0] > 1 && counts.iter().all(|&c| c == counts[0]) {
        return Ok(Layout::Whitespace);
    }
    let columns = fixed_columns(&lines);
    if columns.len() > 1 {
        Ok(Layout::FixedWidth { columns })
    } else {
        Err(LayoutError::NoSeparator)
    }
}

/// The delimiter whose field counts are most consistent (then largest), if any qualifies.
fn best_delimiter(lines: &[&str]) -> Option<u8> {
    // Rejoining the lines lets the csv reader see quoted fields that span lines.
    let body = lines.join("\n");
    let mut best: Option<(f64, usize, u8)> = None;
    for d in CANDIDATES {
        if !body.as_bytes().contains(&d) {
            continue;
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(d)
            .from_reader(body.as_bytes());
        let counts: Vec<usize> = reader
            .records()
            .filter_map(Result::ok)
            .map(|r| r.len())
            .collect();
        let Some((mode, freq)) = mode(&counts) else {
            continue;
        };
        let consistency = freq as f64 / counts.len() as f64;
        if mode < 2 || consistency < MIN_CONSISTENCY {
            continue;
        }
        if best.is_none_or(|(c, m, _)| consistency > c || (consistency == c && mode > m)) {
            best = Some((consistency, mode, d));
        }
    }
    best.map(|(_, _, d)| d)
}

/// Most common value and how often it occurs (the larger value wins ties).
fn mode(counts: &[usize]) -> Option<(usize, usize)> {
    let mut sorted = counts.to_vec();
    sorted.sort_unstable();
    let mut best: Option<(usize, usize)> = None;
    for chunk in sorted.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(_, f)| chunk.len() >= f) {
            best = Some((chunk[0], chunk.len()));
        }
    }
    best
}

/// Maximal runs of character positions that are non-blank in at least one line.
fn fixed_columns(lines: &[&str]) -> Vec<Range<usize>> {
    let mut used: Vec<bool> = Vec::new();
    for line in lines {
        for (pos, ch) in line.chars().enumerate() {
            if !ch.is_whitespace() {
                if used.len() <= pos {
                    used.resize(pos + 1, false);
                }
                used[pos] = true;
            }
        }
    }
    let mut columns = Vec::new();
    let mut start = None;
    for (pos, &u) in used.iter().chain(std::iter::once(&false)).enumerate() {
        match (u, start) {
            (true, None) => start = Some(pos),
            (false, Some(s)) => {
                columns.push(s..pos);
                start = None;
            }
            _ => {}
        }
    }
    columns
}

/// Splits one line (CR tolerated) into trimmed fields, replacing `out`'s contents.
///
/// For `FixedWidth`, each field reaches from the middle of the gap before its column to the middle
/// of the gap after it, so values a little wider than any in the sample are not cut. For
/// `Delimited` this is a simple quote-aware split that strips surrounding quotes but leaves doubled
/// quotes inside as written and cannot follow fields across lines: use [`csv_reader_builder`] for
/// real delimited data.
pub fn split_line<'a>(line: &'a str, layout: &Layout, out: &mut Vec<&'a str>) {
    out.clear();
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    match layout {
        Layout::Whitespace => out.extend(line.split_ascii_whitespace()),
        Layout::FixedWidth { columns } => split_fixed(line, columns, out),
        Layout::Delimited { delimiter, quote } => split_delimited(line, *delimiter, *quote, out),
    }
}

fn split_fixed<'a>(line: &'a str, columns: &[Range<usize>], out: &mut Vec<&'a str>) {
    let cut = |i: usize| {
        if i == 0 {
            0
        } else {
            (columns[i - 1].end + columns[i].start) / 2
        }
    };
    // Character position → byte offset; ASCII lines (the usual case) need no table.
    let byte_at = |pos: usize| -> usize {
        if line.is_ascii() {
            pos.min(line.len())
        } else {
            line.char_indices().nth(pos).map_or(line.len(), |(b, _)| b)
        }
    };
    for i in 0..columns.len() {
        let start = byte_at(cut(i));
        let end = if i + 1 == columns.len() {
            line.len()
        } else {
            byte_at(cut(i + 1))
        };
        out.push(line[start..end].trim());
    }
}

fn split_delimited<'a>(line: &'a str, delimiter: u8, quote: Option<u8>, out: &mut Vec<&'a str>) {
    let unquote = |f: &'a str| -> &'a str {
        let f = f.trim();
        match quote {
            Some(q) if f.len() >= 2 && f.as_bytes()[0] == q && f.as_bytes()[f.len() - 1] == q => {
                &f[1..f.len() - 1]
            }
            _ => f,
        }
    };
    let mut in_quotes = false;
    let mut start = 0;
    for (i, &b) in line.as_bytes().iter().enumerate() {
        if Some(b) == quote {
            in_quotes = !in_quotes;
        } else if b == delimiter && !in_quotes {
            out.push(unquote(&line[start..i]));
            start = i + 1;
        }
    }
    out.push(unquote(&line[start..]));
}

/// A csv reader configured for a delimited layout: flexible field counts, no header handling
/// (the sniffer decides about headers), the detected delimiter and quoting. `None` for layouts
/// that are not delimited.
pub fn csv_reader_builder(layout: &Layout) -> Option<csv::ReaderBuilder> {
    let Layout::Delimited { delimiter, quote } = layout else {
        return None;
    };
    let mut builder = csv::ReaderBuilder::new();
    builder
        .flexible(true)
        .has_headers(false)
        .delimiter(*delimiter);
    match quote {
        Some(q) => builder.quoting(true).quote(*q),
        None => builder.quoting(false),
    };
    Some(builder)
}

#[cfg(test)]
mod tests {
    use super::*;

    // First lines of /work/shared/data/cdnow, byte for byte (CRLF line ends).
    pub(crate) const CDNOW_SAMPLE_HEAD: &str = " 00004 0001 19970101  2   29.33\r\n 00004 0001 19970118  2   29.73\r\n 00004 0001 19970802  1   14.96\r\n 00004 0001 19971212  2   26.48\r\n 00021 0002 19970101  3   63.34\r\n";
    pub(crate) const CDNOW_MASTER_HEAD: &str = " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 19970112  1   12.00\r\n 00002 19970112  5   77.00\r\n 00003 19970102  2   20.76\r\n";

    fn fields<'a>(line: &'a str, layout: &Layout) -> Vec<&'a str> {
        let mut out = Vec::new();
        split_line(line, layout, &mut out);
        out
    }

    #[test]
    fn cdnow_files_split_on_whitespace() {
        for (head, n) in [(CDNOW_SAMPLE_HEAD, 5), (CDNOW_MASTER_HEAD, 4)] {
            // Also with the sample cut in the middle of a line.
            for sample in [head, &head[..head.len() - 7]] {
                let whole = sample.len() == head.len();
                assert_eq!(detect_layout(sample, whole), Ok(Layout::Whitespace));
            }
            let first_data = head.lines().last().unwrap();
            assert_eq!(fields(first_data, &Layout::Whitespace).len(), n);
        }
        assert_eq!(
            fields(" 00004 0001 19970101  2   29.33\r", &Layout::Whitespace),
            ["00004", "0001", "19970101", "2", "29.33"]
        );
    }

    #[test]
    fn delimiters() {
        let semi = "Клиент;Дата;Сумма\nИван;31.01.2024;1 234,50\nПётр;01.02.2024;99,90\n";
        assert_eq!(
            detect_layout(semi, true),
            Ok(Layout::Delimited {
                delimiter: b';',
                quote: Some(b'"')
            })
        );
        let comma = "id,date,amount\n1,2024-01-01,\"1,234.50\"\n2,2024-01-02,5\n";
        assert_eq!(
            detect_layout(comma, true),
            Ok(Layout::Delimited {
                delimiter: b',',
                quote: Some(b'"')
            })
        );
        let tab = "a\tb\tc\n1,5\t2\t3\n4,5\t5\t6\n";
        assert_eq!(detect_layout(tab, true).unwrap().describe(), "tab");
        let pipe = "a|b\n1|2\n";
        assert_eq!(detect_layout(pipe, true).unwrap().describe(), "'|'");
        assert_eq!(detect_layout("\n \r\n", true), Err(LayoutError::Empty));
        assert_eq!(
            detect_layout("one\ntwo\n", true),
            Err(LayoutError::NoSeparator)
        );
    }

    #[test]
    fn fixed_width_when_whitespace_is_inconsistent() {
        let text = "Ivan Petrov   2024-01-01   10.00\nAnna          2024-01-02  200.00\n";
        let layout = detect_layout(text, true).unwrap();
        let Layout::FixedWidth { columns } = &layout else {
            panic!("{layout:?}")
        };
        assert_eq!(columns.len(), 4); // "Ivan", "Petrov", date, amount
        let merged = Layout::FixedWidth {
            columns: vec![0..11, 14..24, 26..32],
        };
        assert_eq!(
            fields("Ivan Petrov   2024-01-01   10.00\r", &merged),
            ["Ivan Petrov", "2024-01-01", "10.00"]
        );
        assert_eq!(
            fields("Ёжик          2024-01-02 1200.00", &merged),
            ["Ёжик", "2024-01-02", "1200.00"]
        );
        assert_eq!(fields("short", &merged), ["short", "", ""]);
    }

    #[test]
    fn simple_delimited_split_and_csv_builder() {
        let layout = Layout::Delimited {
            delimiter: b';',
            quote: Some(b'"'),
        };
        assert_eq!(fields("a; \"b;c\" ;d\r", &layout), ["a", "b;c", "d"]);
        let mut reader = csv_reader_builder(&layout)
            .unwrap()
            .from_reader("x;\"1;2\"\ny\n".as_bytes());
        let lens: Vec<usize> = reader.records().map(|r| r.unwrap().len()).collect();
        assert_eq!(lens, [2, 1]);
        assert!(csv_reader_builder(&Layout::Whitespace).is_none());
    }
}
