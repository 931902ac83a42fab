//! PLL settings for the board clock: iCE40 `SB_PLL40_*` and ECP5 `EHXPLLL` dividers, searched the way icepll and ecppll do.
//!
//! Both searches walk every legal divider combination in a fixed order and keep
//! the first one with the smallest output error (ECP5 breaks ties by the VCO
//! closest to 600 MHz, as ecppll does), so the result is deterministic and
//! matches the vendor-free tools' choice. Frequencies are in Hz at the interface
//! and in MHz inside the searches, like the tools' own limits.

use std::fmt;

/// Which iCE40 PLL primitive the board's clock pin needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ice40Primitive {
    /// `SB_PLL40_PAD`: the clock pin is the PLL's own input pad (`PACKAGEPIN`).
    Pad,
    /// `SB_PLL40_CORE`: the clock comes through fabric (`REFERENCECLK`).
    Core,
}

/// iCE40 PLL dividers (SIMPLE feedback): f_out = f_in / (DIVR+1) * (DIVF+1) / 2^DIVQ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ice40Pll {
    pub primitive: Ice40Primitive,
    pub divr: u32,
    pub divf: u32,
    pub divq: u32,
    pub filter_range: u32,
    pub in_hz: u64,
    /// The achieved output frequency, rounded to the nearest Hz.
    pub out_hz: u64,
}

/// ECP5 `EHXPLLL` dividers (CLKOP feedback): f_out = f_in / CLKI_DIV * CLKFB_DIV.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ecp5Pll {
    pub clki_div: u32,
    pub clkfb_div: u32,
    pub clkop_div: u32,
    pub clkop_cphase: u32,
    pub in_hz: u64,
    /// The achieved output frequency, rounded to the nearest Hz.
    pub out_hz: u64,
}

/// A PLL between the board oscillator and the core clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pll {
    Ice40(Ice40Pll),
    Ecp5(Ecp5Pll),
}

impl Pll {
    pub fn in_hz(&self) -> u64 {
        match self {
            Pll::Ice40(p) => p.in_hz,
            Pll::Ecp5(p) => p.in_hz,
        }
    }

    pub fn out_hz(&self) -> u64 {
        match self {
            Pll::Ice40(p) => p.out_hz,
            Pll::Ecp5(p) => p.out_hz,
        }
    }
}

/// Why no PLL setting exists for a request.
#[derive(Clone, Debug, PartialEq)]
pub struct PllError(pub String);

impl fmt::Display for PllError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PllError {}

fn mhz(hz: u64) -> f64 {
    hz as f64 / 1e6
}

fn range_check(what: &str, v: f64, lo: f64, hi: f64, family: &str) -> Result<(), PllError> {
    if v < lo || v > hi {
        return Err(PllError(format!(
            "{family} PLL {what} frequency {v:.3} MHz is outside {lo}–{hi} MHz"
        )));
    }
    Ok(())
}

/// The iCE40 PLL setting closest to `out_hz` from an `in_hz` clock (icepll's SIMPLE search).
pub fn ice40(in_hz: u64, out_hz: u64, primitive: Ice40Primitive) -> Result<Ice40Pll, PllError> {
    let (fin, want) = (mhz(in_hz), mhz(out_hz));
    range_check("input", fin, 10.0, 133.0, "iCE40")?;
    range_check("output", want, 16.0, 275.0, "iCE40")?;
    let mut best: Option<(f64, u32, u32, u32)> = None;
    for divr in 0..=15u32 {
        let pfd = fin / f64::from(divr + 1);
        if !(10.0..=133.0).contains(&pfd) {
            continue;
        }
        for divf in 0..=127u32 {
            let vco = pfd * f64::from(divf + 1);
            if !(533.0..=1066.0).contains(&vco) {
                continue;
            }
            for divq in 1..=6u32 {
                let fout = vco / f64::from(1u32 << divq);
                if best.is_none_or(|(b, ..)| (fout - want).abs() < (b - want).abs()) {
                    best = Some((fout, divr, divf, divq));
                }
            }
        }
    }
    let (fout, divr, divf, divq) = best.ok_or_else(|| {
        PllError(format!(
            "no iCE40 PLL setting gives {want:.3} MHz from {fin:.3} MHz"
        ))
    })?;
    let pfd = fin / f64::from(divr + 1);
    let filter_range = match pfd {
        p if p < 17.0 => 1,
        p if p < 26.0 => 2,
        p if p < 44.0 => 3,
        p if p < 66.0 => 4,
        p if p < 101.0 => 5,
        _ => 6,
    };
    Ok(Ice40Pll {
        primitive,
        divr,
        divf,
        divq,
        filter_range,
        in_hz,
        out_hz: (fout * 1e6).round() as u64,
    })
}

