//! Read models and audited edits for the server: the customer list with filters and keyset
//! pagination, the ladder summary, the at-risk and lost lists, transitions
//! limited to what a user may see (the customer card is in `card.rs`), and notes and profile edits written together with their audit
//! entry in one transaction.
//!
//! Every query here takes a [`Scope`]: a manager's scope adds `manager_user_id = $n` to the
//! query itself, so a customer outside it is simply not found (the server answers 404), never
//! fetched and then hidden.

use clientele_core::{Rung, Status};
use sqlx::QueryBuilder;

use crate::score::compute_transitions;
use crate::{
    Day, Money, NoteRecord, Result, SnapshotRow, Store, StoreError, Transitions, User, day_from_db,
    day_to_db, dispatch, now,
};

/// Which customers a user may see and edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every customer (admins and analysts).
    All,
    /// Only the customers assigned to this user (managers).
    Manager(i64),
}

impl Scope {
    pub(crate) fn manager(self) -> Option<i64> {
        match self {
            Scope::All => None,
            Scope::Manager(id) => Some(id),
        }
    }
}

/// Filters of the customer list; `None` filters nothing.
#[derive(Clone, Debug, Default)]
pub struct CustomerFilter {
    /// Rung in the latest snapshot.
    pub rung: Option<Rung>,
    /// Status in the latest snapshot.
    pub status: Option<Status>,
    /// Profit sub-group in the latest snapshot (`profitable`, `middling`, `unprofitable`).
    pub subgroup: Option<String>,
    /// The assigned user's name, or the manager's name as the source gave it.
    pub manager: Option<String>,
    /// Case-insensitive substring of the external id or the name.
    pub search: Option<String>,
}

/// One row of the customer list.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerListItem {
    pub id: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub manager: Option<String>,
    pub manager_user: Option<String>,
    pub rung: Option<Rung>,
    pub status: Option<Status>,
    pub subgroup: Option<String>,
    pub revenue: Option<Money>,
}

/// A page of customers by ascending id; `next_after` is the cursor of the next page.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerPage {
    pub as_of: Option<Day>,
    pub items: Vec<CustomerListItem>,
    pub next_after: Option<i64>,
}

/// Customers on one rung and status of a snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct LadderCell {
    pub rung: Rung,
    pub status: Option<Status>,
    pub customers: i64,
    pub revenue: Money,
    pub profit: Money,
}

/// Which value list to read from the latest snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueList {
    /// Regulars and advocates whose status is slipping.
    AtRisk,
    /// Customers whose status is lost.
    Lost,
}

/// A page of a value list, by revenue descending (ties by id).
#[derive(Clone, Debug, PartialEq)]
pub struct ValuePage {
    pub as_of: Option<Day>,
    pub total: i64,
    pub items: Vec<CustomerListItem>,
}

/// Profile fields a user may change; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct CustomerEdit {
    pub name: Option<String>,
    pub image_client: Option<bool>,
    /// `Some(Some(user))` assigns the customer to a user, `Some(None)` unassigns it.
    pub manager_user_id: Option<Option<i64>>,
}

fn rung_of(s: Option<&str>) -> Option<Rung> {
    s.and_then(|s| Rung::ALL.into_iter().find(|r| r.as_str() == s))
}

fn status_of(s: Option<&str>) -> Option<Status> {
    s.and_then(|s| Status::ALL.into_iter().find(|r| r.as_str() == s))
}

fn not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: "customer",
        key: id.to_string(),
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
fn like_pattern(text: &str) -> String {
    let mut p = String::with_capacity(text.len() + 2);
    p.push('%');
    for ch in text.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

const LIST_COLUMNS: &str = "SELECT c.id, c.external_id, c.name, c.manager, u.name AS manager_user,
        s.rung, s.status, s.subgroup, s.revenue
 FROM customers c
 LEFT JOIN users u ON u.id = c.manager_user_id
 LEFT JOIN score_snapshots s ON s.customer_id = c.id AND s.as_of = ";

type ListRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
);

fn list_item(r: ListRow) -> CustomerListItem {
    let (id, external_id, name, manager, manager_user, rung, status, subgroup, revenue) = r;
    CustomerListItem {
        id,
        external_id,
        name,
        manager,
        manager_user,
        rung: rung_of(rung.as_deref()),
        status: status_of(status.as_deref()),
        subgroup,
        revenue: revenue.map(Money::from_units),
    }
}

