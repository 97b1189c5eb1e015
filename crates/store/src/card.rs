//! The customer card: what it shows, the statements that read it, and the two ways they run.
//!
//! The statements are written once, in the common dialect of SQLite and PostgreSQL with `$n`
//! parameters. [`Store::customer_card`] runs them through the store's sqlx pool (either
//! backend). A [`CardReader`] runs the same texts on a SQLite file through reader threads that
//! each own a read-only connection: sqlx-sqlite hands every statement to its connection's
//! worker thread and back, so the card's eight statements cost sixteen thread switches, and on
//! two cores a third of the server's time went to the scheduler; a reader thread takes the whole
//! card as one job and answers once. Both paths build the card from the same column tuples with
//! [`CardRows::into_card`], and a test compares them customer by customer.
//!
//! A manager's scope is a condition of the first statement (`manager_user_id = $2`): a customer
//! outside it is not found, and the lists are never read.

use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use rusqlite::{OpenFlags, OptionalExtension};
use tokio::sync::oneshot;

use crate::model::CustomerRow;
use crate::recurrence::DateRule;
use crate::{
    Channel, ConsentRecord, ContactRecord, CustomerKind, Day, Money, NoteRecord,
    PersonalDateRecord, Result, Scope, Store, StoreError, day_from_db, dispatch,
};

/// Everything the customer card shows.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerCard {
    pub customer: CustomerRow,
    pub manager_user: Option<String>,
    pub contacts: Vec<ContactRecord>,
    pub consents: Vec<ConsentRecord>,
    pub tags: Vec<String>,
    pub personal_dates: Vec<PersonalDateRecord>,
    pub notes: Vec<NoteRecord>,
    /// The latest orders first, at most [`CARD_ORDERS`].
    pub orders: Vec<OrderSummary>,
    /// The latest snapshots first, at most [`CARD_SNAPSHOTS`].
    pub snapshots: Vec<CardSnapshot>,
}

/// One order of a customer (its lines summed).
#[derive(Clone, Debug, PartialEq)]
pub struct OrderSummary {
    pub order_ref: String,
    pub day: Day,
    pub lines: i64,
    pub amount: Money,
}

/// One of the customer's snapshot rows.
#[derive(Clone, Debug, PartialEq)]
pub struct CardSnapshot {
    pub as_of: Day,
    pub rung: String,
    pub status: Option<String>,
    pub subgroup: Option<String>,
    pub turn: i64,
    pub orders: i64,
    pub revenue: Money,
    pub profit: Money,
    pub abc: Option<String>,
    pub rfm: Option<String>,
}

/// Orders shown on a card.
pub const CARD_ORDERS: i64 = 50;
/// Snapshots shown on a card.
pub const CARD_SNAPSHOTS: i64 = 12;

// The card's statements. `$1` is the customer id everywhere; `$2` the manager of the scope
// (NULL for everyone) in the first, the list's limit in the last two.
const CUSTOMER_SQL: &str =
    "SELECT c.id, c.external_id, c.kind, c.name, c.preferred_channel, c.manager,
        c.manager_user_id, c.referrer_id, c.image_client, c.created_at, c.erased_at, u.name
 FROM customers c LEFT JOIN users u ON u.id = c.manager_user_id
 WHERE c.id = $1 AND ($2 IS NULL OR c.manager_user_id = $2)";
pub(crate) const CONTACTS_SQL: &str =
    "SELECT channel, value FROM customer_contacts WHERE customer_id = $1 ORDER BY channel, value";
pub(crate) const CONSENTS_SQL: &str =
    "SELECT channel, granted, day, source FROM consents WHERE customer_id = $1 ORDER BY day, id";
pub(crate) const TAGS_SQL: &str =
    "SELECT tag FROM customer_tags WHERE customer_id = $1 ORDER BY tag";
pub(crate) const DATES_SQL: &str = "SELECT label, rule, year, month, day, weekday, nth, offset_days
 FROM personal_dates WHERE customer_id = $1 ORDER BY id";
pub(crate) const NOTES_SQL: &str = "SELECT id, author, author_user_id, created_at, body FROM notes
 WHERE customer_id = $1 ORDER BY created_at, id";
const ORDERS_SQL: &str =
    "SELECT order_ref, MIN(day) AS day, COUNT(*) AS lines, CAST(SUM(amount) AS BIGINT) AS amount
 FROM order_lines WHERE customer_id = $1
 GROUP BY order_ref ORDER BY MIN(day) DESC, order_ref LIMIT $2";
const SNAPSHOTS_SQL: &str =
    "SELECT as_of, rung, status, subgroup, turn, orders, revenue, profit, abc, rfm
 FROM score_snapshots WHERE customer_id = $1 ORDER BY as_of DESC LIMIT $2";

type CustomerColumns = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    bool,
    i64,
    Option<i64>,
    Option<String>,
);
pub(crate) type ContactColumns = (String, String);
pub(crate) type ConsentColumns = (String, bool, i64, String);
pub(crate) type DateColumns = (
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    i64,
);
pub(crate) type NoteColumns = (i64, String, Option<i64>, i64, String);
type OrderColumns = (String, i64, i64, i64);
type SnapshotColumns = (
    i64,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
);

