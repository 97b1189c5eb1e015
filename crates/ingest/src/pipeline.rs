//! The order import pipeline: files in, per-customer summaries and rejects out.
//!
//! A text file is read by one thread in large blocks cut at record boundaries (newlines outside
//! quotes), decoded and parsed by worker threads, and each worker files the accepted lines into
//! customer shards: by ranges of ids sampled across the files before they are read (so the
//! shards come out in id order), or by hash when they cannot be sampled (see [`Sharding`]). When
//! every file is read, the shards are merged in parallel: each customer's lines are deduplicated
//! (first occurrence in input order wins) and summarised by the core. Memory therefore holds one
//! compact record per accepted line (56 bytes) plus the customer map; no file is ever held whole.

use std::borrow::Cow;
use std::cmp::Reverse;
use std::collections::binary_heap::PeekMut;
use std::collections::{BinaryHeap, HashMap};
use std::fs::File;
use std::hash::{BuildHasher, Hash, Hasher};
use std::io::{self, BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::sync::{Arc, Mutex};

use ahash::RandomState;
use clientele_core::{
    CategoryId, CustomerSummary, Day, DayAmounts, DuplicateLine, Money, OrderLine, RowRef,
    SummaryScratch, dedup_lines_with, permute_in_place, summarize_with,
};
use hashbrown::HashTable;
use rayon::prelude::*;

use crate::columns::{ColumnMap, Field};
use crate::customer_table::{CustomerTable, Lookup};
use crate::encoding::{TextEncoding, decode_chunk, detect_encoding};
use crate::layout::Layout;
use crate::records::{RecordVisitor, visit_records};
use crate::sniff::{RowsFormat, SniffOverrides, TextFormat, sniff_rows, sniff_text};
use crate::values::{
    DateFormat, NumberFormat, normalize_email, normalize_phone, parse_date, parse_decimal_f64,
    parse_money,
};
use crate::xlsx::{Container, detect_container, read_xlsx};

/// Bytes handed to a worker at a time.
pub(crate) const BLOCK_SIZE: usize = 4 << 20;
/// Bytes between entries of the line index that rejected lines are read back by.
const LINE_INDEX_STEP: usize = 16 << 10;
/// Bytes the format is guessed from.
pub(crate) const SAMPLE_SIZE: usize = 64 << 10;
/// Customer shards per worker; merged shard by shard in parallel at the end.
const SHARDS: usize = 64;

/// What the caller decides about an import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub overrides: SniffOverrides,
    /// Refuse the whole import on the first bad row instead of writing rejects aside.
    pub strict: bool,
    /// Ignore orders after this day; `None` means the last order day in the data.
    pub as_of: Option<Day>,
    /// Whether the summaries keep the amount of every purchase day (a calibration period that
    /// ends before the as-of day needs them; nothing else does).
    pub day_amounts: DayAmounts,
}

/// A row that was not imported, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    pub file: PathBuf,
    pub row: RowRef,
    /// The column (header name or 1-based position) at fault, or empty for the whole row.
    pub column: String,
    pub reason: String,
    pub raw: String,
}

/// What happened to one input file.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    pub path: PathBuf,
    /// How the format was understood, in short sentences.
    pub notes: Vec<String>,
    /// The order id column as the file names it: duplicates (lines exported twice) are
    /// reported in it.
    pub order_id_column: String,
    pub rows: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub after_as_of: u64,
    pub returns: u64,
}

