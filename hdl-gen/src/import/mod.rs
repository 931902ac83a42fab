//! Importers: each reads one model format into a float [`crate::model::Model`] with exact source semantics.
//!
//! [`load`] and [`load_bytes`] choose the importer from the content, never from the file
//! name. Every importer treats its input as untrusted: any bytes give either a model whose
//! trees pass [`check_tree`] or an [`Error::Input`] naming the file and the place, never a
//! panic.

pub mod lightgbm;
pub mod native;
pub mod native_rbf;
pub mod onnx;
pub mod onnx_svm;
pub mod xgboost;

use crate::error::{Error, Result};
use crate::model::{AnyModel, Model, Node};
use std::path::Path;

/// More nodes than this in one tree is refused as absurd (before anything is allocated for it).
pub const MAX_NODES_PER_TREE: usize = 1_000_000;
/// More trees than this in one model is refused as absurd.
pub const MAX_TREES: usize = 100_000;
/// More input features than this is refused as absurd.
pub const MAX_FEATURES: usize = 10_000_000;
/// More classes than this is refused as absurd.
pub const MAX_CLASSES: usize = 10_000;

/// The formats [`load`] recognises, for error messages.
pub const SUPPORTED_FORMATS: &str = "XGBoost JSON (Booster.save_model(\"model.json\")), \
     LightGBM text (Booster.save_model(\"model.txt\")), ONNX tree ensembles (skl2onnx, onnxmltools) \
     and locus tree JSON (model.json written by locus compile)";

/// Reads a model file, choosing the importer from its content.
pub fn load(path: &Path) -> Result<Model> {
    let name = path.display().to_string();
    let bytes = crate::limits::read_capped(path, crate::limits::MAX_MODEL_BYTES, "a model file")?;
    load_bytes(&name, &bytes)
}

/// Reads a model file of either family (tree ensemble or RBF model), choosing the
/// importer from its content.
pub fn load_any(path: &Path) -> Result<AnyModel> {
    let name = path.display().to_string();
    let bytes = crate::limits::read_capped(path, crate::limits::MAX_MODEL_BYTES, "a model file")?;
    load_any_bytes(&name, &bytes)
}

/// [`load_any`] from bytes: ONNX SVMs and locus RBF JSON become RBF models, anything
/// else goes to [`load_bytes`].
pub fn load_any_bytes(name: &str, bytes: &[u8]) -> Result<AnyModel> {
    if onnx_svm::detect(bytes) {
        return onnx_svm::parse(name, bytes).map(AnyModel::Rbf);
    }
    let body = &bytes[skip_bom_and_space(bytes)..];
    if body.first() == Some(&b'{') {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
            if native_rbf::detect(&v) {
                return native_rbf::parse(name, v).map(AnyModel::Rbf);
            }
        }
    }
    load_bytes(name, bytes).map(AnyModel::Trees)
}

/// Imports a model from its bytes; `name` is the file name used in error messages.
pub fn load_bytes(name: &str, bytes: &[u8]) -> Result<Model> {
    if onnx::detect(bytes) {
        return onnx::parse(name, bytes);
    }
    let start = skip_bom_and_space(bytes);
    let body = &bytes[start..];
    if body.first() == Some(&b'{') {
        // UBJSON (XGBoost's binary `.ubj`) also opens with `{`, followed by a type marker.
        let next = body[1..].iter().find(|b| !b.is_ascii_whitespace());
        if matches!(next, Some(b'i' | b'U' | b'I' | b'l' | b'L'))
            && std::str::from_utf8(body).is_err()
        {
            return Err(Error::input(
                name,
                "",
                format!(
                    "this looks like XGBoost UBJSON (binary); save the model as JSON \
                     (Booster.save_model(\"model.json\")). Supported formats: {SUPPORTED_FORMATS}"
                ),
            ));
        }
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
            if native::detect(&v) {
                return native::parse(name, v);
            }
        }
        return xgboost::parse(name, body);
    }
    if body.starts_with(b"tree") && contains(body, b"version=") {
        return lightgbm::parse(name, body);
    }
    Err(Error::input(
        name,
        "",
        format!("unrecognised model format; supported formats: {SUPPORTED_FORMATS}"),
    ))
}

fn skip_bom_and_space(bytes: &[u8]) -> usize {
    let mut i = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Shows a piece of input text in a message: quoted, control characters escaped, and cut
/// to a readable length.
pub(crate) fn shown(s: &str) -> String {
    const MAX: usize = 60;
    let mut out = String::from("'");
    for (i, c) in s.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        out.extend(c.escape_debug());
    }
    out.push('\'');
    out
}

/// The place of node `node` in tree `tree`, as messages show it.
pub(crate) fn node_place(tree: usize, node: usize) -> String {
    format!("tree {tree}, node {node}")
}

