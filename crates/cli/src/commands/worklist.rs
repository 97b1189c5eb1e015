//! `clientele worklist today|lost`: the latest snapshot's Today and Lost lists in the order of
//! the dashboard and the API (by value at stake: the CLV over the snapshot's horizon expected
//! to be lost), naming the horizon and the currency.

use std::io::Write;

use anyhow::Result;
use clientele_app::database::open_store;
use clientele_app::worklists::{Worklist, worklist};
use clientele_core::Money;
use serde_json::json;

use crate::args::worklist::{WorklistCommand, WorklistFormat};
use crate::runtime::runtime;

pub fn run(command: WorklistCommand) -> Result<()> {
    let (list, args) = command.parts();
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let found = worklist(&store, list, args.offset, args.limit).await?;
        store.close().await;
        let mut out = std::io::stdout().lock();
        match args.format {
            WorklistFormat::Text => write_text(&mut out, &found)?,
            WorklistFormat::Json => {
                serde_json::to_writer_pretty(&mut out, &to_json(&found))?;
                writeln!(out)?;
            }
            WorklistFormat::Csv => write_csv(&mut out, &found)?,
        }
        Ok(())
    })
}

/// An amount rounded to the cent, as a decimal string.
fn amount(x: Option<f64>) -> Option<String> {
    x.map(|x| Money::from_f64_rounded(x).to_string())
}

/// What the value column means, in one line.
fn value_line(found: &Worklist) -> String {
    let currency = found.currency.map_or_else(
        || "currency not known".to_string(),
        |c| c.code().to_string(),
    );
    match found.page.clv_horizon_days {
        Some(days) => format!(
            "value at stake: the lifetime value over the next {days} days expected to be lost \
             if the customer is gone ({currency}); highest first"
        ),
        None => "no lifetime value was forecast for this snapshot (no model fitted): \
                 ranked by revenue"
            .to_string(),
    }
}

fn write_text(out: &mut impl Write, found: &Worklist) -> Result<()> {
    let page = &found.page;
    let Some(as_of) = page.as_of else {
        writeln!(out, "no snapshot yet: run `clientele score` first")?;
        return Ok(());
    };
    writeln!(
        out,
        "snapshot {as_of}: {} customers on the list",
        page.total
    )?;
    writeln!(out, "{}", value_line(found))?;
    writeln!(
        out,
        "  {:>8} {:<16} {:<24} {:<9} {:>14} {:>14} {:>7} {:>14}",
        "id", "external id", "name", "rung", "at stake", "CLV", "P(alive)", "revenue"
    )?;
    for item in &page.items {
        let c = &item.customer;
        writeln!(
            out,
            "  {:>8} {:<16} {:<24} {:<9} {:>14} {:>14} {:>7} {:>14}",
            c.id,
            c.external_id,
            c.name.as_deref().unwrap_or("-"),
            c.rung.map_or("-", |r| r.as_str()),
            amount(item.value_at_stake).unwrap_or_else(|| "-".into()),
            amount(item.clv).unwrap_or_else(|| "-".into()),
            item.p_alive
                .map_or_else(|| "-".to_string(), |p| format!("{p:.2}")),
            c.revenue.map_or_else(|| "-".to_string(), |m| m.to_string()),
        )?;
    }
    Ok(())
}

/// The API's shape (`ValuePage` of `/api/v1/ladder/at-risk`), for scripts.
fn to_json(found: &Worklist) -> serde_json::Value {
    let page = &found.page;
    json!({
        "as_of": page.as_of.map(|d| d.to_string()),
        "clv_horizon_days": page.clv_horizon_days,
        "currency": found.currency.map(|c| c.code()),
        "total": page.total,
        "items": page.items.iter().map(|item| {
            let c = &item.customer;
            json!({
                "id": c.id,
                "external_id": c.external_id,
                "name": c.name,
                "rung": c.rung.map(|r| r.as_str()),
                "status": c.status.map(|s| s.as_str()),
                "revenue": c.revenue.map(|m| m.to_string()),
                "p_alive": item.p_alive,
                "clv": amount(item.clv),
                "value_at_stake": amount(item.value_at_stake),
            })
        }).collect::<Vec<_>>(),
    })
}

fn write_csv(out: &mut impl Write, found: &Worklist) -> Result<()> {
    let h = found.page.clv_horizon_days;
    let over = |name: &str| h.map_or_else(|| name.to_string(), |d| format!("{name}_{d}"));
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "id".to_string(),
        "external_id".into(),
        "name".into(),
        "rung".into(),
        "status".into(),
        over("value_at_stake"),
        over("clv"),
        "p_alive".into(),
        "revenue".into(),
        "currency".into(),
    ])?;
    let currency = found.currency.map_or("", |c| c.code());
    for item in &found.page.items {
        let c = &item.customer;
        w.write_record([
            c.id.to_string(),
            c.external_id.clone(),
            c.name.clone().unwrap_or_default(),
            c.rung.map_or("", |r| r.as_str()).to_string(),
            c.status.map_or("", |s| s.as_str()).to_string(),
            amount(item.value_at_stake).unwrap_or_default(),
            amount(item.clv).unwrap_or_default(),
            item.p_alive.map_or_else(String::new, |p| format!("{p:.4}")),
            c.revenue.map_or_else(String::new, |m| m.to_string()),
            currency.to_string(),
        ])?;
    }
    w.flush()?;
    Ok(())
}
