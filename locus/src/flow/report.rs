//! Reading the tools' JSON reports: `yosys stat -json` cell counts and `nextpnr --report` utilisation and Fmax.

use anyhow::{anyhow, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// Cell counts by type for the whole design, from `yosys stat -json`.
pub fn cell_counts(path: &Path) -> Result<BTreeMap<String, u64>> {
    #[derive(Deserialize)]
    struct Stat {
        design: Option<Counts>,
        #[serde(default)]
        modules: BTreeMap<String, Counts>,
    }
    #[derive(Deserialize)]
    struct Counts {
        #[serde(default)]
        num_cells_by_type: BTreeMap<String, u64>,
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let s: Stat = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a yosys `stat -json` report", path.display()))?;
    if let Some(d) = s.design {
        return Ok(d.num_cells_by_type);
    }
    // A flat design has one module; its counts are the design's.
    match s.modules.into_values().collect::<Vec<_>>().as_slice() {
        [m] => Ok(m.num_cells_by_type.clone()),
        _ => Err(anyhow!(
            "{}: no design totals and not exactly one module",
            path.display()
        )),
    }
}

/// How many cells match any of `patterns` (exact type names; a trailing `*` matches a prefix).
pub fn count(cells: &BTreeMap<String, u64>, patterns: &[String]) -> u64 {
    cells
        .iter()
        .filter(|(t, _)| {
            patterns.iter().any(|p| match p.strip_suffix('*') {
                Some(prefix) => t.starts_with(prefix),
                None => *t == p,
            })
        })
        .map(|(_, n)| n)
        .sum()
}

/// One bel type's use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Use {
    pub used: u64,
    pub available: u64,
}

/// One clock's timing.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fmax {
    pub achieved: f64,
    pub constraint: f64,
}

/// The parts of `nextpnr --report` locus uses.
#[derive(Clone, Debug, Deserialize)]
pub struct PnrReport {
    #[serde(default)]
    pub utilization: BTreeMap<String, Use>,
    #[serde(default)]
    pub fmax: BTreeMap<String, Fmax>,
}

impl PnrReport {
    pub fn read(path: &Path) -> Result<PnrReport> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{}: not a nextpnr --report file", path.display()))
    }

    /// Bel types used beyond their capacity.
    pub fn overflows(&self) -> Vec<(&str, Use)> {
        self.utilization
            .iter()
            .filter(|(_, u)| u.used > u.available)
            .map(|(k, u)| (k.as_str(), *u))
            .collect()
    }

    /// The slowest clock's achieved Fmax in MHz (`None` if no clocked paths).
    pub fn fmax_mhz(&self) -> Option<f64> {
        self.fmax.values().map(|f| f.achieved).reduce(f64::min)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_with_prefix_patterns() {
        let cells: BTreeMap<String, u64> = [("SB_DFF", 3), ("SB_DFFSR", 2), ("SB_LUT4", 7)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        assert_eq!(count(&cells, &["SB_DFF*".into()]), 5);
        assert_eq!(count(&cells, &["SB_DFF".into()]), 3);
        assert_eq!(count(&cells, &["SB_CARRY".into()]), 0);
    }

    #[test]
    fn reads_a_nextpnr_report() {
        let r: PnrReport = serde_json::from_str(
            r#"{"utilization": {"ICESTORM_LC": {"available": 1280, "used": 3907}, "SB_IO": {"available": 112, "used": 6}},
                "fmax": {"clk": {"achieved": 36.3, "constraint": 12.0}, "b": {"achieved": 50.0, "constraint": 12.0}},
                "critical_paths": []}"#,
        )
        .unwrap();
        assert_eq!(r.overflows().len(), 1);
        assert_eq!(r.fmax_mhz(), Some(36.3));
    }
}
