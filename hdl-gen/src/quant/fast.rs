//! The integer predictor compiled for speed: the same function as `encode_row` + `predict_codes`, on flat nodes and reused buffers (`locus predict`, benchmarks).
//!
//! [`QuantModel::encode_row`] and [`QuantModel::predict_codes`] define what the
//! hardware computes; [`FastPredictor`] computes exactly that (the equalities tests
//! check it on random models and rows with missing and extreme values) for many
//! rows, as fast as a CPU library walks its trees:
//! - only the features some split reads are encoded, into one reused buffer;
//! - a rank-coded feature is not ranked at all: its value becomes an integer that
//!   orders as the value does ([`key`]), and each split on it compares that with the
//!   key of the bin its rank code stands for ([`key_split`]): the same decision;
//! - every tree's nodes sit in one array of 16-byte nodes, children side by side, and
//!   a row steps through a tree without a branch, [`LANES`] rows at a time.

use super::{is_zero_missing, EncodeError, QNode, QTree, QuantModel};
use crate::fixed::{rank, QFmt};
use crate::model::{Missing, Precision, SplitOp};

/// A node of the flat array, 16 bytes. Children sit side by side, so a step is
/// `at = left + (code >= k)`, with no branch:
/// - a split goes left iff the row's code at `slot` is below `k` (unless a missing
///   flag says otherwise, see [`Miss`]);
/// - a leaf is its own right child (`left` = itself − 1, `k = i64::MIN`, so never
///   left), so rows that reach it early stay; its code is in `values`.
///
/// Codes are laid out feature by feature, [`LANES`] rows each: `slot` is the
/// feature's index times `LANES`, and lane `l` reads `slot + l`.
#[derive(Clone, Copy, Debug)]
struct Node {
    k: i64,
    slot: u32,
    left: u32,
}

/// A node's missing rule, read only by models that keep a missing flag: where the
/// row's flag at `slot` (laid out like codes) is set, the node goes `default_left`.
/// Nodes without a rule read the always-clear slot.
#[derive(Clone, Copy, Debug)]
struct Miss {
    slot: u32,
    default_left: bool,
}

/// How one read feature is encoded.
#[derive(Clone, Debug)]
struct Feature {
    index: usize,
    code: Code,
    nan_unbuilt: bool,
    zero_unbuilt: bool,
    /// Its flags, kept where some split reads them.
    nan_flag: bool,
    zero_flag: bool,
}

/// How a read feature's value becomes its code.
#[derive(Clone, Debug)]
enum Code {
    /// The value's [`key`] (rank codes of bins sorted without NaN: splits compare
    /// keys, see [`key_split`]).
    Key,
    /// The rank itself ([`rank`]), for bins that are not sorted.
    Searched(Vec<f64>),
    /// [`QFmt::quantize_input`] with its constants computed once (see [`Grid`]).
    Grid(Grid),
    /// [`QFmt::quantize_input`] itself, for codes too wide for [`Grid`].
    Wide(QFmt),
}

/// [`QFmt::quantize_input`] of a format whose codes an `f64` holds exactly: scale
/// and range as `f64` once, and the rounding done on the saturated value (the same,
/// since the range ends are integers) by truncation, which needs no library call.
#[derive(Clone, Copy, Debug)]
struct Grid {
    scale: f64,
    lo: f64,
    hi: f64,
    /// Ceiling (`<` splits), else floor.
    ceil: bool,
    f32: bool,
}

impl Grid {
    /// Codes up to this magnitude are exact in an `f64` and an `i64`.
    const EXACT: i64 = 1 << 52;

    fn new(fmt: QFmt, precision: Precision, op: SplitOp) -> Option<Grid> {
        (fmt.min_code() >= -Grid::EXACT && fmt.max_code() <= Grid::EXACT).then(|| Grid {
            scale: fmt.scale(),
            lo: fmt.min_code() as f64,
            hi: fmt.max_code() as f64,
            ceil: op == SplitOp::Lt,
            f32: precision == Precision::F32,
        })
    }

    /// The code of a value that is not NaN.
    #[inline]
    fn code(&self, x: f64) -> i64 {
        let x = if self.f32 { x as f32 as f64 } else { x };
        let v = (x * self.scale).clamp(self.lo, self.hi);
        let t = v as i64;
        let back = t as f64;
        if self.ceil {
            t + i64::from(back < v)
        } else {
            t - i64::from(back > v)
        }
    }
}

