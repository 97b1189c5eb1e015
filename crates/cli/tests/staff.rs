//! `clientele staff` end to end: a survey opened, codes made per department (one per line on
//! standard output), answers given with them, the report as JSON checked against hand-computed
//! counts once the batch is complete, a code refused the second time, the small department
//! hidden, and hostile arguments refused with exit code 2.

#[allow(dead_code)]
mod common;

use common::run_in;
use serde_json::Value;

#[test]
fn codes_answer_once_and_the_report_shows_whole_batches_only() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("clientele.db").display());
    let run = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--db", &db]);
        run_in(dir.path(), &all)
    };
    let open = run(&[
        "staff",
        "survey",
        "open",
        "--title",
        "Pulse",
        "--date",
        "01.02.2026",
    ]);
    assert_eq!(open.code, Some(0), "{}", open.stderr);
    let id = open.stdout.trim().to_string();
    let codes = run(&[
        "staff",
        "codes",
        "--survey",
        &id,
        "--department",
        "Sales",
        "--count",
        "5",
    ]);
    assert_eq!(codes.code, Some(0), "{}", codes.stderr);
    let sales: Vec<&str> = codes.stdout.lines().collect();
    assert_eq!(sales.len(), 5);
    let it = run(&[
        "staff",
        "codes",
        "--survey",
        &id,
        "--department",
        "IT",
        "--count",
        "1",
    ]);
    let it = it.stdout.trim().to_string();

    for (code, nps) in sales.iter().take(4).zip(["10", "9", "7", "2"]) {
        let a = run(&["staff", "answer", "--code", code, "--nps", nps, "pay=4"]);
        assert_eq!(a.code, Some(0), "{}", a.stderr);
    }
    let r = run(&["staff", "report", "--format", "json"]);
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        json["answers"], 0,
        "four answers wait for the batch of five"
    );
    let empty = run(&["staff", "report"]);
    assert!(
        empty.stdout.contains("No answers released yet"),
        "{}",
        empty.stdout
    );

    let again = run(&["staff", "answer", "--code", sales[0], "--nps", "9"]);
    assert_eq!(again.code, Some(2));
    assert!(again.stderr.contains("not taken"), "{}", again.stderr);
    let bad = run(&["staff", "answer", "--code", sales[4], "--nps", "11"]);
    assert_eq!(bad.code, Some(2));
    assert!(bad.stderr.contains("--nps"), "{}", bad.stderr);
    let bad = run(&[
        "staff", "answer", "--code", sales[4], "--nps", "5", "salary=3",
    ]);
    assert_eq!(bad.code, Some(2));

    let a = run(&["staff", "answer", "--code", sales[4], "--nps", "0"]);
    assert_eq!(a.code, Some(0), "{}", a.stderr);
    let a = run(&["staff", "answer", "--code", &it, "--nps", "8"]);
    assert_eq!(a.code, Some(0), "{}", a.stderr);
    let r = run(&["staff", "report", "--format", "json", "--min-answers", "5"]);
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["answers"], 5, "{}", r.stdout);
    let p = &json["periods"][0];
    assert_eq!(p["period"], "2026-Q1");
    let sales_row = &p["departments"][0];
    assert_eq!(sales_row["department"], "Sales");
    // 10, 9 promoters; 7 passive; 2, 0 detractors: NPS 0.
    assert_eq!(
        (
            sales_row["promoters"].as_u64(),
            sales_row["detractors"].as_u64()
        ),
        (Some(2), Some(2))
    );
    assert!(sales_row["nps"].as_f64().unwrap().abs() < 1e-9);
    assert_eq!(sales_row["satisfaction"][3]["mean"].as_f64(), Some(4.0));

    // Closing releases IT's one answer: IT is hidden and so is Sales (the total would tell).
    let close = run(&["staff", "survey", "close", &id]);
    assert_eq!(close.code, Some(0), "{}", close.stderr);
    assert_eq!(close.stdout.trim(), "1");
    let csv = run(&["staff", "report", "--format", "csv"]);
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.stdout);
    assert!(
        lines[1].starts_with("2026-Q1,(whole company),6,"),
        "{}",
        csv.stdout
    );
    let text = run(&["staff", "report"]);
    assert!(
        text.stdout.contains("2 departments not shown"),
        "{}",
        text.stdout
    );

    let refused = run(&["staff", "report", "--min-group", "2"]);
    assert_eq!(refused.code, Some(2));
    assert!(refused.stderr.contains("--min-group"), "{}", refused.stderr);
    let refused = run(&[
        "staff",
        "codes",
        "--survey",
        &id,
        "--department",
        "IT",
        "--count",
        "1",
    ]);
    assert_eq!(refused.code, Some(2), "a closed survey makes no codes");
    let list = run(&["staff", "survey", "list", "--format", "json"]);
    let json: Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(json[0]["released"], 6);
    assert_eq!(json[0]["closed"], true);
}
