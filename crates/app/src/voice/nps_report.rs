//! The NPS report: the stored answers of a date range (within the reader's scope), one answer per
//! respondent, n, the three shares, the NPS with its standard error, margin of error and 95%
//! interval (or "not enough answers"), the band; the monthly or quarterly trend with each
//! period's change from the one before; and a split by rung, sub-group, manager, channel,
//! touchpoint or RFM segment with each group against the rest. The statistics are the core's
//! (`clientele_core::nps`); this module reads, reduces and labels.

use anyhow::{Context, Result};
use clientele_core::nps::csat::{CsatCounts, CsatReport, CsatScore};
use clientele_core::nps::{
    Answer, NpsChange, NpsCounts, NpsRating, NpsReport, NpsScale, PeriodKind, SurveyOptions,
    latest_per_respondent, nps_by_group, nps_trend,
};
use clientele_core::{Day, Rfm};
use clientele_store::Scope;
use clientele_store::Store;
use clientele_store::voice::{AnswerGroupBy, AnswerQuery, MAX_MIN_ANSWERS};

use crate::InvalidSetting;

/// What to report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NpsReportSettings {
    /// First day of answers counted (default: the first answer).
    pub from: Option<Day>,
    /// Last day counted (default: the last answer).
    pub to: Option<Day>,
    /// The split; `AnswerGroupBy::None` for none.
    pub by: AnswerGroupBy,
    /// The trend's period; `None` for no trend.
    pub period: Option<PeriodKind>,
    /// Whose customers: everyone, or a manager's.
    pub scope: Scope,
    /// Only answers about this touchpoint.
    pub touchpoint: Option<String>,
    /// The minimum sample of a score; `None`: the stored setting (default 30).
    pub min_answers: Option<u64>,
}

impl Default for NpsReportSettings {
    fn default() -> NpsReportSettings {
        NpsReportSettings {
            from: None,
            to: None,
            by: AnswerGroupBy::None,
            period: None,
            scope: Scope::All,
            touchpoint: None,
            min_answers: None,
        }
    }
}

/// The figures of one sample: what the JSON of `nps report` and the API show at every level.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NpsFigures {
    /// Respondents counted (one answer each).
    pub n: u64,
    /// Shares of promoters, passives and detractors in 0..=1; `None` without answers.
    pub promoters: Option<f64>,
    pub passives: Option<f64>,
    pub detractors: Option<f64>,
    /// NPS in points (−100..=100); `None` below the minimum sample ("not enough answers").
    pub nps: Option<f64>,
    pub std_error: Option<f64>,
    pub margin_of_error: Option<f64>,
    /// The 95% interval, clamped to −100..=100.
    pub ci95: Option<(f64, f64)>,
    /// `favourite` (above 50), `known_must_improve` (10 to 50), `not_valued` (below 10).
    pub band: Option<&'static str>,
    /// Whether the whole interval lies in the band.
    pub band_settled: Option<bool>,
    /// Whether there were enough answers for a score.
    pub enough: bool,
}

impl From<&NpsReport> for NpsFigures {
    fn from(r: &NpsReport) -> NpsFigures {
        let e = r.estimate;
        NpsFigures {
            n: r.counts.n(),
            promoters: r.shares.map(|s| s.promoters),
            passives: r.shares.map(|s| s.passives),
            detractors: r.shares.map(|s| s.detractors),
            nps: e.map(|e| e.nps),
            std_error: e.map(|e| e.std_error),
            margin_of_error: e.map(|e| e.margin_of_error),
            ci95: e.map(|e| (e.ci95.lo, e.ci95.hi)),
            band: e.map(|e| e.band.as_str()),
            band_settled: e.map(|e| e.band_settled),
            enough: e.is_some(),
        }
    }
}

/// A change of NPS: from the period before, or of a group against the rest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PeriodChange {
    /// In points.
    pub delta: f64,
    pub ci95: (f64, f64),
    pub p_value: f64,
    pub significant: bool,
}

impl From<NpsChange> for PeriodChange {
    fn from(c: NpsChange) -> PeriodChange {
        PeriodChange {
            delta: c.delta,
            ci95: (c.ci95.lo, c.ci95.hi),
            p_value: c.p_value,
            significant: c.significant,
        }
    }
}

/// One period of the trend.
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodFigures {
    /// `2026-03` or `2026-Q1`.
    pub period: String,
    pub first_day: Option<Day>,
    pub last_day: Option<Day>,
    pub figures: NpsFigures,
    /// From the period before; `None` for the first or when either has too few answers.
    pub change: Option<PeriodChange>,
}