/// [`QuantModel`]'s integer prediction, compiled (see the module doc).
#[derive(Clone, Debug)]
pub struct FastPredictor {
    /// Read features whose code is their value's [`key`] and which keep no missing
    /// flag and no zero rule, encoded in a loop of their own: (feature, whether a
    /// NaN is refused).
    keyed: Vec<(usize, bool)>,
    /// The other read features.
    features: Vec<Feature>,
    nodes: Vec<Node>,
    /// Missing rule of each node, when some node has one (else empty).
    misses: Vec<Miss>,
    /// Leaf code of each node (0 for a split).
    values: Vec<i64>,
    /// Root index, output group and steps of each tree: the steps bring every row
    /// to its leaf ([`FastPredictor::predict_many`]).
    roots: Vec<(u32, u32, u32)>,
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
        let nf = qm.features.len();
        let mut read = vec![false; nf];
        let mut flat = Flat::default();
        let mut roots = Vec::new();
        for t in &qm.trees {
            let root = flat.nodes.len() as u32;
            let steps = lay_out(qm, t, &mut flat, &mut read);
            roots.push((root, t.group as u32, steps));
        }
        let Flat {
            nodes,
            mut misses,
            values,
        } = flat;
        if misses.iter().all(|m| m.slot == clear_slot(nf)) {
            misses.clear();
        }
        // A feature no split reads changes no prediction: it is encoded only when
        // `encode_row` could refuse its value (a missing rule without its flag).
        let features: Vec<Feature> = qm
            .features
            .iter()
            .enumerate()
            .filter(|&(f, q)| {
                read[f] || (q.nan_rule && !q.nan_flag) || (q.zero_rule && !q.zero_flag)
            })
            .map(|(index, q)| Feature {
                index,
                code: match &q.bins {
                    Some(b) if keyed(b) => Code::Key,
                    Some(b) => Code::Searched(b.clone()),
                    None => Grid::new(q.fmt, qm.precision, qm.split_op)
                        .map_or(Code::Wide(q.fmt), Code::Grid),
                },
                nan_unbuilt: q.nan_rule && !q.nan_flag,
                zero_unbuilt: q.zero_rule && !q.zero_flag,
                nan_flag: q.nan_flag,
                zero_flag: q.zero_flag,
            })
            .collect();
        let (keyed, features): (Vec<Feature>, Vec<Feature>) =
            features.into_iter().partition(|q: &Feature| {
                matches!(q.code, Code::Key) && !(q.zero_unbuilt || q.nan_flag || q.zero_flag)
            });
        FastPredictor {
            keyed: keyed.iter().map(|q| (q.index, q.nan_unbuilt)).collect(),
            features,
            nodes,
            misses,
            values,
            roots,
            bias: qm.bias.clone(),
            precision: qm.precision,
            split_op: qm.split_op,
            n_features: nf,
        }
    }

    /// The codes and flags of the read features of one row into lane `l` of the
    /// block's arrays (see [`Node`] and [`lay_out`]); the others are left as they are.
    fn encode_into(
        &self,
        row: &[f64],
        l: usize,
        codes: &mut [i64],
        flags: &mut [bool],
    ) -> Result<(), EncodeError> {
        let nf = self.n_features;
        // The first refused feature, in feature order as `encode_row` reports it.
        let mut refused: Option<EncodeError> = None;
        let mut refuse = |feature: usize, nan: bool| {
            if refused.as_ref().is_none_or(|e| feature < e.feature) {
                refused = Some(EncodeError { feature, nan });
            }
        };
        for &(f, nan_refused) in &self.keyed {
            let x = row.get(f).copied().unwrap_or(f64::NAN);
            let nan = x.is_nan();
            if nan && nan_refused {
                refuse(f, true);
            }
            codes[f * LANES + l] = key(self.in_precision(if nan { 0.0 } else { x }));
        }
        for q in &self.features {
            let f = q.index;
            let x = row.get(f).copied().unwrap_or(f64::NAN);
            let nan = x.is_nan();
            let zero = is_zero_missing(x);
            if (nan && (q.nan_unbuilt || q.zero_unbuilt)) || (zero && q.zero_unbuilt) {
                refuse(f, nan);
            }
            let x = if nan { 0.0 } else { x };
            codes[f * LANES + l] = match &q.code {
                Code::Grid(g) => g.code(x),
                Code::Key => key(self.in_precision(x)),
                Code::Searched(b) => rank(x, b, self.split_op, self.precision),
                Code::Wide(fmt) => fmt.quantize_input(x, self.precision, self.split_op),
            };
            if q.nan_flag {
                flags[f * LANES + l] = nan;
            }
            if q.zero_flag {
                flags[(nf + f) * LANES + l] = zero;
            }
        }
        refused.map_or(Ok(()), Err)
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
        // Every lane walks every tree, a lane past the last row on stale codes.
        let mut codes = vec![0i64; (nf + 1) * LANES];
        let mut flags = vec![false; clear_slot(nf) as usize + LANES];
        let mut scores = Vec::with_capacity(rows.len() * g);
        for (b, block) in rows.chunks(LANES).enumerate() {
            let base = scores.len();
            for (l, row) in block.iter().enumerate() {
                self.encode_into(row.as_ref(), l, &mut codes, &mut flags)
                    .map_err(|e| (b * LANES + l, e))?;
                scores.extend_from_slice(&self.bias);
            }
            let block_scores = &mut scores[base..];
            if self.misses.is_empty() {
                self.walk::<false>(&codes, &flags, block_scores, block.len());
            } else {
                self.walk::<true>(&codes, &flags, block_scores, block.len());
            }
        }
        let classes = scores.chunks(g.max(1)).map(|s| qm.decide(s)).collect();
        Ok(Predictions {
            scores,
            classes,
            groups: g,
        })
    }

    /// Every tree's leaf code added to the scores of the first `rows` lanes of one
    /// block. `FLAGS`: whether nodes have missing rules (one walk, compiled twice so
    /// that models without flags do not pay for them).
    fn walk<const FLAGS: bool>(
        &self,
        codes: &[i64],
        flags: &[bool],
        scores: &mut [i64],
        rows: usize,
    ) {
        let g = self.bias.len();
        for &(root, group, steps) in &self.roots {
            let mut at = [root; LANES];
            for _ in 0..steps {
                for (l, at) in at.iter_mut().enumerate() {
                    let n = &self.nodes[*at as usize];
                    let mut right = codes[n.slot as usize + l] >= n.k;
                    if FLAGS {
                        let m = &self.misses[*at as usize];
                        if flags[m.slot as usize + l] {
                            right = !m.default_left;
                        }
                    }
                    *at = n.left.wrapping_add(u32::from(right));
                }
            }
            for (l, &at) in at.iter().enumerate().take(rows) {
                scores[l * g + group as usize] += self.values[at as usize];
            }
        }
    }

    /// A value as the source compares it (float32 models round it first).
    #[inline]
    fn in_precision(&self, x: f64) -> f64 {
        match self.precision {
            Precision::F32 => x as f32 as f64,
            Precision::F64 => x,
        }
    }
}

