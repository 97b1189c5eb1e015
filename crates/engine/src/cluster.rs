//! Starting a Ballista cluster that knows Clientele's functions: a scheduler (which decodes the
//! plans clients send, function names included) and executors (which run them). Both register
//! the same functions as the client, since a plan carries only their names.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use ballista_core::registry::BallistaFunctionRegistry;
use ballista_core::utils::default_session_builder;
use ballista_executor::executor_process::{ExecutorProcessConfig, start_executor_process};
use ballista_scheduler::cluster::BallistaCluster;
use ballista_scheduler::config::SchedulerConfig;
use ballista_scheduler::scheduler_process::start_server;
use datafusion::execution::FunctionRegistry;

use crate::EngineError;
use crate::functions::clientele_functions;

/// How long a silent executor is waited for before its tasks are run elsewhere, in seconds
/// (Ballista's default is 180: a killed executor stalls a job three minutes).
pub const EXECUTOR_TIMEOUT_SECONDS: u64 = 30;
/// How often an executor tells the scheduler it is alive, in seconds.
pub const HEARTBEAT_SECONDS: u64 = 5;

/// A scheduler's settings.
#[derive(Clone, Debug)]
pub struct SchedulerSettings {
    /// Address to listen on (gRPC for clients and executors).
    pub listen: SocketAddr,
    /// Host name executors and clients reach it by (default: the listening address).
    pub external_host: Option<String>,
    pub executor_timeout_seconds: u64,
}

/// An executor's settings.
#[derive(Clone, Debug)]
pub struct ExecutorSettings {
    /// The scheduler's host and port.
    pub scheduler_host: String,
    pub scheduler_port: u16,
    /// Address to bind; `port` serves shuffle data (Arrow Flight), `grpc_port` the scheduler's
    /// calls.
    pub bind_host: IpAddr,
    pub port: u16,
    pub grpc_port: u16,
    /// Host name other executors fetch shuffle data from (default: the bind address).
    pub external_host: Option<String>,
    /// Tasks run at once (default: every core).
    pub concurrent_tasks: Option<usize>,
    /// Where shuffle files go (default: a temporary directory).
    pub work_dir: Option<String>,
    /// Bytes of memory the executor's tasks may use before spilling (default: Ballista's share
    /// of the machine's memory).
    pub memory_limit: Option<u64>,
}

/// Runs a scheduler until the process is stopped.
pub async fn run_scheduler(settings: SchedulerSettings) -> Result<(), EngineError> {
    crate::node_log::install();
    let session_builder = Arc::new(|config| {
        let mut state = default_session_builder(config)?;
        for f in clientele_functions() {
            state.register_udf(f)?;
        }
        Ok(state)
    });
    let config = SchedulerConfig {
        bind_host: settings.listen.ip().to_string(),
        bind_port: settings.listen.port(),
        external_host: settings
            .external_host
            .unwrap_or_else(|| settings.listen.ip().to_string()),
        executor_timeout_seconds: settings.executor_timeout_seconds,
        no_executors_grace_period_seconds: settings.executor_timeout_seconds,
        expire_dead_executor_interval_seconds: 5,
        override_session_builder: Some(session_builder),
        ..SchedulerConfig::default()
    };
    let cluster = BallistaCluster::new_from_config(&config)
        .await
        .map_err(|e| EngineError::Config(format!("scheduler: {e}")))?;
    start_server(cluster, settings.listen, Arc::new(config))
        .await
        .map_err(|e| EngineError::Config(format!("scheduler on {}: {e}", settings.listen)))
}

/// The function registry executors run plans with: DataFusion's and Ballista's, and Clientele's.
pub fn executor_functions() -> BallistaFunctionRegistry {
    let mut registry = BallistaFunctionRegistry::default();
    for f in clientele_functions() {
        registry.scalar_functions.insert(f.name().to_string(), f);
    }
    registry
}

