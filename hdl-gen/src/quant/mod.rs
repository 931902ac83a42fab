//! Quantisation: choose fixed-point formats from calibration data, convert a float model
//! into an integer model, and the integer predictor that defines what the hardware computes.
//!
//! The integer predictor ([`QuantModel::predict_codes`]) walks trees on integer input
//! codes and is independent of the hardware IR; equality 2 of DESIGN.md says the IR's
//! `eval()` equals it exactly.
//!
//! Leaves: every leaf value `v` (times the model's `leaf_scale`) becomes
//! `q = round(v·2^g)`; each tree stores `q − min_t q` (non-negative, narrow) and the
//! per-tree minima are folded, with `round(base·2^g)`, into one bias per output group.
//! The integer score of a group is therefore exactly `round(base·2^g) + Σ q`.
//!
//! Missing values: a feature gets a `nan` flag bit when some split on it sends NaN a
//! default way and the calibration data has NaN in it, and a `zero` flag bit when
//! some split treats zero as missing (LightGBM `missing_type=Zero`) and the data has
//! NaN or zeros in it. A split with a flag goes the default way when the flag is set,
//! else compares. NaN is encoded as the code of 0.0, which is exactly what splits that
//! read NaN as zero need. Models whose data has no missing values pay nothing.

pub mod check;
mod fast;
pub mod rbf;
mod search;

pub use crate::fixed::QFmt;
pub use fast::{FastPredictor, Predictions};
pub use search::{choose, missing_error, rmse, Choice, Loss, SearchOptions, Trial};

use crate::error::{Error, Result};
use crate::fixed::{convert_split, rank, rank_bins, rank_split, SplitCode};
use crate::model::{Missing, Model, Node, PostTransform, Precision, SplitOp, Task, LIGHTGBM_ZERO};
use serde::{Deserialize, Serialize};

/// Widest input code the search and `--input-bits` allow: grid values stay exact in float32.
pub const MAX_INPUT_BITS: u32 = 24;
/// Widest leaf format `--leaf-bits` allows.
pub const MAX_LEAF_BITS: u32 = 32;

/// One input feature as the hardware sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeatureQ {
    pub name: String,
    pub fmt: QFmt,
    /// True iff some split depends on this feature (after constant folding).
    pub used: bool,
    /// Some split on this feature sends NaN a default way.
    #[serde(default)]
    pub nan_rule: bool,
    /// Some split on this feature treats zero (and NaN) as missing.
    #[serde(default)]
    pub zero_rule: bool,
    /// The hardware has a "value is NaN" bit for this feature.
    #[serde(default)]
    pub nan_flag: bool,
    /// Rank encoding: the feature's sorted distinct thresholds; its code is the rank of
    /// the value among them (`fixed::rank`) and `fmt` is unsigned with `frac_bits` 0.
    /// `None`: the code is the value in fixed point (`fmt`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::fixed::bins_json"
    )]
    pub bins: Option<Vec<f64>>,
    /// The hardware has a "value is NaN or zero" bit (LightGBM zero-as-missing).
    #[serde(default)]
    pub zero_flag: bool,
}

/// A node of a quantised tree; indices match the float model's tree node for node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum QNode {
    /// Go left iff `code[feature] < k`; `k` is clamped to `[min_code, max_code + 1]`,
    /// so `k == min_code` never goes left and `k == max_code + 1` always does.
    Split {
        feature: usize,
        k: i64,
        left: usize,
        right: usize,
        /// Where a missing value goes (only when the feature has the flag this
        /// split's `missing` rule reads).
        #[serde(default)]
        default_left: bool,
        #[serde(default = "nan_default")]
        missing: Missing,
    },
    /// Non-negative leaf code (the tree's minimum is folded into the bias).
    Leaf { code: i64 },
}

fn nan_default() -> Missing {
    Missing::NanDefault
}

/// A quantised tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QTree {
    pub group: usize,
    pub nodes: Vec<QNode>,
}

