//! Files a hostile tester (or a broken export) sends, generated here rather than committed: they
//! are refused with the bound or the fault named, or read with only their bad rows rejected, by
//! both readers (the summarising pipeline of `analyze` and the row streamer of `import` and the
//! upload). Issue 23, items 1, 2, 4, 7 and 9.

use std::io::Write;
use std::path::{Path, PathBuf};

use clientele_ingest::pipeline::{
    ImportError, ImportLimits, ImportOptions, OrderImport, import_orders,
};
use clientele_ingest::rows::{OrderRow, RowsOutcome, read_order_rows};

fn import(path: &Path, options: &ImportOptions) -> Result<OrderImport, ImportError> {
    import_orders(&[path.to_path_buf()], options, &|_| {})
}

/// The streaming reader's rows and outcome.
fn stream(
    path: &Path,
    options: &ImportOptions,
) -> Result<(Vec<OrderRow>, RowsOutcome), ImportError> {
    let mut rows = Vec::new();
    let outcome = read_order_rows(path, 0, options, 1000, &mut |batch| {
        rows.extend(batch);
        true
    })?;
    Ok((rows, outcome))
}

fn limits(change: impl FnOnce(&mut ImportLimits)) -> ImportOptions {
    let mut options = ImportOptions::default();
    change(&mut options.limits);
    options
}

fn gzip(path: &Path, bytes: &[u8]) {
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(path).unwrap(),
        flate2::Compression::fast(),
    );
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap();
}

/// Both readers fail; the pipeline's error is returned.
fn both_fail(path: &Path, options: &ImportOptions) -> ImportError {
    let streamed = match stream(path, options) {
        Err(e) => e,
        Ok((rows, outcome)) => panic!(
            "the streamer read {} rows: {:?}",
            rows.len(),
            outcome.report
        ),
    };
    let imported = import(path, options).expect_err("the pipeline refuses it");
    assert_eq!(
        std::mem::discriminant(&streamed),
        std::mem::discriminant(&imported),
        "{streamed} / {imported}"
    );
    imported
}

// ---------------------------------------------------------------------------------------------
// Item 1: what an .xlsx or a gzip may cost.

