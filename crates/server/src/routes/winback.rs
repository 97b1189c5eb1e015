//! Win-back cases over the API: list and open cases (one customer, many, or every lost or
//! slipping customer of the latest snapshot), read one with its attempts, record an attempt
//! (which goes to the contact log), and the report — the returners' funnel by reason, offer,
//! channel and manager, the regained revenue and profit, the win-back rate against the mark.
//! A manager sees and works only their own customers' cases.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use clientele_app::InvalidSetting;
use clientele_app::clock::today;
use clientele_app::winback::{
    AttemptSettings, CaseListSettings, DEFAULT_REGAINED_DAYS, DEFAULT_WINDOW_DAYS, FunnelRow,
    OpenSettings, ReportSettings, WinBackReport, list_cases, open_cases, record_attempt,
    winback_report,
};
use clientele_core::Status;
use clientele_core::winback::{AttemptOutcome, B2C_MARK, CaseState, Funnel, LeavingReason};
use clientele_store::{
    AttemptRecord, CaseRecord, Channel, MAX_CASE_TEXT_CHARS, MAX_OUTCOME_NOTE_CHARS, Role,
    StoreError,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, Query};
use crate::routes::{page_limit, parse_day};

/// Customers named in one request at most.
pub const MAX_CUSTOMERS_PER_REQUEST: usize = 1_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_winback_cases, open_winback_cases))
        .routes(routes!(get_winback_case))
        .routes(routes!(add_winback_attempt))
        .routes(routes!(get_winback_report))
}

/// A use case's error as the API's: a refused setting names its field, a store error keeps
/// its status, anything else is a 500 (logged, not sent).
pub fn app_error(e: anyhow::Error) -> ApiError {
    let e = match e.downcast::<InvalidSetting>() {
        Ok(invalid) => return ApiError::invalid(invalid.field, invalid.message),
        Err(e) => e,
    };
    match e.downcast::<StoreError>() {
        Ok(store) => store.into(),
        Err(e) => match e.to_string() {
            m if m.starts_with("no snapshot yet") => ApiError::Conflict(m),
            _ => ApiError::Internal(format!("{e:#}")),
        },
    }
}

/// A win-back case.
#[derive(Debug, Serialize, ToSchema)]
pub struct WinbackCase {
    pub id: i64,
    /// The customer's external id.
    pub customer_id: String,
    pub name: Option<String>,
    pub manager: Option<String>,
    /// YYYY-MM-DD.
    pub opened: String,
    pub opened_by: String,
    /// lost_list, slipping_list, queue or manual.
    pub source: String,
    pub status_at_open: Option<String>,
    /// price, quality, service, competitor, moved, no_longer_needed or other.
    pub reason: Option<String>,
    pub reason_text: Option<String>,
    pub offer: Option<String>,
    pub channel: Option<String>,
    pub window_days: i32,
    /// open, returned or not_returned (as last settled by the report).
    pub state: String,
    pub returned: Option<String>,
    pub attempts: i64,
    pub last_outcome: Option<String>,
}

impl From<CaseRecord> for WinbackCase {
    fn from(c: CaseRecord) -> Self {
        WinbackCase {
            id: c.id,
            customer_id: c.external_id,
            name: c.name,
            manager: c.manager,
            opened: c.opened_day.to_string(),
            opened_by: c.opened_by,
            source: c.source,
            status_at_open: c.status_at_open,
            reason: c.reason,
            reason_text: c.reason_text,
            offer: c.offer,
            channel: c.channel.map(|ch| ch.as_str().to_string()),
            window_days: c.window_days,
            state: c.state,
            returned: c.returned_day.map(|d| d.to_string()),
            attempts: c.attempts,
            last_outcome: c.last_outcome,
        }
    }
}

/// An attempt to reach a case's customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct WinbackAttempt {
    pub id: i64,
    pub case_id: i64,
    /// YYYY-MM-DD.
    pub day: String,
    /// Unix seconds when it was recorded.
    pub at: i64,
    pub channel: String,
    pub outcome: String,
    pub note: Option<String>,
    pub author: String,
}

