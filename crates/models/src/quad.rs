//! Tanh-sinh (double-exponential) quadrature on [0, 1]: the fallback and reference integrator
//! for expectations over Beta and Lomax distributions. The substitution p = (1 + tanh(π/2·sinh t))/2
//! crowds nodes towards both ends at a double-exponential rate, so the integrable end-point
//! singularities of Beta densities with shape < 1 are handled without special cases. Nodes are
//! generated on the fly: no allocation.

use std::f64::consts::FRAC_PI_2;

/// ln(1 + eˣ) without overflow.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Node at t: (p, 1 − p, ln p, ln(1 − p), ln dp/dt), each computed directly so that the ends
/// keep full relative precision.
#[inline]
fn node(t: f64) -> (f64, f64, f64, f64, f64) {
    let u = FRAC_PI_2 * t.sinh();
    let ln_p = -softplus(-2.0 * u);
    let ln_q = -softplus(2.0 * u);
    let ln_w = (std::f64::consts::PI * t.cosh()).ln() + ln_p + ln_q;
    (ln_p.exp(), ln_q.exp(), ln_p, ln_q, ln_w)
}

/// ∫₀¹ f(p) dp for a bounded, smooth-inside integrand; `f` receives `(p, 1 − p)`.
/// 65 nodes (step 1/8 on t ∈ [−4, 4]); relative accuracy ~1e-12 for analytic integrands.
pub(crate) fn integrate_unit(f: impl Fn(f64, f64) -> f64) -> f64 {
    const H: f64 = 0.125;
    let mut sum = 0.0;
    for k in -32..=32 {
        let (p, q, _, _, ln_w) = node(k as f64 * H);
        let v = f(p, q);
        if v != 0.0 {
            sum += v * ln_w.exp();
        }
    }
    sum * H
}

/// E[g(p)] for p ~ Beta(a, b), with `ln_g(p, 1 − p, ln p, ln(1 − p))` returning ln g (g ≥ 0).
/// Works in log space throughout, so strongly singular densities (a or b well below 1) and
/// extreme parameters neither overflow nor underflow. 417 nodes (step 1/32 on t ∈ [−6.5, 6.5]).
pub(crate) fn beta_expectation(a: f64, b: f64, ln_g: impl Fn(f64, f64, f64, f64) -> f64) -> f64 {
    const H: f64 = 1.0 / 32.0;
    let ln_beta = crate::special::ln_beta(a, b);
    let mut sum = 0.0;
    for k in -208..=208 {
        let (p, q, ln_p, ln_q, ln_w) = node(k as f64 * H);
        let lg = ln_g(p, q, ln_p, ln_q);
        if lg == f64::NEG_INFINITY {
            continue;
        }
        // The density times dp/dt: p^(a−1)(1−p)^(b−1)·p(1−p)·π cosh t / B(a,b).
        let ln_term = lg + a * ln_p + b * ln_q + (ln_w - ln_p - ln_q) - ln_beta;
        sum += ln_term.exp();
    }
    sum * H
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_polynomials_and_singular_densities() {
        let v = integrate_unit(|p, _| 3.0 * p * p);
        assert!((v - 1.0).abs() < 1e-12, "{v}");
        // E[p] for Beta(0.3, 0.7) = 0.3; the density has singularities at both ends.
        let m = beta_expectation(0.3, 0.7, |_, _, ln_p, _| ln_p);
        assert!((m - 0.3).abs() < 1e-10, "{m}");
        // Total mass.
        let one = beta_expectation(0.05, 2000.0, |_, _, _, _| 0.0);
        assert!((one - 1.0).abs() < 1e-8, "{one}");
    }
}
