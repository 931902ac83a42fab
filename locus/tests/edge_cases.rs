//! Edge-case models through `locus compile` and `locus sim`: single-leaf trees, constant features, values on thresholds, one feature, 100+ classes, infinite thresholds, duplicated trees.

use hdl_gen::model::{
    Accumulate, Missing, Model, Node, PostTransform, Precision, SplitOp, Task, Tree,
};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("edge")
        .join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn locus(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_locus"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run locus");
    assert!(
        out.status.success(),
        "{dir:?}: locus {args:?} failed ({:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn split(feature: usize, threshold: f64, left: usize, right: usize) -> Node {
    Node::Split {
        feature,
        threshold,
        left,
        right,
        default_left: true,
        missing: Missing::NanDefault,
    }
}

fn leaf(value: f64) -> Node {
    Node::Leaf { value }
}

fn stump(group: usize, feature: usize, t: f64, a: f64, b: f64) -> Tree {
    Tree {
        group,
        nodes: vec![split(feature, t, 1, 2), leaf(a), leaf(b)],
    }
}

fn model(task: Task, n_features: usize, n_classes: usize, trees: Vec<Tree>) -> Model {
    let groups = if n_classes > 2 { n_classes } else { 1 };
    Model {
        source: "locus edge-case test".to_string(),
        task,
        n_features,
        feature_names: None,
        n_classes,
        class_names: None,
        base_score: vec![0.0; groups],
        split_op: SplitOp::Lt,
        precision: Precision::F32,
        accumulate: Accumulate::F32,
        post: match (task, n_classes) {
            (Task::Regression, _) => PostTransform::Identity,
            (_, 2) => PostTransform::Sigmoid { scale: 1.0 },
            _ => PostTransform::Softmax,
        },
        leaf_scale: 1.0,
        trees,
    }
}

/// Writes the model and rows, compiles with the given extra options, cosimulates; zero mismatches.
fn check(name: &str, m: &Model, rows: &[Vec<f64>], extra: &[&str]) {
    let dir = write_case(name, m, rows);
    let mut args = vec!["compile", "model.json", "--data", "data.csv", "-o", "out"];
    args.extend_from_slice(extra);
    locus(&dir, &args);
    locus(&dir, &["sim", "out"]);
    let sim: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("out/sim.json")).unwrap()).unwrap();
    assert_eq!(sim["mismatches"], 0, "{name}: {sim}");
}

/// Rows over a grid that includes every threshold exactly and its neighbours.
fn rows(n_features: usize, values: &[f64]) -> Vec<Vec<f64>> {
    (0..values.len() * 3)
        .map(|i| {
            (0..n_features)
                .map(|f| values[(i + f * 7) % values.len()])
                .collect()
        })
        .collect()
}

#[test]
fn single_leaf_trees() {
    let trees = vec![
        Tree {
            group: 0,
            nodes: vec![leaf(0.75)],
        },
        stump(0, 0, 0.5, -1.0, 1.0),
        Tree {
            group: 0,
            nodes: vec![leaf(-0.25)],
        },
    ];
    let m = model(Task::Regression, 2, 1, trees);
    check("single_leaf", &m, &rows(2, &[0.0, 0.5, 1.0, 2.0]), &[]);
}

/// A model that is nothing but one leaf: a constant output.
#[test]
fn constant_model() {
    let m = model(
        Task::Regression,
        1,
        1,
        vec![Tree {
            group: 0,
            nodes: vec![leaf(3.0)],
        }],
    );
    check("only_a_leaf", &m, &rows(1, &[0.0, 1.0]), &[]);
}

#[test]
fn values_exactly_on_thresholds_and_one_feature() {
    let ts = [-1.5, 0.0, 0.1, 2.25];
    let trees = ts
        .iter()
        .enumerate()
        .map(|(i, &t)| stump(0, 0, t, -(i as f64) - 1.0, i as f64 + 0.5))
        .collect();
    let m = model(Task::Classification, 1, 2, trees);
    let mut values: Vec<f64> = ts.to_vec();
    for &t in &ts {
        values.push(t - 1e-3);
        values.push(t + 1e-3);
    }
    check("on_thresholds", &m, &rows(1, &values), &[]);
}

#[test]
fn constant_feature() {
    let trees = vec![stump(0, 0, 1.0, -1.0, 1.0), stump(0, 1, 0.5, 0.5, -0.5)];
    let m = model(Task::Regression, 2, 1, trees);
    let rows: Vec<Vec<f64>> = (0..20).map(|i| vec![7.0, i as f64 / 10.0]).collect();
    check("constant_feature", &m, &rows, &[]);
}

#[test]
fn infinite_thresholds() {
    let trees = vec![
        stump(0, 0, f64::INFINITY, 1.0, -1.0),
        stump(0, 0, f64::NEG_INFINITY, 2.0, -2.0),
        stump(0, 1, 0.5, 0.25, -0.25),
    ];
    let m = model(Task::Regression, 2, 1, trees);
    check(
        "infinite_thresholds",
        &m,
        &rows(2, &[-3.0, 0.0, 0.5, 4.0]),
        &[],
    );
}

#[test]
fn duplicated_trees() {
    let t = Tree {
        group: 0,
        nodes: vec![
            split(0, 0.5, 1, 2),
            split(1, 1.5, 3, 4),
            leaf(0.3),
            leaf(-0.2),
            leaf(0.1),
        ],
    };
    let m = model(Task::Classification, 2, 2, vec![t.clone(), t.clone(), t]);
    check(
        "duplicated_trees",
        &m,
        &rows(2, &[0.0, 0.5, 1.0, 1.5, 2.0]),
        &[],
    );
}

