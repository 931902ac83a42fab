//! `locus explain`: each decision in plain words — the predicted class and margin, and the conditions that decided it, aggregated across trees — from the hardware's evidence.

use crate::{read_data, UserError};
use anyhow::Result;
use hdl_gen::compile::{load_dir, port_codes, AnyQuant, Loaded};
use hdl_gen::explain::{self, scores_and_evidence, Explanation, RbfExplanation};
use hdl_gen::model::rbf::RbfKind;
use hdl_gen::model::{AnyModel, Model, Task};
use hdl_gen::quant::QuantModel;
use std::io::Write;
use std::path::Path;

/// Conditions shown per decision in the text form (`--json` has them all).
const SHOWN: usize = 8;

/// The tree model and its integer reference, or a user error for other families.
pub fn trees(l: &Loaded) -> Result<(&Model, &QuantModel)> {
    match (&l.model, &l.quant) {
        (AnyModel::Trees(m), AnyQuant::Trees(q)) => Ok((m, q)),
        _ => Err(UserError(format!(
            "{}: explanations exist for tree ensembles only so far; this is an RBF model",
            l.dir.display()
        ))
        .into()),
    }
}

/// Explains one row from the core's outputs for it (`outputs` in the IR's port order):
/// the evidence ports when the core has them, else the reference's evidence.
pub fn from_outputs(
    l: &Loaded,
    row: usize,
    encoded: &hdl_gen::quant::Encoded,
    outputs: &[i64],
) -> Result<Explanation> {
    let (m, q) = trees(l)?;
    let (scores, mut leaves) = scores_and_evidence(&l.ir, outputs);
    if !q.evidence {
        leaves = explain::evidence(q, encoded);
    }
    Ok(explain::explain(m, q, row, encoded, &leaves, &scores))
}

/// An RBF decision from the core's outputs (`outputs` in port order): the evidence
/// ports when the core has them, else the reference's evidence.
pub fn rbf_from_outputs(
    l: &Loaded,
    row: usize,
    codes: &[i64],
    outputs: &[i64],
) -> Result<RbfExplanation> {
    let (AnyModel::Rbf(m), AnyQuant::Rbf(q)) = (&l.model, &l.quant) else {
        return Err(UserError(format!("{}: not an RBF model", l.dir.display())).into());
    };
    let mut class = 0;
    let mut scores = Vec::new();
    let mut evidence = Vec::new();
    for (o, &v) in l.ir.outputs.iter().zip(outputs) {
        if o.name == "out_class" {
            class = v.max(0) as usize;
        } else if o.name.starts_with("out_score") {
            scores.push(v);
        } else if o.name.starts_with("ev_") {
            evidence.push(v);
        }
    }
    if !q.evidence {
        evidence = explain::rbf_evidence(q, codes);
    }
    Ok(explain::explain_rbf(m, q, row, &evidence, &scores, class))
}

/// The text form of an RBF explanation.
pub fn rbf_words(l: &Loaded, x: &RbfExplanation) -> String {
    let unit_kind = match &l.quant {
        AnyQuant::Rbf(q) => match q.kind {
            RbfKind::Svc | RbfKind::Svr => "support vector",
            RbfKind::Network => "centre",
            RbfKind::Prototype => "prototype",
        },
        AnyQuant::Trees(_) => "unit",
    };
    let mut s = match (&x.class_name, x.class) {
        (Some(name), Some(c)) if *name != c.to_string() => {
            format!("row {}: {name} (class {c})", x.row)
        }
        (_, Some(c)) => format!("row {}: class {c}", x.row),
        _ => format!("row {}: predicts {:.6}", x.row, x.margin),
    };
    if let Some(r) = &x.runner_up {
        let r = if r.parse::<usize>().is_ok() {
            format!("class {r}")
        } else {
            r.clone()
        };
        s += &format!(", margin {:.4} over {r}", x.margin);
    }
    s += "\n";
    // Networks rank centres by activation (their widths differ); the others by distance.
    let which = if unit_kind == "centre" {
        "most active"
    } else {
        "nearest"
    };
    s += &format!("  {which} {unit_kind}: #{}", x.nearest_unit);
    if !x.nearest_class.is_empty() {
        if x.nearest_class.parse::<usize>().is_ok() {
            s += &format!(" (class {})", x.nearest_class);
        } else {
            s += &format!(" ({})", x.nearest_class);
        }
    }
    s += &format!(" at distance {:.6}", x.distance);
    if let Some(a) = x.activation {
        s += &format!(", activation {a:.4}");
    }
    s + "\n"
}

