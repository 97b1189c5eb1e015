//! Which occasion a personal date's label names. A personal date keeps one free label; these
//! words make it an occasion a greeting knows how to speak of: `birthday`, `name_day`,
//! `founding_day`, a holiday of the catalogue by its code or its English or Russian name, or
//! `holiday: <name>` for a holiday the catalogue lacks; anything else is a custom date by its
//! own words. The first-purchase anniversary is not stored: it comes from the orders.

use super::greeting::Occasion;
use crate::recurrence::holidays::{holiday, holiday_by_name};

pub const BIRTHDAY: &str = "birthday";
pub const NAME_DAY: &str = "name_day";
pub const FOUNDING_DAY: &str = "founding_day";
/// The key of the first-purchase anniversary (never a stored label).
pub const FIRST_PURCHASE: &str = "first_purchase";
/// The prefix of a holiday the catalogue does not know.
pub const HOLIDAY_PREFIX: &str = "holiday:";

/// The longest label accepted, in characters.
pub const MAX_LABEL_CHARS: usize = 100;

/// The occasion `label` names; `years` is how many years the date has recurred when its first
/// year is known (a founding day says it).
pub fn occasion_of(label: &str, years: Option<i32>) -> Occasion<'_> {
    let trimmed = label.trim();
    match trimmed.to_lowercase().as_str() {
        "birthday" | "день рождения" => return Occasion::Birthday,
        "name_day" | "name day" | "именины" => return Occasion::NameDay,
        "founding_day" | "founding day" | "день основания" => {
            return Occasion::FoundingDay { years };
        }
        _ => {}
    }
    if let Some(h) = holiday(trimmed).or_else(|| holiday_by_name(trimmed)) {
        return Occasion::Holiday(h);
    }
    if trimmed.len() > HOLIDAY_PREFIX.len()
        && trimmed.is_char_boundary(HOLIDAY_PREFIX.len())
        && trimmed[..HOLIDAY_PREFIX.len()].eq_ignore_ascii_case(HOLIDAY_PREFIX)
    {
        let name = trimmed[HOLIDAY_PREFIX.len()..].trim();
        if !name.is_empty() {
            return Occasion::HolidayLabel(name);
        }
    }
    Occasion::Custom(trimmed)
}

/// The key two customers share when they celebrate the same thing: a catalogue holiday's code
/// (so "New Year" and "new_year" are one occasion), the fixed words for the personal kinds, and
/// a custom label in lower case.
pub fn occasion_key(label: &str) -> String {
    match occasion_of(label, None) {
        Occasion::Birthday => BIRTHDAY.into(),
        Occasion::NameDay => NAME_DAY.into(),
        Occasion::FoundingDay { .. } => FOUNDING_DAY.into(),
        Occasion::FirstPurchase { .. } => FIRST_PURCHASE.into(),
        Occasion::Holiday(h) => h.code.into(),
        Occasion::HolidayLabel(name) => format!("{HOLIDAY_PREFIX}{}", name.to_lowercase()),
        Occasion::Custom(name) => name.to_lowercase(),
    }
}

/// Checks a label a user or a file gives: not empty, at most [`MAX_LABEL_CHARS`], no control
/// characters.
pub fn check_label(label: &str) -> Result<(), String> {
    let t = label.trim();
    if t.is_empty() {
        return Err("the label is empty".into());
    }
    if t.chars().count() > MAX_LABEL_CHARS {
        return Err(format!(
            "the label is longer than {MAX_LABEL_CHARS} characters"
        ));
    }
    if t.chars().any(char::is_control) {
        return Err("the label contains control characters".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_their_occasions() {
        assert_eq!(occasion_of(" Birthday ", None), Occasion::Birthday);
        assert_eq!(occasion_of("именины", None), Occasion::NameDay);
        assert_eq!(
            occasion_of("founding_day", Some(12)),
            Occasion::FoundingDay { years: Some(12) }
        );
        match occasion_of("navy_day", None) {
            Occasion::Holiday(h) => assert_eq!(h.code, "navy_day"),
            other => panic!("{other:?}"),
        }
        // Labels written before holidays had codes: by name.
        match occasion_of("Orthodox Easter", None) {
            Occasion::Holiday(h) => assert_eq!(h.code, "orthodox_easter"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            occasion_of("Holiday: Diwali", None),
            Occasion::HolidayLabel("Diwali")
        );
        assert_eq!(
            occasion_of("holiday:", None),
            Occasion::Custom("holiday:"),
            "a prefix without a name is a custom label"
        );
        assert_eq!(
            occasion_of("Wedding anniversary", None),
            Occasion::Custom("Wedding anniversary")
        );
    }

    #[test]
    fn the_demo_s_holiday_labels_are_catalogue_holidays() {
        for label in [
            "New Year",
            "Orthodox Christmas",
            "Defender of the Fatherland Day",
            "International Women's Day",
            "Orthodox Easter",
            "Easter",
            "Mother's Day",
            "Mother's Day (Russia)",
            "Christmas",
        ] {
            assert!(
                matches!(occasion_of(label, None), Occasion::Holiday(_)),
                "{label}"
            );
        }
    }

    #[test]
    fn one_holiday_has_one_key_whatever_it_was_called() {
        assert_eq!(occasion_key("New Year"), "new_year");
        assert_eq!(occasion_key("new_year"), "new_year");
        assert_eq!(occasion_key("Новый год"), "new_year");
        assert_eq!(occasion_key("день рождения"), "birthday");
        assert_eq!(occasion_key("Holiday: Diwali"), "holiday:diwali");
        assert_eq!(occasion_key("Wedding"), "wedding");
    }

    #[test]
    fn hostile_labels_are_refused() {
        assert!(check_label("  ").is_err());
        assert!(check_label(&"x".repeat(MAX_LABEL_CHARS + 1)).is_err());
        assert!(check_label("a\u{0}b").is_err());
        assert!(check_label(&"я".repeat(MAX_LABEL_CHARS)).is_ok());
    }
}
