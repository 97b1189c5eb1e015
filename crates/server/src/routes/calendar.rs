//! The client calendar over HTTP: the upcoming occasions with their greeting drafts, personal
//! dates added to a customer, a draft edited, and a draft sent through the contact policy.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use clientele_app::calendar::{
    MAX_DAYS, SendGreeting, UpcomingOccasion, UpcomingSettings, send_greeting, upcoming_occasions,
};
use clientele_app::clock::today;
use clientele_app::contacts::{parse_minutes, refusal_text, send_reason};
use clientele_core::care::Language;
use clientele_core::care::occasion::check_label;
use clientele_core::contact_policy::{self, Decision};
use clientele_core::recurrence::text::{MAX_RULE_CHARS, parse_rule};
use clientele_store::recurrence::DateRuleJson;
use clientele_store::{GreetingDraft, MAX_GREETING_CHARS, PersonalDateRecord, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CustomerId, Json, Query};
use crate::routes::parse_day;

/// The time zone of customers without their own, when a request names none.
const DEFAULT_TIME_ZONE: &str = "Europe/Moscow";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upcoming))
        .routes(routes!(add_personal_date))
        .routes(routes!(edit_greeting))
        .routes(routes!(send))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UpcomingQuery {
    /// How many days ahead, today included: 1 to 366; 14 when absent.
    pub days: Option<i32>,
    /// Only this manager's customers (a user's name).
    pub manager: Option<String>,
    /// The first day (YYYY-MM-DD); today when absent.
    pub from: Option<String>,
    /// The language new drafts are written in: `en` or `ru`; the user's own when absent.
    pub language: Option<String>,
}

/// One occasion of one customer, with its greeting draft.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccasionView {
    /// The customer's external id.
    pub customer_id: String,
    /// The store's customer id (for the card: `/api/v1/customers/{id}`).
    pub customer: i64,
    pub name: Option<String>,
    /// The key customers of one occasion share: a holiday's code, `birthday`, `name_day`,
    /// `founding_day`, `first_purchase`, `holiday:<name>`, or a custom label in lower case.
    pub occasion: String,
    /// The personal date's label as entered.
    pub label: String,
    /// YYYY-MM-DD.
    pub date: String,
    /// The channel the contact policy allows; null when it refuses.
    pub channel: Option<String>,
    /// Why the policy refuses (a code such as `no_consented_channel`), and in words.
    pub refusal: Option<String>,
    pub refusal_text: Option<String>,
    pub greeting: String,
    /// The draft's id (to edit or send it).
    pub draft_id: i64,
    pub language: String,
    pub edited_by: Option<String>,
    /// Unix seconds, when it was sent.
    pub sent_at: Option<i64>,
    pub contact_log_id: Option<i64>,
}

