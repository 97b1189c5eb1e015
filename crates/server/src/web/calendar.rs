//! The client calendar page: the occasions of the next days for the user's customers, each with
//! its greeting draft written from the dossier, editable and sent from here through the contact
//! policy (which records it in the contact log); and the card's form that adds a personal date.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_app::calendar::{
    SendGreeting, UpcomingOccasion, UpcomingSettings, send_greeting, upcoming_occasions,
};
use clientele_core::care::Language;
use clientele_core::care::greeting::Occasion;
use clientele_core::care::occasion::{check_label, occasion_of};
use clientele_core::contact_policy::Decision;
use clientele_core::recurrence::text::parse_rule;
use clientele_store::{MAX_GREETING_CHARS, PersonalDateRecord, Role, StoreError};
use serde::Deserialize;

use super::i18n::{Arg, Lang, Tr};
use super::lists::{Pager, today_utc};
use super::{Layout, WebError, WebUser, offset_of, per_page, render, see_other};
use crate::AppState;

/// The windows a user may pick, in days.
const WINDOWS: [i32; 4] = [7, 14, 30, 90];
const DEFAULT_WINDOW: i32 = 14;
/// Greetings arrive at 10:00 local time; customers without a zone of their own are in Moscow.
const LOCAL_MINUTES: u16 = 600;
const DEFAULT_TIME_ZONE: &str = "Europe/Moscow";

pub struct OccasionRow {
    draft_id: i64,
    customer: i64,
    name: String,
    mark: String,
    date: String,
    in_days: String,
    what: String,
    /// The channel the policy allows, or why not.
    how: String,
    allowed: bool,
    greeting: String,
    sent: Option<String>,
    edited_by: Option<String>,
}

pub struct WindowChoice {
    days: i32,
    label: String,
    selected: bool,
}

#[derive(askama::Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    layout: Layout,
    t: Tr,
    csrf: String,
    flash: Option<String>,
    flash_error: bool,
    intro: String,
    can_edit: bool,
    days: i32,
    page: u32,
    windows: Vec<WindowChoice>,
    rows: Vec<OccasionRow>,
    max_chars: usize,
    pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
pub struct CalendarQuery {
    days: Option<i32>,
    page: Option<u32>,
    #[serde(default)]
    done: String,
    #[serde(default)]
    why: String,
}

/// What an occasion is, in the reader's language.
fn occasion_words(tr: &Tr, o: &UpcomingOccasion) -> String {
    match o.years {
        Some(years) => tr.with(
            "date-anniversary",
            &[(
                "years",
                Arg::Text(tr.count("years-count", i64::from(years))),
            )],
        ),
        None => label_words(tr, &o.label),
    }
}

/// A personal date's label in the reader's language: the personal kinds and the catalogue's
/// holidays by their names, any other label as entered.
pub fn label_words(tr: &Tr, label: &str) -> String {
    match occasion_of(label, None) {
        Occasion::Birthday => tr.get("date-birthday"),
        Occasion::NameDay => tr.get("calendar-name-day"),
        Occasion::FoundingDay { .. } => tr.get("calendar-founding-day"),
        Occasion::Holiday(h) => match tr.lang {
            Lang::En => h.name_en.to_string(),
            Lang::Ru => h.name_ru.to_string(),
        },
        Occasion::HolidayLabel(name) => name.to_string(),
        Occasion::Custom(_) | Occasion::FirstPurchase { .. } => label.to_string(),
    }
}

