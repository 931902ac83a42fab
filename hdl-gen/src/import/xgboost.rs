//! XGBoost JSON importer (`Booster.save_model("model.json")`, XGBoost 1.7 to 3.x).
//!
//! Semantics reproduced (checked against xgboost 1.7.6, 2.1.4 and 3.2.0 predictions):
//! - a split sends `x` left when `x < t`, both rounded to float32; NaN takes `default_left`;
//! - thresholds and leaf values are float32 in the library, so they are rounded to float32
//!   here and kept as the exact f64 of that float32;
//! - margins are float32 sums that start at the base margin and add trees in order;
//! - `learner_model_param.base_score` is stored in *output* space (a probability for
//!   logistic objectives, a mean for log-link ones) and becomes the base margin through
//!   the objective's `ProbToMargin`: logit for `binary:logistic`/`reg:logistic`, ln for
//!   `count:poisson`/`reg:gamma`/`reg:tweedie`, identity otherwise (including softmax, for
//!   which 3.x stores one margin per class, and `binary:logitraw`);
//! - DART multiplies each tree's leaves by its `weight_drop` entry (float32 product).

use super::{
    node_place, shown, walk_tree, MAX_CLASSES, MAX_FEATURES, MAX_NODES_PER_TREE, MAX_TREES,
};
use crate::error::{Error, Result};
use crate::model::{
    Accumulate, Missing, Model, Node, PostTransform, Precision, SplitOp, Task, Tree,
};
use serde_json::Value;

/// The objectives this importer understands, for error messages.
pub const SUPPORTED_OBJECTIVES: &str = "binary:logistic, binary:logitraw, multi:softprob, \
     multi:softmax, reg:squarederror, reg:squaredlogerror, reg:pseudohubererror, \
     reg:absoluteerror, reg:logistic, count:poisson, reg:gamma, reg:tweedie";

/// How an objective's stored base score becomes a margin (XGBoost's `ProbToMargin`).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Link {
    Identity,
    Logit,
    Log,
}

struct Objective {
    task: Task,
    post: PostTransform,
    link: Link,
    multi: bool,
}

fn objective(name: &str) -> Option<Objective> {
    let (task, post, link, multi) = match name {
        "binary:logistic" => (
            Task::Classification,
            PostTransform::Sigmoid { scale: 1.0 },
            Link::Logit,
            false,
        ),
        "binary:logitraw" => (
            Task::Classification,
            PostTransform::Identity,
            Link::Identity,
            false,
        ),
        "multi:softprob" | "multi:softmax" => (
            Task::Classification,
            PostTransform::Softmax,
            Link::Identity,
            true,
        ),
        "reg:squarederror"
        | "reg:squaredlogerror"
        | "reg:pseudohubererror"
        | "reg:absoluteerror" => (
            Task::Regression,
            PostTransform::Identity,
            Link::Identity,
            false,
        ),
        "reg:logistic" => (
            Task::Regression,
            PostTransform::Sigmoid { scale: 1.0 },
            Link::Logit,
            false,
        ),
        "count:poisson" | "reg:gamma" | "reg:tweedie" => {
            (Task::Regression, PostTransform::Exp, Link::Log, false)
        }
        _ => return None,
    };
    Some(Objective {
        task,
        post,
        link,
        multi,
    })
}

/// Reads JSON values with messages that name the file and the JSON path.
struct Reader<'a> {
    file: &'a str,
}

impl<'a> Reader<'a> {
    fn err(&self, place: impl Into<String>, msg: impl Into<String>) -> Error {
        Error::input(self.file, place, msg)
    }

