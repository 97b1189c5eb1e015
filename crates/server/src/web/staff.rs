//! The staff voice pages (issue 28 item 1): `/staff` for admins and analysts — the report by
//! department and period (employee NPS with its margin and change, satisfaction per question,
//! small departments not shown) and the surveys, which admins open, hand codes out for and
//! close — and `/staff/answer`, the public form where an employee types their one-time code.
//!
//! The codes are shown once, in the answer to the form that made them (never in an address,
//! which would land in the browser's history and the server's logs). The answer form needs no
//! account: like the survey links it posts to itself, refuses posts from other sites, and an
//! address typing unknown codes is locked out for a while.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use clientele_app::clock::today;
use clientele_app::staff::{
    DEFAULT_BATCH_SIZE, SATISFACTION_QUESTIONS, StaffReport, StaffReportSettings, TypedAnswer,
    answer, close_survey, issue_codes, open_survey, report, surveys,
};
use clientele_core::staff::StaffGroup;
use clientele_store::{Role, StoreError};
use serde::Deserialize;

use super::export::{Cell, CsvStyle, csv_chunk, csv_response};
use super::i18n::{Arg, Lang, Tr};
use super::{Layout, WebError, WebUser, render, see_other};
use crate::AppState;
use crate::error::app_error;
use crate::routes::parse_day;
use crate::routes::staff::{StaffReportQuery, report_settings};
use crate::security::same_origin;
use crate::throttle::ClientAddr;

/// The largest answer form taken from anyone: a code, seven small numbers and the language.
pub const MAX_ANSWER_FORM_BYTES: usize = 4 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub period: Option<String>,
    pub min_group: Option<String>,
    pub done: Option<String>,
}

pub struct GroupRow {
    pub name: String,
    pub answers: String,
    pub nps: String,
    pub change: String,
    pub satisfaction: Vec<String>,
}

pub struct PeriodView {
    pub period: String,
    pub rows: Vec<GroupRow>,
    pub hidden: String,
}

pub struct SurveyRow {
    pub id: i64,
    pub title: String,
    pub date: String,
    pub codes: String,
    pub released: String,
    pub open: bool,
}

#[derive(askama::Template)]
#[template(path = "staff.html")]
struct StaffPage {
    layout: Layout,
    t: Tr,
    csrf: String,
    flash: Option<String>,
    admin: bool,
    period: String,
    min_group: String,
    questions: Vec<String>,
    periods: Vec<PeriodView>,
    surveys: Vec<SurveyRow>,
    today: String,
}

#[derive(askama::Template)]
#[template(path = "staff_codes.html")]
struct CodesPage {
    layout: Layout,
    t: Tr,
    heading: String,
    codes: Vec<String>,
}

fn forbidden_to_managers(user: &WebUser) -> Result<(), WebError> {
    if user.user.role == Role::Manager {
        return Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: user.tr.get("staff-managers"),
            tr: user.tr,
        });
    }
    Ok(())
}

fn admins_only(user: &WebUser) -> Result<(), WebError> {
    if user.user.role != Role::Admin {
        return Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: user.tr.get("staff-admins"),
            tr: user.tr,
        });
    }
    Ok(())
}

fn web_error(tr: Tr, e: anyhow::Error) -> WebError {
    match app_error(e) {
        crate::error::ApiError::Invalid { field, reason } => WebError::invalid(tr, &field, reason),
        crate::error::ApiError::NotFound { .. } => WebError::bad_address(tr, "/staff"),
        other => {
            tracing::error!("staff page: {other}");
            WebError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: tr.get("error-internal"),
                tr,
            }
        }
    }
}

fn group_row(tr: Tr, name: String, g: &StaffGroup) -> GroupRow {
    let n = g.report.counts.n();
    GroupRow {
        name,
        answers: tr.int(n as i64),
        nps: match g.report.estimate {
            Some(e) => tr.with(
                "staff-nps",
                &[
                    ("nps", Arg::Text(format!("{:+.0}", e.nps))),
                    ("margin", Arg::Text(format!("{:.0}", e.margin_of_error))),
                ],
            ),
            None => tr.get("staff-too-few-for-score"),
        },
        change: g.change.map_or_else(String::new, |c| {
            tr.with(
                if c.significant {
                    "staff-change-significant"
                } else {
                    "staff-change-noise"
                },
                &[("delta", Arg::Text(format!("{:+.0}", c.delta)))],
            )
        }),
        satisfaction: g
            .satisfaction
            .iter()
            .map(|r| r.mean.map_or_else(|| tr.get("none"), |m| format!("{m:.1}")))
            .collect(),
    }
}

