//! One module per resource, each with its own `router()`.

pub mod assess;
pub mod audit;
pub mod calendar;
pub mod campaigns;
pub mod contacts;
pub mod customers;
pub mod feedback;
pub mod followups;
pub mod health;
pub mod imports;
pub mod improvements;
pub mod ladder;
pub mod notes;
pub mod nps_behaviour;
pub mod order_stream;
pub mod orders;
pub mod portfolio;
pub mod privacy;
pub mod queue;
pub mod scoring;
pub mod session;
pub mod staff;
pub mod surveys;
pub mod users;
pub mod voice;
pub mod winback;

use crate::error::ApiError;

/// Parses `YYYY-MM-DD` into a day, naming `field` when it is not one.
pub fn parse_day(field: &str, text: &str) -> Result<clientele_core::Day, ApiError> {
    let bad = || ApiError::invalid(field, format!("'{text}' is not a date as YYYY-MM-DD"));
    // Digits only, four, two and two of them: `+2024-+1-+1` is not a date.
    let mut parts = text.trim().splitn(3, '-');
    let mut number = |digits: usize| {
        parts
            .next()
            .filter(|p| p.len() == digits && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    let (Some(y), Some(m), Some(d)) = (number(4), number(2), number(2)) else {
        return Err(bad());
    };
    let day = clientele_core::Day::from_ymd(y as i32, m, d).map_err(|_| bad())?;
    if !clientele_core::bounds::day_in_bounds(day) {
        return Err(ApiError::invalid(
            field,
            format!("{day} is outside 1900-01-01 ..= 2100-12-31, the days an order may have"),
        ));
    }
    Ok(day)
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
