//! Pass `split_compares`: a comparison with a constant too wide for one stage becomes two half-width comparisons on its high bits, picked by one on its low bits.
//!
//! `x < c` with `x` split into high bits `h = x >> k` and low bits `l = x mod 2^k`
//! (floor and two's-complement low bits, so it holds for signed `x` too) is
//! `l < c_l ? h <= c_h : h < c_h`; `x > c` is `l > c_l ? h >= c_h : h > c_h`. Each
//! part reads at most `⌈w/2⌉` bits and the pick three, where the whole comparison is
//! a function of all `w` bits: past six, more than one LUT level even on ECP5, whose
//! wide muxes (PFUMX, L6MUX21) ABC also uses to share logic between comparisons of one
//! input, lengthening them further. The `pipeline` pass then puts a register between
//! the parts and the pick. Parts are shared between the comparisons of one input.
//!
//! Measured alone (`bench_compare` breast cancer, 20 trees of depth 3, 7-bit inputs,
//! `--stage-budget 1`, ECP5-85): 304 → 262 cells, 288 → 340 MHz, latency 10 → 12
//! cycles; on the UP5K 430 → 477 logic cells, 100 → 105 MHz. With the free leaf pairs
//! of the `pipeline` pass: 249 cells, 364 MHz, 10 cycles; 408 logic cells on iCE40.
//!
//! It runs only where a comparison's estimated delay exceeds the stage budget (the
//! `pipeline` pass would otherwise give it a stage of its own, longer than the
//! budget), so with the default budget it changes nothing.

use super::pipeline::delay;
use super::{Pass, PassOptions};
use crate::ir::{CmpOp, Ir, Node, NodeId, Op, Origin, Ty};
use std::collections::HashMap;

pub const PASS: Pass = Pass {
    name: "split_compares",
    description:
        "split comparisons with constants that exceed the stage budget into high and low parts",
    run,
};

/// Comparisons up to this width are never split: ECP5 builds any function of six
/// inputs in one slice pair (four LUT4s, two PFUMX and an L6MUX21), and splitting
/// 5-bit comparisons made the random forest of `bench_compare` (rf-s, `--stage-budget
/// 1`) 23 % larger on ECP5 and 16 % larger on the HX8K at the same Fmax.
const SPLIT_ABOVE: u32 = 6;

struct Builder {
    nodes: Vec<Node>,
    /// Nodes this pass made, for sharing.
    made: HashMap<(Op, Ty), NodeId>,
}

impl Builder {
    /// A node at the stage of its non-constant operands (constants have none).
    fn add(&mut self, op: Op, ty: Ty, origin: &Origin) -> NodeId {
        if let Some(&id) = self.made.get(&(op.clone(), ty)) {
            return id;
        }
        let stage = op
            .operands()
            .iter()
            .map(|&a| self.nodes[a as usize].stage)
            .max()
            .unwrap_or(0);
        self.nodes.push(Node {
            op: op.clone(),
            ty,
            stage,
            origin: origin.clone(),
        });
        let id = (self.nodes.len() - 1) as NodeId;
        self.made.insert((op, ty), id);
        id
    }

    fn constant(&mut self, v: i64) -> NodeId {
        self.add(Op::Const(v), Ty::for_range(v, v), &Origin::Const)
    }

    /// `x < v` (`less`) or `x > v`; a constant when `x`'s type decides it.
    fn compare(&mut self, x: NodeId, less: bool, v: i64, origin: &Origin) -> NodeId {
        let (lo, hi) = self.nodes[x as usize].ty.bounds();
        let decided = match less {
            true if v <= lo => Some(false),
            true if v > hi => Some(true),
            false if v >= hi => Some(false),
            false if v < lo => Some(true),
            _ => None,
        };
        if let Some(b) = decided {
            return self.constant(i64::from(b));
        }
        let c = self.constant(v);
        let op = if less {
            Op::Cmp(CmpOp::Lt, x, c)
        } else {
            Op::Cmp(CmpOp::Gt, x, c)
        };
        self.add(op, Ty::BIT, origin)
    }
}

fn run(ir: &Ir, opts: &PassOptions) -> Ir {
    let n = ir.nodes.len();
    let mut map = vec![NodeId::MAX; n];
    let mut b = Builder {
        nodes: Vec::with_capacity(n),
        made: HashMap::new(),
    };
    for (i, node) in ir.nodes.iter().enumerate() {
        let split = match node.op {
            Op::Cmp(op, a, c) if delay(ir, node) > opts.stage_budget => {
                let konst = |id: NodeId| match ir.nodes[id as usize].op {
                    Op::Const(v) => Some(v),
                    _ => None,
                };
                match (konst(a), konst(c)) {
                    (None, Some(v)) => Some((a, op == CmpOp::Lt, v)),
                    (Some(v), None) => Some((c, op == CmpOp::Gt, v)),
                    _ => None,
                }
                .filter(|&(x, ..)| ir.nodes[x as usize].ty.width > SPLIT_ABOVE)
            }
            _ => None,
        };
        map[i] = match split {
            Some((x, less, v)) => split_one(&mut b, &map, ir, node, x, less, v),
            None => {
                b.nodes.push(Node {
                    op: node.op.map(|a| map[a as usize]),
                    ..node.clone()
                });
                (b.nodes.len() - 1) as NodeId
            }
        };
    }
    let mut out = ir.clone();
    out.nodes = b.nodes;
    for o in &mut out.outputs {
        o.node = map[o.node as usize];
    }
    out
}

