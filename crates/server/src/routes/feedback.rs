//! Complaints and wishes over the API: the log listed (overdue first; a manager's own customers
//! only), entries added in batches (idempotent by entry id, all or none), answered and resolved
//! (open → answered → resolved, each with its time and author, audited), the response-target
//! report (per manager: the share answered and resolved within target, median times), and the
//! targets per severity (read by anyone, changed by admins).

use axum::extract::{Path, State};
use clientele_app::clock::today;
use clientele_app::voice::{
    FeedbackInput, FeedbackReport, FeedbackReportSettings, MAX_FEEDBACK_BATCH, add_feedback,
    feedback_report, set_complaint_targets,
};
use clientele_core::closed_loop::{ComplaintTargets, Severity, TargetCompliance};
use clientele_core::complaints::ResponseCompliance;
use clientele_store::Role;
use clientele_store::voice::{FeedbackFilter, FeedbackItem, FeedbackKind, FeedbackState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::app_error;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::{page_limit, parse_day};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(report))
        .routes(routes!(targets, change_targets))
        .routes(routes!(act))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Where an entry stands: open, answered (first response given) or resolved.
pub fn status_of(item: &FeedbackItem) -> &'static str {
    match (item.first_response_at, item.resolved_at) {
        (_, Some(_)) => "resolved",
        (Some(_), None) => "answered",
        (None, None) => "open",
    }
}

/// Whether an entry is open past its first-response or its resolution target at `now`.
pub fn is_overdue(item: &FeedbackItem, now: i64) -> bool {
    use clientele_core::closed_loop::overdue;
    item.resolved_at.is_none()
        && (overdue(item.first_response_due, item.first_response_at, now)
            || overdue(item.resolution_due, None, now))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FeedbackQuery {
    /// open (default: not resolved), overdue, resolved or all.
    pub state: Option<String>,
    /// complaint, wish, praise or question.
    pub kind: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackBody {
    pub id: i64,
    pub customer_id: i64,
    pub external_id: String,
    pub customer_name: Option<String>,
    /// complaint, wish, praise or question.
    pub kind: String,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub touchpoint: Option<String>,
    /// low, normal, high or critical.
    pub severity: String,
    pub text: String,
    /// open, answered or resolved.
    pub status: String,
    pub overdue: bool,
    /// The customer's manager, responsible for the response; null: unassigned.
    pub manager: Option<String>,
    /// Unix seconds.
    pub received_at: i64,
    pub first_response_due: i64,
    pub resolution_due: i64,
    pub first_response_at: Option<i64>,
    pub first_response_by: Option<String>,
    pub first_response: Option<String>,
    pub resolved_at: Option<i64>,
    pub resolved_by: Option<String>,
    pub resolution: Option<String>,
    /// form, api or import.
    pub source: String,
}

/// The API's word for a kind (the store keeps wishes as `suggestion`).
pub fn kind_word(kind: FeedbackKind) -> &'static str {
    match kind {
        FeedbackKind::Wish => "wish",
        other => other.as_str(),
    }
}

pub fn feedback_body(f: &FeedbackItem, now: i64) -> FeedbackBody {
    FeedbackBody {
        id: f.id,
        customer_id: f.customer_id,
        external_id: f.external_id.clone(),
        customer_name: f.customer_name.clone(),
        kind: kind_word(f.kind).into(),
        channel: f.channel.clone(),
        category: f.category.clone(),
        touchpoint: f.touchpoint.clone(),
        severity: f.severity.as_str().into(),
        text: f.body.clone(),
        status: status_of(f).into(),
        overdue: is_overdue(f, now),
        manager: f.manager_name.clone(),
        received_at: f.received_at,
        first_response_due: f.first_response_due,
        resolution_due: f.resolution_due,
        first_response_at: f.first_response_at,
        first_response_by: f.first_response_by.clone(),
        first_response: f.first_response.clone(),
        resolved_at: f.resolved_at,
        resolved_by: f.resolved_by.clone(),
        resolution: f.resolution.clone(),
        source: f.source.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackPageBody {
    /// Overdue first, then the most recent.
    pub items: Vec<FeedbackBody>,
    /// Entries matching in all.
    pub total: u64,
}

/// Parses a kind word (English or Russian), naming `field` when refused.
pub fn parse_kind(field: &str, text: &str) -> Result<FeedbackKind, ApiError> {
    FeedbackKind::parse(text).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!("'{text}': expected complaint, wish, praise or question"),
        )
    })
}

