//! Per-customer inputs of the models, their validation, and compression of identical rows into
//! weights (fits run over unique rows only, which is what makes millions of customers cheap).

use std::cmp::Ordering;

use rayon::iter::{IntoParallelRefIterator, ParallelIterator};
use rayon::slice::ParallelSliceMut;

/// One customer's repeat-purchase summary for the continuous-time models.
///
/// All three values are in the same time unit (see the crate docs on time units).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Triple {
    /// Number of repeat purchases (purchases after the first), `x ≥ 0`.
    pub x: f64,
    /// Time from the first purchase to the last one (recency), `0 ≤ t_x ≤ T`; 0 when `x = 0`.
    pub t_x: f64,
    /// Time from the first purchase to the end of the calibration period (`T` in the papers).
    pub t: f64,
}

impl Triple {
    /// A triple; validation happens in [`validate`] (fits call it).
    pub fn new(x: f64, t_x: f64, t: f64) -> Self {
        Triple { x, t_x, t }
    }

    /// What makes this triple unusable, if anything: a non-finite value, `x < 0`, a negative
    /// time, `t_x > T`, or `t_x ≠ 0` with `x = 0`. Readers of summary files call it to name the
    /// line; [`validate`] calls it for every row a fit is given.
    pub fn check(&self) -> Result<(), String> {
        let r = self;
        if !(r.x.is_finite() && r.t_x.is_finite() && r.t.is_finite()) {
            return Err(format!(
                "non-finite value (x={}, t_x={}, T={})",
                r.x, r.t_x, r.t
            ));
        }
        if r.x < 0.0 {
            return Err(format!("negative frequency x={}", r.x));
        }
        if r.t_x < 0.0 || r.t < 0.0 {
            return Err(format!("negative time (t_x={}, T={})", r.t_x, r.t));
        }
        if r.t_x > r.t {
            return Err(format!("recency t_x={} exceeds tenure T={}", r.t_x, r.t));
        }
        if r.x == 0.0 && r.t_x != 0.0 {
            return Err(format!(
                "x=0 but t_x={} (must be 0 without repeat purchases)",
                r.t_x
            ));
        }
        Ok(())
    }
}

/// One customer (or one pattern) in discrete time, for BG/BB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DiscreteTriple {
    /// Number of periods with a repeat transaction, `0 ≤ x ≤ n`.
    pub x: u32,
    /// Period of the last repeat transaction (0 when `x = 0`), `x ≤ t_x ≤ n`.
    pub t_x: u32,
    /// Number of transaction opportunities after the first one.
    pub n: u32,
}

/// One repeat buyer's spend for the Gamma-Gamma model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpendRow {
    /// Number of repeat purchases whose values were averaged, `x ≥ 1`.
    pub x: f64,
    /// Mean value of those purchases, `z̄ > 0`.
    pub mean_value: f64,
}

/// A row that no model can use, with the row's index in the input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("row {index}: {reason}")]
pub struct DataError {
    /// Index of the offending row in the slice given to the fit.
    pub index: usize,
    /// What is wrong with it.
    pub reason: String,
}

fn bad(index: usize, reason: String) -> DataError {
    DataError { index, reason }
}

/// Checks every row: finite values, `x ≥ 0`, `0 ≤ t_x ≤ T`, `t_x = 0` when `x = 0`, and weights
/// finite and non-negative. The first bad row is reported.
pub fn validate(rows: &[(Triple, f64)]) -> Result<(), DataError> {
    for (i, (r, w)) in rows.iter().enumerate() {
        r.check().map_err(|reason| bad(i, reason))?;
        if !(w.is_finite() && *w >= 0.0) {
            return Err(bad(
                i,
                format!("weight {w} is not a finite non-negative number"),
            ));
        }
    }
    Ok(())
}

