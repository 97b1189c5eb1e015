//! The `clientele` binary end to end: real CDNOW files, messy exports built in the tests, the
//! customers file, property tests over shuffled rows, the report snapshot and the rules file.
//!
//! Every expected number is either computed by hand in a comment or recomputed independently
//! from the input file in the test (simple string splitting, integer cents, our own day count).

mod common;
mod models;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::Write;
use std::path::Path;

use common::{
    Table, cents, civil_days, civil_from_days, days_of, fixture, money, path_str, run, run_in,
};
use proptest::prelude::*;
use tempfile::TempDir;

pub(crate) fn tempdir() -> TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// `analyze FILE... EXTRA... --out DIR --format json`; returns the JSON report and customers.csv.
fn analyze_json(files: &[&Path], extra: &[&str], out: &Path) -> (serde_json::Value, Table) {
    let mut args: Vec<&str> = vec!["analyze"];
    args.extend(files.iter().map(|p| path_str(p)));
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--out", path_str(out), "--format", "json"]);
    let report = run(&args).ok().json();
    (report, Table::read(&out.join("customers.csv")))
}

// ---------------------------------------------------------------------------------------------
// 1. CDNOW master, no flags.

#[test]
fn cdnow_master_without_flags() {
    let master = fixture("cdnow/CDNOW_master.txt");
    let text = fs::read_to_string(&master).unwrap();
    // Independent reading: skip the header line, split on whitespace.
    let mut records = 0u64;
    let mut pairs: BTreeSet<(String, String)> = BTreeSet::new();
    let mut dollars = 0i64;
    let mut customers: BTreeSet<String> = BTreeSet::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.is_empty() {
            continue;
        }
        assert_eq!(f.len(), 4, "{line}");
        records += 1;
        customers.insert(f[0].to_string());
        pairs.insert((f[0].to_string(), f[1].to_string()));
        dollars += cents(f[3]);
    }
    assert_eq!(records, 69_659);
    assert_eq!(customers.len(), 23_570);

    let out = tempdir();
    let (report, table) = analyze_json(&[&master], &[], out.path());
    assert_eq!(table.rows.len(), 23_570);
    assert_eq!(report["customers"], 23_570);
    assert_eq!(report["as_of"], "1998-06-30");
    let file = &report["files"][0];
    assert_eq!(file["rows"], 69_659);
    assert_eq!(file["accepted"], 69_659);
    assert_eq!(file["rejected"], 0);
    assert_eq!(file["duplicates"], 0);
    assert_eq!(report["rejected_rows"], 0);

    let purchase_days: u64 = table
        .rows
        .iter()
        .map(|r| r["purchase_days"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(purchase_days, pairs.len() as u64);
    let revenue: i64 = table.rows.iter().map(|r| cents(&r["revenue"])).sum();
    assert_eq!(revenue, dollars);
    // The ids are the file's ids, zero padding kept, one row each, ascending.
    let ids: Vec<&str> = table
        .rows
        .iter()
        .map(|r| r["customer_id"].as_str())
        .collect();
    assert_eq!(
        ids,
        customers.iter().map(String::as_str).collect::<Vec<_>>()
    );
    // Customer 00002 bought twice on 1997-01-12 (12.00 + 77.00): one purchase day of 89.00.
    let c2 = table.find("customer_id", "00002");
    assert_eq!(c2["purchase_days"], "1");
    assert_eq!(c2["revenue"], "89.00");
    assert_eq!(c2["tenure_days"], "534"); // 1997-01-12 → 1998-06-30
    assert_eq!(
        days_of("1998-06-30") - days_of("1997-01-12"),
        534,
        "the hand count above"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. CDNOW sample with --map against the published calibration summary.

pub(crate) const SAMPLE_MAP: &[&str] = &[
    "--map",
    "1=customer_id",
    "--map",
    "2=ignore",
    "--map",
    "3=date",
    "--map",
    "4=quantity",
    "--map",
    "5=amount",
];

#[test]
fn cdnow_sample_matches_the_calibration_summary() {
    let sample = fixture("cdnow/CDNOW_sample.txt");
    // sample id (column 2, as an integer) → master id (column 1).
    let mut master_of: HashMap<u32, String> = HashMap::new();
    for line in fs::read_to_string(&sample).unwrap().lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 5 {
            let prev = master_of.insert(f[1].parse().unwrap(), f[0].to_string());
            assert!(prev.is_none_or(|p| p == f[0]), "{line}");
        }
    }
    assert_eq!(master_of.len(), 2_357);

    let out = tempdir();
    let mut extra = SAMPLE_MAP.to_vec();
    extra.extend_from_slice(&["--as-of", "1997-09-30"]);
    let (report, table) = analyze_json(&[&sample], &extra, out.path());
    assert_eq!(table.rows.len(), 2_357);
    assert_eq!(report["customers"], 2_357);
    assert_eq!(report["as_of"], "1997-09-30");
    assert_eq!(report["files"][0]["rows"], 6_919);
    assert_eq!(report["files"][0]["rejected"], 0);
    let ours = table.by_customer();

    let summary = fs::read_to_string(fixture(
        "cdnow/cdnow_customers_summary_with_transactions.csv",
    ))
    .unwrap();
    let mut checked = 0;
    for line in summary.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let id: u32 = f[0].parse().unwrap();
        let x: u32 = f[1].parse().unwrap();
        let t_x: f64 = f[2].parse().unwrap();
        let big_t: f64 = f[3].parse().unwrap();
        let row = &ours[&master_of[&id]];
        assert_eq!(
            row["frequency"].parse::<u32>().unwrap(),
            x,
            "sample id {id}"
        );
        let recency: f64 = row["recency_days"].parse().unwrap();
        let tenure: f64 = row["tenure_days"].parse().unwrap();
        assert!(
            (recency / 7.0 - t_x).abs() <= 0.01,
            "sample id {id}: recency {recency} days vs t_x {t_x} weeks"
        );
        assert!(
            (tenure / 7.0 - big_t).abs() <= 0.01,
            "sample id {id}: tenure {tenure} days vs T {big_t} weeks"
        );
        checked += 1;
    }
    assert_eq!(checked, 2_357);
}

#[test]
fn cdnow_sample_without_map_asks_for_it() {
    let sample = fixture("cdnow/CDNOW_sample.txt");
    let r = run(&["analyze", path_str(&sample)]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("--map"), "{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

// ---------------------------------------------------------------------------------------------
// 3. A Windows-1251 export from a Russian accounting system.

/// The rows, by line number (the header is line 1).
const RU_ROWS: &str = "\
Номер заказа;Клиент;Дата;Сумма;Себестоимость;Категория
1001;Иванов;05.03.2024;1 250,50;800,00;Книги
1002;Иванов;05.03.2024;300,00;200,00;Игры
1003;Иванов;20.04.2024;12 345,67;10 000,00;Книги
1004;Петров;10.03.2024;2 000,00;1 500,00;Игры
1004;Петров;10.03.2024;2 000,00;1 500,00;Игры
1004;Петров;15.03.2024;-500,00;-350,00;Игры
1006;Сидорова;31.04.2024;700,00;400,00;Книги
1007;Сидорова;01.05.2024;;100,00;Книги
1008;Сидорова;02.05.2024;1 000 000,00;600 000,00;Игры
1009;Сидорова;15.06.2024;99,90;50,00;Книги
";

/// Writes `text` (LF line ends) as Windows-1251, with CRLF line ends if `crlf`.
fn write_cp1251(dir: &Path, text: &str, crlf: bool) -> std::path::PathBuf {
    let text = if crlf {
        text.replace('\n', "\r\n")
    } else {
        text.to_string()
    };
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(&text);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "really not UTF-8 any more"
    );
    let path = dir.join("заказы.csv");
    fs::write(&path, &bytes).unwrap();
    path
}

#[test]
fn windows_1251_semicolons_decimal_commas() {
    let dir = tempdir();
    let input = write_cp1251(dir.path(), RU_ROWS, true);
    let out = dir.path().join("out");
    let (report, table) = analyze_json(&[&input], &[], &out);

    // The as-of date is the last purchase day, 15.06.2024.
    assert_eq!(report["as_of"], "2024-06-15");
    let file = &report["files"][0];
    assert_eq!(file["rows"], 10); // lines 2..=11
    assert_eq!(file["rejected"], 2); // lines 8 (date) and 9 (amount)
    assert_eq!(file["duplicates"], 1); // line 6
    assert_eq!(file["accepted"], 7); // 10 − 2 − 1
    assert_eq!(file["returns"], 1); // line 7
    assert_eq!(report["rejected_rows"], 3);
    assert_eq!(table.rows.len(), 3);
    let ids: Vec<&str> = table
        .rows
        .iter()
        .map(|r| r["customer_id"].as_str())
        .collect();
    assert_eq!(ids, ["Иванов", "Петров", "Сидорова"]);

    // Иванов: 1 250,50 + 300,00 (both on 05.03) + 12 345,67 (20.04) = 13 896,17;
    // cost 800 + 200 + 10 000 = 11 000; profit 2 896,17; 2 purchase days, 3 orders.
    let c = table.find("customer_id", "Иванов");
    assert_eq!(c["revenue"], "13896.17");
    assert_eq!(c["cost"], "11000.00");
    assert_eq!(c["profit"], "2896.17");
    assert_eq!(c["purchase_days"], "2");
    assert_eq!(c["frequency"], "1");
    assert_eq!(c["orders"], "3");
    assert_eq!(c["returns"], "0");
    assert_eq!(c["first_purchase"], "2024-03-05");
    assert_eq!(c["last_purchase"], "2024-04-20");
    assert_eq!(c["recency_days"], "46"); // 26 days left of March + 20 of April
    assert_eq!(c["tenure_days"], "102"); // + 10 of April + 31 of May + 15 of June
    assert_eq!(c["categories"], "Игры|Книги"); // listed in name order

    // Петров: the sale of order 1004 once (line 6 is its duplicate), then a return of 500,00
    // (cost −350,00) carrying the same order id: revenue 1 500, cost 1 150, profit 350.
    let c = table.find("customer_id", "Петров");
    assert_eq!(c["revenue"], "1500.00");
    assert_eq!(c["cost"], "1150.00");
    assert_eq!(c["profit"], "350.00");
    assert_eq!(c["purchase_days"], "1");
    assert_eq!(c["orders"], "1");
    assert_eq!(c["returns"], "1");

    // Сидорова: lines 8 and 9 rejected; 1 000 000,00 (02.05) + 99,90 (15.06) = 1 000 099,90;
    // cost 600 000 + 50 = 600 050; profit 400 049,90; 2 purchase days, 2 orders.
    let c = table.find("customer_id", "Сидорова");
    assert_eq!(c["revenue"], "1000099.90");
    assert_eq!(c["cost"], "600050.00");
    assert_eq!(c["profit"], "400049.90");
    assert_eq!(c["purchase_days"], "2");
    assert_eq!(c["orders"], "2");
    assert_eq!(c["returns"], "0");

    let rejects = Table::read(&out.join("rejects.csv"));
    assert_eq!(rejects.header, ["line", "column", "reason", "raw", "file"]);
    let lines: Vec<&str> = rejects.rows.iter().map(|r| r["line"].as_str()).collect();
    assert_eq!(lines, ["6", "8", "9"]);
    let dup = &rejects.rows[0];
    assert!(dup["reason"].contains("duplicate"), "{dup:?}");
    assert!(dup["reason"].contains("line 5"), "{dup:?}");
    // Read back from the Windows-1251 file (the parallel readers do not keep accepted lines).
    assert_eq!(dup["raw"], "1004;Петров;10.03.2024;2 000,00;1 500,00;Игры");
    let date = &rejects.rows[1];
    assert_eq!(date["column"], "Дата");
    assert!(date["reason"].contains("31.04.2024"), "{date:?}");
    assert_eq!(date["raw"], "1006;Сидорова;31.04.2024;700,00;400,00;Книги");
    let amount = &rejects.rows[2];
    assert_eq!(amount["column"], "Сумма");
    assert!(amount["reason"].contains("empty"), "{amount:?}");
    assert_eq!(amount["raw"], "1007;Сидорова;01.05.2024;;100,00;Книги");
    for r in &rejects.rows {
        assert_eq!(r["file"], path_str(&input));
    }

    // --strict refuses the whole import and names the first bad line.
    let strict = run(&["analyze", path_str(&input), "--strict"]);
    assert_eq!(strict.code, Some(2), "{strict:?}");
    assert!(strict.stderr.contains("line 6"), "{}", strict.stderr);
    assert!(strict.stderr.contains("--strict"), "{}", strict.stderr);
    assert!(strict.stdout.is_empty());
    // Without the duplicate, the first bad line is the impossible date.
    let no_dup: String = RU_ROWS
        .lines()
        .enumerate()
        .filter(|&(i, _)| i != 5)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    let dir2 = tempdir();
    let input2 = write_cp1251(dir2.path(), &no_dup, false);
    let strict = run(&["analyze", path_str(&input2), "--strict"]);
    assert_eq!(strict.code, Some(2), "{strict:?}");
    assert!(strict.stderr.contains("line 7"), "{}", strict.stderr);
    assert!(strict.stderr.contains("31.04.2024"), "{}", strict.stderr);
}

#[test]
fn windows_1251_duplicate_raw_text_is_decoded() {
    let dir = tempdir();
    let input = write_cp1251(dir.path(), RU_ROWS, false);
    let out = dir.path().join("out");
    analyze_json(&[&input], &[], &out);
    let rejects = Table::read(&out.join("rejects.csv"));
    let dup = rejects.find("line", "6");
    assert_eq!(dup["raw"], "1004;Петров;10.03.2024;2 000,00;1 500,00;Игры");
}

#[test]
fn crlf_rejects_name_the_right_line() {
    let dir = tempdir();
    let input = write_cp1251(dir.path(), RU_ROWS, true);
    let out = dir.path().join("out");
    analyze_json(&[&input], &[], &out);
    let rejects = Table::read(&out.join("rejects.csv"));
    let lines: Vec<&str> = rejects.rows.iter().map(|r| r["line"].as_str()).collect();
    assert_eq!(lines, ["6", "8", "9"]);
    assert_eq!(
        rejects.find("line", "8")["raw"],
        "1006;Сидорова;31.04.2024;700,00;400,00;Книги"
    );
    let strict = run(&["analyze", path_str(&input), "--strict"]);
    assert!(strict.stderr.contains("line 6,"), "{}", strict.stderr);
}

// ---------------------------------------------------------------------------------------------
// 4. An Excel workbook gives the same customers as the equivalent CSV.

/// (order id, customer id, (y, m, d), amount)
type XlsxRow = (&'static str, &'static str, (u16, u8, u8), f64);
const XLSX_ROWS: &[XlsxRow] = &[
    ("A-1", "007", (2024, 1, 15), 19.99),
    ("A-2", "007", (2024, 2, 29), 250.5),
    ("A-3", "C-12", (2024, 2, 1), 1200.0),
    ("A-4", "007", (2024, 4, 2), 7.25),
    ("A-5", "C-12", (2024, 2, 1), 30.0),
    ("A-6", "X", (2024, 4, 30), 99.99),
];

#[test]
fn xlsx_equals_csv() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let dir = tempdir();
    let xlsx = dir.path().join("orders.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date_fmt = Format::new().set_num_format("dd.mm.yyyy");
    for (c, h) in ["order_id", "customer_id", "date", "amount"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let mut csv_text = String::from("order_id,customer_id,date,amount\n");
    for (i, &(order, customer, (y, m, d), amount)) in XLSX_ROWS.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, order).unwrap();
        ws.write_string(r, 1, customer).unwrap();
        let date = ExcelDateTime::from_ymd(y, m, d).unwrap();
        ws.write_datetime_with_format(r, 2, &date, &date_fmt)
            .unwrap();
        ws.write_number(r, 3, amount).unwrap();
        csv_text.push_str(&format!(
            "{order},{customer},{y}-{m:02}-{d:02},{amount:.2}\n"
        ));
    }
    wb.save(&xlsx).unwrap();
    let csv_path = dir.path().join("orders.csv");
    fs::write(&csv_path, &csv_text).unwrap();

    let (xr, xt) = analyze_json(&[&xlsx], &[], &dir.path().join("x"));
    let (cr, ct) = analyze_json(&[&csv_path], &[], &dir.path().join("c"));
    assert_eq!(xr["files"][0]["accepted"], 6);
    assert_eq!(xr["files"][0]["rejected"], 0);
    assert_eq!(xr["as_of"], "2024-04-30");
    assert_eq!(cr["as_of"], "2024-04-30");
    assert_eq!(
        fs::read(dir.path().join("x/customers.csv")).unwrap(),
        fs::read(dir.path().join("c/customers.csv")).unwrap()
    );
    // And the numbers are right, not just equal: "007" stays text with its zeros;
    // 19.99 + 250.50 + 7.25 = 277.74 over 3 days; C-12 bought twice on 2024-02-01: 1 230.00.
    assert_eq!(xt.rows.len(), 3);
    let c = xt.find("customer_id", "007");
    assert_eq!(c["revenue"], "277.74");
    assert_eq!(c["purchase_days"], "3");
    assert_eq!(c["first_purchase"], "2024-01-15");
    assert_eq!(c["last_purchase"], "2024-04-02");
    assert_eq!(c["recency_days"], "78"); // 16 (Jan) + 29 (Feb, leap) + 31 (Mar) + 2
    let c = xt.find("customer_id", "C-12");
    assert_eq!(c["revenue"], "1230.00");
    assert_eq!(c["purchase_days"], "1");
    assert_eq!(c["orders"], "2");
    assert_eq!(c["tenure_days"], "89"); // 2024-02-01 → 2024-04-30: 28 + 31 + 30
    assert_eq!(ct.rows.len(), 3);
}

// ---------------------------------------------------------------------------------------------
// 5. gzip.

#[test]
fn gzip_gives_identical_customers() {
    use flate2::{Compression, write::GzEncoder};
    let dir = tempdir();
    let plain = fixture("cdnow/CDNOW_sample.txt");
    let gz = dir.path().join("CDNOW_sample.txt.gz");
    let mut enc = GzEncoder::new(fs::File::create(&gz).unwrap(), Compression::default());
    enc.write_all(&fs::read(&plain).unwrap()).unwrap();
    enc.finish().unwrap();
    assert_eq!(&fs::read(&gz).unwrap()[..2], b"\x1f\x8b");

    let (pr, pt) = analyze_json(&[&plain], SAMPLE_MAP, &dir.path().join("p"));
    let (gr, _) = analyze_json(&[&gz], SAMPLE_MAP, &dir.path().join("g"));
    assert_eq!(pt.rows.len(), 2_357);
    assert_eq!(gr["files"][0]["rows"], 6_919);
    assert_eq!(gr["files"][0]["rows"], pr["files"][0]["rows"]);
    assert_eq!(
        fs::read(dir.path().join("g/customers.csv")).unwrap(),
        fs::read(dir.path().join("p/customers.csv")).unwrap()
    );
}

// ---------------------------------------------------------------------------------------------
// 6. --as-of.

#[test]
fn as_of_ignores_later_orders_and_measures_tenure_to_it() {
    let dir = tempdir();
    let input = dir.path().join("orders.csv");
    fs::write(
        &input,
        "order_id,customer_id,date,amount\n\
         1,A,2024-01-10,100.00\n\
         2,A,2024-02-10,50.00\n\
         3,A,2024-03-20,70.00\n\
         4,B,2024-02-01,30.00\n\
         5,B,2024-03-25,40.00\n\
         6,C,2024-03-30,10.00\n",
    )
    .unwrap();
    let (report, table) =
        analyze_json(&[&input], &["--as-of", "01.03.2024"], &dir.path().join("o"));
    assert_eq!(report["as_of"], "2024-03-01");
    let file = &report["files"][0];
    assert_eq!(file["rows"], 6);
    assert_eq!(file["after_as_of"], 3); // orders 3, 5 and 6
    assert_eq!(file["accepted"], 3);
    assert_eq!(file["rejected"], 0);
    // C bought only after the as-of date: not a customer yet.
    assert_eq!(table.rows.len(), 2);
    let a = table.find("customer_id", "A");
    assert_eq!(a["revenue"], "150.00");
    assert_eq!(a["purchase_days"], "2");
    assert_eq!(a["recency_days"], "31"); // Jan 10 → Feb 10
    assert_eq!(a["tenure_days"], "51"); // + 19 days to Feb 29 (leap year) + 1
    assert_eq!(a["days_since_last"], "20");
    assert_eq!(
        days_of("2024-03-01") - days_of("2024-01-10"),
        51,
        "the hand count above"
    );
    let b = table.find("customer_id", "B");
    assert_eq!(b["revenue"], "30.00");
    assert_eq!(b["tenure_days"], "29"); // Feb 1 → Mar 1, 2024

    // Without --as-of the state is the last order day's: everything counts.
    let (report, table) = analyze_json(&[&input], &[], &dir.path().join("all"));
    assert_eq!(report["as_of"], "2024-03-30");
    assert_eq!(report["files"][0]["after_as_of"], 0);
    assert_eq!(table.rows.len(), 3);
    assert_eq!(table.find("customer_id", "A")["tenure_days"], "80"); // 51 + 29
}

// ---------------------------------------------------------------------------------------------
// 7. The customers file: prospects, visitors, advocates, referrals, image clients.

#[test]
fn customers_file_rungs_and_referrals() {
    let dir = tempdir();
    let orders = dir.path().join("orders.csv");
    // PROMO and REF buy on 3 days in 3 months: regulars, advocates by their signals.
    // PLAIN likewise but a passive NPS (7): a regular. N1 and N2 were referred by REF,
    // N3 by NEWBIE, who bought once. IMG is an image client with 2 purchase days.
    fs::write(
        &orders,
        "order_id,customer_id,date,amount\n\
         1,PROMO,2024-01-05,100.00\n\
         2,PROMO,2024-02-05,100.00\n\
         3,PROMO,2024-03-05,100.00\n\
         4,REF,2024-01-10,10.00\n\
         5,REF,2024-02-10,20.00\n\
         6,REF,2024-03-10,30.00\n\
         7,PLAIN,2024-01-15,5.00\n\
         8,PLAIN,2024-02-15,5.00\n\
         9,PLAIN,2024-03-15,5.00\n\
         10,N1,2024-03-01,40.00\n\
         11,N2,2024-03-02,60.50\n\
         12,N2,2024-03-02,-0.50\n\
         13,NEWBIE,2024-03-03,8.00\n\
         14,N3,2024-03-20,12.00\n\
         15,IMG,2024-02-20,500.00\n\
         16,IMG,2024-03-31,700.00\n",
    )
    .unwrap();
    let customers = dir.path().join("customers.csv");
    fs::write(
        &customers,
        "customer_id,name,nps,referred_by,image_client,last_touch\n\
         PROSPECT,Prospect,,,,\n\
         VISITOR,Visitor,,,,2024-03-28\n\
         PROMO,Promoter,10,,,\n\
         REF,Referrer,,,,\n\
         PLAIN,Passive,7,,,\n\
         N1,Friend one,,REF,,\n\
         N2,Friend two,,REF,,\n\
         N3,Friend three,,NEWBIE,,\n\
         IMG,Star,,,yes,\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let (report, table) = analyze_json(&[&orders], &["--customers", path_str(&customers)], &out);
    assert_eq!(report["rejected_rows"], 0);
    assert_eq!(report["as_of"], "2024-03-31");
    // 8 buyers + the prospect + the visitor.
    assert_eq!(table.rows.len(), 10);
    assert_eq!(report["customers"], 10);
    let row = |id: &str| table.find("customer_id", id).clone();

    let p = row("PROSPECT");
    assert_eq!(p["rung"], "prospect");
    assert_eq!(
        p["rung_reason"],
        "known contact, no purchase and no recorded touch"
    );
    assert_eq!(p["purchase_days"], "");
    assert_eq!(p["revenue"], "");

    let v = row("VISITOR");
    assert_eq!(v["rung"], "visitor");
    assert_eq!(
        v["rung_reason"],
        "touched us (last on 2024-03-28) but has not bought"
    );

    let promo = row("PROMO");
    assert_eq!(promo["rung"], "advocate");
    assert_eq!(
        promo["rung_reason"],
        "regular (3 purchase days) and an NPS promoter (10/10)"
    );
    assert_eq!(promo["nps"], "10");

    // REF referred N1 (40.00) and N2 (60.50 − 0.50 = 60.00): 2 referrals worth 100.00.
    let r = row("REF");
    assert_eq!(r["rung"], "advocate");
    assert_eq!(
        r["rung_reason"],
        "regular (3 purchase days) who referred 2 customer(s)"
    );
    assert_eq!(r["referrals"], "2");
    assert_eq!(r["referred_revenue"], "100.00");

    let plain = row("PLAIN");
    assert_eq!(plain["rung"], "regular");
    assert_eq!(plain["rung_reason"], "3 purchase days over 3 months");
    assert_eq!(plain["nps"], "7");
    assert_eq!(plain["referrals"], "0");
    assert_eq!(plain["referred_revenue"], "");

    // A referrer who bought once is still a newcomer: referrals only lift regulars.
    let newbie = row("NEWBIE");
    assert_eq!(newbie["rung"], "newcomer");
    assert_eq!(newbie["rung_reason"], "first purchase");
    assert_eq!(newbie["referrals"], "1");
    assert_eq!(newbie["referred_revenue"], "12.00");

    let n2 = row("N2");
    assert_eq!(n2["rung"], "newcomer");
    assert_eq!(n2["revenue"], "60.00");
    assert_eq!(n2["returns"], "1");

    let img = row("IMG");
    assert_eq!(img["image_client"], "true");
    assert_eq!(img["rung"], "newcomer");
    assert_eq!(img["rung_reason"], "2 purchase days in this turn");
    assert_eq!(img["revenue"], "1200.00");
    for id in ["PROMO", "REF", "PLAIN", "N1", "PROSPECT"] {
        assert_eq!(row(id)["image_client"], "false", "{id}");
    }

    assert_eq!(report["image_clients"]["customers"], 1);
    assert_eq!(report["image_clients"]["revenue"], 1200.0);
    // Referred customers: N1 (40.00), N2 (60.00), N3 (12.00).
    assert_eq!(report["referred_customers"]["customers"], 3);
    assert_eq!(report["referred_customers"]["revenue"], 112.0);
    let rung_count = |name: &str| {
        report["ladder"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rung"] == name)
            .unwrap_or_else(|| panic!("no rung {name}"))["total"]["customers"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(rung_count("prospect"), 1);
    assert_eq!(rung_count("visitor"), 1);
    assert_eq!(rung_count("newcomer"), 5); // N1, N2, N3, NEWBIE, IMG
    assert_eq!(rung_count("regular"), 1); // PLAIN
    assert_eq!(rung_count("advocate"), 2); // PROMO, REF
}

// ---------------------------------------------------------------------------------------------
// 8. Property tests: row order does not matter, and no money is lost.

#[derive(Clone, Debug)]
struct Row {
    customer: u8,
    day: u8,
    cents: i64,
}

fn order_csv(rows: &[Row]) -> (String, i64) {
    let mut text = String::from("order_id,customer_id,date,amount\n");
    let mut total = 0;
    for (i, r) in rows.iter().enumerate() {
        // 2024-01-01 plus r.day days.
        let (y, m, d) = civil_from_days(civil_days(2024, 1, 1) + i64::from(r.day));
        text.push_str(&format!(
            "{},c{},{y}-{m:02}-{d:02},{}\n",
            i + 1,
            r.customer,
            money(r.cents)
        ));
        total += r.cents;
    }
    (text, total)
}

fn rows_strategy() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (0u8..6, 0u8..90, -5_000i64..100_000).prop_map(|(customer, day, cents)| Row {
            customer,
            day,
            cents,
        }),
        1..40,
    )
}

fn analyze_text(dir: &Path, name: &str, text: &str) -> (Vec<u8>, Table) {
    let input = dir.join(format!("{name}.csv"));
    fs::write(&input, text).unwrap();
    let out = dir.join(name);
    let r = run(&[
        "analyze",
        path_str(&input),
        "--out",
        path_str(&out),
        "--format",
        "json",
    ])
    .ok();
    let report = r.json();
    assert_eq!(report["rejected_rows"], 0, "{text}");
    let bytes = fs::read(out.join("customers.csv")).unwrap();
    (bytes, Table::read(&out.join("customers.csv")))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn shuffled_rows_give_identical_customers(
        (rows, order) in rows_strategy()
            .prop_map(|mut rows| {
                // At least one purchase, on the last day, so that the data's as-of date is on
                // or after every row (see `return_after_last_purchase_day_is_not_lost`).
                let last = rows.iter().map(|r| r.day).max().unwrap_or(0);
                rows[0].cents = rows[0].cents.abs() + 1;
                rows[0].day = last;
                rows
            })
            .prop_flat_map(|rows| {
                let n = rows.len();
                (Just(rows), Just((0..n).collect::<Vec<usize>>()).prop_shuffle())
            })
    ) {
        let dir = tempdir();
        let (text, total) = order_csv(&rows);
        let lines: Vec<&str> = text.lines().collect();
        // The header stays first; the rows (with their order ids) come in a shuffled order.
        let mut shuffled = format!("{}\n", lines[0]);
        for &i in &order {
            shuffled.push_str(lines[i + 1]);
            shuffled.push('\n');
        }
        // And grouped by customer, as many exports list them: each customer's rows one after
        // another (the importer skips the lookup for a row of the previous row's customer).
        let mut grouped_order: Vec<usize> = (0..rows.len()).collect();
        grouped_order.sort_by_key(|&i| rows[i].customer);
        let mut grouped = format!("{}\n", lines[0]);
        for &i in &grouped_order {
            grouped.push_str(lines[i + 1]);
            grouped.push('\n');
        }
        let (a, table) = analyze_text(dir.path(), "a", &text);
        let (b, _) = analyze_text(dir.path(), "b", &shuffled);
        let (c, _) = analyze_text(dir.path(), "c", &grouped);
        prop_assert!(
            a == b,
            "customers.csv differs after shuffling:\n{}\n---\n{}",
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&b)
        );
        prop_assert!(
            a == c,
            "customers.csv differs with rows grouped by customer:\n{}\n---\n{}",
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&c)
        );

        // No money is lost: the customers' revenue adds up to every amount in the file.
        let revenue: i64 = table.rows.iter().map(|r| cents(&r["revenue"])).sum();
        prop_assert_eq!(revenue, total);
        // Purchase days: distinct (customer, day) among purchases (amount ≥ 0).
        let pairs: BTreeSet<(u8, u8)> = rows
            .iter()
            .filter(|r| r.cents >= 0)
            .map(|r| (r.customer, r.day))
            .collect();
        let days: usize = table
            .rows
            .iter()
            .map(|r| r["purchase_days"].parse::<usize>().unwrap_or(0))
            .sum();
        prop_assert_eq!(days, pairs.len());
        let customers: BTreeSet<u8> = rows.iter().map(|r| r.customer).collect();
        prop_assert_eq!(table.rows.len(), customers.len());
    }
}

#[test]
fn return_after_last_purchase_day_is_not_lost() {
    let dir = tempdir();
    // The last purchase is on 2024-01-10; the return of 5.00 comes on 2024-01-20.
    let text = "order_id,customer_id,date,amount\n\
                1,A,2024-01-01,20.00\n\
                2,B,2024-01-10,30.00\n\
                3,A,2024-01-20,-5.00\n";
    let (_, table) = analyze_text(dir.path(), "r", text);
    let total: i64 = table.rows.iter().map(|r| cents(&r["revenue"])).sum();
    assert_eq!(total, 2_000 + 3_000 - 500);
    assert_eq!(table.find("customer_id", "A")["revenue"], "15.00");
}

#[test]
fn fields_with_commas_and_quotes_are_quoted_in_customers_csv() {
    let dir = tempdir();
    // A category with a comma and quotes, and an id with a comma: customers.csv quotes both
    // fields (quotes doubled), so a CSV reader gets the text back as it was.
    let text = "order_id,customer_id,date,amount,category\n\
                1,\"Smith, J.\",2024-01-01,20.00,\"Books, \"\"rare\"\" editions\"\n\
                2,\"Smith, J.\",2024-01-10,30.00,Toys\n\
                3,B,2024-01-10,30.00,Toys\n";
    let (bytes, table) = analyze_text(dir.path(), "q", text);
    let smith = table.find("customer_id", "Smith, J.");
    assert_eq!(smith["categories"], "Books, \"rare\" editions|Toys");
    assert_eq!(table.find("customer_id", "B")["categories"], "Toys");
    let written = String::from_utf8(bytes).unwrap();
    assert!(
        written.contains("\"Books, \"\"rare\"\" editions|Toys\""),
        "{written}"
    );
}

// ---------------------------------------------------------------------------------------------
// 9. The text report, against a snapshot.

fn generate(dir: &Path) {
    run_in(
        dir,
        &[
            "generate",
            "--customers",
            "300",
            "--seed",
            "7",
            "--out",
            "orders.csv",
            "--customers-out",
            "customers.csv",
        ],
    )
    .ok();
}

#[test]
fn text_report_snapshot() {
    let dir = tempdir();
    generate(dir.path());
    let r = run_in(
        dir.path(),
        &["analyze", "orders.csv", "--customers", "customers.csv"],
    )
    .ok();
    let snapshot = common::crate_dir().join("tests/snapshots/report.txt");
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        fs::create_dir_all(snapshot.parent().unwrap()).unwrap();
        fs::write(&snapshot, &r.stdout).unwrap();
    }
    let expected = fs::read_to_string(&snapshot)
        .expect("tests/snapshots/report.txt (run with UPDATE_SNAPSHOTS=1 to create it)");
    assert!(
        !r.stdout.contains(path_str(dir.path())),
        "the report names the temporary directory"
    );
    assert_eq!(
        r.stdout, expected,
        "the text report changed; if intended, run with UPDATE_SNAPSHOTS=1"
    );
}

