//! Imports in bounded chunks (issue 23, items 3, 4, 6 and 7): staged lines are read by no one
//! until the import is published, a crashed import is discarded or finished by the next one, the
//! store's total of amounts stays within what 64-bit sums hold, erased customers are not created
//! again, and lines without order ids are known by their content.

use clientele_core::Money;
use clientele_core::bounds::MAX_AMOUNT;
use clientele_store::{NewCustomer, NewOrderLine, Scope, Store, StoreError};

use crate::{day, execute, line, on_both, scalar};

fn unkeyed(
    customer: &str,
    product: &str,
    amount: i64,
    row_line: u64,
    occurrence: u32,
) -> NewOrderLine {
    NewOrderLine {
        row_line,
        occurrence,
        ..line(customer, None, product, day(2024, 3, 1), amount)
    }
}

/// Nothing of an import is read before it is published — no line in the summaries, the last
/// order day or a card, no customer created — and everything is at once after.
#[test]
fn staged_lines_are_read_by_no_one_until_published() {
    on_both(|store| async move {
        let known = store
            .upsert_customer(&NewCustomer {
                external_id: "known".into(),
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        let mut tx = store.begin_import("big.csv").await.unwrap();
        // More than one staging chunk (8,192 lines) and one publishing chunk.
        let lines: Vec<NewOrderLine> = (0..20_000)
            .map(|i| {
                let customer = if i % 2 == 0 {
                    "known".to_string()
                } else {
                    format!("n{}", i % 700)
                };
                line(
                    &customer,
                    Some(&format!("o{i}")),
                    "p",
                    day(2024, 1, 1 + (i % 28) as u32),
                    10,
                )
            })
            .collect();
        tx.add(&lines).await.unwrap();
        assert_eq!(tx.staged(), 20_000);
        let as_of = day(2024, 2, 1);
        assert!(store.summaries(as_of).await.unwrap().customers.is_empty());
        assert_eq!(store.last_order_day().await.unwrap(), None);
        assert_eq!(store.count("customers").await.unwrap(), 1);
        assert_eq!(store.count("order_lines").await.unwrap(), 0);
        assert_eq!(store.count("import_staging").await.unwrap(), 20_000);
        let card = store.customer_card(Scope::All, known).await.unwrap();
        assert!(card.orders.is_empty());

        let counts = tx.commit(20_000, 3).await.unwrap();
        assert_eq!(
            (counts.inserted, counts.unchanged, counts.new_customers),
            (20_000, 0, 350)
        );
        let summaries = store.summaries(as_of).await.unwrap();
        assert_eq!(summaries.customers.len(), 351);
        let revenue: Money = summaries.customers.iter().map(|c| c.1.revenue).sum();
        assert_eq!(revenue, Money::from_major(200_000));
        assert_eq!(
            store.last_order_day().await.unwrap(),
            Some(day(2024, 1, 28))
        );
        assert_eq!(store.count("import_staging").await.unwrap(), 0);
        assert_eq!(store.count("staged_imports").await.unwrap(), 0);
        let recorded: (i64, i64, i64, i64) = (
            scalar(&store, "SELECT rows FROM imports").await,
            scalar(&store, "SELECT inserted FROM imports").await,
            scalar(&store, "SELECT unchanged FROM imports").await,
            scalar(&store, "SELECT rejected FROM imports").await,
        );
        assert_eq!(recorded, (20_000, 20_000, 0, 3));
        // Published lines are read while another import is publishing... and the lines of the
        // publishing one are not: made to look half-way through by hand.
        let mut tx = store.begin_import("more.csv").await.unwrap();
        tx.add(&[line("known", Some("late"), "p", day(2024, 1, 30), 1000)])
            .await
            .unwrap();
        execute(
            &store,
            "INSERT INTO imports (id, file, imported_at, rows, inserted, unchanged, rejected)
             VALUES (999, 'more.csv', 0, 1, 0, 0, 0)",
        )
        .await;
        execute(
            &store,
            "UPDATE staged_imports SET state = 'publishing', import_id = 999",
        )
        .await;
        execute(
            &store,
            "INSERT INTO order_lines (import_id, customer_id, keyed, order_ref, product, is_return, day, amount)
             SELECT 999, id, TRUE, 'half', 'p', FALSE, 19752, 10000000 FROM customers WHERE external_id = 'known'",
        )
        .await;
        let card = store.customer_card(Scope::All, known).await.unwrap();
        assert!(card.orders.iter().all(|o| o.order_ref != "half"));
        assert_eq!(
            store.last_order_day().await.unwrap(),
            Some(day(2024, 1, 28))
        );
        let again: Money = store
            .summaries(as_of)
            .await
            .unwrap()
            .customers
            .iter()
            .map(|c| c.1.revenue)
            .sum();
        assert_eq!(again, revenue);
        assert_eq!(store.count("orders").await.unwrap(), 20_000);
        drop(tx);
    });
}

/// A crash while staging (the import dropped without a word, its heartbeat stopped) is
/// discarded by the next import; its owner, if it comes back, is told so and writes nothing.
/// A crash while publishing is finished by the next import: the file was accepted whole.
#[test]
fn a_stale_import_is_discarded_or_finished_by_the_next() {
    on_both(|store| async move {
        let mut lost = store.begin_import("lost.csv").await.unwrap();
        lost.add(&[line("a", Some("o1"), "p", day(2024, 1, 1), 10)])
            .await
            .unwrap();
        execute(&store, "UPDATE staged_imports SET heartbeat_at = 0").await;
        let next = store.begin_import("next.csv").await.unwrap();
        assert_eq!(store.count("import_staging").await.unwrap(), 0);
        assert_eq!(store.count("staged_imports").await.unwrap(), 1);
        let late = lost
            .add(&[line("a", Some("o2"), "p", day(2024, 1, 2), 10)])
            .await;
        match late {
            Err(StoreError::Invalid {
                field: "import",
                reason,
            }) => {
                assert!(reason.contains("taken for abandoned"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(store.count("import_staging").await.unwrap(), 0);
        next.rollback().await.unwrap();
        assert_eq!(store.count("staged_imports").await.unwrap(), 0);

        // Publishing, then silence: the lines are staged and an imports row exists.
        let mut crashed = store.begin_import("crashed.csv").await.unwrap();
        let lines: Vec<NewOrderLine> = (0..10_000)
            .map(|i| {
                line(
                    &format!("c{}", i % 50),
                    Some(&format!("o{i}")),
                    "p",
                    day(2024, 1, 5),
                    3,
                )
            })
            .collect();
        crashed.add(&lines).await.unwrap();
        drop(crashed);
        execute(
            &store,
            "INSERT INTO imports (id, file, imported_at, rows, inserted, unchanged, rejected)
             VALUES (500, 'crashed.csv', 0, 10000, 0, 0, 0)",
        )
        .await;
        execute(
            &store,
            "UPDATE staged_imports SET state = 'publishing', import_id = 500, rows = 10000,
                    magnitude = 400000000, heartbeat_at = 0",
        )
        .await;
        execute(
            &store,
            "UPDATE store_totals SET line_magnitude = line_magnitude + 400000000",
        )
        .await;
        assert!(
            store
                .summaries(day(2024, 2, 1))
                .await
                .unwrap()
                .customers
                .is_empty()
        );
        let after = store.begin_import("after.csv").await.unwrap();
        after.rollback().await.unwrap();
        assert_eq!(store.count("order_lines").await.unwrap(), 10_000);
        assert_eq!(store.count("customers").await.unwrap(), 50);
        assert_eq!(store.count("staged_imports").await.unwrap(), 0);
        let inserted: i64 = scalar(&store, "SELECT inserted FROM imports WHERE id = 500").await;
        assert_eq!(inserted, 10_000);
        let revenue: Money = store
            .summaries(day(2024, 2, 1))
            .await
            .unwrap()
            .customers
            .iter()
            .map(|c| c.1.revenue)
            .sum();
        assert_eq!(revenue, Money::from_major(30_000));
        // 10,000 lines of |3| + |1| (the helper's cost is half the amount, in whole units).
        let total: i64 = scalar(&store, "SELECT line_magnitude FROM store_totals").await;
        assert_eq!(total, 10_000 * (3 + 1) * Money::SCALE);
    });
}

/// Two orders of 922,337,203,685,477 each made every later score fail with "integer overflow":
/// such amounts are refused now, and however many imports there are, the store's total of
/// amounts and costs never passes what a 64-bit sum holds, so no sum can overflow.
#[test]
fn no_sum_of_stored_amounts_can_overflow() {
    on_both(|store| async move {
        let mut tx = store.begin_import("api").await.unwrap();
        let huge = NewOrderLine {
            amount: Money::from_units(922_337_203_685_477 * Money::SCALE),
            ..line("h", Some("o1"), "p", day(2024, 1, 1), 1)
        };
        match tx.add(&[huge]).await {
            Err(StoreError::Invalid {
                field: "amount", ..
            }) => {}
            other => panic!("{other:?}"),
        }
        tx.rollback().await.unwrap();
        // Lines at the bound: 200 per import, |amount| + |cost| = 2 x 10^16 each.
        let at_bound = |import: usize| -> Vec<NewOrderLine> {
            (0..200)
                .map(|i| NewOrderLine {
                    amount: MAX_AMOUNT,
                    cost: Some(MAX_AMOUNT),
                    ..line(
                        &format!("b{i}"),
                        Some(&format!("o{import}-{i}")),
                        "p",
                        day(2024, 1, 1),
                        1,
                    )
                })
                .collect()
        };
        for import in 0..2 {
            let mut tx = store.begin_import("bound.csv").await.unwrap();
            tx.add(&at_bound(import)).await.unwrap();
            tx.commit(200, 0).await.unwrap();
        }
        // 3 x 200 x 2 x 10^16 = 1.2 x 10^19 > i64::MAX: the third is refused whole.
        let mut tx = store.begin_import("bound.csv").await.unwrap();
        tx.add(&at_bound(2)).await.unwrap();
        match tx.commit(200, 0).await {
            Err(StoreError::Invalid {
                field: "amount",
                reason,
            }) => {
                assert!(
                    reason.contains("refused so that no total can overflow"),
                    "{reason}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(store.count("order_lines").await.unwrap(), 400);
        assert_eq!(store.count("import_staging").await.unwrap(), 0);
        let total: i64 = scalar(&store, "SELECT line_magnitude FROM store_totals").await;
        assert_eq!(total, 400 * 2 * MAX_AMOUNT.units());
        // Every sum the store forms fits: 200 customers with two lines of 10^12 each.
        let summaries = store.summaries(day(2024, 1, 31)).await.unwrap();
        assert_eq!(summaries.customers.len(), 200);
        let revenue: i128 = summaries
            .customers
            .iter()
            .map(|c| i128::from(c.1.revenue.units()))
            .sum();
        assert_eq!(revenue, 400 * i128::from(MAX_AMOUNT.units()));
        crate::score(&store, day(2024, 1, 31)).await;
    });
}

/// An erased customer is not created again: their lines are refused with the reason, by an
/// import and by the API's path alike, and a customers file cannot bring them back either.
#[test]
fn an_erased_customer_is_never_created_again() {
    on_both(|store| async move {
        let mut tx = store.begin_import("first.csv").await.unwrap();
        tx.add(&[
            line("gone", Some("o1"), "p", day(2024, 1, 1), 100),
            line("stays", Some("o2"), "p", day(2024, 1, 1), 50),
        ])
        .await
        .unwrap();
        tx.commit(2, 0).await.unwrap();
        let id = store.customer_id("gone").await.unwrap();
        store.erase_customer(id, "admin").await.unwrap();
        assert!(store.is_erased_id("gone").await.unwrap());
        assert!(!store.is_erased_id("stays").await.unwrap());
        assert_eq!(store.count("erased_customers").await.unwrap(), 1);
        // The tombstone is a keyed hash, not the id.
        let mark: String = scalar(&store, "SELECT id_hmac FROM erased_customers").await;
        assert_eq!(mark.len(), 64);
        assert!(!mark.contains("gone"));

        let mut tx = store.begin_import("again.csv").await.unwrap();
        match tx
            .add(&[line("gone", Some("o1"), "p", day(2024, 1, 1), 100)])
            .await
        {
            Err(StoreError::Invalid {
                field: "customer",
                reason,
            }) => {
                assert!(reason.contains("'gone' was erased on request"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        tx.add(&[line("stays", Some("o2"), "p", day(2024, 1, 1), 50)])
            .await
            .unwrap();
        let counts = tx.commit(1, 0).await.unwrap();
        assert_eq!(
            (counts.inserted, counts.unchanged, counts.new_customers),
            (0, 1, 0)
        );
        assert!(store.customer_id("gone").await.is_err());
        assert_eq!(store.count("order_lines").await.unwrap(), 2);
        for created in [
            store
                .upsert_customer(&NewCustomer {
                    external_id: "gone".into(),
                    name: Some("Back again".into()),
                    ..NewCustomer::default()
                })
                .await
                .map(drop),
            store.upsert_customer_id_only("gone").await.map(drop),
        ] {
            assert!(matches!(
                created,
                Err(StoreError::Invalid {
                    field: "external_id",
                    ..
                })
            ));
        }
        // Erasing it again (already anonymous) adds no second tombstone.
        store.erase_customer(id, "admin").await.unwrap();
        assert_eq!(store.count("erased_customers").await.unwrap(), 1);
    });
}

/// Lines of exports without order ids are known by content: a re-export with a line added at
/// the top (every line moved down) adds that line only; two identical lines of one file are two
/// purchases, kept both, and not again on a second import.
#[test]
fn lines_without_order_ids_are_known_by_content_not_position() {
    on_both(|store| async move {
        let first = vec![
            unkeyed("a", "tea", 10, 2, 0),
            unkeyed("a", "tea", 10, 3, 1),
            unkeyed("b", "tea", 10, 4, 0),
            unkeyed("a", "tea", -10, 5, 0),
        ];
        let mut tx = store.begin_import("export.csv").await.unwrap();
        tx.add(&first).await.unwrap();
        let counts = tx.commit(4, 0).await.unwrap();
        assert_eq!((counts.inserted, counts.unchanged), (4, 0));
        let mut again = vec![unkeyed("c", "cake", 7, 2, 0)];
        again.extend(first.iter().map(|l| NewOrderLine {
            row_line: l.row_line + 1,
            ..l.clone()
        }));
        let mut tx = store.begin_import("export.csv").await.unwrap();
        tx.add(&again).await.unwrap();
        let counts = tx.commit(5, 0).await.unwrap();
        assert_eq!((counts.inserted, counts.unchanged), (1, 4));
        assert_eq!(store.count("order_lines").await.unwrap(), 5);
        let revenue: Money = store
            .summaries(day(2024, 3, 31))
            .await
            .unwrap()
            .customers
            .iter()
            .map(|c| c.1.revenue)
            .sum();
        assert_eq!(revenue, Money::from_major(10 + 10 + 10 - 10 + 7));
    });
}

/// The stored-line bounds hold whoever calls the store: a day in 2999, an id with NUL, a
/// product of 1,001 characters are refused naming the field (and the line, when it has one).
#[test]
fn the_store_holds_the_bounds_too() {
    on_both(|store: Store| async move {
        let mut tx = store.begin_import("bad.csv").await.unwrap();
        let cases: Vec<(NewOrderLine, &str)> = vec![
            (line("a", Some("o"), "p", day(2999, 12, 31), 1), "day"),
            (line("a\0b", Some("o"), "p", day(2024, 1, 1), 1), "customer"),
            (line("a", Some("o\n"), "p", day(2024, 1, 1), 1), "order_id"),
            (
                line("a", Some("o"), &"x".repeat(1001), day(2024, 1, 1), 1),
                "product",
            ),
            (
                NewOrderLine {
                    quantity: Some(f64::NAN),
                    ..line("a", Some("o"), "p", day(2024, 1, 1), 1)
                },
                "quantity",
            ),
        ];
        for (bad, field) in cases {
            let bad = NewOrderLine { row_line: 7, ..bad };
            match tx.add(&[bad]).await {
                Err(StoreError::Invalid { field: f, reason }) => {
                    assert_eq!(f, field, "{reason}");
                    assert!(reason.starts_with("line 7: "), "{reason}");
                }
                other => panic!("{field}: {other:?}"),
            }
        }
        assert_eq!(tx.staged(), 0);
        tx.rollback().await.unwrap();
    });
}
