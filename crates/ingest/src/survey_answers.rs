//! Survey answer exports (NPS or CSAT): a CSV, text or xlsx table read the way the customers file
//! is (encodings, separators, Russian and English headers such as `Клиент`, `Дата`, `Оценка`,
//! `Комментарий`, `Канал`), each row checked here for what can be told without the store — the
//! score against its scale, the date, lengths, duplicate answer ids — and rejected with its line
//! and reason. Whether the customer exists is the caller's check.

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

/// The longest comment kept, in characters; a longer one is a reject, never cut.
pub const MAX_COMMENT_CHARS: usize = 4_000;
/// The longest channel, touchpoint or answer id, in characters.
pub const MAX_TAG_CHARS: usize = 200;
/// The most rows one file may hold.
pub const MAX_ANSWER_ROWS: usize = 2_000_000;

/// The columns an answer export can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnswerField {
    Customer,
    Date,
    Score,
    Comment,
    Channel,
    Touchpoint,
    AnswerId,
    Ignore,
}

impl AnswerField {
    pub const ALL: [AnswerField; 8] = [
        AnswerField::Customer,
        AnswerField::Date,
        AnswerField::Score,
        AnswerField::Comment,
        AnswerField::Channel,
        AnswerField::Touchpoint,
        AnswerField::AnswerId,
        AnswerField::Ignore,
    ];

    /// The name `--map COLUMN=FIELD` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerField::Customer => "customer_id",
            AnswerField::Date => "date",
            AnswerField::Score => "score",
            AnswerField::Comment => "comment",
            AnswerField::Channel => "channel",
            AnswerField::Touchpoint => "touchpoint",
            AnswerField::AnswerId => "answer_id",
            AnswerField::Ignore => "ignore",
        }
    }

    pub fn parse(text: &str) -> Option<AnswerField> {
        let wanted = text.trim().to_ascii_lowercase().replace('-', "_");
        AnswerField::ALL.into_iter().find(|f| f.as_str() == wanted)
    }
}

impl TableField for AnswerField {
    const IGNORE: AnswerField = AnswerField::Ignore;

    fn as_str(self) -> &'static str {
        AnswerField::as_str(self)
    }

    fn from_header(header: &str) -> Option<AnswerField> {
        answer_field(header)
    }
}

/// The field a header names, in Russian or English.
pub fn answer_field(header: &str) -> Option<AnswerField> {
    use AnswerField::*;
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
        | "answered"
        | "answered at"
        | "answer date"
        | "дата"
        | "дата ответа"
        | "дата оценки" => Date,
        "score" | "rating" | "nps" | "csat" | "grade" | "оценка" | "балл" | "баллы"
        | "оценка nps" | "нпс" => Score,
        "comment" | "comments" | "feedback" | "text" | "комментарий" | "отзыв" | "текст" => {
            Comment
        }
        "channel" | "source" | "канал" | "источник" => Channel,
        "touchpoint" | "touch point" | "точка контакта" | "этап" => Touchpoint,
        "answer id" | "response id" | "id ответа" | "номер ответа" | "код ответа" => {
            AnswerId
        }
        _ => return None,
    })
}

/// One row as read: the customer's external id and the answer's parts, checked for form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawAnswer {
    /// The line it started on.
    pub line: u64,
    pub customer: String,
    pub day: Day,
    /// The score as written, a whole number (its scale is the caller's check).
    pub score: u32,
    pub comment: Option<String>,
    pub channel: Option<String>,
    pub touchpoint: Option<String>,
    pub answer_id: Option<String>,
    /// The row's cells joined, for a reject the caller writes.
    pub raw: String,
}

/// The rows of one file: the answers read and the rows rejected.
#[derive(Clone, Debug, Default)]
pub struct AnswerRows {
    pub answers: Vec<RawAnswer>,
    pub rejects: Vec<Reject>,
    /// How the columns were understood, for the user.
    pub notes: Vec<String>,
}

/// A whole number written as such: `9`, ` 9 `, `9.0`, `9,0`; not `девять`, `9.5` or `-1`.
fn whole_number(text: &str) -> Option<u32> {
    let t = text.trim();
    let t = t
        .strip_suffix(".0")
        .or_else(|| t.strip_suffix(",0"))
        .unwrap_or(t);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) || t.len() > 6 {
        return None;
    }
    t.parse().ok()
}

