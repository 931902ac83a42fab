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
    /// reader is done, so the working set stays small. A design whose every value
    /// fits 32 bits is evaluated in `i32` lanes (half the memory, twice the SIMD
    /// width); wrapping to a node's type keeps only its low bits, which `i32`
    /// arithmetic computes exactly.
    pub fn eval_outputs_batch(&self, inputs: &[Vec<i64>]) -> Vec<Vec<i64>> {
        let fits_i32 = self
            .nodes
            .iter()
            .all(|n| n.ty.width > 0 && n.ty.width <= if n.ty.signed { 32 } else { 31 });
        if fits_i32 {
            self.batch::<i32>(inputs)
        } else {
            self.batch::<i64>(inputs)
        }
    }

    fn batch<T: Lane>(&self, inputs: &[Vec<i64>]) -> Vec<Vec<i64>> {
        let kind = self.kinds();
        let (slot, [n_lanes, n_masks]) = self.value_slots(&kind);
        let mut v = vec![[T::ZERO; LANES]; n_lanes];
        let mut m = vec![0 as Mask; n_masks];
        let mut out = Vec::with_capacity(inputs.len());
        let (zero, one) = (T::ZERO, T::ONE);
        let bit = |b: bool| if b { one } else { zero };
        for group in inputs.chunks(LANES) {
            for (i, n) in self.nodes.iter().enumerate() {
                // Operands read as values are always kept in lanes (see `kinds`).
                let get = |id: u32| &v[slot[id as usize] as usize];
                // An operand read as logic: its mask, or where its lanes are nonzero.
                let get_mask = |id: u32| -> Mask {
                    let s = slot[id as usize] as usize;
                    match kind[id as usize] {
                        Kind::Mask => m[s],
                        Kind::Lanes => mask_of(&v[s], |x| x != zero),
                    }
                };
                if kind[i] == Kind::Mask {
                    m[slot[i] as usize] = match &n.op {
                        Op::Cmp(op, a, b) => {
                            let (a, b) = (get(*a), get(*b));
                            match op {
                                CmpOp::Lt => mask_of2(a, b, |x, y| x < y),
                                CmpOp::Gt => mask_of2(a, b, |x, y| x > y),
                            }
                        }
                        Op::Not(a) => !get_mask(*a),
                        Op::And(xs) => xs.iter().fold(Mask::MAX, |acc, &x| acc & get_mask(x)),
                        Op::Or(xs) => xs.iter().fold(0, |acc, &x| acc | get_mask(x)),
                        _ => unreachable!("only logic nodes are masks"),
                    };
                    continue;
                }
                let x: [T; LANES] = match &n.op {
                    Op::Input(p) => lanes(|l| {
                        T::from_i64(
                            group
                                .get(l)
                                .and_then(|row| row.get(*p as usize))
                                .copied()
                                .unwrap_or(0),
                        )
                    }),
                    Op::Const(c) => [T::from_i64(*c); LANES],
                    Op::Cmp(op, a, b) => {
                        let (a, b) = (get(*a), get(*b));
                        match op {
                            CmpOp::Lt => lanes(|l| bit(a[l] < b[l])),
                            CmpOp::Gt => lanes(|l| bit(a[l] > b[l])),
                        }
                    }
                    Op::Not(a) => {
                        let a = get_mask(*a);
                        lanes(|l| bit(a >> l & 1 == 0))
                    }
                    Op::And(xs) => {
                        let a = xs.iter().fold(Mask::MAX, |acc, &x| acc & get_mask(x));
                        lanes(|l| bit(a >> l & 1 != 0))
                    }
                    Op::Or(xs) => {
                        let a = xs.iter().fold(0, |acc, &x| acc | get_mask(x));
                        lanes(|l| bit(a >> l & 1 != 0))
                    }
                    Op::Mux { sel, t, f } => {
                        let (s, t, f) = (get_mask(*sel), get(*t), get(*f));
                        lanes(|l| if s >> l & 1 != 0 { t[l] } else { f[l] })
                    }
                    Op::Add(a, b) => {
                        let (a, b) = (get(*a), get(*b));
                        lanes(|l| a[l].add(b[l]))
                    }
                    Op::Sub(a, b) => {
                        let (a, b) = (get(*a), get(*b));
                        lanes(|l| a[l].sub(b[l]))
                    }
                    Op::Abs(a) => {
                        let a = get(*a);
                        lanes(|l| a[l].abs())
                    }
                    Op::Mul(a, b) => {
                        let (a, b) = (get(*a), get(*b));
                        lanes(|l| a[l].mul(b[l]))
                    }
                    Op::Lut {
                        input,
                        shift,
                        table,
                    } => {
                        let a = get(*input);
                        lanes(|l| T::from_i64(table[lut_index(a[l].to_i64(), *shift, table.len())]))
                    }
                    Op::Shr(a, k) => {
                        let a = get(*a);
                        lanes(|l| a[l].shr(*k))
                    }
                    Op::Low(a, k) => {
                        let a = get(*a);
                        lanes(|l| a[l].low(*k))
                    }
                    Op::Reg(a) => *get(*a),
                };
                let dst = &mut v[slot[i] as usize];
                *dst = x;
                T::wrap_lanes(dst, n.ty.width, n.ty.signed);
            }
            out.extend((0..group.len()).map(|l| {
                self.outputs
                    .iter()
                    .map(|o| v[slot[o.node as usize] as usize][l].to_i64())
                    .collect::<Vec<i64>>()
            }));
        }
        out
    }

    /// How [`Ir::eval_outputs_batch`] keeps each node: a comparison or gate that is
    /// read only as logic (a mux select, a gate's input) and is no output as one bit
    /// per lane, everything else as one value per lane.
    fn kinds(&self) -> Vec<Kind> {
        let mut kind: Vec<Kind> = self
            .nodes
            .iter()
            .map(|n| match n.op {
                Op::Cmp(..) | Op::Not(_) | Op::And(_) | Op::Or(_) => Kind::Mask,
                _ => Kind::Lanes,
            })
            .collect();
        for n in &self.nodes {
            let as_logic: Vec<u32> = match &n.op {
                Op::Mux { sel, .. } => vec![*sel],
                Op::Not(a) => vec![*a],
                Op::And(xs) | Op::Or(xs) => xs.clone(),
                _ => Vec::new(),
            };
            for a in n.op.operands() {
                // Read as a value somewhere (a mux may also select by it): in lanes.
                let value_use = match &n.op {
                    Op::Mux { sel, t, f } => a != *sel || *t == a || *f == a,
                    _ => !as_logic.contains(&a),
                };
                if value_use {
                    kind[a as usize] = Kind::Lanes;
                }
            }
        }
        for o in &self.outputs {
            kind[o.node as usize] = Kind::Lanes;
        }
        kind
    }

    /// A slot per node of each stored kind (lanes, masks) such that no slot is
    /// overwritten while a later node still reads it (output nodes keep theirs),
    /// and the number of slots of each kind. Constants have none.
    fn value_slots(&self, kind: &[Kind]) -> (Vec<u32>, [usize; 2]) {
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
        let mut free: [Vec<u32>; 2] = [Vec::new(), Vec::new()];
        let mut n_slots = [0u32; 2];
        for i in 0..n {
            let k = kind[i].store();
            slot[i] = free[k].pop().unwrap_or_else(|| {
                n_slots[k] += 1;
                n_slots[k] - 1
            });
            // An operand's slot is free only after this node has read it; a node
            // nobody reads frees its own slot at once.
            for &d in &dies_at[i] {
                free[kind[d as usize].store()].push(slot[d as usize]);
            }
        }
        (slot, n_slots.map(|c| c as usize))
    }
}

