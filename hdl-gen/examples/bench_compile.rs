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
use hdl_gen::model::{
    Accumulate, Missing, Model, Node, PostTransform, Precision, SplitOp, Task, Tree,
};
use hdl_gen::passes::PassOptions;
use hdl_gen::quant::SearchOptions;
use hdl_gen::testing::Rng;
use std::time::Instant;

const FEATURES: usize = 20;
const ROWS: usize = 5000;

fn full_tree(rng: &mut Rng, depth: u32, rows: &[Vec<f64>]) -> Tree {
    let mut nodes = Vec::new();
    fn grow(rng: &mut Rng, nodes: &mut Vec<Node>, depth: u32, rows: &[Vec<f64>]) -> usize {
        let i = nodes.len();
        nodes.push(Node::Leaf {
            value: rng.uniform(-0.5, 0.5),
        });
        if depth > 0 {
            let feature = rng.below(FEATURES as u64) as usize;
            // Thresholds at data values, as tree learners place them.
            let threshold = rows[rng.below(rows.len() as u64) as usize][feature];
            let left = grow(rng, nodes, depth - 1, rows);
            let right = grow(rng, nodes, depth - 1, rows);
            nodes[i] = Node::Split {
                feature,
                threshold,
                left,
                right,
                default_left: true,
                missing: Missing::NanDefault,
            };
        }
        i
    }
    grow(rng, &mut nodes, depth, rows);
    Tree { group: 0, nodes }
}

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
    let scales: Vec<f64> = (0..FEATURES)
        .map(|f| 10f64.powi(f as i32 % 8 - 3))
        .collect();
    let rows: Vec<Vec<f64>> = (0..ROWS)
        .map(|_| scales.iter().map(|s| rng.uniform(-1.0, 1.0) * s).collect())
        .collect();
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
        let model = Model {
            source: "random".into(),
            task: Task::Classification,
            n_features: FEATURES,
            feature_names: None,
            n_classes: 2,
            class_names: None,
            base_score: vec![0.0],
            split_op: SplitOp::Lt,
            precision: Precision::F32,
            accumulate: Accumulate::F32,
            post: PostTransform::Sigmoid { scale: 1.0 },
            leaf_scale: 1.0,
            trees: (0..trees)
                .map(|_| full_tree(&mut rng, depth, &rows))
                .collect(),
        };
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
                    max_loss: 0.5,
                    input_bits: None,
                    leaf_bits: None,
                    rank,
                },
                passes: PassOptions::default(),
                explain: false,
                arch: hdl_gen::compile::Arch::Parallel,
                target: None,
                lanes: None,
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