/// A workbook written from raw XML: one sheet whose `<sheetData>` is `rows`, with an optional
/// `<dimension ref=...>`. Lets a test put cells where no spreadsheet program would.
fn raw_xlsx(path: &Path, dimension: Option<&str>, rows: &str) {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut part = |name: &str, text: &str| {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    };
    part(
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    part(
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    part(
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    );
    let dimension = dimension.map_or(String::new(), |d| format!(r#"<dimension ref="{d}"/>"#));
    part(
        "xl/worksheets/sheet1.xml",
        &format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>{rows}</sheetData></worksheet>"#
        ),
    );
    zip.finish().unwrap();
}

/// A row of inline-string cells at `refs`.
fn xml_row(row: u32, cells: &[(&str, &str)]) -> String {
    let cells: String = cells
        .iter()
        .map(|(col, text)| format!(r#"<c r="{col}{row}" t="inlineStr"><is><t>{text}</t></is></c>"#))
        .collect();
    format!(r#"<row r="{row}">{cells}</row>"#)
}

/// A header and `n` orders, as sheet rows.
fn order_rows(n: u32) -> String {
    let mut rows = xml_row(
        1,
        &[("A", "customer_id"), ("B", "order_date"), ("C", "amount")],
    );
    for i in 0..n {
        let id = format!("C{}", i % 97);
        let amount = format!("{}.50", 10 + i % 90);
        rows.push_str(&xml_row(
            i + 2,
            &[("A", &id), ("B", "2024-03-01"), ("C", &amount)],
        ));
    }
    rows
}

#[test]
fn a_sheet_with_cells_at_a1_and_xfd1048576_is_refused_without_a_huge_range() {
    let dir = tempfile::tempdir().unwrap();
    // As a spreadsheet program writes it: the declared dimension names the far cell.
    let path = dir.path().join("far.xlsx");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "customer_id").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    workbook.save(&path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() < 10_000);
    let e = both_fail(&path, &ImportOptions::default());
    assert!(matches!(e, ImportError::TooCostly { .. }), "{e}");
    let message = e.file_fault().unwrap();
    assert!(
        message.contains("XFD1048576")
            && message.contains("1048576 rows")
            && message.contains("16384 columns")
            && message.contains("at most 1048576 rows and 1024 columns"),
        "{message}"
    );

    // Written by hand without a dimension: the cell itself is refused as it is read.
    let bare = dir.path().join("bare.xlsx");
    let rows = format!("{}{}", order_rows(3), xml_row(1_048_576, &[("XFD", "x")]));
    raw_xlsx(&bare, None, &rows);
    let message = both_fail(&bare, &ImportOptions::default())
        .file_fault()
        .unwrap();
    assert!(message.contains("a cell at XFD1048576"), "{message}");
    // A cell at ZZ200000 (column 702): a range of 140 million cells for calamine, here 200,000
    // empty rows and one of 702 cells. It is read: the far row is a reject.
    raw_xlsx(
        &bare,
        None,
        &format!("{}{}", order_rows(3), xml_row(200_000, &[("ZZ", "x")])),
    );
    let imported = import(&bare, &ImportOptions::default()).unwrap();
    assert_eq!(
        (imported.files[0].accepted, imported.files[0].rejected),
        (3, 1)
    );
    assert_eq!(imported.rejects[0].row.line, 200_000);
    // Column 1,025 (AMK) is past the columns read.
    raw_xlsx(
        &bare,
        None,
        &format!("{}{}", order_rows(3), xml_row(7, &[("AMK", "x")])),
    );
    let message = both_fail(&bare, &ImportOptions::default())
        .file_fault()
        .unwrap();
    assert!(
        message.contains("a cell at AMK7, beyond the 1048576 rows and 1024 columns"),
        "{message}"
    );
}

#[test]
fn a_cell_reference_the_spreadsheet_reader_cannot_count_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("odd.xlsx");
    // Eleven digits of row: more than u32 holds (calamine's arithmetic overflows on it).
    let rows = format!(
        "{}{}",
        order_rows(2),
        r#"<row r="99999999999"><c r="A99999999999" t="inlineStr"><is><t>x</t></is></c></row>"#
    );
    raw_xlsx(&path, None, &rows);
    let e = both_fail(&path, &ImportOptions::default());
    assert!(
        matches!(
            e,
            ImportError::Format { .. } | ImportError::TooCostly { .. }
        ),
        "{e}"
    );
}

/// Found by the xlsx fuzz target: calamine indexes the shared strings without a check, so a
/// cell naming string 0 in a workbook without them panicked inside it. The panic is caught and
/// the file refused.
#[test]
fn a_shared_string_without_the_table_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("strings.xlsx");
    raw_xlsx(
        &path,
        None,
        r#"<row r="1"><c r="A1" t="s"><v>0</v></c></row>"#,
    );
    let e = both_fail(&path, &ImportOptions::default());
    assert_eq!(
        e.file_fault().unwrap(),
        "cannot read the workbook: its XML is malformed"
    );
}

#[test]
fn a_sheet_is_held_to_its_rows_cells_and_expanded_size() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.xlsx");
    raw_xlsx(&path, None, &order_rows(3_000));
    // Within the defaults it reads: 3,000 orders of 97 customers.
    let ok = import(&path, &ImportOptions::default()).unwrap();
    assert_eq!(ok.files[0].accepted, 3_000);
    assert_eq!(ok.customers.len(), 97);
    // Rows: the 2,001st is refused.
    let e = both_fail(&path, &limits(|l| l.max_xlsx_rows = 2_000));
    assert!(e.file_fault().unwrap().contains("a cell at A2001"), "{e}");
    // Cells held: 3,001 rows of 3 cells.
    let e = both_fail(&path, &limits(|l| l.max_xlsx_cells = 5_000));
    assert!(
        e.file_fault()
            .unwrap()
            .contains("the sheet's rows hold more than 5000 cells"),
        "{e}"
    );
    // Expanded bytes: the sheet's XML is about 300 KB.
    let e = both_fail(&path, &limits(|l| l.max_xlsx_bytes = 100_000));
    let message = e.file_fault().unwrap();
    assert!(
        message.contains("the workbook declares") && message.contains("at most 100000"),
        "{message}"
    );
    // A declared dimension past the columns is refused before any cell is read.
    raw_xlsx(&path, Some("A1:ZZZ10"), &order_rows(3));
    let message = both_fail(&path, &ImportOptions::default())
        .file_fault()
        .unwrap();
    assert!(
        message.contains("declares its cells to reach ZZZ10"),
        "{message}"
    );
}

#[test]
fn a_compression_bomb_in_a_workbook_is_refused_by_its_ratio() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bomb.xlsx");
    // 4 MB of whitespace between rows compresses to a few kilobytes.
    let rows = format!("{}{}", order_rows(2), " ".repeat(4 << 20));
    raw_xlsx(&path, None, &rows);
    assert!(std::fs::metadata(&path).unwrap().len() < 100_000);
    let e = both_fail(&path, &limits(|l| l.ratio_checked_from = 1 << 20));
    let message = e.file_fault().unwrap();
    assert!(
        message.contains("xl/worksheets/sheet1.xml")
            && message.contains("more than 200 times")
            && message.contains("compression bomb"),
        "{message}"
    );
    // Under the floor the ratio is not held against it.
    assert_eq!(
        import(&path, &ImportOptions::default()).unwrap().files[0].accepted,
        2
    );
}

/// `n` order lines of a CSV with a header.
fn csv_orders(n: usize) -> String {
    let mut text = String::from("order_id,customer_id,order_date,amount\n");
    for i in 0..n {
        text.push_str(&format!(
            "O{i},C{},2024-{:02}-{:02},{}.25\n",
            i % 1000,
            1 + i % 12,
            1 + i % 28,
            10 + i % 500
        ));
    }
    text
}

#[test]
fn a_gzip_is_held_to_its_size_and_ratio() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv.gz");
    let text = csv_orders(100_000); // about 3.5 MB
    gzip(&path, text.as_bytes());
    assert_eq!(
        import(&path, &ImportOptions::default()).unwrap().files[0].accepted,
        100_000
    );
    let e = both_fail(&path, &limits(|l| l.max_gzip_bytes = 1 << 20));
    assert!(matches!(e, ImportError::TooCostly { .. }));
    assert_eq!(
        e.file_fault().unwrap(),
        "the gzip file expands to more than 1048576 bytes, the most read"
    );
    // A bomb: one line repeated compresses about a thousand times.
    let bomb = dir.path().join("bomb.csv.gz");
    let mut bytes = String::from("customer_id,order_date,amount\n");
    bytes.push_str(&"C1,2024-01-01,1.00\n".repeat(200_000));
    let mut encoder = flate2::write::GzEncoder::new(
        std::fs::File::create(&bomb).unwrap(),
        flate2::Compression::best(),
    );
    encoder.write_all(bytes.as_bytes()).unwrap();
    encoder.finish().unwrap();
    assert!(std::fs::metadata(&bomb).unwrap().len() * 400 < bytes.len() as u64);
    let e = both_fail(&bomb, &limits(|l| l.ratio_checked_from = 1 << 20));
    let message = e.file_fault().unwrap();
    assert!(
        message.starts_with("the gzip file expands more than 200 times")
            && message.ends_with("refused as a compression bomb"),
        "{message}"
    );
}

