//! The playbook page (`/playbook`, issue 27): the playbook in force as its TOML file — the
//! latest version an admin saved, else the documented defaults with their comments — with who
//! saved it and when. Admins edit it in place: a file that does not read is shown again as
//! typed, with the error beside it naming the key (`play[2].action[0].cost_per_contact`) or the
//! line, and nothing is saved; a good one is saved as a new version with a flash. Others read.

use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_app::winback::{
    current_playbook, default_playbook_toml, parse_playbook, save_playbook,
};
use clientele_core::winback::PlaybookError;
use clientele_store::{MAX_PLAYBOOK_BYTES, Role};
use serde::Deserialize;

use super::i18n::{Arg, Tr};
use super::{Layout, WebError, WebUser, render, see_other};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct PlaybookQuery {
    /// What the last form did: `saved`.
    done: Option<String>,
}

/// Why a submitted file was refused, for the page.
pub struct Refusal {
    /// The key in the file (`play[0].action[1].cost_per_contact`), when the value is the fault.
    pub key: Option<String>,
    /// The reader's sentence.
    pub message: String,
    /// The checker's own words (English), for the detail.
    pub detail: String,
}

#[derive(askama::Template)]
#[template(path = "playbook.html")]
struct PlaybookPage {
    layout: Layout,
    t: Tr,
    flash: Option<String>,
    csrf: String,
    can_edit: bool,
    /// Which version is in force, in words.
    version: String,
    text: String,
    refusal: Option<Refusal>,
    hint: String,
}

/// The text in force and the sentence saying which version it is.
async fn in_force(state: &AppState, tr: &Tr) -> Result<(String, String), WebError> {
    let version = state
        .store
        .current_playbook()
        .await
        .map_err(|e| WebError::store(e, *tr))?;
    Ok(match version {
        None => (default_playbook_toml(), tr.get("playbook-defaults")),
        Some(v) => {
            let words = tr.with(
                "playbook-version",
                &[
                    ("version", Arg::Num(v.id as f64)),
                    ("user", Arg::Text(v.saved_by.clone())),
                    ("at", Arg::Text(tr.instant(v.saved_at))),
                ],
            );
            (v.toml, words)
        }
    })
}

fn page_of(
    user: &WebUser,
    uri: &Uri,
    flash: Option<String>,
    version: String,
    text: String,
    refusal: Option<Refusal>,
) -> PlaybookPage {
    let tr = user.tr;
    PlaybookPage {
        layout: user.layout("playbook", tr.get("page-playbook"), &uri.to_string()),
        t: tr,
        flash,
        csrf: user.csrf.clone(),
        can_edit: user.user.role == Role::Admin,
        version,
        text,
        refusal,
        hint: tr.with(
            "playbook-hint",
            &[("max", Arg::Text(tr.int(MAX_PLAYBOOK_BYTES as i64)))],
        ),
    }
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(query): Query<PlaybookQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    // A saved version that no longer reads is still shown, so an admin can mend it.
    let (text, version) = in_force(&state, &tr).await?;
    let refusal = match parse_playbook(&text) {
        Ok(_) => None,
        Err(e) => Some(refusal(&tr, &e)),
    };
    let flash = match query.done.as_deref() {
        Some("saved") => Some(tr.get("playbook-flash-saved")),
        _ => None,
    };
    let page = page_of(&user, &uri, flash, version, text, refusal);
    Ok(render(StatusCode::OK, &page))
}

/// The refusal of a file, from the checker's error: the key of a value that does not fit, or
/// else the reader's words (a file that is not TOML names its line).
fn refusal(tr: &Tr, e: &anyhow::Error) -> Refusal {
    let detail = format!("{e:#}");
    if let Some(p) = e.chain().find_map(|c| c.downcast_ref::<PlaybookError>()) {
        return Refusal {
            message: tr.with("playbook-error-key", &[("key", Arg::Text(p.key.clone()))]),
            key: Some(p.key.clone()),
            detail: p.reason.clone(),
        };
    }
    Refusal {
        message: tr.get("playbook-error-other"),
        key: None,
        detail,
    }
}

#[derive(Debug, Deserialize)]
pub struct PlaybookForm {
    csrf: Option<String>,
    #[serde(default)]
    toml: String,
}

/// Saves the edited playbook (admins): refused in place with its key, or saved with a flash.
pub async fn save(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    axum::Form(form): axum::Form<PlaybookForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    if user.user.role != Role::Admin {
        return Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: tr.get("playbook-admins-only"),
            tr,
        });
    }
    // Browsers send a text area's line ends as CRLF; the file is kept with LF.
    let text = form.toml.replace("\r\n", "\n");
    let refused = if text.len() > MAX_PLAYBOOK_BYTES {
        Some(Refusal {
            message: tr.with(
                "playbook-error-long",
                &[("max", Arg::Text(tr.int(MAX_PLAYBOOK_BYTES as i64)))],
            ),
            key: None,
            detail: String::new(),
        })
    } else {
        parse_playbook(&text).err().map(|e| refusal(&tr, &e))
    };
    if let Some(refusal) = refused {
        let (_, version) = in_force(&state, &tr).await?;
        // The text as typed (cut to the bound), so the admin mends it rather than retyping.
        let mut shown = text;
        if shown.len() > MAX_PLAYBOOK_BYTES {
            let mut cut = MAX_PLAYBOOK_BYTES;
            while !shown.is_char_boundary(cut) {
                cut -= 1;
            }
            shown.truncate(cut);
        }
        let page = page_of(&user, &uri, None, version, shown, Some(refusal));
        return Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page));
    }
    save_playbook(&state.store, &text, &user.user.name)
        .await
        .map_err(|e| {
            tracing::error!("saving the playbook: {e:#}");
            WebError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: tr.get("error-internal"),
                tr,
            }
        })?;
    // Make sure the version in force is the one just saved before saying so.
    current_playbook(&state.store).await.map_err(|e| {
        tracing::error!("reading the saved playbook: {e:#}");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: tr.get("error-internal"),
            tr,
        }
    })?;
    Ok(see_other("/playbook?done=saved"))
}
