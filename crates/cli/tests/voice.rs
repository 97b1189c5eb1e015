//! The voice-of-the-customer commands end to end: `surveys import` of a Windows-1251 export
//! with Russian headers, re-imported without change, a hostile file refused whole with every
//! bad line named, and `nps report` checked against hand-computed statistics.

#[allow(dead_code)]
mod common;

use std::path::Path;

use common::run_in;

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("clientele.db").display())
}

/// Orders for customers c1..c40, so the answers have someone to belong to.
fn import_orders(dir: &Path, url: &str) {
    let mut text = String::from("order_id,customer_id,date,amount,product\n");
    for i in 1..=40 {
        text.push_str(&format!("o{i},c{i},2025-06-{:02},100,p1\n", 1 + i % 28));
    }
    std::fs::write(dir.join("orders.csv"), text).unwrap();
    run_in(dir, &["import", "orders.csv", "--db", url]).ok();
}

/// 20 promoters (c1..c20), 10 passives (c21..c30), 10 detractors (c31..c40), plus an earlier
/// detractor answer of c1 in the same month that the later one replaces.
fn answers_file() -> String {
    let mut text = String::from("Клиент;Дата;Оценка;Комментарий;Канал\r\n");
    text.push_str("c1;03.02.2026;2;плохо;email\r\n");
    for i in 1..=40 {
        let score = match i {
            1..=10 => 10,
            11..=20 => 9,
            21..=25 => 8,
            26..=30 => 7,
            31..=35 => 6,
            _ => 0,
        };
        let month = if i % 2 == 0 { "01" } else { "02" };
        let channel = if i <= 20 { "email" } else { "sms" };
        text.push_str(&format!("c{i};15.{month}.2026;{score};;{channel}\r\n"));
    }
    text
}

