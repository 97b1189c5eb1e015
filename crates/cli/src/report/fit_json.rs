//! The JSON of a model fit (the documented `models fit` output, and `analyze`'s model section)
//! and of its holdout validation.

use clientele_app::models::Holdout;
use clientele_models::FitReport;
use serde_json::{Map, Value, json};

/// The JSON object of a fit report.
pub fn report_json(code: &str, report: &FitReport, time_unit: Option<&str>) -> Value {
    let mut params = Map::new();
    for (name, v) in &report.params {
        params.insert((*name).to_string(), json!(v));
    }
    let mut errors = Map::new();
    for (name, v) in &report.std_errors {
        errors.insert((*name).to_string(), json!(v));
    }
    let mut out = json!({
        "model": code,
        "params": params,
        "log_likelihood": report.log_likelihood,
        "converged": report.converged,
        "iterations": report.iterations,
        "gradient_norm": report.gradient_norm,
        "std_errors": errors,
        "customers": report.n_customers,
        "unique_rows": report.n_unique,
    });
    let obj = out.as_object_mut().expect("an object");
    if let Some(unit) = time_unit {
        obj.insert("time_unit".into(), json!(unit));
    }
    if let Some(note) = &report.convergence_note {
        obj.insert("convergence_note".into(), json!(note));
    }
    if let Some(note) = &report.std_error_note {
        obj.insert("std_error_note".into(), json!(note));
    }
    out
}

/// The aggregate errors of a holdout validation (`models fit --calibration-end`'s `holdout`).
pub fn holdout_json(h: &Holdout) -> Value {
    let groups: Vec<Value> = h
        .by_calibration_frequency
        .iter()
        .map(|g| {
            json!({
                "calibration_frequency": g.label,
                "customers": g.customers,
                "actual_mean": g.actual_mean,
                "predicted_mean": g.predicted_mean,
            })
        })
        .collect();
    json!({
        "calibration_end": h.calibration_end.to_string(),
        "holdout_end": h.holdout_end.to_string(),
        "holdout_length": h.holdout_length,
        "customers": h.customers,
        "actual_purchases": h.actual_purchases,
        "predicted_purchases": h.predicted_purchases,
        "aggregate_error_percent": h.aggregate_error_percent,
        "mean_absolute_error": h.mean_absolute_error,
        "root_mean_squared_error": h.root_mean_squared_error,
        "correlation": h.correlation,
        "by_calibration_frequency": groups,
    })
}
