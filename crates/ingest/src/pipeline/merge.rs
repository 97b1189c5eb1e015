//! The merge after every file is read: shard by shard, the customers met by every worker are
//! numbered in id order, their lines bucketed, deduplicated and summarised by the core; and the
//! shards' summaries put in id order when the shards were not ranges of ids.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::collections::binary_heap::PeekMut;

use clientele_core::{
    CustomerSummary, Day, DayAmounts, DuplicateLine, OrderLine, SummaryScratch, dedup_lines_with,
    summarize_with,
};
use hashbrown::HashTable;
use rayon::prelude::*;

use super::shards::{ChunkedLines, CompactLine, ShardMap, Shards, id_prefix, shard_hasher};

/// Buffers one merging thread reuses from shard to shard (fresh large allocations cost a page
/// fault per 4 KiB).
#[derive(Default)]
pub(crate) struct MergeScratch {
    starts: Vec<usize>,
    fill: Vec<usize>,
    sorted: Vec<CompactLine>,
    /// One group of `sorted`'s lines, customer by customer, and the groups: each one's first
    /// customer, and each customer's group (see `summarise_shard`).
    grouped: Vec<CompactLine>,
    group_firsts: Vec<usize>,
    group_of: Vec<u32>,
    lines: Vec<OrderLine>,
    summary: SummaryScratch,
}

/// Shard `k` of every worker, its customers numbered across workers in id order: their ids (which
/// stay in the workers' arenas) and every worker's lines with the map from its local numbers to
/// these.
pub(crate) struct ShardPlan {
    arenas: Vec<String>,
    /// Customer `n`'s id is `by_id[n]`.
    by_id: Vec<IdSpan>,
    parts: Vec<(Vec<u32>, ChunkedLines)>,
}

/// A customer id in one of a shard plan's arenas.
#[derive(Clone, Copy)]
pub(crate) struct IdSpan {
    arena: u32,
    start: u32,
    len: u32,
}

impl IdSpan {
    fn id<'a>(&self, arenas: &'a [String]) -> &'a str {
        &arenas[self.arena as usize][self.start as usize..][..self.len as usize]
    }
}

/// Takes shard `k` from every worker and numbers its customers across workers.
pub(crate) fn plan_shard(shards: &[Shards], k: usize) -> ShardPlan {
    let maps: Vec<ShardMap> = shards
        .iter()
        .map(|worker| std::mem::take(&mut *worker.maps[k].lock().expect("no worker panicked")))
        .collect();
    let most = maps.iter().map(|m| m.customers.len()).sum();
    let mut arenas: Vec<String> = Vec::with_capacity(maps.len());
    let mut merged: HashTable<(IdSpan, u32)> = HashTable::with_capacity(most);
    let mut parts: Vec<(Vec<u32>, ChunkedLines)> = Vec::with_capacity(maps.len());
    let hasher = shard_hasher();
    for (arena, map) in (0u32..).zip(maps) {
        let (ids, ends) = map.customers.into_ids();
        arenas.push(ids);
        let mut global = vec![0u32; ends.len()];
        let mut start = 0;
        for (local, end) in ends.into_iter().enumerate() {
            let span = IdSpan {
                arena,
                start,
                len: end - start,
            };
            start = end;
            let id = span.id(&arenas);
            let hash = hasher.hash_one(id);
            let next = merged.len() as u32;
            let number = match merged.find(hash, |(e, _)| e.id(&arenas) == id) {
                Some(&(_, number)) => number,
                None => {
                    merged
                        .insert_unique(hash, (span, next), |(e, _)| hasher.hash_one(e.id(&arenas)));
                    next
                }
            };
            global[local] = number;
        }
        parts.push((global, map.lines));
    }
    // Sorted by the ids' first eight bytes as one integer, and by the whole ids only where those
    // tie: most comparisons then follow no pointer into the arenas.
    let mut keyed: Vec<(u64, IdSpan, u32)> = merged
        .into_iter()
        .map(|(span, number)| (id_prefix(span.id(&arenas)), span, number))
        .collect();
    keyed.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.id(&arenas).cmp(b.1.id(&arenas)))
    });
    // Customers are numbered again in id order, so that the lines are bucketed in the order
    // they are summarised: read in sequence then, not by jumping to each customer's bucket.
    let mut rank = vec![0u32; keyed.len()];
    for (position, &(_, _, number)) in (0u32..).zip(&keyed) {
        rank[number as usize] = position;
    }
    for (global, _) in &mut parts {
        for number in global.iter_mut() {
            *number = rank[*number as usize];
        }
    }
    let by_id = keyed.into_iter().map(|(_, span, _)| span).collect();
    ShardPlan {
        arenas,
        by_id,
        parts,
    }
}

