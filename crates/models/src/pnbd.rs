//! Pareto/NBD (Schmittlein, Morrison & Colombo 1987; likelihood as in Fader, Hardie & Lee 2005,
//! "A note on implementing the Pareto/NBD model in MATLAB"): purchases at a Poisson rate
//! λ ~ Gamma(r, α) while alive; an exponential lifetime with rate μ ~ Gamma(s, β). Dropout can
//! happen at any moment, so one-time buyers get a P(alive) that falls with the silence since their
//! first purchase.

use crate::bg_common::{self, clamp, horizon, inv_one_plus_exp};
use crate::bgnbd::log_add_exp;
use crate::columns::{Columns, chunked_sum};
use crate::data::Triple;
use crate::fit::{self, Fit, FitError, FitOptions, ModelKind, ParamError, Problem};
use crate::quad;
use crate::special::{ln_gamma, ln_hyp2f1_positive};
use rayon::prelude::*;

/// Parameter names in order.
pub const PARAM_NAMES: [&str; 4] = ["r", "alpha", "s", "beta"];

/// Pareto/NBD parameters; `alpha` and `beta` are in the caller's time unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParetoNbdParams {
    pub r: f64,
    pub alpha: f64,
    pub s: f64,
    pub beta: f64,
}

impl ParetoNbdParams {
    /// The same model with time measured in units `factor` times smaller.
    pub fn rescale_time(self, factor: f64) -> Self {
        ParetoNbdParams {
            alpha: self.alpha * factor,
            beta: self.beta * factor,
            ..self
        }
    }
}

/// A Pareto/NBD model with parameter-only constants precomputed; methods are allocation-free.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParetoNbd {
    p: ParetoNbdParams,
    ln_gamma_r: f64,
    ln_const: f64,
    ln_s: f64,
}

impl ParetoNbd {
    pub fn new(p: ParetoNbdParams) -> Result<Self, ParamError> {
        fit::check_positive(&PARAM_NAMES, &[p.r, p.alpha, p.s, p.beta])?;
        Ok(ParetoNbd {
            p,
            ln_gamma_r: ln_gamma(p.r),
            ln_const: p.r * p.alpha.ln() + p.s * p.beta.ln(),
            ln_s: p.s.ln(),
        })
    }

    pub fn params(&self) -> ParetoNbdParams {
        self.p
    }

    /// The two terms of the likelihood bracket, in logs: "alive through T" and "died in (t_x, T]".
    ///
    /// # Formula
    /// `L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^−(r+x) (β+T)^−s + s/(r+s+x) · A₀ ]` with, for α ≥ β,
    /// `A₀ = 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+t_x)) / (α+t_x)^(r+s+x)
    ///     − 2F1(r+s+x, s+1; r+s+x+1; (α−β)/(α+T)) / (α+T)^(r+s+x)`
    /// and for α < β the same with α↔β swapped and s+1 replaced by r+x (Fader, Hardie & Lee 2005,
    /// note eqs. 2–4). The difference is taken in log space, `ln(eᵘ − eᵛ) = u + ln(−expm1(v − u))`,
    /// because the two terms cancel when t_x ≈ T. If the 2F1 cannot be evaluated the same term is
    /// computed from its integral form `s ∫_{t_x}^T (α+y)^−(r+x) (β+y)^−(s+1) dy`.
    fn ln_terms(&self, x: f64, t_x: f64, t: f64) -> (f64, f64) {
        let ParetoNbdParams { r, alpha, s, beta } = self.p;
        let first = -(r + x) * (alpha + t).ln() - s * (beta + t).ln();
        if t_x >= t {
            return (first, f64::NEG_INFINITY);
        }
        let rsx = r + s + x;
        let second = match (self.ln_part(x, t_x), self.ln_part(x, t)) {
            (Some(u), Some(v)) => {
                let ln_a0 = if v < u {
                    u + (-(v - u).exp_m1()).ln()
                } else {
                    f64::NEG_INFINITY
                };
                self.ln_s - rsx.ln() + ln_a0
            }
            _ => self.ln_second_by_quadrature(x, t_x, t),
        };
        (first, second)
    }

