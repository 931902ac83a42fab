//! LightGBM text-model importer (`Booster.save_model("model.txt")`, format `version=v4`).
//!
//! Semantics reproduced (checked against lightgbm 4.7.0 predictions):
//! - a split sends `x` left when `x <= t` in float64; `decision_type` bit 1 is the default
//!   direction and bits 2–3 the missing type: None (NaN read as 0), Zero (NaN read as 0,
//!   then |x| <= 1e-35 takes the default) or NaN (NaN takes the default);
//! - leaf values already include `shrinkage`, and the first tree includes the
//!   `boost_from_average` score, so the base score is zero;
//! - margins are float64 sums; with `average_output` (random forest) the sum is divided
//!   by the number of iterations;
//! - tree `i` adds to output group `i % num_tree_per_iteration`.
//!
//! Trees are flattened with internal node `i` at index `i` (the root is internal node 0)
//! and leaf `j` at index `num_leaves - 1 + j`.

use super::{
    node_place, shown, walk_tree, MAX_CLASSES, MAX_FEATURES, MAX_NODES_PER_TREE, MAX_TREES,
};
use crate::error::{Error, Result};
use crate::model::{
    Accumulate, Missing, Model, Node, PostTransform, Precision, SplitOp, Task, Tree,
};

/// The objectives this importer understands, for error messages.
pub const SUPPORTED_OBJECTIVES: &str = "binary, multiclass, regression, regression_l1, huber, \
     fair, quantile, mape, poisson, gamma, tweedie, cross_entropy";

/// One `key=value` section (the header or a tree block) with the line of each key.
struct Block<'a> {
    /// Line number (1-based) where the block starts.
    line: usize,
    entries: Vec<(&'a str, &'a str, usize)>,
}

impl<'a> Block<'a> {
    fn get(&self, key: &str) -> Option<(&'a str, usize)> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, v, l)| (*v, *l))
    }
}

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, place: impl Into<String>, msg: impl Into<String>) -> Error {
        Error::input(self.file, place, msg)
    }

    fn required<'b>(&self, b: &Block<'b>, key: &str, place: &str) -> Result<(&'b str, usize)> {
        b.get(key).ok_or_else(|| {
            self.err(
                place,
                format!("missing '{key}='; expected a LightGBM model saved with save_model()"),
            )
        })
    }

    fn usize_at(&self, s: &str, key: &str, place: &str) -> Result<usize> {
        s.trim().parse::<usize>().map_err(|_| {
            self.err(
                place,
                format!("'{key}' is {}; expected a non-negative integer", shown(s)),
            )
        })
    }

    /// A whitespace-separated list of exactly `len` items parsed by `f`, one per internal
    /// node of tree `t` (`leaf_base` None) or one per leaf (`leaf_base` = index of leaf 0
    /// among the flattened nodes), so a bad item is reported at its node.
    #[allow(clippy::too_many_arguments)]
    fn list<T>(
        &self,
        s: &str,
        key: &str,
        len: usize,
        t: usize,
        leaf_base: Option<usize>,
        what: &str,
        f: impl Fn(&str) -> Option<T>,
    ) -> Result<Vec<T>> {
        let place = format!("tree {t}");
        let mut out = Vec::with_capacity(len);
        for item in s.split_ascii_whitespace() {
            if out.len() == len {
                return Err(self.err(
                    &place,
                    format!("'{key}' has more than {len} entries; expected {len}"),
                ));
            }
            let v = f(item).ok_or_else(|| {
                let k = out.len();
                let (node, which) = match leaf_base {
                    Some(base) => (base + k, format!(" (leaf {k})")),
                    None => (k, String::new()),
                };
                self.err(
                    node_place(t, node),
                    format!("{key} is {}{which}; expected {what}", shown(item)),
                )
            })?;
            out.push(v);
        }
        if out.len() != len {
            return Err(self.err(
                &place,
                format!("'{key}' has {} entries; expected {len}", out.len()),
            ));
        }
        Ok(out)
    }
}

