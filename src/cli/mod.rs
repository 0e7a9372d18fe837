//! The `huntbook` command line: flags are parsed into plain structs, then
//! library functions do the work and [`output`] writes the frame.

pub mod auditd;
pub mod auth;
pub mod azure;
pub mod beacons;
pub mod cluster;
pub mod cmdline;
pub mod geoip;
pub mod iocs;
pub mod mask;
pub mod outliers;
pub mod output;
pub mod pivot;
pub mod proctree;
pub mod query;
pub mod sessions;
pub mod syslog;
pub mod ti;
pub mod timeseries;
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
    /// Mask a data file's columns for safe sharing (MSTICPy's column map plus --map FILE).
    Mask(mask::MaskArgs),
    /// Locate IP addresses (GeoLite2 databases or IPStack): IP... or --input FILE --column C.
    Geoip(geoip::GeoipArgs),
    /// Sessionize events by user and time; score sessions by their rarest window (anomalous sequences).
    Sessions(sessions::SessionsArgs),
    /// Cluster near-identical events (DBSCAN on process features) so the unusual ones stand out.
    Cluster(cluster::ClusterArgs),
    /// Score rows with an isolation forest and flag outliers.
    Outliers(outliers::OutliersArgs),
    /// Time-series anomalies (STL): resample events, decompose, score, periods, KQL filter.
    Timeseries(timeseries::TimeseriesArgs),
    /// Beaconing detection: rank source/destination pairs by periodicity (periodogram).
    Beacons(beacons::BeaconsArgs),
    /// Linux audit logs (audit.log or Log Analytics AuditdMessage) into one row per event.
    Auditd(auditd::AuditdArgs),
    /// Syslog (RFC 3164/5424 or Log Analytics): sudo commands, logon sessions, host record, risky sudo sessions.
    Syslog(syslog::SyslogArgs),
    /// Risky command lines (rule files, decoded base64 payloads) and command bursts.
    Cmdline(cmdline::CmdlineArgs),
    /// Threat-intelligence lookups of IPs, domains, URLs and hashes across providers.
    Ti(ti::TiArgs),
    /// Entity pivots: list functions of an entity type, run one on values or a column, run pipelines.
    Pivot(pivot::PivotArgs),
    /// Azure resources: subscriptions, resource groups, resources, VMs (by id or host name), NSG rules.
    Azure(azure::AzureArgs),
    /// Microsoft Sentinel: incidents, alert rules, hunting queries, bookmarks, watchlists.
    Sentinel(azure::SentinelArgs),
    /// Azure Blob Storage: list, get (as a table or to a file), put, delete, SAS URLs.
    Blob(azure::BlobArgs),
    /// Azure AD authentication: `auth test ENV` gets a token and runs a one-row query.
    Auth(auth::AuthArgs),
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
        Command::Mask(args) => mask::run(args, &out),
        Command::Geoip(args) => geoip::run(args, &out),
        Command::Sessions(args) => sessions::run(args, &out),
        Command::Cluster(args) => cluster::run(args, &out),
        Command::Outliers(args) => outliers::run(args, &out),
        Command::Timeseries(args) => timeseries::run(args, &out),
        Command::Beacons(args) => beacons::run(args, &out),
        Command::Auditd(args) => auditd::run(args, &out),
        Command::Syslog(args) => syslog::run(args, &out),
        Command::Cmdline(args) => cmdline::run(args, &out),
        Command::Ti(args) => ti::run(args, &out),
        Command::Pivot(args) => pivot::run(args, &out),
        Command::Azure(args) => azure::run_azure(args, &out),
        Command::Sentinel(args) => azure::run_sentinel(args, &out),
        Command::Blob(args) => azure::run_blob(args, &out),
        Command::Auth(args) => auth::run(args, &out),
    }
}
