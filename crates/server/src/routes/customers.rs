//! Customers: the list (filters and cursor pagination), the card, and profile edits. Managers
//! see and edit only the customers assigned to them: the store applies the scope inside its
//! queries, so anyone else's customer is a 404.

use axum::extract::State;
use clientele_core::{Rung, Status, Subgroup};
use clientele_store::{
    CustomerCard, CustomerEdit, CustomerFilter, CustomerListItem, Role, StoreError,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{CustomerId, Json, Query};
use crate::routes::page_limit;

/// One customer in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerItem {
    pub id: i64,
    pub external_id: String,
    pub name: Option<String>,
    /// The manager's name as the source gave it.
    pub manager: Option<String>,
    /// The user the customer is assigned to.
    pub manager_user: Option<String>,
    /// Rung in the latest snapshot: prospect, visitor, newcomer, regular, advocate.
    pub rung: Option<String>,
    /// Status in the latest snapshot: active, slipping, lost.
    pub status: Option<String>,
    /// Profit sub-group in the latest snapshot: profitable, middling, unprofitable.
    pub subgroup: Option<String>,
    /// Revenue to the latest snapshot's date, as a decimal string.
    pub revenue: Option<String>,
}

impl From<CustomerListItem> for CustomerItem {
    fn from(c: CustomerListItem) -> CustomerItem {
        CustomerItem {
            id: c.id,
            external_id: c.external_id,
            name: c.name,
            manager: c.manager,
            manager_user: c.manager_user,
            rung: c.rung.map(|r| r.as_str().into()),
            status: c.status.map(|s| s.as_str().into()),
            subgroup: c.subgroup.map(|g| g.as_str().into()),
            revenue: c.revenue.map(|m| m.to_string()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerPage {
    /// The snapshot the rungs come from (YYYY-MM-DD), if there is one.
    pub as_of: Option<String>,
    pub items: Vec<CustomerItem>,
    /// Pass as `after` to get the next page; absent on the last page.
    pub next_after: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// prospect, visitor, newcomer, regular or advocate.
    pub rung: Option<String>,
    /// active, slipping or lost.
    pub status: Option<String>,
    /// profitable, middling or unprofitable.
    pub subgroup: Option<String>,
    /// The assigned user's name or the manager's name from the source.
    pub manager: Option<String>,
    /// Text to find in the external id or the name (case-insensitive).
    pub q: Option<String>,
    /// Cursor: the `next_after` of the previous page.
    pub after: Option<i64>,
    /// Page size, 1 to the server's maximum (500 by default); 50 when absent.
    pub limit: Option<u32>,
}

impl ListQuery {
    /// The filters as words for the audit log (`q=Ив status=lost after=40`).
    fn describe(&self) -> String {
        let after = self.after.map(|a| a.to_string());
        [
            ("q", self.q.as_ref()),
            ("rung", self.rung.as_ref()),
            ("status", self.status.as_ref()),
            ("subgroup", self.subgroup.as_ref()),
            ("manager", self.manager.as_ref()),
            ("after", after.as_ref()),
        ]
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join(" ")
    }
}

fn parse_rung(text: &str) -> Result<Rung, ApiError> {
    Rung::parse(text).ok_or_else(|| {
        ApiError::invalid(
            "rung",
            format!("'{text}' is not one of prospect, visitor, newcomer, regular, advocate"),
        )
    })
}

fn parse_status(text: &str) -> Result<Status, ApiError> {
    Status::parse(text).ok_or_else(|| {
        ApiError::invalid(
            "status",
            format!("'{text}' is not one of active, slipping, lost"),
        )
    })
}

fn parse_subgroup(text: &str) -> Result<Subgroup, ApiError> {
    Subgroup::parse(text).ok_or_else(|| {
        ApiError::invalid(
            "subgroup",
            format!("'{text}' is not one of profitable, middling, unprofitable"),
        )
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Contact {
    pub channel: String,
    pub value: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Consent {
    pub channel: String,
    pub granted: bool,
    /// YYYY-MM-DD.
    pub day: String,
    pub source: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonalDate {
    pub label: String,
    /// The recurrence rule, as stored (once, yearly, nth_weekday, easter, orthodox_easter).
    #[schema(value_type = Object)]
    pub rule: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Note {
    pub id: i64,
    pub author: String,
    /// Unix seconds.
    pub created_at: i64,
    pub body: String,
}

impl From<clientele_store::NoteRecord> for Note {
    fn from(n: clientele_store::NoteRecord) -> Note {
        Note {
            id: n.id,
            author: n.author,
            created_at: n.created_at,
            body: n.body,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Order {
    pub order_ref: String,
    /// YYYY-MM-DD.
    pub day: String,
    pub lines: i64,
    /// Decimal string; negative for returns.
    pub amount: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Score {
    /// YYYY-MM-DD.
    pub as_of: String,
    pub rung: String,
    pub status: Option<String>,
    pub subgroup: Option<String>,
    /// Turn of the loyalty spiral (1 for the first climb).
    pub turn: i64,
    pub orders: i64,
    pub revenue: String,
    pub profit: String,
    pub abc: Option<String>,
    /// The RFM cell: recency, frequency and monetary scores 1-5 (`555` is best).
    pub rfm: Option<String>,
    /// The RFM cell's named segment: champions, loyal_customers, potential_loyalists,
    /// new_customers, promising, need_attention, about_to_sleep, cannot_lose_them, at_risk or
    /// hibernating (by the recency and frequency scores).
    pub rfm_segment: Option<String>,
    /// Probability the customer is still with us on `as_of`, from the customer-base model.
    pub p_alive: Option<f64>,
    /// Lifetime value over the snapshot's CLV horizon, decimal string.
    pub clv: Option<String>,
    /// Why this status, language-free: `late_by_rhythm every=30 spread=4 late=19` (the
    /// dashboard words it in the reader's language).
    pub status_reason: Option<String>,
    /// Why this rung, language-free.
    pub rung_reason: Option<String>,
    /// When the next purchase is expected (YYYY-MM-DD), by the model or the rhythm.
    pub next_purchase: Option<String>,
}

/// Everything the card shows about one customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Card {
    pub id: i64,
    pub external_id: String,
    /// person or company.
    pub kind: String,
    pub name: Option<String>,
    pub preferred_channel: Option<String>,
    /// How to reach the customer today, by the contact policy: a channel with consent in force
    /// and contact details (the preferred one when it qualifies), or `no_consented_channel`, or
    /// `no_contact_details`. Never a channel whose consent is withdrawn or was never given.
    pub reach: String,
    pub manager: Option<String>,
    pub manager_user: Option<String>,
    pub image_client: bool,
    /// Unix seconds, when personal data was erased.
    pub erased_at: Option<i64>,
    pub tags: Vec<String>,
    pub contacts: Vec<Contact>,
    /// Consent history, oldest first; the latest per channel is in force.
    pub consents: Vec<Consent>,
    pub personal_dates: Vec<PersonalDate>,
    /// Oldest first.
    pub notes: Vec<Note>,
    /// Latest first, at most 50.
    pub orders: Vec<Order>,
    /// Latest snapshot first, at most 12.
    pub scores: Vec<Score>,
}

impl From<CustomerCard> for Card {
    fn from(c: CustomerCard) -> Card {
        Card {
            id: c.customer.id,
            external_id: c.customer.external_id,
            kind: c.customer.kind.as_str().into(),
            name: c.customer.name,
            preferred_channel: c.customer.preferred_channel.map(|ch| ch.as_str().into()),
            reach: clientele_store::reach_of(
                &c.consents,
                &c.contacts,
                c.customer.preferred_channel,
                today_utc(),
            )
            .code()
            .into(),
            manager: c.customer.manager,
            manager_user: c.manager_user,
            image_client: c.customer.image_client,
            erased_at: c.customer.erased_at,
            tags: c.tags,
            contacts: c
                .contacts
                .into_iter()
                .map(|k| Contact {
                    channel: k.channel.as_str().into(),
                    value: k.value,
                })
                .collect(),
            consents: c
                .consents
                .into_iter()
                .map(|k| Consent {
                    channel: k.channel.as_str().into(),
                    granted: k.granted,
                    day: k.day.to_string(),
                    source: k.source,
                })
                .collect(),
            personal_dates: c
                .personal_dates
                .into_iter()
                .map(|d| PersonalDate {
                    rule: serde_json::to_value(clientele_store::recurrence::DateRuleJson(d.rule))
                        .unwrap_or(serde_json::Value::Null),
                    label: d.label,
                })
                .collect(),
            notes: c.notes.into_iter().map(Note::from).collect(),
            orders: c
                .orders
                .into_iter()
                .map(|o| Order {
                    order_ref: o.order_ref,
                    day: o.day.to_string(),
                    lines: o.lines,
                    amount: o.amount.to_string(),
                })
                .collect(),
            scores: c
                .snapshots
                .into_iter()
                .map(|s| Score {
                    as_of: s.as_of.to_string(),
                    rung: s.rung.as_str().into(),
                    status: s.status.map(|v| v.as_str().into()),
                    subgroup: s.subgroup.map(|g| g.as_str().into()),
                    turn: s.turn,
                    orders: s.orders,
                    revenue: s.revenue.to_string(),
                    profit: s.profit.to_string(),
                    abc: s.abc.map(|a| a.as_str().into()),
                    rfm: s.rfm.map(|r| r.code()),
                    rfm_segment: s
                        .rfm
                        .map(|r| clientele_core::winback::segment_code(r.segment()).into()),
                    p_alive: s.p_alive.filter(|p| p.is_finite()),
                    clv: s
                        .clv
                        .filter(|v| v.is_finite())
                        .map(|v| clientele_core::Money::from_f64_rounded(v).to_string()),
                    status_reason: s.status_reason.map(|r| match r {
                        clientele_store::StatusReasonRecord::Code(c) => c.code(),
                        clientele_store::StatusReasonRecord::Text(t) => t,
                    }),
                    rung_reason: s.rung_reason,
                    next_purchase: s.next_purchase.map(|d| d.to_string()),
                })
                .collect(),
        }
    }
}

/// Profile changes; absent fields stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerPatch {
    pub name: Option<String>,
    pub image_client: Option<bool>,
    /// The user name to assign the customer to, or null to unassign (admins only).
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub manager_user: Option<Option<String>>,
}

/// Tells an absent field (`None`) from an explicit null (`Some(None)`).
mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_customers))
        .routes(routes!(customer_card, edit_customer))
}

/// Lists customers by ascending id, filtered by the latest snapshot's rung, status and
/// sub-group, by manager and by text; managers see only their own customers. Pages are cut by
/// a cursor: pass `next_after` back as `after`.
#[utoipa::path(get, path = "/api/v1/customers", tag = "customers", params(ListQuery),
    responses(
        (status = 200, description = "A page of customers", body = CustomerPage),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 422, description = "A filter or the limit is not valid", body = ErrorBody)))]
async fn list_customers(
    State(state): State<AppState>,
    auth: Auth,
    Query(q): Query<ListQuery>,
) -> Result<Json<CustomerPage>, ApiError> {
    let limit = page_limit(q.limit, &state.settings)?;
    let described = q.describe();
    let filter = CustomerFilter {
        rung: q.rung.as_deref().map(parse_rung).transpose()?,
        status: q.status.as_deref().map(parse_status).transpose()?,
        subgroup: q.subgroup.as_deref().map(parse_subgroup).transpose()?,
        manager: q.manager,
        search: q.q,
        segment: None,
    };
    let page = state
        .store
        .list_customers(auth.scope(), &filter, q.after, limit)
        .await?;
    let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    state.audit.list_read(
        &auth.user.name,
        "api",
        filter
            .search
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty()),
        &described,
        &ids,
    );
    Ok(Json(CustomerPage {
        as_of: page.as_of.map(|d| d.to_string()),
        items: page.items.into_iter().map(CustomerItem::from).collect(),
        next_after: page.next_after,
    }))
}

/// The customer card: profile, contacts, consents, personal dates, notes, orders and the latest
/// scores. Each view is recorded in the audit log.
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    responses(
        (status = 200, description = "The card", body = Card),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody)))]
async fn customer_card(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
) -> Result<Json<Card>, ApiError> {
    let card = state.cards.customer_card(auth.scope(), id).await?;
    state
        .audit
        .record(&auth.user.name, "view", Some(id), "card");
    Ok(Json(card.into()))
}

/// Changes a customer's name, image-client flag or (admins only) the user it is assigned to.
/// Recorded in the audit log in the same transaction.
#[utoipa::path(patch, path = "/api/v1/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "Customer id")),
    request_body = CustomerPatch,
    responses(
        (status = 200, description = "The card after the change", body = Card),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Not allowed for this role, or missing CSRF token", body = ErrorBody),
        (status = 404, description = "No such customer, or not yours", body = ErrorBody),
        (status = 422, description = "A field is not valid", body = ErrorBody)))]
