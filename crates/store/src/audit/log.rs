//! The audit log's entries: appended one at a time or in batches, and read back newest first.

use serde::Serialize;
use sqlx::QueryBuilder;

use crate::db::{Store, dispatch, now};
use crate::dialect;
use crate::error::Result;

/// Entries per INSERT statement of a batch (5 bound parameters each).
const ROWS_PER_STATEMENT: usize = 1000;
const _: () = assert!(dialect::fits_one_statement(ROWS_PER_STATEMENT, 5));

/// An entry of the audit log as read back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

/// An audit entry to append (see [`Store::audit_batch`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// When it happened (Unix seconds): stamped by the caller, so an entry written late by a
    /// buffered writer still says when the view took place.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub customer_id: Option<i64>,
    pub detail: String,
}

impl Store {
    /// Appends an entry to the audit log.
    pub async fn audit(
        &self,
        actor: &str,
        action: &str,
        customer_id: Option<i64>,
        detail: &str,
    ) -> Result<()> {
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(now())
            .bind(actor)
            .bind(action)
            .bind(customer_id)
            .bind(detail)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Appends audit entries in one transaction (one multi-row statement per 1,000), each
    /// stamped with its own `at`.
    pub async fn audit_batch(&self, entries: &[NewAuditEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            for chunk in entries.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) ",
                );
                q.push_values(chunk, |mut b, e| {
                    b.push_bind(e.at)
                        .push_bind(e.actor.clone())
                        .push_bind(e.action.clone())
                        .push_bind(e.customer_id)
                        .push_bind(e.detail.clone());
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Audit entries, newest first: of one customer, or of all when `customer` is `None`.
    pub async fn audit_entries(
        &self,
        customer: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, Option<i64>, AuditEntry)>> {
        type R = (i64, i64, String, String, Option<i64>, String);
        let rows: Vec<R> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT id, at, actor, action, customer_id, detail FROM audit_log
                 WHERE ($1 IS NULL OR customer_id = $1) ORDER BY id DESC LIMIT $2",
            )
            .bind(customer)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, at, actor, action, customer_id, detail)| {
                (
                    id,
                    customer_id,
                    AuditEntry {
                        at,
                        actor,
                        action,
                        detail,
                    },
                )
            })
            .collect())
    }
}
