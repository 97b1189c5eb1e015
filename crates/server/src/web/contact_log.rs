//! The contact log as a list to work through: `/contact-log` shows what was planned, sent,
//! exported or cancelled for the user's customers (a manager sees only theirs: the scope is the
//! store's condition), newest first, filtered by customer, module, channel, state, outcome and
//! days, a page at a time; `/contact-log.csv` and `/contact-log.xlsx` are the whole filtered log
//! as files (the CSV plain or Excel's, `export::CsvStyle`).

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_core::Day;
use clientele_core::contact_policy::Module;
use clientele_core::winback::AttemptOutcome;
use clientele_store::{
    Channel, ContactLogEntry, ContactLogFilter, ContactState, Scope, StoreError,
};
use serde::Deserialize;

use super::export::{
    Cell, CsvStyle, XLSX, XlsxWriter, csv_chunk, csv_response, download, xlsx_failed,
};
use super::i18n::{Arg, Tr};
use super::lists::Pager;
use super::{Layout, WebError, WebUser, offset_of, per_page, render};
use crate::AppState;

/// The longest customer number the filter accepts (an external id is at most this long).
const MAX_CUSTOMER_CHARS: usize = 200;
/// The last page number accepted (a manager pages by hand; a script reads the export).
const MAX_PAGE: u32 = 100_000;
/// Rows per database round trip of an export.
const EXPORT_BATCH: u32 = 2_000;

/// The page's query: every filter as the form sends it (an empty value is no filter).
#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    customer: String,
    #[serde(default)]
    module: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    until: String,
    #[serde(default)]
    page: String,
    /// `1` asks for Excel's CSV, `0` for the plain one (default: by the reader's language).
    excel: Option<String>,
}

impl LogQuery {
    /// The filters as a query string (without the page), for the pager and the downloads.
    fn filters(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("customer", &self.customer),
            ("module", &self.module),
            ("channel", &self.channel),
            ("state", &self.state),
            ("outcome", &self.outcome),
            ("from", &self.from),
            ("until", &self.until),
        ] {
            if !value.trim().is_empty() {
                q.append_pair(name, value.trim());
            }
        }
        q.finish()
    }
}

/// One choice of a filter's list.
pub struct Choice {
    value: &'static str,
    label: String,
    selected: bool,
}

fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    chosen: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|&c| Choice {
            value: code(c),
            label: label(c),
            selected: code(c) == chosen.trim(),
        })
        .collect()
}

pub struct LogRow {
    time: String,
    customer: i64,
    customer_name: String,
    channel: String,
    kind: String,
    module: String,
    state: String,
    outcome: String,
    subject: String,
    reason: String,
    author: String,
}

#[derive(askama::Template)]
#[template(path = "contact_log.html")]
struct ContactLogPage {
    layout: Layout,
    t: Tr,
    customer: String,
    from: String,
    until: String,
    modules: Vec<Choice>,
    channels: Vec<Choice>,
    states: Vec<Choice>,
    outcomes: Vec<Choice>,
    filtered: bool,
    /// The filters as a query string, which the downloads carry.
    filters: String,
    rows: Vec<LogRow>,
    pager: Pager,
}

/// A filter's value that is none of its choices: a clear error naming the filter.
fn not_one_of(tr: Tr, field: &str, value: &str, codes: &[&str]) -> WebError {
    WebError::not_one_of(
        tr,
        field,
        value,
        codes.iter().map(|c| (*c).to_string()).collect(),
    )
}

fn parse_day(tr: Tr, field: &str, text: &str) -> Result<Option<Day>, WebError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    crate::routes::parse_day(field, text)
        .map(Some)
        .map_err(|_| {
            WebError::invalid(
                tr,
                &tr.get(field),
                tr.with(
                    "contact-log-bad-day",
                    &[("value", Arg::Text(text.chars().take(40).collect()))],
                ),
            )
        })
}

