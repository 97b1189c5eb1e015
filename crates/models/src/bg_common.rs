//! Pieces shared by the continuous-time models: input checks before a fit, clamping of
//! prediction inputs, and the beta-geometric expectations BG/NBD and MBG/NBD both need.

use crate::columns::{BgFamily, Columns, bg_log_likelihood, bg_log_likelihood_hessian};
use crate::data::{Triple, compress_weighted, validate};
use crate::fit::{self, FitError, FitOptions, FitReport, ModelKind, Problem, Solved, Step};
use crate::quad;
use crate::special;

/// Horizons beyond this many time units are treated as this long: keeps every prediction finite
/// for an "infinite" horizon while being far beyond any business question.
pub(crate) const MAX_HORIZON: f64 = 1e12;

/// Validated, compressed continuous-time data and its headline counts.
pub(crate) struct Prepared {
    pub rows: Vec<(Triple, f64)>,
    pub mean_x: f64,
    pub mean_t: f64,
}

/// Validates, compresses and refuses data that cannot identify a purchase/dropout model.
pub(crate) fn prepare(data: &[(Triple, f64)], opts: &FitOptions) -> Result<Prepared, FitError> {
    crate::fit::check_options(opts)?;
    validate(data)?;
    let rows = compress_weighted(data);
    let n_customers: f64 = rows.iter().map(|(_, w)| w).sum();
    if rows.is_empty() || n_customers <= 0.0 {
        return Err(FitError::Empty);
    }
    if rows.iter().all(|(r, _)| r.t == 0.0) {
        return Err(FitError::AllZeroTenure);
    }
    let repeat: f64 = rows.iter().filter(|(r, _)| r.x > 0.0).map(|(_, w)| w).sum();
    if repeat == 0.0 {
        return Err(FitError::AllZeroFrequency);
    }
    let found = repeat.round() as usize;
    if found < opts.min_repeat_buyers {
        return Err(FitError::TooFewRepeatBuyers {
            found,
            needed: opts.min_repeat_buyers,
        });
    }
    let mean_x = rows.iter().map(|(r, w)| r.x * w).sum::<f64>() / n_customers;
    let mean_t = rows.iter().map(|(r, w)| r.t * w).sum::<f64>() / n_customers;
    Ok(Prepared {
        rows,
        mean_x,
        mean_t,
    })
}

/// Rough starting points for (r, alpha, ·, ·) models: the mean purchase rate r/α matched to the
/// mean of x/T, at a few shapes.
pub(crate) fn starts(p: &Prepared, third: [f64; 3], fourth: [f64; 3]) -> Vec<Vec<f64>> {
    let rate = (p.mean_x / p.mean_t.max(1e-12)).max(1e-6);
    let mut out = Vec::new();
    for (k, r) in [0.5, 1.0, 0.2].into_iter().enumerate() {
        out.push(vec![r, (r / rate).max(1e-6), third[k], fourth[k]]);
    }
    out.push(vec![1.0, 1.0, 1.0, 1.0]);
    out
}

/// Fits BG/NBD or MBG/NBD on prepared rows with the analytic likelihood and gradient of
/// [`bg_log_likelihood`]; large data first fit on a subsample for a start.
pub(crate) fn fit_bg_family(
    family: BgFamily,
    kind: ModelKind,
    names: &'static [&'static str],
    prep: &Prepared,
    starts: Vec<Vec<f64>>,
    opts: &FitOptions,
) -> Result<(Vec<f64>, FitReport), FitError> {
    fit::fit_from_subsample(&prep.rows, |rows, step| {
        solve_bg_family(family, kind, names, rows, &starts, opts, step)
    })
}

/// One [`Step`] of [`fit_bg_family`] on `rows`.
fn solve_bg_family(
    family: BgFamily,
    kind: ModelKind,
    names: &'static [&'static str],
    rows: &[(Triple, f64)],
    starts: &[Vec<f64>],
    opts: &FitOptions,
    step: Step,
) -> Result<Solved, FitError> {
    let cols = Columns::new(rows);
    let llg = |v: &[f64], g: &mut [f64]| -> f64 {
        if v.len() != 4 || !v.iter().all(|p| p.is_finite() && *p > 0.0) {
            return f64::NAN;
        }
        let mut gr = [0.0; 4];
        let value = bg_log_likelihood(&cols, family, [v[0], v[1], v[2], v[3]], &mut gr);
        g.copy_from_slice(&gr);
        value
    };
    let ll = |v: &[f64]| llg(v, &mut [0.0; 4]);
    let hessian =
        |v: &[f64]| bg_log_likelihood_hessian(&cols, family, [v[0], v[1], v[2], v[3]]).to_vec();
    let problem = Problem {
        kind,
        names,
        log_likelihood: &ll,
        gradient: Some(&llg),
        analytic_gradient: true,
        hessian: Some(&hessian),
        starts: starts.to_vec(),
        warm: None,
        n_customers: cols.n,
        n_unique: rows.len(),
    };
    fit::solve(problem, opts, step)
}

