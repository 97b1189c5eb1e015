//! The contact policy's storage: consent history, preferences, caps, the policy's inputs and
//! the contact log, on both backends.

use clientele_core::Rung;
use clientele_core::contact_policy::{MessageKind, Module};
use clientele_store::{
    Channel, ConsentImportRow, ContactLogFilter, ContactPreferences, ContactState, CustomerEdit,
    NewConsent, NewContactLogEntry, NewCustomer, Role, Scope, StoreError, StoredCap,
};

use crate::{day, on_both};

fn consent(channel: Channel, granted: bool, d: clientele_core::Day, source: &str) -> NewConsent {
    NewConsent {
        channel,
        granted,
        day: d,
        source: source.into(),
    }
}

fn entry(customer: i64, at: i64, kind: MessageKind) -> NewContactLogEntry {
    NewContactLogEntry {
        customer_id: customer,
        channel: Channel::Email,
        kind,
        module: Module::Calendar,
        state: ContactState::Planned,
        planned_for: Some(at),
        subject: "birthday".into(),
        reason: Some("preferred channel".into()),
        user_id: None,
        author: Some("test".into()),
    }
}

#[test]
fn consent_history_keeps_withdrawals_and_respects_the_scope() {
    on_both(|store| async move {
        let mila = store.add_user("mila", Role::Manager).await.unwrap().user;
        let oleg = store.add_user("oleg", Role::Manager).await.unwrap().user;
        let anna = store
            .upsert_customer(&NewCustomer {
                external_id: "anna".into(),
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        store
            .edit_customer_audited(
                Scope::All,
                anna,
                "test",
                &CustomerEdit {
                    manager_user_id: Some(Some(mila.id)),
                    ..CustomerEdit::default()
                },
            )
            .await
            .unwrap();
        let mine = Scope::Manager(mila.id);
        store
            .record_consent_as(
                mine,
                anna,
                &consent(Channel::Email, true, day(2025, 1, 10), "card"),
                "mila",
            )
            .await
            .unwrap();
        let withdrawn = store
            .record_consent_as(
                mine,
                anna,
                &consent(Channel::Email, false, day(2025, 3, 1), "api"),
                "mila",
            )
            .await
            .unwrap();
        assert!(!withdrawn.granted);
        assert_eq!(withdrawn.recorded_by.as_deref(), Some("mila"));
        // Another manager neither reads nor writes it.
        let theirs = Scope::Manager(oleg.id);
        assert!(matches!(
            store.consent_history(theirs, anna).await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store
                .record_consent_as(
                    theirs,
                    anna,
                    &consent(Channel::Sms, true, day(2025, 3, 1), "api"),
                    "oleg"
                )
                .await,
            Err(StoreError::NotFound { .. })
        ));
        // An empty source is refused, nothing written.
        assert!(matches!(
            store
                .record_consent_as(
                    mine,
                    anna,
                    &consent(Channel::Sms, true, day(2025, 3, 1), "  "),
                    "mila"
                )
                .await,
            Err(StoreError::Invalid {
                field: "source",
                ..
            })
        ));
        let history = store.consent_history(Scope::All, anna).await.unwrap();
        assert_eq!(history.len(), 2, "the withdrawal is kept beside the grant");
        assert_eq!(
            history
                .iter()
                .map(|e| (e.granted, e.day, e.source.as_str()))
                .collect::<Vec<_>>(),
            vec![
                (true, day(2025, 1, 10), "card"),
                (false, day(2025, 3, 1), "api")
            ]
        );
        // Importing the same file twice writes it once.
        let rows = vec![ConsentImportRow {
            customer_id: anna,
            consent: consent(Channel::Sms, true, day(2025, 2, 1), "shop form"),
        }];
        assert_eq!(store.import_consents(&rows, "import").await.unwrap(), 1);
        assert_eq!(store.import_consents(&rows, "import").await.unwrap(), 0);
        assert_eq!(
            store.consent_history(Scope::All, anna).await.unwrap().len(),
            3
        );
    });
}

#[test]
fn preferences_caps_and_inputs_round_trip() {
    on_both(|store| async move {
        let anna = store
            .upsert_customer(&NewCustomer {
                external_id: "anna".into(),
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        let boris = store
            .upsert_customer(&NewCustomer {
                external_id: "boris".into(),
                preferred_channel: Some(Channel::Sms),
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        assert_eq!(
            store.contact_preferences(Scope::All, anna).await.unwrap(),
            ContactPreferences::default()
        );
        let prefs = ContactPreferences {
            preferred_channel: Some(Channel::Email),
            time_zone: Some("Asia/Vladivostok".into()),
            quiet_hours: Some((22 * 60, 8 * 60 + 30)),
        };
        store
            .set_contact_preferences(Scope::All, anna, &prefs, "test")
            .await
            .unwrap();
        assert_eq!(
            store.contact_preferences(Scope::All, anna).await.unwrap(),
            prefs
        );
        assert!(matches!(
            store
                .set_contact_preferences(
                    Scope::All,
                    anna,
                    &ContactPreferences {
                        quiet_hours: Some((1440, 0)),
                        ..prefs.clone()
                    },
                    "test"
                )
                .await,
            Err(StoreError::Invalid {
                field: "quiet_hours",
                ..
            })
        ));

        assert!(store.contact_caps().await.unwrap().is_empty());
        let regular = StoredCap {
            rung: Some(Rung::Regular),
            per_week: Some(1),
            per_month: None,
        };
        let default = StoredCap {
            rung: None,
            per_week: Some(3),
            per_month: Some(8),
        };
        store.set_contact_cap(&regular, "admin").await.unwrap();
        store.set_contact_cap(&default, "admin").await.unwrap();
        assert_eq!(store.contact_caps().await.unwrap(), vec![default, regular]);
        assert!(
            store
                .set_contact_cap(
                    &StoredCap {
                        per_week: Some(1001),
                        ..default
                    },
                    "admin"
                )
                .await
                .is_err()
        );

        store
            .add_contact(anna, Channel::Email, "anna@example.com")
            .await
            .unwrap();
        store
            .record_consent_as(
                Scope::All,
                anna,
                &consent(Channel::Email, true, day(2025, 1, 1), "card"),
                "t",
            )
            .await
            .unwrap();
        let inputs = store
            .contact_inputs(Some(&[boris, anna, 999]))
            .await
            .unwrap();
        assert_eq!(inputs.len(), 2, "an unknown id is left out");
        assert_eq!(inputs[0].external_id, "boris");
        assert_eq!(inputs[0].preferred_channel, Some(Channel::Sms));
        assert!(inputs[0].consents.is_empty());
        let a = &inputs[1];
        assert_eq!(a.reachable, vec![Channel::Email]);
        assert_eq!(a.time_zone.as_deref(), Some("Asia/Vladivostok"));
        assert_eq!(a.quiet_hours, Some((1320, 510)));
        assert_eq!(a.consents.len(), 1);
        assert_eq!(store.contact_inputs(None).await.unwrap().len(), 2);
    });
}

#[test]
fn the_contact_log_records_counts_and_moves_contacts() {
    on_both(|store| async move {
        let mila = store.add_user("mila", Role::Manager).await.unwrap().user;
        let anna = store
            .upsert_customer(&NewCustomer {
                external_id: "anna".into(),
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        let boris = store
            .upsert_customer(&NewCustomer {
                external_id: "boris".into(),
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        store
            .edit_customer_audited(
                Scope::All,
                anna,
                "test",
                &CustomerEdit {
                    manager_user_id: Some(Some(mila.id)),
                    ..CustomerEdit::default()
                },
            )
            .await
            .unwrap();
        // More rows than one insert batch, to cross the batch boundary.
        let mut batch: Vec<NewContactLogEntry> = (0..2_100)
            .map(|i| entry(boris, 1_000_000 + i, MessageKind::Offer))
            .collect();
        batch.push(entry(anna, 2_000_000, MessageKind::Greeting));
        batch.push(entry(anna, 2_000_100, MessageKind::ServiceNotice));
        let ids = store.record_contacts(&batch).await.unwrap();
        assert_eq!(ids.len(), 2_102);
        assert!(
            ids.windows(2).all(|w| w[0] < w[1]),
            "ids in the order given"
        );
        // A hand-logged contact of the older kind (no kind, no module) counts too.
        store
            .log_contact(anna, Channel::Phone, true, None, "call", Some("answered"))
            .await
            .unwrap();

        let counted = store.counted_contacts(1_500_000).await.unwrap();
        let annas: Vec<_> = counted.iter().filter(|c| c.customer_id == anna).collect();
        assert_eq!(
            annas.len(),
            3,
            "greeting, service notice and the hand-logged call"
        );
        assert_eq!(counted.iter().filter(|c| c.customer_id == boris).count(), 0);

        let mine = store
            .contact_log(
                Scope::Manager(mila.id),
                &ContactLogFilter {
                    limit: 100,
                    ..ContactLogFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(mine.len(), 3, "only Anna's rows reach her manager");
        assert!(mine.iter().all(|e| e.external_id == "anna"));
        let greeting = mine
            .iter()
            .find(|e| e.kind == Some(MessageKind::Greeting))
            .unwrap();
        assert_eq!(greeting.module, Some(Module::Calendar));
        assert_eq!(greeting.state, ContactState::Planned);
        assert_eq!(greeting.planned_for, Some(2_000_000));

        // Cancelling takes it out of the counted contacts; another manager cannot.
        assert!(matches!(
            store
                .set_contact_state(
                    Scope::Manager(mila.id),
                    ids[0],
                    ContactState::Cancelled,
                    "mila"
                )
                .await,
            Err(StoreError::NotFound { .. })
        ));
        let moved = store
            .set_contact_state(
                Scope::Manager(mila.id),
                greeting.id,
                ContactState::Cancelled,
                "mila",
            )
            .await
            .unwrap();
        assert_eq!(moved.state, ContactState::Cancelled);
        assert_eq!(
            store
                .counted_contacts(1_500_000)
                .await
                .unwrap()
                .iter()
                .filter(|c| c.customer_id == anna)
                .count(),
            2
        );
        let filtered = store
            .contact_log(
                Scope::All,
                &ContactLogFilter {
                    from: Some(1_000_000),
                    until: Some(1_000_010),
                    module: Some(Module::Calendar),
                    state: Some(ContactState::Planned),
                    limit: 100,
                    ..ContactLogFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(filtered.len(), 10);
        assert_eq!(filtered[0].planned_for, Some(1_000_009), "newest first");
        // A hostile subject is refused before anything is written.
        let before = store.count("contact_log").await.unwrap();
        let mut long = entry(anna, 1, MessageKind::Offer);
        long.subject = "x".repeat(501);
        assert!(
            store
                .record_contacts(&[entry(anna, 1, MessageKind::Offer), long])
                .await
                .is_err()
        );
        assert_eq!(store.count("contact_log").await.unwrap(), before);
    });
}
