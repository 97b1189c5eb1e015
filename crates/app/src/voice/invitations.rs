//! Survey invitations and the public answer page's use cases: inviting the customers of some
//! rungs through the contact policy (each with a unique link, at most one invitation per person
//! per configured period whatever the survey), and reading or answering through a link — one
//! answer per invitation, which a second submit changes until the survey closes.
//!
//! The link's secret is shown once, when the invitation is made; the store keeps its SHA-256.

use anyhow::{Context, Result};
use clientele_core::Day;
use clientele_core::Rung;
use clientele_core::contact_policy::{ChannelSet, Decision, MessageKind, Module, Time};
use clientele_store::voice::{
    AnswerScore, CANDIDATE_PAGE, InvitationView, LinkAnswer, NewInvitation, Survey,
};
use clientele_store::{Store, StoreError};

use super::answers::MAX_COMMENT_CHARS;
use crate::InvalidSetting;
use crate::contacts::{ContactRequest, PlanSettings, plan_contacts, send_reason};

/// The most invitations one call makes.
pub const MAX_INVITATIONS: u32 = 1_000_000;
/// The longest base address of the links, in characters.
pub const MAX_BASE_URL_CHARS: usize = 200;
/// Candidates planned through the contact policy at once.
const PLAN_CHUNK: usize = 5_000;

/// Whom to invite to which survey, and how the links are written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteSettings {
    /// The survey's name.
    pub survey: String,
    /// Only customers on these rungs of the latest snapshot (empty: every scored customer).
    pub rungs: Vec<Rung>,
    /// At most this many invitations (`None`: everyone who may be invited).
    pub limit: Option<u32>,
    /// Where the public page is served (`https://feedback.example.com`): each link is
    /// `{base_url}/s/{secret}`.
    pub base_url: String,
    /// The day the invitations should arrive on, in each customer's time zone.
    pub day: Day,
    /// The local time they should arrive at (quiet hours may move it later).
    pub local_time: Time,
    /// The time zone of customers without their own (an IANA name).
    pub default_time_zone: String,
    /// Now (Unix seconds): when the invitations are made.
    pub now: i64,
    /// Who invites (a user's name or the command), for the audit and the contact log.
    pub author: String,
}

/// One invitation made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationLink {
    pub invitation_id: i64,
    pub customer_id: i64,
    pub external_id: String,
    /// The public link (shown only now: the store keeps its hash).
    pub link: String,
    /// The channel the contact policy chose.
    pub channel: String,
    /// When the policy lets it go out (Unix seconds).
    pub send_at: i64,
}

/// What an invitation round did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InviteOutput {
    pub survey: Survey,
    pub links: Vec<InvitationLink>,
    /// Customers the contact policy refused, with its reason code (`no_consented_channel`...).
    pub refused: Vec<(String, &'static str)>,
    /// Customers invited meanwhile by someone else (skipped: one invitation per period).
    pub raced: usize,
    /// The invitation period in force, in days (0: none).
    pub period_days: u32,
}

/// The base address without its trailing `/`, checked: `http://` or `https://`, no spaces,
/// quotes or control characters, no query or fragment.
pub fn check_base_url(text: &str) -> Result<String, InvalidSetting> {
    let url = text.trim().trim_end_matches('/');
    let bad = |why: &str| InvalidSetting::value("base_url", text, why);
    if url.chars().count() > MAX_BASE_URL_CHARS {
        return Err(bad(&format!("longer than {MAX_BASE_URL_CHARS} characters")));
    }
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return Err(bad("expected an address starting with https:// or http://"));
    };
    if rest.is_empty()
        || rest
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "\"'<>?#\\".contains(c))
    {
        return Err(bad(
            "expected a plain address (a host and maybe a path; no spaces, quotes, ? or #)",
        ));
    }
    Ok(url.to_string())
}

