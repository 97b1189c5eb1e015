//! A product's life-cycle stage from its monthly sales: introduction, growth, maturity,
//! decline, by a documented rule on smoothed sales, with the numbers the rule used.

/// The four stages of the product life cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    Introduction,
    Growth,
    Maturity,
    Decline,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Introduction => "introduction",
            Stage::Growth => "growth",
            Stage::Maturity => "maturity",
            Stage::Decline => "decline",
        }
    }
}

/// Which clause of the rule decided the stage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StageRule {
    /// Sold for fewer than [`LifecycleRules::introduction_months`] months.
    TooYoung,
    /// No month with positive sales yet (launched, or only returns): still to be introduced.
    NoSales,
    /// Smoothed sales at most [`LifecycleRules::decline_share_of_peak`] of the peak and
    /// falling by at least [`LifecycleRules::decline_change`] over the trend window — or no
    /// sales at all lately after having had some.
    BelowPeakAndFalling,
    /// Smoothed sales up by at least [`LifecycleRules::growth_change`] over the trend window
    /// (or from nothing to something).
    Rising,
    /// Neither rising nor falling below the peak: steady.
    Steady,
}

impl StageRule {
    pub fn as_str(self) -> &'static str {
        match self {
            StageRule::TooYoung => "too_young",
            StageRule::NoSales => "no_sales",
            StageRule::BelowPeakAndFalling => "below_peak_and_falling",
            StageRule::Rising => "rising",
            StageRule::Steady => "steady",
        }
    }
}

/// The numbers the stage rule read (revenue in currency units per month).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StageEvidence {
    pub rule: StageRule,
    /// Months from the product's start to the last month analysed, both included.
    pub age_months: u32,
    /// Smoothed monthly revenue in the last month analysed.
    pub smoothed_last: f64,
    /// Smoothed monthly revenue [`LifecycleRules::trend_months`] earlier (at the start, for a
    /// younger product).
    pub smoothed_before: f64,
    /// `smoothed_last / smoothed_before − 1`; `None` when `smoothed_before` is 0.
    pub change: Option<f64>,
    /// The highest smoothed monthly revenue, and how many months before the last month it was.
    pub peak: f64,
    pub months_since_peak: u32,
    /// `smoothed_last / peak`; `None` when the peak is 0.
    pub share_of_peak: Option<f64>,
}

/// The stage rule's parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LifecycleRules {
    /// Months in the trailing moving average (default 3).
    pub smoothing_months: u32,
    /// Younger products are in introduction (default 6).
    pub introduction_months: u32,
    /// The trend compares the smoothed sales with those this many months earlier (default 6).
    pub trend_months: u32,
    /// Growth: smoothed sales up by at least this fraction over the trend window (default 0.2).
    pub growth_change: f64,
    /// Decline needs the smoothed sales at most this share of the peak (default 0.7)...
    pub decline_share_of_peak: f64,
    /// ...and a change over the trend window of at most this (default −0.1).
    pub decline_change: f64,
}

impl Default for LifecycleRules {
    fn default() -> LifecycleRules {
        LifecycleRules {
            smoothing_months: 3,
            introduction_months: 6,
            trend_months: 6,
            growth_change: 0.2,
            decline_share_of_peak: 0.7,
            decline_change: -0.1,
        }
    }
}

/// Thresholds count as met within this much, so that a change of exactly +20% in decimal
/// (12 against 10, which binary floating point makes 0.19999999999999996) is +20%.
const THRESHOLD_SLACK: f64 = 1e-9;

/// Trailing moving average over `window` months; the first months average what there is.
pub fn smooth(monthly: &[f64], window: u32) -> Vec<f64> {
    let window = window.max(1) as usize;
    (0..monthly.len())
        .map(|i| {
            // Summed afresh for each month (a window is a few months): no running-sum drift.
            let from = (i + 1).saturating_sub(window);
            monthly[from..=i].iter().sum::<f64>() / (i + 1 - from) as f64
        })
        .collect()
}

/// The stage of a product whose monthly revenue from its start to the last month analysed is
/// `monthly` (currency units; negative months — more returned than sold — count as 0).
/// `None` for an empty series.
///
/// # Rule
/// With s the trailing moving average of [`LifecycleRules::smoothing_months`] months,
/// s_last its last value, s_before its value [`LifecycleRules::trend_months`] earlier (its
/// first value for a younger series), peak = max s and change = s_last / s_before − 1:
/// 1. fewer than [`LifecycleRules::introduction_months`] months of age, or no month with
///    positive sales at all → introduction;
/// 2. s_last ≤ 0.7 · peak and change ≤ −10% (or s_last = 0 < peak) → decline;
/// 3. change ≥ +20% (or s_before = 0 < s_last) → growth;
/// 4. otherwise → maturity.
///
/// (Thresholds are the defaults of [`LifecycleRules`].) A product that fell and then levelled
/// off below its peak is mature again; one recovering fast from a trough is growing.
pub fn classify(monthly: &[f64], rules: &LifecycleRules) -> Option<(Stage, StageEvidence)> {
    let clean: Vec<f64> = monthly.iter().map(|&x| x.max(0.0)).collect();
    let smoothed = smooth(&clean, rules.smoothing_months);
    let last_index = smoothed.len().checked_sub(1)?;
    let smoothed_last = smoothed[last_index];
    let before_index = last_index.saturating_sub(rules.trend_months as usize);
    let smoothed_before = smoothed[before_index];
    // The latest peak, so "months since peak" is the shortest when a level repeats.
    let (peak_index, peak) = smoothed
        .iter()
        .copied()
        .enumerate()
        .fold(
            (0, 0.0),
            |best, (i, s)| if s >= best.1 { (i, s) } else { best },
        );
    let change = (smoothed_before > 0.0).then(|| smoothed_last / smoothed_before - 1.0);
    let share_of_peak = (peak > 0.0).then(|| smoothed_last / peak);
    let age_months = smoothed.len() as u32;
    let rule = if age_months < rules.introduction_months {
        StageRule::TooYoung
    } else if peak == 0.0 {
        StageRule::NoSales
    } else if (smoothed_last == 0.0 && peak > 0.0)
        || (share_of_peak.is_some_and(|s| s <= rules.decline_share_of_peak + THRESHOLD_SLACK)
            && change.is_some_and(|c| c <= rules.decline_change + THRESHOLD_SLACK))
    {
        StageRule::BelowPeakAndFalling
    } else if change.map_or(smoothed_last > 0.0, |c| {
        c >= rules.growth_change - THRESHOLD_SLACK
    }) {
        StageRule::Rising
    } else {
        StageRule::Steady
    };
    let stage = match rule {
        StageRule::TooYoung | StageRule::NoSales => Stage::Introduction,
        StageRule::BelowPeakAndFalling => Stage::Decline,
        StageRule::Rising => Stage::Growth,
        StageRule::Steady => Stage::Maturity,
    };
    Some((
        stage,
        StageEvidence {
            rule,
            age_months,
            smoothed_last,
            smoothed_before,
            change,
            peak,
            months_since_peak: (last_index - peak_index) as u32,
            share_of_peak,
        },
    ))
}
