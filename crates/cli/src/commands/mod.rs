//! One module per command: each converts its arguments into the settings of a use case of
//! `clientele_app`, runs it, and writes what it answers (progress and notes on standard error,
//! results on standard output or into files).

pub mod analyze;
pub mod assess;
pub mod audit;
pub mod calendar;
pub mod campaign;
#[cfg(feature = "distributed")]
pub mod cluster;
pub mod contacts;
pub mod demo;
#[cfg(feature = "distributed")]
pub mod engine;
#[cfg(feature = "distributed")]
pub mod export;
pub mod feedback;
pub mod generate;
pub mod import;
pub mod models;
pub mod nps_behaviour;
pub mod portfolio;
pub mod queue;
pub mod score;
pub mod serve;
pub mod settings;
pub mod staff;
pub mod surveys;
pub mod transitions;
pub mod users;
pub mod voice;
pub mod winback;
pub mod worklist;
