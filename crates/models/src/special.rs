//! Special functions the models need: log-gamma, log-beta and the Gauss hypergeometric function 2F1.
//!
//! Accuracy targets (checked against 50-digit mpmath references in `tests/special.rs`, fixtures under
//! `tests/fixtures/special/`):
//!
//! * [`ln_gamma`]: `libm::lgamma`, about 2e-16 relative.
//! * [`ln_beta`]: Stirling-difference form when an argument is ≥ 10, so ln B(0.7, 1e6) does not lose
//!   digits to the cancellation of two ~1.3e7 log-gammas.
//! * [`hyp2f1`], [`ln_hyp2f1_positive`], [`bgnbd_transformed_2f1`]: ≲ 1e-12 relative over the ranges
//!   BG/NBD and Pareto/NBD use (z ∈ [0, 1) up to 1 − 1e-6, x up to 5000); measured worst cases are
//!   1.3e-13 (BG/NBD factor, z → 1), 8e-15 (ln 2F1 of the Pareto/NBD shape) and 6e-14 (general).
//! * Speed: ~2.5 million [`bgnbd_transformed_2f1`] evaluations per second on one core on CDNOW-like
//!   inputs (release build; `speed_bgnbd_transformed_2f1` in the tests, run by hand).
//!
//! How 2F1 is evaluated, and why:
//!
//! * Near z = 0 the Gauss series is summed directly (with an exponent kept apart from the mantissa,
//!   so sums of 10^400 do not overflow). Its terms behave like n^(a+b−c−1)·zⁿ, so when a + b > c the
//!   Euler transformation (1−z)^(c−a−b)·2F1(c−a, c−b; c; z) is summed instead: its terms decay faster.
//! * As z → 1 the series needs ~40/(1−z) terms (70,000 and more in Pareto/NBD). Past a cap, the value
//!   is carried from z₀ = ½ to z by Taylor steps of the hypergeometric differential equation, each
//!   step going half-way to the singular point 1, so about log₂(1/(1−z)) steps of ~60 terms each.
//!   This needs no special case when c − a − b is an integer, where the textbook 1 − z connection
//!   formula has poles that cancel only analytically.
//! * For 2F1(a, b; a+1; z), the Pareto/NBD shape, the fallback is instead Euler's integral
//!   a·∫₀¹ t^(a−1)(1−zt)^(−b) dt, integrated with a substitution that flattens the near-pole at
//!   t = 1/z: its parameter a reaches 5000, where the recurrence of the Taylor steps cancels.
//!
//! No function here returns NaN or ±∞ for 2F1: an undefined, non-finite or unrepresentable result is a
//! [`SpecialError`].

use std::f64::consts::LN_2;
use std::sync::OnceLock;

/// Why a special function could not produce a finite value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpecialError {
    #[error("argument outside the supported domain: {0}")]
    Domain(&'static str),
    #[error("series did not converge after {terms} terms")]
    NotConverged { terms: usize },
}

/// Relative size of the last term at which a series is considered summed. Smaller than the f64
/// epsilon (2.2e-16) so that the truncation error is below the rounding error of the sum.
const SERIES_TOL: f64 = 1e-17;

/// Terms of the Gauss series tried before switching to the z → 1 method. The BG/NBD transformed
/// series needs 57 terms on average and ~2,600 at most over the model ranges with z ≤ 0.999; past
/// this, Taylor stepping (≈ 60 terms per halving of 1 − z) is cheaper.
const SERIES_CAP: usize = 4_000;

/// Terms allowed in the series at z ≤ ½ (starting values for stepping): only huge parameters need
/// more than a few hundred.
const SERIES_CAP_HALF: usize = 200_000;

/// Terms allowed in one Taylor step before giving up.
const TAYLOR_CAP: usize = 100_000;

/// Mantissa bound at which running sums are rescaled (leaves 1e58 of head-room before overflow).
const RESCALE_AT: f64 = 1e250;

/// ln Γ(x) for finite x > 0 (error about 2e-16, from `libm::lgamma`).
///
/// # Formula
/// Γ(x) = ∫₀^∞ t^(x−1) e^(−t) dt.
///
/// # Domain
/// Callers pass positive values (shape parameters and counts). For x ≤ 0 or NaN the result is NaN, so
/// that a misuse propagates visibly instead of yielding the plausible-looking ln|Γ(x)|; ln Γ(+∞) = +∞.
pub fn ln_gamma(x: f64) -> f64 {
    if x > 0.0 { libm::lgamma(x) } else { f64::NAN }
}

