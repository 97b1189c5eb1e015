//! Calibration/holdout validation of a fitted transaction model: forecast errors per customer and
//! in aggregate, and the numbers behind the five standard diagnostic charts (drawing them is the
//! caller's).

use std::collections::BTreeMap;

use clientele_core::Day;
use clientele_models::{TransactionModel, Triple};
use rand::SeedableRng;

use crate::calibration::CustomerRow;

/// Calibration frequencies 0..CAP−1 get their own group; CAP and above share one.
pub const FREQUENCY_GROUPS: usize = 8;
/// Draws per customer in the period-transactions simulation (fixed seed: reproducible charts).
pub const SIMULATION_DRAWS: u32 = 5;

/// The label of frequency group `k`: its number, the last one with a `+`.
pub fn group_label(k: usize) -> String {
    if k + 1 == FREQUENCY_GROUPS {
        format!("{k}+")
    } else {
        k.to_string()
    }
}

/// How the forecast over the holdout compares with what happened.
#[derive(Clone, Debug, PartialEq)]
pub struct Holdout {
    pub calibration_end: Day,
    pub holdout_end: Day,
    /// In the time unit.
    pub holdout_length: f64,
    pub customers: usize,
    pub actual_purchases: f64,
    pub predicted_purchases: f64,
    /// `None` when no one bought in the holdout.
    pub aggregate_error_percent: Option<f64>,
    pub mean_absolute_error: f64,
    pub root_mean_squared_error: f64,
    /// Pearson's, `None` when either side is constant.
    pub correlation: Option<f64>,
    /// The groups of customers by calibration frequency that have anyone in them.
    pub by_calibration_frequency: Vec<FrequencyGroup>,
    /// With details asked for: per customer, and the charts' numbers.
    pub details: Option<HoldoutDetails>,
}

/// The customers with a number of repeat purchases in the calibration period.
#[derive(Clone, Debug, PartialEq)]
pub struct FrequencyGroup {
    /// `0`, `1`, ... `7+`.
    pub label: String,
    pub customers: f64,
    /// Mean purchases per customer in the holdout, observed and predicted.
    pub actual_mean: f64,
    pub predicted_mean: f64,
}

/// Each customer's figures (in the order of the rows validated) and the charts' numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct HoldoutDetails {
    pub customers: Vec<HoldoutCustomer>,
    pub period_transactions: PeriodTransactions,
    pub expected_purchases: FrequencyRecencyMatrix,
    pub p_alive: FrequencyRecencyMatrix,
    /// `None` without first purchase days (a summary file).
    pub tracking: Option<Tracking>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HoldoutCustomer {
    pub p_alive: f64,
    pub actual: f64,
    pub predicted: f64,
}

/// Customers by repeat purchases in the calibration period, observed and simulated from the
/// fitted model with each customer's own observation time ([`SIMULATION_DRAWS`] draws each).
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodTransactions {
    /// Per frequency group (see [`group_label`]).
    pub actual: Vec<f64>,
    pub simulated: Vec<f64>,
}

/// A model prediction by repeat purchases (rows, highest first) and recency (columns).
#[derive(Clone, Debug, PartialEq)]
pub struct FrequencyRecencyMatrix {
    /// The horizon of expected purchases, in the time unit.
    pub horizon: f64,
    /// The longest observation time T among the customers, in the time unit.
    pub tenure: f64,
    /// The recencies of the columns.
    pub recencies: Vec<f64>,
    /// The repeat purchases of the rows, highest first.
    pub frequencies: Vec<usize>,
    pub values: Vec<Vec<f64>>,
}

/// Weekly cumulative repeat purchases since the first purchase day, observed and expected.
#[derive(Clone, Debug, PartialEq)]
pub struct Tracking {
    pub start: Day,
    /// (week, cumulative repeat purchases).
    pub observed: Vec<(f64, f64)>,
    pub expected: Vec<(f64, f64)>,
    /// The calibration end, in weeks since `start`.
    pub calibration_end_week: f64,
}

