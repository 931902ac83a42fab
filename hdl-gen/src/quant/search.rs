//! Width search: the smallest design whose quantisation loss on the calibration data stays within budget.
//!
//! Loss, in percentage points:
//! - classification: the share of rows whose fixed-point class differs from the float
//!   class. This bounds the accuracy loss from above (a row can only lose accuracy by
//!   flipping), needs no labels, and is what generalises to unseen rows;
//! - regression with a `label` column: the relative RMSE increase, taken as the larger
//!   of the increase measured on the rows and the increase expected when the
//!   quantisation error `e` is independent of the float model's residuals,
//!   `sqrt(rmse² + rmse_e²) / rmse − 1` — so errors that happen to cancel against the
//!   residuals on the calibration rows cannot hide a loss that unseen rows would show;
//! - regression without labels: the RMSE between fixed and float predictions relative
//!   to the spread of the float predictions.
//!
//! For each input width, rows are routed to leaves once; leaf widths are then tried
//! from narrow to wide (cheap: only sums change). Among widths that meet the budget
//! the one with the smallest area estimate wins.
//!
//! Routing is incremental across input widths when no missing-value flag is in play:
//! input codes are monotone in the value, so a split on feature `f` sends left exactly
//! the rows before a cut in the rows sorted by `f`. Between two widths only the rows
//! between a split's old and new cut can change leaf in that tree; only those are
//! walked again (a tree whose cuts moved a lot is walked whole).

use super::{
    input_formats, missing_flags, quantize_ranked, quantize_with, EncodeError, QNode, QuantModel,
    Widths, MAX_INPUT_BITS,
};
use crate::error::{Error, Result};
use crate::model::{Missing, Model, Node, Task};
use serde::{Deserialize, Serialize};

/// Widest leaf format the search tries.
const SEARCH_MAX_LEAF_BITS: u32 = 24;

/// What the search may choose.
#[derive(Clone, Debug)]
pub struct SearchOptions {
    /// Budget in percentage points (classification) or percent RMSE increase (regression).
    pub max_loss: f64,
    /// Fixed input width, if the user chose one.
    pub input_bits: Option<u32>,
    /// Fixed leaf width, if the user chose one.
    pub leaf_bits: Option<u32>,
    /// Rank-encode inputs (exact input binning) instead of fixed point: no input
    /// width to search, no input quantisation loss.
    pub rank: bool,
}

impl Default for SearchOptions {
    /// `locus compile`'s defaults: a 0.5 budget, widths searched, rank encoding.
    fn default() -> Self {
        SearchOptions {
            max_loss: 0.5,
            input_bits: None,
            leaf_bits: None,
            rank: true,
        }
    }
}

/// How the loss was measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Percentage of rows whose class flipped.
    FlippedRows,
    /// Relative RMSE increase against labels, percent: the larger of the measured one
    /// and the one expected for quantisation errors independent of the residuals.
    RmseIncrease,
    /// RMSE of fixed vs float relative to the float predictions' spread, percent.
    RmseVsFloat,
}

/// One width pair tried.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    pub input_bits: u32,
    pub leaf_bits: u32,
    pub loss: f64,
    /// Area estimate (bit-operations), comparable between trials.
    pub cost: u64,
    pub within_budget: bool,
}

/// The search result.
#[derive(Clone, Debug)]
pub struct Choice {
    pub model: QuantModel,
    pub loss: f64,
    pub loss_kind: Loss,
    pub budget_met: bool,
    pub trials: Vec<Trial>,
    /// The float model's (class, first output) on every calibration row, as the loss
    /// compared against (the metrics reuse them).
    pub float: Vec<(usize, f64)>,
    /// The chosen model's (class, first output) on every calibration row (the
    /// metrics reuse them).
    pub fixed: Vec<(usize, f64)>,
}

