//! NPS joined with behaviour over the API: for the promoters, passives and detractors of a period,
//! how many were slipping or lost in the next snapshot, their revenue and CLV there and their
//! revenue in the days after, each mean with its 95% interval (a manager's over her customers).

use axum::extract::State;
use clientele_app::voice::{
    Difference, GroupBehaviour, MAX_DAYS_AFTER, MeanFigure, NpsBehaviourOutput,
    NpsBehaviourSettings, nps_behaviour,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::auth::Auth;
use crate::error::app_error;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::parse_day;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct BehaviourQuery {
    /// First day of the period (YYYY-MM-DD). Default: the first answer.
    pub from: Option<String>,
    /// Last day of the period (YYYY-MM-DD). Default: the last answer.
    pub to: Option<String>,
    /// Days after the period whose orders count, 1 to 730. Default 90.
    pub days_after: Option<u32>,
}

/// The settings from the query (shared with the dashboard's NPS page).
pub fn behaviour_settings(
    q: &BehaviourQuery,
    scope: clientele_store::Scope,
) -> Result<NpsBehaviourSettings, ApiError> {
    let day = |field: &str, text: &Option<String>| {
        text.as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| parse_day(field, t))
            .transpose()
    };
    if let Some(d) = q.days_after
        && !(1..=MAX_DAYS_AFTER).contains(&d)
    {
        return Err(ApiError::invalid(
            "days_after",
            format!("{d}: expected 1 to {MAX_DAYS_AFTER}"),
        ));
    }
    Ok(NpsBehaviourSettings {
        from: day("from", &q.from)?,
        to: day("to", &q.to)?,
        scope,
        days_after: q.days_after,
    })
}

/// A mean in the report's currency with its Student t 95% interval.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeanBody {
    /// Values averaged.
    pub n: u64,
    /// Null without values.
    pub mean: Option<f64>,
    /// [lo, hi]; null below two values.
    pub ci95: Option<[f64; 2]>,
}

impl From<&MeanFigure> for MeanBody {
    fn from(m: &MeanFigure) -> MeanBody {
        MeanBody {
            n: m.n,
            mean: m.mean,
            ci95: m.ci95.map(|(lo, hi)| [lo, hi]),
        }
    }
}

/// One group: promoters, passives or detractors.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupBehaviourBody {
    /// `promoter`, `passive` or `detractor`.
    pub category: String,
    pub respondents: u64,
    /// Found in the next snapshot: the base of the slipping and lost shares.
    pub followed: u64,
    pub slipping: u64,
    pub lost: u64,
    /// (slipping + lost) / followed, 0..1; null when nobody was followed.
    pub slipping_or_lost: Option<f64>,
    /// Wilson 95% interval of that share.
    pub slipping_or_lost_ci95: Option<[f64; 2]>,
    /// Revenue to date in the next snapshot, summed (currency units).
    pub revenue_total: f64,
    /// Its mean over those followed.
    pub revenue: MeanBody,
    /// CLV over the snapshot's horizon (`clv_horizon_days`), over those with one.
    pub clv: MeanBody,
    /// Revenue of the orders in `after_from..=after_to`, summed.
    pub revenue_after_total: f64,
    /// Its mean per respondent (zero for those who bought nothing).
    pub revenue_after: MeanBody,
}

impl From<&GroupBehaviour> for GroupBehaviourBody {
    fn from(g: &GroupBehaviour) -> GroupBehaviourBody {
        GroupBehaviourBody {
            category: g.category.as_str().to_string(),
            respondents: g.respondents,
            followed: g.followed,
            slipping: g.slipping,
            lost: g.lost,
            slipping_or_lost: g.slipping_or_lost,
            slipping_or_lost_ci95: g.slipping_or_lost_ci95.map(|(lo, hi)| [lo, hi]),
            revenue_total: g.revenue_total,
            revenue: MeanBody::from(&g.revenue),
            clv: MeanBody::from(&g.clv),
            revenue_after_total: g.revenue_after_total,
            revenue_after: MeanBody::from(&g.revenue_after),
        }
    }
}

