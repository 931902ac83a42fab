//! The hand-written RTL: every `testbenches/tb_*.v` passes under iverilog, and every `rtl/*.v` is `verilator --lint-only -Wall` clean with its own module as top.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Files in `dir` whose names start with `prefix` and end in `.v`, sorted.
fn verilog(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(prefix) && n.ends_with(".v")
        })
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

fn tool(name: &str) -> Command {
    // Fail loudly, never skip: CI must have the tools `make setup` installs.
    let found = Command::new(name).arg("-V").output().is_ok()
        || Command::new(name).arg("--version").output().is_ok();
    assert!(
        found,
        "`{name}` is not installed; run `make setup` (Debian package iverilog)"
    );
    Command::new(name)
}

#[test]
fn every_primitive_has_a_testbench() {
    let tbs: Vec<String> = verilog(&root().join("testbenches"), "tb_")
        .iter()
        .map(|p| stem(p))
        .collect();
    let rtl = verilog(&root().join("rtl"), "");
    assert!(!rtl.is_empty());
    for f in rtl {
        let want = format!("tb_{}", stem(&f));
        assert!(
            tbs.contains(&want),
            "{} has no testbenches/{want}.v",
            f.display()
        );
    }
}

#[test]
fn testbenches_pass_under_iverilog() {
    let rtl = verilog(&root().join("rtl"), "");
    let tbs = verilog(&root().join("testbenches"), "tb_");
    assert!(!tbs.is_empty(), "no testbenches/tb_*.v found");
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rtl-testbenches");
    std::fs::create_dir_all(&out_dir).unwrap();
    let mut failures = Vec::new();
    for tb in &tbs {
        let name = stem(tb);
        let exe = out_dir.join(&name);
        let c = tool("iverilog")
            .args(["-g2005", "-Wall", "-o"])
            .arg(&exe)
            .args(&rtl)
            .arg(tb)
            .output()
            .expect("run iverilog");
        let diag =
            String::from_utf8_lossy(&c.stderr).into_owned() + &String::from_utf8_lossy(&c.stdout);
        if !c.status.success() || !diag.trim().is_empty() {
            failures.push(format!("{name}: iverilog -Wall:\n{diag}"));
            continue;
        }
        let r = tool("vvp").arg("-n").arg(&exe).output().expect("run vvp");
        let text =
            String::from_utf8_lossy(&r.stdout).into_owned() + &String::from_utf8_lossy(&r.stderr);
        let passed = r.status.success()
            && text.lines().any(|l| l.trim() == "PASS")
            && !text.contains("FAIL")
            && !text.to_lowercase().contains("error");
        if !passed {
            failures.push(format!("{name}: vvp:\n{text}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rtl_lints_clean_with_each_module_as_top() {
    let rtl = verilog(&root().join("rtl"), "");
    for f in &rtl {
        let top = stem(f);
        sim::lint(&rtl, &top).unwrap_or_else(|e| panic!("{top}: {e}"));
        let text = std::fs::read_to_string(f).unwrap();
        assert!(
            text.starts_with(&format!("// {top}: ")),
            "{}: the first line must be `// {top}: <role>`",
            f.display()
        );
        assert!(
            text.contains("`default_nettype none") && text.contains("`default_nettype wire"),
            "{}: needs `default_nettype none at the top and wire at the end",
            f.display()
        );
    }
}