/// The result of importing order files.
#[derive(Debug)]
pub struct OrderImport {
    /// Customers by id, ascending.
    pub customers: Vec<(Box<str>, CustomerSummary)>,
    pub categories: Vec<String>,
    pub rejects: Vec<Reject>,
    pub files: Vec<FileReport>,
    pub as_of: Day,
    pub first_day: Option<Day>,
    pub last_day: Option<Day>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    #[error(
        "{path}, line {line}, column '{column}': {reason}; --strict refuses the whole import ({count} bad row(s) in all)"
    )]
    Strict {
        path: PathBuf,
        line: u64,
        column: String,
        reason: String,
        count: usize,
    },
    #[error("no orders were imported: every row was rejected or empty")]
    NoOrders,
    #[error("{count} order files in one import; at most {max} are supported (join them first)")]
    TooManyFiles { count: usize, max: usize },
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Imports order files and summarises every customer.
///
/// `progress` is told the number of input bytes consumed so far (across files).
pub fn import_orders(
    paths: &[PathBuf],
    options: &ImportOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<OrderImport, ImportError> {
    import_unordered(paths, options, progress)?.into_id_order()
}

/// An import whose customers are summarised but maybe not yet in id order: they are when the
/// shards were ranges of ids, else putting millions of them in order is mostly one thread's work,
/// and what needs no order (the customer-base model fits) can run on the other cores meanwhile,
/// from [`UnorderedImport::customers`].
#[derive(Debug)]
pub struct UnorderedImport {
    /// Shard after shard, each in id order (`part_lens` long).
    customers: Vec<(Box<str>, CustomerSummary)>,
    part_lens: Vec<usize>,
    categories: Vec<String>,
    rejects: Vec<Reject>,
    files: Vec<FileReport>,
    as_of: Day,
    first_day: Option<Day>,
    last_day: Option<Day>,
    paths: Vec<PathBuf>,
    block_indexes: Vec<Option<BlockIndex>>,
    strict: bool,
}

impl UnorderedImport {
    /// Every customer, in no particular order.
    pub fn customers(&self) -> &[(Box<str>, CustomerSummary)] {
        &self.customers
    }

    /// The day the summaries are as of.
    pub fn as_of(&self) -> Day {
        self.as_of
    }

    /// Puts the customers in id order and finishes the rejects; refuses the import here when
    /// `--strict` found bad rows or no row was imported.
    pub fn into_id_order(self) -> Result<OrderImport, ImportError> {
        let UnorderedImport {
            mut customers,
            part_lens,
            categories,
            mut rejects,
            files,
            as_of,
            first_day,
            last_day,
            paths,
            block_indexes,
            strict,
        } = self;
        // The ids' merge and the permutation run mostly on one thread; the re-reading of
        // duplicates' lines (a parallel pass over the file) goes on beside them.
        let ((), finished) = rayon::join(
            || {
                // Shards by ranges of ids come out in id order already.
                if !parts_in_id_order(&customers, &part_lens) {
                    let order = id_order_of_parts(&customers, &part_lens);
                    permute_in_place(&mut customers, order);
                }
            },
            || finish_rejects(&mut rejects, &paths, &block_indexes),
        );
        finished?;
        if strict {
            strict_error(&rejects)?;
        }
        if customers.is_empty() {
            return Err(ImportError::NoOrders);
        }
        Ok(OrderImport {
            customers,
            categories,
            rejects,
            files,
            as_of,
            first_day,
            last_day,
        })
    }
}

/// [`import_orders`] up to the id order: see [`UnorderedImport`].
pub fn import_unordered(
    paths: &[PathBuf],
    options: &ImportOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<UnorderedImport, ImportError> {
    if paths.len() > usize::from(u16::MAX) {
        return Err(ImportError::TooManyFiles {
            count: paths.len(),
            max: usize::from(u16::MAX),
        });
    }
    let categories = CategoryTable::default();
    let sharding = sharding_for(paths, &options.overrides);
    let mut shards: Vec<Shards> = Vec::new();
    let mut rejects: Vec<Reject> = Vec::new();
    let mut files: Vec<FileReport> = Vec::new();
    let mut consumed = 0u64;
    let mut block_indexes: Vec<Option<BlockIndex>> = Vec::with_capacity(paths.len());
    for (index, path) in paths.iter().enumerate() {
        let ctx = FileContext {
            index: index as u32,
            path,
            as_of: options.as_of,
            categories: &categories,
            sharding: &sharding,
        };
        let base = consumed;
        let report_progress = |bytes: u64| progress(base + bytes);
        let (file_shards, file_rejects, report, bytes, block_index) =
            import_file(&ctx, &options.overrides, &report_progress)?;
        block_indexes.push(block_index);
        consumed += bytes;
        shards.extend(file_shards);
        rejects.extend(file_rejects);
        files.push(report);
    }

    let first_day = shards.iter().filter_map(|s| s.first_day).min();
    let last_day = shards.iter().filter_map(|s| s.last_day).max();
    let as_of = match (options.as_of, last_day) {
        (Some(d), _) => d,
        (None, Some(d)) => d,
        (None, None) => {
            finish_rejects(&mut rejects, paths, &block_indexes)?;
            if options.strict {
                strict_error(&rejects)?;
            }
            return Err(ImportError::NoOrders);
        }
    };

    // Shard by shard, one per thread at a time: the shard's customers are numbered across
    // workers and their ids sorted (its plan), then summarised, in id order, into a vector of
    // the shard's own while its lines are freed; that vector is appended to the whole (and
    // freed) in shard order, which is put in id order in place at the end unless the shards were
    // ranges of ids. So summaries only take the room the lines gave up, a shard's plan exists
    // only while it is summarised, and at no moment do all the shards' vectors exist beside the
    // whole (an earlier layout wrote every summary's slot before the shards began, beside all
    // the lines: with a hundred million lines that was the import's peak).
    //
    // The whole's capacity counts a customer once per worker that met them: an upper bound,
    // reserved but not touched beyond what is written (untouched pages cost nothing), so no
    // growth copies the summaries.
    let upper_bound: usize = shards
        .iter()
        .flat_map(|worker| &worker.maps)
        .map(|map| map.lock().expect("no worker panicked").customers.len())
        .sum();
    // Category ids were handed out in the order the parallel workers met them; they are
    // renumbered in name order, so that every output is the same from run to run, as the lines
    // are summarised (the table is complete once the files are read).
    let names = categories.into_names();
    let mut sorted_names: Vec<(String, u32)> = names.into_iter().zip(0..).collect();
    sorted_names.sort();
    let mut category_rank = vec![0u32; sorted_names.len()];
    for (new, (_, old)) in (0u32..).zip(&sorted_names) {
        category_rank[*old as usize] = new;
    }
    let appended = Mutex::new(Appended {
        customers: Vec::with_capacity(upper_bound),
        part_lens: Vec::with_capacity(SHARDS),
        duplicates: Vec::new(),
        waiting: Vec::new(),
    });
    // Scratch buffers outlive the shards: fresh ones would cost their page faults again.
    let scratch_pool: Mutex<Vec<MergeScratch>> = Mutex::new(Vec::new());
    // Each thread takes the next shard in order and summarises it. The shard is appended to the
    // whole as soon as the shards before it are, by whichever thread finishes it, while the
    // other threads go on summarising: the append (a copy into fresh pages) overlaps the work.
    // Shards are taken in order, so a finished one waits for at most the few shards still being
    // summarised, and the whole's parts come in shard order (the model fits read the customers
    // in this order: it makes their sums the same from run to run).
    let next_shard = AtomicUsize::new(0);
    rayon::broadcast(|_| {
        loop {
            let k = next_shard.fetch_add(1, Ordering::Relaxed);
            if k >= SHARDS {
                break;
            }
            let plan = plan_shard(&shards, k);
            let pooled = scratch_pool.lock().expect("no merger panicked").pop();
            let mut scratch = pooled.unwrap_or_default();
            let shard = summarise_shard(
                plan,
                as_of,
                options.day_amounts,
                &category_rank,
                &mut scratch,
            );
            scratch_pool
                .lock()
                .expect("no merger panicked")
                .push(scratch);
            appended
                .lock()
                .expect("no merger panicked")
                .append_in_order(k, shard);
        }
    });
    drop(scratch_pool);
    let Appended {
        customers,
        part_lens,
        duplicates,
        waiting,
    } = appended.into_inner().expect("no merger panicked");
    debug_assert!(waiting.is_empty() && part_lens.len() == SHARDS);
    for d in &duplicates {
        let report = &mut files[d.duplicate.file as usize];
        report.duplicates += 1;
        report.accepted -= 1;
        rejects.push(Reject {
            file: paths[d.duplicate.file as usize].clone(),
            row: d.duplicate,
            column: report.order_id_column.clone(),
            reason: format!(
                "duplicate of line {} (same order id and product); counted once",
                d.first_seen.line
            ),
            raw: String::new(),
        });
    }
    Ok(UnorderedImport {
        customers,
        part_lens,
        categories: sorted_names.into_iter().map(|(name, _)| name).collect(),
        rejects,
        files,
        as_of,
        first_day,
        last_day,
        paths: paths.to_vec(),
        block_indexes,
        strict: options.strict,
    })
}

fn strict_error(rejects: &[Reject]) -> Result<(), ImportError> {
    match rejects.first() {
        Some(r) => Err(ImportError::Strict {
            path: r.file.clone(),
            line: r.row.line,
            column: r.column.clone(),
            reason: r.reason.clone(),
            count: rejects.len(),
        }),
        None => Ok(()),
    }
}

/// Sorts rejects into input order and fills in the raw text of duplicates, which the parallel
/// readers did not keep (re-reading those lines costs one pass over the file, only when needed:
/// over the blocks holding them, in parallel, when the file is plain text).
fn finish_rejects(
    rejects: &mut [Reject],
    paths: &[PathBuf],
    block_indexes: &[Option<BlockIndex>],
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
            _ => read_raw_lines(path, &wanted)?,
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
fn read_raw_lines_by_block(
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
fn raw_line_text(bytes: &[u8], encoding: TextEncoding) -> String {
    let text = match decode_chunk(bytes, encoding) {
        Ok(t) => t.into_owned(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    text.trim_end_matches(['\r', '\n']).to_string()
}

fn read_raw_lines(path: &Path, wanted: &[u64]) -> Result<HashMap<u64, String>, ImportError> {
    let mut found = HashMap::new();
    let (container, reader) = open_input(path)?;
    if container == Container::Xlsx {
        let rows = read_xlsx(path, None).map_err(|e| ImportError::Format {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        for &line in wanted {
            if let Some(row) = rows.get(line as usize - 1) {
                found.insert(line, row.join(";"));
            }
        }
        return Ok(found);
    }
    let mut reader = BufReader::with_capacity(1 << 16, reader);
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

/// Opens a file, looking through gzip; tells whether it is an xlsx workbook.
pub(crate) fn open_input(path: &Path) -> Result<(Container, Box<dyn Read + Send>), ImportError> {
    let mut file = File::open(path).map_err(io_err(path))?;
    let mut magic = [0u8; 4];
    let n = read_up_to(&mut file, &mut magic).map_err(io_err(path))?;
    let container = detect_container(&magic[..n], path);
    let file = File::open(path).map_err(io_err(path))?;
    let reader: Box<dyn Read + Send> = match container {
        Container::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 20,
            file,
        ))),
        _ => Box::new(file),
    };
    Ok((container, reader))
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
struct CountingReader<R> {
    inner: R,
    count: Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        Ok(n)
    }
}

pub(crate) struct FileContext<'a> {
    pub(crate) index: u32,
    pub(crate) path: &'a Path,
    pub(crate) as_of: Option<Day>,
    pub(crate) categories: &'a CategoryTable,
    /// How customers are dealt to shards: the same for every file of an import.
    pub(crate) sharding: &'a Sharding,
}

/// How a customer's id picks its shard.
#[derive(Debug)]
pub(crate) enum Sharding {
    /// By ranges of ids: every id of shard k sorts before every id of shard k + 1, so the
    /// shards' summaries, each in id order, come out in id order altogether and nothing is left
    /// to merge or move after the import. The bounds are quantiles of ids sampled across the
    /// files before they are read ([`sharding_for`]). A sample that misjudges the ids costs
    /// only balance between shards, never order.
    ByRange {
        /// Ascending, without repeats: shard k holds the ids from `bounds[k - 1]` up to but not
        /// including `bounds[k]`.
        bounds: Vec<Box<str>>,
        /// Each bound's [`id_prefix`], so that finding a shard compares integers, and ids only
        /// where the first eight bytes tie.
        prefixes: Vec<u64>,
    },
    /// By a hash of the id, when there was nothing to sample (an `.xlsx`, a compressed file):
    /// the shards are then merged into id order after the import.
    ByHash,
}

impl Sharding {
    /// The shard of `id`, whose hash under [`shard_hasher`] is `hash`.
    fn shard(&self, id: &str, hash: u64) -> usize {
        match self {
            // The low bits of the hash: a customer table uses the top 32.
            Sharding::ByHash => (hash % SHARDS as u64) as usize,
            Sharding::ByRange { bounds, prefixes } => {
                // The bounds are ordered by prefix and then by id, as ids are; the bounds whose
                // prefix is the id's are few, and only those need the whole ids compared.
                let prefix = id_prefix(id);
                let mut k = prefixes.partition_point(|&p| p < prefix);
                while k < bounds.len() && prefixes[k] == prefix && &*bounds[k] <= id {
                    k += 1;
                }
                k
            }
        }
    }

    /// Range bounds from sampled ids (one per sampled line, in any order): the ids at every
    /// 1/SHARDS of the sample, without repeats, so that each shard gets about as many lines.
    fn from_sample(mut ids: Vec<Box<str>>) -> Sharding {
        if ids.is_empty() {
            return Sharding::ByHash;
        }
        ids.sort_unstable();
        let mut bounds: Vec<Box<str>> = (1..SHARDS)
            .map(|k| ids[k * ids.len() / SHARDS].clone())
            .collect();
        bounds.dedup();
        let prefixes = bounds.iter().map(|b| id_prefix(b)).collect();
        Sharding::ByRange { bounds, prefixes }
    }
}

/// Buffers one merging thread reuses from shard to shard (fresh large allocations cost a page
/// fault per 4 KiB).
#[derive(Default)]
struct MergeScratch {
    starts: Vec<usize>,
    fill: Vec<usize>,
    sorted: Vec<CompactLine>,
    /// One group of `sorted`'s lines, customer by customer, and the groups: each one's first
    /// customer, and each customer's group (see `summarise_shard`).
    grouped: Vec<CompactLine>,
    group_firsts: Vec<usize>,
    group_of: Vec<u32>,
    lines: Vec<OrderLine>,
    summary: SummaryScratch,
}

/// Shard `k` of every worker, its customers numbered across workers in id order: their ids (which
/// stay in the workers' arenas) and every worker's lines with the map from its local numbers to
/// these.
struct ShardPlan {
    arenas: Vec<String>,
    /// Customer `n`'s id is `by_id[n]`.
    by_id: Vec<IdSpan>,
    parts: Vec<(Vec<u32>, ChunkedLines)>,
}

/// A customer id in one of a shard plan's arenas.
#[derive(Clone, Copy)]
struct IdSpan {
    arena: u32,
    start: u32,
    len: u32,
}

impl IdSpan {
    fn id<'a>(&self, arenas: &'a [String]) -> &'a str {
        &arenas[self.arena as usize][self.start as usize..][..self.len as usize]
    }
}

/// Takes shard `k` from every worker and numbers its customers across workers.
fn plan_shard(shards: &[Shards], k: usize) -> ShardPlan {
    let maps: Vec<ShardMap> = shards
        .iter()
        .map(|worker| std::mem::take(&mut *worker.maps[k].lock().expect("no worker panicked")))
        .collect();
    let most = maps.iter().map(|m| m.customers.len()).sum();
    let mut arenas: Vec<String> = Vec::with_capacity(maps.len());
    let mut merged: HashTable<(IdSpan, u32)> = HashTable::with_capacity(most);
    let mut parts: Vec<(Vec<u32>, ChunkedLines)> = Vec::with_capacity(maps.len());
    let hasher = shard_hasher();
    for (arena, map) in (0u32..).zip(maps) {
        let (ids, ends) = map.customers.into_ids();
        arenas.push(ids);
        let mut global = vec![0u32; ends.len()];
        let mut start = 0;
        for (local, end) in ends.into_iter().enumerate() {
            let span = IdSpan {
                arena,
                start,
                len: end - start,
            };
            start = end;
            let id = span.id(&arenas);
            let hash = hasher.hash_one(id);
            let next = merged.len() as u32;
            let number = match merged.find(hash, |(e, _)| e.id(&arenas) == id) {
                Some(&(_, number)) => number,
                None => {
                    merged
                        .insert_unique(hash, (span, next), |(e, _)| hasher.hash_one(e.id(&arenas)));
                    next
                }
            };
            global[local] = number;
        }
        parts.push((global, map.lines));
    }
    // Sorted by the ids' first eight bytes as one integer, and by the whole ids only where those
    // tie: most comparisons then follow no pointer into the arenas.
    let mut keyed: Vec<(u64, IdSpan, u32)> = merged
        .into_iter()
        .map(|(span, number)| (id_prefix(span.id(&arenas)), span, number))
        .collect();
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.id(&arenas).cmp(b.1.id(&arenas)))
    });
    // Customers are numbered again in id order, so that the lines are bucketed in the order
    // they are summarised: read in sequence then, not by jumping to each customer's bucket.
    let mut rank = vec![0u32; keyed.len()];
    for (position, &(_, _, number)) in (0u32..).zip(&keyed) {
        rank[number as usize] = position;
    }
    for (global, _) in &mut parts {
        for number in global.iter_mut() {
            *number = rank[*number as usize];
        }
    }
    let by_id = keyed.into_iter().map(|(_, span, _)| span).collect();
    ShardPlan {
        arenas,
        by_id,
        parts,
    }
}

