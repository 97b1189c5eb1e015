//! What happened with a customer besides orders, as the card shows it: touches (inquiries,
//! visits, leads), survey answers (NPS and CSAT), complaints and wishes, win-back attempts, who
//! referred them and whom they referred; and the marks that tell namesakes apart in lists.
//!
//! Every list is bounded (the newest `limit` rows) so a card stays one screen whatever a
//! customer's history holds, and every read takes the scope: a customer outside a manager's
//! scope is not found, and nothing of theirs is read.

use std::collections::HashMap;

use clientele_core::Day;

use super::card::not_found;
use super::records::{Channel, TouchKind, TouchRecord};
use crate::db::{Store, day_from_db, dispatch};
use crate::error::{Result, StoreError};
use crate::scope::Scope;

/// The most rows of each kind a card shows.
pub const MAX_ACTIVITY_ROWS: u32 = 200;

/// One survey answer on the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardAnswer {
    pub day: Day,
    /// `nps` or `csat`.
    pub kind: String,
    /// The score on its scale (`0-10`, `1-10` for NPS; `1-5` for CSAT).
    pub score: Option<i64>,
    pub scale: String,
    pub comment: Option<String>,
    pub touchpoint: Option<String>,
}

/// One complaint, praise, suggestion or question on the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardFeedback {
    pub day: Day,
    pub kind: String,
    pub body: String,
    /// Unix seconds, when it was resolved.
    pub resolved_at: Option<i64>,
}

/// One win-back attempt on the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardAttempt {
    pub case_id: i64,
    pub day: Day,
    pub channel: Channel,
    /// `no_answer`, `answered`, `promised`, `declined` or `wrong_contact`.
    pub outcome: String,
    pub note: Option<String>,
    pub author: String,
}

/// Another customer named on a card (the referrer, a referral) or in a list: enough to link to
/// them and to tell them from a namesake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerMark {
    pub id: i64,
    pub external_id: String,
    pub name: Option<String>,
    /// The last four digits of a phone number on file, if any (the lowest channel value when
    /// there are several): what a manager asks a caller for.
    pub phone_tail: Option<String>,
}

/// The card's activity: the newest rows of each kind first.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerActivity {
    pub touches: Vec<TouchRecord>,
    pub answers: Vec<CardAnswer>,
    pub feedback: Vec<CardFeedback>,
    pub attempts: Vec<CardAttempt>,
    pub referrer: Option<CustomerMark>,
    /// The customers who name this one as their referrer, at most `limit`.
    pub referrals: Vec<CustomerMark>,
    /// How many customers name this one as their referrer (all of them).
    pub referral_count: i64,
    /// The regularity of purchases in the latest snapshot (`clientele_core::stability`: 1 for
    /// purchases like clockwork, towards 0 for erratic ones); `None` without a rhythm.
    pub stability: Option<f64>,
}

type MarkColumns = (i64, String, Option<String>, Option<String>);

/// A customer's id, external id, name and lowest phone number (phone or SMS channel).
const MARK_SQL: &str = "SELECT c.id, c.external_id, c.name,
        (SELECT MIN(k.value) FROM customer_contacts k
          WHERE k.customer_id = c.id AND k.channel IN ('phone', 'sms')) AS phone
 FROM customers c";

fn mark((id, external_id, name, phone): MarkColumns) -> CustomerMark {
    CustomerMark {
        id,
        external_id,
        name,
        phone_tail: phone.as_deref().and_then(phone_tail),
    }
}

/// The last four digits of a phone number, when it has at least six (shorter values are not
/// phone numbers worth quoting).
pub fn phone_tail(phone: &str) -> Option<String> {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 6).then(|| digits[digits.len() - 4..].iter().collect())
}

