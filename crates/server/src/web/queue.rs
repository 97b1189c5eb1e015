//! The daily queue page (`/queue`, issue 27): the manager's next best actions for a day, by value
//! at stake, each with the action and its offer, the reason in the reader's language, the value
//! at stake over the snapshot's horizon, the channel the contact policy allows or why the item
//! may not be sent, and forms to mark it done with its outcome or snooze it (a flash after
//! each). `/queue.csv` and `/queue.xlsx` export the same queue (up to the use case's longest).
//! A manager sees only their customers; admins and analysts may pick a manager by name.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_app::clock::today;
use clientele_app::winback::{
    DEFAULT_QUEUE_LIMIT, MAX_QUEUE_LIMIT, OutcomeSettings, Queue, QueueItem, QueueSettings,
    daily_queue, record_queue_outcome,
};
use clientele_core::Day;
use clientele_core::winback::{AttemptOutcome, QueueReason};
use clientele_store::{
    Channel, MAX_OUTCOME_NOTE_CHARS, Role, StatusReasonRecord, StoredQueueOutcome,
};
use serde::Deserialize;

use super::export::{
    Cell, CsvStyle, XLSX, XlsxWriter, csv_chunk, csv_response, download, xlsx_failed,
};
use super::i18n::{Arg, Tr};
use super::lists::{channel_name, stake_text, stake_words};
use super::winback::Choice;
use super::{WebError, WebUser, reason, render, see_other};
use crate::AppState;
use crate::routes::queue::DEFAULT_TIME_ZONE;

/// The longest manager name a filter takes (as the API).
const MAX_MANAGER_CHARS: usize = 200;

#[derive(Debug, Deserialize)]
pub struct QueueQuery {
    /// The queue's day, YYYY-MM-DD (default today).
    date: Option<String>,
    /// Only this user's customers (admins and analysts).
    manager: Option<String>,
    /// What the last form did: done or snoozed.
    done: Option<String>,
    /// For the CSV: `1` Excel's style, `0` the plain one.
    excel: Option<String>,
}

pub struct QueueRow {
    pub customer_id: i64,
    pub customer: String,
    pub manager: String,
    pub rung: String,
    /// The action's code (the forms send it).
    pub action: String,
    pub action_name: String,
    pub offer: String,
    pub reason: String,
    pub value: String,
    /// The allowed channel in words, or why the item may not be sent.
    pub channel: String,
    pub blocked: bool,
    pub cost: String,
    pub suggestions: String,
    /// What was recorded today, in words (`None`: nothing yet, the forms show).
    pub outcome: Option<String>,
    /// The channel the done form selects first (the allowed one).
    pub channel_code: &'static str,
}

#[derive(askama::Template)]
#[template(path = "queue.html")]
struct QueuePage {
    layout: super::Layout,
    t: Tr,
    flash: Option<String>,
    csrf: String,
    /// The queue's day as YYYY-MM-DD (forms and links carry it).
    day: String,
    day_words: String,
    manager: String,
    /// Admins and analysts may pick a manager; a manager sees their own.
    pick_manager: bool,
    /// Managers and admins record outcomes; analysts read.
    can_record: bool,
    as_of: Option<String>,
    summary: String,
    value_heading: String,
    value_note: String,
    playbook: String,
    rows: Vec<QueueRow>,
    channels: Vec<Choice>,
    outcomes: Vec<Choice>,
    /// The snooze form's first choice (the day after the queue's day).
    snooze_default: String,
    /// The exports' query string (date and manager).
    export_query: String,
}

fn parse_date(tr: Tr, text: Option<&str>) -> Result<Day, WebError> {
    match text.map(str::trim) {
        None | Some("") => Ok(today()),
        Some(d) => crate::routes::parse_day("date", d).map_err(|_| {
            WebError::invalid(tr, "date", format!("'{d}' is not a date as YYYY-MM-DD"))
        }),
    }
}

fn manager_of(tr: Tr, text: Option<&str>) -> Result<Option<String>, WebError> {
    match text.map(str::trim) {
        None | Some("") => Ok(None),
        Some(m) if m.chars().count() > MAX_MANAGER_CHARS => Err(WebError::invalid(
            tr,
            "manager",
            format!("longer than {MAX_MANAGER_CHARS} characters"),
        )),
        Some(m) => Ok(Some(m.to_string())),
    }
}

