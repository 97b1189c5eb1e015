//! Arguments of the voice-of-the-customer commands (`surveys`, `nps`), and their conversion into
//! the use cases' settings.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use clientele_app::voice::{AnswerImportSettings, NpsReportSettings, nps_scale};
use clientele_core::nps::PeriodKind;
use clientele_ingest::columns::ColumnRef;
use clientele_ingest::survey_answers::AnswerField;
use clientele_store::Scope;
use clientele_store::voice::{AnswerGroupBy, SurveyKind};

use super::common::{DbArgs, parse_user_date};

#[derive(Debug, Subcommand)]
pub enum SurveysCommand {
    /// Import survey answers from CSV/xlsx exports (columns such as Клиент/Customer, Дата/Date,
    /// Оценка/Score, Комментарий/Comment, Канал/Channel). A file with any bad row stores nothing:
    /// every bad row is listed with its line and reason.
    Import(SurveysImportArgs),
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Rung,
    Subgroup,
    Manager,
    Channel,
    Touchpoint,
    Segment,
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
