//! The customers one import worker meets in one shard: numbered in the order they first appear,
//! their ids end to end in one string, and found by an open-addressing table whose lookups are
//! split into stages.
//!
//! The stages exist for speed. The tables of all shards together are far larger than the cache,
//! and a file sorted by date, as most exports are, looks up a customer on every row. A lookup is
//! three dependent cache misses: the slot, where the customer's id lies, and the id itself.
//! Looked up row by row, each miss waited alone, because a row's parsing is more work than the
//! processor looks ahead over. The pipeline (`Worker::file_pending`) takes a batch of rows
//! through each stage in turn, so that the misses of the whole batch overlap, and the last stage
//! then finds everything in the cache. Every stage but the last only narrows down a candidate;
//! the last checks it against the id, so a stale or wrong candidate costs time, never a wrong
//! number.

/// A slot: the top 32 bits of the id's hash, and the customer's number.
///
/// The top bits of the hash are also the slot's home (the first slot its lookup probes), so the
/// table grows without hashing the ids again.
#[derive(Clone, Copy, Debug)]
struct Slot {
    tag: u32,
    number: u32,
}

/// The number of a vacant slot.
const VACANT: u32 = u32::MAX;

/// A shard's customers, in the order one worker met them.
#[derive(Debug, Default)]
pub(crate) struct CustomerTable {
    /// None, or a power of two of them, at most three quarters taken.
    slots: Vec<Slot>,
    /// `slots.len() == 1 << bits` when there are slots.
    bits: u32,
    /// The customers' ids one after another: one allocation, where a box per id cost 16 bytes
    /// of heap and a pointer and a length.
    ids: String,
    /// Where customer `n`'s id ends in `ids`; it starts where customer `n - 1`'s ends.
    ends: Vec<u32>,
}

/// A lookup going through its stages: the candidate customer whose slot matched the hash, then
/// where the candidate's id lies, then whether its first byte is the id's.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lookup {
    number: u32,
    start: u32,
    end: u32,
    first_byte_matches: bool,
}

impl Lookup {
    pub(crate) const NONE: Lookup = Lookup {
        number: VACANT,
        start: 0,
        end: 0,
        first_byte_matches: false,
    };
}

impl CustomerTable {
    const MIN_BITS: u32 = 4;

    /// How many customers the table holds.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// The customers' ids end to end, and where each ends, in number order.
    pub(crate) fn into_ids(self) -> (String, Vec<u32>) {
        (self.ids, self.ends)
    }

    /// Stage 1: the first customer, probing from the home of `hash`, whose slot's tag is the
    /// hash's (or none, when a vacant slot comes first).
    #[inline]
    pub(crate) fn candidate(&self, hash: u64) -> Lookup {
        if self.slots.is_empty() {
            return Lookup::NONE;
        }
        match self.probe((hash >> 32) as u32, |_| true) {
            Ok(number) => Lookup {
                number,
                ..Lookup::NONE
            },
            Err(_) => Lookup::NONE,
        }
    }

    /// Stage 2: where the candidate's id lies in `ids`.
    #[inline]
    pub(crate) fn locate(&self, lookup: &mut Lookup) {
        if lookup.number != VACANT {
            (lookup.start, lookup.end) = self.span(lookup.number);
        }
    }

    /// Stage 3: whether the candidate's id starts with `id`'s first byte.
    #[inline]
    pub(crate) fn compare_first_byte(&self, lookup: &mut Lookup, id: &str) {
        if lookup.number != VACANT && lookup.end > lookup.start {
            lookup.first_byte_matches = self.ids.as_bytes()[lookup.start as usize]
                == id.as_bytes().first().copied().unwrap_or(0);
        }
    }

    /// Stage 4: the number of the customer `id`, whose hash is `hash`, numbering them if they
    /// are new. `lookup` is the earlier stages' candidate: used when it is this customer, else
    /// the table is searched afresh (a customer numbered since the candidate was found, in the
    /// same batch, is then found too).
    pub(crate) fn number_of(&mut self, id: &str, hash: u64, lookup: Lookup) -> u32 {
        if lookup.first_byte_matches && &self.ids[lookup.start as usize..lookup.end as usize] == id
        {
            return lookup.number;
        }
        self.find_or_insert(id, hash)
    }

    /// The number of the customer `id`, found or new, by one search of the table.
    fn find_or_insert(&mut self, id: &str, hash: u64) -> u32 {
        if (self.len() + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let tag = (hash >> 32) as u32;
        let at = match self.probe(tag, |number| self.id(number) == id) {
            Ok(number) => return number,
            Err(vacant) => vacant,
        };
        let number = u32::try_from(self.len())
            .ok()
            .filter(|&n| n != VACANT)
            .expect("under 4 billion customers in one shard of one worker");
        self.ids.push_str(id);
        self.ends.push(
            u32::try_from(self.ids.len())
                .expect("under 4 GiB of customer ids in one shard of one worker"),
        );
        self.slots[at] = Slot { tag, number };
        number
    }

    /// Probes from the home of `tag` for the first slot with that tag whose customer `is_it`
    /// accepts: `Ok` with the number, or `Err` with the vacant slot that ends the probe.
    #[inline]
    fn probe(&self, tag: u32, mut is_it: impl FnMut(u32) -> bool) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let mut at = self.home(tag);
        loop {
            let slot = self.slots[at];
            if slot.number == VACANT {
                return Err(at);
            }
            if slot.tag == tag && is_it(slot.number) {
                return Ok(slot.number);
            }
            at = (at + 1) & mask;
        }
    }

