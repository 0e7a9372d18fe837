//! Resampling events to a regular series: a count (or sum) per interval and
//! group, with empty intervals filled with zero.

use super::time_micros;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::timeaxis::{group_labels, numbers};
use polars::prelude::*;
use std::collections::{BTreeMap, HashMap};

/// Parses an interval such as `"1h"`, `"15min"`, `"30s"`, `"1d"`, `"1w"`,
/// `"500ms"` (pandas' `"1H"` and `"5T"` too) into microseconds.
///
/// ```
/// use huntbook::analysis::timeseries::parse_interval;
/// assert_eq!(parse_interval("1h").unwrap(), 3_600_000_000);
/// assert_eq!(parse_interval("15min").unwrap(), 900_000_000);
/// assert!(parse_interval("0s").is_err());
/// ```
pub fn parse_interval(text: &str) -> Result<i64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num = if num.is_empty() { "1" } else { num };
    let bad = || {
        Error::invalid(
            format!("interval '{text}'"),
            "expected a positive number and a unit: ms, s, min (or m, T), h, d or w (e.g. '1h', '15min')",
        )
    };
    let n: f64 = num.parse().map_err(|_| bad())?;
    let unit_us: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "ms" | "l" => 1_000.0,
        "s" | "sec" | "secs" | "second" | "seconds" => 1e6,
        "m" | "min" | "mins" | "minute" | "minutes" | "t" => 60e6,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3_600e6,
        "d" | "day" | "days" => 86_400e6,
        "w" | "week" | "weeks" => 604_800e6,
        _ => return Err(bad()),
    };
    let us = (n * unit_us).round();
    if !(1.0..1e17).contains(&us) {
        return Err(bad());
    }
    Ok(us as i64)
}

/// How the values in one interval are combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregation {
    /// The number of events (rows).
    Count,
    /// The sum of the value column (nulls count as nothing).
    Sum,
}

/// Turns events into a regular series: one row per interval (and group),
/// from the first event's interval to the last one's, with intervals that
/// have no events set to zero.
///
/// The output has the time column (`Datetime(µs, UTC)`, the start of each
/// interval), the group columns (as text; null shows as `(null)`) and the
/// value column (`Total` by default, MSTICPy's name): `Int64` counts, or
/// `Float64` sums. Every group covers the same, overall time range.
///
/// ```
/// use huntbook::prelude::*;
/// let events = df!(
///     "TimeGenerated" => ["2024-01-01 00:10", "2024-01-01 00:20", "2024-01-01 02:05"],
///     "Bytes" => [10i64, 5, 7],
/// ).unwrap();
/// let series = Resampler::new("1h").resample(&events).unwrap();
/// let totals: Vec<i64> = series.column("Total").unwrap().i64().unwrap().iter().flatten().collect();
/// assert_eq!(totals, [2, 0, 1]);
/// let sums = Resampler::new("1h").sum("Bytes").resample(&events).unwrap();
/// assert_eq!(sums.column("Total").unwrap().f64().unwrap().get(0), Some(15.0));
/// ```
#[derive(Debug, Clone)]
pub struct Resampler {
    interval: String,
    time_column: String,
    value_column: Option<String>,
    group_by: Vec<String>,
    output_column: String,
    max_points: usize,
}

impl Resampler {
    /// Counts per `interval` (`"1h"`, `"15min"`, …) over `TimeGenerated`.
    pub fn new(interval: &str) -> Self {
        Self {
            interval: interval.to_string(),
            time_column: "TimeGenerated".into(),
            value_column: None,
            group_by: Vec::new(),
            output_column: "Total".into(),
            max_points: 20_000_000,
        }
    }

    /// The time column (default `TimeGenerated`).
    pub fn time_column(mut self, name: &str) -> Self {
        self.time_column = name.to_string();
        self
    }

    /// Sums this column per interval instead of counting rows.
    pub fn sum(mut self, column: &str) -> Self {
        self.value_column = Some(column.to_string());
        self
    }

