//! The engine's errors: each names the file, the line or the engine at fault.

use std::path::{Path, PathBuf};

/// What went wrong, with the file, the line or the engine named.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parquet { path: PathBuf, message: String },
    #[error(transparent)]
    Import(#[from] clientele_ingest::pipeline::ImportError),
    #[error("{0}")]
    Bound(String),
    #[error("{0}")]
    Strict(String),
    #[error("{0}")]
    Format(String),
    #[error("{0}")]
    Config(String),
    #[error("{engine}: {message}")]
    Engine { engine: String, message: String },
    #[error("the engine failed: {0}")]
    Query(String),
    /// The session's work did not end by its deadline; nothing it computed was returned.
    #[error(
        "{engine}: the job did not finish within {seconds} s (the engine's time limit), \
         {outcome}; no result of it was used"
    )]
    Deadline {
        engine: String,
        seconds: f64,
        outcome: String,
    },
    #[error("no orders: the files have no order line up to the as-of day")]
    NoOrders,
}

impl EngineError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> EngineError {
        EngineError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn parquet(path: &Path, e: impl std::fmt::Display) -> EngineError {
        EngineError::Parquet {
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }

    pub(crate) fn arrow(path: &Path, e: impl std::fmt::Display) -> EngineError {
        EngineError::parquet(path, e)
    }

    /// `engine` is the engine as the user named it (`ballista://HOST:PORT`).
    pub(crate) fn engine(
        engine: &impl std::fmt::Display,
        e: impl std::fmt::Display,
    ) -> EngineError {
        EngineError::Engine {
            engine: engine.to_string(),
            message: e.to_string(),
        }
    }

    pub(crate) fn query(e: impl std::fmt::Display) -> EngineError {
        EngineError::Query(e.to_string())
    }
}
