//! The audit writer (issue 23, item 3): a view is recorded without ever waiting for, or failing
//! on, the database's write lock. [`AuditLog::record`] stamps the entry and puts it in a bounded
//! in-memory queue, and returns at once; one writer task takes whatever has queued up (at most
//! [`MAX_BATCH`] entries) and appends it in one transaction — on SQLite through the store's own
//! writer thread and connection ([`clientele_store::SqliteAuditWriter`]), on PostgreSQL through
//! the pool. A batch that fails (the file locked by a long import, the database restarting) is
//! retried with growing pauses until it is written; entries keep queueing meanwhile.
//!
//! Nothing is lost silently. When the queue is full (the database has been unwritable for a long
//! time), the entry is written to the server's log at error level, with everything it holds, and
//! counted ([`AuditLog::not_recorded`], shown by `GET /api/health`). On shutdown
//! ([`AuditLog::shut_down`]) the queue is closed and flushed; what still cannot be written after
//! [`SHUTDOWN_RETRY`] goes to the log the same way. [`AuditLog::flush`] waits until every entry
//! recorded before it is committed (tests read the log after a view with it).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use clientele_store::{NewAuditEntry, SqliteAuditWriter, Store, StoreError};
use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::task::JoinHandle;

/// Entries written in one transaction at most.
pub const MAX_BATCH: usize = 1000;

/// The first pause after a failed batch; it doubles up to [`MAX_RETRY_PAUSE`].
const FIRST_RETRY_PAUSE: Duration = Duration::from_millis(50);
const MAX_RETRY_PAUSE: Duration = Duration::from_secs(5);

/// How long the writer keeps retrying once the server is shutting down, before it writes what
/// is left to the log.
pub const SHUTDOWN_RETRY: Duration = Duration::from_secs(10);

/// What the queue carries.
#[derive(Debug)]
enum Message {
    Entry(NewAuditEntry),
    /// Answered once every entry queued before it is committed (or given up on at shutdown).
    Flush(oneshot::Sender<()>),
    /// Close the queue, write what is in it, and stop.
    ShutDown,
}

/// Where the writer appends.
#[derive(Clone, Debug)]
enum Sink {
    Thread(SqliteAuditWriter),
    Pool(Store),
}

impl Sink {
    async fn append(&self, entries: &[NewAuditEntry]) -> Result<(), StoreError> {
        match self {
            Sink::Thread(writer) => writer.append(entries.to_vec()).await,
            Sink::Pool(store) => store.audit_batch(entries).await,
        }
    }
}

/// A handle to the audit writer (cheap to clone).
#[derive(Clone, Debug)]
pub struct AuditLog {
    queue: mpsc::Sender<Message>,
    counters: Arc<Counters>,
    writer: Arc<Mutex<Option<JoinHandle<()>>>>,
}

#[derive(Debug, Default)]
struct Counters {
    /// Entries written to the server's log instead of the database.
    not_recorded: AtomicU64,
    /// Batches that failed and were retried.
    retries: AtomicU64,
}

/// Unix seconds now.
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Writes an entry that did not reach the database to the server's log, and counts it.
fn log_not_recorded(counters: &Counters, entry: &NewAuditEntry, why: &str) {
    counters.not_recorded.fetch_add(1, Ordering::Relaxed);
    tracing::error!(
        at = entry.at,
        actor = %entry.actor,
        action = %entry.action,
        customer_id = ?entry.customer_id,
        detail = %entry.detail,
        "audit entry not recorded in the database ({why}); this log line is its record"
    );
}

impl AuditLog {
    /// Starts the writer task on the current runtime, with a queue of `capacity` entries.
    pub fn start(store: Store, capacity: usize) -> Result<AuditLog, StoreError> {
        let sink = match store.sqlite_audit_writer()? {
            Some(writer) => Sink::Thread(writer),
            None => Sink::Pool(store),
        };
        let (queue, rx) = mpsc::channel::<Message>(capacity.max(1));
        let counters = Arc::new(Counters::default());
        let writer = tokio::spawn(write_queue(sink, rx, Arc::clone(&counters)));
        Ok(AuditLog {
            queue,
            counters,
            writer: Arc::new(Mutex::new(Some(writer))),
        })
    }

