//! ONNX-ML tree-ensemble importer: `TreeEnsembleClassifier`, `TreeEnsembleRegressor` and `TreeEnsemble` (`ai.onnx.ml`), as skl2onnx and onnxmltools write them.
//!
//! Semantics reproduced (checked against onnxruntime 1.31 and the libraries themselves:
//! scikit-learn 1.9 through skl2onnx 1.20, XGBoost 3.2 and LightGBM 4.7 through
//! onnxmltools 1.16; see `examples/train_sklearn.py`):
//! - a split compares the feature with its threshold in the precision of the tree
//!   operator's input: a `float` input (what every exporter writes) rounds both `x` and the
//!   threshold to float32; a `double` input compares in float64, unless the graph input was
//!   float32 and a `Cast` widened it, in which case `x` is a float32 compared with a float64
//!   threshold, which is the same as a float32 comparison with the threshold rounded down
//!   (`<=`) or up (`<`) to float32;
//! - `BRANCH_LEQ` is `x <= t` and `BRANCH_LT` is `x < t`, the row going to the true child;
//!   `BRANCH_GT` and `BRANCH_GTE` are the same splits with the children swapped. When both
//!   `<` and `<=` occur, each `x < t` becomes the exact `x <= t'` with `t'` the next value
//!   below `t` in the comparison precision. `BRANCH_EQ`, `BRANCH_NEQ` and `BRANCH_MEMBER`
//!   are refused;
//! - a missing value (NaN) goes to the true child when `nodes_missing_value_tracks_true`
//!   is 1, else to the false child (every comparison with NaN is false);
//! - a leaf may carry weights for several classes (a random forest: each class's averaged
//!   probability, already divided by the number of trees); such a tree becomes one tree
//!   per class with the same splits, which is exact;
//! - scores are `base_values` plus the sum of the leaf weights, accumulated in float64
//!   (onnxruntime sums in float32, the libraries in float64: both are within 1e-6);
//!   `post_transform` NONE, LOGISTIC and SOFTMAX are supported, SOFTMAX_ZERO and PROBIT
//!   are refused;
//! - a binary classifier with one score column: with LOGISTIC (gradient boosting) the
//!   class is `score > 0`; with NONE and no negative weight (a random forest, whose score
//!   is the probability of the second class) the class is `score > 0.5`, kept as a margin
//!   `score − 0.5` and reported as `score` ([`PostTransform::Offset`]); with NONE and
//!   negative weights the score is a margin and the class is `score > 0`. Two score
//!   columns with SOFTMAX become the margin `s1 − s0` under a sigmoid;
//! - `classlabels_strings` and `classlabels_int64s` other than `0..K−1` become the class
//!   names;
//! - `TreeEnsembleRegressor` `aggregate_function` SUM and AVERAGE (the sum divided by the
//!   number of trees) are supported, MIN and MAX refused; one target only.
//!
//! Around the tree operator only what does not change the scores is accepted: `Cast` and
//! `Identity` between the graph input and the trees, and `ZipMap`, `Cast`, `Identity` and
//! a `Mul` by a constant 1 on its outputs. Anything else (a `Scaler`, `Normalizer`,
//! `Imputer`…) is refused, naming the node.

use super::{shown, MAX_CLASSES, MAX_FEATURES, MAX_NODES_PER_TREE, MAX_TREES};
use crate::error::{Error, Result};
use crate::model::{
    Accumulate, Missing, Model, Node, PostTransform, Precision, SplitOp, Task, Tree,
};
use onnx_protobuf::{
    tensor_shape_proto, type_proto, AttributeProto, GraphProto, Message, ModelProto, NodeProto,
    TensorProto,
};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// The tree operators this importer reads, for messages.
pub const TREE_OPS: &str = "TreeEnsembleClassifier, TreeEnsembleRegressor, TreeEnsemble";

/// Nodes in all trees after multi-class trees are split per class; more is refused as
/// absurd (the split multiplies a tree by the number of classes its leaves feed).
pub const MAX_TOTAL_NODES: usize = 20_000_000;

const ML: &str = "ai.onnx.ml";

// TensorProto.DataType values used here.
const T_FLOAT: i32 = 1;
const T_UINT8: i32 = 2;
const T_INT64: i32 = 7;
const T_DOUBLE: i32 = 11;

// AttributeProto.AttributeType values used here.
const A_FLOAT: i32 = 1;
const A_INT: i32 = 2;
const A_STRING: i32 = 3;
const A_TENSOR: i32 = 4;
const A_FLOATS: i32 = 6;
const A_INTS: i32 = 7;
const A_STRINGS: i32 = 8;

/// True when the bytes look like an ONNX model: a protobuf `ModelProto` opens with its
/// `ir_version` field (tag byte 0x08), and every exporter writes it first.
pub fn detect(bytes: &[u8]) -> bool {
    bytes.first() == Some(&0x08)
}

/// Parses ONNX model bytes holding one tree-ensemble operator.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Model> {
    let c = Ctx { file };
    let model = ModelProto::parse_from_bytes(bytes).map_err(|e| {
        c.err(
            "",
            format!(
                "not a readable ONNX model ({}); expected a model saved by onnx.save \
                 (skl2onnx, onnxmltools)",
                one_line(&e.to_string())
            ),
        )
    })?;
    let graph = model.graph.as_ref().ok_or_else(|| {
        c.err(
            "",
            "the ONNX model has no graph; expected a graph with a tree ensemble",
        )
    })?;
    let tree_at = find_tree_op(&c, graph)?;
    let node = &graph.node[tree_at];
    let input = check_graph(&c, graph, tree_at)?;
    let producer = format!(
        "{} {}",
        model.producer_name.trim(),
        model.producer_version.trim()
    );
    let source = format!("onnx ({}) {}", producer.trim(), node.op_type);
    let attrs = Attrs::new(&c, node)?;
    let flat = match node.op_type.as_str() {
        "TreeEnsemble" => read_tree_ensemble(&c, &attrs)?,
        _ => read_legacy(&c, &attrs)?,
    };
    build(&c, &attrs, flat, input, source)
}

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, place: impl Into<String>, msg: impl Into<String>) -> Error {
        Error::input(self.file, place, msg)
    }
}

/// A protobuf error message on one line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How a node is shown in messages: `node 'name' (OpType)`.
fn node_label(graph: &GraphProto, i: usize) -> String {
    let n = &graph.node[i];
    if n.name.is_empty() {
        format!("node #{i} ({})", shown(&n.op_type).trim_matches('\''))
    } else {
        format!(
            "node {} ({})",
            shown(&n.name),
            shown(&n.op_type).trim_matches('\'')
        )
    }
}

/// The default ONNX operator domain, however it is spelled.
fn std_domain(d: &str) -> bool {
    d.is_empty() || d == "ai.onnx"
}

fn is_tree_op(n: &NodeProto) -> bool {
    n.domain == ML
        && matches!(
            n.op_type.as_str(),
            "TreeEnsembleClassifier" | "TreeEnsembleRegressor" | "TreeEnsemble"
        )
}

