//! NPS joined with behaviour over the API on SQLite and PostgreSQL (issue 25, item 3): the
//! promoters, passives and detractors of January 2025 (each respondent's latest answer), their
//! standing in the first snapshot after it, their revenue and CLV there, and their orders in the
//! 90 days after, checked against values computed by hand; a manager's report holds her
//! customers only; hostile parameters are refused by name.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{TestApp, day, error_field, on_both};
use clientele_store::{Role, Setting, Store};

/// Sets a snapshot row's CLV and the snapshot's CLV horizon, directly.
async fn set_clv(app: &TestApp, as_of: clientele_core::Day, customer: i64, clv: f64) {
    let d = i64::from(as_of.days_since_epoch());
    macro_rules! run {
        ($pool:expr) => {{
            sqlx::query(
                "UPDATE score_snapshots SET clv = $1 WHERE as_of = $2 AND customer_id = $3",
            )
            .bind(clv)
            .bind(d)
            .bind(customer)
            .execute($pool)
            .await
            .unwrap();
            sqlx::query("DELETE FROM snapshot_horizons WHERE as_of = $1")
                .bind(d)
                .execute($pool)
                .await
                .unwrap();
            sqlx::query("INSERT INTO snapshot_horizons (as_of, clv_horizon_days) VALUES ($1, 365)")
                .bind(d)
                .execute($pool)
                .await
                .unwrap();
        }};
    }
    match &app.store {
        Store::Sqlite(p) => run!(p),
        Store::Postgres(p) => run!(p),
    }
}

fn answer(id: &str, customer: &str, score: i64, date: &str) -> Value {
    json!({"answer_id": id, "customer_id": customer, "score": score, "date": date})
}

fn order(id: &str, customer: &str, date: &str, amount: &str) -> Value {
    json!({"order_id": id, "customer": customer, "day": date,
           "lines": [{"product": "tea", "amount": amount}]})
}

fn close(v: &Value, expected: f64, tolerance: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!(
        (got - expected).abs() <= tolerance,
        "{got} is not {expected} ± {tolerance}"
    );
}

fn group<'a>(r: &'a Value, category: &str) -> &'a Value {
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["category"] == category)
        .unwrap_or_else(|| panic!("no {category} in {r}"))
}

