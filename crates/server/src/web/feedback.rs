//! The complaints and wishes page (`/feedback`): a form to record one (also on the customer's
//! card), the log overdue first with a form per entry to answer it and then resolve it (open →
//! answered → resolved, CSRF-checked, each answered with a redirect and a message saying what
//! was done), the response targets per severity, and how each manager kept them (the share
//! answered and resolved within target, the median times). The list downloads as CSV and xlsx.
//! A manager sees and records their customers' entries only.

use axum::Form;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_app::voice::{
    FeedbackInput, FeedbackReject, FeedbackReportSettings, add_feedback, feedback_report,
};
use clientele_core::closed_loop::Severity;
use clientele_core::complaints::ResponseCompliance;
use clientele_store::voice::{FeedbackFilter, FeedbackItem, FeedbackKind, FeedbackState};
use serde::Deserialize;

use super::export::{Cell, CsvStyle, XLSX, XlsxWriter, csv_chunk, csv_response, download};
use super::i18n::{Arg, Lang, Tr};
use super::lists::{Pager, today_utc};
use super::{Layout, WebError, WebUser, per_page, render, see_other};
use crate::AppState;
use crate::error::ApiError;
use crate::routes::feedback::{filter_of, is_overdue, kind_word, status_of};

/// The most rows one download holds.
const MAX_EXPORT_ROWS: u32 = 100_000;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

pub struct EntryRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer: String,
    pub kind: String,
    pub severity: String,
    pub category: String,
    pub channel: String,
    pub text: String,
    pub received: String,
    /// The next due time: the first response's while unanswered, then the resolution's.
    pub due: String,
    pub status: String,
    /// open, answered or resolved (for the form and styling).
    pub status_key: &'static str,
    pub overdue: bool,
    pub manager: String,
    pub first_response: String,
    pub resolution: String,
}

pub struct ComplianceRow {
    pub label: String,
    pub entries: String,
    pub overdue: String,
    pub first_share: String,
    pub first_median: String,
    pub resolution_share: String,
    pub resolution_median: String,
}

pub struct TargetRow {
    pub severity: String,
    pub first: String,
    pub resolution: String,
}

/// (value, label, selected) of a choice.
type Choice = (&'static str, String, bool);

#[derive(askama::Template)]
#[template(path = "feedback.html")]
struct FeedbackPage {
    layout: Layout,
    t: Tr,
    csrf: String,
    flash: Option<String>,
    total: String,
    rows: Vec<EntryRow>,
    pager: Pager,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    /// The kinds of the new-entry form (complaint first).
    form_kinds: Vec<Choice>,
    severities: Vec<Choice>,
    customer: String,
    today: String,
    csv_link: String,
    xlsx_link: String,
    report_window: String,
    overall: ComplianceRow,
    managers: Vec<ComplianceRow>,
    targets: Vec<TargetRow>,
}

#[derive(Debug, Default, Deserialize)]
pub struct FeedbackQuery {
    state: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    page: Option<u32>,
    /// What was just done: added, answered or resolved.
    done: Option<String>,
    id: Option<i64>,
    /// Prefills the form's customer (from a card).
    customer: Option<String>,
    excel: Option<String>,
}

fn kind_label(tr: Tr, k: FeedbackKind) -> String {
    tr.get(&format!("feedback-kind-{}", kind_word(k)))
}

fn severity_label(tr: Tr, s: Severity) -> String {
    tr.get(&format!("feedback-severity-{}", s.as_str()))
}

fn filter_error(tr: Tr, e: ApiError) -> WebError {
    match e {
        ApiError::Invalid { field, .. } => WebError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: tr.with(
                "feedback-bad-filter",
                &[(
                    "field",
                    Arg::Text(tr.get(&format!("feedback-field-{field}"))),
                )],
            ),
            tr,
        },
        other => {
            tracing::error!("feedback page: {other}");
            WebError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: tr.get("error-internal"),
                tr,
            }
        }
    }
}

