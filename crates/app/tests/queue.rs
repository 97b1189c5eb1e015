//! The daily queue end to end on SQLite and on a real PostgreSQL server: a saved playbook with
//! one action for regulars (e-mail, cost 10, budget 15 per 90 days), three regulars of whom only
//! the first consented to e-mail and has an address, the third assigned to a manager. The
//! contact policy must give the first e-mail and refuse the second for want of consent; a done
//! item goes to the contact log and its cost to the budget (the next day the budget is spent);
//! a snooze keeps a customer out until its day; the manager's queue holds only theirs; bad
//! settings are refused by name.

use clientele_app::ForecastSettings;
use clientele_app::InvalidSetting;
use clientele_app::database::open_store;
use clientele_app::score::{ScoreSettings, score_store};
use clientele_app::winback::{
    OutcomeSettings, Queue, QueueSettings, daily_queue, record_queue_outcome, save_playbook,
};
use clientele_core::contact_policy::Channel as PolicyChannel;
use clientele_core::{Day, Money};
use clientele_store::{
    Channel, ConsentRecord, ContactLogFilter, CustomerEdit, NewOrderLine, Role, Scope, Store,
};
use clientele_testdb::{Backend, TestDb};

const PLAYBOOK: &str = r#"
[queue]
budget_period_days = 90

[[play]]
rung = "regular"
goal = "retain"
budget_per_customer = 15

[[play.action]]
code = "remind"
kind = "reminder"
offer = "A reminder with bonus points"
channels = ["email"]
cost_per_contact = 10
min_days_between = 0
"#;

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

fn line(customer: &str, order: &str, d: Day) -> NewOrderLine {
    NewOrderLine {
        customer: customer.into(),
        order_id: Some(order.into()),
        product: "p".into(),
        day: d,
        amount: Money::from_major(100),
        cost: None,
        quantity: Some(1.0),
        price: None,
        list_price: None,
        category: None,
        full_price: None,
        row_line: 0,
        occurrence: 0,
    }
}

async fn queue(store: &Store, d: Day, scope: Scope, manager: Option<&str>) -> Queue {
    daily_queue(store, &settings(d, scope, manager, 100))
        .await
        .unwrap()
}

fn settings(d: Day, scope: Scope, manager: Option<&str>, limit: usize) -> QueueSettings {
    QueueSettings {
        day: d,
        scope,
        manager: manager.map(String::from),
        limit,
        default_time_zone: "Europe/Moscow".into(),
        clv_horizon_days: Some(365),
    }
}

