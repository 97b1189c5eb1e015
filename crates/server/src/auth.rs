//! Who is asking. Every route but `/api/health` and `/api/openapi.json` takes an [`Auth`]
//! argument, so a handler cannot run without an authenticated user.
//!
//! Two ways in: `Authorization: Bearer <token>` (integrations and scripts; tokens are created by
//! `clientele users add` and stored hashed), or the session cookie set by `POST /api/v1/session`
//! (browsers). A cookie is sent by the browser on its own, so unsafe methods authenticated by
//! cookie must also carry the session's CSRF token in `X-CSRF-Token`; bearer requests are exempt
//! because a browser never adds that header by itself.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use clientele_store::{Role, Scope, StoreError, User};
use sha2::{Digest, Sha256};
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

/// Bearer tokens recently found in the store, by the SHA-256 of the token (the token itself is
/// not kept), each with the user it belonged to and when that was read.
#[derive(Debug)]
pub struct TokenCache {
    ttl: Duration,
    entries: Mutex<HashMap<[u8; 32], (User, Instant)>>,
}

/// Tokens cached at most; past this the expired ones go, and if none has, all of them.
const MAX_CACHED_TOKENS: usize = 10_000;

impl TokenCache {
    /// A cache keeping a token's user for `ttl`; a zero `ttl` caches nothing.
    pub fn new(ttl: Duration) -> TokenCache {
        TokenCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn key(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], (User, Instant)>> {
        // A panic while holding the lock cannot leave a half-written entry: keep going.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The user of `token` if it was read from the store less than the TTL ago.
    pub fn get(&self, token: &str) -> Option<User> {
        if self.ttl.is_zero() {
            return None;
        }
        let key = Self::key(token);
        let mut entries = self.entries();
        match entries.get(&key) {
            Some((user, read)) if read.elapsed() < self.ttl => Some(user.clone()),
            Some(_) => {
                entries.remove(&key);
                None
            }
            None => None,
        }
    }

    /// Forgets every token, so the next request of each is checked against the store again
    /// (after a user is disabled or removed, or their tokens revoked, through the API).
    pub fn clear(&self) {
        self.entries().clear();
    }

    /// Remembers that `token` belongs to `user`, as just read from the store.
    pub fn put(&self, token: &str, user: &User) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        if entries.len() >= MAX_CACHED_TOKENS {
            let ttl = self.ttl;
            entries.retain(|_, (_, read)| read.elapsed() < ttl);
            if entries.len() >= MAX_CACHED_TOKENS {
                entries.clear();
            }
        }
        entries.insert(Self::key(token), (user.clone(), Instant::now()));
    }

    /// Forgets every cached token of a user: call after revoking a token or changing the user's
    /// role or password in this process, so the change holds from the next request.
    pub fn forget_user(&self, user_id: i64) {
        self.entries().retain(|_, (user, _)| user.id != user_id);
    }
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
            let user = match state.tokens.get(token) {
                Some(user) => user,
                None => {
                    let user = state.store.user_by_token(token).await.map_err(refused)?;
                    state.tokens.put(token, &user);
                    user
                }
            };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: i64) -> User {
        User {
            id,
            name: format!("u{id}"),
            role: Role::Analyst,
        }
    }

    #[test]
    fn a_cached_token_expires_after_the_ttl_and_is_forgotten_with_its_user() {
        let cache = TokenCache::new(Duration::from_millis(200));
        assert_eq!(cache.get("t1"), None);
        cache.put("t1", &user(1));
        cache.put("t2", &user(2));
        assert_eq!(cache.get("t1"), Some(user(1)));
        assert_eq!(cache.get("other"), None);
        cache.forget_user(1);
        assert_eq!(cache.get("t1"), None);
        assert_eq!(cache.get("t2"), Some(user(2)));
        std::thread::sleep(Duration::from_millis(250));
        assert_eq!(cache.get("t2"), None);
    }

    #[test]
    fn a_zero_ttl_caches_nothing_and_the_cache_stays_bounded() {
        let off = TokenCache::new(Duration::ZERO);
        off.put("t", &user(1));
        assert_eq!(off.get("t"), None);
        let cache = TokenCache::new(Duration::from_secs(60));
        for i in 0..=MAX_CACHED_TOKENS {
            cache.put(&format!("t{i}"), &user(1));
        }
        // All were fresh when the cache filled up, so it started over with the last one.
        assert_eq!(cache.entries().len(), 1);
        assert_eq!(cache.get(&format!("t{MAX_CACHED_TOKENS}")), Some(user(1)));
    }
}
