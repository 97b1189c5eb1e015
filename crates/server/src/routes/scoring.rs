//! Scoring runs: an admin starts scoring the store (the settings of `clientele score`: as-of day,
//! ladder rules, model, horizon, discount rate); the run goes on in the background, one at a
//! time, and its state, step, counts and outcome can be asked for while it runs and after.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use clientele_app::ForecastSettings;
use clientele_app::rules::parse_rules;
use clientele_app::score::ScoreSettings;
use clientele_app::score_runs::{RunStatus, StartError};
use clientele_models::TransactionKind;
use clientele_store::Role;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::routes::parse_day;

/// The longest rules text accepted, in bytes (the documented defaults are under 3 KiB).
pub const MAX_RULES_BYTES: usize = 64 << 10;

/// What to score; every field is optional.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScoringRun {
    /// The day to score (YYYY-MM-DD), at most today. Default: today.
    pub as_of: Option<String>,
    /// Ladder rules: the text of a rules file (TOML; `clientele rules` prints the documented
    /// defaults), at most 64 KiB. Default: the default rules.
    pub rules: Option<String>,
    /// The customer-base model behind P(alive), expected purchases and CLV: `mbgnbd` (the
    /// default), `bgnbd`, `pnbd` or `none`.
    pub model: Option<String>,
    /// Forecast horizon in days, 0 to 36,525 (a century). Default: 365.
    pub horizon_days: Option<u32>,
    /// Annual discount rate for CLV, above -1. Default: 0.1.
    pub discount_rate: Option<f64>,
}

/// A scoring run as it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoringRun {
    pub id: u64,
    /// `queued`, `running`, `done` or `failed`.
    pub state: String,
    /// The user who started it.
    pub started_by: String,
    /// The step under way, or the last one begun: `summarising`, `fitting`, `placing`,
    /// `writing`.
    pub step: Option<String>,
    /// The day scored (YYYY-MM-DD), once known.
    pub as_of: Option<String>,
    /// Customers summarised.
    pub customers: Option<u64>,
    /// Customers in the snapshot written (when done).
    pub written: Option<u64>,
    /// What to know about the model: refused, or not converged.
    pub model_note: Option<String>,
    /// Why the run failed.
    pub error: Option<String>,
}

impl From<RunStatus> for ScoringRun {
    fn from(s: RunStatus) -> ScoringRun {
        ScoringRun {
            id: s.id,
            state: s.state.code().to_string(),
            started_by: s.started_by,
            step: s.step.map(|step| step.code().to_string()),
            as_of: s.as_of.map(|d| d.to_string()),
            customers: s.customers,
            written: s.written,
            model_note: s.model_note,
            error: s.error,
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start_run))
        .routes(routes!(get_run))
}

/// The settings a request asks for, each bad field named.
fn settings(run: NewScoringRun) -> Result<ScoreSettings, ApiError> {
    let as_of = run
        .as_of
        .as_deref()
        .map(|text| parse_day("as_of", text))
        .transpose()?;
    let rules = match &run.rules {
        None => Default::default(),
        Some(text) if text.len() > MAX_RULES_BYTES => {
            return Err(ApiError::invalid(
                "rules",
                format!("the rules are longer than {MAX_RULES_BYTES} bytes"),
            ));
        }
        Some(text) => {
            parse_rules(text).map_err(|e| ApiError::invalid("rules", format!("{e:#}")))?
        }
    };
    let kind = match run.model.as_deref() {
        None => Some(TransactionKind::MbgNbd),
        Some("none") => None,
        Some(code) => Some(TransactionKind::from_code(code).ok_or_else(|| {
            ApiError::invalid(
                "model",
                format!("'{code}' is not a model: expected mbgnbd, bgnbd, pnbd or none"),
            )
        })?),
    };
    let defaults = ForecastSettings::default();
    Ok(ScoreSettings {
        as_of,
        rules,
        forecast: ForecastSettings {
            kind,
            horizon_days: run.horizon_days.map_or(defaults.horizon_days, f64::from),
            annual_discount_rate: run.discount_rate.unwrap_or(defaults.annual_discount_rate),
        },
    })
}

/// The API's name of a setting the scoring refused.
fn field_name(setting: &str) -> &str {
    match setting {
        "horizon" => "horizon_days",
        other => other,
    }
}

/// Starts scoring every customer of the store into a dated snapshot, in the background; the
/// answer is the run, to be followed at `/api/v1/scoring-runs/{id}`. One run at a time. Admins.
#[utoipa::path(post, path = "/api/v1/scoring-runs", tag = "scoring",
    request_body = NewScoringRun,
    responses(
        (status = 202, description = "The run, started", body = ScoringRun),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Only admins start scoring runs, or missing CSRF token", body = ErrorBody),
        (status = 409, description = "A scoring run is under way", body = ErrorBody),
        (status = 422, description = "A setting is refused (the field says which)", body = ErrorBody)))]
async fn start_run(
    State(state): State<AppState>,
    auth: Auth,
    Json(run): Json<NewScoringRun>,
) -> Result<(StatusCode, Json<ScoringRun>), ApiError> {
    auth.require(&[Role::Admin], "starting a scoring run")?;
    let settings = settings(run)?;
    let description = format!(
        "as of {}, model {}, horizon {} days, discount rate {}",
        settings
            .as_of
            .map_or_else(|| "today".to_string(), |d| d.to_string()),
        settings.forecast.kind.map_or("none", TransactionKind::code),
        settings.forecast.horizon_days,
        settings.forecast.annual_discount_rate,
    );
    let status = state
        .scoring
        .start(state.store.clone(), settings, &auth.user.name)
        .map_err(|e| match e {
            StartError::Invalid(invalid) => {
                ApiError::invalid(field_name(invalid.field), invalid.message)
            }
            busy @ StartError::Busy { .. } => ApiError::Conflict(busy.to_string()),
        })?;
    state
        .store
        .audit(
            &auth.user.name,
            "scoring run started",
            None,
            &format!("run {}: {description}", status.id),
        )
        .await?;
    Ok((StatusCode::ACCEPTED, Json(status.into())))
}

/// A scoring run: its state (`queued`, `running`, `done`, `failed`), the step under way, the
/// customers summarised and written, the day scored, or the error. The last 20 runs since the
/// server started are kept. Admins and analysts.
#[utoipa::path(get, path = "/api/v1/scoring-runs/{id}", tag = "scoring",
    params(("id" = u64, Path, description = "Run id")),
    responses(
        (status = 200, description = "The run", body = ScoringRun),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers cannot follow scoring runs", body = ErrorBody),
        (status = 404, description = "No such run (or forgotten)", body = ErrorBody),
        (status = 422, description = "The id is not a run id", body = ErrorBody)))]
async fn get_run(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<ScoringRun>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "following scoring runs")?;
    let id = raw
        .parse::<u64>()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| ApiError::invalid("id", format!("'{raw}' is not a run id")))?;
    let status = state.scoring.get(id).ok_or_else(|| ApiError::NotFound {
        what: "scoring run".into(),
        key: id.to_string(),
    })?;
    Ok(Json(status.into()))
}
