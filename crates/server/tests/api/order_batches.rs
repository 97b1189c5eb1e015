//! Issue 23, item 7: an order batch is read as it arrives, as JSON or NDJSON, and staged in
//! chunks yet written all or nothing; every hostile batch (truncated, nested too deep, a line
//! too long, wrong types, trailing garbage, empty, a blank or broken NDJSON line) is a 4xx that
//! names the order's position, and leaves nothing behind: no line, no customer, no staged row.

use clientele_store::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, error_field, on_both};

const NDJSON: &str = "application/x-ndjson";
const JSON: &str = "application/json";

fn order(i: usize, customer: &str, lines: usize) -> Value {
    let lines: Vec<Value> = (0..lines)
        .map(|j| json!({"product": format!("p{j}"), "amount": format!("{}.25", 1 + j % 50)}))
        .collect();
    json!({"order_id": format!("o{i}"), "customer": customer, "day": "2025-02-01", "lines": lines})
}

async fn post_raw(
    app: &TestApp,
    token: &str,
    content_type: &str,
    body: String,
) -> (StatusCode, Value) {
    app.send(
        app.client
            .post(format!("{}/api/v1/orders/batch", app.base))
            .bearer_auth(token)
            .header("content-type", content_type)
            .body(body),
    )
    .await
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or("")
}

async fn nothing_written(app: &TestApp, what: &str) {
    for table in ["order_lines", "customers", "import_staging"] {
        assert_eq!(app.store.count(table).await.unwrap(), 0, "{what}: {table}");
    }
}

#[tokio::test]
async fn ndjson_and_json_batches_are_written_alike_and_idempotently() {
    on_both(|app| async move {
        let token = app.user("feed", Role::Analyst).await;
        let orders = [order(1, "c-1", 2), order(2, "c-2", 1), order(3, "c-1", 3)];
        let ndjson: String = orders.iter().map(|o| format!("{o}\n")).collect();
        let (s, first) = post_raw(&app, &token, NDJSON, ndjson.clone()).await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(
            first,
            json!({"inserted": 6, "unchanged": 0, "new_customers": 2})
        );
        // The same orders as JSON (CRLF line ends and no last newline in NDJSON are fine too).
        let (s, again) = post_raw(&app, &token, JSON, json!({"orders": orders}).to_string()).await;
        assert_eq!(s, StatusCode::OK, "{again}");
        assert_eq!(
            again,
            json!({"inserted": 0, "unchanged": 6, "new_customers": 0})
        );
        let crlf = ndjson.trim_end().replace('\n', "\r\n");
        let (s, again) = post_raw(&app, &token, NDJSON, crlf).await;
        assert_eq!(s, StatusCode::OK, "{again}");
        assert_eq!(again["unchanged"], 6);
        assert_eq!(app.store.count("order_lines").await.unwrap(), 6);
        assert_eq!(app.store.count("import_staging").await.unwrap(), 0);
        app
    })
    .await;
}

/// 2,500 orders of 10 lines are staged in several chunks (8,192 lines each); the last order's
/// bad amount refuses all of them, and the same batch made good is written whole.
#[tokio::test]
async fn a_batch_staged_in_chunks_is_still_all_or_nothing() {
    on_both(|app| async move {
        let token = app.user("feed", Role::Analyst).await;
        let mut orders: Vec<Value> = (0..2_500)
            .map(|i| order(i, &format!("c{}", i % 300), 10))
            .collect();
        orders[2_499]["lines"][9]["amount"] = json!("ten");
        for (format, body) in [
            (JSON, json!({"orders": orders}).to_string()),
            (NDJSON, orders.iter().map(|o| format!("{o}\n")).collect()),
        ] {
            let (s, body) = post_raw(&app, &token, format, body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{format}: {body}");
            assert_eq!(error_field(&body), "orders[2499].lines[9].amount", "{body}");
            if format == NDJSON {
                assert!(message(&body).ends_with("(line 2500)"), "{body}");
            }
            nothing_written(&app, format).await;
        }
        orders[2_499]["lines"][9]["amount"] = json!("10");
        let (s, body) = post_raw(&app, &token, JSON, json!({"orders": orders}).to_string()).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({"inserted": 25_000, "unchanged": 0, "new_customers": 300})
        );
        assert_eq!(app.store.count("order_lines").await.unwrap(), 25_000);
        assert_eq!(app.store.count("import_staging").await.unwrap(), 0);
        app
    })
    .await;
}

