//! Amounts and quantities: no panic; an amount read is within the bounds and at least the money
//! unit when not zero, and written back plainly it reads as the same amount; a quantity read is
//! finite and within its bound.
#![no_main]

use clientele_core::Money;
use clientele_core::bounds::{MAX_AMOUNT, MAX_QUANTITY};
use clientele_ingest::values::{
    NumberFormat, detect_number_format, parse_decimal_f64, parse_money,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let format = if choice & 1 == 0 {
        NumberFormat::POINT
    } else {
        NumberFormat::COMMA
    };
    if let Ok(money) = parse_money(text, format) {
        assert!(money.abs() <= MAX_AMOUNT, "{text:?} → {money:?}");
        let units = money.units();
        let mark = char::from(format.decimal);
        let sign = if units < 0 { "-" } else { "" };
        let plain = format!(
            "{sign}{}{mark}{:04}",
            units.unsigned_abs() / 10_000,
            units.unsigned_abs() % 10_000
        );
        assert_eq!(
            parse_money(&plain, format),
            Ok(money),
            "{text:?} as {plain:?}"
        );
        assert_ne!(money, Money::from_units(i64::MIN));
    }
    if let Ok(q) = parse_decimal_f64(text, format) {
        assert!(q.is_finite() && q.abs() <= MAX_QUANTITY, "{text:?} → {q}");
    }
    let samples: Vec<&str> = text.split('\n').take(50).collect();
    let _ = detect_number_format(&samples, Some(b';'));
});
