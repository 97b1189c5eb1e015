//! Work lists of the latest snapshot, most valuable first: the customers at risk (slipping
//! regulars and advocates: the calls to make today) and the lost (candidates for win-back). The
//! dashboard reads them as action lists (with the reason and the last purchase, counted from the
//! aggregates), the API as value lists (rows of the customer list, counted from the snapshot).
//!
//! "Most valuable" has one meaning everywhere: the value at stake, the CLV over the snapshot's
//! horizon expected to be lost (stored with the snapshot, `migrations/*/0040_value_at_stake.sql`),
//! in `clientele_core::at_stake_order` — the order of the CLI's alerts as well. Never past
//! revenue (only the tie-break among equal values, then the id).

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
    /// Regulars and advocates whose status is slipping, by value at stake.
    AtRisk,
    /// Lost customers of any rung, by value at stake (the CLV lost).
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

/// The ranking of both lists: `clientele_core::at_stake_order`, then the id ascending.
const BY_VALUE_AT_STAKE: &str =
    " ORDER BY s.value_at_stake DESC NULLS LAST, s.revenue DESC, s.customer_id LIMIT ";

/// A page of a value list, by value at stake (see the module's doc).
#[derive(Clone, Debug, PartialEq)]
pub struct ValuePage {
    pub as_of: Option<Day>,
    /// The horizon (days) of the snapshot's CLV; `None` when it forecast none.
    pub clv_horizon_days: Option<u32>,
    pub total: i64,
    pub items: Vec<ValueItem>,
}

/// One customer of a value list: the customer list's row and the snapshot's forecast.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueItem {
    pub customer: CustomerListItem,
    pub p_alive: Option<f64>,
    /// CLV over the snapshot's horizon.
    pub clv: Option<f64>,
    /// The CLV over the horizon expected to be lost.
    pub value_at_stake: Option<f64>,
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
    /// CLV over the snapshot's horizon.
    pub clv: Option<f64>,
    /// The CLV over the horizon expected to be lost.
    pub value_at_stake: Option<f64>,
    pub last_purchase: Option<Day>,
}

/// A page of an action list; `total` comes from the aggregates.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionPage {
    pub as_of: Option<Day>,
    /// The horizon (days) of the snapshot's CLV; `None` when it forecast none.
    pub clv_horizon_days: Option<u32>,
    pub total: i64,
    pub items: Vec<ActionItem>,
}

const ACTION_COLUMNS: &str = concat!(
    "SELECT c.id, c.external_id, c.name, c.preferred_channel, s.rung, s.status, s.subgroup,
        s.revenue, s.profit, s.status_reason, s.days_late, s.p_alive, s.clv, s.value_at_stake,
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
    Option<f64>,
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
        clv,
        value_at_stake,
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
        clv,
        value_at_stake,
        last_purchase: last.map(day_from_db),
    })
}

/// A value list's row: the customer list's columns, then P(alive), CLV and value at stake.
type ValueRow = (
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
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

fn value_item(r: ValueRow) -> Result<ValueItem> {
    let (a, b, c, d, e, f, g, h, i, j, k, l, p_alive, clv, value_at_stake) = r;
    let row: ListRow = (a, b, c, d, e, f, g, h, i, j, k, l);
    Ok(ValueItem {
        customer: list_item(row)?,
        p_alive,
        clv,
        value_at_stake,
    })
}

impl Store {
    /// A page of the at-risk or lost list of the latest snapshot as rows of the customer list,
    /// by value at stake; `total` counts the snapshot's rows.
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
                clv_horizon_days: None,
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
            q.push(", s.p_alive, s.clv, s.value_at_stake");
            q.push(
                " FROM score_snapshots s JOIN customers c ON c.id = s.customer_id
                 LEFT JOIN users u ON u.id = c.manager_user_id",
            );
            build!(q);
            q.push(BY_VALUE_AT_STAKE)
                .push_bind(i64::from(limit))
                .push(" OFFSET ")
                .push_bind(offset as i64);
            let rows: Vec<ValueRow> = q.build_query_as().fetch_all(pool).await?;
            (total, rows)
        });
        Ok(ValuePage {
            as_of,
            clv_horizon_days: self.clv_horizon(day).await?,
            total,
            items: rows.into_iter().map(value_item).collect::<Result<_>>()?,
        })
    }

    /// A page of the at-risk (today's) or lost list of the latest snapshot, by value at stake;
    /// `total` comes from the aggregates.
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
                clv_horizon_days: None,
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
            q.push(BY_VALUE_AT_STAKE)
                .push_bind(i64::from(limit))
                .push(" OFFSET ")
                .push_bind(offset as i64);
            let rows: Vec<ActionRow> = q.build_query_as().fetch_all(pool).await?;
            (total, rows)
        });
        Ok(ActionPage {
            as_of: Some(day),
            clv_horizon_days: self.clv_horizon(day).await?,
            total,
            items: rows.into_iter().map(action_item).collect::<Result<_>>()?,
        })
    }
}
