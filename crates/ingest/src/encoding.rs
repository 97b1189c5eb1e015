//! Text encodings of exports: UTF-8 (with or without a byte-order mark) and Windows-1251.
//!
//! Russian exports from 1C and Excel are often Windows-1251. Any non-ASCII Cyrillic text in that
//! encoding is invalid UTF-8, so "valid UTF-8 or else 1251" tells them apart without statistics.

use std::borrow::Cow;

const BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    Utf8,
    /// UTF-8 starting with a byte-order mark, which must not end up in the first header name.
    Utf8Bom,
    Windows1251,
}

impl TextEncoding {
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with byte-order mark",
            TextEncoding::Windows1251 => "Windows-1251",
        }
    }
}

/// Tells the encoding from the first bytes of a file. A multi-byte character cut off by the end
/// of the sample does not count against UTF-8.
///
/// A sample that is not all valid UTF-8 is judged line by line: lines with non-ASCII text that
/// is valid UTF-8 against lines that are not. The majority is the file's encoding, so one line
/// of Windows-1251 in a UTF-8 export does not turn every other line into mojibake; the lines of
/// the minority are refused one by one when the file is read ([`undecodable_line`]).
pub fn detect_encoding(sample: &[u8]) -> TextEncoding {
    if sample.starts_with(BOM) {
        return TextEncoding::Utf8Bom;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => TextEncoding::Utf8,
        // `error_len() == None` means the input ended inside a character: a truncated sample.
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => {
            let (utf8, other) = count_lines_by_encoding(sample);
            if utf8 > other {
                TextEncoding::Utf8
            } else {
                TextEncoding::Windows1251
            }
        }
    }
}

/// Lines of `sample` whose non-ASCII text is valid UTF-8, and lines that are not valid UTF-8
/// (a last line cut inside a character counts as neither).
pub fn count_lines_by_encoding(sample: &[u8]) -> (usize, usize) {
    let (mut utf8, mut other) = (0, 0);
    let mut lines = sample.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        if line.is_ascii() {
            continue;
        }
        match std::str::from_utf8(line) {
            Ok(_) => utf8 += 1,
            Err(e) if e.error_len().is_none() && lines.peek().is_none() => {}
            Err(_) => other += 1,
        }
    }
    (utf8, other)
}

/// Where a line of `bytes` (whole lines, as a block of a file is) cannot be read in `encoding`,
/// if one cannot: the offset of the first offending byte and why. In a UTF-8 file that is a
/// byte sequence that is not UTF-8; in a Windows-1251 file, a line whose non-ASCII text is valid
/// UTF-8 (real Windows-1251 text practically never is: its lower-case letters are bytes that
/// UTF-8 never puts side by side), which would otherwise be read as mojibake.
pub fn undecodable_line(bytes: &[u8], encoding: TextEncoding) -> Option<(usize, Undecodable)> {
    match encoding {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => match std::str::from_utf8(bytes) {
            Ok(_) => None,
            Err(e) => Some((e.valid_up_to(), Undecodable::NotUtf8)),
        },
        TextEncoding::Windows1251 => {
            let mut start = 0;
            for end in memchr::memchr_iter(b'\n', bytes).chain([bytes.len()]) {
                let line = &bytes[start..end];
                if !line.is_ascii() && std::str::from_utf8(line).is_ok() {
                    let first = start + line.iter().position(|b| !b.is_ascii()).unwrap_or(0);
                    return Some((first, Undecodable::Utf8InWindows1251));
                }
                start = end + 1;
            }
            None
        }
    }
}

/// Why a line of a file cannot be read in the file's encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Undecodable {
    /// Bytes that are not UTF-8, in a UTF-8 file.
    NotUtf8,
    /// A line of UTF-8 text in a Windows-1251 file.
    Utf8InWindows1251,
}

/// UTF-16 text as Excel's "Unicode text" writes it, which the reader transcodes to UTF-8.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Utf16 {
    LittleEndian,
    BigEndian,
}

