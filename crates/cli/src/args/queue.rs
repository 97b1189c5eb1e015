//! `clientele playbook` and `clientele queue`'s arguments, and their conversion into the
//! playbook's and the daily queue's settings.

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use clientele_app::ForecastSettings;
use clientele_app::clock::today;
use clientele_app::winback::{DEFAULT_QUEUE_LIMIT, OutcomeSettings, QueueSettings};
use clientele_store::{Channel, Scope};

use super::common::{DbArgs, parse_user_date};
use super::winback::ActingUser;

#[derive(Debug, Args)]
pub struct PlaybookArgs {
    /// Print the playbook in force in this database (the latest an admin saved, else the
    /// defaults) instead of the documented defaults.
    #[arg(long)]
    pub current: bool,
    /// Check the playbook file FILE and save it as the one in force (needs --user).
    #[arg(long, value_name = "FILE", conflicts_with = "current")]
    pub save: Option<std::path::PathBuf>,
    /// The user name the saved version is recorded under.
    #[arg(long = "user", value_name = "NAME", requires = "save")]
    pub user: Option<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

/// How the queue is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum QueueFormat {
    #[default]
    Text,
    Csv,
    Json,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct QueueArgs {
    #[command(subcommand)]
    pub action: Option<QueueAction>,
    #[command(flatten)]
    pub list: QueueListArgs,
}

#[derive(Debug, Subcommand)]
pub enum QueueAction {
    /// Mark a queue item done with its outcome (it goes to the contact log and its cost to the
    /// customer's budget).
    Done(DoneArgs),
    /// Keep a customer out of the queue until a later day.
    Snooze(SnoozeArgs),
}

#[derive(Debug, Args)]
pub struct QueueListArgs {
    /// Only the customers assigned to this user.
    #[arg(long, value_name = "NAME")]
    pub manager: Option<String>,
    /// The queue's day (default: today).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// At most this many items, by value at stake.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_QUEUE_LIMIT)]
    pub limit: usize,
    #[arg(long, value_enum, default_value_t)]
    pub format: QueueFormat,
    /// The time zone of customers without their own (IANA name).
    #[arg(long, value_name = "ZONE", default_value = "Europe/Moscow")]
    pub time_zone: String,
    #[command(flatten)]
    pub db: DbArgs,
}

impl QueueListArgs {
    pub fn settings(&self) -> Result<QueueSettings> {
        Ok(QueueSettings {
            day: day_or_today(self.date.as_deref(), "--date")?,
            scope: Scope::All,
            manager: self.manager.clone(),
            limit: self.limit,
            default_time_zone: self.time_zone.clone(),
            // Snapshots that did not record their horizon were scored with the default one.
            clv_horizon_days: Some(ForecastSettings::default().horizon_days as u32),
        })
    }
}

fn day_or_today(text: Option<&str>, flag: &str) -> Result<clientele_core::Day> {
    match text {
        None => Ok(today()),
        Some(t) => parse_user_date(t).map_err(|e| anyhow!("{flag} {t}: {e:#}")),
    }
}

#[derive(Debug, Args)]
pub struct DoneArgs {
    /// The customer's id (as in the order exports).
    #[arg(long = "customer", value_name = "ID")]
    pub customer: String,
    /// The action's code, as the queue proposed it.
    #[arg(long, value_name = "CODE")]
    pub action: String,
    /// The channel used: email, phone, sms, messenger, post, visit.
    #[arg(long, value_name = "CHANNEL")]
    pub channel: String,
    /// no_answer, answered, promised, declined or wrong_contact.
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: String,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The queue's day (default: today).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    #[command(flatten)]
    pub user: ActingUser,
    #[command(flatten)]
    pub db: DbArgs,
}

impl DoneArgs {
    pub fn settings(&self, customer_id: i64) -> Result<OutcomeSettings> {
        let channel = Channel::parse(&self.channel).ok_or_else(|| {
            anyhow!(
                "--channel {}: expected email, phone, sms, messenger, post or visit",
                self.channel
            )
        })?;
        Ok(OutcomeSettings {
            day: day_or_today(self.date.as_deref(), "--date")?,
            customer_id,
            action: self.action.clone(),
            channel: Some(channel),
            outcome: self.outcome.clone(),
            snooze_until: None,
            note: self.note.clone(),
        })
    }
}

#[derive(Debug, Args)]
pub struct SnoozeArgs {
    /// The customer's id (as in the order exports).
    #[arg(long = "customer", value_name = "ID")]
    pub customer: String,
    /// The action's code, as the queue proposed it.
    #[arg(long, value_name = "CODE")]
    pub action: String,
    /// Back in the queue on this day.
    #[arg(long, value_name = "DATE")]
    pub until: String,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The queue's day (default: today).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    #[command(flatten)]
    pub user: ActingUser,
    #[command(flatten)]
    pub db: DbArgs,
}

impl SnoozeArgs {
    pub fn settings(&self, customer_id: i64) -> Result<OutcomeSettings> {
        Ok(OutcomeSettings {
            day: day_or_today(self.date.as_deref(), "--date")?,
            customer_id,
            action: self.action.clone(),
            channel: None,
            outcome: "snoozed".into(),
            snooze_until: Some(day_or_today(Some(&self.until), "--until")?),
            note: self.note.clone(),
        })
    }
}
