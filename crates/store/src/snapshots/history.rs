//! A customer's snapshots, latest first: what the customer card and its history show.

use clientele_core::codes::StatusReasonCode;
use clientele_core::{AbcClass, Day, Money, Rfm, Rung, Status, Subgroup};

use crate::columns;
use crate::db::{Store, day_from_db, dispatch};
use crate::error::Result;

/// One of a customer's snapshot rows: where they stood on the ladder on `as_of`, why, and what
/// they were worth.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerSnapshot {
    pub as_of: Day,
    pub rung: Rung,
    pub status: Option<Status>,
    pub subgroup: Option<Subgroup>,
    /// Turn of the loyalty spiral (1 for the first climb).
    pub turn: i64,
    pub orders: i64,
    pub revenue: Money,
    pub profit: Money,
    pub abc: Option<AbcClass>,
    pub rfm: Option<Rfm>,
    /// The best rung of earlier turns, for returners.
    pub previous_rung: Option<Rung>,
    /// `RungReason::code` (migration 0023); `None` for older snapshots.
    pub rung_reason: Option<String>,
    pub status_reason: Option<StatusReasonRecord>,
    pub p_alive: Option<f64>,
    pub clv: Option<f64>,
    /// When the model or the rhythm expects the next purchase (`None` without either).
    pub next_purchase: Option<Day>,
}

/// A snapshot's status reason: its code ([`StatusReasonCode`]), or for text of another shape
/// (an English sentence of a version older than the ones migration 0024 converted), the text
/// itself, to be shown as stored.
#[derive(Clone, Debug, PartialEq)]
pub enum StatusReasonRecord {
    Code(StatusReasonCode),
    Text(String),
}

impl StatusReasonRecord {
    pub(crate) fn read(stored: Option<String>) -> Option<StatusReasonRecord> {
        stored.map(|text| match StatusReasonCode::parse(&text) {
            Some(code) => StatusReasonRecord::Code(code),
            None => StatusReasonRecord::Text(text),
        })
    }
}

/// The reason in English (as scoring wrote it before codes), or the stored text.
impl std::fmt::Display for StatusReasonRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatusReasonRecord::Code(code) => code.fmt(f),
            StatusReasonRecord::Text(text) => f.write_str(text),
        }
    }
}

/// A customer's snapshots, latest first: `$1` the customer, `$2` how many.
pub(crate) const SNAPSHOTS_SQL: &str =
    "SELECT as_of, rung, status, subgroup, turn, orders, revenue, profit, abc, rfm, previous_rung,
        rung_reason, status_reason, p_alive, clv, CAST(next_purchase AS BIGINT)
 FROM score_snapshots WHERE customer_id = $1 ORDER BY as_of DESC LIMIT $2";

pub(crate) type SnapshotColumns = (
    i64,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<f64>,
    Option<f64>,
    Option<i64>,
);

/// Fails on a value this version cannot read.
pub(crate) fn customer_snapshot(columns: SnapshotColumns) -> Result<CustomerSnapshot> {
    let (
        as_of,
        rung,
        status,
        subgroup,
        turn,
        orders,
        revenue,
        profit,
        abc,
        rfm,
        previous_rung,
        rung_reason,
        status_reason,
        p_alive,
        clv,
        next_purchase,
    ) = columns;
    Ok(CustomerSnapshot {
        as_of: day_from_db(as_of),
        rung: columns::rung("score_snapshots.rung", &rung)?,
        status: columns::status_opt("score_snapshots.status", status.as_deref())?,
        subgroup: columns::subgroup_opt("score_snapshots.subgroup", subgroup.as_deref())?,
        turn,
        orders,
        revenue: Money::from_units(revenue),
        profit: Money::from_units(profit),
        abc: columns::abc_opt("score_snapshots.abc", abc.as_deref())?,
        rfm: columns::rfm_opt("score_snapshots.rfm", rfm.as_deref())?,
        previous_rung: columns::rung_opt(
            "score_snapshots.previous_rung",
            previous_rung.as_deref(),
        )?,
        rung_reason,
        status_reason: StatusReasonRecord::read(status_reason),
        p_alive,
        clv,
        next_purchase: next_purchase.map(day_from_db),
    })
}

impl Store {
    /// A customer's snapshots, latest first (at most `limit`); the caller has checked the
    /// customer is within its scope (e.g. with `customer_card`).
    pub async fn card_history(&self, customer: i64, limit: u32) -> Result<Vec<CustomerSnapshot>> {
        let rows: Vec<SnapshotColumns> = dispatch!(self, pool => {
            sqlx::query_as(SNAPSHOTS_SQL)
                .bind(customer)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(customer_snapshot).collect()
    }
}
