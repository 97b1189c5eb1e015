//! The overview, flows and value pages: read from the per-snapshot aggregates only.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_charts::{FlowChart, LineChart, Series, Stairs, Step, identified};
use clientele_core::{Money, Rung, Status, Strategy, Subgroup};
use clientele_store::{LadderAggregate, Movement, MovementAggregate, ParetoPoint, Segment};

use super::i18n::{Arg, Tr};
use super::{Layout, WebError, WebUser, render};
use crate::AppState;

/// The catalogue id of a strategy's name and of its first action.
pub fn strategy_ids(strategy: Strategy) -> (&'static str, &'static str) {
    match strategy {
        Strategy::Attract => ("strategy-attract", "action-attract"),
        Strategy::Engage => ("strategy-engage", "action-engage"),
        Strategy::Retain => ("strategy-retain", "action-retain"),
        Strategy::Cherish => ("strategy-cherish", "action-cherish"),
        Strategy::WinBack => ("strategy-win-back", "action-win-back"),
    }
}

pub struct LadderRow {
    pub rung: &'static str,
    pub name: String,
    pub customers: String,
    pub revenue: String,
    pub profit: String,
    pub change: String,
    pub strategy: String,
    pub action: String,
}

pub struct SubgroupRow {
    pub rung: &'static str,
    pub subgroup: &'static str,
    pub rung_name: String,
    pub name: String,
    pub customers: String,
    pub revenue: String,
    pub profit: String,
}

pub struct StatusCount {
    pub status: &'static str,
    pub name: String,
    pub count: String,
}

pub struct MovementCount {
    pub movement: &'static str,
    pub name: String,
    pub count: String,
}

#[derive(askama::Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    layout: Layout,
    t: Tr,
    as_of: Option<String>,
    ladder: Vec<LadderRow>,
    subgroups: Vec<SubgroupRow>,
    chart: String,
    statuses: Vec<StatusCount>,
    pareto: Option<String>,
    since: Option<String>,
    changes: Vec<MovementCount>,
}

#[derive(Clone, Copy, Default)]
struct Totals {
    customers: i64,
    revenue: Money,
    profit: Money,
}

fn per_rung(cells: &[LadderAggregate]) -> [Totals; 5] {
    let mut totals = [Totals::default(); 5];
    for c in cells {
        let t = &mut totals[c.rung as usize];
        t.customers += c.customers;
        t.revenue += c.revenue;
        t.profit += c.profit;
    }
    totals
}

/// The movements in the order the pages list them.
const MOVEMENTS: [Movement; 6] = [
    Movement::Up,
    Movement::Down,
    Movement::Out,
    Movement::Back,
    Movement::New,
    Movement::Same,
];

fn movement_counts(tr: &Tr, movements: &[MovementAggregate]) -> Vec<MovementCount> {
    MOVEMENTS
        .iter()
        .map(|&m| MovementCount {
            movement: m.as_str(),
            name: tr.get(&format!("movement-{}", m.as_str())),
            count: tr.int(
                movements
                    .iter()
                    .filter(|a| a.movement == m)
                    .map(|a| a.customers)
                    .sum(),
            ),
        })
        .collect()
}

/// "The top 20% of buyers bring 74% of revenue", from the first point at or past 20%.
fn pareto_headline(tr: &Tr, points: &[ParetoPoint]) -> Option<String> {
    let p = points.iter().find(|p| p.rank * 5 >= p.customers)?;
    if p.total.units() <= 0 {
        return None;
    }
    Some(tr.with(
        "overview-pareto",
        &[
            (
                "top",
                Arg::Text(tr.percent(p.rank as f64 / p.customers as f64)),
            ),
            (
                "share",
                Arg::Text(tr.percent(p.cumulative.to_f64() / p.total.to_f64())),
            ),
        ],
    ))
}

