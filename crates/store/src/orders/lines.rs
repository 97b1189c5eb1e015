//! The stored order lines themselves, streamed in batches: what `clientele export parquet
//! --from-store` writes out for an engine. A keyed line carries its order id; a line stored
//! without one (its reference built from its content) carries none, as in the export it came
//! from.

use clientele_core::{Day, Money};
use futures_util::TryStreamExt;
use sqlx::Row;

use crate::db::{Store, day_from_db, dispatch};
use crate::error::Result;
use crate::orders::visible_line;

/// One stored order line, as an export would have given it.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredLine {
    /// The customer's external id.
    pub customer: String,
    pub order_id: Option<String>,
    /// `None` when the export had no product.
    pub product: Option<String>,
    pub day: Day,
    /// Negative for returns.
    pub amount: Money,
    pub cost: Option<Money>,
    pub quantity: Option<f64>,
    pub price: Option<Money>,
    pub list_price: Option<Money>,
    pub category: Option<String>,
    pub full_price: Option<bool>,
}

/// Every visible line with its customer's external id, in the order they were stored.
const LINES_SQL: &str = concat!(
    "
SELECT c.external_id, l.keyed, l.order_ref, l.product, l.day, l.amount, l.cost, l.quantity,
       l.price, l.list_price, l.category, l.full_price
FROM order_lines l JOIN customers c ON c.id = l.customer_id
WHERE ",
    visible_line!(),
    "
ORDER BY l.id"
);

impl Store {
    /// Streams every stored order line (the lines of an import still being published are not
    /// read), `batch` lines at a time, to `each`, which returns `false` to stop. Returns the
    /// number of lines handed over.
    pub async fn for_each_order_line(
        &self,
        batch: usize,
        each: &mut (dyn FnMut(Vec<StoredLine>) -> bool + Send),
    ) -> Result<u64> {
        let batch = batch.max(1);
        let mut lines = Vec::with_capacity(batch);
        let mut handed = 0u64;
        let money = |v: Option<i64>| v.map(Money::from_units);
        dispatch!(self, pool => {
            let mut stream = sqlx::query(LINES_SQL).fetch(pool);
            while let Some(r) = stream.try_next().await? {
                let keyed: bool = r.try_get(1)?;
                let product: String = r.try_get(3)?;
                lines.push(StoredLine {
                    customer: r.try_get(0)?,
                    order_id: if keyed { Some(r.try_get(2)?) } else { None },
                    product: (!product.is_empty()).then_some(product),
                    day: day_from_db(r.try_get(4)?),
                    amount: Money::from_units(r.try_get(5)?),
                    cost: money(r.try_get(6)?),
                    quantity: r.try_get(7)?,
                    price: money(r.try_get(8)?),
                    list_price: money(r.try_get(9)?),
                    category: r.try_get(10)?,
                    full_price: r.try_get(11)?,
                });
                if lines.len() == batch {
                    handed += lines.len() as u64;
                    if !each(std::mem::replace(&mut lines, Vec::with_capacity(batch))) {
                        return Ok(handed);
                    }
                }
            }
        });
        handed += lines.len() as u64;
        if !lines.is_empty() {
            each(lines);
        }
        Ok(handed)
    }
}
