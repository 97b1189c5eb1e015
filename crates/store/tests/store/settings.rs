//! Settings of the whole database, and the sample the currency is detected from.

use clientele_store::{Channel, NewCustomer, Setting, StoreError};

use crate::on_both;

#[test]
fn a_setting_is_set_replaced_and_cleared() {
    on_both(|store| async move {
        assert_eq!(store.setting(Setting::Currency).await.unwrap(), None);
        store.set_setting(Setting::Currency, "RUB").await.unwrap();
        assert_eq!(
            store.setting(Setting::Currency).await.unwrap().as_deref(),
            Some("RUB")
        );
        store.set_setting(Setting::Currency, " USD ").await.unwrap();
        assert_eq!(
            store.setting(Setting::Currency).await.unwrap().as_deref(),
            Some("USD")
        );
        for bad in ["", "   ", &"x".repeat(201)] {
            assert!(matches!(
                store.set_setting(Setting::Currency, bad).await,
                Err(StoreError::Invalid {
                    field: "currency",
                    ..
                })
            ));
        }
        store.clear_setting(Setting::Currency).await.unwrap();
        assert_eq!(store.setting(Setting::Currency).await.unwrap(), None);
        assert_eq!(Setting::parse("currency"), Some(Setting::Currency));
        assert_eq!(Setting::parse("colour"), None);
    });
}

#[test]
fn the_evidence_is_the_first_phones_and_names() {
    on_both(|store| async move {
        let mut ids = Vec::new();
        for (i, name) in ["Ольга", "Пётр", "Анна"].into_iter().enumerate() {
            let id = store
                .upsert_customer(&NewCustomer {
                    external_id: format!("C-{i}"),
                    name: Some(name.into()),
                    ..NewCustomer::default()
                })
                .await
                .unwrap();
            store
                .add_contact(id, Channel::Phone, &format!("+7912000000{i}"))
                .await
                .unwrap();
            store
                .add_contact(id, Channel::Email, &format!("c{i}@example.com"))
                .await
                .unwrap();
            ids.push(id);
        }
        let e = store.currency_evidence(2).await.unwrap();
        assert_eq!(e.phones, vec!["+79120000000", "+79120000001"]);
        assert_eq!(e.names, vec!["Ольга", "Пётр"]);
    });
}
