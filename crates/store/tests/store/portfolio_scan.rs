//! The portfolio's one pass (`Store::scan_portfolio`, issue 28 item 7) against the three
//! separate reads it replaced (monthly sales, buyers and advocates, baskets), which stay as its
//! reference, and against values counted by hand: orders and a customer's day without an order
//! id as baskets, returns in revenue but not in buyers or baskets, the unit cost standing in for
//! a missing line cost, the smallest category, lines after the day asked left out.

use std::collections::BTreeMap;

use clientele_core::Money;
use clientele_store::{NewOrderLine, NewProduct, PortfolioScan, Store};

use crate::{day, line, on_both, score};

/// The scan's baskets as sorted product names, sorted.
async fn scan(store: &Store, last: clientele_core::Day) -> (PortfolioScan, Vec<Vec<String>>) {
    let mut ids: Vec<Vec<u32>> = Vec::new();
    let scan = store
        .scan_portfolio(last, &mut |b: &[u32]| ids.push(b.to_vec()))
        .await
        .unwrap();
    let mut baskets: Vec<Vec<String>> = ids
        .iter()
        .map(|b| {
            let mut names: Vec<String> = b
                .iter()
                .map(|&i| scan.products[i as usize].product.clone())
                .collect();
            names.sort();
            names
        })
        .collect();
    baskets.sort();
    (scan, baskets)
}

#[test]
fn one_pass_gives_what_the_three_reads_give_and_what_was_counted_by_hand() {
    on_both(|store| async move {
        store
            .save_products(&[NewProduct {
                product: "Z".into(),
                name: None,
                category: None,
                launch: None,
                unit_cost: Some(Money::from_major(3)),
                partner: None,
            }])
            .await
            .unwrap();
        let no_cost = |l: NewOrderLine, quantity: Option<f64>| NewOrderLine {
            cost: None,
            quantity,
            ..l
        };
        let lines = vec![
            line("a", Some("o1"), "X", day(2024, 1, 15), 10),
            line("a", Some("o1"), "Y", day(2024, 1, 15), 20),
            // X's second category: "big" (over 100) sorts before "small".
            line("a", Some("o2"), "X", day(2024, 2, 3), 150),
            line("b", Some("o3"), "X", day(2024, 2, 10), 30),
            // Without order ids: one basket per day.
            line("c", None, "X", day(2024, 2, 20), 40),
            line("c", None, "Y", day(2024, 2, 20), 60),
            line("c", None, "Y", day(2024, 2, 21), 8),
            // No cost: 3 × 2 from the products file.
            no_cost(line("c", None, "Z", day(2024, 3, 1), 50), Some(2.0)),
            // No cost and no quantity: March's cost of Z is unknown.
            no_cost(line("d", Some("o4"), "Z", day(2024, 3, 5), 12), None),
            // Returns: revenue down, not a buyer, not in a basket; R has only a return.
            line("d", Some("r1"), "X", day(2024, 2, 25), -10),
            line("e", Some("r2"), "R", day(2024, 2, 25), -4),
            // After the day asked.
            line("a", Some("o9"), "X", day(2024, 5, 1), 1000),
            // No product.
            line("a", Some("o5"), "", day(2024, 1, 20), 5),
        ];
        let mut tx = store.begin_import("orders.csv").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(lines.len() as u64, 0).await.unwrap();
        let last = day(2024, 3, 31);

        let (got, baskets) = scan(&store, last).await;
        assert_eq!(got.lines, 11);
        assert_eq!(got.baskets, 7);
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            baskets,
            vec![
                s(&["X"]),
                s(&["X"]),
                s(&["X", "Y"]),
                s(&["X", "Y"]),
                s(&["Y"]),
                s(&["Z"]),
                s(&["Z"]),
            ]
        );
        let by_name: BTreeMap<&str, _> = got
            .products
            .iter()
            .map(|p| {
                (
                    p.product.as_str(),
                    (p.category.as_deref(), p.customers, p.advocates),
                )
            })
            .collect();
        assert_eq!(
            by_name,
            BTreeMap::from([
                ("R", (None, None, None)),
                ("X", (Some("big"), Some(3), None)),
                ("Y", (Some("small"), Some(2), None)),
                ("Z", (Some("small"), Some(2), None)),
            ])
        );
        let jan = 2024 * 12;
        let mut months: Vec<(&str, i32, Money, Option<Money>)> = got
            .months
            .iter()
            .map(|m| {
                let name = got.products[m.product as usize].product.as_str();
                (name, m.month, m.revenue, m.cost)
            })
            .collect();
        months.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        let m = Money::from_major;
        assert_eq!(
            months,
            vec![
                ("R", jan + 1, m(-4), Some(m(-2))),
                ("X", jan, m(10), Some(m(5))),
                // 150 + 30 + 40 − 10; costs 75 + 15 + 20 − 5.
                ("X", jan + 1, m(210), Some(m(105))),
                ("Y", jan, m(20), Some(m(10))),
                ("Y", jan + 1, m(68), Some(m(34))),
                ("Z", jan + 2, m(62), None),
            ]
        );

        // The reference reads agree, after scoring too (advocates counted).
        score(&store, last).await;
        let (got, scanned_baskets) = scan(&store, last).await;
        assert!(got.advocates_known);
        let mut reference = store.product_months(last).await.unwrap();
        reference.sort_by(|a, b| (&a.product, a.month).cmp(&(&b.product, b.month)));
        let mut mine: Vec<(String, i32, Money, Option<Money>)> = got
            .months
            .iter()
            .map(|m| {
                let p = got.products[m.product as usize].product.clone();
                (p, m.month, m.revenue, m.cost)
            })
            .collect();
        mine.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        let theirs: Vec<(String, i32, Money, Option<Money>)> = reference
            .into_iter()
            .map(|m| (m.product, m.month, m.revenue, m.cost))
            .collect();
        assert_eq!(mine, theirs);
        let buyers = store.product_buyers(last).await.unwrap();
        for b in &buyers {
            let p = got
                .products
                .iter()
                .find(|p| p.product == b.product)
                .unwrap();
            assert_eq!(
                (&p.category, p.customers, p.advocates),
                (&b.category, Some(b.customers), b.advocates),
                "{}",
                b.product
            );
        }
        assert_eq!(buyers.len(), 3, "R, only returned, has no buyers");
        let mut reference_baskets: Vec<Vec<String>> = Vec::new();
        store
            .for_each_basket(last, &mut |b: &[String]| {
                let mut b = b.to_vec();
                b.sort();
                reference_baskets.push(b);
            })
            .await
            .unwrap();
        reference_baskets.sort();
        assert_eq!(scanned_baskets, reference_baskets);
    });
}

#[test]
fn an_empty_store_scans_to_nothing() {
    on_both(|store| async move {
        let (got, baskets) = scan(&store, day(2024, 1, 1)).await;
        assert_eq!(got, PortfolioScan::default());
        assert!(baskets.is_empty());
    });
}
