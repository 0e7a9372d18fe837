//! Shared pieces of the time charts: time columns as plotly date strings,
//! tooltips from source columns, reference markers and the common layout.

use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::escape;
use crate::vis::table::cell_text;
use polars::prelude::*;
use serde_json::{Value, json};

/// Where the legend goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LegendPosition {
    /// Right of the plot (plotly's default).
    #[default]
    Right,
    /// Left of the plot.
    Left,
    /// Above the plot, horizontal.
    Top,
    /// Below the plot, horizontal.
    Bottom,
    /// No legend box: series are named on the y axis.
    Inline,
    /// No legend at all.
    Hidden,
}

impl LegendPosition {
    pub(crate) fn layout(self) -> (bool, Value) {
        match self {
            Self::Right => (true, json!({})),
            Self::Left => (true, json!({"x": -0.02, "xanchor": "right", "y": 1})),
            Self::Top => (
                true,
                json!({"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"}),
            ),
            Self::Bottom => (
                true,
                json!({"orientation": "h", "x": 0, "y": -0.25, "yanchor": "top"}),
            ),
            Self::Inline | Self::Hidden => (false, json!({})),
        }
    }
}

/// A labelled vertical line at a time: an alert, a reference event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefMarker {
    /// The time as microseconds since the Unix epoch (UTC).
    pub micros: i64,
    /// The label shown above the line.
    pub label: String,
}

impl RefMarker {
    /// A marker at a time given as text: RFC 3339 (`2019-01-15T05:30:00Z`,
    /// with an offset) or a naive UTC time (`2019-01-15 05:30:00[.ffffff]`).
    pub fn parse(time: &str, label: impl Into<String>) -> Result<Self> {
        Ok(Self {
            micros: parse_time(time)?,
            label: label.into(),
        })
    }

    /// A marker at a `chrono` UTC time.
    pub fn at(time: chrono::DateTime<chrono::Utc>, label: impl Into<String>) -> Self {
        Self {
            micros: time.timestamp_micros(),
            label: label.into(),
        }
    }
}

/// Parses a time given as text into microseconds since the epoch (UTC).
pub fn parse_time(time: &str) -> Result<i64> {
    let t = time.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp_micros());
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d",
    ] {
        if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(dt.and_utc().timestamp_micros());
        }
        if fmt == "%Y-%m-%d"
            && let Some(dt) = chrono::NaiveDate::parse_from_str(t, fmt)
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        {
            return Ok(dt.and_utc().timestamp_micros());
        }
    }
    Err(Error::invalid(
        format!("time '{time}'"),
        "expected RFC 3339 (2019-01-15T05:30:00Z) or 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC)",
    ))
}

/// Formats epoch microseconds as plotly reads dates (`2019-01-15 05:24:24.010000`, UTC).
pub fn format_micros(micros: i64) -> String {
    match chrono::DateTime::from_timestamp_micros(micros) {
        Some(dt) => dt.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
        None => String::new(),
    }
}

fn column<'a>(df: &'a DataFrame, name: &str, what: &str) -> Result<&'a Column> {
    df.column(name).map_err(|_| {
        Error::column_not_found(name, what, df.get_column_names().iter().map(|c| c.as_str()))
    })
}

/// The values of a numeric (or boolean) column as `f64`; `None` for nulls.
/// Text columns are an error naming the column, not a silent cast.
pub fn numbers(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let col = column(df, name, "the chart's frame")?;
    if !(col.dtype().is_primitive_numeric() || col.dtype() == &DataType::Boolean) {
        return Err(Error::invalid(
            format!("value column '{name}'"),
            format!("has dtype {}; expected numbers", col.dtype()),
        ));
    }
    let ctx = || format!("reading value column '{name}'");
    let f = col.cast(&DataType::Float64).ctx(ctx())?;
    Ok(f.f64().ctx(ctx())?.iter().collect())
}

