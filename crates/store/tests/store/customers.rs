//! Customers: records, customers files, the card on both read paths.

use clientele_core::{AbcClass, Day, Money};
use clientele_store::{
    Channel, ConsentRecord, Cursor, CustomerEdit, CustomerFilter, DateRule, NewCustomer,
    NewOrderLine, PersonalDateRecord, Role, Scope, Segment, Store, StoreError, SurveyRecord,
};

use crate::{day, line, on_both, score};

/// A customers-file row keeps its e-mail and phone as contacts (not only as a fallback id),
/// and applying the same file again adds nothing.
#[test]
fn a_profile_keeps_its_contacts_once() {
    on_both(|store| async move {
        let profile = clientele_core::CustomerProfile {
            id: "C-1".into(),
            name: Some("Вера".into()),
            email: Some("vera@example.ru".into()),
            phone: Some("+79123456789".into()),
            ..clientele_core::CustomerProfile::default()
        };
        let today = day(2024, 5, 1);
        let id = store.apply_profile(&profile, today).await.unwrap();
        assert_eq!(store.apply_profile(&profile, today).await.unwrap(), id);
        let mut contacts: Vec<(Channel, String)> = store
            .contacts(id)
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.channel, c.value))
            .collect();
        contacts.sort_by_key(|(c, _)| c.as_str());
        assert_eq!(
            contacts,
            vec![
                (Channel::Email, "vera@example.ru".to_string()),
                (Channel::Phone, "+79123456789".to_string()),
            ]
        );
    });
}

#[test]
fn customers_and_their_records_round_trip() {
    on_both(|store| async move {
        let id = store
            .upsert_customer(&NewCustomer {
                external_id: "ext-1".into(),
                name: Some("Anna".into()),
                preferred_channel: Some(Channel::Email),
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        assert_eq!(store.customer_id("ext-1").await.unwrap(), id);
        assert!(matches!(
            store.customer_id("nobody").await,
            Err(StoreError::NotFound {
                what: "customer",
                ..
            })
        ));
        assert!(matches!(
            store.customer(id + 1000).await,
            Err(StoreError::NotFound { .. })
        ));
        store
            .add_contact(id, Channel::Email, "anna@example.org")
            .await
            .unwrap();
        store
            .add_contact(id, Channel::Email, "anna@example.org")
            .await
            .unwrap();
        assert_eq!(store.contacts(id).await.unwrap().len(), 1);
        let consent = |granted, d| ConsentRecord {
            channel: Channel::Email,
            granted,
            day: d,
            source: "web form".into(),
        };
        store
            .record_consent(id, &consent(true, day(2024, 1, 1)))
            .await
            .unwrap();
        store
            .record_consent(id, &consent(false, day(2024, 6, 1)))
            .await
            .unwrap();
        assert!(
            store
                .has_consent(id, Channel::Email, day(2024, 3, 1))
                .await
                .unwrap()
        );
        assert!(
            !store
                .has_consent(id, Channel::Email, day(2024, 7, 1))
                .await
                .unwrap()
        );
        assert!(
            !store
                .has_consent(id, Channel::Sms, day(2024, 3, 1))
                .await
                .unwrap()
        );
        store.add_tag(id, "vip").await.unwrap();
        assert_eq!(store.tags(id).await.unwrap(), vec!["vip".to_string()]);
        let dates = [
            PersonalDateRecord {
                label: "birthday".into(),
                rule: DateRule::Yearly {
                    month: 2,
                    day: 29,
                    since: Some(1990),
                },
            },
            PersonalDateRecord {
                label: "name day".into(),
                rule: DateRule::OrthodoxEaster { offset_days: 7 },
            },
        ];
        for d in &dates {
            store.add_personal_date(id, d).await.unwrap();
        }
        assert_eq!(store.personal_dates(id).await.unwrap(), dates.to_vec());
        let bad = PersonalDateRecord {
            label: "x".into(),
            rule: DateRule::Yearly {
                month: 13,
                day: 1,
                since: None,
            },
        };
        assert!(matches!(
            store.add_personal_date(id, &bad).await,
            Err(StoreError::Invalid { .. })
        ));
        store
            .add_note(id, "maria", None, "Prefers calls after 6 pm")
            .await
            .unwrap();
        let notes = store.notes(id).await.unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].author, "maria");
        assert!(store.add_note(id, "maria", None, "  ").await.is_err());
        store
            .add_survey_response(
                id,
                &SurveyRecord {
                    day: day(2024, 2, 1),
                    nps: Some(11),
                    comment: None,
                    source: "survey".into(),
                },
            )
            .await
            .expect_err("NPS above 10 is refused");
    });
}

