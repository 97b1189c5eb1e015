//! Who buys which category, by rung (issue 28 item 5): every scored customer's rung in the
//! latest snapshot on or before a day with the categories of their purchase lines up to it,
//! and the same for one customer within a manager's scope — the inputs of "which rungs buy
//! what" and of the cross-category suggestions.

use sqlx::Row;

use clientele_core::{Day, Rung};

use crate::columns;
use crate::db::{Store, day_from_db, day_to_db, dispatch};
use crate::error::{Result, StoreError};
use crate::orders::visible_line;
use crate::scope::Scope;

/// Scored customers' rungs and the categories they bought.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RungCategories {
    /// The snapshot the rungs come from (`None`: nothing scored on or before the day asked).
    pub snapshot: Option<Day>,
    /// Customers of each rung in that snapshot, bought anything or not.
    pub rung_customers: Vec<(Rung, u32)>,
    /// Customers with at least one category: id, rung, categories (sorted, distinct).
    pub customers: Vec<(i64, Rung, Vec<String>)>,
}

/// One customer's rung and categories.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomerCategories {
    pub snapshot: Option<Day>,
    /// `None` when the customer is not in the snapshot.
    pub rung: Option<Rung>,
    /// Sorted, distinct.
    pub categories: Vec<String>,
}

const SNAPSHOT_SQL: &str = "SELECT MAX(as_of) FROM score_snapshots WHERE as_of <= $1";

const RUNG_COUNTS_SQL: &str =
    "SELECT rung, COUNT(*) FROM score_snapshots WHERE as_of = $1 GROUP BY rung ORDER BY rung";

const RUNG_CATEGORIES_SQL: &str = concat!(
    "SELECT s.customer_id, s.rung, l.category
     FROM score_snapshots s JOIN order_lines l ON l.customer_id = s.customer_id
     WHERE s.as_of = $2 AND NOT l.is_return AND l.category IS NOT NULL AND l.category <> ''
       AND l.day <= $1 AND ",
    visible_line!(),
    " GROUP BY s.customer_id, s.rung, l.category ORDER BY s.customer_id, l.category"
);

const CUSTOMER_IN_SCOPE_SQL: &str =
    "SELECT id FROM customers WHERE id = $1 AND ($2 IS NULL OR manager_user_id = $2)";

const CUSTOMER_RUNG_SQL: &str =
    "SELECT rung FROM score_snapshots WHERE as_of = $1 AND customer_id = $2";

const CUSTOMER_CATEGORIES_SQL: &str = concat!(
    "SELECT DISTINCT l.category FROM order_lines l
     WHERE l.customer_id = $1 AND NOT l.is_return AND l.category IS NOT NULL
       AND l.category <> '' AND l.day <= $2 AND ",
    visible_line!(),
    " ORDER BY l.category"
);

impl Store {
    /// Every customer of the latest snapshot on or before `last_day` with their rung and the
    /// categories of their purchase lines up to `last_day` (see [`RungCategories`]).
    pub async fn rung_categories(&self, last_day: Day) -> Result<RungCategories> {
        let d = day_to_db(last_day);
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let snapshot: Option<i64> =
                sqlx::query_scalar(SNAPSHOT_SQL).bind(d).fetch_one(&mut *tx).await?;
            let Some(s) = snapshot else {
                tx.commit().await?;
                return Ok(RungCategories::default());
            };
            let mut rung_customers = Vec::new();
            for r in sqlx::query(RUNG_COUNTS_SQL).bind(s).fetch_all(&mut *tx).await? {
                let rung: String = r.try_get(0)?;
                let n: i64 = r.try_get(1)?;
                rung_customers.push((columns::rung("score_snapshots.rung", &rung)?, n as u32));
            }
            let mut customers: Vec<(i64, Rung, Vec<String>)> = Vec::new();
            for r in sqlx::query(RUNG_CATEGORIES_SQL).bind(d).bind(s).fetch_all(&mut *tx).await? {
                let id: i64 = r.try_get(0)?;
                let category: String = r.try_get(2)?;
                match customers.last_mut() {
                    Some(last) if last.0 == id => last.2.push(category),
                    _ => {
                        let rung: String = r.try_get(1)?;
                        let rung = columns::rung("score_snapshots.rung", &rung)?;
                        customers.push((id, rung, vec![category]));
                    }
                }
            }
            tx.commit().await?;
            Ok(RungCategories {
                snapshot: Some(day_from_db(s)),
                rung_customers,
                customers,
            })
        })
    }

    /// Customer `id`'s rung in the latest snapshot on or before `last_day` and the categories
    /// of their purchase lines up to it; `NotFound` for a customer outside `scope`.
    pub async fn customer_rung_categories(
        &self,
        scope: Scope,
        id: i64,
        last_day: Day,
    ) -> Result<CustomerCategories> {
        let d = day_to_db(last_day);
        dispatch!(self, pool => {
            let mut tx = pool.begin().await?;
            let found: Option<i64> = sqlx::query_scalar(CUSTOMER_IN_SCOPE_SQL)
                .bind(id)
                .bind(scope.manager())
                .fetch_optional(&mut *tx)
                .await?;
            if found.is_none() {
                return Err(StoreError::not_found("customer", id));
            }
            let snapshot: Option<i64> =
                sqlx::query_scalar(SNAPSHOT_SQL).bind(d).fetch_one(&mut *tx).await?;
            let rung = match snapshot {
                Some(s) => {
                    let text: Option<String> = sqlx::query_scalar(CUSTOMER_RUNG_SQL)
                        .bind(s)
                        .bind(id)
                        .fetch_optional(&mut *tx)
                        .await?;
                    columns::rung_opt("score_snapshots.rung", text.as_deref())?
                }
                None => None,
            };
            let categories: Vec<String> = sqlx::query_scalar(CUSTOMER_CATEGORIES_SQL)
                .bind(id)
                .bind(d)
                .fetch_all(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(CustomerCategories {
                snapshot: snapshot.map(day_from_db),
                rung,
                categories,
            })
        })
    }
}