#[test]
fn a_truncated_gzip_is_its_own_error() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.csv.gz");
    gzip(&whole, csv_orders(50_000).as_bytes());
    let bytes = std::fs::read(&whole).unwrap();
    let cut = dir.path().join("cut.csv.gz");
    std::fs::write(&cut, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let e = both_fail(&cut, &ImportOptions::default());
    assert!(matches!(e, ImportError::TruncatedGzip { .. }), "{e:?}");
    // The message for a client names no server path.
    let message = e.file_fault().unwrap();
    assert!(
        message.starts_with("the gzip stream ends early"),
        "{message}"
    );
    assert!(!message.contains(dir.path().to_str().unwrap()));
    // Cut inside the header, before any data.
    std::fs::write(&cut, &bytes[..12]).unwrap();
    assert!(matches!(
        both_fail(&cut, &ImportOptions::default()),
        ImportError::TruncatedGzip { .. }
    ));
}

// ---------------------------------------------------------------------------------------------
// Item 2: one bad byte costs its own row; mixed encodings.

#[test]
fn one_bad_byte_rejects_its_row_and_every_other_row_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    let text = csv_orders(200_000);
    let mut bytes = text.into_bytes();
    // Data row 100,001 is line 100,002: its customer id gets a \xff.
    let start = bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .nth(100_000)
        .map(|(i, _)| i + 1)
        .unwrap();
    let comma = start + bytes[start..].iter().position(|&b| b == b',').unwrap();
    bytes.insert(comma + 2, 0xFF);
    std::fs::write(&path, &bytes).unwrap();
    assert!(bytes.len() > 4 << 20, "more than one block");

    let imported = import(&path, &ImportOptions::default()).unwrap();
    let report = &imported.files[0];
    assert_eq!(
        (report.rows, report.accepted, report.rejected),
        (200_000, 199_999, 1)
    );
    let reject = &imported.rejects[0];
    assert_eq!(reject.row.line, 100_002);
    assert!(
        reject
            .reason
            .starts_with("the line is not valid UTF-8 (byte 0xFF, the 10th byte"),
        "{}",
        reject.reason
    );
    assert_eq!(reject.raw, "O100000,C\u{fffd}0,2024-05-13,10.25");

    let (rows, outcome) = stream(&path, &ImportOptions::default()).unwrap();
    assert_eq!(rows.len(), 199_999);
    assert_eq!(outcome.rejects.len(), 1);
    assert_eq!(outcome.rejects[0].row.line, 100_002);
    assert_eq!(outcome.rejects[0].reason, reject.reason);
    assert_eq!(outcome.rejects[0].raw, reject.raw);
}

