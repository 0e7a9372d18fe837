//! Typed columns for Kusto-language results (Log Analytics, Azure Data
//! Explorer, Defender hunting): the column types of KQL and their polars
//! dtypes, and a [`TableBuilder`] that takes cells as they are parsed so a
//! result is never held twice (as JSON and as columns).
//!
//! | KQL type | polars dtype | notes |
//! |---|---|---|
//! | `datetime` | `Datetime(ns, UTC)` | 100 ns ticks kept; outside 1677–2262 → null with a warning (pandas' range too) |
//! | `timespan` | `Duration(ns)` | `[-][d.]hh:mm:ss[.fffffff]` |
//! | `bool` | `Boolean` | also `0`/`1` and `"True"`/`"False"` |
//! | `int` | `Int32` | |
//! | `long` | `Int64` | |
//! | `real` | `Float64` | `"NaN"`, `"Infinity"`, `"-Infinity"` as Kusto writes them |
//! | `decimal` | `Float64` | polars' decimal type is not enabled in huntbook's build; 15–17 significant digits kept |
//! | `dynamic` | `String` | the JSON text (Log Analytics sends it as text already; Kusto as JSON, re-serialised compactly) |
//! | `guid`, `string` | `String` | |
//!
//! .NET names (`System.DateTime`, `System.Int64`…, as in Kusto v1 and
//! Defender schemas) and the capitalised names of Defender's `Schema`
//! (`DateTime`, `Int64`, `Boolean`…) map to the same types; an unknown type
//! becomes `String` with a warning. A column whose values are all null
//! keeps its declared dtype. A value that does not fit its type becomes
//! null and the column gets a warning with the count and the first bad value.
//!
//! ```
//! use huntbook::data::drivers::kusto_types::{KustoType, TableBuilder};
//! use huntbook::polars::prelude::*;
//! use serde_json::json;
//! let mut t = TableBuilder::new([("When", "datetime"), ("N", "long"), ("Took", "timespan")]);
//! t.push_row(vec![json!("2023-02-20T11:04:02.6371632Z"), json!(7), json!("1.00:00:01.5")]);
//! t.push_row(vec![json!(null), json!(null), json!(null)]);
//! let (df, warnings) = t.finish()?;
//! assert!(warnings.is_empty());
//! assert_eq!(df.column("N")?.dtype(), &DataType::Int64);
//! assert_eq!(df.column("Took")?.duration()?.physical().get(0), Some(86_401_500_000_000));
//! assert_eq!(KustoType::parse("System.DateTime"), Some(KustoType::DateTime));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::error::{PolarsContext, Result};
use polars::prelude::*;
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

/// A KQL column type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KustoType {
    /// `datetime`.
    DateTime,
    /// `timespan`.
    Timespan,
    /// `bool`.
    Bool,
    /// `int` (32-bit).
    Int,
    /// `long` (64-bit).
    Long,
    /// `real` (64-bit float).
    Real,
    /// `decimal` (128-bit decimal, read as a float).
    Decimal,
    /// `guid`.
    Guid,
    /// `string`.
    String,
    /// `dynamic` (JSON).
    Dynamic,
}

impl KustoType {
    /// Parses a type name: KQL (`datetime`), .NET (`System.DateTime`) or
    /// Defender's schema names (`DateTime`, `Int64`), case-insensitively.
    pub fn parse(name: &str) -> Option<Self> {
        let n = name.trim().to_ascii_lowercase();
        let n = n.strip_prefix("system.").unwrap_or(&n);
        Some(match n {
            "datetime" | "date" | "datetimeoffset" => Self::DateTime,
            "timespan" | "time" => Self::Timespan,
            "bool" | "boolean" => Self::Bool,
            "int" | "int32" | "sbyte" | "int16" | "byte" => Self::Int,
            "long" | "int64" | "uint32" => Self::Long,
            "real" | "double" | "single" | "float" => Self::Real,
            "decimal" | "data.sqltypes.sqldecimal" | "sqldecimal" => Self::Decimal,
            "guid" | "uniqueid" | "uuid" => Self::Guid,
            "string" => Self::String,
            "dynamic" | "object" | "array" | "dictionary" => Self::Dynamic,
            _ => return None,
        })
    }

