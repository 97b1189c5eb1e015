//! Numbers and money: exact amounts (digits accumulated into an integer and scaled to money's
//! ten-thousandths, never through floating point), quantities, discounts, and telling the decimal
//! mark from sample values.

use clientele_core::Money;
use clientele_core::bounds::{AmountError, MAX_AMOUNT, MAX_QUANTITY};

use super::formats::{NumberFormat, ValueError, trim_value};

/// A number as written: sign, all digits as one integer, and how many of them are decimals.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Scanned {
    pub(crate) neg: bool,
    pub(crate) mantissa: u128,
    pub(crate) scale: u32,
    pub(crate) percent: bool,
}

/// Decimals kept beyond money's four; the fifth alone decides half-away-from-zero rounding and
/// the rest only matter for `f64` results, where 18 is more than a double can hold.
pub(crate) const MAX_SCALE: u32 = 18;

/// Currency marks accepted before or after an amount, longest first so `руб.` wins over `р`.
pub(crate) const CURRENCY_TOKENS: [&str; 19] = [
    "руб.", "РУБ.", "Руб.", "руб", "РУБ", "Руб", "р.", "Р.", "р", "Р", "₽", "$", "€", "£", "USD",
    "RUB", "RUR", "EUR", "US$",
];

pub(crate) fn strip_currency_prefix(t: &str) -> Option<&str> {
    CURRENCY_TOKENS.iter().find_map(|tok| {
        let n = tok.len();
        (t.len() >= n && t.as_bytes()[..n].eq_ignore_ascii_case(tok.as_bytes())).then(|| &t[n..])
    })
}

pub(crate) fn strip_currency_suffix(t: &str) -> Option<&str> {
    CURRENCY_TOKENS.iter().find_map(|tok| {
        let n = tok.len();
        (t.len() >= n && t.as_bytes()[t.len() - n..].eq_ignore_ascii_case(tok.as_bytes()))
            .then(|| &t[..t.len() - n])
    })
}

pub(crate) fn not_a_number(t: &str, reason: Option<&'static str>) -> ValueError {
    ValueError::NotANumber {
        text: t.to_string(),
        reason,
    }
}

/// Digits with at most one decimal mark and nothing else (`1234.56`, `3`, `.5`), at most 19
/// bytes: most fields of most exports. Accumulated in a `u64`, which 19 digits cannot overflow,
/// and never more than `MAX_SCALE` decimals; `None` sends any other text to the general scanner,
/// which gives the same result on these texts (a property test checks it).
#[inline]
pub(crate) fn scan_plain(b: &[u8], decimal: u8) -> Option<PlainNumber> {
    if b.len() > 19 {
        return None;
    }
    let (mut mantissa, mut scale, mut in_frac, mut any_digit) = (0u64, 0u32, false, false);
    for &c in b {
        if c.is_ascii_digit() {
            mantissa = mantissa * 10 + u64::from(c - b'0');
            scale += u32::from(in_frac);
            any_digit = true;
        } else if c == decimal && !in_frac {
            in_frac = true;
        } else {
            return None;
        }
    }
    any_digit.then_some(PlainNumber { mantissa, scale })
}

/// What [`scan_plain`] reads: `mantissa / 10^scale`, not negative.
#[derive(Clone, Copy)]
pub(crate) struct PlainNumber {
    mantissa: u64,
    scale: u32,
}

impl PlainNumber {
    fn scanned(self) -> Scanned {
        Scanned {
            neg: false,
            mantissa: u128::from(self.mantissa),
            scale: self.scale,
            percent: false,
        }
    }

    /// The amount when it has at most money's four decimals and is within [`MAX_AMOUNT`];
    /// `None` leaves rounding and refusals to the general route. The same value as that route,
    /// in 64-bit steps instead of 128-bit ones (a property test checks it).
    #[inline]
    fn money(self) -> Option<Money> {
        const POW10: [u64; 5] = [1, 10, 100, 1_000, 10_000];
        let units = self
            .mantissa
            .checked_mul(*POW10.get(4usize.checked_sub(self.scale as usize)?)?)?;
        i64::try_from(units)
            .ok()
            .map(Money::from_units)
            .filter(|m| *m <= MAX_AMOUNT)
    }

