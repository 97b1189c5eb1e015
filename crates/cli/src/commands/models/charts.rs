//! The holdout diagnostics as files: each customer's comparison (`holdout.csv`) and the five
//! standard charts as SVG, drawn from the validation's numbers.

use std::path::Path;

use anyhow::{Context, Result};
use clientele_app::calibration::CustomerRow;
use clientele_app::models::{
    FREQUENCY_GROUPS, FrequencyGroup, FrequencyRecencyMatrix, Holdout, HoldoutDetails,
    PeriodTransactions, SIMULATION_DRAWS, Tracking, group_label,
};
use clientele_charts::{BarChart, HeatMap, LineChart, Series};
use clientele_core::Day;

use crate::output::write_file;

/// Writes `holdout.csv` and the SVG charts of `holdout` (validated on `rows`, with details)
/// into `dir`.
pub fn write_holdout_files(dir: &Path, rows: &[CustomerRow], holdout: &Holdout) -> Result<()> {
    let Some(details) = &holdout.details else {
        return Ok(());
    };
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
        for (r, c) in rows.iter().zip(&details.customers) {
            csv.write_record([
                r.id.clone(),
                r.triple.x.to_string(),
                format!("{:.4}", r.triple.t_x),
                format!("{:.4}", r.triple.t),
                format!("{:.6}", c.p_alive),
                c.actual.to_string(),
                format!("{:.6}", c.predicted),
            ])?;
        }
        csv.flush()?;
        Ok(())
    })?;
    for (name, svg) in charts(holdout, details) {
        write_file(&dir.join(name), |w| Ok(w.write_all(svg.as_bytes())?))?;
    }
    Ok(())
}

/// The five charts by file name.
fn charts(holdout: &Holdout, details: &HoldoutDetails) -> [(&'static str, String); 5] {
    let (cal_end, end) = (holdout.calibration_end, holdout.holdout_end);
    [
        (
            "period_transactions.svg",
            period_transactions(&details.period_transactions),
        ),
        (
            "calibration_vs_holdout.svg",
            calibration_vs_holdout(&holdout.by_calibration_frequency, cal_end, end),
        ),
        (
            "frequency_recency_matrix.svg",
            matrix(&details.expected_purchases, Matrix::ExpectedPurchases),
        ),
        (
            "p_alive_matrix.svg",
            matrix(&details.p_alive, Matrix::PAlive),
        ),
        (
            "cumulative_transactions.svg",
            details
                .tracking
                .as_ref()
                .map_or_else(String::new, |t| tracking(t, cal_end)),
        ),
    ]
}

fn period_transactions(p: &PeriodTransactions) -> String {
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
        series: vec![
            ("actual".into(), p.actual.clone()),
            ("model".into(), p.simulated.clone()),
        ],
    }
    .to_svg()
}

fn calibration_vs_holdout(groups: &[FrequencyGroup], cal_end: Day, end: Day) -> String {
    BarChart {
        title: "Calibration vs holdout purchases".into(),
        description: format!(
            "Mean purchases per customer from {cal_end} to {end}, observed and predicted, grouped by \
             the number of repeat purchases before {cal_end}."
        ),
        x_label: "repeat purchases in calibration".into(),
        y_label: "mean purchases in holdout".into(),
        categories: groups.iter().map(|g| g.label.clone()).collect(),
        series: vec![
            (
                "actual".into(),
                groups.iter().map(|g| g.actual_mean).collect(),
            ),
            (
                "model".into(),
                groups.iter().map(|g| g.predicted_mean).collect(),
            ),
        ],
    }
    .to_svg()
}

enum Matrix {
    ExpectedPurchases,
    PAlive,
}

fn matrix(m: &FrequencyRecencyMatrix, which: Matrix) -> String {
    let (h, t) = (m.horizon, m.tenure);
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
        columns: m.recencies.iter().map(|r| format!("{r:.0}")).collect(),
        rows: m.frequencies.iter().map(|x| x.to_string()).collect(),
        values: m.values.clone(),
    }
    .to_svg()
}

fn tracking(t: &Tracking, cal_end: Day) -> String {
    let start = t.start;
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
                values: t.observed.clone(),
            },
            Series {
                name: "model".into(),
                values: t.expected.clone(),
            },
        ],
        marker: Some((t.calibration_end_week, "end of calibration".into())),
    }
    .to_svg()
}
