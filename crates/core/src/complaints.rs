//! Complaints and wishes, counted: categories over time, and which categories cost the most —
//! the complaining customers who later slipped or were lost, with the revenue and CLV that went
//! with them. Response targets and what is overdue are in [`crate::closed_loop`].

use std::collections::BTreeMap;

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
}
