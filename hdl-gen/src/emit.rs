//! Emission: hardware IR to a Verilog AST module (`vlog`), one wire or register per node.
//!
//! Interface: `clk, rst, in_valid, in_features` (every input port packed, port 0 at
//! the least significant bits), `out_valid` and one output per IR output port. Data
//! registers have no reset; `rst` (synchronous, active high) clears the valid chain.
//! `out_valid` rises exactly `latency` clocks after the `in_valid` it answers.
//!
//! Arithmetic is width-exact: every operand is sign- or zero-extended (or, modulo
//! 2^w, truncated) to the result width before `+` or `?:`, and comparisons are made
//! in a common width, signed when either side is, so Verilog's own width and sign
//! rules never decide a result.

use crate::fixed::wrap;
use crate::ir::{is_constant_choice, CmpOp, Ir, Node, NodeId, Op, Origin, Ty};
use crate::vlog::{BinOp, Dir, Expr, Item, Module, Port, Stmt};

/// Bit position of each input port in `in_features`: (lsb, width).
pub fn input_layout(ir: &Ir) -> Vec<(u32, u32)> {
    let mut lsb = 0;
    ir.inputs
        .iter()
        .map(|p| {
            let e = (lsb, p.ty.width);
            lsb += p.ty.width;
            e
        })
        .collect()
}

/// Total width of `in_features` (at least 1).
pub fn input_width(ir: &Ir) -> u32 {
    ir.inputs.iter().map(|p| p.ty.width).sum::<u32>().max(1)
}

