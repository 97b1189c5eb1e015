//! The improvement log's pages (plan–do–check–act): `/improvements` lists every action with the
//! stage it is at and a form to log one (plan); `/improvements/{id}` shows its hypothesis, the
//! check — NPS, CSAT and the complaint rate of the targeted group in the window after the start
//! against the same length of time before it, each difference with its 95% interval and whether
//! it is significant — and the decision form (act). Admins and analysts only, as in the API.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_app::voice::{ImprovementCheckOutput, add_improvement, check_improvement_by_id};
use clientele_core::{Day, Rung};
use clientele_store::Role;
use clientele_store::voice::{Decision, Improvement, NewImprovement, TargetKind};
use serde::Deserialize;

use super::i18n::{Arg, Tr};
use super::lists::today_utc;
use super::{WebError, WebUser, render, see_other};
use crate::AppState;

fn forbidden_to_managers(user: &WebUser) -> Result<(), WebError> {
    if user.user.role == Role::Manager {
        return Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: user.tr.get("improvements-managers"),
            tr: user.tr,
        });
    }
    Ok(())
}

fn refused(tr: Tr, id: &str) -> WebError {
    WebError {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        message: tr.get(id),
        tr,
    }
}

/// Where an action stands: plan (not started), do (running), check (the check date has come,
/// nothing decided) or act (decided).
fn stage(i: &Improvement, today: Day) -> &'static str {
    match i.decision {
        Some(_) => "act",
        None if today < i.start => "plan",
        None if today < i.check => "do",
        None => "check",
    }
}

fn target_label(tr: Tr, t: &TargetKind) -> String {
    match t {
        TargetKind::All => tr.get("improvements-target-all"),
        TargetKind::Touchpoint(v) => tr.with(
            "improvements-target-touchpoint",
            &[("name", Arg::Text(v.clone()))],
        ),
        TargetKind::Category(v) => tr.with(
            "improvements-target-category",
            &[("name", Arg::Text(v.clone()))],
        ),
        TargetKind::Rung(r) => tr.with(
            "improvements-target-rung",
            &[("name", Arg::Text(tr.rung(*r)))],
        ),
    }
}

pub struct ActionRow {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub target: String,
    pub start: String,
    pub check: String,
    pub stage: &'static str,
    pub stage_label: String,
}