/// The digamma function ψ(x) = d/dx ln Γ(x) for x > 0 (NaN otherwise), about 1e-15 relative
/// away from its root near 1.4616; used by the analytic likelihood gradients.
///
/// # Formula
/// The recurrence ψ(x) = ψ(x+1) − 1/x up to x ≥ 10, then the asymptotic series
/// `ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ)` through the x⁻¹⁴ term (truncation below 1e-16 at x = 10).
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < 10.0 {
        acc -= 1.0 / x;
        x += 1.0;
    }
    let inv = 1.0 / x;
    let i2 = inv * inv;
    let series = i2
        * (1.0 / 12.0
            - i2 * (1.0 / 120.0
                - i2 * (1.0 / 252.0
                    - i2 * (1.0 / 240.0
                        - i2 * (1.0 / 132.0 - i2 * (691.0 / 32760.0 - i2 / 12.0))))));
    acc + x.ln() - 0.5 * inv - series
}

/// The trigamma function ψ₁(x) = d²/dx² ln Γ(x) for x > 0 (NaN otherwise), about 1e-15
/// relative; used by the analytic likelihood Hessians (standard errors).
///
/// # Formula
/// The recurrence ψ₁(x) = ψ₁(x+1) + 1/x² up to x ≥ 10, then the asymptotic series
/// `1/x + 1/(2x²) + Σ B₂ₖ/x²ᵏ⁺¹` through the x⁻¹⁵ term (truncation below 1e-16 at x = 10).
pub fn trigamma(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return f64::NAN;
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < 10.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let inv = 1.0 / x;
    let i2 = inv * inv;
    let series = inv
        * i2
        * (1.0 / 6.0
            - i2 * (1.0 / 30.0
                - i2 * (1.0 / 42.0
                    - i2 * (1.0 / 30.0
                        - i2 * (5.0 / 66.0 - i2 * (691.0 / 2730.0 - i2 * 7.0 / 6.0))))));
    acc + inv + 0.5 * i2 + series
}

/// ln B(a, b) for finite a, b > 0, accurate also when one argument is huge and the other small.
///
/// # Formula
/// B(a, b) = Γ(a)Γ(b)/Γ(a+b). With p = min(a, b), q = max(a, b) and the Stirling remainder
/// δ(x) = ln Γ(x) − [(x−½)ln x − x + ½ ln 2π]:
///
/// * p ≥ 10: ln B = −½ ln q + ½ ln 2π + δ(p) + δ(q) − δ(p+q) + (p−½) ln(p/(p+q)) + q·ln(1 − p/(p+q));
/// * p < 10 ≤ q: ln B = ln Γ(p) + δ(q) − δ(p+q) + p − p·ln(p+q) + (q−½)·ln(1 − p/(p+q));
/// * otherwise ln Γ(p) + ln Γ(q) − ln Γ(p+q).
///
/// The first two forms cancel ln Γ(q) against ln Γ(p+q) analytically: computed numerically, two
/// values of ~1.3e7 (q = 1e6) would leave an absolute error of ~1e-9 in a result of ~−10.
///
/// # Domain
/// NaN unless both arguments are positive (see [`ln_gamma`]).
pub fn ln_beta(a: f64, b: f64) -> f64 {
    if !(a > 0.0 && b > 0.0) {
        return f64::NAN;
    }
    let (p, q) = if a <= b { (a, b) } else { (b, a) };
    let pq = p + q;
    // ln(q/(p+q)) = ln(1 − p/(p+q)), accurate through ln_1p when p ≪ q.
    let ln_q_over_pq = (-p / pq).ln_1p();
    if p >= 10.0 {
        const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
        -0.5 * q.ln() + LN_SQRT_2PI + stirling_remainder(p) + stirling_remainder(q)
            - stirling_remainder(pq)
            + (p - 0.5) * (p / pq).ln()
            + q * ln_q_over_pq
    } else if q >= 10.0 {
        ln_gamma(p) + (stirling_remainder(q) - stirling_remainder(pq)) + p - p * pq.ln()
            + (q - 0.5) * ln_q_over_pq
    } else {
        ln_gamma(p) + ln_gamma(q) - ln_gamma(pq)
    }
}

/// δ(x) = ln Γ(x) − [(x−½)ln x − x + ½ ln 2π] for x ≥ 10, by its asymptotic series
/// Σ B₂ₖ/(2k(2k−1)x^(2k−1)), k = 1..8: the first omitted term is below 2e-18 at x = 10.
fn stirling_remainder(x: f64) -> f64 {
    debug_assert!(x >= 10.0);
    const C: [f64; 8] = [
        1.0 / 12.0,
        -1.0 / 360.0,
        1.0 / 1260.0,
        -1.0 / 1680.0,
        1.0 / 1188.0,
        -691.0 / 360_360.0,
        1.0 / 156.0,
        -3617.0 / 122_400.0,
    ];
    let y = 1.0 / (x * x);
    C.iter().rev().fold(0.0, |acc, &c| acc * y + c) / x
}

