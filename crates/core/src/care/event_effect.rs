//! What a client day (or any company event) changed in later purchases.
//!
//! The guests are the customers invited. Attendance is their own choice, so comparing
//! attendees with everyone else would mostly measure who likes to come: the comparison here is
//! attendees against the invited who did not come, and on the *change* in each customer's
//! spending (the window after the event minus an equal window before it), which takes out
//! what each customer spent anyway. It is still not an experiment: the report says so, and its
//! verdict is about an association, not a proven effect.
//!
//! - purchase rate after the event: attendees − others, Newcombe's interval and the pooled z
//!   or Fisher's exact p-value ([`crate::inference::compare_proportions`]);
//! - change in revenue per customer (after − before, currency units): attendees − others,
//!   Welch's interval and p-value ([`crate::inference::welch`]).

use crate::Money;
use crate::inference::{
    MeanAccumulator, MeanDifference, Proportion, ProportionDifference, compare_proportions, welch,
};

/// One invited customer's purchases around the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GuestOutcome {
    pub attended: bool,
    /// Revenue in the window before the event day (the same number of days as after).
    pub revenue_before: Money,
    /// Revenue in the window after the event day.
    pub revenue_after: Money,
    /// Whether the customer bought at all in the window after.
    pub bought_after: bool,
}

/// Settings of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EffectOptions {
    /// Fewer customers than this in either group: too small to tell.
    pub min_per_group: u64,
}

impl Default for EffectOptions {
    fn default() -> EffectOptions {
        EffectOptions { min_per_group: 10 }
    }
}

/// One group of guests.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct GuestGroup {
    pub customers: u64,
    pub bought_after: u64,
    /// Share who bought after (0..1); `None` for an empty group.
    pub rate: Option<f64>,
    /// Mean revenue after the event per customer, currency units.
    pub revenue_after_per_customer: Option<f64>,
    /// Mean change (after − before) per customer, currency units.
    pub change_per_customer: Option<f64>,
}

/// What the comparison concludes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectVerdict {
    /// The window after the event is not over yet.
    TooEarly,
    /// A group has fewer customers than [`EffectOptions::min_per_group`].
    TooSmall,
    /// Neither difference is significant at 5%.
    NoDifference,
    /// Attendees bought more often, or their spending grew more (significant, interval above
    /// zero), and neither difference is significantly negative.
    AttendeesBoughtMore,
    /// The reverse.
    AttendeesBoughtLess,
    /// One difference significantly positive, the other significantly negative.
    Mixed,
}

impl EffectVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            EffectVerdict::TooEarly => "too_early",
            EffectVerdict::TooSmall => "too_small",
            EffectVerdict::NoDifference => "no_difference",
            EffectVerdict::AttendeesBoughtMore => "attendees_bought_more",
            EffectVerdict::AttendeesBoughtLess => "attendees_bought_less",
            EffectVerdict::Mixed => "mixed",
        }
    }
}

/// The report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EventEffect {
    pub attendees: GuestGroup,
    /// Invited, did not come (or attendance not recorded as yes).
    pub others: GuestGroup,
    /// Purchase rate after: attendees − others.
    pub rate_difference: Option<ProportionDifference>,
    /// Change in revenue per customer: attendees − others (currency units).
    pub change_difference: Option<MeanDifference>,
    pub verdict: EffectVerdict,
}

fn group(
    outcomes: impl Iterator<Item = GuestOutcome>,
) -> (GuestGroup, Proportion, MeanAccumulator) {
    let mut after = MeanAccumulator::new();
    let mut change = MeanAccumulator::new();
    let (mut n, mut bought) = (0u64, 0u64);
    for o in outcomes {
        n += 1;
        bought += u64::from(o.bought_after);
        after.push(o.revenue_after.to_f64());
        change.push((o.revenue_after - o.revenue_before).to_f64());
    }
    let proportion = Proportion::new(bought, n).unwrap_or_default();
    (
        GuestGroup {
            customers: n,
            bought_after: bought,
            rate: proportion.share(),
            revenue_after_per_customer: after.mean(),
            change_per_customer: change.mean(),
        },
        proportion,
        change,
    )
}