pub fn run(dir: &Path, data: &Path, row: Option<usize>, json: bool) -> Result<()> {
    let l = load_dir(dir)?;
    let d = read_data(data, &l.model)?;
    check_row(data, row, d.rows.len())?;
    let rows = d
        .rows
        .iter()
        .enumerate()
        .filter(|(r, _)| row.is_none_or(|want| want == *r));
    match &l.quant {
        AnyQuant::Rbf(q) => print_all(
            json,
            None,
            rows.map(|(r, values)| {
                let e = q.encode_row(values);
                let outputs = l.ir.eval_outputs(&port_codes(&l.ir, &e));
                let x = rbf_from_outputs(&l, r, &e.codes, &outputs)?;
                Ok((rbf_words(&l, &x), x))
            }),
        ),
        AnyQuant::Trees(q) => print_all(
            json,
            (!q.evidence).then_some(
                "(compiled without --explain: the leaves come from the integer reference, which \
                 the hardware matches bit for bit)",
            ),
            rows.map(|(r, values)| {
                let e = q
                    .encode_row(values)
                    .map_err(|e| hdl_gen::quant::missing_error(q, &d.file, r, e))?;
                let outputs = l.ir.eval_outputs(&port_codes(&l.ir, &e));
                let x = from_outputs(&l, r, &e, &outputs)?;
                Ok((words(&l, &x), x))
            }),
        ),
    }
}

/// Prints each explanation as words, or all of them as one JSON array; `note` ends
/// the text form.
fn print_all<T: serde::Serialize>(
    json: bool,
    note: Option<&str>,
    explained: impl Iterator<Item = Result<(String, T)>>,
) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut all = Vec::new();
    for x in explained {
        let (text, x) = x?;
        if json {
            all.push(x);
        } else {
            write!(out, "{text}")?;
        }
    }
    if json {
        serde_json::to_writer_pretty(&mut out, &all)?;
        writeln!(out)?;
    } else if let Some(n) = note {
        writeln!(out, "{n}")?;
    }
    out.flush()?;
    Ok(())
}

fn check_row(data: &Path, row: Option<usize>, rows: usize) -> Result<()> {
    match row {
        Some(r) if r >= rows => Err(UserError(format!(
            "--row {r}: {} has {rows} data rows; expected 0 to {}",
            data.display(),
            rows.saturating_sub(1)
        ))
        .into()),
        _ => Ok(()),
    }
}

/// The text form of one explanation.
pub fn words(l: &Loaded, x: &Explanation) -> String {
    let mut s = String::new();
    let n_trees = x.leaves.len();
    // "versicolor (class 1)", or "class 1" when the model has no class names.
    let label = |name: &str, c: usize| {
        if name == c.to_string() {
            format!("class {c}")
        } else {
            format!("{name} (class {c})")
        }
    };
    match (x.task, &x.class_name, &x.runner_up) {
        (Task::Regression, _, _) => {
            s += &format!("row {}: predicts {:.6}\n", x.row, x.margin);
        }
        (_, Some(name), Some(second)) => {
            let c = x.class.unwrap_or(0);
            s += &format!(
                "row {}: {}, margin {:.4} over {second}\n",
                x.row,
                label(name, c),
                x.margin
            );
        }
        (_, Some(name), None) => {
            s += &format!(
                "row {}: {}, score {:+.4} (positive means {})\n",
                x.row,
                label(name, x.class.unwrap_or(0)),
                x.margin,
                label(&l.model.class_name(1), 1)
            );
        }
        _ => {}
    }
    let whose = match (&x.class_name, &x.runner_up) {
        (Some(name), Some(_)) => format!(
            "the {} trees of {}",
            x.trees_considered,
            label(name, x.class.unwrap_or(0))
        ),
        _ => format!("the {n_trees} trees"),
    };
    s += &format!("  the paths of {whose} rest on (most shared first):\n");
    let width = x
        .conditions
        .iter()
        .take(SHOWN)
        .map(|c| c.words.chars().count())
        .max()
        .unwrap_or(0);
    for c in x.conditions.iter().take(SHOWN) {
        s += &format!(
            "    {:<width$}  in {} of {} trees\n",
            c.words, c.trees, x.trees_considered
        );
    }
    if x.conditions.len() > SHOWN {
        s += &format!(
            "    … and {} more conditions (--json lists them all)\n",
            x.conditions.len() - SHOWN
        );
    }
    s
}
