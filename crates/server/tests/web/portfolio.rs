//! The portfolio page in both languages, on both backends: the empty state, the map with each
//! product in its hand-computed stage and its tags, the bundle, the CSV export (BOM, `;` in
//! Russian), and managers refused with a page in their language.

use clientele_core::{Day, Money};
use clientele_store::{NewOrderLine, Role};
use reqwest::StatusCode;

use super::{Browser, TestApp, assert_clean, on_both};

/// The same history as the API test: S steady, R rising, F falling; S and R bought together.
async fn history(app: &TestApp) {
    let mut lines = Vec::new();
    for m in 0..14u32 {
        let d = Day::from_ymd(2024 + (m / 12) as i32, m % 12 + 1, 10).unwrap();
        for k in 1..=5 {
            let line =
                |customer: String, order: String, product: &str, category: &str, amount: i64| {
                    NewOrderLine {
                        customer,
                        order_id: Some(order),
                        product: product.into(),
                        day: d,
                        amount: Money::from_major(amount),
                        cost: Some(Money::from_major(amount / 2)),
                        quantity: Some(1.0),
                        price: None,
                        list_price: None,
                        category: Some(category.into()),
                        full_price: None,
                        row_line: 0,
                        occurrence: 0,
                    }
                };
            lines.push(line(format!("c{k}"), format!("o{m}-{k}"), "S", "home", 20));
            lines.push(line(
                format!("c{k}"),
                format!("o{m}-{k}"),
                "R",
                "home",
                if m < 7 { 2 } else { 8 },
            ));
            lines.push(line(
                format!("d{k}"),
                format!("f{m}-{k}"),
                "F",
                "garden",
                if m < 8 { 20 } else { 2 },
            ));
        }
    }
    let mut tx = app.store.begin_import("history.csv").await.unwrap();
    tx.add(&lines).await.unwrap();
    tx.commit(lines.len() as u64, 0).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portfolio_page_maps_stages_and_exports_in_both_languages() {
    on_both(|app| async move {
        app.user("ana", Role::Analyst).await;
        app.user("max", Role::Manager).await;
        let b = Browser::new(&app);
        b.login("ana", "/portfolio").await;
        let empty = b.get("/portfolio").await;
        assert_eq!(empty.status, StatusCode::OK);
        assert!(
            empty.body.contains("id=\"portfolio-empty\""),
            "{}",
            empty.body
        );
        assert!(
            empty.body.contains("href=\"/portfolio\""),
            "the navigation links the page"
        );
        assert_clean(&empty);

        history(&app).await;
        let page = b.get("/portfolio?as_of=2025-02-28").await;
        assert_eq!(page.status, StatusCode::OK);
        assert_clean(&page);
        assert!(
            page.body.contains("3 products with sales up to 2025-02"),
            "{}",
            page.body
        );
        // Two rows a page here: S and F (by revenue over 12 months), then R on page 2.
        let page2 = b.get("/portfolio?as_of=2025-02-28&page=2").await;
        for (product, stage, body) in [
            ("S", "maturity", &page.body),
            ("F", "decline", &page.body),
            ("R", "growth", &page2.body),
        ] {
            assert!(
                body.contains(&format!(
                    "data-product=\"{product}\" data-stage=\"{stage}\""
                )),
                "{product} in {stage}: {body}"
            );
        }
        // The map lists every stage's products: R under growth.
        let growth = &page.body[page.body.find("data-stage=\"growth\"").unwrap()..];
        let maturity_at = growth.find("data-stage=\"maturity\"").unwrap();
        assert!(growth[..maturity_at].contains("data-product=\"R\""));
        assert!(page.body.contains("rel=\"next\""));
        assert!(page.body.contains("data-tag=\"bestseller\""));
        assert!(page.body.contains("id=\"portfolio-bundles-table\""));
        // Advocates unknown without scoring: said, not shown as zero.
        assert!(page.body.contains("Advocates are unknown"));

        let csv = b.get("/portfolio.csv?as_of=2025-02-28").await;
        assert!(csv.content_type.starts_with("text/csv"));
        assert!(csv.body.starts_with('\u{feff}'));
        assert_eq!(csv.body.lines().count(), 4, "{}", csv.body);

        let ru = Browser {
            language: Some("ru"),
            ..Browser::new(&app)
        };
        ru.login("ana", "/portfolio").await;
        let page = ru.get("/portfolio?as_of=2025-02-28").await;
        assert!(page.body.contains("<html lang=\"ru\">"));
        assert!(
            page.body.contains("3 товара с продажами по 2025-02"),
            "{}",
            page.body
        );
        assert!(page.body.contains("Зрелость") && page.body.contains("Спад"));
        assert!(page.body.contains("бестселлер"));
        let csv = ru.get("/portfolio.csv?as_of=2025-02-28").await;
        assert!(
            csv.body.lines().next().unwrap().contains("Товар;"),
            "{}",
            csv.body
        );

        let max = Browser::new(&app);
        max.login("max", "/portfolio").await;
        let refused = max.get("/portfolio").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.body.contains("for admins and analysts"));

        let bad = b.get("/portfolio?as_of=2025-13-40").await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        app
    })
    .await;
}
