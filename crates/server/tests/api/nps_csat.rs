//! CSAT beside the NPS in the report, over the API on SQLite and PostgreSQL: one answer per
//! respondent (the latest), the mean with its Student t interval and the satisfied share with
//! its Wilson interval, checked against values computed by hand; no intervals below the
//! minimum sample; a manager's report holds her customers' answers only.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::on_both;
use clientele_store::Role;

fn days_ago(back: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    clientele_core::Day::from_days_since_epoch((secs / 86_400 - back) as i32).to_string()
}

fn csat(id: &str, customer: &str, score: i64, back: i64) -> Value {
    json!({"answer_id": id, "customer_id": customer, "kind": "csat", "score": score,
           "date": days_ago(back)})
}

#[tokio::test]
async fn csat_stands_beside_nps_with_its_intervals() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        for c in ["c1", "c2", "c3", "c4", "c5"] {
            app.customer(c, c).await;
        }
        let c5 = app.customer("c5", "c5").await;
        app.assign(c5, "mila").await;
        // c1 answered 1 a week ago and 5 yesterday: only the 5 counts.
        let batch = json!({"answers": [
            csat("k0", "c1", 1, 7),
            csat("k1", "c1", 5, 1),
            csat("k2", "c2", 4, 1),
            csat("k3", "c3", 4, 1),
            csat("k4", "c4", 3, 1),
            csat("k5", "c5", 1, 1),
            {"answer_id": "n1", "customer_id": "c2", "score": 9, "date": days_ago(1)},
        ]});
        let (s, body) = app.post("/api/v1/survey-answers", &admin, &batch).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        // Scores 5, 4, 4, 3, 1: mean 3.4, s = sqrt(9.2 / 4), t(0.975, 4) = 2.7764: the mean's
        // interval 1.5169 to 5.2831, clamped to 5; satisfied 3 of 5, Wilson 0.2307 to 0.8824.
        let (s, r) = app
            .get("/api/v1/nps/report?min_answers=1", &admin)
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let c = &r["csat"];
        assert_eq!(c["n"], 5, "{r}");
        assert!((c["mean"].as_f64().unwrap() - 3.4).abs() < 1e-12, "{c}");
        let mean_ci = c["mean_ci95"].as_array().unwrap();
        assert!((mean_ci[0].as_f64().unwrap() - 1.516_923).abs() < 1e-5, "{c}");
        assert_eq!(mean_ci[1].as_f64().unwrap(), 5.0, "clamped to the scale: {c}");
        assert!((c["satisfied"].as_f64().unwrap() - 0.6).abs() < 1e-12);
        let sat_ci = c["satisfied_ci95"].as_array().unwrap();
        assert!((sat_ci[0].as_f64().unwrap() - 0.230_724).abs() < 1e-5, "{c}");
        assert!((sat_ci[1].as_f64().unwrap() - 0.882_379).abs() < 1e-5, "{c}");
        assert_eq!(c["enough"], true);
        // The NPS is its own: one respondent (a promoter).
        assert_eq!(r["n"], 1);

        // Below the default minimum of 30: the observed figures, no intervals.
        let (_, r) = app.get("/api/v1/nps/report", &admin).await;
        assert_eq!(r["csat"]["n"], 5);
        assert_eq!(r["csat"]["enough"], false);
        assert!(r["csat"]["mean_ci95"].is_null());
        assert!((r["csat"]["mean"].as_f64().unwrap() - 3.4).abs() < 1e-12);

        // The manager's: c5's 1 alone; a single answer has no spread, so no interval.
        let (_, r) = app.get("/api/v1/nps/report?min_answers=1", &mila).await;
        assert_eq!(r["csat"]["n"], 1, "{r}");
        assert_eq!(r["csat"]["mean"], 1.0);
        assert!(r["csat"]["mean_ci95"].is_null());
        assert_eq!(r["csat"]["satisfied"], 0.0);

        // A range before every answer: none, and defined.
        let (_, r) = app
            .get("/api/v1/nps/report?from=2020-01-01&to=2020-12-31", &admin)
            .await;
        assert_eq!(r["csat"], json!({"n": 0, "mean": null, "mean_ci95": null, "satisfied": null, "satisfied_ci95": null, "enough": false}));
        app
    })
    .await;
}

#[tokio::test]
async fn nps_splits_by_rung_and_by_status_from_the_snapshot() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        // Yesterday's snapshot: a and b regulars (active), c a regular slipping, d a newcomer
        // lost; e was never scored.
        let snap = clientele_core::Day::parse_iso(&days_ago(1)).unwrap();
        let mut answers = Vec::new();
        for (c, score, rung, status) in [
            ("a", 10, Some("regular"), Some("active")),
            ("b", 9, Some("regular"), Some("active")),
            ("c", 3, Some("regular"), Some("slipping")),
            ("d", 0, Some("newcomer"), Some("lost")),
            ("e", 8, None, None),
        ] {
            let id = app.customer(c, c).await;
            if let Some(rung) = rung {
                app.snapshot_row(snap, id, rung, status, None, 100).await;
            }
            answers.push(json!({"answer_id": format!("s{c}"), "customer_id": c, "score": score, "date": days_ago(1)}));
        }
        let (s, body) = app
            .post("/api/v1/survey-answers", &admin, &json!({ "answers": answers }))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let groups = |r: &Value| -> Vec<(Value, u64, Option<f64>)> {
            r["groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| (g["group"].clone(), g["n"].as_u64().unwrap(), g["nps"].as_f64()))
                .collect()
        };
        // By status: active 2 promoters (NPS 100), slipping 1 detractor (-100), lost 1
        // detractor (-100), unscored 1 passive (0).
        let (s, r) = app
            .get("/api/v1/nps/report?by=status&min_answers=1", &admin)
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let mut got = groups(&r);
        got.sort_by_key(|g| g.0.to_string());
        assert_eq!(
            got,
            vec![
                (json!("active"), 2, Some(100.0)),
                (json!("lost"), 1, Some(-100.0)),
                (json!("slipping"), 1, Some(-100.0)),
                (Value::Null, 1, Some(0.0)),
            ],
            "{r}"
        );
        // By rung: regulars 2 promoters and 1 detractor: 100 (2 - 1) / 3 = 33.3.
        let (_, r) = app.get("/api/v1/nps/report?by=rung&min_answers=1", &admin).await;
        let regular = groups(&r)
            .into_iter()
            .find(|g| g.0 == json!("regular"))
            .unwrap();
        assert_eq!(regular.1, 3);
        assert!((regular.2.unwrap() - 100.0 / 3.0).abs() < 1e-9, "{r}");
        let (s, body) = app.get("/api/v1/nps/report?by=mood", &admin).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body["error"]["message"].as_str().unwrap_or_default().contains("status") || body.to_string().contains("status"), "{body}");
        app
    })
    .await;
}
