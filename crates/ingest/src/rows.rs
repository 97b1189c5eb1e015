//! Row-level streaming of order files: every accepted row with its order id, product and
//! prices, in input order, handed over in batches (for writing into a store).
//!
//! The format is worked out and each row parsed exactly as `pipeline::import_orders` does (the
//! same sniffing, `RowParser` and reject reasons); only the destination differs: rows are not
//! summarised but passed on. One thread reads blocks cut at record boundaries, the calling
//! thread parses them in order, so batches arrive in input order and memory holds one block
//! and one batch.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;
use std::sync::mpsc::sync_channel;

use clientele_core::{Money, OrderLine, RowRef};

use crate::columns::Field;
use std::collections::HashMap;

use ahash::RandomState;
use clientele_core::bounds::MAX_TOTAL_UNITS;

use crate::encoding::TextEncoding;
use crate::layout::Layout;
use crate::pipeline::{
    Block, BufferPool, CategoryTable, FileContext, FileReport, ImportError, ImportOptions,
    KnownCategories, Reject, RowParser, Sharding, io_err, open_input, sniff_input, split_blocks,
    xlsx_err,
};
use crate::records::{Cells, RecordVisitor, visit_block};
use crate::sniff::sniff_rows;
use crate::values::{parse_decimal_f64, parse_money};
use crate::xlsx::{Container, read_xlsx};

/// One accepted row.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRow {
    /// Customer id (or normalised e-mail / phone when the export has no id).
    pub customer: String,
    /// The parsed line as the analytics see it (day, amount, cost, full price, keys).
    pub line: OrderLine,
    pub order_id: Option<String>,
    pub product: Option<String>,
    pub category: Option<String>,
    pub quantity: Option<f64>,
    /// Price per unit, when the export has it.
    pub price: Option<Money>,
    pub list_price: Option<Money>,
    /// For a row without an order id: how many earlier rows of this file have the same
    /// customer, product, day, amount and direction (sale or return). Such a row is known by
    /// that content and this count, not by its line: a line added at the top of a re-export
    /// moves every line but changes no row's content or count, so a store that keys the rows
    /// this way does not count them twice. 0 for rows with an order id.
    pub occurrence: u32,
}

/// What reading one file found, besides the rows handed to the sink.
#[derive(Debug)]
pub struct RowsOutcome {
    pub report: FileReport,
    /// In input order, with line, column, reason and the raw text.
    pub rejects: Vec<Reject>,
}

/// Receives batches of accepted rows in input order; returns `false` to stop reading.
pub type RowSink<'s> = dyn FnMut(Vec<OrderRow>) -> bool + 's;

struct Reader<'a> {
    parser: RowParser,
    ctx: FileContext<'a>,
    report: FileReport,
    categories: KnownCategories,
    rejects: Vec<Reject>,
    batch: Vec<OrderRow>,
    batch_size: usize,
    stopped: bool,
    encoding: TextEncoding,
    /// Rows without an order id met so far, by a hash of their content (see
    /// [`OrderRow::occurrence`]).
    occurrences: HashMap<u64, u32, RandomState>,
    /// The sum of the accepted rows' |amount| + |cost|, in money units.
    magnitude: u128,
}

