//! Anomaly periods: time windows around anomalies, merged when close, as a
//! KQL `where` clause or a polars filter; and re-thresholding scores.

use super::resample::parse_interval;
use super::time_micros;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::timeaxis::numbers;
use polars::prelude::*;

/// One window of anomalous activity, in microseconds since the epoch (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct AnomalyPeriod {
    /// The start (one `period` before the first anomaly in the window).
    pub start: i64,
    /// The end (one `period` after the last anomaly in the window).
    pub end: i64,
}

impl AnomalyPeriod {
    /// The start as a UTC datetime.
    pub fn start_utc(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::from_timestamp_micros(self.start)
    }

    /// The end as a UTC datetime.
    pub fn end_utc(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::from_timestamp_micros(self.end)
    }
}

fn iso(micros: i64) -> String {
    match chrono::DateTime::from_timestamp_micros(micros) {
        Some(t) if micros % 1_000_000 == 0 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        None => micros.to_string(),
    }
}

/// The anomaly periods of an analysed series, in time order.
///
/// ```
/// use huntbook::analysis::timeseries::{AnomalyPeriod, AnomalyPeriods};
/// let hour = 3_600_000_000i64;
/// let p = AnomalyPeriods::new(vec![AnomalyPeriod { start: 0, end: 2 * hour }]);
/// assert_eq!(
///     p.kql_filter(),
///     "| where TimeGenerated between (datetime(1970-01-01T00:00:00Z) .. datetime(1970-01-01T02:00:00Z))"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnomalyPeriods {
    periods: Vec<AnomalyPeriod>,
    time_column: String,
}

impl AnomalyPeriods {
    /// Periods over `TimeGenerated`.
    pub fn new(periods: Vec<AnomalyPeriod>) -> Self {
        Self {
            periods,
            time_column: "TimeGenerated".into(),
        }
    }

    /// The time column the filters name (default `TimeGenerated`).
    pub fn with_time_column(mut self, name: &str) -> Self {
        self.time_column = name.to_string();
        self
    }

    /// The periods.
    pub fn periods(&self) -> &[AnomalyPeriod] {
        &self.periods
    }

    /// The number of periods.
    pub fn len(&self) -> usize {
        self.periods.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.periods.is_empty()
    }

    /// A KQL clause selecting the periods, as MSTICPy's
    /// `create_time_period_kqlfilter` writes it (`| where T between
    /// (datetime(a) .. datetime(b)) or …`), with ISO-8601 UTC times. With no
    /// periods it is `| where false` (MSTICPy writes `| where `, a syntax
    /// error).
    pub fn kql_filter(&self) -> String {
        if self.periods.is_empty() {
            return "| where false".into();
        }
        let terms: Vec<String> = self
            .periods
            .iter()
            .map(|p| {
                format!(
                    "{} between (datetime({}) .. datetime({}))",
                    self.time_column,
                    iso(p.start),
                    iso(p.end)
                )
            })
            .collect();
        format!("| where {}", terms.join(" or "))
    }

    /// A polars expression true for rows inside any period (both ends
    /// included). The time column must be a datetime; naive datetimes are
    /// taken as UTC. With no periods it is `lit(false)`.
    pub fn filter_expr(&self) -> Expr {
        let t = col(self.time_column.as_str())
            .dt()
            .timestamp(TimeUnit::Microseconds);
        self.periods
            .iter()
            .map(|p| {
                t.clone()
                    .gt_eq(lit(p.start))
                    .and(t.clone().lt_eq(lit(p.end)))
            })
            .reduce(|a, b| a.or(b))
            .unwrap_or_else(|| lit(false))
    }

    /// The rows of `df` inside the periods.
    pub fn filter(&self, df: &DataFrame) -> Result<DataFrame> {
        crate::data::fresh(df)
            .lazy()
            .filter(self.filter_expr())
            .collect()
            .ctx(format!(
                "filtering rows to anomaly periods on '{}'",
                self.time_column
            ))
    }

    /// The periods as a frame: `start`, `end` (`Datetime(µs, UTC)`).
    pub fn to_df(&self) -> Result<DataFrame> {
        let dt = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
        let col_of = |name: &str, v: Vec<i64>| Column::new(name.into(), v).cast(&dt);
        let starts = col_of("start", self.periods.iter().map(|p| p.start).collect());
        let ends = col_of("end", self.periods.iter().map(|p| p.end).collect());
        DataFrame::new(
            self.periods.len(),
            vec![starts.ctx("periods")?, ends.ctx("periods")?],
        )
        .ctx("building the anomaly periods frame")
    }
}

