//! Where the plans run: DataFusion in this process, or a Ballista cluster, behind one
//! synchronous interface for the command line.

use std::cell::OnceCell;
use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use ballista::extension::{SessionConfigExt, SessionContextExt};
use ballista_core::execution_plans::DistributedQueryExec;
use ballista_core::serde::protobuf::CancelJobParams;
use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::SessionStateBuilder;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::physical_plan::{ExecutionPlan, execute_stream};
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use datafusion_proto::protobuf::LogicalPlanNode;
use tokio::runtime::Runtime;
use tokio::time::Instant;

use crate::EngineError;
use crate::functions::clientele_functions;
use crate::parquet_in::check_line_columns;
use crate::plans::part_table;

/// Which engine runs the plans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Engine {
    /// DataFusion in this process, on every core.
    DataFusion,
    /// A Ballista cluster: its scheduler's host and port.
    Ballista { host: String, port: u16 },
}

impl FromStr for Engine {
    type Err = EngineError;

    /// `datafusion` or `ballista://HOST:PORT`.
    fn from_str(s: &str) -> Result<Engine, EngineError> {
        if s == "datafusion" {
            return Ok(Engine::DataFusion);
        }
        let bad = || {
            EngineError::Config(format!(
                "engine '{s}': expected datafusion or ballista://HOST:PORT"
            ))
        };
        let rest = s.strip_prefix("ballista://").ok_or_else(bad)?;
        let (host, port) = rest.rsplit_once(':').ok_or_else(bad)?;
        let port: u16 = port.parse().map_err(|_| bad())?;
        if host.is_empty() || port == 0 || host.contains('/') {
            return Err(bad());
        }
        Ok(Engine::Ballista {
            host: host.to_string(),
            port,
        })
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Engine::DataFusion => f.write_str("datafusion"),
            Engine::Ballista { host, port } => write!(f, "ballista://{host}:{port}"),
        }
    }
}

/// Stack of each async worker thread (tokio's default is 2 MiB): planning, optimising and
/// decoding a plan recurse over its tree, and the summary's plan is deep enough to overflow 2 MiB
/// in a scheduler built without optimisation (the cluster test saw it). Address space only; the
/// pages used are what is paid for.
pub(crate) const WORKER_STACK_BYTES: usize = 32 << 20;

/// Partitions of a plan: what the shuffles split the customers into.
const PARTITIONS: usize = 8;

/// How long a session's work may take when the caller sets no limit: an hour.
pub const DEFAULT_JOB_TIMEOUT: Duration = Duration::from_secs(3_600);

/// The longest a session may be given (a week): beyond it a deadline protects nothing.
pub const MAX_JOB_TIMEOUT: Duration = Duration::from_secs(7 * 86_400);

/// How long cancelling a job on the scheduler may take before the client gives up on it.
const CANCEL_TIMEOUT: Duration = Duration::from_secs(10);

/// Bytes the in-process engine's operators may hold before they spill: half of this machine's
/// memory (`MemTotal` of `/proc/meminfo`), or 4 GiB where that cannot be read. Ballista's
/// executors size their own pools (`--memory-mib`).
fn in_process_memory_limit() -> usize {
    const FALLBACK: usize = 4 << 30;
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib.saturating_mul(1024) / 2)
        })
        .filter(|&bytes| bytes >= 256 << 20)
        .unwrap_or(FALLBACK)
}

/// A session on an engine with the order-line files registered as `lines_0`, `lines_1`, ….
///
/// All the session's work, from connecting to the last batch of the last query, must end by
/// one deadline: a Ballista client otherwise waits for a job as long as the scheduler says it
/// runs, and a job whose executor died can be left running forever (seen in the cluster test).
/// When the deadline passes, the query is dropped, its job is cancelled on the scheduler, and
/// the call fails with [`EngineError::Deadline`]: no partial result is ever returned.
pub struct Session {
    runtime: Runtime,
    ctx: SessionContext,
    parts: usize,
    engine: Engine,
    timeout: Duration,
    deadline: Instant,
}

impl Session {
    /// Connects to `engine` (a Ballista scheduler must be up) and registers `paths`, checking
    /// that each has Clientele's line columns; the session's work must end within
    /// [`DEFAULT_JOB_TIMEOUT`].
    pub fn open(engine: &Engine, paths: &[PathBuf]) -> Result<Session, EngineError> {
        Session::open_with_timeout(engine, paths, DEFAULT_JOB_TIMEOUT)
    }

