//! Win-back cases: why the customer left, each attempt's outcome, when a case closes as
//! returned, the returners' funnel and the win-back rate against the method's marks.

use crate::inference::{Interval, Proportion};
use crate::{Day, Money};

/// Why a customer left, as the manager learned it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LeavingReason {
    Price,
    Quality,
    Service,
    Competitor,
    Moved,
    NoLongerNeeded,
    /// Anything else, told in the case's text.
    Other,
}

impl LeavingReason {
    pub const ALL: [LeavingReason; 7] = [
        LeavingReason::Price,
        LeavingReason::Quality,
        LeavingReason::Service,
        LeavingReason::Competitor,
        LeavingReason::Moved,
        LeavingReason::NoLongerNeeded,
        LeavingReason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeavingReason::Price => "price",
            LeavingReason::Quality => "quality",
            LeavingReason::Service => "service",
            LeavingReason::Competitor => "competitor",
            LeavingReason::Moved => "moved",
            LeavingReason::NoLongerNeeded => "no_longer_needed",
            LeavingReason::Other => "other",
        }
    }

    pub fn parse(text: &str) -> Option<LeavingReason> {
        LeavingReason::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// What came of one attempt to reach a customer (or of one queue item done).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttemptOutcome {
    /// Nobody answered (no reply to a message).
    NoAnswer,
    /// Reached and talked; no decision.
    Answered,
    /// Reached; they promised to come back or accepted the offer.
    Promised,
    /// Reached; they declined.
    Declined,
    /// The address or number is wrong.
    WrongContact,
}

impl AttemptOutcome {
    pub const ALL: [AttemptOutcome; 5] = [
        AttemptOutcome::NoAnswer,
        AttemptOutcome::Answered,
        AttemptOutcome::Promised,
        AttemptOutcome::Declined,
        AttemptOutcome::WrongContact,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttemptOutcome::NoAnswer => "no_answer",
            AttemptOutcome::Answered => "answered",
            AttemptOutcome::Promised => "promised",
            AttemptOutcome::Declined => "declined",
            AttemptOutcome::WrongContact => "wrong_contact",
        }
    }

    pub fn parse(text: &str) -> Option<AttemptOutcome> {
        AttemptOutcome::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// Whether the customer was reached (the funnel's "answered").
    pub fn reached(self) -> bool {
        matches!(
            self,
            AttemptOutcome::Answered | AttemptOutcome::Promised | AttemptOutcome::Declined
        )
    }
}

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaseState {
    /// Within its window, no purchase yet.
    Open,
    /// The customer bought again within the window.
    Returned,
    /// The window ended without a purchase.
    NotReturned,
}

impl CaseState {
    pub const ALL: [CaseState; 3] = [CaseState::Open, CaseState::Returned, CaseState::NotReturned];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Open => "open",
            CaseState::Returned => "returned",
            CaseState::NotReturned => "not_returned",
        }
    }

    pub fn parse(text: &str) -> Option<CaseState> {
        CaseState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How long a returner must keep buying to count as "still buying" in the funnel, in days.
pub const STILL_BUYING_DAYS: i32 = 90;

/// What the orders say about a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    /// The day the case was opened.
    pub opened: Day,
    /// A purchase within this many days after opening closes the case as returned.
    pub window_days: i32,
    /// The first purchase day after the opening day (a purchase on the day the case is opened
    /// came before it).
    pub first_purchase_after: Option<Day>,
    /// The first purchase day after that one.
    pub next_purchase_after_return: Option<Day>,
    /// The data's last day (the report's as-of).
    pub as_of: Day,
}

impl CaseFacts {
    /// The day the case's window ends (inclusive).
    pub fn window_last_day(&self) -> Day {
        self.opened.plus_days(self.window_days)
    }

    /// The return day: the first purchase after opening, within the window.
    pub fn returned_on(&self) -> Option<Day> {
        self.first_purchase_after
            .filter(|&d| d > self.opened && d <= self.window_last_day())
    }

