//! The voice of the customer: surveys and their invitation links, answers (from links, the API
//! and imports) with the follow-up tasks of the closed loop, complaints and wishes with their
//! response targets, the improvement log, the rows the reports read, and the domain's settings.
//!
//! Each file holds one part; this file only names the parts and what they export. The
//! statistics are the core's (`clientele_core::nps`, `closed_loop`, `complaints`); the store
//! keeps the records and reads them back within a user's [`crate::Scope`].

mod answers;
mod feedback;
mod followups;
mod improvements;
mod invitations;
mod reads;
mod settings;
mod surveys;

pub use answers::{AnswerOutcome, AnswerScore, FOLLOW_UP_MAX_AGE_DAYS, NewAnswer, StoredAnswer};
pub use feedback::{
    FeedbackFilter, FeedbackItem, FeedbackKind, FeedbackOutcome, FeedbackPage, FeedbackState,
    FeedbackTiming, MAX_FEEDBACK_CHARS, NewFeedback,
};
pub use followups::{
    FollowUpFilter, FollowUpPage, FollowUpTask, MAX_OUTCOME_CHARS, MAX_SNOOZE_DAYS, TaskAction,
    TaskState, TaskTiming,
};
pub use improvements::{
    Decision, Improvement, MAX_HYPOTHESIS_CHARS, MAX_TITLE_CHARS, NewImprovement, TargetKind,
};
pub use invitations::{
    CANDIDATE_PAGE, InvitationView, InviteCandidate, LinkAnswer, NewInvitation, link_hash,
};
pub use reads::{AnswerGroupBy, AnswerQuery, AnswerRow, ComplaintRow, RespondentBehaviour};
pub use settings::{MAX_MIN_ANSWERS, VoiceSettings};
pub use surveys::{
    MAX_LABEL_CHARS, MAX_SURVEY_NAME_CHARS, NewSurvey, Survey, SurveyKind, SurveyStats,
};
