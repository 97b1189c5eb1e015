//! What the reports of `analyze` are written from.

use clientele_app::ModelOutcome;
use clientele_core::Analysis;
use clientele_ingest::pipeline::{FileReport, Reject};

/// The analysis plus what the import saw, as the reports need it.
pub struct ReportInput<'a> {
    pub analysis: &'a Analysis,
    pub files: &'a [FileReport],
    pub rejects: &'a [Reject],
    pub categories: &'a [String],
    /// Where the CSV files went, if anywhere.
    pub out_dir: Option<&'a std::path::Path>,
    /// The customer-base model behind the forecasts.
    pub model: &'a ModelOutcome,
    pub horizon_days: u32,
}