/// Whether a feature's rank bins can be compared by keys: sorted ascending without
/// NaN (as `rank_bins` makes them; `rank` searches them by that order).
fn keyed(bins: &[f64]) -> bool {
    bins.iter().all(|b| !b.is_nan()) && bins.windows(2).all(|w| w[0] < w[1])
}

/// An integer that orders as a value that is not NaN does: `a < b` iff
/// `key(a) < key(b)`, and −0 and +0 are one key (their bits, the negatives' flipped).
#[inline]
fn key(x: f64) -> i64 {
    let bits = (x + 0.0).to_bits() as i64;
    if bits < 0 {
        bits ^ i64::MAX
    } else {
        bits
    }
}

/// The split `rank < k` on keys: left iff `key(x) < key_split(..)`, for `x` in the
/// source precision. The rank (bins passed: `b <= x` for `<` splits, `b < x` for
/// `<=`) is below `k` iff bin `k - 1` is not passed, that is `x < bins[k-1]`, or
/// `x <= bins[k-1]`; `k <= 0` is never left, `k` past the bins always.
fn key_split(k: i64, bins: &[f64], op: SplitOp) -> i64 {
    match usize::try_from(k) {
        Ok(0) | Err(_) => i64::MIN,
        Ok(k) if k > bins.len() => i64::MAX,
        Ok(k) => match op {
            SplitOp::Lt => key(bins[k - 1]),
            SplitOp::Le => key(bins[k - 1]) + 1,
        },
    }
}

/// Rows walked together by [`FastPredictor::predict_many`]: four keep every lane in
/// registers (8 and 16 spill; measured on digits, 120 trees: 2 0.90×, 4 1.08×, 6
/// 1.05×, 8 1.05×, 16 1.00× XGBoost one thread).
const LANES: usize = 4;

/// The flat arrays of [`FastPredictor`], as [`lay_out`] fills them.
#[derive(Default)]
struct Flat {
    nodes: Vec<Node>,
    misses: Vec<Miss>,
    values: Vec<i64>,
}