/// The quantised model: the integer reference for the hardware.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuantModel {
    pub task: Task,
    pub n_classes: usize,
    pub n_groups: usize,
    pub precision: Precision,
    /// The source's split operator: decides the input rounding direction.
    pub split_op: SplitOp,
    pub features: Vec<FeatureQ>,
    /// Width requested for inputs (every feature's format has this width).
    pub input_bits: u32,
    /// Width requested for leaves, and the format leaves were rounded in.
    pub leaf_bits: u32,
    pub leaf_fmt: QFmt,
    /// Per output group, in units of `2^-leaf_fmt.frac_bits`.
    pub bias: Vec<i64>,
    pub trees: Vec<QTree>,
    pub post: PostTransform,
    /// The hardware also outputs its evidence: the leaf each tree reached
    /// (`explain::evidence`, ports `ev_leaf_<t>`; `locus compile --explain`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub evidence: bool,
}

/// One row as the hardware sees it: a code per feature and the missing flags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Encoded {
    pub codes: Vec<i64>,
    /// Value is NaN (meaningful where the feature has `nan_flag`).
    pub nan: Vec<bool>,
    /// Value is NaN or zero within ±1e-35 (meaningful where the feature has `zero_flag`).
    pub zero: Vec<bool>,
}

/// Why a row cannot be encoded for the hardware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodeError {
    pub feature: usize,
    /// True: a NaN; false: a zero the model treats as missing.
    pub nan: bool,
}

/// An integer prediction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QPrediction {
    /// Score per output group, bias included.
    pub scores: Vec<i64>,
    /// Class (classification), else 0.
    pub class: usize,
}

/// The widths asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Widths {
    pub input_bits: u32,
    pub leaf_bits: u32,
}

/// Per-feature input formats of `bits` bits covering the calibration values and
/// every finite threshold on that feature.
pub fn input_formats(model: &Model, rows: &[Vec<f64>], bits: u32) -> Vec<QFmt> {
    let n = model.n_features;
    let mut lo = vec![f64::INFINITY; n];
    let mut hi = vec![f64::NEG_INFINITY; n];
    let mut see = |f: usize, v: f64| {
        if v.is_finite() && f < n {
            lo[f] = lo[f].min(v);
            hi[f] = hi[f].max(v);
        }
    };
    let mut has_nan = vec![false; n];
    for row in rows {
        for (f, &v) in row.iter().enumerate() {
            see(f, v);
            if v.is_nan() && f < n {
                has_nan[f] = true;
            }
        }
    }
    // NaN is encoded as the code of 0.0, so 0 must be in range where it can occur.
    for (f, &nan) in has_nan.iter().enumerate() {
        if nan {
            see(f, 0.0);
        }
    }
    for t in &model.trees {
        for node in &t.nodes {
            if let Node::Split {
                feature, threshold, ..
            } = node
            {
                see(*feature, *threshold);
            }
        }
    }
    (0..n)
        .map(|f| {
            if lo[f] > hi[f] {
                QFmt::for_range(0.0, 0.0, bits)
            } else {
                QFmt::for_range(lo[f], hi[f], bits)
            }
        })
        .collect()
}

/// Converts every split of `model` for the given input formats.
fn convert_trees(model: &Model, fmts: &[QFmt], bins: &[Option<Vec<f64>>]) -> Vec<Vec<QNode>> {
    model
        .trees
        .iter()
        .map(|t| {
            t.nodes
                .iter()
                .map(|n| match n {
                    Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                        default_left,
                        missing,
                    } => {
                        let fmt = &fmts[*feature];
                        let code = match bins.get(*feature) {
                            Some(Some(b)) => rank_split(*threshold, b, model.precision),
                            _ => convert_split(fmt, *threshold, model.split_op, model.precision),
                        };
                        let k = match code {
                            SplitCode::Less(k) => k,
                            SplitCode::Always(true) => fmt.max_code() + 1,
                            SplitCode::Always(false) => fmt.min_code(),
                        };
                        QNode::Split {
                            feature: *feature,
                            k,
                            left: *left,
                            right: *right,
                            default_left: *default_left,
                            missing: *missing,
                        }
                    }
                    Node::Leaf { .. } => QNode::Leaf { code: 0 },
                })
                .collect()
        })
        .collect()
}

