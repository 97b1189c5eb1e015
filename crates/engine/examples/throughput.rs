//! Throughput of the engine's steps on one order log, for BENCHMARKS.md:
//!
//!     cargo run --release -p clientele-engine --example throughput -- ORDERS.csv \
//!         [--generate CUSTOMERS] [--engine datafusion|ballista://HOST:PORT] [--skip-single-machine [--delete-csv]]
//!
//! Times, each once after the files are in the page cache: the CSV → Parquet conversion
//! (clientele-ingest's parser), the single-machine import of the CSV and of the Parquet file
//! (the core's summaries), and on the engine the summaries, the fit inputs and the scores. Once
//! the Parquet file exists beside the CSV, the CSV is read only by the single-machine step (so
//! with `--skip-single-machine` it may be deleted).

use std::path::PathBuf;
use std::time::Instant;

use clientele_core::DayAmounts;
use clientele_engine::job;
use clientele_engine::parquet_in::import_parquet;
use clientele_engine::parquet_out::export_order_files;
use clientele_engine::plans::{MarginRule, ScoreSpec};
use clientele_engine::{Engine, Session};
use clientele_ingest::pipeline::{ImportOptions, import_orders};
use clientele_models::FitOptions;
use clientele_models::clv::{ClvOptions, per_period_rate};
use clientele_models::{TransactionKind, transaction};

fn peak_rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kb| kb >> 10)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let csv = PathBuf::from(args.next().expect("ORDERS.csv"));
    let mut engine = Engine::DataFusion;
    let mut single = true;
    let mut delete_csv = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            // Writes the order log first (what `clientele generate --seed 42` writes).
            "--generate" => {
                let customers: u64 = args.next().expect("customers").parse().expect("a count");
                let t = Instant::now();
                let out = std::io::BufWriter::with_capacity(
                    1 << 20,
                    std::fs::File::create(&csv).unwrap(),
                );
                clientele_synth::write_orders(
                    &clientele_synth::SynthConfig::new(customers, 42),
                    out,
                )
                .unwrap();
                println!(
                    "generated {} in {:.1} s",
                    csv.display(),
                    t.elapsed().as_secs_f64()
                );
            }
            "--engine" => engine = args.next().expect("an engine").parse().expect("an engine"),
            "--skip-single-machine" => single = false,
            // Frees the CSV's disk once it is in Parquet (with --skip-single-machine only).
            "--delete-csv" => delete_csv = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let parquet = csv.with_extension("parquet");
    let t = Instant::now();
    let report = if parquet.exists() {
        println!("reusing {}", parquet.display());
        None
    } else {
        Some(
            export_order_files(
                std::slice::from_ref(&csv),
                &ImportOptions::default(),
                &parquet,
            )
            .unwrap(),
        )
    };
    let lines = match &report {
        Some(r) => r.lines_written,
        None => 0,
    };
    let export = t.elapsed().as_secs_f64();
    if report.is_some() {
        let bytes = std::fs::metadata(&csv).unwrap().len();
        println!(
            "export CSV -> Parquet: {lines} lines, {:.0} MB CSV -> {:.0} MB Parquet in {export:.1} s ({:.2} M lines/s)",
            bytes as f64 / 1e6,
            std::fs::metadata(&parquet).unwrap().len() as f64 / 1e6,
            lines as f64 / export / 1e6
        );
    }
    if delete_csv {
        assert!(!single, "--delete-csv needs --skip-single-machine");
        std::fs::remove_file(&csv).unwrap();
    }
    if single {
        let t = Instant::now();
        let csv_import = import_orders(
            std::slice::from_ref(&csv),
            &ImportOptions::default(),
            &|_| {},
        )
        .unwrap();
        let s = t.elapsed().as_secs_f64();
        let rows: u64 = csv_import.files.iter().map(|f| f.rows).sum();
        println!(
            "single machine, CSV import: {} customers in {s:.1} s ({:.2} M lines/s), peak {} MiB",
            csv_import.customers.len(),
            rows as f64 / s / 1e6,
            peak_rss_mib()
        );
        drop(csv_import);
        let t = Instant::now();
        let p =
            import_parquet(std::slice::from_ref(&parquet), None, DayAmounts::FirstOnly).unwrap();
        let s = t.elapsed().as_secs_f64();
        let rows: u64 = p.files.iter().map(|f| f.rows).sum();
        println!(
            "single machine, Parquet import (core summaries): {} customers in {s:.1} s ({:.2} M lines/s), peak {} MiB",
            p.customers.len(),
            rows as f64 / s / 1e6,
            peak_rss_mib()
        );
    }
    let paths = vec![parquet];
    let session = Session::open(&engine, &paths).unwrap();
    let t = Instant::now();
    let import = job::import(&session, &paths, None).unwrap();
    let s = t.elapsed().as_secs_f64();
    let rows: u64 = import.files.iter().map(|f| f.rows).sum();
    println!(
        "{engine}: summaries of {} customers in {s:.1} s ({:.2} M lines/s), client peak {} MiB",
        import.customers.len(),
        rows as f64 / s / 1e6,
        peak_rss_mib()
    );
    let as_of = import.as_of;
    drop(import);
    let t = Instant::now();
    let inputs = job::fit_inputs(&session, as_of, 1.0).unwrap();
    println!(
        "{engine}: fit inputs ({} triples, {} spend rows) in {:.1} s",
        inputs.triples.len(),
        inputs.spend.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let options = FitOptions::default();
    let (model, _) = transaction::fit(TransactionKind::MbgNbd, &inputs.triples, &options).unwrap();
    let gg = clientele_models::gamma_gamma::fit_weighted(&inputs.spend, &options)
        .unwrap()
        .model;
    println!(
        "fits here (MBG/NBD, Gamma-Gamma): {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let spec = ScoreSpec {
        model,
        spend: Some(gg.params()),
        unit_days: 1.0,
        horizon: 365.0,
        clv: ClvOptions {
            periods: 12,
            period_length: 365.25 / 12.0,
            discount_rate: per_period_rate(0.1, 12.0),
            margin: 0.0,
        },
        margin: MarginRule::OwnElseCompany(None),
    };
    let t = Instant::now();
    let mut scored = 0usize;
    job::scores(&session, as_of, &spec, |batch| {
        scored += batch.len();
        Ok(())
    })
    .unwrap();
    let s = t.elapsed().as_secs_f64();
    println!("{engine}: scores of {scored} customers in {s:.1} s (summary included)");
}
