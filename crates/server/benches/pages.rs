//! Server time of the dashboard's pages over a large SQLite database.
//!
//! Seeds (or reuses) a database of `PAGES_CUSTOMERS` customers (default 1,000,000) with two
//! snapshots a month apart, order lines, personal dates and managers, writes the dashboard
//! aggregates the way scoring does (timed: that is the cost scoring pays), then signs in through
//! the login form and requests every page `PAGES_REQUESTS` times (default 50) one after the
//! other on a keep-alive loopback connection, and prints the median and p99 per page.
//!
//! The seeding is this bench's own (not `load_card`'s): the pages need statuses, reasons,
//! segments, two snapshots and dates that the card bench does not write.
//!
//! Run with `cargo bench -p clientele-server --bench pages`; `PAGES_DB=/path/pages.db` keeps
//! the seeded database for the next run.

use std::time::{Duration, Instant};

use clientele_core::Day;
use clientele_server::Settings;
use clientele_store::{Role, Store};
use rand::Rng;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const PASSWORD: &str = "bench password 1";
/// Every tenth customer is assigned to this many managers in turn.
const MANAGERS: i64 = 20;

/// The two snapshot days: 2024-09-04 and 2024-10-04.
const D1: i64 = 19_970;
const D2: i64 = 20_000;

