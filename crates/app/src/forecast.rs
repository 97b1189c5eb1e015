//! The model step of `analyze` and of the store's scoring: fit a transaction model (and
//! Gamma-Gamma for spend) on every buyer in days, then compute each customer's forecast for the
//! ladder, the snapshot and `customers.csv`. Also the factors forecasts share per `(x, T)`, which
//! `models score` reads too.

use clientele_core::{CustomerSummary, Day, Forecast, ValueForecast};
use clientele_models::clv::{
    Clv, ClvFactors, ClvOptions, FactoredPurchaseModel, clv_factors, clv_from_factors,
};
use clientele_models::gamma_gamma::GammaGamma;
use clientele_models::transaction::{self, TransactionKind, TransactionModel};
use clientele_models::{FitError, FitOptions, FitReport, SpendRow, Triple, compress_owned};
use rayon::prelude::*;
use std::collections::HashMap;

use crate::calibration::{ModelInputs, model_inputs, spend_row};
use crate::setting::InvalidSetting;

/// What a customer alive now can be expected to do over a horizon, which depends on `(x, T)`
/// only: computed once per distinct `(x, T)` (tens of thousands among millions of customers in
/// days) and multiplied by each customer's P(alive), as the models' own predictions are. Both
/// `analyze`'s forecasts and `models score` read their customers' figures from it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IfAlive {
    purchases: f64,
    purchase_probability: f64,
    /// The CLV factors, when CLV was asked for.
    clv: Option<ClvFactors>,
}

impl IfAlive {
    /// Over `h`, and CLV by the periods of `clv`.
    pub(crate) fn new(
        model: &TransactionModel,
        x: f64,
        t: f64,
        h: f64,
        clv: Option<&ClvOptions>,
    ) -> IfAlive {
        IfAlive {
            purchases: model.expected_purchases_given_alive(x, t, h),
            purchase_probability: model.purchase_probability_given_alive(x, t, h),
            clv: clv.map(|options| clv_factors(model, x, t, options)),
        }
    }

    pub(crate) fn expected_purchases(&self, p_alive: f64) -> f64 {
        p_alive * self.purchases
    }

    pub(crate) fn prob_no_purchase(&self, p_alive: f64) -> f64 {
        (1.0 - p_alive * self.purchase_probability).clamp(0.0, 1.0)
    }

    /// The customer's CLV at `spend` per purchase; `None` when CLV was not asked for.
    pub(crate) fn clv(&self, p_alive: f64, spend: f64, margin: f64) -> Option<Clv> {
        self.clv
            .map(|factors| clv_from_factors(factors, p_alive, spend, margin))
    }
}

/// `analyze`'s forecasts of a customer alive now.
#[derive(Clone, Copy, Debug)]
struct GivenAlive {
    if_alive: IfAlive,
    /// Median time to the next purchase (a function of x and T too), in days.
    median_next_purchase: Option<f64>,
}

/// Values computed once per distinct `(x, T)` pair and found by hashing: one lookup per
/// customer, where a binary search through the keys missed the cache at most of its steps.
pub(crate) struct ByXT<V> {
    values: HashMap<(u64, u64), V, ahash::RandomState>,
}

fn key(c: &Triple) -> (u64, u64) {
    (c.x.to_bits(), c.t.to_bits())
}

impl<V: Send> ByXT<V> {
    /// `value(x, T)` of every distinct `(x, T)` among the distinct (x, t_x, T) triples
    /// `triples` (those of all customers, compressed: the same pairs, far fewer rows), computed
    /// in parallel.
    pub(crate) fn new(triples: &[(Triple, f64)], value: impl Fn(f64, f64) -> V + Sync) -> Self {
        let mut keys: Vec<(u64, u64)> = triples.iter().map(|(c, _)| key(c)).collect();
        keys.par_sort_unstable();
        keys.dedup();
        let values = keys
            .par_iter()
            .map(|&(x, t)| value(f64::from_bits(x), f64::from_bits(t)))
            .collect::<Vec<V>>();
        // Fixed seeds, like the importer's hashers: no result depends on them, and no run draws
        // randomness it does not need.
        let hasher = ahash::RandomState::with_seeds(0x5eed, 0xf0ca, 0x57ed, 0xca11);
        let mut map = HashMap::with_capacity_and_hasher(keys.len(), hasher);
        map.extend(keys.into_iter().zip(values));
        ByXT { values: map }
    }

    pub(crate) fn get(&self, c: &Triple) -> Option<&V> {
        self.values.get(&key(c))
    }
}