    fn field<'v>(&self, v: &'v Value, path: &str, key: &str) -> Result<&'v Value> {
        let obj = v
            .as_object()
            .ok_or_else(|| self.err(path, format!("found {}; expected a JSON object", kind(v))))?;
        obj.get(key).ok_or_else(|| {
            self.err(
                path,
                format!("missing field '{key}'; expected an XGBoost model saved as JSON"),
            )
        })
    }

    /// An unsigned integer written as a JSON number or as a string (XGBoost writes
    /// parameters as strings).
    fn usize_of(&self, v: &Value, place: &str) -> Result<usize> {
        let bad = || {
            self.err(
                place,
                format!("found {}; expected a non-negative integer", short(v)),
            )
        };
        match v {
            Value::Number(n) => n
                .as_u64()
                .and_then(|u| usize::try_from(u).ok())
                .ok_or_else(bad),
            Value::String(s) => s.trim().parse::<usize>().map_err(|_| bad()),
            _ => Err(bad()),
        }
    }

    fn array<'v>(&self, v: &'v Value, place: &str, name: &str, len: usize) -> Result<&'v [Value]> {
        let a = v.as_array().ok_or_else(|| {
            self.err(place, format!("'{name}' is {}; expected an array", kind(v)))
        })?;
        if a.len() != len {
            return Err(self.err(
                place,
                format!(
                    "'{name}' has {} entries; expected {len} (tree_param.num_nodes)",
                    a.len()
                ),
            ));
        }
        Ok(a)
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A short rendering of a JSON value for messages.
fn short(v: &Value) -> String {
    match v {
        Value::String(s) => shown(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => kind(other).to_string(),
    }
}

/// Parses XGBoost JSON bytes.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Model> {
    let root: Value = serde_json::from_slice(bytes).map_err(|e| {
        // serde_json's message ends with the position, which the place already gives.
        let what = e.to_string();
        let what = what
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_string();
        Error::input(
            file,
            format!("line {}, column {}", e.line(), e.column()),
            format!(
                "invalid JSON ({what}); expected an XGBoost model saved with \
                 save_model(\"model.json\")"
            ),
        )
    })?;
    let r = Reader { file };
    let learner = match root.get("learner") {
        Some(l) if root.is_object() => l,
        _ => {
            return Err(r.err(
                "",
                format!(
                    "JSON without a 'learner' object; supported formats: {}",
                    super::SUPPORTED_FORMATS
                ),
            ))
        }
    };
    let source = match root.get("version").and_then(Value::as_array) {
        Some(v) if !v.is_empty() && v.iter().all(|x| x.as_u64().is_some()) => {
            let parts: Vec<String> = v.iter().map(|x| x.to_string()).collect();
            format!("xgboost {}", parts.join("."))
        }
        _ => "xgboost (unknown version)".to_string(),
    };

    // Objective.
    let obj_v = r.field(learner, "learner", "objective")?;
    let obj_name_v = r.field(obj_v, "learner.objective", "name")?;
    let obj_name = obj_name_v.as_str().ok_or_else(|| {
        r.err(
            "learner.objective.name",
            format!("found {}; expected a string", kind(obj_name_v)),
        )
    })?;
    let obj = objective(obj_name).ok_or_else(|| {
        r.err(
            "learner.objective.name",
            format!(
                "objective {} is not supported; expected one of {SUPPORTED_OBJECTIVES}",
                shown(obj_name)
            ),
        )
    })?;

    // Model parameters.
    let mp = r.field(learner, "learner", "learner_model_param")?;
    let mp_place = "learner.learner_model_param";
    let n_features = r.usize_of(
        r.field(mp, mp_place, "num_feature")?,
        "learner.learner_model_param.num_feature",
    )?;
    if n_features > MAX_FEATURES {
        return Err(r.err(
            "learner.learner_model_param.num_feature",
            format!("{n_features} features is absurd; the limit is {MAX_FEATURES}"),
        ));
    }
    let num_class = r.usize_of(
        r.field(mp, mp_place, "num_class")?,
        "learner.learner_model_param.num_class",
    )?;
    if let Some(nt) = mp.get("num_target") {
        let nt = r.usize_of(nt, "learner.learner_model_param.num_target")?;
        if nt > 1 {
            return Err(r.err(
                "learner.learner_model_param.num_target",
                format!("multi-target model ({nt} targets) is not supported; expected one target"),
            ));
        }
    }
    let (n_classes, n_groups) = if obj.multi {
        if num_class < 3 {
            return Err(r.err(
                "learner.learner_model_param.num_class",
                format!(
                    "{obj_name} with num_class={num_class} is not supported; expected \
                     num_class >= 3 (train two classes with binary:logistic)"
                ),
            ));
        }
        if num_class > MAX_CLASSES {
            return Err(r.err(
                "learner.learner_model_param.num_class",
                format!("{num_class} classes is absurd; the limit is {MAX_CLASSES}"),
            ));
        }
        (num_class, num_class)
    } else {
        if num_class > 1 {
            return Err(r.err(
                "learner.learner_model_param.num_class",
                format!(
                    "num_class={num_class} with objective {obj_name}; expected 0 or 1 \
                     (one output group)"
                ),
            ));
        }
        let n = if obj.task == Task::Classification {
            2
        } else {
            1
        };
        (n, 1)
    };
    let base_place = "learner.learner_model_param.base_score";
    let stored = parse_base_score(&r, r.field(mp, mp_place, "base_score")?, base_place)?;
    let stored = match stored.len() {
        1 => vec![stored[0]; n_groups],
        k if k == n_groups => stored,
        k => {
            return Err(r.err(
                base_place,
                if n_groups == 1 {
                    format!("{k} values; expected 1 (one output group)")
                } else {
                    format!("{k} values; expected 1 or {n_groups} (one per output group)")
                },
            ))
        }
    };
    let mut base_score = Vec::with_capacity(n_groups);
    for b in stored {
        base_score.push(to_margin(&r, base_place, b, obj.link, obj_name)?);
    }

    // Feature names.
    let feature_names = match learner.get("feature_names") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) if a.is_empty() => None,
        Some(Value::Array(a)) => {
            let mut names = Vec::with_capacity(a.len());
            for v in a {
                match v.as_str() {
                    Some(s) => names.push(s.to_string()),
                    None => {
                        return Err(r.err(
                            "learner.feature_names",
                            format!("found {}; expected a list of strings", short(v)),
                        ))
                    }
                }
            }
            if names.len() != n_features {
                return Err(r.err(
                    "learner.feature_names",
                    format!(
                        "{} names; expected {n_features} (learner_model_param.num_feature)",
                        names.len()
                    ),
                ));
            }
            Some(names)
        }
        Some(other) => {
            return Err(r.err(
                "learner.feature_names",
                format!("found {}; expected a list of strings", kind(other)),
            ))
        }
    };

    // Booster.
    let gb = r.field(learner, "learner", "gradient_booster")?;
    let gb_name = r.field(gb, "learner.gradient_booster", "name")?;
    let (model_v, weights) = match gb_name.as_str() {
        Some("gbtree") => (r.field(gb, "learner.gradient_booster", "model")?, None),
        Some("dart") => {
            let inner = r.field(gb, "learner.gradient_booster", "gbtree")?;
            let model = r.field(inner, "learner.gradient_booster.gbtree", "model")?;
            let w = r.field(gb, "learner.gradient_booster", "weight_drop")?;
            let w = w.as_array().ok_or_else(|| {
                r.err(
                    "learner.gradient_booster.weight_drop",
                    format!("found {}; expected an array", kind(w)),
                )
            })?;
            (model, Some(w))
        }
        Some("gblinear") => {
            return Err(r.err(
                "learner.gradient_booster.name",
                "booster 'gblinear' (a linear model) is not supported; expected a tree \
                 booster ('gbtree' or 'dart')",
            ))
        }
        _ => {
            return Err(r.err(
                "learner.gradient_booster.name",
                format!(
                    "booster {} is not supported; expected 'gbtree' or 'dart'",
                    short(gb_name)
                ),
            ))
        }
    };
    let mplace = "learner.gradient_booster.model";
    let trees_v = r.field(model_v, mplace, "trees")?;
    let trees_a = trees_v.as_array().ok_or_else(|| {
        r.err(
            "learner.gradient_booster.model.trees",
            format!("found {}; expected an array of trees", kind(trees_v)),
        )
    })?;
    if trees_a.len() > MAX_TREES {
        return Err(r.err(
            "learner.gradient_booster.model.trees",
            format!(
                "{} trees is absurd; the limit is {MAX_TREES}",
                trees_a.len()
            ),
        ));
    }
    let info_v = r.field(model_v, mplace, "tree_info")?;
    let info = info_v
        .as_array()
        .filter(|a| a.len() == trees_a.len())
        .ok_or_else(|| {
            r.err(
                "learner.gradient_booster.model.tree_info",
                format!(
                    "found {}; expected an array with one group per tree ({} trees)",
                    match info_v.as_array() {
                        Some(a) => format!("{} entries", a.len()),
                        None => kind(info_v).to_string(),
                    },
                    trees_a.len()
                ),
            )
        })?;
    if let Some(w) = weights {
        if w.len() != trees_a.len() {
            return Err(r.err(
                "learner.gradient_booster.weight_drop",
                format!(
                    "{} weights; expected one per tree ({} trees)",
                    w.len(),
                    trees_a.len()
                ),
            ));
        }
    }

    let mut trees = Vec::with_capacity(trees_a.len());
    for (t, tv) in trees_a.iter().enumerate() {
        let group = r.usize_of(&info[t], &format!("tree {t}, tree_info"))?;
        if group >= n_groups {
            return Err(r.err(
                format!("tree {t}"),
                format!(
                    "tree_info gives output group {group}; expected below {n_groups} \
                     (the number of output groups)"
                ),
            ));
        }
        let weight = match weights {
            None => None,
            Some(w) => {
                let x = w[t].as_f64().map(|x| x as f32).filter(|x| x.is_finite());
                Some(x.ok_or_else(|| {
                    r.err(
                        format!("tree {t}"),
                        format!(
                            "DART weight_drop is {}; expected a finite number",
                            short(&w[t])
                        ),
                    )
                })?)
            }
        };
        let nodes = parse_tree(&r, t, tv, n_features, feature_names.as_deref(), weight)?;
        trees.push(Tree { group, nodes });
    }

    let model = Model {
        source,
        task: obj.task,
        n_features,
        feature_names,
        n_classes,
        base_score,
        split_op: SplitOp::Lt,
        precision: Precision::F32,
        accumulate: Accumulate::F32,
        post: obj.post,
        leaf_scale: 1.0,
        class_names: None,
        trees,
    };
    super::check_model(file, &model)?;
    Ok(model)
}

