//! The audit log as an admin reads it (issue 23, item 8): the filters a front end was given
//! (user, action, a span of days, a page) checked and turned into the store's filter, and the
//! log read page by page. The front ends (`clientele audit`, `GET /api/v1/audit`, the `/audit`
//! page) check the role; this module knows nothing of roles, flags or HTTP.

use clientele_core::Day;
use clientele_store::{AuditFilter, AuditPage, AuditRecord, Store, StoreError};

use crate::setting::InvalidSetting;

/// Entries per page when the caller names no limit.
pub const DEFAULT_LIMIT: u32 = 50;
/// Entries per page at most.
pub const MAX_LIMIT: u32 = 1000;
/// Characters of a user or action filter at most (no user name or action is longer).
pub const MAX_FILTER_CHARS: usize = 200;
/// Entries in one export at most: a file an admin can open, and a bounded request.
pub const MAX_EXPORT_ROWS: usize = 100_000;

/// The filters as a front end received them: text still unparsed, so the use case is the one
/// place that checks them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// The user's name exactly.
    pub user: Option<String>,
    /// The action exactly (`view`, `list`, `search`, `notes`, `export`, `note`, ...).
    pub action: Option<String>,
    /// The first day (UTC), `YYYY-MM-DD`.
    pub from: Option<String>,
    /// The last day (UTC, included), `YYYY-MM-DD`.
    pub to: Option<String>,
    /// Entries older than this id (the `next_before` of the previous page).
    pub before: Option<i64>,
    /// Entries per page (1..=[`MAX_LIMIT`]; [`DEFAULT_LIMIT`] when `None`).
    pub limit: Option<u32>,
}

/// The checked query: the store's filter, the page's keyset and size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditSelection {
    pub filter: AuditFilter,
    pub before: Option<i64>,
    pub limit: u32,
}

fn text(field: &'static str, value: &Option<String>) -> Result<Option<String>, InvalidSetting> {
    let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let chars = v.chars().count();
    if chars > MAX_FILTER_CHARS {
        return Err(InvalidSetting::new(
            field,
            format!("has {chars} characters; at most {MAX_FILTER_CHARS}"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(InvalidSetting::new(field, "contains a control character"));
    }
    Ok(Some(v.to_string()))
}

fn day(field: &'static str, value: &Option<String>) -> Result<Option<Day>, InvalidSetting> {
    let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.len() > 10 {
        let shown: String = v.chars().take(20).collect();
        return Err(InvalidSetting::value(
            field,
            format!("{shown}..."),
            "not a date written YYYY-MM-DD",
        ));
    }
    Day::parse_iso(v)
        .map(Some)
        .map_err(|e| InvalidSetting::value(field, v, e))
}

/// Unix seconds at the start of `day` (UTC).
fn start_of(day: Day) -> i64 {
    i64::from(day.days_since_epoch()) * 86_400
}

impl AuditQuery {
    /// Checks every filter: texts at most [`MAX_FILTER_CHARS`] without control characters,
    /// days written `YYYY-MM-DD` with `from` not after `to`, a positive `before`, a limit in
    /// 1..=[`MAX_LIMIT`].
    pub fn selection(&self) -> Result<AuditSelection, InvalidSetting> {
        let actor = text("user", &self.user)?;
        let action = text("action", &self.action)?;
        let from = day("from", &self.from)?;
        let to = day("to", &self.to)?;
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(InvalidSetting::new("to", format!("{t} is before from {f}")));
        }
        if let Some(b) = self.before
            && b <= 0
        {
            return Err(InvalidSetting::value(
                "before",
                b,
                "expected an entry id above 0",
            ));
        }
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(InvalidSetting::value(
                "limit",
                limit,
                format!("expected 1..={MAX_LIMIT}"),
            ));
        }
        Ok(AuditSelection {
            filter: AuditFilter {
                actor,
                action,
                from: from.map(start_of),
                until: to.map(|t| start_of(t) + 86_400),
            },
            before: self.before,
            limit,
        })
    }

    /// The filters as words for the audit entry of this read (`user=anna action=list`).
    pub fn describe(&self) -> String {
        [
            ("user", &self.user),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ]
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={v}"))
        })
        .collect::<Vec<_>>()
        .join(" ")
    }
}