/// The leaf format for `bits` bits: signed, covering the largest |leaf|.
pub fn leaf_format(model: &Model, bits: u32) -> QFmt {
    let mut a = 0.0f64;
    for t in &model.trees {
        for n in &t.nodes {
            if let Node::Leaf { value } = n {
                a = a.max((value * model.leaf_scale).abs());
            }
        }
    }
    QFmt::for_range(-a, a, bits)
}

/// Fills leaf codes and biases for a leaf format.
/// A bias beyond `±2^61` cannot be held in the IR's 62-bit integers: it is clamped there
/// (so sums never overflow) and `limits::check_scores` refuses the model by name.
fn set_leaves(model: &Model, trees: &mut [QTree], leaf_fmt: &QFmt) -> Vec<i64> {
    const LIMIT: i64 = 1 << 61;
    let mut bias: Vec<i64> = model
        .base_score
        .iter()
        .map(|&b| leaf_fmt.round_value(b).clamp(-LIMIT, LIMIT))
        .collect();
    for (t, qt) in model.trees.iter().zip(trees.iter_mut()) {
        let q: Vec<Option<i64>> = t
            .nodes
            .iter()
            .map(|n| match n {
                Node::Leaf { value } => Some(leaf_fmt.round_value(value * model.leaf_scale)),
                Node::Split { .. } => None,
            })
            .collect();
        let min = q.iter().flatten().copied().min().unwrap_or(0);
        bias[t.group] = bias[t.group].saturating_add(min).clamp(-LIMIT, LIMIT);
        for (node, q) in qt.nodes.iter_mut().zip(q) {
            if let (QNode::Leaf { code }, Some(q)) = (node, q) {
                *code = q - min;
            }
        }
    }
    bias
}

/// Quantises `model` with the given widths, formats drawn from the calibration rows.
pub fn quantize(model: &Model, rows: &[Vec<f64>], widths: Widths) -> Result<QuantModel> {
    check_widths(widths)?;
    let fmts = input_formats(model, rows, widths.input_bits);
    let flags = missing_flags(model, rows);
    Ok(quantize_with(model, &fmts, &flags, widths))
}

/// Which features need a NaN bit and a zero bit, from the splits and the calibration
/// rows (see the module doc).
pub fn missing_flags(model: &Model, rows: &[Vec<f64>]) -> Vec<(bool, bool)> {
    let n = model.n_features;
    let (mut nan_rule, mut zero_rule) = (vec![false; n], vec![false; n]);
    for t in &model.trees {
        for node in &t.nodes {
            if let Node::Split {
                feature, missing, ..
            } = node
            {
                match missing {
                    Missing::NanDefault => nan_rule[*feature] = true,
                    Missing::ZeroDefault => zero_rule[*feature] = true,
                    Missing::NanAsZero => {}
                }
            }
        }
    }
    let (mut nan_seen, mut zero_seen) = (vec![false; n], vec![false; n]);
    for row in rows {
        for (f, &v) in row.iter().enumerate().take(n) {
            nan_seen[f] |= v.is_nan();
            zero_seen[f] |= is_zero_missing(v);
        }
    }
    (0..n)
        .map(|f| (nan_rule[f] && nan_seen[f], zero_rule[f] && zero_seen[f]))
        .collect()
}

/// LightGBM's zero-as-missing test: NaN (read as 0) or |v| ≤ 1e-35.
pub fn is_zero_missing(v: f64) -> bool {
    v.is_nan() || (-LIGHTGBM_ZERO..=LIGHTGBM_ZERO).contains(&v)
}

fn check_widths(w: Widths) -> Result<()> {
    if !(1..=MAX_INPUT_BITS).contains(&w.input_bits) {
        return Err(Error::input(
            "--input-bits",
            "",
            format!(
                "{} is out of range; expected 1 to {MAX_INPUT_BITS}",
                w.input_bits
            ),
        ));
    }
    if !(2..=MAX_LEAF_BITS).contains(&w.leaf_bits) {
        return Err(Error::input(
            "--leaf-bits",
            "",
            format!(
                "{} is out of range; expected 2 to {MAX_LEAF_BITS}",
                w.leaf_bits
            ),
        ));
    }
    Ok(())
}

