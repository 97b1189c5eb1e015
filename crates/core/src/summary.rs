//! The per-customer summary: one definition of every count, date and sum the rest of Clientele uses.
//!
//! # Definitions
//! - A *purchase* is an order line with amount ≥ 0; a line with a negative amount is a *return*:
//!   it reduces revenue and cost but is not a purchase. (A negative quantity at a positive price
//!   gives a negative amount, so it is a return too.)
//! - *Returns are matched to their orders* (see [`match_returns`]): a return with an order id
//!   belongs to the customer's order with that id, or with that id once a return mark is removed
//!   ([`returned_order_id`]: the demo's "R" + order id, 1C's "В-" + order id); a return without an
//!   order id belongs to the customer's latest order of the [`RETURN_WINDOW_DAYS`] before it whose
//!   remaining amount it equals exactly (a whole order taken back). A return that matches no order
//!   is *unmatched*: it reduces revenue and is counted in [`CustomerSummary::unmatched_returns`]
//!   so the report can say so, but it takes back no purchase — nothing is guessed.
//! - A *fully returned* order (its matched returns add up to at least its amount) is not a
//!   purchase: its days, amount and order count are left out of everything below. A partly
//!   returned order is a purchase worth its net amount (on its first day).
//! - *Purchase days*: distinct days with at least one purchase (several orders on one day are one
//!   purchase, as the customer-base literature counts them); *frequency* = purchase days − 1.
//! - *Recency* = days from the first to the last purchase day (the `t_x` of BG/NBD);
//!   *tenure* = days from the first purchase day to the as-of date (the `T`).
//! - *Revenue* = sum of all amounts (returns included), *cost* likewise, *profit* = revenue − cost.
//! - *Orders* = distinct order ids among purchase lines; without order ids, purchase lines.

use crate::{CategoryId, Day, Money, OrderLine, RowRef};

/// How many days before a return without an order id its order is looked for (among orders whose
/// remaining amount the return equals). Fourteen days is the Russian consumer-law window for
/// goods of proper quality; distance sales and defects take longer, so twice that and more.
pub const RETURN_WINDOW_DAYS: i32 = 60;

/// The id of the order a return refers to, given the return row's own order id: the id without a
/// leading return mark — "R", "R-", "RET-" (Latin) or "В-", "ВЗ-" (Cyrillic, "возврат"), upper
/// case only — when something is left after it, else the id itself (a return that carries its
/// order's id, as 1C's return documents and many CRMs do).
pub fn returned_order_id(id: &str) -> &str {
    for mark in ["RET-", "R-", "ВЗ-", "В-", "R"] {
        if let Some(rest) = id.strip_prefix(mark)
            && !rest.is_empty()
        {
            return rest;
        }
    }
    id
}

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
    /// Purchase orders, fully returned ones left out.
    pub orders: u32,
    /// Return lines.
    pub returns: u32,
    /// Return lines that matched none of the customer's orders (see the module's definitions):
    /// they reduce revenue but take back no purchase.
    pub unmatched_returns: u32,
    /// Distinct purchase days, ascending.
    pub days: Box<[Day]>,
    /// Amount bought on the first purchase day (zero without a purchase). With `gross_sales` it
    /// gives the value of every repeat purchase, which is what the spend models need.
    pub first_day_amount: Money,
    /// Amount bought on each of `days` (same index), net of the returns matched to its orders,
    /// when the summary was made with [`DayAmounts::Every`]; empty otherwise.
    pub day_amounts: Box<[Money]>,
    pub as_of: Day,
    /// Sum of purchase amounts net of the returns matched to them (a fully returned order adds
    /// nothing); unmatched returns are not subtracted.
    pub gross_sales: Money,
    /// Sum of all amounts: purchases minus every return, matched or not.
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
    /// net of matched returns. All `n` days' value is known from the sums alone; fewer need the
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

/// Which of a customer's purchase lines an order is made of: one order id, or one line without.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum OrderOf {
    Key(u64),
    Line(RowRef),
}

impl OrderOf {
    fn of(line: &OrderLine) -> OrderOf {
        match line.order_key {
            Some(k) => OrderOf::Key(k),
            None => OrderOf::Line(line.row),
        }
    }
}

/// One order and what was taken back of it.
#[derive(Clone, Copy, Debug)]
struct OrderTally {
    of: OrderOf,
    first_day: Day,
    bought: Money,
    /// The matched returns' amounts (zero or negative).
    returned: Money,
}

impl OrderTally {
    fn net(&self) -> Money {
        self.bought + self.returned
    }

    /// An order with a matched return whose returns add up to at least its amount.
    fn fully_returned(&self) -> bool {
        self.returned != Money::ZERO && self.net() <= Money::ZERO
    }
}

/// The customer's orders with their matched returns (sorted by [`OrderOf`]), and how many
/// returns matched none.
#[derive(Debug, Default)]
pub struct ReturnMatches {
    orders: Vec<OrderTally>,
    /// Return lines that matched no order.
    pub unmatched: u32,
}

