//! The audit log: who viewed, changed, exported or erased which customer. Entries are appended
//! through the pool (`log.rs`) or, on SQLite, by a writer thread that batches them (`writer.rs`),
//! and read back by an admin with filters and pages (`query.rs`).

mod log;
mod query;
mod writer;

pub use log::{AuditEntry, NewAuditEntry};
pub use query::{AuditFilter, AuditPage, AuditRecord, read_action};
pub use writer::SqliteAuditWriter;
