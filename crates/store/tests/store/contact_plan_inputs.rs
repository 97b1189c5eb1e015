//! The contact policy's bulk inputs (`Store::contact_plan_inputs`): the consent in force folded
//! from the history, the channels with details, preferences, rungs and the counted log rows, the
//! same through the SQLite file's own connection and through the pool, on both backends.

use clientele_core::Rung;
use clientele_core::contact_policy::{MessageKind, Module};
use clientele_store::{
    Channel, ChannelBits, ContactPlanInputs, ContactPreferences, ContactState, NewConsent,
    NewContactLogEntry, NewCustomer, Scope, Store, contact_plan_statements,
};

use crate::{day, on_both};

fn bits(channels: &[Channel]) -> ChannelBits {
    channels.iter().fold(ChannelBits::EMPTY, |b, &c| b.with(c))
}

fn logged(customer: i64, at: i64, kind: MessageKind, state: ContactState) -> NewContactLogEntry {
    NewContactLogEntry {
        customer_id: customer,
        channel: Channel::Email,
        kind,
        module: Module::Campaigns,
        state,
        planned_for: Some(at),
        subject: "offer".into(),
        reason: None,
        user_id: None,
        author: Some("test".into()),
    }
}

async fn snapshot_rung(store: &Store, as_of: i64, customer: i64, rung: &str) {
    let sql = "INSERT INTO score_snapshots (as_of, customer_id, rung, status, turn, orders,
        purchase_days, revenue, profit, scored_at) VALUES ($1, $2, $3, 'active', 1, 1, 1, 0, 0, 0)";
    match store {
        Store::Sqlite(pool) => {
            sqlx::query(sql)
                .bind(as_of)
                .bind(customer)
                .bind(rung)
                .execute(pool)
                .await
                .unwrap();
        }
        Store::Postgres(pool) => {
            sqlx::query(sql)
                .bind(as_of)
                .bind(customer)
                .bind(rung)
                .execute(pool)
                .await
                .unwrap();
        }
    }
}

/// The inputs both ways; on SQLite the file's own connection and the pool must agree.
async fn read(
    store: &Store,
    as_of: clientele_core::Day,
    since: i64,
    ids: Option<&[i64]>,
) -> ContactPlanInputs {
    let direct = store.contact_plan_inputs(as_of, since, ids).await.unwrap();
    let mut pooled = store
        .contact_plan_inputs_pooled(as_of, since, ids)
        .await
        .unwrap();
    // The log rows come in no particular order.
    let mut a = direct.clone();
    a.counted.sort_unstable();
    pooled.counted.sort_unstable();
    assert_eq!(
        a, pooled,
        "the file's connection and the pool read the same"
    );
    direct
}

