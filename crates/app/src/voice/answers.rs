//! Survey answers into the store: a batch (from the API) or the rows of exported files (from
//! `clientele surveys import`). Every answer is checked — the score against its scale, the day
//! (not in the future), the customer (known), lengths, the answer id (not twice in the input,
//! not stored with a different answer) — and a batch or a file with any rejected answer stores
//! nothing: the rejects say where and why. The same answer id sent again changes nothing.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clientele_core::Day;
use clientele_core::nps::NpsScale;
use clientele_ingest::columns::ColumnRef;
use clientele_ingest::limits::ImportLimits;
use clientele_ingest::survey_answers::{AnswerField, read_answer_rows};
use clientele_store::Store;
use clientele_store::voice::{AnswerOutcome, AnswerScore, NewAnswer, SurveyKind};

/// The most answers in one API batch.
pub const MAX_ANSWER_BATCH: usize = 10_000;
/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = clientele_ingest::survey_answers::MAX_COMMENT_CHARS;
/// The longest channel or touchpoint, in characters.
pub const MAX_TAG_CHARS: usize = clientele_ingest::survey_answers::MAX_TAG_CHARS;
/// The longest answer id, in characters (room for the ids imports derive: kind, day and a
/// customer id of up to 256 characters).
pub const MAX_ANSWER_ID_CHARS: usize = 300;

/// One answer as a front end received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerInput {
    /// The customer's id in the company's systems.
    pub customer: String,
    /// The sender's id: the same id again changes nothing.
    pub answer_id: Option<String>,
    /// The question and its scale.
    pub kind: SurveyKind,
    pub score: u32,
    pub comment: Option<String>,
    pub channel: Option<String>,
    pub touchpoint: Option<String>,
    pub day: Day,
    /// When it was given (Unix seconds); `None`: the day's start.
    pub answered_at: Option<i64>,
}

/// Why one answer was refused: its position (1-based index in a batch, line in a file), the
/// field at fault and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerReject {
    pub file: Option<PathBuf>,
    pub position: u64,
    pub field: &'static str,
    pub reason: String,
}

/// What a batch or an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnswersOutcome {
    /// Answers stored now.
    pub stored: u64,
    /// Answers whose id was already stored with the same answer.
    pub unchanged: u64,
    /// Follow-up tasks opened.
    pub tasks_opened: u64,
    /// Every refused answer; when not empty, nothing was stored.
    pub rejects: Vec<AnswerReject>,
    /// How the files' columns were understood.
    pub notes: Vec<String>,
}

/// What `clientele surveys import` is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerImportSettings {
    pub files: Vec<PathBuf>,
    /// NPS (on its scale) or CSAT.
    pub kind: SurveyKind,
    /// Columns the headers do not name.
    pub map: Vec<(ColumnRef, AnswerField)>,
    /// The channel of answers whose row names none.
    pub channel: Option<String>,
    /// The touchpoint of answers whose row names none.
    pub touchpoint: Option<String>,
    /// Answers after this day are refused as from the future.
    pub today: Day,
}

fn reject(
    file: Option<&Path>,
    position: u64,
    field: &'static str,
    reason: impl Into<String>,
) -> AnswerReject {
    AnswerReject {
        file: file.map(Path::to_path_buf),
        position,
        field,
        reason: reason.into(),
    }
}

fn scale_words(kind: SurveyKind) -> String {
    let (lo, hi) = kind.range();
    format!(
        "{} answers are whole numbers from {lo} to {hi}",
        kind.kind_str().to_uppercase()
    )
}

