//! The board top: the generated core wrapped by the hand-written `rtl/` primitives (reset sync, UART bridge).
//!
//! `locus_top` connects board pins to `locus_reset_sync`, `locus_uart_bridge` and
//! `locus_core`. The core's outputs are packed into the bridge's `core_result` in
//! interface order, first output at bit 0 (the same convention as `in_features`);
//! the host unpacks them with the widths in `report.json`.

use crate::compile::{Interface, TOP};
use crate::pll::{Ice40Primitive, Pll};
use crate::vlog::{BinOp, Dir, Expr, Item, Module, Port};

/// The top module's name.
pub const BOARD_TOP: &str = "locus_top";

/// Hand-written RTL the board top instantiates, relative to the repository's `rtl/`.
pub const RTL_FILES: &[&str] = &[
    "locus_reset_sync.v",
    "locus_uart_rx.v",
    "locus_uart_tx.v",
    "locus_crc8.v",
    "locus_uart_bridge.v",
];

/// The same files' text, embedded at build time so an installed binary can write
/// them next to a generated top without the repository at hand.
pub const RTL_SOURCES: &[(&str, &str)] = &[
    (
        "locus_reset_sync.v",
        include_str!("../../rtl/locus_reset_sync.v"),
    ),
    ("locus_uart_rx.v", include_str!("../../rtl/locus_uart_rx.v")),
    ("locus_uart_tx.v", include_str!("../../rtl/locus_uart_tx.v")),
    ("locus_crc8.v", include_str!("../../rtl/locus_crc8.v")),
    (
        "locus_uart_bridge.v",
        include_str!("../../rtl/locus_uart_bridge.v"),
    ),
];

/// Writes [`RTL_SOURCES`] into `dir` (created if missing); returns the paths in order.
pub fn write_rtl(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    RTL_SOURCES
        .iter()
        .map(|(name, text)| {
            let p = dir.join(name);
            std::fs::write(&p, text)?;
            Ok(p)
        })
        .collect()
}

/// How the top is built for a board (or for simulation).
#[derive(Clone, Debug, PartialEq)]
pub struct TopOptions {
    /// Core clock frequency in Hz (the bridge derives its baud divider from it).
    pub clk_hz: u64,
    pub baud: u64,
    /// True if the board's reset button pulls the pin low when pressed.
    pub reset_active_low: bool,
    /// False for a board without a reset button: no `rst_in` port; the reset sync
    /// then sees only the PLL lock (or nothing).
    pub reset_pin: bool,
    /// True if the board's LEDs light when their pin is low.
    pub leds_active_low: bool,
    /// PLL from `clk_in` to the core clock (`clk_hz` is then its output); `None`
    /// feeds the core from `clk_in` directly. The reset is held while the PLL is unlocked.
    pub pll: Option<Pll>,
    /// Extra output ports driven high, e.g. a flash chip select that must stay deasserted.
    pub tie_high: Vec<String>,
}

impl TopOptions {
    /// A board with a reset pin, active-high LEDs, no PLL and no tied pins (simulation).
    pub fn plain(clk_hz: u64, baud: u64, reset_active_low: bool) -> Self {
        TopOptions {
            clk_hz,
            baud,
            reset_active_low,
            reset_pin: true,
            leds_active_low: false,
            pll: None,
            tie_high: vec![],
        }
    }
}

/// The core instance `u_core`: clocked by `clk`/`rst`, fed by the wires `in_valid`
/// and `in_features`, its outputs packed into `core_result` (first at bit 0) with
/// `core_out_valid` beside them.
///
/// A core with `in_ready` (the serial architecture) is offered a vector only while it
/// is ready: the board top's bridge holds a request until the core takes it (its
/// `core_in_ready` is the core's `in_ready`); the serial-load wrapper (built for area
/// and timing figures) ignores a `load` while the core is busy.
pub fn core_instance(iface: &Interface, in_valid: &str, in_features: &str) -> Vec<Item> {
    let id = |s: &str| Expr::Ident(s.into());
    let res_w = result_width(iface);
    let mut items = Vec::new();
    let valid = if iface.in_ready {
        items.push(Item::Wire {
            name: "core_in_ready".into(),
            width: 1,
        });
        Expr::Binary(
            crate::vlog::BinOp::And,
            Box::new(id(in_valid)),
            Box::new(id("core_in_ready")),
        )
    } else {
        id(in_valid)
    };
    let mut conns = vec![
        ("clk".to_string(), id("clk")),
        ("rst".to_string(), id("rst")),
        ("in_valid".to_string(), valid),
        ("in_features".to_string(), id(in_features)),
        ("out_valid".to_string(), id("core_out_valid")),
    ];
    if iface.in_ready {
        conns.push(("in_ready".to_string(), id("core_in_ready")));
    }
    let mut lsb = 0;
    for o in &iface.outputs {
        let e = if res_w == 1 {
            id("core_result")
        } else if o.width == 1 {
            Expr::Bit("core_result".into(), lsb)
        } else {
            Expr::Slice("core_result".into(), lsb + o.width - 1, lsb)
        };
        conns.push((o.name.clone(), e));
        lsb += o.width;
    }
    items.push(Item::Instance {
        module: TOP.into(),
        name: "u_core".into(),
        params: vec![],
        conns,
    });
    items
}