/// The values of a time column as epoch microseconds (UTC); `None` for nulls.
/// Datetime (any unit, any time zone), Date, and ISO text are accepted.
pub fn time_micros(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    let col = column(df, name, "the timeline's frame")?;
    let ctx = || format!("reading time column '{name}'");
    let as_us = DataType::Datetime(TimeUnit::Microseconds, None);
    let converted = match col.dtype() {
        DataType::Datetime(_, Some(_)) => col
            .cast(&DataType::Datetime(
                TimeUnit::Microseconds,
                Some(TimeZone::UTC),
            ))
            .and_then(|c| c.cast(&DataType::Int64)),
        DataType::Datetime(_, None) | DataType::Date => {
            col.cast(&as_us).and_then(|c| c.cast(&DataType::Int64))
        }
        DataType::String => return text_times(col, name),
        other => {
            return Err(Error::invalid(
                format!("time column '{name}'"),
                format!("has dtype {other}; expected a datetime, a date or ISO time text"),
            ));
        }
    }
    .ctx(ctx())?;
    Ok(converted.i64().ctx(ctx())?.iter().collect())
}

/// Text times parsed with [`parse_time`]; any unparseable value is an error
/// that counts them and shows the first.
fn text_times(col: &Column, name: &str) -> Result<Vec<Option<i64>>> {
    let ca = col.str().ctx(format!("reading time column '{name}'"))?;
    let mut bad = 0usize;
    let mut first_bad = None;
    let values: Vec<Option<i64>> = ca
        .iter()
        .map(|v| {
            v.and_then(|text| match parse_time(text) {
                Ok(t) => Some(t),
                Err(_) => {
                    bad += 1;
                    first_bad.get_or_insert_with(|| text.chars().take(60).collect::<String>());
                    None
                }
            })
        })
        .collect();
    if let Some(example) = first_bad {
        return Err(Error::invalid(
            format!("time column '{name}'"),
            format!(
                "{bad} values are text that is not an ISO date/time (first: '{example}'); \
                 parse the column first (e.g. col(\"{name}\").str().to_datetime(...))"
            ),
        ));
    }
    Ok(values)
}

/// One tooltip per row: `column: value` lines (escaped, each value at most
/// 200 characters) joined with `<br>`, which plotly renders as line breaks.
pub fn tooltips(df: &DataFrame, columns: &[String]) -> Result<Vec<String>> {
    let cols: Vec<&Column> = columns
        .iter()
        .map(|c| column(df, c, "the timeline's frame (tooltip column)"))
        .collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(df.height());
    for row in 0..df.height() {
        let mut text = String::new();
        for (i, col) in cols.iter().enumerate() {
            if i > 0 {
                text.push_str("<br>");
            }
            text.push_str(&escape(col.name().as_str()));
            text.push_str(": ");
            let value = col
                .get(row)
                .ok()
                .and_then(|v| cell_text(&v))
                .unwrap_or_else(|| "null".into());
            let short: String = value.chars().take(200).collect();
            text.push_str(&escape(&short));
            if value.chars().count() > 200 {
                text.push('…');
            }
        }
        out.push(text);
    }
    Ok(out)
}

/// The text of each row of a column (for group labels); nulls become "(null)".
pub fn group_labels(df: &DataFrame, name: &str) -> Result<Vec<String>> {
    let col = column(df, name, "the timeline's frame (group_by column)")?;
    Ok((0..df.height())
        .map(|row| {
            col.get(row)
                .ok()
                .and_then(|v| cell_text(&v))
                .unwrap_or_else(|| "(null)".to_string())
        })
        .collect())
}

/// Plotly `shapes` and `annotations` for reference markers.
pub fn marker_layout(markers: &[RefMarker]) -> (Vec<Value>, Vec<Value>) {
    let mut shapes = Vec::new();
    let mut notes = Vec::new();
    for m in markers {
        let t = format_micros(m.micros);
        shapes.push(json!({
            "type": "line", "xref": "x", "yref": "paper", "x0": t, "x1": t, "y0": 0, "y1": 1,
            "line": {"color": "#d62728", "width": 2, "dash": "dot"}
        }));
        notes.push(json!({
            "x": t, "y": 1, "xref": "x", "yref": "paper", "text": escape(&m.label),
            "showarrow": false, "yanchor": "bottom", "font": {"color": "#d62728"}
        }));
    }
    (shapes, notes)
}

