//! One module per resource, each with its own `router()`.

pub mod customers;
pub mod health;
pub mod imports;
pub mod ladder;
pub mod notes;
pub mod orders;
pub mod privacy;
pub mod scoring;
pub mod session;

use crate::error::ApiError;

/// Parses `YYYY-MM-DD` into a day, naming `field` when it is not one.
pub fn parse_day(field: &str, text: &str) -> Result<clientele_core::Day, ApiError> {
    let bad = || ApiError::invalid(field, format!("'{text}' is not a date as YYYY-MM-DD"));
    let mut parts = text.trim().splitn(3, '-');
    let (y, m, d) = (
        parts.next().and_then(|p| p.parse::<i32>().ok()),
        parts.next().and_then(|p| p.parse::<u32>().ok()),
        parts.next().and_then(|p| p.parse::<u32>().ok()),
    );
    match (y, m, d) {
        (Some(y), Some(m), Some(d)) if (1900..=2999).contains(&y) => {
            clientele_core::Day::from_ymd(y, m, d).map_err(|_| bad())
        }
        _ => Err(bad()),
    }
}

/// The page size asked for, checked against the settings' maximum.
pub fn page_limit(limit: Option<u32>, settings: &crate::Settings) -> Result<u32, ApiError> {
    match limit {
        None => Ok(settings.default_limit),
        Some(l) if (1..=settings.max_limit).contains(&l) => Ok(l),
        Some(_) => Err(ApiError::invalid(
            "limit",
            format!("must be between 1 and {}", settings.max_limit),
        )),
    }
}
