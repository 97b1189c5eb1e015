//! Statistical building blocks shared by the survey (NPS, CSAT), campaign-uplift and
//! improvement-check statistics: the normal and Student t distributions, proportions with
//! Wilson intervals, the difference of two proportions (Newcombe's hybrid score interval, the
//! pooled z-test, Fisher's exact test) and Welch's difference of two means.
//!
//! Everything here is total: undefined quantities (a proportion of nobody, the variance of one
//! value) are `None`, degenerate but defined cases (every answer the same) have documented
//! values, and no function returns NaN for finite input. Probabilities are in `0..=1`; intervals
//! are two-sided 95% unless said otherwise.

/// The 97.5% quantile of the standard normal distribution, Φ⁻¹(0.975), to double precision:
/// the multiplier of a two-sided 95% interval.
pub const Z_95: f64 = 1.959_963_984_540_054;

/// The significance level the reports use unless configured otherwise.
pub const DEFAULT_ALPHA: f64 = 0.05;

/// A closed interval `[lo, hi]` (`lo <= hi`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

impl Interval {
    /// Whether `x` lies inside the interval (bounds included).
    pub fn contains(self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }

    pub fn width(self) -> f64 {
        self.hi - self.lo
    }

    /// The interval with both ends clamped to `[min, max]`.
    pub fn clamped(self, min: f64, max: f64) -> Interval {
        Interval {
            lo: self.lo.clamp(min, max),
            hi: self.hi.clamp(min, max),
        }
    }

    /// Both ends multiplied by `k` (`k >= 0`), e.g. a share interval in percentage points.
    pub fn scaled(self, k: f64) -> Interval {
        Interval {
            lo: self.lo * k,
            hi: self.hi * k,
        }
    }
}

/// Standard normal cumulative distribution function Φ(x).
///
/// # Formula
/// Φ(x) = ½ erfc(−x/√2), with `erfc` from the `libm` crate (a port of musl's, itself Sun's
/// fdlibm: error below 1 ulp), so both tails keep full relative precision (Φ(−8) = 6.22e−16,
/// not 0 from `1 − Φ(8)`).
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Two-sided p-value of a standard normal statistic: P(|Z| ≥ |z|) = erfc(|z|/√2).
/// `z = ±∞` gives 0.
pub fn normal_two_sided_p(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2).min(1.0)
}

/// Degrees of freedom above which the Student t distribution is replaced by the normal: the
/// 97.5% quantiles differ by 2.4e−7 there (1.9599642 against 1.9599640), far below anything
/// a report shows, and the incomplete beta function's continued fraction would need thousands
/// of terms.
const T_AS_NORMAL_DF: f64 = 1e7;

/// Upper tail of Student's t distribution, P(T ≥ t) with `df` degrees of freedom (`df > 0`).
/// Returns `None` when `df` is not a positive finite number.
///
/// # Formula
/// For t ≥ 0, P(T ≥ t) = ½ I_x(df/2, ½) with x = df / (df + t²) and I the regularized
/// incomplete beta function (continued fraction, modified Lentz; Numerical Recipes §6.4);
/// P(T ≥ −t) = 1 − P(T ≥ t). Above 10⁷ degrees of freedom the normal tail is used.
pub fn student_t_sf(t: f64, df: f64) -> Option<f64> {
    if !(df > 0.0 && df.is_finite()) || t.is_nan() {
        return None;
    }
    if df > T_AS_NORMAL_DF {
        return Some(normal_cdf(-t));
    }
    let t2 = t * t;
    let upper = if t2.is_infinite() {
        0.0
    } else {
        // x and 1 − x computed separately, so neither loses digits to cancellation.
        let x = df / (df + t2);
        let one_minus_x = t2 / (df + t2);
        0.5 * regularized_incomplete_beta(df / 2.0, 0.5, x, one_minus_x)
    };
    Some(if t >= 0.0 { upper } else { 1.0 - upper })
}

/// Two-sided p-value of a t statistic: P(|T| ≥ |t|); `None` when `df` is not positive.
pub fn student_t_two_sided_p(t: f64, df: f64) -> Option<f64> {
    student_t_sf(t.abs(), df).map(|p| (2.0 * p).min(1.0))
}

