//! The contact policy over HTTP: a customer's consent history (recorded with source `api`),
//! contact preferences and contact log; the contact log of the user's customers and moving a
//! logged contact along; planning contacts through the policy; the frequency caps per rung.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use clientele_app::contacts::{
    ContactRequest, PlanSettings, format_minutes, parse_minutes, plan_contacts, refusal_text,
    send_reason, time_of_minutes,
};
use clientele_core::Rung;
use clientele_core::contact_policy::{
    self, Channel as PolicyChannel, ChannelSet, Decision, MessageKind, Module,
};
use clientele_store::{
    Channel, ConsentEntry, ContactLogEntry, ContactLogFilter, ContactPreferences, ContactState,
    NewConsent, Role, StoredCap,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CustomerId, Json, Query};
use crate::routes::parse_day;

/// The most contacts one plan request holds.
pub const MAX_PLAN_CONTACTS: usize = 10_000;
/// The most log rows one page lists.
pub const MAX_LOG_LIMIT: u32 = 1_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(consent_history, record_consent))
        .routes(routes!(get_preferences, set_preferences))
        .routes(routes!(customer_log))
        .routes(routes!(contact_log))
        .routes(routes!(set_state))
        .routes(routes!(plan))
        .routes(routes!(get_caps, set_cap))
}

/// A consent event as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentView {
    pub id: i64,
    /// email, phone, sms, messenger, post or visit.
    pub channel: String,
    /// `true` given, `false` withdrawn.
    pub granted: bool,
    /// The day it was given or withdrawn (YYYY-MM-DD).
    pub day: String,
    /// Where: import, api, card, or a file's words.
    pub source: String,
    /// When it was recorded (Unix seconds); null for older rows.
    pub recorded_at: Option<i64>,
    pub recorded_by: Option<String>,
}

