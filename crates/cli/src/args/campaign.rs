//! `clientele campaign`'s arguments (create, list, report), and their conversion into the
//! campaign use case's settings.

use anyhow::{Result, anyhow};
use clap::{Args, Subcommand};
use clientele_app::clock::today;
use clientele_app::winback::{CampaignSettings, DEFAULT_CAMPAIGN_WINDOW_DAYS};
use clientele_core::winback::{CampaignFilter, parse_segment};
use clientele_core::{Day, Money, Rung, Status};

use super::common::{DbArgs, parse_user_date};
use super::winback::WinbackFormat;

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// Create a campaign: select customers of the latest snapshot by status, rung and RFM
    /// segment, hold back a seeded control share within each rung; prints the id last.
    Create(CreateArgs),
    /// List campaigns, newest first.
    List(CampaignListArgs),
    /// The uplift: treated against control, with its 95% interval, p-value, cost, net value
    /// and verdict.
    Report(CampaignReportArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(long, value_name = "NAME")]
    pub name: String,
    /// active, slipping or lost; repeat for several (none: any).
    #[arg(long = "status", value_name = "STATUS")]
    pub statuses: Vec<String>,
    /// prospect, visitor, newcomer, regular or advocate; repeat for several (none: any).
    #[arg(long = "rung", value_name = "RUNG")]
    pub rungs: Vec<String>,
    /// An RFM segment (champions, at_risk, hibernating, ...); repeat for several (none: any).
    #[arg(long = "segment", value_name = "SEGMENT")]
    pub segments: Vec<String>,
    /// The share held back as control, between 0 and 1 (e.g. 0.2).
    #[arg(long, value_name = "SHARE")]
    pub control: f64,
    /// The assignment's seed (default: drawn and recorded), to reproduce the arms.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// The first day purchases count (default: today).
    #[arg(long, value_name = "DATE")]
    pub start: Option<String>,
    /// Days purchases count for.
    #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_CAMPAIGN_WINDOW_DAYS)]
    pub window: i32,
    /// What contacting one treated customer costs, in the store's currency.
    #[arg(long, value_name = "AMOUNT", default_value = "0")]
    pub cost: String,
    /// Who creates it (written in the campaign and the audit log).
    #[arg(long, value_name = "NAME", default_value = "cli")]
    pub by: String,
    #[command(flatten)]
    pub db: DbArgs,
}

impl CreateArgs {
    pub fn settings(&self) -> Result<CampaignSettings> {
        let statuses = self
            .statuses
            .iter()
            .map(|s| {
                Status::parse(s)
                    .ok_or_else(|| anyhow!("--status {s}: expected active, slipping or lost"))
            })
            .collect::<Result<Vec<_>>>()?;
        let rungs = self
            .rungs
            .iter()
            .map(|r| {
                Rung::parse(r).ok_or_else(|| {
                    anyhow!("--rung {r}: expected prospect, visitor, newcomer, regular or advocate")
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let segments = self
            .segments
            .iter()
            .map(|s| parse_segment(s).ok_or_else(|| anyhow!("--segment {s}: not an RFM segment")))
            .collect::<Result<Vec<_>>>()?;
        let cost: f64 = self
            .cost
            .trim()
            .replace(',', ".")
            .parse()
            .ok()
            .filter(|c: &f64| c.is_finite() && *c >= 0.0 && *c < 1e12)
            .ok_or_else(|| anyhow!("--cost {}: expected an amount of 0 or more", self.cost))?;
        let start: Day = match &self.start {
            Some(d) => parse_user_date(d)?,
            None => today(),
        };
        Ok(CampaignSettings {
            name: self.name.clone(),
            filter: CampaignFilter {
                statuses,
                rungs,
                segments,
            },
            control_share: self.control,
            seed: self.seed,
            start_day: start,
            window_days: self.window,
            cost_per_contact: Money::from_f64_rounded(cost),
            created_by: self.by.clone(),
        })
    }
}

#[derive(Debug, Args)]
pub struct CampaignListArgs {
    #[arg(long, value_enum, default_value_t)]
    pub format: WinbackFormat,
    #[command(flatten)]
    pub db: DbArgs,
}

#[derive(Debug, Args)]
pub struct CampaignReportArgs {
    /// The campaign's id (as `campaign create` printed it).
    #[arg(value_name = "ID")]
    pub id: i64,
    /// The data's last day (default: the latest snapshot's day).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: WinbackFormat,
    #[command(flatten)]
    pub db: DbArgs,
}
