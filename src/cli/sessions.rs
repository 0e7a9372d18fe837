//! `huntbook sessions`: cut events into sessions by user and time, train a
//! Markov model on them and score each session by its rarest window (MSTICPy's
//! `sessionize_data` + `score_sessions`). Writes the scored sessions frame,
//! the sessions alone (`--sessions-only`) or the timeline chart
//! (`--view html`).

use super::output::{self, OutputFormat, OutputOptions};
use crate::analysis::anomalous_sequence::{SessionKind, SessionScorer, Sessionizer};
use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use std::io::Write;
use std::path::PathBuf;

/// `--view`: what to write instead of the scored frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SessionsView {
    /// A self-contained HTML page with the sessions on a timeline, coloured by likelihood.
    Html,
}

/// Arguments of `huntbook sessions`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = "Examples:\n  \
    huntbook sessions --input exchange.csv --user UserId --user ClientIP --event Operation --top 10\n  \
    huntbook sessions --input exo.json --user UserId --event Operation --params Parameters --kind cmds_params_values -f json\n  \
    huntbook sessions --input exo.json --user UserId --event Operation --view html -o sessions.html\n  \
    huntbook sessions --input exo.json --user UserId --event Operation --sessions-only -f parquet -o sessions.parquet\n\n\
    Parameters may be JSON objects, JSON text ({\"Identity\": \"bob\"} or Exchange's\n  \
    [{\"Name\": .., \"Value\": ..}]), or lists of names. With --format csv, list columns are\n  \
    written as JSON text and durations as seconds.")]
pub struct SessionsArgs {
    /// Events (CSV, JSON, NDJSON or Parquet).
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// A column identifying the user (repeat for several, e.g. --user UserId --user ClientIP).
    #[arg(long = "user", value_name = "COLUMN", required = true)]
    pub users: Vec<String>,
    /// The time column.
    #[arg(long, value_name = "COLUMN", default_value = "TimeGenerated")]
    pub time: String,
    /// The command column (e.g. Operation).
    #[arg(long, value_name = "COLUMN")]
    pub event: String,
    /// The parameters column (e.g. Parameters); needed by the parameter kinds.
    #[arg(long, value_name = "COLUMN")]
    pub params: Option<String>,
    /// The model: cmds, cmds_params or cmds_params_values (default: cmds, or
    /// cmds_params_values with --params).
    #[arg(long)]
    pub kind: Option<String>,
    /// The rarest-window length.
    #[arg(long, default_value_t = 3)]
    pub window: usize,
    /// The longest session, in minutes.
    #[arg(long, default_value_t = 20.0)]
    pub max_session_minutes: f64,
    /// The longest gap between two events of a session, in minutes.
    #[arg(long, default_value_t = 2.0)]
    pub max_gap_minutes: f64,
    /// Score without the ##START##/##END## tokens.
    #[arg(long)]
    pub no_start_end_tokens: bool,
    /// Score windows by their geometric mean likelihood.
    #[arg(long)]
    pub geo_mean: bool,
    /// Parameters whose values are modelled (comma separated) instead of MSTICPy's rule.
    #[arg(long, value_name = "P1,P2", value_delimiter = ',')]
    pub modellable_params: Option<Vec<String>>,
    /// Only sessionize: write the sessions without scoring them.
    #[arg(long)]
    pub sessions_only: bool,
    /// Only the N rarest sessions, least likely first.
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Write this view instead of the frame.
    #[arg(long, value_enum)]
    pub view: Option<SessionsView>,
}

