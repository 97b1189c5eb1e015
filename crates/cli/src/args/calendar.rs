//! `clientele calendar upcoming|import|send`: the client calendar's occasions with their
//! greeting drafts, personal-dates files in, a draft sent through the contact policy.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use clientele_app::calendar::{ImportDatesSettings, SendGreeting, UpcomingSettings};
use clientele_app::clock::today;
use clientele_app::contacts::parse_minutes;
use clientele_core::care::Language;
use clientele_store::Scope;

use super::common::{DbArgs, parse_user_date};

#[derive(Debug, Subcommand)]
pub enum CalendarCommand {
    /// The occasions of the next days (personal dates, first-purchase anniversaries), each with
    /// its greeting draft and the channel the contact policy allows.
    Upcoming(CalendarUpcomingArgs),
    /// Add personal dates from a file (customer, occasion, date: 14.03.1985, 03-14, "last
    /// Sunday of July", "orthodox easter+49", or empty for a holiday's code): all rows or none.
    Import(CalendarImportArgs),
    /// Send a greeting draft through the contact policy (recorded in the contact log).
    Send(CalendarSendArgs),
}

/// How `calendar upcoming` writes its answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum CalendarFormat {
    #[default]
    Text,
    /// A list of {"customer_id", "occasion", "date", "channel", "greeting"}.
    Json,
}

/// The language new greeting drafts are written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum GreetingLanguage {
    #[default]
    En,
    Ru,
}

#[derive(Debug, Args)]
pub struct CalendarUpcomingArgs {
    /// How many days ahead, today included (1 to 366).
    #[arg(long, default_value_t = 14)]
    pub days: i32,
    /// Only this manager's customers (a user's name).
    #[arg(long, value_name = "NAME")]
    pub manager: Option<String>,
    /// The first day (YYYY-MM-DD or DD.MM.YYYY); default today.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// The language new drafts are written in (a draft already written keeps its own).
    #[arg(long, value_enum, default_value_t)]
    pub language: GreetingLanguage,
    /// The time zone of customers without their own (IANA name).
    #[arg(long, value_name = "ZONE", default_value = "Europe/Moscow")]
    pub time_zone: String,
    /// The local time greetings should arrive at.
    #[arg(long, value_name = "HH:MM", default_value = "10:00")]
    pub at: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: CalendarFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl CalendarUpcomingArgs {
    pub fn settings(&self) -> Result<UpcomingSettings> {
        Ok(UpcomingSettings {
            scope: Scope::All,
            manager: self.manager.clone(),
            from: match &self.from {
                Some(d) => parse_user_date(d).map_err(|e| anyhow!("--from: {e}"))?,
                None => today(),
            },
            days: self.days,
            language: match self.language {
                GreetingLanguage::En => Language::En,
                GreetingLanguage::Ru => Language::Ru,
            },
            default_time_zone: self.time_zone.clone(),
            local_minutes: parse_minutes(&self.at)
                .ok_or_else(|| anyhow!("--at {}: not a time of day as HH:MM", self.at))?,
        })
    }
}

#[derive(Debug, Args)]
pub struct CalendarImportArgs {
    /// The personal-dates file (CSV in any common encoding and separator, or xlsx).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
}

impl CalendarImportArgs {
    pub fn settings(&self) -> ImportDatesSettings {
        ImportDatesSettings {
            path: self.file.clone(),
            actor: "clientele calendar import".into(),
        }
    }
}

#[derive(Debug, Args)]
pub struct CalendarSendArgs {
    /// The draft's number (from `calendar upcoming --format text`).
    #[arg(value_name = "DRAFT")]
    pub draft: i64,
    /// Send this text instead (a file; the draft is edited first).
    #[arg(long, value_name = "FILE")]
    pub text: Option<PathBuf>,
    /// The time zone of customers without their own (IANA name).
    #[arg(long, value_name = "ZONE", default_value = "Europe/Moscow")]
    pub time_zone: String,
    /// The local time it should arrive at.
    #[arg(long, value_name = "HH:MM", default_value = "10:00")]
    pub at: String,
    #[command(flatten)]
    pub db: DbArgs,
}

impl CalendarSendArgs {
    pub fn settings(&self) -> Result<SendGreeting> {
        let body = match &self.text {
            Some(p) => Some(
                std::fs::read_to_string(p).map_err(|e| anyhow!("--text {}: {e}", p.display()))?,
            ),
            None => None,
        };
        Ok(SendGreeting {
            scope: Scope::All,
            draft_id: self.draft,
            body,
            today: today(),
            default_time_zone: self.time_zone.clone(),
            local_minutes: parse_minutes(&self.at)
                .ok_or_else(|| anyhow!("--at {}: not a time of day as HH:MM", self.at))?,
            author: "clientele calendar send".into(),
            user_id: None,
        })
    }
}
