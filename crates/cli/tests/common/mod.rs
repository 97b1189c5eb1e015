//! Helpers for the end-to-end tests: run the real binary, read what it wrote, and small
//! independent re-implementations (day counts, cents) to check its numbers against.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Panics with the captured output unless the run exited 0.
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code,
            Some(0),
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs `clientele ARGS` in `cwd`, in an English locale whatever the machine's (the text report
/// follows the locale; tests of other languages pass `--lang` or run the binary themselves).
pub fn run_in(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_clientele"))
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8")
        .current_dir(cwd)
        .output()
        .expect("the clientele binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}

/// Runs `clientele ARGS` in the test's working directory.
pub fn run(args: &[&str]) -> Run {
    run_in(&crate_dir(), args)
}

/// This crate's folder, from the run-time `CARGO_MANIFEST_DIR` that `cargo test` sets: a test
/// binary reused from another checkout through a shared target directory would otherwise use
/// that checkout's files.
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// A fixture file of this crate's tests.
pub fn fixture(rel: &str) -> PathBuf {
    crate_dir().join("tests/fixtures").join(rel)
}

pub fn path_str(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// `customers.csv` (or `rejects.csv`) read with the csv crate: the header and rows as maps.
#[derive(Debug)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<BTreeMap<String, String>>,
}

impl Table {
    pub fn read(path: &Path) -> Table {
        let mut rdr = csv::Reader::from_path(path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let header: Vec<String> = rdr
            .headers()
            .expect("a header row")
            .iter()
            .map(str::to_string)
            .collect();
        let rows = rdr
            .records()
            .map(|r| {
                let r = r.expect("a well-formed CSV record");
                assert_eq!(r.len(), header.len(), "row width in {}", path.display());
                header
                    .iter()
                    .cloned()
                    .zip(r.iter().map(str::to_string))
                    .collect()
            })
            .collect();
        Table { header, rows }
    }

    /// The row of one customer (or the row whose `key` column is `value`).
    pub fn find(&self, key: &str, value: &str) -> &BTreeMap<String, String> {
        self.rows
            .iter()
            .find(|r| r[key] == value)
            .unwrap_or_else(|| panic!("no row with {key} = {value}"))
    }

    pub fn by_customer(&self) -> BTreeMap<String, BTreeMap<String, String>> {
        self.rows
            .iter()
            .map(|r| (r["customer_id"].clone(), r.clone()))
            .collect()
    }
}

/// A decimal with at most two decimal places ("-12.3", "11.77", "89") in integer cents.
pub fn cents(text: &str) -> i64 {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    assert!(frac.len() <= 2, "more than two decimals in '{text}'");
    let int: i64 = int
        .parse()
        .unwrap_or_else(|_| panic!("not a number: '{text}'"));
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().expect("digits")
    };
    let v = int * 100 + frac;
    if neg { -v } else { v }
}

/// Formats cents the way the reports write money ("-5.00", "1500.00").
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`),
/// written here independently of the code under test.
pub fn civil_days(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 of "YYYYMMDD" or "YYYY-MM-DD".
pub fn days_of(text: &str) -> i64 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(digits.len(), 8, "not a date: '{text}'");
    civil_days(
        digits[0..4].parse().expect("year"),
        digits[4..6].parse().expect("month"),
        digits[6..8].parse().expect("day"),
    )
}

/// The (year, month, day) of a count of days since 1970-01-01 (Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}
