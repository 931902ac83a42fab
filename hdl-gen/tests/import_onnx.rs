//! ONNX importer: every ONNX fixture predicts what scikit-learn (or XGBoost / LightGBM) and onnxruntime predicted, and unsupported graphs are refused by name.
//!
//! Each fixture folder (`hdl-gen/tests/fixtures/onnx-*`, `examples/*-sklearn-*`) holds
//! `model.onnx`, `data.csv` and `expected.csv` written by `examples/train_sklearn.py`:
//! the library's `margin_k`, `output_k`, `class` and onnxruntime's `ort_output_k`,
//! `ort_class`. Where the two agree, the float predictor must equal them (1e-5 relative,
//! class exactly). Where they disagree the ONNX file has lost something the library
//! knew; such fixtures are listed in [`KNOWN_DISAGREEMENTS`] with the reason, and there
//! the predictor must follow the file, i.e. equal onnxruntime.

use hdl_gen::import::{self, load_bytes};
use hdl_gen::model::{Model, PostTransform, Precision, SplitOp, Task};
use std::path::{Path, PathBuf};

/// Fixtures that must exist (folders relative to the workspace root).
const FIXTURES: &[&str] = &[
    "examples/iris-sklearn-rf",
    "hdl-gen/tests/fixtures/onnx-dt-wine-names",
    "hdl-gen/tests/fixtures/onnx-rf-digits",
    "hdl-gen/tests/fixtures/onnx-et-breast-cancer",
    "hdl-gen/tests/fixtures/onnx-gb-binary",
    "hdl-gen/tests/fixtures/onnx-gb-multi",
    "hdl-gen/tests/fixtures/onnx-hgb-binary-missing",
    "hdl-gen/tests/fixtures/onnx-hgb-multi",
    "hdl-gen/tests/fixtures/onnx-rf-missing",
    "hdl-gen/tests/fixtures/onnx-dt-missing-as-exported",
    "hdl-gen/tests/fixtures/onnx-gb-regressor",
    "hdl-gen/tests/fixtures/onnx-hgb-regressor-missing",
    "hdl-gen/tests/fixtures/onnx-rf-regressor",
    "hdl-gen/tests/fixtures/onnx-dt-regressor",
    "hdl-gen/tests/fixtures/onnx-xgb-binary-missing",
    "hdl-gen/tests/fixtures/onnx-lgbm-multi",
    "hdl-gen/tests/fixtures/onnx-tree-ensemble-op5",
];

/// Fixtures on which the library and onnxruntime disagree, and why.
const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[(
    "hdl-gen/tests/fixtures/onnx-dt-missing-as-exported",
    "skl2onnx 1.20 does not write a DecisionTree's missing_go_to_left: in the file every \
     NaN goes to the false (right) child",
)];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("hdl-gen sits inside the workspace")
        .to_path_buf()
}

/// The rule of import_fixtures.rs: 1e-5 relative, with 1e-6 absolute near zero.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-5 * a.abs().max(b.abs()) + 1e-6
}

fn all_close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(*x, *y))
}

/// Feature rows of `data.csv` (every column but `label`, in order; NaN for empty).
fn read_rows(path: &Path) -> Vec<Vec<f64>> {
    let mut rd = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    let cols: Vec<usize> = (0..header.len())
        .filter(|&c| header[c] != "label")
        .collect();
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            cols.iter()
                .map(|&c| {
                    let s = r.get(c).unwrap().trim();
                    if s.is_empty() {
                        f64::NAN
                    } else {
                        s.parse().unwrap()
                    }
                })
                .collect()
        })
        .collect()
}

struct Expected {
    margins: Vec<f64>,
    outputs: Vec<f64>,
    ort_outputs: Vec<f64>,
    class: Option<usize>,
    ort_class: Option<usize>,
}