fn refusal_words(tr: &Tr, code: &str) -> String {
    tr.get(&format!("calendar-refusal-{code}"))
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(query): Query<CalendarQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let days = query.days.unwrap_or(DEFAULT_WINDOW);
    if !WINDOWS.contains(&days) {
        return Err(WebError::not_one_of(
            tr,
            "calendar-days",
            &days.to_string(),
            WINDOWS.iter().map(|d| d.to_string()).collect(),
        ));
    }
    let from = today_utc();
    let list = upcoming_occasions(
        &state.store,
        &UpcomingSettings {
            scope: user.scope(),
            manager: None,
            from,
            days,
            language: match tr.lang {
                Lang::En => Language::En,
                Lang::Ru => Language::Ru,
            },
            default_time_zone: DEFAULT_TIME_ZONE.into(),
            local_minutes: LOCAL_MINUTES,
        },
    )
    .await
    .map_err(|e| app_error(e, tr))?;
    let per_page = per_page(&state);
    let (page, offset) = offset_of(query.page, per_page);
    let more = list.len() > offset as usize + per_page as usize;
    let ids: Vec<i64> = list
        .iter()
        .skip(offset as usize)
        .take(per_page as usize)
        .map(|o| o.customer_id)
        .collect();
    let marks = super::card_sections::marks(&state, tr, &ids).await?;
    let rows = list
        .into_iter()
        .skip(offset as usize)
        .take(per_page as usize)
        .map(|o| {
            let (how, allowed) = match (o.channel, o.refusal) {
                (Some(c), _) => (
                    tr.with(
                        "calendar-by",
                        &[(
                            "channel",
                            Arg::Text(tr.get(&format!("channel-{}", c.as_str()))),
                        )],
                    ),
                    true,
                ),
                (None, Some(code)) => (refusal_words(&tr, code), false),
                (None, None) => (String::new(), false),
            };
            OccasionRow {
                draft_id: o.draft_id,
                customer: o.customer_id,
                name: o.name.clone().unwrap_or_else(|| o.external_id.clone()),
                mark: marks
                    .get(&o.customer_id)
                    .cloned()
                    .unwrap_or_else(|| o.external_id.clone()),
                date: tr.date(o.date),
                in_days: tr.in_days(i64::from(o.date.days_since(from))),
                what: occasion_words(&tr, &o),
                how,
                allowed,
                sent: o.sent_at.map(|at| {
                    tr.with(
                        "calendar-sent-at",
                        &[
                            ("at", Arg::Text(tr.instant(at))),
                            ("by", Arg::Text(o.sent_by.clone().unwrap_or_default())),
                        ],
                    )
                }),
                edited_by: o.edited_by.clone(),
                greeting: o.greeting,
            }
        })
        .collect();
    let (flash, flash_error) = match query.done.as_str() {
        "saved" => (Some(tr.get("calendar-done-saved")), false),
        "sent" => (Some(tr.get("calendar-done-sent")), false),
        "refused"
            if query.why.len() <= 40
                && query
                    .why
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'_') =>
        {
            (
                Some(tr.with(
                    "calendar-done-refused",
                    &[("why", Arg::Text(refusal_words(&tr, &query.why)))],
                )),
                true,
            )
        }
        _ => (None, false),
    };
    let page_view = CalendarPage {
        layout: user.layout("calendar", tr.get("page-calendar"), &uri.to_string()),
        t: tr,
        csrf: user.csrf.clone(),
        flash,
        flash_error,
        intro: tr.with(
            "calendar-intro",
            &[
                ("from", Arg::Text(tr.date(from))),
                ("to", Arg::Text(tr.date(from.plus_days(days - 1)))),
            ],
        ),
        can_edit: user.user.role != Role::Analyst,
        days,
        page,
        windows: WINDOWS
            .iter()
            .map(|&d| WindowChoice {
                days: d,
                label: tr.count("calendar-window", i64::from(d)),
                selected: d == days,
            })
            .collect(),
        rows,
        max_chars: MAX_GREETING_CHARS,
        pager: Pager {
            prev: (page > 1).then(|| format!("/calendar?days={days}&page={}", page - 1)),
            next: more.then(|| format!("/calendar?days={days}&page={}", page + 1)),
        },
    };
    Ok(render(StatusCode::OK, &page_view))
}

/// A refused setting or a store error, in the reader's language.
fn app_error(e: anyhow::Error, tr: Tr) -> WebError {
    match e.downcast::<StoreError>() {
        Ok(StoreError::Conflict(_)) => WebError {
            status: StatusCode::CONFLICT,
            message: tr.get("calendar-conflict"),
            tr,
        },
        Ok(StoreError::Invalid { field: "body", .. }) => WebError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: tr.with(
                "calendar-bad-body",
                &[("max", Arg::Num(MAX_GREETING_CHARS as f64))],
            ),
            tr,
        },
        Ok(store) => WebError::store(store, tr),
        Err(e) => match e.downcast_ref::<clientele_app::InvalidSetting>() {
            Some(s) if s.field == "draft" => WebError {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                message: tr.get("calendar-day-passed"),
                tr,
            },
            _ => {
                tracing::error!("calendar page: {e:#}");
                WebError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    message: tr.get("error-internal"),
                    tr,
                }
            }
        },
    }
}

