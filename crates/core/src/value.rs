//! Value analysis: Pareto concentration, ABC classes, RFM scores and segments, stability.
//!
//! Every function takes values in the caller's customer order and returns results in that order.
//! Rankings break ties by the caller-supplied key, never by input position, so results do not
//! depend on row order. [`ValueOrder`] is the one exception: it breaks ties by position, so its
//! caller passes the values in an order that does not depend on the rows (by customer id).

use std::cmp::Reverse;

use rayon::slice::ParallelSliceMut;

use crate::Money;

/// Concentration of a value (revenue or profit) over customers.
#[derive(Clone, Debug, PartialEq)]
pub struct Pareto {
    pub customers: usize,
    pub total: Money,
    /// Share of the total held by the top 20% of customers (rounded up to whole customers).
    pub top20_share: f64,
    /// Smallest share of customers that holds 80% of the total.
    pub customers_for_80: f64,
    /// Lorenz-style concentration curve from the top: `curve[k]` is the share of the total held
    /// by the top k% of customers, k = 0..=100.
    pub curve: Vec<f64>,
    /// Gini coefficient of the values, in [0, 1] for non-negative values.
    pub gini: f64,
}

/// Pareto analysis of `values`; `None` when there are no customers or the total is not positive
/// (shares of a non-positive total mean nothing).
///
/// # Formula
/// With values sorted descending v₁ ≥ … ≥ vₙ and S = Σv, top-k share = Σ_{i≤⌈kn/100⌉} vᵢ / S and
/// Gini = Σᵢ (2i − n − 1)·v₍ᵢ₎ / (n·S) with v₍ᵢ₎ ascending.
pub fn pareto(values: &[Money]) -> Option<Pareto> {
    let total: Money = values.iter().copied().sum();
    if values.is_empty() || total <= Money::ZERO {
        return None;
    }
    let mut sorted: Vec<i64> = values.iter().map(|m| m.units()).collect();
    sorted.par_sort_unstable_by_key(|&v| Reverse(v));
    Some(pareto_of_ranked(sorted.len(), total, |k| sorted[k]))
}

/// [`pareto`] of `n` values totalling `total` (positive), where `top(k)` is the value of rank k
/// from the top (0-based).
fn pareto_of_ranked(n: usize, total: Money, top: impl Fn(usize) -> i64) -> Pareto {
    let total_f = total.units() as f64;
    // One running sum over the descending values instead of a vector of all prefix sums (16
    // bytes a customer at tens of millions): the curve's points are read as the sum passes them.
    // The running sum never falls below the total after it first reaches 80% of it (only the
    // negative values at the tail make it fall, and they end at the total), so the first prefix
    // that reaches 80% is the point where it stays there.
    let curve_points: Vec<usize> = (0..=100)
        .map(|pct: usize| (pct * n).div_ceil(100))
        .collect();
    let needed = i128::from(total.units()) * 8;
    let mut curve = Vec::with_capacity(curve_points.len());
    let mut k80 = None;
    let mut running = 0i128;
    let mut next_point = curve_points.iter().peekable();
    for k in 0..=n {
        // Here `running` is the sum of the top k values.
        while next_point.next_if(|&&p| p == k).is_some() {
            curve.push(running as f64 / total_f);
        }
        if k80.is_none() && running * 10 >= needed {
            k80 = Some(k);
        }
        if k < n {
            running += i128::from(top(k));
        }
    }
    let k80 = k80.expect("the sum of all values is the total, which reaches 80% of itself");
    let ascending_weighted: f64 = (0..n)
        .map(|i| (2.0 * (i + 1) as f64 - n as f64 - 1.0) * top(n - 1 - i) as f64)
        .sum();
    Pareto {
        customers: n,
        total,
        // The curve's point at 20% is the top 20% (the same `(20 * n).div_ceil(100)` customers).
        top20_share: curve[20],
        customers_for_80: k80 as f64 / n as f64,
        curve,
        gini: ascending_weighted / (n as f64 * total_f),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AbcClass {
    A,
    B,
    C,
}

impl AbcClass {
    pub fn as_str(self) -> &'static str {
        match self {
            AbcClass::A => "A",
            AbcClass::B => "B",
            AbcClass::C => "C",
        }
    }
}

/// ABC classes by value: customers, from the largest value down, are A until the running total
/// reaches 80% (the customer crossing the line included), then B until 95%, then C.
/// Ties are broken by `tie_key` (for example the customer id) so the result is order-free.
pub fn abc_classes<K: Ord + Copy + Send>(
    values: &[Money],
    tie_key: impl Fn(usize) -> K,
) -> Vec<AbcClass> {
    // Contiguous (value, key, index) triples sort without a cache miss per comparison; the index
    // last makes equal keys keep their input order, as a stable sort would.
    assert!(
        u32::try_from(values.len()).is_ok(),
        "more than 4,294,967,295 values to class"
    );
    let mut order: Vec<(Reverse<i64>, K, u32)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (Reverse(v.units()), tie_key(i), i as u32))
        .collect();
    order.par_sort_unstable();
    classify_abc(
        values,
        order.into_iter().map(|(Reverse(v), _, i)| (i as usize, v)),
    )
}

