//! Size limits: a model, its calibration data or a design beyond what any supported device or this machine's memory can hold is refused early, with the figure and the limit.
//!
//! The importers already refuse absurd files (more than 100,000 trees, 10,000 classes…),
//! so every count here fits in memory. These checks stop what would only fail later:
//! a design no supported FPGA can hold, a calibration pass that would exhaust memory,
//! or sums wider than the 62-bit integers the reference and the IR compute with.
//! Each runs in time linear in the model, before any quantisation or lowering.

use crate::error::{Error, Result};
use crate::fixed::{int_type, MAX_WIDTH};
use crate::ir::Census;
use crate::model::rbf::RbfModel;
use crate::model::{AnyModel, Model, Node};
use crate::quant::{QNode, QuantModel};
use crate::quant::{SearchOptions, MAX_INPUT_BITS, MAX_LEAF_BITS};

/// Look-up tables of the largest device locus targets (ECP5 LFE5U-85F); also its flip-flops.
pub const LARGEST_DEVICE_LUTS: u64 = 83_640;
/// Split nodes in one ensemble: 12× the largest device's LUTs, since every split that
/// survives hash-consing costs at least one LUT in its tree's mux tree.
pub const MAX_SPLITS: usize = 1_000_000;
/// Pipeline register bits in a design: 12× the largest device's flip-flops.
pub const MAX_REGISTER_BITS: u64 = 1_000_000;
/// Comparisons on one root-to-leaf path. Every level is a mux in series, and
/// pipelining a path this long carries every comparator bit across its stages.
pub const MAX_DEPTH: usize = 256;
/// Distance terms (units × features) of an RBF model: each is a subtractor and a square.
pub const MAX_RBF_TERMS: usize = 4_000_000;
/// Calibration work: rows × trees (the width search keeps a leaf index per pair,
/// 4 bytes each, so this caps that table at 1 GiB) or rows × units × features.
pub const MAX_CALIBRATION_PAIRS: u64 = 250_000_000;

/// Largest model file read: parsing holds several times its size in memory.
pub const MAX_MODEL_BYTES: u64 = 1 << 30;
/// Largest CSV read: a few thousand rows calibrate well; every cell becomes 8 bytes.
pub const MAX_CSV_BYTES: u64 = 1 << 30;

/// Reads a whole file of at most `max` bytes (`what` names it in the error), so a huge
/// file or an endless stream is refused before it fills memory.
pub fn read_capped(path: &std::path::Path, max: u64, what: &str) -> Result<Vec<u8>> {
    use std::io::Read;
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| Error::io(&name, e))?;
    let mut bytes = Vec::new();
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&name, e))?;
    if bytes.len() as u64 > max {
        return Err(Error::input(
            &name,
            "",
            format!("larger than the {} MiB limit for {what}", max >> 20),
        ));
    }
    Ok(bytes)
}

/// Checks a model, the calibration row count and explicit widths before compiling.
/// `model_file` and `data_file` name the inputs in errors.
pub fn check(
    model: &AnyModel,
    model_file: &str,
    rows: usize,
    data_file: &str,
    search: &SearchOptions,
) -> Result<()> {
    check_widths(search)?;
    match model {
        AnyModel::Trees(m) => check_trees(m, model_file, rows, data_file),
        AnyModel::Rbf(m) => check_rbf(m, model_file, rows, data_file),
    }
}

fn check_widths(search: &SearchOptions) -> Result<()> {
    if let Some(b) = search.input_bits {
        if !(1..=MAX_INPUT_BITS).contains(&b) {
            return Err(Error::input(
                "--input-bits",
                "",
                format!("{b} is out of range; expected 1 to {MAX_INPUT_BITS}"),
            ));
        }
    }
    if let Some(l) = search.leaf_bits {
        if !(2..=MAX_LEAF_BITS).contains(&l) {
            return Err(Error::input(
                "--leaf-bits",
                "",
                format!("{l} is out of range; expected 2 to {MAX_LEAF_BITS}"),
            ));
        }
    }
    Ok(())
}

/// Deepest root-to-leaf path (in splits) of a tree whose nodes are in any order.
/// Iterative, so a degenerate chain cannot overflow the stack.
pub fn depth(nodes: &[Node]) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(0usize, 0usize)];
    let mut seen = 0usize;
    while let Some((i, d)) = stack.pop() {
        seen += 1;
        // The importers check trees are trees; this guards against a cycle anyway.
        if seen > nodes.len() {
            break;
        }
        match nodes.get(i) {
            Some(Node::Split { left, right, .. }) => {
                stack.push((*left, d + 1));
                stack.push((*right, d + 1));
            }
            _ => deepest = deepest.max(d),
        }
    }
    deepest
}

/// `n` with thousands separators (`1,234,567`).
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn check_trees(m: &Model, file: &str, rows: usize, data_file: &str) -> Result<()> {
    let splits: usize = m
        .trees
        .iter()
        .map(|t| {
            t.nodes
                .iter()
                .filter(|n| matches!(n, Node::Split { .. }))
                .count()
        })
        .sum();
    if splits > MAX_SPLITS {
        return Err(Error::input(
            file,
            "",
            format!(
                "{} split nodes in {} trees; the limit is {} (12 times the {} LUTs of the \
                 largest supported device), so no supported FPGA could hold this model; \
                 expected fewer or shallower trees",
                thousands(splits as u64),
                thousands(m.trees.len() as u64),
                thousands(MAX_SPLITS as u64),
                thousands(LARGEST_DEVICE_LUTS)
            ),
        ));
    }
    for (i, t) in m.trees.iter().enumerate() {
        let d = depth(&t.nodes);
        if d > MAX_DEPTH {
            return Err(Error::input(
                file,
                format!("tree {i}"),
                format!(
                    "{d} levels deep; the limit is {MAX_DEPTH} comparisons on one path \
                     (retrain with a smaller max_depth)"
                ),
            ));
        }
    }
    let pairs = rows as u64 * m.trees.len() as u64;
    if pairs > MAX_CALIBRATION_PAIRS {
        return Err(calibration_error(
            data_file,
            rows,
            pairs,
            &format!("{} trees", thousands(m.trees.len() as u64)),
            MAX_CALIBRATION_PAIRS / m.trees.len() as u64,
        ));
    }
    Ok(())
}

