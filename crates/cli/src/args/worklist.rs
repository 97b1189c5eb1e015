//! `clientele worklist today|lost`: the latest snapshot's work lists, by value at stake.

use clap::{Args, Subcommand, ValueEnum};
use clientele_store::ValueList;

use super::common::DbArgs;

#[derive(Debug, Subcommand)]
pub enum WorklistCommand {
    /// Slipping regulars and advocates, by value at stake (the dashboard's Today page).
    Today(WorklistArgs),
    /// Lost customers, by value at stake (the dashboard's Lost page).
    Lost(WorklistArgs),
}

impl WorklistCommand {
    /// The list to read and its arguments.
    pub fn parts(&self) -> (ValueList, &WorklistArgs) {
        match self {
            WorklistCommand::Today(a) => (ValueList::AtRisk, a),
            WorklistCommand::Lost(a) => (ValueList::Lost, a),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WorklistFormat {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct WorklistArgs {
    /// How many customers to print, from 1 to 10000.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
    /// Customers to skip first (the next page starts at the previous offset + limit).
    #[arg(long, default_value_t = 0)]
    pub offset: u64,
    #[arg(long, value_enum, default_value_t = WorklistFormat::Text)]
    pub format: WorklistFormat,
    #[command(flatten)]
    pub db: DbArgs,
}
