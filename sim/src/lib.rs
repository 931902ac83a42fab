//! sim: builds RTL with Verilator at run time into a shared library and drives it.
//!
//! The crate knows nothing about models: it takes Verilog files, a top module and
//! its port list, and gives back something to set ports on, evaluate and clock.
//!
//! ```no_run
//! use sim::{build, BuildOptions, Design, Port};
//!
//! let design = Design {
//!     files: vec!["counter.v".into()],
//!     top: "counter".into(),
//!     ports: vec![Port::input("clk", 1), Port::input("rst", 1), Port::output("count", 8)],
//!     clock: Some("clk".into()),
//! };
//! let lib = build(&design, &BuildOptions::new("target/sim-cache"))?;
//! let mut dut = lib.instantiate()?;
//! let (rst, count) = (dut.port("rst").unwrap(), dut.port("count").unwrap());
//! dut.set_u64(rst, 1);
//! dut.tick();
//! dut.set_u64(rst, 0);
//! for _ in 0..3 {
//!     dut.tick();
//! }
//! assert_eq!(dut.get_u64(count), 3);
//! # Ok::<(), sim::SimError>(())
//! ```
//!
//! # How a build works
//!
//! `verilator --cc` (flags in `build.rs`) writes the model's C++; a generated C
//! ABI shim (`shim.rs`) wraps it; g++ compiles the model's files in parallel
//! ([`BuildOptions::jobs`]) and links them with the Verilator runtime objects
//! (`verilated.cpp`, `verilated_threads.cpp`, `verilated_vcd_c.cpp`; Debian ships no
//! `libverilated.a`, so they are compiled once per cache directory and kept) into
//! `<cache_dir>/<sha256>.so`, which `libloading` loads. See `build.rs` for why the
//! file is named by a hash and why a killed build never leaves a library behind.
//!
//! Ports are accessed directly in the model's memory (the shim hands out each port's
//! address once), so `set`/`get` cost no foreign call; `eval`/`tick` are one call.
//!
//! Small generated C++ files are compiled together in one translation unit (each
//! alone would cost ~0.65 s of parsing Verilator's headers), so a small design builds
//! in one to two seconds once the runtime objects are cached.
//!
//! # Choosing the optimisation level
//!
//! [`OptLevel::O1`] is the default: it builds almost as fast as `-O0` and simulates
//! about 3× faster. [`OptLevel::Os`] (Verilator's own default) simulates fastest,
//! ~1.3–1.45× `-O1`, but g++ time grows superlinearly with function size at
//! `-Os`/`-O2`: when Verilator inlines a whole combinational cone into one function
//! (a large adder tree feeding one register) it builds ~5× slower than `-O1`; with
//! the logic split by pipeline registers it costs about the same. `-O2` is never
//! better than `-Os` here. Small designs build in about the same time at every
//! level. Reproduce the measurements with
//! `cargo run --release -p sim --example build_bench -- --opts O0,O1,O2,Os [--pipelined]`.
#![warn(missing_docs)]

mod build;
mod design;
mod error;
mod instance;
mod lint;
mod shim;
mod tools;

pub use build::{build, BuildStats};
pub use design::{BuildOptions, Design, Dir, OptLevel, Port};
pub use error::SimError;
pub use instance::{Instance, Library, PortId};
pub use lint::lint;
pub use tools::verilator_version;
