//! The rules of the ladder: what makes a regular and an advocate, when a customer is slipping
//! or lost, how profit sub-groups are cut; their documented defaults and their validation.

use crate::{Money, RhythmRules};

use super::Period;

/// How profit sub-groups are cut inside each rung.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SubgroupRule {
    /// Thirds of the rung's customers by profit: the top third profitable, the bottom third unprofitable.
    Terciles,
    /// Fixed profit limits: below `unprofitable_below` unprofitable, from `profitable_from` profitable.
    Thresholds {
        unprofitable_below: Money,
        profitable_from: Money,
    },
}

/// The rules of the ladder; `Default` is the documented default rule set.
#[derive(Clone, Debug, PartialEq)]
pub struct LadderRules {
    pub regular_min_purchase_days: u32,
    pub regular_min_periods: u32,
    pub period: Period,
    /// An NPS promoter (9–10) who is a regular is an advocate.
    pub advocate_if_promoter: bool,
    /// A regular who referred at least this many customers is an advocate (0 disables).
    pub advocate_min_referrals: u32,
    /// A regular buying at least this share of lines at full price is an advocate (`None` disables).
    pub advocate_min_full_price_share: Option<f64>,
    pub status: StatusRules,
    pub subgroups: SubgroupRule,
}

/// When a customer counts as slipping or lost.
///
/// Customers with a rhythm (enough gaps between purchase days in the current turn) are judged by
/// their own intervals ([`Rhythm`]); the others by the model's P(alive) when a model was fitted,
/// and by fixed day limits. P(alive) below `lost_p_alive` makes anyone lost.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusRules {
    pub rhythm: RhythmRules,
    /// Never call anyone slipping sooner than this many days after a purchase.
    pub min_slipping_days: i32,
    /// Customers are slipping when P(alive) is below this (after `min_slipping_days`), with a
    /// rhythm or without; at or above it, the rhythm alone never calls them lost.
    pub slipping_p_alive: f64,
    /// Anyone is lost when P(alive) is below this.
    pub lost_p_alive: f64,
    /// Slipping after this many days without a purchase, for customers without a rhythm.
    pub slipping_after_days: i32,
    /// Lost after this many days without a purchase, whatever the rhythm. A gap longer than
    /// this between two purchases is a loss followed by a return (a new turn of the spiral).
    pub lost_after_days: i32,
}

impl Default for LadderRules {
    fn default() -> Self {
        LadderRules {
            regular_min_purchase_days: 3,
            regular_min_periods: 2,
            period: Period::Month,
            advocate_if_promoter: true,
            advocate_min_referrals: 1,
            advocate_min_full_price_share: Some(0.8),
            status: StatusRules::default(),
            subgroups: SubgroupRule::Terciles,
        }
    }
}

impl Default for StatusRules {
    fn default() -> Self {
        StatusRules {
            rhythm: RhythmRules::default(),
            min_slipping_days: 14,
            slipping_p_alive: 0.5,
            lost_p_alive: 0.2,
            slipping_after_days: 90,
            lost_after_days: 365,
        }
    }
}

/// Why a set of [`LadderRules`] cannot be used: each variant names the key of the rules file at
/// fault ([`RulesError::field`]) and carries the values, so the message says what to change.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RulesError {
    /// `advocate.min_full_price_share` is a share: from 0 to 1.
    #[error("advocate.min_full_price_share = {share}: expected a share between 0 and 1")]
    FullPriceShare { share: f64 },
    /// The rhythm's quantiles must be ordered: 0.5 < late ≤ lost < 1.
    #[error("status: need 0.5 < late_quantile ({late}) ≤ lost_quantile ({lost}) < 1")]
    Quantiles { late: f64, lost: f64 },
    /// A rhythm is read from at least two gaps.
    #[error("status.rhythm_min_gaps = {min_gaps}: a rhythm needs at least 2 gaps")]
    RhythmMinGaps { min_gaps: u32 },
    /// The prior's weight is a finite number of pseudo-gaps, not negative.
    #[error("status.rhythm_prior_gaps = {prior_gaps}: expected a number ≥ 0")]
    RhythmPriorGaps { prior_gaps: f64 },
    /// The P(alive) limits must be ordered: 0 ≤ lost ≤ slipping ≤ 1.
    #[error("status: need 0 ≤ lost_p_alive ({lost}) ≤ slipping_p_alive ({slipping}) ≤ 1")]
    PAlive { lost: f64, slipping: f64 },
    /// The day limits must be ordered: 0 < slipping ≤ lost.
    #[error("status: need 0 < slipping_after_days ({slipping}) ≤ lost_after_days ({lost})")]
    DayLimits { slipping: i32, lost: i32 },
    /// With fixed profit limits, the profitable one cannot be below the unprofitable one.
    #[error(
        "subgroups: profitable_from ({profitable_from}) is below unprofitable_below ({unprofitable_below})"
    )]
    SubgroupThresholds {
        unprofitable_below: Money,
        profitable_from: Money,
    },
}

impl RulesError {
    /// The key of the rules file (`section.key`) at fault; for a pair out of order, the first
    /// of the pair as the message names it.
    pub fn field(&self) -> &'static str {
        match self {
            RulesError::FullPriceShare { .. } => "advocate.min_full_price_share",
            RulesError::Quantiles { .. } => "status.late_quantile",
            RulesError::RhythmMinGaps { .. } => "status.rhythm_min_gaps",
            RulesError::RhythmPriorGaps { .. } => "status.rhythm_prior_gaps",
            RulesError::PAlive { .. } => "status.lost_p_alive",
            RulesError::DayLimits { .. } => "status.slipping_after_days",
            RulesError::SubgroupThresholds { .. } => "subgroups.profitable_from",
        }
    }
}

