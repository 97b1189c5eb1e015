//! `clientele models score`: each customer's predictions as CSV, the rows formatted in parallel.
//! The columns are an interface scripts depend on: they are only ever added.

use std::io::Write;
use std::path::Path;

use anyhow::Result;
use clientele_app::models::{CustomerScore, ModelData, Scorer, load, score};
use rayon::prelude::*;

use super::rejects::report_rejects;
use crate::args::models::ModelScoreArgs;
use crate::output::write_file;
use crate::report::{push_csv_text, push_fixed};

pub fn run(args: ModelScoreArgs) -> Result<()> {
    let settings = args.input.settings()?;
    let horizon = args.horizon();
    let horizon_note = horizon.check(settings.model, settings.time_unit)?;
    settings.fit_options()?;
    let data = load(&settings, &mut report_rejects)?;
    let scorer = score(&settings, &horizon, &data)?;
    let mut csv_out: Vec<u8> = Vec::new();
    // Rows written straight as bytes, after what went through the writer.
    let mut rows_out: Vec<Vec<u8>> = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut csv_out);
        match (&scorer, &data) {
            (Scorer::Transaction(scores), ModelData::Customers { rows, .. }) => {
                let with_profit = args.margin.is_some();
                w.write_record(transaction_header(
                    scores.spend_note.as_deref(),
                    scores.has_spend(),
                    with_profit,
                    horizon_note.as_deref(),
                ))?;
                w.flush()?;
                // Rows in parallel, each chunk into bytes of its own, written in order.
                rows_out = rows
                    .par_chunks(4096)
                    .map(|chunk| {
                        let mut out = Vec::with_capacity(chunk.len() * 96);
                        for row in chunk {
                            write_row(&mut out, &row.id, &scores.score(row), with_profit);
                        }
                        out
                    })
                    .collect();
            }
            (Scorer::Patterns(scores), ModelData::Patterns(rows)) => {
                w.write_record([
                    "customer_id",
                    "frequency",
                    "recency",
                    "periods",
                    "p_alive",
                    "expected_purchases",
                    "prob_no_purchase",
                ])?;
                for ((id, p, _), s) in rows.iter().zip(scores) {
                    w.write_record([
                        id.clone(),
                        p.x.to_string(),
                        p.t_x.to_string(),
                        p.n.to_string(),
                        format!("{:.6}", s.p_alive),
                        format!("{:.6}", s.expected_purchases),
                        format!("{:.6}", s.prob_no_purchase),
                    ])?;
                }
            }
            _ => unreachable!("a scorer is made for the data it was fitted on"),
        }
        w.flush()?;
    }
    write_output(args.out.as_deref(), &csv_out, &rows_out)
}

/// The header and the rows' chunks, each written as it is (not copied into one buffer first),
/// into `out` or on standard output.
pub(crate) fn write_output(out: Option<&Path>, header: &[u8], rows: &[Vec<u8>]) -> Result<()> {
    let write_all = |w: &mut dyn Write| -> Result<()> {
        w.write_all(header)?;
        for chunk in rows {
            w.write_all(chunk)?;
        }
        Ok(())
    };
    match out {
        Some(path) => write_file(path, |w| write_all(w)),
        None => write_all(&mut std::io::stdout().lock()),
    }
}

/// The columns of a transaction model's scores (see [`write_row`]), after the notes on standard
/// error: why spend is not a fitted Gamma-Gamma, or CLV's months against the horizon.
pub(crate) fn transaction_header(
    spend_note: Option<&str>,
    has_spend: bool,
    with_profit: bool,
    horizon_note: Option<&str>,
) -> Vec<&'static str> {
    if let Some(note) = spend_note {
        eprintln!("note: {note}");
    }
    let mut header = vec![
        "customer_id",
        "p_alive",
        "expected_purchases",
        "prob_no_purchase",
    ];
    if has_spend {
        if let Some(note) = horizon_note {
            eprintln!("note: {note}");
        }
        header.extend(["expected_spend", "clv"]);
        if with_profit {
            header.push("clv_profit");
        }
    }
    header.extend([
        "p_alive_at_horizon",
        "median_time_to_next_purchase_if_alive",
    ]);
    header
}

/// One CSV row: `customer_id, p_alive, expected_purchases, prob_no_purchase`, then
/// `expected_spend, clv[, clv_profit]` when Gamma-Gamma was fitted (empty for a customer without
/// repeat purchases), then `p_alive_at_horizon` and `median_time_to_next_purchase_if_alive`
/// (empty beyond a century).
pub(crate) fn write_row(out: &mut Vec<u8>, id: &str, s: &CustomerScore, with_profit: bool) {
    push_csv_text(out, id);
    for value in [s.p_alive, s.expected_purchases, s.prob_no_purchase] {
        out.push(b',');
        push_fixed::<6>(out, Some(value));
    }
    if let Some(value) = s.value {
        out.push(b',');
        push_fixed::<4>(out, value.expected_spend);
        out.push(b',');
        push_fixed::<4>(out, value.clv);
        if with_profit {
            out.push(b',');
            push_fixed::<4>(out, value.clv_profit);
        }
    }
    out.push(b',');
    push_fixed::<6>(out, Some(s.p_alive_at_horizon));
    out.push(b',');
    push_fixed::<2>(out, s.median_time_to_next_purchase_if_alive);
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use clientele_app::calibration::CustomerRow;
    use clientele_app::models::TransactionScores;
    use clientele_app::models::{ForecastHorizon, spend_rows, weighted_triples};
    use clientele_models::transaction::{self, TransactionKind};
    use clientele_models::{FitOptions, Triple};

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
            let scores = TransactionScores::new(
                kind,
                model.clone(),
                Some(clientele_app::SpendModel::GammaGamma(gg)),
                None,
                &ForecastHorizon {
                    horizon,
                    discount_rate: rate,
                    margin: Some(margin),
                },
                unit_days,
                &triples,
            );
            let mut spends = 0;
            for row in &rows {
                let mut out = Vec::new();
                write_row(&mut out, &row.id, &scores.score(row), true);
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
