//! Time-series anomalies: resample events to a regular series, decompose it
//! with STL (seasonal-trend by LOESS), score the residual and flag the
//! outliers; find the cycles in a series; turn anomalies into time windows
//! (KQL or polars filters) and re-threshold.
//!
//! MSTICPy's `ts_anomalies_stl` is [`ts_anomalies_stl`] here (same columns,
//! same defaults: `seasonal = 7`, `period = 24`, `score_threshold = 3.0`).
//! It reproduces MSTICPy's two quirks ([`ScoreMode::Msticpy`]): the
//! components are truncated to integers *before* the z-score, and the sign of
//! an anomaly comes from the seasonal component, so a dip (a value far
//! *below* its baseline) is never flagged and a spike where the seasonal
//! component is negative is flagged −1. [`StlAnomalyDetector::new`] defaults
//! to [`ScoreMode::Float`] instead: float components, a two-sided z-score,
//! and 1 for spikes / −1 for dips by the sign of the residual.
//!
//! ```
//! use huntbook::prelude::*;
//! let hb = Huntbook::new()?;
//! let series = read_file(hb.data_path("msticpy/testdata/time_series.csv")?)?;
//! let result = ts_anomalies_stl(&series, "TotalBytesSent")?; // MSTICPy-compatible
//! assert_eq!(result.anomaly_count(), 3);
//! let periods = result.periods("1h", true)?;
//! assert!(periods.kql_filter().starts_with("| where TimeGenerated between (datetime(2019-05-13T16:00:00Z)"));
//! let better = StlAnomalyDetector::new().value_column("TotalBytesSent").detect(&series)?;
//! assert!(better.anomaly_count() >= 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod periods;
mod resample;
mod spectrum;
mod stl;
mod stl_fast;

pub use periods::{
    AnomalyPeriod, AnomalyPeriods, extract_anomaly_periods, set_new_anomaly_threshold,
};
pub use resample::{Aggregation, Resampler, parse_interval};
pub use spectrum::{DetectedPeriod, detect_periods, dominant_period, periodogram};
pub use stl::{Stl, StlComponents};

use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::analysis_charts::TimeSeriesChart;
use crate::vis::chart::Chart;
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html};
use crate::vis::timeaxis::numbers;
use polars::prelude::*;

/// How residuals become scores and anomaly flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScoreMode {
    /// Float components; `score` is the z-score of the float residual;
    /// `anomalies` is 1 when `score > threshold` (a spike), −1 when
    /// `score < −threshold` (a dip), else 0.
    #[default]
    Float,
    /// MSTICPy 3.0.2's behaviour: value and components truncated to Int64
    /// (toward zero, `baseline = trunc(trend + seasonal)`), `score` is the
    /// z-score of the truncated residual, `anomalies` is 1 / −1 when
    /// `score > threshold` and the truncated seasonal is positive /
    /// negative, else 0. (MSTICPy raises an integer-cast error where the
    /// score is above the threshold and the truncated seasonal is 0, or the
    /// score equals the threshold; huntbook writes 0.)
    Msticpy,
}

/// Finds anomalies in an evenly spaced series with STL.
///
/// Input: a frame with a time column (datetime, or ISO text) and a numeric
/// value column; rows may come in any order (they are sorted by time). The
/// series must be evenly spaced with no gaps or repeated times (resample
/// events first with [`Resampler`], which fills gaps with zero), have no
/// null/NaN values, and hold at least two periods. Each of these is a clear
/// error. A constant series has all scores 0 and no anomalies (MSTICPy gets
/// NaN scores and fails).
#[derive(Debug, Clone)]
pub struct StlAnomalyDetector {
    time_column: String,
    value_column: String,
    seasonal: usize,
    period: Option<usize>,
    score_threshold: f64,
    robust: bool,
    mode: ScoreMode,
    check_spacing: bool,
}