/// Prediction inputs clamped into the model's domain: negative or non-finite values become 0,
/// `t_x` is capped at `T`, and times at [`MAX_HORIZON`].
#[inline]
pub(crate) fn clamp(x: f64, t_x: f64, t: f64) -> (f64, f64, f64) {
    let c = |v: f64| {
        if v.is_nan() || v <= 0.0 {
            0.0
        } else {
            v.min(MAX_HORIZON)
        }
    };
    let t = c(t);
    (c(x), c(t_x).min(t), t)
}

/// A horizon clamped the same way.
#[inline]
pub(crate) fn horizon(h: f64) -> f64 {
    if h.is_nan() || h <= 0.0 {
        0.0
    } else {
        h.min(MAX_HORIZON)
    }
}

/// 1 / (1 + e^l) without overflow: the P(alive) form `1 / (1 + odds of having died)`.
#[inline]
pub(crate) fn inv_one_plus_exp(l: f64) -> f64 {
    if l > 0.0 {
        let e = (-l).exp();
        e / (1.0 + e)
    } else {
        1.0 / (1.0 + l.exp())
    }
}

/// `(1−z)^(r+x) · 2F1(r+x, b+x; a+b+x−1; z)`, the hypergeometric piece of BG/NBD's conditional
/// expectation (Fader, Hardie & Lee 2005, eq. 10), from [`special::bgnbd_transformed_2f1`]
/// (Euler-transformed there, so heavy buyers neither overflow nor lose digits).
#[inline]
pub(crate) fn transformed_2f1(
    r: f64,
    a: f64,
    b: f64,
    x: f64,
    z: f64,
) -> Result<f64, special::SpecialError> {
    special::bgnbd_transformed_2f1(r, a, b, x, z)
}

/// E[(1/p)(1 − e^(−λ p h))] for p ~ Beta(a, b + x), λ ~ Gamma(r + x, rate α+T): the expected
/// number of purchases in the next `h` of a customer alive now under a beta-geometric dropout
/// (dropout right after each purchase with probability p).
///
/// # Formula
/// `(a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+h))^(r+x) · 2F1(r+x, b+x; a+b+x−1; h/(α+T+h))]`
/// (Fader, Hardie & Lee 2005, eq. 10 without the P(alive) factor). Where the closed form loses
/// precision (a ≈ 1, a very short horizon, or a failing series) the Beta expectation is integrated
/// numerically instead.
pub(crate) fn expected_given_alive(r: f64, a: f64, b: f64, x: f64, alpha_t: f64, h: f64) -> f64 {
    if h <= 0.0 {
        return 0.0;
    }
    let z = h / (alpha_t + h);
    if (a - 1.0).abs() > 1e-6
        && z < 1.0
        && let Ok(tv) = transformed_2f1(r, a, b, x, z)
    {
        let one_minus = 1.0 - tv;
        let e = (a + b + x - 1.0) / (a - 1.0) * one_minus;
        // Trust the closed form unless 1 − T lost its digits to cancellation.
        if tv.is_finite() && one_minus.abs() > 1e-6 && e.is_finite() && e >= 0.0 {
            return e;
        }
    }
    expected_given_alive_quadrature(r, a, b, x, alpha_t, h)
}

/// The same expectation by quadrature over p (the λ expectation is done analytically).
pub(crate) fn expected_given_alive_quadrature(
    r: f64,
    a: f64,
    b: f64,
    x: f64,
    alpha_t: f64,
    h: f64,
) -> f64 {
    let u = h / alpha_t;
    let k = r + x;
    quad::beta_expectation(a, b + x, |p, _, ln_p, _| {
        if p == 0.0 {
            // lim_{p→0} (1 − (1 + p u)^(−k)) / p = k u
            return (k * u).ln();
        }
        let one_minus = -(-k * (p * u).ln_1p()).exp_m1();
        one_minus.ln() - ln_p
    })
}

/// E[e^(−λ p h)] for p ~ Beta(a, b + x), λ ~ Gamma(r + x, α+T): the probability that a customer
/// alive now is still alive after `h` more time units (dropout happens only at purchases).
///
/// # Formula
/// `E_p[(1 + p h/(α+T))^(−(r+x))] = (1−z)^(r+x) · 2F1(r+x, b+x; a+b+x; z)`, z = h/(α+T+h)
/// (Euler's integral and Pfaff's transformation), i.e. [`transformed_2f1`] with `a + 1`.
pub(crate) fn survival_given_alive(r: f64, a: f64, b: f64, x: f64, alpha_t: f64, h: f64) -> f64 {
    if h <= 0.0 {
        return 1.0;
    }
    let z = h / (alpha_t + h);
    if z < 1.0
        && let Ok(v) = transformed_2f1(r, a + 1.0, b, x, z)
        && v.is_finite()
        && (0.0..=1.0).contains(&v)
    {
        return v;
    }
    let u = h / alpha_t;
    let k = r + x;
    quad::beta_expectation(a, b + x, |p, _, _, _| -k * (p * u).ln_1p()).clamp(0.0, 1.0)
}

