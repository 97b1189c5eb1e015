//! Orders: imports file by file, and the summaries computed by the database.

use clientele_core::Money;
use clientele_store::NewOrderLine;

use crate::{day, line, on_both};

#[test]
fn importing_the_same_lines_twice_changes_nothing() {
    on_both(|store| async move {
        let lines = vec![
            line("c1", Some("o1"), "p1", day(2024, 1, 1), 100),
            line("c1", Some("o1"), "p2", day(2024, 1, 1), 40),
            // The same line exported twice: kept once.
            line("c1", Some("o1"), "p2", day(2024, 1, 1), 40),
            // A return of o1's p2 carries o1's id: not a copy of the sale.
            line("c1", Some("o1"), "p2", day(2024, 1, 5), -40),
            line("c2", None, "", day(2024, 1, 2), 10),
        ];
        let mut tx = store.begin_import("a.csv").await.unwrap();
        tx.add(&lines).await.unwrap();
        let counts = tx.commit(5, 0).await.unwrap();
        assert_eq!(
            (counts.inserted, counts.unchanged, counts.new_customers),
            (4, 1, 2)
        );
        let mut tx = store.begin_import("a.csv").await.unwrap();
        tx.add(&lines).await.unwrap();
        let again = tx.commit(5, 0).await.unwrap();
        assert_eq!(
            (again.inserted, again.unchanged, again.new_customers),
            (0, 5, 0)
        );
        assert_eq!(store.count("order_lines").await.unwrap(), 4);
        assert_eq!(store.count("customers").await.unwrap(), 2);
        // The orders view: one keyed order (o1); c2's line has no order id.
        assert_eq!(store.count("orders").await.unwrap(), 1);
        assert_eq!(store.count("imports").await.unwrap(), 2);
    });
}

#[test]
fn an_import_not_committed_leaves_nothing() {
    on_both(|store| async move {
        let mut tx = store.begin_import("b.csv").await.unwrap();
        let lines: Vec<NewOrderLine> = (0..2500)
            .map(|i| {
                line(
                    &format!("c{}", i % 300),
                    Some(&format!("o{i}")),
                    "p",
                    day(2024, 2, 1),
                    10,
                )
            })
            .collect();
        tx.add(&lines).await.unwrap();
        assert_eq!(tx.staged(), 2500);
        drop(tx);
        assert_eq!(store.count("order_lines").await.unwrap(), 0);
        assert_eq!(store.count("customers").await.unwrap(), 0);
        assert_eq!(store.count("imports").await.unwrap(), 0);
        let tx = store.begin_import("c.csv").await.unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(store.count("imports").await.unwrap(), 0);
    });
}

#[test]
fn sql_summary_matches_a_hand_computed_customer() {
    on_both(|store| async move {
        // Purchases on Jan 1 (two orders), Jan 11, Jan 31 and Mar 2; a return on Feb 1; one line
        // after the as-of day. Orders: o1, o2, o3, o4, o5 = 5 (o1 has two lines).
        let mut lines = vec![
            line("a", Some("o1"), "x", day(2024, 1, 1), 100),
            line("a", Some("o1"), "y", day(2024, 1, 1), 20),
            line("a", Some("o2"), "x", day(2024, 1, 1), 30),
            line("a", Some("o3"), "x", day(2024, 1, 11), 200),
            line("a", Some("o4"), "x", day(2024, 1, 31), 10),
            line("a", Some("o3"), "x", day(2024, 2, 1), -50),
            line("a", Some("o5"), "x", day(2024, 3, 2), 40),
            line("a", Some("o6"), "x", day(2024, 5, 1), 999),
        ];
        lines[4].cost = None;
        let mut tx = store.begin_import("h.csv").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(8, 0).await.unwrap();
        let as_of = day(2024, 3, 31);
        let s = store.summaries(as_of).await.unwrap();
        assert_eq!(s.customers.len(), 1);
        let (id, a) = &s.customers[0];
        assert_eq!(&**id, "a");
        assert_eq!(a.orders, 5);
        assert_eq!(a.returns, 1);
        assert_eq!(
            *a.days,
            [
                day(2024, 1, 1),
                day(2024, 1, 11),
                day(2024, 1, 31),
                day(2024, 3, 2)
            ]
        );
        assert_eq!(*a.day_amounts, [150, 200, 10, 40].map(Money::from_major));
        assert_eq!(a.first_day_amount, Money::from_major(150));
        assert_eq!(a.gross_sales, Money::from_major(400));
        assert_eq!(a.revenue, Money::from_major(350));
        // Costs: 50 + 10 + 15 + 100 + (none) − 25 + 20 = 170; one line without cost.
        assert_eq!(a.cost, Money::from_major(170));
        assert!(!a.cost_complete);
        // Full price when amount % 20 == 0: 100, 20, 200, 40 of 6 purchase lines.
        assert_eq!(a.full_price_share, Some(4.0 / 6.0));
        assert_eq!(s.categories, vec!["big".to_string(), "small".to_string()]);
        assert_eq!(a.categories.len(), 2);
        assert_eq!(a.tenure_days(), Some(90));
        assert_eq!(store.last_order_day().await.unwrap(), Some(day(2024, 5, 1)));
    });
}

