//! Building a DataFrame from JSON records whose keys and value types differ
//! from record to record (Security-Datasets captures, osquery results,
//! Velociraptor artifacts).
//!
//! Columns are the union of the records' keys, in order of first appearance.
//! A column's type is the narrowest that holds every value: `Boolean`,
//! `Int64`, `Float64` (integers and floats mixed) or `String`. Anything else
//! — strings mixed with numbers, arrays, nested objects when not flattened —
//! falls back to `String` (numbers as their JSON text, nested values as
//! compact JSON), so a column never fails to build and no value is lost.
//!
//! ```
//! use huntbook::data::drivers::records::{RecordFrameBuilder, RecordOptions};
//! let mut b = RecordFrameBuilder::new(RecordOptions::default());
//! b.push_json(r#"{"EventID": 1, "Image": "cmd.exe"}"#)?;
//! b.push_json(r#"{"EventID": "4688", "User": "bob"}"#)?;
//! let df = b.finish()?;
//! let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
//! assert_eq!(names, ["EventID", "Image", "User"]);
//! // integers mixed with strings fall back to strings
//! assert_eq!(df.column("EventID")?.str()?.get(0), Some("1"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{Error, PolarsContext, Result};
use polars::prelude::*;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Column names parsed as datetimes by default when every value parses:
/// the time columns of Windows event exports, Sysmon and Log Analytics.
pub const DEFAULT_TIME_COLUMNS: &[&str] = &[
    "@timestamp",
    "TimeCreated",
    "TimeGenerated",
    "EventTime",
    "Timestamp",
    "timestamp",
    "UtcTime",
];

/// Deepest nesting flattened into dotted column names; deeper values are
/// kept as JSON text.
pub const MAX_FLATTEN_DEPTH: usize = 8;

/// How records become columns.
#[derive(Debug, Clone)]
pub struct RecordOptions {
    flatten: bool,
    time_columns: Vec<String>,
    max_columns: usize,
}

impl Default for RecordOptions {
    fn default() -> Self {
        Self {
            flatten: false,
            time_columns: DEFAULT_TIME_COLUMNS.iter().map(|s| s.to_string()).collect(),
            max_columns: 10_000,
        }
    }
}

impl RecordOptions {
    /// Default options: nested values kept as JSON text, the
    /// [`DEFAULT_TIME_COLUMNS`] parsed as datetimes, at most 10 000 columns.
    pub fn new() -> Self {
        Self::default()
    }

    /// Flattens nested objects into `parent.child` columns (up to
    /// [`MAX_FLATTEN_DEPTH`] levels).
    pub fn flatten(mut self, yes: bool) -> Self {
        self.flatten = yes;
        self
    }

    /// The columns to parse as datetimes (ISO 8601 / RFC 3339 strings). A
    /// column is converted only when every non-null value parses; values
    /// with an offset become UTC, values without one stay naive.
    pub fn time_columns<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.time_columns = names.into_iter().map(Into::into).collect();
        self
    }

    /// The most distinct columns accepted before reading stops with an error
    /// (a bound against hostile input with a new key in every record).
    pub fn max_columns(mut self, n: usize) -> Self {
        self.max_columns = n.max(1);
        self
    }
}

#[derive(Debug, Clone)]
enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string, or a value that forces the column to strings (JSON text).
    Str(String),
}

const K_BOOL: u8 = 1;
const K_INT: u8 = 2;
const K_FLOAT: u8 = 4;
const K_STR: u8 = 8;
/// Nested JSON, huge integers: the column must be strings.
const K_TEXT: u8 = 16;

#[derive(Debug)]
struct ColumnBuf {
    name: String,
    rows: Vec<u32>,
    values: Vec<Scalar>,
    kinds: u8,
}

/// Accumulates JSON records and builds one DataFrame from them.
#[derive(Debug)]
pub struct RecordFrameBuilder {
    options: RecordOptions,
    rows: usize,
    columns: Vec<ColumnBuf>,
    index: HashMap<String, usize>,
}

