//! Allocation-free formatting of CSV fields into a reused byte buffer.
//!
//! The orders file runs to tens of millions of rows, so every field is appended as bytes
//! instead of going through `fmt`; the dates of the observation window are rendered once.

use clientele_core::Day;

/// Appends `n` in decimal, left-padded with zeros to at least `width` digits.
pub(crate) fn push_u64(buf: &mut Vec<u8>, mut n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let len = digits.len() - i;
    buf.extend(std::iter::repeat_n(b'0', width.saturating_sub(len)));
    buf.extend_from_slice(&digits[i..]);
}

/// Appends a signed integer.
pub(crate) fn push_i64(buf: &mut Vec<u8>, n: i64) {
    if n < 0 {
        buf.push(b'-');
    }
    push_u64(buf, n.unsigned_abs(), 1);
}

/// Appends an amount given in kopecks (hundredths) with exactly two decimals: `-12.05`.
pub(crate) fn push_kopecks(buf: &mut Vec<u8>, kopecks: i64) {
    if kopecks < 0 {
        buf.push(b'-');
    }
    let k = kopecks.unsigned_abs();
    push_u64(buf, k / 100, 1);
    buf.push(b'.');
    push_u64(buf, k % 100, 2);
}

/// Customer ids: `C0000001` for index 0.
pub(crate) fn push_customer_id(buf: &mut Vec<u8>, index: u64) {
    buf.push(b'C');
    push_u64(buf, index + 1, 7);
}

/// ISO dates of a fixed range of days, rendered once.
#[derive(Clone, Debug)]
pub(crate) struct DayTable {
    first: i32,
    iso: Vec<[u8; 10]>,
}

impl DayTable {
    /// Every day from `first` to `last` inclusive.
    pub(crate) fn new(first: Day, last: Day) -> DayTable {
        let iso = (first.days_since_epoch()..=last.days_since_epoch())
            .map(|n| {
                let mut out = [0u8; 10];
                out.copy_from_slice(Day::from_days_since_epoch(n).to_string().as_bytes());
                out
            })
            .collect();
        DayTable {
            first: first.days_since_epoch(),
            iso,
        }
    }

    /// Appends the ISO form of `day`, which must lie in the table's range.
    pub(crate) fn push(&self, buf: &mut Vec<u8>, day: Day) {
        let i = (day.days_since_epoch() - self.first) as usize;
        buf.extend_from_slice(&self.iso[i]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut buf = Vec::new();
        f(&mut buf);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn integers_and_amounts() {
        assert_eq!(render(|b| push_u64(b, 0, 1)), "0");
        assert_eq!(render(|b| push_u64(b, 42, 8)), "00000042");
        assert_eq!(render(|b| push_u64(b, 123_456_789, 8)), "123456789");
        assert_eq!(render(|b| push_u64(b, u64::MAX, 1)), u64::MAX.to_string());
        assert_eq!(render(|b| push_i64(b, -5)), "-5");
        assert_eq!(render(|b| push_kopecks(b, 123_405)), "1234.05");
        assert_eq!(render(|b| push_kopecks(b, -7)), "-0.07");
        assert_eq!(render(|b| push_kopecks(b, 0)), "0.00");
        assert_eq!(render(|b| push_customer_id(b, 0)), "C0000001");
    }

    #[test]
    fn day_table_renders_iso() {
        let first = Day::from_ymd(2024, 2, 28).unwrap();
        let table = DayTable::new(first, first.plus_days(2));
        assert_eq!(render(|b| table.push(b, first.plus_days(1))), "2024-02-29");
        assert_eq!(render(|b| table.push(b, first.plus_days(2))), "2024-03-01");
    }
}
