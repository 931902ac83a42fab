//! ONNX importer for RBF-kernel SVMs (`ai.onnx.ml` `SVMClassifier` / `SVMRegressor`, as skl2onnx writes scikit-learn `SVC`/`SVR`).
//!
//! Semantics (checked against scikit-learn on the examples): with `vectors_per_class`
//! `v`, support vectors of class `k` are the `v[k]` rows after those of classes `< k`;
//! `coefficients` has `n_classes − 1` rows of one value per support vector. For the
//! class pair `(i, j)`, `i < j`, at position `p` in lexicographic order:
//! `dec_p = Σ_{sv ∈ i} coef[j−1][sv]·K + Σ_{sv ∈ j} coef[i][sv]·K + rho[p]`,
//! which is libsvm's decision value (scikit-learn's `decision_function` with
//! `decision_function_shape="ovo"`; for two classes scikit-learn reports `−dec_0`).
//! `SVMRegressor`: `y = Σ coef[sv]·K + rho[0]`. `K = exp(−gamma·‖x − sv‖²)`, gamma
//! being `kernel_params[0]`. Values are float32 in the file and used as such.
//!
//! Only the RBF kernel is accepted; linear, polynomial and sigmoid kernels are refused.
//! The protobuf wire format is read by a small reader here (no generated code), treating
//! the bytes as untrusted.

use crate::error::{Error, Result};
use crate::model::rbf::{InputScaler, Metric, RbfKind, RbfModel, Unit, FORMAT, VERSION};
use crate::model::Task;

/// One protobuf field value.
#[derive(Clone, Copy, Debug)]
enum Val<'a> {
    Varint(u64),
    Fixed64,
    Bytes(&'a [u8]),
    Fixed32(u32),
}

