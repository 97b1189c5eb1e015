//! Read models of the web dashboard, and the small per-snapshot aggregate tables they read.
//!
//! With a million customers a page cannot aggregate the snapshot per request, so scoring writes
//! the aggregates (`dash_ladder`, `dash_pareto`, `dash_segments`, `dash_movements`,
//! `dash_first_purchase`; see `migrations/*/0020_web.sql`) in the same transaction as the
//! snapshot ([`refresh_aggregates!`], called from `Store::write_snapshot`), and pages read a few
//! dozen rows from them. Lists are paginated on indexed columns. Aggregates are kept per scope:
//! `0` for every customer and one set per manager (by the assignment when the snapshot was
//! written), so a manager's pages read only their own rows.

use clientele_core::{Rung, Status};
use sqlx::QueryBuilder;

use crate::recurrence::{DateRule, orthodox_easter, western_easter};
use crate::{
    Channel, Day, Money, Result, Scope, Store, StoreError, day_from_db, day_to_db, dispatch,
};

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
pub(crate) const FIRST_PURCHASE_SQL: &str = "INSERT INTO dash_first_purchase (customer_id, day, month_day)
 SELECT customer_id, day, (CASE WHEN mp < 10 THEN mp + 3 ELSE mp - 9 END) * 100 + (doy - (153 * mp + 2) / 5 + 1)
 FROM (SELECT customer_id, day, doy, (5 * doy + 2) / 153 AS mp
   FROM (SELECT customer_id, day, doe - (365 * yoe + yoe / 4 - yoe / 100) AS doy
     FROM (SELECT customer_id, day, doe, (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365 AS yoe
       FROM (SELECT customer_id, day, (day + 719468) % 146097 AS doe
         FROM (SELECT customer_id, MIN(day) AS day FROM order_lines WHERE NOT is_return
               GROUP BY customer_id) f) a) b) c) d";

/// Rebuilds the movements into snapshot `$1` from snapshot `$2` (`clientele_store::classify`'s
/// rules in SQL): the later snapshot's rows with their earlier row if any, then the earlier
/// rows missing from the later snapshot (gone), each found through the primary key.
pub(crate) fn movement_sql() -> (String, Vec<String>) {
    const RANK_A: &str = "CASE a.rung WHEN 'prospect' THEN 0 WHEN 'visitor' THEN 1 WHEN 'newcomer' THEN 2 WHEN 'regular' THEN 3 ELSE 4 END";
    const RANK_B: &str = "CASE b.rung WHEN 'prospect' THEN 0 WHEN 'visitor' THEN 1 WHEN 'newcomer' THEN 2 WHEN 'regular' THEN 3 ELSE 4 END";
    const AT_RISK: &str = "CASE WHEN b.status IS NOT NULL AND b.status <> 'lost' THEN 1 ELSE 0 END";
    let moves = format!(
        "SELECT a.customer_id, COALESCE(b.rung, '') AS from_rung, a.rung AS to_rung,
                CASE WHEN b.customer_id IS NULL THEN 'new'
                     WHEN a.status = 'lost' AND COALESCE(b.status, '') <> 'lost' THEN 'out'
                     WHEN (b.status = 'lost' AND COALESCE(a.status, '') <> 'lost') OR a.turn > b.turn THEN 'back'
                     WHEN {RANK_A} > {RANK_B} THEN 'up'
                     WHEN {RANK_A} < {RANK_B} THEN 'down'
                     ELSE 'same' END AS movement,
                {AT_RISK} AS at_risk,
                CASE WHEN b.status IS NOT NULL AND b.status <> 'lost' AND a.status = 'lost' THEN 1 ELSE 0 END AS churned,
                a.revenue AS revenue
         FROM score_snapshots a
         LEFT JOIN score_snapshots b ON b.as_of = $2 AND b.customer_id = a.customer_id
         WHERE a.as_of = $1
         UNION ALL
         SELECT b.customer_id, b.rung, '', 'out', {AT_RISK}, {AT_RISK}, 0
         FROM score_snapshots b
         WHERE b.as_of = $2
           AND NOT EXISTS (SELECT 1 FROM score_snapshots a WHERE a.as_of = $1 AND a.customer_id = b.customer_id)"
    );
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
        sqlx::query($crate::dashboard::FIRST_PURCHASE_SQL)
            .execute(&mut *$conn)
            .await?;
        for sql in $crate::dashboard::snapshot_aggregate_sql() {
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
            let (delete, inserts) = $crate::dashboard::movement_sql();
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

/// The scope column value of the aggregate tables.
fn scope_key(scope: Scope) -> i64 {
    match scope {
        Scope::All => 0,
        Scope::Manager(id) => id,
    }
}

fn manager_of(scope: Scope) -> Option<i64> {
    match scope {
        Scope::All => None,
        Scope::Manager(id) => Some(id),
    }
}

fn rung_of(s: &str) -> Option<Rung> {
    Rung::ALL.into_iter().find(|r| r.as_str() == s)
}

fn status_of(s: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|r| r.as_str() == s)
}

fn channel_of(s: Option<&str>) -> Option<Channel> {
    s.and_then(|s| Channel::ALL.into_iter().find(|c| c.as_str() == s))
}

/// One rung x sub-group x status cell of a snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct LadderAggregate {
    pub rung: Rung,
    /// `profitable`, `middling`, `unprofitable`, or `None`.
    pub subgroup: Option<String>,
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

/// Customers and revenue of one ABC class or RFM cell.
#[derive(Clone, Debug, PartialEq)]
pub struct SegmentCount {
    /// `abc` or `rfm`.
    pub kind: String,
    pub segment: String,
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
    /// up, down, out, back, same or new.
    pub movement: String,
    pub customers: i64,
    /// Customers on `from` with a status other than lost at the start.
    pub at_risk: i64,
    /// Of those, the ones lost or gone at the end.
    pub churned: i64,
    pub revenue: Money,
}

/// Which value list of the latest snapshot a page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionList {
    /// Slipping regulars and advocates, by value at stake (revenue).
    Today,
    /// Lost customers of any rung, by value lost (revenue).
    Lost,
}

/// One customer of the today or lost list.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionItem {
    pub id: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub preferred_channel: Option<Channel>,
    pub rung: Rung,
    pub status: Option<Status>,
    pub subgroup: Option<String>,
    pub revenue: Money,
    pub profit: Money,
    /// The status reason as scoring wrote it (English; the server words it per language).
    pub status_reason: Option<String>,
    pub days_late: Option<i64>,
    pub p_alive: Option<f64>,
    pub last_purchase: Option<Day>,
}

