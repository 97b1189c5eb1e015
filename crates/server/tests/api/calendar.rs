//! The client calendar's routes on both backends: personal dates added within the scope with
//! hostile values refused by field, the upcoming occasions with their drafts per manager,
//! drafts edited (never into another customer's text of the occasion) and sent through the
//! contact policy into the contact log.

use std::collections::HashSet;

use clientele_store::{Channel, NewConsent, Role, Scope};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, day, error_field, on_both};

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
    app.send(
        app.client
            .put(format!("{}{path}", app.base))
            .bearer_auth(token)
            .json(body),
    )
    .await
}

const WINDOW: &str = "/api/v1/calendar/upcoming?from=2030-07-20&days=10";

#[tokio::test]
async fn dates_drafts_and_sending_follow_the_scope_and_the_policy() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        let oleg = app.user("oleg", Role::Manager).await;
        let analyst = app.user("ana", Role::Analyst).await;
        let anna = app.customer("anna", "Anna").await;
        let boris = app.customer("boris", "Boris").await;
        app.assign(anna, "mila").await;
        let dates = |id: i64| format!("/api/v1/customers/{id}/personal-dates");

        let (s, body) = app
            .post(&dates(anna), &mila, &json!({"label": "navy_day"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(
            body["rule"],
            json!({"rule": "nth_weekday", "month": 7, "weekday": 7, "nth": -1})
        );
        let (s, body) = app
            .post(&dates(anna), &mila, &json!({"label": "navy_day"}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        assert_eq!(
            app.post(&dates(anna), &oleg, &json!({"label": "navy_day"}))
                .await
                .0,
            StatusCode::NOT_FOUND,
            "another manager's customer"
        );
        assert_eq!(
            app.post(
                &dates(anna),
                &analyst,
                &json!({"label": "birthday", "date": "01.01.1990"})
            )
            .await
            .0,
            StatusCode::FORBIDDEN
        );
        for (bad, field) in [
            (json!({"label": " "}), "label"),
            (json!({"label": "x".repeat(101), "date": "01-01"}), "label"),
            (json!({"label": "a\u{0}b", "date": "01-01"}), "label"),
            (json!({"label": "birthday"}), "date"),
            (json!({"label": "birthday", "date": "31.02.1990"}), "date"),
            (
                json!({"label": "Navy", "date": "sixth Sunday of July"}),
                "date",
            ),
            (json!({"label": "Navy", "date": "1".repeat(81)}), "date"),
            (
                json!({"label": "Easter party", "date": "easter+999"}),
                "date",
            ),
        ] {
            let (s, body) = app.post(&dates(anna), &mila, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(error_field(&body), field, "{bad}: {body}");
        }
        let (s, body) = app
            .post(
                &dates(boris),
                &admin,
                &json!({"label": "Navy Day", "date": "last Sunday of July"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(app.store.count("personal_dates").await.unwrap(), 2);

        // Admins see both customers' Navy Day; Mila only Anna; hostile parameters by name.
        let (s, all) = app.get(WINDOW, &admin).await;
        assert_eq!(s, StatusCode::OK, "{all}");
        let items = all["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{all}");
        assert!(
            items
                .iter()
                .all(|o| o["occasion"] == "navy_day" && o["date"] == "2030-07-28")
        );
        let texts: HashSet<&str> = items
            .iter()
            .map(|o| o["greeting"].as_str().unwrap())
            .collect();
        assert_eq!(texts.len(), 2, "one occasion, two texts");
        let (s, hers) = app.get(WINDOW, &mila).await;
        assert_eq!(s, StatusCode::OK);
        let hers = hers["items"].as_array().unwrap().clone();
        assert_eq!(hers.len(), 1);
        assert_eq!(hers[0]["customer_id"], "anna");
        assert_eq!(hers[0]["channel"], Value::Null);
        assert_eq!(hers[0]["refusal"], "no_consented_channel");
        for (query, field) in [
            ("days=0", "days"),
            ("days=367", "days"),
            ("from=2030-02-30", "from"),
            ("language=de", "language"),
            ("manager=nobody", "manager"),
            ("manager=oleg", "manager"),
        ] {
            let (s, body) = app
                .get(&format!("/api/v1/calendar/upcoming?{query}"), &mila)
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
            assert_eq!(error_field(&body), field, "{query}: {body}");
        }
        let (s, only) = app.get(&format!("{WINDOW}&manager=mila"), &admin).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(only["items"].as_array().unwrap().len(), 1);

        // Editing: not into Boris's text, not by Oleg or an analyst, not hostile text.
        let draft = hers[0]["draft_id"].as_i64().unwrap();
        let boris_text =
            items.iter().find(|o| o["customer_id"] == "boris").unwrap()["greeting"].clone();
        let greeting = format!("/api/v1/greetings/{draft}");
        let (s, body) = put(&app, &greeting, &mila, &json!({"body": boris_text})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        assert_eq!(
            put(&app, &greeting, &oleg, &json!({"body": "Hi"})).await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            put(&app, &greeting, &analyst, &json!({"body": "Hi"}))
                .await
                .0,
            StatusCode::FORBIDDEN
        );
        for bad in [
            json!({"body": ""}),
            json!({"body": "x".repeat(10_001)}),
            json!({"body": "a\u{7}b"}),
        ] {
            let (s, body) = put(&app, &greeting, &mila, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert_eq!(error_field(&body), "body");
        }
        let (s, body) = put(
            &app,
            &greeting,
            &mila,
            &json!({"body": "Anna, happy Navy Day!"}),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["edited_by"], "mila");

        // Sending: refused without consent (nothing logged), sent by e-mail once there is one.
        let send = format!("{greeting}/send");
        let (s, body) = app.post(&send, &mila, &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["decision"], "refused");
        assert_eq!(body["refusal"], "no_consented_channel");
        assert_eq!(app.store.count("contact_log").await.unwrap(), 0);
        app.store
            .add_contact(anna, Channel::Email, "anna@example.com")
            .await
            .unwrap();
        app.store
            .record_consent_as(
                Scope::All,
                anna,
                &NewConsent {
                    channel: Channel::Email,
                    granted: true,
                    day: day(2025, 1, 1),
                    source: "card".into(),
                },
                "test",
            )
            .await
            .unwrap();
        let (s, body) = app
            .post(&send, &mila, &json!({"time_zone": "Mars/Olympus"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "time_zone");
        let (s, body) = app
            .post(&send, &mila, &json!({"local_time": "25:00"}))
            .await;
        assert_eq!(error_field(&body), "local_time", "{s}: {body}");
        let (s, body) = app.post(&send, &mila, &json!({})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["decision"], "send");
        assert_eq!(body["channel"], "email");
        let log_id = body["contact_log_id"].as_i64().unwrap();
        let (s, body) = app.post(&send, &mila, &json!({})).await;
        assert_eq!(s, StatusCode::CONFLICT, "sent once: {body}");
        let (_, log) = app.get("/api/v1/contact-log", &mila).await;
        let rows = log["items"].as_array().unwrap();
        assert_eq!(rows.len(), 1, "{log}");
        assert_eq!(rows[0]["id"], log_id);
        assert_eq!(rows[0]["module"], "calendar");
        let (_, hers) = app.get(WINDOW, &mila).await;
        assert_eq!(hers["items"][0]["greeting"], "Anna, happy Navy Day!");
        assert_eq!(hers["items"][0]["contact_log_id"], log_id);
        assert!(hers["items"][0]["sent_at"].is_i64());
        app
    })
    .await;
}
