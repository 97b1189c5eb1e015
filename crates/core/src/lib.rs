//! Clientele's analytics core.
//!
//! Pure functions over plain data: order lines in, per-customer summaries, loyalty-ladder
//! placements and value analysis out. Invariant: this crate does no I/O and depends on no async
//! runtime, database or web crate; everything it computes is a deterministic function of its
//! inputs, independent of the order the input rows arrive in. Whole-company steps use rayon's
//! data parallelism, whose ordered collects keep results identical to a sequential run.

pub mod assess;
pub mod bounds;
mod day;
mod money;
mod record;

pub use day::{DateError, Day, days_in_month, is_leap_year};
pub use money::{Money, round_half_away_to_i64};
pub use record::{CategoryId, CustomerProfile, NpsScore, OrderLine, RowRef};
mod ladder;
pub mod recurrence;
mod rhythm;
mod summary;
mod value;

pub use ladder::{
    AdvocacySignals, LadderRules, Period, Placement, RulesError, Rung, RungReason, Standing,
    Status, StatusBasis, StatusReason, StatusRules, Strategy, Subgroup, SubgroupRule,
    assign_subgroups, place,
};
pub use rhythm::{Rhythm, RhythmRules};
pub use summary::{
    CustomerSummary, DayAmounts, DuplicateLine, IntervalStats, SummaryScratch, dedup_lines,
    dedup_lines_with, interval_stats, summarize, summarize_with,
};
pub use value::{
    AbcClass, Pareto, Rfm, RfmSegment, ValueOrder, abc_classes, pareto, quintile_scores,
    quintile_scores_of_counts, rfm_from_quintiles, stability,
};
mod analysis;
pub mod codes;
pub use analysis::{
    Analysis, CustomerRecord, CustomerResult, Forecast, RungRow, Tally, ValueForecast, Verdict,
    analyze, analyze_columns, at_stake_order, permute_in_place,
};

// Statistics and decisions of the survey, campaign, contact-policy and portfolio domains, each a
// module of its own (its types are reached through the module: `clientele_core::nps::...`).
pub mod care;
pub mod closed_loop;
pub mod complaints;
pub mod contact_policy;
pub mod currency;
pub mod inference;
pub mod nps;
pub mod portfolio;
pub mod staff;
#[cfg(test)]
mod tolerances;
pub mod uplift;
pub mod winback;
