//! The integer predictor compiled for speed: the same function as `encode_row` + `predict_codes`, on flat nodes and reused buffers (`locus predict`, benchmarks).
//!
//! [`QuantModel::encode_row`] and [`QuantModel::predict_codes`] define what the
//! hardware computes; [`FastPredictor`] computes exactly that (the equalities tests
//! check it on random models and rows with missing and extreme values) for many
//! rows, as fast as a CPU library walks its trees:
//! - only the features some split reads are encoded, into one reused buffer;
//! - a rank code counts the thresholds passed without branches when there are few;
//! - every tree's nodes sit in one array of 24-byte nodes, leaves inline, and a split
//!   that can never see a missing flag is a bare comparison.

use super::{is_zero_missing, EncodeError, QNode, QuantModel};
use crate::fixed::{rank, QFmt};
use crate::model::{Missing, Precision, SplitOp};

/// Bins up to this many are counted linearly (branch-free), longer ones searched.
const LINEAR_BINS: usize = 32;

/// A split node, or a leaf (`feature == LEAF`, its code in `k`).
#[derive(Clone, Copy, Debug)]
struct Node {
    /// Go left iff `codes[feature] < k` (unless missing, see `missing`).
    k: i64,
    feature: u32,
    /// Index of the left child in the flat array; the right child is `right`.
    left: u32,
    right: u32,
    /// `NONE`, or which flag of the feature sends the row `default_left`.
    missing: u8,
    default_left: bool,
}

const LEAF: u32 = u32::MAX;
const NONE: u8 = 0;
const NAN: u8 = 1;
const ZERO: u8 = 2;

/// How one read feature is encoded.
#[derive(Clone, Debug)]
struct Feature {
    index: usize,
    fmt: QFmt,
    bins: Option<Vec<f64>>,
    nan_unbuilt: bool,
    zero_unbuilt: bool,
}

/// [`QuantModel`]'s integer prediction, compiled (see the module doc).
#[derive(Clone, Debug)]
pub struct FastPredictor {
    features: Vec<Feature>,
    nodes: Vec<Node>,
    /// Root index, output group and node count of each tree.
    roots: Vec<(u32, u32, u32)>,
    /// Steps that bring every row of each tree to its leaf ([`FastPredictor::predict_many`]).
    steps: Vec<u32>,
    bias: Vec<i64>,
    precision: Precision,
    split_op: SplitOp,
    n_features: usize,
}

/// Many rows' predictions ([`FastPredictor::predict_many`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Predictions {
    /// Scores per output group, bias included: row `r`'s at `r * groups ..`.
    pub scores: Vec<i64>,
    /// Class per row (classification), else 0.
    pub classes: Vec<usize>,
    pub groups: usize,
}

impl Predictions {
    /// Row `r`'s scores.
    pub fn row(&self, r: usize) -> &[i64] {
        &self.scores[r * self.groups..(r + 1) * self.groups]
    }
}

impl FastPredictor {
    pub fn new(qm: &QuantModel) -> Self {
        let mut read = vec![false; qm.features.len()];
        let mut nodes = Vec::new();
        let mut roots = Vec::new();
        for t in &qm.trees {
            let base = nodes.len() as u32;
            roots.push((base, t.group as u32, t.nodes.len() as u32));
            for n in &t.nodes {
                nodes.push(match *n {
                    QNode::Leaf { code } => Node {
                        k: code,
                        feature: LEAF,
                        left: 0,
                        right: 0,
                        missing: NONE,
                        default_left: false,
                    },
                    QNode::Split {
                        feature,
                        k,
                        left,
                        right,
                        default_left,
                        missing,
                    } => {
                        read[feature] = true;
                        let q = &qm.features[feature];
                        Node {
                            k,
                            feature: feature as u32,
                            left: base + left as u32,
                            right: base + right as u32,
                            missing: match missing {
                                Missing::NanDefault if q.nan_flag => NAN,
                                Missing::ZeroDefault if q.zero_flag => ZERO,
                                _ => NONE,
                            },
                            default_left,
                        }
                    }
                });
            }
        }
        // A feature no split reads changes no prediction: it is encoded only when
        // `encode_row` could refuse its value (a missing rule without its flag).
        let features = qm
            .features
            .iter()
            .enumerate()
            .filter(|&(f, q)| {
                read[f] || (q.nan_rule && !q.nan_flag) || (q.zero_rule && !q.zero_flag)
            })
            .map(|(index, q)| Feature {
                index,
                fmt: q.fmt,
                bins: q.bins.clone(),
                nan_unbuilt: q.nan_rule && !q.nan_flag,
                zero_unbuilt: q.zero_rule && !q.zero_flag,
            })
            .collect();
        let steps = roots
            .iter()
            .map(|&(root, _, len)| walk_steps(&nodes, root, len))
            .collect();
        FastPredictor {
            features,
            nodes,
            roots,
            steps,
            bias: qm.bias.clone(),
            precision: qm.precision,
            split_op: qm.split_op,
            n_features: qm.features.len(),
        }
    }

