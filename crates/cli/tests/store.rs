//! The store commands end to end: `import`, `score`, `transitions`, `backup`, `users add`, run as
//! the real binary against SQLite files and (for the agreement test) a real PostgreSQL server.

#[allow(dead_code)]
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clientele_core::Day;
use clientele_ingest::pipeline::{ImportOptions, import_orders};
use clientele_store::Store;
use clientele_synth::{SynthConfig, write_orders};
use clientele_testdb::{Backend, TestDb};
use common::run_in;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn store(url: &str) -> (tokio::runtime::Runtime, Store) {
    let rt = rt();
    let store = rt.block_on(Store::connect(url)).unwrap();
    (rt, store)
}

fn count(url: &str, table: &str) -> i64 {
    let (rt, store) = store(url);
    rt.block_on(async {
        let n = store.count(table).await.unwrap();
        store.close().await;
        n
    })
}

fn generate(dir: &Path, customers: u64, seed: u64) -> PathBuf {
    let path = dir.join(format!("orders-{customers}-{seed}.csv"));
    let file = std::fs::File::create(&path).unwrap();
    write_orders(
        &SynthConfig::new(customers, seed),
        std::io::BufWriter::new(file),
    )
    .unwrap();
    path
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("store.db").display())
}

#[test]
fn import_is_idempotent_and_keeps_rejects_aside() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("orders.csv");
    std::fs::write(
        &csv,
        "order_id,customer_id,date,amount,product\n\
         o1,c1,2024-01-05,100.50,p1\n\
         o1,c1,2024-01-05,20,p2\n\
         o1,c1,2024-01-05,20,p2\n\
         o2,c2,2024-02-30,15,p1\n\
         o3,c2,2024-03-01,-5,p1\n\
         o4,c3,2024-03-02,abc,p1\n",
    )
    .unwrap();
    let url = sqlite_url(dir.path());
    let rejects = dir.path().join("rejects.csv");
    let first = run_in(
        dir.path(),
        &[
            "import",
            "orders.csv",
            "--db",
            &url,
            "--rejects",
            "rejects.csv",
        ],
    )
    .ok();
    assert!(
        first
            .stderr
            .contains("3 lines written, 1 already stored, 2 rejected"),
        "{}",
        first.stderr
    );
    let text = std::fs::read_to_string(&rejects).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[1].starts_with("5,date,"), "{text}");
    assert!(lines[2].starts_with("7,amount,"), "{text}");
    assert_eq!(count(&url, "order_lines"), 3);
    let second = run_in(dir.path(), &["import", "orders.csv", "--db", &url]).ok();
    assert!(
        second.stderr.contains("0 lines written, 4 already stored"),
        "{}",
        second.stderr
    );
    assert_eq!(count(&url, "order_lines"), 3);
    assert_eq!(count(&url, "customers"), 2);
    // --strict refuses the file and names the first bad row; nothing is written.
    let other = sqlite_url(&dir.path().join("x"));
    std::fs::create_dir_all(dir.path().join("x")).unwrap();
    let strict = run_in(
        dir.path(),
        &["import", "orders.csv", "--db", &other, "--strict"],
    );
    assert_eq!(strict.code, Some(2));
    assert!(
        strict.stderr.contains("line 5, column 'date'"),
        "{}",
        strict.stderr
    );
    assert_eq!(count(&other, "order_lines"), 0);
    // The default database is clientele.db in the current directory; CLIENTELE_DATABASE_URL
    // overrides it.
    run_in(dir.path(), &["import", "orders.csv"]).ok();
    assert!(dir.path().join("clientele.db").exists());
    let bad = run_in(dir.path(), &["import", "orders.csv", "--db", "mysql://x"]);
    assert_eq!(bad.code, Some(2));
    assert!(
        bad.stderr.contains("expected sqlite://PATH or postgres://"),
        "{}",
        bad.stderr
    );
}

