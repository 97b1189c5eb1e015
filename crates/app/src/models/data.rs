//! The data a model is fitted on, from a per-customer summary file or from order exports (cut at
//! the calibration end when there is one).

use std::path::PathBuf;

use anyhow::{Result, bail};
use clientele_core::{Day, DayAmounts};
use clientele_ingest::pipeline::{ImportOptions, OrderImport, Reject, import_orders};
use clientele_ingest::summary_file;
use clientele_models::{DiscreteTriple, Triple};
use rayon::prelude::*;

use super::settings::{Model, ModelSettings, ModelSource};
use crate::calibration::{CustomerRow, customer_row};
use crate::setting::InvalidSetting;

/// What a model is fitted on.
#[derive(Debug)]
pub enum ModelData {
    /// Continuous-time customers (BG/NBD, MBG/NBD, Pareto/NBD, Gamma-Gamma).
    Customers {
        rows: Vec<CustomerRow>,
        /// With order exports and a calibration end: it, and the end of the data (both days).
        split: Option<(Day, Day)>,
    },
    /// BG/BB patterns with weights, and an id per row (the row number when the file had none).
    Patterns(Vec<(String, DiscreteTriple, f64)>),
    /// sBG: customers alive at the start of each period, the first being the cohort size.
    Survival(Vec<f64>),
}

/// Reads the model's data; the rows an import of order exports rejected are handed to
/// `on_rejects` as soon as it is done.
pub fn load(settings: &ModelSettings, on_rejects: &mut dyn FnMut(&[Reject])) -> Result<ModelData> {
    let unit = settings.time_unit.days();
    let (paths, import) = match &settings.source {
        ModelSource::Summary { path, decimal } => {
            if settings.calibration_end.is_some() {
                return Err(InvalidSetting::new(
                    "calibration_end",
                    "needs order exports: a summary file has no dates to split",
                )
                .into());
            }
            return Ok(match settings.model {
                Model::BgBb => {
                    let rows = summary_file::read_patterns(path, *decimal)?;
                    ModelData::Patterns(
                        rows.into_iter()
                            .map(|p| {
                                let pattern = DiscreteTriple {
                                    x: p.frequency,
                                    t_x: p.recency,
                                    n: p.periods,
                                };
                                (p.id, pattern, p.weight)
                            })
                            .collect(),
                    )
                }
                Model::Sbg => ModelData::Survival(summary_file::read_survival(path, *decimal)?),
                Model::Transaction(_) | Model::GammaGamma => {
                    let check = |x, t_x, t| Triple::new(x, t_x, t).check();
                    let rows = summary_file::read_summary(path, *decimal, check)?
                        .into_iter()
                        .map(|c| CustomerRow {
                            id: c.id,
                            triple: Triple::new(c.x, c.t_x, c.t),
                            mean_value: c.mean_value,
                            margin: None,
                            holdout: None,
                            first_purchase: None,
                            repeat_days: Vec::new(),
                        })
                        .collect();
                    ModelData::Customers { rows, split: None }
                }
            });
        }
        ModelSource::Orders { paths, import } => (paths, import),
    };
    if matches!(settings.model, Model::BgBb | Model::Sbg) {
        let columns = if settings.model == Model::BgBb {
            "frequency,recency,periods,weights"
        } else {
            "period,alive"
        };
        return Err(InvalidSetting::new(
            "model",
            format!(
                "{}: order exports are continuous-time data; give a --summary file with {columns}",
                settings.model.code()
            ),
        )
        .into());
    }
    let ImportCut {
        import,
        cut,
        calibration_end: cal_end,
    } = import_cut(paths, import, settings.calibration_end, on_rejects)?;
    let end = import.as_of;
    // In parallel: one row a customer, millions of them, each with an id of its own. (Collected
    // one by one, the vector grew by doubling: 12 % of `models fit` at 10M orders was copying it
    // and faulting in the pages of each new one.)
    let rows = import
        .customers
        .par_iter()
        .filter_map(|(id, s)| customer_row(id, s, cut, cal_end.is_some(), unit))
        .collect::<Vec<_>>();
    if rows.is_empty() {
        bail!("no customer made a purchase by {cut}");
    }
    Ok(ModelData::Customers {
        rows,
        split: cal_end.map(|c| (c, end)),
    })
}

/// Order exports imported for a summary up to `cut`: the calibration end when there is one, else
/// the end of the data.
#[derive(Debug)]
pub struct ImportCut {
    pub import: OrderImport,
    pub cut: Day,
    pub calibration_end: Option<Day>,
}

/// Order exports, or order-line Parquet files (`clientele export parquet`) when the binary is
/// built with the `distributed` feature: the same summaries either way.
fn read_orders(orders: &[PathBuf], options: &ImportOptions) -> Result<OrderImport> {
    let parquet = orders.iter().any(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
    });
    if parquet {
        #[cfg(feature = "distributed")]
        return Ok(clientele_engine::parquet_in::import_order_files(
            orders, options,
        )?);
        #[cfg(not(feature = "distributed"))]
        bail!(
            "Parquet order lines need a clientele built with the `distributed` feature \
             (cargo build --release --features distributed)"
        );
    }
    Ok(import_orders(orders, options, &|_| {})?)
}

/// Imports order exports for the models, checking that a calibration end leaves a holdout; the
/// rejected rows go to `on_rejects` as soon as the import is done.
pub fn import_cut(
    orders: &[PathBuf],
    options: &ImportOptions,
    calibration_end: Option<Day>,
    on_rejects: &mut dyn FnMut(&[Reject]),
) -> Result<ImportCut> {
    let mut options = options.clone();
    if calibration_end.is_some() {
        // The spend inputs are the repeat purchases up to the calibration end, a part of the
        // purchase days that the sums alone cannot give.
        options.day_amounts = DayAmounts::Every;
    }
    let import = read_orders(orders, &options)?;
    on_rejects(&import.rejects);
    let end = import.as_of;
    if let Some(day) = calibration_end
        && day >= end
    {
        return Err(InvalidSetting::new(
            "calibration_end",
            format!("{day} leaves no holdout: the data end on {end}"),
        )
        .into());
    }
    Ok(ImportCut {
        import,
        cut: calibration_end.unwrap_or(end),
        calibration_end,
    })
}