    /// The polars dtype of the column.
    pub fn dtype(&self) -> DataType {
        match self {
            Self::DateTime => DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC)),
            Self::Timespan => DataType::Duration(TimeUnit::Nanoseconds),
            Self::Bool => DataType::Boolean,
            Self::Int => DataType::Int32,
            Self::Long => DataType::Int64,
            Self::Real | Self::Decimal => DataType::Float64,
            Self::Guid | Self::String | Self::Dynamic => DataType::String,
        }
    }

    /// The KQL name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::DateTime => "datetime",
            Self::Timespan => "timespan",
            Self::Bool => "bool",
            Self::Int => "int",
            Self::Long => "long",
            Self::Real => "real",
            Self::Decimal => "decimal",
            Self::Guid => "guid",
            Self::String => "string",
            Self::Dynamic => "dynamic",
        }
    }
}

/// Parses a KQL timespan (`[-][d.]hh:mm:ss[.fffffff]`) to nanoseconds.
///
/// ```
/// use huntbook::data::drivers::kusto_types::parse_timespan;
/// assert_eq!(parse_timespan("00:00:01"), Some(1_000_000_000));
/// assert_eq!(parse_timespan("-2.03:04:05.1234567"), Some(-183_845_123_456_700));
/// assert_eq!(parse_timespan("soon"), None);
/// ```
pub fn parse_timespan(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let mut parts = t.split(':');
    let (h_part, m, s_part) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let (days, hours) = match h_part.split_once('.') {
        Some((d, h)) => (d.parse::<i64>().ok()?, h.parse::<i64>().ok()?),
        None => (0, h_part.parse::<i64>().ok()?),
    };
    let mins: i64 = m.parse().ok()?;
    let (secs, frac) = match s_part.split_once('.') {
        Some((s, f)) => (s.parse::<i64>().ok()?, f),
        None => (s_part.parse::<i64>().ok()?, ""),
    };
    if !frac.bytes().all(|b| b.is_ascii_digit()) || hours > 23 || mins > 59 || secs > 59 {
        return None;
    }
    let mut nanos: i64 = 0;
    for (i, b) in frac.bytes().take(9).enumerate() {
        nanos += i64::from(b - b'0') * 10i64.pow(8 - i as u32);
    }
    let total = days
        .checked_mul(86_400)?
        .checked_add(hours * 3600 + mins * 60 + secs)?
        .checked_mul(1_000_000_000)?
        .checked_add(nanos)?;
    Some(if neg { -total } else { total })
}

/// Parses a datetime as Kusto writes it (ISO 8601, `Z` or an offset, up to
/// 7 fractional digits; no offset means UTC) to nanoseconds since the epoch.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let t = text.trim();
    let dt = chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.with_timezone(&chrono::Utc))
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc())
        })
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f").map(|n| n.and_utc())
        })
        .ok()?;
    dt.timestamp_nanos_opt()
}

enum Data {
    Str(Vec<Option<String>>),
    Bool(Vec<Option<bool>>),
    I32(Vec<Option<i32>>),
    I64(Vec<Option<i64>>),
    F64(Vec<Option<f64>>),
}

/// Builds one typed column from JSON cells.
struct ColumnBuilder {
    name: String,
    ty: KustoType,
    data: Data,
    bad: usize,
    first_bad: Option<String>,
}

fn as_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.trim() {
            "NaN" | "nan" => Some(f64::NAN),
            "Infinity" | "inf" | "+Infinity" => Some(f64::INFINITY),
            "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
            other => other.parse().ok(),
        },
        _ => None,
    }
}

fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(i64::from(*b)),
        _ => None,
    }
}

impl ColumnBuilder {
    fn new(name: String, ty: KustoType, capacity: usize) -> Self {
        let data = match ty {
            KustoType::Bool => Data::Bool(Vec::with_capacity(capacity)),
            KustoType::Int => Data::I32(Vec::with_capacity(capacity)),
            KustoType::Long | KustoType::DateTime | KustoType::Timespan => {
                Data::I64(Vec::with_capacity(capacity))
            }
            KustoType::Real | KustoType::Decimal => Data::F64(Vec::with_capacity(capacity)),
            KustoType::Guid | KustoType::String | KustoType::Dynamic => {
                Data::Str(Vec::with_capacity(capacity))
            }
        };
        Self {
            name,
            ty,
            data,
            bad: 0,
            first_bad: None,
        }
    }

