//! The library's error type: user errors that name the file, the place and what was expected.

use std::fmt;

/// Where in an input something was found: `"tree 3, node 17"`, `"line 12, column 4"`.
pub type Place = String;

/// Every error the library returns.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad or unsupported input: the user can fix it (exit code 2).
    #[error("{file}: {place}{sep}{message}", sep = if place.is_empty() { "" } else { ": " })]
    Input {
        file: String,
        place: Place,
        message: String,
    },
    /// Reading or writing a file failed. The I/O error is part of the message and
    /// deliberately not a `source`, so `{:#}` does not print it twice.
    #[error("{file}: {cause}")]
    Io { file: String, cause: std::io::Error },
    /// A broken invariant inside locus: a bug, never the user's fault.
    #[error("internal error (a bug in locus, please report it): {0}")]
    Internal(String),
}

impl Error {
    /// A user error about `file` at `place`.
    pub fn input(
        file: impl fmt::Display,
        place: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            file: file.to_string(),
            place: place.into(),
            message: message.into(),
        }
    }

    /// An I/O error on `file`.
    pub fn io(file: impl fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            file: file.to_string(),
            cause: source,
        }
    }

    /// True for errors the user caused (exit code 2).
    pub fn is_user_error(&self) -> bool {
        matches!(self, Error::Input { .. } | Error::Io { .. })
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
