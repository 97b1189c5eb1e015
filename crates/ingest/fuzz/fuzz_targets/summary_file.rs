//! A summary file for the customer-base models, any bytes, through its three readers
//! (continuous-time summaries, BG/BB patterns, sBG survival counts), with the decimal mark told
//! from the values or given (the first byte chooses): no panic, every number read is finite, and
//! a row the caller's check refuses stops the reading with that row's line.
#![no_main]

use clientele_ingest::summary_file::{
    SummaryFileError, read_patterns, read_summary, read_survival,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&choice, body)) = data.split_first() else {
        return;
    };
    let decimal = match choice % 3 {
        0 => None,
        1 => Some(b'.'),
        _ => Some(b','),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("summary.csv");
    std::fs::write(&path, body).unwrap();
    // The caller's check: refuses a row whose last purchase is after its tenure, as the
    // continuous-time models do.
    let mut checked = 0usize;
    let read = read_summary(&path, decimal, |x, t_x, t| {
        checked += 1;
        assert!(x.is_finite() && t_x.is_finite() && t.is_finite());
        if t_x > t {
            Err("t_x > T".to_string())
        } else {
            Ok(())
        }
    });
    match read {
        Ok(rows) => {
            assert!(!rows.is_empty());
            assert_eq!(rows.len(), checked);
            for r in &rows {
                assert!(r.t_x <= r.t, "{r:?}");
                assert!(r.mean_value.is_none_or(|v| v.is_finite() && v > 0.0), "{r:?}");
            }
        }
        Err(SummaryFileError::Row { reason, .. }) => assert_eq!(reason, "t_x > T"),
        Err(_) => {}
    }
    if let Ok(patterns) = read_patterns(&path, decimal) {
        assert!(!patterns.is_empty());
        assert!(patterns.iter().all(|p| p.weight.is_finite()));
    }
    if let Ok(counts) = read_survival(&path, decimal) {
        assert!(!counts.is_empty());
        assert!(counts.iter().all(|c| c.is_finite()));
    }
});
