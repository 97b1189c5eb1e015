//! Splitting one decoded block of whole records into rows of cells, with each row's line number
//! and raw text. The summarising pipeline (`pipeline/`) and the row streamer for the store
//! (`rows.rs`) both read blocks through this one function, so a file splits into the same rows,
//! with the same line numbers, whichever path reads it.

use crate::encoding::{TextEncoding, Undecodable, decode_chunk, undecodable_line};
use crate::layout::{Layout, csv_reader_builder, split_line};

/// A row's cells, whether split by the csv reader or by the whitespace/fixed-width splitter.
pub(crate) trait Cells<'a> {
    fn cell(&self, i: usize) -> Option<&'a str>;
    fn all_blank(&self) -> bool;
}

/// `str::trim`, without decoding characters for the usual cell that starts and ends with a
/// visible ASCII character (nothing to trim): this runs for every cell a row is read from.
#[inline]
pub(crate) fn trim_cell(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

impl<'a> Cells<'a> for &'a csv::StringRecord {
    #[inline]
    fn cell(&self, i: usize) -> Option<&'a str> {
        self.get(i)
    }
    fn all_blank(&self) -> bool {
        self.iter().all(|f| trim_cell(f).is_empty())
    }
}

impl<'a> Cells<'a> for &[&'a str] {
    #[inline]
    fn cell(&self, i: usize) -> Option<&'a str> {
        self.get(i).copied()
    }
    fn all_blank(&self) -> bool {
        self.iter().all(|f| trim_cell(f).is_empty())
    }
}

/// What a block's records are handed to.
pub(crate) trait RecordVisitor {
    /// One record: its cells, its text without the line end, and its 1-based line in the file.
    fn row<'a>(&mut self, cells: &impl Cells<'a>, raw: &str, line: u64);
    /// A record the csv reader could not split into fields (for example an unclosed quote).
    fn unsplittable(&mut self, line: u64, error: &csv::Error);
    /// A record that cannot be read in the file's encoding: its line, why, and its text as well
    /// as it can be shown (bytes that do not decode replaced).
    fn undecodable(&mut self, line: u64, reason: &str, raw: &str);
}

/// Where the records read by the csv crate start, and on which line. The reader's own line
/// count is one short after CRLF line ends (it starts the next record at the `\n`), so the
/// newlines before each record's first byte are counted here, once over the text as the records
/// go by.
#[derive(Default)]
pub(crate) struct RecordLines {
    counted_to: usize,
    lines_before: u64,
}

