//! `locus explain`: each decision in plain words — the predicted class and margin, and the conditions that decided it, aggregated across trees — from the hardware's evidence.

use crate::{read_data, UserError};
use anyhow::Result;
use hdl_gen::compile::{load_dir, port_codes, Loaded};
use hdl_gen::explain::{self, scores_and_evidence, Explanation};
use hdl_gen::model::{AnyModel, Model, Task};
use hdl_gen::quant::QuantModel;
use std::io::Write;
use std::path::Path;

/// Conditions shown per decision in the text form (`--json` has them all).
const SHOWN: usize = 8;

/// The tree model and its integer reference, or a user error for other families.
pub fn trees(l: &Loaded) -> Result<(&Model, &QuantModel)> {
    match (&l.model, &l.quant) {
        (AnyModel::Trees(m), hdl_gen::compile::AnyQuant::Trees(q)) => Ok((m, q)),
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

pub fn run(dir: &Path, data: &Path, row: Option<usize>, json: bool) -> Result<()> {
    let l = load_dir(dir)?;
    let (_, q) = trees(&l)?;
    let d = read_data(data, &l.model)?;
    if let Some(r) = row {
        if r >= d.rows.len() {
            return Err(UserError(format!(
                "--row {r}: {} has {} data rows; expected 0 to {}",
                data.display(),
                d.rows.len(),
                d.rows.len().saturating_sub(1)
            ))
            .into());
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut all = Vec::new();
    for (r, values) in d.rows.iter().enumerate() {
        if row.is_some_and(|want| want != r) {
            continue;
        }
        let e = q
            .encode_row(values)
            .map_err(|e| hdl_gen::quant::missing_error(q, &d.file, r, e))?;
        let outputs = l.ir.eval_outputs(&port_codes(&l.ir, &e));
        let x = from_outputs(&l, r, &e, &outputs)?;
        if json {
            all.push(x);
        } else {
            write!(out, "{}", words(&l, &x))?;
        }
    }
    if json {
        serde_json::to_writer_pretty(&mut out, &all)?;
        writeln!(out)?;
    } else if !q.evidence {
        writeln!(
            out,
            "(compiled without --explain: the leaves come from the integer reference, which the \
             hardware matches bit for bit)"
        )?;
    }
    out.flush()?;
    Ok(())
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
