//! Arguments of `clientele audit` (issue 23, item 8): the audit log, filtered.

use clap::{Args, ValueEnum};
use clientele_app::audit::AuditQuery;

use super::common::DbArgs;

/// How `audit` writes its answer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// One entry a line, for people.
    #[default]
    Text,
    /// `{"items": [...], "next_before": ID}`, as `GET /api/v1/audit` answers.
    Json,
    /// UTF-8 CSV with a header: id, at_utc, user, action, customer_id, detail.
    Csv,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries of this user (the name exactly; `cli` for the command line).
    #[arg(long, value_name = "U")]
    pub user: Option<String>,
    /// Only entries of this action: view, list, search, notes, export, audit, note, edit, ...
    #[arg(long, value_name = "A")]
    pub action: Option<String>,
    /// Only entries on this day (UTC, YYYY-MM-DD) or later.
    #[arg(long, value_name = "D")]
    pub from: Option<String>,
    /// Only entries on this day (UTC, YYYY-MM-DD, included) or earlier.
    #[arg(long, value_name = "D")]
    pub to: Option<String>,
    /// Entries older than this id (the `next_before` the previous page printed).
    #[arg(long, value_name = "ID")]
    pub before: Option<i64>,
    /// Entries at most, newest first (1..=1000).
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: u32,
    #[arg(long, value_enum, default_value_t)]
    pub format: AuditFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

impl AuditArgs {
    /// The use case's query; it checks the values (and names the flag when it refuses one).
    pub fn query(&self) -> AuditQuery {
        AuditQuery {
            user: self.user.clone(),
            action: self.action.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            before: self.before,
            limit: Some(self.limit),
        }
    }
}
