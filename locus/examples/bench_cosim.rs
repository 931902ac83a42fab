//! Cosimulation speed: random full-depth ensembles compiled and run through `locus sim` on many rows; writes bench/results/cosim.json (rows per second of the simulation loop, Verilator build time) against model size.
//!
//! Usage: `cargo run --release -p locus --example bench_cosim [ROWS]` (after
//! `cargo build --release -p locus`; `make bench` does both). Each model is
//! compiled through the library as `locus compile` does (5,000 calibration rows),
//! written to `target/bench-cosim/`, and simulated with `locus sim --data` on ROWS
//! rows (default 200,000) drawn like the calibration rows. `rows_per_second` is the
//! one `locus sim` reports: rows through the Verilated core, every output compared
//! every cycle, after the expected outputs are computed, on `threads` threads (one
//! model each, on its share of the rows); `end_to_end_rows_per_second`
//! divides by the whole command's time (CSV, expected outputs and build included).

mod common;
use common::{locus, read_json, root};

use hdl_gen::compile::{compile, write_dir, CompileOptions};
use hdl_gen::data::Dataset;
use hdl_gen::testing::{full_ensemble, spread_rows, Rng};
use serde_json::json;

const FEATURES: usize = 20;
const SIZES: &[(usize, u32)] = &[(10, 3), (10, 6), (100, 3), (100, 6), (100, 8), (300, 6)];

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let work = root().join("target/bench-cosim");
    std::fs::create_dir_all(&work).unwrap();
    let mut rng = Rng(0xc051);
    let calibration = spread_rows(&mut rng, 5000, FEATURES);
    let many = spread_rows(&mut rng, rows, FEATURES);
    let csv = work.join("rows.csv");
    let mut text: String = (0..FEATURES).map(|f| format!("f{f},")).collect();
    text.pop();
    text.push('\n');
    for r in &many {
        let line: Vec<String> = r.iter().map(|v| format!("{v}")).collect();
        text += &line.join(",");
        text.push('\n');
    }
    std::fs::write(&csv, text).unwrap();
    let mut out = Vec::new();
    for &(trees, depth) in SIZES {
        let model = full_ensemble(&mut rng, trees, depth, &calibration);
        let data = Dataset {
            file: "random.csv".into(),
            rows: calibration.clone(),
            labels: None,
        };
        let opts = CompileOptions::default();
        let c = compile(model, "random.json", &data, &opts).expect("compiles");
        let dir = work.join(format!("{trees}x{depth}"));
        write_dir(&c, &dir).expect("writes");
        let s = locus(&[
            "sim",
            dir.to_str().unwrap(),
            "--data",
            csv.to_str().unwrap(),
        ]);
        assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
        let sim = read_json(&dir.join("sim.json"));
        eprintln!(
            "{trees} trees, depth {depth}: {:.0} rows/s",
            sim["rows_per_second"].as_f64().unwrap_or(0.0)
        );
        out.push(json!({
            "trees": trees,
            "depth": depth,
            "rows": rows,
            "mismatches": sim["mismatches"],
            "rows_per_second": sim["rows_per_second"],
            "threads": sim["threads"],
            "build_seconds": sim["build_seconds"],
            "total_seconds": sim["total_seconds"],
            "end_to_end_rows_per_second": sim["total_seconds"].as_f64().map(|t| rows as f64 / t),
            "comparators": c.report.design.comparators,
            "muxes": c.report.design.muxes,
        }));
    }
    let report = json!({ "benchmark": "cosim", "verilator": sim::verilator_version().unwrap_or_default(), "results": out });
    let results = root().join("bench/results");
    std::fs::create_dir_all(&results).unwrap();
    std::fs::write(
        results.join("cosim.json"),
        serde_json::to_string_pretty(&report).unwrap() + "\n",
    )
    .unwrap();
    println!(
        "{}",
        serde_json::to_string_pretty(&report["results"]).unwrap()
    );
}
