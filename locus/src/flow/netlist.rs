//! Netlist fix-up between yosys and nextpnr: carry-out ports that nothing reads, and the carry ins of chains that feed themselves, are disconnected, so nextpnr adds no feed cell for them.
//!
//! yosys's ECP5 adder mapping (`arith_map_ccu2c.v`) connects the carry out of a
//! chain's last `CCU2C` to a wire that nothing reads. nextpnr-ecp5 0.11's packer
//! (`split_carry_chain`) ends every chain whose last carry out has a net with a
//! feed-out `CCU2C` — two LUT4 slots — even when that net has no reader. In a
//! tree ensemble's narrow sums that is a fifth of the carry logic (FIELD-NOTES).
//! Marking those ports unconnected (`"x"`) changes no function: nothing read them.
//!
//! Likewise it starts every chain whose first carry in has a net, constants
//! included, with a feed-in `CCU2C`. The chains of `boards/ecp5_alu.v` feed
//! themselves: their first cell, marked with the attribute `locus_carry_head`,
//! ignores its carry in (its first half's LUT4 is 0 and passes CI on), but yosys ties
//! that carry in to a constant. It is disconnected too.
//!
//! The JSON is edited as text, one port at a time, so the netlist stays byte for
//! byte what yosys wrote elsewhere (nextpnr's placement depends on the order of
//! cells and nets); the result is parsed again and checked before it replaces the
//! original.

use anyhow::{anyhow, Context, Result};
use serde_json::Value;
use std::collections::HashSet;
use std::path::Path;

/// (cell type, carry-out port) pairs whose unread outputs are disconnected.
pub const UNUSED_CARRY_OUTS: &[(&str, &str)] = &[("CCU2C", "COUT")];

/// Whether a family whose carry cells are `carry_cells` (`families.toml`'s
/// `cells.carry`) gets this fix-up: a build stamp covers it only then.
pub fn applies_to(carry_cells: &[String]) -> bool {
    carry_cells
        .iter()
        .any(|c| UNUSED_CARRY_OUTS.iter().any(|(t, _)| t == c))
}

/// The carry-out connections of `netlist` (yosys `write_json` text) that nothing
/// reads, as (port, bit) pairs.
fn unread_carry_outs(netlist: &Value) -> Vec<(&'static str, u64)> {
    let mut found = Vec::new();
    let Some(modules) = netlist["modules"].as_object() else {
        return found;
    };
    for module in modules.values() {
        // Bits something reads: cell inputs and the module's outputs.
        let mut read = HashSet::new();
        if let Some(cells) = module["cells"].as_object() {
            for cell in cells.values() {
                let dirs = &cell["port_directions"];
                for (port, bits) in cell["connections"].as_object().into_iter().flatten() {
                    if dirs[port].as_str() != Some("output") {
                        read.extend(
                            bits.as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(Value::as_u64),
                        );
                    }
                }
            }
        }
        for port in module["ports"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, p)| p)
        {
            if port["direction"].as_str() != Some("input") {
                read.extend(
                    port["bits"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_u64),
                );
            }
        }
        for cell in module["cells"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(_, c)| c)
        {
            for &(ty, port) in UNUSED_CARRY_OUTS {
                if cell["type"].as_str() != Some(ty) {
                    continue;
                }
                if let Some([bit]) = cell["connections"][port].as_array().map(Vec::as_slice) {
                    if let Some(b) = bit.as_u64().filter(|b| !read.contains(b)) {
                        found.push((port, b));
                    }
                }
            }
        }
    }
    found
}

