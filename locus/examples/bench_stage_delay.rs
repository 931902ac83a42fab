//! Stage-delay calibration: tree examples compiled at several `--stage-budget`s and placed and routed on an UP5K and an ECP5-85; writes bench/results/stage_delay.json with each Fmax and the per-family fit `period ≈ fixed + per_level × budget` that `--target-mhz` uses (`boards/families.toml`).
//!
//! Usage: `cargo run --release -p locus --example bench_stage_delay` (after
//! `cargo build --release -p locus`). Work directories go to `target/bench-stage/`.
//! Each design is built bare (`--device`, the serial-load wrapper), so the core's
//! own paths set Fmax. The fit is least squares over the (budget, period) points of a
//! family where the budget cut the logic (latency above 2, the input and output
//! registers alone). `--fit-only` refits the results already in the JSON file.

mod common;
use common::{locus, read_json, root};

use serde_json::{json, Value};

const MODELS: &[&str] = &["breast-cancer-lgbm", "diabetes-xgb", "digits-xgb"];
const BUDGETS: &[f64] = &[3.0, 6.0, 12.0, 24.0];
/// (family, bare device, models to build on it)
const DEVICES: &[(&str, &str, usize)] = &[("ice40", "up5k", 3), ("ecp5", "ecp5-85k", 2)];

fn model_file(name: &str) -> String {
    let ex = root().join("examples").join(name);
    for f in ["model.json", "model.txt", "model.onnx"] {
        if ex.join(f).exists() {
            return format!("examples/{name}/{f}");
        }
    }
    panic!("no model in examples/{name}")
}

/// Least-squares line through `(x, y)` points: (intercept, slope).
fn fit(points: &[(f64, f64)]) -> (f64, f64) {
    let n = points.len() as f64;
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), &(x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let sxx: f64 = points.iter().map(|&(x, _)| (x - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|&(x, y)| (x - mx) * (y - my)).sum();
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (my - slope * mx, slope)
}

/// The fit of each family over `points` (binding budgets only).
fn fits(points: &[Value]) -> serde_json::Map<String, Value> {
    let mut fits = serde_json::Map::new();
    for &(family, _, _) in DEVICES {
        let xy: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p["family"] == family && p["latency_cycles"].as_u64() > Some(2))
            .filter_map(|p| {
                Some((
                    p["stage_budget"].as_f64()?,
                    1000.0 / p["fmax_mhz"].as_f64()?,
                ))
            })
            .collect();
        let (fixed, per_level) = fit(&xy);
        eprintln!("{family}: period ≈ {fixed:.2} ns + {per_level:.3} ns × budget");
        fits.insert(
            family.into(),
            json!({ "fixed_ns": fixed, "ns_per_level": per_level, "points": xy.len() }),
        );
    }
    fits
}

fn main() {
    let results = root().join("bench/results");
    if std::env::args().any(|a| a == "--fit-only") {
        let path = results.join("stage_delay.json");
        let mut old: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let points = old["results"].as_array().cloned().unwrap_or_default();
        old["fits"] = Value::Object(fits(&points));
        std::fs::write(&path, serde_json::to_string_pretty(&old).unwrap() + "\n").unwrap();
        println!("{}", serde_json::to_string_pretty(&old["fits"]).unwrap());
        return;
    }
    let work = root().join("target/bench-stage");
    let mut points = Vec::new();
    for &(family, device, n_models) in DEVICES {
        for &name in &MODELS[..n_models] {
            for &b in BUDGETS {
                let dir = work.join(format!("{name}-{device}-{b}"));
                let d = dir.to_str().unwrap();
                let data = format!("examples/{name}/data.csv");
                eprintln!("{name}: stage budget {b}, {device}");
                let c = locus(&[
                    "compile",
                    &model_file(name),
                    "--data",
                    &data,
                    "-o",
                    d,
                    "--stage-budget",
                    &b.to_string(),
                ]);
                assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
                let s = locus(&["synth", d, "--device", device]);
                let synth = read_json(&dir.join("synth.json"));
                let report = read_json(&dir.join("report.json"));
                let fmax = synth["fmax_mhz"].as_f64().filter(|_| s.status.success());
                points.push(json!({
                    "family": family,
                    "device": device,
                    "model": name,
                    "stage_budget": b,
                    "latency_cycles": report["latency_cycles"],
                    "fmax_mhz": fmax,
                    "logic_cells": synth["logic_cells"],
                }));
            }
        }
    }
    let out = json!({ "benchmark": "stage_delay", "fits": fits(&points), "results": points });
    std::fs::create_dir_all(&results).unwrap();
    std::fs::write(
        results.join("stage_delay.json"),
        serde_json::to_string_pretty(&out).unwrap() + "\n",
    )
    .unwrap();
    println!("{}", serde_json::to_string_pretty(&out["fits"]).unwrap());
}
