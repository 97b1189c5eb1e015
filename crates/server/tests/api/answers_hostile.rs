//! Issue 25, item 9 over the API, on SQLite and PostgreSQL: the hostile scores the file import
//! and the public page refuse — a score written as a word, a blank one, 11, −1 — each named by
//! its place in the batch, and a batch holding one such answer among good ones, an unknown
//! customer, a future date or a repeated answer id stores none of them.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{error_field, on_both};
use clientele_store::Role;

fn good(id: &str, customer: &str) -> Value {
    json!({"answer_id": id, "customer_id": customer, "score": 9, "date": "2026-01-10"})
}

#[tokio::test]
async fn a_hostile_answer_anywhere_in_a_batch_is_named_and_nothing_is_stored() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        app.customer("c1", "One").await;
        app.customer("c2", "Two").await;
        for (bad, field) in [
            (
                json!({"answer_id": "x", "customer_id": "c2", "score": "девять", "date": "2026-01-10"}),
                "answers[1].score",
            ),
            (
                json!({"answer_id": "x", "customer_id": "c2", "score": "", "date": "2026-01-10"}),
                "answers[1].score",
            ),
            (
                json!({"answer_id": "x", "customer_id": "c2", "date": "2026-01-10"}),
                "answers[1].score",
            ),
            (
                json!({"answer_id": "x", "customer_id": "c2", "score": 11, "date": "2026-01-10"}),
                "answers[1].score",
            ),
            (
                json!({"answer_id": "x", "customer_id": "c2", "score": -1, "date": "2026-01-10"}),
                "answers[1].score",
            ),
            (
                json!({"answer_id": "x", "customer_id": "stranger", "score": 9, "date": "2026-01-10"}),
                "answers[1].customer",
            ),
            (
                json!({"answer_id": "x", "customer_id": "c2", "score": 9, "date": "2999-01-10"}),
                "answers[1].date",
            ),
            (
                json!({"answer_id": "x", "customer_id": "c2", "score": 9, "date": " "}),
                "answers[1].date",
            ),
            (good("g1", "c2"), "answers[1].answer_id"),
        ] {
            let batch = json!({"answers": [good("g1", "c1"), bad]});
            let (s, body) = app.post("/api/v1/survey-answers", &admin, &batch).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{batch}: {body}");
            assert_eq!(error_field(&body), field, "{batch}: {body}");
            assert_eq!(
                app.store.count("survey_responses").await.unwrap(),
                0,
                "nothing half-imported: {batch}"
            );
        }
        // The same good answer alone is stored.
        let (s, body) = app
            .post("/api/v1/survey-answers", &admin, &json!({"answers": [good("g1", "c1")]}))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(app.store.count("survey_responses").await.unwrap(), 1);
        app
    })
    .await;
}
