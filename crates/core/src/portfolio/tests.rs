//! Hand-worked cases for the life-cycle rule, the tags, bundles and cross-category
//! suggestions, and a brute-force check of the pair counting.

use proptest::prelude::*;

use super::*;
use crate::tolerances::CLOSED_FORM;
use crate::{CategoryId, Day, Money, Rung};

fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= CLOSED_FORM * expected.abs().max(1.0),
        "{actual} is not {expected}"
    );
}

fn stage_of(series: &[f64]) -> (Stage, StageEvidence) {
    classify(series, &LifecycleRules::default()).unwrap()
}

#[test]
fn smoothing_is_a_trailing_average() {
    assert_eq!(smooth(&[3.0, 6.0, 9.0, 0.0], 3), vec![3.0, 4.5, 6.0, 5.0]);
    assert_eq!(smooth(&[3.0, 6.0], 1), vec![3.0, 6.0]);
    assert!(smooth(&[], 3).is_empty());
}

#[test]
fn life_cycle_stages_by_hand() {
    // Five months: too young.
    let (stage, e) = stage_of(&[10.0; 5]);
    assert_eq!(
        (stage, e.rule, e.age_months),
        (Stage::Introduction, StageRule::TooYoung, 5)
    );
    // Level for seven months, then doubled: smoothed 20 now against 10 six months ago: +100%.
    let mut growing = vec![10.0; 7];
    growing.extend([20.0; 5]);
    let (stage, e) = stage_of(&growing);
    assert_eq!((stage, e.rule), (Stage::Growth, StageRule::Rising));
    close(e.smoothed_last, 20.0);
    close(e.smoothed_before, 10.0);
    close(e.change.unwrap(), 1.0);
    // Flat: mature.
    let (stage, e) = stage_of(&[10.0; 12]);
    assert_eq!(
        (stage, e.change, e.share_of_peak),
        (Stage::Maturity, Some(0.0), Some(1.0))
    );
    // Peak 30, now 10: smoothed last (10+10+10)/3 = 10; six months earlier (index 5) 30:
    // change −66.7%, share of peak 1/3 → decline.
    let falling = [
        10.0, 20.0, 30.0, 30.0, 30.0, 30.0, 30.0, 30.0, 20.0, 10.0, 10.0, 10.0,
    ];
    let (stage, e) = stage_of(&falling);
    assert_eq!(
        (stage, e.rule),
        (Stage::Decline, StageRule::BelowPeakAndFalling)
    );
    close(e.change.unwrap(), -2.0 / 3.0);
    close(e.share_of_peak.unwrap(), 1.0 / 3.0);
    assert_eq!(e.months_since_peak, 4);
    // Fell, then level for a year at a third of the peak: mature again.
    let mut levelled = vec![30.0; 6];
    levelled.extend([10.0; 12]);
    assert_eq!(stage_of(&levelled).0, Stage::Maturity);
    // Stopped selling: decline.
    let mut stopped = vec![10.0; 8];
    stopped.extend([0.0; 4]);
    assert_eq!(stage_of(&stopped).1.rule, StageRule::BelowPeakAndFalling);
    // Launched, nothing for eight months, then selling: from nothing to something is growth.
    let mut late = vec![0.0; 8];
    late.extend([5.0; 4]);
    let (stage, e) = stage_of(&late);
    assert_eq!((stage, e.change), (Stage::Growth, None));
    // Never sold (or only returns): introduction, whatever its age; no NaN anywhere.
    let (stage, e) = stage_of(&[0.0, -5.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    assert_eq!((stage, e.rule), (Stage::Introduction, StageRule::NoSales));
    assert_eq!((e.change, e.share_of_peak, e.peak), (None, None, 0.0));
    assert!(classify(&[], &LifecycleRules::default()).is_none());
    // Exactly at the thresholds: +20% is growth; 70% of the peak and −10% is decline.
    let mut edge = vec![10.0; 6];
    edge.extend([12.0; 6]);
    assert_eq!(stage_of(&edge).0, Stage::Growth);
    let mut edge = vec![100.0; 3];
    edge.extend([77.0; 3]);
    edge.extend([70.0; 6]);
    // Peak 100, smoothed last 70 (share 0.7), six months earlier 77... (77+77+77)/3 = 77:
    // change 70/77 − 1 = −9.1%: not falling fast enough → mature.
    assert_eq!(stage_of(&edge).0, Stage::Maturity);
}

#[test]
fn last_complete_month_of_a_report_date() {
    let d = |y, m, dd| Day::from_ymd(y, m, dd).unwrap();
    assert_eq!(
        last_complete_month(d(2024, 3, 31)),
        d(2024, 3, 1).month_index()
    );
    assert_eq!(
        last_complete_month(d(2024, 3, 30)),
        d(2024, 2, 1).month_index()
    );
    assert_eq!(
        last_complete_month(d(2024, 1, 15)),
        d(2023, 12, 1).month_index()
    );
}

const A: Option<CategoryId> = Some(CategoryId(1));
const B: Option<CategoryId> = Some(CategoryId(2));

fn month(y: i32, m: u32) -> i32 {
    Day::from_ymd(y, m, 1).unwrap().month_index()
}

/// Rows for one product: `revenue[i]` in month `first + i`, margin `rate` of it.
fn rows(product: u32, first: i32, revenue: &[f64], rate: f64) -> Vec<MonthSales> {
    revenue
        .iter()
        .enumerate()
        .map(|(i, &r)| MonthSales {
            product: ProductId(product),
            month: first + i as i32,
            revenue: Money::from_f64_rounded(r),
            margin: Some(Money::from_f64_rounded(r * rate)),
            customers: 1,
        })
        .collect()
}

fn facts(
    category: Option<CategoryId>,
    launch: Option<i32>,
    customers: u32,
    advocates: u32,
) -> ProductFacts {
    ProductFacts {
        category,
        launch_month: launch,
        customers: Some(customers),
        advocates: Some(advocates),
    }
}

#[test]
fn portfolio_stages_and_tags_by_hand() {
    let start = month(2020, 1);
    let last = month(2024, 12);
    let mut sales = Vec::new();
    // P0, P1 (category A): steady for five years, 1000 and 500 a month, margin 30%.
    sales.extend(rows(0, start, &[1000.0; 60], 0.3));
    sales.extend(rows(1, start, &[500.0; 60], 0.3));
    // P2 (A): 800 a month for four years, then falling through 2024; margin 5%.
    let mut p2 = vec![800.0; 48];
    p2.extend([
        600.0, 500.0, 400.0, 300.0, 250.0, 200.0, 150.0, 120.0, 100.0, 80.0, 60.0, 50.0,
    ]);
    sales.extend(rows(2, start, &p2, 0.05));
    // P3 (B): launched July 2024, a strong start and still rising; margin 40%.
    let p3 = [1000.0, 1200.0, 1400.0, 1600.0, 1800.0, 2000.0];
    sales.extend(rows(3, month(2024, 7), &p3, 0.4));
    // P4..P8 (B): launched January 2023, 100 a month; margin 30%.
    for p in 4..=8 {
        sales.extend(rows(p, month(2023, 1), &[100.0; 24], 0.3));
    }
    // A sale after the last month: ignored.
    sales.extend(rows(0, month(2025, 1), &[99_999.0], 0.3));
    let mut all_facts = vec![
        facts(A, None, 500, 40),
        facts(A, None, 300, 10),
        facts(A, None, 10, 0),
        facts(B, Some(month(2024, 7)), 200, 5),
    ];
    for _ in 4..=8 {
        all_facts.push(facts(B, Some(month(2023, 1)), 50, 1));
    }
    all_facts.push(facts(B, None, 0, 0)); // P9: never sold
    let p = portfolio(sales, &all_facts, &PortfolioOptions::new(last));
    assert_eq!(p.without_sales, vec![ProductId(9)]);
    assert_eq!(p.first_month, Some(start));
    // Margin rates 0.3, 0.3, 0.05, 0.4, 0.3 × 5: median 0.3. Customers sorted
    // 10, 50 × 5, 200, 300, 500: nearest rank ⌈0.25 · 9⌉ = 3rd = 50.
    close(p.median_margin_rate.unwrap(), 0.3);
    assert_eq!(p.few_customers, Some(50));
    let get = |i: u32| {
        p.products
            .iter()
            .find(|r| r.product == ProductId(i))
            .unwrap()
    };
    let tags = |i: u32| get(i).tags.iter().collect::<Vec<_>>();
    assert_eq!(get(0).stage, Stage::Maturity);
    assert_eq!(tags(0), [Tag::Bestseller, Tag::Longseller]);
    assert_eq!(get(0).revenue, Money::from_major(60_000));
    assert_eq!(get(0).revenue_12m, Money::from_major(12_000));
    assert_eq!(get(0).margin_12m, Some(Money::from_major(3_600)));
    assert!(!get(0).start_observed && get(0).start_revenue.is_none());
    close(get(0).advocates_share.unwrap(), 0.08);
    assert_eq!(tags(1), [Tag::Longseller]);
    assert_eq!(get(2).stage, Stage::Decline);
    assert_eq!(tags(2), [Tag::LineCut]);
    assert_eq!(get(3).stage, Stage::Growth);
    assert_eq!(get(3).start_revenue, Some(Money::from_major(3_600)));
    // B's observed starts: 3600 and 300 × 5 → median 300; 3600 ≥ 3 × 300.
    close(get(3).start_peer_median.unwrap(), 300.0);
    assert_eq!(
        tags(3),
        [Tag::Bestseller, Tag::Blockbuster, Tag::ProductOfMonth]
    );
    close(get(3).recent_increase, 5400.0 - 3600.0);
    for i in 4..=8 {
        assert_eq!(get(i).stage, Stage::Maturity);
        assert!(get(i).tags.iter().next().is_none(), "product {i}");
    }
    // The result does not depend on the rows' order.
    let mut shuffled = Vec::new();
    shuffled.extend(rows(3, month(2024, 7), &p3, 0.4));
    shuffled.extend(rows(0, start, &[1000.0; 60], 0.3));
    let small = portfolio(shuffled.clone(), &all_facts, &PortfolioOptions::new(last));
    shuffled.reverse();
    assert_eq!(
        portfolio(shuffled, &all_facts, &PortfolioOptions::new(last)),
        small
    );
}

#[test]
fn portfolio_edge_cases() {
    let last = month(2024, 12);
    let empty = portfolio(Vec::new(), &[], &PortfolioOptions::new(last));
    assert!(empty.products.is_empty() && empty.first_month.is_none());
    assert_eq!(
        (empty.median_margin_rate, empty.few_customers),
        (None, None)
    );
    // A product without facts or margins: reported, nothing derived from what is missing.
    let mut r = rows(42, month(2024, 1), &[10.0; 12], 0.0);
    for row in &mut r {
        row.margin = None;
    }
    let p = portfolio(r, &[], &PortfolioOptions::new(last));
    let only = &p.products[0];
    assert_eq!(
        (only.category, only.margin, only.margin_rate, only.customers),
        (None, None, None, None)
    );
    // A launch date a thousand years back is clipped to the last 1,200 months.
    let old = ProductFacts {
        launch_month: Some(1000 * 12),
        ..ProductFacts::default()
    };
    let p = portfolio(
        rows(0, last, &[5.0], 0.1),
        &[old],
        &PortfolioOptions::new(last),
    );
    assert_eq!(p.products[0].evidence.age_months, 1_200);
    assert!(!p.products[0].start_observed);
}

fn basket(ids: &[u32]) -> Vec<ProductId> {
    ids.iter().map(|&i| ProductId(i)).collect()
}

fn run(baskets: &[Vec<ProductId>], products: usize, options: BundleOptions) -> BundleReport {
    let mut items = ItemPass::new(products, options);
    for b in baskets {
        items.add_basket(b).unwrap();
    }
    let mut pairs = items.into_pair_pass();
    for b in baskets {
        pairs.add_basket(b).unwrap();
    }
    pairs.finish()
}

#[test]
fn bundles_by_hand() {
    // Baskets {1,2}, {1,2,3}, {1,3}, {2}, {1,2,2}: products 1 and 2 in 4, 3 in 2; pairs
    // (1,2) 3, (1,3) 2, (2,3) 1.
    let baskets = [
        basket(&[1, 2]),
        basket(&[1, 2, 3]),
        basket(&[3, 1]),
        basket(&[2]),
        basket(&[1, 2, 2]),
    ];
    let options = BundleOptions {
        min_support: 0.0,
        min_baskets: 2,
        ..BundleOptions::default()
    };
    let r = run(&baskets, 4, options);
    assert_eq!(
        (r.baskets, r.min_baskets, r.effective_min_baskets),
        (5, 2, 2)
    );
    assert_eq!(
        (r.eligible_products, r.paired_products, r.pairs_found),
        (3, 3, 2)
    );
    // (3 → 1): support 2/5, confidence 2/2, reverse 2/4, lift 0.4 / (0.4 · 0.8) = 1.25.
    let first = r.bundles[0];
    assert_eq!(
        (first.a, first.b, first.baskets),
        (ProductId(3), ProductId(1), 2)
    );
    close(first.support, 0.4);
    close(first.confidence, 1.0);
    close(first.confidence_reverse, 0.5);
    close(first.lift, 1.25);
    // (1, 2): support 3/5, confidence 3/4 both ways (the smaller id is a), lift 0.6/0.64.
    let second = r.bundles[1];
    assert_eq!((second.a, second.b), (ProductId(1), ProductId(2)));
    close(second.lift, 0.6 / 0.64);
    // Minimum support as a share: 50% of 5 baskets → at least 3.
    let share = BundleOptions {
        min_support: 0.5,
        min_baskets: 1,
        ..BundleOptions::default()
    };
    let r = run(&baskets, 4, share);
    assert_eq!((r.min_baskets, r.bundles.len()), (3, 1));
    // Room for one pair only: products 1 and 2 are kept, 3 (in 2 baskets) left out, so the
    // list is complete from 3 baskets up.
    let tight = BundleOptions {
        max_pairs: 1,
        ..options
    };
    let r = run(&baskets, 4, tight);
    assert_eq!(
        (
            r.eligible_products,
            r.paired_products,
            r.effective_min_baskets
        ),
        (3, 2, 3)
    );
    assert_eq!(r.bundles.len(), 1);
    assert_eq!(
        (r.bundles[0].a, r.bundles[0].b),
        (ProductId(1), ProductId(2))
    );
    // Nothing at all.
    let r = run(&[], 4, options);
    assert_eq!((r.baskets, r.bundles.len()), (0, 0));
}

#[test]
fn bundle_lines_must_be_sorted_and_known() {
    let options = BundleOptions {
        min_support: 0.0,
        min_baskets: 1,
        ..BundleOptions::default()
    };
    let lines = [(1u64, 0u32), (1, 1), (2, 0), (2, 1), (5, 1)];
    let r =
        bundles_from_lines(|| lines.iter().map(|&(b, p)| (b, ProductId(p))), 2, options).unwrap();
    assert_eq!((r.baskets, r.bundles[0].baskets), (3, 2));
    let unsorted = [(2u64, 0u32), (1, 1)];
    assert_eq!(
        bundles_from_lines(
            || unsorted.iter().map(|&(b, p)| (b, ProductId(p))),
            2,
            options
        ),
        Err(BundleError::NotSortedByBasket {
            basket: 1,
            previous: 2
        })
    );
    let unknown = [(1u64, 7u32)];
    assert_eq!(
        bundles_from_lines(
            || unknown.iter().map(|&(b, p)| (b, ProductId(p))),
            2,
            options
        ),
        Err(BundleError::UnknownProduct {
            product: 7,
            products: 2
        })
    );
    let none: [(u64, u32); 0] = [];
    let r =
        bundles_from_lines(|| none.iter().map(|&(b, p)| (b, ProductId(p))), 2, options).unwrap();
    assert_eq!(r.baskets, 0);
}

proptest! {
    #[test]
    fn pair_counts_match_brute_force(
        baskets in proptest::collection::vec(proptest::collection::vec(0u32..8, 0..6), 0..40),
        min_baskets in 1u64..4,
        max_pairs in 0usize..30,
    ) {
        let baskets: Vec<Vec<ProductId>> = baskets.iter().map(|b| basket(b)).collect();
        let options = BundleOptions { min_support: 0.0, min_baskets, max_pairs, max_bundles: 1000 };
        let r = run(&baskets, 8, options);
        let has = |b: &Vec<ProductId>, p: u32| b.contains(&ProductId(p));
        let mut expected = Vec::new();
        for p in 0..8u32 {
            for q in p + 1..8 {
                let both = baskets.iter().filter(|b| has(b, p) && has(b, q)).count() as u64;
                if both >= r.effective_min_baskets {
                    expected.push((p, q, both));
                }
            }
        }
        let mut found: Vec<(u32, u32, u64)> = r
            .bundles
            .iter()
            .map(|b| (b.a.0.min(b.b.0), b.a.0.max(b.b.0), b.baskets))
            .collect();
        found.sort_unstable();
        prop_assert_eq!(found, expected);
        prop_assert!(r.effective_min_baskets >= min_baskets);
        let f = r.paired_products;
        prop_assert!(f * f.saturating_sub(1) / 2 <= max_pairs || f <= 1);
        for b in &r.bundles {
            prop_assert!(b.confidence <= 1.0 && b.confidence_reverse <= b.confidence && b.lift > 0.0);
        }
    }
}

#[test]
fn cross_category_suggestions() {
    let (a, b, c, d) = (CategoryId(1), CategoryId(2), CategoryId(3), CategoryId(4));
    let mut customers: Vec<(Rung, Vec<CategoryId>)> = Vec::new();
    // 100 regulars: 40 buy A, 30 of them B too; 5 others buy B alone; 25 buy C; 30 buy D
    // (of whom the 10 A-buyers without B also buy D).
    for i in 0..100 {
        let mut cats = Vec::new();
        if i < 40 {
            cats.push(a);
        }
        if i < 30 || (40..45).contains(&i) {
            cats.push(b);
        }
        if (45..70).contains(&i) {
            cats.push(c);
        }
        if (30..40).contains(&i) || (70..90).contains(&i) {
            cats.push(d);
        }
        customers.push((Rung::Regular, cats));
    }
    // 30 newcomers buy A and C together, 10 only D.
    for _ in 0..30 {
        customers.push((Rung::Newcomer, vec![a, c]));
    }
    for _ in 0..10 {
        customers.push((Rung::Newcomer, vec![d]));
    }
    let options = CrossSellOptions::default();
    let model = CrossSell::new(customers.iter().map(|(r, c)| (*r, c.as_slice())), &options);
    assert_eq!(model.customers(Rung::Regular), 100);
    // A regular who bought only A: B (30 of A's 40 buyers: 0.75; 35% of all regulars buy B,
    // lift 0.75 / 0.35); D: 10 of 40 = 0.25 against 30% overall, lift 0.83 ≤ 1: not suggested.
    let s = model.suggest(Rung::Regular, &[a]);
    assert_eq!(s.len(), 1);
    assert_eq!((s[0].category, s[0].because_of, s[0].peers), (b, a, 40));
    close(s[0].share_of_peers, 0.75);
    close(s[0].lift, 0.75 / 0.35);
    // Already bought B: nothing new from A.
    assert!(model.suggest(Rung::Regular, &[a, b]).is_empty());
    // A newcomer who bought A: C, from newcomers only (30 of 30; 30 of 40 newcomers buy C:
    // lift 4/3). With the bar at lift 4/3 it is no longer "more likely than usual".
    let s = model.suggest(Rung::Newcomer, &[a]);
    assert_eq!((s.len(), s[0].category, s[0].share_of_peers), (1, c, 1.0));
    close(s[0].lift, 4.0 / 3.0);
    let high_bar = CrossSellOptions {
        min_lift: 4.0 / 3.0,
        ..options
    };
    let rebuilt =
        |o: &CrossSellOptions| CrossSell::new(customers.iter().map(|(r, c)| (*r, c.as_slice())), o);
    assert!(rebuilt(&high_bar).suggest(Rung::Newcomer, &[a]).is_empty());
    // Too few peers: a threshold above 40 silences A.
    let strict = CrossSellOptions {
        min_peers: 41,
        ..options
    };
    assert!(rebuilt(&strict).suggest(Rung::Regular, &[a]).is_empty());
    // At most max_suggestions, best first.
    let one = CrossSellOptions {
        max_suggestions: 0,
        ..options
    };
    assert!(rebuilt(&one).suggest(Rung::Regular, &[a]).is_empty());
    // A rung nobody is on, and a customer with no purchases.
    assert!(model.suggest(Rung::Advocate, &[a]).is_empty());
    assert!(model.suggest(Rung::Regular, &[]).is_empty());
}
