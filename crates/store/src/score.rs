//! Scoring from the store: per-customer summaries computed by the database (the same definition
//! as `clientele_core::summarize`, executed as SQL), dated score snapshots, and the ladder
//! transitions and churn measured between snapshots.

use std::collections::HashMap;

use clientele_core::{
    Analysis, CategoryId, CustomerProfile, CustomerSummary, Forecast, NpsScore, Rung, Status,
};
use sqlx::{QueryBuilder, Row};

use crate::{Day, Money, Result, Store, day_from_db, day_to_db, dispatch, now};

/// Per-customer summaries computed in the database, shaped like the file path's result.
#[derive(Debug)]
pub struct StoredSummaries {
    /// By external id, ascending.
    pub customers: Vec<(Box<str>, CustomerSummary)>,
    /// Category names; `CategoryId(i)` in a summary is `categories[i]` (name order).
    pub categories: Vec<String>,
    pub as_of: Day,
}

/// One customer's row of a snapshot.
#[derive(Clone, Debug, PartialEq)]
pub struct SnapshotRow {
    pub customer_id: i64,
    pub external_id: String,
    pub rung: Rung,
    pub status: Option<Status>,
    pub subgroup: Option<String>,
    pub turn: u32,
    pub revenue: Money,
    pub profit: Money,
    /// Why the customer has their status, in words.
    pub status_reason: Option<String>,
    /// The model's P(alive) on the snapshot day, when a model was fitted.
    pub p_alive: Option<f64>,
}

/// Customers moving from one rung to another between two snapshots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransitionCell {
    /// `None`: not in the earlier snapshot (a new customer).
    pub from: Option<Rung>,
    /// `None`: not in the later snapshot (erased or deleted).
    pub to: Option<Rung>,
    pub customers: u64,
    /// Revenue of these customers in the later snapshot (cumulative to its date).
    pub revenue: Money,
    /// Revenue they brought between the two dates (later minus earlier snapshot).
    pub period_revenue: Money,
}

/// How one customer moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Movement {
    Up,
    Down,
    /// Became lost (was not lost before).
    Out,
    /// Was lost, or came back for a new turn of the spiral: a returner.
    Back,
    Same,
    New,
}

/// The ladder's movement between two snapshots.
#[derive(Clone, Debug, PartialEq)]
pub struct Transitions {
    pub from: Day,
    pub to: Day,
    /// Non-empty cells, ordered by (from, to) with `None` first.
    pub matrix: Vec<TransitionCell>,
    pub up: u64,
    pub down: u64,
    pub out: u64,
    pub back: u64,
    pub same: u64,
    pub new: u64,
}

/// Churn of one rung over the company's own history of snapshots.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChurnRow {
    pub rung: Rung,
    /// Customers on this rung and not lost at the start of a period, summed over periods.
    pub at_risk: u64,
    /// Of those, the ones lost (or gone) at the period's end.
    pub lost: u64,
    /// lost / at_risk; `None` when no one was at risk.
    pub rate: Option<f64>,
    /// Mean period length in days (consecutive snapshots).
    pub mean_period_days: Option<f64>,
}

fn rung_from_str(s: &str) -> Option<Rung> {
    Rung::ALL.into_iter().find(|r| r.as_str() == s)
}

fn status_from_str(s: &str) -> Option<Status> {
    Status::ALL.into_iter().find(|r| r.as_str() == s)
}

