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

/// A transaction model whose forecasts factor into P(alive | x, t_x, T) times a part that depends
/// on `(x, T)` only (true of BG/NBD, MBG/NBD and Pareto/NBD). Scoring millions of customers, the
/// second part is computed once per distinct `(x, T)`: see [`clv_factors`].
pub trait FactoredPurchaseModel: PurchaseModel {
    /// P(alive at T | x, t_x, T).
    fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64;
    /// Expected purchases in (T, T + h] of a customer alive at T.
    fn expected_purchases_given_alive(&self, x: f64, t: f64, h: f64) -> f64;
    /// Probability of at least one purchase in (T, T + h] of a customer alive at T.
    fn purchase_probability_given_alive(&self, x: f64, t: f64, h: f64) -> f64;
}

macro_rules! factored {
    ($($m:ty),*) => {$(
        impl FactoredPurchaseModel for $m {
            fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
                <$m>::p_alive(self, x, t_x, t)
            }
            fn expected_purchases_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
                <$m>::expected_purchases_given_alive(self, x, t, h)
            }
            fn purchase_probability_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
                <$m>::purchase_probability_given_alive(self, x, t, h)
            }
        }
    )*};
}
factored!(BgNbd, MbgNbd, ParetoNbd);

/// The part of a CLV that depends on `(x, T)` only, for a customer alive at T.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClvFactors {
    /// Expected purchases over the whole horizon if alive now (undiscounted).
    pub purchases: f64,
    /// Σ_i max(0, g(iL) − g((i−1)L)) / (1 + d)^i, g the expected purchases if alive now.
    pub discounted_purchases: f64,
}

/// [`ClvFactors`] of customers with `x` repeat purchases and tenure `t`; with P(alive) and the
/// spend, [`clv_from_factors`] gives exactly what [`clv`] gives (P(alive) ≥ 0 factors out of the
/// per-period increments and their clamping at 0).
pub fn clv_factors<M: FactoredPurchaseModel + ?Sized>(
    model: &M,
    x: f64,
    t: f64,
    opts: &ClvOptions,
) -> ClvFactors {
    let (len, d) = sane_period(opts);
    let mut prev = 0.0;
    let mut discounted = 0.0;
    let mut factor = 1.0;
    for i in 1..=opts.periods {
        let g = model.expected_purchases_given_alive(x, t, i as f64 * len);
        factor /= 1.0 + d;
        discounted += (g - prev).max(0.0) * factor;
        prev = g;
    }
    ClvFactors {
        purchases: prev,
        discounted_purchases: discounted,
    }
}

/// A customer's CLV from the `(x, T)` factors, their P(alive) and spend per purchase.
pub fn clv_from_factors(f: ClvFactors, p_alive: f64, spend_per_purchase: f64, margin: f64) -> Clv {
    let sane = |v: f64| if v.is_finite() && v > 0.0 { v } else { 0.0 };
    let margin = if margin.is_finite() { margin } else { 0.0 };
    let pa = sane(p_alive);
    let revenue = pa * f.discounted_purchases * sane(spend_per_purchase);
    Clv {
        expected_purchases: pa * f.purchases,
        revenue,
        profit: revenue * margin,
    }
}

/// Period length and discount rate with non-finite or out-of-range values replaced by 0.
fn sane_period(opts: &ClvOptions) -> (f64, f64) {
    let len = if opts.period_length.is_finite() && opts.period_length > 0.0 {
        opts.period_length
    } else {
        0.0
    };
    let d = if opts.discount_rate.is_finite() && opts.discount_rate > -1.0 {
        opts.discount_rate
    } else {
        0.0
    };
    (len, d)
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
    fn factored_clv_equals_the_direct_sum() {
        use crate::mbgnbd::MbgNbdParams;
        use crate::pnbd::ParetoNbdParams;
        let bg = BgNbd::new(BgNbdParams {
            r: 0.75,
            alpha: 60.0,
            a: 0.8,
            b: 2.5,
        })
        .unwrap();
        let mbg = MbgNbd::new(MbgNbdParams {
            r: 1.2,
            alpha: 88.0,
            a: 1.9,
            b: 8.4,
        })
        .unwrap();
        let pn = ParetoNbd::new(ParetoNbdParams {
            r: 0.55,
            alpha: 70.0,
            s: 0.6,
            beta: 80.0,
        })
        .unwrap();
        let opts = ClvOptions::monthly_in_days(12, 0.1, 0.3);
        let models: [&dyn FactoredPurchaseModel; 3] = [&bg, &mbg, &pn];
        for m in models {
            for &(x, t_x, t) in &[(0.0, 0.0, 30.0), (3.0, 200.0, 400.0), (40.0, 699.0, 700.0)] {
                let direct = clv(m, 55.0, x, t_x, t, &opts);
                let f = clv_factors(m, x, t, &opts);
                let fast = clv_from_factors(f, m.p_alive(x, t_x, t), 55.0, opts.margin);
                for (a, b) in [
                    (fast.revenue, direct.revenue),
                    (fast.profit, direct.profit),
                    (fast.expected_purchases, direct.expected_purchases),
                ] {
                    assert!((a - b).abs() <= 1e-12 * b.abs().max(1e-300), "{a} vs {b}");
                }
            }
        }
    }

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