/// Reads the fields of one protobuf message; `None` on malformed bytes.
fn fields(mut b: &[u8]) -> Option<Vec<(u32, Val<'_>)>> {
    fn varint(b: &mut &[u8]) -> Option<u64> {
        let mut v = 0u64;
        for i in 0..10 {
            let (&byte, rest) = b.split_first()?;
            *b = rest;
            v |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    let mut out = Vec::new();
    while !b.is_empty() {
        let key = varint(&mut b)?;
        let field = u32::try_from(key >> 3).ok()?;
        let val = match key & 7 {
            0 => Val::Varint(varint(&mut b)?),
            1 => {
                let (x, rest) = b.split_at_checked(8)?;
                b = rest;
                let _ = x;
                Val::Fixed64
            }
            2 => {
                let n = usize::try_from(varint(&mut b)?).ok()?;
                let (x, rest) = b.split_at_checked(n)?;
                b = rest;
                Val::Bytes(x)
            }
            5 => {
                let (x, rest) = b.split_at_checked(4)?;
                b = rest;
                Val::Fixed32(u32::from_le_bytes(x.try_into().ok()?))
            }
            _ => return None,
        };
        out.push((field, val));
    }
    Some(out)
}

/// An attribute's value as this importer needs it.
#[derive(Clone, Debug, Default)]
struct Attr {
    floats: Vec<f32>,
    ints: Vec<i64>,
    s: Vec<u8>,
    strings: Vec<String>,
    f: Option<f32>,
    i: Option<i64>,
}

struct NodeP {
    op_type: String,
    attrs: Vec<(String, Attr)>,
    inputs: Vec<String>,
    outputs: Vec<String>,
}

struct ModelP {
    producer: String,
    nodes: Vec<NodeP>,
    /// Feature count from the graph input's last dimension, when fixed.
    input_width: Option<usize>,
    graph_inputs: Vec<String>,
    graph_outputs: Vec<String>,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn parse_attr(b: &[u8]) -> Option<(String, Attr)> {
    let mut name = String::new();
    let mut a = Attr::default();
    for (f, v) in fields(b)? {
        match (f, v) {
            (1, Val::Bytes(x)) => name = text(x),
            (2, Val::Fixed32(x)) => a.f = Some(f32::from_bits(x)),
            (3, Val::Varint(x)) => a.i = Some(x as i64),
            (4, Val::Bytes(x)) => a.s = x.to_vec(),
            (7, Val::Fixed32(x)) => a.floats.push(f32::from_bits(x)),
            (7, Val::Bytes(x)) => {
                if x.len() % 4 != 0 {
                    return None;
                }
                a.floats.extend(
                    x.chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
                );
            }
            (8, Val::Varint(x)) => a.ints.push(x as i64),
            (8, Val::Bytes(mut x)) => {
                while !x.is_empty() {
                    let mut v = 0u64;
                    let mut done = false;
                    for i in 0..10 {
                        let (&byte, rest) = x.split_first()?;
                        x = rest;
                        v |= u64::from(byte & 0x7f) << (7 * i);
                        if byte & 0x80 == 0 {
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        return None;
                    }
                    a.ints.push(v as i64);
                }
            }
            (9, Val::Bytes(x)) => a.strings.push(text(x)),
            _ => {}
        }
    }
    Some((name, a))
}

fn parse_model(b: &[u8]) -> Option<ModelP> {
    let mut m = ModelP {
        producer: String::new(),
        nodes: Vec::new(),
        input_width: None,
        graph_inputs: Vec::new(),
        graph_outputs: Vec::new(),
    };
    let mut version = String::new();
    let mut graph = None;
    for (f, v) in fields(b)? {
        match (f, v) {
            (2, Val::Bytes(x)) => m.producer = text(x),
            (3, Val::Bytes(x)) => version = text(x),
            (7, Val::Bytes(x)) => graph = Some(x),
            _ => {}
        }
    }
    if !version.is_empty() {
        m.producer = format!("{} {version}", m.producer);
    }
    for (f, v) in fields(graph?)? {
        match (f, v) {
            (1, Val::Bytes(x)) => {
                let mut n = NodeP {
                    op_type: String::new(),
                    attrs: Vec::new(),
                    inputs: Vec::new(),
                    outputs: Vec::new(),
                };
                for (g, w) in fields(x)? {
                    match (g, w) {
                        (1, Val::Bytes(y)) => n.inputs.push(text(y)),
                        (2, Val::Bytes(y)) => n.outputs.push(text(y)),
                        (4, Val::Bytes(y)) => n.op_type = text(y),
                        (5, Val::Bytes(y)) => n.attrs.push(parse_attr(y)?),
                        _ => {}
                    }
                }
                m.nodes.push(n);
            }
            (11, Val::Bytes(x)) => {
                if m.input_width.is_none() {
                    m.input_width = input_width(x);
                }
                m.graph_inputs.push(value_name(x)?);
            }
            (12, Val::Bytes(x)) => m.graph_outputs.push(value_name(x)?),
            _ => {}
        }
    }
    Some(m)
}

/// The name of a ValueInfo.
fn value_name(vi: &[u8]) -> Option<String> {
    Some(
        fields(vi)?
            .into_iter()
            .find_map(|(f, v)| match (f, v) {
                (1, Val::Bytes(x)) => Some(text(x)),
                _ => None,
            })
            .unwrap_or_default(),
    )
}

/// skl2onnx's one-vs-rest score transform behind an `SVC(decision_function_shape=
/// "ovr")` (scikit-learn's default): nodes that read only the SVM's outputs, each
/// other and constants, while the graph's first output (the label) is the SVM's label
/// through casts. The transform changes the scores, never the label, so locus keeps
/// the one-vs-one margins and scikit-learn's `predict`.
fn score_only(m: &ModelP, nodes: &[&NodeP]) -> bool {
    let Some(svm) = m.nodes.iter().find(|n| n.op_type.starts_with("SVM")) else {
        return false;
    };
    let produced: Vec<&String> = m.nodes.iter().flat_map(|n| n.outputs.iter()).collect();
    let mut post: Vec<&String> = svm.outputs.iter().collect();
    for n in &m.nodes {
        if std::ptr::eq(n, svm) {
            continue;
        }
        let ok = n
            .inputs
            .iter()
            .all(|i| post.contains(&i) || (!produced.contains(&i) && !m.graph_inputs.contains(i)));
        if ok {
            post.extend(n.outputs.iter());
        } else if nodes.iter().any(|x| std::ptr::eq(*x, n)) {
            return false;
        }
    }
    // The label: the SVM's first output through Cast/Identity only.
    let (Some(mut t), Some(label)) = (m.graph_outputs.first(), svm.outputs.first()) else {
        return false;
    };
    // At most one step per node: a cyclic (malformed) graph ends the walk.
    for _ in 0..=m.nodes.len() {
        if t == label {
            return true;
        }
        match m.nodes.iter().find(|n| n.outputs.contains(t)) {
            Some(n) if matches!(n.op_type.as_str(), "Cast" | "Identity") => {
                match n.inputs.first() {
                    Some(i) => t = i,
                    None => return false,
                }
            }
            _ => return false,
        }
    }
    false
}

/// A `Scaler` between the graph input (through casts) and the SVM, as skl2onnx
/// exports `make_pipeline(StandardScaler(), SVC())`.
fn front_scaler(m: &ModelP) -> Option<&NodeP> {
    let svm = m.nodes.iter().find(|n| n.op_type.starts_with("SVM"))?;
    let sc = m
        .nodes
        .iter()
        .find(|n| n.op_type == "Scaler" && n.outputs.first() == svm.inputs.first())?;
    let mut t = sc.inputs.first()?;
    // At most one step per node: a cyclic (malformed) graph ends the walk.
    for _ in 0..=m.nodes.len() {
        if m.graph_inputs.contains(t) {
            return Some(sc);
        }
        let n = m.nodes.iter().find(|n| n.outputs.contains(t))?;
        if !matches!(n.op_type.as_str(), "Cast" | "Identity") {
            return None;
        }
        t = n.inputs.first()?;
    }
    None
}

/// Last fixed dimension of a graph input (ValueInfo → TypeProto → tensor → shape).
fn input_width(vi: &[u8]) -> Option<usize> {
    let ty = fields(vi)?.into_iter().find_map(|(f, v)| match (f, v) {
        (2, Val::Bytes(x)) => Some(x),
        _ => None,
    })?;
    let tensor = fields(ty)?.into_iter().find_map(|(f, v)| match (f, v) {
        (1, Val::Bytes(x)) => Some(x),
        _ => None,
    })?;
    let shape = fields(tensor)?
        .into_iter()
        .find_map(|(f, v)| match (f, v) {
            (2, Val::Bytes(x)) => Some(x),
            _ => None,
        })?;
    let dims: Vec<&[u8]> = fields(shape)?
        .into_iter()
        .filter_map(|(f, v)| match (f, v) {
            (1, Val::Bytes(x)) => Some(x),
            _ => None,
        })
        .collect();
    let last = dims.last()?;
    fields(last)?.into_iter().find_map(|(f, v)| match (f, v) {
        (1, Val::Varint(x)) => usize::try_from(x).ok(),
        _ => None,
    })
}

/// Is this an ONNX model holding an SVM operator?
pub fn detect(bytes: &[u8]) -> bool {
    bytes.first() == Some(&0x08)
        && parse_model(bytes).is_some_and(|m| m.nodes.iter().any(|n| n.op_type.starts_with("SVM")))
}

/// Operators that may sit beside the SVM (type casts and the label/score map).
const HARMLESS: &[&str] = &["Cast", "ZipMap", "Identity"];

/// Parses an ONNX SVM into an [`RbfModel`].
pub fn parse(name: &str, bytes: &[u8]) -> Result<RbfModel> {
    let err = |place: &str, msg: String| Error::input(name, place.to_string(), msg);
    let m = parse_model(bytes).ok_or_else(|| {
        err(
            "",
            "malformed ONNX protobuf; expected a model saved by onnx.save / skl2onnx".into(),
        )
    })?;
    let front = front_scaler(&m);
    let others: Vec<&NodeP> = m
        .nodes
        .iter()
        .filter(|n| !n.op_type.starts_with("SVM") && !HARMLESS.contains(&n.op_type.as_str()))
        .filter(|n| !front.is_some_and(|f| std::ptr::eq(*n, f)))
        .collect();
    let ovr = !others.is_empty()
        && m.nodes.iter().any(|n| n.op_type == "SVMClassifier")
        && score_only(&m, &others);
    if let Some(n) = others.first().filter(|_| !ovr) {
        return Err(err(
            &format!("graph node {}", n.op_type),
            format!(
                "operator {} is not supported beside an SVM; expected a graph of one \
                     SVMClassifier or SVMRegressor (export the SVM alone and apply scaling \
                     to the data before locus)",
                n.op_type
            ),
        ));
    }
    let svms: Vec<&NodeP> = m
        .nodes
        .iter()
        .filter(|n| n.op_type.starts_with("SVM"))
        .collect();
    let [node] = svms.as_slice() else {
        return Err(err(
            "graph",
            format!("{} SVM operators; expected exactly one", svms.len()),
        ));
    };
    let place = node.op_type.as_str();
    let classifier = match place {
        "SVMClassifier" => true,
        "SVMRegressor" => false,
        other => {
            return Err(err(
                other,
                "unknown SVM operator; expected SVMClassifier or SVMRegressor".into(),
            ))
        }
    };
    let get = |k: &str| node.attrs.iter().find(|(n, _)| n == k).map(|(_, a)| a);
    let kernel = get("kernel_type")
        .map(|a| text(&a.s))
        .unwrap_or_else(|| "LINEAR".into());
    if kernel != "RBF" {
        return Err(err(
            place,
            format!(
                "kernel_type {kernel} is not supported; expected RBF (scikit-learn kernel=\"rbf\")"
            ),
        ));
    }
    if let Some(p) = get("post_transform") {
        let t = text(&p.s);
        if !t.is_empty() && t != "NONE" {
            return Err(err(
                place,
                format!("post_transform {t} is not supported; expected NONE"),
            ));
        }
    }
    // prob_a / prob_b (probability calibration) only change predict_proba; the class
    // comes from the votes on the decision values, as libsvm decides it.
    let floats = |k: &str| -> Result<Vec<f64>> {
        let a = get(k).ok_or_else(|| err(place, format!("attribute {k} is missing")))?;
        let v: Vec<f64> = a.floats.iter().map(|&x| f64::from(x)).collect();
        if v.iter().any(|x| !x.is_finite()) {
            return Err(err(
                place,
                format!("attribute {k} holds a value that is not finite"),
            ));
        }
        Ok(v)
    };
    let gamma = get("kernel_params")
        .and_then(|a| a.floats.first().copied())
        .map(f64::from)
        .ok_or_else(|| {
            err(
                place,
                "kernel_params is missing; expected [gamma, coef0, degree]".into(),
            )
        })?;
    if !(gamma.is_finite() && gamma >= 0.0) {
        return Err(err(
            place,
            format!("gamma {gamma}; expected a finite number ≥ 0"),
        ));
    }
    let sv = floats("support_vectors")?;
    let coef = floats("coefficients")?;
    let rho = floats("rho")?;
    let (counts, n_classes, class_names) = if classifier {
        let counts: Vec<usize> = get("vectors_per_class")
            .map(|a| a.ints.iter().map(|&x| x.max(0) as usize).collect())
            .ok_or_else(|| err(place, "vectors_per_class is missing".into()))?;
        let names: Vec<String> = match get("classlabels_ints") {
            Some(a) if !a.ints.is_empty() => a.ints.iter().map(|x| x.to_string()).collect(),
            _ => get("classlabels_strings")
                .map(|a| a.strings.clone())
                .unwrap_or_default(),
        };
        if names.len() != counts.len() || names.len() < 2 {
            return Err(err(
                place,
                format!(
                    "{} class labels and {} vectors_per_class entries; expected the same number, at least 2",
                    names.len(),
                    counts.len()
                ),
            ));
        }
        let n = names.len();
        (counts, n, Some(names))
    } else {
        let n = get("n_supports")
            .and_then(|a| a.i)
            .ok_or_else(|| err(place, "n_supports is missing".into()))?;
        (vec![n.max(0) as usize], 1, None)
    };
    let n_sv: usize = counts.iter().sum();
    if n_sv == 0 || sv.len() % n_sv != 0 {
        return Err(err(
            place,
            format!(
                "{} support-vector values for {n_sv} support vectors; expected a positive multiple",
                sv.len()
            ),
        ));
    }
    let n_features = sv.len() / n_sv;
    if let Some(w) = m.input_width {
        if w != n_features {
            return Err(err(
                "graph input",
                format!("{w} features, but the support vectors have {n_features}"),
            ));
        }
    }
    let rows = if classifier { n_classes - 1 } else { 1 };
    if coef.len() != rows * n_sv {
        return Err(err(
            place,
            format!(
                "{} coefficients; expected {rows} × {n_sv} support vectors",
                coef.len()
            ),
        ));
    }
    let n_out = if classifier {
        n_classes * (n_classes - 1) / 2
    } else {
        1
    };
    if rho.len() != n_out {
        return Err(err(
            place,
            format!("{} rho values; expected {n_out}", rho.len()),
        ));
    }
    let mut start = vec![0usize];
    for c in &counts {
        start.push(start.last().copied().unwrap_or(0) + c);
    }
    let class_of = |s: usize| start.iter().rposition(|&b| b <= s).unwrap_or(0);
    let pairs = RbfModel::pairs(n_classes);
    let units = (0..n_sv)
        .map(|s| {
            let class = if classifier { class_of(s) } else { 0 };
            let weights = if classifier {
                pairs
                    .iter()
                    .map(|&(i, j)| {
                        if class == i {
                            coef[(j - 1) * n_sv + s]
                        } else if class == j {
                            coef[i * n_sv + s]
                        } else {
                            0.0
                        }
                    })
                    .collect()
            } else {
                vec![coef[s]]
            };
            Unit {
                centre: sv[s * n_features..(s + 1) * n_features].to_vec(),
                gamma,
                class,
                weights,
            }
        })
        .collect();
    let scaler = match front_scaler(&m) {
        None => None,
        Some(sc) => {
            let at = "Scaler";
            let list = |k: &str| -> Result<Vec<f64>> {
                let v: Vec<f64> = sc
                    .attrs
                    .iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, a)| a.floats.iter().map(|&x| f64::from(x)).collect())
                    .unwrap_or_default();
                match v.len() {
                    1 => Ok(vec![v[0]; n_features]),
                    n if n == n_features => Ok(v),
                    n => Err(err(
                        at,
                        format!("attribute {k} has {n} values; expected 1 or {n_features}"),
                    )),
                }
            };
            Some(InputScaler {
                offset: list("offset")?,
                scale: list("scale")?,
            })
        }
    };
    let model = RbfModel {
        format: FORMAT.into(),
        version: VERSION,
        source: format!(
            "scikit-learn {} via ONNX ({})",
            if classifier { "SVC" } else { "SVR" },
            m.producer.trim()
        ),
        kind: if classifier {
            RbfKind::Svc
        } else {
            RbfKind::Svr
        },
        task: if classifier {
            Task::Classification
        } else {
            Task::Regression
        },
        n_features,
        feature_names: None,
        n_classes,
        class_names,
        metric: Metric::SquaredEuclidean,
        units,
        bias: rho,
        scaler,
    };
    model.check().map_err(|e| err(place, e))?;
    Ok(model)
}
