//! `clientele surveys import`, `clientele nps report` and `clientele improvements add|check|list`:
//! survey answers into the store, the NPS report out of it (text for people, JSON for scripts in
//! the shape the issue fixes), and the improvement log with its before/after check.

use std::io::Write;

use anyhow::{Context, Result, bail};
use clientele_app::clock::today;
use clientele_app::database::open_store;
use clientele_app::voice::{
    AnswersOutcome, CsatFigures, ImprovementCheckOutput, NpsFigures, NpsReportOutput, PeriodChange,
    add_improvement, check_improvement_by_id, import_answer_files, nps_report,
};
use serde_json::{Map, Value, json};

use crate::args::voice::{
    ImprovementsCommand, NpsCommand, NpsReportArgs, ReportFormat, SurveysCommand, SurveysImportArgs,
};
use crate::runtime::runtime;

pub fn surveys(command: SurveysCommand) -> Result<()> {
    match command {
        SurveysCommand::Import(args) => import(args),
        SurveysCommand::Create(args) => super::surveys::create(args),
        SurveysCommand::List(args) => super::surveys::list(args),
        SurveysCommand::Close(args) => super::surveys::close(args),
        SurveysCommand::Invite(args) => super::surveys::invite_links(args),
    }
}

pub fn nps(command: NpsCommand) -> Result<()> {
    match command {
        NpsCommand::Report(args) => report(args),
        NpsCommand::Behaviour(args) => super::nps_behaviour::run(args),
    }
}

fn import(args: SurveysImportArgs) -> Result<()> {
    let settings = args.settings(today())?;
    let outcome = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let outcome = import_answer_files(&store, &settings).await;
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
        "imported {} answer(s), {} already stored unchanged, {} follow-up task(s) opened",
        outcome.stored,
        outcome.unchanged,
        outcome.tasks_opened
    );
    Ok(())
}

fn write_rejects(path: &std::path::Path, outcome: &AnswersOutcome) -> Result<()> {
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

fn report(args: NpsReportArgs) -> Result<()> {
    let settings = args.settings()?;
    let output = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let output = nps_report(&store, &settings).await;
        store.close().await;
        output
    })?;
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report_json(&output))?;
            writeln!(out)?;
        }
        ReportFormat::Text => write_text(&mut out, &output)?,
    }
    Ok(())
}

/// The same fields at every level: n, shares, NPS and its uncertainty, band, enough.
fn figures_json(f: &NpsFigures) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("n".into(), json!(f.n));
    m.insert("promoters".into(), json!(f.promoters));
    m.insert("passives".into(), json!(f.passives));
    m.insert("detractors".into(), json!(f.detractors));
    m.insert("nps".into(), json!(f.nps));
    m.insert("std_error".into(), json!(f.std_error));
    m.insert("margin_of_error".into(), json!(f.margin_of_error));
    m.insert("ci95".into(), json!(f.ci95.map(|(lo, hi)| [lo, hi])));
    m.insert("band".into(), json!(f.band));
    m.insert("enough".into(), json!(f.enough));
    m
}

fn change_json(c: &PeriodChange) -> Value {
    json!({
        "delta": c.delta,
        "ci95": [c.ci95.0, c.ci95.1],
        "p_value": c.p_value,
        "significant": c.significant,
    })
}

/// `{"n", "promoters", ..., "periods": [...], "groups": [...]}`.
pub fn report_json(r: &NpsReportOutput) -> Value {
    let mut top = figures_json(&r.overall);
    top.insert("from".into(), json!(r.from.map(|d| d.to_string())));
    top.insert("to".into(), json!(r.to.map(|d| d.to_string())));
    top.insert("min_answers".into(), json!(r.min_answers));
    top.insert("answers_read".into(), json!(r.answers_read));
    top.insert("answers_one_to_ten".into(), json!(r.answers_one_to_ten));
    top.insert("by".into(), json!(r.by.as_str()));
    top.insert("period_kind".into(), json!(r.period.map(|p| p.as_str())));
    top.insert("snapshot".into(), json!(r.snapshot.map(|d| d.to_string())));
    let periods: Vec<Value> = r
        .periods
        .iter()
        .map(|p| {
            let mut m = figures_json(&p.figures);
            m.insert("period".into(), json!(p.period));
            m.insert(
                "change".into(),
                p.change.as_ref().map_or(Value::Null, change_json),
            );
            Value::Object(m)
        })
        .collect();
    let groups: Vec<Value> = r
        .groups
        .iter()
        .map(|g| {
            let mut m = figures_json(&g.figures);
            m.insert("group".into(), json!(g.group));
            m.insert(
                "vs_rest".into(),
                g.vs_rest.as_ref().map_or(Value::Null, change_json),
            );
            Value::Object(m)
        })
        .collect();
    top.insert("periods".into(), Value::Array(periods));
    top.insert("groups".into(), Value::Array(groups));
    top.insert("csat".into(), csat_json(&r.csat));
    Value::Object(top)
}

