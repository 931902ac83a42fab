//! Pass `dce`: removes nodes no output depends on, and input ports nothing reads any more.

use super::{Pass, PassOptions};
use crate::ir::{Ir, Node, NodeId, Op};

pub const PASS: Pass = Pass {
    name: "dce",
    description: "remove nodes that no output depends on, and unread input ports",
    run,
};

fn run(ir: &Ir, _: &PassOptions) -> Ir {
    let n = ir.nodes.len();
    let mut live = vec![false; n];
    for o in &ir.outputs {
        live[o.node as usize] = true;
    }
    for i in (0..n).rev() {
        if live[i] {
            for a in ir.nodes[i].op.operands() {
                live[a as usize] = true;
            }
        }
    }
    let mut map = vec![NodeId::MAX; n];
    let mut nodes = Vec::with_capacity(n);
    let mut inputs = Vec::new();
    for (i, node) in ir.nodes.iter().enumerate() {
        if live[i] {
            map[i] = nodes.len() as NodeId;
            let op = match node.op {
                Op::Input(p) => {
                    inputs.push(ir.inputs[p as usize].clone());
                    Op::Input((inputs.len() - 1) as u32)
                }
                ref op => op.map(|a| map[a as usize]),
            };
            nodes.push(Node { op, ..node.clone() });
        }
    }
    let mut out = ir.clone();
    out.nodes = nodes;
    out.inputs = inputs;
    for o in &mut out.outputs {
        o.node = map[o.node as usize];
    }
    out
}
