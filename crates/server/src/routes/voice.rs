//! The voice of the customer over the API: the NPS report (overall, trend, splits; a manager's
//! only over their customers) and survey answers in batches, idempotent by answer id.

use axum::extract::State;
use clientele_app::clock::today;
use clientele_app::voice::{
    AnswerInput, MAX_ANSWER_BATCH, NpsFigures, NpsReportOutput, NpsReportSettings, PeriodChange,
    nps_report, nps_scale, store_answer_batch,
};
use clientele_core::nps::PeriodKind;
use clientele_store::Role;
use clientele_store::voice::{AnswerGroupBy, SurveyKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::parse_day;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(crate::routes::nps_behaviour::behaviour))
        .routes(routes!(add_answers))
}

pub use crate::error::app_error;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// First day counted (YYYY-MM-DD). Default: the first answer.
    pub from: Option<String>,
    /// Last day counted (YYYY-MM-DD). Default: the last answer.
    pub to: Option<String>,
    /// Split: rung, subgroup, manager, channel, touchpoint, segment or status.
    pub by: Option<String>,
    /// Trend: month or quarter.
    pub period: Option<String>,
    /// Only answers about this touchpoint.
    pub touchpoint: Option<String>,
    /// The minimum sample of a score, 1 to 100,000. Default: the stored setting (30).
    pub min_answers: Option<u64>,
}

/// The figures of one sample. Shares are in 0..1, NPS and its uncertainty in points.
#[derive(Debug, Serialize, ToSchema)]
pub struct Figures {
    /// Respondents counted (the latest answer of each).
    pub n: u64,
    pub promoters: Option<f64>,
    pub passives: Option<f64>,
    pub detractors: Option<f64>,
    /// Null below the minimum sample: "not enough answers".
    pub nps: Option<f64>,
    pub std_error: Option<f64>,
    pub margin_of_error: Option<f64>,
    /// [lo, hi], clamped to -100..100.
    pub ci95: Option<[f64; 2]>,
    /// favourite (above 50), known_must_improve (10 to 50) or not_valued (below 10).
    pub band: Option<String>,
    pub enough: bool,
}

impl From<&NpsFigures> for Figures {
    fn from(f: &NpsFigures) -> Figures {
        Figures {
            n: f.n,
            promoters: f.promoters,
            passives: f.passives,
            detractors: f.detractors,
            nps: f.nps,
            std_error: f.std_error,
            margin_of_error: f.margin_of_error,
            ci95: f.ci95.map(|(lo, hi)| [lo, hi]),
            band: f.band.map(str::to_string),
            enough: f.enough,
        }
    }
}

/// A change in points with its 95% interval and two-sided p-value (α = 0.05).
#[derive(Debug, Serialize, ToSchema)]
pub struct Change {
    pub delta: f64,
    pub ci95: [f64; 2],
    pub p_value: f64,
    pub significant: bool,
}