impl Store {
    /// The day of the latest snapshot, if any.
    pub async fn latest_snapshot_day(&self) -> Result<Option<Day>> {
        let d: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT MAX(as_of) FROM score_snapshots").fetch_one(pool).await?
        });
        Ok(d.map(day_from_db))
    }

    /// A page of customers matching `filter`, by ascending id, starting after id `after`;
    /// rung, status and sub-group come from the latest snapshot.
    pub async fn list_customers(
        &self,
        scope: Scope,
        filter: &CustomerFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<CustomerPage> {
        let as_of = self.latest_snapshot_day().await?;
        let pattern = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(like_pattern);
        // The query is built inside each backend's arm: a QueryBuilder is typed by its database.
        let rows: Vec<ListRow> = dispatch!(self, pool => {
            let mut q = QueryBuilder::new(LIST_COLUMNS);
            q.push_bind(as_of.map(day_to_db));
            q.push(" WHERE c.id > ").push_bind(after.unwrap_or(i64::MIN));
            if let Some(m) = scope.manager() {
                q.push(" AND c.manager_user_id = ").push_bind(m);
            }
            if let Some(r) = filter.rung {
                q.push(" AND s.rung = ").push_bind(r.as_str());
            }
            if let Some(st) = filter.status {
                q.push(" AND s.status = ").push_bind(st.as_str());
            }
            if let Some(g) = &filter.subgroup {
                q.push(" AND s.subgroup = ").push_bind(g.clone());
            }
            if let Some(m) = &filter.manager {
                q.push(" AND (u.name = ")
                    .push_bind(m.clone())
                    .push(" OR c.manager = ")
                    .push_bind(m.clone())
                    .push(")");
            }
            if let Some(p) = &pattern {
                q.push(" AND (LOWER(c.external_id) LIKE ")
                    .push_bind(p.clone())
                    .push(" ESCAPE '\\' OR LOWER(c.name) LIKE ")
                    .push_bind(p.clone())
                    .push(" ESCAPE '\\')");
            }
            q.push(" ORDER BY c.id LIMIT ")
                .push_bind(i64::from(limit) + 1);
            q.build_query_as().fetch_all(pool).await?
        });
        let mut items: Vec<CustomerListItem> = rows.into_iter().map(list_item).collect();
        let next_after = if items.len() > limit as usize {
            items.truncate(limit as usize);
            items.last().map(|i| i.id)
        } else {
            None
        };
        Ok(CustomerPage {
            as_of,
            items,
            next_after,
        })
    }

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

    /// Counts, revenue and profit per rung and status of a snapshot (the latest when `as_of` is
    /// `None`), within `scope`. `NotFound` when there is no such snapshot.
    pub async fn ladder_summary(
        &self,
        scope: Scope,
        as_of: Option<Day>,
    ) -> Result<(Day, Vec<LadderCell>)> {
        let day = match as_of {
            Some(d) => d,
            None => self
                .latest_snapshot_day()
                .await?
                .ok_or_else(|| StoreError::NotFound {
                    what: "snapshot",
                    key: "latest".into(),
                })?,
        };
        let rows: Vec<(String, Option<String>, i64, i64, i64)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT s.rung, s.status, COUNT(*), CAST(SUM(s.revenue) AS BIGINT), CAST(SUM(s.profit) AS BIGINT)
                 FROM score_snapshots s JOIN customers c ON c.id = s.customer_id
                 WHERE s.as_of = $1 AND ($2 IS NULL OR c.manager_user_id = $2)
                 GROUP BY s.rung, s.status",
            )
            .bind(day_to_db(day))
            .bind(scope.manager())
            .fetch_all(pool)
            .await?
        });
        if rows.is_empty() && as_of.is_some() {
            let exists = self.snapshot_days().await?.contains(&day);
            if !exists {
                return Err(StoreError::NotFound {
                    what: "snapshot",
                    key: day.to_string(),
                });
            }
        }
        let mut cells: Vec<LadderCell> = rows
            .into_iter()
            .filter_map(|(rung, status, customers, revenue, profit)| {
                Some(LadderCell {
                    rung: rung_of(Some(&rung))?,
                    status: status_of(status.as_deref()),
                    customers,
                    revenue: Money::from_units(revenue),
                    profit: Money::from_units(profit),
                })
            })
            .collect();
        cells.sort_by_key(|c| (c.rung, c.status));
        Ok((day, cells))
    }

    /// A page of the at-risk or lost list of the latest snapshot, by revenue descending.
    pub async fn value_list(
        &self,
        scope: Scope,
        list: ValueList,
        offset: u64,
        limit: u32,
    ) -> Result<ValuePage> {
        let as_of = self.latest_snapshot_day().await?;
        let Some(day) = as_of else {
            return Ok(ValuePage {
                as_of,
                total: 0,
                items: Vec::new(),
            });
        };
        let condition = match list {
            ValueList::AtRisk => " AND s.status = 'slipping' AND s.rung IN ('regular', 'advocate')",
            ValueList::Lost => " AND s.status = 'lost'",
        };
        // The same WHERE clause for the count and the page (a macro: one body per backend).
        macro_rules! build {
            ($q:expr) => {{
                $q.push(" WHERE s.as_of = ").push_bind(day_to_db(day));
                if let Some(m) = scope.manager() {
                    $q.push(" AND c.manager_user_id = ").push_bind(m);
                }
                $q.push(condition);
            }};
        }
        let (total, items) = dispatch!(self, pool => {
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM score_snapshots s JOIN customers c ON c.id = s.customer_id",
            );
            build!(count);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut q = QueryBuilder::new(
                "SELECT c.id, c.external_id, c.name, c.manager, u.name AS manager_user,
                        s.rung, s.status, s.subgroup, s.revenue
                 FROM score_snapshots s JOIN customers c ON c.id = s.customer_id
                 LEFT JOIN users u ON u.id = c.manager_user_id",
            );
            build!(q);
            q.push(" ORDER BY s.revenue DESC, c.id LIMIT ")
                .push_bind(i64::from(limit))
                .push(" OFFSET ")
                .push_bind(offset as i64);
            let rows: Vec<ListRow> = q.build_query_as().fetch_all(pool).await?;
            (total, rows)
        });
        Ok(ValuePage {
            as_of,
            total,
            items: items.into_iter().map(list_item).collect(),
        })
    }

    /// The ladder's movement between two snapshots, counting only customers within `scope`.
    pub async fn transitions_in(&self, scope: Scope, from: Day, to: Day) -> Result<Transitions> {
        let before = self.snapshot_in(scope, from).await?;
        let after = self.snapshot_in(scope, to).await?;
        Ok(compute_transitions(from, to, &before, &after))
    }

    async fn snapshot_in(&self, scope: Scope, as_of: Day) -> Result<Vec<SnapshotRow>> {
        if !self.snapshot_days().await?.contains(&as_of) {
            return Err(StoreError::NotFound {
                what: "snapshot",
                key: as_of.to_string(),
            });
        }
        type R = (
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            i64,
            i64,
            i64,
            Option<String>,
            Option<f64>,
        );
        let rows: Vec<R> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT s.customer_id, c.external_id, s.rung, s.status, s.subgroup, s.turn, s.revenue, s.profit, s.status_reason, s.p_alive
                 FROM score_snapshots s JOIN customers c ON c.id = s.customer_id
                 WHERE s.as_of = $1 AND ($2 IS NULL OR c.manager_user_id = $2) ORDER BY s.customer_id",
            )
            .bind(day_to_db(as_of))
            .bind(scope.manager())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .filter_map(
                |(
                    customer_id,
                    external_id,
                    rung,
                    status,
                    subgroup,
                    turn,
                    revenue,
                    profit,
                    status_reason,
                    p_alive,
                )| {
                    Some(SnapshotRow {
                        customer_id,
                        external_id,
                        rung: rung_of(Some(&rung))?,
                        status: status_of(status.as_deref()),
                        subgroup,
                        turn: turn as u32,
                        revenue: Money::from_units(revenue),
                        profit: Money::from_units(profit),
                        status_reason,
                        p_alive,
                    })
                },
            )
            .collect())
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
        let at = now();
        let id: Option<i64> = dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
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
            let mut tx = pool.begin().await?;
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

    /// Audit entries, newest first: of one customer, or of all when `customer` is `None`.
    pub async fn audit_entries(
        &self,
        customer: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(i64, Option<i64>, crate::AuditEntry)>> {
        type R = (i64, i64, String, String, Option<i64>, String);
        let rows: Vec<R> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT id, at, actor, action, customer_id, detail FROM audit_log
                 WHERE ($1 IS NULL OR customer_id = $1) ORDER BY id DESC LIMIT $2",
            )
            .bind(customer)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, at, actor, action, customer_id, detail)| {
                (
                    id,
                    customer_id,
                    crate::AuditEntry {
                        at,
                        actor,
                        action,
                        detail,
                    },
                )
            })
            .collect())
    }
}

/// An audit entry to append (see [`Store::audit_batch`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub actor: String,
    pub action: String,
    pub customer_id: Option<i64>,
    pub detail: String,
}

impl Store {
    /// Appends audit entries in one transaction (one multi-row statement per 1,000), stamped now.
    pub async fn audit_batch(&self, entries: &[NewAuditEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let at = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            for chunk in entries.chunks(1000) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) ",
                );
                q.push_values(chunk, |mut b, e| {
                    b.push_bind(at)
                        .push_bind(e.actor.clone())
                        .push_bind(e.action.clone())
                        .push_bind(e.customer_id)
                        .push_bind(e.detail.clone());
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }
}
