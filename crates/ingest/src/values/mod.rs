//! Exact parsers for the values inside fields: dates, money, plain numbers and contact identities.
//!
//! These run once per field of every row (tens of millions of calls on a large export), so the
//! success path allocates nothing, uses no regex and never goes through floating point for money:
//! digits are accumulated into an integer mantissa and scaled to `Money`'s ten-thousandths exactly.
//! Errors allocate (they carry the offending text) because they are rare and must be readable.
//!
//! The rooms: [`formats`] (how a column writes its values, and why a text is not one), [`dates`],
//! [`numbers`] (money, quantities, discounts, the decimal mark) and [`contacts`] (e-mail and
//! phone as customer identities).

mod contacts;
mod dates;
mod formats;
mod numbers;

pub use contacts::{normalize_email, normalize_phone};
pub use dates::{DateGuess, DetectError, detect_date_format, guess_date_format, parse_date};
pub use formats::{DateFormat, NumberFormat, UnknownDateFormat, ValueError};
pub use numbers::{
    Discount, detect_number_format, looks_numeric_or_date, parse_decimal_f64, parse_discount,
    parse_money,
};
