//! The real CDNOW logs (when present in the shared data folder) sniff as expected and every line
//! parses with the detected formats.

use std::path::Path;

use clientele_core::Money;
use clientele_ingest::columns::{Field, parse_map_arg};
use clientele_ingest::layout::{Layout, split_line};
use clientele_ingest::sniff::{SniffOverrides, TextFormat, sniff_text};
use clientele_ingest::values::{parse_date, parse_money};

const DIR: &str = "/work/shared/data/cdnow";

fn read(name: &str) -> Option<Vec<u8>> {
    // The data lives outside the repository; skip quietly where it is absent.
    std::fs::read(Path::new(DIR).join(name)).ok()
}

/// Sniffs the first 64 KiB as the pipeline does, then parses every data line.
fn parse_all(bytes: &[u8], overrides: &SniffOverrides) -> (TextFormat, usize, Money) {
    let sample = &bytes[..bytes.len().min(64 * 1024)];
    let format = sniff_text(sample, sample.len() == bytes.len(), overrides).unwrap();
    assert_eq!(format.layout, Layout::Whitespace);
    let text = std::str::from_utf8(bytes).unwrap();
    let (date_col, amount_col) = (
        format.columns.get(Field::Date).unwrap(),
        format.columns.get(Field::Amount).unwrap(),
    );
    let mut fields = Vec::new();
    let (mut n, mut total) = (0, Money::ZERO);
    for line in text
        .lines()
        .skip(usize::from(format.has_header))
        .filter(|l| !l.trim().is_empty())
    {
        split_line(line, &format.layout, &mut fields);
        assert_eq!(fields.len(), format.n_columns, "{line}");
        parse_date(fields[date_col], format.date_format).unwrap();
        total += parse_money(fields[amount_col], format.number_format).unwrap();
        n += 1;
    }
    (format, n, total)
}

#[test]
fn cdnow_master_and_sample() {
    if let Some(master) = read("CDNOW_master.txt") {
        let (format, n, _) = parse_all(&master, &SniffOverrides::default());
        assert!(format.has_header);
        assert_eq!(n, 69_659);
    }
    if let Some(sample) = read("CDNOW_sample.txt") {
        let map = ["2=customer_id", "3=date", "4=quantity", "5=amount"]
            .iter()
            .map(|m| parse_map_arg(m).unwrap())
            .collect();
        let (format, n, total) = parse_all(
            &sample,
            &SniffOverrides {
                map,
                ..SniffOverrides::default()
            },
        );
        assert!(!format.has_header);
        assert_eq!(n, 6_919);
        assert!(total > Money::ZERO);
    }
}
