//! `clientele models fit|score`: customer-base models on a summary file or on order exports.
//!
//! The JSON of `fit` and the CSV of `score` are interfaces scripts depend on: keys and columns
//! are only ever added.

pub mod diagnostics;
pub mod forecast;
pub mod input;
pub mod transaction;

use std::io::Write;

use anyhow::{Context, Result, bail};
use clientele_models::{FitOptions, FitReport, Triple, compress_owned};
use serde_json::{Map, Value, json};

use crate::analyze::write_file;
use crate::args::{
    ModelFitArgs, ModelInputArgs, ModelName, ModelScoreArgs, ModelSummaryArgs, ModelsCommand,
};
use input::{CustomerRow, ModelData, ModelInputs};
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
    let input = &args.input;
    if !(args.horizon.is_finite() && args.horizon >= 0.0) {
        bail!("--horizon {}: expected a number ≥ 0", args.horizon);
    }
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
                let (fitted, _) = transaction::fit(kind, &weighted_triples(rows), &options)
                    .with_context(|| format!("fitting {}", kind.cli_name()))?;
                let spend = spend_rows(rows);
                let gg = if spend.is_empty() {
                    None
                } else {
                    match clientele_models::gamma_gamma::fit_weighted(&spend, &options) {
                        Ok(f) => Some(f.model),
                        Err(e) => {
                            eprintln!("note: no spend or CLV columns: Gamma-Gamma refused: {e}");
                            None
                        }
                    }
                };
                let mut header = vec![
                    "customer_id",
                    "p_alive",
                    "expected_purchases",
                    "prob_no_purchase",
                ];
                if gg.is_some() {
                    header.extend(["expected_spend", "clv"]);
                    if args.margin.is_some() {
                        header.push("clv_profit");
                    }
                }
                header.push("p_alive_at_horizon");
                w.write_record(&header)?;
                let unit_days = input.time_unit.days();
                for row in rows {
                    let c = &row.triple;
                    let mut record = vec![
                        row.id.clone(),
                        format!("{:.6}", fitted.p_alive(c)),
                        format!("{:.6}", fitted.expected_purchases(c, args.horizon)),
                        format!("{:.6}", fitted.prob_no_purchase(c, args.horizon)),
                    ];
                    if let Some(gg) = &gg {
                        match gg.conditional_expected_spend(c.x, row.mean_value.unwrap_or(0.0)) {
                            Some(spend) => {
                                let value = transaction::customer_value(
                                    &fitted,
                                    c,
                                    spend,
                                    args.margin.unwrap_or(1.0),
                                    args.horizon,
                                    unit_days,
                                    args.discount_rate,
                                );
                                record.push(format!("{spend:.4}"));
                                record.push(format!("{:.4}", value.revenue));
                                if args.margin.is_some() {
                                    record.push(format!("{:.4}", value.profit));
                                }
                            }
                            None => {
                                record.extend([String::new(), String::new()]);
                                if args.margin.is_some() {
                                    record.push(String::new());
                                }
                            }
                        }
                    }
                    record.push(format!("{:.6}", fitted.p_alive_at(c, args.horizon)));
                    w.write_record(&record)?;
                }
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
    match &args.out {
        Some(path) => write_file(path, |w| Ok(w.write_all(&csv_out)?)),
        None => {
            std::io::stdout().lock().write_all(&csv_out)?;
            Ok(())
        }
    }
}

/// Used by `analyze`: a transaction model fitted in days on every buyer.
pub fn fit_for_analyze(
    kind: TransactionKind,
    compressed: &[(Triple, f64)],
) -> Result<(TransactionModel, FitReport), clientele_models::FitError> {
    transaction::fit(kind, compressed, &FitOptions::default())
}
