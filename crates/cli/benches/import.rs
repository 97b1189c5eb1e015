//! Benchmark of `clientele import` into SQLite: a generated order log (1M rows by default) into
//! a fresh database, then the same file again (every line already stored).
//!
//!     cargo bench -p clientele --bench import
//!
//! Environment: `CLIENTELE_BENCH_DATA` (where generated files are kept, default
//! `$HOME/.cache/clientele-bench-data`, shared with the analyze bench), `CLIENTELE_BENCH_SIZES`
//! (order counts in millions, default `1`), `CLIENTELE_BENCH_RUNS` (default 3; the median is
//! reported). Figures go to BENCHMARKS.md by hand.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_clientele");
/// Customers that give about one million order rows with the generator's defaults.
const CUSTOMERS_PER_MILLION: u64 = 232_000;

fn data_dir() -> PathBuf {
    std::env::var_os("CLIENTELE_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            Path::new(&home).join(".cache/clientele-bench-data")
        })
}

fn ensure_orders(millions: u64) -> PathBuf {
    let dir = data_dir();
    std::fs::create_dir_all(&dir).expect("creating the bench data directory");
    let path = dir.join(format!("orders-{millions}m.csv"));
    if !path.exists() {
        let tmp = dir.join(format!("orders-{millions}m.csv.partial"));
        let status = Command::new(BIN)
            .args(["generate", "--seed", "42", "--customers"])
            .arg((millions * CUSTOMERS_PER_MILLION).to_string())
            .arg("--out")
            .arg(&tmp)
            .status()
            .expect("running clientele generate");
        assert!(status.success(), "clientele generate failed");
        std::fs::rename(&tmp, &path).expect("renaming the generated file");
    }
    path
}

fn import(orders: &Path, db: &Path) -> f64 {
    let started = Instant::now();
    let output = Command::new(BIN)
        .arg("import")
        .arg(orders)
        .arg("--db")
        .arg(format!("sqlite://{}", db.display()))
        .output()
        .expect("running clientele import");
    let secs = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    secs
}

fn count(db: &Path, sql: &str) -> u64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = clientele_store::Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        let n = store.count(sql).await.unwrap();
        store.close().await;
        n as u64
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let sizes: Vec<u64> = std::env::var("CLIENTELE_BENCH_SIZES")
        .unwrap_or_else(|_| "1".into())
        .split(',')
        .map(|s| s.trim().parse().expect("CLIENTELE_BENCH_SIZES: numbers"))
        .collect();
    let runs: usize = std::env::var("CLIENTELE_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    for millions in sizes {
        let orders = ensure_orders(millions);
        let (mut fresh, mut again) = (Vec::new(), Vec::new());
        let (mut lines, mut order_count) = (0, 0);
        for _ in 0..runs {
            let dir = tempfile::tempdir().unwrap();
            let db = dir.path().join("bench.db");
            fresh.push(import(&orders, &db));
            again.push(import(&orders, &db));
            lines = count(&db, "order_lines");
            order_count = count(&db, "orders");
        }
        let (f, a) = (median(fresh), median(again));
        println!(
            "import {millions}M file: {lines} lines in {order_count} orders; fresh database {f:.2} s \
             ({:.0} orders/s, {:.0} lines/s); again, all stored {a:.2} s ({:.0} orders/s)",
            order_count as f64 / f,
            lines as f64 / f,
            order_count as f64 / a,
        );
    }
}
