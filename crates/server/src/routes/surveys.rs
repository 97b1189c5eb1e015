//! Surveys and their invitations over the API (admins and analysts): surveys listed and created,
//! and a round of invitations through the contact policy whose links are answered once (the
//! secret is in the answer only: the store keeps its hash).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use clientele_app::contacts::{parse_minutes, time_of_minutes};
use clientele_app::voice::{InviteSettings, invite, nps_scale};
use clientele_core::Rung;
use clientele_store::Role;
use clientele_store::voice::{NewSurvey, Survey, SurveyKind, SurveyStats};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::app_error;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::routes::parse_day;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(invite_round))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyBody {
    pub name: String,
    /// nps or csat.
    pub kind: String,
    /// 0-10, 1-10 or 1-5.
    pub scale: String,
    pub touchpoint: Option<String>,
    /// How many days each link stays open.
    pub link_days: u32,
    /// No answer is taken or changed after this instant (Unix seconds); null: open.
    pub closes_at: Option<i64>,
    pub created_at: i64,
    pub created_by: String,
    /// Invitations made and answers received (listing only).
    pub invited: Option<u64>,
    pub answered: Option<u64>,
}

impl From<&Survey> for SurveyBody {
    fn from(s: &Survey) -> SurveyBody {
        SurveyBody {
            name: s.name.clone(),
            kind: s.kind.kind_str().into(),
            scale: s.kind.scale_str().into(),
            touchpoint: s.touchpoint.clone(),
            link_days: s.link_days,
            closes_at: s.closes_at,
            created_at: s.created_at,
            created_by: s.created_by.clone(),
            invited: None,
            answered: None,
        }
    }
}

impl From<&SurveyStats> for SurveyBody {
    fn from(s: &SurveyStats) -> SurveyBody {
        SurveyBody {
            invited: Some(s.invited),
            answered: Some(s.answered),
            ..SurveyBody::from(&s.survey)
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Surveys {
    /// Newest first.
    pub items: Vec<SurveyBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSurveyBody {
    /// Unique, at most 100 characters.
    pub name: String,
    /// nps (default) or csat.
    pub kind: Option<String>,
    /// NPS scale: 0-10 (default) or 1-10.
    pub scale: Option<String>,
    pub touchpoint: Option<String>,
    /// 1 to 365 (default 30).
    pub link_days: Option<u32>,
    /// The last day answers are taken (YYYY-MM-DD, UTC, inclusive); absent: open until closed.
    pub closes: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// Only customers on these rungs of the latest snapshot (empty or absent: all).
    pub rungs: Option<Vec<String>>,
    /// At most this many invitations (1 to 1,000,000).
    pub limit: Option<u32>,
    /// Where the answer page is served: each link is `{base_url}/s/{secret}`.
    pub base_url: String,
    /// The day the invitations should arrive on (YYYY-MM-DD). Default: today (UTC).
    pub day: Option<String>,
    /// Local time of arrival, HH:MM (default 10:00).
    pub at: Option<String>,
    /// Time zone of customers without their own (default Europe/Moscow).
    pub time_zone: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationBody {
    pub customer_id: String,
    /// The public link (shown once).
    pub link: String,
    pub channel: String,
    /// When the contact policy lets it go out (Unix seconds).
    pub send_at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RefusedBody {
    pub customer_id: String,
    /// The contact policy's reason code (no_consented_channel, weekly_cap_reached...).
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InviteResult {
    pub survey: String,
    pub invited: Vec<InvitationBody>,
    pub refused: Vec<RefusedBody>,
    /// Skipped: invited meanwhile by another round.
    pub raced: usize,
    /// At most one invitation per this many days, whatever the survey (0: no limit).
    pub period_days: u32,
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The surveys with their invitations and answers counted, newest first.
#[utoipa::path(get, path = "/api/v1/surveys", tag = "voice",
    responses(
        (status = 200, description = "The surveys", body = Surveys),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers do not manage surveys", body = ErrorBody)))]
async fn list(State(state): State<AppState>, auth: Auth) -> Result<Json<Surveys>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "reading the surveys")?;
    let all = state.store.surveys().await?;
    Ok(Json(Surveys {
        items: all.iter().map(SurveyBody::from).collect(),
    }))
}

/// Creates a survey (audited).
#[utoipa::path(post, path = "/api/v1/surveys", tag = "voice",
    request_body = NewSurveyBody,
    responses(
        (status = 201, description = "The survey", body = SurveyBody),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers cannot create surveys, or missing CSRF token", body = ErrorBody),
        (status = 409, description = "The name is taken", body = ErrorBody),
        (status = 422, description = "A field is refused (the field says which)", body = ErrorBody)))]
async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewSurveyBody>,
) -> Result<(StatusCode, Json<SurveyBody>), ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "creating a survey")?;
    let kind = match body.kind.as_deref().unwrap_or("nps") {
        "csat" => {
            if body.scale.as_deref().is_some_and(|s| s != "1-5") {
                return Err(ApiError::invalid("scale", "a CSAT survey asks on 1-5"));
            }
            SurveyKind::Csat
        }
        "nps" => {
            let scale = body.scale.as_deref().unwrap_or("0-10");
            SurveyKind::Nps(
                nps_scale(scale)
                    .ok_or_else(|| ApiError::invalid("scale", "expected 0-10 or 1-10"))?,
            )
        }
        _ => return Err(ApiError::invalid("kind", "expected nps or csat")),
    };
    let closes_at = body
        .closes
        .as_deref()
        .map(|d| parse_day("closes", d))
        .transpose()?
        .map(|day| i64::from(day.plus_days(1).days_since_epoch()) * 86_400 - 1);
    let survey = state
        .store
        .create_survey(&NewSurvey {
            name: body.name,
            kind,
            touchpoint: body.touchpoint,
            link_days: body.link_days.unwrap_or(30),
            closes_at,
            created_by: auth.user.name.clone(),
        })
        .await?;
    Ok((StatusCode::CREATED, Json(SurveyBody::from(&survey))))
}

/// Invites customers to the survey through the contact policy, each with a unique link, at most
/// once per invitation period whatever the survey (audited; each invitation is a planned
/// contact in the contact log).
#[utoipa::path(post, path = "/api/v1/surveys/{name}/invitations", tag = "voice",
    params(("name" = String, Path, description = "The survey's name")),
    request_body = InviteBody,
    responses(
        (status = 200, description = "The invitations made and the customers refused", body = InviteResult),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers cannot invite, or missing CSRF token", body = ErrorBody),
        (status = 422, description = "A field is refused, or no such or a closed survey (the field says which)", body = ErrorBody)))]
