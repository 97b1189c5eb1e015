//! `clientele winback`'s arguments (open, attempt, list, report), and their conversion into the
//! win-back use case's settings.

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use clientele_app::clock::today;
use clientele_app::winback::{
    AttemptSettings, CaseListSettings, DEFAULT_REGAINED_DAYS, DEFAULT_WINDOW_DAYS, OpenSettings,
    ReportSettings,
};
use clientele_core::Status;
use clientele_core::winback::{AttemptOutcome, CaseState, LeavingReason};
use clientele_store::Channel;

use super::common::{DbArgs, parse_user_date};

/// How a list or report is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum WinbackFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum WinbackCommand {
    /// Open win-back cases for customers named by id, or for every lost (or slipping) customer
    /// of the latest snapshot; prints one line per case (its id last on the line).
    Open(OpenArgs),
    /// Record an attempt to reach a case's customer (it goes to the contact log).
    Attempt(AttemptArgs),
    /// List cases, newest first.
    List(ListArgs),
    /// Settle cases from the orders and report the returners' funnel (by reason, offer, channel
    /// and manager), the regained revenue and profit, and the win-back rate against the mark.
    Report(ReportArgs),
}

/// The user a command acts as (it is written as the author of cases and attempts).
#[derive(Debug, Args)]
pub struct ActingUser {
    /// The user name the cases and attempts are recorded under.
    #[arg(long = "user", value_name = "NAME")]
    pub user: String,
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// A customer's id (as in the order exports); repeat for several.
    #[arg(long = "customer", value_name = "ID")]
    pub customers: Vec<String>,
    /// Every customer with this status in the latest snapshot: lost or slipping.
    #[arg(long, value_enum)]
    pub status: Option<CaseStatus>,
    /// Why they left: price, quality, service, competitor, moved, no_longer_needed, other.
    #[arg(long, value_name = "REASON")]
    pub reason: Option<String>,
    /// The reason in words.
    #[arg(long, value_name = "TEXT")]
    pub reason_text: Option<String>,
    /// The offer made to win them back.
    #[arg(long, value_name = "TEXT")]
    pub offer: Option<String>,
    /// The channel: email, phone, sms, messenger, post, visit.
    #[arg(long, value_name = "CHANNEL")]
    pub channel: Option<String>,
    /// A purchase within this many days of opening closes the case as returned.
    #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_WINDOW_DAYS)]
    pub window: i32,
    /// The day the cases are opened (default: today).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    #[command(flatten)]
    pub user: ActingUser,
    #[command(flatten)]
    pub db: DbArgs,
}

/// The statuses cases are opened from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CaseStatus {
    Lost,
    Slipping,
}

fn channel(text: &str) -> Result<Channel> {
    Channel::parse(text).ok_or_else(|| {
        anyhow!("--channel {text}: expected email, phone, sms, messenger, post or visit")
    })
}

fn day_or_today(date: &Option<String>) -> Result<clientele_core::Day> {
    match date {
        Some(d) => parse_user_date(d),
        None => Ok(today()),
    }
}

impl OpenArgs {
    pub fn settings(&self) -> Result<OpenSettings> {
        let reason = self
            .reason
            .as_deref()
            .map(|r| {
                LeavingReason::parse(r).ok_or_else(|| {
                    anyhow!(
                        "--reason {r}: expected price, quality, service, competitor, moved, \
                         no_longer_needed or other"
                    )
                })
            })
            .transpose()?;
        Ok(OpenSettings {
            customers: self.customers.clone(),
            status: self.status.map(|s| match s {
                CaseStatus::Lost => Status::Lost,
                CaseStatus::Slipping => Status::Slipping,
            }),
            reason,
            reason_text: self.reason_text.clone(),
            offer: self.offer.clone(),
            channel: self.channel.as_deref().map(channel).transpose()?,
            window_days: self.window,
            day: day_or_today(&self.date)?,
        })
    }
}

#[derive(Debug, Args)]
pub struct AttemptArgs {
    /// The case's id (as `winback open` and `winback list` print it).
    #[arg(value_name = "CASE")]
    pub case: i64,
    /// The channel used: email, phone, sms, messenger, post, visit.
    #[arg(long, value_name = "CHANNEL")]
    pub channel: String,
    /// What came of it: no_answer, answered, promised, declined, wrong_contact.
    #[arg(long, value_name = "OUTCOME")]
    pub outcome: String,
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The day of the attempt (default: today).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    #[command(flatten)]
    pub user: ActingUser,
    #[command(flatten)]
    pub db: DbArgs,
}

impl AttemptArgs {
    pub fn settings(&self) -> Result<AttemptSettings> {
        let outcome = AttemptOutcome::parse(&self.outcome).ok_or_else(|| {
            anyhow!(
                "--outcome {}: expected no_answer, answered, promised, declined or wrong_contact",
                self.outcome
            )
        })?;
        Ok(AttemptSettings {
            case_id: self.case,
            channel: channel(&self.channel)?,
            outcome,
            note: self.note.clone(),
            day: day_or_today(&self.date)?,
        })
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only cases in this state: open, returned, not_returned.
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,
    /// Only this customer's cases (their id).
    #[arg(long, value_name = "ID")]
    pub customer: Option<String>,
    /// At most this many cases (1 to 1000).
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t)]
    pub format: WinbackFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl ListArgs {
    pub fn settings(&self) -> Result<CaseListSettings> {
        let state = self
            .state
            .as_deref()
            .map(|s| {
                CaseState::parse(s)
                    .ok_or_else(|| anyhow!("--state {s}: expected open, returned or not_returned"))
            })
            .transpose()?;
        Ok(CaseListSettings {
            state,
            customer: self.customer.clone(),
            offset: 0,
            limit: self.limit,
        })
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The data's last day (default: the latest snapshot's day).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Only this manager's customers (a user name).
    #[arg(long, value_name = "NAME")]
    pub manager: Option<String>,
    /// Days after a return over which regained revenue and profit count.
    #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_REGAINED_DAYS)]
    pub regained_days: i32,
    #[arg(long, value_enum, default_value_t)]
    pub format: WinbackFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl ReportArgs {
    pub fn settings(&self) -> Result<ReportSettings> {
        Ok(ReportSettings {
            as_of: self.as_of.as_deref().map(parse_user_date).transpose()?,
            manager: self.manager.clone(),
            regained_days: self.regained_days,
        })
    }
}
