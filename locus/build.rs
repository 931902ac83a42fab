//! Build script: embeds every `boards/*.toml` (and the yosys techmaps `boards/*.v` they name) into the binary, so adding a board is adding a file.
//!
//! Writes `$OUT_DIR/boards.rs` with `FILES: &[(&str, &str)]` — (file name, contents via
//! `include_str!`) sorted by name — and asks cargo to rerun when the folder changes.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../boards");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") || n.ends_with(".v"))
        .collect();
    names.sort();
    let mut out = String::from(
        "/// Every file in boards/: (name, contents).\npub const FILES: &[(&str, &str)] = &[\n",
    );
    for n in &names {
        let path = dir.join(n);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    ({n:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("boards.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("writing {}: {e}", dest.display()));
}