/// Quantises with explicit input formats and missing flags (`(nan, zero)` per feature).
pub fn quantize_with(
    model: &Model,
    fmts: &[QFmt],
    flags: &[(bool, bool)],
    widths: Widths,
) -> QuantModel {
    build(model, fmts, &vec![None; fmts.len()], flags, widths)
}

/// Exact input binning for every feature: per feature its sorted distinct thresholds
/// and the unsigned format that holds every rank (see [`FeatureQ::bins`]).
pub fn rank_inputs(model: &Model) -> (Vec<QFmt>, Vec<Option<Vec<f64>>>) {
    let mut thresholds: Vec<Vec<f64>> = vec![Vec::new(); model.n_features];
    for t in &model.trees {
        for n in &t.nodes {
            if let Node::Split {
                feature, threshold, ..
            } = n
            {
                thresholds[*feature].push(*threshold);
            }
        }
    }
    thresholds
        .into_iter()
        .map(|ts| {
            let bins = rank_bins(ts, model.precision);
            let (width, _) = crate::fixed::int_type(0, bins.len() as i64);
            let fmt = QFmt {
                signed: false,
                int_bits: width as i32,
                frac_bits: 0,
            };
            (fmt, Some(bins))
        })
        .unzip()
}

/// Quantises with rank-encoded inputs (exact for every value) and the given leaf width;
/// `widths.input_bits` is set to the widest rank code.
pub fn quantize_ranked(model: &Model, flags: &[(bool, bool)], leaf_bits: u32) -> QuantModel {
    let (fmts, bins) = rank_inputs(model);
    let widest = fmts.iter().map(QFmt::width).max().unwrap_or(1);
    build(
        model,
        &fmts,
        &bins,
        flags,
        Widths {
            input_bits: widest,
            leaf_bits,
        },
    )
}

fn build(
    model: &Model,
    fmts: &[QFmt],
    bins: &[Option<Vec<f64>>],
    flags: &[(bool, bool)],
    widths: Widths,
) -> QuantModel {
    let nodes = convert_trees(model, fmts, bins);
    let mut trees: Vec<QTree> = model
        .trees
        .iter()
        .zip(nodes)
        .map(|(t, nodes)| QTree {
            group: t.group,
            nodes,
        })
        .collect();
    let leaf_fmt = leaf_format(model, widths.leaf_bits);
    let bias = set_leaves(model, &mut trees, &leaf_fmt);
    let mut used = vec![false; model.n_features];
    let (mut nan_read, mut zero_read) =
        (vec![false; model.n_features], vec![false; model.n_features]);
    for t in &trees {
        for n in &t.nodes {
            if let QNode::Split {
                feature,
                k,
                missing,
                ..
            } = n
            {
                let f = &fmts[*feature];
                if *k > f.min_code() && *k <= f.max_code() {
                    used[*feature] = true;
                }
                nan_read[*feature] |= *missing == Missing::NanDefault;
                zero_read[*feature] |= *missing == Missing::ZeroDefault;
            }
        }
    }
    let features = fmts
        .iter()
        .enumerate()
        .map(|(f, fmt)| {
            let (nan, zero) = flags.get(f).copied().unwrap_or((false, false));
            FeatureQ {
                name: model.feature_name(f),
                fmt: *fmt,
                used: used[f],
                nan_rule: nan_read[f],
                zero_rule: zero_read[f],
                nan_flag: nan && nan_read[f],
                zero_flag: zero && zero_read[f],
                bins: bins.get(f).cloned().flatten(),
            }
        })
        .collect();
    QuantModel {
        task: model.task,
        n_classes: model.n_classes,
        n_groups: model.n_groups(),
        precision: model.precision,
        split_op: model.split_op,
        features,
        input_bits: widths.input_bits,
        leaf_bits: widths.leaf_bits,
        leaf_fmt,
        bias,
        trees,
        post: model.post,
        evidence: false,
    }
}