/// Splits the text into the header, the tree blocks and checks the `end of trees` line.
fn sections<'a>(c: &Ctx, text: &'a str) -> Result<(Block<'a>, Vec<Block<'a>>)> {
    let mut header = Block {
        line: 1,
        entries: Vec::new(),
    };
    let mut trees: Vec<Block<'a>> = Vec::new();
    let mut ended = false;
    for (k, raw) in text.split('\n').enumerate() {
        let line_no = k + 1;
        let line = raw.trim_end_matches('\r').trim();
        if line.is_empty() {
            continue;
        }
        if line == "end of trees" {
            ended = true;
            break;
        }
        let (key, value) = match line.split_once('=') {
            Some((key, value)) => (key.trim(), value.trim()),
            None => (line, ""),
        };
        if key == "Tree" {
            let want = trees.len();
            if value.parse::<usize>().ok() != Some(want) {
                return Err(c.err(
                    format!("line {line_no}"),
                    format!(
                        "found 'Tree={}'; expected 'Tree={want}'",
                        shown(value).trim_matches('\'')
                    ),
                ));
            }
            if trees.len() == MAX_TREES {
                return Err(c.err(
                    format!("line {line_no}"),
                    format!("more than {MAX_TREES} trees is absurd; the limit is {MAX_TREES}"),
                ));
            }
            trees.push(Block {
                line: line_no,
                entries: Vec::new(),
            });
            continue;
        }
        match trees.last_mut() {
            Some(t) => t.entries.push((key, value, line_no)),
            None => header.entries.push((key, value, line_no)),
        }
    }
    if !ended {
        return Err(c.err(
            "",
            "no 'end of trees' line; expected a complete LightGBM model (is the file truncated?)",
        ));
    }
    Ok((header, trees))
}

/// Parses LightGBM text-model bytes.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Model> {
    let c = Ctx { file };
    let text = std::str::from_utf8(bytes).map_err(|e| {
        c.err(
            "",
            format!(
                "not UTF-8 text (invalid byte at offset {}); expected a LightGBM text model",
                e.valid_up_to()
            ),
        )
    })?;
    let (header, blocks) = sections(&c, text)?;

    let (version, _) = c.required(&header, "version", "header")?;
    let source = format!("lightgbm {}", version.trim());
    if header
        .get("linear_tree")
        .is_some_and(|(v, _)| v.trim() != "0")
    {
        return Err(c.err(
            "header",
            "linear trees (linear_tree) are not supported; expected constant leaves",
        ));
    }
    let (v, l) = c.required(&header, "num_class", "header")?;
    let num_class = c.usize_at(v, "num_class", &format!("line {l}"))?;
    let (v, l) = c.required(&header, "num_tree_per_iteration", "header")?;
    let per_iter = c.usize_at(v, "num_tree_per_iteration", &format!("line {l}"))?;
    let (v, l) = c.required(&header, "max_feature_idx", "header")?;
    let max_feature_idx = c.usize_at(v, "max_feature_idx", &format!("line {l}"))?;
    if max_feature_idx >= MAX_FEATURES {
        return Err(c.err(
            format!("line {l}"),
            format!(
                "max_feature_idx={max_feature_idx} is absurd; the limit is {MAX_FEATURES} features"
            ),
        ));
    }
    let n_features = max_feature_idx + 1;
    let (obj_line, l) = c.required(&header, "objective", "header")?;
    let obj_place = format!("line {l}");
    let mut tokens = obj_line.split_ascii_whitespace();
    let obj_name = tokens.next().unwrap_or("");
    let params: Vec<&str> = tokens.collect();
    let param = |k: &str| {
        params
            .iter()
            .find_map(|p| p.strip_prefix(k).and_then(|r| r.strip_prefix(':')))
    };
    if params.contains(&"sqrt") {
        return Err(c.err(
            &obj_place,
            format!(
                "objective '{obj_name}' with reg_sqrt (output squared) is not supported; \
                 expected a model trained without reg_sqrt"
            ),
        ));
    }
    let (task, post, n_classes, n_groups) = match obj_name {
        "binary" => {
            let scale = match param("sigmoid") {
                None => 1.0,
                Some(s) => s
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x > 0.0)
                    .ok_or_else(|| {
                        c.err(
                            &obj_place,
                            format!(
                                "sigmoid parameter is {}; expected a positive number",
                                shown(s)
                            ),
                        )
                    })?,
            };
            (Task::Classification, PostTransform::Sigmoid { scale }, 2, 1)
        }
        "multiclass" => {
            if num_class < 3 {
                return Err(c.err(
                    &obj_place,
                    format!(
                        "multiclass with num_class={num_class} is not supported; expected \
                         num_class >= 3 (train two classes with objective 'binary')"
                    ),
                ));
            }
            if num_class > MAX_CLASSES {
                return Err(c.err(
                    &obj_place,
                    format!("{num_class} classes is absurd; the limit is {MAX_CLASSES}"),
                ));
            }
            if let Some(k) = param("num_class") {
                if k.parse::<usize>().ok() != Some(num_class) {
                    return Err(c.err(
                        &obj_place,
                        format!(
                            "objective says num_class:{} but the header says \
                             num_class={num_class}; expected them to agree",
                            shown(k).trim_matches('\'')
                        ),
                    ));
                }
            }
            (
                Task::Classification,
                PostTransform::Softmax,
                num_class,
                num_class,
            )
        }
        "regression" | "regression_l1" | "huber" | "fair" | "quantile" | "mape" => {
            (Task::Regression, PostTransform::Identity, 1, 1)
        }
        "poisson" | "gamma" | "tweedie" => (Task::Regression, PostTransform::Exp, 1, 1),
        "cross_entropy" => (
            Task::Regression,
            PostTransform::Sigmoid { scale: 1.0 },
            1,
            1,
        ),
        _ => {
            return Err(c.err(
                &obj_place,
                format!(
                    "objective {} is not supported; expected one of {SUPPORTED_OBJECTIVES}",
                    shown(obj_line)
                ),
            ))
        }
    };
    if obj_name != "multiclass" && num_class != 1 {
        return Err(c.err(
            "header",
            format!("num_class={num_class} with objective '{obj_name}'; expected num_class=1"),
        ));
    }
    if per_iter != n_groups {
        return Err(c.err(
            "header",
            format!(
                "num_tree_per_iteration={per_iter} with objective '{obj_name}'; expected \
                 {n_groups} (one tree per output group)"
            ),
        ));
    }

    let feature_names = match header.get("feature_names") {
        None => None,
        Some((v, l)) => {
            let names: Vec<String> = v.split_ascii_whitespace().map(str::to_string).collect();
            if names.len() != n_features {
                return Err(c.err(
                    format!("line {l}"),
                    format!(
                        "{} feature names; expected {n_features} (max_feature_idx + 1)",
                        names.len()
                    ),
                ));
            }
            Some(names)
        }
    };

    let n_trees = blocks.len();
    let leaf_scale = if header.get("average_output").is_some() {
        if n_trees == 0 || n_trees % per_iter != 0 {
            return Err(c.err(
                "header",
                format!(
                    "average_output with {n_trees} trees; expected a positive multiple of \
                     num_tree_per_iteration={per_iter}"
                ),
            ));
        }
        1.0 / (n_trees / per_iter) as f64
    } else {
        1.0
    };

    let mut trees = Vec::with_capacity(n_trees);
    for (t, b) in blocks.iter().enumerate() {
        let nodes = parse_tree(&c, t, b, n_features, feature_names.as_deref())?;
        trees.push(Tree {
            group: t % per_iter,
            nodes,
        });
    }

    let model = Model {
        source,
        task,
        n_features,
        feature_names,
        n_classes,
        base_score: vec![0.0; n_groups],
        split_op: SplitOp::Le,
        precision: Precision::F64,
        accumulate: Accumulate::F64,
        post,
        leaf_scale,
        class_names: None,
        trees,
    };
    super::check_model(file, &model)?;
    Ok(model)
}