/// Per-customer aggregates; the CASE expressions are `summarize`'s definitions (see
/// `clientele_core::summary`): a return is a line with a negative amount; orders are distinct
/// order ids among purchase lines, plus purchase lines without an order id.
const SUMMARY_SQL: &str = "
SELECT l.customer_id,
       COUNT(DISTINCT CASE WHEN NOT l.is_return AND l.keyed THEN l.order_ref END) AS keyed_orders,
       CAST(SUM(CASE WHEN NOT l.is_return AND NOT l.keyed THEN 1 ELSE 0 END) AS BIGINT) AS unkeyed_orders,
       CAST(SUM(CASE WHEN l.is_return THEN 1 ELSE 0 END) AS BIGINT) AS returns,
       CAST(SUM(CASE WHEN l.is_return THEN 0 ELSE l.amount END) AS BIGINT) AS gross,
       CAST(SUM(l.amount) AS BIGINT) AS revenue,
       CAST(SUM(COALESCE(l.cost, 0)) AS BIGINT) AS cost,
       CAST(SUM(CASE WHEN l.cost IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS missing_cost,
       CAST(SUM(CASE WHEN NOT l.is_return AND l.full_price IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS fp_known,
       CAST(SUM(CASE WHEN NOT l.is_return AND l.full_price THEN 1 ELSE 0 END) AS BIGINT) AS fp_full
FROM order_lines l
WHERE l.day <= $1
GROUP BY l.customer_id";

/// Purchase days and what was bought on each.
const DAYS_SQL: &str = "
SELECT l.customer_id, l.day, CAST(SUM(l.amount) AS BIGINT) AS amount
FROM order_lines l
WHERE NOT l.is_return AND l.day <= $1
GROUP BY l.customer_id, l.day
ORDER BY l.customer_id, l.day";

const CATEGORIES_SQL: &str = "
SELECT DISTINCT l.customer_id, l.category
FROM order_lines l
WHERE NOT l.is_return AND l.category IS NOT NULL AND l.day <= $1";

const CATEGORY_NAMES_SQL: &str = "
SELECT DISTINCT l.category FROM order_lines l WHERE l.category IS NOT NULL AND l.day <= $1";

impl Store {
    /// The last day with an order line, if any.
    pub async fn last_order_day(&self) -> Result<Option<Day>> {
        let d: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT MAX(day) FROM order_lines").fetch_one(pool).await?
        });
        Ok(d.map(day_from_db))
    }

    /// Every customer's summary as of `as_of`, aggregated by the database.
    pub async fn summaries(&self, as_of: Day) -> Result<StoredSummaries> {
        let d = day_to_db(as_of);
        struct Agg {
            orders: u32,
            returns: u32,
            gross: i64,
            revenue: i64,
            cost: i64,
            missing_cost: i64,
            fp_known: i64,
            fp_full: i64,
        }
        let (aggs, days, cats, names, ids) = dispatch!(self, pool => {
            let aggs: Vec<(i64, Agg)> = sqlx::query(SUMMARY_SQL)
                .bind(d)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| {
                    let keyed: i64 = r.try_get("keyed_orders")?;
                    let unkeyed: i64 = r.try_get("unkeyed_orders")?;
                    Ok((
                        r.try_get::<i64, _>("customer_id")?,
                        Agg {
                            orders: (keyed + unkeyed) as u32,
                            returns: r.try_get::<i64, _>("returns")? as u32,
                            gross: r.try_get("gross")?,
                            revenue: r.try_get("revenue")?,
                            cost: r.try_get("cost")?,
                            missing_cost: r.try_get("missing_cost")?,
                            fp_known: r.try_get("fp_known")?,
                            fp_full: r.try_get("fp_full")?,
                        },
                    ))
                })
                .collect::<Result<_, sqlx::Error>>()?;
            let days: Vec<(i64, i64, i64)> =
                sqlx::query_as(DAYS_SQL).bind(d).fetch_all(pool).await?;
            let cats: Vec<(i64, String)> =
                sqlx::query_as(CATEGORIES_SQL).bind(d).fetch_all(pool).await?;
            let names: Vec<String> =
                sqlx::query_scalar(CATEGORY_NAMES_SQL).bind(d).fetch_all(pool).await?;
            let ids: Vec<(i64, String)> = sqlx::query_as(
                "SELECT id, external_id FROM customers WHERE id IN (SELECT DISTINCT customer_id FROM order_lines WHERE day <= $1)",
            )
            .bind(d)
            .fetch_all(pool)
            .await?;
            (aggs, days, cats, names, ids)
        });
        let mut names = names;
        names.sort();
        let category_id: HashMap<&str, u32> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as u32))
            .collect();
        let ext: HashMap<i64, String> = ids.into_iter().collect();
        // Each customer's summary with its lists, gathered as vectors and boxed at the end.
        type Lists = (Vec<Day>, Vec<Money>, Vec<CategoryId>);
        let mut by_customer: HashMap<i64, (CustomerSummary, Lists)> =
            HashMap::with_capacity(aggs.len());
        for (id, a) in aggs {
            by_customer.insert(
                id,
                (
                    CustomerSummary {
                        orders: a.orders,
                        returns: a.returns,
                        days: Box::default(),
                        first_day_amount: Money::ZERO,
                        day_amounts: Box::default(),
                        as_of,
                        gross_sales: Money::from_units(a.gross),
                        revenue: Money::from_units(a.revenue),
                        cost: Money::from_units(a.cost),
                        cost_complete: a.missing_cost == 0,
                        categories: Box::default(),
                        full_price_share: (a.fp_known > 0)
                            .then(|| a.fp_full as f64 / a.fp_known as f64),
                    },
                    Lists::default(),
                ),
            );
        }
        for (id, day, amount) in days {
            if let Some((_, (days, amounts, _))) = by_customer.get_mut(&id) {
                days.push(day_from_db(day));
                amounts.push(Money::from_units(amount));
            }
        }
        for (id, cat) in cats {
            if let (Some((_, (_, _, categories))), Some(&c)) =
                (by_customer.get_mut(&id), category_id.get(cat.as_str()))
            {
                categories.push(CategoryId(c));
            }
        }
        let mut customers: Vec<(Box<str>, CustomerSummary)> = by_customer
            .into_iter()
            .map(|(id, (mut s, (days, amounts, categories)))| {
                s.days = days.into_boxed_slice();
                s.first_day_amount = amounts.first().copied().unwrap_or(Money::ZERO);
                s.day_amounts = amounts.into_boxed_slice();
                s.categories = categories.into_boxed_slice();
                s.categories.sort_unstable();
                (
                    ext.get(&id)
                        .map_or_else(Box::default, |e| e.as_str().into()),
                    s,
                )
            })
            .collect();
        customers.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(StoredSummaries {
            customers,
            categories: names,
            as_of,
        })
    }

    /// Profiles of all customers for the ladder: names, managers, referrers, image-client flag,
    /// the latest NPS answer on or before `as_of`, and the last touch.
    pub async fn profiles(&self, as_of: Day) -> Result<Vec<CustomerProfile>> {
        let d = day_to_db(as_of);
        type R = (
            String,
            Option<String>,
            Option<String>,
            bool,
            Option<String>,
            Option<i64>,
        );
        let (rows, nps): (Vec<R>, Vec<(String, i64)>) = dispatch!(self, pool => {
            let rows: Vec<R> = sqlx::query_as(
                "SELECT c.external_id, c.name, c.manager, c.image_client, r.external_id,
                        (SELECT MAX(t.day) FROM touches t WHERE t.customer_id = c.id AND t.day <= $1)
                 FROM customers c LEFT JOIN customers r ON r.id = c.referrer_id
                 WHERE c.erased_at IS NULL
                 ORDER BY c.external_id",
            )
            .bind(d)
            .fetch_all(pool)
            .await?;
            // The latest answer per customer: ordered so the last one seen wins.
            let nps: Vec<(String, i64)> = sqlx::query_as(
                "SELECT c.external_id, s.nps FROM survey_responses s JOIN customers c ON c.id = s.customer_id
                 WHERE s.nps IS NOT NULL AND s.day <= $1 ORDER BY s.customer_id, s.day, s.id",
            )
            .bind(d)
            .fetch_all(pool)
            .await?;
            (rows, nps)
        });
        let nps: HashMap<String, i64> = nps.into_iter().collect();
        Ok(rows
            .into_iter()
            .map(
                |(id, name, manager, image_client, referrer, last_touch)| CustomerProfile {
                    nps: nps.get(&id).and_then(|&n| NpsScore::new(n as u8)),
                    id,
                    name,
                    referred_by: referrer,
                    image_client,
                    manager,
                    birthday: None,
                    email: None,
                    phone: None,
                    last_touch: last_touch.map(day_from_db),
                },
            )
            .collect())
    }

    /// Writes the analysis as the snapshot of its as-of day, replacing an earlier snapshot of
    /// the same day; all or nothing.
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
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM score_snapshots WHERE as_of = $1")
                .bind(as_of)
                .execute(&mut *tx)
                .await?;
            for chunk in rows.chunks(1000) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO score_snapshots (as_of, customer_id, rung, status, subgroup, turn, previous_rung, orders, purchase_days, revenue, profit, abc, rfm, stability, scored_at, status_reason, p_alive, expected_purchases, clv, next_purchase, days_late, rung_reason) ",
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
                        .push_bind(c.abc.map(|a| format!("{a:?}")))
                        .push_bind(c.rfm.map(|r| format!("{}{}{}", r.recency, r.frequency, r.monetary)))
                        .push_bind(c.stability())
                        .push_bind(scored_at)
                        .push_bind(placement.status.map(|(_, why)| why.to_string()))
                        .push_bind(c.forecast.map(|f| f.p_alive))
                        .push_bind(c.forecast.map(|f| f.expected_purchases))
                        .push_bind(c.forecast.and_then(Forecast::clv))
                        .push_bind(c.expected_next_purchase(rhythm).map(day_to_db))
                        .push_bind(c.days_late(rhythm))
                        .push_bind(placement.reason.code());
                });
                q.build().execute(&mut *tx).await?;
            }
            crate::dashboard::refresh_aggregates!(tx, as_of);
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

    /// One snapshot, by customer id.
    pub async fn snapshot(&self, as_of: Day) -> Result<Vec<SnapshotRow>> {
        type R = (
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            i64,
            i64,
            i64,
            Option<String>,
            Option<f64>,
        );
        let rows: Vec<R> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT s.customer_id, c.external_id, s.rung, s.status, s.subgroup, s.turn, s.revenue, s.profit, s.status_reason, s.p_alive
                 FROM score_snapshots s JOIN customers c ON c.id = s.customer_id
                 WHERE s.as_of = $1 ORDER BY s.customer_id",
            )
            .bind(day_to_db(as_of))
            .fetch_all(pool)
            .await?
        });
        if rows.is_empty() {
            return Err(crate::StoreError::not_found("snapshot", as_of));
        }
        Ok(rows
            .into_iter()
            .filter_map(
                |(
                    customer_id,
                    external_id,
                    rung,
                    status,
                    subgroup,
                    turn,
                    revenue,
                    profit,
                    status_reason,
                    p_alive,
                )| {
                    Some(SnapshotRow {
                        customer_id,
                        external_id,
                        rung: rung_from_str(&rung)?,
                        status: status.as_deref().and_then(status_from_str),
                        subgroup,
                        turn: turn as u32,
                        revenue: Money::from_units(revenue),
                        profit: Money::from_units(profit),
                        status_reason,
                        p_alive,
                    })
                },
            )
            .collect())
    }

    /// The ladder's movement between the snapshots of two days.
    pub async fn transitions(&self, from: Day, to: Day) -> Result<Transitions> {
        let before = self.snapshot(from).await?;
        let after = self.snapshot(to).await?;
        Ok(compute_transitions(from, to, &before, &after))
    }

    /// Churn per rung over every pair of consecutive snapshots.
    pub async fn churn_by_rung(&self) -> Result<Vec<ChurnRow>> {
        let days = self.snapshot_days().await?;
        let mut at_risk = [0u64; 5];
        let mut lost = [0u64; 5];
        let mut period_days = Vec::new();
        let mut previous: Option<Vec<SnapshotRow>> = None;
        for (i, &day) in days.iter().enumerate() {
            let current = self.snapshot(day).await?;
            if let Some(before) = &previous {
                period_days.push(day.days_since(days[i - 1]));
                let after: HashMap<i64, &SnapshotRow> =
                    current.iter().map(|r| (r.customer_id, r)).collect();
                for b in before
                    .iter()
                    .filter(|b| b.status.is_some() && b.status != Some(Status::Lost))
                {
                    at_risk[b.rung as usize] += 1;
                    let gone = after
                        .get(&b.customer_id)
                        .is_none_or(|a| a.status == Some(Status::Lost));
                    if gone {
                        lost[b.rung as usize] += 1;
                    }
                }
            }
            previous = Some(current);
        }
        let mean_period_days = (!period_days.is_empty()).then(|| {
            period_days.iter().map(|&d| f64::from(d)).sum::<f64>() / period_days.len() as f64
        });
        Ok(Rung::ALL
            .into_iter()
            .map(|rung| {
                let (n, l) = (at_risk[rung as usize], lost[rung as usize]);
                ChurnRow {
                    rung,
                    at_risk: n,
                    lost: l,
                    rate: (n > 0).then(|| l as f64 / n as f64),
                    mean_period_days,
                }
            })
            .collect())
    }
}

