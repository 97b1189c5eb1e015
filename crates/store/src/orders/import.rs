//! Writing order lines: one transaction per imported file, multi-row inserts, and the line
//! identity that makes a second import of the same rows change nothing.

use std::collections::HashMap;
use std::path::PathBuf;

use clientele_core::{Day, Money};
use clientele_ingest::pipeline::{ImportError, ImportOptions};
use clientele_ingest::rows::{OrderRow, RowsOutcome, read_order_rows};
use sqlx::{Postgres, QueryBuilder, Sqlite, Transaction};

use crate::db::{Store, day_to_db, now};
use crate::dialect;
use crate::error::{Result, StoreError};

/// An order line to store.
#[derive(Clone, Debug, PartialEq)]
pub struct NewOrderLine {
    /// The customer's external id (created if unknown).
    pub customer: String,
    /// The export's order id; `None` when the export has none, in which case the line is
    /// identified by its day, amount and `row_line`.
    pub order_id: Option<String>,
    /// Product id or name as exported ("" when absent).
    pub product: String,
    pub day: Day,
    /// Negative amounts are returns.
    pub amount: Money,
    pub cost: Option<Money>,
    pub quantity: Option<f64>,
    pub price: Option<Money>,
    pub list_price: Option<Money>,
    pub category: Option<String>,
    pub full_price: Option<bool>,
    /// The row's line in its file, used only to identify rows of exports without order ids.
    pub row_line: u64,
}

/// A row as `clientele_ingest::rows` reads it from an export, as both importers (the
/// `import` command and the upload endpoint) store it.
impl From<clientele_ingest::rows::OrderRow> for NewOrderLine {
    fn from(row: clientele_ingest::rows::OrderRow) -> NewOrderLine {
        NewOrderLine {
            customer: row.customer,
            order_id: row.order_id,
            product: row.product.unwrap_or_default(),
            day: row.line.day,
            amount: row.line.amount,
            cost: row.line.cost,
            quantity: row.quantity,
            price: row.price,
            list_price: row.list_price,
            category: row.category,
            full_price: row.line.full_price,
            row_line: row.line.row.line,
        }
    }
}

impl NewOrderLine {
    fn is_return(&self) -> bool {
        self.amount.is_negative()
    }

    /// The stored order reference: the order id, or for exports without one a reference built
    /// from what identifies the row (so the same file imported twice is recognised).
    fn order_ref(&self) -> String {
        match &self.order_id {
            Some(id) => id.clone(),
            None => format!(
                "#{}@{}/{}",
                self.row_line,
                self.day.days_since_epoch(),
                self.amount.units()
            ),
        }
    }
}

/// What an import did to the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportCounts {
    /// Lines written.
    pub inserted: u64,
    /// Lines already stored (same customer, order id, product and return flag): left as they were.
    pub unchanged: u64,
    /// Customers created.
    pub new_customers: u64,
}

enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// An open import of one file. Nothing is visible to others (or survives a crash) until
/// [`ImportTx::commit`]; dropping it rolls back.
pub struct ImportTx {
    tx: Tx,
    import_id: i64,
    customers: HashMap<String, i64>,
    counts: ImportCounts,
}

impl std::fmt::Debug for ImportTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportTx")
            .field("import_id", &self.import_id)
            .field("counts", &self.counts)
            .finish()
    }
}

/// Rows per batch that [`ImportTx::stream_file`] hands from the parser to the database.
pub const STREAM_BATCH: usize = 8192;