impl From<AttemptRecord> for WinbackAttempt {
    fn from(a: AttemptRecord) -> Self {
        WinbackAttempt {
            id: a.id,
            case_id: a.case_id,
            day: a.day.to_string(),
            at: a.at,
            channel: a.channel.as_str().to_string(),
            outcome: a.outcome,
            note: a.note,
            author: a.author,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WinbackCases {
    /// Cases matching the query.
    pub total: i64,
    /// Newest first.
    pub items: Vec<WinbackCase>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WinbackCaseWithAttempts {
    #[serde(flatten)]
    pub case: WinbackCase,
    /// Oldest first.
    pub attempt_list: Vec<WinbackAttempt>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct CaseQuery {
    /// open, returned or not_returned.
    pub state: Option<String>,
    /// A customer's external id.
    pub customer: Option<String>,
    pub offset: Option<u64>,
    /// Page size, 1 to the server's maximum; the default page size when absent.
    pub limit: Option<u32>,
}

/// Cases within the user's scope, newest first.
#[utoipa::path(get, path = "/api/v1/winback/cases", tag = "winback",
    params(CaseQuery),
    responses(
        (status = 200, description = "A page of cases", body = WinbackCases),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A parameter is not valid", body = ErrorBody)))]
async fn list_winback_cases(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<CaseQuery>,
) -> Result<Json<WinbackCases>, ApiError> {
    let case_state = q
        .state
        .as_deref()
        .map(|s| {
            CaseState::parse(s).ok_or_else(|| {
                ApiError::invalid(
                    "state",
                    format!("'{s}' is not one of open, returned, not_returned"),
                )
            })
        })
        .transpose()?;
    let settings = CaseListSettings {
        state: case_state,
        customer: q.customer,
        offset: q.offset.unwrap_or(0).min(i64::MAX as u64),
        limit: page_limit(q.limit, &state.settings)?,
    };
    let (total, cases) = list_cases(&state.store, auth.scope(), &settings)
        .await
        .map_err(app_error)?;
    Ok(Json(WinbackCases {
        total,
        items: cases.into_iter().map(WinbackCase::from).collect(),
    }))
}

/// Cases to open: customers by external id, and/or every customer of the latest snapshot with
/// a status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWinbackCases {
    /// External ids (at most 1,000).
    #[serde(default)]
    pub customers: Vec<String>,
    /// lost or slipping: every such customer of the latest snapshot within your scope.
    pub status: Option<String>,
    /// price, quality, service, competitor, moved, no_longer_needed or other.
    pub reason: Option<String>,
    /// At most 1,000 characters.
    pub reason_text: Option<String>,
    /// At most 1,000 characters.
    pub offer: Option<String>,
    /// email, phone, sms, messenger, post or visit.
    pub channel: Option<String>,
    /// A purchase within this many days closes the case as returned (1 to 3660; default 90).
    pub window_days: Option<i32>,
    /// YYYY-MM-DD; default today.
    pub day: Option<String>,
}

/// What opening did for one customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct OpenedWinbackCase {
    pub case_id: i64,
    /// The customer already had this open case; nothing new was opened.
    pub already_open: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpenedWinbackCases {
    pub opened: usize,
    pub already_open: usize,
    pub items: Vec<OpenedWinbackCase>,
}

fn parse_channel(field: &str, text: &str) -> Result<Channel, ApiError> {
    Channel::parse(text).ok_or_else(|| {
        ApiError::invalid(
            field,
            format!("'{text}' is not one of email, phone, sms, messenger, post, visit"),
        )
    })
}

fn bounded_text(field: &str, text: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    match text {
        Some(t) if t.chars().count() > max => Err(ApiError::invalid(
            field,
            format!("is longer than {max} characters"),
        )),
        Some(t) if t.trim().is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// Opens win-back cases; a customer who has an open case keeps it.
#[utoipa::path(post, path = "/api/v1/winback/cases", tag = "winback",
    request_body = NewWinbackCases,
    responses(
        (status = 201, description = "The cases opened (or already open)", body = OpenedWinbackCases),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Analysts read cases only; or missing CSRF token", body = ErrorBody),
        (status = 404, description = "A customer is not yours", body = ErrorBody),
        (status = 409, description = "No snapshot yet to take the status from", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
async fn open_winback_cases(
    State(state): State<AppState>,
    auth: Auth,
    Json(body): Json<NewWinbackCases>,
) -> Result<(StatusCode, Json<OpenedWinbackCases>), ApiError> {
    auth.require(&[Role::Admin, Role::Manager], "opening win-back cases")?;
    if body.customers.len() > MAX_CUSTOMERS_PER_REQUEST {
        return Err(ApiError::invalid(
            "customers",
            format!("at most {MAX_CUSTOMERS_PER_REQUEST} customers at once"),
        ));
    }
    if let Some(bad) = body
        .customers
        .iter()
        .find(|c| c.is_empty() || c.chars().count() > 200)
    {
        return Err(ApiError::invalid(
            "customers",
            format!("'{bad}' is not a customer id (1 to 200 characters)"),
        ));
    }
    let status = match body.status.as_deref() {
        None => None,
        Some("lost") => Some(Status::Lost),
        Some("slipping") => Some(Status::Slipping),
        Some(other) => {
            return Err(ApiError::invalid(
                "status",
                format!("'{other}' is not one of lost, slipping"),
            ));
        }
    };
    let reason = body
        .reason
        .as_deref()
        .map(|r| {
            LeavingReason::parse(r).ok_or_else(|| {
                ApiError::invalid(
                    "reason",
                    format!("'{r}' is not one of price, quality, service, competitor, moved, no_longer_needed, other"),
                )
            })
        })
        .transpose()?;
    let settings = OpenSettings {
        customers: body.customers,
        status,
        reason,
        reason_text: bounded_text("reason_text", body.reason_text, MAX_CASE_TEXT_CHARS)?,
        offer: bounded_text("offer", body.offer, MAX_CASE_TEXT_CHARS)?,
        channel: body
            .channel
            .as_deref()
            .map(|c| parse_channel("channel", c))
            .transpose()?,
        window_days: body.window_days.unwrap_or(DEFAULT_WINDOW_DAYS),
        day: match body.day.as_deref() {
            Some(d) => parse_day("day", d)?,
            None => today(),
        },
    };
    let opened = open_cases(&state.store, auth.scope(), &auth.user, &settings)
        .await
        .map_err(|e| match app_error(e) {
            ApiError::Invalid { field, reason } if field == "customer" => {
                ApiError::invalid("customers", reason)
            }
            other => other,
        })?;
    let fresh = opened.iter().filter(|o| !o.already_open).count();
    Ok((
        StatusCode::CREATED,
        Json(OpenedWinbackCases {
            opened: fresh,
            already_open: opened.len() - fresh,
            items: opened
                .into_iter()
                .map(|o| OpenedWinbackCase {
                    case_id: o.case_id,
                    already_open: o.already_open,
                })
                .collect(),
        }),
    ))
}

fn case_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|&id| id > 0)
        .ok_or_else(|| ApiError::invalid("id", format!("'{raw}' is not a case id")))
}

/// A case within the user's scope, with its attempts.
#[utoipa::path(get, path = "/api/v1/winback/cases/{id}", tag = "winback",
    params(("id" = i64, Path, description = "Case id")),
    responses(
        (status = 200, description = "The case", body = WinbackCaseWithAttempts),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such case, or not yours", body = ErrorBody),
        (status = 422, description = "Not a case id", body = ErrorBody)))]
async fn get_winback_case(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
) -> Result<Json<WinbackCaseWithAttempts>, ApiError> {
    let id = case_id(&raw)?;
    let case = state.store.case(auth.scope(), id).await?;
    let attempts = state.store.case_attempts(id).await?;
    Ok(Json(WinbackCaseWithAttempts {
        case: case.into(),
        attempt_list: attempts.into_iter().map(WinbackAttempt::from).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWinbackAttempt {
    /// email, phone, sms, messenger, post or visit.
    pub channel: String,
    /// no_answer, answered, promised, declined or wrong_contact.
    pub outcome: String,
    /// At most 2,000 characters.
    pub note: Option<String>,
    /// YYYY-MM-DD; default today.
    pub day: Option<String>,
}

/// Records an attempt on a case; it is written to the contact log in the same transaction.
#[utoipa::path(post, path = "/api/v1/winback/cases/{id}/attempts", tag = "winback",
    params(("id" = i64, Path, description = "Case id")),
    request_body = NewWinbackAttempt,
    responses(
        (status = 201, description = "The attempt as stored", body = WinbackAttempt),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Analysts read cases only; or missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such case, or not yours", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
async fn add_winback_attempt(
    State(state): State<AppState>,
    auth: Auth,
    Path(raw): Path<String>,
    Json(body): Json<NewWinbackAttempt>,
) -> Result<(StatusCode, Json<WinbackAttempt>), ApiError> {
    auth.require(&[Role::Admin, Role::Manager], "recording attempts")?;
    let id = case_id(&raw)?;
    let outcome = AttemptOutcome::parse(&body.outcome).ok_or_else(|| {
        ApiError::invalid(
            "outcome",
            format!(
                "'{}' is not one of no_answer, answered, promised, declined, wrong_contact",
                body.outcome
            ),
        )
    })?;
    let settings = AttemptSettings {
        case_id: id,
        channel: parse_channel("channel", &body.channel)?,
        outcome,
        note: bounded_text("note", body.note, MAX_OUTCOME_NOTE_CHARS)?,
        day: match body.day.as_deref() {
            Some(d) => parse_day("day", d)?,
            None => today(),
        },
    };
    let attempt = record_attempt(&state.store, auth.scope(), &auth.user, &settings)
        .await
        .map_err(app_error)?;
    Ok((StatusCode::CREATED, Json(attempt.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// The data's last day, YYYY-MM-DD (default: the latest snapshot's day).
    pub as_of: Option<String>,
    /// Only this manager's customers (a user name).
    pub manager: Option<String>,
    /// Days after a return over which regained revenue and profit count (1 to 3660; 180).
    pub regained_days: Option<i32>,
}

/// A funnel: lost → contacted → answered → returned → still buying after 90 days.
#[derive(Debug, Serialize, ToSchema)]
pub struct WinbackFunnel {
    /// Cases (customers taken on as lost or slipping).
    pub lost: u64,
    pub contacted: u64,
    pub answered: u64,
    pub returned: u64,
    pub still_buying: u64,
    /// Returners whose 90 days are over.
    pub still_buying_judged: u64,
    /// returned / cases, 0..1; null without cases.
    pub return_rate: Option<f64>,
    /// Wilson's 95% interval of the return rate.
    pub return_rate_ci95: Option<[f64; 2]>,
}

impl From<&Funnel> for WinbackFunnel {
    fn from(f: &Funnel) -> Self {
        let rate = f.return_rate();
        WinbackFunnel {
            lost: f.lost,
            contacted: f.contacted,
            answered: f.answered,
            returned: f.returned,
            still_buying: f.still_buying,
            still_buying_judged: f.still_buying_judged,
            return_rate: rate.map(|r| r.0),
            return_rate_ci95: rate.map(|r| [r.1.lo, r.1.hi]),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WinbackFunnelRow {
    /// The reason, offer, channel or manager; null when the cases did not say.
    pub key: Option<String>,
    pub funnel: WinbackFunnel,
}

fn funnel_rows(rows: &[FunnelRow]) -> Vec<WinbackFunnelRow> {
    rows.iter()
        .map(|r| WinbackFunnelRow {
            key: r.key.clone(),
            funnel: (&r.funnel).into(),
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegainedCaseItem {
    pub case_id: i64,
    pub customer_id: String,
    pub company: bool,
    pub returned: String,
    /// In the store's currency.
    pub revenue: f64,
    pub profit: f64,
    pub days_observed: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WinbackRate {
    pub lost: u64,
    pub returned: u64,
    pub rate: Option<f64>,
    pub ci95: Option<[f64; 2]>,
    /// The method's mark for consumers (0.01).
    pub mark: f64,
    pub meets_mark: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WinbackReportBody {
    /// YYYY-MM-DD.
    pub as_of: String,
    pub funnel: WinbackFunnel,
    pub by_reason: Vec<WinbackFunnelRow>,
    pub by_offer: Vec<WinbackFunnelRow>,
    pub by_channel: Vec<WinbackFunnelRow>,
    pub by_manager: Vec<WinbackFunnelRow>,
    /// Days after each return the regained money is counted over.
    pub regained_days: i32,
    pub regained_revenue: f64,
    pub regained_profit: f64,
    pub regained: Vec<RegainedCaseItem>,
    /// Consumers: returned of lost, against the 1% mark.
    pub consumers: WinbackRate,
    /// Business clients: every returned client counts.
    pub companies_lost: u64,
    pub companies_returned: u64,
    /// Cases this report settled from the orders.
    pub settled: u64,
}

impl From<WinBackReport> for WinbackReportBody {
    fn from(r: WinBackReport) -> Self {
        WinbackReportBody {
            as_of: r.as_of.to_string(),
            funnel: (&r.total).into(),
            by_reason: funnel_rows(&r.by_reason),
            by_offer: funnel_rows(&r.by_offer),
            by_channel: funnel_rows(&r.by_channel),
            by_manager: funnel_rows(&r.by_manager),
            regained_days: r.regained_days,
            regained_revenue: r.regained_revenue.to_f64(),
            regained_profit: r.regained_profit.to_f64(),
            regained: r
                .regained
                .iter()
                .map(|c| RegainedCaseItem {
                    case_id: c.case_id,
                    customer_id: c.customer.clone(),
                    company: c.company,
                    returned: c.returned_day.to_string(),
                    revenue: c.revenue.to_f64(),
                    profit: c.profit.to_f64(),
                    days_observed: c.days_observed,
                })
                .collect(),
            consumers: WinbackRate {
                lost: r.consumers.lost,
                returned: r.consumers.returned,
                rate: r.consumers.rate,
                ci95: r.consumers.ci95.map(|i| [i.lo, i.hi]),
                mark: B2C_MARK,
                meets_mark: r.consumers.meets_mark,
            },
            companies_lost: r.companies_lost,
            companies_returned: r.companies_returned,
            settled: r.settled,
        }
    }
}

/// The win-back report within the user's scope; it settles open cases from the orders.
#[utoipa::path(get, path = "/api/v1/winback/report", tag = "winback",
    params(ReportQuery),
    responses(
        (status = 200, description = "The report", body = WinbackReportBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 409, description = "No snapshot yet", body = ErrorBody),
        (status = 422, description = "A parameter is not valid", body = ErrorBody)))]
async fn get_winback_report(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ReportQuery>,
) -> Result<Json<WinbackReportBody>, ApiError> {
    if q.manager.as_ref().is_some_and(|m| m.chars().count() > 200) {
        return Err(ApiError::invalid(
            "manager",
            "is longer than 200 characters",
        ));
    }
    let settings = ReportSettings {
        as_of: q
            .as_of
            .as_deref()
            .map(|d| parse_day("as_of", d))
            .transpose()?,
        manager: q.manager,
        regained_days: q.regained_days.unwrap_or(DEFAULT_REGAINED_DAYS),
    };
    let report = winback_report(&state.store, auth.scope(), &settings)
        .await
        .map_err(app_error)?;
    Ok(Json(report.into()))
}
