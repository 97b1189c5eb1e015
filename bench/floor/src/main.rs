//! The floor under any program that reads a generated orders file for the customer-base models:
//! it reads only what the models need (customer id, date, amount) and summarises each customer
//! to (x, t_x, T, mean repeat value), with no sniffing, no validation beyond skipping what does
//! not parse, no rejects, no ladder and no output. Nothing in Clientele uses it; BENCHMARKS.md
//! quotes its time as the floor under the issue-3 comparison with Python.
//!
//!     cargo run --release --manifest-path bench/floor/Cargo.toml -- orders-1m.csv
//!
//! Assumes the generator's layout: `order_id,customer_id,order_date,...,amount,cost`, ISO dates,
//! dot decimals, no quotes.

use std::time::Instant;

use hashbrown::HashMap;

/// FxHash over eight-byte words, with a final mix so that the low bits (hashbrown's bucket)
/// depend on every byte: ids like `C0000001` differ only in their last bytes.
#[derive(Default, Clone, Copy)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut h = self.0;
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w.try_into().unwrap())).wrapping_mul(K);
        }
        for &b in words.remainder() {
            h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
        self.0 = h;
    }
}

#[derive(Default, Clone)]
struct BuildIdHasher;

impl std::hash::BuildHasher for BuildIdHasher {
    type Hasher = IdHasher;
    fn build_hasher(&self) -> IdHasher {
        IdHasher(0)
    }
}

type Ids<'a> = HashMap<&'a [u8], u32, BuildIdHasher>;

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn digits(s: &[u8]) -> Option<i64> {
    s.iter().try_fold(0i64, |v, &c| {
        c.is_ascii_digit().then(|| v * 10 + i64::from(c - b'0'))
    })
}

fn iso_date(s: &[u8]) -> Option<i32> {
    if s.len() != 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&s[..4])?, digits(&s[5..7])?, digits(&s[8..])?);
    ((1..=12).contains(&m) && (1..=31).contains(&d)).then(|| days_from_civil(y, m, d) as i32)
}

/// Cents.
fn amount(s: &[u8]) -> Option<i64> {
    let (whole, cents) = match memchr::memchr(b'.', s) {
        Some(p) if s.len() - p == 3 => (&s[..p], digits(&s[p + 1..])?),
        Some(_) => return None,
        None => (s, 0),
    };
    Some(digits(whole)? * 100 + cents)
}

/// (customer, day, cents) of every line that parses, and the customers' numbers.
fn parse(chunk: &[u8]) -> (Ids<'_>, Vec<(u32, i32, i64)>) {
    let mut ids = Ids::with_capacity_and_hasher(chunk.len() / 256, BuildIdHasher);
    let mut rows = Vec::with_capacity(chunk.len() / 64);
    for line in chunk.split(|&b| b == b'\n') {
        // Field starts: 10 fields, so 9 commas.
        let mut commas = [0usize; 9];
        let mut n = 0;
        for p in memchr::memchr_iter(b',', line) {
            if n == 9 {
                n += 1;
                break;
            }
            commas[n] = p;
            n += 1;
        }
        if n != 9 {
            continue;
        }
        let id = &line[commas[0] + 1..commas[1]];
        let (Some(day), Some(cents)) = (
            iso_date(&line[commas[1] + 1..commas[2]]),
            amount(&line[commas[7] + 1..commas[8]]),
        ) else {
            continue;
        };
        if id.is_empty() {
            continue;
        }
        let next = ids.len() as u32;
        let customer = *ids.entry(id).or_insert(next);
        rows.push((customer, day, cents));
    }
    (ids, rows)
}

fn main() {
    let path = std::env::args().nth(1).expect("usage: floor ORDERS.csv");
    let start = Instant::now();
    let data = std::fs::read(&path).expect("reading the orders");
    let read = start.elapsed();
    let body = &data[memchr::memchr(b'\n', &data).expect("a header line") + 1..];
    let half = body.len() / 2;
    let cut = half + memchr::memchr(b'\n', &body[half..]).map_or(body.len() - half, |p| p + 1);
    let ((mut ids, mut rows), (other_ids, other_rows)) = std::thread::scope(|s| {
        let second = s.spawn(|| parse(&body[cut..]));
        (parse(&body[..cut]), second.join().unwrap())
    });
    let parsed = start.elapsed();
    // The second half's customers numbered as the first half's.
    let mut renumber = vec![0u32; other_ids.len()];
    for (id, local) in other_ids {
        let next = ids.len() as u32;
        renumber[local as usize] = *ids.entry(id).or_insert(next);
    }
    rows.extend(
        other_rows
            .into_iter()
            .map(|(c, d, a)| (renumber[c as usize], d, a)),
    );
    let end = rows.iter().map(|r| r.1).max().unwrap_or(0);
    // Each customer's lines together (a counting sort), then (x, t_x, T, mean repeat value).
    let n = ids.len();
    let mut starts = vec![0u32; n + 1];
    for r in &rows {
        starts[r.0 as usize + 1] += 1;
    }
    for i in 0..n {
        starts[i + 1] += starts[i];
    }
    let mut fill = starts.clone();
    let mut lines = vec![(0i32, 0i64); rows.len()];
    for &(c, d, a) in &rows {
        lines[fill[c as usize] as usize] = (d, a);
        fill[c as usize] += 1;
    }
    let (mut sum_x, mut sum_t) = (0u64, 0i64);
    for c in 0..n {
        let mine = &mut lines[starts[c] as usize..starts[c + 1] as usize];
        mine.sort_unstable_by_key(|l| l.0);
        let (first, mut last, mut x) = (mine[0].0, mine[0].0, 0u64);
        for l in &mine[1..] {
            if l.0 != last {
                x += 1;
                last = l.0;
            }
        }
        sum_x += x;
        sum_t += i64::from(end - first);
    }
    eprintln!(
        "read in {:.3} s, parsed in {:.3} s, summarised in {:.3} s: {n} customers, {} lines, Σx = {sum_x}, ΣT = {sum_t}",
        read.as_secs_f64(),
        (parsed - read).as_secs_f64(),
        (start.elapsed() - parsed).as_secs_f64(),
        rows.len()
    );
}
