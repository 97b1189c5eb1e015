//! Calendar days as plain integers.
//!
//! Every date in Clientele is a [`Day`]: the number of days since 1970-01-01 in the proleptic
//! Gregorian calendar. Purchase logs are day-grained (the customer-base literature counts purchase
//! *days*), so a day number is all the analytics ever need, and differences of days are plain
//! integer subtraction.

use std::fmt;

/// A calendar day, counted from 1970-01-01 (day 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(i32);

/// Why a year/month/day triple is not a calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("month {0} is not between 1 and 12")]
    Month(u32),
    #[error("day {day} does not exist in {year}-{month:02}")]
    DayOfMonth { year: i32, month: u32, day: u32 },
    #[error("year {0} is outside 1000..=9999")]
    Year(i32),
    #[error("not a date written YYYY-MM-DD")]
    NotIso,
}

impl Day {
    /// The day number itself (days since 1970-01-01).
    pub const fn from_days_since_epoch(days: i32) -> Day {
        Day(days)
    }

    pub const fn days_since_epoch(self) -> i32 {
        self.0
    }

    /// Builds a day from a civil date, rejecting impossible dates such as 31 April.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Day, DateError> {
        if !(1000..=9999).contains(&year) {
            return Err(DateError::Year(year));
        }
        if !(1..=12).contains(&month) {
            return Err(DateError::Month(month));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::DayOfMonth { year, month, day });
        }
        Ok(Day(days_from_civil(year, month, day)))
    }

    /// Reads a day written exactly `YYYY-MM-DD`: ASCII digits at full width, no sign, no
    /// spaces, nothing after (`+2024-+1-+1` and `2024-1-1` are not dates here). For values from
    /// APIs and flags; files go through the ingest crate's format-aware parsers.
    pub fn parse_iso(text: &str) -> Result<Day, DateError> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(DateError::NotIso);
        }
        let number = |range: std::ops::Range<usize>| {
            b[range].iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
            })
        };
        match (number(0..4), number(5..7), number(8..10)) {
            (Some(y), Some(m), Some(d)) => Day::from_ymd(y as i32, m, d),
            _ => Err(DateError::NotIso),
        }
    }

    /// The civil (year, month, day) of this day.
    pub fn ymd(self) -> (i32, u32, u32) {
        match month_of_day(self.0) {
            Some(months) => {
                let first = MONTHS.first_day[months as usize];
                (
                    1970 + (months / 12) as i32,
                    months % 12 + 1,
                    (self.0 - first) as u32 + 1,
                )
            }
            None => civil_from_days(self.0),
        }
    }

    pub fn year(self) -> i32 {
        self.ymd().0
    }

    /// Whole days from `earlier` to `self` (negative if `self` is earlier).
    pub fn days_since(self, earlier: Day) -> i32 {
        self.0 - earlier.0
    }

    pub fn plus_days(self, days: i32) -> Day {
        Day(self.0 + days)
    }

    /// Index of the calendar month (year * 12 + month), for counting distinct months.
    pub fn month_index(self) -> i32 {
        match month_of_day(self.0) {
            Some(months) => 1970 * 12 + months as i32,
            None => {
                let (y, m, _) = civil_from_days(self.0);
                y * 12 + (m as i32 - 1)
            }
        }
    }
}

/// Days from 1970-01-01 that [`MONTHS`] covers: 2^16, to 2149-06-06.
const TABLED_DAYS: usize = 1 << 16;

/// The month of every day from 1970-01-01 for [`TABLED_DAYS`] days, and the first day of each of
/// those months. A lookup costs a few instructions where the civil-date arithmetic costs about
/// forty, and the ladder finds the month of every purchase day of every customer (twice, when
/// `customers.csv` is written), the reports the date of several days a customer. 128 KiB, built
/// once from [`civil_from_days`].
struct MonthTable {
    /// Months since January 1970 of day k.
    month_of_day: Box<[u16]>,
    /// First day of month k since January 1970.
    first_day: Box<[i32]>,
}