/// Reads `path`. `map` names columns the headers do not; `today` bounds the dates (an answer
/// cannot come from the future).
pub fn read_answer_rows(
    path: &Path,
    map: &[(ColumnRef, AnswerField)],
    today: Day,
    limits: &ImportLimits,
) -> Result<AnswerRows, ImportError> {
    let Some(table) = read_small_table(
        path,
        map,
        limits,
        MAX_ANSWER_ROWS,
        &[AnswerField::Customer, AnswerField::Date, AnswerField::Score],
    )?
    else {
        return Ok(AnswerRows::default());
    };
    let date_format: Option<DateFormat> =
        column_date_format(&table.data, table.columns[&AnswerField::Date], true);

    let mut out = AnswerRows {
        notes: table.notes.clone(),
        ..AnswerRows::default()
    };
    let mut seen_ids: HashMap<String, u64> = HashMap::new();
    for (line, row) in &table.data {
        let cell = |f: AnswerField| table.cell(row, f);
        let reject = |f: Option<AnswerField>, reason: String| table.reject(*line, row, f, reason);
        let parsed = (|| {
            let customer = cell(AnswerField::Customer).ok_or_else(|| {
                reject(
                    Some(AnswerField::Customer),
                    "no customer: the cell is empty".into(),
                )
            })?;
            check_id(customer)
                .map_err(|e| reject(Some(AnswerField::Customer), format!("the customer id {e}")))?;
            let score_text = cell(AnswerField::Score).ok_or_else(|| {
                reject(
                    Some(AnswerField::Score),
                    "no score: the cell is empty".into(),
                )
            })?;
            let score = whole_number(score_text).ok_or_else(|| {
                reject(
                    Some(AnswerField::Score),
                    format!("'{score_text}' is not a whole-number score"),
                )
            })?;
            let date_text = cell(AnswerField::Date).ok_or_else(|| {
                reject(Some(AnswerField::Date), "no date: the cell is empty".into())
            })?;
            let day = match date_format {
                Some(f) => parse_date(date_text, f)
                    .map_err(|e| reject(Some(AnswerField::Date), e.to_string()))?,
                None => {
                    return Err(reject(
                        Some(AnswerField::Date),
                        format!("'{date_text}': the column's date format could not be told"),
                    ));
                }
            };
            if day > today {
                return Err(reject(
                    Some(AnswerField::Date),
                    format!("{day} is in the future (today is {today})"),
                ));
            }
            let comment = cell(AnswerField::Comment);
            if let Some(c) = comment
                && c.chars().count() > MAX_COMMENT_CHARS
            {
                return Err(reject(
                    Some(AnswerField::Comment),
                    format!("the comment is longer than {MAX_COMMENT_CHARS} characters"),
                ));
            }
            let tag = |f: AnswerField| -> Result<Option<String>, Reject> {
                match cell(f) {
                    Some(t)
                        if t.chars().count() > MAX_TAG_CHARS || t.chars().any(char::is_control) =>
                    {
                        Err(reject(
                            Some(f),
                            format!(
                                "the {} is longer than {MAX_TAG_CHARS} characters or holds control characters",
                                f.as_str()
                            ),
                        ))
                    }
                    t => Ok(t.map(str::to_string)),
                }
            };
            Ok(RawAnswer {
                line: *line,
                customer: customer.to_string(),
                day,
                score,
                comment: comment.map(str::to_string),
                channel: tag(AnswerField::Channel)?,
                touchpoint: tag(AnswerField::Touchpoint)?,
                answer_id: tag(AnswerField::AnswerId)?,
                raw: row.join(";"),
            })
        })();
        match parsed {
            Ok(a) => {
                if let Some(id) = &a.answer_id {
                    if let Some(first) = seen_ids.get(id) {
                        out.rejects.push(reject(
                            Some(AnswerField::AnswerId),
                            format!("answer id '{id}' already appeared on line {first}"),
                        ));
                        continue;
                    }
                    seen_ids.insert(id.clone(), *line);
                }
                out.answers.push(a);
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
    fn scores_are_whole_numbers_as_written() {
        assert_eq!(whole_number("9"), Some(9));
        assert_eq!(whole_number(" 10 "), Some(10));
        assert_eq!(whole_number("9,0"), Some(9));
        assert_eq!(whole_number("11"), Some(11)); // the scale is the caller's check
        assert_eq!(whole_number("-1"), None);
        assert_eq!(whole_number("девять"), None);
        assert_eq!(whole_number("9.5"), None);
        assert_eq!(whole_number(""), None);
    }

    #[test]
    fn russian_and_english_headers_name_the_fields() {
        assert_eq!(answer_field("Клиент"), Some(AnswerField::Customer));
        assert_eq!(answer_field("Дата"), Some(AnswerField::Date));
        assert_eq!(answer_field("Оценка"), Some(AnswerField::Score));
        assert_eq!(answer_field("Комментарий"), Some(AnswerField::Comment));
        assert_eq!(answer_field("Канал"), Some(AnswerField::Channel));
        assert_eq!(answer_field("Customer ID"), Some(AnswerField::Customer));
        assert_eq!(answer_field("Score"), Some(AnswerField::Score));
        assert_eq!(answer_field("Сумма"), None);
    }
}
