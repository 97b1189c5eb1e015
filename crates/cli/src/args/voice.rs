//! Arguments of the voice-of-the-customer commands (`surveys`, `nps`), and their conversion into
//! the use cases' settings.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use clientele_app::contacts::{parse_minutes, time_of_minutes};
use clientele_app::voice::{AnswerImportSettings, InviteSettings, NpsReportSettings, nps_scale};
use clientele_core::nps::PeriodKind;
use clientele_core::{Day, Rung};
use clientele_ingest::columns::ColumnRef;
use clientele_ingest::survey_answers::AnswerField;
use clientele_store::Scope;
use clientele_store::voice::{AnswerGroupBy, NewSurvey, SurveyKind};

use super::common::{DbArgs, parse_user_date};

#[derive(Debug, Subcommand)]
pub enum SurveysCommand {
    /// Import survey answers from CSV/xlsx exports (columns such as Клиент/Customer, Дата/Date,
    /// Оценка/Score, Комментарий/Comment, Канал/Channel). A file with any bad row stores nothing:
    /// every bad row is listed with its line and reason.
    Import(SurveysImportArgs),
    /// Create a survey: one question (NPS or CSAT) asked through invitation links.
    Create(SurveyCreateArgs),
    /// List the surveys with how many were invited and how many answered.
    List(SurveyListArgs),
    /// Close a survey: its links take no more answers (given ones stay).
    Close(SurveyCloseArgs),
    /// Invite customers to a survey, each with a unique public link, through the contact policy
    /// (consent, channel, quiet hours, caps) and at most once per invitation period (90 days by
    /// default) whatever the survey. Writes CSV `customer_id,link,channel,send_at`.
    Invite(SurveyInviteArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Nps,
    Csat,
}

#[derive(Debug, Args)]
pub struct SurveysImportArgs {
    /// Answer exports: CSV, TSV, semicolon-separated text or .xlsx.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The question answered: NPS (0–10, or 1–10 with --scale 1-10) or CSAT (1–5).
    #[arg(long, value_enum, default_value_t = KindArg::Nps)]
    pub kind: KindArg,
    /// The NPS scale the answers were given on: 0-10 or 1-10 (recorded and reported as given).
    #[arg(long, default_value = "0-10", value_name = "SCALE")]
    pub scale: String,
    /// Name a column's meaning: COLUMN=FIELD, FIELD one of customer_id, date, score, comment,
    /// channel, touchpoint, answer_id, ignore; COLUMN a header or a 1-based position.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// The channel of answers whose row names none (email, sms, phone...).
    #[arg(long, value_name = "NAME")]
    pub channel: Option<String>,
    /// The touchpoint of answers whose row names none (purchase, delivery, support, site...).
    #[arg(long, value_name = "NAME")]
    pub touchpoint: Option<String>,
    /// Write the rejected rows (file, line, field, reason) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

fn parse_map(arg: &str) -> Result<(ColumnRef, AnswerField)> {
    let (column, field) = arg
        .rsplit_once('=')
        .filter(|(c, _)| !c.trim().is_empty())
        .ok_or_else(|| {
            anyhow!("--map '{arg}' is not COLUMN=FIELD (for example --map \"Балл\"=score)")
        })?;
    let field = AnswerField::parse(field).ok_or_else(|| {
        anyhow!(
            "--map '{arg}': unknown field '{field}'; use one of customer_id, date, score, comment, channel, touchpoint, answer_id, ignore"
        )
    })?;
    let column = column.trim();
    let column = if column.bytes().all(|b| b.is_ascii_digit()) {
        match column.parse::<usize>() {
            Ok(p) if p >= 1 => ColumnRef::Position(p),
            _ => return Err(anyhow!("--map '{arg}': column positions start at 1")),
        }
    } else {
        ColumnRef::Header(column.to_string())
    };
    Ok((column, field))
}

impl SurveysImportArgs {
    pub fn settings(&self, today: clientele_core::Day) -> Result<AnswerImportSettings> {
        let kind = match self.kind {
            KindArg::Csat => SurveyKind::Csat,
            KindArg::Nps => SurveyKind::Nps(
                nps_scale(&self.scale)
                    .ok_or_else(|| anyhow!("--scale '{}': expected 0-10 or 1-10", self.scale))?,
            ),
        };
        Ok(AnswerImportSettings {
            files: self.files.clone(),
            kind,
            map: self
                .map
                .iter()
                .map(|m| parse_map(m))
                .collect::<Result<_>>()?,
            channel: self.channel.clone(),
            touchpoint: self.touchpoint.clone(),
            today,
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum NpsCommand {
    /// NPS with its margin of error and 95% interval (or "not enough answers"), its band, the
    /// monthly or quarterly trend with each change's significance, and a split by group.
    Report(NpsReportArgs),
    /// What promoters, passives and detractors of a period did next: slipping or lost in the
    /// first snapshot after it, their revenue and CLV there, and their revenue in the days
    /// after, each with its 95% interval, detractors against promoters.
    Behaviour(NpsBehaviourArgs),
}

#[derive(Debug, Args)]
pub struct NpsBehaviourArgs {
    /// First day of the period (YYYY-MM-DD or DD.MM.YYYY). Default: the first answer.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day of the period. Default: the last answer.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Days after the period whose orders count (1 to 730).
    #[arg(long, value_name = "DAYS", default_value_t = clientele_app::voice::DEFAULT_DAYS_AFTER)]
    pub days_after: u32,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl NpsBehaviourArgs {
    pub fn settings(&self) -> Result<clientele_app::voice::NpsBehaviourSettings> {
        Ok(clientele_app::voice::NpsBehaviourSettings {
            from: self.from.as_deref().map(parse_user_date).transpose()?,
            to: self.to.as_deref().map(parse_user_date).transpose()?,
            scope: Scope::All,
            days_after: Some(self.days_after),
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Rung,
    Subgroup,
    Manager,
    Channel,
    Touchpoint,
    Segment,
    /// Active, slipping or lost in the latest snapshot up to --to.
    Status,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PeriodArg {
    Month,
    Quarter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct NpsReportArgs {
    /// First day of answers counted (YYYY-MM-DD or DD.MM.YYYY). Default: the first answer.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day counted. Default: the last answer.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Split the answers into groups, each compared with the rest.
    #[arg(long, value_enum)]
    pub by: Option<ByArg>,
    /// Show the trend by month or quarter, each period compared with the one before.
    #[arg(long, value_enum)]
    pub period: Option<PeriodArg>,
    /// Only answers about this touchpoint.
    #[arg(long, value_name = "NAME")]
    pub touchpoint: Option<String>,
    /// Fewer answers than this give "not enough answers" instead of a score. Default: the
    /// stored setting (30).
    #[arg(long, value_name = "N")]
    pub min_answers: Option<u64>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl NpsReportArgs {
    pub fn settings(&self) -> Result<NpsReportSettings> {
        Ok(NpsReportSettings {
            from: self.from.as_deref().map(parse_user_date).transpose()?,
            to: self.to.as_deref().map(parse_user_date).transpose()?,
            by: match self.by {
                None => AnswerGroupBy::None,
                Some(ByArg::Rung) => AnswerGroupBy::Rung,
                Some(ByArg::Subgroup) => AnswerGroupBy::Subgroup,
                Some(ByArg::Manager) => AnswerGroupBy::Manager,
                Some(ByArg::Channel) => AnswerGroupBy::Channel,
                Some(ByArg::Touchpoint) => AnswerGroupBy::Touchpoint,
                Some(ByArg::Segment) => AnswerGroupBy::Segment,
                Some(ByArg::Status) => AnswerGroupBy::Status,
            },
            period: self.period.map(|p| match p {
                PeriodArg::Month => PeriodKind::Month,
                PeriodArg::Quarter => PeriodKind::Quarter,
            }),
            scope: Scope::All,
            touchpoint: self.touchpoint.clone(),
            min_answers: self.min_answers,
        })
    }
}

#[derive(Debug, Subcommand)]
pub enum ImprovementsCommand {
    /// Log an action: what, who, why, the group it targets, when it starts and when to check.
    Add(ImprovementsAddArgs),
    /// Compare the targeted group's NPS, CSAT and complaint rate after the start with the same
    /// length of time before it, each change with its 95% interval and significance.
    Check(ImprovementsCheckArgs),
    /// The actions, latest check date first.
    List(ImprovementsListArgs),
}

#[derive(Debug, Args)]
pub struct ImprovementsAddArgs {
    /// What is done (at most 200 characters).
    #[arg(long)]
    pub title: String,
    /// Who is responsible.
    #[arg(long)]
    pub owner: String,
    /// What should change, and why.
    #[arg(long)]
    pub hypothesis: String,
    /// The group: all, touchpoint=NAME, category=NAME or rung=RUNG.
    #[arg(long, default_value = "all", value_name = "GROUP")]
    pub target: String,
    /// The day the action starts (YYYY-MM-DD or DD.MM.YYYY).
    #[arg(long, value_name = "DATE")]
    pub start: String,
    /// The day to check it (after the start).
    #[arg(long, value_name = "DATE")]
    pub check: String,
    #[command(flatten)]
    pub db: DbArgs,
}

impl ImprovementsAddArgs {
    pub fn new_improvement(&self) -> Result<clientele_store::voice::NewImprovement> {
        let (kind, value) = self
            .target
            .split_once('=')
            .unwrap_or((self.target.as_str(), ""));
        let target = clientele_store::voice::TargetKind::from_parts(kind.trim(), value)
            .ok_or_else(|| {
                anyhow!(
                    "--target '{}': expected all, touchpoint=NAME, category=NAME or rung=RUNG",
                    self.target
                )
            })?;
        Ok(clientele_store::voice::NewImprovement {
            title: self.title.clone(),
            owner: self.owner.clone(),
            hypothesis: self.hypothesis.clone(),
            target,
            start: parse_user_date(&self.start)?,
            check: parse_user_date(&self.check)?,
            created_by: std::env::var("USER").unwrap_or_else(|_| "cli".into()),
        })
    }
}

#[derive(Debug, Args)]
pub struct ImprovementsCheckArgs {
    /// The action's id (from `improvements list`).
    pub id: i64,
    /// Fewer answers than this in a window give no NPS or CSAT change. Default: the stored
    /// setting (30).
    #[arg(long, value_name = "N")]
    pub min_answers: Option<u64>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct ImprovementsListArgs {
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct SurveyCreateArgs {
    /// The survey's name (unique; used by `surveys invite --survey`).
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The question: NPS (0–10, or 1–10 with --scale 1-10) or CSAT (1–5).
    #[arg(long, value_enum, default_value_t = KindArg::Nps)]
    pub kind: KindArg,
    /// The NPS scale: 0-10 or 1-10.
    #[arg(long, default_value = "0-10", value_name = "SCALE")]
    pub scale: String,
    /// What the question is about (purchase, delivery, support, site...).
    #[arg(long, value_name = "NAME")]
    pub touchpoint: Option<String>,
    /// How many days each invitation link stays open (1 to 365).
    #[arg(long, default_value_t = 30, value_name = "DAYS")]
    pub link_days: u32,
    /// The last day answers are taken (UTC, inclusive). Default: open until closed.
    #[arg(long, value_name = "DATE")]
    pub closes: Option<String>,
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl SurveyCreateArgs {
    pub fn survey(&self, author: &str) -> Result<NewSurvey> {
        let kind = match self.kind {
            KindArg::Csat => SurveyKind::Csat,
            KindArg::Nps => SurveyKind::Nps(
                nps_scale(&self.scale)
                    .ok_or_else(|| anyhow!("--scale '{}': expected 0-10 or 1-10", self.scale))?,
            ),
        };
        let closes_at = self
            .closes
            .as_deref()
            .map(|d| {
                parse_user_date(d)
                    .map(|day| i64::from(day.plus_days(1).days_since_epoch()) * 86_400 - 1)
                    .map_err(|e| anyhow!("--closes: {e}"))
            })
            .transpose()?;
        Ok(NewSurvey {
            name: self.name.clone(),
            kind,
            touchpoint: self.touchpoint.clone(),
            link_days: self.link_days,
            closes_at,
            created_by: author.to_string(),
        })
    }
}

#[derive(Debug, Args)]
pub struct SurveyListArgs {
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    pub format: ReportFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct SurveyCloseArgs {
    #[arg(value_name = "NAME")]
    pub name: String,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct SurveyInviteArgs {
    /// The survey to invite to (see `surveys list`).
    #[arg(long, value_name = "NAME")]
    pub survey: String,
    /// Only customers on this rung of the latest snapshot (repeat for several; default all).
    #[arg(long = "rung", value_name = "RUNG")]
    pub rungs: Vec<String>,
    /// At most this many invitations (1 to 1,000,000). Default: everyone who may be invited.
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// Where the public answer page is served: links are BASE_URL/s/SECRET. Default:
    /// $CLIENTELE_PUBLIC_URL.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The day the invitations should arrive on (YYYY-MM-DD or DD.MM.YYYY). Default: today.
    #[arg(long, value_name = "DATE")]
    pub day: Option<String>,
    /// The local time they should arrive at (quiet hours may move it later).
    #[arg(long, value_name = "HH:MM", default_value = "10:00")]
    pub at: String,
    /// The time zone of customers without their own (IANA name).
    #[arg(long, value_name = "ZONE", default_value = "Europe/Moscow")]
    pub time_zone: String,
    /// Write the links to this CSV file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

impl SurveyInviteArgs {
    pub fn settings(&self, today: Day, now: i64) -> Result<InviteSettings> {
        let rungs = self
            .rungs
            .iter()
            .map(|r| {
                Rung::parse(r).ok_or_else(|| {
                    anyhow!("--rung {r}: expected prospect, visitor, newcomer, regular or advocate")
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let base_url = self
            .base_url
            .clone()
            .or_else(|| std::env::var("CLIENTELE_PUBLIC_URL").ok())
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| {
                anyhow!(
                    "--base-url: where the answer page is served is needed to write the links \
                     (for example --base-url https://feedback.example.com, or set CLIENTELE_PUBLIC_URL)"
                )
            })?;
        let minutes = parse_minutes(&self.at)
            .ok_or_else(|| anyhow!("--at {}: not a time of day as HH:MM", self.at))?;
        let day = match &self.day {
            Some(d) => parse_user_date(d).map_err(|e| anyhow!("--day: {e}"))?,
            None => today,
        };
        Ok(InviteSettings {
            survey: self.survey.clone(),
            rungs,
            limit: self.limit,
            base_url,
            day,
            local_time: time_of_minutes(minutes),
            default_time_zone: self.time_zone.clone(),
            now,
            author: "clientele surveys invite".into(),
        })
    }
}