/// Gauss 2F1(a, b; c; z) for finite real a, b, c (c not 0, −1, −2, …) and z < 1.
///
/// # Formula
/// 2F1(a, b; c; z) = Σₙ (a)ₙ(b)ₙ/((c)ₙ n!) zⁿ, continued analytically to z < −1.
///
/// Method (see the module docs): for z < 0 Pfaff's transformation
/// 2F1(a, b; c; z) = (1−z)^(−a)·2F1(a, c−b; c; z/(z−1)) brings the argument into [0, 1); there the
/// series, Euler-transformed when a + b > c, and past [`SERIES_CAP`] terms Taylor steps of the
/// differential equation towards z.
///
/// # Errors
/// [`SpecialError::Domain`] for non-finite input, z ≥ 1, c a non-positive integer, or a value too
/// large for f64 (use [`ln_hyp2f1_positive`] or [`bgnbd_transformed_2f1`] then);
/// [`SpecialError::NotConverged`] if a sum does not settle (parameters far outside the model ranges).
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64, SpecialError> {
    hyp2f1_scaled(a, b, c, z)?.to_f64()
}

/// ln 2F1(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1, where every term of the series is positive and
/// the value itself may overflow f64 (Pareto/NBD with heavy buyers).
///
/// # Formula
/// ln Σₙ (a)ₙ(b)ₙ/((c)ₙ n!) zⁿ. When c = a + 1 (or c = b + 1), the Pareto/NBD shape, and the series
/// would need more than [`SERIES_CAP`] terms:
/// 2F1(a, b; a+1; z) = a·∫₀¹ t^(a−1)(1−zt)^(−b) dt, split at t = ½: the left part is
/// 2^(−a)/a·2F1(a, b; a+1; z/2) (a fast series), the right part is integrated by Gauss–Legendre
/// after the substitution w = ln(1 + z(1−t)/(1−z)), which turns the near-pole (1−zt)^(−b) at
/// t = 1/z into the smooth factor e^((1−b)w).
///
/// # Errors
/// [`SpecialError::Domain`] unless a, b, c > 0 (finite) and 0 ≤ z < 1;
/// [`SpecialError::NotConverged`] if a sum does not settle.
pub fn ln_hyp2f1_positive(a: f64, b: f64, c: f64, z: f64) -> Result<f64, SpecialError> {
    if !(a > 0.0 && b > 0.0 && c > 0.0 && a.is_finite() && b.is_finite() && c.is_finite()) {
        return Err(SpecialError::Domain(
            "ln_hyp2f1_positive needs finite a, b, c > 0",
        ));
    }
    if !(0.0..1.0).contains(&z) {
        return Err(SpecialError::Domain("ln_hyp2f1_positive needs 0 ≤ z < 1"));
    }
    // c = a + 1 as the caller computed it, so allow the rounding of that one addition.
    let is_plus_one = |p: f64| (c - (p + 1.0)).abs() <= 4.0 * f64::EPSILON * c;
    let pareto = if is_plus_one(a) {
        Some((a, b))
    } else if is_plus_one(b) {
        Some((b, a))
    } else {
        None
    };
    let value = match pareto {
        Some((p, q)) => match unit_series(p, q, c, z, SERIES_CAP) {
            Some(s) => s,
            None => return ln_hyp2f1_plus_one_integral(p, q, z),
        },
        None => unit_interval(a, b, c, z)?,
    };
    value.ln_positive()
}

