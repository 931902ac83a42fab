//! End-to-end tests of scikit-learn models exported to ONNX through the `locus` binary: compile, cosimulate with zero mismatches, float accuracy equal to scikit-learn's, class names from the model or `--classes`.

mod common;

use common::*;

/// Compiles and cosimulates a fixture folder; returns the report.
fn compile_and_sim(folder: &Path, name: &str) -> Value {
    let dir = scratch(name);
    let d = dir.to_str().unwrap();
    ok(&locus(&[
        "compile",
        folder.join("model.onnx").to_str().unwrap(),
        "--data",
        folder.join("data.csv").to_str().unwrap(),
        "-o",
        d,
    ]));
    ok(&locus(&["sim", d]));
    assert_eq!(json(&dir.join("sim.json"))["mismatches"], 0, "{name}");
    json(&dir.join("report.json"))
}

/// A classifier: float accuracy is scikit-learn's own, fixed within 1 point of it.
fn classifier(folder: &Path, name: &str) {
    let r = compile_and_sim(folder, name);
    let names: Vec<String> = match r["class_names"].as_array() {
        Some(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
        None => (0..r["n_classes"].as_u64().unwrap())
            .map(|c| c.to_string())
            .collect(),
    };
    let labels = column(&folder.join("data.csv"), "label");
    let predicted = column(&folder.join("expected.csv"), "class");
    let right = labels
        .iter()
        .zip(&predicted)
        .filter(|(l, p)| names[p.parse::<usize>().unwrap()] == **l)
        .count();
    let sklearn = right as f64 / labels.len() as f64;
    let float = r["metrics"]["float"]["accuracy"].as_f64().unwrap();
    let fixed = r["metrics"]["fixed"]["accuracy"].as_f64().unwrap();
    assert!(
        (float - sklearn).abs() < 1e-12,
        "{name}: float {float} vs scikit-learn {sklearn}"
    );
    assert!(
        fixed >= float - 0.01,
        "{name}: fixed {fixed} vs float {float}"
    );
}

#[test]
fn iris_random_forest_with_class_names() {
    let ex = root().join("examples/iris-sklearn-rf");
    classifier(&ex, "iris-sklearn-rf");
    // predict prints the names.
    let dir = scratch("iris-sklearn-rf");
    ok(&locus(&[
        "compile",
        ex.join("model.onnx").to_str().unwrap(),
        "--data",
        ex.join("data.csv").to_str().unwrap(),
        "-o",
        dir.to_str().unwrap(),
    ]));
    let out = locus(&[
        "predict",
        dir.to_str().unwrap(),
        "--data",
        ex.join("data.csv").to_str().unwrap(),
    ]);
    ok(&out);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.lines().next(), Some("setosa"), "{text}");
    assert_eq!(
        json(&dir.join("report.json"))["class_names"],
        serde_json::json!(["setosa", "versicolor", "virginica"])
    );
}

#[test]
fn digits_random_forest_many_features() {
    classifier(
        &root().join("hdl-gen/tests/fixtures/onnx-rf-digits"),
        "rf-digits",
    );
}

#[test]
fn binary_extra_trees_and_gradient_boosting() {
    let f = root().join("hdl-gen/tests/fixtures");
    classifier(&f.join("onnx-et-breast-cancer"), "et-breast-cancer");
    classifier(&f.join("onnx-gb-binary"), "gb-binary");
}

#[test]
fn gradient_boosting_regressor_keeps_its_rmse() {
    let r = compile_and_sim(
        &root().join("hdl-gen/tests/fixtures/onnx-gb-regressor"),
        "gb-regressor",
    );
    let float = r["metrics"]["float"]["rmse"].as_f64().unwrap();
    let fixed = r["metrics"]["fixed"]["rmse"].as_f64().unwrap();
    assert!(fixed <= float * 1.03, "fixed RMSE {fixed} vs float {float}");
}

#[test]
fn classes_option_names_the_classes() {
    let ex = root().join("examples/iris-xgb");
    let dir = scratch("iris-xgb-classes");
    let args = |classes: &str| {
        vec![
            "compile".to_string(),
            ex.join("model.json").display().to_string(),
            "--data".into(),
            ex.join("data.csv").display().to_string(),
            "-o".into(),
            dir.display().to_string(),
            "--classes".into(),
            classes.into(),
        ]
    };
    let run = |a: Vec<String>| locus(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let out = run(args("a,b"));
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "--classes: 2 class names for a model with 3 classes; expected one name per class"
        ),
        "{err}"
    );
    ok(&run(args("setosa,versicolor,virginica")));
    assert_eq!(
        json(&dir.join("report.json"))["class_names"],
        serde_json::json!(["setosa", "versicolor", "virginica"])
    );
    let out = locus(&[
        "predict",
        dir.to_str().unwrap(),
        "--data",
        ex.join("data.csv").to_str().unwrap(),
    ]);
    ok(&out);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().next(),
        Some("setosa")
    );
}
