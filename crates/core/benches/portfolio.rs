//! The product portfolio at the scale (issue 28 item 7: the portfolio of 10M order
//! lines over 50k products in under 10 s; bundles on 10M lines in under 20 s with bounded
//! memory), and cross-category suggestions for 1M customers (for the daily queue).
//! Run: `cargo bench -p clientele-core --bench portfolio`.

use std::time::Instant;

use clientele_core::portfolio::{
    BundleOptions, CrossSell, CrossSellOptions, MonthSales, PortfolioOptions, ProductFacts,
    ProductId, bundles_from_lines, portfolio,
};
use clientele_core::{CategoryId, Money, Rung};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const PRODUCTS: u32 = 50_000;
const LINES: usize = 10_000_000;

/// A skewed product choice: a few products sell often, most rarely.
fn product(rng: &mut StdRng) -> u32 {
    let u: f64 = rng.random();
    ((f64::from(PRODUCTS) * u.powi(3)) as u32).min(PRODUCTS - 1)
}

fn main() {
    let mut rng = StdRng::seed_from_u64(7);

    // 10M order lines in baskets of 1 to 7 products (4 on average), sorted by basket.
    let mut lines: Vec<(u64, ProductId)> = Vec::with_capacity(LINES);
    let mut basket = 0u64;
    while lines.len() < LINES {
        for _ in 0..rng.random_range(1..=7) {
            lines.push((basket, ProductId(product(&mut rng))));
        }
        basket += 1;
    }
    lines.truncate(LINES);
    // The same lines as the portfolio's monthly rows: 60 months, each line 1 to 100 units.
    let start = 2020 * 12;
    let mut monthly = vec![(0i64, 0u32); PRODUCTS as usize * 60];
    for &(b, p) in &lines {
        let m = (b % 60) as usize;
        let cell = &mut monthly[p.0 as usize * 60 + m];
        cell.0 += rng.random_range(1..=100) * Money::SCALE;
        cell.1 += 1;
    }
    let rows: Vec<MonthSales> = monthly
        .iter()
        .enumerate()
        .filter(|(_, c)| c.1 > 0)
        .map(|(i, &(revenue, customers))| MonthSales {
            product: ProductId((i / 60) as u32),
            month: start + (i % 60) as i32,
            revenue: Money::from_units(revenue),
            margin: Some(Money::from_units(revenue / 4)),
            customers,
        })
        .collect();
    let facts: Vec<ProductFacts> = (0..PRODUCTS)
        .map(|p| ProductFacts {
            category: Some(CategoryId(p % 200)),
            launch_month: None,
            customers: Some(rng.random_range(1..1000)),
            advocates: Some(rng.random_range(0..3)),
        })
        .collect();
    println!(
        "{} lines in {basket} baskets; {} product-months",
        lines.len(),
        rows.len()
    );

    // The default minimum support (0.1% of baskets), and a low one (20 baskets) that makes
    // more products eligible than the 8M pair counters (32 MB) can pair.
    let low = BundleOptions {
        min_support: 0.0,
        min_baskets: 20,
        ..BundleOptions::default()
    };
    for run in 1..=3 {
        let t = Instant::now();
        let p = portfolio(
            rows.iter().copied(),
            &facts,
            &PortfolioOptions::new(start + 59),
        );
        println!(
            "run {run}: portfolio of {} products in {:.3} s",
            p.products.len(),
            t.elapsed().as_secs_f64()
        );
        for (name, options) in [
            ("default support", BundleOptions::default()),
            ("20 baskets", low),
        ] {
            let t = Instant::now();
            let b =
                bundles_from_lines(|| lines.iter().copied(), PRODUCTS as usize, options).unwrap();
            let counters = b.paired_products * b.paired_products.saturating_sub(1) / 2;
            println!(
                "  bundles ({name}) in {:.3} s: {} of {} eligible products paired, {counters} pair \
                 counters ({:.1} MB), {} pairs >= {} baskets",
                t.elapsed().as_secs_f64(),
                b.paired_products,
                b.eligible_products,
                counters as f64 * 4.0 / 1e6,
                b.pairs_found,
                b.effective_min_baskets,
            );
        }
    }

    // 1M customers over 5 rungs, 1 to 6 of 50 categories each, correlated by customer.
    let customers: Vec<(Rung, Vec<CategoryId>)> = (0..1_000_000u32)
        .map(|i| {
            let k = rng.random_range(1..=6);
            let home = i % 50;
            let cats = (0..k)
                .map(|_| CategoryId((home + rng.random_range(0..8)) % 50))
                .collect();
            (Rung::ALL[(i % 5) as usize], cats)
        })
        .collect();
    for run in 1..=3 {
        let t = Instant::now();
        let options = CrossSellOptions::default();
        let model = CrossSell::new(customers.iter().map(|(r, c)| (*r, c.as_slice())), &options);
        let built = t.elapsed().as_secs_f64();
        let suggested: usize = customers
            .iter()
            .map(|(r, c)| model.suggest(*r, c).len())
            .sum();
        println!(
            "run {run}: cross-sell model of 1M customers in {built:.3} s, {suggested} suggestions in {:.3} s more",
            t.elapsed().as_secs_f64() - built
        );
    }
}