/// Invites up to `limit` customers of the chosen rungs who were not invited to any survey within
/// the configured period, each on the channel and at the time the contact policy allows; the
/// refused are listed with the policy's reason. Each invitation is recorded with its contact-log
/// row (planned, counted toward the caps) and one audit entry per round.
pub async fn invite(store: &Store, settings: &InviteSettings) -> Result<InviteOutput> {
    let base = check_base_url(&settings.base_url)?;
    if let Some(limit) = settings.limit
        && !(1..=MAX_INVITATIONS).contains(&limit)
    {
        return Err(InvalidSetting::value(
            "limit",
            limit,
            format!("expected 1 to {MAX_INVITATIONS}"),
        )
        .into());
    }
    let survey = match store.survey_by_name(&settings.survey).await {
        Ok(s) => s,
        Err(StoreError::NotFound { .. }) => {
            return Err(InvalidSetting::value("survey", &settings.survey, "no such survey").into());
        }
        Err(e) => return Err(e).context("reading the survey"),
    };
    if !survey.open_at(settings.now) {
        return Err(InvalidSetting::value("survey", &survey.name, "is closed").into());
    }
    let period = store
        .voice_settings()
        .await
        .context("reading the survey settings")?
        .invite_period;
    // Anyone invited after this instant waits (a period of 0 days blocks no one).
    let blocked_since = if period.get() == 0 {
        i64::MAX
    } else {
        settings
            .now
            .saturating_sub(i64::from(period.get()) * 86_400)
    };
    let wanted = settings.limit.unwrap_or(MAX_INVITATIONS) as usize;
    let mut out = InviteOutput {
        survey,
        links: Vec::new(),
        refused: Vec::new(),
        raced: 0,
        period_days: period.get(),
    };
    let mut after = 0i64;
    let mut exhausted = false;
    while out.links.len() < wanted && !exhausted {
        // Gather a chunk of candidates (only as many as may still be invited), then plan them at once.
        let room = (wanted - out.links.len()).min(PLAN_CHUNK);
        let mut chunk = Vec::with_capacity(room);
        while chunk.len() < room {
            let page = (room - chunk.len()).min(CANDIDATE_PAGE as usize) as u32;
            let found = store
                .invite_candidates(&settings.rungs, blocked_since, settings.now, after, page)
                .await
                .context("reading whom to invite")?;
            if found.len() < page as usize {
                exhausted = true;
            }
            let Some(last) = found.last() else { break };
            after = last.customer_id;
            chunk.extend(found);
            if exhausted {
                break;
            }
        }
        if chunk.is_empty() {
            break;
        }
        let plan = PlanSettings {
            requests: chunk
                .iter()
                .map(|c| ContactRequest {
                    customer_id: c.customer_id,
                    kind: MessageKind::Survey,
                    module: Module::Surveys,
                    channels: ChannelSet::MESSAGES,
                    priority: 0,
                    subject: format!("survey invitation: {}", out.survey.name),
                })
                .collect(),
            day: settings.day,
            local_time: settings.local_time,
            same_day_only: false,
            default_time_zone: settings.default_time_zone.clone(),
            // The store records the allowed ones with their invitations, in one transaction.
            record: false,
            author: settings.author.clone(),
            user_id: None,
        };
        let report = plan_contacts(store, &plan).await?;
        let mut new = Vec::new();
        let mut who = Vec::new();
        for (candidate, planned) in chunk.iter().zip(&report.contacts) {
            match &planned.decision {
                Decision::Send(send) => {
                    new.push(NewInvitation {
                        customer_id: candidate.customer_id,
                        channel: send.channel.as_str().to_string(),
                        send_at: send.at.as_second(),
                        reason: Some(send_reason(send)),
                    });
                    who.push(candidate);
                }
                Decision::Refused(refusal) => out
                    .refused
                    .push((candidate.external_id.clone(), refusal.code())),
            }
        }
        new.truncate(wanted - out.links.len());
        if new.is_empty() {
            continue;
        }
        let made = store
            .record_invitations(
                &out.survey,
                &new,
                settings.now,
                blocked_since,
                &settings.author,
            )
            .await
            .context("recording the invitations")?;
        for ((inv, candidate), made) in new.iter().zip(who).zip(made) {
            match made {
                Some((id, secret)) => out.links.push(InvitationLink {
                    invitation_id: id,
                    customer_id: candidate.customer_id,
                    external_id: candidate.external_id.clone(),
                    link: format!("{base}/s/{secret}"),
                    channel: inv.channel.clone(),
                    send_at: inv.send_at,
                }),
                None => out.raced += 1,
            }
        }
    }
    Ok(out)
}

/// Whether a link's secret has the shape the store makes (32 hexadecimal digits): anything else
/// is unknown without asking the store.
pub fn plausible_secret(secret: &str) -> bool {
    secret.len() == 32 && secret.bytes().all(|b| b.is_ascii_hexdigit())
}

/// What a link leads to.
#[derive(Clone, Debug, PartialEq)]
pub enum LinkState {
    /// No invitation has this link.
    Unknown,
    /// The link's time is over (at `expires_at`).
    Expired(InvitationView),
    /// The survey takes no more answers.
    Closed(InvitationView),
    /// Answers are taken (and a given one may be changed).
    Open(InvitationView),
}