/// Whether `customers`, in parts of `part_lens` that are each in id order, are in id order as a
/// whole: every part's ids come before the next non-empty part's.
pub(crate) fn parts_in_id_order<T>(customers: &[(Box<str>, T)], part_lens: &[usize]) -> bool {
    let mut start = 0;
    let mut last: Option<&str> = None;
    for &len in part_lens {
        if len == 0 {
            continue;
        }
        if last.is_some_and(|last| last >= &*customers[start].0) {
            return false;
        }
        last = Some(&customers[start + len - 1].0);
        start += len;
    }
    true
}

/// The customers in id order, as positions in `customers`: parts of lengths `part_lens`, one
/// after another, each in id order. A k-way merge of the parts' ids, which moves nothing but
/// indices. Ids are unique across parts (a customer lives in one shard), so no tie needs
/// breaking.
///
/// The merge is cut into ranges of ids, merged in parallel: the cuts are ids taken at even
/// steps through the largest part, and every part is split at them by binary search. With the
/// customers spread over the parts by hash, each range holds about as many of every part.
pub(crate) fn id_order_of_parts<T: Sync>(
    customers: &[(Box<str>, T)],
    part_lens: &[usize],
) -> Vec<u32> {
    // A range per few hundred thousand customers, a few per thread.
    let ranges = (customers.len() / 200_000).clamp(1, 4 * rayon::current_num_threads());
    id_order_of_parts_in(customers, part_lens, ranges)
}

/// [`id_order_of_parts`] in `ranges` ranges of ids.
pub(crate) fn id_order_of_parts_in<T: Sync>(
    customers: &[(Box<str>, T)],
    part_lens: &[usize],
    ranges: usize,
) -> Vec<u32> {
    assert_eq!(part_lens.iter().sum::<usize>(), customers.len());
    assert!(
        u32::try_from(customers.len()).is_ok(),
        "more than 4,294,967,295 customers in one import"
    );
    let mut parts: Vec<std::ops::Range<usize>> = Vec::with_capacity(part_lens.len());
    let mut start = 0;
    for &len in part_lens {
        parts.push(start..start + len);
        start += len;
    }
    let largest = parts
        .iter()
        .max_by_key(|p| p.len())
        .cloned()
        .unwrap_or_default();
    let ranges = ranges.clamp(1, largest.len().max(1));
    // Range j holds the ids from cut j − 1 (included) to cut j (excluded).
    let cuts: Vec<&str> = (1..ranges)
        .map(|j| &*customers[largest.start + j * largest.len() / ranges].0)
        .collect();
    // Where range j begins in `part`.
    let split = |part: &std::ops::Range<usize>, j: usize| -> usize {
        if j == 0 {
            part.start
        } else if j == ranges {
            part.end
        } else {
            let cut = cuts[j - 1];
            part.start + customers[part.clone()].partition_point(|(id, _)| &**id < cut)
        }
    };
    let bounds: Vec<Vec<std::ops::Range<usize>>> = (0..ranges)
        .map(|j| parts.iter().map(|p| split(p, j)..split(p, j + 1)).collect())
        .collect();
    // Each range's merge fills its own stretch of the order: no piece is copied.
    let mut order = vec![0u32; customers.len()];
    let mut stretches: Vec<&mut [u32]> = Vec::with_capacity(ranges);
    let mut rest = order.as_mut_slice();
    for range in &bounds {
        let (stretch, after) = rest.split_at_mut(range.iter().map(|r| r.len()).sum());
        stretches.push(stretch);
        rest = after;
    }
    stretches
        .into_par_iter()
        .zip(&bounds)
        .for_each(|(stretch, range)| merge_ranges(customers, range, stretch));
    order
}

