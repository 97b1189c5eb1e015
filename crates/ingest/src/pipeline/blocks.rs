//! Reading a text file in blocks of whole records: cutting the bytes at record boundaries for
//! the workers, holding lines to [`crate::limits::ImportLimits::max_line_bytes`], and the line index that
//! rejected lines are read back by.

use std::io::{self, Read};
use std::sync::Mutex;

use crate::encoding::TextEncoding;

use super::fault::InputFault;
use super::input::read_up_to;

/// Bytes handed to a worker at a time.
pub(crate) const BLOCK_SIZE: usize = 4 << 20;
/// Bytes between entries of the line index that rejected lines are read back by.
pub(crate) const LINE_INDEX_STEP: usize = 16 << 10;

/// Block buffers handed back by the workers for the reader to fill again: fresh 4 MiB buffers
/// cost a page fault per 4 KiB, which measured as a quarter of the run time on large files.
pub(crate) type BufferPool = Mutex<Vec<Vec<u8>>>;

/// A run of whole records and the line number of its first line.
pub(crate) struct Block {
    pub(crate) first_line: u64,
    pub(crate) bytes: Vec<u8>,
    /// The first block holds the header (if any) as its first record.
    pub(crate) is_first: bool,
}

/// Where a piece of the input starts (every block, and about every `LINE_INDEX_STEP` bytes
/// inside one, at a line start), and the line number of its first line.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BlockStart {
    pub(crate) offset: u64,
    pub(crate) first_line: u64,
}

/// Where a plain text file's pieces start (see [`BlockStart`]), and the encoding the import read
/// it with: enough to read any of its lines again, a piece at a time, without another pass over
/// the file.
#[derive(Debug)]
pub(crate) struct BlockIndex {
    pub(crate) encoding: TextEncoding,
    pub(crate) starts: Vec<BlockStart>,
}

/// Reads the input in blocks that end at a record boundary and hands them to the workers.
/// Returns the line index: where each block, and each piece of about `LINE_INDEX_STEP` bytes
/// inside one, starts. A line longer than `max_line` bytes stops the reading with
/// [`InputFault::LineTooLong`]: a record is never held beyond that.
#[allow(clippy::too_many_arguments)]
pub(crate) fn split_blocks(
    mut reader: impl Read,
    sample: Vec<u8>,
    quote: Option<u8>,
    max_line: usize,
    sender: &std::sync::mpsc::SyncSender<Block>,
    progress: &(dyn Fn(u64) + Sync),
    count: &std::sync::atomic::AtomicU64,
    pool: &BufferPool,
) -> io::Result<Vec<BlockStart>> {
    let too_long = |line: u64| {
        InputFault::LineTooLong {
            line,
            limit: max_line,
        }
        .into_io()
    };
    let mut pending = sample;
    let mut line = 1u64;
    let mut offset = 0u64;
    let mut starts = Vec::new();
    let mut is_first = true;
    let mut eof = false;
    loop {
        // `read_up_to` returns less than asked only at the end of the input.
        if !eof && pending.len() < BLOCK_SIZE {
            let start = pending.len();
            pending.resize(BLOCK_SIZE, 0);
            let n = read_up_to(&mut reader, &mut pending[start..])?;
            pending.truncate(start + n);
            eof = pending.len() < BLOCK_SIZE;
        }
        progress(count.load(std::sync::atomic::Ordering::Relaxed));
        if pending.is_empty() {
            return Ok(starts);
        }
        let cut = if eof {
            pending.len()
        } else if let Some(end) = last_record_end(&pending, quote) {
            end
        } else {
            // A single record longer than the buffer: read on until it ends, unless it is
            // longer than any line may be.
            if pending.len() > max_line {
                return Err(too_long(line));
            }
            let start = pending.len();
            pending.resize(start * 2, 0);
            let n = read_up_to(&mut reader, &mut pending[start..])?;
            pending.truncate(start + n);
            eof = n < start;
            continue;
        };
        let mut rest = pool
            .lock()
            .expect("no worker panicked")
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(BLOCK_SIZE));
        rest.clear();
        rest.extend_from_slice(&pending[cut..]);
        pending.truncate(cut);
        let bytes = std::mem::replace(&mut pending, rest);
        let block_line = line;
        // An index entry every `LINE_INDEX_STEP` bytes or so (at the next line start), counting
        // the block's lines on the way: reading a rejected line's text back then reads that
        // much, not its whole block. Rejects are spread through a file, so with one entry per
        // block the re-reading read nearly the whole file again.
        let mut piece_start = 0usize;
        while piece_start < bytes.len() {
            starts.push(BlockStart {
                offset: offset + piece_start as u64,
                first_line: line,
            });
            let target = piece_start + LINE_INDEX_STEP;
            let piece_end = match bytes.get(target..) {
                Some(after) => memchr::memchr(b'\n', after).map_or(bytes.len(), |i| target + i + 1),
                None => bytes.len(),
            };
            let piece = &bytes[piece_start..piece_end];
            // A piece ends at the first line end past `LINE_INDEX_STEP`, so a line longer than
            // `max_line` makes its piece longer too: only such a piece has its lines measured
            // (one by one); the others are counted with the vector search.
            if piece.len() <= max_line {
                line += memchr::memchr_iter(b'\n', piece).count() as u64;
            } else {
                let mut line_start = 0;
                for end in memchr::memchr_iter(b'\n', piece) {
                    if end - line_start > max_line {
                        return Err(too_long(line));
                    }
                    line_start = end + 1;
                    line += 1;
                }
                if piece.len() - line_start > max_line {
                    return Err(too_long(line));
                }
            }
            piece_start = piece_end;
        }
        offset += bytes.len() as u64;
        let block = Block {
            first_line: block_line,
            bytes,
            is_first,
        };
        is_first = false;
        if sender.send(block).is_err() {
            return Ok(starts); // the workers stopped; they report their own errors
        }
    }
}

/// The end (exclusive) of the last complete record in `bytes`. Blocks always start outside
/// quotes (they start right after a record's newline), so quote state is tracked from `false`.
pub(crate) fn last_record_end(bytes: &[u8], quote: Option<u8>) -> Option<usize> {
    // Without a quote character in the block every newline ends a record: one vector scan for
    // the quote instead of stopping at each of the block's ~50,000 newlines.
    let Some(q) = quote.filter(|&q| memchr::memchr(q, bytes).is_some()) else {
        return memchr::memrchr(b'\n', bytes).map(|i| i + 1);
    };
    let mut in_quotes = false;
    let mut last = None;
    for i in memchr::memchr2_iter(q, b'\n', bytes) {
        if bytes[i] == q {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            last = Some(i + 1);
        }
    }
    last
}
