//! Per-customer summaries of the stored order lines: each customer's lines, read in customer
//! order, go through `clientele_core::summarize` — the one definition the file path uses too —
//! so that returns are matched to their orders alike on both paths (a rule SQL could not state
//! without writing it a second time).

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

use clientele_core::{
    CategoryId, CustomerSummary, Day, DayAmounts, Money, OrderLine, RowRef, SummaryScratch,
    returned_order_id, summarize_with,
};
use futures_util::TryStreamExt;
use sqlx::Row;

use crate::db::{Store, day_from_db, day_to_db, dispatch};
use crate::error::Result;
use crate::orders::visible_line;

/// Per-customer summaries computed from the stored lines, shaped like the file path's result.
#[derive(Debug)]
pub struct StoredSummaries {
    /// By external id, ascending.
    pub customers: Vec<(Box<str>, CustomerSummary)>,
    /// Category names; `CategoryId(i)` in a summary is `categories[i]` (name order).
    pub categories: Vec<String>,
    pub as_of: Day,
}

/// The lines up to the as-of day, each customer's together and in the order they were stored
/// (the `UNIQUE (customer_id, ...)` index serves the order by customer).
const LINES_SQL: &str = concat!(
    "
SELECT l.customer_id, l.id, l.keyed, l.order_ref, l.day, l.amount, l.cost, l.category,
       l.full_price
FROM order_lines l
WHERE l.day <= $1 AND ",
    visible_line!(),
    "
ORDER BY l.customer_id, l.id"
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

/// An order id's key: only equality within one customer matters, so any fixed hash does.
fn order_key(order_ref: &str) -> u64 {
    BuildHasherDefault::<DefaultHasher>::default().hash_one(order_ref)
}

impl Store {
    /// The last day with an order line, if any.
    pub async fn last_order_day(&self) -> Result<Option<Day>> {
        let d: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar(LAST_DAY_SQL).fetch_one(pool).await?
        });
        Ok(d.map(day_from_db))
    }

    /// Every customer's summary as of `as_of`, by `clientele_core::summarize` over the stored
    /// lines (returns matched to their orders as on the file path).
    pub async fn summaries(&self, as_of: Day) -> Result<StoredSummaries> {
        let d = day_to_db(as_of);
        let (mut names, ids) = dispatch!(self, pool => {
            let names: Vec<String> =
                sqlx::query_scalar(CATEGORY_NAMES_SQL).bind(d).fetch_all(pool).await?;
            let ids: Vec<(i64, String)> =
                sqlx::query_as(CUSTOMER_IDS_SQL).bind(d).fetch_all(pool).await?;
            (names, ids)
        });
        names.sort();
        let category_id: HashMap<&str, u32> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i as u32))
            .collect();
        let ext: HashMap<i64, String> = ids.into_iter().collect();
        let mut customers: Vec<(Box<str>, CustomerSummary)> = Vec::with_capacity(ext.len());
        let mut scratch = SummaryScratch::default();
        let mut lines: Vec<OrderLine> = Vec::new();
        let mut current: Option<i64> = None;
        let mut finish = |customer: i64, lines: &mut Vec<OrderLine>| {
            let summary = summarize_with(lines, as_of, DayAmounts::Every, &mut scratch);
            lines.clear();
            let id = ext
                .get(&customer)
                .map_or_else(Box::default, |e| e.as_str().into());
            customers.push((id, summary));
        };
        dispatch!(self, pool => {
            let mut stream = sqlx::query(LINES_SQL).bind(d).fetch(pool);
            while let Some(r) = stream.try_next().await? {
                let customer: i64 = r.try_get(0)?;
                if current.is_some_and(|c| c != customer) {
                    finish(current.expect("checked"), &mut lines);
                }
                current = Some(customer);
                let keyed: bool = r.try_get(2)?;
                let order_ref: String = r.try_get(3)?;
                let amount = Money::from_units(r.try_get(5)?);
                // A return is keyed by the order it takes back, as the file path keys it.
                let order_key = keyed.then(|| {
                    order_key(if amount.is_negative() {
                        returned_order_id(&order_ref)
                    } else {
                        &order_ref
                    })
                });
                let category: Option<String> = r.try_get(7)?;
                lines.push(OrderLine {
                    row: RowRef {
                        file: 0,
                        line: r.try_get::<i64, _>(1)? as u64,
                    },
                    day: day_from_db(r.try_get(4)?),
                    amount,
                    cost: r.try_get::<Option<i64>, _>(6)?.map(Money::from_units),
                    category: category
                        .as_deref()
                        .and_then(|c| category_id.get(c))
                        .map(|&c| CategoryId(c)),
                    full_price: r.try_get(8)?,
                    // Stored lines are unique already: nothing is left to deduplicate.
                    line_key: None,
                    order_key,
                });
            }
        });
        if let Some(customer) = current {
            finish(customer, &mut lines);
        }
        customers.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(StoredSummaries {
            customers,
            categories: names,
            as_of,
        })
    }
}
