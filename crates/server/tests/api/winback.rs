//! Win-back cases through the API, on SQLite and on PostgreSQL: opened by name and by status,
//! attempts written to the contact log, a manager confined to their customers' cases, hostile
//! bodies refused with the field, and the report's funnel, settling, regained money and
//! win-back rate checked against values worked out by hand from the orders written here.

use clientele_core::{Day, Money};
use clientele_store::{NewOrderLine, Role, Store};
use reqwest::StatusCode;
use serde_json::json;

use super::{TestApp, day, error_field, on_both};

fn line(customer: &str, order: &str, d: Day, amount: i64, cost: i64) -> NewOrderLine {
    NewOrderLine {
        customer: customer.into(),
        order_id: Some(order.into()),
        product: "p".into(),
        day: d,
        amount: Money::from_major(amount),
        cost: Some(Money::from_major(cost)),
        quantity: Some(1.0),
        price: None,
        list_price: None,
        category: None,
        full_price: None,
        row_line: 0,
        occurrence: 0,
    }
}

async fn contact_log_rows(store: &Store, customer: i64) -> Vec<(String, String, Option<String>)> {
    let sql =
        "SELECT channel, direction, outcome FROM contact_log WHERE customer_id = $1 ORDER BY id";
    match store {
        Store::Sqlite(p) => sqlx::query_as(sql)
            .bind(customer)
            .fetch_all(p)
            .await
            .unwrap(),
        Store::Postgres(p) => sqlx::query_as(sql)
            .bind(customer)
            .fetch_all(p)
            .await
            .unwrap(),
    }
}

async fn seed(app: &TestApp) -> (i64, i64, i64) {
    let lena = app.customer("l-1", "Lena").await;
    let lev = app.customer("l-2", "Lev").await;
    let sam = app.customer("s-1", "Sam").await;
    let ada = app.customer("a-1", "Ada").await;
    app.assign(lena, "mila").await;
    let lines = vec![
        line("l-1", "o1", day(2025, 1, 10), 100, 40),
        // After the case opened on 2025-04-01, within its 90 days: the return.
        line("l-1", "o2", day(2025, 5, 10), 300, 100),
        // The next purchase, 36 days after the return: still buying.
        line("l-1", "o3", day(2025, 6, 15), 200, 50),
        line("l-2", "o4", day(2025, 1, 15), 100, 40),
        line("s-1", "o5", day(2025, 3, 1), 100, 40),
        line("a-1", "o6", day(2025, 6, 1), 100, 40),
    ];
    let mut tx = app.store.begin_import("t").await.unwrap();
    tx.add(&lines).await.unwrap();
    tx.commit(6, 0).await.unwrap();
    let as_of = day(2025, 6, 30);
    // Lena came back (active now); Lev is lost; Sam is slipping.
    app.snapshot_row(as_of, lena, "regular", Some("active"), None, 600)
        .await;
    app.snapshot_row(as_of, lev, "regular", Some("lost"), None, 100)
        .await;
    app.snapshot_row(as_of, sam, "newcomer", Some("slipping"), None, 100)
        .await;
    app.snapshot_row(as_of, ada, "newcomer", Some("active"), None, 100)
        .await;
    (lena, lev, sam)
}

