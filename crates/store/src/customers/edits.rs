//! Edits a user makes to a customer within their scope, each written together with its audit
//! entry in one transaction: dossier notes and profile fields.

use super::records::NoteRecord;
use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};
use crate::scope::Scope;
use crate::users::User;

/// Profile fields a user may change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct CustomerEdit {
    pub name: Option<String>,
    pub image_client: Option<bool>,
    /// `Some(Some(user))` assigns the customer to a user, `Some(None)` unassigns it.
    pub manager_user_id: Option<Option<i64>>,
}

fn not_found(id: i64) -> StoreError {
    StoreError::not_found("customer", id)
}

/// The longest note accepted, in characters.
pub const MAX_NOTE_CHARS: usize = 20_000;

impl Store {
    /// Fails with `NotFound` unless the customer exists within `scope`.
    pub async fn visible_customer(&self, scope: Scope, id: i64) -> Result<()> {
        let found: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar(
                "SELECT id FROM customers WHERE id = $1 AND ($2 IS NULL OR manager_user_id = $2)",
            )
            .bind(id)
            .bind(scope.manager())
            .fetch_optional(pool)
            .await?
        });
        found.map(|_| ()).ok_or_else(|| not_found(id))
    }

    /// Adds a dossier note by `author` to a customer within `scope`, and its audit entry, in one
    /// transaction.
    pub async fn add_note_audited(
        &self,
        scope: Scope,
        customer: i64,
        author: &User,
        body: &str,
    ) -> Result<NoteRecord> {
        if body.trim().is_empty() {
            return Err(StoreError::Invalid {
                field: "body",
                reason: "the note is empty".into(),
            });
        }
        // Held here so that every way in (the API, the dashboard's form) keeps it (issue 23: the
        // form did not, and a 30 MB note was stored).
        if body.chars().count() > MAX_NOTE_CHARS {
            return Err(StoreError::Invalid {
                field: "body",
                reason: format!("the note is longer than {MAX_NOTE_CHARS} characters"),
            });
        }
        let at = now();
        let id: Option<i64> = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO notes (customer_id, author_user_id, author, created_at, body)
                 SELECT id, $2, $3, $4, $5 FROM customers
                 WHERE id = $1 AND ($6 IS NULL OR manager_user_id = $6)
                 RETURNING id",
            )
            .bind(customer)
            .bind(author.id)
            .bind(&author.name)
            .bind(at)
            .bind(body)
            .bind(scope.manager())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(note) = id {
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'note', $3, $4)",
                )
                .bind(at)
                .bind(&author.name)
                .bind(customer)
                .bind(format!("note {note} added"))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            id
        });
        let id = id.ok_or_else(|| not_found(customer))?;
        Ok(NoteRecord {
            id,
            author: author.name.clone(),
            author_user_id: Some(author.id),
            created_at: at,
            body: body.to_string(),
        })
    }

    /// Changes profile fields of a customer within `scope` and records the change in the audit
    /// log, in one transaction.
    pub async fn edit_customer_audited(
        &self,
        scope: Scope,
        customer: i64,
        actor: &str,
        edit: &CustomerEdit,
    ) -> Result<()> {
        if edit.name.as_deref().is_some_and(|n| n.trim().is_empty()) {
            return Err(StoreError::Invalid {
                field: "name",
                reason: "must not be empty".into(),
            });
        }
        let mut changed = Vec::new();
        if edit.name.is_some() {
            changed.push("name");
        }
        if edit.image_client.is_some() {
            changed.push("image_client");
        }
        if edit.manager_user_id.is_some() {
            changed.push("manager_user");
        }
        let at = now();
        let n = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let n = sqlx::query(
                "UPDATE customers SET
                   name = COALESCE($3, name),
                   image_client = COALESCE($4, image_client),
                   manager_user_id = CASE WHEN $5 THEN $6 ELSE manager_user_id END
                 WHERE id = $1 AND ($2 IS NULL OR manager_user_id = $2)",
            )
            .bind(customer)
            .bind(scope.manager())
            .bind(edit.name.as_deref().map(str::trim))
            .bind(edit.image_client)
            .bind(edit.manager_user_id.is_some())
            .bind(edit.manager_user_id.flatten())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'edit', $3, $4)",
                )
                .bind(at)
                .bind(actor)
                .bind(customer)
                .bind(format!("changed {}", changed.join(", ")))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            n
        });
        if n == 0 {
            return Err(not_found(customer));
        }
        Ok(())
    }
}
