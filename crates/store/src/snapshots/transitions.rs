//! Whole snapshots read into memory, and what is measured between them: the ladder's
//! transitions (who moved up, down, out, back) and churn per rung over the company's history,
//! classified by the rules of `movement.rs`.

use std::collections::{HashMap, HashSet};

use clientele_core::{Day, Money, Rung, Status, Subgroup};

use super::history::StatusReasonRecord;
use super::movement::{Movement, Standing, at_risk, churned, classify};
use crate::columns;
use crate::db::{Store, day_to_db, dispatch};
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// One customer's row of a snapshot, as the movement between two snapshots reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotRow {
    pub customer_id: i64,
    pub external_id: String,
    pub rung: Rung,
    pub status: Option<Status>,
    pub subgroup: Option<Subgroup>,
    pub turn: u32,
    pub revenue: Money,
    pub profit: Money,
    /// Why the customer has their status.
    pub status_reason: Option<StatusReasonRecord>,
    /// The model's P(alive) on the snapshot day, when a model was fitted.
    pub p_alive: Option<f64>,
}

impl SnapshotRow {
    pub fn standing(&self) -> Standing {
        Standing {
            rung: self.rung,
            status: self.status,
            turn: self.turn,
        }
    }
}

/// Customers moving from one rung to another between two snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransitionCell {
    /// `None`: not in the earlier snapshot (a new customer).
    pub from: Option<Rung>,
    /// `None`: not in the later snapshot (erased or deleted).
    pub to: Option<Rung>,
    pub customers: u64,
    /// Revenue of these customers in the later snapshot (cumulative to its date).
    pub revenue: Money,
    /// Revenue they brought between the two dates (later minus earlier snapshot).
    pub period_revenue: Money,
}

/// The ladder's movement between two snapshots.
#[derive(Clone, Debug, PartialEq)]
pub struct Transitions {
    pub from: Day,
    pub to: Day,
    /// Non-empty cells, ordered by (from, to) with `None` first.
    pub matrix: Vec<TransitionCell>,
    pub up: u64,
    pub down: u64,
    pub out: u64,
    pub back: u64,
    pub same: u64,
    pub new: u64,
}

impl Transitions {
    /// Customers who moved so.
    pub fn count(&self, movement: Movement) -> u64 {
        match movement {
            Movement::Up => self.up,
            Movement::Down => self.down,
            Movement::Out => self.out,
            Movement::Back => self.back,
            Movement::Same => self.same,
            Movement::New => self.new,
        }
    }

    fn tally(&mut self, movement: Movement) {
        let n = match movement {
            Movement::Up => &mut self.up,
            Movement::Down => &mut self.down,
            Movement::Out => &mut self.out,
            Movement::Back => &mut self.back,
            Movement::Same => &mut self.same,
            Movement::New => &mut self.new,
        };
        *n += 1;
    }
}

/// Classifies each customer's move and tallies the rung-to-rung matrix.
pub fn compute_transitions(
    from: Day,
    to: Day,
    before: &[SnapshotRow],
    after: &[SnapshotRow],
) -> Transitions {
    let before_by_id: HashMap<i64, &SnapshotRow> =
        before.iter().map(|r| (r.customer_id, r)).collect();
    let after_ids: HashSet<i64> = after.iter().map(|r| r.customer_id).collect();
    let mut cells: HashMap<(Option<Rung>, Option<Rung>), TransitionCell> = HashMap::new();
    let mut t = Transitions {
        from,
        to,
        matrix: Vec::new(),
        up: 0,
        down: 0,
        out: 0,
        back: 0,
        same: 0,
        new: 0,
    };
    for a in after {
        let b = before_by_id.get(&a.customer_id).copied();
        let cell = cells
            .entry((b.map(|b| b.rung), Some(a.rung)))
            .or_insert(TransitionCell {
                from: b.map(|b| b.rung),
                to: Some(a.rung),
                customers: 0,
                revenue: Money::ZERO,
                period_revenue: Money::ZERO,
            });
        cell.customers += 1;
        cell.revenue += a.revenue;
        cell.period_revenue += a.revenue - b.map_or(Money::ZERO, |b| b.revenue);
        t.tally(classify(b.map(SnapshotRow::standing), a.standing()));
    }
    for b in before
        .iter()
        .filter(|b| !after_ids.contains(&b.customer_id))
    {
        let cell = cells.entry((Some(b.rung), None)).or_insert(TransitionCell {
            from: Some(b.rung),
            to: None,
            customers: 0,
            revenue: Money::ZERO,
            period_revenue: Money::ZERO,
        });
        cell.customers += 1;
        t.tally(Movement::Out);
    }
    t.matrix = cells.into_values().collect();
    t.matrix.sort_by_key(|c| (c.from, c.to));
    t
}

