//! Planning contacts through the policy against the store, on SQLite and PostgreSQL: consent
//! withdrawals and contact details respected, quiet hours in the customer's zone, the caps
//! held across days of planning by several modules, and consents files all or nothing.

use std::path::PathBuf;

use clientele_app::contacts::{
    ContactRequest, ImportConsentsSettings, PlanSettings, import_consents, plan_contacts,
};
use clientele_app::database::open_store;
use clientele_core::Day;
use clientele_core::contact_policy::{ChannelSet, Decision, MessageKind, Module, Time};
use clientele_store::{Channel, NewConsent, NewCustomer, Scope, Store};
use clientele_testdb::{Backend, TestDb};

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

async fn customer(store: &Store, id: &str, email: bool, consent: Option<bool>) -> i64 {
    let c = store
        .upsert_customer(&NewCustomer {
            external_id: id.into(),
            ..NewCustomer::default()
        })
        .await
        .unwrap();
    if email {
        store
            .add_contact(c, Channel::Email, &format!("{id}@example.com"))
            .await
            .unwrap();
    }
    if let Some(granted) = consent {
        store
            .record_consent_as(
                Scope::All,
                c,
                &NewConsent {
                    channel: Channel::Email,
                    granted: true,
                    day: day(2025, 1, 1),
                    source: "card".into(),
                },
                "test",
            )
            .await
            .unwrap();
        if !granted {
            store
                .record_consent_as(
                    Scope::All,
                    c,
                    &NewConsent {
                        channel: Channel::Email,
                        granted: false,
                        day: day(2025, 2, 1),
                        source: "api".into(),
                    },
                    "test",
                )
                .await
                .unwrap();
        }
    }
    c
}

fn request(customer_id: i64, kind: MessageKind, module: Module, priority: i32) -> ContactRequest {
    ContactRequest {
        customer_id,
        kind,
        module,
        channels: ChannelSet::MESSAGES,
        priority,
        subject: format!("{} from {}", kind.as_str(), module.as_str()),
    }
}

