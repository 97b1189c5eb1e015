//! One module per command: each converts its arguments into the settings of a use case of
//! `clientele_app`, runs it, and writes what it answers (progress and notes on standard error,
//! results on standard output or into files).

pub mod analyze;
pub mod demo;
pub mod generate;
pub mod import;
pub mod models;
pub mod score;
pub mod serve;
pub mod settings;
pub mod transitions;
pub mod users;
