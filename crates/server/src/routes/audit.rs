//! The audit log for admins (issue 23, item 8): who viewed, listed, searched, exported or
//! changed what, filtered by user, action and days, newest first, page by page. Reading it is
//! itself recorded. Managers and analysts get 403.

use axum::extract::State;
use clientele_app::InvalidSetting;
use clientele_app::audit::{AuditQuery, audit_page, utc_time};
use clientele_store::{AuditRecord, Role, read_action};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};

/// The filters of the audit log; all optional.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    /// The user's name exactly (at most 200 characters).
    pub user: Option<String>,
    /// The action exactly: `view`, `list`, `search`, `notes`, `export`, `audit`, `note`,
    /// `edit`, ... (at most 200 characters).
    pub action: Option<String>,
    /// The first day, `YYYY-MM-DD` (UTC).
    pub from: Option<String>,
    /// The last day, included, `YYYY-MM-DD` (UTC).
    pub to: Option<String>,
    /// Entries older than this id: the `next_before` of the previous page.
    pub before: Option<i64>,
    /// Entries per page, 1 to 1000; 50 when absent.
    pub limit: Option<u32>,
}

impl From<AuditParams> for AuditQuery {
    fn from(p: AuditParams) -> AuditQuery {
        AuditQuery {
            user: p.user,
            action: p.action,
            from: p.from,
            to: p.to,
            before: p.before,
            limit: p.limit,
        }
    }
}

/// An entry of the audit log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditItem {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// The same instant, `YYYY-MM-DD HH:MM:SS` in UTC.
    pub at_utc: String,
    /// The user's name (`cli` for the command line).
    pub user: String,
    pub action: String,
    /// The customer the entry is about, when it is about one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_id: Option<i64>,
    /// What was read or changed: the list, the filters, the customers' ids.
    pub detail: String,
}

impl From<AuditRecord> for AuditItem {
    fn from(r: AuditRecord) -> AuditItem {
        AuditItem {
            id: r.id,
            at: r.at,
            at_utc: utc_time(r.at),
            user: r.actor,
            action: r.action,
            customer_id: r.customer_id,
            detail: r.detail,
        }
    }
}

/// A page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditLogPage {
    pub items: Vec<AuditItem>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_before: Option<i64>,
}

/// A filter the use case refused, as the API's 422 with the field.
pub fn invalid(e: InvalidSetting) -> ApiError {
    ApiError::invalid(e.field, e.message)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_log))
}

/// The audit log, newest first, filtered by user, action and days; reading it is recorded.
/// Admins only.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditParams),
    responses(
        (status = 200, description = "A page of the audit log", body = AuditLogPage),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "A filter is not valid (the field says which)", body = ErrorBody)))]
async fn audit_log(
    State(state): State<AppState>,
    auth: Auth,
    Query(params): Query<AuditParams>,
) -> Result<Json<AuditLogPage>, ApiError> {
    auth.require(&[Role::Admin], "reading the audit log")?;
    let query = AuditQuery::from(params);
    let selection = query.selection().map_err(invalid)?;
    let page = audit_page(&state.store, &selection).await?;
    state.audit.record(
        &auth.user.name,
        read_action::AUDIT,
        None,
        &format!(
            "api: {}",
            crate::read_audit::filters_detail(&query.describe())
        ),
    );
    Ok(Json(AuditLogPage {
        items: page.items.into_iter().map(AuditItem::from).collect(),
        next_before: page.next_before,
    }))
}
