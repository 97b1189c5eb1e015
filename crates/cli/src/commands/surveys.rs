//! `clientele surveys create|list|close|invite`: the surveys asked through invitation links, and
//! the invitations themselves (CSV `customer_id,link,channel,send_at` for the sender; the link's
//! secret is shown only here, the store keeps its hash).

use std::io::Write;

use anyhow::{Context, Result};
use clientele_app::clock::today;
use clientele_app::database::open_store;
use clientele_app::voice::invite;
use clientele_store::voice::{Survey, SurveyStats};
use serde_json::{Value, json};

use crate::args::voice::{
    ReportFormat, SurveyCloseArgs, SurveyCreateArgs, SurveyInviteArgs, SurveyListArgs,
};
use crate::runtime::runtime;

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// A Unix time as `YYYY-MM-DD HH:MM` (UTC).
fn instant(unix: i64) -> String {
    let day = clientele_core::Day::from_days_since_epoch(unix.div_euclid(86_400) as i32);
    let secs = unix.rem_euclid(86_400);
    format!("{day} {:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

fn survey_json(s: &Survey) -> Value {
    json!({
        "name": s.name,
        "kind": s.kind.kind_str(),
        "scale": s.kind.scale_str(),
        "touchpoint": s.touchpoint,
        "link_days": s.link_days,
        "closes_at": s.closes_at,
        "created_at": s.created_at,
        "created_by": s.created_by,
    })
}

fn stats_json(s: &SurveyStats) -> Value {
    let mut v = survey_json(&s.survey);
    v["invited"] = json!(s.invited);
    v["answered"] = json!(s.answered);
    v
}

pub fn create(args: SurveyCreateArgs) -> Result<()> {
    let new = args.survey("clientele surveys create")?;
    let survey = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let survey = store.create_survey(&new).await;
        store.close().await;
        survey.context("creating the survey")
    })?;
    match args.format {
        ReportFormat::Json => outln!("{}", survey_json(&survey)),
        ReportFormat::Text => outln!(
            "survey '{}' created: {} on {}, links open {} day(s){}",
            survey.name,
            survey.kind.kind_str(),
            survey.kind.scale_str(),
            survey.link_days,
            survey
                .closes_at
                .map_or_else(String::new, |c| format!(", closes {} UTC", instant(c)))
        ),
    }
    Ok(())
}

pub fn list(args: SurveyListArgs) -> Result<()> {
    let surveys = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let surveys = store.surveys().await;
        store.close().await;
        surveys.context("reading the surveys")
    })?;
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => writeln!(
            out,
            "{}",
            Value::Array(surveys.iter().map(stats_json).collect())
        )?,
        ReportFormat::Text => {
            if surveys.is_empty() {
                writeln!(
                    out,
                    "no surveys yet: create one with `clientele surveys create NAME`"
                )?;
            }
            for s in &surveys {
                writeln!(
                    out,
                    "{}\t{} {}\t{} invited\t{} answered\t{}",
                    s.survey.name,
                    s.survey.kind.kind_str(),
                    s.survey.kind.scale_str(),
                    s.invited,
                    s.answered,
                    s.survey.closes_at.map_or_else(
                        || "open".to_string(),
                        |c| format!("closes {} UTC", instant(c))
                    )
                )?;
            }
        }
    }
    Ok(())
}

pub fn close(args: SurveyCloseArgs) -> Result<()> {
    let survey = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let survey = store
            .close_survey(&args.name, unix_now(), "clientele surveys close")
            .await;
        store.close().await;
        survey.context("closing the survey")
    })?;
    outln!(
        "survey '{}' closed: its links take no more answers",
        survey.name
    );
    Ok(())
}

pub fn invite_links(args: SurveyInviteArgs) -> Result<()> {
    let settings = args.settings(today(), unix_now())?;
    let output = runtime()?.block_on(async {
        let store = open_store(&args.db.url()).await?;
        let output = invite(&store, &settings).await;
        store.close().await;
        output
    })?;
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(
            std::fs::File::create(path)
                .with_context(|| format!("writing the links to {}", path.display()))?,
        ),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut w = csv::Writer::from_writer(sink);
    w.write_record(["customer_id", "link", "channel", "send_at"])?;
    for l in &output.links {
        w.write_record([
            l.external_id.as_str(),
            l.link.as_str(),
            l.channel.as_str(),
            &instant(l.send_at),
        ])?;
    }
    w.flush()?;
    eprintln!(
        "{} invited to survey '{}' (links open {} day(s); at most one invitation per {} day(s))",
        output.links.len(),
        output.survey.name,
        output.survey.link_days,
        output.period_days
    );
    if !output.refused.is_empty() {
        let mut by_code: Vec<(&str, usize)> = Vec::new();
        for (_, code) in &output.refused {
            match by_code.iter_mut().find(|(c, _)| c == code) {
                Some(slot) => slot.1 += 1,
                None => by_code.push((code, 1)),
            }
        }
        let words: Vec<String> = by_code.iter().map(|(c, n)| format!("{n} {c}")).collect();
        eprintln!(
            "{} not invited by the contact policy: {}",
            output.refused.len(),
            words.join(", ")
        );
    }
    if output.raced > 0 {
        eprintln!("{} skipped: invited meanwhile by another run", output.raced);
    }
    Ok(())
}