/// The t with P(T ≥ t) = `upper_tail` for `upper_tail` in `(0, 0.5]`, e.g. 0.025 for a 95%
/// interval; `None` outside that range or for a non-positive `df`.
///
/// Found by bisection on [`student_t_sf`] to a relative precision of 1e−14 (the tail is
/// monotone, so bisection cannot fail to converge).
pub fn student_t_upper_quantile(upper_tail: f64, df: f64) -> Option<f64> {
    // Written with `contains` so that NaN falls outside too.
    let valid_df = df > 0.0 && df.is_finite();
    if !valid_df || !(f64::MIN_POSITIVE..=0.5).contains(&upper_tail) {
        return None;
    }
    if upper_tail == 0.5 {
        return Some(0.0);
    }
    let mut lo = 0.0;
    let mut hi = 1.0;
    // P(T ≥ hi) falls below any positive tail after finitely many doublings: at df = 1 (the
    // heaviest tail used) P(T ≥ 2^k) ≈ 1/(π 2^k).
    while student_t_sf(hi, df)? > upper_tail {
        lo = hi;
        hi *= 2.0;
        if hi > 1e300 {
            return None;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if student_t_sf(mid, df)? > upper_tail {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-14 * hi {
            break;
        }
    }
    Some(0.5 * (lo + hi))
}

/// I_x(a, b), given both x and 1 − x (for precision), a, b > 0, x in [0, 1].
fn regularized_incomplete_beta(a: f64, b: f64, x: f64, one_minus_x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if one_minus_x <= 0.0 {
        return 1.0;
    }
    let ln_beta = libm::lgamma(a) + libm::lgamma(b) - libm::lgamma(a + b);
    let ln_front = a * x.ln() + b * one_minus_x.ln() - ln_beta;
    // The continued fraction converges fast below the mean-ish point (a+1)/(a+b+2); above it,
    // use the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
    if x < (a + 1.0) / (a + b + 2.0) {
        (ln_front.exp() * beta_continued_fraction(a, b, x) / a).clamp(0.0, 1.0)
    } else {
        (1.0 - ln_front.exp() * beta_continued_fraction(b, a, one_minus_x) / b).clamp(0.0, 1.0)
    }
}

/// The continued fraction of the incomplete beta function (modified Lentz's method). It needs
/// O(√max(a, b)) terms; 20,000 cover a, b up to the 5·10⁶ that [`T_AS_NORMAL_DF`] allows with a
/// wide margin (the tests evaluate the extremes).
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const MAX_TERMS: u32 = 20_000;
    const EPS: f64 = 1e-16;
    const TINY: f64 = 1e-300;
    let guard = |v: f64| if v.abs() < TINY { TINY } else { v };
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 / guard(1.0 - qab * x / qap);
    let mut h = d;
    for m in 1..=MAX_TERMS {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 / guard(1.0 + aa * d);
        c = guard(1.0 + aa / c);
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < EPS {
            return h;
        }
    }
    debug_assert!(
        false,
        "incomplete beta did not converge for a={a}, b={b}, x={x}"
    );
    h
}

/// A count of successes out of trials, `successes <= trials`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Proportion {
    successes: u64,
    trials: u64,
}

/// A proportion whose successes exceed its trials.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{successes} successes out of {trials} trials")]
pub struct ProportionError {
    pub successes: u64,
    pub trials: u64,
}

impl Proportion {
    pub fn new(successes: u64, trials: u64) -> Result<Proportion, ProportionError> {
        if successes > trials {
            return Err(ProportionError { successes, trials });
        }
        Ok(Proportion { successes, trials })
    }

    pub fn successes(self) -> u64 {
        self.successes
    }

    pub fn trials(self) -> u64 {
        self.trials
    }

    /// successes / trials; `None` with no trials.
    pub fn share(self) -> Option<f64> {
        (self.trials > 0).then(|| self.successes as f64 / self.trials as f64)
    }

