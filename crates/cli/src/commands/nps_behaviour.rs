//! `clientele nps behaviour`: what promoters, passives and detractors of a period did next
//! (slipping or lost in the next snapshot, revenue and CLV there, revenue in the days after),
//! as text for people or JSON for scripts (the API's shape).

use std::io::Write;

use anyhow::Result;
use clientele_app::database::open_store;
use clientele_app::voice::{Difference, MeanFigure, NpsBehaviourOutput, nps_behaviour};
use serde_json::{Value, json};

use crate::args::voice::{NpsBehaviourArgs, ReportFormat};
use crate::runtime::runtime;

pub fn run(args: NpsBehaviourArgs) -> Result<()> {
    let settings = args.settings()?;
    let output = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let output = nps_behaviour(&store, &settings).await;
        store.close().await;
        output
    })?;
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &behaviour_json(&output))?;
            writeln!(out)?;
        }
        ReportFormat::Text => write_text(&mut out, &output)?,
    }
    Ok(())
}

fn mean_json(m: &MeanFigure) -> Value {
    json!({"n": m.n, "mean": m.mean, "ci95": m.ci95.map(|(lo, hi)| [lo, hi])})
}

fn difference_json(d: Option<&Difference>) -> Value {
    d.map_or(Value::Null, |d| {
        json!({"difference": d.difference, "ci95": [d.ci95.0, d.ci95.1],
               "p_value": d.p_value, "significant": d.significant})
    })
}

/// The same fields as `GET /api/v1/nps/behaviour`.
pub fn behaviour_json(r: &NpsBehaviourOutput) -> Value {
    let day = |d: Option<clientele_core::Day>| d.map(|d| d.to_string());
    let groups: Vec<Value> = r
        .groups
        .iter()
        .map(|g| {
            json!({
                "category": g.category.as_str(),
                "respondents": g.respondents,
                "followed": g.followed,
                "slipping": g.slipping,
                "lost": g.lost,
                "slipping_or_lost": g.slipping_or_lost,
                "slipping_or_lost_ci95": g.slipping_or_lost_ci95.map(|(lo, hi)| [lo, hi]),
                "revenue_total": g.revenue_total,
                "revenue": mean_json(&g.revenue),
                "clv": mean_json(&g.clv),
                "revenue_after_total": g.revenue_after_total,
                "revenue_after": mean_json(&g.revenue_after),
            })
        })
        .collect();
    json!({
        "from": day(r.from),
        "to": day(r.to),
        "snapshot": day(r.snapshot),
        "clv_horizon_days": r.clv_horizon_days,
        "currency": r.currency.map(|c| c.code()),
        "after_from": day(r.after_from),
        "after_to": day(r.after_to),
        "days_after": r.days_after,
        "orders_through": day(r.orders_through),
        "window_complete": r.window_complete(),
        "groups": groups,
        "slipping_or_lost_difference": difference_json(r.slipping_or_lost_difference.as_ref()),
        "revenue_after_difference": difference_json(r.revenue_after_difference.as_ref()),
    })
}

fn money(m: &MeanFigure, unit: &str) -> String {
    match (m.mean, m.ci95) {
        (None, _) => "-".into(),
        (Some(mean), Some((lo, hi))) => format!("{mean:.2} {unit} (95% {lo:.2} to {hi:.2})"),
        (Some(mean), None) => format!("{mean:.2} {unit} (one value, no interval)"),
    }
}

fn write_text(out: &mut impl Write, r: &NpsBehaviourOutput) -> Result<()> {
    let (Some(from), Some(to)) = (r.from, r.to) else {
        writeln!(out, "No NPS answers in the period.")?;
        return Ok(());
    };
    let unit = r.currency.map_or("(currency not known)", |c| c.code());
    writeln!(
        out,
        "NPS respondents of {from} to {to}, and what they did next"
    )?;
    match r.snapshot {
        Some(s) => writeln!(out, "Standing read in the snapshot of {s}.")?,
        None => writeln!(
            out,
            "No snapshot after the period yet: nobody can be followed (run `clientele score`)."
        )?,
    }
    match r.clv_horizon_days {
        Some(h) => writeln!(out, "CLV over {h} days, in {unit}.")?,
        None => writeln!(out, "The snapshot gives no CLV horizon; amounts in {unit}.")?,
    }
    if let (Some(a), Some(b)) = (r.after_from, r.after_to) {
        writeln!(
            out,
            "Revenue after: orders of {a} to {b} ({} days){}.",
            r.days_after,
            if r.window_complete() {
                String::new()
            } else {
                format!(
                    "; the data ends on {}, so this window is not over",
                    r.orders_through
                        .map_or_else(|| "no order".into(), |d| d.to_string())
                )
            }
        )?;
    }
    for g in &r.groups {
        writeln!(out)?;
        writeln!(
            out,
            "{}s: {} respondent(s), {} in the snapshot",
            g.category.as_str(),
            g.respondents,
            g.followed
        )?;
        let share = match (g.slipping_or_lost, g.slipping_or_lost_ci95) {
            (Some(s), Some((lo, hi))) => format!(
                "{:.1}% (95% {:.1}% to {:.1}%)",
                s * 100.0,
                lo * 100.0,
                hi * 100.0
            ),
            _ => "-".into(),
        };
        writeln!(out, "  slipping {}, lost {}: {share}", g.slipping, g.lost)?;
        writeln!(
            out,
            "  revenue to date: {:.2} {unit} in all, mean {}",
            g.revenue_total,
            money(&g.revenue, unit)
        )?;
        writeln!(out, "  CLV: mean {}", money(&g.clv, unit))?;
        writeln!(
            out,
            "  revenue after: {:.2} {unit} in all, mean {}",
            g.revenue_after_total,
            money(&g.revenue_after, unit)
        )?;
    }
    writeln!(out)?;
    match &r.slipping_or_lost_difference {
        Some(d) => writeln!(
            out,
            "Detractors slipped or were lost {:+.1} points more often than promoters (95% {:+.1} to {:+.1}, p = {:.3}{}).",
            d.difference * 100.0,
            d.ci95.0 * 100.0,
            d.ci95.1 * 100.0,
            d.p_value,
            if d.significant {
                ", significant"
            } else {
                ", could be noise"
            }
        )?,
        None => writeln!(
            out,
            "Detractors against promoters: too few of either followed to compare."
        )?,
    }
    if let Some(d) = &r.revenue_after_difference {
        writeln!(
            out,
            "Detractors bought {:+.2} {unit} per head against promoters after the period (95% {:+.2} to {:+.2}, p = {:.3}{}).",
            d.difference,
            d.ci95.0,
            d.ci95.1,
            d.p_value,
            if d.significant {
                ", significant"
            } else {
                ", could be noise"
            }
        )?;
    }
    Ok(())
}
