//! Period detection: the dominant cycles of an evenly spaced series, from
//! its periodogram (rustfft), so an STL `period` can be chosen automatically.

use crate::error::{Error, Result};
use rustfft::FftPlanner;
use rustfft::num_complex::Complex;

/// A cycle found in a series.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectedPeriod {
    /// The period in samples (n / k for Fourier frequency k).
    pub period: f64,
    /// The frequency in cycles per sample.
    pub frequency: f64,
    /// Periodogram power at that frequency.
    pub power: f64,
    /// The power's share of the total (0–1): how much of the series'
    /// variance this cycle explains.
    pub share: f64,
}

/// Periodogram of `values` after removing a least-squares line: the power
/// `|X_k|² / n` at Fourier frequencies `k = 1 ..= n/2`. Returns `(k, power)`.
pub fn periodogram(values: &[f64]) -> Vec<(usize, f64)> {
    let n = values.len();
    if n < 4 {
        return Vec::new();
    }
    let nf = n as f64;
    let mean_x = (nf - 1.0) / 2.0;
    let mean_y = values.iter().sum::<f64>() / nf;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, v) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        sxy += dx * (v - mean_y);
        sxx += dx * dx;
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let mut buf: Vec<Complex<f64>> = values
        .iter()
        .enumerate()
        .map(|(i, v)| Complex::new(v - mean_y - slope * (i as f64 - mean_x), 0.0))
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    (1..=n / 2).map(|k| (k, buf[k].norm_sqr() / nf)).collect()
}

/// The strongest cycles of an evenly spaced series, strongest first: local
/// maxima of the periodogram whose period fits at least twice in the series.
///
/// ```
/// use huntbook::analysis::timeseries::detect_periods;
/// let y: Vec<f64> = (0..24 * 14)
///     .map(|i| 100.0 + 30.0 * (2.0 * std::f64::consts::PI * i as f64 / 24.0).sin())
///     .collect();
/// let p = detect_periods(&y, 3).unwrap();
/// assert_eq!(p[0].period, 24.0);
/// assert!(p[0].share > 0.99);
/// ```
pub fn detect_periods(values: &[f64], max_periods: usize) -> Result<Vec<DetectedPeriod>> {
    let n = values.len();
    if n < 8 {
        return Err(Error::invalid(
            "time series",
            format!("has {n} points; period detection needs at least 8"),
        ));
    }
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid(
            "time series",
            format!("value {} at position {i} is not a finite number", values[i]),
        ));
    }
    let pg = periodogram(values);
    let total: f64 = pg.iter().map(|(_, p)| p).sum();
    // A constant (or straight-line) series leaves only rounding noise.
    let energy: f64 = values.iter().map(|v| v * v).sum::<f64>() / n as f64;
    if total <= energy * 1e-18 || !total.is_finite() {
        return Ok(Vec::new());
    }
    let power = |k: usize| pg.get(k.wrapping_sub(1)).map_or(0.0, |(_, p)| *p);
    let mut peaks: Vec<(usize, f64)> = pg
        .iter()
        .filter(|(k, p)| *k >= 2 && *p > power(k - 1) && *p >= power(k + 1) && *p > 0.0)
        .copied()
        .collect();
    peaks.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(peaks
        .into_iter()
        .take(max_periods)
        .map(|(k, p)| DetectedPeriod {
            period: n as f64 / k as f64,
            frequency: k as f64 / n as f64,
            power: p,
            share: p / total,
        })
        .collect())
}

/// The dominant period rounded to whole samples, for STL's `period`: an
/// error when the series has no cycle (e.g. it is constant).
pub fn dominant_period(values: &[f64]) -> Result<usize> {
    let top = detect_periods(values, 1)?;
    match top.first() {
        Some(p) if p.period.round() >= 2.0 => Ok(p.period.round() as usize),
        _ => Err(Error::invalid(
            "time series",
            "has no dominant cycle (constant or without a repeating pattern): set the period explicitly",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_daily_and_weekly_cycles() {
        let y: Vec<f64> = (0..24 * 28)
            .map(|i| {
                let t = i as f64;
                100.0
                    + 40.0 * (2.0 * std::f64::consts::PI * t / 24.0).sin()
                    + 20.0 * (2.0 * std::f64::consts::PI * t / 168.0).cos()
                    + 0.5 * t
            })
            .collect();
        let p = detect_periods(&y, 2).unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].period, 24.0);
        assert_eq!(p[1].period, 168.0);
        assert_eq!(dominant_period(&y).unwrap(), 24);
    }

    #[test]
    fn constant_and_short_series() {
        assert!(detect_periods(&[5.0; 100], 3).unwrap().is_empty());
        assert!(
            dominant_period(&[5.0; 100])
                .unwrap_err()
                .to_string()
                .contains("no dominant cycle")
        );
        assert!(detect_periods(&[1.0; 3], 1).is_err());
        assert!(detect_periods(&[1.0, f64::NAN, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 1).is_err());
    }
}