/// The first eight bytes of `id`, zero-padded, as a big-endian integer. Integers ordered this
/// way are ordered as their ids are, except that ids equal in their first eight bytes (or equal
/// but for trailing zero bytes) tie.
fn id_prefix(id: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = id.len().min(8);
    bytes[..n].copy_from_slice(&id.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

/// Whether `customers`, in parts of `part_lens` that are each in id order, are in id order as a
/// whole: every part's ids come before the next non-empty part's.
fn parts_in_id_order<T>(customers: &[(Box<str>, T)], part_lens: &[usize]) -> bool {
    let mut start = 0;
    let mut last: Option<&str> = None;
    for &len in part_lens {
        if len == 0 {
            continue;
        }
        if last.is_some_and(|last| last >= &*customers[start].0) {
            return false;
        }
        last = Some(&customers[start + len - 1].0);
        start += len;
    }
    true
}

/// The customers in id order, as positions in `customers`: parts of lengths `part_lens`, one
/// after another, each in id order. A k-way merge of the parts' ids, which moves nothing but
/// indices. Ids are unique across parts (a customer lives in one shard), so no tie needs
/// breaking.
///
/// The merge is cut into ranges of ids, merged in parallel: the cuts are ids taken at even
/// steps through the largest part, and every part is split at them by binary search. With the
/// customers spread over the parts by hash, each range holds about as many of every part.
fn id_order_of_parts<T: Sync>(customers: &[(Box<str>, T)], part_lens: &[usize]) -> Vec<u32> {
    // A range per few hundred thousand customers, a few per thread.
    let ranges = (customers.len() / 200_000).clamp(1, 4 * rayon::current_num_threads());
    id_order_of_parts_in(customers, part_lens, ranges)
}

/// [`id_order_of_parts`] in `ranges` ranges of ids.
fn id_order_of_parts_in<T: Sync>(
    customers: &[(Box<str>, T)],
    part_lens: &[usize],
    ranges: usize,
) -> Vec<u32> {
    assert_eq!(part_lens.iter().sum::<usize>(), customers.len());
    assert!(
        u32::try_from(customers.len()).is_ok(),
        "more than 4,294,967,295 customers in one import"
    );
    let mut parts: Vec<std::ops::Range<usize>> = Vec::with_capacity(part_lens.len());
    let mut start = 0;
    for &len in part_lens {
        parts.push(start..start + len);
        start += len;
    }
    let largest = parts
        .iter()
        .max_by_key(|p| p.len())
        .cloned()
        .unwrap_or_default();
    let ranges = ranges.clamp(1, largest.len().max(1));
    // Range j holds the ids from cut j − 1 (included) to cut j (excluded).
    let cuts: Vec<&str> = (1..ranges)
        .map(|j| &*customers[largest.start + j * largest.len() / ranges].0)
        .collect();
    // Where range j begins in `part`.
    let split = |part: &std::ops::Range<usize>, j: usize| -> usize {
        if j == 0 {
            part.start
        } else if j == ranges {
            part.end
        } else {
            let cut = cuts[j - 1];
            part.start + customers[part.clone()].partition_point(|(id, _)| &**id < cut)
        }
    };
    let bounds: Vec<Vec<std::ops::Range<usize>>> = (0..ranges)
        .map(|j| parts.iter().map(|p| split(p, j)..split(p, j + 1)).collect())
        .collect();
    // Each range's merge fills its own stretch of the order: no piece is copied.
    let mut order = vec![0u32; customers.len()];
    let mut stretches: Vec<&mut [u32]> = Vec::with_capacity(ranges);
    let mut rest = order.as_mut_slice();
    for range in &bounds {
        let (stretch, after) = rest.split_at_mut(range.iter().map(|r| r.len()).sum());
        stretches.push(stretch);
        rest = after;
    }
    stretches
        .into_par_iter()
        .zip(&bounds)
        .for_each(|(stretch, range)| merge_ranges(customers, range, stretch));
    order
}

/// The positions in the ranges `bounds` of `customers`, each range in id order, merged into
/// id order with a heap and written to `out` (as long as the ranges together).
fn merge_ranges<T>(
    customers: &[(Box<str>, T)],
    bounds: &[std::ops::Range<usize>],
    out: &mut [u32],
) {
    // (id prefix, id, position, end of its range): the prefix settles most comparisons without
    // reading the ids (see `id_prefix`).
    let entry = |k: usize, end: usize| {
        let id = &*customers[k].0;
        Reverse((id_prefix(id), id, k, end))
    };
    let mut heap: BinaryHeap<Reverse<(u64, &str, usize, usize)>> = BinaryHeap::new();
    for range in bounds.iter().filter(|r| !r.is_empty()) {
        heap.push(entry(range.start, range.end));
    }
    let mut slots = out.iter_mut();
    while let Some(mut top) = heap.peek_mut() {
        let Reverse((_, _, k, end)) = *top;
        *slots.next().expect("as many slots as positions") = k as u32;
        if k + 1 < end {
            *top = entry(k + 1, end);
        } else {
            PeekMut::pop(top);
        }
    }
    assert!(slots.next().is_none(), "every slot filled");
}

/// The shards' summaries appended to the whole in shard order, and the finished shards waiting
/// for those before them.
struct Appended {
    customers: Vec<(Box<str>, CustomerSummary)>,
    part_lens: Vec<usize>,
    duplicates: Vec<DuplicateLine>,
    waiting: Vec<(usize, SummarisedShard)>,
}

impl Appended {
    /// Appends shard `k` if every shard before it is appended (then also those waiting for it),
    /// else keeps it waiting.
    fn append_in_order(&mut self, k: usize, shard: SummarisedShard) {
        self.waiting.push((k, shard));
        while let Some(at) = self
            .waiting
            .iter()
            .position(|(k, _)| *k == self.part_lens.len())
        {
            let (_, shard) = self.waiting.swap_remove(at);
            self.part_lens.push(shard.customers.len());
            self.customers.extend(shard.customers);
            self.duplicates.extend(shard.duplicates);
        }
    }
}

/// One shard's customers, summarised in id order, and the duplicate lines dropped on the way.
struct SummarisedShard {
    customers: Vec<(Box<str>, CustomerSummary)>,
    duplicates: Vec<DuplicateLine>,
}

/// Lines put in place together in a shard that is not in customer order: 224 KiB of them, which
/// fit in a core's cache beside the lines they are read from. (A few in unit tests, so that
/// small files take many groups.)
const LINES_PER_GROUP: usize = if cfg!(test) { 16 } else { 4096 };

/// Buckets a shard's lines by customer (a counting sort, no per-customer allocation; each
/// worker's lines are freed once they are bucketed), then deduplicates and summarises each
/// customer.
/// `category_rank` maps the workers' category ids to the final ones.
fn summarise_shard(
    plan: ShardPlan,
    as_of: Day,
    day_amounts: DayAmounts,
    category_rank: &[u32],
    scratch: &mut MergeScratch,
) -> SummarisedShard {
    let ShardPlan {
        arenas,
        by_id,
        parts,
    } = plan;
    let customers = by_id.len();
    let MergeScratch {
        starts,
        fill,
        sorted,
        grouped,
        group_firsts,
        group_of,
        lines,
        summary,
    } = scratch;
    starts.clear();
    starts.resize(customers + 1, 0);
    // Whether each worker's lines already come customer by customer (as from a file sorted by
    // customer): then one pass puts them in place, writing in sequence within each worker's runs.
    let mut in_order = true;
    for (global, chunked) in &parts {
        let mut last = 0;
        for l in chunked.iter() {
            let c = global[l.customer as usize];
            in_order &= c >= last;
            last = c;
            starts[c as usize + 1] += 1;
        }
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let total = starts[customers];
    // Otherwise (a file sorted by date) the customers are taken in groups whose lines fit in the
    // cache together: the lines are first put group by group, writing to a few hundred places in
    // sequence, and then each group's lines customer by customer, within the cache. Put straight
    // in place, every line was a cache miss once the shard outgrew the cache. A group is a run of
    // customers with at most `LINES_PER_GROUP` lines together, or one customer alone with more
    // (whose lines, in the order they came, need no second pass: so the scratch for it stays
    // small even when one customer has millions of lines). In order, every customer is a group
    // of their own: the first pass puts each line in its place, and there is no second.
    group_firsts.clear();
    if in_order {
        group_firsts.extend(0..=customers);
    } else {
        let mut c = 0;
        while c < customers {
            group_firsts.push(c);
            let limit = starts[c] + LINES_PER_GROUP;
            c += 1;
            while c < customers && starts[c + 1] <= limit {
                c += 1;
            }
        }
        group_firsts.push(customers);
        group_of.clear();
        group_of.resize(customers, 0);
        for (g, firsts) in (0u32..).zip(group_firsts.windows(2)) {
            group_of[firsts[0]..firsts[1]].fill(g);
        }
    }
    let groups = group_firsts.len() - 1;
    fill.clear();
    fill.extend(group_firsts[..groups].iter().map(|&c| starts[c]));
    sorted.clear();
    sorted.resize(total, CompactLine::EMPTY);
    for (global, chunked) in parts {
        for l in chunked.iter() {
            let c = global[l.customer as usize];
            let g = if in_order {
                c as usize
            } else {
                group_of[c as usize] as usize
            };
            sorted[fill[g]] = CompactLine { customer: c, ..*l };
            fill[g] += 1;
        }
    }
    let mut duplicates = Vec::new();
    let mut out = Vec::with_capacity(customers);
    let mut by_id = by_id.into_iter();
    for g in 0..groups {
        let (first, end) = (group_firsts[g], group_firsts[g + 1]);
        let (base, group_end) = (starts[first], starts[end]);
        let group_lines: &[CompactLine] = if end - first == 1 {
            &sorted[base..group_end]
        } else {
            fill.clear();
            fill.extend_from_slice(&starts[first..end]);
            grouped.clear();
            grouped.resize(group_end - base, CompactLine::EMPTY);
            for l in &sorted[base..group_end] {
                let c = l.customer as usize;
                grouped[fill[c - first] - base] = *l;
                fill[c - first] += 1;
            }
            grouped
        };
        for c in first..end {
            let span = by_id.next().expect("a customer for every number");
            lines.clear();
            lines.extend(
                group_lines[starts[c] - base..starts[c + 1] - base]
                    .iter()
                    .map(|l| l.expand(category_rank)),
            );
            duplicates.extend(dedup_lines_with(lines, summary));
            let id = Box::from(span.id(&arenas));
            out.push((id, summarize_with(lines, as_of, day_amounts, summary)));
        }
    }
    SummarisedShard {
        customers: out,
        duplicates,
    }
}

/// One worker's lines of one shard: each customer gets a local number, and lines are appended to
/// chunked storage tagged with it. (One growing vector per customer cost a reallocation and a
/// copy at every doubling for millions of customers: a quarter of the run time on large files.)
#[derive(Default)]
struct ShardMap {
    customers: CustomerTable,
    lines: ChunkedLines,
}

/// An append-only list in chunks that never move: growing it copies nothing.
#[derive(Default)]
struct ChunkedLines {
    chunks: Vec<Vec<CompactLine>>,
    len: usize,
}

impl ChunkedLines {
    const FIRST_CHUNK: usize = 256;
    const MAX_CHUNK: usize = 16 << 10;

    fn push(&mut self, line: CompactLine) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < last.capacity() => last.push(line),
            _ => {
                let capacity = self.chunks.last().map_or(Self::FIRST_CHUNK, |c| {
                    (c.capacity() * 2).min(Self::MAX_CHUNK)
                });
                let mut chunk = Vec::with_capacity(capacity);
                chunk.push(line);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    fn iter(&self) -> impl Iterator<Item = &CompactLine> {
        self.chunks.iter().flatten()
    }
}

/// One worker's accepted lines, sharded by customer.
struct Shards {
    maps: Vec<Mutex<ShardMap>>,
    first_day: Option<Day>,
    last_day: Option<Day>,
}

/// Per-worker state while parsing.
pub(crate) struct Worker {
    maps: Vec<ShardMap>,
    rejects: Vec<Reject>,
    pub(crate) report: FileReport,
    first_day: Option<Day>,
    last_day: Option<Day>,
    categories: KnownCategories,
    /// Accepted rows whose customers are not yet looked up.
    pending: PendingRows,
    /// The shard and number of the customer of the last row filed.
    last_filed: (usize, u32),
}

/// The category ids a worker has met, by name: a short list, scanned, while the categories are
/// few (a shop has a handful to a few dozen, and comparing a few short names costs less than
/// hashing one on every row), and a hash map beyond.
#[derive(Default)]
struct KnownCategories {
    few: Vec<(Box<str>, u32)>,
    many: HashMap<String, u32, RandomState>,
}

impl KnownCategories {
    /// Names kept in the scanned list before the map takes over.
    const FEW: usize = 16;

    fn get(&self, name: &str) -> Option<u32> {
        if self.many.is_empty() {
            self.few
                .iter()
                .find(|(n, _)| &**n == name)
                .map(|&(_, id)| id)
        } else {
            self.many.get(name).copied()
        }
    }

    fn insert(&mut self, name: &str, id: u32) {
        if self.many.is_empty() && self.few.len() < Self::FEW {
            self.few.push((name.into(), id));
            return;
        }
        for (n, id) in self.few.drain(..) {
            self.many.insert(n.into(), id);
        }
        self.many.insert(name.to_string(), id);
    }
}

/// Accepted rows waiting for their customers to be found in the shard tables, which together
/// are far larger than the cache. Found row by row, every lookup's cache misses waited alone: a
/// row's parsing is more work than the processor looks ahead over, so it never reached the next
/// row's lookup. Found [`PendingRows::CAPACITY`] at a time in one tight loop, the misses of a
/// batch overlap. (A file sorted by date, as most exports are, looks up a customer on every row.)
#[derive(Default)]
struct PendingRows {
    /// The ids of the rows that are not repeats, one after another.
    ids: String,
    rows: Vec<PendingRow>,
    /// The customer of the last row accepted: the lines of one order, and in many exports all of
    /// a customer's orders, come one after another, and then a row needs no hash and no lookup.
    previous_id: String,
    has_previous: bool,
}

impl PendingRows {
    const CAPACITY: usize = 32;
}

/// Each of `rows`' ids in `ids` (empty for a repeat), in order.
fn row_ids<'a>(rows: &'a [PendingRow], ids: &'a str) -> impl Iterator<Item = &'a str> {
    rows.iter().scan(0, move |start, row| {
        let id = &ids[*start..row.id_end as usize];
        *start = row.id_end as usize;
        Some(id)
    })
}

struct PendingRow {
    /// Where the row's id ends in `ids` (it starts where the previous row's ends).
    id_end: u32,
    hash: u64,
    shard: u32,
    /// The row's customer is the previous row's.
    repeats: bool,
    line: CompactLine,
}

impl Worker {
    pub(crate) fn new(path: &Path) -> Worker {
        Worker {
            maps: (0..SHARDS).map(|_| ShardMap::default()).collect(),
            rejects: Vec::new(),
            report: FileReport {
                path: path.to_path_buf(),
                ..FileReport::default()
            },
            first_day: None,
            last_day: None,
            categories: KnownCategories::default(),
            pending: PendingRows::default(),
            last_filed: (0, 0),
        }
    }

    /// Finds or numbers the customers of the pending rows and files the rows in their shards,
    /// in the order they were accepted.
    fn file_pending(&mut self) {
        let PendingRows { ids, rows, .. } = &mut self.pending;
        let maps = &mut self.maps;
        // Each stage of the lookups for the whole batch before the next stage, with nothing in
        // between for the cache misses to wait on (see `CustomerTable`).
        let mut lookups = [Lookup::NONE; PendingRows::CAPACITY];
        let lookups = &mut lookups[..rows.len()];
        for (row, lookup) in rows.iter().zip(lookups.iter_mut()) {
            if !row.repeats {
                *lookup = maps[row.shard as usize].customers.candidate(row.hash);
            }
        }
        for (row, lookup) in rows.iter().zip(lookups.iter_mut()) {
            maps[row.shard as usize].customers.locate(lookup);
        }
        for ((row, lookup), id) in rows.iter().zip(lookups.iter_mut()).zip(row_ids(rows, ids)) {
            maps[row.shard as usize]
                .customers
                .compare_first_byte(lookup, id);
        }
        for ((row, lookup), id) in rows.iter().zip(lookups.iter()).zip(row_ids(rows, ids)) {
            if !row.repeats {
                let shard = row.shard as usize;
                let number = maps[shard].customers.number_of(id, row.hash, *lookup);
                self.last_filed = (shard, number);
            }
            let (shard, number) = self.last_filed;
            maps[shard].lines.push(CompactLine {
                customer: number,
                ..row.line
            });
        }
        rows.clear();
        ids.clear();
    }

    fn into_parts(mut self) -> (Shards, Vec<Reject>, FileReport) {
        self.file_pending();
        let shards = Shards {
            maps: self.maps.into_iter().map(Mutex::new).collect(),
            first_day: self.first_day,
            last_day: self.last_day,
        };
        (shards, self.rejects, self.report)
    }
}

fn shard_hasher() -> RandomState {
    // Fixed seeds: the shard of a customer is the same in every run and every worker.
    RandomState::with_seeds(0x5eed_c11e, 0x7e1e_0001, 0xa5a5_a5a5, 0x0123_4567)
}

fn key_hasher() -> RandomState {
    RandomState::with_seeds(0x0dd5_eed5, 0x1234_5678, 0x9abc_def0, 0x0fed_cba9)
}

/// An accepted line as stored until the merge: 56 bytes instead of `OrderLine`'s 88, with the
/// worker-local number of its customer.
#[derive(Clone, Copy, Debug)]
struct CompactLine {
    line: u64,
    amount: i64,
    cost: i64,
    line_key: u64,
    order_key: u64,
    day: Day,
    category: u32,
    customer: u32,
    file: u16,
    /// bit 0: full price known, bit 1: full price, bit 2: has keys.
    flags: u8,
}

const NO_CATEGORY: u32 = u32::MAX;
const NO_COST: i64 = i64::MIN;

impl CompactLine {
    const EMPTY: CompactLine = CompactLine {
        line: 0,
        amount: 0,
        cost: 0,
        line_key: 0,
        order_key: 0,
        day: Day::from_days_since_epoch(0),
        category: 0,
        customer: 0,
        file: 0,
        flags: 0,
    };

    fn compact(line: &OrderLine, customer: u32) -> CompactLine {
        let mut flags = 0u8;
        if let Some(f) = line.full_price {
            flags |= 1 | (u8::from(f) << 1);
        }
        if line.line_key.is_some() {
            flags |= 4;
        }
        CompactLine {
            line: line.row.line,
            amount: line.amount.units(),
            cost: line.cost.map_or(NO_COST, Money::units),
            line_key: line.line_key.unwrap_or(0),
            order_key: line.order_key.unwrap_or(0),
            day: line.day,
            category: line.category.map_or(NO_CATEGORY, |c| c.0),
            customer,
            // Checked when the import starts: at most u16::MAX files.
            file: line.row.file as u16,
            flags,
        }
    }

    /// The line, its category renumbered by `category_rank`.
    fn expand(&self, category_rank: &[u32]) -> OrderLine {
        let keyed = self.flags & 4 != 0;
        OrderLine {
            row: RowRef {
                file: u32::from(self.file),
                line: self.line,
            },
            day: self.day,
            amount: Money::from_units(self.amount),
            cost: (self.cost != NO_COST).then(|| Money::from_units(self.cost)),
            category: (self.category != NO_CATEGORY)
                .then(|| CategoryId(category_rank[self.category as usize])),
            full_price: (self.flags & 1 != 0).then_some(self.flags & 2 != 0),
            line_key: keyed.then_some(self.line_key),
            order_key: keyed.then_some(self.order_key),
        }
    }
}

/// Category names shared by all workers; each worker caches the ids it has seen.
#[derive(Default)]
pub(crate) struct CategoryTable {
    names: Mutex<(HashMap<String, u32>, Vec<String>)>,
}

impl CategoryTable {
    fn id(&self, name: &str) -> u32 {
        let mut guard = self.names.lock().expect("no worker panicked");
        let (map, names) = &mut *guard;
        if let Some(&id) = map.get(name) {
            return id;
        }
        let id = names.len() as u32;
        names.push(name.to_string());
        map.insert(name.to_string(), id);
        id
    }

    fn into_names(self) -> Vec<String> {
        self.names.into_inner().expect("no worker panicked").1
    }
}

/// Why a row was rejected: the column name and the reason.
type RowFault = (String, String);

/// A row's cells, whether split by the csv reader or by the whitespace/fixed-width splitter.
pub(crate) trait Cells<'a> {
    fn cell(&self, i: usize) -> Option<&'a str>;
    fn all_blank(&self) -> bool;
}

/// `str::trim`, without decoding characters for the usual cell that starts and ends with a
/// visible ASCII character (nothing to trim): this runs for every cell a row is read from.
#[inline]
fn trim_cell(s: &str) -> &str {
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

/// How the columns of one file turn into an order line.
pub(crate) struct RowParser {
    /// Column index of each field, indexed by `Field as usize`.
    col: [Option<usize>; Field::ALL.len()],
    /// Column names for reject messages: the header, or "#N" for position N.
    headers: Vec<String>,
    pub(crate) has_header: bool,
    date_format: DateFormat,
    pub(crate) number_format: NumberFormat,
    pub(crate) notes: Vec<String>,
}

impl RowParser {
    fn new(
        columns: &ColumnMap,
        header: Option<&[String]>,
        n_columns: usize,
        has_header: bool,
        date_format: DateFormat,
        number_format: NumberFormat,
        notes: Vec<String>,
    ) -> RowParser {
        let headers = (0..n_columns)
            .map(|i| match header.and_then(|h| h.get(i)) {
                Some(h) if !h.trim().is_empty() => h.trim().to_string(),
                _ => format!("#{}", i + 1),
            })
            .collect();
        let mut col = [None; Field::ALL.len()];
        for (field, i) in columns.fields() {
            col[field as usize] = Some(i);
        }
        RowParser {
            col,
            headers,
            has_header,
            date_format,
            number_format,
            notes,
        }
    }

    pub(crate) fn for_text(f: &TextFormat) -> RowParser {
        RowParser::new(
            &f.columns,
            f.header.as_deref(),
            f.n_columns,
            f.has_header,
            f.date_format,
            f.number_format,
            f.notes.clone(),
        )
    }

    pub(crate) fn for_rows(f: &RowsFormat) -> RowParser {
        RowParser::new(
            &f.columns,
            f.header.as_deref(),
            f.n_columns,
            f.has_header,
            f.date_format,
            f.number_format,
            f.notes.clone(),
        )
    }

    pub(crate) fn column_name(&self, field: Field) -> String {
        self.col[field as usize]
            .and_then(|i| self.headers.get(i).cloned())
            .unwrap_or_else(|| field.as_str().to_string())
    }

    fn has(&self, field: Field) -> bool {
        self.col[field as usize].is_some()
    }

    #[inline(always)]
    pub(crate) fn get<'a>(&self, fields: &impl Cells<'a>, field: Field) -> Option<&'a str> {
        let i = self.col[field as usize]?;
        fields.cell(i).map(trim_cell).filter(|s| !s.is_empty())
    }

    /// The row's customer: the id, else the normalised e-mail, else the normalised phone.
    fn customer_id<'a>(&self, fields: &impl Cells<'a>) -> Result<Cow<'a, str>, RowFault> {
        let fail = |field: Field, reason: String| Err((self.column_name(field), reason));
        if let Some(id) = self.get(fields, Field::CustomerId) {
            Ok(Cow::Borrowed(id))
        } else if let Some(e) = self.get(fields, Field::Email) {
            match normalize_email(e) {
                Some(e) => Ok(Cow::Owned(e)),
                None => fail(Field::Email, format!("'{e}' is not an e-mail address")),
            }
        } else if let Some(p) = self.get(fields, Field::Phone) {
            match normalize_phone(p) {
                Some(p) => Ok(Cow::Owned(p)),
                None => fail(Field::Phone, format!("'{p}' is not a phone number")),
            }
        } else {
            let field = [Field::CustomerId, Field::Email, Field::Phone]
                .into_iter()
                .find(|&f| self.has(f))
                .unwrap_or(Field::CustomerId);
            fail(field, "no customer id: the cell is empty".into())
        }
    }

    /// Parses one row; `Ok(None)` for a row that is valid but after the as-of date.
    pub(crate) fn parse<'a>(
        &self,
        fields: &impl Cells<'a>,
        row: RowRef,
        ctx: &FileContext<'_>,
        worker: &mut Worker,
    ) -> Result<Option<(Cow<'a, str>, OrderLine)>, RowFault> {
        let fail = |field: Field, reason: String| Err((self.column_name(field), reason));
        let number = self.number_format;
        let customer = self.customer_id(fields)?;
        let Some(date_text) = self.get(fields, Field::Date) else {
            return fail(Field::Date, "the date is empty".into());
        };
        let day = match parse_date(date_text, self.date_format) {
            Ok(d) => d,
            Err(e) => return fail(Field::Date, e.to_string()),
        };
        let quantity = match self.get(fields, Field::Quantity) {
            Some(q) => match parse_decimal_f64(q, number) {
                Ok(q) => Some(q),
                Err(e) => return fail(Field::Quantity, e.to_string()),
            },
            None => None,
        };
        let amount = match self.get(fields, Field::Amount) {
            Some(text) => match parse_money(text, number) {
                Ok(a) => a,
                Err(e) => return fail(Field::Amount, e.to_string()),
            },
            // Exports with a unit price and a quantity per line but no line total (Shopify).
            None => match (self.get(fields, Field::Price), quantity) {
                (Some(price), Some(q)) => match parse_money(price, number) {
                    Ok(p) => Money::from_f64_rounded(p.to_f64() * q),
                    Err(e) => return fail(Field::Price, e.to_string()),
                },
                _ if !self.has(Field::Amount) => {
                    let field = if self.get(fields, Field::Price).is_none() {
                        Field::Price
                    } else {
                        Field::Quantity
                    };
                    return fail(
                        field,
                        "empty: the amount is price × quantity and needs both".into(),
                    );
                }
                _ => return fail(Field::Amount, "the amount is empty".into()),
            },
        };
        let cost = if let Some(c) = self.get(fields, Field::Cost) {
            match parse_money(c, number) {
                Ok(c) => Some(c),
                Err(e) => return fail(Field::Cost, e.to_string()),
            }
        } else if let Some(m) = self.get(fields, Field::Margin) {
            match parse_money(m, number) {
                Ok(m) => Some(amount - m),
                Err(e) => return fail(Field::Margin, e.to_string()),
            }
        } else {
            None
        };
        let full_price = match self.full_price(fields, amount, quantity, number) {
            Ok(f) => f,
            Err((field, reason)) => return fail(field, reason),
        };
        if ctx.as_of.is_some_and(|as_of| day > as_of) {
            return Ok(None);
        }
        let category = self.get(fields, Field::Category).map(|name| {
            if let Some(id) = worker.categories.get(name) {
                return CategoryId(id);
            }
            let id = ctx.categories.id(name);
            worker.categories.insert(name, id);
            CategoryId(id)
        });
        let (line_key, order_key) = match self.get(fields, Field::OrderId) {
            Some(order) => {
                let hasher = key_hasher();
                let order_key = hasher.hash_one(order);
                // The line's key hashes the order's rather than the order id again.
                let mut h = hasher.build_hasher();
                order_key.hash(&mut h);
                self.get(fields, Field::Product).hash(&mut h);
                // A return may carry its order's id; it is not a copy of the sale.
                amount.is_negative().hash(&mut h);
                (Some(h.finish()), Some(order_key))
            }
            None => (None, None),
        };
        Ok(Some((
            customer,
            OrderLine {
                row,
                day,
                amount,
                cost,
                category,
                full_price,
                line_key,
                order_key,
            },
        )))
    }

    /// A line is at full price when its discount is zero, or when it was paid at least its list
    /// price; without either column the export cannot tell.
    fn full_price<'a>(
        &self,
        fields: &impl Cells<'a>,
        amount: Money,
        quantity: Option<f64>,
        number: NumberFormat,
    ) -> Result<Option<bool>, (Field, String)> {
        if let Some(d) = self.get(fields, Field::Discount) {
            let discount = d.trim_end_matches('%').trim();
            return match parse_money(discount, number) {
                Ok(v) => Ok(Some(v == Money::ZERO)),
                Err(e) => Err((Field::Discount, e.to_string())),
            };
        }
        let Some(list) = self.get(fields, Field::ListPrice) else {
            return Ok(None);
        };
        let list = parse_money(list, number).map_err(|e| (Field::ListPrice, e.to_string()))?;
        let paid_per_unit = match self.get(fields, Field::Price) {
            Some(p) => parse_money(p, number).map_err(|e| (Field::Price, e.to_string()))?,
            None => {
                let q = quantity.unwrap_or(1.0);
                if q <= 0.0 {
                    return Ok(None);
                }
                Money::from_f64_rounded(amount.to_f64() / q)
            }
        };
        // Allow a kopeck of rounding in amount / quantity.
        Ok(Some(paid_per_unit.units() + 100 >= list.units()))
    }

    fn accept(&self, worker: &mut Worker, sharding: &Sharding, parsed: (Cow<'_, str>, OrderLine)) {
        let (customer, line) = parsed;
        worker.report.accepted += 1;
        if line.amount.is_negative() {
            worker.report.returns += 1;
        }
        // Returns count too: the default as-of day is the last day of any order row, so a late
        // return is never cut off.
        worker.first_day = Some(worker.first_day.map_or(line.day, |d| d.min(line.day)));
        worker.last_day = Some(worker.last_day.map_or(line.day, |d| d.max(line.day)));
        // The customer's number is not known yet: `file_pending` sets it.
        let line = CompactLine::compact(&line, 0);
        let pending = &mut worker.pending;
        if pending.has_previous && pending.previous_id == customer.as_ref() {
            pending.rows.push(PendingRow {
                id_end: pending.ids.len() as u32,
                hash: 0,
                shard: 0,
                repeats: true,
                line,
            });
        } else {
            // One hash per new run of a customer's rows finds the customer's shard and entry.
            let hash = shard_hasher().hash_one(customer.as_ref());
            let shard = sharding.shard(&customer, hash) as u32;
            pending.ids.push_str(&customer);
            pending.rows.push(PendingRow {
                id_end: pending.ids.len() as u32,
                hash,
                shard,
                repeats: false,
                line,
            });
            pending.previous_id.clear();
            pending.previous_id.push_str(&customer);
            pending.has_previous = true;
        }
        if pending.rows.len() == PendingRows::CAPACITY {
            worker.file_pending();
        }
    }

    fn handle_row<'a>(
        &self,
        fields: &impl Cells<'a>,
        raw: &str,
        row: RowRef,
        ctx: &FileContext<'_>,
        worker: &mut Worker,
    ) {
        if fields.all_blank() {
            return; // blank lines are not rows
        }
        worker.report.rows += 1;
        match self.parse(fields, row, ctx, worker) {
            Ok(Some(parsed)) => self.accept(worker, ctx.sharding, parsed),
            Ok(None) => worker.report.after_as_of += 1,
            Err((column, reason)) => {
                worker.report.rejected += 1;
                worker.rejects.push(Reject {
                    file: ctx.path.to_path_buf(),
                    row,
                    column,
                    reason,
                    raw: raw.trim_end_matches(['\r', '\n']).to_string(),
                });
            }
        }
    }
}

