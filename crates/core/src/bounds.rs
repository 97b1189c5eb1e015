//! The bounds every entry point (file import, upload, API) holds values to, so that what is
//! accepted can be summed, dated and shown without overflow or nonsense.
//!
//! # Why these numbers
//! - Days: 1900-01-01 ..= 2100-12-31. Orders before 1900 or after 2100 are typing errors (a year
//!   of 2999, a day number read as a date), and a snapshot "as of 2999" makes every buyer lost.
//! - Amounts: |amount| ≤ [`MAX_AMOUNT`] = 10^12 in the currency unit (a trillion roubles, about
//!   a tenth of Russia's yearly GDP), and a non-zero amount is at least [`Money`]'s unit, 0.0001:
//!   smaller ones would be rounded to zero or to a unit they do not have, so they are refused.
//! - Sums: one line is at most 10^16 units of money, and `i64` holds 9.2 × 10^18: 922 lines at
//!   the bound overflow a sum. So no sum relies on the per-line bound alone: an import also holds
//!   the sum of every |amount| and |cost| it accepts to [`MAX_TOTAL_UNITS`] (checked in 128
//!   bits). Every sum the core forms — a customer's revenue, cost and profit, a rung's, the
//!   company's — adds a subset of those lines' amounts and costs, so its magnitude is at most
//!   that total and fits in `i64`.
//! - Quantities: |quantity| ≤ [`MAX_QUANTITY`], a billion units in one line.
//! - Texts: ids (customer, order) at most [`MAX_ID_CHARS`] characters without control
//!   characters (NUL, line breaks, escapes: they break exports, terminals and lookups); names,
//!   products, categories and managers at most [`MAX_NAME_CHARS`] characters.

use crate::{Day, Money};

/// The earliest day an order, a touch or a birthday may have: 1900-01-01.
pub const EARLIEST_DAY: Day = Day::from_days_since_epoch(-25_567);
/// The latest day an order may have: 2100-12-31.
pub const LATEST_DAY: Day = Day::from_days_since_epoch(47_846);
/// The largest amount of money in one value: 10^12 in the currency unit.
pub const MAX_AMOUNT: Money = Money::from_units(1_000_000_000_000 * Money::SCALE);
/// The largest sum of |amount| + |cost| over everything one import accepts, in money units: the
/// largest `i64`, so that no sum of those values can overflow.
pub const MAX_TOTAL_UNITS: u128 = i64::MAX as u128;
/// The largest |quantity| of one line.
pub const MAX_QUANTITY: f64 = 1e9;
/// The longest customer or order id, in characters.
pub const MAX_ID_CHARS: usize = 256;
/// The longest name, product, category or manager, in characters.
pub const MAX_NAME_CHARS: usize = 1_000;

/// Whether `day` is within [`EARLIEST_DAY`] ..= [`LATEST_DAY`].
pub fn day_in_bounds(day: Day) -> bool {
    (EARLIEST_DAY..=LATEST_DAY).contains(&day)
}

/// Why an amount is not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("is beyond the largest amount accepted, {}", MAX_AMOUNT.units() / Money::SCALE)]
    TooLarge,
    #[error("is below the money unit, 0.0001: it would be rounded")]
    BelowUnit,
}

/// Why an id or a name is not accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is longer than {max} characters")]
    TooLong { max: usize },
    /// The character's code point, e.g. 0 for NUL.
    #[error("holds a control character (U+{0:04X})")]
    ControlCharacter(u32),
}

/// Checks an id (customer or order): at most [`MAX_ID_CHARS`] characters, none of them a control
/// character.
#[inline]
pub fn check_id(id: &str) -> Result<(), TextError> {
    // Most ids are short printable ASCII: one pass over the bytes, eight at a time, decides (the
    // importer checks the ids of every row).
    if id.len() <= MAX_ID_CHARS && printable_ascii(id.as_bytes()) {
        return Ok(());
    }
    if let Some(c) = id.chars().find(|c| c.is_control()) {
        return Err(TextError::ControlCharacter(u32::from(c)));
    }
    check_length(id, MAX_ID_CHARS)
}

