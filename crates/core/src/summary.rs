//! The per-customer summary: one definition of every count, date and sum the rest of Clientele uses.
//!
//! # Definitions
//! - A *purchase* is an order line with amount ≥ 0; a line with a negative amount is a *return*:
//!   it reduces revenue and cost but is not a purchase.
//! - *Purchase days*: distinct days with at least one purchase (several orders on one day are one
//!   purchase, as the customer-base literature counts them); *frequency* = purchase days − 1.
//! - *Recency* = days from the first to the last purchase day (the `t_x` of BG/NBD);
//!   *tenure* = days from the first purchase day to the as-of date (the `T`).
//! - *Revenue* = sum of all amounts (returns included), *cost* likewise, *profit* = revenue − cost.
//! - *Orders* = distinct order ids among purchase lines; without order ids, purchase lines.

use crate::{CategoryId, Day, Money, OrderLine, RowRef};

/// A line dropped because an earlier line of the same customer has the same order id and product.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DuplicateLine {
    pub duplicate: RowRef,
    pub first_seen: RowRef,
}

/// Buffers reused from one customer to the next by [`dedup_lines_with`] and [`summarize_with`]:
/// summarising millions of customers then allocates only the vectors the summaries keep.
#[derive(Debug, Default)]
pub struct SummaryScratch {
    keys_seen: Vec<(u64, RowRef)>,
    day_amounts: Vec<(Day, Money)>,
    order_keys: Vec<u64>,
    categories: Vec<CategoryId>,
}

/// Sorts one customer's lines into input order and removes lines exported twice.
///
/// The first occurrence (by file, then line) is kept, so the result does not depend on the order in
/// which a parallel reader delivered the lines.
pub fn dedup_lines(lines: &mut Vec<OrderLine>) -> Vec<DuplicateLine> {
    dedup_lines_with(lines, &mut SummaryScratch::default())
}

/// [`dedup_lines`] with buffers reused across customers.
pub fn dedup_lines_with(
    lines: &mut Vec<OrderLine>,
    scratch: &mut SummaryScratch,
) -> Vec<DuplicateLine> {
    lines.sort_unstable_by_key(|l| l.row);
    if lines.iter().all(|l| l.line_key.is_none()) || lines.len() < 2 {
        return Vec::new();
    }
    let seen = &mut scratch.keys_seen;
    seen.clear();
    seen.extend(lines.iter().filter_map(|l| l.line_key.map(|k| (k, l.row))));
    // Sorting by (key, row) puts each key's first occurrence first.
    seen.sort_unstable();
    let mut duplicates = Vec::new();
    for pair in seen.windows(2) {
        if pair[0].0 == pair[1].0 {
            // Every later member of a run points at the run's first row.
            let first = seen[seen.partition_point(|&(k, _)| k < pair[0].0)].1;
            duplicates.push(DuplicateLine {
                duplicate: pair[1].1,
                first_seen: first,
            });
        }
    }
    if !duplicates.is_empty() {
        duplicates.sort_unstable_by_key(|d| d.duplicate);
        lines.retain(|l| {
            duplicates
                .binary_search_by_key(&l.row, |d| d.duplicate)
                .is_err()
        });
    }
    duplicates
}

/// Everything Clientele derives from one customer's order lines as of one day.
///
/// The lists are boxed slices, not vectors: they never grow after summarising, and at tens of
/// millions of customers the capacity words alone would be half a gigabyte.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerSummary {
    pub orders: u32,
    pub returns: u32,
    /// Distinct purchase days, ascending.
    pub days: Box<[Day]>,
    /// Amount bought on the first purchase day (zero without a purchase). With `gross_sales` it
    /// gives the value of every repeat purchase, which is what the spend models need.
    pub first_day_amount: Money,
    /// Amount bought on each of `days` (same index), returns not subtracted, when the summary was
    /// made with [`DayAmounts::Every`]; empty otherwise.
    pub day_amounts: Box<[Money]>,
    pub as_of: Day,
    /// Sum of purchase amounts, before returns.
    pub gross_sales: Money,
    /// Sum of all amounts: purchases minus returns.
    pub revenue: Money,
    pub cost: Money,
    /// Whether every line carried a cost; otherwise cost and profit are understated.
    pub cost_complete: bool,
    pub categories: Box<[CategoryId]>,
    /// Share of purchase lines sold at full price, among lines where the export tells.
    pub full_price_share: Option<f64>,
}

