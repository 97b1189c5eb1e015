//! Staff voice (issue 28 item 1): open a survey, hand out one-time codes per department, take
//! answers given with a code, close it, and the report by department and period — employee NPS
//! with its margin, interval and change from the period before, and the satisfaction
//! questionnaire — with small groups hidden (`clientele_core::staff`). The store keeps nothing
//! that links an answer to a person and releases answers a batch at a time.

use std::collections::BTreeMap;

use anyhow::Result;
use clientele_core::Day;
use clientele_core::nps::{CsatScore, NpsRating, NpsScale, PeriodKey, PeriodKind, SurveyOptions};
use clientele_core::staff::{
    DEFAULT_MIN_GROUP, LOWEST_MIN_GROUP, StaffAnswer, StaffPeriod, StaffTally, staff_report,
};
use clientele_store::{StaffSurvey, Store};

use crate::InvalidSetting;

pub use clientele_core::staff::SATISFACTION_QUESTIONS;

/// The smallest group given a score with its interval unless asked otherwise: staff
/// departments are small, so lower than the customer surveys' 30, and the report says the
/// interval of a small group is a little too narrow.
pub const DEFAULT_MIN_ANSWERS: u64 = 10;
/// The largest minimum group a report accepts.
pub const MAX_MIN_GROUP: u32 = 1_000;
/// The default batch size of a new survey.
pub const DEFAULT_BATCH_SIZE: u32 = 5;

/// What a report covers and how it hides.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StaffReportSettings {
    /// Surveys held from this day (default: the first).
    pub from: Option<Day>,
    /// Surveys held up to this day (default: the last).
    pub to: Option<Day>,
    pub period: PeriodKind,
    /// Departments with fewer answers are not shown (at least 3; default 5).
    pub min_group: u32,
    /// Groups with fewer answers show counts but no score.
    pub min_answers: u64,
}

impl Default for StaffReportSettings {
    fn default() -> StaffReportSettings {
        StaffReportSettings {
            from: None,
            to: None,
            period: PeriodKind::Quarter,
            min_group: DEFAULT_MIN_GROUP,
            min_answers: DEFAULT_MIN_ANSWERS,
        }
    }
}

impl StaffReportSettings {
    pub fn validate(&self) -> Result<(), InvalidSetting> {
        if !(LOWEST_MIN_GROUP..=MAX_MIN_GROUP).contains(&self.min_group) {
            return Err(InvalidSetting::value(
                "min_group",
                self.min_group,
                format!(
                    "expected {LOWEST_MIN_GROUP} to {MAX_MIN_GROUP}: below {LOWEST_MIN_GROUP} the members of a group know each other's answers"
                ),
            ));
        }
        if !(1..=100_000).contains(&self.min_answers) {
            return Err(InvalidSetting::value(
                "min_answers",
                self.min_answers,
                "expected 1 to 100000",
            ));
        }
        if let (Some(f), Some(t)) = (self.from, self.to)
            && f > t
        {
            return Err(InvalidSetting::value(
                "from",
                f,
                format!("is after to ({t})"),
            ));
        }
        Ok(())
    }
}

/// The report and what it was made with.
#[derive(Clone, Debug, PartialEq)]
pub struct StaffReport {
    pub settings: StaffReportSettings,
    pub periods: Vec<StaffPeriod>,
    /// Released answers counted.
    pub answers: u64,
}

/// The report over the released answers (answers still waiting for their batch are not in it).
pub async fn report(store: &Store, settings: &StaffReportSettings) -> Result<StaffReport> {
    settings.validate()?;
    let from = settings.from.unwrap_or(Day::from_ymd(1000, 1, 1)?);
    let to = settings.to.unwrap_or(Day::from_ymd(9999, 12, 31)?);
    let rows = store.staff_answers(from, to).await?;
    let mut tallies: BTreeMap<(PeriodKey, String), StaffTally> = BTreeMap::new();
    for row in &rows {
        let answer = StaffAnswer {
            nps: NpsRating::new(u32::from(row.nps), NpsScale::ZeroToTen)?,
            satisfaction: std::array::from_fn(|q| {
                row.satisfaction[q].and_then(|s| CsatScore::new(u32::from(s)).ok())
            }),
        };
        tallies
            .entry((
                PeriodKey::of(row.day, settings.period),
                row.department.clone(),
            ))
            .or_default()
            .add(&answer);
    }
    let options = SurveyOptions {
        min_answers: settings.min_answers,
        ..SurveyOptions::default()
    };
    Ok(StaffReport {
        settings: *settings,
        periods: staff_report(&tallies, settings.min_group, &options),
        answers: rows.len() as u64,
    })
}

