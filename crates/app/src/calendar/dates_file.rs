//! A personal-dates file into the store (columns customer, occasion, date; Russian or English
//! headers; CSV in any encoding and separator the importer knows, or xlsx): all or nothing,
//! every refused row named by its line and column.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clientele_core::RowRef;
use clientele_core::care::occasion::check_label;
use clientele_core::recurrence::text::parse_rule;
use clientele_ingest::columns::normalize_header;
use clientele_ingest::consents::read_table;
use clientele_ingest::customers::{header_columns, header_row};
use clientele_ingest::limits::ImportLimits;
use clientele_ingest::pipeline::Reject;
use clientele_store::{PersonalDateImportRow, PersonalDateRecord, Store, StoreError};

/// Which file, and who imports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportDatesSettings {
    pub path: PathBuf,
    /// Who imports (recorded in the audit log).
    pub actor: String,
}

/// What an import did.
#[derive(Clone, Debug, Default)]
pub struct DateImport {
    /// Rows read from the file.
    pub rows: usize,
    pub added: usize,
    /// Dates the customer already had (the same occasion and rule).
    pub already: usize,
    /// Refused rows; when any, nothing was written.
    pub rejects: Vec<Reject>,
}

/// Reads a personal-dates file: the rows (the customer by external id) and the refused ones.
/// A row's occasion is `birthday`, `name_day`, `founding_day`, a holiday's code or name,
/// `holiday: <name>` or any label; its date is a rule as `recurrence::text` reads it, and may be
/// left empty for a catalogue holiday.
pub async fn read_dates(
    store: &Store,
    path: &Path,
) -> Result<(Vec<PersonalDateImportRow>, Vec<Reject>)> {
    let rows = read_table(path, &ImportLimits::default())
        .with_context(|| format!("reading {}", path.display()))?;
    let Some(header_at) = header_row(&rows) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let header = &rows[header_at].1;
    let columns = header_columns(header, |h| {
        Some(match normalize_header(h).as_str() {
            "customer" | "customer id" | "client" | "клиент" | "код клиента" => {
                "customer"
            }
            "occasion" | "label" | "kind" | "повод" | "событие" | "праздник" => {
                "occasion"
            }
            "date" | "rule" | "when" | "дата" | "правило" | "когда" => "date",
            _ => return None,
        })
    })
    .map_err(|c| {
        anyhow::anyhow!(
            "{}: two columns look like the {}; rename one",
            path.display(),
            c.field
        )
    })?;
    for needed in ["customer", "occasion"] {
        if !columns.contains_key(needed) {
            anyhow::bail!(
                "{}: no {needed} column among the headers: {} (expected customer, occasion, date)",
                path.display(),
                header.join(", ")
            );
        }
    }
    let mut out = Vec::new();
    let mut rejects = Vec::new();
    let mut known: HashMap<String, bool> = HashMap::new();
    for (line, row) in &rows[header_at + 1..] {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |name: &str| {
            columns
                .get(name)
                .and_then(|&i| row.get(i))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let reject = |column: &str, reason: String| Reject {
            file: path.to_path_buf(),
            row: RowRef {
                file: 0,
                line: *line,
            },
            column: column.to_string(),
            reason,
            raw: row.join(";"),
        };
        let customer = cell("customer");
        let exists = match known.get(customer) {
            Some(&k) => k,
            None => {
                let k = match store.customer_id(customer).await {
                    Ok(_) => true,
                    Err(StoreError::NotFound { .. }) => false,
                    Err(e) => return Err(e.into()),
                };
                known.insert(customer.to_string(), k);
                k
            }
        };
        if !exists {
            rejects.push(reject(
                "customer",
                format!("no customer '{customer}' in the database"),
            ));
            continue;
        }
        let label = cell("occasion");
        if let Err(why) = check_label(label) {
            rejects.push(reject("occasion", why));
            continue;
        }
        // A catalogue holiday needs no date: its rule is the catalogue's.
        let text = match cell("date") {
            "" => label,
            t => t,
        };
        let rule = match parse_rule(text) {
            Ok(r) => r,
            Err(why) => {
                rejects.push(reject("date", why));
                continue;
            }
        };
        out.push(PersonalDateImportRow {
            line: *line,
            external_id: customer.to_string(),
            date: PersonalDateRecord {
                label: label.to_string(),
                rule,
            },
        });
    }
    Ok((out, rejects))
}

/// Reads the file and adds every date, or none when any row is refused.
pub async fn import_dates(store: &Store, settings: &ImportDatesSettings) -> Result<DateImport> {
    let (rows, rejects) = read_dates(store, &settings.path).await?;
    if !rejects.is_empty() {
        return Ok(DateImport {
            rows: rows.len() + rejects.len(),
            added: 0,
            already: 0,
            rejects,
        });
    }
    let (added, already) = store.import_personal_dates(&rows, &settings.actor).await?;
    Ok(DateImport {
        rows: rows.len(),
        added,
        already,
        rejects,
    })
}