    fn push_null(&mut self) {
        match &mut self.data {
            Data::Str(v) => v.push(None),
            Data::Bool(v) => v.push(None),
            Data::I32(v) => v.push(None),
            Data::I64(v) => v.push(None),
            Data::F64(v) => v.push(None),
        }
    }

    fn push(&mut self, value: Value) {
        if value.is_null() {
            self.push_null();
            return;
        }
        if let Data::Str(v) = &mut self.data {
            // dynamic: Log Analytics sends JSON text (kept); Kusto sends
            // JSON (written back compactly). Other strings as they are.
            v.push(Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            }));
            return;
        }
        let ok = match (&mut self.data, self.ty) {
            (Data::Str(_), _) => true,
            (Data::Bool(v), _) => {
                let b = match &value {
                    Value::Bool(b) => Some(*b),
                    Value::Number(n) => n.as_i64().filter(|i| *i == 0 || *i == 1).map(|i| i == 1),
                    Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                        "true" | "1" => Some(true),
                        "false" | "0" => Some(false),
                        _ => None,
                    },
                    _ => None,
                };
                v.push(b);
                b.is_some()
            }
            (Data::I32(v), _) => {
                let i = as_i64(&value).and_then(|i| i32::try_from(i).ok());
                v.push(i);
                i.is_some()
            }
            (Data::I64(v), KustoType::DateTime) => {
                let t = match &value {
                    Value::String(s) => parse_datetime(s),
                    _ => None,
                };
                v.push(t);
                t.is_some()
            }
            (Data::I64(v), KustoType::Timespan) => {
                let t = match &value {
                    Value::String(s) => parse_timespan(s),
                    // a number is a count of 100 ns ticks
                    Value::Number(_) => as_i64(&value).and_then(|t| t.checked_mul(100)),
                    _ => None,
                };
                v.push(t);
                t.is_some()
            }
            (Data::I64(v), _) => {
                let i = as_i64(&value);
                v.push(i);
                i.is_some()
            }
            (Data::F64(v), _) => {
                let f = as_f64(&value);
                v.push(f);
                f.is_some()
            }
        };
        if !ok {
            self.bad += 1;
            if self.first_bad.is_none() {
                let mut s: String = match &value {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }
                .chars()
                .take(80)
                .collect();
                if s.is_empty() {
                    s = "(empty)".into();
                }
                self.first_bad = Some(s);
            }
        }
    }

    fn len(&self) -> usize {
        match &self.data {
            Data::Str(v) => v.len(),
            Data::Bool(v) => v.len(),
            Data::I32(v) => v.len(),
            Data::I64(v) => v.len(),
            Data::F64(v) => v.len(),
        }
    }

    fn finish(self, warnings: &mut Vec<String>) -> Result<Column> {
        if self.bad > 0 {
            warnings.push(format!(
                "column '{}' ({}): {} value{} not valid, left null (first: '{}')",
                self.name,
                self.ty.as_str(),
                self.bad,
                if self.bad == 1 { "" } else { "s" },
                self.first_bad.as_deref().unwrap_or("")
            ));
        }
        let name = PlSmallStr::from(self.name.as_str());
        let s = match self.data {
            Data::Str(v) => StringChunked::from_iter_options(name, v.into_iter()).into_series(),
            Data::Bool(v) => BooleanChunked::from_iter_options(name, v.into_iter()).into_series(),
            Data::I32(v) => Int32Chunked::from_iter_options(name, v.into_iter()).into_series(),
            Data::F64(v) => Float64Chunked::from_iter_options(name, v.into_iter()).into_series(),
            Data::I64(v) => {
                let ca = Int64Chunked::from_iter_options(name, v.into_iter());
                match self.ty {
                    KustoType::DateTime => ca
                        .into_datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
                        .into_series(),
                    KustoType::Timespan => ca.into_duration(TimeUnit::Nanoseconds).into_series(),
                    _ => ca.into_series(),
                }
            }
        };
        Ok(s.into_column())
    }
}

