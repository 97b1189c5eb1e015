//! Customers: who they are and what is known about them (records, the dossier, customers
//! files), the customer card, the customer list and its search, the work lists of the latest
//! snapshot, how to reach each customer (consent first), the calendar of their dates, and the
//! edits users make.
//!
//! Each file holds one part and imports only its siblings' and the crate's leaf modules; this
//! file only names the parts and what they export.

mod activity;
mod card;
mod card_reader;
mod dates;
mod dossier;
mod edits;
mod identity;
mod list;
mod profile;
mod reach;
mod records;
mod worklists;

pub use activity::{
    CardAnswer, CardAttempt, CardFeedback, CustomerActivity, CustomerMark, MAX_ACTIVITY_ROWS,
    phone_tail,
};
pub use card::{CARD_ORDERS, CARD_SNAPSHOTS, CustomerCard, OrderSummary};
pub use card_reader::CardReader;
pub use dates::{DateKind, UpcomingDate};
pub use edits::{CustomerEdit, MAX_NOTE_CHARS};
pub use list::{Cursor, CustomerFilter, CustomerListItem, CustomerPage};
pub use reach::{Reach, ReachContact, reach_of};
pub use records::{
    Channel, ConsentRecord, ContactRecord, CustomerKind, CustomerProfileUpdate, CustomerRow,
    FeedbackRecord, NewCustomer, NoteRecord, PersonalDateRecord, SurveyRecord, TouchKind,
    TouchRecord,
};
pub use worklists::{ActionItem, ActionPage, ValueItem, ValueList, ValuePage};
