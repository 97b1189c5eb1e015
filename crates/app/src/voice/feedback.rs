//! Complaints and wishes into the store and the report out of it. Entries come from the card's
//! form and the `/feedback` page, an API batch, or exported files (`clientele feedback
//! import`); every entry is checked — the customer (known), the day (not in the future), the
//! time (within the day), lengths, the entry id (not twice in the input, not stored with a
//! different entry) — and a batch or a set of files with any rejected entry stores nothing: the
//! rejects say where and why. Each entry gets its first-response and resolution due times from
//! its severity's targets (the stored settings) when it comes in.
//!
//! The report: how the response targets were kept overall, per manager responsible (the
//! customer's manager) and per severity — the share answered and resolved within target with
//! Wilson intervals, the median times — complaints per category over time, and which
//! categories' complainants later slipped or were lost (`clientele_core::complaints`).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clientele_core::Day;
use clientele_core::closed_loop::{ComplaintTargets, Severity};
use clientele_core::complaints::{
    CategoryCost, ComplaintOutcome, EntryTimes, ResponseCompliance, categories_over_time,
    compliance_by, costliest_categories, response_compliance,
};
use clientele_core::nps::PeriodKind;
use clientele_ingest::columns::ColumnRef;
use clientele_ingest::feedback::{FeedbackField, read_feedback_rows};
use clientele_ingest::limits::ImportLimits;
use clientele_store::voice::{
    FeedbackKind, FeedbackOutcome, FeedbackTiming, MAX_FEEDBACK_CHARS, MAX_LABEL_CHARS, NewFeedback,
};
use clientele_store::{Scope, Store};

use crate::InvalidSetting;

/// The most entries in one API batch.
pub const MAX_FEEDBACK_BATCH: usize = 10_000;
/// The longest entry id, in characters (room for the ids imports derive).
pub const MAX_ENTRY_ID_CHARS: usize = 300;
/// The longest report window, in days (ten years).
pub const MAX_REPORT_DAYS: i64 = 3_660;

/// One entry as a front end received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackInput {
    /// The customer's id in the company's systems.
    pub customer: String,
    /// The sender's id: the same id again changes nothing.
    pub entry_id: Option<String>,
    pub kind: FeedbackKind,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub touchpoint: Option<String>,
    pub severity: Severity,
    pub body: String,
    /// The day it came in.
    pub day: Day,
    /// When it came in (Unix seconds, within `day`); `None`: the day's start.
    pub received_at: Option<i64>,
}

/// Why one entry was refused: its position (1-based index in a batch, line in a file), the
/// field at fault and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackReject {
    pub file: Option<PathBuf>,
    pub position: u64,
    pub field: &'static str,
    pub reason: String,
}

/// What a batch, a form or an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedbackAdded {
    /// Entries stored now.
    pub stored: u64,
    /// Entries whose id was already stored with the same entry.
    pub unchanged: u64,
    /// The ids of the entries, stored now or before, in input order (empty when refused).
    pub ids: Vec<i64>,
    /// Every refused entry; when not empty, nothing was stored.
    pub rejects: Vec<FeedbackReject>,
    /// How the files' columns were understood.
    pub notes: Vec<String>,
}

/// What `clientele feedback import` is told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackImportSettings {
    pub files: Vec<PathBuf>,
    /// Columns the headers do not name.
    pub map: Vec<(ColumnRef, FeedbackField)>,
    /// The kind of rows that name none.
    pub kind: FeedbackKind,
    /// The severity of rows that name none.
    pub severity: Severity,
    /// The channel of rows that name none.
    pub channel: Option<String>,
    /// Entries after this day are refused as from the future.
    pub today: Day,
    /// Who imports (the audit entry names them).
    pub actor: String,
}

fn reject(
    file: Option<&Path>,
    position: u64,
    field: &'static str,
    reason: impl Into<String>,
) -> FeedbackReject {
    FeedbackReject {
        file: file.map(Path::to_path_buf),
        position,
        field,
        reason: reason.into(),
    }
}

fn day_start(day: Day) -> i64 {
    i64::from(day.days_since_epoch()) * 86_400
}

