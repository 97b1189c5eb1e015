//! What every fit takes and returns: options, the report, the refusal reasons, and the one driver
//! that turns a log-likelihood into fitted parameters with standard errors.

use crate::data::DataError;
use crate::optimize::{self, Settings};

/// Which model a report belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ModelKind {
    BgNbd,
    MbgNbd,
    ParetoNbd,
    BgBb,
    GammaGamma,
    ShiftedBetaGeometric,
}

impl ModelKind {
    /// Short conventional name ("BG/NBD", ...).
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::BgNbd => "BG/NBD",
            ModelKind::MbgNbd => "MBG/NBD",
            ModelKind::ParetoNbd => "Pareto/NBD",
            ModelKind::BgBb => "BG/BB",
            ModelKind::GammaGamma => "Gamma-Gamma",
            ModelKind::ShiftedBetaGeometric => "sBG",
        }
    }
}

/// Options shared by every fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    /// L2 penalty on the log-parameters, like lifetimes' `penalizer_coef`: the minimised objective
    /// is `−LL/N + penalty · Σ ln(θ_i)²` with N the number of customers. 0 = plain maximum likelihood.
    pub penalty: f64,
    /// Fewest customers with at least one repeat purchase the fit accepts (default 10). Below that
    /// the purchase-rate and dropout parameters are not identified and the fit is refused.
    pub min_repeat_buyers: usize,
    /// Optimiser limits.
    pub max_iterations: usize,
    /// Convergence threshold on the gradient norm of the objective (per-customer scale).
    pub gradient_tolerance: f64,
    /// Starting points in natural parameters (in the model's parameter order), tried before the
    /// built-in ones. Empty = built-in starts only.
    pub starts: Vec<Vec<f64>>,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            penalty: 0.0,
            min_repeat_buyers: 10,
            max_iterations: 5000,
            gradient_tolerance: 1e-7,
            starts: Vec::new(),
        }
    }
}

/// Everything a caller needs to judge a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct FitReport {
    pub model: ModelKind,
    /// Fitted parameters by their conventional names, in the model's order.
    pub params: Vec<(&'static str, f64)>,
    /// Log-likelihood of the data at the fitted parameters (without the penalty), summed over
    /// customers, up to the additive constants the papers drop too (so it compares with them).
    pub log_likelihood: f64,
    /// Whether the optimiser met its gradient tolerance.
    pub converged: bool,
    /// Why not, when `converged` is false.
    pub convergence_note: Option<String>,
    /// Nelder–Mead plus quasi-Newton iterations over all starts tried, on the full data (a fit of
    /// many rows starts where a fit of a subsample ended; those iterations are not counted).
    pub iterations: usize,
    /// Euclidean norm of the gradient of the objective (`−LL/N + penalty`) with respect to the
    /// log-parameters at the solution.
    pub gradient_norm: f64,
    /// Standard errors of the natural parameters from the inverse numerical Hessian of the
    /// (penalised) negative log-likelihood; `None` when the Hessian is not positive definite.
    pub std_errors: Vec<(&'static str, Option<f64>)>,
    /// Why the standard errors are missing, when they are.
    pub std_error_note: Option<String>,
    /// Number of customers (sum of weights).
    pub n_customers: f64,
    /// Number of distinct rows the likelihood was evaluated on.
    pub n_unique: usize,
}

impl FitReport {
    /// A fitted parameter by name.
    pub fn param(&self, name: &str) -> Option<f64> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// The standard error of a parameter by name.
    pub fn std_error(&self, name: &str) -> Option<f64> {
        self.std_errors
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, v)| *v)
    }
}

/// A fitted model ready for predictions, with its report.
#[derive(Debug, Clone)]
pub struct Fit<M> {
    pub model: M,
    pub report: FitReport,
}

