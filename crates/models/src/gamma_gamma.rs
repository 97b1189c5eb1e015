//! Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV: using iso-value curves for
//! customer base analysis", JMR 42(4); Colombo & Jiang 1999): a customer's purchase values are
//! Gamma(p, ν) with ν ~ Gamma(q, γ) across customers, independent of the purchase process. Fitted
//! on repeat buyers only: `x` repeat purchases with mean value `z̄`.

use crate::columns::{SpendColumns, gg_log_likelihood, gg_log_likelihood_hessian};
use crate::data::{SpendRow, compress_spend, validate_spend};
use crate::fit::{self, Fit, FitError, FitOptions, ModelKind, ParamError, Problem};
use crate::special::ln_gamma;

/// Parameter names in order.
pub const PARAM_NAMES: [&str; 3] = ["p", "q", "gamma"];

/// Gamma-Gamma parameters; `gamma` is in money units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaGammaParams {
    pub p: f64,
    pub q: f64,
    pub gamma: f64,
}

/// A Gamma-Gamma model with parameter-only constants precomputed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GammaGamma {
    par: GammaGammaParams,
    ln_gamma_q: f64,
    q_ln_gamma: f64,
}

impl GammaGamma {
    pub fn new(par: GammaGammaParams) -> Result<Self, ParamError> {
        fit::check_positive(&PARAM_NAMES, &[par.p, par.q, par.gamma])?;
        Ok(GammaGamma {
            par,
            ln_gamma_q: ln_gamma(par.q),
            q_ln_gamma: par.q * par.gamma.ln(),
        })
    }

    pub fn params(&self) -> GammaGammaParams {
        self.par
    }

    /// Log-density of the observed mean value.
    ///
    /// # Formula
    /// `f(z̄ | p, q, γ; x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q z̄^(px−1) x^(px) / (γ + x z̄)^(px+q)`
    /// (Fader, Hardie & Lee 2005, JMR, eq. 3).
    pub fn log_likelihood(&self, row: &SpendRow) -> f64 {
        let GammaGammaParams { p, q, gamma } = self.par;
        let (x, z) = (row.x, row.mean_value);
        let px = p * x;
        ln_gamma(px + q) - ln_gamma(px) - self.ln_gamma_q
            + self.q_ln_gamma
            + (px - 1.0) * z.ln()
            + px * x.ln()
            - (px + q) * (gamma + x * z).ln()
    }

    /// Population mean spend per purchase, `pγ/(q−1)`; `None` when q ≤ 1 (infinite mean).
    pub fn mean_spend(&self) -> Option<f64> {
        let GammaGammaParams { p, q, gamma } = self.par;
        (q > 1.0)
            .then(|| p * gamma / (q - 1.0))
            .filter(|v| v.is_finite())
    }

    /// Expected spend per purchase of a customer with `x` repeat purchases of mean value `z̄`.
    ///
    /// # Formula
    /// `E[Z | x, z̄] = p(γ + x z̄) / (px + q − 1)`, a weighted average of the population mean
    /// `pγ/(q−1)` and the customer's own mean z̄ with weight `px/(px+q−1)` on z̄ (eq. 5). With
    /// x = 0 (or a non-positive/non-finite z̄) it is the population mean. `None` when the mean does
    /// not exist (px + q ≤ 1).
    pub fn conditional_expected_spend(&self, x: f64, mean_value: f64) -> Option<f64> {
        let GammaGammaParams { p, q, gamma } = self.par;
        let ok = x.is_finite() && x > 0.0 && mean_value.is_finite() && mean_value > 0.0;
        if !ok {
            return self.mean_spend();
        }
        let den = p * x + q - 1.0;
        (den > 0.0)
            .then(|| p * (gamma + x * mean_value) / den)
            .filter(|v| v.is_finite())
    }
}

/// Weighted log-likelihood of spend rows.
pub fn log_likelihood(p: GammaGammaParams, rows: &[(SpendRow, f64)]) -> f64 {
    match GammaGamma::new(p) {
        Ok(m) => rows.iter().map(|(c, w)| w * m.log_likelihood(c)).sum(),
        Err(_) => f64::NAN,
    }
}

