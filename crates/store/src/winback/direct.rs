//! The queue's two reads over every customer on a SQLite file — the snapshot's rows and the
//! (customer, category) pairs of the cross-category model — through a read-only rusqlite
//! connection of their own on a blocking thread. sqlx-sqlite hands each row from its worker
//! thread to the async side through a channel, a wake-up per row: at 1M rows that hand-off, not
//! SQLite, was most of the queue's time (BENCHMARKS.md, "The daily queue"). The statements are
//! the same text the pooled path runs, so both paths read the same rows. An in-memory database
//! (no file to open twice) and PostgreSQL take the pooled path.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::OpenFlags;

use crate::db::Store;
use crate::error::{Result, StoreError};

/// The file of a SQLite store, when it has one another connection can open.
pub(super) fn sqlite_file(store: &Store) -> Option<PathBuf> {
    match store {
        Store::Sqlite(pool) => {
            let path = pool.connect_options().get_filename().to_path_buf();
            path.is_file().then_some(path)
        }
        Store::Postgres(_) => None,
    }
}

fn direct_error(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::SqliteDirect(format!("reading {}: {e}", path.display()))
}

/// Runs `sql` with `params` on a fresh read-only connection to `path` in one read transaction,
/// mapping each row with `row` and collecting them, on a blocking thread.
pub(super) async fn read_all<T, F>(
    path: PathBuf,
    sql: &'static str,
    params: Vec<rusqlite::types::Value>,
    row: F,
) -> Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(&rusqlite::Row<'_>) -> rusqlite::Result<T> + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| direct_error(&path, e))?;
        // Writers (imports, the audit log) hold the lock briefly; wait as the pool does.
        conn.busy_timeout(Duration::from_secs(30))
            .map_err(|e| direct_error(&path, e))?;
        let mut stmt = conn.prepare(sql).map_err(|e| direct_error(&path, e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), row)
            .map_err(|e| direct_error(&path, e))?;
        rows.collect::<rusqlite::Result<Vec<T>>>()
            .map_err(|e| direct_error(&path, e))
    })
    .await
    .map_err(|e| StoreError::SqliteDirect(format!("the reading thread failed: {e}")))?
}
