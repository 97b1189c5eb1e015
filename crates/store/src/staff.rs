//! Staff voice's storage (issue 28 item 1): surveys, one-time codes handed out per department,
//! and the answers, anonymous by construction.
//!
//! What is never stored: who got which code (codes are printed once and handed out on paper or in
//! envelopes), a code once used (its hash is deleted in the transaction that takes the answer),
//! and anything about an answer beyond its survey, department and scores (no person, no time, no
//! code). An answer first waits in `staff_pending`; once the survey's batch size of answers of a
//! department have come in, the batch moves to `staff_answers` in a shuffled order — the reports
//! read only that table, so neither when an answer came nor where it sits says whose it is.
//! Closing a survey releases what waits and deletes the unused codes.

use rand::Rng;
use rand::seq::SliceRandom;
use sha2::{Digest, Sha256};
use sqlx::Row;

use clientele_core::Day;

use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};

/// The longest survey title and department name, in characters.
pub const MAX_STAFF_NAME_CHARS: usize = 100;
/// The most codes handed out for one department at once.
pub const MAX_CODES_AT_ONCE: u32 = 1_000;
/// The batch sizes a survey may have: below three a batch would tell too much.
pub const STAFF_BATCH_SIZES: std::ops::RangeInclusive<u32> = 3..=100;
/// Characters of a code: no 0/o, 1/l/i, so a code read aloud or from paper is typed right.
const CODE_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Characters of a code (about 59 bits), printed in groups of four.
pub const CODE_CHARS: usize = 12;

/// A survey of the staff.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffSurvey {
    pub id: i64,
    pub title: String,
    /// Its month or quarter is the answers' period.
    pub day: Day,
    pub batch_size: u32,
    pub created_at: i64,
    pub created_by: String,
    pub closed_at: Option<i64>,
    /// (department, codes handed out), by department.
    pub departments: Vec<(String, u64)>,
    /// Answers released so far (those still waiting for their batch are not counted, so the
    /// number moves a batch at a time).
    pub released: u64,
}

/// One released answer: the survey's day, the department and the scores, nothing more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaffAnswerRow {
    pub survey_id: i64,
    pub day: Day,
    pub department: String,
    pub nps: u8,
    /// Satisfaction 1..=5 per question of `clientele_core::staff::SATISFACTION_QUESTIONS`.
    pub satisfaction: [Option<u8>; 6],
}

fn check_name(field: &'static str, text: &str) -> Result<()> {
    if text.trim().is_empty()
        || text.chars().count() > MAX_STAFF_NAME_CHARS
        || text.chars().any(char::is_control)
    {
        return Err(StoreError::invalid(
            field,
            format!("1 to {MAX_STAFF_NAME_CHARS} characters without control characters"),
        ));
    }
    Ok(())
}

fn new_code() -> String {
    let mut rng = rand::rng();
    let chars: Vec<u8> = (0..CODE_CHARS)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())])
        .collect();
    let text = String::from_utf8(chars).unwrap_or_default();
    // abcd-efgh-jkmn
    text.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The code as typed, reduced to its characters (case, spaces and dashes do not matter); `None`
/// when it cannot be a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (code.len() == CODE_CHARS && code.bytes().all(|b| CODE_ALPHABET.contains(&b))).then_some(code)
}

