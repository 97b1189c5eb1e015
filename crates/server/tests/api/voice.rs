//! The voice of the customer over the API, on SQLite and PostgreSQL: a batch of answers stored
//! once (the same batch again changes nothing), a conflicting or hostile batch refused whole with
//! the field named, managers refused sending and shown only their customers' answers in the
//! report, whose figures are checked against values computed here by hand.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, error_field, on_both};
use clientele_store::Role;

/// Today's date as the server reads it (UTC), minus `back` days, as YYYY-MM-DD.
fn days_ago(back: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    clientele_core::Day::from_days_since_epoch((secs / 86_400 - back) as i32).to_string()
}

fn answer(id: &str, customer: &str, score: i64) -> Value {
    json!({"answer_id": id, "customer_id": customer, "score": score, "date": days_ago(2), "channel": "email"})
}

async fn report(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/nps/report{query}"), token).await
}

#[tokio::test]
async fn answers_arrive_once_and_the_report_is_scoped_and_honest() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        let mine = app.customer("m-1", "Mine").await;
        app.customer("t-1", "Theirs").await;
        app.customer("t-2", "Theirs too").await;
        app.assign(mine, "mila").await;

        let batch = json!({"answers": [
            answer("a1", "m-1", 10),
            answer("a2", "t-1", 9),
            answer("a3", "t-2", 3),
        ]});
        let (s, body) = app.post("/api/v1/survey-answers", &admin, &batch).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"stored": 3, "unchanged": 0, "tasks_opened": 1}));
        let (s, body) = app.post("/api/v1/survey-answers", &admin, &batch).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body, json!({"stored": 0, "unchanged": 3, "tasks_opened": 0}));

        // A changed answer under a stored id, beside a new one: nothing is stored.
        let conflict = json!({"answers": [answer("a4", "t-1", 5), answer("a1", "m-1", 2)]});
        let (s, body) = app.post("/api/v1/survey-answers", &admin, &conflict).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_field(&body), "answers[1].answer_id");

        for (bad, field) in [
            (json!({"answers": [answer("b1", "m-1", 11)]}), "answers[0].score"),
            (json!({"answers": [answer("b1", "m-1", -1)]}), "answers[0].score"),
            (json!({"answers": [answer("b1", "nobody", 7)]}), "answers[0].customer"),
            (
                json!({"answers": [{"customer_id": "m-1", "score": 7, "date": "2999-01-01"}]}),
                "answers[0].date",
            ),
            (
                json!({"answers": [{"customer_id": "m-1", "score": 7, "date": "2026-13-01"}]}),
                "answers[0].date",
            ),
            (
                json!({"answers": [{"customer_id": "m-1", "score": 4, "kind": "csat", "scale": "0-10", "date": days_ago(1)}]}),
                "answers[0].scale",
            ),
            (json!({"answers": [answer("d", "m-1", 7), answer("d", "t-1", 7)]}), "answers[1].answer_id"),
            (json!({"answers": []}), "answers"),
        ] {
            let (s, body) = app.post("/api/v1/survey-answers", &admin, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
            assert_eq!(error_field(&body), field, "{bad}: {body}");
        }
        let (s, _) = app
            .post("/api/v1/survey-answers", &admin, &json!({"answers": [answer("x", "m-1", 7)], "extra": 1}))
            .await;
        assert!(s.is_client_error());
        let (s, _) = app.post("/api/v1/survey-answers", &mila, &batch).await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // The admin's report: three respondents (promoter, promoter, detractor), below the
        // minimum of 30: no score. With a minimum of 1: NPS = 100 (2 - 1) / 3 = 33.33,
        // SE = 100 sqrt((p + d - (p - d)^2) / n) = 100 sqrt((1 - 1/9) / 3) = 54.43.
        let (s, r) = report(&app, &admin, "").await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["n"], 3);
        assert_eq!(r["enough"], false);
        assert!(r["nps"].is_null());
        let (_, r) = report(&app, &admin, "?min_answers=1&by=channel&period=month").await;
        assert!((r["nps"].as_f64().unwrap() - 100.0 / 3.0).abs() < 1e-9, "{r}");
        assert!((r["std_error"].as_f64().unwrap() - 54.4331).abs() < 1e-3, "{r}");
        assert_eq!(r["band"], "known_must_improve");
        assert_eq!(r["groups"][0]["group"], "email");
        assert_eq!(r["periods"].as_array().unwrap().len(), 1);

        // The manager's report holds only her customer's answer.
        let (_, r) = report(&app, &mila, "?min_answers=1").await;
        assert_eq!(r["n"], 1, "{r}");
        assert_eq!(r["nps"], 100.0);

        for (query, field) in [
            ("?by=colour", "by"),
            ("?period=week", "period"),
            ("?from=2026-02-30", "from"),
            ("?from=2026-03-01&to=2026-02-01", "from"),
            ("?min_answers=0", "min_answers"),
        ] {
            let (s, body) = report(&app, &admin, query).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
            assert_eq!(error_field(&body), field, "{query}: {body}");
        }
        app
    })
    .await;
}

