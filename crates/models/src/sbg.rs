//! Shifted-beta-geometric model of contractual retention (Fader & Hardie 2007, "How to project
//! customer retention", Journal of Interactive Marketing 21(1)): each subscriber cancels at the end
//! of each period with probability θ ~ Beta(α, β) across subscribers. Retention rates rise over
//! time not because anyone becomes more loyal but because the cohort sorts itself: the churn-prone
//! leave first.

use crate::fit::{self, Fit, FitError, FitOptions, ModelKind, ParamError, Problem};
use crate::special::ln_beta;

/// Parameter names in order.
pub const PARAM_NAMES: [&str; 2] = ["alpha", "beta"];

/// sBG parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SbgParams {
    pub alpha: f64,
    pub beta: f64,
}

/// A cohort's survivors at the start (index 0, the cohort size) and at the end of each period.
#[derive(Debug, Clone, PartialEq)]
pub struct SurvivalCounts {
    pub alive: Vec<f64>,
}

/// An sBG model with `ln B(α, β)` precomputed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sbg {
    p: SbgParams,
    ln_beta_ab: f64,
}

impl Sbg {
    pub fn new(p: SbgParams) -> Result<Self, ParamError> {
        fit::check_positive(&PARAM_NAMES, &[p.alpha, p.beta])?;
        Ok(Sbg {
            p,
            ln_beta_ab: ln_beta(p.alpha, p.beta),
        })
    }

    pub fn params(&self) -> SbgParams {
        self.p
    }

    /// Probability that a new subscriber cancels in period t ≥ 1: `B(α+1, β+t−1)/B(α,β)`
    /// (Fader & Hardie 2007, eq. 5). 0 for t = 0.
    pub fn churn_probability(&self, t: u32) -> f64 {
        if t == 0 {
            return 0.0;
        }
        (ln_beta(self.p.alpha + 1.0, self.p.beta + t as f64 - 1.0) - self.ln_beta_ab).exp()
    }

    /// Probability that a new subscriber is still active after t periods: `B(α, β+t)/B(α,β)` (eq. 6).
    pub fn survival(&self, t: u32) -> f64 {
        (ln_beta(self.p.alpha, self.p.beta + t as f64) - self.ln_beta_ab).exp()
    }

    /// Retention rate of period t ≥ 1 (share of those active at t−1 still active at t):
    /// `(β+t−1)/(α+β+t−1)` (eq. 8). 1 for t = 0.
    pub fn retention_rate(&self, t: u32) -> f64 {
        if t == 0 {
            return 1.0;
        }
        let t = t as f64;
        (self.p.beta + t - 1.0) / (self.p.alpha + self.p.beta + t - 1.0)
    }

    /// Expected survivors of a cohort of `size` after t periods.
    pub fn projected_alive(&self, size: f64, t: u32) -> f64 {
        size * self.survival(t)
    }

    /// Log-likelihood of survival counts.
    ///
    /// # Formula
    /// `LL = Σ_{t=1}^{n} (n_{t−1} − n_t) ln P(T = t) + n_n ln S(n)` (eq. 7): those lost in period t
    /// cancelled then, those still active at the end are right-censored.
    pub fn log_likelihood(&self, counts: &SurvivalCounts) -> f64 {
        let a = &counts.alive;
        let mut ll = 0.0;
        for t in 1..a.len() {
            let lost = a[t - 1] - a[t];
            if lost > 0.0 {
                ll += lost * self.churn_probability(t as u32).ln();
            }
        }
        if let Some(&last) = a.last()
            && last > 0.0
        {
            ll += last * self.survival((a.len() - 1) as u32).ln();
        }
        ll
    }
}

/// Fits sBG to one cohort's survival counts: `alive[0]` is the cohort size, `alive[t]` the number
/// still active after period t. Needs at least two periods, non-increasing finite counts, and
/// some cancellations (with none, β is not identified: it runs off to infinity).
pub fn fit(counts: &SurvivalCounts, opts: &FitOptions) -> Result<Fit<Sbg>, FitError> {
    fit::check_options(opts)?;
    let a = &counts.alive;
    for (i, v) in a.iter().enumerate() {
        if !(v.is_finite() && *v >= 0.0) {
            return Err(crate::data::DataError {
                index: i,
                reason: format!("count {v} is not a finite non-negative number"),
            }
            .into());
        }
        if i > 0 && *v > a[i - 1] {
            return Err(crate::data::DataError {
                index: i,
                reason: format!(
                    "survivors increase from {} to {v}: counts must be non-increasing",
                    a[i - 1]
                ),
            }
            .into());
        }
    }
    if a.is_empty() || a[0] <= 0.0 {
        return Err(FitError::Empty);
    }
    if a.len() < 3 {
        return Err(FitError::TooFewObservations(format!(
            "{} period(s) of survival counts; two parameters need at least 2 periods",
            a.len().saturating_sub(1)
        )));
    }
    if a[a.len() - 1] == a[0] {
        return Err(FitError::TooFewObservations(
            "nobody cancelled: the churn rate cannot be estimated".into(),
        ));
    }
    let ll = |v: &[f64]| match Sbg::new(SbgParams {
        alpha: v[0],
        beta: v[1],
    }) {
        Ok(m) => m.log_likelihood(counts),
        Err(_) => f64::NAN,
    };
    let problem = Problem {
        kind: ModelKind::ShiftedBetaGeometric,
        names: &PARAM_NAMES,
        log_likelihood: &ll,
        gradient: None,
        analytic_gradient: false,
        starts: vec![vec![1.0, 1.0], vec![0.5, 2.0], vec![2.0, 5.0]],
        hessian: None,
        warm: None,
        n_customers: a[0],
        n_unique: a.len() - 1,
    };
    let (v, report) = fit::run(problem, opts)?;
    let model = Sbg::new(SbgParams {
        alpha: v[0],
        beta: v[1],
    })
    .map_err(|_| FitError::NonFiniteLikelihood { starts: 0 })?;
    Ok(Fit { model, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_add_up() {
        let m = Sbg::new(SbgParams {
            alpha: 0.704,
            beta: 1.182,
        })
        .unwrap();
        let s: f64 = (1..=7).map(|t| m.churn_probability(t)).sum();
        assert!((s + m.survival(7) - 1.0).abs() < 1e-12);
        assert!((m.survival(3) - m.survival(2) * m.retention_rate(3)).abs() < 1e-12);
    }

    #[test]
    fn refuses_cohorts_without_cancellations() {
        let c = SurvivalCounts {
            alive: vec![100.0, 100.0, 100.0],
        };
        assert!(matches!(
            fit(&c, &FitOptions::default()),
            Err(FitError::TooFewObservations(_))
        ));
        let c = SurvivalCounts {
            alive: vec![100.0, 90.0, 95.0],
        };
        assert!(matches!(
            fit(&c, &FitOptions::default()),
            Err(FitError::InvalidRow(_))
        ));
    }
}