impl LadderRules {
    /// Checks that the rules make sense together; the first problem found, in the order of the
    /// rules file's sections (advocate, status, subgroups). The defaults pass.
    pub fn validate(&self) -> Result<(), RulesError> {
        if let Some(share) = self
            .advocate_min_full_price_share
            .filter(|s| !(0.0..=1.0).contains(s))
        {
            return Err(RulesError::FullPriceShare { share });
        }
        self.status.validate()?;
        if let SubgroupRule::Thresholds {
            unprofitable_below,
            profitable_from,
        } = self.subgroups
            && profitable_from < unprofitable_below
        {
            return Err(RulesError::SubgroupThresholds {
                unprofitable_below,
                profitable_from,
            });
        }
        Ok(())
    }
}

impl StatusRules {
    /// [`LadderRules::validate`] for the status rules alone.
    pub fn validate(&self) -> Result<(), RulesError> {
        let r = &self.rhythm;
        if !(0.5 < r.late_quantile && r.late_quantile <= r.lost_quantile && r.lost_quantile < 1.0) {
            return Err(RulesError::Quantiles {
                late: r.late_quantile,
                lost: r.lost_quantile,
            });
        }
        if r.min_gaps < 2 {
            return Err(RulesError::RhythmMinGaps {
                min_gaps: r.min_gaps,
            });
        }
        if !(r.prior_gaps.is_finite() && r.prior_gaps >= 0.0) {
            return Err(RulesError::RhythmPriorGaps {
                prior_gaps: r.prior_gaps,
            });
        }
        if !(0.0 <= self.lost_p_alive
            && self.lost_p_alive <= self.slipping_p_alive
            && self.slipping_p_alive <= 1.0)
        {
            return Err(RulesError::PAlive {
                lost: self.lost_p_alive,
                slipping: self.slipping_p_alive,
            });
        }
        if self.slipping_after_days <= 0 || self.lost_after_days < self.slipping_after_days {
            return Err(RulesError::DayLimits {
                slipping: self.slipping_after_days,
                lost: self.lost_after_days,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid() {
        assert_eq!(LadderRules::default().validate(), Ok(()));
    }

    /// Each rule broken alone gives its error, its key and its message.
    #[test]
    fn each_broken_rule_names_its_key() {
        let with_status = |change: fn(&mut StatusRules)| {
            let mut rules = LadderRules::default();
            change(&mut rules.status);
            rules
        };
        let cases: Vec<(LadderRules, &str, &str)> = vec![
            (
                LadderRules {
                    advocate_min_full_price_share: Some(1.5),
                    ..LadderRules::default()
                },
                "advocate.min_full_price_share",
                "advocate.min_full_price_share = 1.5: expected a share between 0 and 1",
            ),
            (
                with_status(|s| s.rhythm.late_quantile = 0.5),
                "status.late_quantile",
                "status: need 0.5 < late_quantile (0.5) ≤ lost_quantile (0.999) < 1",
            ),
            (
                with_status(|s| s.rhythm.lost_quantile = 0.9),
                "status.late_quantile",
                "status: need 0.5 < late_quantile (0.95) ≤ lost_quantile (0.9) < 1",
            ),
            (
                with_status(|s| s.rhythm.min_gaps = 1),
                "status.rhythm_min_gaps",
                "status.rhythm_min_gaps = 1: a rhythm needs at least 2 gaps",
            ),
            (
                with_status(|s| s.rhythm.prior_gaps = f64::NAN),
                "status.rhythm_prior_gaps",
                "status.rhythm_prior_gaps = NaN: expected a number ≥ 0",
            ),
            (
                with_status(|s| s.lost_p_alive = 0.6),
                "status.lost_p_alive",
                "status: need 0 ≤ lost_p_alive (0.6) ≤ slipping_p_alive (0.5) ≤ 1",
            ),
            (
                with_status(|s| s.slipping_after_days = 0),
                "status.slipping_after_days",
                "status: need 0 < slipping_after_days (0) ≤ lost_after_days (365)",
            ),
            (
                with_status(|s| s.slipping_after_days = 400),
                "status.slipping_after_days",
                "status: need 0 < slipping_after_days (400) ≤ lost_after_days (365)",
            ),
            (
                LadderRules {
                    subgroups: SubgroupRule::Thresholds {
                        unprofitable_below: Money::from_major(10),
                        profitable_from: Money::from_major(5),
                    },
                    ..LadderRules::default()
                },
                "subgroups.profitable_from",
                "subgroups: profitable_from (5.00) is below unprofitable_below (10.00)",
            ),
        ];
        for (rules, field, message) in cases {
            let error = rules.validate().unwrap_err();
            assert_eq!(
                (error.field(), error.to_string().as_str()),
                (field, message)
            );
        }
        // Equal limits are allowed: no one is middling then.
        let equal = LadderRules {
            subgroups: SubgroupRule::Thresholds {
                unprofitable_below: Money::from_major(5),
                profitable_from: Money::from_major(5),
            },
            ..LadderRules::default()
        };
        assert_eq!(equal.validate(), Ok(()));
    }
}
