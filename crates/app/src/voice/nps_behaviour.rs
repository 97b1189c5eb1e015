//! NPS joined with behaviour: the promoters, passives and detractors of a period (the latest
//! answer of each respondent), how many of them were slipping or lost in the first snapshot
//! after it, their revenue to date and CLV there, and what they bought in the days after the
//! period — with the intervals that say how far each figure can be trusted. The counting and the
//! statistics are the core's (`clientele_core::nps::behaviour`); this module reads and labels.

use anyhow::{Context, Result};
use clientele_core::Day;
use clientele_core::currency::Currency;
use clientele_core::inference::{Interval, MeanAccumulator};
use clientele_core::nps::behaviour::{
    CategoryBehaviour, RespondentOutcome, behaviour_by_category, mean_ci95,
};
use clientele_core::nps::{Answer, NpsCategory, NpsRating, NpsScale, latest_per_respondent};
use clientele_store::voice::{AnswerGroupBy, AnswerQuery};
use clientele_store::{Scope, Store};

use crate::InvalidSetting;

/// The default window after the period whose orders are counted.
pub const DEFAULT_DAYS_AFTER: u32 = 90;
/// The longest window after the period.
pub const MAX_DAYS_AFTER: u32 = 730;

/// Whose answers of which period, and how long after it to follow their orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NpsBehaviourSettings {
    /// First day of answers counted (default: the first answer).
    pub from: Option<Day>,
    /// Last day of the period (default: the last answer).
    pub to: Option<Day>,
    pub scope: Scope,
    /// Days after the period whose orders count; `None`: 90.
    pub days_after: Option<u32>,
}

impl Default for NpsBehaviourSettings {
    fn default() -> NpsBehaviourSettings {
        NpsBehaviourSettings {
            from: None,
            to: None,
            scope: Scope::All,
            days_after: None,
        }
    }
}

/// A mean with its Student t 95% interval (in currency units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanFigure {
    /// The values averaged.
    pub n: u64,
    /// `None` without values.
    pub mean: Option<f64>,
    /// `None` below two values.
    pub ci95: Option<(f64, f64)>,
}

impl MeanFigure {
    fn of(sample: &MeanAccumulator) -> MeanFigure {
        MeanFigure {
            n: sample.n(),
            mean: sample.mean(),
            ci95: mean_ci95(sample).map(|Interval { lo, hi }| (lo, hi)),
        }
    }
}

/// One group's behaviour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GroupBehaviour {
    pub category: NpsCategory,
    pub respondents: u64,
    /// Found in the next snapshot: the base of the slipping and lost shares.
    pub followed: u64,
    pub slipping: u64,
    pub lost: u64,
    /// (slipping + lost) / followed; `None` when nobody was followed.
    pub slipping_or_lost: Option<f64>,
    /// Its Wilson 95% interval.
    pub slipping_or_lost_ci95: Option<(f64, f64)>,
    /// Revenue to date in the next snapshot, summed, in currency units.
    pub revenue_total: f64,
    /// Its mean over those followed.
    pub revenue: MeanFigure,
    /// CLV over the snapshot's horizon, over those with one.
    pub clv: MeanFigure,
    /// Revenue of the orders in the days after the period, summed.
    pub revenue_after_total: f64,
    /// Its mean over every respondent of the group (zero for those who bought nothing).
    pub revenue_after: MeanFigure,
}

impl From<&CategoryBehaviour> for GroupBehaviour {
    fn from(g: &CategoryBehaviour) -> GroupBehaviour {
        let share = g.slipping_or_lost();
        GroupBehaviour {
            category: g.category,
            respondents: g.respondents,
            followed: g.followed,
            slipping: g.slipping,
            lost: g.lost,
            slipping_or_lost: share.share(),
            slipping_or_lost_ci95: share.wilson_95().map(|i| (i.lo, i.hi)),
            revenue_total: g.revenue.to_f64(),
            revenue: MeanFigure::of(&g.revenue_sample),
            clv: MeanFigure::of(&g.clv_sample),
            revenue_after_total: g.revenue_after.to_f64(),
            revenue_after: MeanFigure::of(&g.revenue_after_sample),
        }
    }
}

/// A difference detractors − promoters with its 95% interval and two-sided p-value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Difference {
    pub difference: f64,
    pub ci95: (f64, f64),
    pub p_value: f64,
    /// p < 0.05.
    pub significant: bool,
}

/// The report.
#[derive(Clone, Debug, PartialEq)]
pub struct NpsBehaviourOutput {
    /// The period's first and last days (`None` without answers).
    pub from: Option<Day>,
    pub to: Option<Day>,
    /// The first snapshot after the period: where slipping, lost, revenue and CLV are read.
    pub snapshot: Option<Day>,
    /// The CLV's horizon in that snapshot, in days (`None` when it gave no CLV).
    pub clv_horizon_days: Option<u32>,
    /// The currency every amount is in (`None`: not known; amounts are in the data's unit).
    pub currency: Option<Currency>,
    /// The days whose orders count as "after": the day after the period to `days_after` later.
    pub after_from: Option<Day>,
    pub after_to: Option<Day>,
    pub days_after: u32,
    /// The last day with an order in the store: before `after_to`, the window is not over yet
    /// and the revenue after is a part of it.
    pub orders_through: Option<Day>,
    /// Promoters, passives, detractors.
    pub groups: [GroupBehaviour; 3],
    /// Detractors' slipping-or-lost share − promoters' (in 0..1 units).
    pub slipping_or_lost_difference: Option<Difference>,
    /// Detractors' mean revenue after − promoters' (Welch), in currency units.
    pub revenue_after_difference: Option<Difference>,
}

