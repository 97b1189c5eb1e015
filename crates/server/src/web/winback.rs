//! The win-back page: the returners' funnel (a chart and the tables by reason, offer, channel
//! and manager), the win-back rate against the method's mark, the regained money, and the
//! cases a manager works through — each open case with a form to record an attempt. Cases are
//! opened from the lost list's button (and by hand from the API and the command line).

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_app::clock::today;
use clientele_app::winback::{
    CaseListSettings, DEFAULT_WINDOW_DAYS, FunnelRow, ReportSettings, WinBackReport, list_cases,
    winback_report,
};
use clientele_charts::BarChart;
use clientele_core::winback::{AttemptOutcome, CaseState, Funnel, LeavingReason};
use clientele_store::{CaseSource, Channel, NewAttempt, NewCase, StoreError};
use serde::Deserialize;

use super::i18n::{Arg, Tr};
use super::lists::{Pager, channel_name};
use super::{Layout, WebError, WebUser, offset_of, per_page, render, see_other};
use crate::AppState;

#[derive(Debug, Deserialize)]
pub struct WinbackQuery {
    page: Option<u32>,
    /// open, returned or not_returned.
    state: Option<String>,
    /// What the last form did: opened, already_open, attempt.
    done: Option<String>,
}

/// A select's option.
pub struct Choice {
    pub value: &'static str,
    pub label: String,
}

pub struct CaseRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer: String,
    /// What tells the customer from a namesake.
    pub mark: String,
    pub manager: String,
    pub opened: String,
    pub state: String,
    pub open: bool,
    pub reason: String,
    pub offer: String,
    pub channel: String,
    pub attempts: String,
    pub last_outcome: String,
}

pub struct FunnelLine {
    pub key: String,
    pub cases: String,
    pub contacted: String,
    pub answered: String,
    pub returned: String,
    pub still_buying: String,
    pub rate: String,
}

pub struct FunnelTable {
    pub title: String,
    pub lines: Vec<FunnelLine>,
}

#[derive(askama::Template)]
#[template(path = "winback.html")]
struct WinbackPage {
    layout: Layout,
    t: Tr,
    flash: Option<String>,
    as_of: Option<String>,
    chart: Option<String>,
    rate: Option<String>,
    companies: Option<String>,
    regained: Option<String>,
    tables: Vec<FunnelTable>,
    states: Vec<Choice>,
    state: String,
    rows: Vec<CaseRow>,
    total: String,
    pager: Pager,
    csrf: String,
    channels: Vec<Choice>,
    outcomes: Vec<Choice>,
    reasons: Vec<Choice>,
}

fn reason_name(tr: &Tr, code: Option<&str>) -> String {
    code.map_or_else(
        || tr.get("none"),
        |c| tr.get(&format!("winback-reason-{c}")),
    )
}

fn outcome_name(tr: &Tr, code: Option<&str>) -> String {
    code.map_or_else(
        || tr.get("none"),
        |c| tr.get(&format!("winback-outcome-{c}")),
    )
}

fn state_name(tr: &Tr, code: &str) -> String {
    tr.get(&format!("winback-state-{code}"))
}

fn funnel_line(tr: &Tr, key: String, f: &Funnel) -> FunnelLine {
    FunnelLine {
        key,
        cases: tr.int(f.lost as i64),
        contacted: tr.int(f.contacted as i64),
        answered: tr.int(f.answered as i64),
        returned: tr.int(f.returned as i64),
        still_buying: tr.int(f.still_buying as i64),
        rate: f
            .return_rate()
            .map_or_else(|| tr.get("none"), |(r, _)| tr.percent(r)),
    }
}

fn table(
    tr: &Tr,
    title: &str,
    rows: &[FunnelRow],
    name: impl Fn(Option<&str>) -> String,
) -> FunnelTable {
    FunnelTable {
        title: tr.get(title),
        lines: rows
            .iter()
            .map(|r| funnel_line(tr, name(r.key.as_deref()), &r.funnel))
            .collect(),
    }
}

