//! Date rules written as people write them, in a file or a form: `1985-03-14` or `14.03.1985`
//! (every year since then: a birthday, a founding day), `03-14` or `14.03` (every year),
//! `once 2025-06-01`, `last Sunday of July` / `2nd Sunday of May` / `последнее воскресенье
//! июля`, `easter`, `easter+49`, `orthodox easter-2` (`православная пасха`). A holiday of the
//! catalogue is given by its code alone (`navy_day`).

use super::holidays::holiday;
use super::{DateRule, MAX_EASTER_OFFSET_DAYS};
use crate::Day;

/// The longest rule text accepted, in characters.
pub const MAX_RULE_CHARS: usize = 80;

const MONTHS_EN: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
/// Russian months by the stem every case shares («июл» for июль, июля, июле).
const MONTHS_RU: [&str; 12] = [
    "январ",
    "феврал",
    "март",
    "апрел",
    "ма",
    "июн",
    "июл",
    "август",
    "сентябр",
    "октябр",
    "ноябр",
    "декабр",
];
const WEEKDAYS_EN: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];
const WEEKDAYS_RU: [&str; 7] = [
    "понедельник",
    "вторник",
    "сред",
    "четверг",
    "пятниц",
    "суббот",
    "воскресень",
];

fn month_of(word: &str) -> Option<u32> {
    if let Some(i) = MONTHS_EN
        .iter()
        .position(|m| *m == word || (word.len() >= 3 && m.starts_with(word)))
    {
        return Some(i as u32 + 1);
    }
    // «мая», «май», «мае»: the stem «ма» alone would match too much, so May is spelt out.
    if matches!(word, "май" | "мая" | "мае") {
        return Some(5);
    }
    MONTHS_RU
        .iter()
        .position(|m| *m != "ма" && word.starts_with(m))
        .map(|i| i as u32 + 1)
}

fn weekday_of(word: &str) -> Option<u32> {
    WEEKDAYS_EN
        .iter()
        .position(|w| *w == word || (word.len() >= 3 && w.starts_with(word)))
        .or_else(|| WEEKDAYS_RU.iter().position(|w| word.starts_with(w)))
        .map(|i| i as u32 + 1)
}

fn nth_of(word: &str) -> Option<i32> {
    Some(match word {
        "first" | "1st" | "1" => 1,
        "second" | "2nd" | "2" => 2,
        "third" | "3rd" | "3" => 3,
        "fourth" | "4th" | "4" => 4,
        "fifth" | "5th" | "5" => 5,
        "last" => -1,
        w if w.starts_with("перв") => 1,
        w if w.starts_with("втор") => 2,
        w if w.starts_with("трет") => 3,
        w if w.starts_with("четв") => 4,
        w if w.starts_with("пят") => 5,
        w if w.starts_with("послед") => -1,
        _ => return None,
    })
}

fn number<T: std::str::FromStr>(s: &str) -> Option<T> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// A calendar date as `YYYY-MM-DD` or `DD.MM.YYYY`: (year, month, day).
fn full_date(s: &str) -> Option<(i32, u32, u32)> {
    let parts: Vec<&str> = s.split(['-', '.', '/']).collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && s.contains('-') => Some((number(y)?, number(m)?, number(d)?)),
        [d, m, y] if y.len() == 4 && s.contains('.') => Some((number(y)?, number(m)?, number(d)?)),
        _ => None,
    }
}

/// A month and day as `MM-DD` or `DD.MM`.
fn month_day(s: &str) -> Option<(u32, u32)> {
    let parts: Vec<&str> = s.split(['-', '.']).collect();
    match parts.as_slice() {
        [m, d] if s.contains('-') && m.len() <= 2 && d.len() <= 2 => Some((number(m)?, number(d)?)),
        [d, m] if s.contains('.') && m.len() <= 2 && d.len() <= 2 => Some((number(m)?, number(d)?)),
        _ => None,
    }
}

/// An offset after `easter`: empty, `+49`, `-2`, ` + 49`.
fn easter_offset(rest: &str) -> Result<i32, String> {
    let rest: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    if rest.is_empty() {
        return Ok(0);
    }
    let (sign, digits) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return Err(format!("'{rest}' is not an offset such as +49 or -2")),
    };
    let n: i32 =
        number(digits).ok_or_else(|| format!("'{rest}' is not an offset such as +49 or -2"))?;
    if n > MAX_EASTER_OFFSET_DAYS {
        return Err(format!(
            "an offset of {n} days from Easter is beyond {MAX_EASTER_OFFSET_DAYS}"
        ));
    }
    Ok(sign * n)
}

