//! Personal-data duties: export everything held about a customer, and erase a customer's
//! personal data while keeping the anonymous numbers. Admins only; both are audited by the store.

use axum::extract::State;
use clientele_store::Role;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CustomerId, Json};

#[derive(Debug, Serialize, ToSchema)]
pub struct Erased {
    pub id: i64,
    /// The anonymous external id the row keeps (`erased-<id>`).
    pub external_id: String,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(export_customer))
        .routes(routes!(erase_customer))
}

/// Everything held about one customer as JSON: the row, contacts, consents, tags, dates, notes,
/// touches, surveys, feedback, order lines, snapshots and the audit entries about them.
/// Admins only; recorded in the audit log.
#[utoipa::path(get, path = "/api/v1/customers/{id}/export", tag = "privacy",
    params(("id" = i64, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The export", body = Object),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody)))]
async fn export_customer(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
) -> Result<Json<serde_json::Value>, ApiError> {
    auth.require(&[Role::Admin], "exporting personal data")?;
    let export = state.store.export_customer(id, &auth.user.name).await?;
    let value = serde_json::to_value(&export).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(Json(value))
}

/// Erases a customer's personal data (name, contacts, consents, tags, dates, notes, free text);
/// order lines and snapshots stay on the anonymous row so totals still add up. One
/// transaction; admins only; recorded in the audit log.
#[utoipa::path(post, path = "/api/v1/customers/{id}/erase", tag = "privacy",
    params(("id" = i64, Path, description = "Customer id")),
    responses(
        (status = 200, description = "Erased", body = Erased),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin, or missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such customer", body = ErrorBody)))]
async fn erase_customer(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
) -> Result<Json<Erased>, ApiError> {
    auth.require(&[Role::Admin], "erasing personal data")?;
    state.store.erase_customer(id, &auth.user.name).await?;
    Ok(Json(Erased {
        id,
        external_id: format!("erased-{id}"),
    }))
}
