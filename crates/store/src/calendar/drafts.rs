//! Greeting drafts: written once per customer, occasion and day, edited by users until sent,
//! then linked to the contact-log row. No two drafts of one occasion and day hold the same text:
//! the app composes new ones against the texts already taken ([`Store::greeting_texts`]), and an
//! edit that would repeat another customer's text is refused.

use clientele_core::Day;
use sqlx::QueryBuilder;

use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// The longest greeting accepted, in characters (the core writes at most about 5,400).
pub const MAX_GREETING_CHARS: usize = 10_000;

/// A draft to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewGreetingDraft {
    pub customer_id: i64,
    /// The key customers of one occasion share (`care::occasion::occasion_key`).
    pub occasion: String,
    /// The personal date's label as stored (or `first_purchase`).
    pub label: String,
    pub day: Day,
    /// `en` or `ru`.
    pub language: String,
    pub body: String,
    pub variant: Option<u32>,
}

/// A stored draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GreetingDraft {
    pub id: i64,
    pub customer_id: i64,
    pub occasion: String,
    pub label: String,
    pub day: Day,
    pub language: String,
    pub body: String,
    pub variant: Option<u32>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub edited_by: Option<String>,
    pub sent_at: Option<i64>,
    pub sent_by: Option<String>,
    pub contact_log_id: Option<i64>,
}

type DraftColumns = (
    i64,
    i64,
    String,
    String,
    i64,
    String,
    String,
    Option<i64>,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

/// The columns [`draft`] reads, for `concat!`.
macro_rules! draft_columns {
    () => {
        "SELECT d.id, d.customer_id, d.occasion, d.label, d.day, d.language, d.body, d.variant,
 d.created_at, d.edited_at, d.edited_by, d.sent_at, d.sent_by, d.contact_log_id
 FROM greeting_drafts d JOIN customers c ON c.id = d.customer_id"
    };
}

fn draft(
    (
        id,
        customer_id,
        occasion,
        label,
        day,
        language,
        body,
        variant,
        created_at,
        edited_at,
        edited_by,
        sent_at,
        sent_by,
        contact_log_id,
    ): DraftColumns,
) -> GreetingDraft {
    GreetingDraft {
        id,
        customer_id,
        occasion,
        label,
        day: day_from_db(day),
        language,
        body,
        variant: variant.and_then(|v| u32::try_from(v).ok()),
        created_at,
        edited_at,
        edited_by,
        sent_at,
        sent_by,
        contact_log_id,
    }
}

/// Checks a greeting's text: not empty, within [`MAX_GREETING_CHARS`], no control characters
/// but line breaks and tabs.
pub(crate) fn check_body(body: &str) -> Result<()> {
    if body.trim().is_empty() {
        return Err(StoreError::invalid("body", "the greeting is empty"));
    }
    if body.chars().count() > MAX_GREETING_CHARS {
        return Err(StoreError::invalid(
            "body",
            format!("the greeting is longer than {MAX_GREETING_CHARS} characters"),
        ));
    }
    if body
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(StoreError::invalid(
            "body",
            "the greeting contains control characters",
        ));
    }
    Ok(())
}

