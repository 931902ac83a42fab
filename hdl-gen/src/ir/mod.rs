//! Hardware IR: a flat, index-based, single-assignment list of typed, staged nodes.
//!
//! Invariants (checked by [`Ir::verify`]; a violation is a bug in a pass, never a user error):
//! 1. Every operand index is smaller than the index of the node that reads it
//!    (the list is in topological order; no cycles).
//! 2. Every type has 1 ≤ width ≤ [`MAX_WIDTH`]; comparisons, `Not`, `And`, `Or` are
//!    1-bit unsigned; a `Mux` select is 1 bit wide.
//! 3. Every constant fits its type.
//! 4. Every node's type holds the full range of values it can take (range analysis),
//!    so no operation ever overflows: hardware wrap-around never happens.
//! 5. Stages: inputs are stage 0; a `Reg` is one stage after its operand (a register
//!    of a constant may sit at any stage ≥ 1); every other node is at the stage of each
//!    non-constant operand. Constants have no stage.
//! 6. Outputs are `Reg` nodes, all at the same stage, which is the latency.
//! 7. Each input port is read by exactly one `Input` node.
//! 8. A `Lut` reads an unsigned operand and has at least one entry; every entry fits
//!    its type (covered by 4: its range is the entries' range).
//! 9. `Low(a, k)` has `k ≥ 1` (of a signed `a`, the low bits of its two's complement); `Shr(a, k)` has `k ≥ 1`
//!    and is narrower than its operand by at least `k` bits (it is a bit slice).
//!
//! `eval()` computes every node for one input vector (registers pass values through:
//! timing is the latency, checked by cosimulation). Values are `i64` holding the
//! two's-complement value of the node's type.

mod eval;
mod text;
mod verify;

pub use eval::{op_range, ranges};

use crate::fixed::MAX_WIDTH;
use serde::{Deserialize, Serialize};

/// Index of a node in [`Ir::nodes`].
pub type NodeId = u32;

/// A signal type: width in bits and signedness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Ty {
    pub width: u32,
    pub signed: bool,
}

impl Ty {
    pub const BIT: Ty = Ty {
        width: 1,
        signed: false,
    };

    /// The narrowest type holding `[lo, hi]`.
    pub fn for_range(lo: i64, hi: i64) -> Ty {
        let (width, signed) = crate::fixed::int_type(lo, hi);
        Ty { width, signed }
    }

    /// Smallest and largest value of the type.
    pub fn bounds(&self) -> (i64, i64) {
        if self.signed {
            (-(1i64 << (self.width - 1)), (1i64 << (self.width - 1)) - 1)
        } else {
            (0, (1i64 << self.width) - 1)
        }
    }
}

/// Comparison operators (true = 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CmpOp {
    Lt,
    Gt,
}

/// What a node computes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Op {
    /// Input port `port` (an index into [`Ir::inputs`]).
    Input(u32),
    Const(i64),
    /// `a OP b` on the operands' values (signedness taken into account).
    Cmp(CmpOp, NodeId, NodeId),
    Not(NodeId),
    And(Vec<NodeId>),
    Or(Vec<NodeId>),
    /// `sel ? t : f`.
    Mux {
        sel: NodeId,
        t: NodeId,
        f: NodeId,
    },
    Add(NodeId, NodeId),
    /// `a - b`.
    Sub(NodeId, NodeId),
    /// `|a|` (unsigned result).
    Abs(NodeId),
    /// `a * b`.
    Mul(NodeId, NodeId),
    /// A ROM: `table[min(input >> shift, len - 1)]` (see [`crate::fixed::lut_index`]).
    Lut {
        input: NodeId,
        shift: u32,
        table: Vec<i64>,
    },
    /// `a >> k`, rounding toward −∞ (an arithmetic shift: the top bits of `a`).
    Shr(NodeId, u32),
    /// `a mod 2^k` (the low `k` bits of `a`'s two's complement, never negative).
    Low(NodeId, u32),
    /// Pipeline register: its operand one clock later.
    Reg(NodeId),
}

