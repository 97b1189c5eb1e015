//! The customer card's fast path on SQLite: reader threads that each own a read-only
//! connection to the file. sqlx-sqlite hands every statement to its connection's worker thread
//! and back, so the card's eight statements cost sixteen thread switches, and on two cores a
//! third of the server's time went to the scheduler; a reader thread takes the whole card as one
//! job and answers once. It runs the card's own statements (`card.rs`) and builds the card from
//! the same column tuples as the pooled path.

use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use rusqlite::{OpenFlags, OptionalExtension};
use tokio::sync::oneshot;

use super::card::{
    CARD_ORDERS, CARD_SNAPSHOTS, CUSTOMER_SQL, CardRows, CustomerCard, ORDERS_SQL, not_found,
};
use super::records::{CONSENTS_SQL, CONTACTS_SQL, DATES_SQL, NOTES_SQL, TAGS_SQL};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::scope::Scope;
use crate::snapshots::SNAPSHOTS_SQL;

impl Store {
    /// A reader of customer cards for this store: on a SQLite file, `threads` reader threads
    /// (one per core when `None`) each with its own read-only connection to the same file; on
    /// PostgreSQL, the store's pool. Fails if a SQLite file cannot be opened for reading.
    pub fn card_reader(&self, threads: Option<NonZeroUsize>) -> Result<CardReader> {
        let direct = match self {
            Store::Sqlite(pool) => {
                let options = pool.connect_options();
                let threads = threads
                    .or_else(|| std::thread::available_parallelism().ok())
                    .map_or(2, NonZeroUsize::get);
                Some(Arc::new(SqliteReaders::start(
                    options.get_filename(),
                    threads,
                )?))
            }
            Store::Postgres(_) => None,
        };
        Ok(CardReader {
            store: self.clone(),
            direct,
        })
    }

    /// A reader of customer cards through the store's pool on either backend (what
    /// [`Store::card_reader`] does on PostgreSQL).
    pub fn pooled_card_reader(&self) -> CardReader {
        CardReader {
            store: self.clone(),
            direct: None,
        }
    }
}

/// Reads customer cards: on SQLite through reader threads that own their connections (one
/// hand-off per card), otherwise through the store's pool. Cheap to clone.
#[derive(Clone, Debug)]
pub struct CardReader {
    store: Store,
    direct: Option<Arc<SqliteReaders>>,
}

impl CardReader {
    /// The card of customer `id`; `NotFound` when there is none within `scope`. The same card as
    /// [`Store::customer_card`] gives.
    pub async fn customer_card(&self, scope: Scope, id: i64) -> Result<CustomerCard> {
        match &self.direct {
            Some(readers) => readers.customer_card(scope, id).await,
            None => self.store.customer_card(scope, id).await,
        }
    }

    /// Whether cards are read by the SQLite reader threads (not through the pool).
    pub fn is_direct(&self) -> bool {
        self.direct.is_some()
    }
}

/// One card to read, and where to send it.
struct CardJob {
    scope: Scope,
    id: i64,
    reply: oneshot::Sender<Result<CustomerCard>>,
}

/// Reader threads over one SQLite file. Jobs wait in one queue; whichever thread is free takes
/// the next. The threads end when the last handle is dropped (the queue closes).
#[derive(Debug)]
struct SqliteReaders {
    jobs: mpsc::Sender<CardJob>,
}

/// Statements each reader keeps prepared: the card's eight, with room to spare.
const PREPARED_STATEMENTS: usize = 16;