#[test]
fn a_windows_1251_line_in_a_utf8_file_is_refused_not_garbled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    let mut bytes = Vec::new();
    bytes.extend_from_slice("Клиент;Дата;Сумма\n".as_bytes());
    for (i, name) in ["Иванов", "Петров", "Сидоров"].iter().enumerate() {
        bytes.extend_from_slice(format!("{name};01.0{}.2024;100,50\n", i + 1).as_bytes());
    }
    // The fourth row in Windows-1251, inside the sample the encoding is told from.
    let (cp1251, _, _) = encoding_rs::WINDOWS_1251.encode("Смирнов;05.05.2024;7,00\n");
    bytes.extend_from_slice(&cp1251);
    bytes.extend_from_slice("Иванов;06.06.2024;1,00\n".as_bytes());
    std::fs::write(&path, &bytes).unwrap();

    let imported = import(&path, &ImportOptions::default()).unwrap();
    assert!(
        imported.files[0].notes[0]
            .starts_with("encoding: UTF-8, though 1 line(s) of the first 0 KiB are not"),
        "{:?}",
        imported.files[0].notes
    );
    let ids: Vec<&str> = imported.customers.iter().map(|(id, _)| &**id).collect();
    assert_eq!(ids, ["Иванов", "Петров", "Сидоров"]);
    assert_eq!(imported.rejects.len(), 1);
    assert_eq!(imported.rejects[0].row.line, 5);
    assert!(imported.rejects[0].reason.contains("(Windows-1251?)"));
    let (rows, outcome) = stream(&path, &ImportOptions::default()).unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(outcome.rejects[0].row.line, 5);

    // And the other way round: a Windows-1251 file with one UTF-8 line.
    let mut bytes = Vec::new();
    for line in [
        "Клиент;Дата;Сумма\n",
        "Иванов;01.01.2024;100,50\n",
        "Петров;01.02.2024;10,00\n",
    ] {
        bytes.extend_from_slice(&encoding_rs::WINDOWS_1251.encode(line).0);
    }
    bytes.extend_from_slice("Сидоров;01.03.2024;5,00\n".as_bytes());
    bytes.extend_from_slice(
        &encoding_rs::WINDOWS_1251
            .encode("Петров;01.04.2024;1,00\n")
            .0,
    );
    std::fs::write(&path, &bytes).unwrap();
    let imported = import(&path, &ImportOptions::default()).unwrap();
    let ids: Vec<&str> = imported.customers.iter().map(|(id, _)| &**id).collect();
    assert_eq!(ids, ["Иванов", "Петров"]);
    assert_eq!(imported.rejects.len(), 1);
    assert_eq!(imported.rejects[0].row.line, 4);
    assert_eq!(imported.rejects[0].raw, "Сидоров;01.03.2024;5,00");
    assert!(
        imported.rejects[0]
            .reason
            .starts_with("the line is UTF-8 text, though the file is Windows-1251")
    );
}