/// ABC classes of `values`, taken in `order`: every position once with its value (in units),
/// largest value first. (The value comes along so that the walk reads no value by position,
/// a cache miss each at millions of customers.)
fn classify_abc(values: &[Money], order: impl Iterator<Item = (usize, i64)>) -> Vec<AbcClass> {
    let total: i128 = values.iter().map(|m| i128::from(m.units().max(0))).sum();
    let mut classes = vec![AbcClass::C; values.len()];
    let mut running: i128 = 0;
    for (i, units) in order {
        // Classify by the running total *before* this customer, so the one who crosses 80% is A.
        classes[i] = if total == 0 || running * 100 < total * 80 {
            AbcClass::A
        } else if running * 100 < total * 95 {
            AbcClass::B
        } else {
            AbcClass::C
        };
        if total == 0 {
            classes[i] = AbcClass::C;
        }
        debug_assert_eq!(units, values[i].units());
        running += i128::from(units.max(0));
    }
    classes
}

/// Quintile scores 1..=5, where 5 is the best fifth. `higher_is_better` says which way is good.
///
/// # Formula
/// score = 1 + ⌊5·(b + e/2)/n⌋ clamped to 1..=5, with b the number of values strictly worse and
/// e the number equal (mid-rank), so ties share a score.
pub fn quintile_scores<T: Ord + Copy + Send>(values: &[T], higher_is_better: bool) -> Vec<u8> {
    let mut scores = vec![0u8; values.len()];
    for_each_tie_run(values, score_quintiles(&mut scores, higher_is_better));
    scores
}

/// Sets the quintile score of each run of equal values that [`for_each_tie_run`] reports.
fn score_quintiles(scores: &mut [u8], higher_is_better: bool) -> impl FnMut(u64, u64, &[u32]) + '_ {
    let n = scores.len() as u64;
    move |less, equal, members| {
        let worse = if higher_is_better {
            less
        } else {
            n - less - equal
        };
        let twice_rank = 2 * worse + equal;
        let score = (1 + (5 * twice_rank / (2 * n)).min(4)) as u8;
        for &i in members {
            scores[i as usize] = score;
        }
    }
}

