//! `huntbook timeseries`: STL anomalies of a series (or of events resampled
//! to one), written as the analysed frame, the anomalous rows, the anomaly
//! periods, a KQL filter, or an HTML chart.

use super::output::{self, OutputOptions};
use crate::analysis::timeseries::{Resampler, ScoreMode, StlAnomalyDetector, detect_periods};
use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use std::io::Write;
use std::path::PathBuf;

/// `--view`: what to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TsView {
    /// Every point with residual, trend, seasonal, weights, baseline, score, anomalies.
    All,
    /// Only the anomalous points.
    Anomalies,
    /// The merged anomaly periods (start, end).
    Periods,
    /// A KQL `| where TimeGenerated between (...)` clause for the periods.
    Kql,
    /// The strongest cycles of the series (period in samples, share of variance).
    Cycles,
    /// A self-contained HTML page with the observed series, baseline and anomalies.
    Html,
}

/// Arguments of `huntbook timeseries`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    huntbook timeseries --input series.csv --value TotalBytesSent\n  \
    huntbook timeseries --input series.csv --value TotalBytesSent --msticpy --view periods\n  \
    huntbook timeseries --input events.csv --resample 1h --view kql\n  \
    huntbook timeseries --input events.csv --resample 15min --sum Bytes --period auto --view html -o ts.html")]
pub struct TimeseriesArgs {
    /// The series or the events (CSV, JSON, NDJSON or Parquet).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// The time column.
    #[arg(long, default_value = "TimeGenerated")]
    pub time_column: String,
    /// The value column (default: Total, the resampled count's name).
    #[arg(long, value_name = "COLUMN")]
    pub value: Option<String>,
    /// Resample events to this interval first (1h, 15min, 1d, ...), counting rows.
    #[arg(long, value_name = "INTERVAL")]
    pub resample: Option<String>,
    /// With --resample: sum this column instead of counting rows.
    #[arg(long, value_name = "COLUMN", requires = "resample")]
    pub sum: Option<String>,
    /// Observations per cycle, or 'auto' to detect it (default 24).
    #[arg(long, default_value = "24")]
    pub period: String,
    /// STL seasonal smoother length (odd, >= 3).
    #[arg(long, default_value_t = 7)]
    pub seasonal: usize,
    /// z-score above which a point is an anomaly.
    #[arg(long, default_value_t = 3.0)]
    pub threshold: f64,
    /// Robust STL (outliers do not bend the baseline).
    #[arg(long)]
    pub robust: bool,
    /// MSTICPy-compatible scoring (integer components, dips never flagged).
    #[arg(long)]
    pub msticpy: bool,
    /// Merge granularity of anomaly periods (--view periods/kql).
    #[arg(long, default_value = "1h")]
    pub merge: String,
    /// What to write.
    #[arg(long, value_enum, default_value_t = TsView::All)]
    pub view: TsView,
}

/// Runs `huntbook timeseries`.
pub fn run(args: TimeseriesArgs, out: &OutputOptions) -> Result<()> {
    let mut df = crate::data::read_file(&args.input)?;
    if let Some(interval) = &args.resample {
        let mut r = Resampler::new(interval).time_column(&args.time_column);
        if let Some(c) = &args.sum {
            r = r.sum(c);
        }
        df = r.resample(&df)?;
    }
    let value = args.value.clone().unwrap_or_else(|| "Total".into());
    let mut detector = StlAnomalyDetector::new()
        .time_column(&args.time_column)
        .value_column(&value)
        .seasonal(args.seasonal)
        .score_threshold(args.threshold)
        .robust(args.robust)
        .mode(if args.msticpy {
            ScoreMode::Msticpy
        } else {
            ScoreMode::Float
        });
    detector = match args.period.trim() {
        "auto" => detector.auto_period(),
        p => detector.period(p.parse().map_err(|_| {
            Error::invalid(
                format!("--period '{p}'"),
                "expected a whole number or 'auto'",
            )
        })?),
    };
    if args.view == TsView::Cycles {
        let values: Vec<f64> = df
            .column(&value)
            .and_then(|c| c.cast(&DataType::Float64))
            .ctx(format!("reading value column '{value}'"))?
            .f64()
            .ctx("value column")?
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect();
        let cycles = detect_periods(&values, 10)?;
        let frame = df!(
            "period" => cycles.iter().map(|c| c.period).collect::<Vec<_>>(),
            "frequency" => cycles.iter().map(|c| c.frequency).collect::<Vec<_>>(),
            "power" => cycles.iter().map(|c| c.power).collect::<Vec<_>>(),
            "share" => cycles.iter().map(|c| c.share).collect::<Vec<_>>(),
        )
        .ctx("building the cycles table")?;
        return output::write(frame, out);
    }
    let result = detector.detect(&df)?;
    match args.view {
        TsView::All | TsView::Cycles => output::write(result.into_df(), out),
        TsView::Anomalies => output::write(result.anomalies()?, out),
        TsView::Periods => output::write(result.periods(&args.merge, !args.msticpy)?.to_df()?, out),
        TsView::Kql => {
            let kql = result
                .periods(&args.merge, !args.msticpy)?
                .with_time_column(&args.time_column)
                .kql_filter();
            write_text(&(kql + "\n"), out)
        }
        TsView::Html => write_text(&result.chart()?.to_standalone_html()?, out),
    }
}

fn write_text(text: &str, out: &OutputOptions) -> Result<()> {
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
