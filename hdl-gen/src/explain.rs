//! Explanations of tree-ensemble decisions: the evidence the hardware outputs (the leaf each tree reached), its integer reference, and its rendering as conditions in the input's units, aggregated across trees, plus the node catalogue.
//!
//! Evidence is defined here once: tree `t`'s evidence is the *ordinal* of the leaf
//! the row reaches, counting leaves in node order (`leaf_ordinal`). The lowering
//! builds the same ordinal as a mux tree beside the value mux tree; the equality
//! tests compare [`evidence`] with the IR's `ev_leaf_<t>` outputs.
//!
//! A leaf determines its root-to-leaf path, so the evidence alone says which
//! comparison decided each step: that is what `locus explain` renders, with each
//! threshold converted back to input units from the hardware's encoding (a rank
//! code's bin, or a fixed-point code's value), beside the source model's own.

use crate::model::{Missing, Model, Node, SplitOp, Task};
use crate::quant::{Encoded, FeatureQ, QNode, QTree, QuantModel};
use serde::Serialize;
use std::collections::BTreeMap;

/// Name prefix of the evidence output ports: `ev_leaf_<tree>`.
pub const EVIDENCE_PREFIX: &str = "ev_leaf_";

/// Ordinal of leaf node `node` among the tree's leaves, in node order.
pub fn leaf_ordinal(t: &QTree, node: usize) -> i64 {
    t.nodes[..node]
        .iter()
        .filter(|n| matches!(n, QNode::Leaf { .. }))
        .count() as i64
}

/// Node index of every leaf, by ordinal.
pub fn leaf_nodes(t: &QTree) -> Vec<usize> {
    (0..t.nodes.len())
        .filter(|&i| matches!(t.nodes[i], QNode::Leaf { .. }))
        .collect()
}

/// The integer reference of the evidence outputs: each tree's leaf ordinal.
pub fn evidence(qm: &QuantModel, e: &Encoded) -> Vec<i64> {
    qm.trees
        .iter()
        .map(|t| leaf_ordinal(t, qm.leaf_index(t, e)))
        .collect()
}

/// One step of a root-to-leaf path: split node `node` and the way taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    pub node: usize,
    pub left: bool,
}

/// The path from the root to leaf node `leaf` (iterative; trees are checked trees).
pub fn path(t: &QTree, leaf: usize) -> Vec<Step> {
    let mut parent = vec![None; t.nodes.len()];
    for (i, n) in t.nodes.iter().enumerate() {
        if let QNode::Split { left, right, .. } = n {
            parent[*left] = Some(Step {
                node: i,
                left: true,
            });
            parent[*right] = Some(Step {
                node: i,
                left: false,
            });
        }
    }
    let mut steps = Vec::new();
    let mut at = leaf;
    while let Some(s) = parent[at] {
        steps.push(s);
        at = s.node;
        if steps.len() > t.nodes.len() {
            break;
        }
    }
    steps.reverse();
    steps
}

/// A condition on one feature, in the input's units.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Condition {
    pub feature: usize,
    pub name: String,
    /// `<`, `<=`, `>=`, `>`, or `missing` (the row's value was missing and took the
    /// split's default way).
    pub op: String,
    /// The hardware's threshold in input units: the rank code's bin, or the
    /// fixed-point code's value. `None` for a constant or missing-value step.
    pub threshold: Option<f64>,
    /// The source model's threshold for the same split.
    pub source_threshold: f64,
}

impl Condition {
    /// "petal_width_cm < 1.75"
    pub fn words(&self) -> String {
        match self.threshold {
            Some(t) if self.op != "missing" => format!("{} {} {}", self.name, self.op, show(t)),
            _ if self.op == "missing" => format!("{} is missing", self.name),
            _ => format!("{} {} {}", self.name, self.op, show(self.source_threshold)),
        }
    }
}

/// A threshold for people: a float32 value as float32 prints it (`4.9`, not
/// `4.900000095367432`), any other value to ten significant digits (`0.04877`, not
/// `0.04877000000000001`); JSON keeps the exact value.
pub fn show(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 {
            "+inf".into()
        } else {
            "-inf".into()
        };
    }
    if (x as f32) as f64 == x {
        format!("{}", x as f32)
    } else {
        let rounded: f64 = format!("{x:.9e}").parse().unwrap_or(x);
        format!("{rounded}")
    }
}

