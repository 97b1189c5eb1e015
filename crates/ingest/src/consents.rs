//! Consents files: one grant or withdrawal per row (customer, channel, consent yes/no, date,
//! source), in English or Russian headers, read the way the customers file is (encodings,
//! separators, xlsx), and any small table for the commands that read one (planned contacts).

use std::path::{Path, PathBuf};

use clientele_core::bounds::check_id;
use clientele_core::contact_policy::Channel;
use clientele_core::{Day, RowRef};

use crate::columns::normalize_header;
use crate::customers::{column_date_format, header_columns, header_row, read_rows};
use crate::limits::ImportLimits;
use crate::pipeline::{ImportError, Reject};
use crate::values::{DateFormat, parse_date};

/// The longest source text accepted from a file, in characters.
pub const MAX_SOURCE_CHARS: usize = 200;

/// One row of a consents file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentRow {
    /// The line the row starts on.
    pub line: u64,
    /// The customer's external id.
    pub customer: String,
    pub channel: Channel,
    pub granted: bool,
    pub day: Day,
    /// Where it was given, as the file says; `None` when the file has no source column.
    pub source: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Field {
    Customer,
    Channel,
    Granted,
    Day,
    Source,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Customer => "customer",
            Field::Channel => "channel",
            Field::Granted => "consent",
            Field::Day => "date",
            Field::Source => "source",
        }
    }
}

fn field(header: &str) -> Option<Field> {
    Some(match normalize_header(header).as_str() {
        "customer id"
        | "customer"
        | "client"
        | "client id"
        | "id"
        | "клиент"
        | "покупатель"
        | "код клиента"
        | "id клиента"
        | "код покупателя" => Field::Customer,
        "channel" | "канал" | "канал связи" => Field::Channel,
        "consent" | "granted" | "opt in" | "agreed" | "согласие" | "согласен" | "дал согласие" => {
            Field::Granted
        }
        "date" | "day" | "consent date" | "дата" | "дата согласия" => Field::Day,
        "source" | "origin" | "источник" | "откуда" => Field::Source,
        _ => return None,
    })
}

/// The channel a file's word names, in English or Russian.
pub fn channel_word(word: &str) -> Option<Channel> {
    let w = word.trim().to_lowercase();
    Some(match w.as_str() {
        "email"
        | "e-mail"
        | "e mail"
        | "mail"
        | "почта"
        | "эл. почта"
        | "электронная почта"
        | "емейл" => Channel::Email,
        "sms" | "смс" => Channel::Sms,
        "phone" | "call" | "calls" | "телефон" | "звонок" | "звонки" => {
            Channel::Phone
        }
        "messenger" | "whatsapp" | "telegram" | "мессенджер" | "ватсап" | "телеграм" => {
            Channel::Messenger
        }
        "post" | "letter" | "postal" | "почта россии" | "письмо" | "письма" => {
            Channel::Post
        }
        "visit" | "визит" => Channel::Visit,
        _ => return None,
    })
}

/// A file's word for consent given (`true`) or withdrawn (`false`).
pub fn consent_word(word: &str) -> Option<bool> {
    match word.trim().to_lowercase().as_str() {
        "1" | "yes" | "y" | "true" | "granted" | "given" | "opt-in" | "да" | "есть" | "дано"
        | "дал" | "согласен" | "+" => Some(true),
        "0" | "no" | "n" | "false" | "withdrawn" | "revoked" | "opt-out" | "нет" | "отозвано"
        | "отозвал" | "отказ" | "-" => Some(false),
        _ => None,
    }
}

/// Reads a small table whole (CSV in any of the encodings and separators the importer knows,
/// or xlsx): `(line, cells)` per row, within `limits`.
pub fn read_table(
    path: &Path,
    limits: &ImportLimits,
) -> Result<Vec<(u64, Vec<String>)>, ImportError> {
    read_rows(path, limits)
}

