//! `clientele models fit|score`: customer-base models on a summary file or on order exports.
//!
//! The JSON of `fit` and the CSV of `score` are interfaces scripts depend on: keys and columns
//! are only ever added.

pub mod diagnostics;
pub mod forecast;
pub mod input;
mod summary_file;
pub mod transaction;

use std::io::Write;

use anyhow::{Context, Result, bail};
use clientele_models::{FitOptions, FitReport, Triple, compress_owned};
use serde_json::{Map, Value, json};

use crate::analyze::write_file;
use crate::args::{
    ModelFitArgs, ModelInputArgs, ModelName, ModelScoreArgs, ModelSummaryArgs, ModelsCommand,
};
use clientele_models::clv::ClvOptions;
use clientele_models::gamma_gamma::GammaGamma;
use forecast::{ByXT, IfAlive};
use input::{CustomerRow, ModelData, ModelInputs};
use rayon::prelude::*;

use crate::report::csv_out::{push_csv_text, push_fixed};
use transaction::{TransactionKind, TransactionModel};

pub fn run(command: ModelsCommand) -> Result<()> {
    match command {
        ModelsCommand::Fit(args) => run_fit(args),
        ModelsCommand::Score(args) => run_score(args),
        ModelsCommand::Summary(args) => run_summary(args),
    }
}

fn run_summary(args: ModelSummaryArgs) -> Result<()> {
    let unit = args.time_unit.days();
    let input::ImportCut {
        import,
        cut,
        calibration_end,
    } = input::import_cut(&args.orders, &args.import, args.calibration_end.as_deref())?;
    let holdout_length = calibration_end.map(|c| f64::from(import.as_of.days_since(c)) / unit);
    let write = |w: &mut dyn Write| {
        input::write_summary_csv(w, &import.customers, cut, unit, holdout_length)
    };
    let written = match &args.out {
        Some(path) => write_file(path, write),
        None => {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
            let written = write(&mut w).and_then(|()| Ok(w.flush()?));
            // A reader that stops early (`| head`) is not an error.
            match written {
                Err(e)
                    if e.downcast_ref::<std::io::Error>()
                        .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
                {
                    Ok(())
                }
                other => other,
            }
        }
    };
    // Freeing a summary per customer one by one takes longer than the process exit that
    // reclaims them at once (a twentieth of the command's time at a million orders).
    std::mem::forget(import);
    written
}

fn fit_options(input: &ModelInputArgs) -> Result<FitOptions> {
    if !(input.penalty.is_finite() && input.penalty >= 0.0) {
        bail!("--penalty {}: expected a number ≥ 0", input.penalty);
    }
    Ok(FitOptions {
        penalty: input.penalty,
        ..FitOptions::default()
    })
}

fn transaction_kind(model: ModelName) -> Option<TransactionKind> {
    match model {
        ModelName::Bgnbd => Some(TransactionKind::BgNbd),
        ModelName::Mbgnbd => Some(TransactionKind::MbgNbd),
        ModelName::Pnbd => Some(TransactionKind::ParetoNbd),
        _ => None,
    }
}

/// The JSON object of a fit report (the documented `models fit` output).
pub fn report_json(cli_name: &str, report: &FitReport, time_unit: Option<&str>) -> Value {
    let mut params = Map::new();
    for (name, v) in &report.params {
        params.insert((*name).to_string(), json!(v));
    }
    let mut errors = Map::new();
    for (name, v) in &report.std_errors {
        errors.insert((*name).to_string(), json!(v));
    }
    let mut out = json!({
        "model": cli_name,
        "params": params,
        "log_likelihood": report.log_likelihood,
        "converged": report.converged,
        "iterations": report.iterations,
        "gradient_norm": report.gradient_norm,
        "std_errors": errors,
        "customers": report.n_customers,
        "unique_rows": report.n_unique,
    });
    let obj = out.as_object_mut().expect("an object");
    if let Some(unit) = time_unit {
        obj.insert("time_unit".into(), json!(unit));
    }
    if let Some(note) = &report.convergence_note {
        obj.insert("convergence_note".into(), json!(note));
    }
    if let Some(note) = &report.std_error_note {
        obj.insert("std_error_note".into(), json!(note));
    }
    out
}