/// Where [`Ir::eval_outputs_batch`] keeps a node's values.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// One value per lane.
    Lanes,
    /// One bit per lane: a comparison or gate read only as logic.
    Mask,
}

impl Kind {
    /// The slot space the kind is stored in.
    fn store(self) -> usize {
        match self {
            Kind::Lanes => 0,
            Kind::Mask => 1,
        }
    }
}

/// One bit per lane (lane `l` at bit `l`).
type Mask = u32;

/// The mask of lanes where `f` holds.
#[inline(always)]
fn mask_of<T: Copy>(a: &[T; LANES], f: impl Fn(T) -> bool) -> Mask {
    let mut bits = 0;
    for (l, &x) in a.iter().enumerate() {
        bits |= Mask::from(f(x)) << l;
    }
    bits
}

/// The mask of lanes where `f` holds of both operands.
#[inline(always)]
fn mask_of2<T: Copy>(a: &[T; LANES], b: &[T; LANES], f: impl Fn(T, T) -> bool) -> Mask {
    let mut bits = 0;
    for l in 0..LANES {
        bits |= Mask::from(f(a[l], b[l])) << l;
    }
    bits
}

/// One value per lane.
#[inline(always)]
fn lanes<T>(f: impl Fn(usize) -> T) -> [T; LANES] {
    std::array::from_fn(f)
}

/// A lane of [`Ir::eval_outputs_batch`]: `i64`, or `i32` when every value fits.
/// Each operation agrees with [`Ir::eval`]'s `i64` one on the low bits, which is
/// all that wrapping to a node's type (at most 32 bits for `i32`) keeps.
trait Lane: Copy + PartialOrd + PartialEq {
    const ZERO: Self;
    const ONE: Self;
    /// The low bits of `v`.
    fn from_i64(v: i64) -> Self;
    fn to_i64(self) -> i64;
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn abs(self) -> Self;
    /// Arithmetic shift right by `k` (all sign bits from the lane's width on).
    fn shr(self, k: u32) -> Self;
    /// The low `k` bits.
    fn low(self, k: u32) -> Self;
    /// [`wrap`] on every lane: the low `width` bits, sign-extended when `signed`.
    fn wrap_lanes(x: &mut [Self; LANES], width: u32, signed: bool);
}