fn invalid_field(e: &anyhow::Error) -> Option<&'static str> {
    e.downcast_ref::<InvalidSetting>().map(|s| s.field)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_asks_the_policy_respects_budgets_and_records_outcomes() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let db = TestDb::new(backend);
        let store = open_store(&db.url).await.unwrap();
        // Three regulars: five monthly purchases, the last on 2025-03-01.
        let mut lines = Vec::new();
        for c in ["r1", "r2", "r3"] {
            for m in 0..5u32 {
                lines.push(line(
                    c,
                    &format!("{c}-{m}"),
                    day(2024, 11 + m % 2, 1).plus_days(30 * m as i32),
                ));
            }
        }
        let mut tx = store.begin_import("queue").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(lines.len() as u64, 0).await.unwrap();
        let as_of = day(2025, 4, 15);
        let score = ScoreSettings {
            as_of: Some(as_of),
            forecast: ForecastSettings {
                kind: None,
                ..ForecastSettings::default()
            },
            ..ScoreSettings::default()
        };
        score_store(&store, &score, &|_| {}).await.unwrap();
        let r1 = store.customer_id("r1").await.unwrap();
        let r2 = store.customer_id("r2").await.unwrap();
        let r3 = store.customer_id("r3").await.unwrap();
        store
            .record_consent(
                r1,
                &ConsentRecord {
                    channel: Channel::Email,
                    granted: true,
                    day: day(2024, 1, 1),
                    source: "test".into(),
                },
            )
            .await
            .unwrap();
        store
            .add_contact(r1, Channel::Email, "r1@example.com")
            .await
            .unwrap();
        let admin = store.add_user("ann", Role::Admin).await.unwrap().user;
        let mia = store.add_user("mia", Role::Manager).await.unwrap().user;
        store
            .edit_customer_audited(
                Scope::All,
                r3,
                "ann",
                &CustomerEdit {
                    manager_user_id: Some(Some(mia.id)),
                    ..CustomerEdit::default()
                },
            )
            .await
            .unwrap();

        // A playbook that does not read is refused by name; the good one is saved.
        let bad = save_playbook(&store, &PLAYBOOK.replace("= 10", "= -10"), "ann")
            .await
            .unwrap_err();
        assert_eq!(invalid_field(&bad), Some("playbook"), "{bad:#}");
        assert!(
            format!("{bad:#}").contains("play[0].action[0].cost_per_contact"),
            "{bad:#}"
        );
        let version = save_playbook(&store, PLAYBOOK, "ann").await.unwrap();

        let today = day(2025, 4, 16);
        let q = queue(&store, today, Scope::All, None).await;
        assert_eq!(q.as_of, Some(as_of));
        assert_eq!(q.playbook_version, Some(version));
        // No model, no CLV: no horizon to state (the caller's default is not claimed).
        assert_eq!(q.clv_horizon_days, None);
        let ids: Vec<i64> = q.items.iter().map(|i| i.customer_id).collect();
        // No model: no value at stake, so the order is by customer id.
        assert_eq!(ids, vec![r1, r2, r3]);
        let first = &q.items[0];
        assert_eq!(first.action, "remind");
        assert_eq!(first.channel, Some(PolicyChannel::Email));
        assert!(first.blocked.is_none());
        assert_eq!(first.budget_left, Some(Money::from_major(5)));
        assert_eq!(first.external_id, "r1");
        assert!(first.reason.starts_with("regular"), "{}", first.reason);
        assert_eq!(q.items[1].channel, None);
        assert_eq!(
            q.items[1].blocked.as_ref().map(|b| b.0),
            Some("no_consented_channel")
        );

        // The manager's queue: only theirs, by name or by scope.
        let by_name = queue(&store, today, Scope::All, Some("mia")).await;
        assert_eq!(
            by_name
                .items
                .iter()
                .map(|i| i.customer_id)
                .collect::<Vec<_>>(),
            vec![r3]
        );
        let scoped = queue(&store, today, Scope::Manager(mia.id), None).await;
        assert_eq!(scoped.items.len(), 1);
        // Bad settings name their field.
        for (limit, manager, field) in [
            (0, None, "limit"),
            (10_001, None, "limit"),
            (5, Some("nobody"), "manager"),
        ] {
            let e = daily_queue(&store, &settings(today, Scope::All, manager, limit))
                .await
                .unwrap_err();
            assert_eq!(invalid_field(&e), Some(field), "{e:#}");
        }

        // Done: the outcome, its contact-log row, and the cost in the budget.
        let done = OutcomeSettings {
            day: today,
            customer_id: r1,
            action: "remind".into(),
            channel: Some(Channel::Email),
            outcome: "answered".into(),
            snooze_until: None,
            note: Some("  will order next week ".into()),
        };
        let stored = record_queue_outcome(&store, Scope::All, &admin, &done)
            .await
            .unwrap();
        assert_eq!(stored.cost, Money::from_major(10));
        assert_eq!(stored.note.as_deref(), Some("will order next week"));
        let log = store
            .contact_log(
                Scope::All,
                &ContactLogFilter {
                    customer_id: Some(r1),
                    limit: 10,
                    ..ContactLogFilter::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].subject.as_deref(), Some("queue: remind"));
        assert_eq!(log[0].outcome.as_deref(), Some("answered"));
        assert_eq!(Some(log[0].id), stored.contact_log_id);
        assert!(
            record_queue_outcome(&store, Scope::All, &admin, &done)
                .await
                .is_err(),
            "a second outcome the same day is refused"
        );
        // The day's queue shows it done, with the same proposal.
        let again = queue(&store, today, Scope::All, None).await;
        assert_eq!(
            again.items[0].outcome.as_ref().map(|o| o.outcome.as_str()),
            Some("answered")
        );
        assert_eq!(again.items[0].channel, Some(PolicyChannel::Email));

        // A snooze keeps r2 out until its day; a hostile snooze is refused by name.
        for (until, outcome, channel, field) in [
            (None, "snoozed", None, "snooze_until"),
            (Some(today), "snoozed", None, "snooze_until"),
            (Some(today.plus_days(400)), "snoozed", None, "snooze_until"),
            (None, "shrugged", Some(Channel::Email), "outcome"),
            (None, "answered", None, "channel"),
        ] {
            let bad = OutcomeSettings {
                customer_id: r2,
                snooze_until: until,
                outcome: outcome.into(),
                channel,
                ..done.clone()
            };
            let e = record_queue_outcome(&store, Scope::All, &admin, &bad)
                .await
                .unwrap_err();
            assert_eq!(invalid_field(&e), Some(field), "{e:#}");
        }
        let not_in_play = OutcomeSettings {
            customer_id: r2,
            action: "vip_offer".into(),
            ..done.clone()
        };
        let e = record_queue_outcome(&store, Scope::All, &admin, &not_in_play)
            .await
            .unwrap_err();
        assert_eq!(invalid_field(&e), Some("action"), "{e:#}");
        // A manager cannot mark someone else's customer.
        assert!(
            record_queue_outcome(
                &store,
                Scope::Manager(mia.id),
                &mia,
                &OutcomeSettings {
                    customer_id: r2,
                    ..done.clone()
                }
            )
            .await
            .is_err()
        );
        let snooze = OutcomeSettings {
            customer_id: r2,
            channel: None,
            outcome: "snoozed".into(),
            snooze_until: Some(today.plus_days(3)),
            note: None,
            ..done.clone()
        };
        record_queue_outcome(&store, Scope::All, &admin, &snooze)
            .await
            .unwrap();

        // The next day: r1's budget is spent (10 of 15, another 10 would exceed it), r2 snoozed.
        let next = queue(&store, today.plus_days(1), Scope::All, None).await;
        assert_eq!(next.snoozed, 1);
        let ids: Vec<i64> = next.items.iter().map(|i| i.customer_id).collect();
        assert_eq!(ids, vec![r1, r3]);
        assert_eq!(
            next.items[0].blocked.as_ref().map(|b| b.0),
            Some("budget_spent")
        );
        assert_eq!(next.items[0].channel, None);
        // Back on the snooze's day.
        let back = queue(&store, today.plus_days(3), Scope::All, None).await;
        assert!(back.items.iter().any(|i| i.customer_id == r2));

        // Before any snapshot: an empty queue that says so.
        let early = queue(&store, day(2020, 1, 1), Scope::All, None).await;
        assert!(early.as_of.is_none() && early.items.is_empty());
    }
}
