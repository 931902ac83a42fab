//! Pin constraint files from a board's TOML: `.pcf` for iCE40, `.lpf` for ECP5 (plain text, not Verilog).

use crate::boards::{Board, ConstraintFormat, Pull};
use std::fmt::Write;

/// The constraint file text for `b` in format `fmt`.
pub fn constraints(b: &Board, fmt: ConstraintFormat) -> String {
    let mut s = String::new();
    let header = format!(
        "locus: pin constraints for {} ({}), generated from boards/{}.toml — do not edit",
        b.name, b.description, b.name
    );
    match fmt {
        ConstraintFormat::Pcf => {
            let _ = writeln!(s, "# {header}");
            for (port, pin) in b.pins() {
                let pull = if pin.pull == Some(Pull::Up) {
                    "-pullup yes "
                } else {
                    ""
                };
                let _ = writeln!(s, "set_io -nowarn {pull}{port} {}", pin.site);
            }
        }
        ConstraintFormat::Lpf => {
            let _ = writeln!(s, "# {header}");
            let default_io = b.io_type.as_deref().unwrap_or("LVCMOS33");
            for (port, pin) in b.pins() {
                let _ = writeln!(s, "LOCATE COMP \"{port}\" SITE \"{}\";", pin.site);
                let mut attrs = format!("IO_TYPE={}", pin.io_type.as_deref().unwrap_or(default_io));
                match pin.pull {
                    Some(Pull::Up) => attrs.push_str(" PULLMODE=UP"),
                    Some(Pull::Down) => attrs.push_str(" PULLMODE=DOWN"),
                    Some(Pull::None) => attrs.push_str(" PULLMODE=NONE"),
                    None => {}
                }
                if let Some(d) = pin.drive {
                    let _ = write!(attrs, " DRIVE={d}");
                }
                let _ = writeln!(s, "IOBUF PORT \"{port}\" {attrs};");
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boards::Catalog;

    #[test]
    fn icebreaker_pcf_and_ulx3s_lpf() {
        let c = Catalog::load().unwrap();
        let pcf = constraints(&c.boards["icebreaker"], ConstraintFormat::Pcf);
        assert!(pcf.contains("set_io -nowarn clk_in 35\n"), "{pcf}");
        assert!(
            pcf.contains("set_io -nowarn -pullup yes uart_rx 6\n"),
            "{pcf}"
        );
        assert!(pcf.contains("set_io -nowarn rst_in 10\n"), "{pcf}");
        let lpf = constraints(&c.boards["ulx3s-85f"], ConstraintFormat::Lpf);
        assert!(
            lpf.contains("LOCATE COMP \"clk_in\" SITE \"G2\";\n"),
            "{lpf}"
        );
        assert!(
            lpf.contains("IOBUF PORT \"uart_rx\" IO_TYPE=LVCMOS33 PULLMODE=UP;\n"),
            "{lpf}"
        );
        assert!(
            lpf.contains("IOBUF PORT \"led_activity\" IO_TYPE=LVCMOS33 DRIVE=4;\n"),
            "{lpf}"
        );
        assert!(
            lpf.contains("LOCATE COMP \"wifi_gpio0\" SITE \"L2\";\n"),
            "{lpf}"
        );
    }
}
