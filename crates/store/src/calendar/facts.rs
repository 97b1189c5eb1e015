//! What a greeting may be written from, for many customers at once: the name and kind, who
//! serves them (the signature), their favourite categories and products (by the order lines
//! bought, returns aside), their first purchase and number of orders, and the latest notes.

use std::collections::HashMap;

use clientele_core::Day;
use sqlx::QueryBuilder;

use crate::db::{Store, day_from_db, dispatch};
use crate::error::Result;
use crate::orders::visible_line;

/// How many favourite categories and products are read per customer.
const FAVOURITES: usize = 3;
/// How many of the latest notes are read per customer.
const NOTES: usize = 20;
/// Customers per query (bind parameters stay well under both backends' limits).
const CHUNK: usize = 500;

/// The dossier facts of one customer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GreetingDossier {
    pub customer_id: i64,
    pub external_id: String,
    pub name: Option<String>,
    pub company: bool,
    /// The serving user's name, else the manager named by the customers file.
    pub manager: Option<String>,
    /// Most bought first (by lines), ties by name.
    pub categories: Vec<String>,
    pub products: Vec<String>,
    pub first_purchase: Option<Day>,
    pub orders: u32,
    /// Latest first.
    pub notes: Vec<String>,
}

fn favourites(rows: Vec<(i64, String, i64)>) -> HashMap<i64, Vec<String>> {
    let mut by: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for (id, value, n) in rows {
        by.entry(id).or_default().push((n, value));
    }
    by.into_iter()
        .map(|(id, mut v)| {
            v.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            (id, v.into_iter().take(FAVOURITES).map(|(_, s)| s).collect())
        })
        .collect()
}

impl Store {
    /// The dossier facts of these customers (erased customers and unknown ids are left out), in
    /// the order of `ids`.
    pub async fn greeting_dossiers(&self, ids: &[i64]) -> Result<Vec<GreetingDossier>> {
        let mut out: Vec<GreetingDossier> = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            type C = (i64, String, String, Option<String>, Option<String>);
            let (customers, categories, products, orders, notes) = dispatch!(self, pool => {
                let push_ids = |q: &mut QueryBuilder<_>| {
                    q.push(" IN (");
                    let mut sep = q.separated(", ");
                    for id in chunk {
                        sep.push_bind(*id);
                    }
                    q.push(")");
                };
                let mut q = QueryBuilder::new(
                    "SELECT c.id, c.external_id, c.kind, c.name, COALESCE(u.name, c.manager)
                     FROM customers c LEFT JOIN users u ON u.id = c.manager_user_id
                     WHERE c.erased_at IS NULL AND c.id",
                );
                push_ids(&mut q);
                let customers: Vec<C> = q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT l.customer_id, l.category, COUNT(*) FROM order_lines l
                     WHERE NOT l.is_return AND l.category IS NOT NULL AND l.category <> '' AND ",
                );
                q.push(visible_line!()).push(" AND l.customer_id");
                push_ids(&mut q);
                q.push(" GROUP BY l.customer_id, l.category");
                let categories: Vec<(i64, String, i64)> = q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT l.customer_id, l.product, COUNT(*) FROM order_lines l
                     WHERE NOT l.is_return AND l.product <> '' AND ",
                );
                q.push(visible_line!()).push(" AND l.customer_id");
                push_ids(&mut q);
                q.push(" GROUP BY l.customer_id, l.product");
                let products: Vec<(i64, String, i64)> = q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new(
                    "SELECT l.customer_id, MIN(l.day), COUNT(DISTINCT l.order_ref) FROM order_lines l
                     WHERE NOT l.is_return AND ",
                );
                q.push(visible_line!()).push(" AND l.customer_id");
                push_ids(&mut q);
                q.push(" GROUP BY l.customer_id");
                let orders: Vec<(i64, i64, i64)> = q.build_query_as().fetch_all(pool).await?;
                let mut q = QueryBuilder::new("SELECT customer_id, body FROM notes WHERE customer_id");
                push_ids(&mut q);
                q.push(" ORDER BY customer_id, created_at DESC, id DESC");
                let notes: Vec<(i64, String)> = q.build_query_as().fetch_all(pool).await?;
                (customers, categories, products, orders, notes)
            });
            let mut categories = favourites(categories);
            let mut products = favourites(products);
            let orders: HashMap<i64, (i64, i64)> =
                orders.into_iter().map(|(id, d, n)| (id, (d, n))).collect();
            let mut by_notes: HashMap<i64, Vec<String>> = HashMap::new();
            for (id, body) in notes {
                let v = by_notes.entry(id).or_default();
                if v.len() < NOTES {
                    v.push(body);
                }
            }
            let mut found: HashMap<i64, GreetingDossier> = customers
                .into_iter()
                .map(|(id, external_id, kind, name, manager)| {
                    let (first, n) = orders.get(&id).copied().unzip();
                    (
                        id,
                        GreetingDossier {
                            customer_id: id,
                            external_id,
                            name,
                            company: kind == "company",
                            manager,
                            categories: categories.remove(&id).unwrap_or_default(),
                            products: products.remove(&id).unwrap_or_default(),
                            first_purchase: first.map(day_from_db),
                            orders: n.map_or(0, |n| u32::try_from(n).unwrap_or(u32::MAX)),
                            notes: by_notes.remove(&id).unwrap_or_default(),
                        },
                    )
                })
                .collect();
            out.extend(chunk.iter().filter_map(|id| found.remove(id)));
        }
        Ok(out)
    }
}
