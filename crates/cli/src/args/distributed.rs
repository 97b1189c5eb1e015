//! The arguments of the `distributed` feature's commands: `clientele cluster scheduler|executor`
//! (Ballista nodes with Clientele's functions) and `clientele export parquet`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use clientele_engine::cluster::{ExecutorArgs, SchedulerArgs};

use super::common::{DbArgs, ImportFlags};

/// `clientele cluster …`.
#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Run a Ballista scheduler that knows Clientele's functions; prints its URL for --engine.
    Scheduler(SchedulerArgs),
    /// Run a Ballista executor with Clientele's functions for a scheduler.
    Executor(ExecutorArgs),
}

/// `clientele export …`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Convert order exports into one Parquet file of order lines (the engine's input): every
    /// accepted row as `analyze` parses it, money exact to four places.
    Parquet(ExportParquetArgs),
}

#[derive(Debug, Args)]
pub struct ExportParquetArgs {
    /// Order exports, read as `clientele analyze` reads them.
    #[arg(required_unless_present = "from_store", value_name = "ORDERS")]
    pub orders: Vec<PathBuf>,
    /// Export the order lines in the store (--db) instead of files: every line imported there,
    /// with its customer's id.
    #[arg(long, conflicts_with_all = ["orders", "rejects", "map", "date_format", "decimal", "strict", "as_of"])]
    pub from_store: bool,
    #[command(flatten)]
    pub db: DbArgs,
    /// The Parquet file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Write rejected rows (line, column, reason, raw, file) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    #[command(flatten)]
    pub import: ImportFlags,
}
