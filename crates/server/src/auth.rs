//! Who is asking. Every route but `/api/health` and `/api/openapi.json` takes an [`Auth`]
//! argument, so a handler cannot run without an authenticated user.
//!
//! Two ways in: `Authorization: Bearer <token>` (integrations and scripts; tokens are created by
//! `clientele users add` and stored hashed), or the session cookie set by `POST /api/v1/session`
//! (browsers). A cookie is sent by the browser on its own, so unsafe methods authenticated by
//! cookie must also carry the session's CSRF token in `X-CSRF-Token`; bearer requests are exempt
//! because a browser never adds that header by itself.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use clientele_store::{Role, Scope, StoreError, User};
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::ApiError;

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "clientele_session";
/// The header carrying the CSRF token on cookie-authenticated unsafe requests.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the request was authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Via {
    Token,
    Session,
}

/// The authenticated user of a request.
#[derive(Clone, Debug)]
pub struct Auth {
    pub user: User,
    pub via: Via,
}

impl Auth {
    /// The customers this user may see: managers only their own.
    pub fn scope(&self) -> Scope {
        match self.user.role {
            Role::Manager => Scope::Manager(self.user.id),
            Role::Admin | Role::Analyst => Scope::All,
        }
    }

    /// Fails with 403 unless the user has one of `roles`.
    pub fn require(&self, roles: &[Role], what: &str) -> Result<(), ApiError> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            let allowed: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::forbidden(format!(
                "{what} is for {} users; you are {}",
                allowed.join(" or "),
                self.user.role.as_str()
            )))
        }
    }
}

/// The value of a cookie in the request's `Cookie` headers.
pub fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn refused(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound { .. } => ApiError::Unauthorized,
        other => other.into(),
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(header) = parts.headers.get(AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or(ApiError::Unauthorized)?;
            let user = state.store.user_by_token(token).await.map_err(refused)?;
            return Ok(Auth {
                user,
                via: Via::Token,
            });
        }
        let cookie = cookie_value(&parts.headers, SESSION_COOKIE).ok_or(ApiError::Unauthorized)?;
        let (user, csrf) = state.store.session_user(cookie).await.map_err(refused)?;
        if !is_safe(&parts.method) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .map(|v| v.as_bytes())
                .unwrap_or_default();
            if !bool::from(sent.ct_eq(csrf.as_bytes())) {
                return Err(ApiError::Csrf);
            }
        }
        Ok(Auth {
            user,
            via: Via::Session,
        })
    }
}