pub async fn overview(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let err = |e| WebError::store(e, tr);
    let scope = user.scope();
    let (latest, previous) = state.store.latest_two_snapshots().await.map_err(err)?;
    let cells = match latest {
        Some(d) => state.store.ladder_aggregate(scope, d).await.map_err(err)?,
        None => Vec::new(),
    };
    let before = match previous {
        Some(d) => Some(per_rung(
            &state.store.ladder_aggregate(scope, d).await.map_err(err)?,
        )),
        None => None,
    };
    let totals = per_rung(&cells);
    let all: i64 = totals.iter().map(|t| t.customers).sum();
    let ladder = Rung::ALL
        .into_iter()
        .map(|rung| {
            let t = totals[rung as usize];
            let (strategy, action) = strategy_ids(Strategy::for_rung(rung));
            let change = before.map_or_else(
                || tr.get("none"),
                |b| {
                    let d = t.customers - b[rung as usize].customers;
                    if d > 0 {
                        format!("+{}", tr.int(d))
                    } else {
                        tr.int(d)
                    }
                },
            );
            LadderRow {
                rung: rung.as_str(),
                name: tr.rung(rung),
                customers: tr.int(t.customers),
                revenue: tr.money(t.revenue),
                profit: tr.money(t.profit),
                change,
                strategy: tr.get(strategy),
                action: tr.get(action),
            }
        })
        .collect();
    let mut subgroups = Vec::new();
    for rung in Rung::ALL {
        for subgroup in Subgroup::ALL {
            let mut t = Totals::default();
            for c in cells
                .iter()
                .filter(|c| c.rung == rung && c.subgroup == Some(subgroup))
            {
                t.customers += c.customers;
                t.revenue += c.revenue;
                t.profit += c.profit;
            }
            if t.customers > 0 {
                subgroups.push(SubgroupRow {
                    rung: rung.as_str(),
                    subgroup: subgroup.as_str(),
                    rung_name: tr.rung(rung),
                    name: tr.subgroup_by_profit(Some(subgroup), Some(t.profit)),
                    customers: tr.int(t.customers),
                    revenue: tr.money(t.revenue),
                    profit: tr.money(t.profit),
                });
            }
        }
    }
    let chart = tr.chart(
        Stairs {
            id: "ladder-chart".into(),
            title: tr.get("ladder-chart-title"),
            description: tr.with(
                "ladder-chart-desc",
                &[("total", Arg::Text(tr.count("customers-count", all)))],
            ),
            steps: Rung::ALL
                .into_iter()
                .map(|rung| {
                    let t = totals[rung as usize];
                    Step {
                        label: tr.rung(rung),
                        lines: vec![
                            tr.count("customers-count", t.customers),
                            tr.money(t.revenue),
                        ],
                        share: if all > 0 {
                            t.customers as f64 / all as f64
                        } else {
                            0.0
                        },
                    }
                })
                .collect(),
        }
        .to_svg(),
    );
    let count_status = |s: Status| -> i64 {
        cells
            .iter()
            .filter(|c| c.status == Some(s))
            .map(|c| c.customers)
            .sum()
    };
    let returners: i64 = cells
        .iter()
        .filter(|c| c.status.is_some() && c.status != Some(Status::Lost))
        .map(|c| c.returners)
        .sum();
    let mut statuses: Vec<StatusCount> = Status::ALL
        .into_iter()
        .map(|s| StatusCount {
            status: s.as_str(),
            name: tr.status(s),
            count: tr.int(count_status(s)),
        })
        .collect();
    statuses.push(StatusCount {
        status: "returners",
        name: tr.get("status-returners"),
        count: tr.int(returners),
    });
    let pareto = match latest {
        Some(d) => pareto_headline(
            &tr,
            &state.store.pareto_points(scope, d).await.map_err(err)?,
        ),
        None => None,
    };
    let changes = match (latest, previous) {
        (Some(d), Some(_)) => movement_counts(
            &tr,
            &state
                .store
                .movement_aggregates(scope, Some(d))
                .await
                .map_err(err)?,
        ),
        _ => Vec::new(),
    };
    let page = OverviewPage {
        layout: user.layout("overview", tr.get("page-overview"), &uri.to_string()),
        t: tr,
        as_of: latest.map(|d| tr.with("as-of", &[("date", Arg::Text(tr.date(d)))])),
        ladder,
        subgroups,
        chart,
        statuses,
        pareto,
        since: previous.map(|d| tr.with("overview-changes", &[("date", Arg::Text(tr.date(d)))])),
        changes,
    };
    Ok(render(StatusCode::OK, &page))
}

