//! Per-customer summaries computed by the database: the same definition as
//! `clientele_core::summarize`, executed as SQL over the stored order lines, shaped as scoring
//! reads them.

use std::collections::HashMap;

use clientele_core::{CategoryId, CustomerSummary, Day, Money};
use sqlx::Row;

use crate::db::{Store, day_from_db, day_to_db, dispatch};
use crate::error::Result;
use crate::orders::visible_line;

/// Per-customer summaries computed in the database, shaped like the file path's result.
#[derive(Debug)]
pub struct StoredSummaries {
    /// By external id, ascending.
    pub customers: Vec<(Box<str>, CustomerSummary)>,
    /// Category names; `CategoryId(i)` in a summary is `categories[i]` (name order).
    pub categories: Vec<String>,
    pub as_of: Day,
}

/// Per-customer aggregates; the CASE expressions are `summarize`'s definitions (see
/// `clientele_core::summary`): a return is a line with a negative amount; orders are distinct
/// order ids among purchase lines, plus purchase lines without an order id.
const SUMMARY_SQL: &str = concat!(
    "
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
WHERE l.day <= $1 AND ",
    visible_line!(),
    "
GROUP BY l.customer_id"
);

/// Purchase days and what was bought on each.
const DAYS_SQL: &str = concat!(
    "
SELECT l.customer_id, l.day, CAST(SUM(l.amount) AS BIGINT) AS amount
FROM order_lines l
WHERE NOT l.is_return AND l.day <= $1 AND ",
    visible_line!(),
    "
GROUP BY l.customer_id, l.day
ORDER BY l.customer_id, l.day"
);

const CATEGORIES_SQL: &str = concat!(
    "
SELECT DISTINCT l.customer_id, l.category
FROM order_lines l
WHERE NOT l.is_return AND l.category IS NOT NULL AND l.day <= $1 AND ",
    visible_line!()
);

const CATEGORY_NAMES_SQL: &str = concat!(
    "
SELECT DISTINCT l.category FROM order_lines l WHERE l.category IS NOT NULL AND l.day <= $1 AND ",
    visible_line!()
);
const LAST_DAY_SQL: &str = concat!(
    "SELECT MAX(l.day) FROM order_lines l WHERE ",
    visible_line!()
);
const CUSTOMER_IDS_SQL: &str = concat!(
    "SELECT id, external_id FROM customers WHERE id IN
     (SELECT DISTINCT l.customer_id FROM order_lines l WHERE l.day <= $1 AND ",
    visible_line!(),
    ")"
);

impl Store {
    /// The last day with an order line, if any.
    pub async fn last_order_day(&self) -> Result<Option<Day>> {
        let d: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar(LAST_DAY_SQL).fetch_one(pool).await?
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
            let ids: Vec<(i64, String)> = sqlx::query_as(CUSTOMER_IDS_SQL)
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
}