/// Statistics of the gaps between consecutive purchase days.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IntervalStats {
    pub count: u32,
    pub mean: f64,
    pub median: f64,
    /// Coefficient of variation (sample standard deviation / mean); `None` with fewer than two gaps.
    pub cv: Option<f64>,
}

impl CustomerSummary {
    /// The value bought on purchase days 2 to `n` (the repeat purchases among the first `n`),
    /// returns not subtracted. All `n` days' value is known from the sums alone; fewer need the
    /// amounts per day, so `None` when the summary has no [`DayAmounts::Every`] and `n` is short.
    pub fn repeat_value(&self, n: usize) -> Option<Money> {
        if n >= self.days.len() {
            return Some(self.gross_sales - self.first_day_amount);
        }
        if self.day_amounts.len() != self.days.len() {
            return None;
        }
        Some(
            self.day_amounts[1.min(n)..n]
                .iter()
                .fold(Money::ZERO, |sum, &m| sum + m),
        )
    }

    /// The first purchase day (read from `days` rather than stored: 8 bytes a customer each).
    pub fn first_purchase(&self) -> Option<Day> {
        self.days.first().copied()
    }

    /// The last purchase day.
    pub fn last_purchase(&self) -> Option<Day> {
        self.days.last().copied()
    }

    pub fn purchase_days(&self) -> u32 {
        self.days.len() as u32
    }

    /// Repeat purchase days: purchase days − 1 (0 for a customer with no purchase).
    pub fn frequency(&self) -> u32 {
        self.purchase_days().saturating_sub(1)
    }

    /// Days from first to last purchase.
    pub fn recency_days(&self) -> Option<i32> {
        Some(self.last_purchase()?.days_since(self.first_purchase()?))
    }

    /// Days from first purchase to the as-of date.
    pub fn tenure_days(&self) -> Option<i32> {
        Some(self.as_of.days_since(self.first_purchase()?))
    }

    /// Days from the last purchase to the as-of date.
    pub fn days_since_last(&self) -> Option<i32> {
        Some(self.as_of.days_since(self.last_purchase()?))
    }

    pub fn profit(&self) -> Money {
        self.revenue - self.cost
    }

    /// Gross sales per order; `None` without orders.
    pub fn average_order_value(&self) -> Option<Money> {
        (self.orders > 0)
            .then(|| Money::from_units(self.gross_sales.units() / i64::from(self.orders)))
    }

    pub fn intervals(&self) -> Option<IntervalStats> {
        interval_stats(&self.days)
    }
}

/// Gap statistics of ascending distinct days; `None` with fewer than two days.
pub fn interval_stats(days: &[Day]) -> Option<IntervalStats> {
    if days.len() < 2 {
        return None;
    }
    // Most customers have a handful of gaps: sort them on the stack.
    let mut small = [0i32; 32];
    let mut large = Vec::new();
    let gaps: &mut [i32] = if days.len() - 1 <= small.len() {
        let gaps = &mut small[..days.len() - 1];
        for (g, w) in gaps.iter_mut().zip(days.windows(2)) {
            *g = w[1].days_since(w[0]);
        }
        gaps
    } else {
        large.extend(days.windows(2).map(|w| w[1].days_since(w[0])));
        &mut large
    };
    let n = gaps.len();
    let mean = gaps.iter().map(|&g| f64::from(g)).sum::<f64>() / n as f64;
    gaps.sort_unstable();
    let median = if n % 2 == 1 {
        f64::from(gaps[n / 2])
    } else {
        (f64::from(gaps[n / 2 - 1]) + f64::from(gaps[n / 2])) / 2.0
    };
    let cv = (n >= 2).then(|| {
        let var = gaps
            .iter()
            .map(|&g| (f64::from(g) - mean).powi(2))
            .sum::<f64>()
            / (n - 1) as f64;
        var.sqrt() / mean
    });
    Some(IntervalStats {
        count: n as u32,
        mean,
        median,
        cv,
    })
}

/// Whether a summary keeps the amount bought on each purchase day.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DayAmounts {
    /// Only the first day's: with the gross sales that gives the repeat purchases' value as of
    /// the summary's day, without an allocation per customer (tens of millions of them).
    #[default]
    FirstOnly,
    /// Every day's: what a calibration period that ends before the as-of day needs.
    Every,
}

