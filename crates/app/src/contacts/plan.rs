//! Planning contacts through the policy, and recording what it allows.

use std::collections::HashMap;

use anyhow::{Context, Result};
use clientele_core::Day;
use clientele_core::contact_policy::{
    self, CapWindow, Channel, ChannelSet, ConsentEvent, ContactHistory, ContactProfile,
    ContactRecord, ContactRules, Decision, FrequencyCap, MessageKind, Module, QuietHours, Refusal,
    SendPlan, Time, TimeZone, Timestamp, civil,
};
use clientele_store::{ContactInputs, ContactState, NewContactLogEntry, Store};

use crate::InvalidSetting;

/// The most requests one call plans (a day's contacts for a large company fit).
pub const MAX_REQUESTS: usize = 5_000_000;

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

/// The profile the policy reads, from the store's inputs; a time zone is resolved once per name.
fn profile(
    inputs: &ContactInputs,
    as_of: Day,
    zones: &mut HashMap<String, TimeZone>,
    default_zone: &TimeZone,
) -> Result<ContactProfile> {
    let events: Vec<ConsentEvent<'_>> = inputs
        .consents
        .iter()
        .map(|e| ConsentEvent {
            channel: policy_channel(e.channel),
            granted: e.granted,
            day: e.day,
            source: &e.source,
        })
        .collect();
    let time_zone = match &inputs.time_zone {
        None => default_zone.clone(),
        Some(name) => match zones.get(name) {
            Some(z) => z.clone(),
            None => {
                let z = contact_policy::time_zone(name).with_context(|| {
                    format!("customer '{}' has a stored time zone", inputs.external_id)
                })?;
                zones.insert(name.clone(), z.clone());
                z
            }
        },
    };
    let quiet_hours = inputs
        .quiet_hours
        .map(|(s, e)| {
            QuietHours::from_hm(
                (u32::from(s / 60), u32::from(s % 60)),
                (u32::from(e / 60), u32::from(e % 60)),
            )
        })
        .transpose()?;
    Ok(ContactProfile {
        consented: contact_policy::consent_in_force(&events, as_of).consented(),
        reachable: reachable(&inputs.reachable),
        preferred: inputs.preferred_channel.map(policy_channel),
        time_zone,
        quiet_hours,
        rung: inputs.rung,
    })
}

/// The channels the stored contact details reach: a phone number takes calls, SMS and
/// messengers (which address people by number); every other detail reaches its own channel.
fn reachable(details: &[clientele_store::Channel]) -> ChannelSet {
    details
        .iter()
        .fold(ChannelSet::EMPTY, |set, &c| match policy_channel(c) {
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

    // The distinct customers, numbered in order of first request.
    let mut number: HashMap<i64, u32> = HashMap::new();
    let mut ids: Vec<i64> = Vec::new();
    for r in &settings.requests {
        number.entry(r.customer_id).or_insert_with(|| {
            ids.push(r.customer_id);
            (ids.len() - 1) as u32
        });
    }
    let whole_base = ids.len() > 10_000;
    let inputs = store
        .contact_inputs(if whole_base { None } else { Some(&ids) })
        .await?;
    let by_id: HashMap<i64, &ContactInputs> = inputs.iter().map(|c| (c.customer_id, c)).collect();
    let mut zones: HashMap<String, TimeZone> = HashMap::new();
    // Customers the store lacks get no profile: the planner refuses their contacts.
    let mut profiles: Vec<ContactProfile> = Vec::with_capacity(ids.len());
    let mut index: Vec<Option<u32>> = Vec::with_capacity(ids.len());
    for id in &ids {
        match by_id.get(id) {
            Some(c) => {
                index.push(Some(profiles.len() as u32));
                profiles.push(profile(c, settings.day, &mut zones, &default_zone)?);
            }
            None => index.push(None),
        }
    }
    let mut wanted: Vec<(Timestamp, Timestamp)> = Vec::with_capacity(profiles.len());
    for p in &profiles {
        let at = local_instant(settings.day, settings.local_time, &p.time_zone)?;
        let end = local_instant(settings.day.plus_days(1), Time::midnight(), &p.time_zone)?;
        wanted.push((at, end));
    }
    let earliest = wanted
        .iter()
        .map(|w| w.0)
        .min()
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let since = earliest.as_second() - CapWindow::Month.seconds();
    let history = ContactHistory::new(
        profiles.len(),
        store
            .counted_contacts(since)
            .await?
            .into_iter()
            .filter_map(|c| {
                let i = index[*number.get(&c.customer_id)? as usize]?;
                Some((
                    i,
                    ContactRecord {
                        at: Timestamp::from_second(c.at).ok()?,
                        // A row without a kind counts (as any kind but a service notice).
                        kind: c.kind.unwrap_or(MessageKind::Offer),
                    },
                ))
            }),
    )?;
    let planned: Vec<contact_policy::PlannedContact> = settings
        .requests
        .iter()
        .map(|r| {
            let i = index[number[&r.customer_id] as usize];
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
            external_id: by_id.get(&r.customer_id).map(|c| c.external_id.clone()),
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
