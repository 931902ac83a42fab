//! Pass `pipeline`: places pipeline registers where the estimated logic delay of a stage would exceed the budget.
//!
//! Existing registers are removed, then nodes are visited in topological order
//! (ASAP). A node's arrival time is the latest arrival among its operands in its
//! stage plus its own delay; when that exceeds the budget (and the node is not first
//! in its stage) the node moves to the next stage and its operands are registered.
//! Inputs are always registered before any logic, and outputs after it, so the core
//! has registered inputs and outputs. Registers of one value at one stage are shared.
//! Every path from input to output crosses the same number of registers, so the
//! latency is the stage of the outputs; `eval()` is unchanged (registers are identity).
//!
//! A multiplexer between two constants (a tree's leaf pair) is free: each of its bits
//! is the select, its inverse or a constant, which the LUT computing the select or the
//! LUT reading it absorbs. It never opens a stage of its own (it stays with its
//! select, still counting a level for the logic after it there), and a later stage
//! that reads it builds it again from its registered select, so its value is never
//! registered. Measured by `bench_compare` at `--stage-budget 1` (digits, 100 trees of
//! depth 3, with the printing rule of `emit::mux`): one cycle less (17 → 16); HX8K
//! 3,306 → 2,945 logic cells, 212 → 238 MHz; ECP5 2,019 → 2,039 cells at 290 MHz.
//! Counting it as no level at all instead cost the
//! `--stage-budget 3` cores up to 17 % of their Fmax (breast cancer: 256 → 212 MHz), as
//! their stages took a LUT level more.

use super::{Pass, PassOptions};
use crate::ir::{is_constant_choice, CmpOp, Ir, Node, NodeId, Op, Origin, OutputPort};
use std::collections::HashMap;

pub const PASS: Pass = Pass {
    name: "pipeline",
    description: "place pipeline registers by a per-stage logic-delay budget",
    run,
};

/// Estimated delay in LUT levels: a LUT per level, carry chains at a tenth of a level per bit.
pub fn delay(ir: &Ir, n: &Node) -> f64 {
    let width_of = |id: &NodeId| f64::from(ir.nodes[*id as usize].ty.width);
    match &n.op {
        Op::Input(_) | Op::Const(_) | Op::Reg(_) | Op::Shr(..) | Op::Low(..) => 0.0,
        Op::Cmp(CmpOp::Lt | CmpOp::Gt, a, b) => 1.0 + 0.1 * width_of(a).max(width_of(b)),
        Op::Add(..) | Op::Sub(..) | Op::Abs(..) => 1.0 + 0.1 * f64::from(n.ty.width),
        Op::Mul(..) => 2.0 + 0.2 * f64::from(n.ty.width),
        Op::Lut { table, .. } => 1.0 + (table.len() as f64).log(16.0).ceil().max(0.0),
        Op::Not(_) | Op::Mux { .. } => 1.0,
        Op::And(v) | Op::Or(v) => (v.len() as f64).log(4.0).ceil().max(1.0),
    }
}

struct Staged {
    nodes: Vec<Node>,
    arrival: Vec<f64>,
    /// Register of (node, stage) already built.
    regs: HashMap<(NodeId, u32), NodeId>,
}

impl Staged {
    fn push(&mut self, node: Node, arrival: f64) -> NodeId {
        self.nodes.push(node);
        self.arrival.push(arrival);
        (self.nodes.len() - 1) as NodeId
    }

    fn is_const(&self, id: NodeId) -> bool {
        matches!(self.nodes[id as usize].op, Op::Const(_))
    }

    /// `id` delayed to `stage` through a chain of shared registers. Free logic is
    /// built again at `stage` from its delayed select instead: one register bit
    /// instead of the value's, and no LUT of its own.
    fn at_stage(&mut self, id: NodeId, stage: u32) -> NodeId {
        if self.is_const(id) {
            return id;
        }
        if is_constant_choice(&self.nodes, id) && self.nodes[id as usize].stage < stage {
            if let Some(&r) = self.regs.get(&(id, stage)) {
                return r;
            }
            let node = self.nodes[id as usize].clone();
            let op = node.op.map(|a| self.at_stage(a, stage));
            let r = self.push(Node { op, stage, ..node }, 0.0);
            self.regs.insert((id, stage), r);
            return r;
        }
        let mut cur = id;
        let mut s = self.nodes[id as usize].stage;
        while s < stage {
            s += 1;
            cur = match self.regs.get(&(id, s)) {
                Some(&r) => r,
                None => {
                    let ty = self.nodes[cur as usize].ty;
                    let r = self.push(
                        Node {
                            op: Op::Reg(cur),
                            ty,
                            stage: s,
                            origin: Origin::Pipeline,
                        },
                        0.0,
                    );
                    self.regs.insert((id, s), r);
                    r
                }
            };
        }
        cur
    }
}

