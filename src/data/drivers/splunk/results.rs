//! Splunk search results (`output_mode=json`) into a polars DataFrame,
//! page by page, without keeping the pages.
//!
//! A results body looks like (REST API reference, `search/jobs/{sid}/results`):
//!
//! ```json
//! {"preview": false, "init_offset": 0,
//!  "messages": [{"type": "INFO", "text": "..."}],
//!  "fields": [{"name": "_time"}, {"name": "host"}],
//!  "results": [{"_time": "2024-01-02T03:04:05.000+00:00", "host": "web01"}]}
//! ```
//!
//! Each page is read with a streaming JSON visitor straight into column
//! buffers, so a large result is held once (as columns), never as pages
//! plus columns. Splunk sends every value as text; a multivalue field is an
//! array of texts and becomes a `List(String)` column. `_time` becomes a
//! UTC datetime column when every value parses (MSTICPy keeps it as text);
//! with [`SplunkResultOptions::infer_types`] columns whose every value is an
//! integer or a number become `Int64` / `Float64`.
//!
//! ```
//! use huntbook::data::drivers::splunk::SplunkResults;
//! let body = br#"{"fields":[{"name":"_time"},{"name":"host"}],
//!   "results":[{"_time":"2024-01-02T03:04:05.000+00:00","host":"web01"}]}"#;
//! let r = SplunkResults::parse(body)?;
//! assert_eq!(r.df().shape(), (1, 2));
//! assert_eq!(r.df().column("host")?.str()?.get(0), Some("web01"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::data::drivers::records::parse_timestamp;
use crate::display::NotebookDisplay;
use crate::error::{Error, PolarsContext, Result};
use crate::vis::html::HtmlBuilder;
use crate::vis::table::{TableOptions, table_html, table_text};
use polars::prelude::*;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::HashMap;
use std::fmt;

/// How result values become columns.
#[derive(Debug, Clone)]
pub struct SplunkResultOptions {
    infer_types: bool,
    time_columns: Vec<String>,
    max_rows: Option<usize>,
    max_columns: usize,
}

impl Default for SplunkResultOptions {
    fn default() -> Self {
        Self {
            infer_types: false,
            time_columns: vec!["_time".to_string()],
            max_rows: None,
            max_columns: 10_000,
        }
    }
}

impl SplunkResultOptions {
    /// Defaults: values stay text (as Splunk sends them, and as MSTICPy
    /// keeps them) except `_time`, parsed as a UTC datetime.
    pub fn new() -> Self {
        Self::default()
    }

    /// Turns columns whose every value is an integer (written canonically:
    /// `42`, not `042`) into `Int64`, and number columns into `Float64`.
    pub fn infer_types(mut self, yes: bool) -> Self {
        self.infer_types = yes;
        self
    }

    /// The columns parsed as datetimes when every value parses (default `_time`).
    pub fn time_columns<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.time_columns = names.into_iter().map(Into::into).collect();
        self
    }

    /// Keeps at most this many rows (the rest are counted, not stored).
    pub fn max_rows(mut self, n: Option<usize>) -> Self {
        self.max_rows = n;
        self
    }

    /// The most columns accepted (default 10 000); more is an error.
    pub fn max_columns(mut self, n: usize) -> Self {
        self.max_columns = n.max(1);
        self
    }
}

/// A message Splunk attached to a job or a results page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct SplunkMessage {
    /// `INFO`, `WARN`, `ERROR`, `FATAL`, `DEBUG`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// The text.
    #[serde(default)]
    pub text: String,
}

impl SplunkMessage {
    /// True for `ERROR` and `FATAL`.
    pub fn is_error(&self) -> bool {
        matches!(self.kind.to_ascii_uppercase().as_str(), "ERROR" | "FATAL")
    }
}

impl fmt::Display for SplunkMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.text)
    }
}

#[derive(Debug, Default)]
struct ColBuf {
    name: String,
    single: Vec<Option<String>>,
    multi: HashMap<usize, Vec<String>>,
}

/// What one page held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageInfo {
    /// Rows in the page (including rows beyond `max_rows`, not stored).
    pub rows: usize,
    /// The page's messages.
    pub messages: Vec<SplunkMessage>,
}

