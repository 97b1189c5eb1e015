//! The campaigns page (issue 27): the campaigns with a control group, newest first, and a form
//! (admins and analysts) that creates one from a saved filter or from statuses, rungs and RFM
//! segments, with the control share, the seed, the window and the cost per contact; a refused
//! form is shown again as filled in, with the reason in the reader's language. Each campaign's
//! report (`/campaigns/{id}`): both arms, the uplift of the conversion rate with its 95%
//! interval and p-value, the revenue uplift, the cost, the net value and the verdict in words,
//! and charts that draw each interval against a zero line on a scale that holds both.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_app::clock::today;
use clientele_app::winback::{
    CampaignReport, CampaignSettings, DEFAULT_CAMPAIGN_WINDOW_DAYS, campaign_report,
    create_campaign, create_campaign_from_filter,
};
use clientele_core::inference::Interval;
use clientele_core::uplift::UpliftVerdict;
use clientele_core::winback::{CampaignFilter, segment_code};
use clientele_core::{Money, RfmSegment, Rung, Status};
use clientele_store::{CampaignRecord, MAX_NAME_CHARS, Role, StoreError};
use serde::Deserialize;

use super::i18n::{Arg, Tr};
use super::lists::Pager;
use super::{Layout, WebError, WebUser, offset_of, per_page, render, see_other};
use crate::AppState;

/// The largest cost per contact the form takes (as the API).
const MAX_COST: f64 = 1e6;

#[derive(Debug, Deserialize)]
pub struct CampaignsQuery {
    page: Option<u32>,
    /// What the last form did: `created`.
    done: Option<String>,
    /// The campaign just created.
    id: Option<i64>,
}

/// A choice of the form: value, label, whether it is chosen.
pub struct Pick {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct CampaignRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub filter: String,
    pub start: String,
    pub window: String,
    pub control_share: String,
    pub treated: String,
    pub control: String,
    pub seed: String,
}

/// The form as filled in (empty for a new one).
#[derive(Default)]
pub struct FormValues {
    pub name: String,
    pub filter_id: String,
    pub control: String,
    pub seed: String,
    pub window: String,
    pub cost: String,
}

#[derive(askama::Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    layout: Layout,
    t: Tr,
    flash: Option<String>,
    error: Option<String>,
    can_create: bool,
    csrf: String,
    form: FormValues,
    filters: Vec<Pick>,
    statuses: Vec<Pick>,
    rungs: Vec<Pick>,
    segments: Vec<Pick>,
    rows: Vec<CampaignRow>,
    total: String,
    pager: Pager,
}

fn kind_words(tr: &Tr, c: &CampaignRecord) -> String {
    tr.get(&format!("campaign-kind-{}", c.kind.as_str()))
}

