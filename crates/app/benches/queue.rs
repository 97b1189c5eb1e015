//! The daily queue and a campaign report over 1M customers on SQLite (issue 27's bars: the
//! queue under 5 s, the report under 2 s). Seeds a database once (reused when it holds the same
//! number of customers): customers (one in ten assigned to one of 20 managers), a snapshot with
//! rungs, statuses, sub-groups, P(alive) and CLV, two order lines each in 12 categories,
//! e-mail consent and address for half, and purchases after the snapshot for one in seven.
//! Outbound contacts in the contact log (two each for one in five customers) are added once
//! when the log is empty. Then times the queue's store reads one by one (wall and process CPU
//! time, so a loaded machine's waiting shows apart from the work), `daily_queue` for everyone
//! (cold: builds the cross-category model; warm: cached), for one manager, and
//! `campaign_report` of a campaign over every customer.
//!
//! `QUEUE_DB=/tmp/queue.db QUEUE_CUSTOMERS=1000000 cargo bench -p clientele-app --bench queue`

use std::time::Instant;

use clientele_app::database::open_store;
use clientele_app::winback::{
    CampaignSettings, QueueSettings, campaign_report, create_campaign, daily_queue,
};
use clientele_core::winback::CampaignFilter;
use clientele_core::{Day, Money};
use clientele_store::{Role, Scope, Store};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const MANAGERS: i64 = 20;
/// The snapshot day, 2024-10-04.
const AS_OF: i64 = 20_000;
const CATEGORIES: [&str; 12] = [
    "Shoes", "Bags", "Home", "Garden", "Sports", "Books", "Toys", "Beauty", "Food", "Pets",
    "Tools", "Music",
];

