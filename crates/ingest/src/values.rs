//! Exact parsers for the values inside fields: dates, money, plain numbers and contact identities.
//!
//! These run once per field of every row (tens of millions of calls on a large export), so the
//! success path allocates nothing, uses no regex and never goes through floating point for money:
//! digits are accumulated into an integer mantissa and scaled to `Money`'s ten-thousandths exactly.
//! Errors allocate (they carry the offending text) because they are rare and must be readable.

use std::fmt;
use std::str::FromStr;

use clientele_core::{DateError, Day, Money};

/// How dates are written in a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateFormat {
    /// `YYYY-MM-DD` or `YYYY/MM/DD`, optionally followed by a time after `T` or a space.
    Iso,
    /// `DD.MM.YYYY` (also `D.M.YYYY`), optionally followed by a time.
    DmyDot,
    /// `YYYYMMDD`.
    Ymd8,
    /// `DD/MM/YYYY`.
    DmySlash,
    /// `MM/DD/YYYY`.
    MdySlash,
    /// `DD-MM-YYYY`.
    DmyDash,
    /// Days since 1899-12-30, as spreadsheets store dates (a fraction is the time of day).
    ExcelSerial,
}

impl DateFormat {
    /// The formats a text column can be in, in the order detection tries them.
    pub const TEXT_FORMATS: [DateFormat; 6] = [
        DateFormat::Iso,
        DateFormat::Ymd8,
        DateFormat::DmyDot,
        DateFormat::DmyDash,
        DateFormat::DmySlash,
        DateFormat::MdySlash,
    ];

    /// The name accepted by `--date-format`.
    pub fn as_str(self) -> &'static str {
        match self {
            DateFormat::Iso => "iso",
            DateFormat::DmyDot => "dd.mm.yyyy",
            DateFormat::Ymd8 => "yyyymmdd",
            DateFormat::DmySlash => "dd/mm/yyyy",
            DateFormat::MdySlash => "mm/dd/yyyy",
            DateFormat::DmyDash => "dd-mm-yyyy",
            DateFormat::ExcelSerial => "excel",
        }
    }

    /// How the format looks, for messages.
    pub fn pattern(self) -> &'static str {
        match self {
            DateFormat::Iso => "YYYY-MM-DD",
            DateFormat::DmyDot => "DD.MM.YYYY",
            DateFormat::Ymd8 => "YYYYMMDD",
            DateFormat::DmySlash => "DD/MM/YYYY",
            DateFormat::MdySlash => "MM/DD/YYYY",
            DateFormat::DmyDash => "DD-MM-YYYY",
            DateFormat::ExcelSerial => "a spreadsheet day number",
        }
    }
}