    /// Wilson's score interval at 95%; `None` with no trials.
    ///
    /// # Formula
    /// With p̂ = x/n and z = 1.96: centre (p̂ + z²/2n) / (1 + z²/n), half-width
    /// z/(1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²). It stays inside [0, 1] and keeps its coverage
    /// near 95% for small n and for p̂ = 0 or 1, where the Wald interval collapses to a point.
    /// (Wilson 1927; Newcombe 1998, method 3.)
    pub fn wilson_95(self) -> Option<Interval> {
        let p = self.share()?;
        let n = self.trials as f64;
        let z2 = Z_95 * Z_95;
        let denominator = 1.0 + z2 / n;
        let centre = (p + z2 / (2.0 * n)) / denominator;
        let half = Z_95 / denominator * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
        // At p̂ = 0 (or 1) the lower (upper) end is exactly 0 (1) in exact arithmetic.
        let lo = if self.successes == 0 {
            0.0
        } else {
            centre - half
        };
        let hi = if self.successes == self.trials {
            1.0
        } else {
            centre + half
        };
        Some(Interval {
            lo: lo.clamp(0.0, 1.0),
            hi: hi.clamp(0.0, 1.0),
        })
    }
}

/// Which test gave the p-value of a 2×2 comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TwoByTwoTest {
    /// The pooled two-proportion z-test (every expected cell count at least 5).
    PooledZ,
    /// Fisher's exact test, two-sided (some expected cell count below 5).
    FisherExact,
}

impl TwoByTwoTest {
    pub fn as_str(self) -> &'static str {
        match self {
            TwoByTwoTest::PooledZ => "pooled_z",
            TwoByTwoTest::FisherExact => "fisher_exact",
        }
    }
}

/// The difference of two proportions, `a − b`, with its interval and test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProportionDifference {
    /// p̂_a − p̂_b, in `-1..=1`.
    pub difference: f64,
    /// Newcombe's hybrid score interval for the difference (95%), inside `[-1, 1]`.
    pub ci95: Interval,
    /// Two-sided p-value of "no difference".
    pub p_value: f64,
    pub test: TwoByTwoTest,
}

impl ProportionDifference {
    /// Significant at level `alpha`: `p_value < alpha`.
    pub fn significant(&self, alpha: f64) -> bool {
        self.p_value < alpha
    }
}

/// Compares two proportions: `a − b` with Newcombe's interval and a two-sided p-value;
/// `None` when either has no trials.
///
/// # Formula
/// Interval (Newcombe 1998, method 10, "hybrid score"): with Wilson intervals (l_a, u_a) and
/// (l_b, u_b) and D = p̂_a − p̂_b,
/// `[D − √((p̂_a − l_a)² + (u_b − p̂_b)²), D + √((u_a − p̂_a)² + (p̂_b − l_b)²)]`. Its coverage
/// stays close to 95% down to a handful of trials per group and at 0% or 100%, where the Wald
/// interval fails (Newcombe's Table II is reproduced in the tests).
///
/// p-value: the pooled z-test, z = D / √(p̄(1 − p̄)(1/n_a + 1/n_b)) with p̄ the pooled share,
/// when every expected cell count of the 2×2 table is at least 5 (Cochran's rule); otherwise
/// Fisher's exact test ([`fisher_exact_two_sided`]). The two are different procedures from the
/// interval's, so in rare borderline cases `p_value < 0.05` while the interval touches 0 (or
/// the reverse); callers that turn the numbers into a verdict should require both.
pub fn compare_proportions(a: Proportion, b: Proportion) -> Option<ProportionDifference> {
    let (pa, pb) = (a.share()?, b.share()?);
    let (wa, wb) = (a.wilson_95()?, b.wilson_95()?);
    let difference = pa - pb;
    let lo = difference - ((pa - wa.lo).powi(2) + (wb.hi - pb).powi(2)).sqrt();
    let hi = difference + ((wa.hi - pa).powi(2) + (pb - wb.lo).powi(2)).sqrt();
    let ci95 = Interval {
        lo: lo.max(-1.0),
        hi: hi.min(1.0),
    };
    let (na, nb) = (a.trials as f64, b.trials as f64);
    let n = na + nb;
    let successes = (a.successes + b.successes) as f64;
    let failures = n - successes;
    let smallest_expected = (na.min(nb) * successes.min(failures)) / n;
    let (p_value, test) = if smallest_expected >= 5.0 {
        let pooled = successes / n;
        let se = (pooled * (1.0 - pooled) * (1.0 / na + 1.0 / nb)).sqrt();
        // se > 0 here: both pooled counts are at least 5 · n / min(n_a, n_b) > 0.
        (normal_two_sided_p(difference / se), TwoByTwoTest::PooledZ)
    } else {
        (
            fisher_exact_two_sided(
                a.successes,
                a.trials - a.successes,
                b.successes,
                b.trials - b.successes,
            ),
            TwoByTwoTest::FisherExact,
        )
    };
    Some(ProportionDifference {
        difference,
        ci95,
        p_value,
        test,
    })
}

