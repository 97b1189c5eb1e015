//! Time and peak memory of each of the engine's queries on one Parquet file of order lines, to
//! see where a job's time goes (BENCHMARKS.md, "The engine"):
//!
//!     cargo run --profile engine-bench -p clientele-engine --features distributed \
//!         --example plan_times -- ORDERS.parquet [--engine ballista://HOST:PORT] [--explain] [--only QUERY]
//!
//! The peak is this process's (VmHWM, reset before each query through /proc/self/clear_refs), so
//! on a cluster it is the client's only.

use std::path::PathBuf;
use std::time::Instant;

use clientele_engine::plans;
use clientele_engine::{Engine, Session};
use datafusion::arrow::array::{Array, AsArray};

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
    let path = PathBuf::from(args.next().expect("ORDERS.parquet"));
    let mut engine = Engine::DataFusion;
    let mut explain = false;
    let mut only: Option<String> = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--engine" => engine = args.next().expect("an engine").parse().expect("an engine"),
            "--explain" => explain = true,
            "--only" => only = args.next(),
            other => panic!("unknown argument {other}"),
        }
    }
    let session = Session::open(&engine, std::slice::from_ref(&path)).unwrap();
    let as_of = clientele_engine::job::as_of_day(&session, None).unwrap();
    let queries = [
        ("counts", plans::counts(1, as_of)),
        ("categories", plans::categories(1, as_of)),
        ("summaries", plans::summaries(1, as_of)),
        ("duplicate_copies", plans::duplicate_copies(1, as_of)),
        ("fit_triples", plans::fit_triples(1, as_of, 1.0)),
        ("fit_spend", plans::fit_spend(1, as_of, 1.0)),
    ];
    for (name, sql) in queries {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        let t = Instant::now();
        let sql = if explain {
            format!("EXPLAIN ANALYZE {sql}")
        } else {
            sql
        };
        let mut rows = 0usize;
        let mut text = String::new();
        session
            .for_each_batch(&sql, |b| {
                rows += b.num_rows();
                if explain {
                    let c = b.column(b.num_columns() - 1).as_string::<i32>();
                    for i in 0..c.len() {
                        text.push_str(c.value(i));
                        text.push('\n');
                    }
                }
                Ok(())
            })
            .unwrap();
        println!(
            "{name}: {rows} rows in {:.1} s, peak {} MiB",
            t.elapsed().as_secs_f64(),
            peak_rss_mib()
        );
        if explain {
            println!("{text}");
        }
    }
}
