//! Customer ids of every length keep their customers apart and come out in id order: short and
//! long ids, ids that share a long prefix, and multi-byte (Cyrillic) ids, their rows interleaved.

use clientele_core::Money;
use clientele_ingest::pipeline::{ImportOptions, import_orders};

#[test]
fn short_long_and_multibyte_ids_stay_distinct_and_sorted() {
    let ids = [
        "C1".to_string(),
        "a".repeat(21),
        "a".repeat(22),
        "a".repeat(23),
        format!("{}b", "a".repeat(21)),
        format!("{}b", "a".repeat(39)),
        "anna.karenina@example.com".to_string(),
        "Иванов".to_string(),                 // 12 bytes
        "Иванова-Петрова Мария".to_string(),  // 40 bytes
        "Иванова-Петрова Марина".to_string(), // shares 38 bytes with the one above
    ];
    // Customer k buys k + 1 times, 10 each, the rows interleaved across customers.
    let mut text = String::from("order_id,customer_id,order_date,amount\n");
    let mut order = 0;
    for round in 0..ids.len() {
        for (k, id) in ids.iter().enumerate() {
            if round <= k {
                order += 1;
                text.push_str(&format!("O{order},{id},2024-01-{:02},10.00\n", round + 1));
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    std::fs::write(&path, text).unwrap();
    let import = import_orders(&[path], &ImportOptions::default(), &|_| {}).unwrap();

    let mut expected: Vec<(String, Money)> = ids
        .iter()
        .enumerate()
        .map(|(k, id)| (id.clone(), Money::from_major(10 * (k as i64 + 1))))
        .collect();
    expected.sort();
    let got: Vec<(String, Money)> = import
        .customers
        .iter()
        .map(|(id, s)| (id.to_string(), s.revenue))
        .collect();
    assert_eq!(got, expected);
}
