//! The daily queue and the playbook over the API: `GET /api/v1/queue` (the day's next best
//! actions, a manager's own customers only), `POST /api/v1/queue/outcomes` (done with its
//! outcome, or snoozed: written with its contact-log row), `GET /api/v1/playbook` and
//! `PUT /api/v1/playbook` (admins; the text is checked, errors name the key).

use axum::extract::State;
use axum::http::StatusCode;
use clientele_app::ForecastSettings;
use clientele_app::clock::today;
use clientele_app::winback::{
    DEFAULT_QUEUE_LIMIT, MAX_QUEUE_LIMIT, OutcomeSettings, Queue, QueueItem, QueueSettings,
    current_playbook, daily_queue, playbook_toml, record_queue_outcome, save_playbook,
};
use clientele_store::{Channel, MAX_OUTCOME_NOTE_CHARS, MAX_PLAYBOOK_BYTES, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::parse_day;
use crate::routes::winback::app_error;

/// The time zone of customers without their own.
pub const DEFAULT_TIME_ZONE: &str = "Europe/Moscow";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_queue))
        .routes(routes!(add_queue_outcome))
        .routes(routes!(get_playbook, put_playbook))
}

/// Why an item may not be sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueBlocked {
    /// no_consented_channel, no_contact_details, past_deadline, cap_reached, budget_spent.
    pub code: String,
    pub reason: String,
}

/// One customer to act on today.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemBody {
    /// The customer's external id.
    pub customer_id: String,
    pub name: Option<String>,
    pub manager: Option<String>,
    pub rung: String,
    pub status: Option<String>,
    /// The action's code.
    pub action: String,
    pub offer: String,
    /// The channel the contact policy allows; null when the item may not be sent.
    pub channel: Option<String>,
    pub blocked: Option<QueueBlocked>,
    /// The reason in words.
    pub reason: String,
    /// The expected CLV lost over `clv_horizon_days` (null without a model's CLV).
    pub value_at_stake: Option<f64>,
    pub clv_horizon_days: Option<u32>,
    pub cost: f64,
    /// Categories similar customers of the rung buy and this one has not.
    pub suggestions: Vec<String>,
    /// What was recorded for this item today (null: nothing yet).
    pub outcome: Option<String>,
}

fn item(i: QueueItem, horizon: Option<u32>) -> QueueItemBody {
    QueueItemBody {
        customer_id: i.external_id,
        name: i.name,
        manager: i.manager,
        rung: i.rung.as_str().into(),
        status: i.status.map(|s| s.as_str().into()),
        action: i.action,
        offer: i.offer,
        channel: i.channel.map(|c| c.as_str().into()),
        blocked: i.blocked.map(|(code, reason)| QueueBlocked {
            code: code.into(),
            reason,
        }),
        reason: i.reason,
        value_at_stake: i
            .value_at_stake
            .filter(|v| v.is_finite())
            .map(|v| (v * 100.0).round() / 100.0),
        clv_horizon_days: horizon,
        cost: i.cost.to_f64(),
        suggestions: i.suggestions,
        outcome: i.outcome.map(|o| o.outcome),
    }
}

/// The day's queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueBody {
    /// YYYY-MM-DD.
    pub day: String,
    /// The snapshot read; null when there is none on or before the day.
    pub snapshot: Option<String>,
    pub clv_horizon_days: Option<u32>,
    /// The playbook version in force; null: the defaults.
    pub playbook_version: Option<i64>,
    /// Customers with an action today, before the limit.
    pub candidates: usize,
    pub snoozed: usize,
    pub items: Vec<QueueItemBody>,
}

