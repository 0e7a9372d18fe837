//! `huntbook outliers`: isolation-forest outlier scores on numeric feature
//! columns; fit on one file (`--train`, default the input) and score
//! another. Writes every row with `OutlierScore` and `IsOutlier`, only the
//! outliers (`--only-outliers`), or a chart (`--view chart`).

use super::cluster::write_text;
use super::output::{self, OutputOptions};
use crate::analysis::cluster::add_process_features;
use crate::analysis::outliers::IsolationForest;
use crate::error::{Error, Result};
use std::path::PathBuf;

/// `--view`: write a chart instead of the scored rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutlierView {
    /// The scored rows (default).
    Rows,
    /// A self-contained HTML page: scores by row with the threshold, or two
    /// features with --chart-features.
    Chart,
}

/// Arguments of `huntbook outliers`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    huntbook outliers --input flows.csv --features TotalAllowedFlows,DestPort --only-outliers\n  \
    huntbook outliers --train last_month.csv --input today.csv --features bytes,packets --contamination 0.01\n  \
    huntbook outliers --input 4688.csv --process-features --features commandlineTokensFull,pathScore,commandlineScore\n  \
    huntbook outliers --input flows.csv --features a,b --view chart -o outliers.html")]
pub struct OutliersArgs {
    /// The rows to score (CSV, JSON, NDJSON or Parquet).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// Fit on this file instead of the input.
    #[arg(long, value_name = "FILE")]
    pub train: Option<PathBuf>,
    /// Comma-separated numeric (or boolean) feature columns.
    #[arg(long, value_delimiter = ',', value_name = "COLUMNS", required = true)]
    pub features: Vec<String>,
    /// Add MSTICPy's process features (from NewProcessName, CommandLine, SubjectLogonId) first.
    #[arg(long)]
    pub process_features: bool,
    /// Expected share of outliers in the training rows, in (0, 0.5].
    #[arg(long, default_value_t = 0.05)]
    pub contamination: f64,
    /// Rows sampled per tree [default: min(100, rows)].
    #[arg(long)]
    pub max_samples: Option<usize>,
    /// Features per tree [default: floor(sqrt(features))].
    #[arg(long)]
    pub max_features: Option<usize>,
    /// Number of trees.
    #[arg(long, default_value_t = 100)]
    pub trees: usize,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Write only the outliers, most unusual first.
    #[arg(long)]
    pub only_outliers: bool,
    /// What to write.
    #[arg(long, value_enum)]
    pub view: Option<OutlierView>,
    /// With --view chart: plot these two columns instead of score by row.
    #[arg(long, value_delimiter = ',', value_name = "X,Y")]
    pub chart_features: Vec<String>,
    /// With --view chart: a column shown in the tooltips.
    #[arg(long, value_name = "COLUMN")]
    pub label_column: Option<String>,
}

/// Runs `huntbook outliers`.
pub fn run(args: OutliersArgs, out: &OutputOptions) -> Result<()> {
    let load = |p: &PathBuf| -> Result<polars::prelude::DataFrame> {
        let df = crate::data::read_file(p)?;
        if args.process_features {
            add_process_features(&df)
        } else {
            Ok(df)
        }
    };
    let input = load(&args.input)?;
    let train = match &args.train {
        Some(p) => load(p)?,
        None => input.clone(),
    };
    let mut forest = IsolationForest::new()
        .contamination(args.contamination)
        .trees(args.trees)
        .seed(args.seed);
    if let Some(n) = args.max_samples {
        forest = forest.max_samples(n);
    }
    if let Some(n) = args.max_features {
        forest = forest.max_features(n);
    }
    let scored = forest.fit(&train, args.features.clone())?.score(&input)?;
    eprintln!("{}", scored.description());
    match args.view.unwrap_or(OutlierView::Rows) {
        OutlierView::Rows if args.only_outliers => output::write(scored.outliers()?, out),
        OutlierView::Rows => output::write(scored.into_df(), out),
        OutlierView::Chart => {
            let mut chart = scored.chart();
            match args.chart_features.as_slice() {
                [] => {}
                [x, y] => chart = chart.features(x, y),
                _ => {
                    return Err(Error::invalid(
                        "option '--chart-features'",
                        "give two column names, e.g. bytes,packets",
                    ));
                }
            }
            if let Some(l) = &args.label_column {
                chart = chart.label_column(l);
            }
            write_text(&chart.build()?.to_standalone_html()?, out)
        }
    }
}
