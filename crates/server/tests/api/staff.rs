//! Staff voice over the API, on SQLite and PostgreSQL: a survey opened, codes made per
//! department, answers given with them (a code spent once), nothing reported until a batch is
//! complete, the report's eNPS checked against hand-computed values, managers kept out, and
//! hostile bodies refused naming the field.

use reqwest::StatusCode;
use serde_json::json;

use super::{TestApp, error_field, on_both};
use clientele_store::Role;

#[tokio::test]
async fn answers_show_by_batch_with_the_nps_statistics_and_small_groups_hidden() {
    on_both(|app: TestApp| async move {
        let ann = app.user("ann", Role::Admin).await;
        let ada = app.user("ada", Role::Analyst).await;
        let bob = app.user("bob", Role::Manager).await;
        let (s, _) = app
            .post("/api/v1/staff/surveys", &ada, &json!({"title": "Pulse"}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, survey) = app
            .post(
                "/api/v1/staff/surveys",
                &ann,
                &json!({"title": "Pulse", "date": "2026-02-01", "batch_size": 5}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{survey}");
        let id = survey["id"].as_i64().unwrap();
        let (s, made) = app
            .post(
                &format!("/api/v1/staff/surveys/{id}/codes"),
                &ann,
                &json!({"department": "Support", "count": 12}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{made}");
        let codes: Vec<String> = made["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        assert_eq!(codes.len(), 12);
        // Ten answers: 10,10,10,9 promoters; 8,7 passive; 6,5,3,0 detractors.
        let scores = [10, 10, 10, 9, 8, 7, 6, 5, 3, 0];
        for (code, nps) in codes.iter().zip(scores) {
            let (s, b) = app
                .post(
                    "/api/v1/staff/answers",
                    &bob,
                    &json!({"code": code, "nps": nps, "satisfaction": {"team": 5, "pay": 2}}),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{b}");
        }
        // Spent once.
        let (s, b) = app
            .post(
                "/api/v1/staff/answers",
                &bob,
                &json!({"code": codes[0], "nps": 9}),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
        // The eleventh waits for its batch: ten are reported.
        app.post(
            "/api/v1/staff/answers",
            &bob,
            &json!({"code": codes[10], "nps": 0}),
        )
        .await;
        let (s, _) = app.get("/api/v1/staff/report", &bob).await;
        assert_eq!(
            s,
            StatusCode::FORBIDDEN,
            "managers do not read staff results"
        );
        let (s, r) = app.get("/api/v1/staff/report", &ada).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["answers"], 10);
        assert_eq!(r["min_group"], 5);
        let p = &r["periods"][0];
        assert_eq!(p["period"], "2026-Q1");
        let support = &p["departments"][0];
        assert_eq!(support["department"], "Support");
        assert_eq!(
            (
                support["promoters"].as_u64(),
                support["passives"].as_u64(),
                support["detractors"].as_u64()
            ),
            (Some(4), Some(2), Some(4))
        );
        // NPS 0; variance p + d − (p − d)² = 0.8; SE = 100·√(0.8/10) = 28.28; margin 1.96·SE.
        assert!(support["nps"].as_f64().unwrap().abs() < 1e-9);
        let margin = 1.959_963_984_540_054 * 100.0 * (0.8f64 / 10.0).sqrt();
        assert!(
            (support["margin_of_error"].as_f64().unwrap() - margin).abs() < 1e-3,
            "{support}"
        );
        let team = &support["satisfaction"][2];
        assert_eq!(
            (team["question"].as_str(), team["mean"].as_f64()),
            (Some("team"), Some(5.0))
        );
        assert_eq!(
            support["satisfaction"][3]["satisfied_share"].as_f64(),
            Some(0.0)
        );
        assert_eq!(p["hidden_departments"], 0);
        // A minimum group above ten hides Support and the total with it.
        let (_, r) = app.get("/api/v1/staff/report?min_group=11", &ada).await;
        assert_eq!(r["periods"][0]["departments"], json!([]));
        assert_eq!(r["periods"][0]["hidden_departments"], 1);
        assert_eq!(r["periods"][0]["total"], serde_json::Value::Null);

        // Closing releases the eleventh; the list shows counts, never codes.
        let (s, c) = app
            .post(
                &format!("/api/v1/staff/surveys/{id}/close"),
                &ann,
                &json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{c}");
        assert_eq!(c["released"], 1);
        let (_, list) = app.get("/api/v1/staff/surveys", &ada).await;
        assert_eq!(list[0]["released"], 11);
        assert_eq!(
            list[0]["departments"],
            json!([{"department": "Support", "codes": 12}])
        );
        assert!(!list.to_string().contains(&codes[11]));
        let (s, _) = app
            .post(
                &format!("/api/v1/staff/surveys/{id}/close"),
                &ann,
                &json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        app
    })
    .await;
}

#[tokio::test]
async fn hostile_staff_bodies_are_refused_naming_the_field() {
    on_both(|app: TestApp| async move {
        let ann = app.user("ann", Role::Admin).await;
        let (_, survey) = app
            .post("/api/v1/staff/surveys", &ann, &json!({"title": "Pulse"}))
            .await;
        let id = survey["id"].as_i64().unwrap();
        let codes_path = format!("/api/v1/staff/surveys/{id}/codes");
        let (_, made) = app
            .post(&codes_path, &ann, &json!({"department": "A", "count": 1}))
            .await;
        let code = made["codes"][0].as_str().unwrap().to_string();
        for (path, body, field) in [
            ("/api/v1/staff/surveys", json!({"title": ""}), "title"),
            (
                "/api/v1/staff/surveys",
                json!({"title": "x".repeat(101)}),
                "title",
            ),
            (
                "/api/v1/staff/surveys",
                json!({"title": "ok", "batch_size": 2}),
                "batch_size",
            ),
            (
                "/api/v1/staff/surveys",
                json!({"title": "ok", "date": "2026-13-01"}),
                "date",
            ),
            (
                codes_path.as_str(),
                json!({"department": "A\u{0}", "count": 1}),
                "department",
            ),
            (
                codes_path.as_str(),
                json!({"department": "A", "count": 0}),
                "count",
            ),
            (
                codes_path.as_str(),
                json!({"department": "A", "count": 100000}),
                "count",
            ),
            (
                "/api/v1/staff/answers",
                json!({"code": code, "nps": 11}),
                "nps",
            ),
            (
                "/api/v1/staff/answers",
                json!({"code": code, "nps": 5, "satisfaction": {"pay": 0}}),
                "satisfaction",
            ),
            (
                "/api/v1/staff/answers",
                json!({"code": code, "nps": 5, "satisfaction": {"salary": 3}}),
                "satisfaction",
            ),
            (
                "/api/v1/staff/answers",
                json!({"code": "x".repeat(100), "nps": 5}),
                "code",
            ),
        ] {
            let (s, b) = app.post(path, &ann, &body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path} {body}: {b}");
            assert_eq!(error_field(&b), field, "{path} {body}: {b}");
        }
        // None of the refusals spent the code.
        let (s, b) = app
            .post(
                "/api/v1/staff/answers",
                &ann,
                &json!({"code": code, "nps": 5}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        for q in [
            "min_group=2",
            "period=year",
            "from=2026-05-01&to=2026-01-01",
            "min_answers=0",
        ] {
            let (s, b) = app.get(&format!("/api/v1/staff/report?{q}"), &ann).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{q}: {b}");
        }
        let (s, _) = app
            .post(
                "/api/v1/staff/surveys/9999/codes",
                &ann,
                &json!({"department": "A", "count": 1}),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        app
    })
    .await;
}
