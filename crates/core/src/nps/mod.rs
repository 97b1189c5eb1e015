//! Net Promoter Score statistics: answers, counts, the score with its margin of error, the band,
//! and the test of a change between periods or groups. CSAT is in [`csat`], trends and
//! de-duplication by period in [`period`], the before/after check of the improvement log in
//! [`improvement`].
//!
//! How a report is made (what the store, API, pages and CLI call):
//! 1. Turn each stored answer into an [`Answer`] whose score is an [`NpsRating`]
//!    ([`NpsRating::new`] checks the score against its [`NpsScale`]).
//! 2. Keep one answer per respondent and period with [`latest_per_respondent`].
//! 3. Count with [`NpsCounts::tally`] (or per period with [`nps_trend`], per group with
//!    [`nps_by_group`]), then [`NpsReport::new`] gives n, the three shares (0..1), and — when
//!    there are at least [`SurveyOptions::min_answers`] answers — the NPS in points (−100..100)
//!    with its standard error, margin of error, 95% interval and band. With fewer answers
//!    `estimate` is `None`: say "not enough answers", not a number.
//! 4. [`compare_nps`] says whether two periods or groups differ: the difference in points, its
//!    95% interval and the p-value.
//!
//! Nothing here returns NaN: no answers, one answer, all promoters, all detractors all have
//! defined, tested results.

pub mod csat;
pub mod improvement;
pub mod period;

pub use csat::{
    CsatChange, CsatCounts, CsatEstimate, CsatReport, CsatScore, CsatScoreError, compare_csat,
};
pub use improvement::{ImprovementCheck, OutcomeWindow, RateChange, check_improvement};
pub use period::{
    Answer, AnswerTally, GroupRow, PeriodKey, PeriodKind, PeriodRow, csat_by_group, csat_trend,
    group_tallies, latest_per_respondent, nps_by_group, nps_trend, period_tallies,
};

use crate::NpsScore;
use crate::inference::{DEFAULT_ALPHA, Interval, Z_95, normal_two_sided_p};

/// The scale a question was asked on. Stored with every answer and shown with every report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NpsScale {
    /// The standard 0–10 scale.
    ZeroToTen,
    /// A 1–10 scale (some survey tools have no 0). Classified with the same cut points — 9–10
    /// promoter, 7–8 passive, 1–6 detractor — and never rescaled: the top two answers are the
    /// promoters on either scale, and stretching 1..10 onto 0..10 would turn a 9 into 8.9, a
    /// passive, which no respondent meant. The only difference is that "0" cannot be given, so
    /// a detractor's lowest answer is 1.
    OneToTen,
}

impl NpsScale {
    pub fn as_str(self) -> &'static str {
        match self {
            NpsScale::ZeroToTen => "0-10",
            NpsScale::OneToTen => "1-10",
        }
    }

    /// The lowest score the scale allows (0 or 1); the highest is 10 on both.
    pub fn min(self) -> u8 {
        match self {
            NpsScale::ZeroToTen => 0,
            NpsScale::OneToTen => 1,
        }
    }
}

/// A score outside its scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("score {score} is not on the {} scale", scale.as_str())]
pub struct NpsRatingError {
    pub score: u32,
    pub scale: NpsScale,
}

/// One answer to "How likely are you to recommend us?", on its scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NpsRating {
    score: NpsScore,
    scale: NpsScale,
}

impl NpsRating {
    /// Checks `score` against the scale: 0..=10, or 1..=10 on [`NpsScale::OneToTen`].
    pub fn new(score: u32, scale: NpsScale) -> Result<NpsRating, NpsRatingError> {
        let bad = NpsRatingError { score, scale };
        let small = u8::try_from(score).map_err(|_| bad)?;
        if small < scale.min() {
            return Err(bad);
        }
        let score = NpsScore::new(small).ok_or(bad)?;
        Ok(NpsRating { score, scale })
    }

    pub fn score(self) -> NpsScore {
        self.score
    }

    pub fn scale(self) -> NpsScale {
        self.scale
    }

    pub fn category(self) -> NpsCategory {
        NpsCategory::of(self.score)
    }
}

/// Reichheld's three groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NpsCategory {
    /// 9–10.
    Promoter,
    /// 7–8.
    Passive,
    /// 0–6 (1–6 on the 1–10 scale).
    Detractor,
}

impl NpsCategory {
    pub fn of(score: NpsScore) -> NpsCategory {
        match score.get() {
            9.. => NpsCategory::Promoter,
            7 | 8 => NpsCategory::Passive,
            _ => NpsCategory::Detractor,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NpsCategory::Promoter => "promoter",
            NpsCategory::Passive => "passive",
            NpsCategory::Detractor => "detractor",
        }
    }
}

/// How many answers fell in each group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct NpsCounts {
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// How many of the answers were given on the 1–10 scale (the rest on 0–10), so a report can
    /// say which scale it summarises.
    pub on_one_to_ten: u64,
}