fn run(ir: &Ir, opts: &PassOptions) -> Ir {
    let n = ir.nodes.len();
    // Old id -> new id, looking through registers.
    let mut map = vec![NodeId::MAX; n];
    let mut st = Staged {
        nodes: Vec::with_capacity(n * 2),
        arrival: Vec::with_capacity(n * 2),
        regs: HashMap::new(),
    };
    for (i, node) in ir.nodes.iter().enumerate() {
        match &node.op {
            Op::Reg(a) => {
                map[i] = map[*a as usize];
                continue;
            }
            Op::Const(_) | Op::Input(_) => {
                map[i] = st.push(
                    Node {
                        stage: 0,
                        ..node.clone()
                    },
                    0.0,
                );
                continue;
            }
            _ => {}
        }
        let ops: Vec<NodeId> = node
            .op
            .operands()
            .iter()
            .map(|&a| map[a as usize])
            .collect();
        let live: Vec<NodeId> = ops.iter().copied().filter(|&a| !st.is_const(a)).collect();
        // Logic never sits in stage 0: inputs are registered first.
        let mut stage = live
            .iter()
            .map(|&a| st.nodes[a as usize].stage)
            .max()
            .unwrap_or(1)
            .max(1);
        let d = delay(ir, node);
        let start = live
            .iter()
            .filter(|&&a| st.nodes[a as usize].stage == stage)
            .map(|&a| st.arrival[a as usize])
            .fold(0.0, f64::max);
        let mut arrival = start + d;
        // A free multiplexer never opens a stage: it is absorbed by the last LUT of
        // its select's stage or, built again, by the first LUT of a later one.
        if !is_constant_choice(&ir.nodes, i as NodeId) && arrival > opts.stage_budget && start > 0.0
        {
            stage += 1;
            arrival = d;
        }
        let mut k = 0;
        let staged_ops: Vec<NodeId> = ops.iter().map(|&a| st.at_stage(a, stage)).collect();
        let op = node.op.map(|_| {
            k += 1;
            staged_ops[k - 1]
        });
        map[i] = st.push(
            Node {
                op,
                stage,
                ..node.clone()
            },
            arrival,
        );
    }
    // Registered outputs, all at one stage.
    let last = ir
        .outputs
        .iter()
        .map(|o| {
            let id = map[o.node as usize];
            if st.is_const(id) {
                0
            } else {
                st.nodes[id as usize].stage
            }
        })
        .max()
        .unwrap_or(0)
        + 1;
    let mut outputs = Vec::new();
    for o in &ir.outputs {
        let id = map[o.node as usize];
        let node = if st.is_const(id) {
            let ty = st.nodes[id as usize].ty;
            st.push(
                Node {
                    op: Op::Reg(id),
                    ty,
                    stage: last,
                    origin: Origin::Pipeline,
                },
                0.0,
            )
        } else if is_constant_choice(&st.nodes, id) {
            // An output is a register: of free logic, built in the stage before.
            let v = st.at_stage(id, last - 1);
            let ty = st.nodes[v as usize].ty;
            st.push(
                Node {
                    op: Op::Reg(v),
                    ty,
                    stage: last,
                    origin: Origin::Pipeline,
                },
                0.0,
            )
        } else {
            st.at_stage(id, last)
        };
        outputs.push(OutputPort {
            name: o.name.clone(),
            node,
        });
    }
    Ir {
        inputs: ir.inputs.clone(),
        nodes: st.nodes,
        outputs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Ty;
    use crate::testing::input_port;

    /// A multiplexer between two constants read a stage later is built again there
    /// from its registered select, never registered itself, and `eval()` is unchanged.
    #[test]
    fn free_muxes_are_rebuilt_not_registered() {
        let u = |width| Ty {
            width,
            signed: false,
        };
        let node = |op, ty, stage| Node {
            op,
            ty,
            stage,
            origin: Origin::Const,
        };
        let ir = Ir {
            inputs: vec![input_port("x", u(4), 0)],
            nodes: vec![
                node(Op::Input(0), u(4), 0),                   // 0
                node(Op::Const(5), u(3), 0),                   // 1
                node(Op::Cmp(CmpOp::Lt, 0, 1), Ty::BIT, 0),    // 2
                node(Op::Const(2), u(3), 0),                   // 3
                node(Op::Const(6), u(3), 0),                   // 4
                node(Op::Mux { sel: 2, t: 3, f: 4 }, u(3), 0), // 5: free
                node(Op::Const(9), u(4), 0),                   // 6
                node(Op::Cmp(CmpOp::Lt, 0, 6), Ty::BIT, 0),    // 7
                node(Op::Mux { sel: 7, t: 5, f: 3 }, u(3), 0), // 8
                node(Op::Reg(8), u(3), 1),                     // 9
            ],
            outputs: vec![crate::ir::OutputPort {
                name: "y".into(),
                node: 9,
            }],
        };
        let out = run(&ir, &PassOptions { stage_budget: 1.0 });
        out.verify().unwrap();
        let free = |id: NodeId| is_constant_choice(&out.nodes, id);
        for n in &out.nodes {
            if let Op::Reg(a) = n.op {
                assert!(!free(a), "{}", out.to_text());
            }
        }
        let copies: Vec<u32> = (0..out.nodes.len() as NodeId)
            .filter(|&i| free(i))
            .map(|i| out.nodes[i as usize].stage)
            .collect();
        assert_eq!(copies, vec![1, 2], "{}", out.to_text());
        for x in 0..16 {
            assert_eq!(out.eval_outputs(&[x]), ir.eval_outputs(&[x]));
        }
    }
}
