//! The closed loop of the voice of the customer: which survey answers open a follow-up task and
//! by when it must be answered, the response targets of complaints by severity, what is overdue,
//! the share answered within target, and how often one person may be invited to a survey.
//!
//! Times are Unix seconds (the store's instants); targets are whole seconds. Everything here is
//! total: a target or period outside its documented range is refused by its constructor with a
//! [`TargetError`], never clamped.

use crate::inference::{Interval, Proportion};
use crate::nps::NpsCategory;
use crate::nps::csat::CsatScore;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// The longest response target accepted: a year. A longer one is a typo (hours for minutes).
pub const MAX_TARGET_HOURS: u32 = 8_760;
/// The longest invitation period accepted: ten years.
pub const MAX_INVITE_PERIOD_DAYS: u32 = 3_650;

/// A target or period outside what is accepted.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("{what} of {value} hours is not between 1 and {MAX_TARGET_HOURS}")]
    Hours { what: &'static str, value: u32 },
    #[error(
        "the first-response target ({first} hours) of {severity} complaints is longer than their resolution target ({resolution} hours)"
    )]
    FirstAfterResolution {
        severity: &'static str,
        first: u32,
        resolution: u32,
    },
    #[error("an invitation period of {0} days is not between 0 and {MAX_INVITE_PERIOD_DAYS}")]
    InvitePeriod(u32),
}

fn hours(what: &'static str, value: u32) -> Result<i64, TargetError> {
    if (1..=MAX_TARGET_HOURS).contains(&value) {
        Ok(i64::from(value) * HOUR)
    } else {
        Err(TargetError::Hours { what, value })
    }
}

/// What kind of follow-up an answer asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FollowUpKind {
    /// An unhappy customer (NPS 0–6, CSAT 1–2): call back soon.
    Detractor,
    /// A lukewarm customer (NPS 7–8, CSAT 3): a gentler task, with more time.
    Passive,
}

impl FollowUpKind {
    pub const ALL: [FollowUpKind; 2] = [FollowUpKind::Detractor, FollowUpKind::Passive];

    pub fn as_str(self) -> &'static str {
        match self {
            FollowUpKind::Detractor => "detractor",
            FollowUpKind::Passive => "passive",
        }
    }

    pub fn parse(text: &str) -> Option<FollowUpKind> {
        FollowUpKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The follow-up an NPS answer asks for: detractors and passives one each, promoters none.
    pub fn for_nps(category: NpsCategory) -> Option<FollowUpKind> {
        match category {
            NpsCategory::Detractor => Some(FollowUpKind::Detractor),
            NpsCategory::Passive => Some(FollowUpKind::Passive),
            NpsCategory::Promoter => None,
        }
    }

    /// The follow-up a CSAT answer asks for: 1–2 (dissatisfied) as a detractor's, 3 (neutral)
    /// as a passive's, 4–5 none — the same reading of "unhappy" and "lukewarm" on the 1–5 scale.
    pub fn for_csat(score: CsatScore) -> Option<FollowUpKind> {
        match score.get() {
            1 | 2 => Some(FollowUpKind::Detractor),
            3 => Some(FollowUpKind::Passive),
            _ => None,
        }
    }
}

/// How long a follow-up task may stay unanswered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseTargets {
    detractor: i64,
    /// `None`: passives open no task.
    passive: Option<i64>,
}

impl Default for ResponseTargets {
    /// 48 hours for a detractor, 7 days for a passive.
    fn default() -> ResponseTargets {
        ResponseTargets {
            detractor: 48 * HOUR,
            passive: Some(7 * DAY),
        }
    }
}

impl ResponseTargets {
    /// Targets in hours (1..=[`MAX_TARGET_HOURS`]); `passive_hours: None` opens no task for
    /// passives.
    pub fn from_hours(
        detractor_hours: u32,
        passive_hours: Option<u32>,
    ) -> Result<ResponseTargets, TargetError> {
        Ok(ResponseTargets {
            detractor: hours("the detractor response target", detractor_hours)?,
            passive: passive_hours
                .map(|h| hours("the passive response target", h))
                .transpose()?,
        })
    }