#[derive(askama::Template)]
#[template(path = "improvements.html")]
struct ListPage {
    layout: super::Layout,
    t: Tr,
    csrf: String,
    flash: Option<String>,
    rows: Vec<ActionRow>,
    today: String,
    /// (value, label) of the target kinds and of the rungs.
    kinds: Vec<(&'static str, String)>,
    rungs: Vec<(&'static str, String)>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    done: Option<String>,
    id: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    forbidden_to_managers(&user)?;
    let items = state
        .store
        .improvements()
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let today = today_utc();
    let flash = match (q.done.as_deref(), q.id) {
        (Some("added"), Some(id)) => Some(tr.with(
            "improvements-done-added",
            &[("id", Arg::Text(id.to_string()))],
        )),
        _ => None,
    };
    let rows = items
        .iter()
        .map(|i| {
            let stage = stage(i, today);
            ActionRow {
                id: i.id,
                title: i.title.clone(),
                owner: i.owner.clone(),
                target: target_label(tr, &i.target),
                start: tr.date(i.start),
                check: tr.date(i.check),
                stage,
                stage_label: match i.decision {
                    Some(d) => tr.get(&format!("improvements-decision-{}", d.as_str())),
                    None => tr.get(&format!("improvements-stage-{stage}")),
                },
            }
        })
        .collect();
    let page = ListPage {
        layout: user.layout(
            "improvements",
            tr.get("page-improvements"),
            &uri.to_string(),
        ),
        t: tr,
        csrf: user.csrf.clone(),
        flash,
        rows,
        today: today.to_string(),
        kinds: ["all", "touchpoint", "category", "rung"]
            .into_iter()
            .map(|k| (k, tr.get(&format!("improvements-kind-{k}"))))
            .collect(),
        rungs: Rung::ALL
            .into_iter()
            .map(|r| (r.as_str(), tr.rung(r)))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct NewActionForm {
    csrf: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    hypothesis: String,
    #[serde(default)]
    target_kind: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    rung: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    check: String,
}

/// Logs an action (the plan) and returns to the list with a flash.
pub async fn add(
    State(state): State<AppState>,
    user: WebUser,
    Form(form): Form<NewActionForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    forbidden_to_managers(&user)?;
    user.check_csrf(form.csrf.as_deref())?;
    let kind = match form.target_kind.trim() {
        "" => "all",
        k => k,
    };
    let value = if kind == "rung" {
        &form.rung
    } else {
        &form.target
    };
    let target = TargetKind::from_parts(kind, value)
        .ok_or_else(|| refused(tr, "improvements-bad-target"))?;
    let day =
        |text: &str, id: &str| crate::routes::parse_day("date", text).map_err(|_| refused(tr, id));
    let new = NewImprovement {
        title: form.title,
        owner: form.owner,
        hypothesis: form.hypothesis,
        target,
        start: day(&form.start, "improvements-bad-start")?,
        check: day(&form.check, "improvements-bad-check")?,
        created_by: user.user.name.clone(),
    };
    let added =
        add_improvement(&state.store, &new)
            .await
            .map_err(
                |e| match e.downcast_ref::<clientele_app::InvalidSetting>() {
                    Some(invalid) => refused(tr, &format!("improvements-bad-{}", invalid.field)),
                    None => {
                        tracing::error!("logging an improvement: {e:#}");
                        refused(tr, "error-internal")
                    }
                },
            )?;
    Ok(see_other(&format!(
        "/improvements?done=added&id={}",
        added.id
    )))
}

/// One measure of the check, worded.
pub struct MeasureRow {
    pub key: &'static str,
    pub label: String,
    pub before: String,
    pub after: String,
    /// After − before with its interval and p-value, or why there is none.
    pub change: String,
    /// `better`, `worse` or empty (not significant).
    pub verdict: &'static str,
}

#[derive(askama::Template)]
#[template(path = "improvement.html")]
struct ActionPage {
    layout: super::Layout,
    t: Tr,
    csrf: String,
    flash: Option<String>,
    id: i64,
    facts: Vec<(String, String)>,
    hypothesis: String,
    windows: String,
    measures: Vec<MeasureRow>,
    decided: Option<String>,
    decisions: Vec<(&'static str, String)>,
}

fn points(tr: Tr, v: f64) -> String {
    let text = format!("{v:+.1}");
    match tr.lang {
        super::i18n::Lang::En => text,
        super::i18n::Lang::Ru => text.replace('.', ","),
    }
}

fn change_text(tr: Tr, delta: f64, lo: f64, hi: f64, p: f64, significant: bool) -> String {
    tr.with(
        if significant {
            "improvements-change-significant"
        } else {
            "improvements-change-noise"
        },
        &[
            ("delta", Arg::Text(points(tr, delta))),
            ("lo", Arg::Text(points(tr, lo))),
            ("hi", Arg::Text(points(tr, hi))),
            ("p", Arg::Text(tr.probability(p))),
        ],
    )
}

/// `better` or `worse` for a significant change (`higher_is_better` says which way), else empty.
fn verdict(delta: f64, significant: bool, higher_is_better: bool) -> &'static str {
    match (significant, (delta > 0.0) == higher_is_better) {
        (false, _) => "",
        (true, true) => "better",
        (true, false) => "worse",
    }
}

fn measures(tr: Tr, c: &ImprovementCheckOutput) -> Vec<MeasureRow> {
    let nps = |f: &clientele_app::voice::NpsFigures| match f.nps {
        Some(v) => points(tr, v),
        None => tr.with(
            "improvements-not-enough",
            &[
                ("n", Arg::Num(f.n as f64)),
                ("count", Arg::Text(tr.int(f.n as i64))),
            ],
        ),
    };
    let rate = |(complained, served): (u64, u64)| {
        if served == 0 {
            tr.get("improvements-no-customers")
        } else {
            tr.with(
                "improvements-rate",
                &[
                    (
                        "share",
                        Arg::Text(tr.percent(complained as f64 / served as f64)),
                    ),
                    ("complained", Arg::Text(tr.int(complained as i64))),
                    ("served", Arg::Text(tr.int(served as i64))),
                ],
            )
        }
    };
    let none = tr.get("improvements-no-change");
    let mut rows = Vec::new();
    let n = c.check.nps;
    rows.push(MeasureRow {
        key: "nps",
        label: tr.get("improvements-measure-nps"),
        before: nps(&c.nps_before),
        after: nps(&c.nps_after),
        change: n.map_or_else(
            || none.clone(),
            |n| change_text(tr, n.delta, n.ci95.lo, n.ci95.hi, n.p_value, n.significant),
        ),
        verdict: n.map_or("", |n| verdict(n.delta, n.significant, true)),
    });
    let s = c.check.csat;
    rows.push(MeasureRow {
        key: "csat",
        label: tr.get("improvements-measure-csat"),
        before: tr.with(
            "improvements-csat-n",
            &[("count", Arg::Text(tr.int(c.csat_n.0 as i64)))],
        ),
        after: tr.with(
            "improvements-csat-n",
            &[("count", Arg::Text(tr.int(c.csat_n.1 as i64)))],
        ),
        change: s.map_or_else(
            || none.clone(),
            |s| {
                let d = s.satisfied;
                change_text(
                    tr,
                    100.0 * d.difference,
                    100.0 * d.ci95.lo,
                    100.0 * d.ci95.hi,
                    d.p_value,
                    s.significant,
                )
            },
        ),
        verdict: s.map_or("", |s| verdict(s.satisfied.difference, s.significant, true)),
    });
    let r = c.check.complaint_rate;
    rows.push(MeasureRow {
        key: "complaints",
        label: tr.get("improvements-measure-complaints"),
        before: rate(c.complaints_before),
        after: rate(c.complaints_after),
        change: r.map_or_else(
            || none.clone(),
            |r| {
                let d = r.change;
                change_text(
                    tr,
                    100.0 * d.difference,
                    100.0 * d.ci95.lo,
                    100.0 * d.ci95.hi,
                    d.p_value,
                    r.significant,
                )
            },
        ),
        verdict: r.map_or("", |r| verdict(r.change.difference, r.significant, false)),
    });
    rows
}

#[derive(Debug, Default, Deserialize)]
pub struct ActionQuery {
    done: Option<String>,
}

fn action_id(tr: Tr, uri: &Uri, raw: &str) -> Result<i64, WebError> {
    raw.parse::<i64>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| WebError::bad_address(tr, uri.path()))
}

pub async fn show(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Path(raw): Path<String>,
    Query(q): Query<ActionQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    forbidden_to_managers(&user)?;
    let id = action_id(tr, &uri, &raw)?;
    let c = check_improvement_by_id(&state.store, id, None)
        .await
        .map_err(|e| match e.downcast::<clientele_store::StoreError>() {
            Ok(store) => WebError::store(store, tr),
            Err(e) => {
                tracing::error!("checking improvement {id}: {e:#}");
                refused(tr, "error-internal")
            }
        })?;
    let i = &c.improvement;
    let today = today_utc();
    let facts = vec![
        (tr.get("improvements-col-owner"), i.owner.clone()),
        (
            tr.get("improvements-col-target"),
            target_label(tr, &i.target),
        ),
        (tr.get("improvements-col-start"), tr.date(i.start)),
        (tr.get("improvements-col-check"), tr.date(i.check)),
        (
            tr.get("improvements-col-stage"),
            tr.get(&format!("improvements-stage-{}", stage(i, today))),
        ),
    ];
    let windows = tr.with(
        "improvements-windows",
        &[
            ("before_from", Arg::Text(tr.date(c.before.0))),
            ("before_to", Arg::Text(tr.date(c.before.1))),
            ("after_from", Arg::Text(tr.date(c.after.0))),
            ("after_to", Arg::Text(tr.date(c.after.1))),
            ("min", Arg::Text(tr.int(c.min_answers as i64))),
        ],
    );
    let decided = i.decision.map(|d| {
        let mut text = tr.with(
            "improvements-decided",
            &[
                (
                    "decision",
                    Arg::Text(tr.get(&format!("improvements-decision-{}", d.as_str()))),
                ),
                ("by", Arg::Text(i.decided_by.clone().unwrap_or_default())),
            ],
        );
        if let Some(note) = &i.decision_note {
            text.push_str(" — ");
            text.push_str(note);
        }
        text
    });
    let page = ActionPage {
        layout: user.layout("improvements", i.title.clone(), &uri.to_string()),
        t: tr,
        csrf: user.csrf.clone(),
        flash: (q.done.as_deref() == Some("decided")).then(|| tr.get("improvements-done-decided")),
        id,
        facts,
        hypothesis: i.hypothesis.clone(),
        windows,
        measures: measures(tr, &c),
        decided,
        decisions: Decision::ALL
            .into_iter()
            .map(|d| {
                (
                    d.as_str(),
                    tr.get(&format!("improvements-decision-{}", d.as_str())),
                )
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    csrf: Option<String>,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

/// Records the decision after the check (the act) and returns to the action with a flash.
pub async fn decide(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Path(raw): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    forbidden_to_managers(&user)?;
    user.check_csrf(form.csrf.as_deref())?;
    let id = action_id(tr, &uri, &raw)?;
    let decision = Decision::parse(form.decision.trim())
        .ok_or_else(|| refused(tr, "improvements-bad-decision"))?;
    let note = form.note.trim();
    if note.chars().count() > clientele_store::voice::MAX_HYPOTHESIS_CHARS {
        return Err(refused(tr, "improvements-bad-note"));
    }
    state
        .store
        .decide_improvement(
            id,
            decision,
            (!note.is_empty()).then_some(note),
            &user.user.name,
        )
        .await
        .map_err(|e| WebError::store(e, tr))?;
    Ok(see_other(&format!("/improvements/{id}?done=decided")))
}
