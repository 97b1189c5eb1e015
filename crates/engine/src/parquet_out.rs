//! Writing order lines to Parquet: from order exports read by `clientele-ingest` (the same
//! sniffing, parsing and rejects as `analyze`), or from any iterator of parsed lines (the store,
//! through the application layer).
//!
//! A file holds the lines of one conversion; the exports are named in the file's metadata (see
//! [`crate::sources`]), so the copies of lines found later can name the export, line and column.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clientele_core::Money;
use clientele_ingest::pipeline::{FileReport, ImportOptions, Reject};
use clientele_ingest::rows::{OrderRow, read_order_rows};
use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Decimal128Builder, Float64Builder, StringBuilder,
    UInt32Builder, UInt64Builder,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;

use crate::EngineError;
use crate::schema::{MAX_MONEY_UNITS, line_schema, money_fits, money_type};
use crate::sources::{SourceExport, key_values};

/// Rows per Arrow batch written (and per Parquet row group: a million).
const BATCH_ROWS: usize = 64 * 1024;
const ROW_GROUP_ROWS: usize = 1024 * 1024;

/// Writes order lines to one Parquet file in Clientele's line schema.
pub struct LineWriter {
    path: PathBuf,
    writer: ArrowWriter<File>,
    rows: Vec<OrderRow>,
    written: u64,
}

impl LineWriter {
    /// Creates `path`.
    pub fn create(path: &Path) -> Result<LineWriter, EngineError> {
        let file = File::create(path).map_err(|e| EngineError::io(path, e))?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(
                ZstdLevel::try_new(1).expect("level 1 exists"),
            ))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let writer = ArrowWriter::try_new(file, line_schema(), Some(properties))
            .map_err(|e| EngineError::parquet(path, e))?;
        Ok(LineWriter {
            path: path.to_path_buf(),
            writer,
            rows: Vec::with_capacity(BATCH_ROWS),
            written: 0,
        })
    }

    /// Adds one line. A money value beyond the columns' 18 digits is refused, naming the line.
    pub fn push(&mut self, row: OrderRow) -> Result<(), EngineError> {
        let line = &row.line;
        for (name, value) in [
            ("amount", Some(line.amount)),
            ("cost", line.cost),
            ("price", row.price),
            ("list_price", row.list_price),
        ] {
            if let Some(v) = value.filter(|v| !money_fits(*v)) {
                return Err(EngineError::Bound(format!(
                    "source file {} line {}: {name} {v} is beyond the ±{} a Parquet money column holds",
                    line.row.file,
                    line.row.line,
                    Money::from_units(MAX_MONEY_UNITS)
                )));
            }
        }
        self.rows.push(row);
        if self.rows.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), EngineError> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let batch = lines_batch(&self.rows).map_err(|e| EngineError::arrow(&self.path, e))?;
        self.writer
            .write(&batch)
            .map_err(|e| EngineError::parquet(&self.path, e))?;
        self.written += self.rows.len() as u64;
        self.rows.clear();
        Ok(())
    }

    /// Writes what is left and the file's footer, naming `sources`, the exports the lines'
    /// `source_file` indexes point at; returns the number of lines written.
    pub fn finish(mut self, sources: &[SourceExport]) -> Result<u64, EngineError> {
        self.flush()?;
        for kv in key_values(sources) {
            self.writer.append_key_value_metadata(kv);
        }
        self.writer
            .close()
            .map_err(|e| EngineError::parquet(&self.path, e))?;
        Ok(self.written)
    }
}