/// The filter in words: "lost; regular, advocate" or "everyone".
fn filter_words(tr: &Tr, f: &CampaignFilter) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !f.statuses.is_empty() {
        parts.push(
            f.statuses
                .iter()
                .map(|s| tr.status(*s))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if !f.rungs.is_empty() {
        parts.push(
            f.rungs
                .iter()
                .map(|r| tr.rung(*r))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if !f.segments.is_empty() {
        parts.push(
            f.segments
                .iter()
                .map(|s| tr.get(&format!("rfm-segment-{}", segment_code(*s))))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if parts.is_empty() {
        tr.get("campaigns-filter-everyone")
    } else {
        parts.join("; ")
    }
}

fn row(tr: &Tr, c: &CampaignRecord) -> CampaignRow {
    CampaignRow {
        id: c.id,
        name: c.name.clone(),
        kind: kind_words(tr, c),
        filter: filter_words(tr, &c.filter.filter),
        start: tr.date(c.start_day),
        window: tr.count("campaigns-days", i64::from(c.window_days)),
        control_share: tr.percent(c.control_share.get()),
        treated: tr.int(c.treated),
        control: tr.int(c.control),
        seed: c.seed.to_string(),
    }
}

/// The form's choices, with those in `chosen` checked.
fn picks(tr: &Tr, chosen: &[(String, String)]) -> (Vec<Pick>, Vec<Pick>, Vec<Pick>) {
    let is = |key: &str, value: &str| chosen.iter().any(|(k, v)| k == key && v == value);
    let statuses = Status::ALL
        .iter()
        .map(|s| Pick {
            value: s.as_str().into(),
            label: tr.status(*s),
            checked: is("status", s.as_str()),
        })
        .collect();
    let rungs = Rung::ALL
        .iter()
        .map(|r| Pick {
            value: r.as_str().into(),
            label: tr.rung(*r),
            checked: is("rung", r.as_str()),
        })
        .collect();
    let segments = RfmSegment::ALL
        .iter()
        .map(|s| Pick {
            value: segment_code(*s).into(),
            label: tr.get(&format!("rfm-segment-{}", segment_code(*s))),
            checked: is("segment", segment_code(*s)),
        })
        .collect();
    (statuses, rungs, segments)
}

/// A refused form: the reason in words, the values as typed, and every field sent.
type RefusedForm = (String, FormValues, Vec<(String, String)>);

/// The list page, with the form as filled in and the refusal when there is one.
async fn list_page(
    state: &AppState,
    user: &WebUser,
    uri: &Uri,
    page: Option<u32>,
    flash: Option<String>,
    refused: Option<RefusedForm>,
) -> Result<CampaignsPage, WebError> {
    let tr = user.tr;
    let per_page = per_page(state);
    let (page, offset) = offset_of(page, per_page);
    let (total, campaigns) = state
        .store
        .campaigns(offset, per_page)
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let saved = state
        .store
        .saved_filters()
        .await
        .map_err(|e| WebError::store(e, tr))?;
    let (error, form, chosen) = match refused {
        Some((error, form, chosen)) => (Some(error), form, chosen),
        None => (
            None,
            FormValues {
                control: "20".into(),
                window: DEFAULT_CAMPAIGN_WINDOW_DAYS.to_string(),
                cost: "0".into(),
                ..FormValues::default()
            },
            Vec::new(),
        ),
    };
    let filters = saved
        .iter()
        .map(|f| Pick {
            value: f.id.to_string(),
            label: format!("{} — {}", f.name, filter_words(&tr, &f.filter)),
            checked: form.filter_id == f.id.to_string(),
        })
        .collect();
    let (statuses, rungs, segments) = picks(&tr, &chosen);
    let more = offset + u64::from(per_page) < total as u64;
    Ok(CampaignsPage {
        layout: user.layout("campaigns", tr.get("page-campaigns"), &uri.to_string()),
        t: tr,
        flash,
        error,
        can_create: user.user.role != Role::Manager,
        csrf: user.csrf.clone(),
        form,
        filters,
        statuses,
        rungs,
        segments,
        rows: campaigns.iter().map(|c| row(&tr, c)).collect(),
        total: tr.with("list-total", &[("count", Arg::Text(tr.int(total)))]),
        pager: Pager {
            prev: (page > 1).then(|| format!("/campaigns?page={}", page - 1)),
            next: more.then(|| format!("/campaigns?page={}", page + 1)),
        },
    })
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(query): Query<CampaignsQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let flash = match (query.done.as_deref(), query.id) {
        (Some("created"), Some(id)) => {
            Some(tr.with("campaigns-flash-created", &[("id", Arg::Num(id as f64))]))
        }
        _ => None,
    };
    let page = list_page(&state, &user, &uri, query.page, flash, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// Why a form was refused, as a catalogue id and its arguments.
struct Refused(&'static str, Vec<(&'static str, Arg)>);

/// The form's fields read and checked: the settings and the saved filter chosen.
fn read_form(
    pairs: &[(String, String)],
    by: &str,
) -> Result<(CampaignSettings, Option<i64>), Refused> {
    let one = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
            .trim()
            .to_string()
    };
    let name = one("name");
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(Refused(
            "campaigns-error-name",
            vec![("max", Arg::Num(MAX_NAME_CHARS as f64))],
        ));
    }
    let mut filter = CampaignFilter::default();
    for (key, value) in pairs {
        match key.as_str() {
            "status" => filter
                .statuses
                .push(Status::parse(value).ok_or(Refused("campaigns-error-choice", vec![]))?),
            "rung" => filter
                .rungs
                .push(Rung::parse(value).ok_or(Refused("campaigns-error-choice", vec![]))?),
            "segment" => filter.segments.push(
                clientele_core::winback::parse_segment(value)
                    .ok_or(Refused("campaigns-error-choice", vec![]))?,
            ),
            _ => {}
        }
    }
    if filter.statuses.len() + filter.rungs.len() + filter.segments.len() > 30 {
        return Err(Refused("campaigns-error-choice", vec![]));
    }
    let filter_id = match one("filter").as_str() {
        "" => None,
        id => Some(
            id.parse::<i64>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or(Refused("campaigns-error-choice", vec![]))?,
        ),
    };
    // The control share as a percentage: "20", "12.5" or "12,5".
    let control = one("control")
        .replace(',', ".")
        .parse::<f64>()
        .ok()
        .filter(|p| p.is_finite() && *p > 0.0 && *p < 100.0)
        .ok_or(Refused("campaigns-error-control", vec![]))?;
    let seed = match one("seed").as_str() {
        "" => None,
        s => Some(
            s.parse::<u64>()
                .map_err(|_| Refused("campaigns-error-seed", vec![]))?,
        ),
    };
    let window_days = match one("window").as_str() {
        "" => DEFAULT_CAMPAIGN_WINDOW_DAYS,
        w => w
            .parse::<i32>()
            .ok()
            .filter(|d| (1..=3660).contains(d))
            .ok_or(Refused("campaigns-error-window", vec![]))?,
    };
    let cost = match one("cost").replace(',', ".").as_str() {
        "" => 0.0,
        c => c
            .parse::<f64>()
            .ok()
            .filter(|c| c.is_finite() && (0.0..=MAX_COST).contains(c))
            .ok_or(Refused("campaigns-error-cost", vec![]))?,
    };
    Ok((
        CampaignSettings {
            name,
            filter,
            control_share: control / 100.0,
            seed,
            start_day: today(),
            window_days,
            cost_per_contact: Money::from_f64_rounded(cost),
            created_by: by.to_string(),
        },
        filter_id,
    ))
}

/// Bytes a form may send: a name, ~30 choices and a few numbers fit well within.
const MAX_FORM_BYTES: usize = 16 * 1024;

/// Creates a campaign (admins and analysts), then shows it; a refused form comes back filled
/// in with the reason.
pub async fn create(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    body: Bytes,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let pairs: Vec<(String, String)> = if body.len() > MAX_FORM_BYTES {
        Vec::new()
    } else {
        form_urlencoded::parse(&body).into_owned().collect()
    };
    let csrf = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str());
    user.check_csrf(csrf)?;
    if user.user.role == Role::Manager {
        return Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: tr.get("campaigns-managers-cannot"),
            tr,
        });
    }
    let one = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map_or(String::new(), |(_, v)| {
                v.chars().take(MAX_NAME_CHARS * 2).collect()
            })
    };
    let values = FormValues {
        name: one("name"),
        filter_id: one("filter"),
        control: one("control"),
        seed: one("seed"),
        window: one("window"),
        cost: one("cost"),
    };
    let refuse = |message: String, values: FormValues, pairs: Vec<(String, String)>| async {
        let page = list_page(
            &state,
            &user,
            &uri,
            None,
            None,
            Some((message, values, pairs)),
        )
        .await?;
        Ok::<Response, WebError>(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
    };
    let (settings, filter_id) = match read_form(&pairs, &user.user.name) {
        Ok(read) => read,
        Err(Refused(id, args)) => return refuse(tr.with(id, &args), values, pairs).await,
    };
    let created = match filter_id {
        Some(id) => create_campaign_from_filter(&state.store, id, &settings).await,
        None => create_campaign(&state.store, &settings).await,
    };
    match created {
        Ok(c) => Ok(see_other(&format!("/campaigns/{}?done=created", c.id))),
        Err(e) => {
            let message = match (
                e.downcast_ref::<clientele_app::InvalidSetting>(),
                e.downcast_ref::<StoreError>(),
            ) {
                (Some(invalid), _) if invalid.field == "filter" => tr.get("campaigns-error-empty"),
                (Some(_), _) => tr.get("campaigns-error-control"),
                (_, Some(StoreError::Conflict(_))) => tr.get("campaigns-error-taken"),
                (_, Some(StoreError::NotFound { .. })) => tr.get("campaigns-error-choice"),
                _ if e.to_string().starts_with("no snapshot") => tr.get("no-snapshot"),
                _ => {
                    tracing::error!("creating a campaign: {e:#}");
                    return Err(WebError {
                        status: StatusCode::INTERNAL_SERVER_ERROR,
                        message: tr.get("error-internal"),
                        tr,
                    });
                }
            };
            refuse(message, values, pairs).await
        }
    }
}

/// A tick of a chart's axis.
pub struct Tick {
    pub x: f64,
    pub label: String,
}

/// An estimate with its 95% interval drawn on a horizontal axis that holds the interval and
/// zero, with zero marked: the shape says whether the interval crosses zero.
pub struct IntervalChart {
    pub id: &'static str,
    pub title: String,
    pub desc: String,
    pub zero_x: f64,
    pub lo_x: f64,
    pub hi_x: f64,
    pub point_x: f64,
    pub ticks: Vec<Tick>,
}

/// Chart width and the plot's left and right edges, in SVG units.
const CHART_WIDTH: f64 = 640.0;
const PLOT_LEFT: f64 = 40.0;
const PLOT_RIGHT: f64 = 600.0;

fn interval_chart(
    id: &'static str,
    title: String,
    desc: String,
    point: f64,
    ci: Interval,
    label: impl Fn(f64) -> String,
) -> Option<IntervalChart> {
    if !(point.is_finite() && ci.lo.is_finite() && ci.hi.is_finite()) {
        return None;
    }
    // The scale holds the interval and zero, with a margin of a tenth on each side.
    let (lo, hi) = (ci.lo.min(0.0), ci.hi.max(0.0));
    let span = if hi > lo { hi - lo } else { 1.0 };
    let (from, to) = (lo - span * 0.1, hi + span * 0.1);
    let x = |v: f64| PLOT_LEFT + (v - from) / (to - from) * (PLOT_RIGHT - PLOT_LEFT);
    let step = nice_step((to - from) / 4.0);
    let mut ticks = Vec::new();
    let mut v = (from / step).ceil() * step;
    while v <= to && ticks.len() < 12 {
        // -0.0 and 1e-17 read as 0.
        let shown = if v.abs() < step * 1e-9 { 0.0 } else { v };
        ticks.push(Tick {
            x: x(shown),
            label: label(shown),
        });
        v += step;
    }
    Some(IntervalChart {
        id,
        title,
        desc,
        zero_x: x(0.0),
        lo_x: x(ci.lo),
        hi_x: x(ci.hi),
        point_x: x(point),
        ticks,
    })
}

/// 1, 2 or 5 times a power of ten, the nearest at or above `raw`.
fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power)
}

