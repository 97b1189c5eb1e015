//! Winning customers back and proving what worked: the playbook, the daily queue's decisions,
//! win-back cases and campaign filters.
//!
//! What to call:
//! - [`Playbook`] (`Default` is the documented default; [`Playbook::validate`] names the key
//!   of any value out of bounds): per rung and profit sub-group ([`Play`]) the goal, the
//!   [`Action`]s in order of preference and a budget per customer per period; the
//!   [`NewcomerRule`] that judges newcomers [`NewcomerDecision::Develop`], `KeepMinimal` or
//!   `LetGo`.
//! - For the daily queue, per customer ([`QueueCustomer`]): [`propose`] → the next best action
//!   with its [`value_at_stake`] (the expected CLV lost) and the budget check; then
//!   [`decide_action`], which asks the contact policy's one decision function
//!   ([`crate::contact_policy::decide`]) for the channel and time or why not; order the queue
//!   with [`by_value_at_stake`]; word the reason with [`QueueReason`] and a refusal with
//!   [`Blocked`].
//! - For win-back cases: [`LeavingReason`], [`AttemptOutcome`], [`CaseFacts::state`] (returned
//!   within the window or not), [`Funnel`] (lost → contacted → answered → returned → still
//!   buying after 90 days) and [`win_back_rate`] against the method's mark ([`B2C_MARK`]).
//! - For campaigns: [`CampaignFilter`] (statuses, rungs, RFM segments) and [`CampaignKind`];
//!   the control group and the report are [`crate::uplift`]'s.

mod campaign;
mod cases;
mod playbook;
mod queue;

pub use campaign::{CampaignFilter, CampaignKind, parse_segment, segment_code};
pub use cases::{
    AttemptOutcome, B2C_MARK, CaseFacts, CaseState, Funnel, FunnelCase, LeavingReason, Regained,
    STILL_BUYING_DAYS, WinBackRate, win_back_rate,
};
pub use playbook::{
    Action, MAX_ACTIONS, MAX_AMOUNT, MAX_CODE_CHARS, MAX_OFFER_CHARS, MAX_PERIOD_DAYS, MAX_PLAYS,
    NewcomerDecision, NewcomerJudgement, NewcomerRule, Play, Playbook, PlaybookError,
};
pub use queue::{
    Blocked, BudgetCheck, Proposal, QueueCustomer, QueueReason, by_value_at_stake, decide_action,
    grouped, median_order, planned_contact, propose, rules_for, value_at_stake,
};

#[cfg(test)]
mod tests;
