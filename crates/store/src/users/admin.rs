//! Administering users (issue 23, item 5): listing them, disabling and enabling one, removing
//! one, and revoking a user's API tokens. Every change takes effect at the next request: the
//! token and session lookups (`accounts.rs`, `sessions.rs`) and password sign-in refuse a
//! disabled user, disabling ends the user's sessions, and removing deletes their tokens and
//! sessions with them (what they wrote stays, without the author link). The last enabled admin
//! can be neither disabled nor removed, so the store always keeps someone who can administer it.

use super::accounts::{NewUser, Role, User, new_token, token_hash};
use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};

/// A user as an admin sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRow {
    pub user: User,
    pub created_at: i64,
    /// When the user was disabled (Unix seconds); `None` while enabled.
    pub disabled_at: Option<i64>,
    /// API tokens not revoked.
    pub active_tokens: i64,
    pub has_password: bool,
}

fn role_of(text: &str) -> Role {
    Role::parse(text).unwrap_or(Role::Analyst)
}

impl Store {
    /// Every user, by name.
    pub async fn list_users(&self) -> Result<Vec<UserRow>> {
        type R = (i64, String, String, i64, Option<i64>, i64, bool);
        let rows: Vec<R> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT u.id, u.name, u.role, u.created_at, u.disabled_at,
                        (SELECT COUNT(*) FROM api_tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL),
                        u.password_hash IS NOT NULL
                 FROM users u ORDER BY u.name",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(id, name, role, created_at, disabled_at, active_tokens, has_password)| UserRow {
                    user: User {
                        id,
                        name,
                        role: role_of(&role),
                    },
                    created_at,
                    disabled_at,
                    active_tokens,
                    has_password,
                },
            )
            .collect())
    }

    /// A user by id, enabled or not.
    pub async fn user_row(&self, id: i64) -> Result<UserRow> {
        self.list_users()
            .await?
            .into_iter()
            .find(|u| u.user.id == id)
            .ok_or_else(|| StoreError::not_found("user", id))
    }

    /// Fails with `Conflict` if `id` is the only enabled admin.
    async fn keep_an_admin(&self, id: i64, doing: &str) -> Result<()> {
        let others: i64 = dispatch!(self, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL AND id <> $1",
            )
            .bind(id)
            .fetch_one(pool)
            .await?
        });
        let row = self.user_row(id).await?;
        if row.user.role == Role::Admin && row.disabled_at.is_none() && others == 0 {
            return Err(StoreError::Conflict(format!(
                "'{}' is the only enabled admin: {doing} would leave nobody to administer the store",
                row.user.name
            )));
        }
        Ok(())
    }

    /// Disables a user and ends their sessions; their tokens and password stop working until
    /// [`Store::enable_user`]. Disabling a disabled user changes nothing.
    pub async fn disable_user(&self, id: i64) -> Result<UserRow> {
        self.keep_an_admin(id, "disabling them").await?;
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            sqlx::query("UPDATE users SET disabled_at = $2 WHERE id = $1 AND disabled_at IS NULL")
                .bind(id)
                .bind(now())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        self.user_row(id).await
    }

    /// Lets a disabled user in again (their tokens not revoked work again).
    pub async fn enable_user(&self, id: i64) -> Result<UserRow> {
        dispatch!(self, pool => {
            sqlx::query("UPDATE users SET disabled_at = NULL WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
        });
        self.user_row(id).await
    }

    /// Removes a user with their tokens and sessions; notes and contacts they wrote stay,
    /// without the link to them (`ON DELETE SET NULL`), and customers assigned to them become
    /// unassigned. Returns who was removed.
    pub async fn remove_user(&self, id: i64) -> Result<User> {
        self.keep_an_admin(id, "removing them").await?;
        let row = self.user_row(id).await?;
        dispatch!(self, pool => {
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id)
                .execute(pool)
                .await?;
        });
        Ok(row.user)
    }

    /// Revokes every API token of a user; returns how many were active. With `reissue`, one
    /// new token is created and returned (shown once, as by [`Store::add_user`]).
    pub async fn revoke_tokens(&self, id: i64, reissue: bool) -> Result<(u64, Option<NewUser>)> {
        let row = self.user_row(id).await?;
        let at = now();
        let token = reissue.then(new_token);
        let revoked = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let n = sqlx::query(
                "UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
            )
            .bind(id)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if let Some(token) = &token {
                sqlx::query("INSERT INTO api_tokens (user_id, token_sha256, created_at) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(token_hash(token))
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            n
        });
        Ok((
            revoked,
            token.map(|token| NewUser {
                user: row.user,
                token,
            }),
        ))
    }
}