/// The forecasts of every distinct `(x, T)` among `triples`.
fn shared_forecasts(
    model: &TransactionModel,
    triples: &[(Triple, f64)],
    settings: ForecastSettings,
) -> ByXT<GivenAlive> {
    let h = settings.horizon_days;
    let options = transaction::clv_options(h, 1.0, settings.annual_discount_rate, 0.0);
    ByXT::new(triples, |x, t| GivenAlive {
        if_alive: IfAlive::new(model, x, t, h, Some(&options)),
        median_next_purchase: model.median_time_to_next_purchase(x, t),
    })
}

/// What a customer is expected to spend per purchase: a fitted Gamma-Gamma, or one value for
/// everyone when spend does not vary between customers (there is then nothing to fit: every
/// purchase is expected at that value).
#[derive(Clone, Copy, Debug)]
pub enum SpendModel {
    GammaGamma(GammaGamma),
    Constant(f64),
}

impl SpendModel {
    /// Expected spend per purchase of a customer with `x` repeat purchases of mean value `z̄`.
    pub fn expected_spend(&self, x: f64, mean_value: f64) -> Option<f64> {
        match self {
            SpendModel::GammaGamma(gg) => gg.conditional_expected_spend(x, mean_value),
            SpendModel::Constant(value) => Some(*value),
        }
    }
}

/// What the spend step tells the report.
#[derive(Clone, Debug, PartialEq)]
pub enum SpendOutcome {
    /// Gamma-Gamma fitted and converged.
    Fitted(FitReport),
    /// Every repeat buyer's purchases average `value`: the expected spend is `value`.
    Constant { value: f64 },
    /// No spend model, so no CLV: why.
    Refused(String),
}

impl SpendOutcome {
    /// A note for the reports when spend is not a fitted model: constant, or refused.
    pub fn note(&self) -> Option<String> {
        match self {
            SpendOutcome::Fitted(_) => None,
            SpendOutcome::Constant { value } => Some(format!(
                "spend does not vary (every repeat buyer's purchases average {value}): Gamma-Gamma is not fitted and the expected spend per purchase is {value}"
            )),
            SpendOutcome::Refused(why) => Some(format!("no spend model ({why}), so no CLV")),
        }
    }
}

/// Fits the spend model on the repeat buyers' rows: Gamma-Gamma, or the one value when spend
/// does not vary; `None` (with the reason) when neither can be had. A fit that did not converge
/// is refused by the models crate, so it never reaches a forecast.
pub fn fit_spend(
    rows: &[(SpendRow, f64)],
    options: &FitOptions,
) -> (Option<SpendModel>, SpendOutcome) {
    match clientele_models::gamma_gamma::fit_weighted(rows, options) {
        Ok(fit) => (
            Some(SpendModel::GammaGamma(fit.model)),
            SpendOutcome::Fitted(fit.report),
        ),
        Err(FitError::ConstantSpend { value }) => (
            Some(SpendModel::Constant(value)),
            SpendOutcome::Constant { value },
        ),
        Err(e) => (None, SpendOutcome::Refused(e.to_string())),
    }
}

/// What the model step tells the report.
#[derive(Debug)]
pub enum ModelOutcome {
    /// No model was asked for.
    Skipped,
    /// The transaction model fitted and converged (a fit that does not converge is refused).
    Fitted {
        kind: TransactionKind,
        report: Box<FitReport>,
        spend: SpendOutcome,
    },
    /// The data cannot support the model; the ladder falls back to rhythms and day limits.
    Refused {
        kind: TransactionKind,
        reason: String,
    },
}

impl ModelOutcome {
    /// What to tell about the model: refused (statuses then come from rhythms and day limits),
    /// or a spend that is constant or refused; `None` when both fits are in use, or no model was
    /// asked for.
    pub fn note(&self) -> Option<String> {
        match self {
            ModelOutcome::Refused { kind, reason } => Some(format!(
                "{} not fitted ({reason}); statuses use rhythms and day limits",
                kind.code()
            )),
            ModelOutcome::Fitted { spend, .. } => spend.note(),
            ModelOutcome::Skipped => None,
        }
    }
}

/// How customers are forecast: the transaction model (none: statuses from rhythms and day limits
/// only), the horizon of expected purchases and CLV, and CLV's discount rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ForecastSettings {
    pub kind: Option<TransactionKind>,
    pub horizon_days: f64,
    pub annual_discount_rate: f64,
}

impl Default for ForecastSettings {
    /// MBG/NBD (one-time buyers can have left) over a year, discounted at 10 % a year: the
    /// commands' defaults.
    fn default() -> ForecastSettings {
        ForecastSettings {
            kind: Some(TransactionKind::MbgNbd),
            horizon_days: 365.0,
            annual_discount_rate: 0.1,
        }
    }
}

