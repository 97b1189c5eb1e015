//! Follow-up tasks of the closed loop: listed by state within a user's scope (a manager sees the
//! tasks of their customers; the queue of unassigned customers is for admins and analysts),
//! taken, answered with the outcome, snoozed and closed — each action with its audit entry in
//! one transaction — and their timings for the share answered within target per manager.

use clientele_core::closed_loop::FollowUpKind;

use super::answers::AnswerScore;
use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// The longest outcome or note, in characters.
pub const MAX_OUTCOME_CHARS: usize = 5_000;
/// The longest snooze, in days.
pub const MAX_SNOOZE_DAYS: i64 = 30;

/// Which tasks a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// Not answered or closed, and not snoozed past now: the work to do.
    Open,
    /// Not answered or closed, and past the due time (snoozed or not).
    Overdue,
    /// Not answered or closed, snoozed past now.
    Snoozed,
    /// Answered, not yet closed.
    Answered,
    Closed,
    All,
}

impl TaskState {
    pub const ALL: [TaskState; 6] = [
        TaskState::Open,
        TaskState::Overdue,
        TaskState::Snoozed,
        TaskState::Answered,
        TaskState::Closed,
        TaskState::All,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::Open => "open",
            TaskState::Overdue => "overdue",
            TaskState::Snoozed => "snoozed",
            TaskState::Answered => "answered",
            TaskState::Closed => "closed",
            TaskState::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<TaskState> {
        TaskState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Adds the state's condition on `t` as of `now`.
    fn push_condition<DB: sqlx::Database>(self, q: &mut sqlx::QueryBuilder<DB>, now: i64)
    where
        i64: for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    {
        let open = " AND t.answered_at IS NULL AND t.closed_at IS NULL";
        match self {
            TaskState::Open => {
                q.push(open)
                    .push(" AND (t.snoozed_until IS NULL OR t.snoozed_until <= ")
                    .push_bind(now)
                    .push(")");
            }
            TaskState::Overdue => {
                q.push(open).push(" AND t.due_at < ").push_bind(now);
            }
            TaskState::Snoozed => {
                q.push(open).push(" AND t.snoozed_until > ").push_bind(now);
            }
            TaskState::Answered => {
                q.push(" AND t.answered_at IS NOT NULL AND t.closed_at IS NULL");
            }
            TaskState::Closed => {
                q.push(" AND t.closed_at IS NOT NULL");
            }
            TaskState::All => {}
        }
    }
}

/// Which tasks to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpFilter {
    pub state: TaskState,
    pub kind: Option<FollowUpKind>,
    /// Only the tasks of this manager (user id); `Some(None)`: the queue of unassigned customers.
    pub manager: Option<Option<i64>>,
}

impl Default for FollowUpFilter {
    fn default() -> FollowUpFilter {
        FollowUpFilter {
            state: TaskState::Open,
            kind: None,
            manager: None,
        }
    }
}

/// A follow-up task with its customer and the answer behind it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpTask {
    pub id: i64,
    pub customer_id: i64,
    pub external_id: String,
    pub customer_name: Option<String>,
    pub kind: FollowUpKind,
    pub manager_user_id: Option<i64>,
    pub manager_name: Option<String>,
    pub score: AnswerScore,
    pub comment: Option<String>,
    pub touchpoint: Option<String>,
    pub survey: Option<String>,
    pub opened_at: i64,
    pub due_at: i64,
    pub taken_at: Option<i64>,
    pub taken_by: Option<String>,
    pub snoozed_until: Option<i64>,
    pub answered_at: Option<i64>,
    pub answered_by: Option<String>,
    pub outcome: Option<String>,
    pub closed_at: Option<i64>,
    pub closed_by: Option<String>,
}

/// A page of tasks and how many match in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FollowUpPage {
    pub items: Vec<FollowUpTask>,
    pub total: u64,
}

/// What a user does with a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskAction {
    /// "I am on it."
    Take,
    /// The customer was reached: what came of it.
    Answer { outcome: String },
    /// Out of the open list until then (Unix seconds, within 30 days).
    Snooze { until: i64 },
    /// Done with; a task closed without an answer needs a note saying why.
    Close { note: Option<String> },
}

