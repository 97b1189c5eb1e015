//! Everything the commands write: `analyze`'s terminal report, JSON report and CSV files, the
//! JSON of a model fit, and the numbers of tables a person reads.
//!
//! Domain types stay free of serialisation; this module owns the output formats and converts
//! explicitly. Column names of `customers.csv` and keys of the JSON reports are an interface that
//! scripts depend on: add, never rename.

mod csv_out;
mod fit_json;
mod input;
mod json;
mod notes;
mod numbers;
mod text;

pub use csv_out::{
    push_csv_text, push_fixed, write_alerts_csv, write_customers_csv, write_rejects_csv,
};
pub use fit_json::{holdout_json, report_json};
pub use input::ReportInput;
pub use json::json_report;
pub use numbers::group_digits;
pub use text::text_report;
