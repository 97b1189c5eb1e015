//! `clientele settings`: settings of the whole database, read by every front end.

use clap::{Args, Subcommand};

use super::common::DbArgs;

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Show or set the currency amounts are shown in (an ISO code such as RUB, USD, EUR; `auto`
    /// detects it again from the customers' phone numbers, else names in Cyrillic).
    Currency(CurrencyArgs),
}

#[derive(Debug, Args)]
pub struct CurrencyArgs {
    /// The ISO code to set, or `auto`; without it the currency in force is shown.
    pub code: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}
