//! Issue 23, item 8: reads of personal data are audited — the customer list and its search
//! (API and page), a customer's notes, the card, the CSV and xlsx exports — with who, what,
//! which filters and ids; an admin reads the log through `GET /api/v1/audit` and the `/audit`
//! page (and its CSV), filtered and paged; managers and analysts get 403; hostile filters get
//! a clear 422 naming the field.

use clientele_store::Role;
use reqwest::StatusCode;
use serde_json::Value;

use super::{TestApp, error_field, on_both};

const PASSWORD: &str = "correct horse battery";

/// A browser-like client signed in as `name` (a session cookie, as the pages use).
async fn signed_in(app: &TestApp, name: &str) -> reqwest::Client {
    let u = app.store.user_by_name(name).await.unwrap();
    app.store.set_password(u.id, PASSWORD).await.unwrap();
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = c
        .post(format!("{}/api/v1/session", app.base))
        .json(&serde_json::json!({"name": name, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    c
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = c.get(format!("{}{path}", app.base)).send().await.unwrap();
    let s = r.status();
    (s, r.text().await.unwrap())
}

/// The log through the API as the admin reads it, after the buffered writer has caught up.
async fn log(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    app.audit.flush().await;
    let (s, body) = app.get(&format!("/api/v1/audit?{query}"), admin).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    body["items"].as_array().unwrap().clone()
}

fn field<'a>(e: &'a Value, name: &str) -> &'a str {
    e[name].as_str().unwrap_or_default()
}

#[tokio::test]
async fn every_kind_of_read_of_personal_data_is_audited_with_its_filters_and_ids() {
    on_both(|app| async move {
        let admin = app.user("ada", Role::Admin).await;
        let manager = app.user("max", Role::Manager).await;
        let ivan = app.customer("C-1", "Иван Петров").await;
        let olga = app.customer("C-2", "Ольга Смирнова").await;
        app.assign(ivan, "max").await;

        // The API's list: the manager sees Ivan only, and the entry names him alone.
        let (s, _) = app.get("/api/v1/customers?limit=10", &manager).await;
        assert_eq!(s, StatusCode::OK);
        let lists = log(&app, &admin, "action=list&user=max").await;
        assert_eq!(lists.len(), 1, "{lists:?}");
        assert_eq!(
            field(&lists[0], "detail"),
            format!("customers (api): no filters; ids {ivan}")
        );

        // A search is a `search`, with its text.
        let (s, _) = app
            .get("/api/v1/customers?q=%D0%9E%D0%BB%D1%8C%D0%B3", &admin)
            .await;
        assert_eq!(s, StatusCode::OK);
        let searches = log(&app, &admin, "action=search").await;
        assert_eq!(searches.len(), 1, "{searches:?}");
        assert_eq!(
            field(&searches[0], "detail"),
            format!("customers (api): q=Ольг; ids {olga}")
        );
        assert_eq!(field(&searches[0], "user"), "ada");

        // A customer's notes.
        let (s, _) = app
            .get(&format!("/api/v1/customers/{ivan}/notes"), &manager)
            .await;
        assert_eq!(s, StatusCode::OK);
        let notes = log(&app, &admin, "action=notes").await;
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0]["customer_id"].as_i64(), Some(ivan));
        assert_eq!(field(&notes[0], "user"), "max");

        // The card.
        let (s, _) = app.get(&format!("/api/v1/customers/{olga}"), &admin).await;
        assert_eq!(s, StatusCode::OK);
        let views = log(&app, &admin, "action=view").await;
        assert_eq!(views[0]["customer_id"].as_i64(), Some(olga));

        // The pages: the list with a search, and every export.
        let browser = signed_in(&app, "max").await;
        let (s, html) = page(&browser, &app, "/customers?q=%D0%98%D0%B2%D0%B0%D0%BD").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("Иван"), "{html}");
        let web_searches = log(&app, &admin, "action=search&user=max").await;
        assert_eq!(
            field(&web_searches[0], "detail"),
            format!("customers (web): q=Иван; ids {ivan}")
        );
        for (path, detail) in [
            ("/customers.csv?status=lost", "customers.csv: status=lost"),
            ("/customers.xlsx", "customers.xlsx: no filters"),
            ("/today.csv", "today.csv: no filters"),
            ("/today.xlsx", "today.xlsx: no filters"),
            ("/lost.csv", "lost.csv: no filters"),
            ("/lost.xlsx", "lost.xlsx: no filters"),
        ] {
            let (s, _) = page(&browser, &app, path).await;
            assert_eq!(s, StatusCode::OK, "{path}");
            let exports = log(&app, &admin, "action=export&user=max&limit=1").await;
            assert_eq!(field(&exports[0], "detail"), detail, "{path}");
        }
        let all_exports = log(&app, &admin, "action=export&user=max").await;
        assert_eq!(all_exports.len(), 6);

        // Reading the log is recorded too, with its filters (the newest is the read before).
        let audits = log(&app, &admin, "action=audit&limit=1").await;
        assert_eq!(field(&audits[0], "user"), "ada");
        assert_eq!(field(&audits[0], "detail"), "api: user=max action=export");
        app
    })
    .await;
}

