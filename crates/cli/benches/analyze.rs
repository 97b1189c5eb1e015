//! End-to-end benchmark of `clientele analyze` on generated order logs (1M and 10M orders), and,
//! side by side in the same run, the usual Python route on the same 1M-order file: pandas
//! `read_csv` + lifetimes' summary, BG/NBD and Gamma-Gamma fits, P(alive), expected purchases
//! and CLV, against `clientele analyze --model bgnbd` doing the same (and the ladder besides)
//! and against `clientele models score --model bgnbd` (the same without the ladder);
//! the fitted parameters of both are printed side by side with their agreement in significant
//! digits.
//!
//!     cargo bench -p clientele --bench analyze
//!
//! Environment:
//! - `CLIENTELE_BENCH_DATA`: where generated files are kept between runs (default
//!   `$HOME/.cache/clientele-bench-data`).
//! - `CLIENTELE_BENCH_SIZES`: comma-separated order counts in millions (default `1,10`).
//! - `CLIENTELE_BENCH_RUNS`: runs per size (default 3); the median is reported.
//! - `CLIENTELE_BENCH_ORDERS`: `customer` (the generator's layout, each customer's orders
//!   together), `date` (the same rows sorted by date, as many exports come), or `both` (default).
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

/// The same rows as `orders`, sorted by order date (ties by the whole line, so the lines of one
/// order stay together), written once beside it. The generator lists each customer's orders
/// together, which is kinder to the importer than exports sorted by date.
fn ensure_date_sorted(orders: &Path) -> PathBuf {
    let path = orders.with_extension("bydate.csv");
    if !path.exists() {
        let text = std::fs::read_to_string(orders).expect("reading the generated file");
        let mut lines = text.lines();
        let header = lines.next().expect("a header line");
        let mut rows: Vec<(&str, &str)> = lines
            .map(|l| (l.split(',').nth(2).unwrap_or(""), l))
            .collect();
        rows.sort_unstable();
        let mut sorted = String::with_capacity(text.len());
        for line in std::iter::once(header).chain(rows.iter().map(|&(_, l)| l)) {
            sorted.push_str(line);
            sorted.push('\n');
        }
        let tmp = path.with_extension("partial");
        std::fs::write(&tmp, sorted).expect("writing the date-sorted file");
        std::fs::rename(&tmp, &path).expect("renaming the date-sorted file");
    }
    path
}

/// One timed run: wall seconds and the peak memory the binary reports about itself.
fn run_analyze(orders: &Path, out: &Path) -> (f64, u64) {
    let (seconds, peak, _) = run_analyze_with(orders, out, &[]);
    (seconds, peak)
}

/// A timed run with extra arguments; also returns the JSON report when `--format json` is given.
fn run_analyze_with(orders: &Path, out: &Path, extra: &[&str]) -> (f64, u64, serde_json::Value) {
    let started = Instant::now();
    let output = Command::new(BIN)
        .arg("analyze")
        .arg(orders)
        .arg("--out")
        .arg(out)
        .arg("--timings")
        .args(extra)
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
    let json = serde_json::from_slice(&output.stdout).unwrap_or(serde_json::Value::Null);
    (seconds, peak_mb, json)
}

