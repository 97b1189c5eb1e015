//! The portfolio page: the portfolio map (each life-cycle stage with its products and their
//! tags), the products with each stage's reason, page by page, and the bundles; the products
//! download as an Excel-friendly CSV, which rungs buy what (categories by rung of the latest
//! snapshot), and one customer's cross-category suggestions (`?customer=ID`). Company-wide
//! figures: admins and analysts.

use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use clientele_app::clock::today;
use clientele_app::portfolio::{
    CrossSellSettings, CustomerSuggestions, PortfolioAnswer, ProductLine, RungAnswer,
    portfolio_from_store, rungs_and_model,
};
use clientele_core::portfolio::Stage;
use clientele_store::{Role, Scope, StoreError};
use serde::Deserialize;

use super::i18n::{Arg, Lang, Tr};
use super::{Layout, WebError, WebUser, per_page, render};
use crate::AppState;
use crate::error::ApiError;
use crate::error::app_error;
use crate::routes::portfolio::{PortfolioQuery, settings};

/// Products shown per stage on the map (the table below lists them all, page by page).
const MAP_PRODUCTS: usize = 12;

/// Categories in the "which rungs buy what" table: the most bought over all rungs.
const RUNG_TABLE_CATEGORIES: usize = 15;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub as_of: Option<String>,
    pub page: Option<u32>,
    /// A customer id whose cross-category suggestions to show.
    pub customer: Option<String>,
}

/// A category's row in the "which rungs buy what" table: per rung the share of its customers
/// who bought it (and, as a title, how many).
pub struct RungRow {
    pub category: String,
    pub cells: Vec<(String, String)>,
}

/// The "which rungs buy what" section.
pub struct RungTable {
    pub note: String,
    /// Per rung: its name and customers.
    pub heads: Vec<(String, String)>,
    pub rows: Vec<RungRow>,
}

/// One customer's suggestions, worded.
pub struct SuggestionView {
    pub customer: String,
    pub summary: String,
    /// (category, why) of each.
    pub items: Vec<(String, String)>,
}

/// A product worded for the page.
pub struct ProductRow {
    pub product: String,
    pub name: String,
    pub category: String,
    pub stage_key: &'static str,
    pub stage: String,
    pub reason: String,
    pub revenue_12m: String,
    pub margin: String,
    pub margin_rate: String,
    pub customers: String,
    pub advocates: String,
    /// (key, label) of each tag.
    pub tags: Vec<(&'static str, String)>,
}

/// One column of the map.
pub struct StageColumn {
    pub key: &'static str,
    pub title: String,
    pub count: String,
    pub products: Vec<ProductRow>,
    pub more: String,
}

pub struct BundleRow {
    pub a: String,
    pub b: String,
    pub baskets: String,
    pub support: String,
    pub confidence: String,
    pub lift: String,
}

#[derive(askama::Template)]
#[template(path = "portfolio.html")]
struct PortfolioPage {
    layout: Layout,
    t: Tr,
    as_of: String,
    empty: bool,
    headline: String,
    notes: Vec<String>,
    map: Vec<StageColumn>,
    rows: Vec<ProductRow>,
    prev: Option<String>,
    next: Option<String>,
    bundles: Vec<BundleRow>,
    bundles_note: String,
    csv_link: String,
    rung_table: Option<RungTable>,
    customer: String,
    suggestion: Option<SuggestionView>,
    suggestion_error: String,
}

fn decimal(tr: Tr, v: f64, digits: usize) -> String {
    let text = format!("{v:.digits$}");
    match tr.lang {
        Lang::En => text,
        Lang::Ru => text.replace('.', ","),
    }
}

/// The stage's reason in the reader's language: the rule's clause and its numbers.
pub fn reason(tr: Tr, p: &ProductLine) -> String {
    let e = &p.report.evidence;
    let money = |x: f64| decimal(tr, x, 2);
    tr.with(
        &format!("portfolio-rule-{}", e.rule.as_str().replace('_', "-")),
        &[
            ("age", Arg::Num(f64::from(e.age_months))),
            ("now", Arg::Text(money(e.smoothed_last))),
            ("before", Arg::Text(money(e.smoothed_before))),
            (
                "change",
                Arg::Text(e.change.map_or_else(|| tr.get("none"), |c| tr.percent(c))),
            ),
            ("peak", Arg::Text(money(e.peak))),
            (
                "share",
                Arg::Text(
                    e.share_of_peak
                        .map_or_else(|| tr.get("none"), |s| tr.percent(s)),
                ),
            ),
        ],
    )
}

fn stage_key(s: Stage) -> &'static str {
    s.as_str()
}