// ---------------------------------------------------------------------------------------------
// Item 9: a line too long; UTF-16.

#[test]
fn a_fifty_megabyte_first_row_is_a_line_too_long() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.csv");
    let mut text = String::from("customer_id,order_date,amount\nC1,2024-01-01,");
    text.push_str(&"9".repeat(50 << 20));
    text.push_str("\nC2,2024-01-02,5\n");
    std::fs::write(&path, &text).unwrap();
    let e = both_fail(&path, &ImportOptions::default());
    assert!(
        matches!(
            e,
            ImportError::LineTooLong {
                line: 2,
                limit: 1_048_576,
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("line 2: the line is longer than 1048576 bytes")
    );
    // Further down the file, past the sample and across blocks.
    let mut text = csv_orders(100_000);
    text.push_str("O9,C9,2024-01-01,");
    text.push_str(&"1".repeat(3 << 20));
    text.push('\n');
    std::fs::write(&path, &text).unwrap();
    let e = both_fail(&path, &ImportOptions::default());
    assert!(
        matches!(e, ImportError::LineTooLong { line: 100_002, .. }),
        "{e}"
    );
    // A longer limit reads it (and rejects the amount).
    let options = limits(|l| l.max_line_bytes = 4 << 20);
    let imported = import(&path, &options).unwrap();
    assert_eq!(imported.files[0].accepted, 100_000);
    assert_eq!(imported.rejects[0].row.line, 100_002);
}

#[test]
fn utf16_files_are_named_and_read() {
    let dir = tempfile::tempdir().unwrap();
    // As Excel's "Unicode text" writes it: tab-separated, CRLF.
    let text = "Клиент\tДата\tСумма\r\nИванов\t01.01.2024\t100,50\r\nПетров\t02.01.2024\t7\r\nИванов\t03.02.2024\t1,25\r\n";
    let utf8 = dir.path().join("utf8.txt");
    std::fs::write(&utf8, text).unwrap();
    let expected = import(&utf8, &ImportOptions::default()).unwrap();
    let units: Vec<u16> = text.encode_utf16().collect();
    let le: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
    let be: Vec<u8> = units.iter().flat_map(|u| u.to_be_bytes()).collect();
    for (name, bom, body, note) in [
        (
            "le.txt",
            &[0xFF, 0xFE][..],
            &le,
            "encoding: UTF-16 little-endian with byte-order mark",
        ),
        (
            "be.txt",
            &[0xFE, 0xFF][..],
            &be,
            "encoding: UTF-16 big-endian with byte-order mark",
        ),
        (
            "bare.txt",
            &[][..],
            &le,
            "encoding: UTF-16 little-endian without byte-order mark",
        ),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, [bom, body.as_slice()].concat()).unwrap();
        let imported = import(&path, &ImportOptions::default()).unwrap();
        assert!(
            imported.files[0].notes[0].starts_with(note),
            "{name}: {:?}",
            imported.files[0].notes
        );
        assert_eq!(imported.customers, expected.customers, "{name}");
        assert_eq!(imported.files[0].notes[1..], expected.files[0].notes[1..]);
        let (rows, _) = stream(&path, &ImportOptions::default()).unwrap();
        assert_eq!(rows.len(), 3, "{name}");
        assert_eq!(rows[1].customer, "Петров");
        // Gzipped, too.
        let gz = dir.path().join(format!("{name}.gz"));
        gzip(&gz, &[bom, body.as_slice()].concat());
        assert_eq!(
            import(&gz, &ImportOptions::default()).unwrap().customers,
            expected.customers
        );
    }
    // A lone surrogate is refused, with where.
    let path = dir.path().join("bad.txt");
    let mut bad = vec![0xFF, 0xFE];
    bad.extend_from_slice(&le);
    bad.extend_from_slice(&[0x00, 0xD8, b'x', 0x00]);
    std::fs::write(&path, bad).unwrap();
    let e = import(&path, &ImportOptions::default()).unwrap_err();
    assert!(
        e.file_fault()
            .unwrap()
            .contains("the UTF-16 text is malformed"),
        "{e}"
    );
}

