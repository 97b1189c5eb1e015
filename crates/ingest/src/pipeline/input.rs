//! Opening an input file: what wraps it (plain, gzip, xlsx); gzip inflated within the bounds of
//! [`ImportLimits`], a truncated stream told apart; UTF-16 text (Excel's "Unicode text")
//! transcoded to UTF-8 as it is read. Faults found while reading travel inside `io::Error`s as
//! an [`InputFault`] and become their own [`ImportError`]s at the edge ([`super::io_err`]).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::encoding::Utf16;
use crate::limits::ImportLimits;
use crate::sniff::{SniffError, SniffOverrides, TextFormat, sniff_text};
use crate::xlsx::{Container, detect_container};

use super::fault::InputFault;
use super::report::{ImportError, io_err};

/// An opened input file.
pub(crate) struct Input {
    pub(crate) container: Container,
    /// The text (inflated, transcoded), or the workbook's bytes for an `.xlsx`.
    pub(crate) reader: Box<dyn Read + Send>,
    /// The file is UTF-16 text, read as UTF-8 (and whether it had a byte-order mark).
    pub(crate) utf16: Option<(Utf16, bool)>,
}

impl Input {
    /// Whether offsets in what is read are offsets in the file, so that pieces of it can be
    /// read again by seeking (a plain file in an 8-bit encoding).
    pub(crate) fn seekable(&self) -> bool {
        self.container == Container::Plain && self.utf16.is_none()
    }
}

/// Opens a file, looking through gzip and UTF-16; tells whether it is an xlsx workbook.
pub(crate) fn open_input(path: &Path, limits: &ImportLimits) -> Result<Input, ImportError> {
    let mut file = File::open(path).map_err(io_err(path))?;
    let mut magic = [0u8; 4];
    let n = read_up_to(&mut file, &mut magic).map_err(io_err(path))?;
    let container = detect_container(&magic[..n], path);
    let file = File::open(path).map_err(io_err(path))?;
    let mut reader: Box<dyn Read + Send> = match container {
        Container::Xlsx => {
            return Ok(Input {
                container,
                reader: Box::new(file),
                utf16: None,
            });
        }
        Container::Gzip => Box::new(BoundedGzip::new(file, limits)),
        Container::Plain => Box::new(file),
    };
    let mut head = vec![0u8; 512];
    let n = read_up_to(&mut reader, &mut head).map_err(io_err(path))?;
    head.truncate(n);
    let utf16 = Utf16::detect(&head);
    let text = io::Cursor::new(head).chain(reader);
    let reader: Box<dyn Read + Send> = match utf16 {
        Some((utf16, _)) => Box::new(Utf16Reader::new(text, utf16)),
        None => Box::new(text),
    };
    Ok(Input {
        container,
        reader,
        utf16,
    })
}

pub(crate) fn read_up_to(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Counts bytes read, for the progress bar.
pub(crate) struct CountingReader<R> {
    pub(crate) inner: R,
    pub(crate) count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Counts the compressed bytes a decoder has taken.
struct Compressed<R> {
    inner: R,
    taken: Arc<AtomicU64>,
}

impl<R: Read> Read for Compressed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A gzip file inflated within [`ImportLimits::max_gzip_bytes`] and
/// [`ImportLimits::max_gzip_ratio`]; a stream that stops before its end is
/// [`InputFault::TruncatedGzip`], not an I/O failure.
struct BoundedGzip {
    decoder: flate2::read::MultiGzDecoder<BufReader<Compressed<File>>>,
    taken: Arc<AtomicU64>,
    expanded: u64,
    max_bytes: u64,
    max_ratio: u64,
    ratio_from: u64,
}

impl BoundedGzip {
    fn new(file: File, limits: &ImportLimits) -> BoundedGzip {
        let taken = Arc::new(AtomicU64::new(0));
        let compressed = Compressed {
            inner: file,
            taken: Arc::clone(&taken),
        };
        BoundedGzip {
            decoder: flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                1 << 20,
                compressed,
            )),
            taken,
            expanded: 0,
            max_bytes: limits.max_gzip_bytes,
            max_ratio: limits.max_gzip_ratio,
            ratio_from: limits.ratio_checked_from,
        }
    }
}

impl Read for BoundedGzip {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match self.decoder.read(buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                return Err(InputFault::TruncatedGzip.into_io());
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData
                ) =>
            {
                return Err(InputFault::CorruptGzip(e.to_string()).into_io());
            }
            Err(e) => return Err(e),
        };
        self.expanded += n as u64;
        if self.expanded > self.max_bytes {
            return Err(InputFault::TooCostly(format!(
                "the gzip file expands to more than {} bytes, the most read",
                self.max_bytes
            ))
            .into_io());
        }
        let taken = self.taken.load(Ordering::Relaxed).max(1);
        if self.expanded > self.ratio_from && self.expanded > taken.saturating_mul(self.max_ratio) {
            return Err(InputFault::TooCostly(format!(
                "the gzip file expands more than {} times ({} bytes from {taken}): refused as a compression bomb",
                self.max_ratio, self.expanded
            ))
            .into_io());
        }
        Ok(n)
    }
}

/// UTF-16 text read as UTF-8, a buffer at a time; the byte-order mark is dropped.
struct Utf16Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    input_start: usize,
    input_end: usize,
    eof: bool,
    output: Vec<u8>,
    output_start: usize,
    output_end: usize,
    /// Input bytes decoded so far, for the offset of a malformed one.
    decoded: u64,
    done: bool,
}

impl<R: Read> Utf16Reader<R> {
    const BUFFER: usize = 64 << 10;

