//! Compressed rows in structure-of-arrays form, for likelihoods that cost a gather, one `exp` and
//! one `ln_1p` per row.
//!
//! At real scale (hundreds of thousands of customers in days) nearly every `(x, t_x, T)` is
//! unique, but there are only hundreds to a few thousand distinct values of x, of T and of t_x.
//! Every term of the BG/NBD and MBG/NBD likelihoods that depends on one of them alone (the
//! log-gammas and log-betas of x, `ln(α+T)`, `ln(α+t_x)`) is computed once per distinct value per
//! evaluation; terms that are a product of an x-part and a T-part are summed per distinct T with
//! weights aggregated once per fit. What is left per row is the log-sum-exp of the two terms
//! ("alive through T", "dropped out after t_x").
//!
//! Row sums run in parallel over fixed chunks of [`CHUNK`] rows whose partial sums are added in
//! chunk order, so a result does not depend on thread timing or the number of threads.

use rayon::prelude::*;

use crate::data::{SpendRow, Triple};
use crate::special::{digamma, ln_beta, ln_gamma};

/// Rows per parallel chunk.
pub(crate) const CHUNK: usize = 4096;

/// Sums `f` over the chunks of `0..len` in parallel; chunk results are added in chunk order.
pub(crate) fn chunked_sum<const K: usize>(
    len: usize,
    f: impl Fn(std::ops::Range<usize>) -> [f64; K] + Sync,
) -> [f64; K] {
    let chunks = len.div_ceil(CHUNK);
    let one = |c: usize| f(c * CHUNK..((c + 1) * CHUNK).min(len));
    let parts: Vec<[f64; K]> = if chunks <= 1 {
        (0..chunks).map(one).collect()
    } else {
        (0..chunks).into_par_iter().map(one).collect()
    };
    let mut out = [0.0; K];
    for p in parts {
        for (o, v) in out.iter_mut().zip(p) {
            *o += v;
        }
    }
    out
}

/// Distinct values in ascending order.
fn distinct(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.collect();
    v.par_sort_unstable_by(f64::total_cmp);
    v.dedup_by(|a, b| a.total_cmp(b).is_eq());
    v
}

fn index_of(sorted: &[f64], v: f64) -> u32 {
    sorted.partition_point(|u| u.total_cmp(&v).is_lt()) as u32
}

/// Continuous-time rows: distinct values of x, T and t_x, per-row indices into them, weights.
#[derive(Debug, Clone)]
pub(crate) struct Columns {
    pub xs: Vec<f64>,
    pub ts: Vec<f64>,
    pub txs: Vec<f64>,
    /// Total weight per distinct x.
    pub w_x: Vec<f64>,
    /// Total weight per distinct T.
    pub w_t: Vec<f64>,
    /// Σ w·x per distinct T.
    pub wx_t: Vec<f64>,
    pub ix: Vec<u32>,
    pub it: Vec<u32>,
    pub itx: Vec<u32>,
    pub w: Vec<f64>,
    /// Number of customers (sum of weights).
    pub n: f64,
}

impl Columns {
    /// From validated rows (any order; weights as given).
    pub fn new(rows: &[(Triple, f64)]) -> Self {
        let xs = distinct(rows.iter().map(|(r, _)| r.x));
        let ts = distinct(rows.iter().map(|(r, _)| r.t));
        let txs = distinct(rows.iter().map(|(r, _)| r.t_x));
        let mut w_x = vec![0.0; xs.len()];
        let mut w_t = vec![0.0; ts.len()];
        let mut wx_t = vec![0.0; ts.len()];
        let mut ix = Vec::with_capacity(rows.len());
        let mut it = Vec::with_capacity(rows.len());
        let mut itx = Vec::with_capacity(rows.len());
        let mut w = Vec::with_capacity(rows.len());
        for (r, wt) in rows {
            let (i, j) = (index_of(&xs, r.x), index_of(&ts, r.t));
            w_x[i as usize] += wt;
            w_t[j as usize] += wt;
            wx_t[j as usize] += wt * r.x;
            ix.push(i);
            it.push(j);
            itx.push(index_of(&txs, r.t_x));
            w.push(*wt);
        }
        Columns {
            xs,
            ts,
            txs,
            w_x,
            w_t,
            wx_t,
            ix,
            it,
            itx,
            w,
            n: rows.iter().map(|(_, w)| w).sum(),
        }
    }
}