#[test]
fn the_stored_lines_stream_back_as_exported_in_batches() {
    on_both(|store| async move {
        let mut unkeyed = line("c2", None, "", day(2024, 1, 2), 10);
        unkeyed.price = Some(Money::from_units(12_345));
        unkeyed.list_price = Some(Money::from_units(20_000));
        unkeyed.full_price = None;
        unkeyed.category = None;
        unkeyed.cost = None;
        unkeyed.quantity = None;
        // The same content again, one occurrence later: a line of its own.
        let mut again = unkeyed.clone();
        again.occurrence = 1;
        let lines = vec![
            line("c1", Some("o1"), "p1", day(2024, 1, 1), 100),
            line("c1", Some("o1"), "p2", day(2024, 1, 1), 40),
            line("c1", Some("o1"), "p2", day(2024, 1, 5), -40),
            unkeyed.clone(),
            again,
        ];
        let mut tx = store.begin_import("a.csv").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(5, 0).await.unwrap();
        let mut batches = Vec::new();
        let handed = store
            .for_each_order_line(2, &mut |batch| {
                batches.push(batch);
                true
            })
            .await
            .unwrap();
        assert_eq!(handed, 5);
        assert_eq!(
            batches.iter().map(Vec::len).collect::<Vec<_>>(),
            [2, 2, 1],
            "batches of two"
        );
        let mut got: Vec<_> = batches.into_iter().flatten().collect();
        // Keyed lines carry their order id, the others none (sorted here: the order stored is
        // the import's business).
        got.sort_by(|a, b| {
            (a.customer.as_str(), a.amount.units()).cmp(&(b.customer.as_str(), b.amount.units()))
        });
        let sale = &got[2];
        assert_eq!(
            (
                sale.customer.as_str(),
                sale.order_id.as_deref(),
                sale.product.as_deref()
            ),
            ("c1", Some("o1"), Some("p1"))
        );
        assert_eq!(sale.day, day(2024, 1, 1));
        assert_eq!(sale.amount, Money::from_major(100));
        assert_eq!(sale.cost, Some(Money::from_major(50)));
        assert_eq!(sale.quantity, Some(1.0));
        assert_eq!(sale.category.as_deref(), Some("small"));
        assert_eq!(sale.full_price, Some(true));
        assert_eq!(got[0].amount, Money::from_major(-40));
        assert_eq!(got[0].order_id.as_deref(), Some("o1"));
        assert_eq!(got[1].product.as_deref(), Some("p2"));
        for stored in &got[3..] {
            assert_eq!(stored.customer, "c2");
            assert_eq!(stored.order_id, None, "no order id: none exported");
            assert_eq!(stored.product, None, "no product: none exported");
            assert_eq!(stored.price, Some(Money::from_units(12_345)));
            assert_eq!(stored.list_price, Some(Money::from_units(20_000)));
            assert_eq!(
                (stored.cost, stored.quantity, stored.full_price),
                (None, None, None)
            );
            assert_eq!(stored.category, None);
        }
        // `false` stops after the batch in hand.
        let mut seen = 0;
        let handed = store
            .for_each_order_line(2, &mut |batch| {
                seen += batch.len();
                false
            })
            .await
            .unwrap();
        assert_eq!((handed, seen), (2, 2));
    });
}
