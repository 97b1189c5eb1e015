//! Winning customers back (issue 27): win-back cases (`cases.rs`) — opening them from the lost
//! or slipping list or by hand, recording attempts, listing them, and the report that settles
//! them from the orders with the returners' funnel, the regained revenue and the win-back rate
//! against the method's mark; campaigns with a control group (`campaigns.rs`): created from a
//! filter with a seeded control share per rung, and their uplift report; the playbook file
//! (`playbook.rs`): its documented defaults, reading it, the version in force; the daily queue
//! (`queue.rs`): the next best action per customer with the contact policy applied, and what
//! came of each item.

mod campaigns;
mod cases;
mod playbook;
mod queue;

pub use campaigns::{
    CampaignReport, CampaignSettings, CreatedCampaign, DEFAULT_CAMPAIGN_WINDOW_DAYS,
    campaign_report, create_campaign, create_campaign_from_filter,
};
pub use cases::{
    AttemptSettings, CaseListSettings, DEFAULT_REGAINED_DAYS, DEFAULT_WINDOW_DAYS, FunnelRow,
    OpenSettings, RegainedCase, ReportSettings, WinBackReport, list_cases, open_cases,
    record_attempt, winback_report,
};
pub use playbook::{
    current_playbook, default_playbook_toml, parse_playbook, playbook_toml, save_playbook,
};
pub use queue::{
    DEFAULT_QUEUE_LIMIT, MAX_QUEUE_LIMIT, MAX_SNOOZE_DAYS, OutcomeSettings, Queue, QueueItem,
    QueueSettings, daily_queue, record_queue_outcome,
};