    /// `ln 2F1(r+s+x, b₂; r+s+x+1; (big−small)/(big+y)) − (r+s+x) ln(big+y)`, one of the two
    /// terms of A₀ in [`Self::ln_terms`]; `None` when the 2F1 cannot be evaluated.
    fn ln_part(&self, x: f64, y: f64) -> Option<f64> {
        let ParetoNbdParams { r, alpha, s, beta } = self.p;
        let rsx = r + s + x;
        let (big, small, b2) = if alpha >= beta {
            (alpha, beta, s + 1.0)
        } else {
            (beta, alpha, r + x)
        };
        let z = (big - small) / (big + y);
        let f = ln_hyp2f1_positive(rsx, b2, rsx + 1.0, z).ok()?;
        let v = f - rsx * (big + y).ln();
        v.is_finite().then_some(v)
    }

    /// ln of `s ∫_{t_x}^T (α+y)^−(r+x) (β+y)^−(s+1) dy`, scaled by the integrand's value at t_x (its
    /// maximum) so that heavy buyers do not underflow.
    fn ln_second_by_quadrature(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let ParetoNbdParams { r, alpha, s, beta } = self.p;
        let ln_f = |y: f64| -(r + x) * (alpha + y).ln() - (s + 1.0) * (beta + y).ln();
        let m = ln_f(t_x);
        let width = t - t_x;
        let i = quad::integrate_unit(|p, _| (ln_f(t_x + width * p) - m).exp());
        self.ln_s + m + (width * i).ln()
    }

    /// Log-likelihood of one customer (see [`Self::p_alive`] for the two terms).
    pub fn log_likelihood(&self, c: &Triple) -> f64 {
        let (l1, l2) = self.ln_terms(c.x, c.t_x, c.t);
        ln_gamma(self.p.r + c.x) - self.ln_gamma_r + self.ln_const + log_add_exp(l1, l2)
    }

    /// P(alive at T | x, t_x, T).
    ///
    /// # Formula
    /// `1 / (1 + s/(r+s+x) · (α+T)^(r+x) (β+T)^s · A₀)`: the share of the likelihood that comes
    /// from "alive through T". Below 1 also for x = 0.
    pub fn p_alive(&self, x: f64, t_x: f64, t: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        let (l1, l2) = self.ln_terms(x, t_x, t);
        inv_one_plus_exp(l2 - l1)
    }

    /// P(alive at T + h | x, t_x, T): alive now × E[e^(−μh)] with μ ~ Gamma(s, β+T) a posteriori,
    /// i.e. `P(alive) · ((β+T)/(β+T+h))^s`.
    pub fn p_alive_at(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        self.p_alive(x, t_x, t) * self.survival_given_alive(x, t, h)
    }

    /// P(alive at T + h | alive at T): `((β+T)/(β+T+h))^s`, the factor of [`Self::p_alive_at`]
    /// shared by every customer with the same T (`x` is not used: the dropout rate's posterior
    /// does not depend on the purchases).
    pub fn survival_given_alive(&self, _x: f64, t: f64, h: f64) -> f64 {
        let (_, _, t) = clamp(0.0, 0.0, t);
        let ParetoNbdParams { s, beta, .. } = self.p;
        (-s * (horizon(h) / (beta + t)).ln_1p()).exp()
    }

