//! The HTTP API end to end: every test builds the server on port 0 over a fresh database and
//! talks to it with real HTTP requests, once on SQLite and once on a real PostgreSQL server
//! (see `clientele-testdb`). Expected values are computed here from the data the test wrote,
//! not read back from the server's own code.

#[path = "api/answers_hostile.rs"]
mod answers_hostile;
#[path = "api/assess.rs"]
mod assess;
#[path = "api/audit_queue.rs"]
mod audit_queue;
#[path = "api/audit_reads.rs"]
mod audit_reads;
#[path = "api/calendar.rs"]
mod calendar;
#[path = "api/campaigns.rs"]
mod campaigns;
mod common;
#[path = "api/contact_log.rs"]
mod contact_log;
#[path = "api/contacts.rs"]
mod contacts;
#[path = "api/feedback.rs"]
mod feedback;
#[path = "api/hostile_uploads.rs"]
mod hostile_uploads;
#[path = "api/idle_timeout.rs"]
mod idle_timeout;
#[path = "api/nps_behaviour.rs"]
mod nps_behaviour;
#[path = "api/nps_csat.rs"]
mod nps_csat;
#[path = "api/order_batches.rs"]
mod order_batches;
#[path = "api/portfolio.rs"]
mod portfolio;
#[path = "api/portfolio_rungs.rs"]
mod portfolio_rungs;
#[path = "api/queue.rs"]
mod queue;
#[path = "api/request_timeout.rs"]
mod request_timeout;
#[path = "api/scoring.rs"]
mod scoring;
#[path = "api/security.rs"]
mod security;
#[path = "api/staff.rs"]
mod staff;
#[path = "api/surveys.rs"]
mod surveys;
#[path = "api/users_admin.rs"]
mod users_admin;
#[path = "api/voice.rs"]
mod voice;
#[path = "api/winback.rs"]
mod winback;

use std::future::Future;

use clientele_core::{Day, Money};
use clientele_store::{
    Channel, ConsentRecord, CustomerEdit, DateRule, NewCustomer, NewOrderLine, PersonalDateRecord,
    Role, Scope, Store,
};
use clientele_testdb::Backend;
use common::RunningServer;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A running server over a fresh database, with typed request helpers.
struct TestApp {
    server: RunningServer,
    client: reqwest::Client,
}

impl std::ops::Deref for TestApp {
    type Target = RunningServer;
    fn deref(&self) -> &RunningServer {
        &self.server
    }
}

impl TestApp {
    async fn spawn(backend: Backend) -> TestApp {
        TestApp {
            server: RunningServer::start(backend, 20).await,
            client: reqwest::Client::new(),
        }
    }

    async fn stop(self) {
        self.server.stop().await;
    }

    /// Creates a user and returns its API token.
    async fn user(&self, name: &str, role: Role) -> String {
        self.store.add_user(name, role).await.unwrap().token
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (StatusCode, Value) {
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{:?}: not JSON ({e}): {text}", self.backend))
        };
        (status, body)
    }

    async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.send(
            self.client
                .get(format!("{}{path}", self.base))
                .bearer_auth(token),
        )
        .await
    }

    async fn post(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        self.send(
            self.client
                .post(format!("{}{path}", self.base))
                .bearer_auth(token)
                .json(body),
        )
        .await
    }

    async fn patch(&self, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
        self.send(
            self.client
                .patch(format!("{}{path}", self.base))
                .bearer_auth(token)
                .json(body),
        )
        .await
    }

    async fn customer(&self, external_id: &str, name: &str) -> i64 {
        self.store
            .upsert_customer(&NewCustomer {
                external_id: external_id.into(),
                name: Some(name.into()),
                ..NewCustomer::default()
            })
            .await
            .unwrap()
    }

    async fn assign(&self, customer: i64, user: &str) {
        let u = self.store.user_by_name(user).await.unwrap();
        self.store
            .edit_customer_audited(
                Scope::All,
                customer,
                "test",
                &CustomerEdit {
                    manager_user_id: Some(Some(u.id)),
                    ..CustomerEdit::default()
                },
            )
            .await
            .unwrap();
    }

    /// Writes one snapshot row directly, with known values.
    async fn snapshot_row(
        &self,
        as_of: Day,
        customer: i64,
        rung: &str,
        status: Option<&str>,
        subgroup: Option<&str>,
        revenue_major: i64,
    ) {
        let sql = "INSERT INTO score_snapshots (as_of, customer_id, rung, status, subgroup, turn, orders, purchase_days, revenue, profit, scored_at)
                   VALUES ($1, $2, $3, $4, $5, 1, 1, 1, $6, $7, 0)";
        let (d, rev) = (
            i64::from(as_of.days_since_epoch()),
            Money::from_major(revenue_major).units(),
        );
        macro_rules! run {
            ($pool:expr) => {
                sqlx::query(sql)
                    .bind(d)
                    .bind(customer)
                    .bind(rung)
                    .bind(status)
                    .bind(subgroup)
                    .bind(rev)
                    .bind(rev / 2)
                    .execute($pool)
                    .await
                    .map(|_| ())
                    .unwrap()
            };
        }
        match &self.store {
            Store::Sqlite(p) => run!(p),
            Store::Postgres(p) => run!(p),
        };
    }

    async fn audit_actions(&self, customer: i64) -> Vec<(String, String)> {
        self.audit.flush().await;
        let mut v: Vec<(String, String)> = self
            .store
            .audit_entries(Some(customer), 100)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, _, e)| (e.actor, e.action))
            .collect();
        v.reverse();
        v
    }
}

/// Runs `test` against a server on SQLite, then on PostgreSQL.
async fn on_both<F, Fut>(test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = TestApp>,
{
    for backend in Backend::ALL {
        eprintln!("running on {backend:?}");
        let app = TestApp::spawn(backend).await;
        let app = test(app).await;
        app.stop().await;
    }
}

/// (external id, name, rung, status, revenue) of a seeded customer.
type SeedRow = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    i64,
);

