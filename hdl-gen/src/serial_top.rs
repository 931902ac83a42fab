//! The device-only top: the core behind a serial-load wrapper, for `--device` builds with no board pins.
//!
//! A core's `in_features` and outputs are usually far wider than any package has
//! pins, so a bare-device build wraps the core in shift registers: features shift
//! in one bit per clock on `sin` (the bit shifted in last lands at bit 0), `load`
//! presents the whole register to the core as one vector, and the packed result
//! (first output at bit 0, as in the board top) is registered once, then loaded
//! into the output shift register on `out_valid` (one clock after the core's) and
//! shifted out on `sout`, most significant bit first. Every core input and output
//! stays connected, so synthesis keeps all of the core; the wrapper adds one
//! flip-flop per feature and two per result bit. Six pins: clk, rst, sin, load, sout,
//! out_valid. Timing is measured register to register, as inside a real system.

use crate::board_top::result_width;
use crate::compile::Interface;
use crate::vlog::{Dir, Expr, Item, Module, Port, Stmt};

/// The wrapper's module name.
pub const SERIAL_TOP: &str = "locus_serial_top";

/// `{name[w-2:0], bit}`, or just `bit` for a one-bit register.
fn shifted(name: &str, width: u32, bit: Expr) -> Expr {
    match width {
        1 => bit,
        2 => Expr::Concat(vec![Expr::Bit(name.into(), 0), bit]),
        _ => Expr::Concat(vec![Expr::Slice(name.into(), width - 2, 0), bit]),
    }
}

/// Emits `locus_serial_top` around the core with interface `iface`.
pub fn emit_serial_top(iface: &Interface, header: Vec<String>) -> Module {
    let feat_w = iface.in_features_width;
    let res_w = result_width(iface);
    let port = |dir, name: &str, comment: &str| Port {
        dir,
        name: name.into(),
        width: 1,
        comment: Some(comment.into()),
    };
    let ports = vec![
        port(Dir::Input, "clk", "core clock"),
        port(Dir::Input, "rst", "synchronous reset, active high"),
        port(Dir::Input, "sin", "feature bits, one per clock"),
        port(
            Dir::Input,
            "load",
            "present the shifted-in vector to the core",
        ),
        port(Dir::Output, "sout", "result bits, most significant first"),
        port(
            Dir::Output,
            "out_valid",
            "the result register was just loaded",
        ),
    ];
    let id = |s: &str| Expr::Ident(s.into());
    let msb = |name: &str, w: u32| {
        if w == 1 {
            id(name)
        } else {
            Expr::Bit(name.into(), w - 1)
        }
    };
    let mut items = vec![
        Item::Reg {
            name: "features".into(),
            width: feat_w,
        },
        Item::Reg {
            name: "result".into(),
            width: res_w,
        },
        Item::Reg {
            name: "captured".into(),
            width: res_w,
        },
        Item::Reg {
            name: "captured_valid".into(),
            width: 1,
        },
        Item::Wire {
            name: "core_out_valid".into(),
            width: 1,
        },
        Item::Wire {
            name: "core_result".into(),
            width: res_w,
        },
        Item::Blank,
        Item::Comment(vec![
            "The core's result and valid are registered once before the shift register".into(),
            "reads them: the valid fans out to every result bit, and the wrapper should".into(),
            "never be the slowest path of a core it measures.".into(),
        ]),
        Item::AlwaysPosedge {
            clock: "clk".into(),
            body: vec![
                Stmt::NonBlocking("features".into(), shifted("features", feat_w, id("sin"))),
                Stmt::NonBlocking("captured".into(), id("core_result")),
                Stmt::NonBlocking("captured_valid".into(), id("core_out_valid")),
                Stmt::If(
                    id("captured_valid"),
                    vec![Stmt::NonBlocking("result".into(), id("captured"))],
                    vec![Stmt::NonBlocking(
                        "result".into(),
                        shifted("result", res_w, Expr::Lit { width: 1, value: 0 }),
                    )],
                ),
            ],
        },
        Item::Assign {
            lhs: "sout".into(),
            rhs: msb("result", res_w),
            comment: None,
        },
        Item::Assign {
            lhs: "out_valid".into(),
            rhs: id("captured_valid"),
            comment: None,
        },
        Item::Blank,
    ];
    items.extend(crate::board_top::core_instance(iface, "load", "features"));
    Module {
        name: SERIAL_TOP.into(),
        header,
        ports,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{InputField, OutputField};
    use crate::vlog::print;

    #[test]
    fn wraps_every_port() {
        let iface = Interface {
            top: crate::compile::TOP.into(),
            in_features_width: 3,
            inputs: vec![InputField {
                feature: 0,
                kind: crate::ir::InputKind::Value,
                name: "x".into(),
                lsb: 0,
                width: 3,
                signed: false,
                frac_bits: 0,
            }],
            in_ready: false,
            outputs: vec![
                OutputField {
                    name: "out_class".into(),
                    width: 1,
                    signed: false,
                },
                OutputField {
                    name: "out_score".into(),
                    width: 4,
                    signed: true,
                },
            ],
        };
        let text = print(&emit_serial_top(&iface, vec!["t".into()]));
        assert!(text.contains("features <= {features[1:0], sin};"), "{text}");
        assert!(text.contains("result <= {result[3:0], 1'h0};"), "{text}");
        assert!(text.contains("assign sout = result[4];"), "{text}");
        assert!(text.contains(".out_class(core_result[0])"), "{text}");
        assert!(text.contains(".out_score(core_result[4:1])"), "{text}");
    }
}
