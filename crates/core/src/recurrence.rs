//! Personal dates that recur: birthdays, company anniversaries, holidays on a weekday rule and
//! the movable feasts that hang on Easter (Western or Orthodox). Pure date rules: the store keeps
//! them (as [`RuleColumns`]) and the pages list the next occurrences.

use crate::{DateError, Day, days_in_month};

pub mod holidays;
pub mod text;

/// How far from Easter (either way, in days) a feast may lie: Pentecost is +49, the
/// pre-Lenten Sundays about −70; beyond about half a year it is the next or previous Easter's.
pub const MAX_EASTER_OFFSET_DAYS: i32 = 200;

/// Why a [`DateRule`] (or its flat record) names no date.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    /// A yearly or one-off date that does not exist (30 February; 29 February is accepted for
    /// a yearly date).
    #[error("{0}")]
    NoSuchDay(DateError),
    #[error("month {month} is not between 1 and 12")]
    Month { month: u32 },
    #[error("weekday {weekday} is not between 1 (Monday) and 7 (Sunday)")]
    Weekday { weekday: u32 },
    #[error("nth {nth} is not 1..=5 or -1 (last)")]
    Nth { nth: i32 },
    /// Beyond [`MAX_EASTER_OFFSET_DAYS`].
    #[error("an offset of {offset_days} days from Easter is not a feast")]
    EasterOffset { offset_days: i32 },
    /// A flat record of kind `rule` without the number `name` that kind needs.
    #[error("a '{rule}' date has no {name}")]
    Missing { rule: String, name: &'static str },
    #[error("unknown rule '{0}'")]
    UnknownRule(String),
}

/// When a remembered date falls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateRule {
    /// One day, no recurrence.
    Once { day: Day },
    /// Every year on month/day (a birthday: `since` is the year of birth). 29 February falls
    /// on 28 February in common years.
    Yearly {
        month: u32,
        day: u32,
        since: Option<i32>,
    },
    /// The nth weekday of a month (weekday 1 = Monday .. 7 = Sunday; nth 1..=5, or -1 for the
    /// last), e.g. Mother's Day in many countries: the 2nd Sunday of May. Years without a 5th
    /// such weekday are skipped.
    NthWeekday { month: u32, weekday: u32, nth: i32 },
    /// Western (Gregorian) Easter Sunday plus `offset_days` (e.g. −2 Good Friday, +49 Pentecost).
    Easter { offset_days: i32 },
    /// Orthodox Easter Sunday (Julian computus, on the Gregorian calendar) plus `offset_days`.
    OrthodoxEaster { offset_days: i32 },
}

/// A rule as one flat record: its kind's name (`once`, `yearly`, `nth_weekday`, `easter`,
/// `orthodox_easter`) and the numbers that kind uses, the others `None` (the form a table row
/// keeps; [`DateRule::from_columns`] reads it back).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleColumns {
    pub rule: &'static str,
    pub year: Option<i64>,
    pub month: Option<i64>,
    pub day: Option<i64>,
    pub weekday: Option<i64>,
    pub nth: Option<i64>,
    pub offset_days: i64,
}

impl DateRule {
    /// Checks that the rule names a date that exists: a real month and day, a weekday and
    /// position in the month, an offset from Easter within the church year.
    pub fn validate(&self) -> Result<(), RecurrenceError> {
        match *self {
            DateRule::Once { .. } => Ok(()),
            DateRule::Yearly { month, day, .. } => {
                // 2000 is a leap year, so 29 February is accepted.
                Day::from_ymd(2000, month, day)
                    .map(|_| ())
                    .map_err(RecurrenceError::NoSuchDay)
            }
            DateRule::NthWeekday {
                month,
                weekday,
                nth,
            } => {
                if !(1..=12).contains(&month) {
                    return Err(RecurrenceError::Month { month });
                }
                if !(1..=7).contains(&weekday) {
                    return Err(RecurrenceError::Weekday { weekday });
                }
                if !(nth == -1 || (1..=5).contains(&nth)) {
                    return Err(RecurrenceError::Nth { nth });
                }
                Ok(())
            }
            DateRule::Easter { offset_days } | DateRule::OrthodoxEaster { offset_days } => {
                if offset_days.abs() > MAX_EASTER_OFFSET_DAYS {
                    return Err(RecurrenceError::EasterOffset { offset_days });
                }
                Ok(())
            }
        }
    }