#[test]
fn kill_9_half_way_leaves_no_partial_rows() {
    let dir = tempfile::tempdir().unwrap();
    let orders = generate(dir.path(), 60_000, 7);
    let url = sqlite_url(dir.path());
    // Create the schema first, so the WAL's growth below is the import's writes.
    assert_eq!(count(&url, "order_lines"), 0);
    let wal = dir.path().join("store.db-wal");
    let wal_before = std::fs::metadata(&wal).map_or(0, |m| m.len());
    let mut child = Command::new(env!("CARGO_BIN_EXE_clientele"))
        .arg("import")
        .arg(&orders)
        .args(["--db", &url])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    // Kill once the import has written a good part of its lines into the open transaction.
    loop {
        let grown = std::fs::metadata(&wal).map_or(0, |m| m.len());
        if grown > wal_before + (4 << 20) {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed: make the file bigger"
        );
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the import wrote nothing"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(count(&url, "order_lines"), 0);
    assert_eq!(count(&url, "customers"), 0);
    assert_eq!(count(&url, "imports"), 0);
    // And the same import then completes.
    run_in(
        dir.path(),
        &["import", orders.to_str().unwrap(), "--db", &url],
    )
    .ok();
    assert!(count(&url, "order_lines") > 200_000);
}

/// Summaries as comparable rows: the categories by name (the two paths number them alike only
/// when they see the same names).
type Row = (
    u32,
    u32,
    Vec<Day>,
    i64,
    Vec<i64>,
    i64,
    i64,
    i64,
    bool,
    Vec<String>,
    Option<u64>,
);

fn row(s: &clientele_core::CustomerSummary, names: &[String]) -> Row {
    (
        s.orders,
        s.returns,
        s.days.to_vec(),
        s.first_day_amount.units(),
        s.day_amounts.iter().map(|m| m.units()).collect(),
        s.gross_sales.units(),
        s.revenue.units(),
        s.cost.units(),
        s.cost_complete,
        s.categories
            .iter()
            .map(|c| names[c.0 as usize].clone())
            .collect(),
        s.full_price_share.map(f64::to_bits),
    )
}

#[test]
fn sql_summaries_agree_with_the_file_path_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let orders = generate(dir.path(), 3_000, 11);
    // The store keeps every purchase day's amount; the file path is asked to as well.
    let options = ImportOptions {
        day_amounts: clientele_core::DayAmounts::Every,
        ..ImportOptions::default()
    };
    let file_path = import_orders(std::slice::from_ref(&orders), &options, &|_| {}).unwrap();
    let expected: BTreeMap<String, Row> = file_path
        .customers
        .iter()
        .map(|(id, s)| (id.to_string(), row(s, &file_path.categories)))
        .collect();
    assert!(expected.len() > 2_900);
    assert!(file_path.customers.iter().any(|(_, s)| s.returns > 0));
    for backend in Backend::ALL {
        let db = TestDb::new(backend);
        run_in(
            dir.path(),
            &["import", orders.to_str().unwrap(), "--db", &db.url],
        )
        .ok();
        let (rt, store) = store(&db.url);
        let stored = rt.block_on(store.summaries(file_path.as_of)).unwrap();
        let got: BTreeMap<String, Row> = stored
            .customers
            .iter()
            .map(|(id, s)| (id.to_string(), row(s, &stored.categories)))
            .collect();
        assert_eq!(got.len(), expected.len(), "{backend:?}");
        for (id, want) in &expected {
            assert_eq!(got.get(id), Some(want), "{backend:?}: customer {id}");
        }
        assert_eq!(stored.categories, file_path.categories, "{backend:?}");
        // Scoring writes one snapshot row per customer; a later as-of makes a second snapshot.
        // (`score` defaults to today since issue 23; the file's last order day is asked for.)
        let as_of = file_path.as_of.to_string();
        let scored = run_in(dir.path(), &["score", "--db", &db.url, "--as-of", &as_of]).ok();
        assert!(
            scored
                .stdout
                .contains(&format!("snapshot {}", file_path.as_of)),
            "{}",
            scored.stdout
        );
        // The snapshot carries the model's P(alive) and the status reason, the same as `analyze`
        // computes from the file (customers.csv prints P(alive) to 4 decimals).
        let snapshot = rt.block_on(store.snapshot(file_path.as_of)).unwrap();
        let out = dir.path().join(format!("analyze-{backend:?}"));
        run_in(
            dir.path(),
            &[
                "analyze",
                orders.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
        )
        .ok();
        let table = common::Table::read(&out.join("customers.csv"));
        let by_id: BTreeMap<&str, &BTreeMap<String, String>> = table
            .rows
            .iter()
            .map(|r| (r["customer_id"].as_str(), r))
            .collect();
        assert_eq!(snapshot.len(), by_id.len(), "{backend:?}");
        for row in &snapshot {
            let file = by_id[row.external_id.as_str()];
            let p = row.p_alive.expect("a buyer has P(alive)");
            let want: f64 = file["p_alive"].parse().unwrap();
            assert!(
                (p - want).abs() <= 0.5e-4 + 1e-12,
                "{backend:?} {}: {p} vs {want}",
                row.external_id
            );
            // Stored as a code, worded in English as `analyze` writes it.
            assert_eq!(
                row.status_reason.as_ref().map(|r| r.to_string()).as_deref(),
                Some(file["status_reason"].as_str())
            );
        }
        let later = file_path.as_of.plus_days(200).to_string();
        run_in(dir.path(), &["score", "--db", &db.url, "--as-of", &later]).ok();
        assert_eq!(
            rt.block_on(store.count("score_snapshots")).unwrap(),
            2 * expected.len() as i64
        );
        let t = run_in(dir.path(), &["transitions", "--db", &db.url]).ok();
        assert!(t.stdout.contains("out (lost)"), "{}", t.stdout);
        rt.block_on(store.close());
    }
}

#[test]
fn backup_restores_and_users_get_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let orders = generate(dir.path(), 500, 3);
    let url = sqlite_url(dir.path());
    run_in(
        dir.path(),
        &["import", orders.to_str().unwrap(), "--db", &url],
    )
    .ok();
    let lines = count(&url, "order_lines");
    assert!(lines > 1_000);
    run_in(dir.path(), &["backup", "copy.db", "--db", &url]).ok();
    let again = run_in(dir.path(), &["backup", "copy.db", "--db", &url]);
    assert_eq!(again.code, Some(2));
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    // Restoring is using the copy as the database.
    let restored = format!("sqlite://{}", dir.path().join("copy.db").display());
    assert_eq!(count(&restored, "order_lines"), lines);
    let summary = |u: &str| {
        let (rt, s) = store(u);
        let day = rt.block_on(s.last_order_day()).unwrap().unwrap();
        let sums = rt.block_on(s.summaries(day)).unwrap();
        sums.customers
            .iter()
            .map(|c| (c.0.clone(), c.1.revenue.units(), c.1.days.len()))
            .collect::<Vec<_>>()
    };
    assert_eq!(summary(&restored), summary(&url));

    let added = run_in(
        dir.path(),
        &["users", "add", "maria", "--role", "manager", "--db", &url],
    )
    .ok();
    let token = added.stdout.lines().last().unwrap().to_string();
    assert!(token.starts_with("clt_"), "{}", added.stdout);
    let (rt, s) = store(&url);
    let user = rt.block_on(s.user_by_token(&token)).unwrap();
    assert_eq!(user.name, "maria");
    assert_eq!(user.role, clientele_store::Role::Manager);
    let dup = run_in(
        dir.path(),
        &["users", "add", "maria", "--role", "admin", "--db", &url],
    );
    assert_eq!(dup.code, Some(2));
    assert!(dup.stderr.contains("already exists"), "{}", dup.stderr);
    let bad = run_in(
        dir.path(),
        &["users", "add", "ivan", "--role", "boss", "--db", &url],
    );
    assert!(
        bad.stderr.contains("expected admin, analyst or manager"),
        "{}",
        bad.stderr
    );
}

#[test]
fn the_currency_is_shown_set_refused_and_detected_again() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let currency = |args: &[&str]| {
        let mut all = vec!["settings", "currency"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--db", &url]);
        run_in(dir.path(), &all)
    };
    let unknown = currency(&[]);
    assert_eq!(unknown.code, Some(0), "{}", unknown.stderr);
    assert!(
        unknown.stdout.starts_with("currency: not known"),
        "{}",
        unknown.stdout
    );
    let set = currency(&["rub"]);
    assert_eq!(set.stdout.trim(), "currency: RUB (set)", "{}", set.stderr);
    assert_eq!(currency(&[]).stdout.trim(), "currency: RUB (set)");
    let refused = currency(&["roubles"]);
    assert_eq!(refused.code, Some(2));
    assert!(
        refused.stderr.contains("roubles: expected one of RUB, USD"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        currency(&[]).stdout.trim(),
        "currency: RUB (set)",
        "nothing changed"
    );
    assert!(
        currency(&["auto"])
            .stdout
            .starts_with("currency: not known")
    );
}
