//! `clientele contacts import|plan|log`.

use anyhow::{Result, bail};
use clientele_app::contacts::{
    import_consents, plan_contacts, read_requests, refusal_text, send_reason,
};
use clientele_app::database::open_store;
use clientele_core::contact_policy::Decision;
use clientele_ingest::pipeline::Reject;
use clientele_store::{ContactLogEntry, Scope};
use serde_json::json;

use crate::args::contacts::{
    ContactsCommand, ContactsFormat, ContactsImportArgs, ContactsLogArgs, ContactsPlanArgs,
};
use crate::runtime::runtime;

pub fn run(command: ContactsCommand) -> Result<()> {
    match command {
        ContactsCommand::Import(a) => import(a),
        ContactsCommand::Plan(a) => plan(a),
        ContactsCommand::Log(a) => log(a),
    }
}

fn print_rejects(rejects: &[Reject]) {
    for r in rejects {
        eprintln!("  line {}: {}: {}", r.row.line, r.column, r.reason);
    }
}

fn import(args: ContactsImportArgs) -> Result<()> {
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let outcome = import_consents(&store, &args.settings()).await?;
        store.close().await;
        if !outcome.rejects.is_empty() {
            eprintln!(
                "{}: {} of {} rows refused; nothing recorded:",
                args.file.display(),
                outcome.rejects.len(),
                outcome.rows + outcome.rejects.len()
            );
            print_rejects(&outcome.rejects);
            bail!("the consents file was not imported");
        }
        outln!(
            "{} consents read, {} recorded ({} already on file)",
            outcome.rows,
            outcome.written,
            outcome.rows as u64 - outcome.written
        );
        Ok(())
    })
}

fn plan(args: ContactsPlanArgs) -> Result<()> {
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let (requests, rejects) = read_requests(&store, &args.file).await?;
        if !rejects.is_empty() {
            eprintln!("{}: {} rows refused; nothing planned:", args.file.display(), rejects.len());
            print_rejects(&rejects);
            store.close().await;
            bail!("the contacts file was not planned");
        }
        let report = plan_contacts(&store, &args.settings(requests)?).await?;
        store.close().await;
        let rows: Vec<[String; 9]> = report
            .contacts
            .iter()
            .map(|c| {
                let (decision, refusal, channel, at, reason) = match &c.decision {
                    Decision::Send(s) => {
                        let (channel, at) = (s.channel.as_str().to_string(), s.at.to_string());
                        ("send", String::new(), channel, at, send_reason(s))
                    }
                    Decision::Refused(r) => {
                        let code = r.code().to_string();
                        ("refused", code, String::new(), String::new(), refusal_text(r))
                    }
                };
                [
                    c.external_id.clone().unwrap_or_default(),
                    c.kind.as_str().into(),
                    c.module.as_str().into(),
                    decision.into(),
                    refusal,
                    channel,
                    at,
                    reason,
                    c.subject.clone(),
                ]
            })
            .collect();
        const HEADER: [&str; 9] = [
            "customer_id",
            "kind",
            "module",
            "decision",
            "refusal",
            "channel",
            "at",
            "reason",
            "subject",
        ];
        match args.format {
            ContactsFormat::Json => {
                let items: Vec<_> = rows
                    .iter()
                    .map(|r| {
                        let opt = |s: &String| if s.is_empty() { None } else { Some(s.clone()) };
                        json!({"customer_id": r[0], "kind": r[1], "module": r[2], "decision": r[3],
                            "refusal": opt(&r[4]), "channel": opt(&r[5]), "at": opt(&r[6]),
                            "reason": r[7], "subject": r[8]})
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&json!({"allowed": report.allowed, "refused": report.refused, "contacts": items}))?);
            }
            ContactsFormat::Csv => write_csv(&HEADER, &rows)?,
            ContactsFormat::Text => {
                for r in &rows {
                    if r[3] == "send" {
                        outln!(
                            "{:<16} {:<14} {:<10} send {} at {} ({})",
                            r[0], r[1], r[2], r[5], r[6], r[7]
                        );
                    } else {
                        outln!("{:<16} {:<14} {:<10} refused: {}", r[0], r[1], r[2], r[7]);
                    }
                }
                let channels: Vec<String> =
                    report.by_channel.iter().map(|(c, n)| format!("{} {n}", c.as_str())).collect();
                outln!(
                    "{} allowed ({}), {} refused{}",
                    report.allowed,
                    if channels.is_empty() { "none".into() } else { channels.join(", ") },
                    report.refused,
                    if args.dry_run { "; dry run, nothing recorded" } else { "; recorded in the contact log as planned" }
                );
            }
        }
        Ok(())
    })
}

fn write_csv<const N: usize>(header: &[&str; N], rows: &[[String; N]]) -> Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    w.flush()?;
    Ok(())
}

fn log(args: ContactsLogArgs) -> Result<()> {
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let customer = match &args.customer {
            Some(id) => Some(store.customer_id(id).await?),
            None => None,
        };
        let entries = store.contact_log(Scope::All, &args.filter(customer)?).await?;
        store.close().await;
        let time = |s: i64| {
            clientele_core::contact_policy::Timestamp::from_second(s).map_or(s.to_string(), |t| t.to_string())
        };
        let row = |e: &ContactLogEntry| -> [String; 8] {
            [
                e.external_id.clone(),
                time(e.planned_for.unwrap_or(e.at)),
                e.channel.clone(),
                e.kind.map_or(String::new(), |k| k.as_str().into()),
                e.module.map_or(String::new(), |m| m.as_str().into()),
                e.state.as_str().into(),
                e.subject.clone().unwrap_or_default(),
                e.author.clone().unwrap_or_default(),
            ]
        };
        match args.format {
            ContactsFormat::Json => {
                let items: Vec<_> = entries
                    .iter()
                    .map(|e| {
                        json!({"id": e.id, "customer_id": e.external_id, "at": e.at, "planned_for": e.planned_for,
                            "channel": e.channel, "direction": e.direction,
                            "kind": e.kind.map(|k| k.as_str()), "module": e.module.map(|m| m.as_str()),
                            "state": e.state.as_str(), "subject": e.subject, "outcome": e.outcome,
                            "reason": e.reason, "author": e.author})
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&items)?);
            }
            ContactsFormat::Csv => {
                let rows: Vec<[String; 8]> = entries.iter().map(row).collect();
                write_csv(&["customer_id", "time", "channel", "kind", "module", "state", "subject", "author"], &rows)?;
            }
            ContactsFormat::Text => {
                if entries.is_empty() {
                    outln!("no contacts logged for this selection");
                }
                for e in &entries {
                    let r = row(e);
                    outln!("{}  {:<16} {:<9} {:<14} {:<10} {:<9} {}", r[1], r[0], r[2], r[3], r[4], r[5], r[6]);
                }
            }
        }
        Ok(())
    })
}