impl Utf16 {
    /// From the first bytes of a file: a byte-order mark, or else (at least 16 bytes) zero bytes
    /// in at least an eighth of the odd (or even) places and almost none in the others, as the
    /// digits, separators and Latin letters of an export have them in UTF-16 (text in 8-bit
    /// encodings and UTF-8 has no zero bytes at all). Also whether a mark was there.
    pub fn detect(first: &[u8]) -> Option<(Utf16, bool)> {
        match first {
            [0xFF, 0xFE, ..] => return Some((Utf16::LittleEndian, true)),
            [0xFE, 0xFF, ..] => return Some((Utf16::BigEndian, true)),
            _ => {}
        }
        if first.len() < 16 {
            return None;
        }
        let pairs = first.len() / 2;
        let zeros_at = |parity: usize| {
            first
                .iter()
                .skip(parity)
                .step_by(2)
                .take(pairs)
                .filter(|&&b| b == 0)
                .count()
        };
        let (even, odd) = (zeros_at(0), zeros_at(1));
        // Many characters of an export are ASCII: their high byte is zero.
        if odd * 8 >= pairs && even * 64 <= pairs {
            Some((Utf16::LittleEndian, false))
        } else if even * 8 >= pairs && odd * 64 <= pairs {
            Some((Utf16::BigEndian, false))
        } else {
            None
        }
    }

    /// The note the report gives.
    pub fn describe(self, with_bom: bool) -> String {
        let order = match self {
            Utf16::LittleEndian => "little-endian",
            Utf16::BigEndian => "big-endian",
        };
        match with_bom {
            true => format!(
                "encoding: UTF-16 {order} with byte-order mark (Excel's \"Unicode text\"); read as UTF-8"
            ),
            false => format!(
                "encoding: UTF-16 {order} without byte-order mark (told by its zero bytes); read as UTF-8"
            ),
        }
    }

    pub(crate) fn encoding(self) -> &'static encoding_rs::Encoding {
        match self {
            Utf16::LittleEndian => encoding_rs::UTF_16LE,
            Utf16::BigEndian => encoding_rs::UTF_16BE,
        }
    }
}

/// The bytes without a leading UTF-8 byte-order mark.
pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// The text without a leading U+FEFF (a byte-order mark that survived decoding).
pub fn strip_bom_str(s: &str) -> &str {
    s.strip_prefix('\u{feff}').unwrap_or(s)
}

/// Bytes that are not valid in the file's encoding, `offset` bytes into the decoded chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid UTF-8 at byte {offset} of the chunk")]
pub struct InvalidText {
    pub offset: usize,
}

