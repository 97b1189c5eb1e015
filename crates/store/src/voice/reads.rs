//! The rows the voice of the customer's reports read: survey answers with the group each falls
//! in (streamed, with group names interned, so a million answers cost a few dozen bytes each),
//! what respondents did after a period, the standing of complaining customers, and the
//! complaint rate of a group. The statistics over them are the core's.

use std::collections::HashMap;

use clientele_core::{Day, Money, Rung, Status};
use futures_util::TryStreamExt;

use crate::columns;
use crate::db::{Store, day_from_db, day_to_db, dispatch};
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// How answers are split into groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerGroupBy {
    None,
    /// The rung in the snapshot the query names.
    Rung,
    /// The profit sub-group in that snapshot.
    Subgroup,
    /// The customer's manager now (the user, else the name the source gave).
    Manager,
    /// The channel the answer came through.
    Channel,
    /// The touchpoint the question was about.
    Touchpoint,
    /// The RFM cell in that snapshot (the caller names its segment).
    Segment,
    /// The status (active, slipping, lost) in that snapshot.
    Status,
}

impl AnswerGroupBy {
    pub const ALL: [AnswerGroupBy; 8] = [
        AnswerGroupBy::None,
        AnswerGroupBy::Rung,
        AnswerGroupBy::Subgroup,
        AnswerGroupBy::Manager,
        AnswerGroupBy::Channel,
        AnswerGroupBy::Touchpoint,
        AnswerGroupBy::Segment,
        AnswerGroupBy::Status,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AnswerGroupBy::None => "none",
            AnswerGroupBy::Rung => "rung",
            AnswerGroupBy::Subgroup => "subgroup",
            AnswerGroupBy::Manager => "manager",
            AnswerGroupBy::Channel => "channel",
            AnswerGroupBy::Touchpoint => "touchpoint",
            AnswerGroupBy::Segment => "segment",
            AnswerGroupBy::Status => "status",
        }
    }

    pub fn parse(text: &str) -> Option<AnswerGroupBy> {
        AnswerGroupBy::ALL.into_iter().find(|g| g.as_str() == text)
    }

    fn needs_snapshot(self) -> bool {
        matches!(
            self,
            AnswerGroupBy::Rung
                | AnswerGroupBy::Subgroup
                | AnswerGroupBy::Segment
                | AnswerGroupBy::Status
        )
    }

    fn expression(self) -> &'static str {
        match self {
            AnswerGroupBy::None => "NULL",
            AnswerGroupBy::Rung => "ss.rung",
            AnswerGroupBy::Subgroup => "ss.subgroup",
            AnswerGroupBy::Manager => "COALESCE(u.name, c.manager)",
            AnswerGroupBy::Channel => "s.channel",
            AnswerGroupBy::Touchpoint => "s.touchpoint",
            AnswerGroupBy::Segment => "ss.rfm",
            AnswerGroupBy::Status => "ss.status",
        }
    }
}

/// Which answers to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerQuery {
    /// NPS (either scale) or CSAT answers.
    pub csat: bool,
    pub from: Option<Day>,
    pub to: Option<Day>,
    pub group: AnswerGroupBy,
    pub scope: Scope,
    /// Only answers about this touchpoint.
    pub touchpoint: Option<String>,
    /// Only customers on this rung in the snapshot.
    pub rung: Option<Rung>,
    /// The snapshot that gives rungs, sub-groups and RFM cells (the caller picks one, usually
    /// the latest on or before `to`); without it those groups are empty.
    pub snapshot: Option<Day>,
}

/// One answer as the reports read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerRow {
    pub customer_id: i64,
    pub day: Day,
    /// When it was given (the day's start for answers without a time).
    pub seq: i64,
    /// The stored id: ties of `(day, seq)` go to the later one.
    pub id: i64,
    pub value: u8,
    /// Given on the 1–10 scale (NPS).
    pub one_to_ten: bool,
    /// Index into the group names returned beside the rows; `None`: no group (not scored, no
    /// manager, no channel...).
    pub group: Option<u32>,
}

