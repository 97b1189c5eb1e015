//! Extractors whose rejections are [`ApiError`]s, so a malformed body, query or path gets the
//! same JSON error shape as everything else, naming the field at fault.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON body. Errors name the path of the offending field (`orders[1].lines[0].amount`).
#[derive(Debug)]
pub struct Json<T>(pub T);

/// Splits serde's message into the field and the reason: the path to the error, plus the name
/// of a missing field (serde puts it in the message, not the path).
fn field_and_reason(path: &str, message: &str) -> (Option<String>, String) {
    // An unknown field is already the last element of the path; a missing one is not.
    let named = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    let base = (path != ".").then(|| path.to_string());
    let field = match (base, named) {
        (Some(b), Some(n)) => Some(format!("{b}.{n}")),
        (None, Some(n)) => Some(n.to_string()),
        (b, None) => b,
    };
    // serde adds " at line L column C" for JSON; the field says where.
    let reason = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_string();
    (field, reason)
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let (field, reason) = field_and_reason(&path, &inner.to_string());
        if inner.is_syntax() || inner.is_eof() {
            ApiError::BadRequest {
                field: None,
                message: format!("the body is not valid JSON: {reason}"),
            }
        } else {
            match field {
                Some(field) => ApiError::Invalid { field, reason },
                None => ApiError::BadRequest {
                    field: None,
                    message: reason,
                },
            }
        }
    })?;
    // Anything after the value but white space (`{...}garbage`, two values) is refused: the
    // body is one JSON value or it is not read.
    de.end().map_err(|e| ApiError::BadRequest {
        field: None,
        message: format!(
            "the body is not valid JSON: {}",
            e.to_string().split(" at line ").next().unwrap_or_default()
        ),
    })?;
    Ok(value)
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::BadRequest {
                field: None,
                message: "send the body as JSON with Content-Type: application/json".into(),
            });
        }
        // A body over the limit: `security::headers` writes the answer with the limit.
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::TooLarge(0)
            } else {
                ApiError::BadRequest {
                    field: None,
                    message: e.body_text(),
                }
            }
        })?;
        parse_json(&bytes).map(Json)
    }
}

/// Query parameters. Errors name the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
        serde_path_to_error::deserialize(de)
            .map(Query)
            .map_err(|e| {
                let path = e.path().to_string();
                let (field, reason) = field_and_reason(&path, &e.into_inner().to_string());
                ApiError::invalid(field.unwrap_or_else(|| "query".into()), reason)
            })
    }
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// A customer id in the path.
#[derive(Debug, Clone, Copy)]
pub struct CustomerId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for CustomerId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::invalid("id", "missing customer id in the path"))?;
        raw.parse::<i64>()
            .ok()
            .filter(|&id| id > 0)
            .map(CustomerId)
            .ok_or_else(|| ApiError::invalid("id", format!("'{raw}' is not a customer id")))
    }
}

impl<T: serde::Serialize> axum::response::IntoResponse for Json<T> {
    fn into_response(self) -> axum::response::Response {
        axum::Json(self.0).into_response()
    }
}
