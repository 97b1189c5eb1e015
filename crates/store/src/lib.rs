//! Clientele's system of record: one storage API, two backends.
//!
//! [`Store`] is an enum over a SQLite pool (the embedded default: one file, no set-up) and a
//! PostgreSQL pool (for teams). Each backend has its own migrations folder
//! (`migrations/sqlite`, `migrations/postgres`) describing the same tables. The queries are
//! plain `sqlx::query` strings written once in the common subset of both dialects and run on
//! either pool through `dispatch!`; what the dialects do not share is in `dialect.rs` alone. Every
//! query is exercised on both backends by the tests in `tests/store/`.
//!
//! Storage conventions: days are integer days since 1970-01-01 ([`Day`]), money is integer
//! ten-thousandths ([`Money`]), instants are Unix seconds; see the migrations. The core's values
//! (rungs, statuses, sub-groups, ABC classes, RFM cells, status reasons) are stored as their
//! stable texts and read back through the core's one parser for each (`columns.rs`).
//!
//! # Map
//!
//! The store is organised by domain, one module (a folder when it has parts) per domain:
//!
//! - `customers/`: records and the dossier, customers files, the card (and its SQLite reader
//!   threads), the customer list and its search, the work lists, the calendar of dates, audited
//!   edits;
//! - `orders/`: importing order lines, per-customer summaries for scoring;
//! - `snapshots/`: writing a snapshot with its aggregates, a customer's history, transitions and
//!   churn, the dashboard's reads, the movement rules;
//! - `users/`: accounts, API tokens, passwords, languages; browser sessions; disabling,
//!   removing users and revoking their tokens (`users/admin.rs`);
//! - `audit/`: the audit log, its SQLite writer thread, and its filtered pages for admins;
//! - `contacts/`: the contact policy's storage (consent history, preferences, caps per rung,
//!   the policy's bulk inputs) and the contact log, written through `Store::record_contacts`;
//! - `calendar/`: the client calendar — personal dates entered by users and files, the dossier
//!   facts greetings are written from, the greeting drafts and what was sent;
//! - `privacy.rs`: the personal-data export and erasure;
//! - `staff.rs`: staff voice — surveys, one-time codes per department (hashes, deleted on use),
//!   answers held until a batch is full and released shuffled, with no person, code or time;
//! - `assess.rs`: the express self-assessment's company checklists and answers (history);
//! - `portfolio.rs`: the products file's facts, and the portfolio's reads of the order lines
//!   (monthly sales and buyers per product, baskets streamed for the co-purchase analysis);
//! - `winback/`: the playbook's versions, the daily queue's reads and outcomes (with their
//!   contact-log rows), win-back cases and attempts, saved filters and campaigns with their
//!   control groups;
//! - `recurrence.rs`: the calendar rules of personal dates;
//! - `voice/`: the voice of the customer — surveys, invitation links, answers and the
//!   follow-up tasks they open, complaints and wishes with response targets, the improvement
//!   log, the reports' reads, the domain's settings;
//! - `settings.rs`: settings of the whole database (the currency), and the sample of the data
//!   the currency is detected from;
//!
//! beside the leaf modules every domain may use: `db` (the [`Store`] handle, `dispatch!`),
//! `error`, `dialect`, `columns` (stored texts to the core's values), `scope` ([`Scope`]) and
//! `serialize` (the export's JSON forms).
//!
//! # Adding a domain
//!
//! A new domain (surveys, complaints, campaigns, ...) goes the same way: its tables in a
//! migration for each backend (`migrations/sqlite/NNNN_<domain>.sql` and
//! `migrations/postgres/NNNN_<domain>.sql`, the same tables); its code in `src/<domain>/`, with a
//! `mod.rs` that only declares the parts and re-exports their public types, parts that import
//! their siblings and the leaf modules (never a module that imports them back: domains form a
//! tree, `customers` may read `snapshots` but not the reverse), queries written once through
//! `dispatch!` and anything dialect-specific added to `dialect.rs`; its public types re-exported
//! below; and its tests in `tests/store/<domain>.rs`, every one run on SQLite and PostgreSQL.

mod assess;
mod audit;
mod calendar;
mod columns;
mod contacts;
mod customers;
mod db;
mod dialect;
mod error;
mod orders;
mod portfolio;
mod privacy;
pub mod recurrence;
mod scope;
mod serialize;
mod settings;
mod snapshots;
mod staff;
mod tombstones;
mod users;
pub mod voice;
mod winback;