/// Emits the module `name` for `ir`, with `header` lines as its leading comment.
pub fn emit(ir: &Ir, name: &str, header: Vec<String>) -> Module {
    let latency = ir.latency();
    let mut ports = vec![
        port(
            Dir::Input,
            "clk",
            1,
            "clock; everything is registered on its rising edge",
        ),
        port(
            Dir::Input,
            "rst",
            1,
            "synchronous reset, active high: clears the valid pipeline",
        ),
        port(
            Dir::Input,
            "in_valid",
            1,
            "in_features holds a vector this cycle",
        ),
        port(
            Dir::Input,
            "in_features",
            input_width(ir),
            "packed input codes, first port at bit 0 (see report.json)",
        ),
        port(
            Dir::Output,
            "out_valid",
            1,
            &format!("outputs answer the vector given {latency} cycle(s) earlier"),
        ),
    ];
    ports.extend(output_ports(ir));
    let mut items = Vec::new();
    // Inputs.
    items.push(Item::Comment(vec!["Inputs".into()]));
    if ir.inputs.is_empty() {
        // The model reads no feature: the port exists for a uniform interface.
        items.push(Item::Comment(
            vec!["verilator lint_off UNUSEDSIGNAL".into()],
        ));
        items.push(Item::Wire {
            name: "unused_features".into(),
            width: 1,
        });
        items.push(Item::Assign {
            lhs: "unused_features".into(),
            rhs: Expr::Ident("in_features".into()),
            comment: Some("no feature is read".into()),
        });
        items.push(Item::Comment(vec!["verilator lint_on UNUSEDSIGNAL".into()]));
    }
    let layout = input_layout(ir);
    let mut regs = Vec::new();
    let partly = partly_read(ir);
    // A value whose low bits a shifted lookup or a constant comparison may skip is
    // declared inside a lint waiver.
    let declare = |items: &mut Vec<Item>, decl: Item, partly: bool| {
        if partly {
            items.push(Item::Comment(
                vec!["verilator lint_off UNUSEDSIGNAL".into()],
            ));
        }
        items.push(decl);
        if partly {
            items.push(Item::Comment(vec!["verilator lint_on UNUSEDSIGNAL".into()]));
        }
    };
    for (i, n) in ir.nodes.iter().enumerate() {
        let id = i as NodeId;
        let nm = name_of(ir, id);
        match &n.op {
            Op::Const(_) => continue,
            Op::Reg(a) => {
                declare(
                    &mut items,
                    Item::Reg {
                        name: nm.clone(),
                        width: n.ty.width,
                    },
                    partly[i],
                );
                regs.push(Stmt::NonBlocking(nm, operand(ir, *a, n.ty)));
                continue;
            }
            _ => {}
        }
        declare(
            &mut items,
            Item::Wire {
                name: nm.clone(),
                width: n.ty.width,
            },
            partly[i],
        );
        let rhs = match &n.op {
            Op::Input(p) => {
                let (lsb, w) = layout[*p as usize];
                if input_width(ir) == w && w == 1 {
                    Expr::Ident("in_features".into())
                } else if w == 1 {
                    Expr::Bit("in_features".into(), lsb)
                } else {
                    Expr::Slice("in_features".into(), lsb + w - 1, lsb)
                }
            }
            Op::Cmp(op, a, b) => match compare(ir, *op, *a, *b) {
                Compare::Chain(e) => e,
                Compare::Sign { diff, width } => {
                    // Only the sign of the difference is read.
                    let d = format!("{nm}_diff");
                    declare(
                        &mut items,
                        Item::Wire {
                            name: d.clone(),
                            width,
                        },
                        true,
                    );
                    items.push(Item::Assign {
                        lhs: d.clone(),
                        rhs: diff,
                        comment: Some("negative when the comparison holds".into()),
                    });
                    Expr::Bit(d, width - 1)
                }
            },
            Op::Not(a) => Expr::Not(Box::new(operand(ir, *a, Ty::BIT))),
            Op::And(v) => fold(ir, BinOp::And, v),
            Op::Or(v) => fold(ir, BinOp::Or, v),
            Op::Mux { sel, t, f } => mux(ir, *sel, *t, *f, n.ty),
            Op::Add(a, b) => Expr::Binary(
                BinOp::Add,
                Box::new(operand(ir, *a, n.ty)),
                Box::new(operand(ir, *b, n.ty)),
            ),
            Op::Sub(a, b) => Expr::Binary(
                BinOp::Sub,
                Box::new(operand(ir, *a, n.ty)),
                Box::new(operand(ir, *b, n.ty)),
            ),
            // |a| modulo 2^w: negate when the sign bit is set (range analysis sized
            // the unsigned result to hold the largest magnitude).
            Op::Abs(a) => {
                let x = ir.node(*a);
                if x.ty.signed {
                    Expr::Cond(
                        Box::new(Expr::Bit(name_of(ir, *a), x.ty.width - 1)),
                        Box::new(Expr::Binary(
                            BinOp::Sub,
                            Box::new(Expr::Lit {
                                width: n.ty.width,
                                value: 0,
                            }),
                            Box::new(operand(ir, *a, n.ty)),
                        )),
                        Box::new(operand(ir, *a, n.ty)),
                    )
                } else {
                    operand(ir, *a, n.ty)
                }
            }
            // Both operands extended to the result width: the low bits of the product
            // are exact whatever the signedness (the range analysis sized the result).
            Op::Mul(a, b) => Expr::Binary(
                BinOp::Mul,
                Box::new(operand(ir, *a, n.ty)),
                Box::new(operand(ir, *b, n.ty)),
            ),
            Op::Lut {
                input,
                shift,
                table,
            } => {
                let rom = format!("{nm}_rom");
                items.push(Item::Rom {
                    name: rom.clone(),
                    width: n.ty.width,
                    values: table
                        .iter()
                        .map(|&v| wrap(v, n.ty.width, false) as u64)
                        .collect(),
                });
                lut_read(ir, *input, *shift, table, &rom)
            }
            // Bits `k + w − 1 .. k` of the operand (invariant 9: a slice; the range
            // analysis sized the result to hold `a >> k`).
            Op::Shr(a, k) => slice(ir, *a, *k, n.ty.width),
            // The low bits, or the whole operand when it is already below `2^k`.
            Op::Low(a, _) => {
                if n.ty.width < ir.node(*a).ty.width {
                    slice(ir, *a, 0, n.ty.width)
                } else {
                    operand(ir, *a, n.ty)
                }
            }
            Op::Const(_) | Op::Reg(_) => unreachable!("handled above"),
        };
        items.push(Item::Assign {
            lhs: nm,
            rhs,
            comment: Some(describe(ir, n)),
        });
    }
    // Registers.
    items.push(Item::Blank);
    items.push(Item::Comment(vec![format!(
        "Pipeline: {latency} stage(s); data registers need no reset"
    )]));
    items.push(Item::AlwaysPosedge {
        clock: "clk".into(),
        body: regs,
    });
    // Valid chain.
    items.push(Item::Blank);
    items.push(Item::Comment(vec!["Valid pipeline".into()]));
    let mut body = Vec::new();
    let mut reset = Vec::new();
    for s in 1..=latency.max(1) {
        let v = format!("valid_{s}");
        items.push(Item::Reg {
            name: v.clone(),
            width: 1,
        });
        let prev = if s == 1 {
            "in_valid".to_string()
        } else {
            format!("valid_{}", s - 1)
        };
        reset.push(Stmt::NonBlocking(
            v.clone(),
            Expr::Lit { width: 1, value: 0 },
        ));
        body.push(Stmt::NonBlocking(v, Expr::Ident(prev)));
    }
    items.push(Item::AlwaysPosedge {
        clock: "clk".into(),
        body: vec![Stmt::If(Expr::Ident("rst".into()), reset, body)],
    });
    // Outputs.
    items.push(Item::Blank);
    items.push(Item::Comment(vec!["Outputs".into()]));
    items.push(Item::Assign {
        lhs: "out_valid".into(),
        rhs: Expr::Ident(format!("valid_{}", latency.max(1))),
        comment: None,
    });
    for o in &ir.outputs {
        items.push(Item::Assign {
            lhs: o.name.clone(),
            rhs: Expr::Ident(name_of(ir, o.node)),
            comment: None,
        });
    }
    Module {
        name: name.into(),
        header,
        ports,
        items,
    }
}

