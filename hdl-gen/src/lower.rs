//! Lowering: a quantised tree ensemble becomes hardware IR built from per-node units.
//!
//! - one comparator `x[f] < k` per unique (feature, k) across the whole ensemble;
//! - each tree as a mux tree on comparator bits selecting its (non-negative) leaf code;
//!   splits that quantisation made constant are folded, identical subtrees shared;
//! - per output group a balanced adder tree, each adder exactly as wide as its range;
//! - then argmax (multi-class, first maximum wins), `score > 0` (binary) or the score
//!   itself (regression).
//!
//! The result is combinational with registered outputs (latency 1); the `pipeline`
//! pass places further registers.

use crate::ir::{CmpOp, InputKind, InputPort, Ir, Node, NodeId, Op, Origin, OutputPort, Ty};
use crate::model::{Missing, Task};
use crate::quant::{QNode, QuantModel};
use crate::vlog::legal_ident;
use std::collections::HashMap;

/// Builds IR with hash-consing: an identical (op, type) is created once.
pub struct Builder {
    pub nodes: Vec<Node>,
    ranges: Vec<(i64, i64)>,
    memo: HashMap<(Op, Ty), NodeId>,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    pub fn new() -> Self {
        Builder {
            nodes: Vec::new(),
            ranges: Vec::new(),
            memo: HashMap::new(),
        }
    }

    /// Range of a node built so far.
    pub fn range(&self, id: NodeId) -> (i64, i64) {
        self.ranges[id as usize]
    }

    /// Constant value of a node, if it is one.
    pub fn constant(&self, id: NodeId) -> Option<i64> {
        match self.nodes[id as usize].op {
            Op::Const(c) => Some(c),
            _ => None,
        }
    }

    /// Adds (or finds) a node. Its range is computed from its operands.
    pub fn add(&mut self, op: Op, ty: Ty, stage: u32, origin: Origin) -> NodeId {
        let key = (op, ty);
        if let Some(&id) = self.memo.get(&key) {
            if self.nodes[id as usize].stage == stage || matches!(key.0, Op::Const(_)) {
                return id;
            }
        }
        let (op, ty) = key;
        let range = crate::ir::op_range(&op, ty, |id| self.ranges[id as usize]);
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node {
            op: op.clone(),
            ty,
            stage,
            origin,
        });
        self.ranges.push(range);
        self.memo.insert((op, ty), id);
        id
    }

    /// A constant of the narrowest type.
    pub fn konst(&mut self, c: i64) -> NodeId {
        self.add(Op::Const(c), Ty::for_range(c, c), 0, Origin::Const)
    }

    /// `sel ? t : f`, folded when both sides are the same node.
    pub fn mux(&mut self, sel: NodeId, t: NodeId, f: NodeId, origin: Origin) -> NodeId {
        if t == f {
            return t;
        }
        let (a, b) = (self.range(t), self.range(f));
        let ty = Ty::for_range(a.0.min(b.0), a.1.max(b.1));
        self.add(Op::Mux { sel, t, f }, ty, 0, origin)
    }

    /// `a + b` as wide as its range; two constants fold.
    pub fn sum(&mut self, a: NodeId, b: NodeId, origin: Origin) -> NodeId {
        if let (Some(x), Some(y)) = (self.constant(a), self.constant(b)) {
            return self.konst(x + y);
        }
        let (x, y) = (self.range(a), self.range(b));
        let ty = Ty::for_range(x.0 + y.0, x.1 + y.1);
        self.add(Op::Add(a, b), ty, 0, origin)
    }
}

