//! A workbook whose sheet XML (and shared strings) the input writes, zipped as a real `.xlsx`:
//! the sheet reader and the import hold it to small bounds; neither panics, and a sheet read
//! stays within them.
//!
//! `read_xlsx` runs calamine under `catch_unwind` (calamine panics on some hostile sheets, e.g.
//! a shared-string index with no shared strings): such a panic refuses the file, as it does in
//! the binary. libfuzzer-sys's panic hook aborts before anything unwinds, so the target puts the
//! standard hook back; a panic that escapes is still a crash (libfuzzer-sys catches it at the
//! top and aborts).
#![no_main]

use std::io::Write;

use clientele_ingest::limits::ImportLimits;
use clientele_ingest::pipeline::{ImportOptions, import_orders};
use clientele_ingest::xlsx::read_xlsx;
use libfuzzer_sys::fuzz_target;

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

static STANDARD_PANICS: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    STANDARD_PANICS.call_once(|| {
        let _ = std::panic::take_hook();
    });
    // The sheet's XML, then (after a NUL) the shared strings' XML.
    let (sheet, strings) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut part = |name: &str, bytes: &[u8]| {
        zip.start_file(name, options).unwrap();
        zip.write_all(bytes).unwrap();
    };
    part("_rels/.rels", ROOT_RELS.as_bytes());
    part("xl/workbook.xml", WORKBOOK.as_bytes());
    part("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes());
    part("xl/worksheets/sheet1.xml", sheet);
    if let Some(strings) = strings {
        part("xl/sharedStrings.xml", strings);
    }
    zip.finish().unwrap();
    let limits = ImportLimits {
        max_xlsx_rows: 2_000,
        max_xlsx_columns: 64,
        max_xlsx_cells: 20_000,
        max_xlsx_bytes: 4 << 20,
        ..ImportLimits::default()
    };
    if let Ok(rows) = read_xlsx(&path, None, &limits) {
        assert!(rows.len() <= 2_000);
        assert!(rows.iter().all(|r| r.len() <= 64));
        assert!(rows.iter().map(|r| r.len() as u64 + 1).sum::<u64>() <= 20_000 + 2_000);
    }
    let options = ImportOptions {
        limits,
        ..ImportOptions::default()
    };
    let _ = import_orders(&[path], &options, &|_| {});
});
