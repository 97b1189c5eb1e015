//! Import upload: an order export sent as the raw body (`text/csv`) or as the `file` field of a
//! multipart form. The upload is streamed to a temporary file and imported by the use case of
//! the `clientele import` command (`clientele_app::import::import_file`): the same format
//! detection (container, encoding, delimiter or fixed width, header names in Russian or English,
//! date and decimal formats), the same row parser and the same reject reasons. Rows that cannot
//! be read come back as rejects with their line, column and reason; the accepted rows are
//! written in batches inside one transaction, committed only when the whole file is in, and
//! identified like the command-line import (so uploading the same file twice changes nothing).

use std::io::Write;

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::CONTENT_TYPE;
use bytes::Bytes;
use clientele_app::import::{FileImportError, FileImported, import_file};
use clientele_ingest::pipeline::{ImportError, ImportOptions, Reject};
use clientele_store::{Role, StreamError};
use http_body_util::BodyExt;
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
    /// The column's header (or its 1-based position) at fault; empty for the whole row.
    pub column: String,
    pub reason: String,
}

impl From<Reject> for RejectedRow {
    fn from(r: Reject) -> RejectedRow {
        RejectedRow {
            line: r.row.line,
            column: r.column,
            reason: r.reason,
        }
    }
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

/// The upload on disk, removed when dropped.
struct Upload {
    file: tempfile::NamedTempFile,
    bytes: u64,
}

impl Upload {
    fn new() -> Result<Upload, ApiError> {
        let file = tempfile::Builder::new()
            .prefix("clientele-upload-")
            .tempfile()
            .map_err(|e| ApiError::Internal(format!("creating a file for the upload: {e}")))?;
        Ok(Upload { file, bytes: 0 })
    }

    /// Appends a chunk, refusing the upload once it passes `limit` bytes.
    fn append(&mut self, chunk: &[u8], limit: usize) -> Result<(), ApiError> {
        self.bytes += chunk.len() as u64;
        if self.bytes > limit as u64 {
            return Err(ApiError::TooLarge(limit));
        }
        // A chunk is at most a few tens of KiB: written in place rather than on a blocking
        // thread, like a log line.
        self.file
            .write_all(chunk)
            .map_err(|e| ApiError::Internal(format!("saving the upload: {e}")))
    }
}

/// Streams the file out of the request into a temporary file: the raw body, or the `file` part
/// of a multipart form. The body is never held whole in memory.
async fn save_upload(state: &AppState, req: Request) -> Result<Upload, ApiError> {
    let limit = state.settings.max_body_bytes;
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut upload = Upload::new()?;
    if content_type.starts_with("multipart/form-data") {
        let bad_part = |e: axum::extract::multipart::MultipartError| ApiError::BadRequest {
            field: Some("file".into()),
            message: e.body_text(),
        };
        let mut form =
            Multipart::from_request(req, state)
                .await
                .map_err(|e| ApiError::BadRequest {
                    field: None,
                    message: e.body_text(),
                })?;
        while let Some(mut field) = form.next_field().await.map_err(bad_part)? {
            if field.name() == Some("file") {
                while let Some(chunk) = field.chunk().await.map_err(bad_part)? {
                    upload.append(&chunk, limit)?;
                }
                return Ok(upload);
            }
        }
        Err(ApiError::invalid("file", "the form has no 'file' part"))
    } else {
        let mut body = req.into_body();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| ApiError::BadRequest {
                field: Some("file".into()),
                message: format!("reading the upload: {e}"),
            })?;
            if let Ok(data) = frame.into_data() {
                let data: Bytes = data;
                upload.append(&data, limit)?;
            }
        }
        Ok(upload)
    }
}

/// A failure of the row reader as the API's error: a format it cannot read is the file's fault
/// (422 on `file`, without the temporary file's path); anything else is the server's.
fn reader_error(e: ImportError) -> ApiError {
    // The reader tells the file's faults (a truncated gzip, an xlsx beyond the bounds, ...) from
    // the machine's (issue 23: a truncated `.csv.gz` answered 500, where the CLI says why).
    match e.file_fault() {
        Some(message) => ApiError::invalid("file", message),
        None => ApiError::Internal(format!("reading the saved upload: {e}")),
    }
}

/// Uploads an order export (CSV, TSV, semicolon, fixed width or .xlsx, optionally gzipped;
/// UTF-8 or Windows-1251) as the raw body or as the `file` part of a multipart form. Rejected
/// rows are returned with line, column and reason; accepted rows are written in one
/// transaction, and uploading the same file again changes nothing. Admins and analysts.
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
    let upload = save_upload(&state, req).await?;
    if upload.bytes == 0 {
        return Err(ApiError::invalid("file", "the file is empty"));
    }
    // Parsing is CPU work on its own thread; batches are written as they come, as `clientele
    // import` does: through the same use case.
    let imported = import_file(
        &state.store,
        upload.file.path(),
        &format!("api: upload by {}", auth.user.name),
        0,
        &ImportOptions {
            limits: state.settings.import_limits,
            ..ImportOptions::default()
        },
    )
    .await;
    drop(upload);
    let FileImported {
        report,
        counts,
        rejects,
        ..
    } = imported.map_err(|e| match e {
        FileImportError::Read(e)
        | FileImportError::Stream {
            error: StreamError::Read(e),
            ..
        } => reader_error(e),
        FileImportError::Stream {
            error: StreamError::Write(e),
            ..
        } => e.into(),
        FileImportError::Begin { source, .. } | FileImportError::Commit { source, .. } => {
            source.into()
        }
        other => ApiError::Internal(other.to_string()),
    })?;
    state
        .store
        .audit(
            &auth.user.name,
            "import",
            None,
            &format!(
                "{} row(s): {} inserted, {} unchanged, {} rejected",
                report.rows, counts.inserted, counts.unchanged, report.rejected
            ),
        )
        .await?;
    Ok(Json(ImportResult {
        rows: report.rows,
        inserted: counts.inserted,
        unchanged: counts.unchanged,
        new_customers: counts.new_customers,
        rejected: report.rejected,
        rejects: rejects
            .into_iter()
            .take(MAX_LISTED_REJECTS)
            .map(RejectedRow::from)
            .collect(),
        notes: report.notes,
    }))
}
