//! `clientele portfolio --by-rung` and `--suggest CUSTOMER` end to end over a scored store:
//! every customer counted in exactly one rung, each category's buyers over the rungs adding up
//! to the hand count, a customer's bought categories read back, and hostile arguments refused
//! with a reason.

#[allow(dead_code)]
mod common;

use common::run_in;
use serde_json::Value;

/// c1..c3 buy home and kitchen, c4 home alone, c5 garden alone: home 4 buyers, kitchen 3,
/// garden 1, five customers in all.
const ORDERS: &str = "order_id,customer_id,date,product,category,amount
o1,c1,2024-01-10,H1,home,100
o1,c1,2024-01-10,K1,kitchen,50
o6,c1,2024-03-10,H1,home,80
o2,c2,2024-01-11,H1,home,100
o2,c2,2024-01-11,K1,kitchen,50
o3,c3,2024-01-12,H2,home,100
o3,c3,2024-01-12,K2,kitchen,50
o4,c4,2024-01-13,H1,home,100
o5,c5,2024-01-14,G1,garden,100
";

#[test]
fn rungs_and_suggestions_from_a_scored_store() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orders.csv"), ORDERS).unwrap();
    let db = format!("sqlite://{}", dir.path().join("clientele.db").display());
    let import = run_in(dir.path(), &["import", "orders.csv", "--db", &db]);
    assert_eq!(import.code, Some(0), "{}", import.stderr);
    // Before scoring: no snapshot, said plainly.
    let before = run_in(dir.path(), &["portfolio", "--by-rung", "--db", &db]);
    assert_eq!(before.code, Some(0), "{}", before.stderr);
    assert!(
        before.stdout.contains("no scored snapshot"),
        "{}",
        before.stdout
    );
    let score = run_in(dir.path(), &["score", "--as-of", "2024-03-31", "--db", &db]);
    assert_eq!(score.code, Some(0), "{}", score.stderr);

    let run = run_in(
        dir.path(),
        &[
            "portfolio",
            "--by-rung",
            "--as-of",
            "2024-03-31",
            "--format",
            "json",
            "--db",
            &db,
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["snapshot"], "2024-03-31");
    let rungs = json["rungs"].as_array().unwrap();
    assert_eq!(rungs.len(), 5);
    let customers: u64 = rungs.iter().map(|r| r["customers"].as_u64().unwrap()).sum();
    assert_eq!(customers, 5);
    let buyers = |category: &str| -> u64 {
        rungs
            .iter()
            .flat_map(|r| r["categories"].as_array().unwrap())
            .filter(|c| c["category"] == category)
            .map(|c| c["buyers"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        (buyers("home"), buyers("kitchen"), buyers("garden")),
        (4, 3, 1)
    );
    for r in rungs {
        let n = r["customers"].as_f64().unwrap();
        for c in r["categories"].as_array().unwrap() {
            let share = c["buyers"].as_f64().unwrap() / n;
            assert!((c["share"].as_f64().unwrap() - share).abs() < 1e-12, "{c}");
        }
    }

    let run = run_in(
        dir.path(),
        &[
            "portfolio",
            "--suggest",
            "c4",
            "--as-of",
            "2024-03-31",
            "--format",
            "json",
            "--db",
            &db,
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["bought"], serde_json::json!(["home"]));
    assert!(json["rung"].is_string(), "{json}");
    // Five customers are far under the default 20 peers: nothing to suggest.
    assert_eq!(json["suggestions"], serde_json::json!([]));

    let csv = run_in(
        dir.path(),
        &[
            "portfolio",
            "--by-rung",
            "--as-of",
            "2024-03-31",
            "--format",
            "csv",
            "--db",
            &db,
        ],
    );
    assert_eq!(csv.code, Some(0), "{}", csv.stderr);
    let mut lines = csv.stdout.lines();
    assert_eq!(lines.next(), Some("rung,customers,category,buyers,share"));
    // One row per (rung, category) bought: at least home, kitchen and garden.
    assert!(lines.count() >= 3, "{}", csv.stdout);
}

#[test]
fn hostile_rung_and_suggestion_arguments_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orders.csv"), ORDERS).unwrap();
    let db = format!("sqlite://{}", dir.path().join("clientele.db").display());
    assert_eq!(
        run_in(dir.path(), &["import", "orders.csv", "--db", &db]).code,
        Some(0)
    );
    let nobody = run_in(
        dir.path(),
        &["portfolio", "--suggest", "nobody", "--db", &db],
    );
    assert_ne!(nobody.code, Some(0));
    assert!(nobody.stderr.contains("nobody"), "{}", nobody.stderr);
    let blank = run_in(dir.path(), &["portfolio", "--suggest", "  ", "--db", &db]);
    assert_ne!(blank.code, Some(0));
    assert!(blank.stderr.contains("--suggest"), "{}", blank.stderr);
    let long = "x".repeat(300);
    let long = run_in(dir.path(), &["portfolio", "--suggest", &long, "--db", &db]);
    assert_ne!(long.code, Some(0));
    assert!(long.stderr.contains("256"), "{}", long.stderr);
    let zero = run_in(
        dir.path(),
        &["portfolio", "--by-rung", "--min-peers", "0", "--db", &db],
    );
    assert_ne!(zero.code, Some(0));
    assert!(zero.stderr.contains("--min-peers"), "{}", zero.stderr);
    let date = run_in(
        dir.path(),
        &[
            "portfolio",
            "--by-rung",
            "--as-of",
            "31.02.2024",
            "--db",
            &db,
        ],
    );
    assert_ne!(date.code, Some(0));
    // Files and the rungs do not mix: clap refuses before anything runs.
    let mixed = run_in(
        dir.path(),
        &["portfolio", "orders.csv", "--by-rung", "--db", &db],
    );
    assert_eq!(mixed.code, Some(2), "{}", mixed.stderr);
}
