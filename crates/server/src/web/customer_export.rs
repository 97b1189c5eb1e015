//! The customer list's exports: `/customers.csv` (plain or Excel's style, `export::CsvStyle`)
//! and `/customers.xlsx`, with the list's filters, every matching customer streamed in batches
//! read by keyset (memory stays flat whatever the count).

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use clientele_store::{Cursor, CustomerFilter, CustomerListItem, Scope};

use super::export::{
    Cell, CsvStyle, XLSX, XlsxWriter, csv_chunk, csv_response, download, xlsx_failed,
};
use super::i18n::Tr;
use super::people::ListQuery;
use super::{WebError, WebUser};
use crate::AppState;

/// Rows per database round trip of the exports.
const BATCH: u32 = 5_000;

/// The plain CSV's header: stable, language-free column names scripts rely on.
const PLAIN_HEADER: [&str; 11] = [
    "customer_id",
    "external_id",
    "name",
    "rung",
    "status",
    "subgroup",
    "revenue",
    "profit",
    "manager",
    "abc",
    "rfm",
];

/// The header in the reader's language (Excel's CSV and `.xlsx`), in the plain one's order.
fn words_header(tr: &Tr) -> Vec<String> {
    [
        "col-number",
        "col-external-id",
        "col-name",
        "col-rung",
        "col-status",
        "col-subgroup",
        "col-revenue",
        "col-profit",
        "col-manager",
        "col-abc",
        "col-rfm",
    ]
    .iter()
    .map(|id| tr.get(id))
    .collect()
}

/// A customer's row: codes for scripts (`words` is `None`), else words in `words`' language.
fn row(c: &CustomerListItem, words: Option<&Tr>) -> Vec<Cell> {
    let (rung, status, subgroup) = match words {
        None => (
            c.rung.map_or("", |r| r.as_str()).to_string(),
            c.status.map_or("", |s| s.as_str()).to_string(),
            c.subgroup.map_or("", |g| g.as_str()).to_string(),
        ),
        Some(tr) => (
            c.rung.map_or_else(String::new, |r| tr.rung(r)),
            c.status.map_or_else(String::new, |s| tr.status(s)),
            c.subgroup
                .map_or_else(String::new, |_| tr.subgroup_by_profit(c.subgroup, c.profit)),
        ),
    };
    vec![
        Cell::Int(c.id),
        Cell::text(&c.external_id),
        Cell::text(c.name.as_deref().unwrap_or("")),
        Cell::Text(rung),
        Cell::Text(status),
        Cell::Text(subgroup),
        Cell::amount(c.revenue),
        Cell::amount(c.profit),
        Cell::text(c.manager_name().unwrap_or("")),
        Cell::text(c.abc.map_or("", |a| a.as_str())),
        Cell::Text(c.rfm.map_or_else(String::new, |r| r.code())),
    ]
}

fn rows(items: &[CustomerListItem], words: Option<&Tr>) -> Vec<Vec<Cell>> {
    items.iter().map(|c| row(c, words)).collect()
}

fn internal(tr: Tr, e: impl std::fmt::Display) -> WebError {
    WebError {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        message: format!("{}: {e}", tr.get("error-internal")),
        tr,
    }
}

/// Every customer matching the filters as CSV: plain (`1234.50`, codes) for scripts, or
/// Excel's style for Russian readers and `?excel=1`.
pub async fn csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let style = CsvStyle::choose(&tr, query.excel.as_deref());
    let words = (style == CsvStyle::Excel).then_some(tr);
    let filter = query.filter(tr)?;
    let scope = user.scope();
    // The first batch is read before answering, so a failing query is an error page, not a
    // truncated file.
    let first = state
        .store
        .dashboard_customers(scope, &filter, Cursor::First, BATCH)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let header: Vec<String> = match style {
        CsvStyle::Plain => PLAIN_HEADER.iter().map(|h| h.to_string()).collect(),
        CsvStyle::Excel => words_header(&tr),
    };
    let head = csv_chunk(
        style,
        &tr,
        Some(&header),
        &rows(&first.items, words.as_ref()),
    )
    .map_err(|e| internal(tr, e))?;
    state.audit.export_read(
        &user.user.name,
        "customers",
        "csv",
        &crate::read_audit::decoded(&query.filters_query()),
    );
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let store = state.store.clone();
    let mut next = first.next_after;
    tokio::spawn(async move {
        if tx.send(Ok(head)).await.is_err() {
            return;
        }
        while let Some(after) = next {
            let chunk = store
                .dashboard_customers(scope, &filter, Cursor::After(after), BATCH)
                .await
                .map_err(|e| std::io::Error::other(e.to_string()))
                .and_then(|page| {
                    next = page.next_after;
                    csv_chunk(style, &tr, None, &rows(&page.items, words.as_ref()))
                        .map_err(|e| std::io::Error::other(e.to_string()))
                });
            let failed = chunk.is_err();
            if tx.send(chunk).await.is_err() || failed {
                return;
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    });
    Ok(csv_response("customers.csv", Body::from_stream(stream)))
}

/// Every customer matching the filters as an `.xlsx` sheet, words in the reader's language and
/// amounts as numbers.
pub async fn xlsx(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let filter = query.filter(tr)?;
    let bytes = customers_xlsx(&state, user.scope(), &filter, tr).await?;
    state.audit.export_read(
        &user.user.name,
        "customers",
        "xlsx",
        &crate::read_audit::decoded(&query.filters_query()),
    );
    Ok(download("customers.xlsx", XLSX, Body::from(bytes)))
}

async fn customers_xlsx(
    state: &AppState,
    scope: Scope,
    filter: &CustomerFilter,
    tr: Tr,
) -> Result<Vec<u8>, WebError> {
    let mut book = XlsxWriter::new(&tr.get("page-customers"), &words_header(&tr))
        .map_err(|e| xlsx_failed(tr, e))?;
    let mut cursor = Cursor::First;
    loop {
        let page = state
            .store
            .dashboard_customers(scope, filter, cursor, BATCH)
            .await
            .map_err(|e| WebError::store(e, tr))?;
        book.rows(&rows(&page.items, Some(&tr)))
            .map_err(|e| xlsx_failed(tr, e))?;
        match page.next_after {
            Some(after) => cursor = Cursor::After(after),
            None => break,
        }
    }
    // Zipping is CPU work: off the request threads.
    tokio::task::spawn_blocking(move || book.finish())
        .await
        .map_err(|e| xlsx_failed(tr, e))?
        .map_err(|e| xlsx_failed(tr, e))
}