pub struct ChurnRow {
    pub rung: &'static str,
    pub name: String,
    pub at_risk: String,
    pub churned: String,
    pub rate: String,
}

#[derive(askama::Template)]
#[template(path = "flows.html")]
struct FlowsPage {
    layout: Layout,
    t: Tr,
    as_of: Option<String>,
    chart: String,
    movements: Vec<MovementCount>,
    returners: Option<String>,
    churn: Vec<ChurnRow>,
    churn_note: String,
}

pub async fn flows(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let err = |e| WebError::store(e, tr);
    let scope = user.scope();
    let (latest, previous) = state.store.latest_two_snapshots().await.map_err(err)?;
    let history = state
        .store
        .movement_aggregates(scope, None)
        .await
        .map_err(err)?;
    let last: Vec<&MovementAggregate> =
        history.iter().filter(|m| Some(m.as_of) == latest).collect();
    // Left: new customers and the rungs of the earlier snapshot; right: the rungs of the later
    // one and the gone. With a single snapshot every customer flows in as new; with none the
    // chart is empty (it is still there, with its title, for the reader to find).
    let mut left: Vec<String> = vec![tr.get("flows-new")];
    left.extend(Rung::ALL.iter().map(|&r| tr.rung(r)));
    let mut right: Vec<String> = Rung::ALL.iter().map(|&r| tr.rung(r)).collect();
    right.push(tr.get("flows-gone"));
    let mut cells = [[0i64; 6]; 6];
    match (latest, previous) {
        (Some(_), Some(_)) => {
            for m in &last {
                let l = m.from.map_or(0, |r| r as usize + 1);
                let r = m.to.map_or(5, |r| r as usize);
                cells[l][r] += m.customers;
            }
        }
        (Some(to), None) => {
            for c in state.store.ladder_aggregate(scope, to).await.map_err(err)? {
                cells[0][c.rung as usize] += c.customers;
            }
        }
        _ => {}
    }
    let mut flows = Vec::new();
    for (l, row) in cells.iter().enumerate() {
        for (r, &n) in row.iter().enumerate() {
            if n > 0 {
                flows.push((
                    l,
                    r,
                    n as f64,
                    tr.with(
                        "flow-band",
                        &[
                            ("from", Arg::Text(left[l].clone())),
                            ("to", Arg::Text(right[r].clone())),
                            ("count", Arg::Text(tr.count("customers-count", n))),
                        ],
                    ),
                ));
            }
        }
    }
    let day_or_none =
        |d: Option<clientele_core::Day>| d.map_or_else(|| tr.get("none"), |d| tr.date(d));
    let chart = tr.chart(
        FlowChart {
            id: "flows-chart".into(),
            title: tr.get("flows-chart-title"),
            description: tr.with(
                "flows-chart-desc",
                &[
                    ("from", Arg::Text(day_or_none(previous))),
                    ("to", Arg::Text(day_or_none(latest))),
                ],
            ),
            left_label: tr.with(
                "flows-before",
                &[("date", Arg::Text(day_or_none(previous)))],
            ),
            right_label: tr.with("flows-after", &[("date", Arg::Text(day_or_none(latest)))]),
            left,
            right,
            flows,
        }
        .to_svg(),
    );
    let (movements, returners) = if previous.is_some() {
        let owned: Vec<MovementAggregate> = last.iter().map(|m| (*m).clone()).collect();
        let back: i64 = owned
            .iter()
            .filter(|m| m.movement == Movement::Back)
            .map(|m| m.customers)
            .sum();
        (
            movement_counts(&tr, &owned),
            Some(tr.with("flows-returners", &[("count", Arg::Text(tr.int(back)))])),
        )
    } else {
        (Vec::new(), None)
    };
    let mut periods: Vec<_> = history.iter().map(|m| m.as_of).collect();
    periods.dedup();
    let churn = Rung::ALL
        .into_iter()
        .map(|rung| {
            let (at_risk, churned) = history
                .iter()
                .filter(|m| m.from == Some(rung))
                .fold((0, 0), |(a, c), m| (a + m.at_risk, c + m.churned));
            ChurnRow {
                rung: rung.as_str(),
                name: tr.rung(rung),
                at_risk: tr.int(at_risk),
                churned: tr.int(churned),
                rate: if at_risk > 0 {
                    tr.percent(churned as f64 / at_risk as f64)
                } else {
                    tr.get("none")
                },
            }
        })
        .collect();
    let page = FlowsPage {
        layout: user.layout("flows", tr.get("page-flows"), &uri.to_string()),
        t: tr,
        as_of: latest.map(|d| tr.with("as-of", &[("date", Arg::Text(tr.date(d)))])),
        chart,
        movements,
        returners,
        churn,
        churn_note: tr.with(
            "flows-churn-note",
            &[("periods", Arg::Num(periods.len() as f64))],
        ),
    };
    Ok(render(StatusCode::OK, &page))
}