    /// The day this rule falls on in `year`, if it falls in that year.
    pub fn in_year(&self, year: i32) -> Option<Day> {
        match *self {
            DateRule::Once { day } => (day.year() == year).then_some(day),
            DateRule::Yearly { month, day, since } => {
                if since.is_some_and(|s| year < s) {
                    return None;
                }
                Day::from_ymd(year, month, day)
                    .or_else(|_| Day::from_ymd(year, month, day - 1))
                    .ok()
            }
            DateRule::NthWeekday {
                month,
                weekday,
                nth,
            } => nth_weekday(year, month, weekday, nth),
            DateRule::Easter { offset_days } => Some(western_easter(year)?.plus_days(offset_days)),
            DateRule::OrthodoxEaster { offset_days } => {
                Some(orthodox_easter(year)?.plus_days(offset_days))
            }
        }
    }

    /// The first day on or after `from` when the rule falls.
    pub fn next_on_or_after(&self, from: Day) -> Option<Day> {
        let year = from.year();
        // Easter offsets can move a feast into the neighbouring year: look one year back too.
        (year - 1..=year + 8)
            .filter_map(|y| self.in_year(y))
            .filter(|&d| d >= from)
            .min()
    }

    /// The rule as one flat record (see [`RuleColumns`]).
    pub fn columns(&self) -> RuleColumns {
        let mut c = RuleColumns {
            rule: "",
            year: None,
            month: None,
            day: None,
            weekday: None,
            nth: None,
            offset_days: 0,
        };
        match *self {
            DateRule::Once { day } => {
                let (y, m, d) = day.ymd();
                c.rule = "once";
                c.year = Some(i64::from(y));
                c.month = Some(i64::from(m));
                c.day = Some(i64::from(d));
            }
            DateRule::Yearly { month, day, since } => {
                c.rule = "yearly";
                c.year = since.map(i64::from);
                c.month = Some(i64::from(month));
                c.day = Some(i64::from(day));
            }
            DateRule::NthWeekday {
                month,
                weekday,
                nth,
            } => {
                c.rule = "nth_weekday";
                c.month = Some(i64::from(month));
                c.weekday = Some(i64::from(weekday));
                c.nth = Some(i64::from(nth));
            }
            DateRule::Easter { offset_days } => {
                c.rule = "easter";
                c.offset_days = i64::from(offset_days);
            }
            DateRule::OrthodoxEaster { offset_days } => {
                c.rule = "orthodox_easter";
                c.offset_days = i64::from(offset_days);
            }
        }
        c
    }

    /// Reads back what [`DateRule::columns`] wrote; a kind without one of its numbers, or an
    /// unknown kind, is an error. The numbers are not range-checked here: see [`DateRule::validate`].
    #[allow(clippy::too_many_arguments)]
    pub fn from_columns(
        rule: &str,
        year: Option<i64>,
        month: Option<i64>,
        day: Option<i64>,
        weekday: Option<i64>,
        nth: Option<i64>,
        offset_days: i64,
    ) -> Result<DateRule, RecurrenceError> {
        let need = |v: Option<i64>, name: &'static str| {
            v.ok_or_else(|| RecurrenceError::Missing {
                rule: rule.to_string(),
                name,
            })
        };
        Ok(match rule {
            "once" => DateRule::Once {
                day: Day::from_ymd(
                    need(year, "year")? as i32,
                    need(month, "month")? as u32,
                    need(day, "day")? as u32,
                )
                .map_err(RecurrenceError::NoSuchDay)?,
            },
            "yearly" => DateRule::Yearly {
                month: need(month, "month")? as u32,
                day: need(day, "day")? as u32,
                since: year.map(|y| y as i32),
            },
            "nth_weekday" => DateRule::NthWeekday {
                month: need(month, "month")? as u32,
                weekday: need(weekday, "weekday")? as u32,
                nth: need(nth, "nth")? as i32,
            },
            "easter" => DateRule::Easter {
                offset_days: offset_days as i32,
            },
            "orthodox_easter" => DateRule::OrthodoxEaster {
                offset_days: offset_days as i32,
            },
            other => return Err(RecurrenceError::UnknownRule(other.to_string())),
        })
    }
}

/// ISO weekday: 1 = Monday .. 7 = Sunday. Day 0 (1970-01-01) was a Thursday.
pub fn weekday(day: Day) -> u32 {
    (day.days_since_epoch() + 3).rem_euclid(7) as u32 + 1
}

fn nth_weekday(year: i32, month: u32, wd: u32, nth: i32) -> Option<Day> {
    let first = Day::from_ymd(year, month, 1).ok()?;
    let last = Day::from_ymd(year, month, days_in_month(year, month)).ok()?;
    if nth == -1 {
        let back = (weekday(last) + 7 - wd) % 7;
        return Some(last.plus_days(-(back as i32)));
    }
    let ahead = (wd + 7 - weekday(first)) % 7;
    let day = first.plus_days(ahead as i32 + 7 * (nth - 1));
    (day <= last).then_some(day)
}

