//! Cross-category suggestions: "customers of the same rung who buy what this customer buys
//! also buy X; this customer has not".

use std::collections::HashMap;

use crate::{CategoryId, Rung};

/// Settings of the suggestions.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossSellOptions {
    /// A category is a basis for suggestions only when at least this many customers of the
    /// rung bought it (default 20).
    pub min_peers: u32,
    /// ...and a suggestion needs at least this many of them to have bought the suggested
    /// category too (default 5).
    pub min_together: u32,
    /// The suggested category must be more common among those peers than among all customers
    /// of the rung by more than this factor (lift; default 1.0: any positive association).
    pub min_lift: f64,
    /// Suggestions per customer at most (default 3).
    pub max_suggestions: usize,
}

impl Default for CrossSellOptions {
    fn default() -> CrossSellOptions {
        CrossSellOptions {
            min_peers: 20,
            min_together: 5,
            min_lift: 1.0,
            max_suggestions: 3,
        }
    }
}

/// A category to suggest, and why.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Suggestion {
    pub category: CategoryId,
    /// The customer's category whose buyers led to it.
    pub because_of: CategoryId,
    /// Share of the rung's buyers of `because_of` who also bought `category`, 0..1.
    pub share_of_peers: f64,
    /// The rung's buyers of `because_of`.
    pub peers: u32,
    /// `share_of_peers` / the share of the rung's customers who bought `category`.
    pub lift: f64,
}

#[derive(Clone, Debug, Default)]
struct RungCounts {
    customers: u32,
    /// Per category (dense index): the suggestions its buyers support, best first. They depend
    /// on the rung and the category only, so they are ranked once here.
    ranked: Vec<Vec<(u32, Suggestion)>>,
}

/// Who buys what, per rung: built once from every customer's categories with the thresholds,
/// then asked per customer with [`CrossSell::suggest`].
#[derive(Clone, Debug, Default)]
pub struct CrossSell {
    options: CrossSellOptions,
    /// Category → dense index.
    index: HashMap<CategoryId, u32>,
    by_rung: [RungCounts; 5],
}

fn rung_index(rung: Rung) -> usize {
    Rung::ALL.iter().position(|&r| r == rung).unwrap_or(0)
}

impl CrossSell {
    /// From each customer's rung and the categories they bought (any order, repeats allowed).
    /// Cost: the sum over customers of k² for k categories each.
    pub fn new<'a>(
        customers: impl IntoIterator<Item = (Rung, &'a [CategoryId])>,
        options: &CrossSellOptions,
    ) -> CrossSell {
        let mut pairs: [HashMap<(u32, u32), u32>; 5] = Default::default();
        let mut buyers: [Vec<u32>; 5] = Default::default();
        let mut customers_by_rung = [0u32; 5];
        let mut index: HashMap<CategoryId, u32> = HashMap::new();
        let mut categories: Vec<CategoryId> = Vec::new();
        let mut distinct: Vec<u32> = Vec::new();
        for (rung, bought) in customers {
            let r = rung_index(rung);
            distinct.clear();
            for c in bought {
                let next = categories.len() as u32;
                let i = *index.entry(*c).or_insert(next);
                if i == next {
                    categories.push(*c);
                }
                distinct.push(i);
            }
            distinct.sort_unstable();
            distinct.dedup();
            customers_by_rung[r] += 1;
            if buyers[r].len() < categories.len() {
                buyers[r].resize(categories.len(), 0);
            }
            for (k, &c) in distinct.iter().enumerate() {
                buyers[r][c as usize] += 1;
                for &x in &distinct[k + 1..] {
                    *pairs[r].entry((c, x)).or_default() += 1;
                }
            }
        }
        let n = categories.len();
        let mut by_rung: [RungCounts; 5] = Default::default();
        for r in 0..5 {
            let all = f64::from(customers_by_rung[r]);
            let b = &mut buyers[r];
            b.resize(n, 0);
            let mut ranked: Vec<Vec<(u32, Suggestion)>> = vec![Vec::new(); n];
            let mut consider = |c: u32, x: u32, both: u32| {
                let peers = b[c as usize];
                if peers < options.min_peers.max(1) || both < options.min_together {
                    return;
                }
                let share_of_peers = f64::from(both) / f64::from(peers);
                // x's buyers include these `both`, so the base share is positive.
                let lift = share_of_peers / (f64::from(b[x as usize].max(both)) / all);
                if lift > options.min_lift {
                    ranked[c as usize].push((
                        x,
                        Suggestion {
                            category: categories[x as usize],
                            because_of: categories[c as usize],
                            share_of_peers,
                            peers,
                            lift,
                        },
                    ));
                }
            };
            for (&(c, x), &both) in &pairs[r] {
                consider(c, x, both);
                consider(x, c, both);
            }
            for list in &mut ranked {
                list.sort_by(|a, b| rank(&a.1, &b.1));
            }
            by_rung[r] = RungCounts {
                customers: customers_by_rung[r],
                ranked,
            };
        }
        CrossSell {
            options: *options,
            index,
            by_rung,
        }
    }

    /// Customers of `rung` counted.
    pub fn customers(&self, rung: Rung) -> u32 {
        self.by_rung[rung_index(rung)].customers
    }

    /// Suggestions for a customer of `rung` who bought `bought`: categories they have not
    /// bought, each backed by the one of their categories whose buyers in the rung take it
    /// most often. Best first (share of peers, then lift, then category); at most
    /// [`CrossSellOptions::max_suggestions`]; empty when nothing passes the thresholds.
    /// Categories the model never saw are ignored.
    pub fn suggest(&self, rung: Rung, bought: &[CategoryId]) -> Vec<Suggestion> {
        let counts = &self.by_rung[rung_index(rung)];
        let mut own: Vec<u32> = bought
            .iter()
            .filter_map(|c| self.index.get(c).copied())
            .collect();
        own.sort_unstable();
        own.dedup();
        let want = self.options.max_suggestions;
        let mut best: Vec<Suggestion> = Vec::new();
        for &c in &own {
            // Each list is best first: its first `want` categories the customer lacks are all
            // it can contribute to the final `want`.
            let fresh = counts.ranked.get(c as usize).into_iter().flatten();
            for (_, s) in fresh
                .filter(|(x, _)| own.binary_search(x).is_err())
                .take(want)
            {
                match best.iter_mut().find(|b| b.category == s.category) {
                    Some(b) if better(s, b) => *b = *s,
                    Some(_) => {}
                    None => best.push(*s),
                }
            }
        }
        best.sort_by(rank);
        best.truncate(want);
        best
    }
}

/// Best first: higher share of peers, then higher lift, then the smaller category, then the
/// smaller basis (a total order, so the result does not depend on hash-map order).
fn rank(a: &Suggestion, b: &Suggestion) -> std::cmp::Ordering {
    b.share_of_peers
        .total_cmp(&a.share_of_peers)
        .then(b.lift.total_cmp(&a.lift))
        .then(a.category.cmp(&b.category))
        .then(a.because_of.cmp(&b.because_of))
}

fn better(a: &Suggestion, b: &Suggestion) -> bool {
    rank(a, b).is_lt()
}
