//! Complaints and wishes, counted: categories over time, and which categories cost the most —
//! the complaining customers who later slipped or were lost, with the revenue and CLV that went
//! with them; and how well each manager keeps the response targets (the share answered and
//! resolved within target, with Wilson intervals, and the median times). The targets themselves
//! and what is overdue are in [`crate::closed_loop`].

use std::collections::BTreeMap;

use crate::closed_loop::TargetCompliance;

use crate::nps::{PeriodKey, PeriodKind};
use crate::{Day, Money, Status};

/// One complaining customer of a category and where they stand now.
#[derive(Clone, Debug, PartialEq)]
pub struct ComplaintOutcome<'a> {
    pub category: &'a str,
    /// Any key that tells customers apart (their id).
    pub customer: i64,
    /// Their status in the latest snapshot after the complaint; `None` when not scored since.
    pub later_status: Option<Status>,
    /// Their revenue to date in that snapshot.
    pub revenue: Money,
    pub clv: Option<f64>,
}

/// What one category's complaints cost.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryCost {
    pub category: String,
    pub complaints: u64,
    /// Distinct complaining customers.
    pub customers: u64,
    pub slipping: u64,
    pub lost: u64,
    /// Revenue to date of the customers now slipping or lost.
    pub revenue_at_risk: Money,
    /// CLV of the customers now slipping or lost, where known.
    pub clv_at_risk: f64,
}

/// Per category: complaints, customers, how many of them are now slipping or lost, and the
/// revenue and CLV at risk; ordered by revenue at risk (largest first), then by category. A
/// customer with several complaints in one category counts once there (with the latest status
/// given), and in every category they complained in.
pub fn costliest_categories<'a>(
    outcomes: impl IntoIterator<Item = ComplaintOutcome<'a>>,
) -> Vec<CategoryCost> {
    let mut by_category: BTreeMap<&'a str, (u64, BTreeMap<i64, ComplaintOutcome<'a>>)> =
        BTreeMap::new();
    for o in outcomes {
        let entry = by_category.entry(o.category).or_default();
        entry.0 += 1;
        entry.1.insert(o.customer, o);
    }
    let mut rows: Vec<CategoryCost> = by_category
        .into_iter()
        .map(|(category, (complaints, customers))| {
            let mut row = CategoryCost {
                category: category.to_string(),
                complaints,
                customers: customers.len() as u64,
                slipping: 0,
                lost: 0,
                revenue_at_risk: Money::ZERO,
                clv_at_risk: 0.0,
            };
            for c in customers.values() {
                match c.later_status {
                    Some(Status::Slipping) => row.slipping += 1,
                    Some(Status::Lost) => row.lost += 1,
                    _ => continue,
                }
                row.revenue_at_risk = Money::from_units(
                    row.revenue_at_risk
                        .units()
                        .saturating_add(c.revenue.units()),
                );
                if let Some(clv) = c.clv.filter(|v| v.is_finite()) {
                    row.clv_at_risk += clv;
                }
            }
            row
        })
        .collect();
    rows.sort_by(|a, b| {
        b.revenue_at_risk
            .cmp(&a.revenue_at_risk)
            .then_with(|| a.category.cmp(&b.category))
    });
    rows
}

/// Complaints per period and category: every period from the first complaint's to the last's
/// (empty ones included, so a chart shows the gaps), each with its categories in name order.
pub fn categories_over_time<'a>(
    complaints: impl IntoIterator<Item = (Day, &'a str)>,
    kind: PeriodKind,
) -> Vec<(PeriodKey, Vec<(String, u64)>)> {
    let mut counts: BTreeMap<PeriodKey, BTreeMap<&'a str, u64>> = BTreeMap::new();
    for (day, category) in complaints {
        *counts
            .entry(PeriodKey::of(day, kind))
            .or_default()
            .entry(category)
            .or_default() += 1;
    }
    let (Some(&first), Some(&last)) = (counts.keys().next(), counts.keys().next_back()) else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    let mut key = first;
    while key <= last {
        let cats = counts
            .remove(&key)
            .unwrap_or_default()
            .into_iter()
            .map(|(c, n)| (c.to_string(), n))
            .collect();
        rows.push((key, cats));
        key = key.next();
    }
    rows
}