/// `(ln(1 + eᵈ), 1/(1 + e⁻ᵈ))` with one `exp` and one `ln`, without overflow.
///
/// `ln(1 + e)` rather than `e.ln_1p()`: the libm's `log1p` costs several times its `log`, and
/// this is the inner loop of every fit. What the plain form loses is relative accuracy for tiny
/// `e` (1 + e rounds `e` to a multiple of 2⁻⁵²): the absolute error stays below 1.2·10⁻¹⁶ a row,
/// and the log-likelihood is a sum, so a million rows move it by less than 10⁻⁹ (against values
/// in the millions). The sigmoid, which the gradient uses, is exact either way.
#[inline]
fn softplus_sigmoid(d: f64) -> (f64, f64) {
    if d > 0.0 {
        let e = (-d).exp();
        (d + (1.0 + e).ln(), 1.0 / (1.0 + e))
    } else {
        let e = d.exp();
        ((1.0 + e).ln(), e / (1.0 + e))
    }
}

/// The two beta-geometric models: where their likelihoods differ is one shift of b.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BgFamily {
    /// BG/NBD: dropout chances after repeat purchases only.
    BgNbd,
    /// MBG/NBD: one more dropout chance at time 0.
    MbgNbd,
}

/// Weighted log-likelihood of BG/NBD or MBG/NBD at natural parameters `(r, α, a, b)`, and its
/// gradient with respect to them written into `grad`.
///
/// # Formula
/// With k = r + x and the shift c = 0 (BG/NBD) or 1 (MBG/NBD), one customer's
/// `ln L = A(x) − k ln(α+T) + ln(1 + e^d)`, `d = B(x) − k [ln(α+t_x) − ln(α+T)]`, where
/// `A(x) = ln Γ(k) − ln Γ(r) + r ln α + ln B(a, b+x+c) − ln B(a, b)` and
/// `B(x) = ln a − ln(b+x+c−1)` (BG/NBD: the second term is absent for x = 0, B = −∞).
/// The derivatives use ψ per distinct x and 1/(α+T), 1/(α+t_x) per distinct time; the
/// ln(1 + e^d) term contributes through σ(d) = 1/(1 + e^−d).
pub(crate) fn bg_log_likelihood(
    cols: &Columns,
    family: BgFamily,
    p: [f64; 4],
    grad: &mut [f64; 4],
) -> f64 {
    let [r, alpha, a, b] = p;
    let c = match family {
        BgFamily::BgNbd => 0.0,
        BgFamily::MbgNbd => 1.0,
    };
    let (ln_alpha, ln_gamma_r, ln_beta_ab) = (alpha.ln(), ln_gamma(r), ln_beta(a, b));
    let (psi_r, psi_b, psi_ab, ln_a) = (digamma(r), digamma(b), digamma(a + b), a.ln());
    let nx = cols.xs.len();
    let (mut k_x, mut b_x, mut db_x) = (vec![0.0; nx], vec![0.0; nx], vec![0.0; nx]);
    let (mut value, mut g) = (0.0, [0.0; 4]);
    for (j, (&x, &wj)) in cols.xs.iter().zip(&cols.w_x).enumerate() {
        let k = r + x;
        k_x[j] = k;
        let bx = b + x + c;
        let psi_abx = digamma(a + bx);
        value += wj * (ln_gamma(k) - ln_gamma_r + r * ln_alpha + ln_beta(a, bx) - ln_beta_ab);
        g[0] += wj * (digamma(k) - psi_r + ln_alpha);
        g[2] += wj * (psi_ab - psi_abx);
        g[3] += wj * (digamma(bx) - psi_abx - psi_b + psi_ab);
        if family == BgFamily::BgNbd && x == 0.0 {
            b_x[j] = f64::NEG_INFINITY;
        } else {
            b_x[j] = ln_a - (bx - 1.0).ln();
            db_x[j] = -1.0 / (bx - 1.0);
        }
    }
    g[1] = cols.n * r / alpha;
    let ln_t: Vec<f64> = cols.ts.iter().map(|t| (alpha + t).ln()).collect();
    let ln_tx: Vec<f64> = cols.txs.iter().map(|t| (alpha + t).ln()).collect();
    let inv_tx: Vec<f64> = cols.txs.iter().map(|t| 1.0 / (alpha + t)).collect();
    for (i, &t) in cols.ts.iter().enumerate() {
        let kw = r * cols.w_t[i] + cols.wx_t[i];
        value -= kw * ln_t[i];
        g[0] -= cols.w_t[i] * ln_t[i];
        g[1] -= kw / (alpha + t);
    }
    let inv_t: Vec<f64> = cols.ts.iter().map(|t| 1.0 / (alpha + t)).collect();
    let s = chunked_sum::<5>(cols.w.len(), |range| {
        let mut acc = [0.0; 5];
        for i in range {
            let j = cols.ix[i] as usize;
            let (ti, txi) = (cols.it[i] as usize, cols.itx[i] as usize);
            let k = k_x[j];
            let dd = ln_tx[txi] - ln_t[ti];
            let (sp, sig) = softplus_sigmoid(b_x[j] - k * dd);
            let w = cols.w[i];
            let ws = w * sig;
            acc[0] += w * sp;
            acc[1] += ws;
            acc[2] += ws * dd;
            acc[3] += ws * k * (inv_tx[txi] - inv_t[ti]);
            acc[4] += ws * db_x[j];
        }
        acc
    });
    value += s[0];
    g[0] -= s[2];
    g[1] -= s[3];
    g[2] += s[1] / a;
    g[3] += s[4];
    *grad = g;
    value
}