/// The server reads cards through `Store::card_reader`: on SQLite, reader threads with their own
/// read-only connections; on PostgreSQL, the pool. Either way it must give exactly the card
/// `Store::customer_card` gives: every list, its order and limits, and the same refusals (a
/// manager asking for another manager's customer, a missing id).
#[test]
fn the_card_reader_gives_the_same_cards_as_the_pool() {
    use clientele_store::{CARD_ORDERS, CARD_SNAPSHOTS};
    on_both(|store| async move {
        let reader = store.card_reader(None).unwrap();
        assert_eq!(
            reader.is_direct(),
            store.backend() == clientele_store::Backend::Sqlite
        );
        let manager = store.add_user("mila", Role::Manager).await.unwrap().user;
        let other_manager = store.add_user("oleg", Role::Manager).await.unwrap().user;
        let full = store
            .upsert_customer(&NewCustomer {
                external_id: "full".into(),
                name: Some("Фёдор Иванов".into()),
                preferred_channel: Some(Channel::Phone),
                manager: Some("Mila".into()),
                image_client: true,
                ..NewCustomer::default()
            })
            .await
            .unwrap();
        let bare = store.upsert_customer_id_only("bare").await.unwrap();
        for (channel, value) in [
            (Channel::Phone, "+7 900 000-00-02"),
            (Channel::Email, "z@example.com"),
            (Channel::Email, "a@example.com"),
        ] {
            store.add_contact(full, channel, value).await.unwrap();
        }
        for (granted, d) in [(true, day(2025, 2, 1)), (false, day(2025, 1, 1))] {
            let consent = ConsentRecord {
                channel: Channel::Sms,
                granted,
                day: d,
                source: "call".into(),
            };
            store.record_consent(full, &consent).await.unwrap();
        }
        for tag in ["vip", "b2b", "москва"] {
            store.add_tag(full, tag).await.unwrap();
        }
        for (label, rule) in [
            (
                "birthday",
                DateRule::Yearly {
                    month: 2,
                    day: 29,
                    since: Some(1988),
                },
            ),
            (
                "wedding",
                DateRule::Once {
                    day: day(2015, 6, 20),
                },
            ),
            (
                "mother's day",
                DateRule::NthWeekday {
                    month: 11,
                    weekday: 7,
                    nth: -1,
                },
            ),
            ("pentecost", DateRule::Easter { offset_days: 49 }),
            (
                "orthodox easter",
                DateRule::OrthodoxEaster { offset_days: 0 },
            ),
        ] {
            let date = PersonalDateRecord {
                label: label.into(),
                rule,
            };
            store.add_personal_date(full, &date).await.unwrap();
        }
        for body in ["first", "second", "third"] {
            store.add_note(full, "ana", None, body).await.unwrap();
        }
        // 52 orders on 52 days (o00 on day 0 .. o51 on day 51), o51 with a second line and a
        // return of 5: only the 50 newest show.
        let first = day(2024, 1, 1);
        let mut lines: Vec<NewOrderLine> = (0..52)
            .map(|i| {
                let d = Day::from_days_since_epoch(first.days_since_epoch() + i);
                line("full", Some(&format!("o{i:02}")), "p", d, i64::from(i) + 1)
            })
            .collect();
        let last = Day::from_days_since_epoch(first.days_since_epoch() + 51);
        lines.push(line("full", Some("o51"), "q", last, 10));
        lines.push(line("full", Some("o51"), "q", last, -5));
        let mut tx = store.begin_import("t.csv").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(lines.len() as u64, 0).await.unwrap();
        // 13 monthly snapshots: only the 12 newest show.
        for m in 0..13u32 {
            let (y, mm) = if m < 11 {
                (2024, m + 2)
            } else {
                (2025, m - 10)
            };
            score(&store, day(y, mm, 1)).await;
        }
        store
            .edit_customer_audited(
                Scope::All,
                full,
                "test",
                &CustomerEdit {
                    manager_user_id: Some(Some(manager.id)),
                    ..CustomerEdit::default()
                },
            )
            .await
            .unwrap();

        let pooled = store.customer_card(Scope::All, full).await.unwrap();
        assert_eq!(
            reader.customer_card(Scope::All, full).await.unwrap(),
            pooled
        );
        // The card holds what was written (so the equality above compares real content).
        assert_eq!(pooled.customer.name.as_deref(), Some("Фёдор Иванов"));
        assert_eq!(pooled.manager_user.as_deref(), Some("mila"));
        assert_eq!(pooled.contacts.len(), 3);
        assert_eq!(pooled.contacts[0].value, "a@example.com");
        assert_eq!(
            pooled
                .consents
                .iter()
                .map(|c| c.granted)
                .collect::<Vec<_>>(),
            vec![false, true]
        );
        assert_eq!(pooled.tags, vec!["b2b", "vip", "москва"]);
        assert_eq!(pooled.personal_dates.len(), 5);
        assert_eq!(pooled.personal_dates[0].label, "birthday");
        assert_eq!(pooled.notes.len(), 3);
        assert_eq!(pooled.orders.len() as i64, CARD_ORDERS);
        // o51: 52 + 10 - 5 = 57 over three lines; the oldest shown is o02 (3).
        assert_eq!(pooled.orders[0].order_ref, "o51");
        assert_eq!(pooled.orders[0].lines, 3);
        assert_eq!(pooled.orders[0].amount, Money::from_major(57));
        assert_eq!(pooled.orders[49].order_ref, "o02");
        assert_eq!(pooled.orders[49].amount, Money::from_major(3));
        assert_eq!(pooled.snapshots.len() as i64, CARD_SNAPSHOTS);
        assert_eq!(pooled.snapshots[0].as_of, day(2025, 2, 1));
        assert_eq!(pooled.snapshots[11].as_of, day(2024, 3, 1));

        // A customer with nothing but an id, and the manager's own scope.
        let pooled_bare = store.customer_card(Scope::All, bare).await.unwrap();
        assert_eq!(
            reader.customer_card(Scope::All, bare).await.unwrap(),
            pooled_bare
        );
        assert!(pooled_bare.contacts.is_empty() && pooled_bare.orders.is_empty());
        let mine = Scope::Manager(manager.id);
        assert_eq!(reader.customer_card(mine, full).await.unwrap(), pooled);
        // Refusals: another manager's customer, an unassigned one, a missing id.
        let theirs = Scope::Manager(other_manager.id);
        for (scope, id) in [(theirs, full), (mine, bare), (Scope::All, 999_999)] {
            let from_pool = store.customer_card(scope, id).await;
            let from_reader = reader.customer_card(scope, id).await;
            assert!(
                matches!(from_pool, Err(StoreError::NotFound { .. })),
                "{scope:?} {id}: {from_pool:?}"
            );
            assert!(
                matches!(from_reader, Err(StoreError::NotFound { .. })),
                "{scope:?} {id}: {from_reader:?}"
            );
        }
        // A change made through the pool shows in the reader's next card.
        store.add_note(full, "ana", None, "fourth").await.unwrap();
        let after = reader.customer_card(Scope::All, full).await.unwrap();
        assert_eq!(after.notes.last().map(|n| n.body.as_str()), Some("fourth"));
        assert_eq!(after, store.customer_card(Scope::All, full).await.unwrap());
    });
}

