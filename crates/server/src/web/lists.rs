//! Today's calls, lost customers and upcoming dates: paginated lists.

use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_core::{Day, Strategy};
use clientele_store::{ActionItem, Channel, DateKind, Reach, ValueList};
use serde::Deserialize;
use std::collections::HashMap;

use super::i18n::{Arg, Tr};
use super::pages::strategy_ids;
use super::{Layout, WebError, WebUser, offset_of, per_page, reason, render};
use crate::AppState;

/// How far ahead the dates page looks.
const DATES_AHEAD: i32 = 30;

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    page: Option<u32>,
}

pub struct ActionRow {
    pub id: i64,
    pub name: String,
    /// What tells the customer from a namesake: number in the company's system, phone tail.
    pub mark: String,
    pub rung: String,
    pub value: String,
    pub since_last: String,
    pub reason: String,
    pub action: String,
    pub channel: String,
}

/// Links to the neighbouring pages of an offset-paginated list.
pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
}

impl Pager {
    fn new(path: &str, page: u32, more: bool) -> Pager {
        Pager {
            prev: (page > 1).then(|| format!("{path}?page={}", page - 1)),
            next: more.then(|| format!("{path}?page={}", page + 1)),
        }
    }
}

#[derive(askama::Template)]
#[template(path = "actions.html")]
struct ActionsPage {
    layout: Layout,
    t: Tr,
    list_id: &'static str,
    /// The list's path, which its `.csv` and `.xlsx` downloads extend.
    path: &'static str,
    lost: bool,
    intro: String,
    as_of: Option<String>,
    total: String,
    /// The value column's heading, naming the CLV's horizon.
    value_heading: String,
    /// What the value column means: the CLV lost over the horizon, in which currency.
    value_note: String,
    rows: Vec<ActionRow>,
    pager: Pager,
    csrf: String,
}

pub fn channel_name(tr: &Tr, channel: Option<Channel>) -> String {
    channel.map_or_else(
        || tr.get("none"),
        |c| tr.get(&format!("channel-{}", c.as_str())),
    )
}

/// The channel to reach a customer on, in words: the one the contact policy allows, or plainly
/// why there is none (never the preferred channel when its consent is not in force).
pub fn reach_name(tr: &Tr, reach: Option<Reach>) -> String {
    match reach {
        Some(Reach::Channel(c)) => channel_name(tr, Some(c)),
        Some(Reach::NoContactDetails) => tr.get("reach-no-contact-details"),
        Some(Reach::NoConsentedChannel) | None => tr.get("reach-no-consented-channel"),
    }
}

fn action_row(
    tr: &Tr,
    item: &ActionItem,
    reach: Option<Reach>,
    mark: Option<&String>,
    as_of: Option<Day>,
    strategy: Strategy,
) -> ActionRow {
    let since_last = match (item.last_purchase, as_of) {
        (Some(last), Some(day)) => tr.count("days-count", i64::from(day.days_since(last))),
        _ => tr.get("none"),
    };
    ActionRow {
        id: item.id,
        name: item
            .name
            .clone()
            .unwrap_or_else(|| item.external_id.clone()),
        mark: mark.cloned().unwrap_or_else(|| item.external_id.clone()),
        rung: tr.rung(item.rung),
        value: stake_text(tr, item.value_at_stake),
        since_last,
        reason: reason::localize(item.status_reason.as_ref(), tr),
        action: tr.get(strategy_ids(strategy).1),
        channel: reach_name(tr, reach),
    }
}

/// A value at stake in the page's currency, or "—" when the snapshot forecast no CLV.
pub fn stake_text(tr: &Tr, stake: Option<f64>) -> String {
    stake.map_or_else(
        || tr.get("none"),
        |v| tr.money(clientele_core::Money::from_f64_rounded(v)),
    )
}

/// The heading of a value-at-stake column and the sentence that says what it holds: the
/// lifetime value over the snapshot's horizon expected to be lost, in the page's currency (or
/// that no lifetime value was forecast, and the list is ranked by revenue).
pub fn stake_words(tr: &Tr, lost: bool, horizon_days: Option<u32>) -> (String, String) {
    let Some(days) = horizon_days else {
        let label = if lost {
            "col-value-lost"
        } else {
            "col-value-at-stake"
        };
        return (tr.get(label), tr.get("stake-note-no-clv"));
    };
    let horizon = tr.count("days-count", i64::from(days));
    let label = if lost {
        "col-value-lost-over"
    } else {
        "col-value-at-stake-over"
    };
    let heading = tr.with(label, &[("horizon", Arg::Text(horizon.clone()))]);
    let note = match tr.currency {
        Some(c) => tr.with(
            "stake-note",
            &[
                ("horizon", Arg::Text(horizon)),
                ("currency", Arg::Text(c.code().to_string())),
            ],
        ),
        None => tr.with("stake-note-no-currency", &[("horizon", Arg::Text(horizon))]),
    };
    (heading, note)
}

