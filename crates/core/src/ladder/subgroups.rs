//! Profit sub-groups inside a rung: by terciles of profit or by fixed limits.

use rayon::prelude::*;

use crate::Money;

use super::SubgroupRule;

/// Profit sub-group inside a rung.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subgroup {
    Profitable,
    Middling,
    Unprofitable,
}

impl Subgroup {
    pub const ALL: [Subgroup; 3] = [
        Subgroup::Profitable,
        Subgroup::Middling,
        Subgroup::Unprofitable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Subgroup::Profitable => "profitable",
            Subgroup::Middling => "middling",
            Subgroup::Unprofitable => "unprofitable",
        }
    }
}

/// Profit sub-groups for customers on one rung. `None` for people without purchases.
///
/// Terciles rank by mid-rank quantile, so equal profits always share a sub-group and the result
/// does not depend on input order.
pub fn assign_subgroups(profits: &[Option<Money>], rule: SubgroupRule) -> Vec<Option<Subgroup>> {
    match rule {
        SubgroupRule::Thresholds {
            unprofitable_below,
            profitable_from,
        } => profits
            .iter()
            .map(|p| {
                p.map(|p| {
                    if p < unprofitable_below {
                        Subgroup::Unprofitable
                    } else if p >= profitable_from {
                        Subgroup::Profitable
                    } else {
                        Subgroup::Middling
                    }
                })
            })
            .collect(),
        SubgroupRule::Terciles => {
            // A customer's group depends on twice their mid-rank, 2·below + equal, against 2n/3
            // and 4n/3; that grows with the profit, so each group is a range of profits and two
            // thresholds decide everything. Each is found by a selection, not a sort.
            let mut known: Vec<Money> = profits.iter().flatten().copied().collect();
            let n = known.len() as u64;
            let middling_from = tercile_threshold(&mut known, 2 * n);
            let profitable_from = tercile_threshold(&mut known, 4 * n);
            profits
                .par_iter()
                .map(|p| {
                    p.map(|p| {
                        if middling_from.is_none_or(|t| p < t) {
                            Subgroup::Unprofitable
                        } else if profitable_from.is_none_or(|t| p < t) {
                            Subgroup::Middling
                        } else {
                            Subgroup::Profitable
                        }
                    })
                })
                .collect()
        }
    }
}

/// The smallest of `values` whose mid-rank reaches `bound`: 3·(2·below + equal) ≥ `bound`, with
/// `below` and `equal` the numbers of values under and equal to it; `None` when none does.
///
/// Twice the mid-rank grows strictly from one distinct value to the next, so the answer is the
/// value v at sorted position j = ⌊bound/6⌋ or the next distinct value above it: every value
/// under v has 2·below + equal < 2j ≤ bound/3, and the next one above v has at least
/// 2(j + 1) + 1 > bound/3. One selection, which reorders `values` (nothing here depends on
/// their order), and one counting pass.
fn tercile_threshold(values: &mut [Money], bound: u64) -> Option<Money> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let j = ((bound / 6) as usize).min(n - 1);
    let v = *values.select_nth_unstable(j).1;
    let (below, equal, next) = values
        .par_iter()
        .fold(
            || (0u64, 0u64, None::<Money>),
            |(below, equal, next), &p| match p.cmp(&v) {
                std::cmp::Ordering::Less => (below + 1, equal, next),
                std::cmp::Ordering::Equal => (below, equal + 1, next),
                std::cmp::Ordering::Greater => (below, equal, Some(next.map_or(p, |q| q.min(p)))),
            },
        )
        .reduce(
            || (0, 0, None),
            |a, b| {
                let next = match (a.2, b.2) {
                    (Some(x), Some(y)) => Some(x.min(y)),
                    (x, y) => x.or(y),
                };
                (a.0 + b.0, a.1 + b.1, next)
            },
        );
    if 3 * (2 * below + equal) >= bound {
        Some(v)
    } else {
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{any, prop_oneof};
    use proptest::strategy::Strategy as _;

    #[test]
    fn subgroups_by_terciles_and_thresholds() {
        let profits: Vec<Option<Money>> = [1, 2, 3, 4, 5, 6]
            .iter()
            .map(|&v| Some(Money::from_major(v)))
            .chain([None])
            .collect();
        let g = assign_subgroups(&profits, SubgroupRule::Terciles);
        use Subgroup::*;
        assert_eq!(
            g,
            vec![
                Some(Unprofitable),
                Some(Unprofitable),
                Some(Middling),
                Some(Middling),
                Some(Profitable),
                Some(Profitable),
                None
            ]
        );
        let lone = assign_subgroups(&[Some(Money::from_major(-5))], SubgroupRule::Terciles);
        assert_eq!(lone, vec![Some(Middling)]);
        let rule = SubgroupRule::Thresholds {
            unprofitable_below: Money::ZERO,
            profitable_from: Money::from_major(5),
        };
        let g = assign_subgroups(
            &[
                Some(Money::from_major(-1)),
                Some(Money::ZERO),
                Some(Money::from_major(5)),
            ],
            rule,
        );
        assert_eq!(
            g,
            vec![Some(Unprofitable), Some(Middling), Some(Profitable)]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(5_000))]

        #[test]
        fn terciles_rank_each_customer_by_mid_rank(
            profits in proptest::collection::vec(
                proptest::option::of(prop_oneof![-5i64..5, any::<i64>().prop_map(|v| v / 4)]),
                0..60,
            )
        ) {
            let profits: Vec<Option<Money>> =
                profits.into_iter().map(|p| p.map(Money::from_units)).collect();
            let groups = assign_subgroups(&profits, SubgroupRule::Terciles);
            let known: Vec<Money> = profits.iter().flatten().copied().collect();
            let n = known.len() as u64;
            for (p, g) in profits.iter().zip(&groups) {
                let expected = p.map(|p| {
                    // By hand: twice the mid-rank against 2n/3 and 4n/3.
                    let below = known.iter().filter(|&&q| q < p).count() as u64;
                    let equal = known.iter().filter(|&&q| q == p).count() as u64;
                    let twice_rank = 2 * below + equal;
                    if 3 * twice_rank < 2 * n {
                        Subgroup::Unprofitable
                    } else if 3 * twice_rank < 4 * n {
                        Subgroup::Middling
                    } else {
                        Subgroup::Profitable
                    }
                });
                proptest::prop_assert_eq!(*g, expected);
            }
        }
    }
}
