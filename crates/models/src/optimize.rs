//! A small robust minimiser for smooth objectives of a few variables (the log-parameters of a
//! model). With an analytic gradient: BFGS ([`minimize_with_gradient`]), tens of evaluations.
//! Without one, or when that fails: Nelder–Mead to get close from a rough start without
//! derivatives, then BFGS with a central-difference gradient to polish until the gradient is
//! small, which Nelder–Mead alone cannot certify ([`minimize`]). Also the numerical Hessian
//! (from values or from gradient differences) and its inverse for standard errors.
//!
//! Objectives return `+∞` where they are undefined; both methods treat that as "worse than
//! anything", so a start inside the domain never wanders out of it.

/// Limits of one minimisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Cap on Nelder–Mead plus BFGS iterations per start.
    pub max_iterations: usize,
    /// Convergence threshold on the Euclidean norm of the gradient.
    pub gradient_tolerance: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            max_iterations: 5000,
            gradient_tolerance: 1e-7,
        }
    }
}

/// The best point found.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    pub theta: Vec<f64>,
    pub value: f64,
    /// Iterations over all starts tried.
    pub iterations: usize,
    pub gradient_norm: f64,
    pub converged: bool,
    /// Why it did not converge.
    pub note: Option<String>,
    /// BFGS's estimate of the inverse Hessian at `theta`, row-major `n×n`.
    pub inverse_hessian: Vec<f64>,
}

/// Why there are no standard errors when the curvature at the solution is not finite.
pub const HESSIAN_NOT_FINITE: &str =
    "the Hessian is not finite at the solution (a parameter is at the edge of its domain)";

/// Step of the central-difference gradient in log-parameter space: balances the truncation
/// error (∝ h²) against round-off (∝ ε/h) for objectives of order 1.
const GRAD_STEP: f64 = 1e-5;

/// Minimises `f` from each start in turn until one converges; returns the best result (lowest
/// value among converged runs, else lowest overall), or `None` when `f` is not finite at any start.
pub fn minimize(
    f: &dyn Fn(&[f64]) -> f64,
    starts: &[Vec<f64>],
    settings: &Settings,
) -> Option<Minimum> {
    let mut best: Option<Minimum> = None;
    let mut iterations = 0;
    for start in starts {
        if !f(start).is_finite() {
            continue;
        }
        let (x, it_nm) = nelder_mead(f, start, settings.max_iterations, 0.5);
        // A second, smaller simplex from the first answer guards against premature collapse.
        let (x, it_nm2) = nelder_mead(f, &x, settings.max_iterations, 0.05);
        let mut m = bfgs(f, &x, settings);
        iterations += it_nm + it_nm2 + m.iterations;
        m.iterations = iterations;
        let better = match &best {
            None => true,
            Some(b) => {
                (m.converged && !b.converged) || (m.converged == b.converged && m.value < b.value)
            }
        };
        if better {
            best = Some(m);
        }
        if best.as_ref().is_some_and(|b| b.converged) {
            break;
        }
    }
    if let Some(b) = best.as_mut() {
        b.iterations = iterations;
    }
    best
}

/// Minimises `fg` (which returns the value and writes the gradient) by BFGS from each start in
/// turn until one converges; the best result as in [`minimize`], or `None` when the value is not
/// finite at any start. Tens of evaluations where Nelder–Mead needs thousands; callers fall back
/// to [`minimize`] when no start converges.
pub fn minimize_with_gradient(
    fg: &dyn Fn(&[f64], &mut [f64]) -> f64,
    starts: &[Vec<f64>],
    first_inverse_hessian: Option<&[f64]>,
    settings: &Settings,
) -> Option<Minimum> {
    let mut best: Option<Minimum> = None;
    let mut iterations = 0;
    for (k, start) in starts.iter().enumerate() {
        let mut g = vec![0.0; start.len()];
        let v = fg(start, &mut g);
        if !(v.is_finite() && g.iter().all(|d| d.is_finite())) {
            continue;
        }
        let h0 = first_inverse_hessian.filter(|h| k == 0 && h.len() == start.len().pow(2));
        let m = bfgs_with_gradient(fg, start, v, g, h0, settings);
        iterations += m.iterations;
        let better = match &best {
            None => true,
            Some(b) => {
                (m.converged && !b.converged) || (m.converged == b.converged && m.value < b.value)
            }
        };
        if better {
            best = Some(m);
        }
        if best.as_ref().is_some_and(|b| b.converged) {
            break;
        }
    }
    if let Some(b) = best.as_mut() {
        b.iterations = iterations;
    }
    best
}

