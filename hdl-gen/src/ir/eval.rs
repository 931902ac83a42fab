//! The IR interpreter and range analysis: what every node computes, and what it can hold.

use super::{CmpOp, Ir, Op};
use crate::fixed::{lut_index, wrap};

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
                Op::Sub(a, b) => val(*a).wrapping_sub(val(*b)),
                Op::Abs(a) => val(*a).wrapping_abs(),
                Op::Mul(a, b) => val(*a).wrapping_mul(val(*b)),
                Op::Lut {
                    input,
                    shift,
                    table,
                } => table[lut_index(val(*input), *shift, table.len())],
                Op::Shr(a, k) => val(*a) >> (*k).min(63),
                Op::Low(a, k) => val(*a) & ((1i64 << (*k).min(62)) - 1),
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

    /// [`Ir::eval_outputs`] for many input vectors at once, with the same results.
    /// Faster for large designs: rows go through in groups of [`LANES`], each node is
    /// dispatched once per group, and a node's value slot is reused once its last
    /// reader is done, so the working set stays small.
    pub fn eval_outputs_batch(&self, inputs: &[Vec<i64>]) -> Vec<Vec<i64>> {
        let (slot, n_slots) = self.value_slots();
        let mut v = vec![[0i64; LANES]; n_slots];
        let mut out = Vec::with_capacity(inputs.len());
        for group in inputs.chunks(LANES) {
            for (i, n) in self.nodes.iter().enumerate() {
                let get = |id: u32| &v[slot[id as usize] as usize];
                let x: [i64; LANES] = match &n.op {
                    Op::Input(p) => lanes(|l| {
                        group
                            .get(l)
                            .and_then(|row| row.get(*p as usize))
                            .copied()
                            .unwrap_or(0)
                    }),
                    Op::Const(c) => [*c; LANES],
                    Op::Cmp(op, a, b) => {
                        let (a, b) = (get(*a), get(*b));
                        match op {
                            CmpOp::Lt => lanes(|l| i64::from(a[l] < b[l])),
                            CmpOp::Gt => lanes(|l| i64::from(a[l] > b[l])),
                        }
                    }
                    Op::Not(a) => {
                        let a = get(*a);
                        lanes(|l| i64::from(a[l] == 0))
                    }
                    Op::And(xs) => {
                        let mut acc = [1i64; LANES];
                        for &x in xs {
                            let x = get(x);
                            for (acc, &x) in acc.iter_mut().zip(x) {
                                *acc &= i64::from(x != 0);
                            }
                        }
                        acc
                    }
                    Op::Or(xs) => {
                        let mut acc = [0i64; LANES];
                        for &x in xs {
                            let x = get(x);
                            for (acc, &x) in acc.iter_mut().zip(x) {
                                *acc |= i64::from(x != 0);
                            }
                        }
                        acc
                    }
                    Op::Mux { sel, t, f } => {
                        let (s, t, f) = (get(*sel), get(*t), get(*f));
                        lanes(|l| if s[l] != 0 { t[l] } else { f[l] })
                    }
                    Op::Add(a, b) => {
                        let (a, b) = (get(*a), get(*b));
                        lanes(|l| a[l].wrapping_add(b[l]))
                    }
                    Op::Sub(a, b) => {
                        let (a, b) = (get(*a), get(*b));
                        lanes(|l| a[l].wrapping_sub(b[l]))
                    }
                    Op::Abs(a) => {
                        let a = get(*a);
                        lanes(|l| a[l].wrapping_abs())
                    }
                    Op::Mul(a, b) => {
                        let (a, b) = (get(*a), get(*b));
                        lanes(|l| a[l].wrapping_mul(b[l]))
                    }
                    Op::Lut {
                        input,
                        shift,
                        table,
                    } => {
                        let a = get(*input);
                        lanes(|l| table[lut_index(a[l], *shift, table.len())])
                    }
                    Op::Shr(a, k) => {
                        let a = get(*a);
                        lanes(|l| a[l] >> (*k).min(63))
                    }
                    Op::Low(a, k) => {
                        let a = get(*a);
                        lanes(|l| a[l] & ((1i64 << (*k).min(62)) - 1))
                    }
                    Op::Reg(a) => *get(*a),
                };
                let dst = &mut v[slot[i] as usize];
                *dst = x;
                wrap_lanes(dst, n.ty.width, n.ty.signed);
            }
            out.extend((0..group.len()).map(|l| {
                self.outputs
                    .iter()
                    .map(|o| v[slot[o.node as usize] as usize][l])
                    .collect::<Vec<i64>>()
            }));
        }
        out
    }

    /// A value slot per node such that no slot is overwritten while a later node still
    /// reads it (output nodes keep theirs), and the number of slots.
    fn value_slots(&self) -> (Vec<u32>, usize) {
        let n = self.nodes.len();
        let mut last_use: Vec<usize> = (0..n).collect();
        for (i, node) in self.nodes.iter().enumerate() {
            for a in node.op.operands() {
                last_use[a as usize] = last_use[a as usize].max(i);
            }
        }
        for o in &self.outputs {
            last_use[o.node as usize] = usize::MAX;
        }
        // Nodes whose value dies at node i, so their slots free up after i.
        let mut dies_at: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, &u) in last_use.iter().enumerate() {
            if u < n {
                dies_at[u].push(i as u32);
            }
        }
        let mut slot = vec![0u32; n];
        let mut free = Vec::new();
        let mut n_slots = 0u32;
        for i in 0..n {
            slot[i] = free.pop().unwrap_or_else(|| {
                n_slots += 1;
                n_slots - 1
            });
            // An operand's slot is free only after this node has read it; a node
            // nobody reads frees its own slot at once.
            for &d in &dies_at[i] {
                free.push(slot[d as usize]);
            }
        }
        (slot, n_slots as usize)
    }
}

