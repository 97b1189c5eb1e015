//! The contact policy: one function decides whether and how a planned message may reach a
//! customer, and a planner applies it to a day's (or a batch's) planned contacts.
//!
//! What to call:
//! - [`consent_in_force`] over a customer's consent history (grant and withdrawal events per
//!   channel) → per channel the event in force; its [`ConsentInForce::consented`] is the
//!   [`ChannelSet`] the decision needs.
//! - [`time_zone`] once per distinct IANA name (e.g. `Europe/Moscow`) → a [`TimeZone`] from the
//!   database compiled into the binary (no file is read); share it between customers.
//! - [`decide`] for one planned contact → [`Decision::Send`] (channel and time, with whether the
//!   preferred channel was used and whether quiet hours moved it) or [`Decision::Refused`] with
//!   a [`Refusal`] saying why.
//! - [`choose_channel`] for rule 1 alone (which channel, or why none), where a list suggests how
//!   to reach a customer without planning a message.
//! - [`plan`] for many customers at once: applies [`decide`] to every planned contact in a fixed
//!   order (per customer by priority, then wanted time, then input position) and counts what it
//!   allows, so that no customer exceeds a cap whatever the modules planned. Decisions come
//!   back in input order.
//!
//! The rules, in the order [`decide`] applies them:
//! 1. Channel: of the channels the message may use, those with consent in force and contact
//!    details; the customer's preferred channel if it is among them, else the first of
//!    [`ContactRules::fallback_order`] (by default e-mail, messenger, SMS, phone, post, visit:
//!    the least intrusive first). None consented → [`Refusal::NoConsentedChannel`]; consented
//!    but no address or number → [`Refusal::NoContactDetails`].
//! 2. Time: a wanted time inside the customer's quiet hours (their own, else the rules'; by
//!    default 21:00–09:00) in the customer's time zone moves to the end of the quiet hours
//!    (local time; a local time that does not exist because of a daylight-saving jump moves
//!    forward by the jump). Moved past the contact's deadline → [`Refusal::PastDeadline`].
//! 3. Frequency: every message kind except service notices counts toward the customer's caps
//!    (by rung: by default at most 2 in any 7 days and 6 in any 30 days, rolling windows of
//!    exact seconds), counting everything already sent or planned; a message that would make
//!    any window exceed its cap → [`Refusal::CapReached`]. Service notices are neither capped
//!    nor counted; consent and quiet hours apply to them too.
//!
//! Times are [`Timestamp`]s (instants; the store's Unix seconds convert with
//! `Timestamp::from_second`), days are [`crate::Day`]s.

mod consent;
mod planner;
mod rules;

pub use consent::{ConsentEvent, ConsentInForce, consent_in_force};
pub use jiff::civil::Time;
pub use jiff::tz::TimeZone;
pub use jiff::{Timestamp, civil, tz};
pub use planner::{ContactHistory, UnknownHistoryCustomer, plan};
pub use rules::{
    CapRules, CapWindow, Channel, ChannelSet, ContactRules, FrequencyCap, MessageKind, Module,
    QuietHours, QuietHoursError, UnknownTimeZone, time_zone,
};

use crate::Rung;

/// What the policy knows about a customer.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactProfile {
    /// Channels with consent in force ([`ConsentInForce::consented`]).
    pub consented: ChannelSet,
    /// Channels for which the customer has contact details (an e-mail address, a phone
    /// number, a postal address...).
    pub reachable: ChannelSet,
    pub preferred: Option<Channel>,
    pub time_zone: TimeZone,
    /// The customer's own quiet hours; `None`: the rules' default.
    pub quiet_hours: Option<QuietHours>,
    /// Decides the caps; `None`: the default caps.
    pub rung: Option<Rung>,
}

/// A message a module wants to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedContact {
    /// Index of the customer in the profiles given to [`plan`] (unused by [`decide`]).
    pub customer: u32,
    pub kind: MessageKind,
    pub module: Module,
    /// When the module would like it to go out.
    pub wanted_at: Timestamp,
    /// The latest acceptable time (a greeting on the day itself); `None`: no deadline.
    pub deadline: Option<Timestamp>,
    /// Channels the message may use (a survey link needs a screen: not phone or post);
    /// [`ChannelSet::MESSAGES`] for any message channel.
    pub channels: ChannelSet,
    /// Higher goes first when several contacts compete for one customer's cap.
    pub priority: i32,
}

/// A contact already sent, or planned and not cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContactRecord {
    pub at: Timestamp,
    pub kind: MessageKind,
}

/// The policy's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Send(SendPlan),
    Refused(Refusal),
}

impl Decision {
    pub fn is_send(&self) -> bool {
        matches!(self, Decision::Send(_))
    }
}

/// Send on `channel` at `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SendPlan {
    pub channel: Channel,
    pub at: Timestamp,
    /// Whether `channel` is the customer's preferred channel.
    pub preferred: bool,
    /// Whether quiet hours moved the time (then `at` is their end, local time).
    pub moved_out_of_quiet_hours: bool,
}