    /// The codes and flags of the read features of one row into slices of
    /// `n_features` (the others are left as they are).
    fn encode_into(
        &self,
        row: &[f64],
        codes: &mut [i64],
        nans: &mut [bool],
        zeros: &mut [bool],
    ) -> Result<(), EncodeError> {
        for q in &self.features {
            let f = q.index;
            let x = row.get(f).copied().unwrap_or(f64::NAN);
            let (nan, zero) = (x.is_nan(), is_zero_missing(x));
            if (nan && (q.nan_unbuilt || q.zero_unbuilt)) || (zero && q.zero_unbuilt) {
                return Err(EncodeError { feature: f, nan });
            }
            let x = if nan { 0.0 } else { x };
            codes[f] = match &q.bins {
                Some(b) if b.len() <= LINEAR_BINS => self.count_passed(x, b),
                Some(b) => rank(x, b, self.split_op, self.precision),
                None => q.fmt.quantize_input(x, self.precision, self.split_op),
            };
            nans[f] = nan;
            zeros[f] = zero;
        }
        Ok(())
    }

    /// The predictions for every row, as `predict_codes(&encode_row(row)?)` gives them:
    /// rows go through each tree [`LANES`] at a time, their walks interleaved so the
    /// processor overlaps their memory accesses, and the scores land in one array.
    /// The first row `encode_row` refuses stops it: `Err((row, why))`.
    pub fn predict_many<R: AsRef<[f64]>>(
        &self,
        qm: &QuantModel,
        rows: &[R],
    ) -> Result<Predictions, (usize, EncodeError)> {
        let nf = self.n_features;
        let g = self.bias.len();
        let mut codes = vec![0i64; LANES * nf];
        let mut nans = vec![false; LANES * nf];
        let mut zeros = vec![false; LANES * nf];
        let mut scores = Vec::with_capacity(rows.len() * g);
        for (b, block) in rows.chunks(LANES).enumerate() {
            let base = scores.len();
            for (l, row) in block.iter().enumerate() {
                let r = l * nf..(l + 1) * nf;
                self.encode_into(
                    row.as_ref(),
                    &mut codes[r.clone()],
                    &mut nans[r.clone()],
                    &mut zeros[r],
                )
                .map_err(|e| (b * LANES + l, e))?;
                scores.extend_from_slice(&self.bias);
            }
            let block_scores = &mut scores[base..];
            for (t, &(root, group, _)) in self.roots.iter().enumerate() {
                let mut at = [root; LANES];
                for _ in 0..self.steps[t] {
                    for (l, at) in at.iter_mut().enumerate().take(block.len()) {
                        let n = &self.nodes[*at as usize];
                        if n.feature == LEAF {
                            continue;
                        }
                        let f = l * nf + n.feature as usize;
                        let go_left = match n.missing {
                            NAN if nans[f] => n.default_left,
                            ZERO if zeros[f] => n.default_left,
                            _ => codes[f] < n.k,
                        };
                        *at = if go_left { n.left } else { n.right };
                    }
                }
                for (l, &at) in at.iter().enumerate().take(block.len()) {
                    let n = &self.nodes[at as usize];
                    if n.feature == LEAF {
                        block_scores[l * g + group as usize] += n.k;
                    }
                }
            }
        }
        let classes = scores.chunks(g.max(1)).map(|s| qm.decide(s)).collect();
        Ok(Predictions {
            scores,
            classes,
            groups: g,
        })
    }

    /// `fixed::rank` for short (sorted) bins: the bins passed, counted.
    #[inline]
    fn count_passed(&self, x: f64, bins: &[f64]) -> i64 {
        let x = match self.precision {
            Precision::F32 => x as f32 as f64,
            Precision::F64 => x,
        };
        let n = match self.split_op {
            SplitOp::Lt => bins.iter().map(|&b| usize::from(b <= x)).sum::<usize>(),
            SplitOp::Le => bins.iter().map(|&b| usize::from(b < x)).sum::<usize>(),
        };
        n as i64
    }
}

/// Rows walked together by [`FastPredictor::predict_many`].
const LANES: usize = 8;

/// Steps of a walk from `root` that end every row at its leaf: the tree's depth (a
/// leaf stays put), or, as `leaf_index`, `len + 1` steps when some path is longer
/// than the tree has nodes (never in a well-formed tree).
fn walk_steps(nodes: &[Node], root: u32, len: u32) -> u32 {
    let mut deepest = 0;
    let mut stack = vec![(root, 0u32)];
    while let Some((i, d)) = stack.pop() {
        if d > len {
            return len + 1;
        }
        let n = &nodes[i as usize];
        if n.feature == LEAF {
            deepest = deepest.max(d);
        } else {
            stack.push((n.left, d + 1));
            stack.push((n.right, d + 1));
        }
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;

    #[test]
    fn counting_passed_bins_is_rank() {
        let mut rng = Rng(11);
        for len in 0..40 {
            for precision in [Precision::F32, Precision::F64] {
                for op in [SplitOp::Lt, SplitOp::Le] {
                    let bins = crate::fixed::rank_bins(
                        (0..len).map(|_| rng.uniform(-3.0, 3.0)),
                        precision,
                    );
                    let p = FastPredictor {
                        features: Vec::new(),
                        nodes: Vec::new(),
                        roots: Vec::new(),
                        steps: Vec::new(),
                        bias: Vec::new(),
                        precision,
                        split_op: op,
                        n_features: 0,
                    };
                    let mut xs: Vec<f64> = bins.clone();
                    xs.extend((0..20).map(|_| rng.uniform(-4.0, 4.0)));
                    xs.extend([f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 1e300]);
                    for x in xs {
                        assert_eq!(p.count_passed(x, &bins), rank(x, &bins, op, precision));
                    }
                }
            }
        }
    }
}