/// The card's rows as read, before conversion; the same for both read paths.
struct CardRows {
    customer: CustomerColumns,
    contacts: Vec<ContactColumns>,
    consents: Vec<ConsentColumns>,
    tags: Vec<String>,
    dates: Vec<DateColumns>,
    notes: Vec<NoteColumns>,
    orders: Vec<OrderColumns>,
    snapshots: Vec<SnapshotColumns>,
}

impl CardRows {
    /// Fails only on a stored personal date whose columns make no rule.
    fn into_card(self) -> Result<CustomerCard> {
        let (
            id,
            external_id,
            kind,
            name,
            preferred_channel,
            manager,
            manager_user_id,
            referrer_id,
            image_client,
            created_at,
            erased_at,
            manager_user,
        ) = self.customer;
        Ok(CustomerCard {
            customer: CustomerRow {
                id,
                external_id,
                kind: CustomerKind::parse(&kind),
                name,
                preferred_channel: preferred_channel.as_deref().and_then(Channel::parse),
                manager,
                manager_user_id,
                referrer_id,
                image_client,
                created_at,
                erased_at,
            },
            manager_user,
            contacts: self
                .contacts
                .into_iter()
                .filter_map(contact_record)
                .collect(),
            consents: self
                .consents
                .into_iter()
                .filter_map(consent_record)
                .collect(),
            tags: self.tags,
            personal_dates: self
                .dates
                .into_iter()
                .map(date_record)
                .collect::<Result<_>>()?,
            notes: self.notes.into_iter().map(note_record).collect(),
            orders: self
                .orders
                .into_iter()
                .map(|(order_ref, day, lines, amount)| OrderSummary {
                    order_ref,
                    day: day_from_db(day),
                    lines,
                    amount: Money::from_units(amount),
                })
                .collect(),
            snapshots: self
                .snapshots
                .into_iter()
                .map(
                    |(as_of, rung, status, subgroup, turn, orders, revenue, profit, abc, rfm)| {
                        CardSnapshot {
                            as_of: day_from_db(as_of),
                            rung,
                            status,
                            subgroup,
                            turn,
                            orders,
                            revenue: Money::from_units(revenue),
                            profit: Money::from_units(profit),
                            abc,
                            rfm,
                        }
                    },
                )
                .collect(),
        })
    }
}

// One row of each list the card shares with the store's own readers (`Store::contacts` and
// the like in `model.rs`), which run the same statements.

/// `None` for a channel this version does not know (skipped, as everywhere else).
pub(crate) fn contact_record((channel, value): ContactColumns) -> Option<ContactRecord> {
    Some(ContactRecord {
        channel: Channel::parse(&channel)?,
        value,
    })
}

/// `None` for a channel this version does not know.
pub(crate) fn consent_record(
    (channel, granted, day, source): ConsentColumns,
) -> Option<ConsentRecord> {
    Some(ConsentRecord {
        channel: Channel::parse(&channel)?,
        granted,
        day: day_from_db(day),
        source,
    })
}

/// Fails on columns that make no rule.
pub(crate) fn date_record(
    (label, rule, year, month, day, weekday, nth, offset): DateColumns,
) -> Result<PersonalDateRecord> {
    let rule = DateRule::from_columns(&rule, year, month, day, weekday, nth, offset)?;
    Ok(PersonalDateRecord { label, rule })
}

pub(crate) fn note_record(
    (id, author, author_user_id, created_at, body): NoteColumns,
) -> NoteRecord {
    NoteRecord {
        id,
        author,
        author_user_id,
        created_at,
        body,
    }
}

fn not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: "customer",
        key: id.to_string(),
    }
}

impl Store {
    /// The customer card through the store's pool (either backend); `NotFound` for a customer
    /// outside `scope`. All of its reads run on one pooled connection, one after the other. The
    /// server reads cards through a [`CardReader`], which takes a faster path on SQLite.
    pub async fn customer_card(&self, scope: Scope, id: i64) -> Result<CustomerCard> {
        let rows: Option<CardRows> = dispatch!(self, pool => {
            let mut conn = pool.acquire().await?;
            let customer: Option<CustomerColumns> = sqlx::query_as(CUSTOMER_SQL)
                .bind(id)
                .bind(scope.manager())
                .fetch_optional(&mut *conn)
                .await?;
            match customer {
                None => None,
                Some(customer) => Some(CardRows {
                    customer,
                    contacts: sqlx::query_as(CONTACTS_SQL).bind(id).fetch_all(&mut *conn).await?,
                    consents: sqlx::query_as(CONSENTS_SQL).bind(id).fetch_all(&mut *conn).await?,
                    tags: sqlx::query_scalar(TAGS_SQL).bind(id).fetch_all(&mut *conn).await?,
                    dates: sqlx::query_as(DATES_SQL).bind(id).fetch_all(&mut *conn).await?,
                    notes: sqlx::query_as(NOTES_SQL).bind(id).fetch_all(&mut *conn).await?,
                    orders: sqlx::query_as(ORDERS_SQL)
                        .bind(id)
                        .bind(CARD_ORDERS)
                        .fetch_all(&mut *conn)
                        .await?,
                    snapshots: sqlx::query_as(SNAPSHOTS_SQL)
                        .bind(id)
                        .bind(CARD_SNAPSHOTS)
                        .fetch_all(&mut *conn)
                        .await?,
                }),
            }
        });
        rows.ok_or_else(|| not_found(id))?.into_card()
    }

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