/// Calls `f(less, equal, members)` for every run of equal values: `less` values are strictly
/// smaller, `equal` share the value, `members` are their indices.
///
/// Sorting (value, index) pairs once and walking the runs is linear after the sort; binary
/// searching a sorted copy for every customer costs a cache miss per probe on millions of rows.
pub(crate) fn for_each_tie_run<T: Ord + Copy + Send>(
    values: &[T],
    f: impl FnMut(u64, u64, &[u32]),
) {
    // Sort contiguous (value, index) pairs: an index sort comparing through `values` would
    // miss the cache on every comparison. A u32 index keeps a pair of a 32-bit value in 8 bytes
    // (the sort's buffer is one of the analysis's largest temporaries at tens of millions).
    assert!(
        u32::try_from(values.len()).is_ok(),
        "more than 4,294,967,295 values to rank"
    );
    let mut pairs: Vec<(T, u32)> = values.iter().copied().zip(0..).collect();
    pairs.par_sort_unstable();
    tie_runs_of_sorted(&pairs, f);
}

/// [`for_each_tie_run`]'s walk over (value, index) pairs already sorted.
pub(crate) fn tie_runs_of_sorted<T: PartialEq + Copy>(
    pairs: &[(T, u32)],
    mut f: impl FnMut(u64, u64, &[u32]),
) {
    let mut members = Vec::new();
    let mut start = 0;
    while start < pairs.len() {
        let v = pairs[start].0;
        let mut end = start + 1;
        while end < pairs.len() && pairs[end].0 == v {
            end += 1;
        }
        members.clear();
        members.extend(pairs[start..end].iter().map(|&(_, i)| i));
        f(start as u64, (end - start) as u64, &members);
        start = end;
    }
}

/// Customers in order of one money value, sorted once for the rankings that all read it
/// (revenue's monetary quintiles, ABC classes and Pareto curve): (value, position) ascending.
/// Each ranking gives what its own function gives on the same values, ties broken by position.
pub struct ValueOrder {
    values: Vec<Money>,
    pairs: Vec<(i64, u32)>,
}

impl ValueOrder {
    pub fn new(values: Vec<Money>) -> ValueOrder {
        assert!(
            u32::try_from(values.len()).is_ok(),
            "more than 4,294,967,295 values to rank"
        );
        let mut pairs: Vec<(i64, u32)> = values.iter().map(|m| m.units()).zip(0..).collect();
        pairs.par_sort_unstable();
        ValueOrder { values, pairs }
    }

    /// [`quintile_scores`] of the values.
    pub fn quintile_scores(&self, higher_is_better: bool) -> Vec<u8> {
        let mut scores = vec![0u8; self.pairs.len()];
        tie_runs_of_sorted(&self.pairs, score_quintiles(&mut scores, higher_is_better));
        scores
    }

    /// [`abc_classes`] of the values with ties broken by position: runs of equal values from the
    /// largest down, each run in position order.
    pub fn abc_classes(&self) -> Vec<AbcClass> {
        let pairs = &self.pairs;
        let descending = pairs
            .chunk_by(|a, b| a.0 == b.0)
            .rev()
            .flat_map(|run| run.iter().map(|&(v, i)| (i as usize, v)));
        classify_abc(&self.values, descending)
    }

    /// [`pareto`] of the values.
    pub fn pareto(&self) -> Option<Pareto> {
        let total: Money = self.values.iter().copied().sum();
        if self.values.is_empty() || total <= Money::ZERO {
            return None;
        }
        let n = self.pairs.len();
        Some(pareto_of_ranked(n, total, |k| self.pairs[n - 1 - k].0))
    }
}

/// [`quintile_scores`] for whole numbers in a narrow range (days, purchase counts): the same
/// scores, from a counting sort instead of a comparison sort when the range allows it.
pub fn quintile_scores_of_counts<T: Ord + Copy + Send + Into<i64>>(
    values: &[T],
    higher_is_better: bool,
) -> Vec<u8> {
    let mut scores = vec![0u8; values.len()];
    if !for_each_tie_run_counting(values, score_quintiles(&mut scores, higher_is_better)) {
        for_each_tie_run(values, score_quintiles(&mut scores, higher_is_better));
    }
    scores
}