/// The use case's error as a page: a setting it refused names the field.
fn app_error(e: anyhow::Error, tr: Tr) -> WebError {
    match e.downcast::<clientele_app::InvalidSetting>() {
        Ok(invalid) => WebError::invalid(tr, invalid.field, invalid.message),
        Err(e) => match e.downcast::<clientele_store::StoreError>() {
            Ok(clientele_store::StoreError::Conflict(_)) => WebError {
                status: StatusCode::CONFLICT,
                message: tr.get("queue-already-recorded"),
                tr,
            },
            Ok(store) => WebError::store(store, tr),
            Err(e) => {
                tracing::error!("queue page: {e:#}");
                WebError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    message: tr.get("error-internal"),
                    tr,
                }
            }
        },
    }
}

async fn read_queue(
    state: &AppState,
    user: &WebUser,
    query: &QueueQuery,
    limit: usize,
) -> Result<Queue, WebError> {
    let tr = user.tr;
    let settings = QueueSettings {
        day: parse_date(tr, query.date.as_deref())?,
        scope: user.scope(),
        manager: manager_of(tr, query.manager.as_deref())?,
        limit,
        default_time_zone: DEFAULT_TIME_ZONE.into(),
        // Only for snapshots that recorded no horizon: those were scored with the default one.
        clv_horizon_days: Some(clientele_app::ForecastSettings::default().horizon_days as u32),
    };
    daily_queue(&state.store, &settings)
        .await
        .map_err(|e| app_error(e, tr))
}

/// The reason in the reader's language, from its parts (the use case's English line is for
/// scripts): rung, status reason, the newcomer rule with its figures, the CLV.
pub fn reason_words(tr: &Tr, why: &QueueReason) -> String {
    let mut parts = vec![tr.rung(why.rung)];
    match (&why.status_reason, why.status) {
        (Some(code), _) => parts.push(reason::localize(Some(&StatusReasonRecord::Code(*code)), tr)),
        (None, Some(s)) => parts.push(tr.status(s)),
        (None, None) => {}
    }
    if let Some(j) = why.newcomer {
        let mut figures = vec![match j.expected_purchases {
            Some(e) => tr.with(
                "queue-newcomer-expected",
                &[("n", Arg::Text(one_decimal(tr, e)))],
            ),
            None => tr.get("queue-newcomer-no-forecast"),
        }];
        if let Some(r) = j.order_ratio {
            figures.push(tr.with(
                "queue-newcomer-order",
                &[("ratio", Arg::Text(one_decimal(tr, r)))],
            ));
        }
        figures.push(tr.with(
            "queue-newcomer-profit",
            &[("profit", Arg::Text(tr.money(j.profit)))],
        ));
        parts.push(tr.with(
            "queue-newcomer-rule",
            &[
                (
                    "decision",
                    Arg::Text(tr.get(&format!("queue-newcomer-{}", j.decision.as_str()))),
                ),
                ("figures", Arg::Text(figures.join(", "))),
            ],
        ));
    }
    if let Some(clv) = why.clv.filter(|c| c.is_finite()) {
        parts.push(tr.with(
            "queue-clv",
            &[(
                "clv",
                Arg::Text(tr.money(clientele_core::Money::from_f64_rounded(clv))),
            )],
        ));
    }
    parts.join("; ")
}

fn one_decimal(tr: &Tr, x: f64) -> String {
    let text = format!("{x:.1}");
    if tr.code() == "ru" {
        text.replace('.', ",")
    } else {
        text
    }
}

/// Why an item may not be sent, in words: the catalogue's sentence for its code, or the use
/// case's English words for a code the catalogue does not know.
fn blocked_words(tr: &Tr, code: &str, english: &str) -> String {
    tr.try_with(&format!("queue-blocked-{code}"), &[])
        .unwrap_or_else(|| english.to_string())
}

/// The contact policy's channel in words.
fn policy_channel(tr: &Tr, channel: Option<clientele_core::contact_policy::Channel>) -> String {
    channel.map_or_else(
        || tr.get("none"),
        |c| tr.get(&format!("channel-{}", c.as_str())),
    )
}

