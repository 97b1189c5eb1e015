//! Publishing a staged import, discarding one, and recovering those a crash left behind (see
//! `migrations/sqlite/0030_import_staging.sql` for the tables and why).
//!
//! Every step is a short transaction on the import's own connection: a chunk of
//! [`PUBLISH_CHUNK`] lines creates its new customers and moves its lines into `order_lines`
//! (hidden from readers by `orders::visible_line!` while the import is publishing), and the last
//! one records the counts and deletes the `staged_imports` row, which makes every line of the file
//! visible at once. Publishing is a roll-forward: the file was accepted whole before it began,
//! and moving a line twice changes nothing (lines are identified), so whoever finds an import
//! publishing with no heartbeat — this process or another — finishes it.

use std::time::Duration;

use clientele_core::bounds::MAX_TOTAL_UNITS;
use sqlx::{ConnectOptions, PgConnection, SqliteConnection};

use crate::db::{Store, now};
use crate::error::{Result, StoreError};

/// Lines moved per transaction while publishing (about 30 ms of SQLite's time each).
pub(super) const PUBLISH_CHUNK: i64 = 8192;
/// An import whose heartbeat is older than this many seconds is taken for dead: a staging one is
/// discarded, a publishing one finished by whoever finds it.
pub(super) const STALE_SECONDS: i64 = 120;
/// How often an open import refreshes its heartbeat.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(10);

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

/// An import's own connection, outside the pool.
pub(super) enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Runs the same code on whichever connection an import holds.
macro_rules! on_conn {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::orders::publish::Conn::Sqlite($c) => $body,
            $crate::orders::publish::Conn::Postgres($c) => $body,
        }
    };
}
pub(super) use on_conn;

/// How an import's transactions begin on each backend. On SQLite they take the write lock at
/// `BEGIN IMMEDIATE` (waiting for it under the busy timeout): a deferred transaction that reads
/// first takes a snapshot, and its first write then fails at once with "database is locked" if
/// anyone else (a note, the audit writer, a session) committed meanwhile — the busy timeout does
/// not apply to that upgrade. Found by `benches/card_during_import.rs` in the server crate.
pub(super) trait BeginWrite: sqlx::Connection {
    const BEGIN: &'static str;
}

impl BeginWrite for SqliteConnection {
    const BEGIN: &'static str = "BEGIN IMMEDIATE";
}

impl BeginWrite for PgConnection {
    const BEGIN: &'static str = "BEGIN";
}

/// Begins a writing transaction on an import's connection (see [`BeginWrite`]).
macro_rules! begin_write {
    ($c:expr) => {{
        let begin = $crate::orders::publish::begin_sql(&*$c);
        sqlx::Connection::begin_with(&mut *$c, begin)
    }};
}
pub(super) use begin_write;

/// The `BEGIN` statement of a connection's backend.
pub(super) fn begin_sql<C: BeginWrite>(_: &C) -> &'static str {
    C::BEGIN
}

impl Conn {
    /// A new connection with the pool's options (so the same pragmas on SQLite).
    pub(super) async fn open(store: &Store) -> Result<Conn> {
        Ok(match store {
            Store::Sqlite(pool) => Conn::Sqlite(pool.connect_options().connect().await?),
            Store::Postgres(pool) => Conn::Postgres(pool.connect_options().connect().await?),
        })
    }
}

pub(super) fn abandoned(staged_id: i64) -> StoreError {
    StoreError::invalid(
        "import",
        format!(
            "import {staged_id} was taken for abandoned (no sign of life for {STALE_SECONDS} s) \
             and discarded by another import; nothing of it was kept: import the file again"
        ),
    )
}

/// Fails (returning from the caller) unless the import is still staging (not discarded as
/// stale meanwhile), refreshing its heartbeat; runs inside the caller's transaction.
macro_rules! still_staging {
    ($tx:expr, $staged_id:expr) => {{
        let n = sqlx::query(
            "UPDATE staged_imports SET heartbeat_at = $2 WHERE id = $1 AND state = 'staging'",
        )
        .bind($staged_id)
        .bind($crate::db::now())
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err($crate::orders::publish::abandoned($staged_id));
        }
    }};
}
pub(super) use still_staging;

