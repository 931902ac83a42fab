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

/// Replaces the README's text between `<!-- bench:NAME:begin … -->` and
/// `<!-- bench:NAME:end -->` with `md` (nothing happens when the markers are missing).
#[allow(dead_code)] // not every benchmark writes into the README
pub fn readme_section(name: &str, md: &str) {
    let readme = root().join("README.md");
    let text = std::fs::read_to_string(&readme).unwrap();
    let begin = format!("<!-- bench:{name}:begin (written by make bench) -->");
    let end = format!("<!-- bench:{name}:end -->");
    if let (Some(a), Some(b)) = (text.find(&begin), text.find(&end)) {
        let new = format!("{}{begin}\n{md}{}", &text[..a], &text[b..]);
        std::fs::write(&readme, new).unwrap();
    }
}
