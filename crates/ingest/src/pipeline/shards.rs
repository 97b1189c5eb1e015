//! Customer shards: how an id picks its shard (ranges of sampled ids, or a hash), and what a
//! worker keeps per shard until the merge — its customers and their lines in compact form.

use std::sync::Mutex;

use ahash::RandomState;
use clientele_core::{CategoryId, Day, Money, OrderLine, RowRef};

use crate::customer_table::CustomerTable;

/// Customer shards per worker; merged shard by shard in parallel at the end.
pub(crate) const SHARDS: usize = 64;

/// How a customer's id picks its shard.
#[derive(Debug)]
pub(crate) enum Sharding {
    /// By ranges of ids: every id of shard k sorts before every id of shard k + 1, so the
    /// shards' summaries, each in id order, come out in id order altogether and nothing is left
    /// to merge or move after the import. The bounds are quantiles of ids sampled across the
    /// files before they are read ([`sharding_for`]). A sample that misjudges the ids costs
    /// only balance between shards, never order.
    ByRange {
        /// Ascending, without repeats: shard k holds the ids from `bounds[k - 1]` up to but not
        /// including `bounds[k]`.
        bounds: Vec<Box<str>>,
        /// Each bound's [`id_prefix`], so that finding a shard compares integers, and ids only
        /// where the first eight bytes tie.
        prefixes: Vec<u64>,
    },
    /// By a hash of the id, when there was nothing to sample (an `.xlsx`, a compressed file):
    /// the shards are then merged into id order after the import.
    ByHash,
}

impl Sharding {
    /// The shard of `id`, whose hash under [`shard_hasher`] is `hash`.
    pub(crate) fn shard(&self, id: &str, hash: u64) -> usize {
        match self {
            // The low bits of the hash: a customer table uses the top 32.
            Sharding::ByHash => (hash % SHARDS as u64) as usize,
            Sharding::ByRange { bounds, prefixes } => {
                // The bounds are ordered by prefix and then by id, as ids are; the bounds whose
                // prefix is the id's are few, and only those need the whole ids compared.
                let prefix = id_prefix(id);
                let mut k = prefixes.partition_point(|&p| p < prefix);
                while k < bounds.len() && prefixes[k] == prefix && &*bounds[k] <= id {
                    k += 1;
                }
                k
            }
        }
    }

    /// Range bounds from sampled ids (one per sampled line, in any order): the ids at every
    /// 1/SHARDS of the sample, without repeats, so that each shard gets about as many lines.
    pub(crate) fn from_sample(mut ids: Vec<Box<str>>) -> Sharding {
        if ids.is_empty() {
            return Sharding::ByHash;
        }
        ids.sort_unstable();
        let mut bounds: Vec<Box<str>> = (1..SHARDS)
            .map(|k| ids[k * ids.len() / SHARDS].clone())
            .collect();
        bounds.dedup();
        let prefixes = bounds.iter().map(|b| id_prefix(b)).collect();
        Sharding::ByRange { bounds, prefixes }
    }
}

/// The first eight bytes of `id`, zero-padded, as a big-endian integer. Integers ordered this
/// way are ordered as their ids are, except that ids equal in their first eight bytes (or equal
/// but for trailing zero bytes) tie.
pub(crate) fn id_prefix(id: &str) -> u64 {
    let mut bytes = [0u8; 8];
    let n = id.len().min(8);
    bytes[..n].copy_from_slice(&id.as_bytes()[..n]);
    u64::from_be_bytes(bytes)
}

/// One worker's lines of one shard: each customer gets a local number, and lines are appended to
/// chunked storage tagged with it. (One growing vector per customer cost a reallocation and a
/// copy at every doubling for millions of customers: a quarter of the run time on large files.)
#[derive(Default)]
pub(crate) struct ShardMap {
    pub(crate) customers: CustomerTable,
    pub(crate) lines: ChunkedLines,
}

/// An append-only list in chunks that never move: growing it copies nothing.
#[derive(Default)]
pub(crate) struct ChunkedLines {
    chunks: Vec<Vec<CompactLine>>,
    len: usize,
}

impl ChunkedLines {
    const FIRST_CHUNK: usize = 256;
    const MAX_CHUNK: usize = 16 << 10;

    pub(crate) fn push(&mut self, line: CompactLine) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < last.capacity() => last.push(line),
            _ => {
                let capacity = self.chunks.last().map_or(Self::FIRST_CHUNK, |c| {
                    (c.capacity() * 2).min(Self::MAX_CHUNK)
                });
                let mut chunk = Vec::with_capacity(capacity);
                chunk.push(line);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &CompactLine> {
        self.chunks.iter().flatten()
    }
}

/// One worker's accepted lines, sharded by customer.
pub(crate) struct Shards {
    pub(crate) maps: Vec<Mutex<ShardMap>>,
    pub(crate) first_day: Option<Day>,
    pub(crate) last_day: Option<Day>,
    /// The sum of the lines' |amount| + |cost|, in money units.
    pub(crate) magnitude: u128,
}

pub(crate) fn shard_hasher() -> RandomState {
    // Fixed seeds: the shard of a customer is the same in every run and every worker.
    RandomState::with_seeds(0x5eed_c11e, 0x7e1e_0001, 0xa5a5_a5a5, 0x0123_4567)
}

/// An accepted line as stored until the merge: 56 bytes instead of `OrderLine`'s 88, with the
/// worker-local number of its customer.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CompactLine {
    pub(crate) line: u64,
    pub(crate) amount: i64,
    pub(crate) cost: i64,
    pub(crate) line_key: u64,
    pub(crate) order_key: u64,
    pub(crate) day: Day,
    pub(crate) category: u32,
    pub(crate) customer: u32,
    pub(crate) file: u16,
    /// bit 0: full price known, bit 1: full price, bit 2: has keys.
    pub(crate) flags: u8,
}