/// The store's filter from the query (without limit and offset), every value checked; an
/// unknown customer number matches no row (as another manager's customer does: the page does
/// not tell whether a number exists outside the reader's scope).
async fn filter(state: &AppState, tr: Tr, q: &LogQuery) -> Result<ContactLogFilter, WebError> {
    let pick = |text: &str| {
        let t = text.trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    let module = match pick(&q.module) {
        None => None,
        Some(m) => Some(Module::parse(&m).ok_or_else(|| {
            not_one_of(
                tr,
                "contacts-col-module",
                &m,
                &Module::ALL.map(Module::as_str),
            )
        })?),
    };
    let channel = match pick(&q.channel) {
        None => None,
        Some(c) => Some(Channel::parse(&c).ok_or_else(|| {
            not_one_of(tr, "col-channel", &c, &Channel::ALL.map(Channel::as_str))
        })?),
    };
    let contact_state = match pick(&q.state) {
        None => None,
        Some(s) => Some(ContactState::parse(&s).ok_or_else(|| {
            not_one_of(
                tr,
                "contacts-col-state",
                &s,
                &ContactState::ALL.map(ContactState::as_str),
            )
        })?),
    };
    let outcome = match pick(&q.outcome) {
        None => None,
        Some(o) => Some(
            AttemptOutcome::parse(&o)
                .ok_or_else(|| {
                    not_one_of(
                        tr,
                        "contact-log-col-outcome",
                        &o,
                        &AttemptOutcome::ALL.map(AttemptOutcome::as_str),
                    )
                })?
                .as_str()
                .to_string(),
        ),
    };
    let from = parse_day(tr, "contact-log-from", &q.from)?;
    let until = parse_day(tr, "contact-log-until", &q.until)?;
    if let (Some(f), Some(u)) = (from, until)
        && u < f
    {
        return Err(WebError::invalid(
            tr,
            &tr.get("contact-log-until"),
            tr.get("contact-log-until-before-from"),
        ));
    }
    let customer_id = match pick(&q.customer) {
        None => None,
        Some(c) if c.chars().count() > MAX_CUSTOMER_CHARS => {
            return Err(WebError::invalid(
                tr,
                &tr.get("col-customer"),
                tr.with(
                    "contact-log-customer-too-long",
                    &[("max", Arg::Num(MAX_CUSTOMER_CHARS as f64))],
                ),
            ));
        }
        Some(c) => match state.store.customer_id(&c).await {
            Ok(id) => Some(id),
            Err(StoreError::NotFound { .. }) => Some(0),
            Err(e) => return Err(WebError::store(e, tr)),
        },
    };
    let seconds = |d: Day| i64::from(d.days_since_epoch()) * 86_400;
    Ok(ContactLogFilter {
        customer_id,
        from: from.map(seconds),
        until: until.map(|u| seconds(u) + 86_400),
        module,
        channel,
        state: contact_state,
        outcome,
        ..ContactLogFilter::default()
    })
}

fn page_number(tr: Tr, text: &str) -> Result<Option<u32>, WebError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<u32>()
        .ok()
        .filter(|p| (1..=MAX_PAGE).contains(p))
        .map(Some)
        .ok_or_else(|| {
            WebError::invalid(
                tr,
                &tr.get("pagination"),
                tr.with(
                    "contact-log-bad-page",
                    &[("max", Arg::Num(f64::from(MAX_PAGE)))],
                ),
            )
        })
}

fn channel_words(tr: &Tr, stored: &str) -> String {
    Channel::parse(stored).map_or_else(
        || stored.to_string(),
        |c| tr.get(&format!("channel-{}", c.as_str())),
    )
}

fn outcome_words(tr: &Tr, stored: Option<&str>) -> String {
    match stored {
        None => String::new(),
        Some(o) => match AttemptOutcome::parse(o) {
            Some(known) => tr.get(&format!("winback-outcome-{}", known.as_str())),
            None => o.to_string(),
        },
    }
}

fn kind_words(tr: &Tr, e: &ContactLogEntry) -> String {
    e.kind.map_or_else(
        || tr.get("kind-unknown"),
        |k| tr.get(&format!("kind-{}", k.as_str())),
    )
}

