//! Order ingestion for integrations: one order or a batch, written through the store's import
//! transaction. A line is identified by (customer, order id, product, return or not), so posting
//! the same orders again changes nothing; a batch is written all or nothing. A batch (JSON or
//! NDJSON) is read as it arrives, order by order (`order_stream`), and staged in bounded chunks,
//! so its size does not decide the server's memory.

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use clientele_core::bounds::{MAX_QUANTITY, check_id, check_name};
use clientele_ingest::values::{NumberFormat, parse_money};
use clientele_store::{ImportCounts, ImportTx, NewOrderLine, Role, STREAM_BATCH};
use http_body_util::BodyExt;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Json, parse_json};
use crate::routes::order_stream::{JsonBatch, NdjsonBatch, Position};
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

/// The JSON form of a batch, for the OpenAPI document: the body is read order by order
/// (`order_stream`), never into this.
#[derive(Debug, ToSchema)]
pub struct OrderBatch {
    #[expect(dead_code, reason = "a schema only: the batch is streamed")]
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
    // The store holds these bounds too; checked here to name the order.
    for (name, id) in [("order_id", &o.order_id), ("customer", &o.customer)] {
        check_id(id.trim()).map_err(|e| ApiError::invalid(f(name), format!("the id {e}")))?;
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
        if l.quantity
            .is_some_and(|q| !q.is_finite() || q.abs() > MAX_QUANTITY)
        {
            return Err(ApiError::invalid(
                lf("quantity"),
                format!("must be a finite number of at most {MAX_QUANTITY} in size"),
            ));
        }
        let category = l.category.as_deref().map(str::trim);
        for (name, text) in [("product", Some(l.product.trim())), ("category", category)] {
            if let Some(Err(e)) = text.map(check_name) {
                return Err(ApiError::invalid(lf(name), format!("the {name} {e}")));
            }
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

/// Ingests a batch of orders in one import: all are written or none. Orders already stored
/// are left as they are, so a batch can be retried safely. At most 10,000 orders, each at most
/// 1 MiB and nested at most 8 levels deep. JSON (`{"orders": [...]}`) or NDJSON
/// (`Content-Type: application/x-ndjson`, one order per line); either is read as it arrives, so
/// a large batch costs the server a bounded memory.
#[utoipa::path(post, path = "/api/v1/orders/batch", tag = "orders",
    request_body(content(
        (OrderBatch = "application/json"),
        (NewOrder = "application/x-ndjson"),
    ), description = "`{\"orders\": [...]}`, or NDJSON: one order (a `NewOrder`) per line, no blank lines"),
    responses(
        (status = 200, description = "What was written", body = Ingested),
        (status = 400, description = "The body is not a batch: truncated, trailing characters, a blank or too long line, nested too deep (the order's position in `field`, e.g. `orders[3]`, and its line for NDJSON in the message)", body = ErrorBody),
        (status = 401, description = "Not authenticated", body = ErrorBody),
        (status = 403, description = "Managers cannot ingest orders, or missing CSRF token", body = ErrorBody),
        (status = 413, description = "The body is larger than the server's limit", body = ErrorBody),
        (status = 422, description = "A field is not valid (named in `field`, e.g. `orders[3].lines[0].amount`)", body = ErrorBody)))]
async fn post_batch(
    State(state): State<AppState>,
    auth: Auth,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Ingested>, ApiError> {
    auth.require(&[Role::Admin, Role::Analyst], "ingesting orders")?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let ndjson = if content_type.starts_with("application/x-ndjson") {
        true
    } else if content_type.starts_with("application/json") {
        false
    } else {
        return Err(ApiError::BadRequest {
            field: None,
            message: "send the batch as JSON (Content-Type: application/json) or NDJSON \
                      (Content-Type: application/x-ndjson)"
                .into(),
        });
    };
    // A body declared too large is refused before a byte of it is read.
    let limit = state.settings.max_body_bytes;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::TooLarge(limit));
    }
    let mut batch = BatchWriter {
        state: &state,
        auth: &auth,
        tx: None,
        pending: Vec::new(),
        lines: 0,
        orders: 0,
    };
    match batch.read(body, ndjson).await {
        Ok(()) => batch.commit().await.map(Json),
        Err(e) => {
            batch.discard().await;
            Err(e)
        }
    }
}