impl TaskAction {
    pub fn name(&self) -> &'static str {
        match self {
            TaskAction::Take => "take",
            TaskAction::Answer { .. } => "answer",
            TaskAction::Snooze { .. } => "snooze",
            TaskAction::Close { .. } => "close",
        }
    }
}

/// The timing of one task, for the share answered within target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskTiming {
    pub manager_user_id: Option<i64>,
    pub manager_name: Option<String>,
    pub kind: FollowUpKind,
    pub opened_at: i64,
    pub due_at: i64,
    pub answered_at: Option<i64>,
}

const TASK_COLUMNS: &str =
    "t.id, t.customer_id, c.external_id, c.name, t.kind, t.manager_user_id, u.name,
    r.kind, r.scale, r.nps, r.csat, r.comment, r.touchpoint, s.name,
    t.opened_at, t.due_at, t.taken_at, t.taken_by, t.snoozed_until, t.answered_at, t.answered_by,
    t.outcome, t.closed_at, t.closed_by";

const TASK_FROM: &str = " FROM followup_tasks t
    JOIN customers c ON c.id = t.customer_id
    JOIN survey_responses r ON r.id = t.response_id
    LEFT JOIN users u ON u.id = t.manager_user_id
    LEFT JOIN surveys s ON s.id = r.survey_id
    WHERE 1 = 1";

/// Reads a task's columns (in [`TASK_COLUMNS`] order) from a row of either backend.
macro_rules! task_raw {
    ($r:expr) => {{
        use sqlx::Row;
        let r = $r;
        TaskRaw {
            id: r.try_get(0)?,
            customer_id: r.try_get(1)?,
            external_id: r.try_get(2)?,
            customer_name: r.try_get(3)?,
            kind: r.try_get(4)?,
            manager_user_id: r.try_get(5)?,
            manager_name: r.try_get(6)?,
            answer_kind: r.try_get(7)?,
            scale: r.try_get(8)?,
            nps: r.try_get(9)?,
            csat: r.try_get(10)?,
            comment: r.try_get(11)?,
            touchpoint: r.try_get(12)?,
            survey: r.try_get(13)?,
            opened_at: r.try_get(14)?,
            due_at: r.try_get(15)?,
            taken_at: r.try_get(16)?,
            taken_by: r.try_get(17)?,
            snoozed_until: r.try_get(18)?,
            answered_at: r.try_get(19)?,
            answered_by: r.try_get(20)?,
            outcome: r.try_get(21)?,
            closed_at: r.try_get(22)?,
            closed_by: r.try_get(23)?,
        }
    }};
}

fn kind_of(text: &str) -> Result<FollowUpKind> {
    FollowUpKind::parse(text).ok_or_else(|| StoreError::Unreadable {
        column: "followup_tasks.kind",
        value: text.to_string(),
    })
}

impl Store {
    /// A page of tasks within `scope`, overdue first, then by due time.
    pub async fn followup_tasks(
        &self,
        scope: Scope,
        filter: &FollowUpFilter,
        limit: u32,
        offset: u64,
    ) -> Result<FollowUpPage> {
        let at = now();
        let (total, raws) = dispatch!(self, pool => {
            let conditions = |q: &mut sqlx::QueryBuilder<_>| {
                if let Some(m) = scope.manager() {
                    q.push(" AND c.manager_user_id = ").push_bind(m);
                }
                filter.state.push_condition(q, at);
                if let Some(k) = filter.kind {
                    q.push(" AND t.kind = ").push_bind(k.as_str());
                }
                match filter.manager {
                    None => {}
                    Some(None) => {
                        q.push(" AND t.manager_user_id IS NULL");
                    }
                    Some(Some(id)) => {
                        q.push(" AND t.manager_user_id = ").push_bind(id);
                    }
                }
            };
            let mut count = sqlx::QueryBuilder::new("SELECT COUNT(*)");
            count.push(TASK_FROM);
            conditions(&mut count);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut list = sqlx::QueryBuilder::new("SELECT ");
            list.push(TASK_COLUMNS).push(TASK_FROM);
            conditions(&mut list);
            list.push(" ORDER BY CASE WHEN t.answered_at IS NULL AND t.closed_at IS NULL AND t.due_at < ")
                .push_bind(at)
                .push(" THEN 0 ELSE 1 END, t.due_at, t.id LIMIT ")
                .push_bind(i64::from(limit))
                .push(" OFFSET ")
                .push_bind(offset as i64);
            let rows = list.build().fetch_all(pool).await?;
            let mut raws = Vec::with_capacity(rows.len());
            for r in &rows {
                raws.push(task_raw!(r));
            }
            (total, raws)
        });
        Ok(FollowUpPage {
            items: raws.into_iter().map(task_of).collect::<Result<_>>()?,
            total: total.max(0) as u64,
        })
    }

