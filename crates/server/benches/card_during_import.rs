//! Card views during a long import (issue 23, item 3): an order file big enough to take about a
//! minute is imported into a SQLite database by a second process (this binary run again, as
//! `clientele import` would be next to `clientele serve`), while this process serves the API on
//! loopback and drives it: card views in open loop (latency from each request's scheduled time,
//! so a stall counts against every request it delays), a customer-list read and a note every
//! half second. The same load runs for 10 s before the import as the baseline. Printed: the
//! import's wall time and, per phase, requests, errors and latency percentiles.
//!
//!     cargo bench -p clientele-server --bench card_during_import
//!
//! Environment: `CARD_IMPORT_LINES` (lines of the big file, 2,000,000: about a minute here), `CARD_RATE` (card views
//! per second, 100), `CARD_CONNECTIONS` (8), `CARD_SEED_CUSTOMERS` (customers imported before the
//! run, whose cards are viewed; 20,000).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clientele_ingest::pipeline::ImportOptions;
use clientele_server::Settings;
use clientele_store::{Role, Store};
use rand::Rng;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Writes an order export: `lines` lines over customers `C{first}`.. (five lines each).
fn write_orders(path: &Path, first_customer: u64, lines: u64) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "order_id,customer_id,date,amount,product").unwrap();
    for i in 0..lines {
        let customer = first_customer + i / 5;
        let day = 1 + (i * 7919 % 360) as u32;
        let (m, d) = (1 + (day - 1) / 30, 1 + (day - 1) % 28);
        let amount = 100 + (i * 31 % 9_000);
        writeln!(
            out,
            "o{customer}-{i},C{customer:08},2024-{m:02}-{d:02},{}.{:02},product {}",
            amount / 100,
            amount % 100,
            i % 97
        )
        .unwrap();
    }
    out.flush().unwrap();
}

/// The child process: imports `file` into `db` (as `clientele import` does) and exits.
fn import_child(db: &str, file: &Path) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Store::connect(&format!("sqlite://{db}")).await.unwrap();
        let imported =
            clientele_app::import::import_file(&store, file, "bench", 0, &ImportOptions::default())
                .await
                .unwrap();
        eprintln!(
            "import: {} lines written in {:.1} s",
            imported.counts.inserted, imported.seconds
        );
        store.close().await;
    });
}

/// What one kind of request saw in a phase.
#[derive(Default)]
struct Seen {
    /// Microseconds, sorted at the end.
    latencies: Vec<u64>,
    errors: u64,
}

impl Seen {
    fn line(&mut self, what: &str) -> String {
        self.latencies.sort_unstable();
        let p = |q: f64| {
            let l = &self.latencies;
            if l.is_empty() {
                return f64::NAN;
            }
            let i = ((q * l.len() as f64).ceil() as usize).clamp(1, l.len()) - 1;
            l[i] as f64 / 1000.0
        };
        format!(
            "{what}: {} answered, {} errors; ms p50 {:.1} p90 {:.1} p99 {:.1} max {:.1}",
            self.latencies.len(),
            self.errors,
            p(0.50),
            p(0.90),
            p(0.99),
            p(1.0)
        )
    }
}

/// Drives the server until `stop` says so: card views at `rate` per second spread over
/// `connections`, and a list read and a note every 500 ms. Returns (cards, lists, notes).
async fn drive(
    base: &str,
    token: &str,
    ids: (i64, i64),
    rate: f64,
    connections: usize,
    stop: tokio::sync::watch::Receiver<bool>,
) -> (Seen, Seen, Seen) {
    let started = Instant::now();
    let mut cards = Vec::new();
    for c in 0..connections {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let (base, token, stop) = (base.to_string(), token.to_string(), stop.clone());
        cards.push(tokio::spawn(async move {
            let mut seen = Seen::default();
            let step = Duration::from_secs_f64(connections as f64 / rate);
            let mut scheduled = started + Duration::from_secs_f64(c as f64 / rate);
            while !*stop.borrow() {
                tokio::time::sleep_until(scheduled.into()).await;
                let id = rand::rng().random_range(ids.0..=ids.1);
                let ok = match client
                    .get(format!("{base}/api/v1/customers/{id}"))
                    .bearer_auth(&token)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                };
                if ok {
                    seen.latencies.push(scheduled.elapsed().as_micros() as u64);
                } else {
                    seen.errors += 1;
                }
                scheduled += step;
            }
            seen
        }));
    }
    let side = |kind: &'static str| {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let (base, token, stop) = (base.to_string(), token.to_string(), stop.clone());
        tokio::spawn(async move {
            let mut seen = Seen::default();
            let mut n = 0u64;
            while !*stop.borrow() {
                let sent = Instant::now();
                let id = rand::rng().random_range(ids.0..=ids.1);
                let request = if kind == "list" {
                    client.get(format!("{base}/api/v1/customers?limit=50"))
                } else {
                    n += 1;
                    client
                        .post(format!("{base}/api/v1/customers/{id}/notes"))
                        .json(&serde_json::json!({"body": format!("bench note {n}")}))
                };
                let ok = match request.bearer_auth(&token).send().await {
                    Ok(r) if r.status().is_success() => r.bytes().await.is_ok(),
                    _ => false,
                };
                if ok {
                    seen.latencies.push(sent.elapsed().as_micros() as u64);
                } else {
                    seen.errors += 1;
                }
                tokio::time::sleep_until((sent + Duration::from_millis(500)).into()).await;
            }
            seen
        })
    };
    let (lists, notes) = (side("list"), side("note"));
    let mut all = Seen::default();
    for t in cards {
        let s = t.await.unwrap();
        all.latencies.extend(s.latencies);
        all.errors += s.errors;
    }
    (all, lists.await.unwrap(), notes.await.unwrap())
}

