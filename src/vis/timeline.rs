//! Event timelines: events as markers on a time axis, one lane per series.
//!
//! One frame, a frame split by a `group_by` column, or several frames at once
//! (each with its own time column, label, colour and tooltip columns);
//! reference markers (an alert, labelled times); legend placement; a range
//! slider with 1h/1d/1w buttons. Large inputs switch to WebGL markers, and
//! beyond `max_points` events are counted into time buckets (marker size =
//! events in the bucket) with a visible notice, so 1M events stay usable.
//!
//! ```
//! use huntbook::prelude::*;
//! let procs = df!(
//!     "TimeGenerated" => ["2019-01-15 05:24:24", "2019-01-15 05:25:00", "2019-01-15 05:26:00"],
//!     "Account" => ["alice", "bob", "alice"],
//!     "CommandLine" => ["whoami", "net user", "<script>x</script>"],
//! ).unwrap();
//! let chart = Timeline::new(&procs)
//!     .group_by("Account")
//!     .tooltips(["CommandLine"])
//!     .ref_time("2019-01-15 05:25:30", "alert").unwrap()
//!     .title("Processes")
//!     .build()
//!     .unwrap();
//! let fig = chart.figure_json().unwrap();
//! assert_eq!(fig["data"].as_array().unwrap().len(), 2); // one lane per account
//! assert_eq!(fig["data"][0]["name"], "alice");
//! ```

