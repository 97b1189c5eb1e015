//! The one error type of the HTTP layer. Every failure a handler can meet becomes an
//! [`ApiError`], which answers `{"error": {"code", "message", "field"}}` with the matching status:
//! bad input names the field at fault (422, or 400 for a body that is not JSON), a missing or
//! hidden customer is 404, a duplicate 409. Server-side failures are logged with their cause
//! through `tracing` and answered with a bare 500: database details never leave the server.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use clientele_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No credentials, or credentials that are not valid.
    #[error("authentication required")]
    Unauthorized,
    /// Valid credentials whose role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A cookie-authenticated unsafe request without the session's CSRF token.
    #[error("missing or wrong X-CSRF-Token header")]
    Csrf,
    #[error("{what} '{key}' not found")]
    NotFound { what: String, key: String },
    /// The request body could not be read as JSON at all.
    #[error("{message}")]
    BadRequest {
        field: Option<String>,
        message: String,
    },
    /// A field with a value the API does not accept.
    #[error("{field}: {reason}")]
    Invalid { field: String, reason: String },
    #[error("{0}")]
    Conflict(String),
    #[error("the request body is larger than {0} bytes")]
    TooLarge(usize),
    /// Too many failed sign-ins with this name or from this address: try again after the
    /// seconds given (also sent in `Retry-After`).
    #[error("too many failed sign-ins: try again in {retry_after_seconds} s")]
    TooManyRequests { retry_after_seconds: u64 },
    /// Anything else: logged, answered without details.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> ApiError {
        ApiError::Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    pub fn forbidden(reason: impl Into<String>) -> ApiError {
        ApiError::Forbidden(reason.into())
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::Csrf => StatusCode::FORBIDDEN,
            ApiError::NotFound { .. } => StatusCode::NOT_FOUND,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::Csrf => "csrf",
            ApiError::NotFound { .. } => "not_found",
            ApiError::BadRequest { .. } => "bad_request",
            ApiError::Invalid { .. } => "invalid",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooLarge(_) => "too_large",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Internal(_) => "internal",
        }
    }
}

/// The error body every 4xx and 5xx answer carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Machine-readable: unauthorized, forbidden, csrf, not_found, bad_request, invalid,
    /// conflict, too_large, too_many_requests, internal.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// The field at fault (`lines[2].amount`, `limit`), when one is.
    pub field: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (message, field) = match &self {
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "request failed");
                ("internal server error".to_string(), None)
            }
            ApiError::Invalid { field, reason } => (reason.clone(), Some(field.clone())),
            ApiError::BadRequest { field, message } => (message.clone(), field.clone()),
            other => (other.to_string(), None),
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_string(),
                message,
                field,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let ApiError::TooManyRequests {
            retry_after_seconds,
        } = self
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, retry_after_seconds.into());
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound { what, key } => ApiError::NotFound {
                what: what.to_string(),
                key,
            },
            StoreError::Invalid { field, reason } => ApiError::invalid(field, reason),
            StoreError::Conflict(what) => ApiError::Conflict(format!("{what} already exists")),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// A use case's error as the API's: a refused setting names its field, a store error keeps its
/// meaning, anything else is internal.
pub fn app_error(e: anyhow::Error) -> ApiError {
    let e = match e.downcast::<clientele_app::InvalidSetting>() {
        Ok(invalid) => return ApiError::invalid(invalid.field, invalid.message),
        Err(e) => e,
    };
    match e.downcast::<StoreError>() {
        Ok(store) => store.into(),
        Err(e) => ApiError::Internal(format!("{e:#}")),
    }
}
