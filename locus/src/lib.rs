//! locus: the commands behind the `locus` binary, as a library so tests can drive them.

pub mod boards;
pub mod cosim;
pub mod explain;
pub mod flash;
pub mod flow;
pub mod predict;
pub mod protocol;
pub mod report;
pub mod run;
pub mod svg;
pub mod train;

use anyhow::{Context, Result};
use hdl_gen::data::read_for_model;

/// A user error raised by the CLI itself (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

/// Reads a CSV for a compiled directory's float model.
pub fn read_data(
    path: &std::path::Path,
    model: &hdl_gen::model::AnyModel,
) -> Result<hdl_gen::data::Dataset> {
    read_for_model(path, model).with_context(|| "reading data")
}