use crate::error::{Error, Result};
use crate::vis::chart::Chart;
use crate::vis::html::escape;
use crate::vis::timeaxis::{
    ChartLayout, LegendPosition, RefMarker, format_micros, group_labels, time_micros, tooltips,
};
use polars::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The default time column (MSTICPy's).
pub const DEFAULT_TIME_COLUMN: &str = "TimeGenerated";

/// One frame on a timeline.
#[derive(Debug, Clone)]
struct Layer {
    df: DataFrame,
    label: Option<String>,
    time_column: String,
    group_by: Option<String>,
    tooltip_columns: Vec<String>,
    color: Option<String>,
}

/// An event timeline builder; [`Timeline::build`] makes the [`Chart`].
///
/// Setters for the data (`time_column`, `group_by`, `tooltips`, `color`,
/// `label`) apply to the frame added last.
#[derive(Debug, Clone)]
pub struct Timeline {
    layers: Vec<Layer>,
    layout: ChartLayout,
    max_points: usize,
    webgl_above: usize,
}

/// Points drawn for one lane.
struct Lane {
    name: String,
    color: Option<String>,
    times: Vec<i64>,
    texts: Vec<String>,
}

impl Timeline {
    /// A timeline of one frame (time column `TimeGenerated` unless set).
    pub fn new(df: &DataFrame) -> Self {
        Self::empty().add_frame(df, None::<String>)
    }

    /// A timeline with no frames yet: add them with [`Timeline::add_frame`].
    pub fn empty() -> Self {
        Self {
            layers: Vec::new(),
            layout: ChartLayout::default(),
            max_points: 50_000,
            webgl_above: 5_000,
        }
    }

    /// Adds a frame, optionally labelled (the label names its lane(s)).
    pub fn add_frame(mut self, df: &DataFrame, label: Option<impl Into<String>>) -> Self {
        self.layers.push(Layer {
            df: crate::data::fresh(df),
            label: label.map(Into::into),
            time_column: DEFAULT_TIME_COLUMN.to_string(),
            group_by: None,
            tooltip_columns: Vec::new(),
            color: None,
        });
        self
    }

    fn last(&mut self) -> Option<&mut Layer> {
        self.layers.last_mut()
    }

    /// The time column of the last frame.
    pub fn time_column(mut self, name: &str) -> Self {
        if let Some(l) = self.last() {
            l.time_column = name.to_string();
        }
        self
    }

    /// Splits the last frame into one lane per value of this column.
    pub fn group_by(mut self, column: &str) -> Self {
        if let Some(l) = self.last() {
            l.group_by = Some(column.to_string());
        }
        self
    }

    /// Columns shown in the tooltip of each event of the last frame.
    pub fn tooltips<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        if let Some(l) = self.last() {
            l.tooltip_columns = columns.into_iter().map(Into::into).collect();
        }
        self
    }

    /// The marker colour of the last frame (any CSS colour).
    pub fn color(mut self, color: &str) -> Self {
        if let Some(l) = self.last() {
            l.color = Some(color.to_string());
        }
        self
    }

    /// The label of the last frame.
    pub fn label(mut self, label: &str) -> Self {
        if let Some(l) = self.last() {
            l.label = Some(label.to_string());
        }
        self
    }

    /// A labelled reference line (e.g. the alert time), time as text.
    pub fn ref_time(mut self, time: &str, label: &str) -> Result<Self> {
        self.layout.markers.push(RefMarker::parse(time, label)?);
        Ok(self)
    }

    /// Adds reference markers.
    pub fn markers(mut self, markers: impl IntoIterator<Item = RefMarker>) -> Self {
        self.layout.markers.extend(markers);
        self
    }

    /// The chart title.
    pub fn title(mut self, title: &str) -> Self {
        self.layout.title = Some(title.to_string());
        self
    }

    /// Height in pixels (default: from the number of lanes).
    pub fn height(mut self, px: u32) -> Self {
        self.layout.height = Some(px);
        self
    }

    /// Width in pixels (default: the output's width).
    pub fn width(mut self, px: u32) -> Self {
        self.layout.width = Some(px);
        self
    }

    /// Legend placement.
    pub fn legend(mut self, position: LegendPosition) -> Self {
        self.layout.legend = position;
        self
    }

    /// Shows or hides the range slider and range buttons (shown by default).
    pub fn range_slider(mut self, show: bool) -> Self {
        self.layout.range_slider = show;
        self
    }

    /// Events drawn one by one up to this many in all; above it events are
    /// counted into time buckets (default 50,000).
    pub fn max_points(mut self, n: usize) -> Self {
        self.max_points = n.max(1);
        self
    }

    fn lanes(&self) -> Result<(Vec<Lane>, usize)> {
        let mut lanes: Vec<Lane> = Vec::new();
        let mut missing_time = 0usize;
        for layer in &self.layers {
            let times = time_micros(&layer.df, &layer.time_column)?;
            let texts = if layer.tooltip_columns.is_empty() {
                vec![String::new(); layer.df.height()]
            } else {
                tooltips(&layer.df, &layer.tooltip_columns)?
            };
            let groups = match &layer.group_by {
                Some(g) => Some(group_labels(&layer.df, g)?),
                None => None,
            };
            let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
            for (row, t) in times.iter().enumerate() {
                let Some(t) = t else {
                    missing_time += 1;
                    continue;
                };
                let name = lane_name(
                    layer.label.as_deref(),
                    groups.as_ref().map(|g| g[row].as_str()),
                );
                let idx = *by_name.entry(name.clone()).or_insert_with(|| {
                    lanes.push(Lane {
                        name,
                        color: layer.color.clone(),
                        times: Vec::new(),
                        texts: Vec::new(),
                    });
                    lanes.len() - 1
                });
                lanes[idx].times.push(*t);
                lanes[idx].texts.push(texts[row].clone());
            }
        }
        Ok((lanes, missing_time))
    }

    /// Builds the chart.
    pub fn build(&self) -> Result<Chart> {
        if self.layers.is_empty() {
            return Err(Error::invalid(
                "timeline",
                "no frames: add one with add_frame",
            ));
        }
        let (lanes, missing) = self.lanes()?;
        let total: usize = lanes.iter().map(|l| l.times.len()).sum();
        let aggregate = total > self.max_points;
        let mut notices = Vec::new();
        let traces: Vec<Value> = if aggregate {
            let buckets_per_lane = (self.max_points / lanes.len().max(1)).max(10);
            notices.push(format!(
                "{total} events: counted into time buckets per lane (marker size = events); \
                 filter or zoom the data to see single events"
            ));
            lanes
                .iter()
                .map(|l| bucket_trace(l, buckets_per_lane))
                .collect()
        } else {
            let gl = total > self.webgl_above;
            lanes.iter().map(|l| event_trace(l, gl)).collect()
        };
        if missing > 0 {
            notices.push(format!("{missing} events without a time are not drawn"));
        }
        let notice = (!notices.is_empty()).then(|| notices.join("; "));
        let height = 160 + 40 * lanes.len().clamp(1, 20) as u32;
        let mut layout = self.layout.to_json(height, notice.as_deref());
        layout["yaxis"]["type"] = json!("category");
        layout["yaxis"]["categoryorder"] = json!("array");
        layout["yaxis"]["categoryarray"] = json!(
            lanes
                .iter()
                .rev()
                .map(|l| escape(&l.name))
                .collect::<Vec<_>>()
        );
        if self.layout.legend == LegendPosition::Right && lanes.len() <= 1 {
            layout["showlegend"] = json!(false);
        }
        let title = self
            .layout
            .title
            .clone()
            .unwrap_or_else(|| "timeline".into());
        Ok(Chart::from_json(json!({"data": traces, "layout": layout}))?.with_title(title))
    }
}