/// Fisher's exact test of the 2×2 table `[[a, b], [c, d]]`, two-sided: the probability, under
/// the hypergeometric distribution of the first cell given the margins, of every table at most
/// as likely as the observed one (R's `fisher.test` definition, with the same relative tolerance
/// of 1e−7 for ties). An empty table, or one with an empty margin, gives 1.
///
/// # Formula
/// P(X = x) = C(a+b, x) C(c+d, m−x) / C(N, m) with m = a + c, N = a + b + c + d. The
/// probabilities are built by the ratio recurrence
/// P(x+1)/P(x) = (r₁ − x)(m − x) / ((x + 1)(r₂ − m + x + 1)) outward from the mode and then
/// normalised, so no factorial is ever formed and far tails underflow to 0 harmlessly.
pub fn fisher_exact_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let row1 = a + b;
    let row2 = c + d;
    let m = a + c;
    let lo = m.saturating_sub(row2);
    let hi = row1.min(m);
    if lo == hi {
        return 1.0;
    }
    // The mode of the hypergeometric distribution.
    let n = (row1 + row2) as f64;
    let mode = ((((row1 + 1) as f64) * ((m + 1) as f64) / (n + 2.0)).floor() as u64).clamp(lo, hi);
    let len = (hi - lo + 1) as usize;
    let mut weights = vec![0.0f64; len];
    weights[(mode - lo) as usize] = 1.0;
    let ratio_up = |x: u64| {
        ((row1 - x) as f64 * (m - x) as f64) / ((x + 1) as f64 * (row2 + x + 1 - m) as f64)
    };
    for x in mode..hi {
        let i = (x - lo) as usize;
        weights[i + 1] = weights[i] * ratio_up(x);
    }
    for x in (lo..mode).rev() {
        let i = (x - lo) as usize;
        // P(x) = P(x+1) / ratio_up(x); ratio_up(x) > 0 for x in [lo, hi).
        weights[i] = weights[i + 1] / ratio_up(x);
    }
    let total: f64 = weights.iter().sum();
    let observed = weights[(a - lo) as usize];
    let cutoff = observed * (1.0 + 1e-7);
    let tail: f64 = weights.iter().filter(|&&w| w <= cutoff).sum();
    (tail / total).clamp(0.0, 1.0)
}

/// Running mean and variance of a sample (Welford's algorithm: one pass, no cancellation).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MeanAccumulator {
    n: u64,
    mean: f64,
    /// Sum of squared deviations from the running mean.
    m2: f64,
}

impl MeanAccumulator {
    pub fn new() -> MeanAccumulator {
        MeanAccumulator::default()
    }

    /// From a sample's size, mean and sum of squared deviations from the mean (for samples
    /// kept as counts per value, such as survey scores).
    pub(crate) fn from_moments(n: u64, mean: f64, squared_deviations: f64) -> MeanAccumulator {
        if n == 0 {
            return MeanAccumulator::default();
        }
        MeanAccumulator {
            n,
            mean,
            m2: squared_deviations.max(0.0),
        }
    }

    /// Adds one finite value (non-finite values are ignored: money amounts never are).
    pub fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Combines two accumulators (Chan et al.'s parallel formula).
    pub fn merge(&mut self, other: &MeanAccumulator) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        self.m2 += other.m2 + delta * delta * (self.n as f64 * other.n as f64 / n as f64);
        self.mean += delta * other.n as f64 / n as f64;
        self.n = n;
    }

    pub fn n(&self) -> u64 {
        self.n
    }

    /// Sum of squared deviations from the mean.
    pub(crate) fn squared_deviations(&self) -> f64 {
        self.m2
    }

