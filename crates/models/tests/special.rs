//! Special functions against 50-digit references (mpmath; `fixtures/special/gen_reference.py`, see the
//! README there). Each point is checked with a named tolerance; the worst error per range is printed
//! (`cargo test --test special -- --nocapture`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use clientele_models::special::{
    SpecialError, bgnbd_transformed_2f1, hyp2f1, ln_beta, ln_gamma, ln_hyp2f1_positive,
};

/// Tolerances, all relative unless stated otherwise.
mod tol {
    /// ln Γ: libm's lgamma is good to a few ulps; measured against the scale max(1, |ln Γ|) because
    /// ln Γ has zeros at 1 and 2, where only an absolute error is meaningful.
    pub const LN_GAMMA: f64 = 1e-15;
    /// ln B on the scale max(1, |ln B|), as for ln Γ (ln B(1, 1) = 0).
    pub const LN_BETA: f64 = 1e-14;
    /// (1−z)^(r+x)·2F1(r+x, b+x; a+b+x−1; z): relative error of the value.
    pub const BGNBD: f64 = 1e-12;
    /// ln 2F1 of the Pareto/NBD shape: error of ln F (= relative error of F) on the scale
    /// max(1, |ln F|). The log itself is what the likelihood adds up, and a log of size L carries an
    /// unavoidable rounding of ~L·1e-16 from its ingredients (e.g. −x·ln 2 for x = 5000).
    pub const LN_PARETO: f64 = 1e-12;
    /// General 2F1 values (BG/NBD's raw 2F1, mixed-sign parameters, negative z): relative error.
    pub const HYP2F1: f64 = 1e-12;
}

fn fixture(name: &str) -> Vec<csv::StringRecord> {
    // The crate folder as `cargo test` tells it at run time (see `fixtures_dir` in tests/common/mod.rs).
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string());
    let path: PathBuf = [crate_dir.as_str(), "tests", "fixtures", "special", name]
        .iter()
        .collect();
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    reader.records().map(|r| r.expect("fixture row")).collect()
}

fn num(record: &csv::StringRecord, i: usize) -> f64 {
    record[i]
        .parse()
        .unwrap_or_else(|e| panic!("column {i} of {record:?}: {e}"))
}

/// Worst error seen per range label, printed at the end, with every failing point listed.
#[derive(Default)]
struct Report {
    worst: BTreeMap<String, (f64, usize)>,
    failures: Vec<String>,
}

impl Report {
    fn check(&mut self, range: &str, err: f64, tolerance: f64, what: impl FnOnce() -> String) {
        let entry = self.worst.entry(range.to_string()).or_insert((0.0, 0));
        entry.1 += 1;
        // NaN errors fail too.
        if err.is_nan() || err > tolerance {
            self.failures.push(format!(
                "[{range}] err {err:.2e} > {tolerance:.0e}: {}",
                what()
            ));
        }
        if err > entry.0 || err.is_nan() {
            entry.0 = err;
        }
    }