impl Default for StlAnomalyDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl StlAnomalyDetector {
    /// MSTICPy's defaults (`TimeGenerated`/`Total`, seasonal 7, period 24,
    /// threshold 3) with [`ScoreMode::Float`] scoring.
    pub fn new() -> Self {
        Self {
            time_column: "TimeGenerated".into(),
            value_column: "Total".into(),
            seasonal: 7,
            period: Some(24),
            score_threshold: 3.0,
            robust: false,
            mode: ScoreMode::Float,
            check_spacing: true,
        }
    }

    /// MSTICPy-compatible: [`StlAnomalyDetector::new`] with [`ScoreMode::Msticpy`].
    pub fn msticpy() -> Self {
        Self::new().mode(ScoreMode::Msticpy)
    }

    /// The time column (default `TimeGenerated`).
    pub fn time_column(mut self, name: &str) -> Self {
        self.time_column = name.to_string();
        self
    }

    /// The value column (default `Total`).
    pub fn value_column(mut self, name: &str) -> Self {
        self.value_column = name.to_string();
        self
    }

    /// STL's seasonal smoother length: odd, ≥ 3 (default 7).
    pub fn seasonal(mut self, length: usize) -> Self {
        self.seasonal = length;
        self
    }

    /// Observations per cycle (default 24: hourly data, daily rhythm).
    pub fn period(mut self, period: usize) -> Self {
        self.period = Some(period);
        self
    }

    /// Chooses the period from the series' periodogram ([`dominant_period`]).
    pub fn auto_period(mut self) -> Self {
        self.period = None;
        self
    }

    /// The z-score above which a point is an anomaly (default 3).
    pub fn score_threshold(mut self, threshold: f64) -> Self {
        self.score_threshold = threshold;
        self
    }

    /// Robust STL (outliers do not bend the baseline; default off as in MSTICPy).
    pub fn robust(mut self, on: bool) -> Self {
        self.robust = on;
        self
    }

    /// The scoring mode.
    pub fn mode(mut self, mode: ScoreMode) -> Self {
        self.mode = mode;
        self
    }

    /// Whether uneven spacing is an error (default true). MSTICPy does not
    /// look at the times; turn this off to treat the rows as evenly spaced
    /// whatever their times say.
    pub fn check_spacing(mut self, on: bool) -> Self {
        self.check_spacing = on;
        self
    }

    /// Decomposes and scores the series in `df`.
    pub fn detect(&self, df: &DataFrame) -> Result<TimeSeriesAnomalies> {
        if !self.score_threshold.is_finite() {
            return Err(Error::invalid(
                "option 'score_threshold'",
                "must be a finite number",
            ));
        }
        let df = crate::data::fresh(df);
        let time_column = resolve_column(&df, &self.time_column)?;
        let value_column = resolve_column(&df, &self.value_column)?;
        let times = time_micros(&df, &time_column)?;
        let raw = numbers(&df, &value_column)?;
        if let Some(row) = times.iter().position(Option::is_none) {
            let n = times.iter().filter(|t| t.is_none()).count();
            return Err(Error::invalid(
                format!("time column '{time_column}'"),
                format!("has {n} null values (first at row {row})"),
            ));
        }
        let times: Vec<i64> = times.into_iter().flatten().collect();
        let mut order: Vec<usize> = (0..times.len()).collect();
        order.sort_by_key(|&i| times[i]);
        let bad: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| !raw[i].is_some_and(f64::is_finite))
            .collect();
        if let Some(&first) = bad.first() {
            return Err(Error::invalid(
                format!("value column '{value_column}'"),
                format!(
                    "has {} null or non-finite values (first at {}); fill them (e.g. with 0 for counts) \
                     or resample the events",
                    bad.len(),
                    crate::vis::timeaxis::format_micros(times[first])
                ),
            ));
        }
        if self.check_spacing {
            check_even_spacing(&order, &times, &time_column)?;
        }
        let values: Vec<f64> = order.iter().map(|&i| raw[i].unwrap_or(0.0)).collect();
        let period = match self.period {
            Some(p) => p,
            None => dominant_period(&values)?,
        };
        let comps = Stl::new(period)
            .seasonal(self.seasonal)
            .robust(self.robust)
            .fit(&values)?;
        let idx = IdxCa::from_vec("idx".into(), order.iter().map(|&i| i as IdxSize).collect());
        let value_col = df
            .column(&value_column)
            .and_then(|c| c.take(&idx))
            .ctx("sorting the series by time")?;
        // Output columns carry the names asked for (without a file's BOM);
        // the time column is Datetime(µs, UTC) whatever the input held.
        let (time_column, value_column) = (self.time_column.clone(), self.value_column.clone());
        let time_out = Column::new(
            time_column.as_str().into(),
            order.iter().map(|&i| times[i]).collect::<Vec<i64>>(),
        )
        .cast(&DataType::Datetime(
            TimeUnit::Microseconds,
            Some(TimeZone::UTC),
        ))
        .ctx("building the time column")?;
        let value_out = match self.mode {
            ScoreMode::Msticpy => Column::new(
                value_column.as_str().into(),
                values.iter().map(|v| *v as i64).collect::<Vec<i64>>(),
            ),
            ScoreMode::Float => value_col.with_name(value_column.as_str().into()),
        };
        let out = match self.mode {
            ScoreMode::Float => float_columns(&values, &comps, self.score_threshold),
            ScoreMode::Msticpy => msticpy_columns(&values, &comps, self.score_threshold),
        };
        let mut frame = DataFrame::new(values.len(), vec![time_out, value_out])
            .ctx("building the analysed series")?;
        for c in out {
            frame.with_column(c).ctx("adding the STL columns")?;
        }
        Ok(TimeSeriesAnomalies {
            df: frame,
            time_column,
            value_column,
            period,
            seasonal: self.seasonal,
            threshold: self.score_threshold,
            mode: self.mode,
            components: comps,
        })
    }
}

