//! MBG/NBD (Batislam, Denizel & Filiztekin 2007, "Empirical validation and comparison of models
//! for customer base analysis", IJRM 24(3)): BG/NBD with one more dropout opportunity at time 0,
//! right after the first purchase. Dropout probability p ~ Beta(a, b) at the first purchase and
//! after each repeat purchase; purchases at λ ~ Gamma(r, α) while alive.
//!
//! The extra opportunity is what gives one-time buyers a meaningful P(alive): a customer with
//! x = 0 may have dropped out at time 0, and the longer the silence the likelier that is.

use crate::bg_common::{self, clamp, horizon, inv_one_plus_exp};
use crate::bgnbd::log_add_exp;
use crate::columns::BgFamily;
use crate::data::Triple;
use crate::fit::{self, Fit, FitError, FitOptions, ModelKind, ParamError};
use crate::special::{ln_beta, ln_gamma};

/// Parameter names in order.
pub const PARAM_NAMES: [&str; 4] = ["r", "alpha", "a", "b"];

/// MBG/NBD parameters; `alpha` is in the caller's time unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MbgNbdParams {
    pub r: f64,
    pub alpha: f64,
    pub a: f64,
    pub b: f64,
}

impl MbgNbdParams {
    /// The same model with time measured in units `factor` times smaller.
    pub fn rescale_time(self, factor: f64) -> Self {
        MbgNbdParams {
            alpha: self.alpha * factor,
            ..self
        }
    }
}

/// An MBG/NBD model with parameter-only constants precomputed; methods are allocation-free.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MbgNbd {
    p: MbgNbdParams,
    ln_gamma_r: f64,
    r_ln_alpha: f64,
    ln_beta_ab: f64,
    ln_a: f64,
}

impl MbgNbd {
    pub fn new(p: MbgNbdParams) -> Result<Self, ParamError> {
        fit::check_positive(&PARAM_NAMES, &[p.r, p.alpha, p.a, p.b])?;
        Ok(MbgNbd {
            p,
            ln_gamma_r: ln_gamma(p.r),
            r_ln_alpha: p.r * p.alpha.ln(),
            ln_beta_ab: ln_beta(p.a, p.b),
            ln_a: p.a.ln(),
        })
    }

    pub fn params(&self) -> MbgNbdParams {
        self.p
    }

    /// Log-likelihood of one customer.
    ///
    /// # Formula
    /// Batislam et al. (2007):
    /// `L = B(a, b+x+1)/B(a, b) · Γ(r+x) α^r / Γ(r) · [(α+T)^−(r+x) + a/(b+x) · (α+t_x)^−(r+x)]`
    /// (the second term now also for x = 0: dropout at time 0, t_x = 0).
    pub fn log_likelihood(&self, c: &Triple) -> f64 {
        let MbgNbdParams { r, alpha, a, b } = self.p;
        let (x, t_x, t) = (c.x, c.t_x, c.t);
        let a1 = ln_gamma(r + x) - self.ln_gamma_r + self.r_ln_alpha;
        let a2 = ln_beta(a, b + x + 1.0) - self.ln_beta_ab;
        let a3 = -(r + x) * (alpha + t).ln();
        let a4 = self.ln_a - (b + x).ln() - (r + x) * (alpha + t_x).ln();
        a1 + a2 + log_add_exp(a3, a4)
    }