fn find_tree_op(c: &Ctx, graph: &GraphProto) -> Result<usize> {
    let found: Vec<usize> = (0..graph.node.len())
        .filter(|&i| is_tree_op(&graph.node[i]))
        .collect();
    match found.as_slice() {
        [one] => Ok(*one),
        [] => {
            // A tree operator outside ai.onnx.ml: most often a truncated file whose
            // last node lost its domain field.
            if let Some(i) = (0..graph.node.len()).find(|&i| {
                matches!(
                    graph.node[i].op_type.as_str(),
                    "TreeEnsembleClassifier" | "TreeEnsembleRegressor" | "TreeEnsemble"
                )
            }) {
                return Err(c.err(
                    node_label(graph, i),
                    format!(
                        "operator domain {} is not ai.onnx.ml (is the file truncated?); \
                         expected a complete tree-ensemble model",
                        shown(&graph.node[i].domain)
                    ),
                ));
            }
            let ops: BTreeSet<&str> = graph.node.iter().map(|n| n.op_type.as_str()).collect();
            let ops: Vec<&str> = ops.into_iter().take(8).collect();
            Err(c.err(
                "",
                format!(
                    "no tree-ensemble operator in the graph (it has {}); expected one of \
                     {TREE_OPS} in domain ai.onnx.ml",
                    if ops.is_empty() {
                        "no nodes".to_string()
                    } else {
                        ops.join(", ")
                    }
                ),
            ))
        }
        [a, b, ..] => Err(c.err(
            node_label(graph, *b),
            format!(
                "a second tree ensemble (the first is {}); expected exactly one",
                node_label(graph, *a)
            ),
        )),
    }
}

/// What reaches the tree operator's input.
#[derive(Clone, Copy, Debug)]
struct Input {
    /// The tree operator's input is `double` (else `float`).
    double: bool,
    /// The values were float32 somewhere on the way (graph input or a `Cast` to float).
    was_f32: bool,
    /// Number of features from the graph input's shape, when it says.
    width: Option<usize>,
}

fn tensor_type_name(t: i32) -> String {
    match t {
        T_FLOAT => "float".into(),
        T_DOUBLE => "double".into(),
        T_INT64 => "int64".into(),
        T_UINT8 => "uint8".into(),
        6 => "int32".into(),
        8 => "string".into(),
        10 => "float16".into(),
        16 => "bfloat16".into(),
        _ => format!("type {t}"),
    }
}

/// Checks that the graph is the tree operator with only harmless nodes around it, and
/// returns what reaches its input.
fn check_graph(c: &Ctx, graph: &GraphProto, tree_at: usize) -> Result<Input> {
    let tree = &graph.node[tree_at];
    let inits: HashMap<&str, &TensorProto> = graph
        .initializer
        .iter()
        .map(|t| (t.name.as_str(), t))
        .collect();
    let mut producer: HashMap<&str, usize> = HashMap::new();
    for (i, n) in graph.node.iter().enumerate() {
        for o in &n.output {
            if !o.is_empty() {
                producer.entry(o.as_str()).or_insert(i);
            }
        }
    }
    let tlabel = node_label(graph, tree_at);
    let x = tree
        .input
        .first()
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            c.err(
                &tlabel,
                "the tree ensemble has no input; expected the feature tensor",
            )
        })?;
    if tree.input.len() > 1 {
        return Err(c.err(
            &tlabel,
            format!(
                "the tree ensemble has {} inputs; expected one (the feature tensor)",
                tree.input.len()
            ),
        ));
    }

    // Walk back from the tree input to a graph input through Cast and Identity.
    let mut chain: HashSet<usize> = HashSet::new();
    let mut name = x.as_str();
    let mut double_at_tree: Option<bool> = None;
    let mut was_f32 = false;
    let width;
    loop {
        match producer.get(name) {
            Some(&i) => {
                let n = &graph.node[i];
                let label = node_label(graph, i);
                if !chain.insert(i) || i == tree_at {
                    return Err(c.err(label, "the graph has a cycle; expected an acyclic graph"));
                }
                match (n.domain.as_str(), n.op_type.as_str()) {
                    (d, "Identity") if std_domain(d) => {}
                    (d, "Cast") if std_domain(d) => {
                        let to = n
                            .attribute
                            .iter()
                            .find(|a| a.name == "to")
                            .map(|a| a.i)
                            .unwrap_or(0);
                        let double = match to {
                            x if x == i64::from(T_FLOAT) => false,
                            x if x == i64::from(T_DOUBLE) => true,
                            _ => {
                                return Err(c.err(
                                    label,
                                    format!(
                                        "casts the features to {}; expected a cast to float \
                                         or double",
                                        tensor_type_name(i32::try_from(to).unwrap_or(-1))
                                    ),
                                ))
                            }
                        };
                        if double_at_tree.is_none() {
                            double_at_tree = Some(double);
                        }
                        was_f32 |= !double;
                    }
                    _ => {
                        return Err(c.err(
                            label,
                            "transforms the features before the tree ensemble; expected the \
                             graph input to reach the trees directly (only Cast and Identity \
                             between): locus builds the trees only, so apply this \
                             preprocessing to the data instead",
                        ))
                    }
                }
                name = match n.input.first() {
                    Some(s) if !s.is_empty() => s.as_str(),
                    _ => {
                        return Err(c.err(
                            node_label(graph, i),
                            "has no input; expected the feature tensor",
                        ))
                    }
                };
            }
            None => {
                if inits.contains_key(name) {
                    return Err(c.err(
                        &tlabel,
                        format!(
                            "the features come from the constant {}; expected a graph input",
                            shown(name)
                        ),
                    ));
                }
                let gi = graph.input.iter().find(|v| v.name == name).ok_or_else(|| {
                    c.err(
                        &tlabel,
                        format!(
                            "input {} is neither a graph input nor made by a node; \
                                 expected a graph input",
                            shown(name)
                        ),
                    )
                })?;
                let tensor = match gi.type_.as_ref().and_then(|t| t.value.as_ref()) {
                    Some(type_proto::Value::TensorType(t)) => t,
                    _ => {
                        return Err(c.err(
                            format!("graph input {}", shown(name)),
                            "is not a tensor; expected a float or double tensor [N, features]",
                        ))
                    }
                };
                let double = match tensor.elem_type {
                    T_FLOAT => false,
                    T_DOUBLE => true,
                    t => {
                        return Err(c.err(
                            format!("graph input {}", shown(name)),
                            format!(
                                "is a {} tensor; expected a float or double tensor",
                                tensor_type_name(t)
                            ),
                        ))
                    }
                };
                was_f32 |= !double;
                if double_at_tree.is_none() {
                    double_at_tree = Some(double);
                }
                width = tensor.shape.as_ref().and_then(|s| match s.dim.as_slice() {
                    [_, d] => match d.value {
                        Some(tensor_shape_proto::dimension::Value::DimValue(v)) if v > 0 => {
                            usize::try_from(v).ok()
                        }
                        _ => None,
                    },
                    _ => None,
                });
                break;
            }
        }
    }

    // Every other node must act on the tree outputs only and leave the scores alone.
    let mut derived: HashSet<&str> = tree.output.iter().map(String::as_str).collect();
    let others: Vec<usize> = (0..graph.node.len())
        .filter(|i| *i != tree_at && !chain.contains(i))
        .collect();
    // Nodes are topologically sorted in a valid graph; repeat to be safe with any order.
    let mut placed: HashSet<usize> = HashSet::new();
    for _ in 0..=others.len() {
        let mut progress = false;
        for &i in &others {
            if placed.contains(&i) {
                continue;
            }
            let n = &graph.node[i];
            let fed = n
                .input
                .iter()
                .filter(|s| !s.is_empty() && !inits.contains_key(s.as_str()))
                .all(|s| derived.contains(s.as_str()))
                && n.input.iter().any(|s| derived.contains(s.as_str()));
            if fed {
                placed.insert(i);
                progress = true;
                for o in &n.output {
                    derived.insert(o.as_str());
                }
            }
        }
        if !progress {
            break;
        }
    }
    for &i in &others {
        let n = &graph.node[i];
        let label = node_label(graph, i);
        let harmless = match (n.domain.as_str(), n.op_type.as_str()) {
            (d, "Cast" | "Identity") if std_domain(d) => true,
            (ML, "ZipMap") => true,
            (d, "Mul") if std_domain(d) => {
                let consts: Vec<&TensorProto> = n
                    .input
                    .iter()
                    .filter_map(|s| inits.get(s.as_str()).copied())
                    .collect();
                let by_one = n.input.len() == 2
                    && consts.len() == 1
                    && tensor_values(consts[0])
                        .is_some_and(|v| !v.is_empty() && v.iter().all(|&x| x == 1.0));
                if !by_one {
                    return Err(c.err(
                        label,
                        "multiplies the scores by something other than a constant 1; \
                         expected only Cast, Identity, ZipMap (or a Mul by 1) after the trees",
                    ));
                }
                true
            }
            _ => false,
        };
        if !harmless {
            return Err(c.err(
                label,
                format!(
                    "is not supported beside the tree ensemble; expected only Cast and \
                     Identity before it and Cast, Identity or ZipMap after it ({})",
                    if placed.contains(&i) {
                        "this node changes the scores"
                    } else {
                        "this node is not fed by the tree ensemble"
                    }
                ),
            ));
        }
        if !placed.contains(&i) {
            return Err(c.err(
                label,
                "does not act on the tree ensemble's outputs; expected every node other \
                 than the trees to post-process their label or scores",
            ));
        }
    }
    Ok(Input {
        double: double_at_tree.unwrap_or(false),
        was_f32,
        width,
    })
}