/// Float predictions the loss compares against.
struct Reference<'a> {
    task: Task,
    classes: Vec<usize>,
    outputs: Vec<f64>,
    labels: Option<&'a [f64]>,
    rmse_float: f64,
    spread: f64,
}

/// Chooses widths for `model` on calibration `rows` (named `data` in errors).
pub fn choose(
    model: &Model,
    rows: &[Vec<f64>],
    labels: Option<&[f64]>,
    opts: &SearchOptions,
    data: &str,
) -> Result<Choice> {
    if rows.is_empty() {
        return Err(Error::input(
            data,
            "",
            "no data rows; expected calibration rows after the header",
        ));
    }
    let router = Router::new(model, rows);
    let reference = Reference::new(model, rows, labels, router.float_leaves(model, rows));
    let loss_kind = match (model.task, labels) {
        (Task::Classification, _) => Loss::FlippedRows,
        (Task::Regression, Some(_)) => Loss::RmseIncrease,
        (Task::Regression, None) => Loss::RmseVsFloat,
    };
    let b_range: Vec<u32> = match (opts.rank, opts.input_bits) {
        (true, _) => vec![0],
        (false, Some(b)) => vec![b],
        (false, None) => (2..=MAX_INPUT_BITS).collect(),
    };
    let l_range: Vec<u32> = match opts.leaf_bits {
        Some(l) => vec![l],
        None => (2..=SEARCH_MAX_LEAF_BITS).collect(),
    };
    let l_max = *l_range.last().unwrap_or(&SEARCH_MAX_LEAF_BITS);
    let mut trials = Vec::new();
    let mut best: Option<(u64, QuantModel, f64)> = None;
    let mut best_b = 0;
    let mut fallback: Option<(f64, QuantModel)> = None;
    let flags = missing_flags(model, rows);
    let mut router = router;
    for &b in &b_range {
        if best.is_some() && b > best_b + 3 {
            break;
        }
        // One input encoding per candidate width (rank encoding has none to search).
        let fmts = input_formats(model, rows, b);
        let make = |l: u32| {
            if opts.rank {
                quantize_ranked(model, &flags, l)
            } else {
                quantize_with(
                    model,
                    &fmts,
                    &flags,
                    Widths {
                        input_bits: b,
                        leaf_bits: l,
                    },
                )
            }
        };
        let probe = make(l_max);
        let b = probe.input_bits;
        let leaves = router.route(&probe, rows, data)?;
        for &l in &l_range {
            let qm = if l == l_max { probe.clone() } else { make(l) };
            let loss = reference.loss(&qm, leaves);
            let ok = loss <= opts.max_loss + 1e-12;
            let cost = area_estimate(&qm);
            trials.push(Trial {
                input_bits: b,
                leaf_bits: l,
                loss,
                cost,
                within_budget: ok,
            });
            if fallback.as_ref().is_none_or(|(f, _)| loss < *f) {
                fallback = Some((loss, qm.clone()));
            }
            if ok {
                if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                    best = Some((cost, qm, loss));
                    best_b = b;
                }
                break;
            }
            // Wider leaves cannot fix a loss the widest leaves already have.
            if l == l_range[0] && l_range.len() > 1 {
                let widest = reference.loss(&probe, leaves);
                if widest > opts.max_loss + 1e-12 {
                    trials.push(Trial {
                        input_bits: b,
                        leaf_bits: l_max,
                        loss: widest,
                        cost: area_estimate(&probe),
                        within_budget: false,
                    });
                    if fallback.as_ref().is_none_or(|(f, _)| widest < *f) {
                        fallback = Some((widest, probe.clone()));
                    }
                    break;
                }
            }
        }
    }
    let (model, loss, budget_met) = match (best, fallback) {
        (Some((_, qm, loss)), _) => (qm, loss, true),
        (None, Some((loss, qm))) => (qm, loss, false),
        (None, None) => return Err(Error::Internal("width search tried nothing".into())),
    };
    let float = reference
        .classes
        .iter()
        .copied()
        .zip(reference.outputs.iter().copied())
        .collect();
    // The chosen model's predictions, from its leaves (the router moves its cuts to
    // the chosen width; only rows whose leaves change are walked).
    let fixed = fixed_predictions(&model, router.route(&model, rows, data)?, rows.len());
    Ok(Choice {
        model,
        loss,
        loss_kind,
        budget_met,
        trials,
        float,
        fixed,
    })
}