    /// The sample mean; `None` for an empty sample.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then_some(self.mean)
    }

    /// The unbiased sample variance (divisor n − 1); `None` below two values.
    pub fn variance(&self) -> Option<f64> {
        (self.n > 1).then(|| (self.m2 / (self.n - 1) as f64).max(0.0))
    }

    /// Standard error of the mean, √(s²/n); `None` below two values.
    pub fn std_error(&self) -> Option<f64> {
        Some((self.variance()? / self.n as f64).sqrt())
    }
}

/// Welch's comparison of two means, `a − b`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanDifference {
    pub difference: f64,
    /// √(s_a²/n_a + s_b²/n_b).
    pub std_error: f64,
    /// Welch–Satterthwaite degrees of freedom (`None` when the standard error is 0).
    pub df: Option<f64>,
    pub ci95: Interval,
    pub p_value: f64,
}

/// Welch's two-sample t comparison of means, `a − b`; `None` unless both samples have at least
/// two values (a variance needs two).
///
/// # Formula
/// SE = √(s_a²/n_a + s_b²/n_b); df = SE⁴ / ((s_a²/n_a)²/(n_a − 1) + (s_b²/n_b)²/(n_b − 1));
/// interval D ± t₀.₉₇₅(df)·SE; p = P(|T_df| ≥ |D|/SE). It does not assume equal variances.
/// It assumes the means are near-normal, which for sums of purchases needs more customers the
/// heavier the tail: a handful of very large orders can dominate a group of fewer than a few
/// hundred. When both samples are constant (SE = 0) the difference is known exactly: the
/// interval is the point D and the p-value is 1 if D = 0, else 0.
pub fn welch(a: &MeanAccumulator, b: &MeanAccumulator) -> Option<MeanDifference> {
    let (va, vb) = (a.variance()?, b.variance()?);
    let (na, nb) = (a.n as f64, b.n as f64);
    let difference = a.mean - b.mean;
    let (ua, ub) = (va / na, vb / nb);
    let se2 = ua + ub;
    if se2 <= 0.0 {
        return Some(MeanDifference {
            difference,
            std_error: 0.0,
            df: None,
            ci95: Interval {
                lo: difference,
                hi: difference,
            },
            p_value: if difference == 0.0 { 1.0 } else { 0.0 },
        });
    }
    let se = se2.sqrt();
    let df = se2 * se2 / (ua * ua / (na - 1.0) + ub * ub / (nb - 1.0));
    let q = student_t_upper_quantile(0.025, df)?;
    let p_value = student_t_two_sided_p(difference / se, df)?;
    Some(MeanDifference {
        difference,
        std_error: se,
        df: Some(df),
        ci95: Interval {
            lo: difference - q * se,
            hi: difference + q * se,
        },
        p_value,
    })
}

#[cfg(test)]
// Reference values are written with the 17 significant digits the reference printed.
#[allow(clippy::excessive_precision)]
mod tests {
    use super::*;
    use crate::tolerances::{CLOSED_FORM, ITERATIVE, LARGE_DF, PUBLISHED_4_DIGITS};

    fn close(actual: f64, expected: f64, rel: f64) {
        let scale = expected.abs().max(f64::MIN_POSITIVE);
        assert!(
            (actual - expected).abs() <= rel * scale,
            "{actual} differs from {expected} by more than {rel} relative"
        );
    }

    // Reference values in this module: `src/reference/inference.py`, mpmath 1.3 at 50 digits
    // (an independent implementation: arbitrary-precision erfc, betainc, binomial sums).
    #[test]
    fn normal_cdf_matches_high_precision_values_in_both_tails() {
        let cases = [
            (-8.0, 6.220_960_574_271_784_1e-16),
            (-3.0, 0.001_349_898_031_630_094_5),
            (-1.0, 0.158_655_253_931_457_05),
            (0.0, 0.5),
            (0.5, 0.691_462_461_274_013_1),
            (1.0, 0.841_344_746_068_542_95),
            (2.5, 0.993_790_334_674_223_86),
            (5.0, 0.999_999_713_348_428_12),
        ];
        for (x, expected) in cases {
            close(normal_cdf(x), expected, CLOSED_FORM);
        }
        close(normal_cdf(-Z_95), 0.025, CLOSED_FORM);
    }

