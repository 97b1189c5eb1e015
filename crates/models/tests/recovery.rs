//! Parameter recovery: simulate customers from known BG/NBD, Pareto-free Gamma-Gamma truths with a
//! small deterministic generator, fit, and check every parameter lies within
//! `RECOVERY_SE` standard errors of the truth (a 4-SE miss has probability ~6e-5 per parameter
//! if the SEs are right, so a failure means a bias or wrong SEs, not bad luck).

mod common;

use clientele_models::{FitOptions, SpendRow, Triple, bgnbd, gamma_gamma};
use common::tolerance::RECOVERY_SE;

/// SplitMix64: tiny, deterministic, good enough for simulation in tests.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform on (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    /// Gamma(shape k, scale 1), Marsaglia & Tsang; boosted for k < 1.
    fn gamma(&mut self, k: f64) -> f64 {
        if k < 1.0 {
            return self.gamma(k + 1.0) * self.uniform().powf(1.0 / k);
        }
        let d = k - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }
    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
    }
}

fn within(name: &str, est: f64, se: Option<f64>, truth: f64) {
    let se = se.unwrap_or_else(|| panic!("{name}: no standard error"));
    assert!(
        (est - truth).abs() <= RECOVERY_SE * se,
        "{name}: estimate {est}, truth {truth}, SE {se}"
    );
}

#[test]
fn bgnbd_recovers_simulated_truth() {
    let (r, alpha, a, b) = (0.75, 60.0, 0.8, 2.5);
    let mut rng = Rng(20_240_601);
    let mut rows = Vec::new();
    for _ in 0..20_000 {
        let lambda = rng.gamma(r) / alpha;
        let p = rng.beta(a, b);
        // Tenure: whole days between 30 and 400 (first purchases spread over a year).
        let t = (30.0 + 370.0 * rng.uniform()).floor();
        let (mut now, mut x, mut t_x) = (0.0, 0.0, 0.0);
        loop {
            now += -rng.uniform().ln() / lambda;
            // Purchases are recorded by day.
            if now.ceil() > t {
                break;
            }
            x += 1.0;
            t_x = now.ceil();
            if rng.uniform() < p {
                break;
            }
        }
        rows.push(Triple::new(x, t_x, t));
    }
    let t0 = std::time::Instant::now();
    let fit = bgnbd::fit(&rows, &FitOptions::default()).unwrap();
    eprintln!(
        "BG/NBD simulated fit in {:?}: {:?}",
        t0.elapsed(),
        fit.report
    );
    let rep = &fit.report;
    assert!(rep.converged);
    for (name, truth) in [("r", r), ("alpha", alpha), ("a", a), ("b", b)] {
        within(name, rep.param(name).unwrap(), rep.std_error(name), truth);
    }
}

#[test]
fn gamma_gamma_recovers_simulated_truth() {
    let (p, q, gamma) = (6.0, 4.0, 1250.0);
    let mut rng = Rng(7);
    let mut rows = Vec::new();
    for i in 0..5_000 {
        let nu = rng.gamma(q) / gamma;
        let x = 1 + i % 8;
        let total: f64 = (0..x).map(|_| rng.gamma(p) / nu).sum();
        rows.push(SpendRow {
            x: x as f64,
            mean_value: total / x as f64,
        });
    }
    let fit = gamma_gamma::fit(&rows, &FitOptions::default()).unwrap();
    eprintln!("Gamma-Gamma simulated: {:?}", fit.report);
    let rep = &fit.report;
    assert!(rep.converged);
    for (name, truth) in [("p", p), ("q", q), ("gamma", gamma)] {
        within(name, rep.param(name).unwrap(), rep.std_error(name), truth);
    }
}
