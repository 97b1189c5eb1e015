//! The dashboard's reads of a snapshot: the aggregate tables scoring wrote (`aggregates.rs`) —
//! the ladder by rung, sub-group and status, the Pareto curve, ABC classes and RFM cells, the
//! movements — and the API's ladder summary, counted from the snapshot itself.

use clientele_core::{AbcClass, Day, Money, Rfm, Rung, Status, Subgroup};

use super::movement::Movement;
use crate::columns;
use crate::db::{Store, day_from_db, day_to_db, dispatch};
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// One rung x sub-group x status cell of a snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct LadderAggregate {
    pub rung: Rung,
    pub subgroup: Option<Subgroup>,
    pub status: Option<Status>,
    pub customers: i64,
    /// Of them, customers on a second or later turn of the spiral.
    pub returners: i64,
    pub revenue: Money,
    pub profit: Money,
}

/// A point of the Pareto curve: the top `rank` of `customers` buyers bring `cumulative` of
/// `total` revenue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ParetoPoint {
    pub rank: i64,
    pub customers: i64,
    pub cumulative: Money,
    pub total: Money,
}

/// An ABC class or an RFM cell of a snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment {
    Abc(AbcClass),
    Rfm(Rfm),
}

impl Segment {
    /// An ABC class (`A`, `B`, `C`) or an RFM cell (three digits 1-5, e.g. `555`).
    pub fn parse(text: &str) -> Result<Segment> {
        AbcClass::parse(text)
            .map(Segment::Abc)
            .or_else(|| Rfm::parse(text).map(Segment::Rfm))
            .ok_or_else(|| {
                StoreError::invalid(
                    "segment",
                    format!("'{text}' is neither an ABC class (A, B, C) nor an RFM cell like 555"),
                )
            })
    }

    /// The stored text: `A` or `555`.
    pub fn code(self) -> String {
        match self {
            Segment::Abc(class) => class.as_str().to_string(),
            Segment::Rfm(cell) => cell.code(),
        }
    }
}

/// Customers and revenue of one ABC class or RFM cell.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentCount {
    pub segment: Segment,
    pub customers: i64,
    pub revenue: Money,
}