impl RecordFrameBuilder {
    /// An empty builder.
    pub fn new(options: RecordOptions) -> Self {
        Self {
            options,
            rows: 0,
            columns: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Records pushed so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Parses one JSON object and adds it as a row.
    pub fn push_json(&mut self, text: &str) -> Result<()> {
        let map: Map<String, Value> = serde_json::from_str(text).map_err(|source| Error::Json {
            context: format!("record {}", self.rows + 1),
            source,
        })?;
        self.push_record(map)
    }

    /// Adds one record as a row.
    pub fn push_record(&mut self, record: Map<String, Value>) -> Result<()> {
        if self.rows >= u32::MAX as usize {
            return Err(Error::invalid(
                "JSON records",
                "more than 4 294 967 295 records in one frame",
            ));
        }
        let row = self.rows as u32;
        for (key, value) in record {
            self.push_value(row, key, value, 0)?;
        }
        self.rows += 1;
        Ok(())
    }

    fn push_value(&mut self, row: u32, key: String, value: Value, depth: usize) -> Result<()> {
        let (scalar, kind) = match value {
            Value::Null => return Ok(()),
            Value::Bool(b) => (Scalar::Bool(b), K_BOOL),
            Value::Number(n) => match n.as_i64() {
                Some(i) => (Scalar::Int(i), K_INT),
                None if n.is_u64() => (Scalar::Str(n.to_string()), K_TEXT),
                None => match n.as_f64() {
                    Some(f) => (Scalar::Float(f), K_FLOAT),
                    None => (Scalar::Str(n.to_string()), K_TEXT),
                },
            },
            Value::String(s) => (Scalar::Str(s), K_STR),
            Value::Object(map) if self.options.flatten && depth < MAX_FLATTEN_DEPTH => {
                for (child, v) in map {
                    self.push_value(row, format!("{key}.{child}"), v, depth + 1)?;
                }
                return Ok(());
            }
            other => (Scalar::Str(other.to_string()), K_TEXT),
        };
        let idx = match self.index.get(&key) {
            Some(&i) => i,
            None => {
                if self.columns.len() >= self.options.max_columns {
                    return Err(Error::invalid(
                        "JSON records",
                        format!(
                            "more than {} distinct columns (at key '{key}'); raise max_columns if this is expected",
                            self.options.max_columns
                        ),
                    ));
                }
                self.columns.push(ColumnBuf {
                    name: key.clone(),
                    rows: Vec::new(),
                    values: Vec::new(),
                    kinds: 0,
                });
                self.index.insert(key, self.columns.len() - 1);
                self.columns.len() - 1
            }
        };
        let Some(col) = self.columns.get_mut(idx) else {
            return Ok(());
        };
        // The same key twice in one record (a literal "a.b" and a flattened
        // a.b): the last value wins, as in a JSON object.
        if col.rows.last() == Some(&row) {
            col.rows.pop();
            col.values.pop();
        }
        col.rows.push(row);
        col.values.push(scalar);
        col.kinds |= kind;
        Ok(())
    }

    /// Builds the frame.
    pub fn finish(self) -> Result<DataFrame> {
        let height = self.rows;
        let mut out = Vec::with_capacity(self.columns.len());
        for col in self.columns {
            let parse_time = self.options.time_columns.contains(&col.name);
            out.push(build_column(col, height, parse_time)?);
        }
        DataFrame::new(height, out).ctx("building a frame from JSON records")
    }
}

fn scatter<T: Clone>(height: usize, rows: &[u32], vals: impl Iterator<Item = T>) -> Vec<Option<T>> {
    let mut dense: Vec<Option<T>> = vec![None; height];
    for (&r, v) in rows.iter().zip(vals) {
        if let Some(slot) = dense.get_mut(r as usize) {
            *slot = Some(v);
        }
    }
    dense
}

fn build_column(col: ColumnBuf, height: usize, parse_time: bool) -> Result<Column> {
    let name: PlSmallStr = col.name.as_str().into();
    let kinds = col.kinds;
    let column = if kinds == K_BOOL {
        let vals = col.values.iter().map(|v| matches!(v, Scalar::Bool(true)));
        Column::new(name, scatter(height, &col.rows, vals))
    } else if kinds == K_INT {
        let vals = col.values.iter().map(|v| match v {
            Scalar::Int(i) => *i,
            _ => 0,
        });
        Column::new(name, scatter(height, &col.rows, vals))
    } else if kinds & !(K_INT | K_FLOAT) == 0 && kinds != 0 {
        let vals = col.values.iter().map(|v| match v {
            Scalar::Int(i) => *i as f64,
            Scalar::Float(f) => *f,
            _ => f64::NAN,
        });
        Column::new(name, scatter(height, &col.rows, vals))
    } else {
        let all_str = kinds == K_STR;
        let texts: Vec<String> = col
            .values
            .into_iter()
            .map(|v| match v {
                Scalar::Bool(b) => b.to_string(),
                Scalar::Int(i) => i.to_string(),
                Scalar::Float(f) => serde_json::Number::from_f64(f)
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| f.to_string()),
                Scalar::Str(s) => s,
            })
            .collect();
        if parse_time
            && all_str
            && let Some(c) = parse_time_column(&name, height, &col.rows, &texts)
        {
            return Ok(c);
        }
        Column::new(name, scatter(height, &col.rows, texts.into_iter()))
    };
    Ok(column)
}

/// Parses an ISO 8601 timestamp: `Some((ns since epoch, had_offset))`.
pub(crate) fn parse_timestamp(s: &str) -> Option<(i64, bool)> {
    let s = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return dt.timestamp_nanos_opt().map(|n| (n, true));
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f%:z",
    ] {
        if fmt.ends_with("%:z") {
            if let Ok(dt) = chrono::DateTime::parse_from_str(s, fmt) {
                return dt.timestamp_nanos_opt().map(|n| (n, true));
            }
        } else if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(s, fmt) {
            return dt.and_utc().timestamp_nanos_opt().map(|n| (n, false));
        }
    }
    None
}

