//! Personal data: export and erasure.

use clientele_core::Money;
use clientele_store::{Channel, NewCustomer, StoreError};

use crate::{day, line, on_both};

#[test]
fn export_and_erase_keep_the_totals() {
    on_both(|store| async move {
        let id = store
            .upsert_customer(&NewCustomer {
                external_id: "p-1".into(),
                name: Some("Ivan Petrov".into()),
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        store
            .add_contact(id, Channel::Phone, "+79001234567")
            .await
            .unwrap();
        store
            .add_note(id, "anna", None, "Lives near the shop")
            .await
            .unwrap();
        let mut tx = store.begin_import("e.csv").await.unwrap();
        tx.add(&[
            line("p-1", Some("o1"), "p", day(2024, 1, 1), 100),
            line("q-2", Some("o2"), "p", day(2024, 1, 2), 50),
        ])
        .await
        .unwrap();
        tx.commit(2, 0).await.unwrap();
        let export = store.export_customer(id, "admin").await.unwrap();
        assert_eq!(export.customer.name.as_deref(), Some("Ivan Petrov"));
        assert_eq!(export.contacts.len(), 1);
        assert_eq!(export.notes.len(), 1);
        assert_eq!(export.order_lines.len(), 1);
        assert_eq!(export.audit.len(), 1);
        let as_of = day(2024, 1, 31);
        let before: Money = store
            .summaries(as_of)
            .await
            .unwrap()
            .customers
            .iter()
            .map(|c| c.1.revenue)
            .sum();
        store.erase_customer(id, "admin").await.unwrap();
        let after = store.summaries(as_of).await.unwrap();
        assert_eq!(
            after.customers.iter().map(|c| c.1.revenue).sum::<Money>(),
            before
        );
        assert_eq!(before, Money::from_major(150));
        let row = store.customer(id).await.unwrap();
        assert_eq!(row.name, None);
        assert_eq!(row.external_id, format!("erased-{id}"));
        assert!(row.erased_at.is_some());
        assert!(store.customer_id("p-1").await.is_err());
        assert!(store.contacts(id).await.unwrap().is_empty());
        assert!(store.notes(id).await.unwrap().is_empty());
        let again = store.export_customer(id, "admin").await.unwrap();
        let actions: Vec<&str> = again.audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["export", "erase", "export"]);
        assert!(matches!(
            store.erase_customer(id + 99, "admin").await,
            Err(StoreError::NotFound { .. })
        ));
    });
}