/// Runs `huntbook sessions`.
pub fn run(args: SessionsArgs, out: &OutputOptions) -> Result<()> {
    let events = crate::data::read_file(&args.input)?;
    let mut sessionizer = Sessionizer::new(args.users.iter().cloned(), &args.time)
        .max_session_minutes(args.max_session_minutes)
        .max_gap_minutes(args.max_gap_minutes)
        .event_column(&args.event);
    if let Some(p) = &args.params {
        sessionizer = sessionizer.event_column(p);
    }
    let sessions = sessionizer.sessionize(&events)?;
    if args.sessions_only {
        return write_frame(sessions, out);
    }
    let mut scorer = SessionScorer::new(&format!("{}_list", args.event))
        .window_length(args.window)
        .start_end_tokens(!args.no_start_end_tokens)
        .geo_mean(args.geo_mean);
    if let Some(p) = &args.params {
        scorer = scorer.params_column(&format!("{p}_list"));
    }
    if let Some(k) = &args.kind {
        scorer = scorer.kind(SessionKind::parse(k)?);
    }
    if let Some(m) = &args.modellable_params {
        scorer = scorer.modellable_params(m.iter().map(|s| s.trim().to_string()));
    }
    let scored = scorer.score(&sessions)?;
    if args.view == Some(SessionsView::Html) {
        let html = scored.chart()?.to_standalone_html()?;
        return write_text(&html, out);
    }
    let df = match args.top {
        Some(n) => scored.rarest(n)?,
        None => scored.into_df(),
    };
    write_frame(df, out)
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

/// Writes the frame; CSV cannot hold lists or durations, so for CSV they
/// become JSON text and seconds.
fn write_frame(df: DataFrame, out: &OutputOptions) -> Result<()> {
    if out.format != OutputFormat::Csv {
        return output::write(df, out);
    }
    let mut cols = Vec::with_capacity(df.width());
    for c in df.columns() {
        let name = c.name().clone();
        let col = match c.dtype() {
            DataType::List(_) | DataType::Struct(_) | DataType::Array(_, _) => {
                let texts: Vec<Option<String>> = (0..c.len())
                    .map(|i| match c.get(i) {
                        Ok(AnyValue::Null) | Err(_) => None,
                        Ok(v) => Some(any_to_json(&v, 0).to_string()),
                    })
                    .collect();
                Column::new(name, texts)
            }
            DataType::Duration(_) => {
                let us = c
                    .cast(&DataType::Duration(TimeUnit::Microseconds))
                    .and_then(|d| d.cast(&DataType::Int64))
                    .ctx("converting durations")?;
                let secs: Vec<Option<f64>> = us
                    .i64()
                    .ctx("converting durations")?
                    .iter()
                    .map(|v| v.map(|v| v as f64 / 1e6))
                    .collect();
                Column::new(name, secs)
            }
            _ => c.clone(),
        };
        cols.push(col);
    }
    let df = DataFrame::new(df.height(), cols).ctx("preparing CSV output")?;
    output::write(df, out)
}

/// A cell as JSON (nesting bounded at 16 levels).
fn any_to_json(v: &AnyValue, depth: usize) -> serde_json::Value {
    use serde_json::Value;
    if depth > 16 {
        return Value::String(v.to_string());
    }
    match v {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(*b),
        AnyValue::String(s) => Value::String((*s).to_string()),
        AnyValue::StringOwned(s) => Value::String(s.to_string()),
        AnyValue::List(s) => Value::Array(
            (0..s.len())
                .map(|i| {
                    s.get(i)
                        .map(|x| any_to_json(&x, depth + 1))
                        .unwrap_or(Value::Null)
                })
                .collect(),
        ),
        AnyValue::Struct(_, _, fields) => {
            let mut values = Vec::new();
            v._iter_struct_av().for_each(|x| values.push(x));
            Value::Object(
                fields
                    .iter()
                    .zip(values)
                    .map(|(f, x)| (f.name().to_string(), any_to_json(&x, depth + 1)))
                    .collect(),
            )
        }
        AnyValue::StructOwned(b) => Value::Object(
            b.1.iter()
                .zip(b.0.iter())
                .map(|(f, x)| (f.name().to_string(), any_to_json(x, depth + 1)))
                .collect(),
        ),
        other if other.dtype().is_integer() => match other.extract::<i64>() {
            Some(i) => Value::from(i),
            None => Value::String(other.to_string()),
        },
        other => match other.extract::<f64>() {
            Some(f) if other.is_primitive_numeric() => serde_json::Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            _ => Value::String(other.to_string()),
        },
    }
}