    pub fn detractor_hours(&self) -> u32 {
        (self.detractor / HOUR) as u32
    }

    pub fn passive_hours(&self) -> Option<u32> {
        self.passive.map(|s| (s / HOUR) as u32)
    }

    /// Seconds allowed for a task of `kind`; `None` when such answers open no task.
    pub fn target_seconds(&self, kind: FollowUpKind) -> Option<i64> {
        match kind {
            FollowUpKind::Detractor => Some(self.detractor),
            FollowUpKind::Passive => self.passive,
        }
    }

    /// When a task of `kind` opened at `opened_at` is due; `None` when such answers open no task.
    pub fn due(&self, kind: FollowUpKind, opened_at: i64) -> Option<i64> {
        self.target_seconds(kind)
            .map(|t| opened_at.saturating_add(t))
    }
}

/// How serious a complaint is; each severity has its own targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Low,
    Normal,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Low,
        Severity::Normal,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Normal => "normal",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The stored name, or a word an export may use in Russian or English.
    pub fn parse(text: &str) -> Option<Severity> {
        let t = text.trim().to_lowercase();
        Some(match t.as_str() {
            "low" | "minor" | "низкая" | "низкий" | "незначительная" => {
                Severity::Low
            }
            "normal" | "medium" | "средняя" | "средний" | "обычная" | "обычный" => {
                Severity::Normal
            }
            "high" | "major" | "высокая" | "высокий" | "серьезная" | "серьёзная" => {
                Severity::High
            }
            "critical" | "urgent" | "критическая" | "критичная" | "срочная" => {
                Severity::Critical
            }
            _ => return None,
        })
    }
}

/// First-response and resolution targets of one severity, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeverityTarget {
    pub first_response: i64,
    pub resolution: i64,
}

/// Targets per severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComplaintTargets {
    by_severity: [SeverityTarget; 4],
}

impl Default for ComplaintTargets {
    /// Low 72 h / 14 days, normal 48 h / 7 days, high 24 h / 3 days, critical 4 h / 24 h.
    fn default() -> ComplaintTargets {
        let t = |first: i64, resolution: i64| SeverityTarget {
            first_response: first * HOUR,
            resolution: resolution * HOUR,
        };
        ComplaintTargets {
            by_severity: [t(72, 336), t(48, 168), t(24, 72), t(4, 24)],
        }
    }
}

impl ComplaintTargets {
    /// Sets one severity's targets in hours; the first response may not come after the
    /// resolution.
    pub fn set_hours(
        &mut self,
        severity: Severity,
        first_response_hours: u32,
        resolution_hours: u32,
    ) -> Result<(), TargetError> {
        let first = hours("a first-response target", first_response_hours)?;
        let resolution = hours("a resolution target", resolution_hours)?;
        if first > resolution {
            return Err(TargetError::FirstAfterResolution {
                severity: severity.as_str(),
                first: first_response_hours,
                resolution: resolution_hours,
            });
        }
        self.by_severity[severity as usize] = SeverityTarget {
            first_response: first,
            resolution,
        };
        Ok(())
    }

    pub fn get(&self, severity: Severity) -> SeverityTarget {
        self.by_severity[severity as usize]
    }

    /// (first response, resolution) due times of a complaint received at `received_at`.
    pub fn due(&self, severity: Severity, received_at: i64) -> (i64, i64) {
        let t = self.get(severity);
        (
            received_at.saturating_add(t.first_response),
            received_at.saturating_add(t.resolution),
        )
    }
}

/// Whether something due at `due_at` and done at `done_at` (if yet) is overdue at `now`: not
/// done and past its due time.
pub fn overdue(due_at: i64, done_at: Option<i64>, now: i64) -> bool {
    done_at.is_none() && now > due_at
}

/// Whether something was (or already cannot be) done within target: `Some(true)` when done by
/// `due_at`, `Some(false)` when done later or still open past it, `None` while open and not yet
/// due (undecided).
pub fn within_target(due_at: i64, done_at: Option<i64>, now: i64) -> Option<bool> {
    match done_at {
        Some(done) => Some(done <= due_at),
        None if now > due_at => Some(false),
        None => None,
    }
}

