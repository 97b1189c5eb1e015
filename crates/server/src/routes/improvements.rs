//! The improvement log over the API: actions listed and logged (admins and analysts), and each
//! action's before/after check of the targeted group's NPS, CSAT and complaint rate.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use clientele_app::voice::{ImprovementCheckOutput, add_improvement, check_improvement_by_id};
use clientele_store::Role;
use clientele_store::voice::{Improvement, NewImprovement, TargetKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::routes::parse_day;
use crate::routes::voice::{Change, Figures, app_error};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(check))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImprovementBody {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub hypothesis: String,
    /// all, touchpoint, category or rung.
    pub target_kind: String,
    /// The touchpoint, category or rung; empty for all.
    pub target: String,
    pub start: String,
    pub check: String,
    /// adopt, adjust or abandon, once decided.
    pub decision: Option<String>,
}

impl From<&Improvement> for ImprovementBody {
    fn from(i: &Improvement) -> ImprovementBody {
        ImprovementBody {
            id: i.id,
            title: i.title.clone(),
            owner: i.owner.clone(),
            hypothesis: i.hypothesis.clone(),
            target_kind: i.target.kind_str().into(),
            target: i.target.value().into(),
            start: i.start.to_string(),
            check: i.check.to_string(),
            decision: i.decision.map(|d| d.as_str().into()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Improvements {
    /// Latest check date first.
    pub items: Vec<ImprovementBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewImprovementBody {
    /// At most 200 characters.
    pub title: String,
    pub owner: String,
    /// What should change, and why (at most 5,000 characters).
    pub hypothesis: String,
    /// all (default), touchpoint, category or rung.
    pub target_kind: Option<String>,
    pub target: Option<String>,
    /// YYYY-MM-DD.
    pub start: String,
    /// YYYY-MM-DD, after the start.
    pub check: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImprovementCheckBody {
    pub improvement: ImprovementBody,
    /// [first, last] day of the window before the start (as long as the window after).
    pub before: [String; 2],
    /// [start, check date].
    pub after: [String; 2],
    pub nps_before: Figures,
    pub nps_after: Figures,
    /// After − before, in points; null with too few answers in a window.
    pub nps_change: Option<Change>,
    /// Change of the satisfied share (4–5) in points; null with too few answers.
    pub csat_change: Option<Change>,
    /// (complained, served) before and after.
    pub complaints_before: [u64; 2],
    pub complaints_after: [u64; 2],
    /// Change of the complaint rate in points (negative is better); null without customers served.
    pub complaint_rate_change: Option<Change>,
}

fn points_change(delta: f64, lo: f64, hi: f64, p_value: f64, significant: bool) -> Change {
    Change {
        delta,
        ci95: [lo, hi],
        p_value,
        significant,
    }
}

impl From<&ImprovementCheckOutput> for ImprovementCheckBody {
    fn from(c: &ImprovementCheckOutput) -> ImprovementCheckBody {
        ImprovementCheckBody {
            improvement: ImprovementBody::from(&c.improvement),
            before: [c.before.0.to_string(), c.before.1.to_string()],
            after: [c.after.0.to_string(), c.after.1.to_string()],
            nps_before: Figures::from(&c.nps_before),
            nps_after: Figures::from(&c.nps_after),
            nps_change: c
                .check
                .nps
                .map(|n| points_change(n.delta, n.ci95.lo, n.ci95.hi, n.p_value, n.significant)),
            csat_change: c.check.csat.map(|s| {
                let d = s.satisfied;
                points_change(
                    100.0 * d.difference,
                    100.0 * d.ci95.lo,
                    100.0 * d.ci95.hi,
                    d.p_value,
                    s.significant,
                )
            }),
            complaints_before: [c.complaints_before.0, c.complaints_before.1],
            complaints_after: [c.complaints_after.0, c.complaints_after.1],
            complaint_rate_change: c.check.complaint_rate.map(|r| {
                let d = r.change;
                points_change(
                    100.0 * d.difference,
                    100.0 * d.ci95.lo,
                    100.0 * d.ci95.hi,
                    d.p_value,
                    r.significant,
                )
            }),
        }
    }
}

/// The improvement log, latest check date first.
#[utoipa::path(get, path = "/api/v1/improvements", tag = "voice",
    responses(
        (status = 200, description = "The actions", body = Improvements),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers do not read the log", body = ErrorBody)))]
async fn list(State(state): State<AppState>, auth: Auth) -> Result<Json<Improvements>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "reading the improvement log")?;
    let items = state.store.improvements().await?;
    Ok(Json(Improvements {
        items: items.iter().map(ImprovementBody::from).collect(),
    }))
}

/// Logs an action (audited).
#[utoipa::path(post, path = "/api/v1/improvements", tag = "voice",
    request_body = NewImprovementBody,
    responses(
        (status = 201, description = "The action as logged", body = ImprovementBody),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers cannot log actions, or missing CSRF token", body = ErrorBody),
        (status = 422, description = "A field is refused (the field says which)", body = ErrorBody)))]
async fn add(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewImprovementBody>,
) -> Result<(StatusCode, Json<ImprovementBody>), ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "logging an improvement")?;
    let kind = body.target_kind.as_deref().unwrap_or("all");
    let target = TargetKind::from_parts(kind, body.target.as_deref().unwrap_or(""))
        .ok_or_else(|| {
            ApiError::invalid(
                "target",
                "expected target_kind all, or touchpoint/category with a target, or rung with a rung",
            )
        })?;
    let new = NewImprovement {
        title: body.title,
        owner: body.owner,
        hypothesis: body.hypothesis,
        target,
        start: parse_day("start", &body.start)?,
        check: parse_day("check", &body.check)?,
        created_by: auth.user.name.clone(),
    };
    let added = add_improvement(&state.store, &new)
        .await
        .map_err(app_error)?;
    Ok((StatusCode::CREATED, Json(ImprovementBody::from(&added))))
}

/// The action's check: the targeted group's figures from the start to the check date against
/// the same length of time before the start.
#[utoipa::path(get, path = "/api/v1/improvements/{id}/check", tag = "voice",
    params(("id" = i64, Path, description = "The action's id")),
    responses(
        (status = 200, description = "The check", body = ImprovementCheckBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers do not read the log", body = ErrorBody),
        (status = 404, description = "No such action", body = ErrorBody),
        (status = 422, description = "The id is not a number", body = ErrorBody)))]
async fn check(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<ImprovementCheckBody>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "checking an improvement")?;
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| ApiError::invalid("id", format!("'{raw}' is not an action id")))?;
    let checked = check_improvement_by_id(&state.store, id, None)
        .await
        .map_err(app_error)?;
    Ok(Json(ImprovementCheckBody::from(&checked)))
}
