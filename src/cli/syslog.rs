//! `huntbook syslog`: parse syslog (RFC 3164/5424 text, or a Log Analytics
//! `Syslog` export) and derive sudo commands, logon sessions, the host
//! record and risky sudo sessions.

use super::output::{self, OutputOptions};
use crate::data::FileFormat;
use crate::error::Result;
use crate::transform::cmdline::{CmdRules, RiskyCommands, command_bursts};
use crate::transform::syslog::{
    SyslogParser, host_record, logon_sessions, risky_sudo_sessions, sudo_commands,
};
use polars::prelude::*;
use std::path::PathBuf;

/// `--view`: which frame to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SyslogView {
    /// The messages (default).
    Messages,
    /// sudo commands (Sudoer, SudoTo, Command, CommandCall).
    Sudo,
    /// Logon sessions from pam_unix session opened/closed.
    Sessions,
    /// The host record (with --heartbeat / --az-net for OS and IPs).
    Host,
    /// Sessions during which risky sudo commands or command bursts happened.
    Risky,
}

/// Arguments of `huntbook syslog`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    huntbook syslog /var/log/auth.log --year 2024 --view sessions\n  \
    huntbook syslog auth.log --view sudo --format csv\n  \
    huntbook syslog syslog_data.csv --view host --heartbeat host_hb.csv --az-net az_net.csv\n  \
    huntbook syslog sudo_events.csv --view risky --burst-seconds 60 --burst-count 2\n\n\
    A .csv/.json/.ndjson/.parquet file is read as a Log Analytics Syslog frame;\n  \
    any other file as syslog text (malformed lines counted on standard error).")]
pub struct SyslogArgs {
    /// Syslog text or a Log Analytics export.
    pub file: PathBuf,
    /// What to write.
    #[arg(long, value_enum, default_value_t = SyslogView::Messages)]
    pub view: SyslogView,
    /// Year of RFC 3164 dates (default: this year).
    #[arg(long)]
    pub year: Option<i32>,
    /// Host name for lines without one.
    #[arg(long)]
    pub computer: Option<String>,
    /// Heartbeat export for --view host.
    #[arg(long, value_name = "FILE")]
    pub heartbeat: Option<PathBuf>,
    /// Azure network export for --view host.
    #[arg(long, value_name = "FILE")]
    pub az_net: Option<PathBuf>,
    /// Risky-command rules for --view risky (default: bundled).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Read --rules as MSTICPy's format with this log type.
    #[arg(long)]
    pub log_type: Option<String>,
    /// Burst window (seconds) for --view risky.
    #[arg(long, default_value_t = 5.0)]
    pub burst_seconds: f64,
    /// Commands in a burst for --view risky.
    #[arg(long, default_value_t = 10)]
    pub burst_count: usize,
}

fn load(args: &SyslogArgs) -> Result<DataFrame> {
    if FileFormat::from_path(&args.file).is_ok() {
        return crate::data::read_file(&args.file);
    }
    let mut p = SyslogParser::new();
    if let Some(y) = args.year {
        p = p.year(y);
    }
    if let Some(c) = &args.computer {
        p = p.computer(c.clone());
    }
    let ev = p.parse_file(&args.file)?;
    if ev.malformed_count() > 0 {
        let first = ev
            .malformed()
            .first()
            .map(|m| format!(" (first: line {}: {})", m.line, m.reason))
            .unwrap_or_default();
        eprintln!(
            "huntbook syslog: {} malformed line(s) skipped{first}",
            ev.malformed_count()
        );
    }
    Ok(ev.into_df())
}

/// Runs `huntbook syslog`.
pub fn run(args: SyslogArgs, out: &OutputOptions) -> Result<()> {
    let df = load(&args)?;
    let result = match args.view {
        SyslogView::Messages => df,
        SyslogView::Sudo => {
            let s = sudo_commands(&df)?;
            s.lazy()
                .filter(col("Command").is_not_null())
                .collect()
                .map_err(|e| crate::Error::polars("selecting sudo commands", e))?
        }
        SyslogView::Sessions => logon_sessions(&df)?.into_df(),
        SyslogView::Host => {
            let hb = args
                .heartbeat
                .as_ref()
                .map(crate::data::read_file)
                .transpose()?;
            let az = args
                .az_net
                .as_ref()
                .map(crate::data::read_file)
                .transpose()?;
            host_record(&df, hb.as_ref(), az.as_ref())?.to_df()?
        }
        SyslogView::Risky => {
            let sudo = if df.column("Command").is_ok() {
                df.clone()
            } else {
                sudo_commands(&df)?
            };
            let sessions = logon_sessions(&sudo)?;
            let mut det = RiskyCommands::new();
            if let Some(path) = &args.rules {
                det = det.rules(CmdRules::from_file(path, args.log_type.as_deref())?);
            }
            let risky = det.detect(&sudo, "Command")?;
            let bursts = command_bursts(
                &sudo,
                "Command",
                "TimeGenerated",
                args.burst_seconds,
                args.burst_count,
            )?;
            risky_sudo_sessions(sessions.df(), Some(risky.df()), Some(&bursts))?
        }
    };
    output::write(result, out)
}
