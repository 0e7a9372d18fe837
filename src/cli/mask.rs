//! `huntbook mask`: mask a data file's columns for safe sharing.

use super::output::{self, OutputOptions};
use crate::data::read_file;
use crate::error::{Error, Result};
use crate::transform::mask::{IpPermutation, Masker};
use std::path::PathBuf;

/// Arguments of `huntbook mask`.
#[derive(Debug, clap::Args)]
pub struct MaskArgs {
    /// The CSV, JSON, NDJSON or Parquet file to mask.
    pub file: PathBuf,
    /// A column map (JSON or YAML: `{column: kind}` or MSTICPy's grouped
    /// `obfuscation_cols.yaml`); kinds are uuid, ip, str, acct, sid, dict,
    /// list, null, or delimiter characters. Added on top of the default map.
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Use only --map, not MSTICPy's default map of 72 columns.
    #[arg(long)]
    pub no_default_map: bool,
    /// Derive every hash, UUID and the IP permutation from this number, so
    /// the same input gives the same output in every run (keep it secret).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Hash with plain SHA-256 as MSTICPy does (outputs match MSTICPy's,
    /// but anyone can confirm a guessed value).
    #[arg(long)]
    pub msticpy_compatible: bool,
    /// Use this IPv4 octet permutation (MSTICPy's `ip_map` as JSON).
    #[arg(long, value_name = "FILE")]
    pub ip_map: Option<PathBuf>,
    /// Print the masked columns and their kinds to standard error.
    #[arg(long)]
    pub verbose: bool,
}

impl MaskArgs {
    /// The masker these flags describe.
    pub fn masker(&self) -> Result<Masker> {
        let mut m = Masker::new();
        if let Some(seed) = self.seed {
            m = m.seed(seed);
        }
        m = m
            .msticpy_compatible(self.msticpy_compatible)
            .use_default_map(!self.no_default_map);
        if let Some(path) = &self.ip_map {
            m = m.ip_permutation(IpPermutation::from_json_file(path)?);
        }
        if let Some(path) = &self.map {
            m = m.map_file(path)?;
        }
        if self.no_default_map && self.map.is_none() {
            return Err(Error::invalid(
                "option '--no-default-map'",
                "needs --map FILE: there would be nothing to mask",
            ));
        }
        Ok(m)
    }
}

/// Runs `huntbook mask`.
pub fn run(args: MaskArgs, out: &OutputOptions) -> Result<()> {
    let masker = args.masker()?;
    let df = read_file(&args.file)?;
    if args.verbose {
        for (col, kind) in masker.masked_columns(&df) {
            eprintln!("masking {col} as {kind}");
        }
    }
    output::write(masker.mask_df(&df)?, out)
}
