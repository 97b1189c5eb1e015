//! The product portfolio's storage (issue 28): the products file's facts (launch date, unit
//! cost, partner) kept on the `products` table, and the reads the portfolio analysis needs from
//! the order lines — monthly sales per product, buyers and advocates per product, and the
//! baskets (orders, or a customer's purchase day for lines without an order id) streamed in
//! bounded memory for the co-purchase analysis. The portfolio reads all of it in one pass
//! ([`Store::scan_portfolio`], `scan.rs`); the three separate reads stay as its reference.

mod rungs;
mod scan;

pub use rungs::{CustomerCategories, RungCategories};
pub use scan::{PortfolioScan, ScannedMonth, ScannedProduct};

use futures_util::TryStreamExt;
use sqlx::Row;

use clientele_core::{Day, Money};

use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};
use crate::orders::visible_line;

/// A product as a products file describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProduct {
    /// The product as the order lines name it.
    pub product: String,
    pub name: Option<String>,
    pub category: Option<String>,
    pub launch: Option<Day>,
    pub unit_cost: Option<Money>,
    pub partner: Option<String>,
}

/// A stored product's facts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredProduct {
    pub product: String,
    pub name: Option<String>,
    pub category: Option<String>,
    pub launch: Option<Day>,
    pub unit_cost: Option<Money>,
    pub partner: Option<String>,
}

/// One product's sales in one calendar month, aggregated by the database.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductMonth {
    pub product: String,
    /// `Day::month_index` of the month.
    pub month: i32,
    /// Net revenue (returns subtracted).
    pub revenue: Money,
    /// The lines' cost, or the products file's unit cost times the line's quantity for a line
    /// without one; `None` when some line of the month has neither.
    pub cost: Option<Money>,
}

/// Who bought a product: distinct customers, and how many of them are advocates in the latest
/// snapshot on or before the day asked (`None` without such a snapshot).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProductBuyers {
    pub product: String,
    /// The category its lines carry (the smallest name when they differ).
    pub category: Option<String>,
    pub customers: u32,
    pub advocates: Option<u32>,
}

/// The products a file may write at once.
pub const MAX_PRODUCTS_AT_ONCE: usize = 1_000_000;

/// The month of an integer day column, per backend (the dialects share no date arithmetic).
const SQLITE_MONTH: &str = "(CAST(strftime('%Y', l.day * 86400, 'unixepoch') AS INTEGER) * 12 \
     + CAST(strftime('%m', l.day * 86400, 'unixepoch') AS INTEGER) - 1)";
const POSTGRES_MONTH: &str = "CAST(EXTRACT(YEAR FROM DATE '1970-01-01' + CAST(l.day AS INTEGER)) * 12 \
     + EXTRACT(MONTH FROM DATE '1970-01-01' + CAST(l.day AS INTEGER)) - 1 AS BIGINT)";

fn month_sql(month: &str) -> String {
    format!(
        "SELECT l.product, {month} AS month, CAST(SUM(l.amount) AS BIGINT) AS revenue,
                CAST(SUM(CASE WHEN l.cost IS NOT NULL THEN l.cost
                              WHEN p.unit_cost IS NOT NULL AND l.quantity IS NOT NULL
                                   THEN CAST(ROUND(p.unit_cost * l.quantity) AS BIGINT)
                              ELSE 0 END) AS BIGINT) AS cost,
                CAST(SUM(CASE WHEN l.cost IS NULL AND (p.unit_cost IS NULL OR l.quantity IS NULL)
                              THEN 1 ELSE 0 END) AS BIGINT) AS unknown_cost
         FROM order_lines l LEFT JOIN products p ON p.sku = l.product
         WHERE l.product <> '' AND l.day <= $1 AND {}
         GROUP BY l.product, {month}",
        visible_line!()
    )
}

const BUYERS_SQL: &str = concat!(
    "SELECT l.product, MIN(l.category) AS category, COUNT(DISTINCT l.customer_id) AS customers,
            COUNT(DISTINCT a.customer_id) AS advocates
     FROM order_lines l
     LEFT JOIN score_snapshots a ON a.customer_id = l.customer_id AND a.rung = 'advocate'
          AND a.as_of = $2
     WHERE NOT l.is_return AND l.product <> '' AND l.day <= $1 AND ",
    visible_line!(),
    " GROUP BY l.product"
);

/// In the unique index's order, so the database streams without sorting; a customer's lines
/// without an order id are grouped by day in memory, one customer at a time.
const BASKET_LINES_SQL: &str = concat!(
    "SELECT l.customer_id, l.keyed, l.order_ref, l.day, l.product
     FROM order_lines l
     WHERE NOT l.is_return AND l.product <> '' AND l.day <= $1 AND ",
    visible_line!(),
    " ORDER BY l.customer_id, l.keyed, l.order_ref"
);

