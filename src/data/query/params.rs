//! Query parameters: types, values, and MSTICPy's rendering rules.
//!
//! A datetime parameter accepts what MSTICPy accepts:
//! - a datetime value;
//! - a number: an offset in days from now (`-1` is a day ago, `0.5` twelve hours ahead);
//! - an ISO 8601 string (`2024-03-01`, `2024-03-01 10:00:00`, `2024-03-01T10:00:00.5+02:00`);
//! - an offset `[+-]N(y|mon|w|d|h|m|s)`, optionally rounded with `@unit`:
//!   `-1w@d` is midnight (UTC) seven days ago; a positive offset rounds *up*
//!   (`1d@d` is midnight the day after tomorrow), as in MSTICPy.
//!
//! A list parameter accepts a list or a comma-separated string (`"a, b"` is
//! `['a', 'b']`); each driver quotes the items its own way ([`Dialect`]).
//!
//! Differences from MSTICPy (deliberate, tested):
//! - MSTICPy's offset regex reads `mon` as minutes (`-1mon` is one minute
//!   ago); here it is a calendar month.
//! - MSTICPy crashes on `@y` and `@mon` rounding and ignores `@w`; here they
//!   round to the start of the year, month and ISO week (Monday).
//! - MSTICPy turns an unparseable string into "now"; here it is an error.
//! - MSTICPy pastes list items into quotes unescaped; here quotes inside an
//!   item are escaped for the target language.
//! - Every datetime is rendered in UTC with a `Z` suffix (MSTICPy writes
//!   `+00:00`, or `+00:00Z` with its KQL formatter, for offsets without rounding).

use crate::error::{Error, Result};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use std::fmt;

/// The declared type of a parameter (`type:` in the YAML).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamType {
    /// `str`: pasted into the query as given.
    Str,
    /// `datetime`: see the module docs for accepted forms.
    Datetime,
    /// `int`.
    Int,
    /// `float`.
    Float,
    /// `list`: a list or comma-separated string.
    List,
}

impl ParamType {
    /// Parses the YAML `type:` value (`str`, `datetime`, `int`, `float`, `list`).
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "str" => Some(Self::Str),
            "datetime" => Some(Self::Datetime),
            "int" => Some(Self::Int),
            "float" => Some(Self::Float),
            "list" => Some(Self::List),
            _ => None,
        }
    }

    /// The YAML spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Str => "str",
            Self::Datetime => "datetime",
            Self::Int => "int",
            Self::Float => "float",
            Self::List => "list",
        }
    }
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parameter value given by the analyst or as a default.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    /// Text.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean (rendered `True`/`False`, as Python does).
    Bool(bool),
    /// A point in time.
    Datetime(DateTime<Utc>),
    /// A list of values.
    List(Vec<ParamValue>),
}

