//! The product portfolio (issue 28 item 5): each product's life-cycle stage with its evidence,
//! revenue, margin, buyers and advocates, the tags (bestseller, longseller, blockbuster, line
//! cut, product of the month) and bundles from co-purchase — from the store (`store.rs`:
//! aggregated by the database, baskets streamed in bounded memory, advocates from the latest
//! snapshot) or from order files (`files.rs`: no ladder there, so no advocates). The rules are
//! the core's (`clientele_core::portfolio`); this module gathers their inputs and names the
//! products.

mod files;
mod products_file;
mod rungs;
mod store;

use std::collections::HashMap;

use clientele_core::portfolio::{
    Bundle, BundleOptions, BundleReport, MonthSales, Portfolio, PortfolioOptions, ProductFacts,
    ProductId, ProductReport, last_complete_month, portfolio,
};
use clientele_core::{CategoryId, Day, Money};

use crate::InvalidSetting;

pub use files::{FilesOutcome, portfolio_from_files};
pub use products_file::{ProductsImport, import_products, read_products_file};
pub use rungs::{
    CrossSellModel, CrossSellSettings, CustomerSuggestions, NamedSuggestion, RungAnswer,
    RungCategoryLine, RungLine, rungs_and_model, suggestions_for_customer,
};
pub use store::portfolio_from_store;

/// The most bundles an answer may list.
pub const MAX_BUNDLES: usize = 10_000;

/// Settings of the portfolio analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct PortfolioSettings {
    /// The report date: the last complete month on it is the last month analysed. `None`: the
    /// last order day in the data.
    pub as_of: Option<Day>,
    /// Bundles: minimum support as a share of baskets (0..1, default 0.001)...
    pub min_support: f64,
    /// ...and at least this many baskets (default 5).
    pub min_baskets: u64,
    /// Bundles listed at most, best lift first (default 100).
    pub max_bundles: usize,
}

impl Default for PortfolioSettings {
    fn default() -> PortfolioSettings {
        PortfolioSettings {
            as_of: None,
            min_support: 0.001,
            min_baskets: 5,
            max_bundles: 100,
        }
    }
}

impl PortfolioSettings {
    /// Refuses settings out of their ranges, naming the setting.
    pub fn check(&self) -> Result<(), InvalidSetting> {
        if !(self.min_support.is_finite() && (0.0..=1.0).contains(&self.min_support)) {
            return Err(InvalidSetting::value(
                "min_support",
                self.min_support,
                "expected a share of baskets between 0 and 1",
            ));
        }
        if !(1..=1_000_000_000).contains(&self.min_baskets) {
            return Err(InvalidSetting::value(
                "min_baskets",
                self.min_baskets,
                "expected 1 to 1,000,000,000 baskets",
            ));
        }
        if !(1..=MAX_BUNDLES).contains(&self.max_bundles) {
            return Err(InvalidSetting::value(
                "max_bundles",
                self.max_bundles,
                format!("expected 1 to {MAX_BUNDLES}"),
            ));
        }
        if let Some(d) = self.as_of
            && !clientele_core::bounds::day_in_bounds(d)
        {
            return Err(InvalidSetting::value(
                "as_of",
                d,
                "expected a day within 1900-01-01..2100-12-31",
            ));
        }
        Ok(())
    }

    fn bundle_options(&self) -> BundleOptions {
        BundleOptions {
            min_support: self.min_support,
            min_baskets: self.min_baskets,
            max_bundles: self.max_bundles,
            ..BundleOptions::default()
        }
    }
}

/// One product of the answer: its names and the core's report.
#[derive(Clone, Debug, PartialEq)]
pub struct ProductLine {
    /// As the order lines name it.
    pub product: String,
    /// From the products file.
    pub name: Option<String>,
    pub category: Option<String>,
    pub partner: Option<String>,
    pub report: ProductReport,
}

/// A bundle with its products named.
#[derive(Clone, Debug, PartialEq)]
pub struct BundleLine {
    pub a: String,
    pub b: String,
    pub bundle: Bundle,
}

/// The portfolio analysis, products named.
#[derive(Clone, Debug, PartialEq)]
pub struct PortfolioAnswer {
    /// The report date, and the last complete month on it (`Day::month_index`).
    pub as_of: Day,
    pub last_month: i32,
    /// The first month with sales.
    pub first_month: Option<i32>,
    /// Products with sales, by revenue over the last 12 months (largest first), then name.
    pub products: Vec<ProductLine>,
    /// Products the products file lists that sold nothing up to the last month.
    pub without_sales: Vec<String>,
    /// Whether advocates were known (a scored snapshot): without them nothing is a line cut.
    pub advocates_known: bool,
    /// The median margin rate over products and the "bought by few" bound (line cut).
    pub median_margin_rate: Option<f64>,
    pub few_customers: Option<u32>,
    pub bundles: Vec<BundleLine>,
    /// What the bundle analysis counted: baskets, the minimum support in baskets, the support
    /// above which the list is complete, pairs found before the cut to `max_bundles`.
    pub baskets: u64,
    pub bundle_min_baskets: u64,
    pub bundle_complete_from: u64,
    pub pairs_found: usize,
}