#[tokio::test]
async fn improvements_are_logged_listed_and_checked_by_analysts_only() {
    on_both(|app| async move {
        let analyst = app.user("ana", Role::Analyst).await;
        let mila = app.user("mila", Role::Manager).await;
        let body = json!({
            "title": "Call before delivery", "owner": "Olga", "hypothesis": "fewer missed deliveries",
            "target_kind": "touchpoint", "target": "delivery",
            "start": "2026-02-01", "check": "2026-03-31"
        });
        let (s, added) = app.post("/api/v1/improvements", &analyst, &body).await;
        assert_eq!(s, StatusCode::CREATED, "{added}");
        assert_eq!(added["target"], "delivery");
        let id = added["id"].as_i64().unwrap();
        let (s, _) = app.post("/api/v1/improvements", &mila, &body).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app.get("/api/v1/improvements", &mila).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, list) = app.get("/api/v1/improvements", &analyst).await;
        assert_eq!(list["items"].as_array().unwrap().len(), 1);

        for (patch, field) in [
            (json!({"check": "2026-01-01"}), "check"),
            (json!({"start": "2026-02-31"}), "start"),
            (json!({"title": ""}), "title"),
            (json!({"title": "x".repeat(201)}), "title"),
            (json!({"target_kind": "rung", "target": "king"}), "target"),
        ] {
            let mut bad = body.clone();
            for (k, v) in patch.as_object().unwrap() {
                bad[k] = v.clone();
            }
            let (s, err) = app.post("/api/v1/improvements", &analyst, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {err}");
            assert_eq!(error_field(&err), field, "{bad}: {err}");
        }

        // No answers at all: the windows are 58 days each, and no change is claimed.
        let (s, check) = app.get(&format!("/api/v1/improvements/{id}/check"), &analyst).await;
        assert_eq!(s, StatusCode::OK, "{check}");
        assert_eq!(check["before"], json!(["2025-12-05", "2026-01-31"]));
        assert_eq!(check["nps_before"]["n"], 0);
        assert!(check["nps_change"].is_null());
        let (s, _) = app.get("/api/v1/improvements/999/check", &analyst).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app.get("/api/v1/improvements/abc/check", &analyst).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        app
    })
    .await;
}

#[tokio::test]
async fn follow_up_tasks_are_listed_in_scope_and_answered() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        let mine = app.customer("m-1", "Mine").await;
        app.customer("t-1", "Theirs").await;
        app.assign(mine, "mila").await;
        let batch = json!({"answers": [answer("f1", "m-1", 2), answer("f2", "t-1", 8)]});
        let (s, body) = app.post("/api/v1/survey-answers", &admin, &batch).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["tasks_opened"], 2, "a detractor and a passive");

        let (_, all) = app.get("/api/v1/followup-tasks", &admin).await;
        assert_eq!(all["total"], 2, "{all}");
        let (_, detractors) = app
            .get("/api/v1/followup-tasks?kind=detractor", &admin)
            .await;
        assert_eq!(detractors["total"], 1);
        let (_, overdue) = app
            .get("/api/v1/followup-tasks?state=overdue", &admin)
            .await;
        assert_eq!(overdue["total"], 0, "due in 48 hours and 7 days");
        let (_, hers) = app.get("/api/v1/followup-tasks", &mila).await;
        assert_eq!(hers["total"], 1, "{hers}");
        let task = &hers["items"][0];
        assert_eq!(task["external_id"], "m-1");
        assert_eq!(task["kind"], "detractor");
        assert_eq!(task["score"], 2);
        assert_eq!(task["overdue"], false);
        assert_eq!(
            task["due_at"].as_i64().unwrap() - task["opened_at"].as_i64().unwrap(),
            48 * 3600
        );
        let mine_id = task["id"].as_i64().unwrap();
        let other_id = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["external_id"] == "t-1")
            .unwrap()["id"]
            .as_i64()
            .unwrap();

        let path = |id: i64| format!("/api/v1/followup-tasks/{id}");
        let (s, _) = app
            .post(&path(other_id), &mila, &json!({"action": "take"}))
            .await;
        assert_eq!(
            s,
            StatusCode::NOT_FOUND,
            "another manager's task is not found"
        );
        let (s, err) = app
            .post(&path(mine_id), &mila, &json!({"action": "answer"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&err), "outcome");
        let (s, err) = app
            .post(&path(mine_id), &mila, &json!({"action": "forget"}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&err), "action");
        let (s, done) = app
            .post(
                &path(mine_id),
                &mila,
                &json!({"action": "answer", "outcome": "called, refund sent"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{done}");
        assert_eq!(done["outcome"], "called, refund sent");
        assert!(done["answered_at"].is_i64());
        let (_, open) = app.get("/api/v1/followup-tasks", &mila).await;
        assert_eq!(open["total"], 0, "an answered task leaves the open list");
        let (s, err) = app.get("/api/v1/followup-tasks?state=late", &admin).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&err), "state");
        app
    })
    .await;
}
