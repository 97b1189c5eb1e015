//! The `clientele` binary: command-line arguments in, commands run, errors mapped to exit codes.

/// `println!` that returns the write's error instead of panicking: when the reader of standard
/// output goes away (`clientele queue | head`), the command ends and `main` treats the broken
/// pipe as success, as other command-line tools do.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?
    }};
}

/// `print!` with the same handling as [`outln!`].
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        write!(std::io::stdout().lock(), $($arg)*)?
    }};
}

mod args;
mod commands;
mod output;
mod report;
mod runtime;

use std::process::ExitCode;

use clap::Parser;
use clientele_app::InvalidSetting;

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
        // With the `distributed` feature, an engine or Parquet input takes `analyze` and
        // `models score` there (commands::engine); the rest of each command is the same.
        #[cfg(feature = "distributed")]
        Command::Analyze(a)
            if a.engine.is_some() || a.orders.iter().any(|p| commands::engine::is_parquet(p)) =>
        {
            commands::engine::analyze(a)
        }
        #[cfg(feature = "distributed")]
        Command::Models(args::models::ModelsCommand::Score(s))
            if s.engine.is_some()
                || s.input
                    .orders
                    .iter()
                    .any(|p| commands::engine::is_parquet(p)) =>
        {
            commands::engine::score(s)
        }
        Command::Analyze(a) => commands::analyze::run(a),
        Command::Generate(g) => commands::generate::run(g),
        Command::Demo(d) => commands::demo::run(d),
        Command::Models(m) => commands::models::run(m),
        Command::Serve(s) => commands::serve::run(s),
        Command::Passwd(p) => commands::users::passwd(p),
        Command::Rules => {
            print!("{}", clientele_app::rules::DEFAULT_RULES_TOML);
            Ok(())
        }
        Command::Import(i) => commands::import::run(i),
        Command::Score(s) => commands::score::run(s),
        Command::Transitions(t) => commands::transitions::run(t),
        Command::Worklist(w) => commands::worklist::run(w),
        Command::Backup(b) => commands::users::backup_command(b),
        Command::Users(u) => commands::users::users(u),
        Command::Assess(a) => commands::assess::run(a),
        Command::Staff(a) => commands::staff::run(a),
        Command::Portfolio(p) => commands::portfolio::run(p),
        Command::Audit(a) => commands::audit::run(a),
        Command::Surveys(s) => commands::voice::surveys(s),
        Command::Nps(n) => commands::voice::nps(n),
        Command::Improvements(i) => commands::voice::improvements(i),
        Command::Feedback(f) => commands::feedback::run(f),
        Command::Settings(s) => commands::settings::run(s),
        Command::Contacts(c) => commands::contacts::run(c),
        Command::Calendar(c) => commands::calendar::run(c),
        Command::Winback(w) => commands::winback::run(w),
        Command::Campaign(c) => commands::campaign::run(c),
        Command::Playbook(p) => commands::queue::playbook(p),
        Command::Queue(q) => commands::queue::run(q),
        #[cfg(feature = "distributed")]
        Command::Cluster(c) => commands::cluster::run(c),
        #[cfg(feature = "distributed")]
        Command::Export(e) => commands::export::run(e),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of standard output stopped reading (`clientele models score ... | head`):
        // what it wanted was written, as other command-line tools treat it.
        Err(e) if reader_went_away(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {:#}", with_flag_names(e));
            ExitCode::from(2)
        }
    }
}

/// A setting the use case refused, named by its flag (`horizon` → `--horizon`).
fn with_flag_names(e: anyhow::Error) -> anyhow::Error {
    match e.downcast::<InvalidSetting>() {
        Ok(invalid) => anyhow::anyhow!("--{} {}", invalid.field.replace('_', "-"), invalid.message),
        Err(e) => e,
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
