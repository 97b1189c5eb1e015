//! Reading the audit log as an admin does: filtered by user, action and a span of time, newest
//! first, page by page (a keyset on the entry's id, so a page stays right while entries are
//! appended), and the actions that occur, for the filter's choices.

use serde::Serialize;

use crate::db::{Store, dispatch};
use crate::error::Result;

/// The actions recorded when personal data is read (issue 23, item 8); writes record their own
/// (`note`, `edit`, `erase`, `queue_outcome`, ...).
pub mod read_action {
    /// A customer's card (`detail` says which front end).
    pub const VIEW: &str = "view";
    /// A page of the customer list without a text search (`detail`: the filters and the ids).
    pub const LIST: &str = "list";
    /// A page of the customer list found by a text search (`detail`: the text, the filters and
    /// the ids).
    pub const SEARCH: &str = "search";
    /// A customer's notes read on their own (the API's notes list).
    pub const NOTES: &str = "notes";
    /// A file of a list with personal data (`detail`: which list, the format and the filters).
    pub const EXPORT: &str = "export";
    /// The audit log itself read (`detail`: the filters).
    pub const AUDIT: &str = "audit";
}

/// What to keep of the audit log; `None` keeps all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The user's name exactly.
    pub actor: Option<String>,
    /// The action exactly.
    pub action: Option<String>,
    /// Entries at this instant or later (Unix seconds).
    pub from: Option<i64>,
    /// Entries before this instant (Unix seconds, exclusive).
    pub until: Option<i64>,
}

/// An entry of the audit log with its id and customer, as an admin reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub customer_id: Option<i64>,
    pub detail: String,
}

/// A page of the audit log, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditPage {
    pub items: Vec<AuditRecord>,
    /// Pass back as `before` for the next (older) page; `None` on the last page.
    pub next_before: Option<i64>,
}

impl Store {
    /// The entries matching `filter` with an id below `before` (all when `None`), newest
    /// first, at most `limit`.
    pub async fn audit_log_page(
        &self,
        filter: &AuditFilter,
        before: Option<i64>,
        limit: u32,
    ) -> Result<AuditPage> {
        type R = (i64, i64, String, String, Option<i64>, String);
        let limit = i64::from(limit.max(1));
        // One more than the page, to know whether another follows.
        let rows: Vec<R> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT id, at, actor, action, customer_id, detail FROM audit_log
                 WHERE ($1 IS NULL OR actor = $1) AND ($2 IS NULL OR action = $2)
                   AND ($3 IS NULL OR at >= $3) AND ($4 IS NULL OR at < $4)
                   AND ($5 IS NULL OR id < $5)
                 ORDER BY id DESC LIMIT $6",
            )
            .bind(filter.actor.as_deref())
            .bind(filter.action.as_deref())
            .bind(filter.from)
            .bind(filter.until)
            .bind(before)
            .bind(limit + 1)
            .fetch_all(pool)
            .await?
        });
        let mut items: Vec<AuditRecord> = rows
            .into_iter()
            .map(|(id, at, actor, action, customer_id, detail)| AuditRecord {
                id,
                at,
                actor,
                action,
                customer_id,
                detail,
            })
            .collect();
        let more = items.len() as i64 > limit;
        items.truncate(limit as usize);
        let next_before = if more {
            items.last().map(|r| r.id)
        } else {
            None
        };
        Ok(AuditPage { items, next_before })
    }

    /// The actions that occur in the audit log, alphabetically (the page's filter choices).
    pub async fn audit_actions(&self) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = dispatch!(self, pool => {
            sqlx::query_as("SELECT DISTINCT action FROM audit_log ORDER BY action")
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|(a,)| a).collect())
    }
}