/// A page of an action list; `total` comes from the aggregates.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionPage {
    pub as_of: Option<Day>,
    pub total: i64,
    pub items: Vec<ActionItem>,
}

/// Filters of the dashboard's customer list (the latest snapshot's values); `None` filters
/// nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DashboardFilter {
    /// Case-insensitive substring of the external id or the name.
    pub search: Option<String>,
    pub rung: Option<Rung>,
    pub status: Option<Status>,
    pub subgroup: Option<String>,
    /// The assigned user's name, or the manager's name as the source gave it.
    pub manager: Option<String>,
    /// An ABC class (`A`, `B`, `C`) or an RFM cell (three digits, e.g. `555`).
    pub segment: Option<String>,
}

/// Where a page of the customer list starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cursor {
    First,
    /// Customers with an id above this one.
    After(i64),
    /// The page just before this id.
    Before(i64),
}

/// One row of the dashboard's customer list and of its CSV export.
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardCustomer {
    pub id: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub manager: Option<String>,
    pub rung: Option<Rung>,
    pub status: Option<Status>,
    pub subgroup: Option<String>,
    pub revenue: Option<Money>,
    pub profit: Option<Money>,
    pub abc: Option<String>,
    pub rfm: Option<String>,
}

/// A page of the customer list by ascending id, with cursors to the pages around it.
#[derive(Clone, Debug, PartialEq)]
pub struct DashboardPage {
    pub as_of: Option<Day>,
    pub items: Vec<DashboardCustomer>,
    /// Set when there are customers after the last item.
    pub next_after: Option<i64>,
    /// Set when there are customers before the first item.
    pub prev_before: Option<i64>,
}

