//! The check of the improvement log (plan–do–check–act): NPS, CSAT and the complaint rate of
//! the targeted group before and after an action, each change with its 95% interval and
//! whether it is significant.
//!
//! The caller chooses the group (a category, a touchpoint, a rung) and the two windows (for
//! example the 90 days before the action's start and the 90 days before its check date), reduces
//! each window's answers with [`super::latest_per_respondent`], and counts complaints against a
//! base: customers who complained out of customers served, or orders with a complaint out of
//! orders — a proportion, so numerator ≤ denominator.

use super::csat::{CsatChange, CsatCounts, compare_csat};
use super::{NpsChange, NpsCounts, SurveyOptions, compare_nps};
use crate::inference::{Proportion, ProportionDifference, compare_proportions};

/// What was measured in one window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OutcomeWindow {
    pub nps: NpsCounts,
    pub csat: CsatCounts,
    /// Customers (or orders) with a complaint, out of customers (or orders) in the window.
    pub complaints: Proportion,
}

/// A change of the complaint rate (a lower rate is better).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateChange {
    /// After − before, in 0..1 units (−0.02 = two percentage points fewer), with Newcombe's
    /// interval and a z- or Fisher p-value.
    pub change: ProportionDifference,
    /// `p_value < alpha`.
    pub significant: bool,
}

/// The before/after comparison of one improvement action. Each change is after − before;
/// `None` where either window has too few answers (NPS, CSAT: [`SurveyOptions::min_answers`])
/// or no base (complaints: zero customers or orders).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImprovementCheck {
    /// Positive is better.
    pub nps: Option<NpsChange>,
    /// Positive is better.
    pub csat: Option<CsatChange>,
    /// Negative is better.
    pub complaint_rate: Option<RateChange>,
}

/// Compares the window after an action with the window before it.
pub fn check_improvement(
    before: &OutcomeWindow,
    after: &OutcomeWindow,
    options: &SurveyOptions,
) -> ImprovementCheck {
    ImprovementCheck {
        nps: compare_nps(&before.nps, &after.nps, options),
        csat: compare_csat(&before.csat, &after.csat, options),
        complaint_rate: compare_proportions(after.complaints, before.complaints).map(|change| {
            RateChange {
                significant: change.p_value < options.alpha,
                change,
            }
        }),
    }
}