/// Why a fit was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FitError {
    // Not `#[from]`: that would also make the row its source, and error chains (anyhow's `{:#}`)
    // would print the row twice.
    #[error("invalid input: {0}")]
    InvalidRow(DataError),
    #[error("no customers to fit (empty input or all weights zero)")]
    Empty,
    #[error(
        "too few repeat buyers: found {found}, need at least {needed} customers with a repeat purchase to estimate purchase and dropout rates"
    )]
    TooFewRepeatBuyers { found: usize, needed: usize },
    #[error(
        "every customer has zero repeat purchases (x = 0): the purchase rate cannot be estimated"
    )]
    AllZeroFrequency,
    #[error("every customer has tenure T = 0: nobody was observed for any time")]
    AllZeroTenure,
    #[error("too few observations: {0}")]
    TooFewObservations(String),
    #[error("invalid option: {0}")]
    InvalidOption(String),
    #[error("the log-likelihood is not finite at any starting point ({starts} tried)")]
    NonFiniteLikelihood { starts: usize },
    /// The optimiser stopped short of its tolerance: parameters it reached are no estimate, and a
    /// model built on them would forecast nonsense (Gamma-Gamma "fits" p = 1.8e303 on spend that
    /// never varies), so the fit is refused with where it stopped.
    #[error("{} did not converge ({}): {note}; its parameters are not used", model.name(), describe_params(params))]
    NotConverged {
        model: ModelKind,
        note: String,
        params: Vec<(&'static str, f64)>,
    },
    /// Every repeat buyer's purchases average the same value: a spend model has nothing to
    /// estimate (its likelihood grows without bound as the spread shrinks to zero). The expected
    /// spend of every customer is that value.
    #[error(
        "every repeat buyer's purchases average {value}: spend does not vary, so there is nothing to fit and the expected spend per purchase is {value}"
    )]
    ConstantSpend { value: f64 },
}