/// Refreshes the import's heartbeat every [`HEARTBEAT_EVERY`] until aborted (when the import is
/// dropped), so a slow reader is not taken for a crash.
pub(super) fn keep_alive(store: Store, staged_id: i64) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(HEARTBEAT_EVERY).await;
            let sql = "UPDATE staged_imports SET heartbeat_at = $2 WHERE id = $1";
            // A failed refresh is retried at the next beat; two minutes of failures make the
            // import stale, and its next write says so.
            let _ = match &store {
                Store::Sqlite(p) => sqlx::query(sql)
                    .bind(staged_id)
                    .bind(now())
                    .execute(p)
                    .await
                    .map(drop),
                Store::Postgres(p) => sqlx::query(sql)
                    .bind(staged_id)
                    .bind(now())
                    .execute(p)
                    .await
                    .map(drop),
            };
        }
    })
}

/// Starts publishing: checks the store's total of magnitudes and reserves the import's share,
/// creates the `imports` row and marks the import publishing, in one short transaction. From
/// here on the import will be published whatever happens.
pub(super) async fn start(
    conn: &mut Conn,
    staged_id: i64,
    rows: u64,
    rejected: u64,
    magnitude: u128,
) -> Result<()> {
    on_conn!(conn, c => {
        let mut tx = begin_write!(c).await?;
        let total: i64 = sqlx::query_scalar("SELECT line_magnitude FROM store_totals WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        let after = u128::try_from(total).unwrap_or(0) + magnitude;
        if after > MAX_TOTAL_UNITS {
            return Err(StoreError::invalid(
                "amount",
                format!(
                    "the store would hold more than {} in amounts and costs together (the most a \
                     64-bit sum holds): this import is refused so that no total can overflow",
                    i64::MAX / clientele_core::Money::SCALE
                ),
            ));
        }
        let source: Option<String> = sqlx::query_scalar(
            "SELECT source FROM staged_imports WHERE id = $1 AND state = 'staging'",
        )
        .bind(staged_id)
        .fetch_optional(&mut *tx)
        .await?;
        let source = source.ok_or_else(|| abandoned(staged_id))?;
        let at = now();
        let import_id: i64 = sqlx::query_scalar(
            "INSERT INTO imports (file, imported_at, rows, inserted, unchanged, rejected)
             VALUES ($1, $2, $3, 0, 0, $4) RETURNING id",
        )
        .bind(&source)
        .bind(at)
        .bind(rows as i64)
        .bind(rejected as i64)
        .fetch_one(&mut *tx)
        .await?;
        // `after` is at most i64::MAX, so the magnitude fits too.
        let magnitude = magnitude as i64;
        sqlx::query(
            "UPDATE staged_imports SET state = 'publishing', import_id = $2, rows = $3,
                    rejected = $4, magnitude = $5, heartbeat_at = $6
             WHERE id = $1",
        )
        .bind(staged_id)
        .bind(import_id)
        .bind(rows as i64)
        .bind(rejected as i64)
        .bind(magnitude)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE store_totals SET line_magnitude = line_magnitude + $1 WHERE id = 1")
            .bind(magnitude)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    });
    Ok(())
}

/// Moves the staged lines of a publishing import into the store, chunk by chunk, then finishes
/// it; returns what the import did in all (also when another process moved some of it).
pub(super) async fn publish(conn: &mut Conn, staged_id: i64) -> Result<ImportCounts> {
    let sql = "SELECT import_id FROM staged_imports WHERE id = $1 AND state = 'publishing'";
    let import_id: Option<i64> = on_conn!(&mut *conn, c => {
        sqlx::query_scalar(sql).bind(staged_id).fetch_optional(&mut *c).await?.flatten()
    });
    let import_id = import_id.ok_or_else(|| {
        StoreError::invalid("import", format!("import {staged_id} is not publishing"))
    })?;
    while move_chunk(conn, staged_id).await? > 0 {}
    finish(conn, staged_id, import_id).await
}

macro_rules! move_chunk_body {
    ($c:expr, $staged_id:expr) => {{
        let mut tx = begin_write!($c).await?;
        let upper: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(id) FROM (SELECT id FROM import_staging WHERE staged_import_id = $1
                                  ORDER BY id LIMIT $2) AS chunk",
        )
        .bind($staged_id)
        .bind(PUBLISH_CHUNK)
        .fetch_one(&mut *tx)
        .await?;
        let Some(upper) = upper else {
            return Ok(0);
        };
        let import_id: Option<i64> = sqlx::query_scalar(
            "SELECT import_id FROM staged_imports WHERE id = $1 AND state = 'publishing'",
        )
        .bind($staged_id)
        .fetch_optional(&mut *tx)
        .await?
        .flatten();
        let import_id = import_id.ok_or_else(|| {
            StoreError::invalid("import", format!("import {} is not publishing", $staged_id))
        })?;
        let at = now();
        // New customers first, in external-id order, so the lines below find them.
        let new_customers = sqlx::query(
            "INSERT INTO customers (external_id, created_at)
             SELECT DISTINCT customer, $3 FROM import_staging
             WHERE staged_import_id = $1 AND id <= $2
             ORDER BY customer
             ON CONFLICT (external_id) DO NOTHING",
        )
        .bind($staged_id)
        .bind(upper)
        .bind(at)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // In file order: of two lines with the same identity the first is kept.
        let inserted: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "INSERT INTO order_lines (import_id, customer_id, keyed, order_ref, product, is_return,
                                      day, amount, cost, quantity, price, list_price, category,
                                      full_price)
             SELECT $3, c.id, s.keyed, s.order_ref, s.product, s.is_return, s.day, s.amount, s.cost,
                    s.quantity, s.price, s.list_price, s.category, s.full_price
             FROM import_staging s JOIN customers c ON c.external_id = s.customer
             WHERE s.staged_import_id = $1 AND s.id <= $2
             ORDER BY s.id
             ON CONFLICT (customer_id, keyed, order_ref, product, is_return) DO NOTHING
             RETURNING amount, cost",
        )
        .bind($staged_id)
        .bind(upper)
        .bind(import_id)
        .fetch_all(&mut *tx)
        .await?;
        let staged =
            sqlx::query("DELETE FROM import_staging WHERE staged_import_id = $1 AND id <= $2")
                .bind($staged_id)
                .bind(upper)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        let inserted_magnitude: u128 = inserted
            .iter()
            .map(|&(amount, cost)| {
                u128::from(amount.unsigned_abs()) + u128::from(cost.unwrap_or(0).unsigned_abs())
            })
            .sum();
        let inserted = inserted.len() as u64;
        sqlx::query(
            "UPDATE staged_imports SET inserted = inserted + $2, unchanged = unchanged + $3,
                    new_customers = new_customers + $4,
                    inserted_magnitude = inserted_magnitude + $5, heartbeat_at = $6
             WHERE id = $1",
        )
        .bind($staged_id)
        .bind(inserted as i64)
        .bind(staged.saturating_sub(inserted) as i64)
        .bind(new_customers as i64)
        // At most the reserved magnitude, which fits in i64.
        .bind(inserted_magnitude as i64)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(staged)
    }};
}

