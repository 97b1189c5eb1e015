//! What an import is asked to do and what it answers: the options, the rows refused with where
//! and why, each file's report, the summarised import, and the errors that stop one.

use std::io;
use std::path::{Path, PathBuf};

use clientele_core::{CustomerSummary, Day, DayAmounts, RowRef};

use crate::limits::ImportLimits;
use crate::sniff::SniffOverrides;
use crate::xlsx::XlsxError;

use super::fault::InputFault;

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
    /// What one file may cost to read (line length, decompression, spreadsheet size).
    pub limits: ImportLimits,
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
    /// A gzip file whose stream stops before its end: cut short in a download or a copy.
    #[error(
        "{path}: the gzip stream ends early: the file is cut short (an incomplete download or copy?)"
    )]
    TruncatedGzip { path: PathBuf },
    /// A line longer than [`ImportLimits::max_line_bytes`].
    #[error(
        "{path}, line {line}: the line is longer than {limit} bytes, the longest read (a quote left open, or not an export?)"
    )]
    LineTooLong {
        path: PathBuf,
        line: u64,
        limit: usize,
    },
    /// A file beyond one of the [`ImportLimits`] (the message names the bound).
    #[error("{path}: {message}")]
    TooCostly { path: PathBuf, message: String },
    /// The accepted amounts and costs add up beyond what sums can hold
    /// ([`clientele_core::bounds::MAX_TOTAL_UNITS`]).
    #[error(
        "the amounts and costs accepted add up to more than 922,337,203,685,477 in absolute value, more than Clientele's sums can hold; are ids read as amounts?"
    )]
    TotalTooLarge,
}

impl ImportError {
    /// What is wrong with the file itself, without the file's path, for the errors that are the
    /// file's fault rather than the system's (an upload answers these with 422 and this text,
    /// never with the server's temporary path); `None` for I/O failures.
    pub fn file_fault(&self) -> Option<String> {
        Some(match self {
            ImportError::Io { .. } => return None,
            ImportError::Format { message, .. } | ImportError::TooCostly { message, .. } => {
                message.clone()
            }
            ImportError::Strict {
                line,
                column,
                reason,
                count,
                ..
            } => format!(
                "line {line}, column '{column}': {reason}; strict refuses the whole import ({count} bad row(s) in all)"
            ),
            ImportError::TruncatedGzip { .. } => {
                "the gzip stream ends early: the file is cut short (an incomplete download or copy?)"
                    .into()
            }
            ImportError::LineTooLong { line, limit, .. } => format!(
                "line {line}: the line is longer than {limit} bytes, the longest read (a quote left open, or not an export?)"
            ),
            other @ (ImportError::NoOrders
            | ImportError::TooManyFiles { .. }
            | ImportError::TotalTooLarge) => other.to_string(),
        })
    }
}

/// Turns a failure to read the workbook at `path` into the import's error: a bound refused is
/// [`ImportError::TooCostly`], anything else a format the reader cannot read.
pub(crate) fn xlsx_err(path: &Path) -> impl FnOnce(XlsxError) -> ImportError + '_ {
    move |e| match e {
        XlsxError::TooCostly(message) => ImportError::TooCostly {
            path: path.to_path_buf(),
            message,
        },
        other => ImportError::Format {
            path: path.to_path_buf(),
            message: other.to_string(),
        },
    }
}

/// Turns an I/O failure while reading `path` into the import's error: a fault of the file found
/// while reading it (an [`InputFault`]) becomes its own variant, anything else stays I/O.
pub(crate) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ImportError + '_ {
    move |source| {
        let path = path.to_path_buf();
        match InputFault::of(&source) {
            Some(InputFault::TruncatedGzip) => ImportError::TruncatedGzip { path },
            Some(InputFault::LineTooLong { line, limit }) => ImportError::LineTooLong {
                path,
                line: *line,
                limit: *limit,
            },
            Some(InputFault::TooCostly(message)) => ImportError::TooCostly {
                path,
                message: message.clone(),
            },
            Some(fault @ (InputFault::CorruptGzip(_) | InputFault::MalformedUtf16 { .. })) => {
                ImportError::Format {
                    path,
                    message: fault.to_string(),
                }
            }
            None => ImportError::Io { path, source },
        }
    }
}