/// Gamma-Gamma rows: distinct x with their weights and Σ w·ln z̄, per-row x index, z̄, weight.
#[derive(Debug, Clone)]
pub(crate) struct SpendColumns {
    pub xs: Vec<f64>,
    pub w_x: Vec<f64>,
    /// Σ w·ln z̄ per distinct x.
    pub wlnz_x: Vec<f64>,
    pub ix: Vec<u32>,
    pub z: Vec<f64>,
    pub w: Vec<f64>,
    pub n: f64,
}

impl SpendColumns {
    pub fn new(rows: &[(SpendRow, f64)]) -> Self {
        let xs = distinct(rows.iter().map(|(r, _)| r.x));
        let mut w_x = vec![0.0; xs.len()];
        let mut wlnz_x = vec![0.0; xs.len()];
        let mut ix = Vec::with_capacity(rows.len());
        for (r, w) in rows {
            let i = index_of(&xs, r.x);
            w_x[i as usize] += w;
            wlnz_x[i as usize] += w * r.mean_value.ln();
            ix.push(i);
        }
        SpendColumns {
            xs,
            w_x,
            wlnz_x,
            ix,
            z: rows.iter().map(|(r, _)| r.mean_value).collect(),
            w: rows.iter().map(|(_, w)| *w).collect(),
            n: rows.iter().map(|(_, w)| w).sum(),
        }
    }
}

