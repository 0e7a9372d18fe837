//! Values over time (bars, lines, markers, several together, by group) and
//! durations (first → last activity per group as horizontal bars).
//!
//! ```
//! use huntbook::prelude::*;
//! let flows = df!(
//!     "TimeGenerated" => ["2024-01-01 00:00:00", "2024-01-01 01:00:00", "2024-01-01 02:00:00"],
//!     "bytes" => [10i64, 300, 20],
//!     "host" => ["a", "a", "b"],
//! ).unwrap();
//! let chart = ValueTimeline::new(&flows, "bytes")
//!     .group_by("host")
//!     .kinds([ValueKind::Bar, ValueKind::Line])
//!     .build()
//!     .unwrap();
//! assert_eq!(chart.trace_count(), 4); // 2 hosts x 2 kinds
//! let durations = DurationTimeline::new(&flows, "host").build().unwrap();
//! assert_eq!(durations.figure_json().unwrap()["data"][0]["y"][0], "a");
//! ```

use crate::error::{Error, PolarsContext, Result};
use crate::vis::chart::Chart;
use crate::vis::html::escape;
use crate::vis::timeaxis::{
    ChartLayout, LegendPosition, RefMarker, format_micros, group_labels, numbers, time_micros,
};
use crate::vis::timeline::DEFAULT_TIME_COLUMN;
use polars::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// How values are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// Vertical bars.
    Bar,
    /// A line joining the values.
    Line,
    /// A marker at each value.
    Markers,
}

/// A value column over time.
#[derive(Debug, Clone)]
pub struct ValueTimeline {
    df: DataFrame,
    value_column: String,
    time_column: String,
    group_by: Option<String>,
    kinds: Vec<ValueKind>,
    layout: ChartLayout,
}

impl ValueTimeline {
    /// A chart of `value_column` over `TimeGenerated`, as bars.
    pub fn new(df: &DataFrame, value_column: &str) -> Self {
        Self {
            df: crate::data::fresh(df),
            value_column: value_column.to_string(),
            time_column: DEFAULT_TIME_COLUMN.to_string(),
            group_by: None,
            kinds: vec![ValueKind::Bar],
            layout: ChartLayout::default(),
        }
    }

    /// The time column.
    pub fn time_column(mut self, name: &str) -> Self {
        self.time_column = name.to_string();
        self
    }

    /// One series per value of this column.
    pub fn group_by(mut self, column: &str) -> Self {
        self.group_by = Some(column.to_string());
        self
    }

    /// How to draw: any of bars, lines and markers, together.
    pub fn kinds(mut self, kinds: impl IntoIterator<Item = ValueKind>) -> Self {
        self.kinds = kinds.into_iter().collect();
        self
    }

    /// The chart title.
    pub fn title(mut self, title: &str) -> Self {
        self.layout.title = Some(title.to_string());
        self
    }

    /// Height in pixels.
    pub fn height(mut self, px: u32) -> Self {
        self.layout.height = Some(px);
        self
    }

    /// Legend placement.
    pub fn legend(mut self, position: LegendPosition) -> Self {
        self.layout.legend = position;
        self
    }

    /// A labelled reference line, time as text.
    pub fn ref_time(mut self, time: &str, label: &str) -> Result<Self> {
        self.layout.markers.push(RefMarker::parse(time, label)?);
        Ok(self)
    }

    /// Builds the chart.
    pub fn build(&self) -> Result<Chart> {
        if self.kinds.is_empty() {
            return Err(Error::invalid(
                "value timeline",
                "no kinds: pass at least one ValueKind",
            ));
        }
        let times = time_micros(&self.df, &self.time_column)?;
        let values = numbers(&self.df, &self.value_column)?;
        let groups = match &self.group_by {
            Some(g) => Some(group_labels(&self.df, g)?),
            None => None,
        };
        let mut series: BTreeMap<String, (Vec<String>, Vec<Option<f64>>)> = BTreeMap::new();
        for (row, t) in times.iter().enumerate() {
            let Some(t) = t else { continue };
            let name = groups
                .as_ref()
                .map_or_else(|| self.value_column.clone(), |g| g[row].clone());
            let entry = series.entry(name).or_default();
            entry.0.push(format_micros(*t));
            entry.1.push(values[row]);
        }
        let mut traces = Vec::new();
        for (name, (x, y)) in &series {
            for kind in &self.kinds {
                let mut trace =
                    json!({"name": escape(name), "x": x, "y": y, "legendgroup": escape(name)});
                match kind {
                    ValueKind::Bar => trace["type"] = json!("bar"),
                    ValueKind::Line => {
                        trace["type"] = json!("scatter");
                        trace["mode"] = json!("lines");
                    }
                    ValueKind::Markers => {
                        trace["type"] = json!("scatter");
                        trace["mode"] = json!("markers");
                    }
                }
                traces.push(trace);
            }
        }
        let mut layout = self.layout.to_json(420, None);
        layout["yaxis"]["title"] = json!({"text": escape(&self.value_column)});
        layout["barmode"] = json!("group");
        let title = self
            .layout
            .title
            .clone()
            .unwrap_or_else(|| self.value_column.clone());
        Ok(Chart::from_json(json!({"data": traces, "layout": layout}))?.with_title(title))
    }
}

