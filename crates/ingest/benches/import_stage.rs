//! Times the import stage alone (`import_orders`: reading, splitting, parsing, sharding, merging,
//! dedup and summaries) on an order file, and prints a digest of everything it produced so two
//! builds can be checked to give the same result on large files, not only on the test fixtures.
//!
//!     CLIENTELE_IMPORT_FILES=~/.cache/clientele-bench-data/orders-1m.csv \
//!         cargo bench -p clientele-ingest --bench import_stage
//!
//! Environment: `CLIENTELE_IMPORT_FILES` (comma-separated paths, required), `CLIENTELE_BENCH_RUNS`
//! (default 1: a later run in the same process reuses the pages the allocator kept, which a
//! fresh `clientele` process cannot, so compare builds by alternating whole processes). Each run
//! prints its wall time and the digest. The binary
//! uses mimalloc like the `clientele` binary, so the figures match the `import` figure of
//! `clientele analyze --timings` plus the id ordering that `analyze` runs beside the model fits
//! (`import_orders` does both).

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::PathBuf;
use std::time::Instant;

use clientele_ingest::pipeline::{ImportOptions, OrderImport, import_orders};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A hash of every customer summary, reject, category and file report (their `Debug` text, which
/// shows every field, floats to the last bit).
fn digest(import: &OrderImport) -> u64 {
    let mut h = DefaultHasher::new();
    for (id, summary) in &import.customers {
        id.hash(&mut h);
        format!("{summary:?}").hash(&mut h);
    }
    format!("{:?}", import.rejects).hash(&mut h);
    format!("{:?}", import.categories).hash(&mut h);
    for f in &import.files {
        format!("{f:?}").hash(&mut h);
    }
    format!(
        "{:?} {:?} {:?}",
        import.as_of, import.first_day, import.last_day
    )
    .hash(&mut h);
    h.finish()
}

fn main() {
    let Some(files) = std::env::var_os("CLIENTELE_IMPORT_FILES") else {
        eprintln!("import_stage: set CLIENTELE_IMPORT_FILES to the order file(s) to import");
        return;
    };
    let paths: Vec<PathBuf> = files
        .to_string_lossy()
        .split(',')
        .map(PathBuf::from)
        .collect();
    let runs: usize = std::env::var("CLIENTELE_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(1);
    for run in 0..runs {
        let started = Instant::now();
        let import = import_orders(&paths, &ImportOptions::default(), &|_| {})
            .unwrap_or_else(|e| panic!("importing {paths:?}: {e}"));
        let seconds = started.elapsed().as_secs_f64();
        let accepted: u64 = import.files.iter().map(|f| f.accepted).sum();
        println!(
            "run {}: import {seconds:.3} s; {} customers, {accepted} lines, {} rejects; digest {:016x}",
            run + 1,
            import.customers.len(),
            import.rejects.len(),
            digest(&import),
        );
    }
}