impl Op {
    /// Operands in order.
    pub fn operands(&self) -> Vec<NodeId> {
        match self {
            Op::Input(_) | Op::Const(_) => vec![],
            Op::Cmp(_, a, b) | Op::Add(a, b) | Op::Sub(a, b) | Op::Mul(a, b) => vec![*a, *b],
            Op::Not(a)
            | Op::Reg(a)
            | Op::Abs(a)
            | Op::Shr(a, _)
            | Op::Low(a, _)
            | Op::Lut { input: a, .. } => vec![*a],
            Op::And(v) | Op::Or(v) => v.clone(),
            Op::Mux { sel, t, f } => vec![*sel, *t, *f],
        }
    }

    /// The same operation with operands renamed by `m`.
    pub fn map(&self, mut m: impl FnMut(NodeId) -> NodeId) -> Op {
        match self {
            Op::Input(p) => Op::Input(*p),
            Op::Const(c) => Op::Const(*c),
            Op::Cmp(o, a, b) => Op::Cmp(*o, m(*a), m(*b)),
            Op::Not(a) => Op::Not(m(*a)),
            Op::And(v) => Op::And(v.iter().map(|&x| m(x)).collect()),
            Op::Or(v) => Op::Or(v.iter().map(|&x| m(x)).collect()),
            Op::Mux { sel, t, f } => Op::Mux {
                sel: m(*sel),
                t: m(*t),
                f: m(*f),
            },
            Op::Add(a, b) => Op::Add(m(*a), m(*b)),
            Op::Sub(a, b) => Op::Sub(m(*a), m(*b)),
            Op::Abs(a) => Op::Abs(m(*a)),
            Op::Mul(a, b) => Op::Mul(m(*a), m(*b)),
            Op::Lut {
                input,
                shift,
                table,
            } => Op::Lut {
                input: m(*input),
                shift: *shift,
                table: table.clone(),
            },
            Op::Shr(a, k) => Op::Shr(m(*a), *k),
            Op::Low(a, k) => Op::Low(m(*a), *k),
            Op::Reg(a) => Op::Reg(m(*a)),
        }
    }
}

/// Where a node came from, for comments, names and explanations.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Origin {
    /// Feature input.
    Feature(u32),
    /// Comparator `feature < k` shared by every split that converts to it.
    Comparator { feature: u32, k: i64 },
    /// Tree node (a leaf's constant or a split's selection).
    Tree { tree: u32, node: u32 },
    /// Tree node of the evidence mux tree (the leaf ordinal, `explain`).
    Evidence { tree: u32, node: u32 },
    /// Partial sum of output group `group`.
    Sum { group: u32 },
    /// Class decision (argmax or binary threshold).
    Decide,
    /// RBF unit `unit` (distance, kernel table).
    Unit { unit: u32 },
    /// Constant operand.
    Const,
    /// Pipeline register.
    Pipeline,
}

/// One node.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub op: Op,
    pub ty: Ty,
    /// Pipeline stage (0 for constants, which have none).
    pub stage: u32,
    pub origin: Origin,
}

/// What an input port carries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    /// The feature's fixed-point code.
    #[default]
    Value,
    /// 1 when the feature's value is missing (NaN).
    Nan,
    /// 1 when the value is NaN or zero (LightGBM zero-as-missing).
    Zero,
}

/// An input port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InputPort {
    /// Legal identifier used in the RTL.
    pub name: String,
    pub ty: Ty,
    /// Model feature index.
    pub feature: u32,
    #[serde(default)]
    pub kind: InputKind,
    /// Feature name as the model gives it, for comments.
    pub label: String,
    /// Fraction bits of the input code, to print thresholds in input units.
    pub frac_bits: i32,
    /// Rank-encoded input: the thresholds whose rank the code is (for comments).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<f64>,
}

/// An output port.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputPort {
    pub name: String,
    pub node: NodeId,
}

/// A whole design.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ir {
    pub inputs: Vec<InputPort>,
    pub nodes: Vec<Node>,
    pub outputs: Vec<OutputPort>,
}

impl Ir {
    /// Node by id.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    /// Clock cycles from input to output (the stage of the outputs).
    pub fn latency(&self) -> u32 {
        self.outputs
            .first()
            .map(|o| self.node(o.node).stage)
            .unwrap_or(0)
    }