/// A file's shards, rejects, report and size, and its block index when it is plain text
/// (offsets in a compressed file cannot be sought to).
type FileOutcome = (
    Vec<Shards>,
    Vec<Reject>,
    FileReport,
    u64,
    Option<BlockIndex>,
);

fn import_file(
    ctx: &FileContext<'_>,
    overrides: &SniffOverrides,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<FileOutcome, ImportError> {
    let (container, reader) = open_input(ctx.path)?;
    let format_err = |message: String| ImportError::Format {
        path: ctx.path.to_path_buf(),
        message,
    };
    if container == Container::Xlsx {
        let rows = read_xlsx(ctx.path, None).map_err(|e| format_err(e.to_string()))?;
        let format = sniff_rows(&rows, overrides).map_err(|e| format_err(e.to_string()))?;
        let parser = RowParser::for_rows(&format);
        let mut worker = Worker::new(ctx.path);
        worker.report.notes = parser.notes.clone();
        worker.report.order_id_column = parser.column_name(Field::OrderId);
        for (i, row) in rows.iter().enumerate().skip(format.data_start) {
            let fields: Vec<&str> = row.iter().map(String::as_str).collect();
            if fields.as_slice().all_blank() {
                continue;
            }
            let raw = row.join(";");
            let at = RowRef {
                file: ctx.index,
                line: i as u64 + 1,
            };
            parser.handle_row(&fields.as_slice(), &raw, at, ctx, &mut worker);
        }
        let bytes = std::fs::metadata(ctx.path).map_or(0, |m| m.len());
        progress(bytes);
        let (shards, rejects, report) = worker.into_parts();
        return Ok((vec![shards], rejects, report, bytes, None));
    }

    let count = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut reader = CountingReader {
        inner: reader,
        count: Arc::clone(&count),
    };
    let mut sample = vec![0u8; SAMPLE_SIZE];
    let n = read_up_to(&mut reader, &mut sample).map_err(io_err(ctx.path))?;
    sample.truncate(n);
    let whole = n < SAMPLE_SIZE;
    let format = sniff_text(&sample, whole, overrides).map_err(|e| format_err(e.to_string()))?;
    let quote = match format.layout {
        Layout::Delimited { quote, .. } => quote,
        _ => None,
    };
    let layout = format.layout.clone();
    let encoding = format.encoding;
    let parser = RowParser::for_text(&format);

    let (sender, receiver) = sync_channel::<Block>(4);
    let pool: &BufferPool = &Mutex::new(Vec::new());
    let receiver = Mutex::new(receiver);
    let workers = rayon::current_num_threads().max(1);
    let outcome: Result<(Vec<Worker>, Vec<BlockStart>), ImportError> =
        std::thread::scope(|scope| {
            let reading = scope.spawn(move || {
                split_blocks(reader, sample, quote, &sender, progress, &count, pool)
            });
            let handles: Vec<_> = (0..workers)
                .map(|_| {
                    scope.spawn(|| run_worker(&receiver, &parser, &layout, encoding, ctx, pool))
                })
                .collect();
            let read_result = reading.join().expect("reader thread panicked");
            let results: Vec<Worker> = handles
                .into_iter()
                .map(|h| h.join().expect("worker thread panicked"))
                .collect();
            let block_starts = read_result.map_err(io_err(ctx.path))?;
            Ok((results, block_starts))
        });
    let (mut workers, block_starts) = outcome?;
    let mut report = FileReport {
        path: ctx.path.to_path_buf(),
        notes: parser.notes.clone(),
        order_id_column: parser.column_name(Field::OrderId),
        ..FileReport::default()
    };
    let mut rejects = Vec::new();
    let mut shards = Vec::new();
    for w in workers.drain(..) {
        let (s, r, rep) = w.into_parts();
        report.rows += rep.rows;
        report.accepted += rep.accepted;
        report.rejected += rep.rejected;
        report.after_as_of += rep.after_as_of;
        report.returns += rep.returns;
        rejects.extend(r);
        shards.push(s);
    }
    let total_bytes = std::fs::metadata(ctx.path).map_or(0, |m| m.len());
    let index = (container == Container::Plain).then_some(BlockIndex {
        encoding,
        starts: block_starts,
    });
    Ok((shards, rejects, report, total_bytes, index))
}

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
    offset: u64,
    first_line: u64,
}