impl From<&str> for ParamValue {
    fn from(v: &str) -> Self {
        Self::Str(v.to_string())
    }
}
impl From<String> for ParamValue {
    fn from(v: String) -> Self {
        Self::Str(v)
    }
}
impl From<&String> for ParamValue {
    fn from(v: &String) -> Self {
        Self::Str(v.clone())
    }
}
impl From<i64> for ParamValue {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<i32> for ParamValue {
    fn from(v: i32) -> Self {
        Self::Int(v.into())
    }
}
impl From<u32> for ParamValue {
    fn from(v: u32) -> Self {
        Self::Int(v.into())
    }
}
impl From<f64> for ParamValue {
    fn from(v: f64) -> Self {
        Self::Float(v)
    }
}
impl From<bool> for ParamValue {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}
impl From<DateTime<Utc>> for ParamValue {
    fn from(v: DateTime<Utc>) -> Self {
        Self::Datetime(v)
    }
}
impl From<NaiveDateTime> for ParamValue {
    /// A naive datetime is taken as UTC.
    fn from(v: NaiveDateTime) -> Self {
        Self::Datetime(v.and_utc())
    }
}
impl<T: Into<ParamValue>> From<Vec<T>> for ParamValue {
    fn from(v: Vec<T>) -> Self {
        Self::List(v.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<ParamValue> + Clone> From<&[T]> for ParamValue {
    fn from(v: &[T]) -> Self {
        Self::List(v.iter().cloned().map(Into::into).collect())
    }
}
impl<T: Into<ParamValue>, const N: usize> From<[T; N]> for ParamValue {
    fn from(v: [T; N]) -> Self {
        Self::List(v.into_iter().map(Into::into).collect())
    }
}

impl fmt::Display for ParamValue {
    /// As Python's `str()` would show it (lists in the default dialect).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => f.write_str(s),
            Self::Int(i) => write!(f, "{i}"),
            Self::Float(x) => f.write_str(&python_float(*x)),
            Self::Bool(b) => f.write_str(if *b { "True" } else { "False" }),
            Self::Datetime(d) => f.write_str(&iso_utc(d, 'T')),
            Self::List(items) => f.write_str(&Dialect::Default.format_list(items)),
        }
    }
}

impl ParamValue {
    /// Converts a YAML scalar or sequence (a `default:` value).
    pub fn from_yaml(value: &serde_yaml::Value) -> Option<Self> {
        use serde_yaml::Value as Y;
        match value {
            Y::String(s) => Some(Self::Str(s.clone())),
            Y::Bool(b) => Some(Self::Bool(*b)),
            Y::Number(n) => n
                .as_i64()
                .map(Self::Int)
                .or_else(|| n.as_f64().map(Self::Float)),
            Y::Sequence(items) => items
                .iter()
                .map(Self::from_yaml)
                .collect::<Option<Vec<_>>>()
                .map(Self::List),
            Y::Tagged(t) => Self::from_yaml(&t.value),
            Y::Null | Y::Mapping(_) => None,
        }
    }

    /// Parses a command-line `k=v` value for a parameter of type `ptype`:
    /// lists split on commas, numbers parsed, datetimes kept as text (they
    /// are resolved at render time).
    pub fn from_cli(text: &str, ptype: ParamType) -> Result<Self> {
        let bad = |what: &str| {
            Error::invalid(
                format!("parameter value '{text}'"),
                format!("expected {what}"),
            )
        };
        Ok(match ptype {
            ParamType::Int => Self::Int(text.trim().parse().map_err(|_| bad("an integer"))?),
            ParamType::Float => Self::Float(text.trim().parse().map_err(|_| bad("a number"))?),
            // typed on a command line: integers in a list are numbers
            ParamType::List => Self::List(
                text.split(',')
                    .map(|i| i.trim())
                    .filter(|i| !i.is_empty())
                    .map(|i| {
                        i.parse::<i64>()
                            .map(Self::Int)
                            .unwrap_or_else(|_| Self::Str(i.to_string()))
                    })
                    .collect(),
            ),
            _ => Self::Str(text.to_string()),
        })
    }
}

/// Python's `repr` of a float, near enough: `1.0`, `0.5`, `1e+20`.
fn python_float(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x.fract() == 0.0 && x.abs() < 1e16 {
        return format!("{x:.1}");
    }
    if x.abs() >= 1e16 || (x != 0.0 && x.abs() < 1e-4) {
        let s = format!("{x:e}");
        // Rust writes 1e20 / 1.5e-7; Python writes 1e+20 / 1.5e-07.
        if let Some((mant, exp)) = s.split_once('e') {
            let (sign, digits) = match exp.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', exp),
            };
            return format!("{mant}e{sign}{digits:0>2}");
        }
        return s;
    }
    format!("{x}")
}

/// An ISO 8601 rendering in UTC: seconds, then `.ffffff` when there are
/// microseconds or `.fffffffff` when there are nanoseconds (as Python's and
/// pandas' `isoformat`), then `Z`. `sep` is `T` or a space.
pub fn iso_utc(d: &DateTime<Utc>, sep: char) -> String {
    format!("{}Z", iso_naive(d, sep))
}

fn iso_naive(d: &DateTime<Utc>, sep: char) -> String {
    let base = d.format(&format!("%Y-%m-%d{sep}%H:%M:%S")).to_string();
    let ns = d.nanosecond() % 1_000_000_000;
    if ns == 0 {
        base
    } else if ns.is_multiple_of(1000) {
        format!("{base}.{:06}", ns / 1000)
    } else {
        format!("{base}.{ns:09}")
    }
}

/// How a driver's language writes datetimes and lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// MSTICPy's default formatter: `2024-01-01T00:00:00Z`; `'a', 'b', 3`.
    Default,
    /// KQL (Log Analytics, Kusto, MDE): `2024-01-01T00:00:00Z`; `'a','b',3`.
    Kql,
    /// Splunk SPL: `"2024-01-01 00:00:00"`; `"a","b","3"`.
    Splunk,
    /// SQL (LocalData / polars SQL): `'2024-01-01 00:00:00'` as a
    /// timestamp literal; `'a', 'b', 3` with `''` escaping.
    Sql,
}