fn read_expected(path: &Path, groups: usize) -> Vec<Expected> {
    let mut rd = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = rd.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{}: no column {name}", path.display()))
    };
    let cols = |p: &str| {
        (0..groups)
            .map(|g| col(&format!("{p}_{g}")))
            .collect::<Vec<_>>()
    };
    let (m, o, q) = (cols("margin"), cols("output"), cols("ort_output"));
    assert!(
        !header.iter().any(|h| h == &format!("margin_{groups}")),
        "{}: more output groups than the model's {groups}",
        path.display()
    );
    let class = header.iter().position(|h| h == "class");
    let ort_class = header.iter().position(|h| h == "ort_class");
    rd.records()
        .map(|r| {
            let r = r.unwrap();
            let num = |c: &usize| r.get(*c).unwrap().parse::<f64>().unwrap();
            let idx = |c: Option<usize>| c.map(|c| r.get(c).unwrap().parse::<usize>().unwrap());
            Expected {
                margins: m.iter().map(num).collect(),
                outputs: o.iter().map(num).collect(),
                ort_outputs: q.iter().map(num).collect(),
                class: idx(class),
                ort_class: idx(ort_class),
            }
        })
        .collect()
}

fn found_fixtures(root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    // Other ONNX folders (SVMs) belong to other importers.
    for (r, marker) in [
        ("examples", "-sklearn-"),
        ("hdl-gen/tests/fixtures", "onnx-"),
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(r)) else {
            continue;
        };
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().contains(marker)
                && e.path().join("model.onnx").exists()
                && e.path().join("expected.csv").exists()
            {
                found.push(format!("{r}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    found.sort();
    found
}

#[test]
fn every_onnx_fixture_predicts_like_its_library_and_onnxruntime() {
    let root = workspace();
    let found = found_fixtures(&root);
    let missing: Vec<&&str> = FIXTURES
        .iter()
        .filter(|f| !found.iter().any(|x| x == *f))
        .collect();
    assert!(missing.is_empty(), "fixtures missing: {missing:?}");

    let mut failures = Vec::new();
    for fixture in &found {
        let dir = root.join(fixture);
        let model = match import::load(&dir.join("model.onnx")) {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{fixture}: import failed: {e}"));
                continue;
            }
        };
        let rows = read_rows(&dir.join("data.csv"));
        let expected = read_expected(&dir.join("expected.csv"), model.n_groups());
        assert_eq!(rows.len(), expected.len(), "{fixture}: row counts differ");
        assert!(!rows.is_empty(), "{fixture}: no rows");
        let known = KNOWN_DISAGREEMENTS.iter().find(|(f, _)| f == fixture);
        let (mut bad, mut disagree) = (0, 0);
        for (i, (row, want)) in rows.iter().zip(&expected).enumerate() {
            let got = model.predict_row(row);
            let agree = want.class == want.ort_class && all_close(&want.outputs, &want.ort_outputs);
            let ok = if agree {
                all_close(&got.margins, &want.margins)
                    && all_close(&got.outputs, &want.outputs)
                    && want.class.is_none_or(|c| c == got.class)
            } else {
                disagree += 1;
                known.is_some()
                    && all_close(&got.outputs, &want.ort_outputs)
                    && want.ort_class.is_none_or(|c| c == got.class)
            };
            if !ok {
                if bad < 3 {
                    failures.push(format!(
                        "{fixture} ({}): row {i}: got margins {:?} outputs {:?} class {}; \
                         library: margins {:?} outputs {:?} class {:?}; onnxruntime: \
                         outputs {:?} class {:?}",
                        model.source,
                        got.margins,
                        got.outputs,
                        got.class,
                        want.margins,
                        want.outputs,
                        want.class,
                        want.ort_outputs,
                        want.ort_class
                    ));
                }
                bad += 1;
            }
        }
        eprintln!(
            "{fixture} ({}): {} rows, library and onnxruntime disagree on {disagree}{}",
            model.source,
            rows.len(),
            known.map_or(String::new(), |(_, why)| format!(" (known: {why})"))
        );
        if bad > 0 {
            failures.push(format!("{fixture}: {bad} of {} rows differ", rows.len()));
        }
        if let Some((_, why)) = known {
            if disagree == 0 {
                failures.push(format!(
                    "{fixture}: listed as a known disagreement ({why}) but none was found"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    let p = workspace()
        .join("hdl-gen/tests/fixtures")
        .join(name)
        .join("model.onnx");
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn semantics_per_exporter() {
    let load = |n: &str| load_bytes(n, &fixture_bytes(n)).unwrap();
    // skl2onnx: x <= t on float32, no missing handling unless written.
    let m = load("onnx-gb-binary");
    assert_eq!((m.split_op, m.precision), (SplitOp::Le, Precision::F32));
    assert_eq!(m.post, PostTransform::Sigmoid { scale: 1.0 });
    // A binary forest: the margin is P(class 1) - 0.5.
    let m = load("onnx-et-breast-cancer");
    assert_eq!(m.post, PostTransform::Offset { offset: 0.5 });
    assert_eq!(m.base_score, vec![-0.5]);
    // A multi-class forest: each tree becomes one tree per class.
    let m = load("onnx-rf-digits");
    assert_eq!((m.n_classes, m.n_groups()), (10, 10));
    assert_eq!(m.post, PostTransform::Identity);
    assert!(m.trees.len() > 20 && m.trees.len() <= 200);
    // onnxmltools XGBoost: x < t.
    let m = load("onnx-xgb-binary-missing");
    assert_eq!(m.split_op, SplitOp::Lt);
    // String class labels become the class names.
    let m = load("onnx-dt-wine-names");
    assert_eq!(
        m.class_names.as_deref(),
        Some(&["barbera".to_string(), "barolo".into(), "grignolino".into()][..])
    );
    let m = load("onnx-tree-ensemble-op5");
    assert_eq!(m.task, Task::Regression);
}

/// An ONNX model written here, byte by byte, for error cases the exporters never make.
mod build {
    /// Protobuf writer for the handful of messages needed.
    pub fn varint(out: &mut Vec<u8>, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
    }
    pub fn field_bytes(out: &mut Vec<u8>, field: u32, b: &[u8]) {
        varint(out, u64::from(field) << 3 | 2);
        varint(out, b.len() as u64);
        out.extend_from_slice(b);
    }
    pub fn field_varint(out: &mut Vec<u8>, field: u32, v: u64) {
        varint(out, u64::from(field) << 3);
        varint(out, v);
    }

    pub enum A<'a> {
        Ints(&'a [i64]),
        Floats(&'a [f32]),
        Str(&'a str),
        Strs(&'a [&'a str]),
        Int(i64),
        /// A double tensor.
        Doubles(&'a [f64]),
    }

    pub fn attr(name: &str, a: A) -> Vec<u8> {
        let mut o = Vec::new();
        field_bytes(&mut o, 1, name.as_bytes());
        match a {
            A::Ints(v) => {
                for &x in v {
                    field_varint(&mut o, 8, x as u64);
                }
                field_varint(&mut o, 20, 7);
            }
            A::Floats(v) => {
                for &x in v {
                    varint(&mut o, 7 << 3 | 5);
                    o.extend_from_slice(&x.to_le_bytes());
                }
                field_varint(&mut o, 20, 6);
            }
            A::Str(s) => {
                field_bytes(&mut o, 4, s.as_bytes());
                field_varint(&mut o, 20, 3);
            }
            A::Strs(v) => {
                for s in v {
                    field_bytes(&mut o, 9, s.as_bytes());
                }
                field_varint(&mut o, 20, 8);
            }
            A::Int(x) => {
                field_varint(&mut o, 3, x as u64);
                field_varint(&mut o, 20, 2);
            }
            A::Doubles(v) => {
                let mut t = Vec::new();
                field_varint(&mut t, 1, v.len() as u64);
                field_varint(&mut t, 2, 11);
                for &x in v {
                    varint(&mut t, 10 << 3 | 1);
                    t.extend_from_slice(&x.to_le_bytes());
                }
                field_bytes(&mut o, 5, &t);
                field_varint(&mut o, 20, 4);
            }
        }
        o
    }

    pub fn node(
        op: &str,
        domain: &str,
        name: &str,
        ins: &[&str],
        outs: &[&str],
        attrs: &[Vec<u8>],
    ) -> Vec<u8> {
        let mut o = Vec::new();
        for i in ins {
            field_bytes(&mut o, 1, i.as_bytes());
        }
        for x in outs {
            field_bytes(&mut o, 2, x.as_bytes());
        }
        field_bytes(&mut o, 3, name.as_bytes());
        field_bytes(&mut o, 4, op.as_bytes());
        for a in attrs {
            field_bytes(&mut o, 5, a);
        }
        field_bytes(&mut o, 7, domain.as_bytes());
        o
    }

    /// An input `X` of shape [N, features] and element type `elem` (1 float, 11 double).
    pub fn input(features: i64, elem: u64) -> Vec<u8> {
        let mut dim0 = Vec::new();
        field_bytes(&mut dim0, 2, b"N");
        let mut dim1 = Vec::new();
        field_varint(&mut dim1, 1, features as u64);
        let mut shape = Vec::new();
        field_bytes(&mut shape, 1, &dim0);
        field_bytes(&mut shape, 1, &dim1);
        let mut tensor = Vec::new();
        field_varint(&mut tensor, 1, elem);
        field_bytes(&mut tensor, 2, &shape);
        let mut ty = Vec::new();
        field_bytes(&mut ty, 1, &tensor);
        let mut v = Vec::new();
        field_bytes(&mut v, 1, b"X");
        field_bytes(&mut v, 2, &ty);
        v
    }

    pub fn model(nodes: &[Vec<u8>]) -> Vec<u8> {
        model_typed(nodes, 1)
    }

    pub fn model_typed(nodes: &[Vec<u8>], elem: u64) -> Vec<u8> {
        let mut g = Vec::new();
        for n in nodes {
            field_bytes(&mut g, 1, n);
        }
        field_bytes(&mut g, 2, b"g");
        field_bytes(&mut g, 11, &input(2, elem));
        let mut m = Vec::new();
        field_varint(&mut m, 1, 8);
        field_bytes(&mut m, 2, b"test");
        field_bytes(&mut m, 7, &g);
        m
    }

    /// A one-split regressor on feature 1 with the given mode.
    pub fn regressor(mode: &str, input: &str) -> Vec<u8> {
        regressor_with(
            mode,
            input,
            attr("nodes_values", A::Floats(&[0.5, 0.0, 0.0])),
        )
    }

    /// The same with the thresholds given as `values`.
    pub fn regressor_with(mode: &str, input: &str, values: Vec<u8>) -> Vec<u8> {
        node(
            "TreeEnsembleRegressor",
            "ai.onnx.ml",
            "trees",
            &[input],
            &["variable"],
            &[
                attr("nodes_treeids", A::Ints(&[0, 0, 0])),
                attr("nodes_nodeids", A::Ints(&[0, 1, 2])),
                attr("nodes_featureids", A::Ints(&[1, 0, 0])),
                attr("nodes_modes", A::Strs(&[mode, "LEAF", "LEAF"])),
                values,
                attr("nodes_truenodeids", A::Ints(&[1, 0, 0])),
                attr("nodes_falsenodeids", A::Ints(&[2, 0, 0])),
                attr("nodes_missing_value_tracks_true", A::Ints(&[1, 0, 0])),
                attr("target_treeids", A::Ints(&[0, 0])),
                attr("target_nodeids", A::Ints(&[1, 2])),
                attr("target_ids", A::Ints(&[0, 0])),
                attr("target_weights", A::Floats(&[10.0, 20.0])),
                attr("n_targets", A::Int(1)),
                attr("post_transform", A::Str("NONE")),
            ],
        )
    }
}

fn err(bytes: &[u8]) -> String {
    load_bytes("m.onnx", bytes).unwrap_err().to_string()
}

#[test]
fn modes_and_missing_directions_on_a_handmade_model() {
    use build::*;
    // LEQ: true (left) when x <= 0.5; NaN tracks true.
    let m = load_bytes("m.onnx", &model(&[regressor("BRANCH_LEQ", "X")])).unwrap();
    let p = |m: &Model, x: f64| m.predict_row(&[0.0, x]).outputs[0];
    assert_eq!(
        (p(&m, 0.5), p(&m, 0.6), p(&m, f64::NAN)),
        (10.0, 20.0, 10.0)
    );
    // GT: true child when x > 0.5; NaN still tracks the true child.
    let m = load_bytes("m.onnx", &model(&[regressor("BRANCH_GT", "X")])).unwrap();
    assert_eq!(
        (p(&m, 0.5), p(&m, 0.6), p(&m, f64::NAN)),
        (20.0, 10.0, 10.0)
    );
    // GTE: x >= 0.5 goes to the true child.
    let m = load_bytes("m.onnx", &model(&[regressor("BRANCH_GTE", "X")])).unwrap();
    assert_eq!((p(&m, 0.5), p(&m, 0.4)), (10.0, 20.0));
    // LT.
    let m = load_bytes("m.onnx", &model(&[regressor("BRANCH_LT", "X")])).unwrap();
    assert_eq!((p(&m, 0.5), p(&m, 0.4)), (20.0, 10.0));
    assert_eq!(m.split_op, SplitOp::Lt);
    // float input: compared in float32 (0.5000000001 rounds to 0.5).
    let m = load_bytes("m.onnx", &model(&[regressor("BRANCH_LEQ", "X")])).unwrap();
    assert_eq!(p(&m, 0.500_000_000_1), 10.0);
}

#[test]
fn unsupported_modes_and_graphs_are_refused_by_name() {
    use build::*;
    let e = err(&model(&[regressor("BRANCH_EQ", "X")]));
    assert!(
        e.starts_with("m.onnx: tree 0, node 0: split mode BRANCH_EQ is not supported"),
        "{e}"
    );
    let e = err(&model(&[regressor("BRANCH_SOMETIMES", "X")]));
    assert!(
        e.contains("split mode 'BRANCH_SOMETIMES' is unknown"),
        "{e}"
    );
    // A scaler in front of the trees.
    let scaler = node(
        "Scaler",
        "ai.onnx.ml",
        "scaler",
        &["X"],
        &["Xs"],
        &[attr("scale", A::Floats(&[2.0, 2.0]))],
    );
    let e = err(&model(&[scaler, regressor("BRANCH_LEQ", "Xs")]));
    assert!(
        e.starts_with(
            "m.onnx: node 'scaler' (Scaler): transforms the features before the tree ensemble"
        ),
        "{e}"
    );
    // Something after the trees that changes the scores.
    let sig = node("Sigmoid", "", "squash", &["variable"], &["y"], &[]);
    let e = err(&model(&[regressor("BRANCH_LEQ", "X"), sig]));
    assert!(
        e.starts_with("m.onnx: node 'squash' (Sigmoid): is not supported beside the tree ensemble"),
        "{e}"
    );
    // No trees at all.
    let e = err(&model(&[node("Identity", "", "id", &["X"], &["Y"], &[])]));
    assert!(
        e.contains("no tree-ensemble operator in the graph (it has Identity)"),
        "{e}"
    );
    // Bytes that are not protobuf.
    let e = err(&[0x08, 0xff]);
    assert!(e.starts_with("m.onnx: not a readable ONNX model"), "{e}");
    assert!(!e.contains('\n'), "{e}");
}

#[test]
fn bad_post_transform_and_aggregate_are_refused() {
    use build::*;
    let mut probit = model(&[regressor("BRANCH_LEQ", "X")]);
    // Replace the post_transform string in place (same length keeps the framing valid).
    let at = probit.windows(4).position(|w| w == b"NONE").unwrap();
    probit[at..at + 4].copy_from_slice(b"PROB");
    let e = err(&probit);
    assert!(
        e.contains("post_transform 'PROB' is not supported for a regressor"),
        "{e}"
    );
}

/// Precision follows onnxruntime 1.31 (checked there on the same three graphs): a double
/// input compares in float64; a float input cast to double compares float32(x) with the
/// float64 threshold; a float input with double thresholds is refused (as onnxruntime
/// refuses it).
#[test]
fn comparison_precision_follows_the_input_type() {
    use build::*;
    let thr = || attr("nodes_values_as_tensor", A::Doubles(&[0.1, 0.0, 0.0]));
    let xs = [0.1, 0.100_000_000_1, f64::from(0.1f32), 0.099_999_99];
    let run = |m: &Model| -> Vec<f64> {
        xs.iter()
            .map(|&x| m.predict_row(&[0.0, x]).outputs[0])
            .collect()
    };
    let m = load_bytes(
        "m.onnx",
        &model_typed(&[regressor_with("BRANCH_LEQ", "X", thr())], 11),
    )
    .unwrap();
    assert_eq!(m.precision, Precision::F64);
    assert_eq!(run(&m), vec![10.0, 20.0, 20.0, 10.0]);
    let cast = node(
        "Cast",
        "",
        "widen",
        &["X"],
        &["Xd"],
        &[attr("to", A::Int(11))],
    );
    let m = load_bytes(
        "m.onnx",
        &model_typed(&[cast, regressor_with("BRANCH_LEQ", "Xd", thr())], 1),
    )
    .unwrap();
    assert_eq!(m.precision, Precision::F32);
    assert_eq!(run(&m), vec![20.0, 20.0, 20.0, 10.0]);
    let e = err(&model_typed(&[regressor_with("BRANCH_LEQ", "X", thr())], 1));
    assert!(
        e.contains("the thresholds are doubles but the trees' input is float"),
        "{e}"
    );
    // `<` with a float32 x against a float64 threshold rounds the threshold up.
    let m = load_bytes(
        "m.onnx",
        &model_typed(
            &[
                node(
                    "Cast",
                    "",
                    "widen",
                    &["X"],
                    &["Xd"],
                    &[attr("to", A::Int(11))],
                ),
                regressor_with("BRANCH_LT", "Xd", thr()),
            ],
            1,
        ),
    )
    .unwrap();
    // float32(0.1) = 0.100000001 is not < 0.1; float32(0.09999999) is.
    assert_eq!(run(&m), vec![20.0, 20.0, 20.0, 10.0]);
}

/// `<` and `<=` in one model: each `x < t` becomes `x <= (t's float32 predecessor)`.
#[test]
fn mixed_lt_and_leq_splits_are_exact() {
    use build::*;
    let two = node(
        "TreeEnsembleRegressor",
        "ai.onnx.ml",
        "trees",
        &["X"],
        &["variable"],
        &[
            attr("nodes_treeids", A::Ints(&[0, 0, 0, 1, 1, 1])),
            attr("nodes_nodeids", A::Ints(&[0, 1, 2, 0, 1, 2])),
            attr("nodes_featureids", A::Ints(&[0, 0, 0, 1, 0, 0])),
            attr(
                "nodes_modes",
                A::Strs(&["BRANCH_LT", "LEAF", "LEAF", "BRANCH_LEQ", "LEAF", "LEAF"]),
            ),
            attr("nodes_values", A::Floats(&[0.5, 0.0, 0.0, 0.5, 0.0, 0.0])),
            attr("nodes_truenodeids", A::Ints(&[1, 0, 0, 1, 0, 0])),
            attr("nodes_falsenodeids", A::Ints(&[2, 0, 0, 2, 0, 0])),
            attr("target_treeids", A::Ints(&[0, 0, 1, 1])),
            attr("target_nodeids", A::Ints(&[1, 2, 1, 2])),
            attr("target_ids", A::Ints(&[0, 0, 0, 0])),
            attr("target_weights", A::Floats(&[1.0, 2.0, 10.0, 20.0])),
        ],
    );
    let m = load_bytes("m.onnx", &model(&[two])).unwrap();
    assert_eq!(m.split_op, SplitOp::Le);
    let p = |a: f64, b: f64| m.predict_row(&[a, b]).outputs[0];
    assert_eq!(p(0.5, 0.5), 12.0);
    assert_eq!(p(0.499_999_97, 0.500_000_1), 21.0);
    assert_eq!(p(f64::from(0.5f32.next_down()), 0.6), 21.0);
}

/// A stump classifier over `labels` with the given weights `(node, class, weight)`.
fn classifier(labels: &[i64], weights: &[(i64, i64, f32)], post: &str) -> Vec<u8> {
    use build::*;
    let nodes: Vec<i64> = weights.iter().map(|w| w.0).collect();
    let ids: Vec<i64> = weights.iter().map(|w| w.1).collect();
    let ws: Vec<f32> = weights.iter().map(|w| w.2).collect();
    let trees = vec![0; weights.len()];
    model(&[node(
        "TreeEnsembleClassifier",
        "ai.onnx.ml",
        "trees",
        &["X"],
        &["label", "probabilities"],
        &[
            attr("nodes_treeids", A::Ints(&[0, 0, 0])),
            attr("nodes_nodeids", A::Ints(&[0, 1, 2])),
            attr("nodes_featureids", A::Ints(&[0, 0, 0])),
            attr("nodes_modes", A::Strs(&["BRANCH_LEQ", "LEAF", "LEAF"])),
            attr("nodes_values", A::Floats(&[0.5, 0.0, 0.0])),
            attr("nodes_truenodeids", A::Ints(&[1, 0, 0])),
            attr("nodes_falsenodeids", A::Ints(&[2, 0, 0])),
            attr("class_treeids", A::Ints(&trees)),
            attr("class_nodeids", A::Ints(&nodes)),
            attr("class_ids", A::Ints(&ids)),
            attr("class_weights", A::Floats(&ws)),
            attr("classlabels_int64s", A::Ints(labels)),
            attr("post_transform", A::Str(post)),
        ],
    )])
}

#[test]
fn classifier_forms() {
    // Binary, one score column of probabilities: class 1 when P > 0.5.
    let m = load_bytes(
        "m.onnx",
        &classifier(&[0, 1], &[(1, 0, 0.25), (2, 0, 0.75)], "NONE"),
    )
    .unwrap();
    let p = m.predict_row(&[0.9, 0.0]);
    assert_eq!((p.class, p.outputs.clone()), (1, vec![0.75]));
    assert_eq!(m.predict_row(&[0.1, 0.0]).class, 0);
    // Binary with both columns under SOFTMAX: margin s1 - s0 under a sigmoid.
    let m = load_bytes(
        "m.onnx",
        &classifier(
            &[0, 1],
            &[(1, 0, 1.0), (1, 1, 0.0), (2, 0, 0.0), (2, 1, 2.0)],
            "SOFTMAX",
        ),
    )
    .unwrap();
    let p = m.predict_row(&[0.9, 0.0]);
    assert_eq!(p.class, 1);
    assert!((p.outputs[0] - 1.0 / (1.0 + (-2.0f64).exp())).abs() < 1e-12);
    // Labels other than 0..K-1 become class names.
    let m = load_bytes("m.onnx", &classifier(&[3, 7, 9], &[(1, 2, 1.0)], "SOFTMAX")).unwrap();
    assert_eq!(
        m.class_names,
        Some(vec!["3".to_string(), "7".into(), "9".into()])
    );
}

#[test]
fn classifier_refusals_say_what_was_expected() {
    let e = err(&classifier(&[0, 1], &[(1, 0, 1.0), (2, 1, 1.0)], "NONE"));
    assert!(
        e.contains("a binary classifier with scores for both classes"),
        "{e}"
    );
    let e = err(&classifier(&[0, 1, 2], &[(1, 0, 1.0)], "SOFTMAX_ZERO"));
    assert!(
        e.contains("post_transform 'SOFTMAX_ZERO' is not supported"),
        "{e}"
    );
    let e = err(&classifier(&[0, 1], &[(1, 0, 1.0)], "PROBIT"));
    assert!(
        e.contains("post_transform 'PROBIT' is not supported"),
        "{e}"
    );
    let e = err(&classifier(&[0, 1, 2], &[(1, 5, 1.0)], "SOFTMAX"));
    assert!(
        e.starts_with("m.onnx: tree 0, node 1: class_ids is 5; expected 0 to 2"),
        "{e}"
    );
    let e = err(&classifier(&[0, 1, 2], &[(0, 0, 1.0)], "SOFTMAX"));
    assert!(
        e.contains("is for this node, which is a split; expected a leaf"),
        "{e}"
    );
    let e = err(&classifier(&[0, 1, 2], &[(4, 0, 1.0)], "SOFTMAX"));
    assert!(
        e.contains("is for node 4 of tree 0, which does not exist"),
        "{e}"
    );
    let e = err(&classifier(&[0, 0, 2], &[(1, 0, 1.0)], "SOFTMAX"));
    assert!(e.contains("class label '0' appears twice"), "{e}");
}

#[test]
fn tree_shape_errors_name_the_node() {
    use build::*;
    let bad = |true_ids: &[i64], node_ids: &[i64]| {
        model(&[node(
            "TreeEnsembleRegressor",
            "ai.onnx.ml",
            "trees",
            &["X"],
            &["variable"],
            &[
                attr("nodes_treeids", A::Ints(&[0, 0, 0])),
                attr("nodes_nodeids", A::Ints(node_ids)),
                attr("nodes_featureids", A::Ints(&[0, 0, 0])),
                attr(
                    "nodes_modes",
                    A::Strs(&["BRANCH_LEQ", "BRANCH_LEQ", "LEAF"]),
                ),
                attr("nodes_values", A::Floats(&[0.5, 0.5, 0.0])),
                attr("nodes_truenodeids", A::Ints(true_ids)),
                attr("nodes_falsenodeids", A::Ints(&[2, 2, 0])),
                attr("target_treeids", A::Ints(&[0])),
                attr("target_nodeids", A::Ints(&[2])),
                attr("target_ids", A::Ints(&[0])),
                attr("target_weights", A::Floats(&[1.0])),
            ],
        )])
    };
    let e = err(&bad(&[1, 0, 0], &[0, 1, 2]));
    assert!(e.starts_with("m.onnx: tree 0, node 1: "), "{e}");
    assert!(e.contains("already reached"), "{e}");
    let e = err(&bad(&[9, 0, 0], &[0, 1, 2]));
    assert!(
        e.contains("tree 0, node 0: true child is node 9, which tree 0 does not have"),
        "{e}"
    );
    let e = err(&bad(&[1, 2, 0], &[0, 1, 1]));
    assert!(
        e.contains("tree 0, node 1: the node is listed twice"),
        "{e}"
    );
}

#[test]
fn score_changing_nodes_after_the_trees_are_refused() {
    use build::*;
    // A Mul by a graph input (not a constant 1) changes the scores.
    let mul = node("Mul", "", "scale", &["variable", "X"], &["y"], &[]);
    let e = err(&model(&[regressor("BRANCH_LEQ", "X"), mul]));
    assert!(
        e.starts_with("m.onnx: node 'scale' (Mul): multiplies the scores by something other than a constant 1"),
        "{e}"
    );
    let two = node(
        "TreeEnsembleRegressor",
        "ai.onnx.ml",
        "more",
        &["X"],
        &["v2"],
        &[],
    );
    let e = err(&model(&[regressor("BRANCH_LEQ", "X"), two]));
    assert!(e.contains("a second tree ensemble"), "{e}");
}