/// Checks one entry for what needs no store.
fn check(
    e: &FeedbackInput,
    today: Day,
    file: Option<&Path>,
    position: u64,
) -> Result<(), FeedbackReject> {
    if e.customer.trim().is_empty()
        || e.customer.chars().count() > clientele_core::bounds::MAX_ID_CHARS
    {
        return Err(reject(
            file,
            position,
            "customer",
            "the customer id is empty or too long",
        ));
    }
    if e.day > today {
        return Err(reject(
            file,
            position,
            "date",
            format!("{} is in the future (today is {today})", e.day),
        ));
    }
    if e.body.trim().is_empty() {
        return Err(reject(file, position, "text", "the text is empty"));
    }
    if e.body.chars().count() > MAX_FEEDBACK_CHARS {
        return Err(reject(
            file,
            position,
            "text",
            format!("longer than {MAX_FEEDBACK_CHARS} characters"),
        ));
    }
    for (field, value, max) in [
        ("channel", &e.channel, MAX_LABEL_CHARS),
        ("category", &e.category, MAX_LABEL_CHARS),
        ("touchpoint", &e.touchpoint, MAX_LABEL_CHARS),
        ("entry_id", &e.entry_id, MAX_ENTRY_ID_CHARS),
    ] {
        if value.as_ref().is_some_and(|t| {
            t.trim().is_empty() || t.chars().count() > max || t.chars().any(char::is_control)
        }) {
            return Err(reject(
                file,
                position,
                field,
                format!("empty, longer than {max} characters or with control characters"),
            ));
        }
    }
    if let Some(at) = e.received_at {
        let start = day_start(e.day);
        if !(start..start + 86_400).contains(&at) {
            return Err(reject(
                file,
                position,
                "received_at",
                format!("{at} is not a time on {} (UTC)", e.day),
            ));
        }
    }
    Ok(())
}

