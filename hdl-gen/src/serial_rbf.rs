//! The serial (time-shared) architecture for nearest-prototype models: one distance unit, one multiplier and the prototypes in a ROM, visiting every (prototype, feature) pair in turn.
//!
//! Where the parallel core builds a distance unit per prototype (II = 1), this core
//! has one subtract-square-accumulate lane fed from a ROM of prototype codes
//! (`centres[u·F + f]`, read through a register so synthesis can place it in block
//! RAM, the square in a DSP where the device has one). A vector is accepted when
//! `in_ready` is high; the lane then visits the N·F pairs, one per clock, keeping
//! the running minimum distance and its label, and raises `out_valid` for one clock
//! with `out_class` N·F + 2 clocks after the vector was accepted; `in_ready` rises
//! again in that same cycle. So latency = II = N·F + 2.
//!
//! Bit-exactness: each distance is the same exact integer sum as the parallel
//! core's (the accumulator is as wide as the largest distance), and a prototype
//! replaces the best only when strictly nearer, so the first nearest prototype wins
//! ties exactly as the integer reference and the parallel argmin do. Cosimulation
//! compares this core with the parallel IR's `eval()` row by row.

use crate::model::rbf::{Metric, RbfKind};
use crate::quant::rbf::RbfQuant;
use crate::vlog::{BinOp, Dir, Expr, Item, Module, Port, Stmt};

/// Bits of an unsigned value (at least 1).
fn bits(v: u128) -> u32 {
    (128 - v.leading_zeros()).max(1)
}

/// Latency and initiation interval of the serial core, in clocks.
pub fn timing(q: &RbfQuant) -> (u32, u32) {
    let n = (q.units.len() * q.feature_names.len()) as u32 + 2;
    (n, n)
}

/// What the serial core is made of, for the report (its registers, ROMs and the one
/// multiplier), in the IR census's terms.
pub fn census(q: &RbfQuant) -> crate::ir::Census {
    let m = emit_serial(q, "census", 1, Vec::new());
    let mut c = crate::ir::Census {
        inputs: q.feature_names.len() as u32,
        comparators: 2,
        adders: 4,
        muxes: 3,
        multipliers: u32::from(q.metric == Metric::SquaredEuclidean),
        ..Default::default()
    };
    for item in &m.items {
        match item {
            Item::Reg { width, .. } => {
                c.registers += 1;
                c.register_bits += u64::from(*width);
            }
            Item::Rom { width, values, .. } => {
                c.luts += 1;
                c.lut_bits += u64::from(*width) * values.len() as u64;
            }
            _ => {}
        }
    }
    c
}

/// Why `q` cannot be built serially, if it cannot.
pub fn unsupported(q: &RbfQuant) -> Option<String> {
    (q.kind != RbfKind::Prototype).then(|| {
        "the serial architecture exists for nearest-prototype models only so far; \
         expected --arch parallel for SVMs and RBF networks"
            .to_string()
    })
}

fn id(s: &str) -> Expr {
    Expr::Ident(s.into())
}

fn lit(width: u32, value: u64) -> Expr {
    Expr::Lit { width, value }
}

fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}

fn not(a: Expr) -> Expr {
    Expr::Not(Box::new(a))
}

fn cond(c: Expr, t: Expr, f: Expr) -> Expr {
    Expr::Cond(Box::new(c), Box::new(t), Box::new(f))
}

fn set(lhs: &str, rhs: Expr) -> Stmt {
    Stmt::NonBlocking(lhs.into(), rhs)
}

/// `name` (`from` bits) extended to `to` bits: sign-extended when `signed`.
fn extend(name: &str, from: u32, to: u32, signed: bool) -> Expr {
    if to <= from {
        return id(name);
    }
    let top = if signed {
        if from == 1 {
            id(name)
        } else {
            Expr::Bit(name.into(), from - 1)
        }
    } else {
        lit(1, 0)
    };
    Expr::Concat(vec![Expr::Repeat(to - from, Box::new(top)), id(name)])
}

/// `name[w-1:0]` of a wider signal, or the whole signal.
fn low(name: &str, have: u32, want: u32) -> Expr {
    if want >= have {
        id(name)
    } else if want == 1 {
        Expr::Bit(name.into(), 0)
    } else {
        Expr::Slice(name.into(), want - 1, 0)
    }
}

