//! The client calendar: each customer's occasions in the next days (personal dates and
//! first-purchase anniversaries, read by the store), a greeting draft for each written from the
//! dossier by the core (`care::greeting`) and kept until sent — never the same text for two
//! customers of one occasion — the channel the contact policy would use, and sending a draft
//! through the policy, which records it in the contact log. Personal dates come in from files
//! through [`import_dates`].

mod dates_file;
mod send;
mod upcoming;

pub use dates_file::{DateImport, ImportDatesSettings, import_dates, read_dates};
pub use send::{SendGreeting, SendOutcome, send_greeting};
pub use upcoming::{
    MAX_DAYS, MAX_OCCASIONS, UpcomingOccasion, UpcomingSettings, upcoming_occasions,
};
