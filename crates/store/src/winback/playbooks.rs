//! The playbook an admin saved (the latest version is in force; earlier ones stay as the
//! history) and the CLV horizon each snapshot was scored with.

use clientele_core::Day;

use crate::db::{Store, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};

/// The longest playbook text accepted, in bytes.
pub const MAX_PLAYBOOK_BYTES: usize = 256 * 1024;

/// One saved version of the playbook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlaybookVersion {
    pub id: i64,
    /// The playbook file's text (TOML), as saved.
    pub toml: String,
    pub saved_at: i64,
    pub saved_by: String,
}

impl Store {
    /// Saves a new version of the playbook (checked by the caller) with its audit entry, in one
    /// transaction; returns its id.
    pub async fn save_playbook(&self, toml: &str, saved_by: &str) -> Result<i64> {
        if toml.len() > MAX_PLAYBOOK_BYTES {
            return Err(StoreError::invalid(
                "playbook",
                format!("is longer than {MAX_PLAYBOOK_BYTES} bytes"),
            ));
        }
        let at = now();
        let id: i64 = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO winback_playbooks (toml, saved_at, saved_by) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(toml)
            .bind(at)
            .bind(saved_by)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'playbook', NULL, $3)",
            )
            .bind(at)
            .bind(saved_by)
            .bind(format!("playbook version {id} saved"))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The playbook in force (the latest saved version), if an admin saved one.
    pub async fn current_playbook(&self) -> Result<Option<PlaybookVersion>> {
        Ok(self.playbook_versions(1).await?.into_iter().next())
    }

    /// The saved versions, latest first (at most `limit`).
    pub async fn playbook_versions(&self, limit: u32) -> Result<Vec<PlaybookVersion>> {
        let rows: Vec<(i64, String, i64, String)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT id, toml, saved_at, saved_by FROM winback_playbooks ORDER BY id DESC LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, toml, saved_at, saved_by)| PlaybookVersion {
                id,
                toml,
                saved_at,
                saved_by,
            })
            .collect())
    }

    /// The CLV horizon of the snapshot of `as_of`, when scoring recorded it (snapshots written
    /// before this version have none).
    pub async fn clv_horizon(&self, as_of: Day) -> Result<Option<u32>> {
        let days: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT clv_horizon_days FROM snapshot_horizons WHERE as_of = $1")
                .bind(day_to_db(as_of))
                .fetch_optional(pool)
                .await?
        });
        Ok(days.and_then(|d| u32::try_from(d).ok()))
    }
}
