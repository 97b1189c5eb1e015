//! The portfolio of products: each product's stage with its evidence, revenue, margin and
//! buyers, and the tags bestseller, longseller, blockbuster, line cut and product of the month.

use rayon::prelude::*;

use super::lifecycle::{LifecycleRules, Stage, StageEvidence, classify};
use crate::{CategoryId, Day, Money};

/// Index of a product in the caller's product table (dense: 0..n).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProductId(pub u32);

/// One product's sales in one calendar month. Rows of the same product and month add up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MonthSales {
    pub product: ProductId,
    /// [`Day::month_index`] of the month (year · 12 + month − 1).
    pub month: i32,
    /// Net revenue (returns subtracted).
    pub revenue: Money,
    /// Revenue − cost, when the cost is known.
    pub margin: Option<Money>,
    /// Distinct customers who bought it that month.
    pub customers: u32,
}

/// What is known about a product besides its sales (from the products file and the ladder).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProductFacts {
    pub category: Option<CategoryId>,
    /// [`Day::month_index`] of its launch, when the products file has it.
    pub launch_month: Option<i32>,
    /// Distinct customers who bought it over the whole history analysed.
    pub customers: Option<u32>,
    /// How many of those are advocates now.
    pub advocates: Option<u32>,
}

/// A label a product can carry (several at once).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tag {
    Bestseller,
    Longseller,
    Blockbuster,
    LineCut,
    ProductOfMonth,
}

impl Tag {
    pub const ALL: [Tag; 5] = [
        Tag::Bestseller,
        Tag::Longseller,
        Tag::Blockbuster,
        Tag::LineCut,
        Tag::ProductOfMonth,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Tag::Bestseller => "bestseller",
            Tag::Longseller => "longseller",
            Tag::Blockbuster => "blockbuster",
            Tag::LineCut => "line_cut",
            Tag::ProductOfMonth => "product_of_month",
        }
    }
}

/// A set of tags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tags(u8);

impl Tags {
    pub fn contains(self, t: Tag) -> bool {
        self.0 & (1 << t as u8) != 0
    }

    pub fn insert(&mut self, t: Tag) {
        self.0 |= 1 << t as u8;
    }

    /// The tags in [`Tag::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Tag> {
        Tag::ALL.into_iter().filter(move |&t| self.contains(t))
    }
}

/// Settings of the portfolio analysis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PortfolioOptions {
    /// The last complete month analysed ([`Day::month_index`]); later sales are ignored.
    /// [`last_complete_month`] gives it for a report date.
    pub last_month: i32,
    pub lifecycle: LifecycleRules,
    /// Longseller: sold for at least this many years (default 3)...
    pub longseller_years: u32,
    /// ...with every one of those last years' revenue at least this share of the best of
    /// them (default 0.7), and not in decline.
    pub longseller_year_ratio: f64,
    /// A product's start is its first this-many months (default 3).
    pub start_months: u32,
    /// Blockbuster: start revenue at least this multiple of the median start of its peers
    /// (default 3)...
    pub blockbuster_multiple: f64,
    /// ...its category's products with an observed start when there are at least this many
    /// (default 5), else all products with an observed start.
    pub blockbuster_min_peers: usize,
    /// Bestsellers per category (default 1).
    pub bestsellers_per_category: usize,
    /// Line cut: bought by at most this quantile of the products' customer counts (default
    /// 0.25).
    pub few_customers_quantile: f64,
    /// Candidates for product of the month (default 1).
    pub products_of_month: usize,
    /// Products older than this are analysed over their last this-many months only (default
    /// 1,200: a century), so a wrong launch date cannot blow up memory.
    pub max_months: u32,
}

impl PortfolioOptions {
    /// The defaults, for sales up to and including `last_month`.
    pub fn new(last_month: i32) -> PortfolioOptions {
        PortfolioOptions {
            last_month,
            lifecycle: LifecycleRules::default(),
            longseller_years: 3,
            longseller_year_ratio: 0.7,
            start_months: 3,
            blockbuster_multiple: 3.0,
            blockbuster_min_peers: 5,
            bestsellers_per_category: 1,
            few_customers_quantile: 0.25,
            products_of_month: 1,
            max_months: 1_200,
        }
    }
}

