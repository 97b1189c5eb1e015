//! Calibration/holdout validation of a fitted transaction model: forecast errors per customer and
//! in aggregate, and the five standard diagnostic charts as SVG files.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use clientele_charts::{BarChart, HeatMap, LineChart, Series};
use clientele_core::Day;
use clientele_models::Triple;
use rand::SeedableRng;
use serde_json::{Value, json};

use super::input::CustomerRow;
use super::transaction::TransactionModel;
use crate::analyze::write_file;

/// Calibration frequencies 0..CAP−1 get their own group; CAP and above share one.
const FREQUENCY_GROUPS: usize = 8;
/// Draws per customer in the period-transactions simulation (fixed seed: reproducible charts).
const SIMULATION_DRAWS: u32 = 5;

fn group_label(k: usize) -> String {
    if k + 1 == FREQUENCY_GROUPS {
        format!("{k}+")
    } else {
        k.to_string()
    }
}

/// Validates `model` on the holdout (cal_end, end]; writes `holdout.csv` and the SVG charts into
/// `out` when given; returns the aggregate errors for the JSON report.
pub fn validate(
    model: &TransactionModel,
    rows: &[CustomerRow],
    cal_end: Day,
    end: Day,
    unit_days: f64,
    out: Option<&Path>,
) -> Result<Value> {
    let h = f64::from(end.days_since(cal_end)) / unit_days;
    let predicted: Vec<f64> = rows
        .iter()
        .map(|r| model.expected_purchases(&r.triple, h))
        .collect();
    let actual: Vec<f64> = rows.iter().map(|r| r.holdout.unwrap_or(0.0)).collect();
    let n = rows.len() as f64;
    let total_actual: f64 = actual.iter().sum();
    let total_predicted: f64 = predicted.iter().sum();
    let mae = actual
        .iter()
        .zip(&predicted)
        .map(|(a, p)| (a - p).abs())
        .sum::<f64>()
        / n;
    let rmse = (actual
        .iter()
        .zip(&predicted)
        .map(|(a, p)| (a - p).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    let correlation = pearson(&actual, &predicted);

    let mut by_frequency = vec![(0.0, 0.0, 0.0); FREQUENCY_GROUPS];
    for ((r, a), p) in rows.iter().zip(&actual).zip(&predicted) {
        let g = (r.triple.x as usize).min(FREQUENCY_GROUPS - 1);
        by_frequency[g].0 += 1.0;
        by_frequency[g].1 += a;
        by_frequency[g].2 += p;
    }
    let groups: Vec<Value> = by_frequency
        .iter()
        .enumerate()
        .filter(|(_, g)| g.0 > 0.0)
        .map(|(k, g)| {
            json!({
                "calibration_frequency": group_label(k),
                "customers": g.0,
                "actual_mean": g.1 / g.0,
                "predicted_mean": g.2 / g.0,
            })
        })
        .collect();

    if let Some(dir) = out {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        write_file(&dir.join("holdout.csv"), |w| {
            let mut csv = csv::Writer::from_writer(w);
            csv.write_record([
                "customer_id",
                "x",
                "t_x",
                "T",
                "p_alive",
                "holdout_actual",
                "holdout_predicted",
            ])?;
            for ((r, a), p) in rows.iter().zip(&actual).zip(&predicted) {
                csv.write_record([
                    r.id.clone(),
                    r.triple.x.to_string(),
                    format!("{:.4}", r.triple.t_x),
                    format!("{:.4}", r.triple.t),
                    format!("{:.6}", model.p_alive(&r.triple)),
                    a.to_string(),
                    format!("{p:.6}"),
                ])?;
            }
            csv.flush()?;
            Ok(())
        })?;
        let charts = [
            ("period_transactions.svg", period_transactions(model, rows)),
            (
                "calibration_vs_holdout.svg",
                calibration_vs_holdout(&by_frequency, cal_end, end),
            ),
            (
                "frequency_recency_matrix.svg",
                matrix(model, rows, h, Matrix::ExpectedPurchases),
            ),
            ("p_alive_matrix.svg", matrix(model, rows, h, Matrix::PAlive)),
            (
                "cumulative_transactions.svg",
                tracking(model, rows, cal_end, end, unit_days),
            ),
        ];
        for (name, svg) in charts {
            write_file(&dir.join(name), |w| Ok(w.write_all(svg.as_bytes())?))?;
        }
    }

    Ok(json!({
        "calibration_end": cal_end.to_string(),
        "holdout_end": end.to_string(),
        "holdout_length": h,
        "customers": rows.len(),
        "actual_purchases": total_actual,
        "predicted_purchases": total_predicted,
        "aggregate_error_percent": if total_actual > 0.0 {
            Some(100.0 * (total_predicted - total_actual) / total_actual)
        } else {
            None
        },
        "mean_absolute_error": mae,
        "root_mean_squared_error": rmse,
        "correlation": correlation,
        "by_calibration_frequency": groups,
    }))
}

/// Pearson correlation, `None` when either side is constant.
fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

fn period_transactions(model: &TransactionModel, rows: &[CustomerRow]) -> String {
    let mut actual = vec![0.0; FREQUENCY_GROUPS];
    let mut simulated = vec![0.0; FREQUENCY_GROUPS];
    let mut rng = rand::rngs::StdRng::seed_from_u64(20_050_101);
    for r in rows {
        actual[(r.triple.x as usize).min(FREQUENCY_GROUPS - 1)] += 1.0;
        for _ in 0..SIMULATION_DRAWS {
            let x = model.simulate_repeat_purchases(r.triple.t, &mut rng) as usize;
            simulated[x.min(FREQUENCY_GROUPS - 1)] += 1.0 / f64::from(SIMULATION_DRAWS);
        }
    }
    BarChart {
        title: "Repeat purchases in the calibration period".into(),
        description: format!(
            "Customers by number of repeat purchases: observed, and expected from the fitted model \
             (simulated with the customers' own observation times, {SIMULATION_DRAWS} draws each). \
             Close bars mean the model reproduces the spread of buying frequency."
        ),
        x_label: "repeat purchases".into(),
        y_label: "customers".into(),
        categories: (0..FREQUENCY_GROUPS).map(group_label).collect(),
        series: vec![("actual".into(), actual), ("model".into(), simulated)],
    }
    .to_svg()
}

fn calibration_vs_holdout(groups: &[(f64, f64, f64)], cal_end: Day, end: Day) -> String {
    let keep: Vec<usize> = (0..groups.len()).filter(|&k| groups[k].0 > 0.0).collect();
    BarChart {
        title: "Calibration vs holdout purchases".into(),
        description: format!(
            "Mean purchases per customer from {cal_end} to {end}, observed and predicted, grouped by \
             the number of repeat purchases before {cal_end}."
        ),
        x_label: "repeat purchases in calibration".into(),
        y_label: "mean purchases in holdout".into(),
        categories: keep.iter().map(|&k| group_label(k)).collect(),
        series: vec![
            (
                "actual".into(),
                keep.iter().map(|&k| groups[k].1 / groups[k].0).collect(),
            ),
            (
                "model".into(),
                keep.iter().map(|&k| groups[k].2 / groups[k].0).collect(),
            ),
        ],
    }
    .to_svg()
}

enum Matrix {
    ExpectedPurchases,
    PAlive,
}

fn matrix(model: &TransactionModel, rows: &[CustomerRow], h: f64, which: Matrix) -> String {
    let t = rows.iter().map(|r| r.triple.t).fold(0.0f64, f64::max);
    let max_x = rows
        .iter()
        .map(|r| r.triple.x)
        .fold(0.0f64, f64::max)
        .min(30.0) as usize;
    const RECENCY_STEPS: usize = 20;
    let recencies: Vec<f64> = (0..=RECENCY_STEPS)
        .map(|k| t * k as f64 / RECENCY_STEPS as f64)
        .collect();
    // Highest frequency on top, as the classic plot has it.
    let values: Vec<Vec<f64>> = (0..=max_x)
        .rev()
        .map(|x| {
            recencies
                .iter()
                .map(|&t_x| {
                    // A customer with no repeat purchase has recency 0 by definition.
                    let t_x = if x == 0 { 0.0 } else { t_x };
                    let c = Triple::new(x as f64, t_x, t);
                    match which {
                        Matrix::ExpectedPurchases => model.expected_purchases(&c, h),
                        Matrix::PAlive => model.p_alive(&c),
                    }
                })
                .collect()
        })
        .collect();
    let (title, description) = match which {
        Matrix::ExpectedPurchases => (
            "Expected purchases by frequency and recency",
            format!(
                "Expected purchases over the next {h:.0} time units of a customer observed for \
                 {t:.0} units, by repeat purchases (rows) and the time of the last one (columns). \
                 Frequent, recent buyers (top right) are worth the most."
            ),
        ),
        Matrix::PAlive => (
            "Probability alive by frequency and recency",
            format!(
                "P(alive) of a customer observed for {t:.0} time units, by repeat purchases (rows) \
                 and the time of the last one (columns). A frequent buyer who has gone quiet \
                 (top left) is the likeliest to have left."
            ),
        ),
    };
    HeatMap {
        title: title.into(),
        description,
        x_label: "recency (time of the last purchase)".into(),
        y_label: "repeat purchases".into(),
        columns: recencies.iter().map(|r| format!("{r:.0}")).collect(),
        rows: (0..=max_x).rev().map(|x| x.to_string()).collect(),
        values,
    }
    .to_svg()
}

/// Weekly cumulative repeat purchases, observed and expected: the model's expectation for a
/// customer acquired on day s is E[X(d − s)], summed over customers grouped by first day.
fn tracking(
    model: &TransactionModel,
    rows: &[CustomerRow],
    cal_end: Day,
    end: Day,
    unit_days: f64,
) -> String {
    let mut firsts: BTreeMap<Day, f64> = BTreeMap::new();
    let mut repeats: Vec<Day> = Vec::new();
    for r in rows {
        if let Some(f) = r.first_purchase {
            *firsts.entry(f).or_default() += 1.0;
        }
        repeats.extend(&r.repeat_days);
    }
    repeats.sort_unstable();
    let Some((&start, _)) = firsts.iter().next() else {
        return String::new();
    };
    let weeks = (end.days_since(start) + 6) / 7;
    let mut observed = Vec::new();
    let mut expected = Vec::new();
    for w in 0..=weeks {
        let day = start.plus_days((w * 7).min(end.days_since(start)));
        let count = repeats.partition_point(|&d| d <= day) as f64;
        let model_count: f64 = firsts
            .range(..=day)
            .map(|(&f, &n)| {
                n * model.expected_purchases_new(f64::from(day.days_since(f)) / unit_days)
            })
            .sum();
        observed.push((f64::from(w), count));
        expected.push((f64::from(w), model_count));
    }
    LineChart {
        title: "Cumulative repeat purchases".into(),
        description: format!(
            "Repeat purchases of the customers acquired by {cal_end}, week by week since {start}: \
             observed and expected by the model fitted on the data up to {cal_end}. The gap after \
             the marker is the forecast error."
        ),
        x_label: format!("weeks since {start}"),
        y_label: "cumulative repeat purchases".into(),
        series: vec![
            Series {
                name: "actual".into(),
                values: observed,
            },
            Series {
                name: "model".into(),
                values: expected,
            },
        ],
        marker: Some((
            f64::from(cal_end.days_since(start)) / 7.0,
            "end of calibration".into(),
        )),
    }
    .to_svg()
}