/// Builds one frame from any number of results pages.
#[derive(Debug, Default)]
pub struct SplunkFrameBuilder {
    options: SplunkResultOptions,
    index: HashMap<String, usize>,
    cols: Vec<ColBuf>,
    rows: usize,
    seen: usize,
    messages: Vec<SplunkMessage>,
}

impl SplunkFrameBuilder {
    /// An empty builder.
    pub fn new(options: SplunkResultOptions) -> Self {
        Self {
            options,
            ..Self::default()
        }
    }

    /// Rows stored so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Rows seen so far (stored or beyond `max_rows`).
    pub fn rows_seen(&self) -> usize {
        self.seen
    }

    /// True when rows were left out because of `max_rows`.
    pub fn truncated(&self) -> bool {
        self.seen > self.rows
    }

    /// The row limit, if any.
    pub fn max_rows(&self) -> Option<usize> {
        self.options.max_rows
    }

    /// Every page's messages so far.
    pub fn messages(&self) -> &[SplunkMessage] {
        &self.messages
    }

    fn column(&mut self, name: &str) -> std::result::Result<usize, String> {
        if let Some(&i) = self.index.get(name) {
            return Ok(i);
        }
        if self.cols.len() >= self.options.max_columns {
            return Err(format!(
                "more than {} columns (field '{name}')",
                self.options.max_columns
            ));
        }
        let i = self.cols.len();
        self.cols.push(ColBuf {
            name: name.to_string(),
            ..ColBuf::default()
        });
        self.index.insert(name.to_string(), i);
        Ok(i)
    }

    fn set(&mut self, col: usize, value: serde_json::Value) {
        let row = self.rows;
        let Some(c) = self.cols.get_mut(col) else {
            return;
        };
        if c.single.len() > row {
            return; // a repeated key: the first value wins
        }
        c.single.resize(row, None);
        match value {
            serde_json::Value::Null => c.single.push(None),
            serde_json::Value::String(s) => c.single.push(Some(s)),
            serde_json::Value::Array(items) => {
                let texts: Vec<String> = items.into_iter().map(json_text).collect();
                c.single.push(Some(texts.join("\n")));
                c.multi.insert(row, texts);
            }
            other => c.single.push(Some(json_text(other))),
        }
    }

    /// Adds one results page (a `results` or oneshot body); the error names
    /// `what` (e.g. `Splunk results page at offset 10000`).
    pub fn add_page(&mut self, body: &[u8], what: &str) -> Result<PageInfo> {
        let before = self.seen;
        let msgs_before = self.messages.len();
        let mut de = serde_json::Deserializer::from_slice(body);
        let outcome = PageSeed { b: self }.deserialize(&mut de);
        match outcome {
            Ok(()) => {}
            Err(e) => {
                return Err(Error::Runtime(format!(
                    "{what}: malformed JSON in the answer: {e}"
                )));
            }
        }
        de.end()
            .map_err(|e| Error::Runtime(format!("{what}: malformed JSON in the answer: {e}")))?;
        Ok(PageInfo {
            rows: self.seen - before,
            messages: self
                .messages
                .get(msgs_before..)
                .unwrap_or_default()
                .to_vec(),
        })
    }

    /// The frame: columns in order of first appearance (the `fields` list
    /// first), each typed as described in the module docs.
    pub fn finish(self) -> Result<DataFrame> {
        let height = self.rows;
        let mut out = Vec::with_capacity(self.cols.len());
        for mut c in self.cols {
            c.single.resize(height, None);
            let parse_time = self.options.time_columns.contains(&c.name);
            out.push(build_column(c, parse_time, self.options.infer_types)?);
        }
        DataFrame::new(height, out).ctx("building a frame from Splunk results")
    }
}

fn json_text(v: serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

fn build_column(c: ColBuf, parse_time: bool, infer: bool) -> Result<Column> {
    let name: PlSmallStr = c.name.as_str().into();
    if !c.multi.is_empty() {
        let mut multi = c.multi;
        let lists: Vec<Option<Series>> = c
            .single
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let items = match multi.remove(&i) {
                    Some(items) => items,
                    None => v.map(|s| vec![s])?,
                };
                Some(Series::new(PlSmallStr::EMPTY, items))
            })
            .collect();
        let s: Series = Series::new(name, lists);
        return Ok(s.into());
    }
    if parse_time && let Some(col) = time_column(&name, &c.single) {
        return Ok(col);
    }
    if infer && let Some(col) = numeric_column(&name, &c.single) {
        return Ok(col);
    }
    Ok(Column::new(name, c.single))
}

