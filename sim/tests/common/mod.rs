//! Shared helpers for the sim integration tests: paths, cache directory, scratch directories.
#![allow(dead_code)] // each test binary uses a different subset

use std::path::PathBuf;

use sim::{BuildOptions, Design, Port};

/// `testbenches/sim/<name>`.
pub fn testbench(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testbenches/sim")
        .join(name)
}

/// The cache shared by all tests (kept between runs, like a user's cache).
pub fn options() -> BuildOptions {
    BuildOptions::new(PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sim-cache"))
}

/// A fresh, empty directory for one test.
pub fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("sim-scratch")
        .join(format!("{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn counter() -> Design {
    Design {
        files: vec![testbench("counter.v")],
        top: "counter".into(),
        ports: vec![
            Port::input("clk", 1),
            Port::input("rst", 1),
            Port::input("en", 1),
            Port::output("count", 8),
            Port::output("wrap", 1),
        ],
        clock: Some("clk".into()),
    }
}

pub fn wide_adder() -> Design {
    Design {
        files: vec![testbench("wide_adder.v")],
        top: "wide_adder".into(),
        ports: vec![
            Port::input("clk", 1),
            Port::input("a", 100),
            Port::input("b", 100),
            Port::input("c", 7),
            Port::input("d", 7),
            Port::input("e", 12),
            Port::input("f", 32),
            Port::input("g", 41),
            Port::output("y", 100),
            Port::output("s", 7),
            Port::output("e_n", 12),
            Port::output("f_x", 32),
            Port::output("g_p", 41),
        ],
        clock: Some("clk".into()),
    }
}

/// xorshift64*: deterministic test vectors without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn word(&mut self) -> u32 {
        (self.next() >> 32) as u32
    }
}