impl RecordLines {
    /// The byte where `record` (the next one read from `text`) starts, past any line end the
    /// reader left before it, and the number of lines before it.
    pub(crate) fn locate(&mut self, text: &[u8], record: &csv::StringRecord) -> (usize, u64) {
        let mut start = record.position().map_or(0, |p| p.byte() as usize);
        while matches!(text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        self.lines_before +=
            memchr::memchr_iter(b'\n', &text[self.counted_to.min(start)..start]).count() as u64;
        self.counted_to = self.counted_to.max(start);
        (start, self.lines_before)
    }
}

/// Hands every record of `text` (a block that starts at line `first_line` and ends at a record
/// boundary) to `visitor`, skipping the header row first when `skip_header` is set. Empty lines
/// are not records; a whitespace-only line is passed on and left to the visitor (the row
/// parsers ignore blank rows without counting them). Returns whether the header is still to be
/// skipped (the text held no record).
pub(crate) fn visit_records(
    text: &str,
    layout: &Layout,
    first_line: u64,
    mut skip_header: bool,
    record: &mut csv::StringRecord,
    visitor: &mut impl RecordVisitor,
) -> bool {
    let mut fields: Vec<&str> = Vec::new();
    if let Some(delimiter) = plain_delimited(layout, text.as_bytes()) {
        // No quotes and no bare carriage returns: a record is a line and a field is what lies
        // between delimiters, so the csv state machine (several times slower) is not needed.
        // One pass over the block finds delimiters and line ends together, eight bytes at a
        // time. A `memchr` search per line and another per field paid the vector search's
        // start-up cost eleven times a row, since the hits are only a few bytes apart.
        let bytes = text.as_bytes();
        let mut line = first_line;
        let (mut line_start, mut field_start) = (0usize, 0usize);
        let mut ends = ByteHits::new(bytes, delimiter, b'\n');
        loop {
            let line_end = match ends.next() {
                Some(i) if bytes[i] == delimiter => {
                    fields.push(&text[field_start..i]);
                    field_start = i + 1;
                    continue;
                }
                Some(i) => i,
                None if line_start < bytes.len() => bytes.len(),
                None => break,
            };
            // A delimiter is never a carriage return, so the last field starts at or before it.
            let end = if bytes[line_start..line_end].last() == Some(&b'\r') {
                line_end - 1
            } else {
                line_end
            };
            let at = line;
            line += 1;
            if end > line_start {
                // Empty lines are not records (the csv reader skips them too).
                fields.push(&text[field_start..end]);
                if skip_header && !(&fields.as_slice()).all_blank() {
                    skip_header = false;
                } else {
                    visitor.row(&fields.as_slice(), &text[line_start..end], at);
                }
            }
            fields.clear();
            line_start = line_end + 1;
            field_start = line_start;
        }
        return skip_header;
    }
    match csv_reader_builder(layout) {
        Some(builder) => {
            let mut rdr = builder.from_reader(text.as_bytes());
            let mut lines = RecordLines::default();
            loop {
                match rdr.read_record(record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let (start, lines_before) = lines.locate(text.as_bytes(), record);
                        if skip_header && !(&*record).all_blank() {
                            skip_header = false;
                            continue;
                        }
                        // The whole record, all its lines when a quoted field holds line
                        // breaks: the reader stops at or just after its line end.
                        let end = (rdr.position().byte() as usize).clamp(start, text.len());
                        let raw = text[start..end].trim_end_matches(['\r', '\n']);
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
    skip_header
}

/// [`visit_records`] for a block of whole records as read from the file, decoded in `encoding`.
/// A record that cannot be read in the encoding (see [`undecodable_line`]) goes to
/// [`RecordVisitor::undecodable`] with its line and what is wrong, and every other record is
/// read: one bad byte costs its own row, not the block's. (A bad record where the header is
/// still to be skipped is the header, which the format was told from.)
pub(crate) fn visit_block(
    bytes: &[u8],
    encoding: TextEncoding,
    layout: &Layout,
    first_line: u64,
    mut skip_header: bool,
    record: &mut csv::StringRecord,
    visitor: &mut impl RecordVisitor,
) {
    let quote = match layout {
        Layout::Delimited { quote, .. } => *quote,
        _ => None,
    };
    let mut pos = match encoding {
        TextEncoding::Utf8Bom if bytes.starts_with(b"\xEF\xBB\xBF") => 3,
        _ => 0,
    };
    let mut line = first_line;
    while pos < bytes.len() {
        let rest = &bytes[pos..];
        // UTF-8 is validated once: the check is the decoding.
        let checked = match encoding {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => std::str::from_utf8(rest)
                .map(std::borrow::Cow::Borrowed)
                .map_err(|e| (e.valid_up_to(), Undecodable::NotUtf8)),
            TextEncoding::Windows1251 => match undecodable_line(rest, encoding) {
                None => Ok(decode_valid(rest, encoding)),
                Some(bad) => Err(bad),
            },
        };
        let (bad, why) = match checked {
            Ok(text) => {
                visit_records(&text, layout, line, skip_header, record, visitor);
                return;
            }
            Err(bad) => bad,
        };
        let (start, end) = record_around(rest, quote, bad);
        if start > 0 {
            let text = decode_valid(&rest[..start], encoding);
            skip_header = visit_records(&text, layout, line, skip_header, record, visitor);
            line += memchr::memchr_iter(b'\n', &rest[..start]).count() as u64;
        }
        let raw_bytes = &rest[start..end];
        if skip_header {
            skip_header = false;
        } else if !raw_bytes.iter().all(u8::is_ascii_whitespace) {
            let raw = String::from_utf8_lossy(raw_bytes);
            let raw = raw.trim_end_matches(['\r', '\n']);
            let reason = match why {
                Undecodable::NotUtf8 => format!(
                    "the line is not valid UTF-8 (byte 0x{:02X}, the {} byte of the line), though the file is UTF-8: a line in another encoding (Windows-1251?) or a damaged byte; refused rather than guessed",
                    rest[bad],
                    ordinal(bad - start + 1)
                ),
                Undecodable::Utf8InWindows1251 => "the line is UTF-8 text, though the file is Windows-1251; refused rather than read in the wrong encoding".to_string(),
            };
            visitor.undecodable(line, &reason, raw);
        }
        line += memchr::memchr_iter(b'\n', raw_bytes).count() as u64;
        pos += end;
    }
}

/// Bytes known to be valid in `encoding`, as text.
fn decode_valid(bytes: &[u8], encoding: TextEncoding) -> std::borrow::Cow<'_, str> {
    decode_chunk(bytes, encoding).unwrap_or_else(|_| String::from_utf8_lossy(bytes))
}

/// "1st", "2nd", "3rd", "4th"...
fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// The record of `bytes` (whole records, starting outside quotes) that holds byte `at`: from
/// after the line end before it that is outside quotes, to after the one at or after it.
fn record_around(bytes: &[u8], quote: Option<u8>, at: usize) -> (usize, usize) {
    let Some(q) = quote.filter(|&q| memchr::memchr(q, bytes).is_some()) else {
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i + 1);
        return (start, end);
    };
    let (mut start, mut in_quotes) = (0, false);
    for i in memchr::memchr2_iter(q, b'\n', bytes) {
        if bytes[i] == q {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            if i >= at {
                return (start, i + 1);
            }
            start = i + 1;
        }
    }
    (start, bytes.len())
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

/// The positions of two bytes in a text, in order, found eight bytes at a time with word
/// arithmetic (SWAR). For hits a few bytes apart, as a row's delimiters are, this is several
/// times fewer instructions than `memchr2`, whose vector search is made for hits far apart.
struct ByteHits<'a> {
    bytes: &'a [u8],
    a: u64,
    b: u64,
    /// Where the current word starts.
    at: usize,
    /// One bit (the top bit of its byte) per hit in the current word not yet returned.
    hits: u64,
}

impl<'a> ByteHits<'a> {
    const ONES: u64 = 0x0101_0101_0101_0101;

    fn new(bytes: &'a [u8], a: u8, b: u8) -> ByteHits<'a> {
        let mut hits = ByteHits {
            bytes,
            a: u64::from(a) * Self::ONES,
            b: u64::from(b) * Self::ONES,
            at: 0,
            hits: 0,
        };
        hits.hits = hits.word_hits();
        hits
    }

    /// The top bit of every byte of `x` that is zero, and no other bit (exact: no carries
    /// cross bytes, since each byte's low seven bits plus 0x7f is at most 0xfe).
    #[inline]
    fn zero_bytes(x: u64) -> u64 {
        const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
        !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
    }

    /// The hits in the word at `self.at`; a word past the end is padded, and its padding
    /// masked off.
    #[inline]
    fn word_hits(&self) -> u64 {
        let rest = &self.bytes[self.at.min(self.bytes.len())..];
        let (word, valid) = match rest.first_chunk::<8>() {
            Some(word) => (u64::from_le_bytes(*word), u64::MAX),
            None => {
                let mut padded = [0u8; 8];
                padded[..rest.len()].copy_from_slice(rest);
                (u64::from_le_bytes(padded), (1u64 << (8 * rest.len())) - 1)
            }
        };
        (Self::zero_bytes(word ^ self.a) | Self::zero_bytes(word ^ self.b)) & valid
    }
}

/// The top bit of every byte of `word` that equals `byte`, and no other bit: [`ByteHits`]'
/// test, for other word-at-a-time searches (`customers.csv`'s writer looks for the bytes that
/// make a field need quotes with it).
#[inline]
pub fn matching_bytes(word: u64, byte: u8) -> u64 {
    ByteHits::zero_bytes(word ^ (u64::from(byte) * ByteHits::ONES))
}

impl Iterator for ByteHits<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        while self.hits == 0 {
            self.at += 8;
            if self.at >= self.bytes.len() {
                return None;
            }
            self.hits = self.word_hits();
        }
        let i = self.at + (self.hits.trailing_zeros() / 8) as usize;
        self.hits &= self.hits - 1;
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::Cells;
    use super::{ByteHits, RecordVisitor, visit_block, visit_records};
    use crate::encoding::TextEncoding;
    use crate::layout::Layout;
    use proptest::prelude::*;

    /// Each record's line, raw text and first cell.
    #[derive(Default)]
    struct Seen(Vec<(u64, String, String)>);

    impl RecordVisitor for Seen {
        fn row<'a>(&mut self, cells: &impl Cells<'a>, raw: &str, line: u64) {
            let first = cells.cell(0).unwrap_or_default().to_string();
            self.0.push((line, raw.to_string(), first));
        }
        fn unsplittable(&mut self, line: u64, error: &csv::Error) {
            panic!("line {line}: {error}");
        }
        fn undecodable(&mut self, line: u64, reason: &str, raw: &str) {
            self.0
                .push((line, raw.to_string(), format!("undecodable: {reason}")));
        }
    }

    #[test]
    fn a_record_over_several_lines_keeps_all_its_text_and_its_first_line() {
        let layout = Layout::Delimited {
            delimiter: b';',
            quote: Some(b'"'),
        };
        for end in ["\n", "\r\n"] {
            let text = ["id;note", "1;a", "2;\"two", "lines\"", "3;b", ""].join(end);
            let mut seen = Seen::default();
            visit_records(
                &text,
                &layout,
                1,
                true,
                &mut csv::StringRecord::new(),
                &mut seen,
            );
            let want = [
                (2, "1;a".to_string(), "1".to_string()),
                (3, format!("2;\"two{end}lines\""), "2".to_string()),
                (5, "3;b".to_string(), "3".to_string()),
            ];
            assert_eq!(seen.0, want, "line ends {end:?}");
        }
    }

    #[test]
    fn a_record_that_does_not_decode_is_handed_over_whole_and_the_others_are_read() {
        let layout = Layout::Delimited {
            delimiter: b';',
            quote: Some(b'"'),
        };
        // Line 3 starts a quoted field over two lines, the second with a bad byte.
        let bytes = b"id;note\n1;a\n2;\"two\nlin\xffes\"\n3;b\n4;\xfe\n5;c".to_vec();
        let mut seen = Seen::default();
        let mut record = csv::StringRecord::new();
        visit_block(
            &bytes,
            TextEncoding::Utf8,
            &layout,
            1,
            true,
            &mut record,
            &mut seen,
        );
        let lines: Vec<(u64, &str)> = seen.0.iter().map(|(l, _, c)| (*l, c.as_str())).collect();
        assert_eq!(lines[0], (2, "1"));
        assert_eq!(lines[1].0, 3);
        assert!(
            lines[1]
                .1
                .starts_with("undecodable: the line is not valid UTF-8 (byte 0xFF, the 11th byte")
        );
        assert_eq!(seen.0[1].1, "2;\"two\nlin\u{fffd}es\"");
        assert_eq!(lines[2], (5, "3"));
        assert_eq!(lines[3].0, 6);
        assert_eq!(lines[4], (7, "5"));
        assert_eq!(lines.len(), 5);
        // A header that does not decode is skipped as the header, not refused as a row.
        let mut seen = Seen::default();
        visit_block(
            b"i\xffd;note\n1;a\n",
            TextEncoding::Utf8,
            &layout,
            1,
            true,
            &mut record,
            &mut seen,
        );
        assert_eq!(seen.0, [(2, "1;a".to_string(), "1".to_string())]);
        // A byte-order mark is not a bad byte.
        let mut seen = Seen::default();
        visit_block(
            b"\xEF\xBB\xBFid;x\n1;a\n",
            TextEncoding::Utf8Bom,
            &layout,
            1,
            true,
            &mut record,
            &mut seen,
        );
        assert_eq!(seen.0, [(2, "1;a".to_string(), "1".to_string())]);
    }

    #[test]
    fn ordinals() {
        let words: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .map(super::ordinal)
            .into();
        assert_eq!(
            words,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
                "111th"
            ]
        );
    }

    #[test]
    fn finds_both_bytes_in_order_across_words_and_the_tail() {
        let text = b"a,b\n,,0123456789,\n\xff,\x80";
        let hits: Vec<usize> = ByteHits::new(text, b',', b'\n').collect();
        assert_eq!(hits, [1, 3, 4, 5, 16, 17, 19]);
        // Hits at the last byte of a word, the first of the next, and the text's end.
        let mut long = vec![b'x'; 130];
        for i in [0, 7, 8, 63, 64, 127, 129] {
            long[i] = b',';
        }
        long[100] = b'\n';
        let hits: Vec<usize> = ByteHits::new(&long, b',', b'\n').collect();
        assert_eq!(hits, [0, 7, 8, 63, 64, 100, 127, 129]);
        assert_eq!(ByteHits::new(b"", b',', b'\n').count(), 0);
        assert_eq!(ByteHits::new(b"abc", b',', b'\n').count(), 0);
    }

    proptest! {
        #[test]
        fn agrees_with_a_byte_by_byte_search(
            text in proptest::collection::vec(prop_oneof![Just(b','), Just(b'\n'), Just(0u8), Just(0x80u8), any::<u8>()], 0..300),
        ) {
            let expected: Vec<usize> = (0..text.len()).filter(|&i| text[i] == b',' || text[i] == b'\n').collect();
            prop_assert_eq!(ByteHits::new(&text, b',', b'\n').collect::<Vec<_>>(), expected);
        }
    }
}
