//! Shared helpers of the integration tests: fixture loading and the tolerance policy.
#![allow(dead_code)]

pub mod sim;
pub mod tolerance;

use clientele_models::{DiscreteTriple, SpendRow, Triple};

/// The fixtures folder, from the run-time `CARGO_MANIFEST_DIR` that `cargo test` sets: a test
/// binary reused from another checkout through a shared target directory would otherwise look
/// in that checkout.
pub fn fixtures_dir() -> String {
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").to_string());
    format!("{crate_dir}/tests/fixtures")
}

/// CDNOW calibration summary: (triple, zbar) per customer, in weeks.
pub fn cdnow() -> Vec<(Triple, f64)> {
    let mut rdr = csv::Reader::from_path(format!(
        "{}/cdnow_customers_summary_with_transactions.csv",
        fixtures_dir()
    ))
    .unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let f = |i: usize| r[i].trim().parse::<f64>().unwrap();
            (Triple::new(f(1), f(2), f(3)), f(4))
        })
        .collect()
}

pub fn cdnow_triples() -> Vec<Triple> {
    cdnow().into_iter().map(|(t, _)| t).collect()
}

pub fn cdnow_spend() -> Vec<SpendRow> {
    cdnow()
        .into_iter()
        .filter(|(t, _)| t.x > 0.0)
        .map(|(t, z)| SpendRow {
            x: t.x,
            mean_value: z,
        })
        .collect()
}

/// Donations patterns with their weights.
pub fn donations() -> Vec<(DiscreteTriple, f64)> {
    let mut rdr = csv::Reader::from_path(format!("{}/donations.csv", fixtures_dir())).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let u = |i: usize| r[i].trim().parse::<u32>().unwrap();
            (
                DiscreteTriple {
                    x: u(0),
                    t_x: u(1),
                    n: u(2),
                },
                r[3].trim().parse::<f64>().unwrap(),
            )
        })
        .collect()
}

/// Rounds to `digits` decimals, as a paper prints.
pub fn round(v: f64, digits: i32) -> f64 {
    let s = 10f64.powi(digits);
    (v * s).round() / s
}
