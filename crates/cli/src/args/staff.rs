//! Arguments of `clientele staff survey|codes|answer|report`: staff voice (employee NPS and
//! satisfaction, anonymous by construction).

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use clientele_app::staff::{DEFAULT_BATCH_SIZE, StaffReportSettings, TypedAnswer};
use clientele_core::nps::PeriodKind;
use clientele_core::staff::DEFAULT_MIN_GROUP;

use super::common::{DbArgs, parse_user_date};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum StaffFormat {
    #[default]
    Text,
    Json,
    Csv,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum StaffPeriod {
    Month,
    #[default]
    Quarter,
}

#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Staff surveys: open one, list them, close one (releasing the waiting answers).
    #[command(subcommand)]
    Survey(SurveyCommand),
    /// Make one-time codes for a department (printed once, one per line; only their hashes are
    /// kept). Hand them out so that nobody notes who got which.
    Codes(CodesArgs),
    /// Give one answer with a code (the code is spent).
    Answer(AnswerArgs),
    /// The report by department and period: eNPS with its margin and change, satisfaction per
    /// question; departments below the minimum group are not shown.
    Report(ReportArgs),
}

#[derive(Debug, Subcommand)]
pub enum SurveyCommand {
    /// Open a survey.
    Open(OpenArgs),
    /// The surveys, newest first.
    List(ListArgs),
    /// Close a survey: release every waiting answer and spend the unused codes.
    Close(CloseArgs),
}

#[derive(Debug, Args)]
pub struct OpenArgs {
    /// The survey's title (1 to 100 characters).
    #[arg(long)]
    pub title: String,
    /// The day it is held (its month or quarter is the answers' period). Default: today.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Answers are released this many at a time per department (3 to 100).
    #[arg(long, default_value_t = DEFAULT_BATCH_SIZE)]
    pub batch_size: u32,
    /// Who opens it.
    #[arg(long, value_name = "NAME", default_value = "cli")]
    pub by: String,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: StaffFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct CloseArgs {
    /// The survey's id (`clientele staff survey list`).
    pub survey: i64,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct CodesArgs {
    #[arg(long)]
    pub survey: i64,
    #[arg(long)]
    pub department: String,
    /// How many (1 to 1,000).
    #[arg(long)]
    pub count: u32,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct AnswerArgs {
    /// The one-time code.
    #[arg(long)]
    pub code: String,
    /// Would you recommend working here? 0 to 10.
    #[arg(long)]
    pub nps: String,
    /// Satisfaction 1 to 5, each optional: QUESTION=SCORE with QUESTION one of work, manager,
    /// team, pay, growth, tools.
    #[arg(value_name = "QUESTION=SCORE")]
    pub satisfaction: Vec<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

impl AnswerArgs {
    pub fn typed(&self) -> Result<TypedAnswer> {
        let mut typed = TypedAnswer {
            nps: Some(self.nps.clone()),
            ..TypedAnswer::default()
        };
        for s in &self.satisfaction {
            let Some((q, v)) = s.split_once('=') else {
                anyhow::bail!("'{s}': expected QUESTION=SCORE, as pay=4");
            };
            typed
                .satisfaction
                .insert(q.trim().to_string(), v.trim().to_string());
        }
        Ok(typed)
    }
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Surveys held from this day.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Surveys held up to this day.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub period: StaffPeriod,
    /// Departments with fewer answers are not shown (3 to 1,000).
    #[arg(long, default_value_t = DEFAULT_MIN_GROUP)]
    pub min_group: u32,
    /// Groups with fewer answers show counts but no score.
    #[arg(long, default_value_t = clientele_app::staff::DEFAULT_MIN_ANSWERS)]
    pub min_answers: u64,
    #[arg(long, value_enum, default_value_t)]
    pub format: StaffFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl ReportArgs {
    pub fn settings(&self) -> Result<StaffReportSettings> {
        Ok(StaffReportSettings {
            from: self.from.as_deref().map(parse_user_date).transpose()?,
            to: self.to.as_deref().map(parse_user_date).transpose()?,
            period: match self.period {
                StaffPeriod::Month => PeriodKind::Month,
                StaffPeriod::Quarter => PeriodKind::Quarter,
            },
            min_group: self.min_group,
            min_answers: self.min_answers,
        })
    }
}