/// Opens a survey.
pub async fn open_survey(
    store: &Store,
    title: &str,
    day: Day,
    batch_size: u32,
    by: &str,
) -> Result<StaffSurvey> {
    let id = store
        .create_staff_survey(title, day, batch_size, by)
        .await?;
    Ok(store.staff_survey(id).await?)
}

/// Every survey, newest first.
pub async fn surveys(store: &Store) -> Result<Vec<StaffSurvey>> {
    Ok(store.staff_surveys().await?)
}

/// Makes `count` codes for a department; they exist in the clear only in this answer.
pub async fn issue_codes(
    store: &Store,
    survey: i64,
    department: &str,
    count: u32,
) -> Result<Vec<String>> {
    Ok(store.issue_staff_codes(survey, department, count).await?)
}

/// Closes a survey, releasing what waits; returns how many answers were released now.
pub async fn close_survey(store: &Store, survey: i64) -> Result<u64> {
    Ok(store.close_staff_survey(survey).await?)
}

/// One answer as typed: the NPS score and the satisfaction scores by question key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TypedAnswer {
    pub nps: Option<String>,
    pub satisfaction: BTreeMap<String, String>,
}

/// Checks a typed answer: the NPS 0 to 10 is required, each satisfaction score 1 to 5 or
/// empty, and only the questionnaire's questions.
pub fn parse_answer(typed: &TypedAnswer) -> Result<(u8, [Option<u8>; 6]), InvalidSetting> {
    let nps = typed
        .nps
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| InvalidSetting::new("nps", "is required (0 to 10)"))?;
    let nps: u8 = nps
        .parse()
        .ok()
        .filter(|n| *n <= 10)
        .ok_or_else(|| InvalidSetting::value("nps", nps, "expected a whole number 0 to 10"))?;
    let mut satisfaction = [None; 6];
    for (key, value) in &typed.satisfaction {
        let Some(q) = SATISFACTION_QUESTIONS.iter().position(|k| k == key) else {
            return Err(InvalidSetting::value(
                "satisfaction",
                key.chars().take(40).collect::<String>(),
                format!(
                    "no such question (expected {})",
                    SATISFACTION_QUESTIONS.join(", ")
                ),
            ));
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        satisfaction[q] = Some(
            value
                .parse::<u8>()
                .ok()
                .filter(|s| (1..=5).contains(s))
                .ok_or_else(|| {
                    InvalidSetting::value(
                        "satisfaction",
                        format!("{key}={}", value.chars().take(20).collect::<String>()),
                        "expected a whole number 1 to 5",
                    )
                })?,
        );
    }
    Ok((nps, satisfaction))
}

/// Takes one answer given with a code. An unknown or used code is the store's `NotFound`.
pub async fn answer(store: &Store, code: &str, typed: &TypedAnswer) -> Result<()> {
    let (nps, satisfaction) = parse_answer(typed)?;
    store.answer_staff_survey(code, nps, satisfaction).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_answers_are_checked_naming_the_field() {
        let mut t = TypedAnswer {
            nps: Some(" 9 ".into()),
            ..TypedAnswer::default()
        };
        t.satisfaction.insert("pay".into(), "2".into());
        t.satisfaction.insert("team".into(), "".into());
        assert_eq!(
            parse_answer(&t).unwrap(),
            (9, [None, None, None, Some(2), None, None])
        );
        t.nps = Some("11".into());
        assert_eq!(parse_answer(&t).unwrap_err().field, "nps");
        t.nps = None;
        assert_eq!(parse_answer(&t).unwrap_err().field, "nps");
        t.nps = Some("5".into());
        t.satisfaction.insert("pay".into(), "6".into());
        assert_eq!(parse_answer(&t).unwrap_err().field, "satisfaction");
        t.satisfaction.clear();
        t.satisfaction.insert("salary".into(), "3".into());
        assert_eq!(parse_answer(&t).unwrap_err().field, "satisfaction");
    }

    #[test]
    fn a_minimum_group_below_three_is_refused() {
        let s = StaffReportSettings {
            min_group: 2,
            ..StaffReportSettings::default()
        };
        assert_eq!(s.validate().unwrap_err().field, "min_group");
        assert!(StaffReportSettings::default().validate().is_ok());
    }
}