/// Western Easter Sunday: the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
pub fn western_easter(year: i32) -> Option<Day> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Day::from_ymd(year, month as u32, day as u32).ok()
}

/// Orthodox Easter Sunday: Meeus's Julian algorithm, moved to the Gregorian calendar by the
/// century difference between the calendars (13 days in 1900–2099).
pub fn orthodox_easter(year: i32) -> Option<Day> {
    let a = year % 4;
    let b = year % 7;
    let c = year % 19;
    let d = (19 * c + 15) % 30;
    let e = (2 * a + 4 * b - d + 34) % 7;
    let month = (d + e + 114) / 31;
    let day = (d + e + 114) % 31 + 1;
    // The Julian date expressed as if Gregorian, then shifted by the calendars' difference.
    let julian_as_gregorian = Day::from_ymd(year, month as u32, day as u32).ok()?;
    let shift = year / 100 - year / 400 - 2;
    Some(julian_as_gregorian.plus_days(shift))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> Day {
        Day::from_ymd(y, m, dd).unwrap()
    }

    #[test]
    fn easter_dates_match_published_tables() {
        // Western: 2019-04-21, 2024-03-31, 2025-04-20, 2038-04-25 (the latest possible).
        assert_eq!(western_easter(2019), Some(d(2019, 4, 21)));
        assert_eq!(western_easter(2024), Some(d(2024, 3, 31)));
        assert_eq!(western_easter(2025), Some(d(2025, 4, 20)));
        assert_eq!(western_easter(2038), Some(d(2038, 4, 25)));
        // Orthodox: 2021-05-02, 2023-04-16, 2024-05-05, 2025-04-20 (same day as Western).
        assert_eq!(orthodox_easter(2021), Some(d(2021, 5, 2)));
        assert_eq!(orthodox_easter(2023), Some(d(2023, 4, 16)));
        assert_eq!(orthodox_easter(2024), Some(d(2024, 5, 5)));
        assert_eq!(orthodox_easter(2025), Some(d(2025, 4, 20)));
    }

    #[test]
    fn weekday_rules() {
        assert_eq!(weekday(d(1970, 1, 1)), 4); // Thursday
        assert_eq!(weekday(d(2024, 11, 24)), 7); // Sunday
        // Mother's Day (US): 2nd Sunday of May; 2024-05-12, 2025-05-11.
        let rule = DateRule::NthWeekday {
            month: 5,
            weekday: 7,
            nth: 2,
        };
        assert_eq!(rule.in_year(2024), Some(d(2024, 5, 12)));
        assert_eq!(rule.in_year(2025), Some(d(2025, 5, 11)));
        // Last Monday of May 2024 (Memorial Day): 27th.
        let last = DateRule::NthWeekday {
            month: 5,
            weekday: 1,
            nth: -1,
        };
        assert_eq!(last.in_year(2024), Some(d(2024, 5, 27)));
        // February 2023 has no fifth Monday.
        let fifth = DateRule::NthWeekday {
            month: 2,
            weekday: 1,
            nth: 5,
        };
        assert_eq!(fifth.in_year(2023), None);
    }

    #[test]
    fn yearly_and_next_occurrence() {
        let birthday = DateRule::Yearly {
            month: 2,
            day: 29,
            since: Some(1992),
        };
        assert_eq!(birthday.in_year(2023), Some(d(2023, 2, 28)));
        assert_eq!(birthday.in_year(2024), Some(d(2024, 2, 29)));
        assert_eq!(birthday.in_year(1990), None);
        assert_eq!(
            birthday.next_on_or_after(d(2024, 3, 1)),
            Some(d(2025, 2, 28))
        );
        // Orthodox Easter + 0 after Western Easter 2024 (31 March): 5 May.
        let easter = DateRule::OrthodoxEaster { offset_days: 0 };
        assert_eq!(easter.next_on_or_after(d(2024, 4, 1)), Some(d(2024, 5, 5)));
        let once = DateRule::Once { day: d(2024, 6, 1) };
        assert_eq!(once.next_on_or_after(d(2024, 6, 2)), None);
    }

    #[test]
    fn invalid_rules_are_refused() {
        assert!(
            DateRule::Yearly {
                month: 2,
                day: 30,
                since: None
            }
            .validate()
            .is_err()
        );
        assert!(
            DateRule::NthWeekday {
                month: 5,
                weekday: 8,
                nth: 1
            }
            .validate()
            .is_err()
        );
    }
}
