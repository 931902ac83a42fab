//! `verilator --lint-only -Wall`: the cleanliness gate for emitted and hand-written RTL.

use std::path::Path;

use crate::error::SimError;
use crate::tools;

/// Lints `files` with `top` as the top module under `verilator --lint-only -Wall`.
///
/// Succeeds only if Verilator exits 0 and prints no `%Warning` or `%Error`; otherwise
/// the error carries everything Verilator printed.
pub fn lint<P: AsRef<Path>>(files: &[P], top: &str) -> Result<(), SimError> {
    let mut args: Vec<std::ffi::OsString> = vec![
        "--lint-only".into(),
        "-Wall".into(),
        "--top-module".into(),
        top.into(),
    ];
    args.extend(files.iter().map(|f| f.as_ref().as_os_str().to_owned()));
    let out = tools::run("verilator", &args, None)?;
    let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    let text = text.trim_end().to_string();
    if out.status.success() && !text.contains("%Warning") && !text.contains("%Error") {
        return Ok(());
    }
    Err(SimError::Lint {
        top: top.to_string(),
        status: out
            .status
            .code()
            .map_or_else(|| out.status.to_string(), |c| c.to_string()),
        output: text,
    })
}
