//! huntbook's error type.
//!
//! Every fallible library function returns [`Result<T>`]. Messages name the
//! input that was wrong and what was expected, so an analyst can fix the cell
//! without reading the source.

use std::path::PathBuf;

/// The result type of every fallible huntbook function.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in huntbook.
///
/// ```
/// let err = huntbook::Error::column_not_found("CommandLine", "process events", ["a", "b"]);
/// assert_eq!(
///     err.to_string(),
///     "column 'CommandLine' not found in process events with columns [a, b]"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A column a function needs is missing from the input frame.
    #[error("column '{column}' not found in {frame} with columns [{available}]")]
    ColumnNotFound {
        /// The column that was asked for.
        column: String,
        /// What the frame is (e.g. "process events").
        frame: String,
        /// The columns the frame does have, comma separated.
        available: String,
    },
    /// A file could not be read or written.
    #[error("{action} '{path}': {source}")]
    Io {
        /// What huntbook was doing ("reading", "writing", ...).
        action: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The operating-system error.
        #[source]
        source: std::io::Error,
    },
    /// An input value (an argument, a cell, a file's content) is not valid.
    #[error("invalid {input}: {message}")]
    InvalidInput {
        /// What the input is ("option 'max_rows'", "file 'x.csv' line 3", ...).
        input: String,
        /// What is wrong with it and what was expected.
        message: String,
    },
    /// A polars operation failed.
    #[error("{context}: {source}")]
    Polars {
        /// What huntbook was doing when polars failed.
        context: String,
        /// The polars error.
        #[source]
        source: polars::error::PolarsError,
    },
    /// JSON could not be parsed or written.
    #[error("{context}: {source}")]
    Json {
        /// What huntbook was reading or writing.
        context: String,
        /// The serde_json error.
        #[source]
        source: serde_json::Error,
    },
    /// A chart could not be built.
    #[error("chart error: {0}")]
    Chart(String),
    /// An async task or runtime failed.
    #[error("async runtime: {0}")]
    Runtime(String),
}

impl Error {
    /// A missing-column error listing the columns the frame has.
    pub fn column_not_found<I, S>(column: &str, frame: &str, available: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let available: Vec<String> = available
            .into_iter()
            .map(|s| s.as_ref().to_string())
            .collect();
        Error::ColumnNotFound {
            column: column.to_string(),
            frame: frame.to_string(),
            available: available.join(", "),
        }
    }

    /// An invalid-input error.
    pub fn invalid(input: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidInput {
            input: input.into(),
            message: message.into(),
        }
    }

    /// Wraps an I/O error with the action and the path.
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }

    /// Wraps a polars error with what huntbook was doing.
    pub fn polars(context: impl Into<String>, source: polars::error::PolarsError) -> Self {
        Error::Polars {
            context: context.into(),
            source,
        }
    }
}

/// Adds context to polars results: `df.column("x").ctx("reading x")?`.
pub trait PolarsContext<T> {
    /// Converts a polars error into [`Error::Polars`] with the given context.
    fn ctx(self, context: impl Into<String>) -> Result<T>;
}

impl<T> PolarsContext<T> for polars::error::PolarsResult<T> {
    fn ctx(self, context: impl Into<String>) -> Result<T> {
        self.map_err(|e| Error::polars(context, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_error_names_the_path() {
        let e = Error::io(
            "reading",
            "/nope/x.csv",
            std::io::Error::new(std::io::ErrorKind::NotFound, "No such file"),
        );
        assert_eq!(e.to_string(), "reading '/nope/x.csv': No such file");
    }

    #[test]
    fn invalid_input_message() {
        let e = Error::invalid("option 'max_rows'", "must be at least 2, got 0");
        assert_eq!(
            e.to_string(),
            "invalid option 'max_rows': must be at least 2, got 0"
        );
    }
}
