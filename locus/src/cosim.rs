//! `locus sim`: builds the compiled RTL with Verilator and checks it against `eval()` cycle for cycle.
//!
//! Rows are streamed one per clock with a fixed pattern of idle cycles mixed in; after
//! every clock, `out_valid` and every output must equal what `eval()` gives for the
//! row applied exactly `latency` clocks before (or `out_valid` low for an idle slot).
//! Rows are independent, so with many of them each core streams its own share
//! through its own model (`threads` in `sim.json`); a VCD trace takes one model.

use crate::{read_data, UserError};
use anyhow::{Context, Result};
use hdl_gen::compile::{self, load_dir, unpack_hex, Loaded, Vector, TOP};
use hdl_gen::emit::input_width;
use hdl_gen::fixed::wrap;
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use std::collections::VecDeque;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Barrier;
use std::time::Instant;

/// How many mismatches are described in full.
const SHOW: usize = 10;
/// Fewest rows worth a thread of their own (a model and its reset).
pub const ROWS_PER_THREAD: usize = 10_000;

#[derive(Serialize)]
struct SimReport {
    vectors: usize,
    mismatches: usize,
    cycles: u64,
    latency_cycles: u32,
    data: String,
    verilator: String,
    build_seconds: f64,
    /// Models simulated side by side, each on its own thread and share of the rows.
    threads: usize,
    /// The simulation loop: rows through the Verilated core, compared every cycle.
    sim_seconds: f64,
    rows_per_second: f64,
    /// The whole command, from reading the directory to the verdict (expected
    /// outputs, CSV parsing and the Verilator build included).
    total_seconds: f64,
}