fn check_rbf(m: &RbfModel, file: &str, rows: usize, data_file: &str) -> Result<()> {
    let terms = m.units.len() as u64 * m.n_features as u64;
    if terms > MAX_RBF_TERMS as u64 {
        return Err(Error::input(
            file,
            "",
            format!(
                "{} units × {} features = {} distance terms; the limit is {}, so no \
                 supported FPGA could hold this model; expected fewer units or features",
                thousands(m.units.len() as u64),
                thousands(m.n_features as u64),
                thousands(terms),
                thousands(MAX_RBF_TERMS as u64)
            ),
        ));
    }
    let pairs = rows as u64 * terms;
    if pairs > MAX_CALIBRATION_PAIRS {
        return Err(calibration_error(
            data_file,
            rows,
            pairs,
            &format!("{} distance terms", thousands(terms)),
            MAX_CALIBRATION_PAIRS / terms.max(1),
        ));
    }
    Ok(())
}

fn calibration_error(data_file: &str, rows: usize, pairs: u64, what: &str, most: u64) -> Error {
    Error::input(
        data_file,
        "",
        format!(
            "{} rows × {what} = {} row-model pairs for the width search; the limit is {} \
             (memory); expected at most {} calibration rows",
            thousands(rows as u64),
            thousands(pairs),
            thousands(MAX_CALIBRATION_PAIRS),
            thousands(most)
        ),
    )
}

/// Checks that every class score of a quantised ensemble (bias plus one leaf code per
/// tree) fits the IR's integers, before lowering builds its adders.
pub fn check_scores(qm: &QuantModel, model_file: &str) -> Result<()> {
    let mut hi: Vec<i128> = qm.bias.iter().map(|&b| i128::from(b)).collect();
    for t in &qm.trees {
        let top = t
            .nodes
            .iter()
            .filter_map(|n| match n {
                QNode::Leaf { code } => Some(i128::from(*code)),
                QNode::Split { .. } => None,
            })
            .max()
            .unwrap_or(0);
        if let Some(h) = hi.get_mut(t.group) {
            *h += top;
        }
    }
    let limit = 1i128 << (MAX_WIDTH - 2);
    for (g, (&b, &h)) in qm.bias.iter().zip(&hi).enumerate() {
        let (lo, hi) = (i128::from(b).min(h), i128::from(b).max(h));
        let fits = lo > -limit && hi < limit;
        if !fits || int_type(lo as i64, hi as i64).0 > MAX_WIDTH {
            return Err(Error::input(
                model_file,
                if qm.bias.len() > 1 {
                    format!("class {g}")
                } else {
                    String::new()
                },
                format!(
                    "the score (bias plus one leaf per tree) needs more than {MAX_WIDTH} bits \
                     at the leaves' step of 2^{}, and {MAX_WIDTH} bits is the limit; expected a \
                     base score and leaf values within about 2^{} of the smallest leaf step",
                    -qm.leaf_fmt.frac_bits,
                    MAX_WIDTH - 2 - qm.leaf_bits,
                ),
            ));
        }
    }
    Ok(())
}

/// Checks a lowered design's pipeline registers against [`MAX_REGISTER_BITS`].
pub fn check_design(census: &Census, model_file: &str) -> Result<()> {
    if census.register_bits > MAX_REGISTER_BITS {
        return Err(Error::input(
            model_file,
            "",
            format!(
                "the pipelined design needs {} register bits; the limit is {} (12 times the \
                 {} flip-flops of the largest supported device); expected shallower trees, \
                 or a larger --stage-budget for fewer pipeline stages",
                thousands(census.register_bits),
                thousands(MAX_REGISTER_BITS),
                thousands(LARGEST_DEVICE_LUTS)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Missing;

    fn chain(d: usize) -> Vec<Node> {
        let mut nodes = Vec::new();
        for i in 0..d {
            let at = nodes.len();
            nodes.push(Node::Leaf { value: 0.0 });
            nodes.push(Node::Leaf { value: i as f64 });
            nodes[at] = Node::Split {
                feature: 0,
                threshold: i as f64,
                left: at + 1,
                right: at + 2,
                default_left: true,
                missing: Missing::NanDefault,
            };
        }
        nodes.push(Node::Leaf { value: -1.0 });
        nodes
    }

    #[test]
    fn depth_of_chains_and_leaves() {
        assert_eq!(depth(&[Node::Leaf { value: 1.0 }]), 0);
        assert_eq!(depth(&chain(1)), 1);
        assert_eq!(depth(&chain(300_000)), 300_000);
    }

    #[test]
    fn read_capped_refuses_large_files() {
        let p = std::env::temp_dir().join(format!("locus-capped-{}", std::process::id()));
        std::fs::write(&p, vec![b'x'; 3 << 20]).unwrap();
        assert_eq!(read_capped(&p, 4 << 20, "a CSV").unwrap().len(), 3 << 20);
        let e = read_capped(&p, 2 << 20, "a CSV").unwrap_err().to_string();
        assert!(e.ends_with("larger than the 2 MiB limit for a CSV"), "{e}");
        std::fs::remove_file(&p).unwrap();
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(25_010_020), "25,010,020");
    }
}