fn day(y: i32, m: u32, d: u32) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

fn error_field(body: &Value) -> &str {
    body["error"]["field"].as_str().unwrap_or("")
}

#[tokio::test]
async fn health_and_openapi_are_public_and_everything_else_needs_authentication() {
    on_both(|app| async move {
        let (s, body) = app.get("/api/health", "").await;
        assert_eq!(s, StatusCode::OK);
        let expected_db = match app.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        };
        assert_eq!(
            body,
            json!({"status": "ok", "database": expected_db, "audit_not_recorded": 0})
        );

        let (s, doc) = app
            .send(app.client.get(format!("{}/api/openapi.json", app.base)))
            .await;
        assert_eq!(s, StatusCode::OK);
        let paths = doc["paths"].as_object().unwrap();
        for p in [
            "/api/health",
            "/api/v1/session",
            "/api/v1/customers",
            "/api/v1/customers/{id}",
            "/api/v1/customers/{id}/notes",
            "/api/v1/customers/{id}/export",
            "/api/v1/customers/{id}/erase",
            "/api/v1/orders",
            "/api/v1/orders/batch",
            "/api/v1/imports",
            "/api/v1/ladder",
            "/api/v1/ladder/transitions",
            "/api/v1/ladder/at-risk",
            "/api/v1/ladder/lost",
        ] {
            assert!(paths.contains_key(p), "{p} is described");
        }
        // Every described operation but health and login answers 401 without credentials,
        // and with a wrong token.
        let mut checked = 0;
        for (path, item) in paths {
            for method in ["get", "post", "patch", "delete"] {
                if item.get(method).is_none()
                    || path == "/api/health"
                    || (path == "/api/v1/session" && method == "post")
                {
                    continue;
                }
                let url = format!("{}{}", app.base, path.replace("{id}", "1"));
                let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                for token in [None, Some("clt_wrong")] {
                    let mut req = app.client.request(m.clone(), &url);
                    if let Some(t) = token {
                        req = req.bearer_auth(t);
                    }
                    let (s, body) = app.send(req.json(&json!({}))).await;
                    assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {path}");
                    assert_eq!(body["error"]["code"], "unauthorized");
                }
                checked += 1;
            }
        }
        assert!(checked >= 15, "{checked} operations checked");
        // An unknown route is a JSON 404.
        let (s, body) = app.get("/api/v1/nothing-here", "").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], "not_found");
        app
    })
    .await;
}

#[tokio::test]
async fn customer_list_filters_and_pages_with_a_cursor() {
    on_both(|app| async move {
        let token = app.user("ana", Role::Analyst).await;
        app.user("mila", Role::Manager).await;
        let as_of = day(2025, 6, 30);
        // Seven customers with known rungs, statuses and revenue in the latest snapshot.
        let rows: [SeedRow; 7] = [
            ("c1", "Alice Smith", "regular", Some("active"), 100),
            ("c2", "Bob Stone", "regular", Some("slipping"), 300),
            ("c3", "Carol 50% Off", "advocate", Some("active"), 500),
            ("c4", "Dan Smithers", "newcomer", Some("lost"), 40),
            ("c5", "Eve", "prospect", None, 0),
            ("c6", "Frank", "regular", Some("lost"), 200),
            ("c7", "Grace", "advocate", Some("slipping"), 700),
        ];
        let mut ids = Vec::new();
        for (ext, name, rung, status, revenue) in rows {
            let id = app.customer(ext, name).await;
            app.snapshot_row(as_of, id, rung, status, Some("middling"), revenue)
                .await;
            ids.push(id);
        }
        // An older snapshot must not be used.
        app.snapshot_row(day(2024, 1, 1), ids[0], "advocate", Some("lost"), None, 1)
            .await;
        app.assign(ids[1], "mila").await;

        // Paging through everything three at a time visits every customer once, in id order.
        let mut seen = Vec::new();
        let mut after: Option<i64> = None;
        loop {
            let path = match after {
                Some(a) => format!("/api/v1/customers?limit=3&after={a}"),
                None => "/api/v1/customers?limit=3".to_string(),
            };
            let (s, page) = app.get(&path, &token).await;
            assert_eq!(s, StatusCode::OK, "{page}");
            assert_eq!(page["as_of"], "2025-06-30");
            let items = page["items"].as_array().unwrap();
            assert!(items.len() <= 3);
            seen.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
            match page["next_after"].as_i64() {
                Some(a) => after = Some(a),
                None => break,
            }
        }
        assert_eq!(seen, ids);

        let ext_ids = |page: &Value| -> Vec<String> {
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["external_id"].as_str().unwrap().to_string())
                .collect()
        };
        let expect = |pred: &dyn Fn(&SeedRow) -> bool| -> Vec<String> {
            rows.iter()
                .filter(|r| pred(r))
                .map(|r| r.0.to_string())
                .collect()
        };
        let (_, page) = app.get("/api/v1/customers?rung=regular", &token).await;
        assert_eq!(ext_ids(&page), expect(&|r| r.2 == "regular"));
        let (_, page) = app
            .get("/api/v1/customers?rung=advocate&status=slipping", &token)
            .await;
        assert_eq!(
            ext_ids(&page),
            expect(&|r| r.2 == "advocate" && r.3 == Some("slipping"))
        );
        let (_, page) = app.get("/api/v1/customers?status=lost", &token).await;
        assert_eq!(ext_ids(&page), expect(&|r| r.3 == Some("lost")));
        let (_, page) = app.get("/api/v1/customers?q=SMITH", &token).await;
        assert_eq!(ext_ids(&page), vec!["c1", "c4"]);
        // LIKE wildcards in the search text are matched literally.
        let (_, page) = app.get("/api/v1/customers?q=50%25", &token).await;
        assert_eq!(ext_ids(&page), vec!["c3"]);
        let (_, page) = app.get("/api/v1/customers?q=_", &token).await;
        assert!(ext_ids(&page).is_empty());
        let (_, page) = app.get("/api/v1/customers?manager=mila", &token).await;
        assert_eq!(ext_ids(&page), vec!["c2"]);
        let (_, page) = app.get("/api/v1/customers?subgroup=middling", &token).await;
        assert_eq!(ext_ids(&page).len(), 7);
        let item = &page["items"][6];
        assert_eq!(item["revenue"], "700.00");
        assert_eq!(item["rung"], "advocate");
        assert_eq!(item["status"], "slipping");

        // Bad input names the parameter.
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=ten", "limit"),
            ("rung=gold", "rung"),
            ("status=asleep", "status"),
            ("subgroup=rich", "subgroup"),
            ("after=x", "after"),
        ] {
            let (s, body) = app.get(&format!("/api/v1/customers?{query}"), &token).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
            assert_eq!(error_field(&body), field, "{query}: {body}");
            assert_eq!(body["error"]["code"], "invalid");
        }
        app
    })
    .await;
}