fn time_column(name: &PlSmallStr, values: &[Option<String>]) -> Option<Column> {
    let mut ns = Vec::with_capacity(values.len());
    let mut any = false;
    for v in values {
        match v {
            None => ns.push(None),
            Some(s) => {
                let (n, _) = parse_timestamp(s)?;
                any = true;
                ns.push(Some(n));
            }
        }
    }
    if !any {
        return None;
    }
    Series::new(name.clone(), ns)
        .cast(&DataType::Datetime(
            TimeUnit::Nanoseconds,
            Some(TimeZone::UTC),
        ))
        .ok()
        .map(Column::from)
}

fn canonical_int(s: &str) -> Option<i64> {
    let i: i64 = s.parse().ok()?;
    (i.to_string() == s).then_some(i)
}

fn numeric_column(name: &PlSmallStr, values: &[Option<String>]) -> Option<Column> {
    if values.iter().all(Option::is_none) {
        return None;
    }
    let ints: Option<Vec<Option<i64>>> = values
        .iter()
        .map(|v| match v {
            None => Some(None),
            Some(s) => canonical_int(s).map(Some),
        })
        .collect();
    if let Some(ints) = ints {
        return Some(Column::new(name.clone(), ints));
    }
    let floats: Option<Vec<Option<f64>>> = values
        .iter()
        .map(|v| match v {
            None => Some(None),
            Some(s) => {
                if plausible_number(s) {
                    s.parse::<f64>().ok().map(Some)
                } else {
                    None
                }
            }
        })
        .collect();
    floats.map(|f| Column::new(name.clone(), f))
}

/// A decimal number written without padding: `-1.5`, `0.25`, `3e5`; not
/// `007`, `1.`, ` 2`, `nan` (so no text changes meaning when typed).
fn plausible_number(s: &str) -> bool {
    let body = s.strip_prefix('-').unwrap_or(s);
    let (mantissa, exp) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    digits(int)
        && (int == "0" || !int.starts_with('0'))
        && frac.is_none_or(digits)
        && exp.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)))
}

/// A JSON object key, borrowed from the input when it has no escapes
/// (serde's `Cow<str>` always copies).
pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = std::borrow::Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_str(KeySeed)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = std::borrow::Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
        Ok(std::borrow::Cow::Borrowed(v))
    }
    fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
        Ok(std::borrow::Cow::Owned(v))
    }
}

struct PageSeed<'b> {
    b: &'b mut SplunkFrameBuilder,
}

impl<'de> DeserializeSeed<'de> for PageSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PageSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Splunk results object with 'results'")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key.as_ref() {
                "results" => map.next_value_seed(RowsSeed { b: &mut *self.b })?,
                "fields" => {
                    let fields: Vec<FieldSpec> = map.next_value()?;
                    for f in fields {
                        let name = match f {
                            FieldSpec::Name(n) => n,
                            FieldSpec::Object { name } => name,
                        };
                        self.b.column(&name).map_err(serde::de::Error::custom)?;
                    }
                }
                "messages" => {
                    let msgs: Option<Vec<SplunkMessage>> = map.next_value()?;
                    self.b.messages.extend(msgs.unwrap_or_default());
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum FieldSpec {
    Name(String),
    Object { name: String },
}

struct RowsSeed<'b> {
    b: &'b mut SplunkFrameBuilder,
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
        while seq
            .next_element_seed(RowSeed { b: &mut *self.b })?
            .is_some()
        {}
        Ok(())
    }
}

struct RowSeed<'b> {
    b: &'b mut SplunkFrameBuilder,
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
        f.write_str("a result row (an object of field values)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let keep = self.b.options.max_rows.is_none_or(|m| self.b.rows < m);
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if !keep {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let value: serde_json::Value = map.next_value()?;
            let col = self.b.column(&key).map_err(serde::de::Error::custom)?;
            self.b.set(col, value);
        }
        self.b.seen += 1;
        if keep {
            self.b.rows += 1;
        }
        Ok(())
    }
}

