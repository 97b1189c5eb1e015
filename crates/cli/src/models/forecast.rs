//! `analyze`'s model step: fit a transaction model (and Gamma-Gamma for spend) on every buyer in
//! days, then compute each customer's forecast for the ladder and `customers.csv`.

use clientele_core::{CustomerSummary, Day, Forecast};
use clientele_models::gamma_gamma::GammaGamma;
use clientele_models::{FitOptions, FitReport};
use rayon::prelude::*;

use super::input::{CustomerRow, customer_row};
use super::transaction::{self, TransactionKind, TransactionModel};
use super::{fit_for_analyze, spend_rows};

/// What the model step tells the report.
#[derive(Debug)]
pub enum ModelOutcome {
    /// No model was asked for.
    Skipped,
    Fitted {
        kind: TransactionKind,
        report: Box<FitReport>,
        spend: Result<FitReport, String>,
    },
    /// The data cannot support the model; the ladder falls back to rhythms and day limits.
    Refused {
        kind: TransactionKind,
        reason: String,
    },
}

/// Forecast settings from the command line.
#[derive(Clone, Copy, Debug)]
pub struct ForecastSettings {
    pub kind: Option<TransactionKind>,
    pub horizon_days: f64,
    pub annual_discount_rate: f64,
}

/// Fits the models on `customers` (id, summary) and forecasts each one, in the same order.
pub fn forecast_all(
    customers: &[(String, CustomerSummary)],
    as_of: Day,
    settings: ForecastSettings,
) -> (Vec<Option<Forecast>>, ModelOutcome) {
    let Some(kind) = settings.kind else {
        return (vec![None; customers.len()], ModelOutcome::Skipped);
    };
    let rows: Vec<Option<CustomerRow>> = customers
        .par_iter()
        .map(|(id, s)| customer_row(id, s, as_of, false, 1.0))
        .collect();
    let buyers: Vec<CustomerRow> = rows.iter().flatten().cloned().collect();
    let (model, report) = match fit_for_analyze(kind, &buyers) {
        Ok(fitted) => fitted,
        Err(e) => {
            let outcome = ModelOutcome::Refused {
                kind,
                reason: e.to_string(),
            };
            return (vec![None; customers.len()], outcome);
        }
    };
    let spend_data = spend_rows(&buyers);
    let gg = clientele_models::gamma_gamma::fit_weighted(&spend_data, &FitOptions::default())
        .map_err(|e| e.to_string());
    let mean_margin = {
        let (rev, profit) = customers
            .iter()
            .filter(|(_, s)| s.cost_complete)
            .fold((0.0, 0.0), |(r, p), (_, s)| {
                (r + s.revenue.to_f64(), p + s.profit().to_f64())
            });
        (rev > 0.0).then(|| profit / rev)
    };
    let spend_model = gg.as_ref().ok().map(|f| &f.model);
    let forecasts = rows
        .par_iter()
        .map(|row| {
            let row = row.as_ref()?;
            Some(forecast_one(
                &model,
                spend_model,
                row,
                as_of,
                mean_margin,
                settings,
            ))
        })
        .collect();
    let outcome = ModelOutcome::Fitted {
        kind,
        report: Box::new(report),
        spend: gg.map(|f| f.report),
    };
    (forecasts, outcome)
}

fn forecast_one(
    model: &TransactionModel,
    gg: Option<&GammaGamma>,
    row: &CustomerRow,
    as_of: Day,
    mean_margin: Option<f64>,
    settings: ForecastSettings,
) -> Forecast {
    let c = &row.triple;
    let h = settings.horizon_days;
    let expected_spend =
        gg.and_then(|g| g.conditional_expected_spend(c.x, row.mean_value.unwrap_or(0.0)));
    // The customer's own margin when their costs are known, else the company's.
    let margin = row.margin.or(mean_margin);
    let value = expected_spend.map(|spend| {
        transaction::customer_value(
            model,
            c,
            spend,
            margin.unwrap_or(0.0),
            h,
            1.0,
            settings.annual_discount_rate,
        )
    });
    let next_purchase = model
        .median_time_to_next_purchase(c)
        .filter(|d| *d < 36_500.0)
        .map(|d| as_of.plus_days(d.round() as i32));
    Forecast {
        p_alive: model.p_alive(c),
        expected_purchases: model.expected_purchases(c, h),
        prob_no_purchase: model.prob_no_purchase(c, h),
        expected_spend,
        clv: value.map(|v| v.revenue),
        clv_profit: value.filter(|_| margin.is_some()).map(|v| v.profit),
        next_purchase,
    }
}
