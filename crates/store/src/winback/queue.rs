//! What the daily queue reads: the latest snapshot's customers (the numbers the next best action
//! needs, nothing else, so a million rows stay cheap), what was spent on them and when they
//! were last contacted, the day's outcomes and snoozes, the contact facts the policy decides
//! on, and the words of the items shown.

use std::collections::HashMap;

use clientele_core::{Day, Money, Rung, Status, Subgroup};
use rusqlite::types::Value;
use sqlx::QueryBuilder;

use super::direct;
use crate::columns;
use crate::customers::Channel;
use crate::db::{Store, day_from_db, day_to_db, dispatch};
use crate::error::{Result, StoreError};
use crate::scope::Scope;
use crate::snapshots::StatusReasonRecord;

/// Ids per `IN (...)` list: well below the bound-parameter limit of both backends.
const IDS_PER_STATEMENT: usize = 10_000;
/// Beyond this many customers the contact facts are read whole-table and filtered here, which
/// is cheaper than hundreds of `IN` lists.
const WHOLE_TABLE_FROM: usize = 100_000;

/// One customer of the latest snapshot, as the queue reads them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueSnapshotRow {
    pub customer_id: i64,
    pub manager_user_id: Option<i64>,
    pub rung: Rung,
    pub status: Option<Status>,
    pub subgroup: Option<Subgroup>,
    pub orders: i64,
    pub revenue: Money,
    pub profit: Money,
    pub p_alive: Option<f64>,
    pub expected_purchases: Option<f64>,
    pub clv: Option<f64>,
    /// The last purchase day, read for lost customers only (the queue takes them only while
    /// they are recently lost); `None` for the others.
    pub last_purchase: Option<Day>,
}

type SnapshotRowColumns = (
    i64,
    Option<i64>,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<i64>,
);

fn snapshot_row(row: SnapshotRowColumns) -> Result<QueueSnapshotRow> {
    let (
        id,
        manager,
        rung,
        status,
        subgroup,
        orders,
        revenue,
        profit,
        p_alive,
        expected,
        clv,
        last,
    ) = row;
    Ok(QueueSnapshotRow {
        customer_id: id,
        manager_user_id: manager,
        rung: columns::rung("score_snapshots.rung", &rung)?,
        status: columns::status_opt("score_snapshots.status", status.as_deref())?,
        subgroup: columns::subgroup_opt("score_snapshots.subgroup", subgroup.as_deref())?,
        orders,
        revenue: Money::from_units(revenue),
        profit: Money::from_units(profit),
        p_alive,
        expected_purchases: expected,
        clv,
        last_purchase: last.map(day_from_db),
    })
}

/// What the queue has done with a customer lately.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueActivity {
    /// What the queue's outcomes cost in the budget period.
    pub spent: Money,
    /// The last outbound contact of any module before the end of the queue's day (Unix
    /// seconds).
    pub last_contact_at: Option<i64>,
}

/// What the contact policy needs to know about a customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactFacts {
    pub preferred: Option<Channel>,
    /// Consent events (channel, granted, day) in the order they were recorded.
    pub consents: Vec<(Channel, bool, Day)>,
    /// Channels with an address or number.
    pub reachable: Vec<Channel>,
    /// Outbound contacts in the window asked for (Unix seconds).
    pub contacts: Vec<i64>,
}

/// The words of a queue item shown to a person.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueDetail {
    pub customer_id: i64,
    pub external_id: String,
    pub name: Option<String>,
    /// The assigned user's name, else the manager named by the customers file.
    pub manager: Option<String>,
    pub status_reason: Option<StatusReasonRecord>,
    pub kind_company: bool,
}

/// The snapshot's customers in scope. A lost customer's last purchase is the snapshot's own
/// (written by scoring); snapshots written before it was recorded fall back to the order lines,
/// one index walk per lost row (`COALESCE` evaluates the subquery only then).
const SNAPSHOT_SQL: &str = "SELECT s.customer_id, c.manager_user_id, s.rung, s.status, s.subgroup,
        s.orders, s.revenue, s.profit, s.p_alive, s.expected_purchases, s.clv,
        CASE WHEN s.status = 'lost' THEN
            COALESCE(s.last_purchase,
                     (SELECT MAX(l.day) FROM order_lines l
                      WHERE l.customer_id = s.customer_id AND NOT l.is_return))
        END
 FROM score_snapshots s JOIN customers c ON c.id = s.customer_id
 WHERE s.as_of = $1 AND ($2 IS NULL OR c.manager_user_id = $2)
   AND ($3 IS NULL OR c.manager_user_id = $3)";

/// Every (customer, category) bought, for the cross-category model.
const CATEGORIES_SQL: &str = "SELECT DISTINCT customer_id, category FROM order_lines
 WHERE category IS NOT NULL AND NOT is_return";

/// A customer id and a count or sum.
type PerCustomer = (i64, i64);

/// A queue detail row: id, external id, name, user name, manager, status reason, kind.
type DetailColumns = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
);

