//! Load on the customer card: seeds a SQLite database with many customers (batched inserts in
//! one transaction, not through HTTP), starts the server on a loopback port and drives
//! `GET /api/v1/customers/{id}` for random ids from keep-alive connections (one HTTP client and
//! one connection per task), then prints requests per second, latency percentiles and CPU.
//!
//! Two ways to load:
//! * closed loop (default): each connection sends its next request when the last one is answered;
//! * open loop (`LOAD_RATE=2000`): requests are scheduled at a fixed total rate, spread evenly
//!   over the connections, and each latency runs from the request's *scheduled* send time, so a
//!   slow answer that delays the next requests on its connection counts against them too (the
//!   wrk2 method against coordinated omission). Timers fire up to 1 ms late, which counts too.
//!
//! Run with `bench/load_card.sh` (two processes: this binary serving, and this binary as the
//! client, so each one's CPU is its own) or `cargo bench -p clientele-server --bench load_card`
//! (both in one process). Environment: `LOAD_CUSTOMERS` (default 1,000,000), `LOAD_SECONDS`
//! (10), `LOAD_CONNECTIONS` (32), `LOAD_RATE` (requests per second; unset: closed loop),
//! `LOAD_DB` (a SQLite file, reused when already seeded with as many customers),
//! `LOAD_TOKEN_CACHE_SECONDS` (the server's token cache; 0 turns it off), `LOAD_CARD_READERS`
//! (the server's SQLite card reader threads; 0 reads cards through the pool),
//! `LOAD_SERVE_ONLY=1` to seed and serve without a client (for `wrk` or a client process): the
//! address, an admin token and the server's process id are printed and it runs until killed,
//! and `LOAD_TARGET=http://ADDR` with `LOAD_TOKEN` (and `LOAD_SERVER_PID` to report the
//! server's CPU per card) to run only the client against such a server.

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

/// CPU seconds (user + system) a process has used, from `/proc/PID/stat` (Linux reports them in
/// ticks of 1/100 s to user space).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: count fields after its closing parenthesis.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: f64 = fields.get(11)?.parse().ok()?;
    let system: f64 = fields.get(12)?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// How the client sends requests.
#[derive(Clone, Copy, Debug)]
enum Pace {
    /// Each connection sends as soon as its previous answer arrived.
    ClosedLoop,
    /// A fixed total number of requests per second, spread over the connections.
    OpenLoop { per_second: f64 },
}

/// What one run of the client saw.
struct Outcome {
    /// Microseconds per answered request, sorted.
    latencies: Vec<u32>,
    errors: u64,
    elapsed: f64,
}

