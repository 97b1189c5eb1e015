//! Edge cases and properties: predictions stay finite and in range for heavy buyers, zero and very
//! long tenures; fits refuse unusable data with the reason.

mod common;

use clientele_models::bgbb::{BgBb, BgBbParams};
use clientele_models::bgnbd::{BgNbd, BgNbdParams};
use clientele_models::mbgnbd::{MbgNbd, MbgNbdParams};
use clientele_models::pnbd::{ParetoNbd, ParetoNbdParams};
use clientele_models::{FitError, FitOptions, SpendRow, Triple, bgnbd, gamma_gamma, mbgnbd, pnbd};
use proptest::prelude::*;

fn prob(name: &str, v: f64) {
    assert!(v.is_finite() && (0.0..=1.0).contains(&v), "{name} = {v}");
}

fn nonneg(name: &str, v: f64) {
    assert!(v.is_finite() && v >= 0.0, "{name} = {v}");
}

/// Every continuous-time prediction of the three models at one point.
fn check_all((r, alpha, a, b): (f64, f64, f64, f64), x: f64, t_x: f64, t: f64, h: f64) {
    let bg = BgNbd::new(BgNbdParams { r, alpha, a, b }).unwrap();
    let mbg = MbgNbd::new(MbgNbdParams { r, alpha, a, b }).unwrap();
    let pn = ParetoNbd::new(ParetoNbdParams {
        r,
        alpha,
        s: a,
        beta: b * alpha,
    })
    .unwrap();
    let c = Triple::new(x, t_x, t);
    let ctx = format!("r={r} alpha={alpha} a/s={a} b={b} x={x} t_x={t_x} T={t} h={h}");
    for (name, ll) in [
        ("bg", bg.log_likelihood(&c)),
        ("mbg", mbg.log_likelihood(&c)),
        ("pnbd", pn.log_likelihood(&c)),
    ] {
        assert!(ll.is_finite(), "{name} LL = {ll} at {ctx}");
    }
    prob(&format!("bg p_alive {ctx}"), bg.p_alive(x, t_x, t));
    prob(&format!("bg p_alive_at {ctx}"), bg.p_alive_at(x, t_x, t, h));
    prob(
        &format!("bg no purchase {ctx}"),
        bg.prob_no_purchase(x, t_x, t, h),
    );
    nonneg(
        &format!("bg E {ctx}"),
        bg.conditional_expected_purchases(x, t_x, t, h),
    );
    nonneg(&format!("bg E0 {ctx}"), bg.expected_purchases(h));
    prob(&format!("mbg p_alive {ctx}"), mbg.p_alive(x, t_x, t));
    prob(
        &format!("mbg p_alive_at {ctx}"),
        mbg.p_alive_at(x, t_x, t, h),
    );
    prob(
        &format!("mbg no purchase {ctx}"),
        mbg.prob_no_purchase(x, t_x, t, h),
    );
    nonneg(
        &format!("mbg E {ctx}"),
        mbg.conditional_expected_purchases(x, t_x, t, h),
    );
    nonneg(&format!("mbg E0 {ctx}"), mbg.expected_purchases(h));
    prob(&format!("pnbd p_alive {ctx}"), pn.p_alive(x, t_x, t));
    prob(
        &format!("pnbd p_alive_at {ctx}"),
        pn.p_alive_at(x, t_x, t, h),
    );
    prob(
        &format!("pnbd no purchase {ctx}"),
        pn.prob_no_purchase(x, t_x, t, h),
    );
    nonneg(
        &format!("pnbd E {ctx}"),
        pn.conditional_expected_purchases(x, t_x, t, h),
    );
    nonneg(&format!("pnbd E0 {ctx}"), pn.expected_purchases(h));
    // Alive later is never likelier than alive now.
    assert!(
        bg.p_alive_at(x, t_x, t, h) <= bg.p_alive(x, t_x, t) + 1e-12,
        "{ctx}"
    );
    assert!(
        pn.p_alive_at(x, t_x, t, h) <= pn.p_alive(x, t_x, t) + 1e-12,
        "{ctx}"
    );
}

#[test]
fn extreme_customers_stay_finite() {
    let params = [
        (0.243, 4.414, 0.793, 2.426),
        (0.75, 60.0, 0.8, 2.5),
        (2.0, 0.5, 3.0, 0.7),
        (0.05, 300.0, 1.0, 1.0),
    ];
    let customers = [
        (0.0, 0.0, 0.0),
        (0.0, 0.0, 1e5),
        (1.0, 0.0, 0.0),
        (3000.0, 1e5, 1e5),
        (5000.0, 10.0, 1e5),
        (5000.0, 364.0, 365.0),
        (1.0, 1e-9, 1e5),
        (2.0, 30.43, 38.86),
    ];
    for &(r, alpha, a, b) in &params {
        for &(x, t_x, t) in &customers {
            for h in [0.0, 1e-6, 1.0, 365.0, 1e5] {
                check_all((r, alpha, a, b), x, t_x, t, h);
            }
        }
    }
}