/// Classifies each customer's move and tallies the rung-to-rung matrix.
pub fn compute_transitions(
    from: Day,
    to: Day,
    before: &[SnapshotRow],
    after: &[SnapshotRow],
) -> Transitions {
    let before_by_id: HashMap<i64, &SnapshotRow> =
        before.iter().map(|r| (r.customer_id, r)).collect();
    let after_ids: std::collections::HashSet<i64> = after.iter().map(|r| r.customer_id).collect();
    let mut cells: HashMap<(Option<Rung>, Option<Rung>), TransitionCell> = HashMap::new();
    let mut t = Transitions {
        from,
        to,
        matrix: Vec::new(),
        up: 0,
        down: 0,
        out: 0,
        back: 0,
        same: 0,
        new: 0,
    };
    for a in after {
        let b = before_by_id.get(&a.customer_id).copied();
        let cell = cells
            .entry((b.map(|b| b.rung), Some(a.rung)))
            .or_insert(TransitionCell {
                from: b.map(|b| b.rung),
                to: Some(a.rung),
                customers: 0,
                revenue: Money::ZERO,
                period_revenue: Money::ZERO,
            });
        cell.customers += 1;
        cell.revenue += a.revenue;
        cell.period_revenue += a.revenue - b.map_or(Money::ZERO, |b| b.revenue);
        match classify(b, a) {
            Movement::Up => t.up += 1,
            Movement::Down => t.down += 1,
            Movement::Out => t.out += 1,
            Movement::Back => t.back += 1,
            Movement::Same => t.same += 1,
            Movement::New => t.new += 1,
        }
    }
    for b in before
        .iter()
        .filter(|b| !after_ids.contains(&b.customer_id))
    {
        let cell = cells.entry((Some(b.rung), None)).or_insert(TransitionCell {
            from: Some(b.rung),
            to: None,
            customers: 0,
            revenue: Money::ZERO,
            period_revenue: Money::ZERO,
        });
        cell.customers += 1;
        t.out += 1;
    }
    t.matrix = cells.into_values().collect();
    t.matrix.sort_by_key(|c| (c.from, c.to));
    t
}

/// Out and back take precedence over rung moves: losing a regular matters more than the rung
/// it is shown on.
pub fn classify(before: Option<&SnapshotRow>, after: &SnapshotRow) -> Movement {
    let Some(b) = before else {
        return Movement::New;
    };
    let was_lost = b.status == Some(Status::Lost);
    let is_lost = after.status == Some(Status::Lost);
    if is_lost && !was_lost {
        return Movement::Out;
    }
    if (was_lost && !is_lost) || after.turn > b.turn {
        return Movement::Back;
    }
    match after.rung.cmp(&b.rung) {
        std::cmp::Ordering::Greater => Movement::Up,
        std::cmp::Ordering::Less => Movement::Down,
        std::cmp::Ordering::Equal => Movement::Same,
    }
}
