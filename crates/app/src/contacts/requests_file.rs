//! A file of contacts to plan (one row per message: customer, kind, module, channels, priority,
//! subject), read with the importer's table reader and checked row by row.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use clientele_core::RowRef;
use clientele_core::contact_policy::{ChannelSet, MessageKind, Module};
use clientele_ingest::columns::normalize_header;
use clientele_ingest::consents::{channel_word, read_table};
use clientele_ingest::customers::{header_columns, header_row};
use clientele_ingest::limits::ImportLimits;
use clientele_ingest::pipeline::Reject;
use clientele_store::{Store, StoreError};

use super::plan::ContactRequest;

/// The longest subject accepted, in characters.
pub const MAX_SUBJECT_CHARS: usize = 500;

/// Reads the contacts to plan from `path`: the requests, and the rows refused (a file with any
/// refused row should be planned not at all).
pub async fn read_requests(
    store: &Store,
    path: &Path,
) -> Result<(Vec<ContactRequest>, Vec<Reject>)> {
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
            "kind" | "type" | "вид" | "тип" => "kind",
            "module" | "модуль" => "module",
            "channels" | "channel" | "каналы" | "канал" => "channels",
            "priority" | "приоритет" => "priority",
            "subject" | "about" | "тема" | "повод" => "subject",
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
    for needed in ["customer", "kind", "subject"] {
        if !columns.contains_key(needed) {
            anyhow::bail!(
                "{}: no {needed} column among the headers: {} (expected customer, kind, subject and optionally module, channels, priority)",
                path.display(),
                header.join(", ")
            );
        }
    }
    let mut requests = Vec::new();
    let mut rejects = Vec::new();
    let mut ids: HashMap<String, Option<i64>> = HashMap::new();
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
        let id = match ids.get(customer) {
            Some(id) => *id,
            None => {
                let id = match store.customer_id(customer).await {
                    Ok(id) => Some(id),
                    Err(StoreError::NotFound { .. }) => None,
                    Err(e) => return Err(e.into()),
                };
                ids.insert(customer.to_string(), id);
                id
            }
        };
        let Some(customer_id) = id else {
            rejects.push(reject(
                "customer",
                format!("no customer '{customer}' in the database"),
            ));
            continue;
        };
        let Some(kind) = MessageKind::parse(cell("kind")) else {
            rejects.push(reject(
                "kind",
                format!("'{}' is not one of offer, reminder, survey, greeting, notice, win_back, service_notice", cell("kind")),
            ));
            continue;
        };
        let module = match cell("module") {
            "" => Module::Manual,
            m => match Module::parse(m) {
                Some(m) => m,
                None => {
                    rejects.push(reject("module", format!("'{m}' is not a module")));
                    continue;
                }
            },
        };
        let mut channels = ChannelSet::EMPTY;
        let mut bad_channel = None;
        for word in cell("channels")
            .split([',', ' ', '|', '/'])
            .filter(|w| !w.is_empty())
        {
            match channel_word(word) {
                Some(c) => channels = channels.with(c),
                None => bad_channel = Some(word.to_string()),
            }
        }
        if let Some(word) = bad_channel {
            rejects.push(reject("channels", format!("'{word}' is not a channel")));
            continue;
        }
        if channels.is_empty() {
            channels = ChannelSet::MESSAGES;
        }
        let priority = match cell("priority") {
            "" => 0,
            p => match p.parse::<i32>() {
                Ok(p) if (-1000..=1000).contains(&p) => p,
                _ => {
                    rejects.push(reject(
                        "priority",
                        format!("'{p}' is not a whole number from -1000 to 1000"),
                    ));
                    continue;
                }
            },
        };
        let subject = cell("subject");
        if subject.is_empty() || subject.chars().count() > MAX_SUBJECT_CHARS {
            rejects.push(reject(
                "subject",
                format!("must be 1 to {MAX_SUBJECT_CHARS} characters"),
            ));
            continue;
        }
        requests.push(ContactRequest {
            customer_id,
            kind,
            module,
            channels,
            priority,
            subject: subject.to_string(),
        });
    }
    Ok((requests, rejects))
}