/// `clientele models score --model bgnbd` (BG/NBD and Gamma-Gamma fits, then P(alive),
/// expected purchases and CLV for every customer, written as one CSV): wall seconds.
fn run_score(orders: &Path, out: &Path) -> f64 {
    let started = Instant::now();
    let output = Command::new(BIN)
        .args(["models", "score", "--model", "bgnbd", "--horizon", "365"])
        .args(["--as-of", "2024-12-31", "--out"])
        .arg(out.join("scores.csv"))
        .arg(orders)
        .output()
        .expect("running clientele models score");
    let seconds = started.elapsed().as_secs_f64();
    assert!(
        output.status.success(),
        "models score failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    seconds
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// The Python route with `--full`: its JSON (per-step seconds, parameters).
fn python_route(python: &str, orders: &Path) -> Option<serde_json::Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/python_route.py");
    let output = Command::new(python)
        .arg(script)
        .arg(orders)
        .args(["--as-of", "2024-12-31", "--full"])
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!(
            "python route failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    serde_json::from_slice(&output.stdout).ok()
}

/// Seconds of the named steps of the Python route (interpreter start and imports excluded).
fn python_seconds(json: &serde_json::Value, steps: &[&str]) -> f64 {
    steps.iter().filter_map(|k| json[*k].as_f64()).sum()
}

/// How many leading significant digits two numbers share (rounded the same way).
fn significant_digits_agreeing(a: f64, b: f64) -> u32 {
    (1..=12)
        .take_while(|&d| {
            let round = |v: f64| {
                let scale = 10f64.powi(d - 1 - v.abs().log10().floor() as i32);
                (v * scale).round() / scale
            };
            round(a) == round(b)
        })
        .count() as u32
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
    let layouts: &[&str] = match std::env::var("CLIENTELE_BENCH_ORDERS").as_deref() {
        Ok("customer") => &["customer"],
        Ok("date") => &["date"],
        _ => &["customer", "date"],
    };
    let out = tempfile_dir();
    println!(
        "| orders | rows sorted by | file MB | median s (of {runs}) | min s | peak MB | rows/s |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    let mut one_million: Option<PathBuf> = None;
    for &m in &sizes {
        let generated = ensure_orders(m);
        for &layout in layouts {
            let orders = match layout {
                "date" => ensure_date_sorted(&generated),
                _ => generated.clone(),
            };
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
                "| {m}M | {layout} | {mb} | {med:.2} | {min:.2} | {peak} | {:.1}M |",
                m as f64 / med
            );
        }
        if m == 1 {
            one_million = Some(generated);
        }
    }
    let Ok(python) = std::env::var("CLIENTELE_BENCH_PYTHON") else {
        return;
    };
    let Some(orders) = one_million else {
        return;
    };
    let Some(theirs) = python_route(&python, &orders) else {
        return;
    };
    // Ours, the same work: summary, BG/NBD + Gamma-Gamma, P(alive), expected purchases, CLV.
    let (plain, _, _) = run_analyze_with(&orders, &out, &["--model", "none"]);
    let (ours, _, report) = run_analyze_with(
        &orders,
        &out,
        &["--model", "bgnbd", "--horizon", "365", "--format", "json"],
    );
    let scored = run_score(&orders, &out);
    let summary_route = python_seconds(&theirs, &["read_csv_s", "clean_s", "summary_s"]);
    let full_route = python_seconds(
        &theirs,
        &[
            "read_csv_s",
            "clean_s",
            "summary_s",
            "fit_bgnbd_s",
            "p_alive_s",
            "expected_90d_s",
            "fit_gg_s",
            "clv_s",
        ],
    );
    println!(
        "\nPython route on 1M orders, read_csv + clean + summary: {summary_route:.2} s; clientele analyze --model none: {plain:.2} s; ratio {:.1}x",
        summary_route / plain
    );
    println!(
        "Python route with BG/NBD + Gamma-Gamma fits, P(alive), expected purchases, CLV: {full_route:.2} s; clientele analyze --model bgnbd: {ours:.2} s; ratio {:.1}x",
        full_route / ours
    );
    println!(
        "The same Python route against clientele models score --model bgnbd (the fits and each customer's scores, without the ladder): {scored:.2} s; ratio {:.1}x",
        full_route / scored
    );
    println!("\n| parameter | lifetimes | clientele | significant digits in common |");
    println!("| --- | --- | --- | --- |");
    let pairs = [
        ("bgnbd", "r", "r"),
        ("bgnbd", "alpha", "alpha"),
        ("bgnbd", "a", "a"),
        ("bgnbd", "b", "b"),
        ("gamma_gamma", "p", "p"),
        ("gamma_gamma", "q", "q"),
        ("gamma_gamma", "v", "gamma"),
    ];
    for (model, py, rs) in pairs {
        let a = theirs["params"][model][py].as_f64().unwrap_or(f64::NAN);
        let b = if model == "bgnbd" {
            report["model"]["params"][rs].as_f64()
        } else {
            report["model"]["spend"]["params"][rs].as_f64()
        }
        .unwrap_or(f64::NAN);
        println!(
            "| {model} {rs} | {a:.6} | {b:.6} | {} |",
            significant_digits_agreeing(a, b)
        );
    }
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("clientele-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("creating a temporary directory");
    dir
}
