//! `clientele assess` end to end: the shipped checklists listed, two people's answers (one in
//! Russian words) reported as JSON with each area's score and spread against hand-computed
//! shares, a company's own checklist added from TOML, and hostile answers refused.

#[allow(dead_code)]
mod common;

use common::run_in;
use serde_json::Value;

#[test]
fn answers_are_scored_per_area_and_bad_answers_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("clientele.db").display());
    let run = |args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--db", &db]);
        run_in(dir.path(), &all)
    };
    let list = run(&["assess", "list", "--format", "json"]);
    assert_eq!(list.code, Some(0), "{}", list.stderr);
    let json: Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 4);

    let a = run(&[
        "assess",
        "answer",
        "winback_readiness",
        "--respondent",
        "ann",
        "--date",
        "2026-11-02",
        "lost_list=yes",
        "reasons_asked=no",
        "winback_offers=yes",
        "winback_measured=yes",
    ]);
    assert_eq!(a.code, Some(0), "{}", a.stderr);
    let b = run(&[
        "assess",
        "answer",
        "winback_readiness",
        "--respondent",
        "bob",
        "--date",
        "02.11.2026",
        "lost_list=да",
        "reasons_asked=нет",
        "winback_offers=нет",
        "winback_measured=нет",
    ]);
    assert_eq!(b.code, Some(0), "{}", b.stderr);

    let report = run(&[
        "assess",
        "report",
        "winback_readiness",
        "--format",
        "json",
        "--lang",
        "ru",
    ]);
    assert_eq!(report.code, Some(0), "{}", report.stderr);
    let r: Value = serde_json::from_str(&report.stdout).unwrap();
    // Knowing: ann 1/2, bob 1/2 → 0.5, no spread. Acting: ann 2/2, bob 0/2 → 0.5, spread 1.
    assert_eq!(r["areas"][0]["score"], 0.5);
    assert_eq!(r["areas"][0]["spread"], 0.0);
    assert_eq!(r["areas"][1]["score"], 0.5);
    assert_eq!(r["areas"][1]["spread"], 1.0);
    assert_eq!(r["areas"][1]["questions"][0]["disputed"], true);
    assert!(
        r["areas"][0]["questions"][1]["recommendation"]
            .as_str()
            .unwrap()
            .starts_with("Каждый месяц")
    );
    assert_eq!(r["history"][0]["month"], "2026-11");

    let text = run(&["assess", "report", "winback_readiness"]);
    assert!(text.stdout.contains("DISPUTED"), "{}", text.stdout);

    for bad in [
        vec![
            "assess",
            "answer",
            "winback_readiness",
            "--respondent",
            "cy",
            "lost_list=maybe",
        ],
        vec![
            "assess",
            "answer",
            "winback_readiness",
            "--respondent",
            "cy",
            "nope=yes",
        ],
        vec![
            "assess",
            "answer",
            "no_such",
            "--respondent",
            "cy",
            "lost_list=yes",
        ],
        vec![
            "assess",
            "answer",
            "winback_readiness",
            "--respondent",
            "cy",
            "lost_list",
        ],
    ] {
        let out = run(&bad);
        assert_eq!(out.code, Some(2), "{bad:?}: {}", out.stdout);
    }

    std::fs::write(
        dir.path().join("ours.toml"),
        "key = \"ours\"\ntitle = { en = \"Ours\", ru = \"Наш\" }\n[[areas]]\nkey = \"a\"\ntitle = { en = \"A\", ru = \"А\" }\n[[areas.questions]]\nkey = \"q1\"\ntext = { en = \"Q1?\", ru = \"В1?\" }\nrecommendation = { en = \"Do Q1.\", ru = \"Сделайте В1.\" }\n",
    )
    .unwrap();
    let add = run(&["assess", "add", "ours.toml"]);
    assert_eq!(add.code, Some(0), "{}", add.stderr);
    let list = run(&["assess", "list"]);
    assert!(
        list.stdout.contains("ours — Ours (1 questions)"),
        "{}",
        list.stdout
    );
}
