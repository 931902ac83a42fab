//! The one error type of the `sim` crate: every failure says what happened and what to do.

use std::path::PathBuf;

/// Everything that can go wrong while linting, building, loading or tracing a design.
///
/// Misuse of the API by the calling program (a port of the wrong width, setting an
/// output, `tick` on a design without a clock) is a bug in that program and panics
/// instead; see the `# Panics` sections on [`crate::Instance`].
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// A required program (verilator, g++) is not on `PATH`.
    #[error("{tool} not found on PATH; {hint}")]
    ToolMissing {
        /// The program that was looked for.
        tool: &'static str,
        /// How to install it.
        hint: &'static str,
    },

    /// A tool ran but did not do its job (e.g. `verilator --version` printed nothing useful).
    #[error("{tool} failed: {message}")]
    Tool {
        /// The program.
        tool: &'static str,
        /// What went wrong, including the tool's own output.
        message: String,
    },

    /// The design description is inconsistent (no files, duplicate port, clock not an input…).
    #[error("invalid design `{top}`: {message}")]
    InvalidDesign {
        /// The top module.
        top: String,
        /// What is wrong and what was expected.
        message: String,
    },

    /// `verilator --cc` rejected the RTL. Carries Verilator's complete stderr.
    #[error("verilator failed on `{top}` (exit status {status}):\n{stderr}")]
    Verilate {
        /// The top module.
        top: String,
        /// Verilator's exit status.
        status: String,
        /// Verilator's standard error, in full.
        stderr: String,
    },

    /// The ports Verilator generated differ from the ports the [`crate::Design`] declares.
    #[error("port list of `{top}` does not match the RTL:\n{message}")]
    PortMismatch {
        /// The top module.
        top: String,
        /// One line per difference.
        message: String,
    },

    /// g++ failed to compile a generated or runtime C++ file. Carries the tail of its stderr.
    #[error("g++ failed to compile {file}:\n{stderr_tail}")]
    Compile {
        /// The C++ file.
        file: PathBuf,
        /// The last lines of g++'s standard error.
        stderr_tail: String,
    },

    /// g++ failed to link the shared library. Carries the tail of its stderr.
    #[error("g++ failed to link {output}:\n{stderr_tail}")]
    Link {
        /// The library being linked.
        output: PathBuf,
        /// The last lines of g++'s standard error.
        stderr_tail: String,
    },

    /// The shared library could not be loaded or lacks a shim symbol.
    #[error("cannot load simulation library {path}: {message}")]
    Load {
        /// The library file.
        path: PathBuf,
        /// The loader's message.
        message: String,
    },

    /// The C++ model could not be constructed.
    #[error("cannot instantiate the model in {path}")]
    Instantiate {
        /// The library file.
        path: PathBuf,
    },

    /// `verilator --lint-only -Wall` reported warnings or errors. Carries its complete output.
    #[error("verilator lint of `{top}` failed (exit status {status}):\n{output}")]
    Lint {
        /// The top module.
        top: String,
        /// Verilator's exit status.
        status: String,
        /// Every warning and error Verilator printed.
        output: String,
    },

    /// Tracing was requested from a library built without `trace`, or a VCD file could not be opened.
    #[error("trace: {0}")]
    Trace(String),

    /// A file-system operation failed. The I/O error is part of the message and
    /// deliberately not a `source`, so `{:#}` does not print it twice.
    #[error("{context}: {cause}")]
    Io {
        /// What was being done, naming the path.
        context: String,
        /// The underlying error.
        cause: std::io::Error,
    },
}

impl SimError {
    /// Wraps an I/O error with a description of what was being done.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        SimError::Io {
            context: context.into(),
            cause: source,
        }
    }
}

/// The last `n` lines of `text`, with a note when lines were dropped.
pub(crate) fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= n {
        return text.trim_end().to_string();
    }
    let dropped = lines.len() - n;
    format!(
        "[… {dropped} earlier lines omitted …]\n{}",
        lines[dropped..].join("\n")
    )
}