#[test]
fn plan_inputs_fold_consents_details_preferences_rungs_and_counted_contacts() {
    on_both(|store| async move {
        let customer = |external: &str, preferred: Option<Channel>| NewCustomer {
            external_id: external.into(),
            preferred_channel: preferred,
            ..NewCustomer::default()
        };
        let anna = store
            .upsert_customer(&customer("anna", Some(Channel::Sms)))
            .await
            .unwrap();
        let boris = store
            .upsert_customer(&customer("boris", None))
            .await
            .unwrap();
        let vera = store
            .upsert_customer(&customer("vera", None))
            .await
            .unwrap();
        let gone = store
            .upsert_customer(&customer("gone", None))
            .await
            .unwrap();
        let planned = day(2025, 6, 1);
        let grant = |channel, granted, d, source: &str| NewConsent {
            channel,
            granted,
            day: d,
            source: source.into(),
        };
        // Anna: e-mail granted, withdrawn, granted again on one day (the last recorded wins);
        // SMS granted, then withdrawn; a phone grant dated after the planned day is not in force.
        for c in [
            grant(Channel::Email, true, day(2025, 1, 1), "import"),
            grant(Channel::Email, false, day(2025, 3, 1), "card"),
            grant(Channel::Email, true, day(2025, 3, 1), "api"),
            grant(Channel::Sms, true, day(2025, 1, 1), "import"),
            grant(Channel::Sms, false, day(2025, 5, 31), "card"),
            grant(Channel::Phone, true, day(2025, 6, 2), "card"),
        ] {
            store
                .record_consent_as(Scope::All, anna, &c, "t")
                .await
                .unwrap();
        }
        // Boris: a withdrawal recorded before an older grant (by day, the withdrawal stands);
        // the planned day itself counts.
        for c in [
            grant(Channel::Email, false, day(2025, 4, 1), "card"),
            grant(Channel::Email, true, day(2025, 2, 1), "import"),
            grant(Channel::Messenger, true, planned, "card"),
        ] {
            store
                .record_consent_as(Scope::All, boris, &c, "t")
                .await
                .unwrap();
        }
        store
            .record_consent_as(
                Scope::All,
                gone,
                &grant(Channel::Email, true, day(2025, 1, 1), "card"),
                "t",
            )
            .await
            .unwrap();
        for (who, channel, value) in [
            (anna, Channel::Email, "anna@example.com"),
            (anna, Channel::Email, "anna@work.example.com"),
            (anna, Channel::Phone, "+79001234567"),
            (vera, Channel::Post, "Tverskaya 1"),
        ] {
            store.add_contact(who, channel, value).await.unwrap();
        }
        for (who, zone, quiet) in [
            (anna, "Asia/Vladivostok", Some((22 * 60, 8 * 60))),
            (boris, "Europe/Berlin", None),
            (vera, "Asia/Vladivostok", None),
        ] {
            store
                .set_contact_preferences(
                    Scope::All,
                    who,
                    &ContactPreferences {
                        preferred_channel: None,
                        time_zone: Some(zone.into()),
                        quiet_hours: quiet,
                    },
                    "t",
                )
                .await
                .unwrap();
        }
        // set_contact_preferences replaced the preferred channel: give Anna hers back.
        store
            .set_contact_preferences(
                Scope::All,
                anna,
                &ContactPreferences {
                    preferred_channel: Some(Channel::Sms),
                    time_zone: Some("Asia/Vladivostok".into()),
                    quiet_hours: Some((22 * 60, 8 * 60)),
                },
                "t",
            )
            .await
            .unwrap();
        // The latest snapshot decides the rung: Boris is in the older one only.
        snapshot_rung(&store, 20_000, anna, "newcomer").await;
        snapshot_rung(&store, 20_000, boris, "advocate").await;
        snapshot_rung(&store, 20_010, anna, "regular").await;

        let since = 1_000_000;
        store
            .record_contacts(&[
                logged(anna, 1_000_000, MessageKind::Offer, ContactState::Sent),
                logged(anna, 999_999, MessageKind::Offer, ContactState::Sent),
                logged(
                    anna,
                    1_500_000,
                    MessageKind::ServiceNotice,
                    ContactState::Planned,
                ),
                logged(
                    anna,
                    1_600_000,
                    MessageKind::Greeting,
                    ContactState::Cancelled,
                ),
                logged(
                    anna,
                    1_700_000,
                    MessageKind::Reminder,
                    ContactState::Exported,
                ),
                logged(
                    vera,
                    2_000_000,
                    MessageKind::Greeting,
                    ContactState::Planned,
                ),
                logged(
                    gone,
                    2_000_000,
                    MessageKind::Greeting,
                    ContactState::Planned,
                ),
            ])
            .await
            .unwrap();
        // A hand-logged call without a kind counts; an incoming one does not.
        store
            .log_contact(boris, Channel::Phone, true, None, "call", None)
            .await
            .unwrap();
        store
            .log_contact(boris, Channel::Phone, false, None, "they called", None)
            .await
            .unwrap();
        store.erase_customer(gone, "t").await.unwrap();

        let all = read(&store, planned, since, None).await;
        assert_eq!(
            all.customer_ids,
            vec![anna, boris, vera],
            "the erased customer is left out"
        );
        assert_eq!(all.external_ids, vec!["anna", "boris", "vera"]);
        assert_eq!(
            all.consented,
            vec![
                bits(&[Channel::Email]),
                bits(&[Channel::Messenger]),
                ChannelBits::EMPTY
            ]
        );
        assert_eq!(
            all.reachable,
            vec![
                bits(&[Channel::Email, Channel::Phone]),
                ChannelBits::EMPTY,
                bits(&[Channel::Post])
            ]
        );
        assert_eq!(all.preferred, vec![Some(Channel::Sms), None, None]);
        assert_eq!(all.time_zones, vec!["Asia/Vladivostok", "Europe/Berlin"]);
        assert_eq!(all.time_zone, vec![Some(0), Some(1), Some(0)]);
        assert_eq!(all.quiet_hours, vec![Some((1320, 480)), None, None]);
        assert_eq!(all.rung, vec![Some(Rung::Regular), None, None]);
        let mut counted = all.counted.clone();
        counted.sort_unstable();
        // Anna: the sent offer at `since` and the exported reminder (not the older one, the
        // service notice or the cancelled greeting); Boris: the call (its time is now); Vera: one.
        assert_eq!(counted.len(), 4, "{counted:?}");
        assert_eq!(&counted[..2], &[(0, 1_000_000), (0, 1_700_000)]);
        assert_eq!(counted[2].0, 1);
        assert!(counted[2].1 > 1_700_000_000, "a call logged now");
        assert_eq!(counted[3], (2, 2_000_000));

        // The day before Boris's messenger grant and Anna's SMS withdrawal: both as they were.
        let earlier = read(&store, day(2025, 5, 30), since, None).await;
        assert_eq!(
            earlier.consented,
            vec![
                bits(&[Channel::Email, Channel::Sms]),
                ChannelBits::EMPTY,
                ChannelBits::EMPTY
            ]
        );

        // A list of customers: in id order, an unknown id left out, their rows only.
        let some = read(&store, planned, since, Some(&[vera, 999_999, anna])).await;
        assert_eq!(some.customer_ids, vec![anna, vera]);
        assert_eq!(some.index_of(vera), Some(1));
        assert_eq!(some.index_of(boris), None);
        assert_eq!(
            some.consented,
            vec![bits(&[Channel::Email]), ChannelBits::EMPTY]
        );
        assert_eq!(some.counted.len(), 3);
        assert!(some.counted.iter().all(|&(i, _)| i < 2));
        let none = read(&store, planned, since, Some(&[])).await;
        assert!(none.customer_ids.is_empty() && none.counted.is_empty());
    });
}

