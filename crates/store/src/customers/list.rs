//! The customer list: filters on the latest snapshot's values, text search and keyset pages by
//! ascending id, for the dashboard's list (and its CSV export) and the API's.
//!
//! Both lists read the same statement and rows and find text the same way: one search, through
//! the trigram indexes (`migrations/*/0046_search_fold.sql`), ignoring case in every script and
//! reading ё as е, so the API finds whom the pages find.

use clientele_core::{AbcClass, Day, Money, Rfm, Rung, Status, Subgroup};
use sqlx::QueryBuilder;

use crate::columns;
use crate::db::{Store, day_to_db, dispatch};
use crate::dialect::{self, FTS5_FROM, FTS5_MATCH, LikeTwice, PG_TRIGRAM_LIKE};
use crate::error::Result;
use crate::scope::Scope;
use crate::snapshots::Segment;

/// Filters of the customer list, on the latest snapshot's values; `None` filters nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomerFilter {
    /// Substring of the external id or the name, in any case and with ё read as е (three
    /// characters or more; shorter text finds the customer with that external id).
    pub search: Option<String>,
    pub rung: Option<Rung>,
    pub status: Option<Status>,
    pub subgroup: Option<Subgroup>,
    /// The assigned user's name, or the manager's name as the source gave it.
    pub manager: Option<String>,
    pub segment: Option<Segment>,
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

/// One customer of a list, with the latest snapshot's values (`None` when the customer is not
/// in it); also a row of the list's CSV export and of the API's value lists.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerListItem {
    pub id: i64,
    pub external_id: String,
    pub name: Option<String>,
    /// The manager's name as the source gave it.
    pub manager: Option<String>,
    /// The name of the user the customer is assigned to.
    pub manager_user: Option<String>,
    pub rung: Option<Rung>,
    pub status: Option<Status>,
    pub subgroup: Option<Subgroup>,
    pub revenue: Option<Money>,
    pub profit: Option<Money>,
    pub abc: Option<AbcClass>,
    pub rfm: Option<Rfm>,
}

impl CustomerListItem {
    /// Who looks after the customer: the assigned user, else the manager the source named.
    pub fn manager_name(&self) -> Option<&str> {
        self.manager_user.as_deref().or(self.manager.as_deref())
    }
}

/// A page of the customer list by ascending id, with cursors to the pages around it.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerPage {
    /// The snapshot the values come from.
    pub as_of: Option<Day>,
    pub items: Vec<CustomerListItem>,
    /// Set when there are customers after the last item.
    pub next_after: Option<i64>,
    /// Set when there are customers before the first item (the dashboard's pages only).
    pub prev_before: Option<i64>,
}

/// The columns of a list row: the customer, the assigned user, and the snapshot's values.
pub(crate) const LIST_COLUMNS: &str =
    "SELECT c.id, c.external_id, c.name, c.manager, u.name AS manager_user, s.rung, s.status,
        s.subgroup, s.revenue, s.profit, s.abc, s.rfm";

pub(crate) type ListRow = (
    i64,
    String,
    Option<String>,
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

pub(crate) fn list_item(r: ListRow) -> Result<CustomerListItem> {
    let (
        id,
        external_id,
        name,
        manager,
        manager_user,
        rung,
        status,
        subgroup,
        revenue,
        profit,
        abc,
        rfm,
    ) = r;
    Ok(CustomerListItem {
        id,
        external_id,
        name,
        manager,
        manager_user,
        rung: columns::rung_opt("score_snapshots.rung", rung.as_deref())?,
        status: columns::status_opt("score_snapshots.status", status.as_deref())?,
        subgroup: columns::subgroup_opt("score_snapshots.subgroup", subgroup.as_deref())?,
        revenue: revenue.map(Money::from_units),
        profit: profit.map(Money::from_units),
        abc: columns::abc_opt("score_snapshots.abc", abc.as_deref())?,
        rfm: columns::rfm_opt("score_snapshots.rfm", rfm.as_deref())?,
    })
}

/// The list walks customers by id (or, see [`FTS5_FROM`], the search index's matches).
const FROM_CUSTOMERS: (&str, &str) = (" FROM customers c", "c.id");
const LIST_JOINS: &str = " LEFT JOIN users u ON u.id = c.manager_user_id
 LEFT JOIN score_snapshots s ON s.customer_id = c.id AND s.as_of = ";

/// The fewest characters a trigram index can find: shorter text holds no trigram.
const TRIGRAM: usize = 3;

/// How a list matches its search text (a substring of the external id or the name, in any case,
/// ё read as е).
#[derive(Clone, Debug, PartialEq)]
enum Search {
    /// Text of [`TRIGRAM`]+ characters: on SQLite an FTS5 phrase, which the
    /// trigram tokenizer matches as a substring; on PostgreSQL the LIKE pattern, which pg_trgm's
    /// GIN indexes serve.
    Indexed { phrase: String, pattern: String },
    /// Shorter text has no trigram to look up, and a substring scan for it would
    /// read every customer when it is rare (300 ms at 1M customers, over the pages' 100 ms
    /// budget). It finds the customer whose external id it is (as typed, upper- or lower-cased:
    /// three lookups in the unique index), which is what one- or two-character searches are for
    /// in practice ("7", "C4"); the page says that names need three characters.
    Short { ids: [String; 3] },
}

impl Search {
    /// The search for `text`; `None` for blank text.
    fn new(text: &str) -> Option<Search> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        Some(if text.chars().count() >= TRIGRAM {
            Search::Indexed {
                phrase: dialect::fts5_phrase(text),
                pattern: dialect::like_pattern(text),
            }
        } else {
            Search::Short {
                ids: [text.to_string(), text.to_uppercase(), text.to_lowercase()],
            }
        })
    }

    /// Whether the query reads SQLite's FTS5 index (and so [`FTS5_FROM`]).
    fn reads_fts5(search: &Option<Search>, sqlite: bool) -> bool {
        sqlite && matches!(search, Some(Search::Indexed { .. }))
    }
}

