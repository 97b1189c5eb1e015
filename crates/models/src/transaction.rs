//! The continuous-time transaction models (BG/NBD, MBG/NBD, Pareto/NBD) behind one interface,
//! so a caller (`analyze`, `models fit`, `models score`, the store's scoring) picks a model by
//! its code and treats the three alike; with the forecast horizon's bounds and CLV's months.

use crate::bgnbd::{self, BgNbd, BgNbdParams};
use crate::clv::{ClvOptions, FactoredPurchaseModel, PurchaseModel, per_period_rate};
use crate::mbgnbd::{self, MbgNbd, MbgNbdParams};
use crate::pnbd::{self, ParetoNbd, ParetoNbdParams};
use crate::{FitError, FitOptions, FitReport, ParamError, Triple};

/// Which continuous-time model.
#[allow(clippy::enum_variant_names)] // the models' published names
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TransactionKind {
    BgNbd,
    MbgNbd,
    ParetoNbd,
}

impl TransactionKind {
    /// Every kind, in the order they are documented.
    pub const ALL: [TransactionKind; 3] = [
        TransactionKind::BgNbd,
        TransactionKind::MbgNbd,
        TransactionKind::ParetoNbd,
    ];

    /// The model's code, as commands, reports and the API name it: `bgnbd`, `mbgnbd`, `pnbd`.
    pub fn code(self) -> &'static str {
        match self {
            TransactionKind::BgNbd => "bgnbd",
            TransactionKind::MbgNbd => "mbgnbd",
            TransactionKind::ParetoNbd => "pnbd",
        }
    }

    /// The kind whose [`code`](Self::code) is `code`.
    pub fn from_code(code: &str) -> Option<TransactionKind> {
        TransactionKind::ALL.into_iter().find(|k| k.code() == code)
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
    /// The model of `kind` with its four parameters in the model's order (r, alpha, a, b for the
    /// BG models; r, alpha, s, beta for Pareto/NBD): what a fitted model is when it travels as
    /// numbers (the distributed engine's plans carry them as literals).
    pub fn from_params(kind: TransactionKind, p: [f64; 4]) -> Result<TransactionModel, ParamError> {
        let [r, alpha, third, fourth] = p;
        Ok(match kind {
            TransactionKind::BgNbd => TransactionModel::BgNbd(BgNbd::new(BgNbdParams {
                r,
                alpha,
                a: third,
                b: fourth,
            })?),
            TransactionKind::MbgNbd => TransactionModel::MbgNbd(MbgNbd::new(MbgNbdParams {
                r,
                alpha,
                a: third,
                b: fourth,
            })?),
            TransactionKind::ParetoNbd => {
                TransactionModel::ParetoNbd(ParetoNbd::new(ParetoNbdParams {
                    r,
                    alpha,
                    s: third,
                    beta: fourth,
                })?)
            }
        })
    }

    /// The parameters in the order [`Self::from_params`] takes them.
    pub fn params(&self) -> [f64; 4] {
        match self {
            TransactionModel::BgNbd(m) => {
                let p = m.params();
                [p.r, p.alpha, p.a, p.b]
            }
            TransactionModel::MbgNbd(m) => {
                let p = m.params();
                [p.r, p.alpha, p.a, p.b]
            }
            TransactionModel::ParetoNbd(m) => {
                let p = m.params();
                [p.r, p.alpha, p.s, p.beta]
            }
        }
    }

    pub fn kind(&self) -> TransactionKind {
        match self {
            TransactionModel::BgNbd(_) => TransactionKind::BgNbd,
            TransactionModel::MbgNbd(_) => TransactionKind::MbgNbd,
            TransactionModel::ParetoNbd(_) => TransactionKind::ParetoNbd,
        }
    }

    pub fn p_alive(&self, c: &Triple) -> f64 {
        dispatch!(self, m => m.p_alive(c.x, c.t_x, c.t))
    }

    /// P(alive at T + h), computed for one customer (`models score` shares the factor of
    /// [`Self::survival_given_alive`] between customers; a test holds it to this).
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

    /// P(no purchase in (T, T + h]), computed for one customer.
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
pub fn customer_value(
    model: &TransactionModel,
    c: &Triple,
    spend: f64,
    margin: f64,
    horizon: f64,
    unit_days: f64,
    annual_rate: f64,
) -> crate::clv::Clv {
    let options = clv_options(horizon, unit_days, annual_rate, margin);
    crate::clv::clv(model, spend, c.x, c.t_x, c.t, &options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_name_each_kind_once() {
        for kind in TransactionKind::ALL {
            assert_eq!(TransactionKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(TransactionKind::from_code("gg"), None);
        assert_eq!(TransactionKind::from_code("BGNBD"), None);
    }

    #[test]
    fn a_model_rebuilt_from_its_parameters_is_the_same_model() {
        // Buyers who went quiet long before T beside steady ones: evidence of dropout, without
        // which BG/NBD's a and b run off to infinity and the fit is (rightly) refused.
        let rows = [
            (Triple::new(0.0, 0.0, 100.0), 300.0),
            (Triple::new(1.0, 10.0, 100.0), 100.0),
            (Triple::new(2.0, 15.0, 100.0), 60.0),
            (Triple::new(3.0, 20.0, 100.0), 40.0),
            (Triple::new(1.0, 90.0, 100.0), 30.0),
            (Triple::new(5.0, 95.0, 100.0), 20.0),
            (Triple::new(8.0, 98.0, 100.0), 10.0),
        ];
        for kind in TransactionKind::ALL {
            let (model, _) = fit(kind, &rows, &FitOptions::default()).unwrap();
            assert_eq!(model.kind(), kind);
            let again = TransactionModel::from_params(kind, model.params()).unwrap();
            assert_eq!(
                again.params().map(f64::to_bits),
                model.params().map(f64::to_bits)
            );
            let c = Triple::new(2.0, 20.0, 30.0);
            assert_eq!(again.p_alive(&c).to_bits(), model.p_alive(&c).to_bits());
        }
        assert!(
            TransactionModel::from_params(TransactionKind::BgNbd, [-1.0, 1.0, 1.0, 1.0]).is_err()
        );
        assert!(
            TransactionModel::from_params(TransactionKind::ParetoNbd, [1.0, f64::NAN, 1.0, 1.0])
                .is_err()
        );
    }

    #[test]
    fn horizons_are_bounded_and_whole_months_noted() {
        // 365 days are 12 months of 30.4375 days: 365.25 counted, within a twentieth.
        assert_eq!(check_horizon(365.0, 1.0), Ok(None));
        // 39 weeks (273 days) round to 9 months (273.94 days): no note either.
        assert_eq!(check_horizon(39.0, 7.0), Ok(None));
        // A week counts as one month of CLV: noted.
        assert_eq!(
            check_horizon(7.0, 1.0),
            Ok(Some(
                "CLV counts whole months: over 1 month for the horizon of 7 days".to_string()
            ))
        );
        assert!(check_horizon(MAX_HORIZON_DAYS, 1.0).is_ok());
        assert!(check_horizon(MAX_HORIZON_DAYS + 1.0, 1.0).is_err());
        assert!(check_horizon(-1.0, 1.0).is_err());
        assert!(check_horizon(f64::NAN, 1.0).is_err());
        assert_eq!(clv_months(0.0, 1.0), 0);
        assert_eq!(clv_months(1.0, 1.0), 1);
    }
}
