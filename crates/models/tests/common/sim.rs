//! Deterministic simulated data sets for the speed and agreement tests: a SplitMix64 generator
//! and BG/NBD purchase histories recorded by day, with Gamma-Gamma spend.

use clientele_models::{SpendRow, Triple};

/// SplitMix64: tiny, deterministic, good enough for simulation in tests.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform on (0, 1).
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
    /// Gamma(shape k, scale 1), Marsaglia & Tsang; boosted for k < 1.
    pub fn gamma(&mut self, k: f64) -> f64 {
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
    pub fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
    }
}

/// `n` customers from BG/NBD (r, α, a, b) = (0.75, 60, 0.8, 2.5) in days, first purchases spread
/// over two years (T from 1 to 730 whole days), purchases recorded by day; each repeat buyer's
/// mean spend from Gamma-Gamma (p, q, γ) = (6, 4, 1250). The shape of `clientele generate`'s data.
pub fn customers(n: usize, seed: u64) -> (Vec<Triple>, Vec<SpendRow>) {
    let (r, alpha, a, b) = (0.75, 60.0, 0.8, 2.5);
    let (p, q, gamma) = (6.0, 4.0, 1250.0);
    let mut rng = Rng(seed);
    let mut rows = Vec::with_capacity(n);
    let mut spend = Vec::new();
    for _ in 0..n {
        let lambda = rng.gamma(r) / alpha;
        let drop = rng.beta(a, b);
        let t = (1.0 + 730.0 * rng.uniform()).floor();
        let (mut now, mut x, mut t_x) = (0.0, 0.0, 0.0);
        loop {
            now += -rng.uniform().ln() / lambda;
            if now.ceil() > t {
                break;
            }
            x += 1.0;
            t_x = now.ceil();
            if rng.uniform() < drop {
                break;
            }
        }
        rows.push(Triple::new(x, t_x, t));
        if x > 0.0 {
            let nu = rng.gamma(q) / gamma;
            let total: f64 = (0..x as usize).map(|_| rng.gamma(p) / nu).sum();
            // Cents, like an export.
            let mean = (total / x * 100.0).round() / 100.0;
            spend.push(SpendRow {
                x,
                mean_value: mean.max(0.01),
            });
        }
    }
    (rows, spend)
}
