//! `locus predict`: one prediction per row from the fixed-point reference or the float model.

use crate::read_data;
use anyhow::Result;
use hdl_gen::compile::load_dir;
use hdl_gen::model::Task;
use hdl_gen::quant::missing_error;
use std::io::Write;
use std::path::Path;

pub fn run(dir: &Path, data: &Path, float: bool) -> Result<()> {
    let l = load_dir(dir)?;
    let d = read_data(data, &l.model)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (r, row) in d.rows.iter().enumerate() {
        let (class, value) = if float {
            let p = l.model.predict_row(row);
            (p.class, p.outputs[0])
        } else {
            let codes = l
                .quant
                .encode_row(row)
                .map_err(|e| missing_error(&l.quant, &d.file, r, e))?;
            let q = l.quant.predict_codes(&codes);
            (q.class, l.quant.outputs(&q.scores)[0])
        };
        match l.model.task {
            Task::Classification => writeln!(out, "{}", l.model.class_name(class))?,
            Task::Regression => writeln!(out, "{value}")?,
        }
    }
    out.flush()?;
    Ok(())
}
