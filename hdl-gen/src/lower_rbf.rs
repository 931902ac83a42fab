//! Lowering of a quantised RBF model into hardware IR, all units in parallel (II = 1).
//!
//! Per unit: `x_f − c_f` for every feature, squared (or made absolute), summed by a
//! balanced adder tree into the distance code; per nonzero weight a clamped kernel ROM
//! (`Lut`) on the distance. Per output a balanced adder tree of the selected entries
//! and the bias. Then the decision: one-vs-one votes and the first class with the most
//! votes (SVC), first largest output (RBF network), `score > 0` ⇒ class 0 (binary
//! SVC), the score (regression), or the first nearest prototype's label. Outputs are
//! registered (latency 1); the `pipeline` pass places further registers.

use crate::ir::{CmpOp, InputKind, InputPort, Ir, NodeId, Op, Origin, OutputPort, Ty};
use crate::lower::{argmax, Builder};
use crate::model::rbf::{Metric, RbfKind, RbfModel};
use crate::model::Task;
use crate::quant::rbf::RbfQuant;
use crate::vlog::legal_ident;

/// Sum of terms as a balanced adder tree (a constant 0 when empty).
fn tree_sum(b: &mut Builder, mut live: Vec<NodeId>, origin: Origin) -> NodeId {
    if live.is_empty() {
        return b.konst(0);
    }
    while live.len() > 1 {
        let mut next = Vec::with_capacity(live.len().div_ceil(2));
        for pair in live.chunks(2) {
            next.push(match pair {
                [x, y] => binop(b, Op::Add(*x, *y), origin.clone()),
                [x] => *x,
                _ => unreachable!("chunks(2) yields one or two"),
            });
        }
        live = next;
    }
    live[0]
}

/// A binary operation as wide as its range; constants fold.
fn binop(b: &mut Builder, op: Op, origin: Origin) -> NodeId {
    let ty0 = Ty::BIT;
    let (lo, hi) = crate::ir::op_range(&op, ty0, |id| b.range(id));
    let ops = op.operands();
    if let [x, y] = ops[..] {
        if let (Some(p), Some(q)) = (b.constant(x), b.constant(y)) {
            let v = match op {
                Op::Sub(..) => p - q,
                Op::Mul(..) => p * q,
                _ => p + q,
            };
            return b.konst(v);
        }
    }
    // Never narrower than an operand: a truncated operand would leave its top bits
    // unread (the value is the same either way, as the range fits).
    let mut ty = Ty::for_range(lo, hi);
    for a in ops {
        ty.width = ty.width.max(b.nodes[a as usize].ty.width);
    }
    b.add(op, ty, 0, origin)
}

/// `table[min(d >> shift, len − 1)]`: a ROM, or a constant when every entry is equal.
fn rom(b: &mut Builder, d: NodeId, shift: u32, table: &[i64], origin: Origin) -> NodeId {
    if table.iter().all(|&v| v == table[0]) {
        return b.konst(table[0]);
    }
    let lo = *table.iter().min().unwrap_or(&0);
    let hi = *table.iter().max().unwrap_or(&0);
    b.add(
        Op::Lut {
            input: d,
            shift,
            table: table.to_vec(),
        },
        Ty::for_range(lo, hi),
        0,
        origin,
    )
}

