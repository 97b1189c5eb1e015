//! The improvement log (plan–do–check–act): an action with its owner, hypothesis, the group it
//! targets and the dates its check compares; added, listed, and decided on after the check.

use clientele_core::Day;

use super::surveys::check_label;
use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};

/// The longest title, owner or target, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The longest hypothesis or decision note, in characters.
pub const MAX_HYPOTHESIS_CHARS: usize = 5_000;

/// The group an action targets, whose before/after numbers its check compares.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// Every customer.
    All,
    /// Answers given at this touchpoint, and complaints about it.
    Touchpoint(String),
    /// Complaints of this category (and every answer).
    Category(String),
    /// Customers on this rung (in the latest snapshot).
    Rung(clientele_core::Rung),
}

impl TargetKind {
    pub fn kind_str(&self) -> &'static str {
        match self {
            TargetKind::All => "all",
            TargetKind::Touchpoint(_) => "touchpoint",
            TargetKind::Category(_) => "category",
            TargetKind::Rung(_) => "rung",
        }
    }

    pub fn value(&self) -> &str {
        match self {
            TargetKind::All => "",
            TargetKind::Touchpoint(t) | TargetKind::Category(t) => t,
            TargetKind::Rung(r) => r.as_str(),
        }
    }

    /// From a kind and a value as stored or typed: `all`, `touchpoint`+name, `category`+name,
    /// `rung`+rung.
    pub fn from_parts(kind: &str, value: &str) -> Option<TargetKind> {
        let value = value.trim();
        match kind {
            "all" => Some(TargetKind::All),
            "touchpoint" if !value.is_empty() => Some(TargetKind::Touchpoint(value.to_string())),
            "category" if !value.is_empty() => Some(TargetKind::Category(value.to_string())),
            "rung" => clientele_core::Rung::parse(value).map(TargetKind::Rung),
            _ => None,
        }
    }
}

/// What was decided after the check (the "act" of plan–do–check–act).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Keep it: make it the standard.
    Adopt,
    /// Change it and check again.
    Adjust,
    /// Drop it.
    Abandon,
}

impl Decision {
    pub const ALL: [Decision; 3] = [Decision::Adopt, Decision::Adjust, Decision::Abandon];

    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Adopt => "adopt",
            Decision::Adjust => "adjust",
            Decision::Abandon => "abandon",
        }
    }

    pub fn parse(text: &str) -> Option<Decision> {
        Decision::ALL.into_iter().find(|d| d.as_str() == text)
    }
}

/// An action to log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewImprovement {
    pub title: String,
    pub owner: String,
    pub hypothesis: String,
    pub target: TargetKind,
    pub start: Day,
    /// After `start`.
    pub check: Day,
    pub created_by: String,
}

/// An action of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Improvement {
    pub id: i64,
    pub title: String,
    pub owner: String,
    pub hypothesis: String,
    pub target: TargetKind,
    pub start: Day,
    pub check: Day,
    pub decision: Option<Decision>,
    pub decision_note: Option<String>,
    pub decided_at: Option<i64>,
    pub decided_by: Option<String>,
    pub created_at: i64,
    pub created_by: String,
}

fn check_text(field: &'static str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() {
        return Err(StoreError::invalid(field, "is empty"));
    }
    if text.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    Ok(())
}

type Row = (
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    i64,
    String,
);

const COLUMNS: &str =
    "SELECT id, title, owner, hypothesis, target_kind, target, start_day, check_day,
    decision, decision_note, decided_at, decided_by, created_at, created_by FROM improvements";

fn improvement_of(
    (
        id,
        title,
        owner,
        hypothesis,
        kind,
        target,
        start,
        check,
        decision,
        note,
        at,
        by,
        created_at,
        created_by,
    ): Row,
) -> Result<Improvement> {
    let unreadable = |column: &'static str, value: String| StoreError::Unreadable { column, value };
    Ok(Improvement {
        id,
        title,
        owner,
        hypothesis,
        target: TargetKind::from_parts(&kind, &target)
            .ok_or_else(|| unreadable("improvements.target", format!("{kind} {target}")))?,
        start: day_from_db(start),
        check: day_from_db(check),
        decision: decision
            .map(|d| Decision::parse(&d).ok_or_else(|| unreadable("improvements.decision", d)))
            .transpose()?,
        decision_note: note,
        decided_at: at,
        decided_by: by,
        created_at,
        created_by,
    })
}

impl Store {
    /// Logs an action, with an audit entry.
    pub async fn add_improvement(&self, new: &NewImprovement) -> Result<Improvement> {
        check_text("title", &new.title, MAX_TITLE_CHARS)?;
        check_label("owner", &new.owner, MAX_TITLE_CHARS)?;
        check_text("hypothesis", &new.hypothesis, MAX_HYPOTHESIS_CHARS)?;
        if let TargetKind::Touchpoint(t) | TargetKind::Category(t) = &new.target {
            check_label("target", t, MAX_TITLE_CHARS)?;
        }
        if new.check <= new.start {
            return Err(StoreError::invalid(
                "check",
                "the check date must come after the start date",
            ));
        }
        let at = now();
        let id: i64 = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO improvements (title, owner, hypothesis, target_kind, target, start_day, check_day, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(new.title.trim())
            .bind(new.owner.trim())
            .bind(new.hypothesis.trim())
            .bind(new.target.kind_str())
            .bind(new.target.value())
            .bind(day_to_db(new.start))
            .bind(day_to_db(new.check))
            .bind(at)
            .bind(&new.created_by)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'improvement', NULL, $3)",
            )
            .bind(at)
            .bind(&new.created_by)
            .bind(format!("improvement {id} logged: {}", new.title.trim()))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            id
        });
        self.improvement(id).await
    }

    /// One action of the log; `NotFound` otherwise.
    pub async fn improvement(&self, id: i64) -> Result<Improvement> {
        let sql = format!("{COLUMNS} WHERE id = $1");
        let row: Option<Row> = dispatch!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).bind(id).fetch_optional(pool).await?
        });
        improvement_of(row.ok_or_else(|| StoreError::not_found("improvement", id))?)
    }

    /// Every action of the log, the latest check date first.
    pub async fn improvements(&self) -> Result<Vec<Improvement>> {
        let sql = format!("{COLUMNS} ORDER BY check_day DESC, id DESC");
        let rows: Vec<Row> = dispatch!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str())).fetch_all(pool).await?
        });
        rows.into_iter().map(improvement_of).collect()
    }

    /// Records the decision taken after the check, with an audit entry (a later decision
    /// replaces an earlier one: an adjusted action may be adopted after its next check).
    pub async fn decide_improvement(
        &self,
        id: i64,
        decision: Decision,
        note: Option<&str>,
        actor: &str,
    ) -> Result<Improvement> {
        if let Some(n) = note {
            check_text("note", n, MAX_HYPOTHESIS_CHARS)?;
        }
        self.improvement(id).await?;
        let at = now();
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            sqlx::query(
                "UPDATE improvements SET decision = $1, decision_note = $2, decided_at = $3, decided_by = $4 WHERE id = $5",
            )
            .bind(decision.as_str())
            .bind(note.map(str::trim))
            .bind(at)
            .bind(actor)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'improvement', NULL, $3)",
            )
            .bind(at)
            .bind(actor)
            .bind(format!("improvement {id}: {}", decision.as_str()))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        self.improvement(id).await
    }
}
