//! Customers are dealt to shards by ranges of ids sampled across a plain file before it is read,
//! so the summaries come out in id order with nothing to merge; compressed files (nothing to
//! sample) are dealt by hash and merged. Both must give the same customers, in id order, also
//! when the sample misjudges the ids (later customers with larger ids) and when a probe lands
//! inside a quoted field that spans lines.

use std::io::Write;
use std::path::Path;

use clientele_ingest::pipeline::{ImportOptions, OrderImport, import_orders};

fn import(path: &Path) -> OrderImport {
    import_orders(&[path.to_path_buf()], &ImportOptions::default(), &|_| {})
        .expect("the file imports")
}

/// About 6 MiB, past the 4 MiB below which the whole file is the sample: the first half's
/// customers have ids rising with the line, the second half's come from a wider range, in a
/// scrambled order; every 97th line has a product with a quoted line break.
fn order_file() -> String {
    let mut text = String::from("order_id,customer_id,order_date,product,amount\n");
    let lines = 140_000u64;
    for i in 0..lines {
        let customer = if i < lines / 2 {
            format!("K{:07}", i / 3)
        } else {
            // A multiplicative scramble over ids from A… to Ж… (two-byte UTF-8 sorts last).
            let k = (i * 2_654_435_761) % 90_001;
            match k % 3 {
                0 => format!("A{k:07}"),
                1 => format!("K{k:07}"),
                _ => format!("Ж{k:05}"),
            }
        };
        let product = if i % 97 == 0 {
            "\"boxed\nset\"".to_string()
        } else {
            format!("SKU-{}", i % 311)
        };
        let day = 1 + i % 28;
        let amount = 100 + i % 5_000;
        text.push_str(&format!(
            "O{i},{customer},2024-03-{day:02},{product},{amount}.50\n"
        ));
    }
    text
}

#[test]
fn range_shards_and_hash_shards_give_the_same_customers_in_id_order() {
    let dir = tempfile::tempdir().unwrap();
    let text = order_file();
    assert!(text.len() > 4 << 20, "{} bytes", text.len());
    let plain = dir.path().join("orders.csv");
    std::fs::write(&plain, &text).unwrap();
    let gz = dir.path().join("orders.csv.gz");
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap();

    let by_range = import(&plain);
    let by_hash = import(&gz);
    assert!(by_range.rejects.is_empty(), "{:?}", &by_range.rejects[..1]);
    assert_eq!(by_range.files[0].accepted, 140_000);
    assert!(
        by_range.customers.windows(2).all(|w| w[0].0 < w[1].0),
        "customers in strictly ascending id order"
    );
    assert_eq!(by_range.customers.len(), by_hash.customers.len());
    for (a, b) in by_range.customers.iter().zip(&by_hash.customers) {
        assert_eq!(a, b);
    }
    // The count by hand: 70,000 lines of K-ids, three lines each, and the scrambled half's
    // distinct ids (a bijection of i onto the residues, so 70,000 distinct k, none colliding
    // with the first half's K-ids only where k < 23,334 and k % 3 == 1).
    let first_half: std::collections::BTreeSet<String> =
        (0..70_000u64).map(|i| format!("K{:07}", i / 3)).collect();
    let mut all = first_half.clone();
    for i in 70_000..140_000u64 {
        let k = (i * 2_654_435_761) % 90_001;
        all.insert(match k % 3 {
            0 => format!("A{k:07}"),
            1 => format!("K{k:07}"),
            _ => format!("Ж{k:05}"),
        });
    }
    assert_eq!(by_range.customers.len(), all.len());
}