fn weighted_triples(rows: &[CustomerRow]) -> Vec<(Triple, f64)> {
    compress_owned(rows.iter().map(|r| r.triple).collect())
}

fn spend_rows(rows: &[CustomerRow]) -> Vec<(clientele_models::SpendRow, f64)> {
    spend_rows_of(rows.iter().map(CustomerRow::inputs))
}

/// Customers with repeat purchases of known value, each with weight 1.
fn spend_rows_of(
    inputs: impl Iterator<Item = ModelInputs>,
) -> Vec<(clientele_models::SpendRow, f64)> {
    inputs.filter_map(|r| spend_row(&r)).collect()
}

/// A customer's row for the spend model: repeat buyers with a positive repeat spend.
fn spend_row(r: &ModelInputs) -> Option<(clientele_models::SpendRow, f64)> {
    let v = r.mean_value?;
    (r.triple.x >= 1.0).then_some((
        clientele_models::SpendRow {
            x: r.triple.x,
            mean_value: v,
        },
        1.0,
    ))
}

fn run_fit(args: ModelFitArgs) -> Result<()> {
    let input = &args.input;
    let options = fit_options(input)?;
    let data = input::load(input)?;
    let unit = input.time_unit.name();
    let value = match (&data, input.model) {
        (ModelData::Customers { rows, split }, model) => {
            if let Some(kind) = transaction_kind(model) {
                let (fitted, report) = transaction::fit(kind, &weighted_triples(rows), &options)
                    .with_context(|| format!("fitting {}", kind.cli_name()))?;
                let mut value = report_json(kind.cli_name(), &report, Some(unit));
                if let Some((cal_end, end)) = split {
                    let holdout = diagnostics::validate(
                        &fitted,
                        rows,
                        *cal_end,
                        *end,
                        input.time_unit.days(),
                        args.out.as_deref(),
                    )?;
                    value
                        .as_object_mut()
                        .expect("an object")
                        .insert("holdout".into(), holdout);
                } else if args.out.is_some() {
                    bail!("--out writes the holdout diagnostics: give --calibration-end too");
                }
                value
            } else if model == ModelName::Gg {
                let spend = spend_rows(rows);
                let fit = clientele_models::gamma_gamma::fit_weighted(&spend, &options)
                    .context("fitting gg")?;
                report_json("gg", &fit.report, None)
            } else {
                unreachable!("bgbb and sbg data come from their own files")
            }
        }
        (ModelData::Patterns(rows), _) => {
            let patterns: Vec<_> = rows.iter().map(|(_, p, w)| (*p, *w)).collect();
            let fit = clientele_models::bgbb::fit(&patterns, &options).context("fitting bgbb")?;
            report_json("bgbb", &fit.report, Some("period"))
        }
        (ModelData::Survival(counts), _) => {
            let counts = clientele_models::sbg::SurvivalCounts {
                alive: counts.clone(),
            };
            let fit = clientele_models::sbg::fit(&counts, &options).context("fitting sbg")?;
            report_json("sbg", &fit.report, Some("period"))
        }
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer_pretty(&mut out, &value)?;
    out.write_all(b"\n")?;
    Ok(())
}

fn run_score(args: ModelScoreArgs) -> Result<()> {
    #[cfg(feature = "distributed")]
    if let Some(engine) = &args.engine {
        return crate::cluster::score_on_engine(engine, &args);
    }
    let input = &args.input;
    // BG/BB's horizon is in periods and has no CLV; the others are checked against CLV's months.
    let horizon_note = if input.model == ModelName::Bgbb {
        if !(args.horizon.is_finite() && args.horizon >= 0.0) {
            bail!("--horizon {}: expected a number ≥ 0", args.horizon);
        }
        None
    } else {
        transaction::check_horizon(args.horizon, input.time_unit.days())
            .map_err(|e| anyhow::anyhow!("--horizon {}: {e}", args.horizon))?
    };
    if !(args.discount_rate.is_finite() && args.discount_rate > -1.0) {
        bail!(
            "--discount-rate {}: expected an annual rate above -1",
            args.discount_rate
        );
    }
    if let Some(m) = args
        .margin
        .filter(|m| !(m.is_finite() && (-1.0..=1.0).contains(m)))
    {
        bail!("--margin {m}: expected a fraction of revenue between -1 and 1");
    }
    let options = fit_options(input)?;
    let data = input::load(input)?;
    let mut csv_out: Vec<u8> = Vec::new();
    // Rows written straight as bytes, after what went through the writer.
    let mut rows_out: Vec<Vec<u8>> = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut csv_out);
        match (&data, input.model) {
            (ModelData::Customers { rows, .. }, model) => {
                let Some(kind) = transaction_kind(model) else {
                    bail!(
                        "models score needs a transaction model (bgnbd, mbgnbd, pnbd or bgbb); \
                         Gamma-Gamma is fitted alongside when the data has purchase values"
                    );
                };
                let triples = weighted_triples(rows);
                let spend = spend_rows(rows);
                // The two fits need nothing of each other: side by side, as in `analyze`.
                let (fitted, gg) = rayon::join(
                    || transaction::fit(kind, &triples, &options),
                    || {
                        (!spend.is_empty())
                            .then(|| clientele_models::gamma_gamma::fit_weighted(&spend, &options))
                    },
                );
                let (fitted, _) = fitted.with_context(|| format!("fitting {}", kind.cli_name()))?;
                let gg = match gg {
                    Some(Ok(f)) => Some(f.model),
                    Some(Err(e)) => {
                        eprintln!("note: no spend or CLV columns: Gamma-Gamma refused: {e}");
                        None
                    }
                    None => None,
                };
                let mut header = vec![
                    "customer_id",
                    "p_alive",
                    "expected_purchases",
                    "prob_no_purchase",
                ];
                if gg.is_some() {
                    if let Some(note) = &horizon_note {
                        eprintln!("note: {note}");
                    }
                    header.extend(["expected_spend", "clv"]);
                    if args.margin.is_some() {
                        header.push("clv_profit");
                    }
                }
                header.extend([
                    "p_alive_at_horizon",
                    "median_time_to_next_purchase_if_alive",
                ]);
                w.write_record(&header)?;
                w.flush()?;
                let scores = Scores {
                    model: &fitted,
                    gg: gg.as_ref(),
                    horizon: args.horizon,
                    clv: transaction::clv_options(
                        args.horizon,
                        input.time_unit.days(),
                        args.discount_rate,
                        0.0,
                    ),
                    margin: args.margin,
                    unit_days: input.time_unit.days(),
                };
                let shared = scores.shared(&triples);
                // Rows in parallel, each chunk into bytes of its own, written in order.
                rows_out = rows
                    .par_chunks(4096)
                    .map(|chunk| {
                        let mut out = Vec::with_capacity(chunk.len() * 96);
                        for row in chunk {
                            scores.write_row(&mut out, row, &shared);
                        }
                        out
                    })
                    .collect();
            }
            (ModelData::Patterns(rows), _) => {
                let patterns: Vec<_> = rows.iter().map(|(_, p, w)| (*p, *w)).collect();
                let fit =
                    clientele_models::bgbb::fit(&patterns, &options).context("fitting bgbb")?;
                w.write_record([
                    "customer_id",
                    "frequency",
                    "recency",
                    "periods",
                    "p_alive",
                    "expected_purchases",
                    "prob_no_purchase",
                ])?;
                let h = args.horizon.round() as u32;
                for (id, p, _) in rows {
                    w.write_record([
                        id.clone(),
                        p.x.to_string(),
                        p.t_x.to_string(),
                        p.n.to_string(),
                        format!("{:.6}", fit.model.p_alive(p.x, p.t_x, p.n)),
                        format!(
                            "{:.6}",
                            fit.model.conditional_expected_purchases(p.x, p.t_x, p.n, h)
                        ),
                        format!("{:.6}", fit.model.prob_no_purchase(p.x, p.t_x, p.n, h)),
                    ])?;
                }
            }
            (ModelData::Survival(_), _) => {
                bail!("models score scores customers; sBG describes a cohort: use models fit")
            }
        }
        w.flush()?;
    }
    // The header and the rows' chunks, each written as it is: not copied into one buffer first.
    let write_all = |w: &mut dyn Write| -> Result<()> {
        w.write_all(&csv_out)?;
        for chunk in &rows_out {
            w.write_all(chunk)?;
        }
        Ok(())
    };
    match &args.out {
        Some(path) => write_file(path, |w| write_all(w)),
        None => write_all(&mut std::io::stdout().lock()),
    }
}

