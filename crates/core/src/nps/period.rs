//! Survey answers over time and across groups: calendar periods (months, quarters), "only the
//! latest answer of a respondent in a period counts", and trends and group splits for NPS and
//! CSAT.

use std::collections::BTreeMap;
use std::fmt;

use super::csat::{CsatChange, CsatCounts, CsatReport, CsatScore, compare_csat};
use super::{NpsChange, NpsCounts, NpsRating, NpsReport, SurveyOptions, compare_nps};
use crate::{Day, days_in_month};

/// One survey answer: who gave it, when, and the score. `R` is the respondent's key (a customer
/// id), `S` the score ([`NpsRating`] or [`CsatScore`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer<R, S> {
    pub respondent: R,
    /// The day the answer was given (in the company's calendar), which decides its period.
    pub day: Day,
    /// Orders the answers of one respondent within a day: the answer's Unix time, or its id
    /// when times are equal. Of two answers with the same day and `seq`, the one later in the
    /// input counts.
    pub seq: i64,
    pub score: S,
}

/// The length of a reporting period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKind {
    Month,
    Quarter,
}

impl PeriodKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
        }
    }
}

/// A calendar month or quarter. Ordered in time (within one kind).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PeriodKey {
    kind: PeriodKind,
    /// Months: year · 12 + (month − 1); quarters: year · 4 + (quarter − 1).
    index: i32,
}

impl PeriodKey {
    /// The period that contains `day`.
    pub fn of(day: Day, kind: PeriodKind) -> PeriodKey {
        let month = day.month_index();
        let index = match kind {
            PeriodKind::Month => month,
            PeriodKind::Quarter => month.div_euclid(3),
        };
        PeriodKey { kind, index }
    }

    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    pub fn year(self) -> i32 {
        match self.kind {
            PeriodKind::Month => self.index.div_euclid(12),
            PeriodKind::Quarter => self.index.div_euclid(4),
        }
    }

    /// The month (1..=12) or quarter (1..=4) within the year.
    pub fn number(self) -> u32 {
        match self.kind {
            PeriodKind::Month => self.index.rem_euclid(12) as u32 + 1,
            PeriodKind::Quarter => self.index.rem_euclid(4) as u32 + 1,
        }
    }

    /// The period after this one.
    pub fn next(self) -> PeriodKey {
        PeriodKey {
            kind: self.kind,
            index: self.index + 1,
        }
    }

    /// The period before this one.
    pub fn previous(self) -> PeriodKey {
        PeriodKey {
            kind: self.kind,
            index: self.index - 1,
        }
    }

    fn first_month(self) -> u32 {
        match self.kind {
            PeriodKind::Month => self.number(),
            PeriodKind::Quarter => 3 * self.number() - 2,
        }
    }

    /// The first day of the period; `None` outside the years 1000..=9999 that [`Day`] builds.
    pub fn first_day(self) -> Option<Day> {
        Day::from_ymd(self.year(), self.first_month(), 1).ok()
    }

    /// The last day of the period; `None` outside the years 1000..=9999.
    pub fn last_day(self) -> Option<Day> {
        let month = match self.kind {
            PeriodKind::Month => self.number(),
            PeriodKind::Quarter => 3 * self.number(),
        };
        Day::from_ymd(self.year(), month, days_in_month(self.year(), month)).ok()
    }
}

impl fmt::Display for PeriodKey {
    /// `2024-03` for a month, `2024-Q1` for a quarter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PeriodKind::Month => write!(f, "{:04}-{:02}", self.year(), self.number()),
            PeriodKind::Quarter => write!(f, "{:04}-Q{}", self.year(), self.number()),
        }
    }
}

