//! Consent history: grants and withdrawals per channel, each with its day, its source and who
//! recorded it. Rows are only ever added: a withdrawal is a new row, the latest per channel is
//! in force (the core's `contact_policy::consent_in_force` decides).

use clientele_core::Day;

use crate::customers::Channel;
use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// The longest source text accepted, in characters.
pub const MAX_CONSENT_SOURCE_CHARS: usize = 200;

/// A grant or withdrawal to record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewConsent {
    pub channel: Channel,
    pub granted: bool,
    /// The day it was given or withdrawn.
    pub day: Day,
    /// Where: `import`, `api`, `card`, or the words of a file.
    pub source: String,
}

/// One row of a consents file, its customer already resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentImportRow {
    pub customer_id: i64,
    pub consent: NewConsent,
}

/// A consent event as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentEntry {
    pub id: i64,
    pub channel: Channel,
    pub granted: bool,
    pub day: Day,
    pub source: String,
    /// When it was recorded (Unix seconds); `None` for rows older than the history's columns.
    pub recorded_at: Option<i64>,
    /// Who recorded it (a user's name, or `import`).
    pub recorded_by: Option<String>,
}

type EntryColumns = (i64, String, bool, i64, String, Option<i64>, Option<String>);

fn entry(row: EntryColumns) -> Result<ConsentEntry> {
    let (id, channel, granted, day, source, recorded_at, recorded_by) = row;
    Ok(ConsentEntry {
        id,
        channel: Channel::parse(&channel).ok_or(StoreError::Unreadable {
            column: "consents.channel",
            value: channel,
        })?,
        granted,
        day: day_from_db(day),
        source,
        recorded_at,
        recorded_by,
    })
}

pub(crate) fn check_consent(consent: &NewConsent) -> Result<()> {
    let source = consent.source.trim();
    if source.is_empty() {
        return Err(StoreError::invalid(
            "source",
            "say where the consent was given",
        ));
    }
    if source.chars().count() > MAX_CONSENT_SOURCE_CHARS {
        return Err(StoreError::invalid(
            "source",
            format!("longer than {MAX_CONSENT_SOURCE_CHARS} characters"),
        ));
    }
    Ok(())
}

impl Store {
    /// The customer's consent history within `scope`, oldest first (by day, then as recorded).
    pub async fn consent_history(&self, scope: Scope, customer: i64) -> Result<Vec<ConsentEntry>> {
        self.visible_customer(scope, customer).await?;
        let rows: Vec<EntryColumns> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT id, channel, granted, day, source, recorded_at, recorded_by FROM consents
                 WHERE customer_id = $1 ORDER BY day, id",
            )
            .bind(customer)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(entry).collect()
    }

    /// Records a grant or withdrawal for a customer within `scope`, by `actor`, with its audit
    /// entry, in one transaction; returns the stored event.
    pub async fn record_consent_as(
        &self,
        scope: Scope,
        customer: i64,
        consent: &NewConsent,
        actor: &str,
    ) -> Result<ConsentEntry> {
        check_consent(consent)?;
        let at = now();
        let source = consent.source.trim();
        let id: Option<i64> = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO consents (customer_id, channel, granted, day, source, recorded_at, recorded_by)
                 SELECT id, $2, $3, $4, $5, $6, $7 FROM customers
                 WHERE id = $1 AND ($8 IS NULL OR manager_user_id = $8)
                 RETURNING id",
            )
            .bind(customer)
            .bind(consent.channel.as_str())
            .bind(consent.granted)
            .bind(day_to_db(consent.day))
            .bind(source)
            .bind(at)
            .bind(actor)
            .bind(scope.manager())
            .fetch_optional(&mut *tx)
            .await?;
            if id.is_some() {
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'consent', $3, $4)",
                )
                .bind(at)
                .bind(actor)
                .bind(customer)
                .bind(format!(
                    "{} {} on {} ({source})",
                    consent.channel.as_str(),
                    if consent.granted { "granted" } else { "withdrawn" },
                    consent.day
                ))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            id
        });
        let id = id.ok_or_else(|| StoreError::not_found("customer", customer))?;
        Ok(ConsentEntry {
            id,
            channel: consent.channel,
            granted: consent.granted,
            day: consent.day,
            source: source.to_string(),
            recorded_at: Some(at),
            recorded_by: Some(actor.to_string()),
        })
    }

    /// Records a file's consents in one transaction (all or nothing), by `actor`, with one audit
    /// entry per customer; returns how many were written. An event already stored (same
    /// customer, channel, grant, day and source) is not written twice, so importing a file
    /// again changes nothing.
    pub async fn import_consents(&self, rows: &[ConsentImportRow], actor: &str) -> Result<u64> {
        for row in rows {
            check_consent(&row.consent)?;
        }
        let at = now();
        let written: u64 = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let mut written = 0u64;
            for row in rows {
                let c = &row.consent;
                let done = sqlx::query(
                    "INSERT INTO consents (customer_id, channel, granted, day, source, recorded_at, recorded_by)
                     SELECT $1, $2, $3, $4, $5, $6, $7
                     WHERE NOT EXISTS (SELECT 1 FROM consents WHERE customer_id = $1 AND channel = $2
                                       AND granted = $3 AND day = $4 AND source = $5)",
                )
                .bind(row.customer_id)
                .bind(c.channel.as_str())
                .bind(c.granted)
                .bind(day_to_db(c.day))
                .bind(c.source.trim())
                .bind(at)
                .bind(actor)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done > 0 {
                    sqlx::query(
                        "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'consent', $3, $4)",
                    )
                    .bind(at)
                    .bind(actor)
                    .bind(row.customer_id)
                    .bind(format!(
                        "{} {} on {} (import: {})",
                        c.channel.as_str(),
                        if c.granted { "granted" } else { "withdrawn" },
                        c.day,
                        c.source.trim()
                    ))
                    .execute(&mut *tx)
                    .await?;
                }
                written += done;
            }
            tx.commit().await?;
            written
        });
        Ok(written)
    }
}
