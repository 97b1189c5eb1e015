//! BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way", Marketing Science
//! 24(2)): purchases at a Poisson rate λ ~ Gamma(r, α) while alive; right after each repeat
//! purchase the customer drops out with probability p ~ Beta(a, b).
//!
//! Because dropout can only follow a repeat purchase, a customer with x = 0 is alive for sure:
//! P(alive) = 1 for every one-time buyer. Use [`crate::mbgnbd`] or [`crate::pnbd`] when that matters.

use crate::bg_common::{self, clamp, horizon, inv_one_plus_exp};
use crate::columns::BgFamily;
use crate::data::Triple;
use crate::fit::{self, Fit, FitError, FitOptions, ModelKind, ParamError};
use crate::special::{ln_beta, ln_gamma};

/// Parameter names in order.
pub const PARAM_NAMES: [&str; 4] = ["r", "alpha", "a", "b"];

/// BG/NBD parameters; `alpha` is in the caller's time unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BgNbdParams {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

impl BgNbdParams {
    /// The same model with time measured in units `factor` times smaller (days from weeks: 7).
    pub fn rescale_time(self, factor: f64) -> Self {
        BgNbdParams {
            alpha: self.alpha * factor,
            ..self
        }
    }
}

/// A BG/NBD model with its parameter-only constants precomputed; every method is allocation-free.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BgNbd {
    p: BgNbdParams,
    ln_gamma_r: f64,
    r_ln_alpha: f64,
    ln_beta_ab: f64,
    ln_a: f64,
}

impl BgNbd {
    /// Validates (all parameters finite and positive) and precomputes.
    pub fn new(p: BgNbdParams) -> Result<Self, ParamError> {
        fit::check_positive(&PARAM_NAMES, &[p.r, p.alpha, p.a, p.b])?;
        Ok(BgNbd {
            p,
            ln_gamma_r: ln_gamma(p.r),
            r_ln_alpha: p.r * p.alpha.ln(),
            ln_beta_ab: ln_beta(p.a, p.b),
            ln_a: p.a.ln(),
        })
    }

    pub fn params(&self) -> BgNbdParams {
        self.p
    }

    /// Log-likelihood of one customer's `(x, t_x, T)`.
    ///
    /// # Formula
    /// Fader, Hardie & Lee (2005) eq. 6, in logs:
    /// `ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
    ///        + ln[(α+T)^−(r+x) + 1{x>0} · a/(b+x−1) · (α+t_x)^−(r+x)]`,
    /// the last sum by log-sum-exp (the powers underflow for heavy buyers).
    pub fn log_likelihood(&self, c: &Triple) -> f64 {
        let BgNbdParams { r, alpha, a: _, b } = self.p;
        let (x, t_x, t) = (c.x, c.t_x, c.t);
        let a1 = ln_gamma(r + x) - self.ln_gamma_r + self.r_ln_alpha;
        let a2 = ln_beta(self.p.a, b + x) - self.ln_beta_ab;
        let a3 = -(r + x) * (alpha + t).ln();
        if x > 0.0 {
            let a4 = self.ln_a - (b + x - 1.0).ln() - (r + x) * (alpha + t_x).ln();
            a1 + a2 + log_add_exp(a3, a4)
        } else {
            a1 + a2 + a3
        }
    }

    /// ln of the odds "dropped out : alive" given the history (−∞ for x = 0).
    fn ln_death_odds(&self, x: f64, t_x: f64, t: f64) -> f64 {
        if x == 0.0 {
            return f64::NEG_INFINITY;
        }
        let BgNbdParams { r, alpha, a: _, b } = self.p;
        self.ln_a - (b + x - 1.0).ln() + (r + x) * ((alpha + t).ln() - (alpha + t_x).ln())
    }