fn main() {
    if let (Ok(db), Ok(file)) = (
        std::env::var("CARD_IMPORT_CHILD_DB"),
        std::env::var("CARD_IMPORT_CHILD_FILE"),
    ) {
        import_child(&db, Path::new(&file));
        return;
    }
    let lines: u64 = env_or("CARD_IMPORT_LINES", 2_000_000);
    let rate: f64 = env_or("CARD_RATE", 100.0);
    let connections: usize = env_or("CARD_CONNECTIONS", 8);
    let seeded: u64 = env_or("CARD_SEED_CUSTOMERS", 20_000);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bench.db").display().to_string();
    let seed_file = dir.path().join("seed.csv");
    let big_file: PathBuf = dir.path().join("big.csv");
    write_orders(&seed_file, 0, seeded * 5);
    let started = Instant::now();
    write_orders(&big_file, seeded, lines);
    eprintln!(
        "wrote {lines} lines ({:.0} MB) in {:.1} s",
        std::fs::metadata(&big_file).unwrap().len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let store = Store::connect(&format!("sqlite://{db}")).await.unwrap();
        clientele_app::import::import_file(&store, &seed_file, "seed", 0, &ImportOptions::default())
            .await
            .unwrap();
        let Store::Sqlite(pool) = &store else {
            unreachable!()
        };
        let ids: (i64, i64) = sqlx::query_as("SELECT MIN(id), MAX(id) FROM customers")
            .fetch_one(pool)
            .await
            .unwrap();
        let token = store.add_user("bench", Role::Admin).await.unwrap().token;
        let settings = Settings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: format!("sqlite://{db}"),
            ..Settings::default()
        };
        let server = clientele_server::build_with_store(store.clone(), settings)
            .await
            .unwrap();
        let base = format!("http://{}", server.local_addr());
        let (stop_server, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.run(async {
            let _ = stopped.await;
        }));

        // Baseline: 10 s without the import.
        let (stop, watch) = tokio::sync::watch::channel(false);
        let load = tokio::spawn({
            let (base, token) = (base.clone(), token.clone());
            async move { drive(&base, &token, ids, rate, connections, watch).await }
        });
        tokio::time::sleep(Duration::from_secs(10)).await;
        stop.send(true).unwrap();
        let (mut cards, mut lists, mut notes) = load.await.unwrap();
        let mut audited_views = cards.latencies.len() + notes.latencies.len();
        println!("before the import, 10 s, cards at {rate}/s over {connections} connections:");
        println!("  {}", cards.line("cards"));
        println!("  {}", lists.line("customer lists"));
        println!("  {}", notes.line("notes"));

        // The same load while the second process imports the big file.
        let (stop, watch) = tokio::sync::watch::channel(false);
        let load = tokio::spawn({
            let (base, token) = (base.clone(), token.clone());
            async move { drive(&base, &token, ids, rate, connections, watch).await }
        });
        let import_started = Instant::now();
        let child = {
            let (db, big_file) = (db.clone(), big_file.clone());
            tokio::task::spawn_blocking(move || {
                std::process::Command::new(std::env::current_exe().unwrap())
                    .env("CARD_IMPORT_CHILD_DB", &db)
                    .env("CARD_IMPORT_CHILD_FILE", &big_file)
                    .status()
                    .unwrap()
            })
        };
        let status = child.await.unwrap();
        assert!(status.success(), "the import failed");
        let import_seconds = import_started.elapsed().as_secs_f64();
        stop.send(true).unwrap();
        let (mut cards, mut lists, mut notes) = load.await.unwrap();
        audited_views += cards.latencies.len() + notes.latencies.len();
        println!(
            "during the import of {lines} lines ({import_seconds:.1} s), cards at {rate}/s over {connections} connections:"
        );
        println!("  {}", cards.line("cards"));
        println!("  {}", lists.line("customer lists"));
        println!("  {}", notes.line("notes"));

        let _ = stop_server.send(());
        serving.await.unwrap().unwrap();
        let audited = store.count("audit_log").await.unwrap();
        println!(
            "audit entries written: {audited} (card views and notes answered: {audited_views})"
        );
        store.close().await;
    });
}