/// Reads a consents file: the rows read, and the rows refused (each with its line, column and
/// reason). The caller writes nothing when any row is refused (a file is all or nothing).
pub fn read_consents(
    path: &Path,
    limits: &ImportLimits,
) -> Result<(Vec<ConsentRow>, Vec<Reject>), ImportError> {
    let rows = read_rows(path, limits)?;
    let format_err = |message: String| ImportError::Format {
        path: path.to_path_buf(),
        message,
    };
    let Some(header_index) = header_row(&rows) else {
        return Ok((Vec::new(), Vec::new()));
    };
    let header = &rows[header_index].1;
    let columns = header_columns(header, field).map_err(|c| {
        format_err(format!(
            "columns '{}' and '{}' both look like the {}; rename one",
            header[c.first],
            header[c.second],
            c.field.name()
        ))
    })?;
    let missing: Vec<&str> = [Field::Customer, Field::Channel, Field::Granted, Field::Day]
        .into_iter()
        .filter(|f| !columns.contains_key(f))
        .map(Field::name)
        .collect();
    if !missing.is_empty() {
        return Err(format_err(format!(
            "no {} column among the headers: {} (expected customer, channel, consent, date and optionally source)",
            missing.join(", "),
            header.join(", ")
        )));
    }
    let data = &rows[header_index + 1..];
    let day_format: Option<DateFormat> = column_date_format(data, columns[&Field::Day], false);

    let mut out = Vec::new();
    let mut rejects = Vec::new();
    for (line, row) in data {
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cell = |f: Field| {
            columns
                .get(&f)
                .and_then(|&i| row.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
        };
        let reject = |f: Field, reason: String| Reject {
            file: PathBuf::from(path),
            row: RowRef {
                file: u32::MAX,
                line: *line,
            },
            column: columns
                .get(&f)
                .map_or(f.name().to_string(), |&i| header[i].clone()),
            reason,
            raw: row.join(";"),
        };
        let parsed = (|| {
            let customer = cell(Field::Customer).ok_or_else(|| {
                reject(Field::Customer, "no customer id: the cell is empty".into())
            })?;
            check_id(customer)
                .map_err(|e| reject(Field::Customer, format!("the customer id {e}")))?;
            let channel_text = cell(Field::Channel).unwrap_or("");
            let channel = channel_word(channel_text).ok_or_else(|| {
                reject(
                    Field::Channel,
                    format!("'{channel_text}' is not a channel (email, sms, phone, messenger, post, visit)"),
                )
            })?;
            let granted_text = cell(Field::Granted).unwrap_or("");
            let granted = consent_word(granted_text).ok_or_else(|| {
                reject(
                    Field::Granted,
                    format!("'{granted_text}' is not yes/no (given or withdrawn)"),
                )
            })?;
            let day = match (cell(Field::Day), day_format) {
                (None, _) => return Err(reject(Field::Day, "no date: the cell is empty".into())),
                (Some(t), Some(f)) => {
                    parse_date(t, f).map_err(|e| reject(Field::Day, e.to_string()))?
                }
                (Some(t), None) => {
                    return Err(reject(
                        Field::Day,
                        format!("'{t}': the column's date format could not be told"),
                    ));
                }
            };
            let source = cell(Field::Source).map(str::to_string);
            if source
                .as_ref()
                .is_some_and(|s| s.chars().count() > MAX_SOURCE_CHARS)
            {
                return Err(reject(
                    Field::Source,
                    format!("longer than {MAX_SOURCE_CHARS} characters"),
                ));
            }
            Ok(ConsentRow {
                line: *line,
                customer: customer.to_string(),
                channel,
                granted,
                day,
                source,
            })
        })();
        match parsed {
            Ok(r) => out.push(r),
            Err(r) => rejects.push(r),
        }
    }
    Ok((out, rejects))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("clientele-consents-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    #[test]
    fn reads_russian_headers_and_refuses_bad_rows_by_line() {
        let text = "Клиент;Канал;Согласие;Дата;Источник\n\
                    c1;смс;да;15.03.2025;анкета в магазине\n\
                    c2;e-mail;нет;16.03.2025;\n\
                    c3;голубь;да;16.03.2025;x\n\
                    c4;sms;может быть;16.03.2025;x\n\
                    ;sms;да;16.03.2025;x\n";
        let p = write("ru.csv", text.as_bytes());
        let (rows, rejects) = read_consents(&p, &ImportLimits::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].channel, Channel::Sms);
        assert!(rows[0].granted);
        assert_eq!(rows[0].day, Day::from_ymd(2025, 3, 15).unwrap());
        assert_eq!(rows[0].source.as_deref(), Some("анкета в магазине"));
        assert_eq!(
            (rows[1].channel, rows[1].granted, rows[1].source.clone()),
            (Channel::Email, false, None)
        );
        let lines: Vec<(u64, &str)> = rejects
            .iter()
            .map(|r| (r.row.line, r.column.as_str()))
            .collect();
        assert_eq!(lines, vec![(4, "Канал"), (5, "Согласие"), (6, "Клиент")]);
    }

    #[test]
    fn a_file_without_the_needed_columns_is_refused_naming_them() {
        let p = write("en.csv", b"customer,channel,when\nc1,sms,2025-01-01\n");
        let err = read_consents(&p, &ImportLimits::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("no consent, date column"), "{err}");
    }
}
