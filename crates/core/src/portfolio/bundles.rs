//! Bundles from co-purchase: pairs of products bought together in one basket (an order, or a
//! customer's purchase day), with support, confidence and lift, in bounded memory.
//!
//! Two passes over the baskets (Apriori's pruning): the first counts each product's baskets;
//! only products reaching the minimum support can be in a pair reaching it, so the second pass
//! counts pairs among those alone, in one triangular array of at most
//! [`BundleOptions::max_pairs`] counters.

use super::products::ProductId;

/// Settings of the co-purchase analysis.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BundleOptions {
    /// Minimum support: the share of all baskets that must hold the pair (default 0.001).
    pub min_support: f64,
    /// ...and at least this many baskets (default 5), so that small data give no "bundles" of
    /// two coincidences.
    pub min_baskets: u64,
    /// Pair counters kept at most (default 8,000,000: 32 MB). With F products above the
    /// minimum support the pass needs F(F − 1)/2; if that is more, only the most-bought
    /// products that fit are paired (see [`BundleReport::effective_min_baskets`]).
    pub max_pairs: usize,
    /// Bundles returned at most, best lift first (default 1,000).
    pub max_bundles: usize,
}

impl Default for BundleOptions {
    fn default() -> BundleOptions {
        BundleOptions {
            min_support: 0.001,
            min_baskets: 5,
            max_pairs: 8_000_000,
            max_bundles: 1_000,
        }
    }
}

/// Input the bundle analysis cannot use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("product {product} is outside the product table of {products}")]
    UnknownProduct { product: u32, products: usize },
    #[error("basket {basket} comes after basket {previous}: lines must be sorted by basket")]
    NotSortedByBasket { basket: u64, previous: u64 },
}

/// Two products bought together. `a` is the product whose buyers most often also took `b`
/// (confidence a → b ≥ confidence b → a; ties: the smaller id is `a`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bundle {
    pub a: ProductId,
    pub b: ProductId,
    /// Baskets holding both.
    pub baskets: u64,
    /// baskets / all baskets, 0..1.
    pub support: f64,
    /// P(b | a) = baskets with both / baskets with a.
    pub confidence: f64,
    /// P(a | b).
    pub confidence_reverse: f64,
    /// support / (support(a) · support(b)): above 1, bought together more than chance would.
    pub lift: f64,
}

/// The bundles found, and what the bounds did.
#[derive(Clone, Debug, PartialEq)]
pub struct BundleReport {
    pub baskets: u64,
    /// The minimum support in baskets: max(min_baskets, ⌈min_support · baskets⌉).
    pub min_baskets: u64,
    /// The support above which the list is complete: `min_baskets`, or more when the pair
    /// counters could not hold every product reaching it — then one more than the most
    /// baskets of a product left out (a pair is in no more baskets than either product).
    pub effective_min_baskets: u64,
    /// Products reaching `min_baskets`, and how many of them were paired.
    pub eligible_products: usize,
    pub paired_products: usize,
    /// Pairs reaching `effective_min_baskets` (before the cut to `max_bundles`).
    pub pairs_found: usize,
    /// Best lift first (ties: more baskets, then ids).
    pub bundles: Vec<Bundle>,
}

/// First pass: baskets per product.
#[derive(Clone, Debug)]
pub struct ItemPass {
    options: BundleOptions,
    item_baskets: Vec<u64>,
    baskets: u64,
    scratch: Vec<u32>,
}

impl ItemPass {
    /// For products `0..products`.
    pub fn new(products: usize, options: BundleOptions) -> ItemPass {
        ItemPass {
            options,
            item_baskets: vec![0; products],
            baskets: 0,
            scratch: Vec::new(),
        }
    }

    /// Counts one basket (a product listed twice in it counts once).
    pub fn add_basket(&mut self, basket: &[ProductId]) -> Result<(), BundleError> {
        distinct(basket, self.item_baskets.len(), &mut self.scratch)?;
        for &p in &self.scratch {
            self.item_baskets[p as usize] += 1;
        }
        self.baskets += 1;
        Ok(())
    }

    /// Chooses the products to pair and starts the second pass.
    pub fn into_pair_pass(self) -> PairPass {
        let by_support = (self.options.min_support.clamp(0.0, 1.0) * self.baskets as f64).ceil();
        let min_baskets = self.options.min_baskets.max(1).max(by_support as u64);
        let mut eligible: Vec<u32> = (0..self.item_baskets.len() as u32)
            .filter(|&p| self.item_baskets[p as usize] >= min_baskets)
            .collect();
        eligible.sort_by_key(|&p| (std::cmp::Reverse(self.item_baskets[p as usize]), p));
        let fit = max_items_for_pairs(self.options.max_pairs);
        let eligible_products = eligible.len();
        let mut effective_min_baskets = min_baskets;
        if eligible.len() > fit {
            effective_min_baskets =
                effective_min_baskets.max(self.item_baskets[eligible[fit] as usize] + 1);
            eligible.truncate(fit);
        }
        let mut slot = vec![u32::MAX; self.item_baskets.len()];
        for (i, &p) in eligible.iter().enumerate() {
            slot[p as usize] = i as u32;
        }
        let f = eligible.len();
        PairPass {
            options: self.options,
            min_baskets,
            effective_min_baskets,
            eligible_products,
            slot,
            paired: eligible,
            pair_counts: vec![0; f * f.saturating_sub(1) / 2],
            item_baskets: vec![0; self.item_baskets.len()],
            baskets: 0,
            scratch: Vec::new(),
            slots: Vec::new(),
        }
    }
}

