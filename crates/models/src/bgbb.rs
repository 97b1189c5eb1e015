//! BG/BB (Fader, Hardie & Shang 2010, "Customer-base analysis in a discrete-time noncontractual
//! setting", Marketing Science 29(6)): n transaction opportunities after the first; while alive a
//! customer transacts at each opportunity with probability p ~ Beta(α, β), and becomes inactive at
//! the start of each opportunity with probability θ ~ Beta(γ, δ). Data are patterns `(x, t_x, n)`
//! with weights (how many people share a pattern), e.g. yearly donations.
//!
//! Dropout can happen before any repeat transaction, so customers with x = 0 get P(alive) < 1.

use crate::bgnbd::log_add_exp;
use crate::data::{DiscreteTriple, compress_discrete, validate_discrete};
use crate::fit::{self, Fit, FitError, FitOptions, ModelKind, ParamError, Problem};
use crate::special::{ln_beta, ln_gamma};

/// Parameter names in order.
pub const PARAM_NAMES: [&str; 4] = ["alpha", "beta", "gamma", "delta"];

/// Horizons in [`BgBb::prob_no_purchase`] are summed period by period up to this many periods.
pub const MAX_SUMMED_PERIODS: u32 = 100_000;

/// BG/BB parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BgBbParams {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub delta: f64,
}

/// A BG/BB model with parameter-only constants precomputed; methods are allocation-free.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BgBb {
    p: BgBbParams,
    ln_beta_ab: f64,
    ln_beta_gd: f64,
}

/// Clamps a pattern into `x ≤ t_x ≤ n`.
#[inline]
fn clamp(x: u32, t_x: u32, n: u32) -> (f64, f64, f64) {
    let t_x = t_x.min(n);
    (x.min(t_x) as f64, t_x as f64, n as f64)
}

impl BgBb {
    pub fn new(p: BgBbParams) -> Result<Self, ParamError> {
        fit::check_positive(&PARAM_NAMES, &[p.alpha, p.beta, p.gamma, p.delta])?;
        Ok(BgBb {
            p,
            ln_beta_ab: ln_beta(p.alpha, p.beta),
            ln_beta_gd: ln_beta(p.gamma, p.delta),
        })
    }

    pub fn params(&self) -> BgBbParams {
        self.p
    }

    /// ln of the "alive through n" term of the likelihood.
    fn ln_alive_term(&self, x: f64, n: f64) -> f64 {
        let BgBbParams {
            alpha,
            beta,
            gamma,
            delta,
        } = self.p;
        ln_beta(alpha + x, beta + n - x) - self.ln_beta_ab + ln_beta(gamma, delta + n)
            - self.ln_beta_gd
    }

    /// Log-likelihood of one pattern.
    ///
    /// # Formula
    /// Fader, Hardie & Shang (2010) eq. 5:
    /// `L = B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ)
    ///    + Σ_{i=0}^{n−t_x−1} B(α+x, β+t_x−x+i)/B(α,β) · B(γ+1, δ+t_x+i)/B(γ,δ)`,
    ///
    /// summed by log-sum-exp.
    pub fn log_likelihood(&self, c: &DiscreteTriple) -> f64 {
        let (x, t_x, n) = clamp(c.x, c.t_x, c.n);
        let BgBbParams {
            alpha,
            beta,
            gamma,
            delta,
        } = self.p;
        let mut acc = self.ln_alive_term(x, n);
        let mut i = 0.0;
        while t_x + i < n {
            let term = ln_beta(alpha + x, beta + t_x - x + i) - self.ln_beta_ab
                + ln_beta(gamma + 1.0, delta + t_x + i)
                - self.ln_beta_gd;
            acc = log_add_exp(acc, term);
            i += 1.0;
        }
        acc
    }

    /// P(alive after the n-th opportunity | x, t_x, n).
    ///
    /// # Formula
    /// `B(α+x, β+n−x)/B(α,β) · B(γ, δ+n)/B(γ,δ) / L`. Fader, Hardie & Shang's eq. 11, "alive in
    /// period n+1", is [`Self::p_alive_at`] with m = 1.
    pub fn p_alive(&self, x: u32, t_x: u32, n: u32) -> f64 {
        self.p_alive_at(x, t_x, n, 0)
    }

