//! Issue 23 at the HTTP layer, with hostile requests built here: security headers on every kind
//! of answer, JSON with trailing garbage refused, an oversized body answered 413 in the JSON
//! shape, sign-in throttled per name and per address (429 with Retry-After, even with the right
//! password), sign-ins from other sites refused, a password change ending the user's sessions,
//! and amounts and dates beyond the bounds refused with the field.

use std::time::{Duration, Instant};

use clientele_store::Role;
use clientele_testdb::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::common::RunningServer;
use super::{TestApp, error_field, on_both};

const PASSWORD: &str = "correct horse battery";

async fn spawn_with(change: impl FnOnce(&mut clientele_server::Settings)) -> TestApp {
    TestApp {
        server: RunningServer::start_with(Backend::Sqlite, change).await,
        client: reqwest::Client::new(),
    }
}

async fn sign_in(app: &TestApp, name: &str, password: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_personal_ones_are_not_cached() {
    let app = spawn_with(|_| {}).await;
    let token = app.user("ada", Role::Admin).await;
    let answers = [
        ("/login", None),
        ("/customers", None), // a redirect to the login page
        ("/api/v1/customers", Some(&token)),
        ("/api/v1/customers/999", Some(&token)), // 404
        ("/api/v1/customers", None),             // 401
        ("/no/such/path", None),
        ("/static/app.js", None),
    ];
    for (path, token) in answers {
        let mut req = app.client.get(format!("{}{path}", app.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.unwrap();
        let h = resp.headers();
        let get = |name: &str| h.get(name).map(|v| v.to_str().unwrap().to_string());
        let csp = get("content-security-policy").unwrap_or_default();
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(get("x-frame-options").as_deref(), Some("DENY"), "{path}");
        assert_eq!(
            get("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            get("referrer-policy").as_deref(),
            Some("same-origin"),
            "{path}"
        );
        let cache = get("cache-control").unwrap_or_default();
        if path.starts_with("/static/") {
            assert_ne!(cache, "no-store", "the static files keep their own rule");
        } else {
            assert_eq!(cache, "no-store", "{path}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn json_with_trailing_garbage_and_oversized_bodies_are_refused_in_the_json_shape() {
    let app = spawn_with(|s| s.max_body_bytes = 64 << 10).await;
    let token = app.user("ada", Role::Admin).await;
    let order = json!({"order_id": "o1", "customer": "c1", "day": "2025-01-05",
                       "lines": [{"amount": "10.00"}]});
    for garbage in ["x", "{}", "]", "\"more\""] {
        let body = format!("{order}{garbage}");
        let (s, answer) = app
            .send(
                app.client
                    .post(format!("{}/api/v1/orders", app.base))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{garbage}: {answer}");
        assert_eq!(answer["error"]["code"], "bad_request");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("trailing characters"),
            "{answer}"
        );
    }
    // White space after the value is fine; nothing was stored by the refused ones.
    let (s, answer) = app
        .send(
            app.client
                .post(format!("{}/api/v1/orders", app.base))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(format!("{order}\n  \n")),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["inserted"], 1);

    // A batch above the body limit, as JSON and as an upload: 413 with the error body.
    let lines: Vec<Value> = (0..5_000)
        .map(|i| json!({"product": format!("p{i}"), "amount": "1.00"}))
        .collect();
    let big = json!({"orders": [{"order_id": "o2", "customer": "c1", "day": "2025-01-06",
                                  "lines": lines}]});
    assert!(big.to_string().len() > 64 << 10);
    let (s, answer) = app.post("/api/v1/orders/batch", &token, &big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["error"]["code"], "too_large");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{}", 64 << 10)),
        "{answer}"
    );
    let (s, answer) = app
        .send(
            app.client
                .post(format!("{}/api/v1/imports", app.base))
                .bearer_auth(&token)
                .header("content-type", "text/csv")
                .body("customer_id,date,amount\n".repeat(4_000)),
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_eq!(answer["error"]["code"], "too_large");
    app.stop().await;
}

#[tokio::test]
async fn amounts_and_days_beyond_the_bounds_are_refused_with_the_field() {
    on_both(|app| async move {
        let token = app.user("ada", Role::Admin).await;
        // Issue 23: two of these made every later `score` fail with an integer overflow.
        let huge = "922337203685477.00";
        for (order, field, says) in [
            (
                json!({"order_id": "o1", "customer": "c1", "day": "2025-01-05",
                       "lines": [{"amount": huge}]}),
                "lines[0].amount",
                "",
            ),
            (
                json!({"order_id": "o2", "customer": "c1", "day": "2999-12-31",
                       "lines": [{"amount": "1.00"}]}),
                "day",
                "outside 1900-01-01 ..= 2100-12-31",
            ),
            (
                json!({"order_id": "o3", "customer": "c1", "day": "+2024-+1-+1",
                       "lines": [{"amount": "1.00"}]}),
                "day",
                "not a date",
            ),
            (
                json!({"order_id": "o4", "customer": "c1", "day": "2025-01-05",
                       "lines": [{"amount": "0.00001"}]}),
                "lines[0].amount",
                "",
            ),
        ] {
            let (s, answer) = app.post("/api/v1/orders", &token, &order).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{order}: {answer}");
            assert_eq!(error_field(&answer), field, "{answer}");
            let message = answer["error"]["message"].as_str().unwrap();
            assert!(message.contains(says), "{message}");
        }
        assert_eq!(app.store.count("order_lines").await.unwrap(), 0);
        app
    })
    .await;
}

#[tokio::test]
async fn sign_in_is_throttled_per_name_and_per_address() {
    let app = spawn_with(|s| {
        s.sign_in_throttle.per_user = 3;
        s.sign_in_throttle.per_address = 6;
    })
    .await;
    for name in ["sam", "kim"] {
        let u = app.store.add_user(name, Role::Analyst).await.unwrap();
        app.store.set_password(u.user.id, PASSWORD).await.unwrap();
    }
    // Two failures, then the third locks the name.
    for _ in 0..2 {
        assert_eq!(
            sign_in(&app, "sam", "wrong password").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = sign_in(&app, "sam", "wrong password").await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(retry, 900, "a quarter of an hour");
    let body: Value = locked.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_many_requests");
    // Locked: the right password is refused too, and so is the web form.
    assert_eq!(
        sign_in(&app, "sam", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    let form = app
        .client
        .post(format!("{}/login", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("name=sam&password={}", PASSWORD.replace(' ', "+")))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(form.headers().contains_key("retry-after"));
    assert!(
        form.text()
            .await
            .unwrap()
            .contains("Too many failed sign-ins")
    );
    // Another name signs in from the same address...
    assert_eq!(
        sign_in(&app, "kim", PASSWORD).await.status(),
        StatusCode::OK
    );
    // ...until the address has failed six times in all (three more, on unknown names).
    for name in ["x1", "x2"] {
        assert_eq!(
            sign_in(&app, name, "guess guess").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in(&app, "x3", "guess guess").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        sign_in(&app, "kim", PASSWORD).await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.stop().await;
}

#[tokio::test]
async fn sign_ins_from_another_sites_page_are_refused() {
    let app = spawn_with(|_| {}).await;
    let u = app.store.add_user("sam", Role::Analyst).await.unwrap();
    app.store.set_password(u.user.id, PASSWORD).await.unwrap();
    let api = app
        .client
        .post(format!("{}/api/v1/session", app.base))
        .header("origin", "https://evil.example")
        .json(&json!({"name": "sam", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    let form = app
        .client
        .post(format!("{}/login", app.base))
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("name=sam&password={}", PASSWORD.replace(' ', "+")))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::FORBIDDEN);
    assert!(form.headers().get("set-cookie").is_none());
    assert_eq!(app.store.count("sessions").await.unwrap(), 0);
    // From the server's own page (its own origin) it works.
    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let own = no_redirects
        .post(format!("{}/login", app.base))
        .header("origin", app.base.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("name=sam&password={}", PASSWORD.replace(' ', "+")))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn a_password_change_ends_the_users_sessions() {
    on_both(|app| async move {
        let u = app.store.add_user("sam", Role::Analyst).await.unwrap();
        app.store.set_password(u.user.id, PASSWORD).await.unwrap();
        let other = app.store.add_user("kim", Role::Analyst).await.unwrap();
        app.store
            .set_password(other.user.id, PASSWORD)
            .await
            .unwrap();
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let kim = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        for (c, name) in [(&client, "sam"), (&kim, "kim")] {
            let resp = c
                .post(format!("{}/api/v1/session", app.base))
                .json(&json!({"name": name, "password": PASSWORD}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
        }
        let me = |c: &reqwest::Client| c.get(format!("{}/api/v1/session", app.base)).send();
        assert_eq!(me(&client).await.unwrap().status(), StatusCode::OK);
        app.store
            .set_password(u.user.id, "a new long password")
            .await
            .unwrap();
        assert_eq!(
            me(&client).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            me(&kim).await.unwrap().status(),
            StatusCode::OK,
            "others stay"
        );
        app
    })
    .await;
}

/// An unknown name costs an argon2 verification too (it cost 1.2 ms against 22.4 ms, 19 times
/// less): the fastest of seven sign-ins of each kind (the least disturbed by the other tests
/// running at the same time) within a factor of three of each other.
#[tokio::test]
async fn unknown_and_known_names_take_the_same_time() {
    let app = spawn_with(|s| s.sign_in_throttle.per_address = 1_000).await;
    let u = app.store.add_user("sam", Role::Analyst).await.unwrap();
    app.store.set_password(u.user.id, PASSWORD).await.unwrap();
    // The two names are timed in turns and the fastest of each kept, so a burst of load on a
    // shared machine slows both alike instead of one block of runs (the test flaked once at
    // load 20 when each name was timed in a block of its own).
    let mut known = Duration::MAX;
    let mut unknown = Duration::MAX;
    for _ in 0..15 {
        for (name, fastest) in [("sam", &mut known), ("nobody", &mut unknown)] {
            let start = Instant::now();
            let _ = app.store.verify_password(name, "wrong password").await;
            *fastest = (*fastest).min(start.elapsed());
        }
    }
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    assert!(
        (1.0 / 3.0..=3.0).contains(&ratio),
        "unknown {unknown:?} vs known {known:?}"
    );
    app.stop().await;
}

/// 300 connections that send half a header or nothing (three times the connection limit) are all
/// closed within the header-read timeout (they stayed open forever), and the server answers
/// normally after.
#[tokio::test]
async fn half_open_connections_are_closed_and_bounded_in_number() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_with(|s| {
        s.header_read_timeout_seconds = 1;
        s.max_connections = 100;
    })
    .await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let mut streams = Vec::new();
    for i in 0..300 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.unwrap();
        if i % 2 == 0 {
            s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\n")
                .await
                .unwrap();
        }
        streams.push(s);
    }
    let mut closed_at = Vec::new();
    for mut s in streams {
        let mut buf = [0u8; 512];
        // Closed: end of file, a reset, or an error answer (408) and then the end.
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "a connection was still open after 5 s");
        closed_at.push(started.elapsed());
    }
    let last = closed_at.iter().max().unwrap();
    assert!(
        *last < Duration::from_secs(4),
        "the last closed after {last:?}"
    );
    let resp = app
        .client
        .get(format!("{}/api/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    app.stop().await;
}

/// A `.csv.gz` cut short is the file's fault, 422 on `file` saying so, as the CLI says it (it
/// answered 500); nothing of it is stored.
#[tokio::test]
async fn a_truncated_gzip_upload_is_the_files_fault() {
    use std::io::Write;
    let app = spawn_with(|_| {}).await;
    let token = app.user("ada", Role::Admin).await;
    let mut csv = String::from("customer_id,order_id,date,amount\n");
    for i in 0..20_000 {
        csv.push_str(&format!(
            "c{},o{i},2025-01-{:02},{}.50\n",
            i % 500,
            1 + i % 28,
            i % 90
        ));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(csv.as_bytes()).unwrap();
    let whole = gz.finish().unwrap();
    let cut = &whole[..whole.len() / 2];
    let (s, answer) = app
        .send(
            app.client
                .post(format!("{}/api/v1/imports", app.base))
                .bearer_auth(&token)
                .header("content-type", "application/gzip")
                .body(cut.to_vec()),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(error_field(&answer), "file", "{answer}");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("cut short"), "{message}");
    assert!(
        !message.contains("clientele-upload-"),
        "no server path: {message}"
    );
    assert_eq!(app.store.count("order_lines").await.unwrap(), 0);
    // The whole file imports.
    let (s, answer) = app
        .send(
            app.client
                .post(format!("{}/api/v1/imports", app.base))
                .bearer_auth(&token)
                .header("content-type", "application/gzip")
                .body(whole),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{answer}");
    assert_eq!(answer["inserted"], 20_000, "{answer}");
    app.stop().await;
}