async fn edit_customer(
    State(state): State<AppState>,
    auth: Auth,
    CustomerId(id): CustomerId,
    Json(patch): Json<CustomerPatch>,
) -> Result<Json<Card>, ApiError> {
    let manager_user_id = match patch.manager_user {
        None => None,
        Some(assign) => {
            auth.require(&[Role::Admin], "assigning customers")?;
            match assign {
                None => Some(None),
                Some(name) => match state.store.user_by_name(&name).await {
                    Ok(u) => Some(Some(u.id)),
                    Err(StoreError::NotFound { .. }) => {
                        return Err(ApiError::invalid(
                            "manager_user",
                            format!("there is no user '{name}'"),
                        ));
                    }
                    Err(e) => return Err(e.into()),
                },
            }
        }
    };
    let edit = CustomerEdit {
        name: patch.name,
        image_client: patch.image_client,
        manager_user_id,
    };
    state
        .store
        .edit_customer_audited(auth.scope(), id, &auth.user.name, &edit)
        .await?;
    let card = state.cards.customer_card(auth.scope(), id).await?;
    Ok(Json(card.into()))
}

/// Today in UTC: the day consent must be in force on.
fn today_utc() -> clientele_core::Day {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    clientele_core::Day::from_days_since_epoch((secs / 86_400) as i32)
}
