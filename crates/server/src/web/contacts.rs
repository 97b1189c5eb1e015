//! A customer's contact page: consent in force per channel and its whole history (withdrawals
//! kept) with a form to record one, contact preferences (preferred channel, time zone, quiet
//! hours) and the contact log with its planned contacts marked sent or cancelled.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_app::contacts::{format_minutes, parse_minutes};
use clientele_core::contact_policy::{self, ConsentEvent};
use clientele_store::{
    Channel, ContactLogFilter, ContactPreferences, ContactState, MAX_CONSENT_SOURCE_CHARS,
    NewConsent,
};
use serde::Deserialize;

use super::i18n::{Arg, Tr};
use super::lists::today_utc;
use super::{Layout, WebError, WebUser, render, see_other};
use crate::AppState;

/// Log rows the page shows (newest first).
const LOG_ROWS: u32 = 200;

fn customer_id(tr: Tr, id: &str) -> Result<i64, WebError> {
    id.parse()
        .ok()
        .filter(|&n: &i64| n > 0)
        .ok_or_else(|| WebError::invalid(tr, "id", format!("'{id}' is not a customer id")))
}

fn channel_label(tr: &Tr, c: Channel) -> String {
    tr.get(&format!("channel-{}", c.as_str()))
}

pub struct InForceRow {
    channel: String,
    state: String,
    since: String,
    source: String,
}

pub struct HistoryRow {
    day: String,
    channel: String,
    granted: bool,
    what: String,
    source: String,
    by: String,
}

pub struct LogRow {
    id: i64,
    time: String,
    channel: String,
    kind: String,
    module: String,
    state: String,
    planned: bool,
    subject: String,
    reason: String,
    author: String,
}

pub struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

#[derive(askama::Template)]
#[template(path = "customer_contacts.html")]
struct ContactsPage {
    layout: Layout,
    t: Tr,
    id: i64,
    csrf: String,
    flash: Option<String>,
    in_force: Vec<InForceRow>,
    history: Vec<HistoryRow>,
    channels: Vec<Choice>,
    preferred: Vec<Choice>,
    time_zone: String,
    quiet_start: String,
    quiet_end: String,
    today: String,
    log: Vec<LogRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let id = customer_id(tr, &id)?;
    let store = &state.store;
    let history = store
        .consent_history(user.scope(), id)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let customer = store
        .customer(id)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let prefs = store
        .contact_preferences(user.scope(), id)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let log = store
        .contact_log(
            user.scope(),
            &ContactLogFilter {
                customer_id: Some(id),
                limit: LOG_ROWS,
                ..ContactLogFilter::default()
            },
        )
        .await
        .map_err(|e| WebError::store(e, tr))?;

    let today = today_utc();
    let events: Vec<ConsentEvent<'_>> = history
        .iter()
        .filter_map(|e| {
            Some(ConsentEvent {
                channel: contact_policy::Channel::parse(e.channel.as_str())?,
                granted: e.granted,
                day: e.day,
                source: &e.source,
            })
        })
        .collect();
    let in_force = contact_policy::consent_in_force(&events, today);
    let in_force = Channel::ALL
        .into_iter()
        .map(|c| {
            let event = contact_policy::Channel::parse(c.as_str()).and_then(|p| in_force.get(p));
            InForceRow {
                channel: channel_label(&tr, c),
                state: tr.get(match event {
                    Some(e) if e.granted => "consent-given",
                    Some(_) => "consent-withdrawn",
                    None => "consent-never",
                }),
                since: event.map_or(String::new(), |e| tr.date(e.day)),
                source: event.map_or(String::new(), |e| tr.consent_source(e.source)),
            }
        })
        .collect();
    let history = history
        .into_iter()
        .rev()
        .map(|e| HistoryRow {
            day: tr.date(e.day),
            channel: channel_label(&tr, e.channel),
            granted: e.granted,
            what: tr.get(if e.granted {
                "consent-given"
            } else {
                "consent-withdrawn"
            }),
            source: tr.consent_source(&e.source),
            by: match (e.recorded_by, e.recorded_at) {
                (Some(by), Some(at)) => format!("{by} · {}", tr.instant(at)),
                (Some(by), None) => by,
                (None, Some(at)) => tr.instant(at),
                (None, None) => String::new(),
            },
        })
        .collect();
    let choice = |c: Channel, selected: bool| Choice {
        value: c.as_str(),
        label: channel_label(&tr, c),
        selected,
    };
    let mut preferred = vec![Choice {
        value: "",
        label: tr.get("none"),
        selected: prefs.preferred_channel.is_none(),
    }];
    preferred.extend(
        Channel::ALL
            .into_iter()
            .map(|c| choice(c, prefs.preferred_channel == Some(c))),
    );
    let log = log
        .into_iter()
        .map(|e| LogRow {
            id: e.id,
            time: tr.instant(e.planned_for.unwrap_or(e.at)),
            channel: Channel::parse(&e.channel)
                .map_or(e.channel.clone(), |c| channel_label(&tr, c)),
            kind: e.kind.map_or_else(
                || tr.get("kind-unknown"),
                |k| tr.get(&format!("kind-{}", k.as_str())),
            ),
            module: e.module.map_or_else(
                || tr.get("module-unknown"),
                |m| tr.get(&format!("module-{}", m.as_str())),
            ),
            state: tr.get(&format!("contact-state-{}", e.state.as_str())),
            planned: e.state == ContactState::Planned,
            subject: e.subject.unwrap_or_default(),
            reason: e.reason.or(e.outcome).unwrap_or_default(),
            author: e.author.unwrap_or_default(),
        })
        .collect();
    let flash = match query.done.as_str() {
        "consent" => Some(tr.get("contacts-done-consent")),
        "preferences" => Some(tr.get("contacts-done-preferences")),
        "sent" => Some(tr.get("contacts-done-sent")),
        "cancelled" => Some(tr.get("contacts-done-cancelled")),
        _ => None,
    };
    let name = customer.name.unwrap_or(customer.external_id);
    let page = ContactsPage {
        layout: user.layout(
            "card",
            tr.with("page-customer-contacts", &[("name", Arg::Text(name))]),
            &uri.to_string(),
        ),
        t: tr,
        id,
        csrf: user.csrf.clone(),
        flash,
        in_force,
        history,
        channels: Channel::ALL.into_iter().map(|c| choice(c, false)).collect(),
        preferred,
        time_zone: prefs.time_zone.unwrap_or_default(),
        quiet_start: prefs
            .quiet_hours
            .map_or(String::new(), |(s, _)| format_minutes(s)),
        quiet_end: prefs
            .quiet_hours
            .map_or(String::new(), |(_, e)| format_minutes(e)),
        today: today.to_string(),
        log,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    csrf: Option<String>,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    granted: String,
    #[serde(default)]
    day: String,
    #[serde(default)]
    source: String,
}

fn refused(tr: Tr, id: &str) -> WebError {
    WebError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: tr.get(id),
        tr,
    }
}

