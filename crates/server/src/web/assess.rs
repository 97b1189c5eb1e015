//! The self-assessment pages: the checklists with their latest scores, and each checklist
//! answerable in the browser (yes / no per question, the signed-in user the respondent) beside
//! its report — each area's score with the spread between respondents, disputed questions with
//! who said what, a recommendation for every "no", the evidence, and the history chart.

use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_app::assess::{
    AssessReport, Checklist, answer, checklist, checklists, gather_evidence, report,
};
use clientele_app::clock::today;
use serde::Deserialize;

use super::i18n::{Arg, Tr};
use super::{Layout, WebError, WebUser, render, see_other};
use crate::AppState;
use crate::error::app_error;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoneQuery {
    pub done: Option<String>,
}

pub struct ChecklistRow {
    pub key: String,
    pub title: String,
    pub questions: String,
    pub respondents: String,
    pub score: String,
}

#[derive(askama::Template)]
#[template(path = "assess_list.html")]
struct ListPage {
    layout: Layout,
    t: Tr,
    rows: Vec<ChecklistRow>,
}

pub struct QuestionRow {
    pub key: String,
    pub text: String,
    pub tally: String,
    pub disputed: bool,
    pub who: String,
    pub recommendation: String,
    pub evidence: String,
}

pub struct AreaRow {
    pub key: String,
    pub title: String,
    pub score: String,
    pub spread: String,
    pub questions: Vec<QuestionRow>,
}

/// The history chart (viewBox 0 0 720 260): one line per area, drawn by the template.
pub struct HistoryChart {
    pub lines: Vec<(String, String, &'static str)>,
    pub ticks: Vec<(String, String)>,
    pub grid: Vec<(String, String)>,
}

#[derive(askama::Template)]
#[template(path = "assess.html")]
struct ChecklistPage {
    layout: Layout,
    t: Tr,
    key: String,
    csrf: String,
    flash: Option<String>,
    respondents: String,
    answered: bool,
    areas: Vec<AreaRow>,
    chart: Option<HistoryChart>,
}

fn web_error(tr: Tr, e: anyhow::Error) -> WebError {
    match app_error(e) {
        crate::error::ApiError::Invalid { field, reason } => WebError::invalid(tr, &field, reason),
        crate::error::ApiError::NotFound { .. } => WebError::bad_address(tr, "/assess"),
        other => {
            tracing::error!("assess page: {other}");
            WebError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: tr.get("error-internal"),
                tr,
            }
        }
    }
}

fn share(tr: Tr, s: Option<f64>) -> String {
    s.map_or_else(|| tr.get("none"), |v| tr.percent(v))
}

pub async fn list(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let lang = tr.code();
    let all = checklists(&state.store)
        .await
        .map_err(|e| web_error(tr, e))?;
    let mut rows = Vec::new();
    for c in &all {
        let r = report(&state.store, &c.key, Default::default())
            .await
            .map_err(|e| web_error(tr, e))?;
        let scores: Vec<f64> = r.areas.iter().filter_map(|a| a.score).collect();
        let mean = (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64);
        rows.push(ChecklistRow {
            key: c.key.clone(),
            title: c.title.get(lang).into(),
            questions: tr.int(c.question_count() as i64),
            respondents: tr.int(r.respondents.len() as i64),
            score: share(tr, mean),
        });
    }
    let page = ListPage {
        layout: user.layout("assess", tr.get("page-assess"), &uri.to_string()),
        t: tr,
        rows,
    };
    Ok(render(StatusCode::OK, &page))
}

const COLOURS: [&str; 6] = [
    "#1f5fa8", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085",
];

fn history_chart(r: &AssessReport, lang: &str) -> Option<HistoryChart> {
    let n = r.history.len();
    if n == 0 {
        return None;
    }
    let (left, right, top, bottom, w, h) = (50.0, 20.0, 15.0, 40.0, 720.0, 260.0);
    let x = |i: usize| {
        if n <= 1 {
            (left + w - right) / 2.0
        } else {
            left + i as f64 / (n - 1) as f64 * (w - left - right)
        }
    };
    let y = |v: f64| top + (1.0 - v.clamp(0.0, 1.0)) * (h - top - bottom);
    let lines = r
        .checklist
        .areas
        .iter()
        .enumerate()
        .map(|(a, area)| {
            let points: Vec<String> = r
                .history
                .iter()
                .enumerate()
                .filter_map(|(i, (_, s))| {
                    s.get(a)
                        .copied()
                        .flatten()
                        .map(|v| format!("{:.1},{:.1}", x(i), y(v)))
                })
                .collect();
            (
                points.join(" "),
                area.title.get(lang).to_string(),
                COLOURS[a % COLOURS.len()],
            )
        })
        .collect();
    let step = n.div_ceil(12).max(1);
    let ticks = r
        .history
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .map(|(i, (m, _))| (format!("{:.1}", x(i)), m.clone()))
        .collect();
    let grid = [1.0, 0.75, 0.5, 0.25, 0.0]
        .iter()
        .map(|&v| (format!("{:.1}", y(v)), format!("{:.0}%", v * 100.0)))
        .collect();
    Some(HistoryChart { lines, ticks, grid })
}

