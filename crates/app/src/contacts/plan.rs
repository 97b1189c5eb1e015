//! Planning contacts through the policy, and recording what it allows.

use anyhow::{Context, Result};
use clientele_core::Day;
use clientele_core::contact_policy::{
    self, CapWindow, Channel, ChannelSet, ContactHistory, ContactProfile, ContactRecord,
    ContactRules, Decision, FrequencyCap, MessageKind, Module, QuietHours, Refusal, SendPlan, Time,
    TimeZone, Timestamp, civil,
};
use clientele_store::{ChannelBits, ContactState, NewContactLogEntry, Store};

use crate::InvalidSetting;

/// The most requests one call plans (a day's contacts for a large company fit).
pub const MAX_REQUESTS: usize = 5_000_000;

/// Up to this many distinct customers are read by id; more, as the whole base in one pass
/// (reading a list of ids costs a lookup each; the whole base, one ordered read).
const LISTED_CUSTOMERS: usize = 10_000;

/// How far ahead of UTC any time zone's clock runs (UTC+14, Pacific/Kiritimati), with room to
/// spare: the counted contacts are read from the planned wall-clock time at UTC less this.
const MAX_ZONE_AHEAD_SECONDS: i64 = 24 * 3600;

/// A message a module wants to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactRequest {
    /// The store's customer id.
    pub customer_id: i64,
    pub kind: MessageKind,
    pub module: Module,
    /// The channels it may use ([`ChannelSet::MESSAGES`]: any message channel).
    pub channels: ChannelSet,
    /// Higher goes first when several compete for a customer's cap.
    pub priority: i32,
    /// What it is about (recorded in the log).
    pub subject: String,
}

/// What to plan, and how.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSettings {
    pub requests: Vec<ContactRequest>,
    /// The day the contacts should arrive on, in each customer's own time zone.
    pub day: Day,
    /// The local time they should arrive at (quiet hours may move it later that day).
    pub local_time: Time,
    /// Whether a contact moved past the end of its local day is refused (a greeting is due on
    /// its day); otherwise it may go out on a later day.
    pub same_day_only: bool,
    /// The time zone of customers without their own (an IANA name).
    pub default_time_zone: String,
    /// Record the allowed contacts in the contact log as planned; `false` only shows them.
    pub record: bool,
    /// Who plans: a user's name or the command.
    pub author: String,
    pub user_id: Option<i64>,
}

/// The policy's answer for one request, in the order of the requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedContact {
    pub customer_id: i64,
    /// `None` when the customer is not in the store.
    pub external_id: Option<String>,
    pub kind: MessageKind,
    pub module: Module,
    pub subject: String,
    pub decision: Decision,
    /// The contact-log row written for an allowed contact (when recording).
    pub log_id: Option<i64>,
}

/// Every request's answer, with counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanReport {
    pub contacts: Vec<PlannedContact>,
    pub allowed: usize,
    pub refused: usize,
    /// Allowed contacts per channel, in [`Channel::ALL`] order.
    pub by_channel: Vec<(Channel, usize)>,
    /// Refusals per code, in order of first appearance.
    pub by_refusal: Vec<(&'static str, usize)>,
}

/// The company's contact rules: the caps stored per rung over the core's defaults (2 a week,
/// 6 a month), the default quiet hours (21:00–09:00).
pub async fn contact_rules(store: &Store) -> Result<ContactRules> {
    let mut rules = ContactRules::default();
    for cap in store.contact_caps().await? {
        let c = FrequencyCap {
            per_week: cap.per_week,
            per_month: cap.per_month,
        };
        match cap.rung {
            None => rules.caps.default = c,
            Some(r) => rules.caps.set(r, c),
        }
    }
    Ok(rules)
}

/// The store's channel as the policy's (they share their stored words).
pub(crate) fn policy_channel(c: clientele_store::Channel) -> Channel {
    Channel::parse(c.as_str()).expect("the store's and the policy's channels share their words")
}

pub(crate) fn store_channel(c: Channel) -> clientele_store::Channel {
    clientele_store::Channel::parse(c.as_str())
        .expect("the store's and the policy's channels share their words")
}

fn civil_date(day: Day) -> civil::Date {
    let (y, m, d) = day.ymd();
    civil::date(y as i16, m as i8, d as i8)
}

/// The instant `day` at `time` in `zone` (a time skipped by a daylight-saving jump resolves
/// forward, as the policy's quiet hours do).
fn local_instant(day: Day, time: Time, zone: &TimeZone) -> Result<Timestamp> {
    zone.to_ambiguous_timestamp(civil_date(day).to_datetime(time))
        .compatible()
        .context("the local time does not exist in the customer's time zone")
}

