//! Times of day as people write them (`09:30`), for quiet hours and planned local times.

use clientele_core::contact_policy::Time;

/// Minutes after midnight of `HH:MM` (00:00 to 23:59); `None` for anything else.
pub fn parse_minutes(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// `HH:MM` of minutes after midnight.
pub fn format_minutes(minutes: u16) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// The time of day of minutes after midnight (below 1440).
pub fn time_of_minutes(minutes: u16) -> Time {
    let minutes = minutes.min(1439);
    Time::constant((minutes / 60) as i8, (minutes % 60) as i8, 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_parse_and_print() {
        assert_eq!(parse_minutes("09:30"), Some(570));
        assert_eq!(parse_minutes(" 9:05 "), Some(545));
        assert_eq!(parse_minutes("23:59"), Some(1439));
        for bad in [
            "24:00", "12:60", "12:5", "1230", "", ":30", "-1:00", "123:00", "ab:cd",
        ] {
            assert_eq!(parse_minutes(bad), None, "{bad}");
        }
        assert_eq!(format_minutes(570), "09:30");
        assert_eq!(time_of_minutes(570), Time::constant(9, 30, 0, 0));
    }
}
