//! Campaigns through the API on both backends: created from a filter by admins and analysts
//! (managers 403), the control share held back exactly, hostile bodies refused with the field,
//! a taken name 409, and the report in the interface's shape with no NaN on empty arms.

use clientele_store::Role;
use reqwest::StatusCode;
use serde_json::json;

use super::{day, error_field, on_both};

#[tokio::test]
async fn campaigns_are_created_listed_and_reported() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        let as_of = day(2025, 6, 30);
        // 40 lost customers (20 regulars, 20 newcomers), 5 active ones.
        for i in 0..45 {
            let id = app.customer(&format!("k-{i}"), "K").await;
            let (rung, status) = match i {
                0..20 => ("regular", "lost"),
                20..40 => ("newcomer", "lost"),
                _ => ("regular", "active"),
            };
            app.snapshot_row(as_of, id, rung, Some(status), None, 100)
                .await;
        }
        let body = json!({"name": "Back", "statuses": ["lost"], "control": 0.25, "seed": "7",
                          "start": "2025-07-01", "window_days": 30, "cost_per_contact": 5});
        let (s, _) = app.post("/api/v1/campaigns", &mila, &body).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        for (bad, field) in [
            (json!({"name": "", "control": 0.2}), "name"),
            (json!({"name": "x", "control": 1.0}), "control"),
            (json!({"name": "x", "control": 0.0}), "control"),
            (
                json!({"name": "x", "control": 0.2, "statuses": ["gone"]}),
                "statuses",
            ),
            (
                json!({"name": "x", "control": 0.2, "rungs": ["boss"]}),
                "rungs",
            ),
            (
                json!({"name": "x", "control": 0.2, "segments": ["vip"]}),
                "segments",
            ),
            (json!({"name": "x", "control": 0.2, "seed": "-1"}), "seed"),
            (
                json!({"name": "x", "control": 0.2, "cost_per_contact": -1}),
                "cost_per_contact",
            ),
            (
                json!({"name": "x", "control": 0.2, "window_days": 0}),
                "window_days",
            ),
            (
                json!({"name": "x", "control": 0.2, "start": "2025-13-01"}),
                "start",
            ),
            (
                json!({"name": "x", "control": 0.2, "rungs": ["prospect"]}),
                "statuses",
            ),
        ] {
            let (s, b) = app.post("/api/v1/campaigns", &admin, &bad).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {b}");
            assert_eq!(error_field(&b), field, "{bad}: {b}");
        }
        let (s, created) = app.post("/api/v1/campaigns", &admin, &body).await;
        assert_eq!(s, StatusCode::CREATED, "{created}");
        // 25% of 20 and 20: 5 and 5.
        assert_eq!(created["control"], 10);
        assert_eq!(created["treated"], 30);
        assert_eq!(created["seed"], "7");
        let (s, _) = app.post("/api/v1/campaigns", &admin, &body).await;
        assert_eq!(s, StatusCode::CONFLICT);

        let (_, list) = app.get("/api/v1/campaigns", &mila).await;
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["kind"], "win_back");
        assert_eq!(list["items"][0]["statuses"], json!(["lost"]));
        let id = created["id"].as_i64().unwrap();
        // Nobody bought: rates 0, no NaN anywhere; too early as of the snapshot (before the
        // window), too small afterwards (arms below 30).
        let (s, r) = app
            .get(&format!("/api/v1/campaigns/{id}/report"), &admin)
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["verdict"], "too_early");
        assert_eq!(
            r["treated"],
            json!({"n": 30, "converted": 0, "rate": 0.0, "revenue_per_customer": 0.0})
        );
        assert_eq!(r["control"]["n"], 10);
        assert_eq!(r["cost"], 150.0);
        let (_, r) = app
            .get(
                &format!("/api/v1/campaigns/{id}/report?as_of=2025-09-01"),
                &admin,
            )
            .await;
        assert_eq!(r["verdict"], "too_small");
        assert_eq!(r["uplift"]["rate"], 0.0);
        assert!(!r.to_string().contains("NaN"));
        let (s, _) = app.get("/api/v1/campaigns/999/report", &admin).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, b) = app
            .get(&format!("/api/v1/campaigns/{id}/report?as_of=soon"), &admin)
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&b), "as_of");
        app
    })
    .await;
}