/// Runs an executor until the process is stopped or the scheduler tells it to stop.
pub async fn run_executor(settings: ExecutorSettings) -> Result<(), EngineError> {
    crate::node_log::install();
    let config = ExecutorProcessConfig {
        bind_host: settings.bind_host.to_string(),
        external_host: settings.external_host.clone(),
        port: settings.port,
        grpc_port: settings.grpc_port,
        scheduler_host: settings.scheduler_host.clone(),
        scheduler_port: settings.scheduler_port,
        scheduler_connect_timeout_seconds: 30,
        vcores: settings.concurrent_tasks.unwrap_or(0),
        work_dir: settings.work_dir.clone(),
        memory_pool_size: settings.memory_limit,
        executor_heartbeat_interval_seconds: HEARTBEAT_SECONDS,
        override_function_registry: Some(Arc::new(executor_functions())),
        ..ExecutorProcessConfig::default()
    };
    start_executor_process(Arc::new(config)).await.map_err(|e| {
        EngineError::Config(format!(
            "executor for scheduler {}:{}: {e}",
            settings.scheduler_host, settings.scheduler_port
        ))
    })
}

/// `scheduler` arguments (for the `clientele cluster scheduler` command and the
/// `clientele-cluster` binary alike).
#[derive(Debug, clap::Args)]
pub struct SchedulerArgs {
    /// Address to listen on for clients and executors.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:50050")]
    pub listen: SocketAddr,
    /// Host name clients and executors reach this scheduler by, when not the listening address.
    #[arg(long, value_name = "HOST")]
    pub external_host: Option<String>,
    /// Seconds without a heartbeat after which an executor counts as lost and its tasks run
    /// elsewhere (at least 10).
    #[arg(long, value_name = "SECONDS", default_value_t = EXECUTOR_TIMEOUT_SECONDS,
          value_parser = clap::value_parser!(u64).range(10..=86_400))]
    pub executor_timeout: u64,
}

/// `executor` arguments.
#[derive(Debug, clap::Args)]
pub struct ExecutorArgs {
    /// The scheduler: HOST:PORT.
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:50050")]
    pub scheduler: String,
    /// Address to bind.
    #[arg(long, value_name = "IP", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port serving shuffle data to other executors (Arrow Flight).
    #[arg(long, default_value_t = 50051)]
    pub port: u16,
    /// Port for the scheduler's calls.
    #[arg(long, default_value_t = 50052)]
    pub grpc_port: u16,
    /// Host name other executors fetch shuffle data from, when not the bind address.
    #[arg(long, value_name = "HOST")]
    pub external_host: Option<String>,
    /// Tasks run at once (default: one per core; at most 1024).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrent_tasks: Option<u16>,
    /// Directory for shuffle files (default: a new temporary directory).
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<String>,
    /// Memory for the tasks in MiB before they spill to disk (default: Ballista's share of the
    /// machine's memory).
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(64..=16_777_216))]
    pub memory_mib: Option<u64>,
}

impl SchedulerArgs {
    pub fn settings(&self) -> SchedulerSettings {
        SchedulerSettings {
            listen: self.listen,
            external_host: self.external_host.clone(),
            executor_timeout_seconds: self.executor_timeout,
        }
    }
}

impl ExecutorArgs {
    pub fn settings(&self) -> Result<ExecutorSettings, EngineError> {
        let bad = || {
            EngineError::Config(format!(
                "--scheduler {}: expected HOST:PORT",
                self.scheduler
            ))
        };
        let (host, port) = self.scheduler.rsplit_once(':').ok_or_else(bad)?;
        let port: u16 = port.parse().map_err(|_| bad())?;
        if host.is_empty() || port == 0 {
            return Err(bad());
        }
        if self.port == self.grpc_port {
            return Err(EngineError::Config(format!(
                "--port and --grpc-port are both {}: they need two ports",
                self.port
            )));
        }
        Ok(ExecutorSettings {
            scheduler_host: host.to_string(),
            scheduler_port: port,
            bind_host: self.bind,
            port: self.port,
            grpc_port: self.grpc_port,
            external_host: self.external_host.clone(),
            concurrent_tasks: self.concurrent_tasks.map(usize::from),
            work_dir: self.work_dir.clone(),
            memory_limit: self.memory_mib.map(|m| m << 20),
        })
    }
}

/// Runs `run` on a fresh multi-threaded runtime until it ends or the process gets Ctrl-C.
pub fn block_on(
    run: impl std::future::Future<Output = Result<(), EngineError>>,
) -> Result<(), EngineError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_stack_size(crate::engine::WORKER_STACK_BYTES)
        .build()
        .map_err(|e| EngineError::Config(format!("starting the async runtime: {e}")))?;
    runtime.block_on(run)
}