/// Checks every entry and looks the customers up: the rejects, and the entries ready to store.
async fn prepare(
    store: &Store,
    scope: Scope,
    inputs: &[(Option<&Path>, u64, FeedbackInput)],
    source: &str,
    actor: &str,
    today: Day,
) -> Result<(Vec<FeedbackReject>, Vec<NewFeedback>)> {
    let mut rejects = Vec::new();
    let mut seen: HashMap<&str, u64> = HashMap::new();
    let mut fine = Vec::with_capacity(inputs.len());
    for (file, position, e) in inputs {
        if let Err(r) = check(e, today, *file, *position) {
            rejects.push(r);
            fine.push(false);
            continue;
        }
        fine.push(true);
        if let Some(id) = &e.entry_id {
            if let Some(first) = seen.get(id.as_str()) {
                rejects.push(reject(
                    *file,
                    *position,
                    "entry_id",
                    format!("entry id '{id}' appears twice (first at {first})"),
                ));
            } else {
                seen.insert(id, *position);
            }
        }
    }
    let externals: Vec<String> = inputs
        .iter()
        .map(|(_, _, e)| e.customer.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let ids = store
        .customer_ids_by_external(&externals)
        .await
        .context("looking up the customers")?;
    let mut visible: HashMap<i64, bool> = HashMap::new();
    if scope != Scope::All {
        for &id in ids.values() {
            let seen = match store.visible_customer(scope, id).await {
                Ok(()) => true,
                Err(clientele_store::StoreError::NotFound { .. }) => false,
                Err(e) => return Err(e).context("checking the customers' managers"),
            };
            visible.insert(id, seen);
        }
    }
    let mut entries = Vec::with_capacity(inputs.len());
    for ((file, position, e), ok) in inputs.iter().zip(fine) {
        // A manager records entries of their own customers; another's reads as unknown.
        let found = ids
            .get(&e.customer)
            .filter(|id| visible.get(id).copied().unwrap_or(true));
        let Some(&customer_id) = found else {
            rejects.push(reject(
                *file,
                *position,
                "customer",
                format!(
                    "no customer '{}' in the store (import their orders first)",
                    e.customer
                ),
            ));
            continue;
        };
        if !ok {
            continue;
        }
        entries.push(NewFeedback {
            customer_id,
            entry_id: e.entry_id.clone(),
            kind: e.kind,
            channel: e.channel.clone(),
            category: e.category.clone(),
            touchpoint: e.touchpoint.clone(),
            severity: e.severity,
            body: e.body.clone(),
            received_at: e.received_at.unwrap_or(day_start(e.day)),
            day: e.day,
            source: source.to_string(),
            created_by: actor.to_string(),
        });
    }
    rejects.sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
    Ok((rejects, entries))
}

/// Checks and stores entries as one unit.
async fn store_checked(
    store: &Store,
    scope: Scope,
    inputs: &[(Option<&Path>, u64, FeedbackInput)],
    source: &str,
    actor: &str,
    today: Day,
) -> Result<FeedbackAdded> {
    let mut out = FeedbackAdded::default();
    let (rejects, entries) = prepare(store, scope, inputs, source, actor, today).await?;
    if !rejects.is_empty() {
        out.rejects = rejects;
        return Ok(out);
    }
    let targets = store
        .voice_settings()
        .await
        .context("reading the response targets")?
        .complaint_targets;
    let (outcomes, committed) = store
        .add_feedback_entries(&entries, &targets, actor, true)
        .await
        .context("storing the entries")?;
    for (outcome, (file, position, _)) in outcomes.iter().zip(inputs) {
        match outcome {
            FeedbackOutcome::Stored { id } => {
                out.stored += 1;
                out.ids.push(*id);
            }
            FeedbackOutcome::Unchanged { id } => {
                out.unchanged += 1;
                out.ids.push(*id);
            }
            FeedbackOutcome::Conflict { id } => out.rejects.push(reject(
                *file,
                *position,
                "entry_id",
                format!(
                    "this entry id is stored with another entry (#{id}): an entry id names one entry"
                ),
            )),
        }
    }
    if !committed {
        out.stored = 0;
        out.unchanged = 0;
        out.ids.clear();
    }
    Ok(out)
}

/// Stores entries from a form (`source` "form") or the API ("api"): all of them, or — when any
/// is refused — none. Within `scope`: a manager adds entries of their own customers only.
pub async fn add_feedback(
    store: &Store,
    scope: Scope,
    batch: Vec<FeedbackInput>,
    source: &str,
    actor: &str,
    today: Day,
) -> Result<FeedbackAdded> {
    anyhow::ensure!(
        !batch.is_empty() && batch.len() <= MAX_FEEDBACK_BATCH,
        InvalidSetting::value(
            "entries",
            batch.len(),
            format!("entries in one batch; 1 to {MAX_FEEDBACK_BATCH}")
        )
    );
    let inputs: Vec<(Option<&Path>, u64, FeedbackInput)> = batch
        .into_iter()
        .enumerate()
        .map(|(i, e)| (None, i as u64 + 1, e))
        .collect();
    store_checked(store, scope, &inputs, source, actor, today).await
}

/// Reads the files and stores their entries: all of them, or — when any row is refused — none
/// (every bad row of every file is listed).
pub async fn import_feedback_files(
    store: &Store,
    settings: &FeedbackImportSettings,
) -> Result<FeedbackAdded> {
    let mut inputs = Vec::new();
    let mut early = FeedbackAdded::default();
    for path in &settings.files {
        let rows = read_feedback_rows(
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
            early.rejects.push(FeedbackReject {
                file: Some(path.clone()),
                position: r.row.line,
                field: clientele_ingest::feedback::feedback_field(&r.column)
                    .map_or("row", FeedbackField::as_str),
                reason: if r.column.is_empty() {
                    r.reason
                } else {
                    format!("column '{}': {}", r.column, r.reason)
                },
            });
        }
        for e in rows.entries {
            let kind = match &e.kind {
                None => settings.kind,
                Some(word) => match FeedbackKind::parse(word) {
                    Some(k) => k,
                    None => {
                        early.rejects.push(reject(
                            Some(path),
                            e.line,
                            "kind",
                            format!(
                                "'{word}' is not a kind: complaint/жалоба, wish/пожелание, praise/благодарность or question/вопрос"
                            ),
                        ));
                        continue;
                    }
                },
            };
            let severity = match &e.severity {
                None => settings.severity,
                Some(word) => match Severity::parse(word) {
                    Some(s) => s,
                    None => {
                        early.rejects.push(reject(
                            Some(path),
                            e.line,
                            "severity",
                            format!(
                                "'{word}' is not a severity: low/низкая, normal/средняя, high/высокая or critical/критическая"
                            ),
                        ));
                        continue;
                    }
                },
            };
            inputs.push((
                path.as_path(),
                e.line,
                FeedbackInput {
                    // Without an id column, an entry is named by its day, customer and text, so
                    // importing the same file again stores nothing twice.
                    entry_id: e.entry_id.or_else(|| {
                        Some(format!(
                            "import:{}:{}:{:016x}",
                            e.day,
                            e.customer,
                            text_hash(&e.text)
                        ))
                    }),
                    received_at: e.time_of_day.map(|s| day_start(e.day) + i64::from(s)),
                    customer: e.customer,
                    kind,
                    channel: e.channel.or_else(|| settings.channel.clone()),
                    category: e.category,
                    touchpoint: e.touchpoint,
                    severity,
                    body: e.text,
                    day: e.day,
                },
            ));
        }
    }
    let inputs: Vec<(Option<&Path>, u64, FeedbackInput)> = inputs
        .into_iter()
        .map(|(p, line, e)| (Some(p), line, e))
        .collect();
    if !early.rejects.is_empty() {
        // Still check the rows that were read, so one run lists every problem.
        let (later, _) = prepare(
            store,
            Scope::All,
            &inputs,
            "import",
            &settings.actor,
            settings.today,
        )
        .await?;
        early.rejects.extend(later);
        early
            .rejects
            .sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
        return Ok(early);
    }
    let mut out = store_checked(
        store,
        Scope::All,
        &inputs,
        "import",
        &settings.actor,
        settings.today,
    )
    .await?;
    out.notes = early.notes;
    Ok(out)
}

/// FNV-1a of a text: a stable name for an entry without an id (not a secret).
fn text_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What the report covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedbackReportSettings {
    pub scope: Scope,
    /// First day counted; default 90 days before `to`.
    pub from: Option<Day>,
    /// Last day counted; default today.
    pub to: Option<Day>,
    pub today: Day,
    /// The moment "overdue" and "within target" are judged at (Unix seconds).
    pub now: i64,
}

/// One manager's compliance.
#[derive(Clone, Debug, PartialEq)]
pub struct ManagerCompliance {
    /// `None`: customers without a manager.
    pub manager: Option<String>,
    pub compliance: ResponseCompliance,
}

/// The report.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedbackReport {
    pub from: Day,
    pub to: Day,
    pub now: i64,
    /// Every entry of the window (all kinds).
    pub overall: ResponseCompliance,
    /// Per manager responsible, the largest number of entries first.
    pub managers: Vec<ManagerCompliance>,
    pub severities: Vec<(Severity, ResponseCompliance)>,
    /// Entries per kind.
    pub kinds: Vec<(FeedbackKind, u64)>,
    /// Complaints per month and category (uncategorised ones under "").
    pub categories_by_month: Vec<(String, Vec<(String, u64)>)>,
    /// Complaint categories by what their complainants now at risk are worth.
    pub costliest: Vec<CategoryCost>,
    /// The snapshot the standing is read from; `None` when nothing is scored.
    pub snapshot: Option<Day>,
    /// The targets in force now (entries keep the ones they came in with).
    pub targets: ComplaintTargets,
}

