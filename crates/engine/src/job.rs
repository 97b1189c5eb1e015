//! The per-customer work on an engine: the summaries `analyze` builds (as an `OrderImport`, so
//! everything after the import is the single-machine code), the fit inputs, and the scores.

use std::path::PathBuf;

use clientele_core::{CategoryId, CustomerSummary, Day, Money};
use clientele_ingest::pipeline::{FileReport, OrderImport, Reject};
use clientele_models::{SpendRow, Triple};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch,
};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Decimal128Type, Float64Type, Int32Type, Int64Type};

use crate::EngineError;
use crate::engine::Session;
use crate::plans::{self, ScoreSpec};
use crate::sources::SourceNumbering;
use clientele_core::RowRef;
use clientele_ingest::pipeline::ImportLimits;

/// A column of `batch` cast to `to`.
fn column(batch: &RecordBatch, name: &str, to: &DataType) -> Result<ArrayRef, EngineError> {
    let c = batch
        .column_by_name(name)
        .ok_or_else(|| EngineError::Format(format!("the engine's result has no column {name}")))?;
    cast(c, to).map_err(|e| EngineError::Format(format!("column {name}: {e}")))
}

fn int64(batch: &RecordBatch, name: &str) -> Result<Int64Array, EngineError> {
    Ok(column(batch, name, &DataType::Int64)?
        .as_primitive::<Int64Type>()
        .clone())
}

fn float64(batch: &RecordBatch, name: &str) -> Result<Float64Array, EngineError> {
    Ok(column(batch, name, &DataType::Float64)?
        .as_primitive::<Float64Type>()
        .clone())
}

/// Money columns, as exact ten-thousandths.
fn money(batch: &RecordBatch, name: &str) -> Result<Vec<Option<Money>>, EngineError> {
    let c = column(batch, name, &DataType::Decimal128(38, 4))?;
    let c = c.as_primitive::<Decimal128Type>();
    (0..c.len())
        .map(|i| {
            if c.is_null(i) {
                return Ok(None);
            }
            i64::try_from(c.value(i))
                .map(|u| Some(Money::from_units(u)))
                .map_err(|_| {
                    EngineError::Format(format!(
                        "{name} {} is beyond the ±922 trillion a summary holds",
                        c.value(i)
                    ))
                })
        })
        .collect()
}

fn texts(batch: &RecordBatch, name: &str) -> Result<Vec<Option<String>>, EngineError> {
    let c = column(batch, name, &DataType::Utf8)?;
    let c = c.as_string::<i32>();
    Ok((0..c.len())
        .map(|i| c.is_valid(i).then(|| c.value(i).to_string()))
        .collect())
}

fn count(v: i64, what: &str) -> Result<u32, EngineError> {
    u32::try_from(v).map_err(|_| EngineError::Format(format!("{what} {v} is out of range")))
}

/// The day the summaries are as of: `as_of`, else the last day of any line.
pub fn as_of_day(session: &Session, as_of: Option<Day>) -> Result<Day, EngineError> {
    if let Some(d) = as_of {
        return Ok(d);
    }
    let batches = session.collect(&plans::last_day(session.parts()))?;
    let day = batches.iter().find(|b| b.num_rows() > 0).and_then(|b| {
        let c = b.column(0).as_any().downcast_ref::<Date32Array>()?;
        c.is_valid(0)
            .then(|| Day::from_days_since_epoch(c.value(0)))
    });
    day.ok_or(EngineError::NoOrders)
}