async fn load(
    state: &AppState,
    user: &WebUser,
    q: &PageQuery,
) -> Result<(StaffReportSettings, StaffReport), WebError> {
    forbidden_to_managers(user)?;
    let tr = user.tr;
    let min_group = match q.min_group.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(m) => Some(
            m.parse::<u32>()
                .map_err(|_| WebError::invalid(tr, "min_group", format!("'{m}'")))?,
        ),
    };
    let rq = StaffReportQuery {
        period: q.period.clone().filter(|p| !p.is_empty()),
        min_group,
        ..StaffReportQuery::default()
    };
    let settings = report_settings(&rq).map_err(|e| match e {
        crate::error::ApiError::Invalid { field, reason } => WebError::invalid(tr, &field, reason),
        _ => WebError::bad_address(tr, "/staff"),
    })?;
    let r = report(&state.store, &settings)
        .await
        .map_err(|e| web_error(tr, e))?;
    Ok((settings, r))
}

/// `GET /staff.csv`: the report as shown (the same period and minimum group), one row per
/// shown department and period and one for the whole company; Excel's style for Russian.
pub async fn csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let (_, r) = load(&state, &user, &q).await?;
    let mut header: Vec<String> = [
        "staff-period",
        "staff-col-department",
        "staff-col-answers",
        "staff-csv-promoters",
        "staff-csv-passives",
        "staff-csv-detractors",
        "staff-csv-nps",
        "staff-csv-margin",
        "staff-csv-change",
    ]
    .iter()
    .map(|k| tr.get(k))
    .collect();
    header.extend(
        SATISFACTION_QUESTIONS
            .iter()
            .map(|k| tr.get(&format!("staff-q-{k}-short"))),
    );
    let style = CsvStyle::choose(&tr, None);
    // One decimal, with the decimal comma where Excel reads Russian.
    let number = |v: Option<f64>| {
        v.map_or(Cell::Empty, |v| {
            let text = format!("{v:.1}");
            Cell::Text(match (style, tr.lang) {
                (CsvStyle::Excel, Lang::Ru) => text.replace('.', ","),
                _ => text,
            })
        })
    };
    let mut rows = Vec::new();
    for p in &r.periods {
        let groups = p
            .departments
            .iter()
            .map(|(d, g)| (d.clone(), g))
            .chain(p.total.iter().map(|g| (tr.get("staff-whole-company"), g)));
        for (name, g) in groups {
            let c = g.report.counts;
            let e = g.report.estimate;
            let mut row = vec![
                Cell::text(p.period.to_string()),
                Cell::text(name),
                Cell::Int(c.n() as i64),
                Cell::Int(c.promoters as i64),
                Cell::Int(c.passives as i64),
                Cell::Int(c.detractors as i64),
                number(e.map(|e| e.nps)),
                number(e.map(|e| e.margin_of_error)),
                number(g.change.map(|c| c.delta)),
            ];
            row.extend(g.satisfaction.iter().map(|s| number(s.mean)));
            rows.push(row);
        }
    }
    let body = csv_chunk(style, &tr, Some(&header), &rows).map_err(|e| {
        tracing::error!("staff csv: {e}");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: tr.get("error-internal"),
            tr,
        }
    })?;
    Ok(csv_response("staff.csv", body.into()))
}

