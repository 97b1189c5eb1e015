//! The product portfolio over the API, on SQLite and PostgreSQL: stages and the bundle of a
//! hand-built history, managers refused (company-wide figures), bad parameters naming the
//! field.

use clientele_core::{Day, Money};
use clientele_store::{NewOrderLine, Role};
use reqwest::StatusCode;
use serde_json::Value;

use super::{TestApp, error_field, on_both};

/// 14 months from January 2024: five customers a month buy S (20) and R (2, then 8 from the
/// eighth month) in one order; five others buy F (20, then 2 from the ninth month).
pub async fn history(app: &TestApp) {
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

fn stage<'a>(body: &'a Value, product: &str) -> &'a Value {
    &body["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["product"] == product)
        .unwrap_or_else(|| panic!("{product} in {body}"))["stage"]
}

#[tokio::test]
async fn the_portfolio_answers_stages_and_bundles_to_analysts_only() {
    on_both(|app| async move {
        let analyst = app.user("ana", Role::Analyst).await;
        let manager = app.user("max", Role::Manager).await;
        let (s, body) = app.get("/api/v1/portfolio", &analyst).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["products"], serde_json::json!([]));

        history(&app).await;
        let (s, body) = app
            .get("/api/v1/portfolio?as_of=2025-02-28", &analyst)
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["last_month"], "2025-02");
        assert_eq!(stage(&body, "S"), "maturity");
        assert_eq!(stage(&body, "R"), "growth");
        assert_eq!(stage(&body, "F"), "decline");
        let bundles = body["bundles"].as_array().unwrap();
        assert_eq!(bundles.len(), 1, "{body}");
        assert_eq!(
            (bundles[0]["a"].as_str(), bundles[0]["b"].as_str()),
            (Some("R"), Some("S"))
        );
        assert!((bundles[0]["lift"].as_f64().unwrap() - 2.0).abs() < 1e-12);

        let (s, body) = app.get("/api/v1/portfolio", &manager).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{body}");

        for (query, field) in [
            ("as_of=2025-13-01", "as_of"),
            ("as_of=3000-01-01", "as_of"),
            ("min_support=1.5", "min_support"),
            ("min_support=-0.1", "min_support"),
            ("min_baskets=0", "min_baskets"),
            ("max_bundles=100000", "max_bundles"),
        ] {
            let (s, body) = app
                .get(&format!("/api/v1/portfolio?{query}"), &analyst)
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
            assert_eq!(error_field(&body), field, "{query}");
        }
        let (s, _) = app.get("/api/v1/portfolio?colour=red", &analyst).await;
        assert!(s.is_client_error());
        app
    })
    .await;
}