/// The flag slot that is never set: NaN flags of features `0..n` come first, then
/// their zero flags.
fn clear_slot(n_features: usize) -> u32 {
    (2 * n_features * LANES) as u32
}

/// Appends tree `t` to the flat arrays, breadth first so that each split's children
/// sit side by side (see [`Node`]), marks the features it reads, and returns the
/// steps that bring every row to its leaf (its depth). Leaves read the spare code
/// slot after the features' and the clear flag slot.
///
/// The copy follows paths from the root as `leaf_index` does: importers make every
/// node reachable once, so it is the tree itself; were a node reached twice, its
/// subtree would be copied twice, and a path still at a split after `len + 1` steps
/// ends there with code 0, as `leaf_index` and `leaf_code` have it.
fn lay_out(qm: &QuantModel, t: &QTree, flat: &mut Flat, read: &mut [bool]) -> u32 {
    let nf = qm.features.len();
    let clear = Miss {
        slot: clear_slot(nf),
        default_left: false,
    };
    let base = flat.nodes.len();
    let leaf = |at: usize, code: i64, flat: &mut Flat| {
        flat.nodes[at] = Node {
            k: i64::MIN,
            slot: (nf * LANES) as u32,
            left: (at as u32).wrapping_sub(1),
        };
        flat.values[at] = code;
    };
    let blank = Node {
        k: 0,
        slot: 0,
        left: 0,
    };
    let push = |flat: &mut Flat| {
        flat.nodes.push(blank);
        flat.misses.push(clear);
        flat.values.push(0);
    };
    let limit = t.nodes.len() as u32 + 1;
    let mut depth = 0;
    // (source node, slot, depth)
    let mut queue = std::collections::VecDeque::from([(0usize, base, 0u32)]);
    push(flat);
    while let Some((i, at, d)) = queue.pop_front() {
        depth = depth.max(d);
        match t.nodes[i] {
            QNode::Leaf { code } => leaf(at, code, flat),
            QNode::Split { .. } if d == limit => leaf(at, 0, flat),
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
                let child = flat.nodes.len();
                flat.nodes[at] = Node {
                    k: match &q.bins {
                        Some(b) if keyed(b) => key_split(k, b, qm.split_op),
                        _ => k,
                    },
                    slot: (feature * LANES) as u32,
                    left: child as u32,
                };
                let flag = match missing {
                    Missing::NanDefault if q.nan_flag => Some(feature),
                    Missing::ZeroDefault if q.zero_flag => Some(nf + feature),
                    _ => None,
                };
                if let Some(f) = flag {
                    flat.misses[at] = Miss {
                        slot: (f * LANES) as u32,
                        default_left,
                    };
                }
                push(flat);
                push(flat);
                queue.push_back((left, child, d + 1));
                queue.push_back((right, child + 1, d + 1));
            }
        }
    }
    depth
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::Rng;

    #[test]
    fn key_splits_are_rank_splits() {
        let mut rng = Rng(11);
        for len in 0..40 {
            for precision in [Precision::F32, Precision::F64] {
                for op in [SplitOp::Lt, SplitOp::Le] {
                    let mut thresholds: Vec<f64> =
                        (0..len).map(|_| rng.uniform(-3.0, 3.0)).collect();
                    if len % 3 == 1 {
                        thresholds.extend([-0.0, f64::INFINITY, f64::NEG_INFINITY, 1e-40]);
                    }
                    let bins = crate::fixed::rank_bins(thresholds, precision);
                    assert!(keyed(&bins));
                    let mut xs: Vec<f64> = bins.clone();
                    xs.extend((0..20).map(|_| rng.uniform(-4.0, 4.0)));
                    xs.extend([f64::INFINITY, f64::NEG_INFINITY, 0.0, -0.0, 1e300, -1e-40]);
                    xs.extend([f64::MIN_POSITIVE, -f64::MIN_POSITIVE, 5e-324, -5e-324]);
                    for x in xs {
                        let code = rank(x, &bins, op, precision);
                        let x32 = match precision {
                            Precision::F32 => x as f32 as f64,
                            Precision::F64 => x,
                        };
                        for k in -1..=bins.len() as i64 + 1 {
                            assert_eq!(
                                key(x32) < key_split(k, &bins, op),
                                code < k,
                                "x {x}, k {k}, {op:?}, {precision:?}, bins {bins:?}"
                            );
                        }
                    }
                }
            }
        }
    }
}