/// One entry's times (Unix seconds), for [`response_compliance`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntryTimes {
    pub received_at: i64,
    pub first_response_due: i64,
    pub first_response_at: Option<i64>,
    pub resolution_due: i64,
    pub resolved_at: Option<i64>,
}

/// How a set of entries kept their targets as of a moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResponseCompliance {
    pub entries: u64,
    /// Not yet resolved.
    pub open: u64,
    /// Open past the first-response or the resolution target.
    pub overdue: u64,
    /// First responses within target, late (or still missing past the target), and pending
    /// (missing, not yet due: counted neither way).
    pub first_response: TargetCompliance,
    pub resolution: TargetCompliance,
    /// The median hours from receipt to the first response, over the entries answered so far
    /// (`None` when none is); entries still waiting are in `first_response.pending`/`late`.
    pub median_first_response_hours: Option<f64>,
    /// The median hours from receipt to resolution, over the entries resolved so far.
    pub median_resolution_hours: Option<f64>,
}

/// The median of `values` (the mean of the middle two for an even count); `None` when empty.
fn median_hours(mut seconds: Vec<i64>) -> Option<f64> {
    if seconds.is_empty() {
        return None;
    }
    seconds.sort_unstable();
    let n = seconds.len();
    let mid = if n % 2 == 1 {
        seconds[n / 2] as f64
    } else {
        (seconds[n / 2 - 1] as f64 + seconds[n / 2] as f64) / 2.0
    };
    Some(mid / 3_600.0)
}

/// The compliance of `entries` as of `now`. A response recorded before the entry's receipt
/// (clock skew between systems) counts as a zero-hour response, never a negative one.
pub fn response_compliance(
    entries: impl IntoIterator<Item = EntryTimes>,
    now: i64,
) -> ResponseCompliance {
    let mut c = ResponseCompliance::default();
    let mut firsts = Vec::new();
    let mut resolutions = Vec::new();
    for e in entries {
        c.entries += 1;
        c.first_response
            .add(e.first_response_due, e.first_response_at, now);
        c.resolution.add(e.resolution_due, e.resolved_at, now);
        if e.resolved_at.is_none() {
            c.open += 1;
            if crate::closed_loop::overdue(e.first_response_due, e.first_response_at, now)
                || crate::closed_loop::overdue(e.resolution_due, None, now)
            {
                c.overdue += 1;
            }
        }
        if let Some(at) = e.first_response_at {
            firsts.push((at - e.received_at).max(0));
        }
        if let Some(at) = e.resolved_at {
            resolutions.push((at - e.received_at).max(0));
        }
    }
    c.median_first_response_hours = median_hours(firsts);
    c.median_resolution_hours = median_hours(resolutions);
    c
}