#[test]
fn answers_import_once_and_the_report_matches_hand_computed_figures() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    import_orders(dir.path(), &url);
    let text = answers_file();
    let (bytes, _, _) = encoding_rs::WINDOWS_1251.encode(&text);
    std::fs::write(dir.path().join("answers.csv"), &bytes).unwrap();

    let first = run_in(
        dir.path(),
        &["surveys", "import", "answers.csv", "--db", &url],
    )
    .ok();
    assert!(
        // Answers older than 30 days count but open no follow-up tasks.
        first.stdout.contains(
            "imported 41 answer(s), 0 already stored unchanged, 0 follow-up task(s) opened"
        ),
        "{}\n{}",
        first.stdout,
        first.stderr
    );
    let again = run_in(
        dir.path(),
        &["surveys", "import", "answers.csv", "--db", &url],
    )
    .ok();
    assert!(
        again
            .stdout
            .contains("imported 0 answer(s), 41 already stored unchanged"),
        "{}",
        again.stdout
    );

    let report = run_in(
        dir.path(),
        &["nps", "report", "--format", "json", "--db", &url],
    )
    .ok();
    let j = report.json();
    // By hand: n = 40 (c1's later answer counts), p = 0.5, d = 0.25, NPS = 25;
    // variance p + d - (p - d)^2 = 0.6875, SE = 100 * sqrt(0.6875 / 40) = 13.1101,
    // margin 1.959964 * SE = 25.6954, interval -0.6954 .. 50.6954, band 10..50.
    assert_eq!(j["n"], 40);
    assert_eq!(j["answers_read"], 41);
    let f = |k: &str| j[k].as_f64().unwrap_or_else(|| panic!("{k}: {}", j[k]));
    assert!((f("promoters") - 0.5).abs() < 1e-12);
    assert!((f("passives") - 0.25).abs() < 1e-12);
    assert!((f("detractors") - 0.25).abs() < 1e-12);
    assert!((f("nps") - 25.0).abs() < 1e-9);
    assert!(
        (f("std_error") - 13.1101).abs() < 1e-3,
        "{}",
        j["std_error"]
    );
    assert!((f("margin_of_error") - 25.6954).abs() < 1e-3);
    assert!((j["ci95"][0].as_f64().unwrap() + 0.6954).abs() < 1e-3);
    assert!((j["ci95"][1].as_f64().unwrap() - 50.6954).abs() < 1e-3);
    assert_eq!(j["band"], "known_must_improve");
    assert_eq!(j["enough"], true);

    // By month with a minimum of 20: January holds the even customers (10 promoters, 5
    // passives, 5 detractors: NPS 25), February the odd ones (the same: 25), so the change is 0
    // and not significant. c1's two answers are both in February: one counts.
    let monthly = run_in(
        dir.path(),
        &[
            "nps",
            "report",
            "--period",
            "month",
            "--min-answers",
            "20",
            "--format",
            "json",
            "--db",
            &url,
        ],
    )
    .ok()
    .json();
    let periods = monthly["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2, "{monthly}");
    assert_eq!(periods[0]["period"], "2026-01");
    assert_eq!(periods[0]["n"], 20);
    assert_eq!(periods[1]["n"], 20);
    assert!((periods[1]["nps"].as_f64().unwrap() - 25.0).abs() < 1e-9);
    assert!(periods[0]["change"].is_null());
    assert!(periods[1]["change"]["delta"].as_f64().unwrap().abs() < 1e-9);
    assert_eq!(periods[1]["change"]["significant"], false);

    // By channel: email holds the 20 promoters (NPS 100), sms the rest (-25 ... with 20
    // answers: 10 passives, 10 detractors = -50). Below the minimum of 30, no score.
    let split = run_in(
        dir.path(),
        &[
            "nps", "report", "--by", "channel", "--format", "json", "--db", &url,
        ],
    )
    .ok()
    .json();
    let groups = split["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "{split}");
    assert_eq!(groups[0]["group"], "email");
    assert_eq!(groups[0]["n"], 20);
    assert_eq!(groups[0]["enough"], false);
    assert!(
        groups[0]["nps"].is_null(),
        "not enough answers is not a number"
    );
    assert!((groups[1]["detractors"].as_f64().unwrap() - 0.5).abs() < 1e-12);

    let text = run_in(dir.path(), &["nps", "report", "--db", &url]).ok();
    assert!(text.stdout.contains("NPS +25.0 ± 25.7"), "{}", text.stdout);
    assert!(text.stdout.contains("CSAT: no answers"), "{}", text.stdout);

    // CSAT beside the NPS: scores 5, 4, 4, 3, 1 give a mean of 3.4 with the Student t
    // interval 1.5169 .. 5.2831 (clamped to 5) and 3 of 5 satisfied (Wilson 0.2307 .. 0.8824).
    std::fs::write(
        dir.path().join("csat.csv"),
        "Клиент;Дата;Оценка\nc1;10.02.2026;5\nc2;10.02.2026;4\nc3;10.02.2026;4\nc4;10.02.2026;3\nc5;10.02.2026;1\n",
    )
    .unwrap();
    run_in(
        dir.path(),
        &[
            "surveys", "import", "csat.csv", "--kind", "csat", "--db", &url,
        ],
    )
    .ok();
    let j = run_in(
        dir.path(),
        &[
            "nps",
            "report",
            "--min-answers",
            "1",
            "--format",
            "json",
            "--db",
            &url,
        ],
    )
    .ok()
    .json();
    let c = &j["csat"];
    assert_eq!(c["n"], 5, "{j}");
    assert!((c["mean"].as_f64().unwrap() - 3.4).abs() < 1e-12);
    assert!(
        (c["mean_ci95"][0].as_f64().unwrap() - 1.516_923).abs() < 1e-5,
        "{c}"
    );
    assert_eq!(c["mean_ci95"][1], 5.0);
    assert!(
        (c["satisfied_ci95"][0].as_f64().unwrap() - 0.230_724).abs() < 1e-5,
        "{c}"
    );
    assert_eq!(j["n"], 40, "the NPS is unchanged by CSAT answers");
    let text = run_in(
        dir.path(),
        &["nps", "report", "--min-answers", "1", "--db", &url],
    )
    .ok();
    assert!(
        text.stdout.contains(
            "CSAT: 5 respondent(s), mean 3.40 (95% interval 1.52 to 5.00), satisfied (4-5) 60.0% (95% interval 23.1% to 88.2%)"
        ),
        "{}",
        text.stdout
    );
}

#[test]
fn a_hostile_answer_file_is_refused_whole_with_every_line_named() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    import_orders(dir.path(), &url);
    std::fs::write(
        dir.path().join("bad.csv"),
        "Customer,Date,Score,Answer ID\n\
         c1,2026-01-10,9,a1\n\
         c2,2026-01-10,11,a2\n\
         c3,2026-01-10,-1,a3\n\
         c4,2026-01-10,девять,a4\n\
         c5,2026-01-10,,a5\n\
         c6,2099-01-10,7,a6\n\
         nobody,2026-01-10,7,a7\n\
         c8,2026-01-10,7,a1\n",
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &[
            "surveys",
            "import",
            "bad.csv",
            "--db",
            &url,
            "--rejects",
            "rejects.csv",
        ],
    );
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("7 bad row(s): nothing was imported"),
        "{}",
        run.stderr
    );
    let rejects = std::fs::read_to_string(dir.path().join("rejects.csv")).unwrap();
    let lines: Vec<&str> = rejects.lines().skip(1).collect();
    let line_of = |l: &str| l.split(',').nth(1).unwrap().to_string();
    let numbers: Vec<String> = lines.iter().map(|l| line_of(l)).collect();
    assert_eq!(numbers, ["3", "4", "5", "6", "7", "8", "9"], "{rejects}");
    assert!(lines[0].contains("11 is not on the scale"), "{rejects}");
    assert!(
        lines[1].contains("'-1' is not a whole-number score"),
        "{rejects}"
    );
    assert!(
        lines[2].contains("'девять' is not a whole-number score"),
        "{rejects}"
    );
    assert!(lines[3].contains("no score"), "{rejects}");
    assert!(lines[4].contains("in the future"), "{rejects}");
    assert!(lines[5].contains("no customer 'nobody'"), "{rejects}");
    assert!(lines[6].contains("already appeared on line 2"), "{rejects}");
    let report = run_in(
        dir.path(),
        &["nps", "report", "--format", "json", "--db", &url],
    )
    .ok();
    assert_eq!(report.json()["n"], 0, "nothing half-imported");

    let bad_range = run_in(
        dir.path(),
        &[
            "nps",
            "report",
            "--from",
            "2026-02-01",
            "--to",
            "2026-01-01",
            "--db",
            &url,
        ],
    );
    assert_eq!(bad_range.code, Some(2));
    assert!(
        bad_range.stderr.contains("--from 2026-02-01"),
        "{}",
        bad_range.stderr
    );
}