impl PortfolioAnswer {
    /// The month label `YYYY-MM` of a month index.
    pub fn month_label(month: i32) -> String {
        format!(
            "{:04}-{:02}",
            month.div_euclid(12),
            month.rem_euclid(12) + 1
        )
    }
}

/// What a products file or the products table says about one product.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KnownProduct {
    pub name: Option<String>,
    pub category: Option<String>,
    pub launch: Option<Day>,
    pub unit_cost: Option<Money>,
    pub partner: Option<String>,
}

/// The products met so far, as dense ids, with what is known of each.
#[derive(Debug, Default)]
pub(crate) struct ProductTable {
    pub ids: HashMap<String, u32>,
    pub names: Vec<String>,
    pub line_category: Vec<Option<String>>,
    pub customers: Vec<Option<u32>>,
    pub advocates: Vec<Option<u32>>,
}

impl ProductTable {
    pub fn id(&mut self, product: &str) -> u32 {
        if let Some(&i) = self.ids.get(product) {
            return i;
        }
        let i = self.names.len() as u32;
        self.ids.insert(product.to_string(), i);
        self.names.push(product.to_string());
        self.line_category.push(None);
        self.customers.push(None);
        self.advocates.push(None);
        i
    }
}

/// Runs the core's analysis over gathered inputs and names the products.
pub(crate) fn finish(
    table: ProductTable,
    known: &HashMap<String, KnownProduct>,
    sales: Vec<MonthSales>,
    bundles: BundleReport,
    as_of: Day,
    advocates_known: bool,
) -> PortfolioAnswer {
    let last_month = last_complete_month(as_of);
    let mut category_names: Vec<String> = Vec::new();
    let mut category_ids: HashMap<String, u32> = HashMap::new();
    let mut category_of = |name: &str| -> CategoryId {
        let next = category_names.len() as u32;
        let id = *category_ids.entry(name.to_string()).or_insert(next);
        if id == next {
            category_names.push(name.to_string());
        }
        CategoryId(id)
    };
    let facts: Vec<ProductFacts> = (0..table.names.len())
        .map(|i| {
            let k = known.get(&table.names[i]);
            let category = k
                .and_then(|k| k.category.clone())
                .or_else(|| table.line_category[i].clone());
            ProductFacts {
                category: category.as_deref().map(&mut category_of),
                launch_month: k.and_then(|k| k.launch).map(Day::month_index),
                customers: table.customers[i],
                advocates: table.advocates[i],
            }
        })
        .collect();
    let report: Portfolio = portfolio(sales, &facts, &PortfolioOptions::new(last_month));
    let category_name = |c: Option<CategoryId>| c.map(|c| category_names[c.0 as usize].clone());
    let mut products: Vec<ProductLine> = report
        .products
        .iter()
        .map(|r| {
            let name = &table.names[r.product.0 as usize];
            let k = known.get(name);
            ProductLine {
                product: name.clone(),
                name: k.and_then(|k| k.name.clone()),
                category: category_name(r.category),
                partner: k.and_then(|k| k.partner.clone()),
                report: *r,
            }
        })
        .collect();
    products.sort_by(|a, b| {
        b.report
            .revenue_12m
            .cmp(&a.report.revenue_12m)
            .then_with(|| a.product.cmp(&b.product))
    });
    let mut without_sales: Vec<String> = report
        .without_sales
        .iter()
        .map(|p: &ProductId| table.names[p.0 as usize].clone())
        .collect();
    // Products the products file lists that never appear in the order lines sold nothing too.
    without_sales.extend(
        known
            .keys()
            .filter(|k| !table.ids.contains_key(*k))
            .cloned(),
    );
    without_sales.sort();
    let bundles_named = bundles
        .bundles
        .iter()
        .map(|b| {
            let (mut a, mut b_name) = (
                table.names[b.a.0 as usize].clone(),
                table.names[b.b.0 as usize].clone(),
            );
            let mut bundle = *b;
            // Equal confidence both ways: the core puts the smaller id first, and ids follow
            // the order the data came in; the smaller name first reads the same on every path.
            if bundle.confidence == bundle.confidence_reverse && b_name < a {
                std::mem::swap(&mut a, &mut b_name);
                std::mem::swap(&mut bundle.a, &mut bundle.b);
            }
            BundleLine {
                a,
                b: b_name,
                bundle,
            }
        })
        .collect();
    PortfolioAnswer {
        as_of,
        last_month,
        first_month: report.first_month,
        products,
        without_sales,
        advocates_known,
        median_margin_rate: report.median_margin_rate,
        few_customers: report.few_customers,
        bundles: bundles_named,
        baskets: bundles.baskets,
        bundle_min_baskets: bundles.min_baskets,
        bundle_complete_from: bundles.effective_min_baskets,
        pairs_found: bundles.pairs_found,
    }
}