/// All values of a float, double or int64 tensor as f64; `None` if unreadable.
fn tensor_values(t: &TensorProto) -> Option<Vec<f64>> {
    let count = t
        .dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(usize::try_from(d).ok()?))?;
    let raw = |size: usize| -> Option<&[u8]> {
        (t.raw_data.len() == count.checked_mul(size)?).then_some(t.raw_data.as_slice())
    };
    let v: Vec<f64> = match t.data_type {
        T_FLOAT if !t.raw_data.is_empty() => raw(4)?
            .chunks_exact(4)
            .map(|b| f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            .collect(),
        T_FLOAT => t.float_data.iter().map(|&x| f64::from(x)).collect(),
        T_DOUBLE if !t.raw_data.is_empty() => raw(8)?
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
            .collect(),
        T_DOUBLE => t.double_data.clone(),
        T_INT64 if !t.raw_data.is_empty() => raw(8)?
            .chunks_exact(8)
            .map(|b| i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f64)
            .collect(),
        T_INT64 => t.int64_data.iter().map(|&x| x as f64).collect(),
        T_UINT8 if !t.raw_data.is_empty() => raw(1)?.iter().map(|&b| f64::from(b)).collect(),
        T_UINT8 => t
            .int32_data
            .iter()
            .map(|&x| u8::try_from(x).ok().map(f64::from))
            .collect::<Option<Vec<f64>>>()?,
        _ => return None,
    };
    (v.len() == count).then_some(v)
}

/// The tree operator's attributes, looked up by name, with messages naming the node.
struct Attrs<'a> {
    label: String,
    op: &'a str,
    by_name: HashMap<&'a str, &'a AttributeProto>,
}

fn attr_type_name(t: i32) -> &'static str {
    match t {
        A_FLOAT => "FLOAT",
        A_INT => "INT",
        A_STRING => "STRING",
        A_TENSOR => "TENSOR",
        5 => "GRAPH",
        A_FLOATS => "FLOATS",
        A_INTS => "INTS",
        A_STRINGS => "STRINGS",
        _ => "another type",
    }
}

impl<'a> Attrs<'a> {
    fn new(c: &Ctx, node: &'a NodeProto) -> Result<Self> {
        let label = if node.name.is_empty() {
            node.op_type.clone()
        } else {
            format!("node {} ({})", shown(&node.name), node.op_type)
        };
        let mut by_name = HashMap::new();
        for a in &node.attribute {
            if by_name.insert(a.name.as_str(), a).is_some() {
                return Err(c.err(
                    &label,
                    format!(
                        "attribute {} appears twice; expected it once",
                        shown(&a.name)
                    ),
                ));
            }
        }
        Ok(Attrs {
            label,
            op: node.op_type.as_str(),
            by_name,
        })
    }

    fn get(&self, c: &Ctx, name: &str, want: i32) -> Result<Option<&'a AttributeProto>> {
        match self.by_name.get(name) {
            None => Ok(None),
            Some(a) => {
                let t = a.type_.value();
                if t != want && t != 0 {
                    return Err(c.err(
                        &self.label,
                        format!(
                            "attribute {name} is {}; expected {}",
                            attr_type_name(t),
                            attr_type_name(want)
                        ),
                    ));
                }
                Ok(Some(*a))
            }
        }
    }

    fn ints(&self, c: &Ctx, name: &str) -> Result<Option<&'a [i64]>> {
        Ok(self.get(c, name, A_INTS)?.map(|a| a.ints.as_slice()))
    }

    fn int(&self, c: &Ctx, name: &str) -> Result<Option<i64>> {
        Ok(self.get(c, name, A_INT)?.map(|a| a.i))
    }

    fn string(&self, c: &Ctx, name: &str) -> Result<Option<String>> {
        match self.get(c, name, A_STRING)? {
            None => Ok(None),
            Some(a) => Ok(Some(self.text(c, name, &a.s)?)),
        }
    }

    fn strings(&self, c: &Ctx, name: &str) -> Result<Option<Vec<String>>> {
        match self.get(c, name, A_STRINGS)? {
            None => Ok(None),
            Some(a) => a
                .strings
                .iter()
                .map(|s| self.text(c, name, s))
                .collect::<Result<Vec<_>>>()
                .map(Some),
        }
    }

    fn text(&self, c: &Ctx, name: &str, b: &[u8]) -> Result<String> {
        String::from_utf8(b.to_vec()).map_err(|_| {
            c.err(
                &self.label,
                format!("attribute {name} holds a string that is not UTF-8; expected text"),
            )
        })
    }

    /// A list of reals given either as FLOATS `name` or as a TENSOR `tensor_name`
    /// (`*_as_tensor`, float or double), and whether it came as doubles.
    fn reals(&self, c: &Ctx, name: &str, tensor_name: &str) -> Result<Option<(Vec<f64>, bool)>> {
        let f = self.get(c, name, A_FLOATS)?;
        let t = self.get(c, tensor_name, A_TENSOR)?;
        match (f, t) {
            (Some(_), Some(_)) => Err(c.err(
                &self.label,
                format!("both {name} and {tensor_name} are given; expected one of them"),
            )),
            (Some(a), None) => Ok(Some((
                a.floats.iter().map(|&x| f64::from(x)).collect(),
                false,
            ))),
            (None, Some(a)) => self.tensor(c, tensor_name, a).map(Some),
            (None, None) => Ok(None),
        }
    }

    fn tensor(&self, c: &Ctx, name: &str, a: &AttributeProto) -> Result<(Vec<f64>, bool)> {
        let t = a.t.as_ref().ok_or_else(|| {
            c.err(
                &self.label,
                format!("attribute {name} has no tensor; expected a float or double tensor"),
            )
        })?;
        let v = tensor_values(t).ok_or_else(|| {
            c.err(
                &self.label,
                format!(
                    "attribute {name} is a {} tensor whose data does not match its shape; \
                     expected a well-formed tensor",
                    tensor_type_name(t.data_type)
                ),
            )
        })?;
        Ok((v, t.data_type == T_DOUBLE))
    }

    fn required<T>(&self, c: &Ctx, name: &str, v: Option<T>) -> Result<T> {
        v.ok_or_else(|| self.missing(c, name))
    }

    fn missing(&self, c: &Ctx, name: &str) -> Error {
        c.err(
            &self.label,
            format!(
                "attribute {name} is missing; expected a {} as skl2onnx or onnxmltools \
                 write it",
                self.op
            ),
        )
    }

    /// A required TENSOR attribute's values.
    fn required_tensor(&self, c: &Ctx, name: &str) -> Result<(Vec<f64>, bool)> {
        match self.get(c, name, A_TENSOR)? {
            Some(t) => self.tensor(c, name, t),
            None => Err(self.missing(c, name)),
        }
    }
}