/// Appends `[before, pattern, between, pattern, after]`.
macro_rules! push_like_twice {
    ($q:expr, $sql:expr, $pattern:expr) => {{
        let sql: LikeTwice = $sql;
        $q.push(sql[0])
            .push_bind($pattern.clone())
            .push(sql[1])
            .push_bind($pattern.clone())
            .push(sql[2]);
    }};
}

/// Appends the filter's conditions (the query already has a `WHERE`). Conditions on the
/// snapshot are written through `COALESCE` on purpose: a plain `s.status = $n` lets SQLite turn
/// the LEFT JOIN into an inner join and start from the status index, sorting a quarter of a
/// million rows by id (450 ms at 1M customers); kept as a LEFT JOIN it walks customers in id
/// order and stops after a page (see BENCHMARKS.md).
macro_rules! push_filter {
    ($q:expr, $scope:expr, $filter:expr, $search:expr, $sqlite:expr) => {{
        if let Some(m) = $scope.manager() {
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
        if let Some(g) = $filter.subgroup {
            $q.push(" AND COALESCE(s.subgroup, '') = ")
                .push_bind(g.as_str());
        }
        if let Some(m) = &$filter.manager {
            $q.push(" AND (u.name = ")
                .push_bind(m.clone())
                .push(" OR c.manager = ")
                .push_bind(m.clone())
                .push(")");
        }
        match $filter.segment {
            None => {}
            Some(Segment::Abc(class)) => {
                $q.push(" AND COALESCE(s.abc, '') = ")
                    .push_bind(class.as_str());
            }
            Some(Segment::Rfm(cell)) => {
                $q.push(" AND COALESCE(s.rfm, '') = ")
                    .push_bind(cell.code());
            }
        }
        match (&$search, $sqlite) {
            (None, _) => {}
            // The query reads FTS5_FROM (see `Search::reads_fts5`).
            (Some(Search::Indexed { phrase, .. }), true) => {
                $q.push(FTS5_MATCH).push_bind(phrase.clone());
            }
            (Some(Search::Indexed { pattern, .. }), false) => {
                push_like_twice!($q, PG_TRIGRAM_LIKE, pattern);
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
        }
    }};
}

impl Store {
    /// A page of the dashboard's customer list: customers matching `filter` by ascending id,
    /// keyset pages both ways.
    pub async fn dashboard_customers(
        &self,
        scope: Scope,
        filter: &CustomerFilter,
        cursor: Cursor,
        limit: u32,
    ) -> Result<CustomerPage> {
        let search = filter.search.as_deref().and_then(Search::new);
        self.customer_page(scope, filter, search, cursor, limit)
            .await
    }

    /// A page of the API's customer list: customers matching `filter` by ascending id, starting
    /// after id `after`; text is found as on the dashboard.
    pub async fn list_customers(
        &self,
        scope: Scope,
        filter: &CustomerFilter,
        after: Option<i64>,
        limit: u32,
    ) -> Result<CustomerPage> {
        let search = filter.search.as_deref().and_then(Search::new);
        let cursor = after.map_or(Cursor::First, Cursor::After);
        let mut page = self
            .customer_page(scope, filter, search, cursor, limit)
            .await?;
        page.prev_before = None;
        Ok(page)
    }

    async fn customer_page(
        &self,
        scope: Scope,
        filter: &CustomerFilter,
        search: Option<Search>,
        cursor: Cursor,
        limit: u32,
    ) -> Result<CustomerPage> {
        let as_of = self.latest_snapshot_day().await?;
        let sqlite = matches!(self, Store::Sqlite(_));
        let backwards = matches!(cursor, Cursor::Before(_));
        let rows: Vec<ListRow> = dispatch!(self, pool => {
            let (from, key) = if Search::reads_fts5(&search, sqlite) {
                FTS5_FROM
            } else {
                FROM_CUSTOMERS
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
        let mut items = rows
            .into_iter()
            .map(list_item)
            .collect::<Result<Vec<_>>>()?;
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
        Ok(CustomerPage {
            as_of,
            items,
            next_after,
            prev_before,
        })
    }
}
