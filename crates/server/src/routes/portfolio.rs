//! The product portfolio over the API: each product's life-cycle stage with its reason,
//! revenue, margin, buyers, advocates' share and tags, and bundles from co-purchase — the same
//! shape as `clientele portfolio --format json`. Company-wide figures: admins and analysts.
//! Which rungs buy what (admins and analysts) and one customer's cross-category suggestions
//! (any role; a manager only for their own customers) come from the latest snapshot.

use axum::extract::State;
use clientele_app::clock::today;
use clientele_app::portfolio::{
    BundleLine, CrossSellSettings, CustomerSuggestions, PortfolioAnswer, PortfolioSettings,
    ProductLine, RungAnswer, portfolio_from_store, rungs_and_model, suggestions_for_customer,
};
use clientele_store::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::app_error;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CustomerId, Json, Query};
use crate::routes::parse_day;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(portfolio))
        .routes(routes!(rungs))
        .routes(routes!(suggestions))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PortfolioQuery {
    /// Report date (YYYY-MM-DD): its last complete month is the last analysed. Default: the
    /// last order day.
    pub as_of: Option<String>,
    /// Bundles: minimum support, a share of baskets 0..1 (default 0.001).
    pub min_support: Option<f64>,
    /// Bundles: at least this many baskets (default 5).
    pub min_baskets: Option<u64>,
    /// Bundles listed at most, 1 to 10,000 (default 100).
    pub max_bundles: Option<usize>,
}

/// One product. Money in the store's currency units.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductBody {
    pub product: String,
    pub name: Option<String>,
    pub category: Option<String>,
    pub partner: Option<String>,
    /// introduction, growth, maturity or decline.
    pub stage: String,
    /// The rule's clause and the numbers it read.
    pub stage_reason: String,
    /// too_young, no_sales, below_peak_and_falling, rising or steady.
    pub stage_rule: String,
    pub revenue: f64,
    pub revenue_12m: f64,
    /// Revenue − cost; null unless every line's cost is known.
    pub margin: Option<f64>,
    pub margin_rate: Option<f64>,
    pub customers: Option<u32>,
    /// Share of its buyers who are advocates now, 0..1.
    pub advocates_share: Option<f64>,
    /// Among bestseller, longseller, blockbuster, line_cut, product_of_month.
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BundleBody {
    pub a: String,
    pub b: String,
    pub baskets: u64,
    /// Share of all baskets holding both, 0..1.
    pub support: f64,
    /// Share of baskets with `a` that hold `b`.
    pub confidence: f64,
    pub lift: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortfolioBody {
    pub as_of: String,
    /// YYYY-MM: the last complete month analysed.
    pub last_month: String,
    pub first_month: Option<String>,
    /// Whether a scored snapshot gave the advocates (without it nothing is a line cut).
    pub advocates_known: bool,
    pub baskets: u64,
    pub bundle_min_baskets: u64,
    pub bundles_complete_from_baskets: u64,
    pub products_without_sales: Vec<String>,
    pub products: Vec<ProductBody>,
    pub bundles: Vec<BundleBody>,
}

/// The stage's reason in one sentence of numbers (as the CLI writes it).
pub fn stage_reason(p: &ProductLine) -> String {
    let e = &p.report.evidence;
    let pct =
        |x: Option<f64>| x.map_or_else(|| "n/a".to_string(), |v| format!("{:+.0}%", v * 100.0));
    format!(
        "{}: {} month(s) old; smoothed monthly revenue {:.2} now, {:.2} six months before ({}); peak {:.2} {} month(s) ago",
        e.rule.as_str(),
        e.age_months,
        e.smoothed_last,
        e.smoothed_before,
        pct(e.change),
        e.peak,
        e.months_since_peak
    )
}

impl From<&ProductLine> for ProductBody {
    fn from(p: &ProductLine) -> ProductBody {
        let r = &p.report;
        ProductBody {
            product: p.product.clone(),
            name: p.name.clone(),
            category: p.category.clone(),
            partner: p.partner.clone(),
            stage: r.stage.as_str().into(),
            stage_reason: stage_reason(p),
            stage_rule: r.evidence.rule.as_str().into(),
            revenue: r.revenue.to_f64(),
            revenue_12m: r.revenue_12m.to_f64(),
            margin: r.margin.map(|m| m.to_f64()),
            margin_rate: r.margin_rate,
            customers: r.customers,
            advocates_share: r.advocates_share,
            tags: r.tags.iter().map(|t| t.as_str().to_string()).collect(),
        }
    }
}

impl From<&BundleLine> for BundleBody {
    fn from(b: &BundleLine) -> BundleBody {
        BundleBody {
            a: b.a.clone(),
            b: b.b.clone(),
            baskets: b.bundle.baskets,
            support: b.bundle.support,
            confidence: b.bundle.confidence,
            lift: b.bundle.lift,
        }
    }
}

impl From<&PortfolioAnswer> for PortfolioBody {
    fn from(a: &PortfolioAnswer) -> PortfolioBody {
        PortfolioBody {
            as_of: a.as_of.to_string(),
            last_month: PortfolioAnswer::month_label(a.last_month),
            first_month: a.first_month.map(PortfolioAnswer::month_label),
            advocates_known: a.advocates_known,
            baskets: a.baskets,
            bundle_min_baskets: a.bundle_min_baskets,
            bundles_complete_from_baskets: a.bundle_complete_from,
            products_without_sales: a.without_sales.clone(),
            products: a.products.iter().map(ProductBody::from).collect(),
            bundles: a.bundles.iter().map(BundleBody::from).collect(),
        }
    }
}

/// The settings a query asks for, refused by field.
pub fn settings(q: &PortfolioQuery) -> Result<PortfolioSettings, ApiError> {
    let defaults = PortfolioSettings::default();
    let s = PortfolioSettings {
        as_of: q
            .as_of
            .as_deref()
            .map(|t| parse_day("as_of", t))
            .transpose()?,
        min_support: q.min_support.unwrap_or(defaults.min_support),
        min_baskets: q.min_baskets.unwrap_or(defaults.min_baskets),
        max_bundles: q.max_bundles.unwrap_or(defaults.max_bundles),
    };
    s.check()
        .map_err(|e| ApiError::invalid(e.field, e.message))?;
    Ok(s)
}

/// The product portfolio of the stored order lines: stages with their reasons, tags and
/// bundles. Admins and analysts.
#[utoipa::path(get, path = "/api/v1/portfolio", tag = "portfolio", params(PortfolioQuery),
    responses(
        (status = 200, description = "The portfolio", body = PortfolioBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers see no company-wide figures", body = ErrorBody),
        (status = 422, description = "A parameter is refused (the field says which)", body = ErrorBody)))]
