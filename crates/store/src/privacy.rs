//! Personal-data duties: everything held about one customer, exported as one structure, and
//! erasure that removes the person but keeps the anonymous numbers, so totals still add up.

use clientele_core::{Day, Money, Rung, Status, Subgroup};
use serde::Serialize;

use crate::audit::AuditEntry;
use crate::columns;
use crate::customers::{
    ConsentRecord, ContactRecord, CustomerRow, FeedbackRecord, NoteRecord, PersonalDateRecord,
    SurveyRecord, TouchRecord,
};
use crate::db::{Store, day_from_db, dispatch, now};
use crate::error::Result;
// `recurrence.rs` names this path in a serde attribute.
pub(crate) use crate::serialize::ser_day;
use crate::serialize::{ser_money, ser_opt_money, ser_opt_status, ser_opt_subgroup, ser_rung};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderLineRecord {
    pub order_ref: String,
    pub product: String,
    #[serde(serialize_with = "ser_day")]
    pub day: Day,
    #[serde(serialize_with = "ser_money")]
    pub amount: Money,
    #[serde(serialize_with = "ser_opt_money")]
    pub cost: Option<Money>,
    pub quantity: Option<f64>,
    pub category: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SnapshotRecord {
    #[serde(serialize_with = "ser_day")]
    pub as_of: Day,
    #[serde(serialize_with = "ser_rung")]
    pub rung: Rung,
    #[serde(serialize_with = "ser_opt_status")]
    pub status: Option<Status>,
    #[serde(serialize_with = "ser_opt_subgroup")]
    pub subgroup: Option<Subgroup>,
}

/// Everything the store holds about one customer (serialisable as JSON).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerExport {
    pub customer: CustomerRow,
    pub contacts: Vec<ContactRecord>,
    pub consents: Vec<ConsentRecord>,
    pub tags: Vec<String>,
    pub personal_dates: Vec<PersonalDateRecord>,
    pub notes: Vec<NoteRecord>,
    pub touches: Vec<TouchRecord>,
    pub survey_responses: Vec<SurveyRecord>,
    pub feedback: Vec<FeedbackRecord>,
    pub order_lines: Vec<OrderLineRecord>,
    pub snapshots: Vec<SnapshotRecord>,
    pub audit: Vec<AuditEntry>,
}

