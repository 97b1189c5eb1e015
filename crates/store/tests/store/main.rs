//! The storage API on both backends: every test body runs once on a fresh SQLite file and once
//! on a fresh database of a real PostgreSQL server (see `clientele-testdb`). One module per
//! domain of the store (`src/<domain>`), as `tests/store/<domain>.rs`.

use std::future::Future;

use clientele_core::{CustomerRecord, Day, LadderRules, Money, analyze};
use clientele_store::{NewOrderLine, Store};
use clientele_testdb::{Backend, TestDb};

mod assess;
mod audit;
mod contact_log_page;
mod contact_plan_inputs;
mod contacts;
mod customers;
mod db;
mod erasure_file;
mod imports;
mod movement;
mod orders;
mod portfolio;
mod portfolio_scan;
mod privacy;
mod search;
mod settings;
mod snapshots;
mod staff;
mod users;
mod voice;
mod winback_reads;
mod write_lock;

/// Runs `test` on SQLite, then on PostgreSQL, each on a fresh database.
fn on_both<F, Fut>(test: F)
where
    F: Fn(Store) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in Backend::ALL {
        let db = TestDb::new(backend);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = Store::connect(&db.url)
                .await
                .unwrap_or_else(|e| panic!("{backend:?}: connecting to {}: {e}", db.url));
            eprintln!("running on {backend:?}");
            test(store.clone()).await;
            store.close().await;
        });
    }
}

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

fn line(customer: &str, order: Option<&str>, product: &str, d: Day, amount: i64) -> NewOrderLine {
    NewOrderLine {
        customer: customer.into(),
        order_id: order.map(str::to_string),
        product: product.into(),
        day: d,
        amount: Money::from_major(amount),
        cost: Some(Money::from_major(amount / 2)),
        quantity: Some(1.0),
        price: None,
        list_price: None,
        category: Some(if amount > 100 { "big" } else { "small" }.into()),
        full_price: Some(amount % 20 == 0),
        row_line: 0,
        occurrence: 0,
    }
}

/// Scores the store as of `as_of` the way `clientele score` does.
pub(crate) async fn score(store: &Store, as_of: Day) {
    let s = store.summaries(as_of).await.unwrap();
    let records = s
        .customers
        .into_iter()
        .map(|(id, summary)| CustomerRecord {
            id: id.into_string(),
            summary: Some(summary),
            forecast: None,
        })
        .collect();
    let profiles = store.profiles(as_of).await.unwrap();
    let analysis = analyze(records, profiles, &LadderRules::default(), as_of);
    store.write_snapshot(&analysis).await.unwrap();
}

/// Runs a statement written in both dialects (tests set up states no API call makes).
pub(crate) async fn execute(store: &Store, sql: &'static str) {
    match store {
        Store::Sqlite(p) => sqlx::query(sql).execute(p).await.map(drop),
        Store::Postgres(p) => sqlx::query(sql).execute(p).await.map(drop),
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The one value a query written in both dialects returns.
pub(crate) async fn scalar<T>(store: &Store, sql: &'static str) -> T
where
    T: Send + Unpin,
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    match store {
        Store::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
    }
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}
