//! Beaconing (polling) detection: hosts that call home on a timer.
//!
//! For every (source, destination) pair, the connection times become a
//! counting process (connections per `resolution` seconds, from the pair's
//! first to its last connection); its periodogram (rustfft) is tested with
//! Fisher's g test for a periodic component against white noise (Heard,
//! Rubin-Delanchy and Lawson 2014: MSTICPy's `PeriodogramPollingDetector`).
//! The p-values of all pairs are adjusted for multiple testing
//! (Benjamini–Hochberg), so 1,000 pairs of random traffic do not produce
//! ten "beacons" at α = 0.01; pairs whose adjusted p-value is at most the
//! significance are beacons, ranked most significant first.
//!
//! ```
//! use huntbook::prelude::*;
//! // one host calls every 60 s; another connects at random-looking times
//! let mut t = Vec::new();
//! let mut src = Vec::new();
//! for i in 0..200i64 {
//!     t.push(1_700_000_000 + i * 60 + (i * 7) % 3);
//!     src.push("10.0.0.5");
//! }
//! let mut x = 88172645463325252u64; // xorshift: random-looking times
//! for _ in 0..200 {
//!     x ^= x << 13;
//!     x ^= x >> 7;
//!     x ^= x << 17;
//!     t.push(1_700_000_000 + (x % 12_000) as i64);
//!     src.push("10.0.0.9");
//! }
//! let flows = df!("Secs" => t, "SrcIP" => src, "DestIP" => vec!["203.0.113.7"; 400])?
//!     .lazy()
//!     .with_column((col("Secs") * lit(1000)).cast(DataType::Datetime(TimeUnit::Milliseconds, None)).alias("TimeGenerated"))
//!     .collect()?;
//! let found = BeaconDetector::new().detect(&flows)?;
//! let top = found.beacons()?;
//! assert_eq!(top.height(), 1);
//! assert_eq!(top.column("SrcIP")?.str()?.get(0), Some("10.0.0.5"));
//! assert!((top.column("dominant_interval")?.f64()?.get(0).unwrap() - 60.0).abs() < 0.5);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod fisher;

pub use fisher::{benjamini_hochberg, fisher_g_test};

use crate::analysis::timeseries::time_micros;
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::chart::Chart;
use crate::vis::html::{HtmlBuilder, escape};
use crate::vis::table::{TableOptions, table_html};
use crate::vis::timeaxis::group_labels;
use polars::prelude::*;
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;
use serde_json::json;
use std::collections::HashMap;

/// Finds pairs whose connections repeat on a timer.
#[derive(Debug, Clone)]
pub struct BeaconDetector {
    time_column: String,
    pair_columns: Vec<String>,
    resolution: f64,
    max_bins: usize,
    min_connections: usize,
    significance: f64,
}

impl Default for BeaconDetector {
    fn default() -> Self {
        Self::new()
    }
}

/// One pair's periodogram test.
#[derive(Debug, Clone, Default, PartialEq)]
struct PairResult {
    connections: usize,
    first: i64,
    last: i64,
    resolution: f64,
    tested: bool,
    g: f64,
    p: f64,
    interval: f64,
    median_interval: Option<f64>,
    interval_cv: Option<f64>,
    note: Option<String>,
}

impl BeaconDetector {
    /// Pairs of `SrcIP` → `DestIP` over `TimeGenerated`, 1-second
    /// resolution, at least 6 connections, significance 0.01 (after the
    /// Benjamini–Hochberg adjustment).
    pub fn new() -> Self {
        Self {
            time_column: "TimeGenerated".into(),
            pair_columns: vec!["SrcIP".into(), "DestIP".into()],
            resolution: 1.0,
            max_bins: 1 << 21,
            min_connections: 6,
            significance: 0.01,
        }
    }

    /// The time column (datetime or ISO text; default `TimeGenerated`).
    pub fn time_column(mut self, name: &str) -> Self {
        self.time_column = name.to_string();
        self
    }

    /// The source and destination columns (default `SrcIP`, `DestIP`).
    pub fn pair(mut self, source: &str, destination: &str) -> Self {
        self.pair_columns = vec![source.to_string(), destination.to_string()];
        self
    }

