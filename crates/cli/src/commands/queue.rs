//! `clientele playbook` (the documented defaults, the version in force, saving a file) and
//! `clientele queue` (the day's next best actions; `done` and `snooze` record what came of an
//! item). `queue --format json` writes a list of `{"customer_id", "manager", "action",
//! "channel", "reason", "value_at_stake", "clv_horizon_days", ...}` with null where a value is
//! unknown, never NaN.

use std::io::Write;

use anyhow::{Context, Result, bail};
use clientele_app::database::open_store;
use clientele_app::winback::{
    Queue, QueueItem, current_playbook, daily_queue, default_playbook_toml, playbook_toml,
    record_queue_outcome, save_playbook,
};
use clientele_store::{Scope, Store};
use serde_json::{Value, json};

use crate::args::queue::{PlaybookArgs, QueueAction, QueueArgs, QueueFormat};
use crate::runtime::runtime;

pub fn playbook(args: PlaybookArgs) -> Result<()> {
    if !args.current && args.save.is_none() {
        out!("{}", default_playbook_toml());
        return Ok(());
    }
    runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        if let Some(path) = &args.save {
            let Some(name) = &args.user else {
                bail!("--save needs --user NAME (the saved version is recorded under it)");
            };
            let user = store
                .user_by_name(name)
                .await
                .with_context(|| format!("--user {name}: no such user"))?;
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let id = save_playbook(&store, &text, &user.name)
                .await
                .with_context(|| format!("in {}", path.display()))?;
            eprintln!("playbook saved as version {id}; it is in force from now on");
            outln!("{id}");
        } else {
            let (playbook, version) = current_playbook(&store).await?;
            match version {
                // The saved text, with its own comments.
                Some(v) => {
                    eprintln!("version {} saved by {}", v.id, v.saved_by);
                    out!("{}", v.toml);
                }
                None => {
                    eprintln!("no playbook saved: the defaults are in force");
                    out!("{}", playbook_toml(&playbook));
                }
            }
        }
        store.close().await;
        Ok(())
    })
}

pub fn run(args: QueueArgs) -> Result<()> {
    runtime()?.block_on(async {
        match args.action {
            None => {
                let a = &args.list;
                let settings = a.settings()?;
                let store = open_store(&a.db.url()).await?;
                let queue = daily_queue(&store, &settings).await?;
                let out = std::io::stdout();
                let mut out = out.lock();
                match a.format {
                    QueueFormat::Json => {
                        let items: Vec<Value> = queue
                            .items
                            .iter()
                            .map(|i| item_json(i, queue.clv_horizon_days))
                            .collect();
                        writeln!(out, "{}", serde_json::to_string_pretty(&items)?)?;
                    }
                    QueueFormat::Csv => write_csv(&mut out, &queue)?,
                    QueueFormat::Text => write_text(&mut out, &queue)?,
                }
                notes(&queue);
                store.close().await;
            }
            Some(QueueAction::Done(a)) => {
                let store = open_store(&a.db.url()).await?;
                let customer = customer(&store, &a.customer).await?;
                let user = store
                    .user_by_name(&a.user.user)
                    .await
                    .with_context(|| format!("--user {}: no such user", a.user.user))?;
                let stored =
                    record_queue_outcome(&store, Scope::All, &user, &a.settings(customer)?).await?;
                eprintln!(
                    "recorded: {} {} by {} (cost {}); in the contact log as {}",
                    a.customer,
                    stored.outcome,
                    a.channel,
                    stored.cost,
                    stored.contact_log_id.unwrap_or_default()
                );
                outln!("{}", stored.id);
                store.close().await;
            }
            Some(QueueAction::Snooze(a)) => {
                let store = open_store(&a.db.url()).await?;
                let customer = customer(&store, &a.customer).await?;
                let user = store
                    .user_by_name(&a.user.user)
                    .await
                    .with_context(|| format!("--user {}: no such user", a.user.user))?;
                let settings = a.settings(customer)?;
                let stored = record_queue_outcome(&store, Scope::All, &user, &settings).await?;
                eprintln!(
                    "{} snoozed until {}",
                    a.customer,
                    stored
                        .snooze_until
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                );
                outln!("{}", stored.id);
                store.close().await;
            }
        }
        Ok(())
    })
}

