//! The customer card's sections beyond the summary and the orders: contacts and activity (the
//! contact log, win-back attempts, survey answers, complaints and wishes, inquiries and visits),
//! the customer's relations (who referred them, whom they referred, image client, regularity),
//! and the words for RFM segments and namesake marks that lists share.

use clientele_core::{AbcClass, Rfm, RfmSegment};
use clientele_store::{Channel, ContactLogEntry, CustomerActivity, CustomerMark};

use super::i18n::{Arg, Tr};

/// An RFM segment's name in the reader's language.
pub fn rfm_segment_name(tr: &Tr, segment: RfmSegment) -> String {
    tr.get(&format!(
        "rfm-segment-{}",
        clientele_core::winback::segment_code(segment)
    ))
}

/// An RFM cell with its segment's name: `Champions (RFM 555)`.
pub fn rfm_named(tr: &Tr, rfm: Rfm) -> String {
    tr.with(
        "card-segment-named",
        &[
            ("name", Arg::Text(rfm_segment_name(tr, rfm.segment()))),
            ("code", Arg::Text(rfm.code())),
        ],
    )
}

/// An ABC class and a named RFM cell as lists and the card show them: `A · Champions (RFM 555)`;
/// `None` when there is neither.
pub fn segment_words(tr: &Tr, abc: Option<AbcClass>, rfm: Option<Rfm>) -> Option<String> {
    let parts: Vec<String> = [
        abc.map(|a| a.as_str().to_string()),
        rfm.map(|r| rfm_named(tr, r)),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// What tells a customer from a namesake in a list: the number in the company's system and,
/// when known, the last digits of a phone number (`C0000001 · …9627`).
pub fn mark_text(mark: &CustomerMark) -> String {
    match &mark.phone_tail {
        Some(tail) => format!("{} · …{tail}", mark.external_id),
        None => mark.external_id.clone(),
    }
}

/// A customer named on the card (the referrer, a referral): a link with their mark.
pub struct Relative {
    pub id: i64,
    pub name: String,
    pub mark: String,
}

fn relative(m: &CustomerMark) -> Relative {
    Relative {
        id: m.id,
        name: m.name.clone().unwrap_or_else(|| m.external_id.clone()),
        mark: mark_text(m),
    }
}

/// A row of one of the activity tables: its cells in order.
pub struct ActivityRow {
    pub cells: Vec<String>,
}

/// One table of the card's activity section.
pub struct ActivityTable {
    /// The element id (`contact-history`, `winback-attempts`, ...).
    pub id: &'static str,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<ActivityRow>,
}

/// The card's activity and relations, ready for the template.
pub struct CardSections {
    /// The tables that have rows, the contact history first.
    pub tables: Vec<ActivityTable>,
    pub referrer: Option<Relative>,
    pub referrals: Vec<Relative>,
    /// "and 12 more" when the card lists fewer referrals than there are.
    pub referrals_more: Option<String>,
}

/// A channel's name (the lists' `channel_name`, not imported: the lists use this module).
fn channel_name(tr: &Tr, channel: Option<Channel>) -> String {
    channel.map_or_else(
        || tr.get("none"),
        |c| tr.get(&format!("channel-{}", c.as_str())),
    )
}

fn channel_text(tr: &Tr, stored: &str) -> String {
    Channel::parse(stored).map_or_else(|| stored.to_string(), |c| channel_name(tr, Some(c)))
}

/// A contact log subject in the reader's language when a module wrote it in its fixed form
/// (`win-back case 12`, `greeting: Birthday`, `survey invitation: NAME`, `queue: CODE`); a
/// subject a user typed is shown as typed.
fn subject_words(tr: &Tr, subject: &str) -> String {
    let with = |id: &str, value: String| tr.with(id, &[("value", Arg::Text(value))]);
    if let Some(case) = subject.strip_prefix("win-back case ")
        && case.chars().all(|c| c.is_ascii_digit())
        && !case.is_empty()
    {
        return with("card-subject-winback", case.to_string());
    }
    if let Some(label) = subject.strip_prefix("greeting: ") {
        // `greeting: Birthday (draft 7)` when sent from a draft.
        let label = label.split(" (draft ").next().unwrap_or(label);
        return with("card-subject-greeting", tr.date_label(label));
    }
    if let Some(name) = subject.strip_prefix("survey invitation: ") {
        return with("card-subject-survey", name.to_string());
    }
    if let Some(code) = subject.strip_prefix("queue: ") {
        return with("card-subject-queue", code.to_string());
    }
    subject.to_string()
}

/// A contact's outcome: a win-back attempt's code in words, anything else as stored.
fn outcome_words(tr: &Tr, outcome: &str) -> String {
    tr.try_with(&format!("winback-outcome-{outcome}"), &[])
        .unwrap_or_else(|| outcome.to_string())
}

/// An NPS score's group, for a 0–10 (or 1–10) scale.
fn nps_group(tr: &Tr, score: i64) -> String {
    tr.get(match score {
        9..=10 => "answer-nps-promoter",
        7..=8 => "answer-nps-passive",
        _ => "answer-nps-detractor",
    })
}

pub fn build(tr: &Tr, activity: &CustomerActivity, log: &[ContactLogEntry]) -> CardSections {
    let none = tr.get("none");
    let opt = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
    let mut tables = Vec::new();
    if !log.is_empty() {
        tables.push(ActivityTable {
            id: "contact-history",
            title: tr.get("card-contact-history"),
            columns: [
                "col-when",
                "col-channel",
                "col-kind",
                "col-state",
                "col-subject",
            ]
            .map(|c| tr.get(c))
            .into_iter()
            .chain([tr.get("col-outcome"), tr.get("col-author")])
            .collect(),
            rows: log
                .iter()
                .map(|e| ActivityRow {
                    cells: vec![
                        tr.instant(e.planned_for.unwrap_or(e.at)),
                        channel_text(tr, &e.channel),
                        e.kind.map_or_else(
                            || tr.get("kind-unknown"),
                            |k| tr.get(&format!("kind-{}", k.as_str())),
                        ),
                        tr.get(&format!("contact-state-{}", e.state.as_str())),
                        opt(&e.subject).map_or_else(|| none.clone(), |s| subject_words(tr, &s)),
                        opt(&e.outcome)
                            .map(|o| outcome_words(tr, &o))
                            .or_else(|| opt(&e.reason))
                            .unwrap_or_else(|| none.clone()),
                        opt(&e.author).unwrap_or_else(|| none.clone()),
                    ],
                })
                .collect(),
        });
    }
    if !activity.attempts.is_empty() {
        tables.push(ActivityTable {
            id: "winback-attempts",
            title: tr.get("card-winback-attempts"),
            columns: [
                "col-day",
                "col-channel",
                "col-outcome",
                "col-note",
                "col-author",
            ]
            .map(|c| tr.get(c))
            .to_vec(),
            rows: activity
                .attempts
                .iter()
                .map(|a| ActivityRow {
                    cells: vec![
                        tr.date(a.day),
                        channel_name(tr, Some(a.channel)),
                        tr.get(&format!("winback-outcome-{}", a.outcome)),
                        opt(&a.note).unwrap_or_else(|| none.clone()),
                        a.author.clone(),
                    ],
                })
                .collect(),
        });
    }
    if !activity.answers.is_empty() {
        tables.push(ActivityTable {
            id: "answers",
            title: tr.get("card-answers"),
            columns: ["col-day", "col-kind", "col-score", "col-comment"]
                .map(|c| tr.get(c))
                .to_vec(),
            rows: activity
                .answers
                .iter()
                .map(|a| {
                    let nps = a.kind == "nps";
                    let score = match a.score {
                        None => none.clone(),
                        Some(s) if nps => format!("{s}/10 · {}", nps_group(tr, s)),
                        Some(s) => format!("{s}/5"),
                    };
                    ActivityRow {
                        cells: vec![
                            tr.date(a.day),
                            tr.get(if nps {
                                "answer-kind-nps"
                            } else {
                                "answer-kind-csat"
                            }),
                            score,
                            opt(&a.comment).unwrap_or_else(|| none.clone()),
                        ],
                    }
                })
                .collect(),
        });
    }
    if !activity.feedback.is_empty() {
        tables.push(ActivityTable {
            id: "feedback",
            title: tr.get("card-feedback"),
            columns: ["col-day", "col-kind", "col-text", "col-resolved"]
                .map(|c| tr.get(c))
                .to_vec(),
            rows: activity
                .feedback
                .iter()
                .map(|f| ActivityRow {
                    cells: vec![
                        tr.date(f.day),
                        tr.get(&format!("feedback-kind-{}", f.kind)),
                        f.body.clone(),
                        f.resolved_at
                            .map_or_else(|| tr.get("feedback-open"), |at| tr.instant(at)),
                    ],
                })
                .collect(),
        });
    }
    if !activity.touches.is_empty() {
        tables.push(ActivityTable {
            id: "touches",
            title: tr.get("card-touches"),
            columns: ["col-day", "col-kind", "col-channel", "col-note"]
                .map(|c| tr.get(c))
                .to_vec(),
            rows: activity
                .touches
                .iter()
                .map(|t| ActivityRow {
                    cells: vec![
                        tr.date(t.day),
                        tr.get(&format!("touch-kind-{}", t.kind.as_str())),
                        t.channel
                            .as_deref()
                            .map_or_else(|| none.clone(), |c| channel_text(tr, c)),
                        opt(&t.note).unwrap_or_else(|| none.clone()),
                    ],
                })
                .collect(),
        });
    }
    let shown = activity.referrals.len() as i64;
    CardSections {
        tables,
        referrer: activity.referrer.as_ref().map(relative),
        referrals: activity.referrals.iter().map(relative).collect(),
        referrals_more: (activity.referral_count > shown).then(|| {
            tr.with(
                "card-referrals-more",
                &[("count", Arg::Num((activity.referral_count - shown) as f64))],
            )
        }),
    }
}

/// The namesake marks ([`mark_text`]) of a list page's customers, by id; a customer the store
/// no longer has gets no mark.
pub async fn marks(
    state: &crate::AppState,
    tr: Tr,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, String>, super::WebError> {
    let found = state
        .store
        .customer_marks(ids)
        .await
        .map_err(|e| super::WebError::store(e, tr))?;
    Ok(found
        .into_iter()
        .map(|(id, m)| (id, mark_text(&m)))
        .collect())
}