pub struct ArmLine {
    pub arm: String,
    pub n: String,
    pub converted: String,
    pub rate: String,
    pub revenue_per_customer: String,
}

#[derive(askama::Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    layout: Layout,
    t: Tr,
    flash: Option<String>,
    facts: Vec<(String, String)>,
    arms: Vec<ArmLine>,
    verdict_code: &'static str,
    verdict: String,
    verdict_why: String,
    rate_uplift: String,
    revenue_uplift: String,
    cost: String,
    net_value: String,
    charts: Vec<IntervalChart>,
    chart_width: f64,
}

fn verdict_key(v: UpliftVerdict) -> &'static str {
    v.as_str()
}

/// `+1.2 pp` / `+1,2 п. п.`: a difference of rates in percentage points.
fn points(tr: &Tr, share: f64) -> String {
    let text = format!("{:+.1}", share * 100.0);
    let text = match tr.code() {
        "ru" => text.replace('.', ","),
        _ => text,
    };
    tr.with("campaign-points", &[("value", Arg::Text(text))])
}

fn signed_money(tr: &Tr, v: f64) -> String {
    let m = tr.money(Money::from_f64_rounded(v.abs()));
    if v < 0.0 {
        format!("−{m}")
    } else {
        format!("+{m}")
    }
}

fn report_page(
    user: &WebUser,
    uri: &Uri,
    r: &CampaignReport,
    flash: Option<String>,
) -> CampaignPage {
    let tr = user.tr;
    let c = &r.campaign;
    let u = &r.report;
    let none = || tr.get("none");
    let arm = |key: &str, a: &clientele_core::uplift::ArmSummary| ArmLine {
        arm: tr.get(key),
        n: tr.int(a.n as i64),
        converted: tr.int(a.converted as i64),
        rate: a
            .rate
            .filter(|v| v.is_finite())
            .map_or_else(none, |v| tr.percent(v)),
        revenue_per_customer: a
            .revenue_per_customer
            .filter(|v| v.is_finite())
            .map_or_else(none, |v| tr.money(Money::from_f64_rounded(v))),
    };
    // Three decimals, and below 0.001 said so rather than shown as 0.
    let p_value = |p: f64| {
        if p < 0.001 {
            tr.get("campaign-p-below")
        } else {
            let text = format!("{p:.3}");
            if tr.code() == "ru" {
                text.replace('.', ",")
            } else {
                text
            }
        }
    };
    let rate_uplift = match u.rate_uplift {
        Some(d) if d.difference.is_finite() => tr.with(
            "campaign-rate-uplift",
            &[
                ("value", Arg::Text(points(&tr, d.difference))),
                ("low", Arg::Text(points(&tr, d.ci95.lo))),
                ("high", Arg::Text(points(&tr, d.ci95.hi))),
                ("p", Arg::Text(p_value(d.p_value))),
            ],
        ),
        _ => tr.get("campaign-rate-uplift-none"),
    };
    let revenue_uplift = match u.revenue_uplift {
        Some(d) if d.difference.is_finite() => tr.with(
            "campaign-revenue-uplift",
            &[
                ("value", Arg::Text(signed_money(&tr, d.difference))),
                ("low", Arg::Text(signed_money(&tr, d.ci95.lo))),
                ("high", Arg::Text(signed_money(&tr, d.ci95.hi))),
                ("p", Arg::Text(p_value(d.p_value))),
            ],
        ),
        _ => tr.get("campaign-revenue-uplift-none"),
    };
    let net_value = match (u.net_value, u.net_value_ci95) {
        (Some(v), Some(ci)) if v.is_finite() => tr.with(
            "campaign-net-value",
            &[
                ("value", Arg::Text(signed_money(&tr, v))),
                ("low", Arg::Text(signed_money(&tr, ci.lo))),
                ("high", Arg::Text(signed_money(&tr, ci.hi))),
            ],
        ),
        _ => tr.get("campaign-net-value-none"),
    };
    let mut charts = Vec::new();
    if let Some(d) = u.rate_uplift {
        charts.extend(interval_chart(
            "campaign-rate-chart",
            tr.get("campaign-rate-chart-title"),
            rate_uplift.clone(),
            d.difference,
            d.ci95,
            |v| points(&tr, v),
        ));
    }
    if let Some(d) = u.revenue_uplift {
        charts.extend(interval_chart(
            "campaign-revenue-chart",
            tr.get("campaign-revenue-chart-title"),
            revenue_uplift.clone(),
            d.difference,
            d.ci95,
            |v| signed_money(&tr, v),
        ));
    }
    let facts = vec![
        (tr.get("campaigns-col-kind"), kind_words(&tr, c)),
        (
            tr.get("campaigns-col-filter"),
            filter_words(&tr, &c.filter.filter),
        ),
        (tr.get("campaign-snapshot"), tr.date(c.snapshot_as_of)),
        (
            tr.get("campaign-window"),
            tr.with(
                "campaign-window-days",
                &[
                    ("start", Arg::Text(tr.date(c.start_day))),
                    ("end", Arg::Text(tr.date(c.window_last_day()))),
                ],
            ),
        ),
        (tr.get("campaign-as-of"), tr.date(r.as_of)),
        (
            tr.get("campaigns-col-control"),
            tr.percent(c.control_share.get()),
        ),
        (tr.get("campaigns-col-seed"), c.seed.to_string()),
        (
            tr.get("campaign-cost-per-contact"),
            tr.money(c.cost_per_contact),
        ),
    ];
    let code = verdict_key(u.verdict);
    CampaignPage {
        layout: user.layout("campaigns", c.name.clone(), &uri.to_string()),
        t: tr,
        flash,
        facts,
        arms: vec![
            arm("campaign-arm-treated", &u.treated),
            arm("campaign-arm-control", &u.control),
        ],
        verdict_code: code,
        verdict: tr.get(&format!("campaign-verdict-{code}")),
        verdict_why: tr.get(&format!("campaign-verdict-{code}-why")),
        rate_uplift,
        revenue_uplift,
        cost: tr.money(u.cost),
        net_value,
        charts,
        chart_width: CHART_WIDTH,
    }
}