fn chart(tr: &Tr, report: &WinBackReport) -> Option<String> {
    let f = &report.total;
    if f.lost == 0 {
        return None;
    }
    let stages = [
        ("winback-stage-lost", f.lost),
        ("winback-stage-contacted", f.contacted),
        ("winback-stage-answered", f.answered),
        ("winback-stage-returned", f.returned),
        ("winback-stage-still-buying", f.still_buying),
    ];
    let chart = BarChart {
        title: tr.get("winback-funnel-title"),
        description: tr.with(
            "winback-funnel-desc",
            &[
                ("cases", Arg::Num(f.lost as f64)),
                ("returned", Arg::Num(f.returned as f64)),
            ],
        ),
        x_label: tr.get("winback-funnel-x"),
        y_label: tr.get("winback-funnel-y"),
        categories: stages.iter().map(|(k, _)| tr.get(k)).collect(),
        series: vec![(
            tr.get("winback-funnel-series"),
            stages.iter().map(|&(_, n)| n as f64).collect(),
        )],
    };
    Some(chart.to_svg())
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

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(query): Query<WinbackQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let case_state = match query.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(CaseState::parse(s).ok_or_else(|| {
            WebError::invalid(
                tr,
                "state",
                format!("'{s}' is not one of open, returned, not_returned"),
            )
        })?),
    };
    let per_page = per_page(&state);
    let (page, offset) = offset_of(query.page, per_page);
    // The report needs a snapshot; without one the page still lists the cases.
    let report = match winback_report(&state.store, user.scope(), &ReportSettings::default()).await
    {
        Ok(r) => Some(r),
        Err(e)
            if e.downcast_ref::<StoreError>().is_none()
                && e.to_string().starts_with("no snapshot") =>
        {
            None
        }
        Err(e) => return Err(app_error(e, tr)),
    };
    let settings = CaseListSettings {
        state: case_state,
        customer: None,
        offset,
        limit: per_page,
    };
    let (total, cases) = list_cases(&state.store, user.scope(), &settings)
        .await
        .map_err(|e| app_error(e, tr))?;
    let ids: Vec<i64> = cases.iter().map(|c| c.customer_id).collect();
    let marks = super::card_sections::marks(&state, tr, &ids).await?;
    let rows = cases
        .iter()
        .map(|c| CaseRow {
            mark: marks
                .get(&c.customer_id)
                .cloned()
                .unwrap_or_else(|| c.external_id.clone()),
            id: c.id,
            customer_id: c.customer_id,
            customer: c.name.clone().unwrap_or_else(|| c.external_id.clone()),
            manager: c.manager.clone().unwrap_or_else(|| tr.get("none")),
            opened: tr.date(c.opened_day),
            state: match c.returned_day {
                Some(d) => tr.with("winback-returned-on", &[("date", Arg::Text(tr.date(d)))]),
                None => state_name(&tr, &c.state),
            },
            open: c.state == "open",
            reason: match (&c.reason, &c.reason_text) {
                (r, Some(text)) => format!("{} — {text}", reason_name(&tr, r.as_deref())),
                (r, None) => reason_name(&tr, r.as_deref()),
            },
            offer: c.offer.clone().unwrap_or_else(|| tr.get("none")),
            channel: channel_name(&tr, c.channel),
            attempts: tr.int(c.attempts),
            last_outcome: outcome_name(&tr, c.last_outcome.as_deref()),
        })
        .collect();
    let state_code = case_state.map_or("", CaseState::as_str);
    let link = |p: u32| {
        if state_code.is_empty() {
            format!("/winback?page={p}")
        } else {
            format!("/winback?state={state_code}&page={p}")
        }
    };
    let more = offset + u64::from(per_page) < total as u64;
    let (rate, companies, regained, tables, as_of, chart_svg) = match &report {
        None => (None, None, None, Vec::new(), None, None),
        Some(r) => {
            let c = &r.consumers;
            let rate = Some(match c.rate {
                None => tr.get("winback-rate-none"),
                Some(share) => tr.with(
                    if c.meets_mark == Some(true) {
                        "winback-rate-met"
                    } else {
                        "winback-rate-not-met"
                    },
                    &[
                        ("returned", Arg::Num(c.returned as f64)),
                        ("lost", Arg::Text(tr.int(c.lost as i64))),
                        ("rate", Arg::Text(tr.percent(share))),
                        (
                            "low",
                            Arg::Text(c.ci95.map_or_else(|| tr.get("none"), |i| tr.percent(i.lo))),
                        ),
                        (
                            "high",
                            Arg::Text(c.ci95.map_or_else(|| tr.get("none"), |i| tr.percent(i.hi))),
                        ),
                    ],
                ),
            });
            let companies = Some(tr.with(
                "winback-companies",
                &[
                    ("returned", Arg::Num(r.companies_returned as f64)),
                    ("lost", Arg::Text(tr.int(r.companies_lost as i64))),
                ],
            ));
            let regained = Some(tr.with(
                "winback-regained",
                &[
                    ("n", Arg::Num(r.regained.len() as f64)),
                    ("days", Arg::Text(tr.int(i64::from(r.regained_days)))),
                    ("revenue", Arg::Text(tr.money(r.regained_revenue))),
                    ("profit", Arg::Text(tr.money(r.regained_profit))),
                ],
            ));
            let tables = vec![
                table(&tr, "winback-by-reason", &r.by_reason, |k| {
                    reason_name(&tr, k)
                }),
                table(&tr, "winback-by-offer", &r.by_offer, |k| {
                    k.map_or_else(|| tr.get("none"), str::to_string)
                }),
                table(&tr, "winback-by-channel", &r.by_channel, |k| {
                    channel_name(&tr, k.and_then(Channel::parse))
                }),
                table(&tr, "winback-by-manager", &r.by_manager, |k| {
                    k.map_or_else(|| tr.get("none"), str::to_string)
                }),
            ];
            let as_of = Some(tr.with("winback-as-of", &[("date", Arg::Text(tr.date(r.as_of)))]));
            (rate, companies, regained, tables, as_of, chart(&tr, r))
        }
    };
    let flash = match query.done.as_deref() {
        Some("opened") => Some(tr.get("winback-flash-opened")),
        Some("already_open") => Some(tr.get("winback-flash-already-open")),
        Some("attempt") => Some(tr.get("winback-flash-attempt")),
        _ => None,
    };
    let mut states = vec![Choice {
        value: "",
        label: tr.get("winback-state-any"),
    }];
    states.extend(CaseState::ALL.into_iter().map(|s| Choice {
        value: s.as_str(),
        label: state_name(&tr, s.as_str()),
    }));
    let page = WinbackPage {
        layout: user.layout("winback", tr.get("page-winback"), &uri.to_string()),
        t: tr,
        flash,
        as_of,
        chart: chart_svg,
        rate,
        companies,
        regained,
        tables,
        states,
        state: state_code.to_string(),
        rows,
        total: tr.with("list-total", &[("count", Arg::Text(tr.int(total)))]),
        pager: Pager {
            prev: (page > 1).then(|| link(page - 1)),
            next: more.then(|| link(page + 1)),
        },
        csrf: user.csrf.clone(),
        channels: channel_choices(&tr),
        outcomes: AttemptOutcome::ALL
            .into_iter()
            .map(|o| Choice {
                value: o.as_str(),
                label: outcome_name(&tr, Some(o.as_str())),
            })
            .collect(),
        reasons: reason_choices(&tr),
    };
    Ok(render(StatusCode::OK, &page))
}

