//! Clientele's application layer: the use cases the command line, the server and the demo call,
//! over the pure core (`clientele-core`), the readers of exports (`clientele-ingest`), the
//! customer-base models (`clientele-models`) and the store (`clientele-store`).
//!
//! Each use case takes a settings type that knows nothing of command lines or HTTP; a front end
//! converts its own arguments into it (the CLI its flags, the server its JSON) and writes the
//! answer in its own format. Nothing here prints: progress and notes reach the caller as events
//! or in the answer.
//!
//! | module | use case |
//! | --- | --- |
//! | [`import`] | order exports and a customers file into the store, one transaction per file |
//! | [`score`] | a dated snapshot of every customer from the store: summaries, model, ladder |
//! | [`score_runs`] | scoring runs in the background, one at a time, with their progress |
//! | [`analyze`] | the same analysis on files, without a store |
//! | [`models`] | customer-base models: fit (with holdout diagnostics), score, the summary |
//! | [`rules`] | the ladder rules file |
//! | [`currency`] | the currency amounts are shown in: the setting, else detected from the data |
//! | [`transitions`] | moves between two snapshots, churn per rung |
//! | [`calendar`] | the client calendar: upcoming occasions, greeting drafts from the dossier, sending them through the policy, personal-dates files |
//! | [`contacts`] | the contact policy: plan and record contacts, import consents |
//! | [`users`], [`database`] | users and passwords; opening and backing up the store |
//! | [`generate`], [`demo`] | a generated company's files; the demo database |
//! | [`winback`] | win-back cases, campaigns, the playbook file, the daily queue and its outcomes |
//! | [`audit`] | the audit log read by an admin: filters checked, pages, the export bound |
//! | [`staff`] | staff voice: surveys, one-time codes per department, anonymous answers, the report by department and period |
//! | [`assess`] | the express self-assessment: shipped TOML checklists and the company's own, answers, the report |
//! | [`portfolio`] | the product portfolio: life-cycle stages, tags, bundles, from the store or files; the products file |
//! | [`voice`] | the voice of the customer: the NPS report, survey answers by batch and by import |
//!
//! Errors are `anyhow` errors whose messages (with their context chain, `{:#}`) are written for
//! people. A setting with a value a use case refuses is an [`InvalidSetting`] naming the setting,
//! which front ends find with `downcast_ref` to point at their own flag or field.
//!
//! Invariant: no module here reads arguments, writes to standard output or error, or knows HTTP.

pub mod analyze;
pub mod assess;
pub mod audit;
pub mod calendar;
pub mod calibration;
pub mod clock;
pub mod contacts;
pub mod currency;
pub mod database;
pub mod demo;
pub mod forecast;
pub mod generate;
pub mod import;
pub mod models;
pub mod portfolio;
pub mod rules;
pub mod score;
pub mod score_runs;
mod setting;
pub mod staff;
pub mod transitions;
pub mod users;
pub mod voice;
pub mod winback;
pub mod worklists;

pub use forecast::{ForecastSettings, ModelOutcome, SpendModel, SpendOutcome};
pub use setting::InvalidSetting;
