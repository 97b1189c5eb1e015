//! `clientele contacts import|plan|log`: consents files in, contacts planned through the contact
//! policy, the contact log out.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use clientele_app::contacts::{
    ContactRequest, ImportConsentsSettings, PlanSettings, parse_minutes, time_of_minutes,
};
use clientele_core::contact_policy::Module;
use clientele_store::ContactState;

use super::common::{DbArgs, parse_user_date};

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Record consents from a file (customer, channel, consent yes/no, date, source): all rows
    /// or none; withdrawals are kept as history.
    Import(ContactsImportArgs),
    /// Plan a day's contacts from a file (customer, kind, module, channels, priority, subject)
    /// through the contact policy, and record the allowed ones in the contact log.
    Plan(ContactsPlanArgs),
    /// The contact log: what was planned, sent or exported, when, why, by whom, for which module.
    Log(ContactsLogArgs),
}

/// How a command writes its answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ContactsFormat {
    #[default]
    Text,
    Json,
    /// Comma-separated, UTF-8 with a header row.
    Csv,
}

#[derive(Debug, Args)]
pub struct ContactsImportArgs {
    /// The consents file (CSV in any common encoding and separator, or xlsx).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The source recorded where the file has no source column.
    #[arg(long, default_value = "import")]
    pub source: String,
    #[command(flatten)]
    pub db: DbArgs,
}

impl ContactsImportArgs {
    pub fn settings(&self) -> ImportConsentsSettings {
        ImportConsentsSettings {
            path: self.file.clone(),
            default_source: self.source.clone(),
            actor: "clientele contacts import".into(),
        }
    }
}

#[derive(Debug, Args)]
pub struct ContactsPlanArgs {
    /// The contacts to plan: columns customer, kind (offer, reminder, survey, greeting, notice,
    /// win_back, service_notice), subject, and optionally module, channels, priority.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// The day the contacts should arrive on, in each customer's time zone (YYYY-MM-DD or
    /// DD.MM.YYYY).
    #[arg(long, value_name = "DATE")]
    pub day: String,
    /// The local time they should arrive at.
    #[arg(long, value_name = "HH:MM", default_value = "10:00")]
    pub at: String,
    /// The time zone of customers without their own (IANA name).
    #[arg(long, value_name = "ZONE", default_value = "Europe/Moscow")]
    pub time_zone: String,
    /// Allow a contact that quiet hours push past its day to go out the next morning.
    #[arg(long)]
    pub any_day: bool,
    /// Only decide; record nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: ContactsFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl ContactsPlanArgs {
    /// The plan's settings around the requests read from the file.
    pub fn settings(&self, requests: Vec<ContactRequest>) -> Result<PlanSettings> {
        let minutes = parse_minutes(&self.at)
            .ok_or_else(|| anyhow!("--at {}: not a time of day as HH:MM", self.at))?;
        Ok(PlanSettings {
            requests,
            day: parse_user_date(&self.day).map_err(|e| anyhow!("--day: {e}"))?,
            local_time: time_of_minutes(minutes),
            same_day_only: !self.any_day,
            default_time_zone: self.time_zone.clone(),
            record: !self.dry_run,
            author: "clientele contacts plan".into(),
            user_id: None,
        })
    }
}

#[derive(Debug, Args)]
pub struct ContactsLogArgs {
    /// Only this customer (their external id).
    #[arg(long, value_name = "ID")]
    pub customer: Option<String>,
    /// From this day (UTC), inclusive.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Up to this day (UTC), inclusive.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only this module (queue, calendar, surveys, notices, campaigns, win_back, events, manual).
    #[arg(long)]
    pub module: Option<String>,
    /// Only this state (planned, sent, exported, cancelled).
    #[arg(long)]
    pub state: Option<String>,
    /// Only this channel (email, phone, sms, messenger, post, visit).
    #[arg(long)]
    pub channel: Option<String>,
    /// Only contacts with this outcome (no_answer, answered, promised, declined, wrong_contact).
    #[arg(long)]
    pub outcome: Option<String>,
    /// At most this many rows, newest first (1 to 1,000,000).
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t)]
    pub format: ContactsFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl ContactsLogArgs {
    /// The store's filter (the customer is resolved by the command).
    pub fn filter(&self, customer_id: Option<i64>) -> Result<clientele_store::ContactLogFilter> {
        if !(1..=1_000_000).contains(&self.limit) {
            return Err(anyhow!("--limit {}: between 1 and 1,000,000", self.limit));
        }
        let seconds = |d: clientele_core::Day| i64::from(d.days_since_epoch()) * 86_400;
        let from = self
            .from
            .as_deref()
            .map(parse_user_date)
            .transpose()
            .map_err(|e| anyhow!("--from: {e}"))?;
        let until = self
            .until
            .as_deref()
            .map(parse_user_date)
            .transpose()
            .map_err(|e| anyhow!("--until: {e}"))?;
        if let (Some(f), Some(u)) = (from, until)
            && u < f
        {
            return Err(anyhow!("--until {u} is before --from {f}"));
        }
        Ok(clientele_store::ContactLogFilter {
            customer_id,
            from: from.map(seconds),
            until: until.map(|u| seconds(u) + 86_400),
            module: self
                .module
                .as_deref()
                .map(|m| Module::parse(m).ok_or_else(|| anyhow!("--module {m}: not a module")))
                .transpose()?,
            state: self
                .state
                .as_deref()
                .map(|s| {
                    ContactState::parse(s).ok_or_else(|| {
                        anyhow!("--state {s}: not one of planned, sent, exported, cancelled")
                    })
                })
                .transpose()?,
            channel: self
                .channel
                .as_deref()
                .map(|c| {
                    clientele_store::Channel::parse(c).ok_or_else(|| {
                        anyhow!("--channel {c}: not one of email, phone, sms, messenger, post, visit")
                    })
                })
                .transpose()?,
            outcome: self
                .outcome
                .as_deref()
                .map(|o| {
                    clientele_core::winback::AttemptOutcome::parse(o)
                        .map(|o| o.as_str().to_string())
                        .ok_or_else(|| {
                            anyhow!(
                                "--outcome {o}: not one of no_answer, answered, promised, declined, wrong_contact"
                            )
                        })
                })
                .transpose()?,
            limit: self.limit,
            ..clientele_store::ContactLogFilter::default()
        })
    }
}