#[tokio::test]
async fn only_admins_read_the_log_and_hostile_filters_are_refused_by_field() {
    on_both(|app| async move {
        let admin = app.user("ada", Role::Admin).await;
        let manager = app.user("max", Role::Manager).await;
        let analyst = app.user("ana", Role::Analyst).await;
        for token in [&manager, &analyst] {
            let (s, body) = app.get("/api/v1/audit", token).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
        }
        let (s, _) = app.get("/api/v1/audit", "").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        for name in ["max", "ana"] {
            let c = signed_in(&app, name).await;
            let (s, html) = page(&c, &app, "/audit").await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{name}");
            assert!(html.contains("The audit log is for admins."), "{html}");
            let (s, _) = page(&c, &app, "/audit.csv").await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{name}");
            // The navigation offers the link to admins only.
            let (_, home) = page(&c, &app, "/customers").await;
            assert!(!home.contains("href=\"/audit\""), "{name}");
        }
        let long = "x".repeat(10_000);
        for (query, field_name) in [
            ("from=2026-13-01", "from"),
            ("to=%2B2024-%2B1-%2B1", "to"),
            ("from=2026-12-02&to=2026-12-01", "to"),
            ("limit=1000000", "limit"),
            ("limit=0", "limit"),
            ("limit=99999999999999999999", "limit"),
            ("before=-1", "before"),
            ("before=abc", "before"),
        ] {
            let (s, body) = app.get(&format!("/api/v1/audit?{query}"), &admin).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
            assert_eq!(error_field(&body), field_name, "{query}: {body}");
        }
        let (s, body) = app.get(&format!("/api/v1/audit?user={long}"), &admin).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "user");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("10000 characters; at most 200"),
            "{body}"
        );
        let (s, body) = app.get(&format!("/api/v1/audit?from={long}"), &admin).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "from");
        let (s, _) = app.get("/api/v1/audit?colour=red", &admin).await;
        assert!(s.is_client_error(), "{s}");
        // The page says the same in the reader's words.
        let c = signed_in(&app, "ada").await;
        let (s, html) = page(&c, &app, "/audit?from=2026-02-30").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("From"), "{html}");
        app
    })
    .await;
}

#[tokio::test]
async fn the_admin_pages_through_the_log_and_downloads_it_filtered() {
    on_both(|app| async move {
        let admin = app.user("ada", Role::Admin).await;
        let ivan = app.customer("C-1", "Иван").await;
        for _ in 0..5 {
            let (s, _) = app.get(&format!("/api/v1/customers/{ivan}"), &admin).await;
            assert_eq!(s, StatusCode::OK);
        }
        app.audit.flush().await;
        // Pages of 2 through the 5 views, newest first, nothing twice.
        let mut ids = Vec::new();
        let mut before = String::new();
        loop {
            let (s, body) = app
                .get(
                    &format!("/api/v1/audit?action=view&limit=2{before}"),
                    &admin,
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{body}");
            ids.extend(
                body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["id"].as_i64().unwrap()),
            );
            match body["next_before"].as_i64() {
                Some(b) => before = format!("&before={b}"),
                None => break,
            }
        }
        assert_eq!(ids.len(), 5);
        assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");
        // Dates: today's entries are kept by today, none by a day long past.
        let today = clientele_app::clock::today();
        assert_eq!(
            log(
                &app,
                &admin,
                &format!("action=view&from={today}&to={today}")
            )
            .await
            .len(),
            5
        );
        assert!(
            log(&app, &admin, "action=view&to=2001-01-01")
                .await
                .is_empty()
        );

        let c = signed_in(&app, "ada").await;
        let (s, html) = page(&c, &app, "/audit?action=view").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(html.matches("data-action=\"view\"").count(), 5, "{html}");
        assert!(
            html.contains("href=\"/audit\""),
            "the admin's navigation links the log"
        );
        let (s, csv) = page(&c, &app, "/audit.csv?action=view&excel=0").await;
        assert_eq!(s, StatusCode::OK);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "id,at_utc,user,action,customer_id,detail");
        assert_eq!(lines.len(), 6, "{csv}");
        assert!(
            lines[1].contains(&format!(",ada,view,{ivan},card")),
            "{csv}"
        );
        app
    })
    .await;
}
