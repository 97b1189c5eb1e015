//! Importing order exports (and a customers file) into the store.
//!
//! Each order file is one transaction: its rows are parsed by `clientele_ingest::rows` on one
//! thread and written in batches on another, and committed only when the whole file is in, so a
//! crash or `kill -9` half-way leaves the store as it was. Lines are identified by customer,
//! order id, product and return flag, so importing a file again changes nothing. The command
//! line imports files from disk; the server imports an upload saved to a temporary file: both
//! through [`import_file`].

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use clientele_core::RowRef;
use clientele_ingest::customers::read_customers;
use clientele_ingest::pipeline::{FileReport, ImportError, ImportOptions, Reject};
use clientele_store::{ImportCounts, Store, StoreError, StreamError, erased_reason};

use crate::clock::today;

/// What to import.
#[derive(Clone, Debug, Default)]
pub struct ImportSettings {
    /// Order exports, each imported in its own transaction, in this order.
    pub orders: Vec<PathBuf>,
    /// A customers file: names, managers, referrers, image clients, birthdays, NPS, last touches.
    pub customers: Option<PathBuf>,
    /// How the files are read; with `strict`, a file with any bad row is refused whole (and the
    /// import stops there).
    pub options: ImportOptions,
}

/// One order file imported and committed.
#[derive(Debug)]
pub struct FileImported {
    pub path: PathBuf,
    /// Rows read, rejected, and how the format was understood.
    pub report: FileReport,
    /// Lines written, lines already stored, customers created.
    pub counts: ImportCounts,
    /// The rows not imported: line, column, reason and raw text.
    pub rejects: Vec<Reject>,
    /// Wall-clock time of the file's import.
    pub seconds: f64,
}

/// Why an order file was not imported; nothing of it was kept.
#[derive(Debug, thiserror::Error)]
pub enum FileImportError {
    #[error("{}: starting the import", .path.display())]
    Begin { path: PathBuf, source: StoreError },
    /// The file could not be read (the reader's error names the file and the place).
    #[error("nothing of this file was kept")]
    Read(#[source] ImportError),
    /// Writing its rows failed, or the parser thread panicked.
    #[error("{}: {error}; nothing of this file was kept", .path.display())]
    Stream { path: PathBuf, error: StreamError },
    /// A strict import met a bad row: the first one, and how many there were.
    #[error(
        "{}, line {}, column '{}': {}; --strict refuses the file ({count} bad row(s)), nothing of it was written",
        .path.display(), .first.row.line, .first.column, .first.reason
    )]
    Strict {
        path: PathBuf,
        first: Box<Reject>,
        count: usize,
    },
    #[error("{}: committing", .path.display())]
    Commit { path: PathBuf, source: StoreError },
}

/// What an import tells its caller as it goes.
#[derive(Debug)]
pub enum ImportEvent<'a> {
    /// An order file is imported and committed.
    File(&'a FileImported),
    /// The customers file's profiles are stored.
    Customers {
        path: &'a Path,
        stored: usize,
        rejected: usize,
    },
}

/// Imports `path` in one transaction, recorded in the store under `source` (the file's name, or
/// who uploaded it), as the `index`th file of an import (rows are numbered per file). With
/// `options.strict`, a bad row refuses the whole file.
pub async fn import_file(
    store: &Store,
    path: &Path,
    source: &str,
    index: u32,
    options: &ImportOptions,
) -> Result<FileImported, FileImportError> {
    let started = Instant::now();
    let tx = store
        .begin_import(source)
        .await
        .map_err(|source| FileImportError::Begin {
            path: path.to_path_buf(),
            source,
        })?;
    let (tx, outcome) = match tx
        .stream_file(path.to_path_buf(), index, options.clone())
        .await
    {
        Ok(streamed) => streamed,
        Err(StreamError::Read(e)) => return Err(FileImportError::Read(e)),
        Err(error) => {
            return Err(FileImportError::Stream {
                path: path.to_path_buf(),
                error,
            });
        }
    };
    if options.strict
        && let Some(first) = outcome.rejects.first()
    {
        tx.rollback().await.ok();
        return Err(FileImportError::Strict {
            path: path.to_path_buf(),
            first: Box::new(first.clone()),
            count: outcome.rejects.len(),
        });
    }
    let report = outcome.report;
    let counts = tx
        .commit(report.rows, report.rejected)
        .await
        .map_err(|source| FileImportError::Commit {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(FileImported {
        path: path.to_path_buf(),
        report,
        counts,
        rejects: outcome.rejects,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Imports the order files, each in its own transaction (stopping at the first that fails), then
/// stores the customers file's profiles; returns every rejected row, in file order.
pub async fn import_files(
    store: &Store,
    settings: &ImportSettings,
    on_event: &mut (dyn FnMut(ImportEvent<'_>) + Send),
) -> Result<Vec<Reject>> {
    let mut all_rejects: Vec<Reject> = Vec::new();
    for (index, path) in settings.orders.iter().enumerate() {
        let mut imported = import_file(
            store,
            path,
            &path.display().to_string(),
            index as u32,
            &settings.options,
        )
        .await?;
        on_event(ImportEvent::File(&imported));
        all_rejects.append(&mut imported.rejects);
    }
    if let Some(path) = &settings.customers {
        let (stored, rejects) = import_customers(store, path, settings.options.strict).await?;
        on_event(ImportEvent::Customers {
            path,
            stored,
            rejected: rejects.len(),
        });
        all_rejects.extend(rejects);
    }
    Ok(all_rejects)
}

/// Stores the profiles of a customers file (as of today); returns how many, and the rejects. A
/// row of an erased customer is a reject (their tombstone refuses them), not a failure of the
/// file.
async fn import_customers(
    store: &Store,
    path: &Path,
    strict: bool,
) -> Result<(usize, Vec<Reject>)> {
    let (profiles, mut rejects) =
        read_customers(path, strict).with_context(|| format!("reading {}", path.display()))?;
    let mut keep = Vec::with_capacity(profiles.len());
    for p in &profiles {
        if store.is_erased_id(&p.id).await? {
            rejects.push(Reject {
                file: path.to_path_buf(),
                row: RowRef { file: 0, line: 0 },
                column: String::new(),
                reason: erased_reason(&p.id),
                raw: String::new(),
            });
        } else {
            keep.push(p);
        }
    }
    if strict && let Some(first) = rejects.first() {
        bail!(
            "{}: {}; --strict refuses the file, nothing of it was written",
            path.display(),
            first.reason
        );
    }
    let today = today();
    for p in &keep {
        store
            .apply_profile(p, today)
            .await
            .with_context(|| format!("{}: storing customer '{}'", path.display(), p.id))?;
    }
    let stored = keep.len();
    Ok((stored, rejects))
}
