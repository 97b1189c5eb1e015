//! Saved filters and campaigns with their control groups: the customers a campaign may select
//! (the latest snapshot), the campaign and its members' arms written in one transaction, and
//! what the arms bought in the campaign's window, summed per customer in the database.

use clientele_core::uplift::ControlShare;
use clientele_core::winback::{CampaignFilter, CampaignKind, parse_segment, segment_code};
use clientele_core::{Day, Money, Rfm, Rung, Status};
use sqlx::QueryBuilder;

use crate::columns;
use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::dialect;
use crate::error::{Result, StoreError};

/// Members per INSERT statement (4 bound parameters each).
const MEMBERS_PER_STATEMENT: usize = 2_000;
const _: () = assert!(dialect::fits_one_statement(MEMBERS_PER_STATEMENT, 4));

/// The longest name of a campaign or filter, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A filter saved under a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedFilter {
    pub id: i64,
    pub name: String,
    pub filter: CampaignFilter,
    pub created_at: i64,
    pub created_by: String,
}

/// A customer a campaign may select: in the snapshot, with what the filters read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CampaignCandidate {
    pub customer_id: i64,
    pub external_id: String,
    pub rung: Rung,
    pub status: Option<Status>,
    pub rfm: Option<Rfm>,
}

/// A campaign to write.
#[derive(Clone, Debug, PartialEq)]
pub struct NewCampaign {
    pub name: String,
    pub kind: CampaignKind,
    /// The saved filter to use, by id; `None`: save `filter` under the campaign's name.
    pub filter_id: Option<i64>,
    pub filter: CampaignFilter,
    pub snapshot_as_of: Day,
    pub start_day: Day,
    pub window_days: i32,
    pub control_share: ControlShare,
    pub seed: u64,
    /// `exact_per_stratum` or `stable_threshold`.
    pub method: &'static str,
    pub cost_per_contact: Money,
    pub created_by: String,
}

/// A campaign as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct CampaignRecord {
    pub id: i64,
    pub name: String,
    pub kind: CampaignKind,
    pub filter: SavedFilter,
    pub snapshot_as_of: Day,
    pub start_day: Day,
    pub window_days: i32,
    pub control_share: ControlShare,
    pub seed: u64,
    pub method: String,
    pub cost_per_contact: Money,
    pub treated: i64,
    pub control: i64,
    pub created_at: i64,
    pub created_by: String,
}

impl CampaignRecord {
    /// The last day of the window in which purchases count.
    pub fn window_last_day(&self) -> Day {
        self.start_day.plus_days(self.window_days - 1)
    }
}

/// What a campaign's arms did in a window: arm sizes, and per customer who had any line in it
/// `(in control, net revenue, bought)` (a customer with only returns has not bought).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CampaignArmRevenue {
    pub treated: u64,
    pub control: u64,
    pub active: Vec<(bool, Money, bool)>,
}

fn codes<T>(items: &[T], code: impl Fn(&T) -> &'static str) -> String {
    items.iter().map(code).collect::<Vec<_>>().join(" ")
}