pub fn run(dir: &Path, data: Option<&Path>, vcd: Option<&Path>) -> Result<ExitCode> {
    let start = Instant::now();
    let l = load_dir(dir)?;
    // A VCD path that cannot be written is the user's to fix, found before the build.
    if let Some(v) = vcd {
        let parent = v.parent().filter(|p| !p.as_os_str().is_empty());
        if parent.is_some_and(|p| !p.is_dir()) {
            return Err(UserError(format!(
                "--vcd {}: no directory {}; expected a path in an existing directory",
                v.display(),
                parent.map(|p| p.display().to_string()).unwrap_or_default()
            ))
            .into());
        }
    }
    let (vectors, source, floats) = match data {
        Some(p) => {
            let d = read_data(p, &l.model)?;
            let v = compile::vectors(&l.quant, &l.ir, &d)?;
            (v, p.display().to_string(), Some(d.rows))
        }
        None => (read_vectors(&l)?, "vectors.csv".to_string(), None),
    };
    let o = check(&l, &vectors, floats.as_deref(), vcd)?;
    let (mismatches, cycles, build_seconds, sim_seconds) =
        (o.mismatches, o.cycles, o.build_seconds, o.sim_seconds);
    let report = SimReport {
        vectors: vectors.len(),
        mismatches,
        cycles,
        latency_cycles: l.report.latency_cycles,
        data: source,
        verilator: sim::verilator_version().unwrap_or_default(),
        build_seconds,
        threads: o.threads,
        sim_seconds,
        rows_per_second: vectors.len() as f64 / sim_seconds.max(1e-9),
        total_seconds: start.elapsed().as_secs_f64(),
    };
    let path = dir.join("sim.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)? + "\n")
        .with_context(|| format!("writing {}", path.display()))?;
    println!(
        "{}: {} vectors, {} mismatches, latency {} cycles ({} cycles simulated; build {:.1} s, {:.0} rows/s on {} thread{})",
        dir.display(),
        report.vectors,
        mismatches,
        report.latency_cycles,
        cycles,
        build_seconds,
        report.rows_per_second,
        report.threads,
        if report.threads == 1 { "" } else { "s" }
    );
    if let Some(v) = vcd {
        println!("  trace written to {}", v.display());
    }
    Ok(if mismatches == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// What a cosimulation found.
pub struct Outcome {
    pub mismatches: usize,
    pub cycles: u64,
    pub build_seconds: f64,
    /// Models simulated side by side (one per thread).
    pub threads: usize,
    pub sim_seconds: f64,
}

/// Builds the RTL of `l` with Verilator and streams `vectors` through it, comparing
/// every output with the vector's expected outputs at the core's latency.
pub fn check(
    l: &Loaded,
    vectors: &[Vector],
    floats: Option<&[Vec<f64>]>,
    vcd: Option<&Path>,
) -> Result<Outcome> {
    let design = sim::Design {
        files: vec![l.rtl_path.clone()],
        top: TOP.into(),
        ports: ports(l),
        clock: Some("clk".into()),
    };
    let opts = sim::BuildOptions {
        trace: vcd.is_some(),
        ..Default::default()
    };
    let spinner = ProgressBar::new_spinner().with_message("building the RTL with Verilator");
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let t0 = Instant::now();
    let lib = sim::build(&design, &opts);
    spinner.finish_and_clear();
    let lib = lib?;
    let build_seconds = t0.elapsed().as_secs_f64();
    let bar = ProgressBar::new(vectors.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("cosim {bar:40} {pos}/{len} rows")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let shown = AtomicUsize::new(0);
    // Rows are independent, so each thread streams its own share through its own
    // model (instances are per thread; the library is shared). `sim_seconds` times
    // the loop alone: every model is made before the clock starts.
    let n_threads = threads(vectors.len(), vcd.is_some());
    let parts: Vec<&[Vector]> = vectors
        .chunks(vectors.len().div_ceil(n_threads).max(1))
        .collect();
    let ready = Barrier::new(parts.len() + 1);
    let (results, sim_seconds) = std::thread::scope(|s| {
        let handles: Vec<_> = parts
            .iter()
            .map(|&part| {
                let (lib, bar, shown, ready) = (&lib, &bar, &shown, &ready);
                s.spawn(move || {
                    let inst = lib.instantiate().and_then(|mut inst| {
                        if let Some(v) = vcd {
                            inst.trace_open(v)?;
                        }
                        Ok(inst)
                    });
                    ready.wait();
                    let mut inst = inst?;
                    Ok::<_, anyhow::Error>(drive(l, &mut inst, part, floats, bar, shown))
                })
            })
            .collect();
        ready.wait();
        let t1 = Instant::now();
        let results: Vec<_> = handles
            .into_iter()
            .map(|h| h.join().expect("cosimulation thread panicked"))
            .collect();
        (results, t1.elapsed().as_secs_f64())
    });
    let (mut mismatches, mut cycles) = (0, 0);
    for r in results {
        let (m, c) = r?;
        mismatches += m;
        cycles += c;
    }
    bar.finish_and_clear();
    let extra = shown.load(Ordering::Relaxed).saturating_sub(SHOW);
    if extra > 0 {
        eprintln!("... {extra} more mismatches not shown");
    }
    Ok(Outcome {
        mismatches,
        cycles,
        build_seconds,
        threads: n_threads,
        sim_seconds,
    })
}

/// How many threads stream `rows` rows: one per core, each with at least
/// [`ROWS_PER_THREAD`] rows; one when tracing (one VCD, one model).
fn threads(rows: usize, tracing: bool) -> usize {
    if tracing {
        return 1;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.min(rows / ROWS_PER_THREAD).max(1)
}

/// The core's ports as the harness needs them.
fn ports(l: &Loaded) -> Vec<sim::Port> {
    let mut p = vec![
        sim::Port::input("clk", 1),
        sim::Port::input("rst", 1),
        sim::Port::input("in_valid", 1),
        sim::Port::input("in_features", input_width(&l.ir)),
        sim::Port::output("out_valid", 1),
    ];
    if l.report.interface.in_ready {
        p.push(sim::Port::output("in_ready", 1));
    }
    for o in &l.report.interface.outputs {
        p.push(sim::Port::output(o.name.clone(), o.width));
    }
    p
}

/// Reads DIR/vectors.csv, checking that its expected outputs are still what eval() gives.
pub fn read_vectors(l: &Loaded) -> Result<Vec<Vector>> {
    let path = l.dir.join("vectors.csv");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let bad = |line: usize, what: &str| {
        UserError(format!(
            "{}: line {line}: {what}; expected the file `locus compile` wrote (recompile to fix)",
            path.display()
        ))
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != 2 + l.ir.outputs.len() {
            return Err(bad(i + 1, "wrong number of cells").into());
        }
        let row: usize = cells[0]
            .parse()
            .map_err(|_| bad(i + 1, "row is not a number"))?;
        let inputs = unpack_hex(&l.ir, cells[1])
            .ok_or_else(|| bad(i + 1, "in_features is not hex of the right width"))?;
        let outputs = l.ir.eval_outputs(&inputs);
        let stored: Vec<i64> = cells[2..].iter().filter_map(|c| c.parse().ok()).collect();
        if stored != outputs {
            return Err(bad(
                i + 1,
                "expected outputs differ from what the model computes",
            )
            .into());
        }
        out.push(Vector {
            row,
            inputs,
            outputs,
        });
    }
    Ok(out)
}

/// Streams the vectors; returns (mismatches, cycles).
fn drive(
    l: &Loaded,
    inst: &mut sim::Instance,
    vectors: &[Vector],
    floats: Option<&[Vec<f64>]>,
    bar: &ProgressBar,
    shown: &AtomicUsize,
) -> (usize, u64) {
    let port = |name: &str| inst.port(name).expect("port listed in the design");
    let (rst, in_valid, in_features, out_valid) = (
        port("rst"),
        port("in_valid"),
        port("in_features"),
        port("out_valid"),
    );
    let outs: Vec<(sim::PortId, u32, bool, String)> = l
        .report
        .interface
        .outputs
        .iter()
        .map(|o| (port(&o.name), o.width, o.signed, o.name.clone()))
        .collect();
    // The documented latency (the serial core's is longer than its IR's).
    let latency = l.report.latency_cycles as usize;
    let ready = l.report.interface.in_ready.then(|| port("in_ready"));
    // Reset.
    inst.set_u64(rst, 1);
    inst.set_u64(in_valid, 0);
    for _ in 0..3 {
        inst.tick();
    }
    inst.set_u64(rst, 0);
    let mut applied: VecDeque<Option<usize>> = VecDeque::new();
    let mut next = 0usize;
    let mut mismatches = 0usize;
    let mut cycles = 0u64;
    let mut idle_done = false;
    let mut out_words = vec![0u32; 2];
    let layout = hdl_gen::emit::input_layout(&l.ir);
    let mut in_words = vec![0u32; input_width(&l.ir).div_ceil(32) as usize];
    let mut got = Vec::with_capacity(outs.len());
    while next < vectors.len() || applied.iter().any(Option::is_some) {
        // A fixed pattern of idle cycles exercises the valid pipeline.
        let idle = next < vectors.len() && next % 7 == 3 && !idle_done;
        // A core with `in_ready` takes a vector only while it is high.
        let busy = ready.is_some_and(|r| inst.get_u64(r) == 0);
        let this = if next < vectors.len() && !idle && !busy {
            idle_done = false;
            let v = &vectors[next];
            inst.set_u64(in_valid, 1);
            compile::pack_into(&layout, &v.inputs, &mut in_words);
            inst.set(in_features, &in_words);
            next += 1;
            Some(next - 1)
        } else {
            idle_done = idle;
            inst.set_u64(in_valid, 0);
            None
        };
        applied.push_back(this);
        inst.tick();
        cycles += 1;
        if applied.len() < latency {
            continue;
        }
        let due = applied.pop_front().flatten();
        let valid = inst.get_u64(out_valid) == 1;
        got.clear();
        for (p, w, s, _) in &outs {
            out_words.resize(w.div_ceil(32) as usize, 0);
            inst.get(*p, &mut out_words);
            let raw = u64::from(out_words[0]) | out_words.get(1).map_or(0, |&x| u64::from(x) << 32);
            got.push(wrap(raw as i64, *w, *s));
        }
        let ok = match due {
            Some(i) => valid && got == vectors[i].outputs,
            None => !valid,
        };
        if !ok {
            mismatches += 1;
            if shown.fetch_add(1, Ordering::Relaxed) < SHOW {
                bar.suspend(|| explain(l, vectors, floats, due, valid, &got, &outs, cycles));
            }
        }
        if due.is_some() {
            bar.inc(1);
        }
    }
    (mismatches, cycles)
}

#[allow(clippy::too_many_arguments)]
fn explain(
    l: &Loaded,
    vectors: &[Vector],
    floats: Option<&[Vec<f64>]>,
    due: Option<usize>,
    valid: bool,
    got: &[i64],
    outs: &[(sim::PortId, u32, bool, String)],
    cycle: u64,
) {
    match due {
        None => eprintln!(
            "MISMATCH at cycle {cycle}: out_valid is 1 but no input was given {} cycles earlier",
            l.ir.latency()
        ),
        Some(i) => {
            let v = &vectors[i];
            eprintln!(
                "MISMATCH at cycle {cycle}, row {} (data line {}):",
                v.row,
                v.row + 2
            );
            for (k, p) in l.ir.inputs.iter().enumerate() {
                let real = floats
                    .and_then(|f| f.get(v.row))
                    .and_then(|r| r.get(p.feature as usize));
                match real {
                    Some(x) => eprintln!("    input  {:<24} {x} -> code {}", p.label, v.inputs[k]),
                    None => eprintln!("    input  {:<24} code {}", p.label, v.inputs[k]),
                }
            }
            if !valid {
                eprintln!(
                    "    out_valid is 0; expected 1 (latency {})",
                    l.ir.latency()
                );
            }
            for (j, (_, _, _, name)) in outs.iter().enumerate() {
                let flag = if got[j] == v.outputs[j] {
                    ""
                } else {
                    "   <-- differs"
                };
                eprintln!(
                    "    output {name:<24} expected {:>12}  got {:>12}{flag}",
                    v.outputs[j], got[j]
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_need_enough_rows_and_no_trace() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(threads(10, false), 1);
        assert_eq!(threads(ROWS_PER_THREAD * 2, false), cores.min(2));
        assert_eq!(threads(ROWS_PER_THREAD * 1000, false), cores);
        // One VCD comes from one model.
        assert_eq!(threads(ROWS_PER_THREAD * 1000, true), 1);
    }
}
