//! Which rungs buy what and one customer's cross-category suggestions over the API, on SQLite
//! and PostgreSQL, against a hand-built snapshot (rungs written directly) and order lines whose
//! shares and lifts are counted here: analysts see the rungs, managers only their customers'
//! suggestions, hostile parameters name their field.

use clientele_core::{Day, Money};
use clientele_store::{NewOrderLine, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, error_field, on_both};

fn close(actual: &Value, expected: f64) {
    let a = actual
        .as_f64()
        .unwrap_or_else(|| panic!("{actual} is not a number"));
    assert!((a - expected).abs() < 1e-9, "{a} against {expected}");
}

/// Regulars r1..r4, advocates a1 and a2, newcomer n1 (no purchases) in the snapshot of
/// 2024-06-30; x1 bought but is not in it. Returns the ids of r3, r4 and x1.
async fn shop(app: &TestApp) -> (i64, i64, i64) {
    let d = Day::from_ymd(2024, 3, 1).unwrap();
    let bought: &[(&str, &[&str])] = &[
        ("r1", &["home", "kitchen"]),
        ("r2", &["home", "kitchen"]),
        ("r3", &["home"]),
        ("r4", &["garden"]),
        ("a1", &["home", "garden"]),
        ("a2", &["garden"]),
        ("x1", &["home"]),
    ];
    let mut lines = Vec::new();
    for (customer, categories) in bought {
        for (k, category) in categories.iter().enumerate() {
            lines.push(NewOrderLine {
                customer: customer.to_string(),
                order_id: Some(format!("o-{customer}")),
                product: format!("{category}-{k}"),
                day: d,
                amount: Money::from_major(10),
                cost: None,
                quantity: None,
                price: None,
                list_price: None,
                category: Some(category.to_string()),
                full_price: None,
                row_line: 0,
                occurrence: 0,
            });
        }
    }
    let mut ids = std::collections::HashMap::new();
    for c in ["r1", "r2", "r3", "r4", "a1", "a2", "n1", "x1"] {
        ids.insert(c, app.customer(c, c).await);
    }
    let mut tx = app.store.begin_import("orders.csv").await.unwrap();
    tx.add(&lines).await.unwrap();
    tx.commit(lines.len() as u64, 0).await.unwrap();
    let as_of = Day::from_ymd(2024, 6, 30).unwrap();
    for (c, rung) in [
        ("r1", "regular"),
        ("r2", "regular"),
        ("r3", "regular"),
        ("r4", "regular"),
        ("a1", "advocate"),
        ("a2", "advocate"),
        ("n1", "newcomer"),
    ] {
        app.snapshot_row(as_of, ids[c], rung, Some("active"), None, 10)
            .await;
    }
    (ids["r3"], ids["r4"], ids["x1"])
}

fn rung<'a>(body: &'a Value, name: &str) -> &'a Value {
    body["rungs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rung"] == name)
        .unwrap_or_else(|| panic!("{name} in {body}"))
}