/// Where a plain text file's pieces start (see [`BlockStart`]), and the encoding the import read
/// it with: enough to read any of its lines again, a piece at a time, without another pass over
/// the file.
#[derive(Debug)]
struct BlockIndex {
    encoding: TextEncoding,
    starts: Vec<BlockStart>,
}

/// Reads the input in blocks that end at a record boundary and hands them to the workers.
/// Returns the line index: where each block, and each piece of about `LINE_INDEX_STEP` bytes
/// inside one, starts.
pub(crate) fn split_blocks(
    mut reader: impl Read,
    sample: Vec<u8>,
    quote: Option<u8>,
    sender: &std::sync::mpsc::SyncSender<Block>,
    progress: &(dyn Fn(u64) + Sync),
    count: &std::sync::atomic::AtomicU64,
    pool: &BufferPool,
) -> io::Result<Vec<BlockStart>> {
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
            // A single record longer than the buffer: read on until it ends.
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
            line += memchr::memchr_iter(b'\n', &bytes[piece_start..piece_end]).count() as u64;
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
fn last_record_end(bytes: &[u8], quote: Option<u8>) -> Option<usize> {
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

/// Files a block's records into a worker's customer shards.
struct SummarisingVisitor<'w, 'c> {
    parser: &'w RowParser,
    ctx: &'w FileContext<'c>,
    worker: &'w mut Worker,
}

impl RecordVisitor for SummarisingVisitor<'_, '_> {
    fn row<'a>(&mut self, cells: &impl Cells<'a>, raw: &str, line: u64) {
        let at = RowRef {
            file: self.ctx.index,
            line,
        };
        self.parser
            .handle_row(cells, raw, at, self.ctx, self.worker);
    }

    fn unsplittable(&mut self, line: u64, error: &csv::Error) {
        self.worker.report.rows += 1;
        self.worker.report.rejected += 1;
        self.worker.rejects.push(Reject {
            file: self.ctx.path.to_path_buf(),
            row: RowRef {
                file: self.ctx.index,
                line,
            },
            column: String::new(),
            reason: format!("cannot split the row into fields: {error}"),
            raw: String::new(),
        });
    }
}

/// The shards of one import: ranges of ids sampled by [`PROBES`] probes spread over the files
/// in proportion to their sizes, or hashes when some file cannot be probed (compressed, `.xlsx`)
/// or its format not read (its import then says why).
fn sharding_for(paths: &[PathBuf], overrides: &SniffOverrides) -> Sharding {
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        let Ok((Container::Plain, mut reader)) = open_input(path) else {
            return Sharding::ByHash;
        };
        let mut sample = vec![0u8; SAMPLE_SIZE];
        let Ok(n) = read_up_to(&mut reader, &mut sample) else {
            return Sharding::ByHash;
        };
        sample.truncate(n);
        let Ok(format) = sniff_text(&sample, n < SAMPLE_SIZE, overrides) else {
            return Sharding::ByHash;
        };
        let len = std::fs::metadata(path).map_or(0, |m| m.len());
        files.push((path, format, len));
    }
    let total = files.iter().map(|(_, _, len)| len).sum::<u64>().max(1);
    let mut ids = Vec::new();
    for (path, format, len) in &files {
        let probes = (PROBES * len).div_ceil(total).max(1);
        let parser = RowParser::for_text(format);
        sample_customer_ids(
            path,
            &parser,
            &format.layout,
            format.encoding,
            probes,
            &mut ids,
        );
    }
    Sharding::from_sample(ids)
}

