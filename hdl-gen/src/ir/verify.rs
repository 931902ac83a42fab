//! `verify()`: checks the numbered invariants of the IR module doc.

use super::{legal_width, ranges, Ir, Op, Ty};

impl Ir {
    /// Checks every invariant; the error names the invariant and the node.
    pub fn verify(&self) -> Result<(), String> {
        let rng = ranges(self);
        let mut input_reads = vec![0u32; self.inputs.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            let at = |msg: String| format!("node {i} ({:?}): {msg}", n.op);
            // 1. topological order
            for a in n.op.operands() {
                if a as usize >= i {
                    return Err(at(format!("invariant 1: operand {a} does not precede it")));
                }
            }
            // 2. widths and 1-bit results
            if !legal_width(n.ty.width) {
                return Err(at(format!("invariant 2: width {} is illegal", n.ty.width)));
            }
            let ty_of = |id: u32| self.nodes[id as usize].ty;
            match &n.op {
                Op::Cmp(..) | Op::Not(_) | Op::And(_) | Op::Or(_) if n.ty != Ty::BIT => {
                    return Err(at("invariant 2: boolean node is not 1-bit unsigned".into()));
                }
                Op::Not(a) if ty_of(*a) != Ty::BIT => {
                    return Err(at("invariant 2: operand of Not is not 1 bit".into()));
                }
                Op::And(v) | Op::Or(v) if v.iter().any(|&a| ty_of(a) != Ty::BIT) => {
                    return Err(at("invariant 2: operand of And/Or is not 1 bit".into()));
                }
                Op::Mux { sel, .. } if ty_of(*sel) != Ty::BIT => {
                    return Err(at("invariant 2: mux select is not 1 bit".into()));
                }
                Op::Lut { input, table, .. } if ty_of(*input).signed || table.is_empty() => {
                    return Err(at(
                        "invariant 8: lookup reads a signed operand or has no entries".into(),
                    ));
                }
                Op::Low(_, 0) => {
                    return Err(at("invariant 9: Low keeps no bits".into()));
                }
                Op::Shr(a, k) if *k == 0 || n.ty.width + *k > ty_of(*a).width => {
                    return Err(at(
                        "invariant 9: Shr shifts by 0 or is not a slice of its operand".into(),
                    ));
                }
                Op::Reg(a) if ty_of(*a) != n.ty => {
                    return Err(at("invariant 2: register changes the type".into()));
                }
                Op::Input(p) => {
                    let Some(port) = self.inputs.get(*p as usize) else {
                        return Err(at(format!("invariant 7: no input port {p}")));
                    };
                    if port.ty != n.ty {
                        return Err(at("invariant 7: type differs from its port".into()));
                    }
                    input_reads[*p as usize] += 1;
                }
                _ => {}
            }
            // 3 and 4: constants fit, ranges fit
            let (lo, hi) = n.ty.bounds();
            let (rlo, rhi) = rng[i];
            if rlo < lo || rhi > hi {
                return Err(at(format!(
                    "invariant {}: range [{rlo}, {rhi}] does not fit {}{} bits",
                    if matches!(n.op, Op::Const(_)) { 3 } else { 4 },
                    if n.ty.signed { "signed " } else { "" },
                    n.ty.width
                )));
            }
            // 5. stages
            match &n.op {
                Op::Const(_) => {}
                Op::Input(_) if n.stage != 0 => {
                    return Err(at("invariant 5: input not at stage 0".into()));
                }
                Op::Reg(a) => {
                    let s = self.nodes[*a as usize].stage;
                    let konst = matches!(self.nodes[*a as usize].op, Op::Const(_));
                    if (konst && n.stage == 0) || (!konst && s + 1 != n.stage) {
                        return Err(at(format!(
                            "invariant 5: register at stage {} reads stage {s}",
                            n.stage
                        )));
                    }
                }
                op => {
                    for a in op.operands() {
                        let m = &self.nodes[a as usize];
                        if !matches!(m.op, Op::Const(_)) && m.stage != n.stage {
                            return Err(at(format!(
                                "invariant 5: at stage {} reads node {a} at stage {}",
                                n.stage, m.stage
                            )));
                        }
                    }
                }
            }
        }
        // 6. outputs
        let latency = self.latency();
        for o in &self.outputs {
            let Some(n) = self.nodes.get(o.node as usize) else {
                return Err(format!("output {}: node {} does not exist", o.name, o.node));
            };
            if !matches!(n.op, Op::Reg(_)) || n.stage != latency {
                return Err(format!(
                    "output {}: invariant 6: not a register at stage {latency}",
                    o.name
                ));
            }
        }
        // 7. each input read once
        for (p, &c) in input_reads.iter().enumerate() {
            if c != 1 {
                return Err(format!(
                    "input port {p}: invariant 7: read by {c} Input nodes"
                ));
            }
        }
        Ok(())
    }
}
