//! The continuous-time transaction models behind one interface, so `analyze`, `models fit` and
//! `models score` pick a model by name and treat the three alike.

use clientele_models::bgnbd::{self, BgNbd};
use clientele_models::clv::{ClvOptions, FactoredPurchaseModel, PurchaseModel, per_period_rate};
use clientele_models::mbgnbd::{self, MbgNbd};
use clientele_models::pnbd::{self, ParetoNbd};
use clientele_models::{FitError, FitOptions, FitReport, Triple};

/// Which continuous-time model.
#[allow(clippy::enum_variant_names)] // the models' published names
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransactionKind {
    BgNbd,
    MbgNbd,
    ParetoNbd,
}

impl TransactionKind {
    pub fn cli_name(self) -> &'static str {
        match self {
            TransactionKind::BgNbd => "bgnbd",
            TransactionKind::MbgNbd => "mbgnbd",
            TransactionKind::ParetoNbd => "pnbd",
        }
    }
}

/// A fitted transaction model.
#[allow(clippy::enum_variant_names)] // the models' published names
#[derive(Clone, Debug)]
pub enum TransactionModel {
    BgNbd(BgNbd),
    MbgNbd(MbgNbd),
    ParetoNbd(ParetoNbd),
}

/// Fits `kind` on the (already compressed or not) weighted rows.
pub fn fit(
    kind: TransactionKind,
    rows: &[(Triple, f64)],
    options: &FitOptions,
) -> Result<(TransactionModel, FitReport), FitError> {
    Ok(match kind {
        TransactionKind::BgNbd => {
            let f = bgnbd::fit_weighted(rows, options)?;
            (TransactionModel::BgNbd(f.model), f.report)
        }
        TransactionKind::MbgNbd => {
            let f = mbgnbd::fit_weighted(rows, options)?;
            (TransactionModel::MbgNbd(f.model), f.report)
        }
        TransactionKind::ParetoNbd => {
            let f = pnbd::fit_weighted(rows, options)?;
            (TransactionModel::ParetoNbd(f.model), f.report)
        }
    })
}

macro_rules! dispatch {
    ($self:expr, $m:ident => $body:expr) => {
        match $self {
            TransactionModel::BgNbd($m) => $body,
            TransactionModel::MbgNbd($m) => $body,
            TransactionModel::ParetoNbd($m) => $body,
        }
    };
}

impl TransactionModel {
    pub fn p_alive(&self, c: &Triple) -> f64 {
        dispatch!(self, m => m.p_alive(c.x, c.t_x, c.t))
    }

    /// P(alive at T + h), computed for one customer (`models score` shares the factor of
    /// [`Self::survival_given_alive`] between customers; a test holds it to this).
    #[cfg(test)]
    pub fn p_alive_at(&self, c: &Triple, h: f64) -> f64 {
        dispatch!(self, m => m.p_alive_at(c.x, c.t_x, c.t, h))
    }

    /// Expected purchases in (T, T + h].
    pub fn expected_purchases(&self, c: &Triple, h: f64) -> f64 {
        dispatch!(self, m => m.conditional_expected_purchases(c.x, c.t_x, c.t, h))
    }

    /// Expected purchases in (0, t] of a newly acquired customer.
    pub fn expected_purchases_new(&self, t: f64) -> f64 {
        dispatch!(self, m => m.expected_purchases(t))
    }

    /// P(alive at T + h) of a customer alive at T: [`Self::p_alive_at`] over P(alive).
    pub fn survival_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        dispatch!(self, m => m.survival_given_alive(x, t, h))
    }

    #[cfg(test)]
    pub fn prob_no_purchase(&self, c: &Triple, h: f64) -> f64 {
        dispatch!(self, m => m.prob_no_purchase(c.x, c.t_x, c.t, h))
    }

    /// Median wait from T to the next purchase, for a customer who is still active.
    pub fn median_time_to_next_purchase(&self, x: f64, t: f64) -> Option<f64> {
        dispatch!(self, m => m.median_time_to_next_purchase(x, t))
    }
}

impl PurchaseModel for TransactionModel {
    fn conditional_expected_purchases(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        dispatch!(self, m => m.conditional_expected_purchases(x, t_x, t, h))
    }
}

impl FactoredPurchaseModel for TransactionModel {
    fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        dispatch!(self, m => m.p_alive(x, t_x, t))
    }
    fn expected_purchases_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        dispatch!(self, m => m.expected_purchases_given_alive(x, t, h))
    }
    fn purchase_probability_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        dispatch!(self, m => m.purchase_probability_given_alive(x, t, h))
    }
}

/// The longest forecast horizon accepted, in days: CLV is summed month by month for every
/// distinct (x, T), and a century is beyond any plan (a mistyped `--horizon 1e9` would otherwise
/// run for hours).
pub const MAX_HORIZON_DAYS: f64 = 36_525.0;

/// The longest median wait to the next purchase shown, in days (a century): beyond it the model
/// says "never", and `analyze` and `models score` leave the cell empty.
pub const LONGEST_WAIT_DAYS: f64 = 36_500.0;

/// One month in days (365 days are 12 months, as lifetimes counts them).
const MONTH_DAYS: f64 = 365.25 / 12.0;