/// One group of the split.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupFigures {
    /// The group's name; `None`: answers with no group (no manager, no channel, not scored...).
    pub group: Option<String>,
    pub figures: NpsFigures,
    /// This group against all the other answers; `None` when either side has too few.
    pub vs_rest: Option<PeriodChange>,
}

/// CSAT (1–5) of the same range and scope, beside the NPS: one answer per respondent (the
/// latest), the mean with its Student t interval and the satisfied share (4–5) with its Wilson
/// interval; the intervals only with enough answers (the same minimum as the NPS).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CsatFigures {
    /// Respondents counted.
    pub n: u64,
    /// Observed mean score (1..=5); `None` without answers.
    pub mean: Option<f64>,
    pub mean_ci95: Option<(f64, f64)>,
    /// Observed share of 4 and 5 (0..=1); `None` without answers.
    pub satisfied: Option<f64>,
    pub satisfied_ci95: Option<(f64, f64)>,
    /// Whether there were enough answers for the intervals.
    pub enough: bool,
}

impl From<&CsatReport> for CsatFigures {
    fn from(r: &CsatReport) -> CsatFigures {
        let e = r.estimate;
        CsatFigures {
            n: r.counts.n(),
            mean: r.mean,
            mean_ci95: e.map(|e| (e.mean_ci95.lo, e.mean_ci95.hi)),
            satisfied: r.satisfied_share,
            satisfied_ci95: e.map(|e| (e.satisfied_ci95.lo, e.satisfied_ci95.hi)),
            enough: e.is_some(),
        }
    }
}

/// The report.
#[derive(Clone, Debug, PartialEq)]
pub struct NpsReportOutput {
    pub from: Option<Day>,
    pub to: Option<Day>,
    pub by: AnswerGroupBy,
    pub period: Option<PeriodKind>,
    /// The snapshot that gave rungs, sub-groups and segments.
    pub snapshot: Option<Day>,
    pub min_answers: u64,
    /// Answers read before keeping one per respondent.
    pub answers_read: u64,
    /// Of those, given on the 1–10 scale (reported as given, never rescaled).
    pub answers_one_to_ten: u64,
    pub overall: NpsFigures,
    /// CSAT answers of the same range, scope and touchpoint.
    pub csat: CsatFigures,
    pub periods: Vec<PeriodFigures>,
    pub groups: Vec<GroupFigures>,
}

/// An RFM code as stored (`"345"`) as its segment's name; other text as it is.
fn segment_name(code: &str) -> String {
    let digits: Vec<u8> = code.bytes().map(|b| b.wrapping_sub(b'0')).collect();
    match digits.as_slice() {
        &[recency, frequency, monetary] if digits.iter().all(|d| (1..=5).contains(d)) => Rfm {
            recency,
            frequency,
            monetary,
        }
        .segment()
        .as_str()
        .to_string(),
        _ => code.to_string(),
    }
}