/// Probes of [`PROBE_BYTES`] that sample an import's customer ids for [`Sharding::ByRange`].
const PROBES: u64 = 512;
const PROBE_BYTES: u64 = 8 << 10;

/// Appends the customer ids of lines read by `probes` probes at evenly spaced places in a plain
/// file (all of it when it is small) to `ids`: a few megabytes read before the file is. Lines
/// that do not parse give no id; a probe that starts inside a quoted field may read nonsense,
/// which costs only balance between shards.
fn sample_customer_ids(
    path: &Path,
    parser: &RowParser,
    layout: &Layout,
    encoding: TextEncoding,
    probes: u64,
    ids: &mut Vec<Box<str>>,
) {
    let Ok(mut file) = File::open(path) else {
        return;
    };
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return;
    };
    let (probes, probe_len) = if len <= probes * PROBE_BYTES {
        (1, len)
    } else {
        (probes, PROBE_BYTES)
    };
    let mut buf = vec![0u8; probe_len as usize];
    let mut record = csv::StringRecord::new();
    for k in 0..probes {
        let offset = len * k / probes;
        if file.seek(io::SeekFrom::Start(offset)).is_err() {
            break;
        }
        let Ok(n) = read_up_to(&mut file, &mut buf) else {
            break;
        };
        let bytes = &buf[..n];
        // Whole lines only: from after the first line end (but at the file's start) to after
        // the last (but at its end).
        let start = match offset {
            0 => Some(0),
            _ => memchr::memchr(b'\n', bytes).map(|i| i + 1),
        };
        let end = match offset + n as u64 >= len {
            true => Some(n),
            false => memchr::memrchr(b'\n', bytes).map(|i| i + 1),
        };
        let (Some(start), Some(end)) = (start, end) else {
            continue;
        };
        let Ok(text) = decode_chunk(&bytes[start..end.max(start)], encoding) else {
            continue;
        };
        let skip_header = offset == 0 && parser.has_header;
        let mut sampler = IdSampler { parser, ids };
        visit_records(&text, layout, 1, skip_header, &mut record, &mut sampler);
    }
}