/// (class, first output) per row of `qm` from the leaves its rows reach (tree-major,
/// as [`Router::route`] gives them): what [`QuantModel::predict_codes`] gives.
fn fixed_predictions(qm: &QuantModel, leaves: &[u32], n: usize) -> Vec<(usize, f64)> {
    let g = qm.n_groups;
    scores(qm, leaves, n)
        .chunks(g.max(1))
        .take(n)
        .map(|scores| (qm.decide(scores), qm.outputs(scores)[0]))
        .collect()
}

/// Integer scores per (row, group), row-major, of `qm` from the leaves its `n` rows
/// reach (tree-major): the bias plus every tree's leaf code. Blocks of rows are
/// summed on the machine's threads.
fn scores(qm: &QuantModel, leaves: &[u32], n: usize) -> Vec<i64> {
    const BLOCK: usize = 512;
    let g = qm.n_groups;
    let codes: Vec<Vec<i64>> = qm
        .trees
        .iter()
        .map(|t| {
            (0..t.nodes.len())
                .map(|i| QuantModel::leaf_code(t, i))
                .collect()
        })
        .collect();
    let starts: Vec<usize> = (0..n).step_by(BLOCK).collect();
    crate::par::map_chunks(&starts, 1, |part| {
        let mut out = Vec::new();
        for &start in part {
            let end = (start + BLOCK).min(n);
            let mut block: Vec<i64> = (start..end).flat_map(|_| qm.bias.iter().copied()).collect();
            for (t, tree) in qm.trees.iter().enumerate() {
                let codes = &codes[t];
                for (r, &i) in leaves[t * n + start..t * n + end].iter().enumerate() {
                    block[r * g + tree.group] += codes[i as usize];
                }
            }
            out.extend(block);
        }
        out
    })
}

/// Leaf per (tree, row) across input widths, incremental where possible (module doc).
struct Router {
    n: usize,
    n_features: usize,
    /// Per feature, row indices sorted by value; empty when routing is not incremental
    /// (a row with a missing value or a short row).
    order: Vec<Vec<u32>>,
    /// `pos[r * n_features + f]`: the position of row `r` in `order[f]`.
    pos: Vec<u32>,
    /// Per tree and node, the cut of each split at the last width routed.
    cuts: Vec<Vec<u32>>,
    /// Leaf per (tree, row), tree-major, at the last width routed.
    leaves: Vec<u32>,
}

impl Router {
    fn new(model: &Model, rows: &[Vec<f64>]) -> Self {
        let nf = model.n_features;
        let n = rows.len();
        let complete = rows
            .iter()
            .all(|r| r.len() >= nf && r[..nf].iter().all(|v| !v.is_nan()));
        let (mut order, mut pos) = (Vec::new(), Vec::new());
        if complete && u32::try_from(n).is_ok() {
            pos = vec![0u32; n * nf];
            order = (0..nf)
                .map(|f| {
                    let mut o: Vec<u32> = (0..n as u32).collect();
                    o.sort_by(|&a, &b| rows[a as usize][f].total_cmp(&rows[b as usize][f]));
                    for (p, &r) in o.iter().enumerate() {
                        pos[r as usize * nf + f] = p as u32;
                    }
                    o
                })
                .collect();
        }
        Router {
            n,
            n_features: nf,
            order,
            pos,
            cuts: Vec::new(),
            leaves: Vec::new(),
        }
    }