#[tokio::test]
async fn the_card_shows_the_customer_and_every_view_is_audited() {
    on_both(|app| async move {
        let token = app.user("ana", Role::Analyst).await;
        let id = app.customer("k-1", "Kira").await;
        let other = app.customer("k-2", "Other").await;
        app.store
            .add_contact(id, Channel::Email, "kira@example.com")
            .await
            .unwrap();
        app.store
            .record_consent(
                id,
                &ConsentRecord {
                    channel: Channel::Email,
                    granted: true,
                    day: day(2025, 1, 2),
                    source: "web form".into(),
                },
            )
            .await
            .unwrap();
        app.store.add_tag(id, "vip").await.unwrap();
        app.store.add_note(id, "ana", None, "likes tea").await.unwrap();
        app.store
            .add_personal_date(
                id,
                &PersonalDateRecord {
                    label: "birthday".into(),
                    rule: DateRule::Yearly {
                        month: 3,
                        day: 8,
                        since: Some(1990),
                    },
                },
            )
            .await
            .unwrap();
        let line = |order: &str, product: &str, d: Day, cents: i64| NewOrderLine {
            customer: "k-1".into(),
            order_id: Some(order.into()),
            product: product.into(),
            day: d,
            amount: Money::from_units(cents * 100),
            cost: None,
            quantity: Some(1.0),
            price: None,
            list_price: None,
            category: None,
            full_price: None,
            row_line: 0,
            occurrence: 0,
        };
        let lines = vec![
            line("o1", "a", day(2025, 1, 5), 1050),
            line("o1", "b", day(2025, 1, 5), 250),
            line("o2", "a", day(2025, 3, 9), 999),
        ];
        let mut tx = app.store.begin_import("t").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(3, 0).await.unwrap();
        app.snapshot_row(day(2025, 2, 1), id, "newcomer", Some("active"), None, 13)
            .await;
        app.snapshot_row(day(2025, 4, 1), id, "regular", Some("active"), Some("profitable"), 23)
            .await;

        let (s, card) = app.get(&format!("/api/v1/customers/{id}"), &token).await;
        assert_eq!(s, StatusCode::OK, "{card}");
        assert_eq!(card["external_id"], "k-1");
        assert_eq!(card["name"], "Kira");
        assert_eq!(card["tags"], json!(["vip"]));
        assert_eq!(card["contacts"], json!([{"channel": "email", "value": "kira@example.com"}]));
        assert_eq!(
            card["consents"],
            json!([{"channel": "email", "granted": true, "day": "2025-01-02", "source": "web form"}])
        );
        assert_eq!(card["notes"][0]["body"], "likes tea");
        assert_eq!(
            card["personal_dates"],
            json!([{"label": "birthday", "rule": {"rule": "yearly", "month": 3, "day": 8, "since": 1990}}])
        );
        // Orders newest first; o1 is 10.50 + 2.50.
        let orders = card["orders"].as_array().unwrap();
        assert_eq!(orders.len(), 2);
        assert_eq!(orders[0]["order_ref"], "o2");
        assert_eq!(orders[0]["amount"], "9.99");
        assert_eq!(orders[1]["order_ref"], "o1");
        assert_eq!(orders[1]["lines"], 2);
        assert_eq!(orders[1]["amount"], "13.00");
        assert_eq!(orders[1]["day"], "2025-01-05");
        // Scores newest first.
        assert_eq!(card["scores"][0]["as_of"], "2025-04-01");
        assert_eq!(card["scores"][0]["rung"], "regular");
        assert_eq!(card["scores"][0]["revenue"], "23.00");
        assert_eq!(card["scores"][1]["rung"], "newcomer");

        assert_eq!(
            app.audit_actions(id).await,
            vec![("ana".to_string(), "view".to_string())]
        );
        assert!(app.audit_actions(other).await.is_empty());

        let (s, body) = app.get("/api/v1/customers/999999", &token).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(body["error"]["code"], "not_found");
        let (s, body) = app.get("/api/v1/customers/abc", &token).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "id");
        app
    })
    .await;
}