impl ForecastSettings {
    /// Checks the horizon (with a model: at most a century) and the discount rate (above -1);
    /// the answer is a note to show when CLV's whole months differ from the horizon.
    pub fn check(&self) -> Result<Option<String>, InvalidSetting> {
        let note = match self.kind {
            Some(_) => transaction::check_horizon(self.horizon_days, 1.0)
                .map_err(|e| InvalidSetting::value("horizon", self.horizon_days, e))?,
            None => None,
        };
        check_discount_rate(self.annual_discount_rate)?;
        Ok(note)
    }
}

/// An annual discount rate must be a number above -1 (a rate of -1 or less discounts to nothing
/// or below).
pub fn check_discount_rate(rate: f64) -> Result<(), InvalidSetting> {
    if rate.is_finite() && rate > -1.0 {
        Ok(())
    } else {
        Err(InvalidSetting::value(
            "discount_rate",
            rate,
            "expected an annual rate above -1",
        ))
    }
}

/// What the fits read of the customers, gathered in one parallel pass: the distinct (x, t_x, T)
/// triples and the repeat buyers' spend rows. Both are sorted as they are compressed, so they,
/// and the fits, do not depend on the order the customers came in: the import can go on putting
/// them in id order while the models are fitted.
pub struct FitInputs {
    kind: Option<TransactionKind>,
    triples: Vec<(Triple, f64)>,
    spend: Vec<(SpendRow, f64)>,
}

impl FitInputs {
    /// Nothing to fit when no model was asked for.
    pub fn gather(
        customers: &[(Box<str>, CustomerSummary)],
        as_of: Day,
        kind: Option<TransactionKind>,
    ) -> FitInputs {
        let Some(kind) = kind else {
            return FitInputs {
                kind: None,
                triples: Vec::new(),
                spend: Vec::new(),
            };
        };
        // Derived from the summaries rather than held per customer (64 bytes each, a sixth of
        // the peak at tens of millions of customers): the triples are compressed into distinct
        // rows at once, and the spend rows are only the repeat buyers'. Each is collected in a
        // pass of its own, which costs a second look at the summaries but no growing vectors
        // copied again and again (a fold into two vectors per task, then appending them pairwise,
        // copied every row several times).
        let triples: Vec<Triple> = customers
            .par_iter()
            .filter_map(|(_, s)| model_inputs(s, as_of, 1.0).map(|inputs| inputs.triple))
            .collect();
        let spend: Vec<(SpendRow, f64)> = customers
            .par_iter()
            .filter_map(|(_, s)| spend_row(&model_inputs(s, as_of, 1.0)?))
            .collect();
        let triples = compress_owned(triples);
        FitInputs {
            kind: Some(kind),
            triples,
            spend,
        }
    }

    /// Fits the transaction model, then Gamma-Gamma on the spend rows.
    pub fn fit(self) -> Fits {
        let Some(kind) = self.kind else {
            return Fits::Skipped;
        };
        // The two fits need nothing of each other; side by side, each fills the moments the
        // other leaves a core idle (between its parallel passes over the rows).
        let (transaction, spend) = rayon::join(
            || transaction::fit(kind, &self.triples, &FitOptions::default()),
            || fit_spend(&self.spend, &FitOptions::default()),
        );
        let (model, report) = match transaction {
            Ok(fitted) => fitted,
            Err(e) => {
                return Fits::Refused {
                    kind,
                    reason: e.to_string(),
                };
            }
        };
        Fits::Fitted(Box::new(Fitted {
            kind,
            model,
            report,
            triples: self.triples,
            spend,
        }))
    }
}

/// The models fitted for the forecasts, or why there are none.
pub enum Fits {
    Skipped,
    Refused {
        kind: TransactionKind,
        reason: String,
    },
    Fitted(Box<Fitted>),
}

/// A transaction model fitted on every buyer, with Gamma-Gamma (or why not).
pub struct Fitted {
    kind: TransactionKind,
    model: TransactionModel,
    report: FitReport,
    /// The distinct triples fitted on: their (x, T) pairs are all the forecasts share.
    triples: Vec<(Triple, f64)>,
    spend: (Option<SpendModel>, SpendOutcome),
}

/// Fits the models on `customers` (id, summary) and forecasts each one, in the same order.
pub fn fit_and_forecast(
    customers: &[(Box<str>, CustomerSummary)],
    as_of: Day,
    settings: ForecastSettings,
) -> (Vec<Option<Forecast>>, ModelOutcome) {
    let fits = FitInputs::gather(customers, as_of, settings.kind).fit();
    forecast_all(customers, as_of, settings, fits)
}

