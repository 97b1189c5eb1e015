//! Today's and the lost list as files: `/today.csv`, `/lost.csv` (plain or Excel's style,
//! `export::CsvStyle`) and `/today.xlsx`, `/lost.xlsx`, the whole list in the page's order, with
//! the one contact the consent history allows (issue 24 items 1 and 7): the value of the channel
//! `Store::reach_contacts` chose, else why there is none — never an address or number of a
//! channel without consent in force.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use clientele_core::{Day, Strategy};
use clientele_store::{ActionItem, ReachContact, Scope, ValueList};
use serde::Deserialize;

use super::export::{
    Cell, CsvStyle, XLSX, XlsxWriter, csv_chunk, csv_response, download, xlsx_failed,
};
use super::i18n::Tr;
use super::lists::{reach_name, today_utc};
use super::pages::strategy_ids;
use super::{WebError, WebUser, reason};
use crate::AppState;

/// Rows per database round trip.
const BATCH: u32 = 2_000;

#[derive(Debug, Deserialize)]
pub struct ExportQuery {
    /// `1` asks for Excel's CSV, `0` for the plain one (default: by the reader's language).
    excel: Option<String>,
}

/// The plain CSV's header: stable, language-free column names scripts rely on.
const PLAIN_HEADER: [&str; 11] = [
    "customer_id",
    "external_id",
    "name",
    "rung",
    "revenue",
    "last_purchase",
    "days_since_last",
    "reason",
    "action",
    "channel",
    "contact",
];

/// The header in the reader's language, in the plain one's order.
fn words_header(tr: &Tr) -> Vec<String> {
    [
        "col-number",
        "col-external-id",
        "col-name",
        "col-rung",
        "col-revenue",
        "col-last-purchase",
        "col-days-since-last",
        "col-reason",
        "col-action",
        "col-channel",
        "col-contact",
    ]
    .iter()
    .map(|id| tr.get(id))
    .collect()
}

fn strategy(list: ValueList, item: &ActionItem) -> Strategy {
    match list {
        ValueList::AtRisk => Strategy::for_rung(item.rung),
        ValueList::Lost => Strategy::WinBack,
    }
}

/// One customer's row: codes for scripts (`words` is `None`), else words in `words`' language.
/// The contact is the chosen channel's value only; without a channel the cell is empty and the
/// channel column says why.
fn row(
    list: ValueList,
    item: &ActionItem,
    reach: Option<&ReachContact>,
    as_of: Option<Day>,
    words: Option<&Tr>,
) -> Vec<Cell> {
    let strategy = strategy(list, item);
    let (rung, last, reason, action, channel) = match words {
        None => (
            item.rung.as_str().to_string(),
            item.last_purchase.map(|d| d.to_string()),
            item.status_reason
                .as_ref()
                .map_or_else(String::new, |r| r.to_string()),
            strategy.as_str().to_string(),
            reach
                .map_or("no_consented_channel", |r| r.reach.code())
                .to_string(),
        ),
        Some(tr) => (
            tr.rung(item.rung),
            item.last_purchase.map(|d| tr.date(d)),
            reason::localize(item.status_reason.as_ref(), tr),
            tr.get(strategy_ids(strategy).1),
            reach_name(tr, reach.map(|r| r.reach)),
        ),
    };
    let since = match (item.last_purchase, as_of) {
        (Some(last), Some(day)) => Cell::Int(i64::from(day.days_since(last))),
        _ => Cell::Empty,
    };
    vec![
        Cell::Int(item.id),
        Cell::text(&item.external_id),
        Cell::text(item.name.as_deref().unwrap_or("")),
        Cell::Text(rung),
        Cell::Amount(item.revenue),
        last.map_or(Cell::Empty, Cell::Text),
        since,
        Cell::Text(reason),
        Cell::Text(action),
        Cell::Text(channel),
        reach
            .and_then(|r| r.value.as_deref())
            .map_or(Cell::Empty, Cell::text),
    ]
}