fn parse_time_column(
    name: &PlSmallStr,
    height: usize,
    rows: &[u32],
    texts: &[String],
) -> Option<Column> {
    let mut ns = Vec::with_capacity(texts.len());
    let mut with_offset = None;
    for t in texts {
        let (n, off) = parse_timestamp(t)?;
        match with_offset {
            None => with_offset = Some(off),
            Some(prev) if prev != off => return None,
            _ => {}
        }
        ns.push(n);
    }
    let tz = if with_offset.unwrap_or(true) {
        Some(TimeZone::UTC)
    } else {
        None
    };
    let dense = scatter(height, rows, ns.into_iter());
    Series::new(name.clone(), dense)
        .cast(&DataType::Datetime(TimeUnit::Nanoseconds, tz))
        .ok()
        .map(Column::from)
}

/// Reads JSON lines from `reader`, calling `each` with the 1-based line
/// number and the record; blank lines are skipped, a line longer than
/// `max_line_bytes` or that is not a JSON object is an error naming `label`
/// and the line. Returns the bytes read.
pub fn for_each_json_line<R: std::io::BufRead>(
    mut reader: R,
    label: &str,
    max_line_bytes: u64,
    mut each: impl FnMut(u64, Map<String, Value>) -> Result<()>,
) -> Result<u64> {
    use std::io::{BufRead, Read};
    let mut buf = Vec::new();
    let mut bytes = 0u64;
    let mut line_no = 0u64;
    loop {
        buf.clear();
        let n = (&mut reader)
            .take(max_line_bytes.saturating_add(1))
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::invalid(label.to_string(), format!("reading: {e}")))?;
        if n == 0 {
            return Ok(bytes);
        }
        bytes += n as u64;
        line_no += 1;
        if n as u64 > max_line_bytes && buf.last() != Some(&b'\n') {
            return Err(Error::invalid(
                format!("{label} line {line_no}"),
                format!("longer than the limit of {max_line_bytes} bytes"),
            ));
        }
        let mut line: &[u8] = &buf;
        if line_no == 1 && line.starts_with(b"\xEF\xBB\xBF") {
            line = &line[3..];
        }
        let text = std::str::from_utf8(line)
            .map_err(|e| {
                Error::invalid(format!("{label} line {line_no}"), format!("not UTF-8: {e}"))
            })?
            .trim();
        if text.is_empty() {
            continue;
        }
        let record: Map<String, Value> =
            serde_json::from_str(text).map_err(|source| Error::Json {
                context: format!("{label} line {line_no}: expected one JSON object per line"),
                source,
            })?;
        each(line_no, record)?;
    }
}

