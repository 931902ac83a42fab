//! End-to-end tests of RBF models through the `locus` binary: the example SVMs compile, lint clean, cosimulate with zero mismatches, and keep the float accuracy.

mod common;

use common::*;

/// Compiles, lints and cosimulates one example SVM; fixed accuracy within 2 points of float.
fn example(name: &str) -> std::path::PathBuf {
    let ex = match root().join("examples").join(name) {
        e if e.exists() => e,
        _ => root().join("hdl-gen/tests/fixtures").join(name),
    };
    let dir = scratch(name);
    let d = dir.to_str().unwrap();
    ok(&locus(&[
        "compile",
        ex.join("model.onnx").to_str().unwrap(),
        "--data",
        ex.join("data.csv").to_str().unwrap(),
        "-o",
        d,
    ]));
    sim::lint(&[dir.join("rtl/locus_core.v")], "locus_core")
        .unwrap_or_else(|e| panic!("{name}: lint: {e}"));
    ok(&locus(&["sim", d]));
    let s = json(&dir.join("sim.json"));
    assert_eq!(s["mismatches"], 0, "{name}");
    let r = json(&dir.join("report.json"));
    assert_eq!(r["architecture"], "parallel");
    assert_eq!(r["initiation_interval"], 1);
    assert!(
        r["kernel_tables"] == "plain" || r["kernel_tables"] == "interpolated",
        "{name}: {}",
        r["kernel_tables"]
    );
    let m = &r["metrics"];
    if let (Some(f), Some(x)) = (
        m["float"]["accuracy"].as_f64(),
        m["fixed"]["accuracy"].as_f64(),
    ) {
        assert!(x >= f - 0.02, "{name}: fixed accuracy {x} vs float {f}");
    }
    // predict (fixed reference) agrees with the compiled vectors' classes.
    let out = locus(&[
        "predict",
        d,
        "--data",
        ex.join("data.csv").to_str().unwrap(),
    ]);
    ok(&out);
    let n = String::from_utf8_lossy(&out.stdout).lines().count();
    assert_eq!(n as u64, m["rows"].as_u64().unwrap());
    dir
}

#[test]
fn iris_svc_parallel() {
    example("iris-svc");
}

#[test]
fn wine_svc_parallel() {
    example("wine-svc");
}

/// A StandardScaler + SVC pipeline on raw features: the host scales, the RTL is exact.
#[test]
fn svc_with_scaler_parallel() {
    let dir = example("svc-scaler-wine");
    let m = json(&dir.join("model.json"));
    assert!(m["scaler"]["scale"].is_array(), "{m}");
}

#[test]
fn breast_cancer_svc_parallel() {
    example("breast-cancer-svc");
}

/// The SVR's 412 support vectors need interpolated kernel tables to meet the default
/// `--max-loss` (plain tables lose ~9% RMSE at the widest formats).
#[test]
fn diabetes_svr_parallel() {
    let dir = example("diabetes-svr");
    let r = json(&dir.join("report.json"));
    assert_eq!(r["search"]["budget_met"], true, "{}", r["search"]["loss"]);
    assert_eq!(r["kernel_tables"], "interpolated");
}