fn code_hash(normalized: &str) -> String {
    Sha256::digest(normalized.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn check_scores(nps: u8, satisfaction: &[Option<u8>; 6]) -> Result<()> {
    if nps > 10 {
        return Err(StoreError::invalid("nps", "0 to 10"));
    }
    if satisfaction.iter().flatten().any(|s| !(1..=5).contains(s)) {
        return Err(StoreError::invalid("satisfaction", "each 1 to 5"));
    }
    Ok(())
}

type Scores = (
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// Moves a department's waiting answers into the released ones as the next batch, shuffled;
/// evaluates to how many moved. Written as a macro so the one text runs in either backend's
/// transaction inside `dispatch!`.
macro_rules! release {
    ($tx:expr, $survey_id:expr, $department:expr) => {{
        let mut rows: Vec<Scores> = sqlx::query_as(
            "DELETE FROM staff_pending WHERE survey_id = $1 AND department = $2
             RETURNING nps, s_work, s_manager, s_team, s_pay, s_growth, s_tools",
        )
        .bind($survey_id)
        .bind($department)
        .fetch_all(&mut *$tx)
        .await?;
        rows.shuffle(&mut rand::rng());
        let batch: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(batch), 0) + 1 FROM staff_answers WHERE survey_id = $1",
        )
        .bind($survey_id)
        .fetch_one(&mut *$tx)
        .await?;
        for r in &rows {
            sqlx::query(
                "INSERT INTO staff_answers
                    (survey_id, department, batch, nps, s_work, s_manager, s_team, s_pay, s_growth, s_tools)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind($survey_id)
            .bind($department)
            .bind(batch)
            .bind(r.0)
            .bind(r.1)
            .bind(r.2)
            .bind(r.3)
            .bind(r.4)
            .bind(r.5)
            .bind(r.6)
            .execute(&mut *$tx)
            .await?;
        }
        rows.len() as u64
    }};
}

impl Store {
    /// Opens a survey held on `day`, releasing answers `batch_size` at a time per department.
    pub async fn create_staff_survey(
        &self,
        title: &str,
        day: Day,
        batch_size: u32,
        by: &str,
    ) -> Result<i64> {
        check_name("title", title)?;
        if !STAFF_BATCH_SIZES.contains(&batch_size) {
            return Err(StoreError::invalid("batch_size", "3 to 100"));
        }
        let at = now();
        let id = dispatch!(self, pool => {
            sqlx::query_scalar::<_, i64>(
                "INSERT INTO staff_surveys (title, day, batch_size, created_at, created_by)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(title.trim())
            .bind(day_to_db(day))
            .bind(i64::from(batch_size))
            .bind(at)
            .bind(by)
            .fetch_one(pool)
            .await?
        });
        Ok(id)
    }

    /// Every survey, newest first, with the codes handed out per department and the answers
    /// released.
    pub async fn staff_surveys(&self) -> Result<Vec<StaffSurvey>> {
        let mut surveys = dispatch!(self, pool => {
            sqlx::query(
                "SELECT s.id, s.title, s.day, s.batch_size, s.created_at, s.created_by, s.closed_at,
                        (SELECT COUNT(*) FROM staff_answers a WHERE a.survey_id = s.id)
                 FROM staff_surveys s ORDER BY s.day DESC, s.id DESC",
            )
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                Ok(StaffSurvey {
                    id: r.try_get(0)?,
                    title: r.try_get(1)?,
                    day: day_from_db(r.try_get(2)?),
                    batch_size: r.try_get::<i64, _>(3)? as u32,
                    created_at: r.try_get(4)?,
                    created_by: r.try_get(5)?,
                    closed_at: r.try_get(6)?,
                    departments: Vec::new(),
                    released: r.try_get::<i64, _>(7)? as u64,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        let departments: Vec<(i64, String, i64)> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT survey_id, department, issued FROM staff_departments
                 ORDER BY survey_id, department",
            )
            .fetch_all(pool)
            .await?
        });
        for (survey, department, issued) in departments {
            if let Some(s) = surveys.iter_mut().find(|s| s.id == survey) {
                s.departments.push((department, issued as u64));
            }
        }
        Ok(surveys)
    }

    /// One survey.
    pub async fn staff_survey(&self, id: i64) -> Result<StaffSurvey> {
        self.staff_surveys()
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| StoreError::not_found("staff survey", id))
    }

    /// Makes `count` one-time codes for `department` of an open survey and returns them: this is
    /// the only time they exist in the clear; only their hashes are kept.
    pub async fn issue_staff_codes(
        &self,
        survey_id: i64,
        department: &str,
        count: u32,
    ) -> Result<Vec<String>> {
        check_name("department", department)?;
        if !(1..=MAX_CODES_AT_ONCE).contains(&count) {
            return Err(StoreError::invalid(
                "count",
                format!("1 to {MAX_CODES_AT_ONCE}"),
            ));
        }
        let survey = self.staff_survey(survey_id).await?;
        if survey.closed_at.is_some() {
            return Err(StoreError::invalid("survey", "the survey is closed"));
        }
        let department = department.trim();
        let codes: Vec<String> = (0..count).map(|_| new_code()).collect();
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            for code in &codes {
                let normalized = normalize_code(code).unwrap_or_default();
                sqlx::query("INSERT INTO staff_codes (code_sha256, survey_id, department) VALUES ($1, $2, $3)")
                    .bind(code_hash(&normalized))
                    .bind(survey_id)
                    .bind(department)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO staff_departments (survey_id, department, issued) VALUES ($1, $2, $3)
                 ON CONFLICT (survey_id, department) DO UPDATE
                 SET issued = staff_departments.issued + excluded.issued",
            )
            .bind(survey_id)
            .bind(department)
            .bind(i64::from(count))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(codes)
    }

    /// Takes one answer given with a code: the code is spent (its hash deleted), the answer waits
    /// for its department's batch, and a full batch is released shuffled — all in one
    /// transaction. An unknown, used or closed survey's code is `NotFound`.
    pub async fn answer_staff_survey(
        &self,
        code: &str,
        nps: u8,
        satisfaction: [Option<u8>; 6],
    ) -> Result<()> {
        check_scores(nps, &satisfaction)?;
        let Some(normalized) = normalize_code(code) else {
            return Err(StoreError::not_found("code", "(unknown or used)"));
        };
        let hash = code_hash(&normalized);
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let spent: Option<(i64, String)> = sqlx::query_as(
                "DELETE FROM staff_codes WHERE code_sha256 = $1 RETURNING survey_id, department",
            )
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((survey_id, department)) = spent else {
                return Err(StoreError::not_found("code", "(unknown or used)"));
            };
            // Serialises answers to one survey, so a batch is released once.
            let batch_size: i64 = sqlx::query_scalar(
                "UPDATE staff_surveys SET batch_size = batch_size WHERE id = $1 RETURNING batch_size",
            )
            .bind(survey_id)
            .fetch_one(&mut *tx)
            .await?;
            let mut insert = sqlx::query(
                "INSERT INTO staff_pending (survey_id, department, nps, s_work, s_manager, s_team, s_pay, s_growth, s_tools)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(survey_id)
            .bind(&department)
            .bind(i64::from(nps));
            for s in satisfaction {
                insert = insert.bind(s.map(i64::from));
            }
            insert.execute(&mut *tx).await?;
            let waiting: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM staff_pending WHERE survey_id = $1 AND department = $2",
            )
            .bind(survey_id)
            .bind(&department)
            .fetch_one(&mut *tx)
            .await?;
            if waiting >= batch_size {
                release!(tx, survey_id, &department);
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Closes a survey: releases every waiting answer (whatever their number) and deletes the
    /// unused codes. Returns how many answers were released now.
    pub async fn close_staff_survey(&self, survey_id: i64) -> Result<u64> {
        let survey = self.staff_survey(survey_id).await?;
        if survey.closed_at.is_some() {
            return Err(StoreError::invalid(
                "survey",
                "the survey is already closed",
            ));
        }
        let at = now();
        let released = dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE staff_surveys SET closed_at = $2 WHERE id = $1")
                .bind(survey_id)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM staff_codes WHERE survey_id = $1")
                .bind(survey_id)
                .execute(&mut *tx)
                .await?;
            let departments: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT department FROM staff_pending WHERE survey_id = $1 ORDER BY department",
            )
            .bind(survey_id)
            .fetch_all(&mut *tx)
            .await?;
            let mut released = 0u64;
            for d in &departments {
                released += release!(tx, survey_id, d);
            }
            tx.commit().await?;
            released
        });
        Ok(released)
    }

    /// Every released answer of the surveys held from `from` to `to` (both included).
    pub async fn staff_answers(&self, from: Day, to: Day) -> Result<Vec<StaffAnswerRow>> {
        let rows = dispatch!(self, pool => {
            sqlx::query(
                "SELECT a.survey_id, s.day, a.department,
                        a.nps, a.s_work, a.s_manager, a.s_team, a.s_pay, a.s_growth, a.s_tools
                 FROM staff_answers a JOIN staff_surveys s ON s.id = a.survey_id
                 WHERE s.day BETWEEN $1 AND $2
                 ORDER BY s.day, a.survey_id, a.department",
            )
            .bind(day_to_db(from))
            .bind(day_to_db(to))
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| {
                let score = |i: usize| -> Result<Option<u8>, sqlx::Error> {
                    Ok(r.try_get::<Option<i64>, _>(i)?.map(|v| v as u8))
                };
                Ok(StaffAnswerRow {
                    survey_id: r.try_get(0)?,
                    day: day_from_db(r.try_get(1)?),
                    department: r.try_get(2)?,
                    nps: r.try_get::<i64, _>(3)? as u8,
                    satisfaction: [score(4)?, score(5)?, score(6)?, score(7)?, score(8)?, score(9)?],
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }
}
