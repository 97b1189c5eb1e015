//! Campaigns with control groups: who is held back, and what the campaign changed.
//!
//! What to call:
//! - [`assign_control`] with the campaign's customers `(external id, stratum)` (stratum: the
//!   rung), a [`ControlShare`] and a seed → one [`Arm`] per customer, in input order.
//!   Reproducible from (seed, ids) alone; store the seed and the arms.
//! - After the window: one [`ArmOutcome`] per arm ([`ArmOutcome::add`] each customer: converted
//!   or not, revenue in the window as [`crate::Money`]), then [`uplift_report`] with the cost,
//!   the window's last day and today → [`UpliftReport`]: per arm n, converted, rate (0..1) and
//!   revenue per customer (currency units); the rate uplift (treated − control, 0..1 units)
//!   with its 95% interval and p-value; the revenue uplift per customer likewise; the cost;
//!   the net value (currency units) and an [`UpliftVerdict`] (`too_early`, `too_small`,
//!   `no_effect`, `positive`, `negative`).
//!
//! Empty arms, arms of one customer, all-converted and never-converted arms give `None` for
//! what is undefined and finite numbers for the rest: never NaN.

mod assign;
mod report;

pub use assign::{
    Arm, AssignmentError, AssignmentMethod, ControlShare, ControlShareError, assign_control,
    assignment_hash,
};
pub use report::{
    ArmOutcome, ArmSummary, CampaignOutcome, UpliftOptions, UpliftReport, UpliftVerdict,
    uplift_report,
};

#[cfg(test)]
mod tests;