/// Weighted Gamma-Gamma log-likelihood at `(p, q, γ)` and its gradient.
///
/// # Formula
/// `ln f = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln z̄ + px ln x − (px+q) ln(γ + x z̄)`:
/// everything but the last term is summed per distinct x, so a row costs one `ln` and one division.
pub(crate) fn gg_log_likelihood(cols: &SpendColumns, par: [f64; 3], grad: &mut [f64; 3]) -> f64 {
    let [p, q, gamma] = par;
    let (ln_gamma_q, psi_q, ln_g) = (ln_gamma(q), digamma(q), gamma.ln());
    let (mut value, mut g) = (0.0, [0.0; 3]);
    for (j, &x) in cols.xs.iter().enumerate() {
        let (wj, px, ln_x) = (cols.w_x[j], p * x, x.ln());
        let psi_pxq = digamma(px + q);
        value += wj * (ln_gamma(px + q) - ln_gamma(px) - ln_gamma_q + q * ln_g + px * ln_x)
            + (px - 1.0) * cols.wlnz_x[j];
        g[0] += wj * x * (psi_pxq - digamma(px) + ln_x) + x * cols.wlnz_x[j];
        g[1] += wj * (psi_pxq - psi_q + ln_g);
    }
    g[2] = cols.n * q / gamma;
    let xs = &cols.xs;
    let s = chunked_sum::<4>(cols.w.len(), |range| {
        let mut acc = [0.0; 4];
        for i in range {
            let (x, w) = (xs[cols.ix[i] as usize], cols.w[i]);
            let u = gamma + x * cols.z[i];
            let (l, inv) = (u.ln(), 1.0 / u);
            acc[0] += w * l;
            acc[1] += w * x * l;
            acc[2] += w * inv;
            acc[3] += w * x * inv;
        }
        acc
    });
    value -= p * s[1] + q * s[0];
    g[0] -= s[1];
    g[1] -= s[0];
    g[2] -= p * s[3] + q * s[2];
    *grad = g;
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{bgnbd, gamma_gamma, mbgnbd};

    /// SplitMix64 for reproducible random rows.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// Random weighted rows in days, some heavy buyers, some t_x = T, repeated T and t_x values.
    fn rows(seed: u64, n: usize) -> Vec<(Triple, f64)> {
        let mut rng = Rng(seed);
        (0..n)
            .map(|i| {
                let t = (1.0 + 700.0 * rng.next()).floor();
                let x = if i % 3 == 0 {
                    0.0
                } else {
                    (1.0 + 30.0 * rng.next().powi(3)).floor()
                        + if i % 97 == 0 { 400.0 } else { 0.0 }
                };
                let t_x = if x == 0.0 {
                    0.0
                } else if i % 11 == 0 {
                    t
                } else {
                    (t * rng.next()).floor()
                };
                (Triple::new(x, t_x, t), 1.0 + (4.0 * rng.next()).floor())
            })
            .collect()
    }

    fn rel(a: f64, b: f64) -> f64 {
        (a - b).abs() / b.abs().max(1e-300)
    }

    /// Central difference of `f` along parameter `k`.
    fn numeric(f: &dyn Fn(&[f64]) -> f64, p: &[f64], k: usize) -> f64 {
        let h = 1e-6 * p[k];
        let (mut up, mut down) = (p.to_vec(), p.to_vec());
        up[k] += h;
        down[k] -= h;
        (f(&up) - f(&down)) / (2.0 * h)
    }

    #[test]
    fn bg_family_matches_the_per_row_formulas() {
        let params = [
            [0.75, 60.0, 0.8, 2.5],
            [0.243, 4.414, 0.793, 2.426],
            [3.0, 500.0, 1.7, 0.6],
            [0.05, 2.0, 12.0, 40.0],
        ];
        for seed in 1..4 {
            let data = rows(seed, 3000);
            let cols = Columns::new(&data);
            for p in params {
                for family in [BgFamily::BgNbd, BgFamily::MbgNbd] {
                    let reference = |v: &[f64]| match family {
                        BgFamily::BgNbd => bgnbd::log_likelihood(
                            bgnbd::BgNbdParams {
                                r: v[0],
                                alpha: v[1],
                                a: v[2],
                                b: v[3],
                            },
                            &data,
                        ),
                        BgFamily::MbgNbd => mbgnbd::log_likelihood(
                            mbgnbd::MbgNbdParams {
                                r: v[0],
                                alpha: v[1],
                                a: v[2],
                                b: v[3],
                            },
                            &data,
                        ),
                    };
                    let mut g = [0.0; 4];
                    let fast = bg_log_likelihood(&cols, family, p, &mut g);
                    let slow = reference(&p);
                    assert!(
                        rel(fast, slow) < 1e-10,
                        "{family:?} {p:?}: {fast} vs {slow}"
                    );
                    for k in 0..4 {
                        let want = numeric(&reference, &p, k);
                        // Scale: the gradient of the total against the size of the total.
                        let err = (g[k] - want).abs() * p[k] / slow.abs();
                        assert!(err < 1e-8, "{family:?} {p:?} ∂{k}: {} vs {want}", g[k]);
                    }
                }
            }
        }
    }

    #[test]
    fn gamma_gamma_matches_the_per_row_formula() {
        let mut rng = Rng(9);
        let data: Vec<(SpendRow, f64)> = (0..2000)
            .map(|i| {
                let x = 1.0 + (i % 17) as f64;
                let z = (5.0 + 2000.0 * rng.next()).round();
                (SpendRow { x, mean_value: z }, 1.0 + (i % 3) as f64)
            })
            .collect();
        let cols = SpendColumns::new(&data);
        for p in [[6.0, 4.0, 1250.0], [0.5, 0.7, 3.0], [20.0, 1.5, 1e5]] {
            let reference = |v: &[f64]| {
                gamma_gamma::log_likelihood(
                    gamma_gamma::GammaGammaParams {
                        p: v[0],
                        q: v[1],
                        gamma: v[2],
                    },
                    &data,
                )
            };
            let mut g = [0.0; 3];
            let fast = gg_log_likelihood(&cols, p, &mut g);
            let slow = reference(&p);
            assert!(rel(fast, slow) < 1e-10, "{p:?}: {fast} vs {slow}");
            for k in 0..3 {
                let want = numeric(&reference, &p, k);
                let err = (g[k] - want).abs() * p[k] / slow.abs();
                assert!(err < 1e-8, "{p:?} ∂{k}: {} vs {want}", g[k]);
            }
        }
    }

    #[test]
    fn chunked_sums_do_not_depend_on_threads() {
        let data = rows(5, 3 * CHUNK + 17);
        let cols = Columns::new(&data);
        let mut g = [0.0; 4];
        let one = bg_log_likelihood(&cols, BgFamily::MbgNbd, [0.75, 60.0, 0.8, 2.5], &mut g);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let mut g1 = [0.0; 4];
        let single = pool.install(|| {
            bg_log_likelihood(&cols, BgFamily::MbgNbd, [0.75, 60.0, 0.8, 2.5], &mut g1)
        });
        assert_eq!(one.to_bits(), single.to_bits());
        assert_eq!(g, g1);
    }
}