/// Summarises every customer on the engine, as `clientele_ingest::pipeline::import_orders`
/// does from CSV and [`crate::parquet_in::import_parquet`] from Parquet on one machine:
/// customers in id order, categories numbered in name order, duplicates as rejects, counts per
/// file. Summaries keep the first purchase day's amount only (`DayAmounts::FirstOnly`).
pub fn import(
    session: &Session,
    paths: &[PathBuf],
    as_of: Option<Day>,
) -> Result<OrderImport, EngineError> {
    let as_of = as_of_day(session, as_of)?;
    let parts = session.parts();
    let mut files: Vec<FileReport> = paths
        .iter()
        .map(|p| FileReport {
            path: p.clone(),
            notes: vec!["Parquet order lines in Clientele's columns".to_string()],
            order_id_column: crate::schema::col::ORDER_ID.to_string(),
            ..FileReport::default()
        })
        .collect();
    let (mut first_day, mut last_day) = (None::<Day>, None::<Day>);
    // Per file: one more than its highest export index.
    let mut exports = vec![0u32; parts];
    for batch in session.collect(&plans::counts(parts, as_of))? {
        let part = int64(&batch, "part")?;
        let rows = int64(&batch, "all_lines")?;
        let accepted = int64(&batch, "accepted_lines")?;
        let returns = int64(&batch, "return_lines")?;
        let last_source = int64(&batch, "last_source")?;
        let days = |name| -> Result<Vec<Option<Day>>, EngineError> {
            let c = column(&batch, name, &DataType::Int32)?;
            let c = c.as_primitive::<Int32Type>();
            Ok((0..c.len())
                .map(|i| {
                    c.is_valid(i)
                        .then(|| Day::from_days_since_epoch(c.value(i)))
                })
                .collect())
        };
        let (firsts, lasts) = (days("first_day")?, days("last_day")?);
        for i in 0..batch.num_rows() {
            let p = part.value(i) as usize;
            exports[p] = count(last_source.value(i), "export index")? + 1;
            let f = &mut files[p];
            f.rows = rows.value(i) as u64;
            f.accepted = accepted.value(i) as u64;
            f.after_as_of = f.rows - f.accepted;
            f.returns = returns.value(i) as u64;
            if let Some(d) = firsts[i] {
                first_day = Some(first_day.map_or(d, |f| f.min(d)));
            }
            last_day = last_day.max(lasts[i]);
        }
    }
    let mut categories = Vec::new();
    for batch in session.collect(&plans::categories(parts, as_of))? {
        categories.extend(texts(&batch, "category")?.into_iter().flatten());
    }
    // Category names sort as the CSV import sorts them (byte order), whatever the engine's
    // collation.
    categories.sort();
    let category_id = |name: &str| -> Result<CategoryId, EngineError> {
        categories
            .binary_search_by(|c| c.as_str().cmp(name))
            .map(|i| CategoryId(i as u32))
            .map_err(|_| EngineError::Format(format!("category '{name}' is not in the list")))
    };
    let mut customers: Vec<(Box<str>, CustomerSummary)> = Vec::new();
    let mut kept_lines = 0u64;
    session.for_each_batch(&plans::summaries(parts, as_of), |batch| {
        let ids = texts(batch, "customer_id")?;
        let first_day_amount = money(batch, "first_day_amount")?;
        let gross_sales = money(batch, "gross_sales")?;
        let revenue = money(batch, "revenue")?;
        let cost = money(batch, "cost")?;
        let cost_complete = column(batch, "cost_complete", &DataType::Boolean)?;
        let cost_complete: &BooleanArray = cost_complete.as_boolean();
        let returns = int64(batch, "returns")?;
        let orders = int64(batch, "orders")?;
        let kept = int64(batch, "kept_lines")?;
        let full = int64(batch, "full_lines")?;
        let known = int64(batch, "known_lines")?;
        let days = column(batch, "days", &DataType::new_list(DataType::Int32, true))?;
        let days = days.as_list::<i32>();
        let cats = column(
            batch,
            "categories",
            &DataType::new_list(DataType::Utf8, true),
        )?;
        let cats = cats.as_list::<i32>();
        for i in 0..batch.num_rows() {
            let id = ids[i]
                .clone()
                .ok_or_else(|| EngineError::Format("a customer without an id".into()))?;
            let mut purchase_days: Vec<Day> = if days.is_valid(i) {
                let list = days.value(i);
                let list = list.as_primitive::<Int32Type>();
                list.iter()
                    .flatten()
                    .map(Day::from_days_since_epoch)
                    .collect()
            } else {
                Vec::new()
            };
            purchase_days.sort_unstable();
            let mut category_ids: Vec<CategoryId> = if cats.is_valid(i) {
                let list = cats.value(i);
                let list = list.as_string::<i32>();
                list.iter()
                    .flatten()
                    .map(category_id)
                    .collect::<Result<_, _>>()?
            } else {
                Vec::new()
            };
            category_ids.sort_unstable();
            let (full, known) = (
                count(full.value(i), "full-price lines")?,
                count(known.value(i), "lines")?,
            );
            kept_lines += kept.value(i) as u64;
            let zero = |m: Option<Money>| m.unwrap_or(Money::ZERO);
            customers.push((
                id.into_boxed_str(),
                CustomerSummary {
                    orders: count(orders.value(i), "orders")?,
                    returns: count(returns.value(i), "returns")?,
                    days: purchase_days.into_boxed_slice(),
                    first_day_amount: zero(first_day_amount[i]),
                    day_amounts: Box::new([]),
                    as_of,
                    gross_sales: zero(gross_sales[i]),
                    revenue: zero(revenue[i]),
                    cost: zero(cost[i]),
                    cost_complete: cost_complete.is_valid(i) && cost_complete.value(i),
                    categories: category_ids.into_boxed_slice(),
                    full_price_share: (known > 0).then(|| f64::from(full) / f64::from(known)),
                },
            ));
        }
        Ok(())
    })?;
    if customers.is_empty() {
        return Err(EngineError::NoOrders);
    }
    // Ids in byte order, as the CSV import orders them.
    customers.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    if customers.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err(EngineError::Format(
            "the engine returned a customer twice: the summary plan is wrong".into(),
        ));
    }
    let accepted: u64 = files.iter().map(|f| f.accepted).sum();
    lines_add_up(kept_lines, accepted)?;
    let mut rejects = Vec::new();
    if kept_lines < accepted {
        let numbering = SourceNumbering::new(paths, &exports)?;
        rejects = duplicates(session, paths, &numbering, as_of, &mut files)?;
        numbering.fill_raw_text(&mut rejects, &ImportLimits::default())?;
        if rejects.len() as u64 != accepted - kept_lines {
            return Err(EngineError::Format(format!(
                "{} duplicate lines listed, {} expected",
                rejects.len(),
                accepted - kept_lines
            )));
        }
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

/// The lines dropped as copies of earlier ones, as rejects (in input order, without their raw
/// text), counted in their files' reports.
fn duplicates(
    session: &Session,
    paths: &[PathBuf],
    numbering: &SourceNumbering,
    as_of: Day,
    files: &mut [FileReport],
) -> Result<Vec<Reject>, EngineError> {
    let mut rejects = Vec::new();
    for batch in session.collect(&plans::duplicate_copies(session.parts(), as_of))? {
        let lists = batch.column(0).as_list::<i32>();
        for i in 0..lists.len() {
            let copies = RecordBatch::from(lists.value(i).as_struct().clone());
            let (part, source, line) = (
                int64(&copies, "part")?,
                int64(&copies, "source_file")?,
                int64(&copies, "line")?,
            );
            // Input order: the first copy is kept, the others are rejects.
            let mut order: Vec<RowRef> = (0..copies.num_rows())
                .map(|k| {
                    Ok(RowRef {
                        file: numbering.number(
                            count(part.value(k), "file")? as usize,
                            count(source.value(k), "export index")?,
                        ),
                        line: u64::try_from(line.value(k))
                            .map_err(|_| EngineError::Format("a negative line".into()))?,
                    })
                })
                .collect::<Result<_, EngineError>>()?;
            order.sort_unstable();
            for &row in &order[1..] {
                let part = numbering.export(row.file).map_or(0, |(part, _)| *part);
                files[part].duplicates += 1;
                files[part].accepted -= 1;
                rejects.push(numbering.duplicate_reject(paths, row, order[0]));
            }
        }
    }
    rejects.sort_by_key(|r| r.row);
    Ok(rejects)
}

/// The inputs the fits read, as the engine gathers them: distinct (x, t_x, T) with the number of
/// customers of each, sorted (what `clientele_models::compress_owned` makes of the customers'
/// triples), and the repeat buyers' spend rows with their counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FitInputs {
    pub triples: Vec<(Triple, f64)>,
    pub spend: Vec<(SpendRow, f64)>,
}