/// A split's comparison after children are put in "true goes left" form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cmp {
    Le,
    Lt,
}

/// One node as the file lists it, before trees are built.
#[derive(Clone, Debug)]
enum FlatKind {
    Leaf,
    Split {
        feature: usize,
        cmp: Cmp,
        threshold: f64,
        /// Index (within the tree's nodes) of the child taken when the comparison holds.
        yes: usize,
        no: usize,
        /// NaN goes to `yes` (else to `no`).
        nan_yes: bool,
    },
}

/// One tree: node 0 is the root; `place[i]` names node `i` as the file does.
struct FlatTree {
    nodes: Vec<FlatKind>,
    place: Vec<String>,
    /// Weights per score column, per node (summed if repeated).
    weights: BTreeMap<usize, Vec<f64>>,
}

/// The ensemble as read from either operator form.
struct Flat {
    trees: Vec<FlatTree>,
    /// Score columns (classes or targets).
    columns: usize,
    base: Vec<f64>,
    /// Thresholds came as a double tensor.
    thresholds_double: bool,
    post: String,
    classifier: Option<Labels>,
    average: bool,
}

enum Labels {
    Ints(Vec<i64>),
    Strings(Vec<String>),
}

impl Labels {
    fn len(&self) -> usize {
        match self {
            Labels::Ints(v) => v.len(),
            Labels::Strings(v) => v.len(),
        }
    }
}

fn feature_index(c: &Ctx, place: &str, f: i64) -> Result<usize> {
    usize::try_from(f)
        .ok()
        .filter(|&f| f < MAX_FEATURES)
        .ok_or_else(|| {
            c.err(
                place,
                format!("feature index is {f}; expected 0 to {}", MAX_FEATURES - 1),
            )
        })
}

fn mode_cmp(c: &Ctx, place: &str, mode: &str) -> Result<Option<(Cmp, bool)>> {
    // (comparison, children swapped)
    Ok(Some(match mode {
        "LEAF" => return Ok(None),
        "BRANCH_LEQ" => (Cmp::Le, false),
        "BRANCH_LT" => (Cmp::Lt, false),
        "BRANCH_GT" => (Cmp::Le, true),
        "BRANCH_GTE" => (Cmp::Lt, true),
        "BRANCH_EQ" | "BRANCH_NEQ" | "BRANCH_MEMBER" => {
            return Err(c.err(
                place,
                format!(
                    "split mode {mode} is not supported (an equality or set test is not a \
                     threshold split); expected BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT \
                     or LEAF"
                ),
            ))
        }
        _ => {
            return Err(c.err(
                place,
                format!(
                    "split mode {} is unknown; expected BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, \
                     BRANCH_GT or LEAF",
                    shown(mode)
                ),
            ))
        }
    }))
}

fn check_len(c: &Ctx, a: &Attrs, name: &str, len: usize, want: usize, of: &str) -> Result<()> {
    if len != want {
        return Err(c.err(
            &a.label,
            format!("attribute {name} has {len} entries; expected {want}, one per {of}"),
        ));
    }
    Ok(())
}