/// Checks discrete rows: `x ≤ t_x ≤ n`, `t_x = 0` when `x = 0`, `n ≥ 1`, finite non-negative weights.
pub fn validate_discrete(rows: &[(DiscreteTriple, f64)]) -> Result<(), DataError> {
    for (i, (r, w)) in rows.iter().enumerate() {
        if r.x > r.t_x || r.t_x > r.n {
            return Err(bad(
                i,
                format!("need x ≤ t_x ≤ n, got x={}, t_x={}, n={}", r.x, r.t_x, r.n),
            ));
        }
        if r.x == 0 && r.t_x != 0 {
            return Err(bad(i, format!("x=0 but t_x={}", r.t_x)));
        }
        if !(w.is_finite() && *w >= 0.0) {
            return Err(bad(
                i,
                format!("weight {w} is not a finite non-negative number"),
            ));
        }
    }
    Ok(())
}

/// Checks spend rows: finite, `x ≥ 1`, `z̄ > 0`.
pub fn validate_spend(rows: &[(SpendRow, f64)]) -> Result<(), DataError> {
    for (i, (r, w)) in rows.iter().enumerate() {
        if !(r.x.is_finite() && r.x >= 1.0) {
            return Err(bad(
                i,
                format!("spend rows need x ≥ 1 repeat purchases, got x={}", r.x),
            ));
        }
        if !(r.mean_value.is_finite() && r.mean_value > 0.0) {
            return Err(bad(
                i,
                format!(
                    "mean value must be positive and finite, got {}",
                    r.mean_value
                ),
            ));
        }
        if !(w.is_finite() && *w >= 0.0) {
            return Err(bad(
                i,
                format!("weight {w} is not a finite non-negative number"),
            ));
        }
    }
    Ok(())
}

fn cmp_triple(a: &Triple, b: &Triple) -> Ordering {
    a.x.total_cmp(&b.x)
        .then(a.t_x.total_cmp(&b.t_x))
        .then(a.t.total_cmp(&b.t))
}

/// Adds up the weights of neighbouring rows that `same` calls identical: `sorted` must list
/// identical rows together. The one merging step of every `compress` below.
fn add_up_runs<T>(
    sorted: impl IntoIterator<Item = (T, f64)>,
    capacity: usize,
    same: impl Fn(&T, &T) -> bool,
) -> Vec<(T, f64)> {
    let mut out: Vec<(T, f64)> = Vec::with_capacity(capacity);
    for (r, w) in sorted {
        match out.last_mut() {
            Some((last, lw)) if same(last, &r) => *lw += w,
            _ => out.push((r, w)),
        }
    }
    out
}

/// Groups identical triples (exact equality) into `(triple, count)` pairs, sorted by
/// `(x, t_x, T)`: the order depends only on the set of rows, never on their input order.
pub fn compress(rows: &[Triple]) -> Vec<(Triple, f64)> {
    compress_owned(rows.to_vec())
}

/// [`compress`] for rows handed over by value: they are sorted in place, with no weighted copy
/// of millions of customers' rows.
pub fn compress_owned(rows: Vec<Triple>) -> Vec<(Triple, f64)> {
    match compress_whole_numbers(&rows) {
        Some(compressed) => compressed,
        None => compress_by_sorting(rows),
    }
}

/// [`compress_owned`] for any rows: the triples themselves sorted.
fn compress_by_sorting(mut rows: Vec<Triple>) -> Vec<(Triple, f64)> {
    // Triples that compare equal are equal bit for bit (`total_cmp`), so an unstable sort gives
    // exactly what a stable one would.
    rows.par_sort_unstable_by(cmp_triple);
    let distinct = rows
        .windows(2)
        .filter(|w| cmp_triple(&w[0], &w[1]) != Ordering::Equal)
        .count()
        + usize::from(!rows.is_empty());
    add_up_runs(rows.into_iter().map(|r| (r, 1.0)), distinct, |a, b| {
        cmp_triple(a, b) == Ordering::Equal
    })
}

/// Bits per field of [`compress_whole_numbers`]'s keys.
const KEY_BITS: u32 = 21;

/// `v` as a key field, when it is a whole number in `0..2^KEY_BITS`; `None` for anything else,
/// negative zero included (`to_bits` tells it apart: `total_cmp` orders it before +0.0).
fn whole_key_field(v: f64) -> Option<u64> {
    const LIMIT: f64 = (1u64 << KEY_BITS) as f64;
    let whole = (0.0..LIMIT).contains(&v) && v.to_bits() >> 63 == 0 && (v as u64) as f64 == v;
    whole.then_some(v as u64)
}