    /// [`Session::open`] with the whole session's work bounded by `timeout`, counted from now
    /// (at least a second, at most [`MAX_JOB_TIMEOUT`]).
    pub fn open_with_timeout(
        engine: &Engine,
        paths: &[PathBuf],
        timeout: Duration,
    ) -> Result<Session, EngineError> {
        if paths.is_empty() {
            return Err(EngineError::Config("no order-line files given".into()));
        }
        if timeout < Duration::from_secs(1) || timeout > MAX_JOB_TIMEOUT {
            return Err(EngineError::Config(format!(
                "a job timeout of {} s: give 1 to {} seconds",
                timeout.as_secs_f64(),
                MAX_JOB_TIMEOUT.as_secs()
            )));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_stack_size(WORKER_STACK_BYTES)
            .build()
            .map_err(|e| EngineError::Config(format!("starting the async runtime: {e}")))?;
        let deadline = runtime.block_on(async { Instant::now() + timeout });
        let connect = async {
            let ctx = match engine {
                Engine::DataFusion => {
                    let config = SessionConfig::new().with_target_partitions(
                        std::thread::available_parallelism().map_or(2, |n| n.get()),
                    );
                    // A bounded pool, so a log larger than memory spills to disk or fails with
                    // DataFusion's "resources exhausted" rather than taking the machine down
                    // (without one, 10M lines peaked at 8.6 GB: BENCHMARKS.md).
                    let runtime = RuntimeEnvBuilder::new()
                        .with_memory_pool(Arc::new(FairSpillPool::new(in_process_memory_limit())))
                        .build_arc()
                        .map_err(|e| EngineError::engine(engine, e))?;
                    let state = SessionStateBuilder::new()
                        .with_config(config)
                        .with_runtime_env(runtime)
                        .with_default_features()
                        .build();
                    SessionContext::new_with_state(state)
                }
                Engine::Ballista { host, port } => {
                    // The client asks for the job's status (rather than waiting for the
                    // scheduler to push it), so the job id is known from the moment the job is
                    // accepted and a deadline can always cancel it.
                    let config = SessionConfig::new_with_ballista()
                        .with_target_partitions(PARTITIONS)
                        .with_ballista_job_name("clientele")
                        .set_bool(ballista_core::config::BALLISTA_CLIENT_PULL, true);
                    let state = SessionStateBuilder::new()
                        .with_config(config)
                        .with_default_features()
                        .build();
                    SessionContext::remote_with_state(&format!("df://{host}:{port}"), state)
                        .await
                        .map_err(|e| EngineError::engine(engine, e))?
                }
            };
            // Added to DataFusion's own functions (`with_scalar_functions` would replace them,
            // `coalesce` and all).
            for f in clientele_functions() {
                ctx.register_udf(f.as_ref().clone());
            }
            for (part, path) in paths.iter().enumerate() {
                let text = path.to_str().ok_or_else(|| {
                    EngineError::Config(format!("{}: the path is not UTF-8", path.display()))
                })?;
                let absolute = std::path::absolute(path).map_err(|e| EngineError::io(path, e))?;
                if !absolute.is_file() {
                    return Err(EngineError::Config(format!("{text}: no such Parquet file")));
                }
                ctx.register_parquet(
                    part_table(part),
                    absolute.to_str().unwrap_or(text),
                    ParquetReadOptions::default(),
                )
                .await
                .map_err(|e| EngineError::parquet(path, e))?;
                let schema = ctx
                    .table(part_table(part))
                    .await
                    .map_err(|e| EngineError::engine(engine, e))?
                    .schema()
                    .as_arrow()
                    .clone();
                check_line_columns(path, &schema)?;
            }
            Ok::<_, EngineError>(ctx)
        };
        let ctx = runtime.block_on(async {
            match tokio::time::timeout_at(deadline, connect).await {
                Ok(ctx) => ctx,
                Err(_) => Err(EngineError::Deadline {
                    engine: engine.to_string(),
                    seconds: timeout.as_secs_f64(),
                    outcome: "still connecting and reading the files' schemas".into(),
                }),
            }
        })?;
        Ok(Session {
            runtime,
            ctx,
            parts: paths.len(),
            engine: engine.clone(),
            timeout,
            deadline,
        })
    }

    /// Number of order-line files.
    pub fn parts(&self) -> usize {
        self.parts
    }

    /// Runs `sql` and collects its batches.
    pub fn collect(&self, sql: &str) -> Result<Vec<RecordBatch>, EngineError> {
        let mut batches = Vec::new();
        self.for_each_batch(sql, |batch| {
            batches.push(batch.clone());
            Ok(())
        })?;
        Ok(batches)
    }

    /// Runs `sql` and hands each batch to `each` as it arrives, within the session's deadline.
    pub fn for_each_batch(
        &self,
        sql: &str,
        mut each: impl FnMut(&RecordBatch) -> Result<(), EngineError>,
    ) -> Result<(), EngineError> {
        use futures::StreamExt;
        // The plan, once made: on a cluster its root knows the job's id, to cancel it.
        let planned: OnceCell<Arc<dyn ExecutionPlan>> = OnceCell::new();
        let work = async {
            let df = self.ctx.sql(sql).await.map_err(EngineError::query)?;
            let task_ctx = Arc::new(df.task_ctx());
            let plan = df
                .create_physical_plan()
                .await
                .map_err(EngineError::query)?;
            let plan = planned.get_or_init(|| plan).clone();
            let mut stream = execute_stream(plan, task_ctx).map_err(EngineError::query)?;
            while let Some(batch) = stream.next().await {
                each(&batch.map_err(EngineError::query)?)?;
            }
            Ok(())
        };
        self.bounded(work, &planned)
    }

    /// Runs `work` until the session's deadline; past it, `work` is dropped (which stops the
    /// client's side of the job) and the job `planned` started is cancelled on the cluster.
    fn bounded(
        &self,
        work: impl Future<Output = Result<(), EngineError>>,
        planned: &OnceCell<Arc<dyn ExecutionPlan>>,
    ) -> Result<(), EngineError> {
        self.runtime.block_on(async {
            // Past the deadline no query starts (a timeout polls its future once before it
            // looks at the clock, which could submit a job nobody waits for).
            if Instant::now() >= self.deadline {
                return Err(self.past_deadline("before this query started".to_string()));
            }
            if let Ok(done) = tokio::time::timeout_at(self.deadline, work).await {
                return done;
            }
            let outcome = match &self.engine {
                Engine::DataFusion => "and the query was stopped".to_string(),
                Engine::Ballista { host, port } => {
                    let job = planned.get().and_then(|plan| {
                        plan.downcast_ref::<DistributedQueryExec<LogicalPlanNode>>()?
                            .job_id()
                    });
                    match job {
                        None => "before the scheduler had answered with a job id (if it \
                                 accepted the job, it may still run there)"
                            .to_string(),
                        Some(job) => match cancel_job(host, *port, job.as_str()).await {
                            Ok(()) => format!("and job {job} was cancelled on the scheduler"),
                            Err(e) => format!(
                                "and cancelling job {job} on the scheduler failed ({e}): \
                                 it may still be running there"
                            ),
                        },
                    }
                }
            };
            Err(self.past_deadline(outcome))
        })
    }

    fn past_deadline(&self, outcome: String) -> EngineError {
        EngineError::Deadline {
            engine: self.engine.to_string(),
            seconds: self.timeout.as_secs_f64(),
            outcome,
        }
    }

    /// The plan DataFusion makes of `sql`, for explaining and for tests.
    pub fn explain(&self, sql: &str) -> Result<String, EngineError> {
        let batches = self.collect(&format!("EXPLAIN {sql}"))?;
        Ok(
            datafusion::arrow::util::pretty::pretty_format_batches(&batches)
                .map_err(|e| EngineError::Format(e.to_string()))?
                .to_string(),
        )
    }
}

/// Asks the scheduler at `host:port` to cancel `job`, within [`CANCEL_TIMEOUT`].
async fn cancel_job(host: &str, port: u16, job: &str) -> Result<(), String> {
    let cancel = async {
        let endpoint = ballista_core::utils::create_grpc_client_endpoint(
            format!("http://{host}:{port}"),
            None,
        )
        .map_err(|e| e.to_string())?;
        let channel = endpoint.connect().await.map_err(|e| e.to_string())?;
        let answer = SchedulerGrpcClient::new(channel)
            .cancel_job(CancelJobParams {
                job_id: job.to_string(),
            })
            .await
            .map_err(|e| e.message().to_string())?;
        if answer.into_inner().cancelled {
            Ok(())
        } else {
            Err("the scheduler refused".to_string())
        }
    };
    tokio::time::timeout(CANCEL_TIMEOUT, cancel)
        .await
        .unwrap_or_else(|_| Err(format!("no answer in {} s", CANCEL_TIMEOUT.as_secs())))
}

/// The session context, for callers that build their own plans.
impl AsRef<SessionContext> for Session {
    fn as_ref(&self) -> &SessionContext {
        &self.ctx
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_in_process_pool_is_half_the_machine_within_sane_bounds() {
        let limit = super::in_process_memory_limit();
        let total: usize = std::fs::read_to_string("/proc/meminfo")
            .unwrap()
            .lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
            .unwrap();
        assert_eq!(limit, total * 1024 / 2);
    }

    use super::*;

    #[test]
    fn engine_names_parse_and_bad_ones_are_refused() {
        assert_eq!("datafusion".parse::<Engine>().unwrap(), Engine::DataFusion);
        assert_eq!(
            "ballista://127.0.0.1:50050".parse::<Engine>().unwrap(),
            Engine::Ballista {
                host: "127.0.0.1".into(),
                port: 50050
            }
        );
        assert_eq!(
            "ballista://sched.local:7"
                .parse::<Engine>()
                .unwrap()
                .to_string(),
            "ballista://sched.local:7"
        );
        for bad in [
            "",
            "DataFusion",
            "spark://x:1",
            "ballista://",
            "ballista://host",
            "ballista://host:0",
            "ballista://host:70000",
            "ballista://:50050",
            "ballista://a/b:1",
        ] {
            assert!(bad.parse::<Engine>().is_err(), "{bad} was accepted");
        }
    }
}