/// The month index of the last complete month on `as_of`: its own month when `as_of` is the
/// month's last day, else the month before.
pub fn last_complete_month(as_of: Day) -> i32 {
    let month = as_of.month_index();
    if as_of.plus_days(1).month_index() != month {
        month
    } else {
        month - 1
    }
}

/// One product in the portfolio.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProductReport {
    pub product: ProductId,
    pub category: Option<CategoryId>,
    pub stage: Stage,
    pub evidence: StageEvidence,
    /// The month its series starts: the launch month, or the first month with sales.
    pub start_month: i32,
    /// Whether the start is in the data: a launch date is known, or the first sale came after
    /// the data's first month (a product selling from the first month may be older).
    pub start_observed: bool,
    /// Revenue and margin up to the last month (margin `None` unless every month had one).
    pub revenue: Money,
    pub margin: Option<Money>,
    /// Over the last 12 months.
    pub revenue_12m: Money,
    pub margin_12m: Option<Money>,
    /// Margin / revenue over the last 12 months, or over all time when there was no revenue
    /// in the last 12; `None` without margins or revenue.
    pub margin_rate: Option<f64>,
    pub customers: Option<u32>,
    pub advocates: Option<u32>,
    /// advocates / customers; `None` when either is unknown or nobody bought.
    pub advocates_share: Option<f64>,
    /// Revenue of the first [`PortfolioOptions::start_months`] months; `None` when the start is
    /// not observed or the product is younger.
    pub start_revenue: Option<Money>,
    /// The median start revenue it was compared with (blockbuster), in currency units.
    pub start_peer_median: Option<f64>,
    /// Revenue of the last 3 months minus the 3 before, in currency units.
    pub recent_increase: f64,
    pub tags: Tags,
}

/// The portfolio analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Portfolio {
    /// Products with sales, in product order.
    pub products: Vec<ProductReport>,
    /// Products in the facts with no sales up to the last month.
    pub without_sales: Vec<ProductId>,
    /// The first month with sales in the data.
    pub first_month: Option<i32>,
    pub last_month: i32,
    /// The median margin rate over products (line cut: below it; product of the month: at or
    /// above it); `None` without margins.
    pub median_margin_rate: Option<f64>,
    /// Line cut: bought by at most this many customers.
    pub few_customers: Option<u32>,
}

/// Analyses the portfolio: each product's stage and tags. `facts[p]` describes product p
/// (missing entries: nothing known).
///
/// # Tags
/// - bestseller: in growth or maturity and among the [`PortfolioOptions::bestsellers_per_category`]
///   best of its category by revenue over the last 12 months (ties: the smaller product id);
///   products without a category form one group;
/// - longseller: at least [`PortfolioOptions::longseller_years`] years old, each of those
///   last years' revenue at least 70% of the best of them, not in decline;
/// - blockbuster: an observed start whose first 3 months sold at least 3 times the median
///   start of its peers (see [`PortfolioOptions::blockbuster_min_peers`]), the median being
///   positive;
/// - line cut: in decline, margin rate below the median, bought by few (at most the 25th
///   percentile of customer counts, nearest rank) and by no advocate; needs margins, customer
///   and advocate counts;
/// - product of the month: the growing or mature product(s) with the largest increase of
///   the last 3 months' revenue over the 3 before, with a margin rate at least the median
///   (when margins are known).
///
/// O(rows log rows); 3M product-months (50k products × 60 months) take well under a second.
pub fn portfolio(
    sales: impl IntoIterator<Item = MonthSales>,
    facts: &[ProductFacts],
    options: &PortfolioOptions,
) -> Portfolio {
    let mut rows: Vec<MonthSales> = sales
        .into_iter()
        .filter(|r| r.month <= options.last_month)
        .collect();
    rows.par_sort_unstable_by_key(|r| (r.product, r.month));
    let first_month = rows.iter().map(|r| r.month).min();
    let mut products: Vec<ProductReport> = rows
        .par_chunk_by(|a, b| a.product == b.product)
        .filter_map(|run| {
            let id = run[0].product;
            let f = facts.get(id.0 as usize).copied().unwrap_or_default();
            analyse(run, &f, first_month?, options)
        })
        .collect();
    let mut sold = vec![false; facts.len()];
    for p in &products {
        if let Some(s) = sold.get_mut(p.product.0 as usize) {
            *s = true;
        }
    }
    let without_sales = (0..facts.len() as u32)
        .filter(|&i| !sold[i as usize])
        .map(ProductId)
        .collect();
    let median_margin_rate = median(products.iter().filter_map(|p| p.margin_rate).collect());
    let few_customers = nearest_rank(
        products.iter().filter_map(|p| p.customers).collect(),
        options.few_customers_quantile,
    );
    tag_bestsellers(&mut products, options);
    tag_blockbusters(&mut products, options);
    // Longsellers are tagged by `analyse`, which has the yearly revenue at hand.
    for p in &mut products {
        let line_cut = p.stage == Stage::Decline
            && matches!((p.margin_rate, median_margin_rate), (Some(r), Some(m)) if r < m)
            && matches!((p.customers, few_customers), (Some(c), Some(f)) if c <= f)
            && p.advocates == Some(0);
        if line_cut {
            p.tags.insert(Tag::LineCut);
        }
    }
    tag_products_of_month(&mut products, median_margin_rate, options);
    Portfolio {
        products,
        without_sales,
        first_month,
        last_month: options.last_month,
        median_margin_rate,
        few_customers,
    }
}