/// Converts columns of epoch seconds (integers, floats or numeric strings)
/// to UTC datetimes, when every non-null value converts.
pub fn epoch_seconds_to_datetime(df: &mut DataFrame, names: &[&str]) -> Result<()> {
    for name in names {
        let Ok(c) = df.column(name) else { continue };
        let as_f = match c.cast(&DataType::Float64) {
            Ok(f) => f,
            Err(_) => continue,
        };
        // a string that is not a number becomes null: then keep the column
        if as_f.null_count() != c.null_count() {
            continue;
        }
        let Ok(fl) = as_f.f64() else { continue };
        let ns: Vec<Option<i64>> = fl
            .iter()
            .map(|v| v.map(|s| (s * 1e9).round() as i64))
            .collect();
        let dt = Series::new((*name).into(), ns)
            .cast(&DataType::Datetime(
                TimeUnit::Nanoseconds,
                Some(TimeZone::UTC),
            ))
            .ctx(format!("converting column '{name}' from epoch seconds"))?;
        df.replace(name, dt.into_column())
            .ctx(format!("converting column '{name}'"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(df: &DataFrame) -> Vec<&str> {
        df.get_column_names().iter().map(|s| s.as_str()).collect()
    }

    fn build(lines: &[&str], opts: RecordOptions) -> DataFrame {
        let mut b = RecordFrameBuilder::new(opts);
        for l in lines {
            b.push_json(l).unwrap();
        }
        b.finish().unwrap()
    }

    #[test]
    fn union_of_keys_and_type_fallbacks() {
        let df = build(
            &[
                r#"{"a": 1, "b": true, "c": 1.5, "d": "x"}"#,
                r#"{"a": 2, "c": 2, "e": [1,2], "d": 7}"#,
                r#"{"b": false, "f": null}"#,
            ],
            RecordOptions::default(),
        );
        assert_eq!(df.shape(), (3, 5));
        assert_eq!(names(&df), ["a", "b", "c", "d", "e"]);
        assert_eq!(df.column("a").unwrap().dtype(), &DataType::Int64);
        assert_eq!(df.column("a").unwrap().i64().unwrap().get(2), None);
        assert_eq!(df.column("b").unwrap().dtype(), &DataType::Boolean);
        assert_eq!(df.column("c").unwrap().f64().unwrap().get(1), Some(2.0));
        let d = df.column("d").unwrap().str().unwrap();
        assert_eq!((d.get(0), d.get(1), d.get(2)), (Some("x"), Some("7"), None));
        assert_eq!(df.column("e").unwrap().str().unwrap().get(1), Some("[1,2]"));
    }

    #[test]
    fn flattening_and_duplicate_keys() {
        let df = build(
            &[r#"{"columns": {"pid": "4", "name": "System"}, "x": {"y": {"z": 1}}}"#],
            RecordOptions::default().flatten(true),
        );
        // keys keep their order in the record
        assert_eq!(names(&df), ["columns.pid", "columns.name", "x.y.z"]);
        let df = build(&[r#"{"columns": {"pid": "4"}}"#], RecordOptions::default());
        assert_eq!(
            df.column("columns").unwrap().str().unwrap().get(0),
            Some(r#"{"pid":"4"}"#)
        );
    }

    #[test]
    fn time_columns_parse_only_when_all_parse() {
        let df = build(
            &[
                r#"{"@timestamp": "2020-11-02T04:12:58.211Z", "UtcTime": "2020-11-02 04:12:58.211", "EventTime": "bad"}"#,
                r#"{"@timestamp": "2020-11-02T05:12:58+01:00"}"#,
            ],
            RecordOptions::default(),
        );
        let ts = df.column("@timestamp").unwrap();
        assert_eq!(
            ts.dtype(),
            &DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
        );
        assert_eq!(
            ts.datetime().unwrap().phys.get(1),
            Some(1_604_290_378_000_000_000)
        );
        assert_eq!(
            df.column("UtcTime").unwrap().dtype(),
            &DataType::Datetime(TimeUnit::Nanoseconds, None)
        );
        assert_eq!(df.column("EventTime").unwrap().dtype(), &DataType::String);
    }

    #[test]
    fn bad_json_names_the_record_and_columns_are_bounded() {
        let mut b = RecordFrameBuilder::new(RecordOptions::default());
        b.push_json("{}").unwrap();
        let err = b.push_json("[1]").unwrap_err().to_string();
        assert!(err.starts_with("record 2:"), "{err}");
        let mut b = RecordFrameBuilder::new(RecordOptions::default().max_columns(2));
        let err = b
            .push_json(r#"{"a":1,"b":2,"c":3}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than 2 distinct columns"), "{err}");
    }

    #[test]
    fn huge_unsigned_integers_are_kept_as_text() {
        let df = build(
            &[r#"{"n": 18446744073709551615}"#, r#"{"n": 1}"#],
            RecordOptions::default(),
        );
        let n = df.column("n").unwrap().str().unwrap();
        assert_eq!(n.get(0), Some("18446744073709551615"));
        assert_eq!(n.get(1), Some("1"));
    }
}
