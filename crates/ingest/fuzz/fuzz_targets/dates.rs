//! Dates in every format: no panic; a date read is within the bounds, and written back in its
//! format it reads as the same day.
#![no_main]

use clientele_core::bounds::day_in_bounds;
use clientele_ingest::values::{DateFormat, guess_date_format, parse_date};
use libfuzzer_sys::fuzz_target;

const FORMATS: [DateFormat; 7] = [
    DateFormat::Iso,
    DateFormat::DmyDot,
    DateFormat::Ymd8,
    DateFormat::DmySlash,
    DateFormat::MdySlash,
    DateFormat::DmyDash,
    DateFormat::ExcelSerial,
];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, text)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let format = FORMATS[usize::from(choice) % FORMATS.len()];
    if let Ok(day) = parse_date(text, format) {
        assert!(day_in_bounds(day), "{text:?} → {day}");
        let (y, m, d) = day.ymd();
        let written = match format {
            DateFormat::Iso => format!("{y:04}-{m:02}-{d:02}"),
            DateFormat::DmyDot => format!("{d:02}.{m:02}.{y:04}"),
            DateFormat::Ymd8 => format!("{y:04}{m:02}{d:02}"),
            DateFormat::DmySlash => format!("{d:02}/{m:02}/{y:04}"),
            DateFormat::MdySlash => format!("{m:02}/{d:02}/{y:04}"),
            DateFormat::DmyDash => format!("{d:02}-{m:02}-{y:04}"),
            DateFormat::ExcelSerial => (day.days_since_epoch() + 25_569).to_string(),
        };
        assert_eq!(
            parse_date(&written, format),
            Ok(day),
            "{text:?} as {written:?}"
        );
    }
    let samples: Vec<&str> = text.split('\n').take(50).collect();
    let _ = guess_date_format(&samples, choice & 0x80 != 0);
});