/// [`for_each_tie_run`] by a counting sort: the same calls in the same order (runs by value,
/// members by index), in time linear in the values and their range. Returns `false`, calling
/// nothing, when the range is too wide for counting to pay (more slots than a few per value).
fn for_each_tie_run_counting<T: Copy + Into<i64>>(
    values: &[T],
    mut f: impl FnMut(u64, u64, &[u32]),
) -> bool {
    assert!(
        u32::try_from(values.len()).is_ok(),
        "more than 4,294,967,295 values to rank"
    );
    let Some(min) = values.iter().map(|&v| v.into()).min() else {
        return true;
    };
    let max = values.iter().map(|&v| v.into()).max().unwrap_or(min);
    let slots = max.abs_diff(min) + 1;
    if slots > 4 * values.len() as u64 + 1024 {
        return false;
    }
    let slot = |v: T| (v.into() - min) as usize;
    // starts[s] = how many values fall in slots before s.
    let mut starts = vec![0u32; slots as usize + 1];
    for &v in values {
        starts[slot(v) + 1] += 1;
    }
    for s in 1..starts.len() {
        starts[s] += starts[s - 1];
    }
    let mut fill = starts.clone();
    let mut members = vec![0u32; values.len()];
    for (i, &v) in (0u32..).zip(values) {
        let at = &mut fill[slot(v)];
        members[*at as usize] = i;
        *at += 1;
    }
    for w in starts.windows(2) {
        let (start, end) = (w[0] as usize, w[1] as usize);
        if end > start {
            f(start as u64, (end - start) as u64, &members[start..end]);
        }
    }
    true
}

/// RFM scores of one customer: recency, frequency, monetary, each 1..=5.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rfm {
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
}

impl Rfm {
    /// The named segment on the recency × frequency grid.
    pub fn segment(self) -> RfmSegment {
        use RfmSegment::*;
        match (self.recency, self.frequency) {
            (5, 4..=5) => Champions,
            (3..=5, 4..=5) => LoyalCustomers,
            (4..=5, 2..=3) => PotentialLoyalists,
            (5, 1) => NewCustomers,
            (4, 1) => Promising,
            (3, 3) => NeedAttention,
            (3, 1..=2) => AboutToSleep,
            (1..=2, 5) => CannotLoseThem,
            (1..=2, 3..=4) => AtRisk,
            _ => Hibernating,
        }
    }

    pub fn code(self) -> String {
        format!("{}{}{}", self.recency, self.frequency, self.monetary)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RfmSegment {
    Champions,
    LoyalCustomers,
    PotentialLoyalists,
    NewCustomers,
    Promising,
    NeedAttention,
    AboutToSleep,
    CannotLoseThem,
    AtRisk,
    Hibernating,
}

impl RfmSegment {
    pub const ALL: [RfmSegment; 10] = [
        RfmSegment::Champions,
        RfmSegment::LoyalCustomers,
        RfmSegment::PotentialLoyalists,
        RfmSegment::NewCustomers,
        RfmSegment::Promising,
        RfmSegment::NeedAttention,
        RfmSegment::AboutToSleep,
        RfmSegment::CannotLoseThem,
        RfmSegment::AtRisk,
        RfmSegment::Hibernating,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RfmSegment::Champions => "champions",
            RfmSegment::LoyalCustomers => "loyal customers",
            RfmSegment::PotentialLoyalists => "potential loyalists",
            RfmSegment::NewCustomers => "new customers",
            RfmSegment::Promising => "promising",
            RfmSegment::NeedAttention => "need attention",
            RfmSegment::AboutToSleep => "about to sleep",
            RfmSegment::CannotLoseThem => "can't lose them",
            RfmSegment::AtRisk => "at risk",
            RfmSegment::Hibernating => "hibernating",
        }
    }
}

/// RFM scores from the three quintile columns, customer by customer: recency scored from days
/// since the last purchase (fewer is better), frequency from purchase days and monetary from
/// revenue (more is better), each by [`quintile_scores`]. The columns come in separately so that
/// their inputs can be built and dropped one at a time.
pub fn rfm_from_quintiles(r: Vec<u8>, f: Vec<u8>, m: Vec<u8>) -> Vec<Rfm> {
    r.into_iter()
        .zip(f)
        .zip(m)
        .map(|((recency, frequency), monetary)| Rfm {
            recency,
            frequency,
            monetary,
        })
        .collect()
}

/// Regularity of purchases in (0, 1]: 1 / (1 + CV of the gaps between purchase days).
/// A customer buying like clockwork scores 1; erratic buying tends to 0. `None` without a CV.
pub fn stability(interval_cv: Option<f64>) -> Option<f64> {
    interval_cv.map(|cv| 1.0 / (1.0 + cv))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: i64) -> Money {
        Money::from_major(v)
    }

