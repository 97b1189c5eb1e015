//! The customer card: what it shows, the statements that read it, and the pooled read path.
//!
//! The statements are written once, in the common dialect of SQLite and PostgreSQL with `$n`
//! parameters. [`Store::customer_card`] runs them through the store's sqlx pool (either
//! backend); a [`CardReader`] (`card_reader.rs`) runs the same texts on a SQLite file through
//! reader threads. Both paths build the card from the same column tuples with
//! [`CardRows::into_card`], and a test compares them customer by customer.
//!
//! A manager's scope is a condition of the first statement (`manager_user_id = $2`): a customer
//! outside it is not found, and the lists are never read.

use crate::orders::visible_line;
use clientele_core::{Day, Money};

use super::records::{
    CONSENTS_SQL, CONTACTS_SQL, Channel, ConsentColumns, ConsentRecord, ContactColumns,
    ContactRecord, CustomerKind, CustomerRow, DATES_SQL, DateColumns, NOTES_SQL, NoteColumns,
    NoteRecord, PersonalDateRecord, TAGS_SQL, consent_record, contact_record, date_record,
    note_record,
};
use crate::db::{Store, day_from_db, dispatch};
use crate::error::{Result, StoreError};
use crate::scope::Scope;
use crate::snapshots::{CustomerSnapshot, SNAPSHOTS_SQL, SnapshotColumns, customer_snapshot};

/// Everything the customer card shows.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerCard {
    pub customer: CustomerRow,
    pub manager_user: Option<String>,
    pub contacts: Vec<ContactRecord>,
    pub consents: Vec<ConsentRecord>,
    pub tags: Vec<String>,
    pub personal_dates: Vec<PersonalDateRecord>,
    pub notes: Vec<NoteRecord>,
    /// The latest orders first, at most [`CARD_ORDERS`].
    pub orders: Vec<OrderSummary>,
    /// The latest snapshots first, at most [`CARD_SNAPSHOTS`].
    pub snapshots: Vec<CustomerSnapshot>,
}

/// One order of a customer (its lines summed).
#[derive(Clone, Debug, PartialEq)]
pub struct OrderSummary {
    pub order_ref: String,
    pub day: Day,
    pub lines: i64,
    pub amount: Money,
}

/// Orders shown on a card.
pub const CARD_ORDERS: i64 = 50;
/// Snapshots shown on a card.
pub const CARD_SNAPSHOTS: i64 = 12;

// The card's statements. `$1` is the customer id everywhere; `$2` the manager of the scope
// (NULL for everyone) in the first, the list's limit in the last two.
pub(crate) const CUSTOMER_SQL: &str =
    "SELECT c.id, c.external_id, c.kind, c.name, c.preferred_channel, c.manager,
        c.manager_user_id, c.referrer_id, c.image_client, c.created_at, c.erased_at, u.name
 FROM customers c LEFT JOIN users u ON u.id = c.manager_user_id
 WHERE c.id = $1 AND ($2 IS NULL OR c.manager_user_id = $2)";
pub(crate) const ORDERS_SQL: &str = concat!(
    "SELECT l.order_ref, MIN(l.day) AS day, COUNT(*) AS lines, CAST(SUM(l.amount) AS BIGINT) AS amount
 FROM order_lines l WHERE l.customer_id = $1 AND ",
    visible_line!(),
    "
 GROUP BY l.order_ref ORDER BY MIN(l.day) DESC, l.order_ref LIMIT $2"
);

pub(crate) type CustomerColumns = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    bool,
    i64,
    Option<i64>,
    Option<String>,
);
pub(crate) type OrderColumns = (String, i64, i64, i64);