    /// One task within `scope`; `NotFound` otherwise.
    pub async fn followup_task(&self, scope: Scope, id: i64) -> Result<FollowUpTask> {
        let raw = dispatch!(self, pool => {
            let mut q = sqlx::QueryBuilder::new("SELECT ");
            q.push(TASK_COLUMNS).push(TASK_FROM).push(" AND t.id = ").push_bind(id);
            if let Some(m) = scope.manager() {
                q.push(" AND c.manager_user_id = ").push_bind(m);
            }
            match q.build().fetch_optional(pool).await? {
                Some(r) => Some(task_raw!(&r)),
                None => None,
            }
        });
        task_of(raw.ok_or_else(|| StoreError::not_found("follow-up task", id))?)
    }

    /// Applies `action` to a task within `scope` by `actor`, with its audit entry, in one
    /// transaction; returns the task as changed. A closed task cannot be changed, an answered
    /// one only closed (`Invalid` naming `action`); an empty outcome, a snooze outside the next
    /// 30 days and a close without an answer or a note are refused too.
    pub async fn act_on_task(
        &self,
        scope: Scope,
        id: i64,
        actor: &str,
        action: &TaskAction,
    ) -> Result<FollowUpTask> {
        let task = self.followup_task(scope, id).await?;
        let at = now();
        let text_ok = |field: &'static str, t: &str| -> Result<String> {
            if t.trim().is_empty() {
                return Err(StoreError::invalid(field, "is empty"));
            }
            if t.chars().count() > MAX_OUTCOME_CHARS {
                return Err(StoreError::invalid(
                    field,
                    format!("is longer than {MAX_OUTCOME_CHARS} characters"),
                ));
            }
            Ok(t.trim().to_string())
        };
        if task.closed_at.is_some() {
            return Err(StoreError::invalid("action", "the task is already closed"));
        }
        if task.answered_at.is_some() && !matches!(action, TaskAction::Close { .. }) {
            return Err(StoreError::invalid(
                "action",
                "the task is already answered: it can only be closed",
            ));
        }
        // Checked before the transaction, so a refused action writes nothing.
        let (text, detail) = match action {
            TaskAction::Take => (None, "taken".to_string()),
            TaskAction::Answer { outcome } => {
                (Some(text_ok("outcome", outcome)?), "answered".into())
            }
            TaskAction::Snooze { until } => {
                if *until <= at || *until > at + MAX_SNOOZE_DAYS * 86_400 {
                    return Err(StoreError::invalid(
                        "until",
                        format!("must be within the next {MAX_SNOOZE_DAYS} days"),
                    ));
                }
                (None, format!("snoozed until {until}"))
            }
            TaskAction::Close { note } => match note {
                Some(n) => (Some(text_ok("note", n)?), "closed".into()),
                None if task.answered_at.is_none() => {
                    return Err(StoreError::invalid(
                        "note",
                        "a task closed without an answer needs a note saying why",
                    ));
                }
                None => (None, "closed".into()),
            },
        };
        dispatch!(self, pool => {
            let mut tx = pool.begin_with(crate::dialect::begin_write(pool)).await?;
            let mut q = sqlx::QueryBuilder::new("UPDATE followup_tasks SET ");
            match action {
                TaskAction::Take => {
                    q.push("taken_at = ").push_bind(at).push(", taken_by = ").push_bind(actor);
                }
                TaskAction::Answer { .. } => {
                    q.push("answered_at = ").push_bind(at)
                        .push(", answered_by = ").push_bind(actor)
                        .push(", outcome = ").push_bind(text.clone())
                        .push(", taken_at = COALESCE(taken_at, ").push_bind(at)
                        .push("), taken_by = COALESCE(taken_by, ").push_bind(actor).push(")");
                }
                TaskAction::Snooze { until } => {
                    q.push("snoozed_until = ").push_bind(*until);
                }
                TaskAction::Close { .. } => {
                    q.push("closed_at = ").push_bind(at)
                        .push(", closed_by = ").push_bind(actor)
                        .push(", outcome = COALESCE(outcome, ").push_bind(text.clone()).push(")");
                }
            }
            q.push(" WHERE id = ").push_bind(id).push(" AND closed_at IS NULL");
            q.build().execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'follow-up', $3, $4)",
            )
            .bind(at)
            .bind(actor)
            .bind(task.customer_id)
            .bind(format!("task {id} {detail}"))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        self.followup_task(scope, id).await
    }

    /// Timings of the tasks opened in `[from, to)` (Unix seconds) within `scope`, except those
    /// closed by the respondent's changed answer (nobody had to act on them).
    pub async fn task_timings(&self, scope: Scope, from: i64, to: i64) -> Result<Vec<TaskTiming>> {
        type Row = (Option<i64>, Option<String>, String, i64, i64, Option<i64>);
        let rows: Vec<Row> = dispatch!(self, pool => {
            sqlx::query_as(
                "SELECT t.manager_user_id, u.name, t.kind, t.opened_at, t.due_at, t.answered_at
                 FROM followup_tasks t
                 JOIN customers c ON c.id = t.customer_id
                 LEFT JOIN users u ON u.id = t.manager_user_id
                 WHERE ($1 IS NULL OR c.manager_user_id = $1)
                   AND t.opened_at >= $2 AND t.opened_at < $3
                   AND (t.closed_by IS NULL OR t.closed_by <> 'respondent')
                 ORDER BY t.id",
            )
            .bind(scope.manager())
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(
                |(manager_user_id, manager_name, kind, opened_at, due_at, answered_at)| {
                    Ok(TaskTiming {
                        manager_user_id,
                        manager_name,
                        kind: kind_of(&kind)?,
                        opened_at,
                        due_at,
                        answered_at,
                    })
                },
            )
            .collect()
    }
}

/// A task's columns as read.
struct TaskRaw {
    id: i64,
    customer_id: i64,
    external_id: String,
    customer_name: Option<String>,
    kind: String,
    manager_user_id: Option<i64>,
    manager_name: Option<String>,
    answer_kind: String,
    scale: String,
    nps: Option<i64>,
    csat: Option<i64>,
    comment: Option<String>,
    touchpoint: Option<String>,
    survey: Option<String>,
    opened_at: i64,
    due_at: i64,
    taken_at: Option<i64>,
    taken_by: Option<String>,
    snoozed_until: Option<i64>,
    answered_at: Option<i64>,
    answered_by: Option<String>,
    outcome: Option<String>,
    closed_at: Option<i64>,
    closed_by: Option<String>,
}

fn task_of(r: TaskRaw) -> Result<FollowUpTask> {
    Ok(FollowUpTask {
        id: r.id,
        customer_id: r.customer_id,
        external_id: r.external_id,
        customer_name: r.customer_name,
        kind: kind_of(&r.kind)?,
        manager_user_id: r.manager_user_id,
        manager_name: r.manager_name,
        score: AnswerScore::from_columns(&r.answer_kind, &r.scale, r.nps, r.csat)?,
        comment: r.comment,
        touchpoint: r.touchpoint,
        survey: r.survey,
        opened_at: r.opened_at,
        due_at: r.due_at,
        taken_at: r.taken_at,
        taken_by: r.taken_by,
        snoozed_until: r.snoozed_until,
        answered_at: r.answered_at,
        answered_by: r.answered_by,
        outcome: r.outcome,
        closed_at: r.closed_at,
        closed_by: r.closed_by,
    })
}