/// Checks one answer for what needs no store; `Ok` is the score on its scale.
fn check(
    a: &AnswerInput,
    today: Day,
    file: Option<&Path>,
    position: u64,
) -> Result<AnswerScore, AnswerReject> {
    let score = AnswerScore::on(a.kind, a.score).ok_or_else(|| {
        reject(
            file,
            position,
            "score",
            format!("{} is not on the scale: {}", a.score, scale_words(a.kind)),
        )
    })?;
    if a.day > today {
        return Err(reject(
            file,
            position,
            "date",
            format!("{} is in the future (today is {today})", a.day),
        ));
    }
    if a.customer.trim().is_empty()
        || a.customer.chars().count() > clientele_core::bounds::MAX_ID_CHARS
    {
        return Err(reject(
            file,
            position,
            "customer",
            "the customer id is empty or too long",
        ));
    }
    let long =
        |text: &Option<String>, max: usize| text.as_ref().is_some_and(|t| t.chars().count() > max);
    if long(&a.comment, MAX_COMMENT_CHARS) {
        return Err(reject(
            file,
            position,
            "comment",
            format!("longer than {MAX_COMMENT_CHARS} characters"),
        ));
    }
    for (field, value, max) in [
        ("channel", &a.channel, MAX_TAG_CHARS),
        ("touchpoint", &a.touchpoint, MAX_TAG_CHARS),
        ("answer_id", &a.answer_id, MAX_ANSWER_ID_CHARS),
    ] {
        if long(value, max)
            || value
                .as_ref()
                .is_some_and(|t| t.trim().is_empty() || t.chars().any(char::is_control))
        {
            return Err(reject(
                file,
                position,
                field,
                format!("empty, longer than {max} characters or with control characters"),
            ));
        }
    }
    if let Some(at) = a.answered_at {
        let day_start = i64::from(a.day.days_since_epoch()) * 86_400;
        if !(day_start..day_start + 86_400).contains(&at) {
            return Err(reject(
                file,
                position,
                "answered_at",
                format!("{at} is not a time on {}", a.day),
            ));
        }
    }
    Ok(score)
}

