//! Surveys: a named question (NPS on 0–10 or 1–10, CSAT on 1–5) with a touchpoint, how long its
//! links stay open and when it closes; created, found by name, listed with their counts, closed.

use clientele_core::nps::NpsScale;

use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};

/// The longest survey name, in characters.
pub const MAX_SURVEY_NAME_CHARS: usize = 100;
/// The longest touchpoint or channel name, in characters.
pub const MAX_LABEL_CHARS: usize = 100;

/// What a survey asks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SurveyKind {
    /// "How likely are you to recommend us?", on its scale.
    Nps(NpsScale),
    /// "How satisfied are you?", 1–5.
    Csat,
}

impl SurveyKind {
    /// `nps` or `csat`.
    pub fn kind_str(self) -> &'static str {
        match self {
            SurveyKind::Nps(_) => "nps",
            SurveyKind::Csat => "csat",
        }
    }

    /// `0-10`, `1-10` or `1-5`.
    pub fn scale_str(self) -> &'static str {
        match self {
            SurveyKind::Nps(scale) => scale.as_str(),
            SurveyKind::Csat => "1-5",
        }
    }

    /// The lowest and highest score of the scale.
    pub fn range(self) -> (u8, u8) {
        match self {
            SurveyKind::Nps(scale) => (scale.min(), 10),
            SurveyKind::Csat => (1, 5),
        }
    }

    /// From the stored kind and scale.
    pub(crate) fn from_columns(kind: &str, scale: &str) -> Result<SurveyKind> {
        match (kind, scale) {
            ("nps", "0-10") => Ok(SurveyKind::Nps(NpsScale::ZeroToTen)),
            ("nps", "1-10") => Ok(SurveyKind::Nps(NpsScale::OneToTen)),
            ("csat", "1-5") => Ok(SurveyKind::Csat),
            _ => Err(StoreError::Unreadable {
                column: "kind, scale",
                value: format!("{kind}, {scale}"),
            }),
        }
    }
}

/// A survey to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSurvey {
    pub name: String,
    pub kind: SurveyKind,
    pub touchpoint: Option<String>,
    /// How long an invitation link stays open, in days (1..=365).
    pub link_days: u32,
    /// No answer is taken or changed after this instant; `None`: open until closed.
    pub closes_at: Option<i64>,
    pub created_by: String,
}

/// A survey as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Survey {
    pub id: i64,
    pub name: String,
    pub kind: SurveyKind,
    pub touchpoint: Option<String>,
    pub link_days: u32,
    pub closes_at: Option<i64>,
    pub created_at: i64,
    pub created_by: String,
}

impl Survey {
    /// Whether answers are still taken at `now`.
    pub fn open_at(&self, now: i64) -> bool {
        self.closes_at.is_none_or(|c| now <= c)
    }
}

/// A survey with how many were invited and how many answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SurveyStats {
    pub survey: Survey,
    pub invited: u64,
    pub answered: u64,
}