#[test]
fn over_a_hundred_classes() {
    let k = 101;
    let trees = (0..k)
        .map(|c| stump(c, 0, c as f64 + 0.5, 0.0, c as f64 / 10.0))
        .collect();
    let m = model(Task::Classification, 1, k, trees);
    let values: Vec<f64> = (0..k + 1).map(|v| v as f64).collect();
    check("hundred_classes", &m, &rows(1, &values), &[]);
}

/// Thresholds from 1e-300 to 1e300 on one feature, and rows across that range.
#[test]
fn huge_feature_range() {
    let ts = [-1e300, -1e-300, 1e-300, 1e-5, 1e5, 1e100, 1e300];
    let trees = ts
        .iter()
        .enumerate()
        .map(|(i, &t)| stump(0, 0, t, i as f64 * 0.125, -(i as f64) * 0.25))
        .collect();
    let m = model(Task::Regression, 1, 1, trees);
    let mut values = vec![f64::MAX, -f64::MAX, 0.0];
    for &t in &ts {
        values.extend([t, t * 0.5, t * 2.0]);
    }
    check("huge_range_rank", &m, &rows(1, &values), &[]);
    check(
        "huge_range_fixed",
        &m,
        &rows(1, &values),
        &["--input-encoding", "fixed"],
    );
}

/// Thresholds one float64 step apart around 1.0.
#[test]
fn tiny_feature_range() {
    let step = f64::EPSILON;
    let ts: Vec<f64> = (1..6).map(|k| 1.0 + k as f64 * step).collect();
    let trees = ts
        .iter()
        .enumerate()
        .map(|(i, &t)| stump(0, 0, t, i as f64, -(i as f64) * 0.5))
        .collect();
    let mut m = model(Task::Regression, 1, 1, trees);
    m.precision = Precision::F64;
    let values: Vec<f64> = (0..8).map(|k| 1.0 + k as f64 * step).collect();
    check("tiny_range_rank", &m, &rows(1, &values), &[]);
    check(
        "tiny_range_fixed",
        &m,
        &rows(1, &values),
        &["--input-encoding", "fixed"],
    );
}

/// Runs locus expecting a user error (exit 2); returns stderr.
fn refused(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_locus"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run locus");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(2), "locus {args:?}: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    assert!(!dir.join("out").exists(), "a refused compile left out/");
    err
}

fn write_case(name: &str, m: &Model, rows: &[Vec<f64>]) -> PathBuf {
    let dir = scratch(name);
    std::fs::write(dir.join("model.json"), serde_json::to_string(m).unwrap()).unwrap();
    let mut csv = (0..m.n_features)
        .map(|f| format!("f{f}"))
        .collect::<Vec<_>>()
        .join(",")
        + "\n";
    for r in rows {
        let cells: Vec<String> = r.iter().map(|v| format!("{v:?}")).collect();
        csv += &(cells.join(",") + "\n");
    }
    std::fs::write(dir.join("data.csv"), csv).unwrap();
    dir
}

/// A chain of `depth` splits on feature 0 with distinct thresholds.
fn chain(depth: usize, offset: f64) -> Tree {
    let mut nodes = Vec::new();
    for i in 0..depth {
        let at = nodes.len();
        nodes.push(leaf(0.0));
        nodes.push(leaf(i as f64 * 0.01));
        nodes[at] = split(0, offset + i as f64, at + 1, at + 2);
    }
    nodes.push(leaf(-1.0));
    Tree { group: 0, nodes }
}

const COMPILE: &[&str] = &["compile", "model.json", "--data", "data.csv", "-o", "out"];

/// Limits: a path too deep, a pipeline too big for any device, a score too wide for
/// 62-bit integers, and explicit widths out of range are refused at once, with the
/// figure and the limit, and leave no output directory.
#[test]
fn limits_are_refused_early() {
    let rows: Vec<Vec<f64>> = (0..40).map(|i| vec![i as f64 * 7.5]).collect();

    let deep = model(Task::Regression, 1, 1, vec![chain(300, 0.5)]);
    let err = refused(&write_case("limit_depth", &deep, &rows), COMPILE);
    assert!(
        err.contains("tree 0: 300 levels deep; the limit is 256"),
        "{err}"
    );

    let chains = (0..40).map(|t| chain(250, t as f64 * 1e-3)).collect();
    let wide = model(Task::Regression, 1, 1, chains);
    let dir = write_case("limit_registers", &wide, &rows);
    let mut args = COMPILE.to_vec();
    args.extend(["--stage-budget", "1"]);
    let err = refused(&dir, &args);
    assert!(
        err.contains("register bits; the limit is 1,000,000"),
        "{err}"
    );

    let mut huge_base = model(Task::Regression, 1, 1, vec![stump(0, 0, 10.0, 1e-9, 2e-9)]);
    huge_base.base_score = vec![1e300];
    let err = refused(&write_case("limit_score", &huge_base, &rows), COMPILE);
    assert!(err.contains("needs more than 62 bits"), "{err}");

    let small = model(Task::Regression, 1, 1, vec![stump(0, 0, 10.0, 1.0, 2.0)]);
    let dir = write_case("limit_widths", &small, &rows);
    for (flag, v, msg) in [
        ("--leaf-bits", "60", "60 is out of range; expected 2 to 32"),
        ("--input-bits", "62", "62 is out of range; expected 1 to 24"),
    ] {
        let mut args = COMPILE.to_vec();
        args.extend([flag, v]);
        let err = refused(&dir, &args);
        assert!(err.contains(msg), "{err}");
    }
}