async fn seed(store: &Store, n: i64) -> Vec<i64> {
    let Store::Sqlite(pool) = store else {
        panic!("the pages bench seeds SQLite");
    };
    let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM customers")
        .fetch_one(pool)
        .await
        .unwrap();
    let managers: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE name LIKE 'manager-%' ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    if have == n {
        eprintln!("reusing the seeded database ({n} customers)");
        return managers;
    }
    assert_eq!(
        have, 0,
        "PAGES_DB holds {have} customers, not {n}: remove it"
    );
    let mut managers = Vec::new();
    for m in 0..MANAGERS {
        let u = store
            .add_user(&format!("manager-{m}"), Role::Manager)
            .await
            .unwrap();
        store.set_password(u.user.id, PASSWORD).await.unwrap();
        managers.push(u.user.id);
    }
    let started = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    const CHUNK: i64 = 2_000;
    let rungs = [
        "prospect", "visitor", "newcomer", "regular", "regular", "advocate",
    ];
    let statuses = ["active", "active", "slipping", "lost"];
    let subgroups = ["profitable", "middling", "unprofitable"];
    let abc = ["A", "B", "C", "C"];
    let mut start = 1;
    while start <= n {
        let end = (start + CHUNK - 1).min(n);
        let ids: Vec<i64> = (start..=end).collect();
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO customers (id, external_id, name, created_at, preferred_channel, manager_user_id) ",
        );
        q.push_values(&ids, |mut b, id| {
            b.push_bind(id)
                .push_bind(format!("C{id:07}"))
                .push_bind(format!("Customer {id}"))
                .push_bind(0i64)
                .push_bind(["email", "phone", "sms"][(id % 3) as usize])
                .push_bind((id % 10 == 0).then(|| managers[((id / 10) % MANAGERS) as usize]));
        });
        q.build().execute(&mut *tx).await.unwrap();
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO order_lines (customer_id, keyed, order_ref, product, is_return, day, amount) ",
        );
        q.push_values(
            ids.iter().flat_map(|&id| [(id, 0), (id, 1)]),
            |mut b, (id, k)| {
                b.push_bind(id)
                    .push_bind(true)
                    .push_bind(format!("O{id}-{k}"))
                    .push_bind("p")
                    .push_bind(false)
                    .push_bind(19_000 + (id * 7 + k * 300) % 1000)
                    .push_bind(100_000 + (id % 97) * 10_000);
            },
        );
        q.build().execute(&mut *tx).await.unwrap();
        for (as_of, shift) in [(D1, 1), (D2, 0)] {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO score_snapshots (as_of, customer_id, rung, status, subgroup, turn, orders, purchase_days, revenue, profit, abc, rfm, status_reason, days_late, scored_at) ",
            );
            q.push_values(&ids, |mut b, id| {
                let rung = rungs[((id + shift * (id % 7 / 6)) % 6) as usize];
                let buyer = !matches!(rung, "prospect" | "visitor");
                let status = buyer.then(|| statuses[((id / 6 + shift) % 4) as usize]);
                let late = 5 + id % 40;
                b.push_bind(as_of)
                    .push_bind(id)
                    .push_bind(rung)
                    .push_bind(status)
                    .push_bind(buyer.then(|| subgroups[(id % 3) as usize]))
                    .push_bind(1 + i64::from(id % 50 == 0))
                    .push_bind(if buyer { 2i64 } else { 0 })
                    .push_bind(if buyer { 2i64 } else { 0 })
                    .push_bind(if buyer {
                        200_000 + (id % 97) * 20_000
                    } else {
                        0
                    })
                    .push_bind(if buyer {
                        90_000 - (id % 13) * 10_000
                    } else {
                        0
                    })
                    .push_bind(buyer.then(|| abc[(id % 4) as usize]))
                    .push_bind(
                        buyer.then(|| {
                            format!("{}{}{}", 1 + id % 5, 1 + id / 5 % 5, 1 + id / 25 % 5)
                        }),
                    )
                    .push_bind(
                        status.map(|_| format!("late_by_rhythm every=30 spread=4 late={late}")),
                    )
                    .push_bind(status.map(|_| late))
                    .push_bind(0i64);
            });
            q.build().execute(&mut *tx).await.unwrap();
        }
        let dated: Vec<i64> = ids.iter().copied().filter(|id| id % 5 == 0).collect();
        if !dated.is_empty() {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO personal_dates (customer_id, label, rule, year, month, day) ",
            );
            q.push_values(&dated, |mut b, id| {
                b.push_bind(id)
                    .push_bind("Birthday")
                    .push_bind("yearly")
                    .push_bind(1960 + id % 45)
                    .push_bind(1 + id % 12)
                    .push_bind(1 + id / 12 % 28);
            });
            q.build().execute(&mut *tx).await.unwrap();
        }
        start = end + 1;
    }
    tx.commit().await.unwrap();
    eprintln!(
        "seeded {n} customers in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    for d in [D1, D2] {
        store
            .refresh_dashboard(Day::from_days_since_epoch(d as i32))
            .await
            .unwrap();
    }
    eprintln!(
        "dashboard aggregates of two snapshots written in {:.1} s (scoring pays this per snapshot, half each)",
        started.elapsed().as_secs_f64()
    );
    sqlx::query("ANALYZE").execute(pool).await.unwrap();
    managers
}