    /// The same `f64` as [`scanned_to_f64`]: the mantissa is the same integer, converted with
    /// the same rounding.
    #[inline]
    fn to_f64(self) -> f64 {
        self.mantissa as f64 / 10f64.powi(self.scale as i32)
    }
}

/// Strips sign, accounting parentheses, currency marks and a percent sign, then reads the digits,
/// checking that thousands separators form groups of three.
pub(crate) fn scan_number(s: &str, decimal: u8) -> Result<Scanned, ValueError> {
    let orig = trim_value(s);
    match scan_plain(orig.as_bytes(), decimal) {
        Some(plain) => Ok(plain.scanned()),
        None => scan_not_plain(orig, decimal),
    }
}

/// [`scan_number`] for trimmed text that [`scan_plain`] has turned down already (the money and
/// quantity parsers try it first, on their own).
pub(crate) fn scan_not_plain(orig: &str, decimal: u8) -> Result<Scanned, ValueError> {
    if orig.is_empty() {
        return Err(ValueError::Empty);
    }
    scan_number_general(orig, decimal)
}

/// [`scan_number`] for any text (already trimmed and not empty).
pub(crate) fn scan_number_general(orig: &str, decimal: u8) -> Result<Scanned, ValueError> {
    let mut t = orig;
    let mut neg = false;
    let mut percent = false;
    let b = t.as_bytes();
    // Fast path: most fields start and end with a digit and need none of the stripping below.
    if !(b[0].is_ascii_digit() && b[b.len() - 1].is_ascii_digit()) {
        let (mut paren, mut sign, mut prefix, mut suffix) = (false, false, false, false);
        loop {
            let before = t.len();
            if !paren && t.len() >= 2 && t.starts_with('(') && t.ends_with(')') {
                paren = true;
                neg = true;
                t = trim_value(&t[1..t.len() - 1]);
            }
            if !sign {
                let rest = if let Some(r) = t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
                    neg = true;
                    Some(r)
                } else {
                    t.strip_prefix('+')
                };
                if let Some(r) = rest {
                    sign = true;
                    t = trim_value(r);
                }
            }
            if !percent && let Some(r) = t.strip_suffix('%') {
                percent = true;
                t = trim_value(r);
            }
            if !prefix && let Some(r) = strip_currency_prefix(t) {
                prefix = true;
                t = trim_value(r);
            }
            if !suffix && let Some(r) = strip_currency_suffix(t) {
                suffix = true;
                t = trim_value(r);
            }
            if t.len() == before {
                break;
            }
        }
    }
    let b = t.as_bytes();
    let group = if decimal == b'.' { b',' } else { b'.' };
    let mut mantissa: u128 = 0;
    let mut scale = 0u32;
    let mut in_frac = false;
    let mut any_digit = false;
    let mut grouped = false;
    let mut since_sep = 0u32;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            if !in_frac || scale < MAX_SCALE {
                mantissa = mantissa
                    .checked_mul(10)
                    .and_then(|m| m.checked_add(u128::from(c - b'0')))
                    .ok_or_else(|| ValueError::Overflow {
                        text: orig.to_string(),
                    })?;
                if in_frac {
                    scale += 1;
                }
            }
            any_digit = true;
            since_sep += 1;
            i += 1;
            continue;
        }
        if c == decimal {
            if in_frac {
                return Err(not_a_number(orig, None));
            }
            if grouped && since_sep != 3 {
                return Err(not_a_number(orig, None));
            }
            in_frac = true;
            since_sep = 0;
            i += 1;
            continue;
        }
        let sep_len = match c {
            b' ' | b'\'' => 1,
            _ if c == group => 1,
            0xC2 if b.get(i + 1) == Some(&0xA0) => 2, // U+00A0 no-break space
            0xE2 if matches!(
                (b.get(i + 1), b.get(i + 2)),
                (Some(0x80), Some(0xAF | 0x89 | 0x99))
            ) =>
            {
                3
            } // U+202F, U+2009, U+2019
            _ => 0,
        };
        if sep_len > 0 {
            let bad_group = if grouped {
                since_sep != 3
            } else {
                since_sep == 0 || since_sep > 3
            };
            if in_frac || bad_group {
                return Err(not_a_number(orig, None));
            }
            grouped = true;
            since_sep = 0;
            i += sep_len;
            continue;
        }
        if c == b'e' || c == b'E' {
            return Err(not_a_number(
                orig,
                Some("exponent notation is not accepted"),
            ));
        }
        return Err(not_a_number(orig, None));
    }
    if !any_digit || (grouped && !in_frac && since_sep != 3) {
        return Err(not_a_number(orig, None));
    }
    Ok(Scanned {
        neg,
        mantissa,
        scale,
        percent,
    })
}

