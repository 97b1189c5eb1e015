//! The error of a setting a caller gave a value the use case does not accept. It names the
//! setting, so each front end can point at what to fix: the command line names its flag
//! (`--horizon 40000: ...`), the API answers 422 with the field (`horizon`).

use std::fmt::Display;

/// A setting with a value the use case refuses: `field` is the setting's name in the settings
/// types (`horizon`, `discount_rate`, `calibration_end`), `message` reads after that name.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field} {message}")]
pub struct InvalidSetting {
    pub field: &'static str,
    pub message: String,
}

impl InvalidSetting {
    /// `field` refused with `message`, which reads after the setting's name.
    pub fn new(field: &'static str, message: impl Into<String>) -> InvalidSetting {
        InvalidSetting {
            field,
            message: message.into(),
        }
    }

    /// `field` refused for its `value`: the message is "VALUE: REASON".
    pub fn value(field: &'static str, value: impl Display, reason: impl Display) -> InvalidSetting {
        InvalidSetting::new(field, format!("{value}: {reason}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_reads_after_the_name() {
        let e = InvalidSetting::value("discount_rate", -2.0, "expected an annual rate above -1");
        assert_eq!(e.field, "discount_rate");
        assert_eq!(e.message, "-2: expected an annual rate above -1");
        assert_eq!(
            e.to_string(),
            "discount_rate -2: expected an annual rate above -1"
        );
    }
}
