//! `huntbook auditd`: parse a raw `audit.log` (or a Log Analytics
//! `AuditdMessage` export) into one row per audit event.

use super::output::{self, OutputOptions};
use crate::data::FileFormat;
use crate::error::Result;
use crate::transform::auditd::{AuditdEvents, AuditdParser};
use std::path::PathBuf;

/// `--view`: which frame to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditdView {
    /// Every event (default).
    Events,
    /// Process starts only (SYSCALL_EXECVE), ready for `huntbook proctree`.
    Process,
    /// Events per EventType.
    Counts,
    /// The lines that could not be read, with the reason.
    Malformed,
    /// The process tree of the process starts.
    Tree,
}

/// Arguments of `huntbook auditd`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    huntbook auditd /var/log/audit/audit.log --view counts\n  \
    huntbook auditd audit.log --view process --format csv -o procs.csv\n  \
    huntbook auditd linux_events.csv --column AuditdMessage --view tree --format csv\n\n\
    A .csv/.json/.ndjson/.parquet file is read as a Log Analytics frame (records in\n  \
    --column, TIME:SERIAL in mssg_id); any other file as raw audit.log text.\n  \
    Malformed lines are skipped and counted on standard error.")]
pub struct AuditdArgs {
    /// The audit log (raw text) or a Log Analytics export.
    pub file: PathBuf,
    /// Column holding the records in a Log Analytics export.
    #[arg(long, default_value = "AuditdMessage")]
    pub column: String,
    /// Host name for events without node= / Computer.
    #[arg(long)]
    pub computer: Option<String>,
    /// Keep every field of every record type (not MSTICPy's per-type sets).
    #[arg(long)]
    pub all_fields: bool,
    /// Only events of this EventType (e.g. USER_LOGIN).
    #[arg(long)]
    pub event_type: Option<String>,
    /// What to write.
    #[arg(long, value_enum, default_value_t = AuditdView::Events)]
    pub view: AuditdView,
}

/// Parses the file as `args` say.
pub fn parse(args: &AuditdArgs) -> Result<AuditdEvents> {
    let mut parser = AuditdParser::new().all_fields(args.all_fields);
    if let Some(c) = &args.computer {
        parser = parser.computer(c.clone());
    }
    if FileFormat::from_path(&args.file).is_ok() {
        let df = crate::data::read_file(&args.file)?;
        parser.parse_frame(&df, &args.column)
    } else {
        parser.parse_file(&args.file)
    }
}

/// Runs `huntbook auditd`.
pub fn run(args: AuditdArgs, out: &OutputOptions) -> Result<()> {
    let events = parse(&args)?;
    if events.malformed_count() > 0 {
        let first = events
            .malformed()
            .first()
            .map(|m| format!(" (first: line {}: {})", m.line, m.reason))
            .unwrap_or_default();
        eprintln!(
            "huntbook auditd: {} malformed line(s) skipped{first}",
            events.malformed_count()
        );
    }
    let df = match (args.view, &args.event_type) {
        (AuditdView::Events, Some(t)) => events.event_subset(t)?,
        (AuditdView::Events, None) => events.df().clone(),
        (AuditdView::Process, _) => events.process_events()?,
        (AuditdView::Counts, _) => events.event_counts()?,
        (AuditdView::Malformed, _) => events.malformed_df()?,
        (AuditdView::Tree, _) => events.process_tree()?.df().clone(),
    };
    output::write(df, out)
}
