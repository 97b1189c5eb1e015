//! The upcoming occasions with their greeting drafts and channels.

use std::collections::{HashMap, HashSet};

use anyhow::Result;
use clientele_core::Day;
use clientele_core::care::Language;
use clientele_core::care::greeting::{GreetingFacts, Occasion, unique_greeting};
use clientele_core::care::occasion::{FIRST_PURCHASE, occasion_key, occasion_of};
use clientele_core::contact_policy::{Channel, ChannelSet, Decision, MessageKind, Module};
use clientele_store::{
    DateKind, DateRule, GreetingDossier, GreetingDraft, NewGreetingDraft, Scope, Store, StoreError,
};

use crate::InvalidSetting;
use crate::contacts::{ContactRequest, PlanSettings, plan_contacts, refusal_text, time_of_minutes};

/// The longest window, in days.
pub const MAX_DAYS: i32 = 366;
/// The most occasions one listing returns.
pub const MAX_OCCASIONS: u32 = 100_000;

/// Which occasions to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpcomingSettings {
    /// What the caller may see.
    pub scope: Scope,
    /// Only this manager's customers (a user's name).
    pub manager: Option<String>,
    /// The first day of the window (today).
    pub from: Day,
    /// How many days, `from` included (1..=[`MAX_DAYS`]).
    pub days: i32,
    /// The language new drafts are written in (a stored draft keeps its own).
    pub language: Language,
    /// The time zone of customers without their own (IANA name), for the policy.
    pub default_time_zone: String,
    /// The local time greetings should arrive at, in minutes after midnight.
    pub local_minutes: u16,
}

/// One occasion of one customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpcomingOccasion {
    pub draft_id: i64,
    pub customer_id: i64,
    pub external_id: String,
    pub name: Option<String>,
    /// The personal date's label, or `first_purchase`.
    pub label: String,
    /// The key customers of one occasion share (a holiday's code, `birthday`...).
    pub occasion: String,
    /// Years since the first purchase, for its anniversary.
    pub years: Option<i32>,
    pub date: Day,
    /// The channel the policy would use today; `None` when it refuses.
    pub channel: Option<Channel>,
    /// Why the policy refuses (its code), when it does.
    pub refusal: Option<&'static str>,
    pub refusal_text: Option<String>,
    pub greeting: String,
    pub language: String,
    pub edited_by: Option<String>,
    pub sent_at: Option<i64>,
    pub sent_by: Option<String>,
    pub contact_log_id: Option<i64>,
}

/// The facts a greeting is written from, borrowed from the dossier.
fn facts<'a>(
    d: &'a GreetingDossier,
    occasion: Occasion<'a>,
    date: Day,
    signature: &'a str,
) -> GreetingFacts<'a> {
    let tenure = d
        .first_purchase
        .map(|f| date.year() - f.year())
        .filter(|&y| y > 0);
    GreetingFacts {
        name: d.name.as_deref(),
        company: d.company,
        occasion,
        categories: &d.categories,
        products: &d.products,
        since_year: d.first_purchase.map(|f| f.year()),
        tenure_years: tenure,
        orders: d.orders,
        notes: &d.notes,
        signature,
        reference: &d.external_id,
    }
}

/// Resolves `settings.manager` into the scope to read.
async fn scope_of(store: &Store, settings: &UpcomingSettings) -> Result<Scope> {
    let Some(name) = settings.manager.as_deref().map(str::trim) else {
        return Ok(settings.scope);
    };
    let user = match store.user_by_name(name).await {
        Ok(u) => u,
        Err(StoreError::NotFound { .. }) => {
            return Err(InvalidSetting::value("manager", name, "no such user").into());
        }
        Err(e) => return Err(e.into()),
    };
    match settings.scope {
        Scope::Manager(me) if me != user.id => {
            Err(
                InvalidSetting::value("manager", name, "a manager sees only their own customers")
                    .into(),
            )
        }
        _ => Ok(Scope::Manager(user.id)),
    }
}

