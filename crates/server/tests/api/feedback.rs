//! Complaints and wishes over the API, on SQLite and PostgreSQL: a batch stored once (the same
//! batch again changes nothing), hostile batches refused whole with the field named, a manager
//! adding and seeing only their customers' entries, open → answered → resolved with times, the
//! overdue first, the targets per severity changed by admins only, and the report's compliance
//! per manager checked against shares and medians computed here from the entries' own times.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, error_field, on_both};
use clientele_store::Role;

/// Today (UTC) minus `back` days, as YYYY-MM-DD, and that day's first second.
fn days_ago(back: i64) -> (String, i64) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let day = secs / 86_400 - back;
    (
        clientele_core::Day::from_days_since_epoch(day as i32).to_string(),
        day * 86_400,
    )
}

fn entry(id: &str, customer: &str, severity: &str, back: i64) -> Value {
    json!({"entry_id": id, "customer_id": customer, "kind": "complaint", "severity": severity,
           "category": "delivery", "channel": "phone", "text": format!("entry {id}"),
           "date": days_ago(back).0})
}

async fn put(app: &TestApp, path: &str, token: &str, body: &Value) -> (StatusCode, Value) {
    app.send(
        app.client
            .put(format!("{}{path}", app.base))
            .bearer_auth(token)
            .json(body),
    )
    .await
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[tokio::test]
async fn entries_arrive_once_move_through_their_states_and_report_per_manager() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        let mine = app.customer("m-1", "Mine").await;
        app.customer("t-1", "Theirs").await;
        app.assign(mine, "mila").await;

        // Critical 3 days ago: both targets (4 h, 24 h) long past. Low today: the first
        // response is due in 72 h from the day's start, so it is not overdue.
        let batch = json!({"entries": [
            entry("e1", "t-1", "critical", 3),
            entry("e2", "m-1", "low", 0),
            entry("e3", "m-1", "high", 2),
        ]});
        let (s, body) = app.post("/api/v1/feedback", &admin, &batch).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["stored"], 3);
        assert_eq!(body["unchanged"], 0);
        let ids: Vec<i64> = body["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(ids.len(), 3);
        let (s, again) = app.post("/api/v1/feedback", &admin, &batch).await;
        assert_eq!(s, StatusCode::OK, "{again}");
        assert_eq!(again["stored"], 0);
        assert_eq!(again["unchanged"], 3);
        assert_eq!(again["ids"], body["ids"]);

        // Due times from the default targets: critical 4 h / 24 h after receipt.
        let (_, list) = app.get("/api/v1/feedback?state=all", &admin).await;
        assert_eq!(list["total"], 3, "{list}");
        let by_id = |id: i64| {
            list["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == id)
                .unwrap()
                .clone()
        };
        let e1 = by_id(ids[0]);
        let start = days_ago(3).1;
        assert_eq!(e1["received_at"], start);
        assert_eq!(e1["first_response_due"], start + 4 * 3_600);
        assert_eq!(e1["resolution_due"], start + 24 * 3_600);
        assert_eq!(e1["status"], "open");
        assert_eq!(e1["overdue"], true);
        assert_eq!(e1["kind"], "complaint");
        assert_eq!(e1["manager"], Value::Null);
        let e2 = by_id(ids[1]);
        assert_eq!(e2["overdue"], false);
        assert_eq!(e2["first_response_due"], days_ago(0).1 + 72 * 3_600);
        assert_eq!(e2["manager"], "mila");
        // Overdue first: the two overdue entries (e1, e3) come before e2.
        let order: Vec<i64> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_i64().unwrap())
            .collect();
        assert_eq!(order[2], ids[1], "{order:?}");
        let (_, overdue) = app.get("/api/v1/feedback?state=overdue", &admin).await;
        assert_eq!(overdue["total"], 2, "{overdue}");

        // The manager sees her customer's two entries only, cannot act on another's, and
        // cannot add one for a customer who is not hers.
        let (_, hers) = app.get("/api/v1/feedback?state=all", &mila).await;
        assert_eq!(hers["total"], 2, "{hers}");
        let (s, _) = app
            .post(&format!("/api/v1/feedback/{}", ids[0]), &mila, &json!({"action": "answer", "note": "x"}))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, body) = app
            .post("/api/v1/feedback", &mila, &json!({"entries": [entry("m9", "t-1", "low", 0)]}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "entries[0].customer");
        let (s, body) = app
            .post("/api/v1/feedback", &mila, &json!({"entries": [entry("m8", "m-1", "normal", 0)]}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");

        // open → answered → resolved, each with its time and author; then nothing more.
        let act = |id: i64, action: &str| {
            let path = format!("/api/v1/feedback/{id}");
            let body = json!({"action": action, "note": format!("{action} done")});
            let app = &app;
            let admin = admin.clone();
            async move { app.post(&path, &admin, &body).await }
        };
        let (s, a) = act(ids[0], "answer").await;
        assert_eq!(s, StatusCode::OK, "{a}");
        assert_eq!(a["status"], "answered");
        assert_eq!(a["first_response_by"], "root");
        assert_eq!(a["first_response"], "answer done");
        // Answered, but past the resolution target: still overdue.
        assert_eq!(a["overdue"], true);
        let (s, body) = act(ids[0], "answer").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let (s, r) = act(ids[0], "resolve").await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["status"], "resolved");
        assert_eq!(r["overdue"], false);
        assert!(r["resolved_at"].as_i64().unwrap() >= r["first_response_at"].as_i64().unwrap());
        let (s, _) = act(ids[0], "resolve").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        // Resolving an open entry also gives its first response.
        let (s, r2) = act(ids[1], "resolve").await;
        assert_eq!(s, StatusCode::OK, "{r2}");
        assert_eq!(r2["first_response_at"], r2["resolved_at"]);

        // The report, against the entries' own times. e1 (t-1, no manager): answered late,
        // resolved late. e2 (mila): answered and resolved within target. e3 (mila, high, 2 days
        // ago): 24 h first response past, unanswered: late; resolution due 72 h: not yet due.
        // m8 (mila, normal, today): pending both.
        let (_, all) = app.get("/api/v1/feedback?state=all", &admin).await;
        let items = all["items"].as_array().unwrap().clone();
        let (s, rep) = app.get("/api/v1/feedback/report", &admin).await;
        assert_eq!(s, StatusCode::OK, "{rep}");
        assert_eq!(rep["overall"]["entries"], 4, "{rep}");
        let first = &rep["overall"]["first_response"];
        assert_eq!((first["within"].as_u64(), first["late"].as_u64(), first["pending"].as_u64()), (Some(1), Some(2), Some(1)), "{rep}");
        assert!((first["share"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-12);
        // Wilson's 95% interval of 1 of 3 by hand: (0.0615, 0.7923).
        let ci = first["ci95"].as_array().unwrap();
        assert!((ci[0].as_f64().unwrap() - 0.0615).abs() < 1e-3, "{ci:?}");
        assert!((ci[1].as_f64().unwrap() - 0.7923).abs() < 1e-3, "{ci:?}");
        let hours = |i: &Value, at: &str| {
            (i[at].as_i64().unwrap() - i["received_at"].as_i64().unwrap()) as f64 / 3_600.0
        };
        let answered: Vec<f64> = items
            .iter()
            .filter(|i| !i["first_response_at"].is_null())
            .map(|i| hours(i, "first_response_at"))
            .collect();
        assert_eq!(answered.len(), 2);
        let want = median(answered);
        let got = rep["overall"]["median_first_response_hours"].as_f64().unwrap();
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
        let managers = rep["managers"].as_array().unwrap();
        assert_eq!(managers.len(), 2, "{rep}");
        // Most entries first: mila's three, then the unassigned one.
        assert_eq!(managers[0]["manager"], "mila");
        assert_eq!(managers[0]["entries"], 3);
        assert_eq!(managers[0]["first_response"]["within"], 1);
        assert_eq!(managers[0]["first_response"]["late"], 1);
        assert_eq!(managers[0]["first_response"]["pending"], 1);
        assert_eq!(managers[1]["manager"], Value::Null);
        assert_eq!(managers[1]["first_response"]["late"], 1);
        assert_eq!(managers[1]["resolution"]["late"], 1);
        assert_eq!(rep["kinds"], json!([{"kind": "complaint", "entries": 4}]));
        assert_eq!(rep["targets"][3], json!({"severity": "critical", "first_response_hours": 4, "resolution_hours": 24}));
        // The manager's report holds her entries only.
        let (_, hers) = app.get("/api/v1/feedback/report", &mila).await;
        assert_eq!(hers["overall"]["entries"], 3, "{hers}");

        // Targets: admins only, checked; a new entry gets the new ones, old ones keep theirs.
        let change = json!({"severity": "critical", "first_response_hours": 1, "resolution_hours": 8});
        let (s, _) = put(&app, "/api/v1/feedback/targets", &mila, &change).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, t) = put(&app, "/api/v1/feedback/targets", &admin, &change).await;
        assert_eq!(s, StatusCode::OK, "{t}");
        assert_eq!(t["targets"][3]["first_response_hours"], 1);
        for (bad, field) in [
            (json!({"severity": "critical", "first_response_hours": 9, "resolution_hours": 8}), "targets"),
            (json!({"severity": "critical", "first_response_hours": 0, "resolution_hours": 8}), "targets"),
            (json!({"severity": "critical", "first_response_hours": 1, "resolution_hours": 9000}), "targets"),
            (json!({"severity": "urgentissimo", "first_response_hours": 1, "resolution_hours": 8}), "severity"),
        ] {
            let (s, body) = put(&app, "/api/v1/feedback/targets", &admin, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(error_field(&body), field, "{bad}: {body}");
        }
        let (_, got) = app.get("/api/v1/feedback/targets", &mila).await;
        assert_eq!(got["targets"][3]["resolution_hours"], 8);
        let (_, body) = app.post("/api/v1/feedback", &admin, &json!({"entries": [entry("n1", "t-1", "critical", 1)]})).await;
        let n1 = body["ids"][0].as_i64().unwrap();
        let (_, list) = app.get("/api/v1/feedback?state=all&limit=100", &admin).await;
        let n1 = list["items"].as_array().unwrap().iter().find(|i| i["id"] == n1).unwrap();
        assert_eq!(n1["resolution_due"], days_ago(1).1 + 8 * 3_600);
        let (_, e1) = app.get("/api/v1/feedback?state=resolved", &admin).await;
        let e1 = e1["items"].as_array().unwrap().iter().find(|i| i["id"] == ids[0]).unwrap().clone();
        assert_eq!(e1["resolution_due"], days_ago(3).1 + 24 * 3_600);
        app
    })
    .await;
}

#[tokio::test]
async fn hostile_entries_and_queries_are_refused_with_their_field() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        app.customer("c-1", "One").await;
        let ok = entry("h0", "c-1", "normal", 1);
        let with = |key: &str, value: Value| {
            let mut e = ok.clone();
            e[key] = value;
            e
        };
        let day_start = days_ago(1).1;
        for (bad, field) in [
            (with("customer_id", json!("nobody")), "entries[0].customer"),
            (with("customer_id", json!("")), "entries[0].customer"),
            (with("date", json!("2999-01-01")), "entries[0].date"),
            (with("date", json!("2026-02-30")), "entries[0].date"),
            (with("date", json!("вчера")), "entries[0].date"),
            (with("text", json!("   ")), "entries[0].text"),
            (with("text", json!("x".repeat(10_001))), "entries[0].text"),
            (with("kind", json!("rant")), "entries[0].kind"),
            (
                with("severity", json!("apocalyptic")),
                "entries[0].severity",
            ),
            (with("category", json!("a\u{7}b")), "entries[0].category"),
            (
                with("channel", json!("c".repeat(201))),
                "entries[0].channel",
            ),
            (with("entry_id", json!("")), "entries[0].entry_id"),
            (
                with("received_at", json!(day_start + 86_400)),
                "entries[0].received_at",
            ),
            (with("received_at", json!(-1)), "entries[0].received_at"),
        ] {
            let (s, body) = app
                .post(
                    "/api/v1/feedback",
                    &admin,
                    &json!({"entries": [bad.clone()]}),
                )
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(error_field(&body), field, "{bad}: {body}");
        }
        // A batch with one bad entry stores nothing, and says where.
        let mut stranger = with("customer_id", json!("nobody"));
        stranger["entry_id"] = json!("h1");
        let (s, body) = app
            .post(
                "/api/v1/feedback",
                &admin,
                &json!({"entries": [ok.clone(), stranger]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "entries[1].customer");
        // The same id twice in a batch, and an id stored with another entry.
        let (s, body) = app
            .post(
                "/api/v1/feedback",
                &admin,
                &json!({"entries": [ok.clone(), ok.clone()]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "entries[1].entry_id");
        let (_, list) = app.get("/api/v1/feedback?state=all", &admin).await;
        assert_eq!(list["total"], 0, "nothing was stored: {list}");
        let (s, _) = app
            .post(
                "/api/v1/feedback",
                &admin,
                &json!({"entries": [ok.clone()]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (s, body) = app
            .post(
                "/api/v1/feedback",
                &admin,
                &json!({"entries": [with("text", json!("changed"))]}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "entries[0].entry_id");
        let (s, body) = app
            .post("/api/v1/feedback", &admin, &json!({"entries": []}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&body), "entries");
        let (s, _) = app
            .post(
                "/api/v1/feedback",
                &admin,
                &json!({"entries": [ok.clone()], "extra": 1}),
            )
            .await;
        assert!(s.is_client_error());
        // Actions and queries.
        for (path, body, field) in [
            (
                "/api/v1/feedback/abc",
                json!({"action": "answer", "note": "x"}),
                "id",
            ),
            (
                "/api/v1/feedback/1",
                json!({"action": "delete", "note": "x"}),
                "action",
            ),
            (
                "/api/v1/feedback/1",
                json!({"action": "answer", "note": "  "}),
                "note",
            ),
        ] {
            let (s, got) = app.post(path, &admin, &body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path} {body}: {got}");
            assert_eq!(error_field(&got), field, "{path} {body}: {got}");
        }
        let (s, _) = app
            .post(
                "/api/v1/feedback/999999",
                &admin,
                &json!({"action": "answer", "note": "x"}),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        for (query, field) in [
            ("/api/v1/feedback?state=lost", "state"),
            ("/api/v1/feedback?kind=rant", "kind"),
            ("/api/v1/feedback?limit=0", "limit"),
            ("/api/v1/feedback/report?from=2026-13-01", "from"),
            (
                "/api/v1/feedback/report?from=2026-03-01&to=2026-02-01",
                "from",
            ),
            (
                "/api/v1/feedback/report?from=2000-01-01&to=2026-02-01",
                "from",
            ),
        ] {
            let (s, body) = app.get(query, &admin).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
            assert_eq!(error_field(&body), field, "{query}: {body}");
        }
        app
    })
    .await;
}