async fn seed(store: &Store, n: i64) {
    let Store::Sqlite(pool) = store else {
        panic!("the queue bench seeds SQLite");
    };
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers")
        .fetch_one(pool)
        .await
        .unwrap();
    if have == n {
        eprintln!("reusing the seeded database ({n} customers)");
        return;
    }
    assert_eq!(
        have, 0,
        "QUEUE_DB holds {have} customers, not {n}: remove it"
    );
    let mut managers = Vec::new();
    for m in 0..MANAGERS {
        let u = store
            .add_user(&format!("manager-{m}"), Role::Manager)
            .await
            .unwrap();
        managers.push(u.user.id);
    }
    let started = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    const CHUNK: i64 = 1_000;
    let rungs = [
        "newcomer", "regular", "regular", "advocate", "newcomer", "regular",
    ];
    let statuses = ["active", "slipping", "slipping", "lost"];
    let subgroups = ["profitable", "middling", "unprofitable"];
    let mut start = 1;
    while start <= n {
        let end = (start + CHUNK - 1).min(n);
        let ids: Vec<i64> = (start..=end).collect();
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO customers (id, external_id, name, created_at, manager_user_id) ",
        );
        q.push_values(&ids, |mut b, id| {
            b.push_bind(id)
                .push_bind(format!("C{id:07}"))
                .push_bind(format!("Customer {id}"))
                .push_bind(0i64)
                .push_bind((id % 10 == 0).then(|| managers[((id / 10) % MANAGERS) as usize]));
        });
        q.build().execute(&mut *tx).await.unwrap();
        // Two lines before the snapshot; one in seven buys again after it.
        let mut lines = Vec::new();
        for &id in &ids {
            for k in 0..2i64 {
                let cat = CATEGORIES[((id * (k + 3) + id / 7) % 12) as usize];
                lines.push((id, k, AS_OF - 30 - (id * 7 + k * 90) % 300, cat));
            }
            if id % 7 == 0 {
                lines.push((id, 2, AS_OF + 5 + id % 20, CATEGORIES[(id % 12) as usize]));
            }
        }
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO order_lines (customer_id, keyed, order_ref, product, is_return, day, amount, category) ",
        );
        q.push_values(&lines, |mut b, &(id, k, day, cat)| {
            b.push_bind(id)
                .push_bind(true)
                .push_bind(format!("O{id}-{k}"))
                .push_bind("p")
                .push_bind(false)
                .push_bind(day)
                .push_bind(100_000 + (id % 97) * 10_000)
                .push_bind(cat);
        });
        q.build().execute(&mut *tx).await.unwrap();
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO score_snapshots (as_of, customer_id, rung, status, subgroup, turn, orders, purchase_days, revenue, profit, p_alive, expected_purchases, clv, scored_at) ",
        );
        q.push_values(&ids, |mut b, id| {
            let p = 0.05 + (id % 90) as f64 / 100.0;
            b.push_bind(AS_OF)
                .push_bind(id)
                .push_bind(rungs[(id % 6) as usize])
                .push_bind(statuses[((id / 6) % 4) as usize])
                .push_bind(subgroups[(id % 3) as usize])
                .push_bind(1i64)
                .push_bind(2i64)
                .push_bind(2i64)
                .push_bind(200_000 + (id % 97) * 20_000)
                .push_bind(90_000 - (id % 13) * 10_000)
                .push_bind(p)
                .push_bind(p * 3.0)
                .push_bind(p * (1_000.0 + (id % 211) as f64 * 50.0))
                .push_bind(0i64);
        });
        q.build().execute(&mut *tx).await.unwrap();
        let half: Vec<i64> = ids.iter().copied().filter(|id| id % 2 == 0).collect();
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO consents (customer_id, channel, granted, day, source) ",
        );
        q.push_values(&half, |mut b, id| {
            b.push_bind(id)
                .push_bind("email")
                .push_bind(true)
                .push_bind(AS_OF - 400)
                .push_bind("web form");
        });
        q.build().execute(&mut *tx).await.unwrap();
        let mut q =
            sqlx::QueryBuilder::new("INSERT INTO customer_contacts (customer_id, channel, value) ");
        q.push_values(&half, |mut b, id| {
            b.push_bind(id)
                .push_bind("email")
                .push_bind(format!("c{id}@example.com"));
        });
        q.build().execute(&mut *tx).await.unwrap();
        start = end + 1;
    }
    tx.commit().await.unwrap();
    eprintln!(
        "seeded {n} customers in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// The process's CPU time (user + system) in seconds, from `/proc/self/stat` (clock ticks of
/// 10 ms); 0 where that file is not.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Runs `f`, printing its wall and CPU time.
async fn timed<T, F: std::future::Future<Output = T>>(label: &str, f: F) -> T {
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let out = f.await;
    eprintln!(
        "{label}: {:.2} s wall, {:.2} s CPU",
        wall.elapsed().as_secs_f64(),
        cpu_seconds() - cpu
    );
    out
}

/// The snapshot's last purchase day, as scoring writes it (its column came after the first
/// seeded files, which this fills once).
async fn fill_last_purchase(store: &Store) {
    let Store::Sqlite(pool) = store else {
        panic!("the queue bench seeds SQLite");
    };
    let missing: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM score_snapshots WHERE last_purchase IS NULL")
            .fetch_one(pool)
            .await
            .unwrap();
    if missing == 0 {
        return;
    }
    sqlx::query(
        "UPDATE score_snapshots SET last_purchase =
            (SELECT MAX(l.day) FROM order_lines l
             WHERE l.customer_id = score_snapshots.customer_id AND NOT l.is_return
               AND l.day <= score_snapshots.as_of)",
    )
    .execute(pool)
    .await
    .unwrap();
    eprintln!("filled the snapshot's last purchase day of {missing} customers");
}

/// Two outbound contacts in the 60 days before the snapshot for one customer in five, once.
async fn seed_contacts(store: &Store, n: i64) {
    let Store::Sqlite(pool) = store else {
        panic!("the queue bench seeds SQLite");
    };
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contact_log")
        .fetch_one(pool)
        .await
        .unwrap();
    if have > 0 {
        return;
    }
    let mut tx = pool.begin().await.unwrap();
    let ids: Vec<i64> = (1..=n).filter(|id| id % 5 == 0).collect();
    for chunk in ids.chunks(1_000) {
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO contact_log (customer_id, at, channel, direction, subject) ",
        );
        let rows: Vec<(i64, i64)> = chunk
            .iter()
            .flat_map(|&id| [(id, 1 + id % 60), (id, 31 + id % 29)])
            .collect();
        q.push_values(&rows, |mut b, &(id, days_before)| {
            b.push_bind(id)
                .push_bind((AS_OF - days_before) * 86_400 + 36_000)
                .push_bind("email")
                .push_bind("out")
                .push_bind("bench");
        });
        q.build().execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    eprintln!("seeded {} outbound contacts", ids.len() * 2);
}

fn main() {
    let n: i64 = env_or("QUEUE_CUSTOMERS", 1_000_000);
    let path: String = env_or("QUEUE_DB", "/tmp/clientele-queue-bench.db".to_string());
    let runs: usize = env_or("QUEUE_RUNS", 3);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = open_store(&format!("sqlite://{path}")).await.unwrap();
        seed(&store, n).await;
        seed_contacts(&store, n).await;
        fill_last_purchase(&store).await;
        let as_of = Day::from_days_since_epoch(AS_OF as i32);
        // The store's reads the queue makes over everyone, one by one.
        let rows = timed(
            "store: queue_snapshot, everyone",
            store.queue_snapshot(Scope::All, None, as_of),
        )
        .await
        .unwrap();
        eprintln!(
            "  {} rows, {} lost with a last purchase",
            rows.len(),
            rows.iter().filter(|r| r.last_purchase.is_some()).count()
        );
        let activity = timed(
            "store: queue_activity",
            store.queue_activity(
                Day::from_days_since_epoch(AS_OF as i32 + 1),
                Day::from_days_since_epoch(AS_OF as i32 - 88),
            ),
        )
        .await
        .unwrap();
        eprintln!("  {} customers with activity", activity.len());
        let pairs = timed(
            "store: customer_categories (the cross-category model's input)",
            store.customer_categories(None),
        )
        .await
        .unwrap();
        eprintln!("  {} (customer, category) pairs", pairs.len());
        let day = Day::from_days_since_epoch(AS_OF as i32 + 1);
        let settings = |manager: Option<&str>| QueueSettings {
            day,
            scope: Scope::All,
            manager: manager.map(String::from),
            limit: 100,
            default_time_zone: "Europe/Moscow".into(),
            clv_horizon_days: Some(365),
        };
        for run in 0..runs {
            let (t, cpu) = (Instant::now(), cpu_seconds());
            let q = daily_queue(&store, &settings(None)).await.unwrap();
            eprintln!(
                "queue, everyone (run {run}{}): {:.2} s wall, {:.2} s CPU ({} candidates, {} items, first at stake {:?})",
                if run == 0 { ", cold" } else { "" },
                t.elapsed().as_secs_f64(),
                cpu_seconds() - cpu,
                q.candidates,
                q.items.len(),
                q.items.first().and_then(|i| i.value_at_stake)
            );
        }
        for run in 0..runs {
            let (t, cpu) = (Instant::now(), cpu_seconds());
            let q = daily_queue(&store, &settings(Some("manager-3")))
                .await
                .unwrap();
            eprintln!(
                "queue, one manager (run {run}): {:.2} s wall, {:.2} s CPU ({} candidates)",
                t.elapsed().as_secs_f64(),
                cpu_seconds() - cpu,
                q.candidates
            );
        }
        // A campaign over everyone, created once and reused by later runs on the same file.
        let existing = store
            .campaigns(0, 100)
            .await
            .unwrap()
            .1
            .into_iter()
            .find(|c| c.name == "bench, everyone" && c.treated + c.control == n);
        let campaign_id = match existing {
            Some(c) => {
                eprintln!("reusing campaign {} over {n} customers", c.id);
                c.id
            }
            None => {
                let t = Instant::now();
                let created = create_campaign(
                    &store,
                    &CampaignSettings {
                        name: "bench, everyone".into(),
                        filter: CampaignFilter::default(),
                        control_share: 0.2,
                        seed: Some(7),
                        start_day: day,
                        window_days: 30,
                        cost_per_contact: Money::from_major(5),
                        created_by: "bench".into(),
                    },
                )
                .await
                .unwrap();
                eprintln!(
                    "campaign created over {} customers in {:.2} s",
                    created.treated + created.control,
                    t.elapsed().as_secs_f64()
                );
                created.id
            }
        };
        timed(
            "store: campaign_arm_revenue",
            store.campaign_arm_revenue(campaign_id, day, day.plus_days(29)),
        )
        .await
        .unwrap();
        for run in 0..runs {
            let (t, cpu) = (Instant::now(), cpu_seconds());
            let report = campaign_report(&store, campaign_id, Some(day.plus_days(40)))
                .await
                .unwrap();
            eprintln!(
                "campaign report (run {run}): {:.2} s wall, {:.2} s CPU (verdict {:?})",
                t.elapsed().as_secs_f64(),
                cpu_seconds() - cpu,
                report.report.verdict
            );
        }
    });
}
