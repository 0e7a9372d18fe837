//! Cutting a query's time range into chunks (`split_query_by`), with
//! MSTICPy's exact boundaries: each chunk ends 1 ns before the next starts,
//! and the last chunk ends at the requested end.

use crate::error::{Error, Result};
use chrono::{DateTime, Duration, Utc};

/// The chunk size used when `split_by` cannot be parsed (as MSTICPy).
pub const DEFAULT_SPLIT: Duration = Duration::days(1);

/// Parses a pandas-style interval: `1h`, `30min`, `15m`, `2d`, `1w`, `90s`,
/// `500ms`, `1.5h`, `2 days`, `1 hour`. `None` when it does not parse or is
/// not positive.
pub fn parse_interval(text: &str) -> Option<Duration> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = if num.is_empty() {
        1.0
    } else {
        num.parse().ok()?
    };
    let unit = unit.trim();
    let ns_per: f64 = match unit {
        "w" | "W" | "week" | "weeks" => 7.0 * 86_400e9,
        "d" | "D" | "day" | "days" => 86_400e9,
        "h" | "H" | "hr" | "hour" | "hours" => 3_600e9,
        "m" | "min" | "T" | "minute" | "minutes" => 60e9,
        "s" | "S" | "sec" | "second" | "seconds" => 1e9,
        "ms" | "L" | "millisecond" | "milliseconds" => 1e6,
        "us" | "U" | "microsecond" | "microseconds" => 1e3,
        "ns" | "N" | "nanosecond" | "nanoseconds" => 1.0,
        _ => return None,
    };
    let ns = n * ns_per;
    if !(ns.is_finite() && (1.0..9.0e18).contains(&ns)) {
        return None;
    }
    Some(Duration::nanoseconds(ns as i64))
}

/// The chunks a split query runs.
#[derive(Debug, Clone, PartialEq)]
pub struct SplitPlan {
    /// The chunk size used.
    pub interval: Duration,
    /// Whether `split_by` was invalid and [`DEFAULT_SPLIT`] was used.
    pub fell_back: bool,
    /// `(start, end)` of each chunk, in order.
    pub ranges: Vec<(DateTime<Utc>, DateTime<Utc>)>,
}

/// Splits `[start, end]` by `split_by` as MSTICPy's `_calc_split_ranges`:
/// chunk starts are `start + k·interval`; each chunk ends 1 ns before the
/// next begins; when the last computed end is within 0.1% of an interval
/// of `end` it is moved to `end`, otherwise a final chunk up to `end` is
/// added. An invalid `split_by` means one day. A range shorter than one
/// interval is one chunk (MSTICPy fails with an index error there).
pub fn split_ranges(start: DateTime<Utc>, end: DateTime<Utc>, split_by: &str) -> Result<SplitPlan> {
    if end < start {
        return Err(Error::invalid(
            "query time range",
            format!("end {end} is before start {start}"),
        ));
    }
    let (interval, fell_back) = match parse_interval(split_by) {
        Some(d) => (d, false),
        None => (DEFAULT_SPLIT, true),
    };
    let one_ns = Duration::nanoseconds(1);
    let mut starts = Vec::new();
    let mut t = start;
    while t <= end {
        starts.push(t);
        if starts.len() > 100_000 {
            return Err(Error::invalid(
                format!("split_query_by '{split_by}'"),
                "splits the time range into more than 100000 chunks",
            ));
        }
        t = match t.checked_add_signed(interval) {
            Some(n) => n,
            None => break,
        };
    }
    let mut ranges: Vec<(DateTime<Utc>, DateTime<Utc>)> =
        starts.windows(2).map(|w| (w[0], w[1] - one_ns)).collect();
    match ranges.last_mut() {
        None => ranges.push((start, end)),
        Some(last) => {
            let tolerance = interval / 1000;
            if end - last.1 < tolerance {
                last.1 = end;
            } else {
                let next = last.1 + one_ns;
                ranges.push((next, end));
            }
        }
    }
    Ok(SplitPlan {
        interval,
        fell_back,
        ranges,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: i64, m: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap()
            + Duration::hours(h)
            + Duration::minutes(m)
    }

    #[test]
    fn intervals() {
        assert_eq!(parse_interval("1h"), Some(Duration::hours(1)));
        assert_eq!(parse_interval("1H"), Some(Duration::hours(1)));
        assert_eq!(parse_interval("30min"), Some(Duration::minutes(30)));
        assert_eq!(parse_interval("15m"), Some(Duration::minutes(15)));
        assert_eq!(parse_interval("1.5h"), Some(Duration::minutes(90)));
        assert_eq!(parse_interval("2 days"), Some(Duration::days(2)));
        assert_eq!(parse_interval("1w"), Some(Duration::weeks(1)));
        for bad in ["", "1M", "fast", "0h", "-1h", "1 fortnight"] {
            assert_eq!(parse_interval(bad), None, "{bad}");
        }
    }

    #[test]
    fn exact_multiple_ends_at_end_with_1ns_gaps() {
        let plan = split_ranges(t(0, 0), t(3, 0), "1h").unwrap();
        let ns = Duration::nanoseconds(1);
        assert_eq!(
            plan.ranges,
            vec![
                (t(0, 0), t(1, 0) - ns),
                (t(1, 0), t(2, 0) - ns),
                (t(2, 0), t(3, 0))
            ]
        );
        assert!(!plan.fell_back);
    }

    #[test]
    fn remainder_gets_its_own_chunk() {
        let ns = Duration::nanoseconds(1);
        let plan = split_ranges(t(0, 0), t(2, 30), "1h").unwrap();
        assert_eq!(
            plan.ranges,
            vec![
                (t(0, 0), t(1, 0) - ns),
                (t(1, 0), t(2, 0) - ns),
                (t(2, 0), t(2, 30))
            ]
        );
        // within 0.1% of an interval (3.6 s of 1 h): the last chunk stretches
        let end = t(2, 0) + Duration::seconds(3);
        let plan = split_ranges(t(0, 0), end, "1h").unwrap();
        assert_eq!(plan.ranges, vec![(t(0, 0), t(1, 0) - ns), (t(1, 0), end)]);
    }

    #[test]
    fn invalid_split_is_one_day_and_short_range_is_one_chunk() {
        let plan = split_ranges(t(0, 0), t(72, 0), "soon").unwrap();
        assert!(plan.fell_back);
        assert_eq!(plan.interval, Duration::days(1));
        assert_eq!(plan.ranges.len(), 3);
        let plan = split_ranges(t(0, 0), t(0, 30), "1h").unwrap();
        assert_eq!(plan.ranges, vec![(t(0, 0), t(0, 30))]);
        assert!(split_ranges(t(1, 0), t(0, 0), "1h").is_err());
    }
}