/// One batch of the list from `offset`, with how to reach each customer today; `None` past the
/// end.
async fn batch(
    state: &AppState,
    scope: Scope,
    list: ValueList,
    offset: u64,
    words: Option<&Tr>,
) -> Result<Option<Vec<Vec<Cell>>>, clientele_store::StoreError> {
    let page = state.store.action_list(scope, list, offset, BATCH).await?;
    if page.items.is_empty() {
        return Ok(None);
    }
    let ids: Vec<i64> = page.items.iter().map(|i| i.id).collect();
    let reach: HashMap<i64, ReachContact> = state.store.reach_contacts(&ids, today_utc()).await?;
    Ok(Some(
        page.items
            .iter()
            .map(|item| row(list, item, reach.get(&item.id), page.as_of, words))
            .collect(),
    ))
}

fn file_name(list: ValueList, ext: &str) -> String {
    match list {
        ValueList::AtRisk => format!("today.{ext}"),
        ValueList::Lost => format!("lost.{ext}"),
    }
}

fn internal(tr: Tr, e: impl std::fmt::Display) -> WebError {
    tracing::error!("writing a list's CSV: {e}");
    WebError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: tr.get("error-internal"),
        tr,
    }
}

/// The list's name in the audit log (its page's path).
fn list_name(list: ValueList) -> &'static str {
    match list {
        ValueList::AtRisk => "today",
        ValueList::Lost => "lost",
    }
}

async fn csv(
    state: AppState,
    user: WebUser,
    query: ExportQuery,
    list: ValueList,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let style = CsvStyle::choose(&tr, query.excel.as_deref());
    let words = (style == CsvStyle::Excel).then_some(tr);
    let scope = user.scope();
    // The first batch is read before answering, so a failing query is an error page, not a
    // truncated file.
    let first = batch(&state, scope, list, 0, words.as_ref())
        .await
        .map_err(|e| WebError::store(e, tr))?
        .unwrap_or_default();
    let header: Vec<String> = match style {
        CsvStyle::Plain => PLAIN_HEADER.iter().map(|h| h.to_string()).collect(),
        CsvStyle::Excel => words_header(&tr),
    };
    let head = csv_chunk(style, &tr, Some(&header), &first).map_err(|e| internal(tr, e))?;
    state
        .audit
        .export_read(&user.user.name, list_name(list), "csv", "");
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let more = first.len() == BATCH as usize;
    tokio::spawn(async move {
        if tx.send(Ok(head)).await.is_err() || !more {
            return;
        }
        let mut offset = u64::from(BATCH);
        loop {
            let chunk = match batch(&state, scope, list, offset, words.as_ref()).await {
                Ok(None) => return,
                Ok(Some(rows)) => {
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
    Ok(csv_response(
        &file_name(list, "csv"),
        Body::from_stream(stream),
    ))
}

async fn xlsx(state: AppState, user: WebUser, list: ValueList) -> Result<Response, WebError> {
    let tr = user.tr;
    let sheet = match list {
        ValueList::AtRisk => tr.get("page-today"),
        ValueList::Lost => tr.get("page-lost"),
    };
    let mut book = XlsxWriter::new(&sheet, &words_header(&tr)).map_err(|e| xlsx_failed(tr, e))?;
    let mut offset = 0u64;
    while let Some(rows) = batch(&state, user.scope(), list, offset, Some(&tr))
        .await
        .map_err(|e| WebError::store(e, tr))?
    {
        offset += rows.len() as u64;
        book.rows(&rows).map_err(|e| xlsx_failed(tr, e))?;
        if rows.len() < BATCH as usize {
            break;
        }
    }
    // Zipping is CPU work: off the request threads.
    let bytes = tokio::task::spawn_blocking(move || book.finish())
        .await
        .map_err(|e| xlsx_failed(tr, e))?
        .map_err(|e| xlsx_failed(tr, e))?;
    state
        .audit
        .export_read(&user.user.name, list_name(list), "xlsx", "");
    Ok(download(&file_name(list, "xlsx"), XLSX, Body::from(bytes)))
}

pub async fn today_csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<ExportQuery>,
) -> Result<Response, WebError> {
    csv(state, user, query, ValueList::AtRisk).await
}

pub async fn lost_csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<ExportQuery>,
) -> Result<Response, WebError> {
    csv(state, user, query, ValueList::Lost).await
}

pub async fn today_xlsx(
    State(state): State<AppState>,
    user: WebUser,
) -> Result<Response, WebError> {
    xlsx(state, user, ValueList::AtRisk).await
}

pub async fn lost_xlsx(State(state): State<AppState>, user: WebUser) -> Result<Response, WebError> {
    xlsx(state, user, ValueList::Lost).await
}
