//! The engine's tests, in one binary (DataFusion links once): Parquet against CSV, the plans on
//! DataFusion against the single-machine path, and a real Ballista cluster of separate processes.

mod cluster;
mod common;
mod local;