    #[test]
    fn two_sided_normal_p_values() {
        let cases = [
            (0.0, 1.0),
            (1.0, 0.317_310_507_862_914_1),
            (Z_95, 0.05),
            (-3.0, 0.002_699_796_063_260_189_1),
            (6.0, 1.973_175_290_075_396_3e-9),
            (10.0, 1.523_970_604_832_105_2e-23),
        ];
        for (z, expected) in cases {
            close(normal_two_sided_p(z), expected, CLOSED_FORM);
        }
        assert_eq!(normal_two_sided_p(f64::INFINITY), 0.0);
    }

    #[test]
    fn student_t_tail_matches_the_incomplete_beta_reference() {
        let cases = [
            (2.0, 10.0, 0.036_694_017_385_370_183),
            (1.0, 1.0, 0.25),
            (0.5, 3.0, 0.325_723_982_424_075_5),
            (3.0, 2.5, 0.036_288_047_774_515_922),
            (2.2, 30.0, 0.017_824_219_998_417_888),
            (4.0, 100.0, 6.076_182_215_038_083_9e-5),
            (1.96, 1e6, 0.024_998_033_792_634_895),
            (6.0, 5.0, 0.000_923_069_144_797_007_21),
        ];
        for (t, df, expected) in cases {
            close(student_t_sf(t, df).unwrap(), expected, ITERATIVE);
            close(student_t_sf(-t, df).unwrap(), 1.0 - expected, ITERATIVE);
        }
        assert_eq!(student_t_sf(1.0, 0.0), None);
        assert_eq!(student_t_sf(1.0, f64::NAN), None);
        assert_eq!(student_t_sf(f64::INFINITY, 4.0), Some(0.0));
        // The far end of the continued fraction's range converges (a debug assertion fires
        // otherwise), to values accurate to about 1e−8 relative: lgamma of numbers near 10⁶
        // leaves that much of its rounding in the exponent.
        let far = [
            (0.01, 1e5, 0.496_010_653_659_411_58),
            (1.96, 1e5, 0.024_999_281_597_150_819),
            (5.0, 1e5, 2.871_350_839_320_836_4e-7),
            (30.0, 1e5, 3.689_268_436_111_116_8e-197),
            (0.01, 5e6, 0.496_010_643_884_849_5),
            (1.96, 5e6, 0.024_997_922_877_094_82),
            (5.0, 5e6, 2.866_612_356_872_807_3e-7),
            (30.0, 5e6, 5.109_949_591_425_952_1e-198),
            (1.96, 1e7, 0.024_997_909_012_657_096),
            (30.0, 1e7, 5.007_306_845_408_900_1e-198),
        ];
        for (t, df, expected) in far {
            close(student_t_sf(t, df).unwrap(), expected, LARGE_DF);
        }
    }

    #[test]
    fn student_t_quantiles_match_tables() {
        let cases = [
            (1.0, 12.706_204_736_174_705),
            (2.0, 4.302_652_729_749_463_9),
            (2.5, 3.574_654_842_003_683_2),
            (5.0, 2.570_581_835_636_315_5),
            (10.0, 2.228_138_851_986_274_7),
            (30.0, 2.042_272_456_301_238_3),
            (100.0, 1.983_971_518_523_552_3),
            (1000.0, 1.962_339_080_826_408_5),
            (1e6, 1.959_966_356_814_107),
        ];
        for (df, expected) in cases {
            close(
                student_t_upper_quantile(0.025, df).unwrap(),
                expected,
                ITERATIVE,
            );
        }
        assert_eq!(student_t_upper_quantile(0.5, 3.0), Some(0.0));
        assert_eq!(student_t_upper_quantile(0.0, 3.0), None);
        assert_eq!(student_t_upper_quantile(0.7, 3.0), None);
    }

