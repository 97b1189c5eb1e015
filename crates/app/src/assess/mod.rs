//! The express self-assessment (issue 28 item 3): checklists shipped as TOML data (the four
//! directions, the customer-journey signs in five areas, win-back readiness, service quality)
//! and any a company adds; answered yes/no by several people; scored per area with the spread
//! between respondents (the core's `assess::score_areas`), a recommendation for every "no",
//! the evidence the product measures beside the question, and the history by month.

mod checklist;
mod evidence;

use std::collections::{BTreeMap, HashMap};

use anyhow::{Result, anyhow, bail};
use clientele_core::Day;
use clientele_core::assess::{QuestionTally, score_areas};
use clientele_store::Store;

use crate::InvalidSetting;

pub use checklist::{BUILT_IN, Checklist, EvidenceKind, Text, parse_checklist};
pub use evidence::{Evidence, gather_evidence};

/// Every checklist: the shipped ones, then the company's own, by key.
pub async fn checklists(store: &Store) -> Result<Vec<Checklist>> {
    let mut out: Vec<Checklist> = BUILT_IN
        .iter()
        .map(|t| parse_checklist(t).expect("the shipped checklists parse"))
        .collect();
    for stored in store.checklists().await? {
        match parse_checklist(&stored.toml) {
            Ok(c) => out.push(c),
            // Saved through `add_checklist`, so it parsed then; a newer version's format is
            // named rather than hidden.
            Err(e) => bail!(
                "the stored checklist '{}' cannot be read: {e:#}",
                stored.key
            ),
        }
    }
    Ok(out)
}

/// The checklist `key`, or an error naming the known keys.
pub async fn checklist(store: &Store, key: &str) -> Result<Checklist> {
    let all = checklists(store).await?;
    let known: Vec<String> = all.iter().map(|c| c.key.clone()).collect();
    all.into_iter().find(|c| c.key == key).ok_or_else(|| {
        anyhow!(InvalidSetting::value(
            "checklist",
            key,
            format!("no such checklist (known: {})", known.join(", "))
        ))
    })
}

/// Adds (or replaces) a company's own checklist from its TOML. A shipped checklist's key is
/// refused: the shipped ones change with the product.
pub async fn add_checklist(store: &Store, toml: &str, by: &str) -> Result<Checklist> {
    let c = parse_checklist(toml)?;
    if BUILT_IN
        .iter()
        .any(|t| parse_checklist(t).is_ok_and(|b| b.key == c.key))
    {
        bail!(InvalidSetting::value(
            "key",
            &c.key,
            "is a shipped checklist's key; choose another"
        ));
    }
    store.save_checklist(&c.key, toml, by).await?;
    Ok(c)
}

/// Records one person's answers (question key → yes) to checklist `key` on `day`; every key
/// must be one of the checklist's questions.
pub async fn answer(
    store: &Store,
    key: &str,
    respondent: &str,
    day: Day,
    answers: &[(String, bool)],
) -> Result<()> {
    let c = checklist(store, key).await?;
    if answers.is_empty() {
        bail!(InvalidSetting::new(
            "answers",
            "are empty: answer at least one question"
        ));
    }
    for (q, _) in answers {
        if c.question(q).is_none() {
            bail!(InvalidSetting::value(
                "answers",
                q,
                format!("is not a question of '{key}'")
            ));
        }
    }
    if !clientele_core::bounds::day_in_bounds(day) {
        bail!(InvalidSetting::value("day", day, "is outside 1900..2100"));
    }
    store
        .record_assessment(key, respondent, day, answers)
        .await?;
    Ok(())
}

/// One response's answers: (question key, yes).
type Answers = [(String, bool)];

/// One question in the report.
#[derive(Clone, Debug, PartialEq)]
pub struct QuestionReport {
    pub key: String,
    pub text: Text,
    pub tally: QuestionTally,
    /// Shown when anyone said "no".
    pub recommendation: Option<Text>,
    /// Who said what, when some said yes and some no.
    pub yes_by: Vec<String>,
    pub no_by: Vec<String>,
    pub evidence: Option<EvidenceKind>,
}

/// One area in the report. Scores are shares of "yes", 0..1.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaReport {
    pub key: String,
    pub title: Text,
    pub respondents: u32,
    pub score: Option<f64>,
    pub lowest: Option<f64>,
    pub highest: Option<f64>,
    pub spread: Option<f64>,
    pub questions: Vec<QuestionReport>,
}