/// Reads a rule written as the module's doc shows; the error says what was expected. The rule
/// is validated (no 30 February, no 6th Sunday).
pub fn parse_rule(text: &str) -> Result<DateRule, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("the date is empty".into());
    }
    if t.chars().count() > MAX_RULE_CHARS {
        return Err(format!(
            "the date is longer than {MAX_RULE_CHARS} characters"
        ));
    }
    let lower = t.to_lowercase();
    let rule = if let Some(h) = holiday(&lower) {
        h.rule
    } else if let Some(rest) = lower.strip_prefix("once") {
        let (y, m, d) =
            full_date(rest.trim()).ok_or_else(|| format!("'{t}': expected once YYYY-MM-DD"))?;
        DateRule::Once {
            day: Day::from_ymd(y, m, d).map_err(|e| format!("'{t}': {e}"))?,
        }
    } else if let Some((y, m, d)) = full_date(&lower) {
        if !(1800..=2200).contains(&y) {
            return Err(format!("'{t}': the year {y} is not between 1800 and 2200"));
        }
        DateRule::Yearly {
            month: m,
            day: d,
            since: Some(y),
        }
    } else if let Some((m, d)) = month_day(&lower) {
        DateRule::Yearly {
            month: m,
            day: d,
            since: None,
        }
    } else if let Some(rest) = ["orthodox easter", "orthodox_easter", "православная пасха"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
    {
        DateRule::OrthodoxEaster {
            offset_days: easter_offset(rest).map_err(|e| format!("'{t}': {e}"))?,
        }
    } else if let Some(rest) = ["easter", "пасха"]
        .iter()
        .find_map(|p| lower.strip_prefix(p))
    {
        DateRule::Easter {
            offset_days: easter_offset(rest).map_err(|e| format!("'{t}': {e}"))?,
        }
    } else {
        let words: Vec<&str> = lower.split_whitespace().filter(|w| *w != "of").collect();
        match words.as_slice() {
            [nth, weekday, month] => DateRule::NthWeekday {
                month: month_of(month).ok_or_else(|| format!("'{t}': '{month}' is not a month"))?,
                weekday: weekday_of(weekday)
                    .ok_or_else(|| format!("'{t}': '{weekday}' is not a day of the week"))?,
                nth: nth_of(nth).ok_or_else(|| {
                    format!("'{t}': '{nth}' is not first, second, third, fourth, fifth or last")
                })?,
            },
            _ => {
                return Err(format!(
                    "'{t}' is not a date: expected YYYY-MM-DD, DD.MM.YYYY, MM-DD, DD.MM, once YYYY-MM-DD, \
                     'last Sunday of July', 'easter+49', 'orthodox easter' or a holiday's code"
                ));
            }
        }
    };
    rule.validate().map_err(|e| format!("'{t}': {e}"))?;
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> Day {
        Day::from_ymd(y, m, dd).unwrap()
    }

    #[test]
    fn written_rules_fall_on_the_published_days() {
        // Navy Day in Russia: the last Sunday of July — 2024-07-28, 2025-07-27.
        for text in [
            "last Sunday of July",
            "последнее воскресенье июля",
            "navy_day",
        ] {
            let r = parse_rule(text).unwrap();
            assert_eq!(r.in_year(2024), Some(d(2024, 7, 28)), "{text}");
            assert_eq!(r.in_year(2025), Some(d(2025, 7, 27)), "{text}");
        }
        // Mother's Day (US): 2nd Sunday of May 2025 = 11 May.
        assert_eq!(
            parse_rule("2nd Sunday of May").unwrap().in_year(2025),
            Some(d(2025, 5, 11))
        );
        assert_eq!(
            parse_rule("второе воскресенье мая").unwrap().in_year(2025),
            Some(d(2025, 5, 11))
        );
        // Pentecost 2025: Western Easter 20 April + 49 = 8 June; Orthodox Trinity 2024: 5 May + 49 = 23 June.
        assert_eq!(
            parse_rule("easter+49").unwrap().in_year(2025),
            Some(d(2025, 6, 8))
        );
        assert_eq!(
            parse_rule("Orthodox Easter + 49").unwrap().in_year(2024),
            Some(d(2024, 6, 23))
        );
        assert_eq!(
            parse_rule("православная пасха").unwrap().in_year(2024),
            Some(d(2024, 5, 5))
        );
        assert_eq!(
            parse_rule("easter-2").unwrap().in_year(2024),
            Some(d(2024, 3, 29))
        );
    }

    #[test]
    fn calendar_dates_are_yearly_or_once() {
        assert_eq!(
            parse_rule("1985-03-14").unwrap(),
            DateRule::Yearly {
                month: 3,
                day: 14,
                since: Some(1985)
            }
        );
        assert_eq!(
            parse_rule("14.03.1985").unwrap(),
            DateRule::Yearly {
                month: 3,
                day: 14,
                since: Some(1985)
            }
        );
        assert_eq!(
            parse_rule("03-14").unwrap(),
            DateRule::Yearly {
                month: 3,
                day: 14,
                since: None
            }
        );
        assert_eq!(
            parse_rule("14.03").unwrap(),
            DateRule::Yearly {
                month: 3,
                day: 14,
                since: None
            }
        );
        assert_eq!(
            parse_rule("once 2025-06-01").unwrap(),
            DateRule::Once { day: d(2025, 6, 1) }
        );
    }

    #[test]
    fn hostile_rules_say_what_is_wrong() {
        for (text, fragment) in [
            ("", "empty"),
            ("30.02", "30"),
            ("2025-13-01", "month"),
            ("sixth Sunday of May", "not first"),
            ("last Funday of May", "day of the week"),
            ("last Sunday of Smarch", "not a month"),
            ("easter+400", "beyond"),
            ("easter*2", "offset"),
            ("0001-01-01", "year"),
            ("tomorrow", "not a date"),
        ] {
            let e = parse_rule(text).unwrap_err();
            assert!(e.contains(fragment), "{text}: {e}");
        }
        assert!(
            parse_rule(&"1".repeat(MAX_RULE_CHARS + 1))
                .unwrap_err()
                .contains("longer")
        );
    }
}