/// A customer's snapshot history as the card shows it beside the store's card.
#[derive(Clone, Debug, PartialEq)]
pub struct CardHistory {
    pub as_of: Day,
    pub rung: Rung,
    pub status: Option<Status>,
    pub previous_rung: Option<Rung>,
    /// `RungReason::code` (migration 0023); `None` for older snapshots.
    pub rung_reason: Option<String>,
    pub status_reason: Option<String>,
    pub p_alive: Option<f64>,
    pub clv: Option<f64>,
    pub profit: Money,
}

/// What an upcoming date is.
#[derive(Clone, Debug, PartialEq)]
pub enum DateKind {
    /// A personal date by its label (birthday, a favourite holiday...).
    Personal(String),
    /// The anniversary of the first purchase; `years` since it.
    FirstPurchase { years: i32 },
}

/// A date falling within the window of [`Store::upcoming_dates`].
#[derive(Clone, Debug, PartialEq)]
pub struct UpcomingDate {
    pub day: Day,
    pub customer_id: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub kind: DateKind,
}

/// The dashboard's language choices.
pub const LANGUAGES: [&str; 2] = ["en", "ru"];

const ACTION_COLUMNS: &str =
    "SELECT c.id, c.external_id, c.name, c.preferred_channel, s.rung, s.status, s.subgroup,
        s.revenue, s.profit, s.status_reason, s.days_late, s.p_alive,
        (SELECT MAX(l.day) FROM order_lines l WHERE l.customer_id = c.id AND NOT l.is_return)
 FROM score_snapshots s JOIN customers c ON c.id = s.customer_id";

type ActionRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<f64>,
    Option<i64>,
);

const LIST_COLUMNS: &str =
    "SELECT c.id, c.external_id, c.name, COALESCE(u.name, c.manager), s.rung, s.status,
        s.subgroup, s.revenue, s.profit, s.abc, s.rfm";
/// The list walks customers by id...
const LIST_FROM_CUSTOMERS: (&str, &str) = (" FROM customers c", "c.id");
/// ...or, searching SQLite for 3+ characters, the FTS5 index's matches by rowid (the customer's
/// id). CROSS JOIN keeps the index the outer loop, and FTS5 itself applies the keyset bound and
/// the order, producing matches lazily: a page of a query matching most customers stops after
/// the page instead of collecting every match first (as `c.id IN (SELECT rowid ...)` would).
const LIST_FROM_SEARCH: (&str, &str) = (
    " FROM customer_search CROSS JOIN customers c ON c.id = customer_search.rowid",
    "customer_search.rowid",
);
const LIST_JOINS: &str = " LEFT JOIN users u ON u.id = c.manager_user_id
 LEFT JOIN score_snapshots s ON s.customer_id = c.id AND s.as_of = ";

type ListRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

