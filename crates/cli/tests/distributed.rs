//! `--engine`, `export parquet` and `cluster` of a `clientele` built with the `distributed`
//! feature: the engine's outputs against the same commands without it, byte for byte.
#![cfg(feature = "distributed")]

use std::fs;
use std::path::Path;
use std::process::Command;

fn clientele(cwd: &Path, args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_clientele"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the clientele binary runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8 output");
    let (stdout, stderr) = (text(out.stdout), text(out.stderr));
    assert!(
        out.status.success(),
        "clientele {args:?} failed:\n{stdout}\n{stderr}"
    );
    (stdout, stderr)
}

fn failing(cwd: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_clientele"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the clientele binary runs");
    assert_eq!(out.status.code(), Some(2), "clientele {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn analyze_and_score_on_the_engine_write_what_the_single_machine_writes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    clientele(
        d,
        &[
            "generate",
            "--customers",
            "3000",
            "--seed",
            "42",
            "--out",
            "orders.csv",
        ],
    );
    let (said, _) = clientele(
        d,
        &[
            "export",
            "parquet",
            "orders.csv",
            "--out",
            "orders.parquet",
            "--rejects",
            "bad.csv",
        ],
    );
    assert!(said.contains("order lines from 1 file(s)"), "{said}");
    let (plain, _) = clientele(d, &["analyze", "orders.csv", "--out", "plain"]);
    let (from_csv, _) = clientele(
        d,
        &[
            "analyze",
            "orders.csv",
            "--engine",
            "datafusion",
            "--out",
            "csv",
        ],
    );
    let (from_parquet, _) = clientele(
        d,
        &[
            "analyze",
            "orders.parquet",
            "--engine",
            "datafusion",
            "--out",
            "parquet",
        ],
    );
    let read = |p: &str| fs::read_to_string(d.join(p)).unwrap();
    let customers = read("plain/customers.csv");
    assert!(customers.lines().count() > 3000);
    assert_eq!(
        read("csv/customers.csv"),
        customers,
        "customers.csv from CSV"
    );
    assert_eq!(
        read("parquet/customers.csv"),
        customers,
        "customers.csv from Parquet"
    );
    assert_eq!(read("csv/alerts.csv"), read("plain/alerts.csv"));
    // The report from the same CSV file names it and counts its rows the same way (and names
    // its own output directory).
    assert_eq!(
        from_csv.replace("csv/rejects.csv", "plain/rejects.csv"),
        plain
    );
    // From Parquet the counts are the engine's; the ladder, the same.
    let ladder = |r: &str| {
        r.lines()
            .skip_while(|l| !l.starts_with("rung"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(ladder(&from_parquet), ladder(&plain));
    // Parquet without an engine: read on this machine through the core's own summary.
    let (local_parquet, _) = clientele(d, &["analyze", "orders.parquet", "--out", "local"]);
    assert_eq!(
        read("local/customers.csv"),
        customers,
        "customers.csv from Parquet on this machine"
    );
    assert_eq!(ladder(&local_parquet), ladder(&plain));

    for model in ["mbgnbd", "pnbd"] {
        let args = |extra: &[&'static str]| {
            let mut a = vec!["models", "score", "--model", model, "--horizon", "90"];
            a.extend_from_slice(extra);
            a
        };
        let (single, _) = clientele(d, &args(&["orders.csv", "--margin", "0.3"]));
        let (engine, _) = clientele(
            d,
            &args(&[
                "orders.parquet",
                "--margin",
                "0.3",
                "--engine",
                "datafusion",
            ]),
        );
        assert!(single.lines().count() > 3000);
        assert_eq!(engine, single, "models score --model {model}");
        let (parquet_here, _) = clientele(d, &args(&["orders.parquet", "--margin", "0.3"]));
        assert_eq!(
            parquet_here, single,
            "models score --model {model} of Parquet"
        );
    }
    let (weeks, _) = clientele(
        d,
        &[
            "models",
            "score",
            "--model",
            "bgnbd",
            "--horizon",
            "13",
            "--time-unit",
            "week",
            "orders.csv",
        ],
    );
    let (weeks_engine, _) = clientele(
        d,
        &[
            "models",
            "score",
            "--model",
            "bgnbd",
            "--horizon",
            "13",
            "--time-unit",
            "week",
            "orders.parquet",
            "--engine",
            "datafusion",
        ],
    );
    assert_eq!(weeks_engine, weeks);
}

#[test]
fn bad_engines_and_mixed_inputs_are_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(
        d.join("o.csv"),
        "customer_id,order_date,amount\nA,2024-01-01,10\n",
    )
    .unwrap();
    let e = failing(d, &["analyze", "o.csv", "--engine", "spark://x:1"]);
    assert!(
        e.contains("expected datafusion or ballista://HOST:PORT"),
        "{e}"
    );
    fs::write(d.join("o.parquet"), "not parquet").unwrap();
    let e = failing(
        d,
        &["analyze", "o.csv", "o.parquet", "--engine", "datafusion"],
    );
    assert!(e.contains("not both"), "{e}");
    let e = failing(d, &["analyze", "o.parquet", "--engine", "datafusion"]);
    assert!(e.contains("o.parquet"), "{e}");
    // The engine's time limit: at least a second, at most a week, only with an engine.
    for bad in ["0", "604801", "soon"] {
        let e = failing(
            d,
            &[
                "analyze",
                "o.csv",
                "--engine",
                "datafusion",
                "--engine-timeout",
                bad,
            ],
        );
        assert!(e.contains("--engine-timeout"), "{bad}: {e}");
    }
    let e = failing(d, &["analyze", "o.csv", "--engine-timeout", "60"]);
    assert!(e.contains("--engine"), "{e}");
    let e = failing(
        d,
        &[
            "cluster",
            "executor",
            "--port",
            "5000",
            "--grpc-port",
            "5000",
        ],
    );
    assert!(e.contains("need two ports"), "{e}");
    let e = failing(d, &["cluster", "executor", "--scheduler", "nohost"]);
    assert!(e.contains("expected HOST:PORT"), "{e}");
}

#[test]
fn models_and_the_store_export_read_parquet_as_they_read_csv() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    clientele(
        d,
        &[
            "generate",
            "--customers",
            "1500",
            "--seed",
            "11",
            "--out",
            "orders.csv",
        ],
    );
    clientele(
        d,
        &["export", "parquet", "orders.csv", "--out", "orders.parquet"],
    );
    // `models fit` and `models summary` (with and without a calibration period, which keeps
    // every purchase day's amount) from Parquet print what they print from the CSV export.
    for model in ["mbgnbd", "pnbd", "gg"] {
        let fit = |input: &str| clientele(d, &["models", "fit", "--model", model, input]).0;
        let from_csv = fit("orders.csv");
        assert!(from_csv.contains('{'), "{from_csv}");
        assert_eq!(
            fit("orders.parquet"),
            from_csv,
            "models fit --model {model}"
        );
    }
    for extra in [
        &[][..],
        &["--calibration-end", "2024-06-30", "--time-unit", "week"][..],
    ] {
        let summary = |input: &str| {
            let mut args = vec!["models", "summary", input];
            args.extend_from_slice(extra);
            clientele(d, &args).0
        };
        let from_csv = summary("orders.csv");
        assert!(from_csv.lines().count() > 1_000, "{extra:?}");
        assert_eq!(
            summary("orders.parquet"),
            from_csv,
            "models summary {extra:?}"
        );
    }
    // The store's lines, exported: the same customers as the export the store imported.
    let db = format!("sqlite://{}", d.join("s.db").display());
    clientele(d, &["import", "orders.csv", "--db", &db]);
    let (said, _) = clientele(
        d,
        &[
            "export",
            "parquet",
            "--from-store",
            "--db",
            &db,
            "--out",
            "store.parquet",
        ],
    );
    assert!(said.contains("order lines from the store"), "{said}");
    let summary = |input: &str| clientele(d, &["models", "summary", input]).0;
    assert_eq!(summary("store.parquet"), summary("orders.csv"));
    clientele(d, &["analyze", "orders.csv", "--out", "plain"]);
    clientele(d, &["analyze", "store.parquet", "--out", "stored"]);
    let read = |p: &str| fs::read_to_string(d.join(p)).unwrap();
    assert_eq!(read("stored/customers.csv"), read("plain/customers.csv"));
    // Hostile uses: files and the store at once, export-reading flags with the store, a
    // store that does not exist.
    let e = failing(
        d,
        &[
            "export",
            "parquet",
            "orders.csv",
            "--from-store",
            "--out",
            "x.parquet",
        ],
    );
    assert!(e.contains("cannot be used with"), "{e}");
    let e = failing(
        d,
        &[
            "export",
            "parquet",
            "--from-store",
            "--strict",
            "--out",
            "x.parquet",
        ],
    );
    assert!(e.contains("cannot be used with"), "{e}");
    let e = failing(
        d,
        &[
            "export",
            "parquet",
            "--from-store",
            "--db",
            "postgres://nobody@127.0.0.1:1/none",
            "--out",
            "x.parquet",
        ],
    );
    assert!(e.contains("opening the database"), "{e}");
    let empty = format!("sqlite://{}", d.join("empty.db").display());
    let e = failing(
        d,
        &[
            "export",
            "parquet",
            "--from-store",
            "--db",
            &empty,
            "--out",
            "x.parquet",
        ],
    );
    assert!(e.contains("no order lines"), "{e}");
    assert!(
        !d.join("x.parquet").exists(),
        "no half-written file is left"
    );
}