/// `node + ⌊slope[i]·(d mod 2^shift) / 2^shift⌋`, as
/// [`crate::fixed::kernel::interp_value`] (`shift ≥ 1`).
fn interpolate(
    b: &mut Builder,
    d: NodeId,
    shift: u32,
    node: NodeId,
    slope: &[i64],
    origin: Origin,
) -> NodeId {
    let s = rom(b, d, shift, slope, origin.clone());
    if b.constant(s) == Some(0) {
        return node;
    }
    let low = Op::Low(d, shift);
    let (lo, hi) = crate::ir::op_range(&low, Ty::BIT, |id| b.range(id));
    let r = b.add(low, Ty::for_range(lo, hi), 0, origin.clone());
    let mul = Op::Mul(s, r);
    let (plo, phi) = crate::ir::op_range(&mul, Ty::BIT, |id| b.range(id));
    let (lo, hi) = (plo >> shift, phi >> shift);
    if lo == hi {
        let k = b.konst(lo);
        return binop(b, Op::Add(node, k), origin);
    }
    let qty = Ty::for_range(lo, hi);
    // The product at least `shift` bits wider than the quotient, so `Shr` is a slice
    // (invariant 9); never narrower than an operand.
    let mut pty = Ty::for_range(plo, phi);
    pty.width = pty
        .width
        .max(qty.width + shift)
        .max(b.nodes[s as usize].ty.width)
        .max(b.nodes[r as usize].ty.width);
    let p = b.add(mul, pty, 0, origin.clone());
    let q = b.add(Op::Shr(p, shift), qty, 0, origin.clone());
    binop(b, Op::Add(node, q), origin)
}

/// Lowers a quantised RBF model (combinational, outputs registered).
pub fn lower_rbf(q: &RbfQuant) -> Ir {
    let mut b = Builder::new();
    let ty = Ty {
        width: q.input_fmt.width(),
        signed: q.input_fmt.signed,
    };
    let mut inputs = Vec::new();
    let mut x = Vec::new();
    for (f, name) in q.feature_names.iter().enumerate() {
        inputs.push(InputPort {
            name: format!("x{f}_{}", legal_ident(name)),
            ty,
            feature: f as u32,
            kind: InputKind::Value,
            label: name.clone(),
            frac_bits: q.input_fmt.frac_bits,
            thresholds: Vec::new(),
        });
        x.push(b.add(Op::Input(f as u32), ty, 0, Origin::Feature(f as u32)));
    }
    // Distances.
    let mut dist = Vec::with_capacity(q.units.len());
    for (ui, u) in q.units.iter().enumerate() {
        let origin = Origin::Unit { unit: ui as u32 };
        let mut terms = Vec::new();
        for (f, &c) in u.centre.iter().enumerate() {
            let kc = b.konst(c);
            let diff = binop(&mut b, Op::Sub(x[f], kc), origin.clone());
            let t = match q.metric {
                Metric::SquaredEuclidean => binop(&mut b, Op::Mul(diff, diff), origin.clone()),
                Metric::Manhattan => match b.constant(diff) {
                    Some(c) => b.konst(c.abs()),
                    None => binop(&mut b, Op::Abs(diff), origin.clone()),
                },
            };
            terms.push(t);
        }
        dist.push(tree_sum(&mut b, terms, origin));
    }
    let mut outs: Vec<(String, NodeId)> = Vec::new();
    let mut evidence = Vec::new();
    if q.evidence {
        // The most active unit and its distance; for prototypes, each class's nearest distance.
        let idx_ty = Ty::for_range(0, q.units.len().max(2) as i64 - 1);
        // Units rank by `gamma_code · d` (the most active unit of a network whose
        // centres have their own widths); `ev_dist` is that unit's distance.
        let uniform = q.units.iter().all(|u| u.gamma_code == 1);
        let mut entries: Vec<(NodeId, NodeId)> = Vec::new();
        let mut by_key: Vec<(NodeId, NodeId)> = Vec::new();
        for (u, &du) in dist.iter().enumerate() {
            let key = if uniform {
                du
            } else {
                let g = b.konst(q.units[u].gamma_code);
                binop(&mut b, Op::Mul(du, g), Origin::Decide)
            };
            entries.push((b.add(Op::Const(u as i64), idx_ty, 0, Origin::Const), key));
            by_key.push((du, key));
        }
        let unit = crate::lower::select(&mut b, entries, CmpOp::Lt);
        let d = crate::lower::select(&mut b, by_key, CmpOp::Lt);
        evidence.push(("ev_unit".to_string(), unit));
        evidence.push(("ev_dist".to_string(), d));
        if q.kind == RbfKind::Prototype {
            for c in 0..q.n_classes {
                let entries: Vec<(NodeId, NodeId)> = (0..q.units.len())
                    .filter(|&u| q.units[u].class == c)
                    .map(|u| (dist[u], dist[u]))
                    .collect();
                let d = if entries.is_empty() {
                    b.konst(q.d_max)
                } else {
                    crate::lower::select_pair(&mut b, entries, CmpOp::Lt).1
                };
                evidence.push((format!("ev_class_dist_{c}"), d));
            }
        }
    }
    if q.kind == RbfKind::Prototype {
        let class = argmin_label(&mut b, &dist, q);
        outs.push(("out_class".into(), class));
    } else {
        let mut terms: Vec<Vec<NodeId>> = vec![Vec::new(); q.n_outputs];
        for (ui, u) in q.units.iter().enumerate() {
            let origin = Origin::Unit { unit: ui as u32 };
            for (k, (o, table)) in u.tables.iter().enumerate() {
                let d = dist[ui];
                let slope = u.slopes.get(k);
                let k = match (b.constant(d), slope) {
                    (Some(c), Some(s)) => {
                        b.konst(crate::fixed::kernel::interp_value(table, s, c, u.shift))
                    }
                    (Some(c), None) => {
                        b.konst(table[crate::fixed::lut_index(c, u.shift, table.len())])
                    }
                    (None, _) => {
                        let node = rom(&mut b, d, u.shift, table, origin.clone());
                        match slope {
                            Some(s) if u.shift > 0 => {
                                interpolate(&mut b, d, u.shift, node, s, origin.clone())
                            }
                            _ => node,
                        }
                    }
                };
                terms[*o].push(k);
            }
        }
        let mut scores = Vec::new();
        for (o, mut t) in terms.into_iter().enumerate() {
            let origin = Origin::Sum { group: o as u32 };
            let mut bias = q.bias[o];
            t.retain(|&id| match b.constant(id) {
                Some(c) => {
                    bias += c;
                    false
                }
                None => true,
            });
            if bias != 0 || t.is_empty() {
                t.push(b.konst(bias));
            }
            scores.push(tree_sum(&mut b, t, origin));
        }
        outs.extend(decide(&mut b, &scores, q));
    }
    outs.extend(evidence);
    finish(b, inputs, outs, q)
}