pub(crate) fn scanned_to_money(sc: &Scanned, text: &str) -> Result<Money, ValueError> {
    let units = if sc.scale <= 4 {
        sc.mantissa.checked_mul(10u128.pow(4 - sc.scale))
    } else {
        let div = 10u128.pow(sc.scale - 4);
        let (q, r) = (sc.mantissa / div, sc.mantissa % div);
        // Half away from zero: the magnitude rounds up when the dropped part is at least half.
        Some(if r * 2 >= div { q + 1 } else { q })
    };
    let amount_error = |source| ValueError::Amount {
        text: trim_value(text).to_string(),
        source,
    };
    let units = units
        .filter(|&u| u <= MAX_AMOUNT.units() as u128)
        .ok_or_else(|| amount_error(AmountError::TooLarge))? as i64;
    // A non-zero amount below one unit (0.0001) would be rounded to zero or up to a whole unit:
    // it is refused instead. (Larger ones with more decimals round to the nearest unit.)
    if sc.scale > 4 && sc.mantissa != 0 && sc.mantissa < 10u128.pow(sc.scale - 4) {
        return Err(amount_error(AmountError::BelowUnit));
    }
    Ok(Money::from_units(if sc.neg { -units } else { units }))
}

/// Parses an amount of money exactly. Accepts signs (`-`, `+`, `−`), accounting parentheses,
/// thousands separators in groups of three, and currency marks before or after the number.
///
/// Amounts are held to [`clientele_core::bounds`]: at most [`MAX_AMOUNT`] either way, and a
/// non-zero amount is at least the money unit, 0.0001 (smaller ones are refused, not rounded to
/// zero); more decimals than four round half away from zero to the unit.
pub fn parse_money(s: &str, f: NumberFormat) -> Result<Money, ValueError> {
    // Returns are written with a minus sign: they take the fast path too.
    let t = trim_value(s);
    let (negative, digits) = match t.as_bytes().split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, t.as_bytes()),
    };
    let plain = scan_plain(digits, f.decimal);
    if let Some(money) = plain.and_then(PlainNumber::money) {
        return Ok(if negative { -money } else { money });
    }
    // What `scan_number` gives, without scanning the plain shape a second time.
    let sc = match plain {
        Some(plain) if !negative => plain.scanned(),
        _ => scan_not_plain(t, f.decimal)?,
    };
    if sc.percent {
        return Err(ValueError::Percent {
            text: t.to_string(),
        });
    }
    scanned_to_money(&sc, s)
}

pub(crate) fn scanned_to_f64(sc: &Scanned) -> f64 {
    let v = sc.mantissa as f64 / 10f64.powi(sc.scale as i32);
    if sc.neg { -v } else { v }
}