/// Keeps, per respondent and period, only the latest answer (the largest `(day, seq)`; on a
/// full tie the one later in the input). With `period: None` the whole input is one period (a
/// report over a date range: one answer per respondent in the range).
///
/// Returns the kept answers ordered by respondent, then period. O(n log n), stable.
pub fn latest_per_respondent<R: Ord, S>(
    mut answers: Vec<Answer<R, S>>,
    period: Option<PeriodKind>,
) -> Vec<Answer<R, S>> {
    let period_of = |a: &Answer<R, S>| period.map(|kind| PeriodKey::of(a.day, kind));
    answers.sort_by(|a, b| {
        a.respondent
            .cmp(&b.respondent)
            .then_with(|| period_of(a).cmp(&period_of(b)))
            .then_with(|| (a.day, a.seq).cmp(&(b.day, b.seq)))
    });
    // Latest first within each (respondent, period) run, so `dedup_by` (which keeps the first
    // of a run) keeps it; reversing a stable ascending sort also puts later input first.
    answers.reverse();
    answers.dedup_by(|later, kept| {
        later.respondent == kept.respondent && period_of(later) == period_of(kept)
    });
    answers.reverse();
    answers
}

/// Counts of answers that can be added up, split and compared: [`NpsCounts`], [`CsatCounts`].
pub trait AnswerTally: Default + Clone {
    type Score: Copy;
    fn add(&mut self, score: Self::Score);
    fn merge(&mut self, other: &Self);
    /// These counts without `part` (which must be a part of them).
    fn minus(&self, part: &Self) -> Self;
    fn n(&self) -> u64;
}

impl AnswerTally for NpsCounts {
    type Score = NpsRating;
    fn add(&mut self, score: NpsRating) {
        NpsCounts::add(self, score);
    }
    fn merge(&mut self, other: &Self) {
        NpsCounts::merge(self, other);
    }
    fn minus(&self, part: &Self) -> Self {
        NpsCounts::minus(self, part)
    }
    fn n(&self) -> u64 {
        NpsCounts::n(self)
    }
}

impl AnswerTally for CsatCounts {
    type Score = CsatScore;
    fn add(&mut self, score: CsatScore) {
        CsatCounts::add(self, score);
    }
    fn merge(&mut self, other: &Self) {
        CsatCounts::merge(self, other);
    }
    fn minus(&self, part: &Self) -> Self {
        CsatCounts::minus(self, part)
    }
    fn n(&self) -> u64 {
        CsatCounts::n(self)
    }
}

/// Counts per period, for every period from the first answer's to the last answer's, empty
/// periods included (a trend shows its gaps). Give it answers already reduced with
/// [`latest_per_respondent`] for the same period kind. Empty input: an empty list.
pub fn period_tallies<R, T: AnswerTally>(
    answers: &[Answer<R, T::Score>],
    kind: PeriodKind,
) -> Vec<(PeriodKey, T)> {
    let mut by_period: BTreeMap<PeriodKey, T> = BTreeMap::new();
    for a in answers {
        by_period
            .entry(PeriodKey::of(a.day, kind))
            .or_default()
            .add(a.score);
    }
    let (Some(&first), Some(&last)) = (by_period.keys().next(), by_period.keys().next_back())
    else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    let mut key = first;
    while key <= last {
        rows.push((key, by_period.remove(&key).unwrap_or_default()));
        key = key.next();
    }
    rows
}

/// Counts per group, ordered by group. The caller decides what a group is (rung, manager,
/// channel, touchpoint, RFM segment...) and reduces the answers first.
pub fn group_tallies<G: Ord, T: AnswerTally>(
    items: impl IntoIterator<Item = (G, T::Score)>,
) -> Vec<(G, T)> {
    let mut by_group: BTreeMap<G, T> = BTreeMap::new();
    for (group, score) in items {
        by_group.entry(group).or_default().add(score);
    }
    by_group.into_iter().collect()
}

/// One period of a trend: its report, and the change from the period before.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeriodRow<Report, Change> {
    pub period: PeriodKey,
    pub report: Report,
    /// Change from the immediately preceding period; `None` for the first period or when
    /// either period has too few answers.
    pub change: Option<Change>,
}

