//! The core's values read back from their columns, through the core's one parser for each
//! (`Rung::parse`, `Status::parse`, ...). A value this version cannot read is an error naming
//! the column ([`StoreError::Unreadable`]), never a row quietly left out or shown without it.
//! The aggregate tables store an absent value as `''` (it is part of their primary keys).

use clientele_core::{AbcClass, Rfm, Rung, Status, Subgroup};

use crate::error::{Result, StoreError};

fn read<T>(column: &'static str, text: &str, parse: fn(&str) -> Option<T>) -> Result<T> {
    parse(text).ok_or_else(|| StoreError::Unreadable {
        column,
        value: text.to_string(),
    })
}

fn read_opt<T>(
    column: &'static str,
    text: Option<&str>,
    parse: fn(&str) -> Option<T>,
) -> Result<Option<T>> {
    text.map(|t| read(column, t, parse)).transpose()
}

/// `None` for the aggregate tables' `''`.
fn present(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

pub(crate) fn rung(column: &'static str, text: &str) -> Result<Rung> {
    read(column, text, Rung::parse)
}

pub(crate) fn rung_opt(column: &'static str, text: Option<&str>) -> Result<Option<Rung>> {
    read_opt(column, text, Rung::parse)
}

/// An aggregate table's rung: `''` is none.
pub(crate) fn rung_or_empty(column: &'static str, text: &str) -> Result<Option<Rung>> {
    rung_opt(column, present(text))
}

pub(crate) fn status_opt(column: &'static str, text: Option<&str>) -> Result<Option<Status>> {
    read_opt(column, text, Status::parse)
}

/// An aggregate table's status: `''` is none.
pub(crate) fn status_or_empty(column: &'static str, text: &str) -> Result<Option<Status>> {
    status_opt(column, present(text))
}

pub(crate) fn subgroup_opt(column: &'static str, text: Option<&str>) -> Result<Option<Subgroup>> {
    read_opt(column, text, Subgroup::parse)
}

/// An aggregate table's sub-group: `''` is none.
pub(crate) fn subgroup_or_empty(column: &'static str, text: &str) -> Result<Option<Subgroup>> {
    subgroup_opt(column, present(text))
}

pub(crate) fn abc(column: &'static str, text: &str) -> Result<AbcClass> {
    read(column, text, AbcClass::parse)
}

pub(crate) fn abc_opt(column: &'static str, text: Option<&str>) -> Result<Option<AbcClass>> {
    read_opt(column, text, AbcClass::parse)
}

pub(crate) fn rfm(column: &'static str, text: &str) -> Result<Rfm> {
    read(column, text, Rfm::parse)
}

pub(crate) fn rfm_opt(column: &'static str, text: Option<&str>) -> Result<Option<Rfm>> {
    read_opt(column, text, Rfm::parse)
}
