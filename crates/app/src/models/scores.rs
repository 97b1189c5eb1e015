//! `models score`: each customer's predictions from a fitted model — P(alive), expected purchases
//! and P(no purchase) over the horizon, expected spend and CLV when Gamma-Gamma could be fitted,
//! P(alive) at the horizon and the median wait to the next purchase — computed from factors
//! shared by every customer with the same `(x, T)`.

use anyhow::{Context, Result, bail};
use clientele_models::{
    FitOptions, SpendRow, TransactionKind, TransactionModel, Triple, transaction,
};

use super::data::ModelData;
use super::fit::{spend_rows, weighted_triples};
use super::settings::{ForecastHorizon, Model, ModelSettings};
use crate::calibration::CustomerRow;
use crate::forecast::{ByXT, IfAlive, SpendModel, fit_spend};

/// The fitted models that score customers.
#[allow(clippy::large_enum_variant)] // one per command, never in a collection
pub enum Scorer {
    /// Continuous-time customers, by a transaction model (and Gamma-Gamma for spend).
    Transaction(TransactionScores),
    /// BG/BB's patterns, one score per row of the data, in order.
    Patterns(Vec<PatternScore>),
}

/// One BG/BB pattern's predictions over the horizon (in periods).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PatternScore {
    pub p_alive: f64,
    pub expected_purchases: f64,
    pub prob_no_purchase: f64,
}

/// Fits the settings' model on `data` (Gamma-Gamma beside a transaction model when there are
/// repeat purchases of known value) and prepares each customer's scores over `horizon`.
pub fn score(
    settings: &ModelSettings,
    horizon: &ForecastHorizon,
    data: &ModelData,
) -> Result<Scorer> {
    horizon.check(settings.model, settings.time_unit)?;
    let options = settings.fit_options()?;
    match (data, settings.model) {
        (ModelData::Customers { rows, .. }, model) => {
            let Model::Transaction(kind) = model else {
                bail!(
                    "models score needs a transaction model (bgnbd, mbgnbd, pnbd or bgbb); \
                     Gamma-Gamma is fitted alongside when the data has purchase values"
                );
            };
            let triples = weighted_triples(rows);
            let spend = spend_rows(rows);
            let ScoringFits {
                model: fitted,
                spend: gg,
                spend_note,
            } = fit_for_scores(kind, &triples, &spend, &options)?;
            Ok(Scorer::Transaction(TransactionScores::new(
                kind,
                fitted,
                gg,
                spend_note,
                horizon,
                settings.time_unit.days(),
                &triples,
            )))
        }
        (ModelData::Patterns(rows), _) => {
            let patterns: Vec<_> = rows.iter().map(|(_, p, w)| (*p, *w)).collect();
            let fit = clientele_models::bgbb::fit(&patterns, &options).context("fitting bgbb")?;
            let h = horizon.horizon.round() as u32;
            let m = &fit.model;
            Ok(Scorer::Patterns(
                rows.iter()
                    .map(|(_, p, _)| PatternScore {
                        p_alive: m.p_alive(p.x, p.t_x, p.n),
                        expected_purchases: m.conditional_expected_purchases(p.x, p.t_x, p.n, h),
                        prob_no_purchase: m.prob_no_purchase(p.x, p.t_x, p.n, h),
                    })
                    .collect(),
            ))
        }
        (ModelData::Survival(_), _) => {
            bail!("models score scores customers; sBG describes a cohort: use models fit")
        }
    }
}

/// The models `score` fits: the transaction model, and the spend model beside it when there are
/// repeat buyers with a spend (Gamma-Gamma, or the one value when spend does not vary), with the
/// note on spend the reports print when it is not a fitted Gamma-Gamma.
#[derive(Debug)]
pub struct ScoringFits {
    pub model: TransactionModel,
    pub spend: Option<SpendModel>,
    pub spend_note: Option<String>,
}

/// Fits `kind` on the customers' distinct (x, t_x, T) with their counts, and the spend model on
/// the spend rows beside it; a refused transaction model is an error naming it. `models score`
/// fits with it, and so does the distributed engine on the same inputs gathered on a cluster.
pub fn fit_for_scores(
    kind: TransactionKind,
    triples: &[(Triple, f64)],
    spend: &[(SpendRow, f64)],
    options: &FitOptions,
) -> Result<ScoringFits> {
    // The two fits need nothing of each other: side by side, as in `analyze`.
    let (fitted, gg) = rayon::join(
        || transaction::fit(kind, triples, options),
        || (!spend.is_empty()).then(|| fit_spend(spend, options)),
    );
    let (model, _) = fitted.with_context(|| format!("fitting {}", kind.code()))?;
    let (spend, spend_note) = match gg {
        Some((model, outcome)) => (model, outcome.note()),
        None => (None, None),
    };
    Ok(ScoringFits {
        model,
        spend,
        spend_note,
    })
}