impl Dialect {
    /// Renders a datetime for a query in this language.
    pub fn format_datetime(self, d: &DateTime<Utc>) -> String {
        match self {
            Self::Default | Self::Kql => iso_utc(d, 'T'),
            Self::Splunk => format!("\"{}\"", iso_naive(d, ' ')),
            Self::Sql => iso_naive(d, ' '),
        }
    }

    /// Renders a list for a query in this language.
    pub fn format_list(self, items: &[ParamValue]) -> String {
        let quote = |s: &str| match self {
            Self::Default => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Self::Kql => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Self::Sql => format!("'{}'", s.replace('\'', "''")),
            Self::Splunk => format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")),
        };
        let parts: Vec<String> = items
            .iter()
            .map(|item| match (self, item) {
                (_, ParamValue::Str(s)) => quote(s),
                (_, ParamValue::Datetime(d)) => quote(&self.format_datetime(d).replace('"', "")),
                (Self::Splunk, other) => quote(&other.to_string()),
                (_, other) => other.to_string(),
            })
            .collect();
        let sep = match self {
            Self::Default | Self::Sql => ", ",
            Self::Kql | Self::Splunk => ",",
        };
        parts.join(sep)
    }
}

/// Splits a list parameter as MSTICPy does: a list stays a list, a string
/// with commas is split and trimmed, anything else is a one-item list.
pub fn parse_list(value: &ParamValue) -> Vec<ParamValue> {
    match value {
        ParamValue::List(items) => items.clone(),
        ParamValue::Str(s) if s.contains(',') => s
            .split(',')
            .map(|i| ParamValue::Str(i.trim().to_string()))
            .collect(),
        other => vec![other.clone()],
    }
}

/// Units of an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
}

fn parse_unit(u: &str) -> Option<Unit> {
    match u.to_ascii_lowercase().as_str() {
        "y" => Some(Unit::Year),
        "mon" => Some(Unit::Month),
        "w" => Some(Unit::Week),
        "" | "d" => Some(Unit::Day),
        "h" => Some(Unit::Hour),
        "m" => Some(Unit::Minute),
        "s" => Some(Unit::Second),
        _ => None,
    }
}

fn add_months(d: DateTime<Utc>, months: i64) -> Option<DateTime<Utc>> {
    let total = d.year() as i64 * 12 + d.month0() as i64 + months;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = total.rem_euclid(12) as u32 + 1;
    // clamp the day, as dateutil's relativedelta does (Jan 31 + 1 month = Feb 28/29)
    let mut day = d.day();
    loop {
        if let Some(date) = NaiveDate::from_ymd_opt(year, month, day) {
            return Some(date.and_time(d.time()).and_utc());
        }
        day = day.checked_sub(1)?;
        if day == 0 {
            return None;
        }
    }
}

