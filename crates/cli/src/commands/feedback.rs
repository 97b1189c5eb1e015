//! `clientele feedback import|list|answer|resolve|report|targets`: complaints and wishes into the
//! store (rejects by line, all or nothing), the log out of it (text for people, JSON and CSV for
//! scripts), the first response and the resolution, how each manager kept the response targets,
//! and the targets per severity. The command line acts on every customer (no manager scope).

use std::io::Write;

use anyhow::{Context, Result, bail};
use clientele_app::clock::today;
use clientele_app::database::open_store;
use clientele_app::voice::{
    FeedbackAdded, FeedbackReport, FeedbackReportSettings, feedback_report, import_feedback_files,
    set_complaint_targets,
};
use clientele_core::Day;
use clientele_core::closed_loop::{ComplaintTargets, Severity, TargetCompliance};
use clientele_core::complaints::ResponseCompliance;
use clientele_store::Scope;
use clientele_store::voice::{FeedbackFilter, FeedbackItem, FeedbackKind};
use serde_json::{Value, json};

use crate::args::feedback::{
    FeedbackActArgs, FeedbackCommand, FeedbackFormat, FeedbackImportArgs, FeedbackListArgs,
    FeedbackReportArgs, FeedbackTargetsArgs,
};
use crate::runtime::runtime;

pub fn run(command: FeedbackCommand) -> Result<()> {
    match command {
        FeedbackCommand::Import(args) => import(args),
        FeedbackCommand::List(args) => list(args),
        FeedbackCommand::Answer(args) => act(args, false),
        FeedbackCommand::Resolve(args) => act(args, true),
        FeedbackCommand::Report(args) => report(args),
        FeedbackCommand::Targets(args) => targets(args),
    }
}

fn actor() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "cli".into())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A Unix time as `YYYY-MM-DD HH:MM UTC`.
fn instant(t: i64) -> String {
    let day = Day::from_days_since_epoch(t.div_euclid(86_400) as i32);
    let s = t.rem_euclid(86_400);
    format!("{day} {:02}:{:02} UTC", s / 3_600, s % 3_600 / 60)
}

fn kind_word(k: FeedbackKind) -> &'static str {
    match k {
        FeedbackKind::Wish => "wish",
        other => other.as_str(),
    }
}

fn status(f: &FeedbackItem) -> &'static str {
    match (f.first_response_at, f.resolved_at) {
        (_, Some(_)) => "resolved",
        (Some(_), None) => "answered",
        (None, None) => "open",
    }
}

fn overdue(f: &FeedbackItem, now: i64) -> bool {
    use clientele_core::closed_loop::overdue;
    f.resolved_at.is_none()
        && (overdue(f.first_response_due, f.first_response_at, now)
            || overdue(f.resolution_due, None, now))
}

fn import(args: FeedbackImportArgs) -> Result<()> {
    let settings = args.settings(today(), actor())?;
    let outcome = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let outcome = import_feedback_files(&store, &settings).await;
        store.close().await;
        outcome
    })?;
    for note in &outcome.notes {
        eprintln!("{note}");
    }
    if let Some(path) = &args.rejects {
        write_rejects(path, &outcome)?;
    }
    if !outcome.rejects.is_empty() {
        for r in outcome.rejects.iter().take(20) {
            eprintln!(
                "{}, line {}, {}: {}",
                r.file
                    .as_deref()
                    .map_or_else(String::new, |p| p.display().to_string()),
                r.position,
                r.field,
                r.reason
            );
        }
        if outcome.rejects.len() > 20 {
            eprintln!("... and {} more", outcome.rejects.len() - 20);
        }
        bail!(
            "{} bad row(s): nothing was imported; fix them and import again{}",
            outcome.rejects.len(),
            if args.rejects.is_some() {
                " (all are in the rejects file)"
            } else {
                " (--rejects FILE lists them all)"
            }
        );
    }
    outln!(
        "imported {} entr{}, {} already stored unchanged",
        outcome.stored,
        if outcome.stored == 1 { "y" } else { "ies" },
        outcome.unchanged
    );
    Ok(())
}

