//! Personal dates that recur. The rules themselves are pure date arithmetic and live in the core
//! (`clientele_core::recurrence`); the store re-exports them, so its callers do not change, and
//! keeps only what is its own: their JSON form and their errors as [`StoreError`]s.

use serde::{Serialize, Serializer};

pub use clientele_core::recurrence::{
    DateRule, MAX_EASTER_OFFSET_DAYS, RecurrenceError, RuleColumns, orthodox_easter, weekday,
    western_easter,
};

use crate::{Day, StoreError};

impl From<RecurrenceError> for StoreError {
    fn from(e: RecurrenceError) -> StoreError {
        StoreError::Invalid {
            field: "personal date",
            reason: e.to_string(),
        }
    }
}

/// A [`DateRule`] as JSON: `{"rule": "yearly", "month": 5, "day": 12, "since": 1990}`, the kind
/// in `rule` (snake case) beside its numbers, a one-off day as `YYYY-MM-DD`. (The core's types
/// know nothing of serde.)
#[derive(Clone, Copy, Debug)]
pub struct DateRuleJson(pub DateRule);

impl Serialize for DateRuleJson {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        RuleJson::from(self.0).serialize(s)
    }
}

/// [`DateRuleJson`] for a field (`#[serde(serialize_with = ...)]`).
pub(crate) fn serialize_rule<S: Serializer>(rule: &DateRule, s: S) -> Result<S::Ok, S::Error> {
    DateRuleJson(*rule).serialize(s)
}

#[derive(Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
enum RuleJson {
    Once {
        #[serde(serialize_with = "crate::serialize::ser_day")]
        day: Day,
    },
    Yearly {
        month: u32,
        day: u32,
        since: Option<i32>,
    },
    NthWeekday {
        month: u32,
        weekday: u32,
        nth: i32,
    },
    Easter {
        offset_days: i32,
    },
    OrthodoxEaster {
        offset_days: i32,
    },
}

impl From<DateRule> for RuleJson {
    fn from(rule: DateRule) -> RuleJson {
        match rule {
            DateRule::Once { day } => RuleJson::Once { day },
            DateRule::Yearly { month, day, since } => RuleJson::Yearly { month, day, since },
            DateRule::NthWeekday {
                month,
                weekday,
                nth,
            } => RuleJson::NthWeekday {
                month,
                weekday,
                nth,
            },
            DateRule::Easter { offset_days } => RuleJson::Easter { offset_days },
            DateRule::OrthodoxEaster { offset_days } => RuleJson::OrthodoxEaster { offset_days },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_errors_are_invalid_personal_dates() {
        let e = StoreError::from(
            DateRule::NthWeekday {
                month: 5,
                weekday: 8,
                nth: 1,
            }
            .validate()
            .unwrap_err(),
        );
        assert_eq!(
            e.to_string(),
            "personal date: weekday 8 is not between 1 (Monday) and 7 (Sunday)"
        );
    }
}
