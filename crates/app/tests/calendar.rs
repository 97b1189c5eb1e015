//! The client calendar against the store, on SQLite and PostgreSQL: greetings written from the
//! dossier, never the same text for two customers of one occasion, kept and editable until
//! sent, sent through the contact policy and recorded in the contact log; the manager filter;
//! personal-dates files all or nothing.

use std::collections::HashSet;
use std::path::PathBuf;

use clientele_app::InvalidSetting;
use clientele_app::calendar::{
    ImportDatesSettings, SendGreeting, UpcomingSettings, import_dates, send_greeting,
    upcoming_occasions,
};
use clientele_app::database::open_store;
use clientele_core::care::Language;
use clientele_core::contact_policy::{Channel as PolicyChannel, Decision, MessageKind, Module};
use clientele_core::{Day, Money};
use clientele_store::{
    Channel, ContactLogFilter, CustomerEdit, DateRule, NewConsent, NewCustomer, NewOrderLine,
    PersonalDateRecord, Role, Scope, StoreError,
};
use clientele_testdb::{Backend, TestDb};

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

fn settings(from: Day, days: i32, manager: Option<&str>) -> UpcomingSettings {
    UpcomingSettings {
        scope: Scope::All,
        manager: manager.map(str::to_string),
        from,
        days,
        language: Language::En,
        default_time_zone: "Europe/Moscow".into(),
        local_minutes: 600,
    }
}

fn line(customer: &str, order: &str, d: Day, category: &str) -> NewOrderLine {
    NewOrderLine {
        customer: customer.into(),
        order_id: Some(order.into()),
        product: format!("{category} sampler"),
        day: d,
        amount: Money::from_major(10),
        cost: None,
        quantity: Some(1.0),
        price: None,
        list_price: None,
        category: Some(category.into()),
        full_price: None,
        row_line: 0,
        occurrence: 0,
    }
}

