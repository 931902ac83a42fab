//! Explanations end to end: the evidence ports (trees and RBF models) cosimulate bit for bit, `locus explain` names the right features, classes and the source model's thresholds, `run --explain` reads evidence back through the simulated board, and `locus report` opens in headless Chromium.

mod common;
use common::*;
use std::collections::BTreeSet;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Compiles `model` with `--explain` (and extra options) into a fresh directory.
fn compiled(name: &str, model: &Path, data: &Path, extra: &[&str]) -> PathBuf {
    let dir = scratch(name);
    let mut args = vec![
        "compile",
        s(model),
        "--data",
        s(data),
        "-o",
        s(&dir),
        "--explain",
    ];
    args.extend_from_slice(extra);
    ok(&locus(&args));
    dir
}

fn cosim_clean(dir: &Path) {
    ok(&locus(&["sim", s(dir)]));
    assert_eq!(json(&dir.join("sim.json"))["mismatches"], 0);
}

#[test]
fn evidence_cosimulates_and_names_the_source_thresholds() {
    let model = root().join("examples/iris-xgb/model.json");
    let data = root().join("examples/iris-xgb/data.csv");
    let dir = compiled(
        "iris",
        &model,
        &data,
        &["--classes", "setosa,versicolor,virginica"],
    );
    let report = json(&dir.join("report.json"));
    let outputs: Vec<String> = report["interface"]["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        outputs.iter().filter(|n| n.starts_with("ev_leaf_")).count(),
        30,
        "{outputs:?}"
    );
    assert!(report["evidence_cost"]["muxes"].as_u64().unwrap() > 0);
    cosim_clean(&dir);

    let out = locus(&["explain", s(&dir), "--data", s(&data), "--row", "70"]);
    ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("row 70: virginica (class 2), margin"),
        "{text}"
    );
    assert!(text.contains("petal_length_cm < 4.9 "), "{text}");

    // Every condition, on every row: a feature of the model, and a threshold of the
    // source file's own (XGBoost `split_conditions`, float32), on the right side.
    let src = json(&model);
    let names: Vec<String> = src["learner"]["feature_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    let thresholds: BTreeSet<u32> = src["learner"]["gradient_booster"]["model"]["trees"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| t["split_conditions"].as_array().unwrap().clone())
        .map(|v| (v.as_f64().unwrap() as f32).to_bits())
        .collect();
    let out = locus(&["explain", s(&dir), "--data", s(&data), "--json"]);
    ok(&out);
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    let predicted = locus(&["predict", s(&dir), "--data", s(&data)]);
    let predicted: Vec<String> = String::from_utf8_lossy(&predicted.stdout)
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(all.as_array().unwrap().len(), 150);
    for (r, x) in all.as_array().unwrap().iter().enumerate() {
        assert_eq!(x["class_name"].as_str().unwrap(), predicted[r], "row {r}");
        assert_eq!(x["trees_considered"], 10);
        for c in x["conditions"].as_array().unwrap() {
            let f = c["feature"].as_u64().unwrap() as usize;
            assert_eq!(c["name"].as_str().unwrap(), names[f]);
            let t = c["threshold"].as_f64().unwrap();
            assert_eq!(t, c["source_threshold"].as_f64().unwrap() as f32 as f64);
            assert!(thresholds.contains(&(t as f32).to_bits()), "row {r}: {c}");
            assert!(["<", ">="].contains(&c["op"].as_str().unwrap()), "{c}");
        }
    }
}

/// LightGBM with missing values (NaN bits beside the codes) and `<=` splits.
#[test]
fn evidence_with_missing_values() {
    let fx = root().join("hdl-gen/tests/fixtures/lgbm-missing");
    let data = fx.join("data.csv");
    let dir = compiled("lgbm_missing", &fx.join("model.txt"), &data, &[]);
    cosim_clean(&dir);
    let out = locus(&["explain", s(&dir), "--data", s(&data), "--json"]);
    ok(&out);
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ops: BTreeSet<String> = all
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| x["conditions"].as_array().unwrap().clone())
        .map(|c| c["op"].as_str().unwrap().to_string())
        .collect();
    assert!(ops.contains("missing") && ops.contains("<="), "{ops:?}");
}