/// One output port per IR output, at its node's width.
pub fn output_ports(ir: &Ir) -> Vec<Port> {
    ir.outputs
        .iter()
        .map(|o| {
            let ty = ir.node(o.node).ty;
            let what = if o.name == "out_class" {
                "predicted class index".to_string()
            } else {
                format!("score, {}", if ty.signed { "signed" } else { "unsigned" })
            };
            port(Dir::Output, &o.name, ty.width, &what)
        })
        .collect()
}

fn port(dir: Dir, name: &str, width: u32, comment: &str) -> Port {
    Port {
        dir,
        name: name.into(),
        width,
        comment: Some(comment.into()),
    }
}

/// The wire or register name of a node.
pub fn name_of(ir: &Ir, id: NodeId) -> String {
    let n = ir.node(id);
    match &n.op {
        Op::Input(p) => ir.inputs[*p as usize].name.clone(),
        Op::Const(_) => format!("k{id}"),
        Op::Cmp(..) => format!("c{id}"),
        Op::Not(_) | Op::And(_) | Op::Or(_) => format!("g{id}"),
        // A free multiplexer may be built again in each stage that reads it (pass
        // `pipeline`): its stage keeps the names apart.
        Op::Mux { .. } => {
            let stage = if is_constant_choice(&ir.nodes, id) {
                format!("_s{}", n.stage)
            } else {
                String::new()
            };
            match n.origin {
                Origin::Tree { tree, node } => format!("t{tree}_n{node}{stage}"),
                Origin::Evidence { tree, node } => format!("e{tree}_n{node}{stage}"),
                _ => format!("m{id}"),
            }
        }
        Op::Add(..) | Op::Sub(..) | Op::Abs(..) => format!("s{id}"),
        Op::Shr(..) | Op::Low(..) => format!("b{id}"),
        Op::Mul(..) => format!("p{id}"),
        Op::Lut { .. } => match n.origin {
            Origin::Unit { unit } => format!("u{unit}_k{id}"),
            _ => format!("l{id}"),
        },
        Op::Reg(_) => format!("r{id}"),
    }
}

