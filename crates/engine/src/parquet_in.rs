//! Reading order-line Parquet files on one machine, into the summaries `analyze` builds from
//! CSV: every line goes through the core's own deduplication and summary, as the CSV pipeline's
//! do, so the two paths cannot drift apart. This is the single-machine path from Parquet, and
//! the reference the engine's SQL plans are held to.

use std::collections::HashMap;
use std::fs::File;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use clientele_core::{
    CategoryId, CustomerSummary, Day, DayAmounts, Money, OrderLine, RowRef, SummaryScratch,
    dedup_lines_with, summarize_with,
};
use clientele_ingest::pipeline::{FileReport, ImportLimits, ImportOptions, OrderImport};
use datafusion::arrow::array::{
    Array, AsArray, BooleanArray, Date32Array, Decimal128Array, RecordBatch, UInt32Array,
    UInt64Array,
};
use datafusion::arrow::datatypes::DataType;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rayon::prelude::*;

use crate::EngineError;
use crate::schema::{col, line_schema};
use crate::sources::SourceNumbering;

/// Checks that a Parquet file has Clientele's line columns with their types (more columns are
/// allowed), naming the first that differs.
pub fn check_line_columns(
    path: &Path,
    schema: &datafusion::arrow::datatypes::Schema,
) -> Result<(), EngineError> {
    for expected in line_schema().fields() {
        match schema.field_with_name(expected.name()) {
            Err(_) => {
                return Err(EngineError::Format(format!(
                    "{}: no column '{}': not an order-line file written by `clientele export parquet`",
                    path.display(),
                    expected.name()
                )));
            }
            Ok(found) if !same_type(found.data_type(), expected.data_type()) => {
                return Err(EngineError::Format(format!(
                    "{}: column '{}' is {}, expected {}",
                    path.display(),
                    expected.name(),
                    found.data_type(),
                    expected.data_type()
                )));
            }
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Text columns may come back as views or large strings from other writers.
fn same_type(found: &DataType, expected: &DataType) -> bool {
    let text =
        |t: &DataType| matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View);
    found == expected || (text(found) && text(expected))
}

/// A stable 64-bit key of a text, for telling order ids and lines apart within one customer.
fn text_key(parts: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

/// Whether `path` names a Parquet file (by its extension, as the commands tell inputs apart).
pub fn is_parquet(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
}

/// Order-line Parquet files imported as `clientele_ingest::pipeline::import_orders` imports
/// exports, for the commands that read either: the as-of day and the kept day amounts from
/// `options`, and `--strict` refusing the whole import on its first rejected line (here, a copy
/// of an earlier line). The exports' format settings do not apply: Parquet has its own types.
pub fn import_order_files(
    paths: &[PathBuf],
    options: &ImportOptions,
) -> Result<OrderImport, EngineError> {
    if let Some(other) = paths.iter().find(|p| !is_parquet(p)) {
        return Err(EngineError::Config(format!(
            "{}: give either Parquet order lines or other exports, not both",
            other.display()
        )));
    }
    let import = import_parquet(paths, options.as_of, options.day_amounts)?;
    if options.strict
        && let Some(r) = import.rejects.first()
    {
        return Err(EngineError::Strict(format!(
            "{}, line {}, column '{}': {}; --strict refuses the whole import ({} bad row(s) in all)",
            r.file.display(),
            r.row.line,
            r.column,
            r.reason,
            import.rejects.len()
        )));
    }
    Ok(import)
}

/// Reads order-line Parquet files (in the order given: the first copy of a duplicated line is
/// the one kept) and summarises every customer as of `as_of` (default: the last day of any
/// line), exactly as the CSV import does. `keep` as in the import options.
pub fn import_parquet(
    paths: &[PathBuf],
    as_of: Option<Day>,
    keep: DayAmounts,
) -> Result<OrderImport, EngineError> {
    let mut by_customer: HashMap<Box<str>, Vec<OrderLine>> = HashMap::new();
    let mut category_ids: HashMap<String, u32> = HashMap::new();
    let mut files: Vec<FileReport> = Vec::new();
    // Per file: one more than its highest export index.
    let mut exports: Vec<u32> = Vec::new();
    // Lines after the as-of day are counted per file; without one given, it is found first.
    let mut lines: Vec<(usize, Box<str>, OrderLine)> = Vec::new();
    for (part, path) in paths.iter().enumerate() {
        let file = File::open(path).map_err(|e| EngineError::io(path, e))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(|e| EngineError::parquet(path, e))?;
        check_line_columns(path, builder.schema())?;
        let reader = builder
            .with_batch_size(64 * 1024)
            .build()
            .map_err(|e| EngineError::parquet(path, e))?;
        let mut most = 0u32;
        for batch in reader {
            let batch = batch.map_err(|e| EngineError::arrow(path, e))?;
            read_batch(&batch, &mut most, |customer, line, category| {
                let category = category.map(|name| {
                    let next = category_ids.len() as u32;
                    CategoryId(*category_ids.entry(name.to_string()).or_insert(next))
                });
                lines.push((part, customer.into(), OrderLine { category, ..line }));
            })
            .map_err(|e| EngineError::Format(format!("{}: {e}", path.display())))?;
        }
        exports.push(most + 1);
        files.push(FileReport {
            path: path.clone(),
            notes: vec!["Parquet order lines in Clientele's columns".to_string()],
            order_id_column: col::ORDER_ID.to_string(),
            ..FileReport::default()
        });
    }
    let last_day = lines.iter().map(|(_, _, l)| l.day).max();
    let as_of = match (as_of, last_day) {
        (Some(d), _) => d,
        (None, Some(d)) => d,
        (None, None) => return Err(EngineError::NoOrders),
    };
    // Category ids in name order, as the CSV import numbers them (only the names of lines up to
    // the as-of day exist there: a later line is never parsed that far).
    let mut used = vec![false; category_ids.len()];
    for (part, _, line) in &lines {
        files[*part].rows += 1;
        if line.day > as_of {
            files[*part].after_as_of += 1;
            continue;
        }
        files[*part].accepted += 1;
        if line.amount.is_negative() {
            files[*part].returns += 1;
        }
        if let Some(c) = line.category {
            used[c.0 as usize] = true;
        }
    }
    let mut names: Vec<(String, u32)> = category_ids
        .into_iter()
        .filter(|(_, id)| used[*id as usize])
        .collect();
    names.sort();
    let mut rank = vec![u32::MAX; used.len()];
    for (new, (_, old)) in (0u32..).zip(&names) {
        rank[*old as usize] = new;
    }
    // Lines numbered by export across the files, so that input order is `RowRef` order.
    let numbering = SourceNumbering::new(paths, &exports)?;
    let mut first_day: Option<Day> = None;
    let mut last_kept: Option<Day> = None;
    for (part, customer, mut line) in lines.into_iter().filter(|(_, _, l)| l.day <= as_of) {
        line.row.file = numbering.number(part, line.row.file);
        first_day = Some(first_day.map_or(line.day, |d| d.min(line.day)));
        last_kept = Some(last_kept.map_or(line.day, |d| d.max(line.day)));
        line.category = line.category.map(|c| CategoryId(rank[c.0 as usize]));
        by_customer.entry(customer).or_default().push(line);
    }
    let mut customers: Vec<(Box<str>, Vec<OrderLine>)> = by_customer.into_iter().collect();
    customers.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let summarised: Vec<(
        Box<str>,
        CustomerSummary,
        Vec<clientele_core::DuplicateLine>,
    )> = customers
        .into_par_iter()
        .map_init(SummaryScratch::default, |scratch, (id, mut lines)| {
            let duplicates = dedup_lines_with(&mut lines, scratch);
            let summary = summarize_with(&lines, as_of, keep, scratch);
            (id, summary, duplicates)
        })
        .collect();
    let mut rejects = Vec::new();
    let mut out = Vec::with_capacity(summarised.len());
    for (id, summary, duplicates) in summarised {
        for d in duplicates {
            let part = numbering
                .export(d.duplicate.file)
                .map_or(0, |(part, _)| *part);
            files[part].duplicates += 1;
            files[part].accepted -= 1;
            rejects.push(numbering.duplicate_reject(paths, d.duplicate, d.first_seen));
        }
        out.push((id, summary));
    }
    numbering.fill_raw_text(&mut rejects, &ImportLimits::default())?;
    if out.is_empty() {
        return Err(EngineError::NoOrders);
    }
    Ok(OrderImport {
        customers: out,
        categories: names.into_iter().map(|(n, _)| n).collect(),
        rejects,
        files,
        as_of,
        first_day,
        last_day: last_kept,
    })
}

/// Calls `each(customer, line, category name)` for every row of a batch in the line schema (the
/// line's `RowRef::file` is its export index in the file); `most` is raised to the highest
/// export index.
fn read_batch(
    batch: &RecordBatch,
    most: &mut u32,
    mut each: impl FnMut(&str, OrderLine, Option<&str>),
) -> Result<(), String> {
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .ok_or_else(|| format!("no column '{name}'"))
    };
    let text = |name: &str| -> Result<Vec<Option<String>>, String> {
        let c = column(name)?;
        let c = datafusion::arrow::compute::cast(c, &DataType::Utf8).map_err(|e| e.to_string())?;
        let c = c.as_string::<i32>();
        Ok((0..c.len())
            .map(|i| c.is_valid(i).then(|| c.value(i).to_string()))
            .collect())
    };
    let customer = text(col::CUSTOMER_ID)?;
    let order_id = text(col::ORDER_ID)?;
    let product = text(col::PRODUCT)?;
    let category = text(col::CATEGORY)?;
    let downcast = |name: &str| column(name);
    let source = downcast(col::SOURCE_FILE)?
        .as_any()
        .downcast_ref::<UInt32Array>()
        .ok_or("source_file is not UInt32")?;
    let line = downcast(col::LINE)?
        .as_any()
        .downcast_ref::<UInt64Array>()
        .ok_or("line is not UInt64")?;
    let day = downcast(col::DAY)?
        .as_any()
        .downcast_ref::<Date32Array>()
        .ok_or("day is not Date32")?;
    let amount = downcast(col::AMOUNT)?
        .as_any()
        .downcast_ref::<Decimal128Array>()
        .ok_or("amount is not a decimal")?;
    let cost = downcast(col::COST)?
        .as_any()
        .downcast_ref::<Decimal128Array>()
        .ok_or("cost is not a decimal")?;
    let full_price = downcast(col::FULL_PRICE)?
        .as_any()
        .downcast_ref::<BooleanArray>()
        .ok_or("full_price is not Boolean")?;
    let money = |v: i128| -> Result<Money, String> {
        i64::try_from(v)
            .map(Money::from_units)
            .map_err(|_| format!("amount {v} is out of range"))
    };
    for i in 0..batch.num_rows() {
        let Some(id) = customer[i].as_deref() else {
            return Err(format!("row {i}: empty customer_id"));
        };
        *most = (*most).max(source.value(i));
        let amount_value = money(amount.value(i))?;
        let order_key = order_id[i].as_deref().map(text_key);
        let line_key =
            order_key.map(|k| text_key((k, product[i].as_deref(), amount_value.is_negative())));
        let parsed = OrderLine {
            row: RowRef {
                file: source.value(i),
                line: line.value(i),
            },
            day: Day::from_days_since_epoch(day.value(i)),
            amount: amount_value,
            cost: if cost.is_valid(i) {
                Some(money(cost.value(i))?)
            } else {
                None
            },
            category: None,
            full_price: full_price.is_valid(i).then(|| full_price.value(i)),
            line_key,
            order_key,
        };
        each(id, parsed, category[i].as_deref());
    }
    Ok(())
}
