//! Issue 23, item 5: admins disable, enable and remove users and revoke their tokens through
//! the API, with immediate effect on the user's existing token (even one the server has just
//! cached) and session; the last enabled admin is kept; managers and analysts cannot do any of
//! it; every change is in the audit log.

use clientele_store::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, error_field, on_both};

const PASSWORD: &str = "correct horse battery";

async fn status_with_token(app: &TestApp, token: &str) -> StatusCode {
    app.get("/api/v1/customers", token).await.0
}

async fn delete(app: &TestApp, path: &str, token: &str) -> (StatusCode, Value) {
    app.send(
        app.client
            .delete(format!("{}{path}", app.base))
            .bearer_auth(token),
    )
    .await
}

#[tokio::test]
async fn admins_disable_enable_remove_and_revoke_with_immediate_effect() {
    on_both(|app| async move {
        let admin = app.user("ada", Role::Admin).await;
        let manager = app.user("max", Role::Manager).await;
        let sam = app.store.add_user("sam", Role::Analyst).await.unwrap();
        app.store.set_password(sam.user.id, PASSWORD).await.unwrap();
        let sam_token = sam.token.clone();
        let id = sam.user.id;

        // Only admins.
        for (token, who) in [(&manager, "manager"), (&sam_token, "analyst")] {
            let (s, body) = app.get("/api/v1/users", token).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}: {body}");
            let (s, _) = app
                .post(&format!("/api/v1/users/{id}/disable"), token, &json!({}))
                .await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{who}");
        }
        let (s, list) = app.get("/api/v1/users", &admin).await;
        assert_eq!(s, StatusCode::OK, "{list}");
        let names: Vec<&str> = list["users"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["ada", "max", "sam"]);

        // Sam is in by token (now cached by the server) and by a session.
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let session = |c: &reqwest::Client| c.get(format!("{}/api/v1/session", app.base)).send();
        let sign_in = |c: &reqwest::Client| {
            c.post(format!("{}/api/v1/session", app.base))
                .json(&json!({"name": "sam", "password": PASSWORD}))
                .send()
        };
        assert_eq!(sign_in(&browser).await.unwrap().status(), StatusCode::OK);
        assert_eq!(session(&browser).await.unwrap().status(), StatusCode::OK);
        assert_eq!(status_with_token(&app, &sam_token).await, StatusCode::OK);

        // Disabled: token, session and password refused at once.
        let (s, body) = app
            .post(&format!("/api/v1/users/{id}/disable"), &admin, &json!({}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert!(body["disabled_at"].as_i64().is_some(), "{body}");
        assert_eq!(
            status_with_token(&app, &sam_token).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            session(&browser).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            sign_in(&reqwest::Client::new()).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );

        // Enabled: the token works again; the ended session stays ended.
        let (s, body) = app
            .post(&format!("/api/v1/users/{id}/enable"), &admin, &json!({}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert!(body.get("disabled_at").is_none(), "{body}");
        assert_eq!(status_with_token(&app, &sam_token).await, StatusCode::OK);
        assert_eq!(
            session(&browser).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );

        // Revoked (with a new token issued): the old token is refused at once, the new works.
        let (s, body) = app
            .post(
                &format!("/api/v1/users/{id}/revoke-tokens?reissue=true"),
                &admin,
                &json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["revoked"], 1, "{body}");
        let new_token = body["token"].as_str().unwrap().to_string();
        assert_ne!(new_token, sam_token);
        assert_eq!(
            status_with_token(&app, &sam_token).await,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(status_with_token(&app, &new_token).await, StatusCode::OK);
        let (s, body) = app
            .post(
                &format!("/api/v1/users/{id}/revoke-tokens?reissue=maybe"),
                &admin,
                &json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

        // Removed: gone from the list, the token refused.
        let (s, body) = delete(&app, &format!("/api/v1/users/{id}"), &admin).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["name"], "sam");
        assert_eq!(
            status_with_token(&app, &new_token).await,
            StatusCode::UNAUTHORIZED
        );
        let (_, list) = app.get("/api/v1/users", &admin).await;
        assert_eq!(list["users"].as_array().unwrap().len(), 2, "{list}");
        let (s, _) = delete(&app, &format!("/api/v1/users/{id}"), &admin).await;
        assert_eq!(s, StatusCode::NOT_FOUND);

        // Bad ids name the field; the only enabled admin is kept.
        let (s, body) = app
            .post("/api/v1/users/x1/disable", &admin, &json!({}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "id");
        let ada = app.store.user_by_name("ada").await.unwrap().id;
        let (s, body) = app
            .post(&format!("/api/v1/users/{ada}/disable"), &admin, &json!({}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        let (s, body) = delete(&app, &format!("/api/v1/users/{ada}"), &admin).await;
        assert_eq!(s, StatusCode::CONFLICT, "{body}");
        assert_eq!(status_with_token(&app, &admin).await, StatusCode::OK);

        // Each change is on record, by whom.
        let actions: Vec<(String, String)> = app
            .store
            .audit_entries(None, 50)
            .await
            .unwrap()
            .into_iter()
            .filter(|(_, _, e)| e.action.starts_with("user ") || e.action == "tokens revoked")
            .map(|(_, _, e)| (e.actor, e.action))
            .rev()
            .collect();
        let expected = [
            "user disabled",
            "user enabled",
            "tokens revoked",
            "user removed",
        ];
        assert_eq!(
            actions,
            expected.map(|a| ("ada".to_string(), a.to_string())),
        );
        app
    })
    .await;
}
