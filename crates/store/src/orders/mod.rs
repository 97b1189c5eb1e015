//! Orders: importing order lines file by file (`import.rs`), and the per-customer summaries
//! scoring reads from them (`summaries.rs`).

mod import;
mod summaries;

pub use import::{ImportCounts, ImportTx, NewOrderLine, STREAM_BATCH, StreamError};
pub use summaries::StoredSummaries;
