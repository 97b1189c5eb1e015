//! The public answer page of a survey invitation (`/s/{secret}`): no login, a phone-sized form in
//! Russian or English, one answer per invitation (a second submit changes it until the survey
//! closes or the link expires), and unknown, expired and closed links answered in words.
//!
//! There is no session to carry a CSRF token: the form posts to the link itself, whose 128-bit
//! secret another site cannot know, and a post the browser marks as coming from another site is
//! refused (`security::same_origin`). Submits are rate-limited per link, and an address asking
//! for unknown links is locked out for a while (`link_limits`). The page keeps the strict CSP:
//! its only style sheet is `/static/survey.css`, and it has no script.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use clientele_app::voice::{LinkRefusal, LinkState, answer_link, open_link};
use clientele_store::voice::{InvitationView, SurveyKind};
use serde::Deserialize;

use super::i18n::{Arg, Lang, Tr};
use super::{render, see_other, static_file};
use crate::AppState;
use crate::security::same_origin;
use crate::throttle::ClientAddr;

/// The largest answer form taken: a score, a comment of up to 4,000 characters (up to four bytes
/// each, each byte percent-encoded in three) and the language. Anyone may post here, so the
/// dashboard's upload limit does not apply.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

/// The page in one of its states.
#[derive(askama::Template)]
#[template(path = "survey_link.html")]
struct LinkPage {
    lang: &'static str,
    t: Tr,
    title: String,
    /// Where the language links point (the link itself).
    here: String,
    /// Shown instead of the form: an unknown, expired or closed link, or a refusal.
    notice: Option<String>,
    form: Option<AnswerView>,
}