    fn new(inner: R, utf16: Utf16) -> Utf16Reader<R> {
        Utf16Reader {
            inner,
            decoder: utf16.encoding().new_decoder_with_bom_removal(),
            input: vec![0; Self::BUFFER],
            input_start: 0,
            input_end: 0,
            eof: false,
            // Each input byte gives at most 1.5 output bytes (a BMP character of 2 bytes gives
            // up to 3): room for a whole input buffer.
            output: vec![0; Self::BUFFER * 3 / 2 + 16],
            output_start: 0,
            output_end: 0,
            decoded: 0,
            done: false,
        }
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.output_start < self.output_end {
                let n = buf.len().min(self.output_end - self.output_start);
                buf[..n].copy_from_slice(&self.output[self.output_start..self.output_start + n]);
                self.output_start += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if self.input_start == self.input_end && !self.eof {
                let n = read_up_to(&mut self.inner, &mut self.input)?;
                self.input_start = 0;
                self.input_end = n;
                self.eof = n < self.input.len();
            }
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.input_start..self.input_end],
                &mut self.output,
                self.eof,
            );
            self.input_start += read;
            self.decoded += read as u64;
            self.output_start = 0;
            self.output_end = written;
            match result {
                encoding_rs::DecoderResult::Malformed(..) => {
                    return Err(InputFault::MalformedUtf16 {
                        offset: self.decoded,
                    }
                    .into_io());
                }
                encoding_rs::DecoderResult::InputEmpty => {
                    self.done = self.eof && self.input_start == self.input_end;
                }
                encoding_rs::DecoderResult::OutputFull => {}
            }
        }
    }
}

/// Bytes the format is guessed from, at least.
pub(crate) const SAMPLE_SIZE: usize = 64 << 10;

/// Reads a text input's first bytes and tells its format from them: [`SAMPLE_SIZE`] bytes, or
/// more while they do not hold a first row whole (a row longer than the sample), up to the
/// longest line allowed; beyond it, [`ImportError::LineTooLong`] names the line, rather than
/// "no data rows". Returns the format and the sample (the blocks' reader starts with it). A
/// UTF-16 input says so in the encoding's note.
pub(crate) fn sniff_input(
    path: &Path,
    input: &mut Input,
    overrides: &SniffOverrides,
    limits: &ImportLimits,
) -> Result<(TextFormat, Vec<u8>), ImportError> {
    let max_line = limits.max_line_bytes;
    let mut sample = vec![0u8; SAMPLE_SIZE];
    let n = read_up_to(&mut input.reader, &mut sample).map_err(io_err(path))?;
    sample.truncate(n);
    let mut whole = n < SAMPLE_SIZE;
    loop {
        // A cut sample is sniffed once it holds a whole line; if the format then finds no data
        // row, the row after the last whole line is longer than the sample, and more is read.
        let cut_line = memchr::memrchr(b'\n', &sample).map_or(0, |i| i + 1);
        let sniffed = match (whole, cut_line) {
            (false, 0) => Err(SniffError::NoRows),
            _ => sniff_text(&sample, whole, overrides),
        };
        match sniffed {
            Err(SniffError::NoRows | SniffError::NoDataRows) if !whole => {
                if sample.len() - cut_line > max_line {
                    let line = memchr::memchr_iter(b'\n', &sample).count() as u64 + 1;
                    return Err(ImportError::LineTooLong {
                        path: path.to_path_buf(),
                        line,
                        limit: max_line,
                    });
                }
                let start = sample.len();
                sample.resize(start * 2, 0);
                let n =
                    read_up_to(&mut input.reader, &mut sample[start..]).map_err(io_err(path))?;
                sample.truncate(start + n);
                whole = n < start;
            }
            Err(e) => {
                return Err(ImportError::Format {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                });
            }
            Ok(mut format) => {
                if let (Some((utf16, bom)), Some(note)) = (input.utf16, format.notes.first_mut()) {
                    *note = utf16.describe(bom);
                }
                return Ok((format, sample));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read a few bytes at a time, across the reader's 64 KiB buffers, UTF-16 with surrogate
    /// pairs (emoji) and BOM comes out as the same text in UTF-8, the mark dropped.
    #[test]
    fn utf16_is_read_as_utf8_across_buffers() {
        let text: String = (0..30_000)
            .map(|i| match i % 4 {
                0 => "Иванов;".to_string(),
                1 => format!("{i};"),
                2 => "\u{1F600}".to_string(),
                _ => "\r\n".to_string(),
            })
            .collect();
        for utf16 in [Utf16::LittleEndian, Utf16::BigEndian] {
            let mut bytes: Vec<u8> = match utf16 {
                Utf16::LittleEndian => vec![0xFF, 0xFE],
                Utf16::BigEndian => vec![0xFE, 0xFF],
            };
            for unit in text.encode_utf16() {
                bytes.extend(match utf16 {
                    Utf16::LittleEndian => unit.to_le_bytes(),
                    Utf16::BigEndian => unit.to_be_bytes(),
                });
            }
            assert!(bytes.len() > 3 * Utf16Reader::<&[u8]>::BUFFER);
            let mut reader = Utf16Reader::new(&bytes[..], utf16);
            let mut out = Vec::new();
            let mut piece = [0u8; 7];
            loop {
                let n = reader.read(&mut piece).unwrap();
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&piece[..n]);
            }
            assert_eq!(String::from_utf8(out).unwrap(), text, "{utf16:?}");
        }
    }

    #[test]
    fn an_unpaired_surrogate_is_a_fault_with_its_place() {
        let bytes = [0xFF, 0xFE, b'a', 0, 0x00, 0xD8, b'b', 0];
        let mut out = Vec::new();
        let e = Utf16Reader::new(&bytes[..], Utf16::LittleEndian)
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(
            InputFault::of(&e),
            Some(&InputFault::MalformedUtf16 { offset: 6 })
        );
    }
}
