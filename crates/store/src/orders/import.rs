//! Writing order lines file by file: an import stages its lines in bounded chunks, each its own
//! short transaction, then publishes them all at once (`publish.rs`), so an import of any size
//! never holds the database's write lock for long, and a refused, failed or crashed import leaves
//! nothing anyone reads. Lines are identified (customer, order id, product, return or not; by
//! content for exports without order ids), so a second import of the same rows changes nothing.

use std::path::PathBuf;

use clientele_core::bounds::{MAX_AMOUNT, MAX_QUANTITY, check_id, check_name, day_in_bounds};
use clientele_core::{Day, Money};
use clientele_ingest::pipeline::{ImportError, ImportOptions, Reject};
use clientele_ingest::rows::{OrderRow, RowsOutcome, read_order_rows};
use sqlx::QueryBuilder;

use super::publish::{self, Conn, ImportCounts, on_conn};
use crate::db::{Store, day_to_db, now};
use crate::dialect;
use crate::error::{Result, StoreError};
use crate::tombstones::{Tombstones, erased_reason};

/// An order line to store.
#[derive(Clone, Debug, PartialEq)]
pub struct NewOrderLine {
    /// The customer's external id (created if unknown).
    pub customer: String,
    /// The export's order id; `None` when the export has none, in which case the line is
    /// identified by its content and `occurrence`.
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
    /// The row's line in its file (for messages; 0 when the line did not come from a file).
    pub row_line: u64,
    /// For a line without an order id: how many earlier lines of the same file have the same
    /// customer, product, day and amount (`clientele_ingest::rows::OrderRow::occurrence`). Such a
    /// line is identified by that content and this count, not by where it is in the file, so a
    /// line added at the top of a re-export does not make every line new.
    pub occurrence: u32,
}

/// A row as `clientele_ingest::rows` reads it from an export, as both importers (the
/// `import` command and the upload endpoint) store it.
impl From<OrderRow> for NewOrderLine {
    fn from(row: OrderRow) -> NewOrderLine {
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
            occurrence: row.occurrence,
        }
    }
}

impl NewOrderLine {
    pub(super) fn is_return(&self) -> bool {
        self.amount.is_negative()
    }

    /// The stored order reference: the order id, or for exports without one a reference built
    /// from the line's content (day, amount) and its occurrence; customer, product and
    /// direction are columns of the identity already.
    pub(super) fn order_ref(&self) -> String {
        match &self.order_id {
            Some(id) => id.clone(),
            None => format!(
                "~{}@{}/{}",
                self.occurrence,
                self.day.days_since_epoch(),
                self.amount.units()
            ),
        }
    }

    /// |amount| + |cost|, what the store's total of magnitudes counts for this line.
    pub(super) fn magnitude(&self) -> u128 {
        u128::from(self.amount.units().unsigned_abs())
            + u128::from(self.cost.map_or(0, |c| c.units().unsigned_abs()))
    }

    /// The bounds of `clientele_core::bounds`, held by the store too (the readers and the API
    /// check them first, naming the column or field; this is the last line of defence).
    fn check(&self) -> Result<()> {
        let bad = |field: &'static str, why: String| {
            let at = if self.row_line > 0 {
                format!("line {}: ", self.row_line)
            } else {
                String::new()
            };
            Err(StoreError::invalid(field, format!("{at}{why}")))
        };
        if self.customer.trim().is_empty() {
            return bad("customer", "the customer id is empty".into());
        }
        if let Err(e) = check_id(&self.customer) {
            return bad("customer", format!("the customer id {e}"));
        }
        if let Some(Err(e)) = self.order_id.as_deref().map(check_id) {
            return bad("order_id", format!("the order id {e}"));
        }
        for (field, text) in [
            ("product", Some(self.product.as_str())),
            ("category", self.category.as_deref()),
        ] {
            if let Some(Err(e)) = text.map(check_name) {
                return bad(field, format!("the {field} {e}"));
            }
        }
        if !day_in_bounds(self.day) {
            return bad(
                "day",
                format!("{} is outside 1900-01-01 ..= 2100-12-31", self.day),
            );
        }
        let max = MAX_AMOUNT.units();
        for (field, value) in [
            ("amount", Some(self.amount)),
            ("cost", self.cost),
            ("price", self.price),
            ("list_price", self.list_price),
        ] {
            if value.is_some_and(|m| m.units().unsigned_abs() > max.unsigned_abs()) {
                return bad(
                    field,
                    format!(
                        "{} is beyond the largest amount accepted, {}",
                        value.unwrap_or_default(),
                        MAX_AMOUNT
                    ),
                );
            }
        }
        if self
            .quantity
            .is_some_and(|q| !q.is_finite() || q.abs() > MAX_QUANTITY)
        {
            return bad(
                "quantity",
                format!("must be a finite number of at most {MAX_QUANTITY} in size"),
            );
        }
        Ok(())
    }
}