fn finite(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

fn parse_tree(
    c: &Ctx,
    t: usize,
    b: &Block,
    n_features: usize,
    names: Option<&[String]>,
) -> Result<Vec<Node>> {
    let tplace = format!("tree {t}");
    let fname = |f: usize| -> String {
        match names {
            Some(ns) if f < ns.len() => shown(&ns[f]),
            _ => format!("'f{f}'"),
        }
    };
    let get = |key: &str| -> Result<&str> {
        b.get(key).map(|(v, _)| v).ok_or_else(|| {
            c.err(
                &tplace,
                format!(
                    "missing '{key}=' in the block that starts at line {}; expected a \
                     LightGBM tree",
                    b.line
                ),
            )
        })
    };
    let n_leaves = c.usize_at(get("num_leaves")?, "num_leaves", &tplace)?;
    if n_leaves == 0 {
        return Err(c.err(&tplace, "num_leaves=0; expected at least one leaf"));
    }
    if n_leaves > MAX_NODES_PER_TREE / 2 {
        return Err(c.err(
            &tplace,
            format!(
                "{n_leaves} leaves is absurd; the limit is {} leaves ({MAX_NODES_PER_TREE} \
                 nodes) per tree",
                MAX_NODES_PER_TREE / 2
            ),
        ));
    }
    if let Some((v, _)) = b.get("is_linear") {
        if v.trim() != "0" {
            return Err(c.err(
                &tplace,
                "linear tree (is_linear=1) is not supported; expected constant leaves",
            ));
        }
    }
    let leaf_value = c.list(
        get("leaf_value")?,
        "leaf_value",
        n_leaves,
        t,
        Some(n_leaves - 1),
        "a finite number",
        finite,
    )?;
    if n_leaves == 1 {
        return Ok(vec![Node::Leaf {
            value: leaf_value[0],
        }]);
    }
    let n_int = n_leaves - 1;
    let split_feature = c.list(
        get("split_feature")?,
        "split_feature",
        n_int,
        t,
        None,
        "a feature index",
        |s| s.parse::<usize>().ok(),
    )?;
    let decision = c.list(
        get("decision_type")?,
        "decision_type",
        n_int,
        t,
        None,
        "an integer 0..=15",
        |s| s.parse::<u8>().ok().filter(|d| *d < 16),
    )?;
    let num_cat = match b.get("num_cat") {
        Some((v, _)) => c.usize_at(v, "num_cat", &tplace)?,
        None => 0,
    };
    // Categorical splits: name the first one.
    for i in 0..n_int {
        if decision[i] & 1 != 0 {
            return Err(c.err(
                node_place(t, i),
                format!(
                    "categorical split on feature {} is not supported; expected numerical splits",
                    fname(split_feature[i])
                ),
            ));
        }
    }
    if num_cat > 0 {
        return Err(c.err(
            &tplace,
            format!(
                "num_cat={num_cat}: the tree has categorical splits; expected numerical splits"
            ),
        ));
    }
    let threshold = c.list(
        get("threshold")?,
        "threshold",
        n_int,
        t,
        None,
        "a finite number",
        finite,
    )?;
    let child = |s: &str| s.parse::<i64>().ok();
    let left = c.list(
        get("left_child")?,
        "left_child",
        n_int,
        t,
        None,
        "an integer",
        child,
    )?;
    let right = c.list(
        get("right_child")?,
        "right_child",
        n_int,
        t,
        None,
        "an integer",
        child,
    )?;

    // Flatten: internal i -> i, leaf j (child code -j-1, i.e. !j) -> n_int + j.
    let n = n_int + n_leaves;
    let flat = |code: i64, side: &str, i: usize| -> Result<usize> {
        let (idx, limit, what) = if code >= 0 {
            (usize::try_from(code).ok(), n_int, "internal node")
        } else {
            (usize::try_from(!code).ok(), n_leaves, "leaf")
        };
        match idx {
            Some(k) if k < limit => Ok(if code >= 0 { k } else { n_int + k }),
            _ => Err(c.err(
                node_place(t, i),
                format!(
                    "{side} child {code} names {what} {}; expected below {limit} \
                     (num_leaves={n_leaves})",
                    match idx {
                        Some(k) => k.to_string(),
                        None => "out of range".to_string(),
                    }
                ),
            )),
        }
    };
    let mut lr: Vec<(usize, usize)> = Vec::with_capacity(n_int);
    for i in 0..n_int {
        lr.push((flat(left[i], "left", i)?, flat(right[i], "right", i)?));
    }
    let mut kids: Vec<Option<(usize, usize)>> = lr.iter().copied().map(Some).collect();
    kids.extend(std::iter::repeat_n(None, n_leaves));
    walk_tree(c.file, t, &kids, 0)?;

    let mut nodes = Vec::with_capacity(n);
    for i in 0..n_int {
        let place = node_place(t, i);
        let f = split_feature[i];
        if f >= n_features {
            return Err(c.err(
                &place,
                format!(
                    "split on feature index {f}; expected below {n_features} (max_feature_idx + 1)"
                ),
            ));
        }
        let d = decision[i];
        let missing = match (d >> 2) & 3 {
            0 => Missing::NanAsZero,
            1 => Missing::ZeroDefault,
            2 => Missing::NanDefault,
            _ => {
                return Err(c.err(
                    &place,
                    format!(
                        "decision_type {d} on feature {} has missing type 3; expected 0 \
                         (None), 1 (Zero) or 2 (NaN)",
                        fname(f)
                    ),
                ))
            }
        };
        let (l, r) = lr[i];
        nodes.push(Node::Split {
            feature: f,
            threshold: threshold[i],
            left: l,
            right: r,
            default_left: d & 2 != 0,
            missing,
        });
    }
    nodes.extend(leaf_value.into_iter().map(|value| Node::Leaf { value }));
    Ok(nodes)
}