/// A comment saying what a node is, in input units where it can.
fn describe(ir: &Ir, n: &Node) -> String {
    match (&n.op, &n.origin) {
        // A comparator, or its high and low parts' pick (pass `split_compares`).
        (Op::Cmp(..) | Op::Mux { .. }, Origin::Comparator { feature, k }) => {
            match ir
                .inputs
                .iter()
                .find(|p| p.feature == *feature && p.kind == crate::ir::InputKind::Value)
            {
                Some(port) if !port.thresholds.is_empty() => {
                    let t = port
                        .thresholds
                        .get((*k - 1).max(0) as usize)
                        .copied()
                        .unwrap_or(f64::NAN);
                    // Thresholds that are float32 values print as float32 (`4.9`, not
                    // `4.900000095367432`).
                    let shown = if f64::from(t as f32) == t {
                        format!("{}", t as f32)
                    } else {
                        format!("{t}")
                    };
                    format!("{}: split at {shown} (rank < {k})", port.label)
                }
                Some(port) => {
                    let t = *k as f64 * 2f64.powi(-port.frac_bits);
                    format!("{} < {t} (code < {k})", port.label)
                }
                None => format!("{}", n.origin),
            }
        }
        (Op::Mux { .. }, Origin::Tree { tree, node }) => format!("tree {tree}, node {node}: split"),
        (Op::Mux { .. }, Origin::Evidence { tree, node }) => {
            format!("tree {tree}, node {node}: leaf reached (evidence)")
        }
        (_, o) => format!("{o}"),
    }
}

/// Node `id` as an expression of type `to`: extended or truncated (mod 2^w).
fn operand(ir: &Ir, id: NodeId, to: Ty) -> Expr {
    let n = ir.node(id);
    if let Op::Const(c) = n.op {
        return Expr::Lit {
            width: to.width,
            value: wrap(c, to.width, false) as u64,
        };
    }
    let name = name_of(ir, id);
    let w = n.ty.width;
    if w == to.width {
        Expr::Ident(name)
    } else if w > to.width {
        if to.width == 1 {
            Expr::Bit(name, 0)
        } else {
            Expr::Slice(name, to.width - 1, 0)
        }
    } else {
        let fill = if n.ty.signed && w == 1 {
            // A 1-bit wire has no range to select from: the bit is the sign.
            Expr::Ident(name.clone())
        } else if n.ty.signed {
            Expr::Bit(name.clone(), w - 1)
        } else {
            Expr::Lit { width: 1, value: 0 }
        };
        let pad = if to.width - w == 1 {
            fill
        } else {
            Expr::Repeat(to.width - w, Box::new(fill))
        };
        Expr::Concat(vec![pad, Expr::Ident(name)])
    }
}

/// Nodes read only by lookups that shift their low bits away or by comparisons with
/// constants (so some low bits may be unused).
fn partly_read(ir: &Ir) -> Vec<bool> {
    let mut shifted = vec![false; ir.nodes.len()];
    let mut whole = vec![false; ir.nodes.len()];
    for o in &ir.outputs {
        whole[o.node as usize] = true;
    }
    for n in &ir.nodes {
        match &n.op {
            Op::Lut { input, shift, .. } if *shift > 0 => shifted[*input as usize] = true,
            // Bit slices: some bits of the operand stay unread.
            Op::Shr(a, _) | Op::Low(a, _) => shifted[*a as usize] = true,
            // Against a constant only the bits above its trailing run are read
            // (compare_const).
            Op::Cmp(_, a, b) if matches!(ir.node(*b).op, Op::Const(_)) => {
                shifted[*a as usize] = true
            }
            Op::Cmp(_, a, b) if matches!(ir.node(*a).op, Op::Const(_)) => {
                shifted[*b as usize] = true
            }
            op => {
                for a in op.operands() {
                    whole[a as usize] = true;
                }
            }
        }
    }
    shifted.iter().zip(&whole).map(|(&s, &w)| s && !w).collect()
}

/// Bits `lsb + width − 1 .. lsb` of node `a`.
fn slice(ir: &Ir, a: NodeId, lsb: u32, width: u32) -> Expr {
    let name = name_of(ir, a);
    if ir.node(a).ty.width == 1 {
        Expr::Ident(name)
    } else if width == 1 {
        Expr::Bit(name, lsb)
    } else {
        Expr::Slice(name, lsb + width - 1, lsb)
    }
}

