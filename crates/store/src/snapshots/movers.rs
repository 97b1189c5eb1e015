//! The customers behind one cell of the transition matrix: who stood on one rung in the earlier
//! snapshot and on another in the later one (the matrix's drill-down on the transitions page, in
//! the API and in `clientele transitions --from-rung --to-rung`).

use std::collections::HashMap;

use clientele_core::{Day, Money, Rung, Status};

use super::transitions::SnapshotRow;
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// At most this many customers of one cell are listed at once (the rest are counted).
pub const MAX_MOVERS: u32 = 1_000;

/// One customer of a cell: where they stood on both days.
#[derive(Clone, Debug, PartialEq)]
pub struct Mover {
    pub customer_id: i64,
    pub external_id: String,
    /// `None`: not in the earlier snapshot (new).
    pub from: Option<Rung>,
    /// `None`: not in the later snapshot (erased).
    pub to: Option<Rung>,
    pub status_before: Option<Status>,
    pub status_after: Option<Status>,
    /// Revenue brought between the two days (later minus earlier snapshot; the earlier revenue,
    /// negated, for a customer gone from the later one is not meaningful, so zero then).
    pub period_revenue: Money,
}

/// A page of one cell's customers, by revenue of the period, highest first (then by id).
#[derive(Clone, Debug, PartialEq)]
pub struct Movers {
    pub from: Day,
    pub to: Day,
    /// All customers of the cell within the scope.
    pub total: u64,
    pub items: Vec<Mover>,
}

/// The customers of cell (`from_rung`, `to_rung`) between two snapshots' rows (`None` on either
/// side: not in that snapshot), `offset` and `limit` applied after sorting.
pub fn movers_between(
    (from, to): (Day, Day),
    before: &[SnapshotRow],
    after: &[SnapshotRow],
    (from_rung, to_rung): (Option<Rung>, Option<Rung>),
    offset: u64,
    limit: u32,
) -> Movers {
    let before_by_id: HashMap<i64, &SnapshotRow> =
        before.iter().map(|r| (r.customer_id, r)).collect();
    let mut items: Vec<Mover> = Vec::new();
    if let Some(to_rung) = to_rung {
        for a in after.iter().filter(|a| a.rung == to_rung) {
            let b = before_by_id.get(&a.customer_id).copied();
            if b.map(|b| b.rung) != from_rung {
                continue;
            }
            items.push(Mover {
                customer_id: a.customer_id,
                external_id: a.external_id.clone(),
                from: b.map(|b| b.rung),
                to: Some(a.rung),
                status_before: b.and_then(|b| b.status),
                status_after: a.status,
                period_revenue: a.revenue - b.map_or(Money::ZERO, |b| b.revenue),
            });
        }
    } else if let Some(from_rung) = from_rung {
        let after_ids: std::collections::HashSet<i64> =
            after.iter().map(|r| r.customer_id).collect();
        for b in before
            .iter()
            .filter(|b| b.rung == from_rung && !after_ids.contains(&b.customer_id))
        {
            items.push(Mover {
                customer_id: b.customer_id,
                external_id: b.external_id.clone(),
                from: Some(b.rung),
                to: None,
                status_before: b.status,
                status_after: None,
                period_revenue: Money::ZERO,
            });
        }
    }
    items.sort_by(|x, y| {
        y.period_revenue
            .cmp(&x.period_revenue)
            .then(x.external_id.cmp(&y.external_id))
    });
    let total = items.len() as u64;
    let items = items
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(limit as usize)
        .collect();
    Movers {
        from,
        to,
        total,
        items,
    }
}

impl Store {
    /// The customers within `scope` who stood on `from_rung` on `from` and on `to_rung` on `to`
    /// (`None`: not in that snapshot; both `None` is refused), a page at a time.
    pub async fn movers_in(
        &self,
        scope: Scope,
        (from, to): (Day, Day),
        cell: (Option<Rung>, Option<Rung>),
        offset: u64,
        limit: u32,
    ) -> Result<Movers> {
        if cell == (None, None) {
            return Err(StoreError::Invalid {
                field: "from_rung",
                reason: "name a rung on at least one side".into(),
            });
        }
        if limit == 0 || limit > MAX_MOVERS {
            return Err(StoreError::Invalid {
                field: "limit",
                reason: format!("must be 1 to {MAX_MOVERS}"),
            });
        }
        let before = self.snapshot_rows_checked(scope, from).await?;
        let after = self.snapshot_rows_checked(scope, to).await?;
        Ok(movers_between(
            (from, to),
            &before,
            &after,
            cell,
            offset,
            limit,
        ))
    }
}
