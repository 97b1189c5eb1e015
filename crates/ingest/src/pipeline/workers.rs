//! The worker threads: each takes blocks, decodes and splits them, parses every row, counts and
//! rejects, and files the accepted lines into its customer shards, looking customers up a batch
//! at a time.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Mutex;
use std::sync::mpsc::Receiver;

use clientele_core::{Day, OrderLine, RowRef};

use crate::customer_table::Lookup;
use crate::encoding::TextEncoding;
use crate::layout::Layout;
use crate::records::{Cells, RecordVisitor, visit_block};

use super::blocks::{Block, BufferPool};
use super::context::{FileContext, KnownCategories};
use super::report::{FileReport, Reject};
use super::row_parser::RowParser;
use super::shards::{CompactLine, SHARDS, ShardMap, Sharding, Shards, shard_hasher};

/// Per-worker state while parsing.
pub(crate) struct Worker {
    maps: Vec<ShardMap>,
    rejects: Vec<Reject>,
    pub(crate) report: FileReport,
    first_day: Option<Day>,
    last_day: Option<Day>,
    /// The sum of the accepted lines' |amount| + |cost|, in money units.
    magnitude: u128,
    categories: KnownCategories,
    /// Accepted rows whose customers are not yet looked up.
    pending: PendingRows,
    /// The shard and number of the customer of the last row filed.
    last_filed: (usize, u32),
}

/// Accepted rows waiting for their customers to be found in the shard tables, which together
/// are far larger than the cache. Found row by row, every lookup's cache misses waited alone: a
/// row's parsing is more work than the processor looks ahead over, so it never reached the next
/// row's lookup. Found [`PendingRows::CAPACITY`] at a time in one tight loop, the misses of a
/// batch overlap. (A file sorted by date, as most exports are, looks up a customer on every row.)
#[derive(Default)]
pub(crate) struct PendingRows {
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
pub(crate) fn row_ids<'a>(rows: &'a [PendingRow], ids: &'a str) -> impl Iterator<Item = &'a str> {
    rows.iter().scan(0, move |start, row| {
        let id = &ids[*start..row.id_end as usize];
        *start = row.id_end as usize;
        Some(id)
    })
}

pub(crate) struct PendingRow {
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
            magnitude: 0,
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

    pub(crate) fn into_parts(mut self) -> (Shards, Vec<Reject>, FileReport) {
        self.file_pending();
        let shards = Shards {
            maps: self.maps.into_iter().map(Mutex::new).collect(),
            first_day: self.first_day,
            last_day: self.last_day,
            magnitude: self.magnitude,
        };
        (shards, self.rejects, self.report)
    }
}

impl Worker {
    /// Parses one row and files it (accepted), counts it (after the as-of day) or rejects it.
    /// Blank rows are not rows.
    pub(crate) fn handle_row<'a>(
        &mut self,
        parser: &RowParser,
        fields: &impl Cells<'a>,
        raw: &str,
        row: RowRef,
        ctx: &FileContext<'_>,
    ) {
        if fields.all_blank() {
            return; // blank lines are not rows
        }
        self.report.rows += 1;
        match parser.parse(fields, row, ctx, &mut self.categories) {
            Ok(Some(parsed)) => self.accept(ctx.sharding, parsed),
            Ok(None) => self.report.after_as_of += 1,
            Err((column, reason)) => {
                self.report.rejected += 1;
                self.rejects.push(Reject {
                    file: ctx.path.to_path_buf(),
                    row,
                    column,
                    reason,
                    raw: raw.trim_end_matches(['\r', '\n']).to_string(),
                });
            }
        }
    }

    fn accept(&mut self, sharding: &Sharding, parsed: (Cow<'_, str>, OrderLine)) {
        let (customer, line) = parsed;
        self.report.accepted += 1;
        if line.amount.is_negative() {
            self.report.returns += 1;
        }
        // Returns count too: the default as-of day is the last day of any order row, so a late
        // return is never cut off.
        self.first_day = Some(self.first_day.map_or(line.day, |d| d.min(line.day)));
        self.last_day = Some(self.last_day.map_or(line.day, |d| d.max(line.day)));
        self.magnitude += u128::from(line.amount.units().unsigned_abs())
            + u128::from(line.cost.map_or(0, |c| c.units().unsigned_abs()));
        // The customer's number is not known yet: `file_pending` sets it.
        let line = CompactLine::compact(&line, 0);
        let pending = &mut self.pending;
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
            self.file_pending();
        }
    }
}

/// Files a block's records into a worker's customer shards.
pub(crate) struct SummarisingVisitor<'w, 'c> {
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
        self.worker
            .handle_row(self.parser, cells, raw, at, self.ctx);
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

    fn undecodable(&mut self, line: u64, reason: &str, raw: &str) {
        self.worker.report.rows += 1;
        self.worker.report.rejected += 1;
        self.worker.rejects.push(Reject {
            file: self.ctx.path.to_path_buf(),
            row: RowRef {
                file: self.ctx.index,
                line,
            },
            column: String::new(),
            reason: reason.to_string(),
            raw: raw.to_string(),
        });
    }
}

pub(crate) fn run_worker(
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
        let mut visitor = SummarisingVisitor {
            parser,
            ctx,
            worker: &mut worker,
        };
        let skip_header = block.is_first && parser.has_header;
        visit_block(
            &block.bytes,
            encoding,
            layout,
            block.first_line,
            skip_header,
            &mut record,
            &mut visitor,
        );
        pool.lock().expect("no worker panicked").push(block.bytes);
    }
    worker
}
