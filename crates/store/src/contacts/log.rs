//! The contact log: what was planned, sent or exported to a customer, when, why, by whom and
//! for which module. Everything that plans a contact writes here through
//! [`Store::record_contacts`]; the policy counts the rows planned, sent or exported toward a
//! customer's caps (rows without a kind, as written before the policy's columns existed or by
//! modules that log a contact made by hand, count too).

use clientele_core::contact_policy::{MessageKind, Module};

use crate::customers::Channel;
use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// The longest subject or reason accepted, in characters.
pub const MAX_CONTACT_SUBJECT_CHARS: usize = 500;
/// Rows written per statement batch of [`Store::record_contacts`] (PostgreSQL allows 65,535
/// parameters per statement; 11 per row).
const INSERT_BATCH: usize = 2_000;

/// Where a logged contact stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContactState {
    /// Allowed by the policy, waiting to go out.
    Planned,
    /// Made (a call, a letter sent by a manager, a delivery a receiver confirmed).
    Sent,
    /// Handed to a mailing or SMS service in an export or a webhook.
    Exported,
    /// Will not go out (no longer counts toward the caps).
    Cancelled,
}

impl ContactState {
    pub const ALL: [ContactState; 4] = [
        ContactState::Planned,
        ContactState::Sent,
        ContactState::Exported,
        ContactState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ContactState::Planned => "planned",
            ContactState::Sent => "sent",
            ContactState::Exported => "exported",
            ContactState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<ContactState> {
        ContactState::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// A contact to log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewContactLogEntry {
    pub customer_id: i64,
    pub channel: Channel,
    pub kind: MessageKind,
    pub module: Module,
    pub state: ContactState,
    /// When it may go out (Unix seconds; the policy's time).
    pub planned_for: Option<i64>,
    /// What it is about (the occasion, the notice, the offer).
    pub subject: String,
    /// Why it was planned, in the policy's words (`preferred channel`, `moved out of quiet
    /// hours`) or the module's.
    pub reason: Option<String>,
    pub user_id: Option<i64>,
    /// Who planned it: a user's name, or the command that did.
    pub author: Option<String>,
}

/// A logged contact.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactLogEntry {
    pub id: i64,
    pub customer_id: i64,
    pub external_id: String,
    pub customer_name: Option<String>,
    /// When the row was written (Unix seconds).
    pub at: i64,
    /// The channel as stored (older rows may hold words this version does not know).
    pub channel: String,
    /// `out` or `in`.
    pub direction: String,
    pub kind: Option<MessageKind>,
    pub module: Option<Module>,
    pub state: ContactState,
    pub planned_for: Option<i64>,
    pub subject: Option<String>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub user_id: Option<i64>,
    pub author: Option<String>,
}

/// Which log rows to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactLogFilter {
    pub customer_id: Option<i64>,
    /// Rows whose time (`planned_for`, else `at`) is at or after this (Unix seconds).
    pub from: Option<i64>,
    /// ... and before this.
    pub until: Option<i64>,
    pub module: Option<Module>,
    /// Rows on this channel (as stored).
    pub channel: Option<Channel>,
    pub state: Option<ContactState>,
    /// Rows whose outcome (a call's or an attempt's code: `answered`, `no_answer`, ...) is this.
    pub outcome: Option<String>,
    pub limit: u32,
    /// Rows skipped first (paging).
    pub offset: u64,
}

/// A contact counted toward a customer's caps: sent, exported or planned, outgoing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountedContact {
    pub customer_id: i64,
    /// `planned_for`, else `at`.
    pub at: i64,
    /// `None` for rows written without a kind (counted).
    pub kind: Option<MessageKind>,
}

const LOG_COLUMNS: &str = "SELECT l.id, l.customer_id, c.external_id, c.name, l.at, l.channel,
    l.direction, l.kind, l.module, l.state, l.planned_for, l.subject, l.outcome, l.reason,
    l.user_id, l.author
 FROM contact_log l JOIN customers c ON c.id = l.customer_id";

type LogColumns = (
    i64,
    i64,
    String,
    Option<String>,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
);

fn unreadable(column: &'static str, value: String) -> StoreError {
    StoreError::Unreadable { column, value }
}

fn log_entry(row: LogColumns) -> Result<ContactLogEntry> {
    let (
        id,
        customer_id,
        external_id,
        customer_name,
        at,
        channel,
        direction,
        kind,
        module,
        state,
        planned_for,
        subject,
        outcome,
        reason,
        user_id,
        author,
    ) = row;
    let kind = kind
        .map(|k| MessageKind::parse(&k).ok_or_else(|| unreadable("contact_log.kind", k)))
        .transpose()?;
    let module = module
        .map(|m| Module::parse(&m).ok_or_else(|| unreadable("contact_log.module", m)))
        .transpose()?;
    let state =
        ContactState::parse(&state).ok_or_else(|| unreadable("contact_log.state", state))?;
    Ok(ContactLogEntry {
        id,
        customer_id,
        external_id,
        customer_name,
        at,
        channel,
        direction,
        kind,
        module,
        state,
        planned_for,
        subject,
        outcome,
        reason,
        user_id,
        author,
    })
}

fn check_entry(e: &NewContactLogEntry) -> Result<()> {
    if e.subject.trim().is_empty() {
        return Err(StoreError::invalid(
            "subject",
            "say what the contact is about",
        ));
    }
    for (field, text) in [("subject", Some(&e.subject)), ("reason", e.reason.as_ref())] {
        if text.is_some_and(|t| t.chars().count() > MAX_CONTACT_SUBJECT_CHARS) {
            return Err(StoreError::invalid(
                field,
                format!("longer than {MAX_CONTACT_SUBJECT_CHARS} characters"),
            ));
        }
    }
    Ok(())
}

