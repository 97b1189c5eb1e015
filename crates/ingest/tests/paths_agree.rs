//! The two readers of order files — the summarising pipeline (`clientele analyze`) and the row
//! streamer (`clientele import` into the store) — split and judge every row alike: the same
//! accepted rows, the same revenue per customer, the same rejects with the same lines, columns
//! and reasons. Checked on a quote-free file (split on the delimiter directly), on one with
//! quoted fields (split by the csv reader) and on a space-padded one.

use std::collections::BTreeMap;
use std::path::Path;

use clientele_core::Money;
use clientele_ingest::pipeline::{ImportOptions, import_orders};
use clientele_ingest::rows::read_order_rows;

/// (line, column, reason) of each reject, in line order.
type RejectKeys = Vec<(u64, String, String)>;

fn through_pipeline(path: &Path) -> (u64, BTreeMap<String, Money>, RejectKeys) {
    let import = import_orders(&[path.to_path_buf()], &ImportOptions::default(), &|_| {})
        .expect("the pipeline reads the file");
    let revenue = import
        .customers
        .iter()
        .map(|(id, s)| (id.to_string(), s.revenue))
        .collect();
    let mut rejects: RejectKeys = import
        .rejects
        .iter()
        .map(|r| (r.row.line, r.column.clone(), r.reason.clone()))
        .collect();
    rejects.sort();
    (import.files[0].accepted, revenue, rejects)
}

fn through_rows(path: &Path) -> (u64, BTreeMap<String, Money>, RejectKeys) {
    let mut revenue: BTreeMap<String, Money> = BTreeMap::new();
    let mut sink = |batch: Vec<clientele_ingest::rows::OrderRow>| {
        for row in batch {
            *revenue.entry(row.customer).or_insert(Money::ZERO) += row.line.amount;
        }
        true
    };
    // A small batch size so several batches are handed over.
    let outcome = read_order_rows(path, 0, &ImportOptions::default(), 3, &mut sink)
        .expect("the row streamer reads the file");
    let mut rejects: RejectKeys = outcome
        .rejects
        .iter()
        .map(|r| (r.row.line, r.column.clone(), r.reason.clone()))
        .collect();
    rejects.sort();
    (outcome.report.accepted, revenue, rejects)
}

fn assert_agree(name: &str, text: &str, accepted: u64, rejected_lines: &[u64]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let pipeline = through_pipeline(&path);
    let rows = through_rows(&path);
    assert_eq!(pipeline, rows, "{name}: the two readers disagree");
    assert_eq!(pipeline.0, accepted, "{name}: accepted rows");
    let lines: Vec<u64> = pipeline.2.iter().map(|r| r.0).collect();
    assert_eq!(lines, rejected_lines, "{name}: rejected lines");
}

#[test]
fn quote_free_semicolon_file_with_bad_rows() {
    // Line 1 is the header; line 4 has a bad date, line 6 no customer; line 7 is empty.
    let text = "order_id;customer_id;date;amount\r\n\
                1;A;2024-01-05;10,50\r\n\
                2;B;2024-01-06;20,00\r\n\
                3;A;2024-13-40;5,00\r\n\
                4;A;2024-02-01;7,25\r\n\
                5;;2024-02-02;1,00\r\n\
                \r\n\
                6;C;2024-03-01;-3,00\r\n";
    assert_agree("plain.csv", text, 4, &[4, 6]);
}

#[test]
fn quoted_fields_go_through_the_csv_reader() {
    // A quoted field with the delimiter inside; line 4 has an amount that is not a number.
    let text = "order_id,customer_id,date,amount,product\n\
                1,A,2024-01-05,10.50,\"Tea, green\"\n\
                2,B,2024-01-06,20.00,Coffee\n\
                3,A,2024-01-07,abc,Cups\n\
                4,\"C\",2024-02-01,7.25,\"Mugs \"\"large\"\"\"\n";
    assert_agree("quoted.csv", text, 3, &[4]);
}

#[test]
fn space_padded_columns() {
    // CDNOW-style: customer id, date (YYYYMMDD), quantity, amount; line 3 has a bad date.
    let text = "00001 19970101 1  11.77\n\
                00002 19970112 2  89.00\n\
                00002 1997011x 1   9.99\n\
                00003 19970102 5  57.77\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("padded.txt");
    std::fs::write(&path, text).unwrap();
    let options = ImportOptions {
        overrides: clientele_ingest::sniff::SniffOverrides {
            map: ["1=customer_id", "2=date", "3=quantity", "4=amount"]
                .iter()
                .map(|m| clientele_ingest::columns::parse_map_arg(m).unwrap())
                .collect(),
            ..Default::default()
        },
        ..Default::default()
    };
    let import = import_orders(std::slice::from_ref(&path), &options, &|_| {}).unwrap();
    let mut revenue: BTreeMap<String, Money> = BTreeMap::new();
    let mut sink = |batch: Vec<clientele_ingest::rows::OrderRow>| {
        for row in batch {
            *revenue.entry(row.customer).or_insert(Money::ZERO) += row.line.amount;
        }
        true
    };
    let outcome = read_order_rows(&path, 0, &options, 2, &mut sink).unwrap();
    let from_pipeline: BTreeMap<String, Money> = import
        .customers
        .iter()
        .map(|(id, s)| (id.to_string(), s.revenue))
        .collect();
    assert_eq!(from_pipeline, revenue);
    assert_eq!(outcome.report.accepted, 3);
    assert_eq!(import.files[0].accepted, 3);
    let lines = |r: &[clientele_ingest::pipeline::Reject]| -> Vec<u64> {
        r.iter().map(|r| r.row.line).collect()
    };
    assert_eq!(lines(&import.rejects), vec![3]);
    assert_eq!(lines(&outcome.rejects), vec![3]);
    assert_eq!(revenue["00002"], Money::from_units(890_000));
}
