//! `locus predict`: one prediction per row from the fixed-point reference or the float model.

use crate::read_data;
use anyhow::Result;
use hdl_gen::compile::{load_dir, AnyQuant, RowEncoder};
use hdl_gen::model::Task;
use hdl_gen::quant::{missing_error, FastPredictor};
use std::io::Write;
use std::path::Path;

pub fn run(dir: &Path, data: &Path, float: bool) -> Result<()> {
    let l = load_dir(dir)?;
    let d = read_data(data, &l.model)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // Trees: the integer predictor compiled once, all rows at a time (the same
    // function, faster).
    let fast = match (&l.quant, float) {
        (AnyQuant::Trees(q), false) => {
            let p = FastPredictor::new(q)
                .predict_many(q, &d.rows)
                .map_err(|(r, e)| missing_error(q, &d.file, r, e))?;
            Some(
                (0..d.rows.len())
                    .map(|r| (p.classes[r], q.outputs(p.row(r))[0]))
                    .collect::<Vec<_>>(),
            )
        }
        _ => None,
    };
    for (r, row) in d.rows.iter().enumerate() {
        let (class, value) = if float {
            l.model.predict_class_value(row)
        } else if let Some(all) = &fast {
            all[r]
        } else {
            let codes = l.quant.encode(row, &d.file, r)?;
            l.quant.predict_class_value(&codes)
        };
        match l.model.task() {
            Task::Classification => writeln!(out, "{}", l.model.class_name(class))?,
            Task::Regression => writeln!(out, "{value}")?,
        }
    }
    out.flush()?;
    Ok(())
}
