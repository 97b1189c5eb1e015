//! Staff voice over the API (issue 28 item 1): surveys (admins open and close them), one-time
//! codes per department (returned once, never again), an answer given with a code, and the
//! report by department and period (admins and analysts) — employee NPS with its margin,
//! interval and change from the period before, satisfaction per question, and departments with
//! fewer answers than the minimum group not shown. Nothing here or below keeps who answered.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use clientele_app::clock::today;
use clientele_app::staff::{
    DEFAULT_BATCH_SIZE, SATISFACTION_QUESTIONS, StaffReport, StaffReportSettings, TypedAnswer,
    answer, close_survey, issue_codes, open_survey, report, surveys,
};
use clientele_core::nps::{CsatReport, NpsChange, PeriodKind};
use clientele_core::staff::StaffGroup;
use clientele_store::{Role, StaffSurvey};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::parse_day;
use crate::routes::voice::app_error;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_surveys, create_survey))
        .routes(routes!(create_codes))
        .routes(routes!(close))
        .routes(routes!(give_answer))
        .routes(routes!(show_report))
}

const READERS: [Role; 2] = [Role::Admin, Role::Analyst];

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentBody {
    pub department: String,
    /// Codes handed out.
    pub codes: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyBody {
    pub id: i64,
    pub title: String,
    /// YYYY-MM-DD: its month or quarter is the answers' period.
    pub date: String,
    pub batch_size: u32,
    pub created_by: String,
    pub closed: bool,
    pub departments: Vec<DepartmentBody>,
    /// Answers released (those waiting for their batch are not counted).
    pub released: u64,
}

impl From<&StaffSurvey> for SurveyBody {
    fn from(s: &StaffSurvey) -> SurveyBody {
        SurveyBody {
            id: s.id,
            title: s.title.clone(),
            date: s.day.to_string(),
            batch_size: s.batch_size,
            created_by: s.created_by.clone(),
            closed: s.closed_at.is_some(),
            departments: s
                .departments
                .iter()
                .map(|(d, n)| DepartmentBody {
                    department: d.clone(),
                    codes: *n,
                })
                .collect(),
            released: s.released,
        }
    }
}

/// The staff surveys, newest first. Admins and analysts.
#[utoipa::path(get, path = "/api/v1/staff/surveys", tag = "staff",
    responses(
        (status = 200, description = "The surveys", body = Vec<SurveyBody>),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "A manager", body = ErrorBody)))]
