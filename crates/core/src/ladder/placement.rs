//! Placing one customer on the ladder: the turns of the spiral, the rung of the current turn,
//! advocacy, and the status by the customer's own rhythm, a model's P(alive) or fixed limits.

use crate::{CustomerSummary, Day, NpsScore, Rhythm};

use super::{
    LadderRules, Rung, RungReason, Status, StatusBasis, StatusReason, StatusRules, Strategy,
};

/// What the customers file (and the referral graph) say that can make a regular an advocate.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct AdvocacySignals {
    pub nps: Option<NpsScore>,
    /// How many customers name this one as their referrer.
    pub referrals: u32,
    /// Last recorded touch without a purchase.
    pub last_touch: Option<Day>,
}

/// A customer's place on the ladder.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    pub rung: Rung,
    pub reason: RungReason,
    /// `None` for people who never bought (prospects, visitors).
    pub status: Option<(Status, StatusReason)>,
    /// 1 for a first-time journey; each return after a loss adds one.
    pub turn: u32,
    /// Best rung reached in earlier turns, for returners.
    pub previous_rung: Option<Rung>,
}

impl Placement {
    /// Came back after being lost at least once.
    pub fn is_returner(&self) -> bool {
        self.standing().is_returner()
    }

    pub fn status(&self) -> Option<Status> {
        self.standing().status()
    }

    pub fn strategy(&self) -> Strategy {
        self.standing().strategy()
    }

    /// The customer's rhythm, when their status was judged by it.
    pub fn rhythm(&self) -> Option<&Rhythm> {
        self.status.as_ref().and_then(|(_, why)| why.rhythm())
    }

    /// The decisions of this placement without their reasons.
    pub fn standing(&self) -> Standing {
        Standing {
            rung: self.rung,
            status: self.status.map(|(s, why)| (s, why.basis())),
            turn: self.turn,
            previous_rung: self.previous_rung,
        }
    }
}

/// Where a customer stands, without the reasons: the part of a [`Placement`] an analysis keeps
/// for every customer (8 bytes against the placement's 88; with tens of millions of customers the
/// reasons were gigabytes). The reasons are derived again, when they are written, by [`place`]
/// from the same inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub rung: Rung,
    /// `None` for people who never bought (prospects, visitors).
    pub status: Option<(Status, StatusBasis)>,
    /// 1 for a first-time journey; each return after a loss adds one.
    pub turn: u32,
    /// Best rung reached in earlier turns, for returners.
    pub previous_rung: Option<Rung>,
}

impl Standing {
    /// Came back after being lost at least once.
    pub fn is_returner(&self) -> bool {
        self.turn > 1
    }

    pub fn status(&self) -> Option<Status> {
        self.status.map(|(s, _)| s)
    }

    pub fn strategy(&self) -> Strategy {
        if self.status() == Some(Status::Lost) {
            return Strategy::WinBack;
        }
        Strategy::for_rung(self.rung)
    }
}