impl From<ConsentEntry> for ConsentView {
    fn from(e: ConsentEntry) -> ConsentView {
        ConsentView {
            id: e.id,
            channel: e.channel.as_str().into(),
            granted: e.granted,
            day: e.day.to_string(),
            source: e.source,
            recorded_at: e.recorded_at,
            recorded_by: e.recorded_by,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentHistory {
    /// Channels whose latest event (as of today) is a grant.
    pub consented: Vec<String>,
    /// Channels whose latest event is a withdrawal.
    pub withdrawn: Vec<String>,
    /// Every event, oldest first; withdrawals are kept.
    pub history: Vec<ConsentView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConsentBody {
    /// email, phone, sms, messenger, post or visit.
    pub channel: String,
    /// `true` to record consent given, `false` withdrawn.
    pub granted: bool,
    /// The day (YYYY-MM-DD, not in the future); today when absent.
    pub day: Option<String>,
    /// Where it was given (at most 200 characters); `api` when absent.
    pub source: Option<String>,
}

fn channel(field: &str, text: &str) -> Result<Channel, ApiError> {
    Channel::parse(text.trim()).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!("'{text}' is not one of email, phone, sms, messenger, post, visit"),
        )
    })
}

/// The customer's consent history and what is in force today.
#[utoipa::path(get, path = "/api/v1/customers/{id}/consents", tag = "contacts",
    params(("id" = i64, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The history", body = ConsentHistory),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody)))]
async fn consent_history(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
) -> Result<Json<ConsentHistory>, ApiError> {
    let history = state.store.consent_history(auth.scope(), id).await?;
    let events: Vec<contact_policy::ConsentEvent<'_>> = history
        .iter()
        .filter_map(|e| {
            Some(contact_policy::ConsentEvent {
                channel: PolicyChannel::parse(e.channel.as_str())?,
                granted: e.granted,
                day: e.day,
                source: &e.source,
            })
        })
        .collect();
    let in_force = contact_policy::consent_in_force(&events, clientele_app::clock::today());
    let names = |s: ChannelSet| s.iter().map(|c| c.as_str().to_string()).collect();
    let (consented, withdrawn) = (names(in_force.consented()), names(in_force.withdrawn()));
    Ok(Json(ConsentHistory {
        consented,
        withdrawn,
        history: history.into_iter().map(ConsentView::from).collect(),
    }))
}

/// Records consent given or withdrawn on a channel (a withdrawal is a new event; the history
/// is kept), with an audit entry.
#[utoipa::path(post, path = "/api/v1/customers/{id}/consents", tag = "contacts",
    params(("id" = i64, Path, description = "Customer id")),
    request_body = NewConsentBody,
    responses(
        (status = 201, description = "The event as stored", body = ConsentView),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
async fn record_consent(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
    Json(body): Json<NewConsentBody>,
) -> Result<(StatusCode, Json<ConsentView>), ApiError> {
    let today = clientele_app::clock::today();
    let day = match &body.day {
        Some(d) => parse_day("day", d)?,
        None => today,
    };
    if day > today {
        return Err(ApiError::invalid("day", "is in the future"));
    }
    let consent = NewConsent {
        channel: channel("channel", &body.channel)?,
        granted: body.granted,
        day,
        source: body.source.unwrap_or_else(|| "api".into()),
    };
    let stored = state
        .store
        .record_consent_as(auth.scope(), id, &consent, &auth.user.name)
        .await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// A customer's contact preferences.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesView {
    /// email, phone, sms, messenger, post, visit, or null.
    pub preferred_channel: Option<String>,
    /// An IANA name such as Europe/Moscow; null: the company's.
    pub time_zone: Option<String>,
    /// Quiet hours' start, HH:MM local time; null (with `quiet_end`): the company's 21:00–09:00.
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
}

impl From<ContactPreferences> for PreferencesView {
    fn from(p: ContactPreferences) -> PreferencesView {
        PreferencesView {
            preferred_channel: p.preferred_channel.map(|c| c.as_str().into()),
            time_zone: p.time_zone,
            quiet_start: p.quiet_hours.map(|(s, _)| format_minutes(s)),
            quiet_end: p.quiet_hours.map(|(_, e)| format_minutes(e)),
        }
    }
}

/// Checks a preferences body: known channel, known time zone, both quiet-hour ends or neither.
pub fn preferences(body: &PreferencesView) -> Result<ContactPreferences, ApiError> {
    let preferred_channel = body
        .preferred_channel
        .as_deref()
        .filter(|c| !c.trim().is_empty())
        .map(|c| channel("preferred_channel", c))
        .transpose()?;
    let time_zone = match body.time_zone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(name) => {
            if name.len() > 64 {
                return Err(ApiError::invalid("time_zone", "longer than 64 characters"));
            }
            contact_policy::time_zone(name)
                .map_err(|e| ApiError::invalid("time_zone", e.to_string()))?;
            Some(name.to_string())
        }
    };
    let minutes = |field: &str, text: Option<&str>| -> Result<Option<u16>, ApiError> {
        match text.map(str::trim) {
            None | Some("") => Ok(None),
            Some(t) => parse_minutes(t)
                .map(Some)
                .ok_or_else(|| ApiError::invalid(field, format!("'{t}' is not a time as HH:MM"))),
        }
    };
    let start = minutes("quiet_start", body.quiet_start.as_deref())?;
    let end = minutes("quiet_end", body.quiet_end.as_deref())?;
    let quiet_hours = match (start, end) {
        (Some(s), Some(e)) => Some((s, e)),
        (None, None) => None,
        (Some(_), None) => return Err(ApiError::invalid("quiet_end", "give both ends or neither")),
        (None, Some(_)) => {
            return Err(ApiError::invalid(
                "quiet_start",
                "give both ends or neither",
            ));
        }
    };
    Ok(ContactPreferences {
        preferred_channel,
        time_zone,
        quiet_hours,
    })
}

/// The customer's contact preferences.
#[utoipa::path(get, path = "/api/v1/customers/{id}/contact-preferences", tag = "contacts",
    params(("id" = i64, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The preferences", body = PreferencesView),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody)))]
async fn get_preferences(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
) -> Result<Json<PreferencesView>, ApiError> {
    let p = state.store.contact_preferences(auth.scope(), id).await?;
    Ok(Json(p.into()))
}

/// Replaces the customer's contact preferences (preferred channel, time zone, quiet hours).
#[utoipa::path(put, path = "/api/v1/customers/{id}/contact-preferences", tag = "contacts",
    params(("id" = i64, Path, description = "Customer id")),
    request_body = PreferencesView,
    responses(
        (status = 200, description = "The preferences as stored", body = PreferencesView),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
async fn set_preferences(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
    Json(body): Json<PreferencesView>,
) -> Result<Json<PreferencesView>, ApiError> {
    let prefs = preferences(&body)?;
    state
        .store
        .set_contact_preferences(auth.scope(), id, &prefs, &auth.user.name)
        .await?;
    Ok(Json(prefs.into()))
}

/// A contact-log row.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactLogView {
    pub id: i64,
    /// The store's customer id.
    pub customer: i64,
    /// The customer's external id.
    pub customer_id: String,
    pub customer_name: Option<String>,
    /// When the row was written (Unix seconds).
    pub at: i64,
    /// When it may go out (Unix seconds), for planned contacts.
    pub planned_for: Option<i64>,
    pub channel: String,
    /// `out` or `in`.
    pub direction: String,
    /// offer, reminder, survey, greeting, notice, win_back, service_notice; null for older rows.
    pub kind: Option<String>,
    /// queue, calendar, surveys, notices, campaigns, win_back, events, manual; null for older rows.
    pub module: Option<String>,
    /// planned, sent, exported or cancelled.
    pub state: String,
    pub subject: Option<String>,
    pub outcome: Option<String>,
    /// Why this channel and time.
    pub reason: Option<String>,
    pub author: Option<String>,
}

impl From<ContactLogEntry> for ContactLogView {
    fn from(e: ContactLogEntry) -> ContactLogView {
        ContactLogView {
            id: e.id,
            customer: e.customer_id,
            customer_id: e.external_id,
            customer_name: e.customer_name,
            at: e.at,
            planned_for: e.planned_for,
            channel: e.channel,
            direction: e.direction,
            kind: e.kind.map(|k| k.as_str().into()),
            module: e.module.map(|m| m.as_str().into()),
            state: e.state.as_str().into(),
            subject: e.subject,
            outcome: e.outcome,
            reason: e.reason,
            author: e.author,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ContactLogPage {
    /// Newest first.
    pub items: Vec<ContactLogView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LogQuery {
    /// From this day (YYYY-MM-DD, UTC), inclusive.
    pub from: Option<String>,
    /// Up to this day (YYYY-MM-DD, UTC), inclusive.
    pub until: Option<String>,
    pub module: Option<String>,
    pub state: Option<String>,
    /// email, phone, sms, messenger, post or visit.
    pub channel: Option<String>,
    /// A contact's outcome: no_answer, answered, promised, declined or wrong_contact.
    pub outcome: Option<String>,
    /// 1 to 1,000; 100 when absent.
    pub limit: Option<u32>,
    /// Rows skipped first (paging), at most 10,000,000; 0 when absent.
    pub offset: Option<u64>,
}

/// The largest offset a log query accepts.
pub const MAX_LOG_OFFSET: u64 = 10_000_000;

/// Converts a log query into the store's filter, naming the parameter at fault.
pub fn log_filter(q: &LogQuery, customer: Option<i64>) -> Result<ContactLogFilter, ApiError> {
    let limit = match q.limit {
        None => 100,
        Some(l) if (1..=MAX_LOG_LIMIT).contains(&l) => l,
        Some(_) => {
            return Err(ApiError::invalid(
                "limit",
                format!("must be between 1 and {MAX_LOG_LIMIT}"),
            ));
        }
    };
    let seconds = |d: clientele_core::Day| i64::from(d.days_since_epoch()) * 86_400;
    let from = q
        .from
        .as_deref()
        .map(|d| parse_day("from", d))
        .transpose()?;
    let until = q
        .until
        .as_deref()
        .map(|d| parse_day("until", d))
        .transpose()?;
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        return Err(ApiError::invalid("until", "is before from"));
    }
    Ok(ContactLogFilter {
        customer_id: customer,
        from: from.map(seconds),
        until: until.map(|u| seconds(u) + 86_400),
        module: q
            .module
            .as_deref()
            .map(|m| {
                Module::parse(m)
                    .ok_or_else(|| ApiError::invalid("module", format!("'{m}' is not a module")))
            })
            .transpose()?,
        state: q
            .state
            .as_deref()
            .map(|s| {
                ContactState::parse(s).ok_or_else(|| {
                    ApiError::invalid("state", "not one of planned, sent, exported, cancelled")
                })
            })
            .transpose()?,
        channel: q
            .channel
            .as_deref()
            .map(|c| {
                Channel::parse(c).ok_or_else(|| {
                    ApiError::invalid(
                        "channel",
                        "not one of email, phone, sms, messenger, post, visit",
                    )
                })
            })
            .transpose()?,
        outcome: q
            .outcome
            .as_deref()
            .map(|o| {
                clientele_core::winback::AttemptOutcome::parse(o)
                    .map(|o| o.as_str().to_string())
                    .ok_or_else(|| {
                        ApiError::invalid(
                            "outcome",
                            "not one of no_answer, answered, promised, declined, wrong_contact",
                        )
                    })
            })
            .transpose()?,
        limit,
        offset: match q.offset {
            None => 0,
            Some(o) if o <= MAX_LOG_OFFSET => o,
            Some(_) => {
                return Err(ApiError::invalid(
                    "offset",
                    format!("must be at most {MAX_LOG_OFFSET}"),
                ));
            }
        },
    })
}

/// The customer's contact log, newest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/contact-log", tag = "contacts",
    params(("id" = i64, Path, description = "Customer id"), LogQuery),
    responses(
        (status = 200, description = "The log", body = ContactLogPage),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody),
        (status = 422, description = "A parameter is not valid", body = ErrorBody)))]
async fn customer_log(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
    Query(q): Query<LogQuery>,
) -> Result<Json<ContactLogPage>, ApiError> {
    let filter = log_filter(&q, Some(id))?;
    state.store.visible_customer(auth.scope(), id).await?;
    let items = state.store.contact_log(auth.scope(), &filter).await?;
    Ok(Json(ContactLogPage {
        items: items.into_iter().map(ContactLogView::from).collect(),
    }))
}

/// The contact log of the user's customers (a manager's own; everyone's for admins and
/// analysts), newest first.
#[utoipa::path(get, path = "/api/v1/contact-log", tag = "contacts",
    params(LogQuery),
    responses(
        (status = 200, description = "The log", body = ContactLogPage),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A parameter is not valid", body = ErrorBody)))]
async fn contact_log(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<LogQuery>,
) -> Result<Json<ContactLogPage>, ApiError> {
    let filter = log_filter(&q, None)?;
    let items = state.store.contact_log(auth.scope(), &filter).await?;
    Ok(Json(ContactLogPage {
        items: items.into_iter().map(ContactLogView::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateBody {
    /// planned, sent, exported or cancelled.
    pub state: String,
}

/// Moves a logged contact along: a planned contact sent, exported or cancelled (a cancelled one
/// no longer counts toward the caps).
#[utoipa::path(post, path = "/api/v1/contact-log/{id}/state", tag = "contacts",
    params(("id" = i64, Path, description = "Contact-log row id")),
    request_body = StateBody,
    responses(
        (status = 200, description = "The row as it now stands", body = ContactLogView),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such row, or not your customer's", body = ErrorBody),
        (status = 422, description = "Not a state", body = ErrorBody)))]
async fn set_state(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<StateBody>,
) -> Result<Json<ContactLogView>, ApiError> {
    let new = ContactState::parse(body.state.trim()).ok_or_else(|| {
        ApiError::invalid("state", "not one of planned, sent, exported, cancelled")
    })?;
    let row = state
        .store
        .set_contact_state(auth.scope(), id, new, &auth.user.name)
        .await?;
    Ok(Json(row.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanContact {
    /// The customer's external id.
    pub customer_id: String,
    /// offer, reminder, survey, greeting, notice, win_back or service_notice.
    pub kind: String,
    /// The module planning it; `manual` when absent.
    pub module: Option<String>,
    /// Channels it may use; every message channel when absent.
    pub channels: Option<Vec<String>>,
    /// Higher goes first when contacts compete for a cap (-1000 to 1000; 0 when absent).
    pub priority: Option<i32>,
    /// What it is about (1 to 500 characters).
    pub subject: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBody {
    /// The day the contacts should arrive, in each customer's time zone (YYYY-MM-DD).
    pub day: String,
    /// The local time they should arrive at (HH:MM); 10:00 when absent.
    pub local_time: Option<String>,
    /// Refuse a contact quiet hours push past its day (default true).
    pub same_day_only: Option<bool>,
    /// The time zone of customers without one (IANA); Europe/Moscow when absent.
    pub time_zone: Option<String>,
    /// Only decide, record nothing (default false).
    pub dry_run: Option<bool>,
    /// 1 to 10,000 contacts.
    pub contacts: Vec<PlanContact>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDecision {
    pub customer_id: String,
    pub kind: String,
    pub module: String,
    /// `send` or `refused`.
    pub decision: String,
    /// The channel, for a send.
    pub channel: Option<String>,
    /// When it may go out (RFC 3339, UTC), for a send.
    pub at: Option<String>,
    /// Why this channel and time, or why not.
    pub reason: String,
    /// The refusal's code (no_consented_channel, no_contact_details, past_deadline,
    /// weekly_cap_reached, monthly_cap_reached, unknown_customer).
    pub refusal: Option<String>,
    /// The contact-log row written for a send (null in a dry run).
    pub log_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanAnswer {
    pub allowed: usize,
    pub refused: usize,
    /// In the order of the request.
    pub contacts: Vec<PlanDecision>,
}

/// Plans contacts through the contact policy: each is allowed on a channel at a time, or refused
/// with its reason; the allowed ones are recorded in the contact log as planned. A manager plans
/// only for their own customers.
#[utoipa::path(post, path = "/api/v1/contacts/plan", tag = "contacts",
    request_body = PlanBody,
    responses(
        (status = 200, description = "Every contact's decision", body = PlanAnswer),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Missing CSRF token, or an analyst", body = ErrorBody),
        (status = 404, description = "A customer that does not exist, or is not yours", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
async fn plan(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<PlanBody>,
) -> Result<Json<PlanAnswer>, ApiError> {
    auth.require(&[Role::Admin, Role::Manager], "plan contacts")?;
    if body.contacts.is_empty() || body.contacts.len() > MAX_PLAN_CONTACTS {
        return Err(ApiError::invalid(
            "contacts",
            format!("give 1 to {MAX_PLAN_CONTACTS} contacts"),
        ));
    }
    let day = parse_day("day", &body.day)?;
    let local_time = match body.local_time.as_deref() {
        None => time_of_minutes(600),
        Some(t) => time_of_minutes(parse_minutes(t).ok_or_else(|| {
            ApiError::invalid("local_time", format!("'{t}' is not a time as HH:MM"))
        })?),
    };
    let mut requests = Vec::with_capacity(body.contacts.len());
    for (n, c) in body.contacts.iter().enumerate() {
        let field = |name: &str| format!("contacts[{n}].{name}");
        let kind = MessageKind::parse(c.kind.trim()).ok_or_else(|| {
            ApiError::invalid(
                field("kind"),
                format!("'{}' is not a kind of message", c.kind),
            )
        })?;
        let module = match c.module.as_deref() {
            None => Module::Manual,
            Some(m) => Module::parse(m.trim()).ok_or_else(|| {
                ApiError::invalid(field("module"), format!("'{m}' is not a module"))
            })?,
        };
        let channels = match &c.channels {
            None => ChannelSet::MESSAGES,
            Some(list) => {
                let mut set = ChannelSet::EMPTY;
                for name in list {
                    set = set.with(PolicyChannel::parse(name.trim()).ok_or_else(|| {
                        ApiError::invalid(field("channels"), format!("'{name}' is not a channel"))
                    })?);
                }
                if set.is_empty() {
                    return Err(ApiError::invalid(field("channels"), "is empty"));
                }
                set
            }
        };
        let priority = c.priority.unwrap_or(0);
        if !(-1000..=1000).contains(&priority) {
            return Err(ApiError::invalid(
                field("priority"),
                "must be between -1000 and 1000",
            ));
        }
        let subject = c.subject.trim();
        if subject.is_empty() || subject.chars().count() > 500 {
            return Err(ApiError::invalid(field("subject"), "1 to 500 characters"));
        }
        let customer_id = state.store.customer_id(c.customer_id.trim()).await?;
        state
            .store
            .visible_customer(auth.scope(), customer_id)
            .await?;
        requests.push(ContactRequest {
            customer_id,
            kind,
            module,
            channels,
            priority,
            subject: subject.to_string(),
        });
    }
    let settings = PlanSettings {
        requests,
        day,
        local_time,
        same_day_only: body.same_day_only.unwrap_or(true),
        default_time_zone: body.time_zone.unwrap_or_else(|| "Europe/Moscow".into()),
        record: !body.dry_run.unwrap_or(false),
        author: auth.user.name.clone(),
        user_id: Some(auth.user.id),
    };
    let report = plan_contacts(&state.store, &settings).await.map_err(|e| {
        match e.downcast_ref::<clientele_app::InvalidSetting>() {
            Some(s) if s.field == "default_time_zone" => {
                ApiError::invalid("time_zone", s.message.clone())
            }
            Some(s) => ApiError::invalid(s.field, s.message.clone()),
            None => ApiError::Internal(format!("{e:#}")),
        }
    })?;
    Ok(Json(PlanAnswer {
        allowed: report.allowed,
        refused: report.refused,
        contacts: report
            .contacts
            .into_iter()
            .map(|c| {
                let (decision, channel, at, reason, refusal) = match c.decision {
                    Decision::Send(s) => (
                        "send",
                        Some(s.channel.as_str().to_string()),
                        Some(s.at.to_string()),
                        send_reason(&s),
                        None,
                    ),
                    Decision::Refused(r) => (
                        "refused",
                        None,
                        None,
                        refusal_text(&r),
                        Some(r.code().to_string()),
                    ),
                };
                PlanDecision {
                    customer_id: c.external_id.unwrap_or_default(),
                    kind: c.kind.as_str().into(),
                    module: c.module.as_str().into(),
                    decision: decision.into(),
                    channel,
                    at,
                    reason,
                    refusal,
                    log_id: c.log_id,
                }
            })
            .collect(),
    }))
}

/// A frequency cap.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapView {
    /// `default`, or a rung: prospect, visitor, newcomer, regular, advocate.
    pub rung: String,
    /// At most this many contacts in any 7 days (0 to 1000); null: no limit.
    pub per_week: Option<u32>,
    /// At most this many in any 30 days (0 to 1000); null: no limit.
    pub per_month: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Caps {
    /// The cap in force for `default` and each rung (the default's where a rung has none).
    pub caps: Vec<CapView>,
}

/// The frequency caps in force: the default and each rung's.
#[utoipa::path(get, path = "/api/v1/contact-caps", tag = "contacts",
    responses(
        (status = 200, description = "The caps", body = Caps),
        (status = 401, description = "Not authenticated", body = ErrorBody)))]
async fn get_caps(State(state): State<AppState>, _auth: Auth) -> Result<Json<Caps>, ApiError> {
    let rules = clientele_app::contacts::contact_rules(&state.store)
        .await
        .map_err(|e| ApiError::Internal(format!("{e:#}")))?;
    let view = |rung: &str, c: contact_policy::FrequencyCap| CapView {
        rung: rung.into(),
        per_week: c.per_week,
        per_month: c.per_month,
    };
    let mut caps = vec![view("default", rules.caps.default)];
    caps.extend(
        Rung::ALL
            .iter()
            .map(|&r| view(r.as_str(), rules.caps.for_rung(Some(r)))),
    );
    Ok(Json(Caps { caps }))
}

/// Sets the cap of a rung, or the default (admins only).
#[utoipa::path(put, path = "/api/v1/contact-caps", tag = "contacts",
    request_body = CapView,
    responses(
        (status = 200, description = "The cap as stored", body = CapView),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin, or missing CSRF token", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
async fn set_cap(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<CapView>,
) -> Result<Json<CapView>, ApiError> {
    auth.require(&[Role::Admin], "set contact caps")?;
    let rung =
        match body.rung.trim() {
            "default" => None,
            r => Some(Rung::parse(r).ok_or_else(|| {
                ApiError::invalid("rung", format!("'{r}' is not default or a rung"))
            })?),
        };
    for (field, v) in [("per_week", body.per_week), ("per_month", body.per_month)] {
        if v.is_some_and(|v| v > 1000) {
            return Err(ApiError::invalid(field, "at most 1000"));
        }
    }
    let cap = StoredCap {
        rung,
        per_week: body.per_week,
        per_month: body.per_month,
    };
    state.store.set_contact_cap(&cap, &auth.user.name).await?;
    Ok(Json(body))
}
