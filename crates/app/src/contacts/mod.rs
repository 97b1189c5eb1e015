//! The contact policy applied to the store: every module that wants to reach customers
//! (offers, reminders, surveys, greetings, notices, win-back, events) plans through
//! [`plan_contacts`], which reads what the policy needs (consent history, contact details,
//! preferred channel, time zone, quiet hours, rung, the contacts already counted), asks the
//! core's `contact_policy::plan` for a decision on each, and records the allowed ones in the
//! contact log as planned, in one transaction. Consents files come in through
//! [`import_consents`].
//!
//! For another module: build a [`ContactRequest`] per message (customer, kind, module, the day
//! and local time it should arrive, the channels it may use, its priority and subject), call
//! `plan_contacts(store, &PlanSettings { requests, record: true, .. })`, and use each
//! [`PlannedContact`]'s decision: a refusal says why (`no_consented_channel`, `weekly_cap_reached`
//! ...), a send says the channel, the instant and the contact-log row written.

mod import;
mod plan;
mod requests_file;
mod time_of_day;

pub use import::{ConsentImport, ImportConsentsSettings, import_consents};
pub use plan::{
    ContactRequest, PlanReport, PlanSettings, PlannedContact, contact_rules, plan_contacts,
    refusal_text, send_reason,
};
pub use requests_file::{MAX_SUBJECT_CHARS, read_requests};
pub use time_of_day::{format_minutes, parse_minutes, time_of_minutes};