impl fmt::Display for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--date-format` value that names no known format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown date format '{0}'; use one of iso, dd.mm.yyyy, yyyymmdd, dd/mm/yyyy, mm/dd/yyyy, dd-mm-yyyy, excel"
)]
pub struct UnknownDateFormat(pub String);

impl FromStr for DateFormat {
    type Err = UnknownDateFormat;

    fn from_str(s: &str) -> Result<DateFormat, UnknownDateFormat> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "iso" | "yyyy-mm-dd" | "yyyy/mm/dd" => DateFormat::Iso,
            "dd.mm.yyyy" | "d.m.yyyy" => DateFormat::DmyDot,
            "yyyymmdd" => DateFormat::Ymd8,
            "dd/mm/yyyy" => DateFormat::DmySlash,
            "mm/dd/yyyy" => DateFormat::MdySlash,
            "dd-mm-yyyy" => DateFormat::DmyDash,
            "excel" | "excel-serial" => DateFormat::ExcelSerial,
            _ => return Err(UnknownDateFormat(s.to_string())),
        })
    }
}

/// Why a field's text is not a value of the expected kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("the value is empty")]
    Empty,
    #[error("'{text}' is not a date in the form {}", .expected.pattern())]
    NotADate { text: String, expected: DateFormat },
    #[error("'{text}' is not a date: {source}")]
    ImpossibleDate { text: String, source: DateError },
    #[error(
        "'{text}' has a 2-digit year; only 4-digit years are accepted, since the century cannot be guessed safely"
    )]
    TwoDigitYear { text: String },
    #[error("'{text}' is not a number{}", reason_suffix(.reason))]
    NotANumber {
        text: String,
        reason: Option<&'static str>,
    },
    #[error("'{text}' is a percentage; a plain number or amount is expected here")]
    Percent { text: String },
    #[error("'{text}' is too large")]
    Overflow { text: String },
}

fn reason_suffix(reason: &Option<&'static str>) -> String {
    match reason {
        Some(r) => format!(" ({r})"),
        None => String::new(),
    }
}

/// Strips what surrounds a value in real exports: whitespace (including no-break spaces) and quotes.
fn trim_value(s: &str) -> &str {
    // Most values start and end with a digit or letter: nothing to trim, no chars to decode.
    let b = s.as_bytes();
    if b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
    {
        return s;
    }
    s.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'')
}

// ---------------------------------------------------------------------------------------------
// Dates

/// Parses a date strictly: impossible dates are errors, a time after the date is ignored.
pub fn parse_date(s: &str, f: DateFormat) -> Result<Day, ValueError> {
    let t = trim_value(s);
    if t.is_empty() {
        return Err(ValueError::Empty);
    }
    if f == DateFormat::ExcelSerial {
        return parse_excel_serial(t);
    }
    if let Some((year, month, day)) = fixed_width_date(t.as_bytes(), f) {
        return Day::from_ymd(year, month, day).map_err(|source| ValueError::ImpossibleDate {
            text: t.to_string(),
            source,
        });
    }
    parse_date_general(t, f)
}

/// [`parse_date`] for any text (already trimmed and not empty) in a text format.
fn parse_date_general(t: &str, f: DateFormat) -> Result<Day, ValueError> {
    let b = t.as_bytes();
    let parsed = match f {
        DateFormat::Iso => ymd_separated(b),
        DateFormat::Ymd8 => ymd8(b),
        DateFormat::DmyDot => dmy(b, b'.'),
        DateFormat::DmySlash => dmy(b, b'/'),
        DateFormat::DmyDash => dmy(b, b'-'),
        DateFormat::MdySlash => dmy(b, b'/'),
        DateFormat::ExcelSerial => None,
    };
    let Some((year, a, c, end)) = parsed else {
        return Err(if has_two_digit_year(b) {
            ValueError::TwoDigitYear {
                text: t.to_string(),
            }
        } else {
            ValueError::NotADate {
                text: t.to_string(),
                expected: f,
            }
        });
    };
    if !time_tail_ok(&b[end..]) {
        return Err(ValueError::NotADate {
            text: t.to_string(),
            expected: f,
        });
    }
    // `dmy` returns the two leading components in written order; which is the month is settled here.
    let (month, day) = match f {
        DateFormat::DmyDot | DateFormat::DmySlash | DateFormat::DmyDash => (c, a),
        _ => (a, c),
    };
    Day::from_ymd(year, month, day).map_err(|source| ValueError::ImpossibleDate {
        text: t.to_string(),
        source,
    })
}

/// The (year, month, day) of a date in its format's most common shape with every field at full
/// width and nothing after it (`2024-03-01`, `2024/03/01`, `20240301`, `01.03.2024`), read at
/// fixed positions; `None` for any other text, which then goes through the general parser. On
/// the texts it accepts it gives what the general parser gives (a property test checks it).
#[inline]
fn fixed_width_date(b: &[u8], f: DateFormat) -> Option<(i32, u32, u32)> {
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    match (f, b.len()) {
        (DateFormat::Iso, 10) if (b[4] == b'-' || b[4] == b'/') && b[7] == b[4] => {
            Some((num(0..4)? as i32, num(5..7)?, num(8..10)?))
        }
        (DateFormat::Ymd8, 8) => Some((num(0..4)? as i32, num(4..6)?, num(6..8)?)),
        (DateFormat::DmyDot, 10) if b[2] == b'.' && b[5] == b'.' => {
            Some((num(6..10)? as i32, num(3..5)?, num(0..2)?))
        }
        _ => None,
    }
}

/// Reads between `min` and `max` ASCII digits at `i`; more digits than `max` is a mismatch.
#[inline]
fn digits(b: &[u8], i: usize, min: usize, max: usize) -> Option<(u32, usize)> {
    let mut v = 0u32;
    let mut j = i;
    while j < b.len() && b[j].is_ascii_digit() {
        if j - i == max {
            return None;
        }
        v = v * 10 + u32::from(b[j] - b'0');
        j += 1;
    }
    (j - i >= min).then_some((v, j))
}

/// `YYYY-M-D` or `YYYY/M/D` (same separator twice) → (year, month, day, end).
fn ymd_separated(b: &[u8]) -> Option<(i32, u32, u32, usize)> {
    let (y, i) = digits(b, 0, 4, 4)?;
    let sep = *b.get(i)?;
    if sep != b'-' && sep != b'/' {
        return None;
    }
    let (m, i) = digits(b, i + 1, 1, 2)?;
    if b.get(i) != Some(&sep) {
        return None;
    }
    let (d, i) = digits(b, i + 1, 1, 2)?;
    Some((y as i32, m, d, i))
}

fn ymd8(b: &[u8]) -> Option<(i32, u32, u32, usize)> {
    let (_, end) = digits(b, 0, 8, 8)?;
    let v =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
    Some((v(0..4) as i32, v(4..6), v(6..8), end))
}

/// `A<sep>B<sep>YYYY` → (year, A, B, end); A and B have 1 or 2 digits.
fn dmy(b: &[u8], sep: u8) -> Option<(i32, u32, u32, usize)> {
    let (a, i) = digits(b, 0, 1, 2)?;
    if b.get(i) != Some(&sep) {
        return None;
    }
    let (c, i) = digits(b, i + 1, 1, 2)?;
    if b.get(i) != Some(&sep) {
        return None;
    }
    let (y, i) = digits(b, i + 1, 4, 4)?;
    Some((y as i32, a, c, i))
}

/// `31.01.24`, `1/2/24`, `24-01-31`: three digit groups with a 2-digit last or first group.
fn has_two_digit_year(b: &[u8]) -> bool {
    let Some((_, i)) = digits(b, 0, 1, 2) else {
        return false;
    };
    let Some(&sep) = b.get(i) else { return false };
    if !matches!(sep, b'.' | b'/' | b'-') {
        return false;
    }
    let Some((_, i)) = digits(b, i + 1, 1, 2) else {
        return false;
    };
    if b.get(i) != Some(&sep) {
        return false;
    }
    matches!(digits(b, i + 1, 2, 2), Some((_, end)) if time_tail_ok(&b[end..]))
}

/// What may follow a date: nothing, or a time introduced by `T` or spaces and starting with a
/// digit. The time itself is not needed (purchases are day-grained), so it is checked loosely.
fn time_tail_ok(rest: &[u8]) -> bool {
    match rest.first() {
        None => true,
        Some(b'T' | b't' | b' ') => rest[1..]
            .iter()
            .find(|&&c| c != b' ')
            .is_some_and(u8::is_ascii_digit),
        _ => false,
    }
}

/// Spreadsheet serial day 25569 is 1970-01-01 (serials count from 1899-12-30).
const EXCEL_EPOCH_OFFSET: i64 = 25_569;

fn parse_excel_serial(t: &str) -> Result<Day, ValueError> {
    let not_a_date = || ValueError::NotADate {
        text: t.to_string(),
        expected: DateFormat::ExcelSerial,
    };
    let scanned = scan_number(t, b'.').map_err(|_| not_a_date())?;
    if scanned.neg || scanned.percent {
        return Err(not_a_date());
    }
    let whole = scanned.mantissa / 10u128.pow(scanned.scale);
    if whole > 3_000_000 {
        return Err(not_a_date());
    }
    let day = Day::from_days_since_epoch((whole as i64 - EXCEL_EPOCH_OFFSET) as i32);
    let (y, m, d) = day.ymd();
    Day::from_ymd(y, m, d).map_err(|source| ValueError::ImpossibleDate {
        text: t.to_string(),
        source,
    })
}

/// Why no date format could be chosen for a column.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DetectError {
    #[error("the column has no values to tell the date format from; pass --date-format")]
    NoValues,
    #[error(
        "dates like '{example}' could be DD/MM/YYYY or MM/DD/YYYY and no value settles it; pass --date-format dd/mm/yyyy or --date-format mm/dd/yyyy"
    )]
    AmbiguousSlash { example: String },
    #[error(
        "dates like '{example}' have a 2-digit year, so the century cannot be known; export the dates with 4-digit years"
    )]
    TwoDigitYear { example: String },
    #[error(
        "values like '{example}' are not dates in any known format (YYYY-MM-DD, DD.MM.YYYY, YYYYMMDD, DD/MM/YYYY, MM/DD/YYYY, DD-MM-YYYY); pass --date-format"
    )]
    Unrecognised { example: String },
    #[error("'{example}' is not {}, although other values are", .format.pattern())]
    Inconsistent { format: DateFormat, example: String },
}

/// The outcome of date-format detection over sample values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateGuess {
    pub format: DateFormat,
    /// Non-empty sample values that parse in `format`.
    pub parsed: usize,
    /// Non-empty sample values that do not.
    pub failed: usize,
    /// The first value that did not parse, for the user.
    pub first_failure: Option<String>,
}

/// The date format that parses every non-empty sample value.
pub fn detect_date_format(samples: &[&str]) -> Result<DateFormat, DetectError> {
    let guess = guess_date_format(samples, false)?;
    match guess.first_failure {
        Some(example) => Err(DetectError::Inconsistent {
            format: guess.format,
            example,
        }),
        None => Ok(guess.format),
    }
}

/// Like [`detect_date_format`], but tolerant of a few garbage values: picks the format that parses
/// the most values (at least half of them) and reports how many did not. Slash dates are never
/// guessed: DD/MM and MM/DD parsing equally many values is an error. `allow_serial` adds
/// spreadsheet day numbers to the candidates (for xlsx input, where a date cell may lose its format).
pub fn guess_date_format(samples: &[&str], allow_serial: bool) -> Result<DateGuess, DetectError> {
    let values: Vec<&str> = samples
        .iter()
        .map(|s| trim_value(s))
        .filter(|s| !s.is_empty())
        .collect();
    if values.is_empty() {
        return Err(DetectError::NoValues);
    }
    let mut candidates: Vec<DateFormat> = DateFormat::TEXT_FORMATS.to_vec();
    if allow_serial {
        candidates.push(DateFormat::ExcelSerial);
    }
    let count = |f: DateFormat| values.iter().filter(|v| parse_date(v, f).is_ok()).count();
    let counts: Vec<(DateFormat, usize)> = candidates.iter().map(|&f| (f, count(f))).collect();
    let best = counts.iter().map(|&(_, n)| n).max().unwrap_or(0);
    if best == 0 || best * 2 < values.len() {
        if let Some(v) = values.iter().find(|v| has_two_digit_year(v.as_bytes())) {
            return Err(DetectError::TwoDigitYear {
                example: v.to_string(),
            });
        }
        let example = values
            .iter()
            .find(|v| counts.iter().all(|&(f, _)| parse_date(v, f).is_err()))
            .unwrap_or(&values[0]);
        return Err(DetectError::Unrecognised {
            example: example.to_string(),
        });
    }
    let winners: Vec<DateFormat> = counts
        .iter()
        .filter(|&&(_, n)| n == best)
        .map(|&(f, _)| f)
        .collect();
    if winners.contains(&DateFormat::DmySlash) && winners.contains(&DateFormat::MdySlash) {
        let example = values
            .iter()
            .find(|v| parse_date(v, DateFormat::DmySlash).is_ok())
            .unwrap_or(&values[0]);
        return Err(DetectError::AmbiguousSlash {
            example: example.to_string(),
        });
    }
    let format = winners[0];
    let first_failure = values
        .iter()
        .find(|v| parse_date(v, format).is_err())
        .map(|v| v.to_string());
    Ok(DateGuess {
        format,
        parsed: best,
        failed: values.len() - best,
        first_failure,
    })
}

// ---------------------------------------------------------------------------------------------
// Numbers and money

/// Which character is the decimal mark; the other of `.`/`,` may only group thousands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NumberFormat {
    /// `b'.'` or `b','`.
    pub decimal: u8,
}

impl NumberFormat {
    pub const POINT: NumberFormat = NumberFormat { decimal: b'.' };
    pub const COMMA: NumberFormat = NumberFormat { decimal: b',' };
}

impl Default for NumberFormat {
    fn default() -> NumberFormat {
        NumberFormat::POINT
    }
}

/// A number as written: sign, all digits as one integer, and how many of them are decimals.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Scanned {
    neg: bool,
    mantissa: u128,
    scale: u32,
    percent: bool,
}

/// Decimals kept beyond money's four; the fifth alone decides half-away-from-zero rounding and
/// the rest only matter for `f64` results, where 18 is more than a double can hold.
const MAX_SCALE: u32 = 18;

/// Currency marks accepted before or after an amount, longest first so `руб.` wins over `р`.
const CURRENCY_TOKENS: [&str; 19] = [
    "руб.", "РУБ.", "Руб.", "руб", "РУБ", "Руб", "р.", "Р.", "р", "Р", "₽", "$", "€", "£", "USD",
    "RUB", "RUR", "EUR", "US$",
];

fn strip_currency_prefix(t: &str) -> Option<&str> {
    CURRENCY_TOKENS.iter().find_map(|tok| {
        let n = tok.len();
        (t.len() >= n && t.as_bytes()[..n].eq_ignore_ascii_case(tok.as_bytes())).then(|| &t[n..])
    })
}

fn strip_currency_suffix(t: &str) -> Option<&str> {
    CURRENCY_TOKENS.iter().find_map(|tok| {
        let n = tok.len();
        (t.len() >= n && t.as_bytes()[t.len() - n..].eq_ignore_ascii_case(tok.as_bytes()))
            .then(|| &t[..t.len() - n])
    })
}

fn not_a_number(t: &str, reason: Option<&'static str>) -> ValueError {
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
fn scan_plain(b: &[u8], decimal: u8) -> Option<PlainNumber> {
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
struct PlainNumber {
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

    /// The amount when it has at most money's four decimals and fits; `None` leaves rounding and
    /// overflow to the general route. The same value as that route, in 64-bit steps instead of
    /// 128-bit ones (a property test checks it).
    #[inline]
    fn money(self) -> Option<Money> {
        const POW10: [u64; 5] = [1, 10, 100, 1_000, 10_000];
        let units = self
            .mantissa
            .checked_mul(*POW10.get(4usize.checked_sub(self.scale as usize)?)?)?;
        i64::try_from(units).ok().map(Money::from_units)
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
fn scan_number(s: &str, decimal: u8) -> Result<Scanned, ValueError> {
    let orig = trim_value(s);
    match scan_plain(orig.as_bytes(), decimal) {
        Some(plain) => Ok(plain.scanned()),
        None => scan_not_plain(orig, decimal),
    }
}

/// [`scan_number`] for trimmed text that [`scan_plain`] has turned down already (the money and
/// quantity parsers try it first, on their own).
fn scan_not_plain(orig: &str, decimal: u8) -> Result<Scanned, ValueError> {
    if orig.is_empty() {
        return Err(ValueError::Empty);
    }
    scan_number_general(orig, decimal)
}

/// [`scan_number`] for any text (already trimmed and not empty).
fn scan_number_general(orig: &str, decimal: u8) -> Result<Scanned, ValueError> {
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

fn scanned_to_money(sc: &Scanned, text: &str) -> Result<Money, ValueError> {
    let units = if sc.scale <= 4 {
        sc.mantissa.checked_mul(10u128.pow(4 - sc.scale))
    } else {
        let div = 10u128.pow(sc.scale - 4);
        let (q, r) = (sc.mantissa / div, sc.mantissa % div);
        // Half away from zero: the magnitude rounds up when the dropped part is at least half.
        Some(if r * 2 >= div { q + 1 } else { q })
    };
    let units = units
        .filter(|&u| u <= i64::MAX as u128)
        .ok_or_else(|| ValueError::Overflow {
            text: trim_value(text).to_string(),
        })? as i64;
    Ok(Money::from_units(if sc.neg { -units } else { units }))
}

/// Parses an amount of money exactly. Accepts signs (`-`, `+`, `−`), accounting parentheses,
/// thousands separators in groups of three, and currency marks before or after the number.
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

fn scanned_to_f64(sc: &Scanned) -> f64 {
    let v = sc.mantissa as f64 / 10f64.powi(sc.scale as i32);
    if sc.neg { -v } else { v }
}

/// Parses a plain number (a quantity) with the same rules as [`parse_money`]; `%` is an error.
pub fn parse_decimal_f64(s: &str, f: NumberFormat) -> Result<f64, ValueError> {
    let t = trim_value(s);
    // What `scan_number` does, with the plain shape's own conversion.
    let sc = match scan_plain(t.as_bytes(), f.decimal) {
        Some(plain) => return Ok(plain.to_f64()),
        None => scan_not_plain(t, f.decimal)?,
    };
    if sc.percent {
        return Err(ValueError::Percent {
            text: t.to_string(),
        });
    }
    Ok(scanned_to_f64(&sc))
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
enum MarkEvidence {
    Point,
    Comma,
    /// A single `.` or `,` followed by exactly three digits: a decimal or a thousands separator.
    Ambiguous,
    None,
}

fn mark_evidence(value: &str) -> MarkEvidence {
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

// ---------------------------------------------------------------------------------------------
// Contact identities

/// Trimmed, lower-cased e-mail address, or `None` unless it has exactly one `@` with text on
/// both sides and no spaces.
pub fn normalize_email(s: &str) -> Option<String> {
    let t = trim_value(s);
    let (local, domain) = t.split_once('@')?;
    if local.is_empty()
        || domain.is_empty()
        || domain.contains('@')
        || t.chars().any(char::is_whitespace)
    {
        return None;
    }
    Some(t.to_lowercase())
}

/// Phone number as `+` and digits, so differently formatted numbers of one person match.
/// Russian numbers written `8XXXXXXXXXX`, `7XXXXXXXXXX` or `9XXXXXXXXX` become `+7XXXXXXXXXX`;
/// fewer than 7 digits is not a phone number.
pub fn normalize_phone(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len();
    if n == 11 && (digits.starts_with('8') || digits.starts_with('7')) {
        Some(format!("+7{}", &digits[1..]))
    } else if n == 10 && digits.starts_with('9') {
        Some(format!("+7{digits}"))
    } else if n >= 7 {
        Some(format!("+{digits}"))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const P: NumberFormat = NumberFormat::POINT;
    const C: NumberFormat = NumberFormat::COMMA;

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).unwrap()
    }

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
            ("0.00005", P, 1),
            ("0.00004", P, 0),
            ("-0.00005", P, -1),
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
        assert!(matches!(
            parse_money("99999999999999999999", P),
            Err(ValueError::Overflow { .. })
        ));
        assert!(matches!(
            parse_money("922337203685477.5808", P),
            Err(ValueError::Overflow { .. })
        ));
        assert_eq!(money("922337203685477.5807", P), i64::MAX);
    }

    #[test]
    fn decimals_and_discounts() {
        assert_eq!(parse_decimal_f64("2", P).unwrap(), 2.0);
        assert_eq!(parse_decimal_f64("1,5", C).unwrap(), 1.5);
        assert!(parse_decimal_f64("5%", P).is_err());
        assert_eq!(parse_discount("15 %", P).unwrap(), Discount::Percent(15.0));
        assert_eq!(
            parse_discount("12,5", C).unwrap(),
            Discount::Amount(Money::from_units(125_000))
        );
    }

    #[test]
    fn dates() {
        use DateFormat::*;
        assert_eq!(parse_date("2024-01-31", Iso).unwrap(), day(2024, 1, 31));
        assert_eq!(parse_date("2024/1/5", Iso).unwrap(), day(2024, 1, 5));
        assert_eq!(
            parse_date("2024-01-31T10:00:00Z", Iso).unwrap(),
            day(2024, 1, 31)
        );
        assert_eq!(
            parse_date("2024-01-31 10:00", Iso).unwrap(),
            day(2024, 1, 31)
        );
        assert_eq!(parse_date("20240131", Ymd8).unwrap(), day(2024, 1, 31));
        assert_eq!(
            parse_date("31.01.2024 0:00:00", DmyDot).unwrap(),
            day(2024, 1, 31)
        );
        assert_eq!(parse_date("1.2.2024", DmyDot).unwrap(), day(2024, 2, 1));
        assert_eq!(parse_date("29.02.2024", DmyDot).unwrap(), day(2024, 2, 29));
        assert_eq!(parse_date("01/02/2024", DmySlash).unwrap(), day(2024, 2, 1));
        assert_eq!(parse_date("01/02/2024", MdySlash).unwrap(), day(2024, 1, 2));
        assert_eq!(
            parse_date("31-12-1999", DmyDash).unwrap(),
            day(1999, 12, 31)
        );
        assert_eq!(parse_date("45322", ExcelSerial).unwrap(), day(2024, 1, 31));
        assert_eq!(
            parse_date("45322.75", ExcelSerial).unwrap(),
            day(2024, 1, 31)
        );
        assert_eq!(
            parse_date(" \"2024-01-31\" ", Iso).unwrap(),
            day(2024, 1, 31)
        );
        assert_eq!(
            parse_date("31.04.2024", DmyDot).unwrap_err().to_string(),
            "'31.04.2024' is not a date: day 31 does not exist in 2024-04"
        );
        assert!(parse_date("29.02.2023", DmyDot).is_err());
        assert!(parse_date("2024-01-31x", Iso).is_err());
        assert!(parse_date("2024-13-01", Iso).is_err());
        assert!(parse_date("202401311", Ymd8).is_err());
        assert!(parse_date("2024-01-31", DmyDot).is_err());
        assert!(matches!(
            parse_date("31.01.24", DmyDot),
            Err(ValueError::TwoDigitYear { .. })
        ));
        assert_eq!(parse_date("", Iso), Err(ValueError::Empty));
    }

    #[test]
    fn date_detection() {
        use DateFormat::*;
        assert_eq!(
            detect_date_format(&["2024-01-31", "", "2024-02-01 10:00"]),
            Ok(Iso)
        );
        assert_eq!(detect_date_format(&["19970101", "19970112"]), Ok(Ymd8));
        assert_eq!(detect_date_format(&["31.01.2024", "1.2.2024"]), Ok(DmyDot));
        assert_eq!(
            detect_date_format(&["01/02/2024", "13/02/2024"]),
            Ok(DmySlash)
        );
        assert_eq!(
            detect_date_format(&["01/02/2024", "02/13/2024"]),
            Ok(MdySlash)
        );
        let err = detect_date_format(&["01/02/2024", "03/04/2024"]).unwrap_err();
        assert!(matches!(err, DetectError::AmbiguousSlash { .. }));
        assert!(err.to_string().contains("--date-format dd/mm/yyyy"));
        assert!(matches!(
            detect_date_format(&["31.01.24", "01.02.24"]),
            Err(DetectError::TwoDigitYear { .. })
        ));
        assert!(matches!(
            detect_date_format(&["hello"]),
            Err(DetectError::Unrecognised { .. })
        ));
        assert!(matches!(
            detect_date_format(&["2024-01-31", "garbage"]),
            Err(DetectError::Inconsistent { .. })
        ));
        let g = guess_date_format(&["2024-01-31", "garbage", "2024-02-01"], false).unwrap();
        assert_eq!(
            (g.format, g.parsed, g.failed, g.first_failure.as_deref()),
            (Iso, 2, 1, Some("garbage"))
        );
        assert_eq!(
            guess_date_format(&["45322", "45323"], true).unwrap().format,
            ExcelSerial
        );
        assert_eq!("dd.mm.yyyy".parse::<DateFormat>(), Ok(DmyDot));
        for f in DateFormat::TEXT_FORMATS {
            assert_eq!(f.as_str().parse::<DateFormat>(), Ok(f));
        }
        assert!("ddmmyy".parse::<DateFormat>().is_err());
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
    fn identities() {
        assert_eq!(
            normalize_email("  Ivan@Example.COM "),
            Some("ivan@example.com".into())
        );
        assert_eq!(normalize_email("a@b@c"), None);
        assert_eq!(normalize_email("@b"), None);
        assert_eq!(normalize_email("no at"), None);
        assert_eq!(
            normalize_phone("8 (912) 345-67-89"),
            Some("+79123456789".into())
        );
        assert_eq!(
            normalize_phone("+7 912 345 67 89"),
            Some("+79123456789".into())
        );
        assert_eq!(normalize_phone("9123456789"), Some("+79123456789".into()));
        assert_eq!(
            normalize_phone("+44 20 7946 0958"),
            Some("+442079460958".into())
        );
        assert_eq!(normalize_phone("12-34"), None);
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
        assert_eq!(
            money("922337203685477"),
            Some(Money::from_units(9_223_372_036_854_770_000))
        );
        assert_eq!(money("922337203685478"), None);
        assert_eq!(
            fixed_width_date(b"2024-03-01", DateFormat::Iso),
            Some((2024, 3, 1))
        );
        assert_eq!(
            fixed_width_date(b"01.03.2024", DateFormat::DmyDot),
            Some((2024, 3, 1))
        );
        assert_eq!(
            fixed_width_date(b"20240301", DateFormat::Ymd8),
            Some((2024, 3, 1))
        );
        assert_eq!(fixed_width_date(b"2024-03/01", DateFormat::Iso), None);
        assert_eq!(fixed_width_date(b"2024-3-1", DateFormat::Iso), None);
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

        /// The fixed-width date fast path gives what the general parser gives, impossible dates
        /// (month 13, February 30) and their error messages included.
        #[test]
        fn fixed_width_dates_agree_with_general(
            text in "[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}|[0-9]{8}|[0-9]{2}[.][0-9]{2}[.][0-9]{4}|[0-9./-]{8,10}",
            which in 0usize..3,
        ) {
            let f = [DateFormat::Iso, DateFormat::Ymd8, DateFormat::DmyDot][which];
            if fixed_width_date(text.as_bytes(), f).is_some() {
                prop_assert_eq!(parse_date(&text, f), parse_date_general(&text, f));
            }
        }
    }
}