/// The report of one checklist.
#[derive(Clone, Debug, PartialEq)]
pub struct AssessReport {
    pub checklist: Checklist,
    /// The latest answer of each respondent counts; their names and the days.
    pub respondents: Vec<(String, Day)>,
    pub areas: Vec<AreaReport>,
    /// By month (`YYYY-MM`): each area's score from the latest answers of each respondent in
    /// that month.
    pub history: Vec<(String, Vec<Option<f64>>)>,
    pub evidence: Evidence,
}

/// The report: the latest answers of each respondent, scored per area with the spread, a
/// recommendation for every "no", the history by month and the evidence.
pub async fn report(store: &Store, key: &str, evidence: Evidence) -> Result<AssessReport> {
    let c = checklist(store, key).await?;
    let responses = store.assessment_responses(key).await?;
    let (area_of, questions): (Vec<usize>, Vec<(&str, &str)>) = c
        .areas
        .iter()
        .enumerate()
        .flat_map(|(a, area)| {
            area.questions
                .iter()
                .map(move |q| (a, (area.key.as_str(), q.key.as_str())))
        })
        .unzip();
    let index: HashMap<&str, usize> = questions
        .iter()
        .enumerate()
        .map(|(i, (_, q))| (*q, i))
        .collect();
    let as_vector = |answers: &[(String, bool)]| -> Vec<Option<bool>> {
        let mut v = vec![None; questions.len()];
        for (q, yes) in answers {
            // A question removed from a company's checklist since: no longer scored.
            if let Some(&i) = index.get(q.as_str()) {
                v[i] = Some(*yes);
            }
        }
        v
    };
    // Latest per respondent overall (responses come oldest first).
    let mut latest: BTreeMap<&str, (Day, &Answers)> = BTreeMap::new();
    let mut by_month: BTreeMap<String, BTreeMap<&str, &Answers>> = BTreeMap::new();
    for r in &responses {
        latest.insert(&r.respondent, (r.day, &r.answers));
        let (y, m, _) = r.day.ymd();
        by_month
            .entry(format!("{y:04}-{m:02}"))
            .or_default()
            .insert(&r.respondent, &r.answers);
    }
    let vectors: Vec<Vec<Option<bool>>> = latest.values().map(|(_, a)| as_vector(a)).collect();
    let (scores, tallies) = score_areas(&area_of, c.areas.len(), &vectors);
    let names: Vec<&str> = latest.keys().copied().collect();
    let mut q = 0usize;
    let areas = c
        .areas
        .iter()
        .zip(&scores)
        .map(|(area, s)| {
            let questions = area
                .questions
                .iter()
                .map(|question| {
                    let tally = tallies[q];
                    let said = |want: bool| -> Vec<String> {
                        names
                            .iter()
                            .zip(&vectors)
                            .filter(|(_, v)| v[q] == Some(want))
                            .map(|(n, _)| n.to_string())
                            .collect()
                    };
                    let (yes_by, no_by) = if tally.disputed() {
                        (said(true), said(false))
                    } else {
                        (Vec::new(), Vec::new())
                    };
                    q += 1;
                    QuestionReport {
                        key: question.key.clone(),
                        text: question.text.clone(),
                        tally,
                        recommendation: (tally.no > 0).then(|| question.recommendation.clone()),
                        yes_by,
                        no_by,
                        evidence: question.evidence,
                    }
                })
                .collect();
            AreaReport {
                key: area.key.clone(),
                title: area.title.clone(),
                respondents: s.respondents,
                score: s.score,
                lowest: s.lowest,
                highest: s.highest,
                spread: s.spread,
                questions,
            }
        })
        .collect();
    let history = by_month
        .into_iter()
        .map(|(month, people)| {
            let v: Vec<Vec<Option<bool>>> = people.values().map(|a| as_vector(a)).collect();
            let (s, _) = score_areas(&area_of, c.areas.len(), &v);
            (month, s.into_iter().map(|a| a.score).collect())
        })
        .collect();
    Ok(AssessReport {
        respondents: latest
            .iter()
            .map(|(n, (d, _))| (n.to_string(), *d))
            .collect(),
        checklist: c,
        areas,
        history,
        evidence,
    })
}
