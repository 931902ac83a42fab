//! CPU benchmark: the integer reference predictor's rows per second on one thread, beside XGBoost's own predict (bench/results/cpu_xgboost.json); writes bench/results/cpu.{json,md} and the README's table.
//!
//! Usage: `cargo run --release -p hdl-gen --example bench_reference [ROWS]` after
//! `bench/cpu_xgboost.py ROWS` (`make bench` runs both). Each XGBoost example is
//! compiled as `locus compile` would (default options, its data.csv); the data is
//! tiled to ROWS rows; the time (best of 5) covers encoding each row as the hardware
//! sees it and the integer prediction with the class (`quant::FastPredictor::predict_many`,
//! what `locus predict` runs), one thread, as XGBoost predicts a batch.

#[allow(dead_code)] // the README writer is what this benchmark uses
#[path = "../../locus/examples/common/mod.rs"]
mod common;

use hdl_gen::compile::{compile, AnyQuant, CompileOptions};
use hdl_gen::quant::FastPredictor;
use serde_json::{json, Value};
use std::path::Path;
use std::time::Instant;

const MODELS: &[&str] = &["iris-xgb", "diabetes-xgb", "digits-xgb"];

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let results = root.join("bench/results");
    let xgb: Value = std::fs::read_to_string(results.join("cpu_xgboost.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let mut out = Vec::new();
    for &name in MODELS {
        let ex = root.join("examples").join(name);
        let file = ex.join("model.json");
        let model = hdl_gen::import::load_any(&file).expect("example model");
        let data =
            hdl_gen::data::read_for_model(&ex.join("data.csv"), &model).expect("example data");
        let opts = CompileOptions::default();
        let c = compile(model, &file.display().to_string(), &data, &opts).expect("compiles");
        let AnyQuant::Trees(qm) = &c.quant else {
            unreachable!("XGBoost examples are trees")
        };
        let tiled: Vec<&Vec<f64>> = data.rows.iter().cycle().take(rows).collect();
        let fast = FastPredictor::new(qm);
        let mut best = f64::MAX;
        let mut check = 0i64;
        for _ in 0..5 {
            let t = Instant::now();
            let mut sum = 0i64;
            let p = fast
                .predict_many(qm, &tiled)
                .expect("calibration rows encode");
            for r in 0..rows {
                sum = sum.wrapping_add(p.row(r)[0] + p.classes[r] as i64);
            }
            best = best.min(t.elapsed().as_secs_f64());
            check = sum;
        }
        let ours = rows as f64 / best;
        let theirs = xgb["results"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["model"] == name))
            .cloned()
            .unwrap_or(Value::Null);
        eprintln!("{name}: integer reference {ours:.0} rows/s (checksum {check})");
        out.push(json!({
            "model": name,
            "trees": qm.trees.len(),
            "rows": rows,
            "locus_reference_rows_per_second": ours,
            "xgboost_one_thread_rows_per_second": theirs["xgboost_one_thread_rows_per_second"],
            "xgboost_all_threads_rows_per_second": theirs["xgboost_all_threads_rows_per_second"],
            "xgboost": theirs["xgboost"],
        }));
    }
    std::fs::create_dir_all(&results).unwrap();
    let report = json!({ "benchmark": "cpu", "machine_threads": std::thread::available_parallelism().map_or(1, |n| n.get()), "results": out });
    std::fs::write(
        results.join("cpu.json"),
        serde_json::to_string_pretty(&report).unwrap() + "\n",
    )
    .unwrap();
    let mut md = String::from(
        "CPU rows per second, written by `make bench` (one thread unless said).\n\n\
         | model | trees | locus integer reference | XGBoost predict | XGBoost, all threads | reference / XGBoost |\n\
         |---|---|---|---|---|---|\n",
    );
    let fmt = |v: &Value| {
        v.as_f64().map_or("—".to_string(), |x| {
            hdl_gen::limits::thousands(x.round() as u64)
        })
    };
    for e in report["results"].as_array().unwrap() {
        let ratio = match (
            e["locus_reference_rows_per_second"].as_f64(),
            e["xgboost_one_thread_rows_per_second"].as_f64(),
        ) {
            (Some(a), Some(b)) => format!("{:.2}×", a / b),
            _ => "—".into(),
        };
        md += &format!(
            "| {} | {} | {} | {} | {} | {ratio} |\n",
            e["model"].as_str().unwrap_or(""),
            e["trees"],
            fmt(&e["locus_reference_rows_per_second"]),
            fmt(&e["xgboost_one_thread_rows_per_second"]),
            fmt(&e["xgboost_all_threads_rows_per_second"]),
        );
    }
    std::fs::write(results.join("cpu.md"), &md).unwrap();
    common::readme_section("cpu", &md);
    print!("{md}");
}
