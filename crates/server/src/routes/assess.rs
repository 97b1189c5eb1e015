//! The express self-assessment over the API: the checklists (shipped and the company's own),
//! answering one (the signed-in user is the respondent), and the report with each area's
//! score, the spread between respondents, recommendations for every "no", the evidence and
//! the history by month.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use clientele_app::assess::{
    AssessReport, Checklist, add_checklist, answer, checklists, gather_evidence, report,
};
use clientele_app::clock::today;
use clientele_store::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::app_error;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::parse_day;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(record))
        .routes(routes!(show_report))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LangQuery {
    /// `en` (default) or `ru`.
    pub lang: Option<String>,
}

fn lang(q: &LangQuery) -> Result<&'static str, ApiError> {
    match q.lang.as_deref() {
        None | Some("en") => Ok("en"),
        Some("ru") => Ok("ru"),
        Some(other) => Err(ApiError::invalid(
            "lang",
            format!("'{other}': expected en or ru"),
        )),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionBody {
    pub key: String,
    pub text: String,
    /// nps, response_time, winback_rate or consent_coverage.
    pub evidence: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaBody {
    pub key: String,
    pub title: String,
    pub questions: Vec<QuestionBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChecklistBody {
    pub key: String,
    pub title: String,
    pub areas: Vec<AreaBody>,
}

fn checklist_body(c: &Checklist, lang: &str) -> ChecklistBody {
    ChecklistBody {
        key: c.key.clone(),
        title: c.title.get(lang).into(),
        areas: c
            .areas
            .iter()
            .map(|a| AreaBody {
                key: a.key.clone(),
                title: a.title.get(lang).into(),
                questions: a
                    .questions
                    .iter()
                    .map(|q| QuestionBody {
                        key: q.key.clone(),
                        text: q.text.get(lang).into(),
                        evidence: q.evidence.map(|e| e.as_str().into()),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The checklists: the shipped ones and the company's own.
#[utoipa::path(get, path = "/api/v1/assess/checklists", tag = "assess", params(LangQuery),
    responses(
        (status = 200, description = "The checklists", body = Vec<ChecklistBody>),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A parameter is refused", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    _auth: Auth,
    Query(q): Query<LangQuery>,
) -> Result<Json<Vec<ChecklistBody>>, ApiError> {
    let lang = lang(&q)?;
    let all = checklists(&state.store).await.map_err(app_error)?;
    Ok(Json(all.iter().map(|c| checklist_body(c, lang)).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChecklist {
    /// The checklist in the shipped TOML format, at most 256 KB.
    pub toml: String,
}

/// Adds (or replaces) a company's own checklist. Admins.
#[utoipa::path(post, path = "/api/v1/assess/checklists", tag = "assess", request_body = NewChecklist,
    responses(
        (status = 200, description = "Saved", body = ChecklistBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "The checklist is refused (the field says where)", body = ErrorBody)))]
async fn add(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewChecklist>,
) -> Result<Json<ChecklistBody>, ApiError> {
    auth.require(&[Role::Admin], "adding a checklist")?;
    if body.toml.len() > clientele_store::MAX_CHECKLIST_BYTES {
        return Err(ApiError::invalid("toml", "at most 256 KB"));
    }
    let c = add_checklist(&state.store, &body.toml, &auth.user.name)
        .await
        .map_err(app_error)?;
    Ok(Json(checklist_body(&c, "en")))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnswers {
    /// The day answered for (YYYY-MM-DD), not in the future. Default: today.
    pub date: Option<String>,
    /// Question key → true (yes) or false (no).
    pub answers: BTreeMap<String, bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Recorded {
    pub checklist: String,
    pub respondent: String,
    pub date: String,
    pub answers: usize,
}

/// Records the signed-in user's answers (replacing their answers of the same day).
#[utoipa::path(post, path = "/api/v1/assess/{key}/answers", tag = "assess", request_body = NewAnswers,
    params(("key" = String, Path, description = "The checklist's key")),
    responses(
        (status = 200, description = "Recorded", body = Recorded),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "An answer is refused (the field says which)", body = ErrorBody)))]
async fn record(
    State(state): State<AppState>,
    auth: Auth,
    Path(key): Path<String>,
    Json(body): Json<NewAnswers>,
) -> Result<Json<Recorded>, ApiError> {
    let today = today();
    let day = match &body.date {
        Some(d) => parse_day("date", d)?,
        None => today,
    };
    if day > today {
        return Err(ApiError::invalid("date", "is in the future"));
    }
    let answers: Vec<(String, bool)> = body.answers.into_iter().collect();
    answer(&state.store, &key, &auth.user.name, day, &answers)
        .await
        .map_err(app_error)?;
    Ok(Json(Recorded {
        checklist: key,
        respondent: auth.user.name.clone(),
        date: day.to_string(),
        answers: answers.len(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionReportBody {
    pub key: String,
    pub text: String,
    pub yes: u32,
    pub no: u32,
    /// Some said yes and some no: a finding in itself.
    pub disputed: bool,
    pub yes_by: Vec<String>,
    pub no_by: Vec<String>,
    /// For every question someone answered "no".
    pub recommendation: Option<String>,
    pub evidence: Option<String>,
    /// The product's figure for the evidence; null where it measures nothing yet.
    pub evidence_value: Option<f64>,
    /// points, hours or share.
    pub evidence_unit: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaReportBody {
    pub key: String,
    pub title: String,
    pub respondents: u32,
    /// Shares of "yes", 0..1.
    pub score: Option<f64>,
    pub lowest: Option<f64>,
    pub highest: Option<f64>,
    pub spread: Option<f64>,
    pub questions: Vec<QuestionReportBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryBody {
    /// YYYY-MM.
    pub month: String,
    /// Each area's score, in the areas' order.
    pub scores: Vec<Option<f64>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportBody {
    pub checklist: String,
    pub title: String,
    pub respondents: Vec<String>,
    pub areas: Vec<AreaReportBody>,
    pub history: Vec<HistoryBody>,
}

pub fn report_body(r: &AssessReport, lang: &str) -> ReportBody {
    ReportBody {
        checklist: r.checklist.key.clone(),
        title: r.checklist.title.get(lang).into(),
        respondents: r.respondents.iter().map(|(n, _)| n.clone()).collect(),
        areas: r
            .areas
            .iter()
            .map(|a| AreaReportBody {
                key: a.key.clone(),
                title: a.title.get(lang).into(),
                respondents: a.respondents,
                score: a.score,
                lowest: a.lowest,
                highest: a.highest,
                spread: a.spread,
                questions: a
                    .questions
                    .iter()
                    .map(|q| {
                        let figure = q.evidence.and_then(|e| r.evidence.figure(e));
                        QuestionReportBody {
                            key: q.key.clone(),
                            text: q.text.get(lang).into(),
                            yes: q.tally.yes,
                            no: q.tally.no,
                            disputed: q.tally.disputed(),
                            yes_by: q.yes_by.clone(),
                            no_by: q.no_by.clone(),
                            recommendation: q.recommendation.as_ref().map(|t| t.get(lang).into()),
                            evidence: q.evidence.map(|e| e.as_str().into()),
                            evidence_value: figure.map(|f| f.0),
                            evidence_unit: figure.map(|f| f.1.into()),
                        }
                    })
                    .collect(),
            })
            .collect(),
        history: r
            .history
            .iter()
            .map(|(m, s)| HistoryBody {
                month: m.clone(),
                scores: s.clone(),
            })
            .collect(),
    }
}

/// The report of one checklist.
#[utoipa::path(get, path = "/api/v1/assess/{key}/report", tag = "assess", params(("key" = String, Path, description = "The checklist's key"), LangQuery),
    responses(
        (status = 200, description = "The report", body = ReportBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "No such checklist, or a parameter is refused", body = ErrorBody)))]
async fn show_report(
    State(state): State<AppState>,
    _auth: Auth,
    Path(key): Path<String>,
    Query(q): Query<LangQuery>,
) -> Result<Json<ReportBody>, ApiError> {
    let lang = lang(&q)?;
    let evidence = gather_evidence(&state.store).await.map_err(app_error)?;
    let r = report(&state.store, &key, evidence)
        .await
        .map_err(app_error)?;
    Ok(Json(report_body(&r, lang)))
}