/// Builds a typed polars frame from a result's columns and cells, one cell
/// at a time (see the module docs for the types).
pub struct TableBuilder {
    columns: Vec<ColumnBuilder>,
    rows: usize,
    max_rows: Option<usize>,
    dropped_rows: usize,
    warnings: Vec<String>,
    row_errors: Vec<String>,
}

impl fmt::Debug for TableBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TableBuilder")
            .field(
                "columns",
                &self
                    .columns
                    .iter()
                    .map(|c| (c.name.as_str(), c.ty))
                    .collect::<Vec<_>>(),
            )
            .field("rows", &self.rows)
            .finish()
    }
}

impl TableBuilder {
    /// A builder for these (name, type name) columns. Duplicate names get a
    /// `_1`, `_2`… suffix and unknown types become strings, each with a
    /// warning.
    pub fn new<I, N, T>(columns: I) -> Self
    where
        I: IntoIterator<Item = (N, T)>,
        N: AsRef<str>,
        T: AsRef<str>,
    {
        let mut warnings = Vec::new();
        let mut built: Vec<ColumnBuilder> = Vec::new();
        for (name, ty) in columns {
            let (name, ty_name) = (name.as_ref(), ty.as_ref());
            let ty = KustoType::parse(ty_name).unwrap_or_else(|| {
                warnings.push(format!(
                    "column '{name}': unknown type '{ty_name}', read as string"
                ));
                KustoType::String
            });
            let mut unique = name.to_string();
            let mut n = 0;
            while built.iter().any(|c| c.name == unique) {
                n += 1;
                unique = format!("{name}_{n}");
            }
            if n > 0 {
                warnings.push(format!("column '{name}' repeated: renamed '{unique}'"));
            }
            built.push(ColumnBuilder::new(unique, ty, 0));
        }
        Self {
            columns: built,
            rows: 0,
            max_rows: None,
            dropped_rows: 0,
            warnings,
            row_errors: Vec::new(),
        }
    }

    /// Keeps at most `n` rows; later rows are counted, not kept.
    pub fn max_rows(mut self, n: Option<usize>) -> Self {
        self.max_rows = n;
        self
    }

    /// The columns (name, type).
    pub fn columns(&self) -> Vec<(String, KustoType)> {
        self.columns
            .iter()
            .map(|c| (c.name.clone(), c.ty))
            .collect()
    }

    /// Rows kept so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Rows past [`Self::max_rows`] that were not kept.
    pub fn dropped_rows(&self) -> usize {
        self.dropped_rows
    }

    /// Error records found among the rows (Kusto puts `OneApiErrors`
    /// objects in `Rows` when a shard fails part-way).
    pub fn row_errors(&self) -> &[String] {
        &self.row_errors
    }

    fn full(&self) -> bool {
        self.max_rows.is_some_and(|m| self.rows >= m)
    }

    /// Adds one row; missing cells are null, extra cells are dropped with
    /// a warning.
    pub fn push_row(&mut self, cells: Vec<Value>) {
        if self.full() {
            self.dropped_rows += 1;
            return;
        }
        let mut n = 0;
        for v in cells {
            self.push_cell(n, v);
            n += 1;
        }
        self.end_row(n);
    }

    fn push_cell(&mut self, index: usize, value: Value) {
        if let Some(c) = self.columns.get_mut(index) {
            c.push(value);
        }
    }

    fn end_row(&mut self, cells: usize) {
        let width = self.columns.len();
        if cells > width {
            self.warnings.push(format!(
                "row {}: {cells} cells for {width} columns, extra cells dropped",
                self.rows
            ));
        }
        for c in self.columns.iter_mut().skip(cells) {
            c.push_null();
        }
        self.rows += 1;
    }