/// The card reads all its lists in one statement; each list must keep its own order and the
/// orders and scores their limits (50 and 12), on both backends.
#[tokio::test]
async fn the_card_lists_keep_their_order_and_limits() {
    on_both(|app| async move {
        let token = app.user("ana", Role::Analyst).await;
        let id = app.customer("k-1", "Kira").await;
        app.customer("k-2", "Other").await;
        for (channel, value) in [
            (Channel::Phone, "+7 900 000-00-02"),
            (Channel::Email, "z@example.com"),
            (Channel::Email, "a@example.com"),
        ] {
            app.store.add_contact(id, channel, value).await.unwrap();
        }
        for (granted, d) in [(true, day(2025, 2, 1)), (false, day(2025, 1, 1))] {
            let consent = ConsentRecord {
                channel: Channel::Sms,
                granted,
                day: d,
                source: "call".into(),
            };
            app.store.record_consent(id, &consent).await.unwrap();
        }
        for tag in ["vip", "b2b", "moscow"] {
            app.store.add_tag(id, tag).await.unwrap();
        }
        for (label, rule) in [
            ("name day", DateRule::Easter { offset_days: 49 }),
            (
                "mother's day",
                DateRule::NthWeekday {
                    month: 11,
                    weekday: 7,
                    nth: -1,
                },
            ),
        ] {
            let date = PersonalDateRecord {
                label: label.into(),
                rule,
            };
            app.store.add_personal_date(id, &date).await.unwrap();
        }
        for body in ["first", "second", "third"] {
            app.store.add_note(id, "ana", None, body).await.unwrap();
        }
        // 52 one-line orders on 52 different days: o00 on day 0 .. o51 on day 51, amount i + 1.
        let first = day(2024, 1, 1);
        let lines: Vec<NewOrderLine> = (0..52)
            .map(|i| NewOrderLine {
                customer: "k-1".into(),
                order_id: Some(format!("o{i:02}")),
                product: "p".into(),
                day: Day::from_days_since_epoch(first.days_since_epoch() + i),
                amount: Money::from_major(i64::from(i) + 1),
                cost: None,
                quantity: Some(1.0),
                price: None,
                list_price: None,
                category: None,
                full_price: None,
                row_line: 0,
                occurrence: 0,
            })
            .collect();
        let mut tx = app.store.begin_import("t").await.unwrap();
        tx.add(&lines).await.unwrap();
        tx.commit(52, 0).await.unwrap();
        // 13 monthly snapshots, revenue 1..13.
        for m in 1..=13u32 {
            let (y, mm) = if m <= 12 { (2024, m) } else { (2025, 1) };
            app.snapshot_row(
                day(y, mm, 1),
                id,
                "regular",
                Some("active"),
                None,
                i64::from(m),
            )
            .await;
        }

        let (s, card) = app.get(&format!("/api/v1/customers/{id}"), &token).await;
        assert_eq!(s, StatusCode::OK, "{card}");
        assert_eq!(
            card["contacts"],
            json!([
                {"channel": "email", "value": "a@example.com"},
                {"channel": "email", "value": "z@example.com"},
                {"channel": "phone", "value": "+7 900 000-00-02"},
            ])
        );
        // Oldest first: the refusal of 1 January, then the grant of 1 February.
        let consents: Vec<(bool, &str)> = card["consents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| (c["granted"].as_bool().unwrap(), c["day"].as_str().unwrap()))
            .collect();
        assert_eq!(consents, vec![(false, "2025-01-01"), (true, "2025-02-01")]);
        assert_eq!(card["tags"], json!(["b2b", "moscow", "vip"]));
        let labels: Vec<&str> = card["personal_dates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["label"].as_str().unwrap())
            .collect();
        assert_eq!(labels, vec!["name day", "mother's day"]);
        assert_eq!(
            card["personal_dates"][0]["rule"],
            json!({"rule": "easter", "offset_days": 49})
        );
        let notes: Vec<&str> = card["notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["body"].as_str().unwrap())
            .collect();
        assert_eq!(notes, vec!["first", "second", "third"]);
        // The 50 newest orders: o51 (day 51, 52.00) down to o02 (day 2, 3.00).
        let orders = card["orders"].as_array().unwrap();
        assert_eq!(orders.len(), 50);
        assert_eq!(orders[0]["order_ref"], "o51");
        assert_eq!(orders[0]["day"], "2024-02-21");
        assert_eq!(orders[0]["amount"], "52.00");
        assert_eq!(orders[49]["order_ref"], "o02");
        assert_eq!(orders[49]["amount"], "3.00");
        // The 12 newest scores: 2025-01-01 (13.00) down to 2024-02-01 (2.00).
        let scores = card["scores"].as_array().unwrap();
        assert_eq!(scores.len(), 12);
        assert_eq!(scores[0]["as_of"], "2025-01-01");
        assert_eq!(scores[0]["revenue"], "13.00");
        assert_eq!(scores[11]["as_of"], "2024-02-01");
        assert_eq!(scores[11]["revenue"], "2.00");
        app
    })
    .await;
}

/// A bearer token's user is cached for `Settings::token_cache_seconds` (5 s by default): a
/// token revoked behind the server's back (as another process would) keeps working until the
/// entry expires, then is refused.
#[tokio::test]
async fn a_revoked_token_is_refused_once_its_cache_entry_expires() {
    on_both(|app| async move {
        let token = app.user("ana", Role::Analyst).await;
        let (s, _) = app.get("/api/v1/customers", &token).await;
        assert_eq!(s, StatusCode::OK);
        let revoked_at = std::time::Instant::now();
        let sql = "UPDATE api_tokens SET revoked_at = 1";
        match &app.store {
            Store::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
            Store::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()),
        }
        .unwrap();
        let (s, _) = app.get("/api/v1/customers", &token).await;
        assert_eq!(
            s,
            StatusCode::OK,
            "served from the cache right after the revocation"
        );
        let refused_after = loop {
            let (s, _) = app.get("/api/v1/customers", &token).await;
            if s == StatusCode::UNAUTHORIZED {
                break revoked_at.elapsed();
            }
            assert_eq!(s, StatusCode::OK);
            assert!(
                revoked_at.elapsed().as_secs_f64() < 7.0,
                "still accepted after 7 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        };
        assert!(refused_after.as_secs_f64() <= 5.5, "{refused_after:?}");
        app
    })
    .await;
}

#[tokio::test]
async fn a_manager_sees_and_edits_only_their_own_customers() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        let mine = app.customer("m-1", "Mine").await;
        let theirs = app.customer("t-1", "Theirs").await;
        let as_of = day(2025, 6, 30);
        app.snapshot_row(as_of, mine, "regular", Some("slipping"), None, 100)
            .await;
        app.snapshot_row(as_of, theirs, "regular", Some("slipping"), None, 900)
            .await;

        // The admin assigns through the API.
        let (s, card) = app
            .patch(
                &format!("/api/v1/customers/{mine}"),
                &admin,
                &json!({"manager_user": "mila"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{card}");
        assert_eq!(card["manager_user"], "mila");
        let (s, body) = app
            .patch(
                &format!("/api/v1/customers/{mine}"),
                &admin,
                &json!({"manager_user": "nobody"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "manager_user");

        let (_, page) = app.get("/api/v1/customers", &mila).await;
        let ids: Vec<i64> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![mine]);
        let (s, _) = app.get(&format!("/api/v1/customers/{theirs}"), &mila).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app.get(&format!("/api/v1/customers/{mine}"), &mila).await;
        assert_eq!(s, StatusCode::OK);
        let note = json!({"body": "called, will order"});
        let (s, _) = app
            .post(&format!("/api/v1/customers/{theirs}/notes"), &mila, &note)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app
            .get(&format!("/api/v1/customers/{theirs}/notes"), &mila)
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app
            .post(&format!("/api/v1/customers/{mine}/notes"), &mila, &note)
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let (s, _) = app
            .patch(&format!("/api/v1/customers/{theirs}"), &mila, &json!({"name": "X"}))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, card) = app
            .patch(&format!("/api/v1/customers/{mine}"), &mila, &json!({"name": "Mine Ltd"}))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(card["name"], "Mine Ltd");
        // Only admins assign.
        let (s, body) = app
            .patch(
                &format!("/api/v1/customers/{theirs}"),
                &mila,
                &json!({"manager_user": "mila"}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(body["error"]["code"], "forbidden");
        // Lists and the ladder count only her customer.
        let (_, risk) = app.get("/api/v1/ladder/at-risk", &mila).await;
        assert_eq!(risk["total"], 1);
        assert_eq!(risk["items"][0]["id"], mine);
        let (_, ladder) = app.get("/api/v1/ladder", &mila).await;
        assert_eq!(
            ladder["rows"],
            json!([{"rung": "regular", "status": "slipping", "customers": 1, "revenue": "100.00", "profit": "50.00"}])
        );
        let (_, ladder) = app.get("/api/v1/ladder", &admin).await;
        assert_eq!(ladder["rows"][0]["customers"], 2);
        assert_eq!(ladder["rows"][0]["revenue"], "1000.00");
        // Managers may not export, erase or ingest.
        let (s, _) = app.get(&format!("/api/v1/customers/{mine}/export"), &mila).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .post(&format!("/api/v1/customers/{mine}/erase"), &mila, &json!({}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .post(
                "/api/v1/orders",
                &mila,
                &json!({"order_id": "x", "customer": "m-1", "day": "2025-01-01", "lines": [{"amount": "1"}]}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let actions: Vec<String> = app.audit_actions(mine).await.into_iter().map(|a| a.1).collect();
        assert_eq!(actions, vec!["edit", "view", "note", "edit"]);
        app
    })
    .await;
}

#[tokio::test]
async fn notes_are_added_audited_and_bad_bodies_name_the_field() {
    on_both(|app| async move {
        let token = app.user("ana", Role::Analyst).await;
        let id = app.customer("n-1", "Nora").await;
        let path = format!("/api/v1/customers/{id}/notes");
        let (s, note) = app
            .post(&path, &token, &json!({"body": "first call"}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{note}");
        assert_eq!(note["author"], "ana");
        assert_eq!(note["body"], "first call");
        let (s, body) = app.post(&path, &token, &json!({})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "body", "{body}");
        let (s, body) = app.post(&path, &token, &json!({"body": "  "})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "body");
        let (s, body) = app.post(&path, &token, &json!({"body": 5})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "body");
        let (s, body) = app
            .post(&path, &token, &json!({"body": "x", "colour": "red"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "colour");
        let (s, body) = app
            .send(
                app.client
                    .post(format!("{}{path}", app.base))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body("{not json"),
            )
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"]["code"], "bad_request");
        let (s, body) = app
            .post(
                "/api/v1/customers/424242/notes",
                &token,
                &json!({"body": "x"}),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
        let (_, list) = app.get(&path, &token).await;
        let bodies: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["body"].as_str().unwrap())
            .collect();
        assert_eq!(bodies, vec!["first call"]);
        assert_eq!(app.store.count("notes").await.unwrap(), 1);
        // The note's write, then the read of the notes list (issue 23, item 8).
        assert_eq!(
            app.audit_actions(id).await,
            vec![
                ("ana".to_string(), "note".to_string()),
                ("ana".to_string(), "notes".to_string())
            ]
        );
        app
    })
    .await;
}

#[tokio::test]
async fn order_ingestion_is_idempotent_and_all_or_nothing() {
    on_both(|app| async move {
        let token = app.user("feed", Role::Analyst).await;
        let batch = json!({"orders": [
            {"order_id": "A1", "customer": "c-1", "day": "2025-02-01",
             "lines": [{"product": "tea", "amount": "12.50", "cost": "6", "quantity": 2},
                       {"product": "cup", "amount": "7.25"}]},
            {"order_id": "A2", "customer": "c-2", "day": "2025-02-03",
             "lines": [{"product": "tea", "amount": "12.50"},
                       {"product": "tea", "amount": "-12.50"}]}
        ]});
        let (s, first) = app.post("/api/v1/orders/batch", &token, &batch).await;
        assert_eq!(s, StatusCode::OK, "{first}");
        assert_eq!(first, json!({"inserted": 4, "unchanged": 0, "new_customers": 2}));
        let (s, second) = app.post("/api/v1/orders/batch", &token, &batch).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(second, json!({"inserted": 0, "unchanged": 4, "new_customers": 0}));
        assert_eq!(app.store.count("order_lines").await.unwrap(), 4);
        assert_eq!(app.store.count("customers").await.unwrap(), 2);

        // One order; then the same again.
        let one = json!({"order_id": "B1", "customer": "c-1", "day": "2025-03-01",
                         "lines": [{"product": "pot", "amount": "30"}]});
        let (s, r) = app.post("/api/v1/orders", &token, &one).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(r["inserted"], 1);
        let (_, r) = app.post("/api/v1/orders", &token, &one).await;
        assert_eq!(r["unchanged"], 1);

        // The card adds them up: c-1 has A1 (12.50 + 7.25) and B1 (30).
        let c1 = app.store.customer_id("c-1").await.unwrap();
        let (_, card) = app.get(&format!("/api/v1/customers/{c1}"), &token).await;
        let amounts: Vec<&str> = card["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["amount"].as_str().unwrap())
            .collect();
        assert_eq!(amounts, vec!["30.00", "19.75"]);

        // A bad line anywhere refuses the whole batch and names the field.
        let bad = json!({"orders": [
            {"order_id": "C1", "customer": "c-3", "day": "2025-04-01", "lines": [{"amount": "5"}]},
            {"order_id": "C2", "customer": "c-3", "day": "2025-04-02", "lines": [{"amount": "five"}]}
        ]});
        let (s, body) = app.post("/api/v1/orders/batch", &token, &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "orders[1].lines[0].amount", "{body}");
        assert_eq!(app.store.count("order_lines").await.unwrap(), 5);
        assert!(app.store.customer_id("c-3").await.is_err());
        for (order, field) in [
            (json!({"order_id": "", "customer": "c", "day": "2025-01-01", "lines": [{"amount": "1"}]}), "order_id"),
            (json!({"order_id": "x", "customer": "c", "day": "2025-13-01", "lines": [{"amount": "1"}]}), "day"),
            (json!({"order_id": "x", "customer": "c", "day": "2025-01-01", "lines": []}), "lines"),
            (json!({"order_id": "x", "day": "2025-01-01", "lines": [{"amount": "1"}]}), "customer"),
            (json!({"order_id": "x", "customer": "c", "day": "2025-01-01", "lines": [{"amount": "1", "cost": "?"}]}), "lines[0].cost"),
        ] {
            let (s, body) = app.post("/api/v1/orders", &token, &order).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{order}");
            assert_eq!(error_field(&body), field, "{body}");
        }
        assert_eq!(app.store.count("order_lines").await.unwrap(), 5);
        let (s, _) = app
            .post("/api/v1/orders/batch", &token, &json!({"orders": []}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        app
    })
    .await;
}

#[tokio::test]
async fn browser_sessions_need_the_csrf_token_for_unsafe_requests() {
    on_both(|app| async move {
        let analyst = app.store.add_user("sam", Role::Analyst).await.unwrap();
        app.store
            .set_password(analyst.user.id, "correct horse battery")
            .await
            .unwrap();
        let id = app.customer("s-1", "Sid").await;
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let url = |p: &str| format!("{}{p}", app.base);

        let (s, body) = app
            .send(
                client
                    .post(url("/api/v1/session"))
                    .json(&json!({"name": "sam", "password": "wrong password"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
        let (s, body) = app
            .send(
                client
                    .post(url("/api/v1/session"))
                    .json(&json!({"name": "nobody", "password": "correct horse battery"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
        let (s, body) = app
            .send(
                client
                    .post(url("/api/v1/session"))
                    .json(&json!({"name": "sam"})),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "password");

        let resp = client
            .post(url("/api/v1/session"))
            .json(&json!({"name": "sam", "password": "correct horse battery"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let set_cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(set_cookie.starts_with("clientele_session="), "{set_cookie}");
        assert!(set_cookie.contains("HttpOnly"));
        assert!(set_cookie.contains("SameSite=Lax"));
        let cookie_value = set_cookie
            .split(';')
            .next()
            .unwrap()
            .trim_start_matches("clientele_session=");
        assert_eq!(cookie_value.len(), 64, "256 random bits, hex");
        let login: Value = resp.json().await.unwrap();
        assert_eq!(login["user"], "sam");
        assert_eq!(login["role"], "analyst");
        let csrf = login["csrf_token"].as_str().unwrap().to_string();
        assert_eq!(app.store.count("sessions").await.unwrap(), 1);

        // Safe requests need only the cookie.
        let (s, me) = app.send(client.get(url("/api/v1/session"))).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(me["user"], "sam");
        let (s, _) = app
            .send(client.get(url(&format!("/api/v1/customers/{id}"))))
            .await;
        assert_eq!(s, StatusCode::OK);
        // Unsafe ones without the token, or with a wrong one, are refused and change nothing.
        let notes = url(&format!("/api/v1/customers/{id}/notes"));
        let (s, body) = app
            .send(client.post(&notes).json(&json!({"body": "x"})))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(body["error"]["code"], "csrf");
        let (s, _) = app
            .send(
                client
                    .post(&notes)
                    .header("X-CSRF-Token", "0".repeat(64))
                    .json(&json!({"body": "x"})),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(app.store.count("notes").await.unwrap(), 0);
        let (s, _) = app
            .send(
                client
                    .post(&notes)
                    .header("X-CSRF-Token", &csrf)
                    .json(&json!({"body": "x"})),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(app.store.count("notes").await.unwrap(), 1);

        // Logging out needs the token too, then the cookie is worthless.
        let (s, _) = app.send(client.delete(url("/api/v1/session"))).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app
            .send(
                client
                    .delete(url("/api/v1/session"))
                    .header("X-CSRF-Token", &csrf),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(app.store.count("sessions").await.unwrap(), 0);
        let (s, _) = app
            .send(
                app.client
                    .get(url("/api/v1/session"))
                    .header("Cookie", format!("clientele_session={cookie_value}")),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        app
    })
    .await;
}

#[tokio::test]
async fn admins_export_and_erase_personal_data_and_both_are_audited() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let analyst = app.user("ana", Role::Analyst).await;
        let id = app.customer("p-1", "Petra").await;
        app.store
            .add_contact(id, Channel::Phone, "+15550001")
            .await
            .unwrap();
        app.post(
            &format!("/api/v1/customers/{id}/notes"),
            &admin,
            &json!({"body": "private"}),
        )
        .await;
        app.post(
            "/api/v1/orders",
            &admin,
            &json!({"order_id": "P1", "customer": "p-1", "day": "2025-01-01", "lines": [{"amount": "40"}]}),
        )
        .await;

        let (s, _) = app.get(&format!("/api/v1/customers/{id}/export"), &analyst).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, export) = app.get(&format!("/api/v1/customers/{id}/export"), &admin).await;
        assert_eq!(s, StatusCode::OK, "{export}");
        assert_eq!(export["customer"]["name"], "Petra");
        assert_eq!(export["contacts"][0]["value"], "+15550001");
        assert_eq!(export["notes"][0]["body"], "private");
        assert_eq!(export["order_lines"][0]["amount"], "40.00");

        let (s, _) = app
            .post(&format!("/api/v1/customers/{id}/erase"), &analyst, &json!({}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, erased) = app
            .post(&format!("/api/v1/customers/{id}/erase"), &admin, &json!({}))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(erased["external_id"], format!("erased-{id}"));
        let (_, card) = app.get(&format!("/api/v1/customers/{id}"), &admin).await;
        assert_eq!(card["name"], Value::Null);
        assert_eq!(card["contacts"], json!([]));
        assert_eq!(card["notes"], json!([]));
        assert!(card["erased_at"].is_i64());
        // The order stays, anonymous, so revenue still adds up.
        assert_eq!(card["orders"][0]["amount"], "40.00");
        let actions: Vec<String> = app.audit_actions(id).await.into_iter().map(|a| a.1).collect();
        assert_eq!(actions, vec!["note", "export", "erase", "view"]);
        let (s, _) = app.get("/api/v1/customers/999/export", &admin).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        app
    })
    .await;
}

#[tokio::test]
async fn ladder_summary_transitions_and_value_lists_follow_the_snapshots() {
    on_both(|app| async move {
        let token = app.user("ana", Role::Analyst).await;
        let (d1, d2) = (day(2025, 3, 31), day(2025, 6, 30));
        let (s, body) = app.get("/api/v1/ladder", &token).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
        let (_, empty) = app.get("/api/v1/ladder/lost", &token).await;
        assert_eq!(empty["total"], 0);

        // (id, rung and status at d1, rung and status at d2, revenue at d2)
        type Row = (
            &'static str,
            Option<(&'static str, &'static str)>,
            (&'static str, &'static str),
            i64,
        );
        let rows: [Row; 6] = [
            (
                "a",
                Some(("newcomer", "active")),
                ("regular", "active"),
                300,
            ),
            (
                "b",
                Some(("regular", "active")),
                ("regular", "slipping"),
                500,
            ),
            (
                "c",
                Some(("advocate", "active")),
                ("advocate", "slipping"),
                800,
            ),
            ("d", Some(("regular", "active")), ("regular", "lost"), 250),
            ("e", None, ("newcomer", "active"), 20),
            (
                "f",
                Some(("newcomer", "slipping")),
                ("newcomer", "slipping"),
                60,
            ),
        ];
        for (ext, before, (rung, status), revenue) in rows {
            let id = app.customer(ext, ext).await;
            if let Some((r, st)) = before {
                app.snapshot_row(d1, id, r, Some(st), None, revenue / 2)
                    .await;
            }
            app.snapshot_row(d2, id, rung, Some(status), None, revenue)
                .await;
        }

        // The summary of the latest snapshot, computed from the rows above.
        let (s, ladder) = app.get("/api/v1/ladder", &token).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(ladder["as_of"], "2025-06-30");
        // Ordered by rung up the ladder, then status from active to lost.
        let mut expected: std::collections::BTreeMap<(usize, usize), (i64, i64)> =
            Default::default();
        let order = ["prospect", "visitor", "newcomer", "regular", "advocate"];
        let statuses = ["active", "slipping", "lost"];
        for (_, _, (rung, status), revenue) in rows {
            let e = expected
                .entry((
                    order.iter().position(|r| *r == rung).unwrap(),
                    statuses.iter().position(|s| *s == status).unwrap(),
                ))
                .or_default();
            e.0 += 1;
            e.1 += revenue;
        }
        let got: Vec<(String, String, i64, String)> = ladder["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["rung"].as_str().unwrap().to_string(),
                    r["status"].as_str().unwrap().to_string(),
                    r["customers"].as_i64().unwrap(),
                    r["revenue"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let want: Vec<(String, String, i64, String)> = expected
            .iter()
            .map(|((r, st), (n, rev))| {
                (
                    order[*r].to_string(),
                    statuses[*st].to_string(),
                    *n,
                    format!("{rev}.00"),
                )
            })
            .collect();
        assert_eq!(got, want);
        let (_, old) = app.get("/api/v1/ladder?as_of=2025-03-31", &token).await;
        assert_eq!(old["as_of"], "2025-03-31");
        let (s, _) = app.get("/api/v1/ladder?as_of=2025-01-01", &token).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, body) = app.get("/api/v1/ladder?as_of=yesterday", &token).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "as_of");

        // At risk: slipping regulars and advocates by revenue (c 800, b 500); f is a newcomer.
        let (_, risk) = app.get("/api/v1/ladder/at-risk", &token).await;
        let names: Vec<&str> = risk["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["external_id"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["c", "b"]);
        assert_eq!(risk["total"], 2);
        let (_, page2) = app
            .get("/api/v1/ladder/at-risk?limit=1&page=2", &token)
            .await;
        assert_eq!(page2["items"][0]["external_id"], "b");
        assert_eq!(page2["total"], 2);
        let (s, body) = app.get("/api/v1/ladder/at-risk?page=0", &token).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "page");
        let (_, lost) = app.get("/api/v1/ladder/lost", &token).await;
        assert_eq!(lost["items"][0]["external_id"], "d");
        assert_eq!(lost["total"], 1);

        // Transitions d1 -> d2: a up; b, c, f same rung (status moves are not rung moves);
        // d out (became lost); e new.
        let (s, t) = app
            .get(
                "/api/v1/ladder/transitions?from=2025-03-31&to=2025-06-30",
                &token,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(
            (
                t["up"].as_u64(),
                t["down"].as_u64(),
                t["out"].as_u64(),
                t["back"].as_u64(),
                t["same"].as_u64(),
                t["new"].as_u64()
            ),
            (Some(1), Some(0), Some(1), Some(0), Some(3), Some(1))
        );
        let cell = t["matrix"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["from"] == "regular" && c["to"] == "regular")
            .unwrap();
        // b and d: revenue 500 + 250 at d2, of which half came in the period.
        assert_eq!(cell["customers"], 2);
        assert_eq!(cell["revenue"], "750.00");
        assert_eq!(cell["period_revenue"], "375.00");
        for (query, field) in [
            ("from=2025-03-31", "to"),
            ("from=2025-06-30&to=2025-03-31", "to"),
            ("from=31.03.2025&to=2025-06-30", "from"),
        ] {
            let (s, body) = app
                .get(&format!("/api/v1/ladder/transitions?{query}"), &token)
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            assert_eq!(error_field(&body), field, "{query}: {body}");
        }
        app
    })
    .await;
}

#[tokio::test]
async fn an_uploaded_export_is_imported_once_with_its_rejects() {
    on_both(|app| async move {
        let token = app.user("ana", Role::Analyst).await;
        let csv = "order_id,customer_id,date,amount,product\n\
                   o1,c1,2025-01-05,10.50,tea\n\
                   o2,c1,2025-02-30,4.00,cup\n\
                   o3,c2,2025-01-07,7.25,tea\n\
                   o4,c2,2025-01-09,lots,pot\n\
                   \n\
                   o5,,2025-01-10,1.00,tea\n";
        let upload = |body: &'static str| {
            app.client
                .post(format!("{}/api/v1/imports", app.base))
                .bearer_auth(&token)
                .header("content-type", "text/csv")
                .body(body)
        };
        let (s, r) = app.send(upload(csv)).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["rows"], 5);
        assert_eq!(r["inserted"], 2);
        assert_eq!(r["new_customers"], 2);
        assert_eq!(r["rejected"], 3);
        let rejects: Vec<(i64, String)> = r["rejects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| (x["line"].as_i64().unwrap(), x["column"].as_str().unwrap().to_string()))
            .collect();
        assert_eq!(
            rejects,
            vec![(3, "date".to_string()), (5, "amount".to_string()), (7, "customer_id".to_string())]
        );
        assert!(!r["rejects"][0]["reason"].as_str().unwrap().is_empty());
        let (s, again) = app.send(upload(csv)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((again["inserted"].as_i64(), again["unchanged"].as_i64()), (Some(0), Some(2)));
        assert_eq!(app.store.count("order_lines").await.unwrap(), 2);

        // The same through a multipart form, with one new row.
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(
                "order_id;customer_id;date;amount;product\no1;c1;05.01.2025;10,50;tea\no9;c3;06.01.2025;3,00;tea\n"
                    .as_bytes()
                    .to_vec(),
            )
            .file_name("orders.csv"),
        );
        let (s, r) = app
            .send(
                app.client
                    .post(format!("{}/api/v1/imports", app.base))
                    .bearer_auth(&token)
                    .multipart(form),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["inserted"], 1, "{r}");
        assert_eq!(app.store.count("order_lines").await.unwrap(), 3);

        let (s, body) = app.send(upload("")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "file");
        let imports: Vec<String> = app
            .store
            .audit_entries(None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, _, e)| e.action)
            .collect();
        assert_eq!(imports, vec!["import", "import", "import"]);
        app
    })
    .await;
}

/// A Russian accounting export as it comes: Windows-1251, semicolons, decimal commas, dates as
/// DD.MM.YYYY and Russian headers, read by the same row reader as `clientele import`.
#[tokio::test]
async fn an_uploaded_windows_1251_semicolon_export_with_decimal_commas_is_read() {
    on_both(|app| async move {
        let token = app.user("ana", Role::Analyst).await;
        let text = "Номер заказа;Клиент;Дата;Сумма;Товар\r\n\
                    З-1;Иванов;05.01.2025;1234,50;Чай\r\n\
                    З-2;Иванов;07.01.2025;99,90;Чашка\r\n\
                    З-3;Петрова;31.02.2025;10,00;Чай\r\n";
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(text);
        assert!(!unmappable);
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "the body must not be UTF-8"
        );
        let (s, r) = app
            .send(
                app.client
                    .post(format!("{}/api/v1/imports", app.base))
                    .bearer_auth(&token)
                    .header("content-type", "text/csv")
                    .body(bytes.into_owned()),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["rows"], 3, "{r}");
        assert_eq!(r["inserted"], 2, "{r}");
        assert_eq!(r["new_customers"], 1, "{r}");
        assert_eq!(r["rejected"], 1, "{r}");
        // 31 February: line 4, the date column under its own header.
        assert_eq!(r["rejects"][0]["line"], 4, "{r}");
        assert_eq!(r["rejects"][0]["column"], "Дата", "{r}");
        let id = app.store.customer_id("Иванов").await.unwrap();
        let (s, card) = app.get(&format!("/api/v1/customers/{id}"), &token).await;
        assert_eq!(s, StatusCode::OK, "{card}");
        let orders: Vec<(&str, &str, &str)> = card["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["order_ref"].as_str().unwrap(),
                    o["day"].as_str().unwrap(),
                    o["amount"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            orders,
            vec![
                ("З-2", "2025-01-07", "99.90"),
                ("З-1", "2025-01-05", "1234.50")
            ]
        );
        app
    })
    .await;
}
