//! The database as a whole: migrations, counting, and SQLite backups.

use clientele_core::Money;
use clientele_store::{Store, StoreError};

use crate::{day, line, on_both};

#[test]
fn migrations_create_every_table_and_rerun_cleanly() {
    on_both(|store| async move {
        for table in [
            "customers",
            "order_lines",
            "orders",
            "score_snapshots",
            "audit_log",
            "users",
        ] {
            assert_eq!(store.count(table).await.unwrap(), 0, "{table}");
        }
        assert!(matches!(
            store.count("customers; DROP TABLE users").await,
            Err(StoreError::Invalid { .. })
        ));
    });
}

#[test]
fn sqlite_backup_restores_to_the_same_data() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}", dir.path().join("live.db").display());
        let store = Store::connect(&url).await.unwrap();
        let mut tx = store.begin_import("k.csv").await.unwrap();
        tx.add(&[
            line("a", Some("o1"), "p", day(2024, 1, 1), 100),
            line("b", Some("o2"), "p", day(2024, 1, 2), 30),
        ])
        .await
        .unwrap();
        tx.commit(2, 0).await.unwrap();
        let copy = dir.path().join("copy.db");
        store.backup_to(&copy).await.unwrap();
        assert!(matches!(
            store.backup_to(&copy).await,
            Err(StoreError::Invalid { .. })
        ));
        // The live database changes after the backup; the copy does not.
        store.upsert_customer_id_only("later").await.unwrap();
        let restored = Store::connect(&format!("sqlite://{}", copy.display()))
            .await
            .unwrap();
        assert_eq!(restored.count("order_lines").await.unwrap(), 2);
        assert_eq!(restored.count("customers").await.unwrap(), 2);
        let s = restored.summaries(day(2024, 1, 31)).await.unwrap();
        assert_eq!(
            s.customers.iter().map(|c| c.1.revenue).sum::<Money>(),
            Money::from_major(130)
        );
        assert_eq!(store.count("customers").await.unwrap(), 3);
    });
}