/// Decodes a chunk of a file. UTF-8 is validated, not repaired, so a corrupt file is reported
/// rather than silently altered; the chunk must therefore end on a character boundary (cut
/// chunks at line ends). For `Utf8Bom` a leading BOM is removed. Windows-1251 cannot fail
/// (its single unassigned byte becomes U+FFFD).
pub fn decode_chunk(bytes: &[u8], enc: TextEncoding) -> Result<Cow<'_, str>, InvalidText> {
    match enc {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => {
            let text = if enc == TextEncoding::Utf8Bom {
                strip_bom(bytes)
            } else {
                bytes
            };
            // The offset counts from the start of the chunk as given, BOM included.
            let skipped = bytes.len() - text.len();
            std::str::from_utf8(text)
                .map(Cow::Borrowed)
                .map_err(|e| InvalidText {
                    offset: e.valid_up_to() + skipped,
                })
        }
        TextEncoding::Windows1251 => Ok(encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(bytes)
            .0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1251_detected_and_decoded() {
        let (bytes, _, unmappable) =
            encoding_rs::WINDOWS_1251.encode("Сумма;Дата\r\n1 234,50;31.01.2024\r\n");
        assert!(!unmappable);
        assert_eq!(detect_encoding(&bytes), TextEncoding::Windows1251);
        let text = decode_chunk(&bytes, TextEncoding::Windows1251).unwrap();
        assert!(text.starts_with("Сумма;Дата\r\n"));
        assert!(decode_chunk(&bytes, TextEncoding::Utf8).is_err());
    }

    #[test]
    fn utf8_with_and_without_bom() {
        let with_bom = "\u{feff}Сумма;Дата\n".as_bytes();
        assert_eq!(detect_encoding(with_bom), TextEncoding::Utf8Bom);
        assert_eq!(
            decode_chunk(with_bom, TextEncoding::Utf8Bom).unwrap(),
            "Сумма;Дата\n"
        );
        assert_eq!(strip_bom(with_bom), "Сумма;Дата\n".as_bytes());
        assert_eq!(strip_bom_str("\u{feff}x"), "x");
        assert_eq!(detect_encoding(b"plain ascii"), TextEncoding::Utf8);
        // "Сумма" cut in the middle of its last character is still UTF-8.
        let utf8 = "Сумма".as_bytes();
        assert_eq!(detect_encoding(&utf8[..utf8.len() - 1]), TextEncoding::Utf8);
    }

    #[test]
    fn a_mixed_sample_takes_the_encoding_of_most_lines() {
        let cp1251 = |s: &str| encoding_rs::WINDOWS_1251.encode(s).0.into_owned();
        let mut sample = "Имя;Сумма\nИванов;1\nПетров;2\n".as_bytes().to_vec();
        sample.extend(cp1251("Сидоров;3\n"));
        assert_eq!(count_lines_by_encoding(&sample), (3, 1));
        assert_eq!(detect_encoding(&sample), TextEncoding::Utf8);
        let mut sample = cp1251("Имя;Сумма\nИванов;1\n");
        sample.extend("Петров;2\n".as_bytes());
        assert_eq!(detect_encoding(&sample), TextEncoding::Windows1251);
        // ASCII lines count for neither; a cut last character for neither.
        let mut sample = b"a;b\n1;2\n".to_vec();
        sample.extend(cp1251("Я;3\n"));
        sample.extend(&"ж".as_bytes()[..1]);
        assert_eq!(count_lines_by_encoding(&sample), (0, 1));
        assert_eq!(detect_encoding(&sample), TextEncoding::Windows1251);
    }

    #[test]
    fn lines_that_cannot_be_read_in_the_files_encoding() {
        let cp1251 = |s: &str| encoding_rs::WINDOWS_1251.encode(s).0.into_owned();
        let mut utf8 = "a;1\nб;2\n".as_bytes().to_vec();
        let bad = utf8.len() + 2;
        utf8.extend(b"c;\xff3\n");
        assert_eq!(
            undecodable_line(&utf8, TextEncoding::Utf8),
            Some((bad, Undecodable::NotUtf8))
        );
        assert_eq!(
            undecodable_line("б;2\n".as_bytes(), TextEncoding::Utf8),
            None
        );
        let mut windows = cp1251("Иванов;1\nab;2\n");
        let start = windows.len();
        windows.extend("x;Петров\n".as_bytes());
        windows.extend(cp1251("Сидоров;3"));
        assert_eq!(
            undecodable_line(&windows, TextEncoding::Windows1251),
            Some((start + 2, Undecodable::Utf8InWindows1251))
        );
        assert_eq!(
            undecodable_line(
                &cp1251("Ёлка;Петров\nИП\u{a0}Иванов"),
                TextEncoding::Windows1251
            ),
            None
        );
    }

    #[test]
    fn utf16_by_its_mark_or_its_zero_bytes() {
        let le: Vec<u8> = "id\tamount\r\nC1\t1,50\r\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "Клиент\t01.01.2024\t100\r\n"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(
            Utf16::detect(&[0xFF, 0xFE, b'a', 0]),
            Some((Utf16::LittleEndian, true))
        );
        assert_eq!(
            Utf16::detect(&[0xFE, 0xFF, 0, b'a']),
            Some((Utf16::BigEndian, true))
        );
        assert_eq!(Utf16::detect(&le), Some((Utf16::LittleEndian, false)));
        assert_eq!(Utf16::detect(&be), Some((Utf16::BigEndian, false)));
        assert_eq!(Utf16::detect(b"customer_id,order_date,amount\n"), None);
        assert_eq!(Utf16::detect("Клиент;Дата;Сумма\n".as_bytes()), None);
        assert_eq!(Utf16::detect(&le[..10]), None, "too short to tell");
    }

    #[test]
    fn invalid_utf8_reports_offset() {
        assert_eq!(
            decode_chunk(b"ab\xffcd", TextEncoding::Utf8),
            Err(InvalidText { offset: 2 })
        );
        assert!(matches!(
            decode_chunk(b"abc", TextEncoding::Utf8),
            Ok(Cow::Borrowed("abc"))
        ));
    }
}