/// Checks a forecast `horizon` in units of `unit_days` days: refused beyond
/// [`MAX_HORIZON_DAYS`]; otherwise a note when CLV's whole months differ from it by more than a
/// twentieth (a week's horizon is a month of CLV), so that the user is told rather than
/// surprised.
pub fn check_horizon(horizon: f64, unit_days: f64) -> Result<Option<String>, String> {
    let days = horizon * unit_days;
    if !(days.is_finite() && days >= 0.0) {
        return Err("expected a number ≥ 0".to_string());
    }
    if days > MAX_HORIZON_DAYS {
        return Err(format!(
            "{days} days is more than a century ({MAX_HORIZON_DAYS} days), the longest horizon forecast for"
        ));
    }
    let months = clv_months(horizon, unit_days);
    let counted = f64::from(months) * MONTH_DAYS;
    Ok(((counted - days).abs() > 0.05 * days).then(|| {
        format!(
            "CLV counts whole months: over {months} month{} for the horizon of {days} days",
            if months == 1 { "" } else { "s" }
        )
    }))
}

/// The whole months of CLV for a `horizon` in units of `unit_days` days: rounded, and at least
/// one for any horizon above zero.
fn clv_months(horizon: f64, unit_days: f64) -> u32 {
    let months = horizon * unit_days / MONTH_DAYS;
    if months > 0.0 {
        months.round().max(1.0) as u32
    } else {
        0
    }
}

/// Monthly CLV options for a `horizon` in units of `unit_days` days, discounted at the annual
/// `rate`; the horizon is rounded to whole months (365 days are 12 months; see [`clv_months`]).
pub fn clv_options(horizon: f64, unit_days: f64, annual_rate: f64, margin: f64) -> ClvOptions {
    let month = MONTH_DAYS / unit_days;
    ClvOptions {
        periods: clv_months(horizon, unit_days),
        period_length: month,
        discount_rate: per_period_rate(annual_rate, 12.0),
        margin,
    }
}

/// CLV of one customer over `horizon` (in units of `unit_days` days), discounted monthly at the
/// annual `rate`; the horizon is rounded to whole months (365 days are 12 months). Computed for
/// one customer (`models score` shares the factors between customers; a test holds them to
/// this).
#[cfg(test)]
pub fn customer_value(
    model: &TransactionModel,
    c: &Triple,
    spend: f64,
    margin: f64,
    horizon: f64,
    unit_days: f64,
    annual_rate: f64,
) -> clientele_models::clv::Clv {
    let options = clv_options(horizon, unit_days, annual_rate, margin);
    clientele_models::clv::clv(model, spend, c.x, c.t_x, c.t, &options)
}

impl TransactionModel {
    /// Repeat purchases in (0, t] of one customer drawn from the fitted population: the
    /// model-side counterpart of an observed frequency, for the period-transactions check.
    pub fn simulate_repeat_purchases(&self, t: f64, rng: &mut impl rand::Rng) -> u32 {
        use rand_distr::{Beta, Distribution, Exp1, Gamma};
        let gamma = |shape: f64, rate: f64, rng: &mut dyn rand::RngCore| {
            Gamma::new(shape, 1.0 / rate).map_or(0.0, |g| g.sample(rng))
        };
        let beta = |a: f64, b: f64, rng: &mut dyn rand::RngCore| {
            Beta::new(a, b).map_or(1.0, |d| d.sample(rng))
        };
        // Waiting times of a Poisson process with rate `lambda`.
        let next_gap = |lambda: f64, rng: &mut dyn rand::RngCore| {
            let e: f64 = Exp1.sample(rng);
            if lambda > 0.0 {
                e / lambda
            } else {
                f64::INFINITY
            }
        };
        match self {
            TransactionModel::BgNbd(m) => {
                let p = m.params();
                let lambda = gamma(p.r, p.alpha, rng);
                let drop = beta(p.a, p.b, rng);
                bg_count(lambda, drop, false, t, rng, next_gap)
            }
            TransactionModel::MbgNbd(m) => {
                let p = m.params();
                let lambda = gamma(p.r, p.alpha, rng);
                let drop = beta(p.a, p.b, rng);
                bg_count(lambda, drop, true, t, rng, next_gap)
            }
            TransactionModel::ParetoNbd(m) => {
                let p = m.params();
                let lambda = gamma(p.r, p.alpha, rng);
                let mu = gamma(p.s, p.beta, rng);
                let lifetime = next_gap(mu, rng);
                let (mut clock, mut count) = (0.0, 0u32);
                loop {
                    clock += next_gap(lambda, rng);
                    if clock > t.min(lifetime) || count == u32::MAX {
                        return count;
                    }
                    count += 1;
                }
            }
        }
    }
}

/// BG/NBD-style counting: after each purchase (and, for MBG/NBD, right after the first one) the
/// customer drops out with probability `drop`.
fn bg_count(
    lambda: f64,
    drop: f64,
    drop_at_start: bool,
    t: f64,
    rng: &mut impl rand::Rng,
    next_gap: impl Fn(f64, &mut dyn rand::RngCore) -> f64,
) -> u32 {
    if drop_at_start && rng.random::<f64>() < drop {
        return 0;
    }
    let (mut clock, mut count) = (0.0, 0u32);
    loop {
        clock += next_gap(lambda, rng);
        if clock > t || count == u32::MAX {
            return count;
        }
        count += 1;
        if rng.random::<f64>() < drop {
            return count;
        }
    }
}