impl QuantModel {
    /// One row of real values (all features, in model order) as the hardware sees it.
    /// NaN is encoded as the code of 0.0. A value the model treats as missing in a
    /// feature the hardware reads but has no flag for is an error (the calibration
    /// data had no such value, so no flag bit was built).
    pub fn encode_row(&self, row: &[f64]) -> std::result::Result<Encoded, EncodeError> {
        let n = self.features.len();
        let mut e = Encoded {
            codes: Vec::with_capacity(n),
            nan: Vec::with_capacity(n),
            zero: Vec::with_capacity(n),
        };
        for (f, q) in self.features.iter().enumerate() {
            let x = row.get(f).copied().unwrap_or(f64::NAN);
            let (nan, zero) = (x.is_nan(), is_zero_missing(x));
            let nan_unbuilt = q.nan_rule && !q.nan_flag;
            let zero_unbuilt = q.zero_rule && !q.zero_flag;
            if (nan && (nan_unbuilt || zero_unbuilt)) || (zero && zero_unbuilt) {
                return Err(EncodeError { feature: f, nan });
            }
            if let Some(b) = &q.bins {
                let x = if nan { 0.0 } else { x };
                e.codes.push(rank(x, b, self.split_op, self.precision));
                e.nan.push(nan);
                e.zero.push(zero);
                continue;
            }
            e.codes.push(q.fmt.quantize_input(
                if nan { 0.0 } else { x },
                self.precision,
                self.split_op,
            ));
            e.nan.push(nan);
            e.zero.push(zero);
        }
        Ok(e)
    }

    /// Leaf node index reached in tree `t` by an encoded row.
    pub fn leaf_index(&self, t: &QTree, e: &Encoded) -> usize {
        let mut i = 0;
        for _ in 0..=t.nodes.len() {
            match t.nodes[i] {
                QNode::Leaf { .. } => return i,
                QNode::Split {
                    feature,
                    k,
                    left,
                    right,
                    default_left,
                    missing,
                } => {
                    let q = &self.features[feature];
                    let is_missing = match missing {
                        Missing::NanDefault => q.nan_flag && e.nan[feature],
                        Missing::ZeroDefault => q.zero_flag && e.zero[feature],
                        Missing::NanAsZero => false,
                    };
                    let go_left = if is_missing {
                        default_left
                    } else {
                        e.codes[feature] < k
                    };
                    i = if go_left { left } else { right };
                }
            }
        }
        i
    }

    /// Leaf code at node `i` (0 for a split node, which callers never pass).
    pub fn leaf_code(t: &QTree, i: usize) -> i64 {
        match t.nodes[i] {
            QNode::Leaf { code } => code,
            QNode::Split { .. } => 0,
        }
    }

    /// Class from integer scores: binary `score > 0`, multi-class first maximum.
    pub fn decide(&self, scores: &[i64]) -> usize {
        match self.task {
            Task::Regression => 0,
            Task::Classification if self.n_groups == 1 => usize::from(scores[0] > 0),
            Task::Classification => {
                let mut best = 0;
                for (k, &s) in scores.iter().enumerate() {
                    if s > scores[best] {
                        best = k;
                    }
                }
                best
            }
        }
    }

    /// The integer prediction for an encoded row.
    pub fn predict_codes(&self, e: &Encoded) -> QPrediction {
        let mut scores = self.bias.clone();
        for t in &self.trees {
            scores[t.group] += Self::leaf_code(t, self.leaf_index(t, e));
        }
        let class = self.decide(&scores);
        QPrediction { scores, class }
    }

    /// Scores back in real units (margins).
    pub fn real_scores(&self, scores: &[i64]) -> Vec<f64> {
        scores.iter().map(|&s| self.leaf_fmt.to_real(s)).collect()
    }

    /// Outputs in the library's terms: the post-transform applied to the real margins.
    pub fn outputs(&self, scores: &[i64]) -> Vec<f64> {
        self.post.apply(&self.real_scores(scores))
    }

    /// Features the hardware reads, in model order.
    pub fn used_features(&self) -> Vec<usize> {
        (0..self.features.len())
            .filter(|&f| self.features[f].used)
            .collect()
    }
}
