//! The portfolio's inputs in one pass over the order lines (issue 28 item 7): monthly sales,
//! buyers, advocates and categories per product, and the baskets, aggregated in Rust from a
//! single statement streamed in the unique index's order (customer, keyed, order). Grouping by
//! customer makes distinct buyers a per-customer set, and an order's lines are contiguous, so
//! nothing is sorted and memory holds the per-product sums and one customer's lines.
//!
//! On a SQLite file the statement runs on a thread with its own read-only `rusqlite` connection
//! (sqlx hands every row between threads, which cost more than the aggregation), sending the
//! baskets back in batches through a bounded channel; on PostgreSQL (and SQLite in memory) it
//! streams through the pool. Both feed the same [`Aggregator`].

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

use futures_util::TryStreamExt;
use sqlx::Row;

use clientele_core::{Day, Money};

use crate::db::{Store, day_to_db, dispatch};
use crate::error::{Result, StoreError};
use crate::orders::visible_line;

/// One product as the scan met it (its id is its index in [`PortfolioScan::products`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScannedProduct {
    pub product: String,
    /// The smallest category its purchase lines carry.
    pub category: Option<String>,
    /// Distinct customers with a purchase line of it; `None` when it has only returns.
    pub customers: Option<u32>,
    /// Those of them who are advocates in the latest snapshot on or before the day asked;
    /// `None` without such a snapshot (or without purchases).
    pub advocates: Option<u32>,
}

/// One product's sales in one calendar month (the product as an index into
/// [`PortfolioScan::products`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScannedMonth {
    pub product: u32,
    /// `Day::month_index` of the month.
    pub month: i32,
    /// Net revenue (returns subtracted).
    pub revenue: Money,
    /// The lines' cost, or the products file's unit cost times the quantity for a line without
    /// one (rounded half away from zero); `None` when some line of the month has neither.
    pub cost: Option<Money>,
}

/// What one pass over the order lines gathered for the portfolio.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PortfolioScan {
    /// Every product with a line (purchase or return), in the order met.
    pub products: Vec<ScannedProduct>,
    /// Product-months, by product then month.
    pub months: Vec<ScannedMonth>,
    /// Whether a scored snapshot on or before the day asked exists.
    pub advocates_known: bool,
    /// Baskets handed to the callback, and lines read.
    pub baskets: u64,
    pub lines: u64,
}

/// The lines read: products' lines up to the day asked, visible (not of an import still being
/// published), in the unique index's order so that a customer's lines, and an order's, come
/// together. The index holds every column but `day`, the amounts and the category.
const SCAN_SQL: &str = concat!(
    "SELECT l.customer_id, l.keyed, l.order_ref, l.product, l.is_return, l.day, l.amount,
            l.cost, l.quantity, l.category
     FROM order_lines l
     WHERE l.product <> '' AND l.day <= $1 AND ",
    visible_line!(),
    " ORDER BY l.customer_id, l.keyed, l.order_ref"
);

const UNIT_COSTS_SQL: &str = "SELECT sku, unit_cost FROM products WHERE unit_cost IS NOT NULL";
const SNAPSHOT_SQL: &str = "SELECT MAX(as_of) FROM score_snapshots WHERE as_of <= $1";
const ADVOCATES_SQL: &str =
    "SELECT customer_id FROM score_snapshots WHERE as_of = $1 AND rung = 'advocate'";

/// Baskets sent from the SQLite reader thread at once, and batches in flight at most.
const BATCH_LINES: usize = 64 * 1024;
const BATCHES_IN_FLIGHT: usize = 4;

/// One order line as the scan reads it.
pub(crate) struct ScanLine<'a> {
    pub customer: i64,
    pub keyed: bool,
    pub order_ref: &'a str,
    pub product: &'a str,
    pub is_return: bool,
    pub day: i64,
    pub amount: i64,
    pub cost: Option<i64>,
    pub quantity: Option<f64>,
    pub category: Option<&'a str>,
}

#[derive(Clone, Copy, Default)]
struct MonthSum {
    revenue: i128,
    cost: i128,
    cost_unknown: bool,
}

/// Folds the lines, in the scan's order, into the per-product sums and the baskets.
pub(crate) struct Aggregator {
    unit_costs: HashMap<String, i64>,
    advocates: Option<HashSet<i64>>,
    ids: HashMap<String, u32>,
    names: Vec<String>,
    unit_cost: Vec<Option<i64>>,
    category: Vec<Option<String>>,
    customers: Vec<u32>,
    advocate_buyers: Vec<u32>,
    months: HashMap<(u32, i32), MonthSum>,
    /// The last day converted, and its month (a customer's lines share few days).
    last_day: Option<(i64, i32)>,
    customer: Option<i64>,
    customer_is_advocate: bool,
    /// The current customer's purchased products (repeats allowed until the customer ends).
    customer_products: Vec<u32>,
    order: Option<String>,
    basket: Vec<u32>,
    unkeyed: Vec<(i64, u32)>,
    baskets: u64,
    lines: u64,
}

