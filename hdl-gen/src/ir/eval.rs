//! The IR interpreter and range analysis: what every node computes, and what it can hold.

use super::{CmpOp, Ir, Op};
use crate::fixed::wrap;

impl Ir {
    /// Values of every node for one input vector (one value per input port, in the
    /// port's type). Each value is wrapped to its node's type, as the hardware does.
    pub fn eval(&self, inputs: &[i64]) -> Vec<i64> {
        let mut v = vec![0i64; self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            let val = |id: u32| v[id as usize];
            let x = match &n.op {
                Op::Input(p) => inputs.get(*p as usize).copied().unwrap_or(0),
                Op::Const(c) => *c,
                Op::Cmp(op, a, b) => {
                    let (a, b) = (val(*a), val(*b));
                    i64::from(match op {
                        CmpOp::Lt => a < b,
                        CmpOp::Gt => a > b,
                    })
                }
                Op::Not(a) => i64::from(val(*a) == 0),
                Op::And(xs) => i64::from(xs.iter().all(|&x| val(x) != 0)),
                Op::Or(xs) => i64::from(xs.iter().any(|&x| val(x) != 0)),
                Op::Mux { sel, t, f } => {
                    if val(*sel) != 0 {
                        val(*t)
                    } else {
                        val(*f)
                    }
                }
                Op::Add(a, b) => val(*a).wrapping_add(val(*b)),
                Op::Reg(a) => val(*a),
            };
            v[i] = wrap(x, n.ty.width, n.ty.signed);
        }
        v
    }

    /// Values of the output ports, in port order.
    pub fn eval_outputs(&self, inputs: &[i64]) -> Vec<i64> {
        let v = self.eval(inputs);
        self.outputs.iter().map(|o| v[o.node as usize]).collect()
    }
}

/// The exact range `[lo, hi]` each node can take over all inputs of their types.
pub fn ranges(ir: &Ir) -> Vec<(i64, i64)> {
    let mut r: Vec<(i64, i64)> = Vec::with_capacity(ir.nodes.len());
    for n in &ir.nodes {
        let get = |id: u32| r.get(id as usize).copied().unwrap_or((0, 0));
        let x = match &n.op {
            Op::Input(_) => n.ty.bounds(),
            Op::Const(c) => (*c, *c),
            Op::Cmp(..) | Op::Not(_) | Op::And(_) | Op::Or(_) => (0, 1),
            Op::Mux { t, f, .. } => {
                let (a, b) = (get(*t), get(*f));
                (a.0.min(b.0), a.1.max(b.1))
            }
            Op::Add(a, b) => {
                let (a, b) = (get(*a), get(*b));
                (a.0.saturating_add(b.0), a.1.saturating_add(b.1))
            }
            Op::Reg(a) => get(*a),
        };
        r.push(x);
    }
    r
}