/// `p = 1.2, q = 3.4e108` for an error message.
fn describe_params(params: &[(&'static str, f64)]) -> String {
    params
        .iter()
        .map(|(n, v)| format!("{n} = {v:.4e}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<DataError> for FitError {
    fn from(e: DataError) -> FitError {
        FitError::InvalidRow(e)
    }
}

/// Parameters a model cannot be built from.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("parameter {name} = {value} must be finite and positive")]
pub struct ParamError {
    pub name: &'static str,
    pub value: f64,
}

pub(crate) fn check_positive(names: &[&'static str], values: &[f64]) -> Result<(), ParamError> {
    for (n, v) in names.iter().zip(values) {
        if !(v.is_finite() && *v > 0.0) {
            return Err(ParamError { name: n, value: *v });
        }
    }
    Ok(())
}

pub(crate) fn check_options(opts: &FitOptions) -> Result<(), FitError> {
    if !(opts.penalty.is_finite() && opts.penalty >= 0.0) {
        return Err(FitError::InvalidOption(format!(
            "penalty must be finite and non-negative, got {}",
            opts.penalty
        )));
    }
    if !(opts.gradient_tolerance.is_finite() && opts.gradient_tolerance > 0.0) {
        return Err(FitError::InvalidOption(
            "gradient tolerance must be positive".into(),
        ));
    }
    Ok(())
}

/// Summed (weighted) log-likelihood at natural parameters, with its gradient with respect to them
/// written into the slice.
pub(crate) type LogLikelihoodGradient<'a> = &'a dyn Fn(&[f64], &mut [f64]) -> f64;

/// Hessian of the summed (weighted) log-likelihood at natural parameters, row-major `n×n`.
pub(crate) type LogLikelihoodHessian<'a> = &'a dyn Fn(&[f64]) -> Vec<f64>;

/// What a model hands the driver.
pub(crate) struct Problem<'a> {
    pub kind: ModelKind,
    pub names: &'static [&'static str],
    /// Summed (weighted) log-likelihood at natural parameters; may return NaN/∞ where undefined.
    pub log_likelihood: &'a dyn Fn(&[f64]) -> f64,
    /// The same with its analytic gradient, when the model has one: the fit then runs BFGS on it
    /// and the standard errors come from differences of the gradient.
    pub gradient: Option<LogLikelihoodGradient<'a>>,
    /// Whether `gradient` is exact (analytic) rather than a finite difference: only then are the
    /// standard errors taken from differences of it (a difference of differences is too noisy).
    pub analytic_gradient: bool,
    /// The analytic Hessian, when the model has one: the standard errors then come from it (one
    /// pass over the data) instead of from differences of the gradient (2n passes).
    pub hessian: Option<LogLikelihoodHessian<'a>>,
    /// Built-in starting points, natural parameters.
    pub starts: Vec<Vec<f64>>,
    /// A fit of a subsample of the same data, tried first.
    pub warm: Option<WarmStart>,
    pub n_customers: f64,
    pub n_unique: usize,
}

/// Where a fit on a subsample ended: the log-parameters and the inverse Hessian of the objective
/// there. The full fit starts at that point with that curvature, so its quasi-Newton steps are
/// nearly Newton steps from the first (from the identity, BFGS spends a dozen evaluations of the
/// full likelihood learning what the subsample already knew).
#[derive(Debug, Clone)]
pub(crate) struct WarmStart {
    theta: Vec<f64>,
    inverse_hessian: Vec<f64>,
}

/// Unique rows above which a fit first runs on a subsample to find a good start.
pub(crate) const SUBSAMPLE_ABOVE: usize = 40_000;

/// Every k-th of the (sorted) unique rows, about 5 % of them and at least 20,000, with weights
/// scaled so that they add up to the same number of customers: a deterministic subsample that
/// spans the whole range of x, t_x and T. `None` when the data are small enough to fit directly.
pub(crate) fn subsample<T: Copy>(rows: &[(T, f64)]) -> Option<Vec<(T, f64)>> {
    if rows.len() <= SUBSAMPLE_ABOVE {
        return None;
    }
    let target = (rows.len() / 20).max(20_000);
    let stride = rows.len().div_ceil(target);
    let sub: Vec<(T, f64)> = rows.iter().step_by(stride).copied().collect();
    let total: f64 = rows.iter().map(|(_, w)| w).sum();
    let part: f64 = sub.iter().map(|(_, w)| w).sum();
    let scale = total / part;
    (part > 0.0 && scale.is_finite())
        .then(|| sub.into_iter().map(|(r, w)| (r, w * scale)).collect())
}

/// Which fit a model's solver is asked for: the loose one on a subsample, or the full one.
pub(crate) enum Step {
    Subsample,
    Full(Option<WarmStart>),
}

/// What a solver returns for its [`Step`].
pub(crate) enum Solved {
    Warm(Option<WarmStart>),
    Fitted(Vec<f64>, FitReport),
}

/// Runs `problem` as `step` asks: [`warm_start`] on a subsample, [`run`] on the full data from
/// the warm start (when there is one).
pub(crate) fn solve(
    mut problem: Problem<'_>,
    opts: &FitOptions,
    step: Step,
) -> Result<Solved, FitError> {
    match step {
        Step::Subsample => Ok(Solved::Warm(warm_start(problem, opts))),
        Step::Full(warm) => {
            problem.warm = warm;
            run(problem, opts).map(|(params, report)| Solved::Fitted(params, report))
        }
    }
}

/// Fits `rows` with `solver` (which builds the model's [`Problem`] on the rows it is given and
/// hands it to [`solve`]): on a [`subsample`] first when the rows are many, then on all of them
/// from where the subsample's fit ended.
pub(crate) fn fit_from_subsample<T: Copy>(
    rows: &[(T, f64)],
    solver: impl Fn(&[(T, f64)], Step) -> Result<Solved, FitError>,
) -> Result<(Vec<f64>, FitReport), FitError> {
    let warm = subsample(rows).and_then(|sub| match solver(&sub, Step::Subsample) {
        Ok(Solved::Warm(warm)) => warm,
        _ => None,
    });
    match solver(rows, Step::Full(warm))? {
        Solved::Fitted(params, report) => Ok((params, report)),
        Solved::Warm(_) => Err(FitError::NonFiniteLikelihood { starts: 0 }),
    }
}

/// Where a (subsample) problem fits to at a loose tolerance: a start for the full fit. The
/// inverse Hessian is the objective's own, by differences of an analytic gradient, when it is
/// positive definite; otherwise BFGS's estimate.
fn warm_start(problem: Problem<'_>, opts: &FitOptions) -> Option<WarmStart> {
    let loose = FitOptions {
        gradient_tolerance: opts.gradient_tolerance.max(1e-5),
        ..opts.clone()
    };
    let min = minimize(&problem, &loose).ok()?;
    let exact = problem.analytic_gradient.then(|| {
        let gradient = objective_gradient(&problem, opts);
        optimize::hessian_from_gradient_fixed_step(&gradient, &min.theta, 1e-5)
            .and_then(|h| optimize::inverse_spd(&h))
            .ok()
    });
    Some(WarmStart {
        inverse_hessian: exact.flatten().unwrap_or(min.inverse_hessian),
        theta: min.theta,
    })
}

/// The objective `−LL/N + penalty·Σθ²` over θ = ln(params). Non-finite values become +∞, which
/// the line searches reject.
fn objective<'p>(problem: &'p Problem<'_>, opts: &'p FitOptions) -> impl Fn(&[f64]) -> f64 + 'p {
    let (n, ll) = (problem.n_customers, problem.log_likelihood);
    move |theta: &[f64]| -> f64 {
        let mut nat = [0.0f64; 8];
        for (k, t) in theta.iter().enumerate() {
            nat[k] = t.exp();
        }
        let v =
            -ll(&nat[..theta.len()]) / n + opts.penalty * theta.iter().map(|t| t * t).sum::<f64>();
        if v.is_finite() { v } else { f64::INFINITY }
    }
}

/// [`objective`] with its gradient written into the slice (NaN when the problem has no
/// gradient).
fn objective_gradient<'p>(
    problem: &'p Problem<'_>,
    opts: &'p FitOptions,
) -> impl Fn(&[f64], &mut [f64]) -> f64 + 'p {
    let n = problem.n_customers;
    move |theta: &[f64], g: &mut [f64]| -> f64 {
        let mut nat = [0.0f64; 8];
        for (k, t) in theta.iter().enumerate() {
            nat[k] = t.exp();
        }
        let nat = &nat[..theta.len()];
        let Some(lg) = problem.gradient else {
            return f64::NAN;
        };
        let v = lg(nat, g);
        for k in 0..theta.len() {
            g[k] = -g[k] * nat[k] / n + 2.0 * opts.penalty * theta[k];
        }
        let v = -v / n + opts.penalty * theta.iter().map(|t| t * t).sum::<f64>();
        if v.is_finite() { v } else { f64::INFINITY }
    }
}

