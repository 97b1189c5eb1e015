//! Survey answers from the API and imports: stored in one transaction, idempotent by the
//! sender's answer id, each detractor (or passive) answer opening its follow-up task in the same
//! transaction. Answers through invitation links are in `invitations.rs`.

use clientele_core::Day;
use clientele_core::closed_loop::{FollowUpKind, ResponseTargets};
use clientele_core::nps::NpsRating;
use clientele_core::nps::csat::CsatScore;

use super::surveys::SurveyKind;
use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};

/// Answers older than this many days when they reach the store count in the statistics but open
/// no follow-up task: an import of last year's answers should not fill the task list with calls
/// that are months overdue the moment they appear.
pub const FOLLOW_UP_MAX_AGE_DAYS: i64 = 30;

/// The score of one answer, on its scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AnswerScore {
    Nps(NpsRating),
    Csat(CsatScore),
}

impl AnswerScore {
    pub fn kind(self) -> SurveyKind {
        match self {
            AnswerScore::Nps(r) => SurveyKind::Nps(r.scale()),
            AnswerScore::Csat(_) => SurveyKind::Csat,
        }
    }

    /// The score as given.
    pub fn value(self) -> u8 {
        match self {
            AnswerScore::Nps(r) => r.score().get(),
            AnswerScore::Csat(s) => s.get(),
        }
    }

    /// The follow-up this answer asks for.
    pub fn follow_up(self) -> Option<FollowUpKind> {
        match self {
            AnswerScore::Nps(r) => FollowUpKind::for_nps(r.category()),
            AnswerScore::Csat(s) => FollowUpKind::for_csat(s),
        }
    }

    /// `value` checked against the scale of `kind`.
    pub fn on(kind: SurveyKind, value: u32) -> Option<AnswerScore> {
        match kind {
            SurveyKind::Nps(scale) => NpsRating::new(value, scale).ok().map(AnswerScore::Nps),
            SurveyKind::Csat => CsatScore::new(value).ok().map(AnswerScore::Csat),
        }
    }

    fn nps_column(self) -> Option<i64> {
        match self {
            AnswerScore::Nps(r) => Some(i64::from(r.score().get())),
            AnswerScore::Csat(_) => None,
        }
    }

    fn csat_column(self) -> Option<i64> {
        match self {
            AnswerScore::Nps(_) => None,
            AnswerScore::Csat(s) => Some(i64::from(s.get())),
        }
    }

    /// From the stored kind, scale and score columns.
    pub(crate) fn from_columns(
        kind: &str,
        scale: &str,
        nps: Option<i64>,
        csat: Option<i64>,
    ) -> Result<AnswerScore> {
        let unreadable = || StoreError::Unreadable {
            column: "survey_responses.nps, csat",
            value: format!("{kind} {scale}: {nps:?} {csat:?}"),
        };
        let kind = SurveyKind::from_columns(kind, scale)?;
        let value = match kind {
            SurveyKind::Nps(_) => nps,
            SurveyKind::Csat => csat,
        };
        let value = value
            .and_then(|v| u32::try_from(v).ok())
            .ok_or_else(unreadable)?;
        AnswerScore::on(kind, value).ok_or_else(unreadable)
    }
}

/// An answer to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAnswer {
    /// The customer's internal id (the caller resolved the external id).
    pub customer_id: i64,
    /// The sender's id: the same id again changes nothing.
    pub answer_id: Option<String>,
    pub survey_id: Option<i64>,
    pub score: AnswerScore,
    pub comment: Option<String>,
    pub channel: Option<String>,
    pub touchpoint: Option<String>,
    /// The day it was given (decides its period).
    pub day: Day,
    /// When it was given (orders a respondent's answers within a day).
    pub answered_at: i64,
    /// Where it came from: `api`, `import`, `link`.
    pub source: String,
}

/// What an answer already stored under the same answer id says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredAnswer {
    pub customer_id: i64,
    pub score: AnswerScore,
    pub day: Day,
    pub comment: Option<String>,
}

