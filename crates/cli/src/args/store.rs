//! Arguments of the commands over the store (`import`, `score`, `transitions`, `backup`, `users`,
//! `serve`), and their conversion into the use cases' settings.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use clientele_app::import::ImportSettings;
use clientele_app::rules::load_rules;
use clientele_app::score::ScoreSettings;
use clientele_core::{Day, DayAmounts};
use clientele_ingest::pipeline::ImportOptions;

use super::analyze::{AnalyzeModel, forecast_settings};
use super::common::{DbArgs, GzipFlags, overrides, parse_user_date};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Order exports: CSV, TSV, semicolon-separated, space-padded text or .xlsx, optionally gzipped.
    #[arg(required = true, value_name = "ORDERS")]
    pub orders: Vec<PathBuf>,
    /// Customers file: names, managers, referrers, image clients, birthdays, NPS, last touches.
    #[arg(long, value_name = "FILE")]
    pub customers: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
    /// Name a column's meaning: COLUMN=FIELD (as for `analyze`).
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// Date format when it cannot be told from the data (as for `analyze`).
    #[arg(long, value_name = "FORMAT")]
    pub date_format: Option<String>,
    /// Decimal mark when it cannot be told from the data: "." or ",".
    #[arg(long, value_name = "MARK")]
    pub decimal: Option<String>,
    /// Refuse a file with any bad row (nothing of it is written) and stop.
    #[arg(long)]
    pub strict: bool,
    /// Write rejected rows (line, column, reason, raw, file) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    #[command(flatten)]
    pub gzip: GzipFlags,
}

impl ImportArgs {
    /// The import these arguments ask for.
    pub fn settings(&self) -> Result<ImportSettings> {
        Ok(ImportSettings {
            orders: self.orders.clone(),
            customers: self.customers.clone(),
            options: ImportOptions {
                overrides: overrides(
                    &self.map,
                    self.date_format.as_deref(),
                    self.decimal.as_deref(),
                )?,
                strict: self.strict,
                as_of: None,
                day_amounts: DayAmounts::FirstOnly,
                limits: self.gzip.limits(),
            },
        })
    }
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Score the state on this day (YYYY-MM-DD or DD.MM.YYYY; at most today). Default: today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Ladder rules (TOML); `clientele rules` prints the defaults.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// The customer-base model behind P(alive), expected purchases and CLV (as for `analyze`).
    #[arg(long, value_enum, default_value_t = AnalyzeModel::Mbgnbd)]
    pub model: AnalyzeModel,
    /// Forecast horizon in days for expected purchases and CLV.
    #[arg(long, default_value_t = 365)]
    pub horizon: u32,
    /// Annual discount rate for CLV.
    #[arg(long, default_value_t = 0.1)]
    pub discount_rate: f64,
    #[command(flatten)]
    pub db: DbArgs,
}

impl ScoreArgs {
    /// The scoring these arguments ask for (the rules file read and checked).
    pub fn settings(&self) -> Result<ScoreSettings> {
        let rules = load_rules(self.rules.as_deref())?;
        let as_of = self.as_of.as_deref().map(parse_user_date).transpose()?;
        Ok(ScoreSettings {
            as_of,
            rules,
            forecast: forecast_settings(self.model, self.horizon, self.discount_rate),
        })
    }
}

#[derive(Debug, Args)]
pub struct TransitionsArgs {
    /// Earlier snapshot day. Default: the second-latest snapshot.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Later snapshot day. Default: the latest snapshot.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

impl TransitionsArgs {
    /// `--from` and `--to`, parsed.
    pub fn days(&self) -> Result<(Option<Day>, Option<Day>)> {
        let from = self.from.as_deref().map(parse_user_date).transpose()?;
        let to = self.to.as_deref().map(parse_user_date).transpose()?;
        Ok((from, to))
    }
}

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The backup file to create (must not exist).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user and print a new API token (shown once) as the last line.
    Add(UsersAddArgs),
    /// Set a user's password for browser sign-in, read from standard input.
    Passwd(PasswdArgs),
    /// List the users: role, disabled or not, active tokens, password set or not.
    List(super::users::UsersListArgs),
    /// Disable a user: their tokens, sessions and password stop working at once (the server
    /// caches a token for at most 5 s), until `users enable`. The last enabled admin cannot be
    /// disabled.
    Disable(super::users::UserNameArgs),
    /// Let a disabled user in again.
    Enable(super::users::UserNameArgs),
    /// Remove a user with their tokens and sessions; notes they wrote stay, without the author
    /// link. The last enabled admin cannot be removed.
    Remove(super::users::UserNameArgs),
    /// Revoke every API token of a user (optionally issuing a new one).
    RevokeToken(super::users::RevokeTokenArgs),
}

#[derive(Debug, Args)]
pub struct PasswdArgs {
    /// The user whose password to set.
    pub name: String,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct UsersAddArgs {
    pub name: String,
    /// admin, analyst or manager.
    #[arg(long)]
    pub role: String,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// Mark the session cookie Secure (when served behind HTTPS).
    #[arg(long)]
    pub secure_cookie: bool,
    /// Seconds a connection has to send a request's whole header, from opening or from the
    /// first byte of its next request.
    #[arg(long, value_name = "SECONDS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub header_read_timeout: u64,
    /// Seconds a kept-alive connection may send and receive nothing after an answer before it is
    /// closed (a request being handled is bound by --request-timeout instead).
    #[arg(long, value_name = "SECONDS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub idle_timeout: u64,
    /// Seconds a request has from its header to its answer (reading its body included); past
    /// that it is stopped, nothing of it is kept, and the client gets 503. Downloads already
    /// answered are not cut.
    #[arg(long, value_name = "SECONDS", default_value_t = 300,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub request_timeout: u64,
    /// Connections open at once at most; more are closed as they come.
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
    /// The gzip bounds of uploaded exports.
    #[command(flatten)]
    pub gzip: GzipFlags,
}