fn outcome_words(tr: &Tr, o: &StoredQueueOutcome) -> String {
    match o.snooze_until {
        Some(until) if o.outcome == "snoozed" => tr.with(
            "queue-snoozed-until",
            &[("date", Arg::Text(tr.date(until)))],
        ),
        _ => tr.with(
            "queue-done-with",
            &[
                (
                    "outcome",
                    Arg::Text(tr.get(&format!("winback-outcome-{}", o.outcome))),
                ),
                ("channel", Arg::Text(channel_name(tr, o.channel))),
            ],
        ),
    }
}

fn row(tr: &Tr, item: &QueueItem) -> QueueRow {
    let blocked = item.blocked.as_ref();
    QueueRow {
        customer_id: item.customer_id,
        customer: item
            .name
            .clone()
            .unwrap_or_else(|| item.external_id.clone()),
        manager: item.manager.clone().unwrap_or_else(|| tr.get("none")),
        rung: tr.rung(item.rung),
        action: item.action.clone(),
        action_name: action_words(tr, &item.action),
        offer: offer_words(tr, &item.offer),
        reason: reason_words(tr, &item.why),
        value: stake_text(tr, item.value_at_stake),
        channel: match blocked {
            Some((code, english)) => blocked_words(tr, code, english),
            None => policy_channel(tr, item.channel),
        },
        blocked: blocked.is_some(),
        cost: tr.money(item.cost),
        suggestions: if item.suggestions.is_empty() {
            tr.get("none")
        } else {
            item.suggestions.join(", ")
        },
        outcome: item.outcome.as_ref().map(|o| outcome_words(tr, o)),
        channel_code: item.channel.map_or("phone", |c| c.as_str()),
    }
}

/// The default playbook's offers (English, as the core writes them) and their messages: an
/// offer the admin left as it was is shown in the reader's language; one they wrote is shown
/// as written. A test holds this table to the core's defaults.
const DEFAULT_OFFERS: [(&str, &str); 12] = [
    ("A trial offer or a low-risk entry product", "trial"),
    (
        "A personal contact: ask why they left and make an offer that fits the reason",
        "win-back",
    ),
    (
        "A second-purchase offer: a discount on the next order",
        "second-purchase",
    ),
    (
        "A thank-you note with the catalogue, no discount",
        "thank-you",
    ),
    (
        "Ask what disappointed in the first order; a second-purchase offer",
        "first-buyer",
    ),
    (
        "A call before their usual next purchase, with a bonus on it",
        "rhythm-call",
    ),
    (
        "Bonus points or an extra service for their loyalty",
        "loyalty",
    ),
    ("A reminder by e-mail, no discount", "reminder-email"),
    (
        "A reminder before their usual next purchase, with bonus points",
        "rhythm-reminder",
    ),
    ("Bonus points for their loyalty", "loyalty-points"),
    (
        "A personal call from their manager: how are things, what do they need",
        "personal-call",
    ),
    (
        "A unique offer or VIP service: early access, a gift, an invitation",
        "vip",
    ),
];

/// An offer in the reader's language when it is one of the defaults, else as written.
fn offer_words(tr: &Tr, offer: &str) -> String {
    DEFAULT_OFFERS
        .iter()
        .find(|(english, _)| *english == offer)
        .and_then(|(_, key)| tr.try_with(&format!("queue-offer-{key}"), &[]))
        .unwrap_or_else(|| offer.to_string())
}

/// An action's name in the reader's language for the default codes, else its code.
fn action_words(tr: &Tr, code: &str) -> String {
    tr.try_with(&format!("queue-action-{code}"), &[])
        .unwrap_or_else(|| code.to_string())
}

fn channel_choices(tr: &Tr) -> Vec<Choice> {
    ["phone", "email", "sms", "messenger", "post", "visit"]
        .into_iter()
        .map(|c| Choice {
            value: c,
            label: tr.get(&format!("channel-{c}")),
        })
        .collect()
}