/// Reads ROM `rom` at `min(input >> shift, len - 1)` (as [`crate::fixed::lut_index`]),
/// with an index exactly `clog2(len)` bits wide.
fn lut_read(ir: &Ir, input: NodeId, shift: u32, table: &[i64], rom: &str) -> Expr {
    let len = table.len();
    let ib = (usize::BITS - (len.max(2) - 1).leading_zeros()).max(1);
    let n = ir.node(input);
    let idx = if let Op::Const(c) = n.op {
        Expr::Lit {
            width: ib,
            value: crate::fixed::lut_index(c, shift, len) as u64,
        }
    } else if shift >= n.ty.width {
        Expr::Lit {
            width: ib,
            value: 0,
        }
    } else {
        let name = name_of(ir, input);
        let qw = n.ty.width - shift;
        let q = if n.ty.width == 1 {
            Expr::Ident(name.clone())
        } else {
            Expr::Slice(name.clone(), n.ty.width - 1, shift)
        };
        if qw < 64 && (1u64 << qw) <= len as u64 {
            // Every quotient is an index: no clamp.
            if qw == ib {
                q
            } else {
                Expr::Concat(vec![
                    Expr::Lit {
                        width: ib - qw,
                        value: 0,
                    },
                    q,
                ])
            }
        } else {
            Expr::Cond(
                Box::new(Expr::Binary(
                    BinOp::Gt,
                    Box::new(q),
                    Box::new(Expr::Lit {
                        width: qw,
                        value: len as u64 - 1,
                    }),
                )),
                Box::new(Expr::Lit {
                    width: ib,
                    value: len as u64 - 1,
                }),
                Box::new(Expr::Slice(name, shift + ib - 1, shift)),
            )
        }
    };
    Expr::Index(rom.into(), Box::new(idx))
}

/// `x < c` (`less`) or `x > c` against a constant as a chain of bit operations,
/// least significant bit innermost: with the bits above equal, bit i decides
/// (`x_i` against `c_i`) or passes the lower bits' answer on. Yosys maps `<` to a
/// carry chain, one logic cell per bit on iCE40 even against a constant; as logic,
/// ABC packs about three bits per LUT4 and merges them with the tree logic they feed
/// (bench_compare, breast cancer, 20 trees, 8-bit fixed inputs, HX8K: 934 → 501 logic
/// cells, Fmax 92 → 106 MHz; ECP5: 182 LUT4s and 239 carry cells → 367 and 3).
/// `None` when `x` is not a plain wire.
fn compare_const(ir: &Ir, x: NodeId, c: i64, less: bool) -> Option<Expr> {
    let t = ir.node(x).ty;
    let w = t.width;
    if w == 0 || w > 62 {
        return None;
    }
    let Expr::Ident(name) = operand(ir, x, t) else {
        return None;
    };
    // Signed: flipping the sign bit orders the codes as unsigned numbers.
    let (lo, hi) = if t.signed {
        (-(1i64 << (w - 1)), (1i64 << (w - 1)) - 1)
    } else {
        (0, (1i64 << w) - 1)
    };
    let always = |b: bool| Expr::Lit {
        width: 1,
        value: u64::from(b),
    };
    // Constants outside x's range decide the comparison alone.
    if less && c <= lo || !less && c >= hi {
        return Some(always(false));
    }
    if less && c > hi || !less && c < lo {
        return Some(always(true));
    }
    let cu = (c - lo) as u64;
    let bit = |i: u32| {
        let b = if w == 1 {
            Expr::Ident(name.clone())
        } else {
            Expr::Bit(name.clone(), i)
        };
        if t.signed && i == w - 1 {
            Expr::Not(Box::new(b))
        } else {
            b
        }
    };
    let mut acc: Option<Expr> = None; // the answer over bits below i (None: false)
    for i in 0..w {
        let ci = (cu >> i) & 1 == 1;
        // less: x_i = 0 < c_i = 1 → true; x_i = 1 > c_i = 0 → false; else the rest.
        let xi = if less {
            Expr::Not(Box::new(bit(i)))
        } else {
            bit(i)
        };
        let decides_true = ci == less; // x_i alone can make the answer true
        acc = match acc {
            None if decides_true => Some(xi),
            None => None,
            Some(a) => Some(Expr::Binary(
                if decides_true { BinOp::Or } else { BinOp::And },
                Box::new(xi),
                Box::new(a),
            )),
        };
    }
    Some(acc.unwrap_or(always(false)))
}