async fn portfolio(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<PortfolioQuery>,
) -> Result<Json<PortfolioBody>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "the product portfolio")?;
    let settings = settings(&q)?;
    let answer = portfolio_from_store(&state.store, &settings, today())
        .await
        .map_err(app_error)?;
    Ok(Json(PortfolioBody::from(&answer)))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct RungsQuery {
    /// Report date (YYYY-MM-DD): the latest snapshot on or before it gives the rungs,
    /// purchases up to it. Default: the last order day.
    pub as_of: Option<String>,
    /// Suggestions: a category is a basis when at least this many customers of the rung bought
    /// it (1 to 1,000,000,000; default 20).
    pub min_peers: Option<u32>,
    /// Suggestions: at least this many of them bought the suggested category (default 5).
    pub min_together: Option<u32>,
}

/// The suggestions' settings a query asks for, refused by field.
pub fn rung_settings(q: &RungsQuery) -> Result<CrossSellSettings, ApiError> {
    let defaults = CrossSellSettings::default();
    let s = CrossSellSettings {
        as_of: q
            .as_of
            .as_deref()
            .map(|t| parse_day("as_of", t))
            .transpose()?,
        min_peers: q.min_peers.unwrap_or(defaults.min_peers),
        min_together: q.min_together.unwrap_or(defaults.min_together),
    };
    s.check()
        .map_err(|e| ApiError::invalid(e.field, e.message))?;
    Ok(s)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RungCategoryBody {
    pub category: String,
    /// Customers of the rung who bought it.
    pub buyers: u32,
    /// Of the rung's customers, 0..1.
    pub share: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RungBody {
    /// prospect, visitor, newcomer, regular or advocate.
    pub rung: String,
    pub customers: u32,
    /// Most-bought first.
    pub categories: Vec<RungCategoryBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RungsBody {
    pub as_of: String,
    /// The snapshot the rungs come from; null when nothing is scored yet.
    pub snapshot: Option<String>,
    pub rungs: Vec<RungBody>,
}

impl From<&RungAnswer> for RungsBody {
    fn from(a: &RungAnswer) -> RungsBody {
        RungsBody {
            as_of: a.as_of.to_string(),
            snapshot: a.snapshot.map(|d| d.to_string()),
            rungs: a
                .rungs
                .iter()
                .map(|r| RungBody {
                    rung: r.rung.as_str().into(),
                    customers: r.customers,
                    categories: r
                        .categories
                        .iter()
                        .map(|c| RungCategoryBody {
                            category: c.category.clone(),
                            buyers: c.buyers,
                            share: c.share,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionBody {
    /// The category to offer.
    pub category: String,
    /// The customer's category whose buyers in the rung led to it.
    pub because_of: String,
    /// Share of the rung's buyers of `because_of` who also bought `category`, 0..1.
    pub share_of_peers: f64,
    /// The rung's buyers of `because_of`.
    pub peers: u32,
    /// `share_of_peers` over the share of the rung's customers who bought `category`.
    pub lift: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionsBody {
    pub customer_id: i64,
    /// The customer's rung in the snapshot; null when not scored (then no suggestions).
    pub rung: Option<String>,
    /// The categories the customer bought.
    pub bought: Vec<String>,
    /// Best first, at most 3.
    pub suggestions: Vec<SuggestionBody>,
}

impl From<&CustomerSuggestions> for SuggestionsBody {
    fn from(c: &CustomerSuggestions) -> SuggestionsBody {
        SuggestionsBody {
            customer_id: c.customer,
            rung: c.rung.map(|r| r.as_str().to_string()),
            bought: c.bought.clone(),
            suggestions: c
                .suggestions
                .iter()
                .map(|s| SuggestionBody {
                    category: s.category.clone(),
                    because_of: s.because_of.clone(),
                    share_of_peers: s.share_of_peers,
                    peers: s.peers,
                    lift: s.lift,
                })
                .collect(),
        }
    }
}

/// Which rungs buy what: per rung of the latest snapshot, its customers and the share of them
/// who bought each category. Admins and analysts.
#[utoipa::path(get, path = "/api/v1/portfolio/rungs", tag = "portfolio", params(RungsQuery),
    responses(
        (status = 200, description = "Categories bought per rung", body = RungsBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers see no company-wide figures", body = ErrorBody),
        (status = 422, description = "A parameter is refused (the field says which)", body = ErrorBody)))]
async fn rungs(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<RungsQuery>,
) -> Result<Json<RungsBody>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "which rungs buy what")?;
    let settings = rung_settings(&q)?;
    let (answer, _) = rungs_and_model(&state.store, &settings, today())
        .await
        .map_err(app_error)?;
    Ok(Json(RungsBody::from(&answer)))
}

/// Cross-category suggestions for one customer: categories that customers of their rung who
/// buy what they buy also buy, and they have not — each with its evidence. Any role; a
/// manager only for their own customers (others: 404).
#[utoipa::path(get, path = "/api/v1/portfolio/suggestions/{id}", tag = "portfolio",
    params(("id" = i64, Path, description = "The customer's id"), RungsQuery),
    responses(
        (status = 200, description = "The customer's suggestions", body = SuggestionsBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody),
        (status = 422, description = "A parameter is refused (the field says which)", body = ErrorBody)))]
async fn suggestions(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
    Query(q): Query<RungsQuery>,
) -> Result<Json<SuggestionsBody>, ApiError> {
    let settings = rung_settings(&q)?;
    let answer = suggestions_for_customer(&state.store, &settings, auth.scope(), id, today())
        .await
        .map_err(app_error)?;
    Ok(Json(SuggestionsBody::from(&answer)))
}
