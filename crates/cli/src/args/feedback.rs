//! Arguments of `clientele feedback` (complaints and wishes: import, list, answer, resolve,
//! report, targets), and their conversion into the use cases' settings.

use std::path::PathBuf;

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand, ValueEnum};
use clientele_app::voice::FeedbackImportSettings;
use clientele_core::Day;
use clientele_core::closed_loop::Severity;
use clientele_ingest::columns::ColumnRef;
use clientele_ingest::feedback::FeedbackField;
use clientele_store::voice::{FeedbackKind, FeedbackState};

use super::common::{DbArgs, parse_user_date};

#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// Import complaints and wishes from CSV/xlsx exports (columns such as Клиент/Customer,
    /// Дата/Date, Тип/Kind, Категория/Category, Важность/Severity, Канал/Channel, Текст/Text,
    /// Номер обращения/Entry ID). Files with any bad row store nothing: every bad row is
    /// listed with its line and reason. Importing the same file again stores nothing twice.
    Import(FeedbackImportArgs),
    /// The log, overdue first: customer, kind, severity, status (open, answered, resolved),
    /// due time and the manager responsible.
    List(FeedbackListArgs),
    /// Record the first response to an entry (open → answered).
    Answer(FeedbackActArgs),
    /// Resolve an entry (→ resolved; also the first response when there was none).
    Resolve(FeedbackActArgs),
    /// How the response targets were kept: overall, per manager and per severity (the share
    /// answered and resolved within target with 95% intervals, median times), complaints per
    /// category and month, and the costliest categories.
    Report(FeedbackReportArgs),
    /// Show the response targets per severity, or change one severity's.
    Targets(FeedbackTargetsArgs),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FeedbackFormat {
    Text,
    Json,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Complaint,
    Wish,
    Praise,
    Question,
}

impl KindArg {
    pub fn kind(self) -> FeedbackKind {
        match self {
            KindArg::Complaint => FeedbackKind::Complaint,
            KindArg::Wish => FeedbackKind::Wish,
            KindArg::Praise => FeedbackKind::Praise,
            KindArg::Question => FeedbackKind::Question,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    Low,
    Normal,
    High,
    Critical,
}

impl SeverityArg {
    pub fn severity(self) -> Severity {
        match self {
            SeverityArg::Low => Severity::Low,
            SeverityArg::Normal => Severity::Normal,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StateArg {
    Open,
    Overdue,
    Resolved,
    All,
}

impl StateArg {
    pub fn state(self) -> FeedbackState {
        match self {
            StateArg::Open => FeedbackState::Open,
            StateArg::Overdue => FeedbackState::Overdue,
            StateArg::Resolved => FeedbackState::Resolved,
            StateArg::All => FeedbackState::All,
        }
    }
}

#[derive(Debug, Args)]
pub struct FeedbackImportArgs {
    /// Exports: CSV, TSV, semicolon-separated text or .xlsx.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Name a column's meaning: COLUMN=FIELD, FIELD one of customer_id, date, kind, category,
    /// severity, channel, touchpoint, text, entry_id, ignore; COLUMN a header or a 1-based
    /// position.
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    pub map: Vec<String>,
    /// The kind of rows that name none.
    #[arg(long, value_enum, default_value_t = KindArg::Complaint)]
    pub kind: KindArg,
    /// The severity of rows that name none.
    #[arg(long, value_enum, default_value_t = SeverityArg::Normal)]
    pub severity: SeverityArg,
    /// The channel of rows that name none (email, phone, site...).
    #[arg(long, value_name = "NAME")]
    pub channel: Option<String>,
    /// Write the rejected rows (file, line, field, reason) to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    #[command(flatten)]
    pub db: DbArgs,
}

fn parse_map(arg: &str) -> Result<(ColumnRef, FeedbackField)> {
    let (column, field) = arg
        .rsplit_once('=')
        .filter(|(c, _)| !c.trim().is_empty())
        .ok_or_else(|| {
            anyhow!("--map '{arg}' is not COLUMN=FIELD (for example --map \"Суть\"=text)")
        })?;
    let field = FeedbackField::parse(field).ok_or_else(|| {
        anyhow!(
            "--map '{arg}': unknown field '{field}'; use one of customer_id, date, kind, category, severity, channel, touchpoint, text, entry_id, ignore"
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

impl FeedbackImportArgs {
    pub fn settings(&self, today: Day, actor: String) -> Result<FeedbackImportSettings> {
        Ok(FeedbackImportSettings {
            files: self.files.clone(),
            map: self
                .map
                .iter()
                .map(|m| parse_map(m))
                .collect::<Result<_>>()?,
            kind: self.kind.kind(),
            severity: self.severity.severity(),
            channel: self.channel.clone(),
            today,
            actor,
        })
    }
}

#[derive(Debug, Args)]
pub struct FeedbackListArgs {
    /// Which entries: open (not resolved), overdue, resolved or all.
    #[arg(long, value_enum, default_value_t = StateArg::Open)]
    pub state: StateArg,
    #[arg(long, value_enum)]
    pub kind: Option<KindArg>,
    /// Only this category.
    #[arg(long, value_name = "NAME")]
    pub category: Option<String>,
    /// At most this many entries (1 to 100,000).
    #[arg(long, default_value_t = 100, value_name = "N",
        value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t = FeedbackFormat::Text)]
    pub format: FeedbackFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct FeedbackActArgs {
    /// The entry's id (from `feedback list`).
    #[arg(value_parser = clap::value_parser!(i64).range(1..))]
    pub id: i64,
    /// What was answered or done (1 to 10,000 characters).
    #[arg(long)]
    pub note: String,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct FeedbackReportArgs {
    /// First day of entries counted (YYYY-MM-DD or DD.MM.YYYY). Default: 90 days before --to.
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day counted. Default: today.
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value_t = FeedbackFormat::Text)]
    pub format: FeedbackFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl FeedbackReportArgs {
    pub fn window(&self) -> Result<(Option<Day>, Option<Day>)> {
        let day = |t: &Option<String>| t.as_deref().map(parse_user_date).transpose();
        Ok((day(&self.from)?, day(&self.to)?))
    }
}

#[derive(Debug, Args)]
pub struct FeedbackTargetsArgs {
    /// The severity whose targets change (with --first-hours and --resolution-hours).
    #[arg(long, value_enum, requires_all = ["first_hours", "resolution_hours"])]
    pub severity: Option<SeverityArg>,
    /// Hours to the first response (1 to 8,760).
    #[arg(long, value_name = "HOURS", requires = "severity")]
    pub first_hours: Option<u32>,
    /// Hours to resolution (1 to 8,760; not less than --first-hours).
    #[arg(long, value_name = "HOURS", requires = "severity")]
    pub resolution_hours: Option<u32>,
    #[arg(long, value_enum, default_value_t = FeedbackFormat::Text)]
    pub format: FeedbackFormat,
    #[command(flatten)]
    pub db: DbArgs,
}
