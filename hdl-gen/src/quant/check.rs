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

/// Checks an RBF model `q` (read from `file`) is one `quant::rbf::quantize` could have
/// written: shapes, indices, codes and widths within what the lowering, the serial
/// core and the reference compute exactly.
pub fn check_rbf(q: &super::rbf::RbfQuant, file: &str) -> Result<()> {
    use crate::model::rbf::RbfKind;
    let bad = |place: String, msg: String| Err(Error::input(file, place, msg));
    let f = q.feature_names.len();
    if f == 0 {
        return bad(String::new(), "no features; expected at least one".into());
    }
    let outputs = match (q.kind, q.task) {
        (_, Task::Classification) if q.n_classes < 2 => {
            return bad(
                String::new(),
                format!("{} classes; expected 2 or more", q.n_classes),
            )
        }
        (RbfKind::Prototype, Task::Classification) => 0,
        (RbfKind::Svc, Task::Classification) => q.n_classes * (q.n_classes - 1) / 2,
        (RbfKind::Network, Task::Classification) => q.n_classes,
        (RbfKind::Network | RbfKind::Svr, Task::Regression) => 1,
        (kind, task) => {
            return bad(
                String::new(),
                format!("a {kind:?} model for {task:?}; expected a combination locus builds"),
            )
        }
    };
    if q.n_classes > 1 << 16 || q.n_outputs != outputs || q.bias.len() != outputs {
        return bad(
            String::new(),
            format!(
                "{} outputs and {} biases for {} classes; expected {outputs} of each",
                q.n_outputs,
                q.bias.len(),
                q.n_classes
            ),
        );
    }
    for (what, fmt) in [
        ("input format", &q.input_fmt),
        ("table format", &q.table_fmt),
    ] {
        if let Some(why) = fmt_problem(fmt) {
            return bad(what.into(), why);
        }
    }
    if q.input_fmt.width() > 32 || q.table_fmt.width() > 40 || q.index_bits > 24 {
        return bad(
            String::new(),
            format!(
                "{}-bit inputs, {}-bit tables, {}-bit table indices; expected at most 32, 40 and 24",
                q.input_fmt.width(),
                q.table_fmt.width(),
                q.index_bits
            ),
        );
    }
    if q.units.is_empty() || q.units.len() > crate::limits::MAX_RBF_TERMS {
        return bad(
            String::new(),
            format!(
                "{} units; expected 1 to {}",
                q.units.len(),
                crate::limits::MAX_RBF_TERMS
            ),
        );
    }
    if !(1..=crate::compile::MAX_LANES).contains(&q.lanes) {
        return bad(
            "lanes".into(),
            format!("{}; expected 1 to {}", q.lanes, crate::compile::MAX_LANES),
        );
    }
    if let Some(s) = &q.scaler {
        let finite = s.offset.iter().chain(&s.scale).all(|v| v.is_finite());
        if s.offset.len() != f || s.scale.len() != f || !finite {
            return bad(
                "scaler".into(),
                format!("expected {f} finite offsets and scales"),
            );
        }
    }
    // Every value a table entry, a bias or a sum of them can take stays far inside the
    // 62-bit integers the IR carries.
    let value_limit = 1i64 << (q.table_fmt.width() + 2);
    let (lo, hi) = (q.input_fmt.min_code(), q.input_fmt.max_code());
    let mut dist = 0i128;
    for (fi, _) in q.feature_names.iter().enumerate() {
        let mut far = 0i128;
        for u in &q.units {
            if let Some(&c) = u.centre.get(fi) {
                far = far.max((i128::from(hi) - i128::from(c)).abs());
                far = far.max((i128::from(c) - i128::from(lo)).abs());
            }
        }
        dist += far * far;
    }
    if dist >= 1i128 << 60 || !(0..1i64 << 60).contains(&q.d_max) {
        return bad(
            String::new(),
            "distances beyond 60 bits; expected the formats `locus compile` chooses".into(),
        );
    }
    for (b, &v) in q.bias.iter().enumerate() {
        if v.unsigned_abs() >= value_limit as u64 {
            return bad(
                format!("bias {b}"),
                format!("{v}; expected below {value_limit} in magnitude"),
            );
        }
    }
    for (i, u) in q.units.iter().enumerate() {
        let place = format!("unit {i}");
        if u.centre.len() != f || u.centre.iter().any(|&c| c < lo || c > hi) {
            return bad(
                place,
                format!("centre codes must be {f} codes from {lo} to {hi}"),
            );
        }
        let classes = q.n_classes.max(1);
        if u.class >= classes || u.shift > 62 || !(1..=1 << 16).contains(&u.gamma_code) {
            return bad(
                place,
                format!(
                    "class {}, shift {}, gamma code {}; expected a class below {classes}, a shift to 62 and a gamma code from 1 to 65536",
                    u.class, u.shift, u.gamma_code
                ),
            );
        }
        if !u.slopes.is_empty() && u.slopes.len() != u.tables.len() {
            return bad(place, "slope tables do not match the kernel tables".into());
        }
        for (k, (o, t)) in u.tables.iter().enumerate() {
            let slope = u.slopes.get(k);
            let fine = *o < outputs
                && !t.is_empty()
                && t.len() <= 1usize << q.index_bits
                && slope.is_none_or(|s| s.len() == t.len())
                && t.iter()
                    .chain(slope.into_iter().flatten())
                    .all(|v| v.unsigned_abs() < value_limit as u64);
            if !fine {
                return bad(
                    format!("unit {i} table {k}"),
                    format!(
                        "output {o}, {} entries; expected an output below {outputs}, 1 to {} entries (as many slopes) below {value_limit} in magnitude",
                        t.len(),
                        1usize << q.index_bits
                    ),
                );
            }
        }
    }
    Ok(())
}
