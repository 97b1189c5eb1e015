//! The improvement log (plan–do–check–act): actions logged with an owner, a hypothesis, the
//! group they target and a start and check date; the check compares the targeted group's NPS,
//! CSAT and complaint rate in the window after the start (start to check date) with a window of
//! the same length just before it, through the core's `check_improvement`.

use anyhow::{Context, Result};
use clientele_core::Day;
use clientele_core::inference::Proportion;
use clientele_core::nps::csat::CsatScore;
use clientele_core::nps::{
    Answer, CsatCounts, ImprovementCheck, NpsCounts, NpsRating, NpsReport, NpsScale, OutcomeWindow,
    SurveyOptions, check_improvement, latest_per_respondent,
};
use clientele_store::voice::{AnswerGroupBy, AnswerQuery, Improvement, NewImprovement, TargetKind};
use clientele_store::{Scope, Store, StoreError};

use super::NpsFigures;
use crate::InvalidSetting;

/// A store refusal of a field as the setting of the same name (so the CLI names its flag).
fn refused(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid { field, reason } => InvalidSetting::new(field, reason).into(),
        other => other.into(),
    }
}

/// Logs an action.
pub async fn add_improvement(store: &Store, new: &NewImprovement) -> Result<Improvement> {
    store.add_improvement(new).await.map_err(refused)
}

/// The check of one action.
#[derive(Clone, Debug, PartialEq)]
pub struct ImprovementCheckOutput {
    pub improvement: Improvement,
    /// The window before the start, of the same length as `after`.
    pub before: (Day, Day),
    /// From the start to the check date.
    pub after: (Day, Day),
    pub nps_before: NpsFigures,
    pub nps_after: NpsFigures,
    pub csat_n: (u64, u64),
    /// (complained, served) in each window.
    pub complaints_before: (u64, u64),
    pub complaints_after: (u64, u64),
    pub min_answers: u64,
    pub check: ImprovementCheck,
}

async fn window(
    store: &Store,
    target: &TargetKind,
    from: Day,
    to: Day,
    snapshot: Option<Day>,
) -> Result<OutcomeWindow> {
    let (touchpoint, category, rung) = match target {
        TargetKind::All => (None, None, None),
        TargetKind::Touchpoint(t) => (Some(t.clone()), None, None),
        TargetKind::Category(c) => (None, Some(c.clone()), None),
        TargetKind::Rung(r) => (None, None, Some(*r)),
    };
    let query = |csat: bool| AnswerQuery {
        csat,
        from: Some(from),
        to: Some(to),
        group: AnswerGroupBy::None,
        scope: Scope::All,
        touchpoint: touchpoint.clone(),
        rung,
        snapshot,
    };
    let (rows, _) = store.survey_answers(&query(false)).await?;
    let mut answers = Vec::with_capacity(rows.len());
    for r in rows {
        let scale = if r.one_to_ten {
            NpsScale::OneToTen
        } else {
            NpsScale::ZeroToTen
        };
        answers.push(Answer {
            respondent: r.customer_id,
            day: r.day,
            seq: r.seq,
            score: NpsRating::new(u32::from(r.value), scale)
                .with_context(|| format!("stored answer {} is unreadable", r.id))?,
        });
    }
    let nps = NpsCounts::tally(
        latest_per_respondent(answers, None)
            .into_iter()
            .map(|a| a.score),
    );
    let (rows, _) = store.survey_answers(&query(true)).await?;
    let mut answers = Vec::with_capacity(rows.len());
    for r in rows {
        answers.push(Answer {
            respondent: r.customer_id,
            day: r.day,
            seq: r.seq,
            score: CsatScore::new(u32::from(r.value))
                .with_context(|| format!("stored answer {} is unreadable", r.id))?,
        });
    }
    let csat = CsatCounts::tally(
        latest_per_respondent(answers, None)
            .into_iter()
            .map(|a| a.score),
    );
    let (complained, served) = store
        .complaint_rate(
            from,
            to,
            category.as_deref(),
            touchpoint.as_deref(),
            rung,
            snapshot,
        )
        .await?;
    Ok(OutcomeWindow {
        nps,
        csat,
        complaints: Proportion::new(complained, served)
            .context("more complaining customers than customers served")?,
    })
}

/// Checks action `id`: its group's figures before and after the start.
pub async fn check_improvement_by_id(
    store: &Store,
    id: i64,
    min_answers: Option<u64>,
) -> Result<ImprovementCheckOutput> {
    let improvement = store.improvement(id).await?;
    let min_answers = match min_answers {
        Some(m) if m >= 1 => m,
        Some(m) => {
            return Err(InvalidSetting::value("min_answers", m, "expected 1 or more").into());
        }
        None => store.voice_settings().await?.min_answers,
    };
    let options = SurveyOptions {
        min_answers,
        ..SurveyOptions::default()
    };
    let length = improvement.check.days_since(improvement.start);
    let before = (
        improvement.start.plus_days(-length),
        improvement.start.plus_days(-1),
    );
    let after = (improvement.start, improvement.check);
    let snapshot = match improvement.target {
        TargetKind::Rung(_) => store.snapshot_on_or_before(Some(improvement.start)).await?,
        _ => None,
    };
    let w_before = window(store, &improvement.target, before.0, before.1, snapshot)
        .await
        .context("reading the window before the start")?;
    let w_after = window(store, &improvement.target, after.0, after.1, snapshot)
        .await
        .context("reading the window after the start")?;
    let check = check_improvement(&w_before, &w_after, &options);
    Ok(ImprovementCheckOutput {
        nps_before: NpsFigures::from(&NpsReport::new(w_before.nps, &options)),
        nps_after: NpsFigures::from(&NpsReport::new(w_after.nps, &options)),
        csat_n: (w_before.csat.n(), w_after.csat.n()),
        complaints_before: (
            w_before.complaints.successes(),
            w_before.complaints.trials(),
        ),
        complaints_after: (w_after.complaints.successes(), w_after.complaints.trials()),
        improvement,
        before,
        after,
        min_answers,
        check,
    })
}