    /// Any columns that identify an edge (e.g. source, destination, port).
    pub fn group_by<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.pair_columns = columns.into_iter().map(Into::into).collect();
        self
    }

    /// Seconds per bin of the counting process (default 1).
    pub fn resolution(mut self, seconds: f64) -> Self {
        self.resolution = seconds;
        self
    }

    /// The most bins per pair (default 2,097,152): a pair spanning longer
    /// than `max_bins × resolution` is analysed at a coarser resolution
    /// (shown in the `resolution` column), so memory stays bounded.
    pub fn max_bins(mut self, n: usize) -> Self {
        self.max_bins = n;
        self
    }

    /// Pairs with fewer connections are not tested (default 6).
    pub fn min_connections(mut self, n: usize) -> Self {
        self.min_connections = n;
        self
    }

    /// The false-discovery rate at which a pair is called a beacon (default 0.01).
    pub fn significance(mut self, alpha: f64) -> Self {
        self.significance = alpha;
        self
    }

    fn check(&self) -> Result<()> {
        if !(self.resolution > 0.0 && self.resolution.is_finite()) {
            return Err(Error::invalid(
                "option 'resolution'",
                "must be a positive number of seconds",
            ));
        }
        if !(self.significance > 0.0 && self.significance < 1.0) {
            return Err(Error::invalid(
                "option 'significance'",
                "must be between 0 and 1",
            ));
        }
        if self.max_bins < 16 {
            return Err(Error::invalid("option 'max_bins'", "must be at least 16"));
        }
        if self.pair_columns.is_empty() {
            return Err(Error::invalid("pair columns", "give at least one column"));
        }
        Ok(())
    }

    /// The connection times (µs) of each pair, keyed by the pair's labels.
    fn pairs(&self, df: &DataFrame) -> Result<Vec<(Vec<String>, Vec<i64>)>> {
        let df = crate::data::fresh(df);
        let times = time_micros(&df, &self.time_column)?;
        if let Some(row) = times.iter().position(Option::is_none) {
            let n = times.iter().filter(|t| t.is_none()).count();
            return Err(Error::invalid(
                format!("time column '{}'", self.time_column),
                format!("has {n} null values (first at row {row}); drop them first"),
            ));
        }
        let labels: Vec<Vec<String>> = self
            .pair_columns
            .iter()
            .map(|c| group_labels(&df, c))
            .collect::<Result<_>>()?;
        let mut index: HashMap<Vec<String>, usize> = HashMap::new();
        let mut pairs: Vec<(Vec<String>, Vec<i64>)> = Vec::new();
        for (row, t) in times.iter().enumerate() {
            let key: Vec<String> = labels.iter().map(|l| l[row].clone()).collect();
            let next = pairs.len();
            let i = *index.entry(key.clone()).or_insert(next);
            if i == next {
                pairs.push((key, Vec::new()));
            }
            pairs[i].1.push(t.unwrap_or(0));
        }
        Ok(pairs)
    }

    /// Tests every pair in `df` and ranks them.
    pub fn detect(&self, df: &DataFrame) -> Result<Beacons> {
        self.check()?;
        let pairs = self.pairs(df)?;
        let mut planner = FftPlanner::new();
        let results: Vec<PairResult> = pairs
            .iter()
            .map(|(_, times)| self.analyse(times, &mut planner).map(|(r, _)| r))
            .collect::<Result<_>>()?;
        let raw: Vec<Option<f64>> = results.iter().map(|r| r.tested.then_some(r.p)).collect();
        let adjusted = benjamini_hochberg(&raw);
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_by(|&a, &b| {
            let key = |i: usize| raw[i].unwrap_or(f64::INFINITY);
            key(a)
                .total_cmp(&key(b))
                .then(results[b].g.total_cmp(&results[a].g))
                .then(results[b].connections.cmp(&results[a].connections))
                .then(pairs[a].0.cmp(&pairs[b].0))
        });
        let mut cols: Vec<Column> = Vec::new();
        for (j, name) in self.pair_columns.iter().enumerate() {
            let v: Vec<String> = order.iter().map(|&i| pairs[i].0[j].clone()).collect();
            cols.push(Column::new(name.as_str().into(), v));
        }
        let pick = |f: &dyn Fn(&PairResult) -> Option<f64>| -> Vec<Option<f64>> {
            order.iter().map(|&i| f(&results[i])).collect()
        };
        let dt = DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC));
        let times = |f: &dyn Fn(&PairResult) -> i64, name: &str| {
            Column::new(
                name.into(),
                order.iter().map(|&i| f(&results[i])).collect::<Vec<i64>>(),
            )
            .cast(&dt)
            .ctx("building beacon times")
        };
        let tested = |r: &PairResult, v: f64| r.tested.then_some(v);
        cols.push(Column::new(
            "connections".into(),
            order
                .iter()
                .map(|&i| results[i].connections as i64)
                .collect::<Vec<i64>>(),
        ));
        cols.push(times(&|r| r.first, "first_seen")?);
        cols.push(times(&|r| r.last, "last_seen")?);
        cols.push(Column::new(
            "dominant_interval".into(),
            pick(&|r| tested(r, r.interval)),
        ));
        cols.push(Column::new(
            "dominant_frequency".into(),
            pick(&|r| tested(r, 1.0 / r.interval)),
        ));
        cols.push(Column::new("g_statistic".into(), pick(&|r| tested(r, r.g))));
        cols.push(Column::new("p_value".into(), pick(&|r| tested(r, r.p))));
        let adj: Vec<Option<f64>> = order.iter().map(|&i| adjusted[i]).collect();
        let is_beacon: Vec<bool> = adj
            .iter()
            .map(|p| p.is_some_and(|p| p <= self.significance))
            .collect();
        cols.push(Column::new("p_adjusted".into(), adj));
        cols.push(Column::new("is_beacon".into(), is_beacon));
        cols.push(Column::new(
            "median_interval".into(),
            pick(&|r| r.median_interval),
        ));
        cols.push(Column::new("interval_cv".into(), pick(&|r| r.interval_cv)));
        cols.push(Column::new(
            "resolution".into(),
            pick(&|r| Some(r.resolution)),
        ));
        cols.push(Column::new(
            "note".into(),
            order
                .iter()
                .map(|&i| results[i].note.clone())
                .collect::<Vec<Option<String>>>(),
        ));
        let df = DataFrame::new(order.len(), cols).ctx("building the beacon table")?;
        Ok(Beacons {
            df,
            significance: self.significance,
            pair_columns: self.pair_columns.clone(),
        })
    }

    /// The periodogram of one pair (its labels in the order of the pair
    /// columns), e.g. to plot the top beacon.
    pub fn periodogram(&self, df: &DataFrame, pair: &[&str]) -> Result<Periodogram> {
        self.check()?;
        let pairs = self.pairs(df)?;
        let times = pairs
            .iter()
            .find(|(k, _)| k.len() == pair.len() && k.iter().zip(pair).all(|(a, b)| a == b))
            .map(|(_, t)| t)
            .ok_or_else(|| {
                Error::invalid(
                    format!("pair {pair:?}"),
                    format!(
                        "no rows with these values in columns {:?}",
                        self.pair_columns
                    ),
                )
            })?;
        let (result, spectrum) = self.analyse(times, &mut FftPlanner::new())?;
        let (frequency, power) = spectrum.ok_or_else(|| {
            Error::invalid(
                format!("pair {pair:?}"),
                result
                    .note
                    .clone()
                    .unwrap_or_else(|| "was not tested".into()),
            )
        })?;
        Ok(Periodogram {
            label: pair.join(" → "),
            frequency,
            power,
            dominant_interval: result.interval,
            p_value: result.p,
        })
    }

    /// Tests one pair; also returns its spectrum (Hz, power) when tested.
    #[allow(clippy::type_complexity)]
    fn analyse(
        &self,
        times: &[i64],
        planner: &mut FftPlanner<f64>,
    ) -> Result<(PairResult, Option<(Vec<f64>, Vec<f64>)>)> {
        let mut t = times.to_vec();
        t.sort_unstable();
        let (first, last) = (
            t.first().copied().unwrap_or(0),
            t.last().copied().unwrap_or(0),
        );
        let span = last - first;
        let span_bins = span as f64 / (self.resolution * 1e6);
        let res_us = if span_bins + 1.0 > self.max_bins as f64 {
            (span as f64 / (self.max_bins - 1) as f64).ceil()
        } else {
            self.resolution * 1e6
        };
        let diffs: Vec<f64> = t.windows(2).map(|w| (w[1] - w[0]) as f64 / 1e6).collect();
        let (median_interval, interval_cv) = interval_stats(&diffs);
        let mut r = PairResult {
            connections: t.len(),
            first,
            last,
            resolution: res_us / 1e6,
            median_interval,
            interval_cv,
            ..Default::default()
        };
        if t.len() < self.min_connections.max(2) {
            r.note = Some(format!(
                "fewer than {} connections",
                self.min_connections.max(2)
            ));
            return Ok((r, None));
        }
        let n = (span as f64 / res_us).floor() as usize + 1;
        if n < 16 {
            r.note = Some(format!("spans only {n} bins of {} s", r.resolution));
            return Ok((r, None));
        }
        let mut counts = vec![0.0f64; n];
        for x in &t {
            let b = (((x - first) as f64) / res_us).floor() as usize;
            if let Some(c) = counts.get_mut(b.min(n - 1)) {
                *c += 1.0;
            }
        }
        let mean = t.len() as f64 / n as f64;
        let mut buf: Vec<Complex<f64>> =
            counts.iter().map(|c| Complex::new(c - mean, 0.0)).collect();
        planner.plan_fft_forward(n).process(&mut buf);
        // Fourier frequencies strictly between 0 and the Nyquist frequency.
        let m = (n - 1) / 2;
        let power: Vec<f64> = (1..=m).map(|k| buf[k].norm_sqr() / n as f64).collect();
        let (g, p) = fisher_g_test(&power);
        let k_fund = fundamental(&power);
        r.tested = true;
        r.g = g;
        r.p = p;
        r.interval = n as f64 * r.resolution / k_fund as f64;
        let freq: Vec<f64> = (1..=m)
            .map(|k| k as f64 / (n as f64 * r.resolution))
            .collect();
        Ok((r, Some((freq, power))))
    }
}