/// BFGS on an analytic gradient: Armijo backtracking, steps in log-parameters capped at 2. The
/// initial inverse Hessian is `h0` when the caller knows the curvature (a fit on a subsample of
/// the same data), else the identity scaled by sᵀy/yᵀy after the first step (Nocedal & Wright
/// eq. 6.20).
fn bfgs_with_gradient(
    fg: &dyn Fn(&[f64], &mut [f64]) -> f64,
    x0: &[f64],
    f0: f64,
    g0: Vec<f64>,
    h0: Option<&[f64]>,
    settings: &Settings,
) -> Minimum {
    let n = x0.len();
    let identity = |scale: f64| -> Vec<f64> {
        (0..n * n)
            .map(|k| if k % (n + 1) == 0 { scale } else { 0.0 })
            .collect()
    };
    let (mut x, mut fx, mut g) = (x0.to_vec(), f0, g0);
    let mut h = h0.map_or_else(|| identity(1.0), <[f64]>::to_vec);
    let mut fresh = h0.is_none();
    let mut it = 0;
    let mut note = None;
    let mut restarted = false;
    let mut gn = vec![0.0; n];
    while it < settings.max_iterations {
        if norm(&g) <= settings.gradient_tolerance {
            break;
        }
        it += 1;
        let mut d: Vec<f64> = (0..n)
            .map(|i| -(0..n).map(|j| h[i * n + j] * g[j]).sum::<f64>())
            .collect();
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope.is_nan() || slope >= 0.0 {
            h = identity(1.0);
            fresh = true;
            d = g.iter().map(|v| -v).collect();
            slope = -norm(&g).powi(2);
        }
        let dn = norm(&d);
        let mut step = if dn > 2.0 { 2.0 / dn } else { 1.0 };
        let mut accepted = None;
        for _ in 0..60 {
            let xn: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + step * b).collect();
            let fnew = fg(&xn, &mut gn);
            // Near the optimum the decrease Armijo asks for drowns in the rounding of f; there a
            // step that keeps f within its rounding and shrinks the gradient is progress too.
            let at_noise = (fnew - fx).abs() <= 1e-13 * fx.abs().max(1.0) && norm(&gn) < norm(&g);
            if fnew.is_finite()
                && gn.iter().all(|v| v.is_finite())
                && (fnew <= fx + 1e-4 * step * slope || at_noise)
            {
                accepted = Some((xn, fnew));
                break;
            }
            step *= 0.5;
        }
        let Some((xn, fnew)) = accepted else {
            if restarted {
                note = Some(format!(
                    "line search found no decrease at gradient norm {:.3e} (limit of numerical precision)",
                    norm(&g)
                ));
                break;
            }
            restarted = true;
            h = identity(1.0);
            fresh = true;
            continue;
        };
        restarted = false;
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-300 {
            if fresh {
                let yy: f64 = y.iter().map(|v| v * v).sum();
                h = identity(sy / yy);
                fresh = false;
            }
            let hy: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| h[i * n + j] * y[j]).sum())
                .collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] +=
                        (sy + yhy) * s[i] * s[j] / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
                }
            }
        }
        x = xn;
        fx = fnew;
        g.copy_from_slice(&gn);
    }
    let gnorm = norm(&g);
    let converged = gnorm <= settings.gradient_tolerance;
    if !converged && note.is_none() {
        note = Some(format!(
            "gradient norm {gnorm:.3e} above tolerance {:.1e} after {it} iterations",
            settings.gradient_tolerance
        ));
    }
    Minimum {
        theta: x,
        value: fx,
        iterations: it,
        gradient_norm: gnorm,
        converged,
        note,
        inverse_hessian: h,
    }
}

/// Hessian by central differences of an analytic gradient (`2n` gradient evaluations instead of
/// the `2n²` values of [`hessian`]), relative steps, symmetrised. Row-major `n×n`.
pub fn hessian_from_gradient(
    fg: &dyn Fn(&[f64], &mut [f64]) -> f64,
    x: &[f64],
) -> Result<Vec<f64>, String> {
    gradient_differences(fg, x, |v| 1e-5 * v.abs().max(1e-8))
}