/// (1−z)^(r+x)·2F1(r+x, b+x; a+b+x−1; z), the hypergeometric factor of the BG/NBD conditional
/// expectation, for r, a, b > 0, x ≥ 0 (the customer's repeat count) and 0 ≤ z < 1, where
/// z = t/(α+T+t).
///
/// The BG/NBD expectation is E[X(t) | x, t_x, T] =
/// (a+b+x−1)/(a−1)·[1 − this value] / [1 + 1{x>0}·a/(b+x−1)·((α+T)/(α+t_x))^(r+x)];
/// with the power factor folded in, the value stays in (0, ~1/(1−z)^(1−a)] and cannot overflow.
///
/// # Formula
/// Euler's transformation with c = a+b+x−1:
/// (1−z)^(r+x)·2F1(r+x, b+x; c; z) = (1−z)^(a−1)·2F1(a+b−1−r, a−1; c; z).
/// The right-hand series has terms ~ n^(a−r−x−2)·zⁿ, so for x ≥ 1 it settles in a few dozen terms;
/// for a = 1 it is exactly 1. Past [`SERIES_CAP`] terms (small x, z → 1) Taylor steps take over.
///
/// # Errors
/// [`SpecialError::Domain`] for parameters outside the domain above or c = a+b+x−1 a non-positive
/// integer (x = 0 and a + b = 1, where the expectation's prefactor c vanishes too and the caller
/// needs the limit); [`SpecialError::NotConverged`] if a sum does not settle.
pub fn bgnbd_transformed_2f1(r: f64, a: f64, b: f64, x: f64, z: f64) -> Result<f64, SpecialError> {
    let finite = r.is_finite() && a.is_finite() && b.is_finite() && x.is_finite();
    if !(finite && r > 0.0 && a > 0.0 && b > 0.0 && x >= 0.0) {
        return Err(SpecialError::Domain(
            "bgnbd_transformed_2f1 needs finite r, a, b > 0, x ≥ 0",
        ));
    }
    if !(0.0..1.0).contains(&z) {
        return Err(SpecialError::Domain(
            "bgnbd_transformed_2f1 needs 0 ≤ z < 1",
        ));
    }
    if a == 1.0 {
        // 2F1(r+x, b+x; b+x; z) = (1−z)^(−(r+x)) exactly.
        return Ok(1.0);
    }
    let c = sum_compensated(&[a, b, x, -1.0]);
    check_c(c)?;
    // The transformed form first (STACK.md's measured choice); when its signs cancel (a+b−1−r or
    // a−1 negative, z near 1), the direct form, whose terms are all positive when c > 0.
    // The parameters are formed from r, a, b, x directly, not as c − (r+x): at x = 5000 that
    // difference would carry an absolute error of ~1e-12.
    // ln(1−z) through ln_1p: exact enough for tiny z, and 1−z itself is exact for z ≥ ½.
    let ln_1mz = (-z).ln_1p();
    let transformed = Form {
        a: sum_compensated(&[a, b, -1.0, -r]),
        b: a - 1.0,
        c,
        ln_prefactor: (a - 1.0) * ln_1mz,
    };
    let direct = Form {
        a: r + x,
        b: b + x,
        c,
        ln_prefactor: (r + x) * ln_1mz,
    };
    best_form(z, transformed, direct)?.to_f64()
}

// ---------------------------------------------------------------------------------------------
// Internals
// ---------------------------------------------------------------------------------------------

/// A value m·e^s with the exponent kept apart, so that intermediate magnitudes cannot overflow.
#[derive(Debug, Clone, Copy)]
struct Scaled {
    m: f64,
    s: f64,
}

impl Scaled {
    fn times_exp(self, ds: f64) -> Self {
        Scaled {
            m: self.m,
            s: self.s + ds,
        }
    }

    fn to_f64(self) -> Result<f64, SpecialError> {
        if self.m == 0.0 {
            return Ok(0.0);
        }
        // The direct product is exact enough whenever e^s is a normal number; the log route only
        // for exponents beyond f64's range (mantissa and factor on opposite sides of it).
        let factor = self.s.exp();
        if factor.is_normal() {
            let v = self.m * factor;
            if v.is_normal() {
                return Ok(v);
            }
        }
        let v = self.m.signum() * (self.m.abs().ln() + self.s).exp();
        if v.is_finite() {
            Ok(v)
        } else {
            Err(SpecialError::Domain("2F1 value outside the range of f64"))
        }
    }

    fn ln_positive(self) -> Result<f64, SpecialError> {
        if self.m > 0.0 && self.m.is_finite() && self.s.is_finite() {
            Ok(self.m.ln() + self.s)
        } else {
            Err(SpecialError::Domain("2F1 sum not positive and finite"))
        }
    }
}

fn check_c(c: f64) -> Result<(), SpecialError> {
    if c <= 0.0 && c == c.round() {
        Err(SpecialError::Domain("2F1 with c a non-positive integer"))
    } else {
        Ok(())
    }
}

fn hyp2f1_scaled(a: f64, b: f64, c: f64, z: f64) -> Result<Scaled, SpecialError> {
    if !(a.is_finite() && b.is_finite() && c.is_finite() && z.is_finite()) {
        return Err(SpecialError::Domain("2F1 needs finite arguments"));
    }
    if z >= 1.0 {
        return Err(SpecialError::Domain("2F1 needs z < 1"));
    }
    check_c(c)?;
    if z < 0.0 {
        // Pfaff: 2F1(a, b; c; z) = (1−z)^(−a)·2F1(a, c−b; c; z/(z−1)), with z/(z−1) ∈ (0, 1).
        let w = z / (z - 1.0);
        return Ok(unit_interval(a, c - b, c, w)?.times_exp(-a * (-z).ln_1p()));
    }
    unit_interval(a, b, c, z)
}

/// 2F1 for 0 ≤ z < 1: series (Euler-transformed when that decays faster), else Taylor stepping.
fn unit_interval(a: f64, b: f64, c: f64, z: f64) -> Result<Scaled, SpecialError> {
    // A terminating series (a or b a non-positive integer) is a polynomial: sum it as it is.
    let terminates = |p: f64| p <= 0.0 && p == p.round();
    if terminates(a) || terminates(b) {
        return one_form(a, b, c, z).map(|(v, _)| v);
    }
    let ln_1mz = (-z).ln_1p();
    let direct = Form {
        a,
        b,
        c,
        ln_prefactor: 0.0,
    };
    let transformed = Form {
        a: c - a,
        b: c - b,
        c,
        ln_prefactor: (c - a - b) * ln_1mz,
    };
    // The transformed series decays faster when a + b > c (terms ~ n^(c−a−b−1) against
    // n^(a+b−c−1)).
    if a + b > c {
        best_form(z, transformed, direct)
    } else {
        best_form(z, direct, transformed)
    }
}

