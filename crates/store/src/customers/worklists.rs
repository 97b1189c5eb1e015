//! Work lists of the latest snapshot, most valuable first: the customers at risk (slipping
//! regulars and advocates: the calls to make today) and the lost (candidates for win-back). The
//! dashboard reads them as action lists (with the reason and the last purchase, counted from the
//! aggregates), the API as value lists (rows of the customer list, counted from the snapshot).

use clientele_core::{Day, Money, Rung, Status, Subgroup};
use sqlx::QueryBuilder;

use super::list::{CustomerListItem, LIST_COLUMNS, ListRow, list_item};
use super::records::Channel;
use crate::columns;
use crate::db::{Store, day_from_db, day_to_db, dispatch};
use crate::error::Result;
use crate::orders::visible_line;
use crate::scope::Scope;
use crate::snapshots::StatusReasonRecord;

/// Which work list of the latest snapshot to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueList {
    /// Regulars and advocates whose status is slipping, by value at stake (revenue).
    AtRisk,
    /// Lost customers of any rung, by value lost (revenue).
    Lost,
}

impl ValueList {
    /// The status of the list's customers and the rungs they may stand on.
    fn members(self) -> (Status, &'static [Rung]) {
        match self {
            ValueList::AtRisk => (Status::Slipping, &[Rung::Regular, Rung::Advocate]),
            ValueList::Lost => (Status::Lost, &Rung::ALL),
        }
    }

    /// The rungs as an SQL list of literals, `('regular', 'advocate')` (fixed texts of the core,
    /// never caller text).
    fn rungs_sql(self) -> String {
        let quoted: Vec<String> = self
            .members()
            .1
            .iter()
            .map(|r| format!("'{}'", r.as_str()))
            .collect();
        format!("({})", quoted.join(", "))
    }
}

/// A page of a value list, by revenue descending (ties by id).
#[derive(Clone, Debug, PartialEq)]
pub struct ValuePage {
    pub as_of: Option<Day>,
    pub total: i64,
    pub items: Vec<CustomerListItem>,
}

/// One customer of an action list.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionItem {
    pub id: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub preferred_channel: Option<Channel>,
    pub rung: Rung,
    pub status: Option<Status>,
    pub subgroup: Option<Subgroup>,
    pub revenue: Money,
    pub profit: Money,
    /// Why the customer has their status (the server words it per language).
    pub status_reason: Option<StatusReasonRecord>,
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

const ACTION_COLUMNS: &str = concat!(
    "SELECT c.id, c.external_id, c.name, c.preferred_channel, s.rung, s.status, s.subgroup,
        s.revenue, s.profit, s.status_reason, s.days_late, s.p_alive,
        (SELECT MAX(l.day) FROM order_lines l WHERE l.customer_id = c.id AND NOT l.is_return AND ",
    visible_line!(),
    ")
 FROM score_snapshots s JOIN customers c ON c.id = s.customer_id"
);

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

fn action_item(row: ActionRow) -> Result<ActionItem> {
    let (
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
    ) = row;
    Ok(ActionItem {
        id,
        external_id,
        name,
        preferred_channel: channel.as_deref().and_then(Channel::parse),
        rung: columns::rung("score_snapshots.rung", &rung)?,
        status: columns::status_opt("score_snapshots.status", status.as_deref())?,
        subgroup: columns::subgroup_opt("score_snapshots.subgroup", subgroup.as_deref())?,
        revenue: Money::from_units(revenue),
        profit: Money::from_units(profit),
        status_reason: StatusReasonRecord::read(status_reason),
        days_late,
        p_alive,
        last_purchase: last.map(day_from_db),
    })
}

impl Store {
    /// A page of the at-risk or lost list of the latest snapshot as rows of the customer list,
    /// by revenue descending; `total` counts the snapshot's rows.
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
        let (status, rungs) = list.members();
        let rungs_sql = list.rungs_sql();
        // The same WHERE clause for the count and the page (a macro: one body per backend).
        macro_rules! build {
            ($q:expr) => {{
                $q.push(" WHERE s.as_of = ").push_bind(day_to_db(day));
                if let Some(m) = scope.manager() {
                    $q.push(" AND c.manager_user_id = ").push_bind(m);
                }
                $q.push(format!(" AND s.status = '{}'", status.as_str()));
                // Every rung is the same as none (a snapshot's rung is never empty).
                if rungs.len() < Rung::ALL.len() {
                    $q.push(" AND s.rung IN ").push(&rungs_sql);
                }
            }};
        }
        let (total, rows) = dispatch!(self, pool => {
            let mut count = QueryBuilder::new(
                "SELECT COUNT(*) FROM score_snapshots s JOIN customers c ON c.id = s.customer_id",
            );
            build!(count);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut q = QueryBuilder::new(LIST_COLUMNS);
            q.push(
                " FROM score_snapshots s JOIN customers c ON c.id = s.customer_id
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
            items: rows.into_iter().map(list_item).collect::<Result<_>>()?,
        })
    }

    /// A page of the at-risk (today's) or lost list of the latest snapshot, by revenue
    /// descending; `total` comes from the aggregates.
    pub async fn action_list(
        &self,
        scope: Scope,
        list: ValueList,
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
        let status = list.members().0.as_str();
        let rungs = list.rungs_sql();
        let (total, rows) = dispatch!(self, pool => {
            let mut count = QueryBuilder::new("SELECT CAST(COALESCE(SUM(customers), 0) AS BIGINT) FROM dash_ladder WHERE as_of = ");
            count
                .push_bind(day_to_db(day))
                .push(" AND scope = ")
                .push_bind(scope.key())
                .push(" AND status = ")
                .push_bind(status)
                .push(" AND rung IN ")
                .push(&rungs);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut q = QueryBuilder::new(ACTION_COLUMNS);
            q.push(" WHERE s.as_of = ")
                .push_bind(day_to_db(day))
                .push(" AND s.status = ")
                .push_bind(status)
                .push(" AND s.rung IN ")
                .push(&rungs);
            if let Some(m) = scope.manager() {
                q.push(" AND c.manager_user_id = ").push_bind(m);
            }
            q.push(" ORDER BY s.revenue DESC, s.customer_id DESC LIMIT ")
                .push_bind(i64::from(limit))
                .push(" OFFSET ")
                .push_bind(offset as i64);
            let rows: Vec<ActionRow> = q.build_query_as().fetch_all(pool).await?;
            (total, rows)
        });
        Ok(ActionPage {
            as_of: Some(day),
            total,
            items: rows.into_iter().map(action_item).collect::<Result<_>>()?,
        })
    }
}