/// The fits' inputs, gathered on the engine, in `unit_days`-day units.
pub fn fit_inputs(session: &Session, as_of: Day, unit_days: f64) -> Result<FitInputs, EngineError> {
    let mut inputs = FitInputs::default();
    for batch in session.collect(&plans::fit_triples(session.parts(), as_of, unit_days))? {
        let (x, t_x, t) = (
            float64(&batch, "x")?,
            float64(&batch, "t_x")?,
            float64(&batch, "t")?,
        );
        let n = int64(&batch, "customers")?;
        for i in 0..batch.num_rows() {
            inputs.triples.push((
                Triple::new(x.value(i), t_x.value(i), t.value(i)),
                n.value(i) as f64,
            ));
        }
    }
    // The order compress_owned gives: by x, then t_x, then T.
    inputs.triples.sort_by(|a, b| {
        a.0.x
            .total_cmp(&b.0.x)
            .then(a.0.t_x.total_cmp(&b.0.t_x))
            .then(a.0.t.total_cmp(&b.0.t))
    });
    for batch in session.collect(&plans::fit_spend(session.parts(), as_of, unit_days))? {
        let (x, mean) = (float64(&batch, "x")?, float64(&batch, "mean_value")?);
        let n = int64(&batch, "customers")?;
        for i in 0..batch.num_rows() {
            inputs.spend.push((
                SpendRow {
                    x: x.value(i),
                    mean_value: mean.value(i),
                },
                n.value(i) as f64,
            ));
        }
    }
    inputs.spend.sort_by(|a, b| {
        a.0.x
            .total_cmp(&b.0.x)
            .then(a.0.mean_value.total_cmp(&b.0.mean_value))
    });
    Ok(inputs)
}