/// Summarises one customer's (deduplicated) lines as of `as_of`, keeping the amount of every
/// purchase day; lines after `as_of` are ignored.
pub fn summarize(lines: &[OrderLine], as_of: Day) -> CustomerSummary {
    summarize_with(
        lines,
        as_of,
        DayAmounts::Every,
        &mut SummaryScratch::default(),
    )
}

/// [`summarize`] with a choice of [`DayAmounts`] and buffers reused across customers; the
/// summary's own lists are allocated at their final size.
pub fn summarize_with(
    lines: &[OrderLine],
    as_of: Day,
    keep: DayAmounts,
    scratch: &mut SummaryScratch,
) -> CustomerSummary {
    let SummaryScratch {
        day_amounts,
        order_keys,
        categories,
        ..
    } = scratch;
    day_amounts.clear();
    order_keys.clear();
    categories.clear();
    let mut unkeyed_orders = 0u32;
    let mut returns = 0u32;
    let mut gross_sales = Money::ZERO;
    let mut revenue = Money::ZERO;
    let mut cost = Money::ZERO;
    let mut cost_complete = true;
    let (mut full, mut known) = (0u32, 0u32);

    for line in lines.iter().filter(|l| l.day <= as_of) {
        revenue += line.amount;
        match line.cost {
            Some(c) => cost += c,
            None => cost_complete = false,
        }
        if line.amount.is_negative() {
            returns += 1;
            continue;
        }
        gross_sales += line.amount;
        day_amounts.push((line.day, line.amount));
        match line.order_key {
            Some(k) => order_keys.push(k),
            None => unkeyed_orders += 1,
        }
        if let Some(c) = line.category {
            categories.push(c);
        }
        if let Some(f) = line.full_price {
            known += 1;
            full += u32::from(f);
        }
    }
    order_keys.sort_unstable();
    order_keys.dedup();
    categories.sort_unstable();
    categories.dedup();
    day_amounts.sort_unstable_by_key(|&(d, _)| d);
    let distinct = 1 + day_amounts.windows(2).filter(|w| w[0].0 != w[1].0).count();
    let distinct = if day_amounts.is_empty() { 0 } else { distinct };
    let mut days: Vec<Day> = Vec::with_capacity(distinct);
    let mut amounts: Vec<Money> = match keep {
        DayAmounts::Every => Vec::with_capacity(distinct),
        DayAmounts::FirstOnly => Vec::new(),
    };
    let mut first_day_amount = Money::ZERO;
    for &(day, amount) in day_amounts.iter() {
        if days.last() == Some(&day) {
            if keep == DayAmounts::Every {
                *amounts.last_mut().expect("parallel vectors") += amount;
            }
        } else {
            days.push(day);
            if keep == DayAmounts::Every {
                amounts.push(amount);
            }
        }
        if days.len() == 1 {
            first_day_amount += amount;
        }
    }
    CustomerSummary {
        orders: order_keys.len() as u32 + unkeyed_orders,
        returns,
        // Both were allocated at their final length, so boxing them copies nothing.
        days: days.into_boxed_slice(),
        first_day_amount,
        day_amounts: amounts.into_boxed_slice(),
        as_of,
        gross_sales,
        revenue,
        cost,
        cost_complete,
        categories: categories.as_slice().into(),
        full_price_share: (known > 0).then(|| f64::from(full) / f64::from(known)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).unwrap()
    }

    fn line(n: u64, d: Day, amount: i64, cost: Option<i64>) -> OrderLine {
        OrderLine {
            row: RowRef { file: 0, line: n },
            day: d,
            amount: Money::from_major(amount),
            cost: cost.map(Money::from_major),
            category: None,
            full_price: None,
            line_key: None,
            order_key: None,
        }
    }

    #[test]
    fn hand_computed_customer() {
        // Purchases on Jan 1 (two orders), Jan 11, Jan 31 and Mar 2; a return on Feb 1.
        let lines = vec![
            line(1, day(2024, 1, 1), 100, Some(60)),
            line(2, day(2024, 1, 1), 50, Some(30)),
            line(3, day(2024, 1, 11), 200, Some(150)),
            line(4, day(2024, 1, 31), 10, Some(4)),
            line(5, day(2024, 2, 1), -50, Some(-30)),
            line(6, day(2024, 3, 2), 40, Some(10)),
        ];
        let s = summarize(&lines, day(2024, 3, 31));
        assert_eq!(s.orders, 5);
        assert_eq!(s.returns, 1);
        assert_eq!(s.purchase_days(), 4);
        assert_eq!(s.frequency(), 3);
        assert_eq!(s.first_purchase(), Some(day(2024, 1, 1)));
        assert_eq!(s.last_purchase(), Some(day(2024, 3, 2)));
        assert_eq!(s.recency_days(), Some(61)); // Jan 1 → Mar 2 in a leap year
        assert_eq!(s.tenure_days(), Some(90));
        assert_eq!(s.days_since_last(), Some(29));
        assert_eq!(s.gross_sales, Money::from_major(400));
        assert_eq!(s.revenue, Money::from_major(350));
        assert_eq!(s.cost, Money::from_major(224));
        assert_eq!(s.profit(), Money::from_major(126));
        assert_eq!(s.average_order_value(), Some(Money::from_major(80)));
        assert_eq!(s.day_amounts[0], Money::from_major(150));
        assert_eq!(s.first_day_amount, Money::from_major(150));
        // Repeat days Jan 11, Jan 31 and Mar 2: 200 + 10 + 40, and the first two of them.
        assert_eq!(s.repeat_value(4), Some(Money::from_major(250)));
        assert_eq!(s.repeat_value(3), Some(Money::from_major(210)));
        assert_eq!(s.repeat_value(1), Some(Money::ZERO));
        let first_only = summarize_with(
            &lines,
            day(2024, 3, 31),
            DayAmounts::FirstOnly,
            &mut SummaryScratch::default(),
        );
        assert!(first_only.day_amounts.is_empty());
        assert_eq!(first_only.first_day_amount, Money::from_major(150));
        assert_eq!(first_only.repeat_value(4), Some(Money::from_major(250)));
        assert_eq!(first_only.repeat_value(3), None);
        // Gaps 10, 20, 31: mean 61/3, median 20, sd = sqrt(((10-20.333)^2+(20-20.333)^2+(31-20.333)^2)/2).
        let iv = s.intervals().unwrap();
        assert_eq!(iv.count, 3);
        assert!((iv.mean - 61.0 / 3.0).abs() < 1e-12);
        assert_eq!(iv.median, 20.0);
        let sd = ((10.0f64 - 61.0 / 3.0).powi(2)
            + (20.0f64 - 61.0 / 3.0).powi(2)
            + (31.0f64 - 61.0 / 3.0).powi(2))
            / 2.0;
        assert!((iv.cv.unwrap() - sd.sqrt() / (61.0 / 3.0)).abs() < 1e-12);
    }

    #[test]
    fn as_of_cuts_later_lines() {
        let lines = vec![
            line(1, day(2024, 1, 1), 100, None),
            line(2, day(2024, 2, 1), 100, None),
        ];
        let s = summarize(&lines, day(2024, 1, 15));
        assert_eq!(s.purchase_days(), 1);
        assert_eq!(s.revenue, Money::from_major(100));
        assert!(!s.cost_complete);
        assert_eq!(s.tenure_days(), Some(14));
    }

    #[test]
    fn order_keys_count_lines_of_one_order_once() {
        let mut a = line(1, day(2024, 1, 1), 10, None);
        a.order_key = Some(7);
        let mut b = line(2, day(2024, 1, 1), 20, None);
        b.order_key = Some(7);
        let s = summarize(&[a, b], day(2024, 1, 1));
        assert_eq!(s.orders, 1);
        assert_eq!(s.gross_sales, Money::from_major(30));
    }

    #[test]
    fn dedup_keeps_first_occurrence_in_input_order() {
        let mut lines: Vec<OrderLine> = (1..=5)
            .map(|n| {
                let mut l = line(n, day(2024, 1, 1), 10, None);
                l.line_key = Some(if n == 2 || n == 5 { 42 } else { n });
                l
            })
            .collect();
        lines.reverse();
        let dups = dedup_lines(&mut lines);
        assert_eq!(
            dups,
            vec![DuplicateLine {
                duplicate: RowRef { file: 0, line: 5 },
                first_seen: RowRef { file: 0, line: 2 },
            }]
        );
        assert_eq!(lines.len(), 4);
        assert!(lines.windows(2).all(|w| w[0].row < w[1].row));
    }

    #[test]
    fn single_purchase_has_no_intervals() {
        let s = summarize(&[line(1, day(2024, 1, 1), 5, None)], day(2024, 1, 1));
        assert_eq!(s.intervals(), None);
        assert_eq!(s.frequency(), 0);
        assert_eq!(s.recency_days(), Some(0));
    }
}