/// One Arrow batch of lines in the line schema.
fn lines_batch(rows: &[OrderRow]) -> Result<RecordBatch, datafusion::arrow::error::ArrowError> {
    let n = rows.len();
    let money = || Decimal128Builder::with_capacity(n).with_data_type(money_type());
    let mut customer = StringBuilder::with_capacity(n, n * 8);
    let mut source = UInt32Builder::with_capacity(n);
    let mut line = UInt64Builder::with_capacity(n);
    let mut day = Date32Builder::with_capacity(n);
    let (mut amount, mut cost, mut price, mut list_price) = (money(), money(), money(), money());
    let mut category = StringBuilder::with_capacity(n, n * 8);
    let mut full_price = BooleanBuilder::with_capacity(n);
    let mut order_id = StringBuilder::with_capacity(n, n * 8);
    let mut product = StringBuilder::with_capacity(n, n * 8);
    let mut quantity = Float64Builder::with_capacity(n);
    let units = |m: Option<Money>| m.map(|m| i128::from(m.units()));
    for r in rows {
        customer.append_value(&r.customer);
        source.append_value(r.line.row.file);
        line.append_value(r.line.row.line);
        day.append_value(r.line.day.days_since_epoch());
        amount.append_value(i128::from(r.line.amount.units()));
        cost.append_option(units(r.line.cost));
        category.append_option(r.category.as_deref());
        full_price.append_option(r.line.full_price);
        order_id.append_option(r.order_id.as_deref());
        product.append_option(r.product.as_deref());
        quantity.append_option(r.quantity);
        price.append_option(units(r.price));
        list_price.append_option(units(r.list_price));
    }
    let columns: Vec<ArrayRef> = vec![
        Arc::new(customer.finish()),
        Arc::new(source.finish()),
        Arc::new(line.finish()),
        Arc::new(day.finish()),
        Arc::new(amount.finish()),
        Arc::new(cost.finish()),
        Arc::new(category.finish()),
        Arc::new(full_price.finish()),
        Arc::new(order_id.finish()),
        Arc::new(product.finish()),
        Arc::new(quantity.finish()),
        Arc::new(price.finish()),
        Arc::new(list_price.finish()),
    ];
    RecordBatch::try_new(line_schema(), columns)
}

/// Writes `rows` (lines parsed elsewhere, e.g. read from the store) to a Parquet file at `out`;
/// `sources` name what each `row.line.row.file` index stands for. Returns the lines written.
pub fn write_order_lines(
    rows: impl IntoIterator<Item = OrderRow>,
    sources: &[String],
    out: &Path,
) -> Result<u64, EngineError> {
    let mut writer = LineWriter::create(out)?;
    for row in rows {
        writer.push(row)?;
    }
    let named: Vec<SourceExport> = sources.iter().map(|s| SourceExport::named(s)).collect();
    writer.finish(&named)
}

/// What converting exports to Parquet found.
#[derive(Debug)]
pub struct ExportReport {
    pub files: Vec<FileReport>,
    /// Rows not converted, in input order, with line, column, reason and raw text.
    pub rejects: Vec<Reject>,
    pub lines_written: u64,
}

/// Converts order exports to one Parquet file: every accepted row, parsed exactly as `analyze`
/// parses it (`options` as there; with `as_of`, later rows are left out and counted). Rejected
/// rows are returned, not written; `options.strict` refuses the conversion on the first one, and
/// the partial file is removed.
pub fn export_order_files(
    paths: &[PathBuf],
    options: &ImportOptions,
    out: &Path,
) -> Result<ExportReport, EngineError> {
    if paths.len() > usize::from(u16::MAX) {
        return Err(EngineError::Bound(format!(
            "{} order files in one conversion; at most {} are supported",
            paths.len(),
            u16::MAX
        )));
    }
    let result = (|| {
        let mut writer = LineWriter::create(out)?;
        let mut sources = Vec::with_capacity(paths.len());
        let mut files = Vec::with_capacity(paths.len());
        let mut rejects = Vec::new();
        for (index, path) in (0u32..).zip(paths) {
            let mut failed: Option<EngineError> = None;
            let mut sink = |batch: Vec<OrderRow>| {
                for row in batch {
                    if let Err(e) = writer.push(row) {
                        failed = Some(e);
                        return false;
                    }
                }
                true
            };
            let outcome = read_order_rows(path, index, options, 16 * 1024, &mut sink)?;
            if let Some(e) = failed {
                return Err(e);
            }
            if options.strict
                && let Some(r) = outcome.rejects.first()
            {
                return Err(EngineError::Strict(format!(
                    "{}, line {}, column '{}': {}; --strict refuses the whole conversion ({} bad row(s) in this file)",
                    r.file.display(),
                    r.row.line,
                    r.column,
                    r.reason,
                    outcome.rejects.len()
                )));
            }
            sources.push(SourceExport::of_file(
                path,
                Some(outcome.report.order_id_column.clone()),
            ));
            files.push(outcome.report);
            rejects.extend(outcome.rejects);
        }
        let lines_written = writer.finish(&sources)?;
        Ok(ExportReport {
            files,
            rejects,
            lines_written,
        })
    })();
    if result.is_err() {
        // Nothing half-written is left behind to be read as if it were whole.
        let _ = std::fs::remove_file(out);
    }
    result
}
