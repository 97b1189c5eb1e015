//! Personal-data duties: everything held about one customer, exported as one structure, and
//! erasure that removes the person but keeps the anonymous numbers, so totals still add up.

use serde::{Serialize, Serializer};

use crate::model::CustomerRow;
use crate::{
    ConsentRecord, ContactRecord, Day, FeedbackRecord, Money, NoteRecord, PersonalDateRecord,
    Result, Store, SurveyRecord, TouchRecord, day_from_db, dispatch, now,
};

pub(crate) fn ser_day<S: Serializer>(day: &Day, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&day.to_string())
}

fn ser_money<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&m.to_string())
}

fn ser_opt_money<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
    match m {
        Some(m) => s.serialize_str(&m.to_string()),
        None => s.serialize_none(),
    }
}

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
    pub rung: String,
    pub status: Option<String>,
    pub subgroup: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
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
                .map(|(as_of, rung, status, subgroup)| SnapshotRecord {
                    as_of: day_from_db(as_of),
                    rung,
                    status,
                    subgroup,
                })
                .collect(),
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
    /// and ladder totals still add up. One transaction; recorded in the audit log.
    pub async fn erase_customer(&self, id: i64, actor: &str) -> Result<()> {
        self.customer(id).await?;
        let at = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            for sql in [
                "DELETE FROM customer_contacts WHERE customer_id = $1",
                "DELETE FROM consents WHERE customer_id = $1",
                "DELETE FROM customer_tags WHERE customer_id = $1",
                "DELETE FROM personal_dates WHERE customer_id = $1",
                "DELETE FROM notes WHERE customer_id = $1",
                "DELETE FROM contact_log WHERE customer_id = $1",
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
        Ok(())
    }
}
