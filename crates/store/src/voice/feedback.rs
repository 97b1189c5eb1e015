//! Complaints and wishes (and praise and questions): the log kept in `feedback`, each entry
//! with the first-response and resolution due times its severity's targets gave when it came
//! in; added by form, API and import (idempotent by the sender's entry id), listed by state
//! within a user's scope, answered and resolved with audit entries, and read back for reports.

use clientele_core::Day;
use clientele_core::closed_loop::{ComplaintTargets, Severity};

use super::surveys::{MAX_LABEL_CHARS, check_label};
use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// The longest text of an entry, a response or a resolution, in characters.
pub const MAX_FEEDBACK_CHARS: usize = 10_000;

/// What an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FeedbackKind {
    Complaint,
    /// A wish or suggestion (stored as `suggestion`).
    Wish,
    Praise,
    Question,
}

impl FeedbackKind {
    pub const ALL: [FeedbackKind; 4] = [
        FeedbackKind::Complaint,
        FeedbackKind::Wish,
        FeedbackKind::Praise,
        FeedbackKind::Question,
    ];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::Complaint => "complaint",
            FeedbackKind::Wish => "suggestion",
            FeedbackKind::Praise => "praise",
            FeedbackKind::Question => "question",
        }
    }

    /// The stored value, or a word an export may use in Russian or English.
    pub fn parse(text: &str) -> Option<FeedbackKind> {
        let t = text.trim().to_lowercase();
        Some(match t.as_str() {
            "complaint" | "claim" | "жалоба" | "претензия" | "рекламация" => {
                FeedbackKind::Complaint
            }
            "suggestion" | "wish" | "idea" | "пожелание" | "предложение" | "идея" => {
                FeedbackKind::Wish
            }
            "praise" | "compliment" | "thanks" | "благодарность" | "похвала" | "отзыв" => {
                FeedbackKind::Praise
            }
            "question" | "вопрос" => FeedbackKind::Question,
            _ => return None,
        })
    }
}

/// An entry to add.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFeedback {
    pub customer_id: i64,
    /// The sender's id: the same id again changes nothing.
    pub entry_id: Option<String>,
    pub kind: FeedbackKind,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub touchpoint: Option<String>,
    pub severity: Severity,
    pub body: String,
    pub received_at: i64,
    /// The day it came in (decides its period).
    pub day: Day,
    /// `form`, `api` or `import`.
    pub source: String,
    pub created_by: String,
}

/// What became of one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedbackOutcome {
    Stored {
        id: i64,
    },
    /// The same entry id with the same entry was already stored.
    Unchanged {
        id: i64,
    },
    /// The same entry id is stored with another entry: not written.
    Conflict {
        id: i64,
    },
}

/// An entry of the log with its customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackItem {
    pub id: i64,
    pub customer_id: i64,
    pub external_id: String,
    pub customer_name: Option<String>,
    pub kind: FeedbackKind,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub touchpoint: Option<String>,
    pub severity: Severity,
    pub body: String,
    pub day: Day,
    pub received_at: i64,
    pub first_response_due: i64,
    pub resolution_due: i64,
    pub first_response_at: Option<i64>,
    pub first_response_by: Option<String>,
    /// What the first response said.
    pub first_response: Option<String>,
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
    pub source: String,
    /// The customer's manager (responsible for the response); `None`: unassigned.
    pub manager_name: Option<String>,
}

/// Which entries a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedbackState {
    /// Not resolved.
    Open,
    /// Not resolved, and past the first-response target without a response or past the
    /// resolution target.
    Overdue,
    Resolved,
    All,
}