/// What a respondent did after a period: their standing in the next snapshot and their orders.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RespondentBehaviour {
    /// `None`: not in the snapshot; `Some(None)`: in it without a status.
    pub next_status: Option<Option<Status>>,
    pub revenue: Money,
    pub clv: Option<f64>,
    pub revenue_after: Money,
}

/// A complaining customer's standing in a snapshot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ComplaintRow {
    pub status: Option<Status>,
    pub revenue: Money,
    pub clv: Option<f64>,
}

impl Store {
    /// Answers matching `query`, in stored order, and the names their group indices point to.
    /// Read as a stream: memory holds the rows (40 bytes each) and one copy of each group name.
    pub async fn survey_answers(
        &self,
        query: &AnswerQuery,
    ) -> Result<(Vec<AnswerRow>, Vec<String>)> {
        let q = query;
        let mut sql = format!(
            "SELECT s.customer_id, s.day, COALESCE(s.answered_at, s.day * 86400), s.id,
                    COALESCE(s.nps, s.csat), s.scale, {}
             FROM survey_responses s",
            q.group.expression()
        );
        let needs_customer = q.scope.manager().is_some() || q.group == AnswerGroupBy::Manager;
        if needs_customer {
            sql.push_str(" JOIN customers c ON c.id = s.customer_id");
        }
        if q.group == AnswerGroupBy::Manager {
            sql.push_str(" LEFT JOIN users u ON u.id = c.manager_user_id");
        }
        let snapshot_join = q.group.needs_snapshot() || q.rung.is_some();
        if snapshot_join {
            // An inner join when filtering by rung (the customer must be on it), else a left one.
            sql.push_str(if q.rung.is_some() {
                " JOIN score_snapshots ss ON ss.customer_id = s.customer_id AND ss.as_of = $1"
            } else {
                " LEFT JOIN score_snapshots ss ON ss.customer_id = s.customer_id AND ss.as_of = $1"
            });
        } else {
            sql.push_str(" WHERE $1 = $1");
        }
        sql.push_str(if snapshot_join { " WHERE" } else { " AND" });
        sql.push_str(" s.kind = $2 AND s.day >= $3 AND s.day <= $4");
        let mut next = 5;
        let mut param = |text: &str| {
            let p = format!(" AND {text}${next}");
            next += 1;
            p
        };
        let manager_cond = q.scope.manager().map(|_| param("c.manager_user_id = "));
        let touchpoint_cond = q.touchpoint.as_ref().map(|_| param("s.touchpoint = "));
        let rung_cond = q.rung.map(|_| param("ss.rung = "));
        for c in [&manager_cond, &touchpoint_cond, &rung_cond]
            .into_iter()
            .flatten()
        {
            sql.push_str(c);
        }
        let snapshot = q.snapshot.map(day_to_db).unwrap_or(i64::MIN);
        let kind = if q.csat { "csat" } else { "nps" };
        let from = q.from.map_or(i64::MIN, day_to_db);
        let to = q.to.map_or(i64::MAX, day_to_db);
        let mut names: Vec<String> = Vec::new();
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut rows: Vec<AnswerRow> = Vec::new();
        dispatch!(self, pool => {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(snapshot)
                .bind(kind)
                .bind(from)
                .bind(to);
            if let Some(m) = q.scope.manager() {
                query = query.bind(m);
            }
            if let Some(t) = &q.touchpoint {
                query = query.bind(t.as_str());
            }
            if let Some(r) = q.rung {
                query = query.bind(r.as_str());
            }
            let mut stream = query.fetch(pool);
            while let Some(r) = stream.try_next().await? {
                use sqlx::Row;
                let value: Option<i64> = r.try_get(4)?;
                let scale: &str = r.try_get(5)?;
                let value = value
                    .and_then(|v| u8::try_from(v).ok())
                    .ok_or_else(|| StoreError::Unreadable {
                        column: "survey_responses.nps, csat",
                        value: format!("{value:?}"),
                    })?;
                let group: Option<&str> = r.try_get(6)?;
                let group = group.map(|g| match index.get(g) {
                    Some(&i) => i,
                    None => {
                        let i = names.len() as u32;
                        names.push(g.to_string());
                        index.insert(g.to_string(), i);
                        i
                    }
                });
                rows.push(AnswerRow {
                    customer_id: r.try_get(0)?,
                    day: day_from_db(r.try_get(1)?),
                    seq: r.try_get(2)?,
                    id: r.try_get(3)?,
                    value,
                    one_to_ten: scale == "1-10",
                    group,
                });
            }
        });
        Ok((rows, names))
    }