fn lane_name(label: Option<&str>, group: Option<&str>) -> String {
    match (label, group) {
        (Some(l), Some(g)) => format!("{l}: {g}"),
        (Some(l), None) => l.to_string(),
        (None, Some(g)) => g.to_string(),
        (None, None) => "events".to_string(),
    }
}

fn marker(color: &Option<String>, size: Value) -> Value {
    let mut m = json!({"size": size, "opacity": 0.8, "line": {"width": 0}});
    if let Some(c) = color {
        m["color"] = json!(c);
    }
    m
}

fn event_trace(lane: &Lane, webgl: bool) -> Value {
    let name = escape(&lane.name);
    let x: Vec<String> = lane.times.iter().map(|t| format_micros(*t)).collect();
    let y = vec![name.clone(); x.len()];
    json!({
        "type": if webgl { "scattergl" } else { "scatter" },
        "mode": "markers",
        "name": name,
        "x": x,
        "y": y,
        "text": lane.texts,
        "hovertemplate": "<b>%{x}</b><br>%{text}<extra>%{y}</extra>",
        "marker": marker(&lane.color, json!(9)),
    })
}

fn bucket_trace(lane: &Lane, buckets: usize) -> Value {
    let name = escape(&lane.name);
    let (min, max) = lane
        .times
        .iter()
        .fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(*t), hi.max(*t)));
    let width = ((max.saturating_sub(min)) / buckets as i64).max(1);
    let mut counts: BTreeMap<i64, u64> = BTreeMap::new();
    for t in &lane.times {
        *counts.entry((t - min) / width).or_default() += 1;
    }
    let peak = counts.values().copied().max().unwrap_or(1) as f64;
    let x: Vec<String> = counts
        .keys()
        .map(|b| format_micros(min + b * width + width / 2))
        .collect();
    let sizes: Vec<f64> = counts
        .values()
        .map(|c| 4.0 + 16.0 * ((*c as f64).sqrt() / peak.sqrt()))
        .collect();
    let texts: Vec<String> = counts.values().map(|c| format!("{c} events")).collect();
    json!({
        "type": "scattergl",
        "mode": "markers",
        "name": name,
        "x": x,
        "y": vec![name.clone(); counts.len()],
        "text": texts,
        "hovertemplate": "<b>%{x}</b><br>%{text}<extra>%{y}</extra>",
        "marker": marker(&lane.color, json!(sizes)),
    })
}