/// The Gauss series at 0 ≤ z < 1 with its derivative: (F, F', κ), F and F' sharing one exponent,
/// κ = Σ|tₙ|/|Σtₙ| the cancellation factor (about κ·1e-16 relative error). `None` when it has not
/// settled within `cap` terms.
fn series_with_derivative(
    a: f64,
    b: f64,
    c: f64,
    z: f64,
    cap: usize,
) -> Option<(Scaled, f64, f64)> {
    let mut term = 1.0_f64;
    let mut sum = 1.0_f64;
    let mut abs_sum = 1.0_f64;
    // Σ n·tₙ, so that F' = dsum/z.
    let mut dsum = 0.0_f64;
    let mut s = 0.0_f64;
    // Past this index every factor (p + n) is positive, so a small term is not a transient dip
    // next to a parameter crossing zero.
    let settled_after = (-a).max(-b).max(-c).max(0.0);
    for n in 0..cap {
        let nf = n as f64;
        let ratio = (a + nf) * (b + nf) / ((c + nf) * (nf + 1.0)) * z;
        term *= ratio;
        sum += term;
        abs_sum += term.abs();
        dsum += (nf + 1.0) * term;
        let kappa = abs_sum / sum.abs();
        if term == 0.0 {
            return Some((Scaled { m: sum, s }, dsum, kappa));
        }
        if term.abs() > RESCALE_AT || dsum.abs() > RESCALE_AT || abs_sum > RESCALE_AT {
            term /= RESCALE_AT;
            sum /= RESCALE_AT;
            abs_sum /= RESCALE_AT;
            dsum /= RESCALE_AT;
            s += RESCALE_AT.ln();
        }
        if nf >= settled_after
            && ratio.abs() < 1.0
            && term.abs() <= SERIES_TOL * sum.abs()
            && ((nf + 1.0) * term).abs() <= SERIES_TOL * dsum.abs().max(sum.abs())
        {
            return Some((Scaled { m: sum, s }, dsum, kappa));
        }
        if !sum.is_finite() {
            return None;
        }
    }
    None
}

/// The series alone (the derivative costs one multiply-add, so share the code).
fn unit_series(a: f64, b: f64, c: f64, z: f64, cap: usize) -> Option<Scaled> {
    unit_series_kappa(a, b, c, z, cap).map(|(f, _)| f)
}

/// The series and its cancellation factor κ.
fn unit_series_kappa(a: f64, b: f64, c: f64, z: f64, cap: usize) -> Option<(Scaled, f64)> {
    if z == 0.0 {
        return Some((Scaled { m: 1.0, s: 0.0 }, 1.0));
    }
    series_with_derivative(a, b, c, z, cap).map(|(f, _, kappa)| (f, kappa))
}

/// Cancellation factor above which the other Euler form is tried: 1e3 costs three digits, which
/// leaves 1e-13 of the 1e-12 target.
const KAPPA_TRY_OTHER: f64 = 1e3;

/// 2F1(a, b; c; z) at 0 ≤ z < 1 from one form, with its cancellation factor (taken as 1 for Taylor
/// stepping, which starts from a series at z = ½ where little cancels).
fn one_form(a: f64, b: f64, c: f64, z: f64) -> Result<(Scaled, f64), SpecialError> {
    match unit_series_kappa(a, b, c, z, SERIES_CAP) {
        Some(found) => Ok(found),
        None => Ok((unit_ode(a, b, c, z)?, 1.0)),
    }
}

/// One way to write a 2F1 value: e^ln_prefactor·2F1(a, b; c; z).
#[derive(Debug, Clone, Copy)]
struct Form {
    a: f64,
    b: f64,
    c: f64,
    ln_prefactor: f64,
}

/// The first form unless it cancels by more than [`KAPPA_TRY_OTHER`]; then whichever of the two
/// cancels less. Sign changes come from negative parameters, which the other Euler form often lacks.
fn best_form(z: f64, first: Form, other: Form) -> Result<Scaled, SpecialError> {
    let eval = |f: Form| one_form(f.a, f.b, f.c, z).map(|(v, k)| (v.times_exp(f.ln_prefactor), k));
    let tried = eval(first);
    if let Ok((v, k)) = tried
        && k <= KAPPA_TRY_OTHER
    {
        return Ok(v);
    }
    match (tried, eval(other)) {
        (Ok((v1, k1)), Ok((v2, k2))) => Ok(if k2 < k1 { v2 } else { v1 }),
        (Ok((v, _)), Err(_)) | (Err(_), Ok((v, _))) => Ok(v),
        (Err(e), Err(_)) => Err(e),
    }
}