/// What `models score` writes for each customer, from the fitted models.
struct Scores<'m> {
    model: &'m TransactionModel,
    gg: Option<&'m GammaGamma>,
    horizon: f64,
    clv: ClvOptions,
    margin: Option<f64>,
    /// Days in one time unit: medians of a century or more are left empty, as `analyze` leaves
    /// them.
    unit_days: f64,
}

/// The factors of a customer's scores that depend on `(x, T)` only (see [`IfAlive`]), with
/// P(alive at the horizon | alive now).
struct AliveFactors {
    if_alive: IfAlive,
    survival: f64,
    /// Median time from T to the next purchase if alive, in the time unit.
    median_next_purchase: Option<f64>,
}

impl Scores<'_> {
    fn shared(&self, triples: &[(Triple, f64)]) -> ByXT<AliveFactors> {
        let (model, h) = (self.model, self.horizon);
        let longest = transaction::LONGEST_WAIT_DAYS / self.unit_days;
        ByXT::new(triples, |x, t| AliveFactors {
            if_alive: IfAlive::new(model, x, t, h, self.gg.map(|_| &self.clv)),
            survival: model.survival_given_alive(x, t, h),
            median_next_purchase: model
                .median_time_to_next_purchase(x, t)
                .filter(|m| *m < longest),
        })
    }

    /// One CSV row: `customer_id, p_alive, expected_purchases, prob_no_purchase`, then
    /// `expected_spend, clv[, clv_profit]` when Gamma-Gamma was fitted (empty for a customer
    /// without repeat purchases), then `p_alive_at_horizon` and
    /// `median_time_to_next_purchase_if_alive` (empty beyond a century).
    fn write_row(&self, out: &mut Vec<u8>, row: &CustomerRow, shared: &ByXT<AliveFactors>) {
        let c = &row.triple;
        let f = shared
            .get(c)
            .expect("every customer's (x, T) is among the triples fitted on");
        let p_alive = self.model.p_alive(c);
        push_csv_text(out, &row.id);
        for value in [
            p_alive,
            f.if_alive.expected_purchases(p_alive),
            f.if_alive.prob_no_purchase(p_alive),
        ] {
            out.push(b',');
            push_fixed::<6>(out, Some(value));
        }
        if let Some(gg) = self.gg {
            let spend = gg.conditional_expected_spend(c.x, row.mean_value.unwrap_or(0.0));
            let value =
                spend.and_then(|spend| f.if_alive.clv(p_alive, spend, self.margin.unwrap_or(1.0)));
            out.push(b',');
            push_fixed::<4>(out, spend);
            out.push(b',');
            push_fixed::<4>(out, value.map(|v| v.revenue));
            if self.margin.is_some() {
                out.push(b',');
                push_fixed::<4>(out, value.map(|v| v.profit));
            }
        }
        out.push(b',');
        push_fixed::<6>(out, Some(p_alive * f.survival));
        out.push(b',');
        push_fixed::<2>(out, f.median_next_purchase);
        out.push(b'\n');
    }
}

