//! `clientele campaign create|list|report`: campaigns with a control group from the command
//! line. `create` prints the new campaign's id as its last line; `report --format json` writes
//! `{"treated", "control", "uplift", "revenue_uplift", "cost", "net_value", "verdict"}` with
//! numbers or null, never NaN.

use anyhow::Result;
use clientele_app::database::open_store;
use clientele_app::winback::{CampaignReport, campaign_report, create_campaign};
use clientele_core::inference::{Interval, MeanDifference, ProportionDifference};
use clientele_core::uplift::ArmSummary;
use clientele_core::winback::segment_code;
use clientele_store::CampaignRecord;
use serde_json::{Value, json};

use crate::args::campaign::CampaignCommand;
use crate::args::common::parse_user_date;
use crate::args::winback::WinbackFormat;
use crate::runtime::runtime;

pub fn run(command: CampaignCommand) -> Result<()> {
    runtime()?.block_on(async {
        match command {
            CampaignCommand::Create(a) => {
                let settings = a.settings()?;
                let store = open_store(&a.db.url()).await?;
                let created = create_campaign(&store, &settings).await?;
                eprintln!(
                    "campaign '{}': {} treated, {} control (seed {})",
                    settings.name.trim(),
                    created.treated,
                    created.control,
                    created.seed
                );
                outln!("{}", created.id);
                store.close().await;
            }
            CampaignCommand::List(a) => {
                let store = open_store(&a.db.url()).await?;
                let (_, campaigns) = store.campaigns(0, 1000).await?;
                match a.format {
                    WinbackFormat::Json => {
                        let list: Vec<Value> = campaigns.iter().map(campaign_json).collect();
                        outln!("{}", serde_json::to_string_pretty(&list)?);
                    }
                    WinbackFormat::Text => {
                        for c in &campaigns {
                            outln!(
                                "{:>5}  {:<30} {:<9} start {}  {} days  treated {}  control {}  seed {}",
                                c.id,
                                c.name,
                                c.kind.as_str(),
                                c.start_day,
                                c.window_days,
                                c.treated,
                                c.control,
                                c.seed
                            );
                        }
                        if campaigns.is_empty() {
                            eprintln!("no campaigns yet: create one with `clientele campaign create`");
                        }
                    }
                }
                store.close().await;
            }
            CampaignCommand::Report(a) => {
                let as_of = a.as_of.as_deref().map(parse_user_date).transpose()?;
                let store = open_store(&a.db.url()).await?;
                let report = campaign_report(&store, a.id, as_of).await?;
                match a.format {
                    WinbackFormat::Json => {
                        outln!("{}", serde_json::to_string_pretty(&report_json(&report))?)
                    }
                    WinbackFormat::Text => print_report(&report)?,
                }
                store.close().await;
            }
        }
        Ok(())
    })
}

/// A finite number, else null.
fn num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, num)
}

fn interval(i: Interval) -> Value {
    json!([num(i.lo), num(i.hi)])
}

fn campaign_json(c: &CampaignRecord) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "kind": c.kind.as_str(),
        "statuses": c.filter.filter.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "rungs": c.filter.filter.rungs.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "segments": c.filter.filter.segments.iter().map(|s| segment_code(*s)).collect::<Vec<_>>(),
        "snapshot": c.snapshot_as_of.to_string(),
        "start": c.start_day.to_string(),
        "window_days": c.window_days,
        "control_share": c.control_share.get(),
        "seed": c.seed,
        "method": c.method,
        "cost_per_contact": c.cost_per_contact.to_f64(),
        "treated": c.treated,
        "control": c.control,
    })
}

fn arm_json(a: &ArmSummary) -> Value {
    json!({
        "n": a.n,
        "converted": a.converted,
        "rate": opt(a.rate),
        "revenue_per_customer": opt(a.revenue_per_customer),
    })
}

fn rate_json(d: Option<&ProportionDifference>) -> Value {
    match d {
        Some(d) => {
            json!({"rate": num(d.difference), "ci95": interval(d.ci95), "p_value": num(d.p_value)})
        }
        None => json!({"rate": null, "ci95": null, "p_value": null}),
    }
}

fn revenue_json(d: Option<&MeanDifference>) -> Value {
    match d {
        Some(d) => {
            json!({"per_customer": num(d.difference), "ci95": interval(d.ci95), "p_value": num(d.p_value)})
        }
        None => json!({"per_customer": null, "ci95": null, "p_value": null}),
    }
}

/// The report in the interface's JSON shape (plus the campaign and the day it was read on).
pub fn report_json(r: &CampaignReport) -> Value {
    let u = &r.report;
    json!({
        "campaign": campaign_json(&r.campaign),
        "as_of": r.as_of.to_string(),
        "window_last_day": r.campaign.window_last_day().to_string(),
        "treated": arm_json(&u.treated),
        "control": arm_json(&u.control),
        "uplift": rate_json(u.rate_uplift.as_ref()),
        "revenue_uplift": revenue_json(u.revenue_uplift.as_ref()),
        "cost": num(u.cost.to_f64()),
        "net_value": opt(u.net_value),
        "net_value_ci95": u.net_value_ci95.map_or(Value::Null, interval),
        "verdict": u.verdict.as_str(),
    })
}

fn pct(x: Option<f64>) -> String {
    x.filter(|v| v.is_finite())
        .map_or("-".into(), |v| format!("{:.2}%", v * 100.0))
}

fn print_report(r: &CampaignReport) -> anyhow::Result<()> {
    let u = &r.report;
    let c = &r.campaign;
    outln!(
        "campaign {} '{}' ({}), window {} to {}, read as of {}",
        c.id,
        c.name,
        c.kind.as_str(),
        c.start_day,
        c.window_last_day(),
        r.as_of
    );
    for (label, arm) in [("treated", &u.treated), ("control", &u.control)] {
        outln!(
            "  {label:<8} n {:>8}  converted {:>7}  rate {:>8}  revenue per customer {}",
            arm.n,
            arm.converted,
            pct(arm.rate),
            arm.revenue_per_customer
                .map_or("-".into(), |v| format!("{v:.2}"))
        );
    }
    match &u.rate_uplift {
        Some(d) => outln!(
            "  uplift of the rate: {} (95% interval {} to {}), p = {:.4}",
            pct(Some(d.difference)),
            pct(Some(d.ci95.lo)),
            pct(Some(d.ci95.hi)),
            d.p_value
        ),
        None => outln!("  uplift of the rate: - (an arm is empty)"),
    }
    match &u.revenue_uplift {
        Some(d) => outln!(
            "  uplift of revenue per customer: {:.2} (95% interval {:.2} to {:.2}), p = {:.4}",
            d.difference,
            d.ci95.lo,
            d.ci95.hi,
            d.p_value
        ),
        None => outln!("  uplift of revenue per customer: - (an arm has fewer than 2 customers)"),
    }
    outln!(
        "  cost {}  net value {}",
        u.cost,
        u.net_value.map_or("-".into(), |v| format!("{v:.2}"))
    );
    outln!("  verdict: {}", u.verdict.as_str());
    Ok(())
}