/// A parsed results body: the frame and Splunk's messages.
#[derive(Debug, Clone)]
pub struct SplunkResults {
    df: DataFrame,
    /// Messages in the body.
    pub messages: Vec<SplunkMessage>,
}

impl SplunkResults {
    /// Parses one results body (`output_mode=json`) with default options.
    pub fn parse(body: &[u8]) -> Result<Self> {
        Self::parse_with(body, SplunkResultOptions::default())
    }

    /// Parses one results body with these options.
    pub fn parse_with(body: &[u8], options: SplunkResultOptions) -> Result<Self> {
        let mut b = SplunkFrameBuilder::new(options);
        let info = b.add_page(body, "Splunk results")?;
        Ok(Self {
            df: b.finish()?,
            messages: info.messages,
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

impl NotebookDisplay for SplunkResults {
    fn to_html(&self) -> String {
        let mut b = HtmlBuilder::new();
        b.open("div", &[("class", "huntbook-splunk-results")]);
        for m in &self.messages {
            b.element("p", &[("style", "color:#a40")], &m.to_string());
        }
        b.close("div");
        let mut html = b.finish();
        html.push_str(&table_html(&self.df, &TableOptions::default()));
        html
    }
    fn to_text(&self) -> String {
        let mut t = String::new();
        for m in &self.messages {
            t.push_str(&m.to_string());
            t.push('\n');
        }
        t.push_str(&table_text(&self.df));
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_types_and_multivalue() {
        let body = br#"{"preview":false,"init_offset":0,
          "messages":[{"type":"INFO","text":"Your timerange was substituted"}],
          "fields":[{"name":"_time"},{"name":"host"},{"name":"count"},{"name":"ratio"},{"name":"user"}],
          "results":[
            {"_time":"2024-01-02T03:04:05.000+00:00","host":"web01","count":"7","ratio":"0.5","user":["alice","bob"]},
            {"_time":"2024-01-02T04:04:05.500+01:00","host":"web02","count":"007","ratio":"2","user":"carol","extra":"x"}
          ]}"#;
        let r =
            SplunkResults::parse_with(body, SplunkResultOptions::new().infer_types(true)).unwrap();
        let df = r.df();
        let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["_time", "host", "count", "ratio", "user", "extra"]);
        let t = df.column("_time").unwrap();
        assert_eq!(
            t.dtype(),
            &DataType::Datetime(TimeUnit::Nanoseconds, Some(TimeZone::UTC))
        );
        assert_eq!(
            t.datetime().unwrap().phys.get(1),
            Some(1_704_164_645_500_000_000)
        );
        // "007" is not a canonical integer: the column stays text, no value changes
        assert_eq!(
            df.column("count").unwrap().str().unwrap().get(1),
            Some("007")
        );
        assert_eq!(df.column("ratio").unwrap().f64().unwrap().get(1), Some(2.0));
        let user = df.column("user").unwrap();
        assert_eq!(user.dtype(), &DataType::List(Box::new(DataType::String)));
        let first = user.list().unwrap().get_as_series(0).unwrap();
        assert_eq!(first.str().unwrap().get(1), Some("bob"));
        assert_eq!(df.column("extra").unwrap().str().unwrap().get(0), None);
        assert_eq!(r.messages[0].kind, "INFO");
    }

    #[test]
    fn max_rows_counts_but_does_not_store() {
        let mut b = SplunkFrameBuilder::new(SplunkResultOptions::new().max_rows(Some(1)));
        let info = b
            .add_page(br#"{"results":[{"a":"1"},{"a":"2"},{"a":"3"}]}"#, "page")
            .unwrap();
        assert_eq!(info.rows, 3);
        assert!(b.truncated());
        let df = b.finish().unwrap();
        assert_eq!(df.height(), 1);
    }

    #[test]
    fn malformed_and_empty() {
        let err = SplunkResults::parse(b"{\"results\": [")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("async runtime: Splunk results: malformed JSON in the answer: EOF"),
            "{err}"
        );
        assert!(plausible_number("-0.25") && plausible_number("3e5") && plausible_number("10"));
        assert!(!plausible_number("007") && !plausible_number("1.") && !plausible_number("nan"));
        let r = SplunkResults::parse(br#"{"results":[],"fields":[]}"#).unwrap();
        assert_eq!(r.df().shape(), (0, 0));
    }
}
