//! The audit log's writer on SQLite: one thread owning a read-write rusqlite connection takes
//! audit entries from a queue and appends whatever has arrived in one transaction, with one
//! prepared single-row `INSERT` executed per entry (no statement text built per batch size, so
//! nothing is parsed after the first batch), then tells each sender its entry is committed.
//! Through the sqlx pool the same batch cost three hand-offs to the connection's worker thread.

use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::log::NewAuditEntry;
use crate::db::{Store, now};
use crate::error::{Result, StoreError};

/// Entries written in one transaction at most.
const MAX_BATCH: usize = 1000;

type Job = (NewAuditEntry, oneshot::Sender<Result<(), String>>);

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
                let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
                while let Ok(first) = queue.recv() {
                    batch.push(first);
                    while batch.len() < MAX_BATCH {
                        match queue.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    let written = append(&conn, &batch).map_err(|e| e.to_string());
                    for (_, done) in batch.drain(..) {
                        let _ = done.send(written.clone());
                    }
                }
            })
            .map_err(|e| StoreError::SqliteDirect(format!("starting the audit writer: {e}")))?;
        Ok(SqliteAuditWriter { jobs })
    }

    /// Appends `entry` (stamped when its batch is written) and waits until it is committed.
    pub async fn record(&self, entry: NewAuditEntry) -> Result<()> {
        let stopped = || StoreError::SqliteDirect("the audit writer has stopped".into());
        let (done, committed) = oneshot::channel();
        self.jobs.send((entry, done)).map_err(|_| stopped())?;
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
    // As the pool's connections: wait for other writers, WAL + NORMAL, foreign keys checked.
    conn.busy_timeout(Duration::from_secs(30))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(conn)
}

/// Writes the batch in one transaction; on failure nothing of it stays.
fn append(conn: &rusqlite::Connection, batch: &[Job]) -> rusqlite::Result<()> {
    conn.prepare_cached("BEGIN IMMEDIATE")?.execute([])?;
    let at = now();
    let written = (|| {
        let mut insert = conn.prepare_cached(
            "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, $3, $4, $5)",
        )?;
        for (e, _) in batch {
            insert.execute(rusqlite::params![
                at,
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