fn query_string(day: Day, manager: Option<&str>) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    q.append_pair("date", &day.to_string());
    if let Some(m) = manager {
        q.append_pair("manager", m);
    }
    q.finish()
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(query): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let queue = read_queue(&state, &user, &query, DEFAULT_QUEUE_LIMIT).await?;
    let manager = manager_of(tr, query.manager.as_deref())?;
    let (value_heading, value_note) = stake_words(&tr, false, queue.clv_horizon_days);
    let flash = match query.done.as_deref() {
        Some("done") => Some(tr.get("queue-flash-done")),
        Some("snoozed") => Some(tr.get("queue-flash-snoozed")),
        _ => None,
    };
    let shown = queue.items.len() as f64;
    let summary = tr.with(
        "queue-summary",
        &[
            ("shown", Arg::Num(shown)),
            ("candidates", Arg::Text(tr.int(queue.candidates as i64))),
            ("snoozed", Arg::Num(queue.snoozed as f64)),
        ],
    );
    let playbook = match queue.playbook_version {
        Some(v) => tr.with("queue-playbook-version", &[("version", Arg::Num(v as f64))]),
        None => tr.get("queue-playbook-defaults"),
    };
    let page = QueuePage {
        layout: user.layout("queue", tr.get("page-queue"), &uri.to_string()),
        flash,
        csrf: user.csrf.clone(),
        day: queue.day.to_string(),
        day_words: tr.with("queue-day", &[("date", Arg::Text(tr.date(queue.day)))]),
        manager: manager.clone().unwrap_or_default(),
        pick_manager: user.user.role != Role::Manager,
        can_record: user.user.role != Role::Analyst,
        as_of: queue
            .as_of
            .map(|d| tr.with("queue-as-of", &[("date", Arg::Text(tr.date(d)))])),
        summary,
        value_heading,
        value_note,
        playbook,
        rows: queue.items.iter().map(|i| row(&tr, i)).collect(),
        channels: channel_choices(&tr),
        outcomes: AttemptOutcome::ALL
            .into_iter()
            .map(|o| Choice {
                value: o.as_str(),
                label: tr.get(&format!("winback-outcome-{}", o.as_str())),
            })
            .collect(),
        snooze_default: queue.day.plus_days(1).to_string(),
        export_query: query_string(queue.day, manager.as_deref()),
        t: tr,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct OutcomeForm {
    csrf: Option<String>,
    /// The customer's id in the store.
    customer: String,
    action: String,
    /// The queue's day, YYYY-MM-DD.
    date: Option<String>,
    /// To come back to the same manager's queue.
    manager: Option<String>,
    channel: Option<String>,
    /// An attempt's outcome, or `snoozed`.
    outcome: String,
    snooze_until: Option<String>,
    #[serde(default)]
    note: String,
}

/// Marks an item done with its outcome (written to the contact log) or snoozes it, then goes
/// back to the queue with a flash.
pub async fn record(
    State(state): State<AppState>,
    user: WebUser,
    axum::Form(form): axum::Form<OutcomeForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    if user.user.role == Role::Analyst {
        return Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: tr.get("queue-analyst-reads"),
            tr,
        });
    }
    let customer_id: i64 = form
        .customer
        .trim()
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            WebError::invalid(
                tr,
                "customer",
                format!("'{}' is not a customer id", form.customer),
            )
        })?;
    let action = form.action.trim();
    if action.is_empty() || action.chars().count() > 40 {
        return Err(WebError::invalid(
            tr,
            "action",
            "expected an action code of 1 to 40 characters".into(),
        ));
    }
    let note = form.note.trim();
    if note.chars().count() > MAX_OUTCOME_NOTE_CHARS {
        return Err(WebError::invalid(
            tr,
            "note",
            format!("longer than {MAX_OUTCOME_NOTE_CHARS} characters"),
        ));
    }
    let day = parse_date(tr, form.date.as_deref())?;
    let manager = manager_of(tr, form.manager.as_deref())?;
    let snooze = form.outcome == "snoozed";
    let channel =
        match form.channel.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(c) if snooze => {
                return Err(WebError::invalid(
                    tr,
                    "channel",
                    format!("'{c}': a snooze has no channel"),
                ));
            }
            Some(c) => Some(Channel::parse(c).ok_or_else(|| {
                WebError::invalid(tr, "channel", format!("'{c}' is not a channel"))
            })?),
        };
    let snooze_until = match form.snooze_until.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(d) => Some(crate::routes::parse_day("snooze_until", d).map_err(|_| {
            WebError::invalid(
                tr,
                "snooze_until",
                format!("'{d}' is not a date as YYYY-MM-DD"),
            )
        })?),
    };
    let settings = OutcomeSettings {
        day,
        customer_id,
        action: action.to_string(),
        channel,
        outcome: form.outcome.trim().to_string(),
        snooze_until,
        note: (!note.is_empty()).then(|| note.to_string()),
    };
    record_queue_outcome(&state.store, user.scope(), &user.user, &settings)
        .await
        .map_err(|e| app_error(e, tr))?;
    let done = if snooze { "snoozed" } else { "done" };
    Ok(see_other(&format!(
        "/queue?{}&done={done}#item-{customer_id}",
        query_string(day, manager.as_deref())
    )))
}