/// Why [`ImportTx::stream_file`] stopped; the import has been rolled back.
#[derive(Debug, thiserror::Error)]
pub enum StreamError {
    /// Writing a batch to the database failed.
    #[error("writing to the database: {0}")]
    Write(#[source] StoreError),
    /// The file could not be read (the reader's error names the file and the place).
    #[error("{0}")]
    Read(#[source] ImportError),
    /// The parser thread panicked (a bug); its message went to standard error.
    #[error("the parser thread panicked")]
    ParserPanicked,
}

/// Rows per INSERT statement (13 bound parameters each).
const ROWS_PER_STATEMENT: usize = 2000;
const _: () = assert!(dialect::fits_one_statement(ROWS_PER_STATEMENT, 13));

macro_rules! on_tx {
    ($tx:expr, $t:ident => $body:expr) => {
        match $tx {
            Tx::Sqlite($t) => $body,
            Tx::Postgres($t) => $body,
        }
    };
}

impl Store {
    /// Starts importing one file: opens a transaction and records the import.
    pub async fn begin_import(&self, file: &str) -> Result<ImportTx> {
        let mut tx = match self {
            Store::Sqlite(pool) => Tx::Sqlite(pool.begin().await?),
            Store::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        };
        let (import_id, known) = on_tx!(&mut tx, t => {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO imports (file, imported_at, rows, inserted, unchanged, rejected)
                 VALUES ($1, $2, 0, 0, 0, 0) RETURNING id",
            )
            .bind(file)
            .bind(now())
            .fetch_one(&mut **t)
            .await?;
            let known: Vec<(i64, String)> = sqlx::query_as("SELECT id, external_id FROM customers")
                .fetch_all(&mut **t)
                .await?;
            (id, known)
        });
        Ok(ImportTx {
            tx,
            import_id,
            customers: known.into_iter().map(|(id, ext)| (ext, id)).collect(),
            counts: ImportCounts::default(),
        })
    }
}

impl ImportTx {
    /// Adds lines (in input order: of two lines with the same identity the first is kept).
    pub async fn add(&mut self, lines: &[NewOrderLine]) -> Result<()> {
        for chunk in lines.chunks(ROWS_PER_STATEMENT) {
            self.resolve_customers(chunk).await?;
            let customers = &self.customers;
            let import_id = self.import_id;
            let inserted = on_tx!(&mut self.tx, t => {
                let mut q = QueryBuilder::new(
                    "INSERT INTO order_lines (import_id, customer_id, keyed, order_ref, product, is_return, day, amount, cost, quantity, price, list_price, category, full_price) ",
                );
                // The import id is the same for every row: written into the statement (one
                // statement text per import) instead of bound 2,000 times.
                q.push_values(chunk, |mut b, l| {
                    b.push(import_id.to_string())
                        .push_bind(customers[&l.customer])
                        .push_bind(l.order_id.is_some())
                        .push_bind(l.order_ref())
                        .push_bind(l.product.clone())
                        .push_bind(l.is_return())
                        .push_bind(day_to_db(l.day))
                        .push_bind(l.amount.units())
                        .push_bind(l.cost.map(Money::units))
                        .push_bind(l.quantity)
                        .push_bind(l.price.map(Money::units))
                        .push_bind(l.list_price.map(Money::units))
                        .push_bind(l.category.clone())
                        .push_bind(l.full_price);
                });
                q.push(" ON CONFLICT (customer_id, keyed, order_ref, product, is_return) DO NOTHING");
                q.build().execute(&mut **t).await?.rows_affected()
            });
            self.counts.inserted += inserted;
            self.counts.unchanged += chunk.len() as u64 - inserted;
        }
        Ok(())
    }

