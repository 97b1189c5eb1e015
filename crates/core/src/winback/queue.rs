//! The daily queue's decisions for one customer: the next best action from the playbook, the
//! value at stake that orders the queue, the budget check, the planned contact the contact
//! policy decides, and the reason in words.

use std::cmp::Ordering;
use std::fmt;

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;

use super::playbook::{Action, NewcomerJudgement, Playbook};
use crate::codes::StatusReasonCode;
use crate::contact_policy::{
    Channel, ChannelSet, ContactProfile, ContactRecord, ContactRules, Decision, Module,
    PlannedContact, Refusal, decide,
};
use crate::{Day, Money, Rung, Status, Subgroup};

/// What the queue knows about one customer: the latest snapshot's standing and forecast, the
/// last outbound contact, and what was spent on them in the budget period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueCustomer {
    pub rung: Rung,
    pub status: Option<Status>,
    pub subgroup: Option<Subgroup>,
    pub orders: u32,
    pub revenue: Money,
    pub profit: Money,
    /// Days from the last purchase to the queue's day.
    pub days_since_last: Option<i32>,
    pub p_alive: Option<f64>,
    /// Expected purchases over the CLV horizon.
    pub expected_purchases: Option<f64>,
    /// Discounted revenue expected over the horizon (P(alive)-weighted, as the models give it).
    pub clv: Option<f64>,
    /// Days since the last outbound contact of any module (`None`: never contacted).
    pub days_since_contact: Option<u32>,
    /// What the queue's done actions cost in the budget period.
    pub spent: Money,
}

impl QueueCustomer {
    /// Revenue per order, when the customer has orders.
    pub fn average_order(&self) -> Option<Money> {
        (self.orders > 0).then(|| Money::from_units(self.revenue.units() / i64::from(self.orders)))
    }
}

/// The expected CLV lost: what the customer would be worth over the horizon if still active,
/// times the probability they are gone.
///
/// # Formula
/// The models' CLV is P(alive)-weighted: CLV = p · V, V the value over the horizon given the
/// customer is alive. Doing nothing loses V with probability 1 − p, so the value at stake is
/// V · (1 − p) = CLV · (1 − p) / p. `None` without a CLV or P(alive), or when P(alive) is 0
/// (then CLV is 0 as well and V cannot be read back).
pub fn value_at_stake(clv: Option<f64>, p_alive: Option<f64>) -> Option<f64> {
    let (clv, p) = (clv?, p_alive?);
    if !clv.is_finite() || !p.is_finite() || p <= 0.0 || p > 1.0 {
        return None;
    }
    let v = clv / p * (1.0 - p);
    v.is_finite().then_some(v.max(0.0))
}

/// Whether the budget allows the action.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetCheck {
    /// Spent + cost stays within the budget.
    Fits { remaining_after: Money },
    /// No applicable action fits: the first one's cost would take the customer over.
    Spent {
        spent: Money,
        budget: Money,
        cost: Money,
    },
}

/// The next best action for a customer.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Proposal {
    /// Index of the play in [`Playbook::plays`].
    pub play: usize,
    /// Index of the action in that play.
    pub action: usize,
    pub value_at_stake: Option<f64>,
    /// For newcomers: the rule's judgement.
    pub newcomer: Option<NewcomerJudgement>,
    pub budget: BudgetCheck,
}

