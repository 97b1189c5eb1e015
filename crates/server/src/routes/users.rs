//! Administering users (issue 23, item 5): list them, disable and enable one, remove one, revoke
//! a user's API tokens. Admins only; each change is recorded in the audit log by the use case
//! (`clientele_app::users`) and takes effect at the user's next request: the server's cache of
//! bearer tokens is emptied, and the store refuses a disabled user's tokens, sessions and
//! password. The last enabled admin can be neither disabled nor removed (409).

use axum::extract::{Path, State};
use clientele_app::users;
use clientele_store::{Role, UserRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};

/// A user as an admin sees them.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    /// `admin`, `analyst` or `manager`.
    pub role: &'static str,
    /// Unix seconds.
    pub created_at: i64,
    /// When the user was disabled (Unix seconds); absent while enabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<i64>,
    /// API tokens not revoked.
    pub active_tokens: i64,
    /// Whether a password for browser sign-in is set.
    pub has_password: bool,
}

impl From<UserRow> for UserView {
    fn from(r: UserRow) -> UserView {
        UserView {
            id: r.user.id,
            name: r.user.name,
            role: r.user.role.as_str(),
            created_at: r.created_at,
            disabled_at: r.disabled_at,
            active_tokens: r.active_tokens,
            has_password: r.has_password,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<UserView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Removed {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Revoked {
    pub id: i64,
    /// Tokens that were active and are revoked now.
    pub revoked: u64,
    /// The new token when `reissue=true` was asked for (shown this once).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RevokeQuery {
    /// Create one new token for the user after revoking the old ones.
    #[serde(default)]
    pub reissue: bool,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users))
        .routes(routes!(remove_user))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(revoke_tokens))
}

/// A user id in the path.
fn user_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| ApiError::invalid("id", format!("'{raw}' is not a user id")))
}

const WHAT: &str = "administering users";

/// Every user, by name, with whether they are disabled and how many tokens they hold. Admins
/// only.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses(
        (status = 200, description = "The users", body = UserList),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody)))]
async fn list_users(State(state): State<AppState>, auth: Auth) -> Result<Json<UserList>, ApiError> {
    auth.require(&[Role::Admin], WHAT)?;
    let users = state.store.list_users().await?;
    Ok(Json(UserList {
        users: users.into_iter().map(UserView::from).collect(),
    }))
}

/// Disables a user: their API tokens, sessions and password stop working at once (sessions are
/// ended), until enabled again. Admins only; audited; the last enabled admin cannot be disabled.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "Disabled", body = UserView),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin, or missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The last enabled admin", body = ErrorBody),
        (status = 422, description = "Not a user id", body = ErrorBody)))]
async fn disable_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    auth.require(&[Role::Admin], WHAT)?;
    let row = users::disable_user(&state.store, &auth.user.name, user_id(&raw)?).await?;
    state.tokens.clear();
    Ok(Json(row.into()))
}

/// Lets a disabled user in again (tokens not revoked work again; sessions were ended). Admins
/// only; audited.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "Enabled", body = UserView),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin, or missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "Not a user id", body = ErrorBody)))]
async fn enable_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    auth.require(&[Role::Admin], WHAT)?;
    let row = users::enable_user(&state.store, &auth.user.name, user_id(&raw)?).await?;
    Ok(Json(row.into()))
}

/// Removes a user with their tokens and sessions; notes they wrote stay without the author
/// link, their customers become unassigned. Admins only; audited; the last enabled admin cannot
/// be removed.
#[utoipa::path(delete, path = "/api/v1/users/{id}", tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "Removed", body = Removed),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin, or missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The last enabled admin", body = ErrorBody),
        (status = 422, description = "Not a user id", body = ErrorBody)))]
async fn remove_user(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<Removed>, ApiError> {
    auth.require(&[Role::Admin], WHAT)?;
    let user = users::remove_user(&state.store, &auth.user.name, user_id(&raw)?).await?;
    state.tokens.clear();
    Ok(Json(Removed {
        id: user.id,
        name: user.name,
    }))
}

/// Revokes every API token of a user, at once; with `reissue=true` one new token is created
/// and returned (shown this once). Admins only; audited.
#[utoipa::path(post, path = "/api/v1/users/{id}/revoke-tokens", tag = "users",
    params(("id" = i64, Path, description = "User id"), RevokeQuery),
    responses(
        (status = 200, description = "Revoked", body = Revoked),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not an admin, or missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "Not a user id", body = ErrorBody)))]
async fn revoke_tokens(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    Query(q): Query<RevokeQuery>,
) -> Result<Json<Revoked>, ApiError> {
    auth.require(&[Role::Admin], WHAT)?;
    let id = user_id(&raw)?;
    let (revoked, new) = users::revoke_tokens(&state.store, &auth.user.name, id, q.reissue).await?;
    state.tokens.clear();
    Ok(Json(Revoked {
        id,
        revoked,
        token: new.map(|n| n.token),
    }))
}
