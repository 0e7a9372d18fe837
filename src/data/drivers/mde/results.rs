//! Defender advanced-hunting answers into typed polars columns.
//!
//! MDE (`/api/advancedqueries/run`) and Microsoft 365 Defender
//! (`/api/advancedhunting/run`) answer
//! `{"Stats": {…}, "Schema": [{"Name", "Type"}], "Results": [{…}]}`;
//! Microsoft Graph `runHuntingQuery` answers
//! `{"schema": [{"name", "type"}], "results": [{…}]}`. Both are read with a
//! streaming visitor straight into column buffers (the answer is not first
//! parsed into a JSON tree), typed by the schema:
//!
//! | Schema type | column |
//! |---|---|
//! | `DateTime` | `Datetime(ns, UTC)` |
//! | `Int32`, `Int16`, `Byte` | `Int32` |
//! | `Int64`, `Long` | `Int64` |
//! | `Double`, `Single`, `Real`, `Decimal` | `Float64` (`"NaN"`, `"Infinity"` understood) |
//! | `Boolean`, `Bool`, `SByte` | `Boolean` (`true`/`false` or `1`/`0`) |
//! | `Dynamic`, `Object` | `String` holding compact JSON |
//! | `String`, `Guid`, `TimeSpan`, others | `String` |
//!
//! A value that does not fit its declared type turns that column into text
//! (every value kept as written) and adds a warning; nothing is dropped.
//!
//! ```
//! use huntbook::data::drivers::mde::HuntingResults;
//! let body = br#"{"Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"DeviceName","Type":"String"}],
//!   "Results":[{"Timestamp":"2024-01-02T03:04:05.1234567Z","DeviceName":"web01"}]}"#;
//! let r = HuntingResults::parse(body)?;
//! assert_eq!(r.df().shape(), (1, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::data::drivers::records::parse_timestamp;
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt;

/// The column kind a schema type maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Text.
    Text,
    /// Compact JSON text (`Dynamic`/`Object`).
    Json,
    /// `Int32`.
    Int32,
    /// `Int64`.
    Int64,
    /// `Float64`.
    Float,
    /// `Boolean`.
    Bool,
    /// UTC datetime.
    DateTime,
}

impl ColumnKind {
    /// The kind for a schema type name (case-insensitive; unknown → text).
    pub fn from_schema_type(t: &str) -> Self {
        match t.trim().to_ascii_lowercase().as_str() {
            "datetime" | "date" => Self::DateTime,
            "int32" | "int16" | "byte" | "int" => Self::Int32,
            "int64" | "long" => Self::Int64,
            "double" | "single" | "real" | "decimal" | "float" => Self::Float,
            "boolean" | "bool" | "sbyte" => Self::Bool,
            "dynamic" | "object" => Self::Json,
            _ => Self::Text,
        }
    }
}

