//! Importers: each reads one model format into a float [`crate::model::Model`] with exact source semantics.

use crate::error::Result;
use crate::model::Model;
use std::path::Path;

/// Reads a model file, choosing the importer from its content.
pub fn load(path: &Path) -> Result<Model> {
    let _ = path;
    todo!("importers")
}
