//! The storage API on both backends: every test body runs once on a fresh SQLite file and once
//! on a fresh database of a real PostgreSQL server (see `clientele-testdb`).

use std::future::Future;

use clientele_core::{CustomerRecord, Day, LadderRules, Money, Rung, Status, analyze};
use clientele_store::{
    Channel, ConsentRecord, DateRule, NewCustomer, NewOrderLine, PersonalDateRecord, Role, Store,
    StoreError, SurveyRecord,
};
use clientele_testdb::{Backend, TestDb};

/// Runs `test` on SQLite, then on PostgreSQL, each on a fresh database.
fn on_both<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in Backend::ALL {
        let db = TestDb::new(backend);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = Store::connect(&db.url)
                .await
                .unwrap_or_else(|e| panic!("{backend:?}: connecting to {}: {e}", db.url));
            eprintln!("running on {backend:?}");
            test(store.clone()).await;
            store.close().await;
        });
    }
}

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

fn line(customer: &str, order: Option<&str>, product: &str, d: Day, amount: i64) -> NewOrderLine {
    NewOrderLine {
        customer: customer.into(),
        order_id: order.map(str::to_string),
        product: product.into(),
        day: d,
        amount: Money::from_major(amount),
        cost: Some(Money::from_major(amount / 2)),
        quantity: Some(1.0),
        price: None,
        list_price: None,
        category: Some(if amount > 100 { "big" } else { "small" }.into()),
        full_price: Some(amount % 20 == 0),
        row_line: 0,
    }
}

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
        assert_eq!(tx.counts().inserted, 2500);
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

#[test]
fn users_get_hashed_tokens_and_passwords() {
    on_both(|store| async move {
        let new = store.add_user("maria", Role::Manager).await.unwrap();
        assert!(new.token.starts_with("clt_") && new.token.len() == 68);
        assert_eq!(store.user_by_token(&new.token).await.unwrap(), new.user);
        assert!(matches!(
            store.user_by_token("clt_wrong").await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store.add_user("maria", Role::Admin).await,
            Err(StoreError::Conflict(_))
        ));
        assert_eq!(store.count("users").await.unwrap(), 1);
        store
            .set_password(new.user.id, "correct horse battery")
            .await
            .unwrap();
        assert_eq!(
            store
                .verify_password("maria", "correct horse battery")
                .await
                .unwrap()
                .id,
            new.user.id
        );
        assert!(
            store
                .verify_password("maria", "wrong password!")
                .await
                .is_err()
        );
        assert!(store.set_password(new.user.id, "short").await.is_err());
    });
}

/// Scores the store as of `as_of` the way `clientele score` does.
async fn score(store: &Store, as_of: Day) {
    let s = store.summaries(as_of).await.unwrap();
    let records = s
        .customers
        .into_iter()
        .map(|(id, summary)| CustomerRecord {
            id: id.into_string(),
            summary: Some(summary),
            forecast: None,
        })
        .collect();
    let profiles = store.profiles(as_of).await.unwrap();
    let analysis = analyze(records, profiles, &LadderRules::default(), as_of);
    store.write_snapshot(&analysis).await.unwrap();
}

#[test]
fn snapshots_transitions_and_churn() {
    on_both(|store| async move {
        // r: buys monthly Jan–Apr 2024 (regular by April); n: one purchase in January, then
        // nothing (lost a year later); b: buys in 2023, gone, comes back in 2025.
        let mut lines = Vec::new();
        for m in 1..=4 {
            // 110 is not "full price" in `line`, so r stays a regular (no advocacy by full price).
            lines.push(line(
                "r",
                Some(&format!("r{m}")),
                "p",
                day(2024, m, 10),
                110,
            ));
        }
        lines.push(line("n", Some("n1"), "p", day(2024, 1, 15), 60));
        lines.push(line("b", Some("b1"), "p", day(2023, 1, 5), 70));
        lines.push(line("b", Some("b2"), "p", day(2025, 3, 1), 80));
        let mut tx = store.begin_import("t.csv").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(lines.len() as u64, 0).await.unwrap();
        let (d1, d2) = (day(2024, 4, 30), day(2025, 3, 31));
        score(&store, d1).await;
        score(&store, d2).await;
        // Scoring the same day again replaces its snapshot.
        score(&store, d2).await;
        assert_eq!(store.snapshot_days().await.unwrap(), vec![d1, d2]);
        assert_eq!(store.count("score_snapshots").await.unwrap(), 6);
        let first = store.snapshot(d1).await.unwrap();
        let by = |rows: &[clientele_store::SnapshotRow], id: &str| {
            rows.iter().find(|r| r.external_id == id).cloned().unwrap()
        };
        assert_eq!(by(&first, "r").rung, Rung::Regular);
        assert_eq!(by(&first, "n").rung, Rung::Newcomer);
        assert_eq!(by(&first, "b").status, Some(Status::Lost));
        let second = store.snapshot(d2).await.unwrap();
        assert_eq!(by(&second, "r").status, Some(Status::Lost));
        assert_eq!(by(&second, "n").status, Some(Status::Lost));
        assert_eq!(by(&second, "b").turn, 2);
        let t = store.transitions(d1, d2).await.unwrap();
        // r and n became lost; b came back.
        assert_eq!(
            (t.out, t.back, t.up, t.down, t.same, t.new),
            (2, 1, 0, 0, 0, 0)
        );
        let cell = t
            .matrix
            .iter()
            .find(|c| c.from == Some(Rung::Regular) && c.to == Some(Rung::Regular))
            .unwrap();
        assert_eq!(cell.customers, 1);
        assert_eq!(cell.revenue, Money::from_major(440));
        assert_eq!(cell.period_revenue, Money::ZERO);
        // n (60, nothing new) and b (70 + 80 on its return) stayed newcomers.
        let newcomers = t
            .matrix
            .iter()
            .find(|c| c.from == Some(Rung::Newcomer) && c.to == Some(Rung::Newcomer))
            .unwrap();
        assert_eq!(newcomers.customers, 2);
        assert_eq!(newcomers.revenue, Money::from_major(210));
        assert_eq!(newcomers.period_revenue, Money::from_major(80));
        assert_eq!(t.matrix.len(), 2);
        // Churn: at d1 the regular r and the newcomer n were not lost; both are lost at d2.
        let churn = store.churn_by_rung().await.unwrap();
        let regular = churn.iter().find(|c| c.rung == Rung::Regular).unwrap();
        assert_eq!(
            (regular.at_risk, regular.lost, regular.rate),
            (1, 1, Some(1.0))
        );
        let newcomer = churn.iter().find(|c| c.rung == Rung::Newcomer).unwrap();
        assert_eq!((newcomer.at_risk, newcomer.lost), (1, 1));
        assert_eq!(regular.mean_period_days, Some(f64::from(d2.days_since(d1))));
        assert!(matches!(
            store.transitions(day(2020, 1, 1), d2).await,
            Err(StoreError::NotFound {
                what: "snapshot",
                ..
            })
        ));
    });
}

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

/// The server reads cards through `Store::card_reader`: on SQLite, reader threads with their own
/// read-only connections; on PostgreSQL, the pool. Either way it must give exactly the card
/// `Store::customer_card` gives: every list, its order and limits, and the same refusals (a
/// manager asking for another manager's customer, a missing id).
#[test]
fn the_card_reader_gives_the_same_cards_as_the_pool() {
    use clientele_store::{CARD_ORDERS, CARD_SNAPSHOTS, CustomerEdit, Scope};
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
