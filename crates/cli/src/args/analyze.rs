//! `clientele analyze`'s arguments, and their conversion into the analysis settings.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, ValueEnum};
use clientele_app::ForecastSettings;
use clientele_app::analyze::AnalyzeSettings;
use clientele_app::rules::load_rules;
use clientele_models::TransactionKind;
use clientele_server::web::i18n::Lang;

use super::common::ImportFlags;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Order exports: CSV, TSV, semicolon-separated, space-padded text or .xlsx, optionally gzipped.
    #[arg(required = true, value_name = "ORDERS")]
    pub orders: Vec<PathBuf>,
    /// Customers file: prospects, visitors and profile data (nps, referred_by, image_client,
    /// manager, birthday, last_touch).
    #[arg(long, value_name = "FILE")]
    pub customers: Option<PathBuf>,
    /// Write customers.csv, alerts.csv (late by their own rhythm) and rejects.csv here.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    /// The text report's language: en or ru (default: the locale, LC_ALL, LC_MESSAGES or LANG;
    /// Russian when it starts with "ru"). The JSON report is the same in every language.
    #[arg(long, value_enum)]
    pub lang: Option<ReportLang>,
    #[command(flatten)]
    pub import: ImportFlags,
    /// The customer-base model behind P(alive), expected purchases and CLV: mbgnbd (one-time
    /// buyers get a P(alive) below 1), bgnbd, pnbd, or none.
    #[arg(long, value_enum, default_value_t = AnalyzeModel::Mbgnbd)]
    pub model: AnalyzeModel,
    /// Forecast horizon in days for expected purchases and CLV.
    #[arg(long, default_value_t = 365)]
    pub horizon: u32,
    /// Annual discount rate for CLV.
    #[arg(long, default_value_t = 0.1)]
    pub discount_rate: f64,
    /// Ladder rules (TOML); `clientele rules` prints the defaults.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Print phase timings and peak memory to stderr.
    #[arg(long)]
    pub timings: bool,
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

/// A language of the text report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportLang {
    En,
    Ru,
}

/// The text report's language: `--lang`, else the locale.
pub fn report_lang(flag: Option<ReportLang>) -> Lang {
    match flag {
        Some(ReportLang::En) => Lang::En,
        Some(ReportLang::Ru) => Lang::Ru,
        None => locale_lang(|name| std::env::var(name).ok()),
    }
}

/// The language of the POSIX locale: the first of LC_ALL, LC_MESSAGES and LANG that is set and
/// not empty decides (as for any program's messages); Russian when it starts with `ru`.
pub fn locale_lang(var: impl Fn(&str) -> Option<String>) -> Lang {
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .into_iter()
        .filter_map(var)
        .find(|v| !v.trim().is_empty());
    match locale {
        Some(l) if l.trim().to_ascii_lowercase().starts_with("ru") => Lang::Ru,
        _ => Lang::En,
    }
}

impl AnalyzeArgs {
    /// The analysis these arguments ask for (the rules file read and checked).
    pub fn settings(&self) -> Result<AnalyzeSettings> {
        let import = self.import.options()?;
        let rules = load_rules(self.rules.as_deref())?;
        Ok(AnalyzeSettings {
            orders: self.orders.clone(),
            customers: self.customers.clone(),
            import,
            rules,
            forecast: forecast_settings(self.model, self.horizon, self.discount_rate),
        })
    }
}

/// The forecast of `--model`, `--horizon` (days) and `--discount-rate`.
pub fn forecast_settings(
    model: AnalyzeModel,
    horizon: u32,
    discount_rate: f64,
) -> ForecastSettings {
    ForecastSettings {
        kind: model.transaction_kind(),
        horizon_days: f64::from(horizon),
        annual_discount_rate: discount_rate,
    }
}

/// The transaction models `analyze` (and `score`) can run, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum AnalyzeModel {
    Bgnbd,
    Mbgnbd,
    Pnbd,
    None,
}

impl AnalyzeModel {
    pub fn transaction_kind(self) -> Option<TransactionKind> {
        match self {
            AnalyzeModel::Bgnbd => Some(TransactionKind::BgNbd),
            AnalyzeModel::Mbgnbd => Some(TransactionKind::MbgNbd),
            AnalyzeModel::Pnbd => Some(TransactionKind::ParetoNbd),
            AnalyzeModel::None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_locale_decides_unless_told() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(locale_lang(env(&[("LANG", "ru_RU.UTF-8")])), Lang::Ru);
        assert_eq!(locale_lang(env(&[("LANG", "en_US.UTF-8")])), Lang::En);
        assert_eq!(locale_lang(env(&[])), Lang::En);
        // LC_ALL overrides LANG; an empty one does not count.
        assert_eq!(
            locale_lang(env(&[("LC_ALL", "C"), ("LANG", "ru_RU.UTF-8")])),
            Lang::En
        );
        assert_eq!(
            locale_lang(env(&[("LC_ALL", ""), ("LANG", "ru_RU.UTF-8")])),
            Lang::Ru
        );
        assert_eq!(
            locale_lang(env(&[("LC_MESSAGES", "ru_UA"), ("LANG", "en_GB")])),
            Lang::Ru
        );
        assert_eq!(report_lang(Some(ReportLang::Ru)), Lang::Ru);
        assert_eq!(report_lang(Some(ReportLang::En)), Lang::En);
    }
}
