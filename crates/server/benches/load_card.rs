//! Load on the customer card: seeds a SQLite database with many customers (batched inserts in
//! one transaction, not through HTTP), starts the server on a loopback port and drives
//! `GET /api/v1/customers/{id}` for random ids from concurrent keep-alive connections, then
//! prints requests per second and latency percentiles.
//!
//! Run with `bench/load_card.sh` (or `cargo bench -p clientele-server --bench load_card`).
//! Environment: `LOAD_CUSTOMERS` (default 1,000,000), `LOAD_SECONDS` (10), `LOAD_CONNECTIONS`
//! (32), `LOAD_DB` (a SQLite file, reused when already seeded with as many customers),
//! `LOAD_TOKEN_CACHE_SECONDS` (the server's token cache; 0 turns it off), and
//! `LOAD_SERVE_ONLY=1` to seed and serve without the built-in client (for `wrk`): the address
//! and an admin token are printed and the server runs until killed.

use std::time::{Duration, Instant};

use clientele_server::Settings;
use clientele_store::{Role, Store};
use rand::Rng;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Inserts `n` customers with a contact, a consent, two order lines, a snapshot row and (every
/// tenth) a note, in one transaction of multi-row statements.
async fn seed(store: &Store, n: i64) {
    let Store::Sqlite(pool) = store else {
        panic!("the load bench seeds SQLite");
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
        "LOAD_DB holds {have} customers, not {n}: remove it"
    );
    let started = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    // Stays under SQLite's 32,766 bound parameters: 2 lines x 7 columns x 2,000.
    const CHUNK: i64 = 2_000;
    let as_of = 20_000i64; // 2024-10-04
    let rungs = ["newcomer", "regular", "regular", "advocate", "visitor"];
    let statuses = ["active", "slipping", "lost"];
    let mut start = 1;
    while start <= n {
        let end = (start + CHUNK - 1).min(n);
        let ids: Vec<i64> = (start..=end).collect();
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO customers (id, external_id, name, created_at, preferred_channel) ",
        );
        q.push_values(&ids, |mut b, id| {
            b.push_bind(id)
                .push_bind(format!("C{id:07}"))
                .push_bind(format!("Customer {id}"))
                .push_bind(0i64)
                .push_bind("email");
        });
        q.build().execute(&mut *tx).await.unwrap();
        let mut q =
            sqlx::QueryBuilder::new("INSERT INTO customer_contacts (customer_id, channel, value) ");
        q.push_values(&ids, |mut b, id| {
            b.push_bind(id)
                .push_bind("email")
                .push_bind(format!("c{id}@example.com"));
        });
        q.build().execute(&mut *tx).await.unwrap();
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO consents (customer_id, channel, granted, day, source) ",
        );
        q.push_values(&ids, |mut b, id| {
            b.push_bind(id)
                .push_bind("email")
                .push_bind(true)
                .push_bind(19_000 + id % 900)
                .push_bind("web form");
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
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO score_snapshots (as_of, customer_id, rung, status, subgroup, turn, orders, purchase_days, revenue, profit, scored_at) ",
        );
        q.push_values(&ids, |mut b, id| {
            b.push_bind(as_of)
                .push_bind(id)
                .push_bind(rungs[(id % 5) as usize])
                .push_bind(statuses[(id % 3) as usize])
                .push_bind("middling")
                .push_bind(1i64)
                .push_bind(2i64)
                .push_bind(2i64)
                .push_bind(200_000 + (id % 97) * 20_000)
                .push_bind(90_000i64)
                .push_bind(0i64);
        });
        q.build().execute(&mut *tx).await.unwrap();
        let noted: Vec<i64> = ids.iter().copied().filter(|id| id % 10 == 0).collect();
        if !noted.is_empty() {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO notes (customer_id, author, created_at, body) ",
            );
            q.push_values(&noted, |mut b, id| {
                b.push_bind(id)
                    .push_bind("seed")
                    .push_bind(0i64)
                    .push_bind("Prefers calls in the morning.");
            });
            q.build().execute(&mut *tx).await.unwrap();
        }
        start = end + 1;
    }
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(pool).await.unwrap();
    eprintln!(
        "seeded {n} customers in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    f64::from(sorted[i]) / 1000.0
}

fn main() {
    let customers: i64 = env_or("LOAD_CUSTOMERS", 1_000_000);
    let seconds: u64 = env_or("LOAD_SECONDS", 10);
    let connections: usize = env_or("LOAD_CONNECTIONS", 32);
    let serve_only = std::env::var("LOAD_SERVE_ONLY").is_ok_and(|v| v == "1");
    let dir = tempfile::tempdir().unwrap();
    let db = std::env::var("LOAD_DB")
        .unwrap_or_else(|_| dir.path().join("load.db").display().to_string());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store = Store::connect(&format!("sqlite://{db}")).await.unwrap();
        seed(&store, customers).await;
        let name = format!("bench-{}", rand::rng().random::<u32>());
        let token = store.add_user(&name, Role::Admin).await.unwrap().token;
        let settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: format!("sqlite://{db}"),
            token_cache_seconds: env_or("LOAD_TOKEN_CACHE_SECONDS", Settings::default().token_cache_seconds),
            ..Settings::default()
        };
        let server = clientele_server::build_with_store(store.clone(), settings)
            .await
            .unwrap();
        let addr = server.local_addr();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(server.run(async {
            let _ = stop_rx.await;
        }));
        if serve_only {
            println!("ADDR=http://{addr}");
            println!("TOKEN={token}");
            println!("CUSTOMERS={customers}");
            use std::io::Write;
            std::io::stdout().flush().unwrap();
            std::future::pending::<()>().await;
        }
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(connections)
            .build()
            .unwrap();
        // Warm-up: one second, not counted.
        let run = |secs: f64| {
            let client = client.clone();
            let token = token.clone();
            async move {
                let deadline = Instant::now() + Duration::from_secs_f64(secs);
                let mut tasks = Vec::new();
                for _ in 0..connections {
                    let client = client.clone();
                    let token = token.clone();
                    tasks.push(tokio::spawn(async move {
                        let mut lat = Vec::new();
                        let mut errors = 0u64;
                        while Instant::now() < deadline {
                            let id = rand::rng().random_range(1..=customers);
                            let t = Instant::now();
                            let resp = client
                                .get(format!("http://{addr}/api/v1/customers/{id}"))
                                .bearer_auth(&token)
                                .send()
                                .await;
                            match resp {
                                Ok(r) if r.status().is_success() => {
                                    let _ = r.bytes().await;
                                    lat.push(t.elapsed().as_micros() as u32);
                                }
                                _ => errors += 1,
                            }
                        }
                        (lat, errors)
                    }));
                }
                let mut all = Vec::new();
                let mut errors = 0;
                for t in tasks {
                    let (l, e) = t.await.unwrap();
                    all.extend(l);
                    errors += e;
                }
                (all, errors)
            }
        };
        run(1.0).await;
        let started = Instant::now();
        let (mut lat, errors) = run(seconds as f64).await;
        let elapsed = started.elapsed().as_secs_f64();
        lat.sort_unstable();
        println!(
            "card load: {customers} customers, {connections} connections, {seconds} s: {} requests, {:.0} req/s, {errors} errors; latency ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}",
            lat.len(),
            lat.len() as f64 / elapsed,
            percentile(&lat, 0.50),
            percentile(&lat, 0.90),
            percentile(&lat, 0.99),
            percentile(&lat, 1.0),
        );
        let _ = stop_tx.send(());
        handle.await.unwrap().unwrap();
    });
}