/// The ECP5 PLL setting closest to `out_hz` from an `in_hz` clock (ecppll's search).
pub fn ecp5(in_hz: u64, out_hz: u64) -> Result<Ecp5Pll, PllError> {
    let (fin, want) = (mhz(in_hz), mhz(out_hz));
    range_check("input", fin, 8.0, 400.0, "ECP5")?;
    range_check("output", want, 3.125, 400.0, "ECP5")?;
    // (error, fvco, fout, clki, clkfb, clkop)
    let mut best: Option<(f64, f64, f64, u32, u32, u32)> = None;
    for clki in 1..=128u32 {
        let pfd = fin / f64::from(clki);
        if !(3.125..=400.0).contains(&pfd) {
            continue;
        }
        for clkfb in 1..=80u32 {
            for clkop in 1..=128u32 {
                let vco = pfd * f64::from(clkfb) * f64::from(clkop);
                if !(400.0..=800.0).contains(&vco) {
                    continue;
                }
                let fout = vco / f64::from(clkop);
                let err = (fout - want).abs();
                let better = match best {
                    None => true,
                    Some((e, v, ..)) => {
                        err < e || (err == e && (vco - 600.0).abs() < (v - 600.0).abs())
                    }
                };
                if better {
                    best = Some((err, vco, fout, clki, clkfb, clkop));
                }
            }
        }
    }
    let (_, _, fout, clki_div, clkfb_div, clkop_div) = best.ok_or_else(|| {
        PllError(format!(
            "no ECP5 PLL setting gives {want:.3} MHz from {fin:.3} MHz"
        ))
    })?;
    Ok(Ecp5Pll {
        clki_div,
        clkfb_div,
        clkop_div,
        // ecppll shifts the primary output by 180°: half an output period in VCO cycles.
        clkop_cphase: clkop_div / 2,
        in_hz,
        out_hz: (fout * 1e6).round() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (out MHz, DIVR, DIVF, DIVQ) as printed by icestorm's `icepll -i 12 -o OUT`.
    #[test]
    fn ice40_matches_icepll_from_12_mhz() {
        for (out, divr, divf, divq) in [
            (25, 0, 66, 5),
            (30, 0, 79, 5),
            (48, 0, 63, 4),
            (60, 0, 79, 4),
            (100, 0, 66, 3),
            (16, 0, 84, 6),
            (275, 0, 45, 1),
        ] {
            let p = ice40(12_000_000, out * 1_000_000, Ice40Primitive::Pad).unwrap();
            assert_eq!(
                (p.divr, p.divf, p.divq, p.filter_range),
                (divr, divf, divq, 1)
            );
        }
        let p = ice40(12_000_000, 33_300_000, Ice40Primitive::Core).unwrap();
        assert_eq!((p.divr, p.divf, p.divq, p.out_hz), (0, 87, 5, 33_000_000));
        let p = ice40(25_000_000, 50_000_000, Ice40Primitive::Core).unwrap();
        assert_eq!((p.divr, p.divf, p.divq, p.out_hz), (0, 31, 4, 50_000_000));
    }

    #[test]
    fn ice40_refuses_out_of_range() {
        let e = ice40(12_000_000, 12_000_000, Ice40Primitive::Pad).unwrap_err();
        assert!(e.0.contains("16–275 MHz"), "{e}");
    }

    /// Rows from the table at the top of prjtrellis' ecppll.cpp (Lattice's own choices).
    #[test]
    fn ecp5_matches_the_ecppll_table() {
        for (fin, fout, clki, clkfb, clkop) in [
            (12, 48, 1, 4, 12),
            (12, 60, 1, 5, 10),
            (20, 30, 2, 3, 20),
            (12, 96, 1, 8, 6),
            (90, 40, 9, 4, 15),
        ] {
            let p = ecp5(fin * 1_000_000, fout * 1_000_000).unwrap();
            assert_eq!((p.clki_div, p.clkfb_div, p.clkop_div), (clki, clkfb, clkop));
            assert_eq!(p.out_hz, fout * 1_000_000);
        }
        let p = ecp5(25_000_000, 12_500_000).unwrap();
        assert_eq!(p.out_hz, 12_500_000);
        assert_eq!(p.clkop_cphase, p.clkop_div / 2);
    }
}
