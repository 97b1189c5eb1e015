//! Care without spam: the pure parts of the client calendar, client days and managers by rung.
//! (The contact policy itself, which every message passes, is [`crate::contact_policy`]; the
//! date rules and the holiday catalogue are [`crate::recurrence`].)
//!
//! What to call:
//! - [`greeting::compose`] / [`greeting::unique_greeting`]: a greeting for one customer's
//!   occasion written from their dossier (name, favourite categories and products, history with
//!   the company, cues in the managers' notes), in English or Russian; `unique_greeting` walks
//!   the text's variants until it finds one not yet given to another customer of the same
//!   occasion, so no two customers of one occasion get the same text.
//! - [`occasion::occasion_of`]: which occasion a personal date's label names (birthday, name
//!   day, founding day, a catalogue holiday, a holiday by name, a custom date).
//! - [`assignment::plan_assignments`]: which manager serves each customer under ordered rules
//!   (rung, region, main category → a team), keeping a customer with a member of their team
//!   and giving the others to the least loaded member.
//! - [`event_effect::event_effect`]: what a client day changed in later purchases, attendees
//!   against invited customers who did not come, before and after.

pub mod assignment;
pub mod event_effect;
pub mod greeting;
mod greeting_words;
pub mod occasion;

/// The language a message to a customer is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    En,
    Ru,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Ru];

    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ru => "ru",
        }
    }

    pub fn parse(code: &str) -> Option<Language> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Language::En),
            "ru" => Some(Language::Ru),
            _ => None,
        }
    }
}

/// The Russian plural form of a count: `one` for 1, 21, 31 ... (not 11), `few` for 2–4, 22–24
/// ... (not 12–14), `many` otherwise ("1 год", "3 года", "5 лет", "11 лет").
pub fn ru_plural<'a>(n: u64, one: &'a str, few: &'a str, many: &'a str) -> &'a str {
    let (last, last_two) = (n % 10, n % 100);
    if last == 1 && last_two != 11 {
        one
    } else if (2..=4).contains(&last) && !(12..=14).contains(&last_two) {
        few
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_plurals_follow_the_last_two_digits() {
        let form = |n| ru_plural(n, "год", "года", "лет");
        let cases = [
            (0, "лет"),
            (1, "год"),
            (2, "года"),
            (4, "года"),
            (5, "лет"),
            (11, "лет"),
            (12, "лет"),
            (14, "лет"),
            (21, "год"),
            (22, "года"),
            (25, "лет"),
            (101, "год"),
            (111, "лет"),
        ];
        for (n, expected) in cases {
            assert_eq!(form(n), expected, "{n}");
        }
    }

    #[test]
    fn languages_parse_their_codes() {
        for l in Language::ALL {
            assert_eq!(Language::parse(l.as_str()), Some(l));
        }
        assert_eq!(Language::parse(" RU "), Some(Language::Ru));
        assert_eq!(Language::parse("de"), None);
    }
}