/// How many decided items were done within target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TargetCompliance {
    /// Done within target.
    pub within: u64,
    /// Done late, or still open past the due time.
    pub late: u64,
    /// Open and not yet due: not counted either way.
    pub pending: u64,
}

impl TargetCompliance {
    /// Counts `(due_at, done_at)` pairs as of `now`.
    pub fn tally(items: impl IntoIterator<Item = (i64, Option<i64>)>, now: i64) -> Self {
        let mut c = TargetCompliance::default();
        for (due, done) in items {
            c.add(due, done, now);
        }
        c
    }

    pub fn add(&mut self, due_at: i64, done_at: Option<i64>, now: i64) {
        match within_target(due_at, done_at, now) {
            Some(true) => self.within += 1,
            Some(false) => self.late += 1,
            None => self.pending += 1,
        }
    }

    /// Decided items: within plus late.
    pub fn decided(&self) -> u64 {
        self.within + self.late
    }

    /// Within target out of decided, as a proportion (0 of 0 when nothing is decided).
    pub fn proportion(&self) -> Proportion {
        // within ≤ decided by construction.
        Proportion::new(self.within, self.decided()).unwrap_or_default()
    }

    /// The share within target; `None` when nothing is decided yet.
    pub fn share(&self) -> Option<f64> {
        self.proportion().share()
    }

    /// Wilson's 95% interval of the share; `None` when nothing is decided yet.
    pub fn ci95(&self) -> Option<Interval> {
        self.proportion().wilson_95()
    }
}

/// How often one person may be invited to a survey, whatever the survey.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvitePeriod {
    days: u32,
}

impl Default for InvitePeriod {
    /// 90 days.
    fn default() -> InvitePeriod {
        InvitePeriod { days: 90 }
    }
}

impl InvitePeriod {
    /// At most one invitation per `days` (0: no limit; at most [`MAX_INVITE_PERIOD_DAYS`]).
    pub fn days(days: u32) -> Result<InvitePeriod, TargetError> {
        if days <= MAX_INVITE_PERIOD_DAYS {
            Ok(InvitePeriod { days })
        } else {
            Err(TargetError::InvitePeriod(days))
        }
    }

    pub fn get(self) -> u32 {
        self.days
    }

    /// The earliest instant a person last invited at `last_invited_at` may be invited again.
    pub fn next_allowed(self, last_invited_at: i64) -> i64 {
        last_invited_at.saturating_add(i64::from(self.days) * DAY)
    }

    /// Whether a person whose latest invitation was at `last_invited_at` (if ever) may be
    /// invited at `now`: never invited, or the whole period has passed.
    pub fn may_invite(self, last_invited_at: Option<i64>, now: i64) -> bool {
        last_invited_at.is_none_or(|last| now >= self.next_allowed(last))
    }