/// Used by `analyze`: a transaction model fitted in days on every buyer.
pub fn fit_for_analyze(
    kind: TransactionKind,
    compressed: &[(Triple, f64)],
) -> Result<(TransactionModel, FitReport), clientele_models::FitError> {
    transaction::fit(kind, compressed, &FitOptions::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CDNOW calibration summary in weeks (`ID,x,t_x,T,zbar`), 2,357 customers.
    fn cdnow_rows() -> Vec<CustomerRow> {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/cdnow/cdnow_customers_summary_with_transactions.csv"
        );
        let text = std::fs::read_to_string(path).unwrap();
        text.lines()
            .skip(1)
            .map(|line| {
                let f: Vec<f64> = line.split(',').map(|v| v.parse().unwrap()).collect();
                CustomerRow {
                    id: line.split(',').next().unwrap().to_string(),
                    triple: Triple {
                        x: f[1],
                        t_x: f[2],
                        t: f[3],
                    },
                    mean_value: (f[1] > 0.0 && f[4] > 0.0).then_some(f[4]),
                    margin: None,
                    holdout: None,
                    first_purchase: None,
                    repeat_days: Vec::new(),
                }
            })
            .collect()
    }

    /// `models score` builds each customer's scores from factors shared by every customer with
    /// the same (x, T). They must be the models' own predictions for the one customer: P(alive),
    /// expected purchases, P(no purchase), spend, CLV on revenue and profit, P(alive) at the
    /// horizon, each to the last printed digit.
    #[test]
    fn scores_are_each_customers_own_predictions() {
        let rows = cdnow_rows();
        assert_eq!(rows.len(), 2357);
        let triples = weighted_triples(&rows);
        let options = FitOptions::default();
        let gg = clientele_models::gamma_gamma::fit_weighted(&spend_rows(&rows), &options)
            .unwrap()
            .model;
        let (horizon, unit_days, rate, margin) = (39.0, 7.0, 0.1, 0.25);
        for kind in [
            TransactionKind::BgNbd,
            TransactionKind::MbgNbd,
            TransactionKind::ParetoNbd,
        ] {
            let (model, _) = transaction::fit(kind, &triples, &options).unwrap();
            let scores = Scores {
                model: &model,
                gg: Some(&gg),
                horizon,
                clv: transaction::clv_options(horizon, unit_days, rate, 0.0),
                margin: Some(margin),
                unit_days,
            };
            let shared = scores.shared(&triples);
            let mut spends = 0;
            for row in &rows {
                let mut out = Vec::new();
                scores.write_row(&mut out, row, &shared);
                let text = String::from_utf8(out).unwrap();
                let fields: Vec<&str> = text.strip_suffix('\n').unwrap().split(',').collect();
                let c = &row.triple;
                let spend = gg.conditional_expected_spend(c.x, row.mean_value.unwrap_or(0.0));
                let value = spend.map(|s| {
                    transaction::customer_value(&model, c, s, margin, horizon, unit_days, rate)
                });
                spends += usize::from(spend.is_some());
                let expected = [
                    (Some(model.p_alive(c)), 6),
                    (Some(model.expected_purchases(c, horizon)), 6),
                    (Some(model.prob_no_purchase(c, horizon)), 6),
                    (spend, 4),
                    (value.map(|v| v.revenue), 4),
                    (value.map(|v| v.profit), 4),
                    (Some(model.p_alive_at(c, horizon)), 6),
                    (model.median_time_to_next_purchase(c.x, c.t), 2),
                ];
                assert_eq!(fields.len(), 1 + expected.len(), "{text}");
                assert_eq!(fields[0], row.id);
                for (field, (value, places)) in fields[1..].iter().zip(expected) {
                    match value {
                        None => assert_eq!(*field, "", "{kind:?} {text}"),
                        Some(v) => {
                            // One unit in the last printed place: the shared factors and the
                            // direct formulas may round apart at a boundary.
                            let unit = 10f64.powi(-places);
                            let printed: f64 = field.parse().unwrap();
                            assert!(
                                (printed - v).abs() <= unit,
                                "{kind:?} customer {}: printed {field}, directly {v}",
                                row.id
                            );
                        }
                    }
                }
            }
            assert!(spends > 1000, "{spends} customers with a spend");
        }
    }
}