/// The hardware threshold of `code < k` on feature `q`, in input units.
fn hw_threshold(q: &FeatureQ, k: i64) -> Option<f64> {
    match &q.bins {
        Some(bins) => usize::try_from(k - 1)
            .ok()
            .and_then(|i| bins.get(i).copied()),
        None => Some(q.fmt.to_real(k)),
    }
}

/// The condition a step asserts for a row (`missing` tells if the row's value was
/// missing and the split's missing rule applied).
fn condition(model: &Model, qm: &QuantModel, tree: usize, s: Step, missing: bool) -> Condition {
    let (feature, k) = match qm.trees[tree].nodes[s.node] {
        QNode::Split { feature, k, .. } => (feature, k),
        QNode::Leaf { .. } => (0, 0),
    };
    let source_threshold = match model.trees[tree].nodes.get(s.node) {
        Some(Node::Split { threshold, .. }) => *threshold,
        _ => f64::NAN,
    };
    let name = model.feature_name(feature);
    let le = model.split_op == SplitOp::Le;
    let op = match (missing, s.left, le) {
        (true, _, _) => "missing",
        (false, true, false) => "<",
        (false, true, true) => "<=",
        (false, false, false) => ">=",
        (false, false, true) => ">",
    };
    Condition {
        feature,
        name,
        op: op.into(),
        threshold: hw_threshold(&qm.features[feature], k),
        source_threshold,
    }
}

/// True if the row's value at a split counts as missing for that split's rule.
fn is_missing(qm: &QuantModel, tree: usize, node: usize, e: &Encoded) -> bool {
    match qm.trees[tree].nodes[node] {
        QNode::Split {
            feature, missing, ..
        } => {
            let q = &qm.features[feature];
            match missing {
                Missing::NanDefault => q.nan_flag && e.nan[feature],
                Missing::ZeroDefault => q.zero_flag && e.zero[feature],
                _ => false,
            }
        }
        QNode::Leaf { .. } => false,
    }
}

/// A condition and how many of the considered trees asserted it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Aggregate {
    #[serde(flatten)]
    pub condition: Condition,
    pub trees: usize,
    pub words: String,
}

/// One decision explained.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Explanation {
    pub row: usize,
    pub task: Task,
    /// Classification: the predicted class and its name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// Scores (margins) in real units, one per output group.
    pub scores: Vec<f64>,
    /// Binary: the score (positive means class 1); multi-class: winner minus runner-up;
    /// regression: the predicted value.
    pub margin: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<String>,
    /// The evidence: leaf ordinal per tree.
    pub leaves: Vec<i64>,
    /// Trees whose paths are aggregated (the predicted class's trees for multi-class).
    pub trees_considered: usize,
    /// Conditions, most shared first.
    pub conditions: Vec<Aggregate>,
}

/// Explains row `row` (encoded as `e`) from its evidence `leaves` and integer `scores`.
pub fn explain(
    model: &Model,
    qm: &QuantModel,
    row: usize,
    e: &Encoded,
    leaves: &[i64],
    scores: &[i64],
) -> Explanation {
    let real = qm.real_scores(scores);
    let class = qm.decide(scores);
    let multi = qm.n_groups > 1;
    let (class_out, margin, runner_up) = match qm.task {
        Task::Regression => (None, real.first().copied().unwrap_or(0.0), None),
        Task::Classification if !multi => (Some(class), real[0], None),
        Task::Classification => {
            let second = (0..real.len())
                .filter(|&g| g != class)
                .max_by(|&a, &b| real[a].total_cmp(&real[b]).then(b.cmp(&a)))
                .unwrap_or(class);
            (
                Some(class),
                real[class] - real[second],
                Some(model.class_name(second)),
            )
        }
    };
    let mut counts: BTreeMap<(usize, String, u64), (Condition, usize)> = BTreeMap::new();
    let mut considered = 0;
    for (t, tree) in qm.trees.iter().enumerate() {
        if multi && tree.group != class {
            continue;
        }
        considered += 1;
        let nodes = leaf_nodes(tree);
        let Some(&leaf) = usize::try_from(leaves[t]).ok().and_then(|o| nodes.get(o)) else {
            continue;
        };
        for s in path(tree, leaf) {
            let c = condition(model, qm, t, s, is_missing(qm, t, s.node, e));
            let key = (
                c.feature,
                c.op.clone(),
                c.threshold.unwrap_or(c.source_threshold).to_bits(),
            );
            counts.entry(key).or_insert((c, 0)).1 += 1;
        }
    }
    let mut conditions: Vec<Aggregate> = counts
        .into_values()
        .map(|(condition, trees)| Aggregate {
            words: condition.words(),
            condition,
            trees,
        })
        .collect();
    conditions.sort_by(|a, b| {
        b.trees
            .cmp(&a.trees)
            .then(a.condition.feature.cmp(&b.condition.feature))
    });
    Explanation {
        row,
        task: qm.task,
        class: class_out,
        class_name: class_out.map(|c| model.class_name(c)),
        scores: real,
        margin,
        runner_up,
        leaves: leaves.to_vec(),
        trees_considered: considered,
        conditions,
    }
}

