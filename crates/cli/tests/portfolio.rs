//! `clientele portfolio` end to end: order files with a steady, a rising and a falling product
//! (stages and the bundle checked against hand-computed figures), the same lines imported into
//! the store, the JSON and CSV shapes, a products file refused whole for one bad row, and
//! settings out of range refused naming the flag.

#[allow(dead_code)]
mod common;

use std::path::Path;

use common::run_in;
use serde_json::Value;

/// 14 months from January 2024. Every month five customers each buy S (20) with R (2 a line
/// for the first 7 months, then 8) in one order: S is 100 a month, R 10 then 40. Five others
/// buy F alone: 20 a line for 8 months (100 a month), then 2 (10 a month).
fn orders() -> String {
    let mut text = String::from("order_id,customer_id,date,product,category,amount,cost\n");
    for m in 0..14u32 {
        let (y, mo) = (2024 + m / 12, m % 12 + 1);
        for k in 1..=5 {
            let r = if m < 7 { 2 } else { 8 };
            let f = if m < 8 { 20 } else { 2 };
            text.push_str(&format!("o{m}-{k},c{k},{y}-{mo:02}-10,S,home,20,10\n"));
            text.push_str(&format!("o{m}-{k},c{k},{y}-{mo:02}-10,R,home,{r},1\n"));
            text.push_str(&format!("f{m}-{k},d{k},{y}-{mo:02}-12,F,garden,{f},1\n"));
        }
    }
    text
}

fn product<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["products"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["product"] == name)
        .unwrap_or_else(|| panic!("{name} in {json}"))
}

fn check_stages_and_bundle(json: &Value) {
    assert_eq!(json["last_month"], "2025-02");
    assert_eq!(product(json, "S")["stage"], "maturity");
    assert_eq!(product(json, "R")["stage"], "growth");
    assert_eq!(product(json, "F")["stage"], "decline");
    // S: 14 months × 100; margin 14 × 5 × (20 − 10).
    assert_eq!(product(json, "S")["revenue"], 1400.0);
    assert_eq!(product(json, "S")["margin"], 700.0);
    assert_eq!(product(json, "S")["customers"], 5);
    // The best of "home" in growth or maturity over the last 12 months (S 1,200 against R 330).
    assert_eq!(
        product(json, "S")["tags"],
        serde_json::json!(["bestseller"])
    );
    assert!(
        product(json, "F")["stage_reason"]
            .as_str()
            .unwrap()
            .starts_with("below_peak_and_falling"),
        "{json}"
    );
    // 140 baskets: 70 with S and R, 70 with F alone. S → R: support 0.5, confidence 1,
    // lift 70 · 140 / (70 · 70) = 2.
    let bundles = json["bundles"].as_array().unwrap();
    assert_eq!(bundles.len(), 1, "{json}");
    let b = &bundles[0];
    assert_eq!((b["a"].as_str(), b["b"].as_str()), (Some("R"), Some("S")));
    assert!((b["support"].as_f64().unwrap() - 0.5).abs() < 1e-12);
    assert!((b["confidence"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    assert!((b["lift"].as_f64().unwrap() - 2.0).abs() < 1e-12);
    assert_eq!(json["baskets"], 140);
}

fn url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("clientele.db").display())
}

#[test]
fn stages_tags_and_bundles_from_files_and_from_the_store_match_the_hand_count() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orders.csv"), orders()).unwrap();
    let run = run_in(
        dir.path(),
        &[
            "portfolio",
            "orders.csv",
            "--as-of",
            "2025-02-28",
            "--format",
            "json",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    check_stages_and_bundle(&json);
    // Without a store there are no advocates: the share is unknown, not zero.
    assert_eq!(product(&json, "S")["advocates_share"], Value::Null);
    assert_eq!(json["advocates_known"], false);

    let db = url(dir.path());
    let import = run_in(dir.path(), &["import", "orders.csv", "--db", &db]);
    assert_eq!(import.code, Some(0), "{}", import.stderr);
    let from_store = run_in(
        dir.path(),
        &[
            "portfolio",
            "--db",
            &db,
            "--as-of",
            "2025-02-28",
            "--format",
            "json",
        ],
    );
    assert_eq!(from_store.code, Some(0), "{}", from_store.stderr);
    let json: Value = serde_json::from_str(&from_store.stdout).unwrap();
    check_stages_and_bundle(&json);

    let csv = run_in(
        dir.path(),
        &[
            "portfolio",
            "orders.csv",
            "--as-of",
            "2025-02-28",
            "--format",
            "csv",
        ],
    );
    assert_eq!(csv.code, Some(0), "{}", csv.stderr);
    let mut lines = csv.stdout.lines();
    assert_eq!(
        lines.next(),
        Some("product,category,stage,stage_reason,revenue,margin,customers,advocates_share,tags")
    );
    assert_eq!(lines.count(), 3);

    let text = run_in(
        dir.path(),
        &["portfolio", "orders.csv", "--as-of", "2025-02-28"],
    );
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    assert!(
        text.stdout.contains("R + S: 70 basket(s)"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_bad_products_file_stores_nothing_and_bad_settings_name_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("orders.csv"), orders()).unwrap();
    let db = url(dir.path());
    std::fs::write(
        dir.path().join("products.csv"),
        "product;launch date;unit cost;partner\nS;01.01.2024;10;\nR;31.02.2024;1;\nF;01.01.2024;-3;\n",
    )
    .unwrap();
    let run = run_in(
        dir.path(),
        &["portfolio", "--db", &db, "--products", "products.csv"],
    );
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
    assert!(run.stderr.contains("line 4"), "{}", run.stderr);
    assert!(run.stderr.contains("2 bad row(s)"), "{}", run.stderr);

    let run = run_in(
        dir.path(),
        &["portfolio", "orders.csv", "--min-support", "2"],
    );
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--min-support 2"), "{}", run.stderr);
    let run = run_in(
        dir.path(),
        &["portfolio", "orders.csv", "--max-bundles", "0"],
    );
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("--max-bundles 0"), "{}", run.stderr);
}
