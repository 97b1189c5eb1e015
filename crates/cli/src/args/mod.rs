//! Command-line arguments. Doc comments are the help text; these types only validate shape,
//! and each converts into the settings of the use case it runs (`clientele_app`), the way
//! ripgrep turns its low-level arguments into high-level ones.

pub mod analyze;
pub mod assess;
pub mod audit;
pub mod calendar;
pub mod campaign;
pub mod common;
pub mod contacts;
pub mod demo;
#[cfg(feature = "distributed")]
pub mod distributed;
pub mod feedback;
pub mod models;
pub mod portfolio;
pub mod queue;
pub mod settings;
pub mod staff;
pub mod store;
pub mod users;
pub mod voice;
pub mod winback;
pub mod worklist;

use clap::{Parser, Subcommand};

/// Clientele: turn your own records into the daily work of keeping customers.
#[derive(Debug, Parser)]
#[command(name = "clientele", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read order exports and place every customer on the loyalty ladder.
    Analyze(analyze::AnalyzeArgs),
    /// Generate a realistic company's order log from a known stochastic process.
    Generate(demo::GenerateArgs),
    /// Create a demo database of a generated company, score it and serve the dashboard over it.
    Demo(demo::DemoArgs),
    /// Print the default ladder rules (a TOML file to copy, edit and pass with --rules).
    Rules,
    /// Fit customer-base models (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma, sBG) and score
    /// customers with them.
    #[command(subcommand)]
    Models(models::ModelsCommand),
    /// Import order exports (and a customers file) into the store; idempotent, atomic per file.
    Import(store::ImportArgs),
    /// Score every customer from the store and write a dated snapshot.
    Score(store::ScoreArgs),
    /// Ladder transitions between two snapshots, and churn per rung.
    Transitions(store::TransitionsArgs),
    /// The latest snapshot's Today and Lost lists, by value at stake (as the dashboard and API).
    #[command(subcommand)]
    Worklist(worklist::WorklistCommand),
    /// Copy the SQLite database to FILE while it stays in use.
    Backup(store::BackupArgs),
    /// Manage users, their API tokens and passwords.
    #[command(subcommand)]
    Users(store::UsersCommand),
    /// Settings of the whole database (the currency amounts are shown in).
    #[command(subcommand)]
    Settings(settings::SettingsCommand),
    /// Consents, contacts planned through the contact policy, and the contact log.
    #[command(subcommand)]
    Contacts(contacts::ContactsCommand),
    /// The client calendar: upcoming occasions with greeting drafts, personal-dates files,
    /// sending a greeting through the contact policy.
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// Serve the dashboard and the JSON API over the store (default 127.0.0.1:8080).
    Serve(store::ServeArgs),
    /// Win-back cases: open them, record attempts, list them, and report the returners' funnel.
    #[command(subcommand)]
    Winback(winback::WinbackCommand),
    /// Campaigns with a control group: create one from a filter, list them, report the uplift.
    #[command(subcommand)]
    Campaign(campaign::CampaignCommand),
    /// Print the documented default playbook (per rung: goal, actions, budgets; the newcomer
    /// rule), the one in force (--current), or save a playbook file (--save).
    Playbook(queue::PlaybookArgs),
    /// The day's queue: per manager, the customers to act on with the action, the reason and
    /// the value at stake, the contact policy applied; `done` and `snooze` record outcomes.
    Queue(queue::QueueArgs),
    /// The old spelling of `users passwd`, kept for scripts written against it.
    #[command(hide = true)]
    Passwd(store::PasswdArgs),
    /// The express self-assessment: checklists, answers, the report per area with the spread.
    #[command(subcommand)]
    Assess(assess::AssessCommand),
    /// The audit log (admins' record of who viewed, listed, searched, exported or changed which
    /// customers), newest first, filtered by user, action and days.
    Audit(audit::AuditArgs),
    /// Staff voice: employee NPS and satisfaction by department and period, anonymous by
    /// construction (one-time codes per department, answers released in batches).
    #[command(subcommand)]
    Staff(staff::StaffCommand),
    /// The product portfolio: life-cycle stages, bestsellers, longsellers, blockbusters,
    /// line-cut candidates, the product of the month and bundles, from order files or the store.
    Portfolio(portfolio::PortfolioArgs),
    /// Survey answers: import exports of NPS and CSAT answers.
    #[command(subcommand)]
    Surveys(voice::SurveysCommand),
    /// The NPS report: score, margin of error, trend and splits.
    #[command(subcommand)]
    Nps(voice::NpsCommand),
    /// The improvement log (plan-do-check-act): add, check, list.
    #[command(subcommand)]
    Improvements(voice::ImprovementsCommand),
    /// Complaints and wishes: import, list, answer, resolve, the response-time report, targets.
    #[command(subcommand)]
    Feedback(feedback::FeedbackCommand),
    /// Run a Ballista scheduler or executor with Clientele's functions (for --engine).
    #[cfg(feature = "distributed")]
    #[command(subcommand)]
    Cluster(distributed::ClusterCommand),
    /// Convert order exports into Parquet order lines (the engine's input).
    #[cfg(feature = "distributed")]
    #[command(subcommand)]
    Export(distributed::ExportCommand),
}