/// The state of the link with `secret` at `now`.
pub async fn open_link(store: &Store, secret: &str, now: i64) -> Result<LinkState> {
    if !plausible_secret(secret) {
        return Ok(LinkState::Unknown);
    }
    let Some(view) = store
        .invitation_by_token(&secret.to_ascii_lowercase())
        .await
        .context("reading the invitation")?
    else {
        return Ok(LinkState::Unknown);
    };
    Ok(if !view.survey.open_at(now) {
        LinkState::Closed(view)
    } else if now > view.expires_at {
        LinkState::Expired(view)
    } else {
        LinkState::Open(view)
    })
}

/// Why an answer through a link was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkRefusal {
    Unknown,
    Expired,
    Closed,
    /// The score is missing or off the survey's scale (`min`..=`max`).
    Score {
        min: u8,
        max: u8,
    },
    /// The comment is longer than this many characters.
    CommentTooLong(usize),
    /// The comment holds control characters other than line breaks and tabs.
    CommentControl,
}

/// An answer through a link that was taken.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkAnswered {
    pub view: InvitationView,
    /// Whether it changed an earlier answer of the same invitation.
    pub changed: bool,
    pub response_id: i64,
}

/// Records the answer (`score` as typed, `comment` as given) of the link with `secret` at `now`:
/// the first submit stores it, a later one changes it (never adds one) until the survey closes
/// or the link expires. An empty comment is none.
pub async fn answer_link(
    store: &Store,
    secret: &str,
    score: Option<&str>,
    comment: Option<&str>,
    now: i64,
) -> Result<Result<LinkAnswered, LinkRefusal>> {
    let view = match open_link(store, secret, now).await? {
        LinkState::Unknown => return Ok(Err(LinkRefusal::Unknown)),
        LinkState::Expired(_) => return Ok(Err(LinkRefusal::Expired)),
        LinkState::Closed(_) => return Ok(Err(LinkRefusal::Closed)),
        LinkState::Open(view) => view,
    };
    let (min, max) = view.survey.kind.range();
    let Some(score) = score
        .and_then(|s| s.trim().parse::<u32>().ok())
        .and_then(|v| AnswerScore::on(view.survey.kind, v))
    else {
        return Ok(Err(LinkRefusal::Score { min, max }));
    };
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if let Some(c) = comment {
        if c.chars().count() > MAX_COMMENT_CHARS {
            return Ok(Err(LinkRefusal::CommentTooLong(MAX_COMMENT_CHARS)));
        }
        if c.chars()
            .any(|ch| ch.is_control() && !matches!(ch, '\n' | '\r' | '\t'))
        {
            return Ok(Err(LinkRefusal::CommentControl));
        }
    }
    let targets = store
        .voice_settings()
        .await
        .context("reading the survey settings")?
        .targets;
    let answer = LinkAnswer {
        score,
        comment: comment.map(str::to_string),
        day: Day::from_days_since_epoch(now.div_euclid(86_400) as i32),
        answered_at: now,
    };
    let changed = view.answer.is_some();
    let response_id = store
        .answer_invitation(&view, &answer, &targets)
        .await
        .context("storing the answer")?;
    Ok(Ok(LinkAnswered {
        view,
        changed,
        response_id,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_addresses_are_checked_and_lose_their_trailing_slash() {
        assert_eq!(
            check_base_url("https://feedback.example.com/").unwrap(),
            "https://feedback.example.com"
        );
        assert_eq!(
            check_base_url(" http://127.0.0.1:8080/shop ").unwrap(),
            "http://127.0.0.1:8080/shop"
        );
        for bad in [
            "",
            "feedback.example.com",
            "javascript:alert(1)",
            "https://",
            "https://a b",
            "https://a/?x=1",
            "https://a\"><script>",
        ] {
            let e = check_base_url(bad).unwrap_err();
            assert_eq!(e.field, "base_url", "{bad}");
        }
        assert!(check_base_url(&format!("https://{}", "a".repeat(300))).is_err());
    }

    #[test]
    fn only_secrets_of_the_stored_shape_reach_the_store() {
        assert!(plausible_secret("0123456789abcdef0123456789ABCDEF"));
        assert!(!plausible_secret("0123456789abcdef0123456789abcde"));
        assert!(!plausible_secret("0123456789abcdef0123456789abcdeg"));
        assert!(!plausible_secret("../../etc/passwd"));
        assert!(!plausible_secret(""));
    }
}
