//! Campaigns with a control group over the API: create one from a filter (admins and analysts),
//! list them, and the uplift report — the shape `clientele campaign report --format json`
//! writes: each arm's n, converted, rate and revenue per customer, the uplift with its 95%
//! interval and p-value, the revenue uplift, the cost, the net value and the verdict (numbers
//! or null, never NaN).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use clientele_app::clock::today;
use clientele_app::winback::{
    CampaignReport, CampaignSettings, DEFAULT_CAMPAIGN_WINDOW_DAYS, campaign_report,
    create_campaign,
};
use clientele_core::inference::Interval;
use clientele_core::uplift::ArmSummary;
use clientele_core::winback::{CampaignFilter, parse_segment, segment_code};
use clientele_core::{Money, Rung, Status};
use clientele_store::{CampaignRecord, MAX_NAME_CHARS, Role};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::winback::app_error;
use crate::routes::{page_limit, parse_day};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_campaigns, add_campaign))
        .routes(routes!(get_campaign_report))
}

/// A campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub name: String,
    /// win_back, reminder or offer.
    pub kind: String,
    pub statuses: Vec<String>,
    pub rungs: Vec<String>,
    pub segments: Vec<String>,
    /// The snapshot the customers were selected from.
    pub snapshot: String,
    pub start: String,
    pub window_days: i32,
    pub control_share: f64,
    /// The assignment's seed (a 64-bit unsigned number, as text so no reader rounds it).
    pub seed: String,
    pub method: String,
    pub cost_per_contact: f64,
    pub treated: i64,
    pub control: i64,
}