/// Places one person on the ladder. `summary` is `None` for someone known only from the
/// customers file.
///
/// `p_alive` is a fitted model's probability that the customer is still active, when a model was
/// fitted; it joins the customer's own rhythm in deciding the status.
pub fn place(
    summary: Option<&CustomerSummary>,
    signals: &AdvocacySignals,
    p_alive: Option<f64>,
    rules: &LadderRules,
) -> Placement {
    let Some(summary) = summary.filter(|s| !s.days.is_empty()) else {
        let (rung, reason) = match (summary, signals.last_touch) {
            (Some(_), _) => (Rung::Visitor, RungReason::OnlyReturns),
            (None, Some(last_touch)) => (Rung::Visitor, RungReason::TouchOnly { last_touch }),
            (None, None) => (Rung::Prospect, RungReason::NoTouch),
        };
        return Placement {
            rung,
            reason,
            status: None,
            turn: 1,
            previous_rung: None,
        };
    };
    let lost_after = rules.status.lost_after_days;
    // Turns of the spiral: every gap longer than the lost limit starts a new one. Walked without
    // collecting them: most customers have a single turn.
    let mut turns = 1u32;
    let mut turn_start = 0usize;
    let mut previous_rung: Option<Rung> = None;
    for (i, w) in summary.days.windows(2).enumerate() {
        if w[1].days_since(w[0]) > lost_after {
            let rung = purchase_rung(&summary.days[turn_start..=i], rules).0;
            previous_rung = previous_rung.max(Some(rung));
            turn_start = i + 1;
            turns += 1;
        }
    }
    let current = &summary.days[turn_start..];
    let (mut rung, mut reason) = purchase_rung(current, rules);
    if rung == Rung::Regular
        && let Some(advocate_reason) = advocacy(current.len() as u32, summary, signals, rules)
    {
        rung = Rung::Advocate;
        reason = advocate_reason;
    }
    let days_since_last = summary
        .as_of
        .days_since(*current.last().expect("non-empty turn"));
    Placement {
        rung,
        reason,
        status: Some(status(current, days_since_last, p_alive, &rules.status)),
        turn: turns,
        previous_rung,
    }
}

fn purchase_rung(days: &[Day], rules: &LadderRules) -> (Rung, RungReason) {
    let purchase_days = days.len() as u32;
    if purchase_days < rules.regular_min_purchase_days {
        return (Rung::Newcomer, RungReason::FirstPurchases { purchase_days });
    }
    // Days ascend, so equal periods are adjacent: count the changes.
    let mut periods = 0u32;
    let mut last_period = None;
    for &d in days {
        let p = rules.period.index(d);
        if last_period != Some(p) {
            periods += 1;
            last_period = Some(p);
        }
    }
    if periods < rules.regular_min_periods {
        return (
            Rung::Newcomer,
            RungReason::TooFewPeriods {
                purchase_days,
                periods,
                min_periods: rules.regular_min_periods,
                period: rules.period,
            },
        );
    }
    (
        Rung::Regular,
        RungReason::Regular {
            purchase_days,
            periods,
            period: rules.period,
        },
    )
}

fn advocacy(
    purchase_days: u32,
    summary: &CustomerSummary,
    signals: &AdvocacySignals,
    rules: &LadderRules,
) -> Option<RungReason> {
    if rules.advocate_if_promoter
        && let Some(nps) = signals.nps.filter(|n| n.is_promoter())
    {
        return Some(RungReason::Promoter {
            purchase_days,
            nps: nps.get(),
        });
    }
    if rules.advocate_min_referrals > 0 && signals.referrals >= rules.advocate_min_referrals {
        return Some(RungReason::Referrer {
            purchase_days,
            referrals: signals.referrals,
        });
    }
    match (
        rules.advocate_min_full_price_share,
        summary.full_price_share,
    ) {
        (Some(min), Some(share)) if share >= min => Some(RungReason::FullPrice {
            purchase_days,
            share,
        }),
        _ => None,
    }
}

