//! The small per-snapshot aggregate tables the dashboard reads, and how scoring writes them.
//!
//! With a million customers a page cannot aggregate the snapshot per request, so scoring writes
//! the aggregates (`dash_ladder`, `dash_pareto`, `dash_segments`, `dash_movements`,
//! `dash_first_purchase`; see `migrations/*/0020_web.sql`) in the same transaction as the
//! snapshot ([`refresh_aggregates!`], called from `Store::write_snapshot`), and pages read a few
//! dozen rows from them (`dashboard.rs`). Aggregates are kept per scope: `0` for every customer
//! and one set per manager (by the assignment when the snapshot was written), so a manager's
//! pages read only their own rows.

use super::movement::movement_sql;
use crate::orders::visible_line;

/// How one aggregate statement is written for one kind of scope: every customer (scope 0) or
/// each manager's customers (scope = the manager's user id). Plain joins on primary keys, so
/// both databases read a snapshot once per statement.
struct ScopeSql {
    scope: &'static str,
    join: &'static str,
    condition: &'static str,
    group: &'static str,
    partition: &'static str,
}

const SCOPE_SQL: [ScopeSql; 2] = [
    ScopeSql {
        scope: "0",
        join: "",
        condition: "",
        group: "",
        partition: "",
    },
    ScopeSql {
        scope: "c.manager_user_id",
        join: " JOIN customers c ON c.id = s.customer_id",
        condition: " AND c.manager_user_id IS NOT NULL",
        group: "c.manager_user_id, ",
        partition: "PARTITION BY c.manager_user_id",
    },
];

