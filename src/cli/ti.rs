//! `huntbook ti`: threat-intelligence lookups.
//!
//! ```sh
//! huntbook ti providers                                   # what is configured
//! huntbook ti lookup 51.255.107.37 evil.com --feed iocs.csv
//! huntbook ti lookup --input alerts.csv --column RemoteIP --provider VirusTotal -f csv
//! huntbook ti lookup 1.2.3.4 --subtype communicating_files --provider VirusTotal
//! huntbook ti lookup --input iocs.csv --column Observable --type-column IoCType --view html -o ti.html
//! ```

use super::output::{self, OutputFormat, OutputOptions};
use crate::data::read_file;
use crate::display::NotebookDisplay;
use crate::enrich::ti::{LocalFeed, SentinelTi, SentinelTiTable, TiLookup};
use crate::error::{Error, Result};
use crate::transform::ioc::IocType;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Arguments of `huntbook ti`.
#[derive(Debug, clap::Args)]
pub struct TiArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: TiCommand,
}

/// `huntbook ti` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum TiCommand {
    /// Look IoCs up (values, or a column of a data file).
    Lookup(Box<LookupArgs>),
    /// List the providers from the settings (TIProviders) and the IoC types each takes.
    Providers(SourceArgs),
}

/// Where providers come from, besides the settings.
#[derive(Debug, Clone, clap::Args)]
pub struct SourceArgs {
    /// A local indicator file (CSV, STIX 2.1 or MISP JSON) used as a provider
    /// named after the file (repeatable).
    #[arg(long, value_name = "FILE")]
    pub feed: Vec<PathBuf>,
    /// An export of a Microsoft Sentinel TI table, queried through LocalData.
    #[arg(long, value_name = "FILE")]
    pub sentinel_export: Option<PathBuf>,
    /// Which table the export is: current (ThreatIntelIndicators) or retired
    /// (ThreatIntelligenceIndicator).
    #[arg(long, default_value = "retired", value_parser = ["current", "retired"])]
    pub sentinel_table: String,
    /// Ignore TIProviders in the settings (use only --feed/--sentinel-export).
    #[arg(long)]
    pub no_config: bool,
}

/// Arguments of `huntbook ti lookup`.
#[derive(Debug, clap::Args)]
pub struct LookupArgs {
    /// IoCs to look up (types inferred).
    pub values: Vec<String>,
    /// A data file (CSV, JSON, NDJSON, Parquet) whose --column holds the IoCs.
    #[arg(long, short = 'i', value_name = "FILE", requires = "column")]
    pub input: Option<PathBuf>,
    /// The column of --input with the IoCs.
    #[arg(long, short = 'c', value_name = "NAME")]
    pub column: Option<String>,
    /// A column of --input with each IoC's type (ipv4, dns, url, sha256_hash…).
    #[arg(long, value_name = "NAME", requires = "input")]
    pub type_column: Option<String>,
    /// Take every value as this type (ipv4, ipv6, dns, url, email, md5_hash, sha1_hash, sha256_hash).
    #[arg(long = "type", short = 't', value_name = "TYPE")]
    pub ioc_type: Option<String>,
    /// Only these providers (repeatable; default: the primary ones).
    #[arg(long, short = 'p', value_name = "NAME")]
    pub provider: Vec<String>,
    /// A provider sub-query (VirusTotal relationships, OTX sections…).
    #[arg(long, value_name = "NAME")]
    pub subtype: Option<String>,
    /// Per-request timeout in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
    /// Do not read or write the on-disk cache.
    #[arg(long)]
    pub no_cache: bool,
    /// The cache folder (default ~/.cache/huntbook/ti).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// How long cached answers are used, in hours.
    #[arg(long, default_value_t = 24, value_name = "HOURS")]
    pub cache_hours: u64,
    /// Look up non-global IPs too (no pre-checks).
    #[arg(long)]
    pub no_prechecks: bool,
    /// What to write: results (one row per IoC per provider), summary (one
    /// row per IoC), or html (the results browser).
    #[arg(long, default_value = "results", value_parser = ["results", "summary", "html"])]
    pub view: String,
    /// Every column in a text table (by default it shows Ioc, IocType,
    /// Provider, Result, Severity, StatusText, Cached; other formats always
    /// have every column).
    #[arg(long)]
    pub wide: bool,
    /// Providers.
    #[command(flatten)]
    pub source: SourceArgs,
}