    /// The float model's leaf per (tree, row), tree-major, by cuts: a float split
    /// also sends left a prefix of the rows in value order, except that a zero-as-
    /// missing rule sends values near zero its default way (then `None`, as for
    /// rows with missing values).
    fn float_leaves(&self, model: &Model, rows: &[Vec<f64>]) -> Option<Vec<u32>> {
        if self.order.len() != self.n_features {
            return None;
        }
        let zero_rule = model.trees.iter().flat_map(|t| &t.nodes).any(|n| {
            matches!(
                n,
                Node::Split {
                    missing: Missing::ZeroDefault,
                    ..
                }
            )
        });
        if zero_rule {
            return None;
        }
        let (n, nf) = (self.n, self.n_features);
        let per_tree = crate::par::map(&model.trees, |tree| {
            let steps: Vec<Step> = tree
                .nodes
                .iter()
                .enumerate()
                .map(|(i, node)| match node {
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                        default_left,
                        missing,
                    } => Step {
                        feature: *feature as u32,
                        cut: self.order[*feature].partition_point(|&r| {
                            model.goes_left(
                                rows[r as usize][*feature],
                                *threshold,
                                *default_left,
                                *missing,
                            )
                        }) as u32,
                        left: *left as u32,
                        right: *right as u32,
                    },
                    Node::Leaf { .. } => Step {
                        feature: 0,
                        cut: 0,
                        left: i as u32,
                        right: i as u32,
                    },
                })
                .collect();
            let depth = depth(&steps);
            let mut leaves = vec![0u32; n];
            let all: Vec<u32> = (0..n as u32).collect();
            for chunk in all.chunks(LANES) {
                let lanes: [u32; LANES] =
                    std::array::from_fn(|l| chunk.get(l).copied().unwrap_or(chunk[0]));
                let at = walk_lanes(&steps, depth, &self.pos, nf, lanes);
                for (&r, &leaf) in lanes.iter().zip(&at) {
                    leaves[r as usize] = leaf;
                }
            }
            leaves
        });
        Some(per_tree.concat())
    }

    /// Leaf node index per (tree, row), tree-major, for `qm`'s input widths.
    fn route(&mut self, qm: &QuantModel, rows: &[Vec<f64>], data: &str) -> Result<&[u32]> {
        let encoded = rows
            .iter()
            .enumerate()
            .map(|(r, row)| {
                qm.encode_row(row)
                    .map_err(|e| missing_error(qm, data, r, e))
            })
            .collect::<Result<Vec<_>>>()?;
        let flagged = qm.features.iter().any(|f| f.nan_flag || f.zero_flag);
        if flagged || self.order.len() != qm.features.len() || qm.features.len() != self.n_features
        {
            self.order.clear();
            self.cuts.clear();
            self.leaves = route(qm, &encoded);
            return Ok(&self.leaves);
        }
        // Codes in each feature's value order; monotone, else no cuts (never expected).
        let sorted: Vec<Vec<i64>> = self
            .order
            .iter()
            .enumerate()
            .map(|(f, o)| o.iter().map(|&r| encoded[r as usize].codes[f]).collect())
            .collect();
        if sorted.iter().any(|c| c.windows(2).any(|w| w[0] > w[1])) {
            self.order.clear();
            self.cuts.clear();
            self.leaves = route(qm, &encoded);
            return Ok(&self.leaves);
        }
        let n = self.n;
        let cuts: Vec<Vec<u32>> = crate::par::map(&qm.trees, |t| {
            t.nodes
                .iter()
                .map(|node| match node {
                    QNode::Split { feature, k, .. } => {
                        sorted[*feature].partition_point(|&c| c < *k) as u32
                    }
                    QNode::Leaf { .. } => 0,
                })
                .collect()
        });
        let fresh = self.cuts.len() != cuts.len() || self.leaves.len() != n * qm.trees.len();
        if fresh {
            self.leaves = vec![0u32; n * qm.trees.len()];
        }
        let (order, pos, nf) = (&self.order, &self.pos, self.n_features);
        let old_cuts = &self.cuts;
        // Each tree's leaves change in place: a row outside every moved cut's range
        // keeps its leaf.
        let mut per_tree: Vec<&mut [u32]> = self.leaves.chunks_mut(n.max(1)).collect();
        crate::par::for_each_mut(&mut per_tree, |t, leaves| {
            let tree = &qm.trees[t];
            let cut = &cuts[t];
            let steps = steps(tree, cut);
            let depth = depth(&steps);
            // Rows to walk: all, or those between a moved cut's old and new place.
            let mut rows: Vec<u32> = Vec::new();
            let moved = if fresh {
                usize::MAX
            } else {
                cut.iter()
                    .zip(&old_cuts[t])
                    .map(|(&a, &b)| a.abs_diff(b) as usize)
                    .sum()
            };
            if moved < n / 2 {
                let old = &old_cuts[t];
                for (i, node) in tree.nodes.iter().enumerate() {
                    if let QNode::Split { feature, .. } = node {
                        let (lo, hi) = (cut[i].min(old[i]), cut[i].max(old[i]));
                        rows.extend_from_slice(&order[*feature][lo as usize..hi as usize]);
                    }
                }
            } else {
                rows.extend(0..n as u32);
            }
            for chunk in rows.chunks(LANES) {
                // A short last chunk repeats its first row (same leaf, written twice).
                let lanes: [u32; LANES] =
                    std::array::from_fn(|l| chunk.get(l).copied().unwrap_or(chunk[0]));
                let at = walk_lanes(&steps, depth, pos, nf, lanes);
                for (&r, &leaf) in lanes.iter().zip(&at) {
                    leaves[r as usize] = leaf;
                }
            }
        });
        self.cuts = cuts;
        Ok(&self.leaves)
    }
}