impl From<UpcomingOccasion> for OccasionView {
    fn from(o: UpcomingOccasion) -> OccasionView {
        OccasionView {
            customer_id: o.external_id,
            customer: o.customer_id,
            name: o.name,
            occasion: o.occasion,
            label: o.label,
            date: o.date.to_string(),
            channel: o.channel.map(|c| c.as_str().to_string()),
            refusal: o.refusal.map(str::to_string),
            refusal_text: o.refusal_text,
            greeting: o.greeting,
            draft_id: o.draft_id,
            language: o.language,
            edited_by: o.edited_by,
            sent_at: o.sent_at,
            contact_log_id: o.contact_log_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Occasions {
    /// By day, then customer.
    pub items: Vec<OccasionView>,
}

/// A refused setting of the calendar's use cases, named as the request names it.
fn app_error(e: anyhow::Error) -> ApiError {
    if let Some(s) = e.downcast_ref::<clientele_app::InvalidSetting>() {
        return match s.field {
            "default_time_zone" => ApiError::invalid("time_zone", s.message.clone()),
            field => ApiError::invalid(field, s.message.clone()),
        };
    }
    match e.downcast::<clientele_store::StoreError>() {
        Ok(store) => store.into(),
        Err(e) => ApiError::Internal(format!("{e:#}")),
    }
}

/// The occasions of the next days for the user's customers (a manager's own), each with its
/// greeting draft — written from the dossier on first listing and kept, never the same text
/// for two customers of one occasion — and the channel the contact policy allows.
#[utoipa::path(get, path = "/api/v1/calendar/upcoming", tag = "calendar",
    params(UpcomingQuery),
    responses(
        (status = 200, description = "The occasions", body = Occasions),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A parameter is not valid", body = ErrorBody)))]
async fn upcoming(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<UpcomingQuery>,
) -> Result<Json<Occasions>, ApiError> {
    let days = q.days.unwrap_or(14);
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(ApiError::invalid(
            "days",
            format!("{days}: expected 1 to {MAX_DAYS}"),
        ));
    }
    if q.manager
        .as_deref()
        .is_some_and(|m| m.chars().count() > 200)
    {
        return Err(ApiError::invalid("manager", "longer than 200 characters"));
    }
    let from = match &q.from {
        Some(d) => parse_day("from", d)?,
        None => today(),
    };
    let language = match q.language.as_deref() {
        Some(l) => Language::parse(l)
            .ok_or_else(|| ApiError::invalid("language", format!("'{l}' is not en or ru")))?,
        None => state
            .store
            .user_language(auth.user.id)
            .await?
            .as_deref()
            .and_then(Language::parse)
            .unwrap_or(Language::En),
    };
    let settings = UpcomingSettings {
        scope: auth.scope(),
        manager: q.manager.clone(),
        from,
        days,
        language,
        default_time_zone: DEFAULT_TIME_ZONE.into(),
        local_minutes: 600,
    };
    let list = upcoming_occasions(&state.store, &settings)
        .await
        .map_err(app_error)?;
    Ok(Json(Occasions {
        items: list.into_iter().map(OccasionView::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPersonalDate {
    /// What the date is: `birthday`, `name_day`, `founding_day`, a holiday's code (`navy_day`)
    /// or name, `holiday: <name>`, or any label (1 to 100 characters).
    pub label: String,
    /// When: `1985-03-14` or `14.03.1985` (yearly since then), `03-14`, `once 2025-06-01`,
    /// `last Sunday of July`, `easter+49`, `orthodox easter-2`; may be omitted for a holiday's
    /// code.
    pub date: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalDateView {
    pub label: String,
    /// The rule: `{"rule": "nth_weekday", "month": 7, "weekday": 7, "nth": -1}` and the like.
    #[schema(value_type = Object)]
    pub rule: DateRuleJson,
}

/// Adds a personal date to the customer (audited); the same label on the same rule twice is a
/// conflict.
#[utoipa::path(post, path = "/api/v1/customers/{id}/personal-dates", tag = "calendar",
    params(("id" = i64, Path, description = "Customer id")),
    request_body = NewPersonalDate,
    responses(
        (status = 201, description = "The date as stored", body = PersonalDateView),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Analysts do not edit customers, or missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody),
        (status = 409, description = "The customer has this date already", body = ErrorBody),
        (status = 422, description = "The label or the date is not valid", body = ErrorBody)))]
async fn add_personal_date(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
    Json(body): Json<NewPersonalDate>,
) -> Result<(StatusCode, Json<PersonalDateView>), ApiError> {
    auth.require(&[Role::Admin, Role::Manager], "add personal dates")?;
    check_label(&body.label).map_err(|why| ApiError::invalid("label", why))?;
    let text = body.date.as_deref().unwrap_or(&body.label);
    if text.chars().count() > MAX_RULE_CHARS {
        return Err(ApiError::invalid(
            "date",
            format!("longer than {MAX_RULE_CHARS} characters"),
        ));
    }
    let rule = parse_rule(text).map_err(|why| ApiError::invalid("date", why))?;
    let record = PersonalDateRecord {
        label: body.label.trim().to_string(),
        rule,
    };
    state
        .store
        .add_personal_date_audited(auth.scope(), id, &auth.user.name, &record)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(PersonalDateView {
            label: record.label,
            rule: DateRuleJson(rule),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GreetingEdit {
    /// The new text (1 to 10,000 characters; not another customer's text of the occasion).
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GreetingView {
    pub id: i64,
    pub customer: i64,
    pub occasion: String,
    pub label: String,
    pub date: String,
    pub language: String,
    pub body: String,
    pub edited_by: Option<String>,
    pub edited_at: Option<i64>,
    pub sent_at: Option<i64>,
    pub sent_by: Option<String>,
    pub contact_log_id: Option<i64>,
}

impl From<GreetingDraft> for GreetingView {
    fn from(d: GreetingDraft) -> GreetingView {
        GreetingView {
            id: d.id,
            customer: d.customer_id,
            occasion: d.occasion,
            label: d.label,
            date: d.day.to_string(),
            language: d.language,
            body: d.body,
            edited_by: d.edited_by,
            edited_at: d.edited_at,
            sent_at: d.sent_at,
            sent_by: d.sent_by,
            contact_log_id: d.contact_log_id,
        }
    }
}

/// Replaces a greeting draft's text before it is sent (audited).
#[utoipa::path(put, path = "/api/v1/greetings/{id}", tag = "calendar",
    params(("id" = i64, Path, description = "Greeting draft id")),
    request_body = GreetingEdit,
    responses(
        (status = 200, description = "The draft as it now stands", body = GreetingView),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Analysts do not edit greetings, or missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such draft, or not your customer's", body = ErrorBody),
        (status = 409, description = "Sent already, or another customer of the occasion has this text", body = ErrorBody),
        (status = 422, description = "The text is empty, too long or holds control characters", body = ErrorBody)))]
async fn edit_greeting(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<GreetingEdit>,
) -> Result<Json<GreetingView>, ApiError> {
    auth.require(&[Role::Admin, Role::Manager], "edit greetings")?;
    if body.body.chars().count() > MAX_GREETING_CHARS {
        return Err(ApiError::invalid(
            "body",
            format!("longer than {MAX_GREETING_CHARS} characters"),
        ));
    }
    let draft = state
        .store
        .edit_greeting_draft(auth.scope(), id, &body.body, &auth.user.name)
        .await?;
    Ok(Json(draft.into()))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendBody {
    /// The text as finally edited; the stored draft when absent.
    pub body: Option<String>,
    /// The local time it should arrive at (HH:MM); 10:00 when absent.
    pub local_time: Option<String>,
    /// The time zone of a customer without their own (IANA name); Europe/Moscow when absent.
    pub time_zone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SendAnswer {
    /// `send` or `refused`.
    pub decision: String,
    pub channel: Option<String>,
    /// When it may go out (RFC 3339).
    pub at: Option<String>,
    pub reason: Option<String>,
    /// The policy's refusal code.
    pub refusal: Option<String>,
    /// The contact-log row written (on a send).
    pub contact_log_id: Option<i64>,
}

/// Sends a greeting draft through the contact policy on its day: the policy picks the channel
/// and time or refuses; a send is recorded in the contact log (module `calendar`) and the
/// draft marked sent. A refusal leaves the draft unsent.
#[utoipa::path(post, path = "/api/v1/greetings/{id}/send", tag = "calendar",
    params(("id" = i64, Path, description = "Greeting draft id")),
    request_body = SendBody,
    responses(
        (status = 200, description = "The policy's decision", body = SendAnswer),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Analysts do not send, or missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such draft, or not your customer's", body = ErrorBody),
        (status = 409, description = "Sent already, or the edit repeats another customer's text", body = ErrorBody),
        (status = 422, description = "A field is not valid, or the occasion's day has passed", body = ErrorBody)))]
async fn send(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<SendBody>,
) -> Result<Json<SendAnswer>, ApiError> {
    auth.require(&[Role::Admin, Role::Manager], "send greetings")?;
    if let Some(b) = &body.body
        && b.chars().count() > MAX_GREETING_CHARS
    {
        return Err(ApiError::invalid(
            "body",
            format!("longer than {MAX_GREETING_CHARS} characters"),
        ));
    }
    let local_minutes = match body.local_time.as_deref() {
        None => 600,
        Some(t) => parse_minutes(t).ok_or_else(|| {
            ApiError::invalid("local_time", format!("'{t}' is not a time as HH:MM"))
        })?,
    };
    let time_zone = match body.time_zone.as_deref().map(str::trim) {
        None => DEFAULT_TIME_ZONE.to_string(),
        Some(z) if z.chars().count() > 64 => {
            return Err(ApiError::invalid("time_zone", "longer than 64 characters"));
        }
        Some(z) => {
            contact_policy::time_zone(z)
                .map_err(|e| ApiError::invalid("time_zone", e.to_string()))?;
            z.to_string()
        }
    };
    let outcome = send_greeting(
        &state.store,
        &SendGreeting {
            scope: auth.scope(),
            draft_id: id,
            body: body.body,
            today: today(),
            default_time_zone: time_zone,
            local_minutes,
            author: auth.user.name.clone(),
            user_id: Some(auth.user.id),
        },
    )
    .await
    .map_err(app_error)?;
    Ok(Json(match outcome.decision {
        Decision::Send(s) => SendAnswer {
            decision: "send".into(),
            channel: Some(s.channel.as_str().into()),
            at: Some(s.at.to_string()),
            reason: Some(send_reason(&s)),
            refusal: None,
            contact_log_id: outcome.contact_log_id,
        },
        Decision::Refused(r) => SendAnswer {
            decision: "refused".into(),
            channel: None,
            at: None,
            reason: Some(refusal_text(&r)),
            refusal: Some(r.code().into()),
            contact_log_id: None,
        },
    }))
}