fn hours(tr: Tr, h: Option<f64>) -> String {
    match h {
        None => tr.get("feedback-none-yet"),
        Some(h) => {
            let text = format!("{h:.1}");
            let text = match tr.lang {
                Lang::Ru => text.replace('.', ","),
                Lang::En => text,
            };
            tr.with("feedback-hours", &[("hours", Arg::Text(text))])
        }
    }
}

fn share(tr: Tr, c: &clientele_core::closed_loop::TargetCompliance) -> String {
    match (c.share(), c.ci95()) {
        (Some(s), Some(i)) => tr.with(
            "feedback-share",
            &[
                ("share", Arg::Text(tr.percent(s))),
                ("lo", Arg::Text(tr.percent(i.lo))),
                ("hi", Arg::Text(tr.percent(i.hi))),
                ("within", Arg::Text(tr.int(c.within as i64))),
                ("decided", Arg::Text(tr.int(c.decided() as i64))),
            ],
        ),
        _ => tr.get("feedback-none-yet"),
    }
}

fn compliance_row(tr: Tr, label: String, c: &ResponseCompliance) -> ComplianceRow {
    ComplianceRow {
        label,
        entries: tr.int(c.entries as i64),
        overdue: tr.int(c.overdue as i64),
        first_share: share(tr, &c.first_response),
        first_median: hours(tr, c.median_first_response_hours),
        resolution_share: share(tr, &c.resolution),
        resolution_median: hours(tr, c.median_resolution_hours),
    }
}

fn entry_row(tr: Tr, f: &FeedbackItem, now: i64) -> EntryRow {
    let status_key = status_of(f);
    EntryRow {
        id: f.id,
        customer_id: f.customer_id,
        customer: f.customer_name.clone().map_or_else(
            || f.external_id.clone(),
            |n| format!("{n} ({})", f.external_id),
        ),
        kind: kind_label(tr, f.kind),
        severity: severity_label(tr, f.severity),
        category: f.category.clone().unwrap_or_default(),
        channel: f.channel.clone().unwrap_or_default(),
        text: f.body.clone(),
        received: tr.instant(f.received_at),
        due: tr.instant(if f.first_response_at.is_none() {
            f.first_response_due
        } else {
            f.resolution_due
        }),
        status: tr.get(&format!("feedback-status-{status_key}")),
        status_key,
        overdue: is_overdue(f, now),
        manager: f
            .manager_name
            .clone()
            .unwrap_or_else(|| tr.get("feedback-unassigned")),
        first_response: f.first_response.clone().unwrap_or_default(),
        resolution: f.resolution.clone().unwrap_or_default(),
    }
}