#[tokio::test]
async fn hostile_batches_are_refused_naming_the_order_and_nothing_is_written() {
    on_both(|app| async move {
        let token = app.user("feed", Role::Analyst).await;
        let good = |i: usize| order(i, "c-1", 2).to_string();
        let deep = format!(
            r#"{{"order_id": "o", "customer": "c", "day": "2025-02-01", "lines": [{{"product": {}1{}, "amount": "1"}}]}}"#,
            "[".repeat(10),
            "]".repeat(10)
        );
        let long_product = format!(
            r#"{{"order_id": "o", "customer": "c", "day": "2025-02-01", "lines": [{{"product": "{}", "amount": "1"}}]}}"#,
            "x".repeat(1 << 20)
        );
        let wrong_type =
            r#"{"order_id": 7, "customer": "c", "day": "2025-02-01", "lines": [{"amount": "1"}]}"#;
        let lines_not_a_list =
            r#"{"order_id": "o", "customer": "c", "day": "2025-02-01", "lines": "many"}"#;
        // (format, body, status, field, words the message must hold)
        let cases: Vec<(&str, String, StatusCode, &str, &str)> = vec![
            (
                JSON,
                format!(r#"{{"orders": [{}, {}, {{"order_id": "o3", "cust"#, good(1), good(2)),
                StatusCode::BAD_REQUEST,
                "orders[2]",
                "the body ends inside this order",
            ),
            (
                JSON,
                format!(r#"{{"orders": [{}, {}"#, good(1), good(2)),
                StatusCode::BAD_REQUEST,
                "orders[1]",
                "before the batch's closing brackets",
            ),
            (
                JSON,
                format!(r#"{{"orders": [{}, {deep}]}}"#, good(1)),
                StatusCode::BAD_REQUEST,
                "orders[1]",
                "nested deeper than 8 levels",
            ),
            (
                NDJSON,
                format!("{}\n{deep}\n", good(1)),
                StatusCode::BAD_REQUEST,
                "orders[1]",
                "orders[1] (line 2): nested deeper than 8 levels",
            ),
            (
                JSON,
                format!(r#"{{"orders": [{}, {long_product}]}}"#, good(1)),
                StatusCode::BAD_REQUEST,
                "orders[1]",
                "longer than 1048576 bytes",
            ),
            (
                NDJSON,
                format!("{}\n{}\n{long_product}\n", good(1), good(2)),
                StatusCode::BAD_REQUEST,
                "orders[2]",
                "orders[2] (line 3): the line is longer than 1048576 bytes",
            ),
            (
                JSON,
                format!(r#"{{"orders": [{}, {wrong_type}]}}"#, good(1)),
                StatusCode::UNPROCESSABLE_ENTITY,
                "orders[1].order_id",
                "invalid type",
            ),
            (
                NDJSON,
                format!("{}\n{lines_not_a_list}\n", good(1)),
                StatusCode::UNPROCESSABLE_ENTITY,
                "orders[1].lines",
                "(line 2)",
            ),
            (
                JSON,
                format!(r#"{{"orders": [{}]}} x"#, good(1)),
                StatusCode::BAD_REQUEST,
                "",
                "trailing characters after the batch",
            ),
            (
                JSON,
                format!(r#"{{"orders": [{} x]}}"#, good(1)),
                StatusCode::BAD_REQUEST,
                "orders[0]",
                "trailing characters",
            ),
            (
                JSON,
                r#"{"orders": []}"#.to_string(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "orders",
                "the batch is empty",
            ),
            (
                NDJSON,
                String::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "orders",
                "the batch is empty",
            ),
            (
                NDJSON,
                format!("{}\n\n{}\n", good(1), good(2)),
                StatusCode::BAD_REQUEST,
                "orders[1]",
                "orders[1] (line 2): the line is blank",
            ),
            (
                NDJSON,
                format!("{}\n{{\"order_id\": \"o2\", \n{}\n", good(1), good(3)),
                StatusCode::BAD_REQUEST,
                "orders[1]",
                "orders[1] (line 2): the body is not valid JSON",
            ),
            (
                JSON,
                format!(r#"{{"orders": [{}], "more": []}}"#, good(1)),
                StatusCode::BAD_REQUEST,
                "",
                "`orders` is its only field",
            ),
            (
                "text/plain",
                format!("{}\n", good(1)),
                StatusCode::BAD_REQUEST,
                "",
                "application/x-ndjson",
            ),
            (
                NDJSON,
                (0..10_001).map(|i| format!("{}\n", good(i))).collect(),
                StatusCode::UNPROCESSABLE_ENTITY,
                "orders",
                "at most 10000 orders per batch",
            ),
        ];
        for (format, body, status, field, words) in cases {
            let shown: String = body.chars().take(80).collect();
            let (s, answer) = post_raw(&app, &token, format, body).await;
            assert_eq!(s, status, "{format} {shown}: {answer}");
            assert_eq!(error_field(&answer), field, "{format} {shown}: {answer}");
            assert!(message(&answer).contains(words), "{format} {shown}: {answer}");
            nothing_written(&app, &shown).await;
        }
        app
    })
    .await;
}

/// The OpenAPI document offers both content types for the batch.
#[tokio::test]
async fn the_openapi_document_describes_the_ndjson_batch() {
    let app = TestApp::spawn(clientele_testdb::Backend::Sqlite).await;
    let (s, doc) = app
        .send(app.client.get(format!("{}/api/openapi.json", app.base)))
        .await;
    assert_eq!(s, StatusCode::OK);
    let content = &doc["paths"]["/api/v1/orders/batch"]["post"]["requestBody"]["content"];
    assert_eq!(
        content["application/json"]["schema"]["$ref"],
        "#/components/schemas/OrderBatch"
    );
    assert_eq!(
        content["application/x-ndjson"]["schema"]["$ref"],
        "#/components/schemas/NewOrder"
    );
    app.stop().await;
}