/// Width of the packed result: every core output, first at bit 0.
pub fn result_width(iface: &Interface) -> u32 {
    iface.outputs.iter().map(|o| o.width).sum()
}

/// Emits `locus_top` for a core with interface `iface`.
pub fn emit_top(iface: &Interface, opts: &TopOptions, header: Vec<String>) -> Module {
    let feat_w = iface.in_features_width;
    let res_w = result_width(iface);
    let port = |dir, name: &str, comment: &str| Port {
        dir,
        name: name.into(),
        width: 1,
        comment: Some(comment.into()),
    };
    let mut ports = vec![port(Dir::Input, "clk_in", "board clock")];
    if opts.reset_pin {
        ports.push(port(
            Dir::Input,
            "rst_in",
            if opts.reset_active_low {
                "reset button, low when pressed"
            } else {
                "reset button, high when pressed"
            },
        ));
    }
    ports.extend([
        port(Dir::Input, "uart_rx", "serial from the host, idle high"),
        port(Dir::Output, "uart_tx", "serial to the host, idle high"),
        port(Dir::Output, "led_activity", "blinks on each answered frame"),
        port(Dir::Output, "led_error", "blinks on each dropped frame"),
    ]);
    for t in &opts.tie_high {
        ports.push(port(Dir::Output, t, "held high"));
    }
    let id = |s: &str| Expr::Ident(s.into());
    let wire = |name: &str, width: u32| Item::Wire {
        name: name.into(),
        width,
    };
    let mut items = vec![wire("clk", 1)];
    match &opts.pll {
        None => items.push(Item::Assign {
            lhs: "clk".into(),
            rhs: id("clk_in"),
            comment: Some(format!("{} Hz", opts.clk_hz)),
        }),
        Some(p) => {
            items.push(wire("pll_lock", 1));
            items.push(pll_instance(p));
        }
    }
    // The reset sync's input: the button (if any), held asserted while the PLL is unlocked.
    let (reset_src, reset_active_low) = match (opts.reset_pin, opts.pll.is_some()) {
        (true, false) => (id("rst_in"), opts.reset_active_low),
        (true, true) if opts.reset_active_low => (
            Expr::Binary(BinOp::And, Box::new(id("rst_in")), Box::new(id("pll_lock"))),
            true,
        ),
        (true, true) => (
            Expr::Binary(
                BinOp::Or,
                Box::new(id("rst_in")),
                Box::new(Expr::Not(Box::new(id("pll_lock")))),
            ),
            false,
        ),
        (false, true) => (Expr::Not(Box::new(id("pll_lock"))), false),
        (false, false) => (Expr::Lit { width: 1, value: 0 }, false),
    };
    let (led_activity, led_error) = if opts.leds_active_low {
        ("activity", "error")
    } else {
        ("led_activity", "led_error")
    };
    if opts.leds_active_low {
        items.push(wire("activity", 1));
        items.push(wire("error", 1));
        for (port, w) in [("led_activity", "activity"), ("led_error", "error")] {
            items.push(Item::Assign {
                lhs: port.into(),
                rhs: Expr::Not(Box::new(id(w))),
                comment: Some("LED lights when low".into()),
            });
        }
    }
    for t in &opts.tie_high {
        items.push(Item::Assign {
            lhs: t.clone(),
            rhs: Expr::Lit { width: 1, value: 1 },
            comment: None,
        });
    }
    items.extend([
        wire("rst", 1),
        wire("core_in_valid", 1),
        wire("core_in_features", feat_w),
        wire("core_out_valid", 1),
        wire("core_result", res_w),
        Item::Blank,
    ]);
    // The core first: it declares `core_in_ready`, which the bridge reads.
    items.extend(core_instance(iface, "core_in_valid", "core_in_features"));
    items.extend([
        Item::Blank,
        Item::Instance {
            module: "locus_reset_sync".into(),
            name: "u_reset".into(),
            params: vec![("ACTIVE_LOW".into(), Expr::Int(i64::from(reset_active_low)))],
            conns: vec![
                ("clk".into(), id("clk")),
                ("rst_in".into(), reset_src),
                ("rst".into(), id("rst")),
            ],
        },
        Item::Blank,
        Item::Instance {
            module: "locus_uart_bridge".into(),
            name: "u_bridge".into(),
            params: vec![
                ("CLK_HZ".into(), Expr::Int(opts.clk_hz as i64)),
                ("BAUD".into(), Expr::Int(opts.baud as i64)),
                ("FEAT_W".into(), Expr::Int(i64::from(feat_w))),
                ("RES_W".into(), Expr::Int(i64::from(res_w))),
            ],
            conns: vec![
                ("clk".into(), id("clk")),
                ("rst".into(), id("rst")),
                ("uart_rx".into(), id("uart_rx")),
                ("uart_tx".into(), id("uart_tx")),
                ("core_in_valid".into(), id("core_in_valid")),
                ("core_in_features".into(), id("core_in_features")),
                (
                    "core_in_ready".into(),
                    if iface.in_ready {
                        id("core_in_ready")
                    } else {
                        Expr::Lit { width: 1, value: 1 }
                    },
                ),
                ("core_out_valid".into(), id("core_out_valid")),
                ("core_result".into(), id("core_result")),
                ("led_activity".into(), id(led_activity)),
                ("led_error".into(), id(led_error)),
            ],
        },
    ]);
    Module {
        name: BOARD_TOP.into(),
        header,
        ports,
        items,
    }
}

