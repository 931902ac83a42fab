//! locus's own tree-model JSON: the float model exactly as `locus compile` writes `DIR/model.json`.
//!
//! Handy for models from other tools and for tests: every field of
//! [`crate::model::Model`] spelled out, so no source semantics are implied. Checked as
//! strictly as the other importers.

use super::{check_tree, MAX_CLASSES, MAX_FEATURES, MAX_TREES};
use crate::error::{Error, Result};
use crate::model::{Model, PostTransform, Task};

/// True if `v` looks like a native model (it has the float model's own keys).
pub fn detect(v: &serde_json::Value) -> bool {
    v.get("split_op").is_some() && v.get("trees").is_some() && v.get("learner").is_none()
}

/// Parses and checks a native model.
pub fn parse(file: &str, v: serde_json::Value) -> Result<Model> {
    let m: Model = serde_json::from_value(v).map_err(|e| {
        Error::input(
            file,
            "",
            format!("{e}; expected a locus tree model (the format of model.json written by `locus compile`)"),
        )
    })?;
    let bad = |place: String, msg: String| Err(Error::input(file, place, msg));
    if m.n_features == 0 || m.n_features > MAX_FEATURES {
        return bad(
            "n_features".into(),
            format!("{} features; expected 1 to {MAX_FEATURES}", m.n_features),
        );
    }
    if m.trees.is_empty() || m.trees.len() > MAX_TREES {
        return bad(
            "trees".into(),
            format!("{} trees; expected 1 to {MAX_TREES}", m.trees.len()),
        );
    }
    match m.task {
        Task::Regression if m.n_classes != 1 => {
            return bad(
                "n_classes".into(),
                format!("{} for regression; expected 1", m.n_classes),
            )
        }
        Task::Classification if !(2..=MAX_CLASSES).contains(&m.n_classes) => {
            return bad(
                "n_classes".into(),
                format!("{}; expected 2 to {MAX_CLASSES}", m.n_classes),
            )
        }
        _ => {}
    }
    let groups = m.n_groups();
    if m.base_score.len() != groups || m.base_score.iter().any(|b| !b.is_finite()) {
        return bad(
            "base_score".into(),
            format!(
                "{} values; expected {groups} finite values, one per output group",
                m.base_score.len()
            ),
        );
    }
    if !(m.leaf_scale.is_finite() && m.leaf_scale > 0.0) {
        return bad(
            "leaf_scale".into(),
            format!("{}; expected a positive number", m.leaf_scale),
        );
    }
    if let PostTransform::Sigmoid { scale } = m.post {
        if !scale.is_finite() {
            return bad(
                "post".into(),
                "sigmoid scale is not finite; expected a number".into(),
            );
        }
    }
    if let Some(names) = &m.feature_names {
        if names.len() != m.n_features {
            return bad(
                "feature_names".into(),
                format!(
                    "{} names; expected {}, one per feature",
                    names.len(),
                    m.n_features
                ),
            );
        }
    }
    if let Some(names) = &m.class_names {
        if names.len() != m.n_classes {
            return bad(
                "class_names".into(),
                format!(
                    "{} names; expected {}, one per class",
                    names.len(),
                    m.n_classes
                ),
            );
        }
    }
    for (i, t) in m.trees.iter().enumerate() {
        if t.group >= groups {
            return bad(
                format!("tree {i}"),
                format!("group {}; expected below {groups}", t.group),
            );
        }
        check_tree(file, i, &t.nodes, m.n_features)?;
    }
    Ok(m)
}