fn filter_of(statuses: &str, rungs: &str, segments: &str) -> Result<CampaignFilter> {
    let statuses = statuses
        .split_whitespace()
        .map(|s| {
            Status::parse(s).ok_or_else(|| StoreError::Unreadable {
                column: "saved_filters.statuses",
                value: s.to_string(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let rungs = rungs
        .split_whitespace()
        .map(|r| columns::rung("saved_filters.rungs", r))
        .collect::<Result<Vec<_>>>()?;
    let segments = segments
        .split_whitespace()
        .map(|s| {
            parse_segment(s).ok_or_else(|| StoreError::Unreadable {
                column: "saved_filters.segments",
                value: s.to_string(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(CampaignFilter {
        statuses,
        rungs,
        segments,
    })
}

type FilterColumns = (i64, String, String, String, String, i64, String);

fn saved_filter(row: FilterColumns) -> Result<SavedFilter> {
    let (id, name, statuses, rungs, segments, created_at, created_by) = row;
    Ok(SavedFilter {
        id,
        name,
        filter: filter_of(&statuses, &rungs, &segments)?,
        created_at,
        created_by,
    })
}

fn check_name(field: &'static str, name: &str) -> Result<()> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control) {
        return Err(StoreError::invalid(
            field,
            format!("must be 1 to {MAX_NAME_CHARS} characters without control characters"),
        ));
    }
    Ok(())
}

type CampaignColumns = (
    i64,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    i64,
    String,
    i64,
    i64,
    i64,
    i64,
    String,
);

const CAMPAIGN_COLUMNS: &str =
    "SELECT id, name, kind, filter_id, snapshot_as_of, start_day, window_days,
        control_share, seed, method, cost_per_contact, treated, control, created_at, created_by
 FROM campaigns";

/// A candidate row: customer id, external id, rung, status, RFM code.
type CandidateColumns = (i64, String, String, Option<String>, Option<String>);

/// Per arm (in control or not) its size; per arm and active customer their revenue and profit.
type ArmColumns = (Vec<(bool, i64)>, Vec<(bool, i64, i64)>);

impl Store {
    /// Saves a filter under a name (a name taken is a `Conflict`); returns its id.
    pub async fn save_filter(&self, name: &str, filter: &CampaignFilter, by: &str) -> Result<i64> {
        check_name("name", name)?;
        let exists: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT id FROM saved_filters WHERE name = $1")
                .bind(name.trim())
                .fetch_optional(pool)
                .await?
        });
        if exists.is_some() {
            return Err(StoreError::Conflict(format!(
                "a filter named '{}'",
                name.trim()
            )));
        }
        let id: i64 = dispatch!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO saved_filters (name, statuses, rungs, segments, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(name.trim())
            .bind(codes(&filter.statuses, |s| s.as_str()))
            .bind(codes(&filter.rungs, |r| r.as_str()))
            .bind(codes(&filter.segments, |s| segment_code(*s)))
            .bind(now())
            .bind(by)
            .fetch_one(pool)
            .await?
        });
        Ok(id)
    }

    /// The saved filters, by name.
    pub async fn saved_filters(&self) -> Result<Vec<SavedFilter>> {
        let rows: Vec<FilterColumns> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT id, name, statuses, rungs, segments, created_at, created_by FROM saved_filters ORDER BY name",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(saved_filter).collect()
    }

    /// A saved filter by id.
    pub async fn saved_filter(&self, id: i64) -> Result<SavedFilter> {
        let row: Option<FilterColumns> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT id, name, statuses, rungs, segments, created_at, created_by FROM saved_filters WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(saved_filter)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("filter", id))
    }

    /// Every customer of the snapshot of `as_of`, with what filters read.
    pub async fn campaign_candidates(&self, as_of: Day) -> Result<Vec<CampaignCandidate>> {
        let rows: Vec<CandidateColumns> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT s.customer_id, c.external_id, s.rung, s.status, s.rfm
                 FROM score_snapshots s JOIN customers c ON c.id = s.customer_id
                 WHERE s.as_of = $1",
            )
            .bind(day_to_db(as_of))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(customer_id, external_id, rung, status, rfm)| {
                Ok(CampaignCandidate {
                    customer_id,
                    external_id,
                    rung: columns::rung("score_snapshots.rung", &rung)?,
                    status: columns::status_opt("score_snapshots.status", status.as_deref())?,
                    rfm: columns::rfm_opt("score_snapshots.rfm", rfm.as_deref())?,
                })
            })
            .collect()
    }

    /// Writes a campaign, its filter (unless it names a saved one) and its members' arms
    /// (`(customer, stratum, in control)`) with an audit entry, in one transaction; returns
    /// the campaign's id. A name taken is a `Conflict`.
    pub async fn create_campaign(
        &self,
        campaign: &NewCampaign,
        members: &[(i64, Rung, bool)],
    ) -> Result<i64> {
        check_name("name", &campaign.name)?;
        if !(1..=3660).contains(&campaign.window_days) {
            return Err(StoreError::invalid(
                "window_days",
                "must be between 1 and 3660 days",
            ));
        }
        let name = campaign.name.trim();
        let control = members.iter().filter(|m| m.2).count() as i64;
        let treated = members.len() as i64 - control;
        let at = now();
        let id: i64 = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM campaigns WHERE name = $1")
                .bind(name)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict(format!("a campaign named '{name}'")));
            }
            let filter_id: i64 = match campaign.filter_id {
                Some(id) => {
                    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM saved_filters WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    found.ok_or_else(|| StoreError::not_found("filter", id))?
                }
                None => {
                    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM saved_filters WHERE name = $1")
                        .bind(name)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if taken.is_some() {
                        return Err(StoreError::Conflict(format!("a filter named '{name}'")));
                    }
                    sqlx::query_scalar(
                        "INSERT INTO saved_filters (name, statuses, rungs, segments, created_at, created_by)
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                    )
                    .bind(name)
                    .bind(codes(&campaign.filter.statuses, |s| s.as_str()))
                    .bind(codes(&campaign.filter.rungs, |r| r.as_str()))
                    .bind(codes(&campaign.filter.segments, |s| segment_code(*s)))
                    .bind(at)
                    .bind(&campaign.created_by)
                    .fetch_one(&mut *tx)
                    .await?
                }
            };
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO campaigns (name, kind, filter_id, snapshot_as_of, start_day, window_days,
                    control_share, seed, method, cost_per_contact, treated, control, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            )
            .bind(name)
            .bind(campaign.kind.as_str())
            .bind(filter_id)
            .bind(day_to_db(campaign.snapshot_as_of))
            .bind(day_to_db(campaign.start_day))
            .bind(i64::from(campaign.window_days))
            .bind(i64::from(campaign.control_share.millionths()))
            // The seed's bits as a signed 64-bit integer (read back with `as u64`).
            .bind(campaign.seed as i64)
            .bind(campaign.method)
            .bind(campaign.cost_per_contact.units())
            .bind(treated)
            .bind(control)
            .bind(at)
            .bind(&campaign.created_by)
            .fetch_one(&mut *tx)
            .await?;
            for chunk in members.chunks(MEMBERS_PER_STATEMENT) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO campaign_members (campaign_id, customer_id, stratum, in_control) ",
                );
                q.push_values(chunk, |mut b, (customer, stratum, in_control)| {
                    b.push_bind(id)
                        .push_bind(*customer)
                        .push_bind(stratum.as_str())
                        .push_bind(*in_control);
                });
                q.build().execute(&mut *tx).await?;
            }
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'campaign', NULL, $3)",
            )
            .bind(at)
            .bind(&campaign.created_by)
            .bind(format!("campaign {id} '{name}' created: {treated} treated, {control} control"))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    async fn campaign_record(&self, row: CampaignColumns) -> Result<CampaignRecord> {
        let (
            id,
            name,
            kind,
            filter_id,
            snapshot_as_of,
            start_day,
            window_days,
            control_share,
            seed,
            method,
            cost,
            treated,
            control,
            created_at,
            created_by,
        ) = row;
        Ok(CampaignRecord {
            id,
            name,
            kind: CampaignKind::parse(&kind).ok_or(StoreError::Unreadable {
                column: "campaigns.kind",
                value: kind.clone(),
            })?,
            filter: self.saved_filter(filter_id).await?,
            snapshot_as_of: day_from_db(snapshot_as_of),
            start_day: day_from_db(start_day),
            window_days: window_days as i32,
            control_share: u32::try_from(control_share)
                .ok()
                .and_then(ControlShare::from_millionths)
                .ok_or(StoreError::Unreadable {
                    column: "campaigns.control_share",
                    value: control_share.to_string(),
                })?,
            seed: seed as u64,
            method,
            cost_per_contact: Money::from_units(cost),
            treated,
            control,
            created_at,
            created_by,
        })
    }

    /// A campaign by id.
    pub async fn campaign(&self, id: i64) -> Result<CampaignRecord> {
        let row: Option<CampaignColumns> = dispatch!(self, pool => {
            let mut q = QueryBuilder::new(CAMPAIGN_COLUMNS);
            q.push(" WHERE id = ").push_bind(id);
            q.build_query_as().fetch_optional(pool).await?
        });
        match row {
            Some(row) => self.campaign_record(row).await,
            None => Err(StoreError::not_found("campaign", id)),
        }
    }

    /// Campaigns, newest first (at most `limit` from `offset`), and how many there are.
    pub async fn campaigns(&self, offset: u64, limit: u32) -> Result<(i64, Vec<CampaignRecord>)> {
        let (total, rows): (i64, Vec<CampaignColumns>) = dispatch!(self, pool => {
            let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM campaigns").fetch_one(pool).await?;
            let mut q = QueryBuilder::new(CAMPAIGN_COLUMNS);
            q.push(" ORDER BY id DESC LIMIT ")
                .push_bind(i64::from(limit))
                .push(" OFFSET ")
                .push_bind(offset as i64);
            (total, q.build_query_as().fetch_all(pool).await?)
        });
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.campaign_record(row).await?);
        }
        Ok((total, out))
    }

    /// The campaign's members as `(customer, in control)`, by customer id (for exports and
    /// checks).
    pub async fn campaign_members(&self, id: i64) -> Result<Vec<(i64, bool)>> {
        let rows: Vec<(i64, bool)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT customer_id, in_control FROM campaign_members WHERE campaign_id = $1 ORDER BY customer_id",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }

    /// What the campaign's arms did on days `from..=to`: the arm sizes, and per member with a
    /// line in those days their net revenue and whether they bought.
    pub async fn campaign_arm_revenue(
        &self,
        id: i64,
        from: Day,
        to: Day,
    ) -> Result<CampaignArmRevenue> {
        let (sizes, active): ArmColumns = dispatch!(self, pool => {
            let sizes = sqlx::query_as(
                "SELECT in_control, COUNT(*) FROM campaign_members WHERE campaign_id = $1 GROUP BY in_control",
            )
            .bind(id)
            .fetch_all(pool)
            .await?;
            let active = sqlx::query_as(
                "SELECT m.in_control, CAST(SUM(l.amount) AS BIGINT),
                        CAST(MAX(CASE WHEN l.is_return THEN 0 ELSE 1 END) AS BIGINT)
                 FROM campaign_members m JOIN order_lines l ON l.customer_id = m.customer_id
                 WHERE m.campaign_id = $1 AND l.day >= $2 AND l.day <= $3
                 GROUP BY m.customer_id, m.in_control",
            )
            .bind(id)
            .bind(day_to_db(from))
            .bind(day_to_db(to))
            .fetch_all(pool)
            .await?;
            (sizes, active)
        });
        let size = |control: bool| {
            sizes
                .iter()
                .filter(|s| s.0 == control)
                .map(|s| s.1 as u64)
                .sum::<u64>()
        };
        Ok(CampaignArmRevenue {
            treated: size(false),
            control: size(true),
            active: active
                .into_iter()
                .map(|(control, revenue, bought)| (control, Money::from_units(revenue), bought > 0))
                .collect(),
        })
    }
}
