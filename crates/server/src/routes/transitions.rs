//! The customers behind one cell of the ladder's transition matrix (the matrix itself is
//! `GET /api/v1/ladder/transitions`): who stood on one rung in the earlier snapshot and on another
//! in the later one. Managers see only their own customers.

use axum::extract::State;
use clientele_core::Rung;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::{page_limit, parse_day};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MoversQuery {
    /// The earlier snapshot's date, YYYY-MM-DD.
    pub from: String,
    /// The later snapshot's date, YYYY-MM-DD.
    pub to: String,
    /// The rung in the earlier snapshot (prospect, visitor, newcomer, regular, advocate), or
    /// `new` for customers not in it.
    pub from_rung: String,
    /// The rung in the later snapshot, or `gone` for customers not in it.
    pub to_rung: String,
    /// 1-based page number; 1 when absent.
    pub page: Option<u32>,
    /// Page size, 1 to the server's maximum; 50 when absent.
    pub limit: Option<u32>,
}

/// One customer of the cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct Mover {
    /// The customer's id in the export.
    pub customer_id: String,
    /// Status on the earlier date (active, slipping, lost); null when not in that snapshot or
    /// not a buyer.
    pub status_before: Option<String>,
    pub status_after: Option<String>,
    /// Revenue brought between the two dates, decimal string.
    pub period_revenue: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MoversPage {
    pub from: String,
    pub to: String,
    /// null: not in the earlier snapshot (new).
    pub from_rung: Option<String>,
    /// null: not in the later snapshot (gone).
    pub to_rung: Option<String>,
    pub page: u32,
    pub limit: u32,
    /// Customers of the cell in all pages.
    pub total: u64,
    /// By revenue of the period, highest first; ties by id.
    pub items: Vec<Mover>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(movers))
}

/// A rung, or the word that stands for "not in that snapshot".
pub fn parse_side(field: &str, text: &str, none: &str) -> Result<Option<Rung>, ApiError> {
    if text == none {
        return Ok(None);
    }
    Rung::parse(text).map(Some).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!(
                "'{}' is not prospect, visitor, newcomer, regular, advocate or {none}",
                text.chars().take(40).collect::<String>()
            ),
        )
    })
}

/// The customers who moved from `from_rung` on `from` to `to_rung` on `to`.
#[utoipa::path(get, path = "/api/v1/ladder/transitions/customers", tag = "ladder",
    params(MoversQuery),
    responses(
        (status = 200, description = "A page of the cell's customers", body = MoversPage),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No snapshot on one of the dates", body = ErrorBody),
        (status = 422, description = "A date, rung, page or limit is not valid", body = ErrorBody)))]
async fn movers(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<MoversQuery>,
) -> Result<Json<MoversPage>, ApiError> {
    let from = parse_day("from", &q.from)?;
    let to = parse_day("to", &q.to)?;
    if to <= from {
        return Err(ApiError::invalid("to", "must be after from"));
    }
    let cell = (
        parse_side("from_rung", &q.from_rung, "new")?,
        parse_side("to_rung", &q.to_rung, "gone")?,
    );
    if cell == (None, None) {
        return Err(ApiError::invalid(
            "to_rung",
            "new to gone names no customer: name a rung on one side",
        ));
    }
    let limit = page_limit(q.limit, &state.settings)?;
    let page = q.page.unwrap_or(1);
    if page == 0 {
        return Err(ApiError::invalid("page", "pages are numbered from 1"));
    }
    let offset = u64::from(page - 1) * u64::from(limit);
    let m = state
        .store
        .movers_in(auth.scope(), (from, to), cell, offset, limit)
        .await?;
    let status = |s: Option<clientele_core::Status>| s.map(|s| s.as_str().to_string());
    Ok(Json(MoversPage {
        from: m.from.to_string(),
        to: m.to.to_string(),
        from_rung: cell.0.map(|r| r.as_str().to_string()),
        to_rung: cell.1.map(|r| r.as_str().to_string()),
        page,
        limit,
        total: m.total,
        items: m
            .items
            .into_iter()
            .map(|c| Mover {
                customer_id: c.external_id,
                status_before: status(c.status_before),
                status_after: status(c.status_after),
                period_revenue: c.period_revenue.to_string(),
            })
            .collect(),
    }))
}