const NEW_YEAR: DateRule = DateRule::Yearly {
    month: 1,
    day: 1,
    since: None,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn greetings_are_personal_unique_editable_and_sent_through_the_policy() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let db = TestDb::new(backend);
        let store = open_store(&db.url).await.unwrap();
        // 40 customers who all celebrate New Year; the first 20 share one name and no history,
        // so only the variants (and, past them, the reference) keep their texts apart.
        let mut ids = Vec::new();
        for n in 0..40 {
            let id = store
                .upsert_customer(&NewCustomer {
                    external_id: format!("C{n:02}"),
                    name: Some(if n < 20 {
                        "Anna".into()
                    } else {
                        format!("Client {n}")
                    }),
                    ..NewCustomer::default()
                })
                .await
                .unwrap();
            // Half by the holiday's code, half by its name written before codes: one occasion.
            let label = if n % 2 == 0 { "new_year" } else { "New Year" };
            store
                .add_personal_date_audited(
                    Scope::All,
                    id,
                    "test",
                    &PersonalDateRecord {
                        label: label.into(),
                        rule: NEW_YEAR,
                    },
                )
                .await
                .unwrap();
            ids.push(id);
        }
        // The same date twice is a conflict, not a second row.
        let again = store
            .add_personal_date_audited(
                Scope::All,
                ids[0],
                "test",
                &PersonalDateRecord {
                    label: "new_year".into(),
                    rule: NEW_YEAR,
                },
            )
            .await;
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        // C30 buys tea, has a note and an e-mail with consent.
        let mut tx = store.begin_import("test").await.unwrap();
        let lines = [
            line("C30", "o1", day(2021, 3, 1), "Tea"),
            line("C30", "o2", day(2023, 5, 1), "Tea"),
            line("C30", "o3", day(2024, 6, 1), "Honey"),
        ];
        tx.add(&lines).await.unwrap();
        tx.commit(3, 0).await.unwrap();
        let c30 = ids[30];
        store
            .add_note(c30, "Olga", None, "Asks about new arrivals every time")
            .await
            .unwrap();
        store
            .add_contact(c30, Channel::Email, "c30@example.com")
            .await
            .unwrap();
        store
            .record_consent_as(
                Scope::All,
                c30,
                &NewConsent {
                    channel: Channel::Email,
                    granted: true,
                    day: day(2024, 1, 1),
                    source: "card".into(),
                },
                "test",
            )
            .await
            .unwrap();

        let from = day(2025, 12, 28);
        let list = upcoming_occasions(&store, &settings(from, 7, None))
            .await
            .unwrap();
        assert_eq!(list.len(), 40);
        assert!(
            list.iter()
                .all(|o| o.date == day(2026, 1, 1) && o.occasion == "new_year")
        );
        let texts: HashSet<&str> = list.iter().map(|o| o.greeting.as_str()).collect();
        assert_eq!(
            texts.len(),
            40,
            "no two customers of the occasion share a text"
        );
        let o30 = list.iter().find(|o| o.customer_id == c30).unwrap();
        assert!(o30.greeting.contains("Client 30"), "{}", o30.greeting);
        assert!(
            o30.greeting.contains("Tea"),
            "the favourite category: {}",
            o30.greeting
        );
        assert!(o30.greeting.contains("New Year"), "{}", o30.greeting);
        assert_eq!(o30.channel, Some(PolicyChannel::Email));
        let other = list.iter().find(|o| o.customer_id == ids[0]).unwrap();
        assert_eq!(other.channel, None);
        assert_eq!(other.refusal, Some("no_consented_channel"));

        // Listed again: the same drafts, not new ones.
        let again = upcoming_occasions(&store, &settings(from, 7, None))
            .await
            .unwrap();
        assert_eq!(
            again
                .iter()
                .map(|o| (o.draft_id, &o.greeting))
                .collect::<Vec<_>>(),
            list.iter()
                .map(|o| (o.draft_id, &o.greeting))
                .collect::<Vec<_>>()
        );

        // An edit that repeats another customer's text is refused; another is kept.
        let copy = store
            .edit_greeting_draft(Scope::All, other.draft_id, &o30.greeting, "Olga")
            .await;
        assert!(matches!(copy, Err(StoreError::Conflict(_))), "{copy:?}");
        let hostile = store
            .edit_greeting_draft(Scope::All, other.draft_id, "a\u{0}b", "Olga")
            .await;
        assert!(matches!(
            hostile,
            Err(StoreError::Invalid { field: "body", .. })
        ));
        let long = store
            .edit_greeting_draft(Scope::All, other.draft_id, &"x".repeat(10_001), "Olga")
            .await;
        assert!(matches!(
            long,
            Err(StoreError::Invalid { field: "body", .. })
        ));

        // Sending: the edited text is kept, the policy picks e-mail, the log records it.
        let edited = format!("{}\nP.S. See you soon!", o30.greeting);
        let send = |id: i64, body: Option<String>| SendGreeting {
            scope: Scope::All,
            draft_id: id,
            body,
            today: from,
            default_time_zone: "Europe/Moscow".into(),
            local_minutes: 600,
            author: "Olga".into(),
            user_id: None,
        };
        let sent = send_greeting(&store, &send(o30.draft_id, Some(edited.clone())))
            .await
            .unwrap();
        match sent.decision {
            Decision::Send(s) => assert_eq!(s.channel, PolicyChannel::Email),
            other => panic!("{other:?}"),
        }
        let log_id = sent.contact_log_id.unwrap();
        let draft = store
            .greeting_draft(Scope::All, o30.draft_id)
            .await
            .unwrap();
        assert_eq!(draft.body, edited);
        assert_eq!(draft.contact_log_id, Some(log_id));
        assert_eq!(draft.sent_by.as_deref(), Some("Olga"));
        let log = store
            .contact_log(
                Scope::All,
                &ContactLogFilter {
                    customer_id: Some(c30),
                    limit: 10,
                    ..ContactLogFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].id, log_id);
        assert_eq!(log[0].module, Some(Module::Calendar));
        assert_eq!(log[0].kind, Some(MessageKind::Greeting));
        assert_eq!(log[0].channel, "email");
        // Twice is refused; so is editing what was sent.
        assert!(
            send_greeting(&store, &send(o30.draft_id, None))
                .await
                .is_err()
        );
        assert!(matches!(
            store
                .edit_greeting_draft(Scope::All, o30.draft_id, "new text", "Olga")
                .await,
            Err(StoreError::Conflict(_))
        ));
        // Without consent the policy refuses, and the draft stays unsent.
        let refused = send_greeting(&store, &send(other.draft_id, None))
            .await
            .unwrap();
        assert!(!refused.decision.is_send());
        assert_eq!(refused.contact_log_id, None);
        let d = store
            .greeting_draft(Scope::All, other.draft_id)
            .await
            .unwrap();
        assert_eq!(d.sent_at, None);
        // A day that has passed is not sent.
        let mut late = send(other.draft_id, None);
        late.today = day(2026, 1, 2);
        let e = send_greeting(&store, &late).await.unwrap_err();
        assert_eq!(e.downcast_ref::<InvalidSetting>().unwrap().field, "draft");

        // The manager filter: only Maria's customers; a stranger is refused by name.
        let maria = store.add_user("maria", Role::Manager).await.unwrap().user;
        for &id in &ids[..3] {
            store
                .edit_customer_audited(
                    Scope::All,
                    id,
                    "test",
                    &CustomerEdit {
                        manager_user_id: Some(Some(maria.id)),
                        ..CustomerEdit::default()
                    },
                )
                .await
                .unwrap();
        }
        let hers = upcoming_occasions(&store, &settings(from, 7, Some("maria")))
            .await
            .unwrap();
        assert_eq!(
            hers.iter().map(|o| o.customer_id).collect::<Vec<_>>(),
            ids[..3].to_vec()
        );
        let e = upcoming_occasions(&store, &settings(from, 7, Some("nobody")))
            .await
            .unwrap_err();
        assert_eq!(e.downcast_ref::<InvalidSetting>().unwrap().field, "manager");
        let mut own = settings(from, 7, None);
        own.scope = Scope::Manager(maria.id);
        assert_eq!(upcoming_occasions(&store, &own).await.unwrap().len(), 3);
        for days in [0, 367] {
            let e = upcoming_occasions(&store, &settings(from, days, None))
                .await
                .unwrap_err();
            assert_eq!(e.downcast_ref::<InvalidSetting>().unwrap().field, "days");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dates_file_is_all_or_nothing_and_reads_weekday_and_easter_rules() {
    for backend in Backend::ALL {
        let db = TestDb::new(backend);
        let store = open_store(&db.url).await.unwrap();
        for id in ["c1", "c2"] {
            store
                .upsert_customer(&NewCustomer {
                    external_id: id.into(),
                    name: Some(id.to_uppercase()),
                    ..NewCustomer::default()
                })
                .await
                .unwrap();
        }
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| -> PathBuf {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let s = |path: PathBuf| ImportDatesSettings {
            path,
            actor: "test".into(),
        };
        let bad = write(
            "bad.csv",
            "клиент;повод;дата\nc1;birthday;14.03.1985\nc9;birthday;01.01.1990\nc2;holiday: Navy;sixth Sunday of July\nc2;;03-01\n",
        );
        let r = import_dates(&store, &s(bad)).await.unwrap();
        assert_eq!(r.added, 0);
        assert_eq!(
            r.rejects
                .iter()
                .map(|r| (r.row.line, r.column.as_str()))
                .collect::<Vec<_>>(),
            vec![(3, "customer"), (4, "date"), (5, "occasion")]
        );
        assert_eq!(
            store.count("personal_dates").await.unwrap(),
            0,
            "nothing written"
        );
        let good = write(
            "good.csv",
            "customer,occasion,date\nc1,birthday,14.03.1985\nc1,navy_day,\nc2,Holiday: Navy,last Sunday of July\nc2,founding_day,2010-07-20\nc2,Троица,orthodox easter+49\n",
        );
        let r = import_dates(&store, &s(good.clone())).await.unwrap();
        assert!(r.rejects.is_empty(), "{:?}", r.rejects);
        assert_eq!((r.added, r.already), (5, 0));
        let r = import_dates(&store, &s(good)).await.unwrap();
        assert_eq!(
            (r.added, r.already),
            (0, 5),
            "the same file twice adds nothing"
        );
        // July 2026: Navy Day is Sunday the 26th, the founding day the 20th (16 years); Orthodox
        // Easter 2026 is 12 April, +49 = 31 May.
        let list = upcoming_occasions(&store, &settings(day(2026, 5, 25), 70, None))
            .await
            .unwrap();
        let got: Vec<(String, String, Day)> = list
            .iter()
            .map(|o| (o.external_id.clone(), o.occasion.clone(), o.date))
            .collect();
        assert_eq!(
            got,
            vec![
                ("c2".into(), "trinity".into(), day(2026, 5, 31)),
                ("c2".into(), "founding_day".into(), day(2026, 7, 20)),
                ("c1".into(), "navy_day".into(), day(2026, 7, 26)),
                ("c2".into(), "holiday:navy".into(), day(2026, 7, 26)),
            ]
        );
        let founding = &list[1];
        assert!(founding.greeting.contains("16"), "{}", founding.greeting);
        // The Navy Day greetings of two customers differ.
        assert_ne!(list[2].greeting, list[3].greeting);
    }
}