impl Reader<'_> {
    fn row<'c>(&mut self, fields: &impl Cells<'c>, raw: &str, at: RowRef, sink: &mut RowSink<'_>) {
        if fields.all_blank() || self.stopped {
            return;
        }
        self.report.rows += 1;
        let parsed = self
            .parser
            .parse(fields, at, &self.ctx, &mut self.categories)
            .and_then(|p| match p {
                Some((customer, line)) => self
                    .extras(fields)
                    .map(|extras| Some((customer.into_owned(), line, extras))),
                None => Ok(None),
            });
        match parsed {
            Ok(Some((customer, line, (quantity, price, list_price)))) => {
                self.report.accepted += 1;
                if line.amount.is_negative() {
                    self.report.returns += 1;
                }
                self.magnitude += u128::from(line.amount.units().unsigned_abs())
                    + u128::from(line.cost.map_or(0, |c| c.units().unsigned_abs()));
                let text = |f: Field| self.parser.get(fields, f).map(str::to_string);
                let order_id = text(Field::OrderId);
                let product = text(Field::Product);
                let occurrence = match order_id {
                    Some(_) => 0,
                    None => {
                        let content = self.occurrences.hasher().hash_one((
                            &customer,
                            &product,
                            line.day,
                            line.amount,
                        ));
                        let seen = self.occurrences.entry(content).or_insert(0);
                        *seen += 1;
                        *seen - 1
                    }
                };
                self.batch.push(OrderRow {
                    customer,
                    line,
                    order_id,
                    product,
                    category: text(Field::Category),
                    quantity,
                    price,
                    list_price,
                    occurrence,
                });
                if self.batch.len() >= self.batch_size {
                    self.flush(sink);
                }
            }
            Ok(None) => self.report.after_as_of += 1,
            Err((column, reason)) => self.reject(at, column, reason, raw),
        }
    }

    /// Quantity, price and list price as stored (the parser checks them only when it needs them).
    #[allow(clippy::type_complexity)]
    fn extras<'c>(
        &self,
        fields: &impl Cells<'c>,
    ) -> Result<(Option<f64>, Option<Money>, Option<Money>), (String, String)> {
        let number = self.parser.number_format;
        let fault = |f: Field, e: String| (self.parser.column_name(f), e);
        let quantity = match self.parser.get(fields, Field::Quantity) {
            Some(q) => Some(
                parse_decimal_f64(q, number).map_err(|e| fault(Field::Quantity, e.to_string()))?,
            ),
            None => None,
        };
        let money = |f: Field| match self.parser.get(fields, f) {
            Some(v) => parse_money(v, number)
                .map(Some)
                .map_err(|e| fault(f, e.to_string())),
            None => Ok(None),
        };
        Ok((quantity, money(Field::Price)?, money(Field::ListPrice)?))
    }

    fn reject(&mut self, row: RowRef, column: String, reason: String, raw: &str) {
        self.report.rejected += 1;
        self.rejects.push(Reject {
            file: self.ctx.path.to_path_buf(),
            row,
            column,
            reason,
            raw: raw.trim_end_matches(['\r', '\n']).to_string(),
        });
    }

    fn flush(&mut self, sink: &mut RowSink<'_>) {
        if !self.batch.is_empty() && !self.stopped {
            let batch = std::mem::replace(&mut self.batch, Vec::with_capacity(self.batch_size));
            if !sink(batch) {
                self.stopped = true;
            }
        }
    }

    /// Parses one block of whole records, in order (the pipeline does the same on its workers).
    fn block(&mut self, block: &Block, layout: &Layout, sink: &mut RowSink<'_>) {
        let skip_header = block.is_first && self.parser.has_header;
        let mut record = csv::StringRecord::new();
        let encoding = self.encoding;
        visit_block(
            &block.bytes,
            encoding,
            layout,
            block.first_line,
            skip_header,
            &mut record,
            &mut StreamingVisitor { reader: self, sink },
        );
    }
}

/// Passes a block's records to the reader, which batches the accepted rows for the sink.
struct StreamingVisitor<'r, 'a, 's, 'k> {
    reader: &'r mut Reader<'a>,
    sink: &'s mut RowSink<'k>,
}

impl RecordVisitor for StreamingVisitor<'_, '_, '_, '_> {
    fn row<'c>(&mut self, cells: &impl Cells<'c>, raw: &str, line: u64) {
        let at = RowRef {
            file: self.reader.ctx.index,
            line,
        };
        self.reader.row(cells, raw, at, self.sink);
    }

    fn unsplittable(&mut self, line: u64, error: &csv::Error) {
        let at = RowRef {
            file: self.reader.ctx.index,
            line,
        };
        self.reader.report.rows += 1;
        self.reader.reject(
            at,
            String::new(),
            format!("cannot split the row into fields: {error}"),
            "",
        );
    }

    fn undecodable(&mut self, line: u64, reason: &str, raw: &str) {
        let at = RowRef {
            file: self.reader.ctx.index,
            line,
        };
        self.reader.report.rows += 1;
        self.reader
            .reject(at, String::new(), reason.to_string(), raw);
    }
}