/// Reads `TreeEnsembleClassifier` / `TreeEnsembleRegressor` (ai.onnx.ml 1 to 3).
fn read_legacy(c: &Ctx, a: &Attrs) -> Result<Flat> {
    let classifier = a.op == "TreeEnsembleClassifier";
    let tree_ids = a.required(c, "nodes_treeids", a.ints(c, "nodes_treeids")?)?;
    let n = tree_ids.len();
    let node_ids = a.required(c, "nodes_nodeids", a.ints(c, "nodes_nodeids")?)?;
    let features = a.required(c, "nodes_featureids", a.ints(c, "nodes_featureids")?)?;
    let modes = a.required(c, "nodes_modes", a.strings(c, "nodes_modes")?)?;
    let (values, thresholds_double) = a.required(
        c,
        "nodes_values",
        a.reals(c, "nodes_values", "nodes_values_as_tensor")?,
    )?;
    let yes_ids = a.required(c, "nodes_truenodeids", a.ints(c, "nodes_truenodeids")?)?;
    let no_ids = a.required(c, "nodes_falsenodeids", a.ints(c, "nodes_falsenodeids")?)?;
    let tracks = a.ints(c, "nodes_missing_value_tracks_true")?;
    for (name, len) in [
        ("nodes_nodeids", node_ids.len()),
        ("nodes_featureids", features.len()),
        ("nodes_modes", modes.len()),
        ("nodes_values", values.len()),
        ("nodes_truenodeids", yes_ids.len()),
        ("nodes_falsenodeids", no_ids.len()),
    ] {
        check_len(c, a, name, len, n, "node (as many as nodes_treeids)")?;
    }
    if let Some(t) = tracks {
        // An empty list is how some writers say "never".
        if !t.is_empty() {
            check_len(
                c,
                a,
                "nodes_missing_value_tracks_true",
                t.len(),
                n,
                "node (as many as nodes_treeids)",
            )?;
        }
    }
    let track = |k: usize| tracks.and_then(|t| t.get(k)).copied().unwrap_or(0);

    // Trees in order of first appearance; the first node listed for a tree is its root
    // (as onnxruntime and the ONNX reference implementation take it).
    let mut tree_of: HashMap<i64, usize> = HashMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut local: Vec<HashMap<i64, usize>> = Vec::new();
    for k in 0..n {
        let t = match tree_of.get(&tree_ids[k]) {
            Some(&t) => t,
            None => {
                if members.len() == MAX_TREES {
                    return Err(c.err(
                        &a.label,
                        format!("more than {MAX_TREES} trees is absurd; the limit is {MAX_TREES}"),
                    ));
                }
                tree_of.insert(tree_ids[k], members.len());
                members.push(Vec::new());
                local.push(HashMap::new());
                members.len() - 1
            }
        };
        if members[t].len() == MAX_NODES_PER_TREE {
            return Err(c.err(
                format!("tree {}", tree_ids[k]),
                format!("more than {MAX_NODES_PER_TREE} nodes in one tree is absurd"),
            ));
        }
        if local[t].insert(node_ids[k], members[t].len()).is_some() {
            return Err(c.err(
                format!("tree {}, node {}", tree_ids[k], node_ids[k]),
                "the node is listed twice; expected each (tree, node) pair once",
            ));
        }
        members[t].push(k);
    }

    let mut trees = Vec::with_capacity(members.len());
    for (t, ks) in members.iter().enumerate() {
        let mut nodes = Vec::with_capacity(ks.len());
        let mut place = Vec::with_capacity(ks.len());
        for &k in ks {
            let here = format!("tree {}, node {}", tree_ids[k], node_ids[k]);
            let kind = match mode_cmp(c, &here, &modes[k])? {
                None => FlatKind::Leaf,
                Some((cmp, swapped)) => {
                    let child = |id: i64, side: &str| -> Result<usize> {
                        local[t].get(&id).copied().ok_or_else(|| {
                            c.err(
                                &here,
                                format!(
                                    "{side} child is node {id}, which tree {} does not have; \
                                     expected a node of the same tree",
                                    tree_ids[k]
                                ),
                            )
                        })
                    };
                    let (yes, no) = (child(yes_ids[k], "true")?, child(no_ids[k], "false")?);
                    let tracks_true = match track(k) {
                        0 => false,
                        1 => true,
                        v => {
                            return Err(c.err(
                                &here,
                                format!("nodes_missing_value_tracks_true is {v}; expected 0 or 1"),
                            ))
                        }
                    };
                    if values[k].is_nan() {
                        return Err(c.err(&here, "threshold is NaN; expected a number"));
                    }
                    let feature = feature_index(c, &here, features[k])?;
                    // GT/GTE are LEQ/LT with the children swapped: `x > t` holds exactly
                    // when `x <= t` fails, NaN included (both are false for NaN).
                    let (yes, no, nan_yes) = if swapped {
                        (no, yes, !tracks_true)
                    } else {
                        (yes, no, tracks_true)
                    };
                    FlatKind::Split {
                        feature,
                        cmp,
                        threshold: values[k],
                        yes,
                        no,
                        nan_yes,
                    }
                }
            };
            nodes.push(kind);
            place.push(here);
        }
        trees.push(FlatTree {
            nodes,
            place,
            weights: BTreeMap::new(),
        });
    }

    let (prefix, labels) = if classifier {
        let ints = a.ints(c, "classlabels_int64s")?;
        let strings = a.strings(c, "classlabels_strings")?;
        let labels = match (ints, strings) {
            (Some(i), None) => Labels::Ints(i.to_vec()),
            (None, Some(s)) => Labels::Strings(s),
            (Some(i), Some(s)) if s.is_empty() => Labels::Ints(i.to_vec()),
            (Some([]), Some(s)) => Labels::Strings(s),
            _ => {
                return Err(c.err(
                    &a.label,
                    "expected exactly one of classlabels_int64s and classlabels_strings",
                ))
            }
        };
        ("class", Some(labels))
    } else {
        ("target", None)
    };
    let w_tree = a.required(
        c,
        &format!("{prefix}_treeids"),
        a.ints(c, &format!("{prefix}_treeids"))?,
    )?;
    let w_node = a.required(
        c,
        &format!("{prefix}_nodeids"),
        a.ints(c, &format!("{prefix}_nodeids"))?,
    )?;
    let w_col = a.required(
        c,
        &format!("{prefix}_ids"),
        a.ints(c, &format!("{prefix}_ids"))?,
    )?;
    let (w_val, _) = a.required(
        c,
        &format!("{prefix}_weights"),
        a.reals(
            c,
            &format!("{prefix}_weights"),
            &format!("{prefix}_weights_as_tensor"),
        )?,
    )?;
    let m = w_tree.len();
    for (name, len) in [
        (format!("{prefix}_nodeids"), w_node.len()),
        (format!("{prefix}_ids"), w_col.len()),
        (format!("{prefix}_weights"), w_val.len()),
    ] {
        check_len(
            c,
            a,
            &name,
            len,
            m,
            &format!("leaf weight (as many as {prefix}_treeids)"),
        )?;
    }
    let columns = match &labels {
        Some(l) => {
            if l.len() < 2 {
                return Err(c.err(
                    &a.label,
                    format!("{} class labels; expected at least 2", l.len()),
                ));
            }
            if l.len() > MAX_CLASSES {
                return Err(c.err(
                    &a.label,
                    format!("{} classes is absurd; the limit is {MAX_CLASSES}", l.len()),
                ));
            }
            l.len()
        }
        None => {
            let nt = a.int(c, "n_targets")?.unwrap_or(1);
            if nt != 1 {
                return Err(c.err(
                    &a.label,
                    format!(
                        "n_targets is {nt}; expected 1 (multi-output regression is not \
                         supported)"
                    ),
                ));
            }
            1
        }
    };
    for k in 0..m {
        let here = format!("{}: {prefix} weight {k}", a.label);
        let t = *tree_of.get(&w_tree[k]).ok_or_else(|| {
            c.err(
                &here,
                format!(
                    "is for tree {}, which has no nodes; expected a tree listed in nodes_treeids",
                    w_tree[k]
                ),
            )
        })?;
        let i = *local[t].get(&w_node[k]).ok_or_else(|| {
            c.err(
                &here,
                format!(
                    "is for node {} of tree {}, which does not exist; expected a leaf",
                    w_node[k], w_tree[k]
                ),
            )
        })?;
        let tree = &mut trees[t];
        if !matches!(tree.nodes[i], FlatKind::Leaf) {
            return Err(c.err(
                &tree.place[i],
                format!("{here} is for this node, which is a split; expected a leaf"),
            ));
        }
        let col = usize::try_from(w_col[k])
            .ok()
            .filter(|&x| x < columns)
            .ok_or_else(|| {
                c.err(
                    &tree.place[i],
                    format!(
                        "{prefix}_ids is {}; expected 0 to {}",
                        w_col[k],
                        columns - 1
                    ),
                )
            })?;
        if !w_val[k].is_finite() {
            return Err(c.err(
                &tree.place[i],
                format!("leaf weight is {}; expected a finite number", w_val[k]),
            ));
        }
        let len = tree.nodes.len();
        tree.weights.entry(col).or_insert_with(|| vec![0.0; len])[i] += w_val[k];
    }
    let base = a
        .reals(c, "base_values", "base_values_as_tensor")?
        .map(|(v, _)| v)
        .unwrap_or_default();
    let post = a
        .string(c, "post_transform")?
        .unwrap_or_else(|| "NONE".into());
    let aggregate = a
        .string(c, "aggregate_function")?
        .unwrap_or_else(|| "SUM".into());
    let average = match aggregate.as_str() {
        "SUM" => false,
        "AVERAGE" if !classifier => true,
        _ => {
            return Err(c.err(
                &a.label,
                format!(
                    "aggregate_function {} is not supported; expected SUM or AVERAGE",
                    shown(&aggregate)
                ),
            ))
        }
    };
    Ok(Flat {
        trees,
        columns,
        base,
        thresholds_double,
        post,
        classifier: labels,
        average,
    })
}

/// A node still to copy: (split or leaf index, is a leaf, (parent, on its true side)).
type Pending = (usize, bool, Option<(usize, bool)>);