    #[test]
    fn pareto_by_hand() {
        // 10 customers: one holds 50, one 20, eight hold 30/8 = 3.75 each. Total 100.
        let mut values = vec![m(50), m(20)];
        values.extend(std::iter::repeat_n(Money::from_units(37_500), 8));
        let p = pareto(&values).unwrap();
        assert_eq!(p.customers, 10);
        assert!((p.top20_share - 0.70).abs() < 1e-12);
        // 50 + 20 + 3.75*3 = 81.25 ≥ 80 after 5 customers; 4 give 77.5.
        assert!((p.customers_for_80 - 0.5).abs() < 1e-12);
        assert_eq!(p.curve.len(), 101);
        assert!((p.curve[10] - 0.5).abs() < 1e-12);
        assert!((p.curve[100] - 1.0).abs() < 1e-12);
        assert_eq!(p.curve[0], 0.0);
        // Gini by hand: ascending 3.75×8, 20, 50; Σ(2i−n−1)v = 3.75·Σ_{i=1..8}(2i−11) + 7·20 + 9·50
        // = 3.75·(−16) + 140 + 450 = 530; / (10·100) = 0.53.
        assert!((p.gini - 0.53).abs() < 1e-12);
    }

    #[test]
    fn pareto_refuses_empty_or_nonpositive_totals() {
        assert!(pareto(&[]).is_none());
        assert!(pareto(&[m(5), m(-5)]).is_none());
    }

    #[test]
    fn abc_by_hand() {
        // Total 100: 60 (A, running 0), 25 (A: running 60 < 80), 10 (B: running 85 < 95), 5 (C: 95).
        let values = vec![m(10), m(60), m(5), m(25)];
        let classes = abc_classes(&values, |i| i);
        assert_eq!(
            classes,
            vec![AbcClass::B, AbcClass::A, AbcClass::C, AbcClass::A]
        );
    }

