//! Pass `dce`: removes nodes no output depends on (inputs stay: each port keeps its reader).

use super::{Pass, PassOptions};
use crate::ir::{Ir, Node, NodeId, Op};

pub const PASS: Pass = Pass {
    name: "dce",
    description: "remove nodes that no output depends on",
    run,
};

fn run(ir: &Ir, _: &PassOptions) -> Ir {
    let n = ir.nodes.len();
    let mut live = vec![false; n];
    for o in &ir.outputs {
        live[o.node as usize] = true;
    }
    for i in (0..n).rev() {
        if matches!(ir.nodes[i].op, Op::Input(_)) {
            live[i] = true;
        }
        if live[i] {
            for a in ir.nodes[i].op.operands() {
                live[a as usize] = true;
            }
        }
    }
    let mut map = vec![NodeId::MAX; n];
    let mut nodes = Vec::with_capacity(n);
    for (i, node) in ir.nodes.iter().enumerate() {
        if live[i] {
            map[i] = nodes.len() as NodeId;
            nodes.push(Node {
                op: node.op.map(|a| map[a as usize]),
                ..node.clone()
            });
        }
    }
    let mut out = ir.clone();
    out.nodes = nodes;
    for o in &mut out.outputs {
        o.node = map[o.node as usize];
    }
    out
}