/// The query string of the filters (for the pager and the downloads).
fn filter_query(q: &FeedbackQuery) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("state", &q.state),
        ("kind", &q.kind),
        ("category", &q.category),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            let v: String = form_urlencoded::byte_serialize(v.as_bytes()).collect();
            parts.push(format!("{k}={v}"));
        }
    }
    parts.join("&")
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(q): Query<FeedbackQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let filter = filter_of(q.state.as_deref(), q.kind.as_deref(), q.category.as_deref())
        .map_err(|e| filter_error(tr, e))?;
    let per = per_page(&state);
    let page = q.page.unwrap_or(1).max(1);
    let offset = u64::from(page - 1) * u64::from(per);
    let list = state
        .store
        .feedback_entries(user.scope(), &filter, per, offset)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let at = now();
    let today = today_utc();
    let report = feedback_report(
        &state.store,
        &FeedbackReportSettings {
            scope: user.scope(),
            from: None,
            to: None,
            today,
            now: at,
        },
    )
    .await
    .map_err(|e| {
        tracing::error!("feedback report: {e:#}");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: tr.get("error-internal"),
            tr,
        }
    })?;
    let query = filter_query(&q);
    let path = if query.is_empty() {
        "/feedback?".to_string()
    } else {
        format!("/feedback?{query}&")
    };
    let more = offset + u64::from(per) < list.total;
    let flash = match (q.done.as_deref(), q.id) {
        (Some(what @ ("added" | "answered" | "resolved")), Some(id)) => Some(tr.with(
            &format!("feedback-done-{what}"),
            &[("id", Arg::Text(id.to_string()))],
        )),
        _ => None,
    };
    let state_choice = filter.state;
    let body = FeedbackPage {
        layout: user.layout("feedback", tr.get("page-feedback"), &uri.to_string()),
        t: tr,
        csrf: user.csrf.clone(),
        flash,
        total: tr.count("feedback-count", list.total as i64),
        rows: list.items.iter().map(|f| entry_row(tr, f, at)).collect(),
        pager: Pager {
            prev: (page > 1).then(|| format!("{path}page={}", page - 1)),
            next: more.then(|| format!("{path}page={}", page + 1)),
        },
        states: FeedbackState::ALL
            .into_iter()
            .map(|s| {
                (
                    s.as_str(),
                    tr.get(&format!("feedback-state-{}", s.as_str())),
                    s == state_choice,
                )
            })
            .collect(),
        kinds: std::iter::once(("", tr.get("feedback-kind-any"), filter.kind.is_none()))
            .chain(
                FeedbackKind::ALL
                    .into_iter()
                    .map(|k| (kind_word(k), kind_label(tr, k), filter.kind == Some(k))),
            )
            .collect(),
        form_kinds: FeedbackKind::ALL
            .into_iter()
            .map(|k| {
                (
                    kind_word(k),
                    kind_label(tr, k),
                    k == FeedbackKind::Complaint,
                )
            })
            .collect(),
        severities: Severity::ALL
            .into_iter()
            .map(|s| (s.as_str(), severity_label(tr, s), s == Severity::Normal))
            .collect(),
        customer: q.customer.clone().unwrap_or_default(),
        today: today.to_string(),
        csv_link: format!("/feedback.csv?{query}"),
        xlsx_link: format!("/feedback.xlsx?{query}"),
        report_window: tr.with(
            "feedback-report-window",
            &[
                ("from", Arg::Text(tr.date(report.from))),
                ("to", Arg::Text(tr.date(report.to))),
            ],
        ),
        overall: compliance_row(tr, tr.get("feedback-all-managers"), &report.overall),
        managers: report
            .managers
            .iter()
            .map(|m| {
                compliance_row(
                    tr,
                    m.manager
                        .clone()
                        .unwrap_or_else(|| tr.get("feedback-unassigned")),
                    &m.compliance,
                )
            })
            .collect(),
        targets: Severity::ALL
            .into_iter()
            .map(|s| {
                let g = report.targets.get(s);
                TargetRow {
                    severity: severity_label(tr, s),
                    first: tr.count("feedback-target-hours", g.first_response / 3_600),
                    resolution: tr.count("feedback-target-hours", g.resolution / 3_600),
                }
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &body))
}

#[derive(Debug, Deserialize)]
pub struct NewEntryForm {
    csrf: Option<String>,
    #[serde(default)]
    customer: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    date: String,
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// A refused entry, worded in the reader's language (the app's reasons are English).
fn reject_error(tr: Tr, r: &FeedbackReject) -> WebError {
    let message = match r.field {
        "customer" => tr.get("feedback-bad-customer"),
        "date" | "received_at" => tr.get("feedback-bad-date"),
        "text" => tr.get("feedback-bad-text"),
        other => tr.with(
            "feedback-bad-field",
            &[(
                "field",
                Arg::Text(tr.get(&format!("feedback-field-{other}"))),
            )],
        ),
    };
    WebError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message,
        tr,
    }
}