/// [`wrap`] on every lane: the low `width` bits, sign-extended when `signed`.
#[inline(always)]
fn wrap_lanes(x: &mut [i64; LANES], width: u32, signed: bool) {
    match (width, signed) {
        (64.., _) => {}
        (0, _) => *x = x.map(|v| wrap(v, width, signed)),
        (w, true) => {
            let s = 64 - w;
            for v in x.iter_mut() {
                *v = (*v << s) >> s;
            }
        }
        (w, false) => {
            let m = (1i64 << w) - 1;
            for v in x.iter_mut() {
                *v &= m;
            }
        }
    }
}

/// One value per lane.
#[inline(always)]
fn lanes(f: impl Fn(usize) -> i64) -> [i64; LANES] {
    std::array::from_fn(f)
}

/// Rows evaluated together by [`Ir::eval_outputs_batch`].
pub const LANES: usize = 32;

/// The exact range `[lo, hi]` each node can take over all inputs of their types.
pub fn ranges(ir: &Ir) -> Vec<(i64, i64)> {
    let mut r: Vec<(i64, i64)> = Vec::with_capacity(ir.nodes.len());
    for n in &ir.nodes {
        let get = |id: u32| r.get(id as usize).copied().unwrap_or((0, 0));
        let x = op_range(&n.op, n.ty, get);
        r.push(x);
    }
    r
}

/// The range of `op` of type `ty` given its operands' ranges (`get`). A product of a
/// node with itself is a square (never negative); other products take the extreme
/// corners. Lookups take their table's range.
pub fn op_range(op: &Op, ty: crate::ir::Ty, get: impl Fn(u32) -> (i64, i64)) -> (i64, i64) {
    match op {
        Op::Input(_) => ty.bounds(),
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
        Op::Sub(a, b) => {
            let (a, b) = (get(*a), get(*b));
            (a.0.saturating_sub(b.1), a.1.saturating_sub(b.0))
        }
        Op::Abs(a) => {
            let (lo, hi) = get(*a);
            if lo >= 0 {
                (lo, hi)
            } else if hi <= 0 {
                (hi.saturating_neg(), lo.saturating_neg())
            } else {
                (0, lo.saturating_neg().max(hi))
            }
        }
        Op::Mul(x, y) => {
            let (a, b) = (get(*x), get(*y));
            if x == y {
                let hi = a.0.saturating_mul(a.0).max(a.1.saturating_mul(a.1));
                let lo = if a.0 <= 0 && a.1 >= 0 {
                    0
                } else {
                    a.0.saturating_mul(a.0).min(a.1.saturating_mul(a.1))
                };
                (lo, hi)
            } else {
                let c = [
                    a.0.saturating_mul(b.0),
                    a.0.saturating_mul(b.1),
                    a.1.saturating_mul(b.0),
                    a.1.saturating_mul(b.1),
                ];
                (
                    c.iter().copied().min().unwrap_or(0),
                    c.iter().copied().max().unwrap_or(0),
                )
            }
        }
        Op::Lut { table, .. } => (
            table.iter().copied().min().unwrap_or(0),
            table.iter().copied().max().unwrap_or(0),
        ),
        Op::Shr(a, k) => {
            let a = get(*a);
            let k = (*k).min(63);
            (a.0 >> k, a.1 >> k)
        }
        Op::Low(a, k) => {
            let a = get(*a);
            let m = (1i64 << (*k).min(62)) - 1;
            if a.0 >= 0 && a.1 <= m {
                a
            } else {
                (0, m.min(a.1.max(0)))
            }
        }
        Op::Reg(a) => get(*a),
    }
}
