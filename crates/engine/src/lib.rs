//! Clientele's per-customer work beyond one machine, on Apache DataFusion and Ballista.
//!
//! The per-customer summary is the only step whose cost grows with the order lines; fitting reads
//! only the compressed (x, t_x, T) counts and the repeat buyers' spend; scoring is per customer.
//! So the engine runs the summary, the fit inputs and the scores as SQL plans ([`plans`]) with
//! Clientele's functions ([`functions`]), over order lines in Parquet ([`schema`],
//! [`parquet_out`]), in this process ([`Engine::DataFusion`]) or on a Ballista cluster
//! ([`Engine::Ballista`], started with [`cluster`]); the fits stay in `clientele-models`, on
//! this machine.
//!
//! Invariant: the engine's results are the single-machine path's — summaries exactly (money is
//! decimal from file to sum), fit inputs in the order `clientele-models` compresses them, scores
//! from the same model code. [`parquet_in`] reads Parquet through the core's own summary, the
//! reference the plans are tested against.
//!
//! Everything here is behind this crate's `distributed` feature (which the `clientele` binary's
//! feature of the same name turns on): DataFusion and Ballista take ten minutes and more to
//! compile, and `cargo build/test/clippy --workspace` select every member of the workspace,
//! default or not, so without the feature this crate is empty and they are not built.

#[cfg(feature = "distributed")]
pub mod cluster;
#[cfg(feature = "distributed")]
mod engine;
#[cfg(feature = "distributed")]
pub mod functions;
#[cfg(feature = "distributed")]
pub mod job;
#[cfg(feature = "distributed")]
pub mod node_log;
#[cfg(feature = "distributed")]
pub mod parquet_in;
#[cfg(feature = "distributed")]
pub mod parquet_out;
#[cfg(feature = "distributed")]
pub mod plans;
#[cfg(feature = "distributed")]
pub mod schema;
#[cfg(feature = "distributed")]
pub mod sources;

#[cfg(feature = "distributed")]
mod error;
#[cfg(feature = "distributed")]
pub use engine::{DEFAULT_JOB_TIMEOUT, Engine, MAX_JOB_TIMEOUT, Session};
#[cfg(feature = "distributed")]
pub use error::EngineError;
