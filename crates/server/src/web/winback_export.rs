//! The win-back cases as files (`/winback.csv`, `/winback.xlsx`), with the page's state filter:
//! every case within the reader's scope, newest first, up to [`MAX_EXPORTED_CASES`]. The CSV is
//! plain (codes, `,`) for scripts, or Excel's (a byte-order mark, `;`, words in the reader's
//! language) for Russian readers and `?excel=1`; the `.xlsx` has words and real dates.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use clientele_app::winback::{CaseListSettings, list_cases};
use clientele_core::winback::CaseState;
use clientele_store::{CaseRecord, StoreError};
use serde::Deserialize;

use super::export::{
    Cell, CsvStyle, XLSX, XlsxWriter, csv_chunk, csv_response, download, xlsx_failed,
};
use super::i18n::Tr;
use super::lists::channel_name;
use super::{WebError, WebUser};
use crate::AppState;

/// The most cases one file holds.
pub const MAX_EXPORTED_CASES: u64 = 100_000;
/// Cases read per store call (the use case's longest page).
const PAGE: u32 = 1_000;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// open, returned or not_returned.
    state: Option<String>,
    /// `1` for Excel's CSV, `0` for the plain one (default: by language).
    excel: Option<String>,
}

fn failed(tr: Tr, e: impl std::fmt::Display) -> WebError {
    tracing::error!("exporting win-back cases: {e}");
    WebError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: tr.get("error-internal"),
        tr,
    }
}

/// Every case of the query within the reader's scope, newest first.
async fn read_cases(
    state: &AppState,
    user: &WebUser,
    query: &ExportQuery,
) -> Result<Vec<CaseRecord>, WebError> {
    let tr = user.tr;
    let case_state = match query.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(CaseState::parse(s).ok_or_else(|| {
            WebError::not_one_of(
                tr,
                "winback-col-state",
                s,
                CaseState::ALL
                    .iter()
                    .map(|c| tr.get(&format!("winback-state-{}", c.as_str())))
                    .collect(),
            )
        })?),
    };
    let mut out = Vec::new();
    loop {
        let settings = CaseListSettings {
            state: case_state,
            customer: None,
            offset: out.len() as u64,
            limit: PAGE,
        };
        let (_, page) = list_cases(&state.store, user.scope(), &settings)
            .await
            .map_err(|e| match e.downcast::<StoreError>() {
                Ok(store) => WebError::store(store, tr),
                Err(e) => failed(tr, e),
            })?;
        let last = page.len() < PAGE as usize;
        out.extend(page);
        if last || out.len() as u64 >= MAX_EXPORTED_CASES {
            out.truncate(MAX_EXPORTED_CASES as usize);
            return Ok(out);
        }
    }
}

const PLAIN_HEADER: [&str; 15] = [
    "case_id",
    "customer_id",
    "name",
    "manager",
    "opened",
    "source",
    "state",
    "returned",
    "reason",
    "reason_text",
    "offer",
    "channel",
    "window_days",
    "attempts",
    "last_outcome",
];

fn words_header(tr: &Tr) -> Vec<String> {
    [
        "winback-export-case",
        "col-external-id",
        "col-name",
        "winback-col-manager",
        "winback-col-opened",
        "winback-export-source",
        "winback-col-state",
        "winback-export-returned",
        "winback-col-reason",
        "winback-export-reason-text",
        "winback-col-offer",
        "col-channel",
        "winback-export-window",
        "winback-col-attempts",
        "winback-col-last-outcome",
    ]
    .iter()
    .map(|id| tr.get(id))
    .collect()
}

/// One case's row: codes for scripts (`words` is `None`), else words in `words`' language.
fn export_row(c: &CaseRecord, words: Option<&Tr>) -> Vec<Cell> {
    let opt = |t: Option<String>| t.map_or(Cell::Empty, Cell::Text);
    let (source, state, reason, channel, outcome) = match words {
        None => (
            c.source.clone(),
            c.state.clone(),
            c.reason.clone(),
            c.channel.map(|ch| ch.as_str().to_string()),
            c.last_outcome.clone(),
        ),
        Some(tr) => (
            tr.get(&format!("winback-source-{}", c.source)),
            tr.get(&format!("winback-state-{}", c.state)),
            c.reason
                .as_ref()
                .map(|r| tr.get(&format!("winback-reason-{r}"))),
            c.channel.map(|ch| channel_name(tr, Some(ch))),
            c.last_outcome
                .as_ref()
                .map(|o| tr.get(&format!("winback-outcome-{o}"))),
        ),
    };
    let day = |d: clientele_core::Day| match words {
        Some(tr) => tr.date(d),
        None => d.to_string(),
    };
    vec![
        Cell::Int(c.id),
        Cell::text(&c.external_id),
        Cell::text(c.name.as_deref().unwrap_or("")),
        Cell::text(c.manager.as_deref().unwrap_or("")),
        Cell::Text(day(c.opened_day)),
        Cell::Text(source),
        Cell::Text(state),
        opt(c.returned_day.map(day)),
        opt(reason),
        opt(c.reason_text.clone()),
        opt(c.offer.clone()),
        opt(channel),
        Cell::Int(i64::from(c.window_days)),
        Cell::Int(c.attempts),
        opt(outcome),
    ]
}

/// `/winback.csv`: the cases of the page's filter.
pub async fn csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let cases = read_cases(&state, &user, &query).await?;
    let style = CsvStyle::choose(&tr, query.excel.as_deref());
    let words = (style == CsvStyle::Excel).then_some(&tr);
    let header: Vec<String> = match style {
        CsvStyle::Plain => PLAIN_HEADER.iter().map(|h| h.to_string()).collect(),
        CsvStyle::Excel => words_header(&tr),
    };
    let rows: Vec<Vec<Cell>> = cases.iter().map(|c| export_row(c, words)).collect();
    let bytes = csv_chunk(style, &tr, Some(&header), &rows).map_err(|e| failed(tr, e))?;
    Ok(csv_response("winback-cases.csv", Body::from(bytes)))
}

/// `/winback.xlsx`: the same cases, words in the reader's language.
pub async fn xlsx(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<ExportQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let cases = read_cases(&state, &user, &query).await?;
    let mut book = XlsxWriter::new(&tr.get("page-winback"), &words_header(&tr))
        .map_err(|e| xlsx_failed(tr, e))?;
    let rows: Vec<Vec<Cell>> = cases.iter().map(|c| export_row(c, Some(&tr))).collect();
    book.rows(&rows).map_err(|e| xlsx_failed(tr, e))?;
    let bytes = tokio::task::spawn_blocking(move || book.finish())
        .await
        .map_err(|e| xlsx_failed(tr, e))?
        .map_err(|e| xlsx_failed(tr, e))?;
    Ok(download("winback-cases.xlsx", XLSX, Body::from(bytes)))
}