/// Lowers a quantised model into IR (combinational, outputs registered).
pub fn lower(qm: &QuantModel) -> Ir {
    let mut b = Builder::new();
    // Inputs: the features some split reads, and their missing flags (unread ports
    // are removed by the `dce` pass).
    let mut inputs = Vec::new();
    let mut input_node = HashMap::new();
    for (f, q) in qm.features.iter().enumerate() {
        let ports = [
            (
                InputKind::Value,
                q.used,
                q.fmt.width(),
                q.fmt.signed,
                String::new(),
            ),
            (InputKind::Nan, q.nan_flag, 1, false, "_is_nan".to_string()),
            (
                InputKind::Zero,
                q.zero_flag,
                1,
                false,
                "_is_zero".to_string(),
            ),
        ];
        for (kind, present, width, signed, suffix) in ports {
            if !present {
                continue;
            }
            let ty = Ty { width, signed };
            let port = inputs.len() as u32;
            inputs.push(InputPort {
                name: format!("x{f}_{}{suffix}", legal_ident(&q.name)),
                ty,
                feature: f as u32,
                kind,
                label: q.name.clone(),
                frac_bits: if kind == InputKind::Value {
                    q.fmt.frac_bits
                } else {
                    0
                },
                thresholds: match (&q.bins, kind) {
                    (Some(b), InputKind::Value) => b.clone(),
                    _ => Vec::new(),
                },
            });
            let id = b.add(Op::Input(port), ty, 0, Origin::Feature(f as u32));
            input_node.insert((f, kind), id);
        }
    }
    // Trees.
    let mut group_terms: Vec<Vec<NodeId>> = vec![Vec::new(); qm.n_groups];
    let mut evidence = Vec::new();
    for (ti, t) in qm.trees.iter().enumerate() {
        let v = lower_tree(&mut b, qm, ti, &input_node, false, &|_, code| code);
        group_terms[t.group].push(v);
        if qm.evidence {
            // The leaf ordinal, as a mux tree sharing the value tree's selects.
            let tree = &qm.trees[ti];
            let o = lower_tree(&mut b, qm, ti, &input_node, true, &|node, _| {
                crate::explain::leaf_ordinal(tree, node)
            });
            evidence.push((ti, o));
        }
    }
    // Sums: constants (single-leaf trees, folded trees) go into the bias.
    let mut scores = Vec::new();
    for (g, terms) in group_terms.iter().enumerate() {
        let mut bias = qm.bias[g];
        let mut live = Vec::new();
        for &t in terms {
            match b.constant(t) {
                Some(c) => bias += c,
                None => live.push(t),
            }
        }
        if bias != 0 || live.is_empty() {
            live.push(b.konst(bias));
        }
        let origin = Origin::Sum { group: g as u32 };
        while live.len() > 1 {
            let mut next = Vec::with_capacity(live.len().div_ceil(2));
            for pair in live.chunks(2) {
                next.push(match pair {
                    [x, y] => b.sum(*x, *y, origin.clone()),
                    [x] => *x,
                    _ => unreachable!("chunks(2) yields one or two"),
                });
            }
            live = next;
        }
        scores.push(live[0]);
    }
    // Decision.
    let mut outs: Vec<(String, NodeId)> = Vec::new();
    match qm.task {
        Task::Regression => outs.push(("out_score".into(), scores[0])),
        Task::Classification if qm.n_groups == 1 => {
            let zero = b.konst(0);
            let class = match b.constant(scores[0]) {
                Some(s) => b.konst(i64::from(s > 0)),
                None => b.add(
                    Op::Cmp(CmpOp::Gt, scores[0], zero),
                    Ty::BIT,
                    0,
                    Origin::Decide,
                ),
            };
            outs.push(("out_class".into(), class));
            outs.push(("out_score".into(), scores[0]));
        }
        Task::Classification => {
            let class = argmax(&mut b, &scores);
            outs.push(("out_class".into(), class));
            for (g, &s) in scores.iter().enumerate() {
                outs.push((format!("out_score_{g}"), s));
            }
        }
    }
    for (ti, o) in evidence {
        outs.push((format!("{}{ti}", crate::explain::EVIDENCE_PREFIX), o));
    }
    // Registered outputs (stage 1). A constant output keeps its port type.
    let mut outputs = Vec::new();
    for (name, id) in outs {
        let ty = output_type(&name, &b, id, qm);
        let src = match b.constant(id) {
            Some(c) => b.add(Op::Const(c), ty, 0, Origin::Const),
            None => id,
        };
        let ty = b.nodes[src as usize].ty;
        let r = b.add(Op::Reg(src), ty, 1, Origin::Pipeline);
        outputs.push(OutputPort { name, node: r });
    }
    Ir {
        inputs,
        nodes: b.nodes,
        outputs,
    }
}

/// The class output is `clog2(n_classes)` bits whatever its range; scores keep theirs.
fn output_type(name: &str, b: &Builder, id: NodeId, qm: &QuantModel) -> Ty {
    let tree = name
        .strip_prefix(crate::explain::EVIDENCE_PREFIX)
        .and_then(|t| t.parse::<usize>().ok());
    if name == "out_class" {
        let max = qm.n_classes.max(2) as i64 - 1;
        Ty::for_range(0, max)
    } else if let Some(t) = tree {
        // A leaf ordinal is as wide as the tree's leaf count needs, whatever it reaches.
        let leaves = crate::explain::leaf_nodes(&qm.trees[t]).len();
        Ty::for_range(0, leaves.max(2) as i64 - 1)
    } else {
        let (lo, hi) = b.range(id);
        Ty::for_range(lo, hi)
    }
}

