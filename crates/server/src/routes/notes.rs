//! The dossier: notes on a customer, read and added within the user's scope.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CustomerId, Json};
use crate::routes::customers::Note;

/// The longest note accepted, in characters (held by the store).
pub use clientele_store::MAX_NOTE_CHARS;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewNote {
    /// The note's text (not empty, at most 20,000 characters).
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Notes {
    /// Oldest first.
    pub items: Vec<Note>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_notes, add_note))
}

/// The customer's notes, oldest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/notes", tag = "notes",
    params(("id" = i64, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The notes", body = Notes),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody)))]
async fn list_notes(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
) -> Result<Json<Notes>, ApiError> {
    state.store.visible_customer(auth.scope(), id).await?;
    let notes = state.store.notes(id).await?;
    state.audit.record(
        &auth.user.name,
        clientele_store::read_action::NOTES,
        Some(id),
        &format!("{} notes (api)", notes.len()),
    );
    Ok(Json(Notes {
        items: notes.into_iter().map(Note::from).collect(),
    }))
}

/// Adds a note to the customer's dossier, signed by the current user; the note and its audit
/// entry are written in one transaction.
#[utoipa::path(post, path = "/api/v1/customers/{id}/notes", tag = "notes",
    params(("id" = i64, Path, description = "Customer id")),
    request_body = NewNote,
    responses(
        (status = 201, description = "The note as stored", body = Note),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody),
        (status = 422, description = "The body is empty or too long", body = ErrorBody)))]
async fn add_note(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
    Json(note): Json<NewNote>,
) -> Result<(StatusCode, Json<Note>), ApiError> {
    if note.body.trim().is_empty() {
        return Err(ApiError::invalid("body", "the note is empty"));
    }
    if note.body.chars().count() > MAX_NOTE_CHARS {
        return Err(ApiError::invalid(
            "body",
            format!("the note is longer than {MAX_NOTE_CHARS} characters"),
        ));
    }
    let stored = state
        .store
        .add_note_audited(auth.scope(), id, &auth.user, &note.body)
        .await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}
