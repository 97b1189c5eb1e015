//! Arguments of `clientele portfolio`, and their conversion into the use case's settings.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use clientele_app::portfolio::{CrossSellSettings, PortfolioSettings};

use super::common::{DbArgs, parse_user_date};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum PortfolioFormat {
    #[default]
    Text,
    Json,
    Csv,
}

#[derive(Debug, Args)]
pub struct PortfolioArgs {
    /// Order exports with product and category columns (CSV, TSV, xlsx...). Without files, the
    /// order lines in the store are analysed (advocates from the latest scored snapshot).
    #[arg(value_name = "ORDERS")]
    pub orders: Vec<PathBuf>,
    /// Products file: product (as the orders name it), and optionally name, category, launch
    /// date, unit cost, partner. With ORDERS it is used for this run; without, it is imported
    /// into the store first (a file with any bad row stores nothing).
    #[arg(long, value_name = "FILE")]
    pub products: Option<PathBuf>,
    /// Report date (YYYY-MM-DD or DD.MM.YYYY): the last complete month on it is the last
    /// analysed. Default: the last order day.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Bundles: minimum support, a share of baskets (0..1).
    #[arg(long, default_value_t = 0.001, value_name = "SHARE")]
    pub min_support: f64,
    /// Bundles: at least this many baskets.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub min_baskets: u64,
    /// Bundles listed at most, best lift first.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub max_bundles: usize,
    /// Instead of the portfolio: which rungs buy what — per rung of the latest scored snapshot,
    /// the share of its customers who bought each category (from the store).
    #[arg(long, conflicts_with_all = ["orders", "products", "suggest"])]
    pub by_rung: bool,
    /// Instead of the portfolio: cross-category suggestions for this customer (their external
    /// id): categories customers of their rung who buy what they buy also buy (from the store).
    #[arg(long, value_name = "CUSTOMER", conflicts_with_all = ["orders", "products"])]
    pub suggest: Option<String>,
    /// Suggestions: a category is a basis when at least this many customers of the rung bought it.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub min_peers: u32,
    /// Suggestions: at least this many of them bought the suggested category.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub min_together: u32,
    /// text for people; json (products and bundles) or csv (products) for scripts.
    #[arg(long, value_enum, default_value_t)]
    pub format: PortfolioFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl PortfolioArgs {
    pub fn settings(&self) -> Result<PortfolioSettings> {
        Ok(PortfolioSettings {
            as_of: self.as_of.as_deref().map(parse_user_date).transpose()?,
            min_support: self.min_support,
            min_baskets: self.min_baskets,
            max_bundles: self.max_bundles,
        })
    }
}

impl PortfolioArgs {
    pub fn cross_sell_settings(&self) -> Result<CrossSellSettings> {
        Ok(CrossSellSettings {
            as_of: self.as_of.as_deref().map(parse_user_date).transpose()?,
            min_peers: self.min_peers,
            min_together: self.min_together,
        })
    }
}
