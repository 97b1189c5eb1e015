//! Surveys and invitation rounds over the API, on SQLite and PostgreSQL: a survey created once
//! (a taken name 409, bad fields 422 naming the field), listed with its counts, managers
//! refused, and an invitation round refusing a bad base address, an unknown or closed survey,
//! and an unknown rung with the field named.

use reqwest::StatusCode;
use serde_json::json;

use super::{error_field, on_both};
use clientele_store::Role;

#[tokio::test]
async fn surveys_are_created_listed_and_invitation_rounds_checked() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        let (s, body) = app
            .post(
                "/api/v1/surveys",
                &admin,
                &json!({"name": "pulse", "touchpoint": "delivery", "link_days": 14}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
        assert_eq!(body["kind"], "nps");
        assert_eq!(body["scale"], "0-10");
        assert_eq!(body["link_days"], 14);
        assert_eq!(body["created_by"], "root");
        let (s, body) = app
            .post("/api/v1/surveys", &admin, &json!({"name": "pulse"}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        for (bad, field) in [
            (json!({"name": "x", "kind": "ces"}), "kind"),
            (json!({"name": "x", "scale": "0-5"}), "scale"),
            (
                json!({"name": "x", "kind": "csat", "scale": "0-10"}),
                "scale",
            ),
            (json!({"name": "x", "link_days": 0}), "link_days"),
            (json!({"name": "x", "link_days": 400}), "link_days"),
            (json!({"name": "x", "closes": "31.12.2026"}), "closes"),
            (json!({"name": "   "}), "name"),
            (json!({"name": "a".repeat(101)}), "name"),
        ] {
            let (s, body) = app.post("/api/v1/surveys", &admin, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(error_field(&body), field, "{bad}: {body}");
        }
        let (s, _) = app
            .post("/api/v1/surveys", &mila, &json!({"name": "mine"}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, body) = app.get("/api/v1/surveys", &admin).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let items = body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{body}");
        assert_eq!(items[0]["name"], "pulse");
        assert_eq!(items[0]["invited"], 0);
        assert_eq!(items[0]["answered"], 0);
        let (s, _) = app.get("/api/v1/surveys", &mila).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        let round = |base: &str| json!({"base_url": base, "limit": 10});
        for (path, body, field) in [
            (
                "/api/v1/surveys/pulse/invitations",
                round("ftp://x"),
                "base_url",
            ),
            (
                "/api/v1/surveys/nope/invitations",
                round("https://f.example"),
                "survey",
            ),
            (
                "/api/v1/surveys/pulse/invitations",
                json!({"base_url": "https://f.example", "rungs": ["king"]}),
                "rungs",
            ),
            (
                "/api/v1/surveys/pulse/invitations",
                json!({"base_url": "https://f.example", "limit": 0}),
                "limit",
            ),
            (
                "/api/v1/surveys/pulse/invitations",
                json!({"base_url": "https://f.example", "at": "7pm"}),
                "at",
            ),
        ] {
            let (s, answer) = app.post(path, &admin, &body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
            assert_eq!(error_field(&answer), field, "{body}: {answer}");
        }
        let (s, _) = app
            .post(
                "/api/v1/surveys/pulse/invitations",
                &mila,
                &round("https://f.example"),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Nobody scored yet: nobody to invite, said plainly.
        let (s, body) = app
            .post(
                "/api/v1/surveys/pulse/invitations",
                &admin,
                &round("https://f.example"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(
            body,
            json!({"survey": "pulse", "invited": [], "refused": [], "raced": 0, "period_days": 90})
        );
        app
    })
    .await;
}