impl FeedbackState {
    pub const ALL: [FeedbackState; 4] = [
        FeedbackState::Open,
        FeedbackState::Overdue,
        FeedbackState::Resolved,
        FeedbackState::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackState::Open => "open",
            FeedbackState::Overdue => "overdue",
            FeedbackState::Resolved => "resolved",
            FeedbackState::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<FeedbackState> {
        FeedbackState::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// Which entries to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackFilter {
    pub state: FeedbackState,
    pub kind: Option<FeedbackKind>,
    pub category: Option<String>,
}

impl Default for FeedbackFilter {
    fn default() -> FeedbackFilter {
        FeedbackFilter {
            state: FeedbackState::Open,
            kind: None,
            category: None,
        }
    }
}

/// A page of entries and how many match in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackPage {
    pub items: Vec<FeedbackItem>,
    pub total: u64,
}

/// An entry's times, for the reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackTiming {
    pub id: i64,
    pub customer_id: i64,
    pub kind: FeedbackKind,
    pub category: Option<String>,
    pub touchpoint: Option<String>,
    pub severity: Severity,
    pub day: Day,
    pub received_at: i64,
    pub first_response_due: i64,
    pub first_response_at: Option<i64>,
    pub resolution_due: i64,
    pub resolved_at: Option<i64>,
    /// The customer's manager now (responsible for the response); `None`: unassigned.
    pub manager_user_id: Option<i64>,
    pub manager_name: Option<String>,
}

fn check_body(field: &'static str, text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(StoreError::invalid(field, "is empty"));
    }
    if text.chars().count() > MAX_FEEDBACK_CHARS {
        return Err(StoreError::invalid(
            field,
            format!("is longer than {MAX_FEEDBACK_CHARS} characters"),
        ));
    }
    Ok(())
}

fn kind_of(text: &str) -> Result<FeedbackKind> {
    FeedbackKind::ALL
        .into_iter()
        .find(|k| k.as_str() == text)
        .ok_or_else(|| StoreError::Unreadable {
            column: "feedback.kind",
            value: text.to_string(),
        })
}

fn severity_of(text: &str) -> Result<Severity> {
    Severity::ALL
        .into_iter()
        .find(|s| s.as_str() == text)
        .ok_or_else(|| StoreError::Unreadable {
            column: "feedback.severity",
            value: text.to_string(),
        })
}

const ITEM_COLUMNS: &str =
    "f.id, f.customer_id, c.external_id, c.name, f.kind, f.channel, f.category,
    f.touchpoint, f.severity, f.body, f.day, f.received_at, f.first_response_due, f.resolution_due,
    f.first_response_at, f.first_response_by, f.resolved_at, f.resolved_by, f.resolution, f.source,
    f.first_response, u.name";

const ITEM_FROM: &str = " FROM feedback f JOIN customers c ON c.id = f.customer_id
    LEFT JOIN users u ON u.id = c.manager_user_id WHERE 1 = 1";

/// Reads an entry's columns (in [`ITEM_COLUMNS`] order) from a row of either backend.
macro_rules! item_raw {
    ($r:expr) => {{
        use sqlx::Row;
        let r = $r;
        ItemRaw {
            id: r.try_get(0)?,
            customer_id: r.try_get(1)?,
            external_id: r.try_get(2)?,
            customer_name: r.try_get(3)?,
            kind: r.try_get(4)?,
            channel: r.try_get(5)?,
            category: r.try_get(6)?,
            touchpoint: r.try_get(7)?,
            severity: r.try_get(8)?,
            body: r.try_get(9)?,
            day: r.try_get(10)?,
            received_at: r.try_get(11)?,
            first_response_due: r.try_get(12)?,
            resolution_due: r.try_get(13)?,
            first_response_at: r.try_get(14)?,
            first_response_by: r.try_get(15)?,
            resolved_at: r.try_get(16)?,
            resolved_by: r.try_get(17)?,
            resolution: r.try_get(18)?,
            source: r.try_get(19)?,
            first_response: r.try_get(20)?,
            manager_name: r.try_get(21)?,
        }
    }};
}

struct ItemRaw {
    id: i64,
    customer_id: i64,
    external_id: String,
    customer_name: Option<String>,
    kind: String,
    channel: Option<String>,
    category: Option<String>,
    touchpoint: Option<String>,
    severity: String,
    body: String,
    day: i64,
    received_at: Option<i64>,
    first_response_due: Option<i64>,
    resolution_due: Option<i64>,
    first_response_at: Option<i64>,
    first_response_by: Option<String>,
    resolved_at: Option<i64>,
    resolved_by: Option<String>,
    resolution: Option<String>,
    source: String,
    first_response: Option<String>,
    manager_name: Option<String>,
}