/// The positions in the ranges `bounds` of `customers`, each range in id order, merged into
/// id order with a heap and written to `out` (as long as the ranges together).
pub(crate) fn merge_ranges<T>(
    customers: &[(Box<str>, T)],
    bounds: &[std::ops::Range<usize>],
    out: &mut [u32],
) {
    // (id prefix, id, position, end of its range): the prefix settles most comparisons without
    // reading the ids (see `id_prefix`).
    let entry = |k: usize, end: usize| {
        let id = &*customers[k].0;
        Reverse((id_prefix(id), id, k, end))
    };
    let mut heap: BinaryHeap<Reverse<(u64, &str, usize, usize)>> = BinaryHeap::new();
    for range in bounds.iter().filter(|r| !r.is_empty()) {
        heap.push(entry(range.start, range.end));
    }
    let mut slots = out.iter_mut();
    while let Some(mut top) = heap.peek_mut() {
        let Reverse((_, _, k, end)) = *top;
        *slots.next().expect("as many slots as positions") = k as u32;
        if k + 1 < end {
            *top = entry(k + 1, end);
        } else {
            PeekMut::pop(top);
        }
    }
    assert!(slots.next().is_none(), "every slot filled");
}

/// The shards' summaries appended to the whole in shard order, and the finished shards waiting
/// for those before them.
pub(crate) struct Appended {
    pub(crate) customers: Vec<(Box<str>, CustomerSummary)>,
    pub(crate) part_lens: Vec<usize>,
    pub(crate) duplicates: Vec<DuplicateLine>,
    pub(crate) waiting: Vec<(usize, SummarisedShard)>,
}

impl Appended {
    /// Appends shard `k` if every shard before it is appended (then also those waiting for it),
    /// else keeps it waiting.
    pub(crate) fn append_in_order(&mut self, k: usize, shard: SummarisedShard) {
        self.waiting.push((k, shard));
        while let Some(at) = self
            .waiting
            .iter()
            .position(|(k, _)| *k == self.part_lens.len())
        {
            let (_, shard) = self.waiting.swap_remove(at);
            self.part_lens.push(shard.customers.len());
            self.customers.extend(shard.customers);
            self.duplicates.extend(shard.duplicates);
        }
    }
}

/// One shard's customers, summarised in id order, and the duplicate lines dropped on the way.
pub(crate) struct SummarisedShard {
    customers: Vec<(Box<str>, CustomerSummary)>,
    duplicates: Vec<DuplicateLine>,
}

/// Lines put in place together in a shard that is not in customer order: 224 KiB of them, which
/// fit in a core's cache beside the lines they are read from. (A few in unit tests, so that
/// small files take many groups.)
pub(crate) const LINES_PER_GROUP: usize = if cfg!(test) { 16 } else { 4096 };