impl From<Queue> for QueueBody {
    fn from(q: Queue) -> QueueBody {
        let h = q.clv_horizon_days;
        QueueBody {
            day: q.day.to_string(),
            snapshot: q.as_of.map(|d| d.to_string()),
            clv_horizon_days: h,
            playbook_version: q.playbook_version,
            candidates: q.candidates,
            snoozed: q.snoozed,
            items: q.items.into_iter().map(|i| item(i, h)).collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct QueueQuery {
    /// YYYY-MM-DD; default today.
    pub date: Option<String>,
    /// Only this user's customers (a user name); a manager always sees only their own.
    pub manager: Option<String>,
    /// 1 to 10,000; default 100.
    pub limit: Option<usize>,
}

/// The day's next best actions, by value at stake.
#[utoipa::path(get, path = "/api/v1/queue", tag = "queue",
    params(QueueQuery),
    responses(
        (status = 200, description = "The queue", body = QueueBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A parameter is not valid", body = ErrorBody)))]
async fn get_queue(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<QueueQuery>,
) -> Result<Json<QueueBody>, ApiError> {
    let limit = q.limit.unwrap_or(DEFAULT_QUEUE_LIMIT);
    if !(1..=MAX_QUEUE_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be between 1 and {MAX_QUEUE_LIMIT}"),
        ));
    }
    if q.manager.as_ref().is_some_and(|m| m.chars().count() > 200) {
        return Err(ApiError::invalid("manager", "longer than 200 characters"));
    }
    let settings = QueueSettings {
        day: match q.date.as_deref() {
            Some(d) => parse_day("date", d)?,
            None => today(),
        },
        scope: auth.scope(),
        manager: q.manager,
        limit,
        default_time_zone: DEFAULT_TIME_ZONE.into(),
        clv_horizon_days: Some(ForecastSettings::default().horizon_days as u32),
    };
    let queue = daily_queue(&state.store, &settings)
        .await
        .map_err(app_error)?;
    Ok(Json(queue.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQueueOutcome {
    /// The customer's external id.
    pub customer_id: String,
    /// The action's code, as the queue proposed it.
    pub action: String,
    /// email, phone, sms, messenger, post or visit (not for a snooze).
    pub channel: Option<String>,
    /// no_answer, answered, promised, declined, wrong_contact or snoozed.
    pub outcome: String,
    /// For a snooze: YYYY-MM-DD, back in the queue on this day.
    pub snooze_until: Option<String>,
    /// At most 2,000 characters.
    pub note: Option<String>,
    /// The queue's day, YYYY-MM-DD; default today.
    pub date: Option<String>,
}

/// What was recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueOutcomeBody {
    pub id: i64,
    pub outcome: String,
    pub cost: f64,
    /// The contact-log row (null for a snooze).
    pub contact_log_id: Option<i64>,
}

/// Marks a queue item done with its outcome (written to the contact log, its cost counted in
/// the customer's budget) or snoozes it.
#[utoipa::path(post, path = "/api/v1/queue/outcomes", tag = "queue",
    request_body = NewQueueOutcome,
    responses(
        (status = 201, description = "Recorded", body = QueueOutcomeBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Analysts read the queue only; or missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody),
        (status = 409, description = "This item already has an outcome today", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
async fn add_queue_outcome(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewQueueOutcome>,
) -> Result<(StatusCode, Json<QueueOutcomeBody>), ApiError> {
    auth.require(&[Role::Admin, Role::Manager], "recording queue outcomes")?;
    if body.customer_id.chars().count() > 256 {
        return Err(ApiError::invalid(
            "customer_id",
            "longer than 256 characters",
        ));
    }
    if body.action.chars().count() > 40 {
        return Err(ApiError::invalid("action", "longer than 40 characters"));
    }
    if body
        .note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_OUTCOME_NOTE_CHARS)
    {
        return Err(ApiError::invalid(
            "note",
            format!("longer than {MAX_OUTCOME_NOTE_CHARS} characters"),
        ));
    }
    let channel = body
        .channel
        .as_deref()
        .map(|c| {
            Channel::parse(c).ok_or_else(|| {
                ApiError::invalid(
                    "channel",
                    format!("'{c}' is not one of email, phone, sms, messenger, post, visit"),
                )
            })
        })
        .transpose()?;
    let customer_id = state
        .store
        .customer_id(&body.customer_id)
        .await
        .map_err(|_| ApiError::NotFound {
            what: "customer".into(),
            key: body.customer_id.clone(),
        })?;
    let settings = OutcomeSettings {
        day: match body.date.as_deref() {
            Some(d) => parse_day("date", d)?,
            None => today(),
        },
        customer_id,
        action: body.action,
        channel,
        outcome: body.outcome,
        snooze_until: body
            .snooze_until
            .as_deref()
            .map(|d| parse_day("snooze_until", d))
            .transpose()?,
        note: body.note,
    };
    let stored = record_queue_outcome(&state.store, auth.scope(), &auth.user, &settings)
        .await
        .map_err(app_error)?;
    Ok((
        StatusCode::CREATED,
        Json(QueueOutcomeBody {
            id: stored.id,
            outcome: stored.outcome,
            cost: stored.cost.to_f64(),
            contact_log_id: stored.contact_log_id,
        }),
    ))
}

/// The playbook in force.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlaybookBody {
    /// The saved version; null: the documented defaults are in force.
    pub version: Option<i64>,
    pub saved_by: Option<String>,
    /// Unix seconds.
    pub saved_at: Option<i64>,
    /// The playbook file (TOML).
    pub toml: String,
}

/// The playbook in force (the latest saved version, else the defaults).
#[utoipa::path(get, path = "/api/v1/playbook", tag = "queue",
    responses(
        (status = 200, description = "The playbook", body = PlaybookBody),
        (status = 401, description = "Not authenticated", body = ErrorBody)))]
async fn get_playbook(
    State(state): State<AppState>,
    _auth: Auth,
) -> Result<Json<PlaybookBody>, ApiError> {
    let (playbook, version) = current_playbook(&state.store).await.map_err(app_error)?;
    Ok(Json(match version {
        Some(v) => PlaybookBody {
            version: Some(v.id),
            saved_by: Some(v.saved_by),
            saved_at: Some(v.saved_at),
            toml: v.toml,
        },
        None => PlaybookBody {
            version: None,
            saved_by: None,
            saved_at: None,
            toml: playbook_toml(&playbook),
        },
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlaybook {
    /// The playbook file (TOML, at most 256 KiB).
    pub toml: String,
}

/// Saves a playbook (admins): checked first, every error names its key.
#[utoipa::path(put, path = "/api/v1/playbook", tag = "queue",
    request_body = NewPlaybook,
    responses(
        (status = 200, description = "Saved; now in force", body = PlaybookBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Only admins edit the playbook; or missing CSRF token", body = ErrorBody),
        (status = 422, description = "The playbook does not read (the message names the key)", body = ErrorBody)))]
async fn put_playbook(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewPlaybook>,
) -> Result<Json<PlaybookBody>, ApiError> {
    auth.require(&[Role::Admin], "editing the playbook")?;
    if body.toml.len() > MAX_PLAYBOOK_BYTES {
        return Err(ApiError::invalid(
            "toml",
            format!("longer than {MAX_PLAYBOOK_BYTES} bytes"),
        ));
    }
    let id = save_playbook(&state.store, &body.toml, &auth.user.name)
        .await
        .map_err(|e| match app_error(e) {
            ApiError::Invalid { reason, .. } => ApiError::invalid("toml", reason),
            other => other,
        })?;
    Ok(Json(PlaybookBody {
        version: Some(id),
        saved_by: Some(auth.user.name.clone()),
        saved_at: None,
        toml: body.toml,
    }))
}