#[test]
fn nonsense_inputs_do_not_produce_nan() {
    let bg = BgNbd::new(BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    })
    .unwrap();
    for (x, t_x, t, h) in [
        (f64::NAN, 1.0, 2.0, 1.0),
        (-1.0, 5.0, 2.0, f64::INFINITY),
        (1.0, f64::INFINITY, f64::NAN, -3.0),
    ] {
        prob("p_alive", bg.p_alive(x, t_x, t));
        nonneg("E", bg.conditional_expected_purchases(x, t_x, t, h));
        prob("p0", bg.prob_no_purchase(x, t_x, t, h));
    }
}

#[test]
fn one_time_buyers() {
    let bg = BgNbd::new(BgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    })
    .unwrap();
    let mbg = MbgNbd::new(MbgNbdParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    })
    .unwrap();
    let pn = ParetoNbd::new(ParetoNbdParams {
        r: 0.553,
        alpha: 10.578,
        s: 0.606,
        beta: 11.669,
    })
    .unwrap();
    assert_eq!(bg.p_alive(0.0, 0.0, 38.0), 1.0);
    assert!(mbg.p_alive(0.0, 0.0, 38.0) < mbg.p_alive(0.0, 0.0, 1.0));
    assert!(pn.p_alive(0.0, 0.0, 38.0) < pn.p_alive(0.0, 0.0, 1.0));
    assert!((pn.p_alive(0.0, 0.0, 0.0) - 1.0).abs() < 1e-12);
}

#[test]
fn bgbb_extremes() {
    let m = BgBb::new(BgBbParams {
        alpha: 1.204,
        beta: 0.750,
        gamma: 0.657,
        delta: 2.783,
    })
    .unwrap();
    for (x, t_x, n) in [
        (0, 0, 0),
        (0, 0, 6),
        (6, 6, 6),
        (1, 1, 1000),
        (900, 1000, 1000),
        (7, 3, 2),
    ] {
        for h in [0, 1, 5, 1000] {
            prob("p_alive", m.p_alive(x, t_x, n));
            prob("p_alive_at", m.p_alive_at(x, t_x, n, h));
            prob("p0", m.prob_no_purchase(x, t_x, n, h));
            nonneg("E", m.conditional_expected_purchases(x, t_x, n, h));
            nonneg("E0", m.expected_purchases(h));
        }
    }
}

#[test]
fn fits_refuse_with_reasons() {
    let opts = FitOptions::default();
    let zeros: Vec<Triple> = (0..100).map(|_| Triple::new(0.0, 0.0, 10.0)).collect();
    assert_eq!(
        bgnbd::fit(&zeros, &opts).unwrap_err(),
        FitError::AllZeroFrequency
    );
    let no_time: Vec<Triple> = (0..100).map(|_| Triple::new(0.0, 0.0, 0.0)).collect();
    assert_eq!(
        pnbd::fit(&no_time, &opts).unwrap_err(),
        FitError::AllZeroTenure
    );
    let mut few = zeros.clone();
    few.extend((0..3).map(|_| Triple::new(1.0, 2.0, 10.0)));
    let e = mbgnbd::fit(&few, &opts).unwrap_err();
    assert_eq!(
        e,
        FitError::TooFewRepeatBuyers {
            found: 3,
            needed: 10
        }
    );
    assert!(e.to_string().contains("found 3, need at least 10"), "{e}");
    assert_eq!(bgnbd::fit(&[], &opts).unwrap_err(), FitError::Empty);
    let bad = [Triple::new(1.0, 2.0, 10.0), Triple::new(1.0, 12.0, 10.0)];
    assert!(
        bgnbd::fit(&bad, &opts)
            .unwrap_err()
            .to_string()
            .contains("row 1")
    );
}

#[test]
fn a_fit_that_does_not_converge_is_refused() {
    // Two iterations cannot reach the tolerance on CDNOW from any start: the fit is refused
    // with where it stopped, never returned as an estimate.
    let data = common::cdnow_triples();
    let short = FitOptions {
        max_iterations: 2,
        ..FitOptions::default()
    };
    let e = bgnbd::fit(&data, &short).unwrap_err();
    let FitError::NotConverged { params, .. } = &e else {
        panic!("expected NotConverged, got {e:?}");
    };
    assert_eq!(
        params.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        ["r", "alpha", "a", "b"]
    );
    let message = e.to_string();
    assert!(
        message.starts_with("BG/NBD did not converge (r = ") && message.ends_with("not used"),
        "{message}"
    );
}

