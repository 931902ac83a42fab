//! Netlist fix-up between yosys and nextpnr: carry-out ports that nothing reads are disconnected, so nextpnr adds no feed-out cell for them.
//!
//! yosys's ECP5 adder mapping (`arith_map_ccu2c.v`) connects the carry out of a
//! chain's last `CCU2C` to a wire that nothing reads. nextpnr-ecp5 0.11's packer
//! (`split_carry_chain`) ends every chain whose last carry out has a net with a
//! feed-out `CCU2C` — two LUT4 slots — even when that net has no reader. In a
//! tree ensemble's narrow sums that is a fifth of the carry logic (FIELD-NOTES).
//! Marking those ports unconnected (`"x"`) changes no function: nothing read them.
//!
//! The JSON is edited as text, one `"COUT": [ bit ]` at a time, so the netlist
//! stays byte for byte what yosys wrote elsewhere (nextpnr's placement depends on
//! the order of cells and nets); the result is parsed again before it replaces
//! the original.

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
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, out).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))?;
    Ok(unread.len())
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

    #[test]
    fn families_with_other_carry_cells_are_left_alone() {
        assert!(applies_to(&["CCU2C".to_string()]));
        assert!(!applies_to(&["SB_CARRY".to_string()]));
    }
}