/// [`hessian_from_gradient`] with the same step for every coordinate: for log-parameters, where
/// a fixed step is a fixed relative change of the parameter (and a coordinate near 0 is a
/// parameter near 1, not a small one).
pub fn hessian_from_gradient_fixed_step(
    fg: &dyn Fn(&[f64], &mut [f64]) -> f64,
    x: &[f64],
    step: f64,
) -> Result<Vec<f64>, String> {
    gradient_differences(fg, x, |_| step)
}

fn gradient_differences(
    fg: &dyn Fn(&[f64], &mut [f64]) -> f64,
    x: &[f64],
    step: impl Fn(f64) -> f64,
) -> Result<Vec<f64>, String> {
    let n = x.len();
    let mut out = vec![0.0; n * n];
    let (mut gp, mut gm) = (vec![0.0; n], vec![0.0; n]);
    let mut p = x.to_vec();
    for i in 0..n {
        let h = step(x[i]);
        p[i] = x[i] + h;
        let fp = fg(&p, &mut gp);
        p[i] = x[i] - h;
        let fm = fg(&p, &mut gm);
        p[i] = x[i];
        if !(fp.is_finite() && fm.is_finite()) {
            return Err(HESSIAN_NOT_FINITE.into());
        }
        for j in 0..n {
            out[j * n + i] = (gp[j] - gm[j]) / (2.0 * h);
        }
    }
    for i in 0..n {
        for j in 0..i {
            let v = 0.5 * (out[i * n + j] + out[j * n + i]);
            out[i * n + j] = v;
            out[j * n + i] = v;
        }
    }
    if out.iter().all(|v| v.is_finite()) {
        Ok(out)
    } else {
        Err(HESSIAN_NOT_FINITE.into())
    }
}

/// Nelder–Mead with the standard coefficients (reflection 1, expansion 2, contraction ½,
/// shrink ½) and an axis-aligned initial simplex of the given step.
fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    x0: &[f64],
    max_iter: usize,
    step: f64,
) -> (Vec<f64>, usize) {
    let n = x0.len();
    let mut pts: Vec<Vec<f64>> = vec![x0.to_vec()];
    for i in 0..n {
        let mut p = x0.to_vec();
        p[i] += step;
        pts.push(p);
    }
    let mut vals: Vec<f64> = pts.iter().map(|p| f(p)).collect();
    let mut it = 0;
    while it < max_iter {
        it += 1;
        let mut order: Vec<usize> = (0..=n).collect();
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        pts = order.iter().map(|&i| pts[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        let spread = vals[n] - vals[0];
        let size = pts[1..]
            .iter()
            .map(|p| {
                p.iter()
                    .zip(&pts[0])
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max)
            })
            .fold(0.0, f64::max);
        if spread.is_finite() && spread <= 1e-12 * (1.0 + vals[0].abs()) && size < 1e-6 {
            break;
        }
        let mut centroid = vec![0.0; n];
        for p in &pts[..n] {
            for (c, v) in centroid.iter_mut().zip(p) {
                *c += v / n as f64;
            }
        }
        let along = |coef: f64| -> Vec<f64> {
            centroid
                .iter()
                .zip(&pts[n])
                .map(|(c, w)| c + coef * (w - c))
                .collect()
        };
        let xr = along(-1.0);
        let fr = f(&xr);
        if fr < vals[0] {
            let xe = along(-2.0);
            let fe = f(&xe);
            if fe < fr {
                pts[n] = xe;
                vals[n] = fe;
            } else {
                pts[n] = xr;
                vals[n] = fr;
            }
        } else if fr < vals[n - 1] {
            pts[n] = xr;
            vals[n] = fr;
        } else {
            let (xc, fc) = if fr < vals[n] {
                let xc = along(-0.5);
                let fc = f(&xc);
                (xc, fc)
            } else {
                let xc = along(0.5);
                let fc = f(&xc);
                (xc, fc)
            };
            if fc < vals[n].min(fr) {
                pts[n] = xc;
                vals[n] = fc;
            } else {
                for i in 1..=n {
                    let p: Vec<f64> = pts[0]
                        .iter()
                        .zip(&pts[i])
                        .map(|(b, q)| b + 0.5 * (q - b))
                        .collect();
                    vals[i] = f(&p);
                    pts[i] = p;
                }
            }
        }
    }
    let best = (0..=n)
        .min_by(|&a, &b| vals[a].total_cmp(&vals[b]))
        .unwrap_or(0);
    (pts[best].clone(), it)
}

/// Central-difference gradient; a one-sided difference where one side is outside the domain.
pub fn gradient(f: &dyn Fn(&[f64]) -> f64, x: &[f64], fx: f64) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    let mut p = x.to_vec();
    for i in 0..x.len() {
        p[i] = x[i] + GRAD_STEP;
        let fp = f(&p);
        p[i] = x[i] - GRAD_STEP;
        let fm = f(&p);
        p[i] = x[i];
        g[i] = match (fp.is_finite(), fm.is_finite()) {
            (true, true) => (fp - fm) / (2.0 * GRAD_STEP),
            (true, false) => (fp - fx) / GRAD_STEP,
            (false, true) => (fx - fm) / GRAD_STEP,
            (false, false) => 0.0,
        };
    }
    g
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|a| a * a).sum::<f64>().sqrt()
}