/// Churn of one rung over the company's own history of snapshots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChurnRow {
    pub rung: Rung,
    /// Customers on this rung and not lost at the start of a period, summed over periods.
    pub at_risk: u64,
    /// Of those, the ones lost (or gone) at the period's end.
    pub lost: u64,
    /// lost / at_risk; `None` when no one was at risk.
    pub rate: Option<f64>,
    /// Mean period length in days (consecutive snapshots).
    pub mean_period_days: Option<f64>,
}

type SnapshotColumns = (
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

fn snapshot_row(columns: SnapshotColumns) -> Result<SnapshotRow> {
    let (
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
    ) = columns;
    Ok(SnapshotRow {
        customer_id,
        external_id,
        rung: columns::rung("score_snapshots.rung", &rung)?,
        status: columns::status_opt("score_snapshots.status", status.as_deref())?,
        subgroup: columns::subgroup_opt("score_snapshots.subgroup", subgroup.as_deref())?,
        turn: turn as u32,
        revenue: Money::from_units(revenue),
        profit: Money::from_units(profit),
        status_reason: StatusReasonRecord::read(status_reason),
        p_alive,
    })
}

fn no_snapshot(as_of: Day) -> StoreError {
    StoreError::not_found("snapshot", as_of)
}

impl Store {
    /// The rows of the snapshot of `as_of` within `scope`, by customer id (none when there is
    /// no such snapshot).
    async fn snapshot_rows(&self, scope: Scope, as_of: Day) -> Result<Vec<SnapshotRow>> {
        let mut sql = String::from(
            "SELECT s.customer_id, c.external_id, s.rung, s.status, s.subgroup, s.turn, s.revenue, s.profit, s.status_reason, s.p_alive
             FROM score_snapshots s JOIN customers c ON c.id = s.customer_id
             WHERE s.as_of = $1",
        );
        if scope.manager().is_some() {
            sql.push_str(" AND c.manager_user_id = $2");
        }
        sql.push_str(" ORDER BY s.customer_id");
        // The text is one of the two above, never caller text.
        let sql = sqlx::AssertSqlSafe(sql);
        let rows: Vec<SnapshotColumns> = dispatch!(self, pool => {
            let mut q = sqlx::query_as(sql).bind(day_to_db(as_of));
            if let Some(m) = scope.manager() {
                q = q.bind(m);
            }
            q.fetch_all(pool).await?
        });
        rows.into_iter().map(snapshot_row).collect()
    }

    /// One snapshot, by customer id; `NotFound` when there is none of that day.
    pub async fn snapshot(&self, as_of: Day) -> Result<Vec<SnapshotRow>> {
        let rows = self.snapshot_rows(Scope::All, as_of).await?;
        if rows.is_empty() {
            return Err(no_snapshot(as_of));
        }
        Ok(rows)
    }

    /// The ladder's movement between the snapshots of two days.
    pub async fn transitions(&self, from: Day, to: Day) -> Result<Transitions> {
        let before = self.snapshot(from).await?;
        let after = self.snapshot(to).await?;
        Ok(compute_transitions(from, to, &before, &after))
    }

    /// The ladder's movement between two snapshots, counting only customers within `scope`.
    pub async fn transitions_in(&self, scope: Scope, from: Day, to: Day) -> Result<Transitions> {
        let days = self.snapshot_days().await?;
        for day in [from, to] {
            if !days.contains(&day) {
                return Err(no_snapshot(day));
            }
        }
        let before = self.snapshot_rows(scope, from).await?;
        let after = self.snapshot_rows(scope, to).await?;
        Ok(compute_transitions(from, to, &before, &after))
    }

    /// Churn per rung over every pair of consecutive snapshots.
    pub async fn churn_by_rung(&self) -> Result<Vec<ChurnRow>> {
        let days = self.snapshot_days().await?;
        let mut at_risk_on = [0u64; 5];
        let mut lost_from = [0u64; 5];
        let mut period_days = Vec::new();
        let mut previous: Option<Vec<SnapshotRow>> = None;
        for (i, &day) in days.iter().enumerate() {
            let current = self.snapshot(day).await?;
            if let Some(before) = &previous {
                period_days.push(day.days_since(days[i - 1]));
                let after: HashMap<i64, &SnapshotRow> =
                    current.iter().map(|r| (r.customer_id, r)).collect();
                for b in before.iter().filter(|b| at_risk(b.status)) {
                    at_risk_on[b.rung as usize] += 1;
                    if churned(after.get(&b.customer_id).map(|a| a.status)) {
                        lost_from[b.rung as usize] += 1;
                    }
                }
            }
            previous = Some(current);
        }
        let mean_period_days = (!period_days.is_empty()).then(|| {
            period_days.iter().map(|&d| f64::from(d)).sum::<f64>() / period_days.len() as f64
        });
        Ok(Rung::ALL
            .into_iter()
            .map(|rung| {
                let (n, l) = (at_risk_on[rung as usize], lost_from[rung as usize]);
                ChurnRow {
                    rung,
                    at_risk: n,
                    lost: l,
                    rate: (n > 0).then(|| l as f64 / n as f64),
                    mean_period_days,
                }
            })
            .collect())
    }
}
