//! Customer lifetime value over a horizon: expected purchases per period from a transaction model
//! (BG/NBD, MBG/NBD or Pareto/NBD) times expected spend per purchase (Gamma-Gamma), discounted
//! period by period, on revenue and on profit (revenue × margin).

use crate::bgnbd::BgNbd;
use crate::mbgnbd::MbgNbd;
use crate::pnbd::ParetoNbd;

/// A transaction model that can forecast a customer's purchases.
pub trait PurchaseModel {
    /// Expected purchases in (T, T + h] given `(x, t_x, T)`.
    fn conditional_expected_purchases(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64;
}

impl PurchaseModel for BgNbd {
    fn conditional_expected_purchases(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        BgNbd::conditional_expected_purchases(self, x, t_x, t, h)
    }
}

impl PurchaseModel for MbgNbd {
    fn conditional_expected_purchases(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        MbgNbd::conditional_expected_purchases(self, x, t_x, t, h)
    }
}

impl PurchaseModel for ParetoNbd {
    fn conditional_expected_purchases(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        ParetoNbd::conditional_expected_purchases(self, x, t_x, t, h)
    }
}

/// The horizon and discounting of a CLV calculation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClvOptions {
    /// Number of discounting periods in the horizon (e.g. 12 months).
    pub periods: u32,
    /// Length of one period in the transaction model's time unit (a month in days: 365.25/12).
    pub period_length: f64,
    /// Discount rate per period (0.01 = 1 % a month); see [`per_period_rate`].
    pub discount_rate: f64,
    /// Profit margin as a fraction of revenue (0.3 = 30 %).
    pub margin: f64,
}

impl ClvOptions {
    /// Monthly periods for a model fitted in days, with an annual discount rate.
    pub fn monthly_in_days(months: u32, annual_discount_rate: f64, margin: f64) -> Self {
        ClvOptions {
            periods: months,
            period_length: 365.25 / 12.0,
            discount_rate: per_period_rate(annual_discount_rate, 12.0),
            margin,
        }
    }
}

/// The per-period rate equivalent to an annual one: `(1 + annual)^(1/periods_per_year) − 1`.
pub fn per_period_rate(annual: f64, periods_per_year: f64) -> f64 {
    (annual.ln_1p() / periods_per_year).exp_m1()
}

/// A customer's value over the horizon.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clv {
    /// Expected purchases over the whole horizon (undiscounted).
    pub expected_purchases: f64,
    /// Discounted expected revenue.
    pub revenue: f64,
    /// Discounted expected profit: revenue × margin.
    pub profit: f64,
}

/// CLV of one customer.
///
/// # Formula
/// `CLV = Σ_{i=1}^{K} [E(Y(iL)) − E(Y((i−1)L))] · spend / (1 + d)^i`, with `E(Y(h))` the
/// transaction model's conditional expected purchases over h, L the period length, d the discount
/// rate per period, spend the expected spend per purchase (e.g. Gamma-Gamma's
/// [`crate::gamma_gamma::GammaGamma::conditional_expected_spend`]). Purchases of a period are
/// discounted as if they happened at its end, as lifetimes does. Non-finite or negative inputs
/// count as 0, so the result is always finite.
pub fn clv<M: PurchaseModel + ?Sized>(
    model: &M,
    spend_per_purchase: f64,
    x: f64,
    t_x: f64,
    t: f64,
    opts: &ClvOptions,
) -> Clv {
    let sane = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
    let spend = sane(spend_per_purchase);
    let len = sane(opts.period_length);
    let d = if opts.discount_rate.is_finite() && opts.discount_rate > -1.0 {
        opts.discount_rate
    } else {
        0.0
    };
    let margin = if opts.margin.is_finite() {
        opts.margin
    } else {
        0.0
    };
    let mut prev = 0.0;
    let mut revenue = 0.0;
    let mut factor = 1.0;
    for i in 1..=opts.periods {
        let e = model.conditional_expected_purchases(x, t_x, t, i as f64 * len);
        factor /= 1.0 + d;
        revenue += (e - prev).max(0.0) * spend * factor;
        prev = e;
    }
    Clv {
        expected_purchases: prev,
        revenue,
        profit: revenue * margin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bgnbd::BgNbdParams;

    #[test]
    fn undiscounted_clv_is_purchases_times_spend() {
        let m = BgNbd::new(BgNbdParams {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        })
        .unwrap();
        let opts = ClvOptions {
            periods: 12,
            period_length: 4.0,
            discount_rate: 0.0,
            margin: 0.25,
        };
        let c = clv(&m, 40.0, 2.0, 30.43, 38.86, &opts);
        let e = m.conditional_expected_purchases(2.0, 30.43, 38.86, 48.0);
        assert!((c.revenue - 40.0 * e).abs() < 1e-9 && (c.profit - 10.0 * e).abs() < 1e-9);
        let disc = clv(
            &m,
            40.0,
            2.0,
            30.43,
            38.86,
            &ClvOptions {
                discount_rate: 0.01,
                ..opts
            },
        );
        assert!(disc.revenue < c.revenue);
        assert!((per_period_rate(0.1268250301319698, 12.0) - 0.01).abs() < 1e-12);
    }
}
