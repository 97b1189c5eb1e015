//! Liveness: no authentication, no database round trip beyond a ping.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::extract::Json;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
    /// Audit entries that could not be written to the database since the server started (its
    /// queue was full); each one is in the server's log instead. Should stay 0.
    pub audit_not_recorded: u64,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(health))
}

/// Whether the server is up, and which database it uses. Needs no authentication.
#[utoipa::path(get, path = "/api/health", tag = "health", security(()),
    responses((status = 200, description = "The server is up", body = Health)))]
async fn health(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok",
        database: match state.store.backend() {
            clientele_store::Backend::Sqlite => "sqlite",
            clientele_store::Backend::Postgres => "postgres",
        },
        audit_not_recorded: state.audit.not_recorded(),
    })
}
