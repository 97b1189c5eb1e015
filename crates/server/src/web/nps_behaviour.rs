//! The NPS page's "what they did next" section: for the promoters, passives and detractors of
//! the filtered period, slipping or lost in the next snapshot, mean revenue and CLV there and
//! mean revenue in the 90 days after, each with its 95% interval, worded in the reader's
//! language; the sentence above the table says which snapshot, horizon and currency.

use clientele_app::voice::{MeanFigure, NpsBehaviourOutput, nps_behaviour};
use clientele_core::Money;

use super::WebUser;
use super::i18n::{Arg, Tr};
use crate::AppState;
use crate::routes::nps_behaviour::{BehaviourQuery, behaviour_settings};
use crate::routes::voice::ReportQuery;

/// One group's row, worded.
pub struct BehaviourRow {
    pub category: &'static str,
    pub label: String,
    pub respondents: String,
    pub followed: String,
    pub slipping_or_lost: String,
    pub revenue: String,
    pub clv: String,
    pub revenue_after: String,
}

/// The section, worded.
pub struct BehaviourSection {
    /// Which snapshot, CLV horizon, currency and window the figures come from.
    pub basis: String,
    /// The detractors against the promoters, or why there is no comparison.
    pub comparison: String,
    pub rows: Vec<BehaviourRow>,
}

fn mean(tr: Tr, m: &MeanFigure) -> String {
    let money = |v: f64| tr.money(Money::from_f64_rounded(v));
    match (m.mean, m.ci95) {
        (None, _) => tr.get("none"),
        (Some(v), Some((lo, hi))) => tr.with(
            "nps-behaviour-mean",
            &[
                ("mean", Arg::Text(money(v))),
                ("lo", Arg::Text(money(lo))),
                ("hi", Arg::Text(money(hi))),
            ],
        ),
        (Some(v), None) => money(v),
    }
}

/// Reads the section for the page's filters; `None` when the period has no answers (the page
/// already says so) or the figures cannot be read (logged: the rest of the page still shows).
pub async fn section(
    state: &AppState,
    user: &WebUser,
    q: &ReportQuery,
) -> Option<BehaviourSection> {
    let tr = user.tr;
    let query = BehaviourQuery {
        from: q.from.clone(),
        to: q.to.clone(),
        days_after: None,
    };
    let settings = behaviour_settings(&query, user.scope()).ok()?;
    let r = match nps_behaviour(&state.store, &settings).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("nps behaviour section: {e:#}");
            return None;
        }
    };
    if r.groups.iter().all(|g| g.respondents == 0) {
        return None;
    }
    Some(worded(tr, &r))
}

fn worded(tr: Tr, r: &NpsBehaviourOutput) -> BehaviourSection {
    let date = |d: Option<clientele_core::Day>| d.map_or_else(|| tr.get("none"), |d| tr.date(d));
    let mut basis = match r.snapshot {
        Some(s) => tr.with("nps-behaviour-snapshot", &[("day", Arg::Text(tr.date(s)))]),
        None => tr.get("nps-behaviour-no-snapshot"),
    };
    basis.push(' ');
    basis.push_str(&match r.clv_horizon_days {
        Some(h) => tr.with(
            "nps-behaviour-horizon",
            &[
                ("n", Arg::Num(f64::from(h))),
                ("days", Arg::Text(tr.int(i64::from(h)))),
            ],
        ),
        None => tr.get("nps-behaviour-no-horizon"),
    });
    basis.push(' ');
    basis.push_str(&match r.currency {
        Some(c) => tr.with(
            "nps-behaviour-currency",
            &[("code", Arg::Text(c.code().into()))],
        ),
        None => tr.get("nps-behaviour-no-currency"),
    });
    basis.push(' ');
    basis.push_str(&tr.with(
        "nps-behaviour-window",
        &[
            ("from", Arg::Text(date(r.after_from))),
            ("to", Arg::Text(date(r.after_to))),
        ],
    ));
    if !r.window_complete() && r.orders_through.is_some() {
        basis.push(' ');
        basis.push_str(&tr.with(
            "nps-behaviour-window-open",
            &[("day", Arg::Text(date(r.orders_through)))],
        ));
    }
    let comparison = match &r.slipping_or_lost_difference {
        Some(d) => tr.with(
            if d.significant {
                "nps-behaviour-difference-significant"
            } else {
                "nps-behaviour-difference-noise"
            },
            &[
                ("delta", Arg::Text(tr.percent(d.difference))),
                ("lo", Arg::Text(tr.percent(d.ci95.0))),
                ("hi", Arg::Text(tr.percent(d.ci95.1))),
                ("p", Arg::Text(tr.probability(d.p_value))),
            ],
        ),
        None => tr.get("nps-behaviour-no-difference"),
    };
    let rows = r
        .groups
        .iter()
        .map(|g| {
            let key = g.category.as_str();
            BehaviourRow {
                category: key,
                label: tr.get(&format!("nps-behaviour-{key}")),
                respondents: tr.int(g.respondents as i64),
                followed: tr.int(g.followed as i64),
                slipping_or_lost: match (g.slipping_or_lost, g.slipping_or_lost_ci95) {
                    (Some(s), Some((lo, hi))) => tr.with(
                        "nps-behaviour-share",
                        &[
                            ("share", Arg::Text(tr.percent(s))),
                            ("lo", Arg::Text(tr.percent(lo))),
                            ("hi", Arg::Text(tr.percent(hi))),
                        ],
                    ),
                    _ => tr.get("none"),
                },
                revenue: mean(tr, &g.revenue),
                clv: mean(tr, &g.clv),
                revenue_after: mean(tr, &g.revenue_after),
            }
        })
        .collect();
    BehaviourSection {
        basis,
        comparison,
        rows,
    }
}