fn write_rejects(path: &std::path::Path, outcome: &FeedbackAdded) -> Result<()> {
    let mut w = csv::Writer::from_path(path)
        .with_context(|| format!("writing the rejects to {}", path.display()))?;
    w.write_record(["file", "line", "field", "reason"])?;
    for r in &outcome.rejects {
        w.write_record([
            r.file
                .as_deref()
                .map_or_else(String::new, |p| p.display().to_string()),
            r.position.to_string(),
            r.field.to_string(),
            r.reason.clone(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

fn item_json(f: &FeedbackItem, now: i64) -> Value {
    json!({
        "id": f.id,
        "customer_id": f.external_id,
        "customer_name": f.customer_name,
        "kind": kind_word(f.kind),
        "severity": f.severity.as_str(),
        "category": f.category,
        "channel": f.channel,
        "touchpoint": f.touchpoint,
        "text": f.body,
        "status": status(f),
        "overdue": overdue(f, now),
        "manager": f.manager_name,
        "received_at": f.received_at,
        "first_response_due": f.first_response_due,
        "first_response_at": f.first_response_at,
        "first_response": f.first_response,
        "resolution_due": f.resolution_due,
        "resolved_at": f.resolved_at,
        "resolution": f.resolution,
        "source": f.source,
    })
}

fn list(args: FeedbackListArgs) -> Result<()> {
    let filter = FeedbackFilter {
        state: args.state.state(),
        kind: args.kind.map(|k| k.kind()),
        category: args.category.clone(),
    };
    let page = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let page = store
            .feedback_entries(Scope::All, &filter, args.limit, 0)
            .await;
        store.close().await;
        anyhow::Ok(page?)
    })?;
    let at = now();
    let mut out = std::io::stdout().lock();
    match args.format {
        FeedbackFormat::Json => {
            let items: Vec<Value> = page.items.iter().map(|f| item_json(f, at)).collect();
            serde_json::to_writer_pretty(&mut out, &json!({"items": items, "total": page.total}))?;
            writeln!(out)?;
        }
        FeedbackFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "id",
                "customer_id",
                "kind",
                "severity",
                "category",
                "channel",
                "received_at",
                "status",
                "overdue",
                "first_response_due",
                "first_response_at",
                "resolution_due",
                "resolved_at",
                "manager",
                "text",
            ])?;
            let opt = |t: Option<i64>| t.map_or_else(String::new, instant);
            for f in &page.items {
                w.write_record([
                    f.id.to_string(),
                    f.external_id.clone(),
                    kind_word(f.kind).to_string(),
                    f.severity.as_str().to_string(),
                    f.category.clone().unwrap_or_default(),
                    f.channel.clone().unwrap_or_default(),
                    instant(f.received_at),
                    status(f).to_string(),
                    overdue(f, at).to_string(),
                    instant(f.first_response_due),
                    opt(f.first_response_at),
                    instant(f.resolution_due),
                    opt(f.resolved_at),
                    f.manager_name.clone().unwrap_or_default(),
                    f.body.clone(),
                ])?;
            }
            w.flush()?;
        }
        FeedbackFormat::Text => {
            if page.items.is_empty() {
                writeln!(
                    out,
                    "no entries in this list (clientele feedback import FILE adds some; --state all shows resolved ones)"
                )?;
            }
            for f in &page.items {
                let due = if f.first_response_at.is_none() {
                    f.first_response_due
                } else {
                    f.resolution_due
                };
                writeln!(
                    out,
                    "{:>6}  {}  {} ({}){}  {}  due {}{}  {}  {}",
                    f.id,
                    f.external_id,
                    kind_word(f.kind),
                    f.severity.as_str(),
                    f.category
                        .as_deref()
                        .map_or_else(String::new, |c| format!(" [{c}]")),
                    status(f),
                    instant(due),
                    if overdue(f, at) { " OVERDUE" } else { "" },
                    f.manager_name.as_deref().unwrap_or("(no manager)"),
                    f.body.replace(['\n', '\r'], " "),
                )?;
            }
            if page.total > page.items.len() as u64 {
                writeln!(
                    out,
                    "... {} of {} shown (--limit N shows more)",
                    page.items.len(),
                    page.total
                )?;
            }
        }
    }
    Ok(())
}

fn act(args: FeedbackActArgs, resolve: bool) -> Result<()> {
    let item = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let item = store
            .respond_to_feedback(Scope::All, args.id, &actor(), &args.note, resolve)
            .await;
        store.close().await;
        anyhow::Ok(item?)
    })?;
    outln!(
        "entry {} {} ({})",
        item.id,
        if resolve { "resolved" } else { "answered" },
        item.external_id
    );
    Ok(())
}

fn share_json(t: &TargetCompliance) -> Value {
    json!({
        "within": t.within,
        "late": t.late,
        "pending": t.pending,
        "share": t.share(),
        "ci95": t.ci95().map(|i| [i.lo, i.hi]),
    })
}

