//! The calendar day now, the one place the use cases read the clock.

use clientele_core::Day;

/// Today as a day number (UTC).
pub fn today() -> Day {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Day::from_days_since_epoch((secs / 86_400) as i32)
}
