//! Customer satisfaction (CSAT, 1–5): the mean score, the share satisfied (4 or 5) with its
//! interval, and the test of a change between periods or groups.

use super::SurveyOptions;
use crate::inference::{
    Interval, MeanAccumulator, MeanDifference, Proportion, ProportionDifference,
    compare_proportions, student_t_upper_quantile, welch,
};

/// A CSAT answer, 1 (very dissatisfied) to 5 (very satisfied).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CsatScore(u8);

/// A CSAT score outside 1..=5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("CSAT score {0} is not between 1 and 5")]
pub struct CsatScoreError(pub u32);

impl CsatScore {
    pub fn new(score: u32) -> Result<CsatScore, CsatScoreError> {
        match u8::try_from(score) {
            Ok(s @ 1..=5) => Ok(CsatScore(s)),
            _ => Err(CsatScoreError(score)),
        }
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// 4 or 5.
    pub fn is_satisfied(self) -> bool {
        self.0 >= 4
    }
}

/// How many answers gave each score.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CsatCounts {
    /// `by_score[k]` answers gave the score k + 1.
    pub by_score: [u64; 5],
}

impl CsatCounts {
    pub fn tally(scores: impl IntoIterator<Item = CsatScore>) -> CsatCounts {
        let mut counts = CsatCounts::default();
        for s in scores {
            counts.add(s);
        }
        counts
    }

    pub fn add(&mut self, score: CsatScore) {
        self.by_score[usize::from(score.0 - 1)] += 1;
    }

    pub fn merge(&mut self, other: &CsatCounts) {
        for (a, b) in self.by_score.iter_mut().zip(other.by_score) {
            *a += b;
        }
    }

    /// These counts minus `part`, saturating at 0.
    pub fn minus(&self, part: &CsatCounts) -> CsatCounts {
        let mut out = *self;
        for (a, b) in out.by_score.iter_mut().zip(part.by_score) {
            *a = a.saturating_sub(b);
        }
        out
    }

    pub fn n(&self) -> u64 {
        self.by_score.iter().sum()
    }

    /// Answers of 4 or 5.
    pub fn satisfied(&self) -> u64 {
        self.by_score[3] + self.by_score[4]
    }

    /// Satisfied answers out of all answers.
    pub fn satisfied_proportion(&self) -> Proportion {
        // satisfied ≤ n by construction.
        Proportion::new(self.satisfied(), self.n()).unwrap_or_default()
    }

    /// The scores as a sample (mean and variance), computed exactly from the counts.
    pub fn sample(&self) -> MeanAccumulator {
        let n = self.n();
        if n == 0 {
            return MeanAccumulator::default();
        }
        let sum: u64 = (1..=5u64).zip(self.by_score).map(|(s, c)| s * c).sum();
        let mean = sum as f64 / n as f64;
        let squared_deviations: f64 = (1..=5u32)
            .zip(self.by_score)
            .map(|(s, c)| c as f64 * (f64::from(s) - mean).powi(2))
            .sum();
        MeanAccumulator::from_moments(n, mean, squared_deviations)
    }
}

/// CSAT of a sample large enough to report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CsatEstimate {
    /// Mean score, 1..=5.
    pub mean: f64,
    /// Student t interval of the mean (mean ± t₀.₉₇₅(n−1)·s/√n), clamped to 1..=5; the single
    /// point when every answer is the same.
    pub mean_ci95: Interval,
    /// Share of answers of 4 or 5, 0..=1.
    pub satisfied_share: f64,
    /// Wilson interval of the satisfied share (see [`Proportion::wilson_95`]).
    pub satisfied_ci95: Interval,
}

/// n, the observed mean and satisfied share, and — with enough answers — their intervals.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CsatReport {
    pub counts: CsatCounts,
    /// Observed mean score; `None` with no answers.
    pub mean: Option<f64>,
    /// Observed share of 4–5; `None` with no answers.
    pub satisfied_share: Option<f64>,
    /// `None` below [`SurveyOptions::min_answers`] answers, and always below two (a single
    /// answer has no spread to measure).
    pub estimate: Option<CsatEstimate>,
}

impl CsatReport {
    pub fn new(counts: CsatCounts, options: &SurveyOptions) -> CsatReport {
        let sample = counts.sample();
        let satisfied = counts.satisfied_proportion();
        let estimate = (options.enough(counts.n()) && counts.n() >= 2)
            .then(|| {
                let mean = sample.mean()?;
                let se = sample.std_error()?;
                let q = student_t_upper_quantile(0.025, (counts.n() - 1) as f64)?;
                Some(CsatEstimate {
                    mean,
                    mean_ci95: Interval {
                        lo: mean - q * se,
                        hi: mean + q * se,
                    }
                    .clamped(1.0, 5.0),
                    satisfied_share: satisfied.share()?,
                    satisfied_ci95: satisfied.wilson_95()?,
                })
            })
            .flatten();
        CsatReport {
            counts,
            mean: sample.mean(),
            satisfied_share: satisfied.share(),
            estimate,
        }
    }

    pub fn enough(&self) -> bool {
        self.estimate.is_some()
    }
}

/// A change of CSAT from a base (earlier period, other group) to another sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CsatChange {
    /// Satisfied share of the other sample − that of the base, with Newcombe's interval and a
    /// z- or Fisher p-value ([`compare_proportions`]). This is the change test.
    pub satisfied: ProportionDifference,
    /// Difference of mean scores (Welch), for information; `None` when a sample has fewer than
    /// two answers.
    pub mean: Option<MeanDifference>,
    /// The satisfied share's `p_value < alpha`.
    pub significant: bool,
}

/// Whether CSAT changed from `base` to `other`; `None` unless both have at least
/// [`SurveyOptions::min_answers`] answers.
pub fn compare_csat(
    base: &CsatCounts,
    other: &CsatCounts,
    options: &SurveyOptions,
) -> Option<CsatChange> {
    if !options.enough(base.n()) || !options.enough(other.n()) {
        return None;
    }
    let satisfied = compare_proportions(other.satisfied_proportion(), base.satisfied_proportion())?;
    Some(CsatChange {
        significant: satisfied.p_value < options.alpha,
        satisfied,
        mean: welch(&other.sample(), &base.sample()),
    })
}