/// Drives the card endpoint at `base` for `seconds` with `connections` keep-alive connections.
async fn drive(
    base: &str,
    token: &str,
    customers: i64,
    connections: usize,
    pace: Pace,
    seconds: f64,
) -> Outcome {
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for c in 0..connections {
        // One client per task, holding one keep-alive connection: the connection count is exact.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .unwrap();
        let base = base.to_string();
        let token = token.to_string();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            // Open loop: connection c sends at start + (c + k * connections) / rate.
            let interval = match pace {
                Pace::ClosedLoop => None,
                Pace::OpenLoop { per_second } => {
                    Some(Duration::from_secs_f64(connections as f64 / per_second))
                }
            };
            let mut scheduled = match pace {
                Pace::ClosedLoop => started,
                Pace::OpenLoop { per_second } => {
                    started + Duration::from_secs_f64(c as f64 / per_second)
                }
            };
            loop {
                let sent_from = match interval {
                    None => Instant::now(),
                    Some(_) => {
                        tokio::time::sleep_until(scheduled.into()).await;
                        scheduled
                    }
                };
                if sent_from >= deadline {
                    break;
                }
                let id = rand::rng().random_range(1..=customers);
                let resp = client
                    .get(format!("{base}/api/v1/customers/{id}"))
                    .bearer_auth(&token)
                    .send()
                    .await;
                let answered = match resp {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                };
                if answered {
                    latencies.push(sent_from.elapsed().as_micros() as u32);
                } else {
                    errors += 1;
                }
                if let Some(step) = interval {
                    scheduled += step;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.unwrap();
        latencies.extend(l);
        errors += e;
    }
    latencies.sort_unstable();
    Outcome {
        latencies,
        errors,
        elapsed: started.elapsed().as_secs_f64(),
    }
}

/// Runs the client (a 2 s warm-up, then the measured run) and prints one line of results.
async fn run_client(base: &str, token: &str, customers: i64, server_pid: Option<&str>) {
    let seconds: u64 = env_or("LOAD_SECONDS", 10);
    let connections: usize = env_or("LOAD_CONNECTIONS", 32);
    let pace = match std::env::var("LOAD_RATE").ok().and_then(|r| r.parse().ok()) {
        Some(per_second) if per_second > 0.0 => Pace::OpenLoop { per_second },
        _ => Pace::ClosedLoop,
    };
    drive(base, token, customers, connections, pace, 2.0).await;
    let me = std::process::id().to_string();
    let client_before = cpu_seconds(&me);
    let server_before = server_pid.and_then(cpu_seconds);
    let run = drive(base, token, customers, connections, pace, seconds as f64).await;
    let client_cpu = client_before.and_then(|b| Some(cpu_seconds(&me)? - b));
    let server_cpu = server_before.and_then(|b| Some(cpu_seconds(server_pid?)? - b));
    let lat = &run.latencies;
    let mode = match pace {
        Pace::ClosedLoop => "closed loop".to_string(),
        Pace::OpenLoop { per_second } => format!("open loop at {per_second:.0}/s"),
    };
    let mut line = format!(
        "card load: {customers} customers, {mode}, {connections} connections, {seconds} s: {} requests, {:.0} req/s, {} errors; latency ms p50 {:.2} p90 {:.2} p99 {:.2} max {:.2}",
        lat.len(),
        lat.len() as f64 / run.elapsed,
        run.errors,
        percentile(lat, 0.50),
        percentile(lat, 0.90),
        percentile(lat, 0.99),
        percentile(lat, 1.0),
    );
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    if let Some(cpu) = client_cpu {
        let share = 100.0 * cpu / (run.elapsed * cores);
        line += &format!("; client CPU {cpu:.1} s ({share:.0} % of {cores} cores)");
    }
    if let Some(cpu) = server_cpu {
        let per_card = 1000.0 * cpu / lat.len().max(1) as f64;
        line += &format!("; server CPU {cpu:.1} s, {per_card:.3} ms per card");
    }
    println!("{line}");
}

fn main() {
    let customers: i64 = env_or("LOAD_CUSTOMERS", 1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Ok(target) = std::env::var("LOAD_TARGET") {
        let token = std::env::var("LOAD_TOKEN").expect("LOAD_TARGET needs LOAD_TOKEN");
        let server_pid = std::env::var("LOAD_SERVER_PID").ok();
        rt.block_on(run_client(
            &target,
            &token,
            customers,
            server_pid.as_deref(),
        ));
        return;
    }
    let serve_only = std::env::var("LOAD_SERVE_ONLY").is_ok_and(|v| v == "1");
    let dir = tempfile::tempdir().unwrap();
    let db = std::env::var("LOAD_DB")
        .unwrap_or_else(|_| dir.path().join("load.db").display().to_string());
    rt.block_on(async move {
        let store = Store::connect(&format!("sqlite://{db}")).await.unwrap();
        seed(&store, customers).await;
        let name = format!("bench-{}", rand::rng().random::<u32>());
        let token = store.add_user(&name, Role::Admin).await.unwrap().token;
        let defaults = Settings::default();
        let settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: format!("sqlite://{db}"),
            token_cache_seconds: env_or("LOAD_TOKEN_CACHE_SECONDS", defaults.token_cache_seconds),
            sqlite_card_readers: env_or("LOAD_CARD_READERS", defaults.sqlite_card_readers),
            ..defaults
        };
        let server = clientele_server::build_with_store(store.clone(), settings)
            .await
            .unwrap();
        let base = format!("http://{}", server.local_addr());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(server.run(async {
            let _ = stop_rx.await;
        }));
        if serve_only {
            println!("ADDR={base}");
            println!("TOKEN={token}");
            println!("CUSTOMERS={customers}");
            println!("PID={}", std::process::id());
            use std::io::Write;
            std::io::stdout().flush().unwrap();
            std::future::pending::<()>().await;
        }
        // Client and server share this process: the "client CPU" printed is both.
        run_client(&base, &token, customers, None).await;
        let _ = stop_tx.send(());
        handle.await.unwrap().unwrap();
    });
}
