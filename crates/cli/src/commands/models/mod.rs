//! `clientele models fit|score|summary`: customer-base models on a summary file or on order
//! exports.
//!
//! The JSON of `fit` and the CSV of `score` are interfaces scripts depend on: keys and columns
//! are only ever added.

mod charts;
mod fit;
pub(crate) mod rejects;
pub(crate) mod score;
mod summary;

use anyhow::Result;

use crate::args::models::ModelsCommand;

pub fn run(command: ModelsCommand) -> Result<()> {
    match command {
        ModelsCommand::Fit(args) => fit::run(args),
        ModelsCommand::Score(args) => score::run(args),
        ModelsCommand::Summary(args) => summary::run(args),
    }
}