/// Compares attendees with the invited who did not come. `window_over`: whether the window
/// after the event has ended (else the verdict is [`EffectVerdict::TooEarly`], with the numbers
/// so far).
pub fn event_effect(
    guests: &[GuestOutcome],
    window_over: bool,
    options: EffectOptions,
) -> EventEffect {
    let (attendees, a_rate, a_change) = group(guests.iter().copied().filter(|g| g.attended));
    let (others, o_rate, o_change) = group(guests.iter().copied().filter(|g| !g.attended));
    let rate_difference = compare_proportions(a_rate, o_rate);
    let change_difference = welch(&a_change, &o_change);
    let sign = |significant: bool, lo: f64, hi: f64| -> i8 {
        if !significant {
            0
        } else if lo > 0.0 {
            1
        } else if hi < 0.0 {
            -1
        } else {
            0
        }
    };
    let verdict = if !window_over {
        EffectVerdict::TooEarly
    } else if attendees.customers < options.min_per_group
        || others.customers < options.min_per_group
    {
        EffectVerdict::TooSmall
    } else {
        let r = rate_difference.map_or(0, |d| sign(d.significant(0.05), d.ci95.lo, d.ci95.hi));
        let c = change_difference.map_or(0, |d| sign(d.p_value < 0.05, d.ci95.lo, d.ci95.hi));
        match (r, c) {
            (0, 0) => EffectVerdict::NoDifference,
            (a, b) if a >= 0 && b >= 0 => EffectVerdict::AttendeesBoughtMore,
            (a, b) if a <= 0 && b <= 0 => EffectVerdict::AttendeesBoughtLess,
            _ => EffectVerdict::Mixed,
        }
    };
    EventEffect {
        attendees,
        others,
        rate_difference,
        change_difference,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guest(attended: bool, before: i64, after: i64) -> GuestOutcome {
        GuestOutcome {
            attended,
            revenue_before: Money::from_major(before),
            revenue_after: Money::from_major(after),
            bought_after: after > 0,
        }
    }

    /// Two attendees and two others, by hand: attendees bought 1 of 2 after (rate 0.5),
    /// revenue after 100 and 0 (mean 50), changes +100 and −20 (mean 40); others bought 0 of 2,
    /// changes 0 and −10 (mean −5). Welch: s²_a = (60² + 60²)/1 = 7200, s²_o = 50,
    /// SE = √(7200/2 + 50/2) = √3625, difference 45.
    #[test]
    fn a_hand_worked_comparison() {
        let guests = [
            guest(true, 0, 100),
            guest(true, 20, 0),
            guest(false, 0, 0),
            guest(false, 10, 0),
        ];
        let e = event_effect(&guests, true, EffectOptions { min_per_group: 2 });
        assert_eq!(e.attendees.customers, 2);
        assert_eq!(e.attendees.bought_after, 1);
        assert_eq!(e.attendees.rate, Some(0.5));
        assert_eq!(e.attendees.revenue_after_per_customer, Some(50.0));
        assert_eq!(e.attendees.change_per_customer, Some(40.0));
        assert_eq!(e.others.rate, Some(0.0));
        assert_eq!(e.others.change_per_customer, Some(-5.0));
        let c = e.change_difference.unwrap();
        assert!((c.difference - 45.0).abs() < 1e-9);
        assert!((c.std_error - 3625f64.sqrt()).abs() < 1e-9);
        let r = e.rate_difference.unwrap();
        assert!((r.difference - 0.5).abs() < 1e-12);
        // Two customers a side prove nothing.
        assert_eq!(e.verdict, EffectVerdict::NoDifference);
    }

    #[test]
    fn verdicts_follow_the_window_the_sizes_and_the_signs() {
        let mut guests = Vec::new();
        for i in 0..40 {
            // Attendees all buy again and spend 50 more than before; others mostly do not.
            guests.push(guest(true, 100, 150 + i % 3));
            guests.push(guest(false, 100, if i % 10 == 0 { 100 } else { 0 }));
        }
        let over = event_effect(&guests, true, EffectOptions::default());
        assert_eq!(over.verdict, EffectVerdict::AttendeesBoughtMore);
        assert_eq!(
            event_effect(&guests, false, EffectOptions::default()).verdict,
            EffectVerdict::TooEarly
        );
        let few = event_effect(&guests[..6], true, EffectOptions::default());
        assert_eq!(few.verdict, EffectVerdict::TooSmall);
        let swapped: Vec<GuestOutcome> = guests
            .iter()
            .map(|g| GuestOutcome {
                attended: !g.attended,
                ..*g
            })
            .collect();
        assert_eq!(
            event_effect(&swapped, true, EffectOptions::default()).verdict,
            EffectVerdict::AttendeesBoughtLess
        );
    }

    #[test]
    fn empty_groups_give_none_never_nan() {
        let e = event_effect(&[guest(true, 0, 10)], true, EffectOptions::default());
        assert_eq!(e.others.customers, 0);
        assert_eq!(e.others.rate, None);
        assert_eq!(e.others.change_per_customer, None);
        assert!(e.rate_difference.is_none());
        assert!(e.change_difference.is_none());
        assert_eq!(e.verdict, EffectVerdict::TooSmall);
        let none = event_effect(&[], true, EffectOptions::default());
        assert_eq!(none.attendees.rate, None);
    }
}