/// The PLL instance driving `clk` from `clk_in`, with its lock on `pll_lock`.
fn pll_instance(p: &Pll) -> Item {
    let id = |s: &str| Expr::Ident(s.into());
    let bit = |v: u64| Expr::Lit { width: 1, value: v };
    let int = |v: u32| Expr::Int(i64::from(v));
    let s = |v: &str| Expr::Str(v.into());
    match p {
        Pll::Ice40(q) => {
            let (module, input) = match q.primitive {
                Ice40Primitive::Pad => ("SB_PLL40_PAD", "PACKAGEPIN"),
                Ice40Primitive::Core => ("SB_PLL40_CORE", "REFERENCECLK"),
            };
            Item::Instance {
                module: module.into(),
                name: "u_pll".into(),
                params: vec![
                    ("FEEDBACK_PATH".into(), s("SIMPLE")),
                    ("DIVR".into(), int(q.divr)),
                    ("DIVF".into(), int(q.divf)),
                    ("DIVQ".into(), int(q.divq)),
                    ("FILTER_RANGE".into(), int(q.filter_range)),
                ],
                conns: vec![
                    (input.into(), id("clk_in")),
                    ("PLLOUTCORE".into(), id("clk")),
                    ("LOCK".into(), id("pll_lock")),
                    ("RESETB".into(), bit(1)),
                    ("BYPASS".into(), bit(0)),
                ],
            }
        }
        // Loop-filter attributes (ICP_CURRENT etc.) are not parameters: the ECP5 synth
        // script sets them on every EHXPLLL (boards/families.toml).
        Pll::Ecp5(q) => Item::Instance {
            module: "EHXPLLL".into(),
            name: "u_pll".into(),
            params: vec![
                ("PLLRST_ENA".into(), s("DISABLED")),
                ("INTFB_WAKE".into(), s("DISABLED")),
                ("STDBY_ENABLE".into(), s("DISABLED")),
                ("DPHASE_SOURCE".into(), s("DISABLED")),
                ("OUTDIVIDER_MUXA".into(), s("DIVA")),
                ("OUTDIVIDER_MUXB".into(), s("DIVB")),
                ("OUTDIVIDER_MUXC".into(), s("DIVC")),
                ("OUTDIVIDER_MUXD".into(), s("DIVD")),
                ("CLKI_DIV".into(), int(q.clki_div)),
                ("CLKOP_ENABLE".into(), s("ENABLED")),
                ("CLKOP_DIV".into(), int(q.clkop_div)),
                ("CLKOP_CPHASE".into(), int(q.clkop_cphase)),
                ("CLKOP_FPHASE".into(), int(0)),
                ("FEEDBK_PATH".into(), s("CLKOP")),
                ("CLKFB_DIV".into(), int(q.clkfb_div)),
            ],
            conns: vec![
                ("CLKI".into(), id("clk_in")),
                ("CLKFB".into(), id("clk")),
                ("CLKOP".into(), id("clk")),
                ("RST".into(), bit(0)),
                ("STDBY".into(), bit(0)),
                ("PHASESEL0".into(), bit(0)),
                ("PHASESEL1".into(), bit(0)),
                ("PHASEDIR".into(), bit(1)),
                ("PHASESTEP".into(), bit(1)),
                ("PHASELOADREG".into(), bit(1)),
                ("PLLWAKESYNC".into(), bit(0)),
                ("ENCLKOP".into(), bit(0)),
                ("LOCK".into(), id("pll_lock")),
            ],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::OutputField;
    use crate::pll;
    use crate::vlog::print;

    fn iface() -> Interface {
        Interface {
            top: TOP.into(),
            in_features_width: 8,
            inputs: vec![],
            in_ready: false,
            outputs: vec![OutputField {
                name: "out_class".into(),
                width: 2,
                signed: false,
            }],
        }
    }

    #[test]
    fn embedded_rtl_is_the_listed_files() {
        let names: Vec<&str> = RTL_SOURCES.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, RTL_FILES);
        for (name, text) in RTL_SOURCES {
            let module = name.trim_end_matches(".v");
            assert!(text.starts_with(&format!("// {module}:")), "{name}");
            assert!(text.contains(&format!("module {module} ")), "{name}");
        }
    }

    #[test]
    fn plain_top_feeds_the_core_from_the_pin() {
        let text = print(&emit_top(
            &iface(),
            &TopOptions::plain(12_000_000, 115200, true),
            vec![],
        ));
        assert!(
            text.contains("assign clk = clk_in;  // 12000000 Hz"),
            "{text}"
        );
        assert!(text.contains(".rst_in(rst_in)"), "{text}");
        assert!(!text.contains("pll"), "{text}");
    }

    #[test]
    fn ice40_pll_drives_clk_and_holds_reset_until_lock() {
        let p = pll::ice40(12_000_000, 30_000_000, pll::Ice40Primitive::Pad).unwrap();
        let opts = TopOptions {
            clk_hz: p.out_hz,
            pll: Some(Pll::Ice40(p)),
            leds_active_low: true,
            tie_high: vec!["spi_cs".into()],
            ..TopOptions::plain(0, 115200, true)
        };
        let text = print(&emit_top(&iface(), &opts, vec![]));
        for want in [
            "SB_PLL40_PAD #(",
            ".DIVF(79)",
            ".PACKAGEPIN(clk_in)",
            ".PLLOUTCORE(clk)",
            ".rst_in(rst_in & pll_lock)",
            ".CLK_HZ(30000000)",
            "assign led_activity = ~activity;",
            ".led_activity(activity)",
            "output wire spi_cs",
            "assign spi_cs = 1'h1;",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        assert!(!text.contains("assign clk ="), "{text}");
    }

    #[test]
    fn ecp5_pll_without_reset_pin() {
        let p = pll::ecp5(25_000_000, 50_000_000).unwrap();
        let opts = TopOptions {
            clk_hz: p.out_hz,
            pll: Some(Pll::Ecp5(p)),
            reset_pin: false,
            ..TopOptions::plain(0, 115200, false)
        };
        let text = print(&emit_top(&iface(), &opts, vec![]));
        for want in [
            "EHXPLLL #(",
            ".CLKOP(clk)",
            ".CLKFB(clk)",
            ".rst_in(~pll_lock)",
            ".ACTIVE_LOW(0)",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        assert!(!text.contains("input  wire rst_in"), "{text}");
    }

    #[test]
    fn no_reset_pin_and_no_pll_ties_the_reset_idle() {
        let opts = TopOptions {
            reset_pin: false,
            ..TopOptions::plain(12_000_000, 115200, true)
        };
        let text = print(&emit_top(&iface(), &opts, vec![]));
        assert!(text.contains(".rst_in(1'h0)"), "{text}");
        assert!(text.contains(".ACTIVE_LOW(0)"), "{text}");
    }
}
