//! The `clientele` binary: command-line arguments in, commands run, errors mapped to exit codes.

mod analyze;
mod args;
#[cfg(feature = "distributed")]
mod cluster;
mod db;
mod demo;
mod generate;
mod import;
mod models;
mod report;
mod rules;
mod serve;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

// Analysis of millions of customers makes millions of small allocations from several threads;
// mimalloc halves the time glibc's allocator spends on them (measured, BENCHMARKS.md). Built
// with `no_thp`: it does not ask for transparent huge pages, which kept a whole 2 MiB page
// resident for every partly used one (at 100M orders the import's peak was 1 GiB higher) and
// bought no speed that the benchmarks could see.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(a) => analyze::run(a),
        Command::Generate(g) => generate::run(g),
        Command::Demo(d) => demo::run(d),
        Command::Models(m) => models::run(m),
        Command::Serve(s) => serve::run(s),
        Command::Passwd(p) => db::passwd(p),
        Command::Rules => {
            print!("{}", rules::DEFAULT_RULES_TOML);
            Ok(())
        }
        Command::Import(i) => import::run(i),
        Command::Score(s) => db::score(s),
        Command::Transitions(t) => db::transitions(t),
        Command::Backup(b) => db::backup(b),
        Command::Users(u) => db::users(u),
        #[cfg(feature = "distributed")]
        Command::Cluster(c) => cluster::run(c),
        #[cfg(feature = "distributed")]
        Command::Export(e) => cluster::export(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of standard output stopped reading (`clientele models score ... | head`):
        // what it wanted was written, as other command-line tools treat it.
        Err(e) if reader_went_away(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Whether `e` is a broken pipe: standard output's reader closed it.
fn reader_went_away(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
