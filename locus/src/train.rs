//! `locus train rbf|prototype`: train an RBF network or a nearest-prototype model from a CSV (hdl_gen::train) and write the native JSON (docs/rbf-format.md).

use anyhow::Result;
use hdl_gen::model::rbf::Metric;
use hdl_gen::train::{train_csv, TrainKind, TrainOptions};
use std::path::Path;

/// Trainer options from the command line's words (`rbf`/`prototype`, `euclidean`/`manhattan`).
pub fn options(
    kind: &str,
    centres: Option<usize>,
    seed: u64,
    metric: &str,
    regression: bool,
) -> TrainOptions {
    TrainOptions {
        kind: if kind == "prototype" {
            TrainKind::Prototype
        } else {
            TrainKind::Rbf
        },
        centres,
        seed,
        metric: if metric == "manhattan" {
            Metric::Manhattan
        } else {
            Metric::SquaredEuclidean
        },
        regression,
        ..TrainOptions::default()
    }
}

/// Trains on `data`, writes the model to `out`, and returns a one-line summary
/// (units and, for a classifier, its float accuracy on the training rows).
pub fn run(data: &Path, out: &Path, opts: &TrainOptions) -> Result<String> {
    let m = train_csv(data, opts)?;
    let text = serde_json::to_string_pretty(&m)? + "\n";
    std::fs::write(out, text).map_err(|e| crate::UserError(format!("{}: {e}", out.display())))?;
    let d = hdl_gen::data::read_for_model(data, &m)?;
    let hits = d.labels.as_ref().map(|l| {
        d.rows
            .iter()
            .zip(l)
            .filter(|(r, &y)| m.predict_row(r).class as f64 == y)
            .count()
    });
    Ok(match (m.task, hits) {
        (hdl_gen::model::Task::Classification, Some(h)) => format!(
            "{}: {} units, training accuracy {:.4} on {} rows",
            out.display(),
            m.units.len(),
            h as f64 / d.rows.len() as f64,
            d.rows.len()
        ),
        _ => format!("{}: {} units", out.display(), m.units.len()),
    })
}