/// Before the action (January) 10 promoters, 10 passives, 10 detractors at delivery: NPS 0;
/// after it (March) 20, 5, 5: NPS 50. By hand: delta 50; pooled p = 30/60, d = 15/60, V0 =
/// 0.75 - 0.0625 = 0.6875, SE0 = 100 sqrt(0.6875 (1/30 + 1/30)) = 21.4087, z = 2.3355,
/// p = 2 (1 - Phi(2.3355)) = 0.0195: significant.
#[test]
fn an_improvement_is_logged_listed_and_checked_before_and_after() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let mut orders = String::from("order_id,customer_id,date,amount,product\n");
    for i in 1..=60 {
        orders.push_str(&format!("o{i},c{i},2025-06-10,100,p1\n"));
    }
    std::fs::write(dir.path().join("orders.csv"), orders).unwrap();
    run_in(dir.path(), &["import", "orders.csv", "--db", &url]).ok();
    let mut answers = String::from("customer,date,score\n");
    for i in 1..=30 {
        let score = [10, 7, 3][(i - 1) / 10];
        answers.push_str(&format!("c{i},2026-01-10,{score}\n"));
    }
    for i in 31..=60 {
        let score = match i {
            31..=50 => 9,
            51..=55 => 8,
            _ => 0,
        };
        answers.push_str(&format!("c{i},2026-03-10,{score}\n"));
    }
    std::fs::write(dir.path().join("answers.csv"), answers).unwrap();
    run_in(
        dir.path(),
        &[
            "surveys",
            "import",
            "answers.csv",
            "--touchpoint",
            "delivery",
            "--db",
            &url,
        ],
    )
    .ok();
    let added = run_in(
        dir.path(),
        &[
            "improvements",
            "add",
            "--title",
            "Call before delivery",
            "--owner",
            "Olga",
            "--hypothesis",
            "fewer missed deliveries",
            "--target",
            "touchpoint=delivery",
            "--start",
            "2026-02-01",
            "--check",
            "2026-03-31",
            "--db",
            &url,
        ],
    )
    .ok();
    assert!(
        added.stdout.starts_with("improvement 1 logged"),
        "{}",
        added.stdout
    );
    let list = run_in(
        dir.path(),
        &["improvements", "list", "--format", "json", "--db", &url],
    )
    .ok()
    .json();
    assert_eq!(list[0]["target"], "delivery");
    assert_eq!(list[0]["check"], "2026-03-31");

    let check = run_in(
        dir.path(),
        &[
            "improvements",
            "check",
            "1",
            "--format",
            "json",
            "--db",
            &url,
        ],
    )
    .ok()
    .json();
    // 58 days from the start to the check: the window before is 2025-12-05 .. 2026-01-31.
    assert_eq!(check["before"][0], "2025-12-05");
    assert_eq!(check["after"][1], "2026-03-31");
    assert_eq!(check["nps_before"]["n"], 30);
    assert!(check["nps_before"]["nps"].as_f64().unwrap().abs() < 1e-9);
    assert!((check["nps_after"]["nps"].as_f64().unwrap() - 50.0).abs() < 1e-9);
    let change = &check["nps_change"];
    assert!((change["delta"].as_f64().unwrap() - 50.0).abs() < 1e-9);
    let p = change["p_value"].as_f64().unwrap();
    assert!((0.0190..0.0200).contains(&p), "p = {p}");
    assert_eq!(change["significant"], true);
    assert!(
        check["csat_change"].is_null(),
        "no CSAT answers: no change claimed"
    );

    let other = run_in(
        dir.path(),
        &[
            "improvements",
            "add",
            "--title",
            "x",
            "--owner",
            "y",
            "--hypothesis",
            "z",
            "--start",
            "2026-03-01",
            "--check",
            "2026-02-01",
            "--db",
            &url,
        ],
    );
    assert_eq!(other.code, Some(2));
    assert!(other.stderr.contains("--check"), "{}", other.stderr);
    let missing = run_in(dir.path(), &["improvements", "check", "99", "--db", &url]);
    assert_eq!(missing.code, Some(2));
    assert!(missing.stderr.contains("99"), "{}", missing.stderr);
}