impl ReturnMatches {
    fn order(&self, line: &OrderLine) -> Option<&OrderTally> {
        let of = OrderOf::of(line);
        self.orders
            .binary_search_by(|o| o.of.cmp(&of))
            .ok()
            .map(|i| &self.orders[i])
    }

    /// Whether the purchase `line` belongs to a fully returned order.
    pub fn fully_returned(&self, line: &OrderLine) -> bool {
        self.order(line).is_some_and(OrderTally::fully_returned)
    }

    /// The orders that kept part of their amount after returns: (first day, amount taken back).
    fn partly_returned(&self) -> impl Iterator<Item = (Day, Money)> + '_ {
        self.orders
            .iter()
            .filter(|o| o.returned != Money::ZERO && !o.fully_returned())
            .map(|o| (o.first_day, o.returned))
    }
}

/// Matches one customer's returns (up to `as_of`) to their orders by the rule in the module's
/// definitions. Returns are taken in day order (then input order), so that of two returns without
/// an order id the earlier one takes the order it equals.
pub fn match_returns(lines: &[OrderLine], as_of: Day) -> ReturnMatches {
    let mut orders: Vec<OrderTally> = Vec::new();
    for line in lines
        .iter()
        .filter(|l| l.day <= as_of && !l.amount.is_negative())
    {
        orders.push(OrderTally {
            of: OrderOf::of(line),
            first_day: line.day,
            bought: line.amount,
            returned: Money::ZERO,
        });
    }
    orders.sort_unstable_by_key(|o| (o.of, o.first_day));
    orders.dedup_by(|later, first| {
        let same = later.of == first.of;
        if same {
            first.bought += later.bought;
        }
        same
    });
    let mut returns: Vec<&OrderLine> = lines
        .iter()
        .filter(|l| l.day <= as_of && l.amount.is_negative())
        .collect();
    returns.sort_unstable_by_key(|l| (l.day, l.row));
    let mut unmatched = 0u32;
    for ret in returns {
        let found = match ret.order_key {
            Some(k) => orders.binary_search_by(|o| o.of.cmp(&OrderOf::Key(k))).ok(),
            // Without an order id: the latest order of the window that the return takes back
            // whole; ties go to the later order in the file.
            None => orders
                .iter()
                .enumerate()
                .filter(|(_, o)| {
                    let before = ret.day.days_since(o.first_day);
                    (0..=RETURN_WINDOW_DAYS).contains(&before)
                        && o.net() > Money::ZERO
                        && o.net() == Money::ZERO - ret.amount
                })
                .max_by_key(|(_, o)| (o.first_day, o.of))
                .map(|(i, _)| i),
        };
        match found {
            Some(i) => orders[i].returned += ret.amount,
            None => unmatched += 1,
        }
    }
    ReturnMatches { orders, unmatched }
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
    // Most customers return nothing: they skip the matching altogether.
    let matches = lines
        .iter()
        .any(|l| l.day <= as_of && l.amount.is_negative())
        .then(|| match_returns(lines, as_of));
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
        if matches.as_ref().is_some_and(|m| m.fully_returned(line)) {
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
    if let Some(m) = &matches {
        // A partly returned order is worth its net amount, taken off on its first day.
        for (day, returned) in m.partly_returned() {
            gross_sales += returned;
            day_amounts.push((day, returned));
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
        unmatched_returns: matches.map_or(0, |m| m.unmatched),
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
        // Purchases on Jan 1 (two orders), Jan 11, Jan 31 and Mar 2; a return on Feb 1 without an
        // order id, which takes back the 50 of Jan 1 whole (the only order of the 60 days before
        // it worth 50), so that order is no purchase.
        let lines = vec![
            line(1, day(2024, 1, 1), 100, Some(60)),
            line(2, day(2024, 1, 1), 50, Some(30)),
            line(3, day(2024, 1, 11), 200, Some(150)),
            line(4, day(2024, 1, 31), 10, Some(4)),
            line(5, day(2024, 2, 1), -50, Some(-30)),
            line(6, day(2024, 3, 2), 40, Some(10)),
        ];
        let s = summarize(&lines, day(2024, 3, 31));
        assert_eq!(s.orders, 4);
        assert_eq!(s.returns, 1);
        assert_eq!(s.unmatched_returns, 0);
        assert_eq!(s.purchase_days(), 4);
        assert_eq!(s.frequency(), 3);
        assert_eq!(s.first_purchase(), Some(day(2024, 1, 1)));
        assert_eq!(s.last_purchase(), Some(day(2024, 3, 2)));
        assert_eq!(s.recency_days(), Some(61)); // Jan 1 → Mar 2 in a leap year
        assert_eq!(s.tenure_days(), Some(90));
        assert_eq!(s.days_since_last(), Some(29));
        assert_eq!(s.gross_sales, Money::from_major(350));
        assert_eq!(s.revenue, Money::from_major(350));
        assert_eq!(s.cost, Money::from_major(224));
        assert_eq!(s.profit(), Money::from_major(126));
        assert_eq!(s.average_order_value(), Some(Money::from_units(875_000)));
        assert_eq!(s.day_amounts[0], Money::from_major(100));
        assert_eq!(s.first_day_amount, Money::from_major(100));
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
        assert_eq!(first_only.first_day_amount, Money::from_major(100));
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

    fn keyed(mut l: OrderLine, order: u64) -> OrderLine {
        l.order_key = Some(order);
        l.line_key = Some(order * 31 + u64::from(l.amount.is_negative()));
        l
    }

    #[test]
    fn return_marks_lead_to_the_order() {
        assert_eq!(returned_order_id("RO00000123"), "O00000123");
        assert_eq!(returned_order_id("R-77"), "77");
        assert_eq!(returned_order_id("RET-77"), "77");
        assert_eq!(returned_order_id("В-000123"), "000123");
        assert_eq!(returned_order_id("ВЗ-000123"), "000123");
        // An id that is the order's own, a bare mark, and a lower-case letter stay as they are.
        assert_eq!(returned_order_id("O00000123"), "O00000123");
        assert_eq!(returned_order_id("R"), "R");
        assert_eq!(returned_order_id("r15"), "r15");
    }

    #[test]
    fn a_fully_returned_order_is_not_a_purchase() {
        // Orders on Jan 1 (order 1) and Feb 10 (order 2); order 2 is returned whole on Feb 20,
        // so the last purchase is Jan 1 and the customer has bought once.
        let lines = vec![
            keyed(line(1, day(2024, 1, 1), 100, None), 1),
            keyed(line(2, day(2024, 2, 10), 300, None), 2),
            keyed(line(3, day(2024, 2, 20), -300, None), 2),
        ];
        let s = summarize(&lines, day(2024, 3, 1));
        assert_eq!(s.days.as_ref(), &[day(2024, 1, 1)]);
        assert_eq!(s.days_since_last(), Some(60));
        assert_eq!(s.frequency(), 0);
        assert_eq!(s.orders, 1);
        assert_eq!(s.returns, 1);
        assert_eq!(s.unmatched_returns, 0);
        assert_eq!(s.gross_sales, Money::from_major(100));
        assert_eq!(s.revenue, Money::from_major(100));
        // As of a day before the return, the order is still a purchase.
        let before = summarize(&lines, day(2024, 2, 15));
        assert_eq!(before.last_purchase(), Some(day(2024, 2, 10)));
        assert_eq!(before.gross_sales, Money::from_major(400));
    }

    #[test]
    fn a_partly_returned_order_counts_with_its_net_amount() {
        // Order 2 of two lines (200 + 100) on Feb 10; one line (100) comes back on Feb 12.
        let lines = vec![
            keyed(line(1, day(2024, 1, 1), 50, None), 1),
            keyed(line(2, day(2024, 2, 10), 200, None), 2),
            keyed(line(3, day(2024, 2, 10), 100, None), 2),
            keyed(line(4, day(2024, 2, 12), -100, None), 2),
        ];
        let s = summarize(&lines, day(2024, 3, 1));
        assert_eq!(s.days.as_ref(), &[day(2024, 1, 1), day(2024, 2, 10)]);
        assert_eq!(s.orders, 2);
        assert_eq!(
            s.day_amounts.as_ref(),
            &[Money::from_major(50), Money::from_major(200)]
        );
        assert_eq!(s.gross_sales, Money::from_major(250));
        assert_eq!(s.repeat_value(2), Some(Money::from_major(200)));
        assert_eq!(s.revenue, Money::from_major(250));
    }

    #[test]
    fn an_unmatched_return_is_counted_not_guessed() {
        // A return whose order id names no order of the customer, and one without an order id
        // that equals no order of the 60 days before it (the 80 of Jan 1 is 70 days earlier, and
        // the 90 of Mar 1 is not what was returned): both reduce revenue and take back nothing.
        let lines = vec![
            line(1, day(2024, 1, 1), 80, None),
            line(2, day(2024, 3, 1), 90, None),
            keyed(line(3, day(2024, 3, 5), -40, None), 9),
            line(4, day(2024, 3, 11), -80, None),
        ];
        let s = summarize(&lines, day(2024, 3, 31));
        assert_eq!(s.returns, 2);
        assert_eq!(s.unmatched_returns, 2);
        assert_eq!(s.days.len(), 2);
        assert_eq!(s.gross_sales, Money::from_major(170));
        assert_eq!(s.revenue, Money::from_major(50));
    }

    #[test]
    fn a_return_without_an_order_id_takes_the_latest_equal_order() {
        // Two orders of 70 (Jan 10 and Feb 1) and one of 30 (Feb 5): a return of 70 on Feb 20
        // takes back Feb 1's, the latest one it equals.
        let lines = vec![
            line(1, day(2024, 1, 10), 70, None),
            line(2, day(2024, 2, 1), 70, None),
            line(3, day(2024, 2, 5), 30, None),
            line(4, day(2024, 2, 20), -70, None),
        ];
        let s = summarize(&lines, day(2024, 3, 1));
        assert_eq!(s.days.as_ref(), &[day(2024, 1, 10), day(2024, 2, 5)]);
        assert_eq!(s.unmatched_returns, 0);
        assert_eq!(s.orders, 2);
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
