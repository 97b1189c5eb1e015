//! Users, API tokens, passwords and each user's dashboard language. Tokens are stored only as
//! SHA-256 hashes and passwords only as argon2 hashes: a copy of the database gives no way in.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use sha2::{Digest, Sha256};

use std::sync::LazyLock;

use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};

/// An argon2 hash of a random password with the default parameters, made once: verified against
/// when the user is unknown.
fn dummy_hash() -> PasswordHash<'static> {
    static TEXT: LazyLock<String> = LazyLock::new(|| {
        let mut secret = [0u8; 16];
        rand::rng().fill_bytes(&mut secret);
        let salt = SaltString::encode_b64(&secret).expect("16 bytes encode as a salt");
        Argon2::default()
            .hash_password(&secret, &salt)
            .expect("argon2 hashes 16 bytes")
            .to_string()
    });
    PasswordHash::new(&TEXT).expect("the dummy hash parses")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Everything, including users and erasure.
    Admin,
    /// Reads and analyses every customer.
    Analyst,
    /// Sees and edits only the customers assigned to them.
    Manager,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Analyst => "analyst",
            Role::Manager => "manager",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Admin, Role::Analyst, Role::Manager]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
}

/// A user just created, with the API token shown this once.
#[derive(Clone, PartialEq, Eq)]
pub struct NewUser {
    pub user: User,
    pub token: String,
}

impl std::fmt::Debug for NewUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUser")
            .field("user", &self.user)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// The dashboard's language choices.
pub const LANGUAGES: [&str; 2] = ["en", "ru"];

/// Hex SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("clt_{hex}")
}

impl Store {
    /// Creates a user with an API token; the token is returned once and only its hash is kept.
    pub async fn add_user(&self, name: &str, role: Role) -> Result<NewUser> {
        let name = name.trim();
        if name.is_empty() || name.chars().any(char::is_control) {
            return Err(StoreError::Invalid {
                field: "name",
                reason: "a user name must be non-empty printable text".into(),
            });
        }
        let token = new_token();
        let hash = token_hash(&token);
        let at = now();
        let id: Option<i64> = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO users (name, role, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (name) DO NOTHING RETURNING id",
            )
            .bind(name)
            .bind(role.as_str())
            .bind(at)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(id) = id {
                sqlx::query("INSERT INTO api_tokens (user_id, token_sha256, created_at) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(&hash)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            id
        });
        let id = id.ok_or_else(|| StoreError::Conflict(format!("user '{name}'")))?;
        Ok(NewUser {
            user: User {
                id,
                name: name.to_string(),
                role,
            },
            token,
        })
    }

    /// The user an API token belongs to (not revoked, user not disabled); `NotFound` otherwise.
    pub async fn user_by_token(&self, token: &str) -> Result<User> {
        let hash = token_hash(token);
        let row: Option<(i64, String, String)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT u.id, u.name, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.token_sha256 = $1 AND t.revoked_at IS NULL AND u.disabled_at IS NULL",
            )
            .bind(&hash)
            .fetch_optional(pool)
            .await?
        });
        let (id, name, role) = row.ok_or_else(|| StoreError::not_found("token", "(redacted)"))?;
        Ok(User {
            id,
            name,
            role: Role::parse(&role).unwrap_or(Role::Analyst),
        })
    }

    /// Sets a user's password (argon2id, random salt) and ends every session of the user, so
    /// whoever signed in with the old password is signed out.
    pub async fn set_password(&self, user_id: i64, password: &str) -> Result<()> {
        if password.chars().count() < 10 {
            return Err(StoreError::Invalid {
                field: "password",
                reason: "must be at least 10 characters".into(),
            });
        }
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| StoreError::Invalid {
            field: "password",
            reason: e.to_string(),
        })?;
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| StoreError::Invalid {
                field: "password",
                reason: e.to_string(),
            })?
            .to_string();
        let n = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let n = sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                .bind(user_id)
                .bind(&hash)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            n
        });
        if n == 0 {
            return Err(StoreError::not_found("user", user_id));
        }
        Ok(())
    }

    /// Checks a name and password; `NotFound` for an unknown user or a wrong password (the
    /// caller cannot tell which, on purpose).
    pub async fn verify_password(&self, name: &str, password: &str) -> Result<User> {
        let row: Option<(i64, String, String, Option<String>)> = dispatch!(self, pool => {
            // A disabled user is treated as one without a password: refused after the same work.
            sqlx::query_as(
                "SELECT id, name, role, CASE WHEN disabled_at IS NULL THEN password_hash END
                 FROM users WHERE name = $1",
            )
                .bind(name)
                .fetch_optional(pool)
                .await?
        });
        let refused = || StoreError::not_found("user with this password", name);
        let Some((id, name, role, Some(hash))) = row else {
            // An unknown user (or one without a password) costs the same argon2 verification
            // as a known one, so the time of the answer does not tell which names exist.
            let _ = Argon2::default().verify_password(password.as_bytes(), &dummy_hash());
            return Err(refused());
        };
        let parsed = PasswordHash::new(&hash).map_err(|_| refused())?;
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .map_err(|_| refused())?;
        Ok(User {
            id,
            name,
            role: Role::parse(&role).unwrap_or(Role::Analyst),
        })
    }

    /// The user's chosen dashboard language, if any.
    pub async fn user_language(&self, user_id: i64) -> Result<Option<String>> {
        let lang: Option<Option<String>> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT language FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(lang.flatten())
    }

    /// Stores the user's dashboard language (`en` or `ru`).
    pub async fn set_user_language(&self, user_id: i64, language: &str) -> Result<()> {
        if !LANGUAGES.contains(&language) {
            return Err(StoreError::Invalid {
                field: "language",
                reason: format!("'{language}' is not one of {}", LANGUAGES.join(", ")),
            });
        }
        dispatch!(self, pool => {
            sqlx::query("UPDATE users SET language = $2 WHERE id = $1")
                .bind(user_id)
                .bind(language)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