/// Buckets a shard's lines by customer (a counting sort, no per-customer allocation; each
/// worker's lines are freed once they are bucketed), then deduplicates and summarises each
/// customer.
/// `category_rank` maps the workers' category ids to the final ones.
pub(crate) fn summarise_shard(
    plan: ShardPlan,
    as_of: Day,
    day_amounts: DayAmounts,
    category_rank: &[u32],
    scratch: &mut MergeScratch,
) -> SummarisedShard {
    let ShardPlan {
        arenas,
        by_id,
        parts,
    } = plan;
    let customers = by_id.len();
    let MergeScratch {
        starts,
        fill,
        sorted,
        grouped,
        group_firsts,
        group_of,
        lines,
        summary,
    } = scratch;
    starts.clear();
    starts.resize(customers + 1, 0);
    // Whether each worker's lines already come customer by customer (as from a file sorted by
    // customer): then one pass puts them in place, writing in sequence within each worker's runs.
    let mut in_order = true;
    for (global, chunked) in &parts {
        let mut last = 0;
        for l in chunked.iter() {
            let c = global[l.customer as usize];
            in_order &= c >= last;
            last = c;
            starts[c as usize + 1] += 1;
        }
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let total = starts[customers];
    // Otherwise (a file sorted by date) the customers are taken in groups whose lines fit in the
    // cache together: the lines are first put group by group, writing to a few hundred places in
    // sequence, and then each group's lines customer by customer, within the cache. Put straight
    // in place, every line was a cache miss once the shard outgrew the cache. A group is a run of
    // customers with at most `LINES_PER_GROUP` lines together, or one customer alone with more
    // (whose lines, in the order they came, need no second pass: so the scratch for it stays
    // small even when one customer has millions of lines). In order, every customer is a group
    // of their own: the first pass puts each line in its place, and there is no second.
    group_firsts.clear();
    if in_order {
        group_firsts.extend(0..=customers);
    } else {
        let mut c = 0;
        while c < customers {
            group_firsts.push(c);
            let limit = starts[c] + LINES_PER_GROUP;
            c += 1;
            while c < customers && starts[c + 1] <= limit {
                c += 1;
            }
        }
        group_firsts.push(customers);
        group_of.clear();
        group_of.resize(customers, 0);
        for (g, firsts) in (0u32..).zip(group_firsts.windows(2)) {
            group_of[firsts[0]..firsts[1]].fill(g);
        }
    }
    let groups = group_firsts.len() - 1;
    fill.clear();
    fill.extend(group_firsts[..groups].iter().map(|&c| starts[c]));
    sorted.clear();
    sorted.resize(total, CompactLine::EMPTY);
    for (global, chunked) in parts {
        for l in chunked.iter() {
            let c = global[l.customer as usize];
            let g = if in_order {
                c as usize
            } else {
                group_of[c as usize] as usize
            };
            sorted[fill[g]] = CompactLine { customer: c, ..*l };
            fill[g] += 1;
        }
    }
    let mut duplicates = Vec::new();
    let mut out = Vec::with_capacity(customers);
    let mut by_id = by_id.into_iter();
    for g in 0..groups {
        let (first, end) = (group_firsts[g], group_firsts[g + 1]);
        let (base, group_end) = (starts[first], starts[end]);
        let group_lines: &[CompactLine] = if end - first == 1 {
            &sorted[base..group_end]
        } else {
            fill.clear();
            fill.extend_from_slice(&starts[first..end]);
            grouped.clear();
            grouped.resize(group_end - base, CompactLine::EMPTY);
            for l in &sorted[base..group_end] {
                let c = l.customer as usize;
                grouped[fill[c - first] - base] = *l;
                fill[c - first] += 1;
            }
            grouped
        };
        for c in first..end {
            let span = by_id.next().expect("a customer for every number");
            lines.clear();
            lines.extend(
                group_lines[starts[c] - base..starts[c + 1] - base]
                    .iter()
                    .map(|l| l.expand(category_rank)),
            );
            duplicates.extend(dedup_lines_with(lines, summary));
            let id = Box::from(span.id(&arenas));
            out.push((id, summarize_with(lines, as_of, day_amounts, summary)));
        }
    }
    SummarisedShard {
        customers: out,
        duplicates,
    }
}

#[cfg(test)]
mod tests {
    use super::{id_order_of_parts, id_order_of_parts_in, parts_in_id_order};
    use crate::pipeline::blocks::BLOCK_SIZE;
    use crate::pipeline::{ImportOptions, import_orders};
    use clientele_core::Day;
    use proptest::prelude::*;

    /// A file sorted by date spreads each customer's lines over the shard, which is then put in
    /// customer order group by group ([`LINES_PER_GROUP`]): the customers come out as from the
    /// same lines sorted by customer, whose shards are put in order in one pass. The file is
    /// over 8 MiB, three blocks, so that both workers read some: each worker's lines of a shard
    /// are then in customer order, but not the lines of both together.
    #[test]
    fn lines_sorted_by_date_summarise_as_sorted_by_customer() {
        let header = "order_id,customer_id,order_date,category,amount,cost\n";
        let mut lines: Vec<(String, u64, String)> = Vec::new();
        for i in 0..220_000u64 {
            // One customer with a third of the lines, alone in a group, besides many small ones.
            let customer = match i % 3 {
                0 => "C99999".to_string(),
                _ => format!("C{:05}", (i * 7_919) % 17_771),
            };
            let day = (i * 37) % 700;
            let date = Day::from_days_since_epoch(19_000 + day as i32);
            let amount = if i % 53 == 0 {
                -120
            } else {
                100 + (i as i64 * 31) % 9_000
            };
            let category = ["Books", "Toys", "Home"][(i % 3) as usize];
            let text = format!(
                "O{i},{customer},{date},{category},{amount}.25,{}.10\n",
                amount.abs() / 2
            );
            lines.push((customer, day, text));
        }
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, lines: &[(String, u64, String)]| {
            let path = dir.path().join(name);
            let body: String = lines.iter().map(|(_, _, t)| t.as_str()).collect();
            std::fs::write(&path, format!("{header}{body}")).unwrap();
            path
        };
        lines.sort_by_key(|(_, day, _)| *day);
        let by_date = write("by-date.csv", &lines);
        lines.sort_by(|a, b| a.0.cmp(&b.0));
        let by_customer = write("by-customer.csv", &lines);
        assert!(std::fs::metadata(&by_customer).unwrap().len() > 2 * BLOCK_SIZE as u64);
        let import = |path| import_orders(&[path], &ImportOptions::default(), &|_| {}).unwrap();
        let (by_date, by_customer) = (import(by_date), import(by_customer));
        let distinct: std::collections::HashSet<&str> =
            lines.iter().map(|(c, _, _)| c.as_str()).collect();
        assert_eq!(by_date.customers.len(), distinct.len());
        assert_eq!(by_date.rejects.len(), 0);
        assert_eq!(by_date.customers, by_customer.customers);
    }

    #[test]
    fn parts_in_id_order_by_hand() {
        let customers: Vec<(Box<str>, ())> =
            ["a", "b", "c", "d", "e"].map(|id| (id.into(), ())).into();
        assert!(parts_in_id_order(&customers, &[2, 0, 3]));
        assert!(parts_in_id_order(&customers, &[5]));
        let swapped: Vec<(Box<str>, ())> =
            ["c", "d", "a", "b", "e"].map(|id| (id.into(), ())).into();
        assert!(!parts_in_id_order(&swapped, &[2, 3]));
        // Equal ids in two parts are not in order (each customer is in one shard).
        let repeated: Vec<(Box<str>, ())> = ["a", "b", "b"].map(|id| (id.into(), ())).into();
        assert!(!parts_in_id_order(&repeated, &[2, 1]));
    }

    #[test]
    fn merges_the_parts_ids_by_hand() {
        let customers: Vec<(Box<str>, ())> =
            ["a", "d", "b", "c", "e"].map(|id| (id.into(), ())).into();
        assert_eq!(id_order_of_parts(&customers, &[2, 0, 3]), [0, 2, 3, 1, 4]);
    }

    proptest! {
        #[test]
        fn merging_sorted_parts_sorts_the_whole(
            mut ids in proptest::collection::btree_set("[a-z]{1,4}", 0..60)
                .prop_map(|s| s.into_iter().collect::<Vec<_>>())
                .prop_shuffle(),
            cuts in proptest::collection::vec(0usize..60, 0..6),
        ) {
            // Cut the shuffled ids into parts and sort each part, as the shards are.
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(ids.len())).collect();
            cuts.push(0);
            cuts.push(ids.len());
            cuts.sort_unstable();
            let part_lens: Vec<usize> = cuts.windows(2).map(|w| w[1] - w[0]).collect();
            for w in cuts.windows(2) {
                ids[w[0]..w[1]].sort();
            }
            let customers: Vec<(Box<str>, ())> = ids.iter().map(|id| (id.as_str().into(), ())).collect();
            let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
            expected.sort_unstable();
            // In one range, and cut into several ranges merged apart.
            for ranges in [1, 2, 3, 7, 100] {
                let order = id_order_of_parts_in(&customers, &part_lens, ranges);
                let merged: Vec<&str> = order.iter().map(|&k| &*customers[k as usize].0).collect();
                prop_assert_eq!(&merged, &expected, "{} ranges", ranges);
            }
        }
    }
}