/// The one mean value every row shares (to a relative 1e-9, so that 29.97 / 3 and 19.98 / 2 are
/// one value), or `None` when spend varies between customers. Weights do not matter: a value is
/// shared or it is not.
pub fn constant_spend(rows: &[(SpendRow, f64)]) -> Option<f64> {
    let (first, _) = rows.first()?;
    let (lo, hi) = rows
        .iter()
        .fold((first.mean_value, first.mean_value), |(lo, hi), (r, _)| {
            (lo.min(r.mean_value), hi.max(r.mean_value))
        });
    (hi - lo <= 1e-9 * hi.abs()).then_some(first.mean_value)
}

/// Fits Gamma-Gamma to repeat buyers (every row needs x ≥ 1 and z̄ > 0; leave one-time buyers out).
pub fn fit(data: &[SpendRow], opts: &FitOptions) -> Result<Fit<GammaGamma>, FitError> {
    let weighted: Vec<(SpendRow, f64)> = data.iter().map(|c| (*c, 1.0)).collect();
    fit_weighted(&weighted, opts)
}

/// Fits Gamma-Gamma to weighted spend rows.
pub fn fit_weighted(
    data: &[(SpendRow, f64)],
    opts: &FitOptions,
) -> Result<Fit<GammaGamma>, FitError> {
    fit::check_options(opts)?;
    validate_spend(data)?;
    let rows = compress_spend(data);
    let n_customers: f64 = rows.iter().map(|(_, w)| w).sum();
    if rows.is_empty() || n_customers <= 0.0 {
        return Err(FitError::Empty);
    }
    let found = n_customers.round() as usize;
    if found < opts.min_repeat_buyers {
        return Err(FitError::TooFewRepeatBuyers {
            found,
            needed: opts.min_repeat_buyers,
        });
    }
    if let Some(value) = constant_spend(&rows) {
        return Err(FitError::ConstantSpend { value });
    }
    let mean = rows.iter().map(|(r, w)| r.mean_value * w).sum::<f64>() / n_customers;
    // Starts matching the mean spend pγ/(q−1) to the observed mean at a few shapes.
    let starts = vec![
        vec![1.0, 2.0, mean],
        vec![6.0, 4.0, mean / 2.0],
        vec![2.0, 3.0, mean],
        vec![1.0, 1.0, 1.0],
    ];
    let (v, report) = fit::fit_from_subsample(&rows, |rows, step| {
        let cols = SpendColumns::new(rows);
        let llg = |v: &[f64], g: &mut [f64]| -> f64 {
            if v.len() != 3 || !v.iter().all(|p| p.is_finite() && *p > 0.0) {
                return f64::NAN;
            }
            let mut gr = [0.0; 3];
            let value = gg_log_likelihood(&cols, [v[0], v[1], v[2]], &mut gr);
            g.copy_from_slice(&gr);
            value
        };
        let hessian = |v: &[f64]| gg_log_likelihood_hessian(&cols, [v[0], v[1], v[2]]).to_vec();
        let ll = |v: &[f64]| llg(v, &mut [0.0; 3]);
        let problem = Problem {
            kind: ModelKind::GammaGamma,
            names: &PARAM_NAMES,
            log_likelihood: &ll,
            gradient: Some(&llg),
            analytic_gradient: true,
            hessian: Some(&hessian),
            starts: starts.clone(),
            warm: None,
            n_customers: cols.n,
            n_unique: rows.len(),
        };
        fit::solve(problem, opts, step)
    })?;
    let model = GammaGamma::new(GammaGammaParams {
        p: v[0],
        q: v[1],
        gamma: v[2],
    })
    .map_err(|_| FitError::NonFiniteLikelihood { starts: 0 })?;
    Ok(Fit { model, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expected_spend_shrinks_towards_the_mean() {
        let m = GammaGamma::new(GammaGammaParams {
            p: 6.25,
            q: 3.74,
            gamma: 15.44,
        })
        .unwrap();
        let pop = m.mean_spend().unwrap();
        assert!((pop - 6.25 * 15.44 / 2.74).abs() < 1e-12);
        let one = m.conditional_expected_spend(1.0, 100.0).unwrap();
        let many = m.conditional_expected_spend(50.0, 100.0).unwrap();
        assert!(pop < one && one < many && many < 100.0);
        assert_eq!(m.conditional_expected_spend(0.0, 0.0), Some(pop));
        let heavy = GammaGamma::new(GammaGammaParams {
            p: 0.5,
            q: 0.5,
            gamma: 1.0,
        })
        .unwrap();
        assert_eq!(heavy.mean_spend(), None);
    }
}
