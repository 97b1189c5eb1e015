//! Special functions the models need: log-gamma, log-beta and the Gauss hypergeometric function 2F1.
//!
//! SEED VERSION: naive implementations so that model code can compile against the final signatures.
//! The special-functions work replaces the bodies (not the signatures) with accurate ones.

/// Why a special function could not produce a finite value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SpecialError {
    #[error("argument outside the supported domain: {0}")]
    Domain(&'static str),
    #[error("series did not converge after {terms} terms")]
    NotConverged { terms: usize },
}

/// ln Γ(x) for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b) for a, b > 0.
pub fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

/// Gauss 2F1(a, b; c; z) for real a, b, c (c not a non-positive integer) and z < 1.
pub fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64, SpecialError> {
    let mut sum = 1.0;
    let mut term = 1.0;
    for n in 0..100_000 {
        let n = n as f64;
        term *= (a + n) * (b + n) / ((c + n) * (n + 1.0)) * z;
        sum += term;
        if term.abs() <= 1e-17 * sum.abs() {
            return Ok(sum);
        }
    }
    Err(SpecialError::NotConverged { terms: 100_000 })
}

/// ln 2F1(a, b; c; z) for a, b, c > 0 and 0 ≤ z < 1, where every term of the series is positive and
/// the value itself may overflow f64 (Pareto/NBD with heavy buyers).
pub fn ln_hyp2f1_positive(a: f64, b: f64, c: f64, z: f64) -> Result<f64, SpecialError> {
    hyp2f1(a, b, c, z).map(f64::ln)
}
