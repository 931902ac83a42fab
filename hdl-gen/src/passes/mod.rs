//! IR passes: IR in, IR out, one named pass per file, run in the order [`PIPELINE`] lists them; each keeps `eval()` unchanged.

mod dce;
mod pipeline;
mod split_compares;

use crate::ir::Ir;

/// Options the passes read.
#[derive(Clone, Debug)]
pub struct PassOptions {
    /// Logic-delay budget per pipeline stage, in LUT levels (see `pipeline`).
    pub stage_budget: f64,
}

impl Default for PassOptions {
    fn default() -> Self {
        PassOptions { stage_budget: 8.0 }
    }
}

/// A pass: a name, what it does, and the transformation.
pub struct Pass {
    pub name: &'static str,
    pub description: &'static str,
    pub run: fn(&Ir, &PassOptions) -> Ir,
}

/// Every pass, in the order they run (`dce` again last: logic the `pipeline` pass
/// rebuilt in a later stage may have no reader left where it was).
pub const PIPELINE: &[Pass] = &[dce::PASS, split_compares::PASS, pipeline::PASS, dce::PASS];

/// Runs every pass. With `check`, verifies the IR after each one; a violation is a
/// bug and is reported with the pass's name.
pub fn run(ir: Ir, opts: &PassOptions, check: bool) -> Result<Ir, String> {
    let mut ir = ir;
    if check {
        ir.verify().map_err(|e| format!("after lowering: {e}"))?;
    }
    for p in PIPELINE {
        ir = (p.run)(&ir, opts);
        if check {
            ir.verify()
                .map_err(|e| format!("after pass '{}': {e}", p.name))?;
        }
    }
    Ok(ir)
}