/// The aggregate statements that depend only on the snapshot day `$1`.
pub(crate) fn snapshot_aggregate_sql() -> Vec<String> {
    let mut sql: Vec<String> = vec![
        "DELETE FROM dash_ladder WHERE as_of = $1".into(),
        "DELETE FROM dash_pareto WHERE as_of = $1".into(),
        "DELETE FROM dash_segments WHERE as_of = $1".into(),
    ];
    for ScopeSql {
        scope,
        join,
        condition,
        group,
        partition,
    } in SCOPE_SQL
    {
        sql.push(format!(
            "INSERT INTO dash_ladder (as_of, scope, rung, subgroup, status, customers, returners, revenue, profit)
             SELECT $1, {scope}, s.rung, COALESCE(s.subgroup, ''), COALESCE(s.status, ''), COUNT(*),
                    CAST(SUM(CASE WHEN s.turn > 1 THEN 1 ELSE 0 END) AS BIGINT),
                    CAST(SUM(s.revenue) AS BIGINT), CAST(SUM(s.profit) AS BIGINT)
             FROM score_snapshots s{join}
             WHERE s.as_of = $1{condition}
             GROUP BY {group}s.rung, COALESCE(s.subgroup, ''), COALESCE(s.status, '')"
        ));
        // One point per percent of buyers crossed: rank r is kept when floor(100 r / n) grows.
        sql.push(format!(
            "INSERT INTO dash_pareto (as_of, scope, rank, customers, cumulative_revenue, total_revenue)
             SELECT $1, p.scope, p.rn, p.n, p.cum, p.total FROM (
               SELECT {scope} AS scope,
                      ROW_NUMBER() OVER w AS rn,
                      COUNT(*) OVER ({partition}) AS n,
                      CAST(SUM(CASE WHEN s.revenue > 0 THEN s.revenue ELSE 0 END) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS cum,
                      CAST(SUM(CASE WHEN s.revenue > 0 THEN s.revenue ELSE 0 END) OVER ({partition}) AS BIGINT) AS total
               FROM score_snapshots s{join}
               WHERE s.as_of = $1 AND s.orders > 0{condition}
               WINDOW w AS ({partition} ORDER BY CASE WHEN s.revenue > 0 THEN s.revenue ELSE 0 END DESC, s.customer_id)
             ) p
             WHERE (p.rn * 100) / p.n > ((p.rn - 1) * 100) / p.n"
        ));
        for kind in ["abc", "rfm"] {
            sql.push(format!(
                "INSERT INTO dash_segments (as_of, scope, kind, segment, customers, revenue)
                 SELECT $1, {scope}, '{kind}', s.{kind}, COUNT(*), CAST(SUM(s.revenue) AS BIGINT)
                 FROM score_snapshots s{join}
                 WHERE s.as_of = $1 AND s.{kind} IS NOT NULL{condition}
                 GROUP BY {group}s.{kind}"
            ));
        }
    }
    sql
}

/// Every customer's first purchase day, with its month and day by integer arithmetic
/// (H. Hinnant's `civil_from_days`), the same in both dialects.
pub(crate) const FIRST_PURCHASE_SQL: &str = concat!(
    "INSERT INTO dash_first_purchase (customer_id, day, month_day)
 SELECT customer_id, day, (CASE WHEN mp < 10 THEN mp + 3 ELSE mp - 9 END) * 100 + (doy - (153 * mp + 2) / 5 + 1)
 FROM (SELECT customer_id, day, doy, (5 * doy + 2) / 153 AS mp
   FROM (SELECT customer_id, day, doe - (365 * yoe + yoe / 4 - yoe / 100) AS doy
     FROM (SELECT customer_id, day, doe, (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365 AS yoe
       FROM (SELECT customer_id, day, (day + 719468) % 146097 AS doe
         FROM (SELECT l.customer_id, MIN(l.day) AS day FROM order_lines l WHERE NOT l.is_return AND ",
    visible_line!(),
    "
               GROUP BY l.customer_id) f) a) b) c) d"
);

/// Rebuilds the movements into snapshot `$1` from snapshot `$2` (the rows of
/// [`movement_sql`], counted per scope, rungs and movement).
pub(crate) fn movement_aggregate_sql() -> (String, Vec<String>) {
    let moves = movement_sql();
    let inserts = SCOPE_SQL
        .iter()
        .map(|ScopeSql { scope, group, .. }| {
            let (join, condition) = if group.is_empty() {
                ("", "")
            } else {
                (
                    " JOIN customers c ON c.id = m.customer_id",
                    " WHERE c.manager_user_id IS NOT NULL",
                )
            };
            format!(
                "INSERT INTO dash_movements (as_of, scope, previous_as_of, from_rung, to_rung, movement, customers, at_risk, churned, revenue)
                 SELECT $1, {scope}, $2, m.from_rung, m.to_rung, m.movement, COUNT(*),
                        CAST(SUM(m.at_risk) AS BIGINT), CAST(SUM(m.churned) AS BIGINT), CAST(SUM(m.revenue) AS BIGINT)
                 FROM ({moves}) m{join}{condition}
                 GROUP BY {group}m.from_rung, m.to_rung, m.movement"
            )
        })
        .collect();
    (
        "DELETE FROM dash_movements WHERE as_of = $1".into(),
        inserts,
    )
}

/// Rewrites the dashboard's aggregates of snapshot day `$as_of` (an `i64`) on `$conn` (a
/// `&mut` transaction or connection of either backend): the snapshot's own tables, the
/// movements from the snapshot before it, and the movements of the snapshot after it (which
/// now follows this one). Expands inside a `dispatch!` arm, so one text serves both backends.
macro_rules! refresh_aggregates {
    ($conn:expr, $as_of:expr) => {{
        let as_of: i64 = $as_of;
        sqlx::query("DELETE FROM dash_first_purchase")
            .execute(&mut *$conn)
            .await?;
        sqlx::query($crate::snapshots::aggregates::FIRST_PURCHASE_SQL)
            .execute(&mut *$conn)
            .await?;
        for sql in $crate::snapshots::aggregates::snapshot_aggregate_sql() {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(as_of)
                .execute(&mut *$conn)
                .await?;
        }
        let previous: Option<i64> =
            sqlx::query_scalar("SELECT MAX(as_of) FROM score_snapshots WHERE as_of < $1")
                .bind(as_of)
                .fetch_one(&mut *$conn)
                .await?;
        let next: Option<i64> =
            sqlx::query_scalar("SELECT MIN(as_of) FROM score_snapshots WHERE as_of > $1")
                .bind(as_of)
                .fetch_one(&mut *$conn)
                .await?;
        for (to, from) in [(Some(as_of), previous), (next, Some(as_of))] {
            let (delete, inserts) = $crate::snapshots::aggregates::movement_aggregate_sql();
            if let Some(to) = to {
                sqlx::query(sqlx::AssertSqlSafe(delete))
                    .bind(to)
                    .execute(&mut *$conn)
                    .await?;
                if let Some(from) = from {
                    for insert in inserts {
                        sqlx::query(sqlx::AssertSqlSafe(insert))
                            .bind(to)
                            .bind(from)
                            .execute(&mut *$conn)
                            .await?;
                    }
                }
            }
        }
    }};
}
pub(crate) use refresh_aggregates;