/// `x < v` (`less`) or `x > v` as parts on the high and low bits of `x`.
fn split_one(
    b: &mut Builder,
    map: &[NodeId],
    ir: &Ir,
    node: &Node,
    x: NodeId,
    less: bool,
    v: i64,
) -> NodeId {
    let ty = ir.nodes[x as usize].ty;
    let x = map[x as usize];
    let part_origin = match node.origin {
        Origin::Comparator { feature, .. } => Origin::Feature(feature),
        ref o => o.clone(),
    };
    let k = ty.width.div_ceil(2);
    let (lo, hi) = ty.bounds();
    let h = b.add(Op::Shr(x, k), Ty::for_range(lo >> k, hi >> k), &part_origin);
    let l = b.add(
        Op::Low(x, k),
        Ty::for_range(0, (1i64 << k) - 1),
        &part_origin,
    );
    let (vh, vl) = (v >> k, v & ((1i64 << k) - 1));
    // With the low bits past the constant's, the high bits must pass it strictly;
    // otherwise reaching it is enough.
    let strict = b.compare(h, less, vh, &part_origin);
    let low_passes = b.compare(l, less, vl, &part_origin);
    if matches!(b.nodes[low_passes as usize].op, Op::Const(0)) {
        return strict;
    }
    let reach = b.compare(h, less, if less { vh + 1 } else { vh - 1 }, &part_origin);
    let pick = Op::Mux {
        sel: low_passes,
        t: reach,
        f: strict,
    };
    b.add(pick, Ty::BIT, &node.origin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::OutputPort;
    use crate::passes::{run as run_passes, PassOptions};
    use crate::testing::input_port;

    /// `x OP c` (or `c OP x`) of one input, registered out.
    fn one_compare(ty: Ty, op: CmpOp, c: i64, const_left: bool) -> Ir {
        let node = |op, ty, stage| Node {
            op,
            ty,
            stage,
            origin: Origin::Comparator { feature: 0, k: c },
        };
        let cmp = if const_left {
            Op::Cmp(op, 1, 0)
        } else {
            Op::Cmp(op, 0, 1)
        };
        Ir {
            inputs: vec![input_port("x", ty, 0)],
            nodes: vec![
                node(Op::Input(0), ty, 0),
                node(Op::Const(c), Ty::for_range(c, c), 0),
                node(cmp, Ty::BIT, 0),
                node(Op::Reg(2), Ty::BIT, 1),
            ],
            outputs: vec![OutputPort {
                name: "y".into(),
                node: 3,
            }],
        }
    }

    /// Every comparison of widths 5 to 10, either signedness, either operator, the
    /// constant on either side and every constant from just below the range to just
    /// above it, keeps its value for every input. Those wider than six bits are split
    /// into parts of at most half their width (rounded up); with the default budget
    /// nothing is split.
    #[test]
    fn split_comparisons_are_exact_and_lut_sized() {
        let budget = |stage_budget| PassOptions { stage_budget };
        for width in 5..=10 {
            for signed in [false, true] {
                let ty = Ty { width, signed };
                let (lo, hi) = ty.bounds();
                for op in [CmpOp::Lt, CmpOp::Gt] {
                    for const_left in [false, true] {
                        for c in lo - 2..=hi + 2 {
                            let ir = one_compare(ty, op, c, const_left);
                            let split = run_passes(ir.clone(), &budget(1.0), true).unwrap();
                            for n in &split.nodes {
                                if let Op::Cmp(_, a, b) = n.op {
                                    let w = |id: NodeId| match split.nodes[id as usize] {
                                        Node {
                                            op: Op::Const(_), ..
                                        } => 0,
                                        ref n => n.ty.width,
                                    };
                                    let most = if width > SPLIT_ABOVE {
                                        width.div_ceil(2)
                                    } else {
                                        width
                                    };
                                    assert!(w(a).max(w(b)) <= most, "{}", split.to_text());
                                }
                            }
                            for x in lo..=hi {
                                assert_eq!(
                                    split.eval_outputs(&[x]),
                                    ir.eval_outputs(&[x]),
                                    "{ty:?} {op:?} {c} (constant left: {const_left}), x = {x}"
                                );
                            }
                            let kept = run_passes(ir.clone(), &budget(8.0), true).unwrap();
                            assert!(!kept.nodes.iter().any(|n| matches!(n.op, Op::Shr(..))));
                        }
                    }
                }
            }
        }
    }

    /// The comparisons of one input against several constants share their parts.
    #[test]
    fn parts_are_shared() {
        let ty = Ty {
            width: 8,
            signed: false,
        };
        let mut ir = one_compare(ty, CmpOp::Lt, 0x35, false);
        // A second comparison, x < 0x36: the same high part (3), low parts 5 and 6.
        ir.nodes.truncate(3);
        let node = |op, ty, stage| Node {
            op,
            ty,
            stage,
            origin: Origin::Const,
        };
        ir.nodes
            .push(node(Op::Const(0x36), Ty::for_range(0, 0x36), 0));
        ir.nodes.push(node(Op::Cmp(CmpOp::Lt, 0, 3), Ty::BIT, 0));
        ir.nodes.push(node(Op::Reg(2), Ty::BIT, 1));
        ir.nodes.push(node(Op::Reg(4), Ty::BIT, 1));
        ir.outputs = vec![
            OutputPort {
                name: "a".into(),
                node: 5,
            },
            OutputPort {
                name: "b".into(),
                node: 6,
            },
        ];
        let split = run_passes(ir, &PassOptions { stage_budget: 1.0 }, true).unwrap();
        let count = |f: fn(&Op) -> bool| split.nodes.iter().filter(|n| f(&n.op)).count();
        assert_eq!(count(|op| matches!(op, Op::Shr(..))), 1);
        assert_eq!(count(|op| matches!(op, Op::Low(..))), 1);
        // h < 3, h < 4, l < 5, l < 6.
        assert_eq!(count(|op| matches!(op, Op::Cmp(..))), 4);
    }
}