/// The occasions falling on `from ..= from + days - 1` for the customers in scope, by day and
/// customer, each with its greeting draft (written and stored now when it has none) and the
/// channel the contact policy would send it on (nothing is recorded: see
/// [`crate::calendar::send_greeting`]). Fails when the window holds more than
/// [`MAX_OCCASIONS`].
pub async fn upcoming_occasions(
    store: &Store,
    settings: &UpcomingSettings,
) -> Result<Vec<UpcomingOccasion>> {
    if !(1..=MAX_DAYS).contains(&settings.days) {
        return Err(InvalidSetting::value(
            "days",
            settings.days,
            format!("expected 1 to {MAX_DAYS}"),
        )
        .into());
    }
    let scope = scope_of(store, settings).await?;
    let to = settings.from.plus_days(settings.days - 1);
    let (dates, more) = store
        .upcoming_dates(scope, settings.from, settings.days, 0, MAX_OCCASIONS)
        .await?;
    if more {
        return Err(InvalidSetting::value(
            "days",
            settings.days,
            format!("more than {MAX_OCCASIONS} occasions in the window: take fewer days"),
        )
        .into());
    }
    // (customer, occasion key, day) → the stored draft.
    let mut drafts: HashMap<(i64, String, Day), GreetingDraft> = store
        .greeting_drafts_between(scope, settings.from, to)
        .await?
        .into_iter()
        .map(|d| ((d.customer_id, d.occasion.clone(), d.day), d))
        .collect();
    struct Row {
        customer_id: i64,
        external_id: String,
        name: Option<String>,
        label: String,
        key: String,
        years: Option<i32>,
        date: Day,
        rule_since: Option<i32>,
    }
    let mut rows = Vec::with_capacity(dates.len());
    for d in dates {
        let (label, key, years, rule_since) = match d.kind {
            DateKind::Personal(label) => {
                let key = occasion_key(&label);
                (label, key, None, None)
            }
            DateKind::FirstPurchase { years } => (
                FIRST_PURCHASE.to_string(),
                FIRST_PURCHASE.to_string(),
                Some(years),
                None,
            ),
        };
        rows.push(Row {
            customer_id: d.customer_id,
            external_id: d.external_id,
            name: d.name,
            label,
            key,
            years,
            date: d.day,
            rule_since,
        });
    }
    // A customer with one occasion twice on a day (two labels naming one holiday) gets one draft.
    let mut seen = HashSet::new();
    rows.retain(|r| seen.insert((r.customer_id, r.key.clone(), r.date)));

    // Founding days say how many years: from the stored rule's first year.
    let founding: Vec<i64> = rows
        .iter()
        .filter(|r| matches!(occasion_of(&r.label, None), Occasion::FoundingDay { .. }))
        .map(|r| r.customer_id)
        .collect();
    for id in founding {
        let since = store.personal_dates(id).await?.into_iter().find_map(|p| {
            match (occasion_of(&p.label, None), p.rule) {
                (Occasion::FoundingDay { .. }, DateRule::Yearly { since, .. }) => since,
                _ => None,
            }
        });
        for r in rows.iter_mut().filter(|r| r.customer_id == id) {
            r.rule_since = since;
        }
    }

    // Drafts for the occasions without one, composed against the texts already taken.
    let missing: Vec<usize> = (0..rows.len())
        .filter(|&i| {
            let r = &rows[i];
            !drafts.contains_key(&(r.customer_id, r.key.clone(), r.date))
        })
        .collect();
    if !missing.is_empty() {
        let ids: Vec<i64> = {
            let mut v: Vec<i64> = missing.iter().map(|&i| rows[i].customer_id).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let dossiers: HashMap<i64, GreetingDossier> = store
            .greeting_dossiers(&ids)
            .await?
            .into_iter()
            .map(|d| (d.customer_id, d))
            .collect();
        let mut taken: HashMap<(String, Day), HashSet<String>> = HashMap::new();
        let mut new = Vec::with_capacity(missing.len());
        for &i in &missing {
            let r = &rows[i];
            let Some(dossier) = dossiers.get(&r.customer_id) else {
                continue;
            };
            let slot = (r.key.clone(), r.date);
            if !taken.contains_key(&slot) {
                let texts = store.greeting_texts(&r.key, r.date).await?;
                taken.insert(slot.clone(), texts.into_iter().collect());
            }
            let occasion = match r.years {
                Some(years) => Occasion::FirstPurchase { years },
                None => occasion_of(
                    &r.label,
                    r.rule_since.map(|s| r.date.year() - s).filter(|&y| y > 0),
                ),
            };
            let signature = dossier.manager.as_deref().unwrap_or("");
            let f = facts(dossier, occasion, r.date, signature);
            let given = taken.get_mut(&slot).expect("filled above");
            let (body, variant) = unique_greeting(&f, settings.language, |t| given.contains(t));
            given.insert(body.clone());
            new.push(NewGreetingDraft {
                customer_id: r.customer_id,
                occasion: r.key.clone(),
                label: r.label.clone(),
                day: r.date,
                language: settings.language.as_str().to_string(),
                body,
                variant,
            });
        }
        store.insert_greeting_drafts(&new).await?;
        for d in store
            .greeting_drafts_between(scope, settings.from, to)
            .await?
        {
            drafts
                .entry((d.customer_id, d.occasion.clone(), d.day))
                .or_insert(d);
        }
    }

    // The channel the policy would use, day by day (nothing recorded).
    let mut decisions: HashMap<(i64, String, Day), Decision> = HashMap::new();
    let mut by_day: HashMap<Day, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_day.entry(r.date).or_default().push(i);
    }
    let mut days: Vec<Day> = by_day.keys().copied().collect();
    days.sort_unstable();
    for day in days {
        let idx = &by_day[&day];
        let report = plan_contacts(
            store,
            &PlanSettings {
                requests: idx
                    .iter()
                    .map(|&i| ContactRequest {
                        customer_id: rows[i].customer_id,
                        kind: MessageKind::Greeting,
                        module: Module::Calendar,
                        channels: ChannelSet::MESSAGES,
                        priority: 0,
                        subject: format!("greeting: {}", rows[i].label),
                    })
                    .collect(),
                day,
                local_time: time_of_minutes(settings.local_minutes),
                same_day_only: true,
                default_time_zone: settings.default_time_zone.clone(),
                record: false,
                author: String::new(),
                user_id: None,
            },
        )
        .await?;
        for (&i, c) in idx.iter().zip(report.contacts) {
            let r = &rows[i];
            decisions.insert((r.customer_id, r.key.clone(), r.date), c.decision);
        }
    }

    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let k = (r.customer_id, r.key.clone(), r.date);
        let Some(draft) = drafts.remove(&k) else {
            continue;
        };
        let (channel, refusal, text) = match decisions.get(&k) {
            Some(Decision::Send(s)) => (Some(s.channel), None, None),
            Some(Decision::Refused(why)) => (None, Some(why.code()), Some(refusal_text(why))),
            None => (None, None, None),
        };
        out.push(UpcomingOccasion {
            draft_id: draft.id,
            customer_id: r.customer_id,
            external_id: r.external_id,
            name: r.name,
            label: r.label,
            occasion: r.key,
            years: r.years,
            date: r.date,
            channel,
            refusal,
            refusal_text: text,
            greeting: draft.body,
            language: draft.language,
            edited_by: draft.edited_by,
            sent_at: draft.sent_at,
            sent_by: draft.sent_by,
            contact_log_id: draft.contact_log_id,
        });
    }
    Ok(out)
}