    /// Records an entry, stamped now: queued for the writer, never waiting for the database.
    /// When the queue is full or closed, the entry goes to the server's log and is counted.
    pub fn record(&self, actor: &str, action: &str, customer_id: Option<i64>, detail: &str) {
        let entry = NewAuditEntry {
            at: unix_now(),
            actor: actor.to_string(),
            action: action.to_string(),
            customer_id,
            detail: detail.to_string(),
        };
        match self.queue.try_send(Message::Entry(entry)) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(Message::Entry(entry))) => {
                log_not_recorded(&self.counters, &entry, "the audit queue is full");
            }
            Err(mpsc::error::TrySendError::Closed(Message::Entry(entry))) => {
                log_not_recorded(&self.counters, &entry, "the server is shutting down");
            }
            Err(_) => unreachable!("only entries are sent here"),
        }
    }

    /// Waits until every entry recorded before this call is committed (or, at shutdown, given
    /// up on and logged).
    pub async fn flush(&self) {
        let (done, flushed) = oneshot::channel();
        if self.queue.send(Message::Flush(done)).await.is_ok() {
            let _ = flushed.await;
        }
    }

    /// Closes the queue, writes what is in it (retrying for at most [`SHUTDOWN_RETRY`], then
    /// logging the rest) and waits for the writer to stop. Entries recorded afterwards go to the
    /// log. Calling it again does nothing.
    pub async fn shut_down(&self) {
        let Some(writer) = self.writer.lock().await.take() else {
            return;
        };
        let _ = self.queue.send(Message::ShutDown).await;
        if let Err(e) = writer.await {
            tracing::error!(error = %e, "the audit writer failed");
        }
    }

    /// Entries that went to the server's log instead of the database since the start.
    pub fn not_recorded(&self) -> u64 {
        self.counters.not_recorded.load(Ordering::Relaxed)
    }

    /// Failed batches that were retried since the start.
    pub fn retries(&self) -> u64 {
        self.counters.retries.load(Ordering::Relaxed)
    }

    /// Entries (and flush marks) waiting in the queue.
    pub fn queued(&self) -> usize {
        self.queue.max_capacity() - self.queue.capacity()
    }
}

/// The writer task: takes what has queued up, writes it (retrying), answers the flushes.
async fn write_queue(sink: Sink, mut rx: mpsc::Receiver<Message>, counters: Arc<Counters>) {
    let mut messages: Vec<Message> = Vec::with_capacity(MAX_BATCH);
    let mut entries: Vec<NewAuditEntry> = Vec::with_capacity(MAX_BATCH);
    let mut flushes: Vec<oneshot::Sender<()>> = Vec::new();
    let mut shutting_down: Option<Instant> = None;
    while rx.recv_many(&mut messages, MAX_BATCH).await > 0 {
        for message in messages.drain(..) {
            match message {
                Message::Entry(e) => entries.push(e),
                Message::Flush(done) => flushes.push(done),
                Message::ShutDown => {
                    // No new messages; those already queued are still received.
                    rx.close();
                    shutting_down.get_or_insert_with(Instant::now);
                }
            }
        }
        write_with_retries(&sink, &entries, &counters, shutting_down).await;
        entries.clear();
        for done in flushes.drain(..) {
            let _ = done.send(());
        }
    }
}

/// Appends `entries`, retrying with growing pauses until they are written; once shutting down,
/// for at most [`SHUTDOWN_RETRY`] from the signal, then they go to the log.
async fn write_with_retries(
    sink: &Sink,
    entries: &[NewAuditEntry],
    counters: &Counters,
    shutting_down: Option<Instant>,
) {
    if entries.is_empty() {
        return;
    }
    let mut pause = FIRST_RETRY_PAUSE;
    let mut attempts = 0u32;
    loop {
        let error = match sink.append(entries).await {
            Ok(()) => {
                if attempts > 0 {
                    tracing::info!(
                        entries = entries.len(),
                        attempts = attempts + 1,
                        "audit entries written after retrying"
                    );
                }
                return;
            }
            Err(e) => e,
        };
        attempts += 1;
        counters.retries.fetch_add(1, Ordering::Relaxed);
        if let Some(since) = shutting_down
            && since.elapsed() >= SHUTDOWN_RETRY
        {
            let why = format!("shutting down, and writing failed: {error}");
            for entry in entries {
                log_not_recorded(counters, entry, &why);
            }
            return;
        }
        // The first failures are expected under a long write (an import): say so quietly.
        if attempts < 5 {
            tracing::debug!(error = %error, entries = entries.len(), "audit batch not written yet; retrying");
        } else {
            tracing::warn!(error = %error, entries = entries.len(), attempts, "audit batch still not written; retrying");
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_RETRY_PAUSE);
    }
}