    /// P(alive at opportunity n + m | x, t_x, n): `B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+m)/B(γ,δ) / L`.
    pub fn p_alive_at(&self, x: u32, t_x: u32, n: u32, m: u32) -> f64 {
        let ll = self.log_likelihood(&DiscreteTriple { x, t_x, n });
        let (x, _, n) = clamp(x, t_x, n);
        let BgBbParams {
            alpha,
            beta,
            gamma,
            delta,
        } = self.p;
        let l = ln_beta(alpha + x, beta + n - x) - self.ln_beta_ab
            + ln_beta(gamma, delta + n + m as f64)
            - self.ln_beta_gd;
        (l - ll).exp().clamp(0.0, 1.0)
    }

    /// `Σ_{t=1}^{m} B(γ, δ+t)/B(γ, δ)`: expected number of opportunities alive among the first m.
    ///
    /// # Formula
    /// `δ/(γ−1) · [1 − Γ(γ+δ) Γ(1+δ+m) / (Γ(γ+δ+m) Γ(1+δ))]`, evaluated with expm1; summed
    /// directly when γ is within 1e-9 of 1, where the closed form is 0/0.
    fn expected_alive_periods(&self, start: f64, m: f64) -> f64 {
        // Σ_{t=start+1}^{start+m} B(γ, δ+t)/B(γ, δ)
        let BgBbParams { gamma, delta, .. } = self.p;
        if (gamma - 1.0).abs() < 1e-9 {
            let m = m.min(MAX_SUMMED_PERIODS as f64);
            let mut s = 0.0;
            let mut t = 1.0;
            while t <= m {
                s += (ln_beta(gamma, delta + start + t) - self.ln_beta_gd).exp();
                t += 1.0;
            }
            return s;
        }
        let d = |k: f64| {
            ln_gamma(gamma + delta) + ln_gamma(1.0 + delta + k)
                - ln_gamma(gamma + delta + k)
                - ln_gamma(1.0 + delta)
        };
        let (d0, d1) = (d(start), d(start + m));
        // δ/(γ−1) · (e^{d0} − e^{d1}); e^{d0} − e^{d1} = −e^{d0} expm1(d1 − d0)
        (delta / (gamma - 1.0) * (-(d0.exp()) * (d1 - d0).exp_m1())).max(0.0)
    }

    /// Expected number of transactions in the first n opportunities of a new customer (eq. 7).
    ///
    /// # Formula
    /// `E[X(n)] = α/(α+β) · δ/(γ−1) · [1 − Γ(γ+δ)Γ(1+δ+n) / (Γ(γ+δ+n)Γ(1+δ))]`
    pub fn expected_purchases(&self, n: u32) -> f64 {
        let BgBbParams { alpha, beta, .. } = self.p;
        alpha / (alpha + beta) * self.expected_alive_periods(0.0, n as f64)
    }

    /// Expected transactions in opportunities n+1 … n+m given the pattern (eq. 13).
    ///
    /// # Formula
    /// `1/L · B(α+x+1, β+n−x)/B(α,β) · δ/(γ−1) · Γ(γ+δ)/Γ(1+δ)
    ///    · [Γ(1+δ+n)/Γ(γ+δ+n) − Γ(1+δ+n+m)/Γ(γ+δ+n+m)]`
    pub fn conditional_expected_purchases(&self, x: u32, t_x: u32, n: u32, m: u32) -> f64 {
        let ll = self.log_likelihood(&DiscreteTriple { x, t_x, n });
        let (x, _, n) = clamp(x, t_x, n);
        let BgBbParams { alpha, beta, .. } = self.p;
        let lead = (ln_beta(alpha + x + 1.0, beta + n - x) - self.ln_beta_ab - ll).exp();
        lead * self.expected_alive_periods(n, m as f64)
    }

    /// Probability of no transaction in opportunities n+1 … n+m given the pattern.
    ///
    /// # Formula
    /// A customer alive after n with posterior p ~ Beta(α+x, β+n−x), θ ~ Beta(γ, δ+n) makes no
    /// transaction in m opportunities either by dying at the start of opportunity j+1 after j
    /// silent ones, or by surviving all m silently:
    /// `P₀ = Σ_{j<m} E[(1−p)^j] E[(1−θ)^j θ] + E[(1−p)^m] E[(1−θ)^m]`; the answer is
    /// `1 − P(alive) (1 − P₀)`. Costs O(m); m is capped at [`MAX_SUMMED_PERIODS`].
    pub fn prob_no_purchase(&self, x: u32, t_x: u32, n: u32, m: u32) -> f64 {
        if m == 0 {
            return 1.0;
        }
        let pa = self.p_alive(x, t_x, n);
        let (x, _, n) = clamp(x, t_x, n);
        let BgBbParams {
            alpha,
            beta,
            gamma,
            delta,
        } = self.p;
        let (a1, b1, g1, d1) = (alpha + x, beta + n - x, gamma, delta + n);
        let (lb_ab, lb_gd) = (ln_beta(a1, b1), ln_beta(g1, d1));
        let m = m.min(MAX_SUMMED_PERIODS) as f64;
        let mut acc = ln_beta(a1, b1 + m) - lb_ab + ln_beta(g1, d1 + m) - lb_gd;
        let mut j = 0.0;
        while j < m {
            acc = log_add_exp(
                acc,
                ln_beta(a1, b1 + j) - lb_ab + ln_beta(g1 + 1.0, d1 + j) - lb_gd,
            );
            j += 1.0;
        }
        (1.0 - pa * (1.0 - acc.exp().min(1.0))).clamp(0.0, 1.0)
    }
}