    /// Makes sure every customer of `lines` has an id, creating the new ones in one statement.
    async fn resolve_customers(&mut self, lines: &[NewOrderLine]) -> Result<()> {
        let mut new: Vec<&str> = lines
            .iter()
            .map(|l| l.customer.as_str())
            .filter(|c| !self.customers.contains_key(*c))
            .collect();
        if new.is_empty() {
            return Ok(());
        }
        if let Some(l) = lines.iter().find(|l| l.customer.trim().is_empty()) {
            return Err(StoreError::Invalid {
                field: "customer",
                reason: format!("line {} has an empty customer id", l.row_line),
            });
        }
        new.sort_unstable();
        new.dedup();
        let created_at = now();
        let created: Vec<(i64, String)> = on_tx!(&mut self.tx, t => {
            let mut q = QueryBuilder::new("INSERT INTO customers (external_id, created_at) ");
            q.push_values(&new, |mut b, ext| {
                b.push_bind(ext.to_string()).push_bind(created_at);
            });
            q.push(" ON CONFLICT (external_id) DO NOTHING RETURNING id, external_id");
            let mut created: Vec<(i64, String)> = q.build_query_as().fetch_all(&mut **t).await?;
            if created.len() < new.len() {
                // Created meanwhile by another writer: look the rest up.
                let mut q = QueryBuilder::new("SELECT id, external_id FROM customers WHERE external_id IN (");
                let mut sep = q.separated(", ");
                for ext in &new {
                    sep.push_bind(ext.to_string());
                }
                q.push(")");
                created = q.build_query_as().fetch_all(&mut **t).await?;
            }
            created
        });
        self.counts.new_customers += created.len() as u64;
        self.customers
            .extend(created.into_iter().map(|(id, ext)| (ext, id)));
        Ok(())
    }

    pub fn counts(&self) -> ImportCounts {
        self.counts
    }

    /// Records the file's totals and commits: all of the file's lines become visible at once.
    pub async fn commit(mut self, rows: u64, rejected: u64) -> Result<ImportCounts> {
        let counts = self.counts;
        let import_id = self.import_id;
        on_tx!(&mut self.tx, t => {
            sqlx::query(
                "UPDATE imports SET rows = $2, inserted = $3, unchanged = $4, rejected = $5 WHERE id = $1",
            )
            .bind(import_id)
            .bind(rows as i64)
            .bind(counts.inserted as i64)
            .bind(counts.unchanged as i64)
            .bind(rejected as i64)
            .execute(&mut **t)
            .await?;
        });
        match self.tx {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(counts)
    }

    /// Reads the order rows of `path` on a blocking thread and writes them into this import
    /// batch by batch as they are parsed, so the file is never held in memory (at most four
    /// batches of [`STREAM_BATCH`] rows wait between the parser and the database). On any
    /// failure the import is rolled back and nothing of the file is kept. On success the
    /// import is still open, so the caller decides from the reader's outcome (its rejects)
    /// whether to commit it or refuse the file.
    pub async fn stream_file(
        mut self,
        path: PathBuf,
        file_index: u32,
        options: ImportOptions,
    ) -> std::result::Result<(ImportTx, RowsOutcome), StreamError> {
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<NewOrderLine>>(4);
        let parser = tokio::task::spawn_blocking(move || {
            let mut sink = |rows: Vec<OrderRow>| {
                let lines: Vec<NewOrderLine> = rows.into_iter().map(NewOrderLine::from).collect();
                // False once the writer below has stopped: the reader stops at this batch.
                sender.blocking_send(lines).is_ok()
            };
            read_order_rows(&path, file_index, &options, STREAM_BATCH, &mut sink)
        });
        let mut write_error = None;
        while let Some(lines) = receiver.recv().await {
            if let Err(e) = self.add(&lines).await {
                write_error = Some(e);
                break;
            }
        }
        drop(receiver);
        let parsed = parser.await;
        let failure = match (write_error, parsed) {
            (Some(e), _) => StreamError::Write(e),
            (None, Err(_)) => StreamError::ParserPanicked,
            (None, Ok(Err(e))) => StreamError::Read(e),
            (None, Ok(Ok(outcome))) => return Ok((self, outcome)),
        };
        // The failure is what the caller needs to hear; a rollback that fails as well leaves
        // nothing behind either (the transaction ends with its connection).
        self.rollback().await.ok();
        Err(failure)
    }

    /// Abandons the import: nothing of it is kept.
    pub async fn rollback(self) -> Result<()> {
        match self.tx {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}
