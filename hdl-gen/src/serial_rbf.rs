//! The serial (time-shared) architecture for RBF models: one distance lane with one multiplier, centres and kernel tables in ROMs, visiting every (unit, feature) pair in turn.
//!
//! Where the parallel core builds a distance unit per centre (II = 1), this core has
//! one subtract-square-accumulate lane fed from a ROM of centre codes
//! (`centres[u·F + f]`, read through a register so synthesis can place it in block
//! RAM, the square in a DSP where the device has one). A vector is accepted when
//! `in_ready` is high; the lane then visits the units one after another, each in a
//! slot of S = max(F, T) clocks (F features, T the most kernel tables of one unit).
//!
//! - **Nearest-prototype models** keep the running minimum distance and its label
//!   and raise `out_valid` with `out_class` N·F + 2 clocks after the vector was
//!   accepted; `in_ready` rises again in that same cycle, so latency = II = N·F + 2.
//! - **SVMs and RBF networks.** When a unit's distance is complete, a kernel stage
//!   reads that unit's tables one per clock while the lane works on the next unit:
//!   an entry ROM (`kmeta`: table base address, last index, shift, output) and the
//!   table ROMs (`ktab`, and `kslope` for interpolated tables) give
//!   `t[min(d >> shift, len − 1)] (+ ⌊s·(d mod 2^shift) / 2^shift⌋)`, which is added
//!   to that output's accumulator (preset to the bias). When every entry is in, the
//!   decision module (`<name>_decide`, emitted from the same IR decision the parallel
//!   core uses, `lower_rbf::decide_ir`) turns the scores into the outputs. Latency =
//!   II = (N − 1)·S + F + T_last + 4 + the decision's latency, T_last being the last
//!   unit's number of tables.
//!
//! Bit-exactness: each distance is the same exact integer sum as the parallel core's
//! (the accumulator is as wide as the largest distance); kernel entries are the
//! tables of `quant::rbf`, indexed and interpolated as `fixed::kernel` defines, and
//! the output accumulators are wide enough for every partial sum. A prototype
//! replaces the best only when strictly nearer, so the first nearest wins ties as in
//! the integer reference. Cosimulation compares this core with the parallel IR's
//! `eval()` row by row.

use crate::ir::{Census, Ir, Ty};
use crate::model::rbf::{Metric, RbfKind};
use crate::passes::PassOptions;
use crate::quant::rbf::RbfQuant;
use crate::vlog::{BinOp, Dir, Expr, Item, Module, Port, Stmt};

/// Bits of an unsigned value (at least 1).
fn bits(v: u128) -> u32 {
    (128 - v.leading_zeros()).max(1)
}

/// Bits of the smallest two's-complement type holding `lo..=hi`.
fn sbits(lo: i128, hi: i128) -> u32 {
    let mut w = 1;
    while lo < -(1i128 << (w - 1)) || hi > (1i128 << (w - 1)) - 1 {
        w += 1;
    }
    w
}

/// A serial core: its modules (the core first), timing and census.
#[derive(Clone, Debug)]
pub struct Serial {
    pub modules: Vec<Module>,
    /// Clocks from the cycle a vector is taken to the cycle `out_valid` answers it.
    pub latency: u32,
    /// Clocks between vectors taken.
    pub ii: u32,
    pub census: Census,
}

/// Why `q` cannot be built serially, if it cannot.
pub fn unsupported(q: &RbfQuant) -> Option<String> {
    if q.units.is_empty() {
        return Some("the model has no units; expected --arch parallel".into());
    }
    if q.kind != RbfKind::Prototype {
        if q.units.iter().all(|u| u.tables.is_empty()) {
            return Some(
                "no unit has a nonzero output weight (the outputs are constants); expected --arch parallel"
                    .into(),
            );
        }
        let k = Kernel::new(q);
        if k.meta_width() > 64 {
            return Some(format!(
                "its kernel tables need {}-bit entry descriptors (at most 64); expected --arch parallel",
                k.meta_width()
            ));
        }
    }
    None
}