impl Store {
    /// Exports everything about a customer and records the export in the audit log.
    pub async fn export_customer(&self, id: i64, actor: &str) -> Result<CustomerExport> {
        let customer = self.customer(id).await?;
        type L = (
            String,
            String,
            i64,
            i64,
            Option<i64>,
            Option<f64>,
            Option<String>,
        );
        type S = (i64, String, Option<String>, Option<String>);
        let (lines, snaps): (Vec<L>, Vec<S>) = dispatch!(self, pool => {
            let lines: Vec<L> = sqlx::query_as(
                "SELECT order_ref, product, day, amount, cost, quantity, category FROM order_lines
                 WHERE customer_id = $1 ORDER BY day, id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let snaps = sqlx::query_as(
                "SELECT as_of, rung, status, subgroup FROM score_snapshots WHERE customer_id = $1 ORDER BY as_of",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            (lines, snaps)
        });
        self.audit(actor, "export", Some(id), "personal data export")
            .await?;
        let audit: Vec<(i64, String, String, String)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT at, actor, action, detail FROM audit_log WHERE customer_id = $1 ORDER BY at, id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(CustomerExport {
            contacts: self.contacts(id).await?,
            consents: self.consents(id).await?,
            tags: self.tags(id).await?,
            personal_dates: self.personal_dates(id).await?,
            notes: self.notes(id).await?,
            touches: self.touches(id).await?,
            survey_responses: self.survey_responses(id).await?,
            feedback: self.feedback(id).await?,
            order_lines: lines
                .into_iter()
                .map(
                    |(order_ref, product, day, amount, cost, quantity, category)| OrderLineRecord {
                        order_ref,
                        product,
                        day: day_from_db(day),
                        amount: Money::from_units(amount),
                        cost: cost.map(Money::from_units),
                        quantity,
                        category,
                    },
                )
                .collect(),
            snapshots: snaps
                .into_iter()
                .map(|(as_of, rung, status, subgroup)| {
                    Ok(SnapshotRecord {
                        as_of: day_from_db(as_of),
                        rung: columns::rung("score_snapshots.rung", &rung)?,
                        status: columns::status_opt("score_snapshots.status", status.as_deref())?,
                        subgroup: columns::subgroup_opt(
                            "score_snapshots.subgroup",
                            subgroup.as_deref(),
                        )?,
                    })
                })
                .collect::<Result<_>>()?,
            audit: audit
                .into_iter()
                .map(|(at, actor, action, detail)| AuditEntry {
                    at,
                    actor,
                    action,
                    detail,
                })
                .collect(),
            customer,
        })
    }

    /// Erases a customer's personal data: name, external id (replaced by `erased-<id>`),
    /// contacts, consents, tags, dates, notes, the text of touches, surveys, feedback and the
    /// contact log. Order lines and snapshots stay, attached to the anonymous row, so revenue
    /// and ladder totals still add up. A tombstone of the external id the customer had keeps
    /// them from being created again by a later import (`tombstones.rs`). One transaction;
    /// recorded in the audit log. Then no readable copy is left in the database's files (see
    /// [`Store::scrub`]).
    pub async fn erase_customer(&self, id: i64, actor: &str) -> Result<()> {
        let customer = self.customer(id).await?;
        // A customer erased before tombstones existed has no external id left to mark.
        let tombstone = if customer.erased_at.is_some() {
            None
        } else {
            Some(self.tombstone_for(&customer.external_id).await?)
        };
        let at = now();
        if let Store::Sqlite(pool) = self {
            // Deleted text is overwritten in the search index's b-trees at once, not left in old
            // segments until they merge (FTS5's secure-delete, SQLite 3.42 and later; kept in
            // the index's configuration, so setting it again changes nothing).
            sqlx::query(
                "INSERT INTO customer_search (customer_search, rank) VALUES ('secure-delete', 1)",
            )
            .execute(pool)
            .await?;
        }
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            for sql in [
                "DELETE FROM customer_contacts WHERE customer_id = $1",
                "DELETE FROM consents WHERE customer_id = $1",
                "DELETE FROM customer_tags WHERE customer_id = $1",
                "DELETE FROM personal_dates WHERE customer_id = $1",
                "DELETE FROM greeting_drafts WHERE customer_id = $1",
                "DELETE FROM notes WHERE customer_id = $1",
                "DELETE FROM contact_log WHERE customer_id = $1",
                "DELETE FROM contact_preferences WHERE customer_id = $1",
                "UPDATE touches SET note = NULL, channel = NULL WHERE customer_id = $1",
                "UPDATE survey_responses SET comment = NULL WHERE customer_id = $1",
                "UPDATE feedback SET body = '(erased)' WHERE customer_id = $1",
                "UPDATE customers SET referrer_id = NULL WHERE id = $1",
            ] {
                sqlx::query(sql).bind(id).execute(&mut *tx).await?;
            }
            sqlx::query(
                "UPDATE customers SET external_id = $2, name = NULL, preferred_channel = NULL,
                        manager = NULL, manager_user_id = NULL, image_client = FALSE, erased_at = $3
                 WHERE id = $1",
            )
            .bind(id)
            .bind(format!("erased-{id}"))
            .bind(at)
            .execute(&mut *tx)
            .await?;
            if let Some((mark, _)) = &tombstone {
                sqlx::query(
                    "INSERT INTO erased_customers (id_hmac, erased_at) VALUES ($1, $2)
                     ON CONFLICT (id_hmac) DO NOTHING",
                )
                .bind(mark)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'erase', $3, 'personal data erased')",
            )
            .bind(at)
            .bind(actor)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        self.scrub().await
    }

    /// Leaves no readable copy of deleted text in the database's files. SQLite: the connections
    /// run with `secure_delete` (deleted cells and freed pages are overwritten with zeros, and
    /// the search index's deletions too, FTS5 `secure-delete`), but the pages as they were stay
    /// in the main file until the write-ahead log is copied back into it: a checkpoint does that
    /// and truncates the log (if a reader holds an old snapshot, the checkpoint stops short and
    /// the next one finishes). PostgreSQL: an UPDATE or DELETE leaves the old row version in the
    /// table's files until VACUUM marks its space free; `VACUUM` here does that for the tables
    /// an erasure touches, but the bytes stay until the space is reused, and the write-ahead log
    /// and base backups keep copies until they are recycled (README, "Erasure and backups").
    pub async fn scrub(&self) -> Result<()> {
        match self {
            Store::Sqlite(pool) => {
                sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(pool)
                    .await?;
            }
            Store::Postgres(pool) => {
                sqlx::raw_sql(
                    "VACUUM customers, customer_contacts, consents, customer_tags, personal_dates,
                            notes, contact_log, touches, survey_responses, feedback",
                )
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }
}
