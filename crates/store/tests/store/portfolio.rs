//! The portfolio's reads (issue 28): monthly sales per product with costs from the lines or
//! the products file's unit cost, buyers and advocates per product, baskets streamed once
//! each (orders, and a customer's day for lines without an order id), and the products file.

use clientele_core::Money;
use clientele_store::{NewOrderLine, NewProduct, StoreError};

use crate::{day, line, on_both, score};

fn products_of(baskets: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = baskets
        .iter()
        .map(|b| {
            let mut b = b.clone();
            b.sort();
            b
        })
        .collect();
    out.sort();
    out
}

#[test]
fn months_buyers_and_baskets_are_read_as_counted_by_hand() {
    on_both(|store| async move {
        store
            .save_products(&[NewProduct {
                product: "Z".into(),
                name: Some("Зонт".into()),
                category: Some("rain".into()),
                launch: Some(day(2023, 12, 1)),
                unit_cost: Some(Money::from_major(3)),
                partner: Some("Umbrella Co".into()),
            }])
            .await
            .unwrap();
        let mut tx = store.begin_import("orders.csv").await.unwrap();
        let z_without_cost = NewOrderLine {
            cost: None,
            quantity: Some(2.0),
            ..line("c", None, "Z", day(2024, 3, 1), 50)
        };
        let lines = vec![
            line("a", Some("o1"), "X", day(2024, 1, 15), 10),
            line("a", Some("o1"), "Y", day(2024, 1, 15), 20),
            line("b", Some("o2"), "X", day(2024, 2, 10), 30),
            line("c", None, "X", day(2024, 2, 20), 40),
            line("c", None, "Y", day(2024, 2, 20), 60),
            z_without_cost,
            // A return of X: revenue down, not a basket, not a buyer.
            line("d", Some("r1"), "X", day(2024, 2, 25), -10),
            // After the day asked: not read.
            line("a", Some("o9"), "X", day(2024, 5, 1), 1000),
            // No product: not a product's sales.
            line("a", Some("o3"), "", day(2024, 1, 20), 5),
        ];
        tx.add(&lines).await.unwrap();
        tx.commit(lines.len() as u64, 0).await.unwrap();
        let last = day(2024, 3, 31);

        let mut months = store.product_months(last).await.unwrap();
        months.sort_by(|a, b| (&a.product, a.month).cmp(&(&b.product, b.month)));
        let got: Vec<(String, i32, Money, Option<Money>)> = months
            .iter()
            .map(|m| (m.product.clone(), m.month, m.revenue, m.cost))
            .collect();
        let jan = 2024 * 12;
        assert_eq!(
            got,
            vec![
                (
                    "X".into(),
                    jan,
                    Money::from_major(10),
                    Some(Money::from_major(5))
                ),
                // 30 + 40 − 10; costs 15 + 20 − 5 (the return's cost as stored: half of −10).
                (
                    "X".into(),
                    jan + 1,
                    Money::from_major(60),
                    Some(Money::from_major(30))
                ),
                (
                    "Y".into(),
                    jan,
                    Money::from_major(20),
                    Some(Money::from_major(10))
                ),
                (
                    "Y".into(),
                    jan + 1,
                    Money::from_major(60),
                    Some(Money::from_major(30))
                ),
                // No cost on the line: the unit cost 3 × quantity 2.
                (
                    "Z".into(),
                    jan + 2,
                    Money::from_major(50),
                    Some(Money::from_major(6))
                ),
            ]
        );

        let mut buyers = store.product_buyers(last).await.unwrap();
        buyers.sort_by(|a, b| a.product.cmp(&b.product));
        let got: Vec<(String, Option<String>, u32, Option<u32>)> = buyers
            .iter()
            .map(|b| {
                (
                    b.product.clone(),
                    b.category.clone(),
                    b.customers,
                    b.advocates,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("X".into(), Some("small".into()), 3, None),
                ("Y".into(), Some("small".into()), 2, None),
                ("Z".into(), Some("small".into()), 1, None),
            ]
        );

        let mut baskets: Vec<Vec<String>> = Vec::new();
        let n = store
            .for_each_basket(last, &mut |b: &[String]| baskets.push(b.to_vec()))
            .await
            .unwrap();
        assert_eq!(n, 4);
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            products_of(&baskets),
            vec![s(&["X"]), s(&["X", "Y"]), s(&["X", "Y"]), s(&["Z"])]
        );

        // After scoring, the advocates are counted (some number, never more than the buyers).
        score(&store, last).await;
        let buyers = store.product_buyers(last).await.unwrap();
        assert!(
            buyers
                .iter()
                .all(|b| b.advocates.is_some_and(|a| a <= b.customers))
        );

        let stored = store.products().await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].launch, Some(day(2023, 12, 1)));
        assert_eq!(stored[0].partner.as_deref(), Some("Umbrella Co"));
    });
}

#[test]
fn a_products_file_is_written_whole_or_not_at_all() {
    on_both(|store| async move {
        let good = NewProduct {
            product: "A".into(),
            name: None,
            category: None,
            launch: None,
            unit_cost: None,
            partner: None,
        };
        let bad = NewProduct {
            product: "  ".into(),
            ..good.clone()
        };
        let err = store.save_products(&[good.clone(), bad]).await.unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "product",
                    ..
                }
            ),
            "{err}"
        );
        assert!(store.products().await.unwrap().is_empty());
        // Written again, a product is updated, not doubled.
        store
            .save_products(std::slice::from_ref(&good))
            .await
            .unwrap();
        let renamed = NewProduct {
            name: Some("Alpha".into()),
            ..good
        };
        store.save_products(&[renamed]).await.unwrap();
        let stored = store.products().await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].name.as_deref(), Some("Alpha"));
    });
}
