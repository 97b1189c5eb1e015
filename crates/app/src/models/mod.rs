//! The `models` use cases: customer-base models fitted on a summary file or on order exports
//! (`fit`, with a holdout validation when the data are split at a calibration end), customers
//! scored with them (`score`), and the summary they are fitted on (`summary`: the import cut at
//! the calibration end; writing it is the caller's).

mod data;
mod fit;
mod holdout;
mod scores;
mod settings;

pub use data::{ImportCut, ModelData, import_cut, load};
pub use fit::{FitOutcome, fit, spend_rows, weighted_triples};
pub use holdout::{
    FREQUENCY_GROUPS, FrequencyGroup, FrequencyRecencyMatrix, Holdout, HoldoutCustomer,
    HoldoutDetails, PeriodTransactions, SIMULATION_DRAWS, Tracking, group_label,
    simulate_repeat_purchases,
};
pub use scores::{
    CustomerScore, PatternScore, Scorer, ScoringFits, TransactionScores, ValueScore,
    fit_for_scores, score,
};
pub use settings::{ForecastHorizon, Model, ModelSettings, ModelSource, TimeUnit};
