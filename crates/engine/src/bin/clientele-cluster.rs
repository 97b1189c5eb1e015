//! `clientele-cluster scheduler|executor`: a Ballista scheduler or executor with Clientele's
//! functions, the same as `clientele cluster …` of a `clientele` built with `distributed`
//! (this one builds without the rest of Clientele, and the engine's tests start it).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use clientele_engine::cluster::{
    ExecutorArgs, SchedulerArgs, block_on, run_executor, run_scheduler,
};

/// A Ballista cluster node that runs Clientele's plans.
#[derive(Debug, Parser)]
#[command(name = "clientele-cluster", version)]
struct Cli {
    #[command(subcommand)]
    node: Node,
}

#[derive(Debug, Subcommand)]
enum Node {
    /// Plans jobs and hands their tasks to executors.
    Scheduler(SchedulerArgs),
    /// Runs tasks for a scheduler.
    Executor(ExecutorArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().node {
        Node::Scheduler(args) => {
            let settings = args.settings();
            println!("Scheduler: ballista://{}", settings.listen);
            block_on(run_scheduler(settings))
        }
        Node::Executor(args) => args.settings().and_then(|settings| {
            println!(
                "Executor: {}:{} for scheduler {}:{}",
                settings.bind_host, settings.port, settings.scheduler_host, settings.scheduler_port
            );
            block_on(run_executor(settings))
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