fn app_error(e: anyhow::Error, tr: Tr) -> WebError {
    match e.downcast::<clientele_app::InvalidSetting>() {
        Ok(invalid) => WebError::invalid(tr, invalid.field, invalid.message),
        Err(e) => match e.downcast::<StoreError>() {
            Ok(store) => WebError::store(store, tr),
            Err(e) => {
                tracing::error!("win-back page: {e:#}");
                WebError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    message: tr.get("error-internal"),
                    tr,
                }
            }
        },
    }
}

#[derive(Debug, Deserialize)]
pub struct OpenForm {
    csrf: Option<String>,
    /// The customer's id in the store.
    customer: String,
    /// lost_list, slipping_list or manual.
    source: Option<String>,
}

/// Opens a case for one customer (the lost list's button); the customer's open case is kept.
pub async fn open(
    State(state): State<AppState>,
    user: WebUser,
    axum::Form(form): axum::Form<OpenForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    let customer: i64 = form
        .customer
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
    let source = match form.source.as_deref() {
        None | Some("") => CaseSource::Manual,
        Some(s) => CaseSource::parse(s).ok_or_else(|| {
            WebError::invalid(tr, "source", format!("'{s}' is not a case source"))
        })?,
    };
    let opened = state
        .store
        .open_cases(
            user.scope(),
            &user.user,
            &[NewCase {
                customer_id: customer,
                day: today(),
                source,
                reason: None,
                reason_text: None,
                offer: None,
                channel: None,
                window_days: DEFAULT_WINDOW_DAYS,
            }],
        )
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let done = if opened.iter().any(|o| o.already_open) {
        "already_open"
    } else {
        "opened"
    };
    let case = opened.first().map_or(0, |o| o.case_id);
    Ok(see_other(&format!("/winback?done={done}#case-{case}")))
}

