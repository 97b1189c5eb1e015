//! `clientele calendar upcoming|import|send`.

use anyhow::{Result, bail};
use clientele_app::InvalidSetting;
use clientele_app::calendar::{import_dates, send_greeting, upcoming_occasions};
use clientele_app::contacts::{refusal_text, send_reason};
use clientele_app::database::open_store;
use clientele_core::contact_policy::Decision;
use serde_json::json;

use crate::args::calendar::{
    CalendarCommand, CalendarFormat, CalendarImportArgs, CalendarSendArgs, CalendarUpcomingArgs,
};
use crate::runtime::runtime;

pub fn run(command: CalendarCommand) -> Result<()> {
    match command {
        CalendarCommand::Upcoming(a) => upcoming(a),
        CalendarCommand::Import(a) => import(a),
        CalendarCommand::Send(a) => send(a),
    }
}

/// A refused setting named by its flag.
fn flag_error(e: anyhow::Error) -> anyhow::Error {
    match e.downcast_ref::<InvalidSetting>() {
        Some(s) => anyhow::anyhow!("--{} {}", s.field, s.message),
        None => e,
    }
}

fn upcoming(args: CalendarUpcomingArgs) -> Result<()> {
    let settings = args.settings()?;
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let list = upcoming_occasions(&store, &settings).await;
        store.close().await;
        let list = list.map_err(flag_error)?;
        match args.format {
            CalendarFormat::Json => {
                let rows: Vec<_> = list
                    .iter()
                    .map(|o| {
                        json!({
                            "customer_id": o.external_id,
                            "occasion": o.occasion,
                            "date": o.date.to_string(),
                            "channel": o.channel.map(|c| c.as_str()),
                            "greeting": o.greeting,
                        })
                    })
                    .collect();
                outln!("{}", serde_json::to_string_pretty(&rows)?);
            }
            CalendarFormat::Text => {
                if list.is_empty() {
                    outln!(
                        "no occasions from {} for {} days",
                        settings.from,
                        settings.days
                    );
                }
                for o in &list {
                    let who = match &o.name {
                        Some(n) => format!("{n} ({})", o.external_id),
                        None => o.external_id.clone(),
                    };
                    let how = match (o.sent_at, o.channel, &o.refusal_text) {
                        (Some(_), _, _) => "sent".to_string(),
                        (None, Some(c), _) => format!("by {}", c.as_str()),
                        (None, None, Some(why)) => format!("not allowed: {why}"),
                        (None, None, None) => "not allowed".to_string(),
                    };
                    outln!(
                        "{}  {}  {}  draft {}  {}",
                        o.date,
                        who,
                        o.label,
                        o.draft_id,
                        how
                    );
                    for line in o.greeting.lines() {
                        outln!("    {line}");
                    }
                }
            }
        }
        Ok(())
    })
}

fn import(args: CalendarImportArgs) -> Result<()> {
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let outcome = import_dates(&store, &args.settings()).await;
        store.close().await;
        let outcome = outcome?;
        if !outcome.rejects.is_empty() {
            eprintln!(
                "{}: {} of {} rows refused; nothing added:",
                args.file.display(),
                outcome.rejects.len(),
                outcome.rows
            );
            for r in &outcome.rejects {
                eprintln!("  line {}: {}: {}", r.row.line, r.column, r.reason);
            }
            bail!("the personal-dates file was not imported");
        }
        outln!(
            "{} personal dates read, {} added ({} already on file)",
            outcome.rows,
            outcome.added,
            outcome.already
        );
        Ok(())
    })
}

fn send(args: CalendarSendArgs) -> Result<()> {
    let settings = args.settings()?;
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let outcome = send_greeting(&store, &settings).await;
        store.close().await;
        let outcome = outcome.map_err(flag_error)?;
        match outcome.decision {
            Decision::Send(s) => outln!(
                "greeting {} planned on {} at {} ({}); contact log row {}",
                args.draft,
                s.channel.as_str(),
                s.at,
                send_reason(&s),
                outcome.contact_log_id.unwrap_or_default()
            ),
            Decision::Refused(r) => {
                bail!("greeting {} not allowed: {}", args.draft, refusal_text(&r))
            }
        }
        Ok(())
    })
}
