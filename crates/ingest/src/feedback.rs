//! Complaint and wish exports (from a help desk, a call centre's log, a shop's reviews): a CSV,
//! text or xlsx table read the way the customers file is (encodings, separators, Russian and
//! English headers such as `Клиент`, `Дата`, `Тип`, `Категория`, `Важность`, `Канал`, `Текст`),
//! each row checked here for what can be told without the store — the kind and severity words,
//! the date (and time, when the cell has one), lengths, duplicate entry ids — and rejected with
//! its line and reason. Whether the customer exists is the caller's check.

use std::collections::HashMap;
use std::path::Path;

use clientele_core::Day;
use clientele_core::bounds::check_id;

use crate::columns::{ColumnRef, normalize_header};
use crate::customers::column_date_format;
use crate::limits::ImportLimits;
use crate::pipeline::{ImportError, Reject};
use crate::small_table::{TableField, read_small_table};
use crate::values::{DateFormat, parse_date};

/// The longest text kept, in characters; a longer one is a reject, never cut.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// The longest channel, category, touchpoint or entry id, in characters.
pub const MAX_TAG_CHARS: usize = 200;
/// The most rows one file may hold.
pub const MAX_FEEDBACK_ROWS: usize = 1_000_000;

/// The columns a feedback export can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FeedbackField {
    Customer,
    Date,
    Kind,
    Category,
    Severity,
    Channel,
    Touchpoint,
    Text,
    EntryId,
    Ignore,
}

impl FeedbackField {
    pub const ALL: [FeedbackField; 10] = [
        FeedbackField::Customer,
        FeedbackField::Date,
        FeedbackField::Kind,
        FeedbackField::Category,
        FeedbackField::Severity,
        FeedbackField::Channel,
        FeedbackField::Touchpoint,
        FeedbackField::Text,
        FeedbackField::EntryId,
        FeedbackField::Ignore,
    ];

    /// The name `--map COLUMN=FIELD` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackField::Customer => "customer_id",
            FeedbackField::Date => "date",
            FeedbackField::Kind => "kind",
            FeedbackField::Category => "category",
            FeedbackField::Severity => "severity",
            FeedbackField::Channel => "channel",
            FeedbackField::Touchpoint => "touchpoint",
            FeedbackField::Text => "text",
            FeedbackField::EntryId => "entry_id",
            FeedbackField::Ignore => "ignore",
        }
    }

    pub fn parse(text: &str) -> Option<FeedbackField> {
        let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
        FeedbackField::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
    }
}

impl TableField for FeedbackField {
    const IGNORE: FeedbackField = FeedbackField::Ignore;

    fn as_str(self) -> &'static str {
        FeedbackField::as_str(self)
    }

    fn from_header(header: &str) -> Option<FeedbackField> {
        feedback_field(header)
    }
}

/// The field a header names, in Russian or English.
pub fn feedback_field(header: &str) -> Option<FeedbackField> {
    use FeedbackField::*;
    Some(match normalize_header(header).as_str() {
        "customer"
        | "customer id"
        | "client"
        | "client id"
        | "клиент"
        | "покупатель"
        | "код клиента"
        | "id клиента"
        | "код покупателя"
        | "контрагент" => Customer,
        "date"
        | "received"
        | "received at"
        | "created"
        | "created at"
        | "дата"
        | "дата обращения"
        | "получено"
        | "дата поступления" => Date,
        "kind" | "type" | "тип" | "вид" | "тип обращения" | "вид обращения" => {
            Kind
        }
        "category" | "topic" | "категория" | "тема" | "причина" => Category,
        "severity" | "priority" | "важность" | "приоритет" | "серьезность" | "серьёзность" => {
            Severity
        }
        "channel" | "source" | "канал" | "источник" => Channel,
        "touchpoint" | "touch point" | "точка контакта" | "этап" => Touchpoint,
        "text"
        | "body"
        | "message"
        | "comment"
        | "description"
        | "текст"
        | "сообщение"
        | "комментарий"
        | "описание"
        | "суть"
        | "содержание" => Text,
        "entry id"
        | "ticket"
        | "ticket id"
        | "id обращения"
        | "номер обращения"
        | "номер заявки" => EntryId,
        _ => return None,
    })
}

/// One row as read, checked for form: words as written (the caller maps kind and severity).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawFeedback {
    /// The line it started on.
    pub line: u64,
    pub customer: String,
    pub day: Day,
    /// Seconds after midnight (UTC) when the date cell holds a time; `None`: no time written.
    pub time_of_day: Option<u32>,
    pub kind: Option<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
    pub channel: Option<String>,
    pub touchpoint: Option<String>,
    pub text: String,
    pub entry_id: Option<String>,
}