/// Checks a short label (a name, touchpoint or channel): not empty, at most `max` characters,
/// no control characters.
pub(crate) fn check_label(field: &'static str, text: &str, max: usize) -> Result<()> {
    if text.trim().is_empty() {
        return Err(StoreError::invalid(field, "is empty"));
    }
    if text.chars().count() > max {
        return Err(StoreError::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    if text.chars().any(char::is_control) {
        return Err(StoreError::invalid(field, "holds control characters"));
    }
    Ok(())
}

pub(crate) type SurveyColumns = (
    i64,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
    i64,
    String,
);

pub(crate) const SURVEY_COLUMNS: &str = "s.id, s.name, s.kind, s.scale, s.touchpoint, s.link_days, s.closes_at, s.created_at, s.created_by";

pub(crate) fn survey_from(
    (id, name, kind, scale, touchpoint, link_days, closes_at, created_at, created_by): SurveyColumns,
) -> Result<Survey> {
    Ok(Survey {
        id,
        name,
        kind: SurveyKind::from_columns(&kind, &scale)?,
        touchpoint,
        link_days: u32::try_from(link_days).map_err(|_| StoreError::Unreadable {
            column: "surveys.link_days",
            value: link_days.to_string(),
        })?,
        closes_at,
        created_at,
        created_by,
    })
}

impl Store {
    /// Creates a survey; `Conflict` when the name is taken.
    pub async fn create_survey(&self, new: &NewSurvey) -> Result<Survey> {
        check_label("name", &new.name, MAX_SURVEY_NAME_CHARS)?;
        if let Some(t) = &new.touchpoint {
            check_label("touchpoint", t, MAX_LABEL_CHARS)?;
        }
        if !(1..=365).contains(&new.link_days) {
            return Err(StoreError::invalid(
                "link_days",
                "must be between 1 and 365 days",
            ));
        }
        let at = now();
        let name = new.name.trim();
        let id: Option<i64> = dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO surveys (name, kind, scale, touchpoint, link_days, closes_at, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                 ON CONFLICT (name) DO NOTHING RETURNING id",
            )
            .bind(name)
            .bind(new.kind.kind_str())
            .bind(new.kind.scale_str())
            .bind(new.touchpoint.as_deref().map(str::trim))
            .bind(i64::from(new.link_days))
            .bind(new.closes_at)
            .bind(at)
            .bind(&new.created_by)
            .fetch_optional(&mut *tx)
            .await?;
            if id.is_some() {
                sqlx::query(
                    "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'survey', NULL, $3)",
                )
                .bind(at)
                .bind(&new.created_by)
                .bind(format!("survey '{name}' created ({} {})", new.kind.kind_str(), new.kind.scale_str()))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            id
        });
        let id = id.ok_or_else(|| StoreError::Conflict(format!("survey '{name}'")))?;
        Ok(Survey {
            id,
            name: name.to_string(),
            kind: new.kind,
            touchpoint: new.touchpoint.as_deref().map(|t| t.trim().to_string()),
            link_days: new.link_days,
            closes_at: new.closes_at,
            created_at: at,
            created_by: new.created_by.clone(),
        })
    }

    /// The survey named `name`; `NotFound` otherwise.
    pub async fn survey_by_name(&self, name: &str) -> Result<Survey> {
        let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys s WHERE s.name = $1");
        let row: Option<SurveyColumns> = dispatch!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(name.trim()).fetch_optional(pool).await?
        });
        survey_from(row.ok_or_else(|| StoreError::not_found("survey", name))?)
    }

    /// Every survey, newest first, with its invitations and answers counted.
    pub async fn surveys(&self) -> Result<Vec<SurveyStats>> {
        let sql = format!(
            "SELECT {SURVEY_COLUMNS},
                    (SELECT COUNT(*) FROM survey_invitations i WHERE i.survey_id = s.id),
                    (SELECT COUNT(*) FROM survey_responses r WHERE r.survey_id = s.id)
             FROM surveys s ORDER BY s.created_at DESC, s.id DESC"
        );
        type Row = (
            i64,
            String,
            String,
            String,
            Option<String>,
            i64,
            Option<i64>,
            i64,
            String,
            i64,
            i64,
        );
        let rows: Vec<Row> = dispatch!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|(a, b, c, d, e, f, g, h, i, invited, answered)| {
                Ok(SurveyStats {
                    survey: survey_from((a, b, c, d, e, f, g, h, i))?,
                    invited: invited.max(0) as u64,
                    answered: answered.max(0) as u64,
                })
            })
            .collect()
    }

    /// Closes a survey at `at` (no answer is taken or changed after it), with an audit entry.
    pub async fn close_survey(&self, name: &str, at: i64, actor: &str) -> Result<Survey> {
        let survey = self.survey_by_name(name).await?;
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            sqlx::query("UPDATE surveys SET closes_at = $1 WHERE id = $2")
                .bind(at)
                .bind(survey.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'survey', NULL, $3)",
            )
            .bind(now())
            .bind(actor)
            .bind(format!("survey '{}' closed", survey.name))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(Survey {
            closes_at: Some(at),
            ..survey
        })
    }
}