async fn record(
    state: &AppState,
    user: &WebUser,
    form: NewEntryForm,
    customer: String,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    let bad = |field: &str| WebError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: tr.with(
            "feedback-bad-field",
            &[(
                "field",
                Arg::Text(tr.get(&format!("feedback-field-{field}"))),
            )],
        ),
        tr,
    };
    let kind = match form.kind.trim() {
        "" => FeedbackKind::Complaint,
        k => FeedbackKind::parse(k).ok_or_else(|| bad("kind"))?,
    };
    let severity = match form.severity.trim() {
        "" => Severity::Normal,
        s => Severity::parse(s).ok_or_else(|| bad("severity"))?,
    };
    let today = today_utc();
    let day = match form.date.trim() {
        "" => today,
        d => crate::routes::parse_day("date", d).map_err(|_| tr_error(tr, "feedback-bad-date"))?,
    };
    // Recorded now: the receipt is this moment when the day is today, else the day's start.
    let received_at = (day == today).then(now);
    let outcome = add_feedback(
        &state.store,
        user.scope(),
        vec![FeedbackInput {
            customer,
            entry_id: None,
            kind,
            channel: optional(&form.channel),
            category: optional(&form.category),
            touchpoint: None,
            severity,
            body: form.text,
            day,
            received_at,
        }],
        "form",
        &user.user.name,
        today,
    )
    .await
    .map_err(|e| {
        tracing::error!("recording feedback: {e:#}");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: tr.get("error-internal"),
            tr,
        }
    })?;
    if let Some(r) = outcome.rejects.first() {
        return Err(reject_error(tr, r));
    }
    let id = outcome.ids.first().copied().unwrap_or_default();
    Ok(see_other(&format!("/feedback?done=added&id={id}")))
}

fn tr_error(tr: Tr, id: &str) -> WebError {
    WebError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: tr.get(id),
        tr,
    }
}

/// The `/feedback` page's form: the customer by their id in the company's systems.
pub async fn add(
    State(state): State<AppState>,
    user: WebUser,
    Form(form): Form<NewEntryForm>,
) -> Result<Response, WebError> {
    let customer = form.customer.trim().to_string();
    record(&state, &user, form, customer).await
}

/// The card's form: the customer by the card's id.
pub async fn add_from_card(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Path(id): Path<String>,
    Form(form): Form<NewEntryForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let id: i64 = id
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| WebError::bad_address(tr, uri.path()))?;
    user.check_csrf(form.csrf.as_deref())?;
    state
        .store
        .visible_customer(user.scope(), id)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let external = state
        .store
        .customer(id)
        .await
        .map_err(|e| WebError::store(e, tr))?
        .external_id;
    record(&state, &user, form, external).await
}

#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: Option<String>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    note: String,
}

/// Answers or resolves an entry.
pub async fn act(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    let id: i64 = id
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| WebError::bad_address(tr, uri.path()))?;
    let resolve = match form.action.as_str() {
        "answer" => false,
        "resolve" => true,
        _ => return Err(tr_error(tr, "feedback-bad-action")),
    };
    if form.note.trim().is_empty() {
        return Err(tr_error(tr, "feedback-note-empty"));
    }
    let item = state
        .store
        .feedback_entry(user.scope(), id)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    if item.resolved_at.is_some() {
        return Err(tr_error(tr, "feedback-already-resolved"));
    }
    if !resolve && item.first_response_at.is_some() {
        return Err(tr_error(tr, "feedback-already-answered"));
    }
    if form.note.chars().count() > clientele_store::voice::MAX_FEEDBACK_CHARS {
        return Err(tr_error(tr, "feedback-note-long"));
    }
    state
        .store
        .respond_to_feedback(user.scope(), id, &user.user.name, &form.note, resolve)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let what = if resolve { "resolved" } else { "answered" };
    Ok(see_other(&format!("/feedback?done={what}&id={id}")))
}

fn export_header(tr: Tr) -> Vec<String> {
    [
        "feedback-col-id",
        "feedback-col-customer-id",
        "feedback-col-customer",
        "feedback-col-kind",
        "feedback-col-severity",
        "feedback-col-category",
        "feedback-col-channel",
        "feedback-col-text",
        "feedback-col-received",
        "feedback-col-first-due",
        "feedback-col-first-at",
        "feedback-col-resolution-due",
        "feedback-col-resolved-at",
        "feedback-col-status",
        "feedback-col-overdue",
        "feedback-col-manager",
        "feedback-col-first-response",
        "feedback-col-resolution",
    ]
    .iter()
    .map(|id| tr.get(id))
    .collect()
}