/// The 1-based Fourier index of the fundamental: the periodogram's peak,
/// or a sub-harmonic of it (peak / j, j ≤ 8) holding at least half its
/// power — a sharp pulse train has equal power at all its harmonics, and
/// leakage can let a harmonic edge out the fundamental.
fn fundamental(power: &[f64]) -> usize {
    let (kmax, pmax) =
        power.iter().enumerate().fold(
            (0, f64::MIN),
            |acc, (i, p)| if *p > acc.1 { (i, *p) } else { acc },
        );
    let kstar = kmax + 1;
    for j in (2..=8usize).rev() {
        let centre = (kstar as f64 / j as f64).round() as usize;
        if centre < 1 {
            continue;
        }
        let best = (centre.saturating_sub(1).max(1)..=centre + 1)
            .filter_map(|k| power.get(k - 1).map(|p| (k, *p)))
            .fold((0, f64::MIN), |acc, x| if x.1 > acc.1 { x } else { acc });
        if best.0 >= 1 && best.0 < kstar && best.1 >= 0.5 * pmax {
            return best.0;
        }
    }
    kstar
}

fn interval_stats(diffs: &[f64]) -> (Option<f64>, Option<f64>) {
    if diffs.is_empty() {
        return (None, None);
    }
    let mut sorted = diffs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    let median = if sorted.len().is_multiple_of(2) {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    } else {
        sorted[mid]
    };
    let mean = diffs.iter().sum::<f64>() / diffs.len() as f64;
    let sd =
        (diffs.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / diffs.len() as f64).sqrt();
    (Some(median), (mean > 0.0).then(|| sd / mean))
}