impl NpsCounts {
    pub fn tally(ratings: impl IntoIterator<Item = NpsRating>) -> NpsCounts {
        let mut counts = NpsCounts::default();
        for rating in ratings {
            counts.add(rating);
        }
        counts
    }

    pub fn add(&mut self, rating: NpsRating) {
        match rating.category() {
            NpsCategory::Promoter => self.promoters += 1,
            NpsCategory::Passive => self.passives += 1,
            NpsCategory::Detractor => self.detractors += 1,
        }
        if rating.scale == NpsScale::OneToTen {
            self.on_one_to_ten += 1;
        }
    }

    pub fn merge(&mut self, other: &NpsCounts) {
        self.promoters += other.promoters;
        self.passives += other.passives;
        self.detractors += other.detractors;
        self.on_one_to_ten += other.on_one_to_ten;
    }

    /// These counts minus `part` (a group's share of a total), saturating at 0.
    pub fn minus(&self, part: &NpsCounts) -> NpsCounts {
        NpsCounts {
            promoters: self.promoters.saturating_sub(part.promoters),
            passives: self.passives.saturating_sub(part.passives),
            detractors: self.detractors.saturating_sub(part.detractors),
            on_one_to_ten: self.on_one_to_ten.saturating_sub(part.on_one_to_ten),
        }
    }

    /// Number of answers.
    pub fn n(&self) -> u64 {
        self.promoters + self.passives + self.detractors
    }

    /// The three shares, each in 0..1 and summing to 1; `None` with no answers.
    pub fn shares(&self) -> Option<NpsShares> {
        let n = self.n();
        (n > 0).then(|| {
            let n = n as f64;
            NpsShares {
                promoters: self.promoters as f64 / n,
                passives: self.passives as f64 / n,
                detractors: self.detractors as f64 / n,
            }
        })
    }

    /// NPS in points from these answers whatever their number; `None` with no answers.
    /// Reports should show [`NpsReport::estimate`] instead, which withholds the number below
    /// the minimum sample.
    pub fn observed_nps(&self) -> Option<f64> {
        let s = self.shares()?;
        Some(100.0 * (s.promoters - s.detractors))
    }

    /// Variance of one answer's promoter-minus-detractor score (+1, 0, −1), in share units:
    /// p + d − (p − d)². `None` with no answers.
    fn score_variance(&self) -> Option<f64> {
        let s = self.shares()?;
        Some((s.promoters + s.detractors - (s.promoters - s.detractors).powi(2)).max(0.0))
    }
}

/// Shares of the three groups, each in 0..1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NpsShares {
    pub promoters: f64,
    pub passives: f64,
    pub detractors: f64,
}

/// Settings shared by the NPS and CSAT statistics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SurveyOptions {
    /// Below this many answers a report says "not enough answers" instead of a score
    /// (default 30; 0 is treated as 1).
    pub min_answers: u64,
    /// Significance level of the change tests (default 0.05).
    pub alpha: f64,
}

impl Default for SurveyOptions {
    fn default() -> SurveyOptions {
        SurveyOptions {
            min_answers: 30,
            alpha: DEFAULT_ALPHA,
        }
    }
}

impl SurveyOptions {
    /// Whether `n` answers are enough for a score.
    pub fn enough(&self, n: u64) -> bool {
        n >= self.min_answers.max(1)
    }
}

/// What an NPS says about the company, by the method's reading.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NpsBand {
    /// Above 50: among the customers' favourites.
    Favourite,
    /// 10 to 50, both included: known, but customer focus must improve.
    KnownMustImprove,
    /// Below 10: customers do not value the company.
    NotValued,
}

impl NpsBand {
    /// The band of an NPS in points. The boundaries belong to the middle band: exactly 50 is
    /// "must improve" (the favourites are *above* 50) and exactly 10 too (only *below* 10 is
    /// "not valued"). NPS takes exact values such as 50 often (n = 10: multiples of 10).
    pub fn of(nps: f64) -> NpsBand {
        if nps > 50.0 {
            NpsBand::Favourite
        } else if nps >= 10.0 {
            NpsBand::KnownMustImprove
        } else {
            NpsBand::NotValued
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NpsBand::Favourite => "favourite",
            NpsBand::KnownMustImprove => "known_must_improve",
            NpsBand::NotValued => "not_valued",
        }
    }
}

/// The NPS of a sample large enough to report, with its uncertainty.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NpsEstimate {
    /// % promoters − % detractors, in points (−100..=100).
    pub nps: f64,
    /// Standard error, in points.
    pub std_error: f64,
    /// Half-width of the 95% interval before clamping: 1.96 × `std_error`, in points.
    pub margin_of_error: f64,
    /// `nps ± margin_of_error`, clamped to −100..=100 (an NPS cannot leave that range; the
    /// clamped interval is what a chart can draw).
    pub ci95: Interval,
    pub band: NpsBand,
    /// Whether both ends of the interval fall in the estimate's band, i.e. the band is clear
    /// beyond sampling noise. A page can soften the band's wording when it is not.
    pub band_settled: bool,
}

