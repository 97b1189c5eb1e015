//! The audit log: who viewed, changed, exported or erased which customer. Entries are appended
//! through the pool (`log.rs`) or, on SQLite, by a writer thread that batches them (`writer.rs`).

mod log;
mod writer;

pub use log::{AuditEntry, NewAuditEntry};
pub use writer::SqliteAuditWriter;
