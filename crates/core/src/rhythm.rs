//! A customer's personal purchase rhythm: how long they usually wait between purchases, how
//! regular they are, and when a silence becomes late *by their own standard*.
//!
//! A customer who buys every 30 ± 4 days and has been silent for 49 days is late; one who buys
//! irregularly every two to six months and has been silent for the same 49 days is not. A fixed
//! "90 days without a purchase" rule gets both wrong, so each customer's intervals are modelled
//! as draws from a gamma distribution whose shape measures their regularity.
//!
//! # Formula
//! From the n gaps g₁…gₙ (days between consecutive purchase days of the current turn):
//! - mean gap m = Σgᵢ/n, sample coefficient of variation ĉ² = s²/m² (s² with n − 1);
//! - regularity is shrunk toward a Poisson buyer (exponential gaps, c² = 1) with `prior_gaps`
//!   pseudo-gaps, so three identical gaps do not claim perfect regularity:
//!   c² = (n·ĉ² + w) / (n + w);
//! - gaps ~ Gamma(shape k = 1/c², scale m/k): k = 1 is a Poisson buyer, large k a clockwork one
//!   (this is the Erlang-k regularity of Wheat & Morrison, 1990, estimated by moments);
//! - a silence of d days is *late* beyond the gap quantile Q(p_slip) and *far beyond* past
//!   Q(p_lost). Quantiles use the Wilson–Hilferty cube-root approximation
//!   Q(p) ≈ m·(1 − 1/(9k) + z_p/(3√k))³, within 1 % of the exact value for k ≥ 1 and 3 % at
//!   k = 0.5 (the smallest shape used) — ample for a threshold measured in whole days.

use crate::Day;

/// Settings for reading a customer's rhythm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RhythmRules {
    /// Fewest gaps (purchase days − 1 in the current turn) before a rhythm is trusted.
    pub min_gaps: u32,
    /// Weight of the Poisson prior, in pseudo-gaps.
    pub prior_gaps: f64,
    /// A silence longer than this quantile of the customer's own gaps is late (slipping).
    pub late_quantile: f64,
    /// A silence longer than this quantile is far beyond the rhythm (lost).
    pub lost_quantile: f64,
}

impl Default for RhythmRules {
    fn default() -> Self {
        RhythmRules {
            min_gaps: 3,
            prior_gaps: 1.0,
            late_quantile: 0.95,
            lost_quantile: 0.999,
        }
    }
}

/// Smallest gamma shape used: below it the Wilson–Hilferty quantile loses accuracy, and so
/// erratic a buyer has no rhythm worth an alert anyway.
const MIN_SHAPE: f64 = 0.5;

/// One customer's purchase rhythm.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rhythm {
    /// Gaps the estimate rests on.
    pub gaps: u32,
    /// Mean gap between purchase days, in days.
    pub mean_gap: f64,
    /// Standard deviation of a gap under the shrunk regularity, in days (the "±").
    pub spread: f64,
    /// Gamma shape k: 1 for a Poisson buyer, larger for more regular ones.
    pub regularity: f64,
    /// A silence longer than this many days is late.
    pub late_after: f64,
    /// A silence longer than this many days is far beyond the rhythm.
    pub lost_after: f64,
}

impl Rhythm {
    /// The rhythm of purchase days `days` (ascending, distinct), or `None` with too few gaps.
    pub fn of(days: &[Day], rules: &RhythmRules) -> Option<Rhythm> {
        let n = days.len().checked_sub(1)?;
        if n == 0 || (n as u32) < rules.min_gaps.max(1) {
            return None;
        }
        let gap = |i: usize| f64::from(days[i + 1].days_since(days[i]));
        let mean_gap = (0..n).map(gap).sum::<f64>() / n as f64;
        if mean_gap <= 0.0 {
            return None; // distinct ascending days make this unreachable; refuse rather than divide
        }
        let sample_cv2 = if n >= 2 {
            let var = (0..n).map(|i| (gap(i) - mean_gap).powi(2)).sum::<f64>() / (n - 1) as f64;
            var / (mean_gap * mean_gap)
        } else {
            1.0
        };
        let w = rules.prior_gaps.max(0.0);
        let cv2 = (n as f64 * sample_cv2 + w) / (n as f64 + w);
        let regularity = if cv2 > 0.0 {
            (1.0 / cv2).clamp(MIN_SHAPE, 1e4)
        } else {
            1e4
        };
        Some(Rhythm {
            gaps: n as u32,
            mean_gap,
            spread: mean_gap / regularity.sqrt(),
            regularity,
            late_after: gamma_quantile(regularity, mean_gap, rules.late_quantile),
            lost_after: gamma_quantile(regularity, mean_gap, rules.lost_quantile),
        })
    }

