//! Chart hooks for the analyses: a time series with its baseline and
//! anomalies, and scored sessions coloured by likelihood. The analysis
//! modules call these instead of drawing their own charts.
//!
//! ```
//! use huntbook::prelude::*;
//! let ts = df!(
//!     "TimeGenerated" => ["2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 02:00"],
//!     "Total" => [10i64, 95, 12],
//!     "baseline" => [11i64, 12, 11],
//!     "anomalies" => [0i64, 1, 0],
//! ).unwrap();
//! let chart = TimeSeriesChart::new(&ts, "Total").build().unwrap();
//! let fig = chart.figure_json().unwrap();
//! assert_eq!(fig["data"][2]["name"], "anomalies");
//! assert_eq!(fig["data"][2]["x"].as_array().unwrap().len(), 1);
//! ```

use crate::error::Result;
use crate::vis::chart::Chart;
use crate::vis::html::escape;
use crate::vis::timeaxis::{
    ChartLayout, RefMarker, format_micros, group_labels, numbers, time_micros, tooltips,
};
use crate::vis::timeline::DEFAULT_TIME_COLUMN;
use crate::vis::value_timeline::figure;
use polars::prelude::*;
use serde_json::json;

/// A time series with its expected values and the anomalies found in it.
#[derive(Debug, Clone)]
pub struct TimeSeriesChart {
    df: DataFrame,
    value_column: String,
    time_column: String,
    baseline_column: Option<String>,
    anomalies_column: Option<String>,
    layout: ChartLayout,
}

impl TimeSeriesChart {
    /// A chart of `value_column` over `TimeGenerated`; the `baseline` and
    /// `anomalies` columns (MSTICPy's names) are drawn when present.
    pub fn new(df: &DataFrame, value_column: &str) -> Self {
        let has = |c: &str| df.column(c).is_ok();
        Self {
            df: crate::data::fresh(df),
            value_column: value_column.to_string(),
            time_column: DEFAULT_TIME_COLUMN.to_string(),
            baseline_column: has("baseline").then(|| "baseline".to_string()),
            anomalies_column: has("anomalies").then(|| "anomalies".to_string()),
            layout: ChartLayout::default(),
        }
    }

    /// The time column.
    pub fn time_column(mut self, name: &str) -> Self {
        self.time_column = name.to_string();
        self
    }

    /// The expected-value column (drawn as a dashed line).
    pub fn baseline_column(mut self, name: &str) -> Self {
        self.baseline_column = Some(name.to_string());
        self
    }

    /// The anomaly flag column: non-zero rows are drawn as red markers.
    pub fn anomalies_column(mut self, name: &str) -> Self {
        self.anomalies_column = Some(name.to_string());
        self
    }

    /// The chart title.
    pub fn title(mut self, title: &str) -> Self {
        self.layout.title = Some(title.to_string());
        self
    }

    /// A labelled reference line, time as text.
    pub fn ref_time(mut self, time: &str, label: &str) -> Result<Self> {
        self.layout.markers.push(RefMarker::parse(time, label)?);
        Ok(self)
    }

    /// Builds the chart.
    pub fn build(&self) -> Result<Chart> {
        let times = time_micros(&self.df, &self.time_column)?;
        let x: Vec<String> = times
            .iter()
            .map(|t| t.map(format_micros).unwrap_or_default())
            .collect();
        let y = numbers(&self.df, &self.value_column)?;
        let mut traces = vec![json!({
            "type": "scatter", "mode": "lines", "name": escape(&self.value_column),
            "x": x, "y": y, "line": {"color": "#1f77b4"}
        })];
        if let Some(b) = &self.baseline_column {
            traces.push(json!({
                "type": "scatter", "mode": "lines", "name": escape(b), "x": x,
                "y": numbers(&self.df, b)?, "line": {"color": "#2ca02c", "dash": "dash"}
            }));
        }
        if let Some(a) = &self.anomalies_column {
            let flags = numbers(&self.df, a)?;
            let (mut ax, mut ay) = (Vec::new(), Vec::new());
            for (i, f) in flags.iter().enumerate() {
                if f.is_some_and(|f| f != 0.0) && times[i].is_some() {
                    ax.push(x[i].clone());
                    ay.push(y[i]);
                }
            }
            traces.push(json!({
                "type": "scatter", "mode": "markers", "name": "anomalies", "x": ax, "y": ay,
                "marker": {"color": "#d62728", "size": 11, "symbol": "circle-open", "line": {"width": 3}}
            }));
        }
        let mut layout = self.layout.to_json(420, None);
        layout["yaxis"]["title"] = json!({"text": escape(&self.value_column)});
        let title = self
            .layout
            .title
            .clone()
            .unwrap_or_else(|| format!("{} over time", self.value_column));
        Ok(Chart::from_json(figure(traces, layout))?.with_title(title))
    }
}