/// Sorted keys as `(row, count)` pairs, `row` unpacking a key: the last step of both packed-key
/// compressions.
fn count_sorted_keys<K: Copy + PartialEq, R>(keys: &[K], row: impl Fn(K) -> R) -> Vec<(R, f64)> {
    let mut out = Vec::with_capacity(keys.chunk_by(|a, b| a == b).count());
    for run in keys.chunk_by(|a, b| a == b) {
        out.push((row(run[0]), run.len() as f64));
    }
    out
}

/// [`compress_owned`] for the usual rows in days: when every field is a whole number in
/// `0..2^21` (positive zero included, negative zero not), each triple packs into one integer
/// key, `x` highest, whose order is `cmp_triple`'s, and equal keys are bit-identical triples.
/// Sorting eight-byte keys is several times faster than sorting 24-byte triples three floats
/// at a time. `None` when some field does not fit: the caller sorts the triples.
fn compress_whole_numbers(rows: &[Triple]) -> Option<Vec<(Triple, f64)>> {
    let mut keys: Vec<u64> = rows
        .par_iter()
        .map(|r| {
            let (x, t_x, t) = (
                whole_key_field(r.x)?,
                whole_key_field(r.t_x)?,
                whole_key_field(r.t)?,
            );
            Some((x << (2 * KEY_BITS)) | (t_x << KEY_BITS) | t)
        })
        .collect::<Option<Vec<u64>>>()?;
    keys.par_sort_unstable();
    let mask = (1u64 << KEY_BITS) - 1;
    let unpack = |k: u64| {
        Triple::new(
            (k >> (2 * KEY_BITS)) as f64,
            ((k >> KEY_BITS) & mask) as f64,
            (k & mask) as f64,
        )
    };
    Some(count_sorted_keys(&keys, unpack))
}

/// Like [`compress`] for rows that already carry weights; weights of identical rows add up and
/// rows of weight 0 are dropped.
pub fn compress_weighted(rows: &[(Triple, f64)]) -> Vec<(Triple, f64)> {
    // Rows compressed already (in order, distinct, weights positive) come back as they are:
    // `analyze` hands its fit such rows, a million of them at ten million orders.
    if rows.iter().all(|(_, w)| *w > 0.0)
        && rows
            .windows(2)
            .all(|p| cmp_triple(&p[0].0, &p[1].0) == Ordering::Less)
    {
        return rows.to_vec();
    }
    let mut sorted: Vec<(Triple, f64)> = rows.iter().copied().filter(|(_, w)| *w > 0.0).collect();
    // Identical rows are ordered by weight, so that their weights add up in one order whatever
    // the input order and the number of threads.
    sorted.par_sort_unstable_by(|a, b| cmp_triple(&a.0, &b.0).then(a.1.total_cmp(&b.1)));
    let capacity = sorted.len() / 2 + 1;
    add_up_runs(sorted, capacity, |a, b| cmp_triple(a, b) == Ordering::Equal)
}

/// [`compress_weighted`] for spend rows.
pub fn compress_spend(rows: &[(SpendRow, f64)]) -> Vec<(SpendRow, f64)> {
    match compress_unit_spend(rows) {
        Some(compressed) => compressed,
        None => compress_spend_by_sorting(rows),
    }
}

/// [`compress_spend`] for the rows `analyze` makes: every weight 1, `x` a whole number below
/// 2^21 and the mean spend not negative (sign bit clear, not NaN). Then `(x, mean bits)` packs
/// into one 128-bit key whose order is the float order, and equal keys are identical rows.
fn compress_unit_spend(rows: &[(SpendRow, f64)]) -> Option<Vec<(SpendRow, f64)>> {
    let key = |(r, w): &(SpendRow, f64)| -> Option<u128> {
        let x = whole_key_field(r.x)?;
        let mean = r.mean_value.to_bits();
        let plain = mean >> 63 == 0 && !r.mean_value.is_nan();
        (*w == 1.0 && plain).then_some((u128::from(x) << 64) | u128::from(mean))
    };
    let mut keys: Vec<u128> = rows.par_iter().map(key).collect::<Option<Vec<u128>>>()?;
    keys.par_sort_unstable();
    Some(count_sorted_keys(&keys, |k| SpendRow {
        x: (k >> 64) as u64 as f64,
        mean_value: f64::from_bits(k as u64),
    }))
}