impl Store {
    /// The drafts of customers within `scope` whose occasions fall on `from ..= to`, by day,
    /// customer and id.
    pub async fn greeting_drafts_between(
        &self,
        scope: Scope,
        from: Day,
        to: Day,
    ) -> Result<Vec<GreetingDraft>> {
        let rows: Vec<DraftColumns> = dispatch!(self, pool => {
            let mut q = QueryBuilder::new(concat!(draft_columns!(), " WHERE d.day BETWEEN "));
            q.push_bind(day_to_db(from)).push(" AND ").push_bind(day_to_db(to));
            if let Some(m) = scope.manager() {
                q.push(" AND c.manager_user_id = ").push_bind(m);
            }
            q.push(" ORDER BY d.day, d.customer_id, d.id");
            q.build_query_as().fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(draft).collect())
    }

    /// Every text already given to a customer for `occasion` on `day` (whoever serves them:
    /// uniqueness holds across managers).
    pub async fn greeting_texts(&self, occasion: &str, day: Day) -> Result<Vec<String>> {
        Ok(dispatch!(self, pool => {
            sqlx::query_scalar("SELECT body FROM greeting_drafts WHERE occasion = $1 AND day = $2")
                .bind(occasion)
                .bind(day_to_db(day))
                .fetch_all(pool)
                .await?
        }))
    }

    /// Stores new drafts in one transaction; a draft for a customer, occasion and day that
    /// already has one is left as it was (so two users listing at once keep the first).
    pub async fn insert_greeting_drafts(&self, drafts: &[NewGreetingDraft]) -> Result<()> {
        for d in drafts {
            check_body(&d.body)?;
        }
        let at = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            for d in drafts {
                sqlx::query(
                    "INSERT INTO greeting_drafts (customer_id, occasion, label, day, language, body, variant, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (customer_id, occasion, day) DO NOTHING",
                )
                .bind(d.customer_id)
                .bind(&d.occasion)
                .bind(&d.label)
                .bind(day_to_db(d.day))
                .bind(&d.language)
                .bind(&d.body)
                .bind(d.variant.map(i64::from))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// One draft of a customer within `scope`.
    pub async fn greeting_draft(&self, scope: Scope, id: i64) -> Result<GreetingDraft> {
        let row: Option<DraftColumns> = dispatch!(self, pool => {
            sqlx::query_as(concat!(
                draft_columns!(),
                " WHERE d.id = $1 AND ($2 IS NULL OR c.manager_user_id = $2)"
            ))
            .bind(id)
            .bind(scope.manager())
            .fetch_optional(pool)
            .await?
        });
        row.map(draft)
            .ok_or_else(|| StoreError::not_found("greeting draft", id))
    }

    /// Replaces a draft's text, with its audit entry, in one transaction. Refused (`Conflict`)
    /// once the draft was sent, or when another customer of the same occasion and day already
    /// has this text.
    pub async fn edit_greeting_draft(
        &self,
        scope: Scope,
        id: i64,
        body: &str,
        actor: &str,
    ) -> Result<GreetingDraft> {
        check_body(body)?;
        let current = self.greeting_draft(scope, id).await?;
        if current.sent_at.is_some() {
            return Err(StoreError::Conflict(format!(
                "a sent greeting for draft {id}"
            )));
        }
        let at = now();
        let outcome: Result<()> = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let same: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM greeting_drafts WHERE occasion = $1 AND day = $2 AND body = $3 AND id <> $4",
            )
            .bind(&current.occasion)
            .bind(day_to_db(current.day))
            .bind(body)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            if same > 0 {
                Err(StoreError::Conflict(
                    "this text for another customer of the occasion".into(),
                ))
            } else {
                sqlx::query(
                    "UPDATE greeting_drafts SET body = $2, variant = NULL, edited_at = $3, edited_by = $4
                     WHERE id = $1 AND sent_at IS NULL",
                )
                .bind(id)
                .bind(body)
                .bind(at)
                .bind(actor)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'greeting', $3, $4)",
                )
                .bind(at)
                .bind(actor)
                .bind(current.customer_id)
                .bind(format!("greeting draft {id} edited"))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }
        });
        outcome?;
        self.greeting_draft(scope, id).await
    }

    /// Marks a draft sent by `actor`, linked to the contact-log row the policy wrote.
    /// `Conflict` when it was already sent.
    pub async fn mark_greeting_sent(
        &self,
        id: i64,
        contact_log_id: i64,
        actor: &str,
    ) -> Result<()> {
        let at = now();
        let changed = dispatch!(self, pool => {
            sqlx::query(
                "UPDATE greeting_drafts SET sent_at = $2, sent_by = $3, contact_log_id = $4
                 WHERE id = $1 AND sent_at IS NULL",
            )
            .bind(id)
            .bind(at)
            .bind(actor)
            .bind(contact_log_id)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::Conflict(format!(
                "a sent greeting for draft {id}"
            )));
        }
        Ok(())
    }
}