macro_rules! finish_body {
    ($c:expr, $staged_id:expr, $import_id:expr) => {{
        let mut tx = begin_write!($c).await?;
        type Counts = (i64, i64, i64, i64, i64, Option<i64>);
        let row: Option<Counts> = sqlx::query_as(
            "DELETE FROM staged_imports WHERE id = $1 AND state = 'publishing'
             RETURNING inserted, unchanged, new_customers, magnitude, inserted_magnitude, import_id",
        )
        .bind($staged_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((inserted, unchanged, new_customers, magnitude, inserted_magnitude, _)) = row
        else {
            // Finished meanwhile by another process (which found it stale): the counts are in
            // `imports`; who created which customers is not recorded.
            let (inserted, unchanged): (i64, i64) =
                sqlx::query_as("SELECT inserted, unchanged FROM imports WHERE id = $1")
                    .bind($import_id)
                    .fetch_one(&mut *tx)
                    .await?;
            return Ok(ImportCounts {
                inserted: inserted as u64,
                unchanged: unchanged as u64,
                new_customers: 0,
            });
        };
        sqlx::query("UPDATE imports SET inserted = $2, unchanged = $3 WHERE id = $1")
            .bind($import_id)
            .bind(inserted)
            .bind(unchanged)
            .execute(&mut *tx)
            .await?;
        // Lines already stored were counted in the reservation: give their share back.
        sqlx::query("UPDATE store_totals SET line_magnitude = line_magnitude - $1 WHERE id = 1")
            .bind(magnitude - inserted_magnitude)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(ImportCounts {
            inserted: inserted as u64,
            unchanged: unchanged as u64,
            new_customers: new_customers as u64,
        })
    }};
}

/// Moves one chunk of a publishing import's staged lines into the store; returns how many were
/// staged in it (0: none left).
async fn move_chunk(conn: &mut Conn, staged_id: i64) -> Result<u64> {
    on_conn!(conn, c => move_chunk_body!(c, staged_id))
}

/// Records the import's counts and makes its lines visible, in one short transaction.
async fn finish(conn: &mut Conn, staged_id: i64, import_id: i64) -> Result<ImportCounts> {
    on_conn!(conn, c => finish_body!(c, staged_id, import_id))
}

/// Discards a staging import: deletes its row (so a late write of its owner fails), then its
/// staged lines in short transactions.
pub(super) async fn discard(conn: &mut Conn, staged_id: i64) -> Result<()> {
    on_conn!(conn, c => {
        sqlx::query("DELETE FROM staged_imports WHERE id = $1 AND state = 'staging'")
            .bind(staged_id)
            .execute(&mut *c)
            .await?;
    });
    delete_staged_lines(conn, staged_id).await
}

/// Deletes the staged lines of an import that is no longer registered, a chunk per statement.
async fn delete_staged_lines(conn: &mut Conn, staged_id: i64) -> Result<()> {
    loop {
        let n = on_conn!(conn, c => {
            sqlx::query(
                "DELETE FROM import_staging WHERE id IN (
                     SELECT id FROM import_staging WHERE staged_import_id = $1 ORDER BY id LIMIT $2)",
            )
            .bind(staged_id)
            .bind(PUBLISH_CHUNK)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n == 0 {
            return Ok(());
        }
    }
}

/// Finishes or discards the imports whose heartbeat stopped more than [`STALE_SECONDS`] ago (a
/// crash or `kill -9`): a staging one is discarded, a publishing one finished. Also deletes
/// staged lines whose import is gone. Cheap when there is nothing to do (one small query).
pub(crate) async fn recover(store: &Store) -> Result<()> {
    let stale_before = now() - STALE_SECONDS;
    let sql = "SELECT id, state FROM staged_imports WHERE heartbeat_at < $1";
    let stale: Vec<(i64, String)> = match store {
        Store::Sqlite(p) => sqlx::query_as(sql).bind(stale_before).fetch_all(p).await?,
        Store::Postgres(p) => sqlx::query_as(sql).bind(stale_before).fetch_all(p).await?,
    };
    let orphans_sql = "SELECT DISTINCT staged_import_id FROM import_staging
                       WHERE staged_import_id NOT IN (SELECT id FROM staged_imports)";
    let orphans: Vec<i64> = match store {
        Store::Sqlite(p) => sqlx::query_scalar(orphans_sql).fetch_all(p).await?,
        Store::Postgres(p) => sqlx::query_scalar(orphans_sql).fetch_all(p).await?,
    };
    if stale.is_empty() && orphans.is_empty() {
        return Ok(());
    }
    let mut conn = Conn::open(store).await?;
    for (staged_id, state) in stale {
        // Claim it: only one process finds it stale (the heartbeat is refreshed by the claim).
        let claimed = on_conn!(&mut conn, c => {
            sqlx::query(
                "UPDATE staged_imports SET heartbeat_at = $3 WHERE id = $1 AND heartbeat_at < $2",
            )
            .bind(staged_id)
            .bind(stale_before)
            .bind(now())
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if claimed == 0 {
            continue;
        }
        if state == "publishing" {
            publish(&mut conn, staged_id).await.map(drop)?;
        } else {
            discard(&mut conn, staged_id).await?;
        }
    }
    for staged_id in orphans {
        delete_staged_lines(&mut conn, staged_id).await?;
    }
    Ok(())
}
