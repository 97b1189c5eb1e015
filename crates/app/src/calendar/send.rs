//! Sending a greeting draft: through the contact policy, recorded in the contact log.

use anyhow::Result;
use clientele_core::Day;
use clientele_core::contact_policy::{ChannelSet, Decision, MessageKind, Module};
use clientele_store::{Scope, Store, StoreError};

use crate::InvalidSetting;
use crate::contacts::{ContactRequest, PlanSettings, plan_contacts, time_of_minutes};

/// A draft to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendGreeting {
    pub scope: Scope,
    pub draft_id: i64,
    /// The text as finally edited; `None` sends the draft as stored.
    pub body: Option<String>,
    /// Today: a greeting whose day has passed is not sent.
    pub today: Day,
    pub default_time_zone: String,
    /// The local time it should arrive at, in minutes after midnight.
    pub local_minutes: u16,
    /// Who sends (a user's name or the command), and their user id.
    pub author: String,
    pub user_id: Option<i64>,
}

/// What became of the draft.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendOutcome {
    pub customer_id: i64,
    /// The policy's decision; on a send, the draft is marked sent.
    pub decision: Decision,
    /// The contact-log row written (on a send).
    pub contact_log_id: Option<i64>,
}

/// Sends a draft through the contact policy on its day: an edit is saved first (refused when
/// it repeats another customer's text of the occasion), then the policy decides the channel
/// and time; a send is recorded in the contact log (module `calendar`, kind `greeting`) and the
/// draft marked sent with its row. A refusal leaves the draft as it was, unsent. A draft sent
/// already, or whose day has passed, is refused.
pub async fn send_greeting(store: &Store, settings: &SendGreeting) -> Result<SendOutcome> {
    let mut draft = store
        .greeting_draft(settings.scope, settings.draft_id)
        .await?;
    if draft.sent_at.is_some() {
        return Err(StoreError::Conflict(format!("a sent greeting for draft {}", draft.id)).into());
    }
    if draft.day < settings.today {
        return Err(InvalidSetting::value(
            "draft",
            draft.id,
            format!("its day ({}) has passed", draft.day),
        )
        .into());
    }
    if let Some(body) = &settings.body
        && body != &draft.body
    {
        draft = store
            .edit_greeting_draft(settings.scope, draft.id, body, &settings.author)
            .await?;
    }
    let report = plan_contacts(
        store,
        &PlanSettings {
            requests: vec![ContactRequest {
                customer_id: draft.customer_id,
                kind: MessageKind::Greeting,
                module: Module::Calendar,
                channels: ChannelSet::MESSAGES,
                priority: 0,
                subject: format!("greeting: {} (draft {})", draft.label, draft.id),
            }],
            day: draft.day,
            local_time: time_of_minutes(settings.local_minutes),
            same_day_only: true,
            default_time_zone: settings.default_time_zone.clone(),
            record: true,
            author: settings.author.clone(),
            user_id: settings.user_id,
        },
    )
    .await?;
    let contact = report
        .contacts
        .into_iter()
        .next()
        .expect("one request, one answer");
    if let (Decision::Send(_), Some(log)) = (&contact.decision, contact.log_id) {
        store
            .mark_greeting_sent(draft.id, log, &settings.author)
            .await?;
    }
    Ok(SendOutcome {
        customer_id: draft.customer_id,
        decision: contact.decision,
        contact_log_id: contact.log_id,
    })
}