struct IdSampler<'p, 'i> {
    parser: &'p RowParser,
    ids: &'i mut Vec<Box<str>>,
}

impl RecordVisitor for IdSampler<'_, '_> {
    fn row<'a>(&mut self, cells: &impl Cells<'a>, _raw: &str, _line: u64) {
        if let Ok(id) = self.parser.customer_id(cells) {
            self.ids.push(id.into());
        }
    }

    fn unsplittable(&mut self, _line: u64, _error: &csv::Error) {}
}

fn run_worker(
    receiver: &Mutex<Receiver<Block>>,
    parser: &RowParser,
    layout: &Layout,
    encoding: TextEncoding,
    ctx: &FileContext<'_>,
    pool: &BufferPool,
) -> Worker {
    let mut worker = Worker::new(ctx.path);
    let mut record = csv::StringRecord::new();
    loop {
        let block = {
            let guard = receiver.lock().expect("no worker panicked");
            guard.recv()
        };
        let Ok(block) = block else { break };
        match decode_chunk(&block.bytes, encoding) {
            Ok(text) => {
                let mut visitor = SummarisingVisitor {
                    parser,
                    ctx,
                    worker: &mut worker,
                };
                let skip_header = block.is_first && parser.has_header;
                visit_records(
                    &text,
                    layout,
                    block.first_line,
                    skip_header,
                    &mut record,
                    &mut visitor,
                );
            }
            Err(e) => {
                let line = block.first_line
                    + memchr::memchr_iter(b'\n', &block.bytes[..e.offset.min(block.bytes.len())])
                        .count() as u64;
                worker.report.rows += 1;
                worker.report.rejected += 1;
                worker.rejects.push(Reject {
                    file: ctx.path.to_path_buf(),
                    row: RowRef { file: ctx.index, line },
                    column: String::new(),
                    reason: format!(
                        "the text is not valid {encoding:?} at byte {} of this block; the block's rows were not read",
                        e.offset
                    ),
                    raw: String::new(),
                });
            }
        }
        pool.lock().expect("no worker panicked").push(block.bytes);
    }
    worker
}

#[cfg(test)]
mod tests {
    use super::{SHARDS, Sharding, id_order_of_parts, id_order_of_parts_in, parts_in_id_order};
    use clientele_core::Day;
    use proptest::prelude::*;

    /// A file sorted by date spreads each customer's lines over the shard, which is then put in
    /// customer order group by group ([`LINES_PER_GROUP`]): the customers come out as from the
    /// same lines sorted by customer, whose shards are put in order in one pass. The file is
    /// over 8 MiB, three blocks, so that both workers read some: each worker's lines of a shard
    /// are then in customer order, but not the lines of both together.
    #[test]
    fn lines_sorted_by_date_summarise_as_sorted_by_customer() {
        let header = "order_id,customer_id,order_date,category,amount,cost\n";
        let mut lines: Vec<(String, u64, String)> = Vec::new();
        for i in 0..220_000u64 {
            // One customer with a third of the lines, alone in a group, besides many small ones.
            let customer = match i % 3 {
                0 => "C99999".to_string(),
                _ => format!("C{:05}", (i * 7_919) % 17_771),
            };
            let day = (i * 37) % 700;
            let date = Day::from_days_since_epoch(19_000 + day as i32);
            let amount = if i % 53 == 0 {
                -120
            } else {
                100 + (i as i64 * 31) % 9_000
            };
            let category = ["Books", "Toys", "Home"][(i % 3) as usize];
            let text = format!(
                "O{i},{customer},{date},{category},{amount}.25,{}.10\n",
                amount.abs() / 2
            );
            lines.push((customer, day, text));
        }
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, lines: &[(String, u64, String)]| {
            let path = dir.path().join(name);
            let body: String = lines.iter().map(|(_, _, t)| t.as_str()).collect();
            std::fs::write(&path, format!("{header}{body}")).unwrap();
            path
        };
        lines.sort_by_key(|(_, day, _)| *day);
        let by_date = write("by-date.csv", &lines);
        lines.sort_by(|a, b| a.0.cmp(&b.0));
        let by_customer = write("by-customer.csv", &lines);
        assert!(std::fs::metadata(&by_customer).unwrap().len() > 2 * super::BLOCK_SIZE as u64);
        let import = |path| {
            super::import_orders(&[path], &super::ImportOptions::default(), &|_| {}).unwrap()
        };
        let (by_date, by_customer) = (import(by_date), import(by_customer));
        let distinct: std::collections::HashSet<&str> =
            lines.iter().map(|(c, _, _)| c.as_str()).collect();
        assert_eq!(by_date.customers.len(), distinct.len());
        assert_eq!(by_date.rejects.len(), 0);
        assert_eq!(by_date.customers, by_customer.customers);
    }