/// The wanted instant of a day's contacts in `zone`, and the end of that local day.
fn wanted_window(settings: &PlanSettings, zone: &TimeZone) -> Result<(Timestamp, Timestamp)> {
    Ok((
        local_instant(settings.day, settings.local_time, zone)?,
        local_instant(settings.day.plus_days(1), Time::midnight(), zone)?,
    ))
}

/// The channels the stored contact details reach: a phone number takes calls, SMS and
/// messengers (which address people by number); every other detail reaches its own channel.
fn reachable(details: ChannelBits) -> ChannelSet {
    details
        .iter()
        .fold(ChannelSet::EMPTY, |set, c| match policy_channel(c) {
            Channel::Phone | Channel::Sms => set
                .with(Channel::Phone)
                .with(Channel::Sms)
                .with(Channel::Messenger),
            other => set.with(other),
        })
}

/// Why the policy chose this channel and time, in words for the log.
pub fn send_reason(send: &SendPlan) -> String {
    let mut reason = if send.preferred {
        "preferred channel".to_string()
    } else {
        "first consented channel with contact details".to_string()
    };
    if send.moved_out_of_quiet_hours {
        reason.push_str("; moved out of quiet hours");
    }
    reason
}

/// A refusal in words (English; the pages word it from their catalogues by its code).
pub fn refusal_text(refusal: &Refusal) -> String {
    match refusal {
        Refusal::NoConsentedChannel => "no channel the message may use has consent".into(),
        Refusal::NoContactDetails { consented } => format!(
            "consent on {} but no address or number",
            consented
                .iter()
                .map(Channel::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Refusal::PastDeadline { earliest } => {
            format!("quiet hours move it to {earliest}, after its day")
        }
        Refusal::CapReached { window, limit } => format!(
            "already {limit} contacts in {}",
            match window {
                CapWindow::Week => "7 days",
                CapWindow::Month => "30 days",
            }
        ),
        Refusal::UnknownCustomer => "no such customer".into(),
    }
}

/// Plans every request through the contact policy and, when `record`, writes the allowed ones
/// to the contact log as planned (one transaction). Contacts already planned, sent or exported
/// within the 30 days before count toward the caps, so planning the same day twice allows
/// nothing twice over the cap.
pub async fn plan_contacts(store: &Store, settings: &PlanSettings) -> Result<PlanReport> {
    if settings.requests.len() > MAX_REQUESTS {
        return Err(InvalidSetting::new(
            "requests",
            format!("more than {MAX_REQUESTS} contacts in one plan"),
        )
        .into());
    }
    let default_zone = contact_policy::time_zone(&settings.default_time_zone)
        .map_err(|e| InvalidSetting::new("default_time_zone", e.to_string()))?;
    let rules = contact_rules(store).await?;

    // Every customer's contacts are wanted at the same local time of the same day: one instant
    // per time zone. The earliest of them, less the longest cap window, bounds the history read.
    let mut ids: Vec<i64> = settings.requests.iter().map(|r| r.customer_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let default_wanted = wanted_window(settings, &default_zone)?;
    // No zone's local time comes earlier than the same wall-clock time at UTC+14.
    let since = local_instant(settings.day, settings.local_time, &TimeZone::UTC)?.as_second()
        - MAX_ZONE_AHEAD_SECONDS
        - CapWindow::Month.seconds();
    // A few customers are read by id; many, as the whole base in one pass.
    let inputs = store
        .contact_plan_inputs(
            settings.day,
            since,
            (ids.len() <= LISTED_CUSTOMERS).then_some(&ids[..]),
        )
        .await?;
    let mut zones: Vec<(TimeZone, (Timestamp, Timestamp))> =
        Vec::with_capacity(inputs.time_zones.len());
    for name in &inputs.time_zones {
        let zone = contact_policy::time_zone(name)
            .with_context(|| format!("a customer's stored time zone '{name}'"))?;
        let wanted = wanted_window(settings, &zone)?;
        zones.push((zone, wanted));
    }
    // The channels a store's channel set means to the policy, by its bits.
    let consented_of: Vec<ChannelSet> = (0..64u8)
        .map(|b| ChannelSet::of(ChannelBits::from_bits(b).iter().map(policy_channel)))
        .collect();
    let reachable_of: Vec<ChannelSet> = (0..64u8)
        .map(|b| reachable(ChannelBits::from_bits(b)))
        .collect();
    let n = inputs.customer_ids.len();
    let mut profiles: Vec<ContactProfile> = Vec::with_capacity(n);
    let mut wanted: Vec<(Timestamp, Timestamp)> = Vec::with_capacity(n);
    for i in 0..n {
        let (time_zone, window) = match inputs.time_zone[i] {
            Some(z) => (zones[z as usize].0.clone(), zones[z as usize].1),
            None => (default_zone.clone(), default_wanted),
        };
        let quiet_hours = inputs.quiet_hours[i]
            .map(|(s, e)| {
                QuietHours::from_hm(
                    (u32::from(s / 60), u32::from(s % 60)),
                    (u32::from(e / 60), u32::from(e % 60)),
                )
            })
            .transpose()?;
        profiles.push(ContactProfile {
            consented: consented_of[usize::from(inputs.consented[i].bits())],
            reachable: reachable_of[usize::from(inputs.reachable[i].bits())],
            preferred: inputs.preferred[i].map(policy_channel),
            time_zone,
            quiet_hours,
            rung: inputs.rung[i],
        });
        wanted.push(window);
    }
    let earliest = wanted.iter().map(|w| w.0).min().unwrap_or(default_wanted.0);
    debug_assert!(since <= earliest.as_second() - CapWindow::Month.seconds());
    let history = ContactHistory::new(
        n,
        inputs.counted.iter().map(|&(i, at)| {
            (
                i,
                ContactRecord {
                    at: Timestamp::from_second(at).unwrap_or(Timestamp::MIN),
                    // Service notices are left out by the store: every row read counts.
                    kind: MessageKind::Offer,
                },
            )
        }),
    )?;
    // Customers the store lacks get no profile: the planner refuses their contacts.
    let index: Vec<Option<u32>> = settings
        .requests
        .iter()
        .map(|r| inputs.index_of(r.customer_id))
        .collect();
    let planned: Vec<contact_policy::PlannedContact> = settings
        .requests
        .iter()
        .zip(&index)
        .map(|(r, &i)| {
            let (wanted_at, end) = i.map_or((earliest, earliest), |i| wanted[i as usize]);
            contact_policy::PlannedContact {
                customer: i.unwrap_or(u32::MAX),
                kind: r.kind,
                module: r.module,
                wanted_at,
                deadline: settings
                    .same_day_only
                    .then(|| Timestamp::from_second(end.as_second() - 1).unwrap_or(end)),
                channels: r.channels,
                priority: r.priority,
            }
        })
        .collect();
    let decisions = contact_policy::plan(&planned, &profiles, &history, &rules);

    let mut report = PlanReport::default();
    let mut per_channel = [0usize; 6];
    let mut refusals: Vec<(&'static str, usize)> = Vec::new();
    let mut entries = Vec::new();
    let mut entry_of = Vec::new();
    for (n, (r, d)) in settings.requests.iter().zip(&decisions).enumerate() {
        match d {
            Decision::Send(send) => {
                report.allowed += 1;
                per_channel[send.channel as usize] += 1;
                entries.push(NewContactLogEntry {
                    customer_id: r.customer_id,
                    channel: store_channel(send.channel),
                    kind: r.kind,
                    module: r.module,
                    state: ContactState::Planned,
                    planned_for: Some(send.at.as_second()),
                    subject: r.subject.clone(),
                    reason: Some(send_reason(send)),
                    user_id: settings.user_id,
                    author: Some(settings.author.clone()),
                });
                entry_of.push(n);
            }
            Decision::Refused(refusal) => {
                report.refused += 1;
                match refusals.iter_mut().find(|(c, _)| *c == refusal.code()) {
                    Some(slot) => slot.1 += 1,
                    None => refusals.push((refusal.code(), 1)),
                }
            }
        }
    }
    let mut log_ids = vec![None; settings.requests.len()];
    if settings.record && !entries.is_empty() {
        let ids = store.record_contacts(&entries).await?;
        for (n, id) in entry_of.into_iter().zip(ids) {
            log_ids[n] = Some(id);
        }
    }
    report.contacts = settings
        .requests
        .iter()
        .zip(decisions)
        .zip(log_ids)
        .map(|((r, decision), log_id)| PlannedContact {
            customer_id: r.customer_id,
            external_id: inputs
                .index_of(r.customer_id)
                .map(|i| inputs.external_ids[i as usize].clone()),
            kind: r.kind,
            module: r.module,
            subject: r.subject.clone(),
            decision,
            log_id,
        })
        .collect();
    report.by_channel = Channel::ALL
        .into_iter()
        .map(|c| (c, per_channel[c as usize]))
        .filter(|(_, n)| *n > 0)
        .collect();
    report.by_refusal = refusals;
    Ok(report)
}