pub use clientele_core::{Day, Money};

pub use assess::{
    MAX_ANSWERS, MAX_ASSESS_NAME_CHARS, MAX_CHECKLIST_BYTES, StoredChecklist, StoredResponse,
};
pub use audit::{
    AuditEntry, AuditFilter, AuditPage, AuditRecord, NewAuditEntry, SqliteAuditWriter, read_action,
};
pub use calendar::{
    GreetingDossier, GreetingDraft, MAX_DATE_IMPORT_ROWS, MAX_GREETING_CHARS, NewGreetingDraft,
    PersonalDateImportRow,
};
pub use contacts::{
    ChannelBits, ConsentEntry, ConsentImportRow, ContactInputs, ContactLogEntry, ContactLogFilter,
    ContactPlanInputs, ContactPreferences, ContactState, CountedContact, MAX_CONSENT_SOURCE_CHARS,
    MAX_CONTACT_SUBJECT_CHARS, NewConsent, NewContactLogEntry, StoredCap, StoredConsentEvent,
    contact_plan_statements,
};
pub use customers::{
    ActionItem, ActionPage, CARD_ORDERS, CARD_SNAPSHOTS, CardReader, Channel, ConsentRecord,
    ContactRecord, Cursor, CustomerCard, CustomerEdit, CustomerFilter, CustomerKind,
    CustomerListItem, CustomerPage, CustomerProfileUpdate, CustomerRow, DateKind, FeedbackRecord,
    MAX_NOTE_CHARS, NewCustomer, NoteRecord, OrderSummary, PersonalDateRecord, Reach, ReachContact,
    SurveyRecord, TouchKind, TouchRecord, UpcomingDate, ValueItem, ValueList, ValuePage, reach_of,
};
pub use customers::{
    CardAnswer, CardAttempt, CardFeedback, CustomerActivity, CustomerMark, MAX_ACTIVITY_ROWS,
    phone_tail,
};
pub use db::{Backend, DEFAULT_URL, Store};
pub use error::{Result, StoreError};
pub use orders::{
    ImportCounts, ImportTx, NewOrderLine, STREAM_BATCH, StoredLine, StoredSummaries, StreamError,
};
pub use portfolio::{
    CustomerCategories, MAX_PRODUCTS_AT_ONCE, NewProduct, PortfolioScan, ProductBuyers,
    ProductMonth, RungCategories, ScannedMonth, ScannedProduct, StoredProduct,
};
pub use privacy::{CustomerExport, OrderLineRecord, SnapshotRecord};
pub use recurrence::DateRule;
pub use scope::Scope;
pub use settings::{CurrencyEvidence, MAX_SETTING_BYTES, Setting};
pub use snapshots::{BuyerGroup, SnapshotRelations};
pub use snapshots::{
    ChurnRow, CustomerSnapshot, LadderAggregate, LadderCell, Movement, MovementAggregate,
    ParetoPoint, Segment, SegmentCount, SnapshotRow, Standing, StatusReasonRecord, TransitionCell,
    Transitions, at_risk, churned, classify, compute_transitions,
};
pub use staff::{
    CODE_CHARS, MAX_CODES_AT_ONCE, MAX_STAFF_NAME_CHARS, STAFF_BATCH_SIZES, StaffAnswerRow,
    StaffSurvey, normalize_code,
};
pub use tombstones::erased_reason;
pub use users::{LANGUAGES, NewSession, NewUser, Role, User, UserRow};
pub use winback::{
    AttemptRecord, CampaignArmRevenue, CampaignCandidate, CampaignRecord, CaseFactsRow, CaseFilter,
    CaseRecord, CaseSource, CaseUpdate, ContactFacts, MAX_CASE_TEXT_CHARS, MAX_CASES_AT_ONCE,
    MAX_NAME_CHARS, MAX_OUTCOME_NOTE_CHARS, MAX_PLAYBOOK_BYTES, NewAttempt, NewCampaign, NewCase,
    OpenedCase, PlaybookVersion, QueueActivity, QueueDetail, QueueOutcomeRecord, QueueSnapshotRow,
    RegainedRow, SavedFilter, StoredQueueOutcome,
};