    /// Days past the expected next purchase (negative: not yet due).
    pub fn days_late(&self, days_since_last: i32) -> f64 {
        f64::from(days_since_last) - self.mean_gap
    }
}

/// The `p` quantile of a gamma distribution with shape `k` and mean `mean` (Wilson–Hilferty).
fn gamma_quantile(k: f64, mean: f64, p: f64) -> f64 {
    let z = normal_quantile(p);
    let h = 1.0 / (9.0 * k);
    let cube = (1.0 - h + z * h.sqrt()).max(0.0);
    mean * cube * cube * cube
}

/// The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9).
fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    let p = p.clamp(1e-300, 1.0 - 1e-16);
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < 0.02425 {
        tail((-2.0 * p.ln()).sqrt())
    } else if p > 1.0 - 0.02425 {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    } else {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(gaps: &[i32]) -> Vec<Day> {
        let mut d = Day::from_ymd(2024, 1, 1).unwrap();
        let mut out = vec![d];
        for &g in gaps {
            d = d.plus_days(g);
            out.push(d);
        }
        out
    }

    #[test]
    fn normal_quantile_matches_tables() {
        // Reference values from standard normal tables (R: qnorm).
        for (p, z) in [
            (0.5, 0.0),
            (0.95, 1.644_853_626_951_472),
            (0.999, 3.090_232_306_167_813),
            (0.01, -2.326_347_874_040_841),
        ] {
            assert!((normal_quantile(p) - z).abs() < 1e-8, "p={p}");
        }
    }

    #[test]
    fn gamma_quantile_close_to_exact() {
        // Exact values: Gamma(9, 1) 0.95 = qchisq(0.95, 18)/2 = 14.43457; Gamma(1, 1) 0.95 =
        // −ln 0.05 = 2.995732; Gamma(0.5, 1) 0.95 = qchisq(0.95, 1)/2 = 1.920729.
        let rel = |k: f64, exact: f64| (gamma_quantile(k, k, 0.95) - exact).abs() / exact;
        assert!(rel(9.0, 14.434_57) < 0.001);
        assert!(rel(1.0, 2.995_732) < 0.01);
        assert!(rel(0.5, 1.920_729) < 0.03);
    }

    #[test]
    fn steady_buyer_is_late_and_irregular_one_is_not() {
        let rules = RhythmRules::default();
        // Every 30 ± 4 days over ten gaps.
        let steady = Rhythm::of(&days(&[26, 34, 30, 27, 33, 30, 29, 31, 34, 26]), &rules).unwrap();
        assert!((steady.mean_gap - 30.0).abs() < 1e-12);
        // 19 days late: 49 days of silence.
        assert!(49.0 > steady.late_after, "late after {}", steady.late_after);
        assert!(steady.days_late(49) > 18.9);
        // Every two to six months.
        let irregular = Rhythm::of(&days(&[60, 180, 90, 150, 75]), &rules).unwrap();
        assert!(irregular.mean_gap > 100.0);
        // The same lateness relative to their mean (mean + 19 days) is well within their rhythm.
        let silence = irregular.mean_gap + 19.0;
        assert!(silence < irregular.late_after, "{irregular:?}");
        assert!(irregular.regularity < steady.regularity);
    }

    #[test]
    fn few_identical_gaps_do_not_claim_clockwork() {
        let rules = RhythmRules::default();
        let r = Rhythm::of(&days(&[30, 30, 30]), &rules).unwrap();
        // c² = (3·0 + 1)/(3 + 1) = 0.25 ⇒ k = 4, spread = 30/2 = 15 days.
        assert!((r.regularity - 4.0).abs() < 1e-12);
        assert!((r.spread - 15.0).abs() < 1e-12);
        assert!(r.late_after > 50.0 && r.lost_after > r.late_after);
    }

    #[test]
    fn too_few_gaps_have_no_rhythm() {
        let rules = RhythmRules::default();
        assert!(Rhythm::of(&days(&[30, 30]), &rules).is_none());
        assert!(Rhythm::of(&days(&[]), &rules).is_none());
        assert!(Rhythm::of(&[], &rules).is_none());
    }

    #[test]
    fn thresholds_are_finite_for_extreme_gaps() {
        let rules = RhythmRules::default();
        for gaps in [
            vec![1, 1, 1, 1],
            vec![1, 3000, 1, 1],
            vec![10_000, 10_000, 10_000],
        ] {
            let r = Rhythm::of(&days(&gaps), &rules).unwrap();
            for v in [
                r.mean_gap,
                r.spread,
                r.regularity,
                r.late_after,
                r.lost_after,
            ] {
                assert!(v.is_finite() && v > 0.0, "{gaps:?}: {r:?}");
            }
            assert!(r.late_after <= r.lost_after);
        }
    }
}
