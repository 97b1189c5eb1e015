//! Named tolerances for the statistics tests: every numeric comparison in the survey, uplift,
//! contact-policy and portfolio tests uses one of these, so "how close is close" is decided in
//! one place and for a stated reason.

/// Closed-form formulas evaluated in double precision against a 50-digit reference (mpmath) or
/// against the same formula written out by hand: a few ulps of rounding, with room for the
/// dozen floating-point operations in between.
pub const CLOSED_FORM: f64 = 1e-12;

/// Iterative or series evaluations (incomplete beta continued fraction, bisection for a
/// quantile, hypergeometric sums) against a 50-digit reference.
pub const ITERATIVE: f64 = 1e-9;

/// The Student t tail at 10⁵..10⁷ degrees of freedom: `lgamma` of arguments near 10⁶ carries an
/// absolute rounding of about 1e−10 into an exponent, and the tail at t = 30 is an
/// exponential of a number near −450, so relative errors up to a few 1e−8 are expected.
pub const LARGE_DF: f64 = 1e-7;

/// Values read from a published table rounded to 4 decimals: half a unit of the last digit.
pub const PUBLISHED_4_DIGITS: f64 = 0.000_05 + 1e-12;

/// Coverage of a nominal 95% interval over 2,000 simulated studies: the binomial standard
/// error of the observed rate is √(0.95 · 0.05 / 2000) = 0.49 percentage points, so 93.5%..96.5%
/// is ±3 standard errors (a correct interval fails this about 1 run in 370; the seeds are fixed,
/// so a pass is reproducible).
pub const COVERAGE_95: std::ops::RangeInclusive<f64> = 0.935..=0.965;
