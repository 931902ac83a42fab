//! Helpers shared by the end-to-end tests: the repository root, scratch directories, and running the `locus` binary.
#![allow(dead_code)]

pub use serde_json::Value;
pub use std::path::{Path, PathBuf};
pub use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh, empty path under the target's temp dir, one folder per test file.
pub fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(env!("CARGO_CRATE_NAME"))
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.parent().unwrap()).unwrap();
    d
}

/// Runs the `locus` binary.
pub fn locus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_locus"))
        .args(args)
        .output()
        .expect("run locus")
}

/// Exit code, stdout and stderr, for failure messages.
pub fn show(out: &Output) -> String {
    format!(
        "exit {:?}\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Asserts that a run succeeded.
pub fn ok(out: &Output) {
    assert!(out.status.success(), "locus failed: {}", show(out));
}

/// A JSON file.
pub fn json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

/// Column `name` of a CSV file as strings.
pub fn column(p: &Path, name: &str) -> Vec<String> {
    let mut r = csv::Reader::from_path(p).unwrap();
    let idx = r.headers().unwrap().iter().position(|h| h == name).unwrap();
    r.records()
        .map(|rec| rec.unwrap()[idx].to_string())
        .collect()
}