/// How [`compare`] prints a comparison.
enum Compare {
    /// A chain of bit operations on the compared wire (against a constant).
    Chain(Expr),
    /// Two variables: the comparison holds when `diff`, `width` bits wide, is negative.
    Sign { diff: Expr, width: u32 },
}

/// `a OP b`. Against a constant, a chain of bit operations ([`compare_const`]).
/// Between two variables, the sign of a difference one bit wider than both sides
/// (each extended by its own signedness), so it never overflows: `a < b` is the
/// sign of `a − b`, `a > b` that of `b − a`. Synthesis maps it onto a carry chain
/// whose last sum bit is the result; a `<` or `>` of signed operands would add a
/// sign-and-overflow correction after the chain (on ECP5 a LUT and a PFUMX, about
/// 1.5 ns with routing, the slowest path of multi-class argmax trees).
fn compare(ir: &Ir, op: CmpOp, a: NodeId, b: NodeId) -> Compare {
    let less = op == CmpOp::Lt;
    let as_const = |id: NodeId| match ir.node(id).op {
        Op::Const(c) => Some(c),
        _ => None,
    };
    let chain = match (as_const(a), as_const(b)) {
        (None, Some(c)) => compare_const(ir, a, c, less),
        (Some(c), None) => compare_const(ir, b, c, !less),
        _ => None,
    };
    if let Some(e) = chain {
        return Compare::Chain(e);
    }
    let (ta, tb) = (ir.node(a).ty, ir.node(b).ty);
    let signed = ta.signed || tb.signed;
    let need = |t: Ty| t.width + u32::from(signed && !t.signed);
    let width = need(ta).max(need(tb)) + 1;
    let to = Ty { width, signed };
    let (x, y) = if less { (a, b) } else { (b, a) };
    Compare::Sign {
        diff: Expr::Binary(
            BinOp::Sub,
            Box::new(operand(ir, x, to)),
            Box::new(operand(ir, y, to)),
        ),
        width,
    }
}

/// Whether a node starts a stage's logic: it is a register, an input or a constant.
fn starts(ir: &Ir, id: NodeId) -> bool {
    matches!(ir.node(id).op, Op::Const(_) | Op::Reg(_) | Op::Input(_))
}

/// A multiplexer between two constants of a stage start ([`is_constant_choice`]; the
/// `pipeline` pass builds it again in each stage that reads it).
fn free(ir: &Ir, id: NodeId) -> bool {
    matches!(ir.node(id).op, Op::Mux { sel, .. } if starts(ir, sel))
        && is_constant_choice(&ir.nodes, id)
}

/// `sel ? t : f`. As gates, `({w{sel}} & t) | ({w{~sel}} & f)`, when an arm may hold
/// constant bits (a constant, or a free multiplexer) and the multiplexer is the first
/// logic of its stage (it reads only registers, inputs, constants and free
/// multiplexers). Such a multiplexer right before a register is otherwise mapped onto
/// the flip-flop's synchronous set/reset, and flip-flops packed together share one
/// set/reset net (two per ECP5 slice, eight per iCE40 logic block): in deeply
/// pipelined cores hundreds of distinct reset nets spread the packing and lengthen the
/// routes (the slowest paths of `--stage-budget 1` cores on ECP5). Deeper in a stage
/// the set/reset absorbs a LUT level, so it is left to synthesis there.
fn mux(ir: &Ir, sel: NodeId, t: NodeId, f: NodeId, ty: Ty) -> Expr {
    let s = operand(ir, sel, Ty::BIT);
    let (te, fe) = (operand(ir, t, ty), operand(ir, f, ty));
    let is_const = |id: NodeId| matches!(ir.node(id).op, Op::Const(_));
    let first = starts(ir, sel) && [t, f].iter().all(|&id| starts(ir, id) || free(ir, id));
    let constant_bits = [t, f].iter().any(|&id| is_const(id) || free(ir, id));
    if !first || !constant_bits {
        return Expr::Cond(Box::new(s), Box::new(te), Box::new(fe));
    }
    let spread = |e: Expr| {
        if ty.width == 1 {
            e
        } else {
            Expr::Repeat(ty.width, Box::new(e))
        }
    };
    let and = |a: Expr, b: Expr| Expr::Binary(BinOp::And, Box::new(a), Box::new(b));
    Expr::Binary(
        BinOp::Or,
        Box::new(and(spread(s.clone()), te)),
        Box::new(and(spread(Expr::Not(Box::new(s))), fe)),
    )
}