/// Common chart settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartLayout {
    /// The title (escaped when drawn).
    pub title: Option<String>,
    /// Height in pixels; `None` picks one from the number of lanes.
    pub height: Option<u32>,
    /// Width in pixels; `None` fills the output area.
    pub width: Option<u32>,
    /// Legend placement.
    pub legend: LegendPosition,
    /// A range slider and range buttons under the time axis.
    pub range_slider: bool,
    /// Reference markers.
    pub markers: Vec<RefMarker>,
}

impl Default for ChartLayout {
    fn default() -> Self {
        Self {
            title: None,
            height: None,
            width: None,
            legend: LegendPosition::default(),
            range_slider: true,
            markers: Vec::new(),
        }
    }
}

impl ChartLayout {
    /// The plotly layout object, with a date x axis.
    pub fn to_json(&self, default_height: u32, notice: Option<&str>) -> Value {
        let (show_legend, legend) = self.legend.layout();
        let (shapes, mut notes) = marker_layout(&self.markers);
        if let Some(n) = notice {
            notes.push(json!({
                "x": 0, "y": 1.08, "xref": "paper", "yref": "paper", "text": escape(n),
                "showarrow": false, "xanchor": "left", "font": {"color": "#8a6d3b", "size": 11}
            }));
        }
        let mut xaxis =
            json!({"type": "date", "title": {"text": "time (UTC)"}, "automargin": true});
        if self.range_slider {
            xaxis["rangeslider"] = json!({"visible": true, "thickness": 0.08});
            xaxis["rangeselector"] = json!({"buttons": [
                {"count": 1, "label": "1h", "step": "hour", "stepmode": "backward"},
                {"count": 1, "label": "1d", "step": "day", "stepmode": "backward"},
                {"count": 7, "label": "1w", "step": "day", "stepmode": "backward"},
                {"step": "all", "label": "all"}
            ]});
        }
        let mut layout = json!({
            "height": self.height.unwrap_or(default_height),
            "hovermode": "closest",
            "showlegend": show_legend,
            "legend": legend,
            "xaxis": xaxis,
            "yaxis": {"automargin": true},
            "shapes": shapes,
            "annotations": notes,
            "margin": {"t": 60, "r": 20},
        });
        if let Some(t) = &self.title {
            layout["title"] = json!({"text": escape(t)});
        }
        if let Some(w) = self.width {
            layout["width"] = json!(w);
        }
        layout
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_times() {
        assert_eq!(parse_time("1970-01-01T00:00:01Z").unwrap(), 1_000_000);
        assert_eq!(parse_time("1970-01-01 00:00:01.5").unwrap(), 1_500_000);
        assert_eq!(parse_time("1970-01-02").unwrap(), 86_400_000_000);
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00").unwrap(), 0);
        let e = parse_time("yesterday").unwrap_err().to_string();
        assert!(
            e.starts_with("invalid time 'yesterday': expected RFC 3339"),
            "{e}"
        );
    }

    #[test]
    fn formats_micros() {
        assert_eq!(format_micros(1_500_000), "1970-01-01 00:00:01.500000");
    }

    #[test]
    fn time_columns_of_every_kind() {
        let df = df!(
            "s" => ["1970-01-01 00:00:01", "bad"],
        )
        .unwrap();
        let e = time_micros(&df, "s").unwrap_err().to_string();
        assert!(
            e.contains("1 values are text that is not an ISO date/time (first: 'bad')"),
            "{e}"
        );
        let df = df!("s" => [Some("1970-01-01T00:00:02"), None]).unwrap();
        assert_eq!(time_micros(&df, "s").unwrap(), vec![Some(2_000_000), None]);
        let df = df!("n" => [1i64]).unwrap();
        let e = time_micros(&df, "n").unwrap_err().to_string();
        assert_eq!(
            e,
            "invalid time column 'n': has dtype i64; expected a datetime, a date or ISO time text"
        );
        let e = time_micros(&df, "t").unwrap_err().to_string();
        assert_eq!(
            e,
            "column 't' not found in the timeline's frame with columns [n]"
        );
    }
}
