//! Reads real-world order and customer exports into Clientele's records.
//!
//! The modules here work out how a file is written (container, encoding, layout, header, columns,
//! date and number formats) from a sample, and parse its fields exactly; the streaming pipeline
//! applies them to every row.

pub mod columns;
pub mod consents;
mod customer_table;
pub mod customers;
pub mod encoding;
pub mod feedback;
#[doc(hidden)]
pub mod fuzzing;
pub mod layout;
pub mod limits;
pub mod pipeline;
pub mod products;
mod records;
pub use records::matching_bytes;
pub mod rows;
pub mod small_table;
pub mod sniff;
pub mod summary_file;
pub mod survey_answers;
pub mod values;
pub mod xlsx;
