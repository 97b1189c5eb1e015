//! The raw text of a duplicate line is read back from the file after the import (the parallel
//! readers keep no accepted line): from the pieces of the line index that hold them (about 16 KiB
//! each, hundreds per 4 MiB block), in parallel, for a plain file, and by one sequential pass for a
//! gzip one. On a file of several blocks, both give every duplicate's own line, byte for byte.

use std::io::Write;

use clientele_ingest::pipeline::{ImportOptions, import_orders};

/// Line `n` (1-based; line 1 is the header) of the test file. Every 997th data line repeats the
/// order id and product of the line before it, with a different amount, so its raw text differs
/// from the line it duplicates.
fn line_text(n: u64) -> String {
    if n == 1 {
        return "order_id,customer_id,order_date,sku,amount".into();
    }
    let dup = n > 2 && n.is_multiple_of(997);
    let order = if dup { n - 1 } else { n };
    format!(
        "O{order:08},C{:06},2024-{:02}-{:02},SKU-{},{}.{:02}",
        order % 50_000,
        1 + order % 12,
        1 + order % 28,
        order % 7,
        100 + n % 900,
        n % 100
    )
}

fn duplicates_of(path: &std::path::Path) -> Vec<(u64, String)> {
    let import = import_orders(&[path.to_path_buf()], &ImportOptions::default(), &|_| {})
        .expect("the file reads");
    import
        .rejects
        .iter()
        .filter(|r| r.reason.starts_with("duplicate"))
        .map(|r| (r.row.line, r.raw.clone()))
        .collect()
}

#[test]
fn duplicates_carry_their_own_line_from_plain_and_gzip_files() {
    let lines: u64 = 300_000; // about 15 MB: three 4 MiB blocks and a part
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("orders.csv");
    let gzip = dir.path().join("orders.csv.gz");
    let mut text = String::new();
    for n in 1..=lines {
        text.push_str(&line_text(n));
        text.push_str(if n.is_multiple_of(2) { "\r\n" } else { "\n" });
    }
    assert!(text.len() > 3 * (4 << 20), "the file spans several blocks");
    std::fs::write(&plain, &text).unwrap();
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&gzip).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap();

    let expected: Vec<(u64, String)> = (3..=lines)
        .filter(|n| n.is_multiple_of(997))
        .map(|n| (n, line_text(n)))
        .collect();
    assert_eq!(expected.len(), 300);
    assert_eq!(duplicates_of(&plain), expected);
    assert_eq!(duplicates_of(&gzip), expected);
}

#[test]
fn duplicates_are_reported_in_the_order_id_column_as_the_file_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("заказы.csv");
    std::fs::write(
        &path,
        "Номер заказа;Контрагент;Дата;Сумма\n\
         A-1;Иванов;01.03.2024;100,50\n\
         A-1;Иванов;01.03.2024;100,50\n\
         A-2;Петров;02.03.2024;20\n",
    )
    .unwrap();
    let import = import_orders(&[path], &ImportOptions::default(), &|_| {}).expect("reads");
    let duplicates: Vec<(u64, &str, &str)> = import
        .rejects
        .iter()
        .map(|r| (r.row.line, r.column.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(
        duplicates,
        [(
            3,
            "Номер заказа",
            "duplicate of line 2 (same order id and product); counted once"
        )]
    );
}