fn shift(d: DateTime<Utc>, n: i64, unit: Unit) -> Option<DateTime<Utc>> {
    match unit {
        Unit::Year => add_months(d, n.checked_mul(12)?),
        Unit::Month => add_months(d, n),
        Unit::Week => d.checked_add_signed(Duration::try_weeks(n)?),
        Unit::Day => d.checked_add_signed(Duration::try_days(n)?),
        Unit::Hour => d.checked_add_signed(Duration::try_hours(n)?),
        Unit::Minute => d.checked_add_signed(Duration::try_minutes(n)?),
        Unit::Second => d.checked_add_signed(Duration::try_seconds(n)?),
    }
}

fn truncate(d: DateTime<Utc>, unit: Unit) -> Option<DateTime<Utc>> {
    let date = d.date_naive();
    let naive = match unit {
        Unit::Year => NaiveDate::from_ymd_opt(d.year(), 1, 1)?.and_hms_opt(0, 0, 0)?,
        Unit::Month => NaiveDate::from_ymd_opt(d.year(), d.month(), 1)?.and_hms_opt(0, 0, 0)?,
        Unit::Week => {
            let monday = date - Duration::days(d.weekday().num_days_from_monday().into());
            monday.and_hms_opt(0, 0, 0)?
        }
        Unit::Day => date.and_hms_opt(0, 0, 0)?,
        Unit::Hour => date.and_hms_opt(d.hour(), 0, 0)?,
        Unit::Minute => date.and_hms_opt(d.hour(), d.minute(), 0)?,
        Unit::Second => date.and_hms_opt(d.hour(), d.minute(), d.second())?,
    };
    Some(Utc.from_utc_datetime(&naive))
}

/// Resolves an offset expression (`-1d`, `+3h`, `2w@d`, `@h`, `-1`) against `now`.
pub fn resolve_offset(expr: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let bad = || {
        Error::invalid(
            format!("time offset '{expr}'"),
            "expected [+-]N followed by y, mon, w, d, h, m or s (default d), optionally @unit for rounding, e.g. -1w@d",
        )
    };
    let text = expr.trim();
    let (delta, rounding) = match text.split_once('@') {
        Some((d, r)) => (d.trim(), Some(r.trim())),
        None => (text, None),
    };
    let mut result = now;
    if !delta.is_empty() {
        let (sign, rest) = match delta.as_bytes().first() {
            Some(b'-') => (-1i64, &delta[1..]),
            Some(b'+') => (1, &delta[1..]),
            _ => (1, delta),
        };
        let rest = rest.trim_start();
        let digits_end = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits_end == 0 {
            return Err(bad());
        }
        let n: i64 = rest[..digits_end].parse().map_err(|_| bad())?;
        let unit = parse_unit(rest[digits_end..].trim()).ok_or_else(bad)?;
        result = shift(now, sign * n, unit).ok_or_else(bad)?;
    }
    if let Some(r) = rounding {
        let unit = match parse_unit(r) {
            Some(u) if !r.is_empty() => u,
            _ => return Err(bad()),
        };
        let mut rounded = truncate(result, unit).ok_or_else(bad)?;
        // MSTICPy: round down when the expression starts with '-', else up
        // (adding one unit to the truncated value).
        if !text.starts_with('-') {
            rounded = shift(rounded, 1, unit).ok_or_else(bad)?;
        }
        result = rounded;
    }
    Ok(result)
}

/// Parses an ISO 8601 / RFC 3339 date or datetime string (naive values are UTC).
pub fn parse_datetime_text(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%#z",
        "%Y-%m-%d %H:%M:%S%.f%#z",
        "%Y-%m-%dT%H:%M%#z",
        "%Y-%m-%d %H:%M%#z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(t, fmt) {
            return Some(d.with_timezone(&Utc));
        }
    }
    let t = t.strip_suffix('Z').unwrap_or(t);
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S%.f",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, fmt) {
            return Some(d.and_utc());
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, fmt) {
            return d.and_hms_opt(0, 0, 0).map(|n| n.and_utc());
        }
    }
    None
}

