//! `locus predict`: one prediction per row from the fixed-point reference or the float model.

use crate::read_data;
use anyhow::Result;
use hdl_gen::compile::{load_dir, RowEncoder};
use hdl_gen::model::Task;
use std::io::Write;
use std::path::Path;

pub fn run(dir: &Path, data: &Path, float: bool) -> Result<()> {
    let l = load_dir(dir)?;
    let d = read_data(data, &l.model)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for (r, row) in d.rows.iter().enumerate() {
        let (class, value) = if float {
            l.model.predict_class_value(row)
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