/// The ranked pairs from [`BeaconDetector::detect`]: one row per pair with
/// the pair columns, `connections`, `first_seen`, `last_seen`,
/// `dominant_interval` (seconds), `dominant_frequency` (Hz), `g_statistic`
/// (the peak's share of the power: the beacon's strength), `p_value`
/// (Fisher's g test), `p_adjusted` (Benjamini–Hochberg), `is_beacon`,
/// `median_interval` and `interval_cv` (the spread of the gaps between
/// connections: low for a steady timer), `resolution` (seconds per bin) and
/// `note` (why a pair was not tested). Most significant first.
#[derive(Debug, Clone)]
pub struct Beacons {
    df: DataFrame,
    significance: f64,
    pair_columns: Vec<String>,
}

impl Beacons {
    /// All pairs, ranked.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// All pairs, ranked, by value.
    pub fn into_df(self) -> DataFrame {
        self.df
    }

    /// Only the pairs called beacons.
    pub fn beacons(&self) -> Result<DataFrame> {
        let mask = self
            .df
            .column("is_beacon")
            .and_then(|c| c.bool().cloned())
            .ctx("is_beacon")?;
        self.df.filter(&mask).ctx("selecting beacons")
    }

    /// The number of beacons.
    pub fn count(&self) -> usize {
        self.df
            .column("is_beacon")
            .ok()
            .and_then(|c| c.bool().ok().map(|b| b.sum().unwrap_or(0) as usize))
            .unwrap_or(0)
    }