    /// `(r+x)/(α+T) · (β+T)/(s−1) · [1 − ((β+T)/(β+T+h))^(s−1)]`, the expected purchases over h
    /// of a customer alive now; evaluated with expm1/ln1p and its s → 1 limit
    /// `(r+x)/(α+T) · (β+T) · ln(1 + h/(β+T))`.
    fn expected_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        let ParetoNbdParams { r, alpha, s, beta } = self.p;
        let l = (h / (beta + t)).ln_1p();
        let k = if (s - 1.0).abs() < 1e-10 {
            l
        } else {
            -(-(s - 1.0) * l).exp_m1() / (s - 1.0)
        };
        (r + x) / (alpha + t) * (beta + t) * k
    }

    /// Expected purchases in (0, t] of a customer just acquired.
    ///
    /// # Formula
    /// `E[X(t)] = rβ/(α(s−1)) · [1 − (β/(β+t))^(s−1)]` (Schmittlein et al. 1987, eq. 17).
    pub fn expected_purchases(&self, t: f64) -> f64 {
        self.expected_given_alive(0.0, 0.0, horizon(t))
    }

    /// Expected purchases in (T, T + h] given the history.
    ///
    /// # Formula
    /// `P(alive) · (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+h))^(s−1)]`
    /// (Schmittlein et al. 1987, eq. 22).
    pub fn conditional_expected_purchases(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        self.p_alive(x, t_x, t) * self.expected_given_alive(x, t, horizon(h))
    }

    /// Expected purchases in (T, T + h] of a customer alive at T (depends on `(x, T)` only).
    pub fn expected_purchases_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        let (x, _, t) = clamp(x, 0.0, t);
        self.expected_given_alive(x, t, horizon(h))
    }

    /// Probability of at least one purchase in (T, T + h] of a customer alive at T, `V · mean S_τ`
    /// of [`Self::prob_no_purchase`]: the quadrature there depends on `(x, T)` only, so callers
    /// scoring many customers can share it between customers with the same `(x, T)`.
    pub fn purchase_probability_given_alive(&self, x: f64, t: f64, h: f64) -> f64 {
        let (x, _, t) = clamp(x, 0.0, t);
        let h = horizon(h);
        if h == 0.0 {
            return 0.0;
        }
        let ParetoNbdParams { r, alpha, s, beta } = self.p;
        let (k, a1, b1) = (r + x, alpha + t, beta + t);
        let ln_one_minus_v = -k * (h / a1).ln_1p();
        let one_minus_v = ln_one_minus_v.exp();
        let v_max = -ln_one_minus_v.exp_m1();
        // Integrate over v = V·p; 1 − v = (1 − V) + V(1 − p) keeps precision near v = 1.
        let mean_s = quad::integrate_unit(|_, q| {
            let rest = one_minus_v + v_max * q;
            let u = a1 * (-rest.ln() / k).exp_m1();
            (-s * (u / b1).ln_1p()).exp()
        });
        v_max * mean_s
    }

    /// Probability of no purchase in (T, T + h] given the history.
    ///
    /// # Formula
    /// For a customer alive now with posterior λ ~ Gamma(r+x, α+T), μ ~ Gamma(s, β+T), the first
    /// future purchase comes after a Lomax(r+x, α+T) wait W and the lifetime is Lomax(s, β+T), so
    /// `P(no purchase | alive) = 1 − P(W ≤ h, W < τ) = 1 − ∫₀^V S_τ(W⁻¹(v)) dv` with
    /// `V = 1 − ((α+T)/(α+T+h))^(r+x)` (W's CDF at h). The one-dimensional integral is done by
    /// tanh-sinh quadrature (65 nodes). Result: `1 − P(alive) · V · mean S_τ`.
    pub fn prob_no_purchase(&self, x: f64, t_x: f64, t: f64, h: f64) -> f64 {
        let (x, t_x, t) = clamp(x, t_x, t);
        if horizon(h) == 0.0 {
            return 1.0;
        }
        let buy = self.purchase_probability_given_alive(x, t, h);
        (1.0 - self.p_alive(x, t_x, t) * buy).clamp(0.0, 1.0)
    }

    /// Median time from T to the next purchase of a customer who is active and stays active until
    /// then (the purchase-rate posterior Gamma(r+x, α+T) gives a Lomax wait):
    /// `(α+T)(2^(1/(r+x)) − 1)`. Dropout is not part of this figure; weigh with P(alive) and
    /// [`Self::prob_no_purchase`]. `None` if it overflows.
    pub fn median_time_to_next_purchase(&self, x: f64, t: f64) -> Option<f64> {
        let (x, _, t) = clamp(x, 0.0, t);
        bg_common::median_next_purchase(self.p.r, x, self.p.alpha + t)
    }
}

/// Weighted log-likelihood of compressed rows.
pub fn log_likelihood(p: ParetoNbdParams, rows: &[(Triple, f64)]) -> f64 {
    match ParetoNbd::new(p) {
        Ok(m) => rows.iter().map(|(c, w)| w * m.log_likelihood(c)).sum(),
        Err(_) => f64::NAN,
    }
}

/// Fits Pareto/NBD to one triple per customer.
pub fn fit(data: &[Triple], opts: &FitOptions) -> Result<Fit<ParetoNbd>, FitError> {
    let weighted: Vec<(Triple, f64)> = data.iter().map(|c| (*c, 1.0)).collect();
    fit_weighted(&weighted, opts)
}

/// Pareto/NBD rows for fits: the structure-of-arrays columns plus the distinct `(x, t_x)` and
/// `(x, T)` pairs, at which the hypergeometric terms are evaluated once per likelihood evaluation
/// (tens of thousands of pairs where there are hundreds of thousands of rows).
struct PnbdColumns {
    cols: Columns,
    pairs_tx: Vec<(u32, u32)>,
    row_tx: Vec<u32>,
    pairs_t: Vec<(u32, u32)>,
    row_t: Vec<u32>,
}