/// BFGS with an Armijo backtracking line search and a central-difference gradient.
fn bfgs(f: &dyn Fn(&[f64]) -> f64, x0: &[f64], settings: &Settings) -> Minimum {
    let n = x0.len();
    let identity = |n: usize| -> Vec<f64> {
        (0..n * n)
            .map(|k| if k % (n + 1) == 0 { 1.0 } else { 0.0 })
            .collect()
    };
    let mut x = x0.to_vec();
    let mut fx = f(&x);
    let mut g = gradient(f, &x, fx);
    let mut h = identity(n); // inverse Hessian approximation
    let mut it = 0;
    let mut note = None;
    let mut restarted = false;
    while it < settings.max_iterations {
        if norm(&g) <= settings.gradient_tolerance {
            break;
        }
        it += 1;
        let mut d: Vec<f64> = (0..n)
            .map(|i| -(0..n).map(|j| h[i * n + j] * g[j]).sum::<f64>())
            .collect();
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if slope.is_nan() || slope >= 0.0 {
            h = identity(n);
            d = g.iter().map(|v| -v).collect();
            slope = -norm(&g).powi(2);
        }
        // Keep a step in log-parameters below 2 (a factor e² in the parameter) per iteration.
        let dn = norm(&d);
        let mut step = if dn > 2.0 { 2.0 / dn } else { 1.0 };
        let mut accepted = None;
        for _ in 0..60 {
            let xn: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + step * b).collect();
            let fnew = f(&xn);
            if fnew.is_finite() && fnew <= fx + 1e-4 * step * slope {
                accepted = Some((xn, fnew));
                break;
            }
            step *= 0.5;
        }
        let Some((xn, fnew)) = accepted else {
            if restarted {
                note = Some(format!(
                    "line search found no decrease at gradient norm {:.3e} (limit of numerical precision)",
                    norm(&g)
                ));
                break;
            }
            restarted = true;
            h = identity(n);
            continue;
        };
        restarted = false;
        let gn = gradient(f, &xn, fnew);
        let s: Vec<f64> = xn.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        if sy > 1e-300 {
            let hy: Vec<f64> = (0..n)
                .map(|i| (0..n).map(|j| h[i * n + j] * y[j]).sum())
                .collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] +=
                        (sy + yhy) * s[i] * s[j] / (sy * sy) - (hy[i] * s[j] + s[i] * hy[j]) / sy;
                }
            }
        }
        x = xn;
        fx = fnew;
        g = gn;
    }
    let gnorm = norm(&g);
    let converged = gnorm <= settings.gradient_tolerance;
    if !converged && note.is_none() {
        note = Some(format!(
            "gradient norm {gnorm:.3e} above tolerance {:.1e} after {it} iterations",
            settings.gradient_tolerance
        ));
    }
    Minimum {
        theta: x,
        value: fx,
        iterations: it,
        gradient_norm: gnorm,
        converged,
        note,
        inverse_hessian: h,
    }
}