/// Reads `TreeEnsemble` (ai.onnx.ml 5): nodes indexed globally, `tree_roots` giving each
/// tree's root, and children that are leaves when `nodes_trueleafs` / `nodes_falseleafs`
/// say so. It has no class labels: it is read as a regressor with one target.
fn read_tree_ensemble(c: &Ctx, a: &Attrs) -> Result<Flat> {
    let roots = a.required(c, "tree_roots", a.ints(c, "tree_roots")?)?;
    let features = a.required(c, "nodes_featureids", a.ints(c, "nodes_featureids")?)?;
    let n = features.len();
    let (modes, _) = a.required_tensor(c, "nodes_modes")?;
    let (splits, thresholds_double) = a.required_tensor(c, "nodes_splits")?;
    let yes_ids = a.required(c, "nodes_truenodeids", a.ints(c, "nodes_truenodeids")?)?;
    let no_ids = a.required(c, "nodes_falsenodeids", a.ints(c, "nodes_falsenodeids")?)?;
    let yes_leaf = a.required(c, "nodes_trueleafs", a.ints(c, "nodes_trueleafs")?)?;
    let no_leaf = a.required(c, "nodes_falseleafs", a.ints(c, "nodes_falseleafs")?)?;
    let tracks = a.ints(c, "nodes_missing_value_tracks_true")?.unwrap_or(&[]);
    for (name, len) in [
        ("nodes_modes", modes.len()),
        ("nodes_splits", splits.len()),
        ("nodes_truenodeids", yes_ids.len()),
        ("nodes_falsenodeids", no_ids.len()),
        ("nodes_trueleafs", yes_leaf.len()),
        ("nodes_falseleafs", no_leaf.len()),
    ] {
        check_len(
            c,
            a,
            name,
            len,
            n,
            "split node (as many as nodes_featureids)",
        )?;
    }
    if !tracks.is_empty() {
        check_len(
            c,
            a,
            "nodes_missing_value_tracks_true",
            tracks.len(),
            n,
            "split node (as many as nodes_featureids)",
        )?;
    }
    let targets = a.required(c, "leaf_targetids", a.ints(c, "leaf_targetids")?)?;
    let (weights, _) = a.required_tensor(c, "leaf_weights")?;
    check_len(c, a, "leaf_weights", weights.len(), targets.len(), "leaf")?;
    let nt = a.int(c, "n_targets")?.unwrap_or(1);
    if nt != 1 {
        return Err(c.err(
            &a.label,
            format!("n_targets is {nt}; expected 1 (multi-output models are not supported)"),
        ));
    }
    if roots.len() > MAX_TREES {
        return Err(c.err(
            &a.label,
            format!("more than {MAX_TREES} trees is absurd; the limit is {MAX_TREES}"),
        ));
    }
    let mut trees = Vec::with_capacity(roots.len());
    let mut total = 0usize;
    for (t, &root) in roots.iter().enumerate() {
        let root_at = usize::try_from(root)
            .ok()
            .filter(|&r| r < n)
            .ok_or_else(|| {
                c.err(
                    format!("tree {t}"),
                    format!("tree_roots entry is {root}; expected a split node index below {n}"),
                )
            })?;
        // Depth-first copy of the nodes reached from the root; a split node reached twice
        // within one tree is a cycle or a shared subtree, refused like in other formats.
        let mut nodes: Vec<FlatKind> = Vec::new();
        let mut place: Vec<String> = Vec::new();
        let mut leaf_of: Vec<Option<usize>> = Vec::new();
        let mut seen: HashSet<usize> = HashSet::new();
        // (global split index or leaf index, is_leaf, slot to patch: (parent, yes side))
        let mut stack: Vec<Pending> = vec![(root_at, false, None)];
        while let Some((g, is_leaf, parent)) = stack.pop() {
            total += 1;
            if nodes.len() >= MAX_NODES_PER_TREE || total > MAX_TOTAL_NODES {
                return Err(c.err(
                    format!("tree {t}"),
                    format!("more than {MAX_NODES_PER_TREE} nodes in one tree is absurd"),
                ));
            }
            let here_index = nodes.len();
            if let Some((p, yes_side)) = parent {
                if let FlatKind::Split { yes, no, .. } = &mut nodes[p] {
                    if yes_side {
                        *yes = here_index;
                    } else {
                        *no = here_index;
                    }
                }
            }
            if is_leaf {
                let here = format!("tree {t}, leaf {g}");
                if g >= targets.len() {
                    return Err(c.err(
                        &here,
                        format!(
                            "leaf index {g} is out of range; expected below {}",
                            targets.len()
                        ),
                    ));
                }
                if targets[g] != 0 {
                    return Err(c.err(
                        &here,
                        format!("leaf_targetids is {}; expected 0 (one target)", targets[g]),
                    ));
                }
                if !weights[g].is_finite() {
                    return Err(c.err(
                        &here,
                        format!("leaf weight is {}; expected a finite number", weights[g]),
                    ));
                }
                nodes.push(FlatKind::Leaf);
                place.push(here);
                leaf_of.push(Some(g));
                continue;
            }
            let here = format!("tree {t}, node {g}");
            if !seen.insert(g) {
                return Err(c.err(
                    &here,
                    "the node is reached twice in one tree; expected every node to be \
                     reached from the root exactly once",
                ));
            }
            let code = if modes[g].fract() == 0.0 {
                modes[g] as i64
            } else {
                -1
            };
            let mode = match code {
                0 => "BRANCH_LEQ",
                1 => "BRANCH_LT",
                2 => "BRANCH_GTE",
                3 => "BRANCH_GT",
                4 => "BRANCH_EQ",
                5 => "BRANCH_NEQ",
                6 => "BRANCH_MEMBER",
                _ => "an unknown mode",
            };
            let (cmp, swapped) = mode_cmp(c, &here, mode)?
                .ok_or_else(|| c.err(&here, "split mode is LEAF; expected a split"))?;
            if splits[g].is_nan() {
                return Err(c.err(&here, "threshold is NaN; expected a number"));
            }
            let feature = feature_index(c, &here, features[g])?;
            let tracks_true = match tracks.get(g).copied().unwrap_or(0) {
                0 => false,
                1 => true,
                v => {
                    return Err(c.err(
                        &here,
                        format!("nodes_missing_value_tracks_true is {v}; expected 0 or 1"),
                    ))
                }
            };
            let child = |id: i64, leaf: i64, side: &str| -> Result<(usize, bool)> {
                let is_leaf = match leaf {
                    0 => false,
                    1 => true,
                    v => {
                        return Err(
                            c.err(&here, format!("nodes_{side}leafs is {v}; expected 0 or 1"))
                        )
                    }
                };
                let bound = if is_leaf { targets.len() } else { n };
                let i = usize::try_from(id)
                    .ok()
                    .filter(|&i| i < bound)
                    .ok_or_else(|| {
                        c.err(
                            &here,
                            format!(
                                "{side} child is {} {id}; expected an index below {bound}",
                                if is_leaf { "leaf" } else { "node" }
                            ),
                        )
                    })?;
                Ok((i, is_leaf))
            };
            let (yg, yl) = child(yes_ids[g], yes_leaf[g], "true")?;
            let (ng, nl) = child(no_ids[g], no_leaf[g], "false")?;
            let (yes_side_first, nan_yes) = if swapped {
                ((ng, nl), !tracks_true)
            } else {
                ((yg, yl), tracks_true)
            };
            let other = if swapped { (yg, yl) } else { (ng, nl) };
            nodes.push(FlatKind::Split {
                feature,
                cmp,
                threshold: splits[g],
                yes: usize::MAX,
                no: usize::MAX,
                nan_yes,
            });
            place.push(here);
            leaf_of.push(None);
            // Push "no" first so that the "yes" subtree is copied first.
            stack.push((other.0, other.1, Some((here_index, false))));
            stack.push((yes_side_first.0, yes_side_first.1, Some((here_index, true))));
        }
        let mut w = vec![0.0; nodes.len()];
        for (i, l) in leaf_of.iter().enumerate() {
            if let Some(g) = l {
                w[i] = weights[*g];
            }
        }
        let mut weights_by_col = BTreeMap::new();
        weights_by_col.insert(0usize, w);
        trees.push(FlatTree {
            nodes,
            place,
            weights: weights_by_col,
        });
    }
    let base = Vec::new();
    let post = match a.int(c, "post_transform")?.unwrap_or(0) {
        0 => "NONE",
        1 => "SOFTMAX",
        2 => "LOGISTIC",
        3 => "SOFTMAX_ZERO",
        4 => "PROBIT",
        _ => "an unknown transform",
    };
    let average = match a.int(c, "aggregate_function")?.unwrap_or(1) {
        0 => true,
        1 => false,
        v => {
            return Err(c.err(
                &a.label,
                format!(
                    "aggregate_function is {v} ({}); expected 0 (AVERAGE) or 1 (SUM)",
                    match v {
                        2 => "MIN",
                        3 => "MAX",
                        _ => "unknown",
                    }
                ),
            ))
        }
    };
    Ok(Flat {
        trees,
        columns: 1,
        base,
        thresholds_double,
        post: post.to_string(),
        classifier: None,
        average,
    })
}

