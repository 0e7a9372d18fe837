//! `huntbook proctree`: build a process tree from a process-event file and
//! write it as a frame (`--format csv|json|ndjson|parquet|table`), an
//! indented text tree (`--format text`), the interactive HTML page
//! (`--format html`) or MSTICPy's summary (`--view summary`). `--view
//! text|html` are the same as `--format text|html`.

use super::output::{self, OutputOptions};
use crate::error::{Error, Result};
use crate::transform::proctree::{ProcSchema, ProcessTreeBuilder, TextTemplate};
use crate::vis::process_tree::{PidFormat, ProcessTreeView};
use std::io::Write;
use std::path::PathBuf;

/// `--view`: what to write instead of the tree frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ViewArg {
    /// The tree as indented text.
    Text,
    /// A self-contained HTML page with the interactive tree.
    Html,
    /// MSTICPy's summary (Processes, RootProcesses, …) as a frame.
    Summary,
}

/// Arguments of `huntbook proctree`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    huntbook proctree --input 4688.csv --format csv\n  \
    huntbook proctree --input auditd.parquet --schema linux_auditd --format text\n  \
    huntbook proctree --input events.json --schema my_schema.yaml --format html --color-by SubjectUserName -o tree.html\n\n\
    Schemas: windows_4688, sysmon_1, linux_auditd, mde_public, mde_internal, osquery,\n  \
    volatility_pslist, or a .json/.yaml file with ProcSchema's fields (process_name,\n  \
    process_id, parent_id, time_stamp, parent_name, cmd_line, ...).")]
pub struct ProctreeArgs {
    /// Process events (CSV, JSON, NDJSON or Parquet).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// A built-in schema name or a JSON/YAML schema file (default: inferred).
    #[arg(long)]
    pub schema: Option<String>,
    /// Write this view instead of the tree frame (`text`/`html` are also
    /// chosen by `--format text|html`).
    #[arg(long, value_enum)]
    pub view: Option<ViewArg>,
    /// With --format html: colour processes by this column.
    #[arg(long, value_name = "COLUMN")]
    pub color_by: Option<String>,
    /// With --format html: show pids in decimal instead of the schema's usual base.
    #[arg(long)]
    pub decimal_pids: bool,
    /// With --format text: wrap lines at this width.
    #[arg(long, default_value_t = 100)]
    pub wrap: usize,
    /// Fail on trees deeper than this.
    #[arg(long, default_value_t = crate::transform::proctree::DEFAULT_MAX_DEPTH)]
    pub max_depth: usize,
}

fn load_schema(spec: &str) -> Result<ProcSchema> {
    let path = std::path::Path::new(spec);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("json") | Some("yaml") | Some("yml") => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::io("reading", path, e))?;
            if ext.as_deref() == Some("json") {
                ProcSchema::from_json(&text)
            } else {
                ProcSchema::from_yaml(&text)
            }
        }
        _ => ProcSchema::by_name(spec),
    }
}

/// Runs `huntbook proctree`.
pub fn run(args: ProctreeArgs, out: &OutputOptions) -> Result<()> {
    let events = crate::data::read_file(&args.input)?;
    let mut builder = ProcessTreeBuilder::new().max_depth(args.max_depth);
    if let Some(spec) = &args.schema {
        builder = builder.schema(load_schema(spec)?);
    }
    let tree = builder.build(&events)?;
    let view = args.view.or(match out.format {
        output::OutputFormat::Text => Some(ViewArg::Text),
        output::OutputFormat::Html => Some(ViewArg::Html),
        _ => None,
    });
    let text = match view {
        None => return output::write(tree.into_df(), out),
        Some(ViewArg::Summary) => return output::write(tree.summary().to_df()?, out),
        Some(ViewArg::Text) => tree.to_text_with(&TextTemplate::default().wrap(args.wrap)),
        Some(ViewArg::Html) => {
            let mut view = ProcessTreeView::new(&tree);
            if let Some(c) = &args.color_by {
                view = view.color_by(c);
            }
            if args.decimal_pids {
                view = view.pid_format(PidFormat::Decimal);
            }
            view.to_standalone_html()?
        }
    };
    let target = out
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdout>"));
    let result = match &out.path {
        Some(p) => std::fs::write(p, text.as_bytes()),
        None => {
            let mut lock = std::io::stdout().lock();
            lock.write_all(text.as_bytes()).and_then(|_| lock.flush())
        }
    };
    result.map_err(|e| Error::io("writing", target, e))
}