/// The decision from the output scores: one-vs-one votes and the first class with the
/// most votes (SVC), `score > 0` ⇒ class 0 (binary SVC), the first largest output (RBF
/// network) or the score itself (regression); with the scores as outputs beside it.
fn decide(b: &mut Builder, scores: &[NodeId], q: &RbfQuant) -> Vec<(String, NodeId)> {
    let mut outs: Vec<(String, NodeId)> = Vec::new();
    match (q.kind, q.task) {
        (_, Task::Regression) => outs.push(("out_score".into(), scores[0])),
        (RbfKind::Svc, _) if q.n_classes == 2 => {
            let zero = b.konst(0);
            let class = match b.constant(scores[0]) {
                Some(s) => b.konst(i64::from(s <= 0)),
                None => {
                    let gt = b.add(
                        Op::Cmp(CmpOp::Gt, scores[0], zero),
                        Ty::BIT,
                        0,
                        Origin::Decide,
                    );
                    b.add(Op::Not(gt), Ty::BIT, 0, Origin::Decide)
                }
            };
            outs.push(("out_class".into(), class));
            outs.push(("out_score".into(), scores[0]));
        }
        (RbfKind::Svc, _) => {
            let zero = b.konst(0);
            let mut ballots: Vec<Vec<NodeId>> = vec![Vec::new(); q.n_classes];
            for (p, (i, j)) in RbfModel::pairs(q.n_classes).into_iter().enumerate() {
                let (yes, no) = match b.constant(scores[p]) {
                    Some(s) => (b.konst(i64::from(s > 0)), b.konst(i64::from(s <= 0))),
                    None => {
                        let gt = b.add(
                            Op::Cmp(CmpOp::Gt, scores[p], zero),
                            Ty::BIT,
                            0,
                            Origin::Decide,
                        );
                        let not = b.add(Op::Not(gt), Ty::BIT, 0, Origin::Decide);
                        (gt, not)
                    }
                };
                ballots[i].push(yes);
                ballots[j].push(no);
            }
            let votes: Vec<NodeId> = ballots
                .into_iter()
                .map(|v| tree_sum(b, v, Origin::Decide))
                .collect();
            let class = argmax(b, &votes);
            outs.push(("out_class".into(), class));
            for (p, &s) in scores.iter().enumerate() {
                outs.push((format!("out_score_{p}"), s));
            }
        }
        _ => {
            let class = argmax(b, scores);
            outs.push(("out_class".into(), class));
            for (p, &s) in scores.iter().enumerate() {
                outs.push((format!("out_score_{p}"), s));
            }
        }
    }
    outs
}