impl Store {
    /// Logs a batch of outgoing contacts in one transaction (all or nothing); returns their
    /// ids in the order given. The one way contacts planned through the policy are recorded.
    pub async fn record_contacts(&self, entries: &[NewContactLogEntry]) -> Result<Vec<i64>> {
        for e in entries {
            check_entry(e)?;
        }
        let at = now();
        let ids: Vec<i64> = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let mut ids = Vec::with_capacity(entries.len());
            for chunk in entries.chunks(INSERT_BATCH) {
                let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO contact_log (customer_id, at, channel, direction, user_id, subject,
                        kind, module, state, planned_for, reason, author) ",
                );
                q.push_values(chunk, |mut b, e| {
                    b.push_bind(e.customer_id)
                        .push_bind(at)
                        .push_bind(e.channel.as_str())
                        .push_bind("out")
                        .push_bind(e.user_id)
                        .push_bind(e.subject.trim().to_string())
                        .push_bind(e.kind.as_str())
                        .push_bind(e.module.as_str())
                        .push_bind(e.state.as_str())
                        .push_bind(e.planned_for)
                        .push_bind(e.reason.clone())
                        .push_bind(e.author.clone());
                });
                q.push(" RETURNING id");
                let chunk_ids: Vec<i64> = q.build_query_scalar().fetch_all(&mut *tx).await?;
                ids.extend(chunk_ids);
            }
            tx.commit().await?;
            ids
        });
        Ok(ids)
    }

    /// Log rows within `scope`, newest first (by `planned_for`, else `at`).
    pub async fn contact_log(
        &self,
        scope: Scope,
        filter: &ContactLogFilter,
    ) -> Result<Vec<ContactLogEntry>> {
        let sql = format!(
            "{LOG_COLUMNS}
             WHERE ($1 IS NULL OR c.manager_user_id = $1)
               AND ($2 IS NULL OR l.customer_id = $2)
               AND ($3 IS NULL OR COALESCE(l.planned_for, l.at) >= $3)
               AND ($4 IS NULL OR COALESCE(l.planned_for, l.at) < $4)
               AND ($5 IS NULL OR l.module = $5)
               AND ($6 IS NULL OR l.state = $6)
               AND ($7 IS NULL OR l.channel = $7)
               AND ($8 IS NULL OR l.outcome = $8)
             ORDER BY COALESCE(l.planned_for, l.at) DESC, l.id DESC
             LIMIT $9 OFFSET $10"
        );
        let offset =
            i64::try_from(filter.offset).map_err(|_| StoreError::invalid("offset", "too large"))?;
        let rows: Vec<LogColumns> = dispatch!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(scope.manager())
                .bind(filter.customer_id)
                .bind(filter.from)
                .bind(filter.until)
                .bind(filter.module.map(Module::as_str))
                .bind(filter.state.map(ContactState::as_str))
                .bind(filter.channel.map(Channel::as_str))
                .bind(filter.outcome.as_deref())
                .bind(i64::from(filter.limit))
                .bind(offset)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(log_entry).collect()
    }

    /// Moves a logged contact to `state` (a planned contact sent, exported or cancelled) within
    /// `scope`, with an audit entry; returns the row as it now stands.
    pub async fn set_contact_state(
        &self,
        scope: Scope,
        id: i64,
        state: ContactState,
        actor: &str,
    ) -> Result<ContactLogEntry> {
        let at = now();
        let customer: Option<i64> = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let customer: Option<i64> = sqlx::query_scalar(
                "UPDATE contact_log SET state = $2
                 WHERE id = $1 AND customer_id IN
                   (SELECT id FROM customers WHERE $3 IS NULL OR manager_user_id = $3)
                 RETURNING customer_id",
            )
            .bind(id)
            .bind(state.as_str())
            .bind(scope.manager())
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(c) = customer {
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'contact_state', $3, $4)",
                )
                .bind(at)
                .bind(actor)
                .bind(c)
                .bind(format!("contact {id} {}", state.as_str()))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            customer
        });
        let customer = customer.ok_or_else(|| StoreError::not_found("contact", id))?;
        let mut rows = self
            .contact_log(
                Scope::All,
                &ContactLogFilter {
                    customer_id: Some(customer),
                    limit: u32::MAX,
                    ..ContactLogFilter::default()
                },
            )
            .await?;
        let at = rows
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| StoreError::not_found("contact", id))?;
        Ok(rows.swap_remove(at))
    }

    /// The outgoing contacts that count toward the caps (planned, sent or exported) whose time
    /// is at or after `since` (Unix seconds), every customer.
    pub async fn counted_contacts(&self, since: i64) -> Result<Vec<CountedContact>> {
        let rows: Vec<(i64, i64, Option<String>)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, COALESCE(planned_for, at), kind FROM contact_log
                 WHERE direction = 'out' AND state <> 'cancelled'
                   AND COALESCE(planned_for, at) >= $1",
            )
            .bind(since)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(customer_id, at, kind)| {
                Ok(CountedContact {
                    customer_id,
                    at,
                    kind: kind
                        .map(|k| {
                            MessageKind::parse(&k).ok_or_else(|| unreadable("contact_log.kind", k))
                        })
                        .transpose()?,
                })
            })
            .collect()
    }
}