/// The times of a column as epoch microseconds (UTC): datetimes, dates, or
/// text in ISO 8601 — also with a `+0000`-style offset as pandas and
/// MSTICPy's golden files write it — via [`crate::vis::timeaxis::time_micros`].
pub(crate) fn time_micros(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    let first_try = crate::vis::timeaxis::time_micros(df, name);
    let Err(err) = first_try else {
        return first_try;
    };
    let Some(ca) = df.column(name).ok().and_then(|c| c.str().ok().cloned()) else {
        return Err(err);
    };
    let mut out = Vec::with_capacity(ca.len());
    for v in ca.iter() {
        match v {
            None => out.push(None),
            Some(text) => {
                let t = text.trim();
                let parsed = ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z"]
                    .iter()
                    .find_map(|f| chrono::DateTime::parse_from_str(t, f).ok())
                    .map(|d| d.timestamp_micros());
                match parsed {
                    Some(us) => out.push(Some(us)),
                    None => return Err(err),
                }
            }
        }
    }
    Ok(out)
}

/// MSTICPy's `ts_anomalies_stl` with its defaults and behaviour
/// ([`ScoreMode::Msticpy`]) on `TimeGenerated` and `value_column`.
pub fn ts_anomalies_stl(df: &DataFrame, value_column: &str) -> Result<TimeSeriesAnomalies> {
    StlAnomalyDetector::msticpy()
        .value_column(value_column)
        .detect(df)
}

/// The column named `name`, or one whose name is `name` after a leading
/// byte-order mark (CSV files saved by Excel start with one).
fn resolve_column(df: &DataFrame, name: &str) -> Result<String> {
    let names = df.get_column_names();
    if names.iter().any(|c| c.as_str() == name) {
        return Ok(name.to_string());
    }
    names
        .iter()
        .find(|c| c.as_str().trim_start_matches('\u{feff}') == name)
        .map(|c| c.to_string())
        .ok_or_else(|| {
            Error::column_not_found(name, "the time series", names.iter().map(|c| c.as_str()))
        })
}

