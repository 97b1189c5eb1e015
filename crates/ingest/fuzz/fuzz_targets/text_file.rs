//! A whole order file, as text or gzip (the first byte chooses), through both readers: the
//! summarising pipeline (`analyze`) and the row streamer (`import`, the upload). Neither may
//! panic, and they must agree: the streamer's rows are the pipeline's accepted lines plus its
//! duplicates, and they refuse the same lines.
#![no_main]

use std::io::Write;

use clientele_ingest::limits::ImportLimits;
use clientele_ingest::pipeline::{ImportOptions, import_orders};
use clientele_ingest::rows::read_order_rows;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    if choice & 1 == 1 {
        let mut encoder = flate2::write::GzEncoder::new(
            std::fs::File::create(&path).unwrap(),
            flate2::Compression::fast(),
        );
        encoder.write_all(body).unwrap();
        encoder.finish().unwrap();
    } else {
        std::fs::write(&path, body).unwrap();
    }
    let options = ImportOptions {
        limits: ImportLimits {
            max_line_bytes: 4096,
            ..ImportLimits::default()
        },
        ..ImportOptions::default()
    };
    let pipeline = import_orders(std::slice::from_ref(&path), &options, &|_| {});
    let mut streamed = 0u64;
    let stream = read_order_rows(&path, 0, &options, 64, &mut |rows| {
        streamed += rows.len() as u64;
        true
    });
    match (pipeline, stream) {
        (Ok(import), Ok(outcome)) => {
            let report = &import.files[0];
            assert_eq!(report.accepted + report.duplicates, streamed);
            assert_eq!(report.rows, outcome.report.rows);
            let mut refused: Vec<u64> = import
                .rejects
                .iter()
                .filter(|r| !r.reason.starts_with("duplicate of line"))
                .map(|r| r.row.line)
                .collect();
            refused.sort_unstable();
            let streamed_refused: Vec<u64> = outcome.rejects.iter().map(|r| r.row.line).collect();
            assert_eq!(refused, streamed_refused);
            for (_, summary) in &import.customers {
                assert!(summary.days.windows(2).all(|w| w[0] < w[1]));
            }
        }
        // Nothing imported, by the pipeline's count; the streamer has no such refusal.
        (Err(clientele_ingest::pipeline::ImportError::NoOrders), Ok(outcome)) => {
            assert_eq!(streamed, 0);
            let _ = outcome;
        }
        (Err(a), Err(b)) => assert_eq!(
            std::mem::discriminant(&a),
            std::mem::discriminant(&b),
            "{a} / {b}"
        ),
        (a, b) => panic!("the readers disagree: {:?} / {:?}", a.err(), b.err()),
    }
});
