//! `clientele staff survey|codes|answer|report`: staff voice — surveys, one-time codes per
//! department, an answer given with a code, and the report by department and period as text,
//! JSON or CSV.

use anyhow::{Context, Result};
use clientele_app::clock::today;
use clientele_app::database::open_store;
use clientele_app::staff::{
    SATISFACTION_QUESTIONS, StaffReport, answer, close_survey, issue_codes, open_survey, report,
    surveys,
};
use clientele_core::staff::StaffGroup;
use serde_json::{Value, json};

use crate::args::common::parse_user_date;
use crate::args::staff::{StaffCommand, StaffFormat, SurveyCommand};
use crate::runtime::runtime;

pub fn run(command: StaffCommand) -> Result<()> {
    let rt = runtime()?;
    match command {
        StaffCommand::Survey(SurveyCommand::Open(args)) => {
            let day = match &args.date {
                Some(d) => parse_user_date(d)?,
                None => today(),
            };
            let s = rt.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let r = open_survey(&store, &args.title, day, args.batch_size, &args.by).await;
                store.close().await;
                r
            })?;
            outln!("{}", s.id);
            eprintln!(
                "opened staff survey {} '{}' held on {} (answers released {} at a time per department)",
                s.id, s.title, s.day, s.batch_size
            );
        }
        StaffCommand::Survey(SurveyCommand::List(args)) => {
            let all = rt.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let r = surveys(&store).await;
                store.close().await;
                r
            })?;
            match args.format {
                StaffFormat::Json => {
                    let v: Vec<Value> = all
                        .iter()
                        .map(|s| {
                            json!({
                                "id": s.id, "title": s.title, "date": s.day.to_string(),
                                "batch_size": s.batch_size, "closed": s.closed_at.is_some(),
                                "departments": s.departments.iter()
                                    .map(|(d, n)| json!({"department": d, "codes": n}))
                                    .collect::<Vec<_>>(),
                                "released": s.released,
                            })
                        })
                        .collect();
                    outln!("{}", serde_json::to_string_pretty(&v)?);
                }
                StaffFormat::Text | StaffFormat::Csv => {
                    if args.format == StaffFormat::Csv {
                        outln!("id,title,date,batch_size,closed,codes,released");
                    }
                    for s in &all {
                        let codes: u64 = s.departments.iter().map(|d| d.1).sum();
                        if args.format == StaffFormat::Csv {
                            outln!(
                                "{},{},{},{},{},{},{}",
                                s.id,
                                csv_field(&s.title),
                                s.day,
                                s.batch_size,
                                s.closed_at.is_some(),
                                codes,
                                s.released
                            );
                        } else {
                            outln!(
                                "{}  {}  {}  {}  codes {}  released {}",
                                s.id,
                                s.day,
                                if s.closed_at.is_some() {
                                    "closed"
                                } else {
                                    "open  "
                                },
                                s.title,
                                codes,
                                s.released
                            );
                        }
                    }
                }
            }
        }
        StaffCommand::Survey(SurveyCommand::Close(args)) => {
            let released = rt.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let r = close_survey(&store, args.survey).await;
                store.close().await;
                r
            })?;
            outln!("{released}");
            eprintln!(
                "closed staff survey {}: {released} waiting answers released",
                args.survey
            );
        }
        StaffCommand::Codes(args) => {
            let codes = rt.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let r = issue_codes(&store, args.survey, &args.department, args.count).await;
                store.close().await;
                r
            })?;
            for c in &codes {
                outln!("{c}");
            }
            eprintln!(
                "{} codes for '{}': shown this once, only their hashes are kept",
                codes.len(),
                args.department.trim()
            );
        }
        StaffCommand::Answer(args) => {
            let typed = args.typed()?;
            rt.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let r = answer(&store, &args.code, &typed).await;
                store.close().await;
                r
            })
            .context("the answer was not taken")?;
            eprintln!("answer taken; the code is spent");
        }
        StaffCommand::Report(args) => {
            let settings = args.settings()?;
            let r = rt.block_on(async {
                let store = open_store(&args.db.url()).await?;
                let r = report(&store, &settings).await;
                store.close().await;
                r
            })?;
            match args.format {
                StaffFormat::Json => outln!("{}", serde_json::to_string_pretty(&report_json(&r))?),
                StaffFormat::Csv => write_csv(&r)?,
                StaffFormat::Text => write_text(&r)?,
            }
        }
    }
    Ok(())
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn group_json(department: Option<&str>, g: &StaffGroup) -> Value {
    let c = g.report.counts;
    let e = g.report.estimate;
    json!({
        "department": department,
        "answers": c.n(),
        "promoters": c.promoters,
        "passives": c.passives,
        "detractors": c.detractors,
        "nps": e.map(|e| e.nps),
        "margin_of_error": e.map(|e| e.margin_of_error),
        "ci95_low": e.map(|e| e.ci95.lo),
        "ci95_high": e.map(|e| e.ci95.hi),
        "change": g.change.map(|c| json!({
            "delta": c.delta, "ci95_low": c.ci95.lo, "ci95_high": c.ci95.hi,
            "p_value": c.p_value, "significant": c.significant,
        })),
        "satisfaction": g.satisfaction.iter().enumerate().map(|(q, s)| json!({
            "question": SATISFACTION_QUESTIONS[q],
            "answers": s.counts.n(),
            "mean": s.mean,
            "satisfied_share": s.satisfied_share,
        })).collect::<Vec<_>>(),
    })
}

