//! Invitations: who may be invited (with what the contact policy needs to know about them), the
//! invitations recorded with their links' hashes and the contact log, a link looked up, and an
//! answer through a link — one per invitation, changed (never added to) by a second submit.

use clientele_core::Day;
use clientele_core::Rung;
use clientele_core::closed_loop::ResponseTargets;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::answers::{AnswerScore, OPEN_OR_REAIM_TASK_SQL, task_for};
use super::surveys::{SURVEY_COLUMNS, Survey, SurveyColumns, survey_from};
use crate::columns;
use crate::customers::Channel;
use crate::db::{Store, day_from_db, day_to_db, dispatch, now};
use crate::error::{Result, StoreError};

/// Candidates read per round trip (each id is a bound parameter of the follow-up reads).
pub const CANDIDATE_PAGE: u32 = 500;

/// A customer who may be invited, with what the contact policy needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteCandidate {
    pub customer_id: i64,
    pub external_id: String,
    /// Rung in the latest snapshot (`None`: not scored).
    pub rung: Option<Rung>,
    pub preferred: Option<Channel>,
    /// Consent events, oldest first: (channel, granted, day, source).
    pub consents: Vec<(Channel, bool, Day, String)>,
    /// Channels with contact details (an address or a number).
    pub reachable: Vec<Channel>,
    /// Outgoing contacts logged from 30 days before `now` on (the caps' windows).
    pub recent_contacts: Vec<i64>,
}

/// An invitation to record; the store makes its link's secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInvitation {
    pub customer_id: i64,
    /// Chosen by the contact policy.
    pub channel: String,
    /// When the policy lets it go out.
    pub send_at: i64,
    /// Why this channel and time (the policy's words, kept in the contact log).
    pub reason: Option<String>,
}

/// An invitation found by its link, with its survey and the answer given so far.
#[derive(Clone, Debug, PartialEq)]
pub struct InvitationView {
    pub id: i64,
    pub survey: Survey,
    pub customer_id: i64,
    pub channel: String,
    pub invited_at: i64,
    pub expires_at: i64,
    /// The answer given through the link so far: its score, comment and time.
    pub answer: Option<(AnswerScore, Option<String>, i64)>,
}

/// An answer through a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkAnswer {
    pub score: AnswerScore,
    pub comment: Option<String>,
    pub day: Day,
    pub answered_at: i64,
}