fn settings(requests: Vec<ContactRequest>, d: Day) -> PlanSettings {
    PlanSettings {
        requests,
        day: d,
        local_time: Time::constant(10, 0, 0, 0),
        same_day_only: true,
        default_time_zone: "Europe/Moscow".into(),
        record: true,
        author: "test".into(),
        user_id: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contacts_are_planned_through_the_policy_and_logged() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let db = TestDb::new(backend);
        let store = open_store(&db.url).await.unwrap();
        let ok = customer(&store, "ok", true, Some(true)).await;
        let withdrawn = customer(&store, "withdrawn", true, Some(false)).await;
        let no_address = customer(&store, "no-address", false, Some(true)).await;
        let never_asked = customer(&store, "never-asked", true, None).await;
        // Vladivostok is UTC+10 all year: 10:00 local is 00:00 UTC. Quiet until 12:00 there
        // moves it to 02:00 UTC.
        let far = customer(&store, "far", true, Some(true)).await;
        store
            .set_contact_preferences(
                Scope::All,
                far,
                &clientele_store::ContactPreferences {
                    preferred_channel: None,
                    time_zone: Some("Asia/Vladivostok".into()),
                    quiet_hours: Some((20 * 60, 12 * 60)),
                },
                "test",
            )
            .await
            .unwrap();
        let d = day(2025, 3, 10);
        let report = plan_contacts(
            &store,
            &settings(
                vec![
                    request(ok, MessageKind::Greeting, Module::Calendar, 0),
                    request(withdrawn, MessageKind::Offer, Module::Campaigns, 0),
                    request(no_address, MessageKind::Offer, Module::Campaigns, 0),
                    request(never_asked, MessageKind::Offer, Module::Campaigns, 0),
                    request(far, MessageKind::Notice, Module::Notices, 0),
                    request(424_242, MessageKind::Offer, Module::Campaigns, 0),
                ],
                d,
            ),
        )
        .await
        .unwrap();
        let codes: Vec<&str> = report
            .contacts
            .iter()
            .map(|c| match c.decision {
                Decision::Send(_) => "send",
                Decision::Refused(r) => r.code(),
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                "send",
                "no_consented_channel",
                "no_contact_details",
                "no_consented_channel",
                "send",
                "unknown_customer"
            ]
        );
        assert_eq!((report.allowed, report.refused), (2, 4));
        // Moscow is UTC+3: 10:00 local is 07:00 UTC.
        let Decision::Send(s) = report.contacts[0].decision else {
            unreachable!()
        };
        assert_eq!(s.at.as_second(), 1_741_590_000, "2025-03-10 07:00 UTC");
        let Decision::Send(s) = report.contacts[4].decision else {
            unreachable!()
        };
        assert_eq!(s.at.as_second(), 1_741_572_000, "2025-03-10 02:00 UTC");
        assert!(s.moved_out_of_quiet_hours);
        let log = store
            .contact_log(
                Scope::All,
                &clientele_store::ContactLogFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(log.len(), 2);
        assert!(log.iter().any(|e| e.module == Some(Module::Notices)
            && e.reason.as_deref()
                == Some("first consented channel with contact details; moved out of quiet hours")));
    }
}

/// A small linear congruential generator: the test's plans are random but reproducible.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_customer_exceeds_the_caps_whatever_the_modules_plan() {
    let backend = Backend::Sqlite;
    let db = TestDb::new(backend);
    let store = open_store(&db.url).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..12 {
        ids.push(customer(&store, &format!("c{n}"), true, Some(true)).await);
    }
    let mut rng = Lcg(7);
    let kinds = [
        MessageKind::Offer,
        MessageKind::Reminder,
        MessageKind::Survey,
        MessageKind::Greeting,
        MessageKind::Notice,
        MessageKind::WinBack,
        MessageKind::ServiceNotice,
    ];
    let modules = [
        Module::Queue,
        Module::Calendar,
        Module::Surveys,
        Module::Notices,
        Module::WinBack,
    ];
    // 45 days, several modules planning separately each day, 0 to 3 contacts per customer per call.
    for offset in 0..45 {
        let d = day(2025, 3, 1).plus_days(offset);
        for module in modules {
            let mut requests = Vec::new();
            for &id in &ids {
                for _ in 0..rng.below(3) {
                    let kind = kinds[rng.below(kinds.len() as u64) as usize];
                    requests.push(request(id, kind, module, rng.below(5) as i32));
                }
            }
            plan_contacts(&store, &settings(requests, d)).await.unwrap();
        }
    }
    let counted = store.counted_contacts(0).await.unwrap();
    let log = store
        .contact_log(
            Scope::All,
            &clientele_store::ContactLogFilter {
                limit: 1_000_000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|e| e.kind == Some(MessageKind::ServiceNotice)),
        "service notices went out beside the caps"
    );
    for &id in &ids {
        let mut times: Vec<i64> = counted
            .iter()
            .filter(|c| c.customer_id == id && c.kind != Some(MessageKind::ServiceNotice))
            .map(|c| c.at)
            .collect();
        times.sort_unstable();
        assert!(
            times.len() >= 6,
            "the caps were reached, not merely avoided ({} contacts)",
            times.len()
        );
        for (i, &t) in times.iter().enumerate() {
            let week = times[i..]
                .iter()
                .take_while(|&&u| u < t + 7 * 86_400)
                .count();
            let month = times[i..]
                .iter()
                .take_while(|&&u| u < t + 30 * 86_400)
                .count();
            assert!(
                week <= 2,
                "customer {id}: {week} contacts in 7 days from {t}"
            );
            assert!(
                month <= 6,
                "customer {id}: {month} contacts in 30 days from {t}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consents_file_is_all_or_nothing() {
    for backend in Backend::ALL {
        let db = TestDb::new(backend);
        let store = open_store(&db.url).await.unwrap();
        customer(&store, "c1", true, None).await;
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| -> PathBuf {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            p
        };
        let bad = write(
            "bad.csv",
            "customer,channel,consent,date\nc1,sms,yes,2025-03-01\nc9,sms,yes,2025-03-01\n",
        );
        let s = |path: PathBuf| ImportConsentsSettings {
            path,
            default_source: "import".into(),
            actor: "test".into(),
        };
        let r = import_consents(&store, &s(bad)).await.unwrap();
        assert_eq!((r.rows, r.written, r.rejects.len()), (2, 0, 1));
        assert_eq!(r.rejects[0].row.line, 3);
        assert!(r.rejects[0].reason.contains("no customer 'c9'"));
        assert_eq!(store.count("consents").await.unwrap(), 0, "nothing written");
        let good = write(
            "good.csv",
            "customer,channel,consent,date\nc1,sms,yes,2025-03-01\nc1,sms,no,2025-04-01\n",
        );
        let r = import_consents(&store, &s(good.clone())).await.unwrap();
        assert_eq!((r.written, r.rejects.len()), (2, 0));
        let r = import_consents(&store, &s(good)).await.unwrap();
        assert_eq!(r.written, 0, "the same file twice writes nothing more");
        let c1 = store.customer_id("c1").await.unwrap();
        let h = store.consent_history(Scope::All, c1).await.unwrap();
        assert_eq!(
            h.iter()
                .map(|e| (e.granted, e.source.as_str()))
                .collect::<Vec<_>>(),
            vec![(true, "import"), (false, "import")]
        );
    }
}
