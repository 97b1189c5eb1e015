//! Writing a snapshot: the analysis of every customer on one day, stored with the dashboard's
//! aggregates in one transaction; and which days have one.

use std::collections::HashMap;

use clientele_core::{Analysis, Day, Forecast, Rung, Status};
use sqlx::QueryBuilder;

use super::aggregates::refresh_aggregates;
use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::dialect;
use crate::error::Result;

/// Snapshot rows per INSERT statement (23 bound parameters each).
const ROWS_PER_STATEMENT: usize = 1000;
const _: () = assert!(dialect::fits_one_statement(ROWS_PER_STATEMENT, 24));

impl Store {
    /// Writes the analysis as the snapshot of its as-of day, replacing an earlier snapshot of
    /// the same day; all or nothing. Each customer's value at stake (the CLV expected to be
    /// lost, `CustomerResult::value_at_stake`) is stored beside the CLV, and the analysis's CLV
    /// horizon in `snapshot_horizons` (none when no CLV was forecast), so that every list and
    /// page names the horizon of the figures it ranks by.
    pub async fn write_snapshot(&self, analysis: &Analysis) -> Result<u64> {
        let as_of = day_to_db(analysis.as_of);
        let ids: Vec<(i64, String)> = dispatch!(self, pool => {
            sqlx::query_as("SELECT id, external_id FROM customers").fetch_all(pool).await?
        });
        let ids: HashMap<String, i64> = ids.into_iter().map(|(id, e)| (e, id)).collect();
        let scored_at = now();
        let rows: Vec<_> = analysis
            .customers()
            .filter_map(|c| Some((ids.get(c.id).copied()?, c)))
            .collect();
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            sqlx::query("DELETE FROM score_snapshots WHERE as_of = $1")
                .bind(as_of)
                .execute(&mut *tx)
                .await?;
            for chunk in rows.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO score_snapshots (as_of, customer_id, rung, status, subgroup, turn, previous_rung, orders, purchase_days, revenue, profit, abc, rfm, stability, scored_at, status_reason, p_alive, expected_purchases, clv, next_purchase, days_late, rung_reason, value_at_stake, last_purchase) ",
                );
                q.push_values(chunk, |mut b, (id, c)| {
                    let s = c.summary;
                    let placement = c.placement();
                    let rhythm = placement.rhythm();
                    b.push_bind(as_of)
                        .push_bind(*id)
                        .push_bind(placement.rung.as_str())
                        .push_bind(placement.status().map(Status::as_str))
                        .push_bind(c.subgroup.map(|g| g.as_str()))
                        .push_bind(i64::from(placement.turn))
                        .push_bind(placement.previous_rung.map(Rung::as_str))
                        .push_bind(s.map_or(0, |s| i64::from(s.orders)))
                        .push_bind(s.map_or(0, |s| i64::from(s.purchase_days())))
                        .push_bind(c.revenue().units())
                        .push_bind(c.profit().units())
                        .push_bind(c.abc.map(|a| a.as_str()))
                        .push_bind(c.rfm.map(|r| r.code()))
                        .push_bind(c.stability())
                        .push_bind(scored_at)
                        .push_bind(placement.status.map(|(_, why)| why.code()))
                        .push_bind(c.forecast.map(|f| f.p_alive))
                        .push_bind(c.forecast.map(|f| f.expected_purchases))
                        .push_bind(c.forecast.and_then(Forecast::clv))
                        .push_bind(c.expected_next_purchase(rhythm).map(day_to_db))
                        .push_bind(c.days_late(rhythm))
                        .push_bind(placement.reason.code())
                        .push_bind(c.value_at_stake())
                        .push_bind(s.and_then(|s| s.last_purchase()).map(day_to_db));
                });
                q.build().execute(&mut *tx).await?;
            }
            sqlx::query("DELETE FROM snapshot_horizons WHERE as_of = $1")
                .bind(as_of)
                .execute(&mut *tx)
                .await?;
            if let Some(days) = analysis.clv_horizon_days.filter(|d| *d > 0) {
                sqlx::query("INSERT INTO snapshot_horizons (as_of, clv_horizon_days) VALUES ($1, $2)")
                    .bind(as_of)
                    .bind(i64::from(days))
                    .execute(&mut *tx)
                    .await?;
            }
            refresh_aggregates!(tx, as_of);
            tx.commit().await?;
        });
        Ok(rows.len() as u64)
    }

    /// Days that have a snapshot, ascending.
    pub async fn snapshot_days(&self) -> Result<Vec<Day>> {
        let days: Vec<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT DISTINCT as_of FROM score_snapshots ORDER BY as_of")
                .fetch_all(pool)
                .await?
        });
        Ok(days.into_iter().map(day_from_db).collect())
    }

    /// The day of the latest snapshot, if any.
    pub async fn latest_snapshot_day(&self) -> Result<Option<Day>> {
        let d: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT MAX(as_of) FROM score_snapshots").fetch_one(pool).await?
        });
        Ok(d.map(day_from_db))
    }

    /// The latest two snapshot days (latest first).
    pub async fn latest_two_snapshots(&self) -> Result<(Option<Day>, Option<Day>)> {
        let latest = self.latest_snapshot_day().await?;
        let Some(latest) = latest else {
            return Ok((None, None));
        };
        let previous: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT MAX(as_of) FROM score_snapshots WHERE as_of < $1")
                .bind(day_to_db(latest))
                .fetch_one(pool)
                .await?
        });
        Ok((Some(latest), previous.map(day_from_db)))
    }

    /// Recomputes the dashboard aggregates of one snapshot day (scoring does this by itself;
    /// this is for snapshots written by other means, such as a bench's seeding).
    pub async fn refresh_dashboard(&self, as_of: Day) -> Result<()> {
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            refresh_aggregates!(tx, day_to_db(as_of));
            tx.commit().await?;
        });
        Ok(())
    }
}