fn compliance_json(c: &ResponseCompliance) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    m.insert("entries".into(), json!(c.entries));
    m.insert("open".into(), json!(c.open));
    m.insert("overdue".into(), json!(c.overdue));
    m.insert("first_response".into(), share_json(&c.first_response));
    m.insert("resolution".into(), share_json(&c.resolution));
    m.insert(
        "median_first_response_hours".into(),
        json!(c.median_first_response_hours),
    );
    m.insert(
        "median_resolution_hours".into(),
        json!(c.median_resolution_hours),
    );
    m
}

fn targets_json(t: &ComplaintTargets) -> Value {
    Value::Array(
        Severity::ALL
            .into_iter()
            .map(|s| {
                let g = t.get(s);
                json!({
                    "severity": s.as_str(),
                    "first_response_hours": g.first_response / 3_600,
                    "resolution_hours": g.resolution / 3_600,
                })
            })
            .collect(),
    )
}

/// The report in the API's shape (`GET /api/v1/feedback/report`).
fn report_json(r: &FeedbackReport) -> Value {
    let with = |mut m: serde_json::Map<String, Value>, key: &str, v: Value| {
        m.insert(key.into(), v);
        Value::Object(m)
    };
    json!({
        "from": r.from.to_string(),
        "to": r.to.to_string(),
        "as_of": r.now,
        "overall": Value::Object(compliance_json(&r.overall)),
        "managers": r.managers.iter().map(|m| with(compliance_json(&m.compliance), "manager", json!(m.manager))).collect::<Vec<_>>(),
        "severities": r.severities.iter().map(|(s, c)| with(compliance_json(c), "severity", json!(s.as_str()))).collect::<Vec<_>>(),
        "kinds": r.kinds.iter().map(|(k, n)| json!({"kind": kind_word(*k), "entries": n})).collect::<Vec<_>>(),
        "categories_by_month": r.categories_by_month.iter().map(|(m, cats)| json!({
            "month": m,
            "categories": cats.iter().map(|(c, n)| json!({"category": c, "complaints": n})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "costliest_categories": r.costliest.iter().map(|c| json!({
            "category": c.category,
            "complaints": c.complaints,
            "customers": c.customers,
            "slipping": c.slipping,
            "lost": c.lost,
            "revenue_at_risk": c.revenue_at_risk.to_string(),
            "clv_at_risk": c.clv_at_risk,
        })).collect::<Vec<_>>(),
        "snapshot": r.snapshot.map(|d| d.to_string()),
        "targets": targets_json(&r.targets),
    })
}

fn share_text(t: &TargetCompliance) -> String {
    match (t.share(), t.ci95()) {
        (Some(s), Some(i)) => format!(
            "{:.1}% ({} of {}; 95% {:.1}–{:.1}%)",
            s * 100.0,
            t.within,
            t.decided(),
            i.lo * 100.0,
            i.hi * 100.0
        ),
        _ => "none decided yet".into(),
    }
}

fn hours_text(h: Option<f64>) -> String {
    h.map_or_else(|| "none yet".into(), |h| format!("{h:.1} h"))
}

fn compliance_line(out: &mut impl Write, label: &str, c: &ResponseCompliance) -> Result<()> {
    writeln!(
        out,
        "  {label}: {} entr{}, {} open, {} overdue\n    answered within target {}, median {}\n    resolved within target {}, median {}",
        c.entries,
        if c.entries == 1 { "y" } else { "ies" },
        c.open,
        c.overdue,
        share_text(&c.first_response),
        hours_text(c.median_first_response_hours),
        share_text(&c.resolution),
        hours_text(c.median_resolution_hours),
    )?;
    Ok(())
}

fn report(args: FeedbackReportArgs) -> Result<()> {
    let (from, to) = args.window()?;
    let settings = FeedbackReportSettings {
        scope: Scope::All,
        from,
        to,
        today: today(),
        now: now(),
    };
    let r = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let r = feedback_report(&store, &settings).await;
        store.close().await;
        r
    })?;
    let mut out = std::io::stdout().lock();
    match args.format {
        FeedbackFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report_json(&r))?;
            writeln!(out)?;
        }
        FeedbackFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record([
                "group",
                "name",
                "entries",
                "open",
                "overdue",
                "answered_within",
                "answered_late",
                "answered_share",
                "answered_ci95_lo",
                "answered_ci95_hi",
                "median_first_response_hours",
                "resolved_within",
                "resolved_late",
                "resolved_share",
                "resolved_ci95_lo",
                "resolved_ci95_hi",
                "median_resolution_hours",
            ])?;
            let num = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.4}"));
            let mut row = |group: &str, name: &str, c: &ResponseCompliance| {
                let f = &c.first_response;
                let s = &c.resolution;
                w.write_record([
                    group.to_string(),
                    name.to_string(),
                    c.entries.to_string(),
                    c.open.to_string(),
                    c.overdue.to_string(),
                    f.within.to_string(),
                    f.late.to_string(),
                    num(f.share()),
                    num(f.ci95().map(|i| i.lo)),
                    num(f.ci95().map(|i| i.hi)),
                    num(c.median_first_response_hours),
                    s.within.to_string(),
                    s.late.to_string(),
                    num(s.share()),
                    num(s.ci95().map(|i| i.lo)),
                    num(s.ci95().map(|i| i.hi)),
                    num(c.median_resolution_hours),
                ])
            };
            row("all", "", &r.overall)?;
            for m in &r.managers {
                row("manager", m.manager.as_deref().unwrap_or(""), &m.compliance)?;
            }
            for (s, c) in &r.severities {
                row("severity", s.as_str(), c)?;
            }
            w.flush()?;
        }
        FeedbackFormat::Text => {
            writeln!(out, "complaints and wishes received {} to {}", r.from, r.to)?;
            if r.overall.entries == 0 {
                writeln!(
                    out,
                    "no entries in this window (clientele feedback import FILE adds some; --from widens it)"
                )?;
                return Ok(());
            }
            compliance_line(&mut out, "all", &r.overall)?;
            writeln!(out, "by manager responsible:")?;
            for m in &r.managers {
                compliance_line(
                    &mut out,
                    m.manager.as_deref().unwrap_or("(no manager)"),
                    &m.compliance,
                )?;
            }
            writeln!(out, "by severity:")?;
            for (s, c) in &r.severities {
                compliance_line(&mut out, s.as_str(), c)?;
            }
            let kinds: Vec<String> = r
                .kinds
                .iter()
                .map(|(k, n)| format!("{} {n}", kind_word(*k)))
                .collect();
            writeln!(out, "kinds: {}", kinds.join(", "))?;
            if !r.costliest.is_empty() {
                writeln!(
                    out,
                    "costliest complaint categories (complainants slipping or lost in the snapshot of {}):",
                    r.snapshot.map_or_else(String::new, |d| d.to_string())
                )?;
                for c in &r.costliest {
                    writeln!(
                        out,
                        "  {}: {} complaint(s) from {} customer(s), {} slipping, {} lost, revenue at risk {}",
                        if c.category.is_empty() {
                            "(no category)"
                        } else {
                            &c.category
                        },
                        c.complaints,
                        c.customers,
                        c.slipping,
                        c.lost,
                        c.revenue_at_risk
                    )?;
                }
            }
            writeln!(
                out,
                "shares count entries done, late or still waiting past the target; those not yet due count neither way"
            )?;
        }
    }
    Ok(())
}