/// Converts a datetime parameter value as MSTICPy's `_convert_datetime` does
/// (see the module docs), relative to `now`.
pub fn resolve_datetime(value: &ParamValue, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    let days = |x: f64| -> Result<DateTime<Utc>> {
        let ns = x * 86_400e9;
        if !ns.is_finite() || ns.abs() > 9.0e18 {
            return Err(Error::invalid(
                format!("time offset {x} days"),
                "out of range",
            ));
        }
        Ok(now + Duration::nanoseconds(ns as i64))
    };
    match value {
        ParamValue::Datetime(d) => Ok(*d),
        ParamValue::Int(n) => shift(now, *n, Unit::Day)
            .ok_or_else(|| Error::invalid(format!("time offset {n} days"), "out of range")),
        ParamValue::Float(x) => days(*x),
        ParamValue::Str(s) => {
            let t = s.trim();
            if t.parse::<i64>().is_ok() {
                return resolve_offset(t, now);
            }
            if let Ok(x) = t.parse::<f64>() {
                return days(x);
            }
            if let Some(d) = parse_datetime_text(t) {
                return Ok(d);
            }
            resolve_offset(t, now).map_err(|_| {
                Error::invalid(
                    format!("datetime value '{s}'"),
                    "expected an ISO date/datetime (2024-03-01T10:00:00Z), a number of days from now (-1), or an offset like -1d, +3h, -1w@d",
                )
            })
        }
        other => Err(Error::invalid(
            format!("datetime value '{other}'"),
            "expected a datetime, a number of days, an ISO string or an offset like -1d",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        // a Wednesday, with microseconds
        Utc.with_ymd_and_hms(2024, 3, 13, 15, 42, 17).unwrap() + Duration::microseconds(123_456)
    }

    fn off(e: &str) -> String {
        iso_utc(&resolve_offset(e, now()).unwrap(), 'T')
    }

    #[test]
    fn offsets_and_rounding_table() {
        let table = [
            ("-1d", "2024-03-12T15:42:17.123456Z"),
            ("1d", "2024-03-14T15:42:17.123456Z"),
            ("+2h", "2024-03-13T17:42:17.123456Z"),
            ("-30m", "2024-03-13T15:12:17.123456Z"),
            ("-10s", "2024-03-13T15:42:07.123456Z"),
            ("-1w", "2024-03-06T15:42:17.123456Z"),
            ("-1", "2024-03-12T15:42:17.123456Z"),
            ("-1y", "2023-03-13T15:42:17.123456Z"),
            ("-1mon", "2024-02-13T15:42:17.123456Z"),
            ("-1w@d", "2024-03-06T00:00:00Z"),
            ("1w@d", "2024-03-21T00:00:00Z"),
            ("-1d@h", "2024-03-12T15:00:00Z"),
            ("+1d@h", "2024-03-14T16:00:00Z"),
            ("-2h@m", "2024-03-13T13:42:00Z"),
            ("-0d@s", "2024-03-13T15:42:17Z"),
            ("@d", "2024-03-14T00:00:00Z"),
            ("-3D@D", "2024-03-10T00:00:00Z"),
            ("-1d@mon", "2024-03-01T00:00:00Z"),
            ("-1d@y", "2024-01-01T00:00:00Z"),
            ("-1d@w", "2024-03-11T00:00:00Z"),
            ("1d@w", "2024-03-18T00:00:00Z"),
        ];
        for (expr, want) in table {
            assert_eq!(off(expr), want, "{expr}");
        }
    }

    #[test]
    fn months_clamp_like_relativedelta() {
        let jan31 = Utc.with_ymd_and_hms(2024, 1, 31, 0, 0, 0).unwrap();
        assert_eq!(
            resolve_offset("1mon", jan31).unwrap(),
            Utc.with_ymd_and_hms(2024, 2, 29, 0, 0, 0).unwrap()
        );
    }

    #[test]
    fn bad_offsets_are_errors() {
        for e in ["soon", "-1x", "1d@q", "--1d", "d"] {
            let err = resolve_offset(e, now()).unwrap_err().to_string();
            assert!(
                err.starts_with(&format!("invalid time offset '{e}'")),
                "{err}"
            );
        }
        let err = resolve_datetime(&"yesterday".into(), now())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("invalid datetime value 'yesterday'"),
            "{err}"
        );
    }

    #[test]
    fn datetime_values() {
        let n = now();
        assert_eq!(
            resolve_datetime(&ParamValue::Int(-1), n).unwrap(),
            n - Duration::days(1)
        );
        assert_eq!(resolve_datetime(&ParamValue::Int(0), n).unwrap(), n);
        assert_eq!(
            resolve_datetime(&ParamValue::Float(0.5), n).unwrap(),
            n + Duration::hours(12)
        );
        assert_eq!(
            resolve_datetime(&"-2".into(), n).unwrap(),
            n - Duration::days(2)
        );
        let want = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        for s in [
            "2024-01-02T03:04:05",
            "2024-01-02 03:04:05",
            "2024-01-02T03:04:05Z",
            "2024-01-02T05:04:05+02:00",
            "2024-01-02 03:04:05.000000",
        ] {
            assert_eq!(resolve_datetime(&s.into(), n).unwrap(), want, "{s}");
        }
        assert_eq!(
            resolve_datetime(&"2024-01-02".into(), n).unwrap(),
            Utc.with_ymd_and_hms(2024, 1, 2, 0, 0, 0).unwrap()
        );
    }

    #[test]
    fn iso_precision_follows_python_and_pandas() {
        let d = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(iso_utc(&d, 'T'), "2024-01-02T03:04:05Z");
        assert_eq!(
            iso_utc(&(d + Duration::microseconds(5)), 'T'),
            "2024-01-02T03:04:05.000005Z"
        );
        assert_eq!(
            iso_utc(&(d - Duration::nanoseconds(1)), 'T'),
            "2024-01-02T03:04:04.999999999Z"
        );
    }

    #[test]
    fn list_formats_per_dialect() {
        let items = parse_list(&"192.168.0.1, 192.168.0.2,10.0.0.1".into());
        assert_eq!(
            Dialect::Default.format_list(&items),
            "'192.168.0.1', '192.168.0.2', '10.0.0.1'"
        );
        assert_eq!(
            Dialect::Kql.format_list(&items),
            "'192.168.0.1','192.168.0.2','10.0.0.1'"
        );
        assert_eq!(
            Dialect::Splunk.format_list(&items),
            "\"192.168.0.1\",\"192.168.0.2\",\"10.0.0.1\""
        );
        let ints: ParamValue = vec![1i64, 2, 3, 4].into();
        assert_eq!(Dialect::Kql.format_list(&parse_list(&ints)), "1,2,3,4");
        assert_eq!(
            Dialect::Default.format_list(&parse_list(&ints)),
            "1, 2, 3, 4"
        );
        assert_eq!(
            Dialect::Splunk.format_list(&parse_list(&ints)),
            "\"1\",\"2\",\"3\",\"4\""
        );
        assert_eq!(
            parse_list(&"single".into()),
            vec![ParamValue::from("single")]
        );
        // quotes inside items are escaped (MSTICPy pastes them raw)
        let tricky = parse_list(&ParamValue::from(vec!["o'brien"]));
        assert_eq!(Dialect::Sql.format_list(&tricky), "'o''brien'");
        assert_eq!(Dialect::Kql.format_list(&tricky), "'o\\'brien'");
    }

    #[test]
    fn scalars_render_like_python() {
        assert_eq!(ParamValue::Float(1.0).to_string(), "1.0");
        assert_eq!(ParamValue::Float(0.25).to_string(), "0.25");
        assert_eq!(ParamValue::Float(1e20).to_string(), "1e+20");
        assert_eq!(ParamValue::Bool(true).to_string(), "True");
        assert_eq!(ParamValue::Int(-3).to_string(), "-3");
    }

    #[test]
    fn splunk_and_sql_datetimes() {
        let d = Utc.with_ymd_and_hms(2024, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(
            Dialect::Splunk.format_datetime(&d),
            "\"2024-01-02 03:04:05\""
        );
        assert_eq!(Dialect::Sql.format_datetime(&d), "2024-01-02 03:04:05");
    }
}
