//! Planning reads a few customers by id and a large plan's customers as the whole base in one
//! pass (`Store::contact_plan_inputs`): both reads give the same decisions, on SQLite and
//! PostgreSQL.

use clientele_app::contacts::{ContactRequest, PlanSettings, plan_contacts};
use clientele_app::database::open_store;
use clientele_core::Day;
use clientele_core::contact_policy::{ChannelSet, Decision, MessageKind, Module, Refusal, Time};
use clientele_store::{
    Channel, ContactPreferences, ContactState, NewConsent, NewContactLogEntry, NewCustomer, Scope,
    Store,
};
use clientele_testdb::{Backend, TestDb};

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

async fn customer(store: &Store, id: &str, consents: &[(Channel, bool, Day)]) -> i64 {
    let c = store
        .upsert_customer(&NewCustomer {
            external_id: id.into(),
            ..NewCustomer::default()
        })
        .await
        .unwrap();
    store
        .add_contact(c, Channel::Email, &format!("{id}@example.com"))
        .await
        .unwrap();
    store
        .add_contact(c, Channel::Phone, "+79001234567")
        .await
        .unwrap();
    for &(channel, granted, d) in consents {
        let consent = NewConsent {
            channel,
            granted,
            day: d,
            source: "card".into(),
        };
        store
            .record_consent_as(Scope::All, c, &consent, "test")
            .await
            .unwrap();
    }
    c
}

fn request(customer_id: i64, kind: MessageKind) -> ContactRequest {
    ContactRequest {
        customer_id,
        kind,
        module: Module::Campaigns,
        channels: ChannelSet::MESSAGES,
        priority: 0,
        subject: kind.as_str().into(),
    }
}

fn settings(requests: Vec<ContactRequest>, d: Day) -> PlanSettings {
    PlanSettings {
        requests,
        day: d,
        local_time: Time::constant(10, 0, 0, 0),
        same_day_only: false,
        default_time_zone: "Europe/Moscow".into(),
        record: false,
        author: "test".into(),
        user_id: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_few_customers_and_the_whole_base_are_planned_alike() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let db = TestDb::new(backend);
        let store = open_store(&db.url).await.unwrap();
        let d = day(2025, 3, 10);
        // E-mail withdrawn, SMS granted; a grant dated after the day is not yet in force.
        let sms = customer(
            &store,
            "sms",
            &[
                (Channel::Email, true, day(2025, 1, 1)),
                (Channel::Email, false, day(2025, 2, 1)),
                (Channel::Sms, true, day(2025, 2, 1)),
                (Channel::Messenger, true, day(2025, 3, 11)),
            ],
        )
        .await;
        // E-mail, in Vladivostok with quiet hours until noon, one offer logged two days before
        // and a service notice (not counted) the day before.
        let far = customer(&store, "far", &[(Channel::Email, true, day(2025, 1, 1))]).await;
        store
            .set_contact_preferences(
                Scope::All,
                far,
                &ContactPreferences {
                    preferred_channel: None,
                    time_zone: Some("Asia/Vladivostok".into()),
                    quiet_hours: Some((20 * 60, 12 * 60)),
                },
                "test",
            )
            .await
            .unwrap();
        let logged = |at: i64, kind: MessageKind| NewContactLogEntry {
            customer_id: far,
            channel: Channel::Email,
            kind,
            module: Module::Campaigns,
            state: ContactState::Sent,
            planned_for: Some(at),
            subject: "earlier".into(),
            reason: None,
            user_id: None,
            author: Some("test".into()),
        };
        let day_start = i64::from(d.days_since_epoch()) * 86_400;
        store
            .record_contacts(&[
                logged(day_start - 2 * 86_400, MessageKind::Offer),
                logged(day_start - 86_400, MessageKind::ServiceNotice),
            ])
            .await
            .unwrap();
        let nobody = customer(&store, "nobody", &[]).await;

        let few = vec![
            request(sms, MessageKind::Offer),
            request(far, MessageKind::Offer),
            request(far, MessageKind::Reminder),
            request(far, MessageKind::ServiceNotice),
            request(nobody, MessageKind::Offer),
        ];
        let listed = plan_contacts(&store, &settings(few.clone(), d))
            .await
            .unwrap();
        let outcome: Vec<String> = listed
            .contacts
            .iter()
            .map(|c| match c.decision {
                Decision::Send(s) => format!("{} at {}", s.channel.as_str(), s.at.as_second()),
                Decision::Refused(r) => r.code().to_string(),
            })
            .collect();
        // Moscow 10:00 is 07:00 UTC; Vladivostok's quiet hours move 10:00 to 12:00, 02:00 UTC.
        let moscow = day_start + 7 * 3600;
        let vladivostok = day_start + 2 * 3600;
        assert_eq!(
            outcome,
            vec![
                format!("sms at {moscow}"),
                format!("email at {vladivostok}"),
                "weekly_cap_reached".to_string(),
                format!("email at {vladivostok}"),
                "no_consented_channel".to_string(),
            ]
        );

        // The same requests among more than 10,000 customers' (ids the store lacks): the whole
        // base is read, and the decisions for these five do not change.
        let mut many = few.clone();
        many.extend((0..10_001).map(|i| request(1_000_000 + i, MessageKind::Offer)));
        let whole = plan_contacts(&store, &settings(many, d)).await.unwrap();
        assert_eq!(&whole.contacts[..few.len()], &listed.contacts[..]);
        assert!(
            whole.contacts[few.len()..]
                .iter()
                .all(|c| c.external_id.is_none()
                    && c.decision == Decision::Refused(Refusal::UnknownCustomer))
        );
        assert_eq!(whole.refused, listed.refused + 10_001);
        store.close().await;
    }
}