/// Hex SHA-256 of a link's secret, as stored.
pub fn link_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new link secret: 128 random bits as 32 hex digits.
fn new_link_token() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Up to `limit` customers after id `after` (in id order) who may be invited at `now`: not
    /// erased, on one of `rungs` in the latest snapshot (any customer of it when `rungs` is
    /// empty), and not invited to any survey after `blocked_since`.
    pub async fn invite_candidates(
        &self,
        rungs: &[Rung],
        blocked_since: i64,
        now: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<InviteCandidate>> {
        let latest = self.latest_snapshot_day().await?;
        let Some(latest) = latest else {
            return Ok(Vec::new());
        };
        let rung_filter = if rungs.is_empty() {
            String::new()
        } else {
            format!(" AND ss.rung IN ({})", placeholders(5, rungs.len()))
        };
        let sql = format!(
            "SELECT c.id, c.external_id, ss.rung, c.preferred_channel
             FROM customers c JOIN score_snapshots ss ON ss.customer_id = c.id AND ss.as_of = $1
             WHERE c.erased_at IS NULL AND c.id > $2
               AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.customer_id = c.id AND i.invited_at > $3)
               {rung_filter}
             ORDER BY c.id LIMIT $4"
        );
        type Row = (i64, String, String, Option<String>);
        let rows: Vec<Row> = dispatch!(self, pool => {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(day_to_db(latest))
                .bind(after)
                .bind(blocked_since)
                .bind(i64::from(limit));
            for r in rungs {
                q = q.bind(r.as_str());
            }
            q.fetch_all(pool).await?
        });
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::with_capacity(rows.len());
        for (id, external_id, rung, preferred) in rows {
            out.push(InviteCandidate {
                customer_id: id,
                external_id,
                rung: Some(columns::rung("score_snapshots.rung", &rung)?),
                preferred: preferred.as_deref().and_then(Channel::parse),
                consents: Vec::new(),
                reachable: Vec::new(),
                recent_contacts: Vec::new(),
            });
        }
        let ids: Vec<i64> = out.iter().map(|c| c.customer_id).collect();
        let index = |id: i64| ids.binary_search(&id).ok();
        let list = placeholders(1, ids.len());
        let consents_sql = format!(
            "SELECT customer_id, channel, granted, day, source FROM consents
             WHERE customer_id IN ({list}) ORDER BY customer_id, day, id"
        );
        let contacts_sql = format!(
            "SELECT DISTINCT customer_id, channel FROM customer_contacts WHERE customer_id IN ({list})"
        );
        let log_sql = format!(
            "SELECT customer_id, at FROM contact_log
             WHERE direction = 'out' AND at > ${} AND customer_id IN ({list})",
            ids.len() + 1
        );
        type ConsentRow = (i64, String, bool, i64, String);
        let (consents, contacts, log) = dispatch!(self, pool => {
            let mut q = sqlx::query_as::<_, ConsentRow>(sqlx::AssertSqlSafe(consents_sql.as_str()));
            for id in &ids {
                q = q.bind(id);
            }
            let consents = q.fetch_all(pool).await?;
            let mut q = sqlx::query_as::<_, (i64, String)>(sqlx::AssertSqlSafe(contacts_sql.as_str()));
            for id in &ids {
                q = q.bind(id);
            }
            let contacts = q.fetch_all(pool).await?;
            let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(log_sql.as_str()));
            for id in &ids {
                q = q.bind(id);
            }
            let log = q.bind(now - 30 * 86_400).fetch_all(pool).await?;
            (consents, contacts, log)
        });
        for (id, channel, granted, day, source) in consents {
            if let (Some(i), Some(channel)) = (index(id), Channel::parse(&channel)) {
                out[i]
                    .consents
                    .push((channel, granted, day_from_db(day), source));
            }
        }
        for (id, channel) in contacts {
            if let (Some(i), Some(channel)) = (index(id), Channel::parse(&channel)) {
                out[i].reachable.push(channel);
            }
        }
        for (id, at) in log {
            if let Some(i) = index(id) {
                out[i].recent_contacts.push(at);
            }
        }
        Ok(out)
    }

    /// Records invitations to `survey` made at `invited_at` by `actor`, each with a new link
    /// secret and an entry in the contact log, and one audit entry, in one transaction. A
    /// customer invited to any survey after `blocked_since` meanwhile is skipped (`None` in the
    /// answer); the others get `(invitation id, link secret)`, in input order. The secret is
    /// returned once: only its hash is kept.
    pub async fn record_invitations(
        &self,
        survey: &Survey,
        invitations: &[NewInvitation],
        invited_at: i64,
        blocked_since: i64,
        actor: &str,
    ) -> Result<Vec<Option<(i64, String)>>> {
        let expires_at = invited_at + i64::from(survey.link_days) * 86_400;
        let subject = format!("survey invitation: {}", survey.name);
        let begin = match self {
            Store::Sqlite(_) => "BEGIN IMMEDIATE",
            Store::Postgres(_) => "BEGIN",
        };
        let made = dispatch!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let mut made = Vec::with_capacity(invitations.len());
            for inv in invitations {
                let token = new_link_token();
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO survey_invitations (survey_id, customer_id, token_sha256, channel, send_at, invited_at, expires_at)
                     SELECT $1, c.id, $3, $4, $5, $6, $7 FROM customers c
                     WHERE c.id = $2 AND c.erased_at IS NULL
                       AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.customer_id = c.id AND i.invited_at > $8)
                     RETURNING id",
                )
                .bind(survey.id)
                .bind(inv.customer_id)
                .bind(link_hash(&token))
                .bind(&inv.channel)
                .bind(inv.send_at)
                .bind(invited_at)
                .bind(expires_at)
                .bind(blocked_since)
                .fetch_optional(&mut *tx)
                .await?;
                if let Some(id) = id {
                    // Planned like every contact the policy allows (it counts toward the
                    // caps from now on), so the sender's export finds it.
                    sqlx::query(
                        "INSERT INTO contact_log (customer_id, at, channel, direction, user_id, subject, kind, module, state, planned_for, reason, author)
                         VALUES ($1, $2, $3, 'out', NULL, $4, 'survey', 'surveys', 'planned', $5, $6, $7)",
                    )
                    .bind(inv.customer_id)
                    .bind(invited_at)
                    .bind(&inv.channel)
                    .bind(&subject)
                    .bind(inv.send_at)
                    .bind(&inv.reason)
                    .bind(actor)
                    .execute(&mut *tx)
                    .await?;
                    made.push(Some((id, token)));
                } else {
                    made.push(None);
                }
            }
            let count = made.iter().flatten().count();
            sqlx::query(
                "INSERT INTO audit_log (at, actor, action, customer_id, detail) VALUES ($1, $2, 'survey invitations', NULL, $3)",
            )
            .bind(invited_at)
            .bind(actor)
            .bind(format!("{count} invited to survey '{}'", survey.name))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            made
        });
        Ok(made)
    }

    /// The invitation whose link secret is `token`, with its survey and answer so far; `None`
    /// for an unknown link.
    pub async fn invitation_by_token(&self, token: &str) -> Result<Option<InvitationView>> {
        let sql = format!(
            "SELECT i.id, i.customer_id, i.channel, i.invited_at, i.expires_at,
                    r.kind, r.scale, r.nps, r.csat, r.comment, r.answered_at,
                    {SURVEY_COLUMNS}
             FROM survey_invitations i
             JOIN surveys s ON s.id = i.survey_id
             LEFT JOIN survey_responses r ON r.invitation_id = i.id
             WHERE i.token_sha256 = $1"
        );
        type Head = (
            i64,
            i64,
            String,
            i64,
            i64,
            Option<String>,
            Option<String>,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<i64>,
        );
        let row: Option<(Head, SurveyColumns)> = dispatch!(self, pool => {
            use sqlx::Row;
            let row = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                .bind(link_hash(token))
                .fetch_optional(pool)
                .await?;
            match row {
                None => None,
                Some(r) => Some((
                    (
                        r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?, r.try_get(4)?,
                        r.try_get(5)?, r.try_get(6)?, r.try_get(7)?, r.try_get(8)?, r.try_get(9)?,
                        r.try_get(10)?,
                    ),
                    (
                        r.try_get(11)?, r.try_get(12)?, r.try_get(13)?, r.try_get(14)?,
                        r.try_get(15)?, r.try_get(16)?, r.try_get(17)?, r.try_get(18)?,
                        r.try_get(19)?,
                    ),
                )),
            }
        });
        let Some((head, survey)) = row else {
            return Ok(None);
        };
        let (id, customer_id, channel, invited_at, expires_at, kind, scale, nps, csat, comment, at) =
            head;
        let answer = match (kind, scale) {
            (Some(kind), Some(scale)) => Some((
                AnswerScore::from_columns(&kind, &scale, nps, csat)?,
                comment,
                at.unwrap_or(invited_at),
            )),
            _ => None,
        };
        Ok(Some(InvitationView {
            id,
            survey: survey_from(survey)?,
            customer_id,
            channel,
            invited_at,
            expires_at,
            answer,
        }))
    }

    /// Records (or changes) the answer of an invitation, and opens, re-aims or closes its
    /// follow-up task, in one transaction: a task still unanswered follows the latest answer (a
    /// detractor who becomes a promoter needs no call; a passive who becomes a detractor gets the
    /// detractor's target from now). Returns the response's id. The caller checks that the link
    /// is open and the score on the survey's scale.
    pub async fn answer_invitation(
        &self,
        invitation: &InvitationView,
        answer: &LinkAnswer,
        targets: &ResponseTargets,
    ) -> Result<i64> {
        if answer.score.kind() != invitation.survey.kind {
            return Err(StoreError::invalid("score", "is not on the survey's scale"));
        }
        let at = now();
        let task = task_for(answer.score, answer.answered_at, at, targets);
        let touchpoint = invitation.survey.touchpoint.clone();
        let begin = match self {
            Store::Sqlite(_) => "BEGIN IMMEDIATE",
            Store::Postgres(_) => "BEGIN",
        };
        let response_id = dispatch!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
            let response_id: i64 = sqlx::query_scalar(
                "INSERT INTO survey_responses
                   (customer_id, day, nps, csat, kind, scale, comment, source, survey_id, invitation_id, channel, touchpoint, answered_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'link', $8, $9, $10, $11, $12)
                 ON CONFLICT (invitation_id) DO UPDATE SET
                   day = excluded.day, nps = excluded.nps, csat = excluded.csat,
                   comment = excluded.comment, answered_at = excluded.answered_at
                 RETURNING id",
            )
            .bind(invitation.customer_id)
            .bind(day_to_db(answer.day))
            .bind(match answer.score { AnswerScore::Nps(r) => Some(i64::from(r.score().get())), AnswerScore::Csat(_) => None })
            .bind(match answer.score { AnswerScore::Csat(s) => Some(i64::from(s.get())), AnswerScore::Nps(_) => None })
            .bind(answer.score.kind().kind_str())
            .bind(answer.score.kind().scale_str())
            .bind(&answer.comment)
            .bind(invitation.survey.id)
            .bind(invitation.id)
            .bind(&invitation.channel)
            .bind(&touchpoint)
            .bind(answer.answered_at)
            .fetch_one(&mut *tx)
            .await?;
            match task {
                Some((kind, due)) => {
                    let _: Option<i64> = sqlx::query_scalar(OPEN_OR_REAIM_TASK_SQL)
                        .bind(response_id)
                        .bind(kind.as_str())
                        .bind(at)
                        .bind(due)
                        .bind(invitation.customer_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                }
                None => {
                    sqlx::query(
                        "UPDATE followup_tasks SET closed_at = $1, closed_by = 'respondent', outcome = 'answer changed'
                         WHERE response_id = $2 AND answered_at IS NULL AND closed_at IS NULL",
                    )
                    .bind(at)
                    .bind(response_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            tx.commit().await?;
            response_id
        });
        Ok(response_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_secrets_are_new_each_time_and_stored_hashed() {
        let (a, b) = (new_link_token(), new_link_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(
            link_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
