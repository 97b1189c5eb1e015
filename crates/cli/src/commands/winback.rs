//! `clientele winback open|attempt|list|report`: win-back cases from the command line. Results
//! go to standard output (text, or JSON with `--format json`); money is in the store's currency
//! as a decimal number.

use anyhow::{Context, Result};
use clientele_app::database::open_store;
use clientele_app::winback::{
    FunnelRow, WinBackReport, list_cases, open_cases, record_attempt, winback_report,
};
use clientele_core::Money;
use clientele_core::winback::Funnel;
use clientele_store::{CaseRecord, Scope, Store, User};
use serde_json::{Value, json};

use crate::args::winback::{ActingUser, WinbackCommand, WinbackFormat};
use crate::runtime::runtime;

pub fn run(command: WinbackCommand) -> Result<()> {
    runtime()?.block_on(async {
        match command {
            WinbackCommand::Open(a) => {
                let settings = a.settings()?;
                let store = open_store(&a.db.url()).await?;
                let user = acting(&store, &a.user).await?;
                let opened = open_cases(&store, Scope::All, &user, &settings).await?;
                let fresh = opened.iter().filter(|o| !o.already_open).count();
                eprintln!(
                    "{fresh} case(s) opened, {} customer(s) already had an open case",
                    opened.len() - fresh
                );
                for o in &opened {
                    let word = if o.already_open {
                        "already open"
                    } else {
                        "opened"
                    };
                    outln!("customer {}: {word} case {}", o.customer_id, o.case_id);
                }
                store.close().await;
            }
            WinbackCommand::Attempt(a) => {
                let settings = a.settings()?;
                let store = open_store(&a.db.url()).await?;
                let user = acting(&store, &a.user).await?;
                let attempt = record_attempt(&store, Scope::All, &user, &settings).await?;
                outln!(
                    "case {}: attempt {} recorded ({} by {})",
                    attempt.case_id,
                    attempt.id,
                    attempt.outcome,
                    attempt.channel.as_str()
                );
                store.close().await;
            }
            WinbackCommand::List(a) => {
                let settings = a.settings()?;
                let store = open_store(&a.db.url()).await?;
                let (total, cases) = list_cases(&store, Scope::All, &settings).await?;
                match a.format {
                    WinbackFormat::Json => {
                        let list: Vec<Value> = cases.iter().map(case_json).collect();
                        outln!(
                            "{}",
                            serde_json::to_string_pretty(&json!({"total": total, "cases": list}))?
                        );
                    }
                    WinbackFormat::Text => print_cases(total, &cases)?,
                }
                store.close().await;
            }
            WinbackCommand::Report(a) => {
                let settings = a.settings()?;
                let store = open_store(&a.db.url()).await?;
                let report = winback_report(&store, Scope::All, &settings).await?;
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

async fn acting(store: &Store, user: &ActingUser) -> Result<User> {
    store.user_by_name(&user.user).await.with_context(|| {
        format!(
            "--user {}: no such user (see `clientele users list`)",
            user.user
        )
    })
}

fn money(m: Money) -> Value {
    json!(m.to_f64())
}

/// A case as JSON (the API's shape).
pub fn case_json(c: &CaseRecord) -> Value {
    json!({
        "id": c.id,
        "customer_id": c.external_id,
        "name": c.name,
        "manager": c.manager,
        "opened": c.opened_day.to_string(),
        "opened_by": c.opened_by,
        "source": c.source,
        "status_at_open": c.status_at_open,
        "reason": c.reason,
        "reason_text": c.reason_text,
        "offer": c.offer,
        "channel": c.channel.map(|ch| ch.as_str()),
        "window_days": c.window_days,
        "state": c.state,
        "returned": c.returned_day.map(|d| d.to_string()),
        "attempts": c.attempts,
        "last_outcome": c.last_outcome,
    })
}

fn funnel_json(f: &Funnel) -> Value {
    let rate = f.return_rate();
    json!({
        "lost": f.lost,
        "contacted": f.contacted,
        "answered": f.answered,
        "returned": f.returned,
        "still_buying": f.still_buying,
        "still_buying_judged": f.still_buying_judged,
        "return_rate": rate.map(|r| r.0),
        "return_rate_ci95": rate.map(|r| [r.1.lo, r.1.hi]),
    })
}

fn rows_json(rows: &[FunnelRow]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| json!({"key": r.key, "funnel": funnel_json(&r.funnel)}))
            .collect(),
    )
}

/// The report as JSON: numbers or null, never NaN.
pub fn report_json(r: &WinBackReport) -> Value {
    json!({
        "as_of": r.as_of.to_string(),
        "funnel": funnel_json(&r.total),
        "by_reason": rows_json(&r.by_reason),
        "by_offer": rows_json(&r.by_offer),
        "by_channel": rows_json(&r.by_channel),
        "by_manager": rows_json(&r.by_manager),
        "regained": {
            "days": r.regained_days,
            "revenue": money(r.regained_revenue),
            "profit": money(r.regained_profit),
            "cases": r.regained.iter().map(|c| json!({
                "case_id": c.case_id,
                "customer_id": c.customer,
                "company": c.company,
                "returned": c.returned_day.to_string(),
                "revenue": money(c.revenue),
                "profit": money(c.profit),
                "days_observed": c.days_observed,
            })).collect::<Vec<_>>(),
        },
        "consumers": {
            "lost": r.consumers.lost,
            "returned": r.consumers.returned,
            "rate": r.consumers.rate,
            "ci95": r.consumers.ci95.map(|i| [i.lo, i.hi]),
            "mark": clientele_core::winback::B2C_MARK,
            "meets_mark": r.consumers.meets_mark,
        },
        "companies": {"lost": r.companies_lost, "returned": r.companies_returned},
        "settled": r.settled,
    })
}

fn print_cases(total: i64, cases: &[CaseRecord]) -> anyhow::Result<()> {
    outln!(
        "{total} case(s){}",
        if cases.len() as i64 == total {
            String::new()
        } else {
            format!(", the newest {} shown", cases.len())
        }
    );
    for c in cases {
        outln!(
            "{:>6}  {:<16} {:<12} opened {}  {:<13} reason {:<16} offer {:<20} attempts {}{}",
            c.id,
            c.external_id,
            c.state,
            c.opened_day,
            c.channel.map_or("-", |ch| ch.as_str()),
            c.reason.as_deref().unwrap_or("-"),
            c.offer.as_deref().unwrap_or("-"),
            c.attempts,
            c.returned_day
                .map(|d| format!("  returned {d}"))
                .unwrap_or_default(),
        );
    }
    Ok(())
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or("-".into(), |r| format!("{:.1}%", r * 100.0))
}

fn print_funnel_rows(title: &str, rows: &[FunnelRow]) -> anyhow::Result<()> {
    outln!("\nby {title}:");
    for r in rows {
        let f = &r.funnel;
        outln!(
            "  {:<24} cases {:>6}  contacted {:>6}  answered {:>6}  returned {:>6} ({})",
            r.key.as_deref().unwrap_or("(not given)"),
            f.lost,
            f.contacted,
            f.answered,
            f.returned,
            percent(f.return_rate().map(|x| x.0)),
        );
    }
    Ok(())
}

fn print_report(r: &WinBackReport) -> anyhow::Result<()> {
    let f = &r.total;
    outln!("win-back report as of {}", r.as_of);
    outln!(
        "funnel: lost {} → contacted {} → answered {} → returned {} → still buying after 90 days {} (of {} judged)",
        f.lost,
        f.contacted,
        f.answered,
        f.returned,
        f.still_buying,
        f.still_buying_judged
    );
    print_funnel_rows("reason", &r.by_reason)?;
    print_funnel_rows("offer", &r.by_offer)?;
    print_funnel_rows("channel", &r.by_channel)?;
    print_funnel_rows("manager", &r.by_manager)?;
    outln!(
        "\nregained over {} days after the return: revenue {}, profit {} ({} returned case(s))",
        r.regained_days,
        r.regained_revenue,
        r.regained_profit,
        r.regained.len()
    );
    let c = &r.consumers;
    outln!(
        "consumers: {} of {} lost returned ({}; the mark is at least 1%: {})",
        c.returned,
        c.lost,
        percent(c.rate),
        match c.meets_mark {
            Some(true) => "met",
            Some(false) => "not met",
            None => "no lost customers",
        }
    );
    outln!(
        "business clients: {} of {} lost returned (each one counts)",
        r.companies_returned,
        r.companies_lost
    );
    if r.settled > 0 {
        eprintln!("{} case(s) settled from the orders", r.settled);
    }
    Ok(())
}
