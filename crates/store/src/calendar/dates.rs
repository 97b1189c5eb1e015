//! Personal dates a user or a file adds: the label is checked by the core's rules
//! (`care::occasion::check_label`), the rule by `DateRule::validate`; a date already on file
//! (the same label and rule) is not added twice.

use clientele_core::care::occasion::check_label;

use crate::customers::PersonalDateRecord;
use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// The most rows one personal-dates file may hold.
pub const MAX_DATE_IMPORT_ROWS: usize = 1_000_000;

/// A row of a personal-dates file: the customer by the id the company's exports use.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonalDateImportRow {
    /// The row's line in its file (for the error that names it).
    pub line: u64,
    pub external_id: String,
    pub date: PersonalDateRecord,
}

fn check(date: &PersonalDateRecord) -> Result<()> {
    check_label(&date.label).map_err(|reason| StoreError::invalid("label", reason))?;
    date.rule.validate()?;
    Ok(())
}

impl Store {
    /// Adds a personal date to a customer within `scope`, with its audit entry, in one
    /// transaction. `Conflict` when the customer already has this label on this rule;
    /// `NotFound` outside the scope.
    pub async fn add_personal_date_audited(
        &self,
        scope: Scope,
        customer: i64,
        actor: &str,
        date: &PersonalDateRecord,
    ) -> Result<()> {
        check(date)?;
        self.visible_customer(scope, customer).await?;
        let label = date.label.trim();
        let c = date.rule.columns();
        let at = now();
        let added: bool = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let existing: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM personal_dates WHERE customer_id = $1 AND label = $2 AND rule = $3
                   AND year IS NOT DISTINCT FROM $4 AND month IS NOT DISTINCT FROM $5
                   AND day IS NOT DISTINCT FROM $6 AND weekday IS NOT DISTINCT FROM $7
                   AND nth IS NOT DISTINCT FROM $8 AND offset_days = $9",
            )
            .bind(customer).bind(label).bind(c.rule).bind(c.year).bind(c.month).bind(c.day)
            .bind(c.weekday).bind(c.nth).bind(c.offset_days)
            .fetch_one(&mut *tx)
            .await?;
            if existing == 0 {
                sqlx::query(
                    "INSERT INTO personal_dates (customer_id, label, rule, year, month, day, weekday, nth, offset_days)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(customer).bind(label).bind(c.rule).bind(c.year).bind(c.month).bind(c.day)
                .bind(c.weekday).bind(c.nth).bind(c.offset_days)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'personal_date', $3, $4)",
                )
                .bind(at)
                .bind(actor)
                .bind(customer)
                .bind(format!("personal date '{label}' ({}) added", c.rule))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            existing == 0
        });
        if !added {
            return Err(StoreError::Conflict(format!("the personal date '{label}'")));
        }
        Ok(())
    }

    /// Adds the personal dates of a file, all or nothing: a row naming a customer the store
    /// lacks, or holding a bad label or rule, fails the whole file naming its line. Dates
    /// already on file are counted, not added again. Returns (added, already on file).
    pub async fn import_personal_dates(
        &self,
        rows: &[PersonalDateImportRow],
        actor: &str,
    ) -> Result<(usize, usize)> {
        if rows.len() > MAX_DATE_IMPORT_ROWS {
            return Err(StoreError::invalid(
                "file",
                format!("more than {MAX_DATE_IMPORT_ROWS} personal dates"),
            ));
        }
        for r in rows {
            check(&r.date).map_err(|e| StoreError::Invalid {
                field: "file",
                reason: format!("line {}: {e}", r.line),
            })?;
        }
        let at = now();
        let (added, present) = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let (mut added, mut present) = (0usize, 0usize);
            for r in rows {
                let id: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM customers WHERE external_id = $1 AND erased_at IS NULL",
                )
                .bind(r.external_id.trim())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else {
                    return Err(StoreError::Invalid {
                        field: "file",
                        reason: format!(
                            "line {}: no customer '{}' in the store",
                            r.line, r.external_id
                        ),
                    });
                };
                let label = r.date.label.trim();
                let c = r.date.rule.columns();
                let existing: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM personal_dates WHERE customer_id = $1 AND label = $2 AND rule = $3
                       AND year IS NOT DISTINCT FROM $4 AND month IS NOT DISTINCT FROM $5
                       AND day IS NOT DISTINCT FROM $6 AND weekday IS NOT DISTINCT FROM $7
                       AND nth IS NOT DISTINCT FROM $8 AND offset_days = $9",
                )
                .bind(id).bind(label).bind(c.rule).bind(c.year).bind(c.month).bind(c.day)
                .bind(c.weekday).bind(c.nth).bind(c.offset_days)
                .fetch_one(&mut *tx)
                .await?;
                if existing > 0 {
                    present += 1;
                    continue;
                }
                sqlx::query(
                    "INSERT INTO personal_dates (customer_id, label, rule, year, month, day, weekday, nth, offset_days)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(id).bind(label).bind(c.rule).bind(c.year).bind(c.month).bind(c.day)
                .bind(c.weekday).bind(c.nth).bind(c.offset_days)
                .execute(&mut *tx)
                .await?;
                added += 1;
            }
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'personal_dates_import', NULL, $3)",
            )
            .bind(at)
            .bind(actor)
            .bind(format!("{added} personal dates imported, {present} already on file"))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            (added, present)
        });
        Ok((added, present))
    }
}
