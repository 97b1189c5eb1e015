//! The express self-assessment's storage (issue 28 item 3): checklists a company adds (their
//! TOML, checked by the application before it is saved) and the answers, one response per
//! person, checklist and day, kept as history.

use futures_util::TryStreamExt;
use sqlx::Row;

use clientele_core::Day;

use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};

/// A stored checklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredChecklist {
    pub key: String,
    pub toml: String,
    pub saved_at: i64,
    pub saved_by: String,
}

/// One person's answers on one day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    pub respondent: String,
    pub day: Day,
    pub answered_at: i64,
    /// (question key, yes), by question key.
    pub answers: Vec<(String, bool)>,
}

/// The largest checklist TOML kept, in bytes.
pub const MAX_CHECKLIST_BYTES: usize = 256 * 1024;
/// The most answers in one response.
pub const MAX_ANSWERS: usize = 1_000;
/// The longest key or respondent name, in characters.
pub const MAX_ASSESS_NAME_CHARS: usize = 100;

fn check_name(field: &'static str, text: &str) -> Result<()> {
    if text.trim().is_empty()
        || text.chars().count() > MAX_ASSESS_NAME_CHARS
        || text.chars().any(char::is_control)
    {
        return Err(StoreError::invalid(
            field,
            format!("1 to {MAX_ASSESS_NAME_CHARS} characters without control characters"),
        ));
    }
    Ok(())
}

impl Store {
    /// Saves (or replaces) a checklist's TOML under `key`.
    pub async fn save_checklist(&self, key: &str, toml: &str, by: &str) -> Result<()> {
        check_name("key", key)?;
        if toml.len() > MAX_CHECKLIST_BYTES {
            return Err(StoreError::invalid(
                "toml",
                format!("at most {MAX_CHECKLIST_BYTES} bytes"),
            ));
        }
        let at = now();
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO assess_checklists (key, toml, saved_at, saved_by) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (key) DO UPDATE SET toml = excluded.toml, saved_at = excluded.saved_at,
                    saved_by = excluded.saved_by",
            )
            .bind(key)
            .bind(toml)
            .bind(at)
            .bind(by)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The stored checklists, by key.
    pub async fn checklists(&self) -> Result<Vec<StoredChecklist>> {
        let rows = dispatch!(self, pool => {
            sqlx::query("SELECT key, toml, saved_at, saved_by FROM assess_checklists ORDER BY key")
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| {
                    Ok(StoredChecklist {
                        key: r.try_get(0)?,
                        toml: r.try_get(1)?,
                        saved_at: r.try_get(2)?,
                        saved_by: r.try_get(3)?,
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }

    /// Records `respondent`'s answers to `checklist` on `day`, replacing their answers of that
    /// day, in one transaction.
    pub async fn record_assessment(
        &self,
        checklist: &str,
        respondent: &str,
        day: Day,
        answers: &[(String, bool)],
    ) -> Result<()> {
        check_name("checklist", checklist)?;
        check_name("respondent", respondent)?;
        if answers.is_empty() || answers.len() > MAX_ANSWERS {
            return Err(StoreError::invalid(
                "answers",
                format!("1 to {MAX_ANSWERS} answers"),
            ));
        }
        for (q, _) in answers {
            check_name("question", q)?;
        }
        let at = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            sqlx::query("DELETE FROM assess_responses WHERE checklist = $1 AND respondent = $2 AND day = $3")
                .bind(checklist)
                .bind(respondent)
                .bind(day_to_db(day))
                .execute(&mut *tx)
                .await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO assess_responses (checklist, respondent, day, answered_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(checklist)
            .bind(respondent)
            .bind(day_to_db(day))
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            for (q, yes) in answers {
                sqlx::query("INSERT INTO assess_answers (response_id, question, yes) VALUES ($1, $2, $3)")
                    .bind(id)
                    .bind(q)
                    .bind(i64::from(*yes))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| match e {
                        sqlx::Error::Database(d) if d.is_unique_violation() => {
                            StoreError::invalid("answers", format!("question '{q}' is answered twice"))
                        }
                        other => other.into(),
                    })?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Every response to `checklist`, oldest day first (then respondent).
    pub async fn assessment_responses(&self, checklist: &str) -> Result<Vec<StoredResponse>> {
        let mut out: Vec<StoredResponse> = Vec::new();
        dispatch!(self, pool => {
            let mut stream = sqlx::query(
                "SELECT r.id, r.respondent, r.day, r.answered_at, a.question, a.yes
                 FROM assess_responses r JOIN assess_answers a ON a.response_id = r.id
                 WHERE r.checklist = $1
                 ORDER BY r.day, r.respondent, r.id, a.question",
            )
            .bind(checklist)
            .fetch(pool);
            let mut current: Option<i64> = None;
            while let Some(r) = stream.try_next().await? {
                let id: i64 = r.try_get(0)?;
                if current != Some(id) {
                    current = Some(id);
                    out.push(StoredResponse {
                        respondent: r.try_get(1)?,
                        day: day_from_db(r.try_get(2)?),
                        answered_at: r.try_get(3)?,
                        answers: Vec::new(),
                    });
                }
                let yes: i64 = r.try_get(5)?;
                if let Some(last) = out.last_mut() {
                    last.answers.push((r.try_get(4)?, yes == 1));
                }
            }
        });
        Ok(out)
    }
}