/// The card's rows as read, before conversion; the same for both read paths.
pub(crate) struct CardRows {
    pub(crate) customer: CustomerColumns,
    pub(crate) contacts: Vec<ContactColumns>,
    pub(crate) consents: Vec<ConsentColumns>,
    pub(crate) tags: Vec<String>,
    pub(crate) dates: Vec<DateColumns>,
    pub(crate) notes: Vec<NoteColumns>,
    pub(crate) orders: Vec<OrderColumns>,
    pub(crate) snapshots: Vec<SnapshotColumns>,
}

impl CardRows {
    /// Fails on a stored personal date whose columns make no rule, or a snapshot value this
    /// version cannot read.
    pub(crate) fn into_card(self) -> Result<CustomerCard> {
        let (
            id,
            external_id,
            kind,
            name,
            preferred_channel,
            manager,
            manager_user_id,
            referrer_id,
            image_client,
            created_at,
            erased_at,
            manager_user,
        ) = self.customer;
        Ok(CustomerCard {
            customer: CustomerRow {
                id,
                external_id,
                kind: CustomerKind::parse(&kind),
                name,
                preferred_channel: preferred_channel.as_deref().and_then(Channel::parse),
                manager,
                manager_user_id,
                referrer_id,
                image_client,
                created_at,
                erased_at,
            },
            manager_user,
            contacts: self
                .contacts
                .into_iter()
                .filter_map(contact_record)
                .collect(),
            consents: self
                .consents
                .into_iter()
                .filter_map(consent_record)
                .collect(),
            tags: self.tags,
            personal_dates: self
                .dates
                .into_iter()
                .map(date_record)
                .collect::<Result<_>>()?,
            notes: self.notes.into_iter().map(note_record).collect(),
            orders: self
                .orders
                .into_iter()
                .map(|(order_ref, day, lines, amount)| OrderSummary {
                    order_ref,
                    day: day_from_db(day),
                    lines,
                    amount: Money::from_units(amount),
                })
                .collect(),
            snapshots: self
                .snapshots
                .into_iter()
                .map(customer_snapshot)
                .collect::<Result<_>>()?,
        })
    }
}

pub(crate) fn not_found(id: i64) -> StoreError {
    StoreError::not_found("customer", id)
}

impl Store {
    /// The customer card through the store's pool (either backend); `NotFound` for a customer
    /// outside `scope`. All of its reads run on one pooled connection, one after the other. The
    /// server reads cards through a [`CardReader`](super::CardReader), which takes a faster
    /// path on SQLite.
    pub async fn customer_card(&self, scope: Scope, id: i64) -> Result<CustomerCard> {
        let rows: Option<CardRows> = dispatch!(self, pool => {
            let mut conn = pool.acquire().await?;
            let customer: Option<CustomerColumns> = sqlx::query_as(CUSTOMER_SQL)
                .bind(id)
                .bind(scope.manager())
                .fetch_optional(&mut *conn)
                .await?;
            match customer {
                None => None,
                Some(customer) => Some(CardRows {
                    customer,
                    contacts: sqlx::query_as(CONTACTS_SQL).bind(id).fetch_all(&mut *conn).await?,
                    consents: sqlx::query_as(CONSENTS_SQL).bind(id).fetch_all(&mut *conn).await?,
                    tags: sqlx::query_scalar(TAGS_SQL).bind(id).fetch_all(&mut *conn).await?,
                    dates: sqlx::query_as(DATES_SQL).bind(id).fetch_all(&mut *conn).await?,
                    notes: sqlx::query_as(NOTES_SQL).bind(id).fetch_all(&mut *conn).await?,
                    orders: sqlx::query_as(ORDERS_SQL)
                        .bind(id)
                        .bind(CARD_ORDERS)
                        .fetch_all(&mut *conn)
                        .await?,
                    snapshots: sqlx::query_as(SNAPSHOTS_SQL)
                        .bind(id)
                        .bind(CARD_SNAPSHOTS)
                        .fetch_all(&mut *conn)
                        .await?,
                }),
            }
        });
        rows.ok_or_else(|| not_found(id))?.into_card()
    }
}
