//! The transition matrix page: how many customers moved from each rung of the earlier snapshot
//! (or were new) to each rung of the later one (or were gone), every count a link to the
//! customers behind it. A manager sees their own customers.

use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_core::{Day, Rung};
use clientele_store::{MAX_MOVERS, StoreError};
use serde::Deserialize;

use super::i18n::{Arg, Tr};
use super::{Layout, WebError, WebUser, render};
use crate::AppState;

/// One cell of the matrix: a count and, when it is not zero, the link to its customers.
pub struct MatrixCell {
    pub count: String,
    pub href: Option<String>,
}

pub struct MatrixRow {
    pub label: String,
    pub cells: Vec<MatrixCell>,
}

pub struct MoverRow {
    pub customer_id: i64,
    pub customer: String,
    pub before: String,
    pub after: String,
    pub revenue: String,
}

/// The drill-down: one cell's customers.
pub struct Drill {
    pub title: String,
    pub total: String,
    pub rows: Vec<MoverRow>,
}

#[derive(askama::Template)]
#[template(path = "transitions.html")]
struct TransitionsPage {
    layout: Layout,
    t: Tr,
    /// "from → to", or `None` with fewer than two snapshots.
    period: Option<String>,
    columns: Vec<String>,
    rows: Vec<MatrixRow>,
    drill: Option<Drill>,
}

#[derive(Debug, Deserialize)]
pub struct TransitionsQuery {
    from: Option<String>,
    to: Option<String>,
    from_rung: Option<String>,
    to_rung: Option<String>,
}

/// The label of one side of a cell: a rung, or new / gone.
fn side_label(tr: &Tr, rung: Option<Rung>, none: &str) -> String {
    rung.map_or_else(|| tr.get(none), |r| tr.rung(r))
}

fn parse_side(tr: Tr, field: &str, text: &str, none: &str) -> Result<Option<Rung>, WebError> {
    if text == none {
        return Ok(None);
    }
    Rung::parse(text).map(Some).ok_or_else(|| {
        let mut choices: Vec<String> = Rung::ALL.iter().map(|r| r.as_str().into()).collect();
        choices.push(none.into());
        WebError::not_one_of(
            tr,
            field,
            &text.chars().take(40).collect::<String>(),
            choices,
        )
    })
}

fn parse_date(tr: Tr, field: &str, text: &str) -> Result<Day, WebError> {
    Day::parse_iso(text.trim())
        .ok()
        .filter(|&d| clientele_core::bounds::day_in_bounds(d))
        .ok_or_else(|| WebError::invalid(tr, field, tr.get("transitions-bad-date")))
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(q): Query<TransitionsQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let err = |e| WebError::store(e, tr);
    let (latest, previous) = state.store.latest_two_snapshots().await.map_err(err)?;
    let to = match &q.to {
        Some(t) => Some(parse_date(tr, "to", t)?),
        None => latest,
    };
    let from = match &q.from {
        Some(f) => Some(parse_date(tr, "from", f)?),
        None => previous,
    };
    let cell = match (q.from_rung.as_deref(), q.to_rung.as_deref()) {
        (Some(f), Some(t)) => Some((
            parse_side(tr, "from_rung", f, "new")?,
            parse_side(tr, "to_rung", t, "gone")?,
        )),
        _ => None,
    };
    let mut columns: Vec<String> = Rung::ALL.iter().map(|&r| tr.rung(r)).collect();
    columns.push(tr.get("flows-gone"));
    let layout = user.layout("transitions", tr.get("page-transitions"), &uri.to_string());
    let (Some(from), Some(to)) = (from, to) else {
        let body = TransitionsPage {
            layout,
            t: tr,
            period: None,
            columns,
            rows: Vec::new(),
            drill: None,
        };
        return Ok(render(StatusCode::OK, &body));
    };
    if to <= from {
        return Err(WebError::invalid(
            tr,
            "to",
            tr.get("transitions-to-after-from"),
        ));
    }
    let t = state
        .store
        .transitions_in(user.scope(), from, to)
        .await
        .map_err(err)?;
    // Rows: new, then the rungs of the earlier snapshot; columns: the rungs, then gone.
    let mut counts = [[0u64; 6]; 6];
    for c in &t.matrix {
        let r = c.from.map_or(0, |r| r as usize + 1);
        let k = c.to.map_or(5, |r| r as usize);
        counts[r][k] += c.customers;
    }
    let href = |f: Option<Rung>, to_rung: Option<Rung>| {
        format!(
            "/transitions?from={from}&to={to}&from_rung={}&to_rung={}",
            f.map_or("new", Rung::as_str),
            to_rung.map_or("gone", Rung::as_str)
        )
    };
    let froms: Vec<Option<Rung>> = std::iter::once(None)
        .chain(Rung::ALL.iter().map(|&r| Some(r)))
        .collect();
    let tos: Vec<Option<Rung>> = Rung::ALL
        .iter()
        .map(|&r| Some(r))
        .chain(std::iter::once(None))
        .collect();
    let rows = froms
        .iter()
        .enumerate()
        .map(|(i, &f)| MatrixRow {
            label: side_label(&tr, f, "flows-new"),
            cells: tos
                .iter()
                .enumerate()
                .map(|(k, &to_rung)| MatrixCell {
                    count: tr.int(counts[i][k] as i64),
                    href: (counts[i][k] > 0 && (f, to_rung) != (None, None))
                        .then(|| href(f, to_rung)),
                })
                .collect(),
        })
        .collect();
    let drill = match cell {
        None => None,
        Some(cell) => {
            let m = match state
                .store
                .movers_in(user.scope(), (from, to), cell, 0, MAX_MOVERS)
                .await
            {
                Ok(m) => m,
                Err(StoreError::Invalid { field, .. }) => {
                    return Err(WebError::invalid(tr, field, tr.get("transitions-no-cell")));
                }
                Err(e) => return Err(err(e)),
            };
            let status = |s: Option<clientele_core::Status>| {
                s.map_or_else(String::new, |s| tr.get(&format!("status-{}", s.as_str())))
            };
            Some(Drill {
                title: tr.with(
                    "transitions-drill-title",
                    &[
                        ("from", Arg::Text(side_label(&tr, cell.0, "flows-new"))),
                        ("to", Arg::Text(side_label(&tr, cell.1, "flows-gone"))),
                    ],
                ),
                total: if (m.items.len() as u64) < m.total {
                    tr.with(
                        "transitions-drill-first",
                        &[
                            ("shown", Arg::Num(m.items.len() as f64)),
                            ("total", Arg::Num(m.total as f64)),
                        ],
                    )
                } else {
                    tr.count("transitions-drill-count", m.total as i64)
                },
                rows: m
                    .items
                    .into_iter()
                    .map(|c| MoverRow {
                        customer_id: c.customer_id,
                        customer: c.external_id,
                        before: status(c.status_before),
                        after: status(c.status_after),
                        revenue: tr.money(c.period_revenue),
                    })
                    .collect(),
            })
        }
    };
    let body = TransitionsPage {
        layout,
        t: tr,
        period: Some(tr.with(
            "transitions-period",
            &[
                ("from", Arg::Text(tr.date(from))),
                ("to", Arg::Text(tr.date(to))),
            ],
        )),
        columns,
        rows,
        drill,
    };
    Ok(render(StatusCode::OK, &body))
}