#[derive(Debug, Deserialize)]
pub struct AttemptForm {
    csrf: Option<String>,
    channel: String,
    outcome: String,
    reason: Option<String>,
    #[serde(default)]
    note: String,
}

/// Records an attempt on a case (with its contact-log row); a reason given with it is kept on
/// the case.
pub async fn attempt(
    State(state): State<AppState>,
    user: WebUser,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<AttemptForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    user.check_csrf(form.csrf.as_deref())?;
    let id: i64 = id
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| WebError::invalid(tr, "id", format!("'{id}' is not a case id")))?;
    let channel = Channel::parse(&form.channel).ok_or_else(|| {
        WebError::invalid(
            tr,
            "channel",
            format!("'{}' is not a channel", form.channel),
        )
    })?;
    let outcome = AttemptOutcome::parse(&form.outcome).ok_or_else(|| {
        WebError::invalid(
            tr,
            "outcome",
            format!("'{}' is not an outcome", form.outcome),
        )
    })?;
    let reason = match form.reason.as_deref() {
        None | Some("") => None,
        Some(r) => Some(
            LeavingReason::parse(r)
                .ok_or_else(|| WebError::invalid(tr, "reason", format!("'{r}' is not a reason")))?,
        ),
    };
    let note = form.note.trim();
    if let Some(reason) = reason {
        state
            .store
            .update_case(
                user.scope(),
                &user.user,
                id,
                &clientele_store::CaseUpdate {
                    reason: Some(reason.as_str().to_string()),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| WebError::store(e, tr))?;
    }
    state
        .store
        .add_attempt(
            user.scope(),
            &user.user,
            &NewAttempt {
                case_id: id,
                day: today(),
                channel,
                outcome: outcome.as_str().to_string(),
                note: (!note.is_empty()).then(|| note.to_string()),
            },
        )
        .await
        .map_err(|e| WebError::store(e, tr))?;
    Ok(see_other(&format!("/winback?done=attempt#case-{id}")))
}

/// The reasons for leaving, for the attempt form's select.
pub fn reason_choices(tr: &Tr) -> Vec<Choice> {
    LeavingReason::ALL
        .into_iter()
        .map(|r| Choice {
            value: r.as_str(),
            label: reason_name(tr, Some(r.as_str())),
        })
        .collect()
}
