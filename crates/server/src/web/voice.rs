//! The NPS page: the score with its margin of error and band (or "not enough answers"), the
//! monthly or quarterly trend drawn with its 95% interval band, and a split by rung, manager,
//! channel, touchpoint, sub-group or segment, each group against the rest. The filters are a GET
//! form; the splits download as CSV; below them, what the period's promoters, passives and
//! detractors did next (`nps_behaviour`). A manager sees their customers' answers only.

use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use clientele_app::voice::{NpsFigures, NpsReportOutput, PeriodChange, nps_report};
use clientele_core::Rung;
use clientele_store::voice::AnswerGroupBy;

use super::i18n::{Arg, Lang, Tr};
use super::{Layout, WebError, WebUser, render};
use crate::AppState;
use crate::error::ApiError;
use crate::routes::voice::{ReportQuery, app_error, report_settings};

/// One sample's figures, worded for the page.
pub struct FiguresRow {
    pub label: String,
    pub n: String,
    pub promoters: String,
    pub passives: String,
    pub detractors: String,
    /// The NPS, or "not enough answers".
    pub nps: String,
    pub interval: String,
    pub change: String,
    /// `up`, `down` or empty: a significant change's direction, for styling.
    pub significant: &'static str,
}

/// The trend chart's geometry (viewBox 0 0 720 300), computed here, drawn by the template.
pub struct TrendChart {
    /// The 95% band: a polygon's points per run of periods with a score.
    pub bands: Vec<String>,
    /// The NPS line per run.
    pub lines: Vec<String>,
    pub dots: Vec<(String, String, String)>,
    /// (y, label) of the horizontal grid lines.
    pub grid: Vec<(String, String)>,
    /// (x, label) under the axis.
    pub ticks: Vec<(String, String)>,
}

#[derive(askama::Template)]
#[template(path = "nps.html")]
struct NpsPage {
    layout: Layout,
    t: Tr,
    q: FormValues,
    /// (value, label, selected) of the split's choices.
    by_options: Vec<(&'static str, String, bool)>,
    empty: bool,
    headline: String,
    summary: Option<FiguresRow>,
    band: Option<String>,
    note: String,
    /// CSAT of the same range beside the NPS.
    csat: String,
    chart: Option<TrendChart>,
    periods: Vec<FiguresRow>,
    groups: Vec<FiguresRow>,
    /// What the period's promoters, passives and detractors did next.
    behaviour: Option<super::nps_behaviour::BehaviourSection>,
    csv_link: String,
}

/// The filter form's values, as sent.
pub struct FormValues {
    pub from: String,
    pub to: String,
    pub period: String,
}

fn field_message(tr: Tr, e: ApiError) -> WebError {
    match e {
        ApiError::Invalid { field, .. } => WebError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: tr.with(
                "nps-bad-filter",
                &[("field", Arg::Text(tr.get(&format!("nps-filter-{field}"))))],
            ),
            tr,
        },
        other => {
            tracing::error!("nps page: {other}");
            WebError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: tr.get("error-internal"),
                tr,
            }
        }
    }
}

fn points(tr: Tr, x: f64) -> String {
    let text = format!("{x:+.1}");
    match tr.lang {
        Lang::En => text,
        Lang::Ru => text.replace('.', ","),
    }
}

fn figures_row(tr: Tr, label: String, f: &NpsFigures, change: Option<&PeriodChange>) -> FiguresRow {
    let share = |s: Option<f64>| s.map_or_else(|| tr.get("none"), |s| tr.percent(s));
    FiguresRow {
        label,
        n: tr.int(f.n as i64),
        promoters: share(f.promoters),
        passives: share(f.passives),
        detractors: share(f.detractors),
        nps: match (f.nps, f.margin_of_error) {
            (Some(nps), Some(moe)) => format!(
                "{} ± {}",
                points(tr, nps),
                points(tr, moe).trim_start_matches('+')
            ),
            _ => tr.get("nps-not-enough"),
        },
        interval: f.ci95.map_or_else(String::new, |(lo, hi)| {
            tr.with(
                "nps-interval",
                &[
                    ("lo", Arg::Text(points(tr, lo))),
                    ("hi", Arg::Text(points(tr, hi))),
                ],
            )
        }),
        change: change.map_or_else(String::new, |c| {
            tr.with(
                if c.significant {
                    "nps-change-significant"
                } else {
                    "nps-change-noise"
                },
                &[
                    ("delta", Arg::Text(points(tr, c.delta))),
                    ("p", Arg::Text(tr.probability(c.p_value))),
                ],
            )
        }),
        significant: match change {
            Some(c) if c.significant && c.delta > 0.0 => "up",
            Some(c) if c.significant => "down",
            _ => "",
        },
    }
}