    /// Returned when the customer bought within the window; not returned once the window is
    /// over (the as-of day past its last day) without one; open otherwise.
    pub fn state(&self) -> CaseState {
        if self.returned_on().is_some() {
            CaseState::Returned
        } else if self.as_of > self.window_last_day() {
            CaseState::NotReturned
        } else {
            CaseState::Open
        }
    }

    /// For a returner: `Some(true)` when they bought again within [`STILL_BUYING_DAYS`] after
    /// the return, `Some(false)` when those days have passed without, `None` while they have
    /// not yet passed (or for a case that did not return).
    pub fn still_buying(&self) -> Option<bool> {
        let returned = self.returned_on()?;
        let until = returned.plus_days(STILL_BUYING_DAYS);
        match self.next_purchase_after_return {
            Some(d) if d <= until => Some(true),
            _ if self.as_of >= until => Some(false),
            _ => None,
        }
    }
}

/// One case as the funnel counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunnelCase {
    pub attempts: u32,
    /// Whether any attempt reached the customer.
    pub reached: bool,
    pub state: CaseState,
    pub still_buying: Option<bool>,
}

/// The returners' funnel: lost → contacted → answered → returned → still buying after 90 days.
/// Each stage counts cases that reached it (a return without any recorded attempt counts as
/// returned, not as contacted: the stages are counted independently, so a later stage may
/// exceed an earlier one when work was not recorded).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Funnel {
    /// Cases opened (customers taken on as lost or slipping).
    pub lost: u64,
    /// With at least one attempt.
    pub contacted: u64,
    /// With at least one attempt that reached them.
    pub answered: u64,
    pub returned: u64,
    /// Returners who bought again within 90 days of returning.
    pub still_buying: u64,
    /// Returners whose 90 days are over (the denominator of `still_buying`).
    pub still_buying_judged: u64,
}

impl Funnel {
    pub fn add(&mut self, case: &FunnelCase) {
        self.lost += 1;
        self.contacted += u64::from(case.attempts > 0);
        self.answered += u64::from(case.reached);
        self.returned += u64::from(case.state == CaseState::Returned);
        if let Some(still) = case.still_buying {
            self.still_buying_judged += 1;
            self.still_buying += u64::from(still);
        }
    }

    /// Returned / cases, with Wilson's 95% interval; `None` without cases.
    pub fn return_rate(&self) -> Option<(f64, Interval)> {
        let p = Proportion::new(self.returned, self.lost).ok()?;
        Some((p.share()?, p.wilson_95()?))
    }
}

/// The method's mark for win-back: for consumers at least 1% of the lost customers come back;
/// for business clients every returned client counts (one regained client shows in turnover at
/// once), so there is no rate to reach, only the count.
pub const B2C_MARK: f64 = 0.01;

/// The win-back rate of consumers against the mark.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WinBackRate {
    /// Lost customers the rate is out of (lost in the latest snapshot, plus those who returned
    /// through a case since, who are no longer lost).
    pub lost: u64,
    pub returned: u64,
    /// returned / lost, 0..1; `None` without lost customers.
    pub rate: Option<f64>,
    pub ci95: Option<Interval>,
    /// Whether the rate reaches [`B2C_MARK`]; `None` without lost customers.
    pub meets_mark: Option<bool>,
}

/// The consumers' win-back rate: `returned` of `lost` (`returned` ≤ `lost` is expected; a
/// larger count is capped at `lost`, so a miscount never gives a rate above 1).
pub fn win_back_rate(lost: u64, returned: u64) -> WinBackRate {
    let returned = returned.min(lost);
    let p = Proportion::new(returned, lost).ok();
    let rate = p.and_then(|p| p.share());
    WinBackRate {
        lost,
        returned,
        rate,
        ci95: p.and_then(|p| p.wilson_95()),
        meets_mark: rate.map(|r| r >= B2C_MARK),
    }
}

/// What a returned customer brought back: revenue and profit (revenue − cost where the cost
/// is known) of their purchases from the return day over the following `days`, counted up to
/// the as-of day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Regained {
    pub revenue: Money,
    pub profit: Money,
    /// Days of that period already in the data (≤ the period).
    pub days_observed: i32,
}