/// A unique comparison of the hardware, described and counted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub feature: usize,
    pub name: String,
    /// `code < k` on the feature's input code.
    pub k: i64,
    pub words: String,
    /// Splits (across all trees) that use it.
    pub splits: usize,
    /// Calibration rows for which it is true (goes left).
    pub fires: usize,
}

/// One leaf of a tree as a rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rule {
    pub leaf: i64,
    /// The conjunction in words.
    pub when: String,
    /// The leaf's value in the model's units.
    pub value: f64,
    /// Calibration rows that reach it.
    pub rows: usize,
}

/// A tree as readable rules.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TreeRules {
    pub tree: usize,
    /// The class whose score it adds to (multi-class), or `None`.
    pub class: Option<String>,
    pub rules: Vec<Rule>,
}

/// Every hardware node in words, with how often it fires on the calibration rows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Catalogue {
    pub rows: usize,
    pub comparisons: Vec<Comparison>,
    pub trees: Vec<TreeRules>,
}

/// The node catalogue of a tree ensemble over calibration rows `rows` (encoded).
pub fn catalogue(model: &Model, qm: &QuantModel, rows: &[Encoded]) -> Catalogue {
    let mut cmp: BTreeMap<(usize, i64), usize> = BTreeMap::new();
    for t in &qm.trees {
        for n in &t.nodes {
            if let QNode::Split { feature, k, .. } = n {
                let q = &qm.features[*feature];
                // Constant splits are not comparators.
                if *k > q.fmt.min_code() && *k <= q.fmt.max_code() {
                    *cmp.entry((*feature, *k)).or_insert(0) += 1;
                }
            }
        }
    }
    let le = model.split_op == SplitOp::Le;
    let comparisons = cmp
        .into_iter()
        .map(|((feature, k), splits)| {
            let name = model.feature_name(feature);
            let t = hw_threshold(&qm.features[feature], k).unwrap_or(f64::NAN);
            Comparison {
                feature,
                words: format!("{name} {} {}", if le { "<=" } else { "<" }, show(t)),
                name,
                k,
                splits,
                fires: rows.iter().filter(|e| e.codes[feature] < k).count(),
            }
        })
        .collect();
    let trees = qm
        .trees
        .iter()
        .enumerate()
        .map(|(t, tree)| {
            let nodes = leaf_nodes(tree);
            let mut reach = vec![0usize; nodes.len()];
            for e in rows {
                let o = leaf_ordinal(tree, qm.leaf_index(tree, e)) as usize;
                reach[o] += 1;
            }
            let rules = nodes
                .iter()
                .enumerate()
                .map(|(o, &leaf)| {
                    let when: Vec<String> = path(tree, leaf)
                        .into_iter()
                        .map(|s| condition(model, qm, t, s, false).words())
                        .collect();
                    let value = match model.trees[t].nodes.get(leaf) {
                        Some(Node::Leaf { value }) => value * model.leaf_scale,
                        _ => f64::NAN,
                    };
                    Rule {
                        leaf: o as i64,
                        when: if when.is_empty() {
                            "always".into()
                        } else {
                            when.join(" and ")
                        },
                        value,
                        rows: reach[o],
                    }
                })
                .collect();
            TreeRules {
                tree: t,
                class: (qm.n_groups > 1).then(|| model.class_name(tree.group)),
                rules,
            }
        })
        .collect();
    Catalogue {
        rows: rows.len(),
        comparisons,
        trees,
    }
}