/// A stored value this version cannot read (an ABC class or RFM cell written by something else)
/// fails the read, naming the column and the value, on every read path of the snapshot row;
/// nothing is shown without it.
#[test]
fn a_stored_value_this_version_cannot_read_is_an_error() {
    on_both(|store| async move {
        let id = store.upsert_customer_id_only("odd").await.unwrap();
        let sql = "INSERT INTO score_snapshots (as_of, customer_id, rung, status, turn, orders, purchase_days, revenue, profit, scored_at, abc, rfm)
                   VALUES (19800, $1, 'regular', 'slipping', 1, 3, 3, 0, 0, 0, $2, $3)";
        macro_rules! insert {
            ($pool:expr, $abc:expr, $rfm:expr) => {
                sqlx::query(sql)
                    .bind(id)
                    .bind($abc)
                    .bind($rfm)
                    .execute($pool)
                    .await
                    .map(|_| ())
                    .unwrap()
            };
        }
        match &store {
            Store::Sqlite(pool) => insert!(pool, "Z", "555"),
            Store::Postgres(pool) => insert!(pool, "Z", "555"),
        };
        let unreadable = |e: StoreError| match e {
            StoreError::Unreadable { column, value } => (column, value),
            other => panic!("{other:?}"),
        };
        let want = ("score_snapshots.abc", "Z".to_string());
        assert_eq!(
            unreadable(store.card_history(id, 5).await.unwrap_err()),
            want
        );
        assert_eq!(
            unreadable(store.customer_card(Scope::All, id).await.unwrap_err()),
            want
        );
        let reader = store.card_reader(None).unwrap();
        assert_eq!(
            unreadable(reader.customer_card(Scope::All, id).await.unwrap_err()),
            want
        );
        let listed = store
            .dashboard_customers(Scope::All, &CustomerFilter::default(), Cursor::First, 10)
            .await;
        assert_eq!(unreadable(listed.unwrap_err()), want);
        // An RFM cell out of 1-5.
        let update = "UPDATE score_snapshots SET abc = 'A', rfm = '506' WHERE customer_id = $1";
        match &store {
            Store::Sqlite(pool) => sqlx::query(update)
                .bind(id)
                .execute(pool)
                .await
                .map(|_| ())
                .unwrap(),
            Store::Postgres(pool) => sqlx::query(update)
                .bind(id)
                .execute(pool)
                .await
                .map(|_| ())
                .unwrap(),
        };
        assert_eq!(
            unreadable(store.card_history(id, 5).await.unwrap_err()),
            ("score_snapshots.rfm", "506".to_string())
        );
    });
}