#[test]
fn spend_that_never_varies_is_not_fitted() {
    // Every order at 1: every repeat buyer's mean is 1, whatever their count. Gamma-Gamma's
    // likelihood grows without bound as p and q grow (it once "fitted" p = 1.8e303 without
    // converging); the fit is refused with the one value, which is then the expected spend.
    let rows: Vec<(SpendRow, f64)> = (1..=40)
        .map(|x| {
            (
                SpendRow {
                    x: f64::from(x % 7 + 1),
                    mean_value: 1.0,
                },
                1.0,
            )
        })
        .collect();
    let e = gamma_gamma::fit_weighted(&rows, &FitOptions::default()).unwrap_err();
    assert_eq!(e, FitError::ConstantSpend { value: 1.0 });
    assert!(e.to_string().contains("spend does not vary"), "{e}");
    // 29.97 over 3 purchases and 19.98 over 2 are one price of 9.99, whatever the rounding.
    let prices = [
        (
            SpendRow {
                x: 3.0,
                mean_value: 29.97 / 3.0,
            },
            1.0,
        ),
        (
            SpendRow {
                x: 2.0,
                mean_value: 19.98 / 2.0,
            },
            1.0,
        ),
    ];
    assert_eq!(gamma_gamma::constant_spend(&prices), Some(29.97 / 3.0));
    // One cent apart is spend that varies.
    let varied = [
        (
            SpendRow {
                x: 3.0,
                mean_value: 9.99,
            },
            1.0,
        ),
        (
            SpendRow {
                x: 2.0,
                mean_value: 10.00,
            },
            1.0,
        ),
    ];
    assert_eq!(gamma_gamma::constant_spend(&varied), None);
}

#[test]
fn penalty_shrinks_log_parameters() {
    let data = common::cdnow_triples();
    let plain = bgnbd::fit(&data, &FitOptions::default()).unwrap();
    let pen = bgnbd::fit(
        &data,
        &FitOptions {
            penalty: 0.1,
            ..FitOptions::default()
        },
    )
    .unwrap();
    assert!(pen.report.converged);
    let norm = |f: &clientele_models::Fit<BgNbd>| {
        f.report
            .params
            .iter()
            .map(|(_, v)| v.ln().powi(2))
            .sum::<f64>()
    };
    assert!(norm(&pen) < norm(&plain));
    assert!(pen.report.log_likelihood < plain.report.log_likelihood);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]
    #[test]
    fn predictions_are_finite(
        r in 0.01f64..20.0, alpha in 0.01f64..1000.0, a in 0.05f64..20.0, b in 0.05f64..20.0,
        x in 0.0f64..5000.0, frac in 0.0f64..=1.0, t in 0.0f64..1e5, h in 0.0f64..1e5,
    ) {
        let x = x.floor();
        let t_x = if x == 0.0 { 0.0 } else { frac * t };
        check_all((r, alpha, a, b), x, t_x, t, h);
    }
}

/// Throughput of per-customer scoring (run with `--release --ignored --nocapture`).
#[test]
#[ignore]
fn scoring_throughput() {
    let bg = BgNbd::new(BgNbdParams {
        r: 0.75,
        alpha: 60.0,
        a: 0.8,
        b: 2.5,
    })
    .unwrap();
    let pn = ParetoNbd::new(ParetoNbdParams {
        r: 0.55,
        alpha: 70.0,
        s: 0.6,
        beta: 80.0,
    })
    .unwrap();
    let n = 1_000_000;
    let cust = |i: usize| {
        let t = (i % 700) as f64 + 1.0;
        let x = (i % 13) as f64;
        (x, if x > 0.0 { t * 0.6 } else { 0.0 }, t)
    };
    for (name, f) in [
        (
            "bg p_alive",
            &(|x, tx, t| bg.p_alive(x, tx, t)) as &dyn Fn(f64, f64, f64) -> f64,
        ),
        ("bg E[Y(365)]", &|x, tx, t| {
            bg.conditional_expected_purchases(x, tx, t, 365.0)
        }),
        ("bg p_alive_at(365)", &|x, tx, t| {
            bg.p_alive_at(x, tx, t, 365.0)
        }),
        ("pnbd p_alive", &|x, tx, t| pn.p_alive(x, tx, t)),
        ("pnbd E[Y(365)]", &|x, tx, t| {
            pn.conditional_expected_purchases(x, tx, t, 365.0)
        }),
        ("pnbd P(no purchase 365)", &|x, tx, t| {
            pn.prob_no_purchase(x, tx, t, 365.0)
        }),
    ] {
        let t0 = std::time::Instant::now();
        let mut s = 0.0;
        for i in 0..n {
            let (x, tx, t) = cust(i);
            s += f(x, tx, t);
        }
        eprintln!(
            "{name}: {:.0} ns/customer (checksum {s:.3})",
            t0.elapsed().as_nanos() as f64 / n as f64
        );
    }
}
