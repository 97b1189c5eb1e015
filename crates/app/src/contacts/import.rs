//! A consents file into the store: all or nothing, every refused row named by its line.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clientele_ingest::consents::read_consents;
use clientele_ingest::limits::ImportLimits;
use clientele_ingest::pipeline::Reject;
use clientele_store::{ConsentImportRow, NewConsent, Store, StoreError};

use super::plan::store_channel;

/// Which file, and who imports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportConsentsSettings {
    pub path: PathBuf,
    /// Written as the consent's source where the file has none.
    pub default_source: String,
    /// Who imports (recorded with each consent and in the audit log).
    pub actor: String,
}

/// What an import did.
#[derive(Clone, Debug, Default)]
pub struct ConsentImport {
    /// Rows read from the file.
    pub rows: usize,
    /// Consents written (rows already stored are not written twice).
    pub written: u64,
    /// Refused rows; when any, nothing was written.
    pub rejects: Vec<Reject>,
}

/// Reads the consents file and records every row, or none when any row is refused (an
/// unknown customer included): the answer's `rejects` then say which and why.
pub async fn import_consents(
    store: &Store,
    settings: &ImportConsentsSettings,
) -> Result<ConsentImport> {
    let (rows, mut rejects) = read_consents(&settings.path, &ImportLimits::default())
        .with_context(|| format!("reading {}", settings.path.display()))?;
    let mut resolved = Vec::with_capacity(rows.len());
    for r in &rows {
        match store.customer_id(&r.customer).await {
            Ok(id) => resolved.push(ConsentImportRow {
                customer_id: id,
                consent: NewConsent {
                    channel: store_channel(r.channel),
                    granted: r.granted,
                    day: r.day,
                    source: r
                        .source
                        .clone()
                        .unwrap_or_else(|| settings.default_source.clone()),
                },
            }),
            Err(StoreError::NotFound { .. }) => rejects.push(Reject {
                file: settings.path.clone(),
                row: clientele_core::RowRef {
                    file: u32::MAX,
                    line: r.line,
                },
                column: "customer".into(),
                reason: format!("no customer '{}' in the database", r.customer),
                raw: String::new(),
            }),
            Err(e) => return Err(e.into()),
        }
    }
    rejects.sort_by_key(|r| r.row.line);
    if !rejects.is_empty() {
        return Ok(ConsentImport {
            rows: rows.len(),
            written: 0,
            rejects,
        });
    }
    if settings.default_source.trim().is_empty() {
        bail!("the default source is empty");
    }
    let written = store.import_consents(&resolved, &settings.actor).await?;
    Ok(ConsentImport {
        rows: rows.len(),
        written,
        rejects,
    })
}
