//! The horizon the daily queue states (issue 27, item 4) on SQLite and on a real PostgreSQL
//! server: the snapshot's recorded CLV horizon (180 days here, not the default 365) wins over the
//! caller's setting; a snapshot with CLV but no recorded horizon (written before horizons were
//! recorded) states the caller's default; a snapshot without CLV states none.

use clientele_app::ForecastSettings;
use clientele_app::database::open_store;
use clientele_app::score::{ScoreSettings, score_store};
use clientele_app::winback::{QueueSettings, daily_queue};
use clientele_core::{Day, Money};
use clientele_store::{NewOrderLine, Scope, Store};
use clientele_testdb::{Backend, TestDb};

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

async fn execute(store: &Store, sql: &'static str) {
    match store {
        Store::Sqlite(pool) => {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
        Store::Postgres(pool) => {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
    }
}

async fn horizon(store: &Store, d: Day) -> Option<u32> {
    let q = daily_queue(
        store,
        &QueueSettings {
            day: d,
            scope: Scope::All,
            manager: None,
            limit: 100,
            default_time_zone: "Europe/Moscow".into(),
            clv_horizon_days: Some(365),
        },
    )
    .await
    .unwrap();
    assert!(!q.items.is_empty(), "the regulars are in the queue");
    q.clv_horizon_days
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_queue_states_the_snapshots_own_horizon() {
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let db = TestDb::new(backend);
        let store = open_store(&db.url).await.unwrap();
        let mut lines = Vec::new();
        for c in ["h1", "h2"] {
            for m in 0..5u32 {
                lines.push(line(
                    c,
                    &format!("{c}-{m}"),
                    day(2024, 11, 1).plus_days(30 * m as i32),
                ));
            }
        }
        let mut tx = store.begin_import("horizon").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(lines.len() as u64, 0).await.unwrap();
        let score = ScoreSettings {
            as_of: Some(day(2025, 4, 15)),
            forecast: ForecastSettings {
                kind: None,
                ..ForecastSettings::default()
            },
            ..ScoreSettings::default()
        };
        score_store(&store, &score, &|_| {}).await.unwrap();
        let today = day(2025, 4, 16);
        // Scored without a model: no CLV, no horizon recorded, none stated.
        assert_eq!(horizon(&store, today).await, None);
        // CLV without a recorded horizon (an older snapshot): the caller's default.
        execute(&store, "UPDATE score_snapshots SET clv = 5000").await;
        assert_eq!(horizon(&store, today).await, Some(365));
        // The snapshot's recorded horizon, 180 days, wins over the default.
        execute(
            &store,
            "INSERT INTO snapshot_horizons (as_of, clv_horizon_days) \
             SELECT MAX(as_of), 180 FROM score_snapshots",
        )
        .await;
        assert_eq!(horizon(&store, today).await, Some(180));
    }
}