/// The status rule, in plain words (README, "Statuses"; the card's explanation says the same):
///
/// 1. **Lost** when there has been no purchase for more than `lost_after_days` (365), or the
///    model's P(alive) is below `lost_p_alive` (0.2), or the silence is far beyond the
///    customer's own rhythm and the model does not vouch for them (P(alive) below
///    `slipping_p_alive`, 0.5, or no model).
/// 2. **Slipping** when late by their own rhythm (or far beyond it while the model vouches), or
///    when the model doubts them (P(alive) below 0.5 after `min_slipping_days`), or — without
///    a rhythm — when quiet for more than `slipping_after_days`.
/// 3. **Active** otherwise.
///
/// Longer silence never makes a customer more active, and a lower P(alive) never does either,
/// other things equal (`status_is_monotone_in_silence_and_p_alive`).
fn status(
    turn_days: &[Day],
    days_since_last: i32,
    p_alive: Option<f64>,
    rules: &StatusRules,
) -> (Status, StatusReason) {
    if days_since_last > rules.lost_after_days {
        let reason = StatusReason::Gone {
            days_since_last,
            limit: rules.lost_after_days,
        };
        return (Status::Lost, reason);
    }
    if let Some(p_alive) = p_alive.filter(|&p| p < rules.lost_p_alive) {
        let limit = rules.lost_p_alive;
        return (Status::Lost, StatusReason::ProbablyGone { p_alive, limit });
    }
    let past_minimum = days_since_last > rules.min_slipping_days;
    // The model doubts the customer: P(alive) below the slipping limit (after the minimum
    // silence). No model, no doubt and no vouching either.
    let doubtful = p_alive.filter(|&p| p < rules.slipping_p_alive && past_minimum);
    // The model vouches for the customer: P(alive) at or above the slipping limit.
    let vouched = p_alive.is_some_and(|p| p >= rules.slipping_p_alive);
    if let Some(rhythm) = Rhythm::of(turn_days, &rules.rhythm) {
        let since = f64::from(days_since_last);
        let (status, reason) = if past_minimum && since > rhythm.lost_after && !vouched {
            let reason = StatusReason::FarBeyondRhythm {
                rhythm,
                days_since_last,
            };
            (Status::Lost, reason)
        } else if past_minimum && since > rhythm.late_after {
            // Far beyond the rhythm too when the model vouches: late, not lost (a customer
            // the model gives P(alive) of 0.5 or more is never called lost by the rhythm).
            let reason = StatusReason::LateByRhythm {
                rhythm,
                days_since_last,
            };
            (Status::Slipping, reason)
        } else if let Some(p_alive) = doubtful {
            // Within the rhythm, but the model doubts: slipping, never active.
            let limit = rules.slipping_p_alive;
            (Status::Slipping, StatusReason::Doubtful { p_alive, limit })
        } else {
            let reason = StatusReason::WithinRhythm {
                rhythm,
                days_since_last,
            };
            (Status::Active, reason)
        };
        return (status, reason);
    }
    if let Some(p_alive) = doubtful {
        let limit = rules.slipping_p_alive;
        return (Status::Slipping, StatusReason::Doubtful { p_alive, limit });
    }
    if days_since_last > rules.slipping_after_days {
        let reason = StatusReason::Quiet {
            days_since_last,
            limit: rules.lost_after_days,
        };
        return (Status::Slipping, reason);
    }
    let reason = StatusReason::Recent {
        days_since_last,
        limit: rules.slipping_after_days,
    };
    (Status::Active, reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Money, OrderLine, Period, RowRef, summarize};
    use proptest::prelude::{Just, prop_oneof};

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).unwrap()
    }

    fn summary_of(days: &[Day], as_of: Day, full_price: Option<bool>) -> CustomerSummary {
        let lines: Vec<OrderLine> = days
            .iter()
            .enumerate()
            .map(|(i, &d)| OrderLine {
                row: RowRef {
                    file: 0,
                    line: i as u64 + 1,
                },
                day: d,
                amount: Money::from_major(10),
                cost: Some(Money::from_major(4)),
                category: None,
                full_price,
                line_key: None,
                order_key: None,
            })
            .collect();
        summarize(&lines, as_of)
    }

    fn rules() -> LadderRules {
        LadderRules::default()
    }

    #[test]
    fn people_without_purchases() {
        let p = place(None, &AdvocacySignals::default(), None, &rules());
        assert_eq!(
            (p.rung, p.status, p.strategy()),
            (Rung::Prospect, None, Strategy::Attract)
        );
        let touched = AdvocacySignals {
            last_touch: Some(day(2024, 5, 1)),
            ..Default::default()
        };
        let v = place(None, &touched, None, &rules());
        assert_eq!(v.rung, Rung::Visitor);
        assert_eq!(
            v.reason.to_string(),
            "touched us (last on 2024-05-01) but has not bought"
        );
    }

    #[test]
    fn newcomer_regular_and_too_few_periods() {
        let as_of = day(2024, 3, 1);
        let one = summary_of(&[day(2024, 2, 20)], as_of, None);
        let p = place(Some(&one), &AdvocacySignals::default(), None, &rules());
        assert_eq!((p.rung, p.strategy()), (Rung::Newcomer, Strategy::Engage));
        assert_eq!(p.reason.to_string(), "first purchase");

        let same_month = summary_of(
            &[day(2024, 2, 1), day(2024, 2, 10), day(2024, 2, 20)],
            as_of,
            None,
        );
        let p = place(
            Some(&same_month),
            &AdvocacySignals::default(),
            None,
            &rules(),
        );
        assert_eq!(p.rung, Rung::Newcomer);
        assert!(matches!(
            p.reason,
            RungReason::TooFewPeriods { periods: 1, .. }
        ));

        let two_months = summary_of(
            &[day(2024, 1, 25), day(2024, 2, 10), day(2024, 2, 20)],
            as_of,
            None,
        );
        let p = place(
            Some(&two_months),
            &AdvocacySignals::default(),
            None,
            &rules(),
        );
        assert_eq!((p.rung, p.strategy()), (Rung::Regular, Strategy::Retain));
        assert_eq!(p.reason.to_string(), "3 purchase days over 2 months");
    }

    #[test]
    fn advocates_by_each_signal() {
        let as_of = day(2024, 3, 1);
        let days = [day(2024, 1, 25), day(2024, 2, 10), day(2024, 2, 20)];
        let s = summary_of(&days, as_of, Some(false));
        let promoter = AdvocacySignals {
            nps: NpsScore::new(9),
            ..Default::default()
        };
        assert_eq!(
            place(Some(&s), &promoter, None, &rules()).rung,
            Rung::Advocate
        );
        let passive = AdvocacySignals {
            nps: NpsScore::new(8),
            ..Default::default()
        };
        assert_eq!(
            place(Some(&s), &passive, None, &rules()).rung,
            Rung::Regular
        );
        let referrer = AdvocacySignals {
            referrals: 2,
            ..Default::default()
        };
        let p = place(Some(&s), &referrer, None, &rules());
        assert_eq!((p.rung, p.strategy()), (Rung::Advocate, Strategy::Cherish));
        let full = summary_of(&days, as_of, Some(true));
        let p = place(Some(&full), &AdvocacySignals::default(), None, &rules());
        assert_eq!(p.rung, Rung::Advocate);
        assert_eq!(
            p.reason.to_string(),
            "regular (3 purchase days) buying 100% at full price"
        );
        // A newcomer who is a promoter stays a newcomer: advocacy needs the regular rung first.
        let one = summary_of(&[day(2024, 2, 20)], as_of, Some(true));
        assert_eq!(
            place(Some(&one), &promoter, None, &rules()).rung,
            Rung::Newcomer
        );
    }

    #[test]
    fn status_by_rhythm_and_by_fixed_limits() {
        // Buys every 30 days; last purchase 2024-03-31.
        let days: Vec<Day> = (0..4).map(|k| day(2024, 1, 1).plus_days(30 * k)).collect();
        let last = days[3];
        let at = |since: i32| {
            let s = summary_of(&days, last.plus_days(since), None);
            place(Some(&s), &AdvocacySignals::default(), None, &rules())
                .status
                .unwrap()
        };
        assert_eq!(at(45).0, Status::Active);
        let (st, why) = at(61);
        assert_eq!(st, Status::Slipping);
        // Three equal gaps: shape k = 4 after the Poisson prior, so ± 15 days; late after
        // 30·(1 − 1/36 + 1.6449/6)³ = 58.1 days, lost after 30·(1 − 1/36 + 3.0902/6)³ = 98.7.
        assert_eq!(why.to_string(), "buys every 30 ± 15 days; 31 days late");
        assert_eq!(at(58).0, Status::Active);
        assert_eq!(at(59).0, Status::Slipping);
        assert_eq!(at(98).0, Status::Slipping);
        let (st, why) = at(99);
        assert_eq!(st, Status::Lost);
        assert_eq!(
            why.to_string(),
            "buys every 30 ± 15 days; silent for 99 days (lost after 99)"
        );
        // One-time buyer: fixed limits 90 / 365 days.
        let one = [day(2024, 1, 1)];
        let at1 = |since: i32| {
            let s = summary_of(&one, one[0].plus_days(since), None);
            place(Some(&s), &AdvocacySignals::default(), None, &rules())
                .status
                .unwrap()
                .0
        };
        assert_eq!(at1(90), Status::Active);
        assert_eq!(at1(91), Status::Slipping);
        assert_eq!(at1(366), Status::Lost);
        let s = summary_of(&one, one[0].plus_days(400), None);
        assert_eq!(
            place(Some(&s), &AdvocacySignals::default(), None, &rules()).strategy(),
            Strategy::WinBack
        );
    }

    #[test]
    fn p_alive_joins_the_status() {
        let one = [day(2024, 1, 1)];
        let s = summary_of(&one, one[0].plus_days(30), None);
        let with = |p: f64| {
            place(Some(&s), &AdvocacySignals::default(), Some(p), &rules())
                .status
                .unwrap()
        };
        // Without a rhythm: P(alive) 0.6 is active, 0.4 slipping, 0.1 lost.
        assert_eq!(with(0.6).0, Status::Active);
        let (st, why) = with(0.4);
        assert_eq!(st, Status::Slipping);
        assert_eq!(why.to_string(), "P(alive) 0.40, below 0.50");
        assert_eq!(with(0.1).0, Status::Lost);
        // Within the minimum quiet days nobody is slipping on P(alive) alone.
        let fresh = summary_of(&one, one[0].plus_days(10), None);
        let p = place(
            Some(&fresh),
            &AdvocacySignals::default(),
            Some(0.4),
            &rules(),
        );
        assert_eq!(p.status(), Some(Status::Active));
        // With a rhythm, a low-but-not-lost P(alive) no longer defers to the rhythm (issue 24,
        // item 3: "active" with P(alive) 0.4 contradicts itself): within the rhythm, slipping.
        let days: Vec<Day> = (0..4).map(|k| day(2024, 1, 1).plus_days(30 * k)).collect();
        let s = summary_of(&days, days[3].plus_days(20), None);
        let p = place(Some(&s), &AdvocacySignals::default(), Some(0.4), &rules());
        assert_eq!(p.status(), Some(Status::Slipping));
        let p = place(Some(&s), &AdvocacySignals::default(), Some(0.6), &rules());
        assert_eq!(p.status(), Some(Status::Active));
        let p = place(Some(&s), &AdvocacySignals::default(), Some(0.1), &rules());
        assert_eq!(p.status(), Some(Status::Lost));
    }

    #[test]
    fn a_return_after_a_loss_starts_a_new_turn() {
        // A regular in 2022, silent for over a year, back with one purchase in 2024.
        let days = [
            day(2022, 1, 5),
            day(2022, 2, 5),
            day(2022, 3, 5),
            day(2024, 1, 10),
        ];
        let s = summary_of(&days, day(2024, 1, 20), None);
        let p = place(Some(&s), &AdvocacySignals::default(), None, &rules());
        assert_eq!(p.turn, 2);
        assert!(p.is_returner());
        assert_eq!(p.rung, Rung::Newcomer);
        assert_eq!(p.previous_rung, Some(Rung::Regular));
        assert_eq!(p.status(), Some(Status::Active));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5_000))]

        #[test]
        fn periods_are_counted_as_distinct_indices(
            gaps in proptest::collection::vec(1i32..200, 3..40),
            start in 0i32..20_000,
            period in prop_oneof![
                Just(Period::Week),
                Just(Period::Month),
                Just(Period::Quarter),
                Just(Period::Year)
            ],
        ) {
            let mut day = Day::from_ymd(1990, 1, 1).unwrap().plus_days(start);
            let mut days = vec![day];
            for g in gaps {
                day = day.plus_days(g);
                days.push(day);
            }
            let mut indices: Vec<i32> = days.iter().map(|&d| period.index(d)).collect();
            indices.dedup();
            let rules = LadderRules {
                regular_min_purchase_days: 1,
                regular_min_periods: 1,
                period,
                ..LadderRules::default()
            };
            let periods = match purchase_rung(&days, &rules).1 {
                RungReason::Regular { periods, .. } => periods,
                other => panic!("{other:?}"),
            };
            proptest::prop_assert_eq!(periods as usize, indices.len());
        }

        /// Issue 24, item 3: longer silence never makes a customer more active, and neither
        /// does a lower P(alive), other things equal (the same purchase days, the same rules).
        #[test]
        fn status_is_monotone_in_silence_and_p_alive(
            gaps in proptest::collection::vec(1i32..400, 0..12),
            silence in 0i32..800,
            more in 1i32..400,
            p in proptest::option::of(0.0f64..=1.0),
            lower in 0.0f64..=1.0,
        ) {
            let severity = |s: Status| match s {
                Status::Active => 0,
                Status::Slipping => 1,
                Status::Lost => 2,
            };
            let mut day = Day::from_ymd(2020, 1, 1).unwrap();
            let mut days = vec![day];
            for g in gaps {
                day = day.plus_days(g);
                days.push(day);
            }
            let rules = LadderRules::default().status;
            let now = status(&days, silence, p, &rules);
            let later = status(&days, silence + more, p, &rules);
            proptest::prop_assert!(
                severity(later.0) >= severity(now.0),
                "{silence} days: {now:?}; {} days: {later:?}", silence + more
            );
            if let Some(p) = p {
                let doubted = status(&days, silence, Some(p * lower), &rules);
                proptest::prop_assert!(
                    severity(doubted.0) >= severity(now.0),
                    "P(alive) {p}: {now:?}; {}: {doubted:?}", p * lower
                );
            }
        }
    }

    /// The contradictions the issue found in the demo cannot happen: a customer with P(alive)
    /// below the slipping limit is never active (724: "active", P(alive) 0.31), and one the
    /// model vouches for is never lost by the rhythm alone (1640: "lost", P(alive) 0.64).
    #[test]
    fn status_agrees_with_p_alive() {
        let rules = LadderRules::default().status;
        // A yearly buyer: 300 days of silence is within their rhythm.
        let start = day(2020, 1, 1);
        let yearly: Vec<Day> = (0..6).map(|k| start.plus_days(365 * k)).collect();
        let (s, why) = status(&yearly, 300, Some(0.31), &rules);
        assert_eq!(s, Status::Slipping, "{why:?}");
        assert_eq!(why.basis(), StatusBasis::Doubtful);
        assert_eq!(status(&yearly, 300, Some(0.9), &rules).0, Status::Active);
        assert_eq!(status(&yearly, 300, None, &rules).0, Status::Active);
        // A monthly buyer silent for 200 days: far beyond the rhythm.
        let monthly: Vec<Day> = (0..10).map(|k| start.plus_days(30 * k)).collect();
        let (s, why) = status(&monthly, 200, Some(0.64), &rules);
        assert_eq!(s, Status::Slipping, "{why:?}");
        assert_eq!(why.basis(), StatusBasis::LateByRhythm);
        assert_eq!(status(&monthly, 200, Some(0.3), &rules).0, Status::Lost);
        assert_eq!(status(&monthly, 200, None, &rules).0, Status::Lost);
        // Past the lost limit, and below the lost P(alive), lost whatever else.
        assert_eq!(status(&monthly, 366, Some(0.99), &rules).0, Status::Lost);
        assert_eq!(status(&yearly, 100, Some(0.1), &rules).0, Status::Lost);
    }
}
