//! Import upload: an order export sent as the raw body (`text/csv`) or as the `file` field of a
//! multipart form, read with the foundation's format detection (encoding, delimiter or fixed
//! width, header names in Russian or English, date and decimal formats) and value parsers. Rows
//! that cannot be read come back as rejects with their line, column and reason; the accepted
//! rows are written in one transaction, identified like the command-line import (so uploading
//! the same file twice changes nothing).

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::CONTENT_TYPE;
use bytes::Bytes;
use clientele_ingest::columns::Field;
use clientele_ingest::encoding::{decode_chunk, strip_bom};
use clientele_ingest::layout::{csv_reader_builder, split_line};
use clientele_ingest::sniff::{SniffOverrides, TextFormat, sniff_text};
use clientele_ingest::values::{
    normalize_email, normalize_phone, parse_date, parse_decimal_f64, parse_money,
};
use clientele_store::{NewOrderLine, Role};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;

/// Rejects listed in the answer at most (all are counted).
pub const MAX_LISTED_REJECTS: usize = 1000;

#[derive(Debug, Serialize, ToSchema)]
pub struct RejectedRow {
    /// 1-based line in the file.
    pub line: u64,
    /// The column's header (or its field name) at fault; empty for the whole row.
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// Data rows read (blank lines and the header excluded).
    pub rows: u64,
    pub inserted: u64,
    /// Rows already stored, left as they were.
    pub unchanged: u64,
    pub new_customers: u64,
    pub rejected: u64,
    /// The first 1,000 rejects.
    pub rejects: Vec<RejectedRow>,
    /// How the format was understood.
    pub notes: Vec<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload))
}

/// Reads the file out of the request: the raw body, or the `file` part of a multipart form.
async fn file_bytes(state: &AppState, req: Request) -> Result<Bytes, ApiError> {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let too_large = |_| ApiError::TooLarge(state.settings.max_body_bytes);
    if content_type.starts_with("multipart/form-data") {
        let mut form =
            Multipart::from_request(req, state)
                .await
                .map_err(|e| ApiError::BadRequest {
                    field: None,
                    message: e.body_text(),
                })?;
        while let Some(field) = form.next_field().await.map_err(|e| ApiError::BadRequest {
            field: Some("file".into()),
            message: e.body_text(),
        })? {
            if field.name() == Some("file") {
                return field.bytes().await.map_err(|e| ApiError::BadRequest {
                    field: Some("file".into()),
                    message: e.body_text(),
                });
            }
        }
        Err(ApiError::invalid("file", "the form has no 'file' part"))
    } else {
        Bytes::from_request(req, state).await.map_err(too_large)
    }
}

struct Parsed {
    lines: Vec<NewOrderLine>,
    rejects: Vec<RejectedRow>,
    rejected: u64,
    rows: u64,
}

fn column_name(format: &TextFormat, field: Field) -> String {
    format
        .columns
        .get(field)
        .and_then(|i| format.header.as_ref().and_then(|h| h.get(i)).cloned())
        .unwrap_or_else(|| field.as_str().to_string())
}