/// The plain CSV's header: stable, language-free names scripts rely on (the CLI's columns).
const PLAIN_HEADER: [&str; 14] = [
    "customer_id",
    "name",
    "manager",
    "rung",
    "action",
    "offer",
    "channel",
    "blocked",
    "reason",
    "value_at_stake",
    "clv_horizon_days",
    "cost",
    "suggestions",
    "outcome",
];

fn words_header(tr: &Tr, value_heading: &str) -> Vec<String> {
    let mut h: Vec<String> = [
        "col-external-id",
        "col-name",
        "queue-col-manager",
        "col-rung",
        "queue-col-action",
        "queue-col-offer",
        "col-channel",
        "queue-col-blocked",
        "col-reason",
    ]
    .iter()
    .map(|id| tr.get(id))
    .collect();
    h.push(value_heading.to_string());
    h.extend(
        [
            "queue-col-horizon",
            "queue-col-cost",
            "queue-col-suggestions",
            "queue-col-outcome",
        ]
        .iter()
        .map(|id| tr.get(id)),
    );
    h
}

/// One item's row: codes for scripts (`words` is `None`), else words in `words`' language.
fn export_row(item: &QueueItem, horizon: Option<u32>, words: Option<&Tr>) -> Vec<Cell> {
    let (rung, offer, channel, blocked, reason, outcome) = match words {
        None => (
            item.rung.as_str().to_string(),
            item.offer.clone(),
            item.channel.map(|c| c.as_str().to_string()),
            item.blocked.as_ref().map(|(code, _)| code.to_string()),
            item.reason.clone(),
            item.outcome.as_ref().map(|o| o.outcome.clone()),
        ),
        Some(tr) => (
            tr.rung(item.rung),
            offer_words(tr, &item.offer),
            item.channel.map(|c| policy_channel(tr, Some(c))),
            item.blocked
                .as_ref()
                .map(|(code, english)| blocked_words(tr, code, english)),
            reason_words(tr, &item.why),
            item.outcome.as_ref().map(|o| outcome_words(tr, o)),
        ),
    };
    let opt = |t: Option<String>| t.map_or(Cell::Empty, Cell::Text);
    vec![
        Cell::text(&item.external_id),
        Cell::text(item.name.as_deref().unwrap_or("")),
        Cell::text(item.manager.as_deref().unwrap_or("")),
        Cell::Text(rung),
        Cell::text(&item.action),
        Cell::Text(offer),
        opt(channel),
        opt(blocked),
        Cell::Text(reason),
        item.value_at_stake
            .filter(|v| v.is_finite())
            .map_or(Cell::Empty, |v| {
                Cell::Amount(clientele_core::Money::from_f64_rounded(v))
            }),
        horizon.map_or(Cell::Empty, |h| Cell::Int(i64::from(h))),
        Cell::Amount(item.cost),
        Cell::Text(item.suggestions.join(", ")),
        opt(outcome),
    ]
}

fn file_name(day: Day, ext: &str) -> String {
    format!("queue-{day}.{ext}")
}

/// `/queue.csv`: the whole day's queue (up to the use case's longest) in the page's order.
pub async fn csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let queue = read_queue(&state, &user, &query, MAX_QUEUE_LIMIT).await?;
    let style = CsvStyle::choose(&tr, query.excel.as_deref());
    let words = (style == CsvStyle::Excel).then_some(&tr);
    let header: Vec<String> = match style {
        CsvStyle::Plain => PLAIN_HEADER.iter().map(|h| h.to_string()).collect(),
        CsvStyle::Excel => words_header(&tr, &stake_words(&tr, false, queue.clv_horizon_days).0),
    };
    let rows: Vec<Vec<Cell>> = queue
        .items
        .iter()
        .map(|i| export_row(i, queue.clv_horizon_days, words))
        .collect();
    let bytes = csv_chunk(style, &tr, Some(&header), &rows).map_err(|e| {
        tracing::error!("writing the queue's CSV: {e}");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: tr.get("error-internal"),
            tr,
        }
    })?;
    Ok(csv_response(
        &file_name(queue.day, "csv"),
        Body::from(bytes),
    ))
}