/// Minimises `−LL/N + penalty·Σθ²` over θ = ln(params): BFGS on the analytic gradient when the
/// model has one, falling back to Nelder–Mead then BFGS (central differences) when no start
/// converges or there is no analytic gradient. A warm start is tried first, with its curvature.
fn minimize(problem: &Problem<'_>, opts: &FitOptions) -> Result<optimize::Minimum, FitError> {
    check_options(opts)?;
    let dim = problem.names.len();
    let (objective, objective_gradient) =
        (objective(problem, opts), objective_gradient(problem, opts));
    let mut starts: Vec<Vec<f64>> = Vec::new();
    let warm = problem
        .warm
        .as_ref()
        .filter(|w| w.theta.len() == dim && w.theta.iter().all(|t| t.is_finite()));
    if let Some(w) = warm {
        starts.push(w.theta.clone());
    }
    for s in opts.starts.iter().chain(problem.starts.iter()) {
        if s.len() == dim && s.iter().all(|v| v.is_finite() && *v > 0.0) {
            starts.push(s.iter().map(|v| v.ln()).collect());
        }
    }
    let settings = Settings {
        max_iterations: opts.max_iterations,
        gradient_tolerance: opts.gradient_tolerance,
    };
    let tried = starts.len();
    if problem.gradient.is_none() {
        return optimize::minimize(&objective, &starts, &settings)
            .ok_or(FitError::NonFiniteLikelihood { starts: tried });
    }
    let fast = optimize::minimize_with_gradient(
        &objective_gradient,
        &starts,
        warm.map(|w| w.inverse_hessian.as_slice()),
        &settings,
    );
    if let Some(m) = fast.as_ref().filter(|m| m.converged) {
        return Ok(m.clone());
    }
    // The robust path: Nelder–Mead from the best point found and every start, then BFGS.
    let mut fallback_starts = Vec::with_capacity(starts.len() + 1);
    if let Some(m) = &fast {
        fallback_starts.push(m.theta.clone());
    }
    fallback_starts.extend(starts);
    let mut min = optimize::minimize(&objective, &fallback_starts, &settings)
        .or(fast.clone())
        .ok_or(FitError::NonFiniteLikelihood { starts: tried })?;
    min.iterations += fast.map_or(0, |m| m.iterations);
    Ok(min)
}

