//! The product portfolio: life-cycle stages, tags, bundles and cross-category suggestions.
//!
//! What to call (all inputs are plain numbers the store or an import aggregates; products are
//! dense indices [`ProductId`] into the caller's product table, categories [`crate::CategoryId`]):
//! - [`portfolio`] with per-product monthly sales ([`MonthSales`]: product, month index from
//!   [`crate::Day::month_index`], net revenue and margin as [`crate::Money`], customers) and
//!   per-product [`ProductFacts`] (category, launch month, distinct customers and advocates) →
//!   [`Portfolio`]: per product its [`Stage`] (introduction, growth, maturity, decline) with the
//!   [`StageEvidence`] the rule used (smoothed monthly revenue now and 6 months ago, the peak,
//!   the change; currency units per month), revenue and margin (all time and last 12 months),
//!   margin rate, customers, advocates' share, and [`Tags`] (bestseller, longseller,
//!   blockbuster, line cut, product of the month). [`last_complete_month`] turns `--as-of`
//!   into the last month analysed.
//! - [`bundles_from_lines`] with `(basket key, product)` lines sorted by basket (or
//!   [`ItemPass`] / [`PairPass`] when the baskets come from elsewhere) → [`BundleReport`]:
//!   pairs with support (0..1), confidence, lift, in bounded memory.
//! - [`CrossSell::new`] with every customer's rung and bought categories, then
//!   [`CrossSell::suggest`] per customer → up to 3 [`Suggestion`]s with their evidence.
//! - [`rung_buys`] with the same input → per rung its customers and the categories they bought
//!   ([`RungBuys`]: buyers and share of the rung).

mod bundles;
mod cross_sell;
mod lifecycle;
mod products;
mod rungs;

pub use bundles::{
    Bundle, BundleError, BundleOptions, BundleReport, ItemPass, PairPass, bundles_from_lines,
};
pub use cross_sell::{CrossSell, CrossSellOptions, Suggestion};
pub use lifecycle::{LifecycleRules, Stage, StageEvidence, StageRule, classify, smooth};
pub use products::{
    MonthSales, Portfolio, PortfolioOptions, ProductFacts, ProductId, ProductReport, Tag, Tags,
    last_complete_month, portfolio,
};
pub use rungs::{RungBuys, RungCategory, rung_buys};

#[cfg(test)]
mod tests;
