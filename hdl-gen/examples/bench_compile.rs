//! Compile-time benchmark: random full-depth ensembles of growing size through the whole compile flow; writes bench/results/compile_time.json.
//!
//! Usage: `cargo run --release -p hdl-gen --example bench_compile [OUT.json]`.
//! Each model is a binary classifier on 20 features with very different ranges and
//! 5,000 calibration rows (XGBoost semantics); the time covers the width search,
//! lowering, passes, Verilog emission, test vectors (the IR evaluated on every
//! calibration row) and float/fixed metrics — everything
//! `locus compile` does but writing files — on the machine's threads. Each size is
//! compiled with both input encodings: `rank` (the default) and `fixed` (a
//! fixed-point input, whose width the search also chooses).

use hdl_gen::compile::{compile, CompileOptions};
use hdl_gen::data::Dataset;
use hdl_gen::quant::SearchOptions;
use hdl_gen::testing::{full_ensemble, spread_rows, Rng};
use std::time::Instant;

const FEATURES: usize = 20;
const ROWS: usize = 5000;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--only TREESxDEPTH` times one size (for profiling) and writes nothing.
    let only = args
        .iter()
        .position(|a| a == "--only")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let out = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .unwrap_or_else(|| "bench/results/compile_time.json".into());
    let mut rng = Rng(0x5eed);
    let rows = spread_rows(&mut rng, ROWS, FEATURES);
    let mut results = Vec::new();
    for &(trees, depth) in &[
        (10, 3),
        (10, 8),
        (100, 3),
        (100, 5),
        (100, 8),
        (300, 5),
        (1000, 3),
        (1000, 6),
        (2000, 4),
        (2000, 8),
    ] {
        let model = full_ensemble(&mut rng, trees, depth, &rows);
        if only
            .as_ref()
            .is_some_and(|o| *o != format!("{trees}x{depth}"))
        {
            continue; // after drawing the model: same models as a full run
        }
        let data = Dataset {
            file: "random.csv".into(),
            rows: rows.clone(),
            labels: None,
        };
        for rank in [true, false] {
            let encoding = if rank { "rank" } else { "fixed" };
            let opts = CompileOptions {
                search: SearchOptions {
                    rank,
                    ..SearchOptions::default()
                },
                ..CompileOptions::default()
            };
            let t = Instant::now();
            let c = compile(model.clone(), "random.json", &data, &opts).expect("compiles");
            let seconds = t.elapsed().as_secs_f64();
            println!(
            "{trees:>5} trees, depth {depth}, {encoding:>5}: {seconds:>7.2} s  ({} comparators, {} muxes, latency {})",
            c.report.design.comparators, c.report.design.muxes, c.report.latency_cycles
        );
            results.push(format!(
            "    {{\"trees\": {trees}, \"depth\": {depth}, \"encoding\": \"{encoding}\", \"features\": {FEATURES}, \"rows\": {ROWS}, \"seconds\": {seconds:.3}, \"comparators\": {}, \"muxes\": {}, \"latency_cycles\": {}}}",
            c.report.design.comparators, c.report.design.muxes, c.report.latency_cycles
        ));
        }
    }
    if only.is_some() {
        return;
    }
    let machine = format!(
        "{} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let json = format!(
        "{{\n  \"benchmark\": \"compile_time\",\n  \"machine\": \"{machine}\",\n  \"results\": [\n{}\n  ]\n}}\n",
        results.join(",\n")
    );
    if let Some(d) = std::path::Path::new(&out).parent() {
        std::fs::create_dir_all(d).expect("create the results directory");
    }
    std::fs::write(&out, json).expect("write the results");
    println!("wrote {out}");
}