#[derive(Debug)]
enum Buf {
    Text(Vec<Option<String>>),
    I32(Vec<Option<i32>>),
    I64(Vec<Option<i64>>),
    F64(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    Dt(Vec<Option<i64>>),
}

impl Buf {
    fn new(kind: ColumnKind) -> Self {
        match kind {
            ColumnKind::Text | ColumnKind::Json => Buf::Text(Vec::new()),
            ColumnKind::Int32 => Buf::I32(Vec::new()),
            ColumnKind::Int64 => Buf::I64(Vec::new()),
            ColumnKind::Float => Buf::F64(Vec::new()),
            ColumnKind::Bool => Buf::Bool(Vec::new()),
            ColumnKind::DateTime => Buf::Dt(Vec::new()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Buf::Text(v) => v.len(),
            Buf::I32(v) => v.len(),
            Buf::I64(v) => v.len(),
            Buf::F64(v) => v.len(),
            Buf::Bool(v) => v.len(),
            Buf::Dt(v) => v.len(),
        }
    }

    fn pad(&mut self, n: usize) {
        match self {
            Buf::Text(v) => v.resize(n, None),
            Buf::I32(v) => v.resize(n, None),
            Buf::I64(v) => v.resize(n, None),
            Buf::F64(v) => v.resize(n, None),
            Buf::Bool(v) => v.resize(n, None),
            Buf::Dt(v) => v.resize(n, None),
        }
    }

    /// Every value so far as text (the fallback when a value does not fit).
    fn into_text(self) -> Vec<Option<String>> {
        match self {
            Buf::Text(v) => v,
            Buf::I32(v) => v.into_iter().map(|x| x.map(|i| i.to_string())).collect(),
            Buf::I64(v) => v.into_iter().map(|x| x.map(|i| i.to_string())).collect(),
            Buf::F64(v) => v.into_iter().map(|x| x.map(|f| f.to_string())).collect(),
            Buf::Bool(v) => v.into_iter().map(|x| x.map(|b| b.to_string())).collect(),
            Buf::Dt(v) => v
                .into_iter()
                .map(|x| {
                    x.map(|ns| {
                        chrono::DateTime::from_timestamp_nanos(ns)
                            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
                    })
                })
                .collect(),
        }
    }
}

fn text_of(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[derive(Debug)]
struct Col {
    name: String,
    declared: String,
    kind: ColumnKind,
    buf: Buf,
    fell_back: Option<String>,
}

impl Col {
    fn new(name: &str, declared: &str) -> Self {
        let kind = ColumnKind::from_schema_type(declared);
        Self {
            name: name.to_string(),
            declared: declared.to_string(),
            kind,
            buf: Buf::new(kind),
            fell_back: None,
        }
    }

    fn push(&mut self, v: Value) {
        if v.is_null() {
            self.buf.pad(self.buf.len() + 1);
            return;
        }
        if let Buf::Text(b) = &mut self.buf {
            // text and JSON columns: a string as is, anything else as compact JSON
            b.push(Some(text_of(v)));
            return;
        }
        let ok = match (&mut self.buf, &v) {
            (Buf::I32(b), Value::Number(n)) => match n.as_i64().and_then(|i| i32::try_from(i).ok())
            {
                Some(i) => {
                    b.push(Some(i));
                    true
                }
                None => false,
            },
            (Buf::I32(b), Value::String(s)) => match s.trim().parse::<i32>() {
                Ok(i) => {
                    b.push(Some(i));
                    true
                }
                Err(_) => false,
            },
            (Buf::I64(b), Value::Number(n)) => match n.as_i64() {
                Some(i) => {
                    b.push(Some(i));
                    true
                }
                None => false,
            },
            (Buf::I64(b), Value::String(s)) => match s.trim().parse::<i64>() {
                Ok(i) => {
                    b.push(Some(i));
                    true
                }
                Err(_) => false,
            },
            (Buf::F64(b), Value::Number(n)) => match n.as_f64() {
                Some(f) => {
                    b.push(Some(f));
                    true
                }
                None => false,
            },
            (Buf::F64(b), Value::String(s)) => match s.trim() {
                "NaN" => {
                    b.push(Some(f64::NAN));
                    true
                }
                "Infinity" | "+Infinity" => {
                    b.push(Some(f64::INFINITY));
                    true
                }
                "-Infinity" => {
                    b.push(Some(f64::NEG_INFINITY));
                    true
                }
                t => match t.parse::<f64>() {
                    Ok(f) => {
                        b.push(Some(f));
                        true
                    }
                    Err(_) => false,
                },
            },
            (Buf::Bool(b), Value::Bool(x)) => {
                b.push(Some(*x));
                true
            }
            (Buf::Bool(b), Value::Number(n)) => match n.as_i64() {
                Some(0) => {
                    b.push(Some(false));
                    true
                }
                Some(1) => {
                    b.push(Some(true));
                    true
                }
                _ => false,
            },
            (Buf::Bool(b), Value::String(s)) => match s.to_ascii_lowercase().as_str() {
                "true" => {
                    b.push(Some(true));
                    true
                }
                "false" => {
                    b.push(Some(false));
                    true
                }
                _ => false,
            },
            (Buf::Dt(b), Value::String(s)) => match parse_timestamp(s) {
                Some((ns, _)) => {
                    b.push(Some(ns));
                    true
                }
                None if s.is_empty() => {
                    b.push(None);
                    true
                }
                None => false,
            },
            _ => false,
        };
        if !ok {
            let old = std::mem::replace(&mut self.buf, Buf::Text(Vec::new()));
            let mut texts = old.into_text();
            let shown = text_of(v);
            self.fell_back = Some(shown.chars().take(60).collect());
            texts.push(Some(shown));
            self.buf = Buf::Text(texts);
            self.kind = ColumnKind::Text;
        }
    }

    fn into_column(mut self, height: usize) -> Result<Column> {
        self.buf.pad(height);
        let name: PlSmallStr = self.name.as_str().into();
        Ok(match self.buf {
            Buf::Text(v) => Column::new(name, v),
            Buf::I32(v) => Column::new(name, v),
            Buf::I64(v) => Column::new(name, v),
            Buf::F64(v) => Column::new(name, v),
            Buf::Bool(v) => Column::new(name, v),
            Buf::Dt(v) => Series::new(name, v)
                .cast(&DataType::Datetime(
                    TimeUnit::Nanoseconds,
                    Some(TimeZone::UTC),
                ))
                .ctx(format!("converting column '{}' to datetimes", self.name))?
                .into(),
        })
    }
}

/// Builds a frame from a hunting answer.
#[derive(Debug, Default)]
struct Builder {
    cols: Vec<Col>,
    index: HashMap<String, usize>,
    rows: usize,
    seen: usize,
    max_rows: Option<usize>,
    max_columns: usize,
    schema_seen: bool,
    /// Rows that came before the schema (kept whole, then typed).
    early: Vec<serde_json::Map<String, Value>>,
    undeclared: Vec<String>,
}

impl Builder {
    fn column(&mut self, name: &str, declared: &str) -> std::result::Result<usize, String> {
        if let Some(&i) = self.index.get(name) {
            return Ok(i);
        }
        if self.cols.len() >= self.max_columns {
            return Err(format!(
                "more than {} columns (column '{name}')",
                self.max_columns
            ));
        }
        let i = self.cols.len();
        self.cols.push(Col::new(name, declared));
        self.index.insert(name.to_string(), i);
        Ok(i)
    }

    fn set(&mut self, name: &str, v: Value) -> std::result::Result<(), String> {
        let i = match self.index.get(name) {
            Some(&i) => i,
            None => {
                self.undeclared.push(name.to_string());
                self.column(name, "String")?
            }
        };
        let row = self.rows;
        if let Some(c) = self.cols.get_mut(i) {
            if c.buf.len() > row {
                return Ok(()); // a repeated key: the first value wins
            }
            c.buf.pad(row);
            c.push(v);
        }
        Ok(())
    }

    fn keep(&self) -> bool {
        self.max_rows.is_none_or(|m| self.rows < m)
    }
}

/// How a hunting answer becomes a frame.
#[derive(Debug, Clone)]
pub struct HuntingOptions {
    max_rows: Option<usize>,
    max_columns: usize,
}

impl Default for HuntingOptions {
    fn default() -> Self {
        Self {
            max_rows: None,
            max_columns: 10_000,
        }
    }
}

impl HuntingOptions {
    /// No row limit, at most 10 000 columns.
    pub fn new() -> Self {
        Self::default()
    }
    /// Keeps at most this many rows (the rest are counted).
    pub fn max_rows(mut self, n: Option<usize>) -> Self {
        self.max_rows = n;
        self
    }
    /// The most columns accepted.
    pub fn max_columns(mut self, n: usize) -> Self {
        self.max_columns = n.max(1);
        self
    }
}

/// A parsed hunting answer.
#[derive(Debug, Clone)]
pub struct HuntingResults {
    df: DataFrame,
    /// The schema: column name and declared type, in order.
    pub schema: Vec<(String, String)>,
    /// Rows in the answer (more than the frame's when `max_rows` cut it).
    pub rows_in_answer: usize,
    /// Notes: columns kept as text because a value did not fit.
    pub warnings: Vec<String>,
}

impl HuntingResults {
    /// Parses an MDE, M365D or Graph answer with default options.
    pub fn parse(body: &[u8]) -> Result<Self> {
        Self::parse_with(body, &HuntingOptions::default(), "Defender hunting answer")
    }

    /// Parses an answer; errors name `what`.
    pub fn parse_with(body: &[u8], options: &HuntingOptions, what: &str) -> Result<Self> {
        let mut b = Builder {
            max_rows: options.max_rows,
            max_columns: options.max_columns,
            ..Builder::default()
        };
        let mut found = false;
        let mut de = serde_json::Deserializer::from_slice(body);
        AnswerSeed {
            b: &mut b,
            found: &mut found,
        }
        .deserialize(&mut de)
        .and_then(|_| de.end())
        .map_err(|e| Error::Runtime(format!("{what}: malformed JSON in the answer: {e}")))?;
        if !found {
            return Err(Error::Runtime(format!(
                "{what}: the answer has no 'Results'/'results' list"
            )));
        }
        // rows that came before the schema
        let early = std::mem::take(&mut b.early);
        for row in early {
            let keep = b.keep();
            b.seen += 1;
            if !keep {
                continue;
            }
            for (k, v) in row {
                b.set(&k, v)
                    .map_err(|e| Error::Runtime(format!("{what}: {e}")))?;
            }
            b.rows += 1;
        }
        let height = b.rows;
        let schema: Vec<(String, String)> = b
            .cols
            .iter()
            .map(|c| (c.name.clone(), c.declared.clone()))
            .collect();
        let mut warnings = Vec::new();
        let mut undeclared = b.undeclared.clone();
        undeclared.dedup();
        if !undeclared.is_empty() && b.schema_seen {
            let mut u = undeclared;
            u.sort();
            u.dedup();
            warnings.push(format!(
                "{what}: columns not in the schema kept as text: {}",
                u.join(", ")
            ));
        }
        let mut cols = Vec::with_capacity(b.cols.len());
        for c in b.cols {
            if let Some(v) = &c.fell_back {
                warnings.push(format!(
                    "{what}: column '{}' is declared {} but holds '{v}': kept as text",
                    c.name, c.declared
                ));
            }
            cols.push(c.into_column(height)?);
        }
        let df = DataFrame::new(height, cols).ctx(format!("building a frame from the {what}"))?;
        Ok(Self {
            df,
            schema,
            rows_in_answer: b.seen,
            warnings,
        })
    }

    /// The rows.
    pub fn df(&self) -> &DataFrame {
        &self.df
    }

    /// The rows, consuming the result.
    pub fn into_df(self) -> DataFrame {
        self.df
    }
}

impl NotebookDisplay for HuntingResults {
    fn to_html(&self) -> String {
        let mut b = HtmlBuilder::new();
        b.open("div", &[("class", "huntbook-hunting-results")]);
        for w in &self.warnings {
            b.element("p", &[("style", "color:#a40")], w);
        }
        b.close("div");
        let mut html = b.finish();
        html.push_str(&table_html(&self.df, &TableOptions::default()));
        html
    }
    fn to_text(&self) -> String {
        let mut t = String::new();
        for w in &self.warnings {
            t.push_str(w);
            t.push('\n');
        }
        t.push_str(&table_text(&self.df));
        t
    }
}

struct AnswerSeed<'b> {
    b: &'b mut Builder,
    found: &'b mut bool,
}

impl<'de> DeserializeSeed<'de> for AnswerSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

#[derive(serde::Deserialize)]
struct SchemaCol {
    #[serde(alias = "Name")]
    name: String,
    #[serde(alias = "Type", default)]
    r#type: String,
}

impl<'de> Visitor<'de> for AnswerSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with 'Schema' and 'Results'")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(crate::data::drivers::splunk::results::KeySeed)? {
            match key.as_ref() {
                "Schema" | "schema" => {
                    let cols: Vec<SchemaCol> = map.next_value()?;
                    for c in cols {
                        self.b
                            .column(&c.name, &c.r#type)
                            .map_err(serde::de::Error::custom)?;
                    }
                    self.b.schema_seen = true;
                }
                "Results" | "results" => {
                    *self.found = true;
                    map.next_value_seed(RowsSeed { b: &mut *self.b })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct RowsSeed<'b> {
    b: &'b mut Builder,
}

impl<'de> DeserializeSeed<'de> for RowsSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RowsSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of result rows")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        if !self.b.schema_seen {
            while let Some(row) = seq.next_element::<serde_json::Map<String, Value>>()? {
                self.b.early.push(row);
            }
            return Ok(());
        }
        while seq
            .next_element_seed(RowSeed { b: &mut *self.b })?
            .is_some()
        {}
        Ok(())
    }
}

struct RowSeed<'b> {
    b: &'b mut Builder,
}

