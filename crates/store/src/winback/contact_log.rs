//! What the daily queue's done items and the win-back attempts write to the contact log.
//!
//! Both write one `contact_log` row per contact made: `direction = 'out'`, `channel` the channel
//! used, `user_id` the user who did it, `at` the moment it was recorded, `subject` saying which
//! module and action (`queue: rhythm_reminder_call`, `win-back case 12`) and `outcome` the
//! outcome's code (`answered`, `no_answer`, ...). The row is written in the same transaction as
//! the queue outcome or the attempt (which keep its id in `contact_log_id`) and the audit
//! entry. A snooze is not a contact: it writes no contact-log row. Every statement here is in
//! [`insert_contact_log!`], so the contact log's owner can change how a contact is recorded in
//! one place.

use clientele_core::{Day, Money};

use crate::customers::Channel;
use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};
use crate::scope::Scope;
use crate::users::User;

/// Inserts one outbound contact into `contact_log` inside the transaction `$tx` and yields its
/// id: `$customer` (i64), `$at` (Unix seconds), `$channel` (&str), `$user` (Option<i64>),
/// `$subject` and `$outcome` (&str).
macro_rules! insert_contact_log {
    ($tx:expr, $customer:expr, $at:expr, $channel:expr, $user:expr, $subject:expr, $outcome:expr) => {{
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO contact_log (customer_id, at, channel, direction, user_id, subject, outcome)
             VALUES ($1, $2, $3, 'out', $4, $5, $6) RETURNING id",
        )
        .bind($customer)
        .bind($at)
        .bind($channel)
        .bind($user)
        .bind($subject)
        .bind($outcome)
        .fetch_one(&mut *$tx)
        .await?;
        id
    }};
}
pub(crate) use insert_contact_log;

/// What came of a queue item.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueOutcomeRecord {
    /// The queue's day.
    pub day: Day,
    pub customer_id: i64,
    /// The action's code.
    pub action: String,
    /// The channel used; `None` only for a snooze.
    pub channel: Option<Channel>,
    /// `no_answer`, `answered`, `promised`, `declined`, `wrong_contact` or `snoozed` (checked
    /// by the caller against the core's `AttemptOutcome`, and by the table).
    pub outcome: String,
    /// What the contact cost (the action's cost per contact; 0 for a snooze).
    pub cost: Money,
    /// For a snooze: back in the queue on this day.
    pub snooze_until: Option<Day>,
    pub note: Option<String>,
}

/// A queue outcome as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredQueueOutcome {
    pub id: i64,
    pub day: Day,
    pub customer_id: i64,
    pub action: String,
    pub channel: Option<Channel>,
    pub outcome: String,
    pub cost: Money,
    pub snooze_until: Option<Day>,
    pub note: Option<String>,
    pub user_id: Option<i64>,
    pub at: i64,
    pub contact_log_id: Option<i64>,
}

/// The outcomes of day `$1` and the snoozes still running on it.
pub(crate) const OUTCOMES_SQL: &str =
    "SELECT id, day, customer_id, action, channel, outcome, cost, snooze_until, note, user_id, at,
        contact_log_id
 FROM queue_outcomes
 WHERE day = $1 OR (outcome = 'snoozed' AND day < $1 AND snooze_until > $1)
 ORDER BY day";

pub(crate) type OutcomeColumns = (
    i64,
    i64,
    i64,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
    i64,
    Option<i64>,
);

pub(crate) fn stored_outcome(row: OutcomeColumns) -> Result<StoredQueueOutcome> {
    let (id, day, customer_id, action, channel, outcome, cost, snooze, note, user_id, at, log) =
        row;
    let channel = channel
        .map(|c| {
            Channel::parse(&c).ok_or(StoreError::Unreadable {
                column: "queue_outcomes.channel",
                value: c,
            })
        })
        .transpose()?;
    Ok(StoredQueueOutcome {
        id,
        day: day_from_db(day),
        customer_id,
        action,
        channel,
        outcome,
        cost: Money::from_units(cost),
        snooze_until: snooze.map(day_from_db),
        note,
        user_id,
        at,
        contact_log_id: log,
    })
}

/// The longest note on an outcome or attempt, in characters.
pub const MAX_OUTCOME_NOTE_CHARS: usize = 2_000;

impl Store {
    /// Records what came of a queue item for a customer within `scope`: the outcome row, the
    /// contact-log row (unless it is a snooze) and the audit entry, in one transaction. A
    /// customer outside the scope is `NotFound`; a second outcome for the same customer and
    /// day is a `Conflict` (a double click records nothing twice).
    pub async fn record_queue_outcome(
        &self,
        scope: Scope,
        user: &User,
        record: &QueueOutcomeRecord,
    ) -> Result<StoredQueueOutcome> {
        let snooze = record.outcome == "snoozed";
        if !snooze && record.channel.is_none() {
            return Err(StoreError::invalid("channel", "say which channel was used"));
        }
        if record.cost.is_negative() {
            return Err(StoreError::invalid("cost", "must not be negative"));
        }
        if record
            .note
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_OUTCOME_NOTE_CHARS)
        {
            return Err(StoreError::invalid(
                "note",
                format!("is longer than {MAX_OUTCOME_NOTE_CHARS} characters"),
            ));
        }
        let at = now();
        let channel = record.channel.map(Channel::as_str);
        let subject = format!("queue: {}", record.action);
        let stored: Option<StoredQueueOutcome> = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let visible: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM customers WHERE id = $1 AND ($2 IS NULL OR manager_user_id = $2)",
            )
            .bind(record.customer_id)
            .bind(scope.manager())
            .fetch_optional(&mut *tx)
            .await?;
            if visible.is_none() {
                None
            } else {
                let taken: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM queue_outcomes WHERE day = $1 AND customer_id = $2",
                )
                .bind(day_to_db(record.day))
                .bind(record.customer_id)
                .fetch_optional(&mut *tx)
                .await?;
                if taken.is_some() {
                    return Err(StoreError::Conflict(format!(
                        "an outcome for customer {} on this day",
                        record.customer_id
                    )));
                }
                let log_id = match channel.filter(|_| !snooze) {
                    Some(c) => Some(insert_contact_log!(
                        tx,
                        record.customer_id,
                        at,
                        c,
                        Some(user.id),
                        &subject,
                        record.outcome.as_str()
                    )),
                    None => None,
                };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO queue_outcomes (day, customer_id, action, channel, outcome, cost,
                        snooze_until, note, user_id, at, contact_log_id)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(day_to_db(record.day))
                .bind(record.customer_id)
                .bind(&record.action)
                .bind(channel)
                .bind(&record.outcome)
                .bind(record.cost.units())
                .bind(record.snooze_until.map(day_to_db))
                .bind(&record.note)
                .bind(user.id)
                .bind(at)
                .bind(log_id)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'queue_outcome', $3, $4)",
                )
                .bind(at)
                .bind(&user.name)
                .bind(record.customer_id)
                .bind(format!("{} {}: {}", record.day, record.action, record.outcome))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Some(StoredQueueOutcome {
                    id,
                    day: record.day,
                    customer_id: record.customer_id,
                    action: record.action.clone(),
                    channel: record.channel,
                    outcome: record.outcome.clone(),
                    cost: record.cost,
                    snooze_until: record.snooze_until,
                    note: record.note.clone(),
                    user_id: Some(user.id),
                    at,
                    contact_log_id: log_id,
                })
            }
        });
        stored.ok_or_else(|| StoreError::not_found("customer", record.customer_id))
    }
}