/// One group of a split: its report, and how it differs from everyone else.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupRow<G, Report, Change> {
    pub group: G,
    pub report: Report,
    /// This group against all other answers (group − rest); `None` when either side has too
    /// few answers. Each row is its own test: with many groups, some will look "significant"
    /// by chance (1 in 20 at α = 0.05).
    pub vs_rest: Option<Change>,
}

fn trend<R: Ord, T: AnswerTally, Rep, Ch>(
    answers: Vec<Answer<R, T::Score>>,
    kind: PeriodKind,
    report: impl Fn(&T) -> Rep,
    change: impl Fn(&T, &T) -> Option<Ch>,
) -> Vec<PeriodRow<Rep, Ch>> {
    let kept = latest_per_respondent(answers, Some(kind));
    let tallies = period_tallies::<R, T>(&kept, kind);
    tallies
        .iter()
        .enumerate()
        .map(|(i, (period, counts))| PeriodRow {
            period: *period,
            report: report(counts),
            change: i.checked_sub(1).and_then(|p| change(&tallies[p].1, counts)),
        })
        .collect()
}

fn split<G: Ord, T: AnswerTally, Rep, Ch>(
    items: impl IntoIterator<Item = (G, T::Score)>,
    report: impl Fn(&T) -> Rep,
    change: impl Fn(&T, &T) -> Option<Ch>,
) -> Vec<GroupRow<G, Rep, Ch>> {
    let tallies = group_tallies::<G, T>(items);
    let mut total = T::default();
    for (_, counts) in &tallies {
        total.merge(counts);
    }
    tallies
        .into_iter()
        .map(|(group, counts)| {
            let rest = total.minus(&counts);
            GroupRow {
                vs_rest: change(&rest, &counts),
                report: report(&counts),
                group,
            }
        })
        .collect()
}

/// Monthly or quarterly NPS: the answers are reduced to the latest per respondent and period,
/// counted per period (empty periods included), reported, and each period compared with the
/// one before.
pub fn nps_trend<R: Ord>(
    answers: Vec<Answer<R, NpsRating>>,
    kind: PeriodKind,
    options: &SurveyOptions,
) -> Vec<PeriodRow<NpsReport, NpsChange>> {
    trend::<R, NpsCounts, _, _>(
        answers,
        kind,
        |c| NpsReport::new(*c, options),
        |a, b| compare_nps(a, b, options),
    )
}

/// NPS per group (answers already reduced with [`latest_per_respondent`]), each compared with
/// the rest.
pub fn nps_by_group<G: Ord>(
    items: impl IntoIterator<Item = (G, NpsRating)>,
    options: &SurveyOptions,
) -> Vec<GroupRow<G, NpsReport, NpsChange>> {
    split::<G, NpsCounts, _, _>(
        items,
        |c| NpsReport::new(*c, options),
        |rest, group| compare_nps(rest, group, options),
    )
}

/// Monthly or quarterly CSAT, as [`nps_trend`].
pub fn csat_trend<R: Ord>(
    answers: Vec<Answer<R, CsatScore>>,
    kind: PeriodKind,
    options: &SurveyOptions,
) -> Vec<PeriodRow<CsatReport, CsatChange>> {
    trend::<R, CsatCounts, _, _>(
        answers,
        kind,
        |c| CsatReport::new(*c, options),
        |a, b| compare_csat(a, b, options),
    )
}

/// CSAT per group, as [`nps_by_group`].
pub fn csat_by_group<G: Ord>(
    items: impl IntoIterator<Item = (G, CsatScore)>,
    options: &SurveyOptions,
) -> Vec<GroupRow<G, CsatReport, CsatChange>> {
    split::<G, CsatCounts, _, _>(
        items,
        |c| CsatReport::new(*c, options),
        |rest, group| compare_csat(rest, group, options),
    )
}