    /// The frame and the warnings (bad values, unknown types, dropped rows).
    pub fn finish(self) -> Result<(DataFrame, Vec<String>)> {
        let mut warnings = self.warnings;
        // a short row warning per row would flood: keep the first 5
        if warnings.len() > 20 {
            let n = warnings.len() - 20;
            warnings.truncate(20);
            warnings.push(format!("… and {n} more warnings"));
        }
        let height = self.rows;
        let mut cols = Vec::with_capacity(self.columns.len());
        for c in self.columns {
            debug_assert_eq!(c.len(), height);
            cols.push(c.finish(&mut warnings)?);
        }
        let df = DataFrame::new(height, cols).ctx("building the result frame")?;
        Ok((df, warnings))
    }

    /// A seed that deserialises a JSON array of rows straight into this
    /// builder (no intermediate copy of the rows).
    pub fn rows_seed(&mut self) -> RowsSeed<'_> {
        RowsSeed(self)
    }
}

/// Deserialises `[[cell, …], …]` into a [`TableBuilder`] (see
/// [`TableBuilder::rows_seed`]).
pub struct RowsSeed<'a>(&'a mut TableBuilder);

impl<'de> DeserializeSeed<'de> for RowsSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(RowSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

struct RowSeed<'a>(&'a mut TableBuilder);

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row (an array of cells)")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let b = self.0;
        if b.full() {
            b.dropped_rows += 1;
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let mut n = 0;
        while let Some(v) = seq.next_element::<Value>()? {
            b.push_cell(n, v);
            n += 1;
        }
        b.end_row(n);
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        // An error record in the rows (Kusto: {"OneApiErrors": [...]}).
        let v: Value =
            serde::Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        self.0.row_errors.push(error_text(&v));
        Ok(())
    }
}

/// The message of a Kusto/Log Analytics error object (`OneApiErrors`
/// entries, `{"error": {"code", "message", "innererror"}}`), innermost
/// message included.
pub fn error_text(v: &Value) -> String {
    if let Some(list) = v.get("OneApiErrors").and_then(Value::as_array) {
        return list.iter().map(error_text).collect::<Vec<_>>().join("; ");
    }
    let e = v.get("error").unwrap_or(v);
    if let Some(s) = e.as_str() {
        return s.to_string();
    }
    let code = e.get("code").and_then(Value::as_str);
    let msg = e
        .get("@message")
        .or_else(|| e.get("message"))
        .and_then(Value::as_str);
    let mut out = match (code, msg) {
        (Some(c), Some(m)) => format!("{c}: {m}"),
        (None, Some(m)) => m.to_string(),
        (Some(c), None) => c.to_string(),
        (None, None) => e.to_string().chars().take(300).collect(),
    };
    let mut inner = e.get("innererror");
    let mut depth = 0;
    while let Some(i) = inner.filter(|_| depth < 8) {
        if let Some(m) = i.get("message").and_then(Value::as_str)
            && !out.contains(m)
        {
            out.push_str(": ");
            out.push_str(m);
        }
        inner = i.get("innererror");
        depth += 1;
    }
    if let Some(details) = e.get("details").and_then(Value::as_array) {
        for d in details.iter().take(5) {
            if let Some(m) = d.get("message").and_then(Value::as_str)
                && !out.contains(m)
            {
                out.push_str("; ");
                out.push_str(m);
            }
        }
    }
    out
}

/// The notebook view of a parsed answer: the error (partial result) and
/// warnings in orange, then each table's name and rows, all escaped.
pub(crate) fn answer_html(
    tables: &[(&str, &DataFrame)],
    error: Option<&str>,
    warnings: &[String],
) -> String {
    use crate::vis::html::HtmlBuilder;
    use crate::vis::table::{TableOptions, table_html};
    let mut b = HtmlBuilder::new();
    if let Some(e) = error {
        b.element(
            "p",
            &[("style", "color:#a40")],
            &format!("Partial result: {e}"),
        );
    }
    for w in warnings {
        b.element("p", &[("style", "color:#a40")], w);
    }
    let mut html = b.finish();
    for (name, df) in tables {
        let mut h = HtmlBuilder::new();
        h.element("h4", &[], name);
        html.push_str(&h.finish());
        html.push_str(&table_html(df, &TableOptions::default()));
    }
    html
}