/// Σ xs with Neumaier's compensation: parameter combinations such as a + b + x − 1 come out
/// correctly rounded even when they nearly cancel (c = a+b−1 ≈ 1e-8 would otherwise carry a
/// relative error of 1e-8 and pass it on to a 2F1 that behaves like 1/c).
fn sum_compensated(xs: &[f64]) -> f64 {
    let mut sum = 0.0_f64;
    let mut err = 0.0_f64;
    for &x in xs {
        let t = sum + x;
        err += if sum.abs() >= x.abs() {
            (sum - t) + x
        } else {
            (x - t) + sum
        };
        sum = t;
    }
    sum + err
}

/// 2F1 at z ∈ (½, 1) by Taylor steps of the hypergeometric equation
/// z(1−z)F'' + [c − (a+b+1)z]F' − abF = 0, starting from the series at z₀ = ½.
///
/// Around a point z_k the Taylor coefficients obey
/// f_{n+2} = [(n+a)(n+b)·f_n − (n+1)((1−2z_k)n + c − (a+b+1)z_k)·f_{n+1}] / (z_k(1−z_k)(n+1)(n+2)),
/// and their radius of convergence is 1 − z_k (the singular point 1); stepping half of it makes the
/// terms fall like 2^(−n). Marching towards the singular point is stable: whichever of the two local
/// solutions (regular, or ~(1−z)^(c−a−b)) dominates F keeps dominating the errors too.
fn unit_ode(a: f64, b: f64, c: f64, z: f64) -> Result<Scaled, SpecialError> {
    let z0 = 0.5_f64;
    if z <= z0 {
        return unit_series(a, b, c, z, SERIES_CAP_HALF).ok_or(SpecialError::NotConverged {
            terms: SERIES_CAP_HALF,
        });
    }
    let (start, dsum, _) =
        series_with_derivative(a, b, c, z0, SERIES_CAP_HALF).ok_or(SpecialError::NotConverged {
            terms: SERIES_CAP_HALF,
        })?;
    let mut f = start.m;
    let mut df = dsum / z0;
    let mut s = start.s;
    let mut zk = z0;
    while zk < z {
        // 1 − zk is exact here (Sterbenz: zk ≥ ½).
        let one_minus = 1.0 - zk;
        let half = 0.5 * one_minus;
        let last = z - zk <= half;
        let h = if last { z - zk } else { half };
        let p0 = zk * one_minus;
        let p1 = 1.0 - 2.0 * zk;
        let q0 = c - (a + b + 1.0) * zk;
        // g_n = f_n·hⁿ keeps the terms O(1) whatever the step.
        let (mut g0, mut g1) = (f, df * h);
        let mut value = g0 + g1;
        let mut deriv_h = g1; // h·F'(zk + h) = Σ n·g_n
        let mut converged = false;
        for n in 0..TAYLOR_CAP {
            let nf = n as f64;
            let g2 = ((nf + a) * (nf + b) * g0 * h * h - (nf + 1.0) * (p1 * nf + q0) * g1 * h)
                / (p0 * (nf + 1.0) * (nf + 2.0));
            value += g2;
            deriv_h += (nf + 2.0) * g2;
            let small =
                |g: f64, k: f64| (k * g).abs() <= SERIES_TOL * value.abs().max(deriv_h.abs());
            if nf > 2.0 && small(g1, nf + 1.0) && small(g2, nf + 2.0) {
                converged = true;
                break;
            }
            if !value.is_finite() {
                break;
            }
            g0 = g1;
            g1 = g2;
        }
        if !converged {
            return Err(SpecialError::NotConverged { terms: TAYLOR_CAP });
        }
        f = value;
        df = deriv_h / h;
        // Renormalise so that F stays O(1) however large the function grows towards 1.
        let scale = f.abs();
        if scale > 0.0 && scale.is_finite() {
            f /= scale;
            df /= scale;
            s += scale.ln();
        }
        zk = if last { z } else { zk + h };
    }
    Ok(Scaled { m: f, s })
}

