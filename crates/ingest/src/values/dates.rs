//! Dates: strict parsing in each known format (impossible dates are errors, a time after the
//! date is ignored) and telling a column's format from sample values.

use clientele_core::Day;
use clientele_core::bounds::day_in_bounds;

use super::formats::{DateFormat, ValueError, trim_value};
use super::numbers::scan_number;

/// Parses a date strictly: impossible dates are errors, a time after the date is ignored, and
/// a date outside 1900-01-01 ..= 2100-12-31 ([`clientele_core::bounds`]) is refused.
pub fn parse_date(s: &str, f: DateFormat) -> Result<Day, ValueError> {
    let day = parse_date_unbounded(s, f)?;
    if day_in_bounds(day) {
        Ok(day)
    } else {
        Err(ValueError::DateOutOfRange {
            text: trim_value(s).to_string(),
        })
    }
}

/// [`parse_date`] without the bounds.
fn parse_date_unbounded(s: &str, f: DateFormat) -> Result<Day, ValueError> {
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
pub(crate) fn parse_date_general(t: &str, f: DateFormat) -> Result<Day, ValueError> {
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
pub(crate) fn fixed_width_date(b: &[u8], f: DateFormat) -> Option<(i32, u32, u32)> {
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
pub(crate) fn digits(b: &[u8], i: usize, min: usize, max: usize) -> Option<(u32, usize)> {
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
pub(crate) fn ymd_separated(b: &[u8]) -> Option<(i32, u32, u32, usize)> {
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

pub(crate) fn ymd8(b: &[u8]) -> Option<(i32, u32, u32, usize)> {
    let (_, end) = digits(b, 0, 8, 8)?;
    let v =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
    Some((v(0..4) as i32, v(4..6), v(6..8), end))
}

/// `A<sep>B<sep>YYYY` → (year, A, B, end); A and B have 1 or 2 digits.
pub(crate) fn dmy(b: &[u8], sep: u8) -> Option<(i32, u32, u32, usize)> {
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
pub(crate) fn has_two_digit_year(b: &[u8]) -> bool {
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
pub(crate) fn time_tail_ok(rest: &[u8]) -> bool {
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
pub(crate) const EXCEL_EPOCH_OFFSET: i64 = 25_569;

pub(crate) fn parse_excel_serial(t: &str) -> Result<Day, ValueError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> Day {
        Day::from_ymd(y, m, d).unwrap()
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
    fn dates_are_held_to_the_bounds() {
        use DateFormat::*;
        let out = |s: &str, f| {
            assert_eq!(
                parse_date(s, f),
                Err(ValueError::DateOutOfRange {
                    text: s.to_string()
                }),
                "{s}"
            )
        };
        out("1899-12-31", Iso);
        out("2101-01-01", Iso);
        out("31.12.2999", DmyDot);
        out("99991231", Ymd8);
        // Spreadsheet day 1 is 1899-12-31; 73,415 is 2100-12-31.
        out("1", ExcelSerial);
        out("73416", ExcelSerial);
        assert_eq!(parse_date("73415", ExcelSerial).unwrap(), day(2100, 12, 31));
        assert_eq!(parse_date("1900-01-01", Iso).unwrap(), day(1900, 1, 1));
        assert_eq!(
            parse_date("31/12/2100", DmySlash).unwrap(),
            day(2100, 12, 31)
        );
        assert_eq!(
            parse_date("2999-12-31", Iso).unwrap_err().to_string(),
            "'2999-12-31' is outside the dates accepted, 1900-01-01 to 2100-12-31"
        );
        // Signs are not digits, in any place.
        for s in [
            "+2024-+1-+1",
            "2024-+1-+1",
            "+2024-01-01",
            "2024-01--1",
            "-2024-01-01",
        ] {
            assert!(
                matches!(parse_date(s, Iso), Err(ValueError::NotADate { .. })),
                "{s}: {:?}",
                parse_date(s, Iso)
            );
        }
        assert!(matches!(
            parse_date("+1.+2.2024", DmyDot),
            Err(ValueError::NotADate { .. })
        ));
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
    fn the_fixed_width_fast_path_takes_the_common_shapes() {
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

    proptest! {
        /// The fixed-width date fast path gives what the general parser gives, impossible dates
        /// (month 13, February 30) and their error messages included.
        #[test]
        fn fixed_width_dates_agree_with_general(
            text in "[0-9]{4}[-/][0-9]{2}[-/][0-9]{2}|[0-9]{8}|[0-9]{2}[.][0-9]{2}[.][0-9]{4}|[0-9./-]{8,10}",
            which in 0usize..3,
        ) {
            let f = [DateFormat::Iso, DateFormat::Ymd8, DateFormat::DmyDot][which];
            if fixed_width_date(text.as_bytes(), f).is_some() {
                prop_assert_eq!(parse_date_unbounded(&text, f), parse_date_general(&text, f));
            }
        }
    }
}
