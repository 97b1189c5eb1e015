//! Creating, finding and updating customers by their external id.

use sqlx::Row;

use super::records::{Channel, CustomerKind, CustomerProfileUpdate, CustomerRow, NewCustomer};
use crate::db::{Store, dispatch, now};
use crate::error::{Result, StoreError};

impl Store {
    /// Creates a customer, or updates the profile fields of the one with this external id;
    /// returns its id. An erased customer is not created again (`Invalid` on `external_id`).
    pub async fn upsert_customer(&self, c: &NewCustomer) -> Result<i64> {
        if c.external_id.trim().is_empty() {
            return Err(StoreError::invalid("external_id", "is empty"));
        }
        self.refuse_erased("external_id", &c.external_id).await?;
        let id: i64 = dispatch!(self, pool => {
            sqlx::query_scalar(
                "INSERT INTO customers (external_id, kind, name, preferred_channel, manager, image_client, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (external_id) DO UPDATE SET
                   kind = excluded.kind,
                   name = COALESCE(excluded.name, customers.name),
                   preferred_channel = COALESCE(excluded.preferred_channel, customers.preferred_channel),
                   manager = COALESCE(excluded.manager, customers.manager),
                   image_client = excluded.image_client
                 RETURNING id",
            )
            .bind(&c.external_id)
            .bind(c.kind.as_str())
            .bind(&c.name)
            .bind(c.preferred_channel.map(Channel::as_str))
            .bind(&c.manager)
            .bind(c.image_client)
            .bind(now())
            .fetch_one(pool)
            .await?
        });
        Ok(id)
    }

    /// The id of the customer with this external id.
    pub async fn customer_id(&self, external_id: &str) -> Result<i64> {
        let id: Option<i64> = dispatch!(self, pool => {
            sqlx::query_scalar("SELECT id FROM customers WHERE external_id = $1")
                .bind(external_id)
                .fetch_optional(pool)
                .await?
        });
        id.ok_or_else(|| StoreError::not_found("customer", external_id))
    }

    pub async fn customer(&self, id: i64) -> Result<CustomerRow> {
        let row = dispatch!(self, pool => {
            let r = sqlx::query(
                "SELECT id, external_id, kind, name, preferred_channel, manager, manager_user_id,
                        referrer_id, image_client, created_at, erased_at
                 FROM customers WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            match r {
                None => None,
                Some(r) => Some(CustomerRow {
                    id: r.try_get("id")?,
                    external_id: r.try_get("external_id")?,
                    kind: CustomerKind::parse(r.try_get::<&str, _>("kind")?),
                    name: r.try_get("name")?,
                    preferred_channel: r
                        .try_get::<Option<&str>, _>("preferred_channel")?
                        .and_then(Channel::parse),
                    manager: r.try_get("manager")?,
                    manager_user_id: r.try_get("manager_user_id")?,
                    referrer_id: r.try_get("referrer_id")?,
                    image_client: r.try_get("image_client")?,
                    created_at: r.try_get("created_at")?,
                    erased_at: r.try_get("erased_at")?,
                }),
            }
        });
        row.ok_or_else(|| StoreError::not_found("customer", id))
    }

    /// Sets profile fields of a customer (the customers file's columns).
    pub async fn update_profile(&self, id: i64, update: &CustomerProfileUpdate) -> Result<()> {
        let referrer_id = match &update.referrer {
            // An erased referrer is not created again, so the link is not made either.
            Some(r) if !r.trim().is_empty() && !self.is_erased_id(r).await? => {
                Some(self.upsert_customer_id_only(r).await?)
            }
            _ => None,
        };
        let changed = dispatch!(self, pool => {
            sqlx::query(
                "UPDATE customers SET
                   name = COALESCE($2, name),
                   manager = COALESCE($3, manager),
                   image_client = COALESCE($4, image_client),
                   referrer_id = COALESCE($5, referrer_id)
                 WHERE id = $1",
            )
            .bind(id)
            .bind(&update.name)
            .bind(&update.manager)
            .bind(update.image_client)
            .bind(referrer_id.filter(|&r| r != id))
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::not_found("customer", id));
        }
        Ok(())
    }

    /// The id of the customer with this external id, creating a bare customer if there is none.
    /// An erased customer is not created again (`Invalid` on `external_id`, with the reason).
    pub async fn upsert_customer_id_only(&self, external_id: &str) -> Result<i64> {
        if external_id.trim().is_empty() {
            return Err(StoreError::invalid("external_id", "is empty"));
        }
        self.refuse_erased("external_id", external_id).await?;
        dispatch!(self, pool => {
            sqlx::query(
                "INSERT INTO customers (external_id, created_at) VALUES ($1, $2)
                 ON CONFLICT (external_id) DO NOTHING",
            )
            .bind(external_id)
            .bind(now())
            .execute(pool)
            .await?;
        });
        self.customer_id(external_id).await
    }
}