    /// P(alive at T | x, t_x, T).
    ///
    /// # Formula
    /// `1 / (1 + 1{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^(r+x))` (Fader, Hardie & Lee 2005, eq. 11
    /// of the technical note "Computing P(alive) using the BG/NBD model"). Exactly 1 when x = 0.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        inv_one_plus_exp(self.ln_death_odds(x, t_x, t))
    }

    /// P(alive at T + h | x, t_x, T), with no information after T: P(alive now) times the
    /// probability of not dropping out over the next `h` (which needs a purchase to happen).
    pub fn p_alive_at(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        self.p_alive(x, t_x, t) * self.survival_given_alive(x, t, h)
    }

    /// P(alive at T + h | alive at T, x, T): the factor of [`Self::p_alive_at`] that depends on
    /// `(x, T)` only, shared by every customer with the same pair.
    pub fn survival_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        let (x, _, t) = clamp(x, 0.0, t);
        let BgNbdParams { r, alpha, a, b } = self.p;
        bg_common::survival_given_alive(r, a, b, x, alpha + t, horizon(h))
    }

    /// Expected number of purchases in (0, t] of a customer just acquired (eq. 9).
    ///
    /// # Formula
    /// `E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))]`
    pub fn expected_purchases(&self, t: f64) -> f64 {
        let BgNbdParams { r, alpha, a, b } = self.p;
        bg_common::expected_given_alive(r, a, b, 0.0, alpha, horizon(t))
    }

    /// Expected purchases in (T, T + h] given the history (eq. 10).
    ///
    /// # Formula
    /// `E[Y(h) | x, t_x, T] = P(alive) · (a+b+x−1)/(a−1)
    ///   · [1 − ((α+T)/(α+T+h))^(r+x) · 2F1(r+x, b+x; a+b+x−1; h/(α+T+h))]`
    pub fn conditional_expected_purchases(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        self.p_alive(x, t_x, t) * self.expected_purchases_given_alive(x, t, h)
    }

    /// Expected purchases in (T, T + h] of a customer who is alive at T: the factor of
    /// [`Self::conditional_expected_purchases`] that depends on `(x, T)` only, so callers scoring
    /// many customers can share it between customers with the same `(x, T)`.
    pub fn expected_purchases_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        let (x, _, t) = clamp(x, 0.0, t);
        let BgNbdParams { r, alpha, a, b } = self.p;
        bg_common::expected_given_alive(r, a, b, x, alpha + t, horizon(h))
    }

    /// Probability of at least one purchase in (T, T + h] of a customer alive at T:
    /// `1 − ((α+T)/(α+T+h))^(r+x)`.
    pub fn purchase_probability_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        let (x, _, t) = clamp(x, 0.0, t);
        let BgNbdParams { r, alpha, .. } = self.p;
        -(-(r + x) * (horizon(h) / (alpha + t)).ln_1p()).exp_m1()
    }

    /// Probability of no purchase in (T, T + h] given the history.
    ///
    /// # Formula
    /// An alive customer makes no purchase (and so cannot drop out) with probability
    /// `E[e^(−λh)] = ((α+T)/(α+T+h))^(r+x)`, hence `1 − P(alive) · [1 − ((α+T)/(α+T+h))^(r+x)]`.
    pub fn prob_no_purchase(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        let buy = self.purchase_probability_given_alive(x, t, h);
        (1.0 - self.p_alive(x, t_x, t) * buy).clamp(0.0, 1.0)
    }

    /// Median time from T to the next purchase for a customer who is still active (a customer who
    /// has dropped out never buys again; weigh with [`Self::p_alive`]). See the crate docs of
    /// `bg_common::median_next_purchase`: `(α+T)(2^(1/(r+x)) − 1)`. `None` if it overflows.
    pub fn median_time_to_next_purchase(&self, x: f64, t: f64) -> Option<f64> {
        let (x, _, t) = clamp(x, 0.0, t);
        bg_common::median_next_purchase(self.p.r, x, self.p.alpha + t)
    }
}

/// ln(eᵃ + eᵇ) without overflow or underflow.
#[inline]
pub(crate) fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// Weighted log-likelihood of compressed rows.
pub fn log_likelihood(p: BgNbdParams, rows: &[(Triple, f64)]) -> f64 {
    match BgNbd::new(p) {
        Ok(m) => rows.iter().map(|(c, w)| w * m.log_likelihood(c)).sum(),
        Err(_) => f64::NAN,
    }
}

/// Fits BG/NBD to one triple per customer.
pub fn fit(data: &[Triple], opts: &FitOptions) -> Result<Fit<BgNbd>, FitError> {
    let weighted: Vec<(Triple, f64)> = data.iter().map(|c| (*c, 1.0)).collect();
    fit_weighted(&weighted, opts)
}

/// Fits BG/NBD to weighted triples (weights = number of customers with that triple).
pub fn fit_weighted(data: &[(Triple, f64)], opts: &FitOptions) -> Result<Fit<BgNbd>, FitError> {
    let prep = bg_common::prepare(data, opts)?;
    let starts = bg_common::starts(&prep, [1.0, 1.0, 0.5], [2.0, 1.0, 5.0]);
    let (v, report) = bg_common::fit_bg_family(
        BgFamily::BgNbd,
        ModelKind::BgNbd,
        &PARAM_NAMES,
        &prep,
        starts,
        opts,
    )?;
    let model = BgNbd::new(BgNbdParams {
        r: v[0],
        alpha: v[1],
        a: v[2],
        b: v[3],
    })
    .map_err(|_| FitError::NonFiniteLikelihood { starts: 0 })?;
    Ok(Fit { model, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cdnow() -> BgNbd {
        BgNbd::new(BgNbdParams {
            r: 0.243,
            alpha: 4.414,
            a: 0.793,
            b: 2.426,
        })
        .unwrap()
    }

    #[test]
    fn one_time_buyers_are_alive() {
        assert_eq!(cdnow().p_alive(0.0, 0.0, 1000.0), 1.0);
    }

    #[test]
    fn likelihood_by_hand() {
        // x = 0: L = B(a,b)/B(a,b) · (α/(α+T))^r
        let m = cdnow();
        let want = 0.243 * (4.414f64 / (4.414 + 38.86)).ln();
        assert!((m.log_likelihood(&Triple::new(0.0, 0.0, 38.86)) - want).abs() < 1e-12);
    }

    #[test]
    fn prob_no_purchase_limits() {
        let m = cdnow();
        assert_eq!(m.prob_no_purchase(2.0, 30.0, 38.0, 0.0), 1.0);
        let p = m.prob_no_purchase(2.0, 30.0, 38.0, 1e9);
        assert!((p - (1.0 - m.p_alive(2.0, 30.0, 38.0))).abs() < 1e-3, "{p}");
    }
}