impl Store {
    /// The user id of a manager by name (for `--manager NAME`).
    pub async fn user_id_by_name(&self, name: &str) -> Result<i64> {
        let id: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT id FROM users WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await?
        });
        id.ok_or_else(|| StoreError::not_found("user", name))
    }

    /// Every customer of the snapshot of `as_of` within `scope` (and assigned to `manager`,
    /// when given), with what the queue reads.
    pub async fn queue_snapshot(
        &self,
        scope: Scope,
        manager: Option<i64>,
        as_of: Day,
    ) -> Result<Vec<QueueSnapshotRow>> {
        let (as_of, scoped) = (day_to_db(as_of), scope.manager());
        let rows: Vec<SnapshotRowColumns> = if let Some(path) = direct::sqlite_file(self) {
            let int = |v: Option<i64>| v.map_or(Value::Null, Value::Integer);
            direct::read_all(
                path,
                SNAPSHOT_SQL,
                vec![Value::Integer(as_of), int(scoped), int(manager)],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                        r.get(9)?,
                        r.get(10)?,
                        r.get(11)?,
                    ))
                },
            )
            .await?
        } else {
            dispatch!(self, pool => {
                sqlx::query_as(SNAPSHOT_SQL)
                    .bind(as_of)
                    .bind(scoped)
                    .bind(manager)
                    .fetch_all(pool)
                    .await?
            })
        };
        rows.into_iter().map(snapshot_row).collect()
    }

    /// Per customer: what the queue's outcomes cost in days `budget_from..=day`, and the last
    /// outbound contact before the end of `day`. Customers with neither are absent.
    pub async fn queue_activity(
        &self,
        day: Day,
        budget_from: Day,
    ) -> Result<HashMap<i64, QueueActivity>> {
        let day_end = (i64::from(day.days_since_epoch()) + 1) * 86_400;
        let (spent, contacts): (Vec<PerCustomer>, Vec<PerCustomer>) = dispatch!(self, pool => {
            let spent = sqlx::query_as(
                "SELECT customer_id, CAST(SUM(cost) AS BIGINT) FROM queue_outcomes
                 WHERE day >= $1 AND day <= $2 GROUP BY customer_id",
            )
            .bind(day_to_db(budget_from))
            .bind(day_to_db(day))
            .fetch_all(pool)
            .await?;
            let contacts = sqlx::query_as(
                "SELECT customer_id, MAX(at) FROM contact_log
                 WHERE direction = 'out' AND at < $1 GROUP BY customer_id",
            )
            .bind(day_end)
            .fetch_all(pool)
            .await?;
            (spent, contacts)
        });
        let mut out: HashMap<i64, QueueActivity> =
            HashMap::with_capacity(spent.len() + contacts.len());
        for (id, cost) in spent {
            out.entry(id).or_default().spent = Money::from_units(cost);
        }
        for (id, at) in contacts {
            out.entry(id).or_default().last_contact_at = Some(at);
        }
        Ok(out)
    }

    /// The queue's outcomes recorded for `day`, and the snoozes still running on it (snoozed
    /// on an earlier day until after `day`), by customer.
    pub async fn queue_outcomes_on(
        &self,
        day: Day,
    ) -> Result<HashMap<i64, super::contact_log::StoredQueueOutcome>> {
        let rows: Vec<super::contact_log::OutcomeColumns> = dispatch!(self, pool => {
            sqlx::query_as(super::contact_log::OUTCOMES_SQL)
                .bind(day_to_db(day))
                .fetch_all(pool)
                .await?
        });
        let mut out = HashMap::with_capacity(rows.len());
        for row in rows {
            let o = super::contact_log::stored_outcome(row)?;
            // The day's own outcome wins over an older snooze.
            if o.day == day || !out.contains_key(&o.customer_id) {
                out.insert(o.customer_id, o);
            }
        }
        Ok(out)
    }

    /// The contact facts of `customers`: preferred channel, consent history, reachable channels
    /// and outbound contacts in `[from_at, to_at)` (Unix seconds).
    pub async fn contact_facts(
        &self,
        customers: &[i64],
        from_at: i64,
        to_at: i64,
    ) -> Result<HashMap<i64, ContactFacts>> {
        let mut out: HashMap<i64, ContactFacts> = HashMap::with_capacity(customers.len());
        for &c in customers {
            out.insert(c, ContactFacts::default());
        }
        let whole = customers.len() >= WHOLE_TABLE_FROM;
        let chunks: Vec<&[i64]> = if whole {
            vec![&[]]
        } else {
            customers.chunks(IDS_PER_STATEMENT).collect()
        };
        for chunk in chunks {
            if !whole && chunk.is_empty() {
                continue;
            }
            macro_rules! with_ids {
                ($q:expr, $column:expr) => {{
                    if !whole {
                        $q.push(concat!(" AND ", $column, " IN ("));
                        let mut list = $q.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        $q.push(")");
                    }
                }};
            }
            let (preferred, consents, contacts, log) = dispatch!(self, pool => {
                let mut q = QueryBuilder::new(
                    "SELECT id, preferred_channel FROM customers WHERE preferred_channel IS NOT NULL",
                );
                with_ids!(q, "id");
                let preferred: Vec<(i64, String)> = q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT customer_id, channel, granted, day FROM consents WHERE 1 = 1",
                );
                with_ids!(q, "customer_id");
                q.push(" ORDER BY customer_id, id");
                let consents: Vec<(i64, String, bool, i64)> =
                    q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT DISTINCT customer_id, channel FROM customer_contacts WHERE 1 = 1",
                );
                with_ids!(q, "customer_id");
                let contacts: Vec<(i64, String)> = q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT customer_id, at FROM contact_log WHERE direction = 'out' AND at >= ",
                );
                q.push_bind(from_at).push(" AND at < ").push_bind(to_at);
                with_ids!(q, "customer_id");
                let log: Vec<(i64, i64)> = q.build_query_as().fetch_all(pool).await?;
                (preferred, consents, contacts, log)
            });
            for (id, channel) in preferred {
                if let Some(f) = out.get_mut(&id) {
                    f.preferred = Channel::parse(&channel);
                }
            }
            for (id, channel, granted, day) in consents {
                if let (Some(f), Some(c)) = (out.get_mut(&id), Channel::parse(&channel)) {
                    f.consents.push((c, granted, day_from_db(day)));
                }
            }
            for (id, channel) in contacts {
                if let (Some(f), Some(c)) = (out.get_mut(&id), Channel::parse(&channel)) {
                    f.reachable.push(c);
                }
            }
            for (id, at) in log {
                if let Some(f) = out.get_mut(&id) {
                    f.contacts.push(at);
                }
            }
        }
        Ok(out)
    }

    /// The words of the customers shown: external id, name, manager, the snapshot's status
    /// reason.
    pub async fn queue_details(&self, as_of: Day, customers: &[i64]) -> Result<Vec<QueueDetail>> {
        let mut out = Vec::with_capacity(customers.len());
        for chunk in customers.chunks(IDS_PER_STATEMENT) {
            let rows: Vec<DetailColumns> = dispatch!(self, pool => {
                let mut q = QueryBuilder::new(
                    "SELECT c.id, c.external_id, c.name, u.name, c.manager, s.status_reason, c.kind
                         FROM customers c
                         LEFT JOIN users u ON u.id = c.manager_user_id
                         LEFT JOIN score_snapshots s ON s.customer_id = c.id AND s.as_of = ",
                );
                q.push_bind(day_to_db(as_of)).push(" WHERE c.id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build_query_as().fetch_all(pool).await?
            });
            out.extend(rows.into_iter().map(
                |(customer_id, external_id, name, user, manager, reason, kind)| QueueDetail {
                    customer_id,
                    external_id,
                    name,
                    manager: user.or(manager),
                    status_reason: StatusReasonRecord::read(reason),
                    kind_company: kind == "company",
                },
            ));
        }
        Ok(out)
    }

    /// Every (customer, category) bought, for cross-category suggestions; with `customers`,
    /// only theirs.
    pub async fn customer_categories(
        &self,
        customers: Option<&[i64]>,
    ) -> Result<Vec<(i64, String)>> {
        let Some(ids) = customers else {
            if let Some(path) = direct::sqlite_file(self) {
                return direct::read_all(path, CATEGORIES_SQL, Vec::new(), |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .await;
            }
            let rows: Vec<(i64, String)> = dispatch!(self, pool => {
                sqlx::query_as(CATEGORIES_SQL).fetch_all(pool).await?
            });
            return Ok(rows);
        };
        let mut out = Vec::new();
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let rows: Vec<(i64, String)> = dispatch!(self, pool => {
                let mut q = QueryBuilder::new(
                    "SELECT DISTINCT customer_id, category FROM order_lines
                     WHERE category IS NOT NULL AND NOT is_return AND customer_id IN (",
                );
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                q.push(")");
                q.build_query_as().fetch_all(pool).await?
            });
            out.extend(rows);
        }
        Ok(out)
    }

    /// A mark that changes whenever order lines are added (the largest line id), so that what
    /// is derived from the lines can be cached until the next import.
    pub async fn order_lines_mark(&self) -> Result<i64> {
        let mark: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT MAX(id) FROM order_lines").fetch_one(pool).await?
        });
        Ok(mark.unwrap_or(0))
    }

    /// Which database this is (the file, or the server and database name), for caches that
    /// must not mix two databases of one process.
    pub fn identity(&self) -> String {
        match self {
            Store::Sqlite(pool) => {
                format!("sqlite:{}", pool.connect_options().get_filename().display())
            }
            Store::Postgres(pool) => {
                let o = pool.connect_options();
                format!(
                    "postgres:{}:{}/{}",
                    o.get_host(),
                    o.get_port(),
                    o.get_database().unwrap_or_default()
                )
            }
        }
    }
}