/// The next best action for `customer`: the first action of their play that applies to them
/// and fits their budget; when actions apply but none fits, the first of them with
/// [`BudgetCheck::Spent`] (shown as not to be sent). `None` when nothing applies: no play for
/// the rung and sub-group, no action for their status (or newcomer judgement), contacted too
/// recently, or lost longer ago than [`Playbook::lost_within_days`]. `median_order` is the
/// median of all newcomers' average orders (for the newcomer rule).
pub fn propose(
    customer: &QueueCustomer,
    playbook: &Playbook,
    median_order: Option<Money>,
) -> Option<Proposal> {
    if customer.status == Some(Status::Lost)
        && customer
            .days_since_last
            .is_none_or(|d| d > playbook.lost_within_days as i32)
    {
        return None;
    }
    let (play_index, play) = playbook.play_for(customer.rung, customer.subgroup)?;
    let newcomer = (customer.rung == Rung::Newcomer).then(|| {
        playbook.newcomers.judge(
            customer.expected_purchases,
            customer.status,
            customer.average_order(),
            median_order,
            customer.profit,
        )
    });
    let judged = newcomer.map(|j| j.decision);
    let mut applicable = play
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.applies(customer.status, judged, customer.days_since_contact))
        .peekable();
    let &(first, first_action) = applicable.peek()?;
    let budget = play.budget_per_customer;
    let fitting = applicable.find_map(|(i, a)| {
        let after = customer.spent.checked_add(a.cost_per_contact)?;
        (after <= budget).then_some((i, budget - after))
    });
    let (action, budget) = match fitting {
        Some((i, remaining_after)) => (i, BudgetCheck::Fits { remaining_after }),
        None => (
            first,
            BudgetCheck::Spent {
                spent: customer.spent,
                budget,
                cost: first_action.cost_per_contact,
            },
        ),
    };
    Some(Proposal {
        play: play_index,
        action,
        value_at_stake: value_at_stake(customer.clv, customer.p_alive),
        newcomer,
        budget,
    })
}

/// The median of newcomers' average orders (`None` for none); the lower middle value of an
/// even count, so the median is always one of the values.
pub fn median_order(mut averages: Vec<Money>) -> Option<Money> {
    if averages.is_empty() {
        return None;
    }
    let mid = (averages.len() - 1) / 2;
    let (_, m, _) = averages.select_nth_unstable(mid);
    Some(*m)
}

/// The queue's order: value at stake descending, customers without one after all who have one,
/// ties by `key` ascending (the customer's id), so the order is total and reproducible.
pub fn by_value_at_stake(a: (Option<f64>, i64), b: (Option<f64>, i64)) -> Ordering {
    match (a.0, b.0) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
    .then(a.1.cmp(&b.1))
}

/// The hour of the queue's day at which a contact is wanted (local time of the customer), and
/// the last minute it may still go out that day.
const WANTED_AT: Time = Time::constant(10, 0, 0, 0);
const DEADLINE: Time = Time::constant(23, 59, 0, 0);

fn local_instant(day: Day, time: Time, zone: &TimeZone) -> Option<Timestamp> {
    let (y, m, d) = day.ymd();
    let date = Date::new(i16::try_from(y).ok()?, m as i8, d as i8).ok()?;
    zone.to_ambiguous_timestamp(date.to_datetime(time))
        .compatible()
        .ok()
}

/// The contact an action plans for a customer on `day`: wanted at 10:00 their time, before the
/// day's end, on the action's channels (any message channel when it names none).
pub fn planned_contact(action: &Action, day: Day, zone: &TimeZone) -> Option<PlannedContact> {
    let channels = if action.channels.is_empty() {
        ChannelSet::MESSAGES
    } else {
        ChannelSet::of(action.channels.iter().copied())
    };
    Some(PlannedContact {
        customer: 0,
        kind: action.kind,
        module: Module::Queue,
        wanted_at: local_instant(day, WANTED_AT, zone)?,
        deadline: Some(local_instant(day, DEADLINE, zone)?),
        channels,
        priority: 0,
    })
}

/// The company's rules with the action's channels first in the fallback order, so that when
/// the customer's own preferred channel cannot be used, the action's preference decides.
pub fn rules_for(action: &Action, rules: &ContactRules) -> ContactRules {
    let mut order: Vec<Channel> = action.channels.clone();
    order.extend(
        rules
            .fallback_order
            .iter()
            .copied()
            .filter(|c| !action.channels.contains(c)),
    );
    let mut fallback_order = rules.fallback_order;
    for (slot, c) in fallback_order.iter_mut().zip(order) {
        *slot = c;
    }
    ContactRules {
        fallback_order,
        ..*rules
    }
}

