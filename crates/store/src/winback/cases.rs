//! Win-back cases: opened from the lost or slipping list (one or many) or by hand, each with
//! why the customer left, the offer, the channel and every attempt; settled from the orders
//! (returned within the window, or not); read back as a list and as the facts the funnel and
//! the regained revenue are computed from.

use clientele_core::{Day, Money};
use sqlx::QueryBuilder;

use super::contact_log::{MAX_OUTCOME_NOTE_CHARS, insert_contact_log};
use crate::customers::Channel;
use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};
use crate::scope::Scope;
use crate::users::User;

/// The longest reason text or offer, in characters.
pub const MAX_CASE_TEXT_CHARS: usize = 1_000;
/// Cases opened in one request at most.
pub const MAX_CASES_AT_ONCE: usize = 1_000;

/// Where a case was opened from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseSource {
    LostList,
    SlippingList,
    Queue,
    Manual,
}

impl CaseSource {
    pub const ALL: [CaseSource; 4] = [
        CaseSource::LostList,
        CaseSource::SlippingList,
        CaseSource::Queue,
        CaseSource::Manual,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseSource::LostList => "lost_list",
            CaseSource::SlippingList => "slipping_list",
            CaseSource::Queue => "queue",
            CaseSource::Manual => "manual",
        }
    }

    pub fn parse(text: &str) -> Option<CaseSource> {
        CaseSource::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// A case to open. `reason` is a code of the core's `LeavingReason` (checked by the caller and
/// the table).
#[derive(Clone, Debug, PartialEq)]
pub struct NewCase {
    pub customer_id: i64,
    pub day: Day,
    pub source: CaseSource,
    pub reason: Option<String>,
    pub reason_text: Option<String>,
    pub offer: Option<String>,
    pub channel: Option<Channel>,
    pub window_days: i32,
}

/// Changes to a case's reason, offer and channel; `None` keeps a field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaseUpdate {
    pub reason: Option<String>,
    pub reason_text: Option<String>,
    pub offer: Option<String>,
    pub channel: Option<Channel>,
}

/// A case as listed.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseRecord {
    pub id: i64,
    pub customer_id: i64,
    pub external_id: String,
    pub name: Option<String>,
    /// The assigned user's name, else the manager the customers file names.
    pub manager: Option<String>,
    pub opened_day: Day,
    pub opened_at: i64,
    pub opened_by: String,
    pub source: String,
    pub status_at_open: Option<String>,
    pub reason: Option<String>,
    pub reason_text: Option<String>,
    pub offer: Option<String>,
    pub channel: Option<Channel>,
    pub window_days: i32,
    /// `open`, `returned` or `not_returned`, as last settled.
    pub state: String,
    pub returned_day: Option<Day>,
    pub attempts: i64,
    pub last_outcome: Option<String>,
}

/// An attempt to record.
#[derive(Clone, Debug, PartialEq)]
pub struct NewAttempt {
    pub case_id: i64,
    pub day: Day,
    pub channel: Channel,
    /// A code of the core's `AttemptOutcome`.
    pub outcome: String,
    pub note: Option<String>,
}

/// An attempt as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct AttemptRecord {
    pub id: i64,
    pub case_id: i64,
    pub day: Day,
    pub at: i64,
    pub channel: Channel,
    pub outcome: String,
    pub note: Option<String>,
    pub author: String,
}

/// Which cases to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CaseFilter {
    pub state: Option<String>,
    pub customer_id: Option<i64>,
    pub manager_user_id: Option<i64>,
}

/// What the orders and attempts say about a case, for the funnel and the report.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseFactsRow {
    pub case_id: i64,
    pub customer_id: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub opened_day: Day,
    pub window_days: i32,
    pub reason: Option<String>,
    pub offer: Option<String>,
    pub channel: Option<Channel>,
    pub manager: Option<String>,
    pub company: bool,
    pub first_purchase_after: Option<Day>,
    pub next_purchase_after_first: Option<Day>,
    pub attempts: i64,
    pub reached: bool,
}

/// Revenue and profit of a customer's lines in a range of days.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegainedRow {
    pub revenue: Money,
    pub profit: Money,
}

fn text_bound(field: &'static str, text: &Option<String>) -> Result<()> {
    match text {
        Some(t) if t.chars().count() > MAX_CASE_TEXT_CHARS => Err(StoreError::invalid(
            field,
            format!("is longer than {MAX_CASE_TEXT_CHARS} characters"),
        )),
        Some(t) if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') => {
            Err(StoreError::invalid(field, "holds a control character"))
        }
        _ => Ok(()),
    }
}