    /// Where customer `number`'s id starts and ends in `ids`.
    #[inline]
    fn span(&self, number: u32) -> (u32, u32) {
        let n = number as usize;
        (if n == 0 { 0 } else { self.ends[n - 1] }, self.ends[n])
    }

    fn id(&self, number: u32) -> &str {
        let (start, end) = self.span(number);
        &self.ids[start as usize..end as usize]
    }

    /// The slot a tag's lookup starts at: the tag's top bits.
    #[inline]
    fn home(&self, tag: u32) -> usize {
        (tag >> (32 - self.bits)) as usize
    }

    /// Doubles the slots (or makes the first ones) and puts every customer back, by their tags.
    fn grow(&mut self) {
        let bits = if self.slots.is_empty() {
            Self::MIN_BITS
        } else {
            self.bits + 1
        };
        assert!(bits <= 32, "a table's home is at most 32 bits of the hash");
        let old = std::mem::replace(
            &mut self.slots,
            vec![
                Slot {
                    tag: 0,
                    number: VACANT
                };
                1 << bits
            ],
        );
        self.bits = bits;
        for slot in old.into_iter().filter(|s| s.number != VACANT) {
            let Err(at) = self.probe(slot.tag, |_| false) else {
                unreachable!("a probe that accepts no customer ends at a vacant slot");
            };
            self.slots[at] = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{CustomerTable, Lookup};
    use proptest::prelude::*;
    use std::collections::HashMap;

    /// Looks `id` up through all four stages, as the pipeline does.
    fn number_of(table: &mut CustomerTable, id: &str, hash: u64) -> u32 {
        let mut lookup = table.candidate(hash);
        table.locate(&mut lookup);
        table.compare_first_byte(&mut lookup, id);
        table.number_of(id, hash, lookup)
    }

    #[test]
    fn customers_are_numbered_as_first_met_and_found_again() {
        let hasher = ahash::RandomState::with_seeds(1, 2, 3, 4);
        let mut table = CustomerTable::default();
        let ids: Vec<String> = (0..10_000)
            .map(|i| format!("C{:07}", i * 7919 % 10_007))
            .collect();
        for (n, id) in ids.iter().enumerate() {
            assert_eq!(number_of(&mut table, id, hasher.hash_one(id)), n as u32);
        }
        for (n, id) in ids.iter().enumerate().rev() {
            assert_eq!(number_of(&mut table, id, hasher.hash_one(id)), n as u32);
        }
        assert_eq!(table.len(), ids.len());
        let (all, ends) = table.into_ids();
        assert_eq!(ends.len(), ids.len());
        assert_eq!(all, ids.concat());
    }

    #[test]
    fn ids_of_every_length_come_back_whole() {
        let lengths = [0, 1, 127, 128, 300, 16_384, 70_000];
        let ids: Vec<String> = lengths
            .iter()
            .map(|&n| (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect())
            .collect();
        let mut table = CustomerTable::default();
        for round in 0..2 {
            for (n, id) in ids.iter().enumerate() {
                let hash = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
                assert_eq!(number_of(&mut table, id, hash), n as u32, "round {round}");
            }
        }
        let (all, ends) = table.into_ids();
        let mut start = 0;
        for (id, end) in ids.iter().zip(ends) {
            assert_eq!(&all[start..end as usize], id);
            start = end as usize;
        }
        assert_eq!(start, all.len());
    }

    #[test]
    fn equal_hashes_are_told_apart_by_the_ids() {
        // Every id with the same hash: the tags all match, so only the ids can decide.
        let mut table = CustomerTable::default();
        for round in 0..2 {
            for (n, id) in ["a", "b", "", "ab", "ba", "a\u{e9}"].iter().enumerate() {
                assert_eq!(number_of(&mut table, id, 42), n as u32, "round {round}");
            }
        }
        assert_eq!(table.len(), 6);
    }

    #[test]
    fn a_stale_candidate_is_checked_not_trusted() {
        let mut table = CustomerTable::default();
        let a = table.number_of("a", 7 << 32, Lookup::NONE);
        // A candidate found for "a" offered for "b" with the same hash: "b" is still new.
        let mut lookup = table.candidate(7 << 32);
        table.locate(&mut lookup);
        table.compare_first_byte(&mut lookup, "a");
        assert_eq!(table.number_of("b", 7 << 32, lookup), a + 1);
        // A lookup made before "c" was numbered (the same batch) still finds "c" afterwards.
        let before = table.candidate(9 << 32);
        let c = table.number_of("c", 9 << 32, Lookup::NONE);
        assert_eq!(table.number_of("c", 9 << 32, before), c);
        assert_eq!(table.len(), 3);
    }

    proptest! {
        /// Against a map: every id gets the number of the first time it was met, whatever the
        /// hashes (a few bits of hash, so that tags and homes collide often).
        #[test]
        fn numbers_match_a_map(ids in prop::collection::vec("[a-c]{0,3}", 0..400), bits in 0u32..6) {
            let mut table = CustomerTable::default();
            let mut reference: HashMap<String, u32> = HashMap::new();
            for id in &ids {
                let hash = (ahash::RandomState::with_seeds(5, 6, 7, 8).hash_one(id) >> (64 - bits.max(1)))
                    << (64 - bits.max(1));
                let next = reference.len() as u32;
                let expected = *reference.entry(id.clone()).or_insert(next);
                prop_assert_eq!(number_of(&mut table, id, hash), expected);
            }
            prop_assert_eq!(table.len(), reference.len());
        }
    }
}