/// Replaces the netlist at `path` with `text` (written beside it, then renamed).
fn replace(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

/// Disconnects the unread carry outs of the yosys netlist at `path`, in place.
/// Returns how many were disconnected.
pub fn drop_unread_carry_outs(path: &Path) -> Result<usize> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let netlist: Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a yosys JSON netlist", path.display()))?;
    let unread = unread_carry_outs(&netlist);
    if unread.is_empty() {
        return Ok(0);
    }
    let mut out = text.clone();
    for (port, bit) in &unread {
        // A bit has one driver, so its carry-out connection appears exactly once.
        let from = format!("\"{port}\": [ {bit} ]");
        if out.matches(&from).count() != 1 {
            return Err(anyhow!(
                "{}: expected one `{from}` in the netlist (yosys's JSON layout changed?)",
                path.display()
            ));
        }
        out = out.replacen(&from, &format!("\"{port}\": [ \"x\" ]"), 1);
    }
    let check: Value = serde_json::from_str(&out).context("netlist after the carry fix-up")?;
    if !unread_carry_outs(&check).is_empty() {
        return Err(anyhow!(
            "{}: carry fix-up left unread carry outs",
            path.display()
        ));
    }
    replace(path, &out)?;
    Ok(unread.len())
}

/// The attribute `boards/ecp5_alu.v` puts on the first cell of each chain it builds,
/// whose carry in is ignored.
pub const CARRY_HEAD: &str = "locus_carry_head";

/// How many cells of `netlist` carry [`CARRY_HEAD`], and how many of those still
/// have a carry in connected.
fn carry_heads(netlist: &Value) -> (usize, usize) {
    let cells = netlist["modules"]
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(_, m)| m["cells"].as_object().into_iter().flatten())
        .map(|(_, c)| c)
        .filter(|c| !c["attributes"][CARRY_HEAD].is_null());
    let (mut heads, mut connected) = (0, 0);
    for c in cells {
        heads += 1;
        if c["connections"]["CIN"].as_array().map(Vec::as_slice) != Some(&[Value::from("x")]) {
            connected += 1;
        }
    }
    (heads, connected)
}