    #[test]
    fn wilson_intervals() {
        let cases = [
            ((0, 1), (0.0, 0.793_450_685_622_762_57)),
            ((1, 1), (0.206_549_314_377_237_43, 1.0)),
            (
                (3, 10),
                (0.107_791_267_406_301_03, 0.603_221_852_538_854_65),
            ),
            (
                (81, 263),
                (0.255_288_519_878_274_23, 0.366_209_576_982_800_06),
            ),
        ];
        for ((x, n), (lo, hi)) in cases {
            let ci = Proportion::new(x, n).unwrap().wilson_95().unwrap();
            close(ci.lo, lo, CLOSED_FORM);
            close(ci.hi, hi, CLOSED_FORM);
        }
        assert_eq!(Proportion::new(0, 0).unwrap().wilson_95(), None);
        assert_eq!(Proportion::new(0, 0).unwrap().share(), None);
        assert!(Proportion::new(3, 2).is_err());
    }

    /// Newcombe (1998), "Interval estimation for the difference between independent
    /// proportions", Statistics in Medicine 17, Table II, method 10, to the published 4
    /// decimals; and mpmath's evaluation of the same formula to full precision.
    #[test]
    fn newcombe_interval_reproduces_the_published_table() {
        let cases = [
            (
                (56, 70, 48, 80),
                (0.0524, 0.3339),
                (0.052_431_472_402_364_896, 0.333_872_654_036_905_96),
            ),
            (
                (9, 10, 3, 10),
                (0.1705, 0.8090),
                (0.170_522_723_934_502_93, 0.809_017_973_535_487_97),
            ),
            (
                (6, 7, 2, 7),
                (0.0582, 0.8062),
                (0.058_227_927_482_312_257, 0.806_249_637_524_227_75),
            ),
            (
                (5, 56, 0, 29),
                (-0.0381, 0.1926),
                (-0.038_137_147_903_536_879, 0.192_560_013_855_111_6),
            ),
            (
                (0, 10, 0, 20),
                (-0.1611, 0.2775),
                (-0.161_125_158_052_819_35, 0.277_532_799_862_889_2),
            ),
            (
                (0, 10, 0, 10),
                (-0.2775, 0.2775),
                (-0.277_532_799_862_889_2, 0.277_532_799_862_889_2),
            ),
            (
                (10, 10, 0, 20),
                (0.6791, 1.0),
                (0.679_086_037_141_914_73, 1.0),
            ),
            (
                (10, 10, 0, 10),
                (0.6075, 1.0),
                (0.607_509_350_430_524_23, 1.0),
            ),
        ];
        for ((xa, na, xb, nb), published, exact) in cases {
            let d = compare_proportions(
                Proportion::new(xa, na).unwrap(),
                Proportion::new(xb, nb).unwrap(),
            )
            .unwrap();
            assert!((d.ci95.lo - published.0).abs() <= PUBLISHED_4_DIGITS);
            assert!((d.ci95.hi - published.1).abs() <= PUBLISHED_4_DIGITS);
            close(d.ci95.lo, exact.0, CLOSED_FORM);
            close(d.ci95.hi, exact.1, CLOSED_FORM);
        }
    }

    #[test]
    fn fisher_exact_matches_exact_enumeration() {
        // (1, 9, 11, 3): the textbook example, R's fisher.test gives 0.002759.
        let cases = [
            ((3, 1, 1, 3), 0.485_714_285_714_285_71),
            ((1, 9, 11, 3), 0.002_759_456_185_220_083_5),
            ((0, 10, 0, 10), 1.0),
            ((10, 0, 0, 10), 1.082_508_822_446_902_9e-5),
            ((7, 12, 0, 5), 0.272_068_511_198_945_98),
            ((2, 998, 9, 991), 0.064_704_957_915_789_33),
            ((0, 0, 3, 4), 1.0),
        ];
        for ((a, b, c, d), expected) in cases {
            close(fisher_exact_two_sided(a, b, c, d), expected, ITERATIVE);
        }
        assert_eq!(fisher_exact_two_sided(0, 0, 0, 0), 1.0);
    }

