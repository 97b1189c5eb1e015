//! The audit log page for admins (issue 23, item 8): who viewed, listed, searched, exported or
//! changed what, newest first, filtered by user, action and days, page by page, and the same
//! entries as a CSV file. Reading it is itself recorded. Managers and analysts get 403, and the
//! navigation shows the link to admins only.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use clientele_app::InvalidSetting;
use clientele_app::audit::{
    AuditQuery, AuditSelection, MAX_EXPORT_ROWS, audit_page, each_audit_page, utc_time,
};
use clientele_store::{AuditRecord, Role, read_action};
use serde::Deserialize;

use super::export::{Cell, CsvStyle, csv_chunk, csv_response};
use super::i18n::{Arg, Tr};
use super::{Layout, WebError, WebUser, per_page, render};
use crate::AppState;
use crate::read_audit::filters_detail;

/// The page's filters as the form sends them (empty fields are no filter).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditForm {
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub before: Option<i64>,
    /// The CSV: `1` for Excel's style, `0` for the plain one.
    pub excel: Option<String>,
}

fn given(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

impl AuditForm {
    fn query(&self, limit: Option<u32>) -> AuditQuery {
        AuditQuery {
            user: given(&self.user),
            action: given(&self.action),
            from: given(&self.from),
            to: given(&self.to),
            before: self.before,
            limit,
        }
    }

    /// The filters as a URL query (without the page), for the pager and the CSV link.
    fn filters_query(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("user", &self.user),
            ("action", &self.action),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !v.trim().is_empty() {
                s.append_pair(k, v.trim());
            }
        }
        s.finish()
    }
}

/// An entry worded for the page.
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub user: String,
    pub action: String,
    pub customer_id: Option<i64>,
    pub detail: String,
}

impl From<AuditRecord> for AuditRow {
    fn from(r: AuditRecord) -> AuditRow {
        AuditRow {
            id: r.id,
            at: utc_time(r.at),
            user: r.actor,
            action: r.action,
            customer_id: r.customer_id,
            detail: r.detail,
        }
    }
}

/// A choice of the action filter.
pub struct ActionChoice {
    pub value: String,
    pub selected: bool,
}

#[derive(askama::Template)]
#[template(path = "audit.html")]
struct AuditPageView {
    layout: Layout,
    t: Tr,
    form: AuditForm,
    actions: Vec<ActionChoice>,
    rows: Vec<AuditRow>,
    first_page: bool,
    next: Option<String>,
    first: String,
    csv_link: String,
    filtered: bool,
    /// Codes and details are recorded as written (in English): on a Russian page they are
    /// quoted as typed text, «view», the way commands are.
    quote: (&'static str, &'static str),
}

fn admins_only(user: &WebUser) -> Result<(), WebError> {
    if user.user.role == Role::Admin {
        Ok(())
    } else {
        Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: user.tr.get("audit-admins-only"),
            tr: user.tr,
        })
    }
}

/// A refused filter as the page's 422, naming the field by its label.
fn refused(tr: Tr, e: InvalidSetting) -> WebError {
    let label = match e.field {
        "user" => tr.get("audit-user"),
        "action" => tr.get("audit-action"),
        "from" => tr.get("audit-from"),
        "to" => tr.get("audit-to"),
        other => other.to_string(),
    };
    WebError::invalid(tr, &label, e.message)
}

fn selection(
    user: &WebUser,
    form: &AuditForm,
    limit: Option<u32>,
) -> Result<AuditSelection, WebError> {
    admins_only(user)?;
    form.query(limit)
        .selection()
        .map_err(|e| refused(user.tr, e))
}