fn times(t: &FeedbackTiming) -> EntryTimes {
    EntryTimes {
        received_at: t.received_at,
        first_response_due: t.first_response_due,
        first_response_at: t.first_response_at,
        resolution_due: t.resolution_due,
        resolved_at: t.resolved_at,
    }
}

/// The window a report reads, checked.
pub fn report_window(settings: &FeedbackReportSettings) -> Result<(Day, Day)> {
    let to = settings.to.unwrap_or(settings.today);
    let from = settings.from.unwrap_or(to.plus_days(-90));
    anyhow::ensure!(
        from <= to,
        InvalidSetting::value("from", from, format!("is after the last day {to}"))
    );
    let days = i64::from(to.days_since_epoch()) - i64::from(from.days_since_epoch());
    anyhow::ensure!(
        days <= MAX_REPORT_DAYS,
        InvalidSetting::value(
            "from",
            from,
            format!("the window is {days} days; at most {MAX_REPORT_DAYS}")
        )
    );
    Ok((from, to))
}

/// The complaints and wishes report within the settings' scope and window.
pub async fn feedback_report(
    store: &Store,
    settings: &FeedbackReportSettings,
) -> Result<FeedbackReport> {
    let (from, to) = report_window(settings)?;
    let now = settings.now;
    let timings = store
        .feedback_timings(settings.scope, from, to)
        .await
        .context("reading the entries")?;
    let overall = response_compliance(timings.iter().map(times), now);
    let mut names: HashMap<Option<i64>, Option<String>> = HashMap::new();
    for t in &timings {
        names.insert(t.manager_user_id, t.manager_name.clone());
    }
    let mut managers: Vec<ManagerCompliance> =
        compliance_by(timings.iter().map(|t| (t.manager_user_id, times(t))), now)
            .into_iter()
            .map(|(id, compliance)| ManagerCompliance {
                manager: names.get(&id).cloned().flatten(),
                compliance,
            })
            .collect();
    managers.sort_by(|a, b| {
        b.compliance
            .entries
            .cmp(&a.compliance.entries)
            .then_with(|| a.manager.cmp(&b.manager))
    });
    let severities = compliance_by(timings.iter().map(|t| (t.severity, times(t))), now);
    let kinds = FeedbackKind::ALL
        .into_iter()
        .map(|k| (k, timings.iter().filter(|t| t.kind == k).count() as u64))
        .filter(|(_, n)| *n > 0)
        .collect();
    let complaints: Vec<&FeedbackTiming> = timings
        .iter()
        .filter(|t| t.kind == FeedbackKind::Complaint)
        .collect();
    let categories_by_month = categories_over_time(
        complaints
            .iter()
            .map(|t| (t.day, t.category.as_deref().unwrap_or(""))),
        PeriodKind::Month,
    )
    .into_iter()
    .map(|(k, cats)| (k.to_string(), cats))
    .collect();
    let snapshot = store
        .snapshot_on_or_before(None)
        .await
        .context("finding the latest snapshot")?;
    let costliest = match snapshot {
        Some(snap) => {
            let standing = store
                .complainant_standing(settings.scope, from, to, snap)
                .await
                .context("reading the complainants' standing")?;
            costliest_categories(complaints.iter().map(|t| {
                let s = standing.get(&t.customer_id);
                ComplaintOutcome {
                    category: t.category.as_deref().unwrap_or(""),
                    customer: t.customer_id,
                    later_status: s.and_then(|s| s.status),
                    revenue: s.map_or(clientele_core::Money::ZERO, |s| s.revenue),
                    clv: s.and_then(|s| s.clv),
                }
            }))
        }
        None => Vec::new(),
    };
    let targets = store
        .voice_settings()
        .await
        .context("reading the response targets")?
        .complaint_targets;
    Ok(FeedbackReport {
        from,
        to,
        now,
        overall,
        managers,
        severities,
        kinds,
        categories_by_month,
        costliest,
        snapshot,
        targets,
    })
}