fn list_item(r: ListRow) -> DashboardCustomer {
    let (id, external_id, name, manager, rung, status, subgroup, revenue, profit, abc, rfm) = r;
    DashboardCustomer {
        id,
        external_id,
        name,
        manager,
        rung: rung.as_deref().and_then(rung_of),
        status: status.as_deref().and_then(status_of),
        subgroup,
        revenue: revenue.map(Money::from_units),
        profit: profit.map(Money::from_units),
        abc,
        rfm,
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

/// The fewest characters a trigram index can find: shorter text holds no trigram.
const TRIGRAM: usize = 3;

/// How the customer list matches its search text (a case-insensitive substring of the external
/// id or the name); the indexes are in migrations/*/0021_search.sql.
#[derive(Clone, Debug, PartialEq)]
enum Search {
    /// Text of [`TRIGRAM`]+ characters: on SQLite an FTS5 phrase (the text quoted, its `"`
    /// doubled), which the trigram tokenizer matches as a substring, folding case over all of
    /// Unicode; on PostgreSQL the LIKE pattern, which pg_trgm's GIN indexes serve.
    Indexed { phrase: String, pattern: String },
    /// Shorter text has no trigram to look up, and a substring scan for it would read every
    /// customer when it is rare (300 ms at 1M customers, over the pages' 100 ms budget). It
    /// finds the customer whose external id it is (as typed, upper- or lower-cased: three
    /// lookups in the unique index), which is what one- or two-character searches are for in
    /// practice ("7", "C4"); the page says that names need three characters.
    Short { ids: [String; 3] },
}

impl Search {
    fn new(text: &str) -> Option<Search> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        Some(if text.chars().count() >= TRIGRAM {
            Search::Indexed {
                phrase: format!("\"{}\"", text.replace('"', "\"\"")),
                pattern: like_pattern(text),
            }
        } else {
            Search::Short {
                ids: [text.to_string(), text.to_uppercase(), text.to_lowercase()],
            }
        })
    }

    /// Whether the query reads SQLite's FTS5 index (and so `LIST_FROM_SEARCH`).
    fn reads_fts5(search: &Option<Search>, sqlite: bool) -> bool {
        sqlite && matches!(search, Some(Search::Indexed { .. }))
    }
}

impl DashboardFilter {
    /// Checks the free-text fields: a segment is an ABC class or three RFM digits 1-5.
    pub fn validate(&self) -> Result<()> {
        if let Some(s) = &self.segment {
            let abc = matches!(s.as_str(), "A" | "B" | "C");
            let rfm = s.len() == 3 && s.bytes().all(|b| (b'1'..=b'5').contains(&b));
            if !abc && !rfm {
                return Err(StoreError::Invalid {
                    field: "segment",
                    reason: format!(
                        "'{s}' is neither an ABC class (A, B, C) nor an RFM cell like 555"
                    ),
                });
            }
        }
        if let Some(g) = &self.subgroup
            && !matches!(g.as_str(), "profitable" | "middling" | "unprofitable")
        {
            return Err(StoreError::Invalid {
                field: "subgroup",
                reason: format!("'{g}' is not profitable, middling or unprofitable"),
            });
        }
        Ok(())
    }
}

/// Appends the filter's conditions (the query already has a `WHERE`). Conditions on the
/// snapshot are written through `COALESCE` on purpose: a plain `s.status = $n` lets SQLite turn
/// the LEFT JOIN into an inner join and start from the status index, sorting a quarter of a
/// million rows by id (450 ms at 1M customers); kept as a LEFT JOIN it walks customers in id
/// order and stops after a page (see BENCHMARKS.md).
macro_rules! push_filter {
    ($q:expr, $scope:expr, $filter:expr, $search:expr, $sqlite:expr) => {{
        if let Some(m) = manager_of($scope) {
            $q.push(" AND c.manager_user_id = ").push_bind(m);
        }
        if let Some(r) = $filter.rung {
            $q.push(" AND COALESCE(s.rung, '') = ")
                .push_bind(r.as_str());
        }
        if let Some(st) = $filter.status {
            $q.push(" AND COALESCE(s.status, '') = ")
                .push_bind(st.as_str());
        }
        if let Some(g) = &$filter.subgroup {
            $q.push(" AND COALESCE(s.subgroup, '') = ")
                .push_bind(g.clone());
        }
        if let Some(m) = &$filter.manager {
            $q.push(" AND (u.name = ")
                .push_bind(m.clone())
                .push(" OR c.manager = ")
                .push_bind(m.clone())
                .push(")");
        }
        if let Some(seg) = &$filter.segment {
            if seg.len() == 1 {
                $q.push(" AND COALESCE(s.abc, '') = ")
                    .push_bind(seg.clone());
            } else {
                $q.push(" AND COALESCE(s.rfm, '') = ")
                    .push_bind(seg.clone());
            }
        }
        match (&$search, $sqlite) {
            (None, _) => {}
            // The query reads LIST_FROM_SEARCH (see `Search::reads_fts5`).
            (Some(Search::Indexed { phrase, .. }), true) => {
                $q.push(" AND customer_search MATCH ")
                    .push_bind(phrase.clone());
            }
            (Some(Search::Short { ids }), _) => {
                $q.push(" AND c.external_id IN (")
                    .push_bind(ids[0].clone())
                    .push(", ")
                    .push_bind(ids[1].clone())
                    .push(", ")
                    .push_bind(ids[2].clone())
                    .push(")");
            }
            // The expressions of the GIN indexes, character for character.
            (Some(Search::Indexed { pattern, .. }), false) => {
                $q.push(" AND (lower(c.external_id COLLATE \"und-x-icu\") LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\' OR lower(c.name COLLATE \"und-x-icu\") LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\')");
            }
        }
    }};
}

impl Store {
    /// Recomputes the dashboard aggregates of one snapshot day (scoring does this by itself;
    /// this is for snapshots written by other means, such as a bench's seeding).
    pub async fn refresh_dashboard(&self, as_of: Day) -> Result<()> {
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            refresh_aggregates!(tx, day_to_db(as_of));
            tx.commit().await?;
        });
        Ok(())
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

    /// The ladder aggregate of a snapshot within `scope`.
    pub async fn ladder_aggregate(&self, scope: Scope, as_of: Day) -> Result<Vec<LadderAggregate>> {
        type R = (String, String, String, i64, i64, i64, i64);
        let rows: Vec<R> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT rung, subgroup, status, customers, returners, revenue, profit FROM dash_ladder
                 WHERE as_of = $1 AND scope = $2",
            )
            .bind(day_to_db(as_of))
            .bind(scope_key(scope))
            .fetch_all(pool)
            .await?
        });
        let mut cells: Vec<LadderAggregate> = rows
            .into_iter()
            .filter_map(
                |(rung, subgroup, status, customers, returners, revenue, profit)| {
                    Some(LadderAggregate {
                        rung: rung_of(&rung)?,
                        subgroup: (!subgroup.is_empty()).then_some(subgroup),
                        status: status_of(&status),
                        customers,
                        returners,
                        revenue: Money::from_units(revenue),
                        profit: Money::from_units(profit),
                    })
                },
            )
            .collect();
        cells.sort_by(|a, b| (a.rung, &a.subgroup, a.status).cmp(&(b.rung, &b.subgroup, b.status)));
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
            .bind(scope_key(scope))
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

    /// ABC classes and RFM cells of a snapshot within `scope`.
    pub async fn segment_counts(&self, scope: Scope, as_of: Day) -> Result<Vec<SegmentCount>> {
        let rows: Vec<(String, String, i64, i64)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT kind, segment, customers, revenue FROM dash_segments
                 WHERE as_of = $1 AND scope = $2 ORDER BY kind, segment",
            )
            .bind(day_to_db(as_of))
            .bind(scope_key(scope))
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(kind, segment, customers, revenue)| SegmentCount {
                kind,
                segment,
                customers,
                revenue: Money::from_units(revenue),
            })
            .collect())
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
            .bind(scope_key(scope))
            .bind(as_of.map(day_to_db))
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(
                |(as_of, previous, from, to, movement, customers, at_risk, churned, revenue)| {
                    MovementAggregate {
                        as_of: day_from_db(as_of),
                        previous: day_from_db(previous),
                        from: rung_of(&from),
                        to: rung_of(&to),
                        movement,
                        customers,
                        at_risk,
                        churned,
                        revenue: Money::from_units(revenue),
                    }
                },
            )
            .collect())
    }

    /// A page of the today or lost list of the latest snapshot, by revenue descending.
    pub async fn action_list(
        &self,
        scope: Scope,
        list: ActionList,
        offset: u64,
        limit: u32,
    ) -> Result<ActionPage> {
        let Some(day) = self.latest_snapshot_day().await? else {
            return Ok(ActionPage {
                as_of: None,
                total: 0,
                items: Vec::new(),
            });
        };
        let (status, rungs) = match list {
            ActionList::Today => ("slipping", "('regular', 'advocate')"),
            ActionList::Lost => (
                "lost",
                "('prospect', 'visitor', 'newcomer', 'regular', 'advocate')",
            ),
        };
        let (total, rows) = dispatch!(self, pool => {
            let mut count = QueryBuilder::new("SELECT CAST(COALESCE(SUM(customers), 0) AS BIGINT) FROM dash_ladder WHERE as_of = ");
            count
                .push_bind(day_to_db(day))
                .push(" AND scope = ")
                .push_bind(scope_key(scope))
                .push(" AND status = ")
                .push_bind(status)
                .push(" AND rung IN ")
                .push(rungs);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut q = QueryBuilder::new(ACTION_COLUMNS);
            q.push(" WHERE s.as_of = ")
                .push_bind(day_to_db(day))
                .push(" AND s.status = ")
                .push_bind(status)
                .push(" AND s.rung IN ")
                .push(rungs);
            if let Some(m) = manager_of(scope) {
                q.push(" AND c.manager_user_id = ").push_bind(m);
            }
            q.push(" ORDER BY s.revenue DESC, s.customer_id DESC LIMIT ")
                .push_bind(i64::from(limit))
                .push(" OFFSET ")
                .push_bind(offset as i64);
            let rows: Vec<ActionRow> = q.build_query_as().fetch_all(pool).await?;
            (total, rows)
        });
        let items = rows
            .into_iter()
            .filter_map(
                |(
                    id,
                    external_id,
                    name,
                    channel,
                    rung,
                    status,
                    subgroup,
                    revenue,
                    profit,
                    status_reason,
                    days_late,
                    p_alive,
                    last,
                )| {
                    Some(ActionItem {
                        id,
                        external_id,
                        name,
                        preferred_channel: channel_of(channel.as_deref()),
                        rung: rung_of(&rung)?,
                        status: status.as_deref().and_then(status_of),
                        subgroup,
                        revenue: Money::from_units(revenue),
                        profit: Money::from_units(profit),
                        status_reason,
                        days_late,
                        p_alive,
                        last_purchase: last.map(day_from_db),
                    })
                },
            )
            .collect();
        Ok(ActionPage {
            as_of: Some(day),
            total,
            items,
        })
    }

    /// A page of customers matching `filter` by ascending id; keyset pagination both ways.
    pub async fn dashboard_customers(
        &self,
        scope: Scope,
        filter: &DashboardFilter,
        cursor: Cursor,
        limit: u32,
    ) -> Result<DashboardPage> {
        filter.validate()?;
        let as_of = self.latest_snapshot_day().await?;
        let search = filter.search.as_deref().and_then(Search::new);
        let sqlite = matches!(self, Store::Sqlite(_));
        let backwards = matches!(cursor, Cursor::Before(_));
        let rows: Vec<ListRow> = dispatch!(self, pool => {
            let (from, key) = if Search::reads_fts5(&search, sqlite) {
                LIST_FROM_SEARCH
            } else {
                LIST_FROM_CUSTOMERS
            };
            let mut q = QueryBuilder::new(LIST_COLUMNS);
            q.push(from).push(LIST_JOINS).push_bind(as_of.map(day_to_db));
            match cursor {
                Cursor::First => q.push(" WHERE 1 = 1"),
                Cursor::After(id) => q.push(format!(" WHERE {key} > ")).push_bind(id),
                Cursor::Before(id) => q.push(format!(" WHERE {key} < ")).push_bind(id),
            };
            push_filter!(q, scope, filter, search, sqlite);
            let order = if backwards { "DESC" } else { "ASC" };
            q.push(format!(" ORDER BY {key} {order} LIMIT "))
                .push_bind(i64::from(limit) + 1);
            q.build_query_as().fetch_all(pool).await?
        });
        let mut items: Vec<DashboardCustomer> = rows.into_iter().map(list_item).collect();
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        if backwards {
            items.reverse();
        }
        let (next_after, prev_before) = match cursor {
            Cursor::First => (more.then(|| items.last().map(|i| i.id)).flatten(), None),
            Cursor::After(_) => (
                more.then(|| items.last().map(|i| i.id)).flatten(),
                items.first().map(|i| i.id),
            ),
            Cursor::Before(_) => (
                items.last().map(|i| i.id),
                more.then(|| items.first().map(|i| i.id)).flatten(),
            ),
        };
        Ok(DashboardPage {
            as_of,
            items,
            next_after,
            prev_before,
        })
    }

    /// A customer's snapshot history, latest first (at most `limit`); the caller has checked
    /// the customer is within its scope (e.g. with `customer_card`).
    pub async fn card_history(&self, customer: i64, limit: u32) -> Result<Vec<CardHistory>> {
        type R = (
            i64,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<f64>,
            Option<f64>,
            i64,
            Option<String>,
        );
        let rows: Vec<R> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT as_of, rung, status, previous_rung, status_reason, p_alive, clv, profit, rung_reason
                 FROM score_snapshots WHERE customer_id = $1 ORDER BY as_of DESC LIMIT $2",
            )
            .bind(customer)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .filter_map(
                |(as_of, rung, status, previous, reason, p_alive, clv, profit, rung_reason)| {
                    Some(CardHistory {
                        as_of: day_from_db(as_of),
                        rung: rung_of(&rung)?,
                        status: status.as_deref().and_then(status_of),
                        previous_rung: previous.as_deref().and_then(rung_of),
                        rung_reason,
                        status_reason: reason,
                        p_alive,
                        clv,
                        profit: Money::from_units(profit),
                    })
                },
            )
            .collect())
    }

    /// Personal dates and first-purchase anniversaries falling on `from ..= from + days - 1`
    /// for customers within `scope`, by day then customer; at most `offset + limit` candidates
    /// of each kind are read, then the page is cut.
    pub async fn upcoming_dates(
        &self,
        scope: Scope,
        from: Day,
        days: i32,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<UpcomingDate>, bool)> {
        let to = from.plus_days(days - 1);
        let md = |d: Day| {
            let (_, m, dd) = d.ymd();
            i64::from(m * 100 + dd)
        };
        let (lo, hi) = (md(from), md(to));
        let wraps = hi < lo;
        let take = offset as i64 + i64::from(limit) + 1;
        // Easter-based rules fall in the window when their offset from that year's Easter does.
        let mut easter_offsets = Vec::new();
        for (rule, easter) in [
            ("easter", western_easter as fn(i32) -> Option<Day>),
            ("orthodox_easter", orthodox_easter),
        ] {
            for year in [from.year() - 1, from.year(), from.year() + 1] {
                if let Some(e) = easter(year) {
                    easter_offsets.push((
                        rule,
                        i64::from(from.days_since(e)),
                        i64::from(to.days_since(e)),
                    ));
                }
            }
        }
        let months: Vec<i64> = {
            let mut m = Vec::new();
            let mut d = from;
            while d <= to {
                let month = i64::from(d.ymd().1);
                if !m.contains(&month) {
                    m.push(month);
                }
                d = d.plus_days(1);
            }
            m
        };
        type A = (i64, String, Option<String>, i64);
        type P = (
            i64,
            String,
            Option<String>,
            String,
            String,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            Option<i64>,
            i64,
        );
        // Month-day ranges of the window: one, or two when it crosses the new year. Each is
        // read in index order ((month, day) of yearly dates, month_day of first purchases), so
        // a query stops after `take` rows instead of sorting the whole window.
        let ranges: Vec<(i64, i64)> = if wraps {
            vec![(lo, 1231), (101, hi)]
        } else {
            vec![(lo, hi)]
        };
        let (personal, anniversaries): (Vec<P>, Vec<A>) = dispatch!(self, pool => {
            let mut personal: Vec<P> = Vec::new();
            let mut anniversaries: Vec<A> = Vec::new();
            for &(a, b) in &ranges {
                let mut q = QueryBuilder::new(
                    "SELECT c.id, c.external_id, c.name, p.label, p.rule, p.year, p.month, p.day, p.weekday, p.nth, p.offset_days
                     FROM personal_dates p JOIN customers c ON c.id = p.customer_id
                     WHERE c.erased_at IS NULL AND p.rule IN ('yearly', 'once') AND p.month BETWEEN ",
                );
                q.push_bind(a / 100).push(" AND ").push_bind(b / 100);
                q.push(" AND p.month * 100 + p.day BETWEEN ").push_bind(a).push(" AND ").push_bind(b);
                if let Some(m) = manager_of(scope) {
                    q.push(" AND c.manager_user_id = ").push_bind(m);
                }
                // p.customer_id (= c.id) so the order is the index's (0022): no sort before the LIMIT.
                q.push(" ORDER BY p.month, p.day, p.customer_id LIMIT ").push_bind(take);
                personal.extend(q.build_query_as::<P>().fetch_all(pool).await?);
                let mut q = QueryBuilder::new(
                    "SELECT c.id, c.external_id, c.name, f.day FROM dash_first_purchase f
                     JOIN customers c ON c.id = f.customer_id
                     WHERE c.erased_at IS NULL AND f.month_day BETWEEN ",
                );
                q.push_bind(a).push(" AND ").push_bind(b);
                if let Some(m) = manager_of(scope) {
                    q.push(" AND c.manager_user_id = ").push_bind(m);
                }
                q.push(" ORDER BY f.month_day, f.customer_id LIMIT ").push_bind(take);
                anniversaries.extend(q.build_query_as::<A>().fetch_all(pool).await?);
            }
            // Weekday and Easter rules are few: read those falling in the window's months or
            // offsets, through their own partial index.
            let mut q = QueryBuilder::new(
                "SELECT c.id, c.external_id, c.name, p.label, p.rule, p.year, p.month, p.day, p.weekday, p.nth, p.offset_days
                 FROM personal_dates p JOIN customers c ON c.id = p.customer_id
                 WHERE c.erased_at IS NULL",
            );
            if let Some(m) = manager_of(scope) {
                q.push(" AND c.manager_user_id = ").push_bind(m);
            }
            // The repeated condition of the partial index `personal_dates_movable` (0022).
            q.push(" AND p.rule NOT IN ('yearly', 'once')");
            q.push(" AND ((p.rule = 'nth_weekday' AND p.month IN (");
            let mut sep = q.separated(", ");
            for m in &months {
                sep.push_bind(*m);
            }
            q.push("))");
            for (rule, a, b) in &easter_offsets {
                q.push(" OR (p.rule = ").push_bind(*rule)
                    .push(" AND p.offset_days BETWEEN ").push_bind(*a)
                    .push(" AND ").push_bind(*b).push(")");
            }
            q.push(")");
            personal.extend(q.build_query_as::<P>().fetch_all(pool).await?);
            (personal, anniversaries)
        });
        let mut all = Vec::new();
        for (id, external_id, name, label, rule, year, month, day, weekday, nth, offset_days) in
            personal
        {
            let rule = DateRule::from_columns(&rule, year, month, day, weekday, nth, offset_days)?;
            if let Some(d) = rule.next_on_or_after(from).filter(|&d| d <= to) {
                all.push(UpcomingDate {
                    day: d,
                    customer_id: id,
                    external_id,
                    name,
                    kind: DateKind::Personal(label),
                });
            }
        }
        for (id, external_id, name, first) in anniversaries {
            let first = day_from_db(first);
            let (_, m, d) = first.ymd();
            let rule = DateRule::Yearly {
                month: m,
                day: d,
                since: Some(first.year() + 1),
            };
            if let Some(next) = rule.next_on_or_after(from).filter(|&n| n <= to) {
                all.push(UpcomingDate {
                    day: next,
                    customer_id: id,
                    external_id,
                    name,
                    kind: DateKind::FirstPurchase {
                        years: next.year() - first.year(),
                    },
                });
            }
        }
        all.sort_by_key(|a| (a.day, a.customer_id));
        let more = all.len() > offset as usize + limit as usize;
        let page = all
            .into_iter()
            .skip(offset as usize)
            .take(limit as usize)
            .collect();
        Ok((page, more))
    }

    /// The user's chosen dashboard language, if any.
    pub async fn user_language(&self, user_id: i64) -> Result<Option<String>> {
        let lang: Option<Option<String>> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT language FROM users WHERE id = $1")
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(lang.flatten())
    }

    /// Stores the user's dashboard language (`en` or `ru`).
    pub async fn set_user_language(&self, user_id: i64, language: &str) -> Result<()> {
        if !LANGUAGES.contains(&language) {
            return Err(StoreError::Invalid {
                field: "language",
                reason: format!("'{language}' is not one of {}", LANGUAGES.join(", ")),
            });
        }
        dispatch!(self, pool => {
            sqlx::query("UPDATE users SET language = $2 WHERE id = $1")
                .bind(user_id)
                .bind(language)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