/// Whether every byte is printable ASCII, 0x20 ..= 0x7E, tested a word of eight bytes at a time:
/// no byte has its top bit set, each becomes at least 0x80 when 0x60 is added (it is at least
/// 0x20), and none reaches 0x80 when 1 is added (it is at most 0x7E). Bytes below 0x80 carry
/// nothing into their neighbours in either sum. The last few bytes are tested one by one.
#[inline]
fn printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let mut chunks = bytes.chunks_exact(8);
    let mut ok = true;
    for chunk in &mut chunks {
        let w = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        ok &= w & TOPS == 0
            && w.wrapping_add(0x60 * ONES) & TOPS == TOPS
            && w.wrapping_add(ONES) & TOPS == 0;
    }
    ok && chunks.remainder().iter().all(|b| (0x20..0x7f).contains(b))
}

/// Checks a name, product, category or manager: at most [`MAX_NAME_CHARS`] characters.
pub fn check_name(name: &str) -> Result<(), TextError> {
    check_length(name, MAX_NAME_CHARS)
}

fn check_length(text: &str, max: usize) -> Result<(), TextError> {
    // Bytes bound characters from above: only a long text needs its characters counted.
    if text.len() <= max || text.chars().count() <= max {
        Ok(())
    } else {
        Err(TextError::TooLong { max })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_bounds_are_the_documented_days() {
        assert_eq!(EARLIEST_DAY, Day::from_ymd(1900, 1, 1).unwrap());
        assert_eq!(LATEST_DAY, Day::from_ymd(2100, 12, 31).unwrap());
        assert!(day_in_bounds(Day::from_ymd(2024, 2, 29).unwrap()));
        assert!(!day_in_bounds(Day::from_ymd(1899, 12, 31).unwrap()));
        assert!(!day_in_bounds(Day::from_ymd(2101, 1, 1).unwrap()));
    }

    /// The reasoning of the module's documentation, checked: a line at the bound fits, 922 such
    /// lines fit and 923 do not, and the total bound is what `i64` holds.
    #[test]
    fn sums_at_the_bounds() {
        let max = MAX_AMOUNT.units();
        assert_eq!(max, 10_000_000_000_000_000);
        assert!(max.checked_mul(922).is_some());
        assert!(max.checked_mul(923).is_none());
        assert_eq!(i64::try_from(MAX_TOTAL_UNITS), Ok(i64::MAX));
    }

    proptest::proptest! {
        /// The word-at-a-time test says what a byte-by-byte one says.
        #[test]
        fn printable_ascii_agrees_with_a_byte_by_byte_test(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![0x1eu8..0x22, 0x7cu8..0x82, proptest::prelude::any::<u8>()],
                0..40,
            )
        ) {
            let expected = bytes.iter().all(|b| (0x20..=0x7e).contains(b));
            proptest::prop_assert_eq!(printable_ascii(&bytes), expected);
        }
    }

    #[test]
    fn ids_and_names() {
        assert_eq!(check_id("C-0001"), Ok(()));
        assert_eq!(check_id("Иванов И. И."), Ok(()));
        assert_eq!(check_id("a\0b"), Err(TextError::ControlCharacter(0)));
        assert_eq!(
            check_id("a\u{1b}[31m"),
            Err(TextError::ControlCharacter(0x1b))
        );
        assert_eq!(check_id("a\u{85}"), Err(TextError::ControlCharacter(0x85)));
        assert_eq!(check_id("tab\there"), Err(TextError::ControlCharacter(9)));
        assert_eq!(check_id(&"x".repeat(256)), Ok(()));
        assert_eq!(
            check_id(&"x".repeat(257)),
            Err(TextError::TooLong { max: 256 })
        );
        // Characters, not bytes: 256 Cyrillic letters are 512 bytes.
        assert_eq!(check_id(&"ж".repeat(256)), Ok(()));
        assert_eq!(check_name(&"ж".repeat(1000)), Ok(()));
        assert_eq!(
            check_name(&"ж".repeat(1001)),
            Err(TextError::TooLong { max: 1000 })
        );
        assert_eq!(
            check_id("a\0b").unwrap_err().to_string(),
            "holds a control character (U+0000)"
        );
    }
}
