//! What the `models` use cases are asked: which model, on which data, in which time unit, with
//! which penalty, calibration end and forecast.

use std::path::PathBuf;

use clientele_core::Day;
use clientele_ingest::pipeline::ImportOptions;
use clientele_models::{FitOptions, TransactionKind};

use crate::setting::InvalidSetting;

/// The unit of `t_x`, `T` and horizons.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeUnit {
    #[default]
    Day,
    Week,
}

impl TimeUnit {
    /// Days per unit.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Day => 1.0,
            TimeUnit::Week => 7.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Day => "day",
            TimeUnit::Week => "week",
        }
    }
}

/// The customer-base models.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// A continuous-time transaction model: BG/NBD, MBG/NBD or Pareto/NBD.
    Transaction(TransactionKind),
    /// BG/BB (Fader, Hardie & Shang 2010): discrete transaction opportunities.
    BgBb,
    /// Gamma-Gamma spend per purchase (Fader, Hardie & Lee 2005).
    GammaGamma,
    /// Shifted-beta-geometric retention of contracts (Fader & Hardie 2007).
    Sbg,
}

impl Model {
    /// The model's code: `bgnbd`, `mbgnbd`, `pnbd`, `bgbb`, `gg`, `sbg`.
    pub fn code(self) -> &'static str {
        match self {
            Model::Transaction(kind) => kind.code(),
            Model::BgBb => "bgbb",
            Model::GammaGamma => "gg",
            Model::Sbg => "sbg",
        }
    }
}

/// Where a model's data comes from.
#[derive(Clone, Debug)]
pub enum ModelSource {
    /// A per-customer summary file in the settings' time unit (see
    /// `clientele_ingest::summary_file`); `decimal` is the decimal mark when it is known.
    Summary { path: PathBuf, decimal: Option<u8> },
    /// Order exports, read as `analyze` reads them.
    Orders {
        paths: Vec<PathBuf>,
        import: ImportOptions,
    },
}

/// The data and the fit.
#[derive(Clone, Debug)]
pub struct ModelSettings {
    pub model: Model,
    pub source: ModelSource,
    /// For order exports the summary is computed in it; a summary file is in it.
    pub time_unit: TimeUnit,
    /// L2 penalty on the log-parameters (lifetimes' penalizer_coef); 0 is plain maximum
    /// likelihood.
    pub penalty: f64,
    /// With order exports: fit on the orders up to this day; the later ones are the holdout.
    pub calibration_end: Option<Day>,
}

impl ModelSettings {
    /// The fit's options; refuses a penalty that is not a number ≥ 0.
    pub fn fit_options(&self) -> Result<FitOptions, InvalidSetting> {
        if !(self.penalty.is_finite() && self.penalty >= 0.0) {
            return Err(InvalidSetting::value(
                "penalty",
                self.penalty,
                "expected a number ≥ 0",
            ));
        }
        Ok(FitOptions {
            penalty: self.penalty,
            ..FitOptions::default()
        })
    }
}

/// The forecast of `models score`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ForecastHorizon {
    /// In the time unit (periods for BG/BB).
    pub horizon: f64,
    /// Annual discount rate for CLV.
    pub discount_rate: f64,
    /// Profit margin (a fraction of revenue) for CLV on profit.
    pub margin: Option<f64>,
}

impl ForecastHorizon {
    /// Checks the horizon (BG/BB: periods ≥ 0; the others: at most a century), the discount rate
    /// and the margin; the answer is a note to show when CLV's whole months differ from the
    /// horizon.
    pub fn check(&self, model: Model, unit: TimeUnit) -> Result<Option<String>, InvalidSetting> {
        // BG/BB's horizon is in periods and has no CLV; the others are checked against CLV's
        // months.
        let note = if model == Model::BgBb {
            if !(self.horizon.is_finite() && self.horizon >= 0.0) {
                return Err(InvalidSetting::value(
                    "horizon",
                    self.horizon,
                    "expected a number ≥ 0",
                ));
            }
            None
        } else {
            clientele_models::transaction::check_horizon(self.horizon, unit.days())
                .map_err(|e| InvalidSetting::value("horizon", self.horizon, e))?
        };
        crate::forecast::check_discount_rate(self.discount_rate)?;
        if let Some(m) = self
            .margin
            .filter(|m| !(m.is_finite() && (-1.0..=1.0).contains(m)))
        {
            return Err(InvalidSetting::value(
                "margin",
                m,
                "expected a fraction of revenue between -1 and 1",
            ));
        }
        Ok(note)
    }
}
