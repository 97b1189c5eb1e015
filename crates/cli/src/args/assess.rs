//! Arguments of `clientele assess list|answer|report|add`, the express self-assessment.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use clientele_core::Day;

use super::common::{DbArgs, parse_user_date};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum AssessFormat {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum AssessLang {
    #[default]
    En,
    Ru,
}

impl AssessLang {
    pub fn code(self) -> &'static str {
        match self {
            AssessLang::En => "en",
            AssessLang::Ru => "ru",
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum AssessCommand {
    /// The checklists: the shipped ones (the four directions, the customer journey, win-back
    /// readiness, service quality) and the company's own, with their questions.
    List(AssessListArgs),
    /// Record one person's answers: QUESTION=yes|no (да|нет) for each question answered.
    Answer(AssessAnswerArgs),
    /// The report: each area's score and the spread between respondents, a recommendation for
    /// every "no", the evidence the product measures, the history by month.
    Report(AssessReportArgs),
    /// Add (or replace) a company's own checklist from a TOML file in the shipped format.
    Add(AssessAddArgs),
}

#[derive(Debug, Args)]
pub struct AssessListArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: AssessFormat,
    #[arg(long, value_enum, default_value_t)]
    pub lang: AssessLang,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct AssessAnswerArgs {
    /// The checklist's key (`clientele assess list`).
    pub checklist: String,
    /// Who answers (kept with the answers; one response per person and day).
    #[arg(long, value_name = "NAME")]
    pub respondent: String,
    /// The day of the answers (YYYY-MM-DD or DD.MM.YYYY). Default: today.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// QUESTION=yes or QUESTION=no.
    #[arg(required = true, value_name = "QUESTION=ANSWER")]
    pub answers: Vec<String>,
    #[command(flatten)]
    pub db: DbArgs,
}

impl AssessAnswerArgs {
    /// The answers as (question, yes), refusing a word that is neither yes nor no.
    pub fn answers(&self) -> Result<Vec<(String, bool)>> {
        self.answers
            .iter()
            .map(|a| {
                let Some((q, word)) = a.split_once('=') else {
                    bail!("'{a}': expected QUESTION=yes or QUESTION=no");
                };
                let yes = match word.trim().to_lowercase().as_str() {
                    "yes" | "y" | "да" | "1" | "true" => true,
                    "no" | "n" | "нет" | "0" | "false" => false,
                    other => bail!("'{a}': '{other}' is neither yes nor no"),
                };
                Ok((q.trim().to_string(), yes))
            })
            .collect()
    }

    pub fn day(&self, today: Day) -> Result<Day> {
        Ok(match &self.date {
            Some(d) => parse_user_date(d)?,
            None => today,
        })
    }
}

#[derive(Debug, Args)]
pub struct AssessReportArgs {
    /// The checklist's key.
    pub checklist: String,
    #[arg(long, value_enum, default_value_t)]
    pub format: AssessFormat,
    #[arg(long, value_enum, default_value_t)]
    pub lang: AssessLang,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct AssessAddArgs {
    /// The checklist in TOML (see the shipped ones in `clientele assess list --format json`).
    pub file: PathBuf,
    /// Who adds it.
    #[arg(long, value_name = "NAME", default_value = "cli")]
    pub by: String,
    #[command(flatten)]
    pub db: DbArgs,
}