/// Streams the accepted rows of one order file to `sink` in batches of `batch_size`, in input
/// order. `file_index` goes into each row's [`RowRef`]. Rejected rows are returned, not
/// dropped; with `options.as_of`, later rows are counted in `report.after_as_of`.
pub fn read_order_rows(
    path: &Path,
    file_index: u32,
    options: &ImportOptions,
    batch_size: usize,
    sink: &mut RowSink<'_>,
) -> Result<RowsOutcome, ImportError> {
    let categories = CategoryTable::default();
    let ctx = FileContext {
        index: file_index,
        path,
        as_of: options.as_of,
        categories: &categories,
        // Rows are streamed in input order, not sharded.
        sharding: &Sharding::ByHash,
    };
    let format_err = |message: String| ImportError::Format {
        path: path.to_path_buf(),
        message,
    };
    let limits = &options.limits;
    let mut input = open_input(path, limits)?;
    let batch_size = batch_size.max(1);
    if input.container == Container::Xlsx {
        let rows = read_xlsx(path, None, limits).map_err(xlsx_err(path))?;
        let format =
            sniff_rows(&rows, &options.overrides).map_err(|e| format_err(e.to_string()))?;
        let parser = RowParser::for_rows(&format);
        let mut reader = new_reader(parser, ctx, batch_size, TextEncoding::Utf8);
        for (i, row) in rows.iter().enumerate().skip(format.data_start) {
            let fields: Vec<&str> = row.iter().map(String::as_str).collect();
            let at = RowRef {
                file: file_index,
                line: i as u64 + 1,
            };
            reader.row(&fields.as_slice(), &row.join(";"), at, sink);
        }
        reader.flush(sink);
        return finish(reader);
    }
    let (format, sample) = sniff_input(path, &mut input, &options.overrides, limits)?;
    let input = input.reader;
    let max_line = limits.max_line_bytes;
    let quote = match format.layout {
        Layout::Delimited { quote, .. } => quote,
        _ => None,
    };
    let layout = format.layout.clone();
    let parser = RowParser::for_text(&format);
    let mut reader = new_reader(parser, ctx, batch_size, format.encoding);
    let (sender, receiver) = sync_channel::<Block>(2);
    let pool: &BufferPool = &Mutex::new(Vec::new());
    let count = &AtomicU64::new(0);
    let read_result = std::thread::scope(|scope| {
        let reading = scope.spawn(move || {
            split_blocks(
                input,
                sample,
                quote,
                max_line,
                &sender,
                &|_| {},
                count,
                pool,
            )
        });
        for block in receiver.iter() {
            reader.block(&block, &layout, sink);
            pool.lock()
                .expect("the reader does not panic")
                .push(block.bytes);
            if reader.stopped {
                break;
            }
        }
        drop(receiver);
        reading.join().expect("reader thread panicked")
    });
    // Rows carry their own raw text: where the blocks started is not needed.
    read_result.map_err(io_err(path))?;
    reader.flush(sink);
    finish(reader)
}

fn new_reader(
    parser: RowParser,
    ctx: FileContext<'_>,
    batch_size: usize,
    encoding: TextEncoding,
) -> Reader<'_> {
    let report = FileReport {
        path: ctx.path.to_path_buf(),
        notes: parser.notes.clone(),
        // As the import names it: the copies of lines found later are reported in it.
        order_id_column: parser.column_name(Field::OrderId),
        ..FileReport::default()
    };
    Reader {
        parser,
        ctx,
        report,
        categories: KnownCategories::default(),
        rejects: Vec::new(),
        batch: Vec::with_capacity(batch_size),
        batch_size,
        stopped: false,
        encoding,
        // Fixed seeds: the counts depend on the rows alone.
        occurrences: HashMap::with_hasher(RandomState::with_seeds(1, 2, 3, 4)),
        magnitude: 0,
    }
}

/// The outcome of a file read whole; refused when its amounts add up beyond what sums hold.
fn finish(reader: Reader<'_>) -> Result<RowsOutcome, ImportError> {
    let Reader {
        report,
        mut rejects,
        magnitude,
        ..
    } = reader;
    if magnitude > MAX_TOTAL_UNITS {
        return Err(ImportError::TotalTooLarge);
    }
    rejects.sort_by_key(|r| r.row);
    Ok(RowsOutcome { report, rejects })
}