/// The serial core for `q`, whose parallel IR is `ir` (the interface both share: the
/// serial core has the parallel core's output ports, and `in_ready`). `opts` are the
/// passes' options (the decision module is pipelined like the parallel core).
pub fn build(
    q: &RbfQuant,
    ir: &Ir,
    opts: &PassOptions,
    name: &str,
    header: Vec<String>,
) -> Result<Serial, String> {
    if let Some(why) = unsupported(q) {
        return Err(why);
    }
    let port_ty = |n: &str| {
        ir.outputs
            .iter()
            .find(|o| o.name == n)
            .map(|o| ir.node(o.node).ty)
    };
    let class_width = port_ty("out_class").map_or(1, |t| t.width);
    let mut census = Census {
        inputs: q.feature_names.len() as u32,
        comparators: 2,
        adders: 4,
        muxes: 3,
        multipliers: u32::from(q.metric == Metric::SquaredEuclidean),
        ..Default::default()
    };
    let (modules, latency) = if q.kind == RbfKind::Prototype {
        let m = emit_serial(q, name, class_width, None, header);
        let n = (q.units.len() * q.feature_names.len()) as u32 + 2;
        (vec![m], n)
    } else {
        let n_out = q.n_outputs.max(1);
        let mut tys = Vec::with_capacity(n_out);
        for o in 0..n_out {
            let pn = if n_out == 1 {
                "out_score".to_string()
            } else {
                format!("out_score_{o}")
            };
            tys.push(port_ty(&pn).ok_or_else(|| format!("the parallel core has no {pn}"))?);
        }
        let dir = crate::lower_rbf::decide_ir(q, &tys);
        let dir = crate::passes::run(dir, opts, true)?;
        let dname = format!("{name}_decide");
        let dmod = crate::emit::emit(
            &dir,
            &dname,
            vec![
                // A second module in the core's file, named after the core.
                "verilator lint_off DECLFILENAME".into(),
                format!(
                    "{dname}: the decision of {name} from its output scores (latency {}).",
                    dir.latency()
                ),
            ],
        );
        let plan = Plan::new(q);
        let core = emit_serial(q, name, class_width, Some((&dir, &dname, &tys)), header);
        let dc = dir.census();
        census.comparators += dc.comparators;
        census.adders += dc.adders + n_out as u32 + 2;
        census.muxes += dc.muxes + 2;
        census.multipliers += u32::from(q.interp);
        census.registers += dc.registers;
        census.register_bits += dc.register_bits;
        (vec![core, dmod], plan.fin + 1 + dir.latency())
    };
    for item in &modules[0].items {
        match item {
            Item::Reg { width, .. } => {
                census.registers += 1;
                census.register_bits += u64::from(*width);
            }
            Item::Rom { width, values, .. } => {
                census.luts += 1;
                census.lut_bits += u64::from(*width) * values.len() as u64;
            }
            _ => {}
        }
    }
    Ok(Serial {
        modules,
        latency,
        ii: latency,
        census,
    })
}

/// The schedule of a kernel model's serial core.
struct Plan {
    /// Clocks per unit: max(F, T).
    slot: usize,
    /// The cycle (counted from 0 for the first cycle after the vector is taken) in
    /// which every accumulator holds its final score.
    fin: u32,
}

impl Plan {
    fn new(q: &RbfQuant) -> Plan {
        let n = q.units.len().max(1);
        let f = q.feature_names.len().max(1);
        let t_max = q.units.iter().map(|u| u.tables.len()).max().unwrap_or(0);
        let t_last = q.units.last().map_or(0, |u| u.tables.len());
        let slot = f.max(t_max);
        // Unit u's distance is complete in cycle u·S + F + 1 (counting the accepting
        // cycle as 0); its entry t is read in cycle u·S + F + 2 + t, looked up in the
        // next and accumulated at the end of the one after. So the last entry is in at
        // the end of cycle (N − 1)·S + F + 3 + T_last, and the scores are final in the
        // next, which is `fin` when cycles are counted from 0 one after the accept.
        let fin = ((n - 1) * slot + f + 3 + t_last) as u32;
        Plan { slot, fin }
    }
}

/// The kernel stage's ROM contents and widths.
struct Kernel {
    /// Per entry (unit order): base address, last index, shift, output.
    entries: Vec<(u64, u64, u32, usize)>,
    /// Per unit, its number of entries.
    counts: Vec<u64>,
    tab: Vec<i64>,
    slope: Vec<i64>,
    /// Bits of a table address, of a last index, of a shift, of an output index.
    abw: u32,
    limw: u32,
    shw: u32,
    ow: u32,
    /// Per output, the range of every partial sum of its entries and bias.
    acc_range: Vec<(i128, i128)>,
    /// Range of one entry's value.
    val_range: (i128, i128),
}