/// Reads the answers and computes the report.
pub async fn nps_report(store: &Store, settings: &NpsReportSettings) -> Result<NpsReportOutput> {
    if let (Some(from), Some(to)) = (settings.from, settings.to)
        && from > to
    {
        return Err(InvalidSetting::value("from", from, format!("is after to ({to})")).into());
    }
    let min_answers = match settings.min_answers {
        Some(m) if !(1..=MAX_MIN_ANSWERS).contains(&m) => {
            return Err(InvalidSetting::value(
                "min_answers",
                m,
                format!("expected 1 to {MAX_MIN_ANSWERS}"),
            )
            .into());
        }
        Some(m) => m,
        None => {
            store
                .voice_settings()
                .await
                .context("reading the survey settings")?
                .min_answers
        }
    };
    let options = SurveyOptions {
        min_answers,
        ..SurveyOptions::default()
    };
    let needs_snapshot = matches!(
        settings.by,
        AnswerGroupBy::Rung
            | AnswerGroupBy::Subgroup
            | AnswerGroupBy::Segment
            | AnswerGroupBy::Status
    );
    let snapshot = if needs_snapshot {
        store
            .snapshot_on_or_before(settings.to)
            .await
            .context("finding the snapshot for the split")?
    } else {
        None
    };
    let query = AnswerQuery {
        csat: false,
        from: settings.from,
        to: settings.to,
        group: settings.by,
        scope: settings.scope,
        touchpoint: settings.touchpoint.clone(),
        rung: None,
        snapshot,
    };
    let (mut rows, names) = store
        .survey_answers(&query)
        .await
        .context("reading the survey answers")?;
    let names: Vec<String> = if settings.by == AnswerGroupBy::Segment {
        names.iter().map(|n| segment_name(n)).collect()
    } else {
        names
    };
    // Answers given in the same second go to the later stored one: the core keeps the later of
    // two equal times in input order, so the input is in stored order (usually already).
    rows.sort_by_key(|r| r.id);
    let answers_read = rows.len() as u64;
    let mut answers_one_to_ten = 0u64;
    let mut answers: Vec<Answer<i64, (NpsRating, Option<u32>)>> = Vec::with_capacity(rows.len());
    for r in &rows {
        let scale = if r.one_to_ten {
            answers_one_to_ten += 1;
            NpsScale::OneToTen
        } else {
            NpsScale::ZeroToTen
        };
        let rating = NpsRating::new(u32::from(r.value), scale)
            .with_context(|| format!("stored answer {} has an unreadable score", r.id))?;
        answers.push(Answer {
            respondent: r.customer_id,
            day: r.day,
            seq: r.seq,
            score: (rating, r.group),
        });
    }
    drop(rows);

    let periods = match settings.period {
        None => Vec::new(),
        Some(kind) => {
            let ratings: Vec<Answer<i64, NpsRating>> = answers
                .iter()
                .map(|a| Answer {
                    respondent: a.respondent,
                    day: a.day,
                    seq: a.seq,
                    score: a.score.0,
                })
                .collect();
            nps_trend(ratings, kind, &options)
                .into_iter()
                .map(|row| PeriodFigures {
                    period: row.period.to_string(),
                    first_day: row.period.first_day(),
                    last_day: row.period.last_day(),
                    figures: NpsFigures::from(&row.report),
                    change: row.change.map(PeriodChange::from),
                })
                .collect()
        }
    };

    let kept = latest_per_respondent(answers, None);
    let overall = NpsReport::new(NpsCounts::tally(kept.iter().map(|a| a.score.0)), &options);
    let groups = if settings.by == AnswerGroupBy::None {
        Vec::new()
    } else {
        // Names may repeat after relabelling (two RFM cells of one segment): group by name.
        nps_by_group(
            kept.iter()
                .map(|a| (a.score.1.map(|g| names[g as usize].as_str()), a.score.0)),
            &options,
        )
        .into_iter()
        .map(|row| GroupFigures {
            group: row.group.map(str::to_string),
            figures: NpsFigures::from(&row.report),
            vs_rest: row.vs_rest.map(PeriodChange::from),
        })
        .collect()
    };
    let csat = csat_figures(store, &query, &options).await?;
    Ok(NpsReportOutput {
        csat,
        from: settings.from,
        to: settings.to,
        by: settings.by,
        period: settings.period,
        snapshot,
        min_answers,
        answers_read,
        answers_one_to_ten,
        overall: NpsFigures::from(&overall),
        periods,
        groups,
    })
}

/// CSAT of the NPS query's range, scope and touchpoint: the latest answer per respondent.
async fn csat_figures(
    store: &Store,
    nps_query: &AnswerQuery,
    options: &SurveyOptions,
) -> Result<CsatFigures> {
    let query = AnswerQuery {
        csat: true,
        group: AnswerGroupBy::None,
        snapshot: None,
        ..nps_query.clone()
    };
    let (mut rows, _) = store
        .survey_answers(&query)
        .await
        .context("reading the CSAT answers")?;
    rows.sort_by_key(|r| r.id);
    let mut answers = Vec::with_capacity(rows.len());
    for r in &rows {
        let score = CsatScore::new(u32::from(r.value))
            .map_err(|_| anyhow::anyhow!("stored CSAT answer {} has an unreadable score", r.id))?;
        answers.push(Answer {
            respondent: r.customer_id,
            day: r.day,
            seq: r.seq,
            score,
        });
    }
    let kept = latest_per_respondent(answers, None);
    let report = CsatReport::new(CsatCounts::tally(kept.iter().map(|a| a.score)), options);
    Ok(CsatFigures::from(&report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfm_codes_become_segment_names_and_other_text_stays() {
        assert_eq!(segment_name("555"), "champions");
        assert_eq!(segment_name("115"), "hibernating");
        assert_eq!(segment_name("065"), "065");
        assert_eq!(segment_name("abc"), "abc");
    }
}