/// ln 2F1(p, q; p+1; z) for p, q > 0 and ½ ≤ z < 1 through Euler's integral (see
/// [`ln_hyp2f1_positive`]): p·[∫₀^½ + ∫_½^1] t^(p−1)(1−zt)^(−q) dt.
fn ln_hyp2f1_plus_one_integral(p: f64, q: f64, z: f64) -> Result<f64, SpecialError> {
    if z < 0.5 {
        // Not reached from the public functions (the series settles there); kept total anyway.
        return unit_series(p, q, p + 1.0, z, SERIES_CAP_HALF)
            .ok_or(SpecialError::NotConverged {
                terms: SERIES_CAP_HALF,
            })?
            .ln_positive();
    }
    // Left: ∫₀^½ t^(p−1)(1−zt)^(−q) dt = 2^(−p)/p·2F1(p, q; p+1; z/2), a series with ratio ≤ ½.
    let left =
        unit_series(p, q, p + 1.0, 0.5 * z, SERIES_CAP_HALF).ok_or(SpecialError::NotConverged {
            terms: SERIES_CAP_HALF,
        })?;
    let ln_left = -p * LN_2 - p.ln() + left.ln_positive()?;

    // Right: with v = 1 − t, ε = 1 − z and w = ln(1 + zv/ε), 1 − zt = ε·e^w and
    // ∫_½^1 … dt = ε^(1−q)/z · ∫₀^W exp((p−1)·ln(1−v) + (1−q)·w) dw, W = ln(1 + z/(2ε)).
    let eps = 1.0 - z;
    let w_end = (z / (2.0 * eps)).ln_1p();
    let phi = |w: f64| {
        let v = eps * w.exp_m1() / z;
        ((p - 1.0) * (-v).ln_1p() + (1.0 - q) * w).exp()
    };
    // Near w = 0 the integrand varies on the scale 1/|φ'(0)| (φ'(0) = −(p−1)ε/z + 1 − q; e.g.
    // p = 5000, ε = 1e-6 gives a decay over w ~ 200); panels doubling from that scale up to W
    // resolve every scale in between with ~log₂(W·|φ'(0)|) panels.
    let slope = ((p - 1.0) * eps / z).abs() + (1.0 - q).abs();
    let mut h = (1.0 / slope.max(1e-300)).min(0.25).min(w_end);
    let mut edges = vec![0.0];
    let mut w = 0.0;
    while w < w_end {
        w = (w + h).min(w_end);
        edges.push(w);
        h *= 2.0;
    }
    let coarse: Vec<f64> = edges
        .windows(2)
        .map(|e| gauss_legendre(&phi, e[0], e[1]))
        .collect();
    let total_estimate: f64 = coarse.iter().sum();
    if !(total_estimate > 0.0 && total_estimate.is_finite()) {
        return Err(SpecialError::Domain(
            "Euler integral of 2F1 not positive and finite",
        ));
    }
    let tol = 1e-16 * total_estimate;
    let total: f64 = edges
        .windows(2)
        .zip(&coarse)
        .map(|(e, &whole)| adaptive(&phi, e[0], e[1], whole, tol, 12))
        .sum();
    let ln_right = (1.0 - q) * eps.ln() - z.ln() + total.ln();

    let hi = ln_left.max(ln_right);
    let ln_integral = hi + ((ln_left - hi).exp() + (ln_right - hi).exp()).ln();
    let out = p.ln() + ln_integral;
    if out.is_finite() {
        Ok(out)
    } else {
        Err(SpecialError::Domain("Euler integral of 2F1 not finite"))
    }
}

/// Gauss–Legendre nodes and weights of order 20 on [−1, 1], computed once by Newton's method on
/// P₂₀ (to the last bit, which avoids copying 40 constants by hand).
fn gauss_legendre_nodes() -> &'static [(f64, f64); 20] {
    static NODES: OnceLock<[(f64, f64); 20]> = OnceLock::new();
    NODES.get_or_init(|| {
        const N: usize = 20;
        let mut out = [(0.0, 0.0); N];
        for (i, slot) in out.iter_mut().enumerate() {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (N as f64 + 0.5)).cos();
            let mut dp = 1.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0, x);
                for k in 2..=N {
                    let kf = k as f64;
                    let p2 = ((2.0 * kf - 1.0) * x * p1 - (kf - 1.0) * p0) / kf;
                    p0 = p1;
                    p1 = p2;
                }
                dp = N as f64 * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / dp;
                x -= dx;
                if dx.abs() < 1e-17 {
                    break;
                }
            }
            *slot = (x, 2.0 / ((1.0 - x * x) * dp * dp));
        }
        out
    })
}

fn gauss_legendre(f: &impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    let mid = 0.5 * (lo + hi);
    let half = 0.5 * (hi - lo);
    half * gauss_legendre_nodes()
        .iter()
        .map(|&(x, w)| w * f(mid + half * x))
        .sum::<f64>()
}