#[tokio::test]
async fn which_rungs_buy_what_and_suggestions_as_counted_by_hand() {
    on_both(|app| async move {
        let analyst = app.user("ana", Role::Analyst).await;
        let manager = app.user("max", Role::Manager).await;
        // Nothing scored: no snapshot, every rung empty.
        let (s, body) = app.get("/api/v1/portfolio/rungs", &analyst).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["snapshot"], Value::Null);

        let (r3, r4, x1) = shop(&app).await;
        let (s, body) = app
            .get("/api/v1/portfolio/rungs?as_of=2024-06-30", &analyst)
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["snapshot"], "2024-06-30");
        let regular = rung(&body, "regular");
        assert_eq!(regular["customers"], 4);
        // home 3 of 4, kitchen 2 of 4, garden 1 of 4, most bought first.
        let cats: Vec<(&str, u64)> = regular["categories"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["category"].as_str().unwrap(),
                    c["buyers"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(cats, vec![("home", 3), ("kitchen", 2), ("garden", 1)]);
        close(&regular["categories"][0]["share"], 0.75);
        close(&regular["categories"][2]["share"], 0.25);
        let advocate = rung(&body, "advocate");
        assert_eq!(advocate["customers"], 2);
        assert_eq!(advocate["categories"][0]["category"], "garden");
        close(&advocate["categories"][0]["share"], 1.0);
        close(&advocate["categories"][1]["share"], 0.5);
        // The newcomer bought nothing: counted, no categories.
        assert_eq!(rung(&body, "newcomer")["customers"], 1);
        assert_eq!(rung(&body, "newcomer")["categories"], json!([]));

        // r3 (regular, home): of the 3 regulars who bought home, 2 bought kitchen: 2/3; the
        // regulars' kitchen share is 2/4, so lift (2/3)/(1/2) = 4/3. Garden: none together.
        let q = "?as_of=2024-06-30&min_peers=2&min_together=2";
        let (s, body) = app
            .get(&format!("/api/v1/portfolio/suggestions/{r3}{q}"), &analyst)
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["rung"], "regular");
        assert_eq!(body["bought"], json!(["home"]));
        let list = body["suggestions"].as_array().unwrap();
        assert_eq!(list.len(), 1, "{body}");
        assert_eq!(list[0]["category"], "kitchen");
        assert_eq!(list[0]["because_of"], "home");
        assert_eq!(list[0]["peers"], 3);
        close(&list[0]["share_of_peers"], 2.0 / 3.0);
        close(&list[0]["lift"], 4.0 / 3.0);
        // r4's garden has one regular buyer, under min_peers: nothing to suggest.
        let (s, body) = app
            .get(&format!("/api/v1/portfolio/suggestions/{r4}{q}"), &analyst)
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["suggestions"], json!([]));
        // With the defaults (20 peers) nobody qualifies.
        let (_, body) = app
            .get(
                &format!("/api/v1/portfolio/suggestions/{r3}?as_of=2024-06-30"),
                &analyst,
            )
            .await;
        assert_eq!(body["suggestions"], json!([]));
        // Not scored: no rung, no suggestions.
        let (s, body) = app
            .get(&format!("/api/v1/portfolio/suggestions/{x1}{q}"), &analyst)
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["rung"], Value::Null);
        assert_eq!(body["suggestions"], json!([]));

        // Managers: no company-wide rungs; suggestions for their own customers only.
        let (s, _) = app.get("/api/v1/portfolio/rungs", &manager).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        app.assign(r3, "max").await;
        let (s, body) = app
            .get(&format!("/api/v1/portfolio/suggestions/{r3}{q}"), &manager)
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["suggestions"][0]["category"], "kitchen");
        let (s, _) = app
            .get(&format!("/api/v1/portfolio/suggestions/{r4}{q}"), &manager)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        app
    })
    .await;
}

#[tokio::test]
async fn hostile_rung_and_suggestion_parameters_name_their_field() {
    on_both(|app| async move {
        let analyst = app.user("ana", Role::Analyst).await;
        for (path, field) in [
            ("/api/v1/portfolio/suggestions/abc", "id"),
            ("/api/v1/portfolio/suggestions/-1", "id"),
            ("/api/v1/portfolio/suggestions/99999999999999999999", "id"),
            ("/api/v1/portfolio/rungs?min_peers=0", "min_peers"),
            ("/api/v1/portfolio/rungs?min_together=0", "min_together"),
            ("/api/v1/portfolio/rungs?as_of=2024-13-01", "as_of"),
            ("/api/v1/portfolio/rungs?as_of=1800-01-01", "as_of"),
            (
                "/api/v1/portfolio/suggestions/1?as_of=%27%3B%20DROP%20TABLE",
                "as_of",
            ),
        ] {
            let (s, body) = app.get(path, &analyst).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
            assert_eq!(error_field(&body), field, "{path}: {body}");
        }
        let (s, _) = app
            .get("/api/v1/portfolio/suggestions/424242", &analyst)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app
            .get("/api/v1/portfolio/rungs?min_peers=99999999999", &analyst)
            .await;
        assert!(s.is_client_error(), "{s}");
        app
    })
    .await;
}
