//! The portfolio from order files, without a store: every file read the way an import reads it
//! (rejected rows counted and returned, not dropped), monthly sales and buyers gathered in
//! memory, baskets (an order, or a customer's purchase day) kept as 16 bytes a line and sorted
//! for the core's two passes. No ladder here, so no advocates: nothing is a line cut.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash, Hasher};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clientele_core::portfolio::{MonthSales, ProductId, bundles_from_lines};
use clientele_core::{Day, Money};
use clientele_ingest::pipeline::{ImportOptions, Reject};
use clientele_ingest::rows::{OrderRow, read_order_rows};

use super::{KnownProduct, PortfolioAnswer, PortfolioSettings, ProductTable, finish};

/// What reading the order files found besides the portfolio.
#[derive(Debug)]
pub struct FilesOutcome {
    pub answer: PortfolioAnswer,
    /// Rows read and accepted, and the rows refused (each with file, line, column, reason).
    pub rows: u64,
    pub rejects: Vec<Reject>,
    /// Accepted rows without a product (not any product's sales).
    pub without_product: u64,
}

/// The portfolio of order files up to `settings.as_of` (default: the last order day in them),
/// with what a products file says (`known`, may be empty).
pub fn portfolio_from_files(
    paths: &[PathBuf],
    known: &HashMap<String, KnownProduct>,
    settings: &PortfolioSettings,
) -> Result<FilesOutcome> {
    settings.check()?;
    let options = ImportOptions {
        as_of: settings.as_of,
        ..ImportOptions::default()
    };
    let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
    let mut table = ProductTable::default();
    // (product, month) → (revenue, cost, every line's cost known).
    let mut months: HashMap<(u32, i32), (Money, Money, bool)> = HashMap::new();
    let mut buyers: HashSet<(u32, u64)> = HashSet::new();
    let mut baskets: Vec<(u64, ProductId)> = Vec::new();
    let mut rejects = Vec::new();
    let (mut rows, mut without_product) = (0u64, 0u64);
    let mut last_day: Option<Day> = None;
    for (index, path) in paths.iter().enumerate() {
        let mut sink = |batch: Vec<OrderRow>| -> bool {
            for row in batch {
                rows += 1;
                let Some(product) = row.product.as_deref() else {
                    without_product += 1;
                    continue;
                };
                let id = table.id(product);
                if table.line_category[id as usize].is_none() {
                    table.line_category[id as usize] = row.category.clone();
                }
                let line = &row.line;
                last_day = Some(last_day.map_or(line.day, |d| d.max(line.day)));
                let cost = line.cost.or_else(|| {
                    let unit = known.get(product)?.unit_cost?;
                    let q = row.quantity?;
                    Some(Money::from_units((unit.units() as f64 * q).round() as i64))
                });
                let cell = months.entry((id, line.day.month_index())).or_insert((
                    Money::ZERO,
                    Money::ZERO,
                    true,
                ));
                cell.0 += line.amount;
                match cost {
                    Some(c) => cell.1 += c,
                    None => cell.2 = false,
                }
                if line.amount.units() >= 0 {
                    let customer = hasher.hash_one(&row.customer);
                    buyers.insert((id, customer));
                    let mut h = hasher.build_hasher();
                    row.customer.hash(&mut h);
                    match &row.order_id {
                        Some(o) => o.hash(&mut h),
                        None => line.day.hash(&mut h),
                    }
                    baskets.push((h.finish(), ProductId(id)));
                }
            }
            true
        };
        let outcome = read_order_rows(path, index as u32, &options, 16 * 1024, &mut sink)
            .with_context(|| format!("reading {}", path.display()))?;
        rejects.extend(outcome.rejects);
    }
    // A row dated after `as_of` is counted by the reader, not handed over, so this is the
    // data's last day on or before it.
    let as_of = settings
        .as_of
        .or(last_day)
        .unwrap_or(Day::from_days_since_epoch(0));
    for (id, _) in &buyers {
        let c = &mut table.customers[*id as usize];
        *c = Some(c.unwrap_or(0) + 1);
    }
    drop(buyers);
    let sales: Vec<MonthSales> = months
        .into_iter()
        .map(|((product, month), (revenue, cost, known))| MonthSales {
            product: ProductId(product),
            month,
            revenue,
            margin: known.then(|| revenue - cost),
            customers: 0,
        })
        .collect();
    baskets.sort_unstable_by_key(|&(k, p)| (k, p.0));
    let bundles = bundles_from_lines(
        || baskets.iter().copied(),
        table.names.len(),
        settings.bundle_options(),
    )?;
    drop(baskets);
    Ok(FilesOutcome {
        answer: finish(table, known, sales, bundles, as_of, false),
        rows,
        rejects,
        without_product,
    })
}