/// Checks and stores answers as one unit; `positions` and `files` say where each came from.
async fn store_checked(
    store: &Store,
    inputs: &[(Option<&Path>, u64, AnswerInput)],
    source: &str,
    today: Day,
) -> Result<AnswersOutcome> {
    let mut out = AnswersOutcome::default();
    let mut seen: HashMap<&str, u64> = HashMap::new();
    let mut scores = Vec::with_capacity(inputs.len());
    for (file, position, a) in inputs {
        match check(a, today, *file, *position) {
            Ok(score) => scores.push(Some(score)),
            Err(r) => {
                out.rejects.push(r);
                scores.push(None);
                continue;
            }
        }
        if let Some(id) = &a.answer_id {
            if let Some(first) = seen.get(id.as_str()) {
                out.rejects.push(reject(
                    *file,
                    *position,
                    "answer_id",
                    format!("answer id '{id}' appears twice (first at {first})"),
                ));
            } else {
                seen.insert(id, *position);
            }
        }
    }
    let externals: Vec<String> = inputs
        .iter()
        .map(|(_, _, a)| a.customer.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let ids = store
        .customer_ids_by_external(&externals)
        .await
        .context("looking up the customers")?;
    let mut answers = Vec::with_capacity(inputs.len());
    let mut origin = Vec::with_capacity(inputs.len());
    for ((file, position, a), score) in inputs.iter().zip(&scores) {
        let Some(&customer_id) = ids.get(&a.customer) else {
            out.rejects.push(reject(
                *file,
                *position,
                "customer",
                format!(
                    "no customer '{}' in the store (import their orders first)",
                    a.customer
                ),
            ));
            continue;
        };
        let Some(score) = score else { continue };
        answers.push(NewAnswer {
            customer_id,
            answer_id: a.answer_id.clone(),
            survey_id: None,
            score: *score,
            comment: a.comment.clone(),
            channel: a.channel.clone(),
            touchpoint: a.touchpoint.clone(),
            day: a.day,
            answered_at: a
                .answered_at
                .unwrap_or(i64::from(a.day.days_since_epoch()) * 86_400),
            source: source.to_string(),
        });
        origin.push((*file, *position));
    }
    if !out.rejects.is_empty() {
        out.rejects
            .sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
        return Ok(out);
    }
    let targets = store
        .voice_settings()
        .await
        .context("reading the survey settings")?
        .targets;
    let (outcomes, committed) = store
        .store_answers(&answers, &targets, true)
        .await
        .context("storing the answers")?;
    for (outcome, (file, position)) in outcomes.iter().zip(&origin) {
        match outcome {
            AnswerOutcome::Stored { task_id, .. } => {
                out.stored += 1;
                out.tasks_opened += u64::from(task_id.is_some());
            }
            AnswerOutcome::Unchanged { .. } => out.unchanged += 1,
            AnswerOutcome::Conflict { stored, .. } => out.rejects.push(reject(
                *file,
                *position,
                "answer_id",
                format!(
                    "this answer id is stored with another answer ({} on {}): an answer id names one answer",
                    stored.score.value(),
                    stored.day
                ),
            )),
        }
    }
    if !committed {
        out.stored = 0;
        out.unchanged = 0;
        out.tasks_opened = 0;
    }
    Ok(out)
}

/// Stores a batch from the API: all of it, or — when any answer is refused — none of it.
pub async fn store_answer_batch(
    store: &Store,
    batch: Vec<AnswerInput>,
    today: Day,
) -> Result<AnswersOutcome> {
    anyhow::ensure!(
        batch.len() <= MAX_ANSWER_BATCH,
        crate::InvalidSetting::value(
            "answers",
            batch.len(),
            format!("answers in one batch; at most {MAX_ANSWER_BATCH}")
        )
    );
    let inputs: Vec<(Option<&Path>, u64, AnswerInput)> = batch
        .into_iter()
        .enumerate()
        .map(|(i, a)| (None, i as u64 + 1, a))
        .collect();
    store_checked(store, &inputs, "api", today).await
}

/// Reads the files and stores their answers: all of them, or — when any row is refused — none.
pub async fn import_answer_files(
    store: &Store,
    settings: &AnswerImportSettings,
) -> Result<AnswersOutcome> {
    let mut inputs = Vec::new();
    let mut early = AnswersOutcome::default();
    for path in &settings.files {
        let rows = read_answer_rows(
            path,
            &settings.map,
            settings.today,
            &ImportLimits::default(),
        )
        .with_context(|| format!("reading {}", path.display()))?;
        early.notes.extend(
            rows.notes
                .iter()
                .map(|n| format!("{}: {n}", path.display())),
        );
        for r in rows.rejects {
            early.rejects.push(AnswerReject {
                file: Some(path.clone()),
                position: r.row.line,
                field: field_of_column(&r.column),
                reason: if r.column.is_empty() {
                    r.reason
                } else {
                    format!("column '{}': {}", r.column, r.reason)
                },
            });
        }
        for a in rows.answers {
            inputs.push((
                path.as_path(),
                a.line,
                AnswerInput {
                    // Without an id column, an answer is named by its kind, day and customer,
                    // so importing the same file again stores nothing twice.
                    answer_id: a.answer_id.or_else(|| {
                        Some(format!(
                            "import:{}:{}:{}",
                            settings.kind.kind_str(),
                            a.day,
                            a.customer
                        ))
                    }),
                    customer: a.customer,
                    kind: settings.kind,
                    score: a.score,
                    comment: a.comment,
                    channel: a.channel.or_else(|| settings.channel.clone()),
                    touchpoint: a.touchpoint.or_else(|| settings.touchpoint.clone()),
                    day: a.day,
                    answered_at: None,
                },
            ));
        }
    }
    let inputs: Vec<(Option<&Path>, u64, AnswerInput)> = inputs
        .into_iter()
        .map(|(p, line, a)| (Some(p), line, a))
        .collect();
    if !early.rejects.is_empty() {
        // Still check the rows that were read, so one run lists every problem.
        let later = store_checked_dry(store, &inputs, settings.today).await?;
        early.rejects.extend(later);
        early
            .rejects
            .sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
        return Ok(early);
    }
    let mut out = store_checked(store, &inputs, "import", settings.today).await?;
    out.notes = early.notes;
    Ok(out)
}

/// The rejects [`store_checked`] would give, without storing anything.
async fn store_checked_dry(
    store: &Store,
    inputs: &[(Option<&Path>, u64, AnswerInput)],
    today: Day,
) -> Result<Vec<AnswerReject>> {
    let mut rejects: Vec<AnswerReject> = inputs
        .iter()
        .filter_map(|(f, p, a)| check(a, today, *f, *p).err())
        .collect();
    let externals: Vec<String> = inputs.iter().map(|(_, _, a)| a.customer.clone()).collect();
    let ids = store.customer_ids_by_external(&externals).await?;
    for (f, p, a) in inputs {
        if !ids.contains_key(&a.customer) {
            rejects.push(reject(
                *f,
                *p,
                "customer",
                format!(
                    "no customer '{}' in the store (import their orders first)",
                    a.customer
                ),
            ));
        }
    }
    Ok(rejects)
}

fn field_of_column(column: &str) -> &'static str {
    match clientele_ingest::survey_answers::answer_field(column) {
        Some(f) => f.as_str(),
        None if column.is_empty() => "row",
        None => "column",
    }
}

/// The NPS scale a `--scale` text names.
pub fn nps_scale(text: &str) -> Option<NpsScale> {
    match text {
        "0-10" => Some(NpsScale::ZeroToTen),
        "1-10" => Some(NpsScale::OneToTen),
        _ => None,
    }
}