impl From<&PeriodChange> for Change {
    fn from(c: &PeriodChange) -> Change {
        Change {
            delta: c.delta,
            ci95: [c.ci95.0, c.ci95.1],
            p_value: c.p_value,
            significant: c.significant,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodFiguresBody {
    /// `2026-03` or `2026-Q1`.
    pub period: String,
    #[serde(flatten)]
    pub figures: Figures,
    /// From the period before; null for the first or with too few answers on either side.
    pub change: Option<Change>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupFiguresBody {
    /// Null: answers with no group (no manager, no channel, not scored...).
    pub group: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
    /// This group against all the other answers.
    pub vs_rest: Option<Change>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NpsReportBody {
    #[serde(flatten)]
    pub figures: Figures,
    pub from: Option<String>,
    pub to: Option<String>,
    pub min_answers: u64,
    pub answers_read: u64,
    /// Answers given on the 1-10 scale (classified with the same cut points, never rescaled).
    pub answers_one_to_ten: u64,
    pub periods: Vec<PeriodFiguresBody>,
    pub groups: Vec<GroupFiguresBody>,
    /// CSAT (1-5) of the same range, scope and touchpoint.
    pub csat: CsatBody,
}

/// CSAT beside the NPS: one answer per respondent (the latest).
#[derive(Debug, Serialize, ToSchema)]
pub struct CsatBody {
    pub n: u64,
    /// Mean score, 1..5; null without answers.
    pub mean: Option<f64>,
    /// Student t 95% interval of the mean; null below the minimum sample.
    pub mean_ci95: Option<[f64; 2]>,
    /// Share of 4 and 5, 0..1.
    pub satisfied: Option<f64>,
    /// Wilson 95% interval of the satisfied share; null below the minimum sample.
    pub satisfied_ci95: Option<[f64; 2]>,
    pub enough: bool,
}

impl From<&clientele_app::voice::CsatFigures> for CsatBody {
    fn from(c: &clientele_app::voice::CsatFigures) -> CsatBody {
        CsatBody {
            n: c.n,
            mean: c.mean,
            mean_ci95: c.mean_ci95.map(|(lo, hi)| [lo, hi]),
            satisfied: c.satisfied,
            satisfied_ci95: c.satisfied_ci95.map(|(lo, hi)| [lo, hi]),
            enough: c.enough,
        }
    }
}

impl From<&NpsReportOutput> for NpsReportBody {
    fn from(r: &NpsReportOutput) -> NpsReportBody {
        NpsReportBody {
            figures: Figures::from(&r.overall),
            from: r.from.map(|d| d.to_string()),
            to: r.to.map(|d| d.to_string()),
            min_answers: r.min_answers,
            answers_read: r.answers_read,
            answers_one_to_ten: r.answers_one_to_ten,
            periods: r
                .periods
                .iter()
                .map(|p| PeriodFiguresBody {
                    period: p.period.clone(),
                    figures: Figures::from(&p.figures),
                    change: p.change.as_ref().map(Change::from),
                })
                .collect(),
            groups: r
                .groups
                .iter()
                .map(|g| GroupFiguresBody {
                    group: g.group.clone(),
                    figures: Figures::from(&g.figures),
                    vs_rest: g.vs_rest.as_ref().map(Change::from),
                })
                .collect(),
            csat: CsatBody::from(&r.csat),
        }
    }
}

/// The report's settings from the query (shared with the dashboard's NPS page).
pub fn report_settings(
    q: &ReportQuery,
    auth_scope: clientele_store::Scope,
) -> Result<NpsReportSettings, ApiError> {
    let day = |field: &str, text: &Option<String>| {
        text.as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| parse_day(field, t))
            .transpose()
    };
    let by = match q.by.as_deref().filter(|t| !t.is_empty()) {
        None => AnswerGroupBy::None,
        Some(text) => AnswerGroupBy::parse(text)
            .filter(|g| *g != AnswerGroupBy::None)
            .ok_or_else(|| {
                ApiError::invalid(
                    "by",
                    format!(
                        "'{text}': expected rung, subgroup, manager, channel, touchpoint, segment or status"
                    ),
                )
            })?,
    };
    let period = match q.period.as_deref().filter(|t| !t.is_empty()) {
        None => None,
        Some("month") => Some(PeriodKind::Month),
        Some("quarter") => Some(PeriodKind::Quarter),
        Some(other) => {
            return Err(ApiError::invalid(
                "period",
                format!("'{other}': expected month or quarter"),
            ));
        }
    };
    if let Some(t) = &q.touchpoint
        && t.chars().count() > clientele_app::voice::MAX_TAG_CHARS
    {
        return Err(ApiError::invalid("touchpoint", "too long"));
    }
    Ok(NpsReportSettings {
        from: day("from", &q.from)?,
        to: day("to", &q.to)?,
        by,
        period,
        scope: auth_scope,
        touchpoint: q.touchpoint.clone().filter(|t| !t.trim().is_empty()),
        min_answers: q.min_answers,
    })
}

/// NPS with its standard error, margin of error, 95% interval and band (or "not enough
/// answers"), the trend by month or quarter with each change's test, and a split with each
/// group against the rest. Only the latest answer of each respondent counts (per period in the
/// trend). A manager's report covers their customers.
#[utoipa::path(get, path = "/api/v1/nps/report", tag = "voice", params(ReportQuery),
    responses(
        (status = 200, description = "The report", body = NpsReportBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A parameter is refused (the field says which)", body = ErrorBody)))]
async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ReportQuery>,
) -> Result<Json<NpsReportBody>, ApiError> {
    let settings = report_settings(&q, auth.scope())?;
    let output = nps_report(&state.store, &settings)
        .await
        .map_err(app_error)?;
    Ok(Json(NpsReportBody::from(&output)))
}

/// One answer of a batch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAnswerBody {
    /// The customer's id in the company's systems (as in the order exports).
    pub customer_id: String,
    /// The sender's id: the same id sent again changes nothing; with a different answer it is
    /// refused. At most 300 characters.
    pub answer_id: Option<String>,
    /// `nps` (default) or `csat`.
    pub kind: Option<String>,
    /// NPS: `0-10` (default) or `1-10`. CSAT is always 1-5.
    pub scale: Option<String>,
    pub score: i64,
    /// At most 4,000 characters.
    pub comment: Option<String>,
    pub channel: Option<String>,
    pub touchpoint: Option<String>,
    /// The day it was given (YYYY-MM-DD), not in the future.
    pub date: String,
    /// When it was given (Unix seconds, within `date`); default the day's start.
    pub answered_at: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBatch {
    /// 1 to 10,000 answers, stored all or none.
    pub answers: Vec<NewAnswerBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerBatchOutcome {
    /// Answers stored now.
    pub stored: u64,
    /// Answers already stored under the same id with the same answer.
    pub unchanged: u64,
    /// Follow-up tasks opened by detractor and passive answers.
    pub tasks_opened: u64,
}

fn answer_input(i: usize, a: NewAnswerBody) -> Result<AnswerInput, ApiError> {
    let field = |name: &str| format!("answers[{i}].{name}");
    let kind = match (a.kind.as_deref().unwrap_or("nps"), a.scale.as_deref()) {
        ("nps", scale) => SurveyKind::Nps(
            nps_scale(scale.unwrap_or("0-10"))
                .ok_or_else(|| ApiError::invalid(field("scale"), "expected 0-10 or 1-10"))?,
        ),
        ("csat", None | Some("1-5")) => SurveyKind::Csat,
        ("csat", Some(_)) => return Err(ApiError::invalid(field("scale"), "CSAT is on 1-5")),
        (other, _) => {
            return Err(ApiError::invalid(
                field("kind"),
                format!("'{other}': expected nps or csat"),
            ));
        }
    };
    let score = u32::try_from(a.score).map_err(|_| {
        ApiError::invalid(field("score"), format!("{} is not on the scale", a.score))
    })?;
    Ok(AnswerInput {
        customer: a.customer_id,
        answer_id: a.answer_id,
        kind,
        score,
        comment: a.comment,
        channel: a.channel,
        touchpoint: a.touchpoint,
        day: parse_day(&field("date"), &a.date)?,
        answered_at: a.answered_at,
    })
}

/// Stores a batch of survey answers: all of them, or — when any is refused — none (the error
/// names the first bad field, `answers[3].score`, and its message lists up to 20). Idempotent
/// by `answer_id`. Detractor and passive answers open follow-up tasks.
#[utoipa::path(post, path = "/api/v1/survey-answers", tag = "voice",
    request_body = AnswerBatch,
    responses(
        (status = 200, description = "Stored (or already stored)", body = AnswerBatchOutcome),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers cannot send answers, or missing CSRF token", body = ErrorBody),
        (status = 422, description = "An answer is refused: nothing was stored", body = ErrorBody)))]
async fn add_answers(
    State(state): State<AppState>,
    auth: Auth,
    Json(batch): Json<AnswerBatch>,
) -> Result<Json<AnswerBatchOutcome>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "sending survey answers")?;
    if batch.answers.is_empty() || batch.answers.len() > MAX_ANSWER_BATCH {
        return Err(ApiError::invalid(
            "answers",
            format!("expected 1 to {MAX_ANSWER_BATCH} answers"),
        ));
    }
    let inputs = batch
        .answers
        .into_iter()
        .enumerate()
        .map(|(i, a)| answer_input(i, a))
        .collect::<Result<Vec<_>, _>>()?;
    let outcome = store_answer_batch(&state.store, inputs, today())
        .await
        .map_err(app_error)?;
    if let Some(first) = outcome.rejects.first() {
        let listed: Vec<String> = outcome
            .rejects
            .iter()
            .take(20)
            .map(|r| format!("answers[{}].{}: {}", r.position - 1, r.field, r.reason))
            .collect();
        return Err(ApiError::invalid(
            format!("answers[{}].{}", first.position - 1, first.field),
            format!(
                "{} answer(s) refused, nothing stored: {}",
                outcome.rejects.len(),
                listed.join("; ")
            ),
        ));
    }
    state
        .store
        .audit(
            &auth.user.name,
            "survey answers received",
            None,
            &format!(
                "{} stored, {} unchanged, {} follow-up tasks opened",
                outcome.stored, outcome.unchanged, outcome.tasks_opened
            ),
        )
        .await?;
    Ok(Json(AnswerBatchOutcome {
        stored: outcome.stored,
        unchanged: outcome.unchanged,
        tasks_opened: outcome.tasks_opened,
    }))
}