fn module_words(tr: &Tr, e: &ContactLogEntry) -> String {
    e.module.map_or_else(
        || tr.get("module-unknown"),
        |m| tr.get(&format!("module-{}", m.as_str())),
    )
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(query): Query<LogQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let mut filter = filter(&state, tr, &query).await?;
    let per_page = per_page(&state);
    let (page, offset) = offset_of(page_number(tr, &query.page)?, per_page);
    filter.limit = per_page + 1;
    filter.offset = offset;
    let mut entries = state
        .store
        .contact_log(user.scope(), &filter)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let more = entries.len() > per_page as usize;
    entries.truncate(per_page as usize);
    let rows = entries
        .into_iter()
        .map(|e| LogRow {
            time: tr.instant(e.planned_for.unwrap_or(e.at)),
            customer: e.customer_id,
            customer_name: e.customer_name.clone().unwrap_or(e.external_id.clone()),
            channel: channel_words(&tr, &e.channel),
            kind: kind_words(&tr, &e),
            module: module_words(&tr, &e),
            state: tr.get(&format!("contact-state-{}", e.state.as_str())),
            outcome: outcome_words(&tr, e.outcome.as_deref()),
            subject: e.subject.unwrap_or_default(),
            reason: e.reason.unwrap_or_default(),
            author: e.author.unwrap_or_default(),
        })
        .collect();
    let filters = query.filters();
    let link = |p: u32| {
        if filters.is_empty() {
            format!("/contact-log?page={p}")
        } else {
            format!("/contact-log?{filters}&page={p}")
        }
    };
    let view = ContactLogPage {
        layout: user.layout("contact-log", tr.get("page-contact-log"), &uri.to_string()),
        t: tr,
        customer: query.customer.trim().to_string(),
        from: query.from.trim().to_string(),
        until: query.until.trim().to_string(),
        modules: choices(
            &Module::ALL,
            Module::as_str,
            |m| tr.get(&format!("module-{}", m.as_str())),
            &query.module,
        ),
        channels: choices(
            &Channel::ALL,
            Channel::as_str,
            |c| tr.get(&format!("channel-{}", c.as_str())),
            &query.channel,
        ),
        states: choices(
            &ContactState::ALL,
            ContactState::as_str,
            |s| tr.get(&format!("contact-state-{}", s.as_str())),
            &query.state,
        ),
        outcomes: choices(
            &AttemptOutcome::ALL,
            AttemptOutcome::as_str,
            |o| tr.get(&format!("winback-outcome-{}", o.as_str())),
            &query.outcome,
        ),
        filtered: !filters.is_empty(),
        filters: if filters.is_empty() {
            String::new()
        } else {
            format!("?{filters}")
        },
        rows,
        pager: Pager {
            prev: (page > 1).then(|| link(page - 1)),
            next: more.then(|| link(page + 1)),
        },
    };
    Ok(render(StatusCode::OK, &view))
}

/// The plain CSV's header: stable, language-free column names scripts rely on.
const PLAIN_HEADER: [&str; 14] = [
    "id",
    "time",
    "customer_id",
    "external_id",
    "name",
    "channel",
    "direction",
    "kind",
    "module",
    "state",
    "outcome",
    "subject",
    "reason",
    "author",
];

fn words_header(tr: &Tr) -> Vec<String> {
    [
        "col-number",
        "contacts-col-time",
        "col-customer",
        "col-external-id",
        "col-name",
        "col-channel",
        "contact-log-col-direction",
        "contacts-col-kind",
        "contacts-col-module",
        "contacts-col-state",
        "contact-log-col-outcome",
        "contacts-col-subject",
        "contacts-col-reason",
        "contacts-col-author",
    ]
    .iter()
    .map(|id| tr.get(id))
    .collect()
}

/// A time as `YYYY-MM-DD HH:MM:SS` UTC (both styles: a spreadsheet reads it as a date).
fn utc_time(unix: i64) -> String {
    clientele_core::contact_policy::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|_| unix.to_string())
}