impl Kernel {
    fn new(q: &RbfQuant) -> Kernel {
        let n_out = q.n_outputs.max(1);
        let mut k = Kernel {
            entries: Vec::new(),
            counts: Vec::new(),
            tab: Vec::new(),
            slope: Vec::new(),
            abw: 1,
            limw: 1,
            shw: 1,
            ow: bits(n_out as u128 - 1),
            acc_range: q.bias.iter().map(|&b| (b as i128, b as i128)).collect(),
            val_range: (0, 0),
        };
        k.acc_range.resize(n_out, (0, 0));
        for u in &q.units {
            k.counts.push(u.tables.len() as u64);
            for (j, (o, t)) in u.tables.iter().enumerate() {
                let base = k.tab.len() as u64;
                let len = t.len().max(1);
                k.entries.push((base, len as u64 - 1, u.shift, *o));
                let s = u.slopes.get(j);
                let (mut lo, mut hi) = (i128::MAX, i128::MIN);
                for (i, &v) in t.iter().enumerate() {
                    let si = s.map_or(0, |s| s[i]) as i128;
                    let rmax = if s.is_some() && u.shift > 0 {
                        (1i128 << u.shift.min(100)) - 1
                    } else {
                        0
                    };
                    let far = (si * rmax) >> u.shift.min(126);
                    lo = lo.min(v as i128 + far.min(0));
                    hi = hi.max(v as i128 + far.max(0));
                }
                k.tab.extend(t);
                if let Some(s) = s {
                    k.slope.extend(s);
                }
                k.val_range = (k.val_range.0.min(lo), k.val_range.1.max(hi));
                if let Some(r) = k.acc_range.get_mut(*o) {
                    r.0 += lo.min(0);
                    r.1 += hi.max(0);
                }
            }
        }
        k.abw = bits(k.tab.len().max(1) as u128 - 1);
        k.limw = bits(k.entries.iter().map(|e| e.1).max().unwrap_or(0) as u128);
        k.shw = bits(k.entries.iter().map(|e| e.2).max().unwrap_or(0) as u128);
        k
    }

    fn meta_width(&self) -> u32 {
        self.abw + self.limw + self.shw + self.ow
    }