pub struct SegmentRow {
    pub segment: String,
    /// The RFM cell's named segment (`Champions`); empty for ABC classes.
    pub name: String,
    pub customers: String,
    pub customer_share: String,
    pub revenue: String,
    pub revenue_share: String,
}

#[derive(askama::Template)]
#[template(path = "value.html")]
struct ValuePage {
    layout: Layout,
    t: Tr,
    as_of: Option<String>,
    chart: Option<String>,
    headline: Option<String>,
    abc: Vec<SegmentRow>,
    /// The named RFM segments (issue 24, item 8), largest first.
    named: Vec<SegmentRow>,
    rfm: Vec<SegmentRow>,
    /// Image clients, referred buyers and referrers (issue 24, item 8); empty without buyers.
    relations: Vec<RelationRow>,
    /// Buyers by how regular their purchases are.
    regularity: Vec<RelationRow>,
    currency: String,
}

/// A group of buyers on the value page: who, how many, what share of buyers, what they brought.
pub struct RelationRow {
    pub id: &'static str,
    pub label: String,
    pub customers: String,
    pub share: String,
    pub revenue: String,
    pub profit: String,
}

/// The value page's rows of image clients, referred buyers and referrers, then the buyers by
/// regularity (their revenue and profit left empty); both empty when there are no buyers.
fn relation_rows(
    tr: &Tr,
    r: &clientele_store::SnapshotRelations,
) -> (Vec<RelationRow>, Vec<RelationRow>) {
    if r.buyers.customers == 0 {
        return (Vec::new(), Vec::new());
    }
    let share = |n: i64| tr.percent(n as f64 / r.buyers.customers as f64);
    let group = |id: &'static str, label: &str, g: clientele_store::BuyerGroup| RelationRow {
        id,
        label: tr.get(label),
        customers: tr.int(g.customers),
        share: share(g.customers),
        revenue: tr.money(g.revenue),
        profit: tr.money(g.profit),
    };
    let relations = vec![
        group("image-clients", "value-image-clients", r.image_clients),
        group("referred", "value-referred", r.referred),
        group("referrers", "value-referrers", r.referrers),
    ];
    let none = tr.get("none");
    let count = |id: &'static str, label: &str, n: i64| RelationRow {
        id,
        label: tr.get(label),
        customers: tr.int(n),
        share: share(n),
        revenue: none.clone(),
        profit: none.clone(),
    };
    let regularity = vec![
        count("steady", "value-steady", r.steady),
        count("uneven", "value-uneven", r.uneven),
        count("erratic", "value-erratic", r.erratic),
        count("no-rhythm", "value-no-rhythm", r.no_rhythm),
    ];
    (relations, regularity)
}