pub async fn page(
    State(state): State<AppState>,
    user: WebUser,
    uri: Uri,
    Query(form): Query<AuditForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let selection = selection(
        &user,
        &form,
        Some(per_page(&state).min(clientele_app::audit::MAX_LIMIT)),
    )?;
    let err = |e| WebError::store(e, tr);
    let page = audit_page(&state.store, &selection).await.map_err(err)?;
    let known = state.store.audit_actions().await.map_err(err)?;
    state.audit.record(
        &user.user.name,
        read_action::AUDIT,
        None,
        &format!("web: {}", filters_detail(&form.query(None).describe())),
    );
    let filters = form.filters_query();
    let joined = |extra: String| match (filters.is_empty(), extra.is_empty()) {
        (true, _) => format!("/audit?{extra}"),
        (false, true) => format!("/audit?{filters}"),
        (false, false) => format!("/audit?{filters}&{extra}"),
    };
    let mut actions: Vec<ActionChoice> = known
        .into_iter()
        .map(|a| ActionChoice {
            selected: a == form.action.trim(),
            value: a,
        })
        .collect();
    if !form.action.trim().is_empty() && !actions.iter().any(|a| a.selected) {
        actions.push(ActionChoice {
            value: form.action.trim().to_string(),
            selected: true,
        });
    }
    let view = AuditPageView {
        layout: user.layout("audit", tr.get("page-audit"), &uri.to_string()),
        t: tr,
        first_page: form.before.is_none(),
        next: page.next_before.map(|b| joined(format!("before={b}"))),
        first: joined(String::new()),
        csv_link: if filters.is_empty() {
            "/audit.csv".into()
        } else {
            format!("/audit.csv?{filters}")
        },
        filtered: !filters.is_empty(),
        quote: match tr.lang {
            super::i18n::Lang::Ru => ("«", "»"),
            super::i18n::Lang::En => ("", ""),
        },
        rows: page.items.into_iter().map(AuditRow::from).collect(),
        actions,
        form,
    };
    Ok(render(StatusCode::OK, &view))
}

/// The plain CSV's header: stable column names for scripts.
const PLAIN_HEADER: [&str; 6] = ["id", "at_utc", "user", "action", "customer_id", "detail"];

fn csv_row(r: &AuditRecord) -> Vec<Cell> {
    vec![
        Cell::Int(r.id),
        Cell::Text(utc_time(r.at)),
        Cell::text(&r.actor),
        Cell::text(&r.action),
        r.customer_id.map_or(Cell::Empty, Cell::Int),
        Cell::text(&r.detail),
    ]
}

/// Every entry the filters keep, newest first, as CSV (plain, or Excel's style for Russian
/// readers and `?excel=1`); more than [`MAX_EXPORT_ROWS`] entries are refused with 422, so a
/// file never lacks entries silently.
pub async fn csv(
    State(state): State<AppState>,
    user: WebUser,
    Query(form): Query<AuditForm>,
) -> Result<Response, WebError> {
    let tr = user.tr;
    let selection = selection(&user, &form, None)?;
    let style = CsvStyle::choose(&tr, form.excel.as_deref());
    let header: Vec<String> = match style {
        CsvStyle::Plain => PLAIN_HEADER.iter().map(|h| h.to_string()).collect(),
        CsvStyle::Excel => [
            "audit-col-id",
            "audit-col-at",
            "audit-col-user",
            "audit-col-action",
            "audit-col-customer",
            "audit-col-detail",
        ]
        .iter()
        .map(|id| tr.get(id))
        .collect(),
    };
    let mut body = Vec::new();
    let mut failed = None;
    let mut head = Some(header);
    let truncated = each_audit_page(&state.store, &selection, |items| {
        let rows: Vec<Vec<Cell>> = items.iter().map(csv_row).collect();
        match csv_chunk(style, &tr, head.take().as_deref(), &rows) {
            Ok(bytes) => body.extend_from_slice(&bytes),
            Err(e) => failed = Some(e),
        }
    })
    .await
    .map_err(|e| WebError::store(e, tr))?;
    if let Some(e) = failed {
        tracing::error!("writing the audit log's CSV: {e}");
        return Err(WebError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: tr.get("error-internal"),
            tr,
        });
    }
    if truncated {
        return Err(WebError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: tr.with(
                "audit-export-too-many",
                &[("max", Arg::Text(tr.int(MAX_EXPORT_ROWS as i64)))],
            ),
            tr,
        });
    }
    state.audit.export_read(
        &user.user.name,
        "audit",
        "csv",
        &crate::read_audit::decoded(&form.filters_query()),
    );
    Ok(csv_response("audit.csv", Body::from(body)))
}
