//! The contact policy's routes on both backends: consent history kept through withdrawals and
//! the scope, preferences with hostile values refused by field, planning through the policy
//! (recorded, capped, refused with reasons), the log and its states, and caps set by admins only.

use clientele_store::{Channel, Role};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, error_field, on_both};

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
    app.send(
        app.client
            .put(format!("{}{path}", app.base))
            .bearer_auth(token)
            .json(body),
    )
    .await
}

#[tokio::test]
async fn consents_preferences_and_the_log_follow_the_scope_and_refuse_bad_values() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        let oleg = app.user("oleg", Role::Manager).await;
        let anna = app.customer("anna", "Anna").await;
        app.assign(anna, "mila").await;
        app.store.add_contact(anna, Channel::Email, "anna@example.com").await.unwrap();
        let consents = format!("/api/v1/customers/{anna}/consents");

        let (s, body) = app
            .post(&consents, &mila, &json!({"channel": "email", "granted": true, "day": "2025-01-10", "source": "shop form"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["recorded_by"], "mila");
        let (s, body) = app
            .post(&consents, &mila, &json!({"channel": "email", "granted": false, "day": "2025-02-01"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["source"], "api", "the API's default source");
        let (s, body) = app.get(&consents, &mila).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(body["history"].as_array().unwrap().len(), 2, "the withdrawal kept as history");
        assert_eq!(body["withdrawn"], json!(["email"]));
        assert_eq!(body["consented"], json!([]));
        // Oleg does not see her; hostile values name their field.
        assert_eq!(app.get(&consents, &oleg).await.0, StatusCode::NOT_FOUND);
        for (bad, field) in [
            (json!({"channel": "pigeon", "granted": true}), "channel"),
            (json!({"channel": "sms", "granted": true, "day": "2999-01-01"}), "day"),
            (json!({"channel": "sms", "granted": true, "day": "yesterday"}), "day"),
            (json!({"channel": "sms", "granted": true, "source": "x".repeat(201)}), "source"),
            (json!({"channel": "sms", "granted": "yes"}), "granted"),
        ] {
            let (s, body) = app.post(&consents, &mila, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(error_field(&body), field, "{bad}: {body}");
        }
        assert_eq!(app.store.count("consents").await.unwrap(), 2, "nothing more written");
        let (s, _) = app
            .post(&consents, &mila, &json!({"channel": "email", "granted": true, "day": "2025-03-01"}))
            .await;
        assert_eq!(s, StatusCode::CREATED);

        let prefs = format!("/api/v1/customers/{anna}/contact-preferences");
        let good = json!({"preferred_channel": "email", "time_zone": "Asia/Vladivostok", "quiet_start": "20:00", "quiet_end": "12:00"});
        let (s, body) = put(&app, &prefs, &mila, &good).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(app.get(&prefs, &mila).await.1, good);
        for (bad, field) in [
            (json!({"time_zone": "Mars/Olympus"}), "time_zone"),
            (json!({"quiet_start": "25:00", "quiet_end": "09:00"}), "quiet_start"),
            (json!({"quiet_start": "21:00"}), "quiet_end"),
            (json!({"preferred_channel": "fax"}), "preferred_channel"),
        ] {
            let (s, body) = put(&app, &prefs, &mila, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(error_field(&body), field, "{bad}: {body}");
        }
        assert_eq!(put(&app, &prefs, &oleg, &good).await.0, StatusCode::NOT_FOUND);

        // Planning: Anna is allowed on e-mail at 12:00 Vladivostok (02:00 UTC); the unknown
        // customer is a 404 before anything is recorded; Oleg may not plan for her.
        let plan = json!({"day": "2025-03-10", "local_time": "10:00", "contacts": [
            {"customer_id": "anna", "kind": "greeting", "module": "calendar", "subject": "birthday"},
            {"customer_id": "anna", "kind": "offer", "module": "campaigns", "subject": "spring sale", "priority": -1},
            {"customer_id": "anna", "kind": "survey", "module": "surveys", "subject": "NPS", "priority": -2}
        ]});
        assert_eq!(app.post("/api/v1/contacts/plan", &oleg, &plan).await.0, StatusCode::NOT_FOUND);
        let analyst = app.user("ana", Role::Analyst).await;
        assert_eq!(app.post("/api/v1/contacts/plan", &analyst, &plan).await.0, StatusCode::FORBIDDEN);
        let (s, body) = app.post("/api/v1/contacts/plan", &mila, &plan).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!((body["allowed"].as_u64(), body["refused"].as_u64()), (Some(2), Some(1)));
        let c = &body["contacts"];
        assert_eq!(c[0]["channel"], "email");
        assert_eq!(c[0]["at"], "2025-03-10T02:00:00Z");
        assert_eq!(c[2]["refusal"], "weekly_cap_reached", "the third in a week is over the default 2");
        assert!(c[0]["log_id"].as_i64().is_some());
        for (bad, field) in [
            (json!({"day": "2025-03-10", "contacts": []}), "contacts"),
            (json!({"day": "2025-03-10", "local_time": "7pm", "contacts": [{"customer_id": "anna", "kind": "offer", "subject": "x"}]}), "local_time"),
            (json!({"day": "2025-03-10", "contacts": [{"customer_id": "anna", "kind": "spam", "subject": "x"}]}), "contacts[0].kind"),
            (json!({"day": "2025-03-10", "contacts": [{"customer_id": "anna", "kind": "offer", "subject": " "}]}), "contacts[0].subject"),
            (json!({"day": "2025-03-10", "contacts": [{"customer_id": "anna", "kind": "offer", "subject": "x", "channels": ["fax"]}]}), "contacts[0].channels"),
            (json!({"day": "2025-03-10", "time_zone": "Nowhere/Land", "contacts": [{"customer_id": "anna", "kind": "offer", "subject": "x"}]}), "time_zone"),
        ] {
            let (s, body) = app.post("/api/v1/contacts/plan", &mila, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(error_field(&body), field, "{bad}: {body}");
        }

        // The log: the customer's, and everyone's filtered; a planned one cancelled.
        let (s, log) = app.get(&format!("/api/v1/customers/{anna}/contact-log"), &mila).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(log["items"].as_array().unwrap().len(), 2);
        let (_, log) = app.get("/api/v1/contact-log?module=calendar&state=planned&from=2025-03-10&until=2025-03-10", &admin).await;
        assert_eq!(log["items"].as_array().unwrap().len(), 1, "{log}");
        assert_eq!(log["items"][0]["subject"], "birthday");
        assert_eq!(app.get("/api/v1/contact-log", &oleg).await.1["items"], json!([]));
        for q in ["?limit=0", "?module=spam", "?from=2025-03-10&until=2025-03-01", "?state=lost"] {
            assert_eq!(app.get(&format!("/api/v1/contact-log{q}"), &admin).await.0, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        }
        let id = c[0]["log_id"].as_i64().unwrap();
        let path = format!("/api/v1/contact-log/{id}/state");
        assert_eq!(app.post(&path, &oleg, &json!({"state": "cancelled"})).await.0, StatusCode::NOT_FOUND);
        let (s, row) = app.post(&path, &mila, &json!({"state": "cancelled"})).await;
        assert_eq!((s, row["state"].as_str()), (StatusCode::OK, Some("cancelled")));
        assert_eq!(app.post(&path, &mila, &json!({"state": "lost"})).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        // The cancelled greeting frees a place under the weekly cap: the survey now goes.
        let again = json!({"day": "2025-03-11", "contacts": [
            {"customer_id": "anna", "kind": "survey", "module": "surveys", "subject": "NPS"},
            {"customer_id": "anna", "kind": "service_notice", "subject": "your order shipped"}
        ], "dry_run": true});
        let (_, body) = app.post("/api/v1/contacts/plan", &mila, &again).await;
        assert_eq!(body["contacts"][0]["decision"], "send", "{body}");
        assert_eq!(body["contacts"][1]["decision"], "send", "service notices are not capped");
        assert_eq!(body["contacts"][0]["log_id"], Value::Null, "a dry run records nothing");

        // Caps: admins only, bounded.
        let (s, caps) = app.get("/api/v1/contact-caps", &mila).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(caps["caps"][0], json!({"rung": "default", "per_week": 2, "per_month": 6}));
        let cap = json!({"rung": "regular", "per_week": 1, "per_month": 4});
        assert_eq!(put(&app, "/api/v1/contact-caps", &mila, &cap).await.0, StatusCode::FORBIDDEN);
        assert_eq!(put(&app, "/api/v1/contact-caps", &admin, &cap).await.0, StatusCode::OK);
        let (_, caps) = app.get("/api/v1/contact-caps", &admin).await;
        assert!(caps["caps"].as_array().unwrap().contains(&cap), "{caps}");
        let (s, body) = put(&app, "/api/v1/contact-caps", &admin, &json!({"rung": "king", "per_week": 1, "per_month": 1})).await;
        assert_eq!((s, error_field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "rung"));
        let (s, body) = put(&app, "/api/v1/contact-caps", &admin, &json!({"rung": "default", "per_week": 5000, "per_month": 1})).await;
        assert_eq!((s, error_field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "per_week"));
        app
    })
    .await;
}
