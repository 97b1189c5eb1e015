//! Reading rejected lines back from their files, so that each reject shows its raw text: by
//! the line index for plain files (only the pieces holding wanted lines), else by one pass.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::encoding::{TextEncoding, decode_chunk, detect_encoding};
use crate::xlsx::{Container, read_xlsx};

use crate::limits::ImportLimits;

use super::blocks::BlockIndex;
use super::input::open_input;
use super::report::{ImportError, Reject, io_err, xlsx_err};

/// Sorts rejects into input order and fills in the raw text of duplicates, which the parallel
/// readers did not keep (re-reading those lines costs one pass over the file, only when needed:
/// over the blocks holding them, in parallel, when the file is plain text).
pub(crate) fn finish_rejects(
    rejects: &mut [Reject],
    paths: &[PathBuf],
    block_indexes: &[Option<BlockIndex>],
    limits: &ImportLimits,
) -> Result<(), ImportError> {
    rejects.sort_by_key(|r| r.row);
    for (index, path) in paths.iter().enumerate() {
        let wanted: Vec<u64> = rejects
            .iter()
            .filter(|r| r.row.file == index as u32 && r.raw.is_empty())
            .map(|r| r.row.line)
            .collect();
        if wanted.is_empty() {
            continue;
        }
        let found = match block_indexes.get(index).and_then(Option::as_ref) {
            Some(blocks) if !blocks.starts.is_empty() => {
                read_raw_lines_by_block(path, &wanted, blocks)?
            }
            _ => read_raw_lines(path, &wanted, limits)?,
        };
        for r in rejects
            .iter_mut()
            .filter(|r| r.row.file == index as u32 && r.raw.is_empty())
        {
            if let Some(text) = found.get(&r.row.line) {
                r.raw = text.clone();
            }
        }
    }
    Ok(())
}

/// [`read_raw_lines`] for a plain file whose blocks are known: only the blocks holding wanted
/// lines are read, in parallel, each from its own offset. `wanted` is ascending.
pub(crate) fn read_raw_lines_by_block(
    path: &Path,
    wanted: &[u64],
    blocks: &BlockIndex,
) -> Result<HashMap<u64, String>, ImportError> {
    let file_len = std::fs::metadata(path).map_err(io_err(path))?.len();
    let starts = &blocks.starts;
    // Wanted lines grouped by the block that holds them.
    let mut groups: Vec<(usize, &[u64])> = Vec::new();
    let mut rest = wanted;
    while let Some(&first) = rest.first() {
        let block = starts
            .partition_point(|b| b.first_line <= first)
            .saturating_sub(1);
        let next_first = starts.get(block + 1).map_or(u64::MAX, |b| b.first_line);
        let n = rest.partition_point(|&l| l < next_first);
        groups.push((block, &rest[..n]));
        rest = &rest[n..];
    }
    let found: Vec<Vec<(u64, String)>> = groups
        .par_iter()
        .map_init(Vec::new, |buf: &mut Vec<u8>, &(block, lines)| {
            let start = starts[block].offset;
            let end = starts.get(block + 1).map_or(file_len, |b| b.offset);
            buf.resize((end - start) as usize, 0);
            let mut file = File::open(path)?;
            file.seek(io::SeekFrom::Start(start))?;
            file.read_exact(buf)?;
            let mut out = Vec::with_capacity(lines.len());
            let mut wanted = lines.iter().copied().peekable();
            let mut line = starts[block].first_line;
            let mut pos = 0usize;
            while let Some(&want) = wanted.peek() {
                let end = memchr::memchr(b'\n', &buf[pos..]).map_or(buf.len(), |i| pos + i + 1);
                if line == want {
                    out.push((line, raw_line_text(&buf[pos..end], blocks.encoding)));
                    wanted.next();
                }
                if end == buf.len() {
                    break;
                }
                pos = end;
                line += 1;
            }
            Ok(out)
        })
        .collect::<io::Result<_>>()
        .map_err(io_err(path))?;
    Ok(found.into_iter().flatten().collect())
}

/// One line of the file as a reject shows it: decoded (bytes that do not decode are shown
/// replaced rather than lost), without its line end.
pub(crate) fn raw_line_text(bytes: &[u8], encoding: TextEncoding) -> String {
    let text = match decode_chunk(bytes, encoding) {
        Ok(t) => t.into_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    text.trim_end_matches(['\r', '\n']).to_string()
}

pub(crate) fn read_raw_lines(
    path: &Path,
    wanted: &[u64],
    limits: &ImportLimits,
) -> Result<HashMap<u64, String>, ImportError> {
    let mut found = HashMap::new();
    let input = open_input(path, limits)?;
    if input.container == Container::Xlsx {
        let rows = read_xlsx(path, None, limits).map_err(xlsx_err(path))?;
        for &line in wanted {
            if let Some(row) = rows.get(line as usize - 1) {
                found.insert(line, row.join(";"));
            }
        }
        return Ok(found);
    }
    let mut reader = BufReader::with_capacity(1 << 16, input.reader);
    let encoding = detect_encoding(reader.fill_buf().map_err(io_err(path))?);
    let mut keep = |line: u64, bytes: &[u8]| {
        found.insert(line, raw_line_text(bytes, encoding));
    };
    // Newlines are found with memchr over whole buffers (a line-by-line read of a 10M-row file
    // cost most of a second); only the wanted lines are copied out.
    let mut wanted = wanted.iter().copied().peekable();
    let mut line = 1u64;
    let mut partial: Vec<u8> = Vec::new();
    loop {
        while wanted.next_if(|&w| w < line).is_some() {}
        let Some(&want) = wanted.peek() else { break };
        let buf = reader.fill_buf().map_err(io_err(path))?;
        if buf.is_empty() {
            if want == line && !partial.is_empty() {
                keep(line, &partial);
            }
            break;
        }
        let mut pos = 0usize;
        for end in memchr::memchr_iter(b'\n', buf) {
            if wanted.peek() == Some(&line) {
                partial.extend_from_slice(&buf[pos..=end]);
                keep(line, &partial);
                partial.clear();
            }
            pos = end + 1;
            line += 1;
            while wanted.next_if(|&w| w < line).is_some() {}
        }
        if wanted.peek() == Some(&line) {
            partial.extend_from_slice(&buf[pos..]);
        }
        let n = buf.len();
        reader.consume(n);
    }
    Ok(found)
}