impl From<CampaignRecord> for Campaign {
    fn from(c: CampaignRecord) -> Self {
        let f = &c.filter.filter;
        Campaign {
            id: c.id,
            kind: c.kind.as_str().into(),
            statuses: f.statuses.iter().map(|s| s.as_str().to_string()).collect(),
            rungs: f.rungs.iter().map(|r| r.as_str().to_string()).collect(),
            segments: f
                .segments
                .iter()
                .map(|s| segment_code(*s).to_string())
                .collect(),
            snapshot: c.snapshot_as_of.to_string(),
            start: c.start_day.to_string(),
            window_days: c.window_days,
            control_share: c.control_share.get(),
            seed: c.seed.to_string(),
            method: c.method.clone(),
            cost_per_contact: c.cost_per_contact.to_f64(),
            treated: c.treated,
            control: c.control,
            name: c.name,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Campaigns {
    pub total: i64,
    /// Newest first.
    pub items: Vec<Campaign>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CampaignListQuery {
    pub offset: Option<u64>,
    pub limit: Option<u32>,
}

/// Campaigns, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns",
    params(CampaignListQuery),
    responses(
        (status = 200, description = "A page of campaigns", body = Campaigns),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A parameter is not valid", body = ErrorBody)))]
async fn list_campaigns(
    State(state): State<AppState>,
    _auth: Auth,
    Query(q): Query<CampaignListQuery>,
) -> Result<Json<Campaigns>, ApiError> {
    let limit = page_limit(q.limit, &state.settings)?;
    let (total, items) = state
        .store
        .campaigns(q.offset.unwrap_or(0).min(i64::MAX as u64), limit)
        .await?;
    Ok(Json(Campaigns {
        total,
        items: items.into_iter().map(Campaign::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaignBody {
    /// 1 to 200 characters, unique.
    pub name: String,
    /// active, slipping, lost (empty: any).
    #[serde(default)]
    pub statuses: Vec<String>,
    /// prospect, visitor, newcomer, regular, advocate (empty: any).
    #[serde(default)]
    pub rungs: Vec<String>,
    /// RFM segments such as at_risk, champions (empty: any).
    #[serde(default)]
    pub segments: Vec<String>,
    /// The share held back as control, strictly between 0 and 1.
    pub control: f64,
    /// The assignment's seed, as a number or decimal text (default: drawn and recorded).
    pub seed: Option<String>,
    /// YYYY-MM-DD; default today.
    pub start: Option<String>,
    /// 1 to 3660; default 30.
    pub window_days: Option<i32>,
    /// Cost of contacting one treated customer, 0 to 1,000,000.
    pub cost_per_contact: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedCampaignBody {
    pub id: i64,
    pub treated: u64,
    pub control: u64,
    pub seed: String,
}

/// Creates a campaign: selects the customers of the latest snapshot the filter names and holds
/// back the control share within each rung, seeded and recorded.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns",
    request_body = NewCampaignBody,
    responses(
        (status = 201, description = "The campaign", body = CreatedCampaignBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers do not create campaigns; or missing CSRF token", body = ErrorBody),
        (status = 409, description = "The name is taken, or no snapshot yet", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
async fn add_campaign(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewCampaignBody>,
) -> Result<(StatusCode, Json<CreatedCampaignBody>), ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "creating campaigns")?;
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(ApiError::invalid(
            "name",
            format!("must be 1 to {MAX_NAME_CHARS} characters"),
        ));
    }
    if body.statuses.len() + body.rungs.len() + body.segments.len() > 30 {
        return Err(ApiError::invalid(
            "statuses",
            "at most 30 values in the filter",
        ));
    }
    let statuses = body
        .statuses
        .iter()
        .map(|s| {
            Status::parse(s).ok_or_else(|| {
                ApiError::invalid(
                    "statuses",
                    format!("'{s}' is not one of active, slipping, lost"),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rungs = body
        .rungs
        .iter()
        .map(|r| {
            Rung::parse(r).ok_or_else(|| ApiError::invalid("rungs", format!("'{r}' is not a rung")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let segments = body
        .segments
        .iter()
        .map(|s| {
            parse_segment(s).ok_or_else(|| {
                ApiError::invalid("segments", format!("'{s}' is not an RFM segment"))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let seed = body
        .seed
        .as_deref()
        .map(|s| {
            s.trim().parse::<u64>().map_err(|_| {
                ApiError::invalid(
                    "seed",
                    format!("'{s}' is not a number from 0 to 18446744073709551615"),
                )
            })
        })
        .transpose()?;
    let cost = body.cost_per_contact.unwrap_or(0.0);
    if !(cost.is_finite() && (0.0..=1e6).contains(&cost)) {
        return Err(ApiError::invalid(
            "cost_per_contact",
            "must be between 0 and 1,000,000",
        ));
    }
    let settings = CampaignSettings {
        name: name.to_string(),
        filter: CampaignFilter {
            statuses,
            rungs,
            segments,
        },
        control_share: body.control,
        seed,
        start_day: match body.start.as_deref() {
            Some(d) => parse_day("start", d)?,
            None => today(),
        },
        window_days: body.window_days.unwrap_or(DEFAULT_CAMPAIGN_WINDOW_DAYS),
        cost_per_contact: Money::from_f64_rounded(cost),
        created_by: auth.user.name.clone(),
    };
    let created = create_campaign(&state.store, &settings)
        .await
        .map_err(|e| match app_error(e) {
            ApiError::Invalid { field, reason } if field == "filter" => {
                ApiError::invalid("statuses", reason)
            }
            other => other,
        })?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedCampaignBody {
            id: created.id,
            treated: created.treated,
            control: created.control,
            seed: created.seed.to_string(),
        }),
    ))
}

/// One arm's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArmBody {
    pub n: u64,
    pub converted: u64,
    pub rate: Option<f64>,
    pub revenue_per_customer: Option<f64>,
}

fn finite(x: Option<f64>) -> Option<f64> {
    x.filter(|v| v.is_finite())
}

impl From<&ArmSummary> for ArmBody {
    fn from(a: &ArmSummary) -> Self {
        ArmBody {
            n: a.n,
            converted: a.converted,
            rate: finite(a.rate),
            revenue_per_customer: finite(a.revenue_per_customer),
        }
    }
}

fn pair(i: Interval) -> Option<[f64; 2]> {
    (i.lo.is_finite() && i.hi.is_finite()).then_some([i.lo, i.hi])
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RateUplift {
    /// Treated − control conversion rate (0..1 units).
    pub rate: Option<f64>,
    pub ci95: Option<[f64; 2]>,
    pub p_value: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevenueUplift {
    /// Treated − control revenue per customer, in the store's currency.
    pub per_customer: Option<f64>,
    pub ci95: Option<[f64; 2]>,
    pub p_value: Option<f64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignReportBody {
    pub campaign: Campaign,
    /// The data's last day read.
    pub as_of: String,
    pub window_last_day: String,
    pub treated: ArmBody,
    pub control: ArmBody,
    pub uplift: RateUplift,
    pub revenue_uplift: RevenueUplift,
    pub cost: f64,
    pub net_value: Option<f64>,
    pub net_value_ci95: Option<[f64; 2]>,
    /// too_early, too_small, no_effect, positive or negative.
    pub verdict: String,
}

impl From<CampaignReport> for CampaignReportBody {
    fn from(r: CampaignReport) -> Self {
        let u = r.report;
        CampaignReportBody {
            as_of: r.as_of.to_string(),
            window_last_day: r.campaign.window_last_day().to_string(),
            treated: (&u.treated).into(),
            control: (&u.control).into(),
            uplift: RateUplift {
                rate: finite(u.rate_uplift.map(|d| d.difference)),
                ci95: u.rate_uplift.and_then(|d| pair(d.ci95)),
                p_value: finite(u.rate_uplift.map(|d| d.p_value)),
            },
            revenue_uplift: RevenueUplift {
                per_customer: finite(u.revenue_uplift.map(|d| d.difference)),
                ci95: u.revenue_uplift.and_then(|d| pair(d.ci95)),
                p_value: finite(u.revenue_uplift.map(|d| d.p_value)),
            },
            cost: u.cost.to_f64(),
            net_value: finite(u.net_value),
            net_value_ci95: u.net_value_ci95.and_then(pair),
            verdict: u.verdict.as_str().into(),
            campaign: r.campaign.into(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CampaignReportQuery {
    /// The data's last day, YYYY-MM-DD (default: the latest snapshot's day).
    pub as_of: Option<String>,
}

/// The campaign's uplift report.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/report", tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), CampaignReportQuery),
    responses(
        (status = 200, description = "The report", body = CampaignReportBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such campaign", body = ErrorBody),
        (status = 422, description = "A parameter is not valid", body = ErrorBody)))]
async fn get_campaign_report(
    State(state): State<AppState>,
    _auth: Auth,
    Path(raw): Path<String>,
    Query(q): Query<CampaignReportQuery>,
) -> Result<Json<CampaignReportBody>, ApiError> {
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| ApiError::invalid("id", format!("'{raw}' is not a campaign id")))?;
    let as_of = q
        .as_of
        .as_deref()
        .map(|d| parse_day("as_of", d))
        .transpose()?;
    let report = campaign_report(&state.store, id, as_of)
        .await
        .map_err(app_error)?;
    Ok(Json(report.into()))
}
