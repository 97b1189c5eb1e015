//! Which rungs buy what: per rung of the ladder, how many of its customers bought each
//! category (issue 28 item 5). The same input as [`super::CrossSell`]: every customer's rung
//! and the categories they bought.

use std::collections::HashMap;

use crate::{CategoryId, Rung};

/// One category's buyers within a rung.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RungCategory {
    pub category: CategoryId,
    /// Customers of the rung who bought it.
    pub buyers: u32,
    /// buyers / the rung's customers, 0..1.
    pub share: f64,
}

/// A rung's customers and what they buy.
#[derive(Clone, Debug, PartialEq)]
pub struct RungBuys {
    pub rung: Rung,
    /// Customers of the rung counted (with or without categories).
    pub customers: u32,
    /// Categories bought by at least one of them: most buyers first, then the smaller id.
    pub categories: Vec<RungCategory>,
}

/// Every rung in ladder order ([`Rung::ALL`]), each with its customers and the categories
/// they bought. A customer's repeated categories count once.
pub fn rung_buys<'a>(
    customers: impl IntoIterator<Item = (Rung, &'a [CategoryId])>,
) -> Vec<RungBuys> {
    let mut counts: Vec<(u32, HashMap<CategoryId, u32>)> =
        vec![(0, HashMap::new()); Rung::ALL.len()];
    let mut distinct: Vec<CategoryId> = Vec::new();
    for (rung, bought) in customers {
        let r = Rung::ALL.iter().position(|&x| x == rung).unwrap_or(0);
        counts[r].0 += 1;
        distinct.clear();
        distinct.extend_from_slice(bought);
        distinct.sort_unstable();
        distinct.dedup();
        for &c in &distinct {
            *counts[r].1.entry(c).or_default() += 1;
        }
    }
    Rung::ALL
        .iter()
        .zip(counts)
        .map(|(&rung, (customers, by_category))| {
            let mut categories: Vec<RungCategory> = by_category
                .into_iter()
                .map(|(category, buyers)| RungCategory {
                    category,
                    buyers,
                    // customers ≥ buyers ≥ 1 here.
                    share: f64::from(buyers) / f64::from(customers),
                })
                .collect();
            categories.sort_by(|a, b| b.buyers.cmp(&a.buyers).then(a.category.cmp(&b.category)));
            RungBuys {
                rung,
                customers,
                categories,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rungs_and_their_categories_counted_by_hand() {
        let (a, b, c) = (CategoryId(0), CategoryId(1), CategoryId(2));
        let customers: Vec<(Rung, Vec<CategoryId>)> = vec![
            (Rung::Regular, vec![a, b, a]),
            (Rung::Regular, vec![a]),
            (Rung::Regular, vec![]),
            (Rung::Regular, vec![c]),
            (Rung::Advocate, vec![b, c]),
        ];
        let got = rung_buys(customers.iter().map(|(r, v)| (*r, v.as_slice())));
        assert_eq!(got.len(), 5);
        assert_eq!(
            got.iter()
                .map(|r| (r.rung, r.customers))
                .collect::<Vec<_>>(),
            vec![
                (Rung::Prospect, 0),
                (Rung::Visitor, 0),
                (Rung::Newcomer, 0),
                (Rung::Regular, 4),
                (Rung::Advocate, 1),
            ]
        );
        // Regulars: a by 2 of 4 (the first customer's two a's count once), b and c by 1 each.
        assert_eq!(
            got[3].categories,
            vec![
                RungCategory {
                    category: a,
                    buyers: 2,
                    share: 0.5
                },
                RungCategory {
                    category: b,
                    buyers: 1,
                    share: 0.25
                },
                RungCategory {
                    category: c,
                    buyers: 1,
                    share: 0.25
                },
            ]
        );
        assert_eq!(
            got[4].categories,
            vec![
                RungCategory {
                    category: b,
                    buyers: 1,
                    share: 1.0
                },
                RungCategory {
                    category: c,
                    buyers: 1,
                    share: 1.0
                },
            ]
        );
        assert!(got[0].categories.is_empty());
    }
}