    /// The columns that identify a pair.
    pub fn pair_columns(&self) -> &[String] {
        &self.pair_columns
    }

    fn summary(&self) -> String {
        format!(
            "{} pairs, {} beacons (Benjamini–Hochberg adjusted p ≤ {})",
            self.df.height(),
            self.count(),
            self.significance
        )
    }
}

impl NotebookDisplay for Beacons {
    /// A summary line and the 20 highest-ranked pairs.
    fn to_html(&self) -> String {
        let mut h = HtmlBuilder::new();
        h.element("p", &[("class", "hb-beacons")], &self.summary());
        let mut html = h.finish();
        html.push_str(&table_html(
            &self.df.head(Some(20)),
            &TableOptions::new().caption("pairs, most periodic first"),
        ));
        html
    }

    fn to_text(&self) -> String {
        format!("{}\n{}", self.summary(), self.df.head(Some(20)))
    }
}

/// The periodogram of one pair's connections.
#[derive(Debug, Clone, PartialEq)]
pub struct Periodogram {
    label: String,
    /// Frequencies (Hz).
    pub frequency: Vec<f64>,
    /// Power at each frequency.
    pub power: Vec<f64>,
    /// The detected interval (seconds).
    pub dominant_interval: f64,
    /// Fisher's g test p-value (not adjusted).
    pub p_value: f64,
}

impl Periodogram {
    /// Power against period (seconds, log axis); at most 5,000 points (the
    /// highest power of each run of neighbouring frequencies).
    pub fn chart(&self) -> Result<Chart> {
        let step = self.frequency.len().div_ceil(5000).max(1);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for (f, p) in self.frequency.chunks(step).zip(self.power.chunks(step)) {
            let (i, best) =
                p.iter().enumerate().fold(
                    (0, f64::MIN),
                    |acc, (i, v)| if *v > acc.1 { (i, *v) } else { acc },
                );
            if let Some(freq) = f.get(i).filter(|f| **f > 0.0) {
                x.push(1.0 / freq);
                y.push(best);
            }
        }
        let title = format!(
            "periodogram of {}: interval {:.1} s, p = {:.3e}",
            self.label, self.dominant_interval, self.p_value
        );
        let figure = json!({
            "data": [{
                "type": "scatter", "mode": "lines", "name": "power", "x": x, "y": y,
                "line": {"color": "#1f77b4"},
                "hovertemplate": "period %{x:.1f} s<br>power %{y:.3g}<extra></extra>"
            }, {
                "type": "scatter", "mode": "markers", "name": "dominant interval",
                "x": [self.dominant_interval],
                "y": [y.iter().copied().fold(0.0, f64::max)],
                "marker": {"color": "#d62728", "size": 11, "symbol": "circle-open", "line": {"width": 3}}
            }],
            "layout": {
                "title": {"text": escape(&title)},
                "xaxis": {"title": {"text": "period (seconds)"}, "type": "log"},
                "yaxis": {"title": {"text": "power"}},
                "height": 380, "margin": {"l": 60, "r": 20, "t": 50, "b": 50}
            }
        });
        Ok(Chart::from_json(figure)?.with_title(title))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fundamental_prefers_the_lowest_strong_harmonic() {
        let mut p = vec![0.1; 100];
        p[9] = 10.0; // k = 10
        p[19] = 10.5; // k = 20, a harmonic slightly higher
        assert_eq!(fundamental(&p), 10);
        let mut q = vec![0.1; 100];
        q[19] = 10.0;
        assert_eq!(fundamental(&q), 20);
    }

    #[test]
    fn interval_statistics() {
        let (m, cv) = interval_stats(&[60.0, 60.0, 60.0]);
        assert_eq!(m, Some(60.0));
        assert_eq!(cv, Some(0.0));
        assert_eq!(interval_stats(&[]), (None, None));
    }
}
