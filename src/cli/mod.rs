//! The `huntbook` command line: flags are parsed into plain structs, then
//! library functions do the work and [`output`] writes the frame.

pub mod iocs;
pub mod output;
pub mod proctree;
pub mod query;
pub mod unpack;

use crate::error::Result;
use clap::{Parser, Subcommand};
use output::{OutputFormat, OutputOptions};
use std::path::PathBuf;

/// huntbook: security investigation and threat hunting on DataFrames.
#[derive(Debug, Parser)]
#[command(name = "huntbook", version, about, long_about = None)]
pub struct Cli {
    /// Output format of the result table.
    #[arg(long, short = 'f', global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write the result to this file instead of standard output.
    #[arg(long, short = 'o', global = true, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands. Each feature adds its own.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read a data file (CSV, JSON, NDJSON or Parquet) and write it out.
    Read {
        /// The file to read.
        file: PathBuf,
        /// Only the first N rows.
        #[arg(long)]
        head: Option<usize>,
    },
    /// List the bundled sample data files.
    Samples,
    /// Extract indicators of compromise (IPs, domains, URLs, hashes, ...) from text or a column.
    Iocs(iocs::IocsArgs),
    /// Build process trees from process-creation events (4688, Sysmon, auditd, Defender, ...).
    Proctree(proctree::ProctreeArgs),
    /// Decode base64 (recursively) and unpack gzip/zip/tar in text, a file or a frame column.
    Unpack(unpack::UnpackArgs),
    /// Query libraries: list, show, render and run queries; SQL over local files; Security-Datasets.
    Query(query::QueryArgs),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let out = OutputOptions {
        format: cli.format,
        path: cli.output,
    };
    match cli.command {
        Command::Read { file, head } => {
            let df = crate::data::read_file(&file)?;
            let df = match head {
                Some(n) => df.head(Some(n)),
                None => df,
            };
            output::write(df, &out)
        }
        Command::Samples => output::write(crate::data::sample_files()?, &out),
        Command::Iocs(args) => iocs::run(args, &out),
        Command::Unpack(args) => unpack::run(args, &out),
        Command::Proctree(args) => proctree::run(args, &out),
        Command::Query(args) => query::run(args, &out),
    }
}
