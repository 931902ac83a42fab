//! The one canonical text form of the IR (`ir.txt`, inline snapshots).

use super::{CmpOp, Ir, Op, Origin, Ty};
use std::fmt::{self, Write};

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", if self.signed { 's' } else { 'u' }, self.width)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Feature(x) => write!(f, "feature {x}"),
            Origin::Comparator { feature, k } => write!(f, "feature {feature} < {k}"),
            Origin::Tree { tree, node } => write!(f, "tree {tree} node {node}"),
            Origin::Evidence { tree, node } => write!(f, "evidence of tree {tree} node {node}"),
            Origin::Sum { group } => write!(f, "sum of group {group}"),
            Origin::Decide => write!(f, "decision"),
            Origin::Unit { unit } => write!(f, "unit {unit}"),
            Origin::Const => write!(f, "constant"),
            Origin::Pipeline => write!(f, "pipeline"),
        }
    }
}

impl Ir {
    /// Canonical text: one line per port and node, deterministic.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for (i, p) in self.inputs.iter().enumerate() {
            let _ = writeln!(
                s,
                "input {i} {} : {}  # feature {}",
                p.name, p.ty, p.feature
            );
        }
        for (i, n) in self.nodes.iter().enumerate() {
            let ids = |v: &[u32]| {
                v.iter()
                    .map(|x| format!("%{x}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let body = match &n.op {
                Op::Input(p) => format!("input {p}"),
                Op::Const(c) => format!("const {c}"),
                Op::Cmp(CmpOp::Lt, a, b) => format!("lt %{a}, %{b}"),
                Op::Cmp(CmpOp::Gt, a, b) => format!("gt %{a}, %{b}"),
                Op::Not(a) => format!("not %{a}"),
                Op::And(v) => format!("and {}", ids(v)),
                Op::Or(v) => format!("or {}", ids(v)),
                Op::Mux { sel, t, f } => format!("mux %{sel}, %{t}, %{f}"),
                Op::Add(a, b) => format!("add %{a}, %{b}"),
                Op::Sub(a, b) => format!("sub %{a}, %{b}"),
                Op::Abs(a) => format!("abs %{a}"),
                Op::Mul(a, b) => format!("mul %{a}, %{b}"),
                Op::Lut {
                    input,
                    shift,
                    table,
                } => format!(
                    "lut %{input} >> {shift} [{}]",
                    table
                        .iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                Op::Shr(a, k) => format!("shr %{a}, {k}"),
                Op::Low(a, k) => format!("low %{a}, {k}"),
                Op::Reg(a) => format!("reg %{a}"),
            };
            let stage = if matches!(n.op, Op::Const(_)) {
                String::new()
            } else {
                format!(" @{}", n.stage)
            };
            let _ = writeln!(s, "%{i} = {body} : {}{stage}  # {}", n.ty, n.origin);
        }
        for o in &self.outputs {
            let _ = writeln!(s, "output {} = %{}", o.name, o.node);
        }
        s
    }
}
