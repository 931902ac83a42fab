//! The serial (time-shared) architecture for RBF models: K distance lanes, each with one multiplier and its centres and kernel tables in ROMs, visiting every (unit, feature) pair in turn.
//!
//! Where the parallel core builds a distance unit per centre (II = 1), this core has
//! K subtract-square-accumulate lanes (`RbfQuant::lanes`), lane j taking units j,
//! j + K, j + 2K, …, each fed from its own ROM of centre codes (`centres_j[s·F + f]`
//! for slot s, read through a register so synthesis can place it in block RAM, the
//! square in a DSP where the device has one). A vector is accepted when `in_ready`
//! is high; the lanes then visit their units slot by slot, each slot S = max(F, T)
//! clocks (F features, T the most kernel tables of one unit), all lanes reading the
//! same feature each clock.
//!
//! - **Nearest-prototype models** keep the running minimum distance and its label
//!   (the slot's nearest over the lanes comes from a tree of ⌈log2 K⌉ registered
//!   levels, started the clock after the slot's last feature) and raise `out_valid`
//!   with `out_class` ⌈N/K⌉·F + 3 + ⌈log2 K⌉ clocks after the vector was accepted;
//!   `in_ready` rises again in that same cycle, so latency = II.
//! - **SVMs and RBF networks.** When a unit's distance is complete, a kernel stage
//!   reads that unit's tables one per clock while the lane works on the next unit:
//!   an entry ROM (`kmeta`: table base address, last index, shift, output) and the
//!   table ROMs (`ktab`, and `kslope` for interpolated tables) give
//!   `t[min(d >> shift, len − 1)] (+ ⌊s·(d mod 2^shift) / 2^shift⌋)`, which is added
//!   to that lane's accumulator of that output (lane 0's preset to the bias). When
//!   every entry is in, the lanes' accumulators are summed and the decision module
//!   (`<name>_decide`, emitted from the same IR decision the parallel core uses,
//!   `lower_rbf::decide_ir`) turns the scores into the outputs. Latency = II =
//!   (⌈N/K⌉ − 1)·S + F + T_last + 4 + the decision's latency, T_last being the most
//!   tables of a unit in the last slot.
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
        let all: Vec<Option<usize>> = (0..q.units.len()).map(Some).collect();
        let k = Kernel::new(q, &all);
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
    let plan = Plan::new(q);
    census.multipliers *= plan.lanes as u32;
    let (modules, latency) = if q.kind == RbfKind::Prototype {
        let m = emit_serial(q, name, class_width, None, header);
        let n = (plan.slots * q.feature_names.len()) as u32 + 3 + tree_levels(plan.lanes);
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
        let core = emit_serial(q, name, class_width, Some((&dir, &dname, &tys)), header);
        let dc = dir.census();
        census.comparators += dc.comparators;
        census.adders += dc.adders + n_out as u32 + 2;
        census.muxes += dc.muxes + 2;
        census.multipliers += plan.lanes as u32 * u32::from(q.interp);
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

/// The schedule of a serial core: `lanes` lanes, lane `j` taking units `j`, `j + K`,
/// `j + 2K`, … one per slot.
struct Plan {
    lanes: usize,
    /// Slots: ⌈N / K⌉.
    slots: usize,
    /// Clocks per slot: F for prototypes, max(F, T) for kernel models.
    slot: usize,
    /// The cycle (counted from 0 for the first cycle after the vector is taken) in
    /// which every accumulator holds its final score (kernel models).
    fin: u32,
}

impl Plan {
    fn new(q: &RbfQuant) -> Plan {
        let n = q.units.len().max(1);
        let f = q.feature_names.len().max(1);
        let lanes = (q.lanes.max(1) as usize).min(n);
        let slots = n.div_ceil(lanes);
        let t_max = q.units.iter().map(|u| u.tables.len()).max().unwrap_or(0);
        let t_last = q.units[(slots - 1) * lanes.min(q.units.len())..]
            .iter()
            .map(|u| u.tables.len())
            .max()
            .unwrap_or(0);
        let slot = if q.kind == RbfKind::Prototype {
            f
        } else {
            f.max(t_max)
        };
        // Slot s's distances are complete in cycle s·S + F + 1 (counting the accepting
        // cycle as 0); their entry t is read in cycle s·S + F + 2 + t, looked up in the
        // next and accumulated at the end of the one after. So the last entry is in at
        // the end of cycle (slots − 1)·S + F + 3 + T_last, and the scores are final in
        // the next, which is `fin` when cycles are counted from 0 one after the accept.
        let fin = ((slots - 1) * slot + f + 3 + t_last) as u32;
        Plan {
            lanes,
            slots,
            slot,
            fin,
        }
    }

    /// Lane `j`'s units, slot by slot (`None` past the last unit).
    fn lane_units(&self, q: &RbfQuant, j: usize) -> Vec<Option<usize>> {
        (0..self.slots)
            .map(|s| Some(s * self.lanes + j).filter(|&u| u < q.units.len()))
            .collect()
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
    /// The tables of `units` in order (`None`: a padding slot with no tables).
    fn new(q: &RbfQuant, units: &[Option<usize>]) -> Kernel {
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
        for u in units {
            let Some(u) = u.and_then(|u| q.units.get(u)) else {
                k.counts.push(0);
                continue;
            };
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

/// Declarations and assignments, shared by the core's parts.
fn reg(name: &str, width: u32) -> Item {
    Item::Reg {
        name: name.into(),
        width,
    }
}

fn wire(name: &str, width: u32) -> Item {
    Item::Wire {
        name: name.into(),
        width,
    }
}

fn assign(lhs: &str, rhs: Expr) -> Item {
    Item::Assign {
        lhs: lhs.into(),
        rhs,
        comment: None,
    }
}

/// `decl` inside a lint waiver: a signal only partly read.
fn waived(items: &mut Vec<Item>, decl: Item) {
    items.push(Item::Comment(
        vec!["verilator lint_off UNUSEDSIGNAL".into()],
    ));
    items.push(decl);
    items.push(Item::Comment(vec!["verilator lint_on UNUSEDSIGNAL".into()]));
}

/// A ROM of two's-complement `values` (one zero word when there are none).
fn signed_rom(name: &str, width: u32, values: &[i64]) -> Item {
    Item::Rom {
        name: name.into(),
        width,
        values: if values.is_empty() {
            vec![0]
        } else {
            values.iter().map(|&v| (v as u64) & mask(width)).collect()
        },
    }
}

/// The low `width` bits of a signed value, as stored in a ROM word.
fn mask(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
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
    let plan = Plan::new(q);
    let (k, slots, slot) = (plan.lanes, plan.slots, plan.slot);
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
    let sw_ = bits(slots as u128 - 1);
    let fcw = bits(slot as u128 - 1);
    let aw = bits((slots * f) as u128 - 1);
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
                    slots * f + 3 + tree_levels(k) as usize
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
            ports.extend(crate::emit::output_ports(dir));
        }
    }

    let what = if proto { "prototypes" } else { "units" };
    let n = q.units.len();
    let mut items = vec![Item::Comment(vec![
        format!(
            "{n} {what} × {f} features on {k} lane{}: {slots} slot{} of {slot} clocks, one feature per clock; distances {a} bits.",
            if k == 1 { "" } else { "s" },
            if slots == 1 { "" } else { "s" },
        ),
        format!("Lane j takes units j, j + {k}, j + {}, …", 2 * k),
    ])];
    // Per lane: the centres ROM, read at the shared address (slot·F + feature).
    for j in 0..k {
        let centres: Vec<u64> = plan
            .lane_units(q, j)
            .into_iter()
            .flat_map(|u| {
                (0..f).map(move |fi| {
                    let c = u.map_or(0, |u| q.units[u].centre.get(fi).copied().unwrap_or(0));
                    (c as u64) & mask(wc)
                })
            })
            .collect();
        items.push(Item::Rom {
            name: format!("centres_{j}"),
            width: wc,
            values: centres,
        });
        if proto {
            items.push(Item::Rom {
                name: format!("labels_{j}"),
                width: lw,
                values: plan
                    .lane_units(q, j)
                    .into_iter()
                    .map(|u| u.map_or(0, |u| q.units[u].class as u64))
                    .collect(),
            });
        }
    }
    items.extend([
        reg("busy", 1),
        reg("issuing", 1),
        reg("feat", fw),
        reg("addr", aw),
        reg("fidx", fcw),
        reg("slot", sw_),
        reg("x_q", w),
        reg("v1", 1),
        reg("first1", 1),
        reg("last1", 1),
        reg("slot1", sw_),
    ]);
    for j in 0..k {
        items.push(reg(&format!("c_q_{j}"), wc));
        items.push(reg(&format!("acc_{j}"), a));
    }
    if proto {
        items.extend([
            reg("v2", 1),
            reg("slot2", sw_),
            reg("best_d", a),
            reg("best_c", lw),
            reg("valid_q", 1),
            reg("class_q", lw),
        ]);
    }
    items.push(Item::Blank);
    items.push(wire("xe", d));
    items.push(assign("xe", extend("x_q", w, d, signed_x)));
    for j in 0..k {
        let (ce, diff, term, dsum) = (
            format!("ce_{j}"),
            format!("diff_{j}"),
            format!("term_{j}"),
            format!("dsum_{j}"),
        );
        items.extend([
            wire(&ce, d),
            wire(&diff, d),
            wire(&term, a),
            wire(&dsum, a),
            assign(&ce, extend(&format!("c_q_{j}"), wc, d, true)),
            assign(&diff, bin(BinOp::Sub, id("xe"), id(&ce))),
        ]);
        match q.metric {
            Metric::SquaredEuclidean => {
                // The square of a sign-extended difference, mod 2^(2d): exact, as it
                // fits. Only the low `a` bits of the square are read.
                let (de, sq) = (format!("de_{j}"), format!("sq_{j}"));
                waived(&mut items, wire(&de, 2 * d));
                waived(&mut items, wire(&sq, 2 * d));
                items.push(assign(&de, extend(&diff, d, 2 * d, true)));
                items.push(assign(&sq, bin(BinOp::Mul, id(&de), id(&de))));
                items.push(assign(&term, low_or_extend(&sq, 2 * d, a)));
            }
            Metric::Manhattan => {
                let absd = format!("absd_{j}");
                waived(&mut items, wire(&absd, d));
                items.push(assign(
                    &absd,
                    cond(
                        Expr::Bit(diff.clone(), d - 1),
                        bin(BinOp::Sub, lit(d, 0), id(&diff)),
                        id(&diff),
                    ),
                ));
                items.push(assign(&term, low_or_extend(&absd, d, a)));
            }
        }
        items.push(assign(
            &dsum,
            cond(
                id("first1"),
                id(&term),
                bin(BinOp::Add, id(&format!("acc_{j}")), id(&term)),
            ),
        ));
    }
    items.push(assign("in_ready", not(id("busy"))));
    let mut tree = (Vec::new(), Vec::new());
    if proto {
        tree = nearest_of_slot(q, &plan, a, lw, &mut items);
        items.extend([
            wire("better", 1),
            assign(
                "better",
                bin(
                    BinOp::And,
                    id("sv"),
                    bin(
                        BinOp::Or,
                        not(bin(BinOp::Gt, id("sf"), lit(sw_, 0))),
                        bin(BinOp::Lt, id("sd"), id("best_d")),
                    ),
                ),
            ),
            wire("win", lw),
            assign("win", cond(id("better"), id("sl"), id("best_c"))),
            assign("out_valid", id("valid_q")),
            assign("out_class", low_or_extend("class_q", lw, class_width)),
        ]);
    }
    items.push(Item::Blank);

    // The lanes: issue (ROM reads, feature select), then consume (accumulate).
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
        set("x_q", low("feat", fw, w)),
        set("feat", rotate),
        set("first1", not(bin(BinOp::Gt, id("fidx"), lit(fcw, 0)))),
        set("last1", last_f),
        set("slot1", id("slot")),
        set("addr", bin(BinOp::Add, id("addr"), lit(aw, 1))),
        Stmt::If(
            at_least("addr", aw, (slots * f - 1) as u64),
            vec![set("issuing", lit(1, 0))],
            vec![],
        ),
    ];
    for j in 0..k {
        lane.push(set(
            &format!("c_q_{j}"),
            Expr::Index(format!("centres_{j}"), Box::new(id("addr"))),
        ));
    }
    let last_slot = at_least("fidx", fcw, (slot - 1) as u64);
    let advance = Stmt::If(
        last_slot,
        vec![
            set("fidx", lit(fcw, 0)),
            set("slot", bin(BinOp::Add, id("slot"), lit(sw_, 1))),
        ],
        vec![set("fidx", bin(BinOp::Add, id("fidx"), lit(fcw, 1)))],
    );
    let issue = if slot == f {
        lane.push(advance);
        lane
    } else {
        // Slots longer than F: the lanes idle for the rest of the slot.
        let on = bin(BinOp::Lt, id("fidx"), lit(fcw, f as u64));
        vec![set("v1", on.clone()), Stmt::If(on, lane, vec![]), advance]
    };
    let mut accept = vec![
        set("feat", id("in_features")),
        set("busy", lit(1, 1)),
        set("issuing", lit(1, 1)),
        set("addr", lit(aw, 0)),
        set("fidx", lit(fcw, 0)),
        set("slot", lit(sw_, 0)),
    ];
    let mut consume: Vec<Stmt> = (0..k)
        .map(|j| set(&format!("acc_{j}"), id(&format!("dsum_{j}"))))
        .collect();
    let mut reset = vec![
        set("busy", lit(1, 0)),
        set("issuing", lit(1, 0)),
        set("v1", lit(1, 0)),
    ];
    let mut every = Vec::new();
    let mut after = Vec::new();
    match decide {
        None => {
            // The clock after a slot's last feature, its distances are in the lanes'
            // accumulators: take the slot's nearest, then the running nearest.
            reset.push(set("valid_q", lit(1, 0)));
            reset.push(set("v2", lit(1, 0)));
            reset.extend(tree.1);
            every.push(set("valid_q", lit(1, 0)));
            every.push(set("v2", bin(BinOp::And, id("v1"), id("last1"))));
            every.push(set("slot2", id("slot1")));
            every.extend(tree.0);
            after.push(Stmt::If(
                id("vf"),
                vec![
                    set("best_d", cond(id("better"), id("sd"), id("best_d"))),
                    set("best_c", id("win")),
                    Stmt::If(
                        at_least("sf", sw_, (slots - 1) as u64),
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
    // The kernel stage reads the entries before a slot's completion reloads them.
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

/// Levels of the lanes' compare-select tree: ⌈log2 K⌉.
fn tree_levels(lanes: usize) -> u32 {
    (usize::BITS - (lanes.max(1) - 1).leading_zeros()).min(usize::BITS)
}

/// The first nearest prototype of the slot whose distances the lanes' accumulators
/// hold in the clock after its last feature (`v2`): a balanced tree of
/// compare-selects over the lanes, the lower lane winning ties and a lane past the
/// last unit never winning, one registered level per clock (so K lanes add ⌈log2 K⌉
/// clocks, not logic depth). Declares `sd`, `sl`, `sv` (distance, label, some lane
/// holds a prototype) with `vf` (they are valid) and `sf` (their slot); returns the
/// register updates and the resets.
fn nearest_of_slot(
    q: &RbfQuant,
    plan: &Plan,
    a: u32,
    lw: u32,
    items: &mut Vec<Item>,
) -> (Vec<Stmt>, Vec<Stmt>) {
    let sw_ = bits(plan.slots as u128 - 1);
    let (mut updates, mut resets) = (Vec::new(), Vec::new());
    // Level 0: the lanes.
    let mut live: Vec<(Expr, Expr, Expr)> = Vec::new();
    for j in 0..plan.lanes {
        let lab = format!("lab_{j}");
        items.push(wire(&lab, lw));
        items.push(assign(
            &lab,
            Expr::Index(format!("labels_{j}"), Box::new(id("slot2"))),
        ));
        // A lane holds a unit in every slot but perhaps the last.
        let has = plan.lane_units(q, j).iter().filter(|u| u.is_some()).count();
        let valid = if has == plan.slots {
            lit(1, 1)
        } else {
            bin(BinOp::Lt, id("slot2"), lit(sw_, has as u64))
        };
        live.push((id(&format!("acc_{j}")), id(&lab), valid));
    }
    let (mut vld, mut slot) = (id("v2"), id("slot2"));
    let mut level = 0;
    while live.len() > 1 {
        let mut next = Vec::new();
        for (i, pair) in live.chunks(2).enumerate() {
            let (d, l, v) = (
                format!("pd_{level}_{i}"),
                format!("pl_{level}_{i}"),
                format!("pv_{level}_{i}"),
            );
            items.extend([reg(&d, a), reg(&l, lw), reg(&v, 1)]);
            match pair {
                [x, y] => {
                    // Take the right one only when it is valid and strictly nearer
                    // (or the left one is not valid).
                    let t = format!("pt_{level}_{i}");
                    items.extend([
                        wire(&t, 1),
                        assign(
                            &t,
                            bin(
                                BinOp::And,
                                y.2.clone(),
                                bin(
                                    BinOp::Or,
                                    not(x.2.clone()),
                                    bin(BinOp::Lt, y.0.clone(), x.0.clone()),
                                ),
                            ),
                        ),
                    ]);
                    updates.extend([
                        set(&d, cond(id(&t), y.0.clone(), x.0.clone())),
                        set(&l, cond(id(&t), y.1.clone(), x.1.clone())),
                        set(&v, bin(BinOp::Or, x.2.clone(), y.2.clone())),
                    ]);
                }
                [x] => updates.extend([
                    set(&d, x.0.clone()),
                    set(&l, x.1.clone()),
                    set(&v, x.2.clone()),
                ]),
                _ => unreachable!("chunks(2) yields one or two"),
            }
            next.push((id(&d), id(&l), id(&v)));
        }
        let (pv, ps) = (format!("pvld_{level}"), format!("pslot_{level}"));
        items.extend([reg(&pv, 1), reg(&ps, sw_)]);
        updates.extend([set(&pv, vld), set(&ps, slot)]);
        resets.push(set(&pv, lit(1, 0)));
        (vld, slot) = (id(&pv), id(&ps));
        live = next;
        level += 1;
    }
    let (d, l, v) = live.remove(0);
    items.extend([
        wire("sd", a),
        wire("sl", lw),
        wire("sv", 1),
        wire("vf", 1),
        wire("sf", sw_),
        assign("sd", d),
        assign("sl", l),
        assign("sv", v),
        assign("vf", vld),
        assign("sf", slot),
    ]);
    (updates, resets)
}

/// The kernel stage of an SVM or RBF network: per lane its entry ROMs, lookup
/// pipeline and output accumulators; the lanes' sums and the decision module. `a` is
/// the distance width.
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
    let all: Vec<Option<usize>> = (0..q.units.len()).map(Some).collect();
    let g = Kernel::new(q, &all);
    let lanes: Vec<Kernel> = (0..plan.lanes)
        .map(|j| Kernel::new(q, &plan.lane_units(q, j)))
        .collect();
    let n_out = q.n_outputs.max(1);
    let sw_ = bits(plan.slots as u128 - 1);
    let t_max = g.counts.iter().copied().max().unwrap_or(0);
    let cw = bits(u128::from(t_max));
    // Common field widths but the address's: each ROM is indexed by exactly its
    // address bits.
    let (limw, shw, ow) = (g.limw, g.shw, g.ow);
    let tw = sbits(
        g.tab.iter().copied().min().unwrap_or(0).into(),
        g.tab.iter().copied().max().unwrap_or(0).into(),
    );
    let interp = q.interp && !g.slope.is_empty();
    let sw = sbits(
        g.slope.iter().copied().min().unwrap_or(0).into(),
        g.slope.iter().copied().max().unwrap_or(0).into(),
    );
    let rw = g.entries.iter().map(|e| e.2).max().unwrap_or(0).max(1);
    let pw = sw + rw;
    let kvw = sbits(g.val_range.0, g.val_range.1)
        .max(tw)
        .max(if interp { pw } else { 1 })
        + 1;
    // Every partial sum, of one lane or of all, is a sum of some entries and perhaps
    // the bias: within `acc_range`.
    let accw = g
        .acc_range
        .iter()
        .map(|&(lo, hi)| sbits(lo, hi))
        .chain(tys.iter().map(|t| t.width + u32::from(!t.signed)))
        .max()
        .unwrap_or(1)
        .max(kvw);
    let tick_w = bits(u128::from(plan.fin));
    let slice = |name: &str, lsb: u32, width: u32| {
        if width == 1 {
            Expr::Bit(name.into(), lsb)
        } else {
            Expr::Slice(name.into(), lsb + width - 1, lsb)
        }
    };
    items.push(Item::Comment(vec![format!(
        "Kernel stage: {} table entries of {} words in {} lane{}; {n_out} output accumulators of {accw} bits per lane.",
        g.entries.len(),
        g.tab.len(),
        plan.lanes,
        if plan.lanes == 1 { "" } else { "s" }
    )]));
    items.extend([reg("tick", tick_w), wire("fin", 1)]);
    items.push(assign(
        "fin",
        bin(
            BinOp::And,
            id("busy"),
            bin(BinOp::Eq, id("tick"), lit(tick_w, u64::from(plan.fin))),
        ),
    ));
    accept.push(set("tick", lit(tick_w, 0)));
    after.push(Stmt::If(
        id("busy"),
        vec![set("tick", bin(BinOp::Add, id("tick"), lit(tick_w, 1)))],
        vec![],
    ));
    after.push(Stmt::If(id("fin"), vec![set("busy", lit(1, 0))], vec![]));
    for (j, l) in lanes.iter().enumerate() {
        let nm = |s: &str| format!("{s}_{j}");
        let ew = bits(l.entries.len().max(1) as u128 - 1);
        let abw = l.abw;
        let mw = abw + limw + shw + ow;
        let meta: Vec<u64> = l
            .entries
            .iter()
            .map(|&(base, lim, sh, o)| {
                base | lim << abw | u64::from(sh) << (abw + limw) | (o as u64) << (abw + limw + shw)
            })
            .collect();
        items.push(Item::Rom {
            name: nm("kcount"),
            width: cw,
            values: l.counts.clone(),
        });
        items.push(Item::Rom {
            name: nm("kmeta"),
            width: mw,
            values: if meta.is_empty() { vec![0] } else { meta },
        });
        items.push(signed_rom(&nm("ktab"), tw, &l.tab));
        if interp {
            items.push(signed_rom(&nm("kslope"), sw, &l.slope));
        }
        items.extend([
            reg(&nm("dk"), a),
            reg(&nm("kleft"), cw),
            reg(&nm("ent"), ew),
            reg(&nm("kv1"), 1),
            reg(&nm("m_q"), mw),
            reg(&nm("dk1"), a),
            reg(&nm("kv2"), 1),
            reg(&nm("t_q"), tw),
            reg(&nm("o_q"), ow),
        ]);
        if interp {
            items.extend([
                reg(&nm("s_q"), sw),
                reg(&nm("r_q"), rw),
                reg(&nm("sh_q"), shw),
            ]);
        }
        for (o, ty) in tys.iter().enumerate() {
            let decl = reg(&format!("sc_{j}_{o}"), accw);
            if accw > ty.width && plan.lanes == 1 {
                waived(items, decl);
            } else {
                items.push(decl);
            }
        }
        let cmpw = a.max(limw);
        let (m_q, dk1, kq, m_sh, m_lim) = (nm("m_q"), nm("dk1"), nm("kq"), nm("m_sh"), nm("m_lim"));
        items.extend([
            wire(&nm("m_base"), abw),
            wire(&m_lim, limw),
            wire(&m_sh, shw),
            wire(&nm("m_out"), ow),
            wire(&kq, a),
            wire(&nm("kbig"), 1),
            wire(&nm("kaddr"), abw),
            wire(&nm("kval"), kvw),
            assign(&nm("m_base"), slice(&m_q, 0, abw)),
            assign(&m_lim, slice(&m_q, abw, limw)),
            assign(&m_sh, slice(&m_q, abw + limw, shw)),
            assign(&nm("m_out"), slice(&m_q, abw + limw + shw, ow)),
            assign(&kq, bin(BinOp::Shr, id(&dk1), id(&m_sh))),
            assign(
                &nm("kbig"),
                bin(
                    BinOp::Gt,
                    extend(&kq, a, cmpw, false),
                    extend(&m_lim, limw, cmpw, false),
                ),
            ),
            assign(
                &nm("kaddr"),
                bin(
                    BinOp::Add,
                    id(&nm("m_base")),
                    cond(
                        id(&nm("kbig")),
                        extend(&m_lim, limw, abw, false),
                        low_or_extend(&kq, a, abw),
                    ),
                ),
            ),
        ]);
        if interp {
            // kval = t + ⌊s·r / 2^sh⌋, r = d mod 2^sh (fixed::kernel::interp_value).
            let dr = if a >= rw {
                low(&dk1, a, rw)
            } else {
                extend(&dk1, a, rw, false)
            };
            items.extend([
                wire(&nm("kr"), rw),
                wire(&nm("pe_s"), pw),
                wire(&nm("pe_r"), pw),
                wire(&nm("kp"), pw),
                wire(&nm("kfrac"), pw),
                assign(
                    &nm("kr"),
                    bin(
                        BinOp::And,
                        dr,
                        not(bin(
                            BinOp::Shl,
                            Expr::Repeat(rw, Box::new(lit(1, 1))),
                            id(&m_sh),
                        )),
                    ),
                ),
                assign(&nm("pe_s"), extend(&nm("s_q"), sw, pw, true)),
                assign(&nm("pe_r"), extend(&nm("r_q"), rw, pw, false)),
                assign(&nm("kp"), bin(BinOp::Mul, id(&nm("pe_s")), id(&nm("pe_r")))),
                assign(
                    &nm("kfrac"),
                    bin(
                        BinOp::Sra,
                        Expr::Signed(Box::new(id(&nm("kp")))),
                        id(&nm("sh_q")),
                    ),
                ),
                assign(
                    &nm("kval"),
                    bin(
                        BinOp::Add,
                        extend(&nm("t_q"), tw, kvw, true),
                        extend(&nm("kfrac"), pw, kvw, true),
                    ),
                ),
            ]);
        } else {
            items.push(assign(&nm("kval"), extend(&nm("t_q"), tw, kvw, true)));
        }

        reset.extend([
            set(&nm("kleft"), lit(cw, 0)),
            set(&nm("kv1"), lit(1, 0)),
            set(&nm("kv2"), lit(1, 0)),
        ]);
        accept.push(set(&nm("ent"), lit(ew, 0)));
        for o in 0..n_out {
            // The bias starts lane 0's accumulators; the others start at 0.
            let b = if j == 0 {
                q.bias.get(o).copied().unwrap_or(0)
            } else {
                0
            };
            accept.push(set(
                &format!("sc_{j}_{o}"),
                lit(accw, b as u64 & mask(accw)),
            ));
        }
        consume.push(Stmt::If(
            id("last1"),
            vec![
                set(&nm("dk"), id(&nm("dsum"))),
                set(
                    &nm("kleft"),
                    Expr::Index(nm("kcount"), Box::new(id("slot1"))),
                ),
            ],
            vec![],
        ));
        // Entry read, lookup, accumulate.
        after.push(Stmt::If(
            bin(BinOp::Gt, id(&nm("kleft")), lit(cw, 0)),
            vec![
                set(&nm("kv1"), lit(1, 1)),
                set(&m_q, Expr::Index(nm("kmeta"), Box::new(id(&nm("ent"))))),
                set(&dk1, id(&nm("dk"))),
                set(&nm("ent"), bin(BinOp::Add, id(&nm("ent")), lit(ew, 1))),
                set(&nm("kleft"), bin(BinOp::Sub, id(&nm("kleft")), lit(cw, 1))),
            ],
            vec![set(&nm("kv1"), lit(1, 0))],
        ));
        after.push(set(&nm("kv2"), id(&nm("kv1"))));
        after.push(set(
            &nm("t_q"),
            Expr::Index(nm("ktab"), Box::new(id(&nm("kaddr")))),
        ));
        after.push(set(&nm("o_q"), id(&nm("m_out"))));
        if interp {
            after.push(set(
                &nm("s_q"),
                Expr::Index(nm("kslope"), Box::new(id(&nm("kaddr")))),
            ));
            after.push(set(&nm("r_q"), id(&nm("kr"))));
            after.push(set(&nm("sh_q"), id(&m_sh)));
        }
        for o in 0..n_out {
            let sc = format!("sc_{j}_{o}");
            after.push(Stmt::If(
                bin(
                    BinOp::And,
                    id(&nm("kv2")),
                    bin(BinOp::Eq, id(&nm("o_q")), lit(ow, o as u64)),
                ),
                vec![set(
                    &sc,
                    bin(BinOp::Add, id(&sc), extend(&nm("kval"), kvw, accw, true)),
                )],
                vec![],
            ));
        }
    }
    let _ = sw_;
    // The scores: each output's accumulators summed over the lanes (mod 2^accw: the
    // total fits, as every partial sum does).
    let mut packed = Vec::new();
    for (o, ty) in tys.iter().enumerate() {
        let src = if plan.lanes == 1 {
            format!("sc_0_{o}")
        } else {
            let tot = format!("score_{o}");
            let sum = (1..plan.lanes).fold(id(&format!("sc_0_{o}")), |e, j| {
                bin(BinOp::Add, e, id(&format!("sc_{j}_{o}")))
            });
            let decl = wire(&tot, accw);
            if accw > ty.width {
                waived(items, decl);
            } else {
                items.push(decl);
            }
            items.push(assign(&tot, sum));
            tot
        };
        packed.push(low_or_extend_signed(&src, accw, ty.width));
    }
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