/// Sessions on a time axis, one lane per user, coloured by a score
/// (e.g. `rarest_window3_likelihood`: the rarer, the redder).
#[derive(Debug, Clone)]
pub struct ScoredSessionsChart {
    df: DataFrame,
    time_column: String,
    score_column: String,
    lane_column: Option<String>,
    tooltip_columns: Vec<String>,
    log_scale: bool,
    layout: ChartLayout,
}

impl ScoredSessionsChart {
    /// Sessions at `time_column`, coloured by `score_column`.
    pub fn new(df: &DataFrame, time_column: &str, score_column: &str) -> Self {
        Self {
            df: crate::data::fresh(df),
            time_column: time_column.to_string(),
            score_column: score_column.to_string(),
            lane_column: None,
            tooltip_columns: Vec::new(),
            log_scale: true,
            layout: ChartLayout::default(),
        }
    }

    /// One lane per value of this column (e.g. the user).
    pub fn lane_column(mut self, name: &str) -> Self {
        self.lane_column = Some(name.to_string());
        self
    }

    /// Columns shown in each session's tooltip (e.g. the rarest window).
    pub fn tooltips<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tooltip_columns = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Colours by log10 of the score (default: on; likelihoods span decades).
    pub fn log_scale(mut self, on: bool) -> Self {
        self.log_scale = on;
        self
    }

    /// The chart title.
    pub fn title(mut self, title: &str) -> Self {
        self.layout.title = Some(title.to_string());
        self
    }

    /// Builds the chart.
    pub fn build(&self) -> Result<Chart> {
        let times = time_micros(&self.df, &self.time_column)?;
        let scores = numbers(&self.df, &self.score_column)?;
        let lanes = match &self.lane_column {
            Some(c) => group_labels(&self.df, c)?,
            None => vec!["sessions".to_string(); self.df.height()],
        };
        let mut cols = self.tooltip_columns.clone();
        if !cols.contains(&self.score_column) {
            cols.insert(0, self.score_column.clone());
        }
        let texts = tooltips(&self.df, &cols)?;
        let (mut x, mut y, mut c, mut t) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..self.df.height() {
            let (Some(time), Some(score)) = (times[i], scores[i]) else {
                continue;
            };
            x.push(format_micros(time));
            y.push(escape(&lanes[i]));
            c.push(if self.log_scale {
                score.max(1e-300).log10()
            } else {
                score
            });
            t.push(texts[i].clone());
        }
        let label = if self.log_scale {
            format!("log10 {}", self.score_column)
        } else {
            self.score_column.clone()
        };
        let traces = vec![json!({
            "type": if x.len() > 5000 { "scattergl" } else { "scatter" },
            "mode": "markers", "name": "sessions", "x": x, "y": y, "text": t,
            "hovertemplate": "<b>%{x}</b><br>%{text}<extra>%{y}</extra>",
            "marker": {"size": 10, "color": c, "colorscale": "RdYlBu", "showscale": true,
                       "colorbar": {"title": {"text": escape(&label)}}}
        })];
        let lanes_n = lanes
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        let mut layout = self
            .layout
            .to_json(180 + 30 * lanes_n.clamp(1, 30) as u32, None);
        layout["yaxis"]["type"] = json!("category");
        layout["showlegend"] = json!(false);
        let title = self
            .layout
            .title
            .clone()
            .unwrap_or_else(|| "scored sessions".into());
        Ok(Chart::from_json(figure(traces, layout))?.with_title(title))
    }
}
