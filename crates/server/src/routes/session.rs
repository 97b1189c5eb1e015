//! Browser sessions: log in with a name and password, get an HttpOnly session cookie and the
//! CSRF token to send back in `X-CSRF-Token` on unsafe requests; log out.

use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::{Auth, SESSION_COOKIE, cookie_value};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::security::same_origin;
use crate::throttle::{ClientAddr, retry_after_seconds};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub name: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub user: String,
    /// admin, analyst or manager.
    pub role: String,
    /// Send this in `X-CSRF-Token` on POST, PATCH and DELETE requests made with the cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login, current, logout))
}

fn cookie_header(state: &AppState, value: &str, max_age: i64) -> Result<HeaderValue, ApiError> {
    let secure = if state.settings.secure_cookie {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .map_err(|e| ApiError::Internal(e.to_string()))
}

/// Logs in with a name and password. Sets the session cookie (HttpOnly, SameSite=Lax) and
/// returns the CSRF token for later unsafe requests. A wrong name and a wrong password are not
/// told apart, and take the same time. After 5 failures with a name, or 50 from an address,
/// within 15 minutes, that name or address is refused for 15 minutes (429 with `Retry-After`),
/// even with the right password. A request that a browser marks as coming from another site is
/// refused (403).
#[utoipa::path(post, path = "/api/v1/session", tag = "session", security(()), request_body = Login,
    responses(
        (status = 200, description = "Logged in; the cookie is set", body = SessionInfo),
        (status = 401, description = "Wrong name or password", body = ErrorBody),
        (status = 403, description = "Sent from another site's page", body = ErrorBody),
        (status = 422, description = "A field is missing", body = ErrorBody),
        (status = 429, description = "Too many failed sign-ins with this name or from this address; see Retry-After", body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    Json(login): Json<Login>,
) -> Result<Response, ApiError> {
    if !same_origin(&headers) {
        return Err(ApiError::forbidden(
            "signing in from another site's page is refused",
        ));
    }
    let throttled = |wait| ApiError::TooManyRequests {
        retry_after_seconds: retry_after_seconds(wait),
    };
    state.sign_ins.check(&login.name, addr).map_err(throttled)?;
    let user = match state
        .store
        .verify_password(&login.name, &login.password)
        .await
    {
        Ok(u) => u,
        Err(clientele_store::StoreError::NotFound { .. }) => {
            state
                .sign_ins
                .failed(&login.name, addr)
                .map_err(throttled)?;
            return Err(ApiError::Unauthorized);
        }
        Err(e) => return Err(e.into()),
    };
    state.sign_ins.succeeded(&login.name);
    let ttl = state.settings.session_ttl_seconds;
    let session = state.store.create_session(user.id, ttl).await?;
    let cookie = cookie_header(&state, &session.cookie, ttl)?;
    let body = SessionInfo {
        user: user.name,
        role: user.role.as_str().into(),
        csrf_token: Some(session.csrf),
        expires_at: Some(session.expires_at),
    };
    Ok(([(SET_COOKIE, cookie)], Json(body)).into_response())
}

/// Who is logged in (by cookie or token).
#[utoipa::path(get, path = "/api/v1/session", tag = "session",
    responses(
        (status = 200, description = "The current user", body = SessionInfo),
        (status = 401, description = "Not authenticated", body = ErrorBody)))]
async fn current(auth: Auth) -> Json<SessionInfo> {
    Json(SessionInfo {
        user: auth.user.name,
        role: auth.user.role.as_str().into(),
        csrf_token: None,
        expires_at: None,
    })
}

/// Logs out: ends the session and clears the cookie.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session",
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Missing CSRF token", body = ErrorBody)))]
async fn logout(
    State(state): State<AppState>,
    _auth: Auth,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(cookie) = cookie_value(&headers, SESSION_COOKIE) {
        state.store.delete_session(cookie).await?;
    }
    let clear = cookie_header(&state, "", 0)?;
    Ok((StatusCode::NO_CONTENT, [(SET_COOKIE, clear)]).into_response())
}
