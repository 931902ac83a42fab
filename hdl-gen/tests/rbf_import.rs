//! RBF importer fixtures: the float predictor equals scikit-learn's decision_function (1e-5 relative) and predict (exactly) on every example SVM.

use hdl_gen::import::load_any;
use hdl_gen::model::rbf::RbfModel;
use hdl_gen::model::AnyModel;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// An example's folder, or an importer fixture's.
fn folder(name: &str) -> std::path::PathBuf {
    let ex = root().join("examples").join(name);
    if ex.exists() {
        ex
    } else {
        root().join("hdl-gen/tests/fixtures").join(name)
    }
}

fn load(name: &str) -> RbfModel {
    match load_any(&folder(name).join("model.onnx")).unwrap() {
        AnyModel::Rbf(m) => m,
        AnyModel::Trees(_) => panic!("{name}: imported as trees"),
    }
}

fn csv(path: &Path) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let h = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(|c| c.parse().unwrap()).collect())
        .collect();
    (h, rows)
}

fn check(name: &str) {
    let m = load(name);
    let dir = folder(name);
    let (_, data) = csv(&dir.join("data.csv"));
    let (head, exp) = csv(&dir.join("expected.csv"));
    let margins: Vec<usize> = (0..head.len())
        .filter(|&i| head[i].starts_with("margin_"))
        .collect();
    let class = head.iter().position(|h| h == "class");
    let scale = exp
        .iter()
        .flat_map(|r| margins.iter().map(|&i| r[i].abs()))
        .fold(0.0f64, f64::max);
    // scikit-learn reports minus libsvm's decision value for binary SVC.
    let sign = if m.kind == hdl_gen::model::rbf::RbfKind::Svc && m.n_classes == 2 {
        -1.0
    } else {
        1.0
    };
    for (r, (row, e)) in data.iter().zip(&exp).enumerate() {
        let p = m.predict_row(&row[..m.n_features]);
        for (k, &i) in margins.iter().enumerate() {
            let got = sign * p.outputs[k];
            assert!(
                (got - e[i]).abs() <= 1e-5 * scale,
                "{name} row {r} output {k}: {got} vs scikit-learn {}",
                e[i]
            );
        }
        if let Some(c) = class {
            assert_eq!(p.class as f64, e[c], "{name} row {r}: class");
        }
    }
}

#[test]
fn iris_svc() {
    check("iris-svc");
}

#[test]
fn wine_svc() {
    check("wine-svc");
}

#[test]
fn breast_cancer_svc() {
    check("breast-cancer-svc");
}

#[test]
fn diabetes_svr() {
    check("diabetes-svr");
}

/// scikit-learn's default `decision_function_shape="ovr"`: skl2onnx appends a
/// one-vs-rest score transform; the label is unchanged, so the model imports with its
/// one-vs-one margins and predicts exactly as scikit-learn.
#[test]
fn svc_ovr_graph_imports() {
    check("svc-ovr-wine");
}

/// A StandardScaler + SVC pipeline: the ONNX `Scaler` becomes the model's input
/// scaler; predictions on the raw features equal scikit-learn's.
#[test]
fn svc_with_scaler_imports() {
    check("svc-scaler-wine");
    assert!(load("svc-scaler-wine").scaler.is_some());
}

/// The one-vs-rest tail is accepted only when it reads nothing but the SVM's outputs:
/// an operator on the path to the label is refused.
#[test]
fn svc_ovr_tail_on_the_label_is_refused() {
    let bytes = std::fs::read(folder("svc-ovr-wine").join("model.onnx")).unwrap();
    // Rename the graph's label output so the Cast producing it no longer does.
    let at = bytes
        .windows(12)
        .rposition(|w| w == b"output_label")
        .unwrap();
    let mut b = bytes.clone();
    b[at..at + 12].copy_from_slice(b"output_lab3l");
    let e = hdl_gen::import::load_any_bytes("m.onnx", &b)
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not supported beside an SVM"), "{e}");
}

#[test]
fn linear_kernel_is_refused() {
    // An SVMClassifier whose kernel_type is LINEAR: the iris model with its kernel renamed.
    let bytes = std::fs::read(root().join("examples/iris-svc/model.onnx")).unwrap();
    let at = bytes.windows(3).position(|w| w == b"RBF").unwrap();
    let mut b = bytes.clone();
    b[at..at + 3].copy_from_slice(b"LIN");
    let e = hdl_gen::import::load_any_bytes("m.onnx", &b)
        .unwrap_err()
        .to_string();
    assert!(e.contains("kernel_type LIN is not supported"), "{e}");
}

/// Protobuf field `f` holding bytes `b` (length-delimited).
fn pb(f: u32, b: &[u8]) -> Vec<u8> {
    let mut v = vec![(f << 3 | 2) as u8];
    let mut n = b.len();
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            v.push(byte);
            break;
        }
        v.push(byte | 0x80);
    }
    v.extend_from_slice(b);
    v
}

/// A node: op type, inputs, outputs.
fn node(op: &str, ins: &[&str], outs: &[&str]) -> Vec<u8> {
    let mut v = Vec::new();
    for i in ins {
        v.extend(pb(1, i.as_bytes()));
    }
    for o in outs {
        v.extend(pb(2, o.as_bytes()));
    }
    v.extend(pb(4, op.as_bytes()));
    pb(1, &v)
}

/// A malformed graph whose casts form a cycle ends in an error, not a hang.
#[test]
fn cyclic_graph_around_an_svm_is_refused() {
    let mut g = Vec::new();
    g.extend(node("SVMClassifier", &["X"], &["label", "scores"]));
    g.extend(node("Less", &["scores"], &["neg"]));
    g.extend(node("Cast", &["b"], &["a"]));
    g.extend(node("Cast", &["a"], &["b"]));
    g.extend(node("Scaler", &["s1"], &["X"]));
    g.extend(node("Cast", &["s2"], &["s1"]));
    g.extend(node("Cast", &["s1"], &["s2"]));
    g.extend(pb(11, &pb(1, b"input")));
    g.extend(pb(12, &pb(1, b"a")));
    let mut bytes = vec![0x08, 0x07];
    bytes.extend(pb(7, &g));
    let e = hdl_gen::import::load_any_bytes("m.onnx", &bytes)
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not supported beside an SVM"), "{e}");
}