    #[test]
    fn parts_in_id_order_by_hand() {
        let customers: Vec<(Box<str>, ())> =
            ["a", "b", "c", "d", "e"].map(|id| (id.into(), ())).into();
        assert!(parts_in_id_order(&customers, &[2, 0, 3]));
        assert!(parts_in_id_order(&customers, &[5]));
        let swapped: Vec<(Box<str>, ())> =
            ["c", "d", "a", "b", "e"].map(|id| (id.into(), ())).into();
        assert!(!parts_in_id_order(&swapped, &[2, 3]));
        // Equal ids in two parts are not in order (each customer is in one shard).
        let repeated: Vec<(Box<str>, ())> = ["a", "b", "b"].map(|id| (id.into(), ())).into();
        assert!(!parts_in_id_order(&repeated, &[2, 1]));
    }

    /// 100,000 order lines of about 50 bytes (past the 4 MiB read whole), customer = line / 10.
    fn hundred_thousand_lines() -> String {
        let mut text = String::from("order_id,customer_id,order_date,amount\n");
        for i in 0..100_000u32 {
            text.push_str(&format!("O{i:09},C{:07},2024-01-01,1234567.50\n", i / 10));
        }
        text
    }

    #[test]
    fn ids_are_sampled_across_a_large_file() {
        use crate::sniff::{SniffOverrides, sniff_text};
        let text = hundred_thousand_lines();
        assert!(text.len() > 4 << 20);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.csv");
        std::fs::write(&path, &text).unwrap();
        let format = sniff_text(
            &text.as_bytes()[..64 << 10],
            false,
            &SniffOverrides::default(),
        )
        .unwrap();
        let parser = super::RowParser::for_text(&format);
        let mut ids = Vec::new();
        super::sample_customer_ids(
            &path,
            &parser,
            &format.layout,
            format.encoding,
            64,
            &mut ids,
        );
        // 64 probes, each losing its partial first and last lines.
        let per_probe = super::PROBE_BYTES as usize / (text.len() / 100_000);
        assert!(ids.len() > 60 * (per_probe - 2), "{}", ids.len());
        assert!(ids.len() <= 64 * per_probe, "{}", ids.len());
        assert_eq!(
            &*ids[0], "C0000000",
            "the first probe starts after the header"
        );
        let last = ids.iter().max().unwrap();
        assert!(&**last >= "C0009800", "{last}");
        let Sharding::ByRange { bounds, .. } = Sharding::from_sample(ids) else {
            panic!("ranges")
        };
        assert_eq!(bounds.len(), SHARDS - 1);
        assert!(bounds.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn every_file_of_an_import_is_sampled_by_its_size() {
        use crate::sniff::SniffOverrides;
        let dir = tempfile::tempdir().unwrap();
        // A small first file of other customers must not decide the bounds alone.
        let small = dir.path().join("small.csv");
        std::fs::write(
            &small,
            "order_id,customer_id,order_date,amount\n1,A1,2024-01-01,5\n2,A2,2024-01-01,5\n",
        )
        .unwrap();
        let text = hundred_thousand_lines();
        let large = dir.path().join("large.csv");
        std::fs::write(&large, &text).unwrap();
        let overrides = SniffOverrides::default();
        let sharding = super::sharding_for(&[small.clone(), large.clone()], &overrides);
        let Sharding::ByRange { bounds, .. } = &sharding else {
            panic!("{sharding:?}")
        };
        assert!(bounds.len() >= SHARDS - 2, "{}", bounds.len());
        assert!(bounds.iter().filter(|b| b.starts_with('C')).count() >= SHARDS - 3);
        assert!(&*bounds[bounds.len() - 1] >= "C0009000", "{bounds:?}");
        // A compressed file cannot be probed: hashes for the whole import.
        let gz = dir.path().join("more.csv.gz");
        let mut encoder = flate2::write::GzEncoder::new(
            std::fs::File::create(&gz).unwrap(),
            flate2::Compression::fast(),
        );
        std::io::Write::write_all(&mut encoder, text.as_bytes()).unwrap();
        encoder.finish().unwrap();
        assert!(matches!(
            super::sharding_for(&[large, gz], &overrides),
            Sharding::ByHash
        ));
    }

    #[test]
    fn a_sample_of_one_id_or_none() {
        assert!(matches!(
            Sharding::from_sample(Vec::new()),
            Sharding::ByHash
        ));
        let one = Sharding::from_sample(vec!["x".into(); 10]);
        let Sharding::ByRange { bounds, .. } = &one else {
            panic!("{one:?}")
        };
        assert_eq!(bounds.len(), 1);
        assert_eq!(one.shard("w", 0), 0);
        assert_eq!(one.shard("x", 0), 1);
        assert_eq!(one.shard("y", 0), 1);
    }

    #[test]
    fn merges_the_parts_ids_by_hand() {
        let customers: Vec<(Box<str>, ())> =
            ["a", "d", "b", "c", "e"].map(|id| (id.into(), ())).into();
        assert_eq!(id_order_of_parts(&customers, &[2, 0, 3]), [0, 2, 3, 1, 4]);
    }

    #[test]
    fn known_categories_are_found_in_the_list_and_after_it_in_the_map() {
        let mut known = super::KnownCategories::default();
        let names: Vec<String> = (0..40).map(|k| format!("category {k}")).collect();
        for (id, name) in (0u32..).zip(&names) {
            assert_eq!(known.get(name), None, "{name} before it is added");
            known.insert(name, id * 7);
            // Every name added so far, whichever structure holds it now.
            for (earlier, n) in (0u32..).zip(&names).take(id as usize + 1) {
                assert_eq!(known.get(n), Some(earlier * 7), "{n} after {id} names");
            }
        }
        assert!(known.few.is_empty() && known.many.len() == 40);
        assert_eq!(known.get("category"), None);
    }

    proptest! {
        /// A larger id never gets a smaller shard, whatever the sample.
        #[test]
        fn range_shards_keep_id_order(
            sample in proptest::collection::vec("[a-dЖ0-9]{0,6}", 0..400),
            ids in proptest::collection::vec("[a-dЖ0-9]{0,6}", 2..50),
        ) {
            let sharding = Sharding::from_sample(sample.into_iter().map(Into::into).collect());
            let mut ids = ids;
            ids.sort();
            let shards: Vec<usize> = ids.iter().map(|id| sharding.shard(id, 0)).collect();
            for (w, id) in shards.windows(2).zip(&ids) {
                prop_assert!(w[0] <= w[1], "{id}: {shards:?}");
            }
            prop_assert!(shards.iter().all(|&s| s < SHARDS));
        }

        /// The shard found through the bounds' prefixes is the first bound above the id, ids
        /// sharing their first eight bytes (or more) with the bounds included.
        #[test]
        fn range_shards_by_prefix_are_by_id(
            sample in proptest::collection::vec("C000000[0-2\\x00]{0,4}", 1..300),
            ids in proptest::collection::vec("C000000[0-2\\x00]{0,4}", 1..50),
        ) {
            let sharding = Sharding::from_sample(sample.into_iter().map(Into::into).collect());
            let Sharding::ByRange { bounds, .. } = &sharding else {
                panic!("a sample gives range shards");
            };
            for id in &ids {
                let by_id = bounds.partition_point(|b| &**b <= id.as_str());
                prop_assert_eq!(sharding.shard(id, 0), by_id, "{}", id);
            }
        }

        /// Ordering by the prefix and then by the whole id is ordering by the id.
        #[test]
        fn prefix_then_id_orders_as_ids_do(a in "[a-c\\x00é]{0,10}", b in "[a-c\\x00é]{0,10}") {
            let by_prefix = super::id_prefix(&a).cmp(&super::id_prefix(&b)).then_with(|| a.cmp(&b));
            prop_assert_eq!(by_prefix, a.cmp(&b));
        }

        #[test]
        fn merging_sorted_parts_sorts_the_whole(
            mut ids in proptest::collection::btree_set("[a-z]{1,4}", 0..60)
                .prop_map(|s| s.into_iter().collect::<Vec<_>>())
                .prop_shuffle(),
            cuts in proptest::collection::vec(0usize..60, 0..6),
        ) {
            // Cut the shuffled ids into parts and sort each part, as the shards are.
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(ids.len())).collect();
            cuts.push(0);
            cuts.push(ids.len());
            cuts.sort_unstable();
            let part_lens: Vec<usize> = cuts.windows(2).map(|w| w[1] - w[0]).collect();
            for w in cuts.windows(2) {
                ids[w[0]..w[1]].sort();
            }
            let customers: Vec<(Box<str>, ())> = ids.iter().map(|id| (id.as_str().into(), ())).collect();
            let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
            expected.sort_unstable();
            // In one range, and cut into several ranges merged apart.
            for ranges in [1, 2, 3, 7, 100] {
                let order = id_order_of_parts_in(&customers, &part_lens, ranges);
                let merged: Vec<&str> = order.iter().map(|&k| &*customers[k as usize].0).collect();
                prop_assert_eq!(&merged, &expected, "{} ranges", ranges);
            }
        }
    }
}