/// Parses `base_score`: `"5E-1"`, `"[5E-1]"`, `"[a,b,c]"` or a bare JSON number.
fn parse_base_score(r: &Reader, v: &Value, place: &str) -> Result<Vec<f32>> {
    let bad = |what: &str| {
        r.err(
            place,
            format!(
                "{what} in {}; expected a finite number or a list of finite numbers \
                 such as \"5E-1\" or \"[5E-1]\"",
                short(v)
            ),
        )
    };
    let values: Vec<f64> = match v {
        Value::Number(n) => vec![n.as_f64().ok_or_else(|| bad("not a number"))?],
        Value::String(s) => {
            let s = s.trim();
            let inner = match s.strip_prefix('[') {
                Some(rest) => rest.strip_suffix(']').ok_or_else(|| bad("unclosed '['"))?,
                None => s,
            };
            let mut out = Vec::new();
            for part in inner.split(',') {
                let x = part
                    .trim()
                    .parse::<f64>()
                    .map_err(|_| bad(&format!("{} is not a number", shown(part.trim()))))?;
                out.push(x);
            }
            out
        }
        _ => return Err(bad("wrong type")),
    };
    if values.len() > MAX_CLASSES {
        return Err(bad("too many values"));
    }
    let mut out = Vec::with_capacity(values.len());
    for x in values {
        let f = x as f32;
        if !f.is_finite() {
            return Err(bad(&format!("{x} is not finite in float32")));
        }
        out.push(f);
    }
    Ok(out)
}