macro_rules! lane {
    ($t:ty, $bits:expr) => {
        impl Lane for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self.wrapping_add(o)
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self.wrapping_sub(o)
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self.wrapping_mul(o)
            }
            #[inline(always)]
            fn abs(self) -> Self {
                self.wrapping_abs()
            }
            #[inline(always)]
            fn shr(self, k: u32) -> Self {
                self >> k.min($bits - 1)
            }
            #[inline(always)]
            fn low(self, k: u32) -> Self {
                // As `eval`: k is capped at 62; at or beyond the lane's width every
                // bit the lane holds is kept.
                let k = k.min(62);
                if k >= $bits {
                    self
                } else {
                    self & (1 as $t).wrapping_shl(k).wrapping_sub(1)
                }
            }
            #[inline(always)]
            fn wrap_lanes(x: &mut [Self; LANES], width: u32, signed: bool) {
                match (width, signed) {
                    (w, _) if w >= $bits => {}
                    (0, _) => *x = x.map(|v| wrap(v as i64, width, signed) as $t),
                    (w, true) => {
                        let s = $bits - w;
                        for v in x.iter_mut() {
                            *v = (*v << s) >> s;
                        }
                    }
                    (w, false) => {
                        let m = (1 as $t).wrapping_shl(w).wrapping_sub(1);
                        for v in x.iter_mut() {
                            *v &= m;
                        }
                    }
                }
            }
        }
    };
}
lane!(i64, 64);
lane!(i32, 32);

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
            } else if a.0 >= 0 {
                (0, m.min(a.1))
            } else {
                // A negative value's low bits can be anything.
                (0, m)
            }
        }
        Op::Reg(a) => get(*a),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{CmpOp, Ir, Node, Op, Origin, OutputPort, Ty};
    use crate::testing::Rng;

    /// A random design of every operation over earlier nodes, widths up to
    /// `max_width`, with every node an output.
    fn random_ir(rng: &mut Rng, n: usize, max_width: u64) -> Ir {
        let mut nodes: Vec<Node> = Vec::new();
        for i in 0..n {
            let pick = |rng: &mut Rng| rng.below(i as u64) as u32;
            let op = if i < 4 {
                Op::Input(i as u32)
            } else {
                match rng.below(15) {
                    0 => Op::Const(rng.next_u64() as i64 >> rng.below(64)),
                    1 => Op::Cmp(CmpOp::Lt, pick(rng), pick(rng)),
                    2 => Op::Cmp(CmpOp::Gt, pick(rng), pick(rng)),
                    3 => Op::Not(pick(rng)),
                    4 => Op::And((0..1 + rng.below(3)).map(|_| pick(rng)).collect()),
                    5 => Op::Or((0..1 + rng.below(3)).map(|_| pick(rng)).collect()),
                    6 | 7 => Op::Mux {
                        sel: pick(rng),
                        t: pick(rng),
                        f: pick(rng),
                    },
                    8 => Op::Add(pick(rng), pick(rng)),
                    9 => Op::Sub(pick(rng), pick(rng)),
                    10 => Op::Abs(pick(rng)),
                    11 => Op::Mul(pick(rng), pick(rng)),
                    12 => Op::Lut {
                        input: pick(rng),
                        shift: rng.below(4) as u32,
                        table: (0..1 + rng.below(9))
                            .map(|_| rng.next_u64() as i64 >> 40)
                            .collect(),
                    },
                    13 => Op::Shr(pick(rng), rng.below(70) as u32),
                    _ => Op::Low(pick(rng), rng.below(70) as u32),
                }
            };
            nodes.push(Node {
                op,
                ty: Ty {
                    width: 1 + rng.below(max_width) as u32,
                    signed: rng.below(2) == 0,
                },
                stage: 0,
                origin: Origin::Const,
            });
        }
        // Some nodes are outputs: the rest may be kept as masks.
        let outputs = (0..n)
            .filter(|_| rng.below(4) == 0)
            .map(|i| OutputPort {
                name: format!("o{i}"),
                node: i as u32,
            })
            .collect();
        Ir {
            inputs: Vec::new(),
            nodes,
            outputs,
        }
    }

    #[test]
    fn batches_equal_eval_in_both_lane_widths() {
        let mut rng = Rng(7);
        // Up to 31 bits: i32 lanes (mostly); up to 62: i64 lanes.
        for max_width in [1, 8, 31, 62] {
            for _ in 0..40 {
                let ir = random_ir(&mut rng, 60, max_width);
                let rows: Vec<Vec<i64>> = (0..70)
                    .map(|_| {
                        (0..4)
                            .map(|_| rng.next_u64() as i64 >> rng.below(64))
                            .collect()
                    })
                    .collect();
                let batch = ir.eval_outputs_batch(&rows);
                for (row, b) in rows.iter().zip(&batch) {
                    assert_eq!(&ir.eval_outputs(row), b, "{ir:?}");
                }
            }
        }
    }
}