fn evidence_text(
    tr: Tr,
    r: &AssessReport,
    kind: Option<clientele_app::assess::EvidenceKind>,
) -> String {
    let Some(kind) = kind else {
        return String::new();
    };
    let name = tr.get(&format!(
        "assess-evidence-{}",
        kind.as_str().replace('_', "-")
    ));
    match r.evidence.figure(kind) {
        None => tr.with("assess-evidence-none", &[("what", Arg::Text(name))]),
        Some((v, "share")) => tr.with(
            "assess-evidence-value",
            &[
                ("what", Arg::Text(name)),
                ("value", Arg::Text(tr.percent(v))),
            ],
        ),
        Some((v, _)) => tr.with(
            "assess-evidence-value",
            &[
                ("what", Arg::Text(name)),
                ("value", Arg::Text(format!("{v:+.1}"))),
            ],
        ),
    }
}

async fn load(state: &AppState, tr: Tr, key: &str) -> Result<(Checklist, AssessReport), WebError> {
    let c = checklist(&state.store, key)
        .await
        .map_err(|_| WebError::bad_address(tr, &format!("/assess/{key}")))?;
    let evidence = gather_evidence(&state.store)
        .await
        .map_err(|e| web_error(tr, e))?;
    let r = report(&state.store, key, evidence)
        .await
        .map_err(|e| web_error(tr, e))?;
    Ok((c, r))
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Path(key): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let lang = tr.code();
    let (c, r) = load(&state, tr, &key).await?;
    let areas = r
        .areas
        .iter()
        .map(|a| AreaRow {
            key: a.key.clone(),
            title: a.title.get(lang).into(),
            score: share(tr, a.score),
            spread: a.spread.map_or_else(String::new, |s| {
                tr.with("assess-spread", &[("spread", Arg::Text(tr.percent(s)))])
            }),
            questions: a
                .questions
                .iter()
                .map(|qr| QuestionRow {
                    key: qr.key.clone(),
                    text: qr.text.get(lang).into(),
                    tally: tr.with(
                        "assess-tally",
                        &[
                            ("yes", Arg::Text(tr.int(i64::from(qr.tally.yes)))),
                            ("no", Arg::Text(tr.int(i64::from(qr.tally.no)))),
                        ],
                    ),
                    disputed: qr.tally.disputed(),
                    who: if qr.tally.disputed() {
                        tr.with(
                            "assess-who",
                            &[
                                ("yes", Arg::Text(qr.yes_by.join(", "))),
                                ("no", Arg::Text(qr.no_by.join(", "))),
                            ],
                        )
                    } else {
                        String::new()
                    },
                    recommendation: qr
                        .recommendation
                        .as_ref()
                        .map_or_else(String::new, |t| t.get(lang).into()),
                    evidence: evidence_text(tr, &r, qr.evidence),
                })
                .collect(),
        })
        .collect();
    let page = ChecklistPage {
        layout: user.layout("assess", c.title.get(lang).into(), &uri.to_string()),
        t: tr,
        key: c.key.clone(),
        csrf: user.csrf.clone(),
        flash: (q.done.as_deref() == Some("answered")).then(|| tr.get("assess-flash-answered")),
        respondents: tr.with(
            "assess-respondents",
            &[
                ("n", Arg::Num(r.respondents.len() as f64)),
                ("count", Arg::Text(tr.int(r.respondents.len() as i64))),
            ],
        ),
        answered: !r.respondents.is_empty(),
        areas,
        chart: history_chart(&r, lang),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The answer form: `csrf`, and `q.<question>` = `yes` or `no` (unanswered questions absent).
pub async fn submit(
    State(state): State<AppState>,
    user: WebUser,
    Path(key): Path<String>,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let csrf = form
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    user.check_csrf(csrf)?;
    let mut answers = Vec::new();
    for (k, v) in &form {
        let Some(question) = k.strip_prefix("q.") else {
            continue;
        };
        let yes = match v.as_str() {
            "yes" => true,
            "no" => false,
            "" => continue,
            other => {
                return Err(WebError::invalid(tr, "answers", format!("'{other}'")));
            }
        };
        answers.push((question.to_string(), yes));
    }
    if answers.is_empty() {
        return Err(WebError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: tr.get("assess-nothing-answered"),
            tr,
        });
    }
    answer(&state.store, &key, &user.user.name, today(), &answers)
        .await
        .map_err(|e| web_error(tr, e))?;
    Ok(see_other(&format!("/assess/{key}?done=answered")))
}
