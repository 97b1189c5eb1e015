//! `clientele models`' arguments, and their conversion into the models' settings.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use clientele_app::models::{ForecastHorizon, Model, ModelSettings, ModelSource, TimeUnit};
use clientele_core::Day;
use clientele_models::TransactionKind;

use super::common::{ImportFlags, decimal_flag, parse_user_date};

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Fit a model by maximum likelihood and print its parameters as JSON.
    Fit(ModelFitArgs),
    /// Fit a model and write each customer's predictions as CSV.
    Score(ModelScoreArgs),
    /// Write the per-customer summary the models are fitted on (lifetimes' columns: frequency,
    /// recency, T, monetary_value), for `models fit --summary` or another library.
    Summary(ModelSummaryArgs),
}

/// The models `clientele models` fits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModelName {
    /// BG/NBD (Fader, Hardie & Lee 2005): one-time buyers always have P(alive) = 1.
    Bgnbd,
    /// MBG/NBD (Batislam et al. 2007): like BG/NBD, but one-time buyers can have left.
    Mbgnbd,
    /// Pareto/NBD (Schmittlein, Morrison & Colombo 1987).
    Pnbd,
    /// BG/BB (Fader, Hardie & Shang 2010): discrete transaction opportunities.
    Bgbb,
    /// Gamma-Gamma spend per purchase (Fader, Hardie & Lee 2005).
    Gg,
    /// Shifted-beta-geometric retention of contracts (Fader & Hardie 2007).
    Sbg,
}

impl From<ModelName> for Model {
    fn from(name: ModelName) -> Model {
        match name {
            ModelName::Bgnbd => Model::Transaction(TransactionKind::BgNbd),
            ModelName::Mbgnbd => Model::Transaction(TransactionKind::MbgNbd),
            ModelName::Pnbd => Model::Transaction(TransactionKind::ParetoNbd),
            ModelName::Bgbb => Model::BgBb,
            ModelName::Gg => Model::GammaGamma,
            ModelName::Sbg => Model::Sbg,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum TimeUnitArg {
    #[default]
    Day,
    Week,
}

impl From<TimeUnitArg> for TimeUnit {
    fn from(unit: TimeUnitArg) -> TimeUnit {
        match unit {
            TimeUnitArg::Day => TimeUnit::Day,
            TimeUnitArg::Week => TimeUnit::Week,
        }
    }
}

/// Where the model's data comes from: a summary file or order exports.
#[derive(Debug, Args)]
pub struct ModelInputArgs {
    #[arg(long, value_enum)]
    pub model: ModelName,
    /// A per-customer summary CSV: `x,t_x,T[,zbar]` or lifetimes-style
    /// `frequency,recency,T[,monetary_value]`, with an id column (for bgbb:
    /// `frequency,recency,periods,weights`; for sbg: `period,alive`). Times are in --time-unit.
    /// Read like exports: UTF-8 or Windows-1251, separated by `,` `;` tab or `|`, decimal point or
    /// comma (told from the values; --decimal settles it).
    #[arg(long, value_name = "FILE", conflicts_with = "orders")]
    pub summary: Option<PathBuf>,
    /// Order exports, read as `clientele analyze` reads them.
    #[arg(value_name = "ORDERS", required_unless_present = "summary")]
    pub orders: Vec<PathBuf>,
    /// Unit of t_x, T and horizons: for order exports the summary is computed in it, for a
    /// summary file it names the unit the file is in.
    #[arg(long = "time-unit", value_enum, default_value_t)]
    pub time_unit: TimeUnitArg,
    /// L2 penalty on the log-parameters (lifetimes' penalizer_coef); 0 is plain maximum likelihood.
    #[arg(long, default_value_t = 0.0)]
    pub penalty: f64,
    /// Fit on orders up to this day only (YYYY-MM-DD or DD.MM.YYYY); with order exports, the
    /// later orders are the holdout the forecast is checked against.
    #[arg(long, value_name = "DATE")]
    pub calibration_end: Option<String>,
    #[command(flatten)]
    pub import: ImportFlags,
}

impl ModelInputArgs {
    /// The data and the fit these arguments ask for.
    pub fn settings(&self) -> Result<ModelSettings> {
        let source = match &self.summary {
            Some(path) => ModelSource::Summary {
                path: path.clone(),
                decimal: decimal_flag(self.import.decimal.as_deref())?,
            },
            None => ModelSource::Orders {
                paths: self.orders.clone(),
                import: self.import.options()?,
            },
        };
        Ok(ModelSettings {
            model: self.model.into(),
            source,
            time_unit: self.time_unit.into(),
            penalty: self.penalty,
            calibration_end: calibration_end(self.calibration_end.as_deref())?,
        })
    }
}

/// `--calibration-end`, parsed.
pub fn calibration_end(text: Option<&str>) -> Result<Option<Day>> {
    text.map(|t| parse_user_date(t).context("--calibration-end"))
        .transpose()
}

#[derive(Debug, Args)]
pub struct ModelFitArgs {
    #[command(flatten)]
    pub input: ModelInputArgs,
    /// With --calibration-end: write the holdout comparison (per customer) and the diagnostic
    /// charts (SVG) into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ModelScoreArgs {
    #[command(flatten)]
    pub input: ModelInputArgs,
    /// Forecast horizon in --time-unit (periods for bgbb).
    #[arg(long)]
    pub horizon: f64,
    /// Annual discount rate for CLV.
    #[arg(long, default_value_t = 0.1)]
    pub discount_rate: f64,
    /// Profit margin (a fraction of revenue, e.g. 0.3) for a `clv_profit` column.
    #[arg(long, value_name = "FRACTION")]
    pub margin: Option<f64>,
    /// Write the CSV here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Run the per-customer work on an engine: datafusion (this machine) or
    /// ballista://HOST:PORT (a cluster started with `clientele cluster`). Reads Parquet order
    /// lines (`clientele export parquet`); other exports are converted here first.
    #[cfg(feature = "distributed")]
    #[arg(long, value_name = "ENGINE")]
    pub engine: Option<clientele_engine::Engine>,
    /// Seconds the work on the engine may take, from connecting to the last result; past them
    /// the job is cancelled on the cluster and the command fails (default: an hour).
    #[cfg(feature = "distributed")]
    #[arg(long, value_name = "SECONDS", requires = "engine",
          default_value_t = clientele_engine::DEFAULT_JOB_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=clientele_engine::MAX_JOB_TIMEOUT.as_secs()))]
    pub engine_timeout: u64,
}

impl ModelScoreArgs {
    /// The forecast these arguments ask for.
    pub fn horizon(&self) -> ForecastHorizon {
        ForecastHorizon {
            horizon: self.horizon,
            discount_rate: self.discount_rate,
            margin: self.margin,
        }
    }
}

#[derive(Debug, Args)]
pub struct ModelSummaryArgs {
    /// Order exports, read as `clientele analyze` reads them.
    #[arg(value_name = "ORDERS", required = true)]
    pub orders: Vec<PathBuf>,
    /// Unit of recency and T.
    #[arg(long = "time-unit", value_enum, default_value_t)]
    pub time_unit: TimeUnitArg,
    /// Summarise orders up to this day (YYYY-MM-DD or DD.MM.YYYY) and add each customer's
    /// purchases after it (`frequency_holdout`, over `duration_holdout`), as lifetimes'
    /// calibration_and_holdout_data does.
    #[arg(long, value_name = "DATE")]
    pub calibration_end: Option<String>,
    #[command(flatten)]
    pub import: ImportFlags,
    /// Write the CSV here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