/// Weighted log-likelihood of patterns.
pub fn log_likelihood(p: BgBbParams, rows: &[(DiscreteTriple, f64)]) -> f64 {
    match BgBb::new(p) {
        Ok(m) => rows.iter().map(|(c, w)| w * m.log_likelihood(c)).sum(),
        Err(_) => f64::NAN,
    }
}

/// Fits BG/BB to weighted patterns (use weight 1 per person for raw data).
pub fn fit(data: &[(DiscreteTriple, f64)], opts: &FitOptions) -> Result<Fit<BgBb>, FitError> {
    fit::check_options(opts)?;
    validate_discrete(data)?;
    let rows = compress_discrete(data);
    let n_customers: f64 = rows.iter().map(|(_, w)| w).sum();
    if rows.is_empty() || n_customers <= 0.0 {
        return Err(FitError::Empty);
    }
    if rows.iter().all(|(r, _)| r.n == 0) {
        return Err(FitError::AllZeroTenure);
    }
    let repeat: f64 = rows.iter().filter(|(r, _)| r.x > 0).map(|(_, w)| w).sum();
    if repeat == 0.0 {
        return Err(FitError::AllZeroFrequency);
    }
    if (repeat.round() as usize) < opts.min_repeat_buyers {
        return Err(FitError::TooFewRepeatBuyers {
            found: repeat.round() as usize,
            needed: opts.min_repeat_buyers,
        });
    }
    let ll = |v: &[f64]| {
        log_likelihood(
            BgBbParams {
                alpha: v[0],
                beta: v[1],
                gamma: v[2],
                delta: v[3],
            },
            &rows,
        )
    };
    let problem = Problem {
        kind: ModelKind::BgBb,
        names: &PARAM_NAMES,
        log_likelihood: &ll,
        gradient: None,
        analytic_gradient: false,
        starts: vec![
            vec![1.0, 1.0, 1.0, 1.0],
            vec![0.5, 0.5, 0.5, 2.0],
            vec![2.0, 1.0, 1.0, 5.0],
        ],
        hessian: None,
        warm: None,
        n_customers,
        n_unique: rows.len(),
    };
    let (v, report) = fit::run(problem, opts)?;
    let model = BgBb::new(BgBbParams {
        alpha: v[0],
        beta: v[1],
        gamma: v[2],
        delta: v[3],
    })
    .map_err(|_| FitError::NonFiniteLikelihood { starts: 0 })?;
    Ok(Fit { model, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn donations() -> BgBb {
        BgBb::new(BgBbParams {
            alpha: 1.204,
            beta: 0.750,
            gamma: 0.657,
            delta: 2.783,
        })
        .unwrap()
    }

    #[test]
    fn closed_form_sum_matches_direct_sum() {
        let m = donations();
        let direct: f64 = (1..=10)
            .map(|t| (ln_beta(0.657, 2.783 + t as f64) - ln_beta(0.657, 2.783)).exp())
            .sum();
        assert!((m.expected_alive_periods(0.0, 10.0) - direct).abs() < 1e-12);
        let direct: f64 = (7..=11)
            .map(|t| (ln_beta(0.657, 2.783 + t as f64) - ln_beta(0.657, 2.783)).exp())
            .sum();
        assert!((m.expected_alive_periods(6.0, 5.0) - direct).abs() < 1e-12);
    }

    #[test]
    fn all_active_pattern_is_alive() {
        let m = donations();
        assert!(m.p_alive(6, 6, 6) > 0.99 * 1.0 - 1e-9);
        assert!(m.p_alive(0, 0, 6) < 0.5);
        let p0 = m.prob_no_purchase(3, 4, 6, 5);
        assert!(p0 > 0.0 && p0 < 1.0);
    }
}