/// The serial core for a nearest-prototype model. `in_width` is the packed
/// `in_features` width (features at `W` bits each, feature 0 at bit 0), `class_width`
/// the `out_class` width.
pub fn emit_serial(q: &RbfQuant, name: &str, class_width: u32, header: Vec<String>) -> Module {
    let n = q.units.len().max(1);
    let f = q.feature_names.len().max(1);
    let w = q.input_fmt.width();
    let signed_x = q.input_fmt.signed;
    let fw = w * f as u32;
    // Centre codes: their own two's-complement width.
    let cmin = q
        .units
        .iter()
        .flat_map(|u| u.centre.iter().copied())
        .min()
        .unwrap_or(0)
        .min(0);
    let cmax = q
        .units
        .iter()
        .flat_map(|u| u.centre.iter().copied())
        .max()
        .unwrap_or(0)
        .max(0);
    let (wc, _) = crate::fixed::int_type(cmin, cmax);
    let wc = wc.max(1) + 1; // always signed storage
    let d = w.max(wc) + 2; // difference width (signed)
                           // Largest distance: per feature the largest |x − c| over the input range.
    let (xmin, xmax) = (
        i128::from(q.input_fmt.min_code()),
        i128::from(q.input_fmt.max_code()),
    );
    let total: u128 = (0..f)
        .map(|fi| {
            q.units
                .iter()
                .map(|u| {
                    let c = i128::from(u.centre.get(fi).copied().unwrap_or(0));
                    let m = (xmax - c).abs().max((c - xmin).abs()) as u128;
                    match q.metric {
                        Metric::SquaredEuclidean => m * m,
                        Metric::Manhattan => m,
                    }
                })
                .max()
                .unwrap_or(0)
        })
        .sum();
    let a = bits(total);
    let uw = bits(n as u128 - 1);
    let fcw = bits(f as u128 - 1);
    let aw = bits((n * f) as u128 - 1);
    let lw = class_width.max(1);

    let port = |dir, name: &str, width, comment: &str| Port {
        dir,
        name: name.into(),
        width,
        comment: Some(comment.into()),
    };
    let ports = vec![
        port(Dir::Input, "clk", 1, "clock"),
        port(Dir::Input, "rst", 1, "synchronous reset, active high"),
        port(
            Dir::Input,
            "in_valid",
            1,
            "in_features holds a vector (taken only while in_ready is high)",
        ),
        port(
            Dir::Input,
            "in_features",
            fw,
            "packed input codes, feature 0 at bit 0 (see report.json)",
        ),
        port(
            Dir::Output,
            "in_ready",
            1,
            "the core takes a vector this cycle",
        ),
        port(
            Dir::Output,
            "out_valid",
            1,
            &format!(
                "out_class answers the vector taken {} cycles earlier",
                timing(q).0
            ),
        ),
        port(
            Dir::Output,
            "out_class",
            class_width,
            "label of the first nearest prototype",
        ),
    ];

    let mask = |width: u32| -> u64 {
        if width >= 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        }
    };
    let centres: Vec<u64> = q
        .units
        .iter()
        .flat_map(|u| u.centre.iter().map(move |&c| (c as u64) & mask(wc)))
        .collect();
    let labels: Vec<u64> = q.units.iter().map(|u| u.class as u64).collect();
    let reg = |name: &str, width| Item::Reg {
        name: name.into(),
        width,
    };
    let wire = |name: &str, width| Item::Wire {
        name: name.into(),
        width,
    };
    let assign = |lhs: &str, rhs: Expr| Item::Assign {
        lhs: lhs.into(),
        rhs,
        comment: None,
    };
    let mut items = vec![
        Item::Comment(vec![format!(
            "{n} prototypes × {f} features, one pair per clock; distances {a} bits."
        )]),
        Item::Rom {
            name: "centres".into(),
            width: wc,
            values: centres,
        },
        Item::Rom {
            name: "labels".into(),
            width: lw,
            values: labels,
        },
        reg("busy", 1),
        reg("issuing", 1),
        reg("feat", fw),
        reg("addr", aw),
        reg("fidx", fcw),
        reg("unit", uw),
        reg("c_q", wc),
        reg("x_q", w),
        reg("v1", 1),
        reg("first1", 1),
        reg("last1", 1),
        reg("unit1", uw),
        reg("acc", a),
        reg("best_d", a),
        reg("best_c", lw),
        reg("valid_q", 1),
        reg("class_q", lw),
        Item::Blank,
        wire("xe", d),
        wire("ce", d),
        wire("diff", d),
        wire("term", a),
        wire("dsum", a),
        wire("better", 1),
        wire("lab", lw),
        wire("win", lw),
        assign("xe", extend("x_q", w, d, signed_x)),
        assign("ce", extend("c_q", wc, d, true)),
        assign("diff", bin(BinOp::Sub, id("xe"), id("ce"))),
    ];
    match q.metric {
        Metric::SquaredEuclidean => {
            // The square of a sign-extended difference, mod 2^(2d): exact, as it fits.
            // Only the low `a` bits of the square are read.
            items.push(Item::Comment(
                vec!["verilator lint_off UNUSEDSIGNAL".into()],
            ));
            items.push(wire("de", 2 * d));
            items.push(wire("sq", 2 * d));
            items.push(Item::Comment(vec!["verilator lint_on UNUSEDSIGNAL".into()]));
            items.push(assign("de", extend("diff", d, 2 * d, true)));
            items.push(assign("sq", bin(BinOp::Mul, id("de"), id("de"))));
            items.push(assign("term", low_or_extend("sq", 2 * d, a)));
        }
        Metric::Manhattan => {
            items.push(Item::Comment(
                vec!["verilator lint_off UNUSEDSIGNAL".into()],
            ));
            items.push(wire("absd", d));
            items.push(Item::Comment(vec!["verilator lint_on UNUSEDSIGNAL".into()]));
            items.push(assign(
                "absd",
                cond(
                    Expr::Bit("diff".into(), d - 1),
                    bin(BinOp::Sub, lit(d, 0), id("diff")),
                    id("diff"),
                ),
            ));
            items.push(assign("term", low_or_extend("absd", d, a)));
        }
    }
    items.extend([
        assign(
            "dsum",
            cond(
                id("first1"),
                id("term"),
                bin(BinOp::Add, id("acc"), id("term")),
            ),
        ),
        assign(
            "better",
            bin(
                BinOp::Or,
                not(bin(BinOp::Gt, id("unit1"), lit(uw, 0))),
                bin(BinOp::Lt, id("dsum"), id("best_d")),
            ),
        ),
        assign("lab", Expr::Index("labels".into(), Box::new(id("unit1")))),
        assign("win", cond(id("better"), id("lab"), id("best_c"))),
        assign("in_ready", not(id("busy"))),
        assign("out_valid", id("valid_q")),
        assign("out_class", low_or_extend("class_q", lw, class_width)),
        Item::Blank,
    ]);
    let rotate = if f > 1 {
        Expr::Concat(vec![
            low("feat", fw, w),
            Expr::Slice("feat".into(), fw - 1, w),
        ])
    } else {
        id("feat")
    };
    let last_f = not(bin(BinOp::Lt, id("fidx"), lit(fcw, (f - 1) as u64)));
    let issue = vec![
        set("c_q", Expr::Index("centres".into(), Box::new(id("addr")))),
        set("x_q", low("feat", fw, w)),
        set("feat", rotate),
        set("first1", not(bin(BinOp::Gt, id("fidx"), lit(fcw, 0)))),
        set("last1", last_f.clone()),
        set("unit1", id("unit")),
        set("addr", bin(BinOp::Add, id("addr"), lit(aw, 1))),
        Stmt::If(
            last_f,
            vec![
                set("fidx", lit(fcw, 0)),
                set("unit", bin(BinOp::Add, id("unit"), lit(uw, 1))),
            ],
            vec![set("fidx", bin(BinOp::Add, id("fidx"), lit(fcw, 1)))],
        ),
        Stmt::If(
            not(bin(BinOp::Lt, id("addr"), lit(aw, (n * f - 1) as u64))),
            vec![set("issuing", lit(1, 0))],
            vec![],
        ),
    ];
    let accept = vec![
        set("feat", id("in_features")),
        set("busy", lit(1, 1)),
        set("issuing", lit(1, 1)),
        set("addr", lit(aw, 0)),
        set("fidx", lit(fcw, 0)),
        set("unit", lit(uw, 0)),
    ];
    let consume = vec![
        set("acc", id("dsum")),
        Stmt::If(
            id("last1"),
            vec![
                set("best_d", cond(id("better"), id("dsum"), id("best_d"))),
                set("best_c", id("win")),
                Stmt::If(
                    not(bin(BinOp::Lt, id("unit1"), lit(uw, (n - 1) as u64))),
                    vec![
                        set("valid_q", lit(1, 1)),
                        set("class_q", id("win")),
                        set("busy", lit(1, 0)),
                    ],
                    vec![],
                ),
            ],
            vec![],
        ),
    ];
    items.push(Item::AlwaysPosedge {
        clock: "clk".into(),
        body: vec![Stmt::If(
            id("rst"),
            vec![
                set("busy", lit(1, 0)),
                set("issuing", lit(1, 0)),
                set("v1", lit(1, 0)),
                set("valid_q", lit(1, 0)),
            ],
            vec![
                set("valid_q", lit(1, 0)),
                set("v1", id("issuing")),
                Stmt::If(
                    id("issuing"),
                    issue,
                    vec![Stmt::If(
                        bin(BinOp::And, id("in_valid"), not(id("busy"))),
                        accept,
                        vec![],
                    )],
                ),
                Stmt::If(id("v1"), consume, vec![]),
            ],
        )],
    });
    Module {
        name: name.into(),
        header,
        ports,
        items,
    }
}

/// `name` (`have` bits, non-negative value) as `want` bits.
fn low_or_extend(name: &str, have: u32, want: u32) -> Expr {
    if want <= have {
        low(name, have, want)
    } else {
        extend(name, have, want, false)
    }
}
