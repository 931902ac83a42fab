//! The board top: the generated core wrapped by the hand-written `rtl/` primitives (reset sync, UART bridge).
//!
//! `locus_top` connects board pins to `locus_reset_sync`, `locus_uart_bridge` and
//! `locus_core`. The core's outputs are packed into the bridge's `core_result` in
//! interface order, first output at bit 0 (the same convention as `in_features`);
//! the host unpacks them with the widths in `report.json`.

use crate::compile::{Interface, TOP};
use crate::vlog::{Dir, Expr, Item, Module, Port};

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

/// How the top is built for a board (or for simulation).
#[derive(Clone, Debug, PartialEq)]
pub struct TopOptions {
    /// Core clock frequency in Hz (the bridge derives its baud divider from it).
    pub clk_hz: u64,
    pub baud: u64,
    /// True if the board's reset button pulls the pin low when pressed.
    pub reset_active_low: bool,
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
    let ports = vec![
        port(Dir::Input, "clk_in", "board clock"),
        port(
            Dir::Input,
            "rst_in",
            if opts.reset_active_low {
                "reset button, low when pressed"
            } else {
                "reset button, high when pressed"
            },
        ),
        port(Dir::Input, "uart_rx", "serial from the host, idle high"),
        port(Dir::Output, "uart_tx", "serial to the host, idle high"),
        port(Dir::Output, "led_activity", "blinks on each answered frame"),
        port(Dir::Output, "led_error", "blinks on each dropped frame"),
    ];
    let id = |s: &str| Expr::Ident(s.into());
    let wire = |name: &str, width: u32| Item::Wire {
        name: name.into(),
        width,
    };
    let mut items = vec![
        wire("clk", 1),
        Item::Assign {
            lhs: "clk".into(),
            rhs: id("clk_in"),
            comment: Some(format!("{} Hz", opts.clk_hz)),
        },
        wire("rst", 1),
        wire("core_in_valid", 1),
        wire("core_in_features", feat_w),
        wire("core_out_valid", 1),
        wire("core_result", res_w),
        Item::Blank,
        Item::Instance {
            module: "locus_reset_sync".into(),
            name: "u_reset".into(),
            params: vec![("ACTIVE_LOW".into(), Expr::Int(i64::from(opts.reset_active_low)))],
            conns: vec![
                ("clk".into(), id("clk")),
                ("rst_in".into(), id("rst_in")),
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
                ("core_out_valid".into(), id("core_out_valid")),
                ("core_result".into(), id("core_result")),
                ("led_activity".into(), id("led_activity")),
                ("led_error".into(), id("led_error")),
            ],
        },
        Item::Blank,
    ];
    let mut conns = vec![
        ("clk".to_string(), id("clk")),
        ("rst".to_string(), id("rst")),
        ("in_valid".to_string(), id("core_in_valid")),
        ("in_features".to_string(), id("core_in_features")),
        ("out_valid".to_string(), id("core_out_valid")),
    ];
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
    Module {
        name: BOARD_TOP.into(),
        header,
        ports,
        items,
    }
}