/// Rows walked together through one tree: independent walks without branches, so
/// the processor overlaps them.
const LANES: usize = 8;

/// One node for [`walk_lanes`]: go to `left` when the row's position in `feature`'s
/// value order is below `cut`, else to `right`. A leaf goes to itself.
#[derive(Clone, Copy)]
struct Step {
    feature: u32,
    cut: u32,
    left: u32,
    right: u32,
}

/// The steps of `tree` for the given cuts.
fn steps(tree: &super::QTree, cut: &[u32]) -> Vec<Step> {
    tree.nodes
        .iter()
        .enumerate()
        .map(|(i, node)| match node {
            QNode::Split {
                feature,
                left,
                right,
                ..
            } => Step {
                feature: *feature as u32,
                cut: cut[i],
                left: *left as u32,
                right: *right as u32,
            },
            QNode::Leaf { .. } => Step {
                feature: 0,
                cut: 0,
                left: i as u32,
                right: i as u32,
            },
        })
        .collect()
}

/// The largest number of splits on a path from the root to a leaf (a leaf's step
/// goes to itself).
fn depth(steps: &[Step]) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, d)) = stack.pop() {
        // A well-formed tree (checked by the importer) has no path this long.
        if d > steps.len() {
            break;
        }
        match steps.get(i) {
            Some(s) if s.left as usize != i => {
                stack.push((s.left as usize, d + 1));
                stack.push((s.right as usize, d + 1));
            }
            _ => deepest = deepest.max(d),
        }
    }
    deepest
}

/// Leaves reached by `rows` (each walks `depth` steps; a leaf keeps its place).
fn walk_lanes(
    steps: &[Step],
    depth: usize,
    pos: &[u32],
    nf: usize,
    rows: [u32; LANES],
) -> [u32; LANES] {
    let mut at = [0u32; LANES];
    for _ in 0..depth {
        for l in 0..LANES {
            let s = steps[at[l] as usize];
            let p = pos[rows[l] as usize * nf + s.feature as usize];
            at[l] = if p < s.cut { s.left } else { s.right };
        }
    }
    at
}

