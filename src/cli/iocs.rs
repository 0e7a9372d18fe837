//! `huntbook iocs`: extract indicators of compromise from text or a frame column.

use super::output::{self, OutputOptions};
use crate::data::{FileFormat, read_file};
use crate::error::{Error, Result};
use crate::transform::ioc::{IocExtractor, IocType};
use polars::prelude::*;
use std::io::Read;
use std::path::PathBuf;

/// Arguments of `huntbook iocs`.
#[derive(Debug, clap::Args)]
pub struct IocsArgs {
    /// The input: a text file (one row per line), or a CSV/JSON/NDJSON/Parquet
    /// file with --column. Standard input when absent or `-`.
    pub file: Option<PathBuf>,
    /// Scan this column of a data file (repeat for several columns).
    #[arg(long, short = 'c', value_name = "NAME")]
    pub column: Vec<String>,
    /// Only these types, comma separated (ipv4, ipv6, dns, url, email,
    /// md5_hash, sha1_hash, sha256_hash, windows_path, linux_path, hostname).
    #[arg(long, short = 't', value_delimiter = ',', value_name = "TYPES")]
    pub types: Vec<String>,
    /// Also report Windows and Linux file paths.
    #[arg(long)]
    pub include_paths: bool,
    /// Do not recognise defanged forms (hxxp, [.], [at], ...).
    #[arg(long)]
    pub no_defang: bool,
    /// Accept any alphabetic top-level label instead of checking the Public Suffix List.
    #[arg(long)]
    pub ignore_tlds: bool,
}

impl IocsArgs {
    /// The extractor these flags describe.
    pub fn extractor(&self) -> Result<IocExtractor> {
        let mut x = IocExtractor::new()
            .include_paths(self.include_paths)
            .defanged(!self.no_defang)
            .ignore_tlds(self.ignore_tlds);
        if !self.types.is_empty() {
            let types = self
                .types
                .iter()
                .filter(|t| !t.trim().is_empty())
                .map(|t| t.parse::<IocType>())
                .collect::<Result<Vec<_>>>()?;
            x = x.types(types);
        }
        Ok(x)
    }

    /// Reads the input into a frame and the column(s) to scan.
    fn input(&self) -> Result<(DataFrame, Vec<String>)> {
        let path = self.file.as_ref().filter(|p| p.as_os_str() != "-");
        if !self.column.is_empty() {
            let path = path.ok_or_else(|| {
                Error::invalid(
                    "option '--column'",
                    "needs a CSV, JSON, NDJSON or Parquet file argument",
                )
            })?;
            return Ok((read_file(path)?, self.column.clone()));
        }
        let text = match path {
            Some(p) => {
                if FileFormat::from_path(p).is_ok_and(|f| f != FileFormat::Csv) {
                    return Err(Error::invalid(
                        format!("file '{}'", p.display()),
                        "is a data file: name the column(s) to scan with --column",
                    ));
                }
                let bytes = std::fs::read(p).map_err(|e| Error::io("reading", p, e))?;
                String::from_utf8_lossy(&bytes).into_owned()
            }
            None => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io("reading", "<stdin>", e))?;
                String::from_utf8_lossy(&bytes).into_owned()
            }
        };
        let lines: Vec<&str> = text.lines().collect();
        let df = DataFrame::new_infer_height(vec![Column::new("Line".into(), lines)])
            .map_err(|e| Error::polars("reading the input lines", e))?;
        Ok((df, vec!["Line".to_string()]))
    }
}

/// Runs `huntbook iocs`.
pub fn run(args: IocsArgs, out: &OutputOptions) -> Result<()> {
    let extractor = args.extractor()?;
    let (df, columns) = args.input()?;
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let result = extractor.extract_df(&df, &columns)?;
    output::write(result.into_df(), out)
}
