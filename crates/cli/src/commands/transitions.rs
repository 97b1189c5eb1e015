//! `clientele transitions`: the moves between two snapshots and churn per rung, or with
//! `--from-rung`/`--to-rung` the customers of one cell of the matrix; as text, JSON or CSV.

use anyhow::Result;
use clientele_app::database::open_store;
use clientele_app::transitions::{TransitionsReport, movers, transitions};
use clientele_core::Rung;
use clientele_store::{Movers, Scope, Transitions};
use serde_json::json;

use crate::args::store::{TransitionsArgs, TransitionsFormat};
use crate::report::group_digits;
use crate::runtime::runtime;

pub fn run(args: TransitionsArgs) -> Result<()> {
    let (from, to) = args.days()?;
    let cell = args.cell()?;
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let result = match cell {
            Some(cell) => {
                let m = movers(&store, Scope::All, (from, to), cell, (0, args.limit)).await;
                match m {
                    Ok(m) => print_movers(&m, cell, args.format),
                    Err(e) => Err(e),
                }
            }
            None => match transitions(&store, from, to).await {
                Ok(report) => print_report(&report, args.format),
                Err(e) => Err(e),
            },
        };
        store.close().await;
        result
    })
}

/// An id a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading
/// apostrophe, as the dashboard's CSV exports do.
fn guarded(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn rung_name(r: Option<Rung>, none: &'static str) -> &'static str {
    r.map_or(none, Rung::as_str)
}

fn print_report(report: &TransitionsReport, format: TransitionsFormat) -> Result<()> {
    let t = &report.transitions;
    match format {
        TransitionsFormat::Text => {
            print_transitions(t)?;
            outln!("\nchurn per rung over all consecutive snapshots:");
            for c in report.churn.iter().filter(|c| c.at_risk > 0) {
                outln!(
                    "  {:<9} {:>6.1}%  ({} of {} lost per {:.0}-day period)",
                    c.rung.as_str(),
                    c.rate.unwrap_or(0.0) * 100.0,
                    c.lost,
                    c.at_risk,
                    c.mean_period_days.unwrap_or(0.0)
                );
            }
        }
        TransitionsFormat::Json => {
            let value = json!({
                "from": t.from.to_string(),
                "to": t.to.to_string(),
                "up": t.up, "down": t.down, "out": t.out, "back": t.back,
                "same": t.same, "new": t.new,
                "matrix": t.matrix.iter().map(|c| json!({
                    "from": c.from.map(Rung::as_str),
                    "to": c.to.map(Rung::as_str),
                    "customers": c.customers,
                    "revenue": c.revenue.to_string(),
                    "period_revenue": c.period_revenue.to_string(),
                })).collect::<Vec<_>>(),
                "churn": report.churn.iter().map(|c| json!({
                    "rung": c.rung.as_str(),
                    "at_risk": c.at_risk,
                    "lost": c.lost,
                    "rate": c.rate,
                    "mean_period_days": c.mean_period_days,
                })).collect::<Vec<_>>(),
            });
            outln!("{}", serde_json::to_string_pretty(&value)?);
        }
        TransitionsFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["from", "to", "customers", "revenue", "period_revenue"])?;
            for c in &t.matrix {
                w.write_record([
                    rung_name(c.from, "new"),
                    rung_name(c.to, "gone"),
                    &c.customers.to_string(),
                    &c.revenue.to_string(),
                    &c.period_revenue.to_string(),
                ])?;
            }
            out!("{}", String::from_utf8(w.into_inner()?)?);
        }
    }
    Ok(())
}

fn print_transitions(t: &Transitions) -> anyhow::Result<()> {
    outln!("ladder transitions {} → {}", t.from, t.to);
    outln!(
        "  up {}  down {}  out (lost) {}  back (returners) {}  same {}  new {}",
        t.up,
        t.down,
        t.out,
        t.back,
        t.same,
        t.new
    );
    outln!(
        "  {:<9} → {:<9} {:>10} {:>16} {:>16}",
        "from",
        "to",
        "customers",
        "revenue",
        "in period"
    );
    for c in &t.matrix {
        outln!(
            "  {:<9} → {:<9} {:>10} {:>16} {:>16}",
            rung_name(c.from, "(new)"),
            rung_name(c.to, "(gone)"),
            group_digits(c.customers as i64),
            c.revenue.to_string(),
            c.period_revenue.to_string()
        );
    }
    Ok(())
}

fn print_movers(
    m: &Movers,
    (from, to): (Option<Rung>, Option<Rung>),
    format: TransitionsFormat,
) -> Result<()> {
    let status = |s: Option<clientele_core::Status>| s.map_or("", |s| s.as_str());
    match format {
        TransitionsFormat::Text => {
            outln!(
                "{} → {}, {} → {}: {} customers{}",
                rung_name(from, "(new)"),
                rung_name(to, "(gone)"),
                m.from,
                m.to,
                group_digits(m.total as i64),
                if (m.items.len() as u64) < m.total {
                    format!(" (the first {} by revenue in the period)", m.items.len())
                } else {
                    String::new()
                }
            );
            for c in &m.items {
                outln!(
                    "  {:<16} {:<9} → {:<9} {:>16}",
                    c.external_id,
                    status(c.status_before),
                    status(c.status_after),
                    c.period_revenue.to_string()
                );
            }
        }
        TransitionsFormat::Json => {
            let value = json!({
                "from": m.from.to_string(),
                "to": m.to.to_string(),
                "from_rung": from.map(Rung::as_str),
                "to_rung": to.map(Rung::as_str),
                "total": m.total,
                "customers": m.items.iter().map(|c| json!({
                    "customer_id": c.external_id,
                    "status_before": c.status_before.map(|s| s.as_str()),
                    "status_after": c.status_after.map(|s| s.as_str()),
                    "period_revenue": c.period_revenue.to_string(),
                })).collect::<Vec<_>>(),
            });
            outln!("{}", serde_json::to_string_pretty(&value)?);
        }
        TransitionsFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([
                "customer_id",
                "from_rung",
                "to_rung",
                "status_before",
                "status_after",
                "period_revenue",
            ])?;
            for c in &m.items {
                w.write_record([
                    guarded(&c.external_id).as_str(),
                    rung_name(c.from, "new"),
                    rung_name(c.to, "gone"),
                    status(c.status_before),
                    status(c.status_after),
                    &c.period_revenue.to_string(),
                ])?;
            }
            out!("{}", String::from_utf8(w.into_inner()?)?);
        }
    }
    Ok(())
}