/// One customer's scores (see [`plans::scores`]); times in the fit's unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub customer_id: String,
    pub triple: Triple,
    pub p_alive: f64,
    pub expected_purchases: f64,
    pub prob_no_purchase: f64,
    pub p_alive_at_horizon: f64,
    pub median_wait: Option<f64>,
    pub expected_spend: Option<f64>,
    pub clv: Option<f64>,
    pub clv_profit: Option<f64>,
}

/// Scores every customer on the engine, handing over batches of scores as they come (in no
/// particular order).
pub fn scores(
    session: &Session,
    as_of: Day,
    spec: &ScoreSpec,
    mut each: impl FnMut(Vec<Score>) -> Result<(), EngineError>,
) -> Result<(), EngineError> {
    session.for_each_batch(&plans::scores(session.parts(), as_of, spec), |batch| {
        let ids = texts(batch, "customer_id")?;
        let f = |name| float64(batch, name);
        let (x, t_x, t) = (f("x")?, f("t_x")?, f("t")?);
        let (p_alive, expected, none, at_horizon) = (
            f("p_alive")?,
            f("expected_purchases")?,
            f("prob_no_purchase")?,
            f("p_alive_at_horizon")?,
        );
        let (median, spend, clv, profit) = (
            f("median_wait")?,
            f("expected_spend")?,
            f("clv")?,
            f("clv_profit")?,
        );
        let opt = |a: &Float64Array, i: usize| a.is_valid(i).then(|| a.value(i));
        let mut out = Vec::with_capacity(batch.num_rows());
        for (i, id) in ids.into_iter().enumerate() {
            out.push(Score {
                customer_id: id.unwrap_or_default(),
                triple: Triple::new(x.value(i), t_x.value(i), t.value(i)),
                p_alive: p_alive.value(i),
                expected_purchases: expected.value(i),
                prob_no_purchase: none.value(i),
                p_alive_at_horizon: at_horizon.value(i),
                median_wait: opt(&median, i),
                expected_spend: opt(&spend, i),
                clv: opt(&clv, i),
                clv_profit: opt(&profit, i),
            });
        }
        each(out)
    })
}

/// [`scores`] collected and put in customer id order.
pub fn scores_by_id(
    session: &Session,
    as_of: Day,
    spec: &ScoreSpec,
) -> Result<Vec<Score>, EngineError> {
    let mut all = Vec::new();
    scores(session, as_of, spec, |batch| {
        all.extend(batch);
        Ok(())
    })?;
    all.sort_unstable_by(|a, b| a.customer_id.cmp(&b.customer_id));
    Ok(all)
}

/// The summaries and the line counts come from separate jobs. A shuffle that repeats a partition
/// (seen on Ballista's static planner when an executor was killed mid-job) counts lines twice and
/// sums their amounts twice: more kept lines than the files hold is such a result, never used.
/// Fewer (a lost partition) is caught where the duplicates listed must make up the difference.
fn lines_add_up(kept_lines: u64, accepted: u64) -> Result<(), EngineError> {
    if kept_lines > accepted {
        return Err(EngineError::Query(format!(
            "the summaries count {kept_lines} lines but the files hold {accepted} up to the \
             as-of day: part of the job's data was read twice (an executor lost mid-job?); \
             nothing of this result was used, run the job again"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_holding_more_lines_than_the_files_are_refused() {
        assert!(lines_add_up(10, 10).is_ok());
        assert!(lines_add_up(9, 10).is_ok());
        let e = lines_add_up(11, 10).unwrap_err();
        assert!(matches!(e, EngineError::Query(_)));
        assert!(
            e.to_string()
                .contains("count 11 lines but the files hold 10"),
            "{e}"
        );
    }
}