/// An open import of one file. Its lines are staged in short transactions and nothing of them
/// is read by anyone (or created: customers are created when it is published) until
/// [`ImportTx::commit`], which publishes them all at once. [`ImportTx::rollback`] discards them;
/// an import dropped without either is discarded by a later import once its heartbeat stops.
pub struct ImportTx {
    conn: Conn,
    staged_id: i64,
    tombstones: Tombstones,
    /// Lines staged.
    staged: u64,
    /// Their |amount| + |cost|, to check against the store's total before publishing.
    magnitude: u128,
    /// Refreshes the import's heartbeat while it is open (see `publish::STALE_SECONDS`).
    heartbeat: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for ImportTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImportTx")
            .field("staged_id", &self.staged_id)
            .field("staged", &self.staged)
            .finish()
    }
}

impl Drop for ImportTx {
    fn drop(&mut self) {
        self.heartbeat.abort();
    }
}

/// Rows per batch that [`ImportTx::stream_file`] hands from the parser to the database, and
/// lines staged per transaction.
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

impl Store {
    /// Starts importing one file (recorded under `source`): finishes or discards imports that
    /// stopped without a word (a crash), opens the import's own connection (an import never
    /// holds one of the pool's, which serve reads and short writes) and registers it as staging.
    pub async fn begin_import(&self, source: &str) -> Result<ImportTx> {
        publish::recover(self).await?;
        let tombstones = self.tombstones().await?;
        let mut conn = Conn::open(self).await?;
        let at = now();
        let staged_id: i64 = on_conn!(&mut conn, c => {
            sqlx::query_scalar(
                "INSERT INTO staged_imports (source, state, started_at, heartbeat_at)
                 VALUES ($1, 'staging', $2, $2) RETURNING id",
            )
            .bind(source)
            .bind(at)
            .fetch_one(&mut *c)
            .await?
        });
        Ok(ImportTx {
            heartbeat: publish::keep_alive(self.clone(), staged_id),
            conn,
            staged_id,
            tombstones,
            staged: 0,
            magnitude: 0,
        })
    }
}

impl ImportTx {
    /// Stages lines (in input order: of two lines with the same identity the first is kept).
    /// A line beyond the bounds, or of an erased customer, refuses the whole call (`Invalid`,
    /// naming the field and the line); nothing of it is staged.
    pub async fn add(&mut self, lines: &[NewOrderLine]) -> Result<()> {
        for l in lines {
            l.check()?;
            if self.tombstones.is_erased(&l.customer) {
                return Err(StoreError::invalid("customer", erased_reason(&l.customer)));
            }
        }
        for chunk in lines.chunks(STREAM_BATCH) {
            self.stage(chunk).await?;
        }
        Ok(())
    }

