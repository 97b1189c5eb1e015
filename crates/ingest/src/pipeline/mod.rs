//! The order import pipeline: files in, per-customer summaries and rejects out.
//!
//! A text file is read by one thread in large blocks cut at record boundaries (newlines outside
//! quotes), decoded and parsed by worker threads, and each worker files the accepted lines into
//! customer shards: by ranges of ids sampled across the files before they are read (so the
//! shards come out in id order), or by hash when they cannot be sampled (see [`Sharding`]). When
//! every file is read, the shards are merged in parallel: each customer's lines are deduplicated
//! (first occurrence in input order wins) and summarised by the core. Memory therefore holds one
//! compact record per accepted line (56 bytes) plus the customer map; no file is ever held whole.

mod blocks;
mod context;
mod fault;
mod input;
mod merge;
mod raw_lines;
mod report;
mod row_parser;
mod sampling;
mod shards;
mod workers;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use clientele_core::bounds::MAX_TOTAL_UNITS;
use clientele_core::{CustomerSummary, Day, RowRef, permute_in_place};

use crate::columns::Field;
use crate::layout::Layout;
use crate::records::Cells;
use crate::sniff::sniff_rows;
use crate::xlsx::{Container, read_xlsx};

pub use crate::limits::ImportLimits;
pub(crate) use blocks::{Block, BufferPool, split_blocks};
pub(crate) use context::{CategoryTable, FileContext, KnownCategories};
pub(crate) use input::{open_input, sniff_input};
pub use report::{FileReport, ImportError, ImportOptions, OrderImport, Reject};
pub(crate) use report::{io_err, xlsx_err};
pub(crate) use row_parser::RowParser;
pub(crate) use shards::Sharding;

use blocks::{BlockIndex, BlockStart};
use input::CountingReader;
use merge::{
    Appended, MergeScratch, id_order_of_parts, parts_in_id_order, plan_shard, summarise_shard,
};
use raw_lines::finish_rejects;
use sampling::sharding_for;
use shards::{SHARDS, Shards};
use workers::{Worker, run_worker};

/// Puts `rejects` in input order and fills in the raw text of those that have none by reading
/// their lines back from `paths` (`Reject::row.file` indexes it): for rows refused after the
/// files were read, such as the copies of lines the distributed engine finds, so that they read
/// as the import's own rejects do.
pub fn fill_raw_text(
    rejects: &mut [Reject],
    paths: &[PathBuf],
    limits: &ImportLimits,
) -> Result<(), ImportError> {
    finish_rejects(rejects, paths, &[], limits)
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
    limits: ImportLimits,
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
            limits,
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
            || finish_rejects(&mut rejects, &paths, &block_indexes, &limits),
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
    let sharding = sharding_for(paths, options);
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
            import_file(&ctx, options, &report_progress)?;
        block_indexes.push(block_index);
        consumed += bytes;
        shards.extend(file_shards);
        rejects.extend(file_rejects);
        files.push(report);
    }

    // Every sum the core forms adds some of these values: held to what `i64` holds, none of
    // them can overflow (see `clientele_core::bounds`).
    let magnitude: u128 = shards.iter().map(|s| s.magnitude).sum();
    if magnitude > MAX_TOTAL_UNITS {
        return Err(ImportError::TotalTooLarge);
    }
    let first_day = shards.iter().filter_map(|s| s.first_day).min();
    let last_day = shards.iter().filter_map(|s| s.last_day).max();
    let as_of = match (options.as_of, last_day) {
        (Some(d), _) => d,
        (None, Some(d)) => d,
        (None, None) => {
            finish_rejects(&mut rejects, paths, &block_indexes, &options.limits)?;
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
        limits: options.limits,
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
    options: &ImportOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<FileOutcome, ImportError> {
    let limits = &options.limits;
    let mut input = open_input(ctx.path, limits)?;
    if input.container == Container::Xlsx {
        let rows = read_xlsx(ctx.path, None, limits).map_err(xlsx_err(ctx.path))?;
        let format = sniff_rows(&rows, &options.overrides).map_err(|e| ImportError::Format {
            path: ctx.path.to_path_buf(),
            message: e.to_string(),
        })?;
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
            worker.handle_row(&parser, &fields.as_slice(), &raw, at, ctx);
        }
        let bytes = std::fs::metadata(ctx.path).map_or(0, |m| m.len());
        progress(bytes);
        let (shards, rejects, report) = worker.into_parts();
        return Ok((vec![shards], rejects, report, bytes, None));
    }

    let seekable = input.seekable();
    let count = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let (format, sample) = sniff_input(ctx.path, &mut input, &options.overrides, limits)?;
    let reader = CountingReader {
        inner: input.reader,
        count: Arc::clone(&count),
    };
    count.store(sample.len() as u64, std::sync::atomic::Ordering::Relaxed);
    let quote = match format.layout {
        Layout::Delimited { quote, .. } => quote,
        _ => None,
    };
    let layout = format.layout.clone();
    let encoding = format.encoding;
    let parser = RowParser::for_text(&format);
    let max_line = limits.max_line_bytes;

    let (sender, receiver) = sync_channel::<Block>(4);
    let pool: &BufferPool = &Mutex::new(Vec::new());
    let receiver = Mutex::new(receiver);
    let workers = rayon::current_num_threads().max(1);
    let outcome: Result<(Vec<Worker>, Vec<BlockStart>), ImportError> =
        std::thread::scope(|scope| {
            let reading = scope.spawn(move || {
                split_blocks(
                    reader, sample, quote, max_line, &sender, progress, &count, pool,
                )
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
    let index = seekable.then_some(BlockIndex {
        encoding,
        starts: block_starts,
    });
    Ok((shards, rejects, report, total_bytes, index))
}
