//! Exports that are not tidy order logs (issue 24 item 11): `Id, Date, Price` — a bare `Id` as
//! the only id column, a price and no quantity — read with each line's price as its amount and
//! a note saying so; `cust` and `client` name the customer; a visit log (customer and date only)
//! is refused with a message naming `--map`.

use clientele_core::Money;
use clientele_ingest::pipeline::{ImportOptions, import_orders};
use clientele_ingest::sniff::PRICE_AS_AMOUNT;

fn read(name: &str, text: &str) -> Result<clientele_ingest::pipeline::OrderImport, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    import_orders(&[path], &ImportOptions::default(), &|_| {}).map_err(|e| e.to_string())
}

#[test]
fn a_price_alone_is_the_amount_and_the_note_says_so() {
    // Customer k (1..=20) buys k times at 10.5 × k each, a week apart.
    let mut text = String::from("Id;Date;Price\n");
    for k in 1..=20u32 {
        for n in 0..k {
            text.push_str(&format!("{k};{:02}.03.2024;{},50\n", 1 + n, 10 * k));
        }
    }
    let import = read("visits.csv", &text).unwrap();
    assert!(import.rejects.is_empty(), "{:?}", import.rejects);
    assert_eq!(import.customers.len(), 20);
    for (id, s) in &import.customers {
        let k: i64 = id.parse().unwrap();
        // k lines of (10k + 0.50) each.
        assert_eq!(
            s.revenue,
            Money::from_units(k * (10 * k * Money::SCALE + Money::SCALE / 2)),
            "customer {id}"
        );
    }
    let notes = &import.files[0].notes;
    assert!(notes.iter().any(|n| n == PRICE_AS_AMOUNT), "{notes:?}");
    assert!(
        notes
            .iter()
            .any(|n| n == "column 'Id' → customer_id (header name)"),
        "{notes:?}"
    );

    // With a quantity column the amount stays price × quantity, and no such note.
    let import = read("orders.csv", "cust,date,price,qty\nA,2024-01-05,2.50,4\n").unwrap();
    assert_eq!(import.customers[0].1.revenue, Money::from_major(10));
    assert!(!import.files[0].notes.iter().any(|n| n == PRICE_AS_AMOUNT));
}

#[test]
fn a_visit_log_without_money_is_refused_naming_map() {
    let e = read("visits.csv", "client,date\nA,2024-01-05\nB,2024-01-06\n").unwrap_err();
    assert!(e.contains("no column holds the amount paid"), "{e}");
    assert!(e.contains("--map COLUMN=amount"), "{e}");
}