pub(crate) const NO_CATEGORY: u32 = u32::MAX;
pub(crate) const NO_COST: i64 = i64::MIN;

impl CompactLine {
    pub(crate) const EMPTY: CompactLine = CompactLine {
        line: 0,
        amount: 0,
        cost: 0,
        line_key: 0,
        order_key: 0,
        day: Day::from_days_since_epoch(0),
        category: 0,
        customer: 0,
        file: 0,
        flags: 0,
    };

    pub(crate) fn compact(line: &OrderLine, customer: u32) -> CompactLine {
        let mut flags = 0u8;
        if let Some(f) = line.full_price {
            flags |= 1 | (u8::from(f) << 1);
        }
        if line.line_key.is_some() {
            flags |= 4;
        }
        CompactLine {
            line: line.row.line,
            amount: line.amount.units(),
            cost: line.cost.map_or(NO_COST, Money::units),
            line_key: line.line_key.unwrap_or(0),
            order_key: line.order_key.unwrap_or(0),
            day: line.day,
            category: line.category.map_or(NO_CATEGORY, |c| c.0),
            customer,
            // Checked when the import starts: at most u16::MAX files.
            file: line.row.file as u16,
            flags,
        }
    }

    /// The line, its category renumbered by `category_rank`.
    pub(crate) fn expand(&self, category_rank: &[u32]) -> OrderLine {
        let keyed = self.flags & 4 != 0;
        OrderLine {
            row: RowRef {
                file: u32::from(self.file),
                line: self.line,
            },
            day: self.day,
            amount: Money::from_units(self.amount),
            cost: (self.cost != NO_COST).then(|| Money::from_units(self.cost)),
            category: (self.category != NO_CATEGORY)
                .then(|| CategoryId(category_rank[self.category as usize])),
            full_price: (self.flags & 1 != 0).then_some(self.flags & 2 != 0),
            line_key: keyed.then_some(self.line_key),
            order_key: keyed.then_some(self.order_key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{SHARDS, Sharding};
    use proptest::prelude::*;

    #[test]
    fn a_sample_of_one_id_or_none() {
        assert!(matches!(
            Sharding::from_sample(Vec::new()),
            Sharding::ByHash
        ));
        let one = Sharding::from_sample(vec!["x".into(); 10]);
        let Sharding::ByRange { bounds, .. } = &one else {
            panic!("{one:?}")
        };
        assert_eq!(bounds.len(), 1);
        assert_eq!(one.shard("w", 0), 0);
        assert_eq!(one.shard("x", 0), 1);
        assert_eq!(one.shard("y", 0), 1);
    }

    proptest! {
        /// A larger id never gets a smaller shard, whatever the sample.
        #[test]
        fn range_shards_keep_id_order(
            sample in proptest::collection::vec("[a-dЖ0-9]{0,6}", 0..400),
            ids in proptest::collection::vec("[a-dЖ0-9]{0,6}", 2..50),
        ) {
            let sharding = Sharding::from_sample(sample.into_iter().map(Into::into).collect());
            let mut ids = ids;
            ids.sort();
            let shards: Vec<usize> = ids.iter().map(|id| sharding.shard(id, 0)).collect();
            for (w, id) in shards.windows(2).zip(&ids) {
                prop_assert!(w[0] <= w[1], "{id}: {shards:?}");
            }
            prop_assert!(shards.iter().all(|&s| s < SHARDS));
        }

        /// The shard found through the bounds' prefixes is the first bound above the id, ids
        /// sharing their first eight bytes (or more) with the bounds included.
        #[test]
        fn range_shards_by_prefix_are_by_id(
            sample in proptest::collection::vec("C000000[0-2\\x00]{0,4}", 1..300),
            ids in proptest::collection::vec("C000000[0-2\\x00]{0,4}", 1..50),
        ) {
            let sharding = Sharding::from_sample(sample.into_iter().map(Into::into).collect());
            let Sharding::ByRange { bounds, .. } = &sharding else {
                panic!("a sample gives range shards");
            };
            for id in &ids {
                let by_id = bounds.partition_point(|b| &**b <= id.as_str());
                prop_assert_eq!(sharding.shard(id, 0), by_id, "{}", id);
            }
        }

        /// Ordering by the prefix and then by the whole id is ordering by the id.
        #[test]
        fn prefix_then_id_orders_as_ids_do(a in "[a-c\\x00é]{0,10}", b in "[a-c\\x00é]{0,10}") {
            let by_prefix = super::id_prefix(&a).cmp(&super::id_prefix(&b)).then_with(|| a.cmp(&b));
            prop_assert_eq!(by_prefix, a.cmp(&b));
        }

    }
}