impl Store {
    /// Writes the products of a products file (a product already stored is updated), all in one
    /// transaction. Returns how many were written.
    pub async fn save_products(&self, products: &[NewProduct]) -> Result<usize> {
        if products.len() > MAX_PRODUCTS_AT_ONCE {
            return Err(StoreError::invalid(
                "products",
                format!("at most {MAX_PRODUCTS_AT_ONCE} products at once"),
            ));
        }
        if let Some(p) = products.iter().find(|p| p.product.trim().is_empty()) {
            return Err(StoreError::invalid(
                "product",
                format!("an empty product name ({p:?})"),
            ));
        }
        let at = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            for p in products {
                sqlx::query(
                    "INSERT INTO products (sku, name, category, launch_day, unit_cost, partner, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7)
                     ON CONFLICT (sku) DO UPDATE SET name = excluded.name,
                        category = excluded.category, launch_day = excluded.launch_day,
                        unit_cost = excluded.unit_cost, partner = excluded.partner,
                        updated_at = excluded.updated_at",
                )
                .bind(&p.product)
                .bind(&p.name)
                .bind(&p.category)
                .bind(p.launch.map(day_to_db))
                .bind(p.unit_cost.map(Money::units))
                .bind(&p.partner)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(products.len())
    }

    /// Every stored product, by product name.
    pub async fn products(&self) -> Result<Vec<StoredProduct>> {
        let rows = dispatch!(self, pool => {
            sqlx::query(
                "SELECT sku, name, category, launch_day, unit_cost, partner FROM products ORDER BY sku",
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok(StoredProduct {
                    product: r.try_get(0)?,
                    name: r.try_get(1)?,
                    category: r.try_get(2)?,
                    launch: r.try_get::<Option<i64>, _>(3)?.map(day_from_db),
                    unit_cost: r.try_get::<Option<i64>, _>(4)?.map(Money::from_units),
                    partner: r.try_get(5)?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }

    /// Monthly sales of every product on lines up to `last_day` (lines without a product are
    /// not a product's sales and are left out).
    pub async fn product_months(&self, last_day: Day) -> Result<Vec<ProductMonth>> {
        let sql = match self {
            Store::Sqlite(_) => month_sql(SQLITE_MONTH),
            Store::Postgres(_) => month_sql(POSTGRES_MONTH),
        };
        let d = day_to_db(last_day);
        let rows = dispatch!(self, pool => {
            let mut out = Vec::new();
            let mut stream = sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).bind(d).fetch(pool);
            while let Some(r) = stream.try_next().await? {
                let unknown: i64 = r.try_get(4)?;
                let month: i64 = r.try_get(1)?;
                let cost: i64 = r.try_get(3)?;
                out.push(ProductMonth {
                    product: r.try_get(0)?,
                    month: month as i32,
                    revenue: Money::from_units(r.try_get(2)?),
                    cost: (unknown == 0).then(|| Money::from_units(cost)),
                });
            }
            out
        });
        Ok(rows)
    }

    /// Buyers of every product on purchase lines up to `last_day`, with the advocates among
    /// them in the latest snapshot on or before `last_day`.
    pub async fn product_buyers(&self, last_day: Day) -> Result<Vec<ProductBuyers>> {
        let d = day_to_db(last_day);
        let rows = dispatch!(self, pool => {
            let snapshot: Option<i64> =
                sqlx::query_scalar("SELECT MAX(as_of) FROM score_snapshots WHERE as_of <= $1")
                    .bind(d)
                    .fetch_one(pool)
                    .await?;
            sqlx::query(BUYERS_SQL)
                .bind(d)
                .bind(snapshot.unwrap_or(i64::MIN))
                .fetch_all(pool)
                .await?
                .into_iter()
                .map(|r| {
                    let customers: i64 = r.try_get(2)?;
                    let advocates: i64 = r.try_get(3)?;
                    Ok(ProductBuyers {
                        product: r.try_get(0)?,
                        category: r.try_get(1)?,
                        customers: customers as u32,
                        advocates: snapshot.map(|_| advocates as u32),
                    })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }

    /// Streams the baskets of purchase lines up to `last_day` to `on_basket`, each once: an
    /// order's products, or for lines without an order id a customer's products of one day.
    /// Memory holds one customer's lines. Returns how many baskets were handed over.
    pub async fn for_each_basket(
        &self,
        last_day: Day,
        on_basket: &mut (dyn FnMut(&[String]) + Send),
    ) -> Result<u64> {
        let d = day_to_db(last_day);
        let mut baskets = 0u64;
        let mut customer: Option<i64> = None;
        // The current customer's keyed basket, and their unkeyed lines by day.
        let mut order: Option<String> = None;
        let mut basket: Vec<String> = Vec::new();
        let mut unkeyed: Vec<(i64, String)> = Vec::new();
        let flush_unkeyed = |unkeyed: &mut Vec<(i64, String)>,
                             on_basket: &mut (dyn FnMut(&[String]) + Send),
                             baskets: &mut u64| {
            unkeyed.sort_unstable();
            for run in unkeyed.chunk_by(|a, b| a.0 == b.0) {
                let products: Vec<String> = run.iter().map(|(_, p)| p.clone()).collect();
                on_basket(&products);
                *baskets += 1;
            }
            unkeyed.clear();
        };
        dispatch!(self, pool => {
            let mut stream = sqlx::query(BASKET_LINES_SQL).bind(d).fetch(pool);
            while let Some(r) = stream.try_next().await? {
                let c: i64 = r.try_get(0)?;
                let keyed: bool = r.try_get(1)?;
                let product: String = r.try_get(4)?;
                if customer != Some(c) {
                    if !basket.is_empty() {
                        on_basket(&basket);
                        baskets += 1;
                        basket.clear();
                    }
                    flush_unkeyed(&mut unkeyed, on_basket, &mut baskets);
                    customer = Some(c);
                    order = None;
                }
                if keyed {
                    let reference: String = r.try_get(2)?;
                    if order.as_deref() != Some(reference.as_str()) {
                        if !basket.is_empty() {
                            on_basket(&basket);
                            baskets += 1;
                            basket.clear();
                        }
                        order = Some(reference);
                    }
                    basket.push(product);
                } else {
                    unkeyed.push((r.try_get(3)?, product));
                }
            }
        });
        if !basket.is_empty() {
            on_basket(&basket);
            baskets += 1;
        }
        flush_unkeyed(&mut unkeyed, on_basket, &mut baskets);
        Ok(baskets)
    }
}