/// Checks the shape of one tree given each node's children (`None` for a leaf) and
/// returns the reachable nodes in pre-order, root first.
///
/// Every child index must be in range and every node reachable from the root (node 0)
/// exactly once; reaching a node a second time is how a cycle or a shared subtree shows
/// itself, so the walk visits at most `kids.len()` nodes and always ends. Up to
/// `unreachable_ok` nodes may be unreachable (XGBoost keeps pruned, "deleted" nodes in its
/// arrays); any more is an error.
pub(crate) fn walk_tree(
    file: &str,
    tree: usize,
    kids: &[Option<(usize, usize)>],
    unreachable_ok: usize,
) -> Result<Vec<usize>> {
    let n = kids.len();
    if n == 0 {
        return Err(Error::input(
            file,
            format!("tree {tree}"),
            "tree has no nodes; expected at least one",
        ));
    }
    let mut parent: Vec<Option<usize>> = vec![None; n];
    let mut seen = vec![false; n];
    seen[0] = true;
    let mut order = Vec::with_capacity(n);
    let mut stack = vec![0usize];
    while let Some(i) = stack.pop() {
        order.push(i);
        if let Some((l, r)) = kids[i] {
            // Push right first so that the left subtree comes first in pre-order.
            for (side, c) in [("right", r), ("left", l)] {
                if c >= n {
                    return Err(Error::input(
                        file,
                        node_place(tree, i),
                        format!(
                            "{side} child index {c} is out of range; expected below {n} \
                             (the number of nodes)"
                        ),
                    ));
                }
                if seen[c] {
                    let how = if c == 0 || c == i {
                        "which makes a cycle".to_string()
                    } else if parent[c] == Some(i) {
                        "which is also its other child".to_string()
                    } else {
                        match parent[c] {
                            Some(p) => format!("which is already the child of node {p}"),
                            None => "which is already reached".to_string(),
                        }
                    };
                    return Err(Error::input(
                        file,
                        node_place(tree, i),
                        format!(
                            "{side} child is node {c}, {how}; expected every node to be \
                             reached from the root exactly once"
                        ),
                    ));
                }
                seen[c] = true;
                parent[c] = Some(i);
                stack.push(c);
            }
        }
    }
    let unreachable = n - order.len();
    if unreachable > unreachable_ok {
        let first = seen.iter().position(|s| !s).unwrap_or(0);
        return Err(Error::input(
            file,
            node_place(tree, first),
            format!(
                "node is not reachable from the root ({unreachable} such nodes); expected \
                 every node to be reached from the root exactly once"
            ),
        ));
    }
    Ok(order)
}

/// Final check of a built tree against the model (a second line of defence behind each
/// importer's own checks, whose messages are more specific): shape, feature indices and
/// finite values.
pub(crate) fn check_tree(file: &str, tree: usize, nodes: &[Node], n_features: usize) -> Result<()> {
    let kids: Vec<Option<(usize, usize)>> = nodes
        .iter()
        .map(|n| match n {
            Node::Split { left, right, .. } => Some((*left, *right)),
            Node::Leaf { .. } => None,
        })
        .collect();
    walk_tree(file, tree, &kids, 0)?;
    for (i, n) in nodes.iter().enumerate() {
        match n {
            Node::Split {
                feature, threshold, ..
            } => {
                if *feature >= n_features {
                    return Err(Error::input(
                        file,
                        node_place(tree, i),
                        format!(
                            "split on feature index {feature}; expected below {n_features} \
                             (the number of features)"
                        ),
                    ));
                }
                // ±infinity is a legal (constant) split; NaN is not a threshold.
                if threshold.is_nan() {
                    return Err(Error::input(
                        file,
                        node_place(tree, i),
                        "threshold is NaN; expected a number",
                    ));
                }
            }
            Node::Leaf { value } => {
                if !value.is_finite() {
                    return Err(Error::input(
                        file,
                        node_place(tree, i),
                        format!("leaf value is {value}; expected a finite number"),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Checks the model-wide figures every importer must get right before the model is used.
pub(crate) fn check_model(file: &str, m: &Model) -> Result<()> {
    if m.trees.is_empty() {
        return Err(Error::input(
            file,
            "",
            "the model has no trees; expected at least one",
        ));
    }
    let g = m.n_groups();
    if m.base_score.len() != g {
        return Err(Error::Internal(format!(
            "{file}: importer made {} base scores for {g} output groups",
            m.base_score.len()
        )));
    }
    if let Some(b) = m.base_score.iter().find(|b| !b.is_finite()) {
        return Err(Error::input(
            file,
            "",
            format!("base score is {b} in margin space; expected a finite number"),
        ));
    }
    if !m.leaf_scale.is_finite() || m.leaf_scale <= 0.0 {
        return Err(Error::input(
            file,
            "",
            format!("leaf scale is {}; expected a positive number", m.leaf_scale),
        ));
    }
    if let Some(names) = &m.feature_names {
        if names.len() != m.n_features {
            return Err(Error::input(
                file,
                "",
                format!(
                    "{} feature names for {} features; expected one name per feature",
                    names.len(),
                    m.n_features
                ),
            ));
        }
    }
    for (t, tree) in m.trees.iter().enumerate() {
        if tree.group >= g {
            return Err(Error::input(
                file,
                format!("tree {t}"),
                format!(
                    "tree adds to output group {}; expected below {g} (the number of groups)",
                    tree.group
                ),
            ));
        }
        check_tree(file, t, &tree.nodes, m.n_features)?;
    }
    Ok(())
}