    /// The entry descriptors, packed `{out, shift, last, base}`.
    fn meta(&self) -> Vec<u64> {
        self.entries
            .iter()
            .map(|&(base, lim, sh, o)| {
                base | lim << self.abw
                    | u64::from(sh) << (self.abw + self.limw)
                    | (o as u64) << (self.abw + self.limw + self.shw)
            })
            .collect()
    }
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

/// The serial core. `class_width` is the `out_class` width; `decide` is, for kernel
/// models, the decision IR, its module's name and the score port types.
fn emit_serial(
    q: &RbfQuant,
    name: &str,
    class_width: u32,
    decide: Option<(&Ir, &str, &[Ty])>,
    header: Vec<String>,
) -> Module {
    let proto = decide.is_none();
    let n = q.units.len().max(1);
    let f = q.feature_names.len().max(1);
    let w = q.input_fmt.width();
    let signed_x = q.input_fmt.signed;
    let fw = w * f as u32;
    let plan = Plan::new(q);
    let slot = if proto { f } else { plan.slot };
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
    let fcw = bits(slot as u128 - 1);
    let aw = bits((n * f) as u128 - 1);
    let lw = class_width.max(1);

    let port = |dir, name: &str, width, comment: &str| Port {
        dir,
        name: name.into(),
        width,
        comment: Some(comment.into()),
    };
    let mut ports = vec![
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
    ];
    match decide {
        None => {
            ports.push(port(
                Dir::Output,
                "out_valid",
                1,
                &format!(
                    "out_class answers the vector taken {} cycles earlier",
                    n * f + 2
                ),
            ));
            ports.push(port(
                Dir::Output,
                "out_class",
                class_width,
                "label of the first nearest prototype",
            ));
        }
        Some((dir, _, _)) => {
            ports.push(port(
                Dir::Output,
                "out_valid",
                1,
                &format!(
                    "the outputs answer the vector taken {} cycles earlier",
                    plan.fin + 1 + dir.latency()
                ),
            ));
            for o in &dir.outputs {
                let ty = dir.node(o.node).ty;
                let what = if o.name == "out_class" {
                    "predicted class index".to_string()
                } else {
                    format!("score, {}", if ty.signed { "signed" } else { "unsigned" })
                };
                ports.push(port(Dir::Output, &o.name, ty.width, &what));
            }
        }
    }

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
    let waived = |items: &mut Vec<Item>, decl: Item| {
        items.push(Item::Comment(
            vec!["verilator lint_off UNUSEDSIGNAL".into()],
        ));
        items.push(decl);
        items.push(Item::Comment(vec!["verilator lint_on UNUSEDSIGNAL".into()]));
    };
    let what = if proto { "prototypes" } else { "units" };
    let mut items = vec![
        Item::Comment(vec![if slot == f {
            format!("{n} {what} × {f} features, one pair per clock; distances {a} bits.")
        } else {
            format!(
                "{n} {what} × {f} features, one pair per clock in slots of {slot} clocks; distances {a} bits."
            )
        }]),
        Item::Rom {
            name: "centres".into(),
            width: wc,
            values: centres,
        },
    ];
    if proto {
        items.push(Item::Rom {
            name: "labels".into(),
            width: lw,
            values: q.units.iter().map(|u| u.class as u64).collect(),
        });
    }
    items.extend([
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
    ]);
    if proto {
        items.extend([
            reg("best_d", a),
            reg("best_c", lw),
            reg("valid_q", 1),
            reg("class_q", lw),
        ]);
    }
    items.extend([
        Item::Blank,
        wire("xe", d),
        wire("ce", d),
        wire("diff", d),
        wire("term", a),
        wire("dsum", a),
        assign("xe", extend("x_q", w, d, signed_x)),
        assign("ce", extend("c_q", wc, d, true)),
        assign("diff", bin(BinOp::Sub, id("xe"), id("ce"))),
    ]);
    match q.metric {
        Metric::SquaredEuclidean => {
            // The square of a sign-extended difference, mod 2^(2d): exact, as it fits.
            // Only the low `a` bits of the square are read.
            waived(&mut items, wire("de", 2 * d));
            waived(&mut items, wire("sq", 2 * d));
            items.push(assign("de", extend("diff", d, 2 * d, true)));
            items.push(assign("sq", bin(BinOp::Mul, id("de"), id("de"))));
            items.push(assign("term", low_or_extend("sq", 2 * d, a)));
        }
        Metric::Manhattan => {
            waived(&mut items, wire("absd", d));
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
        assign("in_ready", not(id("busy"))),
    ]);
    if proto {
        items.extend([
            wire("better", 1),
            wire("lab", lw),
            wire("win", lw),
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
            assign("out_valid", id("valid_q")),
            assign("out_class", low_or_extend("class_q", lw, class_width)),
        ]);
    }
    items.push(Item::Blank);

    // The lane: issue (ROM read, feature select), then consume (accumulate).
    let rotate = if f > 1 {
        Expr::Concat(vec![
            low("feat", fw, w),
            Expr::Slice("feat".into(), fw - 1, w),
        ])
    } else {
        id("feat")
    };
    let last_f = at_least("fidx", fcw, (f - 1) as u64);
    let mut lane = vec![
        set("c_q", Expr::Index("centres".into(), Box::new(id("addr")))),
        set("x_q", low("feat", fw, w)),
        set("feat", rotate),
        set("first1", not(bin(BinOp::Gt, id("fidx"), lit(fcw, 0)))),
        set("last1", last_f.clone()),
        set("unit1", id("unit")),
        set("addr", bin(BinOp::Add, id("addr"), lit(aw, 1))),
        Stmt::If(
            at_least("addr", aw, (n * f - 1) as u64),
            vec![set("issuing", lit(1, 0))],
            vec![],
        ),
    ];
    let last_slot = at_least("fidx", fcw, (slot - 1) as u64);
    let advance = Stmt::If(
        last_slot,
        vec![
            set("fidx", lit(fcw, 0)),
            set("unit", bin(BinOp::Add, id("unit"), lit(uw, 1))),
        ],
        vec![set("fidx", bin(BinOp::Add, id("fidx"), lit(fcw, 1)))],
    );
    let issue = if slot == f {
        lane.push(advance);
        lane
    } else {
        // Slots longer than F: the lane idles for the rest of the slot.
        let on = bin(BinOp::Lt, id("fidx"), lit(fcw, f as u64));
        vec![set("v1", on.clone()), Stmt::If(on, lane, vec![]), advance]
    };
    let mut accept = vec![
        set("feat", id("in_features")),
        set("busy", lit(1, 1)),
        set("issuing", lit(1, 1)),
        set("addr", lit(aw, 0)),
        set("fidx", lit(fcw, 0)),
        set("unit", lit(uw, 0)),
    ];
    let mut consume = vec![set("acc", id("dsum"))];
    let mut reset = vec![
        set("busy", lit(1, 0)),
        set("issuing", lit(1, 0)),
        set("v1", lit(1, 0)),
    ];
    let mut every = Vec::new();
    let mut after = Vec::new();
    match decide {
        None => {
            reset.push(set("valid_q", lit(1, 0)));
            every.push(set("valid_q", lit(1, 0)));
            consume.push(Stmt::If(
                id("last1"),
                vec![
                    set("best_d", cond(id("better"), id("dsum"), id("best_d"))),
                    set("best_c", id("win")),
                    Stmt::If(
                        at_least("unit1", uw, (n - 1) as u64),
                        vec![
                            set("valid_q", lit(1, 1)),
                            set("class_q", id("win")),
                            set("busy", lit(1, 0)),
                        ],
                        vec![],
                    ),
                ],
                vec![],
            ));
        }
        Some((dir, dname, tys)) => kernel_stage(
            q,
            &plan,
            a,
            (dir, dname, tys),
            &mut items,
            &mut accept,
            &mut consume,
            &mut reset,
            &mut after,
        ),
    }
    every.push(set("v1", id("issuing")));
    every.push(Stmt::If(
        id("issuing"),
        issue,
        vec![Stmt::If(
            bin(BinOp::And, id("in_valid"), not(id("busy"))),
            accept,
            vec![],
        )],
    ));
    // The kernel stage reads the entries before a unit's completion reloads them.
    every.extend(after);
    every.push(Stmt::If(id("v1"), consume, vec![]));
    items.push(Item::AlwaysPosedge {
        clock: "clk".into(),
        body: vec![Stmt::If(id("rst"), reset, every)],
    });
    Module {
        name: name.into(),
        header,
        ports,
        items,
    }
}

/// The kernel stage of an SVM or RBF network: entry ROMs, the lookup pipeline, the
/// output accumulators and the decision module. `a` is the distance width.
#[allow(clippy::too_many_arguments)]
fn kernel_stage(
    q: &RbfQuant,
    plan: &Plan,
    a: u32,
    (dir, dname, tys): (&Ir, &str, &[Ty]),
    items: &mut Vec<Item>,
    accept: &mut Vec<Stmt>,
    consume: &mut Vec<Stmt>,
    reset: &mut Vec<Stmt>,
    after: &mut Vec<Stmt>,
) {
    let k = Kernel::new(q);
    let n_out = q.n_outputs.max(1);
    let t_max = k.counts.iter().copied().max().unwrap_or(0);
    let cw = bits(u128::from(t_max));
    let ew = bits(k.entries.len().max(1) as u128 - 1);
    let mw = k.meta_width();
    let (abw, limw, shw, ow) = (k.abw, k.limw, k.shw, k.ow);
    let tw = sbits(
        k.tab.iter().copied().min().unwrap_or(0).into(),
        k.tab.iter().copied().max().unwrap_or(0).into(),
    );
    let interp = q.interp && !k.slope.is_empty();
    let sw = sbits(
        k.slope.iter().copied().min().unwrap_or(0).into(),
        k.slope.iter().copied().max().unwrap_or(0).into(),
    );
    let rw = k.entries.iter().map(|e| e.2).max().unwrap_or(0).max(1);
    let pw = sw + rw;
    let kvw = sbits(k.val_range.0, k.val_range.1)
        .max(tw)
        .max(if interp { pw } else { 1 })
        + 1;
    let accw = k
        .acc_range
        .iter()
        .map(|&(lo, hi)| sbits(lo, hi))
        .chain(tys.iter().map(|t| t.width + u32::from(!t.signed)))
        .max()
        .unwrap_or(1)
        .max(kvw);
    let tick_w = bits(u128::from(plan.fin));
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
    let waived = |items: &mut Vec<Item>, decl: Item| {
        items.push(Item::Comment(
            vec!["verilator lint_off UNUSEDSIGNAL".into()],
        ));
        items.push(decl);
        items.push(Item::Comment(vec!["verilator lint_on UNUSEDSIGNAL".into()]));
    };
    let mask = |width: u32| -> u64 {
        if width >= 64 {
            u64::MAX
        } else {
            (1u64 << width) - 1
        }
    };
    items.push(Item::Comment(vec![format!(
        "Kernel stage: {} table entries of {} words; {n_out} output accumulators of {accw} bits.",
        k.entries.len(),
        k.tab.len()
    )]));
    items.push(Item::Rom {
        name: "kcount".into(),
        width: cw,
        values: k.counts.clone(),
    });
    items.push(Item::Rom {
        name: "kmeta".into(),
        width: mw,
        values: k.meta(),
    });
    items.push(Item::Rom {
        name: "ktab".into(),
        width: tw,
        values: k.tab.iter().map(|&v| (v as u64) & mask(tw)).collect(),
    });
    if interp {
        items.push(Item::Rom {
            name: "kslope".into(),
            width: sw,
            values: k.slope.iter().map(|&v| (v as u64) & mask(sw)).collect(),
        });
    }
    items.extend([
        reg("tick", tick_w),
        reg("dk", a),
        reg("kleft", cw),
        reg("ent", ew),
        reg("kv1", 1),
        reg("m_q", mw),
        reg("dk1", a),
        reg("kv2", 1),
        reg("t_q", tw),
        reg("o_q", ow),
    ]);
    if interp {
        items.extend([reg("s_q", sw), reg("r_q", rw), reg("sh_q", shw)]);
    }
    for (o, ty) in tys.iter().enumerate() {
        let decl = reg(&format!("sc_{o}"), accw);
        if accw > ty.width {
            waived(items, decl);
        } else {
            items.push(decl);
        }
    }
    let slice = |name: &str, lsb: u32, width: u32| {
        if width == 1 {
            Expr::Bit(name.into(), lsb)
        } else {
            Expr::Slice(name.into(), lsb + width - 1, lsb)
        }
    };
    let cmpw = a.max(limw);
    let mut wires = vec![
        wire("fin", 1),
        wire("m_base", abw),
        wire("m_lim", limw),
        wire("m_sh", shw),
        wire("m_out", ow),
        wire("kq", a),
        wire("kbig", 1),
        wire("kaddr", abw),
        wire("kval", kvw),
        assign(
            "fin",
            bin(
                BinOp::And,
                id("busy"),
                bin(BinOp::Eq, id("tick"), lit(tick_w, u64::from(plan.fin))),
            ),
        ),
        assign("m_base", slice("m_q", 0, abw)),
        assign("m_lim", slice("m_q", abw, limw)),
        assign("m_sh", slice("m_q", abw + limw, shw)),
        assign("m_out", slice("m_q", abw + limw + shw, ow)),
        assign("kq", bin(BinOp::Shr, id("dk1"), id("m_sh"))),
        assign(
            "kbig",
            bin(
                BinOp::Gt,
                extend("kq", a, cmpw, false),
                extend("m_lim", limw, cmpw, false),
            ),
        ),
        assign(
            "kaddr",
            bin(
                BinOp::Add,
                id("m_base"),
                cond(
                    id("kbig"),
                    extend("m_lim", limw, abw, false),
                    low_or_extend("kq", a, abw),
                ),
            ),
        ),
    ];
    if interp {
        // kval = t + ⌊s·r / 2^sh⌋, r = d mod 2^sh (fixed::kernel::interp_value).
        let dr = if a >= rw {
            low("dk1", a, rw)
        } else {
            extend("dk1", a, rw, false)
        };
        wires.extend([
            wire("kr", rw),
            wire("pe_s", pw),
            wire("pe_r", pw),
            wire("kp", pw),
            wire("kfrac", pw),
            assign(
                "kr",
                bin(
                    BinOp::And,
                    dr,
                    not(bin(
                        BinOp::Shl,
                        Expr::Repeat(rw, Box::new(lit(1, 1))),
                        id("m_sh"),
                    )),
                ),
            ),
            assign("pe_s", extend("s_q", sw, pw, true)),
            assign("pe_r", extend("r_q", rw, pw, false)),
            assign("kp", bin(BinOp::Mul, id("pe_s"), id("pe_r"))),
            assign(
                "kfrac",
                bin(BinOp::Sra, Expr::Signed(Box::new(id("kp"))), id("sh_q")),
            ),
            assign(
                "kval",
                bin(
                    BinOp::Add,
                    extend("t_q", tw, kvw, true),
                    extend("kfrac", pw, kvw, true),
                ),
            ),
        ]);
    } else {
        wires.push(assign("kval", extend("t_q", tw, kvw, true)));
    }
    items.extend(wires);
    // Decision module on the packed scores (first at bit 0).
    let mut packed: Vec<Expr> = tys
        .iter()
        .enumerate()
        .map(|(o, ty)| low_or_extend_signed(&format!("sc_{o}"), accw, ty.width))
        .collect();
    packed.reverse();
    let mut conns = vec![
        ("clk".to_string(), id("clk")),
        ("rst".to_string(), id("rst")),
        ("in_valid".to_string(), id("fin")),
        (
            "in_features".to_string(),
            if packed.len() == 1 {
                packed.remove(0)
            } else {
                Expr::Concat(packed)
            },
        ),
        ("out_valid".to_string(), id("out_valid")),
    ];
    for o in &dir.outputs {
        conns.push((o.name.clone(), id(&o.name)));
    }
    items.push(Item::Instance {
        module: dname.into(),
        name: "u_decide".into(),
        params: Vec::new(),
        conns,
    });

    reset.extend([
        set("kleft", lit(cw, 0)),
        set("kv1", lit(1, 0)),
        set("kv2", lit(1, 0)),
    ]);
    accept.push(set("tick", lit(tick_w, 0)));
    accept.push(set("ent", lit(ew, 0)));
    for (o, &b) in q.bias.iter().enumerate().take(n_out) {
        accept.push(set(&format!("sc_{o}"), lit(accw, b as u64 & mask(accw))));
    }
    consume.push(Stmt::If(
        id("last1"),
        vec![
            set("dk", id("dsum")),
            set("kleft", Expr::Index("kcount".into(), Box::new(id("unit1")))),
        ],
        vec![],
    ));
    let mut k2 = vec![set("kv2", id("kv1"))];
    k2.push(set(
        "t_q",
        Expr::Index("ktab".into(), Box::new(id("kaddr"))),
    ));
    k2.push(set("o_q", id("m_out")));
    if interp {
        k2.push(set(
            "s_q",
            Expr::Index("kslope".into(), Box::new(id("kaddr"))),
        ));
        k2.push(set("r_q", id("kr")));
        k2.push(set("sh_q", id("m_sh")));
    }
    let mut acc = Vec::new();
    for o in 0..n_out {
        let sc = format!("sc_{o}");
        acc.push(Stmt::If(
            bin(
                BinOp::And,
                id("kv2"),
                bin(BinOp::Eq, id("o_q"), lit(ow, o as u64)),
            ),
            vec![set(
                &sc,
                bin(BinOp::Add, id(&sc), extend("kval", kvw, accw, true)),
            )],
            vec![],
        ));
    }
    after.push(Stmt::If(
        id("busy"),
        vec![set("tick", bin(BinOp::Add, id("tick"), lit(tick_w, 1)))],
        vec![],
    ));
    after.push(Stmt::If(id("fin"), vec![set("busy", lit(1, 0))], vec![]));
    after.push(Stmt::If(
        bin(BinOp::Gt, id("kleft"), lit(cw, 0)),
        vec![
            set("kv1", lit(1, 1)),
            set("m_q", Expr::Index("kmeta".into(), Box::new(id("ent")))),
            set("dk1", id("dk")),
            set("ent", bin(BinOp::Add, id("ent"), lit(ew, 1))),
            set("kleft", bin(BinOp::Sub, id("kleft"), lit(cw, 1))),
        ],
        vec![set("kv1", lit(1, 0))],
    ));
    after.extend(k2);
    after.extend(acc);
}

/// `name` (`have` bits, two's complement) as `want` bits: its low bits or its sign
/// extension.
fn low_or_extend_signed(name: &str, have: u32, want: u32) -> Expr {
    if want <= have {
        low(name, have, want)
    } else {
        extend(name, have, want, true)
    }
}

/// `name ≥ k` (`name` unsigned, `w` bits): constant true when `k` is 0.
fn at_least(name: &str, w: u32, k: u64) -> Expr {
    if k == 0 {
        lit(1, 1)
    } else {
        not(bin(BinOp::Lt, id(name), lit(w, k)))
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