/// n, shares and — with enough answers — the NPS with its margin of error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NpsReport {
    pub counts: NpsCounts,
    /// `None` with no answers.
    pub shares: Option<NpsShares>,
    /// `None` below [`SurveyOptions::min_answers`] answers: "not enough answers".
    pub estimate: Option<NpsEstimate>,
}

impl NpsReport {
    /// # Formula
    /// With n answers, p and d the promoter and detractor shares: NPS = 100 (p − d);
    /// each answer scores +1 (promoter), 0 (passive) or −1 (detractor), whose variance is
    /// p + d − (p − d)², so SE = 100 √((p + d − (p − d)²)/n) (the multinomial variance of
    /// p̂ − d̂); margin = 1.96 SE; interval NPS ± margin, clamped to ±100.
    ///
    /// When every answer is in one group (all promoters: NPS 100) the standard error is 0 and
    /// the interval is the single point: the formula cannot see uncertainty it has no
    /// variation to measure. This interval (the one the method prescribes) covers the true NPS
    /// 94–95% of the time from about 100 answers on, but less in small samples: about 93% at
    /// the default minimum of 30 answers and 91% at 30 answers when 80% are promoters
    /// (`src/reference/nps_coverage.py`, 20,000 simulated studies per setting; the tests
    /// repeat it). Read an interval from few answers as a little too narrow.
    pub fn new(counts: NpsCounts, options: &SurveyOptions) -> NpsReport {
        let shares = counts.shares();
        let estimate = match (options.enough(counts.n()), shares) {
            (true, Some(s)) => {
                let nps = 100.0 * (s.promoters - s.detractors);
                let variance = counts.score_variance().unwrap_or(0.0);
                let std_error = 100.0 * (variance / counts.n() as f64).sqrt();
                let margin_of_error = Z_95 * std_error;
                let ci95 = Interval {
                    lo: nps - margin_of_error,
                    hi: nps + margin_of_error,
                }
                .clamped(-100.0, 100.0);
                let band = NpsBand::of(nps);
                Some(NpsEstimate {
                    nps,
                    std_error,
                    margin_of_error,
                    ci95,
                    band,
                    band_settled: NpsBand::of(ci95.lo) == band && NpsBand::of(ci95.hi) == band,
                })
            }
            _ => None,
        };
        NpsReport {
            counts,
            shares,
            estimate,
        }
    }

    /// Whether there were enough answers for a score.
    pub fn enough(&self) -> bool {
        self.estimate.is_some()
    }
}

/// A change of NPS from a base (the earlier period, the other group) to another sample.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NpsChange {
    /// NPS of the other sample − NPS of the base, in points (−200..=200).
    pub delta: f64,
    /// 95% interval of the difference, in points, clamped to −200..=200.
    pub ci95: Interval,
    /// Two-sided p-value of "the two samples have the same NPS".
    pub p_value: f64,
    /// `p_value < alpha`.
    pub significant: bool,
}

/// Whether NPS changed from `base` to `other`; `None` unless both have at least
/// [`SurveyOptions::min_answers`] answers (a change of a number we do not report is not
/// reported either).
///
/// # Formula
/// Δ = NPS_other − NPS_base. Interval: Δ ± 1.96 √(SE_base² + SE_other²) (the samples are
/// independent: different periods or different respondents). Test: z = Δ / SE₀ with
/// SE₀ = 100 √(V₀ (1/n_base + 1/n_other)), V₀ = p₀ + d₀ − (p₀ − d₀)² from the pooled
/// shares — under "no change" both samples share one distribution, whose variance the pooled
/// shares estimate best — and p = 2(1 − Φ(|z|)). The pooled SE₀ is 0 only when every answer of
/// both samples is in one group, and then Δ = 0 and p = 1.
pub fn compare_nps(
    base: &NpsCounts,
    other: &NpsCounts,
    options: &SurveyOptions,
) -> Option<NpsChange> {
    if !options.enough(base.n()) || !options.enough(other.n()) {
        return None;
    }
    let (nb, no) = (base.n() as f64, other.n() as f64);
    let delta = other.observed_nps()? - base.observed_nps()?;
    let se = 100.0 * (base.score_variance()? / nb + other.score_variance()? / no).sqrt();
    let ci95 = Interval {
        lo: delta - Z_95 * se,
        hi: delta + Z_95 * se,
    }
    .clamped(-200.0, 200.0);
    let mut pooled = *base;
    pooled.merge(other);
    let se0 = 100.0 * (pooled.score_variance()? * (1.0 / nb + 1.0 / no)).sqrt();
    let p_value = if se0 > 0.0 {
        normal_two_sided_p(delta / se0)
    } else {
        1.0
    };
    Some(NpsChange {
        delta,
        ci95,
        p_value,
        significant: p_value < options.alpha,
    })
}

#[cfg(test)]
mod tests;