/// Forecasts each of `customers` (id, summary) with `fits`, in the same order; no forecasts at
/// all (an empty vector, not millions of `None`s) when no model was asked for or the fit was
/// refused.
pub fn forecast_all(
    customers: &[(Box<str>, CustomerSummary)],
    as_of: Day,
    settings: ForecastSettings,
    fits: Fits,
) -> (Vec<Option<Forecast>>, ModelOutcome) {
    let fitted = match fits {
        Fits::Skipped => return (Vec::new(), ModelOutcome::Skipped),
        Fits::Refused { kind, reason } => {
            return (Vec::new(), ModelOutcome::Refused { kind, reason });
        }
        Fits::Fitted(fitted) => *fitted,
    };
    let Fitted {
        kind,
        model,
        report,
        triples,
        spend,
    } = fitted;
    let mean_margin = {
        let (rev, profit) = customers
            .iter()
            .filter(|(_, s)| s.cost_complete)
            .fold((0.0, 0.0), |(r, p), (_, s)| {
                (r + s.revenue.to_f64(), p + s.profit().to_f64())
            });
        (rev > 0.0).then(|| profit / rev)
    };
    let shared = shared_forecasts(&model, &triples, settings);
    drop(triples);
    let (spend_model, spend) = spend;
    let spend_model = spend_model.as_ref();
    let forecasts = customers
        .par_iter()
        .map(|(_, s)| {
            let row = model_inputs(s, as_of, 1.0)?;
            Some(forecast_one(
                &model,
                spend_model,
                shared.get(&row.triple)?,
                &row,
                as_of,
                mean_margin,
            ))
        })
        .collect();
    let outcome = ModelOutcome::Fitted {
        kind,
        report: Box::new(report),
        spend,
    };
    (forecasts, outcome)
}

fn forecast_one(
    model: &TransactionModel,
    gg: Option<&SpendModel>,
    given_alive: &GivenAlive,
    row: &ModelInputs,
    as_of: Day,
    mean_margin: Option<f64>,
) -> Forecast {
    let c = &row.triple;
    let expected_spend = gg.and_then(|g| g.expected_spend(c.x, row.mean_value.unwrap_or(0.0)));
    // The customer's own margin when their costs are known, else the company's.
    let margin = row.margin.or(mean_margin);
    let p_alive = FactoredPurchaseModel::p_alive(model, c.x, c.t_x, c.t);
    let if_alive = &given_alive.if_alive;
    let value =
        expected_spend.and_then(|spend| if_alive.clv(p_alive, spend, margin.unwrap_or(0.0)));
    let next_purchase = given_alive
        .median_next_purchase
        .filter(|d| *d < transaction::LONGEST_WAIT_DAYS)
        .map(|d| as_of.plus_days(d.round() as i32));
    Forecast {
        p_alive,
        expected_purchases: if_alive.expected_purchases(p_alive),
        prob_no_purchase: if_alive.prob_no_purchase(p_alive),
        value: expected_spend
            .zip(value)
            .map(|(expected_spend, value)| ValueForecast {
                expected_spend,
                clv: value.revenue,
                clv_profit: margin.is_some().then_some(value.profit),
            }),
        next_purchase,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clientele_ingest::pipeline::{ImportOptions, import_unordered};
    use clientele_synth::{SynthConfig, write_orders};

    fn params(fits: Fits) -> Vec<(&'static str, f64)> {
        let Fits::Fitted(fitted) = fits else {
            panic!("the fits were refused or skipped");
        };
        let SpendOutcome::Fitted(spend) = fitted.spend.1 else {
            panic!("Gamma-Gamma was not fitted: {:?}", fitted.spend.1);
        };
        fitted
            .report
            .params
            .into_iter()
            .chain(spend.params)
            .collect()
    }

    #[test]
    fn fits_do_not_depend_on_the_order_of_the_customers() {
        // `analyze` fits on the customers before they are put in id order. A compressed file
        // cannot be sampled for ranges of ids, so its customers are dealt to shards by hash and
        // come out of order.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("orders.csv.gz");
        let file = std::fs::File::create(&path).unwrap();
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        write_orders(&SynthConfig::new(3_000, 17), gz).unwrap();
        let unordered = import_unordered(&[path], &ImportOptions::default(), &|_| {}).unwrap();
        let in_shards = unordered.customers();
        assert!(
            in_shards.windows(2).any(|w| w[0].0 > w[1].0),
            "the shards' customers are not in id order"
        );
        let kind = Some(TransactionKind::MbgNbd);
        let as_of = unordered.as_of();
        let before = params(FitInputs::gather(in_shards, as_of, kind).fit());
        let ordered = unordered.into_id_order().unwrap();
        let after = params(FitInputs::gather(&ordered.customers, as_of, kind).fit());
        assert_eq!(before.len(), 7);
        for (a, b) in before.iter().zip(&after) {
            assert_eq!(a.0, b.0);
            assert_eq!(a.1.to_bits(), b.1.to_bits(), "{} differs", a.0);
        }
    }
}