/// One data row into a store line, or the column and reason it is refused for.
fn parse_row(
    format: &TextFormat,
    cells: &[&str],
    line: u64,
) -> Result<NewOrderLine, (Field, String)> {
    let get = |f: Field| {
        format
            .columns
            .get(f)
            .and_then(|i| cells.get(i).copied())
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let number = format.number_format;
    let customer = if let Some(id) = get(Field::CustomerId) {
        id.to_string()
    } else if let Some(e) = get(Field::Email) {
        normalize_email(e).ok_or((Field::Email, format!("'{e}' is not an e-mail address")))?
    } else if let Some(p) = get(Field::Phone) {
        normalize_phone(p).ok_or((Field::Phone, format!("'{p}' is not a phone number")))?
    } else {
        return Err((Field::CustomerId, "the customer is empty".into()));
    };
    let day = parse_date(
        get(Field::Date).ok_or((Field::Date, "the date is empty".to_string()))?,
        format.date_format,
    )
    .map_err(|e| (Field::Date, e.to_string()))?;
    let money = |f: Field| -> Result<Option<clientele_core::Money>, (Field, String)> {
        get(f)
            .map(|t| parse_money(t, number).map_err(|e| (f, e.to_string())))
            .transpose()
    };
    let amount = money(Field::Amount)?.ok_or((Field::Amount, "the amount is empty".into()))?;
    let cost = match money(Field::Cost)? {
        Some(c) => Some(c),
        None => money(Field::Margin)?.map(|m| amount - m),
    };
    let quantity = get(Field::Quantity)
        .map(|q| parse_decimal_f64(q, number).map_err(|e| (Field::Quantity, e.to_string())))
        .transpose()?;
    Ok(NewOrderLine {
        customer,
        order_id: get(Field::OrderId).map(str::to_string),
        product: get(Field::Product).unwrap_or("").to_string(),
        day,
        amount,
        cost,
        quantity,
        price: money(Field::Price)?,
        list_price: money(Field::ListPrice)?,
        category: get(Field::Category).map(str::to_string),
        full_price: None,
        row_line: line,
    })
}

fn parse_file(bytes: &[u8]) -> Result<(TextFormat, Parsed), ApiError> {
    let format = sniff_text(bytes, true, &SniffOverrides::default())
        .map_err(|e| ApiError::invalid("file", e.to_string()))?;
    let text = decode_chunk(strip_bom(bytes), format.encoding)
        .map_err(|e| ApiError::invalid("file", e.to_string()))?;
    let mut parsed = Parsed {
        lines: Vec::new(),
        rejects: Vec::new(),
        rejected: 0,
        rows: 0,
    };
    let mut header_pending = format.has_header;
    let mut handle = |cells: &[&str], line: u64, parsed: &mut Parsed| {
        if cells.iter().all(|c| c.trim().is_empty()) {
            return;
        }
        if header_pending {
            header_pending = false;
            return;
        }
        parsed.rows += 1;
        match parse_row(&format, cells, line) {
            Ok(l) => parsed.lines.push(l),
            Err((field, reason)) => {
                parsed.rejected += 1;
                if parsed.rejects.len() < MAX_LISTED_REJECTS {
                    parsed.rejects.push(RejectedRow {
                        line,
                        column: column_name(&format, field),
                        reason,
                    });
                }
            }
        }
    };
    match csv_reader_builder(&format.layout) {
        Some(builder) => {
            let mut reader = builder.from_reader(text.as_bytes());
            let mut record = csv::StringRecord::new();
            // Line numbers from byte offsets: csv's own line count skips blank lines.
            let bytes = text.as_bytes();
            let (mut seen_byte, mut seen_line) = (0usize, 1u64);
            let mut line_at = |byte: u64| {
                // A record's position may be that of blank lines skipped before it.
                let mut byte = (byte as usize).min(bytes.len());
                while byte < bytes.len() && matches!(bytes[byte], b'\n' | b'\r') {
                    byte += 1;
                }
                seen_line += bytes[seen_byte..byte]
                    .iter()
                    .filter(|&&b| b == b'\n')
                    .count() as u64;
                seen_byte = byte;
                seen_line
            };
            loop {
                match reader.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let line = line_at(record.position().map_or(0, |p| p.byte()));
                        let cells: Vec<&str> = record.iter().collect();
                        handle(&cells, line, &mut parsed);
                    }
                    Err(e) => {
                        let line = line_at(e.position().map_or(0, |p| p.byte()));
                        parsed.rows += 1;
                        parsed.rejected += 1;
                        parsed.rejects.push(RejectedRow {
                            line,
                            column: String::new(),
                            reason: e.to_string(),
                        });
                    }
                }
            }
        }
        None => {
            let mut cells = Vec::new();
            for (i, l) in text.lines().enumerate() {
                split_line(l, &format.layout, &mut cells);
                let owned: Vec<&str> = cells.clone();
                handle(&owned, i as u64 + 1, &mut parsed);
            }
        }
    }
    Ok((format, parsed))
}

/// Uploads an order export (CSV, TSV, semicolon, fixed width; UTF-8 or Windows-1251) as the raw
/// body or as the `file` part of a multipart form. Rejected rows are returned with line, column
/// and reason; accepted rows are written in one transaction, and uploading the same file again
/// changes nothing. Admins and analysts.
#[utoipa::path(post, path = "/api/v1/imports", tag = "imports",
    request_body(content = String, content_type = "text/csv", description = "The export file"),
    responses(
        (status = 200, description = "What was written and what was rejected", body = ImportResult),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers cannot import, or missing CSRF token", body = ErrorBody),
        (status = 413, description = "The file is too large", body = ErrorBody),
        (status = 422, description = "The file's format could not be understood (field `file`)", body = ErrorBody)))]
async fn upload(
    State(state): State<AppState>,
    auth: Auth,
    req: Request,
) -> Result<Json<ImportResult>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "importing orders")?;
    let bytes = file_bytes(&state, req).await?;
    if bytes.is_empty() {
        return Err(ApiError::invalid("file", "the file is empty"));
    }
    // Detection and parsing are CPU work: off the async threads.
    let (format, parsed) = tokio::task::spawn_blocking(move || parse_file(&bytes))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))??;
    let mut tx = state
        .store
        .begin_import(&format!("api: upload by {}", auth.user.name))
        .await?;
    tx.add(&parsed.lines).await?;
    let counts = tx.commit(parsed.rows, parsed.rejected).await?;
    state
        .store
        .audit(
            &auth.user.name,
            "import",
            None,
            &format!(
                "{} row(s): {} inserted, {} unchanged, {} rejected",
                parsed.rows, counts.inserted, counts.unchanged, parsed.rejected
            ),
        )
        .await?;
    Ok(Json(ImportResult {
        rows: parsed.rows,
        inserted: counts.inserted,
        unchanged: counts.unchanged,
        new_customers: counts.new_customers,
        rejected: parsed.rejected,
        rejects: parsed.rejects,
        notes: format.notes,
    }))
}
