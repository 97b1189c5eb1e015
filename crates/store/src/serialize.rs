//! How the store's records serialize in the personal-data export (`privacy.rs`): days as
//! `YYYY-MM-DD`, money as decimal strings, the core's values as their stored text.

use clientele_core::{Day, Money, Rung, Status, Subgroup};
use serde::Serializer;

pub(crate) fn ser_day<S: Serializer>(day: &Day, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&day.to_string())
}

pub(crate) fn ser_money<S: Serializer>(m: &Money, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&m.to_string())
}

pub(crate) fn ser_opt_money<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
    match m {
        Some(m) => s.serialize_str(&m.to_string()),
        None => s.serialize_none(),
    }
}

pub(crate) fn ser_rung<S: Serializer>(r: &Rung, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(r.as_str())
}

pub(crate) fn ser_opt_status<S: Serializer>(v: &Option<Status>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v.as_str()),
        None => s.serialize_none(),
    }
}

pub(crate) fn ser_opt_subgroup<S: Serializer>(
    v: &Option<Subgroup>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(v.as_str()),
        None => s.serialize_none(),
    }
}