#[test]
fn run_explains_from_the_boards_evidence() {
    let data = root().join("examples/iris-xgb/data.csv");
    let dir = compiled(
        "iris_run",
        &root().join("examples/iris-xgb/model.json"),
        &data,
        &["--classes", "setosa,versicolor,virginica"],
    );
    let few = dir.join("few.csv");
    let text = std::fs::read_to_string(&data).unwrap();
    let mut lines: Vec<&str> = text.lines().take(1).collect();
    lines.extend(text.lines().skip(71).take(2));
    std::fs::write(&few, lines.join("\n") + "\n").unwrap();
    let out = locus(&["run", s(&dir), "--sim", "--data", s(&few), "--explain"]);
    ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("row 0: virginica (class 2), margin"),
        "{text}"
    );
    assert!(text.contains("0 mismatches"), "{text}");
}

/// RBF evidence: the nearest unit and its distance (and, for prototypes, each class's
/// nearest distance) cosimulate bit for bit and read as words.
#[test]
fn rbf_evidence_cosimulates_and_explains() {
    let data = root().join("examples/iris-svc/data.csv");
    let dir = compiled(
        "iris_svc",
        &root().join("examples/iris-svc/model.onnx"),
        &data,
        &["--classes", "setosa,versicolor,virginica"],
    );
    cosim_clean(&dir);
    let out = locus(&["explain", s(&dir), "--data", s(&data), "--row", "100"]);
    ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("row 100: virginica (class 2), margin"),
        "{text}"
    );
    assert!(text.contains("nearest support vector: #"), "{text}");
    let out = locus(&["explain", s(&dir), "--data", s(&data), "--json"]);
    ok(&out);
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    let predicted = locus(&["predict", s(&dir), "--data", s(&data)]);
    for (x, p) in all
        .as_array()
        .unwrap()
        .iter()
        .zip(String::from_utf8_lossy(&predicted.stdout).lines())
    {
        assert_eq!(x["class_name"].as_str().unwrap(), p);
        let a = x["activation"].as_f64().unwrap();
        assert!(a > 0.0 && a <= 1.0, "{x}");
    }
    let proto = compiled(
        "digits_proto",
        &root().join("examples/digits-proto/model.json"),
        &root().join("examples/digits-xgb/data.csv"),
        &[],
    );
    let outputs = json(&proto.join("report.json"))["interface"]["outputs"].clone();
    let names: Vec<&str> = outputs
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"ev_unit") && names.contains(&"ev_class_dist_9"),
        "{names:?}"
    );
    cosim_clean(&proto);
}

#[test]
fn report_opens_in_chromium() {
    let dir = compiled(
        "report",
        &root().join("examples/breast-cancer-lgbm/model.txt"),
        &root().join("examples/breast-cancer-lgbm/data.csv"),
        &[],
    );
    let out = locus(&["report", s(&dir)]);
    ok(&out);
    let page = dir.join("report.html");
    let cat = json(&dir.join("catalogue.json"));
    assert_eq!(cat["trees"].as_array().unwrap().len(), 20);
    let profile = scratch("chromium-profile");
    let out = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            &format!("--user-data-dir={}", s(&profile)),
            "--dump-dom",
            &format!("file://{}", s(&page.canonicalize().unwrap())),
        ])
        .output()
        .expect("chromium (Debian package chromium, installed by `make setup`)");
    assert!(out.status.success(), "{}", show(&out));
    let dom = String::from_utf8_lossy(&out.stdout);
    // The page's own script ran (no JS error stopped it) and found every section.
    assert!(
        dom.contains("data-sections=\"5\"") && dom.contains("data-plots=\"2\""),
        "{}",
        &dom[..dom.len().min(600)]
    );
    for section in [
        "Model",
        "Float vs fixed point",
        "Accuracy against bit width",
        "Hardware",
        "Node catalogue",
    ] {
        assert!(dom.contains(&format!(">{section}</h2>")), "{section}");
    }
    assert!(
        dom.contains("worst_concave_points"),
        "catalogue names features"
    );
}