fn row(tr: Tr, p: &ProductLine) -> ProductRow {
    let r = &p.report;
    ProductRow {
        product: p.product.clone(),
        name: p.name.clone().unwrap_or_default(),
        category: p.category.clone().unwrap_or_else(|| tr.get("none")),
        stage_key: stage_key(r.stage),
        stage: tr.get(&format!("portfolio-stage-{}", r.stage.as_str())),
        reason: reason(tr, p),
        revenue_12m: tr.money(r.revenue_12m),
        margin: tr.money_opt(&r.margin),
        margin_rate: r
            .margin_rate
            .map_or_else(|| tr.get("none"), |m| tr.percent(m)),
        customers: r
            .customers
            .map_or_else(|| tr.get("none"), |c| tr.int(i64::from(c))),
        advocates: r
            .advocates_share
            .map_or_else(|| tr.get("none"), |s| tr.percent(s)),
        tags: r
            .tags
            .iter()
            .map(|t| {
                let key = t.as_str();
                (
                    key,
                    tr.get(&format!("portfolio-tag-{}", key.replace('_', "-"))),
                )
            })
            .collect(),
    }
}

fn web_error(tr: Tr, e: ApiError) -> WebError {
    match e {
        ApiError::Invalid { field, reason } => WebError::invalid(tr, &field, reason),
        other => {
            tracing::error!("portfolio page: {other}");
            WebError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                message: tr.get("error-internal"),
                tr,
            }
        }
    }
}

async fn load(
    state: &AppState,
    user: &WebUser,
    as_of: &Option<String>,
) -> Result<PortfolioAnswer, WebError> {
    let tr = user.tr;
    if user.user.role == Role::Manager {
        return Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: tr.get("portfolio-managers"),
            tr,
        });
    }
    let q = PortfolioQuery {
        as_of: as_of.clone().filter(|s| !s.trim().is_empty()),
        ..PortfolioQuery::default()
    };
    let s = settings(&q).map_err(|e| web_error(tr, e))?;
    portfolio_from_store(&state.store, &s, today())
        .await
        .map_err(|e| web_error(tr, app_error(e)))
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let a = load(&state, &user, &q.as_of).await?;
    let empty = a.products.is_empty();
    let headline = tr.with(
        "portfolio-headline",
        &[
            ("n", Arg::Num(a.products.len() as f64)),
            ("count", Arg::Text(tr.int(a.products.len() as i64))),
            (
                "month",
                Arg::Text(PortfolioAnswer::month_label(a.last_month)),
            ),
            ("date", Arg::Text(tr.date(a.as_of))),
        ],
    );
    let mut notes = vec![tr.get("portfolio-rule-note")];
    if !a.advocates_known {
        notes.push(tr.get("portfolio-no-advocates"));
    }
    if !a.without_sales.is_empty() {
        notes.push(
            tr.with(
                "portfolio-without-sales",
                &[
                    ("n", Arg::Num(a.without_sales.len() as f64)),
                    (
                        "list",
                        Arg::Text(
                            a.without_sales
                                .iter()
                                .take(20)
                                .cloned()
                                .collect::<Vec<_>>()
                                .join(", "),
                        ),
                    ),
                ],
            ),
        );
    }
    let map = [
        Stage::Introduction,
        Stage::Growth,
        Stage::Maturity,
        Stage::Decline,
    ]
    .into_iter()
    .map(|stage| {
        let of_stage: Vec<&ProductLine> = a
            .products
            .iter()
            .filter(|p| p.report.stage == stage)
            .collect();
        let hidden = of_stage.len().saturating_sub(MAP_PRODUCTS);
        StageColumn {
            key: stage.as_str(),
            title: tr.get(&format!("portfolio-stage-{}", stage.as_str())),
            count: tr.int(of_stage.len() as i64),
            products: of_stage
                .iter()
                .take(MAP_PRODUCTS)
                .map(|p| row(tr, p))
                .collect(),
            more: if hidden > 0 {
                tr.with(
                    "portfolio-map-more",
                    &[
                        ("n", Arg::Num(hidden as f64)),
                        ("count", Arg::Text(tr.int(hidden as i64))),
                    ],
                )
            } else {
                String::new()
            },
        }
    })
    .collect();
    let per = per_page(&state) as usize;
    let page = q.page.unwrap_or(1).max(1) as usize;
    let from = (page - 1).saturating_mul(per);
    let rows = a
        .products
        .iter()
        .skip(from)
        .take(per)
        .map(|p| row(tr, p))
        .collect();
    let as_of_param = q
        .as_of
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            format!(
                "as_of={}&",
                form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
            )
        })
        .unwrap_or_default();
    let link = |p: usize| format!("/portfolio?{as_of_param}page={p}#portfolio-products");
    let prev = (page > 1).then(|| link(page - 1));
    let next = (from + per < a.products.len()).then(|| link(page + 1));
    let bundles = a
        .bundles
        .iter()
        .map(|b| BundleRow {
            a: b.a.clone(),
            b: b.b.clone(),
            baskets: tr.int(b.bundle.baskets as i64),
            support: tr.percent(b.bundle.support),
            confidence: tr.percent(b.bundle.confidence),
            lift: decimal(tr, b.bundle.lift, 2),
        })
        .collect();
    let bundles_note = tr.with(
        "portfolio-bundles-note",
        &[
            ("n", Arg::Num(a.baskets as f64)),
            ("baskets", Arg::Text(tr.int(a.baskets as i64))),
            ("min", Arg::Text(tr.int(a.bundle_min_baskets as i64))),
        ],
    );
    let (rung_table, suggestion, suggestion_error) = rungs_section(&state, tr, &q).await?;
    let page = PortfolioPage {
        layout: user.layout("portfolio", tr.get("page-portfolio"), &uri.to_string()),
        t: tr,
        as_of: q.as_of.clone().unwrap_or_default(),
        empty,
        headline,
        notes,
        map,
        rows,
        prev,
        next,
        bundles,
        bundles_note,
        csv_link: format!("/portfolio.csv?{}", as_of_param.trim_end_matches('&')),
        rung_table,
        customer: q.customer.clone().unwrap_or_default(),
        suggestion,
        suggestion_error,
    };
    Ok(render(StatusCode::OK, &page))
}

