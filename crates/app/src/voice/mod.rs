//! The voice of the customer's use cases: the NPS report (overall, trend and splits, with the
//! core's honest statistics) and the survey answers that reach the store from the API and from
//! imported exports; invitations through the contact policy and answers through their public
//! links; NPS joined with what respondents did next; the improvement log's check; complaints
//! and wishes in, with the response-target report.
//!
//! The statistics are `clientele_core::nps`; the records are the store's `voice` module. Each
//! use case takes a settings struct that knows nothing of flags or JSON.

mod answers;
mod feedback;
mod improvements;
mod invitations;
mod nps_behaviour;
mod nps_report;

pub use answers::{
    AnswerImportSettings, AnswerInput, AnswerReject, AnswersOutcome, MAX_ANSWER_BATCH,
    MAX_ANSWER_ID_CHARS, MAX_COMMENT_CHARS, MAX_TAG_CHARS, import_answer_files, nps_scale,
    store_answer_batch,
};
pub use feedback::{
    FeedbackAdded, FeedbackImportSettings, FeedbackInput, FeedbackReject, FeedbackReport,
    FeedbackReportSettings, MAX_ENTRY_ID_CHARS, MAX_FEEDBACK_BATCH, MAX_REPORT_DAYS,
    ManagerCompliance, add_feedback, feedback_report, import_feedback_files, report_window,
    set_complaint_targets,
};
pub use improvements::{ImprovementCheckOutput, add_improvement, check_improvement_by_id};
pub use invitations::{
    InvitationLink, InviteOutput, InviteSettings, LinkAnswered, LinkRefusal, LinkState,
    MAX_BASE_URL_CHARS, MAX_INVITATIONS, answer_link, check_base_url, invite, open_link,
    plausible_secret,
};
pub use nps_behaviour::{
    DEFAULT_DAYS_AFTER, Difference, GroupBehaviour, MAX_DAYS_AFTER, MeanFigure, NpsBehaviourOutput,
    NpsBehaviourSettings, nps_behaviour,
};
pub use nps_report::{
    CsatFigures, GroupFigures, NpsFigures, NpsReportOutput, NpsReportSettings, PeriodChange,
    PeriodFigures, nps_report,
};
