//! `clientele nps behaviour` end to end: orders and answers imported from files, the respondents
//! of January 2025 followed into the 90 days after it (revenue checked by hand), the text saying
//! there is no snapshot to read standing from yet, and a refused window naming its flag. The
//! statistics against a snapshot are checked by hand in the server's `api/nps_behaviour.rs`.

#[allow(dead_code)]
mod common;

use common::run_in;

#[test]
fn respondents_are_followed_into_the_days_after_the_period() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("clientele.db").display());
    // c1 and c2 buy before the period and after it; c3 only before; c1's order in June is
    // outside the 90 days after 2025-01-31 (2025-02-01 to 2025-05-01).
    std::fs::write(
        dir.path().join("orders.csv"),
        "order_id,customer_id,date,amount,product\n\
         o1,c1,2024-12-01,10,p1\n\
         o2,c2,2024-12-01,10,p1\n\
         o3,c3,2024-12-01,10,p1\n\
         o4,c1,2025-02-10,100,p1\n\
         o5,c2,2025-05-01,50,p1\n\
         o6,c1,2025-06-01,999,p1\n",
    )
    .unwrap();
    run_in(dir.path(), &["import", "orders.csv", "--db", &url]).ok();
    std::fs::write(
        dir.path().join("answers.csv"),
        "Клиент;Дата;Оценка\r\nc1;15.01.2025;10\r\nc2;16.01.2025;9\r\nc3;17.01.2025;2\r\n",
    )
    .unwrap();
    run_in(
        dir.path(),
        &["surveys", "import", "answers.csv", "--db", &url],
    )
    .ok();
    let period = ["--from", "2025-01-01", "--to", "2025-01-31", "--db", &url];

    let mut args = vec!["nps", "behaviour", "--format", "json"];
    args.extend(period);
    let r = run_in(dir.path(), &args).ok().json();
    assert_eq!(r["after_from"], "2025-02-01", "{r}");
    assert_eq!(r["after_to"], "2025-05-01");
    assert!(r["snapshot"].is_null(), "nothing scored yet: {r}");
    assert_eq!(r["window_complete"], true, "the data runs to June: {r}");
    let promoters = &r["groups"][0];
    assert_eq!(promoters["category"], "promoter");
    assert_eq!(promoters["respondents"], 2);
    assert_eq!(promoters["followed"], 0, "no snapshot: nobody followed");
    assert!(promoters["slipping_or_lost"].is_null());
    // 100 and 50: mean 75, s = 35.355339, SE = 25, t(0.975, 1) = 12.706205: ± 317.655118.
    assert_eq!(promoters["revenue_after_total"], 150.0);
    assert_eq!(promoters["revenue_after"]["mean"], 75.0);
    let hi = promoters["revenue_after"]["ci95"][1].as_f64().unwrap();
    assert!((hi - (75.0 + 317.655_118)).abs() < 1e-4, "{promoters}");
    let detractors = &r["groups"][2];
    assert_eq!(detractors["respondents"], 1);
    assert_eq!(detractors["revenue_after"]["mean"], 0.0);
    assert!(
        detractors["revenue_after"]["ci95"].is_null(),
        "one value has no interval"
    );
    assert!(r["slipping_or_lost_difference"].is_null());

    let mut args = vec!["nps", "behaviour"];
    args.extend(period);
    let text = run_in(dir.path(), &args).ok().stdout;
    assert!(text.contains("No snapshot after the period yet"), "{text}");
    assert!(
        text.contains("revenue after: 150.00") && text.contains("mean 75.00"),
        "{text}"
    );

    let mut args = vec!["nps", "behaviour", "--days-after", "0"];
    args.extend(period);
    let refused = run_in(dir.path(), &args);
    assert_eq!(refused.code, Some(2));
    assert!(
        refused.stderr.contains("--days-after") && refused.stderr.contains("1 to 730"),
        "{}",
        refused.stderr
    );
    let refused = run_in(
        dir.path(),
        &[
            "nps",
            "behaviour",
            "--from",
            "2025-02-01",
            "--to",
            "2025-01-01",
            "--db",
            &url,
        ],
    );
    assert_eq!(refused.code, Some(2));
    assert!(refused.stderr.contains("--from"), "{}", refused.stderr);
}
