//! Order ingestion for integrations: one order or a batch, written through the store's import
//! transaction. A line is identified by (customer, order id, product, return or not), so posting
//! the same orders again changes nothing; a batch is written all or nothing.

use axum::extract::State;
use clientele_ingest::values::{NumberFormat, parse_money};
use clientele_store::{ImportCounts, NewOrderLine, Role};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Json;
use crate::routes::parse_day;

/// Orders per batch at most.
pub const MAX_BATCH_ORDERS: usize = 10_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// The order's id in the source system; with the product it identifies a line.
    pub order_id: String,
    /// The customer's external id (created if unknown).
    pub customer: String,
    /// YYYY-MM-DD.
    pub day: String,
    pub lines: Vec<NewLine>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewLine {
    #[serde(default)]
    pub product: String,
    /// Decimal string (`"12.50"`); negative for a return.
    pub amount: String,
    /// Cost of goods, decimal string.
    pub cost: Option<String>,
    pub quantity: Option<f64>,
    /// Price paid per unit, decimal string.
    pub price: Option<String>,
    /// List price per unit, decimal string.
    pub list_price: Option<String>,
    pub category: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderBatch {
    pub orders: Vec<NewOrder>,
}

/// What the ingestion did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ingested {
    /// Lines written.
    pub inserted: u64,
    /// Lines already stored, left as they were.
    pub unchanged: u64,
    /// Customers created.
    pub new_customers: u64,
}

impl From<ImportCounts> for Ingested {
    fn from(c: ImportCounts) -> Ingested {
        Ingested {
            inserted: c.inserted,
            unchanged: c.unchanged,
            new_customers: c.new_customers,
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(post_order))
        .routes(routes!(post_batch))
}

fn money(field: String, text: &str) -> Result<clientele_core::Money, ApiError> {
    parse_money(text, NumberFormat::POINT)
        .map_err(|e| ApiError::invalid(field, format!("'{text}': {e}")))
}

fn opt_money(
    field: impl FnOnce() -> String,
    text: Option<&str>,
) -> Result<Option<clientele_core::Money>, ApiError> {
    text.map(|t| money(field(), t)).transpose()
}

/// Checks an order and turns it into store lines; errors name the field under `prefix`.
fn order_lines(prefix: &str, o: &NewOrder, out: &mut Vec<NewOrderLine>) -> Result<(), ApiError> {
    let f = |name: &str| format!("{prefix}{name}");
    if o.order_id.trim().is_empty() {
        return Err(ApiError::invalid(f("order_id"), "is empty"));
    }
    if o.customer.trim().is_empty() {
        return Err(ApiError::invalid(f("customer"), "is empty"));
    }
    let day = parse_day(&f("day"), &o.day)?;
    if o.lines.is_empty() {
        return Err(ApiError::invalid(
            f("lines"),
            "an order needs at least one line",
        ));
    }
    for (i, l) in o.lines.iter().enumerate() {
        let lf = |name: &str| format!("{prefix}lines[{i}].{name}");
        if l.quantity.is_some_and(|q| !q.is_finite()) {
            return Err(ApiError::invalid(lf("quantity"), "must be a finite number"));
        }
        out.push(NewOrderLine {
            customer: o.customer.trim().to_string(),
            order_id: Some(o.order_id.trim().to_string()),
            product: l.product.trim().to_string(),
            day,
            amount: money(lf("amount"), &l.amount)?,
            cost: opt_money(|| lf("cost"), l.cost.as_deref())?,
            quantity: l.quantity,
            price: opt_money(|| lf("price"), l.price.as_deref())?,
            list_price: opt_money(|| lf("list_price"), l.list_price.as_deref())?,
            category: l.category.clone().filter(|c| !c.trim().is_empty()),
            full_price: None,
            row_line: 0,
            occurrence: 0,
        });
    }
    Ok(())
}

async fn ingest(
    state: &AppState,
    auth: &Auth,
    lines: Vec<NewOrderLine>,
) -> Result<Ingested, ApiError> {
    let mut tx = state
        .store
        .begin_import(&format!("api: orders by {}", auth.user.name))
        .await?;
    // Dropping the transaction on an error rolls it back: nothing of the batch is kept.
    tx.add(&lines).await?;
    let counts = tx.commit(lines.len() as u64, 0).await?;
    state
        .store
        .audit(
            &auth.user.name,
            "orders",
            None,
            &format!(
                "{} line(s): {} inserted, {} unchanged",
                lines.len(),
                counts.inserted,
                counts.unchanged
            ),
        )
        .await?;
    Ok(counts.into())
}

/// Ingests one order. Posting it again changes nothing. Admins and analysts.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = NewOrder,
    responses(
        (status = 200, description = "What was written", body = Ingested),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers cannot ingest orders, or missing CSRF token", body = ErrorBody),
        (status = 422, description = "A field is not valid (named in `field`)", body = ErrorBody)))]
async fn post_order(
    State(state): State<AppState>,
    auth: Auth,
    Json(order): Json<NewOrder>,
) -> Result<Json<Ingested>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "ingesting orders")?;
    let mut lines = Vec::new();
    order_lines("", &order, &mut lines)?;
    ingest(&state, &auth, lines).await.map(Json)
}

/// Ingests a batch of orders in one transaction: all are written or none. Orders already
/// stored are left as they are, so a batch can be retried safely. At most 10,000 orders.
#[utoipa::path(post, path = "/api/v1/orders/batch", tag = "orders", request_body = OrderBatch,
    responses(
        (status = 200, description = "What was written", body = Ingested),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers cannot ingest orders, or missing CSRF token", body = ErrorBody),
        (status = 422, description = "A field is not valid (named in `field`, e.g. `orders[3].lines[0].amount`)", body = ErrorBody)))]
async fn post_batch(
    State(state): State<AppState>,
    auth: Auth,
    Json(batch): Json<OrderBatch>,
) -> Result<Json<Ingested>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "ingesting orders")?;
    if batch.orders.is_empty() {
        return Err(ApiError::invalid("orders", "the batch is empty"));
    }
    if batch.orders.len() > MAX_BATCH_ORDERS {
        return Err(ApiError::invalid(
            "orders",
            format!("at most {MAX_BATCH_ORDERS} orders per batch"),
        ));
    }
    let mut lines = Vec::new();
    for (i, o) in batch.orders.iter().enumerate() {
        order_lines(&format!("orders[{i}]."), o, &mut lines)?;
    }
    ingest(&state, &auth, lines).await.map(Json)
}
