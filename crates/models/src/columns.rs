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
use crate::special::{digamma, ln_beta, ln_gamma, trigamma};

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

impl BgFamily {
    /// The shift c of b: MBG/NBD's dropout chance at time 0 is one more purchase's worth.
    fn shift(self) -> f64 {
        match self {
            BgFamily::BgNbd => 0.0,
            BgFamily::MbgNbd => 1.0,
        }
    }
}

/// What the BG-family likelihood, its gradient and its Hessian read per distinct value at one
/// parameter point: per x, k = r + x, B(x) = ln a − ln(b+x+c−1) and its derivative in b; per
/// time, ln(α + t) and 1/(α + t) for T and for t_x.
struct BgTables {
    k_x: Vec<f64>,
    b_x: Vec<f64>,
    db_x: Vec<f64>,
    ln_t: Vec<f64>,
    ln_tx: Vec<f64>,
    inv_t: Vec<f64>,
    inv_tx: Vec<f64>,
}

impl BgTables {
    fn new(cols: &Columns, family: BgFamily, [r, alpha, a, b]: [f64; 4]) -> BgTables {
        let (c, ln_a) = (family.shift(), a.ln());
        let nx = cols.xs.len();
        let (mut k_x, mut b_x, mut db_x) = (vec![0.0; nx], vec![0.0; nx], vec![0.0; nx]);
        for (j, &x) in cols.xs.iter().enumerate() {
            k_x[j] = r + x;
            let bx = b + x + c;
            if family == BgFamily::BgNbd && x == 0.0 {
                b_x[j] = f64::NEG_INFINITY;
            } else {
                b_x[j] = ln_a - (bx - 1.0).ln();
                db_x[j] = -1.0 / (bx - 1.0);
            }
        }
        let logs = |times: &[f64]| -> Vec<f64> { times.iter().map(|t| (alpha + t).ln()).collect() };
        let inverses =
            |times: &[f64]| -> Vec<f64> { times.iter().map(|t| 1.0 / (alpha + t)).collect() };
        BgTables {
            k_x,
            b_x,
            db_x,
            ln_t: logs(&cols.ts),
            ln_tx: logs(&cols.txs),
            inv_t: inverses(&cols.ts),
            inv_tx: inverses(&cols.txs),
        }
    }
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
    let c = family.shift();
    let (ln_alpha, ln_gamma_r, ln_beta_ab) = (alpha.ln(), ln_gamma(r), ln_beta(a, b));
    let (psi_r, psi_b, psi_ab) = (digamma(r), digamma(b), digamma(a + b));
    let BgTables {
        k_x,
        b_x,
        db_x,
        ln_t,
        ln_tx,
        inv_t,
        inv_tx,
    } = BgTables::new(cols, family, p);
    let (mut value, mut g) = (0.0, [0.0; 4]);
    for (&x, &wj) in cols.xs.iter().zip(&cols.w_x) {
        let k = r + x;
        let bx = b + x + c;
        let psi_abx = digamma(a + bx);
        value += wj * (ln_gamma(k) - ln_gamma_r + r * ln_alpha + ln_beta(a, bx) - ln_beta_ab);
        g[0] += wj * (digamma(k) - psi_r + ln_alpha);
        g[2] += wj * (psi_ab - psi_abx);
        g[3] += wj * (digamma(bx) - psi_abx - psi_b + psi_ab);
    }
    g[1] = cols.n * r / alpha;
    for (i, &t) in cols.ts.iter().enumerate() {
        let kw = r * cols.w_t[i] + cols.wx_t[i];
        value -= kw * ln_t[i];
        g[0] -= cols.w_t[i] * ln_t[i];
        g[1] -= kw / (alpha + t);
    }
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

/// `(σ(d), σ(d)·(1 − σ(d)))` with one `exp`, without overflow or cancellation.
#[inline]
fn sigmoid_and_slope(d: f64) -> (f64, f64) {
    let e = (-d.abs()).exp();
    let inv = 1.0 / (1.0 + e);
    let sig = if d > 0.0 { inv } else { e * inv };
    (sig, e * inv * inv)
}

/// Hessian of [`bg_log_likelihood`] with respect to `(r, α, a, b)`, row-major 4×4: the standard
/// errors' curvature in one pass over the rows (one `exp` a row), where differences of the
/// gradient took eight.
///
/// # Formula
/// The x-terms give ψ₁ (trigamma) terms, the T-terms `±1/(α+T)` and `1/(α+T)²` terms. The row
/// term ln(1 + e^d) contributes `v·∂d ∂dᵀ + σ·∂²d` with σ = σ(d), v = σ(1−σ) and
/// `∂d = (−D, −k E, 1/a, −1/(b+x+c−1))`, D = ln(α+t_x) − ln(α+T), E = 1/(α+t_x) − 1/(α+T);
/// the non-zero second derivatives of d are ∂²d/∂r∂α = −E, ∂²d/∂α² = k[1/(α+t_x)² − 1/(α+T)²],
/// ∂²d/∂a² = −1/a² and ∂²d/∂b² = 1/(b+x+c−1)².
pub(crate) fn bg_log_likelihood_hessian(
    cols: &Columns,
    family: BgFamily,
    p: [f64; 4],
) -> [f64; 16] {
    let [r, alpha, a, b] = p;
    let c = family.shift();
    let (tg_r, tg_b, tg_ab) = (trigamma(r), trigamma(b), trigamma(a + b));
    let BgTables {
        k_x,
        b_x,
        db_x,
        ln_t,
        ln_tx,
        inv_t,
        inv_tx,
    } = BgTables::new(cols, family, p);
    let mut h = [[0.0f64; 4]; 4];
    for (&x, &wj) in cols.xs.iter().zip(&cols.w_x) {
        let bx = b + x + c;
        let tg_abx = trigamma(a + bx);
        h[0][0] += wj * (trigamma(r + x) - tg_r);
        h[2][2] += wj * (tg_ab - tg_abx);
        h[2][3] += wj * (tg_ab - tg_abx);
        h[3][3] += wj * (trigamma(bx) - tg_abx - tg_b + tg_ab);
    }
    h[0][1] += cols.n / alpha;
    h[1][1] -= cols.n * r / (alpha * alpha);
    for (i, &inv) in inv_t.iter().enumerate() {
        h[0][1] -= cols.w_t[i] * inv;
        h[1][1] += (r * cols.w_t[i] + cols.wx_t[i]) * inv * inv;
    }
    let s = chunked_sum::<13>(cols.w.len(), |range| {
        let mut acc = [0.0; 13];
        for i in range {
            let j = cols.ix[i] as usize;
            let (ti, txi) = (cols.it[i] as usize, cols.itx[i] as usize);
            let (k, db) = (k_x[j], db_x[j]);
            let dd = ln_tx[txi] - ln_t[ti];
            let e = inv_tx[txi] - inv_t[ti];
            let e2 = inv_tx[txi] * inv_tx[txi] - inv_t[ti] * inv_t[ti];
            let (sig, slope) = sigmoid_and_slope(b_x[j] - k * dd);
            let (w, ke) = (cols.w[i], k * e);
            let (wv, ws) = (w * slope, w * sig);
            acc[0] += wv * dd * dd;
            acc[1] += wv * dd * ke;
            acc[2] += ws * e;
            acc[3] += wv * dd;
            acc[4] += wv * dd * db;
            acc[5] += wv * ke * ke;
            acc[6] += ws * k * e2;
            acc[7] += wv * ke;
            acc[8] += wv * ke * db;
            acc[9] += wv;
            acc[10] += ws;
            acc[11] += wv * db;
            acc[12] += (wv + ws) * db * db;
        }
        acc
    });
    h[0][0] += s[0];
    h[0][1] += s[1] - s[2];
    h[0][2] -= s[3] / a;
    h[0][3] -= s[4];
    h[1][1] += s[5] + s[6];
    h[1][2] -= s[7] / a;
    h[1][3] -= s[8];
    h[2][2] += (s[9] - s[10]) / (a * a);
    h[2][3] += s[11] / a;
    h[3][3] += s[12];
    symmetric(h)
}

/// The row-major matrix of an upper triangle.
fn symmetric<const N: usize, const NN: usize>(upper: [[f64; N]; N]) -> [f64; NN] {
    let mut out = [0.0; NN];
    for i in 0..N {
        for j in i..N {
            out[i * N + j] = upper[i][j];
            out[j * N + i] = upper[i][j];
        }
    }
    out
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

/// Hessian of [`gg_log_likelihood`] with respect to `(p, q, γ)`, row-major 3×3.
///
/// # Formula
/// The x-terms give ψ₁ terms (`x²[ψ₁(px+q) − ψ₁(px)]`, `x ψ₁(px+q)`, `ψ₁(px+q) − ψ₁(q)`),
/// `q ln γ` gives `1/γ` and `−q/γ²`, and the row term −(px+q)·ln u with u = γ + x z̄ gives
/// `−x/u`, `−1/u` and `(px+q)/u²`: no logarithm a row.
pub(crate) fn gg_log_likelihood_hessian(cols: &SpendColumns, par: [f64; 3]) -> [f64; 9] {
    let [p, q, gamma] = par;
    let tg_q = trigamma(q);
    let mut h = [[0.0f64; 3]; 3];
    for (j, &x) in cols.xs.iter().enumerate() {
        let (wj, px) = (cols.w_x[j], p * x);
        let tg_pxq = trigamma(px + q);
        h[0][0] += wj * x * x * (tg_pxq - trigamma(px));
        h[0][1] += wj * x * tg_pxq;
        h[1][1] += wj * (tg_pxq - tg_q);
    }
    h[1][2] += cols.n / gamma;
    h[2][2] -= cols.n * q / (gamma * gamma);
    let xs = &cols.xs;
    let s = chunked_sum::<4>(cols.w.len(), |range| {
        let mut acc = [0.0; 4];
        for i in range {
            let (x, w) = (xs[cols.ix[i] as usize], cols.w[i]);
            let inv = 1.0 / (gamma + x * cols.z[i]);
            let (wi, wi2) = (w * inv, w * inv * inv);
            acc[0] += wi * x;
            acc[1] += wi;
            acc[2] += wi2 * x;
            acc[3] += wi2;
        }
        acc
    });
    h[0][2] -= s[0];
    h[1][2] -= s[1];
    h[2][2] += p * s[2] + q * s[3];
    symmetric(h)
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

    /// Parameter points of the BG-family checks: typical, CDNOW's, and both far corners.
    const BG_POINTS: [[f64; 4]; 4] = [
        [0.75, 60.0, 0.8, 2.5],
        [0.243, 4.414, 0.793, 2.426],
        [3.0, 500.0, 1.7, 0.6],
        [0.05, 2.0, 12.0, 40.0],
    ];
    /// Parameter points of the Gamma-Gamma checks.
    const GG_POINTS: [[f64; 3]; 3] = [[6.0, 4.0, 1250.0], [0.5, 0.7, 3.0], [20.0, 1.5, 1e5]];

    /// Weighted spend rows: 17 purchase counts, whole mean values from 5 to 2005.
    fn spend_rows(seed: u64) -> Vec<(SpendRow, f64)> {
        let mut rng = Rng(seed);
        (0..2000)
            .map(|i| {
                let x = 1.0 + (i % 17) as f64;
                let z = (5.0 + 2000.0 * rng.next()).round();
                (SpendRow { x, mean_value: z }, 1.0 + (i % 3) as f64)
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
        for seed in 1..4 {
            let data = rows(seed, 3000);
            let cols = Columns::new(&data);
            for p in BG_POINTS {
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
        let data = spend_rows(9);
        let cols = SpendColumns::new(&data);
        for p in GG_POINTS {
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

    /// Central differences of a gradient (already checked against the per-row formulas) along
    /// each parameter: column k of the Hessian.
    fn gradient_differences<const N: usize>(
        gradient: &dyn Fn([f64; N]) -> [f64; N],
        p: [f64; N],
    ) -> Vec<[f64; N]> {
        (0..N)
            .map(|k| {
                let h = 1e-6 * p[k];
                let (mut up, mut down) = (p, p);
                up[k] += h;
                down[k] -= h;
                let (gu, gd) = (gradient(up), gradient(down));
                std::array::from_fn(|j| (gu[j] - gd[j]) / (2.0 * h))
            })
            .collect()
    }

    /// Entry (j, k) against its difference, on the scale of the curvature of the diagonal:
    /// |H_jk| ≤ √(H_jj·H_kk) for a concave likelihood, and a difference carries an error of
    /// ~1e-10 of that.
    fn assert_hessian<const N: usize>(analytic: &[f64], numeric: &[[f64; N]], what: &str) {
        for k in 0..N {
            for j in 0..N {
                let scale = (analytic[j * N + j] * analytic[k * N + k]).abs().sqrt();
                let err = (analytic[j * N + k] - numeric[k][j]).abs() / scale;
                assert!(
                    err < 1e-6,
                    "{what} H[{j}][{k}]: {} vs {} (scale {scale})",
                    analytic[j * N + k],
                    numeric[k][j]
                );
            }
        }
    }

    #[test]
    fn bg_family_hessian_matches_differences_of_the_gradient() {
        for seed in 1..3 {
            let cols = Columns::new(&rows(seed, 3000));
            for p in BG_POINTS {
                for family in [BgFamily::BgNbd, BgFamily::MbgNbd] {
                    let gradient = |v: [f64; 4]| {
                        let mut g = [0.0; 4];
                        bg_log_likelihood(&cols, family, v, &mut g);
                        g
                    };
                    let analytic = bg_log_likelihood_hessian(&cols, family, p);
                    let numeric = gradient_differences(&gradient, p);
                    assert_hessian(&analytic, &numeric, &format!("{family:?} {p:?}"));
                }
            }
        }
    }

    #[test]
    fn gamma_gamma_hessian_matches_differences_of_the_gradient() {
        let data = spend_rows(11);
        let cols = SpendColumns::new(&data);
        for p in GG_POINTS {
            let gradient = |v: [f64; 3]| {
                let mut g = [0.0; 3];
                gg_log_likelihood(&cols, v, &mut g);
                g
            };
            let analytic = gg_log_likelihood_hessian(&cols, p);
            let numeric = gradient_differences(&gradient, p);
            assert_hessian(&analytic, &numeric, &format!("{p:?}"));
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