// ---------------------------------------------------------------------------------------------
// 10. The rules file.

#[test]
fn printed_rules_round_trip_and_unknown_keys_fail() {
    let dir = tempdir();
    generate(dir.path());
    let rules = run(&["rules"]).ok().stdout;
    assert!(rules.contains("[ladder]"), "{rules}");
    fs::write(dir.path().join("rules.toml"), &rules).unwrap();

    let analyze = |extra: &[&str], out: &str| {
        let mut args = vec![
            "analyze",
            "orders.csv",
            "--customers",
            "customers.csv",
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        let r = run_in(dir.path(), &args).ok();
        let csv = fs::read(dir.path().join(out).join("customers.csv")).unwrap();
        (r.stdout, csv)
    };
    let (plain_report, plain_csv) = analyze(&[], "plain");
    let (rules_report, rules_csv) = analyze(&["--rules", "rules.toml"], "rules");
    // The reports differ only in the output directory they point to.
    assert_eq!(
        rules_report.replace("rules/rejects.csv", "plain/rejects.csv"),
        plain_report
    );
    assert_eq!(rules_csv, plain_csv);

    // The file is really read: one purchase day fewer for a regular changes the ladder.
    let changed = rules.replace(
        "regular_min_purchase_days = 3",
        "regular_min_purchase_days = 2",
    );
    assert_ne!(changed, rules);
    fs::write(dir.path().join("changed.toml"), &changed).unwrap();
    let (_, changed_csv) = analyze(&["--rules", "changed.toml"], "changed");
    assert_ne!(changed_csv, plain_csv);

    fs::write(
        dir.path().join("bad.toml"),
        "[ladder]\nregular_min_purchase_days = 3\nregular_days = 3\n",
    )
    .unwrap();
    let r = run_in(
        dir.path(),
        &["analyze", "orders.csv", "--rules", "bad.toml"],
    );
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("regular_days"), "{}", r.stderr);
    assert!(r.stderr.contains("bad.toml"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

// ---------------------------------------------------------------------------------------------
// A Shopify orders export: order-level columns (Total, Discount Amount) on the first line of an
// order only, one row per line item.

#[test]
fn shopify_multi_line_orders_count_every_line() {
    let csv = "\
Name,Email,Financial Status,Subtotal,Total,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Billing Name
#1001,Anna@Example.com,paid,130.00,140.00,0.00,2024-03-01 10:15:00 +0300,2,Tea,40.00,40.00,Anna
#1001,anna@example.com,,,,,2024-03-01 10:15:00 +0300,1,Cup,50.00,60.00,
#1002,boris@example.com,paid,15.50,15.50,0.00,2024-03-05 09:00:00 +0300,1,Honey,15.50,,Boris
#1003,anna@example.com,paid,40.00,45.00,0.00,2024-04-10 12:00:00 +0300,1,Tea,40.00,40.00,Anna
";
    let dir = tempdir();
    let file = dir.path().join("orders_export.csv");
    fs::write(&file, csv).unwrap();
    let (report, table) = analyze_json(&[&file], &["--model", "none"], &dir.path().join("out"));
    let f = &report["files"][0];
    assert_eq!(f["rows"], 4);
    assert_eq!(f["accepted"], 4, "{report}");
    assert_eq!(f["rejected"], 0);
    let row = |id: &str| {
        table
            .rows
            .iter()
            .find(|r| r["customer_id"] == id)
            .unwrap()
            .clone()
    };
    // Anna (e-mail normalised to lower case): 2 × 40 + 1 × 50 on 1 March, 40 on 10 April; the
    // order totals (140, 45) include shipping and are not sales.
    let anna = row("anna@example.com");
    assert_eq!(anna["revenue"], "170.00");
    assert_eq!(anna["orders"], "2");
    assert_eq!(anna["purchase_days"], "2");
    // The cup sold below its compare-at price: 2 of 3 lines at full price.
    assert_eq!(anna["full_price_share"], "0.6667");
    let boris = row("boris@example.com");
    assert_eq!(boris["revenue"], "15.50");
}

/// Issue 24 items 5 and 10: with no cost column the text report shows no profit (it would only
/// repeat revenue) and says why; it states how the file was read, as the JSON does; it says
/// "lost customers brought X" only when some are lost and brought revenue.
#[test]
fn text_report_without_costs_shows_no_profit_and_states_the_format() {
    let dir = tempdir();
    // a: bought 2024-01-10 and 2024-01-20 (10.50 + 4.50); b: once on 2024-01-15 (7.25). As of
    // 2024-02-01 nobody is lost (the default limit is 365 days of silence).
    let input = dir.path().join("orders.csv");
    fs::write(
        &input,
        "customer;date;amount\na;10.01.2024;10,50\nb;15.01.2024;7,25\na;20.01.2024;4,50\n",
    )
    .unwrap();
    let r = run(&["analyze", path_str(&input), "--as-of", "2024-02-01"]).ok();
    let text = &r.stdout;
    assert!(
        text.contains("No order line has a cost: profit is not shown"),
        "{text}"
    );
    let header = text
        .lines()
        .find(|l| l.starts_with("rung (strategy)"))
        .unwrap();
    assert!(!header.contains("profit"), "{header}");
    assert!(!text.contains("by profit"), "{text}");
    assert!(text.contains("No customer is lost."), "{text}");
    assert!(!text.contains("take 0"), "{text}");
    // The format, as detected: the same sentences as the JSON report's `format`.
    let json = run(&[
        "analyze",
        path_str(&input),
        "--as-of",
        "2024-02-01",
        "--format",
        "json",
    ])
    .ok()
    .json();
    let format: Vec<&str> = json["files"][0]["format"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        format.iter().any(|n| n.starts_with("separator: ';'")),
        "{format:?}"
    );
    assert!(
        format.iter().any(|n| n.starts_with("decimal mark: ','")),
        "{format:?}"
    );
    for note in &format {
        assert!(
            text.contains(&format!("  {note}\n")),
            "{note} missing in\n{text}"
        );
    }
    assert_eq!(json["cost_known"], false);
    // Revenue is 22.25 in all: a's 15.00 and b's 7.25.
    let all = text.lines().find(|l| l.starts_with("all ")).unwrap();
    assert!(
        all.contains(" 22 ") || all.split_whitespace().nth(3) == Some("22"),
        "{all}"
    );
}
