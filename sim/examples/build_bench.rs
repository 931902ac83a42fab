//! Measures build time and simulation speed of a large synthetic design at each g++ optimisation level.
//!
//! The design imitates what locus emits for a tree ensemble: `groups` units of two
//! comparators on registered 16-bit features and a leaf mux, summed by a balanced
//! adder tree into a registered output; about four `assign`s per group. A Rust
//! model of the same design checks every simulated output.
//!
//! ```text
//! cargo run --release -p sim --example build_bench -- [--groups 2500] [--cycles 20000]
//!     [--opts O0,O1,O2,Os] [--jobs 2] [--pipelined] [--cache DIR] [--emit FILE.v (write the design, exit)]
//! ```

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use sim::{build, BuildOptions, Design, OptLevel, Port};

const FEATURES: usize = 16;

struct Group {
    f1: usize,
    t1: u16,
    f2: usize,
    t2: u16,
    leaves: [u16; 3],
}

/// xorshift64*: deterministic without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn groups(n: usize) -> Vec<Group> {
    let mut rng = Rng(0x5eed_0000_0000_0001);
    (0..n)
        .map(|_| Group {
            f1: rng.next() as usize % FEATURES,
            t1: rng.next() as u16,
            f2: rng.next() as usize % FEATURES,
            t2: rng.next() as u16,
            leaves: [rng.next() as u16, rng.next() as u16, rng.next() as u16],
        })
        .collect()
}

/// The Verilog text; `salt` (a comment) makes the cache key unique per run.
/// With `pipelined`, the leaves are registered (one more cycle of latency), which
/// splits the logic into two always-blocks' worth of code.
fn verilog(groups: &[Group], salt: u128, pipelined: bool) -> (String, usize) {
    let mut v = String::new();
    let mut assigns = 0;
    let w = FEATURES * 16;
    let _ = writeln!(
        v,
        "`default_nettype none\n// synthetic benchmark design, salt {salt}\nmodule bench (\n    input  wire clk,\n    input  wire [{}:0] x,\n    output reg  [31:0] y\n);\n  reg [{}:0] x_r;\n  always @(posedge clk) x_r <= x;",
        w - 1,
        w - 1
    );
    for (i, g) in groups.iter().enumerate() {
        let [l1, l2, l3] = g.leaves;
        let (decl, assign) = if pipelined {
            ("reg ", "always @(posedge clk)")
        } else {
            ("wire", "assign")
        };
        let _ = writeln!(
            v,
            "  wire c{i};\n  wire d{i};\n  {decl} [15:0] l{i};\n  assign c{i} = x_r[{} +: 16] < 16'd{};\n  assign d{i} = x_r[{} +: 16] >= 16'd{};\n  {assign} l{i} {} (c{i} & d{i}) ? 16'd{l1} : (c{i} | d{i}) ? 16'd{l2} : 16'd{l3};",
            g.f1 * 16,
            g.t1,
            g.f2 * 16,
            g.t2,
            if pipelined { "<=" } else { "=" },
        );
        assigns += 3;
    }
    // Balanced adder tree.
    let mut level: Vec<String> = (0..groups.len())
        .map(|i| format!("{{16'd0, l{i}}}"))
        .collect();
    let mut n = 0;
    while level.len() > 1 {
        let mut next = Vec::new();
        for pair in level.chunks(2) {
            if let [a, b] = pair {
                let _ = writeln!(v, "  wire [31:0] s{n};\n  assign s{n} = {a} + {b};");
                assigns += 1;
                next.push(format!("s{n}"));
                n += 1;
            } else {
                next.push(pair[0].clone());
            }
        }
        level = next;
    }
    let _ = writeln!(v, "  always @(posedge clk) y <= {};\nendmodule", level[0]);
    (v, assigns)
}