/// Parses a plain number (a quantity) with the same rules as [`parse_money`]; `%` is an error,
/// and so is a magnitude beyond [`MAX_QUANTITY`].
pub fn parse_decimal_f64(s: &str, f: NumberFormat) -> Result<f64, ValueError> {
    let t = trim_value(s);
    // What `scan_number` does, with the plain shape's own conversion.
    let value = match scan_plain(t.as_bytes(), f.decimal) {
        Some(plain) => plain.to_f64(),
        None => {
            let sc = scan_not_plain(t, f.decimal)?;
            if sc.percent {
                return Err(ValueError::Percent {
                    text: t.to_string(),
                });
            }
            scanned_to_f64(&sc)
        }
    };
    if value.abs() > MAX_QUANTITY {
        return Err(ValueError::Quantity {
            text: t.to_string(),
        });
    }
    Ok(value)
}

/// A discount as exports write it: an amount off, or a percentage of the price.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Discount {
    Amount(Money),
    /// Percent value as written: `15%` is `Percent(15.0)`.
    Percent(f64),
}

pub fn parse_discount(s: &str, f: NumberFormat) -> Result<Discount, ValueError> {
    let sc = scan_number(s, f.decimal)?;
    if sc.percent {
        Ok(Discount::Percent(scanned_to_f64(&sc)))
    } else {
        scanned_to_money(&sc, s).map(Discount::Amount)
    }
}

/// Evidence one value gives about the decimal mark.
pub(crate) enum MarkEvidence {
    Point,
    Comma,
    /// A single `.` or `,` followed by exactly three digits: a decimal or a thousands separator.
    Ambiguous,
    None,
}