/// Customers moving between two snapshots, by rungs and kind of movement.
#[derive(Clone, Debug, PartialEq)]
pub struct MovementAggregate {
    pub as_of: Day,
    pub previous: Day,
    /// `None`: not in the earlier snapshot.
    pub from: Option<Rung>,
    /// `None`: not in the later snapshot.
    pub to: Option<Rung>,
    pub movement: Movement,
    pub customers: i64,
    /// Customers on `from` with a status other than lost at the start.
    pub at_risk: i64,
    /// Of those, the ones lost or gone at the end.
    pub churned: i64,
    pub revenue: Money,
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

impl Store {
    /// The ladder aggregate of a snapshot within `scope`.
    pub async fn ladder_aggregate(&self, scope: Scope, as_of: Day) -> Result<Vec<LadderAggregate>> {
        type R = (String, String, String, i64, i64, i64, i64);
        let rows: Vec<R> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT rung, subgroup, status, customers, returners, revenue, profit FROM dash_ladder
                 WHERE as_of = $1 AND scope = $2",
            )
            .bind(day_to_db(as_of))
            .bind(scope.key())
            .fetch_all(pool)
            .await?
        });
        let mut cells = rows
            .into_iter()
            .map(
                |(rung, subgroup, status, customers, returners, revenue, profit)| {
                    Ok(LadderAggregate {
                        rung: columns::rung("dash_ladder.rung", &rung)?,
                        subgroup: columns::subgroup_or_empty("dash_ladder.subgroup", &subgroup)?,
                        status: columns::status_or_empty("dash_ladder.status", &status)?,
                        customers,
                        returners,
                        revenue: Money::from_units(revenue),
                        profit: Money::from_units(profit),
                    })
                },
            )
            .collect::<Result<Vec<_>>>()?;
        // By rung, the sub-group's text, then status.
        cells.sort_by_key(|c| (c.rung, c.subgroup.map(Subgroup::as_str), c.status));
        Ok(cells)
    }

    /// The Pareto curve of a snapshot within `scope`, by rank.
    pub async fn pareto_points(&self, scope: Scope, as_of: Day) -> Result<Vec<ParetoPoint>> {
        let rows: Vec<(i64, i64, i64, i64)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT rank, customers, cumulative_revenue, total_revenue FROM dash_pareto
                 WHERE as_of = $1 AND scope = $2 ORDER BY rank",
            )
            .bind(day_to_db(as_of))
            .bind(scope.key())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(rank, customers, cumulative, total)| ParetoPoint {
                rank,
                customers,
                cumulative: Money::from_units(cumulative),
                total: Money::from_units(total),
            })
            .collect())
    }

    /// ABC classes, then RFM cells, of a snapshot within `scope`, each in the order of its text.
    pub async fn segment_counts(&self, scope: Scope, as_of: Day) -> Result<Vec<SegmentCount>> {
        let rows: Vec<(String, String, i64, i64)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT kind, segment, customers, revenue FROM dash_segments
                 WHERE as_of = $1 AND scope = $2 ORDER BY kind, segment",
            )
            .bind(day_to_db(as_of))
            .bind(scope.key())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(kind, segment, customers, revenue)| {
                // The table's CHECK allows only these two kinds.
                let segment = match kind.as_str() {
                    "abc" => Segment::Abc(columns::abc("dash_segments.segment", &segment)?),
                    _ => Segment::Rfm(columns::rfm("dash_segments.segment", &segment)?),
                };
                Ok(SegmentCount {
                    segment,
                    customers,
                    revenue: Money::from_units(revenue),
                })
            })
            .collect()
    }

    /// Movements into snapshot `as_of` from the one before it (empty for the first snapshot),
    /// or into every snapshot when `as_of` is `None` (for churn over the whole history).
    pub async fn movement_aggregates(
        &self,
        scope: Scope,
        as_of: Option<Day>,
    ) -> Result<Vec<MovementAggregate>> {
        type R = (i64, i64, String, String, String, i64, i64, i64, i64);
        let rows: Vec<R> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT as_of, previous_as_of, from_rung, to_rung, movement, customers, at_risk, churned, revenue
                 FROM dash_movements WHERE scope = $1 AND ($2 IS NULL OR as_of = $2)
                 ORDER BY as_of, from_rung, to_rung, movement",
            )
            .bind(scope.key())
            .bind(as_of.map(day_to_db))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(
                |(as_of, previous, from, to, movement, customers, at_risk, churned, revenue)| {
                    Ok(MovementAggregate {
                        as_of: day_from_db(as_of),
                        previous: day_from_db(previous),
                        from: columns::rung_or_empty("dash_movements.from_rung", &from)?,
                        to: columns::rung_or_empty("dash_movements.to_rung", &to)?,
                        movement: Movement::parse(&movement).ok_or_else(|| {
                            StoreError::Unreadable {
                                column: "dash_movements.movement",
                                value: movement,
                            }
                        })?,
                        customers,
                        at_risk,
                        churned,
                        revenue: Money::from_units(revenue),
                    })
                },
            )
            .collect()
    }

    /// Counts, revenue and profit per rung and status of a snapshot (the latest when `as_of` is
    /// `None`), within `scope`, counted from the snapshot itself (managers by their customers'
    /// assignment now). `NotFound` when there is no such snapshot.
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
                .ok_or_else(|| StoreError::not_found("snapshot", "latest"))?,
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
                return Err(StoreError::not_found("snapshot", day));
            }
        }
        let mut cells = rows
            .into_iter()
            .map(|(rung, status, customers, revenue, profit)| {
                Ok(LadderCell {
                    rung: columns::rung("score_snapshots.rung", &rung)?,
                    status: columns::status_opt("score_snapshots.status", status.as_deref())?,
                    customers,
                    revenue: Money::from_units(revenue),
                    profit: Money::from_units(profit),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        cells.sort_by_key(|c| (c.rung, c.status));
        Ok((day, cells))
    }
}