/// Bisects until the two halves agree with the whole to `tol` (absolute) or to rounding. The
/// tolerance is not halved on the way down and the depth is small: an order-20 rule converges so
/// fast on these analytic integrands that a panel is either resolved after a few bisections or
/// not resolvable at all, and an unreachable tolerance must not cost 2^depth evaluations.
fn adaptive(f: &impl Fn(f64) -> f64, lo: f64, hi: f64, whole: f64, tol: f64, depth: u32) -> f64 {
    let mid = 0.5 * (lo + hi);
    let left = gauss_legendre(f, lo, mid);
    let right = gauss_legendre(f, mid, hi);
    let diff = (left + right - whole).abs();
    if depth == 0 || diff <= tol || diff <= 8.0 * f64::EPSILON * (left + right).abs() {
        left + right
    } else {
        adaptive(f, lo, mid, left, tol, depth - 1) + adaptive(f, mid, hi, right, tol, depth - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digamma_known_values_and_derivative_of_ln_gamma() {
        let euler = 0.577_215_664_901_532_9;
        for (x, want) in [
            (1.0, -euler),
            (0.5, -euler - 2.0 * std::f64::consts::LN_2),
            (100.0, 4.600_161_852_738_087),
            // ψ(x) = −1/x − γ + ζ(2)x − ζ(3)x² + ζ(4)x³ − …
            (
                1e-3,
                -1000.0 - euler + 1.644_934_066_848_226_4e-3 - 1.202_056_903_159_594e-6
                    + 1.082_323_233_711_138e-9,
            ),
        ] {
            let got = digamma(x);
            assert!(
                (got - want).abs() < 2e-14 * want.abs().max(1.0),
                "ψ({x}) = {got}, want {want}"
            );
        }
        for x in [0.3, 2.7, 9.99, 10.01, 57.0, 3000.5] {
            let h = 1e-5 * x;
            let fd = (ln_gamma(x + h) - ln_gamma(x - h)) / (2.0 * h);
            assert!((digamma(x) - fd).abs() < 1e-7 * fd.abs().max(1.0), "{x}");
        }
        assert!(digamma(0.0).is_nan() && digamma(-1.0).is_nan());
    }

    #[test]
    fn trigamma_known_values_and_derivative_of_digamma() {
        // scipy.special.polygamma(1, x); ψ₁(1) = π²/6, ψ₁(½) = π²/2, ψ₁(¼) = π² + 8G.
        for (x, want) in [
            (1e-3, 1_000_001.642_533_195_9),
            (0.25, 17.197_329_154_507_113),
            (0.5, 4.934_802_200_544_679),
            (1.0, 1.644_934_066_848_226_4),
            (2.0, 0.644_934_066_848_226_4),
            (3.7, 0.310_037_857_670_038_33),
            (9.99, 0.105_276_950_148_241_76),
            (10.0, 0.105_166_335_681_685_76),
            (10.5, 0.099_916_956_059_126_73),
            (50.0, 0.020_201_333_226_697_128),
            (1234.5, 0.000_810_372_727_126_966_8),
            (1e6, 1.000_000_500_000_166_7e-6),
        ] {
            let got = trigamma(x);
            assert!(
                (got - want).abs() < 2e-15 * want.abs(),
                "ψ₁({x}) = {got}, want {want}"
            );
        }
        for x in [0.3, 2.7, 9.99, 10.01, 57.0, 3000.5] {
            let h = 1e-5 * x;
            let fd = (digamma(x + h) - digamma(x - h)) / (2.0 * h);
            assert!((trigamma(x) - fd).abs() < 1e-7 * fd.abs().max(1.0), "{x}");
        }
        assert!(trigamma(0.0).is_nan() && trigamma(-1.0).is_nan());
    }

    #[test]
    fn gauss_legendre_integrates_polynomials_exactly() {
        // Order 20 is exact up to degree 39.
        let got = gauss_legendre(&|x: f64| x.powi(38), -1.0, 1.0);
        assert!((got - 2.0 / 39.0).abs() < 1e-15, "{got}");
        let weights: f64 = gauss_legendre_nodes().iter().map(|&(_, w)| w).sum();
        assert!((weights - 2.0).abs() < 1e-15);
    }

    #[test]
    fn integral_and_taylor_steps_agree() {
        // The two z → 1 methods on the Pareto/NBD shape, where both apply.
        for &(p, q, z) in &[
            (2.5, 1.3, 0.999_99),
            (0.05, 0.02, 0.9),
            (40.0, 3.0, 1.0 - 1e-6),
            (1.7, 1.0, 0.99),
        ] {
            let by_integral = ln_hyp2f1_plus_one_integral(p, q, z).unwrap();
            let by_steps = unit_ode(p, q, p + 1.0, z).unwrap().ln_positive().unwrap();
            let scale = by_integral.abs().max(1.0);
            assert!(
                (by_integral - by_steps).abs() < 1e-13 * scale,
                "{p} {q} {z}: {by_integral} vs {by_steps}"
            );
        }
    }

    #[test]
    fn compensated_sum_keeps_small_c() {
        let (a, b) = (0.3, 0.7 + 1e-9);
        let c = sum_compensated(&[a, b, 0.0, -1.0]);
        // 0.3 + (0.7 + 1e-9) − 1 in exact arithmetic of the two doubles.
        assert!((c - 1e-9).abs() < 1e-16, "{c}");
    }
}