fn analyse(
    run: &[MonthSales],
    facts: &ProductFacts,
    data_first_month: i32,
    options: &PortfolioOptions,
) -> Option<ProductReport> {
    let last = options.last_month;
    let first_sale = run[0].month;
    let mut start = facts.launch_month.map_or(first_sale, |l| l.min(first_sale));
    let mut start_observed = facts.launch_month.is_some() || first_sale > data_first_month;
    let oldest = last - options.max_months.max(1) as i32 + 1;
    if start < oldest {
        start = oldest;
        start_observed = false;
    }
    let months = (last - start + 1) as usize;
    let mut revenue = vec![Money::ZERO; months];
    let mut margin_known = true;
    let mut margin = Money::ZERO;
    let mut margin_12m = Money::ZERO;
    let mut total = Money::ZERO;
    for r in run.iter().filter(|r| r.month >= start) {
        let i = (r.month - start) as usize;
        revenue[i] += r.revenue;
        total += r.revenue;
        match r.margin {
            Some(m) => {
                margin += m;
                if r.month > last - 12 {
                    margin_12m += m;
                }
            }
            None => margin_known = false,
        }
    }
    let as_units: Vec<f64> = revenue.iter().map(|m| m.to_f64()).collect();
    let (stage, evidence) = classify(&as_units, &options.lifecycle)?;
    let window_sum = |from_end: usize, len: usize| -> Money {
        let hi = months.saturating_sub(from_end);
        let lo = hi.saturating_sub(len);
        revenue[lo..hi].iter().copied().sum()
    };
    let revenue_12m = window_sum(0, 12);
    let margin_rate = if !margin_known {
        None
    } else if revenue_12m.units() > 0 {
        Some(margin_12m.to_f64() / revenue_12m.to_f64())
    } else if total.units() > 0 {
        Some(margin.to_f64() / total.to_f64())
    } else {
        None
    };
    let start_months = options.start_months.max(1) as usize;
    let start_revenue = (start_observed && months >= start_months)
        .then(|| revenue[..start_months].iter().copied().sum());
    let mut tags = Tags::default();
    let years = options.longseller_years.max(1) as usize;
    if stage != Stage::Decline && months >= 12 * years {
        let blocks: Vec<Money> = (0..years).map(|y| window_sum(12 * y, 12)).collect();
        let best = blocks.iter().copied().max().unwrap_or(Money::ZERO);
        let steady = blocks
            .iter()
            .all(|b| b.to_f64() >= options.longseller_year_ratio * best.to_f64());
        if best.units() > 0 && steady {
            tags.insert(Tag::Longseller);
        }
    }
    let advocates_share = match (facts.customers, facts.advocates) {
        (Some(c), Some(a)) if c > 0 => Some(f64::from(a) / f64::from(c)),
        _ => None,
    };
    Some(ProductReport {
        product: run[0].product,
        category: facts.category,
        stage,
        evidence,
        start_month: start,
        start_observed,
        revenue: total,
        margin: margin_known.then_some(margin),
        revenue_12m,
        margin_12m: margin_known.then_some(margin_12m),
        margin_rate,
        customers: facts.customers,
        advocates: facts.advocates,
        advocates_share,
        start_revenue,
        start_peer_median: None,
        recent_increase: (window_sum(0, 3) - window_sum(3, 3)).to_f64(),
        tags,
    })
}

