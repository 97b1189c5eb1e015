//! How a column writes its values (the date format, the decimal mark), and why a field's text is
//! not a value of the expected kind.

use std::fmt;
use std::str::FromStr;

use clientele_core::DateError;
use clientele_core::bounds::AmountError;

/// How dates are written in a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DateFormat {
    /// `YYYY-MM-DD` or `YYYY/MM/DD`, optionally followed by a time after `T` or a space.
    Iso,
    /// `DD.MM.YYYY` (also `D.M.YYYY`), optionally followed by a time.
    DmyDot,
    /// `YYYYMMDD`.
    Ymd8,
    /// `DD/MM/YYYY`.
    DmySlash,
    /// `MM/DD/YYYY`.
    MdySlash,
    /// `DD-MM-YYYY`.
    DmyDash,
    /// Days since 1899-12-30, as spreadsheets store dates (a fraction is the time of day).
    ExcelSerial,
}

impl DateFormat {
    /// The formats a text column can be in, in the order detection tries them.
    pub const TEXT_FORMATS: [DateFormat; 6] = [
        DateFormat::Iso,
        DateFormat::Ymd8,
        DateFormat::DmyDot,
        DateFormat::DmyDash,
        DateFormat::DmySlash,
        DateFormat::MdySlash,
    ];

    /// The name accepted by `--date-format`.
    pub fn as_str(self) -> &'static str {
        match self {
            DateFormat::Iso => "iso",
            DateFormat::DmyDot => "dd.mm.yyyy",
            DateFormat::Ymd8 => "yyyymmdd",
            DateFormat::DmySlash => "dd/mm/yyyy",
            DateFormat::MdySlash => "mm/dd/yyyy",
            DateFormat::DmyDash => "dd-mm-yyyy",
            DateFormat::ExcelSerial => "excel",
        }
    }

    /// How the format looks, for messages.
    pub fn pattern(self) -> &'static str {
        match self {
            DateFormat::Iso => "YYYY-MM-DD",
            DateFormat::DmyDot => "DD.MM.YYYY",
            DateFormat::Ymd8 => "YYYYMMDD",
            DateFormat::DmySlash => "DD/MM/YYYY",
            DateFormat::MdySlash => "MM/DD/YYYY",
            DateFormat::DmyDash => "DD-MM-YYYY",
            DateFormat::ExcelSerial => "a spreadsheet day number",
        }
    }
}

impl fmt::Display for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--date-format` value that names no known format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown date format '{0}'; use one of iso, dd.mm.yyyy, yyyymmdd, dd/mm/yyyy, mm/dd/yyyy, dd-mm-yyyy, excel"
)]
pub struct UnknownDateFormat(pub String);

impl FromStr for DateFormat {
    type Err = UnknownDateFormat;

    fn from_str(s: &str) -> Result<DateFormat, UnknownDateFormat> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "iso" | "yyyy-mm-dd" | "yyyy/mm/dd" => DateFormat::Iso,
            "dd.mm.yyyy" | "d.m.yyyy" => DateFormat::DmyDot,
            "yyyymmdd" => DateFormat::Ymd8,
            "dd/mm/yyyy" => DateFormat::DmySlash,
            "mm/dd/yyyy" => DateFormat::MdySlash,
            "dd-mm-yyyy" => DateFormat::DmyDash,
            "excel" | "excel-serial" => DateFormat::ExcelSerial,
            _ => return Err(UnknownDateFormat(s.to_string())),
        })
    }
}

/// Why a field's text is not a value of the expected kind.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("the value is empty")]
    Empty,
    #[error("'{text}' is not a date in the form {}", .expected.pattern())]
    NotADate { text: String, expected: DateFormat },
    #[error("'{text}' is not a date: {source}")]
    ImpossibleDate { text: String, source: DateError },
    #[error(
        "'{text}' has a 2-digit year; only 4-digit years are accepted, since the century cannot be guessed safely"
    )]
    TwoDigitYear { text: String },
    #[error("'{text}' is not a number{}", reason_suffix(.reason))]
    NotANumber {
        text: String,
        reason: Option<&'static str>,
    },
    #[error("'{text}' is a percentage; a plain number or amount is expected here")]
    Percent { text: String },
    #[error("'{text}' is too large")]
    Overflow { text: String },
    /// An amount beyond [`clientele_core::bounds::MAX_AMOUNT`], or non-zero and below the money
    /// unit (0.0001).
    #[error("'{text}' {source}")]
    Amount { text: String, source: AmountError },
    /// A quantity beyond [`clientele_core::bounds::MAX_QUANTITY`].
    #[error("'{text}' is beyond the largest quantity accepted, 1000000000")]
    Quantity { text: String },
    /// A date outside [`clientele_core::bounds::EARLIEST_DAY`] ..= `LATEST_DAY`.
    #[error("'{text}' is outside the dates accepted, 1900-01-01 to 2100-12-31")]
    DateOutOfRange { text: String },
}

pub(crate) fn reason_suffix(reason: &Option<&'static str>) -> String {
    match reason {
        Some(r) => format!(" ({r})"),
        None => String::new(),
    }
}

/// Strips what surrounds a value in real exports: whitespace (including no-break spaces) and quotes.
pub(crate) fn trim_value(s: &str) -> &str {
    // Most values start and end with a digit or letter: nothing to trim, no chars to decode.
    let b = s.as_bytes();
    if b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
    {
        return s;
    }
    s.trim_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'')
}

/// Which character is the decimal mark; the other of `.`/`,` may only group thousands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NumberFormat {
    /// `b'.'` or `b','`.
    pub decimal: u8,
}

impl NumberFormat {
    pub const POINT: NumberFormat = NumberFormat { decimal: b'.' };
    pub const COMMA: NumberFormat = NumberFormat { decimal: b',' };
}

impl Default for NumberFormat {
    fn default() -> NumberFormat {
        NumberFormat::POINT
    }
}