/// Which rungs buy what, and the suggestions for the customer asked (or why there are none).
async fn rungs_section(
    state: &AppState,
    tr: Tr,
    q: &PageQuery,
) -> Result<(Option<RungTable>, Option<SuggestionView>, String), WebError> {
    let settings = CrossSellSettings {
        as_of: match q.as_of.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(t) => Some(crate::routes::parse_day("as_of", t).map_err(|e| web_error(tr, e))?),
            None => None,
        },
        ..CrossSellSettings::default()
    };
    let (answer, model) = rungs_and_model(&state.store, &settings, today())
        .await
        .map_err(|e| web_error(tr, app_error(e)))?;
    let table = rung_table(tr, &answer);
    let Some(raw) = q
        .customer
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    else {
        return Ok((table, None, String::new()));
    };
    let Some(id) = raw.parse::<i64>().ok().filter(|&id| id > 0) else {
        let message = tr.with("portfolio-suggest-bad-id", &[("id", Arg::Text(raw.into()))]);
        return Ok((table, None, message));
    };
    match model.for_customer(&state.store, Scope::All, id).await {
        Ok(s) => Ok((table, Some(suggestion_view(tr, &s)), String::new())),
        Err(e) => match e.downcast_ref::<StoreError>() {
            Some(StoreError::NotFound { .. }) => {
                let message = tr.with(
                    "portfolio-suggest-not-found",
                    &[("id", Arg::Text(raw.into()))],
                );
                Ok((table, None, message))
            }
            _ => Err(web_error(tr, app_error(e))),
        },
    }
}

fn rung_label(tr: Tr, rung: clientele_core::Rung) -> String {
    tr.get(&format!("rung-{}", rung.as_str()))
}

fn rung_table(tr: Tr, a: &RungAnswer) -> Option<RungTable> {
    let snapshot = a.snapshot?;
    let mut totals: std::collections::BTreeMap<&str, u32> = std::collections::BTreeMap::new();
    for r in &a.rungs {
        for c in &r.categories {
            *totals.entry(c.category.as_str()).or_default() += c.buyers;
        }
    }
    let mut top: Vec<(&str, u32)> = totals.into_iter().collect();
    top.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    top.truncate(RUNG_TABLE_CATEGORIES);
    let rows = top
        .iter()
        .map(|&(category, _)| RungRow {
            category: category.to_string(),
            cells: a
                .rungs
                .iter()
                .map(|r| {
                    let found = r.categories.iter().find(|c| c.category == category);
                    let buyers = found.map_or(0, |c| c.buyers);
                    let share = match found {
                        Some(c) => tr.percent(c.share),
                        None if r.customers > 0 => tr.percent(0.0),
                        None => tr.get("none"),
                    };
                    let title = tr.with(
                        "portfolio-rungs-cell",
                        &[
                            ("n", Arg::Num(f64::from(buyers))),
                            ("buyers", Arg::Text(tr.int(i64::from(buyers)))),
                            ("customers", Arg::Text(tr.int(i64::from(r.customers)))),
                        ],
                    );
                    (share, title)
                })
                .collect(),
        })
        .collect();
    Some(RungTable {
        note: tr.with(
            "portfolio-rungs-note",
            &[("date", Arg::Text(tr.date(snapshot)))],
        ),
        heads: a
            .rungs
            .iter()
            .map(|r| (rung_label(tr, r.rung), tr.int(i64::from(r.customers))))
            .collect(),
        rows,
    })
}

