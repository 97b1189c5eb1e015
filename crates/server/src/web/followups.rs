//! The follow-up task list of the closed loop: open tasks overdue first, each with the answer
//! behind it and a form to record the outcome of the call (CSRF-checked, answered with a redirect
//! and a message saying what was done). A manager sees their customers' tasks.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_store::voice::{FollowUpFilter, TaskAction, TaskState};
use serde::Deserialize;

use super::i18n::{Arg, Tr};
use super::{Layout, WebError, WebUser, per_page, render, see_other};
use crate::AppState;

pub struct TaskRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer: String,
    /// What tells the customer from a namesake.
    pub mark: String,
    pub kind: String,
    pub score: String,
    pub comment: String,
    pub due: String,
    pub overdue: bool,
    pub manager: String,
}

#[derive(askama::Template)]
#[template(path = "followups.html")]
struct TasksPage {
    layout: Layout,
    t: Tr,
    csrf: String,
    flash: Option<String>,
    total: String,
    rows: Vec<TaskRow>,
}

#[derive(Debug, Deserialize)]
pub struct TasksQuery {
    done: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(q): Query<TasksQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let page = state
        .store
        .followup_tasks(
            user.scope(),
            &FollowUpFilter {
                state: TaskState::Open,
                ..FollowUpFilter::default()
            },
            per_page(&state).max(50),
            0,
        )
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let ids: Vec<i64> = page.items.iter().map(|t| t.customer_id).collect();
    let marks = super::card_sections::marks(&state, tr, &ids).await?;
    let rows = page
        .items
        .iter()
        .map(|t| TaskRow {
            mark: marks
                .get(&t.customer_id)
                .cloned()
                .unwrap_or_else(|| t.external_id.clone()),
            id: t.id,
            customer_id: t.customer_id,
            customer: t
                .customer_name
                .clone()
                .unwrap_or_else(|| t.external_id.clone()),
            kind: tr.get(&format!("task-kind-{}", t.kind.as_str())),
            score: t.score.value().to_string(),
            comment: t.comment.clone().unwrap_or_default(),
            due: tr.instant(t.due_at),
            overdue: clientele_core::closed_loop::overdue(t.due_at, None, now),
            manager: t
                .manager_name
                .clone()
                .unwrap_or_else(|| tr.get("task-queue")),
        })
        .collect();
    let body = TasksPage {
        layout: user.layout("followups", tr.get("page-followups"), &uri.to_string()),
        t: tr,
        csrf: user.csrf.clone(),
        flash: q
            .done
            .map(|id| tr.with("task-answered", &[("id", Arg::Text(id.to_string()))])),
        total: tr.count("task-count", page.total as i64),
        rows,
    };
    Ok(render(StatusCode::OK, &body))
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    csrf: Option<String>,
    #[serde(default)]
    outcome: String,
}

pub async fn answer(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    let id: i64 = id
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| WebError::invalid(tr, "id", format!("'{id}'")))?;
    if form.outcome.trim().is_empty() {
        return Err(WebError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: tr.get("task-outcome-empty"),
            tr,
        });
    }
    state
        .store
        .act_on_task(
            user.scope(),
            id,
            &user.user.name,
            &TaskAction::Answer {
                outcome: form.outcome.trim().to_string(),
            },
        )
        .await
        .map_err(|e| WebError::store(e, tr))?;
    Ok(see_other(&format!("/followups?done={id}")))
}