/// Leaf node index per (tree, row), tree-major: each tree walks every row while its
/// nodes stay in cache.
fn route(qm: &QuantModel, encoded: &[super::Encoded]) -> Vec<u32> {
    crate::par::map(&qm.trees, |t| {
        encoded
            .iter()
            .map(|e| qm.leaf_index(t, e) as u32)
            .collect::<Vec<u32>>()
    })
    .concat()
}

/// The error for a value the model treats as missing where the hardware has no
/// missing bit (the calibration data had no such value in that feature).
pub fn missing_error(qm: &QuantModel, data: &str, row: usize, e: EncodeError) -> Error {
    let what = if e.nan {
        "a missing value"
    } else {
        "a zero, which this model treats as missing,"
    };
    Error::input(
        data,
        format!("line {}, column '{}'", row + 2, qm.features[e.feature].name),
        format!(
            "{what} but the calibration data had none in this feature, so the hardware has no missing bit for it; \
             expected a number here, or recompile with calibration rows that include such values"
        ),
    )
}

impl<'a> Reference<'a> {
    fn new(
        model: &Model,
        rows: &[Vec<f64>],
        labels: Option<&'a [f64]>,
        float_leaves: Option<Vec<u32>>,
    ) -> Self {
        let preds = match float_leaves {
            // The same sums as `predict_row`, from leaves found by cuts.
            Some(leaves) => {
                let n = rows.len();
                let index: Vec<usize> = (0..n).collect();
                crate::par::map(&index, |&r| {
                    model.predict_margins(model.margins_with(|t, _| leaves[t * n + r] as usize))
                })
            }
            None => crate::par::map(rows, |r| model.predict_row(r)),
        };
        let classes = preds.iter().map(|p| p.class).collect();
        let outputs: Vec<f64> = preds.iter().map(|p| p.outputs[0]).collect();
        let rmse_float = labels.map(|y| rmse(&outputs, y)).unwrap_or(0.0);
        let mean = outputs.iter().sum::<f64>() / outputs.len() as f64;
        let spread =
            (outputs.iter().map(|o| (o - mean).powi(2)).sum::<f64>() / outputs.len() as f64).sqrt();
        Reference {
            task: model.task,
            classes,
            outputs,
            labels,
            rmse_float,
            spread,
        }
    }

    fn loss(&self, qm: &QuantModel, leaves: &[u32]) -> f64 {
        let n = self.classes.len();
        let g = qm.n_groups;
        let mut flipped = 0usize;
        let mut fixed_out = Vec::with_capacity(n);
        let all_scores = scores(qm, leaves, n);
        for r in 0..n {
            let scores = &all_scores[r * g..(r + 1) * g];
            match self.task {
                Task::Classification => {
                    flipped += usize::from(qm.decide(scores) != self.classes[r])
                }
                Task::Regression => fixed_out.push(qm.outputs(scores)[0]),
            }
        }
        match self.task {
            Task::Classification => 100.0 * flipped as f64 / n as f64,
            Task::Regression => match self.labels {
                Some(y) if self.rmse_float > 0.0 => {
                    let measured = rmse(&fixed_out, y) / self.rmse_float - 1.0;
                    let e = rmse(&fixed_out, &self.outputs) / self.rmse_float;
                    let expected = (1.0 + e * e).sqrt() - 1.0;
                    100.0 * measured.max(expected)
                }
                Some(_) => 100.0 * rmse(&fixed_out, &self.outputs),
                // A constant float model has no spread: measure the error absolutely.
                None if self.spread > 0.0 => 100.0 * rmse(&fixed_out, &self.outputs) / self.spread,
                None => 100.0 * rmse(&fixed_out, &self.outputs),
            },
        }
    }
}

/// Root mean square difference.
pub fn rmse(a: &[f64], b: &[f64]) -> f64 {
    if a.is_empty() {
        return 0.0;
    }
    (a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>() / a.len() as f64).sqrt()
}

