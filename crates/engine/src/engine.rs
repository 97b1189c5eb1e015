//! Where the plans run: DataFusion in this process, or a Ballista cluster, behind one
//! synchronous interface for the command line.

use std::path::PathBuf;
use std::str::FromStr;

use ballista::extension::{SessionConfigExt, SessionContextExt};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::SessionStateBuilder;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use tokio::runtime::Runtime;

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

/// A session on an engine with the order-line files registered as `lines_0`, `lines_1`, ….
pub struct Session {
    runtime: Runtime,
    ctx: SessionContext,
    parts: usize,
}

impl Session {
    /// Connects to `engine` (a Ballista scheduler must be up) and registers `paths`, checking
    /// that each has Clientele's line columns.
    pub fn open(engine: &Engine, paths: &[PathBuf]) -> Result<Session, EngineError> {
        if paths.is_empty() {
            return Err(EngineError::Config("no order-line files given".into()));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_stack_size(WORKER_STACK_BYTES)
            .build()
            .map_err(|e| EngineError::Config(format!("starting the async runtime: {e}")))?;
        let ctx = runtime.block_on(async {
            let ctx = match engine {
                Engine::DataFusion => {
                    let config = SessionConfig::new().with_target_partitions(
                        std::thread::available_parallelism().map_or(2, |n| n.get()),
                    );
                    let state = SessionStateBuilder::new()
                        .with_config(config)
                        .with_default_features()
                        .build();
                    SessionContext::new_with_state(state)
                }
                Engine::Ballista { host, port } => {
                    let config = SessionConfig::new_with_ballista()
                        .with_target_partitions(PARTITIONS)
                        .with_ballista_job_name("clientele");
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
        })?;
        Ok(Session {
            runtime,
            ctx,
            parts: paths.len(),
        })
    }

    /// Number of order-line files.
    pub fn parts(&self) -> usize {
        self.parts
    }

    /// Runs `sql` and collects its batches.
    pub fn collect(&self, sql: &str) -> Result<Vec<RecordBatch>, EngineError> {
        self.runtime.block_on(async {
            let df = self.ctx.sql(sql).await.map_err(EngineError::query)?;
            df.collect().await.map_err(EngineError::query)
        })
    }

    /// Runs `sql` and hands each batch to `each` as it arrives.
    pub fn for_each_batch(
        &self,
        sql: &str,
        mut each: impl FnMut(&RecordBatch) -> Result<(), EngineError>,
    ) -> Result<(), EngineError> {
        use futures::StreamExt;
        self.runtime.block_on(async {
            let df = self.ctx.sql(sql).await.map_err(EngineError::query)?;
            let mut stream = df.execute_stream().await.map_err(EngineError::query)?;
            while let Some(batch) = stream.next().await {
                each(&batch.map_err(EngineError::query)?)?;
            }
            Ok(())
        })
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

/// The session context, for callers that build their own plans.
impl AsRef<SessionContext> for Session {
    fn as_ref(&self) -> &SessionContext {
        &self.ctx
    }
}

#[cfg(test)]
mod tests {
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