/// The text view matching [`answer_html`].
pub(crate) fn answer_text(
    tables: &[(&str, &DataFrame)],
    error: Option<&str>,
    warnings: &[String],
) -> String {
    let mut t = String::new();
    if let Some(e) = error {
        t.push_str(&format!("Partial result: {e}\n"));
    }
    for w in warnings {
        t.push_str(w);
        t.push('\n');
    }
    for (name, df) in tables {
        t.push_str(&format!("{name}\n{}\n", crate::vis::table::table_text(df)));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_type_converts() {
        let mut t = TableBuilder::new([
            ("t", "datetime"),
            ("d", "dynamic"),
            ("b", "bool"),
            ("i", "int"),
            ("l", "long"),
            ("r", "real"),
            ("m", "decimal"),
            ("g", "guid"),
            ("s", "string"),
            ("span", "timespan"),
        ]);
        t.push_row(vec![
            json!("2023-02-20T11:04:02.6371632Z"),
            json!({"a": [1, 2]}),
            json!(true),
            json!(7),
            json!(77687093572141245i64),
            json!("NaN"),
            json!("12.5"),
            json!("0335fe6b-dfdb-4312-a816-ef99d2d7eaee"),
            json!("x"),
            json!("00:01:00"),
        ]);
        t.push_row(vec![json!(null); 10]);
        let (df, w) = t.finish().unwrap();
        assert!(w.is_empty(), "{w:?}");
        let ts = df.column("t").unwrap();
        assert_eq!(
            ts.dtype(),
            &DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
        );
        assert_eq!(
            ts.datetime().unwrap().physical().get(0),
            Some(1_676_891_042_637_163_200)
        );
        assert_eq!(
            df.column("d").unwrap().str().unwrap().get(0),
            Some(r#"{"a":[1,2]}"#)
        );
        assert_eq!(df.column("i").unwrap().dtype(), &DataType::Int32);
        assert_eq!(
            df.column("l").unwrap().i64().unwrap().get(0),
            Some(77687093572141245)
        );
        assert!(
            df.column("r")
                .unwrap()
                .f64()
                .unwrap()
                .get(0)
                .unwrap()
                .is_nan()
        );
        assert_eq!(df.column("m").unwrap().f64().unwrap().get(0), Some(12.5));
        assert_eq!(
            df.column("span")
                .unwrap()
                .duration()
                .unwrap()
                .physical()
                .get(0),
            Some(60_000_000_000)
        );
        assert_eq!(df.column("b").unwrap().null_count(), 1);
    }

    #[test]
    fn all_null_keeps_dtype_and_bad_values_warn() {
        let mut t = TableBuilder::new([("t", "datetime"), ("x", "mystery"), ("x", "int")]);
        t.push_row(vec![json!("not a date"), json!(1), json!(3_000_000_000i64)]);
        t.push_row(vec![json!(null)]);
        let (df, w) = t.finish().unwrap();
        assert_eq!(df.shape(), (2, 3));
        assert_eq!(
            df.column("t").unwrap().dtype(),
            &DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
        );
        assert_eq!(df.column("x").unwrap().str().unwrap().get(0), Some("1"));
        assert_eq!(df.column("x_1").unwrap().dtype(), &DataType::Int32);
        assert_eq!(
            w,
            [
                "column 'x': unknown type 'mystery', read as string",
                "column 'x' repeated: renamed 'x_1'",
                "column 't' (datetime): 1 value not valid, left null (first: 'not a date')",
                "column 'x_1' (int): 1 value not valid, left null (first: '3000000000')",
            ]
        );
    }

    #[test]
    fn seed_streams_rows_and_errors() {
        let mut t = TableBuilder::new([("a", "long")]).max_rows(Some(2));
        let body = r#"[[1],[2],[3],{"OneApiErrors":[{"error":{"code":"LimitsExceeded","message":"Request is invalid and cannot be executed.","@message":"Query result set has exceeded the internal record count limit"}}]}]"#;
        let mut de = serde_json::Deserializer::from_str(body);
        t.rows_seed().deserialize(&mut de).unwrap();
        assert_eq!(t.dropped_rows(), 1);
        assert_eq!(
            t.row_errors(),
            ["LimitsExceeded: Query result set has exceeded the internal record count limit"]
        );
        let (df, _) = t.finish().unwrap();
        assert_eq!(df.height(), 2);
    }
}