/// First time, last time, event count and event times of one group.
type Span = (i64, i64, u64, Vec<i64>);

/// First → last activity of each group as horizontal bars.
#[derive(Debug, Clone)]
pub struct DurationTimeline {
    df: DataFrame,
    group_by: String,
    time_column: String,
    show_events: bool,
    layout: ChartLayout,
}

impl DurationTimeline {
    /// Durations of each value of `group_by` (time column `TimeGenerated`).
    pub fn new(df: &DataFrame, group_by: &str) -> Self {
        Self {
            df: crate::data::fresh(df),
            group_by: group_by.to_string(),
            time_column: DEFAULT_TIME_COLUMN.to_string(),
            show_events: true,
            layout: ChartLayout {
                legend: LegendPosition::Hidden,
                ..ChartLayout::default()
            },
        }
    }

    /// The time column.
    pub fn time_column(mut self, name: &str) -> Self {
        self.time_column = name.to_string();
        self
    }

    /// Also draws each event as a marker on its group's bar (default on).
    pub fn show_events(mut self, show: bool) -> Self {
        self.show_events = show;
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

    /// The per-group frame: group, first, last, duration (seconds), events.
    pub fn summary(&self) -> Result<DataFrame> {
        let spans = self.spans()?;
        let names: Vec<String> = spans.keys().cloned().collect();
        let first: Vec<String> = spans.values().map(|s| format_micros(s.0)).collect();
        let last: Vec<String> = spans.values().map(|s| format_micros(s.1)).collect();
        let secs: Vec<f64> = spans.values().map(|s| (s.1 - s.0) as f64 / 1e6).collect();
        let counts: Vec<u64> = spans.values().map(|s| s.2).collect();
        DataFrame::new_infer_height(vec![
            Column::new(self.group_by.as_str().into(), names),
            Column::new("FirstEvent".into(), first),
            Column::new("LastEvent".into(), last),
            Column::new("DurationSeconds".into(), secs),
            Column::new("Events".into(), counts),
        ])
        .ctx("building the duration summary")
    }

    fn spans(&self) -> Result<BTreeMap<String, Span>> {
        let times = time_micros(&self.df, &self.time_column)?;
        let groups = group_labels(&self.df, &self.group_by)?;
        let mut spans: BTreeMap<String, Span> = BTreeMap::new();
        for (row, t) in times.iter().enumerate() {
            let Some(t) = *t else { continue };
            let e = spans
                .entry(groups[row].clone())
                .or_insert((t, t, 0, Vec::new()));
            e.0 = e.0.min(t);
            e.1 = e.1.max(t);
            e.2 += 1;
            if self.show_events {
                e.3.push(t);
            }
        }
        Ok(spans)
    }

    /// Builds the chart.
    pub fn build(&self) -> Result<Chart> {
        let spans = self.spans()?;
        let names: Vec<String> = spans.keys().map(|k| escape(k)).collect();
        let base: Vec<String> = spans.values().map(|s| format_micros(s.0)).collect();
        // plotly draws a horizontal bar on a date axis from `base` for `x` milliseconds
        let len_ms: Vec<f64> = spans
            .values()
            .map(|s| ((s.1 - s.0) as f64 / 1e3).max(1.0))
            .collect();
        let texts: Vec<String> = spans
            .iter()
            .map(|(k, s)| {
                format!(
                    "{}<br>{} → {}<br>{} events",
                    escape(k),
                    format_micros(s.0),
                    format_micros(s.1),
                    s.2
                )
            })
            .collect();
        let mut traces = vec![json!({
            "type": "bar", "orientation": "h", "name": "duration",
            "y": names, "base": base, "x": len_ms, "text": texts,
            "textposition": "none", "hovertemplate": "%{text}<extra></extra>",
            "marker": {"color": "rgba(31,119,180,0.45)"}
        })];
        if self.show_events {
            let mut x = Vec::new();
            let mut y = Vec::new();
            for (k, s) in &spans {
                for t in &s.3 {
                    x.push(format_micros(*t));
                    y.push(escape(k));
                }
            }
            traces.push(json!({
                "type": if x.len() > 5000 { "scattergl" } else { "scatter" },
                "mode": "markers", "name": "events", "x": x, "y": y,
                "marker": {"size": 6, "color": "#1f77b4"},
                "hovertemplate": "%{x}<extra>%{y}</extra>"
            }));
        }
        let height = 160 + 30 * names.len().clamp(1, 30) as u32;
        let mut layout = self.layout.to_json(height, None);
        layout["yaxis"]["type"] = json!("category");
        layout["yaxis"]["autorange"] = json!("reversed");
        layout["barmode"] = json!("overlay");
        let title = self
            .layout
            .title
            .clone()
            .unwrap_or_else(|| format!("activity by {}", self.group_by));
        Ok(Chart::from_json(json!({"data": traces, "layout": layout}))?.with_title(title))
    }
}

/// Builds a figure JSON value (for the analysis chart hooks).
pub(crate) fn figure(traces: Vec<Value>, layout: Value) -> Value {
    json!({"data": traces, "layout": layout})
}