/// [`response_compliance`] per group (a manager, a severity...), groups in key order.
pub fn compliance_by<K: Ord>(
    entries: impl IntoIterator<Item = (K, EntryTimes)>,
    now: i64,
) -> Vec<(K, ResponseCompliance)> {
    let mut groups: BTreeMap<K, Vec<EntryTimes>> = BTreeMap::new();
    for (k, e) in entries {
        groups.entry(k).or_default().push(e);
    }
    groups
        .into_iter()
        .map(|(k, es)| (k, response_compliance(es, now)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(
        category: &str,
        customer: i64,
        status: Option<Status>,
        revenue: i64,
    ) -> ComplaintOutcome<'_> {
        ComplaintOutcome {
            category,
            customer,
            later_status: status,
            revenue: Money::from_major(revenue),
            clv: Some(revenue as f64 / 2.0),
        }
    }

    #[test]
    fn the_costliest_category_comes_first() {
        let rows = costliest_categories([
            o("delivery", 1, Some(Status::Lost), 500),
            o("delivery", 1, Some(Status::Lost), 500), // same customer again
            o("delivery", 2, Some(Status::Active), 900),
            o("quality", 3, Some(Status::Slipping), 100),
            o("quality", 4, Some(Status::Lost), 100),
            o("price", 5, None, 10_000),
        ]);
        let names: Vec<&str> = rows.iter().map(|r| r.category.as_str()).collect();
        assert_eq!(names, ["delivery", "quality", "price"]);
        let d = &rows[0];
        assert_eq!(
            (d.complaints, d.customers, d.slipping, d.lost),
            (3, 2, 0, 1)
        );
        assert_eq!(d.revenue_at_risk, Money::from_major(500));
        assert_eq!(d.clv_at_risk, 250.0);
        let q = &rows[1];
        assert_eq!((q.slipping, q.lost), (1, 1));
        assert_eq!(q.revenue_at_risk, Money::from_major(200));
        // A customer not scored since is not at risk.
        assert_eq!(rows[2].revenue_at_risk, Money::ZERO);
        assert!(costliest_categories([]).is_empty());
    }

    #[test]
    fn categories_over_time_keep_empty_months() {
        let d = |y, m, dd| Day::from_ymd(y, m, dd).unwrap();
        let rows = categories_over_time(
            [
                (d(2024, 1, 5), "delivery"),
                (d(2024, 1, 30), "delivery"),
                (d(2024, 1, 9), "price"),
                (d(2024, 3, 1), "quality"),
            ],
            PeriodKind::Month,
        );
        let text: Vec<String> = rows.iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(text, ["2024-01", "2024-02", "2024-03"]);
        assert_eq!(
            rows[0].1,
            vec![("delivery".to_string(), 2), ("price".to_string(), 1)]
        );
        assert!(rows[1].1.is_empty());
        assert_eq!(rows[2].1, vec![("quality".to_string(), 1)]);
        let quarters = categories_over_time(
            [(d(2024, 1, 5), "x"), (d(2024, 3, 5), "x")],
            PeriodKind::Quarter,
        );
        assert_eq!(quarters.len(), 1);
        assert_eq!(quarters[0].1, vec![("x".to_string(), 2)]);
    }

    const H: i64 = 3_600;

    fn e(first_due: i64, first: Option<i64>, res_due: i64, res: Option<i64>) -> EntryTimes {
        EntryTimes {
            received_at: 0,
            first_response_due: first_due * H,
            first_response_at: first.map(|h| h * H),
            resolution_due: res_due * H,
            resolved_at: res.map(|h| h * H),
        }
    }

    #[test]
    fn compliance_counts_by_hand() {
        let now = 100 * H;
        // Answered in 2 h (due 24), answered in 30 h (late), never answered past due,
        // never answered and due later than now (pending).
        let c = response_compliance(
            [
                e(24, Some(2), 72, Some(10)),
                e(24, Some(30), 72, None),
                e(24, None, 72, None),
                e(200, None, 300, None),
            ],
            now,
        );
        assert_eq!(c.entries, 4);
        assert_eq!(c.open, 3);
        // The second is past its resolution due (72 < 100); the third past both.
        assert_eq!(c.overdue, 2);
        assert_eq!(
            (
                c.first_response.within,
                c.first_response.late,
                c.first_response.pending
            ),
            (1, 2, 1)
        );
        assert_eq!(
            (c.resolution.within, c.resolution.late, c.resolution.pending),
            (1, 2, 1)
        );
        // Median of 2 h and 30 h: 16 h; one resolution, 10 h.
        assert_eq!(c.median_first_response_hours, Some(16.0));
        assert_eq!(c.median_resolution_hours, Some(10.0));
        assert!((c.first_response.share().unwrap() - 1.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn empty_and_skewed_entries_give_defined_answers() {
        let c = response_compliance([], 0);
        assert_eq!(c.entries, 0);
        assert_eq!(c.first_response.share(), None);
        assert_eq!(c.median_first_response_hours, None);
        // A response stamped before receipt counts as zero hours.
        let skewed = EntryTimes {
            received_at: 10 * H,
            first_response_due: 20 * H,
            first_response_at: Some(9 * H),
            resolution_due: 30 * H,
            resolved_at: None,
        };
        let c = response_compliance([skewed], 11 * H);
        assert_eq!(c.median_first_response_hours, Some(0.0));
        assert_eq!(c.first_response.within, 1);
        assert_eq!(median_hours(vec![3 * H, H, 2 * H]), Some(2.0));
    }

    #[test]
    fn compliance_by_group_keeps_groups_apart() {
        let rows = compliance_by(
            [
                ("b", e(24, Some(1), 48, Some(2))),
                ("a", e(24, Some(25), 48, Some(50))),
                ("b", e(24, Some(3), 48, Some(4))),
            ],
            100 * H,
        );
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, "a");
        assert_eq!(rows[0].1.first_response.late, 1);
        assert_eq!(rows[1].1.first_response.within, 2);
        assert_eq!(rows[1].1.median_first_response_hours, Some(2.0));
    }
}