fn channel_of(column: &'static str, text: Option<String>) -> Result<Option<Channel>> {
    text.map(|c| Channel::parse(&c).ok_or(StoreError::Unreadable { column, value: c }))
        .transpose()
}

/// A case's row as [`CASE_COLUMNS`] reads it (more columns than sqlx's tuples take).
#[derive(sqlx::FromRow)]
struct CaseColumns {
    id: i64,
    customer_id: i64,
    external_id: String,
    name: Option<String>,
    manager: Option<String>,
    opened_day: i64,
    opened_at: i64,
    opened_by: String,
    source: String,
    status_at_open: Option<String>,
    reason: Option<String>,
    reason_text: Option<String>,
    offer: Option<String>,
    channel: Option<String>,
    window_days: i64,
    state: String,
    returned_day: Option<i64>,
    attempts: i64,
    last_outcome: Option<String>,
}

const CASE_COLUMNS: &str = "SELECT k.id AS id, k.customer_id AS customer_id,
        c.external_id AS external_id, c.name AS name, COALESCE(u.name, c.manager) AS manager,
        k.opened_day AS opened_day, k.opened_at AS opened_at, k.opened_by AS opened_by,
        k.source AS source, k.status_at_open AS status_at_open, k.reason AS reason,
        k.reason_text AS reason_text, k.offer AS offer, k.channel AS channel,
        k.window_days AS window_days, k.state AS state, k.returned_day AS returned_day,
        (SELECT COUNT(*) FROM winback_attempts a WHERE a.case_id = k.id) AS attempts,
        (SELECT a.outcome FROM winback_attempts a WHERE a.case_id = k.id ORDER BY a.day DESC, a.id DESC LIMIT 1) AS last_outcome
 FROM winback_cases k JOIN customers c ON c.id = k.customer_id
 LEFT JOIN users u ON u.id = c.manager_user_id";

fn case_record(row: CaseColumns) -> Result<CaseRecord> {
    let CaseColumns {
        id,
        customer_id,
        external_id,
        name,
        manager,
        opened_day,
        opened_at,
        opened_by,
        source,
        status_at_open,
        reason,
        reason_text,
        offer,
        channel,
        window_days,
        state,
        returned_day,
        attempts,
        last_outcome,
    } = row;
    Ok(CaseRecord {
        id,
        customer_id,
        external_id,
        name,
        manager,
        opened_day: day_from_db(opened_day),
        opened_at,
        opened_by,
        source,
        status_at_open,
        reason,
        reason_text,
        offer,
        channel: channel_of("winback_cases.channel", channel)?,
        window_days: window_days as i32,
        state,
        returned_day: returned_day.map(day_from_db),
        attempts,
        last_outcome,
    })
}

/// A case just opened, or the open case the customer already had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenedCase {
    pub customer_id: i64,
    pub case_id: i64,
    /// The customer already had this open case; nothing new was opened.
    pub already_open: bool,
}

/// An attempt row: id, day, at, channel, outcome, note, author.
type AttemptColumns = (i64, i64, i64, String, String, Option<String>, String);