pub async fn record_consent(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(form): Form<ConsentForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    let id = customer_id(tr, &id)?;
    let channel =
        Channel::parse(form.channel.trim()).ok_or_else(|| refused(tr, "contacts-bad-channel"))?;
    let granted = match form.granted.as_str() {
        "yes" => true,
        "no" => false,
        _ => return Err(refused(tr, "contacts-bad-granted")),
    };
    let day = clientele_core::Day::parse_iso(form.day.trim())
        .map_err(|_| refused(tr, "contacts-bad-day"))?;
    if day > today_utc() || day.year() < 1900 {
        return Err(refused(tr, "contacts-bad-day"));
    }
    let source = match form.source.trim() {
        "" => tr.get("contacts-source-card"),
        s if s.chars().count() > MAX_CONSENT_SOURCE_CHARS => {
            return Err(refused(tr, "contacts-bad-source"));
        }
        s => s.to_string(),
    };
    state
        .store
        .record_consent_as(
            user.scope(),
            id,
            &NewConsent {
                channel,
                granted,
                day,
                source,
            },
            &user.user.name,
        )
        .await
        .map_err(|e| WebError::store(e, tr))?;
    Ok(see_other(&format!(
        "/customers/{id}/contacts?done=consent#consents"
    )))
}

#[derive(Debug, Deserialize)]
pub struct PreferencesForm {
    csrf: Option<String>,
    #[serde(default)]
    preferred: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    quiet_start: String,
    #[serde(default)]
    quiet_end: String,
}

pub async fn set_preferences(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(form): Form<PreferencesForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    let id = customer_id(tr, &id)?;
    let preferred_channel = match form.preferred.trim() {
        "" => None,
        c => Some(Channel::parse(c).ok_or_else(|| refused(tr, "contacts-bad-channel"))?),
    };
    let time_zone = match form.time_zone.trim() {
        "" => None,
        z if z.len() > 64 || contact_policy::time_zone(z).is_err() => {
            return Err(refused(tr, "contacts-bad-time-zone"));
        }
        z => Some(z.to_string()),
    };
    let minutes = |t: &str| -> Result<Option<u16>, WebError> {
        match t.trim() {
            "" => Ok(None),
            t => parse_minutes(t)
                .map(Some)
                .ok_or_else(|| refused(tr, "contacts-bad-quiet")),
        }
    };
    let quiet_hours = match (minutes(&form.quiet_start)?, minutes(&form.quiet_end)?) {
        (Some(s), Some(e)) => Some((s, e)),
        (None, None) => None,
        _ => return Err(refused(tr, "contacts-bad-quiet")),
    };
    state
        .store
        .set_contact_preferences(
            user.scope(),
            id,
            &ContactPreferences {
                preferred_channel,
                time_zone,
                quiet_hours,
            },
            &user.user.name,
        )
        .await
        .map_err(|e| WebError::store(e, tr))?;
    Ok(see_other(&format!(
        "/customers/{id}/contacts?done=preferences#preferences"
    )))
}

#[derive(Debug, Deserialize)]
pub struct StateForm {
    csrf: Option<String>,
    #[serde(default)]
    state: String,
}

pub async fn set_state(
    State(state): State<AppState>,
    user: WebUser,
    Path((id, log_id)): Path<(String, String)>,
    Form(form): Form<StateForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    let id = customer_id(tr, &id)?;
    let log_id: i64 = log_id
        .parse()
        .map_err(|_| WebError::invalid(tr, "contact", format!("'{log_id}' is not a contact")))?;
    let new = match form.state.as_str() {
        "sent" => ContactState::Sent,
        "cancelled" => ContactState::Cancelled,
        _ => return Err(refused(tr, "contacts-bad-state")),
    };
    let row = state
        .store
        .set_contact_state(user.scope(), log_id, new, &user.user.name)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    if row.customer_id != id {
        return Err(WebError::invalid(
            tr,
            "contact",
            format!("contact {log_id} is another customer's"),
        ));
    }
    Ok(see_other(&format!(
        "/customers/{id}/contacts?done={}#log",
        new.as_str()
    )))
}
