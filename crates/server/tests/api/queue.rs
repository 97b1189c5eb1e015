//! The daily queue and the playbook through the API on both backends: a manager's queue holds
//! only their customers, an item without consent says why it may not be sent, done items reach
//! the contact log (a second mark 409), analysts read only, only admins save the playbook and a
//! playbook that does not read is refused naming its key; hostile parameters name the field.

use clientele_store::Role;
use reqwest::StatusCode;
use serde_json::json;

use super::{day, error_field, on_both};

#[tokio::test]
async fn the_queue_and_the_playbook_through_the_api() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        let ana = app.user("ana", Role::Analyst).await;
        let as_of = day(2025, 6, 30);
        for i in 0..4 {
            let id = app.customer(&format!("q-{i}"), "Q").await;
            app.snapshot_row(as_of, id, "regular", Some("slipping"), None, 100)
                .await;
            if i == 3 {
                app.assign(id, "mila").await;
            }
        }
        let (s, q) = app.get("/api/v1/queue?date=2025-07-01", &admin).await;
        assert_eq!(s, StatusCode::OK, "{q}");
        assert_eq!(q["snapshot"], "2025-06-30");
        assert_eq!(q["candidates"], 4);
        let items = q["items"].as_array().unwrap();
        assert_eq!(items.len(), 4);
        assert_eq!(items[0]["customer_id"], "q-0");
        assert_eq!(items[0]["action"], "rhythm_reminder");
        assert_eq!(items[0]["channel"], serde_json::Value::Null);
        assert_eq!(items[0]["blocked"]["code"], "no_consented_channel");
        // The rows carry no CLV and the snapshot recorded no horizon: none is claimed.
        assert_eq!(items[0]["clv_horizon_days"], serde_json::Value::Null);
        let (s, q) = app.get("/api/v1/queue?date=2025-07-01", &mila).await;
        assert_eq!(s, StatusCode::OK);
        let mine: Vec<&str> = q["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["customer_id"].as_str().unwrap())
            .collect();
        assert_eq!(mine, vec!["q-3"]);
        for bad in ["limit=0", "limit=10001", "date=2025-02-30", "manager=nobody", "surprise=1"] {
            let (s, body) = app.get(&format!("/api/v1/queue?{bad}"), &admin).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        }

        // Outcomes: analysts read only, a manager only theirs, hostile bodies name the field.
        let done = json!({"customer_id": "q-3", "action": "rhythm_reminder", "channel": "phone",
                          "outcome": "answered", "date": "2025-07-01", "note": "calls back"});
        let (s, _) = app.post("/api/v1/queue/outcomes", &ana, &done).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let other = json!({"customer_id": "q-0", "action": "rhythm_reminder", "channel": "phone",
                           "outcome": "answered", "date": "2025-07-01"});
        let (s, _) = app.post("/api/v1/queue/outcomes", &mila, &other).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        for (bad, field) in [
            (json!({"customer_id": "q-3", "action": "rhythm_reminder", "channel": "fax", "outcome": "answered"}), "channel"),
            (json!({"customer_id": "q-3", "action": "rhythm_reminder", "channel": "phone", "outcome": "maybe"}), "outcome"),
            (json!({"customer_id": "q-3", "action": "vip_offer", "channel": "phone", "outcome": "answered"}), "action"),
            (json!({"customer_id": "q-3", "action": "rhythm_reminder", "outcome": "snoozed", "snooze_until": "2024-01-01"}), "snooze_until"),
            (json!({"customer_id": "q-3", "action": "rhythm_reminder", "channel": "phone", "outcome": "answered", "note": "x".repeat(2001)}), "note"),
        ] {
            let (s, body) = app.post("/api/v1/queue/outcomes", &mila, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(error_field(&body), field, "{body}");
        }
        let (s, rec) = app.post("/api/v1/queue/outcomes", &mila, &done).await;
        assert_eq!(s, StatusCode::CREATED, "{rec}");
        assert_eq!(rec["cost"], 30.0);
        assert!(rec["contact_log_id"].as_i64().is_some());
        let (s, _) = app.post("/api/v1/queue/outcomes", &mila, &done).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (_, q) = app.get("/api/v1/queue?date=2025-07-01", &mila).await;
        assert_eq!(q["items"][0]["outcome"], "answered");

        // The playbook: everyone reads it, only admins save it, errors name the key.
        let (s, p) = app.get("/api/v1/playbook", &ana).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(p["version"], serde_json::Value::Null);
        let text = p["toml"].as_str().unwrap().to_string();
        let put = |token: String, body: serde_json::Value| {
            let req = app
                .client
                .put(format!("{}/api/v1/playbook", app.base))
                .bearer_auth(token)
                .json(&body);
            app.send(req)
        };
        let (s, _) = put(mila.clone(), json!({"toml": text})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let broken = text.replacen("budget_period_days = 90", "budget_period_days = -3", 1);
        let (s, body) = put(admin.clone(), json!({"toml": broken})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "toml");
        assert!(body["error"]["message"].as_str().unwrap().contains("queue.budget_period_days"), "{body}");
        let (s, _) = put(admin.clone(), json!({"toml": "#".repeat(300_000)})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let cheaper = text.replacen("budget_per_customer = 1000", "budget_per_customer = 20", 1);
        let (s, saved) = put(admin.clone(), json!({"toml": cheaper})).await;
        assert_eq!(s, StatusCode::OK, "{saved}");
        let (_, p) = app.get("/api/v1/playbook", &ana).await;
        assert_eq!(p["version"], saved["version"]);
        assert_eq!(p["saved_by"], "root");
        // The cheaper budget is in force: a reminder costs 30, more than the 20 allowed.
        let (_, q) = app.get("/api/v1/queue?date=2025-07-02", &admin).await;
        assert_eq!(q["items"][0]["blocked"]["code"], "budget_spent", "{q}");
        app
    })
    .await;
}