    fn finish(self, name: &str) {
        for (range, (worst, n)) in &self.worst {
            println!("{name} [{range}]: {n} points, max error {worst:.2e}");
        }
        assert!(
            self.failures.is_empty(),
            "{} failures in {name}:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

fn rel(got: f64, want: f64) -> f64 {
    if want == 0.0 {
        got.abs()
    } else {
        ((got - want) / want).abs()
    }
}

#[test]
fn ln_gamma_matches_reference() {
    let mut report = Report::default();
    for row in fixture("ln_gamma.csv") {
        let (x, want) = (num(&row, 0), num(&row, 1));
        let got = ln_gamma(x);
        let err = (got - want).abs() / want.abs().max(1.0);
        report.check("all", err, tol::LN_GAMMA, || {
            format!("x={x} got {got} want {want}")
        });
    }
    report.finish("ln_gamma");
}

#[test]
fn ln_gamma_outside_domain_is_nan() {
    assert!(ln_gamma(0.0).is_nan());
    assert!(ln_gamma(-1.5).is_nan());
    assert!(ln_gamma(f64::NAN).is_nan());
    assert_eq!(ln_gamma(f64::INFINITY), f64::INFINITY);
}

#[test]
fn ln_beta_matches_reference() {
    let mut report = Report::default();
    for row in fixture("ln_beta.csv") {
        let (a, b, want) = (num(&row, 0), num(&row, 1), num(&row, 2));
        let got = ln_beta(a, b);
        let err = (got - want).abs() / want.abs().max(1.0);
        let range = if a.max(b) >= 1e4 {
            "one huge"
        } else {
            "moderate"
        };
        report.check(range, err, tol::LN_BETA, || {
            format!("a={a} b={b} got {got} want {want}")
        });
    }
    report.finish("ln_beta");
}

#[test]
fn ln_beta_huge_and_small_argument() {
    // ln B(0.7, 1e6) = −9.409990039043331690… (mpmath, 50 digits).
    let got = ln_beta(0.7, 1e6);
    let want = -9.409_990_039_043_332;
    assert!(((got - want) / want).abs() < 1e-14, "{got}");
    assert_eq!(ln_beta(0.7, 1e6), ln_beta(1e6, 0.7));
    assert!(ln_beta(0.0, 1.0).is_nan());
}

#[test]
fn bgnbd_transformed_2f1_matches_reference() {
    let mut report = Report::default();
    for row in fixture("bgnbd_transformed_2f1.csv") {
        let [r, a, b, x, z, want] = std::array::from_fn(|i| num(&row, i + 1));
        let got = bgnbd_transformed_2f1(r, a, b, x, z);
        let err = match &got {
            Ok(v) => rel(*v, want),
            Err(_) => f64::INFINITY,
        };
        report.check(&row[0], err, tol::BGNBD, || {
            format!("r={r} a={a} b={b} x={x} z={z} got {got:?} want {want}")
        });
    }
    report.finish("bgnbd_transformed_2f1");
}

#[test]
fn bgnbd_transformed_2f1_guards() {
    assert_eq!(bgnbd_transformed_2f1(0.5, 1.0, 2.0, 3.0, 0.9), Ok(1.0));
    // x = 0 and a + b = 1: c = 0.
    assert!(matches!(
        bgnbd_transformed_2f1(0.5, 0.25, 0.75, 0.0, 0.5),
        Err(SpecialError::Domain(_))
    ));
    assert!(bgnbd_transformed_2f1(0.5, 0.8, 2.0, 1.0, 1.0).is_err());
    assert!(bgnbd_transformed_2f1(f64::NAN, 0.8, 2.0, 1.0, 0.5).is_err());
    assert_eq!(bgnbd_transformed_2f1(0.5, 0.8, 2.0, 1.0, 0.0), Ok(1.0));
}

#[test]
fn ln_hyp2f1_positive_matches_reference() {
    let mut report = Report::default();
    for row in fixture("ln_hyp2f1_pareto.csv") {
        let [a, b, c, z, want] = std::array::from_fn(|i| num(&row, i + 1));
        let got = ln_hyp2f1_positive(a, b, c, z);
        let err = match &got {
            Ok(v) => (v - want).abs() / want.abs().max(1.0),
            Err(_) => f64::INFINITY,
        };
        report.check(&row[0], err, tol::LN_PARETO, || {
            format!("a={a} b={b} c={c} z={z} got {got:?} want {want}")
        });
    }
    report.finish("ln_hyp2f1_positive");
}

#[test]
fn hyp2f1_matches_reference() {
    let mut report = Report::default();
    for row in fixture("hyp2f1.csv") {
        let [a, b, c, z, want] = std::array::from_fn(|i| num(&row, i + 1));
        let got = hyp2f1(a, b, c, z);
        let err = match &got {
            Ok(v) => rel(*v, want),
            Err(_) => f64::INFINITY,
        };
        report.check(&row[0], err, tol::HYP2F1, || {
            format!("a={a} b={b} c={c} z={z} got {got:?} want {want}")
        });
    }
    report.finish("hyp2f1");
}

#[test]
fn hyp2f1_never_returns_non_finite() {
    assert!(matches!(
        hyp2f1(1.0, 1.0, 0.0, 0.5),
        Err(SpecialError::Domain(_))
    ));
    assert!(matches!(
        hyp2f1(1.0, 1.0, -2.0, 0.5),
        Err(SpecialError::Domain(_))
    ));
    assert!(hyp2f1(1.0, 1.0, 2.0, 1.0).is_err());
    assert!(hyp2f1(f64::NAN, 1.0, 2.0, 0.5).is_err());
    // (1−z)^(−5000) at z = 0.9 overflows f64: an error, not +∞.
    assert!(matches!(
        hyp2f1(5000.0, 1.0, 1.0, 0.9),
        Err(SpecialError::Domain(_))
    ));
    // Its logarithm is fine.
    let ln = ln_hyp2f1_positive(5000.0, 1.0, 1.0, 0.9).unwrap();
    assert!((ln - 5000.0 * 10f64.ln()).abs() < 1e-9, "{ln}");
    assert!(ln_hyp2f1_positive(-1.0, 1.0, 1.0, 0.5).is_err());
}

#[test]
fn hyp2f1_closed_forms() {
    // 2F1(1, 1; 2; z) = −ln(1−z)/z; 2F1(a, b; b; z) = (1−z)^(−a); terminating polynomial.
    for &z in &[0.1_f64, 0.5, 0.9, 0.999_999, -3.0] {
        let want = -(-z).ln_1p() / z;
        let got = hyp2f1(1.0, 1.0, 2.0, z).unwrap();
        assert!(rel(got, want) < 1e-13, "z={z}: {got} vs {want}");
    }
    let got = hyp2f1(2.5, 3.0, 3.0, 0.999).unwrap();
    assert!(rel(got, 1e-3f64.powf(-2.5)) < 1e-12, "{got}");
    // 2F1(−2, b; c; z) = 1 − 2bz/c + b(b+1)z²/(c(c+1)).
    let (b, c, z) = (1.5, 2.5, 0.7);
    let want = 1.0 - 2.0 * b * z / c + b * (b + 1.0) * z * z / (c * (c + 1.0));
    assert!(rel(hyp2f1(-2.0, b, c, z).unwrap(), want) < 1e-15);
}

/// Throughput on CDNOW-like inputs (not a timed assertion). Run with
/// `cargo test --release -p clientele-models --test special -- --ignored --nocapture speed`.
#[test]
#[ignore = "measurement, run by hand in release mode"]
fn speed_bgnbd_transformed_2f1() {
    let (r, alpha, a, b, t) = (0.243, 4.414, 0.793, 2.426, 39.0);
    let inputs: Vec<(f64, f64)> = (0..=30)
        .flat_map(|x| (1..=78).map(move |week| (f64::from(x), f64::from(week))))
        .map(|(x, big_t)| (x, t / (alpha + big_t + t)))
        .collect();
    let rounds = 500;
    let start = std::time::Instant::now();
    let mut acc = 0.0;
    for _ in 0..rounds {
        for &(x, z) in &inputs {
            acc += bgnbd_transformed_2f1(r, a, b, x, std::hint::black_box(z)).unwrap();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let n = (rounds * inputs.len()) as f64;
    println!(
        "bgnbd_transformed_2f1: {n} evaluations in {secs:.3} s = {:.2e}/s (checksum {acc})",
        n / secs
    );
}