/// The form of an open link.
struct AnswerView {
    question: String,
    low: String,
    high: String,
    /// Each score of the scale, and whether it is the chosen one.
    scores: Vec<(u8, bool)>,
    comment: String,
    /// "Your answer: 7, given 03.12.2026. You may change it until ..."
    previous: Option<String>,
    /// After a submit: the answer is recorded or changed.
    flash: Option<String>,
    /// Why the last submit was not taken.
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LinkQuery {
    lang: Option<String>,
    done: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    score: Option<String>,
    comment: Option<String>,
    lang: Option<String>,
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The language asked for in the link (`?lang=ru`), else the browser's.
fn language(asked: Option<&str>, headers: &HeaderMap) -> Tr {
    Tr::new(
        asked
            .and_then(Lang::parse)
            .unwrap_or_else(|| Lang::choose(None, headers)),
    )
}

/// The secret as it may be printed in a link (anything else is unknown and never echoed).
fn printable(secret: &str) -> String {
    if clientele_app::voice::plausible_secret(secret) {
        secret.to_ascii_lowercase()
    } else {
        String::new()
    }
}

fn page(tr: Tr, secret: &str, notice: Option<String>, form: Option<AnswerView>) -> LinkPage {
    LinkPage {
        lang: tr.code(),
        t: tr,
        title: tr.get("survey-link-title"),
        here: format!("/s/{}", printable(secret)),
        notice,
        form,
    }
}

fn notice(tr: Tr, secret: &str, status: StatusCode, message: String) -> Response {
    render(status, &page(tr, secret, Some(message), None))
}

fn throttled(tr: Tr, secret: &str, wait: u64) -> Response {
    let mut response = notice(
        tr,
        secret,
        StatusCode::TOO_MANY_REQUESTS,
        tr.with(
            "survey-link-throttled",
            &[("seconds", Arg::Num(wait as f64))],
        ),
    );
    response.headers_mut().insert(RETRY_AFTER, wait.into());
    response
}

fn failed(tr: Tr, secret: &str, e: anyhow::Error) -> Response {
    tracing::error!("survey link: {e:#}");
    notice(
        tr,
        secret,
        StatusCode::INTERNAL_SERVER_ERROR,
        tr.get("survey-link-failed"),
    )
}

fn expired(tr: Tr, secret: &str, view: &InvitationView) -> Response {
    notice(
        tr,
        secret,
        StatusCode::GONE,
        tr.with(
            "survey-link-expired",
            &[("when", Arg::Text(tr.instant(view.expires_at)))],
        ),
    )
}

fn closed(tr: Tr, secret: &str) -> Response {
    notice(tr, secret, StatusCode::GONE, tr.get("survey-link-closed"))
}

fn unknown(tr: Tr, secret: &str) -> Response {
    notice(
        tr,
        secret,
        StatusCode::NOT_FOUND,
        tr.get("survey-link-unknown"),
    )
}

/// The form of an open link, with what was chosen and typed.
fn answer_view(
    tr: Tr,
    view: &InvitationView,
    chosen: Option<u8>,
    comment: String,
    flash: Option<String>,
    error: Option<String>,
) -> AnswerView {
    let (min, max) = view.survey.kind.range();
    let (question, low, high) = match view.survey.kind {
        SurveyKind::Nps(_) => (
            "survey-link-nps",
            "survey-link-nps-low",
            "survey-link-nps-high",
        ),
        SurveyKind::Csat => (
            "survey-link-csat",
            "survey-link-csat-low",
            "survey-link-csat-high",
        ),
    };
    let given = view.answer.as_ref();
    let chosen = chosen.or(given.map(|a| a.0.value()));
    let until = match view.survey.closes_at {
        Some(c) if c < view.expires_at => c,
        _ => view.expires_at,
    };
    AnswerView {
        question: tr.get(question),
        low: tr.get(low),
        high: tr.get(high),
        scores: (min..=max).map(|s| (s, chosen == Some(s))).collect(),
        comment: if comment.is_empty() {
            given.and_then(|a| a.1.clone()).unwrap_or_default()
        } else {
            comment
        },
        previous: given.map(|(score, _, at)| {
            tr.with(
                "survey-link-previous",
                &[
                    ("score", Arg::Num(f64::from(score.value()))),
                    ("when", Arg::Text(tr.instant(*at))),
                    ("until", Arg::Text(tr.instant(until))),
                ],
            )
        }),
        flash,
        error,
    }
}

/// `GET /s/{secret}`: the form, or why there is none.
pub async fn show(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    Path(secret): Path<String>,
    Query(query): Query<LinkQuery>,
) -> Response {
    let tr = language(query.lang.as_deref(), &headers);
    if let Err(wait) = state.link_limits.allowed(addr.0) {
        return throttled(tr, &secret, wait);
    }
    match open_link(&state.store, &secret, unix_now()).await {
        Err(e) => failed(tr, &secret, e),
        Ok(LinkState::Unknown) => {
            state.link_limits.missed(addr.0);
            unknown(tr, &secret)
        }
        Ok(LinkState::Expired(view)) => expired(tr, &secret, &view),
        Ok(LinkState::Closed(_)) => closed(tr, &secret),
        Ok(LinkState::Open(view)) => {
            let flash = match query.done.as_deref() {
                Some("stored") => Some(tr.get("survey-link-stored")),
                Some("changed") => Some(tr.get("survey-link-changed")),
                _ => None,
            };
            let form = answer_view(tr, &view, None, String::new(), flash, None);
            render(StatusCode::OK, &page(tr, &secret, None, Some(form)))
        }
    }
}

/// `POST /s/{secret}`: records or changes the answer, then shows the page again (303).
pub async fn submit(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    Path(secret): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Response {
    let tr = language(form.lang.as_deref(), &headers);
    if !same_origin(&headers) {
        return notice(
            tr,
            &secret,
            StatusCode::FORBIDDEN,
            tr.get("survey-link-cross-site"),
        );
    }
    if let Err(wait) = state.link_limits.allowed(addr.0) {
        return throttled(tr, &secret, wait);
    }
    if let Err(wait) = state.link_limits.submit(&secret) {
        return throttled(tr, &secret, wait);
    }
    let now = unix_now();
    let answered = answer_link(
        &state.store,
        &secret,
        form.score.as_deref(),
        form.comment.as_deref(),
        now,
    )
    .await;
    let refusal = match answered {
        Err(e) => return failed(tr, &secret, e),
        Ok(Ok(done)) => {
            let what = if done.changed { "changed" } else { "stored" };
            return see_other(&format!(
                "/s/{}?done={what}&lang={}",
                printable(&secret),
                tr.code()
            ));
        }
        Ok(Err(refusal)) => refusal,
    };
    let message = match refusal {
        LinkRefusal::Unknown => {
            state.link_limits.missed(addr.0);
            return unknown(tr, &secret);
        }
        LinkRefusal::Closed => return closed(tr, &secret),
        LinkRefusal::Expired => {
            return match open_link(&state.store, &secret, now).await {
                Ok(LinkState::Expired(view)) => expired(tr, &secret, &view),
                Ok(_) => closed(tr, &secret),
                Err(e) => failed(tr, &secret, e),
            };
        }
        LinkRefusal::Score { min, max } => tr.with(
            "survey-link-bad-score",
            &[
                ("min", Arg::Num(f64::from(min))),
                ("max", Arg::Num(f64::from(max))),
            ],
        ),
        LinkRefusal::CommentTooLong(max) => {
            tr.with("survey-link-long-comment", &[("max", Arg::Num(max as f64))])
        }
        LinkRefusal::CommentControl => tr.get("survey-link-control-comment"),
    };
    // Shown again with what was typed, and why it was not taken.
    match open_link(&state.store, &secret, now).await {
        Ok(LinkState::Open(view)) => {
            let chosen = form
                .score
                .as_deref()
                .and_then(|s| s.trim().parse::<u8>().ok());
            let comment: String = form
                .comment
                .unwrap_or_default()
                .chars()
                .take(clientele_app::voice::MAX_COMMENT_CHARS)
                .collect();
            let view = answer_view(tr, &view, chosen, comment, None, Some(message));
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(tr, &secret, None, Some(view)),
            )
        }
        Ok(_) => closed(tr, &secret),
        Err(e) => failed(tr, &secret, e),
    }
}

/// The page's own style sheet (the dashboard's is for staff screens).
pub async fn css() -> Response {
    static_file(
        "text/css; charset=utf-8",
        include_str!("../../static/survey.css"),
    )
    .into_response()
}