/// XGBoost's `ProbToMargin`, in float32 as the library computes it.
fn to_margin(r: &Reader, place: &str, b: f32, link: Link, obj: &str) -> Result<f64> {
    let m = match link {
        Link::Identity => b,
        Link::Logit => {
            if !(b > 0.0 && b < 1.0) {
                return Err(r.err(
                    place,
                    format!("base_score {b} with {obj}; expected a probability in (0, 1)"),
                ));
            }
            -(1.0f32 / b - 1.0f32).ln()
        }
        Link::Log => {
            if b <= 0.0 {
                return Err(r.err(
                    place,
                    format!("base_score {b} with {obj}; expected a positive number"),
                ));
            }
            b.ln()
        }
    };
    if !m.is_finite() {
        return Err(r.err(
            place,
            format!("base_score {b} gives margin {m} with {obj}; expected a finite margin"),
        ));
    }
    Ok(f64::from(m))
}

/// A float32 from a JSON number, as the library stores it.
fn f32_of(v: &Value) -> Option<f32> {
    v.as_f64().map(|x| x as f32)
}

/// Reads a 0/1 (or boolean) flag.
fn flag_of(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        _ => None,
    }
}

fn parse_tree(
    r: &Reader,
    t: usize,
    tv: &Value,
    n_features: usize,
    names: Option<&[String]>,
    weight: Option<f32>,
) -> Result<Vec<Node>> {
    let tplace = format!("tree {t}");
    if !tv.is_object() {
        return Err(r.err(
            &tplace,
            format!("found {}; expected a tree object", kind(tv)),
        ));
    }
    let tp = r.field(tv, &tplace, "tree_param")?;
    let n = r.usize_of(
        r.field(tp, &tplace, "num_nodes")?,
        &format!("{tplace}, tree_param.num_nodes"),
    )?;
    if n > MAX_NODES_PER_TREE {
        return Err(r.err(
            &tplace,
            format!("{n} nodes is absurd; the limit is {MAX_NODES_PER_TREE} nodes per tree"),
        ));
    }
    if n == 0 {
        return Err(r.err(&tplace, "tree has no nodes; expected at least one"));
    }
    if let Some(s) = tp.get("size_leaf_vector") {
        let s = r.usize_of(s, &format!("{tplace}, tree_param.size_leaf_vector"))?;
        if s > 1 {
            return Err(r.err(
                &tplace,
                format!(
                    "multi-target tree (leaf vectors of size {s}) is not supported; \
                     expected scalar leaves"
                ),
            ));
        }
    }
    let num_deleted = match tp.get("num_deleted") {
        Some(v) => r.usize_of(v, &format!("{tplace}, tree_param.num_deleted"))?,
        None => 0,
    };
    let left = r.array(
        r.field(tv, &tplace, "left_children")?,
        &tplace,
        "left_children",
        n,
    )?;
    let right = r.array(
        r.field(tv, &tplace, "right_children")?,
        &tplace,
        "right_children",
        n,
    )?;
    let feat = r.array(
        r.field(tv, &tplace, "split_indices")?,
        &tplace,
        "split_indices",
        n,
    )?;
    let cond = r.array(
        r.field(tv, &tplace, "split_conditions")?,
        &tplace,
        "split_conditions",
        n,
    )?;
    let dleft = r.array(
        r.field(tv, &tplace, "default_left")?,
        &tplace,
        "default_left",
        n,
    )?;
    let stype = match tv.get("split_type") {
        Some(v) => Some(r.array(v, &tplace, "split_type", n)?),
        None => None,
    };

    // Children first: the shape decides which nodes matter.
    let mut kids: Vec<Option<(usize, usize)>> = Vec::with_capacity(n);
    for i in 0..n {
        let child = |a: &Value, side: &str| -> Result<i64> {
            a.as_i64().filter(|&c| c >= -1).ok_or_else(|| {
                r.err(
                    node_place(t, i),
                    format!("{side} child is {}; expected a node index or -1", short(a)),
                )
            })
        };
        let (l, rt) = (child(&left[i], "left")?, child(&right[i], "right")?);
        kids.push(match (l, rt) {
            (-1, -1) => None,
            (l, rt) if l >= 0 && rt >= 0 => {
                // Non-negative i64 fits usize on the 64-bit targets we build for; an
                // index that does not fit is out of range anyway.
                let l = usize::try_from(l).unwrap_or(usize::MAX);
                let rt = usize::try_from(rt).unwrap_or(usize::MAX);
                Some((l, rt))
            }
            _ => {
                return Err(r.err(
                    node_place(t, i),
                    format!(
                        "left child {l} and right child {rt}; expected both -1 (a leaf) \
                         or both node indices"
                    ),
                ))
            }
        });
    }
    let order = walk_tree(r.file, t, &kids, num_deleted)?;
    // Keep the file's numbering unless pruned nodes must be dropped.
    let compact = order.len() != n;
    let mut new_index = vec![usize::MAX; n];
    if compact {
        for (k, &i) in order.iter().enumerate() {
            new_index[i] = k;
        }
    } else {
        for (i, v) in new_index.iter_mut().enumerate() {
            *v = i;
        }
    }
    let visit: Vec<usize> = if compact { order } else { (0..n).collect() };

    let mut nodes = Vec::with_capacity(visit.len());
    for i in visit {
        let place = node_place(t, i);
        match kids[i] {
            None => {
                let v = f32_of(&cond[i]).ok_or_else(|| {
                    r.err(
                        &place,
                        format!("leaf value is {}; expected a number", short(&cond[i])),
                    )
                })?;
                let v = match weight {
                    Some(w) => v * w,
                    None => v,
                };
                if !v.is_finite() {
                    return Err(r.err(
                        &place,
                        format!(
                            "leaf value {} is not finite in float32; expected a finite number",
                            short(&cond[i])
                        ),
                    ));
                }
                nodes.push(Node::Leaf {
                    value: f64::from(v),
                });
            }
            Some((l, rt)) => {
                let f = feat[i]
                    .as_u64()
                    .and_then(|f| usize::try_from(f).ok())
                    .ok_or_else(|| {
                        r.err(
                            &place,
                            format!(
                                "split feature is {}; expected a feature index",
                                short(&feat[i])
                            ),
                        )
                    })?;
                if f >= n_features {
                    return Err(r.err(
                        &place,
                        format!(
                            "split on feature index {f}; expected below {n_features} \
                             (learner_model_param.num_feature)"
                        ),
                    ));
                }
                let fname = match names {
                    Some(ns) => ns[f].clone(),
                    None => format!("f{f}"),
                };
                if let Some(st) = stype {
                    match st[i].as_u64() {
                        Some(0) => {}
                        Some(1) => {
                            return Err(r.err(
                                &place,
                                format!(
                                    "categorical split on feature {} is not supported; \
                                     expected numerical splits",
                                    shown(&fname)
                                ),
                            ))
                        }
                        _ => {
                            return Err(r.err(
                                &place,
                                format!("split_type is {}; expected 0 (numerical)", short(&st[i])),
                            ))
                        }
                    }
                }
                let th = f32_of(&cond[i]).filter(|x| x.is_finite()).ok_or_else(|| {
                    r.err(
                        &place,
                        format!(
                            "threshold on feature {} is {}; expected a finite float32 number",
                            shown(&fname),
                            short(&cond[i])
                        ),
                    )
                })?;
                let dl = flag_of(&dleft[i]).ok_or_else(|| {
                    r.err(
                        &place,
                        format!("default_left is {}; expected 0 or 1", short(&dleft[i])),
                    )
                })?;
                nodes.push(Node::Split {
                    feature: f,
                    threshold: f64::from(th),
                    left: new_index[l],
                    right: new_index[rt],
                    default_left: dl,
                    missing: Missing::NanDefault,
                });
            }
        }
    }
    Ok(nodes)
}