    /// The latest snapshot day on or before `day` (any when `None`).
    pub async fn snapshot_on_or_before(&self, day: Option<Day>) -> Result<Option<Day>> {
        let d: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT MAX(as_of) FROM score_snapshots WHERE as_of <= $1")
                .bind(day.map_or(i64::MAX, day_to_db))
                .fetch_one(pool)
                .await?
        });
        Ok(d.map(day_from_db))
    }

    /// The first snapshot day after `day`.
    pub async fn snapshot_after(&self, day: Day) -> Result<Option<Day>> {
        let d: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT MIN(as_of) FROM score_snapshots WHERE as_of > $1")
                .bind(day_to_db(day))
                .fetch_one(pool)
                .await?
        });
        Ok(d.map(day_from_db))
    }

    /// For everyone who answered a survey of the kind on `from..=to` (within `scope`): their
    /// standing in the snapshot of `snapshot` (when given) and the revenue of their orders on
    /// `after_from..=after_to`.
    #[allow(clippy::too_many_arguments)]
    pub async fn respondent_behaviour(
        &self,
        scope: Scope,
        csat: bool,
        from: Day,
        to: Day,
        snapshot: Option<Day>,
        after_from: Day,
        after_to: Day,
    ) -> Result<HashMap<i64, RespondentBehaviour>> {
        let kind = if csat { "csat" } else { "nps" };
        // $6: the manager whose customers count (NULL: everyone's).
        let respondents = "SELECT DISTINCT s.customer_id FROM survey_responses s
                           JOIN customers c ON c.id = s.customer_id
                           WHERE s.kind = $2 AND s.day >= $3 AND s.day <= $4
                             AND ($6 IS NULL OR c.manager_user_id = $6)";
        let standing_sql = format!(
            "SELECT ss.customer_id, ss.status, ss.revenue, ss.clv FROM score_snapshots ss
             WHERE ss.as_of = $1 AND $5 = $5 AND ss.customer_id IN ({respondents})"
        );
        let after_sql = format!(
            "SELECT l.customer_id, CAST(SUM(l.amount) AS BIGINT) FROM order_lines l
             WHERE l.day >= $1 AND l.day <= $5 AND l.customer_id IN ({respondents})
             GROUP BY l.customer_id"
        );
        type Standing = (i64, Option<String>, i64, Option<f64>);
        let (standing, after): (Vec<Standing>, Vec<(i64, i64)>) = dispatch!(self, pool => {
            let standing = match snapshot {
                Some(d) => sqlx::query_as(sqlx::AssertSqlSafe(standing_sql.as_str()))
                    .bind(day_to_db(d))
                    .bind(kind)
                    .bind(day_to_db(from))
                    .bind(day_to_db(to))
                    .bind(0i64)
                    .bind(scope.manager())
                    .fetch_all(pool)
                    .await?,
                None => Vec::new(),
            };
            let after = sqlx::query_as(sqlx::AssertSqlSafe(after_sql.as_str()))
                .bind(day_to_db(after_from))
                .bind(kind)
                .bind(day_to_db(from))
                .bind(day_to_db(to))
                .bind(day_to_db(after_to))
                .bind(scope.manager())
                .fetch_all(pool)
                .await?;
            (standing, after)
        });
        let mut out: HashMap<i64, RespondentBehaviour> = HashMap::new();
        for (id, status, revenue, clv) in standing {
            out.insert(
                id,
                RespondentBehaviour {
                    next_status: Some(columns::status_opt(
                        "score_snapshots.status",
                        status.as_deref(),
                    )?),
                    revenue: Money::from_units(revenue),
                    clv,
                    revenue_after: Money::ZERO,
                },
            );
        }
        for (id, amount) in after {
            out.entry(id)
                .or_insert(RespondentBehaviour {
                    next_status: None,
                    revenue: Money::ZERO,
                    clv: None,
                    revenue_after: Money::ZERO,
                })
                .revenue_after = Money::from_units(amount);
        }
        Ok(out)
    }

    /// The standing in the snapshot of `snapshot` of every customer who complained on
    /// `from..=to` (within `scope`).
    pub async fn complainant_standing(
        &self,
        scope: Scope,
        from: Day,
        to: Day,
        snapshot: Day,
    ) -> Result<HashMap<i64, ComplaintRow>> {
        type Row = (i64, Option<String>, i64, Option<f64>);
        let rows: Vec<Row> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT ss.customer_id, ss.status, ss.revenue, ss.clv FROM score_snapshots ss
                 JOIN customers c ON c.id = ss.customer_id
                 WHERE ss.as_of = $1 AND ($4 IS NULL OR c.manager_user_id = $4)
                   AND ss.customer_id IN (SELECT f.customer_id FROM feedback f
                                          WHERE f.kind = 'complaint' AND f.day >= $2 AND f.day <= $3)",
            )
            .bind(day_to_db(snapshot))
            .bind(day_to_db(from))
            .bind(day_to_db(to))
            .bind(scope.manager())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, status, revenue, clv)| {
                Ok((
                    id,
                    ComplaintRow {
                        status: columns::status_opt("score_snapshots.status", status.as_deref())?,
                        revenue: Money::from_units(revenue),
                        clv,
                    },
                ))
            })
            .collect()
    }

    /// The complaint rate of a group on `from..=to`: (customers who complained, customers
    /// served — those with an order line in the window, plus complainers without one). Filters:
    /// complaints of `category` or about `touchpoint`, customers on `rung` in `snapshot`.
    #[allow(clippy::too_many_arguments)]
    pub async fn complaint_rate(
        &self,
        from: Day,
        to: Day,
        category: Option<&str>,
        touchpoint: Option<&str>,
        rung: Option<Rung>,
        snapshot: Option<Day>,
    ) -> Result<(u64, u64)> {
        let rung_cond = if rung.is_some() {
            " AND x.customer_id IN (SELECT customer_id FROM score_snapshots WHERE as_of = $5 AND rung = $6)"
        } else {
            " AND $5 = $5 AND $6 = $6"
        };
        let complainers = format!(
            "SELECT DISTINCT x.customer_id FROM feedback x
             WHERE x.kind = 'complaint' AND x.day >= $1 AND x.day <= $2
               AND ($3 IS NULL OR x.category = $3) AND ($4 IS NULL OR x.touchpoint = $4){rung_cond}"
        );
        let served = format!(
            "SELECT DISTINCT x.customer_id FROM order_lines x
             WHERE x.day >= $1 AND x.day <= $2 AND ($3 IS NULL OR $3 IS NULL) AND ($4 IS NULL OR $4 IS NULL){rung_cond}"
        );
        let sql = format!(
            "SELECT (SELECT COUNT(*) FROM ({complainers}) a),
                    (SELECT COUNT(*) FROM ({served}) b),
                    (SELECT COUNT(*) FROM ({complainers}) a2
                     WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.customer_id = a2.customer_id
                                       AND l.day >= $1 AND l.day <= $2))"
        );
        let (complained, served, unserved): (i64, i64, i64) = dispatch!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(day_to_db(from))
                .bind(day_to_db(to))
                .bind(category)
                .bind(touchpoint)
                .bind(snapshot.map_or(i64::MIN, day_to_db))
                .bind(rung.map_or("", |r| r.as_str()))
                .fetch_one(pool)
                .await?
        });
        Ok((complained.max(0) as u64, (served + unserved).max(0) as u64))
    }
}
