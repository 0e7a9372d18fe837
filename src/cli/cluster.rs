//! `huntbook cluster`: add MSTICPy's process features and cluster events
//! with DBSCAN; write the one-row-per-cluster summary, every event with its
//! cluster (`--view labels`), one cluster's events (`--members ID`) or a
//! chart (`--view chart`).

use super::output::{self, OutputOptions};
use crate::analysis::cluster::{DEFAULT_PROCESS_FEATURES, EventClusterer, add_process_features};
use crate::error::{Error, Result};
use std::io::Write;
use std::path::PathBuf;

/// `--view`: what to write instead of the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ClusterView {
    /// One row per cluster plus every noise event (default).
    Summary,
    /// Every event with its ClusterId and ClusterSize.
    Labels,
    /// The feature values DBSCAN saw (x_<feature> columns) and the label.
    Features,
    /// A self-contained HTML page with the cluster scatter chart.
    Chart,
}

/// Arguments of `huntbook cluster`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    huntbook cluster --input 4688.csv --eps 1e-4\n  \
    huntbook cluster --input 4688.csv --features commandlineTokensFull,pathScore,commandlineScore --eps 1e-3 --min-samples 3\n  \
    huntbook cluster --input 4688.csv --members 3 --format csv\n  \
    huntbook cluster --input 4688.csv --view chart --label-column processName -o clusters.html\n\n\
    Process features (processName, pathScore, pathLogScore, pathHash, commandlineLen,\n  \
    commandlineLogLen, commandlineTokensFull, commandlineScore, commandlineTokensHash,\n  \
    isSystemSession) are added from NewProcessName/CommandLine/SubjectLogonId when present.")]
pub struct ClusterArgs {
    /// Events (CSV, JSON, NDJSON or Parquet).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Comma-separated numeric feature columns [default: commandlineTokensFull,pathScore,isSystemSession].
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS")]
    pub features: Vec<String>,
    /// DBSCAN radius (MSTICPy's max_cluster_distance).
    #[arg(long, default_value_t = 0.01)]
    pub eps: f64,
    /// Events within eps (itself included) that make a core point.
    #[arg(long, default_value_t = 2)]
    pub min_samples: usize,
    /// Cluster the raw feature values (default: each row scaled to unit length).
    #[arg(long)]
    pub no_normalize: bool,
    /// Do not add the process features (cluster on columns already in the file).
    #[arg(long)]
    pub no_process_features: bool,
    /// The event-time column [default: TimeGenerated or TimeCreatedUtc when present].
    #[arg(long, value_name = "COLUMN")]
    pub time_column: Option<String>,
    /// Write the events of this cluster (-1: every noise event).
    #[arg(
        long,
        value_name = "ID",
        allow_hyphen_values = true,
        conflicts_with = "view"
    )]
    pub members: Option<i64>,
    /// What to write.
    #[arg(long, value_enum)]
    pub view: Option<ClusterView>,
    /// With --view chart: the x and y features [default: the first two features].
    #[arg(long, value_delimiter = ',', value_name = "X,Y")]
    pub chart_features: Vec<String>,
    /// With --view chart: a column shown in the tooltips.
    #[arg(long, value_name = "COLUMN")]
    pub label_column: Option<String>,
}

/// Runs `huntbook cluster`.
pub fn run(args: ClusterArgs, out: &OutputOptions) -> Result<()> {
    let events = crate::data::read_file(&args.input)?;
    let events = if args.no_process_features {
        events
    } else {
        add_process_features(&events)?
    };
    let features: Vec<String> = if args.features.is_empty() {
        DEFAULT_PROCESS_FEATURES
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        args.features.clone()
    };
    let mut c = EventClusterer::new(features.clone())
        .eps(args.eps)
        .min_samples(args.min_samples)
        .normalize(!args.no_normalize);
    if let Some(t) = &args.time_column {
        c = c.time_column(t);
    }
    let clusters = c.cluster(&events)?;
    eprintln!("{}", clusters.description());
    if let Some(id) = args.members {
        return output::write(clusters.members(id)?, out);
    }
    match args.view.unwrap_or(ClusterView::Summary) {
        ClusterView::Summary => output::write(clusters.into_df(), out),
        ClusterView::Labels => output::write(clusters.labelled()?, out),
        ClusterView::Features => {
            let mut df = clusters.feature_frame()?;
            df.with_column(polars::prelude::Column::new(
                "ClusterId".into(),
                clusters.labels(),
            ))
            .map_err(|e| Error::polars("adding ClusterId", e))?;
            output::write(df, out)
        }
        ClusterView::Chart => {
            let (x, y) = match args.chart_features.as_slice() {
                [] if features.len() >= 2 => (features[0].clone(), features[1].clone()),
                [] => (features[0].clone(), features[0].clone()),
                [x, y] => (x.clone(), y.clone()),
                _ => {
                    return Err(Error::invalid(
                        "option '--chart-features'",
                        "give two feature names, e.g. commandlineTokensFull,pathScore",
                    ));
                }
            };
            let mut chart = clusters.chart(&x, &y);
            if let Some(l) = &args.label_column {
                chart = chart.label_column(l);
            }
            write_text(&chart.build()?.to_standalone_html()?, out)
        }
    }
}

/// Writes text (an HTML page) to the output file or standard output.
pub(crate) fn write_text(text: &str, out: &OutputOptions) -> Result<()> {
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