async fn invite_round(
    State(state): State<AppState>,
    auth: Auth,
    Path(name): Path<String>,
    Json(body): Json<InviteBody>,
) -> Result<Json<InviteResult>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "inviting to a survey")?;
    let rungs = body
        .rungs
        .unwrap_or_default()
        .iter()
        .map(|r| {
            Rung::parse(r).ok_or_else(|| {
                ApiError::invalid(
                    "rungs",
                    format!("'{r}': expected prospect, visitor, newcomer, regular or advocate"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let now = unix_now();
    let day = match body.day.as_deref() {
        Some(d) => parse_day("day", d)?,
        None => clientele_core::Day::from_days_since_epoch(now.div_euclid(86_400) as i32),
    };
    let at = body.at.as_deref().unwrap_or("10:00");
    let minutes =
        parse_minutes(at).ok_or_else(|| ApiError::invalid("at", "expected a time as HH:MM"))?;
    let settings = InviteSettings {
        survey: name,
        rungs,
        limit: body.limit,
        base_url: body.base_url,
        day,
        local_time: time_of_minutes(minutes),
        default_time_zone: body.time_zone.unwrap_or_else(|| "Europe/Moscow".into()),
        now,
        author: auth.user.name.clone(),
    };
    let out = invite(&state.store, &settings).await.map_err(app_error)?;
    Ok(Json(InviteResult {
        survey: out.survey.name.clone(),
        invited: out
            .links
            .iter()
            .map(|l| InvitationBody {
                customer_id: l.external_id.clone(),
                link: l.link.clone(),
                channel: l.channel.clone(),
                send_at: l.send_at,
            })
            .collect(),
        refused: out
            .refused
            .iter()
            .map(|(customer, code)| RefusedBody {
                customer_id: customer.clone(),
                reason: (*code).to_string(),
            })
            .collect(),
        raced: out.raced,
        period_days: out.period_days,
    }))
}
