//! Checks a quantised tree model read back from `quant.json`: every index, width and code the lowering and the reference rely on, so an edited or corrupted file is a user error, never a panic.

use super::{QNode, QuantModel};
use crate::error::{Error, Result};
use crate::fixed::{QFmt, MAX_WIDTH};
use crate::import::{node_place, walk_tree};
use crate::model::Task;

/// Checks `qm` (read from `file`) is a model `quantize` could have written.
pub fn check(qm: &QuantModel, file: &str) -> Result<()> {
    let bad = |place: String, msg: String| Err(Error::input(file, place, msg));
    let groups = match (qm.task, qm.n_classes) {
        (Task::Regression, 1) | (Task::Classification, 2) => 1,
        (Task::Classification, k) if k > 2 => k,
        (task, k) => {
            return bad(
                String::new(),
                format!("{k} classes for {task:?}; expected 1 for regression, 2 or more otherwise"),
            )
        }
    };
    if qm.n_groups != groups || qm.bias.len() != groups {
        return bad(
            String::new(),
            format!(
                "{} output groups and {} biases; expected {groups} of each for {} classes",
                qm.n_groups,
                qm.bias.len(),
                qm.n_classes
            ),
        );
    }
    if qm.features.is_empty() {
        return bad(String::new(), "no features; expected at least one".into());
    }
    for (f, q) in qm.features.iter().enumerate() {
        let place = format!("feature {f}");
        if let Some(why) = fmt_problem(&q.fmt) {
            return bad(place, why);
        }
        if let Some(bins) = &q.bins {
            let sorted = bins.windows(2).all(|w| w[0] < w[1]);
            if !sorted || bins.iter().any(|b| b.is_nan()) {
                return bad(place, "bins are not sorted distinct numbers".into());
            }
            if q.fmt.signed || q.fmt.frac_bits != 0 || (bins.len() as i64) > q.fmt.max_code() {
                return bad(
                    place,
                    format!(
                        "{} bins in a {}-bit code; expected an unsigned integer code that \
                         holds every rank",
                        bins.len(),
                        q.fmt.width()
                    ),
                );
            }
        }
    }
    if let Some(why) = fmt_problem(&qm.leaf_fmt) {
        return bad("leaf format".into(), why);
    }
    for (t, tree) in qm.trees.iter().enumerate() {
        if tree.group >= groups {
            return bad(
                format!("tree {t}"),
                format!("group {}; expected below {groups}", tree.group),
            );
        }
        let kids: Vec<Option<(usize, usize)>> = tree
            .nodes
            .iter()
            .map(|n| match n {
                QNode::Split { left, right, .. } => Some((*left, *right)),
                QNode::Leaf { .. } => None,
            })
            .collect();
        walk_tree(file, t, &kids, 0)?;
        for (i, n) in tree.nodes.iter().enumerate() {
            match n {
                QNode::Split { feature, k, .. } => {
                    let Some(q) = qm.features.get(*feature) else {
                        return bad(
                            node_place(t, i),
                            format!(
                                "split on feature {feature}; expected below {}",
                                qm.features.len()
                            ),
                        );
                    };
                    if *k < q.fmt.min_code() || *k > q.fmt.max_code() + 1 {
                        return bad(
                            node_place(t, i),
                            format!(
                                "split code {k}; expected {} to {} for a {}-bit input",
                                q.fmt.min_code(),
                                q.fmt.max_code() + 1,
                                q.fmt.width()
                            ),
                        );
                    }
                }
                QNode::Leaf { code } => {
                    if !(0..1i64 << (MAX_WIDTH - 2)).contains(code) {
                        return bad(
                            node_place(t, i),
                            format!("leaf code {code}; expected 0 to 2^{}", MAX_WIDTH - 2),
                        );
                    }
                }
            }
        }
    }
    crate::limits::check_scores(qm, file)
}

/// Why a format is not one the IR can carry, if it is not.
fn fmt_problem(f: &QFmt) -> Option<String> {
    let w = i64::from(f.signed) + i64::from(f.int_bits) + i64::from(f.frac_bits);
    (!(1..=i64::from(MAX_WIDTH)).contains(&w)).then(|| {
        format!(
            "a {w}-bit format (int_bits {}, frac_bits {}); expected 1 to {MAX_WIDTH} bits",
            f.int_bits, f.frac_bits
        )
    })
}
