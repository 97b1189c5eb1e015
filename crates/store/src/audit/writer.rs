//! The audit log's writer on SQLite: one thread owning a read-write rusqlite connection appends
//! the batches it is handed, each in one transaction, with one prepared single-row `INSERT`
//! executed per entry (no statement text built per batch size, so nothing is parsed after the
//! first batch), and tells the sender whether the batch is committed. Through the sqlx pool the
//! same batch cost three hand-offs to the connection's worker thread. Buffering, retrying and
//! flushing are the caller's (the server's `audit` module).

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::log::NewAuditEntry;
use crate::db::Store;
use crate::error::{Result, StoreError};

type Job = (Vec<NewAuditEntry>, oneshot::Sender<Result<(), String>>);

/// A handle to the SQLite audit writer thread; the thread ends when the last handle is dropped.
#[derive(Clone, Debug)]
pub struct SqliteAuditWriter {
    jobs: mpsc::Sender<Job>,
}

impl Store {
    /// A writer thread for the audit log on a SQLite store; `None` on PostgreSQL (append there
    /// with [`Store::audit_batch`]).
    pub fn sqlite_audit_writer(&self) -> Result<Option<SqliteAuditWriter>> {
        match self {
            Store::Sqlite(pool) => {
                let options = pool.connect_options();
                SqliteAuditWriter::start(options.get_filename()).map(Some)
            }
            Store::Postgres(_) => Ok(None),
        }
    }
}

impl SqliteAuditWriter {
    fn start(path: &Path) -> Result<SqliteAuditWriter> {
        let conn = open_writer(path).map_err(|e| {
            StoreError::SqliteDirect(format!("opening {} for the audit log: {e}", path.display()))
        })?;
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || {
                while let Ok((batch, done)) = queue.recv() {
                    let _ = done.send(append(&conn, &batch).map_err(|e| e.to_string()));
                }
            })
            .map_err(|e| StoreError::SqliteDirect(format!("starting the audit writer: {e}")))?;
        Ok(SqliteAuditWriter { jobs })
    }

    /// Appends `entries` (each stamped with its own `at`) in one transaction and waits until
    /// they are committed; on failure none of them is.
    pub async fn append(&self, entries: Vec<NewAuditEntry>) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let stopped = || StoreError::SqliteDirect("the audit writer has stopped".into());
        let (done, committed) = oneshot::channel();
        self.jobs.send((entries, done)).map_err(|_| stopped())?;
        committed
            .await
            .map_err(|_| stopped())?
            .map_err(|e| StoreError::SqliteDirect(format!("writing the audit log: {e}")))
    }
}

fn open_writer(path: &Path) -> rusqlite::Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // As the pool's connections: WAL + NORMAL, foreign keys checked, deleted content zeroed.
    // A short wait for the write lock: a batch that cannot get it fails and is retried by the
    // caller while new entries queue up, rather than holding the thread for long.
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    Ok(conn)
}

/// Writes the batch in one transaction; on failure nothing of it stays.
fn append(conn: &rusqlite::Connection, batch: &[NewAuditEntry]) -> rusqlite::Result<()> {
    conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
    let written = (|| {
        let mut insert = conn.prepare_cached(
            "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, $3, $4, $5)",
        )?;
        for e in batch {
            insert.execute(rusqlite::params![
                e.at,
                e.actor,
                e.action,
                e.customer_id,
                e.detail
            ])?;
        }
        conn.prepare_cached("COMMIT")?.execute([])?;
        Ok(())
    })();
    if written.is_err() && !conn.is_autocommit() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    written
}
