//! Importer for locus's native RBF JSON (docs/rbf-format.md): RBF networks, prototype models, and any RBF model locus wrote.

use crate::error::{Error, Result};
use crate::model::rbf::{RbfModel, FORMAT, VERSION};

/// Does this JSON value claim to be a locus RBF model?
pub fn detect(v: &serde_json::Value) -> bool {
    v.get("format").and_then(|f| f.as_str()) == Some(FORMAT)
}

/// Parses a locus RBF model, checking its version and shape.
pub fn parse(name: &str, v: serde_json::Value) -> Result<RbfModel> {
    let version = v.get("version").and_then(|x| x.as_u64());
    if version != Some(u64::from(VERSION)) {
        return Err(Error::input(
            name,
            "version",
            format!(
                "{}; expected {VERSION} (this locus reads format version {VERSION})",
                version.map_or("missing".to_string(), |x| x.to_string())
            ),
        ));
    }
    let m: RbfModel = serde_json::from_value(v).map_err(|e| {
        Error::input(
            name,
            "",
            format!("{e}; expected a locus RBF model (docs/rbf-format.md)"),
        )
    })?;
    m.check().map_err(|e| Error::input(name, "", e))?;
    Ok(m)
}