fn tag_bestsellers(products: &mut [ProductReport], options: &PortfolioOptions) {
    let mut candidates: Vec<usize> = (0..products.len())
        .filter(|&i| {
            let p = &products[i];
            matches!(p.stage, Stage::Growth | Stage::Maturity) && p.revenue_12m.units() > 0
        })
        .collect();
    candidates.sort_by_key(|&i| {
        let p = &products[i];
        (p.category, std::cmp::Reverse(p.revenue_12m), p.product)
    });
    let mut previous: Option<Option<CategoryId>> = None;
    let mut rank = 0;
    for i in candidates {
        let category = products[i].category;
        if previous != Some(category) {
            previous = Some(category);
            rank = 0;
        }
        if rank < options.bestsellers_per_category {
            products[i].tags.insert(Tag::Bestseller);
        }
        rank += 1;
    }
}

fn tag_blockbusters(products: &mut [ProductReport], options: &PortfolioOptions) {
    let starts = |filter: &dyn Fn(&ProductReport) -> bool| -> Vec<f64> {
        products
            .iter()
            .filter(|p| filter(p))
            .filter_map(|p| p.start_revenue.map(Money::to_f64))
            .collect()
    };
    let everyone = starts(&|_| true);
    let overall = (everyone.len() >= options.blockbuster_min_peers)
        .then(|| median(everyone))
        .flatten();
    let mut by_category: std::collections::BTreeMap<Option<CategoryId>, Vec<f64>> =
        std::collections::BTreeMap::new();
    for p in products.iter() {
        if let Some(s) = p.start_revenue {
            by_category.entry(p.category).or_default().push(s.to_f64());
        }
    }
    let category_median: std::collections::BTreeMap<Option<CategoryId>, Option<f64>> = by_category
        .into_iter()
        .map(|(c, v)| {
            let m = if v.len() >= options.blockbuster_min_peers {
                median(v)
            } else {
                overall
            };
            (c, m)
        })
        .collect();
    for p in products.iter_mut() {
        let Some(start) = p.start_revenue else {
            continue;
        };
        let peers = category_median.get(&p.category).copied().flatten();
        p.start_peer_median = peers;
        if let Some(m) = peers
            && m > 0.0
            && start.to_f64() >= options.blockbuster_multiple * m
        {
            p.tags.insert(Tag::Blockbuster);
        }
    }
}

fn tag_products_of_month(
    products: &mut [ProductReport],
    median_margin_rate: Option<f64>,
    options: &PortfolioOptions,
) {
    let mut candidates: Vec<usize> = (0..products.len())
        .filter(|&i| {
            let p = &products[i];
            let margin_ok = match median_margin_rate {
                Some(m) => p.margin_rate.is_some_and(|r| r >= m),
                None => true,
            };
            matches!(p.stage, Stage::Growth | Stage::Maturity)
                && p.recent_increase > 0.0
                && margin_ok
        })
        .collect();
    candidates.sort_by(|&a, &b| {
        let (pa, pb) = (&products[a], &products[b]);
        pb.recent_increase
            .total_cmp(&pa.recent_increase)
            .then(pa.product.cmp(&pb.product))
    });
    for &i in candidates.iter().take(options.products_of_month) {
        products[i].tags.insert(Tag::ProductOfMonth);
    }
}

/// The median (mean of the two middle values for an even count); `None` for no values.
fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some((values[(n - 1) / 2] + values[n / 2]) / 2.0)
}

/// The q-quantile by nearest rank: the ⌈q·n⌉-th smallest value (the smallest for q = 0).
fn nearest_rank(mut values: Vec<u32>, q: f64) -> Option<u32> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let rank = (q.clamp(0.0, 1.0) * values.len() as f64).ceil() as usize;
    Some(values[rank.clamp(1, values.len()) - 1])
}