const W: f64 = 720.0;
const H: f64 = 300.0;
const LEFT: f64 = 50.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 15.0;
const BOTTOM: f64 = 40.0;

fn trend_chart(r: &NpsReportOutput) -> Option<TrendChart> {
    if r.periods.iter().all(|p| p.figures.nps.is_none()) {
        return None;
    }
    let n = r.periods.len();
    let x = |i: usize| {
        if n <= 1 {
            (LEFT + W - RIGHT) / 2.0
        } else {
            LEFT + i as f64 / (n - 1) as f64 * (W - LEFT - RIGHT)
        }
    };
    let y = |v: f64| TOP + (100.0 - v.clamp(-100.0, 100.0)) / 200.0 * (H - TOP - BOTTOM);
    let mut bands = Vec::new();
    let mut lines = Vec::new();
    let mut dots = Vec::new();
    // Periods without a score break the line and the band: nothing is drawn through a gap.
    let mut run: Vec<(usize, f64, f64, f64)> = Vec::new();
    let mut flush = |run: &mut Vec<(usize, f64, f64, f64)>| {
        if run.is_empty() {
            return;
        }
        let upper: Vec<String> = run
            .iter()
            .map(|&(i, _, _, hi)| format!("{:.1},{:.1}", x(i), y(hi)))
            .collect();
        let lower: Vec<String> = run
            .iter()
            .rev()
            .map(|&(i, _, lo, _)| format!("{:.1},{:.1}", x(i), y(lo)))
            .collect();
        bands.push(format!("{} {}", upper.join(" "), lower.join(" ")));
        lines.push(
            run.iter()
                .map(|&(i, v, _, _)| format!("{:.1},{:.1}", x(i), y(v)))
                .collect::<Vec<_>>()
                .join(" "),
        );
        run.clear();
    };
    for (i, p) in r.periods.iter().enumerate() {
        match (p.figures.nps, p.figures.ci95) {
            (Some(v), Some((lo, hi))) => {
                run.push((i, v, lo, hi));
                dots.push((
                    format!("{:.1}", x(i)),
                    format!("{:.1}", y(v)),
                    format!("{}: {v:+.1}", p.period),
                ));
            }
            _ => flush(&mut run),
        }
    }
    flush(&mut run);
    let grid = [100.0, 50.0, 10.0, 0.0, -50.0, -100.0]
        .iter()
        .map(|&v| (format!("{:.1}", y(v)), format!("{v:+.0}")))
        .collect();
    // At most about twelve labels under the axis.
    let step = n.div_ceil(12).max(1);
    let ticks = r
        .periods
        .iter()
        .enumerate()
        .filter(|(i, _)| i % step == 0)
        .map(|(i, p)| (format!("{:.1}", x(i)), p.period.clone()))
        .collect();
    Some(TrendChart {
        bands,
        lines,
        dots,
        grid,
        ticks,
    })
}

fn group_label(tr: Tr, by: AnswerGroupBy, group: &Option<String>) -> String {
    match group {
        None => tr.get("nps-no-group"),
        Some(g) if by == AnswerGroupBy::Rung => {
            Rung::parse(g).map_or_else(|| g.clone(), |r| tr.rung(r))
        }
        Some(g) if by == AnswerGroupBy::Status => {
            clientele_core::Status::parse(g).map_or_else(|| g.clone(), |s| tr.status(s))
        }
        Some(g) => g.clone(),
    }
}