/// The contact policy's decision for an action on `day` ([`decide`], the one function that
/// decides): channel, time, or why not. `history` is the customer's counted contacts.
pub fn decide_action(
    action: &Action,
    day: Day,
    profile: &ContactProfile,
    history: &[ContactRecord],
    rules: &ContactRules,
) -> Decision {
    match planned_contact(action, day, &profile.time_zone) {
        Some(contact) => decide(&contact, profile, history, &rules_for(action, rules)),
        // A day outside the calendar's range has no 10:00: nothing can be planned on it.
        None => Decision::Refused(Refusal::PastDeadline {
            earliest: Timestamp::MAX,
        }),
    }
}

/// Why a queue item may not be sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Blocked {
    /// The contact policy refused it.
    Policy(Refusal),
    /// The budget is spent.
    Budget {
        spent: Money,
        budget: Money,
        cost: Money,
    },
}

impl Blocked {
    /// A stable code: the policy's refusal code, or `budget_spent`.
    pub fn code(&self) -> &'static str {
        match self {
            Blocked::Policy(r) => r.code(),
            Blocked::Budget { .. } => "budget_spent",
        }
    }
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Blocked::Policy(Refusal::NoConsentedChannel) => {
                f.write_str("no channel the action may use has the customer's consent")
            }
            Blocked::Policy(Refusal::NoContactDetails { consented }) => {
                let names: Vec<&str> = consented.iter().map(Channel::as_str).collect();
                write!(
                    f,
                    "consent on {} but no address or number for it",
                    names.join(", ")
                )
            }
            Blocked::Policy(Refusal::PastDeadline { .. }) => {
                f.write_str("the customer's quiet hours leave no time today")
            }
            Blocked::Policy(Refusal::CapReached { window, limit }) => write!(
                f,
                "the customer already had {limit} contacts in a {} (the cap)",
                window.as_str()
            ),
            Blocked::Policy(Refusal::UnknownCustomer) => f.write_str("unknown customer"),
            Blocked::Budget {
                spent,
                budget,
                cost,
            } => write!(
                f,
                "budget spent: {spent} of {budget} this period, and this contact costs {cost}"
            ),
        }
    }
}

/// Why a customer is in the queue, as the reason line shows it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueReason {
    pub rung: Rung,
    pub status: Option<Status>,
    pub status_reason: Option<StatusReasonCode>,
    pub clv: Option<f64>,
    pub newcomer: Option<NewcomerJudgement>,
}

/// Whole number with thousands grouped by commas (`84,000`).
pub fn grouped(value: f64) -> String {
    let n = value.round() as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// English: `regular, buys every 30 ± 4 days; 19 days late; CLV 84,000`.
impl fmt::Display for QueueReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rung.as_str())?;
        match (&self.status_reason, self.status) {
            (Some(r), _) => write!(f, ", {r}")?,
            (None, Some(s)) => write!(f, ", {}", s.as_str())?,
            (None, None) => {}
        }
        if let Some(j) = self.newcomer {
            write!(
                f,
                "; newcomer rule: {}",
                j.decision.as_str().replace('_', " ")
            )?;
            if let Some(e) = j.expected_purchases {
                write!(f, " (expected purchases {e:.1}")?;
            } else {
                f.write_str(" (no forecast")?;
            }
            if let Some(r) = j.order_ratio {
                write!(f, ", order {r:.1}× the newcomers' median")?;
            }
            write!(f, ", profit {})", j.profit)?;
        }
        if let Some(clv) = self.clv.filter(|c| c.is_finite()) {
            write!(f, "; CLV {}", grouped(clv))?;
        }
        Ok(())
    }
}