/// Area estimate in bit-operations: one per comparator bit, one per mux bit in each
/// tree, one per adder input bit. Only for ranking widths against each other.
pub fn area_estimate(qm: &QuantModel) -> u64 {
    let mut cmps = Vec::new();
    let mut cost = 0u64;
    let mut per_group = vec![0u64; qm.n_groups];
    for t in &qm.trees {
        per_group[t.group] += 1;
    }
    for t in &qm.trees {
        let max_code = t
            .nodes
            .iter()
            .map(|n| match n {
                QNode::Leaf { code } => *code,
                QNode::Split { .. } => 0,
            })
            .max()
            .unwrap_or(0);
        let w = u64::from(64 - (max_code as u64).leading_zeros());
        let mut splits = 0u64;
        for n in &t.nodes {
            if let QNode::Split { feature, k, .. } = n {
                let f = &qm.features[*feature].fmt;
                if *k > f.min_code() && *k <= f.max_code() {
                    splits += 1;
                    cmps.push((*feature, *k));
                }
            }
        }
        let log_trees = u64::from(64 - per_group[t.group].leading_zeros());
        cost += splits * w + w + log_trees;
    }
    cmps.sort_unstable();
    cmps.dedup();
    for (f, _) in &cmps {
        cost += u64::from(qm.features[*f].fmt.width());
    }
    cost
}

#[cfg(test)]
mod tests {
    use super::{route, Router};
    use crate::quant::{input_formats, missing_flags, quantize_ranked, quantize_with, Widths};
    use crate::testing::{full_ensemble, random_model, spread_rows, Rng};

    /// The incremental router gives the leaves a full walk of every row gives, at
    /// every input width in the search's order and for rank encoding, and the float
    /// model's leaves by cuts are those of `Model::leaf_index`, on random models with
    /// and without missing values.
    fn check(model: &crate::model::Model, rows: &[Vec<f64>], what: &str) {
        let flags = missing_flags(model, rows);
        let mut router = Router::new(model, rows);
        if let Some(leaves) = router.float_leaves(model, rows) {
            for (t, tree) in model.trees.iter().enumerate() {
                for (r, row) in rows.iter().enumerate() {
                    let want = model.leaf_index(tree, row) as u32;
                    assert_eq!(leaves[t * rows.len() + r], want, "{what}, float");
                }
            }
        }
        for b in 2..=24 {
            let fmts = input_formats(model, rows, b);
            let widths = Widths {
                input_bits: b,
                leaf_bits: 8,
            };
            let qm = quantize_with(model, &fmts, &flags, widths);
            let encoded: Result<Vec<_>, _> = rows.iter().map(|r| qm.encode_row(r)).collect();
            let got = router.route(&qm, rows, "data.csv");
            match encoded {
                Ok(e) => assert_eq!(got.unwrap(), &route(&qm, &e)[..], "{what}, {b} bits"),
                Err(_) => assert!(got.is_err(), "{what}, {b} bits"),
            }
        }
        let qm = quantize_ranked(model, &flags, 8);
        let mut router = Router::new(model, rows);
        if let Ok(e) = rows
            .iter()
            .map(|r| qm.encode_row(r))
            .collect::<Result<Vec<_>, _>>()
        {
            let got = router.route(&qm, rows, "data.csv").unwrap();
            assert_eq!(got, &route(&qm, &e)[..], "{what}, rank");
        }
    }

    #[test]
    fn incremental_routing_equals_full_routing() {
        for seed in 0..200 {
            let (model, rows) = random_model(seed, false, seed % 3 == 0);
            check(&model, &rows, &format!("seed {seed}"));
        }
        // Thresholds at data values and repeated rows (ties in every feature).
        let mut rng = Rng(11);
        let mut rows = spread_rows(&mut rng, 300, 6);
        rows.extend(rows[..100].to_vec());
        let model = full_ensemble(&mut rng, 30, 5, &rows);
        check(&model, &rows, "full ensemble");
    }
}