fn suggestion_view(tr: Tr, s: &CustomerSuggestions) -> SuggestionView {
    let customer = s.customer.to_string();
    let summary = match s.rung {
        None => tr.with(
            "portfolio-suggest-unscored",
            &[("id", Arg::Text(customer.clone()))],
        ),
        Some(rung) if s.suggestions.is_empty() => tr.with(
            "portfolio-suggest-none",
            &[
                ("id", Arg::Text(customer.clone())),
                ("rung", Arg::Text(rung_label(tr, rung))),
            ],
        ),
        Some(rung) => tr.with(
            "portfolio-suggest-summary",
            &[
                ("id", Arg::Text(customer.clone())),
                ("rung", Arg::Text(rung_label(tr, rung))),
                ("bought", Arg::Text(s.bought.join(", "))),
            ],
        ),
    };
    let items = s
        .suggestions
        .iter()
        .map(|x| {
            let why = tr.with(
                "portfolio-suggest-why",
                &[
                    ("share", Arg::Text(tr.percent(x.share_of_peers))),
                    ("n", Arg::Num(f64::from(x.peers))),
                    ("peers", Arg::Text(tr.int(i64::from(x.peers)))),
                    ("basis", Arg::Text(x.because_of.clone())),
                    ("lift", Arg::Text(decimal(tr, x.lift, 2))),
                ],
            );
            (x.category.clone(), why)
        })
        .collect();
    SuggestionView {
        customer,
        summary,
        items,
    }
}

/// The products as an Excel-friendly CSV: BOM, `;` and decimal commas in Russian.
pub async fn csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(q): Query<PageQuery>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let a = load(&state, &user, &q.as_of).await?;
    let sep = match tr.lang {
        Lang::En => b',',
        Lang::Ru => b';',
    };
    let num =
        |v: Option<f64>, digits: usize| v.map_or_else(String::new, |v| decimal(tr, v, digits));
    let mut w = csv::WriterBuilder::new()
        .delimiter(sep)
        .from_writer(Vec::new());
    let header: Vec<String> = [
        "portfolio-col-product",
        "portfolio-col-name",
        "portfolio-col-category",
        "portfolio-col-stage",
        "portfolio-col-reason",
        "portfolio-col-revenue",
        "portfolio-col-revenue-12m",
        "portfolio-col-margin",
        "portfolio-col-margin-rate",
        "portfolio-col-customers",
        "portfolio-col-advocates",
        "portfolio-col-tags",
    ]
    .iter()
    .map(|k| tr.get(k))
    .collect();
    let fail = |e: csv::Error| {
        tracing::error!("portfolio csv: {e}");
        WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: tr.get("error-internal"),
            tr,
        }
    };
    w.write_record(&header).map_err(fail)?;
    for p in &a.products {
        let r = &p.report;
        let shown = row(tr, p);
        w.write_record([
            p.product.clone(),
            p.name.clone().unwrap_or_default(),
            p.category.clone().unwrap_or_default(),
            shown.stage,
            shown.reason,
            num(Some(r.revenue.to_f64()), 2),
            num(Some(r.revenue_12m.to_f64()), 2),
            num(r.margin.map(|m| m.to_f64()), 2),
            num(r.margin_rate, 4),
            r.customers.map(|c| c.to_string()).unwrap_or_default(),
            num(r.advocates_share, 4),
            shown
                .tags
                .iter()
                .map(|t| t.1.clone())
                .collect::<Vec<_>>()
                .join(", "),
        ])
        .map_err(fail)?;
    }
    let mut body = vec![0xEF, 0xBB, 0xBF];
    body.extend(w.into_inner().map_err(|e| fail(e.into_error().into()))?);
    Ok((
        [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"portfolio.csv\""),
            ),
        ],
        body,
    )
        .into_response())
}