impl Store {
    /// The card's activity of customer `id` within `scope` (`NotFound` outside it), each list
    /// the newest `limit` rows (at most [`MAX_ACTIVITY_ROWS`]).
    pub async fn customer_activity(
        &self,
        scope: Scope,
        id: i64,
        limit: u32,
    ) -> Result<CustomerActivity> {
        let limit = i64::from(limit.min(MAX_ACTIVITY_ROWS));
        type Touch = (i64, String, Option<String>, Option<String>);
        type Answer = (
            i64,
            String,
            Option<i64>,
            String,
            Option<String>,
            Option<String>,
        );
        type Feedback = (i64, String, String, Option<i64>);
        type Attempt = (i64, i64, String, String, Option<String>, String);
        let read = dispatch!(self, pool => {
            let mut conn = pool.acquire().await?;
            let referrer: Option<(Option<i64>,)> = sqlx::query_as(
                "SELECT referrer_id FROM customers WHERE id = $1 AND ($2 IS NULL OR manager_user_id = $2)",
            )
            .bind(id)
            .bind(scope.manager())
            .fetch_optional(&mut *conn)
            .await?;
            match referrer {
                None => None,
                Some((referrer_id,)) => {
                    let touches: Vec<Touch> = sqlx::query_as(
                        "SELECT day, kind, channel, note FROM touches WHERE customer_id = $1
                         ORDER BY day DESC, id DESC LIMIT $2",
                    )
                    .bind(id)
                    .bind(limit)
                    .fetch_all(&mut *conn)
                    .await?;
                    let answers: Vec<Answer> = sqlx::query_as(
                        "SELECT day, kind, COALESCE(nps, csat), scale, comment, touchpoint
                         FROM survey_responses WHERE customer_id = $1
                         ORDER BY day DESC, id DESC LIMIT $2",
                    )
                    .bind(id)
                    .bind(limit)
                    .fetch_all(&mut *conn)
                    .await?;
                    let feedback: Vec<Feedback> = sqlx::query_as(
                        "SELECT day, kind, body, resolved_at FROM feedback WHERE customer_id = $1
                         ORDER BY day DESC, id DESC LIMIT $2",
                    )
                    .bind(id)
                    .bind(limit)
                    .fetch_all(&mut *conn)
                    .await?;
                    let attempts: Vec<Attempt> = sqlx::query_as(
                        "SELECT a.case_id, a.day, a.channel, a.outcome, a.note, a.author
                         FROM winback_attempts a JOIN winback_cases w ON w.id = a.case_id
                         WHERE w.customer_id = $1
                         ORDER BY a.day DESC, a.id DESC LIMIT $2",
                    )
                    .bind(id)
                    .bind(limit)
                    .fetch_all(&mut *conn)
                    .await?;
                    let referrer: Option<MarkColumns> = match referrer_id {
                        None => None,
                        Some(r) => {
                            sqlx::query_as(sqlx::AssertSqlSafe(format!("{MARK_SQL} WHERE c.id = $1")))
                                .bind(r)
                                .fetch_optional(&mut *conn)
                                .await?
                        }
                    };
                    let referrals: Vec<MarkColumns> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "{MARK_SQL} WHERE c.referrer_id = $1 ORDER BY c.id LIMIT $2"
                    )))
                    .bind(id)
                    .bind(limit)
                    .fetch_all(&mut *conn)
                    .await?;
                    let referral_count: i64 =
                        sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE referrer_id = $1")
                            .bind(id)
                            .fetch_one(&mut *conn)
                            .await?;
                    let stability: Option<Option<f64>> = sqlx::query_scalar(
                        "SELECT stability FROM score_snapshots WHERE customer_id = $1
                         ORDER BY as_of DESC LIMIT 1",
                    )
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                    Some((
                        (touches, answers, feedback, attempts),
                        (referrer, referrals, referral_count, stability.flatten()),
                    ))
                }
            }
        });
        let (
            (touches, answers, feedback, attempts),
            (referrer, referrals, referral_count, stability),
        ) = read.ok_or_else(|| not_found(id))?;
        Ok(CustomerActivity {
            touches: touches
                .into_iter()
                .map(|(day, kind, channel, note)| TouchRecord {
                    day: day_from_db(day),
                    kind: TouchKind::parse(&kind),
                    channel,
                    note,
                })
                .collect(),
            answers: answers
                .into_iter()
                .map(
                    |(day, kind, score, scale, comment, touchpoint)| CardAnswer {
                        day: day_from_db(day),
                        kind,
                        score,
                        scale,
                        comment,
                        touchpoint,
                    },
                )
                .collect(),
            feedback: feedback
                .into_iter()
                .map(|(day, kind, body, resolved_at)| CardFeedback {
                    day: day_from_db(day),
                    kind,
                    body,
                    resolved_at,
                })
                .collect(),
            attempts: attempts
                .into_iter()
                .map(|(case_id, day, channel, outcome, note, author)| {
                    Ok(CardAttempt {
                        case_id,
                        day: day_from_db(day),
                        channel: Channel::parse(&channel).ok_or(StoreError::Unreadable {
                            column: "winback_attempts.channel",
                            value: channel,
                        })?,
                        outcome,
                        note,
                        author,
                    })
                })
                .collect::<Result<_>>()?,
            referrer: referrer.map(mark),
            referrals: referrals.into_iter().map(mark).collect(),
            referral_count,
            stability: stability.filter(|s| s.is_finite()),
        })
    }

    /// The marks of the given customers (ids not found are left out), for lists that must tell
    /// namesakes apart. At most 1,000 ids at once (a page of a list holds far fewer).
    pub async fn customer_marks(&self, ids: &[i64]) -> Result<HashMap<i64, CustomerMark>> {
        let mut out = HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(1_000) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
            let sql = format!("{MARK_SQL} WHERE c.id IN ({})", placeholders.join(", "));
            let rows: Vec<MarkColumns> = dispatch!(self, pool => {
                let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(*id);
                }
                q.fetch_all(pool).await?
            });
            out.extend(rows.into_iter().map(|r| (r.0, mark(r))));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::phone_tail;

    #[test]
    fn a_phone_tail_is_its_last_four_digits() {
        assert_eq!(phone_tail("+7 (903) 446-96-27").as_deref(), Some("9627"));
        assert_eq!(phone_tail("8903446"), Some("3446".to_string()));
        assert_eq!(phone_tail("12-34"), None);
        assert_eq!(phone_tail("no digits"), None);
    }
}