impl Aggregator {
    pub(crate) fn new(unit_costs: HashMap<String, i64>, advocates: Option<HashSet<i64>>) -> Self {
        Aggregator {
            unit_costs,
            advocates,
            ids: HashMap::new(),
            names: Vec::new(),
            unit_cost: Vec::new(),
            category: Vec::new(),
            customers: Vec::new(),
            advocate_buyers: Vec::new(),
            months: HashMap::new(),
            last_day: None,
            customer: None,
            customer_is_advocate: false,
            customer_products: Vec::new(),
            order: None,
            basket: Vec::new(),
            unkeyed: Vec::new(),
            baskets: 0,
            lines: 0,
        }
    }

    fn product_id(&mut self, product: &str) -> u32 {
        if let Some(&i) = self.ids.get(product) {
            return i;
        }
        let i = self.names.len() as u32;
        self.ids.insert(product.to_string(), i);
        self.names.push(product.to_string());
        self.unit_cost.push(self.unit_costs.get(product).copied());
        self.category.push(None);
        self.customers.push(0);
        self.advocate_buyers.push(0);
        i
    }

    fn month_of(&mut self, day: i64) -> Result<i32> {
        if let Some((d, m)) = self.last_day
            && d == day
        {
            return Ok(m);
        }
        let days = i32::try_from(day)
            .map_err(|_| StoreError::invalid("day", format!("a stored day {day} out of range")))?;
        let month = Day::from_days_since_epoch(days).month_index();
        self.last_day = Some((day, month));
        Ok(month)
    }

    /// Takes the next line; `emit` receives each basket as it completes.
    pub(crate) fn line(&mut self, l: &ScanLine<'_>, emit: &mut dyn FnMut(&[u32])) -> Result<()> {
        self.lines += 1;
        if self.customer != Some(l.customer) {
            self.end_customer(emit);
            self.customer = Some(l.customer);
            self.customer_is_advocate = self
                .advocates
                .as_ref()
                .is_some_and(|a| a.contains(&l.customer));
        }
        let p = self.product_id(l.product);
        let month = self.month_of(l.day)?;
        let cost = match (l.cost, self.unit_cost[p as usize], l.quantity) {
            (Some(c), _, _) => Some(i128::from(c)),
            // The same rounding as SQL's ROUND: half away from zero.
            (None, Some(u), Some(q)) => Some((u as f64 * q).round() as i128),
            _ => None,
        };
        let sum = self.months.entry((p, month)).or_default();
        sum.revenue += i128::from(l.amount);
        match cost {
            Some(c) => sum.cost += c,
            None => sum.cost_unknown = true,
        }
        if l.is_return {
            return Ok(());
        }
        if let Some(c) = l.category {
            let slot = &mut self.category[p as usize];
            if slot.as_deref().is_none_or(|old| c < old) {
                *slot = Some(c.to_string());
            }
        }
        self.customer_products.push(p);
        if l.keyed {
            if self.order.as_deref() != Some(l.order_ref) {
                self.end_basket(emit);
                match &mut self.order {
                    Some(o) => {
                        o.clear();
                        o.push_str(l.order_ref);
                    }
                    None => self.order = Some(l.order_ref.to_string()),
                }
            }
            self.basket.push(p);
        } else {
            self.unkeyed.push((l.day, p));
        }
        Ok(())
    }

    fn end_basket(&mut self, emit: &mut dyn FnMut(&[u32])) {
        if !self.basket.is_empty() {
            emit(&self.basket);
            self.baskets += 1;
            self.basket.clear();
        }
    }

    /// Ends the current customer: their open order, their lines without an order id grouped
    /// by day, and their products' buyer counts.
    fn end_customer(&mut self, emit: &mut dyn FnMut(&[u32])) {
        self.end_basket(emit);
        self.order = None;
        let mut unkeyed = std::mem::take(&mut self.unkeyed);
        unkeyed.sort_unstable();
        for run in unkeyed.chunk_by(|a, b| a.0 == b.0) {
            self.basket.extend(run.iter().map(|&(_, p)| p));
            self.end_basket(emit);
        }
        unkeyed.clear();
        self.unkeyed = unkeyed;
        self.customer_products.sort_unstable();
        self.customer_products.dedup();
        for &p in &self.customer_products {
            self.customers[p as usize] += 1;
            if self.customer_is_advocate {
                self.advocate_buyers[p as usize] += 1;
            }
        }
        self.customer_products.clear();
    }