/// One filter and one row type serve both customer lists: the same typed filter (rung, status,
/// sub-group, ABC class or RFM cell) selects the same customers in the API's list and the
/// dashboard's, with the same row values; they differ only in how they match text.
#[test]
fn both_customer_lists_read_one_filter_into_one_row_type() {
    on_both(|store| async move {
        let manager = store.add_user("mila", Role::Manager).await.unwrap().user;
        let mut lines = Vec::new();
        for (n, customer) in ["a1", "a2", "b1", "b2", "c1"].iter().enumerate() {
            for k in 0..=n {
                let d = day(2024, 1 + k as u32, 5);
                lines.push(line(
                    customer,
                    Some(&format!("{customer}-{k}")),
                    "p",
                    d,
                    50 + 30 * n as i64,
                ));
            }
        }
        let mut tx = store.begin_import("l.csv").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(lines.len() as u64, 0).await.unwrap();
        let a1 = store.customer_id("a1").await.unwrap();
        store
            .edit_customer_audited(
                Scope::All,
                a1,
                "test",
                &CustomerEdit {
                    manager_user_id: Some(Some(manager.id)),
                    ..CustomerEdit::default()
                },
            )
            .await
            .unwrap();
        score(&store, day(2024, 6, 30)).await;
        let all = store
            .dashboard_customers(Scope::All, &CustomerFilter::default(), Cursor::First, 50)
            .await
            .unwrap();
        assert_eq!(all.items.len(), 5);
        let first = &all.items[0];
        assert_eq!(first.external_id, "a1");
        assert_eq!(first.manager_user.as_deref(), Some("mila"));
        assert_eq!(first.manager_name(), Some("mila"));
        // Every row carries the snapshot's values, typed.
        assert!(
            all.items
                .iter()
                .all(|c| c.rung.is_some() && c.abc.is_some() && c.rfm.is_some())
        );
        let mut filters = vec![CustomerFilter::default()];
        for c in &all.items {
            filters.push(CustomerFilter {
                rung: c.rung,
                status: c.status,
                ..CustomerFilter::default()
            });
            filters.push(CustomerFilter {
                subgroup: c.subgroup,
                ..CustomerFilter::default()
            });
            filters.push(CustomerFilter {
                segment: c.abc.map(Segment::Abc),
                ..CustomerFilter::default()
            });
            filters.push(CustomerFilter {
                segment: c.rfm.map(Segment::Rfm),
                manager: Some("mila".into()),
                ..CustomerFilter::default()
            });
        }
        for filter in &filters {
            let api = store
                .list_customers(Scope::All, filter, None, 50)
                .await
                .unwrap();
            let web = store
                .dashboard_customers(Scope::All, filter, Cursor::First, 50)
                .await
                .unwrap();
            assert_eq!(api.items, web.items, "{filter:?}");
            let expected: Vec<i64> = all
                .items
                .iter()
                .filter(|c| {
                    filter.rung.is_none_or(|r| c.rung == Some(r))
                        && filter.status.is_none_or(|s| c.status == Some(s))
                        && filter.subgroup.is_none_or(|g| c.subgroup == Some(g))
                        && filter
                            .manager
                            .as_deref()
                            .is_none_or(|m| c.manager_name() == Some(m))
                        && filter.segment.is_none_or(|s| match s {
                            Segment::Abc(a) => c.abc == Some(a),
                            Segment::Rfm(r) => c.rfm == Some(r),
                        })
                })
                .map(|c| c.id)
                .collect();
            assert_eq!(api.items.iter().map(|c| c.id).collect::<Vec<_>>(), expected);
        }
        // Segments are parsed once, with one message for anything else.
        assert_eq!(Segment::parse("B").unwrap(), Segment::Abc(AbcClass::B));
        assert_eq!(Segment::parse("513").unwrap().code(), "513");
        for hostile in ["", "a", "D", "AB", "55", "556", "5555", "5%5", "A'--"] {
            match Segment::parse(hostile) {
                Err(StoreError::Invalid { field, reason }) => {
                    assert_eq!(field, "segment");
                    assert!(reason.contains("neither an ABC class"), "{reason}");
                }
                other => panic!("{hostile:?}: {other:?}"),
            }
        }
    });
}