fn pairs(a: &[u32], b: &[u32]) -> (Vec<(u32, u32)>, Vec<u32>) {
    let key = |i: u32, j: u32| (u64::from(i) << 32) | u64::from(j);
    let mut keys: Vec<u64> = a.iter().zip(b).map(|(&i, &j)| key(i, j)).collect();
    keys.sort_unstable();
    keys.dedup();
    let rows = a
        .iter()
        .zip(b)
        .map(|(&i, &j)| keys.binary_search(&key(i, j)).unwrap_or_else(|e| e) as u32)
        .collect();
    let split = keys.iter().map(|k| ((k >> 32) as u32, *k as u32)).collect();
    (split, rows)
}

impl PnbdColumns {
    fn new(rows: &[(Triple, f64)]) -> Self {
        let cols = Columns::new(rows);
        let (pairs_tx, row_tx) = pairs(&cols.ix, &cols.itx);
        let (pairs_t, row_t) = pairs(&cols.ix, &cols.it);
        PnbdColumns {
            cols,
            pairs_tx,
            row_tx,
            pairs_t,
            row_t,
        }
    }

    /// The weighted log-likelihood, equal to [`log_likelihood`] on the same rows: the
    /// hypergeometric terms once per distinct pair, the logs of α+T and β+T once per distinct T.
    fn log_likelihood(&self, m: &ParetoNbd) -> f64 {
        let ParetoNbdParams { r, alpha, s, beta } = m.p;
        let c = &self.cols;
        let mut value = 0.0;
        for (&x, &w) in c.xs.iter().zip(&c.w_x) {
            value += w * (ln_gamma(r + x) - m.ln_gamma_r + m.ln_const);
        }
        let part = |pairs: &[(u32, u32)], ys: &[f64]| -> Vec<f64> {
            pairs
                .par_iter()
                .map(|&(i, j)| {
                    m.ln_part(c.xs[i as usize], ys[j as usize])
                        .unwrap_or(f64::NAN)
                })
                .collect()
        };
        let (part_tx, part_t) = (part(&self.pairs_tx, &c.txs), part(&self.pairs_t, &c.ts));
        let ln_at: Vec<f64> = c.ts.iter().map(|t| (alpha + t).ln()).collect();
        let ln_bt: Vec<f64> = c.ts.iter().map(|t| (beta + t).ln()).collect();
        let [sum] = chunked_sum::<1>(c.w.len(), |range| {
            let mut acc = 0.0;
            for i in range {
                let (ti, x) = (c.it[i] as usize, c.xs[c.ix[i] as usize]);
                let (t, t_x) = (c.ts[ti], c.txs[c.itx[i] as usize]);
                let first = -(r + x) * ln_at[ti] - s * ln_bt[ti];
                let second = if t_x >= t {
                    f64::NEG_INFINITY
                } else {
                    let (u, v) = (
                        part_tx[self.row_tx[i] as usize],
                        part_t[self.row_t[i] as usize],
                    );
                    if u.is_nan() || v.is_nan() {
                        m.ln_second_by_quadrature(x, t_x, t)
                    } else {
                        let ln_a0 = if v < u {
                            u + (-(v - u).exp_m1()).ln()
                        } else {
                            f64::NEG_INFINITY
                        };
                        m.ln_s - (r + s + x).ln() + ln_a0
                    }
                };
                acc += c.w[i] * log_add_exp(first, second);
            }
            [acc]
        });
        value + sum
    }
}

