//! `clientele assess list|answer|report|add`: the express self-assessment's checklists, one
//! person's answers, and the report (scores per area with the spread, recommendations for every
//! "no", the evidence, the history) as text or JSON.

use std::io::Write;

use anyhow::{Context, Result};
use clientele_app::assess::{
    AssessReport, Checklist, add_checklist, answer, checklists, gather_evidence, report,
};
use clientele_app::clock::today;
use clientele_app::database::open_store;
use serde_json::{Value, json};

use crate::args::assess::{AssessCommand, AssessFormat};
use crate::runtime::runtime;

pub fn run(command: AssessCommand) -> Result<()> {
    let rt = runtime()?;
    let mut out = std::io::stdout().lock();
    match command {
        AssessCommand::List(args) => {
            let all = rt.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let r = checklists(&store).await;
                store.close().await;
                r
            })?;
            let lang = args.lang.code();
            match args.format {
                AssessFormat::Json => {
                    let v: Vec<Value> = all.iter().map(|c| checklist_json(c, lang)).collect();
                    serde_json::to_writer_pretty(&mut out, &v)?;
                    writeln!(out)?;
                }
                AssessFormat::Text => {
                    for c in &all {
                        writeln!(
                            out,
                            "{} — {} ({} questions)",
                            c.key,
                            c.title.get(lang),
                            c.question_count()
                        )?;
                        for a in &c.areas {
                            writeln!(out, "  {}: {}", a.key, a.title.get(lang))?;
                            for q in &a.questions {
                                writeln!(out, "    {} — {}", q.key, q.text.get(lang))?;
                            }
                        }
                    }
                }
            }
        }
        AssessCommand::Answer(args) => {
            let answers = args.answers()?;
            let day = args.day(today())?;
            rt.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let r = answer(&store, &args.checklist, &args.respondent, day, &answers).await;
                store.close().await;
                r
            })?;
            writeln!(
                out,
                "recorded {} answer(s) of {} to {} on {day}",
                answers.len(),
                args.respondent,
                args.checklist
            )?;
        }
        AssessCommand::Report(args) => {
            let r = rt.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let r = async {
                    let evidence = gather_evidence(&store).await?;
                    report(&store, &args.checklist, evidence).await
                }
                .await;
                store.close().await;
                r
            })?;
            let lang = args.lang.code();
            match args.format {
                AssessFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &report_json(&r, lang))?;
                    writeln!(out)?;
                }
                AssessFormat::Text => write_report(&mut out, &r, lang)?,
            }
        }
        AssessCommand::Add(args) => {
            let text = std::fs::read_to_string(&args.file)
                .with_context(|| format!("reading {}", args.file.display()))?;
            let c = rt.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let r = add_checklist(&store, &text, &args.by).await;
                store.close().await;
                r
            })?;
            writeln!(
                out,
                "saved the checklist {} ({} questions)",
                c.key,
                c.question_count()
            )?;
        }
    }
    Ok(())
}

fn checklist_json(c: &Checklist, lang: &str) -> Value {
    json!({
        "key": c.key,
        "title": c.title.get(lang),
        "areas": c.areas.iter().map(|a| json!({
            "key": a.key,
            "title": a.title.get(lang),
            "questions": a.questions.iter().map(|q| json!({
                "key": q.key,
                "text": q.text.get(lang),
                "evidence": q.evidence.map(|e| e.as_str()),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// `{"checklist", "respondents", "areas": [{"key", "score", "spread", "questions": [...]}],
/// "history": [{"month", "scores"}]}`; scores are shares of "yes", 0..1.
pub fn report_json(r: &AssessReport, lang: &str) -> Value {
    json!({
        "checklist": r.checklist.key,
        "title": r.checklist.title.get(lang),
        "respondents": r.respondents.iter().map(|(n, d)| json!({"name": n, "day": d.to_string()})).collect::<Vec<_>>(),
        "areas": r.areas.iter().map(|a| json!({
            "key": a.key,
            "title": a.title.get(lang),
            "respondents": a.respondents,
            "score": a.score,
            "lowest": a.lowest,
            "highest": a.highest,
            "spread": a.spread,
            "questions": a.questions.iter().map(|q| json!({
                "key": q.key,
                "text": q.text.get(lang),
                "yes": q.tally.yes,
                "no": q.tally.no,
                "disputed": q.tally.disputed(),
                "yes_by": q.yes_by,
                "no_by": q.no_by,
                "recommendation": q.recommendation.as_ref().map(|t| t.get(lang)),
                "evidence": q.evidence.map(|e| json!({
                    "kind": e.as_str(),
                    "value": r.evidence.figure(e).map(|f| f.0),
                    "unit": r.evidence.figure(e).map(|f| f.1),
                })),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "history": r.history.iter().map(|(m, s)| json!({"month": m, "scores": s})).collect::<Vec<_>>(),
    })
}

fn write_report(out: &mut impl Write, r: &AssessReport, lang: &str) -> Result<()> {
    let pct = |s: Option<f64>| s.map_or_else(|| "-".to_string(), |v| format!("{:.0}%", v * 100.0));
    writeln!(
        out,
        "{} — {} respondent(s)",
        r.checklist.title.get(lang),
        r.respondents.len()
    )?;
    if r.respondents.is_empty() {
        writeln!(
            out,
            "Nobody has answered yet: clientele assess answer {} --respondent NAME QUESTION=yes|no ...",
            r.checklist.key
        )?;
        return Ok(());
    }
    for a in &r.areas {
        writeln!(
            out,
            "\n{}: {} yes (respondents {} to {}; spread {})",
            a.title.get(lang),
            pct(a.score),
            pct(a.lowest),
            pct(a.highest),
            pct(a.spread)
        )?;
        for q in &a.questions {
            let mark = if q.tally.disputed() { " DISPUTED" } else { "" };
            writeln!(
                out,
                "  [{} yes / {} no{mark}] {}",
                q.tally.yes,
                q.tally.no,
                q.text.get(lang)
            )?;
            if q.tally.disputed() {
                writeln!(
                    out,
                    "      yes: {}; no: {}",
                    q.yes_by.join(", "),
                    q.no_by.join(", ")
                )?;
            }
            if let Some(e) = q.evidence {
                match r.evidence.figure(e) {
                    Some((v, unit)) => {
                        writeln!(out, "      evidence: {} = {v:.1} {unit}", e.as_str())?
                    }
                    None => writeln!(out, "      evidence: {} not measured yet", e.as_str())?,
                }
            }
            if let Some(rec) = &q.recommendation {
                writeln!(out, "      → {}", rec.get(lang))?;
            }
        }
    }
    if r.history.len() > 1 {
        writeln!(out, "\nHistory (share of yes per area):")?;
        for (m, s) in &r.history {
            writeln!(
                out,
                "  {m}: {}",
                s.iter().map(|v| pct(*v)).collect::<Vec<_>>().join("  ")
            )?;
        }
    }
    Ok(())
}