fn fold(ir: &Ir, op: BinOp, v: &[NodeId]) -> Expr {
    let mut it = v.iter().map(|&x| operand(ir, x, Ty::BIT));
    let first = it.next().unwrap_or(Expr::Lit {
        width: 1,
        value: u64::from(op == BinOp::And),
    });
    it.fold(first, |acc, x| Expr::Binary(op, Box::new(acc), Box::new(x)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Node, Origin};
    use crate::testing::input_port as input;

    fn node(op: Op, ty: Ty, stage: u32) -> Node {
        Node {
            op,
            ty,
            stage,
            origin: Origin::Const,
        }
    }

    /// Value of a comparison chain (`compare_const`'s subset of expressions) with the
    /// compared wire holding the bits of `x`.
    fn eval(e: &Expr, x: i64) -> bool {
        match e {
            Expr::Lit { value, .. } => *value == 1,
            Expr::Ident(_) => x & 1 == 1,
            Expr::Bit(_, i) => (x >> i) & 1 == 1,
            Expr::Not(a) => !eval(a, x),
            Expr::Binary(BinOp::And, a, b) => eval(a, x) && eval(b, x),
            Expr::Binary(BinOp::Or, a, b) => eval(a, x) || eval(b, x),
            other => panic!("not a comparison chain: {other:?}"),
        }
    }

    /// Every width up to 6, both signednesses, every value against every constant
    /// from below to above its range, both operators, constant on either side.
    #[test]
    fn constant_comparisons_are_exact() {
        for width in 1..=6 {
            for signed in [false, true] {
                let ty = Ty { width, signed };
                let (lo, hi) = ty.bounds();
                for c in lo - 2..=hi + 2 {
                    let ir = Ir {
                        inputs: vec![input("x", ty, 0)],
                        nodes: vec![
                            node(Op::Input(0), ty, 0),
                            node(Op::Const(c), Ty::for_range(c, c), 0),
                        ],
                        outputs: vec![],
                    };
                    for op in [CmpOp::Lt, CmpOp::Gt] {
                        for (a, b) in [(0, 1), (1, 0)] {
                            let Compare::Chain(e) = compare(&ir, op, a, b) else {
                                panic!("a constant comparison printed as a difference");
                            };
                            for x in lo..=hi {
                                let (l, r) = if a == 0 { (x, c) } else { (c, x) };
                                let want = match op {
                                    CmpOp::Lt => l < r,
                                    CmpOp::Gt => l > r,
                                };
                                // The chain reads the two's-complement bits of x.
                                let bits = x & ((1i64 << width) - 1);
                                assert_eq!(eval(&e, bits), want, "{ty:?} {l} {op:?} {r}: {e:?}");
                            }
                        }
                    }
                }
            }
        }
    }

    /// Value and width of an expression over named wires (the subset [`operand`] and
    /// [`compare`] print), wires holding two's-complement bits.
    fn value(e: &Expr, wires: &[(&str, u64, u32)]) -> (u64, u32) {
        let mask = |w: u32| (1u64 << w) - 1;
        match e {
            Expr::Ident(n) => {
                let &(_, v, w) = wires.iter().find(|(m, ..)| m == n).unwrap();
                (v, w)
            }
            Expr::Bit(n, i) => ((value(&Expr::Ident(n.clone()), wires).0 >> i) & 1, 1),
            Expr::Lit { width, value } => (*value, *width),
            Expr::Repeat(k, e) => {
                let (b, w) = value(e, wires);
                assert_eq!(w, 1);
                (if b == 1 { mask(*k) } else { 0 }, *k)
            }
            Expr::Concat(parts) => parts.iter().fold((0, 0), |(acc, aw), p| {
                let (v, w) = value(p, wires);
                ((acc << w) | v, aw + w)
            }),
            Expr::Binary(BinOp::Sub, a, b) => {
                let ((x, wa), (y, wb)) = (value(a, wires), value(b, wires));
                let w = wa.max(wb);
                (x.wrapping_sub(y) & mask(w), w)
            }
            other => panic!("not an extension or a difference: {other:?}"),
        }
    }

    /// Two variables of every width up to 4, either signedness, every pair of values,
    /// both operators: the sign of the printed difference is the comparison.
    #[test]
    fn variable_comparisons_are_exact() {
        let types: Vec<Ty> = (1..=4)
            .flat_map(|width| [false, true].map(|signed| Ty { width, signed }))
            .collect();
        for &ta in &types {
            for &tb in &types {
                let ir = Ir {
                    inputs: vec![input("a", ta, 0), input("b", tb, 1)],
                    nodes: vec![node(Op::Input(0), ta, 0), node(Op::Input(1), tb, 0)],
                    outputs: vec![],
                };
                let ((la, ha), (lb, hb)) = (ta.bounds(), tb.bounds());
                for op in [CmpOp::Lt, CmpOp::Gt] {
                    let Compare::Sign { diff, width } = compare(&ir, op, 0, 1) else {
                        panic!("two variables compared as a chain");
                    };
                    for a in la..=ha {
                        for b in lb..=hb {
                            let bits = |v: i64, t: Ty| (v as u64) & ((1u64 << t.width) - 1);
                            let wires =
                                [("a", bits(a, ta), ta.width), ("b", bits(b, tb), tb.width)];
                            let (d, w) = value(&diff, &wires);
                            assert_eq!(w, width, "{ta:?} {tb:?}");
                            let want = match op {
                                CmpOp::Lt => a < b,
                                CmpOp::Gt => a > b,
                            };
                            assert_eq!(
                                (d >> (w - 1)) & 1 == 1,
                                want,
                                "{ta:?} {a} {op:?} {tb:?} {b}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// A multiplexer choosing a constant, or reading a free multiplexer (between two
    /// constants), is printed as gates only at the start of its stage (registers,
    /// inputs, constants and free multiplexers in), so synthesis keeps the set/reset
    /// that absorbs a LUT level deeper in a stage.
    #[test]
    fn constant_muxes_are_gates_at_the_start_of_a_stage() {
        let ty = Ty {
            width: 2,
            signed: false,
        };
        let ir = Ir {
            inputs: vec![],
            nodes: vec![
                node(Op::Const(1), ty, 1),                   // 0
                node(Op::Const(2), ty, 1),                   // 1
                node(Op::Reg(0), Ty::BIT, 1),                // 2: a select from a register
                node(Op::Reg(1), ty, 1),                     // 3
                node(Op::Not(2), Ty::BIT, 1),                // 4: a select from logic
                node(Op::Mux { sel: 2, t: 0, f: 1 }, ty, 1), // 5: free
                node(Op::Mux { sel: 2, t: 5, f: 3 }, ty, 1), // 6: reads it
            ],
            outputs: vec![],
        };
        let gates = |e: &Expr| matches!(e, Expr::Binary(BinOp::Or, ..));
        assert!(
            gates(&mux(&ir, 2, 3, 0, ty)),
            "register select, constant arm"
        );
        assert!(gates(&mux(&ir, 2, 0, 3, ty)), "constant on the other arm");
        assert!(
            !gates(&mux(&ir, 4, 3, 0, ty)),
            "select computed in the stage"
        );
        assert!(!gates(&mux(&ir, 2, 3, 3, ty)), "no constant arm");
        assert!(free(&ir, 5) && !free(&ir, 6));
        assert!(gates(&mux(&ir, 2, 5, 3, ty)), "free arm");
        assert!(
            !gates(&mux(&ir, 4, 5, 3, ty)),
            "free arm, select from logic"
        );
    }
}
