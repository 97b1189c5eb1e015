//! A catalogue of holidays a company greets its customers on: fixed dates, weekday rules
//! ("last Sunday of July") and the movable feasts that hang on Western or Orthodox Easter,
//! each with a stable code (what the store keeps), its name and the words a greeting opens
//! with, in English and Russian.
//!
//! Holidays that follow the moon alone (Chinese New Year, Eid) have no rule here: a company
//! enters them year by year as one-off dates.

use super::DateRule;

/// A holiday of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holiday {
    /// The stable code, e.g. `navy_day` (snake case; never renamed).
    pub code: &'static str,
    pub rule: DateRule,
    pub name_en: &'static str,
    pub name_ru: &'static str,
    /// The greeting's words: "Happy New Year" / "с Новым годом" (Russian in the instrumental
    /// case after «с», lower case: a greeting puts it after «Поздравляем вас»).
    pub wish_en: &'static str,
    pub wish_ru: &'static str,
}

const fn yearly(month: u32, day: u32) -> DateRule {
    DateRule::Yearly {
        month,
        day,
        since: None,
    }
}

const fn weekday(month: u32, weekday: u32, nth: i32) -> DateRule {
    DateRule::NthWeekday {
        month,
        weekday,
        nth,
    }
}

/// Every holiday of the catalogue, in calendar order of a typical year.
pub const HOLIDAYS: &[Holiday] = &[
    Holiday {
        code: "new_year",
        rule: yearly(1, 1),
        name_en: "New Year",
        name_ru: "Новый год",
        wish_en: "Happy New Year",
        wish_ru: "с Новым годом",
    },
    Holiday {
        code: "orthodox_christmas",
        rule: yearly(1, 7),
        name_en: "Orthodox Christmas",
        name_ru: "Рождество Христово",
        wish_en: "Merry Christmas",
        wish_ru: "с Рождеством Христовым",
    },
    Holiday {
        code: "tatiana_day",
        rule: yearly(1, 25),
        name_en: "Tatiana Day (Students' Day)",
        name_ru: "Татьянин день",
        wish_en: "Happy Tatiana Day",
        wish_ru: "с Татьяниным днём",
    },
    Holiday {
        code: "valentines_day",
        rule: yearly(2, 14),
        name_en: "Valentine's Day",
        name_ru: "День святого Валентина",
        wish_en: "Happy Valentine's Day",
        wish_ru: "с Днём святого Валентина",
    },
    Holiday {
        code: "defender_day",
        rule: yearly(2, 23),
        name_en: "Defender of the Fatherland Day",
        name_ru: "День защитника Отечества",
        wish_en: "Happy Defender of the Fatherland Day",
        wish_ru: "с Днём защитника Отечества",
    },
    Holiday {
        // Maslenitsa week ends on Forgiveness Sunday, seven weeks before Orthodox Easter.
        code: "maslenitsa",
        rule: DateRule::OrthodoxEaster { offset_days: -49 },
        name_en: "Maslenitsa (Forgiveness Sunday)",
        name_ru: "Масленица (Прощёное воскресенье)",
        wish_en: "Happy Maslenitsa",
        wish_ru: "с Масленицей",
    },
    Holiday {
        code: "womens_day",
        rule: yearly(3, 8),
        name_en: "International Women's Day",
        name_ru: "Международный женский день",
        wish_en: "Happy International Women's Day",
        wish_ru: "с Международным женским днём",
    },
    Holiday {
        code: "cosmonautics_day",
        rule: yearly(4, 12),
        name_en: "Cosmonautics Day",
        name_ru: "День космонавтики",
        wish_en: "Happy Cosmonautics Day",
        wish_ru: "с Днём космонавтики",
    },
    Holiday {
        code: "easter",
        rule: DateRule::Easter { offset_days: 0 },
        name_en: "Easter",
        name_ru: "Пасха (западная)",
        wish_en: "Happy Easter",
        wish_ru: "со светлым праздником Пасхи",
    },
    Holiday {
        code: "orthodox_easter",
        rule: DateRule::OrthodoxEaster { offset_days: 0 },
        name_en: "Orthodox Easter",
        name_ru: "Пасха",
        wish_en: "Happy Easter",
        wish_ru: "со Светлым Христовым Воскресением",
    },
    Holiday {
        code: "labour_day",
        rule: yearly(5, 1),
        name_en: "Spring and Labour Day",
        name_ru: "Праздник Весны и Труда",
        wish_en: "Happy Spring and Labour Day",
        wish_ru: "с Праздником Весны и Труда",
    },
    Holiday {
        code: "victory_day",
        rule: yearly(5, 9),
        name_en: "Victory Day",
        name_ru: "День Победы",
        wish_en: "Happy Victory Day",
        wish_ru: "с Днём Победы",
    },
    Holiday {
        code: "mothers_day",
        rule: weekday(5, 7, 2),
        name_en: "Mother's Day",
        name_ru: "День матери (второе воскресенье мая)",
        wish_en: "Happy Mother's Day",
        wish_ru: "с Днём матери",
    },
    Holiday {
        code: "russia_day",
        rule: yearly(6, 12),
        name_en: "Russia Day",
        name_ru: "День России",
        wish_en: "Happy Russia Day",
        wish_ru: "с Днём России",
    },
    Holiday {
        code: "medical_workers_day",
        rule: weekday(6, 7, 3),
        name_en: "Medical Workers' Day",
        name_ru: "День медицинского работника",
        wish_en: "Happy Medical Workers' Day",
        wish_ru: "с Днём медицинского работника",
    },
    Holiday {
        code: "fathers_day",
        rule: weekday(6, 7, 3),
        name_en: "Father's Day",
        name_ru: "День отца (третье воскресенье июня)",
        wish_en: "Happy Father's Day",
        wish_ru: "с Днём отца",
    },
    Holiday {
        // Trinity Sunday: the fiftieth day from Orthodox Easter, Easter counted as the first.
        code: "trinity",
        rule: DateRule::OrthodoxEaster { offset_days: 49 },
        name_en: "Trinity Sunday",
        name_ru: "Троица",
        wish_en: "Happy Trinity Sunday",
        wish_ru: "с Троицей",
    },
    Holiday {
        code: "family_day",
        rule: yearly(7, 8),
        name_en: "Day of Family, Love and Fidelity",
        name_ru: "День семьи, любви и верности",
        wish_en: "Happy Day of Family, Love and Fidelity",
        wish_ru: "с Днём семьи, любви и верности",
    },
    Holiday {
        code: "navy_day",
        rule: weekday(7, 7, -1),
        name_en: "Navy Day",
        name_ru: "День Военно-морского флота",
        wish_en: "Happy Navy Day",
        wish_ru: "с Днём Военно-морского флота",
    },
    Holiday {
        code: "builders_day",
        rule: weekday(8, 7, 2),
        name_en: "Builders' Day",
        name_ru: "День строителя",
        wish_en: "Happy Builders' Day",
        wish_ru: "с Днём строителя",
    },
    Holiday {
        code: "knowledge_day",
        rule: yearly(9, 1),
        name_en: "Knowledge Day",
        name_ru: "День знаний",
        wish_en: "Happy Knowledge Day",
        wish_ru: "с Днём знаний",
    },
    Holiday {
        code: "teachers_day",
        rule: yearly(10, 5),
        name_en: "Teachers' Day",
        name_ru: "День учителя",
        wish_en: "Happy Teachers' Day",
        wish_ru: "с Днём учителя",
    },
    Holiday {
        code: "fathers_day_russia",
        rule: weekday(10, 7, 3),
        name_en: "Father's Day (Russia)",
        name_ru: "День отца",
        wish_en: "Happy Father's Day",
        wish_ru: "с Днём отца",
    },
    Holiday {
        code: "unity_day",
        rule: yearly(11, 4),
        name_en: "Unity Day",
        name_ru: "День народного единства",
        wish_en: "Happy Unity Day",
        wish_ru: "с Днём народного единства",
    },
    Holiday {
        code: "accountants_day",
        rule: yearly(11, 21),
        name_en: "Accountants' Day",
        name_ru: "День бухгалтера",
        wish_en: "Happy Accountants' Day",
        wish_ru: "с Днём бухгалтера",
    },
    Holiday {
        code: "thanksgiving",
        rule: weekday(11, 4, 4),
        name_en: "Thanksgiving (United States)",
        name_ru: "День благодарения (США)",
        wish_en: "Happy Thanksgiving",
        wish_ru: "с Днём благодарения",
    },
    Holiday {
        code: "mothers_day_russia",
        rule: weekday(11, 7, -1),
        name_en: "Mother's Day (Russia)",
        name_ru: "День матери",
        wish_en: "Happy Mother's Day",
        wish_ru: "с Днём матери",
    },
    Holiday {
        code: "christmas",
        rule: yearly(12, 25),
        name_en: "Christmas",
        name_ru: "Рождество (25 декабря)",
        wish_en: "Merry Christmas",
        wish_ru: "с Рождеством",
    },
];