impl NpsBehaviourOutput {
    /// Whether the window after the period is fully in the data.
    pub fn window_complete(&self) -> bool {
        matches!((self.orders_through, self.after_to), (Some(o), Some(a)) if o >= a)
    }
}

/// Reads the period's answers and what the respondents did next.
pub async fn nps_behaviour(
    store: &Store,
    settings: &NpsBehaviourSettings,
) -> Result<NpsBehaviourOutput> {
    if let (Some(from), Some(to)) = (settings.from, settings.to)
        && from > to
    {
        return Err(InvalidSetting::value("from", from, format!("is after to ({to})")).into());
    }
    let days_after = settings.days_after.unwrap_or(DEFAULT_DAYS_AFTER);
    if !(1..=MAX_DAYS_AFTER).contains(&days_after) {
        return Err(InvalidSetting::value(
            "days_after",
            days_after,
            format!("expected 1 to {MAX_DAYS_AFTER}"),
        )
        .into());
    }
    let query = AnswerQuery {
        csat: false,
        from: settings.from,
        to: settings.to,
        group: AnswerGroupBy::None,
        scope: settings.scope,
        touchpoint: None,
        rung: None,
        snapshot: None,
    };
    let (mut rows, _) = store
        .survey_answers(&query)
        .await
        .context("reading the survey answers")?;
    // Ties of one second go to the later stored answer, as in the NPS report.
    rows.sort_by_key(|r| r.id);
    let mut answers = Vec::with_capacity(rows.len());
    for r in &rows {
        let scale = if r.one_to_ten {
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
            score: rating.category(),
        });
    }
    let from = settings.from.or_else(|| rows.iter().map(|r| r.day).min());
    let to = settings.to.or_else(|| rows.iter().map(|r| r.day).max());
    drop(rows);
    let kept = latest_per_respondent(answers, None);
    let currency = crate::currency::resolve(store)
        .await
        .context("finding the currency")?
        .currency;
    let orders_through = store
        .last_order_day()
        .await
        .context("reading the last order day")?;
    let (Some(from), Some(to)) = (from, to) else {
        let report = behaviour_by_category([]);
        return Ok(NpsBehaviourOutput {
            from: None,
            to: None,
            snapshot: None,
            clv_horizon_days: None,
            currency,
            after_from: None,
            after_to: None,
            days_after,
            orders_through,
            groups: report.groups.each_ref().map(GroupBehaviour::from),
            slipping_or_lost_difference: None,
            revenue_after_difference: None,
        });
    };
    let snapshot = store
        .snapshot_after(to)
        .await
        .context("finding the snapshot after the period")?;
    let clv_horizon_days = match snapshot {
        Some(s) => store
            .clv_horizon(s)
            .await
            .context("reading the CLV horizon")?,
        None => None,
    };
    let after_from = to.plus_days(1);
    let after_to = to.plus_days(days_after as i32);
    let behaviour = store
        .respondent_behaviour(
            settings.scope,
            false,
            from,
            to,
            snapshot,
            after_from,
            after_to,
        )
        .await
        .context("reading what the respondents did next")?;
    let report = behaviour_by_category(kept.iter().map(|a| {
        let b = behaviour.get(&a.respondent);
        RespondentOutcome {
            category: a.score,
            next_status: b.and_then(|b| b.next_status),
            revenue: b.map_or(clientele_core::Money::ZERO, |b| b.revenue),
            clv: b.and_then(|b| b.clv),
            revenue_after: b.map_or(clientele_core::Money::ZERO, |b| b.revenue_after),
        }
    }));
    Ok(NpsBehaviourOutput {
        from: Some(from),
        to: Some(to),
        snapshot,
        clv_horizon_days,
        currency,
        after_from: Some(after_from),
        after_to: Some(after_to),
        days_after,
        orders_through,
        groups: report.groups.each_ref().map(GroupBehaviour::from),
        slipping_or_lost_difference: report.detractors_vs_promoters.map(|d| Difference {
            difference: d.difference,
            ci95: (d.ci95.lo, d.ci95.hi),
            p_value: d.p_value,
            significant: d.significant(0.05),
        }),
        revenue_after_difference: report.revenue_after_detractors_vs_promoters.map(|d| {
            Difference {
                difference: d.difference,
                ci95: (d.ci95.lo, d.ci95.hi),
                p_value: d.p_value,
                significant: d.p_value < 0.05,
            }
        }),
    })
}