pub async fn value(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let err = |e| WebError::store(e, tr);
    let scope = user.scope();
    let latest = state.store.latest_snapshot_day().await.map_err(err)?;
    let (points, segments, relations) = match latest {
        Some(d) => (
            state.store.pareto_points(scope, d).await.map_err(err)?,
            state.store.segment_counts(scope, d).await.map_err(err)?,
            state
                .store
                .snapshot_relations(scope, d)
                .await
                .map_err(err)?,
        ),
        None => (Vec::new(), Vec::new(), Default::default()),
    };
    let (relations, regularity) = relation_rows(&tr, &relations);
    // Drawn also without data (the equal-shares line alone), so the page keeps its chart.
    let chart = Some({
        let mut curve = vec![(0.0, 0.0)];
        curve.extend(points.iter().map(|p| {
            let share = if p.total.units() > 0 {
                p.cumulative.to_f64() / p.total.to_f64()
            } else {
                0.0
            };
            (p.rank as f64 / p.customers as f64 * 100.0, share * 100.0)
        }));
        let svg = LineChart {
            title: tr.get("value-pareto-title"),
            description: tr.get("value-pareto-desc"),
            x_label: tr.get("value-x"),
            y_label: tr.get("value-y"),
            series: vec![
                Series {
                    name: tr.get("value-curve"),
                    values: curve,
                },
                Series {
                    name: tr.get("value-equal"),
                    values: vec![(0.0, 0.0), (100.0, 100.0)],
                },
            ],
            marker: None,
        }
        .to_svg();
        tr.chart(identified(&svg, "pareto-chart").unwrap_or(svg))
    });
    let rows = |rfm: bool| -> Vec<SegmentRow> {
        let of_kind: Vec<_> = segments
            .iter()
            .filter(|s| matches!(s.segment, Segment::Rfm(_)) == rfm)
            .collect();
        let customers: i64 = of_kind.iter().map(|s| s.customers).sum();
        let revenue: i64 = of_kind.iter().map(|s| s.revenue.units()).sum();
        let mut rows: Vec<_> = of_kind
            .iter()
            .map(|s| {
                (
                    s.customers,
                    SegmentRow {
                        segment: s.segment.code(),
                        name: match s.segment {
                            Segment::Rfm(r) => {
                                super::card_sections::rfm_segment_name(&tr, r.segment())
                            }
                            Segment::Abc(_) => String::new(),
                        },
                        customers: tr.int(s.customers),
                        customer_share: tr.percent(s.customers as f64 / customers.max(1) as f64),
                        revenue: tr.money(s.revenue),
                        revenue_share: if revenue > 0 {
                            tr.percent(s.revenue.units() as f64 / revenue as f64)
                        } else {
                            tr.get("none")
                        },
                    },
                )
            })
            .collect();
        if rfm {
            rows.sort_by_key(|(n, r)| (std::cmp::Reverse(*n), r.segment.clone()));
            rows.truncate(25);
        }
        rows.into_iter().map(|(_, r)| r).collect()
    };
    let named = named_segments(&tr, &segments);
    let page = ValuePage {
        relations,
        regularity,
        named,
        layout: user.layout("value", tr.get("page-value"), &uri.to_string()),
        t: tr,
        as_of: latest.map(|d| tr.with("as-of", &[("date", Arg::Text(tr.date(d)))])),
        chart,
        headline: pareto_headline(&tr, &points),
        abc: rows(false),
        rfm: rows(true),
        currency: super::currency::sentence(&tr, &state.currency.get(&state.store).await),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The RFM cells summed into their named segments (every cell belongs to exactly one), largest
/// first; the shares are of all buyers with an RFM cell.
fn named_segments(tr: &Tr, segments: &[clientele_store::SegmentCount]) -> Vec<SegmentRow> {
    use clientele_core::RfmSegment;
    let mut sums: Vec<(RfmSegment, i64, i64)> =
        RfmSegment::ALL.iter().map(|&s| (s, 0, 0)).collect();
    for s in segments {
        if let Segment::Rfm(r) = s.segment {
            let at = RfmSegment::ALL
                .iter()
                .position(|&x| x == r.segment())
                .unwrap_or(0);
            sums[at].1 += s.customers;
            sums[at].2 += s.revenue.units();
        }
    }
    let customers: i64 = sums.iter().map(|s| s.1).sum();
    let revenue: i64 = sums.iter().map(|s| s.2).sum();
    sums.retain(|s| s.1 > 0);
    sums.sort_by_key(|s| (std::cmp::Reverse(s.1), s.0));
    sums.into_iter()
        .map(|(segment, n, units)| SegmentRow {
            segment: clientele_core::winback::segment_code(segment).to_string(),
            name: super::card_sections::rfm_segment_name(tr, segment),
            customers: tr.int(n),
            customer_share: tr.percent(n as f64 / customers.max(1) as f64),
            revenue: tr.money(clientele_core::Money::from_units(units)),
            revenue_share: if revenue > 0 {
                tr.percent(units as f64 / revenue as f64)
            } else {
                tr.get("none")
            },
        })
        .collect()
}