impl Store {
    /// Opens a case for each customer (all within `scope`, else `NotFound` and nothing is
    /// opened), in one transaction with their audit entries. A customer who already has an
    /// open case keeps it: the answer names it, marked `already_open`.
    pub async fn open_cases(
        &self,
        scope: Scope,
        user: &User,
        cases: &[NewCase],
    ) -> Result<Vec<OpenedCase>> {
        if cases.len() > MAX_CASES_AT_ONCE {
            return Err(StoreError::invalid(
                "customers",
                format!("at most {MAX_CASES_AT_ONCE} cases at once"),
            ));
        }
        for c in cases {
            text_bound("reason_text", &c.reason_text)?;
            text_bound("offer", &c.offer)?;
            if !(1..=3660).contains(&c.window_days) {
                return Err(StoreError::invalid(
                    "window_days",
                    "must be between 1 and 3660 days",
                ));
            }
        }
        let at = now();
        let opened: Vec<OpenedCase> = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let mut opened = Vec::with_capacity(cases.len());
            for c in cases {
                let visible: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM customers WHERE id = $1 AND ($2 IS NULL OR manager_user_id = $2)",
                )
                .bind(c.customer_id)
                .bind(scope.manager())
                .fetch_optional(&mut *tx)
                .await?;
                if visible.is_none() {
                    return Err(StoreError::not_found("customer", c.customer_id));
                }
                let open: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM winback_cases WHERE customer_id = $1 AND state = 'open'",
                )
                .bind(c.customer_id)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(case_id) = open {
                    opened.push(OpenedCase { customer_id: c.customer_id, case_id, already_open: true });
                    continue;
                }
                let case_id: i64 = sqlx::query_scalar(
                    "INSERT INTO winback_cases (customer_id, opened_day, opened_at, opened_by, user_id,
                        source, status_at_open, reason, reason_text, offer, channel, window_days)
                     VALUES ($1, $2, $3, $4, $5, $6,
                        (SELECT s.status FROM score_snapshots s WHERE s.customer_id = $1
                         ORDER BY s.as_of DESC LIMIT 1),
                        $7, $8, $9, $10, $11)
                     RETURNING id",
                )
                .bind(c.customer_id)
                .bind(day_to_db(c.day))
                .bind(at)
                .bind(&user.name)
                .bind(user.id)
                .bind(c.source.as_str())
                .bind(&c.reason)
                .bind(&c.reason_text)
                .bind(&c.offer)
                .bind(c.channel.map(Channel::as_str))
                .bind(i64::from(c.window_days))
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'winback_case', $3, $4)",
                )
                .bind(at)
                .bind(&user.name)
                .bind(c.customer_id)
                .bind(format!("case {case_id} opened from {}", c.source.as_str()))
                .execute(&mut *tx)
                .await?;
                opened.push(OpenedCase { customer_id: c.customer_id, case_id, already_open: false });
            }
            tx.commit().await?;
            opened
        });
        Ok(opened)
    }

    /// A case within `scope`.
    pub async fn case(&self, scope: Scope, id: i64) -> Result<CaseRecord> {
        let row: Option<CaseColumns> = dispatch!(self, pool => {
            let mut q = QueryBuilder::new(CASE_COLUMNS);
            q.push(" WHERE k.id = ").push_bind(id);
            if let Some(m) = scope.manager() {
                q.push(" AND c.manager_user_id = ").push_bind(m);
            }
            q.build_query_as().fetch_optional(pool).await?
        });
        row.map(case_record)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("case", id))
    }

    /// Cases within `scope`, newest first, a page of `limit` from `offset`, and how many match.
    pub async fn cases(
        &self,
        scope: Scope,
        filter: &CaseFilter,
        offset: u64,
        limit: u32,
    ) -> Result<(i64, Vec<CaseRecord>)> {
        macro_rules! filtered {
            ($q:expr) => {{
                $q.push(" WHERE 1 = 1");
                if let Some(m) = scope.manager() {
                    $q.push(" AND c.manager_user_id = ").push_bind(m);
                }
                if let Some(m) = filter.manager_user_id {
                    $q.push(" AND c.manager_user_id = ").push_bind(m);
                }
                if let Some(s) = &filter.state {
                    $q.push(" AND k.state = ").push_bind(s.clone());
                }
                if let Some(c) = filter.customer_id {
                    $q.push(" AND k.customer_id = ").push_bind(c);
                }
            }};
        }
        let (total, rows) = dispatch!(self, pool => {
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM winback_cases k JOIN customers c ON c.id = k.customer_id",
            );
            filtered!(count);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut q = QueryBuilder::new(CASE_COLUMNS);
            filtered!(q);
            q.push(" ORDER BY k.id DESC LIMIT ")
                .push_bind(i64::from(limit))
                .push(" OFFSET ")
                .push_bind(offset as i64);
            let rows: Vec<CaseColumns> = q.build_query_as().fetch_all(pool).await?;
            (total, rows)
        });
        Ok((
            total,
            rows.into_iter().map(case_record).collect::<Result<_>>()?,
        ))
    }

    /// Sets a case's reason, offer or channel (within `scope`), with an audit entry.
    pub async fn update_case(
        &self,
        scope: Scope,
        user: &User,
        id: i64,
        update: &CaseUpdate,
    ) -> Result<CaseRecord> {
        text_bound("reason_text", &update.reason_text)?;
        text_bound("offer", &update.offer)?;
        let at = now();
        let changed: u64 = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let done = sqlx::query(
                "UPDATE winback_cases SET
                    reason = COALESCE($2, reason),
                    reason_text = COALESCE($3, reason_text),
                    offer = COALESCE($4, offer),
                    channel = COALESCE($5, channel)
                 WHERE id = $1 AND customer_id IN
                    (SELECT id FROM customers WHERE $6 IS NULL OR manager_user_id = $6)",
            )
            .bind(id)
            .bind(&update.reason)
            .bind(&update.reason_text)
            .bind(&update.offer)
            .bind(update.channel.map(Channel::as_str))
            .bind(scope.manager())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done > 0 {
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail)
                     SELECT $1, $2, 'winback_case', customer_id, $3 FROM winback_cases WHERE id = $4",
                )
                .bind(at)
                .bind(&user.name)
                .bind(format!("case {id} updated"))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            done
        });
        if changed == 0 {
            return Err(StoreError::not_found("case", id));
        }
        self.case(scope, id).await
    }

    /// Records an attempt on a case within `scope`, with its contact-log row and audit entry
    /// in one transaction (see `contact_log.rs`).
    pub async fn add_attempt(
        &self,
        scope: Scope,
        user: &User,
        attempt: &NewAttempt,
    ) -> Result<AttemptRecord> {
        if attempt
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
        let subject = format!("win-back case {}", attempt.case_id);
        let id: Option<i64> = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let customer: Option<i64> = sqlx::query_scalar(
                "SELECT k.customer_id FROM winback_cases k JOIN customers c ON c.id = k.customer_id
                 WHERE k.id = $1 AND ($2 IS NULL OR c.manager_user_id = $2)",
            )
            .bind(attempt.case_id)
            .bind(scope.manager())
            .fetch_optional(&mut *tx)
            .await?;
            match customer {
                None => None,
                Some(customer) => {
                    let log_id = insert_contact_log!(
                        tx,
                        customer,
                        at,
                        attempt.channel.as_str(),
                        Some(user.id),
                        &subject,
                        attempt.outcome.as_str()
                    );
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO winback_attempts (case_id, day, at, channel, outcome, note, author, user_id, contact_log_id)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                    )
                    .bind(attempt.case_id)
                    .bind(day_to_db(attempt.day))
                    .bind(at)
                    .bind(attempt.channel.as_str())
                    .bind(&attempt.outcome)
                    .bind(&attempt.note)
                    .bind(&user.name)
                    .bind(user.id)
                    .bind(log_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(
                        "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'winback_attempt', $3, $4)",
                    )
                    .bind(at)
                    .bind(&user.name)
                    .bind(customer)
                    .bind(format!("case {}: {} by {}", attempt.case_id, attempt.outcome, attempt.channel.as_str()))
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await?;
                    Some(id)
                }
            }
        });
        let id = id.ok_or_else(|| StoreError::not_found("case", attempt.case_id))?;
        Ok(AttemptRecord {
            id,
            case_id: attempt.case_id,
            day: attempt.day,
            at,
            channel: attempt.channel,
            outcome: attempt.outcome.clone(),
            note: attempt.note.clone(),
            author: user.name.clone(),
        })
    }

    /// A case's attempts, oldest first (the caller has checked the case is within scope).
    pub async fn case_attempts(&self, case_id: i64) -> Result<Vec<AttemptRecord>> {
        let rows: Vec<AttemptColumns> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT id, day, at, channel, outcome, note, author FROM winback_attempts
                 WHERE case_id = $1 ORDER BY day, id",
            )
            .bind(case_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, day, at, channel, outcome, note, author)| {
                Ok(AttemptRecord {
                    id,
                    case_id,
                    day: day_from_db(day),
                    at,
                    channel: channel_of("winback_attempts.channel", Some(channel))?
                        .unwrap_or(Channel::Phone),
                    outcome,
                    note,
                    author,
                })
            })
            .collect()
    }

    /// The facts of every case within `scope` (and of `manager`'s customers when given): the
    /// first purchase after opening and the next one after that, the attempts and whether one
    /// reached the customer.
    pub async fn case_facts(
        &self,
        scope: Scope,
        manager: Option<i64>,
    ) -> Result<Vec<CaseFactsRow>> {
        type Row = (
            i64,
            i64,
            String,
            Option<String>,
            i64,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            Option<i64>,
            Option<i64>,
            i64,
            i64,
        );
        let rows: Vec<Row> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT k.id, k.customer_id, c.external_id, c.name, k.opened_day, k.window_days,
                        k.reason, k.offer, k.channel, COALESCE(u.name, c.manager), c.kind,
                        (SELECT MIN(l.day) FROM order_lines l
                         WHERE l.customer_id = k.customer_id AND NOT l.is_return
                           AND l.day > k.opened_day),
                        (SELECT MIN(l.day) FROM order_lines l
                         WHERE l.customer_id = k.customer_id AND NOT l.is_return
                           AND l.day > (SELECT MIN(l2.day) FROM order_lines l2
                                        WHERE l2.customer_id = k.customer_id AND NOT l2.is_return
                                          AND l2.day > k.opened_day)),
                        (SELECT COUNT(*) FROM winback_attempts a WHERE a.case_id = k.id),
                        (SELECT COUNT(*) FROM winback_attempts a WHERE a.case_id = k.id
                            AND a.outcome IN ('answered', 'promised', 'declined'))
                 FROM winback_cases k
                 JOIN customers c ON c.id = k.customer_id
                 LEFT JOIN users u ON u.id = c.manager_user_id
                 WHERE ($1 IS NULL OR c.manager_user_id = $1) AND ($2 IS NULL OR c.manager_user_id = $2)
                 ORDER BY k.id",
            )
            .bind(scope.manager())
            .bind(manager)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(
                |(
                    case_id,
                    customer_id,
                    external_id,
                    name,
                    opened,
                    window,
                    reason,
                    offer,
                    channel,
                    manager,
                    kind,
                    first,
                    next,
                    attempts,
                    reached,
                )| {
                    Ok(CaseFactsRow {
                        case_id,
                        customer_id,
                        external_id,
                        name,
                        opened_day: day_from_db(opened),
                        window_days: window as i32,
                        reason,
                        offer,
                        channel: channel_of("winback_cases.channel", channel)?,
                        manager,
                        company: kind == "company",
                        first_purchase_after: first.map(day_from_db),
                        next_purchase_after_first: next.map(day_from_db),
                        attempts,
                        reached: reached > 0,
                    })
                },
            )
            .collect()
    }

    /// Writes what the orders decided about cases: `(case id, state, returned day)`, for
    /// cases still open (a settled case is not changed again).
    pub async fn settle_cases(&self, settled: &[(i64, &str, Option<Day>)]) -> Result<u64> {
        if settled.is_empty() {
            return Ok(0);
        }
        let at = now();
        let changed: u64 = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let mut changed = 0;
            for (id, state, returned) in settled {
                changed += sqlx::query(
                    "UPDATE winback_cases SET state = $2, returned_day = $3, settled_at = $4
                     WHERE id = $1 AND state = 'open'",
                )
                .bind(*id)
                .bind(*state)
                .bind(returned.map(day_to_db))
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            changed
        });
        Ok(changed)
    }

    /// Revenue and profit (revenue − known cost) of a customer's lines on days `from..=to`.
    pub async fn revenue_between(&self, customer: i64, from: Day, to: Day) -> Result<RegainedRow> {
        let (revenue, cost): (Option<i64>, Option<i64>) = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT CAST(SUM(amount) AS BIGINT), CAST(SUM(COALESCE(cost, 0)) AS BIGINT)
                 FROM order_lines WHERE customer_id = $1 AND day >= $2 AND day <= $3",
            )
            .bind(customer)
            .bind(day_to_db(from))
            .bind(day_to_db(to))
            .fetch_one(pool)
            .await?
        });
        let revenue = Money::from_units(revenue.unwrap_or(0));
        Ok(RegainedRow {
            revenue,
            profit: revenue - Money::from_units(cost.unwrap_or(0)),
        })
    }

    /// Lost customers of the latest snapshot within `scope`, persons and companies apart:
    /// `(persons, companies)`.
    pub async fn lost_counts(&self, scope: Scope, manager: Option<i64>) -> Result<(i64, i64)> {
        let Some(day) = self.latest_snapshot_day().await? else {
            return Ok((0, 0));
        };
        let rows: Vec<(String, i64)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT c.kind, COUNT(*) FROM score_snapshots s JOIN customers c ON c.id = s.customer_id
                 WHERE s.as_of = $1 AND s.status = 'lost'
                   AND ($2 IS NULL OR c.manager_user_id = $2) AND ($3 IS NULL OR c.manager_user_id = $3)
                 GROUP BY c.kind",
            )
            .bind(day_to_db(day))
            .bind(scope.manager())
            .bind(manager)
            .fetch_all(pool)
            .await?
        });
        let count = |k: &str| rows.iter().filter(|r| r.0 == k).map(|r| r.1).sum::<i64>();
        Ok((count("person"), count("company")))
    }
}
