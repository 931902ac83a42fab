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

use super::{
    input_formats, missing_flags, quantize_ranked, quantize_with, EncodeError, QNode, QuantModel,
    Widths, MAX_INPUT_BITS,
};
use crate::error::{Error, Result};
use crate::model::{Model, Task};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

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
    let reference = Reference::new(model, rows, labels);
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
        let leaves = route(&probe, rows, data)?;
        for &l in &l_range {
            let qm = if l == l_max { probe.clone() } else { make(l) };
            let loss = reference.loss(&qm, &leaves);
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
                let widest = reference.loss(&probe, &leaves);
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
    Ok(Choice {
        model,
        loss,
        loss_kind,
        budget_met,
        trials,
        float,
    })
}

/// Leaf node index per (tree, row), tree-major: each tree walks every row while its
/// nodes stay in cache.
fn route(qm: &QuantModel, rows: &[Vec<f64>], data: &str) -> Result<Vec<u32>> {
    let encoded = rows
        .iter()
        .enumerate()
        .map(|(r, row)| {
            qm.encode_row(row)
                .map_err(|e| missing_error(qm, data, r, e))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len() * qm.trees.len());
    for t in &qm.trees {
        out.extend(encoded.iter().map(|e| qm.leaf_index(t, e) as u32));
    }
    Ok(out)
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
    fn new(model: &Model, rows: &[Vec<f64>], labels: Option<&'a [f64]>) -> Self {
        let preds = crate::par::map(rows, |r| model.predict_row(r));
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
        let mut all_scores: Vec<i64> = (0..n).flat_map(|_| qm.bias.iter().copied()).collect();
        for (t, tree) in qm.trees.iter().enumerate() {
            for (r, &i) in leaves[t * n..(t + 1) * n].iter().enumerate() {
                if let QNode::Leaf { code } = tree.nodes[i as usize] {
                    all_scores[r * g + tree.group] += code;
                }
            }
        }
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
    let mut cmps = BTreeSet::new();
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
                    cmps.insert((*feature, *k));
                }
            }
        }
        let log_trees = u64::from(64 - per_group[t.group].leading_zeros());
        cost += splits * w + w + log_trees;
    }
    for (f, _) in &cmps {
        cost += u64::from(qm.features[*f].fmt.width());
    }
    cost
}