/// The constant a tree selects at each leaf, as a mux tree on comparator bits
/// (post-order, no recursion): `leaf(node, code)` gives the leaf's constant; the
/// evidence tree's muxes have their own origin (and names).
fn lower_tree(
    b: &mut Builder,
    qm: &QuantModel,
    ti: usize,
    inputs: &HashMap<(usize, InputKind), NodeId>,
    evidence: bool,
    leaf: &dyn Fn(usize, i64) -> i64,
) -> NodeId {
    let t = &qm.trees[ti];
    let mut value: Vec<Option<NodeId>> = vec![None; t.nodes.len()];
    let mut stack = vec![(0usize, false)];
    while let Some((i, expanded)) = stack.pop() {
        match t.nodes[i] {
            QNode::Leaf { code } => value[i] = Some(b.konst(leaf(i, code))),
            QNode::Split {
                feature,
                k,
                left,
                right,
                default_left,
                missing,
            } => {
                let q = &qm.features[feature];
                let compare = if k <= q.fmt.min_code() {
                    Some(false)
                } else if k > q.fmt.max_code() {
                    Some(true)
                } else {
                    None
                };
                let flag = match missing {
                    Missing::NanDefault if q.nan_flag => Some(InputKind::Nan),
                    Missing::ZeroDefault if q.zero_flag => Some(InputKind::Zero),
                    _ => None,
                };
                // The way every row goes, when that does not depend on the inputs.
                let fixed = match (flag, compare) {
                    (None, Some(c)) => Some(c),
                    (Some(_), Some(c)) if c == default_left => Some(c),
                    _ => None,
                };
                if !expanded {
                    stack.push((i, true));
                    match fixed {
                        Some(true) => stack.push((left, false)),
                        Some(false) => stack.push((right, false)),
                        None => {
                            stack.push((right, false));
                            stack.push((left, false));
                        }
                    }
                    continue;
                }
                let (tree, node) = (ti as u32, i as u32);
                let origin = if evidence {
                    Origin::Evidence { tree, node }
                } else {
                    Origin::Tree { tree, node }
                };
                value[i] = Some(match fixed {
                    Some(true) => value[left].expect("child lowered first"),
                    Some(false) => value[right].expect("child lowered first"),
                    None => {
                        let cmp = compare.map_or_else(
                            || {
                                let x = inputs[&(feature, InputKind::Value)];
                                let kc =
                                    b.add(Op::Const(k), b.nodes[x as usize].ty, 0, Origin::Const);
                                Ok(b.add(
                                    Op::Cmp(CmpOp::Lt, x, kc),
                                    Ty::BIT,
                                    0,
                                    Origin::Comparator {
                                        feature: feature as u32,
                                        k,
                                    },
                                ))
                            },
                            Err,
                        );
                        // Go left: the comparison, or the default way when the flag is set.
                        let sel = match (flag, cmp) {
                            (None, Ok(c)) => c,
                            (Some(kind), cmp) => {
                                let m = inputs[&(feature, kind)];
                                let not_m = b.add(Op::Not(m), Ty::BIT, 0, origin.clone());
                                match (default_left, cmp) {
                                    (true, Ok(c)) => {
                                        b.add(Op::Or(vec![m, c]), Ty::BIT, 0, origin.clone())
                                    }
                                    (false, Ok(c)) => {
                                        b.add(Op::And(vec![not_m, c]), Ty::BIT, 0, origin.clone())
                                    }
                                    // Constant comparison that differs from the default way.
                                    (true, Err(_)) => m,
                                    (false, Err(_)) => not_m,
                                }
                            }
                            (None, Err(_)) => {
                                unreachable!("a constant split without a flag is fixed")
                            }
                        };
                        let (l, r) = (
                            value[left].expect("lowered"),
                            value[right].expect("lowered"),
                        );
                        b.mux(sel, l, r, origin)
                    }
                });
            }
        }
    }
    value[0].expect("root lowered")
}

/// Argmax over scores as a balanced tree of compare-select units; on a tie the lower
/// index wins, so the result is the first maximum.
pub(crate) fn argmax(b: &mut Builder, scores: &[NodeId]) -> NodeId {
    let idx_ty = Ty::for_range(0, scores.len() as i64 - 1);
    let entries: Vec<(NodeId, NodeId)> = scores
        .iter()
        .enumerate()
        .map(|(k, &s)| (b.add(Op::Const(k as i64), idx_ty, 0, Origin::Const), s))
        .collect();
    select(b, entries, CmpOp::Gt)
}

/// The tag of the best (tag, value) entry, "best" meaning `value OP others`: a balanced
/// tree of compare-select units in which an entry replaces an earlier one only when
/// strictly better, so on a tie the first entry wins.
pub(crate) fn select(b: &mut Builder, entries: Vec<(NodeId, NodeId)>, better: CmpOp) -> NodeId {
    select_pair(b, entries, better).0
}

/// [`select`] returning the best entry's (tag, value).
pub(crate) fn select_pair(
    b: &mut Builder,
    entries: Vec<(NodeId, NodeId)>,
    better: CmpOp,
) -> (NodeId, NodeId) {
    let mut level = entries;
    while level.len() > 1 {
        let mut next = Vec::with_capacity(level.len().div_ceil(2));
        for pair in level.chunks(2) {
            next.push(match pair {
                [(ta, va), (tb, vb)] => {
                    let sel = b.add(Op::Cmp(better, *vb, *va), Ty::BIT, 0, Origin::Decide);
                    let v = b.mux(sel, *vb, *va, Origin::Decide);
                    let t = b.mux(sel, *tb, *ta, Origin::Decide);
                    (t, v)
                }
                [x] => *x,
                _ => unreachable!("chunks(2) yields one or two"),
            });
        }
        level = next;
    }
    level[0]
}