/// Parses a severity word (English or Russian), naming `field` when refused.
pub fn parse_severity(field: &str, text: &str) -> Result<Severity, ApiError> {
    Severity::parse(text).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!("'{text}': expected low, normal, high or critical"),
        )
    })
}

/// The filter a query names.
pub fn filter_of(
    state: Option<&str>,
    kind: Option<&str>,
    category: Option<&str>,
) -> Result<FeedbackFilter, ApiError> {
    let state = match state {
        None | Some("") => FeedbackState::Open,
        Some(text) => FeedbackState::parse(text).ok_or_else(|| {
            ApiError::invalid(
                "state",
                format!("'{text}': expected open, overdue, resolved or all"),
            )
        })?,
    };
    let kind = match kind {
        None | Some("") => None,
        Some(text) => Some(parse_kind("kind", text)?),
    };
    let category = match category.map(str::trim) {
        None | Some("") => None,
        Some(c) if c.chars().count() > clientele_store::voice::MAX_LABEL_CHARS => {
            return Err(ApiError::invalid("category", "too long"));
        }
        Some(c) => Some(c.to_string()),
    };
    Ok(FeedbackFilter {
        state,
        kind,
        category,
    })
}

/// Complaints and wishes, overdue first, then the most recent. A manager sees the entries of
/// their customers.
#[utoipa::path(get, path = "/api/v1/feedback", tag = "voice", params(FeedbackQuery),
    responses(
        (status = 200, description = "A page of entries", body = FeedbackPageBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A parameter is refused (the field says which)", body = ErrorBody)))]
async fn list(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<FeedbackQuery>,
) -> Result<Json<FeedbackPageBody>, ApiError> {
    let filter = filter_of(q.state.as_deref(), q.kind.as_deref(), q.category.as_deref())?;
    let limit = page_limit(q.limit, &state.settings)?;
    let page = state
        .store
        .feedback_entries(auth.scope(), &filter, limit, q.offset.unwrap_or(0))
        .await?;
    let at = now();
    Ok(Json(FeedbackPageBody {
        items: page.items.iter().map(|f| feedback_body(f, at)).collect(),
        total: page.total,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFeedbackBody {
    /// The customer's id in the company's systems.
    pub customer_id: String,
    /// The sender's id (at most 300 characters): the same id again changes nothing.
    pub entry_id: Option<String>,
    /// complaint (default), wish, praise or question (or жалоба, пожелание...).
    pub kind: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub touchpoint: Option<String>,
    /// low, normal (default), high or critical.
    pub severity: Option<String>,
    /// What the customer said (1 to 10,000 characters).
    pub text: String,
    /// The day it came in (YYYY-MM-DD), not in the future.
    pub date: String,
    /// When it came in (Unix seconds, within `date`, UTC); default the day's start.
    pub received_at: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBatch {
    /// 1 to 10,000 entries, stored all or none.
    pub entries: Vec<NewFeedbackBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackBatchOutcome {
    /// Entries stored now.
    pub stored: u64,
    /// Entries already stored under the same id with the same content.
    pub unchanged: u64,
    /// The entries' ids, in the batch's order.
    pub ids: Vec<i64>,
}

fn feedback_input(i: usize, e: NewFeedbackBody) -> Result<FeedbackInput, ApiError> {
    let field = |name: &str| format!("entries[{i}].{name}");
    Ok(FeedbackInput {
        kind: match e.kind.as_deref() {
            None => FeedbackKind::Complaint,
            Some(k) => parse_kind(&field("kind"), k)?,
        },
        severity: match e.severity.as_deref() {
            None => Severity::Normal,
            Some(s) => parse_severity(&field("severity"), s)?,
        },
        day: parse_day(&field("date"), &e.date)?,
        customer: e.customer_id,
        entry_id: e.entry_id,
        channel: e.channel,
        category: e.category,
        touchpoint: e.touchpoint,
        body: e.text,
        received_at: e.received_at,
    })
}

/// Adds complaints and wishes: all of them, or — when any is refused — none (the error names
/// the first bad field, `entries[3].date`, and its message lists up to 20). Idempotent by
/// `entry_id`. Each gets the due times of its severity's targets. A manager adds entries of
/// their own customers only.
#[utoipa::path(post, path = "/api/v1/feedback", tag = "voice",
    request_body = FeedbackBatch,
    responses(
        (status = 200, description = "Stored (or already stored)", body = FeedbackBatchOutcome),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Missing CSRF token", body = ErrorBody),
        (status = 422, description = "An entry is refused: nothing was stored", body = ErrorBody)))]
async fn add(
    State(state): State<AppState>,
    auth: Auth,
    Json(batch): Json<FeedbackBatch>,
) -> Result<Json<FeedbackBatchOutcome>, ApiError> {
    if batch.entries.is_empty() || batch.entries.len() > MAX_FEEDBACK_BATCH {
        return Err(ApiError::invalid(
            "entries",
            format!("expected 1 to {MAX_FEEDBACK_BATCH} entries"),
        ));
    }
    let inputs = batch
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| feedback_input(i, e))
        .collect::<Result<Vec<_>, _>>()?;
    let outcome = add_feedback(
        &state.store,
        auth.scope(),
        inputs,
        "api",
        &auth.user.name,
        today(),
    )
    .await
    .map_err(app_error)?;
    if let Some(first) = outcome.rejects.first() {
        let listed: Vec<String> = outcome
            .rejects
            .iter()
            .take(20)
            .map(|r| format!("entries[{}].{}: {}", r.position - 1, r.field, r.reason))
            .collect();
        return Err(ApiError::invalid(
            format!("entries[{}].{}", first.position - 1, first.field),
            format!(
                "{} entr{} refused, nothing stored: {}",
                outcome.rejects.len(),
                if outcome.rejects.len() == 1 {
                    "y"
                } else {
                    "ies"
                },
                listed.join("; ")
            ),
        ));
    }
    Ok(Json(FeedbackBatchOutcome {
        stored: outcome.stored,
        unchanged: outcome.unchanged,
        ids: outcome.ids,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackActionBody {
    /// answer (the first response: open → answered) or resolve (→ resolved; also the first
    /// response when there was none).
    pub action: String,
    /// What was said or done (1 to 10,000 characters).
    pub note: String,
}

/// Answers or resolves an entry (audited). A manager acts on their customers' entries only; a
/// resolved entry cannot be changed.
#[utoipa::path(post, path = "/api/v1/feedback/{id}", tag = "voice",
    params(("id" = i64, Path, description = "The entry's id")),
    request_body = FeedbackActionBody,
    responses(
        (status = 200, description = "The entry as changed", body = FeedbackBody),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such entry, or not yours", body = ErrorBody),
        (status = 422, description = "The action is refused (the field says which)", body = ErrorBody)))]
async fn act(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    Json(body): Json<FeedbackActionBody>,
) -> Result<Json<FeedbackBody>, ApiError> {
    let id = raw
        .parse::<i64>()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| ApiError::invalid("id", format!("'{raw}' is not an entry id")))?;
    let resolve = match body.action.as_str() {
        "answer" => false,
        "resolve" => true,
        other => {
            return Err(ApiError::invalid(
                "action",
                format!("'{other}': expected answer or resolve"),
            ));
        }
    };
    let item = state
        .store
        .respond_to_feedback(auth.scope(), id, &auth.user.name, &body.note, resolve)
        .await?;
    Ok(Json(feedback_body(&item, now())))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FeedbackReportQuery {
    /// First day counted (YYYY-MM-DD). Default: 90 days before `to`.
    pub from: Option<String>,
    /// Last day counted (YYYY-MM-DD). Default: today.
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceShare {
    /// Done within target.
    pub within: u64,
    /// Done late, or still missing past the target.
    pub late: u64,
    /// Missing, not yet due: counted neither way.
    pub pending: u64,
    /// within / (within + late), 0..1; null when nothing is decided yet.
    pub share: Option<f64>,
    /// Wilson's 95% interval of the share.
    pub ci95: Option<[f64; 2]>,
}

impl From<&TargetCompliance> for ComplianceShare {
    fn from(t: &TargetCompliance) -> ComplianceShare {
        ComplianceShare {
            within: t.within,
            late: t.late,
            pending: t.pending,
            share: t.share(),
            ci95: t.ci95().map(|i| [i.lo, i.hi]),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplianceBody {
    pub entries: u64,
    /// Not resolved.
    pub open: u64,
    /// Open past a target.
    pub overdue: u64,
    pub first_response: ComplianceShare,
    pub resolution: ComplianceShare,
    /// Median hours from receipt to the first response, over the entries answered so far.
    pub median_first_response_hours: Option<f64>,
    /// Median hours from receipt to resolution, over the entries resolved so far.
    pub median_resolution_hours: Option<f64>,
}

impl From<&ResponseCompliance> for ComplianceBody {
    fn from(c: &ResponseCompliance) -> ComplianceBody {
        ComplianceBody {
            entries: c.entries,
            open: c.open,
            overdue: c.overdue,
            first_response: ComplianceShare::from(&c.first_response),
            resolution: ComplianceShare::from(&c.resolution),
            median_first_response_hours: c.median_first_response_hours,
            median_resolution_hours: c.median_resolution_hours,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ManagerComplianceBody {
    /// null: customers without a manager.
    pub manager: Option<String>,
    #[serde(flatten)]
    pub compliance: ComplianceBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeverityComplianceBody {
    pub severity: String,
    #[serde(flatten)]
    pub compliance: ComplianceBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryCount {
    /// Empty: no category given.
    pub category: String,
    pub complaints: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthCategories {
    /// YYYY-MM.
    pub month: String,
    pub categories: Vec<CategoryCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryCostBody {
    pub category: String,
    pub complaints: u64,
    /// Distinct complaining customers.
    pub customers: u64,
    /// Of them, slipping or lost in the latest snapshot.
    pub slipping: u64,
    pub lost: u64,
    /// Revenue to date of those slipping or lost, in the store's currency.
    pub revenue_at_risk: String,
    pub clv_at_risk: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KindCount {
    pub kind: String,
    pub entries: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetBody {
    /// low, normal, high or critical.
    pub severity: String,
    pub first_response_hours: u32,
    pub resolution_hours: u32,
}

pub fn targets_body(t: &ComplaintTargets) -> Vec<TargetBody> {
    Severity::ALL
        .into_iter()
        .map(|s| {
            let g = t.get(s);
            TargetBody {
                severity: s.as_str().into(),
                first_response_hours: (g.first_response / 3_600) as u32,
                resolution_hours: (g.resolution / 3_600) as u32,
            }
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackReportBody {
    pub from: String,
    pub to: String,
    /// The moment targets are judged at (Unix seconds).
    pub as_of: i64,
    pub overall: ComplianceBody,
    /// Per manager responsible (the customer's manager), most entries first.
    pub managers: Vec<ManagerComplianceBody>,
    pub severities: Vec<SeverityComplianceBody>,
    pub kinds: Vec<KindCount>,
    pub categories_by_month: Vec<MonthCategories>,
    /// Complaint categories, the most revenue at risk first; empty before any scoring run.
    pub costliest_categories: Vec<CategoryCostBody>,
    /// The snapshot the customers' standing is read from.
    pub snapshot: Option<String>,
    /// The targets in force now (entries keep the ones they came in with).
    pub targets: Vec<TargetBody>,
}

impl From<&FeedbackReport> for FeedbackReportBody {
    fn from(r: &FeedbackReport) -> FeedbackReportBody {
        FeedbackReportBody {
            from: r.from.to_string(),
            to: r.to.to_string(),
            as_of: r.now,
            overall: ComplianceBody::from(&r.overall),
            managers: r
                .managers
                .iter()
                .map(|m| ManagerComplianceBody {
                    manager: m.manager.clone(),
                    compliance: ComplianceBody::from(&m.compliance),
                })
                .collect(),
            severities: r
                .severities
                .iter()
                .map(|(s, c)| SeverityComplianceBody {
                    severity: s.as_str().into(),
                    compliance: ComplianceBody::from(c),
                })
                .collect(),
            kinds: r
                .kinds
                .iter()
                .map(|(k, n)| KindCount {
                    kind: kind_word(*k).into(),
                    entries: *n,
                })
                .collect(),
            categories_by_month: r
                .categories_by_month
                .iter()
                .map(|(m, cats)| MonthCategories {
                    month: m.clone(),
                    categories: cats
                        .iter()
                        .map(|(c, n)| CategoryCount {
                            category: c.clone(),
                            complaints: *n,
                        })
                        .collect(),
                })
                .collect(),
            costliest_categories: r
                .costliest
                .iter()
                .map(|c| CategoryCostBody {
                    category: c.category.clone(),
                    complaints: c.complaints,
                    customers: c.customers,
                    slipping: c.slipping,
                    lost: c.lost,
                    revenue_at_risk: c.revenue_at_risk.to_string(),
                    clv_at_risk: c.clv_at_risk,
                })
                .collect(),
            snapshot: r.snapshot.map(|d| d.to_string()),
            targets: targets_body(&r.targets),
        }
    }
}

/// The settings of a report from its query.
pub fn report_settings(
    q: &FeedbackReportQuery,
    scope: clientele_store::Scope,
) -> Result<FeedbackReportSettings, ApiError> {
    Ok(FeedbackReportSettings {
        scope,
        from: q
            .from
            .as_deref()
            .map(|t| parse_day("from", t))
            .transpose()?,
        to: q.to.as_deref().map(|t| parse_day("to", t)).transpose()?,
        today: today(),
        now: now(),
    })
}

/// How the response targets were kept in a window: overall, per manager responsible and per
/// severity (the share answered and resolved within target with Wilson 95% intervals, the
/// median times), complaints per category and month, and the costliest categories. A manager
/// sees their customers' entries.
#[utoipa::path(get, path = "/api/v1/feedback/report", tag = "voice", params(FeedbackReportQuery),
    responses(
        (status = 200, description = "The report", body = FeedbackReportBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A parameter is refused (the field says which)", body = ErrorBody)))]
async fn report(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<FeedbackReportQuery>,
) -> Result<Json<FeedbackReportBody>, ApiError> {
    let settings = report_settings(&q, auth.scope())?;
    let r = feedback_report(&state.store, &settings)
        .await
        .map_err(app_error)?;
    Ok(Json(FeedbackReportBody::from(&r)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetsBody {
    pub targets: Vec<TargetBody>,
}

/// The response targets per severity (new entries get their due times from these).
#[utoipa::path(get, path = "/api/v1/feedback/targets", tag = "voice",
    responses(
        (status = 200, description = "The targets", body = TargetsBody),
        (status = 401, description = "Not authenticated", body = ErrorBody)))]
async fn targets(
    State(state): State<AppState>,
    _auth: Auth,
) -> Result<Json<TargetsBody>, ApiError> {
    let s = state.store.voice_settings().await?;
    Ok(Json(TargetsBody {
        targets: targets_body(&s.complaint_targets),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetChange {
    /// low, normal, high or critical.
    pub severity: String,
    /// 1 to 8,760 hours.
    pub first_response_hours: u32,
    /// 1 to 8,760 hours, not less than the first response's.
    pub resolution_hours: u32,
}

/// Changes one severity's targets (admins; audited). Entries already in keep their due times.
#[utoipa::path(put, path = "/api/v1/feedback/targets", tag = "voice",
    request_body = TargetChange,
    responses(
        (status = 200, description = "The targets as changed", body = TargetsBody),
        (status = 400, description = "The body is not JSON of this shape", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Only admins change targets, or missing CSRF token", body = ErrorBody),
        (status = 422, description = "A target is refused (the field says which)", body = ErrorBody)))]
async fn change_targets(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<TargetChange>,
) -> Result<Json<TargetsBody>, ApiError> {
    auth.require(&[Role::Admin], "changing the response targets")?;
    let severity = parse_severity("severity", &body.severity)?;
    let t = set_complaint_targets(
        &state.store,
        severity,
        body.first_response_hours,
        body.resolution_hours,
        &auth.user.name,
    )
    .await
    .map_err(app_error)?;
    Ok(Json(TargetsBody {
        targets: targets_body(&t),
    }))
}