async fn load(
    state: &AppState,
    user: &WebUser,
    q: &ReportQuery,
) -> Result<NpsReportOutput, WebError> {
    let tr = user.tr;
    let settings = report_settings(q, user.scope()).map_err(|e| field_message(tr, e))?;
    nps_report(&state.store, &settings)
        .await
        .map_err(|e| field_message(tr, app_error(e)))
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(mut q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    // The page shows the monthly trend unless asked otherwise.
    q.period.get_or_insert_with(|| "month".into());
    let r = load(&state, &user, &q).await?;
    let f = &r.overall;
    let empty = f.n == 0;
    let headline = if empty {
        tr.get("nps-empty")
    } else if let (Some(nps), Some(moe)) = (f.nps, f.margin_of_error) {
        tr.with(
            "nps-headline",
            &[
                ("nps", Arg::Text(points(tr, nps))),
                (
                    "moe",
                    Arg::Text(points(tr, moe).trim_start_matches('+').to_string()),
                ),
                ("n", Arg::Num(f.n as f64)),
                ("count", Arg::Text(tr.int(f.n as i64))),
            ],
        )
    } else {
        tr.with(
            "nps-headline-not-enough",
            &[
                ("n", Arg::Num(f.n as f64)),
                ("count", Arg::Text(tr.int(f.n as i64))),
                ("min", Arg::Text(tr.int(r.min_answers as i64))),
            ],
        )
    };
    let band = f.band.map(|b| {
        let mut text = tr.get(&format!("nps-band-{b}"));
        if f.band_settled == Some(false) {
            text.push(' ');
            text.push_str(&tr.get("nps-band-unsettled"));
        }
        text
    });
    let note = tr.with(
        "nps-note",
        &[
            ("n", Arg::Num(r.answers_read as f64)),
            ("count", Arg::Text(tr.int(r.answers_read as i64))),
            ("one_to_ten", Arg::Text(tr.int(r.answers_one_to_ten as i64))),
        ],
    );
    let periods = r
        .periods
        .iter()
        .map(|p| figures_row(tr, p.period.clone(), &p.figures, p.change.as_ref()))
        .collect();
    let groups = r
        .groups
        .iter()
        .map(|g| {
            figures_row(
                tr,
                group_label(tr, r.by, &g.group),
                &g.figures,
                g.vs_rest.as_ref(),
            )
        })
        .collect();
    let query = uri.query().unwrap_or_default();
    let chosen = q.by.clone().unwrap_or_default();
    let by_options = [
        "",
        "rung",
        "subgroup",
        "manager",
        "channel",
        "touchpoint",
        "segment",
        "status",
    ]
    .into_iter()
    .map(|key| {
        let label = if key.is_empty() {
            tr.get("nps-by-none")
        } else {
            tr.get(&format!("nps-by-{key}"))
        };
        (key, label, chosen == key)
    })
    .collect();
    let csat = csat_line(tr, &r.csat);
    let behaviour = if empty {
        None
    } else {
        super::nps_behaviour::section(&state, &user, &q).await
    };
    let page = NpsPage {
        behaviour,
        csat,
        layout: user.layout("nps", tr.get("page-nps"), &uri.to_string()),
        t: tr,
        q: FormValues {
            from: q.from.clone().unwrap_or_default(),
            to: q.to.clone().unwrap_or_default(),
            period: q.period.clone().unwrap_or_else(|| "month".into()),
        },
        by_options,
        empty,
        headline,
        summary: (!empty).then(|| figures_row(tr, tr.get("nps-all"), f, None)),
        band,
        note,
        chart: trend_chart(&r),
        periods,
        groups,
        csv_link: if query.is_empty() {
            "/nps.csv".into()
        } else {
            format!("/nps.csv?{query}")
        },
    };
    Ok(render(StatusCode::OK, &page))
}

/// CSAT beside the NPS, in the reader's language: the mean and the satisfied share with their
/// intervals, or why there are none.
fn csat_line(tr: Tr, c: &clientele_app::voice::CsatFigures) -> String {
    let decimal = |v: f64, digits: usize| {
        let text = format!("{v:.digits$}");
        match tr.lang {
            Lang::En => text,
            Lang::Ru => text.replace('.', ","),
        }
    };
    let count = [
        ("n", Arg::Num(c.n as f64)),
        ("count", Arg::Text(tr.int(c.n as i64))),
    ];
    match (c.mean, c.mean_ci95, c.satisfied, c.satisfied_ci95) {
        _ if c.n == 0 => tr.get("nps-csat-none"),
        (Some(mean), Some((mlo, mhi)), Some(s), Some((slo, shi))) => {
            let mut args = count.to_vec();
            args.extend([
                ("mean", Arg::Text(decimal(mean, 2))),
                ("mean_lo", Arg::Text(decimal(mlo, 2))),
                ("mean_hi", Arg::Text(decimal(mhi, 2))),
                ("satisfied", Arg::Text(tr.percent(s))),
                ("lo", Arg::Text(tr.percent(slo))),
                ("hi", Arg::Text(tr.percent(shi))),
            ]);
            tr.with("nps-csat", &args)
        }
        _ => tr.with("nps-csat-not-enough", &count),
    }
}

/// The periods and groups as an Excel-friendly CSV: BOM, `;` and decimal commas in Russian.
pub async fn csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(mut q): Query<ReportQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    q.period.get_or_insert_with(|| "month".into());
    let r = load(&state, &user, &q).await?;
    let sep = match tr.lang {
        Lang::En => b',',
        Lang::Ru => b';',
    };
    let num = |v: Option<f64>, digits: usize| {
        v.map_or_else(String::new, |v| {
            let text = format!("{v:.digits$}");
            match tr.lang {
                Lang::En => text,
                Lang::Ru => text.replace('.', ","),
            }
        })
    };
    let mut w = csv::WriterBuilder::new()
        .delimiter(sep)
        .from_writer(Vec::new());
    let header: Vec<String> = [
        "nps-col-kind",
        "nps-col-label",
        "nps-col-n",
        "nps-col-promoters",
        "nps-col-passives",
        "nps-col-detractors",
        "nps-col-nps",
        "nps-col-lo",
        "nps-col-hi",
        "nps-col-delta",
        "nps-col-p",
    ]
    .iter()
    .map(|id| tr.get(id))
    .collect();
    let write = |w: &mut csv::Writer<Vec<u8>>,
                 kind: &str,
                 label: String,
                 f: &NpsFigures,
                 c: Option<&PeriodChange>| {
        w.write_record([
            kind.to_string(),
            label,
            f.n.to_string(),
            num(f.promoters, 4),
            num(f.passives, 4),
            num(f.detractors, 4),
            num(f.nps, 1),
            num(f.ci95.map(|c| c.0), 1),
            num(f.ci95.map(|c| c.1), 1),
            num(c.map(|c| c.delta), 1),
            num(c.map(|c| c.p_value), 4),
        ])
    };
    let fail = |e: csv::Error| {
        tracing::error!("nps csv: {e}");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: tr.get("error-internal"),
            tr,
        }
    };
    w.write_record(&header).map_err(fail)?;
    write(
        &mut w,
        &tr.get("nps-all"),
        tr.get("nps-all"),
        &r.overall,
        None,
    )
    .map_err(fail)?;
    for p in &r.periods {
        write(
            &mut w,
            &tr.get("nps-col-period"),
            p.period.clone(),
            &p.figures,
            p.change.as_ref(),
        )
        .map_err(fail)?;
    }
    for g in &r.groups {
        write(
            &mut w,
            &tr.get("nps-col-group"),
            group_label(tr, r.by, &g.group),
            &g.figures,
            g.vs_rest.as_ref(),
        )
        .map_err(fail)?;
    }
    let mut body = b"\xEF\xBB\xBF".to_vec();
    body.extend(w.into_inner().map_err(|e| fail(e.into_error().into()))?);
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"nps.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}
