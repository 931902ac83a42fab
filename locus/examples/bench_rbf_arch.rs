//! RBF architecture benchmark: each model compiled in parallel and serially (lanes for the board's multipliers) and built for an iCEBreaker; writes bench/results/rbf_arch.{json,md} and the README table between its markers.
//!
//! Usage: `cargo run --release -p locus --example bench_rbf_arch` (after
//! `cargo build --release -p locus`; `make bench` does both). Work directories go to
//! `target/bench-rbf/`. A design that does not fit is recorded with the resource it
//! overflows, from `synth.json`.

mod common;
use common::{locus, read_json, readme_section, root};

use hdl_gen::limits::thousands;
use serde_json::{json, Value};

const BOARD: &str = "icebreaker";

/// (name, model file, data file, description)
const MODELS: &[(&str, &str, &str, &str)] = &[
    (
        "iris-svc",
        "examples/iris-svc/model.onnx",
        "examples/iris-svc/data.csv",
        "RBF SVC, iris",
    ),
    (
        "wine-svc",
        "examples/wine-svc/model.onnx",
        "examples/wine-svc/data.csv",
        "RBF SVC, wine",
    ),
    (
        "digits-proto",
        "examples/digits-proto/model.json",
        "examples/digits-xgb/data.csv",
        "nearest prototype, digits (`locus train prototype`)",
    ),
];

fn main() {
    let work = root().join("target/bench-rbf");
    let mut rows = Vec::new();
    for &(name, model, data, what) in MODELS {
        for arch in ["parallel", "serial"] {
            let dir = work.join(format!("{name}-{arch}"));
            let d = dir.to_str().unwrap();
            eprintln!("{name} ({arch}): compile, synth --board {BOARD}");
            // Serially with as many lanes as the board's multipliers feed.
            let c = locus(&[
                "compile", model, "--data", data, "-o", d, "--arch", arch, "--target", BOARD,
            ]);
            assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
            let _ = std::fs::remove_file(dir.join("synth.json"));
            let s = locus(&["synth", d, "--board", BOARD]);
            let report = read_json(&dir.join("report.json"));
            let synth = read_json(&dir.join("synth.json"));
            let fits = synth["fits"] == true && s.status.success();
            let mut over: Vec<String> = synth["bels"]
                .as_object()
                .map(|b| {
                    b.iter()
                        .filter(|(_, u)| u["used"].as_u64() > u["available"].as_u64())
                        .map(|(bel, u)| format!("{bel} {} of {}", u["used"], u["available"]))
                        .collect()
                })
                .unwrap_or_default();
            if synth.is_null() && String::from_utf8_lossy(&s.stderr).contains("register bits") {
                // Refused before synthesis: more register bits than flip-flops.
                over.push(format!(
                    "{} register bits for 5,280 flip-flops",
                    thousands(report["design"]["register_bits"].as_u64().unwrap_or(0))
                ));
            }
            rows.push(json!({
                "model": name,
                "description": what,
                "architecture": arch,
                "units": report["n_units"],
                "features": report["n_features"],
                "latency_cycles": report["latency_cycles"],
                "initiation_interval": report["initiation_interval"],
                "lanes": report["lanes"],
                "fits": fits,
                "overflow": over,
                "logic_cells": synth["logic_cells"],
                "brams": synth["brams"],
                "dsps": synth["dsps"],
                "fmax_mhz": synth["fmax_mhz"],
            }));
        }
    }
    let out = json!({
        "benchmark": "rbf_arch",
        "board": BOARD,
        "device": "up5k",
        "logic_cells_available": 5280,
        "results": rows,
    });
    let results = root().join("bench/results");
    std::fs::create_dir_all(&results).unwrap();
    std::fs::write(
        results.join("rbf_arch.json"),
        serde_json::to_string_pretty(&out).unwrap() + "\n",
    )
    .unwrap();

    // The Markdown table: one row per model, both architectures side by side.
    let cell = |r: &Value| -> String {
        if r["fits"] == true {
            format!(
                "{} LC, {} BRAM, {} DSP, {} MHz, II {}{}",
                thousands(r["logic_cells"].as_u64().unwrap_or(0)),
                r["brams"],
                r["dsps"],
                r["fmax_mhz"],
                thousands(r["initiation_interval"].as_u64().unwrap_or(0)),
                match r["lanes"].as_u64() {
                    Some(k) => format!(" ({k} lanes)"),
                    None => String::new(),
                }
            )
        } else {
            let o: Vec<&str> = r["overflow"]
                .as_array()
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            if o.is_empty() {
                "does not build".into()
            } else {
                format!("does not fit: {}", o.join(", "))
            }
        }
    };
    let mut md =
        "| model | units × features | parallel | serial |\n|---|---|---|---|\n".to_string();
    for pair in out["results"].as_array().unwrap().chunks(2) {
        md += &format!(
            "| {} ({}) | {} × {} | {} | {} |\n",
            pair[0]["model"].as_str().unwrap_or(""),
            pair[0]["description"].as_str().unwrap_or(""),
            pair[0]["units"],
            pair[0]["features"],
            cell(&pair[0]),
            cell(&pair[1])
        );
    }
    std::fs::write(
        results.join("rbf_arch.md"),
        format!("RBF architectures on an iCEBreaker (UP5K, 5,280 logic cells), written by `make bench`.\n\n{md}"),
    )
    .unwrap();
    readme_section("rbf_arch", &md);
    print!("{md}");
}