/// Fits by minimising `−LL/N + penalty·Σθ²` over θ = ln(params), then computes standard errors.
pub(crate) fn run(
    problem: Problem<'_>,
    opts: &FitOptions,
) -> Result<(Vec<f64>, FitReport), FitError> {
    let min = minimize(&problem, opts)?;
    if !min.converged {
        return Err(FitError::NotConverged {
            model: problem.kind,
            note: min
                .note
                .clone()
                .unwrap_or_else(|| "the gradient stayed above the tolerance".into()),
            params: problem
                .names
                .iter()
                .copied()
                .zip(min.theta.iter().map(|t| t.exp()))
                .collect(),
        });
    }
    let n = problem.n_customers;
    let dim = problem.names.len();
    let ll = problem.log_likelihood;
    let params: Vec<f64> = min.theta.iter().map(|t| t.exp()).collect();
    // Standard errors from the Hessian of the total penalised negative log-likelihood in natural
    // parameters (the penalty, written on ln θ, is part of what was maximised).
    let total = |nat: &[f64]| -> f64 {
        let pen: f64 = nat.iter().map(|v| v.ln().powi(2)).sum();
        -ll(nat) + n * opts.penalty * pen
    };
    let total_gradient = |nat: &[f64], g: &mut [f64]| -> f64 {
        let Some(lg) = problem.gradient else {
            return f64::NAN;
        };
        let v = lg(nat, g);
        for k in 0..nat.len() {
            g[k] = -g[k] + n * opts.penalty * 2.0 * nat[k].ln() / nat[k];
        }
        -v + n * opts.penalty * nat.iter().map(|v| v.ln().powi(2)).sum::<f64>()
    };
    let hessian = if let Some(lh) = problem.hessian {
        // d²/dv² of the penalty n·c·(ln v)² is n·c·(2 − 2 ln v)/v².
        let mut h: Vec<f64> = lh(&params).iter().map(|v| -v).collect();
        for (k, v) in params.iter().enumerate() {
            h[k * dim + k] += n * opts.penalty * (2.0 - 2.0 * v.ln()) / (v * v);
        }
        if h.len() == dim * dim && h.iter().all(|v| v.is_finite()) {
            Ok(h)
        } else {
            Err(optimize::HESSIAN_NOT_FINITE.into())
        }
    } else if problem.gradient.is_some() && problem.analytic_gradient {
        optimize::hessian_from_gradient(&total_gradient, &params)
    } else {
        optimize::hessian(&total, &params)
    };
    let (std_errors, note) = match hessian.and_then(|h| optimize::inverse_spd(&h)) {
        Ok(cov) => {
            let se = (0..dim)
                .map(|i| {
                    let v = cov[i * dim + i];
                    (
                        problem.names[i],
                        if v.is_finite() && v > 0.0 {
                            Some(v.sqrt())
                        } else {
                            None
                        },
                    )
                })
                .collect();
            (se, None)
        }
        Err(reason) => (
            problem.names.iter().map(|n| (*n, None)).collect(),
            Some(reason),
        ),
    };
    let log_likelihood = ll(&params);
    let report = FitReport {
        model: problem.kind,
        params: problem
            .names
            .iter()
            .copied()
            .zip(params.iter().copied())
            .collect(),
        log_likelihood,
        converged: min.converged,
        convergence_note: min.note,
        iterations: min.iterations,
        gradient_norm: min.gradient_norm,
        std_errors,
        std_error_note: note,
        n_customers: n,
        n_unique: problem.n_unique,
    };
    Ok((params, report))
}