/// Validates `model` on the holdout (cal_end, end] of `rows`; with `details`, also each
/// customer's figures and the charts' numbers.
pub fn validate(
    model: &TransactionModel,
    rows: &[CustomerRow],
    cal_end: Day,
    end: Day,
    unit_days: f64,
    details: bool,
) -> Holdout {
    let h = f64::from(end.days_since(cal_end)) / unit_days;
    let predicted: Vec<f64> = rows
        .iter()
        .map(|r| model.expected_purchases(&r.triple, h))
        .collect();
    let actual: Vec<f64> = rows.iter().map(|r| r.holdout.unwrap_or(0.0)).collect();
    let n = rows.len() as f64;
    let total_actual: f64 = actual.iter().sum();
    let total_predicted: f64 = predicted.iter().sum();
    let mae = actual
        .iter()
        .zip(&predicted)
        .map(|(a, p)| (a - p).abs())
        .sum::<f64>()
        / n;
    let rmse = (actual
        .iter()
        .zip(&predicted)
        .map(|(a, p)| (a - p).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    let correlation = pearson(&actual, &predicted);

    let mut by_frequency = [(0.0, 0.0, 0.0); FREQUENCY_GROUPS];
    for ((r, a), p) in rows.iter().zip(&actual).zip(&predicted) {
        let g = (r.triple.x as usize).min(FREQUENCY_GROUPS - 1);
        by_frequency[g].0 += 1.0;
        by_frequency[g].1 += a;
        by_frequency[g].2 += p;
    }
    let groups: Vec<FrequencyGroup> = by_frequency
        .iter()
        .enumerate()
        .filter(|(_, g)| g.0 > 0.0)
        .map(|(k, g)| FrequencyGroup {
            label: group_label(k),
            customers: g.0,
            actual_mean: g.1 / g.0,
            predicted_mean: g.2 / g.0,
        })
        .collect();

    let details = details.then(|| HoldoutDetails {
        customers: rows
            .iter()
            .zip(&actual)
            .zip(&predicted)
            .map(|((r, &actual), &predicted)| HoldoutCustomer {
                p_alive: model.p_alive(&r.triple),
                actual,
                predicted,
            })
            .collect(),
        period_transactions: period_transactions(model, rows),
        expected_purchases: matrix(model, rows, h, Matrix::ExpectedPurchases),
        p_alive: matrix(model, rows, h, Matrix::PAlive),
        tracking: tracking(model, rows, cal_end, end, unit_days),
    });

    Holdout {
        calibration_end: cal_end,
        holdout_end: end,
        holdout_length: h,
        customers: rows.len(),
        actual_purchases: total_actual,
        predicted_purchases: total_predicted,
        aggregate_error_percent: (total_actual > 0.0)
            .then(|| 100.0 * (total_predicted - total_actual) / total_actual),
        mean_absolute_error: mae,
        root_mean_squared_error: rmse,
        correlation,
        by_calibration_frequency: groups,
        details,
    }
}

/// Pearson correlation, `None` when either side is constant.
fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    (saa > 0.0 && sbb > 0.0).then(|| sab / (saa * sbb).sqrt())
}

fn period_transactions(model: &TransactionModel, rows: &[CustomerRow]) -> PeriodTransactions {
    let mut actual = vec![0.0; FREQUENCY_GROUPS];
    let mut simulated = vec![0.0; FREQUENCY_GROUPS];
    let mut rng = rand::rngs::StdRng::seed_from_u64(20_050_101);
    for r in rows {
        actual[(r.triple.x as usize).min(FREQUENCY_GROUPS - 1)] += 1.0;
        for _ in 0..SIMULATION_DRAWS {
            let x = simulate_repeat_purchases(model, r.triple.t, &mut rng) as usize;
            simulated[x.min(FREQUENCY_GROUPS - 1)] += 1.0 / f64::from(SIMULATION_DRAWS);
        }
    }
    PeriodTransactions { actual, simulated }
}

enum Matrix {
    ExpectedPurchases,
    PAlive,
}

fn matrix(
    model: &TransactionModel,
    rows: &[CustomerRow],
    h: f64,
    which: Matrix,
) -> FrequencyRecencyMatrix {
    let t = rows.iter().map(|r| r.triple.t).fold(0.0f64, f64::max);
    let max_x = rows
        .iter()
        .map(|r| r.triple.x)
        .fold(0.0f64, f64::max)
        .min(30.0) as usize;
    const RECENCY_STEPS: usize = 20;
    let recencies: Vec<f64> = (0..=RECENCY_STEPS)
        .map(|k| t * k as f64 / RECENCY_STEPS as f64)
        .collect();
    // Highest frequency on top, as the classic plot has it.
    let frequencies: Vec<usize> = (0..=max_x).rev().collect();
    let values: Vec<Vec<f64>> = frequencies
        .iter()
        .map(|&x| {
            recencies
                .iter()
                .map(|&t_x| {
                    // A customer with no repeat purchase has recency 0 by definition.
                    let t_x = if x == 0 { 0.0 } else { t_x };
                    let c = Triple::new(x as f64, t_x, t);
                    match which {
                        Matrix::ExpectedPurchases => model.expected_purchases(&c, h),
                        Matrix::PAlive => model.p_alive(&c),
                    }
                })
                .collect()
        })
        .collect();
    FrequencyRecencyMatrix {
        horizon: h,
        tenure: t,
        recencies,
        frequencies,
        values,
    }
}

/// Weekly cumulative repeat purchases, observed and expected: the model's expectation for a
/// customer acquired on day s is E[X(d − s)], summed over customers grouped by first day.
fn tracking(
    model: &TransactionModel,
    rows: &[CustomerRow],
    cal_end: Day,
    end: Day,
    unit_days: f64,
) -> Option<Tracking> {
    let mut firsts: BTreeMap<Day, f64> = BTreeMap::new();
    let mut repeats: Vec<Day> = Vec::new();
    for r in rows {
        if let Some(f) = r.first_purchase {
            *firsts.entry(f).or_default() += 1.0;
        }
        repeats.extend(&r.repeat_days);
    }
    repeats.sort_unstable();
    let (&start, _) = firsts.iter().next()?;
    let weeks = (end.days_since(start) + 6) / 7;
    let mut observed = Vec::new();
    let mut expected = Vec::new();
    for w in 0..=weeks {
        let day = start.plus_days((w * 7).min(end.days_since(start)));
        let count = repeats.partition_point(|&d| d <= day) as f64;
        let model_count: f64 = firsts
            .range(..=day)
            .map(|(&f, &n)| {
                n * model.expected_purchases_new(f64::from(day.days_since(f)) / unit_days)
            })
            .sum();
        observed.push((f64::from(w), count));
        expected.push((f64::from(w), model_count));
    }
    Some(Tracking {
        start,
        observed,
        expected,
        calibration_end_week: f64::from(cal_end.days_since(start)) / 7.0,
    })
}

/// Repeat purchases in (0, t] of one customer drawn from the fitted population: the model-side
/// counterpart of an observed frequency, for the period-transactions check.
pub fn simulate_repeat_purchases(
    model: &TransactionModel,
    t: f64,
    rng: &mut impl rand::Rng,
) -> u32 {
    use rand_distr::{Beta, Distribution, Exp1, Gamma};
    let gamma = |shape: f64, rate: f64, rng: &mut dyn rand::RngCore| {
        Gamma::new(shape, 1.0 / rate).map_or(0.0, |g| g.sample(rng))
    };
    let beta = |a: f64, b: f64, rng: &mut dyn rand::RngCore| {
        Beta::new(a, b).map_or(1.0, |d| d.sample(rng))
    };
    // Waiting times of a Poisson process with rate `lambda`.
    let next_gap = |lambda: f64, rng: &mut dyn rand::RngCore| {
        let e: f64 = Exp1.sample(rng);
        if lambda > 0.0 {
            e / lambda
        } else {
            f64::INFINITY
        }
    };
    match model {
        TransactionModel::BgNbd(m) => {
            let p = m.params();
            let lambda = gamma(p.r, p.alpha, rng);
            let drop = beta(p.a, p.b, rng);
            bg_count(lambda, drop, false, t, rng, next_gap)
        }
        TransactionModel::MbgNbd(m) => {
            let p = m.params();
            let lambda = gamma(p.r, p.alpha, rng);
            let drop = beta(p.a, p.b, rng);
            bg_count(lambda, drop, true, t, rng, next_gap)
        }
        TransactionModel::ParetoNbd(m) => {
            let p = m.params();
            let lambda = gamma(p.r, p.alpha, rng);
            let mu = gamma(p.s, p.beta, rng);
            let lifetime = next_gap(mu, rng);
            let (mut clock, mut count) = (0.0, 0u32);
            loop {
                clock += next_gap(lambda, rng);
                if clock > t.min(lifetime) || count == u32::MAX {
                    return count;
                }
                count += 1;
            }
        }
    }
}

/// BG/NBD-style counting: after each purchase (and, for MBG/NBD, right after the first one) the
/// customer drops out with probability `drop`.
fn bg_count(
    lambda: f64,
    drop: f64,
    drop_at_start: bool,
    t: f64,
    rng: &mut impl rand::Rng,
    next_gap: impl Fn(f64, &mut dyn rand::RngCore) -> f64,
) -> u32 {
    if drop_at_start && rng.random::<f64>() < drop {
        return 0;
    }
    let (mut clock, mut count) = (0.0, 0u32);
    loop {
        clock += next_gap(lambda, rng);
        if clock > t || count == u32::MAX {
            return count;
        }
        count += 1;
        if rng.random::<f64>() < drop {
            return count;
        }
    }
}