/// The same shape as `GET /api/v1/staff/report`.
fn report_json(r: &StaffReport) -> Value {
    json!({
        "period": r.settings.period.as_str(),
        "min_group": r.settings.min_group,
        "min_answers": r.settings.min_answers,
        "answers": r.answers,
        "periods": r.periods.iter().map(|p| json!({
            "period": p.period.to_string(),
            "departments": p.departments.iter().map(|(d, g)| group_json(Some(d), g)).collect::<Vec<_>>(),
            "hidden_departments": p.hidden_departments,
            "total": p.total.as_ref().map(|g| group_json(None, g)),
        })).collect::<Vec<_>>(),
    })
}

fn rows(r: &StaffReport) -> Vec<(String, String, &StaffGroup)> {
    let mut out = Vec::new();
    for p in &r.periods {
        for (d, g) in &p.departments {
            out.push((p.period.to_string(), d.clone(), g));
        }
        if let Some(g) = &p.total {
            out.push((p.period.to_string(), "(whole company)".to_string(), g));
        }
    }
    out
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(String::new, |v| format!("{v:.digits$}"))
}

fn write_csv(r: &StaffReport) -> Result<()> {
    let questions: Vec<String> = SATISFACTION_QUESTIONS
        .iter()
        .map(|q| format!("satisfaction_{q}"))
        .collect();
    outln!(
        "period,department,answers,promoters,passives,detractors,nps,margin_of_error,change,change_significant,{}",
        questions.join(",")
    );
    for (period, department, g) in rows(r) {
        let c = g.report.counts;
        let e = g.report.estimate;
        let sat: Vec<String> = g.satisfaction.iter().map(|s| opt(s.mean, 2)).collect();
        outln!(
            "{},{},{},{},{},{},{},{},{},{},{}",
            period,
            csv_field(&department),
            c.n(),
            c.promoters,
            c.passives,
            c.detractors,
            opt(e.map(|e| e.nps), 1),
            opt(e.map(|e| e.margin_of_error), 1),
            opt(g.change.map(|c| c.delta), 1),
            g.change
                .map_or_else(String::new, |c| c.significant.to_string()),
            sat.join(",")
        );
    }
    Ok(())
}

fn write_text(r: &StaffReport) -> Result<()> {
    if r.periods.is_empty() {
        outln!(
            "No answers released yet: results show once a department's first batch is complete or the survey is closed."
        );
        return Ok(());
    }
    outln!(
        "Employee NPS by department and {} ({} answers released; departments under {} answers not shown; a score from {} answers)",
        r.settings.period.as_str(),
        r.answers,
        r.settings.min_group,
        r.settings.min_answers
    );
    for p in &r.periods {
        outln!("\n{}", p.period);
        let mut lines: Vec<(String, &StaffGroup)> =
            p.departments.iter().map(|(d, g)| (d.clone(), g)).collect();
        if let Some(g) = &p.total {
            lines.push(("whole company".into(), g));
        }
        for (name, g) in lines {
            let score = match g.report.estimate {
                Some(e) => format!("eNPS {:+.0} ± {:.0}", e.nps, e.margin_of_error),
                None => "too few answers for a score".into(),
            };
            let change = g.change.map_or_else(String::new, |c| {
                format!(
                    "  change {:+.0} ({})",
                    c.delta,
                    if c.significant {
                        "beyond chance"
                    } else {
                        "within chance"
                    }
                )
            });
            let sat: Vec<String> = g
                .satisfaction
                .iter()
                .enumerate()
                .filter_map(|(q, s)| {
                    s.mean
                        .map(|m| format!("{} {m:.1}", SATISFACTION_QUESTIONS[q]))
                })
                .collect();
            outln!(
                "  {name}: {} answers, {score}{change}{}",
                g.report.counts.n(),
                if sat.is_empty() {
                    String::new()
                } else {
                    format!("; satisfaction {}", sat.join(", "))
                }
            );
        }
        if p.hidden_departments > 0 {
            outln!(
                "  ({} departments not shown: too few answers, or the total would give a small one away)",
                p.hidden_departments
            );
        }
    }
    Ok(())
}
