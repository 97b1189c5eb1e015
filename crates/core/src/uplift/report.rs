//! The campaign report: treated against control, the uplift on the conversion rate and on
//! revenue per customer with their intervals and p-values, the cost, the net value and a verdict.

use crate::inference::{
    DEFAULT_ALPHA, Interval, MeanAccumulator, MeanDifference, Proportion, ProportionDifference,
    compare_proportions, welch,
};
use crate::{Day, Money};

/// What one arm of a campaign did in the campaign's window.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ArmOutcome {
    converted: u64,
    /// Revenue per customer in currency units, zeros included (a customer who did not buy
    /// contributes 0).
    revenue: MeanAccumulator,
    revenue_total: Money,
}

impl ArmOutcome {
    /// Adds one customer: whether they converted (returned, bought) in the window, and their
    /// revenue in it (0 when they did not buy; net of returns, so it may be negative).
    pub fn add(&mut self, converted: bool, revenue: Money) {
        self.converted += u64::from(converted);
        self.revenue.push(revenue.to_f64());
        self.revenue_total += revenue;
    }

    pub fn merge(&mut self, other: &ArmOutcome) {
        self.converted += other.converted;
        self.revenue.merge(&other.revenue);
        self.revenue_total += other.revenue_total;
    }

    /// Customers in the arm.
    pub fn n(&self) -> u64 {
        self.revenue.n()
    }

    pub fn converted(&self) -> u64 {
        self.converted
    }

    /// Exact total revenue of the arm.
    pub fn revenue_total(&self) -> Money {
        self.revenue_total
    }

    /// Revenue per customer as a sample, with the mean taken from the exact total (one
    /// rounding instead of one per customer) and the spread from the running accumulator.
    fn revenue_sample(&self) -> MeanAccumulator {
        let n = self.n();
        if n == 0 {
            return MeanAccumulator::default();
        }
        let mean = self.revenue_total.to_f64() / n as f64;
        MeanAccumulator::from_moments(n, mean, self.revenue.squared_deviations())
    }

    fn proportion(&self) -> Proportion {
        // converted ≤ n: both count the same `add` calls.
        Proportion::new(self.converted, self.n()).unwrap_or_default()
    }

    /// The arm's figures for the report.
    pub fn summary(&self) -> ArmSummary {
        ArmSummary {
            n: self.n(),
            converted: self.converted,
            rate: self.proportion().share(),
            revenue_per_customer: self.revenue_sample().mean(),
            revenue_total: self.revenue_total,
        }
    }
}

/// One arm's figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArmSummary {
    pub n: u64,
    pub converted: u64,
    /// converted / n, 0..=1; `None` for an empty arm.
    pub rate: Option<f64>,
    /// Mean revenue per customer in the window, in currency units; `None` for an empty arm.
    pub revenue_per_customer: Option<f64>,
    pub revenue_total: Money,
}

/// The campaign's result in one word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UpliftVerdict {
    /// The campaign's window is not over: the figures are interim.
    TooEarly,
    /// Too few customers to tell: an arm is below the minimum size, or the interval is so wide
    /// that it holds both no effect and an effect worth having.
    TooSmall,
    /// The interval holds 0 and excludes any effect of [`UpliftOptions::smallest_effect`] or
    /// more, in either direction.
    NoEffect,
    /// The treated converted more: the interval is above 0 and the test significant.
    Positive,
    /// The treated converted less: the interval is below 0 and the test significant.
    Negative,
}

impl UpliftVerdict {
    pub fn as_str(self) -> &'static str {
        match self {
            UpliftVerdict::TooEarly => "too_early",
            UpliftVerdict::TooSmall => "too_small",
            UpliftVerdict::NoEffect => "no_effect",
            UpliftVerdict::Positive => "positive",
            UpliftVerdict::Negative => "negative",
        }
    }
}

/// When a campaign's result can be told.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UpliftOptions {
    /// Below this many customers in either arm the verdict is "too small" (default 30).
    pub min_arm_size: u64,
    /// The smallest change of the conversion rate worth acting on, in 0..1 units (default
    /// 0.02: two percentage points). "No effect" needs the interval inside ±this.
    pub smallest_effect: f64,
    /// Significance level (default 0.05).
    pub alpha: f64,
}

impl Default for UpliftOptions {
    fn default() -> UpliftOptions {
        UpliftOptions {
            min_arm_size: 30,
            smallest_effect: 0.02,
            alpha: DEFAULT_ALPHA,
        }
    }
}