fn export_row(tr: Tr, f: &FeedbackItem, now: i64, plain: bool) -> Vec<Cell> {
    let word = |code: &str, label: String| {
        if plain {
            Cell::text(code)
        } else {
            Cell::text(label)
        }
    };
    let instant = |t: Option<i64>| t.map_or(Cell::Empty, |t| Cell::text(tr.instant(t)));
    let status = status_of(f);
    let overdue = is_overdue(f, now);
    vec![
        Cell::Int(f.id),
        Cell::text(f.external_id.clone()),
        Cell::text(f.customer_name.clone().unwrap_or_default()),
        word(kind_word(f.kind), kind_label(tr, f.kind)),
        word(f.severity.as_str(), severity_label(tr, f.severity)),
        Cell::text(f.category.clone().unwrap_or_default()),
        Cell::text(f.channel.clone().unwrap_or_default()),
        Cell::text(f.body.clone()),
        instant(Some(f.received_at)),
        instant(Some(f.first_response_due)),
        instant(f.first_response_at),
        instant(Some(f.resolution_due)),
        instant(f.resolved_at),
        word(status, tr.get(&format!("feedback-status-{status}"))),
        word(
            if overdue { "yes" } else { "no" },
            tr.get(if overdue {
                "feedback-yes"
            } else {
                "feedback-no"
            }),
        ),
        Cell::text(f.manager_name.clone().unwrap_or_default()),
        Cell::text(f.first_response.clone().unwrap_or_default()),
        Cell::text(f.resolution.clone().unwrap_or_default()),
    ]
}

async fn export_items(
    state: &AppState,
    user: &WebUser,
    filter: &FeedbackFilter,
) -> Result<Vec<FeedbackItem>, WebError> {
    let tr = user.tr;
    let mut items = Vec::new();
    loop {
        let page = state
            .store
            .feedback_entries(user.scope(), filter, 1_000, items.len() as u64)
            .await
            .map_err(|e| WebError::store(e, tr))?;
        let got = page.items.len();
        items.extend(page.items);
        if got < 1_000 || items.len() as u64 >= page.total {
            break;
        }
        if items.len() >= MAX_EXPORT_ROWS as usize {
            return Err(tr_error(tr, "feedback-export-too-long"));
        }
    }
    Ok(items)
}

/// The list as CSV (Excel's style for Russian readers or `?excel=1`).
pub async fn csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<FeedbackQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let filter = filter_of(q.state.as_deref(), q.kind.as_deref(), q.category.as_deref())
        .map_err(|e| filter_error(tr, e))?;
    let items = export_items(&state, &user, &filter).await?;
    let style = CsvStyle::choose(&tr, q.excel.as_deref());
    let at = now();
    let rows: Vec<Vec<Cell>> = items
        .iter()
        .map(|f| export_row(tr, f, at, style == CsvStyle::Plain))
        .collect();
    let header = export_header(tr);
    let bytes = csv_chunk(style, &tr, Some(&header), &rows).map_err(|e| {
        tracing::error!("feedback csv: {e}");
        tr_error(tr, "error-internal")
    })?;
    Ok(csv_response("feedback.csv", Body::from(bytes)))
}

/// The list as `.xlsx`.
pub async fn xlsx(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<FeedbackQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let filter = filter_of(q.state.as_deref(), q.kind.as_deref(), q.category.as_deref())
        .map_err(|e| filter_error(tr, e))?;
    let items = export_items(&state, &user, &filter).await?;
    let at = now();
    let rows: Vec<Vec<Cell>> = items.iter().map(|f| export_row(tr, f, at, false)).collect();
    let mut w = XlsxWriter::new(&tr.get("page-feedback"), &export_header(tr))
        .map_err(|e| super::export::xlsx_failed(tr, e))?;
    w.rows(&rows)
        .map_err(|e| super::export::xlsx_failed(tr, e))?;
    let bytes = w.finish().map_err(|e| super::export::xlsx_failed(tr, e))?;
    Ok(download("feedback.xlsx", XLSX, Body::from(bytes)))
}