    /// One series per value of these columns.
    pub fn group_by<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.group_by = columns.into_iter().map(Into::into).collect();
        self
    }

    /// The name of the output value column (default `Total`).
    pub fn output_column(mut self, name: &str) -> Self {
        self.output_column = name.to_string();
        self
    }

    /// The most output rows (groups × intervals) allowed (default 20
    /// million): a tiny interval over a long range is an error, not an
    /// out-of-memory.
    pub fn max_points(mut self, n: usize) -> Self {
        self.max_points = n;
        self
    }

    /// The aggregation in use.
    pub fn aggregation(&self) -> Aggregation {
        if self.value_column.is_some() {
            Aggregation::Sum
        } else {
            Aggregation::Count
        }
    }

    /// Resamples `df`. Rows with a null time are an error (counted).
    pub fn resample(&self, df: &DataFrame) -> Result<DataFrame> {
        let df = crate::data::fresh(df);
        let step = parse_interval(&self.interval)?;
        let times = time_micros(&df, &self.time_column)?;
        let nulls = times.iter().filter(|t| t.is_none()).count();
        if nulls > 0 {
            return Err(Error::invalid(
                format!("time column '{}'", self.time_column),
                format!("has {nulls} null values; drop or fill them before resampling"),
            ));
        }
        let values = match &self.value_column {
            Some(c) => Some(numbers(&df, c)?),
            None => None,
        };
        let labels: Vec<Vec<String>> = self
            .group_by
            .iter()
            .map(|c| group_labels(&df, c))
            .collect::<Result<_>>()?;
        let output_names = std::iter::once(&self.time_column)
            .chain(&self.group_by)
            .chain(std::iter::once(&self.output_column));
        let mut seen = std::collections::HashSet::new();
        for name in output_names {
            if !seen.insert(name.as_str()) {
                return Err(Error::invalid(
                    "resample columns",
                    format!("column name '{name}' is used twice in the output"),
                ));
            }
        }
        let bins: Vec<i64> = times
            .iter()
            .map(|t| t.unwrap_or(0).div_euclid(step))
            .collect();
        let (Some(&lo), Some(&hi)) = (bins.iter().min(), bins.iter().max()) else {
            return self.empty_frame();
        };
        let n_bins = usize::try_from(hi - lo + 1).unwrap_or(usize::MAX);
        let mut group_index: HashMap<Vec<String>, usize> = HashMap::new();
        let mut group_keys: Vec<Vec<String>> = Vec::new();
        let mut row_group = Vec::with_capacity(df.height());
        for row in 0..df.height() {
            let key: Vec<String> = labels.iter().map(|l| l[row].clone()).collect();
            let next = group_keys.len();
            let g = *group_index.entry(key.clone()).or_insert_with(|| {
                group_keys.push(key);
                next
            });
            row_group.push(g);
        }
        let points = n_bins.saturating_mul(group_keys.len());
        if points > self.max_points {
            return Err(Error::invalid(
                format!("interval '{}'", self.interval),
                format!(
                    "gives {} groups × {n_bins} intervals = {points} points, more than the limit of {} \
                     (use a longer interval or raise max_points)",
                    group_keys.len(),
                    self.max_points
                ),
            ));
        }
        let mut totals = vec![0.0f64; points];
        for row in 0..df.height() {
            let slot = row_group[row] * n_bins + (bins[row] - lo) as usize;
            totals[slot] += match &values {
                Some(v) => v[row].unwrap_or(0.0),
                None => 1.0,
            };
        }
        // Groups in sorted order, intervals in time order.
        let order: BTreeMap<&Vec<String>, usize> =
            group_keys.iter().enumerate().map(|(i, k)| (k, i)).collect();
        let mut time_out = Vec::with_capacity(points);
        let mut group_out: Vec<Vec<String>> = vec![Vec::with_capacity(points); self.group_by.len()];
        let mut value_out = Vec::with_capacity(points);
        for (key, g) in order {
            for b in 0..n_bins {
                time_out.push((lo + b as i64) * step);
                for (j, part) in key.iter().enumerate() {
                    group_out[j].push(part.clone());
                }
                value_out.push(totals[g * n_bins + b]);
            }
        }
        let mut cols = vec![
            Column::new(self.time_column.as_str().into(), time_out)
                .cast(&DataType::Datetime(
                    TimeUnit::Microseconds,
                    Some(TimeZone::UTC),
                ))
                .ctx("building the resampled time column")?,
        ];
        for (name, vals) in self.group_by.iter().zip(group_out) {
            cols.push(Column::new(name.as_str().into(), vals));
        }
        cols.push(match self.aggregation() {
            Aggregation::Count => Column::new(
                self.output_column.as_str().into(),
                value_out.iter().map(|v| *v as i64).collect::<Vec<i64>>(),
            ),
            Aggregation::Sum => Column::new(self.output_column.as_str().into(), value_out),
        });
        DataFrame::new(points, cols).ctx("building the resampled series")
    }

    fn empty_frame(&self) -> Result<DataFrame> {
        let mut cols = vec![Column::new_empty(
            self.time_column.as_str().into(),
            &DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
        )];
        for g in &self.group_by {
            cols.push(Column::new_empty(g.as_str().into(), &DataType::String));
        }
        let dtype = match self.aggregation() {
            Aggregation::Count => DataType::Int64,
            Aggregation::Sum => DataType::Float64,
        };
        cols.push(Column::new_empty(
            self.output_column.as_str().into(),
            &dtype,
        ));
        DataFrame::new(0, cols).ctx("building the resampled series")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(n: i64) -> i64 {
        n * 1_000_000
    }

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("1H").unwrap(), secs(3600));
        assert_eq!(parse_interval("5T").unwrap(), secs(300));
        assert_eq!(parse_interval("30s").unwrap(), secs(30));
        assert_eq!(parse_interval("h").unwrap(), secs(3600));
        assert_eq!(parse_interval("1.5h").unwrap(), secs(5400));
        assert_eq!(parse_interval("500ms").unwrap(), 500_000);
        assert_eq!(parse_interval("2w").unwrap(), secs(2 * 604_800));
        for bad in ["", "1x", "-1h", "0h", "abc", "1e400h"] {
            assert!(parse_interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn groups_fill_gaps_over_the_common_range() {
        let df = df!(
            "TimeGenerated" => ["2024-01-01 00:10", "2024-01-01 00:20", "2024-01-01 03:05", "2024-01-01 01:00"],
            "Host" => ["b", "b", "b", "a"],
        )
        .unwrap();
        let out = Resampler::new("1h")
            .group_by(["Host"])
            .resample(&df)
            .unwrap();
        assert_eq!(out.shape(), (8, 3));
        let hosts: Vec<&str> = out
            .column("Host")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(hosts, ["a", "a", "a", "a", "b", "b", "b", "b"]);
        let totals: Vec<i64> = out
            .column("Total")
            .unwrap()
            .i64()
            .unwrap()
            .iter()
            .flatten()
            .collect();
        assert_eq!(totals, [0, 1, 0, 0, 2, 0, 0, 1]);
        let t0 = out
            .column("TimeGenerated")
            .unwrap()
            .get(0)
            .unwrap()
            .to_string();
        assert!(t0.starts_with("2024-01-01 00:00:00"), "{t0}");
    }

    #[test]
    fn limits_and_nulls() {
        let df = df!("TimeGenerated" => ["2024-01-01 00:00", "2024-02-01 00:00"]).unwrap();
        let e = Resampler::new("1s")
            .max_points(1000)
            .resample(&df)
            .unwrap_err();
        assert!(e.to_string().contains("more than the limit of 1000"), "{e}");
        let df = df!("TimeGenerated" => [Some("2024-01-01 00:00"), None]).unwrap();
        let e = Resampler::new("1h").resample(&df).unwrap_err();
        assert!(e.to_string().contains("has 1 null values"), "{e}");
        let empty = df!("TimeGenerated" => Vec::<String>::new()).unwrap();
        assert_eq!(Resampler::new("1h").resample(&empty).unwrap().height(), 0);
    }
}