/// The holiday with this code.
pub fn holiday(code: &str) -> Option<&'static Holiday> {
    HOLIDAYS.iter().find(|h| h.code == code)
}

/// The holiday whose English or Russian name is `name` (any case, surrounding spaces ignored),
/// for labels written before holidays had codes ("Orthodox Easter", "Mother's Day (Russia)").
pub fn holiday_by_name(name: &str) -> Option<&'static Holiday> {
    let name = name.trim().to_lowercase();
    HOLIDAYS
        .iter()
        .find(|h| h.name_en.to_lowercase() == name || h.name_ru.to_lowercase() == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Day;

    fn d(y: i32, m: u32, dd: u32) -> Day {
        Day::from_ymd(y, m, dd).unwrap()
    }

    fn on(code: &str, year: i32) -> Day {
        holiday(code).unwrap().rule.in_year(year).unwrap()
    }

    /// Dates from published calendars (the Russian production calendar, church calendars, the
    /// US federal calendar), checked one by one.
    #[test]
    fn movable_holidays_fall_on_their_published_days() {
        // Navy Day: last Sunday of July (2024-07-28, 2025-07-27).
        assert_eq!(on("navy_day", 2024), d(2024, 7, 28));
        assert_eq!(on("navy_day", 2025), d(2025, 7, 27));
        // Forgiveness Sunday 2024-03-17, 2025-03-02; Trinity 2024-06-23, 2025-06-08.
        assert_eq!(on("maslenitsa", 2024), d(2024, 3, 17));
        assert_eq!(on("maslenitsa", 2025), d(2025, 3, 2));
        assert_eq!(on("trinity", 2024), d(2024, 6, 23));
        assert_eq!(on("trinity", 2025), d(2025, 6, 8));
        // Father's Day in Russia: third Sunday of October (2024-10-20); Mother's Day in
        // Russia: last Sunday of November (2024-11-24).
        assert_eq!(on("fathers_day_russia", 2024), d(2024, 10, 20));
        assert_eq!(on("mothers_day_russia", 2024), d(2024, 11, 24));
        // Medical Workers' Day 2024-06-16, Builders' Day 2024-08-11, Thanksgiving 2024-11-28.
        assert_eq!(on("medical_workers_day", 2024), d(2024, 6, 16));
        assert_eq!(on("builders_day", 2024), d(2024, 8, 11));
        assert_eq!(on("thanksgiving", 2024), d(2024, 11, 28));
        // Western Easter 2024-03-31, Orthodox 2024-05-05.
        assert_eq!(on("easter", 2024), d(2024, 3, 31));
        assert_eq!(on("orthodox_easter", 2024), d(2024, 5, 5));
    }

    #[test]
    fn codes_are_unique_snake_case_and_every_rule_is_valid() {
        for (i, h) in HOLIDAYS.iter().enumerate() {
            assert!(
                h.code.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                h.code
            );
            assert!(
                HOLIDAYS[i + 1..].iter().all(|o| o.code != h.code),
                "{} twice",
                h.code
            );
            h.rule.validate().unwrap();
            for year in 1990..2100 {
                assert!(h.rule.in_year(year).is_some(), "{} in {year}", h.code);
            }
        }
    }

    #[test]
    fn old_labels_find_their_holiday() {
        assert_eq!(
            holiday_by_name("Orthodox Easter").unwrap().code,
            "orthodox_easter"
        );
        assert_eq!(
            holiday_by_name(" mother's day (russia) ").unwrap().code,
            "mothers_day_russia"
        );
        assert_eq!(holiday_by_name("День Победы").unwrap().code, "victory_day");
        assert!(holiday_by_name("birthday").is_none());
    }
}