    /// Number of nodes of each kind, for reports.
    pub fn census(&self) -> Census {
        let mut c = Census::default();
        for n in &self.nodes {
            match &n.op {
                Op::Input(_) => c.inputs += 1,
                Op::Const(_) => c.consts += 1,
                Op::Cmp(..) => c.comparators += 1,
                Op::Not(_) | Op::And(_) | Op::Or(_) => c.gates += 1,
                Op::Mux { .. } => c.muxes += 1,
                Op::Add(..) | Op::Sub(..) | Op::Abs(..) => c.adders += 1,
                Op::Shr(..) | Op::Low(..) => {}
                Op::Mul(..) => c.multipliers += 1,
                Op::Lut { table, .. } => {
                    c.luts += 1;
                    c.lut_bits += table.len() as u64 * u64::from(n.ty.width);
                }
                Op::Reg(_) => {
                    c.registers += 1;
                    c.register_bits += u64::from(n.ty.width);
                }
            }
        }
        c
    }
}

/// A rough size of a design in LUT4-sized logic cells, from its node widths: one per
/// result bit of an adder, comparator, mux or gate, `wa·wb` per multiplier (built
/// from LUTs and carries), `w·⌈entries/16⌉` per ROM, at least one per register bit
/// (iCE40 and ECP5 cells pair a LUT with a flip-flop). Measured against nextpnr, it
/// Whether node `id` of `nodes` is a multiplexer between two constants (a tree's leaf
/// pair): each of its bits is the select, its inverse or a constant, so it is free
/// logic, absorbed by the LUT next to it (passes `pipeline`, printing in `emit`).
pub fn is_constant_choice(nodes: &[Node], id: NodeId) -> bool {
    let is_const = |a: NodeId| matches!(nodes[a as usize].op, Op::Const(_));
    matches!(nodes[id as usize].op, Op::Mux { t, f, .. } if is_const(t) && is_const(f))
}

/// is used to choose an architecture (`--arch auto`), never reported as a result.
pub fn logic_estimate(ir: &Ir) -> u64 {
    let (mut comb, mut ffs) = (0u64, 0u64);
    for n in &ir.nodes {
        let w = u64::from(n.ty.width);
        let wid = |a: NodeId| u64::from(ir.node(a).ty.width);
        comb += match &n.op {
            Op::Input(_) | Op::Const(_) | Op::Shr(..) | Op::Low(..) => 0,
            Op::Cmp(_, a, b) => wid(*a).max(wid(*b)),
            Op::Not(_) => 0,
            Op::And(v) | Op::Or(v) => (v.len() as u64).div_ceil(3),
            Op::Mux { .. } | Op::Add(..) | Op::Sub(..) => w,
            Op::Abs(_) => 2 * w,
            Op::Mul(a, b) => wid(*a) * wid(*b),
            Op::Lut { table, .. } => w * (table.len() as u64).div_ceil(16),
            Op::Reg(_) => {
                ffs += w;
                0
            }
        };
    }
    comb.max(ffs)
}

/// Node counts by kind.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Census {
    pub inputs: u32,
    pub consts: u32,
    pub comparators: u32,
    pub gates: u32,
    pub muxes: u32,
    pub adders: u32,
    pub registers: u32,
    pub register_bits: u64,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub multipliers: u32,
    /// Kernel ROMs, and their total size in bits.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub luts: u32,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub lut_bits: u64,
}

impl Census {
    /// Field-wise `self - other`, saturating at zero.
    pub fn minus(&self, o: &Census) -> Census {
        Census {
            inputs: self.inputs.saturating_sub(o.inputs),
            consts: self.consts.saturating_sub(o.consts),
            comparators: self.comparators.saturating_sub(o.comparators),
            gates: self.gates.saturating_sub(o.gates),
            muxes: self.muxes.saturating_sub(o.muxes),
            adders: self.adders.saturating_sub(o.adders),
            registers: self.registers.saturating_sub(o.registers),
            register_bits: self.register_bits.saturating_sub(o.register_bits),
            multipliers: self.multipliers.saturating_sub(o.multipliers),
            luts: self.luts.saturating_sub(o.luts),
            lut_bits: self.lut_bits.saturating_sub(o.lut_bits),
        }
    }
}

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// Is `w` a legal width?
pub fn legal_width(w: u32) -> bool {
    (1..=MAX_WIDTH).contains(&w)
}