/// `GET /staff`.
pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let (settings, r) = load(&state, &user, &q).await?;
    let periods = r
        .periods
        .iter()
        .rev()
        .map(|p| {
            let mut rows: Vec<GroupRow> = p
                .departments
                .iter()
                .map(|(d, g)| group_row(tr, d.clone(), g))
                .collect();
            if let Some(total) = &p.total {
                rows.push(group_row(tr, tr.get("staff-whole-company"), total));
            }
            PeriodView {
                period: p.period.to_string(),
                rows,
                hidden: if p.hidden_departments > 0 {
                    tr.with(
                        "staff-hidden",
                        &[
                            ("n", Arg::Num(f64::from(p.hidden_departments))),
                            ("min", Arg::Num(f64::from(settings.min_group))),
                        ],
                    )
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let all = surveys(&state.store).await.map_err(|e| web_error(tr, e))?;
    let survey_rows = all
        .iter()
        .map(|s| SurveyRow {
            id: s.id,
            title: s.title.clone(),
            date: tr.date(s.day),
            codes: if s.departments.is_empty() {
                tr.get("none")
            } else {
                s.departments
                    .iter()
                    .map(|(d, n)| format!("{d}: {}", tr.int(*n as i64)))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            released: tr.int(s.released as i64),
            open: s.closed_at.is_none(),
        })
        .collect();
    let flash = match q.done.as_deref() {
        Some("opened") => Some(tr.get("staff-flash-opened")),
        Some("closed") => Some(tr.get("staff-flash-closed")),
        _ => None,
    };
    let page = StaffPage {
        layout: user.layout("staff", tr.get("page-staff"), &uri.to_string()),
        t: tr,
        csrf: user.csrf.clone(),
        flash,
        admin: user.user.role == Role::Admin,
        period: settings.period.as_str().into(),
        min_group: settings.min_group.to_string(),
        questions: SATISFACTION_QUESTIONS
            .iter()
            .map(|k| tr.get(&format!("staff-q-{k}-short")))
            .collect(),
        periods,
        surveys: survey_rows,
        today: today().to_string(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct OpenForm {
    pub csrf: Option<String>,
    pub title: Option<String>,
    pub date: Option<String>,
    pub batch_size: Option<String>,
}

/// `POST /staff/surveys`: opens a survey (admins).
pub async fn open(
    State(state): State<AppState>,
    user: WebUser,
    Form(form): Form<OpenForm>,
) -> Result<Response, WebError> {
    user.check_csrf(form.csrf.as_deref())?;
    admins_only(&user)?;
    let tr = user.tr;
    let day = match form.date.as_deref().map(str::trim) {
        None | Some("") => today(),
        Some(d) => {
            parse_day("date", d).map_err(|_| WebError::invalid(tr, "date", format!("'{d}'")))?
        }
    };
    let batch = match form.batch_size.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_BATCH_SIZE,
        Some(b) => b
            .parse()
            .map_err(|_| WebError::invalid(tr, "batch_size", format!("'{b}'")))?,
    };
    open_survey(
        &state.store,
        form.title.as_deref().unwrap_or_default(),
        day,
        batch,
        &user.user.name,
    )
    .await
    .map_err(|e| web_error(tr, e))?;
    Ok(see_other("/staff?done=opened"))
}

#[derive(Debug, Deserialize)]
pub struct CodesForm {
    pub csrf: Option<String>,
    pub survey: Option<String>,
    pub department: Option<String>,
    pub count: Option<String>,
}

/// `POST /staff/codes`: makes codes for a department and shows them this once (admins).
pub async fn codes(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Form(form): Form<CodesForm>,
) -> Result<Response, WebError> {
    user.check_csrf(form.csrf.as_deref())?;
    admins_only(&user)?;
    let tr = user.tr;
    let survey: i64 = form
        .survey
        .as_deref()
        .unwrap_or_default()
        .trim()
        .parse()
        .map_err(|_| WebError::invalid(tr, "survey", String::new()))?;
    let count_text = form.count.as_deref().unwrap_or_default().trim();
    let count: u32 = count_text
        .parse()
        .map_err(|_| WebError::invalid(tr, "count", format!("'{count_text}'")))?;
    let department = form.department.as_deref().unwrap_or_default();
    let codes = issue_codes(&state.store, survey, department, count)
        .await
        .map_err(|e| web_error(tr, e))?;
    let page = CodesPage {
        layout: user.layout("staff", tr.get("page-staff-codes"), &uri.to_string()),
        t: tr,
        heading: tr.with(
            "staff-codes-made",
            &[
                ("n", Arg::Num(codes.len() as f64)),
                ("count", Arg::Text(tr.int(codes.len() as i64))),
                ("department", Arg::Text(department.trim().to_string())),
            ],
        ),
        codes,
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct CloseForm {
    pub csrf: Option<String>,
    pub survey: Option<String>,
}

/// `POST /staff/close`: closes a survey (admins).
pub async fn close(
    State(state): State<AppState>,
    user: WebUser,
    Form(form): Form<CloseForm>,
) -> Result<Response, WebError> {
    user.check_csrf(form.csrf.as_deref())?;
    admins_only(&user)?;
    let tr = user.tr;
    let survey: i64 = form
        .survey
        .as_deref()
        .unwrap_or_default()
        .trim()
        .parse()
        .map_err(|_| WebError::invalid(tr, "survey", String::new()))?;
    close_survey(&state.store, survey)
        .await
        .map_err(|e| web_error(tr, e))?;
    Ok(see_other("/staff?done=closed"))
}

/// The public answer page.
#[derive(askama::Template)]
#[template(path = "staff_answer.html")]
struct AnswerPage {
    lang: &'static str,
    t: Tr,
    flash: Option<String>,
    error: Option<String>,
    questions: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
pub struct AnswerQuery {
    pub lang: Option<String>,
    pub done: Option<String>,
}

fn language(asked: Option<&str>, headers: &HeaderMap) -> Tr {
    Tr::new(
        asked
            .and_then(Lang::parse)
            .unwrap_or_else(|| Lang::choose(None, headers)),
    )
}

fn answer_page(
    tr: Tr,
    status: StatusCode,
    flash: Option<String>,
    error: Option<String>,
) -> Response {
    let page = AnswerPage {
        lang: tr.code(),
        t: tr,
        flash,
        error,
        questions: SATISFACTION_QUESTIONS
            .iter()
            .map(|k| (k.to_string(), tr.get(&format!("staff-q-{k}"))))
            .collect(),
    };
    render(status, &page)
}

/// `GET /staff/answer`: the form.
pub async fn answer_form(headers: HeaderMap, Query(q): Query<AnswerQuery>) -> Response {
    let tr = language(q.lang.as_deref(), &headers);
    let flash = (q.done.as_deref() == Some("1")).then(|| tr.get("staff-answer-taken"));
    answer_page(tr, StatusCode::OK, flash, None)
}

/// `POST /staff/answer`: takes the answer and spends the code (303 back to the form).
pub async fn answer_submit(
    State(state): State<AppState>,
    addr: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let field = |name: &str| {
        form.iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let tr = language(field("lang"), &headers);
    if !same_origin(&headers) {
        return answer_page(
            tr,
            StatusCode::FORBIDDEN,
            None,
            Some(tr.get("survey-link-cross-site")),
        );
    }
    if let Err(wait) = state.link_limits.allowed(addr.0) {
        let mut r = answer_page(
            tr,
            StatusCode::TOO_MANY_REQUESTS,
            None,
            Some(tr.with(
                "survey-link-throttled",
                &[("seconds", Arg::Num(wait as f64))],
            )),
        );
        r.headers_mut().insert(RETRY_AFTER, wait.into());
        return r;
    }
    let code = field("code").unwrap_or_default();
    let typed = TypedAnswer {
        nps: field("nps").map(str::to_string),
        satisfaction: form
            .iter()
            .filter_map(|(k, v)| k.strip_prefix("s.").map(|q| (q.to_string(), v.clone())))
            .collect(),
    };
    match answer(&state.store, code, &typed).await {
        Ok(()) => see_other(&format!("/staff/answer?done=1&lang={}", tr.code())),
        Err(e) => match e.downcast::<StoreError>() {
            Ok(StoreError::NotFound { .. }) => {
                state.link_limits.missed(addr.0);
                answer_page(
                    tr,
                    StatusCode::NOT_FOUND,
                    None,
                    Some(tr.get("staff-answer-unknown-code")),
                )
            }
            Ok(other) => {
                tracing::error!("staff answer: {other}");
                answer_page(
                    tr,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    None,
                    Some(tr.get("survey-link-failed")),
                )
            }
            Err(e) => match e.downcast::<clientele_app::InvalidSetting>() {
                Ok(invalid) if invalid.field == "nps" => answer_page(
                    tr,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    Some(tr.get("staff-answer-bad-nps")),
                ),
                Ok(_) => answer_page(
                    tr,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    None,
                    Some(tr.get("staff-answer-bad-satisfaction")),
                ),
                Err(e) => {
                    tracing::error!("staff answer: {e:#}");
                    answer_page(
                        tr,
                        StatusCode::INTERNAL_SERVER_ERROR,
                        None,
                        Some(tr.get("survey-link-failed")),
                    )
                }
            },
        },
    }
}
