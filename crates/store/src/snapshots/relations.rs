//! The value page's relations of a snapshot (issue 24, item 8): how many buyers are image
//! clients, came by a referral or referred others, with their revenue and profit, and how
//! regular their purchases are (the stability of each buyer in bands). Read live from the
//! snapshot and the customers table in two scans of the snapshot, within the scope.

use clientele_core::{Day, Money};

use crate::db::{Store, day_to_db, dispatch};
use crate::error::Result;
use crate::scope::Scope;

/// A group of buyers with what they brought.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuyerGroup {
    pub customers: i64,
    pub revenue: Money,
    pub profit: Money,
}

/// The relations and regularity of a snapshot's buyers (customers with at least one order).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SnapshotRelations {
    pub buyers: BuyerGroup,
    pub image_clients: BuyerGroup,
    /// Buyers who came on another customer's recommendation.
    pub referred: BuyerGroup,
    /// Buyers who brought at least one other customer.
    pub referrers: BuyerGroup,
    /// Buyers whose stability is at least 2/3 (purchases close to their rhythm).
    pub steady: i64,
    /// ... from 1/3 to 2/3.
    pub uneven: i64,
    /// ... below 1/3.
    pub erratic: i64,
    /// Buyers without a stability (fewer than three purchase days: no rhythm yet).
    pub no_rhythm: i64,
}

impl Store {
    /// The relations of snapshot `as_of` within `scope`.
    pub async fn snapshot_relations(&self, scope: Scope, as_of: Day) -> Result<SnapshotRelations> {
        type Row = (
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
            i64,
        );
        // Sums cast to BIGINT: PostgreSQL's SUM of a BIGINT is NUMERIC; COALESCE for no rows.
        let (row, referrers): (Row, (i64, i64, i64)) = dispatch!(self, pool => {
            let mut conn = pool.acquire().await?;
            let main: Row = sqlx::query_as(
                "SELECT COUNT(*),
                    CAST(COALESCE(SUM(s.revenue), 0) AS BIGINT),
                    CAST(COALESCE(SUM(s.profit), 0) AS BIGINT),
                    COALESCE(SUM(CASE WHEN c.image_client THEN 1 ELSE 0 END), 0),
                    CAST(COALESCE(SUM(CASE WHEN c.image_client THEN s.revenue ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN c.image_client THEN s.profit ELSE 0 END), 0) AS BIGINT),
                    COALESCE(SUM(CASE WHEN c.referrer_id IS NOT NULL THEN 1 ELSE 0 END), 0),
                    CAST(COALESCE(SUM(CASE WHEN c.referrer_id IS NOT NULL THEN s.revenue ELSE 0 END), 0) AS BIGINT),
                    CAST(COALESCE(SUM(CASE WHEN c.referrer_id IS NOT NULL THEN s.profit ELSE 0 END), 0) AS BIGINT),
                    COALESCE(SUM(CASE WHEN s.stability >= 2.0 / 3.0 THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN s.stability >= 1.0 / 3.0 AND s.stability < 2.0 / 3.0 THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN s.stability < 1.0 / 3.0 THEN 1 ELSE 0 END), 0),
                    COALESCE(SUM(CASE WHEN s.stability IS NULL THEN 1 ELSE 0 END), 0)
                 FROM score_snapshots s
                 JOIN customers c ON c.id = s.customer_id
                 WHERE s.as_of = $1 AND s.orders > 0 AND ($2 IS NULL OR c.manager_user_id = $2)",
            )
            .bind(day_to_db(as_of))
            .bind(scope.manager())
            .fetch_one(&mut *conn)
            .await?;
            // The referrers apart: a join on the distinct referrers cost 2.5 times the whole
            // scan at 1M customers, the IN list a fifth of it (BENCHMARKS.md).
            let referrers: (i64, i64, i64) = sqlx::query_as(
                "SELECT COUNT(*), CAST(COALESCE(SUM(s.revenue), 0) AS BIGINT),
                    CAST(COALESCE(SUM(s.profit), 0) AS BIGINT)
                 FROM score_snapshots s JOIN customers c ON c.id = s.customer_id
                 WHERE s.as_of = $1 AND s.orders > 0 AND ($2 IS NULL OR c.manager_user_id = $2)
                   AND s.customer_id IN (SELECT referrer_id FROM customers WHERE referrer_id IS NOT NULL)",
            )
            .bind(day_to_db(as_of))
            .bind(scope.manager())
            .fetch_one(&mut *conn)
            .await?;
            (main, referrers)
        });
        let group = |n: i64, revenue: i64, profit: i64| BuyerGroup {
            customers: n,
            revenue: Money::from_units(revenue),
            profit: Money::from_units(profit),
        };
        Ok(SnapshotRelations {
            buyers: group(row.0, row.1, row.2),
            image_clients: group(row.3, row.4, row.5),
            referred: group(row.6, row.7, row.8),
            referrers: group(referrers.0, referrers.1, referrers.2),
            steady: row.9,
            uneven: row.10,
            erratic: row.11,
            no_rhythm: row.12,
        })
    }
}
