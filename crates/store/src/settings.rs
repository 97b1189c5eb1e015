//! Settings of the whole database (migration `0045_settings`) that every front end reads alike:
//! the CLI, the server and its pages. A key that is not stored is "not set", and the reader
//! applies its documented default; only the keys of [`Setting`] exist.
//!
//! Also the sample of the data the currency's detection reads when none is set
//! ([`Store::currency_evidence`]; the rule is `clientele_core::currency::detect`).

use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};

/// A setting of the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Setting {
    /// The currency amounts are in: an ISO 4217 code (`RUB`). Not set: detected from the data.
    Currency,
}

impl Setting {
    pub const ALL: [Setting; 1] = [Setting::Currency];

    /// The stored key, also the name front ends use (`clientele settings currency`).
    pub fn key(self) -> &'static str {
        match self {
            Setting::Currency => "currency",
        }
    }

    pub fn parse(key: &str) -> Option<Setting> {
        Setting::ALL.into_iter().find(|s| s.key() == key.trim())
    }
}

/// The longest value a setting may hold, in bytes.
pub const MAX_SETTING_BYTES: usize = 200;

/// What the data says about where the company is: a sample of phone numbers and names.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CurrencyEvidence {
    pub phones: Vec<String>,
    pub names: Vec<String>,
}

impl Store {
    /// The stored value of `setting`, `None` when it is not set.
    pub async fn setting(&self, setting: Setting) -> Result<Option<String>> {
        let value: Option<String> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(setting.key())
                .fetch_optional(pool)
                .await?
        });
        Ok(value)
    }

    /// Stores `value` for `setting` (the caller checks its meaning; the store its size).
    pub async fn set_setting(&self, setting: Setting, value: &str) -> Result<()> {
        if value.trim().is_empty() || value.len() > MAX_SETTING_BYTES {
            return Err(StoreError::invalid(
                setting.key(),
                format!("a setting holds 1 to {MAX_SETTING_BYTES} bytes"),
            ));
        }
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                     updated_at = excluded.updated_at",
            )
            .bind(setting.key())
            .bind(value.trim())
            .bind(now())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Removes `setting`, so its default applies again.
    pub async fn clear_setting(&self, setting: Setting) -> Result<()> {
        dispatch!(self, pool => {
            sqlx::query("DELETE FROM settings WHERE key = $1")
                .bind(setting.key())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Up to `limit` phone numbers and `limit` names of customers, the first by id (two reads
    /// of a primary key's first rows: cheap at any size).
    pub async fn currency_evidence(&self, limit: u32) -> Result<CurrencyEvidence> {
        let (phones, names): (Vec<String>, Vec<String>) = dispatch!(self, pool => {
            let phones = sqlx::query_scalar(
                "SELECT value FROM customer_contacts WHERE channel = 'phone' ORDER BY id LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            let names = sqlx::query_scalar(
                "SELECT name FROM customers WHERE name IS NOT NULL AND erased_at IS NULL
                 ORDER BY id LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?;
            (phones, names)
        });
        Ok(CurrencyEvidence { phones, names })
    }
}