/// CSAT beside the NPS: `{"n", "mean", "mean_ci95", "satisfied", "satisfied_ci95", "enough"}`.
fn csat_json(c: &CsatFigures) -> Value {
    json!({
        "n": c.n,
        "mean": c.mean,
        "mean_ci95": c.mean_ci95.map(|(lo, hi)| [lo, hi]),
        "satisfied": c.satisfied,
        "satisfied_ci95": c.satisfied_ci95.map(|(lo, hi)| [lo, hi]),
        "enough": c.enough,
    })
}

fn csat_words(c: &CsatFigures) -> String {
    match (c.mean, c.mean_ci95, c.satisfied, c.satisfied_ci95) {
        (_, _, _, _) if c.n == 0 => "CSAT: no answers".to_string(),
        (Some(m), Some((mlo, mhi)), Some(s), Some((slo, shi))) => format!(
            "CSAT: {} respondent(s), mean {m:.2} (95% interval {mlo:.2} to {mhi:.2}), satisfied (4-5) {:.1}% (95% interval {:.1}% to {:.1}%)",
            c.n,
            s * 100.0,
            slo * 100.0,
            shi * 100.0
        ),
        _ => format!(
            "CSAT: {} respondent(s), not enough answers for an interval",
            c.n
        ),
    }
}

fn pct(share: Option<f64>) -> String {
    share.map_or_else(|| "-".into(), |s| format!("{:.1}%", s * 100.0))
}

fn nps_words(f: &NpsFigures) -> String {
    match (f.nps, f.margin_of_error, f.ci95, f.band) {
        (Some(nps), Some(moe), Some((lo, hi)), Some(band)) => {
            format!("NPS {nps:+.1} ± {moe:.1} (95% interval {lo:+.1} to {hi:+.1}), {band}")
        }
        _ if f.n == 0 => "no answers".to_string(),
        _ => "not enough answers for a score".to_string(),
    }
}

fn change_words(c: Option<&PeriodChange>) -> String {
    match c {
        None => String::new(),
        Some(c) => format!(
            "  change {:+.1} (p = {:.3}{})",
            c.delta,
            c.p_value,
            if c.significant {
                ", significant"
            } else {
                ", could be noise"
            }
        ),
    }
}

fn write_text(out: &mut impl Write, r: &NpsReportOutput) -> Result<()> {
    let range = match (r.from, r.to) {
        (None, None) => "all answers".to_string(),
        (from, to) => format!(
            "answers {} to {}",
            from.map_or_else(|| "the first".into(), |d| d.to_string()),
            to.map_or_else(|| "the last".into(), |d| d.to_string())
        ),
    };
    writeln!(
        out,
        "NPS, {range}: {} respondent(s) (latest answer of each; {} answer(s) read, {} on the 1-10 scale); a score needs {}",
        r.overall.n, r.answers_read, r.answers_one_to_ten, r.min_answers
    )?;
    let f = &r.overall;
    writeln!(
        out,
        "  promoters {}  passives {}  detractors {}",
        pct(f.promoters),
        pct(f.passives),
        pct(f.detractors)
    )?;
    writeln!(out, "  {}", nps_words(f))?;
    writeln!(out, "{}", csat_words(&r.csat))?;
    if !r.periods.is_empty() {
        writeln!(out, "\nby {}:", r.period.map_or("period", |p| p.as_str()))?;
        for p in &r.periods {
            writeln!(
                out,
                "  {:<8} n={:<7} {}{}",
                p.period,
                p.figures.n,
                nps_words(&p.figures),
                change_words(p.change.as_ref())
            )?;
        }
    }
    if !r.groups.is_empty() {
        writeln!(out, "\nby {}:", r.by.as_str())?;
        for g in &r.groups {
            writeln!(
                out,
                "  {:<20} n={:<7} {}{}",
                g.group.as_deref().unwrap_or("(none)"),
                g.figures.n,
                nps_words(&g.figures),
                change_words(g.vs_rest.as_ref()).replace("change", "vs the rest")
            )?;
        }
    }
    Ok(())
}

pub fn improvements(command: ImprovementsCommand) -> Result<()> {
    match command {
        ImprovementsCommand::Add(args) => {
            let new = args.new_improvement()?;
            let added = runtime()?.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let added = add_improvement(&store, &new).await;
                store.close().await;
                added
            })?;
            outln!(
                "improvement {} logged: {} (check on {})",
                added.id,
                added.title,
                added.check
            );
            Ok(())
        }
        ImprovementsCommand::List(args) => {
            let list = runtime()?.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let list = store.improvements().await;
                store.close().await;
                anyhow::Ok(list?)
            })?;
            let mut out = std::io::stdout().lock();
            match args.format {
                ReportFormat::Json => {
                    let items: Vec<Value> = list.iter().map(improvement_json).collect();
                    serde_json::to_writer_pretty(&mut out, &items)?;
                    writeln!(out)?;
                }
                ReportFormat::Text => {
                    if list.is_empty() {
                        writeln!(
                            out,
                            "no improvements logged yet (clientele improvements add ...)"
                        )?;
                    }
                    for i in &list {
                        writeln!(
                            out,
                            "{:>4}  {}  {} → {}  {} ({}), target {}{}",
                            i.id,
                            i.title,
                            i.start,
                            i.check,
                            i.owner,
                            i.hypothesis,
                            i.target.kind_str(),
                            match i.target.value() {
                                "" => String::new(),
                                v => format!(" {v}"),
                            }
                        )?;
                    }
                }
            }
            Ok(())
        }
        ImprovementsCommand::Check(args) => {
            let checked = runtime()?.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let checked = check_improvement_by_id(&store, args.id, args.min_answers).await;
                store.close().await;
                checked
            })?;
            let mut out = std::io::stdout().lock();
            match args.format {
                ReportFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &check_json(&checked))?;
                    writeln!(out)?;
                }
                ReportFormat::Text => write_check(&mut out, &checked)?,
            }
            Ok(())
        }
    }
}