fn forbidden(tr: Tr) -> WebError {
    WebError {
        status: StatusCode::FORBIDDEN,
        message: tr.get("calendar-analysts-read"),
        tr,
    }
}

#[derive(Debug, Deserialize)]
pub struct GreetingForm {
    csrf: Option<String>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    action: String,
    days: Option<i32>,
    page: Option<u32>,
}

/// Saves a draft's text, or saves and sends it through the policy; back to the calendar with
/// what happened.
pub async fn greeting(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<i64>,
    Form(form): Form<GreetingForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    if user.user.role == Role::Analyst {
        return Err(forbidden(tr));
    }
    let days = form
        .days
        .filter(|d| WINDOWS.contains(d))
        .unwrap_or(DEFAULT_WINDOW);
    let page = form.page.unwrap_or(1).clamp(1, 100_000);
    let back = |done: &str| {
        see_other(&format!(
            "/calendar?days={days}&page={page}&{done}#greeting-{id}"
        ))
    };
    // Browsers send line breaks as CR LF: the draft keeps the text as the core writes it.
    let body = form.body.replace("\r\n", "\n");
    match form.action.as_str() {
        "save" => {
            let draft = state
                .store
                .greeting_draft(user.scope(), id)
                .await
                .map_err(|e| WebError::store(e, tr))?;
            if draft.body != body {
                state
                    .store
                    .edit_greeting_draft(user.scope(), id, &body, &user.user.name)
                    .await
                    .map_err(|e| app_error(e.into(), tr))?;
            }
            Ok(back("done=saved"))
        }
        "send" => {
            let outcome = send_greeting(
                &state.store,
                &SendGreeting {
                    scope: user.scope(),
                    draft_id: id,
                    body: Some(body),
                    today: today_utc(),
                    default_time_zone: DEFAULT_TIME_ZONE.into(),
                    local_minutes: LOCAL_MINUTES,
                    author: user.user.name.clone(),
                    user_id: Some(user.user.id),
                },
            )
            .await
            .map_err(|e| app_error(e, tr))?;
            Ok(match outcome.decision {
                Decision::Send(_) => back("done=sent"),
                Decision::Refused(r) => back(&format!("done=refused&why={}", r.code())),
            })
        }
        _ => Err(WebError::invalid(tr, "action", "save or send".into())),
    }
}

#[derive(Debug, Deserialize)]
pub struct DateForm {
    csrf: Option<String>,
    #[serde(default)]
    label: String,
    #[serde(default)]
    date: String,
}

/// The card's form: adds a personal date (the rule as written: 14.03.1985, last Sunday of
/// July, orthodox easter+49, or a holiday's code alone).
pub async fn add_date(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<i64>,
    Form(form): Form<DateForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    if user.user.role == Role::Analyst {
        return Err(forbidden(tr));
    }
    let bad = |id: &str, detail: String| WebError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: tr.with(id, &[("detail", Arg::Text(detail))]),
        tr,
    };
    let label = form.label.trim();
    check_label(label).map_err(|_| bad("calendar-bad-label", label.chars().take(100).collect()))?;
    let text = match form.date.trim() {
        "" => label,
        t => t,
    };
    let rule =
        parse_rule(text).map_err(|_| bad("calendar-bad-date", text.chars().take(80).collect()))?;
    match state
        .store
        .add_personal_date_audited(
            user.scope(),
            id,
            &user.user.name,
            &PersonalDateRecord {
                label: label.to_string(),
                rule,
            },
        )
        .await
    {
        Ok(()) => Ok(see_other(&format!("/customers/{id}?done=date#dates"))),
        Err(StoreError::Conflict(_)) => {
            Ok(see_other(&format!("/customers/{id}?done=date-known#dates")))
        }
        Err(e) => Err(WebError::store(e, tr)),
    }
}