async fn action_page(
    state: AppState,
    user: WebUser,
    uri: Uri,
    query: PageQuery,
    list: ValueList,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let per_page = per_page(&state);
    let (page, offset) = offset_of(query.page, per_page);
    let found = state
        .store
        .action_list(user.scope(), list, offset, per_page)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let ids: Vec<i64> = found.items.iter().map(|item| item.id).collect();
    let reach: HashMap<i64, Reach> = state
        .store
        .reach(&ids, today_utc())
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let marks = super::card_sections::marks(&state, tr, &ids).await?;
    let rows = found
        .items
        .iter()
        .map(|item| {
            let strategy = match list {
                ValueList::AtRisk => Strategy::for_rung(item.rung),
                ValueList::Lost => Strategy::WinBack,
            };
            action_row(
                &tr,
                item,
                reach.get(&item.id).copied(),
                marks.get(&item.id),
                found.as_of,
                strategy,
            )
        })
        .collect();
    let more = offset + u64::from(per_page) < found.total as u64;
    let (page_name, title, path, list_id, intro) = match list {
        ValueList::AtRisk => ("today", "page-today", "/today", "today-list", "today-intro"),
        ValueList::Lost => ("lost", "page-lost", "/lost", "lost-list", "lost-intro"),
    };
    let (value_heading, value_note) =
        stake_words(&tr, list == ValueList::Lost, found.clv_horizon_days);
    let page = ActionsPage {
        layout: user.layout(page_name, tr.get(title), &uri.to_string()),
        value_heading,
        value_note,
        t: tr,
        list_id,
        path,
        lost: list == ValueList::Lost,
        intro: tr.get(intro),
        as_of: found
            .as_of
            .map(|d| tr.with("as-of", &[("date", Arg::Text(tr.date(d)))])),
        total: tr.with("list-total", &[("count", Arg::Text(tr.int(found.total)))]),
        rows,
        pager: Pager::new(path, page, more),
        csrf: user.csrf.clone(),
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn today(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    action_page(state, user, uri, query, ValueList::AtRisk).await
}

pub async fn lost(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    action_page(state, user, uri, query, ValueList::Lost).await
}

pub struct DateRow {
    pub id: i64,
    pub day: String,
    pub in_days: String,
    pub name: String,
    pub mark: String,
    pub what: String,
}

#[derive(askama::Template)]
#[template(path = "dates.html")]
struct DatesPage {
    layout: Layout,
    t: Tr,
    intro: String,
    rows: Vec<DateRow>,
    pager: Pager,
}

/// Today in UTC.
pub fn today_utc() -> Day {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Day::from_days_since_epoch((secs / 86_400) as i32)
}

pub async fn dates(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let per_page = per_page(&state);
    let (page, offset) = offset_of(query.page, per_page);
    let from = today_utc();
    let (found, more) = state
        .store
        .upcoming_dates(user.scope(), from, DATES_AHEAD, offset, per_page)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let ids: Vec<i64> = found.iter().map(|d| d.customer_id).collect();
    let marks = super::card_sections::marks(&state, tr, &ids).await?;
    let rows = found
        .into_iter()
        .map(|d| DateRow {
            mark: marks
                .get(&d.customer_id)
                .cloned()
                .unwrap_or_else(|| d.external_id.clone()),
            id: d.customer_id,
            day: tr.date(d.day),
            in_days: tr.in_days(i64::from(d.day.days_since(from))),
            name: d.name.unwrap_or(d.external_id),
            what: match d.kind {
                DateKind::Personal(label) => tr.date_label(&label),
                DateKind::FirstPurchase { years } => tr.with(
                    "date-anniversary",
                    &[(
                        "years",
                        Arg::Text(tr.count("years-count", i64::from(years))),
                    )],
                ),
            },
        })
        .collect();
    let page = DatesPage {
        layout: user.layout("dates", tr.get("page-dates"), &uri.to_string()),
        t: tr,
        intro: tr.with(
            "dates-intro",
            &[
                ("from", Arg::Text(tr.date(from))),
                ("to", Arg::Text(tr.date(from.plus_days(DATES_AHEAD - 1)))),
            ],
        ),
        rows,
        pager: Pager::new("/dates", page, more),
    };
    Ok(render(StatusCode::OK, &page))
}
