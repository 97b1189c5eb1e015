//! Contact identities: e-mail addresses and phone numbers normalised so that differently written
//! contacts of one person match, and a customer can be keyed by them when the export has no id.

use super::formats::trim_value;

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
}