pub(crate) fn mark_evidence(value: &str) -> MarkEvidence {
    let b = value.as_bytes();
    // Only the span between the first and last digit matters: `12 руб.` ends with a dot that is
    // part of the currency, not the number.
    let (Some(first), Some(last)) = (
        b.iter().position(u8::is_ascii_digit),
        b.iter().rposition(u8::is_ascii_digit),
    ) else {
        return MarkEvidence::None;
    };
    let core = &b[first..=last];
    let dots = core.iter().filter(|&&c| c == b'.').count();
    let commas = core.iter().filter(|&&c| c == b',').count();
    let digits_after = |mark: u8| {
        let p = core.iter().rposition(|&c| c == mark).unwrap_or(0);
        core[p + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count()
    };
    match (dots, commas) {
        (0, 0) => MarkEvidence::None,
        (d, c) if d > 0 && c > 0 => {
            let last_dot = core.iter().rposition(|&x| x == b'.');
            let last_comma = core.iter().rposition(|&x| x == b',');
            if last_dot > last_comma {
                MarkEvidence::Point
            } else {
                MarkEvidence::Comma
            }
        }
        (0, 1) if digits_after(b',') != 3 => MarkEvidence::Comma,
        (1, 0) if digits_after(b'.') != 3 => MarkEvidence::Point,
        (0, 1) | (1, 0) => MarkEvidence::Ambiguous,
        // Several of one mark and none of the other: they group thousands.
        (0, _) => MarkEvidence::Point,
        _ => MarkEvidence::Comma,
    }
}

/// Tells the decimal mark from sample values of numeric columns, with a sentence explaining the
/// evidence or the assumption made (`None` when no value has a `.` or `,`, so it does not matter).
pub fn detect_number_format(
    samples: &[&str],
    delimiter: Option<u8>,
) -> (NumberFormat, Option<String>) {
    let (mut point, mut comma) = (0usize, 0usize);
    let (mut point_ex, mut comma_ex, mut ambiguous_ex) = (None, None, None);
    for s in samples {
        let v = trim_value(s);
        match mark_evidence(v) {
            MarkEvidence::Point => {
                point += 1;
                point_ex.get_or_insert(v);
            }
            MarkEvidence::Comma => {
                comma += 1;
                comma_ex.get_or_insert(v);
            }
            MarkEvidence::Ambiguous => {
                ambiguous_ex.get_or_insert(v);
            }
            MarkEvidence::None => {}
        }
    }
    match (point, comma) {
        (0, 0) => match ambiguous_ex {
            None => (NumberFormat::POINT, None),
            Some(ex) if delimiter == Some(b';') => (
                NumberFormat::COMMA,
                Some(format!(
                    "decimal mark: ',' (assumed: values like '{ex}' could mean either, and ';'-separated files usually use a decimal comma; pass --decimal . if wrong)"
                )),
            ),
            Some(ex) => (
                NumberFormat::POINT,
                Some(format!(
                    "decimal mark: '.' (assumed: values like '{ex}' could mean either; pass --decimal , if wrong)"
                )),
            ),
        },
        (p, 0) => (
            NumberFormat::POINT,
            Some(format!(
                "decimal mark: '.' (seen in '{}'; {p} values agree)",
                point_ex.unwrap_or_default()
            )),
        ),
        (0, c) => (
            NumberFormat::COMMA,
            Some(format!(
                "decimal mark: ',' (seen in '{}'; {c} values agree)",
                comma_ex.unwrap_or_default()
            )),
        ),
        (p, c) => {
            let (f, mark) = if c > p {
                (NumberFormat::COMMA, ',')
            } else {
                (NumberFormat::POINT, '.')
            };
            (
                f,
                Some(format!(
                    "decimal mark: '{mark}' (values disagree: {p} look like '{}', {c} like '{}'; the majority wins)",
                    point_ex.unwrap_or_default(),
                    comma_ex.unwrap_or_default()
                )),
            )
        }
    }
}

/// Whether a field looks like a number or a date rather than a word (for header detection).
pub fn looks_numeric_or_date(s: &str) -> bool {
    let t = trim_value(s);
    t.bytes().any(|c| c.is_ascii_digit())
        && t.chars().all(|c| {
            c.is_ascii_digit()
                || c.is_whitespace()
                || matches!(
                    c,
                    '.' | ',' | '-' | '/' | ':' | '+' | '(' | ')' | '\'' | '−' | 'T' | 'Z' | '%'
                )
                || matches!(c, '₽' | '$' | '€' | '£')
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: NumberFormat = NumberFormat::POINT;
    const C: NumberFormat = NumberFormat::COMMA;

    fn money(s: &str, f: NumberFormat) -> i64 {
        parse_money(s, f)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .units()
    }

    #[test]
    fn money_cases() {
        let cases: &[(&str, NumberFormat, i64)] = &[
            ("29.33", P, 293_300),
            ("1 234,56", C, 12_345_600),
            ("1,234.56", P, 12_345_600),
            ("(12.50)", P, -125_000),
            ("−5", P, -50_000),
            ("-5", C, -50_000),
            ("+5", C, 50_000),
            ("12.345,6", C, 123_456_000),
            ("12 руб.", C, 120_000),
            ("12руб", C, 120_000),
            ("12 р.", C, 120_000),
            ("₽ 1 000", C, 10_000_000),
            ("$1,000.25", P, 10_002_500),
            ("-$3.5", P, -35_000),
            ("$(3.5)", P, -35_000),
            ("3.5 USD", P, 35_000),
            ("eur 3", P, 30_000),
            ("1\u{a0}234,5", C, 12_345_000),
            ("1\u{202f}234\u{202f}567", C, 12_345_670_000),
            ("1'234.5", P, 12_345_000),
            ("1.23456", P, 12_346),
            ("12,34565", C, 123_457),
            (" \"7\" ", P, 70_000),
            (".5", P, 5_000),
            ("1.234", C, 12_340_000),
        ];
        for &(s, f, units) in cases {
            assert_eq!(money(s, f), units, "{s}");
        }
    }

    #[test]
    fn money_rejections() {
        let bad: &[(&str, NumberFormat)] = &[
            ("1.5e3", P),
            ("12,3,4", P),
            ("12,3,4", C),
            ("1,5", P),
            ("1.2.3", P),
            ("abc", P),
            ("12 34", P),
            ("1,2345.6", P),
            ("-", P),
            ("--5", P),
            ("1.5.", P),
        ];
        for &(s, f) in bad {
            assert!(parse_money(s, f).is_err(), "{s} should be rejected");
        }
        assert_eq!(parse_money("  ", P), Err(ValueError::Empty));
        assert_eq!(
            parse_money("12%", P).unwrap_err().to_string(),
            "'12%' is a percentage; a plain number or amount is expected here"
        );
        assert_eq!(
            parse_money("12,3,4", P).unwrap_err().to_string(),
            "'12,3,4' is not a number"
        );
        assert_eq!(
            parse_money("1.5e3", P).unwrap_err().to_string(),
            "'1.5e3' is not a number (exponent notation is not accepted)"
        );
        let too_large = |s: &str| {
            assert_eq!(
                parse_money(s, P),
                Err(ValueError::Amount {
                    text: s.trim().to_string(),
                    source: AmountError::TooLarge
                }),
                "{s}"
            )
        };
        // Beyond 10^12 (the bound), up to and past what i64 holds, and 39 digits (u128's end).
        too_large("1000000000000.0001");
        too_large("-1000000000000.0001");
        too_large("1 000 000 000 001");
        too_large("99999999999999999999");
        too_large("922337203685477.5808");
        too_large("922337203685477.5807");
        assert!(matches!(
            parse_money(&"9".repeat(40), P),
            Err(ValueError::Overflow { .. })
        ));
        assert_eq!(
            parse_money("1000000000001", P).unwrap_err().to_string(),
            "'1000000000001' is beyond the largest amount accepted, 1000000000000"
        );
        assert_eq!(money("1000000000000", P), 10_000_000_000_000_000);
        assert_eq!(money("-1 000 000 000 000,00", C), -10_000_000_000_000_000);
        // Below the money unit: refused, not rounded to zero (nor up to 0.0001).
        for s in ["0.00004", "0.00005", "-0.00005", "0,000099", "0.0000000001"] {
            let f = if s.contains(',') { C } else { P };
            assert_eq!(
                parse_money(s, f),
                Err(ValueError::Amount {
                    text: s.to_string(),
                    source: AmountError::BelowUnit
                }),
                "{s}"
            );
        }
        assert_eq!(
            parse_money("0.00001", P).unwrap_err().to_string(),
            "'0.00001' is below the money unit, 0.0001: it would be rounded"
        );
        // Zero written with many decimals is zero; a unit and more still round to the unit.
        assert_eq!(money("0.000000", P), 0);
        assert_eq!(money("0.00010", P), 1);
        assert_eq!(money("0.00014", P), 1);
    }

    #[test]
    fn decimals_and_discounts() {
        assert_eq!(parse_decimal_f64("2", P).unwrap(), 2.0);
        assert_eq!(parse_decimal_f64("1,5", C).unwrap(), 1.5);
        assert!(parse_decimal_f64("5%", P).is_err());
        // Quantities up to a billion either way.
        assert_eq!(parse_decimal_f64("1000000000", P).unwrap(), 1e9);
        assert_eq!(parse_decimal_f64("-1 000 000 000", C).unwrap(), -1e9);
        assert_eq!(
            parse_decimal_f64("1000000000.5", P),
            Err(ValueError::Quantity {
                text: "1000000000.5".into()
            })
        );
        assert!(matches!(
            parse_decimal_f64("-99999999999", P),
            Err(ValueError::Quantity { .. })
        ));
        assert_eq!(parse_discount("15 %", P).unwrap(), Discount::Percent(15.0));
        assert_eq!(
            parse_discount("12,5", C).unwrap(),
            Discount::Amount(Money::from_units(125_000))
        );
    }

    #[test]
    fn number_format_detection() {
        let (f, note) = detect_number_format(&["1 234,50", "12"], Some(b';'));
        assert_eq!(f, C);
        assert!(note.unwrap().contains("'1 234,50'"));
        assert_eq!(detect_number_format(&["1,234.56"], Some(b',')).0, P);
        assert_eq!(detect_number_format(&["12.345,6"], None).0, C);
        assert_eq!(detect_number_format(&["29.33", "12 руб."], None).0, P);
        assert_eq!(detect_number_format(&["1,234,567"], None).0, P);
        assert_eq!(detect_number_format(&["1,234"], Some(b';')).0, C);
        let (f, note) = detect_number_format(&["1,234"], Some(b','));
        assert_eq!(f, P);
        assert!(note.unwrap().contains("assumed"));
        assert_eq!(detect_number_format(&["12", "13"], None), (P, None));
    }

    #[test]
    fn fast_paths_take_the_common_shapes() {
        let plain = |text: &str| scan_plain(text.as_bytes(), b'.').map(PlainNumber::scanned);
        assert_eq!(
            plain("1234.56"),
            Some(Scanned {
                neg: false,
                mantissa: 123_456,
                scale: 2,
                percent: false
            })
        );
        assert_eq!(plain("1234,56"), None);
        assert_eq!(plain("1.2.3"), None);
        assert_eq!(plain("."), None);
        assert_eq!(plain("-5"), None);
        let money = |text: &str| scan_plain(text.as_bytes(), b'.').and_then(PlainNumber::money);
        assert_eq!(money("1234.56"), Some(Money::from_units(12_345_600)));
        assert_eq!(money("0.0001"), Some(Money::from_units(1)));
        // Five decimals need rounding, and 10^16 units × 10^4 overflows: the general route's.
        assert_eq!(money("0.00005"), None);
        assert_eq!(money("9999999999999999"), None);
        // The bound, 10^12, and one more: beyond it the general route says why.
        assert_eq!(
            money("1000000000000"),
            Some(Money::from_units(10_000_000_000_000_000))
        );
        assert_eq!(money("1000000000001"), None);
    }

    fn group(digits: &str, sep: &str) -> String {
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push_str(sep);
            }
            out.push(ch);
        }
        out
    }

    proptest! {
        #[test]
        fn money_round_trips(units in -99_999_999_999_999i64..99_999_999_999_999, comma in any::<bool>(), sep_kind in 0usize..5) {
            let (f, dec, thousands) = if comma {
                (C, ",", [" ", "\u{a0}", "\u{202f}", ".", ""][sep_kind])
            } else {
                (P, ".", [" ", "'", ",", "\u{a0}", ""][sep_kind])
            };
            let int = (units.unsigned_abs() / 10_000).to_string();
            let frac = format!("{:04}", units.unsigned_abs() % 10_000);
            let sign = if units < 0 { "-" } else { "" };
            let text = format!("{sign}{}{dec}{frac}", group(&int, thousands));
            prop_assert_eq!(parse_money(&text, f).unwrap().units(), units);
            let plain = format!("{sign}{int}");
            prop_assert_eq!(parse_money(&plain, f).unwrap().units(), units / 10_000 * 10_000);
        }

        /// The plain-number fast path reads what the general scanner reads, on the shapes it
        /// takes and on near misses (several marks, both marks, long digit runs).
        #[test]
        fn plain_scan_agrees_with_general(
            text in "[0-9]{0,14}[.,]?[0-9]{0,8}|[0-9.,]{1,22}",
            comma in any::<bool>(),
        ) {
            let decimal = if comma { b',' } else { b'.' };
            if let Some(plain) = scan_plain(text.as_bytes(), decimal) {
                let general = scan_number_general(&text, decimal);
                prop_assert_eq!(Ok(plain.scanned()), general.clone());
                let general = general.unwrap();
                if let Some(money) = plain.money() {
                    prop_assert_eq!(Ok(money), scanned_to_money(&general, &text));
                }
                prop_assert_eq!(plain.to_f64().to_bits(), scanned_to_f64(&general).to_bits());
            }
        }

        /// Money read through the fast path (signed or not) is what the general route reads,
        /// errors included.
        #[test]
        fn money_fast_path_agrees_with_general(
            text in "[-+]?[0-9]{0,16}[.,]?[0-9]{0,6}",
            comma in any::<bool>(),
        ) {
            let (f, decimal) = if comma { (C, b',') } else { (P, b'.') };
            // The general scanner takes trimmed, non-empty text (`scan_number` checks first).
            let general = if text.is_empty() {
                Err(ValueError::Empty)
            } else {
                scan_number_general(&text, decimal).and_then(|sc| scanned_to_money(&sc, &text))
            };
            prop_assert_eq!(parse_money(&text, f), general);
        }

    }
}