fn targets(args: FeedbackTargetsArgs) -> Result<()> {
    let t = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let t = match (args.severity, args.first_hours, args.resolution_hours) {
            (Some(s), Some(first), Some(resolution)) => {
                set_complaint_targets(&store, s.severity(), first, resolution, &actor()).await
            }
            _ => store
                .voice_settings()
                .await
                .map(|s| s.complaint_targets)
                .map_err(Into::into),
        };
        store.close().await;
        t
    })?;
    let mut out = std::io::stdout().lock();
    match args.format {
        FeedbackFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &json!({"targets": targets_json(&t)}))?;
            writeln!(out)?;
        }
        FeedbackFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(["severity", "first_response_hours", "resolution_hours"])?;
            for s in Severity::ALL {
                let g = t.get(s);
                w.write_record([
                    s.as_str().to_string(),
                    (g.first_response / 3_600).to_string(),
                    (g.resolution / 3_600).to_string(),
                ])?;
            }
            w.flush()?;
        }
        FeedbackFormat::Text => {
            for s in Severity::ALL {
                let g = t.get(s);
                writeln!(
                    out,
                    "{:<9} first response within {} h, resolved within {} h",
                    s.as_str(),
                    g.first_response / 3_600,
                    g.resolution / 3_600
                )?;
            }
        }
    }
    Ok(())
}