/// The path of a page's i-th request.
type PathOf = Box<dyn Fn(usize) -> String>;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn signed_in(base: &str, name: &str) -> reqwest::Client {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let body = serde_urlencoded::to_string([("name", name), ("password", PASSWORD), ("next", "/")])
        .unwrap();
    let resp = client
        .post(format!("{base}/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "signing in as {name}");
    client
}

fn main() {
    let customers: i64 = env_or("PAGES_CUSTOMERS", 1_000_000);
    let requests: usize = env_or("PAGES_REQUESTS", 50);
    let dir = tempfile::tempdir().unwrap();
    let db = std::env::var("PAGES_DB")
        .unwrap_or_else(|_| dir.path().join("pages.db").display().to_string());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store = Store::connect(&format!("sqlite://{db}")).await.unwrap();
        let managers = seed(&store, customers).await;
        let admin = format!("bench-{}", rand::rng().random::<u32>());
        let u = store.add_user(&admin, Role::Admin).await.unwrap();
        store.set_password(u.user.id, PASSWORD).await.unwrap();
        let settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: format!("sqlite://{db}"),
            ..Settings::default()
        };
        let server = clientele_server::build_with_store(store.clone(), settings)
            .await
            .unwrap();
        let base = format!("http://{}", server.local_addr());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(server.run(async {
            let _ = stop_rx.await;
        }));
        let as_admin = signed_in(&base, &admin).await;
        let as_manager = signed_in(&base, "manager-3").await;
        assert!(!managers.is_empty());
        let card = move |_: usize| format!("/customers/{}", rand::rng().random_range(1..=customers));
        let deep = format!("/customers?after={}", customers / 2);
        let pages: Vec<(&str, &reqwest::Client, PathOf)> = vec![
            ("overview", &as_admin, Box::new(|_| "/".into())),
            ("flows", &as_admin, Box::new(|_| "/flows".into())),
            ("today", &as_admin, Box::new(|_| "/today".into())),
            ("today, page 20", &as_admin, Box::new(|_| "/today?page=20".into())),
            ("lost", &as_admin, Box::new(|_| "/lost".into())),
            ("customers", &as_admin, Box::new(|_| "/customers".into())),
            ("customers, keyset mid-way", &as_admin, Box::new(move |_| deep.clone())),
            ("customers?rung=advocate&status=slipping", &as_admin, Box::new(|_| "/customers?rung=advocate&status=slipping".into())),
            ("customers?segment=555", &as_admin, Box::new(|_| "/customers?segment=555".into())),
            ("customers?q=Customer 12345 (search)", &as_admin, Box::new(|_| "/customers?q=Customer+12345".into())),
            ("customers?q=ustomer (matches all)", &as_admin, Box::new(|_| "/customers?q=ustomer".into())),
            ("customers?q=12345&rung=advocate", &as_admin, Box::new(|_| "/customers?q=12345&rung=advocate".into())),
            ("customers?q=99 (2 chars: scan)", &as_admin, Box::new(|_| "/customers?q=99".into())),
            ("card", &as_admin, Box::new(card)),
            ("value", &as_admin, Box::new(|_| "/value".into())),
            ("dates", &as_admin, Box::new(|_| "/dates".into())),
            ("overview (manager)", &as_manager, Box::new(|_| "/".into())),
            ("today (manager)", &as_manager, Box::new(|_| "/today".into())),
            ("customers (manager)", &as_manager, Box::new(|_| "/customers".into())),
        ];
        println!("pages: {customers} customers, {requests} sequential requests each (after 3 warm-up), ms");
        println!("{:<42} {:>8} {:>8} {:>8}", "page", "median", "p99", "bytes");
        for (name, client, path) in &pages {
            let mut lat = Vec::with_capacity(requests);
            let mut bytes = 0;
            for i in 0..requests + 3 {
                let url = format!("{base}{}", path(i));
                let t = Instant::now();
                let resp = client.get(&url).send().await.unwrap();
                let status = resp.status();
                let body = resp.bytes().await.unwrap();
                let elapsed = t.elapsed();
                assert!(status.is_success(), "{name}: {url}: {status}");
                bytes = body.len();
                if i >= 3 {
                    lat.push(elapsed);
                }
            }
            lat.sort_unstable();
            println!(
                "{name:<42} {:>8.2} {:>8.2} {bytes:>8}",
                percentile(&lat, 0.5),
                percentile(&lat, 0.99)
            );
        }
        // The CSV export of a filtered list, whole file.
        let t = Instant::now();
        let resp = as_admin
            .get(format!("{base}/customers.csv?rung=advocate&status=slipping"))
            .send()
            .await
            .unwrap();
        let body = resp.bytes().await.unwrap();
        println!(
            "customers.csv?rung=advocate&status=slipping: {} rows in {:.0} ms",
            body.iter().filter(|&&b| b == b'\n').count() - 1,
            t.elapsed().as_secs_f64() * 1000.0
        );
        let _ = stop_tx.send(());
        handle.await.unwrap().unwrap();
    });
}
