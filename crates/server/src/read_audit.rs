//! What the audit log says of a read of personal data (issue 23, item 8): which list, with
//! which filters, which customers. Recorded through the buffered writer ([`crate::audit`]), so
//! a read never waits for, or fails on, the audit log.

use clientele_store::read_action;

use crate::audit::AuditLog;

/// Customer ids named in one entry at most; past that the entry says how many more.
pub const MAX_IDS: usize = 500;
/// Characters of the filters kept in one entry at most (a search text is bounded before).
pub const MAX_FILTER_CHARS: usize = 2_000;

/// `ids 3,5,8` (or `ids none`), with `(+N more)` past [`MAX_IDS`].
pub fn ids_detail(ids: &[i64]) -> String {
    if ids.is_empty() {
        return "ids none".into();
    }
    let shown: Vec<String> = ids.iter().take(MAX_IDS).map(i64::to_string).collect();
    let mut text = format!("ids {}", shown.join(","));
    if ids.len() > MAX_IDS {
        text.push_str(&format!(" (+{} more)", ids.len() - MAX_IDS));
    }
    text
}

/// The filters as given, cut at [`MAX_FILTER_CHARS`]; `no filters` when there are none.
pub fn filters_detail(filters: &str) -> String {
    let filters = filters.trim();
    if filters.is_empty() {
        return "no filters".into();
    }
    let mut cut: String = filters.chars().take(MAX_FILTER_CHARS).collect();
    if cut.len() < filters.len() {
        cut.push_str("...");
    }
    cut
}

/// A URL query (`q=%D0%98&status=lost`) as readable words (`q=И status=lost`).
pub fn decoded(query: &str) -> String {
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(" ")
}

impl AuditLog {
    /// A page of the customer list read (`search` when a text was searched): where it was read
    /// (`api`, `web`), the filters and the customers on it.
    pub fn list_read(&self, actor: &str, place: &str, search: bool, filters: &str, ids: &[i64]) {
        let action = if search {
            read_action::SEARCH
        } else {
            read_action::LIST
        };
        let detail = format!(
            "customers ({place}): {}; {}",
            filters_detail(filters),
            ids_detail(ids)
        );
        self.record(actor, action, None, &detail);
    }

    /// A file of a list with personal data handed out: which list, which format, the filters.
    pub fn export_read(&self, actor: &str, list: &str, format: &str, filters: &str) {
        let detail = format!("{list}.{format}: {}", filters_detail(filters));
        self.record(actor, read_action::EXPORT, None, &detail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_named_up_to_the_bound() {
        assert_eq!(ids_detail(&[]), "ids none");
        assert_eq!(ids_detail(&[3, 5, 8]), "ids 3,5,8");
        let many: Vec<i64> = (1..=MAX_IDS as i64 + 7).collect();
        let text = ids_detail(&many);
        assert!(text.ends_with(&format!(",{MAX_IDS} (+7 more)")), "{text}");
    }

    #[test]
    fn queries_read_as_words() {
        assert_eq!(decoded("q=%D0%98%D0%B2&status=lost"), "q=Ив status=lost");
        assert_eq!(decoded(""), "");
    }

    #[test]
    fn long_filters_are_cut() {
        assert_eq!(filters_detail("  "), "no filters");
        let long = "q=".to_string() + &"я".repeat(5000);
        let cut = filters_detail(&long);
        assert_eq!(cut.chars().count(), MAX_FILTER_CHARS + 3);
        assert!(cut.ends_with("..."));
    }
}