fn item_of(r: ItemRaw) -> Result<FeedbackItem> {
    let severity = severity_of(&r.severity)?;
    // Entries from before the targets existed get them from their day, by today's targets.
    let received_at = r.received_at.unwrap_or(r.day * 86_400);
    let (first_due, resolution_due) = ComplaintTargets::default().due(severity, received_at);
    Ok(FeedbackItem {
        id: r.id,
        customer_id: r.customer_id,
        external_id: r.external_id,
        customer_name: r.customer_name,
        kind: kind_of(&r.kind)?,
        channel: r.channel,
        category: r.category,
        touchpoint: r.touchpoint,
        severity,
        body: r.body,
        day: day_from_db(r.day),
        received_at,
        first_response_due: r.first_response_due.unwrap_or(first_due),
        resolution_due: r.resolution_due.unwrap_or(resolution_due),
        first_response_at: r.first_response_at,
        first_response_by: r.first_response_by,
        first_response: r.first_response,
        resolved_at: r.resolved_at,
        resolved_by: r.resolved_by,
        resolution: r.resolution,
        source: r.source,
        manager_name: r.manager_name,
    })
}

impl Store {
    /// Adds entries in one transaction, each with the due times `targets` give its severity. An
    /// entry whose id is already stored is `Unchanged` when it says the same (customer, kind,
    /// body, day), else a `Conflict` that is not written; with `all_or_nothing` a conflict rolls
    /// the batch back. One audit entry names `actor` and the count.
    pub async fn add_feedback_entries(
        &self,
        entries: &[NewFeedback],
        targets: &ComplaintTargets,
        actor: &str,
        all_or_nothing: bool,
    ) -> Result<(Vec<FeedbackOutcome>, bool)> {
        for e in entries {
            check_body("body", &e.body)?;
            for (field, v) in [
                ("channel", &e.channel),
                ("category", &e.category),
                ("touchpoint", &e.touchpoint),
            ] {
                if let Some(v) = v {
                    check_label(field, v, MAX_LABEL_CHARS)?;
                }
            }
        }
        let at = now();
        let begin = match self {
            Store::Sqlite(_) => "BEGIN IMMEDIATE",
            Store::Postgres(_) => "BEGIN",
        };
        let result = dispatch!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let mut outcomes = Vec::with_capacity(entries.len());
            let mut conflicts = false;
            for e in entries {
                let (first_due, resolution_due) = targets.due(e.severity, e.received_at);
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO feedback (customer_id, day, kind, body, entry_id, channel, category, touchpoint,
                        severity, received_at, first_response_due, resolution_due, source)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                     ON CONFLICT (entry_id) DO NOTHING RETURNING id",
                )
                .bind(e.customer_id)
                .bind(day_to_db(e.day))
                .bind(e.kind.as_str())
                .bind(e.body.trim())
                .bind(&e.entry_id)
                .bind(e.channel.as_deref().map(str::trim))
                .bind(e.category.as_deref().map(str::trim))
                .bind(e.touchpoint.as_deref().map(str::trim))
                .bind(e.severity.as_str())
                .bind(e.received_at)
                .bind(first_due)
                .bind(resolution_due)
                .bind(&e.source)
                .fetch_optional(&mut *tx)
                .await?;
                let outcome = match id {
                    Some(id) => FeedbackOutcome::Stored { id },
                    None => {
                        let (id, customer, kind, body, day): (i64, Option<i64>, String, String, i64) =
                            sqlx::query_as(
                                "SELECT id, customer_id, kind, body, day FROM feedback WHERE entry_id = $1",
                            )
                            .bind(&e.entry_id)
                            .fetch_one(&mut *tx)
                            .await?;
                        if customer == Some(e.customer_id)
                            && kind == e.kind.as_str()
                            && body == e.body.trim()
                            && day == day_to_db(e.day)
                        {
                            FeedbackOutcome::Unchanged { id }
                        } else {
                            conflicts = true;
                            FeedbackOutcome::Conflict { id }
                        }
                    }
                };
                outcomes.push(outcome);
            }
            let commit = !(all_or_nothing && conflicts);
            if commit {
                let stored = outcomes
                    .iter()
                    .filter(|o| matches!(o, FeedbackOutcome::Stored { .. }))
                    .count();
                let customer = match (entries.len(), outcomes.first()) {
                    (1, Some(FeedbackOutcome::Stored { .. })) => Some(entries[0].customer_id),
                    _ => None,
                };
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'feedback', $3, $4)",
                )
                .bind(at)
                .bind(actor)
                .bind(customer)
                .bind(format!("{stored} feedback entries added"))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            (outcomes, commit)
        });
        Ok(result)
    }

    /// A page of entries within `scope`: overdue first, then the most recent.
    pub async fn feedback_entries(
        &self,
        scope: Scope,
        filter: &FeedbackFilter,
        limit: u32,
        offset: u64,
    ) -> Result<FeedbackPage> {
        let at = now();
        let (total, raws) = dispatch!(self, pool => {
            let conditions = |q: &mut sqlx::QueryBuilder<_>| {
                if let Some(m) = scope.manager() {
                    q.push(" AND c.manager_user_id = ").push_bind(m);
                }
                match filter.state {
                    FeedbackState::Open => {
                        q.push(" AND f.resolved_at IS NULL");
                    }
                    FeedbackState::Overdue => {
                        q.push(" AND f.resolved_at IS NULL AND ((f.first_response_at IS NULL AND f.first_response_due < ")
                            .push_bind(at)
                            .push(") OR f.resolution_due < ")
                            .push_bind(at)
                            .push(")");
                    }
                    FeedbackState::Resolved => {
                        q.push(" AND f.resolved_at IS NOT NULL");
                    }
                    FeedbackState::All => {}
                }
                if let Some(k) = filter.kind {
                    q.push(" AND f.kind = ").push_bind(k.as_str());
                }
                if let Some(c) = &filter.category {
                    q.push(" AND f.category = ").push_bind(c.clone());
                }
            };
            let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*)");
            count.push(ITEM_FROM);
            conditions(&mut count);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut list = sqlx::QueryBuilder::new("SELECT ");
            list.push(ITEM_COLUMNS).push(ITEM_FROM);
            conditions(&mut list);
            // Overdue as the `Overdue` state means it: past the first-response target
            // without a response, or past the resolution target.
            list.push(" ORDER BY CASE WHEN f.resolved_at IS NULL AND ((f.first_response_at IS NULL AND f.first_response_due < ")
                .push_bind(at)
                .push(") OR f.resolution_due < ")
                .push_bind(at)
                .push(") THEN 0 ELSE 1 END, f.received_at DESC, f.id DESC LIMIT ")
                .push_bind(i64::from(limit))
                .push(" OFFSET ")
                .push_bind(offset as i64);
            let rows = list.build().fetch_all(pool).await?;
            let mut raws = Vec::with_capacity(rows.len());
            for r in &rows {
                raws.push(item_raw!(r));
            }
            (total, raws)
        });
        Ok(FeedbackPage {
            items: raws.into_iter().map(item_of).collect::<Result<_>>()?,
            total: total.max(0) as u64,
        })
    }

    /// One entry within `scope`; `NotFound` otherwise.
    pub async fn feedback_entry(&self, scope: Scope, id: i64) -> Result<FeedbackItem> {
        let raw = dispatch!(self, pool => {
            let mut q = sqlx::QueryBuilder::new("SELECT ");
            q.push(ITEM_COLUMNS).push(ITEM_FROM).push(" AND f.id = ").push_bind(id);
            if let Some(m) = scope.manager() {
                q.push(" AND c.manager_user_id = ").push_bind(m);
            }
            match q.build().fetch_optional(pool).await? {
                Some(r) => Some(item_raw!(&r)),
                None => None,
            }
        });
        item_of(raw.ok_or_else(|| StoreError::not_found("feedback entry", id))?)
    }

    /// Records the first response to an entry (`resolve: false`) or resolves it (`resolve: true`: also the first response
    /// if there was none), by `actor`, with an audit entry, in one transaction. A resolved entry
    /// cannot be changed.
    pub async fn respond_to_feedback(
        &self,
        scope: Scope,
        id: i64,
        actor: &str,
        note: &str,
        resolve: bool,
    ) -> Result<FeedbackItem> {
        check_body(if resolve { "resolution" } else { "note" }, note)?;
        let item = self.feedback_entry(scope, id).await?;
        if item.resolved_at.is_some() {
            return Err(StoreError::invalid(
                "action",
                "the entry is already resolved",
            ));
        }
        if !resolve && item.first_response_at.is_some() {
            return Err(StoreError::invalid(
                "action",
                "the entry already has its first response: resolve it",
            ));
        }
        let at = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            if resolve {
                sqlx::query(
                    "UPDATE feedback SET resolved_at = $1, resolved_by = $2, resolution = $3,
                       first_response_at = COALESCE(first_response_at, $1),
                       first_response_by = COALESCE(first_response_by, $2)
                     WHERE id = $4 AND resolved_at IS NULL",
                )
                .bind(at)
                .bind(actor)
                .bind(note.trim())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query(
                    "UPDATE feedback SET first_response_at = $1, first_response_by = $2, first_response = $3
                     WHERE id = $4 AND resolved_at IS NULL",
                )
                .bind(at)
                .bind(actor)
                .bind(note.trim())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'feedback', $3, $4)",
            )
            .bind(at)
            .bind(actor)
            .bind(item.customer_id)
            .bind(format!("entry {id} {}", if resolve { "resolved" } else { "answered" }))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        self.feedback_entry(scope, id).await
    }

    /// Times of the entries received on `from..=to` (days) within `scope`, for the reports.
    pub async fn feedback_timings(
        &self,
        scope: Scope,
        from: Day,
        to: Day,
    ) -> Result<Vec<FeedbackTiming>> {
        type Row = (
            i64,
            i64,
            String,
            Option<String>,
            Option<String>,
            String,
            i64,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<String>,
        );
        let rows: Vec<Row> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT f.id, f.customer_id, f.kind, f.category, f.touchpoint, f.severity, f.day, f.received_at,
                        f.first_response_due, f.first_response_at, f.resolution_due, f.resolved_at,
                        c.manager_user_id, u.name
                 FROM feedback f JOIN customers c ON c.id = f.customer_id
                 LEFT JOIN users u ON u.id = c.manager_user_id
                 WHERE ($1 IS NULL OR c.manager_user_id = $1) AND f.day >= $2 AND f.day <= $3
                 ORDER BY f.id",
            )
            .bind(scope.manager())
            .bind(day_to_db(from))
            .bind(day_to_db(to))
            .fetch_all(pool)
            .await?
        });
        let defaults = ComplaintTargets::default();
        rows.into_iter()
            .map(
                |(
                    id,
                    customer_id,
                    kind,
                    category,
                    touchpoint,
                    severity,
                    day,
                    received,
                    fd,
                    fa,
                    rd,
                    ra,
                    manager_user_id,
                    manager_name,
                )| {
                    let severity = severity_of(&severity)?;
                    let received_at = received.unwrap_or(day * 86_400);
                    let (first, resolution) = defaults.due(severity, received_at);
                    Ok(FeedbackTiming {
                        id,
                        customer_id,
                        kind: kind_of(&kind)?,
                        category,
                        touchpoint,
                        severity,
                        day: day_from_db(day),
                        received_at,
                        first_response_due: fd.unwrap_or(first),
                        first_response_at: fa,
                        resolution_due: rd.unwrap_or(resolution),
                        resolved_at: ra,
                        manager_user_id,
                        manager_name,
                    })
                },
            )
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_read_in_both_languages() {
        assert_eq!(FeedbackKind::parse("Жалоба"), Some(FeedbackKind::Complaint));
        assert_eq!(FeedbackKind::parse("пожелание"), Some(FeedbackKind::Wish));
        assert_eq!(FeedbackKind::parse("wish"), Some(FeedbackKind::Wish));
        assert_eq!(FeedbackKind::parse("rant"), None);
        for k in FeedbackKind::ALL {
            assert_eq!(FeedbackKind::parse(k.as_str()), Some(k));
            assert_eq!(kind_of(k.as_str()).unwrap(), k);
        }
    }
}