/// The inverse of `compile::port_codes`: a row's encoding from the IR's input port
/// codes (features without a port read as code 0, not missing).
pub fn encoded_from_ports(ir: &crate::ir::Ir, n_features: usize, ports: &[i64]) -> Encoded {
    let mut e = Encoded {
        codes: vec![0; n_features],
        nan: vec![false; n_features],
        zero: vec![false; n_features],
    };
    for (p, &v) in ir.inputs.iter().zip(ports) {
        let f = p.feature as usize;
        if f >= n_features {
            continue;
        }
        match p.kind {
            crate::ir::InputKind::Value => e.codes[f] = v,
            crate::ir::InputKind::Nan => e.nan[f] = v != 0,
            crate::ir::InputKind::Zero => e.zero[f] = v != 0,
        }
    }
    e
}

/// Splits the IR's outputs into (scores, evidence): the score ports in group order and
/// the `ev_leaf_<t>` ports in tree order.
pub fn scores_and_evidence(ir: &crate::ir::Ir, outputs: &[i64]) -> (Vec<i64>, Vec<i64>) {
    let mut scores = Vec::new();
    let mut evidence = Vec::new();
    for (o, &v) in ir.outputs.iter().zip(outputs) {
        if o.name.starts_with(EVIDENCE_PREFIX) {
            evidence.push(v);
        } else if o.name.starts_with("out_score") {
            scores.push(v);
        }
    }
    (scores, evidence)
}

/// The integer reference of an RBF core's evidence outputs, in port order: `ev_unit`
/// (the most active unit: the smallest `gamma_code · d`, the nearest when widths are
/// shared; the first on ties), `ev_dist` (its distance code), and for
/// prototypes `ev_class_dist_<c>` (each class's nearest distance; `d_max` for a class
/// without prototypes).
pub fn rbf_evidence(q: &crate::quant::rbf::RbfQuant, codes: &[i64]) -> Vec<i64> {
    let d: Vec<i64> = q.units.iter().map(|u| q.distance(u, codes)).collect();
    // Rank by `gamma_code · d`: the most active unit (all codes 1 when widths are shared).
    let key: Vec<i128> = q
        .units
        .iter()
        .zip(&d)
        .map(|(u, &x)| i128::from(u.gamma_code) * i128::from(x))
        .collect();
    let mut best = 0;
    for (k, &x) in key.iter().enumerate() {
        if x < key[best] {
            best = k;
        }
    }
    let mut ev = vec![best as i64, d.get(best).copied().unwrap_or(0)];
    if q.kind == crate::model::rbf::RbfKind::Prototype {
        for c in 0..q.n_classes {
            let near = (0..q.units.len())
                .filter(|&u| q.units[u].class == c)
                .map(|u| d[u])
                .min();
            ev.push(near.unwrap_or(q.d_max));
        }
    }
    ev
}

/// A distance code in input units (squared units for the squared Euclidean metric;
/// scaled units when the model has an input scaler).
pub fn rbf_distance_real(q: &crate::quant::rbf::RbfQuant, code: i64) -> f64 {
    let step = crate::fixed::pow2(-q.input_fmt.frac_bits);
    match q.metric {
        crate::model::rbf::Metric::SquaredEuclidean => code as f64 * step * step,
        crate::model::rbf::Metric::Manhattan => code as f64 * step,
    }
}

/// One RBF decision explained from the core's evidence and scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RbfExplanation {
    pub row: usize,
    pub task: Task,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class_name: Option<String>,
    /// The most active unit (the nearest support vector or prototype; the centre with
    /// the smallest `γ·d` in a network), its class and distance.
    pub nearest_unit: usize,
    pub nearest_class: String,
    pub distance: f64,
    /// `exp(−γ·d)` of the nearest unit (not for prototypes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation: Option<f64>,
    /// The runner-up class and the margin over it: prototypes, its nearest distance
    /// minus the winner's; networks, the score difference; SVCs, the vote difference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runner_up: Option<String>,
    pub margin: f64,
}

