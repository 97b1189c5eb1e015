//! The audit writer: one writer appends the audit entries of card views, so concurrent requests
//! never contend for the database's write lock (SQLite lets one writer in at a time, and a
//! waiting writer sleeps). Entries that arrive while a batch is being written go into the next
//! batch, one transaction each. A request waits until its entry is committed, so an answered
//! view is always on record. On SQLite the writer is the store's own thread and connection
//! ([`clientele_store::SqliteAuditWriter`]); on PostgreSQL a task writing through the pool.

use clientele_store::{NewAuditEntry, SqliteAuditWriter, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

use crate::error::ApiError;

type Job = (NewAuditEntry, oneshot::Sender<Result<(), String>>);

/// A handle to the audit writer.
#[derive(Clone, Debug)]
pub enum AuditLog {
    /// SQLite: the store's writer thread.
    Thread(SqliteAuditWriter),
    /// PostgreSQL: a task appending batches through the pool.
    Task(mpsc::Sender<Job>),
}

/// Entries written in one transaction at most.
const MAX_BATCH: usize = 1000;

impl AuditLog {
    /// Starts the writer: a thread on SQLite, else a task on the current runtime.
    pub fn start(store: Store) -> Result<AuditLog, StoreError> {
        if let Some(writer) = store.sqlite_audit_writer()? {
            return Ok(AuditLog::Thread(writer));
        }
        let (tx, mut rx) = mpsc::channel::<Job>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let entries: Vec<NewAuditEntry> = batch.iter().map(|(e, _)| e.clone()).collect();
                let result = store.audit_batch(&entries).await.map_err(|e| e.to_string());
                for (_, done) in batch.drain(..) {
                    let _ = done.send(result.clone());
                }
            }
        });
        Ok(AuditLog::Task(tx))
    }

    /// Records an entry and waits until it is committed.
    pub async fn record(
        &self,
        actor: &str,
        action: &str,
        customer_id: Option<i64>,
        detail: &str,
    ) -> Result<(), ApiError> {
        let entry = NewAuditEntry {
            actor: actor.to_string(),
            action: action.to_string(),
            customer_id,
            detail: detail.to_string(),
        };
        let tx = match self {
            AuditLog::Thread(writer) => return Ok(writer.record(entry).await?),
            AuditLog::Task(tx) => tx,
        };
        let (done, committed) = oneshot::channel();
        tx.send((entry, done))
            .await
            .map_err(|_| ApiError::Internal("the audit writer has stopped".into()))?;
        committed
            .await
            .map_err(|_| ApiError::Internal("the audit writer has stopped".into()))?
            .map_err(|e| ApiError::Internal(format!("writing the audit log: {e}")))
    }
}
