//! `clientele cluster scheduler|executor` (feature `distributed`): a Ballista scheduler or
//! executor that knows Clientele's functions, for `--engine ballista://HOST:PORT`.

use anyhow::Result;
use clientele_engine::cluster::{block_on, run_executor, run_scheduler};

use crate::args::distributed::ClusterCommand;

pub fn run(command: ClusterCommand) -> Result<()> {
    match command {
        ClusterCommand::Scheduler(args) => {
            let settings = args.settings();
            println!("Scheduler: ballista://{}", settings.listen);
            block_on(run_scheduler(settings))?;
        }
        ClusterCommand::Executor(args) => {
            let settings = args.settings()?;
            println!(
                "Executor: {}:{} for scheduler {}:{}",
                settings.bind_host, settings.port, settings.scheduler_host, settings.scheduler_port
            );
            block_on(run_executor(settings))?;
        }
    }
    Ok(())
}