async fn list_surveys(
    State(state): State<AppState>,
    auth: Auth,
) -> Result<Json<Vec<SurveyBody>>, ApiError> {
    auth.require(&READERS, "reading staff surveys")?;
    let all = surveys(&state.store).await.map_err(app_error)?;
    Ok(Json(all.iter().map(SurveyBody::from).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSurvey {
    /// 1 to 100 characters.
    pub title: String,
    /// The day it is held (YYYY-MM-DD). Default: today.
    pub date: Option<String>,
    /// Answers are released this many at a time per department, 3 to 100. Default 5.
    pub batch_size: Option<u32>,
}

/// Opens a staff survey. Admins.
#[utoipa::path(post, path = "/api/v1/staff/surveys", tag = "staff", request_body = NewSurvey,
    responses(
        (status = 200, description = "Opened", body = SurveyBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "A field is refused", body = ErrorBody)))]
async fn create_survey(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewSurvey>,
) -> Result<Json<SurveyBody>, ApiError> {
    auth.require(&[Role::Admin], "opening a staff survey")?;
    let day = match &body.date {
        Some(d) => parse_day("date", d)?,
        None => today(),
    };
    let s = open_survey(
        &state.store,
        &body.title,
        day,
        body.batch_size.unwrap_or(DEFAULT_BATCH_SIZE),
        &auth.user.name,
    )
    .await
    .map_err(app_error)?;
    Ok(Json(SurveyBody::from(&s)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCodes {
    /// 1 to 100 characters.
    pub department: String,
    /// 1 to 1,000.
    pub count: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodesBody {
    pub survey: i64,
    pub department: String,
    /// The codes, shown this once: hand them out so nobody records who got which.
    pub codes: Vec<String>,
}

/// Makes one-time codes for a department of an open survey. Admins.
#[utoipa::path(post, path = "/api/v1/staff/surveys/{id}/codes", tag = "staff", request_body = NewCodes,
    params(("id" = i64, Path, description = "The survey")),
    responses(
        (status = 200, description = "The codes, shown once", body = CodesBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 422, description = "A field is refused, or the survey is closed", body = ErrorBody)))]
async fn create_codes(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
    Json(body): Json<NewCodes>,
) -> Result<Json<CodesBody>, ApiError> {
    auth.require(&[Role::Admin], "making staff survey codes")?;
    let codes = issue_codes(&state.store, id, &body.department, body.count)
        .await
        .map_err(app_error)?;
    Ok(Json(CodesBody {
        survey: id,
        department: body.department.trim().to_string(),
        codes,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedBody {
    /// Answers released by closing (the last, possibly smaller, batches).
    pub released: u64,
}

/// Closes a survey: releases the waiting answers and spends the unused codes. Admins.
#[utoipa::path(post, path = "/api/v1/staff/surveys/{id}/close", tag = "staff",
    params(("id" = i64, Path, description = "The survey")),
    responses(
        (status = 200, description = "Closed", body = ClosedBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 422, description = "Already closed", body = ErrorBody)))]
async fn close(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<i64>,
) -> Result<Json<ClosedBody>, ApiError> {
    auth.require(&[Role::Admin], "closing a staff survey")?;
    let released = close_survey(&state.store, id).await.map_err(app_error)?;
    Ok(Json(ClosedBody { released }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaffAnswer {
    /// The one-time code (case, spaces and dashes do not matter).
    pub code: String,
    /// Would you recommend working here? 0 to 10.
    pub nps: u8,
    /// Question key (work, manager, team, pay, growth, tools) → 1 to 5; any may be left out.
    #[serde(default)]
    pub satisfaction: BTreeMap<String, u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnsweredBody {
    /// Always true: the answer is taken and the code spent. It shows in the report once its
    /// department's batch is complete or the survey closes.
    pub taken: bool,
}

/// Gives one answer with a code (a kiosk account; employees use the page `/staff/answer`, which
/// needs no account). The signed-in account is not stored with the answer.
#[utoipa::path(post, path = "/api/v1/staff/answers", tag = "staff", request_body = NewStaffAnswer,
    responses(
        (status = 200, description = "Taken", body = AnsweredBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "Unknown or used code", body = ErrorBody),
        (status = 422, description = "A score is refused", body = ErrorBody)))]
async fn give_answer(
    State(state): State<AppState>,
    _auth: Auth,
    Json(body): Json<NewStaffAnswer>,
) -> Result<Json<AnsweredBody>, ApiError> {
    if body.code.len() > 64 {
        return Err(ApiError::invalid("code", "at most 64 characters"));
    }
    let typed = TypedAnswer {
        nps: Some(body.nps.to_string()),
        satisfaction: body
            .satisfaction
            .iter()
            .map(|(k, v)| (k.clone(), v.to_string()))
            .collect(),
    };
    answer(&state.store, &body.code, &typed)
        .await
        .map_err(app_error)?;
    Ok(Json(AnsweredBody { taken: true }))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct StaffReportQuery {
    /// Surveys held from (YYYY-MM-DD).
    pub from: Option<String>,
    /// Surveys held up to (YYYY-MM-DD).
    pub to: Option<String>,
    /// month or quarter (default).
    pub period: Option<String>,
    /// Departments with fewer answers are not shown: 3 to 1,000, default 5.
    pub min_group: Option<u32>,
    /// Groups with fewer answers show counts but no score: 1 to 100,000, default 10.
    pub min_answers: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeBody {
    /// This period's NPS minus the period before's, in points.
    pub delta: f64,
    pub ci95_low: f64,
    pub ci95_high: f64,
    pub p_value: f64,
    pub significant: bool,
}

impl From<&NpsChange> for ChangeBody {
    fn from(c: &NpsChange) -> ChangeBody {
        ChangeBody {
            delta: c.delta,
            ci95_low: c.ci95.lo,
            ci95_high: c.ci95.hi,
            p_value: c.p_value,
            significant: c.significant,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SatisfactionBody {
    pub question: String,
    pub answers: u64,
    /// Mean 1..5; null without answers.
    pub mean: Option<f64>,
    /// Share answering 4 or 5, 0..1.
    pub satisfied_share: Option<f64>,
}

fn satisfaction(q: usize, r: &CsatReport) -> SatisfactionBody {
    SatisfactionBody {
        question: SATISFACTION_QUESTIONS[q].into(),
        answers: r.counts.n(),
        mean: r.mean,
        satisfied_share: r.satisfied_share,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupBody {
    /// Null for the whole company.
    pub department: Option<String>,
    pub answers: u64,
    pub promoters: u64,
    pub passives: u64,
    pub detractors: u64,
    /// Employee NPS in points; null below min_answers.
    pub nps: Option<f64>,
    pub margin_of_error: Option<f64>,
    pub ci95_low: Option<f64>,
    pub ci95_high: Option<f64>,
    /// From the period before, when both are shown with a score.
    pub change: Option<ChangeBody>,
    pub satisfaction: Vec<SatisfactionBody>,
}

fn group(department: Option<&str>, g: &StaffGroup) -> GroupBody {
    let c = g.report.counts;
    let e = g.report.estimate;
    GroupBody {
        department: department.map(str::to_string),
        answers: c.n(),
        promoters: c.promoters,
        passives: c.passives,
        detractors: c.detractors,
        nps: e.map(|e| e.nps),
        margin_of_error: e.map(|e| e.margin_of_error),
        ci95_low: e.map(|e| e.ci95.lo),
        ci95_high: e.map(|e| e.ci95.hi),
        change: g.change.as_ref().map(ChangeBody::from),
        satisfaction: g
            .satisfaction
            .iter()
            .enumerate()
            .map(|(q, r)| satisfaction(q, r))
            .collect(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodBody {
    /// 2026-Q1 or 2026-03.
    pub period: String,
    pub departments: Vec<GroupBody>,
    /// Departments with answers not shown (too few, or hidden so the total cannot give the
    /// small ones away).
    pub hidden_departments: u32,
    /// Null when even the whole company has fewer answers than min_group.
    pub total: Option<GroupBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffReportBody {
    pub period: String,
    pub min_group: u32,
    pub min_answers: u64,
    /// Released answers counted.
    pub answers: u64,
    pub periods: Vec<PeriodBody>,
}

pub fn report_body(r: &StaffReport) -> StaffReportBody {
    StaffReportBody {
        period: r.settings.period.as_str().into(),
        min_group: r.settings.min_group,
        min_answers: r.settings.min_answers,
        answers: r.answers,
        periods: r
            .periods
            .iter()
            .map(|p| PeriodBody {
                period: p.period.to_string(),
                departments: p
                    .departments
                    .iter()
                    .map(|(d, g)| group(Some(d), g))
                    .collect(),
                hidden_departments: p.hidden_departments,
                total: p.total.as_ref().map(|g| group(None, g)),
            })
            .collect(),
    }
}

/// The settings of a report from its query (the page uses the same).
pub fn report_settings(q: &StaffReportQuery) -> Result<StaffReportSettings, ApiError> {
    let mut s = StaffReportSettings::default();
    if let Some(f) = &q.from {
        s.from = Some(parse_day("from", f)?);
    }
    if let Some(t) = &q.to {
        s.to = Some(parse_day("to", t)?);
    }
    s.period = match q.period.as_deref() {
        None | Some("quarter") => PeriodKind::Quarter,
        Some("month") => PeriodKind::Month,
        Some(other) => {
            return Err(ApiError::invalid(
                "period",
                format!(
                    "'{}': expected month or quarter",
                    other.chars().take(20).collect::<String>()
                ),
            ));
        }
    };
    if let Some(m) = q.min_group {
        s.min_group = m;
    }
    if let Some(m) = q.min_answers {
        s.min_answers = m;
    }
    s.validate()
        .map_err(|e| ApiError::invalid(e.field, e.message))?;
    Ok(s)
}

/// The report by department and period. Admins and analysts.
#[utoipa::path(get, path = "/api/v1/staff/report", tag = "staff", params(StaffReportQuery),
    responses(
        (status = 200, description = "The report", body = StaffReportBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "A manager", body = ErrorBody),
        (status = 422, description = "A parameter is refused", body = ErrorBody)))]
async fn show_report(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<StaffReportQuery>,
) -> Result<Json<StaffReportBody>, ApiError> {
    auth.require(&READERS, "reading the staff report")?;
    let settings = report_settings(&q)?;
    let r = report(&state.store, &settings).await.map_err(app_error)?;
    Ok(Json(report_body(&r)))
}
