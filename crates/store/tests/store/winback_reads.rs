//! The daily queue's reads: the snapshot's own last purchase day (written by scoring, as of
//! the snapshot: a later purchase is not in it), the fallback to the order lines for snapshots
//! written before the column, and the same rows on SQLite's direct path and PostgreSQL's pool.

use clientele_core::Status;
use clientele_store::Scope;

use crate::{day, execute, line, on_both, score};

#[test]
fn the_queue_reads_the_snapshots_last_purchase_and_falls_back_to_the_lines() {
    on_both(|store| async move {
        // n: bought twice in 2023 (the later on 1 June), then once more in 2025, after the
        // snapshot of 2024-12-31.
        let lines = vec![
            line("n", Some("n1"), "p", day(2023, 3, 1), 60),
            line("n", Some("n2"), "p", day(2023, 6, 1), 70),
            line("n", Some("n3"), "p", day(2025, 2, 1), 80),
        ];
        let mut tx = store.begin_import("t.csv").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(lines.len() as u64, 0).await.unwrap();
        let as_of = day(2024, 12, 31);
        score(&store, as_of).await;

        let rows = store.queue_snapshot(Scope::All, None, as_of).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].status,
            Some(Status::Lost),
            "18 months without a purchase"
        );
        assert_eq!(
            rows[0].last_purchase,
            Some(day(2023, 6, 1)),
            "the snapshot's own last purchase, not the later one"
        );

        // A snapshot written before the column: the last line's day, read from the lines.
        execute(&store, "UPDATE score_snapshots SET last_purchase = NULL").await;
        let rows = store.queue_snapshot(Scope::All, None, as_of).await.unwrap();
        assert_eq!(rows[0].last_purchase, Some(day(2025, 2, 1)));

        // Only lost customers' last purchase is read.
        execute(&store, "UPDATE score_snapshots SET status = 'slipping'").await;
        let rows = store.queue_snapshot(Scope::All, None, as_of).await.unwrap();
        assert_eq!(rows[0].last_purchase, None);

        // A manager's scope without customers of theirs reads nothing.
        let rows = store
            .queue_snapshot(Scope::Manager(i64::MAX), None, as_of)
            .await
            .unwrap();
        assert!(rows.is_empty());

        // The cross-category model's input: each (customer, category) once.
        let mut pairs = store.customer_categories(None).await.unwrap();
        pairs.sort();
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!(pairs[0].1, "small");
    });
}
