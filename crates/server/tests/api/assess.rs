//! The express self-assessment over the API, on SQLite and PostgreSQL: the shipped checklists,
//! answers from two people scored per area with the spread and the disputed question named,
//! recommendations for every "no", a company's own checklist, and hostile bodies refused
//! naming the field.

use reqwest::StatusCode;
use serde_json::json;

use super::{TestApp, error_field, on_both};
use clientele_store::Role;

const OWN: &str = "key = \"ours\"\ntitle = { en = \"Ours\", ru = \"Наш\" }\n\
[[areas]]\nkey = \"a\"\ntitle = { en = \"A\", ru = \"А\" }\n\
[[areas.questions]]\nkey = \"q1\"\ntext = { en = \"Q1?\", ru = \"В1?\" }\nrecommendation = { en = \"Do Q1.\", ru = \"Сделайте В1.\" }\n";

#[tokio::test]
async fn two_respondents_are_scored_per_area_with_their_spread() {
    on_both(|app: TestApp| async move {
        let ann = app.user("ann", Role::Admin).await;
        let bob = app.user("bob", Role::Manager).await;
        let (s, body) = app.get("/api/v1/assess/checklists?lang=ru", &bob).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let keys: Vec<&str> = body.as_array().unwrap().iter().map(|c| c["key"].as_str().unwrap()).collect();
        assert_eq!(keys, ["four_directions", "customer_journey", "winback_readiness", "service_quality"]);
        assert_eq!(body[1]["areas"][1]["title"], "Сайт");

        // Website: ann says yes to all three, bob yes to one_click only → 1 and 1/3.
        let (s, body) = app
            .post(
                "/api/v1/assess/customer_journey/answers",
                &ann,
                &json!({"answers": {"one_click": true, "faq": true, "contacts_easy": true, "fast_feedback": false}}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["respondent"], "ann");
        let (s, body) = app
            .post(
                "/api/v1/assess/customer_journey/answers",
                &bob,
                &json!({"answers": {"one_click": true, "faq": false, "contacts_easy": false}}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");

        let (s, r) = app.get("/api/v1/assess/customer_journey/report", &bob).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["respondents"], json!(["ann", "bob"]));
        let website = &r["areas"][1];
        assert_eq!(website["key"], "website");
        assert!((website["score"].as_f64().unwrap() - (1.0 + 1.0 / 3.0) / 2.0).abs() < 1e-12);
        assert!((website["spread"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
        let faq = &website["questions"][1];
        assert_eq!((faq["yes"].as_u64(), faq["no"].as_u64()), (Some(1), Some(1)));
        assert_eq!(faq["disputed"], true);
        assert_eq!((faq["yes_by"].clone(), faq["no_by"].clone()), (json!(["ann"]), json!(["bob"])));
        assert!(faq["recommendation"].as_str().unwrap().contains("ten most frequent"));
        let one_click = &website["questions"][0];
        assert_eq!(one_click["recommendation"], serde_json::Value::Null);
        // Support: only ann answered fast_feedback ("no"): the evidence is named, not invented.
        let fast = &r["areas"][3]["questions"][0];
        assert_eq!(fast["evidence"], "response_time");
        assert_eq!(fast["evidence_value"], serde_json::Value::Null);
        assert_eq!(r["areas"][4]["score"], serde_json::Value::Null, "nobody answered logistics");
        assert_eq!(r["history"].as_array().unwrap().len(), 1);

        // A company's own checklist: admins only, then listed and answerable.
        let (s, _) = app.post("/api/v1/assess/checklists", &bob, &json!({"toml": OWN})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, body) = app.post("/api/v1/assess/checklists", &ann, &json!({"toml": OWN})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let (s, _) = app
            .post("/api/v1/assess/ours/answers", &bob, &json!({"answers": {"q1": false}}))
            .await;
        assert_eq!(s, StatusCode::OK);

        for (path, body, field) in [
            ("/api/v1/assess/customer_journey/answers", json!({"answers": {"nope": true}}), "answers"),
            ("/api/v1/assess/customer_journey/answers", json!({"answers": {}}), "answers"),
            ("/api/v1/assess/customer_journey/answers", json!({"answers": {"faq": true}, "date": "2999-01-01"}), "date"),
            ("/api/v1/assess/no_such/answers", json!({"answers": {"faq": true}}), "checklist"),
            ("/api/v1/assess/checklists", json!({"toml": "key = 5"}), "toml"),
            ("/api/v1/assess/checklists", json!({"toml": OWN.replace("\"ours\"", "\"four_directions\"")}), "key"),
        ] {
            let (s, b) = app.post(path, &ann, &body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path} {body}: {b}");
            assert_eq!(error_field(&b), field, "{path} {body}");
        }
        let (s, _) = app.get("/api/v1/assess/customer_journey/report?lang=fr", &ann).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        app
    })
    .await;
}
