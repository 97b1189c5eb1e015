//! Winning customers back (issue 27): the playbook's saved versions and each snapshot's CLV
//! horizon (`playbooks.rs`), what the daily queue reads (`queue.rs`), what its done items and
//! win-back attempts write to the contact log (`contact_log.rs`), win-back cases and their
//! attempts (`cases.rs`), saved filters and campaigns with their control groups
//! (`campaigns.rs`); the queue's reads over every customer on a SQLite file go through a
//! connection of their own (`direct.rs`).
//!
//! Each file holds one part and imports only its siblings' and the crate's leaf modules (and
//! the users' `User`); this file only names the parts and what they export.

mod campaigns;
mod cases;
mod contact_log;
mod direct;
mod playbooks;
mod queue;

pub use campaigns::{
    CampaignArmRevenue, CampaignCandidate, CampaignRecord, MAX_NAME_CHARS, NewCampaign, SavedFilter,
};
pub use cases::{
    AttemptRecord, CaseFactsRow, CaseFilter, CaseRecord, CaseSource, CaseUpdate,
    MAX_CASE_TEXT_CHARS, MAX_CASES_AT_ONCE, NewAttempt, NewCase, OpenedCase, RegainedRow,
};
pub use contact_log::{MAX_OUTCOME_NOTE_CHARS, QueueOutcomeRecord, StoredQueueOutcome};
pub use playbooks::{MAX_PLAYBOOK_BYTES, PlaybookVersion};
pub use queue::{ContactFacts, QueueActivity, QueueDetail, QueueSnapshotRow};