/// Issue 24 item 1: a channel is suggested only with consent in force on the day and contact
/// details for it; the preferred channel when it qualifies, else the policy's fallback order
/// (e-mail, messenger, SMS, phone, post, visit); else plainly no channel. The bulk read of the
/// lists and the card's own records give the same answer.
#[test]
fn the_channel_to_reach_follows_the_consent_history() {
    on_both(|store| async move {
        let on = day(2024, 6, 1);
        let consent = |channel, granted, d: Day| ConsentRecord {
            channel,
            granted,
            day: d,
            source: "test".into(),
        };
        let customer = |ext: &'static str, preferred| {
            let store = store.clone();
            async move {
                store
                    .upsert_customer(&NewCustomer {
                        external_id: ext.into(),
                        preferred_channel: preferred,
                        ..NewCustomer::default()
                    })
                    .await
                    .unwrap()
            }
        };
        // A: prefers e-mail, granted then withdrawn it; SMS granted, phone number known → SMS.
        let a = customer("A", Some(Channel::Email)).await;
        store
            .add_contact(a, Channel::Email, "a@example.com")
            .await
            .unwrap();
        store
            .add_contact(a, Channel::Sms, "+70000000001")
            .await
            .unwrap();
        store
            .record_consent(a, &consent(Channel::Email, true, day(2024, 1, 1)))
            .await
            .unwrap();
        store
            .record_consent(a, &consent(Channel::Email, false, day(2024, 3, 1)))
            .await
            .unwrap();
        store
            .record_consent(a, &consent(Channel::Sms, true, day(2024, 2, 1)))
            .await
            .unwrap();
        // B: prefers e-mail, address known, never asked → no consented channel.
        let b = customer("B", Some(Channel::Email)).await;
        store
            .add_contact(b, Channel::Email, "b@example.com")
            .await
            .unwrap();
        // C: prefers the phone, consent in force on it and on e-mail, both known → the phone.
        let c = customer("C", Some(Channel::Phone)).await;
        store
            .add_contact(c, Channel::Phone, "+70000000003")
            .await
            .unwrap();
        store
            .add_contact(c, Channel::Email, "c@example.com")
            .await
            .unwrap();
        store
            .record_consent(c, &consent(Channel::Email, true, day(2024, 1, 1)))
            .await
            .unwrap();
        store
            .record_consent(c, &consent(Channel::Phone, true, day(2024, 1, 1)))
            .await
            .unwrap();
        // D: e-mail consent given, but no address → consent, no contact details.
        let d = customer("D", None).await;
        store
            .add_contact(d, Channel::Phone, "+70000000004")
            .await
            .unwrap();
        store
            .record_consent(d, &consent(Channel::Email, true, day(2024, 1, 1)))
            .await
            .unwrap();
        // E: e-mail withdrawn and granted again on one day, recorded in that order → granted;
        // the phone granted only after the day asked about → not yet in force. No preference.
        let e = customer("E", None).await;
        store
            .add_contact(e, Channel::Email, "e@example.com")
            .await
            .unwrap();
        store
            .add_contact(e, Channel::Phone, "+70000000005")
            .await
            .unwrap();
        store
            .record_consent(e, &consent(Channel::Email, false, day(2024, 4, 1)))
            .await
            .unwrap();
        store
            .record_consent(e, &consent(Channel::Email, true, day(2024, 4, 1)))
            .await
            .unwrap();
        store
            .record_consent(e, &consent(Channel::Phone, true, day(2024, 7, 1)))
            .await
            .unwrap();
        // F: withdrew e-mail (the preferred), messenger and SMS granted and known → messenger
        // comes before SMS in the fallback order.
        let f = customer("F", Some(Channel::Email)).await;
        store
            .add_contact(f, Channel::Email, "f@example.com")
            .await
            .unwrap();
        store
            .add_contact(f, Channel::Sms, "+70000000006")
            .await
            .unwrap();
        store
            .add_contact(f, Channel::Messenger, "@f")
            .await
            .unwrap();
        store
            .record_consent(f, &consent(Channel::Email, false, day(2024, 1, 1)))
            .await
            .unwrap();
        store
            .record_consent(f, &consent(Channel::Sms, true, day(2024, 1, 1)))
            .await
            .unwrap();
        store
            .record_consent(f, &consent(Channel::Messenger, true, day(2024, 1, 1)))
            .await
            .unwrap();

        use clientele_store::Reach;
        let expected = [
            (a, Reach::Channel(Channel::Sms)),
            (b, Reach::NoConsentedChannel),
            (c, Reach::Channel(Channel::Phone)),
            (d, Reach::NoContactDetails),
            (e, Reach::Channel(Channel::Email)),
            (f, Reach::Channel(Channel::Messenger)),
        ];
        let ids: Vec<i64> = expected
            .iter()
            .map(|(id, _)| *id)
            .chain([999_999])
            .collect();
        let bulk = store.reach(&ids, on).await.unwrap();
        assert_eq!(bulk.len(), 6, "the unknown id is left out: {bulk:?}");
        for (id, want) in expected {
            assert_eq!(bulk[&id], want, "customer {id}");
            let consents = store.consents(id).await.unwrap();
            let contacts = store.contacts(id).await.unwrap();
            let preferred = store.customer(id).await.unwrap().preferred_channel;
            assert_eq!(
                clientele_store::reach_of(&consents, &contacts, preferred, on),
                want,
                "customer {id} from the card's records"
            );
        }
        // A month later E's phone consent is in force, but e-mail still comes first.
        let later = store.reach(&[e], day(2024, 7, 2)).await.unwrap();
        assert_eq!(later[&e], Reach::Channel(Channel::Email));
    });
}
