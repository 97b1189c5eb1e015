//! What the customer-base models read of a customer: the calibration triple (x, t_x, T) and the
//! spend inputs, from the customer's purchase days up to a cut-off day, in a chosen time unit.
//! Shared by `analyze`'s forecasts, the store's scoring and the `models` use cases.

use clientele_core::{CustomerSummary, Day};
use clientele_models::{SpendRow, Triple};

/// What a model needs of one customer: the calibration triple and the spend inputs. Kept apart
/// from [`CustomerRow`] so `analyze` can forecast millions of customers without copying their ids.
#[derive(Clone, Copy, Debug)]
pub struct ModelInputs {
    pub triple: Triple,
    /// Mean value of the repeat purchases (z̄), when known and positive.
    pub mean_value: Option<f64>,
    /// Profit / revenue, when the costs are known.
    pub margin: Option<f64>,
}

/// One customer's calibration summary in the chosen time unit.
#[derive(Clone, Debug)]
pub struct CustomerRow {
    pub id: String,
    pub triple: Triple,
    /// Mean value of the repeat purchases (z̄), when known and positive.
    pub mean_value: Option<f64>,
    /// Profit / revenue, when the costs are known.
    pub margin: Option<f64>,
    /// Purchase days after the calibration end (with order exports and a calibration end).
    pub holdout: Option<f64>,
    /// The first purchase day (with order exports).
    pub first_purchase: Option<Day>,
    /// Every repeat purchase day, holdout included (only with a calibration end, for tracking).
    pub repeat_days: Vec<Day>,
}

impl CustomerRow {
    pub fn inputs(&self) -> ModelInputs {
        ModelInputs {
            triple: self.triple,
            mean_value: self.mean_value,
            margin: self.margin,
        }
    }
}

/// The summary of one customer's purchase days up to `cut`, in units of `unit` days; `None` for
/// a customer whose first purchase comes later (they are not in the calibration cohort).
pub fn customer_row(
    id: &str,
    s: &CustomerSummary,
    cut: Day,
    with_holdout: bool,
    unit: f64,
) -> Option<CustomerRow> {
    let (inputs, n) = calibration(s, cut, unit)?;
    Some(CustomerRow {
        id: id.to_string(),
        triple: inputs.triple,
        mean_value: inputs.mean_value,
        margin: inputs.margin,
        holdout: with_holdout.then(|| (s.days.len() - n) as f64),
        first_purchase: s.days.first().copied(),
        repeat_days: if with_holdout {
            s.days[1..].to_vec()
        } else {
            Vec::new()
        },
    })
}

/// [`customer_row`] without the id and the holdout: what a fit and a forecast need.
pub fn model_inputs(s: &CustomerSummary, cut: Day, unit: f64) -> Option<ModelInputs> {
    calibration(s, cut, unit).map(|(inputs, _)| inputs)
}

/// The (x, t_x, T) of the purchase days up to `cut`, and how many purchase days that is.
fn calibration_triple(s: &CustomerSummary, cut: Day, unit: f64) -> Option<(Triple, usize)> {
    let first = *s.days.first()?;
    if first > cut {
        return None;
    }
    let n = s.days.partition_point(|&d| d <= cut);
    let last = s.days[n - 1];
    let triple = Triple::new(
        (n - 1) as f64,
        f64::from(last.days_since(first)) / unit,
        f64::from(cut.days_since(first)) / unit,
    );
    Some((triple, n))
}

/// The model inputs of purchases up to `cut`, and how many purchase days that is (the customer's
/// purchase days after `cut` are the rest of `s.days`); `None` for a customer whose first purchase
/// comes later.
pub fn calibration(s: &CustomerSummary, cut: Day, unit: f64) -> Option<(ModelInputs, usize)> {
    let (triple, n) = calibration_triple(s, cut, unit)?;
    let x = triple.x;
    let repeat_value = s
        .repeat_value(n)
        .expect("a calibration end before the data's end imports every day's amount")
        .to_f64();
    let mean_value = (n > 1 && repeat_value > 0.0).then(|| repeat_value / x);
    let revenue = s.revenue.to_f64();
    let margin = (s.cost_complete && revenue > 0.0).then(|| s.profit().to_f64() / revenue);
    let inputs = ModelInputs {
        triple,
        mean_value,
        margin,
    };
    Some((inputs, n))
}

/// A customer's row for the spend model: repeat buyers with a positive repeat spend, weight 1.
pub fn spend_row(r: &ModelInputs) -> Option<(SpendRow, f64)> {
    let v = r.mean_value?;
    (r.triple.x >= 1.0).then_some((
        SpendRow {
            x: r.triple.x,
            mean_value: v,
        },
        1.0,
    ))
}
