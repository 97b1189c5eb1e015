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
pub fn detect_encoding(sample: &[u8]) -> TextEncoding {
    if sample.starts_with(BOM) {
        return TextEncoding::Utf8Bom;
    }
    match std::str::from_utf8(sample) {
        Ok(_) => TextEncoding::Utf8,
        // `error_len() == None` means the input ended inside a character: a truncated sample.
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => TextEncoding::Windows1251,
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