/// The rows of one file: the entries read and the rows rejected.
#[derive(Clone, Debug, Default)]
pub struct FeedbackRows {
    pub entries: Vec<RawFeedback>,
    pub rejects: Vec<Reject>,
    /// How the columns were understood, for the user.
    pub notes: Vec<String>,
}

/// The time written after a date (`2024-05-01 14:30`, `01.05.2024 9:05:00`,
/// `2024-05-01T14:30`): `Ok(None)` without one, `Err` for a time that is not one (`25:00`).
pub fn time_of_day(cell: &str) -> Result<Option<u32>, String> {
    let t = cell.trim();
    let Some(pos) = t.find(['T', ' ']) else {
        return Ok(None);
    };
    let rest = t[pos + 1..].trim();
    if rest.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = rest.split(':').collect();
    let number = |s: &str, max: u32| -> Option<u32> {
        let s = s.split(['.', 'Z', '+']).next().unwrap_or(s);
        (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
            .filter(|&v| v <= max)
    };
    let bad = || format!("'{rest}' is not a time of day (HH:MM or HH:MM:SS)");
    if !(2..=3).contains(&parts.len()) {
        return Err(bad());
    }
    let h = number(parts[0], 23).ok_or_else(bad)?;
    let m = number(parts[1], 59).ok_or_else(bad)?;
    let s = match parts.get(2) {
        Some(p) => number(p, 59).ok_or_else(bad)?,
        None => 0,
    };
    Ok(Some(h * 3_600 + m * 60 + s))
}

/// Reads `path`. `map` names columns the headers do not; `today` bounds the dates (an entry
/// cannot come from the future).
pub fn read_feedback_rows(
    path: &Path,
    map: &[(ColumnRef, FeedbackField)],
    today: Day,
    limits: &ImportLimits,
) -> Result<FeedbackRows, ImportError> {
    let Some(table) = read_small_table(
        path,
        map,
        limits,
        MAX_FEEDBACK_ROWS,
        &[
            FeedbackField::Customer,
            FeedbackField::Date,
            FeedbackField::Text,
        ],
    )?
    else {
        return Ok(FeedbackRows::default());
    };
    let date_format: Option<DateFormat> =
        column_date_format(&table.data, table.columns[&FeedbackField::Date], true);

    let mut out = FeedbackRows {
        notes: table.notes.clone(),
        ..FeedbackRows::default()
    };
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    for (line, row) in &table.data {
        let cell = |f: FeedbackField| table.cell(row, f);
        let reject = |f: FeedbackField, reason: String| table.reject(*line, row, Some(f), reason);
        let parsed = (|| {
            let customer = cell(FeedbackField::Customer).ok_or_else(|| {
                reject(
                    FeedbackField::Customer,
                    "no customer: the cell is empty".into(),
                )
            })?;
            check_id(customer)
                .map_err(|e| reject(FeedbackField::Customer, format!("the customer id {e}")))?;
            let date_text = cell(FeedbackField::Date)
                .ok_or_else(|| reject(FeedbackField::Date, "no date: the cell is empty".into()))?;
            let day = match date_format {
                Some(f) => parse_date(date_text, f)
                    .map_err(|e| reject(FeedbackField::Date, e.to_string()))?,
                None => {
                    return Err(reject(
                        FeedbackField::Date,
                        format!("'{date_text}': the column's date format could not be told"),
                    ));
                }
            };
            if day > today {
                return Err(reject(
                    FeedbackField::Date,
                    format!("{day} is in the future (today is {today})"),
                ));
            }
            let time = time_of_day(date_text).map_err(|e| reject(FeedbackField::Date, e))?;
            let text = cell(FeedbackField::Text)
                .ok_or_else(|| reject(FeedbackField::Text, "no text: the cell is empty".into()))?;
            if text.chars().count() > MAX_TEXT_CHARS {
                return Err(reject(
                    FeedbackField::Text,
                    format!("the text is longer than {MAX_TEXT_CHARS} characters"),
                ));
            }
            let tag = |f: FeedbackField| -> Result<Option<String>, Reject> {
                match cell(f) {
                    Some(t)
                        if t.chars().count() > MAX_TAG_CHARS || t.chars().any(char::is_control) =>
                    {
                        Err(reject(
                            f,
                            format!(
                                "the {} is longer than {MAX_TAG_CHARS} characters or holds control characters",
                                f.as_str()
                            ),
                        ))
                    }
                    t => Ok(t.map(str::to_string)),
                }
            };
            Ok(RawFeedback {
                line: *line,
                customer: customer.to_string(),
                day,
                time_of_day: time,
                kind: tag(FeedbackField::Kind)?,
                category: tag(FeedbackField::Category)?,
                severity: tag(FeedbackField::Severity)?,
                channel: tag(FeedbackField::Channel)?,
                touchpoint: tag(FeedbackField::Touchpoint)?,
                text: text.to_string(),
                entry_id: tag(FeedbackField::EntryId)?,
            })
        })();
        match parsed {
            Ok(e) => {
                if let Some(id) = &e.entry_id {
                    if let Some(first) = seen_ids.get(id) {
                        out.rejects.push(reject(
                            FeedbackField::EntryId,
                            format!("entry id '{id}' already appeared on line {first}"),
                        ));
                        continue;
                    }
                    seen_ids.insert(id.clone(), *line);
                }
                out.entries.push(e);
            }
            Err(r) => out.rejects.push(r),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_after_the_date_are_read_or_refused() {
        assert_eq!(time_of_day("2024-05-01"), Ok(None));
        assert_eq!(
            time_of_day("2024-05-01 14:30"),
            Ok(Some(14 * 3_600 + 30 * 60))
        );
        assert_eq!(
            time_of_day("01.05.2024 9:05:07"),
            Ok(Some(9 * 3_600 + 5 * 60 + 7))
        );
        assert_eq!(time_of_day("2024-05-01T00:00:00Z"), Ok(Some(0)));
        assert!(time_of_day("2024-05-01 25:00").is_err());
        assert!(time_of_day("2024-05-01 12:60").is_err());
        assert!(time_of_day("2024-05-01 полдень").is_err());
    }

    #[test]
    fn russian_and_english_headers_name_the_fields() {
        assert_eq!(feedback_field("Клиент"), Some(FeedbackField::Customer));
        assert_eq!(feedback_field("Дата обращения"), Some(FeedbackField::Date));
        assert_eq!(feedback_field("Тип"), Some(FeedbackField::Kind));
        assert_eq!(feedback_field("Категория"), Some(FeedbackField::Category));
        assert_eq!(feedback_field("Важность"), Some(FeedbackField::Severity));
        assert_eq!(feedback_field("Текст"), Some(FeedbackField::Text));
        assert_eq!(feedback_field("Severity"), Some(FeedbackField::Severity));
        assert_eq!(feedback_field("Сумма"), None);
    }

    #[test]
    fn a_file_reads_with_rejects_by_line() {
        let dir = std::env::temp_dir().join(format!("clientele-feedback-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("complaints.csv");
        std::fs::write(
            &path,
            "Клиент;Дата;Тип;Категория;Важность;Текст;Номер обращения\n\
             C1;01.03.2024 10:15;жалоба;доставка;высокая;Курьер опоздал;T1\n\
             C2;02.03.2024;пожелание;сайт;;Добавьте оплату по СБП;T2\n\
             ;02.03.2024;жалоба;;;Без клиента;T3\n\
             C3;02.03.2030;жалоба;;;Из будущего;T4\n\
             C4;03.03.2024;жалоба;;;;T5\n\
             C5;03.03.2024 25:00;жалоба;;;Плохое время;T6\n\
             C6;04.03.2024;жалоба;;;Повтор;T1\n",
        )
        .unwrap();
        let today = Day::from_ymd(2024, 12, 31).unwrap();
        let rows = read_feedback_rows(&path, &[], today, &ImportLimits::default()).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(rows.entries.len(), 2);
        let first = &rows.entries[0];
        assert_eq!(first.customer, "C1");
        assert_eq!(first.day, Day::from_ymd(2024, 3, 1).unwrap());
        assert_eq!(first.time_of_day, Some(10 * 3_600 + 15 * 60));
        assert_eq!(first.severity.as_deref(), Some("высокая"));
        assert_eq!(rows.entries[1].severity, None);
        let lines: Vec<(u64, &str)> = rows
            .rejects
            .iter()
            .map(|r| (r.row.line, r.column.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                (4, "Клиент"),
                (5, "Дата"),
                (6, "Текст"),
                (7, "Дата"),
                (8, "Номер обращения")
            ]
        );
        assert!(rows.rejects[1].reason.contains("future"));
        assert!(rows.rejects[4].reason.contains("line 2"));
    }
}