fn reference(groups: &[Group], x: &[u16; FEATURES]) -> u32 {
    groups
        .iter()
        .map(|g| {
            let c = x[g.f1] < g.t1;
            let d = x[g.f2] >= g.t2;
            u32::from(if c && d {
                g.leaves[0]
            } else if c || d {
                g.leaves[1]
            } else {
                g.leaves[2]
            })
        })
        .fold(0u32, u32::wrapping_add)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut n_groups = 2500;
    let mut cycles = 20_000;
    let mut opts = vec![OptLevel::O0, OptLevel::O1, OptLevel::O2];
    let mut jobs = 2;
    let mut emit: Option<PathBuf> = None;
    let mut pipelined = false;
    let mut cache = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/tmp/build-bench");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--groups" => n_groups = value()?.parse()?,
            "--cycles" => cycles = value()?.parse()?,
            "--jobs" => jobs = value()?.parse()?,
            "--cache" => cache = value()?.into(),
            "--emit" => emit = Some(value()?.into()),
            "--pipelined" => pipelined = true,
            "--opts" => {
                opts = value()?
                    .split(',')
                    .map(|o| match o {
                        "O0" => Ok(OptLevel::O0),
                        "O1" => Ok(OptLevel::O1),
                        "O2" => Ok(OptLevel::O2),
                        "Os" => Ok(OptLevel::Os),
                        _ => Err(format!("unknown level {o}; expected O0, O1, O2 or Os")),
                    })
                    .collect::<Result<_, _>>()?
            }
            _ => return Err(format!("unknown argument {arg}").into()),
        }
    }

    let groups = groups(n_groups);
    if let Some(path) = emit {
        std::fs::write(&path, verilog(&groups, 0, pipelined).0)?;
        return Ok(());
    }
    let salt = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)?
        .as_nanos();
    let dir = cache.join(format!("design-{salt}"));
    std::fs::create_dir_all(&dir)?;
    let (text, assigns) = verilog(&groups, salt, pipelined);
    let file = dir.join("bench.v");
    std::fs::write(&file, &text)?;
    let design = Design {
        files: vec![file],
        top: "bench".into(),
        ports: vec![
            Port::input("clk", 1),
            Port::input("x", (FEATURES * 16) as u32),
            Port::output("y", 32),
        ],
        clock: Some("clk".into()),
    };
    sim::lint(&design.files, "bench")?;
    println!(
        "design: {n_groups} groups{}, {assigns} assignments, {} bytes of Verilog; {}, {} CPUs, jobs {jobs}",
        if pipelined { " (pipelined)" } else { "" },
        text.len(),
        sim::verilator_version()?,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| opt | verilate s | compile s | link s | C++ files | cycles/s | µs/cycle |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for opt in opts {
        let options = BuildOptions {
            opt,
            jobs,
            ..BuildOptions::new(&cache)
        };
        let lib = build(&design, &options)?;
        let stats = lib.stats();
        let mut dut = lib.instantiate()?;
        let (x, y) = (dut.port("x").unwrap(), dut.port("y").unwrap());
        let mut rng = Rng(42);
        let vectors: Vec<[u16; FEATURES]> = (0..cycles)
            .map(|_| std::array::from_fn(|_| rng.next() as u16))
            .collect();
        let mut outputs = Vec::with_capacity(cycles);
        let mut words = [0u32; FEATURES / 2];
        let start = Instant::now();
        for v in &vectors {
            for (i, w) in words.iter_mut().enumerate() {
                *w = u32::from(v[2 * i]) | u32::from(v[2 * i + 1]) << 16;
            }
            dut.set(x, &words);
            dut.tick();
            outputs.push(dut.get_u64(y) as u32);
        }
        let elapsed = start.elapsed().as_secs_f64();
        // After tick t the output is f(x of tick t - latency + 1).
        let lag = if pipelined { 2 } else { 1 };
        for t in lag..cycles {
            let want = reference(&groups, &vectors[t - lag]);
            if outputs[t] != want {
                return Err(
                    format!("{opt:?}: cycle {t}: got {:#x}, want {want:#x}", outputs[t]).into(),
                );
            }
        }
        println!(
            "| {} | {:.1} | {:.1} | {:.2} | {} | {:.0} | {:.2} |",
            opt.flag(),
            stats.verilate.as_secs_f64(),
            stats.compile.as_secs_f64(),
            stats.link.as_secs_f64(),
            stats.cpp_files,
            cycles as f64 / elapsed,
            elapsed * 1e6 / cycles as f64
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