/// Detractors − promoters, with its 95% interval and two-sided p-value (α = 0.05).
#[derive(Debug, Serialize, ToSchema)]
pub struct DifferenceBody {
    pub difference: f64,
    pub ci95: [f64; 2],
    pub p_value: f64,
    pub significant: bool,
}

impl From<&Difference> for DifferenceBody {
    fn from(d: &Difference) -> DifferenceBody {
        DifferenceBody {
            difference: d.difference,
            ci95: [d.ci95.0, d.ci95.1],
            p_value: d.p_value,
            significant: d.significant,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NpsBehaviourBody {
    /// The period (null without answers).
    pub from: Option<String>,
    pub to: Option<String>,
    /// The first snapshot after the period, where slipping, lost, revenue and CLV are read;
    /// null when there is none yet (then nobody is followed).
    pub snapshot: Option<String>,
    /// The CLV's horizon in days; null when the snapshot gave no CLV.
    pub clv_horizon_days: Option<u32>,
    /// ISO 4217 code of every amount; null when not known.
    pub currency: Option<String>,
    /// The days whose orders count as "after".
    pub after_from: Option<String>,
    pub after_to: Option<String>,
    pub days_after: u32,
    /// The last day with an order in the store.
    pub orders_through: Option<String>,
    /// False while `after_to` is later than the last order: the revenue after is partial.
    pub window_complete: bool,
    /// Promoters, passives, detractors.
    pub groups: Vec<GroupBehaviourBody>,
    /// Detractors' slipping-or-lost share − promoters' (Newcombe interval).
    pub slipping_or_lost_difference: Option<DifferenceBody>,
    /// Detractors' mean revenue after − promoters' (Welch).
    pub revenue_after_difference: Option<DifferenceBody>,
}

impl From<&NpsBehaviourOutput> for NpsBehaviourBody {
    fn from(r: &NpsBehaviourOutput) -> NpsBehaviourBody {
        let day = |d: Option<clientele_core::Day>| d.map(|d| d.to_string());
        NpsBehaviourBody {
            from: day(r.from),
            to: day(r.to),
            snapshot: day(r.snapshot),
            clv_horizon_days: r.clv_horizon_days,
            currency: r.currency.map(|c| c.code().to_string()),
            after_from: day(r.after_from),
            after_to: day(r.after_to),
            days_after: r.days_after,
            orders_through: day(r.orders_through),
            window_complete: r.window_complete(),
            groups: r.groups.iter().map(GroupBehaviourBody::from).collect(),
            slipping_or_lost_difference: r
                .slipping_or_lost_difference
                .as_ref()
                .map(DifferenceBody::from),
            revenue_after_difference: r
                .revenue_after_difference
                .as_ref()
                .map(DifferenceBody::from),
        }
    }
}

/// What promoters, passives and detractors of a period did next: slipping or lost in the first
/// snapshot after it (with Wilson intervals), revenue and CLV there, and revenue in the days
/// after (each mean with a Student t interval), detractors against promoters. Only the latest
/// answer of each respondent in the period counts. A manager's covers their customers.
#[utoipa::path(get, path = "/api/v1/nps/behaviour", tag = "voice", params(BehaviourQuery),
    responses(
        (status = 200, description = "The report", body = NpsBehaviourBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A parameter is refused (the field says which)", body = ErrorBody)))]
pub(crate) async fn behaviour(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<BehaviourQuery>,
) -> Result<Json<NpsBehaviourBody>, ApiError> {
    let settings = behaviour_settings(&q, auth.scope())?;
    let output = nps_behaviour(&state.store, &settings)
        .await
        .map_err(app_error)?;
    Ok(Json(NpsBehaviourBody::from(&output)))
}
