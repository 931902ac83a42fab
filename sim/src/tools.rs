//! Locating and running the external tools (verilator, g++) and caching their identities.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::error::SimError;

const VERILATOR_HINT: &str =
    "install it with `sudo apt-get install --no-install-recommends verilator` or run `make setup`";
const GXX_HINT: &str =
    "install it with `sudo apt-get install --no-install-recommends g++` or run `make setup`";

/// Facts about the installed Verilator, looked up once per process.
#[derive(Debug, Clone)]
pub(crate) struct Verilator {
    /// `verilator --version`, e.g. `Verilator 5.006 2023-01-22 rev (Debian 5.006-3)`.
    pub version: String,
    /// `$VERILATOR_ROOT/include`, holding `verilated.cpp` and friends.
    pub include: PathBuf,
}

/// Runs `program args…`, mapping "not found" to [`SimError::ToolMissing`].
pub(crate) fn run<I, S>(
    program: &'static str,
    args: I,
    cwd: Option<&Path>,
) -> Result<Output, SimError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(program);
    cmd.args(args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    cmd.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => SimError::ToolMissing {
            tool: program,
            hint: hint(program),
        },
        _ => SimError::io(format!("cannot run {program}"), e),
    })
}

fn hint(program: &str) -> &'static str {
    match program {
        "verilator" => VERILATOR_HINT,
        "g++" => GXX_HINT,
        _ => "install it or run `make setup`",
    }
}

/// Standard output of a command that must succeed, trimmed.
fn query(program: &'static str, args: &[&str]) -> Result<String, SimError> {
    let out = run(program, args, None)?;
    let stdout = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || stdout.is_empty() {
        return Err(SimError::Tool {
            tool: program,
            message: format!(
                "`{program} {}` exited with {} and printed:\n{}{}",
                args.join(" "),
                out.status,
                stdout,
                String::from_utf8_lossy(&out.stderr)
            ),
        });
    }
    Ok(stdout)
}

/// The installed Verilator (looked up once; an error is not cached, so a later
/// install is noticed).
pub(crate) fn verilator() -> Result<Verilator, SimError> {
    static CELL: OnceLock<Verilator> = OnceLock::new();
    if let Some(v) = CELL.get() {
        return Ok(v.clone());
    }
    let version = query("verilator", &["--version"])?;
    let root = PathBuf::from(query("verilator", &["--getenv", "VERILATOR_ROOT"])?);
    let include = root.join("include");
    if !include.join("verilated.cpp").is_file() {
        return Err(SimError::Tool {
            tool: "verilator",
            message: format!(
                "{} has no verilated.cpp; is the Verilator installation complete?",
                include.display()
            ),
        });
    }
    Ok(CELL.get_or_init(|| Verilator { version, include }).clone())
}

/// `g++ --version` first line (looked up once).
pub(crate) fn gxx_version() -> Result<String, SimError> {
    static CELL: OnceLock<String> = OnceLock::new();
    if let Some(v) = CELL.get() {
        return Ok(v.clone());
    }
    let full = query("g++", &["--version"])?;
    let first = full.lines().next().unwrap_or_default().to_string();
    Ok(CELL.get_or_init(|| first).clone())
}

/// The installed Verilator's version line, e.g. `Verilator 5.006 2023-01-22 rev (Debian 5.006-3)`.
pub fn verilator_version() -> Result<String, SimError> {
    Ok(verilator()?.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_tool_says_how_to_install_it() {
        let err = run("locus-no-such-tool", ["--version"], None).unwrap_err();
        assert!(matches!(err, SimError::ToolMissing { .. }), "{err:?}");
        let err = SimError::ToolMissing {
            tool: "verilator",
            hint: hint("verilator"),
        };
        assert_eq!(
            err.to_string(),
            "verilator not found on PATH; install it with `sudo apt-get install --no-install-recommends verilator` or run `make setup`"
        );
    }
}
