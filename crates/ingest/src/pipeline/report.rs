//! What an import is asked to do and what it answers: the options, the rows refused with where
//! and why, each file's report, the summarised import, and the errors that stop one.

use std::io;
use std::path::{Path, PathBuf};

use clientele_core::{CustomerSummary, Day, DayAmounts, RowRef};

use crate::sniff::SniffOverrides;

/// What the caller decides about an import.
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub overrides: SniffOverrides,
    /// Refuse the whole import on the first bad row instead of writing rejects aside.
    pub strict: bool,
    /// Ignore orders after this day; `None` means the last order day in the data.
    pub as_of: Option<Day>,
    /// Whether the summaries keep the amount of every purchase day (a calibration period that
    /// ends before the as-of day needs them; nothing else does).
    pub day_amounts: DayAmounts,
}

/// A row that was not imported, with where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reject {
    pub file: PathBuf,
    pub row: RowRef,
    /// The column (header name or 1-based position) at fault, or empty for the whole row.
    pub column: String,
    pub reason: String,
    pub raw: String,
}

/// What happened to one input file.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    pub path: PathBuf,
    /// How the format was understood, in short sentences.
    pub notes: Vec<String>,
    /// The order id column as the file names it: duplicates (lines exported twice) are
    /// reported in it.
    pub order_id_column: String,
    pub rows: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub duplicates: u64,
    pub after_as_of: u64,
    pub returns: u64,
}

/// The result of importing order files.
#[derive(Debug)]
pub struct OrderImport {
    /// Customers by id, ascending.
    pub customers: Vec<(Box<str>, CustomerSummary)>,
    pub categories: Vec<String>,
    pub rejects: Vec<Reject>,
    pub files: Vec<FileReport>,
    pub as_of: Day,
    pub first_day: Option<Day>,
    pub last_day: Option<Day>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path}: {message}")]
    Format { path: PathBuf, message: String },
    #[error(
        "{path}, line {line}, column '{column}': {reason}; --strict refuses the whole import ({count} bad row(s) in all)"
    )]
    Strict {
        path: PathBuf,
        line: u64,
        column: String,
        reason: String,
        count: usize,
    },
    #[error("no orders were imported: every row was rejected or empty")]
    NoOrders,
    #[error("{count} order files in one import; at most {max} are supported (join them first)")]
    TooManyFiles { count: usize, max: usize },
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ImportError + '_ {
    move |source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    }
}