/// Registers every output (latency 1) at its port type and returns the IR.
fn finish(mut b: Builder, inputs: Vec<InputPort>, outs: Vec<(String, NodeId)>, q: &RbfQuant) -> Ir {
    let mut outputs = Vec::new();
    for (name, id) in outs {
        let ty = if name == "out_class" {
            Ty::for_range(0, q.n_classes.max(2) as i64 - 1)
        } else if name == "ev_unit" {
            Ty::for_range(0, q.units.len().max(2) as i64 - 1)
        } else {
            let (lo, hi) = b.range(id);
            Ty::for_range(lo, hi)
        };
        let src = match b.constant(id) {
            Some(c) => b.add(Op::Const(c), ty, 0, Origin::Const),
            None if name == "out_class" && b.nodes[id as usize].ty != ty => {
                // Widen a narrower class node (e.g. a 1-bit vote) to the port type.
                let z = b.add(Op::Const(0), ty, 0, Origin::Const);
                b.add(Op::Add(id, z), ty, 0, Origin::Decide)
            }
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

/// The label of the first nearest unit: a balanced tree of compare-select units on
/// (distance, label), the lower index winning ties.
fn argmin_label(b: &mut Builder, dist: &[NodeId], q: &RbfQuant) -> NodeId {
    let lab_ty = Ty::for_range(0, q.n_classes.max(2) as i64 - 1);
    let entries: Vec<(NodeId, NodeId)> = q
        .units
        .iter()
        .zip(dist)
        .map(|(u, &d)| {
            (
                b.add(Op::Const(u.class as i64), lab_ty, 0, Origin::Const),
                d,
            )
        })
        .collect();
    crate::lower::select(b, entries, CmpOp::Lt)
}

/// The decision alone, as an IR whose inputs are the output scores (of the port types
/// `score_tys`, packed first at bit 0): what the serial core (`serial_rbf`) applies
/// once its accumulators hold a vector's scores. Its outputs are the parallel core's.
pub fn decide_ir(q: &RbfQuant, score_tys: &[Ty]) -> Ir {
    let mut b = Builder::new();
    let mut inputs = Vec::new();
    let mut scores = Vec::new();
    for (p, &ty) in score_tys.iter().enumerate() {
        inputs.push(InputPort {
            name: format!("score_{p}"),
            ty,
            feature: p as u32,
            kind: InputKind::Value,
            label: format!("score {p}"),
            frac_bits: q.table_fmt.frac_bits,
            thresholds: Vec::new(),
        });
        scores.push(b.add(Op::Input(p as u32), ty, 0, Origin::Feature(p as u32)));
    }
    let outs = decide(&mut b, &scores, q);
    finish(b, inputs, outs, q)
}