/// `/queue.xlsx`: the same queue with numbers as numbers, words in the reader's language.
pub async fn xlsx(
    State(state): State<AppState>,
    user: WebUser,
    Query(query): Query<QueueQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let queue = read_queue(&state, &user, &query, MAX_QUEUE_LIMIT).await?;
    let header = words_header(&tr, &stake_words(&tr, false, queue.clv_horizon_days).0);
    let mut book =
        XlsxWriter::new(&tr.get("page-queue"), &header).map_err(|e| xlsx_failed(tr, e))?;
    let rows: Vec<Vec<Cell>> = queue
        .items
        .iter()
        .map(|i| export_row(i, queue.clv_horizon_days, Some(&tr)))
        .collect();
    book.rows(&rows).map_err(|e| xlsx_failed(tr, e))?;
    let bytes = tokio::task::spawn_blocking(move || book.finish())
        .await
        .map_err(|e| xlsx_failed(tr, e))?
        .map_err(|e| xlsx_failed(tr, e))?;
    Ok(download(
        &file_name(queue.day, "xlsx"),
        XLSX,
        Body::from(bytes),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::i18n::Lang;
    use clientele_core::winback::Playbook;

    #[test]
    fn every_default_action_and_offer_is_worded_in_both_languages() {
        let playbook = Playbook::default();
        for play in &playbook.plays {
            for action in &play.actions {
                assert!(
                    DEFAULT_OFFERS.iter().any(|(o, _)| *o == action.offer),
                    "the default offer {:?} is in the table",
                    action.offer
                );
                for lang in [Lang::En, Lang::Ru] {
                    let tr = Tr::new(lang);
                    let offer = offer_words(&tr, &action.offer);
                    let name = action_words(&tr, &action.code);
                    assert_ne!(name, action.code, "{lang:?}: {} has a name", action.code);
                    if lang == Lang::Ru {
                        assert_ne!(
                            offer, action.offer,
                            "the offer of {} in Russian",
                            action.code
                        );
                        for text in [&offer, &name] {
                            assert!(
                                !text.chars().any(|c| c.is_ascii_alphabetic()),
                                "no Latin letter in {text:?}"
                            );
                        }
                    }
                }
            }
        }
        // An offer the admin wrote is shown as written, in either language.
        assert_eq!(offer_words(&Tr::new(Lang::Ru), "Скидка 5%"), "Скидка 5%");
        assert_eq!(action_words(&Tr::new(Lang::Ru), "my_call"), "my_call");
    }

    #[test]
    fn the_reason_is_worded_in_russian_without_english() {
        use clientele_core::winback::{NewcomerDecision, NewcomerJudgement};
        use clientele_core::{Money, Rung, Status};
        let why = QueueReason {
            rung: Rung::Newcomer,
            status: Some(Status::Slipping),
            status_reason: None,
            clv: Some(84_000.4),
            newcomer: Some(NewcomerJudgement {
                decision: NewcomerDecision::Develop,
                expected_purchases: Some(1.26),
                order_ratio: Some(0.84),
                profit: Money::from_major(1200),
            }),
        };
        let ru = reason_words(&Tr::new(Lang::Ru), &why);
        assert!(ru.contains("развивать"), "{ru}");
        assert!(ru.contains("1,3") && ru.contains("0,8"), "{ru}");
        assert!(ru.contains("84\u{202f}000,40"), "{ru}");
        assert!(!ru.chars().any(|c| c.is_ascii_alphabetic()), "{ru}");
        let en = reason_words(&Tr::new(Lang::En), &why);
        assert!(
            en.contains(
                "newcomer rule: develop (expected purchases 1.3, order 0.8× the newcomers' median, profit 1,200.00)"
            ),
            "{en}"
        );
        assert!(en.ends_with("CLV 84,000.40"), "{en}");
    }
}
