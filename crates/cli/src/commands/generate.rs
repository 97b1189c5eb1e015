//! `clientele generate`: a realistic company's files from a known stochastic process.

use anyhow::Result;
use clientele_app::generate::generate_files;
use clientele_synth::SynthConfig;

use crate::args::demo::GenerateArgs;
use crate::report::group_digits;

pub fn run(args: GenerateArgs) -> Result<()> {
    let cfg = SynthConfig::new(args.customers, args.seed);
    let stats = generate_files(
        &cfg,
        &args.out,
        args.customers_out.as_deref(),
        args.truth_out.as_deref(),
    )?;
    eprintln!(
        "{}: {} customers, {} rows ({} orders, {} returns, {} dirty rows), observed {} to {}",
        args.out.display(),
        group_digits(stats.customers as i64),
        group_digits(stats.lines as i64),
        group_digits(stats.orders as i64),
        group_digits(stats.returns as i64),
        group_digits(stats.dirty.total() as i64),
        cfg.start,
        cfg.end,
    );
    Ok(())
}
