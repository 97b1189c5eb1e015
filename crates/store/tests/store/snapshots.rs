//! Snapshots: writing, transitions and churn.

use clientele_core::codes::StatusReasonCode;
use clientele_core::{
    CustomerRecord, Day, LadderRules, Money, Rhythm, Rung, Status, StatusReason, analyze,
};
use clientele_store::{Backend, StatusReasonRecord, Store, StoreError};

use crate::{day, line, on_both, score};

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

/// Scoring stores each status reason as its code (`StatusReason::code`), which reads back as the
/// reason it was made from.
#[test]
fn scoring_stores_status_reasons_as_codes() {
    on_both(|store| async move {
        let mut lines = Vec::new();
        for m in 1..=6 {
            lines.push(line(
                "r",
                Some(&format!("r{m}")),
                "p",
                day(2024, m, 10),
                110,
            ));
        }
        lines.push(line("n", Some("n1"), "p", day(2024, 1, 15), 60));
        let mut tx = store.begin_import("t.csv").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(lines.len() as u64, 0).await.unwrap();
        let mut checked = 0;
        for as_of in [day(2024, 6, 30), day(2024, 9, 30), day(2025, 6, 30)] {
            let analysis = analysis_of(&store, as_of).await;
            store.write_snapshot(&analysis).await.unwrap();
            for c in analysis.customers() {
                let id = store.customer_id(c.id).await.unwrap();
                let history = store.card_history(id, 10).await.unwrap();
                let row = history.iter().find(|h| h.as_of == as_of).unwrap();
                let want = c
                    .placement()
                    .status
                    .map(|(_, why)| StatusReasonRecord::Code(StatusReasonCode::from(&why)));
                assert_eq!(row.status_reason, want, "{} on {as_of}", c.id);
                let (_, why) = c.placement().status.unwrap();
                // The code as stored, and the English it words.
                assert_eq!(stored_reason(&store, id, as_of).await, Some(why.code()));
                assert_eq!(
                    row.status_reason.as_ref().map(|r| r.to_string()),
                    Some(why.to_string())
                );
                checked += 1;
            }
        }
        assert_eq!(checked, 6);
    });
}

/// The analysis `clientele score` would write (no model fitted).
async fn analysis_of(store: &Store, as_of: Day) -> clientele_core::Analysis {
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
    analyze(records, profiles, &LadderRules::default(), as_of)
}

async fn stored_reason(store: &Store, customer: i64, as_of: Day) -> Option<String> {
    let sql = "SELECT status_reason FROM score_snapshots WHERE customer_id = $1 AND as_of = $2";
    let as_of = i64::from(as_of.days_since_epoch());
    match store {
        Store::Sqlite(pool) => sqlx::query_scalar(sql)
            .bind(customer)
            .bind(as_of)
            .fetch_one(pool)
            .await
            .unwrap(),
        Store::Postgres(pool) => sqlx::query_scalar(sql)
            .bind(customer)
            .bind(as_of)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

/// Migration 0024 turns the English sentences earlier versions stored into the codes scoring
/// stores now: every shape of `StatusReason`, with numbers that round to even, negative zeros,
/// negative and very large days; text of another shape stays as it was.
#[test]
fn migration_0024_turns_stored_sentences_into_codes() {
    let rhythm = |mean_gap: f64, spread: f64, lost_after: f64| Rhythm {
        gaps: 4,
        mean_gap,
        spread,
        regularity: 2.0,
        late_after: mean_gap + spread,
        lost_after,
    };
    let reasons = [
        StatusReason::WithinRhythm {
            rhythm: rhythm(30.5, 4.5, 61.5),
            days_since_last: 12,
        },
        StatusReason::WithinRhythm {
            rhythm: rhythm(-0.2, 0.0, 0.4),
            days_since_last: -3,
        },
        StatusReason::LateByRhythm {
            rhythm: rhythm(30.0, 4.2, 61.0),
            days_since_last: 49,
        },
        StatusReason::LateByRhythm {
            rhythm: rhythm(14.5, 2.5, 40.0),
            days_since_last: i32::MAX,
        },
        StatusReason::FarBeyondRhythm {
            rhythm: rhythm(31.5, 3.2, 61.5),
            days_since_last: 90,
        },
        StatusReason::Recent {
            days_since_last: 12,
            limit: 90,
        },
        StatusReason::Quiet {
            days_since_last: 100,
            limit: 180,
        },
        StatusReason::Gone {
            days_since_last: i32::MIN,
            limit: 365,
        },
        StatusReason::Doubtful {
            p_alive: 0.405,
            limit: 0.5,
        },
        StatusReason::ProbablyGone {
            p_alive: 0.125,
            limit: 0.2,
        },
    ];
    const OTHER: &str = "buys every now and then";
    on_both(|store| async move {
        let as_of = day(2024, 3, 1);
        let mut ids = Vec::new();
        for (n, reason) in reasons.iter().enumerate() {
            let id = store
                .upsert_customer_id_only(&format!("s{n}"))
                .await
                .unwrap();
            insert_reason(&store, as_of, id, &reason.to_string()).await;
            ids.push(id);
        }
        let other = store.upsert_customer_id_only("other").await.unwrap();
        insert_reason(&store, as_of, other, OTHER).await;
        let migration = match store.backend() {
            Backend::Sqlite => include_str!("../../migrations/sqlite/0024_status_reason_codes.sql"),
            Backend::Postgres => {
                include_str!("../../migrations/postgres/0024_status_reason_codes.sql")
            }
        };
        match &store {
            Store::Sqlite(pool) => sqlx::raw_sql(migration)
                .execute(pool)
                .await
                .map(|_| ())
                .unwrap(),
            Store::Postgres(pool) => sqlx::raw_sql(migration)
                .execute(pool)
                .await
                .map(|_| ())
                .unwrap(),
        };
        for (reason, &id) in reasons.iter().zip(&ids) {
            assert_eq!(
                stored_reason(&store, id, as_of).await,
                Some(reason.code()),
                "{reason}"
            );
            let history = store.card_history(id, 1).await.unwrap();
            assert_eq!(
                history[0].status_reason,
                Some(StatusReasonRecord::Code(StatusReasonCode::from(reason)))
            );
        }
        assert_eq!(
            stored_reason(&store, other, as_of).await.as_deref(),
            Some(OTHER)
        );
        let history = store.card_history(other, 1).await.unwrap();
        assert_eq!(
            history[0].status_reason,
            Some(StatusReasonRecord::Text(OTHER.into()))
        );
    });
}

async fn insert_reason(store: &Store, as_of: Day, customer: i64, reason: &str) {
    let sql = "INSERT INTO score_snapshots (as_of, customer_id, rung, status, turn, orders, purchase_days, revenue, profit, scored_at, status_reason)
               VALUES ($1, $2, 'regular', 'slipping', 1, 3, 3, 0, 0, 0, $3)";
    let as_of = i64::from(as_of.days_since_epoch());
    match store {
        Store::Sqlite(pool) => sqlx::query(sql)
            .bind(as_of)
            .bind(customer)
            .bind(reason)
            .execute(pool)
            .await
            .map(|_| ())
            .unwrap(),
        Store::Postgres(pool) => sqlx::query(sql)
            .bind(as_of)
            .bind(customer)
            .bind(reason)
            .execute(pool)
            .await
            .map(|_| ())
            .unwrap(),
    }
}