#[tokio::test]
async fn promoters_passives_and_detractors_are_followed_to_the_next_snapshot() {
    on_both(|app| async move {
        let admin = app.user("root", Role::Admin).await;
        let mila = app.user("mila", Role::Manager).await;
        app.store
            .set_setting(Setting::Currency, "RUB")
            .await
            .unwrap();
        let snap = day(2025, 2, 1);
        // (customer, snapshot status, revenue to date, CLV)
        let mut ids = std::collections::HashMap::new();
        for (c, status, revenue, clv) in [
            ("p1", Some("active"), 100, Some(40.0)),
            ("p2", Some("slipping"), 300, Some(60.0)),
            ("p3", None, 0, None),
            ("s1", Some("active"), 80, None),
            ("m1", Some("slipping"), 10, None),
            ("d1", Some("lost"), 50, None),
            ("d2", Some("lost"), 50, None),
        ] {
            let id = app.customer(c, c).await;
            ids.insert(c, id);
            if let Some(status) = status {
                app.snapshot_row(snap, id, "regular", Some(status), None, revenue)
                    .await;
            }
            if let Some(clv) = clv {
                set_clv(&app, snap, id, clv).await;
            }
        }
        app.assign(ids["m1"], "mila").await;
        // p2 said 3 first and 9 later: only the 9 counts. An answer in February is outside the
        // period.
        let answers = json!({"answers": [
            answer("a1", "p1", 10, "2025-01-10"),
            answer("a2", "p2", 3, "2025-01-05"),
            answer("a3", "p2", 9, "2025-01-20"),
            answer("a4", "p3", 9, "2025-01-31"),
            answer("a5", "s1", 7, "2025-01-11"),
            answer("a6", "m1", 8, "2025-01-12"),
            answer("a7", "d1", 3, "2025-01-13"),
            answer("a8", "d2", 0, "2025-01-14"),
            answer("a9", "d2", 10, "2025-02-14"),
        ]});
        let (s, body) = app.post("/api/v1/survey-answers", &admin, &answers).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        // Orders after the period (2025-02-01 to 2025-05-01): p1 10, p2 20, p3 30, s1 5; p3's
        // order before the period and on 2025-06-01 fall outside the window.
        let orders = json!({"orders": [
            order("o1", "p1", "2025-02-05", "10"),
            order("o2", "p2", "2025-05-01", "20"),
            order("o3", "p3", "2025-02-01", "30"),
            order("o4", "s1", "2025-03-01", "5"),
            order("o5", "p3", "2025-01-15", "500"),
            order("o6", "p3", "2025-06-01", "1000"),
        ]});
        let (s, body) = app.post("/api/v1/orders/batch", &admin, &orders).await;
        assert_eq!(s, StatusCode::OK, "{body}");

        let (s, r) = app
            .get(
                "/api/v1/nps/behaviour?from=2025-01-01&to=2025-01-31",
                &admin,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert_eq!(r["snapshot"], "2025-02-01", "{r}");
        assert_eq!(r["after_from"], "2025-02-01");
        assert_eq!(r["after_to"], "2025-05-01");
        assert_eq!(r["days_after"], 90);
        assert_eq!(r["currency"], "RUB");
        assert_eq!(r["clv_horizon_days"], 365);
        assert_eq!(r["orders_through"], "2025-06-01");
        assert_eq!(r["window_complete"], true);

        // Promoters p1, p2, p3: p3 is not in the snapshot, so 2 followed, 1 slipping; Wilson
        // 95% of 1/2: 0.094531 to 0.905469.
        let p = group(&r, "promoter");
        assert_eq!(
            (
                &p["respondents"],
                &p["followed"],
                &p["slipping"],
                &p["lost"]
            ),
            (&json!(3), &json!(2), &json!(1), &json!(0)),
            "{p}"
        );
        close(&p["slipping_or_lost"], 0.5, 1e-12);
        close(&p["slipping_or_lost_ci95"][0], 0.094_531_2, 1e-6);
        close(&p["slipping_or_lost_ci95"][1], 0.905_468_8, 1e-6);
        // Revenue of the followed: 100 and 300, mean 200 ± t(0.975, 1)·100 = 1270.6205.
        close(&p["revenue_total"], 400.0, 1e-9);
        close(&p["revenue"]["mean"], 200.0, 1e-9);
        close(&p["revenue"]["ci95"][1], 1_470.620_47, 1e-4);
        // CLV 40 and 60: mean 50 ± 127.062047.
        assert_eq!(p["clv"]["n"], 2);
        close(&p["clv"]["mean"], 50.0, 1e-9);
        close(&p["clv"]["ci95"][0], 50.0 - 127.062_047, 1e-4);
        // After: 10, 20, 30: mean 20 ± t(0.975, 2)·10/√3 = 24.841377.
        close(&p["revenue_after_total"], 60.0, 1e-9);
        close(&p["revenue_after"]["mean"], 20.0, 1e-9);
        close(&p["revenue_after"]["ci95"][0], 20.0 - 24.841_377, 1e-5);
        close(&p["revenue_after"]["ci95"][1], 20.0 + 24.841_377, 1e-5);

        // Passives s1 (active) and m1 (slipping): after 5 and 0.
        let s = group(&r, "passive");
        assert_eq!((&s["respondents"], &s["slipping"]), (&json!(2), &json!(1)));
        close(&s["revenue_after"]["mean"], 2.5, 1e-9);
        assert!(s["clv"]["mean"].is_null(), "no CLV known: {s}");

        // Detractors d1 and d2 (d2's February 10 is outside the period): both lost, nothing
        // bought; Wilson 95% of 2/2: 0.342380 to 1.
        let d = group(&r, "detractor");
        assert_eq!(
            (&d["respondents"], &d["lost"]),
            (&json!(2), &json!(2)),
            "{d}"
        );
        close(&d["slipping_or_lost_ci95"][0], 0.342_380_2, 1e-6);
        close(&d["slipping_or_lost_ci95"][1], 1.0, 1e-12);
        assert_eq!(
            d["revenue_after"]["ci95"],
            json!([0.0, 0.0]),
            "constant: {d}"
        );
        // Detractors − promoters: slipping or lost 1 − 0.5; revenue after 0 − 20 (Welch, df 2).
        close(&r["slipping_or_lost_difference"]["difference"], 0.5, 1e-12);
        let w = &r["revenue_after_difference"];
        close(&w["difference"], -20.0, 1e-12);
        close(&w["ci95"][0], -20.0 - 24.841_377, 1e-5);
        assert_eq!(w["significant"], false, "five customers prove nothing: {w}");

        // A longer window takes in p3's June order: 1000 more, and the data ends on the 1st.
        let (_, r) = app
            .get(
                "/api/v1/nps/behaviour?from=2025-01-01&to=2025-01-31&days_after=365",
                &admin,
            )
            .await;
        close(&group(&r, "promoter")["revenue_after_total"], 1060.0, 1e-9);
        assert_eq!(r["window_complete"], false, "{r}");

        // The manager's: m1 alone.
        let (s, r) = app
            .get("/api/v1/nps/behaviour?from=2025-01-01&to=2025-01-31", &mila)
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        let respondents: Vec<u64> = r["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["respondents"].as_u64().unwrap())
            .collect();
        assert_eq!(respondents, vec![0, 1, 0], "{r}");
        close(&group(&r, "passive")["revenue"]["mean"], 10.0, 1e-9);
        assert!(group(&r, "promoter")["slipping_or_lost"].is_null());
        assert!(r["slipping_or_lost_difference"].is_null());

        // Before any answer: defined and empty, no snapshot.
        let (s, r) = app
            .get(
                "/api/v1/nps/behaviour?from=2020-01-01&to=2020-01-31",
                &admin,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{r}");
        assert!(
            r["snapshot"].is_null() || r["snapshot"] == "2025-02-01",
            "{r}"
        );
        assert!(
            r["groups"]
                .as_array()
                .unwrap()
                .iter()
                .all(|g| g["respondents"] == 0)
        );

        // Hostile parameters are refused by name.
        for (query, field) in [
            ("days_after=0", "days_after"),
            ("days_after=731", "days_after"),
            ("from=2025-13-01", "from"),
            ("to=yesterday", "to"),
            ("from=2025-02-01&to=2025-01-01", "from"),
        ] {
            let (s, body) = app
                .get(&format!("/api/v1/nps/behaviour?{query}"), &admin)
                .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
            assert_eq!(error_field(&body), field, "{query}: {body}");
        }
        let (s, _) = app.get("/api/v1/nps/behaviour?mood=1", &admin).await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown parameters are refused"
        );
        app
    })
    .await;
}