impl SqliteReaders {
    fn start(path: &Path, threads: usize) -> Result<SqliteReaders> {
        // Open every connection before starting a thread, so a file that cannot be read fails
        // here with its reason rather than on the first card.
        let connections = (0..threads)
            .map(|_| open_reader(path))
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| {
                StoreError::SqliteDirect(format!("opening {} to read: {e}", path.display()))
            })?;
        let (jobs, queue) = mpsc::channel::<CardJob>();
        let queue = Arc::new(Mutex::new(queue));
        for (n, conn) in connections.into_iter().enumerate() {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("card-reader-{n}"))
                .spawn(move || {
                    while let Some(job) = next_job(&queue) {
                        // A request that gave up (client gone) needs no card.
                        if job.reply.is_closed() {
                            continue;
                        }
                        let card = read_card(&conn, job.scope, job.id);
                        let _ = job.reply.send(card);
                    }
                })
                .map_err(|e| StoreError::SqliteDirect(format!("starting a reader thread: {e}")))?;
        }
        Ok(SqliteReaders { jobs })
    }

    async fn customer_card(&self, scope: Scope, id: i64) -> Result<CustomerCard> {
        let (reply, card) = oneshot::channel();
        let stopped = || StoreError::SqliteDirect("the reader threads have stopped".into());
        self.jobs
            .send(CardJob { scope, id, reply })
            .map_err(|_| stopped())?;
        card.await.map_err(|_| stopped())?
    }
}

/// The next job, or `None` once every sender is gone.
fn next_job(queue: &Mutex<mpsc::Receiver<CardJob>>) -> Option<CardJob> {
    // A reader that panicked while waiting left the receiver intact: keep using it.
    let queue = queue.lock().unwrap_or_else(|e| e.into_inner());
    queue.recv().ok()
}

fn open_reader(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // The writers (imports, the audit log) hold the lock briefly; wait as the pool does.
    conn.busy_timeout(Duration::from_secs(30))?;
    conn.pragma_update(None, "query_only", true)?;
    conn.set_prepared_statement_cache_capacity(PREPARED_STATEMENTS);
    Ok(conn)
}

/// Reads the card in one read transaction, so its lists agree with each other (a snapshot of
/// the file), with the statements prepared once per connection.
fn read_card(conn: &rusqlite::Connection, scope: Scope, id: i64) -> Result<CustomerCard> {
    // BEGIN and COMMIT prepared once too (`Connection::transaction` parses them every time).
    let rows = conn
        .prepare_cached("BEGIN")
        .and_then(|mut begin| begin.execute([]))
        .and_then(|_| read_rows(conn, scope, id));
    // Reads only: ending the transaction either way releases the snapshot.
    let ended = conn
        .prepare_cached("COMMIT")
        .and_then(|mut commit| commit.execute([]));
    if ended.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    let rows = rows
        .and_then(|rows| ended.map(|_| rows))
        .map_err(|e| StoreError::SqliteDirect(format!("customer {id}: {e}")))?;
    rows.ok_or_else(|| not_found(id))?.into_card()
}

fn read_rows(
    conn: &rusqlite::Connection,
    scope: Scope,
    id: i64,
) -> rusqlite::Result<Option<CardRows>> {
    let customer = conn
        .prepare_cached(CUSTOMER_SQL)?
        .query_row(
            rusqlite::named_params! {"$1": id, "$2": scope.manager()},
            |r| r.try_into(),
        )
        .optional()?;
    let Some(customer) = customer else {
        return Ok(None);
    };
    // Every list statement takes the customer as `$1`; the last two their limit as `$2`. The
    // row tuples of `CardRows` convert from a rusqlite row column by column (`try_into`).
    fn list<T>(
        conn: &rusqlite::Connection,
        sql: &str,
        params: &[(&str, &dyn rusqlite::ToSql)],
        row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<Vec<T>> {
        conn.prepare_cached(sql)?.query_map(params, row)?.collect()
    }
    let by_id = rusqlite::named_params! {"$1": id};
    let rows = CardRows {
        customer,
        contacts: list(conn, CONTACTS_SQL, by_id, |r| r.try_into())?,
        consents: list(conn, CONSENTS_SQL, by_id, |r| r.try_into())?,
        tags: list(conn, TAGS_SQL, by_id, |r| r.get(0))?,
        dates: list(conn, DATES_SQL, by_id, |r| r.try_into())?,
        notes: list(conn, NOTES_SQL, by_id, |r| r.try_into())?,
        orders: list(
            conn,
            ORDERS_SQL,
            rusqlite::named_params! {"$1": id, "$2": CARD_ORDERS},
            |r| r.try_into(),
        )?,
        snapshots: list(
            conn,
            SNAPSHOTS_SQL,
            rusqlite::named_params! {"$1": id, "$2": CARD_SNAPSHOTS},
            |r| r.try_into(),
        )?,
    };
    Ok(Some(rows))
}
