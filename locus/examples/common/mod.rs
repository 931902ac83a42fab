//! What the benchmark examples share: the repository root, running the built `locus` binary, reading a JSON result.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs `target/release/locus` with `args` in the repository root.
pub fn locus(args: &[&str]) -> Output {
    Command::new(root().join("target/release/locus"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("target/release/locus runs (cargo build --release -p locus)")
}

/// A JSON file, or `null` when it is missing or unreadable.
pub fn read_json(p: &Path) -> Value {
    std::fs::read_to_string(p)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null)
}
