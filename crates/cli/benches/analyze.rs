//! End-to-end benchmark of `clientele analyze` on generated order logs (1M and 10M orders), and,
//! side by side in the same run, the usual Python route (pandas `read_csv` + lifetimes'
//! `summary_data_from_transaction_data`) on the same 1M-order file.
//!
//!     cargo bench -p clientele --bench analyze
//!
//! Environment:
//! - `CLIENTELE_BENCH_DATA`: where generated files are kept between runs (default
//!   `$HOME/.cache/clientele-bench-data`).
//! - `CLIENTELE_BENCH_SIZES`: comma-separated order counts in millions (default `1,10`).
//! - `CLIENTELE_BENCH_RUNS`: runs per size (default 3); the median is reported.
//! - `CLIENTELE_BENCH_PYTHON`: a Python with pandas and lifetimes (see `bench/setup_python.sh`);
//!   the Python route is skipped when it is unset.
//!
//! Figures go to BENCHMARKS.md by hand: the machine is shared and noisy, so compare ratios
//! measured in one run.

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

/// One timed run: wall seconds and the peak memory the binary reports about itself.
fn run_analyze(orders: &Path, out: &Path) -> (f64, u64) {
    let started = Instant::now();
    let output = Command::new(BIN)
        .arg("analyze")
        .arg(orders)
        .arg("--out")
        .arg(out)
        .arg("--timings")
        .output()
        .expect("running clientele analyze");
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "analyze failed: {stderr}");
    let peak_mb = stderr
        .split("peak memory ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (seconds, peak_mb)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn python_route(python: &str, orders: &Path) -> Option<f64> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/python_route.py");
    let output = Command::new(python)
        .arg(script)
        .arg(orders)
        .args(["--as-of", "2024-12-31"])
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "python route failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    // The route itself: reading, cleaning and summarising; interpreter start and imports excluded.
    let steps = ["read_csv_s", "clean_s", "summary_s"];
    Some(steps.iter().filter_map(|k| json[*k].as_f64()).sum())
}

fn main() {
    // `cargo test --benches` runs this with `--test`-less args; `cargo bench` passes `--bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<u64> = std::env::var("CLIENTELE_BENCH_SIZES")
        .unwrap_or_else(|_| "1,10".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("CLIENTELE_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let out = tempfile_dir();
    println!("| orders | file MB | median s (of {runs}) | min s | peak MB | rows/s |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut one_million: Option<(PathBuf, f64)> = None;
    for &m in &sizes {
        let orders = ensure_orders(m);
        let mb = std::fs::metadata(&orders).map_or(0, |md| md.len() >> 20);
        let mut times = Vec::new();
        let mut peak = 0;
        for _ in 0..runs {
            let (s, p) = run_analyze(&orders, &out);
            times.push(s);
            peak = peak.max(p);
        }
        let min = times.iter().copied().fold(f64::INFINITY, f64::min);
        let med = median(times);
        println!(
            "| {m}M | {mb} | {med:.2} | {min:.2} | {peak} | {:.1}M |",
            m as f64 / med
        );
        if m == 1 {
            one_million = Some((orders, med));
        }
    }
    if let (Ok(python), Some((orders, ours))) =
        (std::env::var("CLIENTELE_BENCH_PYTHON"), one_million)
        && let Some(theirs) = python_route(&python, &orders)
    {
        println!(
            "\nPython route (read_csv + clean + summary_data_from_transaction_data) on 1M orders: {theirs:.2} s; clientele analyze (full report): {ours:.2} s; ratio {:.1}x",
            theirs / ours
        );
    }
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clientele-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creating a temporary directory");
    dir
}