/// The largest F with F(F − 1)/2 ≤ max_pairs.
fn max_items_for_pairs(max_pairs: usize) -> usize {
    let mut f = ((2.0 * max_pairs as f64).sqrt() as usize).saturating_add(1);
    while f > 1
        && f.checked_mul(f - 1)
            .is_none_or(|twice| twice / 2 > max_pairs)
    {
        f -= 1;
    }
    f
}

/// Second pass: baskets per pair of paired products. Item counts are taken again here, so the
/// measures stay consistent even if the two passes were not given the same baskets.
#[derive(Clone, Debug)]
pub struct PairPass {
    options: BundleOptions,
    min_baskets: u64,
    effective_min_baskets: u64,
    eligible_products: usize,
    /// Product → its index among the paired products, or u32::MAX.
    slot: Vec<u32>,
    paired: Vec<u32>,
    /// Triangular: pair (i, j), i < j, at i(2F − i − 1)/2 + (j − i − 1).
    pair_counts: Vec<u32>,
    item_baskets: Vec<u64>,
    baskets: u64,
    scratch: Vec<u32>,
    slots: Vec<u32>,
}

impl PairPass {
    pub fn add_basket(&mut self, basket: &[ProductId]) -> Result<(), BundleError> {
        distinct(basket, self.item_baskets.len(), &mut self.scratch)?;
        self.baskets += 1;
        self.slots.clear();
        for &p in &self.scratch {
            self.item_baskets[p as usize] += 1;
            let s = self.slot[p as usize];
            if s != u32::MAX {
                self.slots.push(s);
            }
        }
        self.slots.sort_unstable();
        let f = self.paired.len();
        for (k, &i) in self.slots.iter().enumerate() {
            let i = i as usize;
            let row = i * (2 * f - i - 1) / 2;
            for &j in &self.slots[k + 1..] {
                let c = &mut self.pair_counts[row + (j as usize - i - 1)];
                *c = c.saturating_add(1);
            }
        }
        Ok(())
    }

    pub fn finish(self) -> BundleReport {
        let f = self.paired.len();
        let n = self.baskets.max(1) as f64;
        let mut bundles = Vec::new();
        for i in 0..f {
            let row = i * (2 * f - i - 1) / 2;
            for j in i + 1..f {
                let both = u64::from(self.pair_counts[row + (j - i - 1)]);
                if both < self.effective_min_baskets {
                    continue;
                }
                let (p, q) = (self.paired[i], self.paired[j]);
                let (np, nq) = (self.item_baskets[p as usize], self.item_baskets[q as usize]);
                // np, nq ≥ both ≥ 1 (counted in this same pass).
                let (p_to_q, q_to_p) = (both as f64 / np as f64, both as f64 / nq as f64);
                let ((a, b), (confidence, confidence_reverse)) =
                    if p_to_q > q_to_p || (p_to_q == q_to_p && p < q) {
                        ((p, q), (p_to_q, q_to_p))
                    } else {
                        ((q, p), (q_to_p, p_to_q))
                    };
                bundles.push(Bundle {
                    a: ProductId(a),
                    b: ProductId(b),
                    baskets: both,
                    support: both as f64 / n,
                    confidence,
                    confidence_reverse,
                    lift: both as f64 * n / (np as f64 * nq as f64),
                });
            }
        }
        bundles.sort_by(|x, y| {
            y.lift
                .total_cmp(&x.lift)
                .then(y.baskets.cmp(&x.baskets))
                .then((x.a, x.b).cmp(&(y.a, y.b)))
        });
        let pairs_found = bundles.len();
        bundles.truncate(self.options.max_bundles);
        BundleReport {
            baskets: self.baskets,
            min_baskets: self.min_baskets,
            effective_min_baskets: self.effective_min_baskets,
            eligible_products: self.eligible_products,
            paired_products: f,
            pairs_found,
            bundles,
        }
    }
}

/// The basket's distinct products into `out`, refusing unknown ones.
fn distinct(basket: &[ProductId], products: usize, out: &mut Vec<u32>) -> Result<(), BundleError> {
    out.clear();
    for p in basket {
        if p.0 as usize >= products {
            return Err(BundleError::UnknownProduct {
                product: p.0,
                products,
            });
        }
        out.push(p.0);
    }
    out.sort_unstable();
    out.dedup();
    Ok(())
}

/// Both passes over order lines `(basket key, product)` sorted by basket key (an order id's
/// hash, or customer and day packed into one number): `lines` is called twice and must give
/// the same lines. Refuses lines out of basket order, so that a basket split in two is never
/// counted as two.
pub fn bundles_from_lines<I>(
    lines: impl Fn() -> I,
    products: usize,
    options: BundleOptions,
) -> Result<BundleReport, BundleError>
where
    I: IntoIterator<Item = (u64, ProductId)>,
{
    let mut items = ItemPass::new(products, options);
    for_each_basket(lines(), |b| items.add_basket(b))?;
    let mut pairs = items.into_pair_pass();
    for_each_basket(lines(), |b| pairs.add_basket(b))?;
    Ok(pairs.finish())
}

fn for_each_basket(
    lines: impl IntoIterator<Item = (u64, ProductId)>,
    mut f: impl FnMut(&[ProductId]) -> Result<(), BundleError>,
) -> Result<(), BundleError> {
    let mut current: Option<u64> = None;
    let mut basket: Vec<ProductId> = Vec::new();
    for (key, product) in lines {
        match current {
            Some(k) if k == key => {}
            Some(k) if key < k => {
                return Err(BundleError::NotSortedByBasket {
                    basket: key,
                    previous: k,
                });
            }
            Some(_) => {
                f(&basket)?;
                basket.clear();
                current = Some(key);
            }
            None => current = Some(key),
        }
        basket.push(product);
    }
    if current.is_some() {
        f(&basket)?;
    }
    Ok(())
}