fn improvement_json(i: &clientele_store::voice::Improvement) -> Value {
    json!({
        "id": i.id,
        "title": i.title,
        "owner": i.owner,
        "hypothesis": i.hypothesis,
        "target_kind": i.target.kind_str(),
        "target": i.target.value(),
        "start": i.start.to_string(),
        "check": i.check.to_string(),
        "decision": i.decision.map(|d| d.as_str()),
    })
}

fn check_json(c: &ImprovementCheckOutput) -> Value {
    let nps = c.check.nps.map(|n| {
        json!({"delta": n.delta, "ci95": [n.ci95.lo, n.ci95.hi], "p_value": n.p_value, "significant": n.significant})
    });
    let csat = c.check.csat.map(|s| {
        json!({"delta": s.satisfied.difference, "ci95": [s.satisfied.ci95.lo, s.satisfied.ci95.hi], "p_value": s.satisfied.p_value, "significant": s.significant})
    });
    let complaints = c.check.complaint_rate.map(|r| {
        json!({"delta": r.change.difference, "ci95": [r.change.ci95.lo, r.change.ci95.hi], "p_value": r.change.p_value, "significant": r.significant})
    });
    json!({
        "improvement": improvement_json(&c.improvement),
        "before": [c.before.0.to_string(), c.before.1.to_string()],
        "after": [c.after.0.to_string(), c.after.1.to_string()],
        "min_answers": c.min_answers,
        "nps_before": Value::Object(figures_json(&c.nps_before)),
        "nps_after": Value::Object(figures_json(&c.nps_after)),
        "csat_n": [c.csat_n.0, c.csat_n.1],
        "complaints_before": [c.complaints_before.0, c.complaints_before.1],
        "complaints_after": [c.complaints_after.0, c.complaints_after.1],
        "nps_change": nps,
        "csat_change": csat,
        "complaint_rate_change": complaints,
    })
}

fn write_check(out: &mut impl Write, c: &ImprovementCheckOutput) -> Result<()> {
    writeln!(
        out,
        "improvement {}: {} (target {} {}); before {} to {}, after {} to {}",
        c.improvement.id,
        c.improvement.title,
        c.improvement.target.kind_str(),
        c.improvement.target.value(),
        c.before.0,
        c.before.1,
        c.after.0,
        c.after.1
    )?;
    writeln!(
        out,
        "  before: {} respondent(s), {}",
        c.nps_before.n,
        nps_words(&c.nps_before)
    )?;
    writeln!(
        out,
        "  after:  {} respondent(s), {}",
        c.nps_after.n,
        nps_words(&c.nps_after)
    )?;
    match c.check.nps {
        Some(n) => writeln!(
            out,
            "  NPS change {:+.1} points (95% interval {:+.1} to {:+.1}, p = {:.4}): {}",
            n.delta,
            n.ci95.lo,
            n.ci95.hi,
            n.p_value,
            if n.significant {
                "significant"
            } else {
                "could be noise"
            }
        )?,
        None => writeln!(
            out,
            "  NPS change: not enough answers in a window (a score needs {})",
            c.min_answers
        )?,
    }
    match c.check.csat {
        Some(s) => writeln!(
            out,
            "  CSAT satisfied share change {:+.1} points (p = {:.4}): {}",
            s.satisfied.difference * 100.0,
            s.satisfied.p_value,
            if s.significant {
                "significant"
            } else {
                "could be noise"
            }
        )?,
        None => writeln!(
            out,
            "  CSAT change: not enough answers ({} before, {} after)",
            c.csat_n.0, c.csat_n.1
        )?,
    }
    match c.check.complaint_rate {
        Some(r) => writeln!(
            out,
            "  complaint rate change {:+.2} points ({} of {} → {} of {}, p = {:.4}): {}",
            r.change.difference * 100.0,
            c.complaints_before.0,
            c.complaints_before.1,
            c.complaints_after.0,
            c.complaints_after.1,
            r.change.p_value,
            if r.significant {
                "significant"
            } else {
                "could be noise"
            }
        )?,
        None => writeln!(out, "  complaint rate: no customers served in a window")?,
    }
    Ok(())
}
