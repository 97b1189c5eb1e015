//! Browser sessions: a random 256-bit id in a cookie, stored only as its SHA-256 hash, with a
//! per-session CSRF token the browser sends back in a header on unsafe requests.

use rand::RngCore;

use super::accounts::{Role, User, token_hash};
use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};

/// A session just opened: the cookie value and the CSRF token are shown this once.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub cookie: String,
    pub csrf: String,
    pub expires_at: i64,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("cookie", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn user_of(id: i64, name: String, role: String) -> User {
    User {
        id,
        name,
        role: Role::parse(&role).unwrap_or(Role::Analyst),
    }
}

impl Store {
    /// Opens a session for a user, valid for `ttl_seconds`.
    pub async fn create_session(&self, user_id: i64, ttl_seconds: i64) -> Result<NewSession> {
        let cookie = random_hex();
        let csrf = random_hex();
        let created = now();
        let expires_at = created + ttl_seconds;
        dispatch!(self, pool => {
            // Expired sessions are swept whenever a new one opens.
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(created)
                .execute(pool)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (id_sha256, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash(&cookie))
            .bind(user_id)
            .bind(&csrf)
            .bind(created)
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(NewSession {
            cookie,
            csrf,
            expires_at,
        })
    }

    /// The user of an unexpired session and the session's CSRF token; `NotFound` otherwise.
    pub async fn session_user(&self, cookie: &str) -> Result<(User, String)> {
        let row: Option<(i64, String, String, String)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT u.id, u.name, u.role, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id_sha256 = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL",
            )
            .bind(token_hash(cookie))
            .bind(now())
            .fetch_optional(pool)
            .await?
        });
        let (id, name, role, csrf) = row.ok_or_else(|| StoreError::NotFound {
            what: "session",
            key: "(redacted)".into(),
        })?;
        Ok((user_of(id, name, role), csrf))
    }

    /// Ends a session (logging out); unknown sessions are ignored.
    pub async fn delete_session(&self, cookie: &str) -> Result<()> {
        dispatch!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE id_sha256 = $1")
                .bind(token_hash(cookie))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// A user by name.
    pub async fn user_by_name(&self, name: &str) -> Result<User> {
        let row: Option<(i64, String, String)> = dispatch!(self, pool => {
            sqlx::query_as("SELECT id, name, role FROM users WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await?
        });
        let (id, name, role) = row.ok_or_else(|| StoreError::NotFound {
            what: "user",
            key: name.to_string(),
        })?;
        Ok(user_of(id, name, role))
    }
}