#[tokio::test]
async fn cases_are_opened_worked_settled_and_reported() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        let ana = app.user("ana", Role::Analyst).await;
        let (lena, lev, _sam) = seed(&app).await;

        // Hostile and bad bodies name the field; nothing is opened.
        for (body, field) in [
            (json!({"customers": ["l-1"], "window_days": 0}), "window_days"),
            (json!({"customers": ["l-1"], "window_days": 5000}), "window_days"),
            (json!({"customers": ["l-1"], "reason": "bogus"}), "reason"),
            (json!({"customers": ["l-1"], "channel": "pigeon"}), "channel"),
            (json!({"customers": ["l-1"], "offer": "x".repeat(1001)}), "offer"),
            (json!({"customers": ["nobody"]}), "customers"),
            (json!({"customers": [""]}), "customers"),
            (json!({"customers": []}), "customers"),
            (json!({"status": "active"}), "status"),
            (json!({"customers": ["l-1"], "day": "2025-02-30"}), "day"),
            (json!({"customers": vec!["l-1"; 1001]}), "customers"),
        ] {
            let (s, b) = app.post("/api/v1/winback/cases", &admin, &body).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {b}");
            assert_eq!(error_field(&b), field, "{body}: {b}");
        }
        let (s, b) = app
            .post("/api/v1/winback/cases", &admin, &json!({"customers": ["l-1"], "surprise": 1}))
            .await;
        assert!(s.is_client_error(), "{b}");
        let (_, list) = app.get("/api/v1/winback/cases", &admin).await;
        assert_eq!(list["total"], 0);

        // Analysts read only.
        let (s, _) = app
            .post("/api/v1/winback/cases", &ana, &json!({"customers": ["l-1"]}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);

        // Opened by name, with reasons, offers, channels and windows.
        let (s, b) = app
            .post(
                "/api/v1/winback/cases",
                &admin,
                &json!({"customers": ["l-1"], "reason": "price", "offer": "10% off",
                        "channel": "phone", "window_days": 90, "day": "2025-04-01"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(b["opened"], 1);
        let lena_case = b["items"][0]["case_id"].as_i64().unwrap();
        let (s, b) = app
            .post(
                "/api/v1/winback/cases",
                &admin,
                &json!({"customers": ["l-2"], "reason": "service", "channel": "email",
                        "window_days": 30, "day": "2025-04-01"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let lev_case = b["items"][0]["case_id"].as_i64().unwrap();
        // By status: every slipping customer of the latest snapshot (Sam only).
        let (s, b) = app
            .post(
                "/api/v1/winback/cases",
                &admin,
                &json!({"status": "slipping", "day": "2025-06-29"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(b["opened"], 1);
        // A second opening keeps the open case.
        let (_, b) = app
            .post("/api/v1/winback/cases", &admin, &json!({"customers": ["l-1"]}))
            .await;
        assert_eq!(b["opened"], 0);
        assert_eq!(b["already_open"], 1);
        assert_eq!(b["items"][0]["case_id"], lena_case);

        // Attempts: to the contact log; bad ones name the field; a manager only on hers.
        for (body, field) in [
            (json!({"channel": "pigeon", "outcome": "answered"}), "channel"),
            (json!({"channel": "phone", "outcome": "maybe"}), "outcome"),
            (json!({"channel": "phone", "outcome": "answered", "note": "n".repeat(2001)}), "note"),
        ] {
            let (s, b) = app
                .post(&format!("/api/v1/winback/cases/{lena_case}/attempts"), &mila, &body)
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {b}");
            assert_eq!(error_field(&b), field);
        }
        let (s, b) = app
            .post(
                &format!("/api/v1/winback/cases/{lena_case}/attempts"),
                &mila,
                &json!({"channel": "phone", "outcome": "answered", "note": "will come", "day": "2025-04-03"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        assert_eq!(b["author"], "mila");
        let (s, _) = app
            .post(
                &format!("/api/v1/winback/cases/{lev_case}/attempts"),
                &mila,
                &json!({"channel": "email", "outcome": "no_answer"}),
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, _) = app
            .post(
                &format!("/api/v1/winback/cases/{lev_case}/attempts"),
                &admin,
                &json!({"channel": "email", "outcome": "no_answer", "day": "2025-04-02"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        assert_eq!(
            contact_log_rows(&app.store, lena).await,
            vec![("phone".into(), "out".into(), Some("answered".into()))]
        );
        assert_eq!(
            contact_log_rows(&app.store, lev).await,
            vec![("email".into(), "out".into(), Some("no_answer".into()))]
        );
        let (s, _) = app.get(&format!("/api/v1/winback/cases/{lev_case}"), &mila).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, one) = app.get(&format!("/api/v1/winback/cases/{lena_case}"), &mila).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(one["attempt_list"][0]["outcome"], "answered");
        assert_eq!(one["attempts"], 1);
        let (s, b) = app.get("/api/v1/winback/cases/abc", &admin).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&b), "id");

        // The report, worked out by hand (as of 2025-06-30, the latest snapshot):
        // Lena returned on 2025-05-10 (within 90 days of 2025-04-01) and bought again on
        // 2025-06-15 (within 90 days of the return); Lev's 30 days ended 2025-05-01 without a
        // purchase; Sam's case is open. Regained over 180 days from 2025-05-10, up to 06-30:
        // revenue 300 + 200 = 500, profit 200 + 150 = 350, 52 days observed. Consumers: Lev
        // is lost, Lena returned: 1 of 2, 50%.
        let (s, r) = app.get("/api/v1/winback/report", &admin).await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["as_of"], "2025-06-30");
        assert_eq!(
            r["funnel"],
            json!({"lost": 3, "contacted": 2, "answered": 1, "returned": 1, "still_buying": 1,
                   "still_buying_judged": 1, "return_rate": 1.0 / 3.0,
                   "return_rate_ci95": r["funnel"]["return_rate_ci95"].clone()})
        );
        let ci = r["funnel"]["return_rate_ci95"].as_array().unwrap();
        // Wilson's interval for 1 of 3 at 95%: 0.0615 to 0.7923.
        assert!((ci[0].as_f64().unwrap() - 0.0615).abs() < 5e-4, "{ci:?}");
        assert!((ci[1].as_f64().unwrap() - 0.7923).abs() < 5e-4, "{ci:?}");
        let reasons: Vec<(serde_json::Value, u64, u64)> = r["by_reason"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row["key"].clone(),
                    row["funnel"]["lost"].as_u64().unwrap(),
                    row["funnel"]["returned"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            reasons,
            vec![(json!(null), 1, 0), (json!("price"), 1, 1), (json!("service"), 1, 0)]
        );
        assert_eq!(r["regained_revenue"], 500.0);
        assert_eq!(r["regained_profit"], 350.0);
        assert_eq!(r["regained"][0]["days_observed"], 52);
        assert_eq!(r["regained"][0]["returned"], "2025-05-10");
        assert_eq!(r["consumers"]["lost"], 2);
        assert_eq!(r["consumers"]["returned"], 1);
        assert_eq!(r["consumers"]["rate"], 0.5);
        assert_eq!(r["consumers"]["meets_mark"], true);
        assert_eq!(r["settled"], 2);
        // Settled in the store: the list shows the states.
        let (_, returned) = app.get("/api/v1/winback/cases?state=returned", &admin).await;
        assert_eq!(returned["total"], 1);
        assert_eq!(returned["items"][0]["customer_id"], "l-1");
        assert_eq!(returned["items"][0]["returned"], "2025-05-10");
        let (_, gone) = app.get("/api/v1/winback/cases?state=not_returned", &admin).await;
        assert_eq!(gone["items"][0]["customer_id"], "l-2");
        let (s, b) = app.get("/api/v1/winback/cases?state=maybe", &admin).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error_field(&b), "state");
        // A second report settles nothing more.
        let (_, r2) = app.get("/api/v1/winback/report", &admin).await;
        assert_eq!(r2["settled"], 0);
        assert_eq!(r2["funnel"], r["funnel"]);

        // The manager's report counts her one case.
        let (_, mine) = app.get("/api/v1/winback/report", &mila).await;
        assert_eq!(mine["funnel"]["lost"], 1);
        assert_eq!(mine["funnel"]["returned"], 1);
        let (_, mine) = app.get("/api/v1/winback/cases", &mila).await;
        assert_eq!(mine["total"], 1);
        for (query, field) in [
            ("regained_days=0", "regained_days"),
            ("as_of=yesterday", "as_of"),
            ("manager=nobody", "manager"),
        ] {
            let (s, b) = app.get(&format!("/api/v1/winback/report?{query}"), &admin).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {b}");
            assert_eq!(error_field(&b), field);
        }
        app
    })
    .await;
}
