//! `models fit`: a model fitted by maximum likelihood on its data, with the holdout validation of
//! a transaction model when the data were split at a calibration end.

use anyhow::{Context, Result};
use clientele_models::{FitReport, SpendRow, TransactionKind, Triple, compress_owned, transaction};

use super::data::ModelData;
use super::holdout::{Holdout, validate};
use super::settings::{Model, ModelSettings};
use crate::calibration::{CustomerRow, ModelInputs, spend_row};

/// A fit's report, by the kind of model fitted.
#[allow(clippy::large_enum_variant)] // one per command, never in a collection
#[derive(Clone, Debug)]
pub enum FitOutcome {
    /// A continuous-time transaction model, with the holdout validation when the data were split.
    Transaction {
        kind: TransactionKind,
        report: FitReport,
        holdout: Option<Holdout>,
    },
    /// Gamma-Gamma, on the repeat buyers with a spend.
    Spend(FitReport),
    /// BG/BB, on discrete patterns.
    Patterns(FitReport),
    /// sBG, on a cohort's survival counts.
    Survival(FitReport),
}

/// Fits the settings' model on `data` (from [`super::load`] with the same settings). With
/// `holdout_details`, a holdout validation also gives each customer's figures and the charts'
/// numbers.
pub fn fit(
    settings: &ModelSettings,
    data: &ModelData,
    holdout_details: bool,
) -> Result<FitOutcome> {
    let options = settings.fit_options()?;
    Ok(match (data, settings.model) {
        (ModelData::Customers { rows, split }, Model::Transaction(kind)) => {
            let (fitted, report) = transaction::fit(kind, &weighted_triples(rows), &options)
                .with_context(|| format!("fitting {}", kind.code()))?;
            let holdout = split.map(|(cal_end, end)| {
                validate(
                    &fitted,
                    rows,
                    cal_end,
                    end,
                    settings.time_unit.days(),
                    holdout_details,
                )
            });
            FitOutcome::Transaction {
                kind,
                report,
                holdout,
            }
        }
        (ModelData::Customers { rows, .. }, _) => {
            let spend = spend_rows(rows);
            let fit = clientele_models::gamma_gamma::fit_weighted(&spend, &options)
                .context("fitting gg")?;
            FitOutcome::Spend(fit.report)
        }
        (ModelData::Patterns(rows), _) => {
            let patterns: Vec<_> = rows.iter().map(|(_, p, w)| (*p, *w)).collect();
            let fit = clientele_models::bgbb::fit(&patterns, &options).context("fitting bgbb")?;
            FitOutcome::Patterns(fit.report)
        }
        (ModelData::Survival(counts), _) => {
            let counts = clientele_models::sbg::SurvivalCounts {
                alive: counts.clone(),
            };
            let fit = clientele_models::sbg::fit(&counts, &options).context("fitting sbg")?;
            FitOutcome::Survival(fit.report)
        }
    })
}

/// The customers' distinct (x, t_x, T) triples with their counts as weights.
pub fn weighted_triples(rows: &[CustomerRow]) -> Vec<(Triple, f64)> {
    compress_owned(rows.iter().map(|r| r.triple).collect())
}

/// The repeat buyers' rows for Gamma-Gamma, each with weight 1.
pub fn spend_rows(rows: &[CustomerRow]) -> Vec<(SpendRow, f64)> {
    spend_rows_of(rows.iter().map(CustomerRow::inputs))
}

/// Customers with repeat purchases of known value, each with weight 1.
fn spend_rows_of(inputs: impl Iterator<Item = ModelInputs>) -> Vec<(SpendRow, f64)> {
    inputs.filter_map(|r| spend_row(&r)).collect()
}