impl<'de> DeserializeSeed<'de> for RowSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RowSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a result row (an object)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let keep = self.b.keep();
        while let Some(key) = map.next_key_seed(crate::data::drivers::splunk::results::KeySeed)? {
            if !keep {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let v: Value = map.next_value()?;
            self.b.set(&key, v).map_err(serde::de::Error::custom)?;
        }
        self.b.seen += 1;
        if keep {
            self.b.rows += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVERY_TYPE: &str = r#"{"Stats":{"ExecutionTime":0.02},
      "Schema":[{"Name":"Timestamp","Type":"DateTime"},{"Name":"DeviceId","Type":"Guid"},
        {"Name":"Pid","Type":"Int32"},{"Name":"Bytes","Type":"Int64"},{"Name":"Score","Type":"Double"},
        {"Name":"IsAdmin","Type":"Boolean"},{"Name":"AdditionalFields","Type":"Dynamic"},
        {"Name":"Name","Type":"String"}],
      "Results":[
        {"Timestamp":"2024-01-02T03:04:05.1234567Z","DeviceId":"b6a1b2d2-3c1b-4e5b-9c1d-0d4c3e2f1a00",
         "Pid":4242,"Bytes":9007199254740993,"Score":"NaN","IsAdmin":true,
         "AdditionalFields":{"a":[1,2]},"Name":"cmd.exe"},
        {"Timestamp":null,"Pid":null,"Bytes":-1,"Score":0.5,"IsAdmin":0,"AdditionalFields":"{\"b\":1}","Name":"<script>"}
      ]}"#;

    #[test]
    fn every_type() {
        let r = HuntingResults::parse(EVERY_TYPE.as_bytes()).unwrap();
        let df = r.df();
        assert_eq!(df.shape(), (2, 8));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let ts = df.column("Timestamp").unwrap();
        assert_eq!(
            ts.dtype(),
            &DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
        );
        assert_eq!(
            ts.datetime().unwrap().phys.get(0),
            Some(1_704_164_645_123_456_700)
        );
        assert_eq!(ts.datetime().unwrap().phys.get(1), None);
        assert_eq!(df.column("Pid").unwrap().i32().unwrap().get(0), Some(4242));
        assert_eq!(
            df.column("Bytes").unwrap().i64().unwrap().get(0),
            Some(9_007_199_254_740_993)
        );
        assert!(
            df.column("Score")
                .unwrap()
                .f64()
                .unwrap()
                .get(0)
                .unwrap()
                .is_nan()
        );
        assert_eq!(
            df.column("IsAdmin").unwrap().bool().unwrap().get(1),
            Some(false)
        );
        let af = df.column("AdditionalFields").unwrap().str().unwrap();
        assert_eq!(af.get(0), Some("{\"a\":[1,2]}"));
        assert_eq!(af.get(1), Some("{\"b\":1}"));
        assert_eq!(df.column("DeviceId").unwrap().str().unwrap().get(1), None);
    }

    #[test]
    fn graph_shape_and_fallback() {
        let body = br#"{"@odata.context":"x","results":[{"n":"12"},{"n":"twelve"}],
           "schema":[{"name":"n","type":"Int64"}]}"#;
        let r = HuntingResults::parse(body).unwrap();
        let n = r.df().column("n").unwrap();
        assert_eq!(n.str().unwrap().get(0), Some("12"));
        assert_eq!(n.str().unwrap().get(1), Some("twelve"));
        assert_eq!(
            r.warnings,
            [
                "Defender hunting answer: column 'n' is declared Int64 but holds 'twelve': kept as text"
            ]
        );
    }

    #[test]
    fn limits_and_errors() {
        let r = HuntingResults::parse_with(
            EVERY_TYPE.as_bytes(),
            &HuntingOptions::new().max_rows(Some(1)),
            "t",
        )
        .unwrap();
        assert_eq!((r.df().height(), r.rows_in_answer), (1, 2));
        let e = HuntingResults::parse(b"{\"Schema\":[]}")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "async runtime: Defender hunting answer: the answer has no 'Results'/'results' list"
        );
        let e = HuntingResults::parse(b"{\"Results\":[{")
            .unwrap_err()
            .to_string();
        assert!(e.contains("malformed JSON"), "{e}");
    }
}
