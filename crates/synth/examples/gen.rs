//! Writes a synthetic company to files: `gen CUSTOMERS ORDERS.csv [CUSTOMERS.csv [TRUTH.csv]]`.
//!
//! A stop-gap until the CLI has a `synth` command; `SEED` in the environment changes the seed.

use std::fs::File;
use std::process::ExitCode;
use std::time::Instant;

use clientele_synth::{SynthConfig, write_customers, write_orders, write_truth};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(n), Some(orders)) = (args.first(), args.get(1)) else {
        eprintln!("usage: gen CUSTOMERS ORDERS.csv [CUSTOMERS.csv [TRUTH.csv]]");
        return ExitCode::from(2);
    };
    let Ok(customers) = n.replace('_', "").parse::<u64>() else {
        eprintln!("CUSTOMERS must be a whole number, not {n:?}");
        return ExitCode::from(2);
    };
    let seed = std::env::var("SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let cfg = SynthConfig::new(customers, seed);
    match run(&cfg, orders, args.get(2), args.get(3)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    cfg: &SynthConfig,
    orders: &str,
    customers: Option<&String>,
    truth: Option<&String>,
) -> std::io::Result<()> {
    let t = Instant::now();
    let stats = write_orders(cfg, File::create(orders)?)?;
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "{orders}: {} rows in {secs:.2} s ({:.0} rows/s); {} customers, {} purchases, {} orders, \
         {} returns, dirty {:?}, revenue {}, returned {}",
        stats.lines,
        stats.lines as f64 / secs,
        stats.customers,
        stats.purchases,
        stats.orders,
        stats.returns,
        stats.dirty,
        stats.revenue,
        stats.returned,
    );
    if let Some(path) = customers {
        let t = Instant::now();
        let c = write_customers(cfg, File::create(path)?)?;
        eprintln!("{path}: {c:?} in {:.2} s", t.elapsed().as_secs_f64());
    }
    if let Some(path) = truth {
        let t = Instant::now();
        let rows = write_truth(cfg, File::create(path)?)?;
        eprintln!(
            "{path}: {rows} customers in {:.2} s",
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
