//! The contact policy's storage: consent history per channel (who recorded it, when, from
//! where; withdrawals kept), each customer's time zone and quiet hours, the frequency caps per
//! rung, the inputs the policy needs to plan contacts in bulk, and the contact log.
//!
//! The contact log is written through one function, [`Store::record_contacts`] (a batch of
//! [`NewContactLogEntry`], one transaction); the app's `contacts::plan_contacts` is what other
//! modules call to plan through the policy and record the result in one step.

mod consents;
mod inputs;
mod log;
mod plan_inputs;
mod preferences;

pub use consents::{ConsentEntry, ConsentImportRow, MAX_CONSENT_SOURCE_CHARS, NewConsent};
pub use inputs::{ContactInputs, StoredConsentEvent};
pub use log::{
    ContactLogEntry, ContactLogFilter, ContactState, CountedContact, MAX_CONTACT_SUBJECT_CHARS,
    NewContactLogEntry,
};
pub use plan_inputs::{ChannelBits, ContactPlanInputs, contact_plan_statements};
pub use preferences::{ContactPreferences, StoredCap};