/// Changes one severity's targets (hours), audited; entries already in keep theirs.
pub async fn set_complaint_targets(
    store: &Store,
    severity: Severity,
    first_response_hours: u32,
    resolution_hours: u32,
    actor: &str,
) -> Result<ComplaintTargets> {
    let mut settings = store
        .voice_settings()
        .await
        .context("reading the settings")?;
    settings
        .complaint_targets
        .set_hours(severity, first_response_hours, resolution_hours)
        .map_err(|e| InvalidSetting::new("targets", e.to_string()))?;
    store
        .set_voice_settings(&settings, actor)
        .await
        .context("storing the targets")?;
    Ok(settings.complaint_targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> FeedbackInput {
        FeedbackInput {
            customer: "C1".into(),
            entry_id: None,
            kind: FeedbackKind::Complaint,
            channel: None,
            category: None,
            touchpoint: None,
            severity: Severity::Normal,
            body: "late".into(),
            day: Day::from_ymd(2024, 3, 1).unwrap(),
            received_at: None,
        }
    }

    #[test]
    fn hostile_entries_are_refused_with_their_field() {
        let today = Day::from_ymd(2024, 3, 2).unwrap();
        assert!(check(&input(), today, None, 1).is_ok());
        let field = |e: FeedbackInput| check(&e, today, None, 7).unwrap_err().field;
        assert_eq!(
            field(FeedbackInput {
                day: Day::from_ymd(2024, 3, 3).unwrap(),
                ..input()
            }),
            "date"
        );
        assert_eq!(
            field(FeedbackInput {
                body: "  ".into(),
                ..input()
            }),
            "text"
        );
        assert_eq!(
            field(FeedbackInput {
                body: "x".repeat(MAX_FEEDBACK_CHARS + 1),
                ..input()
            }),
            "text"
        );
        assert_eq!(
            field(FeedbackInput {
                category: Some("a\u{0}b".into()),
                ..input()
            }),
            "category"
        );
        assert_eq!(
            field(FeedbackInput {
                customer: String::new(),
                ..input()
            }),
            "customer"
        );
        // 2024-03-01 starts at 1709251200; the next day's first second is refused.
        assert_eq!(
            field(FeedbackInput {
                received_at: Some(1_709_251_200 + 86_400),
                ..input()
            }),
            "received_at"
        );
        assert!(
            check(
                &FeedbackInput {
                    received_at: Some(1_709_251_200 + 86_399),
                    ..input()
                },
                today,
                None,
                1
            )
            .is_ok()
        );
    }

    #[test]
    fn windows_are_bounded() {
        let today = Day::from_ymd(2024, 3, 2).unwrap();
        let s = |from: Option<Day>| FeedbackReportSettings {
            scope: Scope::All,
            from,
            to: None,
            today,
            now: 0,
        };
        assert_eq!(
            report_window(&s(None)).unwrap(),
            (today.plus_days(-90), today)
        );
        assert!(report_window(&s(Some(Day::from_ymd(2024, 3, 3).unwrap()))).is_err());
        assert!(report_window(&s(Some(Day::from_ymd(2000, 1, 1).unwrap()))).is_err());
        assert_ne!(text_hash("a"), text_hash("b"));
    }
}