/// SQLite uses the partial index only when the query's WHERE clause repeats the index's, and
/// the consents' covering index only for their order: a changed word would turn either read
/// into a scan and a sort of the whole table (PostgreSQL's planner proves the implication
/// itself; its plans at 1M customers are in BENCHMARKS.md).
#[test]
fn sqlite_reads_the_plan_inputs_through_their_indexes() {
    on_both(|store| async move {
        let Store::Sqlite(pool) = &store else {
            return;
        };
        let plan = |sql: String| async move {
            let rows: Vec<(i64, i64, i64, String)> =
                sqlx::query_as(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
                    .bind(20_000i64)
                    .fetch_all(pool)
                    .await
                    .unwrap();
            rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n")
        };
        for ids in [None, Some(&[1i64, 2, 3][..])] {
            let [customers, consents, _contacts, counted] = contact_plan_statements(ids);
            let customers = plan(customers).await;
            assert!(
                customers.contains("SCAN c") || customers.contains("SEARCH c"),
                "{customers}"
            );
            assert!(!customers.contains("TEMP B-TREE"), "{customers}");
            let consents = plan(consents).await;
            assert!(
                consents.contains("COVERING INDEX consents_in_force"),
                "{consents}"
            );
            assert!(!consents.contains("TEMP B-TREE"), "no sort: {consents}");
            let counted = plan(counted).await;
            let index = if ids.is_some() {
                "contact_log_"
            } else {
                "contact_log_counted"
            };
            assert!(
                counted.contains(index) && !counted.contains("SCAN contact_log"),
                "{counted}"
            );
        }
    });
}
