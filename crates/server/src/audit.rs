//! The audit writer: one task appends the audit entries of card views, so concurrent requests
//! never contend for the database's write lock (SQLite lets one writer in at a time, and a
//! waiting writer sleeps). Entries that arrive while a batch is being written go into the next
//! batch, one transaction each. A request waits until its entry is committed, so an answered
//! view is always on record.

use clientele_store::{NewAuditEntry, Store};
use tokio::sync::{mpsc, oneshot};

use crate::error::ApiError;

type Job = (NewAuditEntry, oneshot::Sender<Result<(), String>>);

/// A handle to the audit writer task.
#[derive(Clone, Debug)]
pub struct AuditLog {
    tx: mpsc::Sender<Job>,
}

/// Entries written in one transaction at most.
const MAX_BATCH: usize = 1000;

impl AuditLog {
    /// Starts the writer task on the current runtime.
    pub fn start(store: Store) -> AuditLog {
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
        AuditLog { tx }
    }

    /// Records an entry and waits until it is committed.
    pub async fn record(
        &self,
        actor: &str,
        action: &str,
        customer_id: Option<i64>,
        detail: &str,
    ) -> Result<(), ApiError> {
        let (done, committed) = oneshot::channel();
        let entry = NewAuditEntry {
            actor: actor.to_string(),
            action: action.to_string(),
            customer_id,
            detail: detail.to_string(),
        };
        self.tx
            .send((entry, done))
            .await
            .map_err(|_| ApiError::Internal("the audit writer has stopped".into()))?;
        committed
            .await
            .map_err(|_| ApiError::Internal("the audit writer has stopped".into()))?
            .map_err(|e| ApiError::Internal(format!("writing the audit log: {e}")))
    }
}