/// A batch being read: its lines wait in `pending` until a chunk of [`STREAM_BATCH`] is staged
/// in the import (opened with the first chunk).
struct BatchWriter<'a> {
    state: &'a AppState,
    auth: &'a Auth,
    tx: Option<ImportTx>,
    pending: Vec<NewOrderLine>,
    /// Lines read so far.
    lines: u64,
    /// Orders read so far.
    orders: usize,
}

impl BatchWriter<'_> {
    /// Reads the body piece by piece, each order as it is complete, staging chunks on the way.
    async fn read(&mut self, mut body: Body, ndjson: bool) -> Result<(), ApiError> {
        let limit = self.state.settings.max_body_bytes;
        let mut json = JsonBatch::new();
        let mut lines = NdjsonBatch::new();
        let mut read = 0usize;
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|e| ApiError::BadRequest {
                field: None,
                message: format!("the body could not be read: {e}"),
            })?;
            let Ok(piece) = frame.into_data() else {
                continue;
            };
            read += piece.len();
            if read > limit {
                return Err(ApiError::TooLarge(limit));
            }
            let (orders, pending) = (&mut self.orders, &mut self.pending);
            let mut take = |at: Position, bytes: &[u8]| take_order(at, bytes, orders, pending);
            if ndjson {
                lines.feed(&piece, &mut take)?;
            } else {
                json.feed(&piece, &mut take)?;
            }
            // A piece of the body holds a bounded number of lines: `pending` stays within one
            // chunk and a piece.
            if self.pending.len() >= STREAM_BATCH {
                self.stage().await?;
            }
        }
        let (orders, pending) = (&mut self.orders, &mut self.pending);
        let mut take = |at: Position, bytes: &[u8]| take_order(at, bytes, orders, pending);
        if ndjson {
            lines.finish(&mut take)?;
        } else {
            json.finish()?;
        }
        if self.orders == 0 {
            return Err(ApiError::invalid("orders", "the batch is empty"));
        }
        self.stage().await
    }

    /// Stages the lines waiting, opening the import first if need be.
    async fn stage(&mut self) -> Result<(), ApiError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let tx = match &mut self.tx {
            Some(tx) => tx,
            None => self.tx.insert(
                self.state
                    .store
                    .begin_import(&format!("api: orders by {}", self.auth.user.name))
                    .await?,
            ),
        };
        tx.add(&self.pending).await?;
        self.lines += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    /// Publishes the staged lines and records the batch in the audit log.
    async fn commit(self) -> Result<Ingested, ApiError> {
        let tx = self
            .tx
            .ok_or_else(|| ApiError::Internal("a batch with orders but no import".into()))?;
        let counts = tx.commit(self.lines, 0).await?;
        self.state
            .store
            .audit(
                &self.auth.user.name,
                "orders",
                None,
                &format!(
                    "{} line(s) in a batch of {} order(s): {} inserted, {} unchanged",
                    self.lines, self.orders, counts.inserted, counts.unchanged
                ),
            )
            .await?;
        Ok(counts.into())
    }

    /// Abandons the batch: nothing staged is kept.
    async fn discard(self) {
        if let Some(tx) = self.tx
            && let Err(e) = tx.rollback().await
        {
            // Its staged lines are discarded by the next import once its heartbeat stops.
            tracing::warn!(error = %e, "discarding a refused order batch");
        }
    }
}

/// Parses one order of a batch and adds its lines to `pending`; errors name its position.
fn take_order(
    at: Position,
    bytes: &[u8],
    orders: &mut usize,
    pending: &mut Vec<NewOrderLine>,
) -> Result<(), ApiError> {
    if *orders >= MAX_BATCH_ORDERS {
        return Err(ApiError::invalid(
            "orders",
            format!("at most {MAX_BATCH_ORDERS} orders per batch"),
        ));
    }
    let line = at.line.map(|l| format!(" (line {l})")).unwrap_or_default();
    let order: NewOrder = parse_json(bytes).map_err(|e| match e {
        ApiError::Invalid { field, reason } => ApiError::Invalid {
            field: format!("{}.{field}", at.field()),
            reason: format!("{reason}{line}"),
        },
        ApiError::BadRequest { message, .. } => ApiError::BadRequest {
            field: Some(at.field()),
            message: format!("{}: {message}", at.describe()),
        },
        other => other,
    })?;
    order_lines(&format!("{}.", at.field()), &order, pending).map_err(|e| match e {
        ApiError::Invalid { field, reason } => ApiError::Invalid {
            field,
            reason: format!("{reason}{line}"),
        },
        other => other,
    })?;
    *orders += 1;
    Ok(())
}