/// A campaign's outcome and circumstances.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CampaignOutcome {
    pub treated: ArmOutcome,
    pub control: ArmOutcome,
    /// What the campaign cost (contacts, offers), in total.
    pub cost: Money,
    /// The last day of the window in which conversions count.
    pub window_last_day: Day,
    /// The day the report is made (the data's end).
    pub as_of: Day,
}

/// The uplift report.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UpliftReport {
    pub treated: ArmSummary,
    pub control: ArmSummary,
    /// Conversion rate, treated − control (0..1 units), Newcombe's interval, z or Fisher
    /// p-value; `None` when an arm is empty.
    pub rate_uplift: Option<ProportionDifference>,
    /// Revenue per customer, treated − control (currency units), Welch; `None` unless both arms
    /// have two customers or more.
    pub revenue_uplift: Option<MeanDifference>,
    pub cost: Money,
    /// Revenue uplift per customer × treated customers − cost, in currency units: what the
    /// campaign earned beyond what the treated would have spent anyway. `None` without a
    /// revenue uplift.
    pub net_value: Option<f64>,
    /// The revenue uplift's interval carried through the same formula.
    pub net_value_ci95: Option<Interval>,
    pub verdict: UpliftVerdict,
}

/// Treated against control.
///
/// # Formula
/// Rate uplift: p̂_T − p̂_C with Newcombe's hybrid score interval and the pooled z-test, or
/// Fisher's exact test when an expected cell count is below 5 (see
/// [`compare_proportions`]). Revenue uplift: Welch's difference of mean revenue per
/// customer (zeros included) with its t interval and p-value (see [`welch`]); revenue per
/// customer is heavy-tailed (most customers 0, a few large orders), and the t interval assumes
/// the mean is near-normal, which needs a few hundred customers per arm when a handful of orders
/// dominate the revenue. Net value = Δrevenue × n_T − cost, interval
/// [lo × n_T − cost, hi × n_T − cost].
///
/// Verdict, in this order: the window not over (`as_of <= window_last_day`) → too early; an
/// arm below [`UpliftOptions::min_arm_size`] → too small; the rate interval above 0 and
/// p < α → positive, below 0 and p < α → negative; the interval inside
/// ±[`UpliftOptions::smallest_effect`] → no effect; otherwise too small (the data cannot tell
/// no effect from a worthwhile one). The verdict reads the conversion rate only; revenue is
/// reported beside it.
pub fn uplift_report(outcome: &CampaignOutcome, options: &UpliftOptions) -> UpliftReport {
    let rate_uplift =
        compare_proportions(outcome.treated.proportion(), outcome.control.proportion());
    let revenue_uplift = welch(
        &outcome.treated.revenue_sample(),
        &outcome.control.revenue_sample(),
    );
    let treated_n = outcome.treated.n() as f64;
    let cost = outcome.cost.to_f64();
    let net_value = revenue_uplift.map(|r| r.difference * treated_n - cost);
    let net_value_ci95 = revenue_uplift.map(|r| Interval {
        lo: r.ci95.lo * treated_n - cost,
        hi: r.ci95.hi * treated_n - cost,
    });
    let verdict = verdict(outcome, rate_uplift.as_ref(), options);
    UpliftReport {
        treated: outcome.treated.summary(),
        control: outcome.control.summary(),
        rate_uplift,
        revenue_uplift,
        cost: outcome.cost,
        net_value,
        net_value_ci95,
        verdict,
    }
}

fn verdict(
    outcome: &CampaignOutcome,
    rate: Option<&ProportionDifference>,
    options: &UpliftOptions,
) -> UpliftVerdict {
    if outcome.as_of <= outcome.window_last_day {
        return UpliftVerdict::TooEarly;
    }
    let small = outcome.treated.n().min(outcome.control.n()) < options.min_arm_size.max(1);
    let Some(rate) = rate.filter(|_| !small) else {
        return UpliftVerdict::TooSmall;
    };
    let significant = rate.p_value < options.alpha;
    if significant && rate.ci95.lo > 0.0 {
        UpliftVerdict::Positive
    } else if significant && rate.ci95.hi < 0.0 {
        UpliftVerdict::Negative
    } else if rate.ci95.lo > -options.smallest_effect && rate.ci95.hi < options.smallest_effect {
        UpliftVerdict::NoEffect
    } else {
        UpliftVerdict::TooSmall
    }
}