    #[test]
    fn quintiles_by_hand_and_ties() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(
            quintile_scores(&v, true),
            vec![1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
        );
        assert_eq!(
            quintile_scores(&v, false),
            vec![5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
        );
        let ties = vec![1, 1, 1, 1, 1, 1, 1, 1, 9, 9];
        // Eight equal values: mid-rank 4/10 → score 3; the two nines: (8+1)/10 → 5.
        assert_eq!(
            quintile_scores(&ties, true),
            vec![3, 3, 3, 3, 3, 3, 3, 3, 5, 5]
        );
    }

    #[test]
    fn rfm_segment_grid_covers_every_cell() {
        let mut seen = std::collections::BTreeSet::new();
        for r in 1..=5 {
            for f in 1..=5 {
                seen.insert(
                    Rfm {
                        recency: r,
                        frequency: f,
                        monetary: 3,
                    }
                    .segment(),
                );
            }
        }
        assert_eq!(seen.len(), RfmSegment::ALL.len());
        let champ = Rfm {
            recency: 5,
            frequency: 5,
            monetary: 5,
        };
        assert_eq!(champ.segment(), RfmSegment::Champions);
        assert_eq!(champ.code(), "555");
        let lost = Rfm {
            recency: 1,
            frequency: 1,
            monetary: 1,
        };
        assert_eq!(lost.segment(), RfmSegment::Hibernating);
    }

    #[test]
    fn stability_by_hand() {
        assert_eq!(stability(Some(0.0)), Some(1.0));
        assert_eq!(stability(Some(1.0)), Some(0.5));
        assert_eq!(stability(None), None);
    }

    /// The Pareto figures from the whole vector of prefix sums, as the definition reads.
    fn pareto_by_prefix_sums(values: &[Money]) -> (f64, f64, Vec<f64>) {
        let mut sorted: Vec<i64> = values.iter().map(|m| m.units()).collect();
        sorted.sort_unstable_by_key(|&v| Reverse(v));
        let n = sorted.len();
        let total: i128 = sorted.iter().map(|&v| i128::from(v)).sum();
        let mut cumulative = vec![0i128];
        for &v in &sorted {
            cumulative.push(cumulative.last().unwrap() + i128::from(v));
        }
        let share = |k: usize| cumulative[k] as f64 / total as f64;
        let k80 = (0..=n).find(|&k| cumulative[k] * 10 >= total * 8).unwrap();
        let curve = (0..=100)
            .map(|pct| share((pct * n).div_ceil(100)))
            .collect();
        (share((20 * n).div_ceil(100)), k80 as f64 / n as f64, curve)
    }

    proptest::proptest! {
        /// One sort serves the three revenue rankings: each equals its own function's result.
        #[test]
        fn value_order_matches_the_separate_rankings(
            units in proptest::collection::vec(-3i64..12, 1..200),
            higher in proptest::bool::ANY,
        ) {
            let values: Vec<Money> = units.iter().map(|&u| m(u * 1_000)).collect();
            let order = ValueOrder::new(values.clone());
            proptest::prop_assert_eq!(order.quintile_scores(higher), quintile_scores(&values, higher));
            proptest::prop_assert_eq!(order.abc_classes(), abc_classes(&values, |i| i));
            proptest::prop_assert_eq!(order.pareto(), pareto(&values));
        }

        /// Counting gives the tie runs and scores that sorting gives, on narrow ranges (counted)
        /// and wide ones (sorted after all).
        #[test]
        fn counting_runs_match_sorted_runs(
            values in proptest::collection::vec(-5i32..40, 0..300),
            wide in proptest::bool::ANY,
            higher in proptest::bool::ANY,
        ) {
            let values: Vec<i32> = values
                .iter()
                .map(|&v| if wide && v > 30 { v * 1_000_000 } else { v })
                .collect();
            let mut sorted_runs = Vec::new();
            for_each_tie_run(&values, |l, e, m| sorted_runs.push((l, e, m.to_vec())));
            let mut counted_runs = Vec::new();
            let counted = for_each_tie_run_counting(&values, |l, e, m| counted_runs.push((l, e, m.to_vec())));
            if counted {
                proptest::prop_assert_eq!(&counted_runs, &sorted_runs);
            } else {
                proptest::prop_assert!(counted_runs.is_empty());
            }
            proptest::prop_assert_eq!(
                quintile_scores_of_counts(&values, higher),
                quintile_scores(&values, higher)
            );
        }

        #[test]
        fn running_pareto_matches_prefix_sums(
            units in proptest::collection::vec(-5_000i64..50_000, 1..300)
        ) {
            let values: Vec<Money> = units.iter().map(|&u| Money::from_units(u)).collect();
            if let Some(p) = pareto(&values) {
                let (top20, for_80, curve) = pareto_by_prefix_sums(&values);
                proptest::prop_assert_eq!(p.top20_share, top20);
                proptest::prop_assert_eq!(p.customers_for_80, for_80);
                proptest::prop_assert_eq!(p.curve, curve);
            }
        }
    }
}