/// Central-difference Hessian of `f` at `x` with relative steps (natural parameters differ by
/// orders of magnitude, so one absolute step cannot suit them all). Row-major `n×n`.
pub fn hessian(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Result<Vec<f64>, String> {
    let n = x.len();
    let h: Vec<f64> = x.iter().map(|v| 1e-4 * v.abs().max(1e-8)).collect();
    let mut p = x.to_vec();
    let eval = |p: &mut Vec<f64>, i: usize, si: f64, j: usize, sj: f64| -> f64 {
        p[i] += si * h[i];
        p[j] += sj * h[j];
        let v = f(p);
        p[i] = x[i];
        p[j] = x[j];
        v
    };
    let f0 = f(x);
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in i..n {
            let v = if i == j {
                let fp = eval(&mut p, i, 1.0, i, 1.0);
                let fm = eval(&mut p, i, -1.0, i, -1.0);
                // Steps of 2h on the same coordinate: (f(x+2h) − 2f(x) + f(x−2h)) / (2h)².
                (fp - 2.0 * f0 + fm) / (4.0 * h[i] * h[i])
            } else {
                let pp = eval(&mut p, i, 1.0, j, 1.0);
                let pm = eval(&mut p, i, 1.0, j, -1.0);
                let mp = eval(&mut p, i, -1.0, j, 1.0);
                let mm = eval(&mut p, i, -1.0, j, -1.0);
                (pp - pm - mp + mm) / (4.0 * h[i] * h[j])
            };
            if !v.is_finite() {
                return Err(HESSIAN_NOT_FINITE.into());
            }
            out[i * n + j] = v;
            out[j * n + i] = v;
        }
    }
    Ok(out)
}

/// Inverse of a symmetric positive-definite matrix through its Cholesky factor; an error naming
/// the failure when the matrix is not positive definite (a flat or saddle direction).
pub fn inverse_spd(a: &[f64]) -> Result<Vec<f64>, String> {
    let n = (a.len() as f64).sqrt().round() as usize;
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if s.is_nan() || s <= 0.0 {
                    return Err(format!(
                        "the Hessian is not positive definite (pivot {i} = {s:.3e}): some parameter is not identified by the data"
                    ));
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    // Solve L Lᵀ X = I column by column.
    let mut inv = vec![0.0; n * n];
    for c in 0..n {
        let mut y = vec![0.0; n];
        for i in 0..n {
            let mut s = if i == c { 1.0 } else { 0.0 };
            for k in 0..i {
                s -= l[i * n + k] * y[k];
            }
            y[i] = s / l[i * n + i];
        }
        for i in (0..n).rev() {
            let mut s = y[i];
            for k in i + 1..n {
                s -= l[k * n + i] * inv[k * n + c];
            }
            inv[i * n + c] = s / l[i * n + i];
        }
    }
    Ok(inv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimises_rosenbrock_to_a_small_gradient() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = minimize(&f, &[vec![-1.2, 1.0]], &Settings::default()).unwrap();
        assert!(m.converged, "{m:?}");
        assert!(
            (m.theta[0] - 1.0).abs() < 1e-5 && (m.theta[1] - 1.0).abs() < 1e-5,
            "{m:?}"
        );
    }

    #[test]
    fn skips_starts_outside_the_domain() {
        let f = |x: &[f64]| {
            if x[0] > 0.0 {
                (x[0] - 2.0).powi(2)
            } else {
                f64::INFINITY
            }
        };
        assert!(minimize(&f, &[vec![-1.0]], &Settings::default()).is_none());
        let m = minimize(&f, &[vec![-1.0], vec![1.0]], &Settings::default()).unwrap();
        assert!((m.theta[0] - 2.0).abs() < 1e-6);
    }

    #[test]
    fn hessian_and_inverse_of_a_quadratic() {
        let f = |x: &[f64]| 2.0 * x[0] * x[0] + x[0] * x[1] + 3.0 * x[1] * x[1];
        let h = hessian(&f, &[1.0, 2.0]).unwrap();
        let want = [4.0, 1.0, 1.0, 6.0];
        for (a, b) in h.iter().zip(want) {
            assert!((a - b).abs() < 1e-5, "{h:?}");
        }
        let inv = inverse_spd(&h).unwrap();
        // [[4,1],[1,6]]⁻¹ = [[6,−1],[−1,4]] / 23
        assert!((inv[0] - 6.0 / 23.0).abs() < 1e-6 && (inv[1] + 1.0 / 23.0).abs() < 1e-6);
        assert!(inverse_spd(&[1.0, 2.0, 2.0, 1.0]).is_err());
    }
}