    #[test]
    fn compare_proportions_picks_its_test_by_expected_counts() {
        // 2/1000 vs 9/1000: 11 conversions, smallest expected count 5.5 ⇒ the z-test.
        let z = compare_proportions(
            Proportion::new(2, 1000).unwrap(),
            Proportion::new(9, 1000).unwrap(),
        )
        .unwrap();
        assert_eq!(z.test, TwoByTwoTest::PooledZ);
        // By hand: p̄ = 11/2000, se = √(0.0055·0.9945·0.002) = 0.0033075..., z = −0.007/se.
        let se = (0.0055f64 * 0.9945 * 0.002).sqrt();
        close(z.p_value, normal_two_sided_p(-0.007 / se), CLOSED_FORM);
        // 2/1000 vs 8/1000: expected 5 ⇒ z; 2/1000 vs 7/1000: 4.5 ⇒ Fisher.
        let f = compare_proportions(
            Proportion::new(2, 1000).unwrap(),
            Proportion::new(7, 1000).unwrap(),
        )
        .unwrap();
        assert_eq!(f.test, TwoByTwoTest::FisherExact);
        close(
            f.p_value,
            fisher_exact_two_sided(2, 998, 7, 993),
            CLOSED_FORM,
        );
        // All converted in both groups: no difference, p = 1, a finite interval.
        let all = compare_proportions(
            Proportion::new(20, 20).unwrap(),
            Proportion::new(30, 30).unwrap(),
        )
        .unwrap();
        assert_eq!(all.difference, 0.0);
        assert_eq!(all.p_value, 1.0);
        assert!(all.ci95.lo < 0.0 && all.ci95.hi > 0.0);
        assert!(
            compare_proportions(Proportion::default(), Proportion::new(1, 2).unwrap()).is_none()
        );
    }

    #[test]
    fn welch_by_hand() {
        // a = 1, 2, 3, 4 (mean 2.5, s² = 5/3); b = 2, 4, 6 (mean 4, s² = 4).
        // SE² = 5/12 + 4/3 = 1.75; df = 1.75² / ((5/12)²/3 + (4/3)²/2) = 3.0625 / 0.94676 =
        // 3.2347; t = −1.5/√1.75 = −1.1339.
        let mut a = MeanAccumulator::new();
        for x in [1.0, 2.0, 3.0, 4.0] {
            a.push(x);
        }
        let mut b = MeanAccumulator::new();
        for x in [2.0, 4.0, 6.0] {
            b.push(x);
        }
        let w = welch(&a, &b).unwrap();
        close(w.difference, -1.5, CLOSED_FORM);
        close(w.std_error, 1.75f64.sqrt(), CLOSED_FORM);
        let df = 3.0625 / ((5.0f64 / 12.0).powi(2) / 3.0 + (4.0f64 / 3.0).powi(2) / 2.0);
        close(w.df.unwrap(), df, CLOSED_FORM);
        let q = student_t_upper_quantile(0.025, df).unwrap();
        close(w.ci95.lo, -1.5 - q * 1.75f64.sqrt(), CLOSED_FORM);
        close(
            w.p_value,
            student_t_two_sided_p(-1.5 / 1.75f64.sqrt(), df).unwrap(),
            CLOSED_FORM,
        );
        // Constant samples: exact answers, no NaN.
        let mut zeros = MeanAccumulator::new();
        let mut fives = MeanAccumulator::new();
        for _ in 0..3 {
            zeros.push(0.0);
            fives.push(5.0);
        }
        let same = welch(&zeros, &zeros).unwrap();
        assert_eq!((same.p_value, same.ci95.width()), (1.0, 0.0));
        assert_eq!(welch(&fives, &zeros).unwrap().p_value, 0.0);
        let mut one = MeanAccumulator::new();
        one.push(1.0);
        assert!(welch(&one, &a).is_none());
    }

    #[test]
    fn mean_accumulator_merge_equals_one_pass() {
        let xs: Vec<f64> = (0..50).map(|i| f64::from(i * i % 17) + 1e6).collect();
        let mut whole = MeanAccumulator::new();
        xs.iter().for_each(|&x| whole.push(x));
        let mut left = MeanAccumulator::new();
        let mut right = MeanAccumulator::new();
        xs[..20].iter().for_each(|&x| left.push(x));
        xs[20..].iter().for_each(|&x| right.push(x));
        left.merge(&right);
        assert_eq!(left.n(), 50);
        close(left.mean().unwrap(), whole.mean().unwrap(), CLOSED_FORM);
        close(left.variance().unwrap(), whole.variance().unwrap(), 1e-9);
        assert_eq!(MeanAccumulator::new().mean(), None);
    }
}
