//! Orders: importing order lines file by file (`import.rs`: staged in short transactions;
//! `publish.rs`: made visible at once, and what a crash left finished or discarded), and the
//! per-customer summaries scoring reads from them (`summaries.rs`), and the lines themselves for
//! an export (`lines.rs`).

mod import;
mod lines;
mod publish;
mod summaries;

pub use import::{ImportTx, NewOrderLine, STREAM_BATCH, StreamError};
pub use lines::StoredLine;
pub use publish::ImportCounts;
pub use summaries::StoredSummaries;

/// The condition every read of `order_lines` (aliased `l`) adds: the lines of an import that is
/// still being published are not read yet, so a reader sees all of a file or none of it.
/// Uncorrelated, so both databases evaluate the subquery once (it is empty but for the seconds an
/// import publishes).
/// A macro so that query texts can `concat!` it.
macro_rules! visible_line {
    () => {
        "COALESCE(l.import_id, 0) NOT IN \
         (SELECT import_id FROM staged_imports WHERE import_id IS NOT NULL)"
    };
}
pub(crate) use visible_line;