/// Explains an RBF decision: `evidence` as [`rbf_evidence`] orders it, `scores` the
/// core's score outputs (table codes), `class` its class output.
pub fn explain_rbf(
    m: &crate::model::rbf::RbfModel,
    q: &crate::quant::rbf::RbfQuant,
    row: usize,
    evidence: &[i64],
    scores: &[i64],
    class: usize,
) -> RbfExplanation {
    use crate::model::rbf::RbfKind;
    let unit = evidence
        .first()
        .map_or(0, |&u| u.max(0) as usize)
        .min(q.units.len().saturating_sub(1));
    let d = rbf_distance_real(q, evidence.get(1).copied().unwrap_or(0));
    let real = |c: i64| q.table_fmt.to_real(c);
    let classify = q.task == Task::Classification;
    let (runner_up, margin) = match (q.kind, classify) {
        (_, false) => (None, scores.first().map_or(0.0, |&s| real(s))),
        (RbfKind::Prototype, true) => {
            let per_class: Vec<f64> = evidence[2..]
                .iter()
                .map(|&c| rbf_distance_real(q, c))
                .collect();
            let second = (0..per_class.len())
                .filter(|&c| c != class)
                .min_by(|&a, &b| per_class[a].total_cmp(&per_class[b]).then(a.cmp(&b)));
            match second {
                Some(s) => (Some(m.class_name(s)), per_class[s] - d),
                None => (None, 0.0),
            }
        }
        (RbfKind::Svc, true) if q.n_classes > 2 => {
            let mut votes = vec![0i64; q.n_classes];
            for (p, (i, j)) in crate::model::rbf::RbfModel::pairs(q.n_classes)
                .into_iter()
                .enumerate()
            {
                if scores.get(p).is_some_and(|&s| s > 0) {
                    votes[i] += 1;
                } else {
                    votes[j] += 1;
                }
            }
            let second = (0..votes.len())
                .filter(|&c| c != class)
                .max_by(|&a, &b| votes[a].cmp(&votes[b]).then(b.cmp(&a)))
                .unwrap_or(class);
            (
                Some(m.class_name(second)),
                (votes[class] - votes[second]) as f64,
            )
        }
        (RbfKind::Svc, true) => (
            Some(m.class_name(1 - class.min(1))),
            scores.first().map_or(0.0, |&s| real(s).abs()),
        ),
        (_, true) => {
            let second = (0..scores.len())
                .filter(|&c| c != class)
                .max_by(|&a, &b| scores[a].cmp(&scores[b]).then(b.cmp(&a)))
                .unwrap_or(class);
            (
                Some(m.class_name(second)),
                real(scores[class]) - real(scores[second]),
            )
        }
    };
    let u = &m.units[unit.min(m.units.len().saturating_sub(1))];
    RbfExplanation {
        row,
        task: q.task,
        class: classify.then_some(class),
        class_name: classify.then(|| m.class_name(class)),
        nearest_unit: unit,
        nearest_class: if classify {
            m.class_name(u.class)
        } else {
            String::new()
        },
        distance: d,
        activation: (q.kind != RbfKind::Prototype).then(|| (-u.gamma * d).exp()),
        runner_up,
        margin,
    }
}

/// An RBF unit in the node catalogue: the calibration rows it is nearest to.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnitEntry {
    pub unit: usize,
    pub class: String,
    pub gamma: f64,
    /// Calibration rows for which it is the nearest unit.
    pub fires: usize,
    /// The three calibration rows nearest to it, with their distances (input units).
    pub nearest_rows: Vec<(usize, f64)>,
}

/// The node catalogue of an RBF model over calibration rows (input codes).
pub fn rbf_catalogue(
    m: &crate::model::rbf::RbfModel,
    q: &crate::quant::rbf::RbfQuant,
    rows: &[Vec<i64>],
) -> Vec<UnitEntry> {
    let nearest: Vec<i64> = rows.iter().map(|r| rbf_evidence(q, r)[0]).collect();
    q.units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut near: Vec<(usize, i64)> = rows
                .iter()
                .enumerate()
                .map(|(r, codes)| (r, q.distance(u, codes)))
                .collect();
            near.sort_by_key(|&(r, d)| (d, r));
            UnitEntry {
                unit: i,
                class: if q.task == Task::Classification {
                    m.class_name(u.class)
                } else {
                    String::new()
                },
                gamma: m.units.get(i).map_or(0.0, |u| u.gamma),
                fires: nearest.iter().filter(|&&n| n == i as i64).count(),
                nearest_rows: near
                    .into_iter()
                    .take(3)
                    .map(|(r, d)| (r, rbf_distance_real(q, d)))
                    .collect(),
            }
        })
        .collect()
}