async fn customer(store: &Store, external_id: &str) -> Result<i64> {
    store
        .customer_id(external_id)
        .await
        .with_context(|| format!("--customer {external_id}: no such customer"))
}

/// A number, or null when it is unknown or not finite.
fn number(v: Option<f64>) -> Value {
    v.filter(|x| x.is_finite())
        .map_or(Value::Null, |x| json!(x))
}

fn item_json(i: &QueueItem, horizon: Option<u32>) -> Value {
    json!({
        "customer_id": i.external_id,
        "manager": i.manager,
        "action": i.action,
        "channel": i.channel.map(|c| c.as_str()),
        "reason": i.reason,
        "value_at_stake": number(i.value_at_stake.map(|v| (v * 100.0).round() / 100.0)),
        "clv_horizon_days": horizon,
        "name": i.name,
        "rung": i.rung.as_str(),
        "status": i.status.map(|s| s.as_str()),
        "offer": i.offer,
        "cost": i.cost.to_f64(),
        "blocked": i.blocked.as_ref().map(|(code, why)| json!({"code": code, "reason": why})),
        "suggestions": i.suggestions,
        "outcome": i.outcome.as_ref().map(|o| o.outcome.as_str()),
    })
}

fn write_csv(out: &mut dyn Write, queue: &Queue) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "customer_id",
        "name",
        "manager",
        "action",
        "channel",
        "blocked",
        "reason",
        "value_at_stake",
        "clv_horizon_days",
        "offer",
        "cost",
        "suggestions",
        "outcome",
    ])?;
    let horizon = queue
        .clv_horizon_days
        .map(|h| h.to_string())
        .unwrap_or_default();
    for i in &queue.items {
        w.write_record([
            i.external_id.as_str(),
            i.name.as_deref().unwrap_or(""),
            i.manager.as_deref().unwrap_or(""),
            &i.action,
            i.channel.map_or("", |c| c.as_str()),
            &i.blocked
                .as_ref()
                .map(|(_, why)| why.clone())
                .unwrap_or_default(),
            &i.reason,
            &i.value_at_stake
                .map(|v| format!("{v:.2}"))
                .unwrap_or_default(),
            &horizon,
            &i.offer,
            &i.cost.to_string(),
            &i.suggestions.join(" | "),
            i.outcome.as_ref().map_or("", |o| o.outcome.as_str()),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn write_text(out: &mut dyn Write, queue: &Queue) -> Result<()> {
    for (n, i) in queue.items.iter().enumerate() {
        let stake = i.value_at_stake.map_or("no CLV".to_string(), |v| {
            format!("at stake {}", clientele_core::winback::grouped(v))
        });
        writeln!(
            out,
            "{:>4}. {}{}  {}  {}",
            n + 1,
            i.external_id,
            i.name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default(),
            stake,
            i.manager.as_deref().unwrap_or("no manager")
        )?;
        writeln!(out, "      {}", i.reason)?;
        match (&i.channel, &i.blocked) {
            (Some(c), _) => writeln!(
                out,
                "      {} by {}: {} (cost {})",
                i.action,
                c.as_str(),
                i.offer,
                i.cost
            )?,
            (None, Some((_, why))) => writeln!(out, "      {}: not to be sent: {why}", i.action)?,
            (None, None) => writeln!(out, "      {}: {}", i.action, i.offer)?,
        }
        if !i.suggestions.is_empty() {
            writeln!(out, "      also suggest: {}", i.suggestions.join(", "))?;
        }
        if let Some(o) = &i.outcome {
            writeln!(out, "      done today: {}", o.outcome)?;
        }
    }
    Ok(())
}

fn notes(queue: &Queue) {
    match queue.as_of {
        None => eprintln!(
            "no snapshot on or before {}: run `clientele score` first",
            queue.day
        ),
        Some(as_of) => {
            eprintln!(
                "queue of {} from the snapshot of {}: {} of {} customers with an action{}; values at stake are the expected CLV lost over {}; playbook {}",
                queue.day,
                as_of,
                queue.items.len(),
                queue.candidates,
                if queue.snoozed > 0 {
                    format!(", {} snoozed", queue.snoozed)
                } else {
                    String::new()
                },
                queue
                    .clv_horizon_days
                    .map_or("an unknown horizon".to_string(), |h| format!("{h} days")),
                queue
                    .playbook_version
                    .map_or("defaults".to_string(), |v| format!("version {v}")),
            );
        }
    }
}