/// Median of the waiting time to the next purchase of a customer who is active now, with
/// posterior purchase rate λ ~ Gamma(r + x, α + T): that waiting time is Lomax, so the median is
/// `(α+T)(2^(1/(r+x)) − 1)`. The mean exists only when r + x > 1, hence the median. `None` when it
/// overflows (r + x tiny).
pub(crate) fn median_next_purchase(r: f64, x: f64, alpha_t: f64) -> Option<f64> {
    let v = alpha_t * (std::f64::consts::LN_2 / (r + x)).exp_m1();
    v.is_finite().then_some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_matches_quadrature() {
        for &(r, a, b, x, at, h) in &[
            (0.243, 0.793, 2.426, 2.0, 4.414 + 38.86, 39.0),
            (0.243, 0.793, 2.426, 0.0, 4.414, 78.0),
            (0.75, 1.8, 2.5, 30.0, 400.0, 365.0),
            (0.75, 0.8, 2.5, 3000.0, 400.0, 3650.0),
        ] {
            let c = expected_given_alive(r, a, b, x, at, h);
            let q = expected_given_alive_quadrature(r, a, b, x, at, h);
            assert!(
                (c - q).abs() <= 1e-8 * q.abs().max(1.0),
                "{c} vs {q} at {:?}",
                (r, a, b, x, at, h)
            );
            let s = survival_given_alive(r, a, b, x, at, h);
            let k = r + x;
            let sq = quad::beta_expectation(a, b + x, |p, _, _, _| -k * (p * h / at).ln_1p());
            assert!((s - sq).abs() <= 1e-9, "{s} vs {sq}");
        }
    }

    /// Customers drawn from MBG/NBD itself, in days: purchase rates exponential (r = 1, α = 30),
    /// dropout chances Beta(½, 1) (p = u²), tenures of 30 to 730 days. Most rows are distinct.
    fn mbgnbd_customers(n: usize) -> Vec<(Triple, f64)> {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut uniform = move || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            // In (0, 1]: logarithms stay finite.
            (((z ^ (z >> 31)) >> 11) + 1) as f64 / (1u64 << 53) as f64
        };
        (0..n)
            .map(|_| {
                let t = 30.0 + 700.0 * uniform();
                let rate = -uniform().ln() / 30.0;
                let dropout = uniform().powi(2);
                let (mut x, mut t_x, mut now) = (0.0, 0.0, 0.0);
                // MBG/NBD: a chance to drop out at time 0, and after every purchase.
                while uniform() > dropout {
                    now += -uniform().ln() / rate;
                    if now > t {
                        break;
                    }
                    x += 1.0;
                    t_x = now;
                }
                let t_x = t_x.floor();
                (
                    Triple {
                        x,
                        t_x,
                        t: t.floor(),
                    },
                    1.0,
                )
            })
            .collect()
    }

    #[test]
    fn the_subsample_start_reaches_the_cold_optimum_in_a_few_iterations() {
        let opts = FitOptions::default();
        let prep = prepare(&mbgnbd_customers(100_000), &opts).unwrap();
        assert!(
            prep.rows.len() > fit::SUBSAMPLE_ABOVE,
            "{} rows",
            prep.rows.len()
        );
        let starts = starts(&prep, [1.0, 1.0, 0.5], [2.0, 1.0, 5.0]);
        let names = &["r", "alpha", "a", "b"];
        let (warm, warm_report) = fit_bg_family(
            BgFamily::MbgNbd,
            ModelKind::MbgNbd,
            names,
            &prep,
            starts.clone(),
            &opts,
        )
        .unwrap();
        // The same data from the built-in starts alone, the identity as BFGS's first curvature.
        let Solved::Fitted(cold, cold_report) = solve_bg_family(
            BgFamily::MbgNbd,
            ModelKind::MbgNbd,
            names,
            &prep.rows,
            &starts,
            &opts,
            Step::Full(None),
        )
        .unwrap() else {
            panic!("a full step returns a fit");
        };
        assert!(warm_report.converged && cold_report.converged);
        assert!(
            warm_report.iterations <= 5 && cold_report.iterations >= 2 * warm_report.iterations,
            "iterations: {} from the subsample, {} cold",
            warm_report.iterations,
            cold_report.iterations
        );
        for (w, c) in warm.iter().zip(&cold) {
            assert!((w / c - 1.0).abs() < 1e-5, "{warm:?} against {cold:?}");
        }
        assert!(
            (warm_report.log_likelihood - cold_report.log_likelihood).abs() < 1e-6,
            "{} against {}",
            warm_report.log_likelihood,
            cold_report.log_likelihood
        );
    }
}