fn check_even_spacing(order: &[usize], times: &[i64], column: &str) -> Result<()> {
    let sorted: Vec<i64> = order.iter().map(|&i| times[i]).collect();
    let Some(step) = sorted.windows(2).map(|w| w[1] - w[0]).min() else {
        return Ok(());
    };
    let fmt = crate::vis::timeaxis::format_micros;
    if step == 0 {
        let at = sorted.windows(2).find(|w| w[0] == w[1]).map_or(0, |w| w[0]);
        return Err(Error::invalid(
            format!("time column '{column}'"),
            format!(
                "has repeated times (first: {}); aggregate the rows per interval with Resampler",
                fmt(at)
            ),
        ));
    }
    if let Some(w) = sorted.windows(2).find(|w| w[1] - w[0] != step) {
        return Err(Error::invalid(
            format!("time column '{column}'"),
            format!(
                "is not evenly spaced: {} seconds between {} and {} but {} seconds elsewhere; \
                 resample with Resampler (fills gaps with 0) or call check_spacing(false)",
                (w[1] - w[0]) as f64 / 1e6,
                fmt(w[0]),
                fmt(w[1]),
                step as f64 / 1e6
            ),
        ));
    }
    Ok(())
}

/// z-scores with the population standard deviation (scipy's `zscore`);
/// all 0 when the spread is only rounding noise.
fn zscores(x: &[f64], scale: f64) -> Vec<f64> {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let sd = (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
    if sd.is_nan() || sd <= 1e-9 * scale.max(1e-300) {
        return vec![0.0; x.len()];
    }
    x.iter().map(|v| (v - mean) / sd).collect()
}

fn scale_of(values: &[f64]) -> f64 {
    values.iter().map(|v| v.abs()).fold(0.0, f64::max)
}

fn float_columns(values: &[f64], c: &StlComponents, threshold: f64) -> Vec<Column> {
    let baseline: Vec<f64> = c
        .trend
        .iter()
        .zip(&c.seasonal)
        .map(|(t, s)| t + s)
        .collect();
    let score = zscores(&c.resid, scale_of(values));
    let anomalies: Vec<i64> = score
        .iter()
        .map(|s| {
            if *s > threshold {
                1
            } else if *s < -threshold {
                -1
            } else {
                0
            }
        })
        .collect();
    vec![
        Column::new("residual".into(), c.resid.clone()),
        Column::new("trend".into(), c.trend.clone()),
        Column::new("seasonal".into(), c.seasonal.clone()),
        Column::new("weights".into(), c.weights.clone()),
        Column::new("baseline".into(), baseline),
        Column::new("score".into(), score),
        Column::new("anomalies".into(), anomalies),
    ]
}

fn msticpy_columns(values: &[f64], c: &StlComponents, threshold: f64) -> Vec<Column> {
    let trunc = |v: &[f64]| v.iter().map(|x| *x as i64).collect::<Vec<i64>>();
    let resid = trunc(&c.resid);
    let seasonal = trunc(&c.seasonal);
    let baseline: Vec<i64> = c
        .trend
        .iter()
        .zip(&c.seasonal)
        .map(|(t, s)| (t + s) as i64)
        .collect();
    let resid_f: Vec<f64> = resid.iter().map(|r| *r as f64).collect();
    let score = zscores(&resid_f, scale_of(values));
    let anomalies: Vec<i64> = score
        .iter()
        .zip(&seasonal)
        .map(|(s, season)| match (*s > threshold, season.signum()) {
            (true, 1) => 1,
            (true, -1) => -1,
            _ => 0,
        })
        .collect();
    vec![
        Column::new("residual".into(), resid),
        Column::new("trend".into(), trunc(&c.trend)),
        Column::new("seasonal".into(), seasonal),
        Column::new("weights".into(), trunc(&c.weights)),
        Column::new("baseline".into(), baseline),
        Column::new("score".into(), score),
        Column::new("anomalies".into(), anomalies),
    ]
}

/// The result of [`StlAnomalyDetector::detect`]: the series sorted by time
/// with MSTICPy's columns `residual`, `trend`, `seasonal`, `weights`,
/// `baseline`, `score`, `anomalies`.
#[derive(Debug, Clone)]
pub struct TimeSeriesAnomalies {
    df: DataFrame,
    time_column: String,
    value_column: String,
    period: usize,
    seasonal: usize,
    threshold: f64,
    mode: ScoreMode,
    components: StlComponents,
}

impl TimeSeriesAnomalies {
    /// The analysed series.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// The analysed series, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }

    /// The STL components as floats (before any truncation).
    pub fn components(&self) -> &StlComponents {
        &self.components
    }

    /// The period used (given, or detected).
    pub fn period(&self) -> usize {
        self.period
    }

    /// The score threshold.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The scoring mode.
    pub fn mode(&self) -> ScoreMode {
        self.mode
    }

    /// The time column's name.
    pub fn time_column(&self) -> &str {
        &self.time_column
    }

    /// The value column's name.
    pub fn value_column(&self) -> &str {
        &self.value_column
    }

    fn flags(&self) -> Vec<i64> {
        self.df
            .column("anomalies")
            .ok()
            .and_then(|c| {
                c.i64()
                    .ok()
                    .map(|ca| ca.iter().map(|v| v.unwrap_or(0)).collect())
            })
            .unwrap_or_default()
    }

    /// The number of rows flagged (1 or −1).
    pub fn anomaly_count(&self) -> usize {
        self.flags().iter().filter(|f| **f != 0).count()
    }

    /// The flagged rows only.
    pub fn anomalies(&self) -> Result<DataFrame> {
        let mask: BooleanChunked = self.flags().iter().map(|f| *f != 0).collect();
        self.df.filter(&mask).ctx("selecting the anomalies")
    }

    /// The anomaly windows (MSTICPy's `extract_anomaly_periods`): `period`
    /// is the merge granularity (`"1h"`); `pos_only` keeps only 1 flags.
    pub fn periods(&self, period: &str, pos_only: bool) -> Result<AnomalyPeriods> {
        extract_anomaly_periods(&self.df, &self.time_column, "anomalies", period, pos_only)
    }

    /// Flags again at another threshold (MSTICPy's
    /// `set_new_anomaly_threshold`: `score ≥ threshold` → 1,
    /// `score ≤ −threshold_low` → −1).
    pub fn rethreshold(&self, threshold: f64, threshold_low: Option<f64>) -> Result<Self> {
        let df = set_new_anomaly_threshold(&self.df, threshold, threshold_low, "anomalies")?;
        Ok(Self {
            df,
            threshold,
            ..self.clone()
        })
    }

    /// The observed series, its baseline and the anomalies as a chart.
    pub fn chart(&self) -> Result<Chart> {
        TimeSeriesChart::new(&self.df, &self.value_column)
            .time_column(&self.time_column)
            .title(&format!(
                "{}: STL anomalies (period {}, threshold {})",
                self.value_column, self.period, self.threshold
            ))
            .build()
    }

    fn summary(&self) -> String {
        format!(
            "{} points, {} anomalies (STL period {}, seasonal {}, score threshold {}, {} scoring)",
            self.df.height(),
            self.anomaly_count(),
            self.period,
            self.seasonal,
            self.threshold,
            match self.mode {
                ScoreMode::Float => "float",
                ScoreMode::Msticpy => "MSTICPy-compatible",
            }
        )
    }
}

impl NotebookDisplay for TimeSeriesAnomalies {
    /// A summary line and the anomalous rows (call `.chart()` for the plot).
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.open("div", &[("class", "hb-ts-anomalies")]);
        h.element("p", &[], &self.summary());
        h.close("div");
        let mut html = h.finish();
        match self.anomalies() {
            Ok(rows) => html.push_str(&table_html(
                &rows,
                &TableOptions::new().caption("anomalies"),
            )),
            Err(e) => html.push_str(&crate::vis::html::escape(&e.to_string())),
        }
        html
    }

    fn to_text(&self) -> String {
        match self.anomalies() {
            Ok(rows) => format!("{}\n{rows}", self.summary()),
            Err(_) => self.summary(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hourly(values: &[f64]) -> DataFrame {
        let times: Vec<i64> = (0..values.len() as i64)
            .map(|h| 1_704_067_200_000_000 + h * 3_600_000_000)
            .collect();
        let t = Column::new("TimeGenerated".into(), times)
            .cast(&DataType::Datetime(
                TimeUnit::Microseconds,
                Some(TimeZone::UTC),
            ))
            .unwrap();
        DataFrame::new(
            values.len(),
            vec![t, Column::new("Total".into(), values.to_vec())],
        )
        .unwrap()
    }

    fn daily(n: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                100.0
                    + 40.0 * (2.0 * std::f64::consts::PI * (i % 24) as f64 / 24.0).sin()
                    + ((i * 7919) % 13) as f64
            })
            .collect()
    }

    #[test]
    fn float_mode_flags_spikes_and_dips() {
        let mut y = daily(24 * 10);
        y[100] += 400.0;
        y[150] -= 300.0;
        let r = StlAnomalyDetector::new().detect(&hourly(&y)).unwrap();
        let flags = r.flags();
        assert_eq!(flags[100], 1);
        assert_eq!(flags[150], -1);
        // Non-robust STL lets each outlier bend the seasonal component, so
        // the same hour on a neighbouring day echoes it (2 more flags).
        assert_eq!(r.anomaly_count(), 4);
        // MSTICPy mode never flags the dip.
        let m = StlAnomalyDetector::msticpy().detect(&hourly(&y)).unwrap();
        assert_eq!(m.flags()[150], 0);
        assert_ne!(m.flags()[100], 0);
        let again = r.rethreshold(100.0, None).unwrap();
        assert_eq!(again.anomaly_count(), 0);
    }

    #[test]
    fn auto_period_and_bad_input() {
        let y = daily(24 * 10);
        let r = StlAnomalyDetector::new()
            .auto_period()
            .detect(&hourly(&y))
            .unwrap();
        assert_eq!(r.period(), 24);
        // constant: documented result, no anomalies, scores 0
        let c = StlAnomalyDetector::new()
            .detect(&hourly(&[5.0; 100]))
            .unwrap();
        assert_eq!(c.anomaly_count(), 0);
        assert!(
            c.df()
                .column("score")
                .unwrap()
                .f64()
                .unwrap()
                .iter()
                .flatten()
                .all(|s| s == 0.0)
        );
        let c = StlAnomalyDetector::msticpy()
            .detect(&hourly(&[5.0; 100]))
            .unwrap();
        assert_eq!(c.anomaly_count(), 0);
        // too short
        let e = StlAnomalyDetector::new()
            .detect(&hourly(&y[..40]))
            .unwrap_err();
        assert!(e.to_string().contains("fewer than two periods"), "{e}");
        // NaN
        let mut bad = y.clone();
        bad[3] = f64::NAN;
        let e = StlAnomalyDetector::new().detect(&hourly(&bad)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid value column 'Total': has 1 null or non-finite values (first at 2024-01-01 03:00:00.000000); \
             fill them (e.g. with 0 for counts) or resample the events"
        );
        // gap
        let df = hourly(&y);
        let mask: BooleanChunked = (0..df.height()).map(|i| i != 10).collect();
        let gappy = df.filter(&mask).unwrap();
        let e = StlAnomalyDetector::new().detect(&gappy).unwrap_err();
        assert!(
            e.to_string()
                .contains("is not evenly spaced: 7200 seconds between 2024-01-01 09:00:00.000000"),
            "{e}"
        );
        assert!(
            StlAnomalyDetector::new()
                .check_spacing(false)
                .detect(&gappy)
                .is_ok()
        );
        // missing column
        let e = StlAnomalyDetector::new()
            .value_column("Nope")
            .detect(&df)
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("column 'Nope' not found in the time series")
        );
    }

    #[test]
    fn html_is_escaped() {
        let y = daily(24 * 3);
        let mut df = hourly(&y);
        df.rename("Total", "<script>x</script>".into()).unwrap();
        let r = StlAnomalyDetector::new()
            .value_column("<script>x</script>")
            .detect(&df)
            .unwrap();
        let html = r.to_html();
        assert!(!html.contains("<script>x"));
        assert!(html.contains("&lt;script&gt;"));
    }
}