/// A transaction model (and Gamma-Gamma) fitted, with the factors every customer with the same
/// `(x, T)` shares.
pub struct TransactionScores {
    pub kind: TransactionKind,
    model: TransactionModel,
    gg: Option<SpendModel>,
    /// Why spend is not a fitted Gamma-Gamma, when it is not: constant (every customer's
    /// expected spend is that value), or refused (no spend or CLV then).
    pub spend_note: Option<String>,
    margin: Option<f64>,
    shared: ByXT<AliveFactors>,
}

/// The factors of a customer's scores that depend on `(x, T)` only (see [`IfAlive`]), with
/// P(alive at the horizon | alive now).
struct AliveFactors {
    if_alive: IfAlive,
    survival: f64,
    /// Median time from T to the next purchase if alive, in the time unit.
    median_next_purchase: Option<f64>,
}

/// One customer's scores.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CustomerScore {
    pub p_alive: f64,
    pub expected_purchases: f64,
    pub prob_no_purchase: f64,
    /// When Gamma-Gamma was fitted.
    pub value: Option<ValueScore>,
    pub p_alive_at_horizon: f64,
    /// In the time unit; `None` beyond a century (the model says "never").
    pub median_time_to_next_purchase_if_alive: Option<f64>,
}

/// A customer's spend and CLV (`None` for a customer without repeat purchases of known value).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ValueScore {
    pub expected_spend: Option<f64>,
    pub clv: Option<f64>,
    /// CLV on profit, with a margin.
    pub clv_profit: Option<f64>,
}

impl TransactionScores {
    /// The scores of `model` (and `gg`) over `horizon` in units of `unit_days` days, sharing the
    /// factors of every distinct `(x, T)` among `triples` (those of every customer to score).
    pub fn new(
        kind: TransactionKind,
        model: TransactionModel,
        gg: Option<SpendModel>,
        spend_note: Option<String>,
        horizon: &ForecastHorizon,
        unit_days: f64,
        triples: &[(Triple, f64)],
    ) -> TransactionScores {
        let h = horizon.horizon;
        let clv = transaction::clv_options(h, unit_days, horizon.discount_rate, 0.0);
        // Medians of a century or more are left empty, as `analyze` leaves them.
        let longest = transaction::LONGEST_WAIT_DAYS / unit_days;
        let shared = {
            let (model, clv) = (&model, gg.as_ref().map(|_| &clv));
            ByXT::new(triples, |x, t| AliveFactors {
                if_alive: IfAlive::new(model, x, t, h, clv),
                survival: model.survival_given_alive(x, t, h),
                median_next_purchase: model
                    .median_time_to_next_purchase(x, t)
                    .filter(|m| *m < longest),
            })
        };
        TransactionScores {
            kind,
            model,
            gg,
            spend_note,
            margin: horizon.margin,
            shared,
        }
    }

    /// Whether Gamma-Gamma was fitted: spend and CLV are scored.
    pub fn has_spend(&self) -> bool {
        self.gg.is_some()
    }

    /// `row`'s scores; `row`'s `(x, T)` must be among the triples the scores were made for.
    pub fn score(&self, row: &CustomerRow) -> CustomerScore {
        let c = &row.triple;
        let f = self
            .shared
            .get(c)
            .expect("every customer's (x, T) is among the triples fitted on");
        let p_alive = self.model.p_alive(c);
        let value = self.gg.as_ref().map(|gg| {
            let spend = gg.expected_spend(c.x, row.mean_value.unwrap_or(0.0));
            let clv =
                spend.and_then(|spend| f.if_alive.clv(p_alive, spend, self.margin.unwrap_or(1.0)));
            ValueScore {
                expected_spend: spend,
                clv: clv.map(|v| v.revenue),
                clv_profit: self.margin.and(clv.map(|v| v.profit)),
            }
        });
        CustomerScore {
            p_alive,
            expected_purchases: f.if_alive.expected_purchases(p_alive),
            prob_no_purchase: f.if_alive.prob_no_purchase(p_alive),
            value,
            p_alive_at_horizon: p_alive * f.survival,
            median_time_to_next_purchase_if_alive: f.median_next_purchase,
        }
    }
}
