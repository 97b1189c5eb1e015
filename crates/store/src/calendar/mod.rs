//! The client calendar's storage: personal dates that users enter on the card, through the API
//! and from files (within the user's scope, audited), the dossier facts a greeting is written
//! from, and the greeting drafts — one per customer, occasion and day, editable until sent, then
//! linked to the contact-log row the policy wrote. The upcoming dates themselves are read by
//! `customers/dates.rs` (`Store::upcoming_dates`).

mod dates;
mod drafts;
mod facts;

pub use dates::{MAX_DATE_IMPORT_ROWS, PersonalDateImportRow};
pub use drafts::{GreetingDraft, MAX_GREETING_CHARS, NewGreetingDraft};
pub use facts::GreetingDossier;
