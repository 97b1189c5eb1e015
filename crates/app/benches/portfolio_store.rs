//! The product portfolio from the store at the scale (issue 28 item 7): 10M order lines
//! over 50k products — stages, tags and buyers under 10 s, bundles under 20 s with bounded
//! memory — measured on the store's one pass (`Store::scan_portfolio`) and the use case
//! `portfolio_from_store` over a SQLite file.
//! Run: `cargo bench -p clientele-app --bench portfolio_store` (CLIENTELE_BENCH_LINES to change
//! the size; the database is written once into CLIENTELE_BENCH_DIR or the temp dir and kept).

use std::time::Instant;

use clientele_app::portfolio::{PortfolioSettings, portfolio_from_store};
use clientele_core::Day;
use clientele_store::Store;

const PRODUCTS: i64 = 50_000;
const CUSTOMERS: i64 = 500_000;

fn build(path: &std::path::Path, lines: i64) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF;",
    )
    .unwrap();
    // Customers c1..; orders of 4 lines on average (1 to 7), five years of days; products
    // skewed (the cube of a uniform draw: a few sell often, most rarely), 200 categories.
    conn.execute_batch(&format!(
        "BEGIN;
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {CUSTOMERS})
         INSERT INTO customers (id, external_id, created_at) SELECT i, 'c' || i, 0 FROM n;
         WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {lines} - 1),
         r AS (SELECT i, (i * 2654435761) % 4294967296 AS h FROM n)
         INSERT INTO order_lines (customer_id, keyed, order_ref, product, is_return, day, amount,
                                  cost, quantity, category)
         SELECT 1 + (i / 4) % {CUSTOMERS}, 1, 'o' || (i / 4), 'p' || p, 0,
                18262 + (i / 4) % 1826, (1 + h % 100) * 10000, (h % 100) * 5000, 1,
                'cat' || (p % 200)
         FROM (SELECT i, h, CAST({PRODUCTS} * ((h % 1000003) / 1000003.0) * ((h % 1000003) / 1000003.0)
                                 * ((h % 1000003) / 1000003.0) AS INTEGER) AS p FROM r);
         COMMIT;"
    ))
    .unwrap();
}

fn main() {
    let lines: i64 = std::env::var("CLIENTELE_BENCH_LINES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let dir = std::env::var_os("CLIENTELE_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let path = dir.join(format!("clientele-portfolio-{lines}.db"));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("sqlite://{}", path.display());
    if !path.exists() {
        let t = Instant::now();
        rt.block_on(async {
            let store = Store::connect(&url).await.unwrap();
            store.close().await;
        });
        build(&path, lines);
        println!(
            "wrote {lines} lines into {} in {:.1?}",
            path.display(),
            t.elapsed()
        );
    }
    rt.block_on(async {
        let store = Store::connect(&url).await.unwrap();
        let settings = PortfolioSettings {
            as_of: Some(Day::from_ymd(2024, 12, 31).unwrap()),
            ..PortfolioSettings::default()
        };
        // The store's one pass alone, then the whole use case (the pass, the spill, both
        // bundle passes over the spill, the core's analysis).
        let last = settings.as_of.unwrap();
        let t = Instant::now();
        let mut lines = 0usize;
        let scan = store
            .scan_portfolio(last, &mut |b: &[u32]| lines += b.len())
            .await
            .unwrap();
        println!(
            "scan_portfolio: {} lines, {} products, {} product-months, {} baskets of {lines} lines in {:.2?}",
            scan.lines,
            scan.products.len(),
            scan.months.len(),
            scan.baskets,
            t.elapsed()
        );
        drop(scan);
        for run in 1..=2 {
            let t = Instant::now();
            let a = portfolio_from_store(&store, &settings, settings.as_of.unwrap())
                .await
                .unwrap();
            println!(
                "run {run}: {} products, {} bundles from {} baskets in {:.2?}",
                a.products.len(),
                a.bundles.len(),
                a.baskets,
                t.elapsed()
            );
        }
        store.close().await;
    });
}
