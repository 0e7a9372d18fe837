//! Writing a result frame in the format the user chose.

use crate::data::{FileFormat, write_frame};
use crate::error::{Error, Result};
use polars::prelude::DataFrame;
use std::io::Write;
use std::path::PathBuf;

/// `--format`: how the result is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Comma-separated values with a header.
    Csv,
    /// A JSON array of records.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Apache Parquet (binary: use with --output or a pipe).
    Parquet,
    /// A text table for reading in a terminal.
    Table,
    /// Text: the table, or a command's own text view (`proctree`: the
    /// indented tree).
    Text,
    /// A self-contained HTML page: the escaped table, or a command's own
    /// page (`proctree`: the interactive tree).
    Html,
}

/// Where and how to write.
#[derive(Debug, Clone)]
pub struct OutputOptions {
    /// The format.
    pub format: OutputFormat,
    /// The file, or standard output when `None`.
    pub path: Option<PathBuf>,
}

/// Writes `df` as the options say.
pub fn write(mut df: DataFrame, options: &OutputOptions) -> Result<()> {
    let mut sink: Box<dyn Write> = match &options.path {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| Error::io("writing", path, e))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let format = match options.format {
        OutputFormat::Csv => FileFormat::Csv,
        OutputFormat::Json => FileFormat::Json,
        OutputFormat::Ndjson => FileFormat::Ndjson,
        OutputFormat::Parquet => FileFormat::Parquet,
        OutputFormat::Table | OutputFormat::Text => {
            return writeln!(sink, "{df}")
                .and_then(|_| sink.flush())
                .map_err(|e| Error::io("writing", display_path(options), e));
        }
        OutputFormat::Html => {
            return sink
                .write_all(html_page(&df).as_bytes())
                .and_then(|_| sink.flush())
                .map_err(|e| Error::io("writing", display_path(options), e));
        }
    };
    write_frame(&mut df, format, &mut sink)?;
    sink.flush()
        .map_err(|e| Error::io("writing", display_path(options), e))
}

/// A self-contained HTML page showing `df` as the notebook table (every
/// value escaped).
pub fn html_page(df: &DataFrame) -> String {
    let table = crate::vis::table::table_html(df, &crate::vis::table::TableOptions::default());
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>huntbook</title></head><body>{table}</body></html>\n"
    )
}

fn display_path(options: &OutputOptions) -> PathBuf {
    options
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdout>"))
}
