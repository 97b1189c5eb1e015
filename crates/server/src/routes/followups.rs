//! The closed loop over the API: the follow-up tasks that detractor and passive answers open
//! (open, overdue, snoozed, answered, closed; a manager's own only), and what a user does with
//! one — take it, answer it with the outcome, snooze it, close it — each audited.

use axum::extract::{Path, State};
use clientele_core::closed_loop::FollowUpKind;
use clientele_store::voice::{FollowUpFilter, FollowUpTask, TaskAction, TaskState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::page_limit;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(act))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TaskQuery {
    /// open (default), overdue, snoozed, answered, closed or all.
    pub state: Option<String>,
    /// detractor or passive.
    pub kind: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskBody {
    pub id: i64,
    pub customer_id: i64,
    pub external_id: String,
    pub customer_name: Option<String>,
    /// detractor or passive.
    pub kind: String,
    pub manager: Option<String>,
    /// The answer's score, on its scale.
    pub score: u8,
    pub comment: Option<String>,
    pub touchpoint: Option<String>,
    /// Unix seconds.
    pub opened_at: i64,
    pub due_at: i64,
    pub overdue: bool,
    pub taken_by: Option<String>,
    pub snoozed_until: Option<i64>,
    pub answered_at: Option<i64>,
    pub outcome: Option<String>,
    pub closed_at: Option<i64>,
}

fn task_body(t: &FollowUpTask, now: i64) -> TaskBody {
    TaskBody {
        id: t.id,
        customer_id: t.customer_id,
        external_id: t.external_id.clone(),
        customer_name: t.customer_name.clone(),
        kind: t.kind.as_str().into(),
        manager: t.manager_name.clone(),
        score: t.score.value(),
        comment: t.comment.clone(),
        touchpoint: t.touchpoint.clone(),
        opened_at: t.opened_at,
        due_at: t.due_at,
        overdue: clientele_core::closed_loop::overdue(t.due_at, t.answered_at.or(t.closed_at), now),
        taken_by: t.taken_by.clone(),
        snoozed_until: t.snoozed_until,
        answered_at: t.answered_at,
        outcome: t.outcome.clone(),
        closed_at: t.closed_at,
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskBody>,
    /// Tasks matching in all.
    pub total: u64,
}

/// Follow-up tasks, overdue first, then by due time. A manager sees the tasks of their
/// customers.
#[utoipa::path(get, path = "/api/v1/followup-tasks", tag = "voice", params(TaskQuery),
    responses(
        (status = 200, description = "A page of tasks", body = TaskPage),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A parameter is refused (the field says which)", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<TaskQuery>,
) -> Result<Json<TaskPage>, ApiError> {
    let task_state = match q.state.as_deref() {
        None => TaskState::Open,
        Some(text) => TaskState::parse(text).ok_or_else(|| {
            ApiError::invalid(
                "state",
                format!("'{text}': expected open, overdue, snoozed, answered, closed or all"),
            )
        })?,
    };
    let kind = q
        .kind
        .as_deref()
        .map(|text| {
            FollowUpKind::parse(text).ok_or_else(|| {
                ApiError::invalid("kind", format!("'{text}': expected detractor or passive"))
            })
        })
        .transpose()?;
    let limit = page_limit(q.limit, &state.settings)?;
    let page = state
        .store
        .followup_tasks(
            auth.scope(),
            &FollowUpFilter {
                state: task_state,
                kind,
                manager: None,
            },
            limit,
            q.offset.unwrap_or(0),
        )
        .await?;
    let at = now();
    Ok(Json(TaskPage {
        items: page.items.iter().map(|t| task_body(t, at)).collect(),
        total: page.total,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskActionBody {
    /// take, answer, snooze or close.
    pub action: String,
    /// The outcome of an answer (required for answer; at most 4,000 characters).
    pub outcome: Option<String>,
    /// Until when to snooze (Unix seconds, within the next 30 days).
    pub until: Option<i64>,
    /// Why a task is closed without an answer.
    pub note: Option<String>,
}

/// Takes, answers, snoozes or closes a task (audited). A manager acts on their customers'
/// tasks only.
#[utoipa::path(post, path = "/api/v1/followup-tasks/{id}", tag = "voice",
    params(("id" = i64, Path, description = "The task's id")),
    request_body = TaskActionBody,
    responses(
        (status = 200, description = "The task as changed", body = TaskBody),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such task, or not yours", body = ErrorBody),
        (status = 422, description = "The action is refused (the field says which)", body = ErrorBody)))]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    Json(body): Json<TaskActionBody>,
) -> Result<Json<TaskBody>, ApiError> {
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| ApiError::invalid("id", format!("'{raw}' is not a task id")))?;
    let action = match body.action.as_str() {
        "take" => TaskAction::Take,
        "answer" => TaskAction::Answer {
            outcome: body
                .outcome
                .ok_or_else(|| ApiError::invalid("outcome", "an answer needs its outcome"))?,
        },
        "snooze" => TaskAction::Snooze {
            until: body
                .until
                .ok_or_else(|| ApiError::invalid("until", "a snooze needs its end"))?,
        },
        "close" => TaskAction::Close { note: body.note },
        other => {
            return Err(ApiError::invalid(
                "action",
                format!("'{other}': expected take, answer, snooze or close"),
            ));
        }
    };
    let task = state
        .store
        .act_on_task(auth.scope(), id, &auth.user.name, &action)
        .await?;
    Ok(Json(task_body(&task, now())))
}