#[derive(Debug, Deserialize)]
pub struct ReportQuery {
    done: Option<String>,
}

/// One campaign's report.
pub async fn report(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Path(raw): Path<String>,
    Query(query): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| WebError::bad_address(tr, uri.path()))?;
    let report = campaign_report(&state.store, id, None).await.map_err(|e| {
        match e.downcast::<StoreError>() {
            Ok(store) => WebError::store(store, tr),
            Err(e) => {
                tracing::error!("a campaign's report: {e:#}");
                WebError {
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    message: tr.get("error-internal"),
                    tr,
                }
            }
        }
    })?;
    let flash = (query.done.as_deref() == Some("created")).then(|| {
        tr.with(
            "campaigns-flash-created",
            &[("id", Arg::Num(report.campaign.id as f64))],
        )
    });
    Ok(render(
        StatusCode::OK,
        &report_page(&user, &uri, &report, flash),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_holds_the_interval_and_zero_in_order() {
        let c = interval_chart(
            "c",
            "t".into(),
            "d".into(),
            0.03,
            Interval { lo: 0.01, hi: 0.05 },
            |v| format!("{v}"),
        )
        .unwrap();
        // Zero is left of the interval, which is left to right, with the point inside.
        assert!(c.zero_x < c.lo_x && c.lo_x < c.point_x && c.point_x < c.hi_x);
        assert!(c.zero_x >= PLOT_LEFT && c.hi_x <= PLOT_RIGHT);
        // A tick at zero exactly where the zero line is.
        assert!(
            c.ticks
                .iter()
                .any(|t| (t.x - c.zero_x).abs() < 1e-9 && t.label == "0")
        );
        // An interval across zero puts zero inside it.
        let c = interval_chart(
            "c",
            "t".into(),
            "d".into(),
            0.0,
            Interval { lo: -2.0, hi: 1.0 },
            |v| format!("{v}"),
        )
        .unwrap();
        assert!(c.lo_x < c.zero_x && c.zero_x < c.hi_x);
        // No chart from NaN.
        assert!(
            interval_chart(
                "c",
                "t".into(),
                "d".into(),
                f64::NAN,
                Interval { lo: 0.0, hi: 1.0 },
                |v| format!("{v}")
            )
            .is_none()
        );
    }

    #[test]
    fn steps_are_one_two_or_five_times_a_power_of_ten() {
        assert_eq!(nice_step(0.013), 0.02);
        assert_eq!(nice_step(3.0), 5.0);
        assert_eq!(nice_step(70.0), 100.0);
        assert_eq!(nice_step(0.0), 1.0);
    }
}