    /// Ends the last customer and hands over the sums.
    pub(crate) fn finish(mut self, emit: &mut dyn FnMut(&[u32])) -> Result<PortfolioScan> {
        self.end_customer(emit);
        let money = |v: i128, what: &str| -> Result<Money> {
            i64::try_from(v).map(Money::from_units).map_err(|_| {
                StoreError::invalid(
                    "order_lines",
                    format!("a product's monthly {what} overflows"),
                )
            })
        };
        let mut months = Vec::with_capacity(self.months.len());
        for ((product, month), s) in self.months {
            months.push(ScannedMonth {
                product,
                month,
                revenue: money(s.revenue, "revenue")?,
                cost: if s.cost_unknown {
                    None
                } else {
                    Some(money(s.cost, "cost")?)
                },
            });
        }
        months.sort_unstable_by_key(|m| (m.product, m.month));
        let advocates_known = self.advocates.is_some();
        let products = self
            .names
            .into_iter()
            .zip(self.category)
            .zip(self.customers.into_iter().zip(self.advocate_buyers))
            .map(|((product, category), (customers, advocates))| {
                let bought = customers > 0;
                ScannedProduct {
                    product,
                    category,
                    customers: bought.then_some(customers),
                    advocates: (bought && advocates_known).then_some(advocates),
                }
            })
            .collect();
        Ok(PortfolioScan {
            products,
            months,
            advocates_known,
            baskets: self.baskets,
            lines: self.lines,
        })
    }
}

/// What the SQLite reader thread sends: baskets (flattened, with their ends), then the end.
enum Message {
    Baskets { products: Vec<u32>, ends: Vec<u32> },
    Done(Result<PortfolioScan>),
}

/// Baskets gathered on the reader thread until there are enough to send.
#[derive(Default)]
struct Batch {
    products: Vec<u32>,
    ends: Vec<u32>,
}

impl Batch {
    fn push(&mut self, basket: &[u32]) {
        self.products.extend_from_slice(basket);
        self.ends.push(self.products.len() as u32);
    }

    /// Sends the batch; `false` when the receiver has gone.
    fn send(&mut self, tx: &tokio::sync::mpsc::Sender<Message>) -> bool {
        let message = Message::Baskets {
            products: std::mem::replace(&mut self.products, Vec::with_capacity(BATCH_LINES)),
            ends: std::mem::take(&mut self.ends),
        };
        tx.blocking_send(message).is_ok()
    }
}

impl Store {
    /// The portfolio's inputs from one pass over the order lines up to `last_day` (see the
    /// module doc): per product its monthly sales, category, buyers and advocates, and every
    /// basket handed to `on_basket` once as product indices into
    /// [`PortfolioScan::products`] — an order's purchased products, or for lines without an
    /// order id a customer's purchased products of one day. Returns count neither as buyers
    /// nor in baskets. Memory holds the per-product sums and one customer's lines.
    pub async fn scan_portfolio(
        &self,
        last_day: Day,
        on_basket: &mut (dyn FnMut(&[u32]) + Send),
    ) -> Result<PortfolioScan> {
        let d = day_to_db(last_day);
        if let Store::Sqlite(pool) = self {
            let path = pool.connect_options().get_filename().to_path_buf();
            if !path.as_os_str().is_empty() && path.to_str() != Some(":memory:") {
                return scan_sqlite_file(path, d, on_basket).await;
            }
        }
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let unit_costs: HashMap<String, i64> = sqlx::query(UNIT_COSTS_SQL)
                .fetch_all(&mut *tx)
                .await?
                .into_iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect::<Result<_, sqlx::Error>>()?;
            let snapshot: Option<i64> =
                sqlx::query_scalar(SNAPSHOT_SQL).bind(d).fetch_one(&mut *tx).await?;
            let advocates = match snapshot {
                Some(s) => Some(
                    sqlx::query_scalar::<_, i64>(ADVOCATES_SQL)
                        .bind(s)
                        .fetch_all(&mut *tx)
                        .await?
                        .into_iter()
                        .collect::<HashSet<i64>>(),
                ),
                None => None,
            };
            let mut agg = Aggregator::new(unit_costs, advocates);
            {
                let mut rows = sqlx::query(SCAN_SQL).bind(d).fetch(&mut *tx);
                while let Some(r) = rows.try_next().await? {
                    let line = ScanLine {
                        customer: r.try_get(0)?,
                        keyed: r.try_get(1)?,
                        order_ref: r.try_get(2)?,
                        product: r.try_get(3)?,
                        is_return: r.try_get(4)?,
                        day: r.try_get(5)?,
                        amount: r.try_get(6)?,
                        cost: r.try_get(7)?,
                        quantity: r.try_get(8)?,
                        category: r.try_get(9)?,
                    };
                    agg.line(&line, on_basket)?;
                }
            }
            tx.commit().await?;
            agg.finish(on_basket)
        })
    }
}

