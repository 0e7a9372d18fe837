//! `huntbook beacons`: rank (source, destination) pairs by how periodic
//! their connections are (periodogram + Fisher's g test), or write one
//! pair's periodogram as an HTML chart.

use super::output::{self, OutputOptions};
use crate::analysis::beacon::BeaconDetector;
use crate::error::{Error, Result};
use std::path::PathBuf;

/// Arguments of `huntbook beacons`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    huntbook beacons --input flows.csv\n  \
    huntbook beacons --input flows.parquet --source src_ip --destination dst_ip --all --format csv\n  \
    huntbook beacons --input flows.csv --plot 10.0.0.5,203.0.113.7 -o periodogram.html")]
pub struct BeaconsArgs {
    /// Connection events (CSV, JSON, NDJSON or Parquet).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// The time column.
    #[arg(long, default_value = "TimeGenerated")]
    pub time_column: String,
    /// The source column.
    #[arg(long, default_value = "SrcIP")]
    pub source: String,
    /// The destination column.
    #[arg(long, default_value = "DestIP")]
    pub destination: String,
    /// Seconds per bin of the counting process.
    #[arg(long, default_value_t = 1.0)]
    pub resolution: f64,
    /// Pairs with fewer connections are not tested.
    #[arg(long, default_value_t = 6)]
    pub min_connections: usize,
    /// False-discovery rate (Benjamini-Hochberg) at which a pair is a beacon.
    #[arg(long, default_value_t = 0.01)]
    pub significance: f64,
    /// Write every pair, not only the beacons.
    #[arg(long)]
    pub all: bool,
    /// Write the periodogram chart (HTML) of this pair: SOURCE,DESTINATION.
    #[arg(long, value_name = "SOURCE,DESTINATION")]
    pub plot: Option<String>,
}

/// Runs `huntbook beacons`.
pub fn run(args: BeaconsArgs, out: &OutputOptions) -> Result<()> {
    let df = crate::data::read_file(&args.input)?;
    let detector = BeaconDetector::new()
        .time_column(&args.time_column)
        .pair(&args.source, &args.destination)
        .resolution(args.resolution)
        .min_connections(args.min_connections)
        .significance(args.significance);
    if let Some(pair) = &args.plot {
        let parts: Vec<&str> = pair.splitn(2, ',').collect();
        if parts.len() != 2 {
            return Err(Error::invalid(
                format!("--plot '{pair}'"),
                "expected SOURCE,DESTINATION",
            ));
        }
        let html = detector
            .periodogram(&df, &parts)?
            .chart()?
            .to_standalone_html()?;
        let target = out
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from("<stdout>"));
        let result = match &out.path {
            Some(p) => std::fs::write(p, html.as_bytes()),
            None => {
                use std::io::Write;
                let mut lock = std::io::stdout().lock();
                lock.write_all(html.as_bytes()).and_then(|_| lock.flush())
            }
        };
        return result.map_err(|e| Error::io("writing", target, e));
    }
    let found = detector.detect(&df)?;
    let frame = if args.all {
        found.into_df()
    } else {
        found.beacons()?
    };
    output::write(frame, out)
}