/// MSTICPy's `extract_anomaly_periods`: the rows whose `anomalies_column` is
/// 1 (or ±1 unless `pos_only`) are binned to `period` (e.g. `"1h"`); each
/// anomalous bin opens a window from `bin − period` to `bin + period`, and a
/// bin at most `2 × period` after the previous anomalous bin extends the
/// current window instead.
pub fn extract_anomaly_periods(
    df: &DataFrame,
    time_column: &str,
    anomalies_column: &str,
    period: &str,
    pos_only: bool,
) -> Result<AnomalyPeriods> {
    let df = crate::data::fresh(df);
    let step = parse_interval(period)?;
    let times = time_micros(&df, time_column)?;
    let flags = numbers(&df, anomalies_column)?;
    let mut bins: Vec<i64> = times
        .iter()
        .zip(&flags)
        .filter_map(|(t, f)| {
            let f = (*f)?;
            let hit = if pos_only {
                f == 1.0
            } else {
                f == 1.0 || f == -1.0
            };
            hit.then_some(*t).flatten()
        })
        .collect();
    if bins.is_empty() {
        return Ok(AnomalyPeriods::new(Vec::new()).with_time_column(time_column));
    }
    // pandas' resample bins from the start of the first day (origin "start_day").
    let day = 86_400_000_000i64;
    let origin = bins.iter().min().copied().unwrap_or(0).div_euclid(day) * day;
    for b in bins.iter_mut() {
        *b = origin + (*b - origin).div_euclid(step) * step;
    }
    bins.sort_unstable();
    bins.dedup();
    let mut periods: Vec<AnomalyPeriod> = Vec::new();
    let mut last: Option<i64> = None;
    for t in bins {
        match (last, periods.last_mut()) {
            (Some(prev), Some(current)) if t - prev <= 2 * step => current.end = t + step,
            _ => periods.push(AnomalyPeriod {
                start: t - step,
                end: t + step,
            }),
        }
        last = Some(t);
    }
    Ok(AnomalyPeriods::new(periods).with_time_column(time_column))
}

/// MSTICPy's `set_new_anomaly_threshold`: `anomalies` becomes 1 where
/// `score ≥ threshold`, −1 where `score ≤ −threshold_low` (default:
/// `threshold`), else 0. Other columns are unchanged.
///
/// ```
/// use huntbook::prelude::*;
/// use huntbook::analysis::timeseries::set_new_anomaly_threshold;
/// let df = df!("score" => [0.5, 2.6, -3.1], "anomalies" => [0i64, 0, 0]).unwrap();
/// let out = set_new_anomaly_threshold(&df, 2.5, None, "anomalies").unwrap();
/// let a: Vec<i64> = out.column("anomalies").unwrap().i64().unwrap().iter().flatten().collect();
/// assert_eq!(a, [0, 1, -1]);
/// ```
pub fn set_new_anomaly_threshold(
    df: &DataFrame,
    threshold: f64,
    threshold_low: Option<f64>,
    anomalies_column: &str,
) -> Result<DataFrame> {
    if !threshold.is_finite() || threshold_low.is_some_and(|t| !t.is_finite()) {
        return Err(Error::invalid("threshold", "must be a finite number"));
    }
    let mut df = crate::data::fresh(df);
    let scores = numbers(&df, "score")?;
    let low = threshold_low.unwrap_or(threshold);
    let flags: Vec<i64> = scores
        .iter()
        .map(|s| match s {
            Some(s) if *s >= threshold => 1,
            Some(s) if *s <= -low => -1,
            _ => 0,
        })
        .collect();
    df.with_column(Column::new(anomalies_column.into(), flags))
        .ctx("setting the new anomalies column")?;
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(flags: &[i64]) -> DataFrame {
        let times: Vec<String> = (0..flags.len())
            .map(|h| format!("2024-01-01 {:02}:00", h))
            .collect();
        df!("TimeGenerated" => times, "anomalies" => flags).unwrap()
    }

    #[test]
    fn merges_like_msticpy() {
        let hour = 3_600_000_000i64;
        // anomalies at 02:00, 04:00 (gap 2h: merged), 09:00 (new), 10:00 (-1)
        let df = frame(&[0, 0, 1, 0, 1, 0, 0, 0, 0, 1, -1, 0]);
        let p = extract_anomaly_periods(&df, "TimeGenerated", "anomalies", "1h", true).unwrap();
        let base = 1_704_067_200_000_000i64;
        assert_eq!(
            p.periods(),
            [
                AnomalyPeriod {
                    start: base + hour,
                    end: base + 5 * hour
                },
                AnomalyPeriod {
                    start: base + 8 * hour,
                    end: base + 10 * hour
                },
            ]
        );
        let p = extract_anomaly_periods(&df, "TimeGenerated", "anomalies", "1h", false).unwrap();
        assert_eq!(
            p.periods()[1],
            AnomalyPeriod {
                start: base + 8 * hour,
                end: base + 11 * hour
            }
        );
        assert_eq!(
            p.kql_filter(),
            "| where TimeGenerated between (datetime(2024-01-01T01:00:00Z) .. datetime(2024-01-01T05:00:00Z)) \
             or TimeGenerated between (datetime(2024-01-01T08:00:00Z) .. datetime(2024-01-01T11:00:00Z))"
        );
        let none =
            extract_anomaly_periods(&frame(&[0, 0]), "TimeGenerated", "anomalies", "1h", true)
                .unwrap();
        assert!(none.is_empty());
        assert_eq!(none.kql_filter(), "| where false");
    }

    #[test]
    fn filter_expression_selects_rows() {
        let df = frame(&[0, 0, 1, 0, 0, 0, 0])
            .lazy()
            .with_column(col("TimeGenerated").str().to_datetime(
                Some(TimeUnit::Microseconds),
                None,
                StrptimeOptions::default(),
                lit("raise"),
            ))
            .collect()
            .unwrap();
        let p = extract_anomaly_periods(&df, "TimeGenerated", "anomalies", "1h", true).unwrap();
        let rows = p.filter(&df).unwrap();
        assert_eq!(rows.height(), 3);
        let frame = p.to_df().unwrap();
        assert_eq!(frame.shape(), (1, 2));
    }
}
