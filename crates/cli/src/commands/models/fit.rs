//! `clientele models fit`: a model's parameters as JSON, with the holdout validation (and, with
//! `--out`, its per-customer CSV and charts) when the orders were split at a calibration end.

use std::io::Write;

use anyhow::{Result, bail};
use clientele_app::models::{FitOutcome, Model, ModelData, fit, load};

use super::charts::write_holdout_files;
use super::rejects::report_rejects;
use crate::args::models::ModelFitArgs;
use crate::report::{holdout_json, report_json};

pub fn run(args: ModelFitArgs) -> Result<()> {
    let settings = args.input.settings()?;
    settings.fit_options()?;
    // `--out` is for the holdout diagnostics of a transaction model.
    if args.out.is_some()
        && settings.calibration_end.is_none()
        && matches!(settings.model, Model::Transaction(_))
    {
        bail!("--out writes the holdout diagnostics: give --calibration-end too");
    }
    let data = load(&settings, &mut report_rejects)?;
    let unit = settings.time_unit.name();
    let value = match fit(&settings, &data, args.out.is_some())? {
        FitOutcome::Transaction {
            kind,
            report,
            holdout,
        } => {
            let mut value = report_json(kind.code(), &report, Some(unit));
            if let Some(holdout) = holdout {
                if let (Some(dir), ModelData::Customers { rows, .. }) = (&args.out, &data) {
                    write_holdout_files(dir, rows, &holdout)?;
                }
                value
                    .as_object_mut()
                    .expect("an object")
                    .insert("holdout".into(), holdout_json(&holdout));
            }
            value
        }
        FitOutcome::Spend(report) => report_json("gg", &report, None),
        FitOutcome::Patterns(report) => report_json("bgbb", &report, Some("period")),
        FitOutcome::Survival(report) => report_json("sbg", &report, Some("period")),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    serde_json::to_writer_pretty(&mut out, &value)?;
    out.write_all(b"\n")?;
    Ok(())
}