// ---------------------------------------------------------------------------------------------
// Items 4 and 7: values beyond their bounds are refused with the column.

#[test]
fn values_beyond_their_bounds_are_rejected_with_the_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    let long = "x".repeat(257);
    let name = "ж".repeat(1001);
    let lines = [
        "order_id,customer_id,order_date,product,category,quantity,price".to_string(),
        "O1,C1,2024-01-01,P,Books,2,10.00".into(),
        "O2,C1,2999-12-31,P,Books,2,10.00".into(),
        "O3,C1,+2024-+1-+1,P,Books,2,10.00".into(),
        "O4,C1,2024-01-01,P,Books,2,0.00001".into(),
        "O5,C1,2024-01-01,P,Books,1,1000000000000.01".into(),
        "O6,C1,2024-01-01,P,Books,2000000000,1.00".into(),
        "O7,C1,2024-01-01,P,Books,1000000,999999999".into(),
        "O8,C\u{1}1,2024-01-01,P,Books,1,1".into(),
        format!("O9,{long},2024-01-01,P,Books,1,1"),
        "O\u{7f}10,C1,2024-01-01,P,Books,1,1".into(),
        format!("O11,C1,2024-01-01,P,{name},1,1"),
        format!("O12,C1,2024-01-01,{name},Books,1,1"),
        "O13,C1,1899-12-31,P,Books,1,1".into(),
        "O14,C1,2024-01-01,P,Books,0.000001,0.01".into(),
    ];
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let imported = import(&path, &ImportOptions::default()).unwrap();
    assert_eq!(imported.files[0].accepted, 1);
    let got: Vec<(u64, &str, &str)> = imported
        .rejects
        .iter()
        .map(|r| (r.row.line, r.column.as_str(), r.reason.as_str()))
        .collect();
    let expected: Vec<(u64, &str, &str)> = vec![
        (
            3,
            "order_date",
            "'2999-12-31' is outside the dates accepted, 1900-01-01 to 2100-12-31",
        ),
        (
            4,
            "order_date",
            "'+2024-+1-+1' is not a date in the form YYYY-MM-DD",
        ),
        (
            5,
            "price",
            "'0.00001' is below the money unit, 0.0001: it would be rounded",
        ),
        (
            6,
            "price",
            "'1000000000000.01' is beyond the largest amount accepted, 1000000000000",
        ),
        (
            7,
            "quantity",
            "'2000000000' is beyond the largest quantity accepted, 1000000000",
        ),
        (
            8,
            "price",
            "'999999999' × 1000000 = the amount is beyond the largest amount accepted, 1000000000000",
        ),
        (
            9,
            "customer_id",
            "the customer id holds a control character (U+0001)",
        ),
        (
            10,
            "customer_id",
            "the customer id is longer than 256 characters",
        ),
        (
            11,
            "order_id",
            "the order id holds a control character (U+007F)",
        ),
        (
            12,
            "category",
            "the category is longer than 1000 characters",
        ),
        (13, "product", "the product is longer than 1000 characters"),
        (
            14,
            "order_date",
            "'1899-12-31' is outside the dates accepted, 1900-01-01 to 2100-12-31",
        ),
        (
            15,
            "price",
            "'0.01' × 0.000001 = the amount is below the money unit, 0.0001: it would be rounded",
        ),
    ];
    assert_eq!(got, expected);
    // The streamer rejects the same rows for the same reasons.
    let (rows, outcome) = stream(&path, &ImportOptions::default()).unwrap();
    assert_eq!(rows.len(), 1);
    let streamed: Vec<(u64, &str, &str)> = outcome
        .rejects
        .iter()
        .map(|r| (r.row.line, r.column.as_str(), r.reason.as_str()))
        .collect();
    assert_eq!(streamed, expected);
}