/// What became of one answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerOutcome {
    /// Stored, with the follow-up task it opened (if it asks for one and is recent enough).
    Stored {
        response_id: i64,
        task_id: Option<i64>,
    },
    /// The same answer id with the same answer was already stored: nothing changed.
    Unchanged { response_id: i64 },
    /// The same answer id is stored with a different answer: not written.
    Conflict {
        response_id: i64,
        stored: StoredAnswer,
    },
}

/// The statement that opens a follow-up task for a response, for the customer's manager at that
/// moment (the queue when unassigned). `$1` response, `$2` kind, `$3` opened, `$4` due,
/// `$5` customer.
pub(crate) const OPEN_TASK_SQL: &str =
    "INSERT INTO followup_tasks (response_id, customer_id, kind, manager_user_id, opened_at, due_at)
     SELECT $1, c.id, $2, c.manager_user_id, $3, $4 FROM customers c WHERE c.id = $5
     ON CONFLICT (response_id) DO NOTHING
     RETURNING id";

/// [`OPEN_TASK_SQL`] for an answer that may have been given before: a new task, or the open
/// task re-aimed (kind and due time) when the answer's kind changed; an answered or closed task
/// stays as it is.
pub(crate) const OPEN_OR_REAIM_TASK_SQL: &str =
    "INSERT INTO followup_tasks (response_id, customer_id, kind, manager_user_id, opened_at, due_at)
     SELECT $1, c.id, $2, c.manager_user_id, $3, $4 FROM customers c WHERE c.id = $5
     ON CONFLICT (response_id) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at
     WHERE followup_tasks.answered_at IS NULL AND followup_tasks.closed_at IS NULL
       AND followup_tasks.kind <> excluded.kind
     RETURNING id";

/// The task an answer given at `answered_at` opens when it reaches the store at `now`: its kind
/// and due time; `None` when the answer asks for none or is too old to.
pub(crate) fn task_for(
    score: AnswerScore,
    answered_at: i64,
    now: i64,
    targets: &ResponseTargets,
) -> Option<(FollowUpKind, i64)> {
    if now.saturating_sub(answered_at) > FOLLOW_UP_MAX_AGE_DAYS * 86_400 {
        return None;
    }
    let kind = score.follow_up()?;
    // The clock starts when the answer reaches Clientele: nobody can call back earlier.
    Some((kind, targets.due(kind, now)?))
}

type StoredColumns = (
    i64,
    i64,
    String,
    String,
    Option<i64>,
    Option<i64>,
    i64,
    Option<String>,
);

