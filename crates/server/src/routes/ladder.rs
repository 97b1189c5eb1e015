//! The loyalty ladder from the score snapshots: the summary per rung and status, transitions
//! between two snapshot dates, and the at-risk and lost lists by value. Managers see only their
//! own customers in all of them.

use axum::extract::State;
use clientele_store::ValueList;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::customers::CustomerItem;
use crate::routes::{page_limit, parse_day};

#[derive(Debug, Serialize, ToSchema)]
pub struct LadderRow {
    pub rung: String,
    /// active, slipping, lost; null for prospects and visitors.
    pub status: Option<String>,
    pub customers: i64,
    /// Decimal strings.
    pub revenue: String,
    pub profit: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LadderSummary {
    /// The snapshot's date, YYYY-MM-DD.
    pub as_of: String,
    /// Ordered by rung (prospect first), then status.
    pub rows: Vec<LadderRow>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SummaryQuery {
    /// The snapshot's date (YYYY-MM-DD); the latest when absent.
    pub as_of: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TransitionsQuery {
    /// The earlier snapshot's date, YYYY-MM-DD.
    pub from: String,
    /// The later snapshot's date, YYYY-MM-DD.
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionCell {
    /// Rung in the earlier snapshot; null for customers new since then.
    pub from: Option<String>,
    /// Rung in the later snapshot; null for customers no longer in it.
    pub to: Option<String>,
    pub customers: u64,
    /// Their revenue to the later date.
    pub revenue: String,
    /// Their revenue between the two dates.
    pub period_revenue: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Transitions {
    pub from: String,
    pub to: String,
    pub up: u64,
    pub down: u64,
    /// Became lost.
    pub out: u64,
    /// Came back (returners).
    pub back: u64,
    pub same: u64,
    pub new: u64,
    pub matrix: Vec<TransitionCell>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// 1-based page number; 1 when absent.
    pub page: Option<u32>,
    /// Page size, 1 to the server's maximum; 50 when absent.
    pub limit: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ValuePage {
    /// The snapshot the list comes from.
    pub as_of: Option<String>,
    /// The horizon, in days, of the snapshot's CLV (and so of `clv` and `value_at_stake`);
    /// null when the snapshot forecast no CLV.
    pub clv_horizon_days: Option<u32>,
    /// The ISO 4217 code of the amounts (the database's setting, else detected from the
    /// data); null when not known.
    pub currency: Option<String>,
    pub page: u32,
    pub limit: u32,
    /// Customers on the list in all pages.
    pub total: i64,
    /// By value at stake, highest first; customers without one (no CLV) last, by revenue;
    /// ties by id. The dashboard's Today and Lost pages use the same order.
    pub items: Vec<ValueItem>,
}

/// One customer of a value list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ValueItem {
    #[serde(flatten)]
    pub customer: CustomerItem,
    /// Probability the customer is still active on the snapshot's date.
    pub p_alive: Option<f64>,
    /// Lifetime value over the next `clv_horizon_days`, decimal string.
    pub clv: Option<String>,
    /// The part of the CLV over `clv_horizon_days` expected to be lost if the customer is
    /// gone (CLV × (1 − P(alive)) / P(alive)), decimal string.
    pub value_at_stake: Option<String>,
}

impl From<clientele_store::ValueItem> for ValueItem {
    fn from(v: clientele_store::ValueItem) -> ValueItem {
        let amount =
            |x: Option<f64>| x.map(|x| clientele_core::Money::from_f64_rounded(x).to_string());
        ValueItem {
            customer: CustomerItem::from(v.customer),
            p_alive: v.p_alive,
            clv: amount(v.clv),
            value_at_stake: amount(v.value_at_stake),
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(summary))
        .routes(routes!(transitions))
        .routes(routes!(at_risk))
        .routes(routes!(lost))
}

/// Customers, revenue and profit per rung and status in a snapshot (the latest by default).
#[utoipa::path(get, path = "/api/v1/ladder", tag = "ladder", params(SummaryQuery),
    responses(
        (status = 200, description = "The ladder", body = LadderSummary),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No snapshot (run `clientele score`)", body = ErrorBody),
        (status = 422, description = "as_of is not a date", body = ErrorBody)))]
async fn summary(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<SummaryQuery>,
) -> Result<Json<LadderSummary>, ApiError> {
    let as_of = q
        .as_of
        .as_deref()
        .map(|d| parse_day("as_of", d))
        .transpose()?;
    let (day, cells) = state.store.ladder_summary(auth.scope(), as_of).await?;
    Ok(Json(LadderSummary {
        as_of: day.to_string(),
        rows: cells
            .into_iter()
            .map(|c| LadderRow {
                rung: c.rung.as_str().into(),
                status: c.status.map(|s| s.as_str().into()),
                customers: c.customers,
                revenue: c.revenue.to_string(),
                profit: c.profit.to_string(),
            })
            .collect(),
    }))
}

/// Who moved up, down, out (lost) and back (returners) between two snapshots, with the
/// rung-to-rung matrix of counts and revenue.
#[utoipa::path(get, path = "/api/v1/ladder/transitions", tag = "ladder", params(TransitionsQuery),
    responses(
        (status = 200, description = "The transitions", body = Transitions),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No snapshot on one of the dates", body = ErrorBody),
        (status = 422, description = "A date is missing or not valid", body = ErrorBody)))]
async fn transitions(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<TransitionsQuery>,
) -> Result<Json<Transitions>, ApiError> {
    let from = parse_day("from", &q.from)?;
    let to = parse_day("to", &q.to)?;
    if to <= from {
        return Err(ApiError::invalid("to", "must be after from"));
    }
    let t = state.store.transitions_in(auth.scope(), from, to).await?;
    let rung = |r: Option<clientele_core::Rung>| r.map(|r| r.as_str().to_string());
    Ok(Json(Transitions {
        from: t.from.to_string(),
        to: t.to.to_string(),
        up: t.up,
        down: t.down,
        out: t.out,
        back: t.back,
        same: t.same,
        new: t.new,
        matrix: t
            .matrix
            .into_iter()
            .map(|c| TransitionCell {
                from: rung(c.from),
                to: rung(c.to),
                customers: c.customers,
                revenue: c.revenue.to_string(),
                period_revenue: c.period_revenue.to_string(),
            })
            .collect(),
    }))
}

async fn value_page(
    state: &AppState,
    auth: &Auth,
    q: PageQuery,
    list: ValueList,
) -> Result<ValuePage, ApiError> {
    let limit = page_limit(q.limit, &state.settings)?;
    let page = q.page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::invalid("page", "pages are numbered from 1"));
    }
    let offset = u64::from(page - 1) * u64::from(limit);
    let p = state
        .store
        .value_list(auth.scope(), list, offset, limit)
        .await?;
    let currency = state.currency.get(&state.store).await.currency;
    Ok(ValuePage {
        as_of: p.as_of.map(|d| d.to_string()),
        clv_horizon_days: p.clv_horizon_days,
        currency: currency.map(|c| c.code().to_string()),
        page,
        limit,
        total: p.total,
        items: p.items.into_iter().map(ValueItem::from).collect(),
    })
}

/// Regulars and advocates whose status is slipping in the latest snapshot, by value at stake
/// (the CLV over the snapshot's horizon expected to be lost), highest first: the customers to
/// call this week.
#[utoipa::path(get, path = "/api/v1/ladder/at-risk", tag = "ladder", params(PageQuery),
    responses(
        (status = 200, description = "A page of the list", body = ValuePage),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "page or limit not valid", body = ErrorBody)))]
async fn at_risk(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageQuery>,
) -> Result<Json<ValuePage>, ApiError> {
    value_page(&state, &auth, q, ValueList::AtRisk)
        .await
        .map(Json)
}

/// Customers lost in the latest snapshot, by value at stake (the CLV over the snapshot's horizon
/// expected to be lost), highest first: candidates for win-back.
#[utoipa::path(get, path = "/api/v1/ladder/lost", tag = "ladder", params(PageQuery),
    responses(
        (status = 200, description = "A page of the list", body = ValuePage),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "page or limit not valid", body = ErrorBody)))]
async fn lost(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PageQuery>,
) -> Result<Json<ValuePage>, ApiError> {
    value_page(&state, &auth, q, ValueList::Lost)
        .await
        .map(Json)
}