/// One row: codes for scripts (`words` is `None`), else words in `words`' language.
fn export_row(e: &ContactLogEntry, words: Option<&Tr>) -> Vec<Cell> {
    let (channel, direction, kind, module, state, outcome) = match words {
        None => (
            e.channel.clone(),
            e.direction.clone(),
            e.kind.map_or("", |k| k.as_str()).to_string(),
            e.module.map_or("", |m| m.as_str()).to_string(),
            e.state.as_str().to_string(),
            e.outcome.clone().unwrap_or_default(),
        ),
        Some(tr) => (
            channel_words(tr, &e.channel),
            tr.get(if e.direction == "in" {
                "contact-log-direction-in"
            } else {
                "contact-log-direction-out"
            }),
            kind_words(tr, e),
            module_words(tr, e),
            tr.get(&format!("contact-state-{}", e.state.as_str())),
            outcome_words(tr, e.outcome.as_deref()),
        ),
    };
    vec![
        Cell::Int(e.id),
        Cell::Text(utc_time(e.planned_for.unwrap_or(e.at))),
        Cell::Int(e.customer_id),
        Cell::text(&e.external_id),
        Cell::text(e.customer_name.as_deref().unwrap_or("")),
        Cell::Text(channel),
        Cell::Text(direction),
        Cell::Text(kind),
        Cell::Text(module),
        Cell::Text(state),
        Cell::Text(outcome),
        Cell::text(e.subject.as_deref().unwrap_or("")),
        Cell::text(e.reason.as_deref().unwrap_or("")),
        Cell::text(e.author.as_deref().unwrap_or("")),
    ]
}

/// One batch of the filtered log from `offset`; empty past the end.
async fn batch(
    state: &AppState,
    scope: Scope,
    filter: &ContactLogFilter,
    offset: u64,
    words: Option<&Tr>,
) -> Result<Vec<Vec<Cell>>, StoreError> {
    let mut f = filter.clone();
    f.limit = EXPORT_BATCH;
    f.offset = offset;
    Ok(state
        .store
        .contact_log(scope, &f)
        .await?
        .iter()
        .map(|e| export_row(e, words))
        .collect())
}

pub async fn csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<LogQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let filter = filter(&state, tr, &query).await?;
    let style = CsvStyle::choose(&tr, query.excel.as_deref());
    let words = (style == CsvStyle::Excel).then_some(tr);
    let scope = user.scope();
    // The first batch is read before answering, so a failing query is an error page, not a
    // truncated file.
    let first = batch(&state, scope, &filter, 0, words.as_ref())
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let header: Vec<String> = match style {
        CsvStyle::Plain => PLAIN_HEADER.iter().map(|h| h.to_string()).collect(),
        CsvStyle::Excel => words_header(&tr),
    };
    let head = csv_chunk(style, &tr, Some(&header), &first).map_err(|e| xlsx_failed(tr, e))?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let more = first.len() == EXPORT_BATCH as usize;
    tokio::spawn(async move {
        if tx.send(Ok(head)).await.is_err() || !more {
            return;
        }
        let mut offset = u64::from(EXPORT_BATCH);
        loop {
            let chunk = match batch(&state, scope, &filter, offset, words.as_ref()).await {
                Ok(rows) if rows.is_empty() => return,
                Ok(rows) => {
                    offset += rows.len() as u64;
                    csv_chunk(style, &tr, None, &rows).map_err(std::io::Error::other)
                }
                Err(e) => Err(std::io::Error::other(e.to_string())),
            };
            let failed = chunk.is_err();
            if tx.send(chunk).await.is_err() || failed {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok(csv_response("contact-log.csv", Body::from_stream(stream)))
}

pub async fn xlsx(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<LogQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let filter = filter(&state, tr, &query).await?;
    let mut book = XlsxWriter::new(&tr.get("page-contact-log"), &words_header(&tr))
        .map_err(|e| xlsx_failed(tr, e))?;
    let mut offset = 0u64;
    loop {
        let rows = batch(&state, user.scope(), &filter, offset, Some(&tr))
            .await
            .map_err(|e| WebError::store(e, tr))?;
        offset += rows.len() as u64;
        book.rows(&rows).map_err(|e| xlsx_failed(tr, e))?;
        if rows.len() < EXPORT_BATCH as usize {
            break;
        }
    }
    // Zipping is CPU work: off the request threads.
    let bytes = tokio::task::spawn_blocking(move || book.finish())
        .await
        .map_err(|e| xlsx_failed(tr, e))?
        .map_err(|e| xlsx_failed(tr, e))?;
    Ok(download("contact-log.xlsx", XLSX, Body::from(bytes)))
}