/// The scan on a SQLite file: a thread reads and aggregates, baskets come back in batches.
async fn scan_sqlite_file(
    path: PathBuf,
    last_day: i64,
    on_basket: &mut (dyn FnMut(&[u32]) + Send),
) -> Result<PortfolioScan> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Message>(BATCHES_IN_FLIGHT);
    std::thread::Builder::new()
        .name("portfolio-scan".into())
        .spawn(move || {
            let result = scan_sqlite_thread(&path, last_day, &tx);
            // The receiver may have gone (the caller gave up): nothing left to tell.
            let _ = tx.blocking_send(Message::Done(result));
        })
        .map_err(|e| StoreError::SqliteDirect(format!("starting the portfolio scan: {e}")))?;
    while let Some(message) = rx.recv().await {
        match message {
            Message::Baskets { products, ends } => {
                let mut from = 0usize;
                for &end in &ends {
                    on_basket(&products[from..end as usize]);
                    from = end as usize;
                }
            }
            Message::Done(result) => return result,
        }
    }
    Err(StoreError::SqliteDirect(
        "the portfolio scan stopped without an answer".into(),
    ))
}

fn scan_sqlite_thread(
    path: &std::path::Path,
    last_day: i64,
    tx: &tokio::sync::mpsc::Sender<Message>,
) -> Result<PortfolioScan> {
    let direct = |e: rusqlite::Error| StoreError::SqliteDirect(format!("portfolio scan: {e}"));
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::SqliteDirect(format!("opening {} to read: {e}", path.display())))?;
    conn.busy_timeout(Duration::from_secs(30)).map_err(direct)?;
    // Pages read through a memory map, not copied into SQLite's own cache one by one: the
    // scan visits the table in index order, so most of its cost is page lookups.
    conn.pragma_update(None, "mmap_size", 1i64 << 40)
        .map_err(direct)?;
    // One read transaction: the costs, the advocates and the lines agree with each other.
    conn.execute_batch("BEGIN").map_err(direct)?;
    let result = (|| -> Result<PortfolioScan> {
        let unit_costs: HashMap<String, i64> = conn
            .prepare(UNIT_COSTS_SQL)
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()
            })
            .map_err(direct)?;
        let snapshot: Option<i64> = conn
            .query_row(SNAPSHOT_SQL, [last_day], |r| r.get(0))
            .map_err(direct)?;
        let advocates = match snapshot {
            Some(s) => Some(
                conn.prepare(ADVOCATES_SQL)
                    .and_then(|mut st| {
                        st.query_map([s], |r| r.get::<_, i64>(0))?
                            .collect::<rusqlite::Result<HashSet<i64>>>()
                    })
                    .map_err(direct)?,
            ),
            None => None,
        };
        let mut agg = Aggregator::new(unit_costs, advocates);
        let mut batch = Batch::default();
        let gone = || StoreError::SqliteDirect("the portfolio scan's reader went away".into());
        let mut statement = conn.prepare(SCAN_SQL).map_err(direct)?;
        let mut rows = statement.query([last_day]).map_err(direct)?;
        while let Some(r) = rows.next().map_err(direct)? {
            let text = |i: usize| -> rusqlite::Result<&str> {
                r.get_ref(i)?.as_str().map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        i,
                        rusqlite::types::Type::Text,
                        e.into(),
                    )
                })
            };
            let category = match r.get_ref(9).map_err(direct)? {
                rusqlite::types::ValueRef::Null => None,
                _ => Some(text(9).map_err(direct)?),
            };
            let line = ScanLine {
                customer: r.get(0).map_err(direct)?,
                keyed: r.get(1).map_err(direct)?,
                order_ref: text(2).map_err(direct)?,
                product: text(3).map_err(direct)?,
                is_return: r.get(4).map_err(direct)?,
                day: r.get(5).map_err(direct)?,
                amount: r.get(6).map_err(direct)?,
                cost: r.get(7).map_err(direct)?,
                quantity: r.get(8).map_err(direct)?,
                category,
            };
            agg.line(&line, &mut |b| batch.push(b))?;
            if batch.products.len() >= BATCH_LINES && !batch.send(tx) {
                return Err(gone());
            }
        }
        drop(rows);
        drop(statement);
        let scan = agg.finish(&mut |b| batch.push(b))?;
        if !batch.ends.is_empty() && !batch.send(tx) {
            return Err(gone());
        }
        Ok(scan)
    })();
    let _ = conn.execute_batch("COMMIT");
    result
}