/// Disconnects the carry in of every [`CARRY_HEAD`] cell of the yosys netlist at
/// `path`, in place. Returns how many were disconnected.
pub fn cut_head_carry_ins(path: &Path) -> Result<usize> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let netlist: Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a yosys JSON netlist", path.display()))?;
    let (_, connected) = carry_heads(&netlist);
    if connected == 0 {
        return Ok(0);
    }
    // yosys writes a cell's attributes before its connections: the first `"CIN": [`
    // after the attribute, with no other cell's `"type"` between, is that cell's.
    let layout = || {
        anyhow!(
            "{}: a {CARRY_HEAD} cell without its own carry in (yosys's JSON layout changed?)",
            path.display()
        )
    };
    let mark = format!("\"{CARRY_HEAD}\":");
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    let mut cut = 0;
    while let Some(at) = rest.find(&mark) {
        let after = &rest[at..];
        let cin = after.find("\"CIN\": [").ok_or_else(layout)?;
        if after[..cin].contains("\"type\":") {
            return Err(layout());
        }
        let open = at + cin + "\"CIN\": [".len();
        let close = open + rest[open..].find(']').ok_or_else(layout)?;
        out.push_str(&rest[..open]);
        if rest[open..close].trim() != "\"x\"" {
            cut += 1;
        }
        out.push_str(" \"x\" ");
        rest = &rest[close..];
    }
    out.push_str(rest);
    let check: Value = serde_json::from_str(&out).context("netlist after the carry-in fix-up")?;
    if carry_heads(&check).1 != 0 || cut != connected {
        return Err(layout());
    }
    replace(path, &out)?;
    Ok(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two chained `CCU2C`s as yosys writes them: the first's carry out feeds the
    /// second, whose carry out (bit 9) nothing reads; a third cell's carry out
    /// (bit 12) is read by a LUT.
    const NETLIST: &str = r#"{
  "modules": {
    "top": {
      "ports": { "y": { "direction": "output", "bits": [ 5 ] } },
      "cells": {
        "a": { "type": "CCU2C",
          "port_directions": { "CIN": "input", "COUT": "output", "S0": "output" },
          "connections": {
            "CIN": [ "0" ],
            "COUT": [ 8 ],
            "S0": [ 5 ]
          }
        },
        "b": { "type": "CCU2C",
          "port_directions": { "CIN": "input", "COUT": "output", "S0": "output" },
          "connections": {
            "CIN": [ 8 ],
            "COUT": [ 9 ],
            "S0": [ 10 ]
          }
        },
        "c": { "type": "CCU2C",
          "port_directions": { "CIN": "input", "COUT": "output", "S0": "output" },
          "connections": {
            "CIN": [ "0" ],
            "COUT": [ 12 ],
            "S0": [ 13 ]
          }
        },
        "l": { "type": "LUT4",
          "port_directions": { "A": "input", "B": "input", "Z": "output" },
          "connections": {
            "A": [ 12 ],
            "B": [ 10 ],
            "Z": [ 14 ]
          }
        }
      },
      "netnames": { "dangling": { "bits": [ 9 ] } }
    }
  }
}"#;

    #[test]
    fn only_unread_carry_outs_are_disconnected() {
        let dir = std::env::temp_dir().join(format!("locus-netlist-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("netlist.json");
        std::fs::write(&path, NETLIST).unwrap();
        assert_eq!(drop_unread_carry_outs(&path).unwrap(), 1);
        let after = std::fs::read_to_string(&path).unwrap();
        // Only cell b's carry out changed; everything else is as written.
        assert_eq!(
            after,
            NETLIST.replacen("\"COUT\": [ 9 ]", "\"COUT\": [ \"x\" ]", 1)
        );
        // Running again finds nothing more.
        assert_eq!(drop_unread_carry_outs(&path).unwrap(), 0);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A chain head as `boards/ecp5_alu.v` leaves it after yosys (carry in tied to
    /// 0), the next cell of its chain, and a head whose carry in is already cut.
    const HEADS: &str = r#"{
  "modules": {
    "top": {
      "cells": {
        "h": {
          "type": "CCU2C",
          "attributes": {
            "locus_carry_head": "00000000000000000000000000000001"
          },
          "port_directions": { "CIN": "input", "COUT": "output" },
          "connections": {
            "A0": [ 3 ],
            "CIN": [ "0" ],
            "COUT": [ 8 ]
          }
        },
        "n": {
          "type": "CCU2C",
          "attributes": {
          },
          "port_directions": { "CIN": "input", "COUT": "output" },
          "connections": {
            "CIN": [ 8 ],
            "COUT": [ 9 ]
          }
        },
        "g": {
          "type": "CCU2C",
          "attributes": {
            "locus_carry_head": "00000000000000000000000000000001"
          },
          "port_directions": { "CIN": "input", "COUT": "output" },
          "connections": {
            "CIN": [ "x" ],
            "COUT": [ 10 ]
          }
        }
      }
    }
  }
}"#;

    #[test]
    fn only_the_carry_ins_of_chain_heads_are_cut() {
        let dir = std::env::temp_dir().join(format!("locus-heads-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("netlist.json");
        std::fs::write(&path, HEADS).unwrap();
        assert_eq!(cut_head_carry_ins(&path).unwrap(), 1);
        let after = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            after,
            HEADS.replacen("\"CIN\": [ \"0\" ]", "\"CIN\": [ \"x\" ]", 1)
        );
        assert_eq!(cut_head_carry_ins(&path).unwrap(), 0);
        // A head whose connections yosys wrote elsewhere is refused, not guessed at.
        let odd = HEADS.replacen("\"CIN\": [ \"0\" ],", "", 1);
        std::fs::write(&path, &odd).unwrap();
        assert!(cut_head_carry_ins(&path).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), odd);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn families_with_other_carry_cells_are_left_alone() {
        assert!(applies_to(&["CCU2C".to_string()]));
        assert!(!applies_to(&["SB_CARRY".to_string()]));
    }
}