    /// Writes one chunk into the staging table in one short transaction.
    async fn stage(&mut self, chunk: &[NewOrderLine]) -> Result<()> {
        let staged_id = self.staged_id;
        on_conn!(&mut self.conn, c => {
            let mut tx = publish::begin_write!(c).await?;
            publish::still_staging!(tx, staged_id);
            for rows in chunk.chunks(ROWS_PER_STATEMENT) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO import_staging (staged_import_id, customer, keyed, order_ref, product, is_return, day, amount, cost, quantity, price, list_price, category, full_price) ",
                );
                // The same for every row: written into the statement instead of bound 2,000 times.
                q.push_values(rows, |mut b, l| {
                    b.push(staged_id.to_string())
                        .push_bind(l.customer.clone())
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
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        });
        self.staged += chunk.len() as u64;
        self.magnitude += chunk.iter().map(NewOrderLine::magnitude).sum::<u128>();
        Ok(())
    }

    /// Lines staged so far (written or not: that is known once published).
    pub fn staged(&self) -> u64 {
        self.staged
    }

    /// Publishes the import with the file's totals (`rows` read, `rejected`): creates its new
    /// customers and moves its lines into the store in short transactions, then makes them all
    /// visible at once. Refused (and discarded) when the store's total of amounts and costs
    /// would pass what 64-bit sums hold.
    pub async fn commit(mut self, rows: u64, rejected: u64) -> Result<ImportCounts> {
        let started = publish::start(
            &mut self.conn,
            self.staged_id,
            rows,
            rejected,
            self.magnitude,
        )
        .await;
        if let Err(e) = started {
            publish::discard(&mut self.conn, self.staged_id).await.ok();
            return Err(e);
        }
        publish::publish(&mut self.conn, self.staged_id).await
    }

    /// Abandons the import: its staged lines are deleted (in short transactions) and nothing of
    /// it is kept.
    pub async fn rollback(mut self) -> Result<()> {
        publish::discard(&mut self.conn, self.staged_id).await
    }

    /// Splits rows into those to stage and the rejects of erased customers (with the reason).
    fn refuse_erased(
        &self,
        rows: Vec<OrderRow>,
        file: &std::path::Path,
    ) -> (Vec<NewOrderLine>, Vec<Reject>) {
        let mut rejects = Vec::new();
        let lines = rows
            .into_iter()
            .filter_map(|row| {
                if self.tombstones.is_erased(&row.customer) {
                    rejects.push(Reject {
                        file: file.to_path_buf(),
                        row: row.line.row,
                        column: String::new(),
                        reason: erased_reason(&row.customer),
                        raw: String::new(),
                    });
                    None
                } else {
                    Some(NewOrderLine::from(row))
                }
            })
            .collect();
        (lines, rejects)
    }

    /// Reads the order rows of `path` on a blocking thread and stages them batch by batch as
    /// they are parsed, so the file is never held in memory (at most four batches of
    /// [`STREAM_BATCH`] rows wait between the parser and the database). Rows of erased customers
    /// are rejects, with the reason. On any failure the import is rolled back and nothing of the
    /// file is kept. On success the import is still open, so the caller decides from the
    /// reader's outcome (its rejects) whether to commit it or refuse the file.
    pub async fn stream_file(
        mut self,
        path: PathBuf,
        file_index: u32,
        options: ImportOptions,
    ) -> std::result::Result<(ImportTx, RowsOutcome), StreamError> {
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<OrderRow>>(4);
        let reader_path = path.clone();
        let parser = tokio::task::spawn_blocking(move || {
            // False once the writer below has stopped: the reader stops at this batch.
            let mut sink = |rows: Vec<OrderRow>| sender.blocking_send(rows).is_ok();
            read_order_rows(&reader_path, file_index, &options, STREAM_BATCH, &mut sink)
        });
        let mut write_error = None;
        let mut erased: Vec<Reject> = Vec::new();
        while let Some(rows) = receiver.recv().await {
            let (lines, mut refused) = self.refuse_erased(rows, &path);
            erased.append(&mut refused);
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
            (None, Ok(Ok(mut outcome))) => {
                if !erased.is_empty() {
                    let n = erased.len() as u64;
                    outcome.report.accepted -= n;
                    outcome.report.rejected += n;
                    outcome.rejects.append(&mut erased);
                    outcome.rejects.sort_by_key(|r| r.row.line);
                }
                return Ok((self, outcome));
            }
        };
        // The failure is what the caller needs to hear; staged lines left by a failed discard
        // are discarded by the next import.
        self.rollback().await.ok();
        Err(failure)
    }
}