/// A page of the audit log, newest first.
pub async fn audit_page(
    store: &Store,
    selection: &AuditSelection,
) -> Result<AuditPage, StoreError> {
    store
        .audit_log_page(&selection.filter, selection.before, selection.limit)
        .await
}

/// Every entry the filter keeps from `selection.before` on, newest first, read a page at a
/// time and handed to `each` page by page; at most [`MAX_EXPORT_ROWS`] entries. Answers whether
/// entries were left out past that bound.
pub async fn each_audit_page<F>(
    store: &Store,
    selection: &AuditSelection,
    mut each: F,
) -> Result<bool, StoreError>
where
    F: FnMut(&[AuditRecord]),
{
    let mut before = selection.before;
    let mut written = 0usize;
    loop {
        let room = MAX_EXPORT_ROWS - written;
        let limit = (MAX_LIMIT as usize).min(room) as u32;
        let page = store
            .audit_log_page(&selection.filter, before, limit)
            .await?;
        written += page.items.len();
        each(&page.items);
        match page.next_before {
            None => return Ok(false),
            Some(_) if written >= MAX_EXPORT_ROWS => return Ok(true),
            Some(b) => before = Some(b),
        }
    }
}

/// An instant as `YYYY-MM-DD HH:MM:SS` (UTC).
pub fn utc_time(at: i64) -> String {
    let day = Day::from_days_since_epoch(at.div_euclid(86_400) as i32);
    let secs = at.rem_euclid(86_400);
    format!(
        "{day} {:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(f: impl FnOnce(&mut AuditQuery)) -> AuditQuery {
        let mut q = AuditQuery::default();
        f(&mut q);
        q
    }

    #[test]
    fn days_become_a_span_of_instants_with_the_last_day_included() {
        let s = q(|q| {
            q.from = Some("2026-12-01".into());
            q.to = Some("2026-12-01".into());
        })
        .selection()
        .unwrap();
        // 2026-12-01 is day 20,788 since 1970-01-01.
        assert_eq!(s.filter.from, Some(20_788 * 86_400));
        assert_eq!(s.filter.until, Some(20_789 * 86_400));
        assert_eq!(s.limit, DEFAULT_LIMIT);
    }

    #[test]
    fn hostile_filters_name_the_setting() {
        let field = |f: fn(&mut AuditQuery)| q(f).selection().unwrap_err().field;
        assert_eq!(field(|q| q.from = Some("2026-13-01".into())), "from");
        assert_eq!(field(|q| q.to = Some("+2024-+1-+1".into())), "to");
        assert_eq!(field(|q| q.from = Some("2".repeat(5000))), "from");
        assert_eq!(field(|q| q.user = Some("a".repeat(201))), "user");
        assert_eq!(field(|q| q.action = Some("list\u{0}".into())), "action");
        assert_eq!(field(|q| q.limit = Some(0)), "limit");
        assert_eq!(field(|q| q.limit = Some(1_000_000)), "limit");
        assert_eq!(field(|q| q.before = Some(-5)), "before");
        let backwards = q(|q| {
            q.from = Some("2026-12-02".into());
            q.to = Some("2026-12-01".into());
        })
        .selection()
        .unwrap_err();
        assert_eq!(backwards.field, "to");
        assert_eq!(backwards.message, "2026-12-01 is before from 2026-12-02");
        // A user name of exactly the bound is fine.
        assert!(q(|q| q.user = Some("я".repeat(200))).selection().is_ok());
    }

    #[test]
    fn instants_read_in_utc() {
        assert_eq!(utc_time(0), "1970-01-01 00:00:00");
        assert_eq!(utc_time(20_788 * 86_400 + 3_723), "2026-12-01 01:02:03");
    }
}