/// The largest float32 at or below `t` (exact in f64).
fn f32_down(t: f64) -> f64 {
    let r = t as f32;
    if f64::from(r) > t {
        f64::from(next_down_f32(r))
    } else {
        f64::from(r)
    }
}

/// The smallest float32 at or above `t` (exact in f64).
fn f32_up(t: f64) -> f64 {
    let r = t as f32;
    if f64::from(r) < t {
        f64::from(-next_down_f32(-r))
    } else {
        f64::from(r)
    }
}

fn next_down_f32(x: f32) -> f32 {
    if x.is_nan() || x == f32::NEG_INFINITY {
        return x;
    }
    if x == 0.0 {
        return -f32::from_bits(1);
    }
    let b = x.to_bits();
    f32::from_bits(if x > 0.0 { b - 1 } else { b + 1 })
}

fn next_down_f64(x: f64) -> f64 {
    if x.is_nan() || x == f64::NEG_INFINITY {
        return x;
    }
    if x == 0.0 {
        return -f64::from_bits(1);
    }
    let b = x.to_bits();
    f64::from_bits(if x > 0.0 { b - 1 } else { b + 1 })
}

/// Builds the model: comparison precision and operator, trees per output group, base
/// scores, post-transform and class names.
fn build(c: &Ctx, a: &Attrs, flat: Flat, input: Input, source: String) -> Result<Model> {
    let Flat {
        trees: flat_trees,
        columns,
        base,
        thresholds_double,
        post,
        classifier,
        average,
    } = flat;
    if thresholds_double && !input.double {
        // onnxruntime refuses this too ("could not unpack tensor attribute").
        return Err(c.err(
            &a.label,
            "the thresholds are doubles but the trees' input is float; expected a double \
             input for double thresholds (or float thresholds)",
        ));
    }

    // Precision: see the module documentation.
    let (precision, directed) = match (input.double, input.was_f32) {
        (false, _) => (Precision::F32, false),
        (true, false) => (Precision::F64, false),
        (true, true) => (Precision::F32, true),
    };
    // One operator for the model: `<` only if every split is `<`.
    let all_lt = flat_trees
        .iter()
        .flat_map(|t| t.nodes.iter())
        .all(|n| match n {
            FlatKind::Split { cmp, .. } => *cmp == Cmp::Lt,
            FlatKind::Leaf => true,
        });
    let split_op = if all_lt { SplitOp::Lt } else { SplitOp::Le };

    // Groups, and how each score column feeds them: (group, sign).
    let n_features_seen = flat_trees
        .iter()
        .flat_map(|t| t.nodes.iter())
        .filter_map(|n| match n {
            FlatKind::Split { feature, .. } => Some(*feature + 1),
            FlatKind::Leaf => None,
        })
        .max()
        .unwrap_or(1);
    let n_features = match input.width {
        Some(w) => {
            if w > MAX_FEATURES {
                return Err(c.err(
                    "graph input",
                    format!("{w} features is absurd; the limit is {MAX_FEATURES}"),
                ));
            }
            if n_features_seen > w {
                let (t, i) =
                    flat_trees
                        .iter()
                        .enumerate()
                        .find_map(|(t, tr)| {
                            tr.nodes.iter().position(|n| {
                            matches!(n, FlatKind::Split { feature, .. } if *feature >= w)
                        })
                        .map(|i| (t, i))
                        })
                        .unwrap_or((0, 0));
                return Err(c.err(
                    &flat_trees[t].place[i],
                    format!(
                        "split on feature index {}; expected below {w} (the width of the \
                         graph input)",
                        n_features_seen - 1
                    ),
                ));
            }
            w
        }
        None => n_features_seen,
    };
    let used: BTreeSet<usize> = flat_trees
        .iter()
        .flat_map(|t| t.weights.keys().copied())
        .collect();
    let all_nonneg = flat_trees
        .iter()
        .flat_map(|t| t.weights.values())
        .all(|w| w.iter().all(|&v| v >= 0.0));
    let base_err = |want: &str| {
        c.err(
            &a.label,
            format!("base_values has {} entries; expected {want}", base.len()),
        )
    };
    let unsupported_post = |what: &str| {
        c.err(
            &a.label,
            format!(
                "post_transform {} is not supported {what}; expected NONE, LOGISTIC or SOFTMAX",
                shown(&post)
            ),
        )
    };
    type ColMap = Vec<Option<(usize, f64)>>;
    let (task, n_classes, class_names, post_t, base_score, col_map): (
        Task,
        usize,
        Option<Vec<String>>,
        PostTransform,
        Vec<f64>,
        ColMap,
    ) = match &classifier {
        None => {
            let b = match base.as_slice() {
                [] => 0.0,
                [b] => *b,
                _ => return Err(base_err("0 or 1 (one target)")),
            };
            let p = match post.as_str() {
                "NONE" => PostTransform::Identity,
                "LOGISTIC" => PostTransform::Sigmoid { scale: 1.0 },
                _ => return Err(unsupported_post("for a regressor")),
            };
            (Task::Regression, 1, None, p, vec![b], vec![Some((0, 1.0))])
        }
        Some(labels) => {
            let k = labels.len();
            let names = class_names(c, a, labels)?;
            if k > 2 {
                let b = match base.len() {
                    0 => vec![0.0; k],
                    x if x == k => base.clone(),
                    _ => return Err(base_err(&format!("0 or {k} (one per class)"))),
                };
                let p = match post.as_str() {
                    "NONE" => PostTransform::Identity,
                    "LOGISTIC" => PostTransform::Sigmoid { scale: 1.0 },
                    "SOFTMAX" => PostTransform::Softmax,
                    _ => return Err(unsupported_post("for a multi-class classifier")),
                };
                let map = (0..k).map(|g| Some((g, 1.0))).collect();
                (Task::Classification, k, names, p, b, map)
            } else if used.contains(&1) {
                // Two score columns: only softmax has an exact one-margin form.
                if post != "SOFTMAX" {
                    return Err(c.err(
                        &a.label,
                        format!(
                            "a binary classifier with scores for both classes and \
                             post_transform {} is not supported; expected one score column \
                             (class_ids all 0), or SOFTMAX",
                            shown(&post)
                        ),
                    ));
                }
                let b = match base.as_slice() {
                    [] => 0.0,
                    [b0, b1] => b1 - b0,
                    _ => return Err(base_err("0 or 2 (one per class)")),
                };
                (
                    Task::Classification,
                    2,
                    names,
                    PostTransform::Sigmoid { scale: 1.0 },
                    vec![b],
                    vec![Some((0, -1.0)), Some((0, 1.0))],
                )
            } else {
                let b = match base.as_slice() {
                    [] => 0.0,
                    [b] => *b,
                    _ => return Err(base_err("0 or 1 (one score column)")),
                };
                let (p, b) = match post.as_str() {
                    "NONE" if all_nonneg => (PostTransform::Offset { offset: 0.5 }, b - 0.5),
                    "NONE" => (PostTransform::Identity, b),
                    "LOGISTIC" => (PostTransform::Sigmoid { scale: 1.0 }, b),
                    _ => {
                        return Err(unsupported_post(
                            "for a binary classifier with one score column",
                        ))
                    }
                };
                (
                    Task::Classification,
                    2,
                    names,
                    p,
                    vec![b],
                    vec![Some((0, 1.0)), None],
                )
            }
        }
    };
    let _ = columns;

    for ft in &flat_trees {
        check_shape(c, ft)?;
    }
    // Trees: one per (file tree, group fed), same splits; a tree whose leaves are all
    // zero for a group adds nothing to it and is left out.
    let n_trees_file = flat_trees.len();
    let mut trees: Vec<Tree> = Vec::new();
    let mut total = 0usize;
    for ft in &flat_trees {
        // Group -> leaf values of this tree for that group.
        let mut per_group: BTreeMap<usize, Vec<f64>> = BTreeMap::new();
        for (&col, w) in &ft.weights {
            let Some((g, sign)) = col_map.get(col).copied().flatten() else {
                continue;
            };
            let acc = per_group
                .entry(g)
                .or_insert_with(|| vec![0.0; ft.nodes.len()]);
            for (x, &v) in acc.iter_mut().zip(w) {
                *x += sign * v;
            }
        }
        for (g, values) in per_group {
            if values.iter().all(|&v| v == 0.0) && !(trees.is_empty() && last_tree(ft, &flat_trees))
            {
                continue;
            }
            total += ft.nodes.len();
            if total > MAX_TOTAL_NODES || trees.len() == MAX_TREES {
                return Err(c.err(
                    &a.label,
                    format!(
                        "more than {MAX_TOTAL_NODES} nodes or {MAX_TREES} trees once \
                         multi-class trees are split per class is absurd"
                    ),
                ));
            }
            let nodes = convert_nodes(c, ft, &values, split_op, precision, directed)?;
            trees.push(Tree { group: g, nodes });
        }
    }
    let leaf_scale = if average {
        1.0 / n_trees_file.max(1) as f64
    } else {
        1.0
    };
    let model = Model {
        source,
        task,
        n_features,
        feature_names: None,
        n_classes,
        class_names,
        base_score,
        split_op,
        precision,
        accumulate: Accumulate::F64,
        post: post_t,
        leaf_scale,
        trees,
    };
    super::check_model(c.file, &model)?;
    Ok(model)
}