    /// The instant before which an earlier invitation blocks a new one at `now`.
    pub fn blocking_since(self, now: i64) -> i64 {
        now.saturating_sub(i64::from(self.days) * DAY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_open_the_follow_ups_the_method_asks_for() {
        assert_eq!(
            FollowUpKind::for_nps(NpsCategory::Detractor),
            Some(FollowUpKind::Detractor)
        );
        assert_eq!(
            FollowUpKind::for_nps(NpsCategory::Passive),
            Some(FollowUpKind::Passive)
        );
        assert_eq!(FollowUpKind::for_nps(NpsCategory::Promoter), None);
        let csat = |s| FollowUpKind::for_csat(CsatScore::new(s).unwrap());
        assert_eq!(csat(1), Some(FollowUpKind::Detractor));
        assert_eq!(csat(2), Some(FollowUpKind::Detractor));
        assert_eq!(csat(3), Some(FollowUpKind::Passive));
        assert_eq!(csat(4), None);
        assert_eq!(csat(5), None);
        for k in FollowUpKind::ALL {
            assert_eq!(FollowUpKind::parse(k.as_str()), Some(k));
        }
    }

    #[test]
    fn default_targets_are_48_hours_and_7_days() {
        let t = ResponseTargets::default();
        let opened = 1_700_000_000;
        assert_eq!(
            t.due(FollowUpKind::Detractor, opened),
            Some(opened + 172_800)
        );
        assert_eq!(t.due(FollowUpKind::Passive, opened), Some(opened + 604_800));
        assert_eq!((t.detractor_hours(), t.passive_hours()), (48, Some(168)));
        let no_passive = ResponseTargets::from_hours(24, None).unwrap();
        assert_eq!(no_passive.due(FollowUpKind::Passive, opened), None);
        assert_eq!(
            ResponseTargets::from_hours(0, None),
            Err(TargetError::Hours {
                what: "the detractor response target",
                value: 0
            })
        );
        assert!(ResponseTargets::from_hours(48, Some(MAX_TARGET_HOURS + 1)).is_err());
        assert!(ResponseTargets::from_hours(MAX_TARGET_HOURS, Some(1)).is_ok());
    }

    #[test]
    fn complaint_targets_per_severity() {
        let t = ComplaintTargets::default();
        assert_eq!(t.due(Severity::Critical, 0), (4 * 3600, 24 * 3600));
        assert_eq!(
            t.due(Severity::Low, 100),
            (100 + 72 * 3600, 100 + 336 * 3600)
        );
        let mut t = ComplaintTargets::default();
        t.set_hours(Severity::High, 2, 10).unwrap();
        assert_eq!(t.due(Severity::High, 0), (7_200, 36_000));
        assert_eq!(
            t.set_hours(Severity::High, 10, 2),
            Err(TargetError::FirstAfterResolution {
                severity: "high",
                first: 10,
                resolution: 2
            })
        );
        // A refused change leaves the targets as they were.
        assert_eq!(t.due(Severity::High, 0), (7_200, 36_000));
        assert_eq!(Severity::parse(" Высокая "), Some(Severity::High));
        assert_eq!(Severity::parse("urgent"), Some(Severity::Critical));
        assert_eq!(Severity::parse("whenever"), None);
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn overdue_and_within_target_at_the_boundaries() {
        let due = 1_000;
        // Done exactly at the due second is within target; one second later is late.
        assert_eq!(within_target(due, Some(1_000), 5_000), Some(true));
        assert_eq!(within_target(due, Some(1_001), 5_000), Some(false));
        // Open: undecided until the due second has passed.
        assert_eq!(within_target(due, None, 1_000), None);
        assert_eq!(within_target(due, None, 1_001), Some(false));
        assert!(!overdue(due, None, 1_000));
        assert!(overdue(due, None, 1_001));
        assert!(!overdue(due, Some(2_000), 3_000));
    }

    #[test]
    fn compliance_counts_only_decided_items() {
        let now = 10_000;
        let c = TargetCompliance::tally(
            [
                (5_000, Some(4_000)),  // within
                (5_000, Some(6_000)),  // late
                (5_000, None),         // open past due: late
                (20_000, None),        // open, not yet due: pending
                (20_000, Some(9_000)), // within
            ],
            now,
        );
        assert_eq!((c.within, c.late, c.pending), (2, 2, 1));
        assert_eq!(c.share(), Some(0.5));
        let ci = c.ci95().unwrap();
        assert!(ci.lo < 0.5 && ci.hi > 0.5);
        let none = TargetCompliance::tally([(20_000, None)], now);
        assert_eq!(none.share(), None);
        assert_eq!(none.ci95(), None);
    }

    #[test]
    fn a_person_is_invited_at_most_once_per_period() {
        let p = InvitePeriod::default();
        assert_eq!(p.get(), 90);
        let last = 1_000_000;
        let period = 90 * 86_400;
        assert!(p.may_invite(None, last));
        assert!(!p.may_invite(Some(last), last + period - 1));
        assert!(p.may_invite(Some(last), last + period));
        assert_eq!(p.blocking_since(last + period), last);
        let none = InvitePeriod::days(0).unwrap();
        assert!(none.may_invite(Some(last), last));
        assert_eq!(
            InvitePeriod::days(MAX_INVITE_PERIOD_DAYS + 1),
            Err(TargetError::InvitePeriod(MAX_INVITE_PERIOD_DAYS + 1))
        );
    }
}