#[test]
fn amounts_that_would_overflow_a_sum_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.csv");
    // 922 lines at the bound fit in i64; 923 do not (10^16 units each).
    let write = |n: usize| {
        let mut text = String::from("customer_id,order_date,amount\n");
        for i in 0..n {
            text.push_str(&format!("C{},2024-01-01,1000000000000\n", i % 3));
        }
        std::fs::write(&path, text).unwrap();
    };
    write(922);
    let imported = import(&path, &ImportOptions::default()).unwrap();
    let revenue: i128 = imported
        .customers
        .iter()
        .map(|(_, s)| i128::from(s.revenue.units()))
        .sum();
    assert_eq!(revenue, 922 * 10_000_000_000_000_000);
    write(923);
    let e = both_fail(&path, &ImportOptions::default());
    assert!(matches!(e, ImportError::TotalTooLarge), "{e}");
}

// ---------------------------------------------------------------------------------------------
// Item 7: rows without order ids are known by their content.

#[test]
fn rows_without_order_ids_keep_their_identity_when_a_line_is_added_on_top() {
    let dir = tempfile::tempdir().unwrap();
    let body = [
        "C1,2024-01-05,Tea,10.00",
        "C2,2024-01-05,Tea,10.00",
        "C1,2024-01-05,Tea,10.00", // a second, identical purchase: its own row
        "C1,2024-01-06,Tea,10.00",
        "C1,2024-01-05,Tea,-10.00",
    ];
    let header = "customer_id,order_date,product,amount\n";
    let first = dir.path().join("january.csv");
    std::fs::write(&first, format!("{header}{}\n", body.join("\n"))).unwrap();
    let again = dir.path().join("january-again.csv");
    std::fs::write(
        &again,
        format!("{header}C3,2024-01-31,Coffee,4.00\n{}\n", body.join("\n")),
    )
    .unwrap();
    let identities = |path: &PathBuf| -> Vec<(String, Option<String>, i32, i64, u32)> {
        let (rows, _) = stream(path, &ImportOptions::default()).unwrap();
        let mut ids: Vec<_> = rows
            .into_iter()
            .map(|r| {
                (
                    r.customer,
                    r.product,
                    r.line.day.days_since_epoch(),
                    r.line.amount.units(),
                    r.occurrence,
                )
            })
            .collect();
        ids.sort();
        ids
    };
    let (first, again) = (identities(&first), identities(&again));
    // The same five identities, one new; the repeated purchase is told apart by its count.
    assert_eq!(again.len(), 6);
    let new: Vec<_> = again.iter().filter(|id| !first.contains(id)).collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].0, "C3");
    let tea: Vec<u32> = first
        .iter()
        .filter(|id| id.0 == "C1" && id.2 == first[0].2 && id.3 == 100_000)
        .map(|id| id.4)
        .collect();
    assert_eq!(tea, [0, 1]);
}