/// Why a contact may not go out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// No channel the message may use has consent in force.
    NoConsentedChannel,
    /// Consent is in force on these channels, but there is no address or number for any.
    NoContactDetails { consented: ChannelSet },
    /// Quiet hours moved the contact to `earliest`, after its deadline.
    PastDeadline { earliest: Timestamp },
    /// The customer already has `limit` counted contacts in some `window` around the time.
    CapReached { window: CapWindow, limit: u32 },
    /// The planned contact names a customer index the planner was not given.
    UnknownCustomer,
}

impl Refusal {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::NoConsentedChannel => "no_consented_channel",
            Refusal::NoContactDetails { .. } => "no_contact_details",
            Refusal::PastDeadline { .. } => "past_deadline",
            Refusal::CapReached {
                window: CapWindow::Week,
                ..
            } => "weekly_cap_reached",
            Refusal::CapReached {
                window: CapWindow::Month,
                ..
            } => "monthly_cap_reached",
            Refusal::UnknownCustomer => "unknown_customer",
        }
    }
}

/// Decides one planned contact for one customer, given the customer's counted contacts
/// (`history`: sent or planned, any order; service notices among them are ignored). See the
/// module documentation for the rules.
pub fn decide(
    contact: &PlannedContact,
    customer: &ContactProfile,
    history: &[ContactRecord],
    rules: &ContactRules,
) -> Decision {
    let mut times: Vec<i64> = history
        .iter()
        .filter(|r| r.kind.counts_toward_cap())
        .map(|r| r.at.as_second())
        .collect();
    times.sort_unstable();
    decide_sorted(contact, customer, &times, rules)
}

/// [`decide`] with the counted contacts' Unix seconds already sorted.
pub(crate) fn decide_sorted(
    contact: &PlannedContact,
    customer: &ContactProfile,
    counted: &[i64],
    rules: &ContactRules,
) -> Decision {
    let channel = match choose_channel(
        contact.channels,
        customer.consented,
        customer.reachable,
        customer.preferred,
        rules,
    ) {
        Ok(c) => c,
        Err(refusal) => return Decision::Refused(refusal),
    };
    let quiet = customer.quiet_hours.unwrap_or(rules.quiet_hours);
    let at = quiet.first_allowed(contact.wanted_at, &customer.time_zone);
    if contact.deadline.is_some_and(|d| at > d) {
        return Decision::Refused(Refusal::PastDeadline { earliest: at });
    }
    if contact.kind.counts_toward_cap() {
        let cap = rules.caps.for_rung(customer.rung);
        let t = at.as_second();
        for (window, limit) in [
            (CapWindow::Week, cap.per_week),
            (CapWindow::Month, cap.per_month),
        ] {
            if let Some(limit) = limit
                && busiest_window(counted, t, window.seconds()) >= limit
            {
                return Decision::Refused(Refusal::CapReached { window, limit });
            }
        }
    }
    Decision::Send(SendPlan {
        channel,
        at,
        preferred: customer.preferred == Some(channel),
        moved_out_of_quiet_hours: at != contact.wanted_at,
    })
}

/// Rule 1 of [`decide`] on its own: the channel to reach a customer on, of the `allowed` ones,
/// given the channels with consent in force, those with contact details and the preferred one
/// — or why there is none. Whatever suggests how to reach a customer (the Today and Lost lists,
/// the card, exports, the API) calls this, so nothing suggests a channel [`decide`] would
/// refuse: no consent, no channel, whatever the customer's preference.
pub fn choose_channel(
    allowed: ChannelSet,
    consented: ChannelSet,
    reachable: ChannelSet,
    preferred: Option<Channel>,
    rules: &ContactRules,
) -> Result<Channel, Refusal> {
    let consented = allowed.intersect(consented);
    if consented.is_empty() {
        return Err(Refusal::NoConsentedChannel);
    }
    let usable = consented.intersect(reachable);
    if let Some(p) = preferred.filter(|&p| usable.contains(p)) {
        return Ok(p);
    }
    rules
        .fallback_order
        .iter()
        .copied()
        .find(|&c| usable.contains(c))
        .ok_or(Refusal::NoContactDetails { consented })
}

/// The largest number of `sorted` times in any window `[s, s + w)` that contains `t`.
///
/// Such a window can be slid right until its start meets a time (or `t`) without losing any
/// time it held, so the busiest one starts at a time in `(t − w, t]` or at `t`.
pub(crate) fn busiest_window(sorted: &[i64], t: i64, w: i64) -> u32 {
    let from = sorted.partition_point(|&x| x <= t - w);
    let to = sorted.partition_point(|&x| x <= t);
    let mut busiest = count_in(sorted, t, w);
    for &start in &sorted[from..to] {
        busiest = busiest.max(count_in(sorted, start, w));
    }
    busiest
}

/// Times in `[start, start + w)`.
fn count_in(sorted: &[i64], start: i64, w: i64) -> u32 {
    let lo = sorted.partition_point(|&x| x < start);
    let hi = sorted.partition_point(|&x| x < start + w);
    (hi - lo) as u32
}

#[cfg(test)]
mod tests;