static MONTHS: std::sync::LazyLock<MonthTable> = std::sync::LazyLock::new(|| {
    let mut month_of_day = Vec::with_capacity(TABLED_DAYS);
    let mut first_day = Vec::new();
    for day in 0..TABLED_DAYS as i32 {
        let (y, m, d) = civil_from_days(day);
        let months = (y - 1970) * 12 + (m as i32 - 1);
        if d == 1 || day == 0 {
            first_day.push(day);
        }
        month_of_day.push(months as u16);
    }
    MonthTable {
        month_of_day: month_of_day.into_boxed_slice(),
        first_day: first_day.into_boxed_slice(),
    }
});

/// Months since January 1970 of day `days`, when the table covers it.
#[inline]
fn month_of_day(days: i32) -> Option<u32> {
    let k = usize::try_from(days).ok()?;
    MONTHS.month_of_day.get(k).map(|&m| u32::from(m))
}

impl fmt::Display for Day {
    /// ISO 8601 (`YYYY-MM-DD`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's `days_from_civil` / `civil_from_days`: exact for the whole proleptic
// Gregorian calendar, branch-light, and independent of any time-zone database.
fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(Day::from_ymd(1970, 1, 1).unwrap().days_since_epoch(), 0);
        // 1997-01-01 is day 9862 (checked with `date -d 1997-01-01 +%s` / 86400).
        assert_eq!(Day::from_ymd(1997, 1, 1).unwrap().days_since_epoch(), 9862);
        assert_eq!(
            Day::from_ymd(2000, 2, 29).unwrap().days_since_epoch(),
            11016
        );
        assert_eq!(Day::from_ymd(1969, 12, 31).unwrap().days_since_epoch(), -1);
    }

    #[test]
    fn rejects_impossible_dates() {
        assert!(Day::from_ymd(2023, 2, 29).is_err());
        assert!(Day::from_ymd(2024, 4, 31).is_err());
        assert!(Day::from_ymd(2024, 13, 1).is_err());
        assert!(Day::from_ymd(2024, 1, 0).is_err());
        assert!(Day::from_ymd(1900, 2, 29).is_err());
        assert!(Day::from_ymd(2000, 2, 29).is_ok());
    }

    #[test]
    fn round_trips_every_day_of_four_centuries() {
        for n in -150_000..150_000 {
            let d = Day(n);
            let (y, m, dd) = d.ymd();
            if (1000..=9999).contains(&y) {
                assert_eq!(Day::from_ymd(y, m, dd).unwrap(), d);
            }
        }
    }

    #[test]
    fn the_month_table_agrees_with_the_arithmetic_on_every_day_it_covers() {
        // Past both ends of the table too, where the arithmetic answers alone.
        for days in -800..TABLED_DAYS as i32 + 800 {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(Day(days).ymd(), (y, m, d), "day {days}");
            assert_eq!(Day(days).month_index(), y * 12 + m as i32 - 1, "day {days}");
        }
    }

    #[test]
    fn parses_strict_iso_only() {
        assert_eq!(
            Day::parse_iso("2024-02-29"),
            Ok(Day::from_ymd(2024, 2, 29).unwrap())
        );
        for bad in [
            "+2024-+1-+1",
            "2024-1-1",
            " 2024-01-01",
            "2024-01-01T00:00",
            "2024/01/01",
            "-024-01-01",
            "２０２４-01-01",
            "",
        ] {
            assert_eq!(Day::parse_iso(bad), Err(DateError::NotIso), "{bad:?}");
        }
        assert!(matches!(
            Day::parse_iso("2023-02-29"),
            Err(DateError::DayOfMonth { .. })
        ));
    }

    #[test]
    fn displays_iso() {
        assert_eq!(
            Day::from_ymd(1998, 6, 30).unwrap().to_string(),
            "1998-06-30"
        );
    }
}
