//! The loyalty ladder: rung, status, turn of the spiral, strategy and profit sub-group.
//!
//! Rungs: prospect → visitor → newcomer → regular → advocate. A status sits beside the rung
//! (active / slipping / lost), so a lost regular is still shown as a regular, to be won back. A
//! customer whose gap between two purchases exceeded the "lost" limit came back: the ladder is a
//! spiral, the return starts a new turn, and the rung is judged on the current turn's purchases
//! while the best rung of earlier turns is kept as history.
//!
//! The rooms: [`rules`] (what a rung and a status take, and their validation), [`placement`]
//! (placing one customer), [`reasons`] (why, as words and as codes) and [`subgroups`] (profit
//! sub-groups inside a rung). This module holds the vocabulary they share.

mod placement;
mod reasons;
mod rules;
mod subgroups;

pub use placement::{AdvocacySignals, Placement, Standing, place};
pub use reasons::{RungReason, StatusBasis, StatusReason};
pub use rules::{LadderRules, RulesError, StatusRules, SubgroupRule};
pub use subgroups::{Subgroup, assign_subgroups};

use crate::Day;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rung {
    Prospect,
    Visitor,
    Newcomer,
    Regular,
    Advocate,
}

impl Rung {
    pub const ALL: [Rung; 5] = [
        Rung::Prospect,
        Rung::Visitor,
        Rung::Newcomer,
        Rung::Regular,
        Rung::Advocate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Rung::Prospect => "prospect",
            Rung::Visitor => "visitor",
            Rung::Newcomer => "newcomer",
            Rung::Regular => "regular",
            Rung::Advocate => "advocate",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Active,
    Slipping,
    Lost,
}

impl Status {
    pub const ALL: [Status; 3] = [Status::Active, Status::Slipping, Status::Lost];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Slipping => "slipping",
            Status::Lost => "lost",
        }
    }
}

/// What to do with a customer, by rung (and win back for anyone lost).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Strategy {
    Attract,
    Engage,
    Retain,
    Cherish,
    WinBack,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Attract => "attract",
            Strategy::Engage => "engage",
            Strategy::Retain => "retain",
            Strategy::Cherish => "cherish",
            Strategy::WinBack => "win back",
        }
    }

    /// The strategy of a rung for customers who are not lost (the lost are won back).
    pub fn for_rung(rung: Rung) -> Strategy {
        match rung {
            Rung::Prospect | Rung::Visitor => Strategy::Attract,
            Rung::Newcomer => Strategy::Engage,
            Rung::Regular => Strategy::Retain,
            Rung::Advocate => Strategy::Cherish,
        }
    }

    /// The recommended actions of this strategy, most important first.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            Strategy::Attract => &[
                "turn the touch into a first purchase: a trial offer or a low-risk entry product",
                "answer inquiries fast and follow up within two days",
                "ask how they heard of you, to learn which channels bring buyers",
            ],
            Strategy::Engage => &[
                "thank them for the first purchase and make the second one easy",
                "ask for feedback on the first order and fix what disappointed",
                "introduce the categories they have not tried yet",
            ],
            Strategy::Retain => &[
                "keep the rhythm: remind them before their usual next purchase",
                "reward loyalty with service, not only discounts",
                "assign a manager to the most profitable regulars",
            ],
            Strategy::Cherish => &[
                "personal attention: a call from the manager, greetings on personal dates",
                "invite them to refer others and thank them for referrals",
                "ask for their ideas and show what you changed because of them",
            ],
            Strategy::WinBack => &[
                "find out why they left: a short personal call or letter",
                "make an offer that answers the reason they left",
                "measure the returns against a control group that gets no offer",
            ],
        }
    }
}

/// Calendar period over which a regular's purchases must spread.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    Quarter,
    Year,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }

    /// A number that is equal for two days exactly when they fall in the same period.
    pub fn index(self, day: Day) -> i32 {
        match self {
            // 1970-01-01 was a Thursday; shifting by 3 makes weeks start on Monday.
            Period::Week => (day.days_since_epoch() + 3).div_euclid(7),
            Period::Month => day.month_index(),
            Period::Quarter => day.month_index().div_euclid(3),
            Period::Year => day.year(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).unwrap()
    }

    #[test]
    fn week_periods_start_on_monday() {
        // 2024-01-07 is a Sunday, 2024-01-08 a Monday.
        assert_ne!(
            Period::Week.index(day(2024, 1, 7)),
            Period::Week.index(day(2024, 1, 8))
        );
        assert_eq!(
            Period::Week.index(day(2024, 1, 8)),
            Period::Week.index(day(2024, 1, 14))
        );
    }
}