    /// P(alive at T | x, t_x, T).
    ///
    /// # Formula
    /// `1 / (1 + a/(b+x) · ((α+T)/(α+t_x))^(r+x))`, below 1 also for x = 0.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        let MbgNbdParams { r, alpha, a: _, b } = self.p;
        inv_one_plus_exp(
            self.ln_a - (b + x).ln() + (r + x) * ((alpha + t).ln() - (alpha + t_x).ln()),
        )
    }

    /// P(alive at T + h | x, t_x, T): alive now × no dropout over h. An alive customer has
    /// survived x + 1 dropout opportunities, so p ~ Beta(a, b+x+1) a posteriori.
    pub fn p_alive_at(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        self.p_alive(x, t_x, t) * self.survival_given_alive(x, t, h)
    }

    /// P(alive at T + h | alive at T, x, T): the factor of [`Self::p_alive_at`] that depends on
    /// `(x, T)` only, shared by every customer with the same pair.
    pub fn survival_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        let (x, _, t) = clamp(x, 0.0, t);
        let MbgNbdParams { r, alpha, a, b } = self.p;
        bg_common::survival_given_alive(r, a, b + 1.0, x, alpha + t, horizon(h))
    }

    /// Expected repeat purchases in (0, t] of a customer just acquired.
    ///
    /// # Formula
    /// The customer survives the time-0 coin with probability E[1−p]; then it is BG/NBD with
    /// p ~ Beta(a, b+1): `E[X(t)] = b/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b+1; a+b; t/(α+t))]`
    /// (Batislam et al. 2007; note lifetimes writes the leading factor as (a+b−1)/(a−1)).
    pub fn expected_purchases(&self, t: f64) -> f64 {
        let MbgNbdParams { r, alpha, a, b } = self.p;
        b / (a + b) * bg_common::expected_given_alive(r, a, b + 1.0, 0.0, alpha, horizon(t))
    }

    /// Expected purchases in (T, T + h] given the history.
    ///
    /// # Formula
    /// `P(alive) · (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+h))^(r+x) · 2F1(r+x, b+x+1; a+b+x; h/(α+T+h))]`
    pub fn conditional_expected_purchases(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        self.p_alive(x, t_x, t) * self.expected_purchases_given_alive(x, t, h)
    }

    /// Expected purchases in (T, T + h] of a customer alive at T (depends on `(x, T)` only).
    pub fn expected_purchases_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        let (x, _, t) = clamp(x, 0.0, t);
        let MbgNbdParams { r, alpha, a, b } = self.p;
        bg_common::expected_given_alive(r, a, b + 1.0, x, alpha + t, horizon(h))
    }

    /// Probability of at least one purchase in (T, T + h] of a customer alive at T:
    /// `1 − ((α+T)/(α+T+h))^(r+x)`.
    pub fn purchase_probability_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        let (x, _, t) = clamp(x, 0.0, t);
        let MbgNbdParams { r, alpha, .. } = self.p;
        -(-(r + x) * (horizon(h) / (alpha + t)).ln_1p()).exp_m1()
    }

    /// Probability of no purchase in (T, T + h]: `1 − P(alive) · [1 − ((α+T)/(α+T+h))^(r+x)]`.
    pub fn prob_no_purchase(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        let buy = self.purchase_probability_given_alive(x, t, h);
        (1.0 - self.p_alive(x, t_x, t) * buy).clamp(0.0, 1.0)
    }

    /// Median time from T to the next purchase of a customer still active (as in BG/NBD).
    pub fn median_time_to_next_purchase(&self, x: f64, t: f64) -> Option<f64> {
        let (x, _, t) = clamp(x, 0.0, t);
        bg_common::median_next_purchase(self.p.r, x, self.p.alpha + t)
    }
}

/// Weighted log-likelihood of compressed rows.
pub fn log_likelihood(p: MbgNbdParams, rows: &[(Triple, f64)]) -> f64 {
    match MbgNbd::new(p) {
        Ok(m) => rows.iter().map(|(c, w)| w * m.log_likelihood(c)).sum(),
        Err(_) => f64::NAN,
    }
}

/// Fits MBG/NBD to one triple per customer.
pub fn fit(data: &[Triple], opts: &FitOptions) -> Result<Fit<MbgNbd>, FitError> {
    let weighted: Vec<(Triple, f64)> = data.iter().map(|c| (*c, 1.0)).collect();
    fit_weighted(&weighted, opts)
}

/// Fits MBG/NBD to weighted triples.
pub fn fit_weighted(data: &[(Triple, f64)], opts: &FitOptions) -> Result<Fit<MbgNbd>, FitError> {
    let prep = bg_common::prepare(data, opts)?;
    let starts = bg_common::starts(&prep, [1.0, 1.0, 0.5], [2.0, 1.0, 5.0]);
    let (v, report) = bg_common::fit_bg_family(
        BgFamily::MbgNbd,
        ModelKind::MbgNbd,
        &PARAM_NAMES,
        &prep,
        starts,
        opts,
    )?;
    let model = MbgNbd::new(MbgNbdParams {
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

    #[test]
    fn one_time_buyers_fade() {
        let m = MbgNbd::new(MbgNbdParams {
            r: 0.5,
            alpha: 10.0,
            a: 0.8,
            b: 2.5,
        })
        .unwrap();
        let early = m.p_alive(0.0, 0.0, 1.0);
        let late = m.p_alive(0.0, 0.0, 100.0);
        assert!(early < 1.0 && late < early, "{early} {late}");
    }
}