impl Store {
    /// Stores answers in one transaction. An answer whose id is already stored is `Unchanged`
    /// when it says the same (customer, scale, score, day, comment), else a `Conflict` that is
    /// not written; with `all_or_nothing`, a conflict rolls the whole batch back (the outcomes
    /// still say which). Returns the outcomes in input order and whether anything was committed.
    pub async fn store_answers(
        &self,
        answers: &[NewAnswer],
        targets: &ResponseTargets,
        all_or_nothing: bool,
    ) -> Result<(Vec<AnswerOutcome>, bool)> {
        let at = now();
        let begin = match self {
            Store::Sqlite(_) => "BEGIN IMMEDIATE",
            Store::Postgres(_) => "BEGIN",
        };
        let (outcomes, committed) = dispatch!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let mut outcomes = Vec::with_capacity(answers.len());
            let mut conflicts = false;
            for a in answers {
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO survey_responses
                       (customer_id, day, nps, csat, kind, scale, comment, source, answer_id, survey_id, channel, touchpoint, answered_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                     ON CONFLICT (answer_id) DO NOTHING
                     RETURNING id",
                )
                .bind(a.customer_id)
                .bind(day_to_db(a.day))
                .bind(a.score.nps_column())
                .bind(a.score.csat_column())
                .bind(a.score.kind().kind_str())
                .bind(a.score.kind().scale_str())
                .bind(&a.comment)
                .bind(&a.source)
                .bind(&a.answer_id)
                .bind(a.survey_id)
                .bind(&a.channel)
                .bind(&a.touchpoint)
                .bind(a.answered_at)
                .fetch_optional(&mut *tx)
                .await?;
                let outcome = match id {
                    Some(response_id) => {
                        let task_id = match task_for(a.score, a.answered_at, at, targets) {
                            Some((kind, due)) => {
                                sqlx::query_scalar(OPEN_TASK_SQL)
                                    .bind(response_id)
                                    .bind(kind.as_str())
                                    .bind(at)
                                    .bind(due)
                                    .bind(a.customer_id)
                                    .fetch_optional(&mut *tx)
                                    .await?
                            }
                            None => None,
                        };
                        AnswerOutcome::Stored { response_id, task_id }
                    }
                    None => {
                        let row: StoredColumns = sqlx::query_as(
                            "SELECT id, customer_id, kind, scale, nps, csat, day, comment
                             FROM survey_responses WHERE answer_id = $1",
                        )
                        .bind(&a.answer_id)
                        .fetch_one(&mut *tx)
                        .await?;
                        let (response_id, customer_id, kind, scale, nps, csat, day, comment) = row;
                        let stored = StoredAnswer {
                            customer_id,
                            score: AnswerScore::from_columns(&kind, &scale, nps, csat)?,
                            day: day_from_db(day),
                            comment,
                        };
                        if stored.customer_id == a.customer_id
                            && stored.score == a.score
                            && stored.day == a.day
                            && stored.comment == a.comment
                        {
                            AnswerOutcome::Unchanged { response_id }
                        } else {
                            conflicts = true;
                            AnswerOutcome::Conflict { response_id, stored }
                        }
                    }
                };
                outcomes.push(outcome);
            }
            let commit = !(all_or_nothing && conflicts);
            if commit {
                tx.commit().await?;
            } else {
                tx.rollback().await?;
            }
            (outcomes, commit)
        });
        Ok((outcomes, committed))
    }

    /// Internal ids of customers by external id (erased customers included: their answers were
    /// kept); ids not found are absent from the answer.
    pub async fn customer_ids_by_external(
        &self,
        external_ids: &[String],
    ) -> Result<std::collections::HashMap<String, i64>> {
        let mut found = std::collections::HashMap::with_capacity(external_ids.len());
        // One statement per 500 ids keeps within every backend's parameter limit.
        for chunk in external_ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT external_id, id FROM customers WHERE external_id IN ({})",
                placeholders.join(", ")
            );
            let rows: Vec<(String, i64)> = dispatch!(self, pool => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()));
                for id in chunk {
                    q = q.bind(id);
                }
                q.fetch_all(pool).await?
            });
            found.extend(rows);
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clientele_core::nps::NpsScale;

    #[test]
    fn scores_round_trip_through_their_columns() {
        for (kind, value) in [
            (SurveyKind::Nps(NpsScale::ZeroToTen), 0),
            (SurveyKind::Nps(NpsScale::OneToTen), 10),
            (SurveyKind::Csat, 3),
        ] {
            let s = AnswerScore::on(kind, value).unwrap();
            let back = AnswerScore::from_columns(
                kind.kind_str(),
                kind.scale_str(),
                s.nps_column(),
                s.csat_column(),
            )
            .unwrap();
            assert_eq!(back, s);
            assert_eq!(back.value(), value as u8);
        }
        assert_eq!(
            AnswerScore::on(SurveyKind::Nps(NpsScale::OneToTen), 0),
            None
        );
        assert_eq!(AnswerScore::on(SurveyKind::Csat, 6), None);
        assert!(AnswerScore::from_columns("nps", "0-10", None, Some(3)).is_err());
    }

    #[test]
    fn old_answers_open_no_task_and_the_clock_starts_on_arrival() {
        let t = ResponseTargets::default();
        let now = 10_000_000;
        let detractor = AnswerScore::on(SurveyKind::Nps(NpsScale::ZeroToTen), 3).unwrap();
        assert_eq!(
            task_for(detractor, now - 3_600, now, &t),
            Some((FollowUpKind::Detractor, now + 48 * 3_600))
        );
        assert_eq!(
            task_for(detractor, now - 31 * 86_400, now, &t),
            None,
            "older than 30 days"
        );
        let promoter = AnswerScore::on(SurveyKind::Nps(NpsScale::ZeroToTen), 9).unwrap();
        assert_eq!(task_for(promoter, now, now, &t), None);
    }
}