/// [`compress_spend`] for any rows: the rows themselves sorted.
fn compress_spend_by_sorting(rows: &[(SpendRow, f64)]) -> Vec<(SpendRow, f64)> {
    let mut sorted: Vec<(SpendRow, f64)> = rows.iter().copied().filter(|(_, w)| *w > 0.0).collect();
    let cmp = |a: &SpendRow, b: &SpendRow| {
        a.x.total_cmp(&b.x)
            .then(a.mean_value.total_cmp(&b.mean_value))
    };
    // As in `compress_weighted`: weights break ties, so the sums do not depend on input order.
    sorted.par_sort_unstable_by(|a, b| cmp(&a.0, &b.0).then(a.1.total_cmp(&b.1)));
    let capacity = sorted.len();
    add_up_runs(sorted, capacity, |a, b| cmp(a, b) == Ordering::Equal)
}

/// [`compress_weighted`] for discrete rows.
pub fn compress_discrete(rows: &[(DiscreteTriple, f64)]) -> Vec<(DiscreteTriple, f64)> {
    let mut sorted: Vec<(DiscreteTriple, f64)> =
        rows.iter().copied().filter(|(_, w)| *w > 0.0).collect();
    sorted.sort_by_key(|r| r.0);
    let capacity = sorted.len();
    add_up_runs(sorted, capacity, |a, b| a == b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::Strategy as _;

    #[test]
    fn compress_groups_exact_duplicates_in_sorted_order() {
        let rows = [
            Triple::new(2.0, 5.0, 10.0),
            Triple::new(0.0, 0.0, 10.0),
            Triple::new(2.0, 5.0, 10.0),
            Triple::new(0.0, 0.0, 10.0),
            Triple::new(0.0, 0.0, 9.0),
        ];
        let c = compress(&rows);
        assert_eq!(
            c,
            vec![
                (Triple::new(0.0, 0.0, 9.0), 1.0),
                (Triple::new(0.0, 0.0, 10.0), 2.0),
                (Triple::new(2.0, 5.0, 10.0), 2.0)
            ]
        );
        let mut rev = rows;
        rev.reverse();
        assert_eq!(compress(&rev), c);
    }

    proptest::proptest! {
        #[test]
        fn unit_spend_keys_compress_as_sorting_does(
            rows in proptest::collection::vec(
                (
                    proptest::prop_oneof![
                        6 => (0u32..4).prop_map(f64::from),
                        1 => proptest::prelude::Just(-0.0),
                        1 => proptest::prelude::Just(2_097_152.0),
                        1 => proptest::prelude::Just(1.5),
                    ],
                    proptest::prop_oneof![
                        6 => (0u32..6).prop_map(|k| f64::from(k) * 12.5),
                        1 => proptest::prelude::Just(0.0),
                        1 => proptest::prelude::Just(-0.0),
                        1 => proptest::prelude::Just(-3.0),
                        1 => proptest::prelude::Just(f64::INFINITY),
                        1 => proptest::prelude::Just(1e300),
                    ],
                    proptest::prop_oneof![8 => proptest::prelude::Just(1.0), 1 => proptest::prelude::Just(2.0)],
                ),
                0..80,
            ),
        ) {
            let rows: Vec<(SpendRow, f64)> = rows
                .into_iter()
                .map(|(x, mean_value, w)| (SpendRow { x, mean_value }, w))
                .collect();
            let bits = |v: &[(SpendRow, f64)]| -> Vec<[u64; 3]> {
                v.iter()
                    .map(|(r, w)| [r.x.to_bits(), r.mean_value.to_bits(), w.to_bits()])
                    .collect()
            };
            proptest::prop_assert_eq!(
                bits(&compress_spend(&rows)),
                bits(&compress_spend_by_sorting(&rows))
            );
        }

        #[test]
        fn whole_number_keys_compress_as_sorting_does(
            rows in proptest::collection::vec(
                (
                    proptest::prop_oneof![
                        4 => (0u32..6).prop_map(f64::from),
                        1 => proptest::prelude::Just(-0.0),
                        1 => proptest::prelude::Just(2_097_151.0),
                        1 => proptest::prelude::Just(2_097_152.0),
                        1 => (0u32..12).prop_map(|k| f64::from(k) / 4.0),
                    ],
                    (0u32..5).prop_map(f64::from),
                    (0u32..2_097_152).prop_map(f64::from),
                ),
                0..120,
            ),
            whole_only in proptest::bool::ANY,
        ) {
            let rows: Vec<Triple> = rows
                .into_iter()
                .map(|(x, t_x, t)| {
                    let x = if whole_only { x.max(0.0).floor().min(2_097_151.0) + 0.0 } else { x };
                    Triple::new(x, t_x, t)
                })
                .collect();
            let fast = compress_owned(rows.clone());
            let reference = compress_by_sorting(rows.clone());
            // Bit for bit: the same rows in the same order with the same weights.
            let bits = |v: &[(Triple, f64)]| -> Vec<[u64; 4]> {
                v.iter()
                    .map(|(r, w)| [r.x.to_bits(), r.t_x.to_bits(), r.t.to_bits(), w.to_bits()])
                    .collect()
            };
            proptest::prop_assert_eq!(bits(&fast), bits(&reference));
            if whole_only {
                proptest::prop_assert!(compress_whole_numbers(&rows).is_some());
            }
        }

        /// Counting runs of a sorted copy agrees with adding unit weights (the weighted path).
        #[test]
        fn counting_agrees_with_adding_unit_weights(
            cells in proptest::collection::vec((0u8..4, 0u8..4, 0u8..3), 0..200)
        ) {
            let rows: Vec<Triple> = cells
                .iter()
                .map(|&(x, t_x, t)| {
                    Triple::new(f64::from(x), f64::from(x.min(t_x)), 5.0 + f64::from(t))
                })
                .collect();
            let weighted: Vec<(Triple, f64)> = rows.iter().map(|r| (*r, 1.0)).collect();
            let compressed = compress_owned(rows);
            proptest::prop_assert_eq!(&compressed, &compress_weighted(&weighted));
            // Compressing again changes nothing.
            proptest::prop_assert_eq!(&compressed, &compress_weighted(&compressed));
        }

        /// The weights of identical rows add up to the same bits whatever the input order.
        #[test]
        fn weighted_sums_do_not_depend_on_row_order(
            rows in proptest::collection::vec((0u8..3, 0.0f64..10.0), 1..60),
            shift in 0usize..60,
        ) {
            let rows: Vec<(Triple, f64)> = rows
                .iter()
                .map(|&(x, w)| (Triple::new(f64::from(x), 0.0, 5.0), w))
                .collect();
            let mut rotated = rows.clone();
            rotated.rotate_left(shift % rows.len());
            let bits = |c: Vec<(Triple, f64)>| c.iter().map(|(t, w)| (t.x, w.to_bits())).collect::<Vec<_>>();
            proptest::prop_assert_eq!(bits(compress_weighted(&rows)), bits(compress_weighted(&rotated)));
            let spend: Vec<(SpendRow, f64)> = rows
                .iter()
                .map(|&(t, w)| (SpendRow { x: t.x + 1.0, mean_value: 3.0 }, w))
                .collect();
            let mut spend_rotated = spend.clone();
            spend_rotated.rotate_left(shift % rows.len());
            let spend_bits = |c: Vec<(SpendRow, f64)>| c.iter().map(|(r, w)| (r.x, w.to_bits())).collect::<Vec<_>>();
            proptest::prop_assert_eq!(spend_bits(compress_spend(&spend)), spend_bits(compress_spend(&spend_rotated)));
        }
    }

    #[test]
    fn validation_names_the_row() {
        let rows = [
            (Triple::new(1.0, 2.0, 3.0), 1.0),
            (Triple::new(1.0, 4.0, 3.0), 1.0),
        ];
        let e = validate(&rows).unwrap_err();
        assert_eq!(e.index, 1);
        assert!(e.to_string().contains("row 1"), "{e}");
        let rows = [(Triple::new(f64::NAN, 0.0, 3.0), 1.0)];
        assert_eq!(validate(&rows).unwrap_err().index, 0);
        let rows = [(Triple::new(0.0, 1.0, 3.0), 1.0)];
        assert!(validate(&rows).is_err());
    }
}