/// True when `ft` is the last tree of `all` (an all-zero model still keeps one tree).
fn last_tree(ft: &FlatTree, all: &[FlatTree]) -> bool {
    all.last().is_some_and(|l| std::ptr::eq(l, ft))
}

/// Checks that every node of a tree is reached from its root exactly once (children
/// indices are in range by construction).
fn check_shape(c: &Ctx, ft: &FlatTree) -> Result<()> {
    let n = ft.nodes.len();
    let mut seen = vec![false; n];
    let mut stack = vec![0usize];
    if n > 0 {
        seen[0] = true;
    }
    while let Some(i) = stack.pop() {
        if let FlatKind::Split { yes, no, .. } = ft.nodes[i] {
            for (side, k) in [("true", yes), ("false", no)] {
                if seen[k] {
                    return Err(c.err(
                        &ft.place[i],
                        format!(
                            "{side} child is {}, which is already reached (a cycle or a \
                             shared subtree); expected every node to be reached from the \
                             root exactly once",
                            ft.place[k]
                        ),
                    ));
                }
                seen[k] = true;
                stack.push(k);
            }
        }
    }
    if let Some(k) = seen.iter().position(|s| !s) {
        return Err(c.err(
            &ft.place[k],
            format!(
                "the node is not reachable from the tree's root ({}, the first node listed \
                 for the tree); expected every node to be reached exactly once",
                ft.place[0]
            ),
        ));
    }
    Ok(())
}

/// Class names: string labels, or integer labels other than `0..K−1`.
fn class_names(c: &Ctx, a: &Attrs, labels: &Labels) -> Result<Option<Vec<String>>> {
    let names: Vec<String> = match labels {
        Labels::Ints(v) => {
            if v.iter().enumerate().all(|(i, &l)| l == i as i64) {
                return Ok(None);
            }
            v.iter().map(|l| l.to_string()).collect()
        }
        Labels::Strings(v) => v.clone(),
    };
    let mut seen = HashSet::new();
    for n in &names {
        if !seen.insert(n.as_str()) {
            return Err(c.err(
                &a.label,
                format!(
                    "class label {} appears twice; expected distinct labels",
                    shown(n)
                ),
            ));
        }
    }
    Ok(Some(names))
}

/// One tree's nodes in model form, with leaf values for one group.
fn convert_nodes(
    c: &Ctx,
    ft: &FlatTree,
    values: &[f64],
    op: SplitOp,
    precision: Precision,
    directed: bool,
) -> Result<Vec<Node>> {
    ft.nodes
        .iter()
        .enumerate()
        .map(|(i, n)| match *n {
            FlatKind::Leaf => Ok(Node::Leaf { value: values[i] }),
            FlatKind::Split {
                feature,
                cmp,
                threshold,
                yes,
                no,
                nan_yes,
            } => {
                // A float32 `x` against a float64 threshold: round the threshold to the
                // float32 that gives the same answer for every float32 `x`.
                let mut t = if directed {
                    match cmp {
                        Cmp::Le => f32_down(threshold),
                        Cmp::Lt => f32_up(threshold),
                    }
                } else {
                    threshold
                };
                if cmp == Cmp::Lt && op == SplitOp::Le {
                    // `x < t` is `x <= (the value just below t)` in the comparison precision.
                    let below = match precision {
                        Precision::F32 => f64::from(next_down_f32(t as f32)),
                        Precision::F64 => next_down_f64(t),
                    };
                    if below == f64::NEG_INFINITY && t == f64::NEG_INFINITY
                        || (precision == Precision::F32 && (t as f32) == f32::NEG_INFINITY)
                    {
                        return Err(c.err(
                            &ft.place[i],
                            "BRANCH_LT with threshold -inf mixed with BRANCH_LEQ splits \
                             cannot be represented; expected a finite threshold",
                        ));
                    }
                    t = below;
                }
                Ok(Node::Split {
                    feature,
                    threshold: t,
                    left: yes,
                    right: no,
                    default_left: nan_yes,
                    missing: Missing::NanDefault,
                })
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directed_rounding_to_f32() {
        let t = 0.1f64; // not a float32
        let down = f32_down(t);
        let up = f32_up(t);
        assert!(down < t && t < up);
        assert_eq!(f64::from(down as f32), down);
        assert_eq!(f64::from(up as f32), up);
        assert_eq!(next_down_f32(up as f32), down as f32);
        assert_eq!(f32_down(0.5), 0.5);
        assert_eq!(f32_up(0.5), 0.5);
        assert_eq!(f32_up(1e39), f64::INFINITY);
        assert_eq!(f32_down(1e39), f64::from(f32::MAX));
        assert_eq!(next_down_f64(1.0), 1.0 - f64::EPSILON / 2.0);
        assert_eq!(next_down_f32(0.0), -f32::from_bits(1));
    }
}
