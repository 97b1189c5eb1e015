//! Scoring the store (`clientele score`, the server's scoring runs, the demo): every customer's
//! summary as of a day from the stored orders, the model fits and forecasts, the ladder, and the
//! dated snapshot with its aggregates written back.

use anyhow::{Context, Result, anyhow};
use clientele_core::bounds::day_in_bounds;
use clientele_core::{Analysis, Day, LadderRules, analyze_columns};
use clientele_store::Store;

use crate::clock::today;
use crate::forecast::{ForecastSettings, ModelOutcome, fit_and_forecast};
use crate::setting::InvalidSetting;

/// How a snapshot is scored.
#[derive(Clone, Debug, Default)]
pub struct ScoreSettings {
    /// The day to score the state on; default: today. Never a day to come (a snapshot "as of"
    /// a future day calls every buyer lost), nor before 1900.
    pub as_of: Option<Day>,
    pub rules: LadderRules,
    pub forecast: ForecastSettings,
}

impl ScoreSettings {
    /// Checks the as-of day against today, and the forecast's horizon and discount rate (the
    /// rules are checked when read).
    pub fn check(&self) -> Result<(), InvalidSetting> {
        if let Some(as_of) = self.as_of {
            check_as_of(as_of, today())?;
        }
        self.forecast.check().map(drop)
    }
}

/// An as-of day may be any day from 1900-01-01 to `today`: a later one would score days that
/// have not happened (every buyer lost by then).
fn check_as_of(as_of: Day, today: Day) -> Result<(), InvalidSetting> {
    if as_of > today {
        return Err(InvalidSetting::value(
            "as_of",
            as_of,
            format!(
                "is after today ({today}): a snapshot of a day to come would call every buyer lost"
            ),
        ));
    }
    if !day_in_bounds(as_of) {
        return Err(InvalidSetting::value(
            "as_of",
            as_of,
            "is before 1900-01-01, the earliest day an order may have",
        ));
    }
    Ok(())
}

/// The steps of a scoring, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoreStep {
    /// Summarising every customer's orders up to the as-of day, in the database.
    Summarising,
    /// Fitting the customer-base model and forecasting every customer.
    Fitting,
    /// Placing every customer on the ladder.
    Placing,
    /// Writing the snapshot.
    Writing,
}

impl ScoreStep {
    /// The step's code in the API: `summarising`, `fitting`, `placing`, `writing`.
    pub fn code(self) -> &'static str {
        match self {
            ScoreStep::Summarising => "summarising",
            ScoreStep::Fitting => "fitting",
            ScoreStep::Placing => "placing",
            ScoreStep::Writing => "writing",
        }
    }
}

/// Where a scoring is: the step just begun, the day it scores, and how many customers it has
/// (once they are summarised).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScoreProgress {
    pub step: ScoreStep,
    pub as_of: Day,
    pub customers: Option<u64>,
}

/// A snapshot just written.
#[derive(Debug)]
pub struct Scored {
    pub as_of: Day,
    /// Customers in the snapshot.
    pub customers: u64,
    pub analysis: Analysis,
    /// The customer-base model behind the forecasts (refused or not converged: say so).
    pub model: ModelOutcome,
}

/// Scores every customer of the store as of `settings.as_of` (default: today) and
/// writes the snapshot, telling `progress` each step as it begins. The computation runs on a
/// blocking thread, off the async workers.
pub async fn score_store(
    store: &Store,
    settings: &ScoreSettings,
    progress: &(dyn Fn(ScoreProgress) + Send + Sync),
) -> Result<Scored> {
    settings.check()?;
    if store.last_order_day().await?.is_none() {
        return Err(anyhow!(
            "the store has no orders yet: run `clientele import` first"
        ));
    }
    // Today, not the last order's day: a store is scored for the day it is used, and an order
    // dated in the future (refused at every entry now, but maybe stored before) must not move
    // the snapshot there.
    let as_of = settings.as_of.unwrap_or_else(today);
    let step = |step, customers| {
        progress(ScoreProgress {
            step,
            as_of,
            customers,
        })
    };
    step(ScoreStep::Summarising, None);
    let summaries = store
        .summaries(as_of)
        .await
        .context("summarising in the database")?;
    let profiles = store.profiles(as_of).await?;
    let customers = Some(summaries.customers.len() as u64);
    step(ScoreStep::Fitting, customers);
    let forecast = settings.forecast;
    let (summaries, forecasts, model) = blocking(move || {
        let (forecasts, model) = fit_and_forecast(&summaries.customers, as_of, forecast);
        (summaries, forecasts, model)
    })
    .await?;
    step(ScoreStep::Placing, customers);
    let rules = settings.rules.clone();
    let analysis = blocking(move || {
        let summaries = summaries
            .customers
            .into_iter()
            .map(|(id, summary)| (id, Some(summary)))
            .collect();
        let mut analysis = analyze_columns(summaries, forecasts, profiles, &rules, as_of);
        // The horizon goes with the CLV into the snapshot, so every list says what it ranks by.
        let has_clv = analysis
            .customers()
            .any(|c| c.forecast.and_then(|f| f.clv()).is_some());
        analysis.clv_horizon_days = has_clv.then(|| clv_horizon_days(forecast.horizon_days));
        analysis
    })
    .await?;
    step(ScoreStep::Writing, customers);
    let written = store
        .write_snapshot(&analysis)
        .await
        .context("writing the snapshot")?;
    Ok(Scored {
        as_of,
        customers: written,
        analysis,
        model,
    })
}

/// The forecast's horizon in whole days, as stored with the snapshot (at least one; the
/// settings allow at most a century).
fn clv_horizon_days(horizon_days: f64) -> u32 {
    horizon_days.round().clamp(1.0, f64::from(u32::MAX)) as u32
}

/// Runs the CPU-bound `work` on tokio's blocking threads; a panic in it becomes an error.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| anyhow!("scoring failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_as_of_day_is_never_to_come() {
        let today = Day::from_ymd(2026, 12, 7).unwrap();
        assert_eq!(check_as_of(today, today), Ok(()));
        assert_eq!(
            check_as_of(Day::from_ymd(1997, 6, 30).unwrap(), today),
            Ok(())
        );
        let future = check_as_of(Day::from_ymd(2999, 12, 31).unwrap(), today).unwrap_err();
        assert_eq!(future.field, "as_of");
        assert!(
            future
                .message
                .starts_with("2999-12-31: is after today (2026-12-07)")
        );
        let early = check_as_of(Day::from_ymd(1899, 12, 31).unwrap(), today).unwrap_err();
        assert!(
            early.message.contains("before 1900-01-01"),
            "{}",
            early.message
        );
    }
}