fn build(source: &SourceArgs) -> Result<TiLookup> {
    let mut ti = if source.no_config {
        TiLookup::new()
    } else {
        TiLookup::from_config()?
    };
    for f in &source.feed {
        let name = f
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("LocalFeed")
            .to_string();
        let feed = LocalFeed::from_file(f)?.named(&name);
        ti.add_provider(Arc::new(feed), true, None);
    }
    if let Some(p) = &source.sentinel_export {
        let table = if source.sentinel_table == "current" {
            SentinelTiTable::Current
        } else {
            SentinelTiTable::Retired
        };
        ti.add_provider(Arc::new(SentinelTi::local_export(p, table)?), true, None);
    }
    for n in ti.notes() {
        eprintln!("ti: {n}");
    }
    Ok(ti)
}

/// Runs `huntbook ti`.
pub fn run(args: TiArgs, out: &OutputOptions) -> Result<()> {
    match args.command {
        TiCommand::Providers(source) => output::write(build(&source)?.providers()?, out),
        TiCommand::Lookup(a) => lookup(*a, out),
    }
}

fn lookup(a: LookupArgs, out: &OutputOptions) -> Result<()> {
    let mut ti = build(&a.source)?
        .timeout(Duration::from_secs(a.timeout.max(1)))
        .prechecks(!a.no_prechecks);
    ti = if a.no_cache {
        ti.no_cache()
    } else if let Some(d) = &a.cache_dir {
        ti.cache(d, Duration::from_secs(a.cache_hours * 3600))
    } else {
        let dir = crate::enrich::ti::cache::default_cache_dir();
        ti.cache(dir, Duration::from_secs(a.cache_hours * 3600))
    };
    if a.provider.is_empty() && ti.enabled().is_empty() {
        return Err(Error::invalid(
            "threat-intelligence providers",
            "none enabled: add Primary providers to TIProviders in msticpyconfig.yaml, pass --feed FILE, or name one with --provider",
        ));
    }
    let ioc_type = a
        .ioc_type
        .as_deref()
        .map(str::parse::<IocType>)
        .transpose()?;
    let results = match (&a.input, &a.column) {
        (Some(path), Some(col)) => {
            if !a.values.is_empty() {
                return Err(Error::invalid(
                    "arguments",
                    "give IoC values or --input with --column, not both",
                ));
            }
            let df = read_file(path)?;
            match &a.type_column {
                Some(tc) => ti.lookup_df_typed(&df, col, tc)?,
                None => {
                    let vals = crate::data::fresh(&df)
                        .column(col)
                        .map_err(|_| {
                            Error::column_not_found(
                                col,
                                &format!("file '{}'", path.display()),
                                df.get_column_names().iter().map(|s| s.as_str()),
                            )
                        })?
                        .cast(&polars::prelude::DataType::String)
                        .map_err(|e| Error::polars(format!("reading column '{col}'"), e))?;
                    let vals: Vec<String> = vals
                        .str()
                        .map_err(|e| Error::polars(format!("reading column '{col}'"), e))?
                        .iter()
                        .flatten()
                        .map(String::from)
                        .collect();
                    run_query(&ti, vals, &a, ioc_type)?
                }
            }
        }
        _ => {
            if a.values.is_empty() {
                return Err(Error::invalid(
                    "arguments",
                    "give IoC values, or --input FILE --column NAME",
                ));
            }
            run_query(&ti, a.values.clone(), &a, ioc_type)?
        }
    };
    eprintln!(
        "ti: providers asked: {}",
        if results.providers_run().is_empty() {
            "none".to_string()
        } else {
            results.providers_run().join(", ")
        }
    );
    match a.view.as_str() {
        "summary" => output::write(results.summary()?, out),
        "html" => {
            let html = results.to_html();
            match &out.path {
                Some(p) => std::fs::write(p, html).map_err(|e| Error::io("writing", p, e)),
                None => {
                    println!("{html}");
                    Ok(())
                }
            }
        }
        _ => {
            let mut df = results.into_df();
            if out.format == OutputFormat::Table && !a.wide {
                df = df
                    .select([
                        "Ioc",
                        "IocType",
                        "Provider",
                        "Result",
                        "Severity",
                        "StatusText",
                        "Cached",
                    ])
                    .map_err(|e| Error::polars("selecting the table columns", e))?;
            }
            output::write(df, out)
        }
    }
}

fn run_query(
    ti: &TiLookup,
    values: Vec<String>,
    a: &LookupArgs,
    ioc_type: Option<IocType>,
) -> Result<crate::enrich::ti::TiResults> {
    let mut q = ti.query(values);
    if !a.provider.is_empty() {
        q = q.providers(&a.provider);
    }
    if let Some(t) = ioc_type {
        q = q.ioc_type(t);
    }
    if let Some(s) = &a.subtype {
        q = q.subtype(s);
    }
    q.run()
}