/// Fits Pareto/NBD to weighted triples.
///
/// The likelihood is evaluated through [`PnbdColumns`]; its gradient by central differences
/// (there is no analytic one yet), driving BFGS directly; large data first fit on a subsample.
pub fn fit_weighted(data: &[(Triple, f64)], opts: &FitOptions) -> Result<Fit<ParetoNbd>, FitError> {
    let prep = bg_common::prepare(data, opts)?;
    // s and β start at the scale of r and α: a dropout rate comparable to the purchase rate.
    let mut starts = bg_common::starts(&prep, [1.0, 1.0, 0.5], [1.0, 1.0, 1.0]);
    for st in &mut starts {
        st[3] = st[1];
    }
    let (v, report) = fit::fit_from_subsample(&prep.rows, |rows, step| {
        let pc = PnbdColumns::new(rows);
        let ll = |v: &[f64]| -> f64 {
            match ParetoNbd::new(ParetoNbdParams {
                r: v[0],
                alpha: v[1],
                s: v[2],
                beta: v[3],
            }) {
                Ok(m) => pc.log_likelihood(&m),
                Err(_) => f64::NAN,
            }
        };
        // Relative central differences: the step of the previous optimiser in log-parameters.
        let llg = |v: &[f64], g: &mut [f64]| -> f64 {
            let mut p = [v[0], v[1], v[2], v[3]];
            for k in 0..4 {
                let h = 1e-5 * v[k];
                p[k] = v[k] + h;
                let up = ll(&p);
                p[k] = v[k] - h;
                let down = ll(&p);
                p[k] = v[k];
                g[k] = (up - down) / (2.0 * h);
            }
            ll(v)
        };
        let problem = Problem {
            kind: ModelKind::ParetoNbd,
            names: &PARAM_NAMES,
            log_likelihood: &ll,
            gradient: Some(&llg),
            analytic_gradient: false,
            starts: starts.clone(),
            hessian: None,
            warm: None,
            n_customers: pc.cols.n,
            n_unique: rows.len(),
        };
        fit::solve(problem, opts, step)
    })?;
    let model = ParetoNbd::new(ParetoNbdParams {
        r: v[0],
        alpha: v[1],
        s: v[2],
        beta: v[3],
    })
    .map_err(|_| FitError::NonFiniteLikelihood { starts: 0 })?;
    Ok(Fit { model, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cdnow() -> ParetoNbd {
        ParetoNbd::new(ParetoNbdParams {
            r: 0.553,
            alpha: 10.578,
            s: 0.606,
            beta: 11.669,
        })
        .unwrap()
    }

    #[test]
    fn hypergeometric_and_integral_forms_agree() {
        for p in [
            cdnow(),
            ParetoNbd::new(ParetoNbdParams {
                r: 0.553,
                alpha: 3.0,
                s: 0.606,
                beta: 11.669,
            })
            .unwrap(),
        ] {
            for &(x, t_x, t) in &[
                (2.0, 30.43, 38.86),
                (0.0, 0.0, 38.86),
                (1.0, 1.71, 38.86),
                (5.0, 38.0, 38.86),
            ] {
                let (_, l2) = p.ln_terms(x, t_x, t);
                let q = p.ln_second_by_quadrature(x, t_x, t);
                assert!((l2 - q).abs() < 1e-8, "{l2} vs {q} at {x} {t_x} {t}");
            }
        }
    }

    #[test]
    fn pair_cached_likelihood_matches_the_per_row_formula() {
        let mut rows = Vec::new();
        for i in 0..3000u32 {
            let t = f64::from(1 + (i * 37) % 700);
            let x = f64::from(i % 9) + if i % 101 == 0 { 300.0 } else { 0.0 };
            let t_x = if x == 0.0 {
                0.0
            } else if i % 7 == 0 {
                t
            } else {
                (t * f64::from((i * 13) % 100) / 100.0).floor()
            };
            rows.push((Triple::new(x, t_x, t), f64::from(1 + i % 3)));
        }
        let pc = PnbdColumns::new(&rows);
        for p in [
            ParetoNbdParams {
                r: 0.55,
                alpha: 70.0,
                s: 0.6,
                beta: 80.0,
            },
            ParetoNbdParams {
                r: 1.45,
                alpha: 139.0,
                s: 2.17,
                beta: 898.0,
            },
            ParetoNbdParams {
                r: 0.2,
                alpha: 300.0,
                s: 0.1,
                beta: 5.0,
            },
        ] {
            let m = ParetoNbd::new(p).unwrap();
            let (fast, slow) = (pc.log_likelihood(&m), log_likelihood(p, &rows));
            assert!(
                (fast - slow).abs() <= 1e-10 * slow.abs(),
                "{p:?}: {fast} vs {slow}"
            );
        }
    }

    #[test]
    fn no_purchase_matches_alive_limits() {
        let m = cdnow();
        let pa = m.p_alive(2.0, 30.43, 38.86);
        let p = m.prob_no_purchase(2.0, 30.43, 38.86, 1e-9);
        assert!((p - 1.0).abs() < 1e-6, "{p}");
        let far = m.prob_no_purchase(2.0, 30.43, 38.86, 1e7);
        assert!(far > 1.0 - pa && far < 1.0, "{far} {pa}");
    }
}
