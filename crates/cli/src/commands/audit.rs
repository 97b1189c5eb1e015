//! `clientele audit`: the audit log (who viewed, listed, searched, exported or changed which
//! customers), newest first, filtered by user, action and days, as text, JSON or CSV.

use anyhow::Result;
use clientele_app::audit::{audit_page, utc_time};
use clientele_app::database::open_store;
use serde_json::json;

use crate::args::audit::{AuditArgs, AuditFormat};
use crate::runtime::runtime;

pub fn run(args: AuditArgs) -> Result<()> {
    let selection = args.query().selection()?;
    let page = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let page = audit_page(&store, &selection).await;
        store.close().await;
        anyhow::Ok(page?)
    })?;
    match args.format {
        AuditFormat::Json => {
            let items: Vec<_> = page
                .items
                .iter()
                .map(|r| {
                    json!({
                        "id": r.id,
                        "at": r.at,
                        "at_utc": utc_time(r.at),
                        "user": r.actor,
                        "action": r.action,
                        "customer_id": r.customer_id,
                        "detail": r.detail,
                    })
                })
                .collect();
            let answer = json!({ "items": items, "next_before": page.next_before });
            outln!("{}", serde_json::to_string_pretty(&answer)?);
        }
        AuditFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(["id", "at_utc", "user", "action", "customer_id", "detail"])?;
            for r in &page.items {
                w.write_record([
                    r.id.to_string(),
                    utc_time(r.at),
                    r.actor.clone(),
                    r.action.clone(),
                    r.customer_id.map_or_else(String::new, |c| c.to_string()),
                    r.detail.clone(),
                ])?;
            }
            out!("{}", String::from_utf8(w.into_inner()?)?);
        }
        AuditFormat::Text => {
            if page.items.is_empty() {
                eprintln!("no audit entry matches");
            }
            for r in &page.items {
                let customer = r
                    .customer_id
                    .map_or_else(String::new, |c| format!(" customer {c}"));
                outln!(
                    "{}  {}  {}{}  {}",
                    utc_time(r.at),
                    r.actor,
                    r.action,
                    customer,
                    r.detail
                );
            }
            if let Some(b) = page.next_before {
                eprintln!("more entries: add --before {b}");
            }
        }
    }
    Ok(())
}
